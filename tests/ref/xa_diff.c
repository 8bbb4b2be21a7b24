// SPDX-License-Identifier: GPL-2.0-only
/*
 * The xarray differential engine (see xa_diff.h): the reference model, the
 * op picker, one op run on both sides, and the checks.
 */
#include "xa_diff.h"

#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <lusim/fault.h>
#include <lusim/findings.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XA_DIFF_SITE	"tests/ref/xa_diff.c:" __stringify(__LINE__)

/* --- the op table ------------------------------------------------------------ */

#define OP(_name, _lo, _hi, ...) \
	{ .name = (_name), .w_lo = (_lo), .w_hi = (_hi), __VA_ARGS__ }

const struct xa_diff_op_desc xa_diff_ops[XA_DIFF_OP_NR] = {
	[XA_DIFF_LOAD]		= OP("load", 0, 100),
	[XA_DIFF_STORE]		= OP("store", 100, 260, .may_fail = true),
	[XA_DIFF_ERASE]		= OP("erase", 260, 380),
	[XA_DIFF_INSERT]	= OP("insert", 380, 450, .may_fail = true),
	[XA_DIFF_CMPXCHG]	= OP("cmpxchg", 450, 530, .may_fail = true),
	[XA_DIFF_RESERVE]	= OP("reserve", 530, 570, .may_fail = true),
	[XA_DIFF_RELEASE]	= OP("release", 570, 610),
	[XA_DIFF_ALLOC]		= OP("alloc", 610, 700, .alloc_only = true,
				    .may_fail = true, .plain_op = XA_DIFF_STORE),
	[XA_DIFF_ALLOC_CYCLIC]	= OP("alloc_cyclic", 700, 720, .alloc_only = true,
				    .plain_op = XA_DIFF_INSERT),
	[XA_DIFF_SET_MARK]	= OP("set_mark", 720, 790),
	[XA_DIFF_CLEAR_MARK]	= OP("clear_mark", 790, 830),
	[XA_DIFF_FIND]		= OP("find", 830, 890),
	[XA_DIFF_FIND_AFTER]	= OP("find_after", 890, 950),
	[XA_DIFF_LOCKED_STORE]	= OP("__xa_store", 950, 975, .may_fail = true),
	[XA_DIFF_LOCKED_ERASE]	= OP("__xa_erase", 975, 999),
	[XA_DIFF_DESTROY]	= OP("destroy", 999, 1000),
	[XA_DIFF_TRIM]		= OP("trim", 0, 0),
};

const char *const xa_diff_choice_names[XA_CH_NR] = {
	[XA_CH_OP] = "op", [XA_CH_TRIM] = "trim", [XA_CH_DESTROY] = "destroy",
	[XA_CH_IDX_KIND] = "idx_kind", [XA_CH_IDX] = "idx",
	[XA_CH_IDX_NEAR] = "idx_near", [XA_CH_MARK] = "mark",
	[XA_CH_ENTRY_KIND] = "entry_kind", [XA_CH_ENTRY_OBJ] = "entry_obj",
	[XA_CH_FAIL] = "fail", [XA_CH_OLD] = "old",
	[XA_CH_LIMIT_KIND] = "limit_kind", [XA_CH_LIMIT_MIN] = "limit_min",
	[XA_CH_LIMIT_SPAN] = "limit_span", [XA_CH_FILTER] = "filter",
	[XA_CH_MAX_KIND] = "max_kind", [XA_CH_MAX_SPAN] = "max_span",
	[XA_CH_MAX_SHIFT] = "max_shift",
};

/* --- the sources ----------------------------------------------------------------- */

static unsigned long prng_below(struct xa_diff_source *src,
				enum xa_diff_choice ch, unsigned long n)
{
	struct xa_diff_prng *p = container_of(src, struct xa_diff_prng, src);
	/* splitmix64 */
	unsigned long z = (p->state += 0x9e3779b97f4a7c15UL);

	(void)ch;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	z ^= z >> 31;
	return n ? z % n : z;
}

void xa_diff_prng_init(struct xa_diff_prng *p, unsigned long state)
{
	p->src.below = prng_below;
	p->src.more = NULL;
	p->state = state;
}

unsigned int xa_diff_bytes_for(unsigned long n)
{
	unsigned int k = 1;

	if (!n)
		return sizeof(unsigned long);
	for (n--; n > 0xff; n >>= 8)
		k++;
	return k;
}

static unsigned long bytes_below(struct xa_diff_source *src,
				 enum xa_diff_choice ch, unsigned long n)
{
	struct xa_diff_bytes *b = container_of(src, struct xa_diff_bytes, src);
	unsigned int k = xa_diff_bytes_for(n);
	unsigned long v = 0;

	(void)ch;
	for (unsigned int i = 0; i < k && b->pos < b->size; i++)
		v |= (unsigned long)b->data[b->pos++] << (8 * i);
	return n ? v % n : v;
}

static bool bytes_more(struct xa_diff_source *src)
{
	struct xa_diff_bytes *b = container_of(src, struct xa_diff_bytes, src);

	return b->pos < b->size;
}

void xa_diff_bytes_init(struct xa_diff_bytes *b, const uint8_t *data,
			size_t size)
{
	b->src.below = bytes_below;
	b->src.more = bytes_more;
	b->data = data;
	b->size = size;
	b->pos = 0;
}

static unsigned long below(struct xa_diff *d, enum xa_diff_choice ch,
			   unsigned long n)
{
	return d->src->below(d->src, ch, n);
}

/* --- the reference ----------------------------------------------------------- */

/* First position with index >= @index. */
static size_t ref_lower(const struct xa_diff_ref *r, unsigned long index)
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

static struct xa_diff_ref_ent *ref_get(const struct xa_diff_ref *r,
				       unsigned long index)
{
	size_t i = ref_lower(r, index);

	return i < r->n && r->v[i].index == index ? &r->v[i] : NULL;
}

static void *ref_raw(const struct xa_diff_ref *r, unsigned long index)
{
	struct xa_diff_ref_ent *e = ref_get(r, index);

	return e ? e->raw : NULL;
}

/* Store a non-NULL raw entry; an existing entry keeps its marks. */
static void ref_set(struct xa_diff_ref *r, unsigned long index, void *raw)
{
	size_t i = ref_lower(r, index);

	if (i < r->n && r->v[i].index == index) {
		r->v[i].raw = raw;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
	r->v[i] = (struct xa_diff_ref_ent){ .index = index, .raw = raw };
	r->n++;
}

static void ref_del(struct xa_diff_ref *r, unsigned long index)
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

static void *ref_store(struct xa_diff_ref *r, unsigned long index, void *entry)
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

static int ref_insert(struct xa_diff_ref *r, unsigned long index, void *entry)
{
	if (ref_raw(r, index))
		return -EBUSY;
	ref_set(r, index, entry ? entry : XA_ZERO_ENTRY);
	return 0;
}

static void *ref_cmpxchg(struct xa_diff_ref *r, unsigned long index, void *old,
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
static bool ref_free(const struct xa_diff_ref *r, unsigned long min,
		     unsigned long max, unsigned long *out)
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

static int ref_alloc(struct xa_diff_ref *r, u32 *id, void *entry,
		     struct xa_limit l)
{
	unsigned long idx;

	if (!ref_free(r, l.min, l.max, &idx))
		return -EBUSY;
	*id = idx;
	ref_set(r, idx, entry ? entry : XA_ZERO_ENTRY);
	return 0;
}

static int ref_alloc_cyclic(struct xa_diff_ref *r, u32 *id, void *entry,
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
static void *ref_find(const struct xa_diff_ref *r, unsigned long start,
		      unsigned long max, xa_mark_t filter, unsigned long *out)
{
	for (size_t i = ref_lower(r, start); i < r->n; i++) {
		const struct xa_diff_ref_ent *e = &r->v[i];

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

static bool ref_marked(const struct xa_diff_ref *r, unsigned int m)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].marks & (1U << m))
			return true;
	return false;
}

/* --- reporting ----------------------------------------------------------------- */

/* The pointer entries a run stores: &objs[0..31]. */
static long objs[32];

/* An entry as text, the same in every process: no addresses. */
static const char *entry_str(char *buf, size_t len, const void *entry)
{
	const long *obj = entry;

	if (!entry)
		snprintf(buf, len, "NULL");
	else if (xa_is_zero(entry))
		snprintf(buf, len, "ZERO");
	else if (xa_is_value(entry))
		snprintf(buf, len, "v%lu", xa_to_value(entry));
	else if (obj >= objs && obj < objs + ARRAY_SIZE(objs))
		snprintf(buf, len, "obj%ld", (long)(obj - objs));
	else if (xa_is_err(entry))
		snprintf(buf, len, "ERR(%d)", xa_err((void *)entry));
	else
		snprintf(buf, len, "%p", entry);
	return buf;
}

#define E(entry)	entry_str((char[24]){ 0 }, 24, entry)

static void __attribute__((format(printf, 2, 3)))
note(struct xa_diff *d, const char *fmt, ...)
{
	char *line = d->trace[d->op % XA_DIFF_TRACE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, XA_DIFF_TRACE_LINE, fmt, ap);
	va_end(ap);
	d->noted = d->op + 1;
	if (d->verbose)
		fprintf(stderr, "xa_diff %s #%lu %s\n", d->kind, d->op, line);
}

size_t xa_diff_trace(const struct xa_diff *d, char *buf, size_t len)
{
	unsigned long first = d->noted > XA_DIFF_TRACE ? d->noted - XA_DIFF_TRACE : 0;
	size_t used;

	if (!len)
		return 0;
	used = (size_t)snprintf(buf, len, "xa_diff: %s array, %lu ops, the last %lu (oldest first):\n",
				d->kind, d->noted, d->noted - first);
	for (unsigned long i = first; i < d->noted && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "  #%lu %s\n", i,
					 d->trace[i % XA_DIFF_TRACE]);
	return used < len ? used : len - 1;
}

void xa_diff_report(struct xa_diff *d, const char *site, const char *msg)
{
	lusim_report("XA-DIFF-MISMATCH", site, NULL, "%s array, op %lu: %s",
		     d->kind, d->op, msg);
}

static void __attribute__((format(printf, 3, 4), noreturn))
mismatch(struct xa_diff *d, const char *site, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->mismatch(d, site, msg);
	abort();	/* a handler that returns */
}

#define CHECK(d, cond, ...)						\
	do {								\
		if (!(cond))						\
			mismatch(d, XA_DIFF_SITE, __VA_ARGS__);		\
	} while (0)

/* --- the picker ------------------------------------------------------------------ */

/* An index: small, 16-bit, near 2^32, full range, edges, or near an entry. */
static unsigned long pick_index(struct xa_diff *d)
{
	static const unsigned long edges[] = {
		0, 1, 63, 64, 65, 4095, 4096, 262143, 262144, U32_MAX - 1,
		U32_MAX, 1UL << 32, (1UL << 36) - 1, 1UL << 60, ULONG_MAX - 64,
		ULONG_MAX - 1, ULONG_MAX,
	};
	unsigned long idx;

	switch (below(d, XA_CH_IDX_KIND, 16)) {
	case 0 ... 6:
		idx = below(d, XA_CH_IDX, 256);
		break;
	case 7 ... 9:
		idx = below(d, XA_CH_IDX, 1UL << 16);
		break;
	case 10:
		idx = U32_MAX - below(d, XA_CH_IDX, 300);
		break;
	case 11:
		idx = below(d, XA_CH_IDX, 0);
		break;
	case 12:
		idx = edges[below(d, XA_CH_IDX, ARRAY_SIZE(edges))];
		break;
	default:
		if (d->ref.n) {
			idx = d->ref.v[below(d, XA_CH_IDX, d->ref.n)].index;
			idx += below(d, XA_CH_IDX_NEAR, 5) - 2;
		} else {
			idx = below(d, XA_CH_IDX, 64);
		}
		break;
	}
	/* ALLOC1: index 0 is the kernel's implicit reservation (see above) */
	if (d->ref.zero_busy && idx == 0)
		idx = 1;
	return idx;
}

static void *pick_entry(struct xa_diff *d)
{
	switch (below(d, XA_CH_ENTRY_KIND, 10)) {
	case 0:
		return NULL;
	case 1:
		return XA_ZERO_ENTRY;
	case 2:
		return &objs[below(d, XA_CH_ENTRY_OBJ, ARRAY_SIZE(objs))];
	default:
		return xa_mk_value(d->value++ & (ULONG_MAX >> 2));
	}
}

static unsigned int pick_mark(struct xa_diff *d)
{
	return d->ref.track_free ? 1 + below(d, XA_CH_MARK, 2) :
				   below(d, XA_CH_MARK, 3);
}

static xa_mark_t pick_filter(struct xa_diff *d)
{
	return below(d, XA_CH_FILTER, 3) ? XA_PRESENT :
					   (__force xa_mark_t)pick_mark(d);
}

static struct xa_limit pick_limit(struct xa_diff *d)
{
	u32 a, b;

	switch (below(d, XA_CH_LIMIT_KIND, 4)) {
	case 0:
		return xa_limit_32b;
	case 1:
		return xa_limit_31b;
	case 2:		/* a small window, often full */
		a = below(d, XA_CH_LIMIT_MIN, 300);
		return XA_LIMIT(a, a + below(d, XA_CH_LIMIT_SPAN, 8));
	default:
		a = below(d, XA_CH_LIMIT_MIN, 1UL << 17);
		b = a + below(d, XA_CH_LIMIT_SPAN, 1UL << 16);
		return XA_LIMIT(a, b);
	}
}

static enum xa_diff_op pick_op(struct xa_diff *d)
{
	unsigned long w = below(d, XA_CH_OP, XA_DIFF_OP_WEIGHTS);
	enum xa_diff_op op;

	if (d->ref.n > XA_DIFF_LIVE_CAP && below(d, XA_CH_TRIM, 2))
		return XA_DIFF_TRIM;
	for (op = 0; op < XA_DIFF_DESTROY; op++)
		if (w < xa_diff_ops[op].w_hi)
			break;
	if (xa_diff_ops[op].alloc_only && !d->ref.track_free)
		op = xa_diff_ops[op].plain_op;
	if (op == XA_DIFF_DESTROY && below(d, XA_CH_DESTROY, 20))
		op = XA_DIFF_LOAD;
	return op;
}

/* Ops that may allocate: sometimes fail their first node allocation. */
static bool maybe_fail(struct xa_diff *d, enum xa_diff_op op)
{
	if (!xa_diff_ops[op].may_fail)
		return false;
	if (below(d, XA_CH_FAIL, 40))
		return false;
	d->injected_before = lusim_fault_injected(LUSIM_FAULT_SLAB);
	lusim_fail_nth(LUSIM_FAULT_SLAB, 1);
	d->armed++;
	return true;
}

/*
 * After an injected failure: either nothing needed allocating (the op ran
 * normally, the trigger is still armed and is disarmed here), or the op
 * failed with -ENOMEM and the reference must not apply it.
 */
static bool failed_enomem(struct xa_diff *d, int err)
{
	bool injected = lusim_fault_injected(LUSIM_FAULT_SLAB) != d->injected_before;

	lusim_fault_disarm(LUSIM_FAULT_SLAB);
	if (injected) {
		CHECK(d, err == -ENOMEM,
		      "an injected allocation failure returned %d, not -ENOMEM", err);
		d->enomem++;
	}
	return injected;
}

/* --- the checks ------------------------------------------------------------------ */

/* The state at one index agrees: entry and every mark. */
static void check_index(struct xa_diff *d, unsigned long index)
{
	struct xa_diff_ref_ent *e = ref_get(&d->ref, index);
	void *got = xa_load(&d->xa, index);

	CHECK(d, got == (e ? z2n(e->raw) : NULL),
	      "xa_load(%#lx) = %s, reference %s", index, E(got),
	      E(e ? z2n(e->raw) : NULL));
	for (unsigned int m = d->ref.track_free; m < XA_MAX_MARKS; m++) {
		bool want = e && (e->marks & (1U << m));

		CHECK(d, xa_get_mark(&d->xa, index, (__force xa_mark_t)m) == want,
		      "xa_get_mark(%#lx, %u) = %d, reference %d", index, m, !want,
		      want);
	}
}

static void check_summary(struct xa_diff *d)
{
	CHECK(d, xa_empty(&d->xa) == (d->ref.n == 0),
	      "xa_empty() = %d, %zu entries", xa_empty(&d->xa), d->ref.n);
	for (unsigned int m = d->ref.track_free; m < XA_MAX_MARKS; m++)
		CHECK(d, xa_marked(&d->xa, (__force xa_mark_t)m) == ref_marked(&d->ref, m),
		      "xa_marked(%u) = %d", m, xa_marked(&d->xa, (__force xa_mark_t)m));
}

/* Everything: each entry via xa_for_each, each mark via xa_for_each_marked. */
static void check_full(struct xa_diff *d)
{
	const struct xa_diff_ref *r = &d->ref;
	unsigned long index;
	size_t i = 0;
	void *entry;

	/* the structural check walks every slot: at one full compare in 8 */
	if (!(d->full_checks % 8) && lusim_xa_check(&d->xa)) {
		lusim_xa_dump(&d->xa, NULL);
		mismatch(d, XA_DIFF_SITE, "tree invariants broken");
	}
	xa_for_each(&d->xa, index, entry) {
		while (i < r->n && xa_is_zero(r->v[i].raw))
			i++;
		CHECK(d, i < r->n, "xa_for_each: extra entry at %#lx", index);
		CHECK(d, r->v[i].index == index && r->v[i].raw == entry,
		      "xa_for_each: %#lx=%s, reference %#lx=%s", index, E(entry),
		      r->v[i].index, E(r->v[i].raw));
		i++;
	}
	while (i < r->n && xa_is_zero(r->v[i].raw))
		i++;
	CHECK(d, i == r->n, "xa_for_each: missed %#lx", r->v[i].index);
	for (unsigned int m = r->track_free; m < XA_MAX_MARKS; m++) {
		i = 0;
		xa_for_each_marked(&d->xa, index, entry, (__force xa_mark_t)m) {
			while (i < r->n && (xa_is_zero(r->v[i].raw) ||
					    !(r->v[i].marks & (1U << m))))
				i++;
			CHECK(d, i < r->n && r->v[i].index == index,
			      "xa_for_each_marked(%u): unexpected %#lx", m, index);
			i++;
		}
		while (i < r->n && (xa_is_zero(r->v[i].raw) ||
				    !(r->v[i].marks & (1U << m))))
			i++;
		CHECK(d, i == r->n, "xa_for_each_marked(%u): missed %#lx", m,
		      r->v[i].index);
	}
	d->last_full = d->op;
	d->full_checks++;
}

/* --- one op ------------------------------------------------------------------------ */

void xa_diff_step(struct xa_diff *d)
{
	enum xa_diff_op op = pick_op(d);
	unsigned long index = pick_index(d), got_i, want_i;
	unsigned int m = pick_mark(d);
	void *entry = pick_entry(d), *got, *want, *old;
	bool armed = maybe_fail(d, op);
	const char *fails = armed ? " [alloc fails]" : "";
	const char *name = xa_diff_ops[op].name;
	struct xa_limit lim;
	u32 id = 0, rid = 0;
	int ret, rret;

	d->stats[op]++;
	switch (op) {
	case XA_DIFF_LOAD:
	case XA_DIFF_ERASE:
	case XA_DIFF_LOCKED_ERASE:
	case XA_DIFF_RELEASE:
	case XA_DIFF_DESTROY:
		note(d, "%s %#lx", name, index);
		break;
	case XA_DIFF_RESERVE:
		note(d, "%s %#lx%s", name, index, fails);
		break;
	case XA_DIFF_SET_MARK:
	case XA_DIFF_CLEAR_MARK:
		note(d, "%s %#lx mark %u", name, index, m);
		break;
	case XA_DIFF_TRIM:
	case XA_DIFF_CMPXCHG:
	case XA_DIFF_ALLOC:
	case XA_DIFF_ALLOC_CYCLIC:
	case XA_DIFF_FIND:
	case XA_DIFF_FIND_AFTER:
		break;	/* noted below, once the op's own choices are made */
	default:
		note(d, "%s %#lx %s%s", name, index, E(entry), fails);
		break;
	}
	switch (op) {
	case XA_DIFF_LOAD:
		break;
	case XA_DIFF_STORE:
	case XA_DIFF_LOCKED_STORE:
		if (op == XA_DIFF_LOCKED_STORE) {
			xa_lock(&d->xa);
			got = __xa_store(&d->xa, index, entry, GFP_KERNEL);
			xa_unlock(&d->xa);
		} else {
			got = xa_store(&d->xa, index, entry, GFP_KERNEL);
		}
		if (armed && failed_enomem(d, xa_err(got)))
			break;
		want = ref_store(&d->ref, index, entry);
		CHECK(d, got == want, "store returned %s, reference %s", E(got),
		      E(want));
		break;
	case XA_DIFF_TRIM:		/* erase an existing entry */
		index = d->ref.v[below(d, XA_CH_IDX, d->ref.n)].index;
		note(d, "trim %#lx", index);
		/* fall through */
	case XA_DIFF_ERASE:
	case XA_DIFF_LOCKED_ERASE:
		if (op == XA_DIFF_LOCKED_ERASE) {
			xa_lock(&d->xa);
			got = __xa_erase(&d->xa, index);
			xa_unlock(&d->xa);
		} else {
			got = xa_erase(&d->xa, index);
		}
		want = z2n(ref_raw(&d->ref, index));
		ref_del(&d->ref, index);
		CHECK(d, got == want, "erase returned %s, reference %s", E(got),
		      E(want));
		break;
	case XA_DIFF_INSERT:
		ret = xa_insert(&d->xa, index, entry, GFP_KERNEL);
		if (armed && failed_enomem(d, ret))
			break;
		rret = ref_insert(&d->ref, index, entry);
		CHECK(d, ret == rret, "insert returned %d, reference %d", ret, rret);
		break;
	case XA_DIFF_CMPXCHG:
		switch (below(d, XA_CH_OLD, 4)) {
		case 0: old = NULL; break;
		case 1: old = XA_ZERO_ENTRY; break;
		case 2: old = ref_raw(&d->ref, index); break;
		default: old = pick_entry(d); break;
		}
		note(d, "cmpxchg %#lx old %s new %s%s", index, E(old), E(entry), fails);
		got = xa_cmpxchg(&d->xa, index, old, entry, GFP_KERNEL);
		if (armed && failed_enomem(d, xa_err(got)))
			break;
		want = ref_cmpxchg(&d->ref, index, old, entry);
		CHECK(d, got == want, "cmpxchg returned %s, reference %s", E(got),
		      E(want));
		break;
	case XA_DIFF_RESERVE:
		ret = xa_reserve(&d->xa, index, GFP_KERNEL);
		if (armed && failed_enomem(d, ret))
			break;
		ref_cmpxchg(&d->ref, index, NULL, XA_ZERO_ENTRY);
		CHECK(d, ret == 0, "reserve returned %d", ret);
		break;
	case XA_DIFF_RELEASE:
		xa_release(&d->xa, index);
		ref_cmpxchg(&d->ref, index, XA_ZERO_ENTRY, NULL);
		break;
	case XA_DIFF_ALLOC:
		lim = pick_limit(d);
		note(d, "alloc [%u, %u] %s%s", lim.min, lim.max, E(entry), fails);
		ret = xa_alloc(&d->xa, &id, entry, lim, GFP_KERNEL);
		if (armed && failed_enomem(d, ret))
			break;
		rret = ref_alloc(&d->ref, &rid, entry, lim);
		CHECK(d, ret == rret && id == rid,
		      "alloc returned %d id %u, reference %d id %u", ret, id, rret, rid);
		index = id;
		break;
	case XA_DIFF_ALLOC_CYCLIC:
		lim = pick_limit(d);
		note(d, "alloc_cyclic [%u, %u] next %u %s", lim.min, lim.max,
		     d->next_xa, E(entry));
		ret = xa_alloc_cyclic(&d->xa, &id, entry, lim, &d->next_xa, GFP_KERNEL);
		rret = ref_alloc_cyclic(&d->ref, &rid, entry, lim, &d->next_ref);
		CHECK(d, ret == rret && (ret < 0 || id == rid) &&
		      d->next_xa == d->next_ref,
		      "alloc_cyclic returned %d id %u next %u, reference %d id %u next %u",
		      ret, id, d->next_xa, rret, rid, d->next_ref);
		index = id;
		break;
	case XA_DIFF_SET_MARK:
	case XA_DIFF_CLEAR_MARK: {
		struct xa_diff_ref_ent *e = ref_get(&d->ref, index);

		if (op == XA_DIFF_SET_MARK) {
			xa_set_mark(&d->xa, index, (__force xa_mark_t)m);
			if (e)
				e->marks |= 1U << m;
		} else {
			xa_clear_mark(&d->xa, index, (__force xa_mark_t)m);
			if (e)
				e->marks &= ~(1U << m);
		}
		break;
	}
	case XA_DIFF_FIND:
	case XA_DIFF_FIND_AFTER: {
		xa_mark_t filter = pick_filter(d);
		unsigned long max = ULONG_MAX;

		if (!below(d, XA_CH_MAX_KIND, 2)) {
			unsigned long span = below(d, XA_CH_MAX_SPAN, 0);

			max = index + span % (1UL << below(d, XA_CH_MAX_SHIFT, 64));
			if (max < index)
				max = ULONG_MAX;
		}
		if (filter == XA_PRESENT)
			note(d, "%s %#lx max %#lx present", name, index, max);
		else
			note(d, "%s %#lx max %#lx mark %u", name, index, max, filter);
		got_i = index;
		if (op == XA_DIFF_FIND) {
			got = xa_find(&d->xa, &got_i, max, filter);
			want = ref_find(&d->ref, index, max, filter, &want_i);
		} else {
			got = xa_find_after(&d->xa, &got_i, max, filter);
			want = index == ULONG_MAX ? NULL :
			       ref_find(&d->ref, index + 1, max, filter, &want_i);
		}
		CHECK(d, got == want, "%s(%#lx, max %#lx, filter %u) = %s, reference %s",
		      name, index, max, filter, E(got), E(want));
		CHECK(d, got_i == (want ? want_i : index),
		      "%s left index %#lx, reference %#lx", name, got_i,
		      want ? want_i : index);
		break;
	}
	case XA_DIFF_DESTROY:
		xa_destroy(&d->xa);
		d->ref.n = 0;
		break;
	case XA_DIFF_OP_NR:
		break;
	}
	check_index(d, index);
	check_summary(d);
	if (d->op - d->last_full >= max(1UL, d->ref.n / 8))
		check_full(d);
	if (lusim_findings_count())
		mismatch(d, lusim_findings_get(0)->site, "the op caused finding %s: %s",
			 lusim_findings_get(0)->id, lusim_findings_get(0)->msg);
	d->op++;
}

/* --- a run ------------------------------------------------------------------------ */

void xa_diff_init(struct xa_diff *d, enum xa_diff_kind kind,
		  struct xa_diff_source *src, xa_diff_mismatch_fn fn)
{
	static const char *const kinds[XA_DIFF_NR_KINDS] = {
		"plain", "ALLOC", "ALLOC1",
	};
	static const gfp_t flags[XA_DIFF_NR_KINDS] = {
		0, XA_FLAGS_ALLOC, XA_FLAGS_ALLOC1,
	};

	memset(d, 0, sizeof(*d));
	d->src = src;
	d->mismatch = fn;
	d->kind = kinds[kind];
	d->ref.track_free = flags[kind] & XA_FLAGS_TRACK_FREE;
	d->ref.zero_busy = flags[kind] & XA_FLAGS_ZERO_BUSY;
	xa_init_flags(&d->xa, flags[kind]);
}

bool xa_diff_more(struct xa_diff *d)
{
	return !d->src->more || d->src->more(d->src);
}

void xa_diff_final_check(struct xa_diff *d)
{
	d->full_checks = 0;	/* the last one checks the tree too */
	check_full(d);
}

static uint64_t hash_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

uint64_t xa_diff_hash(struct xa_diff *d)
{
	uint64_t h = hash_mix(0, d->op);
	unsigned long index;
	void *entry;

	xa_for_each(&d->xa, index, entry) {
		const long *obj = entry;
		uint64_t v = xa_is_value(entry) ? (uint64_t)xa_to_value(entry) << 1 :
			     ((uint64_t)(obj - objs) << 1) | 1;
		unsigned int marks = 0;

		for (unsigned int m = d->ref.track_free; m < XA_MAX_MARKS; m++)
			marks |= xa_get_mark(&d->xa, index, (__force xa_mark_t)m) << m;
		h = hash_mix(h, index);
		h = hash_mix(h, v);
		h = hash_mix(h, marks);
	}
	return hash_mix(h, d->next_xa);
}

void xa_diff_destroy(struct xa_diff *d)
{
	xa_destroy(&d->xa);
	free(d->ref.v);
	d->ref.v = NULL;
	d->ref.n = d->ref.cap = 0;
	rcu_barrier();
	CHECK(d, lusim_xa_stats.nodes_allocated == lusim_xa_stats.nodes_freed,
	      "%lu nodes allocated, %lu freed", lusim_xa_stats.nodes_allocated,
	      lusim_xa_stats.nodes_freed);
}
