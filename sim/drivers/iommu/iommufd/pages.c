// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: drivers/iommu/iommufd/pages.c (kernel model)
 *
 * The iopt_pages is the center of the storage and motion of PFNs. Each
 * iopt_pages represents a logical linear array of full PFNs. The array is 0
 * based and has npages in it. Accessors use 'index' to refer to the entry in
 * this logical array, regardless of its storage location.
 *
 * Models: iopt_alloc_pages / iopt_alloc_user_pages / iopt_alloc_file_pages
 * and iopt_release_pages with the kernel's field conventions (uptr and file
 * start rounded down to a page, npages covering the first byte's page
 * through the last's), and filling/unfilling an area into one domain or
 * into all domains of its io_pagetable with rollback on failure.
 *
 * Simplified (lusim): the kernel pins pages lazily, through a pfn reader,
 * while it fills domains or serves accesses, and unpins them when the last
 * user goes; here the whole range is pinned once, when the mapping is made
 * (lusim_iopt_pages_pin), and unpinned when the iopt_pages is released. For
 * IOPT_ADDRESS_USER the "user memory" is anonymous memory that the process
 * never touched: each page is a fresh zeroed page from the page allocator
 * (two maps of the same user_va get different pages; the process has no
 * page tables in the model). For IOPT_ADDRESS_FILE the memfd's page-cache
 * folios are pinned with memfd_pin_folios(), so a truncate of the memfd
 * while mapped leaves the pinned pages with the IOMMU, as in the kernel.
 * No accounting against RLIMIT_MEMLOCK.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "io_pagetable.h"
#include "iommufd_private.h"

static struct iopt_pages *iopt_alloc_pages(unsigned long start_byte,
					   unsigned long length, bool writable)
{
	struct iopt_pages *pages;

	/*
	 * The iommu API uses size_t as the length, and protect the DIV_ROUND_UP
	 * below from overflow
	 */
	if (length > SIZE_MAX - PAGE_SIZE || length == 0)
		return ERR_PTR(-EINVAL);

	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);

	kref_init(&pages->kref);
	mutex_init(&pages->mutex);
	pages->writable = writable;
	pages->account_mode = IOPT_PAGES_ACCOUNT_NONE;
	pages->npages = DIV_ROUND_UP(length + start_byte, PAGE_SIZE);
	return pages;
}

struct iopt_pages *iopt_alloc_user_pages(void __user *uptr,
					 unsigned long length, bool writable)
{
	struct iopt_pages *pages;
	unsigned long end;
	void __user *uptr_down =
		(void __user *)ALIGN_DOWN((uintptr_t)uptr, PAGE_SIZE);

	if (check_add_overflow((unsigned long)uptr, length, &end))
		return ERR_PTR(-EOVERFLOW);

	pages = iopt_alloc_pages(uptr - uptr_down, length, writable);
	if (IS_ERR(pages))
		return pages;
	pages->uptr = uptr_down;
	pages->type = IOPT_ADDRESS_USER;
	return pages;
}

struct iopt_pages *iopt_alloc_file_pages(struct file *file,
					 unsigned long start_byte,
					 unsigned long start,
					 unsigned long length, bool writable)

{
	struct iopt_pages *pages;
	int seals;

	pages = iopt_alloc_pages(start_byte, length, writable);
	if (IS_ERR(pages))
		return pages;
	pages->file = get_file(file);
	pages->start = start - start_byte;
	pages->type = IOPT_ADDRESS_FILE;

	/*
	 * Live update: a preserved HWPT may only map memory whose size could
	 * not change since it was mapped, i.e. a memfd sealed against growing
	 * and shrinking (and against unsealing) at map time.
	 */
	pages->seals = 0;
	seals = memfd_get_seals(file);
	if (seals > 0)
		pages->seals = seals;

	return pages;
}

static void lusim_iopt_pages_unpin(struct iopt_pages *pages)
{
	size_t i;

	if (!pages->lusim_folios)
		return;
	for (i = 0; i != pages->npinned; i++)
		folio_put(pages->lusim_folios[i]);	/* unpin_folio() */
	pages->npinned = 0;
	kvfree(pages->lusim_folios);
	pages->lusim_folios = NULL;
}

void iopt_release_pages(struct kref *kref)
{
	struct iopt_pages *pages = container_of(kref, struct iopt_pages, kref);

	lusim_iopt_pages_unpin(pages);
	WARN_ON(pages->npinned);
	if (pages->type == IOPT_ADDRESS_FILE)
		fput(pages->file);
	mutex_destroy(&pages->mutex);
	kfree(pages);
}

/*
 * lusim: pin every page of @pages. User memory: fresh zeroed anonymous
 * pages. File memory: the memfd's folios of [start, start + npages pages),
 * allocated in the page cache if they are holes, -EINVAL past EOF or for a
 * file that is not a memfd (memfd_pin_folios()).
 */
int lusim_iopt_pages_pin(struct iopt_pages *pages)
{
	size_t i;
	long rc;

	if (WARN_ON(pages->lusim_folios))
		return -EINVAL;
	pages->lusim_folios = kvcalloc(pages->npages,
				       sizeof(*pages->lusim_folios),
				       GFP_KERNEL_ACCOUNT);
	if (!pages->lusim_folios)
		return -ENOMEM;

	mutex_lock(&pages->mutex);
	if (pages->type == IOPT_ADDRESS_FILE) {
		pgoff_t offset;
		loff_t start = pages->start;
		loff_t end = start + (loff_t)pages->npages * PAGE_SIZE - 1;

		rc = memfd_pin_folios(pages->file, start, end,
				      pages->lusim_folios, pages->npages,
				      &offset);
		if (rc >= 0 && (size_t)rc != pages->npages) {
			/* only order-0 folios in the model: one per page */
			unpin_folios(pages->lusim_folios, rc);
			rc = -EFAULT;
		}
		if (rc >= 0)
			pages->npinned = pages->npages;
		rc = rc < 0 ? rc : 0;
	} else {
		rc = 0;
		for (i = 0; i != pages->npages; i++) {
			struct folio *folio;

			folio = folio_alloc(GFP_HIGHUSER | __GFP_ZERO, 0);
			if (!folio) {
				rc = -ENOMEM;
				break;
			}
			pages->lusim_folios[i] = folio;
			pages->npinned++;
		}
	}
	if (rc)
		lusim_iopt_pages_unpin(pages);
	else
		pages->last_npinned = pages->npinned;
	mutex_unlock(&pages->mutex);
	return rc;
}

phys_addr_t lusim_iopt_pages_phys(struct iopt_pages *pages,
				  unsigned long index)
{
	if (WARN_ON(index >= pages->npinned))
		return 0;
	return folio_phys(pages->lusim_folios[index]);
}

/**
 * iopt_area_fill_domain() - Map PFNs from the area into a domain
 * @area: IOVA area to use
 * @domain: Domain to load PFNs into
 *
 * Read the pfns from the area's underlying iopt_pages and map them into the
 * given domain. Called when attaching a new domain to an io_pagetable.
 * Physically contiguous runs are mapped with one iommu_map(), which splits
 * them into the page sizes the domain supports.
 */
static int __iopt_area_fill_domain(struct iopt_area *area,
				   struct iopt_pages *pages,
				   struct iommu_domain *domain)
{
	unsigned long index = iopt_area_index(area);
	unsigned long last = iopt_area_last_index(area);
	unsigned long iova = iopt_area_iova(area);
	unsigned long mapped = 0;
	int rc;

	lockdep_assert_held(&pages->mutex);

	while (index <= last) {
		phys_addr_t start = lusim_iopt_pages_phys(pages, index);
		unsigned long n = 1;

		while (index + n <= last &&
		       lusim_iopt_pages_phys(pages, index + n) ==
			       start + n * PAGE_SIZE)
			n++;
		rc = iommu_map(domain, iova + mapped, start, n * PAGE_SIZE,
			       area->iommu_prot, GFP_KERNEL_ACCOUNT);
		if (rc)
			goto out_unmap;
		mapped += n * PAGE_SIZE;
		index += n;
	}
	return 0;

out_unmap:
	if (mapped)
		WARN_ON(iommu_unmap(domain, iova, mapped) != mapped);
	return rc;
}

int iopt_area_fill_domain(struct iopt_area *area, struct iommu_domain *domain)
{
	return __iopt_area_fill_domain(area, area->pages, domain);
}

void iopt_area_unfill_domain(struct iopt_area *area, struct iopt_pages *pages,
			     struct iommu_domain *domain)
{
	size_t unmapped;

	unmapped = iommu_unmap(domain, iopt_area_iova(area),
			       iopt_area_length(area));
	WARN_ON(unmapped != iopt_area_length(area));
}

/**
 * iopt_area_fill_domains() - Install PFNs into the area's domains
 * @area: The area to act on
 * @pages: The pages associated with the area (area->pages is NULL)
 *
 * Called during area creation. The area is freshly created and not inserted
 * in the domains_itree yet. PFNs are read and loaded into every domain held
 * in the area's io_pagetable and the area is installed in the domains_itree.
 *
 * On failure all domains are left unchanged.
 */
int iopt_area_fill_domains(struct iopt_area *area, struct iopt_pages *pages)
{
	struct iommu_domain *domain;
	unsigned long unmap_index;
	unsigned long index;
	int rc = 0;

	lockdep_assert_held(&area->iopt->domains_rwsem);

	if (xa_empty(&area->iopt->domains))
		return 0;

	mutex_lock(&pages->mutex);
	xa_for_each(&area->iopt->domains, index, domain) {
		rc = __iopt_area_fill_domain(area, pages, domain);
		if (rc)
			goto out_unmap;
	}
	mutex_unlock(&pages->mutex);
	return 0;

out_unmap:
	xa_for_each(&area->iopt->domains, unmap_index, domain) {
		if (unmap_index >= index)
			break;
		iopt_area_unfill_domain(area, pages, domain);
	}
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * iopt_area_unfill_domains() - unmap PFNs from the area's domains
 * @area: The area to act on
 * @pages: The pages associated with the area (area->pages is NULL)
 *
 * Called during area destruction. This unmaps the iova's covered by all the
 * area's domains.
 */
void iopt_area_unfill_domains(struct iopt_area *area, struct iopt_pages *pages)
{
	struct io_pagetable *iopt = area->iopt;
	struct iommu_domain *domain;
	unsigned long index;

	lockdep_assert_held(&iopt->domains_rwsem);

	mutex_lock(&pages->mutex);
	xa_for_each(&iopt->domains, index, domain)
		iopt_area_unfill_domain(area, pages, domain);
	mutex_unlock(&pages->mutex);
}
