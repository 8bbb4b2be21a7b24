// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page allocator of the kernel model, on the simulated machine's memory.
 *
 * Frames come from sim/hw (hw_mem_alloc/hw_mem_free: a deterministic buddy
 * allocator over simulated RAM whose contents are real bytes). This file
 * adds what the kernel keeps per frame: struct page descriptors, refcounts,
 * compound heads, allocation sites for the leak report, and the KHO states
 * a frame goes through across a kexec.
 *
 * Descriptors live in sections of SECTION_PAGES frames (the kernel's
 * SPARSEMEM memmap): a flat table of section pointers indexed by
 * (pfn - HW_MEM_BASE_PFN) >> SECTION_SHIFT, each section created on first
 * use and kept (like sim/hw's chunk storage) across resets. So
 * pfn_to_page() is two array lookups, page_to_pfn() a field read, and
 * virt_to_page() is sim/hw's reverse lookup (a binary search over its 4 MiB
 * host chunks) plus the same two lookups. A section is exactly a sim/hw
 * chunk, and a block never crosses one, so `page + i` inside an allocation
 * is the next frame. Reset re-initializes only the range of each section
 * that was touched since the last reset: O(what was used).
 *
 * After a kexec the shapes of the machine's blocks and the kernel's
 * allocations can differ (a preserved order-2 chunk inside what was an
 * order-10 block, kho_restore_pages() handing out order-0 pages of a larger
 * block). Freeing therefore goes through lusim_page_release_frames(): the
 * frames become unowned, and each machine block whose frames are all
 * unowned is given back to the machine; frames of a block still partly in
 * use are poisoned here and wait for the rest.
 */
#include <linux/mm.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kexec_handover.h>

#include <lusim/fault.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <hw/hw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* struct folio must overlay struct page field by field */
#define FOLIO_MATCH(pg, fl)						\
	static_assert(offsetof(struct page, pg) == offsetof(struct folio, fl), \
		      "folio/page mismatch: " #pg)
FOLIO_MATCH(flags, flags);
FOLIO_MATCH(lru, lru);
FOLIO_MATCH(mapping, mapping);
FOLIO_MATCH(index, index);
FOLIO_MATCH(private, private);
FOLIO_MATCH(_mapcount, _mapcount);
FOLIO_MATCH(_refcount, _refcount);
FOLIO_MATCH(memcg_data, memcg_data);
static_assert(PAGE_SHIFT == HW_PAGE_SHIFT, "page size differs from sim/hw");
static_assert(MAX_PAGE_ORDER == HW_MEM_MAX_ORDER, "max order differs from sim/hw");

#define SECTION_SHIFT	HW_MEM_MAX_ORDER
#define SECTION_PAGES	(1UL << SECTION_SHIFT)
/* sim/hw's largest RAM (256 GiB): fixes the section table */
#define MEM_MAX_PAGES	(1UL << 26)
#define NR_SECTIONS	(MEM_MAX_PAGES >> SECTION_SHIFT)

struct mem_section {
	struct page pages[SECTION_PAGES];
	unsigned long base_pfn;
	/* touched since the last reset: [lo, hi), and the dirty list link */
	unsigned int lo, hi;
	struct mem_section *next_dirty;
	bool dirty;
};

static struct mem_section *sections[NR_SECTIONS];
static struct mem_section *dirty_sections;
/* created sections sorted by host address, to recognise descriptor pointers */
static struct mem_section **by_addr;
static unsigned long nr_sections;

static struct {
	unsigned long seq;		/* allocation sequence, for marks */
	unsigned long live_blocks;
	unsigned long live_pages;
	unsigned long reserved_pages;	/* LUSIM_PAGE_KHO frames */
	struct lusim_page_stats st;
} pa;

/*
 * Is @pfn preserved by KHO in the outgoing set? The real answer comes from
 * kexec_handover.c; this weak default keeps the page allocator usable (and
 * its tests small) without KHO linked in.
 */
bool __weak lusim_kho_pfn_preserved(unsigned long pfn)
{
	(void)pfn;
	return false;
}

/* --- sections ------------------------------------------------------------ */

static bool pfn_in_range(unsigned long pfn)
{
	return pfn >= HW_MEM_BASE_PFN && pfn - HW_MEM_BASE_PFN < MEM_MAX_PAGES;
}

static struct mem_section *section_get(unsigned long pfn, bool create)
{
	unsigned long idx = (pfn - HW_MEM_BASE_PFN) >> SECTION_SHIFT;
	struct mem_section *ms = sections[idx];
	unsigned long i;

	if (ms || !create)
		return ms;
	ms = calloc(1, sizeof(*ms));
	if (!ms) {
		fprintf(stderr, "lusim: out of host memory for page descriptors\n");
		abort();
	}
	ms->base_pfn = HW_MEM_BASE_PFN + (idx << SECTION_SHIFT);
	for (i = 0; i < SECTION_PAGES; i++)
		ms->pages[i].lusim_pfn = ms->base_pfn + i;
	by_addr = realloc(by_addr, (nr_sections + 1) * sizeof(*by_addr));
	if (!by_addr)
		abort();
	for (i = nr_sections; i > 0 && (uintptr_t)by_addr[i - 1] > (uintptr_t)ms; i--)
		by_addr[i] = by_addr[i - 1];
	by_addr[i] = ms;
	nr_sections++;
	sections[idx] = ms;
	return ms;
}

/* The descriptor of @pfn (created on demand), or NULL if not in RAM. */
static struct page *__pfn_to_page(unsigned long pfn)
{
	struct mem_section *ms;

	if (!pfn_in_range(pfn))
		return NULL;
	ms = section_get(pfn, true);
	return &ms->pages[pfn & (SECTION_PAGES - 1)];
}

static void touch(struct page *page)
{
	unsigned long pfn = page->lusim_pfn;
	struct mem_section *ms = section_get(pfn, false);
	unsigned int i = pfn & (SECTION_PAGES - 1);

	if (!ms->dirty) {
		ms->dirty = true;
		ms->lo = i;
		ms->hi = i + 1;
		ms->next_dirty = dirty_sections;
		dirty_sections = ms;
		return;
	}
	if (i < ms->lo)
		ms->lo = i;
	if (i + 1 > ms->hi)
		ms->hi = i + 1;
}

static void page_clear(struct page *page)
{
	unsigned long pfn = page->lusim_pfn;

	memset(page, 0, sizeof(*page));
	page->lusim_pfn = pfn;
}

/* Is @page a descriptor of ours (never dereferences a foreign pointer)? */
static bool page_is_descriptor(const struct page *page)
{
	unsigned long lo = 0, hi = nr_sections;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		const struct mem_section *ms = by_addr[mid];

		if ((uintptr_t)page < (uintptr_t)&ms->pages[0])
			hi = mid;
		else if ((uintptr_t)page >= (uintptr_t)&ms->pages[SECTION_PAGES])
			lo = mid + 1;
		else
			return ((uintptr_t)page - (uintptr_t)&ms->pages[0]) %
			       sizeof(struct page) == 0;
	}
	return false;
}

/* --- allocation ---------------------------------------------------------- */

static struct page *block_init(unsigned long pfn, unsigned int order,
			       bool compound, const char *site)
{
	struct page *head = __pfn_to_page(pfn);
	unsigned long i, n = 1UL << order;

	for (i = 0; i < n; i++) {
		struct page *page = head + i;

		page_clear(page);
		page->lusim_state = LUSIM_PAGE_ALLOC;
		page->lusim_block = head;
		if (i && compound && order)
			page->compound_head = (unsigned long)head | 1;
		touch(page);
	}
	atomic_set(&head->_refcount, 1);
	head->lusim_order = order;
	head->lusim_compound = compound;
	head->lusim_site = site;
	head->lusim_seq = ++pa.seq;
	if (compound && order)
		head->flags |= 1UL << PG_head;

	pa.live_blocks++;
	pa.live_pages += n;
	if (pa.live_pages > pa.st.peak_pages)
		pa.st.peak_pages = pa.live_pages;
	return head;
}

static struct page *__alloc_pages(gfp_t gfp, unsigned int order, bool compound,
				  const char *site, const char *func)
{
	uint64_t phys;

	lusim_might_alloc(gfp, site);
	if (order > MAX_PAGE_ORDER) {
		WARN_ON_ONCE(!(gfp & __GFP_NOWARN));
		pa.st.failed++;
		return NULL;
	}
	if (!(gfp & __GFP_NOFAIL) &&
	    lusim_should_fail_at(LUSIM_FAULT_PAGE, site, func)) {
		pa.st.failed++;
		return NULL;
	}
	phys = hw_mem_alloc(order, (gfp & __GFP_ZERO) ? HW_MEM_ZERO : 0);
	if (phys == HW_PHYS_NONE) {
		pa.st.failed++;
		return NULL;
	}
	pa.st.allocs++;
	return block_init(PHYS_PFN(phys), order, compound, site);
}

struct page *lusim_alloc_pages(gfp_t gfp, unsigned int order,
			       const char *site, const char *func)
{
	return __alloc_pages(gfp, order, gfp & __GFP_COMP, site, func);
}

struct folio *lusim_folio_alloc(gfp_t gfp, unsigned int order,
				const char *site, const char *func)
{
	return (struct folio *)__alloc_pages(gfp | __GFP_COMP, order, true,
					     site, func);
}

/* --- freeing ------------------------------------------------------------- */

static bool frame_owned(unsigned long pfn)
{
	struct mem_section *ms;

	if (!pfn_in_range(pfn))
		return false;
	ms = section_get(pfn, false);
	return ms && ms->pages[pfn & (SECTION_PAGES - 1)].lusim_state !=
		     LUSIM_PAGE_NONE;
}

/*
 * Give frames nobody owns back to the machine: every machine block that
 * intersects [pfn, pfn + nr) and has no owned frame is freed (and poisoned
 * by the machine); unowned frames of a block still partly in use are
 * poisoned here.
 */
void lusim_page_release_frames(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages;

	while (pfn < end) {
		uint64_t head;
		unsigned int order;
		unsigned long hpfn, hend, p;
		bool busy = false;

		if (hw_mem_block(PFN_PHYS(pfn), &head, &order)) {
			pfn++;		/* not allocated in the machine */
			continue;
		}
		hpfn = PHYS_PFN(head);
		hend = hpfn + (1UL << order);
		for (p = hpfn; p < hend && !busy; p++)
			busy = frame_owned(p);
		if (!busy) {
			hw_mem_free(head, order);
		} else {
			for (p = max(pfn, hpfn); p < min(end, hend); p++)
				if (!frame_owned(p))
					memset(hw_phys_to_virt(PFN_PHYS(p)),
					       HW_FILL_POISON, PAGE_SIZE);
		}
		pfn = hend;
	}
}

/* --- vmstat ---------------------------------------------------------------- */

static_assert(NR_VM_NODE_STAT_ITEMS ==
	      ARRAY_SIZE(((struct page *)NULL)->lusim_lruvec),
	      "struct page's lusim_lruvec[] does not cover node_stat_item");

static const char *const node_stat_name[NR_VM_NODE_STAT_ITEMS] = {
	[NR_IOMMU_PAGES] = "NR_IOMMU_PAGES",
	[NR_SECONDARY_PAGETABLE] = "NR_SECONDARY_PAGETABLE",
	[NR_PAGETABLE] = "NR_PAGETABLE",
	[NR_KERNEL_MISC_RECLAIMABLE] = "NR_KERNEL_MISC_RECLAIMABLE",
};

/* Kernel state: the node's counters (one node). */
static long node_stat[NR_VM_NODE_STAT_ITEMS];

static bool node_stat_item_ok(enum node_stat_item item, const char *site)
{
	if ((unsigned int)item < NR_VM_NODE_STAT_ITEMS)
		return true;
	lusim_report("VMSTAT-UNBALANCED", site, NULL,
		     "node_stat_item %d out of range", (int)item);
	return false;
}

void lusim_mod_node_page_state(enum node_stat_item item, long delta,
			       const char *site)
{
	if (!node_stat_item_ok(item, site))
		return;
	node_stat[item] += delta;
	if (node_stat[item] < 0)
		lusim_report("VMSTAT-UNBALANCED", site, NULL,
			     "%s went negative (%ld after %+ld): pages were uncounted that were never counted",
			     node_stat_name[item], node_stat[item], delta);
}

void lusim_lruvec_stat_mod_folio(struct folio *folio, enum node_stat_item item,
				 long delta, const char *site)
{
	struct page *head = &folio->page;

	if (!node_stat_item_ok(item, site))
		return;
	node_stat[item] += delta;
	/*
	 * Not a live allocation: the free that follows is the finding
	 * (PAGE-BAD-FREE, PAGE-DOUBLE-FREE); the account itself is moot.
	 */
	if (!page_is_descriptor(head) || head->lusim_state != LUSIM_PAGE_ALLOC)
		return;
	head->lusim_lruvec[item] += (int)delta;
	if (head->lusim_lruvec[item] < 0)
		lusim_report("VMSTAT-UNBALANCED", site, NULL,
			     "%s %+ld takes pfn %#lx (allocated at %s) to %d: the folio was never accounted (allocator metadata not rebuilt?)",
			     node_stat_name[item], delta, page_to_pfn(head),
			     head->lusim_site ? head->lusim_site : "?",
			     head->lusim_lruvec[item]);
}

long global_node_page_state(enum node_stat_item item)
{
	return (unsigned int)item < NR_VM_NODE_STAT_ITEMS ? node_stat[item] : 0;
}

/* A folio is freed with pages still accounted to it: a stat leaks. */
static void block_free_check_stat(const struct page *head)
{
	unsigned int item;

	for (item = 0; item < NR_VM_NODE_STAT_ITEMS; item++) {
		if (!head->lusim_lruvec[item])
			continue;
		lusim_report("VMSTAT-UNBALANCED", head->lusim_site, NULL,
			     "pfn %#lx freed with %s %+d still accounted to it",
			     page_to_pfn(head), node_stat_name[item],
			     head->lusim_lruvec[item]);
	}
}

static void block_free(struct page *head)
{
	unsigned long pfn = page_to_pfn(head);
	unsigned long i, n = 1UL << head->lusim_order;
	bool reported = false;

	block_free_check_stat(head);

	for (i = 0; i < n; i++) {
		if (!reported && lusim_kho_pfn_preserved(pfn + i)) {
			lusim_report("KHO-PRESERVED-FREED", head->lusim_site, NULL,
				     "freeing pfn %#lx (block %#lx order %u) that KHO still preserves",
				     pfn + i, pfn, head->lusim_order);
			reported = true;
		}
		page_clear(head + i);
		touch(head + i);
	}
	pa.live_blocks--;
	pa.live_pages -= n;
	pa.st.frees++;
	lusim_page_release_frames(pfn, n);
}

/*
 * Common checks of every free: @page must be the head of a live
 * allocation. Returns false (after a finding) otherwise.
 */
static bool check_head(const struct page *page, const char *site, const char *what)
{
	if (!page || !page_is_descriptor(page)) {
		lusim_report("PAGE-BAD-FREE", site, NULL,
			     "%s of %s, not a page descriptor", what,
			     page ? "a pointer" : "NULL");
		return false;
	}
	if (page->lusim_state == LUSIM_PAGE_NONE) {
		lusim_report("PAGE-DOUBLE-FREE", site, NULL,
			     "%s of pfn %#lx, which is not allocated", what,
			     page->lusim_pfn);
		return false;
	}
	if (page->lusim_state == LUSIM_PAGE_KHO) {
		lusim_report("PAGE-BAD-FREE", site, NULL,
			     "%s of pfn %#lx, reserved for KHO and never restored",
			     what, page->lusim_pfn);
		return false;
	}
	if (page->lusim_block != page) {
		lusim_report("PAGE-BAD-FREE", site, NULL,
			     "%s of pfn %#lx, inside the block at %#lx (order %u, %s)",
			     what, page->lusim_pfn, page->lusim_block->lusim_pfn,
			     page->lusim_block->lusim_order,
			     page->lusim_block->lusim_site);
		return false;
	}
	return true;
}

/* Drop one reference; true when it was the last one. */
static bool put_ref(struct page *head, const char *site)
{
	int count = atomic_read(&head->_refcount);

	if (count <= 0) {
		lusim_report("PAGE-REFCOUNT", site, NULL,
			     "put of pfn %#lx whose refcount is %d (allocated at %s)",
			     head->lusim_pfn, count, head->lusim_site);
		return false;
	}
	atomic_set(&head->_refcount, count - 1);
	return count == 1;
}

void lusim_free_pages(struct page *page, unsigned int order, const char *site)
{
	if (!check_head(page, site, "__free_pages()"))
		return;
	if (page->lusim_order != order) {
		lusim_report("PAGE-BAD-FREE", site, NULL,
			     "__free_pages() of pfn %#lx with order %u, allocated with order %u at %s",
			     page->lusim_pfn, order, page->lusim_order,
			     page->lusim_site);
		return;
	}
	if (put_ref(page, site))
		block_free(page);
}

void lusim_folio_put(struct folio *folio, const char *site)
{
	struct page *page = &folio->page;

	if (!check_head(page, site, "folio_put()"))
		return;
	if (put_ref(page, site))
		block_free(page);
}

void lusim_put_page(struct page *page, const char *site)
{
	if (!page || !page_is_descriptor(page)) {
		check_head(page, site, "put_page()");
		return;
	}
	lusim_folio_put(page_folio(page), site);
}

void (folio_put)(struct folio *folio)
{
	lusim_folio_put(folio, "folio_put");
}

void (put_page)(struct page *page)
{
	lusim_put_page(page, "put_page");
}

/* --- conversions --------------------------------------------------------- */

bool pfn_valid(unsigned long pfn)
{
	return pfn_in_range(pfn) &&
	       hw_mem_state(PFN_PHYS(pfn)) != HW_PAGE_NONE;
}

struct page *pfn_to_page(unsigned long pfn)
{
	pa.st.lookups++;
	pa.st.lookup_steps += 2;
	if (!pfn_valid(pfn)) {
		lusim_report("PAGE-BAD-PFN", NULL, NULL,
			     "pfn_to_page(%#lx): not a frame of simulated RAM", pfn);
		return NULL;
	}
	return __pfn_to_page(pfn);
}

void *page_address(const struct page *page)
{
	return hw_phys_to_virt(PFN_PHYS(page->lusim_pfn));
}

phys_addr_t virt_to_phys(const volatile void *addr)
{
	uint64_t phys = hw_virt_to_phys((const void *)addr);

	if (phys == HW_PHYS_NONE) {
		lusim_report("PAGE-BAD-VIRT", NULL, NULL,
			     "virt_to_phys() of an address that is not simulated RAM (a slab object or a stack variable?)");
		return 0;
	}
	return phys;
}

struct page *virt_to_page(const void *addr)
{
	uint64_t phys = hw_virt_to_phys(addr);

	pa.st.lookups++;
	pa.st.lookup_steps += 2;
	if (phys == HW_PHYS_NONE) {
		lusim_report("PAGE-BAD-VIRT", NULL, NULL,
			     "virt_to_page() of an address that is not simulated RAM (a slab object or a stack variable?)");
		return NULL;
	}
	return __pfn_to_page(PHYS_PFN(phys));
}

void *phys_to_virt(phys_addr_t phys)
{
	return hw_phys_to_virt(phys);
}

bool virt_addr_valid(const void *addr)
{
	uint64_t phys = hw_virt_to_phys(addr);

	return phys != HW_PHYS_NONE &&
	       hw_mem_state(phys) == HW_PAGE_ALLOCATED;
}

/* --- KHO support --------------------------------------------------------- */

int lusim_page_reserve_kho(unsigned long pfn, unsigned int order)
{
	unsigned long i, n = 1UL << order;
	struct page *head;

	if (!pfn_in_range(pfn) || !pfn_in_range(pfn + n - 1))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct page *page = __pfn_to_page(pfn + i);

		if (hw_mem_state(PFN_PHYS(pfn + i)) != HW_PAGE_ALLOCATED ||
		    page->lusim_state != LUSIM_PAGE_NONE)
			goto undo;
		page->lusim_state = LUSIM_PAGE_KHO;
		page->flags = 1UL << PG_reserved;
		touch(page);
	}
	head = __pfn_to_page(pfn);
	for (i = 0; i < n; i++)
		__pfn_to_page(pfn + i)->lusim_block = head;
	head->lusim_kho = 1;
	head->lusim_order = order;
	pa.reserved_pages += n;
	return 0;

undo:
	while (i--)
		page_clear(__pfn_to_page(pfn + i));
	return -EINVAL;
}

void lusim_page_unreserve_kho(unsigned long pfn, unsigned int order)
{
	unsigned long i, n = 1UL << order;

	for (i = 0; i < n; i++) {
		struct page *page = __pfn_to_page(pfn + i);

		if (!page || page->lusim_state != LUSIM_PAGE_KHO)
			continue;
		page_clear(page);
		pa.reserved_pages--;
	}
}

struct page *lusim_page_adopt_kho(unsigned long pfn, unsigned long nr_pages,
				  unsigned int order, bool compound,
				  const char *site)
{
	unsigned long i;

	for (i = 0; i < nr_pages; i++) {
		struct page *page = __pfn_to_page(pfn + i);

		if (!page || page->lusim_state != LUSIM_PAGE_KHO)
			return NULL;
	}
	pa.reserved_pages -= nr_pages;
	if (compound)
		return block_init(pfn, order, true, site);
	for (i = 0; i < nr_pages; i++)
		block_init(pfn + i, 0, false, site);
	return __pfn_to_page(pfn);
}

/* --- accounting ---------------------------------------------------------- */

unsigned long lusim_page_live_blocks(void)
{
	return pa.live_blocks;
}

unsigned long lusim_page_live_pages(void)
{
	return pa.live_pages;
}

unsigned long lusim_page_reserved_pages(void)
{
	return pa.reserved_pages;
}

unsigned long lusim_page_mark(void)
{
	return pa.seq;
}

struct leak_walk {
	unsigned long mark;
	struct page **heads;
	unsigned long nr, cap;
};

/* hw_mem_for_each() callback: collect our live heads allocated after mark */
static int collect_heads(uint64_t pfn, unsigned int order, void *arg)
{
	struct leak_walk *w = arg;
	unsigned long i, n = 1UL << order;

	for (i = 0; i < n; i++) {
		struct mem_section *ms = section_get(pfn + i, false);
		struct page *page;

		if (!ms)
			return 0;
		page = &ms->pages[(pfn + i) & (SECTION_PAGES - 1)];
		if (page->lusim_state != LUSIM_PAGE_ALLOC ||
		    page->lusim_block != page || page->lusim_seq <= w->mark)
			continue;
		if (w->nr == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 64;
			w->heads = realloc(w->heads, w->cap * sizeof(*w->heads));
			if (!w->heads)
				abort();
		}
		w->heads[w->nr++] = page;
	}
	return 0;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct page *pa_ = *(const struct page * const *)a;
	const struct page *pb = *(const struct page * const *)b;

	return pa_->lusim_seq < pb->lusim_seq ? -1 : pa_->lusim_seq > pb->lusim_seq;
}

static void collect(struct leak_walk *w, unsigned long mark)
{
	memset(w, 0, sizeof(*w));
	w->mark = mark;
	hw_mem_for_each(collect_heads, w);
	if (w->nr)
		qsort(w->heads, w->nr, sizeof(*w->heads), cmp_seq);
}

unsigned long lusim_page_check_leaks_since(unsigned long mark)
{
	char detail[LUSIM_FINDING_DETAIL_MAX];
	unsigned long i, pages = 0;
	struct leak_walk w;
	size_t len = 0;

	collect(&w, mark);
	if (!w.nr) {
		free(w.heads);
		return 0;
	}
	detail[0] = '\0';
	for (i = 0; i < w.nr; i++) {
		struct page *h = w.heads[i];

		pages += 1UL << h->lusim_order;
		if (len < sizeof(detail))
			len += snprintf(detail + len, sizeof(detail) - len,
					"  pfn %#lx order %u allocated at %s\n",
					h->lusim_pfn, h->lusim_order, h->lusim_site);
	}
	lusim_report("PAGE-LEAK", w.heads[0]->lusim_site, detail,
		     "%lu page block(s), %lu page(s) still allocated", w.nr, pages);
	i = w.nr;
	free(w.heads);
	return i;
}

unsigned long lusim_page_free_since(unsigned long mark)
{
	struct leak_walk w;
	unsigned long i, nr;

	collect(&w, mark);
	for (i = 0; i < w.nr; i++)
		block_free(w.heads[i]);
	nr = w.nr;
	free(w.heads);
	return nr;
}

void lusim_page_stats(struct lusim_page_stats *st)
{
	*st = pa.st;
	st->live_pages = pa.live_pages;
	st->sections = nr_sections;
}

/*
 * Forget every descriptor (power-on, and kexec: the old kernel's
 * allocations are gone; the machine keeps or drops the frames themselves).
 * Sections stay allocated; only their touched ranges are re-initialized.
 */
static void page_alloc_reset(void)
{
	struct mem_section *ms = dirty_sections;

	while (ms) {
		struct mem_section *next = ms->next_dirty;
		unsigned int i;

		for (i = ms->lo; i < ms->hi; i++)
			page_clear(&ms->pages[i]);
		ms->dirty = false;
		ms->next_dirty = NULL;
		ms = next;
	}
	dirty_sections = NULL;
	pa.live_blocks = 0;
	pa.live_pages = 0;
	pa.reserved_pages = 0;
	memset(&pa.st, 0, sizeof(pa.st));
	memset(node_stat, 0, sizeof(node_stat));
}
LUSIM_RESET_FN(page_alloc_reset, LUSIM_RESET_PRIO_SHIM)

/* Sequence numbers keep growing across kexec; only power-on restarts them. */
static void page_alloc_power_on(void)
{
	pa.seq = 0;
}
LUSIM_RESET_FN(page_alloc_power_on, LUSIM_RESET_PRIO_MACHINE)
