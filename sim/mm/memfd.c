// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: mm/memfd.c (kernel model), with memfd_pin_folios() and
 * unpin_folio(s)() of mm/gup.c.
 *
 * memfd_create(2) makes a shmem file; sealing is only possible when it was
 * created with MFD_ALLOW_SEALING (else it starts with F_SEAL_SEAL).
 * F_ADD_SEALS refuses anything once F_SEAL_SEAL is set (-EPERM), unknown
 * seal bits (-EINVAL), and F_SEAL_WRITE while pages are pinned (e.g. mapped
 * into an IOAS): the kernel waits for the pins to go away and gives up with
 * -EBUSY, here nothing can unpin concurrently, so it is -EBUSY at once.
 *
 * Leaves out: hugetlb memfds (MFD_HUGETLB is -EINVAL here), the vm.memfd_noexec
 * sysctl, exec permissions (MFD_NOEXEC_SEAL only adds F_SEAL_EXEC).
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <lusim/syscalls.h>

#define MFD_NAME_PREFIX "memfd:"
#define MFD_NAME_PREFIX_LEN (sizeof(MFD_NAME_PREFIX) - 1)
#define MFD_NAME_MAX_LEN (255 - MFD_NAME_PREFIX_LEN)

#define MFD_ALL_FLAGS (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | \
		       MFD_NOEXEC_SEAL | MFD_EXEC)

static unsigned int *memfd_file_seals_ptr(struct file *file)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);

	return info ? &info->seals : NULL;
}

/*
 * Setting SEAL_WRITE requires us to verify there's no pending writer. However,
 * via get_user_pages(), drivers might have some pending I/O without any active
 * user-space mappings (eg., direct-IO, AIO). Therefore, we look at all folios
 * and see whether it has an elevated ref-count. If so, we wait for the pins to
 * go away (lusim: nothing could drop them while we wait, so -EBUSY at once).
 */
static int memfd_wait_for_pins(struct shmem_inode_info *info)
{
	struct folio *folio;
	unsigned long index;

	xa_for_each(&info->i_pages, index, folio)
		if (folio_ref_count(folio) > 1)
			return -EBUSY;
	return 0;
}

int memfd_add_seals(struct file *file, unsigned int seals)
{
	struct shmem_inode_info *info = lusim_shmem_info(file);
	unsigned int *file_seals;
	int error;

	/*
	 * SEALING
	 * Sealing allows multiple parties to share a tmpfs or hugetlbfs file
	 * but restrict access to a specific subset of file operations. Seals
	 * can only be added, but never removed. This way, mutually untrusted
	 * parties can share common memory regions with a well-defined policy.
	 * A malicious peer can thus never perform unwanted operations on a
	 * shared object.
	 */

	if (seals & ~(unsigned int)F_ALL_SEALS)
		return -EINVAL;

	file_seals = memfd_file_seals_ptr(file);
	if (!file_seals)
		return -EINVAL;

	mutex_lock(&info->lock);
	if (*file_seals & F_SEAL_SEAL) {
		error = -EPERM;
		goto unlock;
	}

	if ((seals & F_SEAL_WRITE) && !(*file_seals & F_SEAL_WRITE)) {
		error = memfd_wait_for_pins(info);
		if (error)
			goto unlock;
	}

	/* lusim: no exec bits, so F_SEAL_EXEC implies nothing more */
	*file_seals |= seals;
	error = 0;

unlock:
	mutex_unlock(&info->lock);
	return error;
}

int memfd_get_seals(struct file *file)
{
	unsigned int *seals = memfd_file_seals_ptr(file);

	return seals ? *seals : -EINVAL;
}

long memfd_fcntl(struct file *file, unsigned int cmd, unsigned int arg)
{
	long error;

	switch (cmd) {
	case F_ADD_SEALS:
		error = memfd_add_seals(file, arg);
		break;
	case F_GET_SEALS:
		error = memfd_get_seals(file);
		break;
	default:
		error = -EINVAL;
		break;
	}

	return error;
}

struct folio *memfd_alloc_folio(struct file *memfd, pgoff_t idx)
{
	return lusim_shmem_read_folio(memfd, idx);
}

long memfd_pin_folios(struct file *memfd, loff_t start, loff_t end,
		      struct folio **folios, unsigned int max_folios,
		      pgoff_t *offset)
{
	pgoff_t start_idx, end_idx, idx;
	unsigned int nr_folios = 0;

	if (start < 0 || start > end || !max_folios)
		return -EINVAL;

	if (!memfd)
		return -EINVAL;

	if (!shmem_file(memfd))
		return -EINVAL;

	if (end >= lusim_shmem_size(memfd))
		return -EINVAL;

	start_idx = start >> PAGE_SHIFT;
	end_idx = end >> PAGE_SHIFT;

	for (idx = start_idx; idx <= end_idx && nr_folios < max_folios; idx++) {
		/* the read takes the pin's reference (FOLL_PIN) */
		struct folio *folio = memfd_alloc_folio(memfd, idx);

		if (IS_ERR(folio)) {
			unpin_folios(folios, nr_folios);
			return PTR_ERR(folio);
		}
		folios[nr_folios++] = folio;
	}

	if (offset)
		*offset = offset_in_page(start);
	return nr_folios;
}

void unpin_folio(struct folio *folio)
{
	folio_put(folio);
}

void unpin_folios(struct folio **folios, unsigned long nfolios)
{
	unsigned long i;

	for (i = 0; i < nfolios; i++)
		unpin_folio(folios[i]);
}

/* --- the system calls: memfd_create(2), fcntl(2) ------------------------- */

int lusim_sys_memfd_create(const char *uname, unsigned int flags)
{
	unsigned int *file_seals;
	struct file *file;
	char name[256];
	size_t len;
	int fd;

	if (flags & ~(unsigned int)MFD_ALL_FLAGS)
		return -EINVAL;
	if (flags & MFD_HUGETLB)
		return -EINVAL;	/* lusim: no hugetlbfs */
	/* Invalid if both EXEC and NOEXEC_SEAL are set. */
	if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
		return -EINVAL;

	if (!uname)
		return -EFAULT;
	/* length includes terminating zero */
	len = strnlen(uname, MFD_NAME_MAX_LEN + 1) + 1;
	if (len > MFD_NAME_MAX_LEN + 1)
		return -EINVAL;

	strscpy(name, MFD_NAME_PREFIX);
	strscpy(name + MFD_NAME_PREFIX_LEN, uname,
		sizeof(name) - MFD_NAME_PREFIX_LEN);

	file = shmem_file_setup(name, 0, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);

	file_seals = memfd_file_seals_ptr(file);
	if (flags & MFD_NOEXEC_SEAL) {
		*file_seals &= ~F_SEAL_SEAL;
		*file_seals |= F_SEAL_EXEC;
	} else if (flags & MFD_ALLOW_SEALING) {
		/* MFD_EXEC and MFD_ALLOW_SEALING are set */
		*file_seals &= ~F_SEAL_SEAL;
	} else {
		*file_seals |= F_SEAL_SEAL;
	}

	fd = lusim_fd_install(file);
	if (fd < 0)
		fput(file);
	return fd;
}

long lusim_sys_fcntl(int fd, unsigned int cmd, unsigned long arg)
{
	struct file *file;
	long rc;

	file = fd < 0 ? NULL : fget(fd);
	if (!file)
		return -EBADF;
	switch (cmd) {
	case F_ADD_SEALS:
	case F_GET_SEALS:
		rc = memfd_fcntl(file, cmd, arg);
		break;
	default:
		rc = -EINVAL;	/* lusim: only the seal commands are modelled */
		break;
	}
	fput(file);
	return rc;
}
