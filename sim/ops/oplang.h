/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The op language (ARCHITECTURE.md, Contract 2): everything a VMM, an
 * administrator and the machine can do to the simulated system, as one table
 * of ops that both encodings share.
 *
 *   - binary (what fuzzers mutate): a stream of records, an opcode byte then
 *     one byte per argument. Any byte string decodes: an unknown opcode folds
 *     onto a known one (modulo the table size), a trailing partial record is
 *     ignored, every argument byte means something.
 *   - text scenarios (what people write and commit): one op per line, named
 *     handles, `expect` clauses, a `bugs` line; see opscen.c and
 *     docs/oplang.md for the syntax.
 *
 * Both go through one decoder and executor (opl_vm_step), so a scenario and
 * its binary encoding run the very same calls. The VM (the simulated VMM
 * process) remembers every object the ops produced (fds, iommufd object
 * ids, sessions) in creation order, never reusing an entry within a run, so
 * handles can also name destroyed objects.
 *
 * Handles: one byte, a selector and an index (AMENDMENTS, Fuzzing):
 *
 *   0x00-0xbf  a live object of the expected kind: index % live count
 *   0xc0-0xdf  a live object of another kind: (b & 31) % count
 *   0xe0-0xef  a destroyed (closed, dead at kexec) object of any kind,
 *              newest first: (b & 15) % count
 *   0xf0-0xff  a raw value: opl_raw_values[b & 15]
 *
 * When the selected set is empty the byte falls back to the raw value
 * opl_raw_values[b & 15]. The canonical byte of a resolved handle (what the
 * encoder writes back) is the smallest byte that selects it.
 *
 * Adding an op is one entry in opl_ops[] (optable.c): its name, its
 * arguments with their kinds, the object it produces and the sim/ops call.
 * The binary decoder, the scenario parser and printer, the fuzz
 * dictionaries, the custom mutator and `lusim help ops` all read that entry.
 * Append new ops at the end: an op's opcode is its index, and committed
 * binary inputs keep their meaning only while indices stay.
 */
#ifndef _LUSIM_OPLANG_H
#define _LUSIM_OPLANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OPL_MAX_ARGS	8
#define OPL_MAX_CALLS	1024	/* ops executed per run; more are ignored */
#define OPL_MAX_OBJS	(OPL_MAX_CALLS + 64)
#define OPL_PAGE_SIZE	4096u

/* ---------------------------------------------------------------------
 * Kinds of objects, and the classes an argument may expect
 * --------------------------------------------------------------------- */

enum opl_kind {
	OPK_NONE,
	/* file descriptors */
	OPK_IOMMUFD,		/* /dev/iommu */
	OPK_VFIO,		/* /dev/vfio/devices/vfioN */
	OPK_MEMFD,
	OPK_LUO,		/* /dev/liveupdate */
	OPK_SESSION,		/* a live-update session fd */
	OPK_FILE,		/* a retrieved fd of unknown kind */
	/* iommufd object ids */
	OPK_IOAS,
	OPK_HWPT,
	OPK_IDEV,		/* an iommufd device id (VFIO bind) */
	OPK_NR_KINDS,
	/* classes: what an argument may expect, never an object's kind */
	OPK_ANY_FD = OPK_NR_KINDS,
	OPK_ANY_ID,		/* any iommufd object id */
	OPK_PT,			/* an IOAS or a HWPT */
	OPK_NR_CLASSES
};

/* "iommufd", "ioas", ...; classes: "fd", "id", "pt" */
const char *opl_kind_name(unsigned int kind);
bool opl_kind_is_fd(unsigned int kind);
/* Does an object of @kind satisfy the expected kind or class @expect? */
bool opl_kind_matches(unsigned int kind, unsigned int expect);

/* ---------------------------------------------------------------------
 * The op table
 * --------------------------------------------------------------------- */

enum opl_arg_type {
	OPA_HANDLE,	/* selector + index (above) */
	OPA_NUM,	/* 0..max: byte % (max + 1) */
	OPA_PAGES,	/* length in pages 0..254; 255 = "all" (UINT64_MAX) */
	OPA_IOVA,	/* byte * 4096 */
	OPA_PASID,	/* 0..239 as is; 240..255: opl_pasid_values[] */
	OPA_FLAGS,	/* bit i of the byte = syms[i] (unknown bits cleared) */
	OPA_ENUM,	/* syms[byte % nr_syms] */
	OPA_BOOL,	/* byte & 1 */
	OPA_NAME,	/* a session name "vm0".."vm7": byte % 8 */
};

struct opl_sym {
	const char *name;
	uint64_t value;
};

struct opl_arg {
	const char *name;	/* text key; handles: the help's name */
	uint8_t type;		/* enum opl_arg_type */
	uint8_t kind;		/* OPA_HANDLE: expected enum opl_kind / class */
	uint8_t max;		/* OPA_NUM: largest value */
	uint8_t def;		/* the byte a scenario gets when it omits the arg */
	uint8_t show;		/* printed even when it has its default */
	const struct opl_sym *syms;	/* OPA_FLAGS, OPA_ENUM: NULL-terminated */
};

struct opl_vm;
struct opl_call;

struct opl_op {
	const char *name;
	uint8_t product;	/* enum opl_kind made on success, or OPK_NONE */
	int8_t ictx_arg;	/* id products: the argument naming the iommufd */
	struct opl_arg args[OPL_MAX_ARGS];	/* up to the first unnamed */
	/*
	 * Run the op: the arguments are decoded in c->val[] (handles: the fd
	 * or id). Returns what the system call returned (>= 0, or -errno);
	 * for an op with a product, *out gets the new fd or id on success.
	 */
	int (*exec)(struct opl_vm *vm, struct opl_call *c, uint32_t *out);
	/*
	 * A macro op (exec NULL): a general VMM action made of other ops.
	 * It runs each of them through opl_vm_sub() (recorded in the trace
	 * as ordinary calls, so traces, scenarios and canonical binaries
	 * hold the expansion) and returns 0, or the first failing op's
	 * result; *product gets the object @product names (or -1).
	 */
	int (*expand)(struct opl_vm *vm, const struct opl_call *c,
		      int *product);
	uint16_t makes;		/* bit per enum opl_kind the op can make */
	const char *help;	/* one line */
};

extern const struct opl_op opl_ops[];
extern const unsigned int opl_nr_ops;

static inline unsigned int opl_op_nr_args(const struct opl_op *d)
{
	unsigned int n = 0;

	while (n < OPL_MAX_ARGS && d->args[n].name)
		n++;
	return n;
}

/*
 * Opcodes of the binary form fold onto the first opl_fold_nr ops: every op,
 * or, after opl_set_macros(false), the ordinary ones only (the macro ops
 * are the last entries of the table), so a fuzzer can run without macros
 * (fuzz_ops: LUSIM_FUZZ_NO_MACROS=1). Text scenarios name ops directly and
 * are not affected as long as they do not run in such a process.
 */
extern unsigned int opl_fold_nr;
void opl_set_macros(bool on);
bool opl_macros_on(void);

/* The op of an opcode byte (folded), and the record size (1 + args). */
static inline unsigned int opl_fold(uint8_t opcode)
{
	return opcode % opl_fold_nr;
}
unsigned int opl_record_size(uint8_t opcode);
/* Index of the op named @name, or -1. */
int opl_op_find(const char *name, size_t len);

/* Raw handle values (0xf0-0xff) and special PASIDs (240-255). */
extern const uint32_t opl_raw_values[16];
extern const uint32_t opl_pasid_values[16];
/* Session names: byte % 8 -> "vm0".."vm7". */
#define OPL_NR_NAMES	8

/* errno names: "EBUSY" for 16 (no minus), NULL when unknown. */
const char *opl_errno_name(int err);
/* "EBUSY" or "-EBUSY" -> 16; -1 when unknown. */
int opl_errno_parse(const char *name, size_t len);

/* ---------------------------------------------------------------------
 * One executed op
 * --------------------------------------------------------------------- */

enum opl_sel {
	OPL_SEL_LIVE,		/* a live object of the expected kind */
	OPL_SEL_OTHER,		/* a live object of another kind */
	OPL_SEL_DEAD,		/* a destroyed object */
	OPL_SEL_RAW,		/* a raw value */
};

struct opl_call {
	uint8_t op;			/* index into opl_ops[] */
	uint8_t bytes[OPL_MAX_ARGS];	/* canonical argument bytes */
	uint8_t sel[OPL_MAX_ARGS];	/* handles: enum opl_sel */
	int16_t obj[OPL_MAX_ARGS];	/* handles: object index, -1 for raw */
	uint64_t val[OPL_MAX_ARGS];	/* decoded values (handles: fd / id) */
	int ret;
	int16_t product;		/* object made, or -1 */
	uint32_t line;			/* scenario line, 0 when from binary */
	int16_t name;			/* scenario name bound (script index), -1 */
	uint8_t macro;			/* the macro op it came from + 1, or 0 */
};

/* ---------------------------------------------------------------------
 * The VM: the simulated VMM process and what it knows
 * --------------------------------------------------------------------- */

enum opl_obj_state {
	OPL_OBJ_LIVE,
	OPL_OBJ_DEAD,
	OPL_OBJ_NEVER,	/* a scenario name whose creating op failed */
};

struct opl_obj {
	uint8_t kind;
	uint8_t state;
	uint8_t aux;		/* session: its name's index */
	uint16_t seq;		/* n-th object of its kind (canonical name) */
	int16_t parent;		/* ids: the iommufd object; idev: also see vfio */
	int16_t vfio;		/* idev: the vfio object it was bound through */
	uint32_t value;		/* fd or id */
	uint32_t born;		/* index of the call that made it */
};

struct ops_machine_cfg;

/* A VM in host memory (never slab), reused across runs. */
struct opl_vm *opl_vm_new(void);
void opl_vm_free(struct opl_vm *vm);

/*
 * Start a run: power on @cfg (NULL: the default machine; everything is
 * reset first), forget every object and the trace. Returns 0 or -errno.
 */
int opl_vm_start(struct opl_vm *vm, const struct ops_machine_cfg *cfg);
/*
 * Decode and run one op: @opcode (folded) and its argument bytes (exactly
 * opl_record_size(opcode) - 1 of them). Every op is bracketed by the
 * oracles (lusim_check_op_begin/op_end) when sim/check is linked. Returns
 * the op's result (a macro op: 0, or the first failure among its ops);
 * -E2BIG without running anything once OPL_MAX_CALLS ops ran.
 */
int opl_vm_step(struct opl_vm *vm, uint8_t opcode, const uint8_t *args);
/* The same for an op of scenario line @line (printed in traces). */
int opl_vm_step_line(struct opl_vm *vm, uint8_t opcode, const uint8_t *args,
		     uint32_t line);
/*
 * The object the last opl_vm_step() made: an op's product, a macro's named
 * product (oplang.h, struct opl_op), or -1.
 */
int opl_vm_last_product(const struct opl_vm *vm);
/* Ops run by every VM of the process so far (tests: "nothing ran"). */
unsigned long opl_total_steps(void);
/*
 * Run every record of a binary input (at most OPL_MAX_CALLS). Returns the
 * number of ops run.
 */
unsigned int opl_vm_run_binary(struct opl_vm *vm, const uint8_t *data,
			       size_t size);
/*
 * End the run as the process exiting: every fd closed, vfio-pci unbound,
 * every PCI function removed, RCU drained; then the teardown oracles
 * (lusim_check_teardown() when linked) and the slab and page leak checks.
 * Returns the number of findings these raised. The machine stays powered
 * on (findings stay readable) until the next opl_vm_start().
 */
unsigned int opl_vm_end(struct opl_vm *vm);

/* The trace: calls executed since opl_vm_start(). */
unsigned int opl_vm_nr_calls(const struct opl_vm *vm);
const struct opl_call *opl_vm_call(const struct opl_vm *vm, unsigned int i);
unsigned int opl_vm_nr_objs(const struct opl_vm *vm);
const struct opl_obj *opl_vm_obj(const struct opl_vm *vm, unsigned int i);
/* Hash of the trace (ops, canonical bytes, results): the determinism check. */
uint64_t opl_vm_hash(const struct opl_vm *vm);

/*
 * Canonical binary of the trace (the records as executed, canonical bytes)
 * into @buf; returns the size needed.
 */
size_t opl_vm_encode(const struct opl_vm *vm, uint8_t *buf, size_t len);

/*
 * Resolve an object to the handle byte that selects it now, for an
 * argument expecting @expect. Returns the byte, or -1 when no byte can
 * (more live objects before it than the selector's index reaches).
 */
int opl_vm_handle_byte(const struct opl_vm *vm, int obj, unsigned int expect);
/* A placeholder for a scenario name whose creating op failed. */
int opl_vm_add_never(struct opl_vm *vm, unsigned int kind);

/* Hooks for the scenario runner and the CLI. */
void opl_vm_set_name(struct opl_vm *vm, unsigned int call, int name);
/* PASIDs an idev object was attached at by the ops (graph, up to 16). */
unsigned int opl_vm_pasids(const struct opl_vm *vm, int obj, uint32_t *out,
			   unsigned int max);

/* ---------------------------------------------------------------------
 * Printing (canonical scenario text)
 * --------------------------------------------------------------------- */

/* A growable string in host memory. */
struct opl_str {
	char *s;
	size_t len, cap;
};
void opl_str_printf(struct opl_str *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void opl_str_free(struct opl_str *b);

enum {
	OPL_PRINT_EXPECT	= 1u << 0,	/* "expect ok" / "expect -EBUSY" */
	OPL_PRINT_LINES		= 1u << 1,	/* "# line N" of scenario calls */
	OPL_PRINT_MACROS	= 1u << 2,	/* "# from vfio_setup" of expansions */
};
/* The object's canonical name ("ioas0"), or "raw:N" for obj < 0. */
void opl_obj_name(const struct opl_vm *vm, int obj, char *buf, size_t len);
/* One call as a scenario line (no newline). */
void opl_print_call(const struct opl_vm *vm, const struct opl_call *c,
		    unsigned int flags, struct opl_str *out);
/* The whole trace as a scenario (with a header comment). */
void opl_print_trace(const struct opl_vm *vm, unsigned int flags,
		     struct opl_str *out);
/*
 * Install the trace as every finding's detail (lusim_check_set_trace()
 * when sim/check is linked, else lusim_findings_set_trace()): as much of
 * the scenario as fits, the newest ops kept. NULL uninstalls.
 */
void opl_install_trace(struct opl_vm *vm);

/* ---------------------------------------------------------------------
 * Text scenarios (opscen.c)
 * --------------------------------------------------------------------- */

struct opl_script;

/*
 * Parse @text (@len bytes, need not be NUL-terminated) of file @file.
 * On errors returns NULL and, when @err is not NULL, appends every error as
 * "file:line:col: message\n" (at most 20). Nothing runs.
 */
struct opl_script *opl_script_parse(const char *file, const char *text,
				    size_t len, struct opl_str *err);
void opl_script_free(struct opl_script *s);
/* The `bugs` line's list ("" when none). */
const char *opl_script_bugs(const struct opl_script *s);
unsigned int opl_script_nr_ops(const struct opl_script *s);
/* Does the script have an `expect finding ID` statement? */
bool opl_script_expects_findings(const struct opl_script *s);

struct opl_run_opts {
	bool trace;		/* print each op with its result to @out */
	FILE *out;		/* pass/fail lines and the trace (NULL: stdout) */
	bool quiet;		/* only failures */
	bool silent;		/* nothing at all (checks by the caller) */
	bool keep_going;	/* run to the end after a failed expect (default) */
	/*
	 * Ops to leave out (minimize): skip[i] true skips the i-th op
	 * statement, and every expect attached to it. NULL: none.
	 */
	const bool *skip;
	/* Called after the last op, before the run ends (the process exits). */
	void (*before_end)(struct opl_vm *vm, void *arg);
	void *arg;
};

struct opl_result {
	unsigned int ops;		/* ops run */
	unsigned int expects;		/* expect clauses checked */
	unsigned int failed;		/* expect clauses that failed */
	unsigned int unexpected;	/* findings no `expect finding` covers */
	int runtime_error;		/* a name that could not be encoded: -EINVAL */
};

/*
 * Run the script on @vm: bugs from the `bugs` line are added to the
 * current switches for the run and restored after it; power on the
 * default machine, run every op, checking expects as they come, end the
 * run (opl_vm_end()), check the trailing expects, then report findings no
 * `expect finding` covers. Failures are printed as "file:line:col: ...".
 * Returns 0 when everything passed, 1 otherwise.
 */
int opl_script_run(const struct opl_script *s, struct opl_vm *vm,
		   const struct opl_run_opts *opts, struct opl_result *res);

/*
 * The round trip binary -> scenario -> binary: run @data, print it as a
 * scenario, parse and run that, and check the second run executed the
 * same ops with the same results (trace text, canonical binary and hash
 * equal; every printed expect holds). Returns 0, or -1 with the reason in
 * @why.
 */
int opl_roundtrip(struct opl_vm *vm, const uint8_t *data, size_t size,
		  struct opl_str *why);

/*
 * The live-update differential (opdiff.c, finding INV-LU-INTERFERENCE):
 * after @vm's run ended, run it again without its live-update ops and
 * report an op that touches nothing a preserve reached yet returned
 * differently. Returns the findings it added (0 when the run preserved
 * nothing before its first kexec or fail_nth, or when nested).
 */
unsigned int opl_lu_differential(struct opl_vm *vm);

/* ---------------------------------------------------------------------
 * Mutation helpers for fuzzers (opbin.c)
 * --------------------------------------------------------------------- */

/*
 * Structure-aware mutation of a binary input in place: insert a random op,
 * delete one, swap two, or change one argument or opcode. @seed drives the
 * choice. Returns the new size (<= @max_size).
 */
size_t opl_mutate(uint8_t *data, size_t size, size_t max_size,
		  unsigned int seed);
/*
 * Cross-over at record boundaries: the records of @a before a cut, then
 * the records of @b from a cut, into @out. Returns the size written.
 */
size_t opl_crossover(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen, uint8_t *out, size_t max_size,
		     unsigned int seed);
/*
 * The depth archive (a power schedule for stateful fuzzing, as AFLNet
 * favours inputs that reach deep states): opl_depth_note() scores the run
 * @vm just made of input @data (the number of distinct ops that
 * succeeded) and keeps the best OPL_DEPTH_KEEP inputs of the process;
 * opl_depth_pick() copies one of them into @data (returns its size, or 0
 * when the archive is empty or the input does not fit), for the mutator
 * to work on instead of the input the engine chose. No op or bug is
 * favoured by name: only how much of the API an input got to succeed.
 */
#define OPL_DEPTH_KEEP	16
unsigned int opl_depth_score(const struct opl_vm *vm);
void opl_depth_note(const struct opl_vm *vm, const uint8_t *data, size_t size);
size_t opl_depth_pick(uint8_t *data, size_t max_size, unsigned int seed);
/* Kinds (bit per enum opl_kind) an op can make; macros: every sub-op's. */
unsigned int opl_op_makes(unsigned int op);
/* One record per op with its default arguments, and every variant, as a
 * libFuzzer/AFL++ dictionary (fuzz_ops.dict). */
void opl_dict_ops(struct opl_str *out);
/* Keywords of the scenario language (fuzz_scenario.dict). */
void opl_dict_scenario(struct opl_str *out);
/* `lusim help ops`: the table, one op per paragraph. */
void opl_help_ops(struct opl_str *out);

#endif /* _LUSIM_OPLANG_H */
