// SPDX-License-Identifier: GPL-2.0-only
/*
 * The yardstick of the fuzz throughput benchmark (tests/bench/bench_fuzz.py):
 * a libFuzzer target that does next to nothing, built with the same
 * compiler, flags and sanitizers as the real targets and run in the same
 * benchmark run, so a target's exec/s is reported as a ratio to what the
 * engine itself reaches on this machine at this moment.
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned int sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int sum = 0;

	for (size_t i = 0; i < size && i < 16; i++)
		sum += data[i];
	if (size >= 2 && data[0] == 'l' && data[1] == 'u')
		sum ^= 1;
	sink = sum;
	return 0;
}
