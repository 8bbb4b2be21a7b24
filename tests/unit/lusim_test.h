/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Common glue for the CMocka unit tests: every test starts from a clean shim
 * (lusim_reset_all) in record mode, and can assert on findings by id.
 */
#ifndef _LUSIM_TEST_H
#define _LUSIM_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lusim/findings.h>
#include <lusim/reset.h>

static inline int lusim_test_setup(void **state)
{
	(void)state;
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	lusim_reset_all();
	lusim_findings_clear();
	return 0;
}

static inline int lusim_test_teardown(void **state)
{
	(void)state;
	lusim_reset_all();
	return 0;
}

/* Fails with the full findings list printed when the id did not fire. */
#define assert_finding(id)						\
	do {								\
		if (!lusim_findings_has(id)) {				\
			lusim_findings_print(NULL);			\
			fail_msg("expected finding %s did not fire", id); \
		}							\
	} while (0)

#define assert_no_findings()						\
	do {								\
		if (lusim_findings_count()) {				\
			lusim_findings_print(NULL);			\
			fail_msg("unexpected findings");		\
		}							\
	} while (0)

#define lusim_unit_test(f) \
	cmocka_unit_test_setup_teardown(f, lusim_test_setup, lusim_test_teardown)

#endif /* _LUSIM_TEST_H */
