// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_xarray: the shim xarray against the reference model of
 * tests/ref/xa_diff.c, driven by the fuzz input.
 *
 * Input: byte 0 picks the array (modulo 3: plain, XA_FLAGS_ALLOC,
 * XA_FLAGS_ALLOC1); the rest is the engine's randomness, read a few whole
 * bytes per choice (xa_diff.h lists the choices of one op in order), so an
 * op is a short variable-length record. The run ends when the bytes run out
 * (a last, partial op reads zeros) or after FUZZ_XA_MAX_OPS ops.
 *
 * Every op is compared with the reference; a mismatch is finding
 * XA-DIFF-MISMATCH, and any other finding an op causes (XA-CORRUPT,
 * LOCK-*, SLAB-*) is one too. Findings run in ABORT mode, so the engine
 * records the input as a crash; the report carries the last ops (the
 * findings trace hook). LUSIM_XA_TRACE=1 in the environment (read once, at
 * start) prints every op as it runs.
 *
 * Each input starts from power-on (lusim_reset_all) and leaves nothing
 * behind: the array is destroyed, RCU callbacks drained, every xarray node
 * and every slab object must have come back (else SLAB-LEAK).
 * lusim_fuzz_state_hash() is the hash of the final contents, which
 * fuzz/replay_main.c compares between two runs of the same input.
 *
 *   build/fuzz/fuzz/fuzz_xarray -dict=fuzz/fuzz_xarray.dict CORPUS corpus/fuzz_xarray
 *   build/gcc/fuzz/fuzz_xarray-replay CRASHFILE
 */
#include <linux/slab.h>
#include <linux/bug.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "xa_diff.h"

#define FUZZ_XA_MAX_OPS	4096

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
uint64_t lusim_fuzz_state_hash(void);

static struct xa_diff run;
static struct xa_diff *running;
static uint64_t state_hash;
static bool verbose;

static size_t trace_hook(char *buf, size_t len)
{
	return running ? xa_diff_trace(running, buf, len) : 0;
}

static void __attribute__((noreturn))
fuzz_mismatch(struct xa_diff *d, const char *site, const char *msg)
{
	xa_diff_report(d, site, msg);	/* ABORT mode: prints and aborts */
	lusim_findings_print(NULL);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("LUSIM_XA_TRACE") != NULL;
	/*
	 * The build-time WARN-CONST-COND sites are reported once, in record
	 * mode, so the run goes on fuzzing past them (AMENDMENTS, Foundation).
	 */
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	lusim_reset_all();
	lusim_warn_report_const_sites();
	if (lusim_findings_count())
		lusim_findings_print(NULL);
	lusim_findings_clear();
	lusim_findings_set_mode(LUSIM_FINDINGS_ABORT);
	lusim_findings_set_trace(trace_hook);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xa_diff_bytes src;

	state_hash = 0;
	if (!size)
		return 0;
	lusim_reset_all();
	xa_diff_bytes_init(&src, data + 1, size - 1);
	xa_diff_init(&run, data[0] % XA_DIFF_NR_KINDS, &src.src, fuzz_mismatch);
	run.verbose = verbose;
	running = &run;
	while (xa_diff_more(&run) && run.op < FUZZ_XA_MAX_OPS)
		xa_diff_step(&run);
	xa_diff_final_check(&run);
	state_hash = xa_diff_hash(&run);
	xa_diff_destroy(&run);
	if (lusim_slab_live_objects())
		lusim_slab_check_leaks();
	running = NULL;
	return 0;
}

uint64_t lusim_fuzz_state_hash(void)
{
	return state_hash;
}
