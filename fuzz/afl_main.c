// SPDX-License-Identifier: GPL-2.0-only
/*
 * AFL++ persistent-mode driver with shared-memory test cases, for the same
 * LLVMFuzzerTestOneInput harnesses. Built with afl-clang-fast (-Dfuzzing=afl).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#ifndef __AFL_FUZZ_TESTCASE_LEN
/* not under afl-clang-fast: read one input from stdin (a plain runner) */
static unsigned char stdin_buf[1 << 20];
#define __AFL_FUZZ_INIT()
#define __AFL_INIT()
#define __AFL_FUZZ_TESTCASE_BUF stdin_buf
#define __AFL_FUZZ_TESTCASE_LEN ((size_t)read(0, stdin_buf, sizeof(stdin_buf)))
static int afl_once = 1;
#define __AFL_LOOP(n) (afl_once ? (afl_once = 0, 1) : 0)
#endif

__AFL_FUZZ_INIT();

int main(int argc, char **argv)
{
	unsigned char *buf;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(100000)) {
		ssize_t len = (ssize_t)__AFL_FUZZ_TESTCASE_LEN;

		if (len < 0)
			len = 0;
		LLVMFuzzerTestOneInput(buf, (size_t)len);
	}
	return 0;
}
