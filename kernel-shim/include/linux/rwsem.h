/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/rwsem.h
 * Models: struct rw_semaphore with a writer owner and a reader count,
 *         lockdep-lite class per init site, down_read/_nested/_interruptible/
 *         _killable/_trylock, up_read, down_write/_nested/_killable/_trylock,
 *         up_write, downgrade_write, rwsem_is_locked. Every blocking acquire
 *         is a might_sleep() point. A second down_read by the same task is
 *         allowed; down_write while holding it (read or write), or down_read
 *         while holding it for write, reports LOCK-RECURSIVE. A writer
 *         (or, for down_write, readers) of another task goes through
 *         lusim_lock_contended() (today LOCK-DEADLOCK).
 *         lockdep_assert_held_read/_write check the mode.
 * Leaves out: writer-waiting fairness (readers never block behind a waiting
 *         writer), up_read_non_owner, rwsem_is_contended (always 0).
 */
#ifndef _LUSIM_LINUX_RWSEM_H
#define _LUSIM_LINUX_RWSEM_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/lockdep.h>

struct rw_semaphore {
	struct task_struct *owner;	/* writer, NULL when not write-held */
	unsigned int gen;		/* lusim_lock_generation of the fields */
	unsigned int readers;		/* read holds (all tasks) */
	unsigned int recursion;		/* extra write acquires by the owner */
	struct lockdep_map dep_map;
};

#define __RWSEM_INITIALIZER(lockname)					\
	{ .owner = NULL, .readers = 0, .dep_map = { .name = #lockname } }
#define DECLARE_RWSEM(lockname)						\
	struct rw_semaphore lockname = __RWSEM_INITIALIZER(lockname)

void __init_rwsem(struct rw_semaphore *sem, const char *name,
		  struct lock_class_key *key);
#define init_rwsem(sem)							\
	do {								\
		static struct lock_class_key __key;			\
									\
		__init_rwsem((sem), #sem, &__key);			\
	} while (0)

void lusim_down_read(struct rw_semaphore *sem, unsigned int subclass,
		     const char *site);
int lusim_down_read_trylock(struct rw_semaphore *sem, const char *site);
void lusim_up_read(struct rw_semaphore *sem, const char *site);
void lusim_down_write(struct rw_semaphore *sem, unsigned int subclass,
		      const char *site);
int lusim_down_write_trylock(struct rw_semaphore *sem, const char *site);
void lusim_up_write(struct rw_semaphore *sem, const char *site);
void lusim_downgrade_write(struct rw_semaphore *sem, const char *site);

#define down_read(sem)			lusim_down_read(sem, 0, LUSIM_SITE)
#define down_read_nested(sem, sub)	lusim_down_read(sem, sub, LUSIM_SITE)
#define down_read_interruptible(sem)					\
	({ lusim_down_read(sem, 0, LUSIM_SITE); 0; })
#define down_read_killable(sem)						\
	({ lusim_down_read(sem, 0, LUSIM_SITE); 0; })
#define down_read_trylock(sem)		lusim_down_read_trylock(sem, LUSIM_SITE)
#define up_read(sem)			lusim_up_read(sem, LUSIM_SITE)
#define down_write(sem)			lusim_down_write(sem, 0, LUSIM_SITE)
#define down_write_nested(sem, sub)	lusim_down_write(sem, sub, LUSIM_SITE)
#define down_write_nest_lock(sem, nest)	down_write(sem)
#define down_write_killable(sem)					\
	({ lusim_down_write(sem, 0, LUSIM_SITE); 0; })
#define down_write_trylock(sem)		lusim_down_write_trylock(sem, LUSIM_SITE)
#define up_write(sem)			lusim_up_write(sem, LUSIM_SITE)
#define downgrade_write(sem)		lusim_downgrade_write(sem, LUSIM_SITE)

static inline int rwsem_is_locked(const struct rw_semaphore *sem)
{
	return sem->gen == lusim_lock_generation &&
	       (READ_ONCE(sem->owner) != NULL || READ_ONCE(sem->readers) != 0);
}

#define rwsem_is_contended(sem)		0

/* the guard(rwsem...) definitions live in cleanup.h's trailing sections */
#include <linux/cleanup.h>

#endif /* _LUSIM_LINUX_RWSEM_H */
