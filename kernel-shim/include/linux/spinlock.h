/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/spinlock.h, spinlock_types.h, spinlock_api_smp.h
 * Models: spinlock_t (and raw_spinlock_t as the same type) with an owner
 *         task, lockdep-lite class per init site, spin_lock/_nested,
 *         spin_unlock, spin_trylock, the _irq, _irqsave and _bh variants
 *         (irq/bh state counted per task, see <linux/irqflags.h>),
 *         spin_is_locked, assert_spin_locked (LOCK-NOT-HELD when unlocked).
 *         Holding a spinlock raises preempt_count(): might_sleep() and every
 *         sleeping lock then report LOCK-SLEEP-IN-ATOMIC.
 *         Taking a lock this task holds reports LOCK-RECURSIVE (the kernel
 *         would spin forever; lusim counts it so the unlocks balance); one
 *         another task holds goes through lusim_lock_contended().
 * Leaves out: rwlock_t, spinning, fairness, arch_spinlock_t, lockref.
 */
#ifndef _LUSIM_LINUX_SPINLOCK_H
#define _LUSIM_LINUX_SPINLOCK_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>

typedef struct spinlock {
	struct task_struct *owner;	/* NULL when unlocked */
	unsigned int gen;		/* lusim_lock_generation of owner */
	unsigned int recursion;		/* extra acquires by the owner */
	struct lockdep_map dep_map;
} spinlock_t;

typedef spinlock_t raw_spinlock_t;

#define __SPIN_LOCK_INITIALIZER(lockname)				\
	{ .owner = NULL, .dep_map = { .name = #lockname } }
#define __SPIN_LOCK_UNLOCKED(lockname)					\
	((spinlock_t) __SPIN_LOCK_INITIALIZER(lockname))
#define __RAW_SPIN_LOCK_UNLOCKED(lockname) __SPIN_LOCK_UNLOCKED(lockname)
#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_INITIALIZER(x)
#define DEFINE_RAW_SPINLOCK(x)	DEFINE_SPINLOCK(x)

void __spin_lock_init(spinlock_t *lock, const char *name,
		      struct lock_class_key *key);
#define spin_lock_init(lock)						\
	do {								\
		static struct lock_class_key __key;			\
									\
		__spin_lock_init((lock), #lock, &__key);		\
	} while (0)
#define raw_spin_lock_init(lock)	spin_lock_init(lock)

void lusim_spin_lock(spinlock_t *lock, unsigned int subclass, const char *site);
void lusim_spin_unlock(spinlock_t *lock, const char *site);
int lusim_spin_trylock(spinlock_t *lock, const char *site);

#define spin_lock(lock)		lusim_spin_lock(lock, 0, LUSIM_SITE)
#define spin_lock_nested(lock, sub) lusim_spin_lock(lock, sub, LUSIM_SITE)
#define spin_unlock(lock)	lusim_spin_unlock(lock, LUSIM_SITE)
#define spin_lock_nest_lock(lock, nest) spin_lock(lock)
#define spin_trylock(lock)	lusim_spin_trylock(lock, LUSIM_SITE)

#define spin_lock_irq(lock)						\
	do {								\
		local_irq_disable();					\
		lusim_spin_lock(lock, 0, LUSIM_SITE);			\
	} while (0)
#define spin_unlock_irq(lock)						\
	do {								\
		lusim_spin_unlock(lock, LUSIM_SITE);			\
		local_irq_enable();					\
	} while (0)
#define spin_lock_irqsave(lock, flags)					\
	do {								\
		local_irq_save(flags);					\
		lusim_spin_lock(lock, 0, LUSIM_SITE);			\
	} while (0)
#define spin_lock_irqsave_nested(lock, flags, sub)			\
	do {								\
		local_irq_save(flags);					\
		lusim_spin_lock(lock, sub, LUSIM_SITE);			\
	} while (0)
#define spin_unlock_irqrestore(lock, flags)				\
	do {								\
		lusim_spin_unlock(lock, LUSIM_SITE);			\
		local_irq_restore(flags);				\
	} while (0)
#define spin_trylock_irqsave(lock, flags) ({				\
	int __locked;							\
									\
	local_irq_save(flags);						\
	__locked = lusim_spin_trylock(lock, LUSIM_SITE);		\
	if (!__locked)							\
		local_irq_restore(flags);				\
	__locked; })
#define spin_lock_bh(lock)						\
	do {								\
		lusim_local_bh_disable();				\
		lusim_spin_lock(lock, 0, LUSIM_SITE);			\
	} while (0)
#define spin_unlock_bh(lock)						\
	do {								\
		lusim_spin_unlock(lock, LUSIM_SITE);			\
		lusim_local_bh_enable(LUSIM_SITE);			\
	} while (0)

#define spin_is_locked(lock)						\
	((lock)->gen == lusim_lock_generation && READ_ONCE((lock)->owner) != NULL)
#define spin_is_contended(lock)	0
void lusim_assert_spin_locked(spinlock_t *lock, const char *expr,
			      const char *site);
#define assert_spin_locked(lock)					\
	lusim_assert_spin_locked(lock, #lock, LUSIM_SITE)

#define raw_spin_lock(l)		spin_lock(l)
#define raw_spin_unlock(l)		spin_unlock(l)
#define raw_spin_trylock(l)		spin_trylock(l)
#define raw_spin_lock_irq(l)		spin_lock_irq(l)
#define raw_spin_unlock_irq(l)		spin_unlock_irq(l)
#define raw_spin_lock_irqsave(l, f)	spin_lock_irqsave(l, f)
#define raw_spin_unlock_irqrestore(l, f) spin_unlock_irqrestore(l, f)

/* the guard(spinlock...) definitions live in cleanup.h's trailing sections */
#include <linux/cleanup.h>

#endif /* _LUSIM_LINUX_SPINLOCK_H */
