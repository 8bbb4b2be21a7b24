/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/highmem.h
 * Models: kmap_local_page / kmap_local_folio / kunmap_local, kmap /
 *         kunmap, clear_page, clear_highpage, copy_highpage,
 *         memcpy_to_page, memcpy_from_page: all memory of the simulated
 *         machine is mapped (page_address() of <linux/mm.h>), so mapping is
 *         address arithmetic and unmapping does nothing.
 * Leaves out: highmem, kmap_atomic's preemption rules.
 */
#ifndef _LUSIM_LINUX_HIGHMEM_H
#define _LUSIM_LINUX_HIGHMEM_H

#include <linux/mm.h>
#include <linux/string.h>

static inline void *kmap_local_page(struct page *page)
{
	return page_address(page);
}

static inline void *kmap_local_folio(struct folio *folio, size_t offset)
{
	return (char *)folio_address(folio) + offset;
}

#define kunmap_local(addr)	do { (void)(addr); } while (0)
#define kmap(page)		page_address(page)
#define kunmap(page)		do { (void)(page); } while (0)
#define kmap_atomic(page)	page_address(page)
#define kunmap_atomic(addr)	do { (void)(addr); } while (0)

static inline void clear_page(void *addr)
{
	memset(addr, 0, PAGE_SIZE);
}

static inline void clear_highpage(struct page *page)
{
	clear_page(page_address(page));
}

static inline void copy_highpage(struct page *to, struct page *from)
{
	memcpy(page_address(to), page_address(from), PAGE_SIZE);
}

static inline void memcpy_to_page(struct page *page, size_t offset,
				  const char *from, size_t len)
{
	memcpy((char *)page_address(page) + offset, from, len);
}

static inline void memcpy_from_page(char *to, struct page *page,
				    size_t offset, size_t len)
{
	memcpy(to, (char *)page_address(page) + offset, len);
}

#endif /* _LUSIM_LINUX_HIGHMEM_H */
