/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xarray differential engine: the shim xarray (kernel-shim/lib/xarray.c)
 * run side by side with a deliberately simple reference (a sorted array of
 * {index, raw entry, marks} with kernel-model.md 5.1's rules written out
 * plainly), one op at a time, comparing after every op.
 *
 * Two users, one engine:
 *   tests/unit/test_xarray_diff.c  long seeded runs (a splitmix64 source,
 *                                  CMocka fail_msg() on a mismatch);
 *   fuzz/fuzz_xarray.c             the fuzz input's bytes are the source
 *                                  (the run ends when they run out), a
 *                                  mismatch is finding XA-DIFF-MISMATCH.
 *
 * What varies between them is pluggable:
 *   - the randomness: struct xa_diff_source answers "a number below n" for
 *     each choice the op picker makes; every call names its choice
 *     (enum xa_diff_choice) so a generator can script answers by name
 *     (tools/gen_fuzz_xarray.c writes the dictionary and seed corpus that
 *     way) while the seeded and byte sources ignore the name;
 *   - the mismatch handler: called with the check's site and a message,
 *     must not return (fail_msg(), abort(), longjmp()).
 *
 * Each op compares its result, the touched index (entry and its marks),
 * xa_empty() and xa_marked(); the whole contents (every entry, every mark)
 * are compared after at most max(1, n/8) ops for n live entries, the tree
 * invariants (lusim_xa_check) at every 8th such compare and at the end, so
 * checking stays O(1) amortised per op. Any finding reported while an op
 * runs (lockdep, slab, XA-*) is a mismatch too.
 *
 * The arrays: plain, XA_FLAGS_ALLOC (marks 1 and 2 only: mark 0 is the free
 * mark) and XA_FLAGS_ALLOC1 (no explicit use of index 0 either: the kernel
 * keeps an implicit reservation there whenever the tree has a node, a
 * shape-dependent rule tests/unit/test_xarray.c covers on its own).
 */
#ifndef _LUSIM_TESTS_XA_DIFF_H
#define _LUSIM_TESTS_XA_DIFF_H

#include <linux/xarray.h>

#include <stddef.h>
#include <stdint.h>

/* --- the ops ----------------------------------------------------------------- */

enum xa_diff_op {
	XA_DIFF_LOAD, XA_DIFF_STORE, XA_DIFF_ERASE, XA_DIFF_INSERT,
	XA_DIFF_CMPXCHG, XA_DIFF_RESERVE, XA_DIFF_RELEASE, XA_DIFF_ALLOC,
	XA_DIFF_ALLOC_CYCLIC, XA_DIFF_SET_MARK, XA_DIFF_CLEAR_MARK,
	XA_DIFF_FIND, XA_DIFF_FIND_AFTER, XA_DIFF_LOCKED_STORE,
	XA_DIFF_LOCKED_ERASE, XA_DIFF_DESTROY, XA_DIFF_TRIM,
	XA_DIFF_OP_NR,
};

/*
 * The op table. An op is picked by a number w below XA_DIFF_OP_WEIGHTS:
 * the op whose [w_lo, w_hi) holds it. On a plain array an ALLOC-only op
 * becomes its @plain_op; DESTROY needs a second choice (XA_CH_DESTROY == 0,
 * else it is a LOAD). TRIM has no weight: above XA_DIFF_LIVE_CAP live
 * entries half the ops (XA_CH_TRIM != 0) erase an existing entry instead.
 */
struct xa_diff_op_desc {
	const char *name;
	unsigned short w_lo, w_hi;
	bool alloc_only;		/* only on ALLOC / ALLOC1 arrays */
	bool may_fail;			/* may allocate: XA_CH_FAIL == 0 fails it */
	enum xa_diff_op plain_op;	/* what an alloc_only op is on a plain array */
};

#define XA_DIFF_OP_WEIGHTS	1000
#define XA_DIFF_LIVE_CAP	500	/* entries; above it half the ops erase one */

extern const struct xa_diff_op_desc xa_diff_ops[XA_DIFF_OP_NR];

/* --- the randomness source --------------------------------------------------- */

/*
 * Every decision the engine makes, named. The order in which one op asks
 * for them (the record layout a byte source decodes) is:
 *   OP [TRIM] [DESTROY], IDX_KIND IDX [IDX_NEAR], MARK, ENTRY_KIND
 *   [ENTRY_OBJ], [FAIL], then per op: TRIM: IDX; CMPXCHG: OLD [ENTRY_KIND
 *   [ENTRY_OBJ]]; ALLOC*: LIMIT_KIND [LIMIT_MIN LIMIT_SPAN]; FIND*: FILTER
 *   [MARK] MAX_KIND [MAX_SPAN MAX_SHIFT].
 */
enum xa_diff_choice {
	XA_CH_OP,		/* below XA_DIFF_OP_WEIGHTS */
	XA_CH_TRIM,		/* 2: nonzero trims (only above the cap) */
	XA_CH_DESTROY,		/* 20: zero destroys, else a load */
	XA_CH_IDX_KIND,		/* 16: 0-6 small, 7-9 16-bit, 10 near 2^32,
				 * 11 any, 12 an edge, 13-15 near an entry */
	XA_CH_IDX,		/* the index (or edge, or entry) number */
	XA_CH_IDX_NEAR,		/* 5: offset + 2 from an existing entry */
	XA_CH_MARK,		/* 3 (ALLOC*: 2, mark 1 + answer) */
	XA_CH_ENTRY_KIND,	/* 10: 0 NULL, 1 XA_ZERO_ENTRY, 2 a pointer,
				 * else the next value entry */
	XA_CH_ENTRY_OBJ,	/* 32: which pointer */
	XA_CH_FAIL,		/* 40: zero fails the op's first allocation */
	XA_CH_OLD,		/* 4: cmpxchg's old: NULL, ZERO, current, any */
	XA_CH_LIMIT_KIND,	/* 4: 32b, 31b, small window, wide window */
	XA_CH_LIMIT_MIN,
	XA_CH_LIMIT_SPAN,
	XA_CH_FILTER,		/* 3: nonzero XA_PRESENT, zero a mark */
	XA_CH_MAX_KIND,		/* 2: nonzero ULONG_MAX, zero index + span */
	XA_CH_MAX_SPAN,		/* full range, reduced by the shift */
	XA_CH_MAX_SHIFT,	/* 64 */
	XA_CH_NR,
};

extern const char *const xa_diff_choice_names[XA_CH_NR];

struct xa_diff_source {
	/* A number below @n (@n == 0: any unsigned long). */
	unsigned long (*below)(struct xa_diff_source *src,
			       enum xa_diff_choice ch, unsigned long n);
	/* Is there input left for another op? NULL: always. */
	bool (*more)(struct xa_diff_source *src);
};

/* Seeded splitmix64: below(n) = next % n. */
struct xa_diff_prng {
	struct xa_diff_source src;
	unsigned long state;
};
void xa_diff_prng_init(struct xa_diff_prng *p, unsigned long state);

/*
 * The bytes of a fuzz input: below(n) reads the fewest whole bytes that hold
 * n - 1 (eight for n == 0), little-endian, modulo n. Missing bytes read as
 * zero; more() is false once every byte has been read.
 */
struct xa_diff_bytes {
	struct xa_diff_source src;
	const uint8_t *data;
	size_t size, pos;
};
void xa_diff_bytes_init(struct xa_diff_bytes *b, const uint8_t *data,
			size_t size);
/* Bytes a byte source reads for below(n). */
unsigned int xa_diff_bytes_for(unsigned long n);

/* --- the reference ------------------------------------------------------------ */

struct xa_diff_ref_ent {
	unsigned long index;
	void *raw;		/* an entry, or XA_ZERO_ENTRY */
	unsigned int marks;	/* bit m: XA_MARK_m */
};

struct xa_diff_ref {
	struct xa_diff_ref_ent *v;	/* sorted by index, malloc'd */
	size_t n, cap;
	bool track_free;	/* ALLOC / ALLOC1 */
	bool zero_busy;		/* ALLOC1 */
	bool wrapped;		/* xa_alloc_cyclic went through U32_MAX */
};

/* --- the engine ---------------------------------------------------------------- */

enum xa_diff_kind {
	XA_DIFF_KIND_PLAIN, XA_DIFF_KIND_ALLOC, XA_DIFF_KIND_ALLOC1, XA_DIFF_NR_KINDS,
};

struct xa_diff;

/* Called on a mismatch; must not return. */
typedef void (*xa_diff_mismatch_fn)(struct xa_diff *d, const char *site,
				    const char *msg) __attribute__((noreturn));

#define XA_DIFF_TRACE		16	/* ops kept for the mismatch report */
#define XA_DIFF_TRACE_LINE	112

struct xa_diff {
	struct xarray xa;
	struct xa_diff_ref ref;
	struct xa_diff_source *src;
	xa_diff_mismatch_fn mismatch;
	void *priv;			/* the caller's */
	const char *kind;		/* "plain", "ALLOC", "ALLOC1" */
	unsigned long op;		/* ops run so far (the current op's number) */
	unsigned long noted;		/* ops in the trace (op + 1 once noted) */
	unsigned long last_full;	/* op number of the last full compare */
	unsigned long full_checks;	/* full compares since the last final one */
	unsigned long value;		/* next value entry */
	u32 next_xa, next_ref;		/* xa_alloc_cyclic cursors */
	unsigned long injected_before;
	unsigned long armed;		/* ops whose first allocation was set to fail */
	unsigned long enomem;		/* ... of which failed with -ENOMEM */
	unsigned long stats[XA_DIFF_OP_NR];
	bool verbose;			/* print every op to stderr as it runs */
	char trace[XA_DIFF_TRACE][XA_DIFF_TRACE_LINE];
};

/* Start a run on an empty array of @kind (the caller reset the shim). */
void xa_diff_init(struct xa_diff *d, enum xa_diff_kind kind,
		  struct xa_diff_source *src, xa_diff_mismatch_fn mismatch);
/* Does the source have input for another op? */
bool xa_diff_more(struct xa_diff *d);
/* Pick, run and check one op (d->op counts it). */
void xa_diff_step(struct xa_diff *d);
/* The final full compare, tree invariants included. */
void xa_diff_final_check(struct xa_diff *d);
/*
 * A hash of the contents: every present entry (index, value or pointer
 * number) with its marks, the cyclic cursor and the op count; the same in
 * every process and build for the same run.
 */
uint64_t xa_diff_hash(struct xa_diff *d);
/* xa_destroy, free the reference, rcu_barrier, check every node came back. */
void xa_diff_destroy(struct xa_diff *d);
/* The last ops, oldest first, one per line; returns the length written. */
size_t xa_diff_trace(const struct xa_diff *d, char *buf, size_t len);
/*
 * Report finding XA-DIFF-MISMATCH at @site with the kind, op number and
 * @msg (returns in record mode; a handler calls it, then leaves).
 */
void xa_diff_report(struct xa_diff *d, const char *site, const char *msg);

#endif /* _LUSIM_TESTS_XA_DIFF_H */
