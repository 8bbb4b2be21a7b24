// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ops: the whole simulated system over the op language
 * (sim/ops/oplang.h, docs/oplang.md), with every oracle sim/check offers.
 *
 * Input: a stream of op records, an opcode byte then one byte per argument
 * (`lusim help ops` lists the ops, oplang.h the encoding). Any byte string
 * is an input: unknown opcodes fold onto known ones, handles are indices
 * into the live objects (or, by their selector, objects of another kind,
 * destroyed objects, raw ids), a trailing partial record is ignored. At
 * most OPL_MAX_CALLS ops run.
 *
 * Each input starts from power-on (opl_vm_start: lusim_reset_all() and a
 * fresh default machine) and ends with the process exiting, the teardown
 * oracles and the leak checks (opl_vm_end). Findings run in ABORT mode: the
 * first one prints the op trace as a scenario (replay it with `lusim run`),
 * the report, and aborts, so the engine keeps the input.
 *
 * Environment, read once at start: LUSIM_BUGS=RB-01,... (reviewer-bug
 * switches), LUSIM_SUPPRESS=ID[@SITE],... and LUSIM_SUPPRESSIONS=FILE (one
 * per line, # comments: known findings to run past),
 * LUSIM_OPS_TRACE=1 (print every op as it runs), LUSIM_OPS_ROUNDTRIP=1
 * (also check every input's binary -> scenario -> binary round trip),
 * LUSIM_FUZZ_RECORD=1 (findings are counted, not fatal: for throughput
 * and memory soak runs that must go past every finding; the count is
 * printed at exit).
 * LUSIM_SUPPRESSED_LOG=FILE (count suppressed findings, see below).
 * LUSIM_FUZZ_NO_MACROS=1: no macro ops (oplang.h, opl_set_macros): their
 * opcodes fold onto the ordinary ops in the decoder and the mutator never
 * draws them, so every VMM flow is built one system call at a time (the
 * rediscovery figures with and without macros, docs/reviewer-bugs.md).
 *
 *   build/fuzz/fuzz/fuzz_ops -dict=fuzz/fuzz_ops.dict CORPUS corpus/fuzz_ops
 *   build/gcc/fuzz/fuzz_ops-replay CRASHFILE
 *   build/gcc/tools/lusim/lusim decode CRASHFILE > crash.lus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bug.h>
#include <lusim/bugs.h>
#include <lusim/findings.h>
#include <lusim/reset.h>
#include <ops/oplang.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
	__attribute__((weak));
uint64_t lusim_fuzz_state_hash(void);

static struct opl_vm *vm;
static uint64_t state_hash;
static bool verbose, roundtrip, record;
static unsigned long inputs_with_findings;

static void print_record_count(void)
{
	fprintf(stderr, "fuzz_ops: LUSIM_FUZZ_RECORD: %lu inputs with findings\n",
		inputs_with_findings);
}

/*
 * Suppressed findings (LUSIM_SUPPRESS, LUSIM_SUPPRESSIONS) do not stop the
 * run; their hits are counted per (id, site) and, when
 * LUSIM_SUPPRESSED_LOG=FILE is set, appended to FILE at exit as
 * "suppressed ID SITE HITS" lines (fuzz/summary.py adds them up over the
 * processes of a campaign).
 */
#define MAX_SUPPRESSED	64
static struct {
	char id[64];
	char site[128];
	unsigned long hits;
} suppressed[MAX_SUPPRESSED];
static unsigned int nr_suppressed;
static const char *suppressed_log;

static void count_suppressed(void)
{
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		const struct lusim_finding *f = lusim_findings_get(i);
		unsigned int k;

		if (!f->suppressed)
			continue;
		for (k = 0; k < nr_suppressed; k++)
			if (!strcmp(suppressed[k].id, f->id) &&
			    !strcmp(suppressed[k].site, f->site))
				break;
		if (k == nr_suppressed) {
			if (nr_suppressed == MAX_SUPPRESSED)
				continue;
			snprintf(suppressed[k].id, sizeof(suppressed[k].id), "%s",
				 f->id);
			snprintf(suppressed[k].site, sizeof(suppressed[k].site),
				 "%s", f->site[0] ? f->site : "?");
			nr_suppressed++;
		}
		suppressed[k].hits += f->hits;
	}
}

static void write_suppressed(void)
{
	FILE *f;

	if (!suppressed_log || !nr_suppressed)
		return;
	f = fopen(suppressed_log, "a");
	if (!f)
		return;
	for (unsigned int k = 0; k < nr_suppressed; k++)
		fprintf(f, "suppressed %s %s %lu\n", suppressed[k].id,
			suppressed[k].site, suppressed[k].hits);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (lusim_bugs_from_env()) {
		fprintf(stderr, "fuzz_ops: LUSIM_BUGS: expected a list like RB-01,RB-03\n");
		exit(2);
	}
	if (lusim_findings_suppress_from_env())
		exit(2);
	suppressed_log = getenv("LUSIM_SUPPRESSED_LOG");
	if (suppressed_log)
		atexit(write_suppressed);
	if (getenv("LUSIM_FUZZ_NO_MACROS") &&
	    strcmp(getenv("LUSIM_FUZZ_NO_MACROS"), "0"))
		opl_set_macros(false);
	verbose = getenv("LUSIM_OPS_TRACE") != NULL;
	roundtrip = getenv("LUSIM_OPS_ROUNDTRIP") != NULL;
	record = getenv("LUSIM_FUZZ_RECORD") != NULL;
	if (record)
		atexit(print_record_count);
	/*
	 * The build-time WARN-CONST-COND sites are reported once, in record
	 * mode, so fuzzing goes on past them (AMENDMENTS, Foundation).
	 */
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	lusim_reset_all();
	lusim_warn_report_const_sites();
	if (lusim_findings_count())
		lusim_findings_print(NULL);
	lusim_findings_clear();

	vm = opl_vm_new();
	opl_install_trace(vm);
	lusim_findings_set_mode(record ? LUSIM_FINDINGS_RECORD : LUSIM_FINDINGS_ABORT);
	return 0;
}

static void run_verbose(const uint8_t *data, size_t size)
{
	size_t pos = 0;

	while (pos < size && opl_vm_nr_calls(vm) < OPL_MAX_CALLS) {
		unsigned int len = opl_record_size(data[pos]);
		unsigned int first = opl_vm_nr_calls(vm);

		if (pos + len > size)
			break;
		opl_vm_step(vm, data[pos], data + pos + 1);
		/* a macro op runs several calls */
		for (unsigned int i = first; i < opl_vm_nr_calls(vm); i++) {
			struct opl_str line = { 0 };

			opl_print_call(vm, opl_vm_call(vm, i),
				       OPL_PRINT_EXPECT | OPL_PRINT_MACROS, &line);
			fprintf(stderr, "%s\n", line.s);
			opl_str_free(&line);
		}
		pos += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (opl_vm_start(vm, NULL)) {
		fprintf(stderr, "fuzz_ops: the machine does not power on\n");
		abort();
	}
	if (verbose)
		run_verbose(data, size);
	else
		opl_vm_run_binary(vm, data, size);
	opl_vm_end(vm);
	opl_lu_differential(vm);
	state_hash = opl_vm_hash(vm);
	opl_depth_note(vm, data, size);
	if (suppressed_log)
		count_suppressed();
	if (record && lusim_findings_count()) {
		inputs_with_findings++;
		lusim_findings_clear();
	}

	if (roundtrip) {
		struct opl_str why = { 0 };

		lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
		if (opl_roundtrip(vm, data, size, &why)) {
			fprintf(stderr, "lusim: finding OPL-ROUNDTRIP: %s\n", why.s);
			abort();
		}
		opl_str_free(&why);
		lusim_findings_set_mode(record ? LUSIM_FINDINGS_RECORD :
					 LUSIM_FINDINGS_ABORT);
	}
	return 0;
}

/*
 * Structure-aware mutation (insert, delete, swap, duplicate or change one
 * op: opl_mutate), with one mutation in sixteen left to libFuzzer's byte
 * mutators (which also use the dictionary's op records). Byte mutations
 * mostly cut records and make runs of op 0 (iommufd_open) from zero
 * bytes; one in eight filled a third of the corpus with them.
 */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	size_t deep;

	if (LLVMFuzzerMutate && seed % 16 == 0)
		return LLVMFuzzerMutate(data, size, max_size);
	/* three in eight: grow one of the deepest inputs seen instead */
	if (seed % 8 >= 5 && (deep = opl_depth_pick(data, max_size, seed >> 3)))
		size = deep;
	return opl_mutate(data, size, max_size, seed);
}

/*
 * Cross-over at record boundaries (opl_crossover): the first records of
 * one input, then the last ones of another, so an input that built objects
 * and one that used them combine; byte-level cross-over would cut records.
 */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed)
{
	/*
	 * libFuzzer draws the cross-over as often as the mutator (half of
	 * all mutations); one in three of its draws mutates the first input
	 * instead, so a chain grows one op at a time more often.
	 */
	if (seed % 3 == 0 && size1 <= max_out_size) {
		memcpy(out, data1, size1);
		return opl_mutate(out, size1, max_out_size, seed / 3);
	}
	return opl_crossover(data1, size1, data2, size2, out, max_out_size,
			     seed);
}

uint64_t lusim_fuzz_state_hash(void)
{
	return state_hash;
}
