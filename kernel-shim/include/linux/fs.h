/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/fs.h, file.h, anon_inodes.h (the file parts)
 * Models: struct file with f_op, private_data and a reference count;
 *         file_operations (release, unlocked_ioctl); fget/fput; a per-boot
 *         file sequence number (f_seq) that stands in for the struct file
 *         pointer wherever the kernel keys a table by it (AMENDMENTS,
 *         Determinism: iteration order must not depend on addresses);
 *         anon_inode_getfile; a simulated process fd table
 *         (lusim_fd_install, lusim_close_fd) so ops can speak in fds.
 * Leaves out: inodes, dentries, paths, file positions, read/write, mmap.
 *         fput() releases synchronously (the kernel defers to task work;
 *         ops end at a syscall boundary in the model, so it is the same).
 */
#ifndef _LUSIM_LINUX_FS_H
#define _LUSIM_LINUX_FS_H

#include <linux/types.h>

struct file;
struct inode;

struct file_operations {
	const char *name;		/* "iommufd", "vfio-cdev", "memfd", ... */
	int (*open)(struct inode *inode, struct file *file);
	int (*release)(struct inode *inode, struct file *file);
	long (*unlocked_ioctl)(struct file *file, unsigned int cmd,
			       unsigned long arg);
};

struct file {
	const struct file_operations *f_op;
	void *private_data;
	long f_count;
	u64 f_seq;			/* per-boot creation sequence, from 1 */
	unsigned int f_flags;
};

struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags);
struct file *get_file(struct file *f);
void fput(struct file *file);
/* the current simulated process's fd table */
struct file *fget(unsigned int fd);
int lusim_fd_install(struct file *file);	/* consumes the reference */
int lusim_close_fd(unsigned int fd);		/* -EBADF if not open */
unsigned int lusim_nr_open_files(void);		/* live struct files */
/* Close every fd (process exit) and return how many were open. */
unsigned int lusim_close_all_fds(void);

/*
 * Character devices and the syscall entry points the op layer (sim/ops) uses
 * instead of open(2)/ioctl(2)/close(2). A device is registered by the model's
 * init code under its path ("/dev/iommu", "/dev/liveupdate",
 * "/dev/vfio/devices/vfio0"); open makes a file with the device's fops and
 * private_data = @data, then calls fops->open if set (its error fails the
 * open and frees the file). Registrations are kernel state: gone at kexec.
 */
int lusim_register_chrdev(const char *path, const struct file_operations *fops,
			  void *data);
void lusim_unregister_chrdev(const char *path);
int lusim_sys_open(const char *path);		/* fd or -errno */
long lusim_sys_ioctl(int fd, unsigned int cmd, void *arg);
int lusim_sys_close(int fd);

#endif /* _LUSIM_LINUX_FS_H */
