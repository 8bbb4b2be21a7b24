// SPDX-License-Identifier: GPL-2.0-only
/* lusim-target: tests/overrides/selftest_model.c */
/* Override for the end-to-end test: the if's '}' is missing; the error
 * names the '}' on line 10 that ends up closing the if. */
static int selftest_op(int x)
{
	if (x) {
		x++;
	return x;
}
