// SPDX-License-Identifier: GPL-2.0-only
/* lusim-target: tests/overrides/selftest_model.c */
/*
 * Override for the end-to-end test (tests/overrides/test_e2e.py): replaces
 * the static selftest_op(), calls the model file's static selftest_scale()
 * and a function the model lacks; has an unused variable (line 13), a
 * warning that must be shown and must not fail the build.
 */
#include "selftest_model.h"

static int selftest_op(int x)
{
	int unused_on_purpose;

	return selftest_scale(x) + selftest_new(x, 0, 0);
}

/* New: appended to the model file, ignores two parameters. */
static int selftest_new(int x, int ignored_a, int ignored_b)
{
	return 1000;
}
