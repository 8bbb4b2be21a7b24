// SPDX-License-Identifier: GPL-2.0-only
/*
 * override_selftest: prints what the tiny model file of tests/overrides
 * computes, so a test can tell the model's code from an override's.
 *
 *   override_selftest [EXPECTED-VALUE]   exit 1 when the value differs
 */
#include <stdio.h>
#include <stdlib.h>

#include "selftest_model.h"

int main(int argc, char **argv)
{
	int v = override_selftest_value(5);

	printf("value=%d\n", v);
	printf("origin=%s\n", override_selftest_origin());
	if (argc > 1 && v != atoi(argv[1])) {
		fprintf(stderr, "expected value=%s\n", argv[1]);
		return 1;
	}
	return 0;
}
