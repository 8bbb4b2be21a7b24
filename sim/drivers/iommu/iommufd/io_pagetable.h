/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: drivers/iommu/iommufd/io_pagetable.h (kernel model)
 * Models: struct iopt_area (an IOVA range in the area_itree, pointing at the
 *         pages that back it), struct iopt_allowed / iopt_reserved (the
 *         reserved_itree: IOVA outside a domain's aperture, device reserved
 *         regions), struct iopt_pages (user memory or a memfd range, with
 *         the kernel's type/uptr/file/start fields), the area/reserved
 *         iterators with their lockdep annotations, the pages refcount.
 * Leaves out: pfn batches and the pfn reader, access (CPU) pinning and the
 *         access_itree, the domains_itree of areas per pages, storage
 *         domains, dmabuf pages, COPY's partial areas. Pages are pinned
 *         once, when the mapping is created (lusim_folios, see pages.c).
 */
#ifndef _LUSIM_IOMMUFD_IO_PAGETABLE_H
#define _LUSIM_IOMMUFD_IO_PAGETABLE_H

#include <linux/interval_tree.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "iommufd_private.h"

struct folio;
struct iommu_domain;

/*
 * Each io_pagetable is composed of intervals of areas which cover regions of
 * the iova that are backed by something. iova not covered by areas is not
 * populated in the page table. Each area is fully populated with pages.
 *
 * iovas are in byte units, but must be iopt->iova_alignment aligned.
 *
 * pages can be NULL, this means some other thread is still working on setting
 * up or tearing down the area. When observed under the write side of the
 * domain_rwsem a NULL pages must mean the area is still being setup and no
 * domains are filled.
 */
struct iopt_area {
	struct interval_tree_node node;
	/* [first, last] PAGE_SIZE index of @pages this area covers */
	struct interval_tree_node pages_node;
	struct io_pagetable *iopt;
	struct iopt_pages *pages;
	/* How many bytes into the first page the area starts */
	unsigned int page_offset;
	/* IOMMU_READ, IOMMU_WRITE, etc */
	int iommu_prot;
	bool prevent_access : 1;
	unsigned int num_accesses;
	unsigned int num_locks;
};

struct iopt_pages_list {
	struct iopt_pages *pages;
	struct iopt_area *area;
	struct list_head next;
	unsigned long start_byte;
	unsigned long length;
};

struct iopt_allowed {
	struct interval_tree_node node;
};

struct iopt_reserved {
	struct interval_tree_node node;
	void *owner;
};

int iopt_area_fill_domains(struct iopt_area *area, struct iopt_pages *pages);
void iopt_area_unfill_domains(struct iopt_area *area, struct iopt_pages *pages);

int iopt_area_fill_domain(struct iopt_area *area, struct iommu_domain *domain);
void iopt_area_unfill_domain(struct iopt_area *area, struct iopt_pages *pages,
			     struct iommu_domain *domain);

static inline unsigned long iopt_area_index(struct iopt_area *area)
{
	return area->pages_node.start;
}

static inline unsigned long iopt_area_last_index(struct iopt_area *area)
{
	return area->pages_node.last;
}

static inline unsigned long iopt_area_iova(struct iopt_area *area)
{
	return area->node.start;
}

static inline unsigned long iopt_area_last_iova(struct iopt_area *area)
{
	return area->node.last;
}

static inline size_t iopt_area_length(struct iopt_area *area)
{
	return (area->node.last - area->node.start) + 1;
}

/*
 * Number of bytes from the start of the iopt_pages that the iova begins.
 * iopt_area_start_byte() / PAGE_SIZE encodes the starting page index
 * iopt_area_start_byte() % PAGE_SIZE encodes the offset within that page
 */
static inline unsigned long iopt_area_start_byte(struct iopt_area *area,
						 unsigned long iova)
{
	return (iova - iopt_area_iova(area)) + area->page_offset +
	       iopt_area_index(area) * PAGE_SIZE;
}

#define __make_iopt_iter(name)                                                 \
	static inline struct iopt_##name *iopt_##name##_iter_first(            \
		struct io_pagetable *iopt, unsigned long start,                \
		unsigned long last)                                            \
	{                                                                      \
		struct interval_tree_node *node;                               \
									       \
		lockdep_assert_held(&iopt->iova_rwsem);                        \
		node = interval_tree_iter_first(&iopt->name##_itree, start,    \
						last);                         \
		if (!node)                                                     \
			return NULL;                                           \
		return container_of(node, struct iopt_##name, node);           \
	}                                                                      \
	static inline struct iopt_##name *iopt_##name##_iter_next(             \
		struct iopt_##name *last_node, unsigned long start,            \
		unsigned long last)                                            \
	{                                                                      \
		struct interval_tree_node *node;                               \
									       \
		node = interval_tree_iter_next(&last_node->node, start, last); \
		if (!node)                                                     \
			return NULL;                                           \
		return container_of(node, struct iopt_##name, node);           \
	}

__make_iopt_iter(area)
__make_iopt_iter(allowed)
__make_iopt_iter(reserved)

enum {
	IOPT_PAGES_ACCOUNT_NONE = 0,
	IOPT_PAGES_ACCOUNT_USER = 1,
	IOPT_PAGES_ACCOUNT_MM = 2,
	IOPT_PAGES_ACCOUNT_MODE_NUM = 3,
};

enum iopt_address_type {
	IOPT_ADDRESS_USER = 0,
	IOPT_ADDRESS_FILE,
	IOPT_ADDRESS_DMABUF,
};

/*
 * This holds a pinned page list for multiple areas of IO address space. The
 * pages always originate from a linear chunk of userspace VA. Multiple
 * io_pagetable's, through their iopt_area's, can share a single iopt_pages
 * which avoids multi-pinning and double accounting of page consumption.
 *
 * indexes in this structure are measured in PAGE_SIZE units, are 0 based from
 * the start of the uptr and extend to npages. pages are pinned dynamically
 * according to the intervals in the access_itree and domains_itree, npinned
 * records the current number of pages pinned.
 */
struct iopt_pages {
	struct kref kref;
	struct mutex mutex;
	size_t npages;
	size_t npinned;
	size_t last_npinned;
	enum iopt_address_type type;
	union {
		void __user *uptr;		/* IOPT_ADDRESS_USER */
		struct {			/* IOPT_ADDRESS_FILE */
			struct file *file;
			unsigned long start;
			/* the memfd's seals when it was mapped (live update) */
			u32 seals;
		};
	};
	bool writable:1;
	u8 account_mode;

	/*
	 * lusim: the pinned memory, one order-0 folio per PAGE_SIZE page of
	 * [0, npages), pinned when the mapping is created: zeroed anonymous
	 * pages for IOPT_ADDRESS_USER, the memfd's page-cache folios for
	 * IOPT_ADDRESS_FILE. NULL until pinned.
	 */
	struct folio **lusim_folios;
};

struct iopt_pages *iopt_alloc_user_pages(void __user *uptr,
					 unsigned long length, bool writable);
struct iopt_pages *iopt_alloc_file_pages(struct file *file,
					 unsigned long start_byte,
					 unsigned long start,
					 unsigned long length, bool writable);
void iopt_release_pages(struct kref *kref);
static inline void iopt_put_pages(struct iopt_pages *pages)
{
	kref_put(&pages->kref, iopt_release_pages);
}

/* lusim: pin every page of @pages now (pages.c); 0 or -errno. */
int lusim_iopt_pages_pin(struct iopt_pages *pages);
/* lusim: physical address of page @index of pinned @pages. */
phys_addr_t lusim_iopt_pages_phys(struct iopt_pages *pages,
				  unsigned long index);

#endif /* _LUSIM_IOMMUFD_IO_PAGETABLE_H */
