// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_scenario: the text-scenario parser (sim/ops/opscen.c) on any bytes.
 *
 * The parser must never crash and never run anything on an error; every
 * error must be reported as "FILE:LINE:COL: message" with a line and a
 * column inside the input. A scenario that parses (and has at most
 * FUZZ_SCEN_MAX_OPS ops) is run once, and its run must survive the round
 * trip: the trace it prints parses back, replays with every result the
 * same and encodes to the same binary (opl_roundtrip()). A broken promise
 * is finding OPL-PARSE-ERROR-FORMAT or OPL-ROUNDTRIP (the process aborts
 * so the engine keeps the input). Findings of the model itself are
 * fuzz_ops' business: runs here are in record mode.
 *
 *   build/fuzz/fuzz/fuzz_scenario -dict=fuzz/fuzz_scenario.dict CORPUS corpus/fuzz_scenario
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lusim/findings.h>
#include <lusim/reset.h>
#include <ops/oplang.h>

#define FUZZ_SCEN_MAX_OPS	32

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
uint64_t lusim_fuzz_state_hash(void);

static struct opl_vm *vm;
static uint64_t state_hash;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	vm = opl_vm_new();
	return 0;
}

static void __attribute__((noreturn)) fail(const char *id, const char *msg,
					   const char *detail)
{
	fprintf(stderr, "lusim: finding %s: %s\n  at fuzz/fuzz_scenario.c\n%s\n",
		id, msg, detail ? detail : "");
	abort();
}

static uint64_t hash_str(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Every error line is "fuzz:LINE:COL: message" inside the input. */
static void check_errors(const struct opl_str *err, const uint8_t *data,
			 size_t size)
{
	unsigned long lines = 1;
	const char *p;

	if (!err->s || !err->len)
		fail("OPL-PARSE-ERROR-FORMAT", "a parse failure without a message", NULL);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	for (p = err->s; *p; ) {
		const char *nl = strchr(p, '\n');
		unsigned long line, col;
		char *end;

		if (!nl)
			fail("OPL-PARSE-ERROR-FORMAT", "an error line without a newline", err->s);
		if (!strncmp(p, "fuzz: too many errors", 21)) {
			p = nl + 1;
			continue;
		}
		if (strncmp(p, "fuzz:", 5))
			fail("OPL-PARSE-ERROR-FORMAT", "an error not starting with FILE:", err->s);
		line = strtoul(p + 5, &end, 10);
		if (*end != ':' || !line || line > lines)
			fail("OPL-PARSE-ERROR-FORMAT", "a bad line number", err->s);
		col = strtoul(end + 1, &end, 10);
		if (*end != ':' || end[1] != ' ' || !col)
			fail("OPL-PARSE-ERROR-FORMAT", "a bad column", err->s);
		p = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opl_str err = { 0 };
	struct opl_script *s;
	unsigned long steps_before;

	state_hash = 0xcbf29ce484222325ULL;
	steps_before = opl_total_steps();
	s = opl_script_parse("fuzz", (const char *)data, size, &err);
	if (!s) {
		/* nothing ran */
		if (opl_total_steps() != steps_before)
			fail("OPL-PARSE-ERROR-FORMAT", "ops ran on a parse error", NULL);
		check_errors(&err, data, size);
		state_hash = hash_str(state_hash, err.s, err.len);
		opl_str_free(&err);
		return 0;
	}
	if (err.len)
		fail("OPL-PARSE-ERROR-FORMAT", "errors reported for a scenario that parsed",
		     err.s);
	if (opl_script_nr_ops(s) <= FUZZ_SCEN_MAX_OPS) {
		struct opl_run_opts opts = { .silent = true, .keep_going = true };
		struct opl_result res;
		size_t len;
		uint8_t *bin;

		opl_script_run(s, vm, &opts, &res);
		state_hash ^= opl_vm_hash(vm);
		len = opl_vm_encode(vm, NULL, 0);
		bin = malloc(len + 1);
		if (!bin)
			abort();
		opl_vm_encode(vm, bin, len);
		if (!res.runtime_error) {
			struct opl_str why = { 0 };

			if (opl_roundtrip(vm, bin, len, &why))
				fail("OPL-ROUNDTRIP", "binary -> scenario -> binary", why.s);
			opl_str_free(&why);
		}
		free(bin);
	}
	opl_script_free(s);
	lusim_reset_all();
	return 0;
}

uint64_t lusim_fuzz_state_hash(void)
{
	return state_hash;
}
