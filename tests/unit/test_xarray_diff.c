// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential test of the shim xarray against a deliberately simple
 * reference: a sorted array of {index, raw entry (XA_ZERO_ENTRY for a
 * reservation), marks}, with kernel-model.md 5.1's rules written out
 * plainly. Long seeded random op sequences (every normal-API operation,
 * the __xa_* forms under xa_lock, injected allocation failures, indices
 * from small, 16-bit, 32-bit-edge and full 64-bit ranges) run on both;
 * after every op its result, the touched index (entry and its three marks),
 * xa_empty() and xa_marked() are compared; the whole contents (every entry,
 * every mark) are compared after at most max(1, n/8) ops for n live
 * entries, the tree invariants (lusim_xa_check) at every 8th such compare,
 * and both at the end of each run, so checking stays O(1) amortised per op. A mismatch prints the seed, the
 * op number and the last ops.
 *
 * The arrays: plain, XA_FLAGS_ALLOC (then marks 1 and 2 only: mark 0 is the
 * free mark) and XA_FLAGS_ALLOC1 (no explicit use of index 0 either: the
 * kernel keeps an implicit reservation there whenever the tree has a node,
 * a shape-dependent rule test_xarray.c covers on its own).
 *
 *   test_xarray_diff [OPS [SEED]]   (defaults: 100000 ops, seeds 1..4)
 */
#include <linux/xarray.h>
#include <linux/slab.h>
#include <linux/rcupdate.h>
#include <lusim/fault.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lusim_test.h"

static unsigned long nr_ops = 100000;
static unsigned long seeds[8] = { 1, 2, 3, 4 };
static unsigned int nr_seeds = 4;

/* --- the reference ------------------------------------------------------- */

struct ref_ent {
	unsigned long index;
	void *raw;		/* an entry, or XA_ZERO_ENTRY */
	unsigned int marks;	/* bit m: XA_MARK_m */
};

struct ref {
	struct ref_ent *v;
	size_t n, cap;
	bool track_free;	/* ALLOC / ALLOC1 */
	bool zero_busy;		/* ALLOC1 */
	bool wrapped;		/* xa_alloc_cyclic went through U32_MAX */
};

/* First position with index >= @index. */
static size_t ref_lower(const struct ref *r, unsigned long index)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct ref_ent *ref_get(const struct ref *r, unsigned long index)
{
	size_t i = ref_lower(r, index);

	return i < r->n && r->v[i].index == index ? &r->v[i] : NULL;
}

static void *ref_raw(const struct ref *r, unsigned long index)
{
	struct ref_ent *e = ref_get(r, index);

	return e ? e->raw : NULL;
}

/* Store a non-NULL raw entry; an existing entry keeps its marks. */
static void ref_set(struct ref *r, unsigned long index, void *raw)
{
	size_t i = ref_lower(r, index);

	if (i < r->n && r->v[i].index == index) {
		r->v[i].raw = raw;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		assert_non_null(r->v);
	}
	memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
	r->v[i] = (struct ref_ent){ .index = index, .raw = raw };
	r->n++;
}

static void ref_del(struct ref *r, unsigned long index)
{
	size_t i = ref_lower(r, index);

	if (i < r->n && r->v[i].index == index) {
		memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
		r->n--;
	}
}

static void *z2n(void *raw)
{
	return xa_is_zero(raw) ? NULL : raw;
}

static void *ref_store(struct ref *r, unsigned long index, void *entry)
{
	void *prev = ref_raw(r, index);

	if (!entry && r->track_free)
		entry = XA_ZERO_ENTRY;
	if (entry)
		ref_set(r, index, entry);
	else
		ref_del(r, index);
	return z2n(prev);
}

static int ref_insert(struct ref *r, unsigned long index, void *entry)
{
	if (ref_raw(r, index))
		return -EBUSY;
	ref_set(r, index, entry ? entry : XA_ZERO_ENTRY);
	return 0;
}

static void *ref_cmpxchg(struct ref *r, unsigned long index, void *old,
			 void *entry)
{
	void *curr = ref_raw(r, index);

	if (curr == old) {
		if (entry)
			ref_set(r, index, entry);
		else
			ref_del(r, index);
	}
	return z2n(curr);
}

/* The lowest index in [min, max] nothing occupies (ALLOC1: never 0). */
static bool ref_free(const struct ref *r, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	unsigned long idx = min;
	size_t i;

	if (r->zero_busy && idx == 0)
		idx = 1;
	for (i = ref_lower(r, idx); i < r->n && r->v[i].index == idx; i++)
		idx++;
	if (idx > max || idx < min)	/* idx < min: wrapped */
		return false;
	*out = idx;
	return true;
}

static int ref_alloc(struct ref *r, u32 *id, void *entry, struct xa_limit l)
{
	unsigned long idx;

	if (!ref_free(r, l.min, l.max, &idx))
		return -EBUSY;
	*id = idx;
	ref_set(r, idx, entry ? entry : XA_ZERO_ENTRY);
	return 0;
}

static int ref_alloc_cyclic(struct ref *r, u32 *id, void *entry,
			    struct xa_limit l, u32 *next)
{
	u32 min = l.min;
	int ret;

	l.min = max(min, *next);
	ret = ref_alloc(r, id, entry, l);
	if (r->wrapped && ret == 0) {
		r->wrapped = false;
		ret = 1;
	}
	if (ret < 0 && l.min > min) {
		l.min = min;
		ret = ref_alloc(r, id, entry, l);
		if (ret == 0)
			ret = 1;
	}
	if (ret >= 0) {
		*next = *id + 1;
		if (*next == 0)
			r->wrapped = true;
	}
	return ret;
}

/* First non-reserved entry at >= start, <= max matching @filter. */
static void *ref_find(const struct ref *r, unsigned long start,
		      unsigned long max, xa_mark_t filter, unsigned long *out)
{
	for (size_t i = ref_lower(r, start); i < r->n; i++) {
		const struct ref_ent *e = &r->v[i];

		if (e->index > max)
			break;
		if (xa_is_zero(e->raw))
			continue;
		if (filter != XA_PRESENT && !(e->marks & (1U << filter)))
			continue;
		*out = e->index;
		return e->raw;
	}
	return NULL;
}

static bool ref_marked(const struct ref *r, unsigned int m)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].marks & (1U << m))
			return true;
	return false;
}

/* --- the run ------------------------------------------------------------------ */

struct run {
	struct xarray xa;
	struct ref ref;
	unsigned long seed, op, rng;
	unsigned long last_full;	/* op number of the last full compare */
	unsigned long full_checks;
	unsigned long value;		/* next value entry */
	u32 next_xa, next_ref;		/* xa_alloc_cyclic cursors */
	const char *kind;
	char trace[16][160];		/* the last ops, for the failure report */
	unsigned long stats[32];
};

static long objs[32];

static unsigned long rnd(struct run *r)
{
	/* splitmix64 */
	unsigned long z = (r->rng += 0x9e3779b97f4a7c15UL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	return z ^ (z >> 31);
}

static unsigned long below(struct run *r, unsigned long n)
{
	return rnd(r) % n;
}

static void __attribute__((format(printf, 2, 3)))
note(struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->trace[r->op % 16], sizeof(r->trace[0]), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3), noreturn))
mismatch(struct run *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xarray differential mismatch: %s array, seed %lu, op %lu: %s\n",
		r->kind, r->seed, r->op, msg);
	fprintf(stderr, "last ops (oldest first):\n");
	for (unsigned long i = r->op >= 15 ? r->op - 15 : 0; i <= r->op; i++)
		fprintf(stderr, "  #%lu %s\n", i, r->trace[i % 16]);
	fprintf(stderr, "rerun: test_xarray_diff %lu %lu\n", nr_ops, r->seed);
	lusim_findings_print(NULL);
	fail_msg("seed %lu op %lu: %s", r->seed, r->op, msg);
	abort();	/* not reached */
}

#define CHECK(r, cond, ...)						\
	do {								\
		if (!(cond))						\
			mismatch(r, __VA_ARGS__);			\
	} while (0)

/* An index: small, 16-bit, near 2^32, full range, edges, or near an entry. */
static unsigned long pick_index(struct run *r)
{
	static const unsigned long edges[] = {
		0, 1, 63, 64, 65, 4095, 4096, 262143, 262144, U32_MAX - 1,
		U32_MAX, 1UL << 32, (1UL << 36) - 1, 1UL << 60, ULONG_MAX - 64,
		ULONG_MAX - 1, ULONG_MAX,
	};
	unsigned long idx;

	switch (below(r, 16)) {
	case 0 ... 6:
		idx = below(r, 256);
		break;
	case 7 ... 9:
		idx = below(r, 1UL << 16);
		break;
	case 10:
		idx = U32_MAX - below(r, 300);
		break;
	case 11:
		idx = rnd(r);
		break;
	case 12:
		idx = edges[below(r, ARRAY_SIZE(edges))];
		break;
	default:
		if (r->ref.n) {
			idx = r->ref.v[below(r, r->ref.n)].index;
			idx += below(r, 5) - 2;
		} else {
			idx = below(r, 64);
		}
		break;
	}
	/* ALLOC1: index 0 is the kernel's implicit reservation (see above) */
	if (r->ref.zero_busy && idx == 0)
		idx = 1;
	return idx;
}

static void *pick_entry(struct run *r)
{
	switch (below(r, 10)) {
	case 0:
		return NULL;
	case 1:
		return XA_ZERO_ENTRY;
	case 2:
		return &objs[below(r, ARRAY_SIZE(objs))];
	default:
		return xa_mk_value(r->value++ & (ULONG_MAX >> 2));
	}
}

static unsigned int pick_mark(struct run *r)
{
	return r->ref.track_free ? 1 + below(r, 2) : below(r, 3);
}

static xa_mark_t pick_filter(struct run *r)
{
	return below(r, 3) ? XA_PRESENT : (__force xa_mark_t)pick_mark(r);
}

static struct xa_limit pick_limit(struct run *r)
{
	u32 a, b;

	switch (below(r, 4)) {
	case 0:
		return xa_limit_32b;
	case 1:
		return xa_limit_31b;
	case 2:		/* a small window, often full */
		a = below(r, 300);
		return XA_LIMIT(a, a + below(r, 8));
	default:
		a = below(r, 1UL << 17);
		b = a + below(r, 1UL << 16);
		return XA_LIMIT(a, b);
	}
}

/* The state at one index agrees: entry and every mark. */
static void check_index(struct run *r, unsigned long index)
{
	struct ref_ent *e = ref_get(&r->ref, index);
	void *got = xa_load(&r->xa, index);

	CHECK(r, got == (e ? z2n(e->raw) : NULL),
	      "xa_load(%#lx) = %p, reference %p", index, got,
	      e ? z2n(e->raw) : NULL);
	for (unsigned int m = r->ref.track_free; m < XA_MAX_MARKS; m++) {
		bool want = e && (e->marks & (1U << m));

		CHECK(r, xa_get_mark(&r->xa, index, (__force xa_mark_t)m) == want,
		      "xa_get_mark(%#lx, %u) = %d, reference %d", index, m, !want,
		      want);
	}
}

static void check_summary(struct run *r)
{
	CHECK(r, xa_empty(&r->xa) == (r->ref.n == 0), "xa_empty() = %d, %zu entries",
	      xa_empty(&r->xa), r->ref.n);
	for (unsigned int m = r->ref.track_free; m < XA_MAX_MARKS; m++)
		CHECK(r, xa_marked(&r->xa, (__force xa_mark_t)m) == ref_marked(&r->ref, m),
		      "xa_marked(%u) = %d", m, xa_marked(&r->xa, (__force xa_mark_t)m));
}

/* Everything: each entry via xa_for_each, each mark via xa_for_each_marked. */
static void check_full(struct run *r)
{
	unsigned long index;
	size_t i = 0;
	void *entry;

	/* the structural check walks every slot: at one full compare in 8 */
	if (!(r->full_checks % 8) && lusim_xa_check(&r->xa)) {
		lusim_xa_dump(&r->xa, NULL);
		mismatch(r, "tree invariants broken");
	}
	xa_for_each(&r->xa, index, entry) {
		while (i < r->ref.n && xa_is_zero(r->ref.v[i].raw))
			i++;
		CHECK(r, i < r->ref.n, "xa_for_each: extra entry at %#lx", index);
		CHECK(r, r->ref.v[i].index == index && r->ref.v[i].raw == entry,
		      "xa_for_each: %#lx=%p, reference %#lx=%p", index, entry,
		      r->ref.v[i].index, r->ref.v[i].raw);
		i++;
	}
	while (i < r->ref.n && xa_is_zero(r->ref.v[i].raw))
		i++;
	CHECK(r, i == r->ref.n, "xa_for_each: missed %#lx", r->ref.v[i].index);
	for (unsigned int m = r->ref.track_free; m < XA_MAX_MARKS; m++) {
		i = 0;
		xa_for_each_marked(&r->xa, index, entry, (__force xa_mark_t)m) {
			while (i < r->ref.n && (xa_is_zero(r->ref.v[i].raw) ||
						!(r->ref.v[i].marks & (1U << m))))
				i++;
			CHECK(r, i < r->ref.n && r->ref.v[i].index == index,
			      "xa_for_each_marked(%u): unexpected %#lx", m, index);
			i++;
		}
		while (i < r->ref.n && (xa_is_zero(r->ref.v[i].raw) ||
					!(r->ref.v[i].marks & (1U << m))))
			i++;
		CHECK(r, i == r->ref.n, "xa_for_each_marked(%u): missed %#lx", m,
		      r->ref.v[i].index);
	}
	r->last_full = r->op;
	r->full_checks++;
}

enum {
	OP_LOAD, OP_STORE, OP_ERASE, OP_INSERT, OP_CMPXCHG, OP_RESERVE,
	OP_RELEASE, OP_ALLOC, OP_ALLOC_CYCLIC, OP_SET_MARK, OP_CLEAR_MARK,
	OP_FIND, OP_FIND_AFTER, OP_LOCKED_STORE, OP_LOCKED_ERASE, OP_DESTROY,
	OP_TRIM, OP_NR,
};

static const char *const op_names[OP_NR] = {
	"load", "store", "erase", "insert", "cmpxchg", "reserve", "release",
	"alloc", "alloc_cyclic", "set_mark", "clear_mark", "find",
	"find_after", "__xa_store", "__xa_erase", "destroy", "trim",
};

#define LIVE_CAP	500	/* entries; above it half the ops erase one */

static unsigned int pick_op(struct run *r)
{
	unsigned int w = below(r, 1000);

	if (r->ref.n > LIVE_CAP && below(r, 2))
		return OP_TRIM;
	if (w < 100) return OP_LOAD;
	if (w < 260) return OP_STORE;
	if (w < 380) return OP_ERASE;
	if (w < 450) return OP_INSERT;
	if (w < 530) return OP_CMPXCHG;
	if (w < 570) return OP_RESERVE;
	if (w < 610) return OP_RELEASE;
	if (w < 700) return r->ref.track_free ? OP_ALLOC : OP_STORE;
	if (w < 720) return r->ref.track_free ? OP_ALLOC_CYCLIC : OP_INSERT;
	if (w < 790) return OP_SET_MARK;
	if (w < 830) return OP_CLEAR_MARK;
	if (w < 890) return OP_FIND;
	if (w < 950) return OP_FIND_AFTER;
	if (w < 975) return OP_LOCKED_STORE;
	if (w < 999) return OP_LOCKED_ERASE;
	return below(r, 20) ? OP_LOAD : OP_DESTROY;
}

static unsigned long injected_before, enomem_seen;

/* Ops that may allocate: sometimes fail their first node allocation. */
static bool maybe_fail(struct run *r, unsigned int op)
{
	if (op != OP_STORE && op != OP_INSERT && op != OP_CMPXCHG &&
	    op != OP_RESERVE && op != OP_ALLOC && op != OP_LOCKED_STORE)
		return false;
	if (below(r, 40))
		return false;
	injected_before = lusim_fault_injected(LUSIM_FAULT_SLAB);
	lusim_fail_nth(LUSIM_FAULT_SLAB, 1);
	r->stats[31]++;
	return true;
}

/*
 * After an injected failure: either nothing needed allocating (the op ran
 * normally, the trigger is still armed and is disarmed here), or the op
 * failed with -ENOMEM and the reference must not apply it.
 */
static bool failed_enomem(int err)
{
	bool injected = lusim_fault_injected(LUSIM_FAULT_SLAB) != injected_before;

	lusim_fault_disarm(LUSIM_FAULT_SLAB);
	if (injected) {
		assert_int_equal(err, -ENOMEM);
		enomem_seen++;
	}
	return injected;
}

static void step(struct run *r)
{
	unsigned int op = pick_op(r);
	unsigned long index = pick_index(r), got_i, want_i;
	unsigned int m = pick_mark(r);
	void *entry = pick_entry(r), *got, *want, *old;
	bool armed = maybe_fail(r, op);
	struct xa_limit lim;
	u32 id = 0, rid = 0;
	int ret, rret;

	r->stats[op]++;
	note(r, "%s index %#lx entry %p mark %u%s", op_names[op], index, entry,
	     m, armed ? " [alloc fails]" : "");
	switch (op) {
	case OP_LOAD:
		break;
	case OP_STORE:
	case OP_LOCKED_STORE:
		if (op == OP_LOCKED_STORE) {
			xa_lock(&r->xa);
			got = __xa_store(&r->xa, index, entry, GFP_KERNEL);
			xa_unlock(&r->xa);
		} else {
			got = xa_store(&r->xa, index, entry, GFP_KERNEL);
		}
		if (armed && failed_enomem(xa_err(got)))
			break;
		want = ref_store(&r->ref, index, entry);
		CHECK(r, got == want, "store returned %p, reference %p", got, want);
		break;
	case OP_TRIM:		/* erase an existing entry */
		index = r->ref.v[below(r, r->ref.n)].index;
		note(r, "trim index %#lx", index);
		/* fall through */
	case OP_ERASE:
	case OP_LOCKED_ERASE:
		if (op == OP_LOCKED_ERASE) {
			xa_lock(&r->xa);
			got = __xa_erase(&r->xa, index);
			xa_unlock(&r->xa);
		} else {
			got = xa_erase(&r->xa, index);
		}
		want = z2n(ref_raw(&r->ref, index));
		ref_del(&r->ref, index);
		CHECK(r, got == want, "erase returned %p, reference %p", got, want);
		break;
	case OP_INSERT:
		ret = xa_insert(&r->xa, index, entry, GFP_KERNEL);
		if (armed && failed_enomem(ret))
			break;
		rret = ref_insert(&r->ref, index, entry);
		CHECK(r, ret == rret, "insert returned %d, reference %d", ret, rret);
		break;
	case OP_CMPXCHG:
		switch (below(r, 4)) {
		case 0: old = NULL; break;
		case 1: old = XA_ZERO_ENTRY; break;
		case 2: old = ref_raw(&r->ref, index); break;
		default: old = pick_entry(r); break;
		}
		note(r, "cmpxchg index %#lx old %p new %p%s", index, old, entry,
		     armed ? " [alloc fails]" : "");
		got = xa_cmpxchg(&r->xa, index, old, entry, GFP_KERNEL);
		if (armed && failed_enomem(xa_err(got)))
			break;
		want = ref_cmpxchg(&r->ref, index, old, entry);
		CHECK(r, got == want, "cmpxchg returned %p, reference %p", got, want);
		break;
	case OP_RESERVE:
		ret = xa_reserve(&r->xa, index, GFP_KERNEL);
		if (armed && failed_enomem(ret))
			break;
		ref_cmpxchg(&r->ref, index, NULL, XA_ZERO_ENTRY);
		CHECK(r, ret == 0, "reserve returned %d", ret);
		break;
	case OP_RELEASE:
		xa_release(&r->xa, index);
		ref_cmpxchg(&r->ref, index, XA_ZERO_ENTRY, NULL);
		break;
	case OP_ALLOC:
		lim = pick_limit(r);
		note(r, "alloc [%u, %u] entry %p%s", lim.min, lim.max, entry,
		     armed ? " [alloc fails]" : "");
		ret = xa_alloc(&r->xa, &id, entry, lim, GFP_KERNEL);
		if (armed && failed_enomem(ret))
			break;
		rret = ref_alloc(&r->ref, &rid, entry, lim);
		CHECK(r, ret == rret && id == rid,
		      "alloc returned %d id %u, reference %d id %u", ret, id, rret, rid);
		index = id;
		break;
	case OP_ALLOC_CYCLIC:
		lim = pick_limit(r);
		note(r, "alloc_cyclic [%u, %u] next %u entry %p", lim.min, lim.max,
		     r->next_xa, entry);
		ret = xa_alloc_cyclic(&r->xa, &id, entry, lim, &r->next_xa, GFP_KERNEL);
		rret = ref_alloc_cyclic(&r->ref, &rid, entry, lim, &r->next_ref);
		CHECK(r, ret == rret && (ret < 0 || id == rid) &&
		      r->next_xa == r->next_ref,
		      "alloc_cyclic returned %d id %u next %u, reference %d id %u next %u",
		      ret, id, r->next_xa, rret, rid, r->next_ref);
		index = id;
		break;
	case OP_SET_MARK:
	case OP_CLEAR_MARK: {
		struct ref_ent *e = ref_get(&r->ref, index);

		if (op == OP_SET_MARK) {
			xa_set_mark(&r->xa, index, (__force xa_mark_t)m);
			if (e)
				e->marks |= 1U << m;
		} else {
			xa_clear_mark(&r->xa, index, (__force xa_mark_t)m);
			if (e)
				e->marks &= ~(1U << m);
		}
		break;
	}
	case OP_FIND:
	case OP_FIND_AFTER: {
		xa_mark_t filter = pick_filter(r);
		unsigned long max = below(r, 2) ? ULONG_MAX : index + rnd(r) % (1UL << (below(r, 64)));

		if (max < index)
			max = ULONG_MAX;
		got_i = index;
		if (op == OP_FIND) {
			got = xa_find(&r->xa, &got_i, max, filter);
			want = ref_find(&r->ref, index, max, filter, &want_i);
		} else {
			got = xa_find_after(&r->xa, &got_i, max, filter);
			want = index == ULONG_MAX ? NULL :
			       ref_find(&r->ref, index + 1, max, filter, &want_i);
		}
		CHECK(r, got == want, "%s(%#lx, max %#lx, filter %u) = %p, reference %p",
		      op_names[op], index, max, filter, got, want);
		CHECK(r, got_i == (want ? want_i : index),
		      "%s left index %#lx, reference %#lx", op_names[op], got_i,
		      want ? want_i : index);
		break;
	}
	case OP_DESTROY:
		xa_destroy(&r->xa);
		r->ref.n = 0;
		break;
	}
	check_index(r, index);
	check_summary(r);
	if (r->op - r->last_full >= max(1UL, r->ref.n / 8))
		check_full(r);
	assert_int_equal(lusim_findings_count(), 0);
}

static void run_one(const char *kind, gfp_t flags, unsigned long seed)
{
	static struct run r;
	unsigned long visits0 = lusim_xa_stats.nodes_visited;
	unsigned long enomem0 = enomem_seen;

	free(r.ref.v);
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.seed = seed;
	r.rng = seed * 0x5851f42d4c957f2dUL + (unsigned long)flags;
	r.ref.track_free = flags & XA_FLAGS_TRACK_FREE;
	r.ref.zero_busy = flags & XA_FLAGS_ZERO_BUSY;
	xa_init_flags(&r.xa, flags);
	for (r.op = 0; r.op < nr_ops; r.op++) {
		step(&r);
		if (!(r.op % 4096))
			rcu_barrier();
	}
	r.full_checks = 0;	/* the last one checks the tree too */
	check_full(&r);
	print_message("%s seed %lu: %lu ops (loads %lu stores %lu erases %lu inserts %lu cmpxchg %lu reserve/release %lu allocs %lu+%lu marks %lu finds %lu+%lu destroys %lu; %lu failing allocations armed, %lu -ENOMEM), %lu full compares, %zu entries left, %lu nodes visited\n",
		      kind, seed, nr_ops, r.stats[OP_LOAD],
		      r.stats[OP_STORE] + r.stats[OP_LOCKED_STORE],
		      r.stats[OP_ERASE] + r.stats[OP_LOCKED_ERASE] + r.stats[OP_TRIM],
		      r.stats[OP_INSERT], r.stats[OP_CMPXCHG],
		      r.stats[OP_RESERVE] + r.stats[OP_RELEASE], r.stats[OP_ALLOC],
		      r.stats[OP_ALLOC_CYCLIC],
		      r.stats[OP_SET_MARK] + r.stats[OP_CLEAR_MARK], r.stats[OP_FIND],
		      r.stats[OP_FIND_AFTER], r.stats[OP_DESTROY], r.stats[31],
		      enomem_seen - enomem0, r.full_checks, r.ref.n,
		      lusim_xa_stats.nodes_visited - visits0);
	xa_destroy(&r.xa);
	free(r.ref.v);
	r.ref.v = NULL;
	rcu_barrier();
	assert_int_equal(lusim_xa_stats.nodes_allocated, lusim_xa_stats.nodes_freed);
}

static void run_all(const char *kind, gfp_t flags)
{
	for (unsigned int i = 0; i < nr_seeds; i++) {
		lusim_test_setup(NULL);
		run_one(kind, flags, seeds[i]);
	}
}

static void test_diff_plain(void **state)
{
	(void)state;
	run_all("plain", 0);
}

static void test_diff_alloc(void **state)
{
	(void)state;
	run_all("ALLOC", XA_FLAGS_ALLOC);
}

static void test_diff_alloc1(void **state)
{
	(void)state;
	run_all("ALLOC1", XA_FLAGS_ALLOC1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_diff_plain),
		lusim_unit_test(test_diff_alloc),
		lusim_unit_test(test_diff_alloc1),
	};

	if (argc > 1)
		nr_ops = strtoul(argv[1], NULL, 0);
	if (argc > 2) {
		seeds[0] = strtoul(argv[2], NULL, 0);
		nr_seeds = 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
