// SPDX-License-Identifier: GPL-2.0-only
/* lusim-target: tests/overrides/selftest_model.c */
/* Override for the end-to-end test: a compile error on line 6. */
static int selftest_op(int x)
{
	return selftest_scale(x) + no_such_symbol;
}
