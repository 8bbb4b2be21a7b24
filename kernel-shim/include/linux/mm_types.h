/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/mm_types.h (struct page, struct folio),
 *             include/linux/page-flags.h (the few flags used here)
 * Models: the page descriptor of a frame of the simulated machine's memory
 *         (sim/hw). The kernel part keeps the kernel's layout and field
 *         names (flags, lru, mapping, index, private, page_type/_mapcount,
 *         _refcount, memcg_data, compound_head of tail pages), so overlays
 *         such as iommu-pages' struct ioptdesc line up with it; struct folio
 *         overlays the head page with the same fields. The lusim_* fields
 *         after them are the allocator's bookkeeping (not kernel API).
 *         Descriptors exist for every frame of simulated RAM (created per
 *         1024-frame section on first use, the kernel's SPARSEMEM): within a
 *         section `page + i` is the next frame, as with the kernel's memmap;
 *         an allocation never crosses a section.
 * Leaves out: LRU, page cache, mapcounts, memcg, the tail-page fields of
 *         large folios (_flags_1 etc.; the order is in lusim_order),
 *         zone/node bits in flags.
 */
#ifndef _LUSIM_LINUX_MM_TYPES_H
#define _LUSIM_LINUX_MM_TYPES_H

#include <linux/types.h>
#include <linux/compiler.h>

typedef unsigned long pgoff_t;
struct address_space;

/* page->flags bits (page-flags.h) */
enum pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_head,		/* head of a compound page / large folio */
	PG_reserved,		/* not handed out by the allocator (KHO) */
	PG_private,
	__NR_PAGEFLAGS,
};

/* lusim: what the allocator knows about a frame (page->lusim_state) */
enum lusim_page_state {
	LUSIM_PAGE_NONE = 0,	/* not owned by the kernel: free, or not yet seen */
	LUSIM_PAGE_ALLOC,	/* part of a live allocation */
	LUSIM_PAGE_KHO,		/* handed over by the previous kernel, not restored */
};

struct page {
	unsigned long flags;
	union {
		struct {	/* page cache, anonymous, allocator-owned pages */
			union {
				struct list_head lru;
				struct list_head buddy_list;
				struct list_head pcp_list;
			};
			struct address_space *mapping;
			union {
				pgoff_t index;
				unsigned long share;
			};
			unsigned long private;
		};
		struct {	/* tail pages of a compound page */
			unsigned long compound_head;	/* head | 1 */
		};
		struct rcu_head rcu_head;
	};
	union {
		unsigned int page_type;
		atomic_t _mapcount;
	};
	atomic_t _refcount;
	unsigned long memcg_data;

	/* lusim: allocator bookkeeping, not kernel API */
	unsigned long lusim_pfn;	/* fixed when the section is created */
	struct page *lusim_block;	/* first page of the allocation */
	const char *lusim_site;		/* head: allocation site "file:line" */
	unsigned long lusim_seq;	/* head: allocation sequence number */
	unsigned char lusim_state;	/* enum lusim_page_state */
	unsigned char lusim_order;	/* head: order of the allocation */
	unsigned char lusim_kho;	/* head: KHO magic present (restorable) */
	unsigned char lusim_compound;	/* head: allocated with __GFP_COMP */
	int lusim_lruvec[4];		/* head: pages accounted per node_stat_item */
};

/*
 * struct folio overlays the head page: same fields at the same offsets
 * (checked by static asserts in mm/page_alloc.c).
 */
struct folio {
	union {
		struct {
			unsigned long flags;
			union {
				struct list_head lru;
				struct {
					void *__filler;
					unsigned int mlock_count;
				};
			};
			struct address_space *mapping;
			pgoff_t index;
			union {
				void *private;
				unsigned long __private_ul;
			};
			atomic_t _mapcount;
			atomic_t _refcount;
			unsigned long memcg_data;
		};
		struct page page;
	};
};

#endif /* _LUSIM_LINUX_MM_TYPES_H */
