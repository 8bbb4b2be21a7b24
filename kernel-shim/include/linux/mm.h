/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/mm.h, gfp.h (the page allocator part), vmstat.h
 *             (the counters iommu-pages touches), asm/page.h, asm/io.h
 *             (virt_to_phys, phys_to_virt), asm-generic/getorder.h
 * Models: the page allocator on the simulated machine's memory (sim/hw):
 *         the kernel's memory IS the machine's memory, so a page table the
 *         driver writes is bytes the IOMMU walks, and KHO decides what
 *         survives a kexec. alloc_pages / alloc_page / alloc_pages_node /
 *         __get_free_pages / get_zeroed_page / __free_pages / free_pages /
 *         free_page, folios (folio_alloc, __folio_alloc_node, folio_put,
 *         folio_get, folio_address, folio_order, folio_pfn, folio_size,
 *         folio_nr_pages, page_folio, folio_page, virt_to_folio), page <->
 *         pfn <-> phys <-> virt conversions, page refcounts (get_page /
 *         put_page), PAGE_SIZE & co.
 *         Every allocation is a sleep point for a blocking gfp
 *         (might_alloc()) and a LUSIM_FAULT_PAGE fault point (not with
 *         __GFP_NOFAIL): an injected failure returns NULL. Frames come from
 *         hw_mem_alloc() (deterministic addresses; contents zeroed with
 *         __GFP_ZERO, else the machine's "uninitialised" fill); freed frames
 *         are poisoned by the machine. Leak accounting like slab's: marks,
 *         lusim_page_check_leaks_since() -> finding PAGE-LEAK listing each
 *         block's allocation site.
 *         After a kexec, frames the previous kernel preserved with KHO are
 *         reserved (not handed out) until kho_restore_folio()/_pages()
 *         adopts them; everything else is free.
 *         Finding ids: PAGE-LEAK, PAGE-DOUBLE-FREE (free of a frame that is
 *         not allocated), PAGE-BAD-FREE (not the head of an allocation, or
 *         the wrong order), PAGE-REFCOUNT (put of a page whose count is
 *         already 0), PAGE-BAD-VIRT (virt_to_phys()/virt_to_page() of memory
 *         that is not simulated RAM, e.g. a slab object: in the kernel that
 *         would be a linear-map address, here it has no physical address),
 *         PAGE-BAD-PFN (pfn outside simulated RAM), KHO-PRESERVED-FREED
 *         (a frame still preserved by KHO is freed: the next kernel would
 *         reserve memory that is no longer what was preserved).
 * Leaves out: zones, nodes (the _node variants ignore the node), NUMA,
 *         highmem (all memory is mapped: page_address() always works),
 *         reclaim, compaction, split_page, non-compound tail refcounts (a
 *         __free_pages() of a non-compound block frees it whole), vmalloc,
 *         memcg, vmstat (the counters are no-ops).
 */
#ifndef _LUSIM_LINUX_MM_H
#define _LUSIM_LINUX_MM_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/atomic.h>
#include <linux/mm_types.h>
#include <linux/log2.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr)	ALIGN(addr, PAGE_SIZE)
#define PAGE_ALIGN_DOWN(addr)	ALIGN_DOWN(addr, PAGE_SIZE)
#define PAGE_ALIGNED(addr)	IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)

#define MAX_PAGE_ORDER		10
#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES	(1 << MAX_PAGE_ORDER)

#define PFN_ALIGN(x)		(((unsigned long)(x) + (PAGE_SIZE - 1)) & PAGE_MASK)
#define PFN_UP(x)		(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)		((x) >> PAGE_SHIFT)
#define PFN_PHYS(x)		((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x)		((unsigned long)((x) >> PAGE_SHIFT))

/* asm-generic/getorder.h: smallest order whose block holds @size bytes */
static inline int get_order(unsigned long size)
{
	int order = 0;

	if (size <= PAGE_SIZE)
		return 0;
	size = (size - 1) >> PAGE_SHIFT;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

#define numa_node_id()		0
#define numa_mem_id()		0
#define page_to_nid(page)	((void)(page), 0)

/* --- allocation ---------------------------------------------------------- */

struct page *lusim_alloc_pages(gfp_t gfp, unsigned int order,
			       const char *site, const char *func);
struct folio *lusim_folio_alloc(gfp_t gfp, unsigned int order,
				const char *site, const char *func);
void lusim_free_pages(struct page *page, unsigned int order, const char *site);
void lusim_folio_put(struct folio *folio, const char *site);
void lusim_put_page(struct page *page, const char *site);

#define alloc_pages(gfp, order)						\
	lusim_alloc_pages(gfp, order, LUSIM_SITE, __func__)
#define alloc_page(gfp)		alloc_pages(gfp, 0)
#define alloc_pages_node(nid, gfp, order)				\
	((void)(nid), alloc_pages(gfp, order))
#define __alloc_pages_node(nid, gfp, order)				\
	alloc_pages_node(nid, gfp, order)
#define folio_alloc(gfp, order)						\
	lusim_folio_alloc(gfp, order, LUSIM_SITE, __func__)
#define __folio_alloc_node(gfp, order, nid)				\
	((void)(nid), folio_alloc(gfp, order))
#define folio_alloc_node(gfp, order, nid)	__folio_alloc_node(gfp, order, nid)

#define __get_free_pages(gfp, order) ({					\
	struct page *__p = lusim_alloc_pages(gfp, order, LUSIM_SITE, __func__); \
	__p ? (unsigned long)page_address(__p) : 0UL; })
#define __get_free_page(gfp)	__get_free_pages(gfp, 0)
#define get_zeroed_page(gfp)	__get_free_pages((gfp) | __GFP_ZERO, 0)

#define __free_pages(page, order)	lusim_free_pages(page, order, LUSIM_SITE)
#define __free_page(page)		__free_pages(page, 0)
#define free_pages(addr, order) ({					\
	unsigned long __a = (addr);					\
	if (__a)							\
		lusim_free_pages(virt_to_page((void *)__a), order, LUSIM_SITE); })
#define free_page(addr)			free_pages(addr, 0)

/*
 * Real functions too (for code that takes their address or uses them in a
 * DEFINE_FREE); the parentheses keep the macros from expanding here.
 */
void (folio_put)(struct folio *folio);
void (put_page)(struct page *page);
#define folio_put(folio)	lusim_folio_put(folio, LUSIM_SITE)
#define put_page(page)		lusim_put_page(page, LUSIM_SITE)

/* --- conversions --------------------------------------------------------- */

struct page *pfn_to_page(unsigned long pfn);
void *page_address(const struct page *page);
struct page *virt_to_page(const void *addr);
phys_addr_t virt_to_phys(const volatile void *addr);
void *phys_to_virt(phys_addr_t phys);
bool virt_addr_valid(const void *addr);
bool pfn_valid(unsigned long pfn);

static inline unsigned long page_to_pfn(const struct page *page)
{
	return page->lusim_pfn;
}

static inline phys_addr_t page_to_phys(const struct page *page)
{
	return PFN_PHYS(page_to_pfn(page));
}

#define page_to_virt(page)	page_address(page)
#define lowmem_page_address(page) page_address(page)
#define __pa(x)			virt_to_phys((void *)(x))
#define __va(x)			phys_to_virt((phys_addr_t)(x))
#define nth_page(page, n)	pfn_to_page(page_to_pfn(page) + (n))
#define phys_to_page(phys)	pfn_to_page(PHYS_PFN(phys))

/* --- folios and compound pages ------------------------------------------- */

static inline struct page *compound_head(const struct page *page)
{
	unsigned long head = READ_ONCE(page->compound_head);

	if (head & 1)
		return (struct page *)(head - 1);
	return (struct page *)page;
}

static inline bool PageTail(const struct page *page)
{
	return READ_ONCE(page->compound_head) & 1;
}

static inline bool PageHead(const struct page *page)
{
	return page->flags & (1UL << PG_head);
}

static inline bool PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

static inline bool PageReserved(const struct page *page)
{
	return page->flags & (1UL << PG_reserved);
}

#define page_folio(p)		((struct folio *)compound_head(p))
#define folio_page(folio, n)	(&(folio)->page + (n))
#define virt_to_folio(addr)	page_folio(virt_to_page(addr))

static inline bool folio_test_large(const struct folio *folio)
{
	return folio->flags & (1UL << PG_head);
}

static inline unsigned int folio_order(const struct folio *folio)
{
	return folio_test_large(folio) ? folio->page.lusim_order : 0;
}

static inline unsigned long folio_nr_pages(const struct folio *folio)
{
	return 1UL << folio_order(folio);
}

static inline size_t folio_size(const struct folio *folio)
{
	return PAGE_SIZE << folio_order(folio);
}

static inline unsigned int folio_shift(const struct folio *folio)
{
	return PAGE_SHIFT + folio_order(folio);
}

static inline unsigned long folio_pfn(const struct folio *folio)
{
	return page_to_pfn(&folio->page);
}

static inline phys_addr_t folio_phys(const struct folio *folio)
{
	return page_to_phys(&folio->page);
}

static inline void *folio_address(const struct folio *folio)
{
	return page_address(&folio->page);
}

static inline unsigned int compound_order(const struct page *page)
{
	if (!PageHead(page))
		return 0;
	return page->lusim_order;
}

/* --- reference counts ---------------------------------------------------- */

static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}

static inline int page_count(const struct page *page)
{
	return page_ref_count(compound_head(page));
}

static inline int folio_ref_count(const struct folio *folio)
{
	return page_ref_count(&folio->page);
}

static inline void folio_get(struct folio *folio)
{
	atomic_inc(&folio->_refcount);
}

static inline void get_page(struct page *page)
{
	folio_get(page_folio(page));
}

static inline bool folio_try_get(struct folio *folio)
{
	return atomic_inc_not_zero(&folio->_refcount);
}

/* --- vmstat --------------------------------------------------------------- */

enum node_stat_item {
	NR_IOMMU_PAGES,
	NR_SECONDARY_PAGETABLE,
	NR_PAGETABLE,
	NR_KERNEL_MISC_RECLAIMABLE,
	NR_VM_NODE_STAT_ITEMS
};
struct pglist_data;
typedef struct pglist_data pg_data_t;

/*
 * One node (pgdat is NULL). The node counters are real: kernel state, reset
 * at kexec. lusim also keeps, per folio, what lruvec_stat_mod_folio()
 * accounted to it, and reports VMSTAT-UNBALANCED when a decrement takes a
 * folio below zero (it was never accounted: e.g. memory restored from KHO
 * without its allocator's accounting) or a folio is freed with something
 * still accounted to it (docs/kernel-shim-mem.md).
 */
#define folio_pgdat(folio)	((void)(folio), (struct pglist_data *)NULL)
#define page_pgdat(page)	((void)(page), (struct pglist_data *)NULL)
#define NODE_DATA(nid)		((void)(nid), (struct pglist_data *)NULL)

void lusim_mod_node_page_state(enum node_stat_item item, long delta,
			       const char *site);
void lusim_lruvec_stat_mod_folio(struct folio *folio, enum node_stat_item item,
				 long delta, const char *site);
long global_node_page_state(enum node_stat_item item);

#define mod_node_page_state(pgdat, item, delta)				\
	do {								\
		(void)(pgdat);						\
		lusim_mod_node_page_state(item, delta, LUSIM_SITE);	\
	} while (0)
#define lruvec_stat_mod_folio(folio, item, delta)			\
	lusim_lruvec_stat_mod_folio(folio, item, delta, LUSIM_SITE)
#define mod_lruvec_page_state(page, item, delta)			\
	lusim_lruvec_stat_mod_folio(page_folio(page), item, delta,	\
				    LUSIM_SITE)
#define node_page_state(pgdat, item)					\
	((void)(pgdat), (unsigned long)global_node_page_state(item))

/* --- lusim: accounting, leak check, statistics ---------------------------- */

/* Blocks / frames allocated and not freed (KHO-reserved frames excluded). */
unsigned long lusim_page_live_blocks(void);
unsigned long lusim_page_live_pages(void);
/* Frames reserved for KHO restore (handed over, not yet restored). */
unsigned long lusim_page_reserved_pages(void);

/* A mark: blocks allocated (or restored) after it are "new"; 0 = boot. */
unsigned long lusim_page_mark(void);
/*
 * Report every block allocated after @mark and still live as one PAGE-LEAK
 * finding (detail: each block's site, pfn and order, in allocation order).
 * Returns the number of leaked blocks.
 */
unsigned long lusim_page_check_leaks_since(unsigned long mark);
static inline unsigned long lusim_page_check_leaks(void)
{
	return lusim_page_check_leaks_since(0);
}
/* Free every block allocated after @mark, without a report. */
unsigned long lusim_page_free_since(unsigned long mark);

struct lusim_page_stats {
	unsigned long allocs;		/* successful allocations */
	unsigned long frees;		/* blocks freed */
	unsigned long failed;		/* allocations that returned NULL */
	unsigned long live_pages;
	unsigned long peak_pages;
	unsigned long sections;		/* 1024-frame descriptor sections made */
	unsigned long lookups;		/* pfn_to_page / virt_to_page calls */
	unsigned long lookup_steps;	/* table levels walked by them (2 each) */
};
void lusim_page_stats(struct lusim_page_stats *st);

/*
 * Used by KHO (kexec_handover.c), not kernel API: make the frames of a
 * handed-over chunk reserved, adopt a reserved chunk as an allocation, and
 * give frames that nobody owns back to the machine.
 */
int lusim_page_reserve_kho(unsigned long pfn, unsigned int order);
void lusim_page_unreserve_kho(unsigned long pfn, unsigned int order);
struct page *lusim_page_adopt_kho(unsigned long pfn, unsigned long nr_pages,
				  unsigned int order, bool compound,
				  const char *site);
void lusim_page_release_frames(unsigned long pfn, unsigned long nr_pages);

#endif /* _LUSIM_LINUX_MM_H */
