/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Model of drivers/iommu/iommu-pages.h: memory for IOMMU translation
 * structures (root, context and PASID tables, page tables).  They come from
 * the page allocator, i.e. from the simulated machine's memory, so what a
 * driver writes through the returned pointer is what the hardware walks.
 * Pages are always zeroed; the size is rounded up to a power-of-two number
 * of pages.  A page-allocation failure (LUSIM_FAULT_PAGE) returns NULL.
 *
 * The live-update helpers of the series (v1 04/14): a driver preserves,
 * unpreserves and restores its table pages through these, never with raw
 * KHO calls (RB-12), so the allocator's accounting is rebuilt for restored
 * pages: iommu_preserve_page()/iommu_unpreserve_page() for one allocation,
 * iommu_preserve_pages()/iommu_unpreserve_pages() for a list,
 * iommu_restore_page() in the new kernel (BUG when the page was not
 * preserved, as the kernel).  Accounting is the kernel's: NR_IOMMU_PAGES
 * on the node and NR_SECONDARY_PAGETABLE on the folio, through the shim's
 * vmstat, which also checks each folio's balance (VMSTAT-UNBALANCED);
 * lusim_iommu_pages_count() (<lusim/iommu-lu.h>) reads NR_IOMMU_PAGES.
 *
 * Left out: NUMA placement (nid is ignored), the ioptdesc overlay (lists
 * link folio->lru, which is where the kernel's iopt_freelist_elm sits),
 * incoherent (non-coherent walk) pages.
 */
#ifndef __IOMMU_PAGES_H
#define __IOMMU_PAGES_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/kconfig.h>

#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE	(-1)
#endif

/* A list of table pages to free after the IOTLB flush that unlinked them. */
struct iommu_pages_list {
	struct list_head pages;
};

#define IOMMU_PAGES_LIST_INIT(name) \
	((struct iommu_pages_list){ .pages = LIST_HEAD_INIT(name.pages) })

void *iommu_alloc_pages_node_sz(int nid, gfp_t gfp, size_t size);
void iommu_free_pages(void *virt);
void iommu_put_pages_list(struct iommu_pages_list *list);

#if IS_ENABLED(CONFIG_IOMMU_LIVEUPDATE)
int iommu_preserve_page(void *virt);
void iommu_unpreserve_page(void *virt);
int iommu_preserve_pages(struct iommu_pages_list *list);
void iommu_unpreserve_pages(struct iommu_pages_list *list, int count);
void iommu_restore_page(u64 phys);
#endif

/**
 * iommu_pages_list_add - add the page to a iommu_pages_list
 * @list: List to add the page to
 * @virt: Address returned from iommu_alloc_pages_node_sz()
 */
static inline void iommu_pages_list_add(struct iommu_pages_list *list,
					void *virt)
{
	list_add_tail(&virt_to_folio(virt)->lru, &list->pages);
}

static inline bool iommu_pages_list_empty(struct iommu_pages_list *list)
{
	return list_empty(&list->pages);
}

/**
 * iommu_alloc_pages_sz - Allocate a zeroed page of a given size from
 *                        the simulated memory
 * @gfp: buddy allocator flags
 * @size: Memory size to allocate, this is rounded up to a power of 2
 *
 * Returns the virtual address of the allocated page.
 */
static inline void *iommu_alloc_pages_sz(gfp_t gfp, size_t size)
{
	return iommu_alloc_pages_node_sz(NUMA_NO_NODE, gfp, size);
}

#endif	/* __IOMMU_PAGES_H */
