// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model of drivers/iommu/iommu-pages.c: translation-structure memory on the
 * page allocator (simulated memory).  See iommu-pages.h.
 */
#include <lusim/bugs.h>

#include "iommu-pages.h"
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/export.h>
#include <linux/kexec_handover.h>

#include <lusim/iommu-lu.h>

/*
 * The kernel's accounting of translation-structure memory: NR_IOMMU_PAGES
 * on the node, NR_SECONDARY_PAGETABLE on the folio's lruvec (the shim keeps
 * both, and what each folio carries).
 */
static void iommu_pages_account(struct folio *folio, long sign)
{
	const long pgcnt = sign * (long)folio_nr_pages(folio);

	mod_node_page_state(folio_pgdat(folio), NR_IOMMU_PAGES, pgcnt);
	lruvec_stat_mod_folio(folio, NR_SECONDARY_PAGETABLE, pgcnt);
}

unsigned long lusim_iommu_pages_count(void)
{
	return node_page_state(NODE_DATA(0), NR_IOMMU_PAGES);
}

/**
 * iommu_alloc_pages_node_sz - Allocate a zeroed page of a given size from
 *                             a specific NUMA node
 * @nid: memory NUMA node id (ignored)
 * @gfp: buddy allocator flags
 * @size: Memory size to allocate, rounded up to a power of 2
 *
 * Returns the virtual address of the allocated page, or NULL.  The page must
 * be freed with iommu_free_pages().
 */
void *iommu_alloc_pages_node_sz(int nid, gfp_t gfp, size_t size)
{
	struct folio *folio;
	unsigned int order;

	/* This uses page_address() on the memory. */
	if (WARN_ON(gfp & __GFP_HIGHMEM))
		return NULL;

	/*
	 * Currently sub page allocations result in a full page being returned.
	 */
	order = get_order(size);

	/*
	 * __folio_alloc_node() does not handle NUMA_NO_NODE like
	 * alloc_pages_node() did.
	 */
	if (nid == NUMA_NO_NODE)
		nid = numa_mem_id();

	folio = __folio_alloc_node(gfp | __GFP_ZERO, order, nid);
	if (unlikely(!folio))
		return NULL;

	iommu_pages_account(folio, 1);
	return folio_address(folio);
}
EXPORT_SYMBOL_GPL(iommu_alloc_pages_node_sz);

/**
 * iommu_free_pages - free pages
 * @virt: virtual address of the page to be freed.
 *
 * The page must have have been allocated by iommu_alloc_pages_node_sz()
 */
void iommu_free_pages(void *virt)
{
	struct folio *folio;

	if (!virt)
		return;
	folio = virt_to_folio(virt);
	iommu_pages_account(folio, -1);
	folio_put(folio);
}
EXPORT_SYMBOL_GPL(iommu_free_pages);

/**
 * iommu_put_pages_list - free a list of pages.
 * @list: The list of pages to be freed
 *
 * Frees a list of pages allocated by iommu_alloc_pages_node_sz().
 */
void iommu_put_pages_list(struct iommu_pages_list *list)
{
	struct folio *folio, *tmp;

	list_for_each_entry_safe(folio, tmp, &list->pages, lru) {
		list_del(&folio->lru);
		iommu_pages_account(folio, -1);
		folio_put(folio);
	}
}
EXPORT_SYMBOL_GPL(iommu_put_pages_list);

#if IS_ENABLED(CONFIG_IOMMU_LIVEUPDATE)
/**
 * iommu_preserve_page - KHO-preserve one allocation of this allocator
 * @virt: address returned by iommu_alloc_pages_node_sz()
 *
 * Return: 0 or the KHO error.  Preserving twice is idempotent (KHO keeps
 * a bit, not a count): whoever shares a page counts its users.
 */
int iommu_preserve_page(void *virt)
{
	return kho_preserve_folio(virt_to_folio(virt));
}
EXPORT_SYMBOL_GPL(iommu_preserve_page);

void iommu_unpreserve_page(void *virt)
{
	kho_unpreserve_folio(virt_to_folio(virt));
}
EXPORT_SYMBOL_GPL(iommu_unpreserve_page);

/**
 * iommu_unpreserve_pages - unpreserve the first @count pages of @list
 * @count: how many; less than zero: all of them
 */
void iommu_unpreserve_pages(struct iommu_pages_list *list, int count)
{
	struct folio *folio;

	if (!count)
		return;

	/* If less than zero then unpreserve all pages. */
	if (count < 0)
		count = 0;

	list_for_each_entry(folio, &list->pages, lru) {
		kho_unpreserve_folio(folio);
		if (count > 0 && --count == 0)
			break;
	}
}
EXPORT_SYMBOL_GPL(iommu_unpreserve_pages);

/**
 * iommu_preserve_pages - preserve every page of @list
 *
 * Return: 0, or the KHO error with the pages preserved so far unpreserved.
 */
int iommu_preserve_pages(struct iommu_pages_list *list)
{
	struct folio *folio;
	int count = 0;
	int ret;

	list_for_each_entry(folio, &list->pages, lru) {
		ret = kho_preserve_folio(folio);
		if (ret) {
			iommu_unpreserve_pages(list, count);
			return ret;
		}

		++count;
	}

	return 0;
}
EXPORT_SYMBOL_GPL(iommu_preserve_pages);

/**
 * iommu_restore_page - adopt a preserved page in the new kernel
 * @phys: its physical address (the head of the preserved allocation)
 *
 * The page becomes this allocator's again, accounted as a fresh
 * allocation, so iommu_free_pages() releases it.  A page that was not
 * preserved (or is restored twice) is a BUG(): the device may be DMAing
 * through it.
 */
void iommu_restore_page(u64 phys)
{
	struct folio *folio;

	folio = kho_restore_folio(phys);
	BUG_ON(!folio);

	/*
	 * RB-12 (switch): RFC v1's VT-d driver restored its tables with raw
	 * KHO folio calls, so the allocator's accounting was not rebuilt.
	 */
	if (lusim_bug_enabled("RB-12"))
		return;

	iommu_pages_account(folio, 1);
}
EXPORT_SYMBOL_GPL(iommu_restore_page);
#endif
