// SPDX-License-Identifier: GPL-2.0-only
/*
 * What concurrency costs (docs/concurrency.md, Cost), on one core:
 *
 *   - the scheduler alone: the cost of a switch between two actors that
 *     only yield;
 *   - the op language: the same random op records run as fuzz_ops runs
 *     them (sequential) and as fuzz_race runs them (the second half of the
 *     records in a concurrent block of two actors, one schedule byte per
 *     record), inputs/s and switches per input; oracles on.
 *
 * Figures only, nothing asserted (tests/meson.build: benchmarks). Findings
 * the random inputs raise are recorded and counted, not fatal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/sched.h>
#include <check/check.h>
#include <lusim/actor.h>
#include <lusim/findings.h>
#include <lusim/reset.h>
#include <ops/oplang.h>
#include <ops/oprace.h>

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

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the scheduler alone ---------------------------------------------------- */

#define YIELDS	200000

static void yielder(unsigned int actor, void *arg)
{
	(void)actor;
	(void)arg;
	for (int i = 0; i < YIELDS; i++)
		lusim_yield();
}

static void bench_sched(void)
{
	static uint8_t alternate[2 * YIELDS];
	struct lusim_sched_stats st;
	double t;

	for (size_t i = 0; i < sizeof(alternate); i++)
		alternate[i] = (uint8_t)(i & 1 ? 0 : 1);
	lusim_reset_all();
	t = now();
	lusim_sched_run(2, yielder, NULL, alternate, sizeof(alternate), NULL);
	t = now() - t;
	lusim_sched_get_stats(&st);
	printf("  scheduler: %lu switches in %.3f s: %.0f ns/switch (two swapcontext + decision)\n",
	       st.switches, t, t * 1e9 / (double)st.switches);

}

/* --- the op language ------------------------------------------------------------ */

#define NR_INPUTS	300
#define OPS		32

struct input {
	uint8_t seq[OPS * 9];
	size_t seq_len;
	uint8_t race[OPS * 12 + 1];
	size_t race_len;
};

static struct input inputs[NR_INPUTS];

static uint8_t kexec_op;

static void make_inputs(void)
{
	for (unsigned int i = 0; i < opl_nr_ops; i++)
		if (!strcmp(opl_ops[i].name, "kexec"))
			kexec_op = (uint8_t)i;
	for (int k = 0; k < NR_INPUTS; k++) {
		struct input *in = &inputs[k];

		in->seq_len = 0;
		in->race_len = 0;
		in->race[in->race_len++] = 0;	/* two actors */
		for (int o = 0; o < OPS; o++) {
			uint8_t op = (uint8_t)(rnd() % opl_nr_ops);
			unsigned int n = opl_record_size(op) - 1;
			uint8_t args[OPL_MAX_ARGS];

			if (op == kexec_op)
				op = 0;	/* iommufd_open: no reboot in the comparison */
			n = opl_record_size(op) - 1;
			for (unsigned int a = 0; a < n; a++)
				args[a] = (uint8_t)(rnd() % 4);
			in->seq[in->seq_len++] = op;
			memcpy(in->seq + in->seq_len, args, n);
			in->seq_len += n;
			if (o >= OPS / 2) {
				in->race[in->race_len++] = 0xf0;
				in->race[in->race_len++] = (uint8_t)(rnd() % 2);
				in->race[in->race_len++] = (uint8_t)(0xc0 + o % 2);
			}
			in->race[in->race_len++] = op;
			memcpy(in->race + in->race_len, args, n);
			in->race_len += n;
		}
	}
}

static void bench_ops(void)
{
	struct opl_vm *vm = opl_vm_new();
	unsigned long switches = 0, blocks = 0;
	struct lusim_sched_stats st;
	double t_seq, t_race;

	make_inputs();
	for (int round = 0; round < 2; round++) {
		t_seq = now();
		for (int k = 0; k < NR_INPUTS; k++) {
			opl_vm_start(vm, NULL);
			opl_vm_run_binary(vm, inputs[k].seq, inputs[k].seq_len);
			opl_vm_end(vm);
			lusim_findings_clear();
		}
		t_seq = now() - t_seq;
		t_race = now();
		switches = blocks = 0;
		for (int k = 0; k < NR_INPUTS; k++) {
			opl_vm_race_enable(vm, 2);
			opl_vm_start(vm, NULL);
			opl_race_run_binary(vm, inputs[k].race, inputs[k].race_len);
			lusim_sched_get_stats(&st);
			switches += st.switches;
			blocks += st.blocks;
			opl_vm_end(vm);
			lusim_findings_clear();
		}
		t_race = now() - t_race;
		opl_vm_race_enable(vm, 0);
		if (!round)
			continue;	/* warm-up */
		printf("  %d inputs of %d random ops, oracles on:\n", NR_INPUTS, OPS);
		printf("    sequential (fuzz_ops form):  %7.0f inputs/s  %7.1f us/input\n",
		       NR_INPUTS / t_seq, t_seq * 1e6 / NR_INPUTS);
		printf("    concurrent (fuzz_race form): %7.0f inputs/s  %7.1f us/input  (%.2f of sequential; %lu switches per input)\n",
		       NR_INPUTS / t_race, t_race * 1e6 / NR_INPUTS, t_seq / t_race,
		       switches / NR_INPUTS);
	}
	(void)blocks;
	opl_vm_free(vm);
}

int main(void)
{
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	printf("bench_race (docs/concurrency.md):\n");
	bench_sched();
	bench_ops();
	lusim_reset_all();
	return 0;
}
