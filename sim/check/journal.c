// SPDX-License-Identifier: GPL-2.0-only
/*
 * The undo journal and ATOMIC-ERROR-PATH: a failed op must leave the model
 * exactly as it found it (kernel-model.md section 6, item 11; AMENDMENTS,
 * "Atomic error paths at fuzzing speed").
 *
 * While an op runs, the shim's hooks (<lusim/journal.h>) report every
 * model-visible write; the journal keeps what it needs to judge the op if
 * it fails, and nothing else:
 *
 *   slab      the slab mark at op begin (objects allocated by the op are
 *             the live ones above it: the slab lists them, no copy here),
 *             the ranges of objects allocated by the op, and every object
 *             the op freed that existed before it;
 *   xarray    per (array, index), the raw entry and marks before the op's
 *             first write;
 *   cells     per address, the bytes before the op's first write
 *             (refcounts);
 *   pages     per block of simulated memory, allocations minus frees; per
 *             page that existed before the op, its 4 KiB before the kernel
 *             first got a CPU pointer to it in this op;
 *   counters  per (kind, key), the sum of deltas (KHO preserve +1,
 *             unpreserve -1);
 *   locks     the held-lock depth at op begin.
 *
 * At the end of a failed op everything must net to zero: no object of the
 * op still live, no older object freed, every slot, cell and counter back
 * to its old value, every page allocated by the op freed and every older
 * page's bytes restored, no lock still held. Two things a correct kernel
 * leaves behind are not changes:
 *
 *   - state inside objects the op allocated (whether freed or leaked: the
 *     leak is reported once, as the object);
 *   - page-table growth: the kernel keeps intermediate page-table levels it
 *     allocated for a mapping that then failed (intel-iommu's
 *     pfn_to_dma_pte(), context tables). A page allocated by the op that
 *     holds only zero words and links to other such pages is empty
 *     structure, and a word of an older page that went from 0 to a link to
 *     one is growth. A link is a word whose address bits (51:12) are the
 *     first page of such a block: the VT-d layout of every table level.
 *
 * Everything lives in host memory reused from op to op, so a steady-state
 * op allocates nothing here. Findings name objects by allocation site and
 * sequence number, pages by physical address: never host addresses.
 */
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <lusim/journal.h>

#include <hw/hw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

/* Map kinds. */
enum {
	JM_XA = 1,
	JM_CELL,
	JM_PAGE,	/* block head -> its J_PAGE entry */
	JM_SNAP,	/* page -> its J_SNAP entry */
	JM_COUNT,	/* + counter kind */
};

enum jtype {
	J_FREED,	/* an object older than the op, freed by it */
	J_XA,
	J_CELL,
	J_PAGE,
	J_SNAP,
	J_COUNT,
};

#define CELL_MAX	64

struct jent {
	unsigned char type;
	unsigned char order;		/* J_PAGE */
	unsigned char marks;		/* J_XA: marks before */
	bool flag;			/* J_SNAP: page of the op (no bytes); J_PAGE: growth */
	unsigned int kind;		/* J_COUNT */
	long delta;			/* J_PAGE, J_COUNT */
	const void *ptr;		/* J_XA array, J_CELL address, J_FREED object */
	uint64_t key;			/* J_XA index, J_PAGE/J_SNAP phys, J_COUNT key */
	const void *old;		/* J_XA entry before */
	const char *site;		/* first write / allocation site */
	const char *site2;		/* J_FREED free site, J_COUNT last site */
	const char *what;		/* J_CELL */
	size_t off;			/* J_CELL, J_SNAP: bytes in the arena */
	size_t size;			/* J_CELL length, J_FREED size */
	unsigned long seq;		/* J_FREED */
};

struct range {
	uintptr_t start, end;
};

static struct {
	bool active;
	unsigned long slab_mark;
	unsigned int lock_depth;
	struct jent *ents;
	size_t nr, cap;
	unsigned char *arena;
	size_t arena_len, arena_cap;
	struct range *news;		/* objects the op allocated */
	size_t nr_news, cap_news;
	struct ck_map map;
} J;

static const struct lusim_journal_ops journal_ops;

static struct jent *jent_new(enum jtype type, uint32_t map_kind, uint64_t a,
			     uint64_t b)
{
	struct jent *e;

	J.ents = ck_grow(J.ents, &J.cap, J.nr, sizeof(*J.ents));
	e = &J.ents[J.nr];
	memset(e, 0, sizeof(*e));
	e->type = type;
	if (map_kind)
		ck_map_put(&J.map, map_kind, a, b, (uint32_t)J.nr);
	J.nr++;
	return e;
}

static struct jent *jent_get(uint32_t map_kind, uint64_t a, uint64_t b)
{
	uint32_t *v = ck_map_get(&J.map, map_kind, a, b);

	return v ? &J.ents[*v - 1] : NULL;
}

/* Bytes kept by the journal; offsets are 16-byte aligned (pages are read as words). */
static size_t arena_add(const void *src, size_t len)
{
	size_t off = (J.arena_len + 15) & ~(size_t)15;

	J.arena = ck_grow(J.arena, &J.arena_cap, off + len, 1);
	if (src)
		memcpy(J.arena + off, src, len);
	J.arena_len = off + len;
	return off;
}

/* ---- hooks --------------------------------------------------------------- */

static void j_slab_alloc(const void *obj, size_t size, const char *site)
{
	(void)site;
	J.news = ck_grow(J.news, &J.cap_news, J.nr_news, sizeof(*J.news));
	J.news[J.nr_news].start = (uintptr_t)obj;
	J.news[J.nr_news].end = (uintptr_t)obj + (size ? size : 1);
	J.nr_news++;
}

static void j_slab_free(const void *obj, size_t size, unsigned long seq,
			const char *alloc_site, const char *site)
{
	struct jent *e;

	if (seq > J.slab_mark)
		return;		/* the op's own object */
	e = jent_new(J_FREED, 0, 0, 0);
	e->ptr = obj;
	e->size = size;
	e->seq = seq;
	e->site = alloc_site;
	e->site2 = site;
}

static void j_xa(const struct xarray *xa, unsigned long index, const char *site)
{
	unsigned int marks;
	struct jent *e;

	if (jent_get(JM_XA, (uintptr_t)xa, index))
		return;
	e = jent_new(J_XA, JM_XA, (uintptr_t)xa, index);
	e->ptr = xa;
	e->key = index;
	e->old = lusim_xa_peek(xa, index, &marks);
	e->marks = (unsigned char)marks;
	e->site = site;
}

static void j_cell(const void *addr, size_t len, const char *what,
		   const char *site)
{
	struct jent *e;

	if (jent_get(JM_CELL, (uintptr_t)addr, 0))
		return;
	if (len > CELL_MAX)
		len = CELL_MAX;
	e = jent_new(J_CELL, JM_CELL, (uintptr_t)addr, 0);
	e->ptr = addr;
	e->size = len;
	e->what = what;
	e->site = site;
	e->off = arena_add(addr, len);
}

static void j_page_alloc(uint64_t phys, unsigned int order)
{
	struct jent *e = jent_get(JM_PAGE, phys, 0);

	if (!e) {
		e = jent_new(J_PAGE, JM_PAGE, phys, 0);
		e->key = phys;
	}
	e->order = (unsigned char)order;
	e->delta++;
}

static void j_page_free(uint64_t phys, unsigned int order)
{
	struct jent *e = jent_get(JM_PAGE, phys, 0);

	if (!e) {
		e = jent_new(J_PAGE, JM_PAGE, phys, 0);
		e->key = phys;
	}
	e->order = (unsigned char)order;
	e->delta--;
}

/* True if the block holding @page was allocated by this op (and is live). */
static bool page_of_op(uint64_t page)
{
	uint64_t head;
	const struct jent *e;

	if (hw_mem_block(page, &head, NULL))
		return false;
	e = jent_get(JM_PAGE, head, 0);
	return e && e->delta > 0;
}

static void j_page_cpu(uint64_t phys, size_t len)
{
	uint64_t page = phys & HW_PAGE_MASK;
	uint64_t end = phys + (len ? len : 1);

	for (; page < end; page += HW_PAGE_SIZE) {
		struct jent *e;

		if (jent_get(JM_SNAP, page, 0))
			continue;
		if (hw_mem_state(page) != HW_PAGE_ALLOCATED)
			continue;	/* the machine logs that access */
		e = jent_new(J_SNAP, JM_SNAP, page, 0);
		e->key = page;
		e->flag = page_of_op(page);
		if (!e->flag) {
			e->off = arena_add(NULL, HW_PAGE_SIZE);
			hw_mem_peek(page, J.arena + e->off, HW_PAGE_SIZE);
		}
	}
}

static void j_count(unsigned int kind, uint64_t key, long delta,
		    const char *site)
{
	struct jent *e = jent_get(JM_COUNT + kind, key, 0);

	if (!e) {
		e = jent_new(J_COUNT, JM_COUNT + kind, key, 0);
		e->kind = kind;
		e->key = key;
		e->site = site;
	}
	e->delta += delta;
	e->site2 = site;
}

static void journal_clear(void);

/* A commit point: what the op did so far is kept (<lusim/journal.h>). */
static void j_commit(void)
{
	journal_clear();
	J.slab_mark = lusim_slab_mark();
}

static const struct lusim_journal_ops journal_ops = {
	.slab_alloc = j_slab_alloc,
	.slab_free = j_slab_free,
	.xa = j_xa,
	.cell = j_cell,
	.page_alloc = j_page_alloc,
	.page_free = j_page_free,
	.page_cpu = j_page_cpu,
	.count = j_count,
	.commit = j_commit,
};

/* ---- begin / end ------------------------------------------------------------ */

static void journal_clear(void)
{
	J.nr = 0;
	J.arena_len = 0;
	J.nr_news = 0;
	ck_map_clear(&J.map);
}

void ck_journal_begin(void)
{
	journal_clear();
	lusim_journal_final = 0;
	J.slab_mark = lusim_slab_mark();
	J.lock_depth = current->lockdep_depth;
	J.active = true;
	lusim_journal_written_off = 0;
	lusim_journal = &journal_ops;
}

void ck_journal_abandon(void)
{
	lusim_journal = NULL;
	J.active = false;
	journal_clear();
}

bool ck_journal_active(void)
{
	return J.active;
}

unsigned long ck_journal_nr_entries(void)
{
	return J.nr + J.nr_news;
}

unsigned long ck_journal_nr_bytes(void)
{
	return J.arena_len;
}

/* ---- judging a failed op ------------------------------------------------------ */

struct verdict {
	struct ck_buf out;
	unsigned int changes;
	const char *site;	/* the finding's site: the first change's */
};

static void __attribute__((format(printf, 3, 4)))
change(struct verdict *v, const char *site, const char *fmt, ...)
{
	va_list ap;

	v->changes++;
	if (!v->site && site)
		v->site = site;
	va_start(ap, fmt);
	ck_buf_vprintf(&v->out, fmt, ap);
	va_end(ap);
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Ranges of objects the op allocated or freed; ends made prefix maxima. */
static struct range *ranges;
static size_t nr_ranges, cap_ranges;

static void ranges_build(void)
{
	nr_ranges = 0;
	for (size_t i = 0; i < J.nr_news; i++) {
		ranges = ck_grow(ranges, &cap_ranges, nr_ranges, sizeof(*ranges));
		ranges[nr_ranges++] = J.news[i];
	}
	for (size_t i = 0; i < J.nr; i++) {
		if (J.ents[i].type != J_FREED)
			continue;
		ranges = ck_grow(ranges, &cap_ranges, nr_ranges, sizeof(*ranges));
		ranges[nr_ranges].start = (uintptr_t)J.ents[i].ptr;
		ranges[nr_ranges].end = (uintptr_t)J.ents[i].ptr +
					(J.ents[i].size ? J.ents[i].size : 1);
		nr_ranges++;
	}
	if (nr_ranges)
		qsort(ranges, nr_ranges, sizeof(*ranges), range_cmp);
	for (size_t i = 1; i < nr_ranges; i++)
		if (ranges[i].end < ranges[i - 1].end)
			ranges[i].end = ranges[i - 1].end;
}

/* Is @p inside an object the op allocated, or an older one it freed? */
static bool in_op_object(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	size_t lo = 0, hi = nr_ranges;

	while (lo < hi) {		/* first range starting above a */
		size_t mid = (lo + hi) / 2;

		if (ranges[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && ranges[lo - 1].end > a;
}

static void describe_entry(char *buf, size_t len, const void *e)
{
	if (!e)
		snprintf(buf, len, "NULL");
	else if (xa_is_zero(e))
		snprintf(buf, len, "reserved (XA_ZERO_ENTRY)");
	else if (xa_is_value(e))
		snprintf(buf, len, "value %lu", xa_to_value(e));
	else if (xa_is_internal(e))
		snprintf(buf, len, "internal entry %lu", xa_to_internal(e));
	else
		lusim_dump_describe_ptr(buf, len, e);
}

/* -- slab -- */

#define SITES_MAX	16

struct leak_sites {
	struct {
		const char *site, *cache;
		unsigned long objs, bytes, first_seq;
	} s[SITES_MAX];
	unsigned int nr, more;
};

static void leak_cb(const void *obj, const struct lusim_slab_obj_info *info,
		    void *arg)
{
	struct leak_sites *ls = arg;
	unsigned int i;

	(void)obj;
	for (i = 0; i < ls->nr; i++)
		if (ls->s[i].site == info->site ||
		    !strcmp(ls->s[i].site, info->site))
			break;
	if (i == ls->nr) {
		if (ls->nr == SITES_MAX) {
			ls->more++;
			return;
		}
		ls->s[i].site = info->site;
		ls->s[i].cache = info->cache;
		ls->s[i].objs = ls->s[i].bytes = 0;
		ls->s[i].first_seq = info->seq;
		ls->nr++;
	}
	ls->s[i].objs++;
	ls->s[i].bytes += info->size;
}

static void judge_slab(struct verdict *v)
{
	struct leak_sites ls = { .nr = 0 };

	lusim_slab_for_each_live_since(J.slab_mark, leak_cb, &ls);
	for (unsigned int i = 0; i < ls.nr; i++)
		change(v, ls.s[i].site,
		       "  slab: %lu object%s (%lu bytes, %s) allocated at %s still live (first: #%lu)\n",
		       ls.s[i].objs, ls.s[i].objs == 1 ? "" : "s", ls.s[i].bytes,
		       ls.s[i].cache, ls.s[i].site, ls.s[i].first_seq);
	if (ls.more)
		change(v, NULL, "  slab: objects from %u more allocation sites still live\n",
		       ls.more);
	for (size_t i = 0; i < J.nr; i++) {
		const struct jent *e = &J.ents[i];

		/* a final failure may consume the handover (journal.h) */
		if (e->type != J_FREED || lusim_journal_final)
			continue;
		change(v, e->site2,
		       "  slab: object #%lu (%zu bytes, allocated at %s) existed before the op and was freed at %s\n",
		       e->seq, e->size, e->site, e->site2);
	}
}

/* -- xarrays, cells, counters -- */

static void judge_xa(struct verdict *v, const struct jent *e)
{
	char was[160], now[160];
	unsigned int marks;
	const void *cur;

	if (in_op_object(e->ptr))
		return;
	cur = lusim_xa_peek(e->ptr, e->key, &marks);
	if (cur == e->old && marks == e->marks)
		return;
	describe_entry(was, sizeof(was), e->old);
	describe_entry(now, sizeof(now), cur);
	if (cur != e->old)
		change(v, e->site, "  xarray: index %lu first written at %s: was %s, now %s\n",
		       (unsigned long)e->key, e->site, was, now);
	else
		change(v, e->site, "  xarray: index %lu first written at %s: marks were %#x, now %#x (entry: %s)\n",
		       (unsigned long)e->key, e->site, e->marks, marks, now);
}

static void judge_cell(struct verdict *v, const struct jent *e)
{
	const unsigned char *old = J.arena + e->off;

	if (in_op_object(e->ptr) || !memcmp(old, e->ptr, e->size))
		return;
	if (e->size == sizeof(int)) {
		int was, now;

		memcpy(&was, old, sizeof(int));
		memcpy(&now, e->ptr, sizeof(int));
		change(v, e->site, "  %s: first changed at %s: was %d, now %d\n",
		       e->what, e->site, was, now);
	} else {
		change(v, e->site, "  %s: %zu bytes first changed at %s differ\n",
		       e->what, e->size, e->site);
	}
}

static void judge_count(struct verdict *v, const struct jent *e)
{
	char sites[320];

	if (!e->delta)
		return;
	if (e->site2 && e->site2 != e->site && strcmp(e->site2, e->site))
		snprintf(sites, sizeof(sites), "first at %s, last at %s", e->site,
			 e->site2);
	else
		snprintf(sites, sizeof(sites), "at %s", e->site);
	if (e->kind == LUSIM_JOURNAL_KHO)
		change(v, e->site, "  kho: pfn %#llx order %u %s (%s)\n",
		       (unsigned long long)(e->key >> 8), (unsigned int)(e->key & 0xff),
		       e->delta > 0 ? "preserved and not unpreserved" :
				      "unpreserved and not preserved again",
		       sites);
	else
		change(v, e->site, "  counter %u/%#llx: net %+ld (%s)\n",
		       e->kind, (unsigned long long)e->key, e->delta, sites);
}

/* -- pages and page-table growth -- */

static uint64_t words[CK_WORDS_PER_PAGE];

static bool is_growth_link(uint64_t w)
{
	uint64_t addr = w & HW_PTE_ADDR_MASK;
	const struct jent *e;

	if (!addr)
		return false;
	e = jent_get(JM_PAGE, addr, 0);
	return e && e->type == J_PAGE && e->flag;
}

/* Every word of the block is 0 or a growth link. */
static bool block_is_growth(const struct jent *e)
{
	uint64_t nr = 1ULL << e->order;

	for (uint64_t p = 0; p < nr; p++) {
		hw_mem_peek(e->key + p * HW_PAGE_SIZE, words, HW_PAGE_SIZE);
		for (unsigned int i = 0; i < CK_WORDS_PER_PAGE; i++)
			if (words[i] && !is_growth_link(words[i]))
				return false;
	}
	return true;
}

static void judge_pages(struct verdict *v)
{
	bool changed = true;

	/* growth candidates: blocks of the op still allocated */
	for (size_t i = 0; i < J.nr; i++) {
		struct jent *e = &J.ents[i];

		if (e->type == J_PAGE)
			e->flag = e->delta > 0 &&
				  hw_mem_state(e->key) == HW_PAGE_ALLOCATED;
	}
	while (changed) {
		changed = false;
		for (size_t i = 0; i < J.nr; i++) {
			struct jent *e = &J.ents[i];

			if (e->type == J_PAGE && e->flag && !block_is_growth(e)) {
				e->flag = false;
				changed = true;
			}
		}
	}
	for (size_t i = 0; i < J.nr; i++) {
		const struct jent *e = &J.ents[i];

		if (e->type != J_PAGE || !e->delta || e->flag)
			continue;
		if (e->delta < 0 && lusim_journal_final)
			continue;
		if (e->delta < 0)
			change(v, NULL, "  memory: page %#llx (order %u) existed before the op and was freed\n",
			       (unsigned long long)e->key, e->order);
		else
			change(v, NULL, "  memory: page %#llx (order %u) allocated by the op is still allocated (and holds more than empty page-table levels)\n",
			       (unsigned long long)e->key, e->order);
	}
	for (size_t i = 0; i < J.nr; i++) {
		const struct jent *e = &J.ents[i];
		const uint64_t *old;
		unsigned int diffs = 0, first = 0;
		uint64_t ow = 0, nw = 0;

		if (e->type != J_SNAP || e->flag ||
		    hw_mem_state(e->key) != HW_PAGE_ALLOCATED)
			continue;
		old = (const uint64_t *)(J.arena + e->off);
		hw_mem_peek(e->key, words, HW_PAGE_SIZE);
		for (unsigned int w = 0; w < CK_WORDS_PER_PAGE; w++) {
			if (old[w] == words[w])
				continue;
			if (!old[w] && is_growth_link(words[w]))
				continue;
			if (!diffs++) {
				first = w;
				ow = old[w];
				nw = words[w];
			}
		}
		if (diffs)
			change(v, NULL, "  memory: page %#llx: %u word%s changed through the CPU view, first at +%#x: was %#llx, now %#llx\n",
			       (unsigned long long)e->key, diffs, diffs == 1 ? "" : "s",
			       first * 8, (unsigned long long)ow,
			       (unsigned long long)nw);
	}
}

static void judge_locks(struct verdict *v)
{
	char held[1024];

	if (current->lockdep_depth <= J.lock_depth)
		return;
	lusim_lockdep_print_held(held, sizeof(held), current);
	change(v, NULL, "  locks: %u more held than at op begin:\n%s",
	       current->lockdep_depth - J.lock_depth, held);
}

unsigned int ck_journal_end(const char *op, int ret, bool judge)
{
	struct verdict v = {
		.out = { .limit = LUSIM_FINDING_DETAIL_MAX - 256 },
	};
	if (!J.active)
		return 0;
	lusim_journal = NULL;
	J.active = false;
	/* the kernel wrote the failed state off (<lusim/journal.h>) */
	if (lusim_journal_written_off)
		judge = false;
	lusim_journal_written_off = 0;
	if (!judge) {
		journal_clear();
		return 0;
	}
	ranges_build();
	judge_slab(&v);
	for (size_t i = 0; i < J.nr; i++) {
		const struct jent *e = &J.ents[i];

		if (e->type == J_XA)
			judge_xa(&v, e);
		else if (e->type == J_CELL)
			judge_cell(&v, e);
		else if (e->type == J_COUNT)
			judge_count(&v, e);
	}
	judge_pages(&v);
	judge_locks(&v);
	if (v.changes) {
		const char *name = lusim_check_errno_name(ret);
		char err[24];

		if (name)
			snprintf(err, sizeof(err), "-%s", name);
		else
			snprintf(err, sizeof(err), "%d", ret);
		lusim_report("ATOMIC-ERROR-PATH", v.site ? v.site : op,
			     v.out.s ? v.out.s : "",
			     "%s failed with %s but left %u change%s behind%s",
			     op ? op : "op", err, v.changes,
			     v.changes == 1 ? "" : "s",
			     v.out.truncated ? " (list truncated)" : "");
	}
	ck_buf_free(&v.out);
	journal_clear();
	return v.changes;
}

static void atomic_run(const struct lusim_check_ctx *ctx)
{
	ck_journal_end(ctx->op, ctx->ret, true);
}

static struct lusim_check atomic_error_path = {
	.id = "ATOMIC-ERROR-PATH",
	.area = "atomicity",
	.desc = "a failed op leaves the model exactly as it found it (its undo journal nets to zero)",
	.when = LUSIM_CHECK_OP_FAILED,
	.run = atomic_run,
};
LUSIM_CHECK_REGISTER(atomic_error_path)
