/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the sim/check tests (test_check_*.c): set-up with every
 * check switched on, and finding(id), which fails the test when @id was not
 * reported and returns it otherwise. With LUSIM_SHOW_FINDINGS=1 in the
 * environment, finding() also prints each finding it returns: that output
 * is where the examples of docs/oracles.md come from.
 */
#ifndef _LUSIM_CHECK_TEST_H
#define _LUSIM_CHECK_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check/check.h>

#include "lusim_test.h"

static inline int check_test_setup(void **state)
{
	lusim_check_set_all_enabled(true);
	for (unsigned int i = 0; i < lusim_check_count(); i++)
		lusim_check_at(i)->disabled = false;
	return lusim_test_setup(state);
}

static inline const struct lusim_finding *finding(const char *id)
{
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		const struct lusim_finding *f = lusim_findings_get(i);

		if (strcmp(f->id, id))
			continue;
		if (getenv("LUSIM_SHOW_FINDINGS"))
			printf("lusim: finding %s: %s\n  at %s\n%s\n", f->id,
			       f->msg, f->site, f->detail);
		return f;
	}
	lusim_findings_print(NULL);
	fail_msg("finding %s not reported", id);
	return NULL;
}

#endif /* _LUSIM_CHECK_TEST_H */
