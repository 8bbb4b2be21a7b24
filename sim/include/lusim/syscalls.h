/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lusim's system-call entry points for the file kinds of the model beyond
 * open/ioctl/close (which <linux/fs.h> declares): memfd_create(2),
 * fcntl(2) for seals, ftruncate(2), fallocate(2), pread64(2)/pwrite64(2).
 * They are what sim/ops calls for the simulated process; each returns what
 * the syscall returns in the kernel (a value >= 0, or -errno).
 *
 * Only shmem files (memfds) implement the file operations here: the other
 * files of the model (iommufd, vfio device cdevs, LUO) get the errno the
 * VFS gives for a file without them (-EINVAL for ftruncate/fcntl seals,
 * -ENODEV for fallocate, -EINVAL for pread/pwrite).
 */
#ifndef _LUSIM_SYSCALLS_H
#define _LUSIM_SYSCALLS_H

#include <linux/types.h>

/* MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_NOEXEC_SEAL, MFD_EXEC; fd or -errno */
int lusim_sys_memfd_create(const char *uname, unsigned int flags);
/* F_ADD_SEALS and F_GET_SEALS; other commands -EINVAL */
long lusim_sys_fcntl(int fd, unsigned int cmd, unsigned long arg);
int lusim_sys_ftruncate(int fd, loff_t length);
/* mode 0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE */
int lusim_sys_fallocate(int fd, int mode, loff_t offset, loff_t len);
ssize_t lusim_sys_pwrite64(int fd, const void *buf, size_t count, loff_t pos);
ssize_t lusim_sys_pread64(int fd, void *buf, size_t count, loff_t pos);

#endif /* _LUSIM_SYSCALLS_H */
