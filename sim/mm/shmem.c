// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: mm/shmem.c (kernel model), and the parts of fs/open.c,
 * fs/read_write.c and fs/fcntl.c that reach a shmem file (ftruncate,
 * fallocate, pread64/pwrite64).
 *
 * Models: a tmpfs file as memfd_create() makes it: its size, seals and a
 * page cache of order-0 folios from the page allocator (so the bytes are
 * simulated memory). Writes and fallocate allocate pages; truncate and
 * FALLOC_FL_PUNCH_HOLE drop them from the page cache (a page that is still
 * pinned, e.g. by an IOMMU mapping, lives on with its pin, as in the kernel)
 * and zero the partial page; reads of holes return zeroes. The seal checks
 * are shmem's: F_SEAL_SHRINK/GROW on size changes (-EPERM), F_SEAL_WRITE
 * and F_SEAL_FUTURE_WRITE on writes and hole punching (-EPERM), F_SEAL_GROW
 * on writes and fallocate past EOF (-EPERM); SHMEM_F_MAPPING_FROZEN (a memfd
 * preserved for live update) refuses size changes and hole punching (-EPERM).
 * Leaves out: inodes and the VFS (the state hangs off file->private_data),
 * mmap, swap, huge pages, quotas, sendfile/splice, atime/mtime.
 */
#include <lusim/journal.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <lusim/syscalls.h>

#ifndef O_RDWR
#define O_RDWR			02
#endif
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE	0x01
#define FALLOC_FL_PUNCH_HOLE	0x02
#endif

static int shmem_release(struct inode *inode, struct file *file)
{
	struct shmem_inode_info *info = file->private_data;
	struct folio *folio;
	unsigned long index;

	/* evict the inode: drop the page cache's reference on every folio */
	xa_for_each(&info->i_pages, index, folio) {
		xa_erase(&info->i_pages, index);
		folio_put(folio);
	}
	xa_destroy(&info->i_pages);
	mutex_destroy(&info->lock);
	kfree(info);
	return 0;
}

const struct file_operations shmem_file_operations = {
	.name = "memfd",
	.release = shmem_release,
};

struct file *shmem_file_setup(const char *name, loff_t size,
			      unsigned long flags)
{
	struct shmem_inode_info *info;
	struct file *file;

	if (size < 0 || (u64)size > LUSIM_SHMEM_MAX_SIZE)
		return ERR_PTR(-EINVAL);

	info = kzalloc(sizeof(*info), GFP_KERNEL_ACCOUNT);
	if (!info)
		return ERR_PTR(-ENOMEM);
	mutex_init(&info->lock);
	xa_init(&info->i_pages);
	info->i_size = size;
	strscpy(info->name, name);

	file = anon_inode_getfile(info->name, &shmem_file_operations, info,
				  O_RDWR);
	if (IS_ERR(file)) {
		mutex_destroy(&info->lock);
		kfree(info);
	}
	return file;
}

void lusim_shmem_freeze(struct file *file, bool freeze)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);

	lockdep_assert_held(&info->lock);
	if (freeze)
		info->flags |= SHMEM_F_MAPPING_FROZEN;
	else
		info->flags &= ~SHMEM_F_MAPPING_FROZEN;
}

struct shmem_inode_info *lusim_shmem_info(struct file *file)
{
	return shmem_file(file) ? file->private_data : NULL;
}

loff_t lusim_shmem_size(struct file *file)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);

	return info ? info->i_size : -EINVAL;
}

struct folio *lusim_shmem_get_folio(struct file *file, pgoff_t index)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);
	struct folio *folio;

	if (!info)
		return NULL;
	folio = xa_load(&info->i_pages, index);
	if (folio)
		folio_get(folio);
	return folio;
}

/* The folio at @index, allocating it in the page cache for a hole. */
static struct folio *shmem_get_folio_alloc(struct shmem_inode_info *info,
					   pgoff_t index)
{
	struct folio *folio;
	void *old;

	folio = xa_load(&info->i_pages, index);
	if (folio)
		return folio;

	/*
	 * lusim: filling a hole of the page cache is a cache fill the kernel
	 * keeps when the op that caused it fails later (<lusim/journal.h>).
	 */
	lusim_journal_cache_fill_begin();
	folio = folio_alloc(GFP_HIGHUSER | __GFP_ZERO, 0);
	if (!folio) {
		lusim_journal_cache_fill_end();
		return ERR_PTR(-ENOMEM);
	}
	old = xa_store(&info->i_pages, index, folio, GFP_KERNEL);
	if (xa_is_err(old)) {
		folio_put(folio);
		lusim_journal_cache_fill_end();
		return ERR_PTR(xa_err(old));
	}
	info->nrpages++;
	lusim_journal_cache_fill_end();
	return folio;
}

struct folio *lusim_shmem_read_folio(struct file *file, pgoff_t index)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);
	struct folio *folio;

	if (!info)
		return ERR_PTR(-EINVAL);
	/* SGP_CACHE: no page past EOF */
	if (((loff_t)index << PAGE_SHIFT) >= info->i_size)
		return ERR_PTR(-EINVAL);
	folio = shmem_get_folio_alloc(info, index);
	if (!IS_ERR(folio))
		folio_get(folio);
	return folio;
}

int lusim_shmem_add_folio(struct file *file, pgoff_t index,
			  struct folio *folio)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);
	int rc;

	if (!info || ((loff_t)index << PAGE_SHIFT) >= info->i_size)
		return -EINVAL;
	mutex_lock(&info->lock);
	rc = xa_insert(&info->i_pages, index, folio, GFP_KERNEL);
	if (!rc)
		info->nrpages++;
	mutex_unlock(&info->lock);
	return rc == -EBUSY ? -EEXIST : rc;
}

/* Drop the page cache's pages fully inside [start, end) (byte offsets). */
static void shmem_drop_range(struct shmem_inode_info *info, loff_t start,
			     loff_t end)
{
	unsigned long first = DIV_ROUND_UP(start, PAGE_SIZE);
	unsigned long index;
	struct folio *folio;

	if (end <= (loff_t)(first << PAGE_SHIFT))
		return;
	xa_for_each_range(&info->i_pages, index, folio, first,
			  (end >> PAGE_SHIFT) - 1) {
		xa_erase(&info->i_pages, index);
		info->nrpages--;
		folio_put(folio);
	}
}

/* Zero [start, end) within one page, if that page is in the cache. */
static void shmem_zero_partial(struct shmem_inode_info *info, loff_t start,
			       loff_t end)
{
	struct folio *folio;

	if (start >= end)
		return;
	folio = xa_load(&info->i_pages, start >> PAGE_SHIFT);
	if (folio)
		memset((char *)folio_address(folio) + (start & ~PAGE_MASK), 0,
		       end - start);
}

/* Drop and zero everything in [start, end): truncation and hole punching. */
static void shmem_undo_range(struct shmem_inode_info *info, loff_t start,
			     loff_t end)
{
	loff_t first_full = round_up(start, (loff_t)PAGE_SIZE);
	loff_t last_full = round_down(end, (loff_t)PAGE_SIZE);

	if (first_full > end) {
		/* within a single page */
		shmem_zero_partial(info, start, end);
		return;
	}
	shmem_zero_partial(info, start, first_full);
	shmem_drop_range(info, first_full, last_full);
	shmem_zero_partial(info, last_full, end);
}

int lusim_shmem_truncate(struct file *file, loff_t newsize)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);
	loff_t oldsize;
	int rc = 0;

	if (!info)
		return -EINVAL;
	if (newsize < 0)
		return -EINVAL;
	if ((u64)newsize > LUSIM_SHMEM_MAX_SIZE)
		return -EFBIG;

	mutex_lock(&info->lock);
	oldsize = info->i_size;
	/* protected by the inode lock (shmem_setattr) */
	if ((newsize < oldsize && (info->seals & F_SEAL_SHRINK)) ||
	    (newsize > oldsize && (info->seals & F_SEAL_GROW))) {
		rc = -EPERM;
		goto out;
	}
	if (newsize != oldsize && (info->flags & SHMEM_F_MAPPING_FROZEN)) {
		rc = -EPERM;
		goto out;
	}
	/* shmem_truncate_range(inode, newsize, (loff_t)-1) */
	if (newsize < oldsize)
		shmem_undo_range(info, newsize, LUSIM_SHMEM_MAX_SIZE);
	info->i_size = newsize;
out:
	mutex_unlock(&info->lock);
	return rc;
}

int lusim_shmem_fallocate(struct file *file, int mode, loff_t offset,
			  loff_t len)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);
	loff_t end;
	pgoff_t index;
	int rc = 0;

	if (!info)
		return -ENODEV;
	/* vfs_fallocate() */
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (check_add_overflow(offset, len, &end) ||
	    (u64)end > LUSIM_SHMEM_MAX_SIZE)
		return -EFBIG;
	/* shmem_fallocate() */
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;

	mutex_lock(&info->lock);
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		/* protected by the inode lock */
		if (info->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) {
			rc = -EPERM;
			goto out;
		}
		if (info->flags & SHMEM_F_MAPPING_FROZEN) {
			rc = -EPERM;
			goto out;
		}
		shmem_undo_range(info, offset, end);
		goto out;
	}

	/* We need to check rlimit even when FALLOC_FL_KEEP_SIZE */
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > info->i_size &&
	    (info->seals & F_SEAL_GROW ||
	     info->flags & SHMEM_F_MAPPING_FROZEN)) {
		rc = -EPERM;
		goto out;
	}
	for (index = offset >> PAGE_SHIFT; (loff_t)(index << PAGE_SHIFT) < end;
	     index++) {
		struct folio *folio = shmem_get_folio_alloc(info, index);

		if (IS_ERR(folio)) {
			/*
			 * The kernel undoes the pages this call allocated;
			 * lusim keeps them (they are zero and inside the
			 * range, so the file's content is unchanged).
			 */
			rc = PTR_ERR(folio);
			goto out;
		}
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > info->i_size)
		info->i_size = end;
out:
	mutex_unlock(&info->lock);
	return rc;
}

ssize_t lusim_shmem_write(struct file *file, const void *buf, size_t count,
			  loff_t pos)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);
	const char *src = buf;
	size_t done = 0;
	loff_t end;
	ssize_t rc;

	if (!info)
		return -EINVAL;
	if (pos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	if (check_add_overflow(pos, (loff_t)count, &end) ||
	    (u64)end > LUSIM_SHMEM_MAX_SIZE)
		return -EFBIG;

	mutex_lock(&info->lock);
	/* shmem_write_begin() */
	if (info->seals & (F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) {
		if (info->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) {
			rc = -EPERM;
			goto out;
		}
		if ((info->seals & F_SEAL_GROW) && end > info->i_size) {
			rc = -EPERM;
			goto out;
		}
	}
	if ((info->flags & SHMEM_F_MAPPING_FROZEN) && end > info->i_size) {
		rc = -EPERM;
		goto out;
	}
	while (done < count) {
		loff_t cur = pos + done;
		size_t off = cur & ~PAGE_MASK;
		size_t n = min_t(size_t, PAGE_SIZE - off, count - done);
		struct folio *folio;

		folio = shmem_get_folio_alloc(info, cur >> PAGE_SHIFT);
		if (IS_ERR(folio))
			break;
		memcpy((char *)folio_address(folio) + off, src + done, n);
		done += n;
		if (pos + (loff_t)done > info->i_size)
			info->i_size = pos + done;
	}
	rc = done ? (ssize_t)done : -ENOMEM;
out:
	mutex_unlock(&info->lock);
	return rc;
}

ssize_t lusim_shmem_read(struct file *file, void *buf, size_t count,
			 loff_t pos)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);
	char *dst = buf;
	size_t done = 0;

	if (!info)
		return -EINVAL;
	if (pos < 0)
		return -EINVAL;
	if (pos >= info->i_size)
		return 0;
	count = min_t(u64, count, info->i_size - pos);
	while (done < count) {
		loff_t cur = pos + done;
		size_t off = cur & ~PAGE_MASK;
		size_t n = min_t(size_t, PAGE_SIZE - off, count - done);
		struct folio *folio = xa_load(&info->i_pages, cur >> PAGE_SHIFT);

		if (folio)
			memcpy(dst + done, (char *)folio_address(folio) + off, n);
		else
			memset(dst + done, 0, n);	/* a hole reads as zeroes */
		done += n;
	}
	return done;
}

/* --- the system calls (fs/open.c, fs/read_write.c) ----------------------- */

int lusim_sys_ftruncate(int fd, loff_t length)
{
	struct file *file;
	int rc;

	if (length < 0)
		return -EINVAL;
	file = fd < 0 ? NULL : fget(fd);
	if (!file)
		return -EBADF;
	rc = shmem_file(file) ? lusim_shmem_truncate(file, length) : -EINVAL;
	fput(file);
	return rc;
}

int lusim_sys_fallocate(int fd, int mode, loff_t offset, loff_t len)
{
	struct file *file;
	int rc;

	file = fd < 0 ? NULL : fget(fd);
	if (!file)
		return -EBADF;
	rc = shmem_file(file) ? lusim_shmem_fallocate(file, mode, offset, len) :
				-ENODEV;
	fput(file);
	return rc;
}

ssize_t lusim_sys_pwrite64(int fd, const void *buf, size_t count, loff_t pos)
{
	struct file *file;
	ssize_t rc;

	file = fd < 0 ? NULL : fget(fd);
	if (!file)
		return -EBADF;
	rc = shmem_file(file) ? lusim_shmem_write(file, buf, count, pos) :
				-EINVAL;
	fput(file);
	return rc;
}

ssize_t lusim_sys_pread64(int fd, void *buf, size_t count, loff_t pos)
{
	struct file *file;
	ssize_t rc;

	file = fd < 0 ? NULL : fget(fd);
	if (!file)
		return -EBADF;
	rc = shmem_file(file) ? lusim_shmem_read(file, buf, count, pos) :
				-EINVAL;
	fput(file);
	return rc;
}
