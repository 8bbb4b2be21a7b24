/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/kref.h
 * Models: struct kref on refcount_t (so every misuse is a REFCOUNT-*
 *         finding at the kref caller's site): KREF_INIT, kref_init,
 *         kref_read, kref_get, kref_put (calls release on the last put and
 *         returns 1), kref_put_mutex, kref_put_lock (release is called with
 *         the lock held and must drop it), kref_get_unless_zero.
 * Leaves out: nothing of the API.
 */
#ifndef _LUSIM_LINUX_KREF_H
#define _LUSIM_LINUX_KREF_H

#include <linux/refcount.h>

struct kref {
	refcount_t refcount;
};

#define KREF_INIT(n)	{ .refcount = REFCOUNT_INIT(n), }

static inline void kref_init(struct kref *kref)
{
	refcount_set(&kref->refcount, 1);
}

static inline unsigned int kref_read(const struct kref *kref)
{
	return refcount_read(&kref->refcount);
}

static inline int __lusim_kref_put(struct kref *kref,
				   void (*release)(struct kref *kref),
				   const char *site)
{
	if (__lusim_refcount_sub_and_test(1, &kref->refcount, site)) {
		release(kref);
		return 1;
	}
	return 0;
}

#define kref_get(_kref)		__lusim_refcount_add(1, &(_kref)->refcount, LUSIM_SITE)
#define kref_put(_kref, release) __lusim_kref_put(_kref, release, LUSIM_SITE)
#define kref_get_unless_zero(_kref) \
	__lusim_refcount_add_not_zero(1, &(_kref)->refcount, LUSIM_SITE)

#define kref_put_mutex(_kref, release, lock) __extension__ ({		\
	struct kref *__kr = (_kref);					\
	int __kr_ret = 0;						\
	if (refcount_dec_and_mutex_lock(&__kr->refcount, lock)) {	\
		release(__kr);						\
		__kr_ret = 1;						\
	}								\
	__kr_ret;							\
})

#define kref_put_lock(_kref, release, lock) __extension__ ({		\
	struct kref *__kr = (_kref);					\
	int __kr_ret = 0;						\
	if (refcount_dec_and_lock(&__kr->refcount, lock)) {		\
		release(__kr);						\
		__kr_ret = 1;						\
	}								\
	__kr_ret;							\
})

#endif /* _LUSIM_LINUX_KREF_H */
