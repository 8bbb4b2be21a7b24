// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct file and the simulated process's fd table. Lowest free fd first,
 * as POSIX requires, so fd numbers are deterministic. Files are numbered in
 * creation order per boot (f_seq): tables the kernel keys by struct file
 * pointer use f_seq in the model.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/errno.h>
#include <lusim/reset.h>
#include <lusim/findings.h>
#include <linux/err.h>

#include <string.h>

#define LUSIM_MAX_FDS 1024

static struct file *fd_table[LUSIM_MAX_FDS];
static u64 next_file_seq = 1;
static unsigned int nr_files;

struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags)
{
	struct file *file;

	(void)name;
	file = kzalloc(sizeof(*file), GFP_KERNEL);
	if (!file)
		return ERR_PTR(-ENOMEM);
	file->f_op = fops;
	file->private_data = priv;
	file->f_count = 1;
	file->f_seq = next_file_seq++;
	file->f_flags = flags;
	nr_files++;
	return file;
}

struct file *get_file(struct file *f)
{
	f->f_count++;
	return f;
}

void fput(struct file *file)
{
	if (file->f_count <= 0) {
		lusim_report("FILE-REFCOUNT", NULL, NULL,
			     "fput of file %llu with count %ld",
			     (unsigned long long)file->f_seq, file->f_count);
		return;
	}
	if (--file->f_count)
		return;
	if (file->f_op && file->f_op->release)
		file->f_op->release(NULL, file);
	nr_files--;
	kfree(file);
}

struct file *fget(unsigned int fd)
{
	if (fd >= LUSIM_MAX_FDS || !fd_table[fd])
		return NULL;
	return get_file(fd_table[fd]);
}

int lusim_fd_install(struct file *file)
{
	for (unsigned int fd = 0; fd < LUSIM_MAX_FDS; fd++) {
		if (!fd_table[fd]) {
			fd_table[fd] = file;
			return (int)fd;
		}
	}
	return -EMFILE;
}

int lusim_close_fd(unsigned int fd)
{
	struct file *file;

	if (fd >= LUSIM_MAX_FDS || !fd_table[fd])
		return -EBADF;
	file = fd_table[fd];
	fd_table[fd] = NULL;
	fput(file);
	return 0;
}

unsigned int lusim_nr_open_files(void)
{
	return nr_files;
}

unsigned int lusim_close_all_fds(void)
{
	unsigned int n = 0;

	for (unsigned int fd = 0; fd < LUSIM_MAX_FDS; fd++) {
		if (fd_table[fd]) {
			lusim_close_fd(fd);
			n++;
		}
	}
	return n;
}

/*
 * A new boot: files do not survive kexec and neither does the process that
 * held the fds. The memory is the slab's to forget; here only the table and
 * the sequence restart.
 */
static void file_reset(void)
{
	memset(fd_table, 0, sizeof(fd_table));
	nr_files = 0;
	next_file_seq = 1;
}
LUSIM_RESET_FN(file_reset, LUSIM_RESET_PRIO_SHIM)

/* --- character devices and syscalls -------------------------------------- */

#define LUSIM_MAX_CHRDEVS 1024

static struct {
	char path[64];
	const struct file_operations *fops;
	void *data;
} chrdevs[LUSIM_MAX_CHRDEVS];
static unsigned int nr_chrdevs;

int lusim_register_chrdev(const char *path, const struct file_operations *fops,
			  void *data)
{
	if (strlen(path) >= sizeof(chrdevs[0].path))
		return -ENAMETOOLONG;
	for (unsigned int i = 0; i < nr_chrdevs; i++)
		if (!strcmp(chrdevs[i].path, path))
			return -EEXIST;
	if (nr_chrdevs == LUSIM_MAX_CHRDEVS)
		return -ENOSPC;
	strcpy(chrdevs[nr_chrdevs].path, path);
	chrdevs[nr_chrdevs].fops = fops;
	chrdevs[nr_chrdevs].data = data;
	nr_chrdevs++;
	return 0;
}

void lusim_unregister_chrdev(const char *path)
{
	for (unsigned int i = 0; i < nr_chrdevs; i++) {
		if (!strcmp(chrdevs[i].path, path)) {
			chrdevs[i] = chrdevs[--nr_chrdevs];
			return;
		}
	}
}

int lusim_sys_open(const char *path)
{
	struct file *file;
	int fd, ret;

	for (unsigned int i = 0; i < nr_chrdevs; i++) {
		if (strcmp(chrdevs[i].path, path))
			continue;
		file = anon_inode_getfile(path, chrdevs[i].fops,
					  chrdevs[i].data, 0);
		if (IS_ERR(file))
			return (int)PTR_ERR(file);
		if (file->f_op->open) {
			ret = file->f_op->open(NULL, file);
			if (ret) {
				/* never opened: no release */
				nr_files--;
				kfree(file);
				return ret;
			}
		}
		fd = lusim_fd_install(file);
		if (fd < 0)
			fput(file);
		return fd;
	}
	return -ENOENT;
}

long lusim_sys_ioctl(int fd, unsigned int cmd, void *arg)
{
	struct file *file;
	long ret;

	if (fd < 0)
		return -EBADF;
	file = fget((unsigned int)fd);
	if (!file)
		return -EBADF;
	if (!file->f_op || !file->f_op->unlocked_ioctl)
		ret = -ENOTTY;
	else
		ret = file->f_op->unlocked_ioctl(file, cmd, (unsigned long)arg);
	fput(file);
	return ret;
}

int lusim_sys_close(int fd)
{
	if (fd < 0)
		return -EBADF;
	return lusim_close_fd((unsigned int)fd);
}

static void chrdev_reset(void)
{
	nr_chrdevs = 0;
}
LUSIM_RESET_FN(chrdev_reset, LUSIM_RESET_PRIO_SHIM)
