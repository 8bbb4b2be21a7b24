// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lock primitives: spinlock_t, struct mutex, struct rw_semaphore.
 *
 * Each lock keeps its owner (and, for rwsems, a reader count) tagged with
 * lusim_lock_generation: a lock whose tag is stale reads as unlocked, which
 * is how lusim_reset_all() unlocks everything without touching lock memory.
 *
 * Order of checks on a blocking acquire (as in the kernel): the sleep check
 * (mutex/rwsem), then recursion on the same instance (LOCK-RECURSIVE; the
 * kernel would hang, lusim counts the extra acquire so the unlocks balance),
 * then contention with another task (lusim_lock_contended()), then lockdep
 * (order graph, held-lock stack), then the owner is set.
 */
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>

#include <lusim/actor.h>

#include "lockdep_internal.h"

static const char *lname(const struct lockdep_map *map)
{
	return map->name ? map->name : "(unnamed)";
}

static void report_recursive(struct lockdep_map *map, const char *what,
			     const char *mode, const char *site)
{
	const struct held_lock *h = lusim_find_held(current, map, -1);

	if (h)
		lusim_lock_report("LOCK-RECURSIVE", site, NULL,
				  "%s(%s): recursive locking, task %s already holds it%s (taken at %s)",
				  what, lname(map), current->comm, mode,
				  h->acquire_site);
	else
		lusim_lock_report("LOCK-RECURSIVE", site, NULL,
				  "%s(%s): recursive locking, task %s already holds it%s",
				  what, lname(map), current->comm, mode);
}

/* --- spinlock_t ----------------------------------------------------------- */

static inline void spin_fresh(spinlock_t *l)
{
	if (l->gen != lusim_lock_generation) {
		l->owner = NULL;
		l->recursion = 0;
		l->gen = lusim_lock_generation;
	}
}

void __spin_lock_init(spinlock_t *lock, const char *name,
		      struct lock_class_key *key)
{
	lock->owner = NULL;
	lock->gen = 0;
	lock->recursion = 0;
	lockdep_init_map(&lock->dep_map, name, key, 0);
}

void lusim_spin_lock(spinlock_t *l, unsigned int subclass, const char *site)
{
	struct task_struct *t = current;

	lusim_sched_point(LUSIM_SP_LOCK, &l->dep_map, site);
	spin_fresh(l);
	t->preempt_count++;
	if (l->owner == t) {
		report_recursive(&l->dep_map, "spin_lock", "", site);
		l->recursion++;
		lusim_lock_acquire(&l->dep_map, subclass, 0, 0, LUSIM_LOCK_SPIN,
				   site);
		return;
	}
	while (l->owner) {
		if (!lusim_lock_contended(&l->dep_map, l->owner, site))
			break;
		spin_fresh(l);
	}
	lusim_lock_acquire(&l->dep_map, subclass, 0, 0, LUSIM_LOCK_SPIN, site);
	l->owner = t;
	l->recursion = 0;
}

int lusim_spin_trylock(spinlock_t *l, const char *site)
{
	struct task_struct *t = current;

	lusim_sched_point(LUSIM_SP_LOCK, &l->dep_map, site);
	spin_fresh(l);
	if (l->owner)
		return 0;
	t->preempt_count++;
	lusim_lock_acquire(&l->dep_map, 0, 1, 0, LUSIM_LOCK_SPIN, site);
	l->owner = t;
	l->recursion = 0;
	return 1;
}

void lusim_spin_unlock(spinlock_t *l, const char *site)
{
	struct task_struct *t = current;

	spin_fresh(l);
	if (!__lusim_lock_release(&l->dep_map, -1, site, "spin_unlock"))
		return;
	if (l->owner == t) {
		if (l->recursion)
			l->recursion--;
		else
			l->owner = NULL;
	}
	if (t->preempt_count > 0)
		t->preempt_count--;
	lusim_sched_point(LUSIM_SP_UNLOCK, &l->dep_map, site);
}

void lusim_assert_spin_locked(spinlock_t *l, const char *expr,
			      const char *site)
{
	if (!lusim_lockdep_on)
		return;
	spin_fresh(l);
	if (!l->owner)
		lusim_lock_report("LOCK-NOT-HELD", site, NULL,
				  "assert_spin_locked(%s) failed: the lock is not locked",
				  expr);
}

/* --- struct mutex ------------------------------------------------------------ */

static inline void mutex_fresh(struct mutex *m)
{
	if (m->gen != lusim_lock_generation) {
		m->owner = NULL;
		m->recursion = 0;
		m->gen = lusim_lock_generation;
	}
}

void __mutex_init(struct mutex *lock, const char *name,
		  struct lock_class_key *key)
{
	lock->owner = NULL;
	lock->gen = 0;
	lock->recursion = 0;
	lockdep_init_map(&lock->dep_map, name, key, 0);
}

void lusim_mutex_lock(struct mutex *m, unsigned int subclass, const char *site)
{
	struct task_struct *t = current;

	lusim_sched_point(LUSIM_SP_LOCK, &m->dep_map, site);
	lusim_lockdep_check_sleep(site, "mutex_lock", lname(&m->dep_map));
	mutex_fresh(m);
	if (m->owner == t) {
		report_recursive(&m->dep_map, "mutex_lock", "", site);
		m->recursion++;
		lusim_lock_acquire(&m->dep_map, subclass, 0, 0,
				   LUSIM_LOCK_MUTEX, site);
		return;
	}
	while (m->owner) {
		if (!lusim_lock_contended(&m->dep_map, m->owner, site))
			break;
		mutex_fresh(m);
	}
	lusim_lock_acquire(&m->dep_map, subclass, 0, 0, LUSIM_LOCK_MUTEX, site);
	m->owner = t;
	m->recursion = 0;
}

int lusim_mutex_trylock(struct mutex *m, const char *site)
{
	lusim_sched_point(LUSIM_SP_LOCK, &m->dep_map, site);
	mutex_fresh(m);
	if (m->owner)
		return 0;
	lusim_lock_acquire(&m->dep_map, 0, 1, 0, LUSIM_LOCK_MUTEX, site);
	m->owner = current;
	m->recursion = 0;
	return 1;
}

void lusim_mutex_unlock(struct mutex *m, const char *site)
{
	mutex_fresh(m);
	if (!__lusim_lock_release(&m->dep_map, -1, site, "mutex_unlock"))
		return;
	if (m->owner == current) {
		if (m->recursion)
			m->recursion--;
		else
			m->owner = NULL;
	}
	lusim_sched_point(LUSIM_SP_UNLOCK, &m->dep_map, site);
}

void lusim_mutex_destroy(struct mutex *m, const char *site)
{
	mutex_fresh(m);
	if (m->owner)
		lusim_lock_report("LOCK-HELD", site, NULL,
				  "mutex_destroy(%s) of a mutex locked by task %s",
				  lname(&m->dep_map), m->owner->comm);
}

/* --- struct rw_semaphore ----------------------------------------------------- */

static inline void rwsem_fresh(struct rw_semaphore *s)
{
	if (s->gen != lusim_lock_generation) {
		s->owner = NULL;
		s->readers = 0;
		s->recursion = 0;
		s->gen = lusim_lock_generation;
	}
}

void __init_rwsem(struct rw_semaphore *sem, const char *name,
		  struct lock_class_key *key)
{
	sem->owner = NULL;
	sem->gen = 0;
	sem->readers = 0;
	sem->recursion = 0;
	lockdep_init_map(&sem->dep_map, name, key, 0);
}

void lusim_down_read(struct rw_semaphore *s, unsigned int subclass,
		     const char *site)
{
	struct task_struct *t = current;

	lusim_sched_point(LUSIM_SP_LOCK, &s->dep_map, site);
	lusim_lockdep_check_sleep(site, "down_read", lname(&s->dep_map));
	rwsem_fresh(s);
	if (s->owner == t) {
		report_recursive(&s->dep_map, "down_read", " for write", site);
		s->readers++;
		lusim_lock_acquire(&s->dep_map, subclass, 0, 1,
				   LUSIM_LOCK_RWSEM, site);
		return;
	}
	/* a second read hold by this task is allowed (see rwsem.h) */
	while (s->owner) {
		if (!lusim_lock_contended(&s->dep_map, s->owner, site)) {
			s->owner = NULL;
			s->recursion = 0;
			break;
		}
		rwsem_fresh(s);
	}
	lusim_lock_acquire(&s->dep_map, subclass, 0, 1, LUSIM_LOCK_RWSEM, site);
	s->readers++;
}

int lusim_down_read_trylock(struct rw_semaphore *s, const char *site)
{
	lusim_sched_point(LUSIM_SP_LOCK, &s->dep_map, site);
	rwsem_fresh(s);
	if (s->owner)
		return 0;
	lusim_lock_acquire(&s->dep_map, 0, 1, 1, LUSIM_LOCK_RWSEM, site);
	s->readers++;
	return 1;
}

void lusim_up_read(struct rw_semaphore *s, const char *site)
{
	rwsem_fresh(s);
	if (!__lusim_lock_release(&s->dep_map, 1, site, "up_read"))
		return;
	if (s->readers)
		s->readers--;
	lusim_sched_point(LUSIM_SP_UNLOCK, &s->dep_map, site);
}

void lusim_down_write(struct rw_semaphore *s, unsigned int subclass,
		      const char *site)
{
	struct task_struct *t = current;

	lusim_sched_point(LUSIM_SP_LOCK, &s->dep_map, site);
	lusim_lockdep_check_sleep(site, "down_write", lname(&s->dep_map));
	rwsem_fresh(s);
	if (s->owner == t) {
		report_recursive(&s->dep_map, "down_write", " for write", site);
		s->recursion++;
		lusim_lock_acquire(&s->dep_map, subclass, 0, 0,
				   LUSIM_LOCK_RWSEM, site);
		return;
	}
	if (s->readers && lusim_find_held(t, &s->dep_map, 1)) {
		report_recursive(&s->dep_map, "down_write", " for read", site);
		lusim_lock_acquire(&s->dep_map, subclass, 0, 0,
				   LUSIM_LOCK_RWSEM, site);
		s->owner = t;
		s->recursion = 0;
		return;
	}
	while (s->owner || s->readers) {
		if (!lusim_lock_contended(&s->dep_map, s->owner, site))
			break;
		rwsem_fresh(s);
	}
	lusim_lock_acquire(&s->dep_map, subclass, 0, 0, LUSIM_LOCK_RWSEM, site);
	s->owner = t;
	s->recursion = 0;
}

int lusim_down_write_trylock(struct rw_semaphore *s, const char *site)
{
	lusim_sched_point(LUSIM_SP_LOCK, &s->dep_map, site);
	rwsem_fresh(s);
	if (s->owner || s->readers)
		return 0;
	lusim_lock_acquire(&s->dep_map, 0, 1, 0, LUSIM_LOCK_RWSEM, site);
	s->owner = current;
	s->recursion = 0;
	return 1;
}

void lusim_up_write(struct rw_semaphore *s, const char *site)
{
	rwsem_fresh(s);
	if (!__lusim_lock_release(&s->dep_map, 0, site, "up_write"))
		return;
	if (s->owner == current) {
		if (s->recursion)
			s->recursion--;
		else
			s->owner = NULL;
	}
	lusim_sched_point(LUSIM_SP_UNLOCK, &s->dep_map, site);
}

void lusim_downgrade_write(struct rw_semaphore *s, const char *site)
{
	struct held_lock *h;

	rwsem_fresh(s);
	h = lusim_find_held(current, &s->dep_map, 0);
	if (!h || s->owner != current) {
		lusim_lock_report("LOCK-UNLOCK-UNHELD", site, NULL,
				  "downgrade_write(%s): task %s does not hold it for write",
				  lname(&s->dep_map), current->comm);
		return;
	}
	h->read = 1;
	if (s->recursion)
		s->recursion--;
	else
		s->owner = NULL;
	s->readers++;
	lusim_sched_point(LUSIM_SP_UNLOCK, &s->dep_map, site);
}

