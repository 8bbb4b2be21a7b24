/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/shmem_fs.h (kernel model)
 * Models: a shmem (tmpfs) file as memfd_create() makes it: a size, the seals
 *         (shmem_inode_info->seals), and a page cache of order-0 folios from
 *         the page allocator, so its bytes are simulated memory that DMA
 *         reads and writes and that KHO can preserve. shmem_file(),
 *         shmem_file_setup(), and lookups of the page cache.
 * Leaves out: inodes, address_space and the VFS: the model's struct file
 *         has no f_inode, so the shmem state hangs off file->private_data
 *         and the helpers take the file (lusim_shmem_*). Swap, large
 *         folios, mmap, xattrs, quotas, userfaultfd.
 *
 * Locking: info->lock stands for the inode lock (inode->i_rwsem): size
 * changes, writes and seals take it. Page-cache lookups and pinning do not
 * (the kernel uses the folio lock there).
 */
#ifndef _LUSIM_LINUX_SHMEM_FS_H
#define _LUSIM_LINUX_SHMEM_FS_H

#include <linux/types.h>
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

struct folio;

/* The largest shmem file of the model (MAX_LFS_FILESIZE is far larger). */
#define LUSIM_SHMEM_MAX_SIZE	(1ULL << 40)

struct shmem_inode_info {
	struct mutex lock;		/* the inode lock */
	unsigned int seals;		/* shmem seals */
	loff_t i_size;			/* inode->i_size */
	struct xarray i_pages;		/* mapping->i_pages: index -> folio */
	unsigned long nrpages;		/* mapping->nrpages */
	unsigned long flags;		/* SHMEM_F_*, under lock */
	char name[256];			/* "memfd:<name>" */
};

/*
 * Disallow growing, shrinking, or hole punching in the inode: set while a
 * memfd is preserved for live update (mm/memfd_luo.c).  Like
 * F_SEAL_GROW | F_SEAL_SHRINK, but removable; writes inside the file go on.
 */
#define SHMEM_F_MAPPING_FROZEN	(1UL << 2)

/*
 * shmem_freeze(inode, freeze) of the kernel, on the model's file: set or
 * clear SHMEM_F_MAPPING_FROZEN.  The caller holds info->lock.
 */
void lusim_shmem_freeze(struct file *file, bool freeze);

extern const struct file_operations shmem_file_operations;

static inline bool shmem_file(struct file *file)
{
	return file && file->f_op == &shmem_file_operations;
}

/*
 * A new shmem file of @size bytes (no pages yet), with one reference;
 * ERR_PTR(-EINVAL) for a bad size, -ENOMEM.
 */
struct file *shmem_file_setup(const char *name, loff_t size,
			      unsigned long flags);

/* lusim: the shmem state of @file (NULL if it is not a shmem file) */
struct shmem_inode_info *lusim_shmem_info(struct file *file);
loff_t lusim_shmem_size(struct file *file);
/*
 * The folio at page @index with a reference held for the caller, allocated
 * (zeroed) if it is a hole: shmem_read_folio(). -EINVAL past EOF, -ENOMEM.
 */
struct folio *lusim_shmem_read_folio(struct file *file, pgoff_t index);
/* The folio at @index with a reference, or NULL for a hole: filemap_get_folio(). */
struct folio *lusim_shmem_get_folio(struct file *file, pgoff_t index);

/*
 * Put @folio (order 0) into the page cache of @file at @index; the caller's
 * reference becomes the page cache's. For restoring a preserved memfd
 * (memfd_luo): -EINVAL past EOF or not a shmem file, -EEXIST if the index
 * is populated, -ENOMEM.
 */
int lusim_shmem_add_folio(struct file *file, pgoff_t index,
			  struct folio *folio);

/* lusim: CPU access to the file's bytes (pread/pwrite without an fd) */
ssize_t lusim_shmem_write(struct file *file, const void *buf, size_t count,
			  loff_t pos);
ssize_t lusim_shmem_read(struct file *file, void *buf, size_t count,
			 loff_t pos);
int lusim_shmem_truncate(struct file *file, loff_t size);
int lusim_shmem_fallocate(struct file *file, int mode, loff_t offset,
			  loff_t len);

#endif /* _LUSIM_LINUX_SHMEM_FS_H */
