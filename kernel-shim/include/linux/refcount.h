/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/refcount.h, refcount_types.h (+ lib/refcount.c)
 * Models: refcount_t with the kernel's saturation semantics: a misuse is
 *         reported once per call site and the counter is set to
 *         REFCOUNT_SATURATED (INT_MIN / 2), where it stays; it never wraps
 *         and never reaches zero again, so the object leaks instead of
 *         being freed twice. Operations: refcount_set/read, inc, add,
 *         inc_not_zero, add_not_zero, dec, dec_and_test, sub_and_test,
 *         dec_if_one, dec_not_one, dec_and_mutex_lock, dec_and_lock,
 *         dec_and_lock_irqsave. Each operation is a macro that passes its
 *         caller's "file:line", so the finding names the misusing site.
 * Finding ids (message = the kernel's WARN text):
 *   REFCOUNT-INC-ZERO   "addition on 0; use-after-free" (inc/add on 0)
 *   REFCOUNT-UNDERFLOW  "underflow; use-after-free" (sub/dec below 0)
 *   REFCOUNT-OVERFLOW   "saturated; leaking memory" (past INT_MAX, or any
 *                       increment of a saturated counter)
 *   REFCOUNT-DEC-LEAK   "decrement hit 0; leaking memory" (refcount_dec(),
 *                       which must never release, took the count to 0)
 * Leaves out: memory ordering (single-threaded), the __refcount_*(r, oldp)
 *         spellings, refcount_dec_and_lock's irq-flag plumbing beyond the
 *         spinlock API.
 */
#ifndef _LUSIM_LINUX_REFCOUNT_H
#define _LUSIM_LINUX_REFCOUNT_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/atomic.h>
#include <lusim/journal.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n)	{ .refs = ATOMIC_INIT(n), }
/*
 * Spelled out: <limits.h> cannot follow <linux/kernel.h>, whose INT_MAX is
 * not usable in #if.
 */
#define REFCOUNT_MAX		0x7fffffff
#define REFCOUNT_SATURATED	(-(1 << 30))	/* INT_MIN / 2 */

enum refcount_saturation_type {
	REFCOUNT_ADD_NOT_ZERO_OVF,
	REFCOUNT_ADD_OVF,
	REFCOUNT_ADD_UAF,
	REFCOUNT_SUB_UAF,
	REFCOUNT_DEC_LEAK,
};

/* Saturate @r and report the finding for @t at @site (lib/refcount.c). */
void lusim_refcount_warn_saturate(refcount_t *r,
				  enum refcount_saturation_type t,
				  int old, const char *site);

/*
 * The undo journal (<lusim/journal.h>) sees every change of a counter but
 * refcount_set(), which initialises counters of new objects (often on
 * memory nothing has written yet).
 */
#define __lusim_refcount_journal(r, site) \
	lusim_journal_cell(&(r)->refs, sizeof((r)->refs), "refcount", site)

static inline void refcount_set(refcount_t *r, int n)
{
	atomic_set(&r->refs, n);
}

#define refcount_set_release(r, n)	refcount_set(r, n)

static inline unsigned int refcount_read(const refcount_t *r)
{
	return (unsigned int)atomic_read(&r->refs);
}

/* old + i / old - i in two's complement, as the kernel computes them */
static inline int __lusim_refcount_wrap_add(int old, int i)
{
	return (int)((unsigned int)old + (unsigned int)i);
}

static inline int __lusim_refcount_wrap_sub(int old, int i)
{
	return (int)((unsigned int)old - (unsigned int)i);
}

static inline bool __must_check
__lusim_refcount_add_not_zero(int i, refcount_t *r, const char *site)
{
	int old = atomic_read(&r->refs);

	if (!old)
		return false;
	__lusim_refcount_journal(r, site);
	atomic_set(&r->refs, __lusim_refcount_wrap_add(old, i));
	if (unlikely(old < 0 || __lusim_refcount_wrap_add(old, i) < 0))
		lusim_refcount_warn_saturate(r, REFCOUNT_ADD_NOT_ZERO_OVF, old,
					     site);
	return true;
}

static inline void __lusim_refcount_add(int i, refcount_t *r, const char *site)
{
	int old;

	__lusim_refcount_journal(r, site);
	old = atomic_fetch_add(i, &r->refs);

	if (unlikely(!old))
		lusim_refcount_warn_saturate(r, REFCOUNT_ADD_UAF, old, site);
	else if (unlikely(old < 0 || __lusim_refcount_wrap_add(old, i) < 0))
		lusim_refcount_warn_saturate(r, REFCOUNT_ADD_OVF, old, site);
}

static inline bool __must_check
__lusim_refcount_sub_and_test(int i, refcount_t *r, const char *site)
{
	int old;

	__lusim_refcount_journal(r, site);
	old = atomic_fetch_sub(i, &r->refs);

	if (old == i)
		return true;
	if (unlikely(old < 0 || __lusim_refcount_wrap_sub(old, i) < 0))
		lusim_refcount_warn_saturate(r, REFCOUNT_SUB_UAF, old, site);
	return false;
}

static inline void __lusim_refcount_dec(refcount_t *r, const char *site)
{
	int old;

	__lusim_refcount_journal(r, site);
	old = atomic_fetch_sub(1, &r->refs);

	if (unlikely(old <= 1))
		lusim_refcount_warn_saturate(r, REFCOUNT_DEC_LEAK, old, site);
}

bool __lusim_refcount_dec_if_one(refcount_t *r);
bool __lusim_refcount_dec_not_one(refcount_t *r, const char *site);

#define refcount_add(i, r)		__lusim_refcount_add(i, r, LUSIM_SITE)
#define refcount_inc(r)			__lusim_refcount_add(1, r, LUSIM_SITE)
#define refcount_add_not_zero(i, r)	__lusim_refcount_add_not_zero(i, r, LUSIM_SITE)
#define refcount_inc_not_zero(r)	__lusim_refcount_add_not_zero(1, r, LUSIM_SITE)
#define refcount_sub_and_test(i, r)	__lusim_refcount_sub_and_test(i, r, LUSIM_SITE)
#define refcount_dec_and_test(r)	__lusim_refcount_sub_and_test(1, r, LUSIM_SITE)
#define refcount_dec(r)			__lusim_refcount_dec(r, LUSIM_SITE)
#define refcount_dec_if_one(r)		__lusim_refcount_dec_if_one(r)
#define refcount_dec_not_one(r)		__lusim_refcount_dec_not_one(r, LUSIM_SITE)

/*
 * Decrement; if the count drops to 0, return true with the lock held. The
 * lock calls expand at the caller, who includes <linux/mutex.h> or
 * <linux/spinlock.h> as in the kernel.
 */
#define refcount_dec_and_mutex_lock(r, lock) __extension__ ({		\
	refcount_t *__rc_r = (r);					\
	bool __rc_ret = false;						\
	if (!__lusim_refcount_dec_not_one(__rc_r, LUSIM_SITE)) {	\
		mutex_lock(lock);					\
		if (__lusim_refcount_sub_and_test(1, __rc_r, LUSIM_SITE)) \
			__rc_ret = true;				\
		else							\
			mutex_unlock(lock);				\
	}								\
	__rc_ret;							\
})

#define refcount_dec_and_lock(r, lock) __extension__ ({			\
	refcount_t *__rc_r = (r);					\
	bool __rc_ret = false;						\
	if (!__lusim_refcount_dec_not_one(__rc_r, LUSIM_SITE)) {	\
		spin_lock(lock);					\
		if (__lusim_refcount_sub_and_test(1, __rc_r, LUSIM_SITE)) \
			__rc_ret = true;				\
		else							\
			spin_unlock(lock);				\
	}								\
	__rc_ret;							\
})

#define refcount_dec_and_lock_irqsave(r, lock, flags) __extension__ ({	\
	refcount_t *__rc_r = (r);					\
	bool __rc_ret = false;						\
	if (!__lusim_refcount_dec_not_one(__rc_r, LUSIM_SITE)) {	\
		spin_lock_irqsave(lock, *(flags));			\
		if (__lusim_refcount_sub_and_test(1, __rc_r, LUSIM_SITE)) \
			__rc_ret = true;				\
		else							\
			spin_unlock_irqrestore(lock, *(flags));		\
	}								\
	__rc_ret;							\
})

#endif /* _LUSIM_LINUX_REFCOUNT_H */
