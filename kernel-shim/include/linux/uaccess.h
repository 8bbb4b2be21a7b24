/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/uaccess.h
 * Models: copy_from_user, copy_to_user (bytes not copied, 0 on success),
 *         get_user/put_user (0 or -EFAULT), copy_struct_from_user with the
 *         kernel's extensible-struct rules (a larger user struct must have
 *         a zero tail, else -E2BIG; a smaller one is zero-extended),
 *         check_zeroed_user, u64_to_user_ptr.
 * Leaves out: access_ok ranges, page faults, user_access_begin/end.
 *
 * User memory is host memory: the op layer (sim/ops) is the simulated
 * process and passes pointers to its own buffers, so a copy is a memcpy.
 * What the kernel would see as a bad user pointer is a pointer into the
 * first page (NULL included): such a copy fails as the kernel's would
 * (-EFAULT / bytes not copied). Every copy is also a fault-injection point
 * of class LUSIM_FAULT_USER (<lusim/fault.h>), so a sweep can make any
 * copy_to_user of an ioctl fail, as a buffer unmapped by another thread
 * would.
 */
#ifndef _LUSIM_LINUX_UACCESS_H
#define _LUSIM_LINUX_UACCESS_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <string.h>
#include <lusim/fault.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

#ifndef u64_to_user_ptr
#define u64_to_user_ptr(x)	((void __user *)(uintptr_t)(u64)(x))
#endif

/* A user pointer the kernel could not access: the first page, NULL included. */
static inline bool lusim_user_ptr_bad(const void __user *p)
{
	return (uintptr_t)p < 4096;
}

static inline unsigned long
__lusim_copy_from_user(void *to, const void __user *from, unsigned long n,
		       const char *site)
{
	if (!n)
		return 0;
	if (lusim_user_ptr_bad(from) ||
	    lusim_should_fail_at(LUSIM_FAULT_USER, site, "copy_from_user")) {
		memset(to, 0, n);	/* the kernel zeroes what it could not copy */
		return n;
	}
	memcpy(to, from, n);
	return 0;
}

static inline unsigned long
__lusim_copy_to_user(void __user *to, const void *from, unsigned long n,
		     const char *site)
{
	if (!n)
		return 0;
	if (lusim_user_ptr_bad(to) ||
	    lusim_should_fail_at(LUSIM_FAULT_USER, site, "copy_to_user"))
		return n;
	memcpy(to, from, n);
	return 0;
}

#define copy_from_user(to, from, n) \
	__lusim_copy_from_user(to, from, n, LUSIM_SITE)
#define copy_to_user(to, from, n) \
	__lusim_copy_to_user(to, from, n, LUSIM_SITE)

#define get_user(x, ptr) __extension__ ({				\
	__typeof__(*(ptr)) __gu_val;					\
	int __gu_err = __lusim_copy_from_user(&__gu_val, (ptr),		\
				sizeof(__gu_val), LUSIM_SITE) ? -EFAULT : 0; \
	(x) = __gu_val;							\
	__gu_err;							\
})

#define put_user(x, ptr) __extension__ ({				\
	__typeof__(*(ptr)) __pu_val = (x);				\
	__lusim_copy_to_user((ptr), &__pu_val, sizeof(__pu_val),	\
			     LUSIM_SITE) ? -EFAULT : 0;			\
})

/*
 * 1 if the user range [from, from + size) is all zero, 0 if not, -EFAULT
 * if it cannot be read.
 */
static inline int check_zeroed_user(const void __user *from, size_t size)
{
	const unsigned char *p = from;
	size_t i;

	if (!size)
		return 1;
	if (lusim_user_ptr_bad(from))
		return -EFAULT;
	for (i = 0; i < size; i++)
		if (p[i])
			return 0;
	return 1;
}

static inline int __lusim_copy_struct_from_user(void *dst, size_t ksize,
						const void __user *src,
						size_t usize, const char *site)
{
	size_t size = min(ksize, usize);
	size_t rest = max(ksize, usize) - size;

	if (usize < ksize) {
		memset((char *)dst + size, 0, rest);
	} else if (usize > ksize) {
		int ret = check_zeroed_user((const char *)src + size, rest);

		if (ret <= 0)
			return ret ?: -E2BIG;
	}
	if (__lusim_copy_from_user(dst, src, size, site))
		return -EFAULT;
	return 0;
}

#define copy_struct_from_user(dst, ksize, src, usize) \
	__lusim_copy_struct_from_user(dst, ksize, src, usize, LUSIM_SITE)

#endif /* _LUSIM_LINUX_UACCESS_H */
