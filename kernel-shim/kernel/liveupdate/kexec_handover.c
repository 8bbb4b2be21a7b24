// SPDX-License-Identifier: GPL-2.0-only
/*
 * kexec_handover.c - Kexec HandOver: which memory survives a kexec.
 *
 * Outgoing kernel: the preserved set is a set of (pfn, order) keys. As in
 * the kernel it is a bitmap radix: per order, a sorted array of leaves, a
 * leaf covering KHO_LEAF_BITS consecutive keys (key = pfn >> order). Setting
 * a bit twice is idempotent and one clear removes it: there is no refcount.
 * kho_finalize() writes the set, run-length encoded, into simulated pages
 * (include/linux/kho/abi/kexec_handover.h) and remembers the frames the
 * machine must keep across the kexec.
 *
 * Incoming kernel: kho_memory_init() (the earliest initcall) reads the
 * handover address the kexec code kept, validates every byte of the
 * serialized form, reserves the preserved chunks in the page allocator
 * (struct page state LUSIM_PAGE_KHO, the head "stamped" restorable like the
 * kernel's magic + order in page->private) and gives every other kept frame
 * back. kho_restore_folio()/kho_restore_pages() adopt a reserved chunk once;
 * a second restore, or a restore of anything not preserved, WARNs and
 * returns NULL.
 *
 * All state here is kernel state: reset at kexec and at power-on. The two
 * "command line" settings (KHO on/off, the errno of a preserve after
 * finalize) are reset only at power-on.
 */
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/mm.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/string.h>

#include <lusim/fault.h>
#include <lusim/findings.h>
#include <lusim/kexec.h>
#include <lusim/reset.h>

#include <hw/hw.h>

#include <stdlib.h>

#define KHO_LEAF_SHIFT		12
#define KHO_LEAF_BITS		(1UL << KHO_LEAF_SHIFT)
#define KHO_LEAF_WORDS		(KHO_LEAF_BITS / 64)
/* a chunk never exceeds RAM: 2^26 pages at most (sim/hw's largest RAM) */
#define KHO_NR_ORDERS		27

struct kho_leaf {
	unsigned long idx;		/* key >> KHO_LEAF_SHIFT */
	unsigned long nr_set;
	u64 bits[KHO_LEAF_WORDS];
};

struct kho_order_set {
	struct kho_leaf **leaves;	/* sorted by idx */
	unsigned long nr, cap;
};

struct kho_subtree {
	char name[KHO_SUBTREE_NAME_LENGTH];
	phys_addr_t phys;
	void *blob;			/* outgoing only */
};

/* [start, end) pfn ranges the machine keeps, sorted, merged */
struct kho_range {
	unsigned long start, end;
};

static struct {
	struct kho_order_set orders[KHO_NR_ORDERS];
	unsigned long nr_chunks, nr_pages;
	struct kho_subtree subtrees[KHO_MAX_SUBTREES];
	unsigned int nr_subtrees;

	/* kho_finalize() */
	bool finalized;
	phys_addr_t root_phys;
	struct page **ser_pages;	/* root + memory-map pages */
	unsigned long nr_ser_pages;
	struct kho_range *keep;
	unsigned long nr_keep, keep_cap;
} kho_out;

static struct {
	int status;			/* 0 accepted, -ENOENT none, else rejected */
	struct kho_subtree subtrees[KHO_MAX_SUBTREES];
	unsigned int nr_subtrees;
	unsigned long nr_unrestored;
} kho_in;

/* "kho=on|off" on the command line, and the value of this boot */
static bool kho_cmdline = true;
static bool kho_enable = true;
static int kho_after_finalize_err = -EBUSY;

static struct lusim_kho_stats kho_stats;

/*
 * The handover register is kept by the kexec code (kernel/kexec.c); this
 * weak default (no handover) lets KHO be linked without it.
 */
phys_addr_t __weak lusim_kexec_handover_phys(void)
{
	return 0;
}

/* --- the preserved set --------------------------------------------------- */

/* Binary search for leaf @idx; returns its slot or where it would go. */
static unsigned long leaf_find(const struct kho_order_set *os,
			       unsigned long idx, bool *found)
{
	unsigned long lo = 0, hi = os->nr;

	kho_stats.lookups++;
	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		kho_stats.lookup_steps++;
		if (os->leaves[mid]->idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < os->nr && os->leaves[lo]->idx == idx;
	return lo;
}

static bool key_test(unsigned long pfn, unsigned int order)
{
	const struct kho_order_set *os = &kho_out.orders[order];
	unsigned long key = pfn >> order, slot;
	bool found;

	if (!os->nr)
		return false;
	slot = leaf_find(os, key >> KHO_LEAF_SHIFT, &found);
	if (!found)
		return false;
	key &= KHO_LEAF_BITS - 1;
	return os->leaves[slot]->bits[key / 64] & (1ULL << (key % 64));
}

/* Set the key; 0 or -ENOMEM if a new leaf cannot be allocated. */
static int key_set(unsigned long pfn, unsigned int order)
{
	struct kho_order_set *os = &kho_out.orders[order];
	unsigned long key = pfn >> order, slot;
	struct kho_leaf *leaf;
	bool found;

	slot = leaf_find(os, key >> KHO_LEAF_SHIFT, &found);
	if (!found) {
		if (os->nr == os->cap) {
			unsigned long cap = os->cap ? 2 * os->cap : 8;
			struct kho_leaf **l = realloc(os->leaves, cap * sizeof(*l));

			if (!l)
				return -ENOMEM;
			os->leaves = l;
			os->cap = cap;
		}
		leaf = calloc(1, sizeof(*leaf));
		if (!leaf)
			return -ENOMEM;
		leaf->idx = key >> KHO_LEAF_SHIFT;
		memmove(&os->leaves[slot + 1], &os->leaves[slot],
			(os->nr - slot) * sizeof(*os->leaves));
		os->leaves[slot] = leaf;
		os->nr++;
		kho_stats.leaves++;
	}
	leaf = os->leaves[slot];
	key &= KHO_LEAF_BITS - 1;
	if (leaf->bits[key / 64] & (1ULL << (key % 64)))
		return 0;		/* idempotent */
	leaf->bits[key / 64] |= 1ULL << (key % 64);
	leaf->nr_set++;
	kho_out.nr_chunks++;
	kho_out.nr_pages += 1UL << order;
	return 0;
}

/* Clear the key; false if it was not set. */
static bool key_clear(unsigned long pfn, unsigned int order)
{
	struct kho_order_set *os = &kho_out.orders[order];
	unsigned long key = pfn >> order, slot;
	struct kho_leaf *leaf;
	bool found;

	if (!os->nr)
		return false;
	slot = leaf_find(os, key >> KHO_LEAF_SHIFT, &found);
	if (!found)
		return false;
	leaf = os->leaves[slot];
	key &= KHO_LEAF_BITS - 1;
	if (!(leaf->bits[key / 64] & (1ULL << (key % 64))))
		return false;
	leaf->bits[key / 64] &= ~(1ULL << (key % 64));
	kho_out.nr_chunks--;
	kho_out.nr_pages -= 1UL << order;
	if (!--leaf->nr_set) {
		free(leaf);
		memmove(&os->leaves[slot], &os->leaves[slot + 1],
			(os->nr - slot - 1) * sizeof(*os->leaves));
		os->nr--;
		kho_stats.leaves--;
	}
	return true;
}

static void set_free(void)
{
	unsigned int o;

	for (o = 0; o < KHO_NR_ORDERS; o++) {
		struct kho_order_set *os = &kho_out.orders[o];

		while (os->nr)
			free(os->leaves[--os->nr]);
		free(os->leaves);
		memset(os, 0, sizeof(*os));
	}
	kho_out.nr_chunks = 0;
	kho_out.nr_pages = 0;
	kho_stats.leaves = 0;
}

/* The chunk split of kho_preserve_pages(): naturally aligned, largest first. */
static unsigned int chunk_order(unsigned long pfn, unsigned long end)
{
	unsigned int order = pfn ? __builtin_ctzl(pfn) : KHO_NR_ORDERS - 1;
	unsigned int fit = ilog2(end - pfn);

	order = min(order, fit);
	return min(order, (unsigned int)(KHO_NR_ORDERS - 1));
}

/* --- preserve / unpreserve ----------------------------------------------- */

bool kho_is_enabled(void)
{
	return kho_enable;
}

static int preserve_check(const char *site)
{
	lusim_might_sleep(site);
	if (!kho_enable)
		return -EOPNOTSUPP;
	if (kho_out.finalized && kho_after_finalize_err)
		return kho_after_finalize_err;
	return 0;
}

static int preserve_chunk(unsigned long pfn, unsigned int order,
			  const char *site, const char *func)
{
	if (lusim_should_fail_at(LUSIM_FAULT_KHO, site, func))
		return -ENOMEM;
	return key_set(pfn, order);
}

int lusim_kho_preserve_folio(struct folio *folio, const char *site,
			     const char *func)
{
	int err = preserve_check(site);

	if (err)
		return err;
	return preserve_chunk(folio_pfn(folio), folio_order(folio), site, func);
}

void lusim_kho_unpreserve_folio(struct folio *folio, const char *site)
{
	lusim_might_sleep(site);
	if (!kho_enable)
		return;
	if (!key_clear(folio_pfn(folio), folio_order(folio)))
		lusim_report("WARN", site, NULL,
			     "kho_unpreserve_folio(): pfn %#lx order %u is not preserved",
			     folio_pfn(folio), folio_order(folio));
}

int lusim_kho_preserve_pages(struct page *page, unsigned long nr_pages,
			     const char *site, const char *func)
{
	unsigned long start = page_to_pfn(page), end = start + nr_pages;
	unsigned long pfn = start;
	int err = preserve_check(site);

	if (err)
		return err;
	while (pfn < end) {
		unsigned int order = chunk_order(pfn, end);

		err = preserve_chunk(pfn, order, site, func);
		if (err)
			break;
		pfn += 1UL << order;
	}
	if (err) {
		/* roll back the chunks set by this call */
		unsigned long p = start;

		while (p < pfn) {
			unsigned int order = chunk_order(p, end);

			key_clear(p, order);
			p += 1UL << order;
		}
	}
	return err;
}

void lusim_kho_unpreserve_pages(struct page *page, unsigned long nr_pages,
				const char *site)
{
	unsigned long pfn = page_to_pfn(page), end = pfn + nr_pages;

	lusim_might_sleep(site);
	if (!kho_enable)
		return;
	while (pfn < end) {
		unsigned int order = chunk_order(pfn, end);

		if (!key_clear(pfn, order))
			lusim_report("WARN", site, NULL,
				     "kho_unpreserve_pages(): pfn %#lx order %u is not preserved",
				     pfn, order);
		pfn += 1UL << order;
	}
}

void *lusim_kho_alloc_preserve(size_t size, const char *site, const char *func)
{
	struct folio *folio;
	int order, err;

	if (!size)
		return ERR_PTR(-EINVAL);
	order = get_order(size);
	if (order > MAX_PAGE_ORDER)
		return ERR_PTR(-E2BIG);
	folio = lusim_folio_alloc(GFP_KERNEL | __GFP_ZERO, order, site, func);
	if (!folio)
		return ERR_PTR(-ENOMEM);
	err = lusim_kho_preserve_folio(folio, site, func);
	if (err) {
		lusim_folio_put(folio, site);
		return ERR_PTR(err);
	}
	return folio_address(folio);
}

void lusim_kho_unpreserve_free(void *mem, const char *site)
{
	struct folio *folio;

	if (!mem)
		return;
	folio = virt_to_folio(mem);
	lusim_kho_unpreserve_folio(folio, site);
	lusim_folio_put(folio, site);
}

/* Real functions for callers that take their address. */
int (kho_preserve_folio)(struct folio *folio)
{
	return lusim_kho_preserve_folio(folio, "kho_preserve_folio", NULL);
}

void (kho_unpreserve_folio)(struct folio *folio)
{
	lusim_kho_unpreserve_folio(folio, "kho_unpreserve_folio");
}

int (kho_preserve_pages)(struct page *page, unsigned long nr_pages)
{
	return lusim_kho_preserve_pages(page, nr_pages, "kho_preserve_pages", NULL);
}

void (kho_unpreserve_pages)(struct page *page, unsigned long nr_pages)
{
	lusim_kho_unpreserve_pages(page, nr_pages, "kho_unpreserve_pages");
}

void *(kho_alloc_preserve)(size_t size)
{
	return lusim_kho_alloc_preserve(size, "kho_alloc_preserve", NULL);
}

void (kho_unpreserve_free)(void *mem)
{
	lusim_kho_unpreserve_free(mem, "kho_unpreserve_free");
}

/* --- sub-trees ----------------------------------------------------------- */

int kho_add_subtree(const char *name, void *fdt)
{
	unsigned int i;

	if (!kho_enable)
		return -EOPNOTSUPP;
	if (!name || !*name || strlen(name) >= KHO_SUBTREE_NAME_LENGTH || !fdt)
		return -EINVAL;
	for (i = 0; i < kho_out.nr_subtrees; i++)
		if (!strcmp(kho_out.subtrees[i].name, name))
			return -EEXIST;
	if (kho_out.nr_subtrees == KHO_MAX_SUBTREES)
		return -ENOSPC;
	strscpy(kho_out.subtrees[i].name, name);
	kho_out.subtrees[i].blob = fdt;
	kho_out.nr_subtrees++;
	return 0;
}

void kho_remove_subtree(void *fdt)
{
	unsigned int i;

	for (i = 0; i < kho_out.nr_subtrees; i++) {
		if (kho_out.subtrees[i].blob != fdt)
			continue;
		memmove(&kho_out.subtrees[i], &kho_out.subtrees[i + 1],
			(kho_out.nr_subtrees - i - 1) * sizeof(kho_out.subtrees[0]));
		kho_out.nr_subtrees--;
		return;
	}
}

int kho_retrieve_subtree(const char *name, phys_addr_t *phys)
{
	unsigned int i;

	if (!kho_enable)
		return -EOPNOTSUPP;
	if (kho_in.status)
		return -ENOENT;
	for (i = 0; i < kho_in.nr_subtrees; i++) {
		if (!strcmp(kho_in.subtrees[i].name, name)) {
			if (phys)
				*phys = kho_in.subtrees[i].phys;
			return 0;
		}
	}
	return -ENOENT;
}

/* --- finalize: write the set for the next kernel ------------------------- */

static void ser_free(void)
{
	unsigned long i;

	for (i = 0; i < kho_out.nr_ser_pages; i++)
		lusim_free_pages(kho_out.ser_pages[i], 0, "kho_finalize");
	free(kho_out.ser_pages);
	kho_out.ser_pages = NULL;
	kho_out.nr_ser_pages = 0;
	free(kho_out.keep);
	kho_out.keep = NULL;
	kho_out.nr_keep = 0;
	kho_out.keep_cap = 0;
	kho_out.root_phys = 0;
	kho_out.finalized = false;
}

static void *ser_page_alloc(void)
{
	struct page *page;
	struct page **pages;

	page = lusim_alloc_pages(GFP_KERNEL | __GFP_ZERO, 0, "kho_finalize",
				 "kho_finalize");
	if (!page)
		return NULL;
	pages = realloc(kho_out.ser_pages,
			(kho_out.nr_ser_pages + 1) * sizeof(*pages));
	if (!pages) {
		lusim_free_pages(page, 0, "kho_finalize");
		return NULL;
	}
	kho_out.ser_pages = pages;
	pages[kho_out.nr_ser_pages++] = page;
	return page_address(page);
}

static int keep_add(unsigned long start, unsigned long end)
{
	struct kho_range *r;

	if (kho_out.nr_keep == kho_out.keep_cap) {
		unsigned long cap = kho_out.keep_cap ? 2 * kho_out.keep_cap : 64;

		r = realloc(kho_out.keep, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		kho_out.keep = r;
		kho_out.keep_cap = cap;
	}
	kho_out.keep[kho_out.nr_keep].start = start;
	kho_out.keep[kho_out.nr_keep].end = end;
	kho_out.nr_keep++;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct kho_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void keep_merge(void)
{
	unsigned long i, n = 0;

	if (!kho_out.nr_keep)
		return;
	qsort(kho_out.keep, kho_out.nr_keep, sizeof(*kho_out.keep), cmp_range);
	for (i = 1; i < kho_out.nr_keep; i++) {
		struct kho_range *last = &kho_out.keep[n];

		if (kho_out.keep[i].start <= last->end)
			last->end = max(last->end, kho_out.keep[i].end);
		else
			kho_out.keep[++n] = kho_out.keep[i];
	}
	kho_out.nr_keep = n + 1;
}

int kho_finalize(void)
{
	struct kho_mem_map_ser *map = NULL;
	struct kho_root_ser *root;
	unsigned long i, nr_chunks = 0;
	unsigned int o;
	int err = -ENOMEM;

	if (!kho_enable)
		return -EOPNOTSUPP;
	ser_free();

	root = ser_page_alloc();
	if (!root)
		goto err;
	root->magic = KHO_ROOT_MAGIC;
	root->version = KHO_ABI_VERSION;
	for (i = 0; i < kho_out.nr_subtrees; i++) {
		strscpy(root->subtrees[i].name, kho_out.subtrees[i].name);
		root->subtrees[i].phys = virt_to_phys(kho_out.subtrees[i].blob);
	}
	root->nr_subtrees = kho_out.nr_subtrees;

	/* runs: per order, keys ascending; consecutive chunks share a run */
	for (o = 0; o < KHO_NR_ORDERS; o++) {
		const struct kho_order_set *os = &kho_out.orders[o];
		struct kho_mem_run_ser *run = NULL;

		for (i = 0; i < os->nr; i++) {
			const struct kho_leaf *leaf = os->leaves[i];
			unsigned long b;

			/* set bits in ascending order, a word at a time */
			for (b = 0; b < KHO_LEAF_BITS; b++) {
				u64 word = leaf->bits[b / 64] >> (b % 64);
				unsigned long pfn;

				if (!word) {
					b |= 63;	/* the rest of this word is clear */
					continue;
				}
				b += (unsigned long)__builtin_ctzll(word);
				pfn = ((leaf->idx << KHO_LEAF_SHIFT) + b) << o;
				nr_chunks++;
				if (run && run->pfn + ((u64)run->nr << o) == pfn &&
				    run->nr < U32_MAX) {
					run->nr++;
					continue;
				}
				if (!map || map->nr_runs == KHO_MEM_MAP_RUNS) {
					struct kho_mem_map_ser *prev = map;

					map = ser_page_alloc();
					if (!map)
						goto err;
					map->magic = KHO_MEM_MAP_MAGIC;
					if (prev)
						prev->next = virt_to_phys(map);
					else
						root->mem_map = virt_to_phys(map);
				}
				run = &map->runs[map->nr_runs++];
				run->pfn = pfn;
				run->order = o;
				run->nr = 1;
			}
		}
	}
	root->nr_chunks = nr_chunks;

	/* what the machine keeps: every serialized chunk, the serialized form */
	for (i = 0; i < kho_out.nr_ser_pages; i++) {
		unsigned long pfn = page_to_pfn(kho_out.ser_pages[i]);

		if (keep_add(pfn, pfn + 1) < 0)
			goto err;
		if (i == 0)
			continue;
		map = page_address(kho_out.ser_pages[i]);
		for (u64 r = 0; r < map->nr_runs; r++) {
			const struct kho_mem_run_ser *run = &map->runs[r];

			if (keep_add(run->pfn,
				     run->pfn + ((u64)run->nr << run->order)) < 0)
				goto err;
		}
	}
	keep_merge();

	kho_out.root_phys = page_to_phys(kho_out.ser_pages[0]);
	kho_out.finalized = true;
	return 0;

err:
	ser_free();
	return err;
}

bool lusim_kho_finalized(void)
{
	return kho_out.finalized;
}

phys_addr_t lusim_kho_handover_phys(void)
{
	return kho_out.finalized ? kho_out.root_phys : 0;
}

bool lusim_kho_keep_pfn(unsigned long pfn)
{
	unsigned long lo = 0, hi = kho_out.nr_keep;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		const struct kho_range *r = &kho_out.keep[mid];

		if (pfn < r->start)
			hi = mid;
		else if (pfn >= r->end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* --- queries ------------------------------------------------------------- */

bool lusim_kho_is_preserved(unsigned long pfn, unsigned int order)
{
	return order < KHO_NR_ORDERS && key_test(pfn, order);
}

/* Overrides the page allocator's weak default. */
bool lusim_kho_pfn_preserved(unsigned long pfn)
{
	unsigned int o;

	if (!kho_out.nr_chunks)
		return false;
	for (o = 0; o < KHO_NR_ORDERS; o++)
		if (kho_out.orders[o].nr && key_test(pfn & ~((1UL << o) - 1), o))
			return true;
	return false;
}

unsigned long lusim_kho_nr_preserved_chunks(void)
{
	return kho_out.nr_chunks;
}

unsigned long lusim_kho_nr_preserved_pages(void)
{
	return kho_out.nr_pages;
}

unsigned long lusim_kho_nr_unrestored_chunks(void)
{
	return kho_in.nr_unrestored;
}

int lusim_kho_incoming_status(void)
{
	return kho_in.status;
}

bool is_kho_boot(void)
{
	return kho_in.status == 0;
}

void lusim_kho_set_preserve_after_finalize(int err)
{
	kho_after_finalize_err = err;
}

void lusim_kho_set_enabled(bool enabled)
{
	kho_cmdline = enabled;
}

void lusim_kho_get_stats(struct lusim_kho_stats *st)
{
	*st = kho_stats;
}

/* --- the new kernel: parse, reserve, restore ------------------------------ */

/* A small set of pfns (the pages of the serialized form seen so far). */
struct pfn_set {
	unsigned long *pfns;
	unsigned long nr, cap;
};

static int pfn_set_add(struct pfn_set *s, unsigned long pfn)
{
	if (s->nr == s->cap) {
		unsigned long cap = s->cap ? 2 * s->cap : 16;
		unsigned long *p = realloc(s->pfns, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->pfns = p;
		s->cap = cap;
	}
	s->pfns[s->nr++] = pfn;
	return 0;
}

/*
 * A readable page of the handover: page aligned, RAM the machine kept, not
 * seen before. Reserving it makes a second visit (a cycle in the chain)
 * and any chunk overlapping the serialized form fail.
 */
static const void *ser_page_get(struct pfn_set *seen, u64 phys)
{
	unsigned long pfn = PHYS_PFN(phys);

	if (phys & ~PAGE_MASK || !pfn_valid(pfn) ||
	    hw_mem_state(phys) != HW_PAGE_ALLOCATED)
		return NULL;
	if (lusim_page_reserve_kho(pfn, 0))
		return NULL;
	if (pfn_set_add(seen, pfn)) {
		lusim_page_unreserve_kho(pfn, 0);
		return NULL;
	}
	return hw_phys_to_virt(phys);
}

struct chunk_list {
	unsigned long *pfn;
	unsigned char *order;
	unsigned long nr, cap;
};

static int chunk_add(struct chunk_list *c, unsigned long pfn, unsigned int order)
{
	if (c->nr == c->cap) {
		unsigned long cap = c->cap ? 2 * c->cap : 64;
		unsigned long *p = realloc(c->pfn, cap * sizeof(*p));
		unsigned char *o;

		if (!p)
			return -ENOMEM;
		c->pfn = p;
		o = realloc(c->order, cap);
		if (!o)
			return -ENOMEM;
		c->order = o;
		c->cap = cap;
	}
	c->pfn[c->nr] = pfn;
	c->order[c->nr] = order;
	c->nr++;
	return 0;
}

/*
 * Validate the handover at @root_phys and reserve every chunk it lists.
 * On error nothing stays reserved. Never trusts a length: every count is
 * bounded by its container, every address checked before it is read.
 */
static int kho_parse(u64 root_phys, struct pfn_set *seen, struct chunk_list *chunks)
{
	const struct kho_root_ser *root;
	const struct kho_mem_map_ser *map;
	u64 next, total = 0;
	unsigned int i, j;

	root = ser_page_get(seen, root_phys);
	if (!root)
		return -EINVAL;
	if (root->magic != KHO_ROOT_MAGIC || root->version != KHO_ABI_VERSION ||
	    root->nr_subtrees > KHO_MAX_SUBTREES)
		return -EINVAL;
	for (i = 0; i < root->nr_subtrees; i++) {
		const struct kho_subtree_ser *st = &root->subtrees[i];
		size_t len = strnlen(st->name, sizeof(st->name));

		if (!len || len == sizeof(st->name))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(kho_in.subtrees[j].name, st->name))
				return -EINVAL;
		memcpy(kho_in.subtrees[i].name, st->name, len + 1);
		kho_in.subtrees[i].phys = st->phys;
	}
	kho_in.nr_subtrees = root->nr_subtrees;

	for (next = root->mem_map; next; next = map->next) {
		map = ser_page_get(seen, next);
		if (!map || map->magic != KHO_MEM_MAP_MAGIC ||
		    map->nr_runs > KHO_MEM_MAP_RUNS)
			return -EINVAL;
		for (u64 r = 0; r < map->nr_runs; r++) {
			const struct kho_mem_run_ser *run = &map->runs[r];
			u64 pfn = run->pfn, n;

			if (run->order >= KHO_NR_ORDERS || !run->nr ||
			    pfn & ((1ULL << run->order) - 1))
				return -EINVAL;
			n = (u64)run->nr << run->order;
			if (!pfn_valid(pfn) || !pfn_valid(pfn + n - 1) ||
			    total + run->nr > root->nr_chunks)
				return -EINVAL;
			for (u64 c = 0; c < run->nr; c++) {
				unsigned long cpfn = pfn + (c << run->order);

				if (lusim_page_reserve_kho(cpfn, run->order))
					return -EINVAL;
				if (chunk_add(chunks, cpfn, run->order)) {
					lusim_page_unreserve_kho(cpfn, run->order);
					return -ENOMEM;
				}
			}
			total += run->nr;
		}
	}
	if (total != root->nr_chunks)
		return -EINVAL;
	return 0;
}

/* hw_mem_for_each() callback: collect every allocated block */
static int collect_block(uint64_t pfn, unsigned int order, void *arg)
{
	struct chunk_list *c = arg;

	return chunk_add(c, pfn, order) ? 1 : 0;
}

/*
 * Give back every machine block nobody owns: after a kexec the machine has
 * kept exactly the preserved chunks and the serialized form; what is not
 * reserved now (all of it if the handover was rejected) is free memory.
 */
static void release_unowned(void)
{
	struct chunk_list blocks = { 0 };
	unsigned long i;

	hw_mem_for_each(collect_block, &blocks);
	for (i = 0; i < blocks.nr; i++)
		lusim_page_release_frames(blocks.pfn[i], 1UL << blocks.order[i]);
	free(blocks.pfn);
	free(blocks.order);
}

/*
 * The earliest initcall of the new kernel ("kho_memory_init" +
 * "kho_populate"): before anything allocates, reserve what the previous
 * kernel preserved and free the rest.
 */
static int kho_memory_init(void)
{
	phys_addr_t root_phys = lusim_kexec_handover_phys();
	struct pfn_set seen = { 0 };
	struct chunk_list chunks = { 0 };
	unsigned long i;
	int err;

	kho_enable = kho_cmdline;
	if (!root_phys) {
		kho_in.status = -ENOENT;
		return 0;
	}
	err = kho_enable ? kho_parse(root_phys, &seen, &chunks) : -EOPNOTSUPP;
	if (err) {
		pr_warn("kho: the handover at %#llx is invalid (%d), disabling KHO revival\n",
			(unsigned long long)root_phys, err);
		for (i = 0; i < chunks.nr; i++)
			lusim_page_unreserve_kho(chunks.pfn[i], chunks.order[i]);
		kho_in.nr_subtrees = 0;
		kho_stats.rejected++;
	} else {
		kho_in.nr_unrestored = chunks.nr;
	}
	/* the serialized form itself is read: its frames are free memory now */
	for (i = 0; i < seen.nr; i++)
		lusim_page_unreserve_kho(seen.pfns[i], 0);
	release_unowned();
	kho_in.status = err;
	free(seen.pfns);
	free(chunks.pfn);
	free(chunks.order);
	return 0;
}
LUSIM_INITCALL(kho_memory_init, LUSIM_INIT_EARLY)

/* The reserved chunk whose head is @pfn, or NULL. */
static struct page *restorable_head(unsigned long pfn)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return NULL;
	page = pfn_to_page(pfn);
	if (page->lusim_state != LUSIM_PAGE_KHO || !page->lusim_kho ||
	    page->lusim_block != page)
		return NULL;
	return page;
}

bool kho_is_restorable_phys(phys_addr_t phys)
{
	return !(phys & ~PAGE_MASK) && restorable_head(PHYS_PFN(phys));
}

struct folio *lusim_kho_restore_folio(phys_addr_t phys, const char *site)
{
	unsigned long pfn = PHYS_PFN(phys);
	struct page *page;

	if (!pfn_valid(pfn))
		return NULL;
	page = restorable_head(pfn);
	if (!page || page->lusim_order > MAX_PAGE_ORDER) {
		lusim_report("WARN", site, NULL,
			     "kho_restore_folio(%#llx): %s", (unsigned long long)phys,
			     page ? "order above MAX_PAGE_ORDER" :
			     "not a preserved chunk, or already restored");
		return NULL;
	}
	kho_in.nr_unrestored--;
	return (struct folio *)lusim_page_adopt_kho(pfn, 1UL << page->lusim_order,
						    page->lusim_order, true, site);
}

struct page *lusim_kho_restore_pages(phys_addr_t phys, unsigned long nr_pages,
				     const char *site)
{
	unsigned long start = PHYS_PFN(phys), end = start + nr_pages, pfn;

	if (!nr_pages || !pfn_valid(start))
		return NULL;
	/* the whole range first: all chunks preserved with this very split */
	for (pfn = start; pfn < end; ) {
		unsigned int order = chunk_order(pfn, end);
		struct page *page = restorable_head(pfn);

		if (!page || page->lusim_order != order) {
			lusim_report("WARN", site, NULL,
				     "kho_restore_pages(%#llx, %lu): pfn %#lx order %u %s",
				     (unsigned long long)phys, nr_pages, pfn, order,
				     page ? "was preserved with another order" :
				     "is not a preserved chunk, or already restored");
			return NULL;
		}
		pfn += 1UL << order;
	}
	for (pfn = start; pfn < end; ) {
		unsigned int order = chunk_order(pfn, end);

		lusim_page_adopt_kho(pfn, 1UL << order, 0, false, site);
		kho_in.nr_unrestored--;
		pfn += 1UL << order;
	}
	return pfn_to_page(start);
}

void lusim_kho_restore_free(void *mem, const char *site)
{
	struct folio *folio;

	if (!mem)
		return;
	folio = lusim_kho_restore_folio(virt_to_phys(mem), site);
	if (!WARN_ON(!folio))
		lusim_folio_put(folio, site);
}

struct folio *(kho_restore_folio)(phys_addr_t phys)
{
	return lusim_kho_restore_folio(phys, "kho_restore_folio");
}

struct page *(kho_restore_pages)(phys_addr_t phys, unsigned long nr_pages)
{
	return lusim_kho_restore_pages(phys, nr_pages, "kho_restore_pages");
}

void (kho_restore_free)(void *mem)
{
	lusim_kho_restore_free(mem, "kho_restore_free");
}

/* --- reset --------------------------------------------------------------- */

static void kho_reset(void)
{
	/* the serialized pages belong to the page allocator, which forgets them */
	free(kho_out.ser_pages);
	free(kho_out.keep);
	set_free();
	memset(&kho_out, 0, sizeof(kho_out));
	memset(&kho_in, 0, sizeof(kho_in));
	kho_in.status = -ENOENT;
	memset(&kho_stats, 0, sizeof(kho_stats));
}
LUSIM_RESET_FN(kho_reset, LUSIM_RESET_PRIO_SHIM)

static void kho_power_on(void)
{
	kho_cmdline = true;
	kho_enable = true;
	kho_after_finalize_err = -EBUSY;
}
LUSIM_RESET_FN(kho_power_on, LUSIM_RESET_PRIO_MACHINE)
