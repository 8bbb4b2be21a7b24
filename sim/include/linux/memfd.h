/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/memfd.h (kernel model), plus the seal and
 *         memfd_create flag values of include/uapi/linux/fcntl.h and
 *         include/uapi/linux/memfd.h, and memfd_pin_folios()/unpin_folio()
 *         of include/linux/mm.h (implemented in mm/memfd.c here, in
 *         mm/gup.c in the kernel).
 * Models: memfd_fcntl (F_ADD_SEALS, F_GET_SEALS), memfd_add_seals,
 *         memfd_get_seals (-EINVAL for a file that is not a memfd),
 *         memfd_alloc_folio, memfd_pin_folios (what IOMMU_IOAS_MAP_FILE
 *         pins), unpin_folio/unpin_folios.
 * Leaves out: hugetlbfs memfds, memfd_check_seals_mmap (no mmap),
 *         F_SEAL_EXEC's mode bits (no exec permission in the model), the
 *         memfd_secret and guest_memfd families.
 */
#ifndef _LUSIM_LINUX_MEMFD_H
#define _LUSIM_LINUX_MEMFD_H

#include_next <linux/memfd.h>	/* uapi: MFD_CLOEXEC, MFD_ALLOW_SEALING, ... */
#include <linux/types.h>
#include <linux/mm_types.h>

/* include/uapi/linux/memfd.h (newer than the system's copy) */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL		0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC		0x0010U
#endif

/* include/uapi/linux/fcntl.h */
#ifndef F_LINUX_SPECIFIC_BASE
#define F_LINUX_SPECIFIC_BASE	1024
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS	(F_LINUX_SPECIFIC_BASE + 9)
#define F_GET_SEALS	(F_LINUX_SPECIFIC_BASE + 10)
#endif
#ifndef F_SEAL_SEAL
#define F_SEAL_SEAL	0x0001	/* prevent further seals from being set */
#define F_SEAL_SHRINK	0x0002	/* prevent file from shrinking */
#define F_SEAL_GROW	0x0004	/* prevent file from growing */
#define F_SEAL_WRITE	0x0008	/* prevent writes */
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010	/* prevent future writes while mapped */
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC	0x0020	/* prevent chmod modifying exec bits */
#endif

#define F_ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | \
		     F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

struct file;
struct folio;

long memfd_fcntl(struct file *file, unsigned int cmd, unsigned int arg);
int memfd_add_seals(struct file *file, unsigned int seals);
/* The seals of a memfd, or -EINVAL if @file is not one. */
int memfd_get_seals(struct file *file);
struct folio *memfd_alloc_folio(struct file *memfd, pgoff_t idx);

/*
 * Pin the folios of @memfd covering the byte range [start, end] (end
 * inclusive, below the file size) into @folios; holes are allocated in the
 * page cache first. Returns the number of folios pinned, or -EINVAL (not a
 * memfd, bad range, @end at or past EOF), -ENOMEM. Unpin with
 * unpin_folio()/unpin_folios(). *@offset is the offset of @start in the
 * first folio.
 */
long memfd_pin_folios(struct file *memfd, loff_t start, loff_t end,
		      struct folio **folios, unsigned int max_folios,
		      pgoff_t *offset);
void unpin_folio(struct folio *folio);
void unpin_folios(struct folio **folios, unsigned long nfolios);

#endif /* _LUSIM_LINUX_MEMFD_H */
