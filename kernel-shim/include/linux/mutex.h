/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/mutex.h, mutex_types.h
 * Models: struct mutex with an owner task, lockdep-lite class per init site,
 *         mutex_lock/_nested (subclass), mutex_lock_interruptible/_killable
 *         (never interrupted: return 0), mutex_trylock, mutex_unlock,
 *         mutex_is_locked, mutex_destroy (LOCK-HELD when destroyed locked).
 *         Every blocking acquire is a might_sleep() point
 *         (LOCK-SLEEP-IN-ATOMIC / LOCK-SLEEP-IN-RCU); recursion on the same
 *         mutex reports LOCK-RECURSIVE; unlock by a non-holder
 *         LOCK-UNLOCK-UNHELD; a mutex another task holds goes through
 *         lusim_lock_contended() (today LOCK-DEADLOCK).
 * Leaves out: optimistic spinning, handoff, ww_mutex, mutex_lock_io
 *         accounting (it is mutex_lock), atomic_dec_and_mutex_lock.
 */
#ifndef _LUSIM_LINUX_MUTEX_H
#define _LUSIM_LINUX_MUTEX_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/lockdep.h>

struct mutex {
	struct task_struct *owner;	/* NULL when unlocked */
	unsigned int gen;		/* lusim_lock_generation of owner */
	unsigned int recursion;		/* extra acquires by the owner */
	struct lockdep_map dep_map;
};

#define __MUTEX_INITIALIZER(lockname)					\
	{ .owner = NULL, .dep_map = { .name = #lockname } }
#define DEFINE_MUTEX(mutexname)						\
	struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

void __mutex_init(struct mutex *lock, const char *name,
		  struct lock_class_key *key);
#define mutex_init(mutex)						\
	do {								\
		static struct lock_class_key __key;			\
									\
		__mutex_init((mutex), #mutex, &__key);			\
	} while (0)

void lusim_mutex_lock(struct mutex *lock, unsigned int subclass,
		      const char *site);
int lusim_mutex_trylock(struct mutex *lock, const char *site);
void lusim_mutex_unlock(struct mutex *lock, const char *site);
void lusim_mutex_destroy(struct mutex *lock, const char *site);

#define mutex_lock(lock)		lusim_mutex_lock(lock, 0, LUSIM_SITE)
#define mutex_lock_nested(lock, sub)	lusim_mutex_lock(lock, sub, LUSIM_SITE)
#define mutex_lock_io(lock)		mutex_lock(lock)
#define mutex_lock_nest_lock(lock, nest) mutex_lock(lock)
#define mutex_lock_interruptible(lock)					\
	({ lusim_mutex_lock(lock, 0, LUSIM_SITE); 0; })
#define mutex_lock_interruptible_nested(lock, sub)			\
	({ lusim_mutex_lock(lock, sub, LUSIM_SITE); 0; })
#define mutex_lock_killable(lock)					\
	({ lusim_mutex_lock(lock, 0, LUSIM_SITE); 0; })
#define mutex_lock_killable_nested(lock, sub)				\
	({ lusim_mutex_lock(lock, sub, LUSIM_SITE); 0; })
#define mutex_trylock(lock)		lusim_mutex_trylock(lock, LUSIM_SITE)
#define mutex_unlock(lock)		lusim_mutex_unlock(lock, LUSIM_SITE)
#define mutex_destroy(lock)		lusim_mutex_destroy(lock, LUSIM_SITE)

static inline bool mutex_is_locked(const struct mutex *lock)
{
	return lock->gen == lusim_lock_generation &&
	       READ_ONCE(lock->owner) != NULL;
}

/* the guard(mutex...) definitions live in cleanup.h's trailing sections */
#include <linux/cleanup.h>

#endif /* _LUSIM_LINUX_MUTEX_H */
