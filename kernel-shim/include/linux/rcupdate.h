/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/rcupdate.h (+ rcupdate_wait.h, the kvfree_rcu
 *             parts of slab.h)
 * Models: RCU on liburcu, flavour "memb" (liburcu-memb, <urcu/urcu-memb.h>),
 *         used for real but deterministically:
 *           - rcu_read_lock()/rcu_read_unlock() enter/leave a liburcu memb
 *             read-side section and count the nesting in current task
 *             (lusim_rcu_read_enter/exit of <linux/sched.h>), so a
 *             might_sleep() inside one reports LOCK-SLEEP-IN-RCU;
 *           - rcu_dereference*() / rcu_assign_pointer() are liburcu's
 *             _rcu_dereference (a consume load) / _rcu_set_pointer (release
 *             store); the _check/_protected forms evaluate their lockdep
 *             condition like CONFIG_PROVE_RCU;
 *           - synchronize_rcu() is urcu_memb_synchronize_rcu();
 *           - call_rcu() and kfree_rcu() do NOT use liburcu's call_rcu (its
 *             worker thread would run callbacks at times the input does not
 *             decide): callbacks wait in lusim's own FIFO until rcu_barrier()
 *             (grace period, then every queued callback in call order, with
 *             bottom halves disabled like the kernel's softirq callbacks;
 *             callbacks queued by callbacks run after a further grace
 *             period in the same barrier). Harnesses call rcu_barrier() at
 *             op end and before kexec; lusim_reset_all() drains too.
 *         Why memb: readers are cheap (no signal, no per-thread quiescent
 *         state reports as qsbr needs), it needs no signal handler (bp/signal
 *         flavours do), and the grace period uses sys_membarrier. With one
 *         registered thread and no reader open, a grace period returns at
 *         once. The thread registers lazily and unregisters at exit, so
 *         LSan sees a clean exit.
 *         Never switch actors inside a read-side section (AMENDMENTS): a
 *         grace period or barrier requested while this thread has any
 *         reader open is reported and skipped, never waited for.
 * Leaves out: SRCU, tasks-RCU, the expedited/polled grace period API
 *         (synchronize_rcu_expedited is synchronize_rcu), rcu_head debug
 *         objects beyond the double-queue check, callback batching by CPU.
 *
 * Finding ids:
 *   RCU-UNBALANCED      rcu_read_unlock() without rcu_read_lock(), or a
 *                       read-side section still open at an op boundary
 *                       (lusim_rcu_assert_none_held); the latter is then
 *                       closed so the run can go on
 *   RCU-SYNC-IN-READER  synchronize_rcu()/rcu_barrier() inside a read-side
 *                       section (plus LOCK-SLEEP-IN-RCU from might_sleep())
 *   RCU-SUSPICIOUS      rcu_dereference_check()/rcu_dereference() outside a
 *                       reader without the stated lock,
 *                       rcu_dereference_protected() whose condition is
 *                       false, RCU_LOCKDEP_WARN() (the kernel's "suspicious
 *                       RCU usage")
 *   RCU-DOUBLE-CALL     call_rcu()/kfree_rcu() on an rcu_head already queued
 *   RCU-HEAD-CORRUPTED  a queued rcu_head was overwritten before its
 *                       callback ran (its object freed or reused before
 *                       the grace period); the callback is skipped
 */
#ifndef _LUSIM_LINUX_RCUPDATE_H
#define _LUSIM_LINUX_RCUPDATE_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/cleanup.h>
#include <urcu/static/pointer.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

/* liburcu's <urcu/pointer.h> spells these the same way: the kernel's win */
#undef rcu_dereference
#undef rcu_assign_pointer
#undef rcu_cmpxchg_pointer
#undef rcu_xchg_pointer
#undef rcu_set_pointer

typedef void (*rcu_callback_t)(struct rcu_head *head);

/* --- read side ----------------------------------------------------------- */

void __lusim_rcu_read_lock(const char *site);
void __lusim_rcu_read_unlock(const char *site);

#define rcu_read_lock()		__lusim_rcu_read_lock(LUSIM_SITE)
#define rcu_read_unlock()	__lusim_rcu_read_unlock(LUSIM_SITE)
#define rcu_read_lock_bh()						\
	do { local_bh_disable(); __lusim_rcu_read_lock(LUSIM_SITE); } while (0)
#define rcu_read_unlock_bh()						\
	do { __lusim_rcu_read_unlock(LUSIM_SITE); local_bh_enable(); } while (0)
#define rcu_read_lock_sched()	preempt_disable()
#define rcu_read_unlock_sched()	preempt_enable()

/* Read-side nesting of the current task. */
static inline int lusim_rcu_read_depth(void)
{
	return current->rcu_read_lock_nesting;
}

static inline int rcu_read_lock_held(void)
{
	return current->rcu_read_lock_nesting > 0;
}

static inline int rcu_read_lock_bh_held(void)
{
	return rcu_read_lock_held() || in_softirq();
}

static inline int rcu_read_lock_sched_held(void)
{
	return preempt_count() != 0;
}

static inline int rcu_read_lock_any_held(void)
{
	return rcu_read_lock_held() || preempt_count() != 0;
}

static inline bool rcu_is_watching(void)
{
	return true;
}

/* Report RCU-SUSPICIOUS ("suspicious <what> usage") at @site. */
void lusim_rcu_suspicious(const char *what, const char *site);

#define RCU_LOCKDEP_WARN(c, s)						\
	do {								\
		if (unlikely(c))					\
			lusim_rcu_suspicious(s, LUSIM_SITE);		\
	} while (0)

#define rcu_sleep_check()	do { } while (0)

/* --- pointers ------------------------------------------------------------ */

#define rcu_dereference_raw(p)		_rcu_dereference(p)
#define rcu_dereference_raw_check(p)	_rcu_dereference(p)

#define rcu_dereference_check(p, c) __extension__ ({			\
	if (unlikely(!((c) || rcu_read_lock_held())))			\
		lusim_rcu_suspicious("rcu_dereference_check()", LUSIM_SITE); \
	_rcu_dereference(p);						\
})

#define rcu_dereference_bh_check(p, c) __extension__ ({		\
	if (unlikely(!((c) || rcu_read_lock_bh_held())))		\
		lusim_rcu_suspicious("rcu_dereference_bh_check()", LUSIM_SITE); \
	_rcu_dereference(p);						\
})

#define rcu_dereference_sched_check(p, c) __extension__ ({		\
	if (unlikely(!((c) || rcu_read_lock_sched_held())))		\
		lusim_rcu_suspicious("rcu_dereference_sched_check()", LUSIM_SITE); \
	_rcu_dereference(p);						\
})

#define rcu_dereference(p)		rcu_dereference_check(p, 0)
#define rcu_dereference_bh(p)		rcu_dereference_bh_check(p, 0)
#define rcu_dereference_sched(p)	rcu_dereference_sched_check(p, 0)

/* Update side with the lock held: a plain load, the condition checked. */
#define rcu_dereference_protected(p, c) __extension__ ({		\
	if (unlikely(!(c)))						\
		lusim_rcu_suspicious("rcu_dereference_protected()", LUSIM_SITE); \
	(p);								\
})

/* The pointer's value, for comparisons only (never dereferenced). */
#define rcu_access_pointer(p)		READ_ONCE(p)
#define unrcu_pointer(p)		(p)
#define rcu_pointer_handoff(p)		(p)

/* Publish @v in @p (release store: initialisation of *v happens before). */
#define rcu_assign_pointer(p, v)	_rcu_set_pointer(&(p), v)
#define RCU_INIT_POINTER(p, v)		WRITE_ONCE(p, v)
#define RCU_INITIALIZER(v)		(v)

#define rcu_replace_pointer(rcu_ptr, ptr, c) __extension__ ({		\
	__typeof__(ptr) __rcu_tmp = rcu_dereference_protected((rcu_ptr), (c)); \
	rcu_assign_pointer((rcu_ptr), (ptr));				\
	__rcu_tmp;							\
})

/* --- grace periods and callbacks ---------------------------------------- */

void __lusim_synchronize_rcu(const char *site);
void __lusim_call_rcu(struct rcu_head *head, rcu_callback_t func,
		      const char *site);
void __lusim_rcu_barrier(const char *site);
/* kvfree(@ptr) after a grace period; @head inside *ptr (NULL: sleep now) */
void __lusim_kvfree_call_rcu(struct rcu_head *head, void *ptr,
			     const char *site);

#define synchronize_rcu()		__lusim_synchronize_rcu(LUSIM_SITE)
#define synchronize_rcu_expedited()	__lusim_synchronize_rcu(LUSIM_SITE)
#define call_rcu(head, func)		__lusim_call_rcu(head, func, LUSIM_SITE)
#define call_rcu_hurry(head, func)	__lusim_call_rcu(head, func, LUSIM_SITE)
#define rcu_barrier()			__lusim_rcu_barrier(LUSIM_SITE)

#define init_rcu_head(head)		do { } while (0)
#define destroy_rcu_head(head)		do { } while (0)
#define init_rcu_head_on_stack(head)	do { } while (0)
#define destroy_rcu_head_on_stack(head)	do { } while (0)

/*
 * kfree_rcu(ptr, rhf): kvfree(ptr) after a grace period, rhf being the
 * struct rcu_head member of *ptr. kfree_rcu(ptr) (one argument, the
 * kernel's kfree_rcu_mightsleep): may sleep, waits for a grace period and
 * frees at once. NULL ptr: nothing.
 */
#define __lusim_kvfree_rcu_2(ptr, rhf)					\
do {									\
	__typeof__(ptr) ___p = (ptr);					\
									\
	_Static_assert(__builtin_offsetof(__typeof__(*(ptr)), rhf) < 4096, \
		       "rcu_head too deep in the object");		\
	if (___p)							\
		__lusim_kvfree_call_rcu(&((___p)->rhf), (void *)___p,	\
					LUSIM_SITE);			\
} while (0)

#define __lusim_kvfree_rcu_1(ptr)					\
do {									\
	__typeof__(ptr) ___p = (ptr);					\
									\
	if (___p)							\
		__lusim_kvfree_call_rcu(NULL, (void *)___p, LUSIM_SITE); \
} while (0)

#define __lusim_rcu_argc2(_1, _2, n, ...) n
#define kvfree_rcu(...)							\
	__PASTE(__lusim_kvfree_rcu_, __lusim_rcu_argc2(__VA_ARGS__, 2, 1))(__VA_ARGS__)
#define kfree_rcu(...)			kvfree_rcu(__VA_ARGS__)
#define kfree_rcu_mightsleep(ptr)	__lusim_kvfree_rcu_1(ptr)
#define kvfree_rcu_mightsleep(ptr)	__lusim_kvfree_rcu_1(ptr)

/* --- lusim --------------------------------------------------------------- */

/*
 * At an op boundary no read-side section may be open: RCU-UNBALANCED (the
 * finding's site is where the outermost open rcu_read_lock() was taken),
 * after which the sections are closed.
 */
void __lusim_rcu_assert_none_held(const char *where, const char *site);
#define lusim_rcu_assert_none_held(where)				\
	__lusim_rcu_assert_none_held(where, LUSIM_SITE)

/* Callbacks queued and not yet run. */
unsigned long lusim_rcu_pending(void);

struct lusim_rcu_stats {
	unsigned long grace_periods;	/* liburcu synchronize calls */
	unsigned long callbacks_queued;
	unsigned long callbacks_run;
	unsigned long barriers;
	unsigned long read_locks;
};
void lusim_rcu_stats(struct lusim_rcu_stats *st);

/* guard(rcu)() and scoped_guard(rcu) { } */
DEFINE_LOCK_GUARD_0(rcu, __lusim_rcu_read_lock(__lusim_guard_site),
		    __lusim_rcu_read_unlock("guard(rcu) scope end"))

#endif /* _LUSIM_LINUX_RCUPDATE_H */
