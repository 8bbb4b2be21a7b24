// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_race: the whole simulated system over the op language with two to
 * four actors interleaved at lock boundaries (issue 9, docs/concurrency.md),
 * with every oracle of sim/check.
 *
 * Input (sim/ops/oprace.h): a header byte (the number of actors), then
 * items: a sequential op record (opcode < 0xc0, its argument bytes), an op
 * of actor N (0xc0 + N, then the op record) or one schedule byte (0xf0,
 * then the byte). Consecutive actor ops form a concurrent block that runs
 * when a sequential op or the end of the input comes; its schedule bytes
 * decide, at each scheduling point, which actor runs. Any byte string is an
 * input; the same input gives the same interleaving every time (the state
 * hash, compared by the replay binary, covers the switches).
 *
 * Each input starts from power-on and ends with the process exiting, the
 * teardown oracles and the leak checks, as fuzz_ops. Findings abort; the
 * report carries the op trace with `actors`, `schedule` and `@N` lines
 * (replay with `lusim run`; `lusim decode --race INPUT` prints the whole
 * scenario).
 *
 * Environment, read once at start: LUSIM_BUGS, LUSIM_SUPPRESS,
 * LUSIM_SUPPRESSIONS (as fuzz_ops), LUSIM_RACE_ROUNDTRIP=1 (also check the
 * binary -> scenario -> binary round trip of every input),
 * LUSIM_SWITCHES=1 (print every block's switches).
 *
 *   build/fuzz/fuzz/fuzz_race -dict=fuzz/fuzz_race.dict CORPUS corpus/fuzz_race
 *   build/gcc/fuzz/fuzz_race-replay CRASHFILE
 *   build/gcc/tools/lusim/lusim decode --race CRASHFILE > crash.lus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bug.h>
#include <lusim/actor.h>
#include <lusim/bugs.h>
#include <lusim/findings.h>
#include <lusim/reset.h>
#include <ops/oplang.h>
#include <ops/oprace.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
uint64_t lusim_fuzz_state_hash(void);

static struct opl_vm *vm;
static uint64_t state_hash;
static bool roundtrip;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (lusim_bugs_from_env()) {
		fprintf(stderr, "fuzz_race: LUSIM_BUGS: expected a list like RB-01,RB-03\n");
		exit(2);
	}
	if (lusim_findings_suppress_from_env())
		exit(2);
	roundtrip = getenv("LUSIM_RACE_ROUNDTRIP") != NULL;
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	lusim_reset_all();
	lusim_warn_report_const_sites();
	if (lusim_findings_count())
		lusim_findings_print(NULL);
	lusim_findings_clear();

	vm = opl_vm_new();
	opl_install_trace(vm);
	lusim_findings_set_mode(LUSIM_FINDINGS_ABORT);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the header byte chooses the actors; an empty input has two */
	opl_vm_race_enable(vm, 2 + (size ? data[0] : 0) % (LUSIM_MAX_ACTORS - 1));
	if (opl_vm_start(vm, NULL)) {
		fprintf(stderr, "fuzz_race: the machine does not power on\n");
		abort();
	}
	opl_race_run_binary(vm, data, size);
	opl_vm_end(vm);
	state_hash = opl_vm_hash(vm);

	if (roundtrip && size) {
		struct opl_str why = { 0 };

		lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
		if (opl_race_roundtrip(vm, data, size, &why)) {
			fprintf(stderr, "lusim: finding OPL-ROUNDTRIP: %s\n", why.s);
			abort();
		}
		opl_str_free(&why);
		lusim_findings_set_mode(LUSIM_FINDINGS_ABORT);
	}
	return 0;
}

uint64_t lusim_fuzz_state_hash(void)
{
	return state_hash;
}
