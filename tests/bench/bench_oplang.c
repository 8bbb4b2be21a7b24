// SPDX-License-Identifier: GPL-2.0-only
/*
 * The op language's throughput, as fuzz_ops runs it (power-on, the ops,
 * process exit, teardown oracles, leak checks), on one core:
 *
 *   - inputs/s and ops/s for inputs of 0, 8, 64 and 512 random ops (random
 *     ops with small handle bytes, so most of them do something; kexec is
 *     one op in ~40), with the oracles of sim/check on and off;
 *   - where the time of an empty input goes (power-on vs the end of a run);
 *   - the scenario parser (bytes/s) and the mutator (mutations/s).
 *
 * Figures only, nothing asserted (tests/meson.build: benchmarks). Findings
 * the random inputs raise are recorded and counted, not fatal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check/check.h>
#include <lusim/findings.h>
#include <lusim/reset.h>
#include <ops/oplang.h>

static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	uint32_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rnd_state = x;
	return x;
}

static double now(void)
{
	struct timespec ts;

	/*
	 * This process's CPU time, not wall time: the machines these run on
	 * are shared, and other load must not show up as the model's cost.
	 */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* @nr random op records into @buf; returns the size. */
static size_t make_input(uint8_t *buf, unsigned int nr)
{
	size_t len = 0;

	for (unsigned int i = 0; i < nr; i++) {
		unsigned int op = rnd() % opl_nr_ops;
		const struct opl_op *d = &opl_ops[op];

		buf[len++] = (uint8_t)op;
		for (unsigned int a = 0; a < opl_op_nr_args(d); a++) {
			if (d->args[a].type == OPA_HANDLE)
				buf[len++] = (uint8_t)(rnd() % 4);
			else
				buf[len++] = rnd() % 2 ? d->args[a].def : (uint8_t)rnd();
		}
	}
	return len;
}

#define NR_INPUTS	64

/* bench_oplang OPS RUNS: exactly RUNS inputs (instruction counts under callgrind) */
static unsigned long fixed_runs;

static void bench_size(struct opl_vm *vm, unsigned int ops, bool checks,
		       double budget)
{
	static uint8_t inputs[NR_INPUTS][512 * (1 + OPL_MAX_ARGS)];
	static size_t sizes[NR_INPUTS];
	unsigned long runs = 0, ran = 0, findings = 0;
	double t0, t;

	rnd_state = 2463534242u + ops;
	for (unsigned int i = 0; i < NR_INPUTS; i++)
		sizes[i] = make_input(inputs[i], ops);
	lusim_check_set_all_enabled(checks);
	t0 = now();
	do {
		for (unsigned int i = 0; i < NR_INPUTS; i++) {
			opl_vm_start(vm, NULL);
			ran += opl_vm_run_binary(vm, inputs[i], sizes[i]);
			opl_vm_end(vm);
			findings += lusim_findings_count() != 0;
			runs++;
		}
		t = now() - t0;
	} while (fixed_runs ? runs < fixed_runs : t < budget);
	lusim_check_set_all_enabled(true);
	printf("  %3u ops/input, oracles %-3s: %8.0f inputs/s  %9.0f ops/s  %6.1f us/input  (%lu inputs, %lu with findings)\n",
	       ops, checks ? "on" : "off", runs / t, ran / t, t / runs * 1e6,
	       runs, findings);
}

static void bench_parts(struct opl_vm *vm)
{
	unsigned long n = 0;
	double t0 = now(), t_on = 0, t_end = 0, t;

	do {
		double a = now(), b;

		opl_vm_start(vm, NULL);
		b = now();
		opl_vm_end(vm);
		t_on += b - a;
		t_end += now() - b;
		n++;
		t = now() - t0;
	} while (t < 1.0);
	printf("  empty input: power-on %.1f us, end of run (exit, unplug, teardown, leak checks) %.1f us\n",
	       t_on / n * 1e6, t_end / n * 1e6);
}

static void bench_parser(void)
{
	struct opl_str text = { 0 };
	unsigned long n = 0;
	double t0, t;

	for (unsigned int i = 0; i < 100; i++)
		opl_str_printf(&text,
			"fd%u = iommufd_open\n"
			"ioas A%u = ioas_alloc fd%u expect ok   # a comment\n"
			"ioas_map fd%u A%u iova=0x10000 pages=4 flags=fixed,read,write expect -EBUSY\n"
			"destroy fd%u A%u\nexpect ok\n", i, i, i, i, i, i, i);
	t0 = now();
	do {
		struct opl_script *s = opl_script_parse("bench.lus", text.s, text.len, NULL);

		opl_script_free(s);
		n++;
		t = now() - t0;
	} while (t < 1.0);
	printf("  parser: %.1f MB/s (%zu-byte scenario of %u ops, %.0f parses/s)\n",
	       n * text.len / t / 1e6, text.len, 400, n / t);
	opl_str_free(&text);
}

static void bench_mutator(void)
{
	static uint8_t buf[4096];
	size_t size = make_input(buf, 64);
	unsigned long n = 0;
	double t0 = now(), t;

	do {
		for (unsigned int i = 0; i < 1000; i++)
			size = opl_mutate(buf, size, sizeof(buf), (unsigned int)(n + i));
		n += 1000;
		t = now() - t0;
	} while (t < 1.0);
	printf("  mutator: %.0f mutations/s (inputs around %zu bytes)\n", n / t, size);
}

int main(int argc, char **argv)
{
	static unsigned int sizes[] = { 0, 8, 64, 512 };
	unsigned int nr_sizes = sizeof(sizes) / sizeof(sizes[0]);
	struct opl_vm *vm = opl_vm_new();

	/* bench_oplang [OPS [RUNS]]: only inputs of OPS ops (for a profiler) */
	if (argc > 1) {
		sizes[0] = (unsigned int)strtoul(argv[1], NULL, 0);
		nr_sizes = 1;
	}
	if (argc > 2)
		fixed_runs = strtoul(argv[2], NULL, 0);

	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	/* the model's own pr_err() noise is not the benchmark's output */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	printf("bench_oplang: fuzz_ops' loop, one core (%u ops in the table; CPU time)\n",
	       opl_nr_ops);
	if (argc > 1) {
		bench_size(vm, sizes[0], true, 4.0);
		opl_vm_free(vm);
		return 0;
	}
	bench_parts(vm);
	for (unsigned int i = 0; i < nr_sizes; i++) {
		bench_size(vm, sizes[i], true, 2.0);
		bench_size(vm, sizes[i], false, 1.0);
	}
	bench_parser();
	bench_mutator();
	lusim_reset_all();
	opl_vm_free(vm);
	return 0;
}
