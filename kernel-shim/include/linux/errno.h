/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/errno.h (+ include/uapi/asm-generic/errno*.h)
 * Models: every userspace-visible errno (taken from the system uapi header,
 *         whose values are the kernel's on Linux) plus the kernel-internal
 *         ones (ERESTARTSYS.., ENOTSUPP, EPROBE_DEFER, ...).
 * Leaves out: nothing the model uses.
 * glibc's <errno.h> includes <linux/errno.h>; include_next keeps that working.
 */
#ifndef _LUSIM_LINUX_ERRNO_H
#define _LUSIM_LINUX_ERRNO_H

#include_next <linux/errno.h>

#define ERESTARTSYS	512
#define ERESTARTNOINTR	513
#define ERESTARTNOHAND	514
#define ENOIOCTLCMD	515
#define ERESTART_RESTARTBLOCK 516
#define EPROBE_DEFER	517
#define EOPENSTALE	518
#define ENOPARAM	519
#define EBADHANDLE	521
#define ENOTSYNC	522
#define EBADCOOKIE	523
#define ENOTSUPP	524
#define ETOOSMALL	525
#define ESERVERFAULT	526
#define EBADTYPE	527
#define EJUKEBOX	528
#define EIOCBQUEUED	529
#define ERECALLCONFLICT	530
#define ENOGRACE	531

#endif /* _LUSIM_LINUX_ERRNO_H */
