// SPDX-License-Identifier: GPL-2.0-only
/*
 * A tiny "model file" for the kernel-overrides end-to-end test.  sim/meson.build
 * compiles it like a kernel-model file (and splices it when -Dkernel_overrides
 * names one of its functions); tools/meson.build links it into
 * override_selftest, which prints override_selftest_value(5).
 *
 * Unmodified: 100 + (5 * 2 + 1) = 111.  With tests/overrides/override_ok.c,
 * the static selftest_op() is replaced and calls the file's static helper
 * plus a new function: 100 + (5 * 2 + 1000) = 1110.
 */
#include "selftest_model.h"

static int selftest_scale(int x)
{
	return x * 2;
}

/* Replaced by tests/overrides/override_ok.c. */
static int selftest_op(int x)
{
	return selftest_scale(x) + 1;
}

int override_selftest_value(int x)
{
	return SELFTEST_BASE + selftest_op(x);
}

#define SELFTEST_STR2(x)	#x
#define SELFTEST_STR(x)		SELFTEST_STR2(x)

/* Where code after the replaced function thinks it is (checks #line). */
const char *override_selftest_origin(void)
{
	return __FILE__ ":" SELFTEST_STR(__LINE__);
}
