/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/lockdep.h, lockdep_types.h
 * Models: lockdep-lite. Lock classes per init site (the init macros hold a
 *         static struct lock_class_key; a statically defined lock uses a key
 *         inside its own lockdep_map), class name = the lock expression text
 *         ("&igroup->lock"), one class per (key, subclass); the per-task
 *         held-lock stack with acquire sites; a class order graph with cycle
 *         reports (ABBA and longer) naming the existing chain and the
 *         current stack; lockdep_assert_held{,_read,_write,_once},
 *         lockdep_assert_not_held, lockdep_is_held; lusim's
 *         lockdep_assert_none_held(where) for op boundaries; bare maps
 *         (lock_map_acquire/release) for pseudo-locks, might_lock(),
 *         lockdep_assert(cond) (a WARN).
 * Leaves out: irq-state tracking (hardirq/softirq safe/unsafe inversions),
 *         lock-chain hashing, lock statistics, cross-release, the
 *         recursive-read (read == 2) dependency rules. Two instances of the
 *         same class nested (same subclass) are allowed and add no edge
 *         (kernel-model.md 1.6: LUO nests luo_file->mutex); the kernel would
 *         report "possible recursive locking". A second down_read of the same
 *         rwsem by one task is allowed (the kernel reports it).
 *
 * Findings (the detail of each carries the held-lock stack):
 *   LOCK-ORDER-CYCLE  new dependency closes a cycle in the class graph
 *   LOCK-NOT-HELD     lockdep_assert_held*() failed (or held in the wrong mode)
 *   LOCK-HELD         lockdep_assert_not_held() failed; a held lock freed
 *   LOCK-HELD-AT-OP-END  lockdep_assert_none_held(where) found held locks
 *   LOCK-DEPTH        held-lock stack overflow (MAX_LOCK_DEPTH)
 * and, from the lock primitives (<linux/spinlock.h>, mutex.h, rwsem.h):
 *   LOCK-SLEEP-IN-ATOMIC, LOCK-SLEEP-IN-RCU, LOCK-UNLOCK-UNHELD,
 *   LOCK-RECURSIVE, LOCK-DEADLOCK (lock held by another task, see
 *   lusim_lock_contended()).
 */
#ifndef _LUSIM_LINUX_LOCKDEP_H
#define _LUSIM_LINUX_LOCKDEP_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/bug.h>

#define MAX_LOCKDEP_SUBCLASSES		8U
#define SINGLE_DEPTH_NESTING		1

/*
 * A class key. ids[] cache the class id per subclass; they are valid only
 * while gen equals lockdep's generation, which lusim_reset_all() bumps, so
 * classes re-register lazily after a reset.
 */
struct lock_class_key {
	unsigned int gen;
	unsigned short ids[MAX_LOCKDEP_SUBCLASSES];
};

/*
 * Bumped by lusim_reset_all(): class ids cached in keys and the owner fields
 * of every lock object carry the generation they were written in, so after a
 * reset all classes re-register lazily and every lock reads as unlocked
 * without touching lock memory (which may belong to freed objects).
 */
extern unsigned int lusim_lock_generation;

struct lockdep_map {
	struct lock_class_key *key;	/* NULL: use static_key below */
	const char *name;		/* class name: the lock expression */
	struct lock_class_key static_key; /* key of statically defined locks */
};

#define STATIC_LOCKDEP_MAP_INIT(_name, _key) { .key = (_key), .name = (_name) }

void lockdep_init_map(struct lockdep_map *map, const char *name,
		      struct lock_class_key *key, int subclass);
#define lockdep_init_map_type(map, name, key, sub, ...) \
	lockdep_init_map(map, name, key, sub)

/* Keys in dynamic memory: clear before first use. */
void lockdep_register_key(struct lock_class_key *key);
void lockdep_unregister_key(struct lock_class_key *key);

#define lockdep_set_class(lock, key)					\
	lockdep_init_map(&(lock)->dep_map, #key, key, 0)
#define lockdep_set_class_and_name(lock, key, name)			\
	lockdep_init_map(&(lock)->dep_map, name, key, 0)
#define lockdep_match_class(lock, key)					\
	((lock)->dep_map.key == (key))

/*
 * The acquire/release core the lock primitives call. @kind is an enum
 * lusim_lock_kind, @read 1 for a shared acquire, @trylock 1 for a successful
 * trylock (adds no order edge; later locks still order after it).
 */
void lusim_lock_acquire(struct lockdep_map *map, unsigned int subclass,
			int trylock, int read, int kind, const char *site);
/* Returns false (and reports LOCK-UNLOCK-UNHELD) when the task does not
 * hold @map in the given mode (@read: 0 write, 1 read, -1 either). */
bool lusim_lock_release(struct lockdep_map *map, int read, const char *site);
/* The held-lock entry of @map in current's stack (topmost), or NULL. */
struct held_lock *lusim_lock_find_held(const struct lockdep_map *map);

/* read: -1 any mode, 0 exclusive, 1 shared */
int lock_is_held_type(const struct lockdep_map *map, int read);
#define lock_is_held(map)		lock_is_held_type(map, -1)
#define lockdep_is_held(lock)		lock_is_held(&(lock)->dep_map)
#define lockdep_is_held_type(lock, r)	lock_is_held_type(&(lock)->dep_map, (r))

/* Pseudo-locks: a bare struct lockdep_map taken for ordering only. */
#define lock_map_acquire(m)						\
	lusim_lock_acquire(m, 0, 0, 0, LUSIM_LOCK_MAP, LUSIM_SITE)
#define lock_map_acquire_read(m)					\
	lusim_lock_acquire(m, 0, 0, 1, LUSIM_LOCK_MAP, LUSIM_SITE)
#define lock_map_acquire_try(m)						\
	lusim_lock_acquire(m, 0, 1, 0, LUSIM_LOCK_MAP, LUSIM_SITE)
#define lock_map_release(m)		lusim_lock_release(m, -1, LUSIM_SITE)

/*
 * might_lock(): record the dependency as if the lock were taken and dropped
 * here (order graph only; the lock itself is not touched).
 */
#define __lusim_might_lock(lock, read, sub)				\
	do {								\
		lusim_lock_acquire(&(lock)->dep_map, sub, 0, read,	\
				   LUSIM_LOCK_MAP, LUSIM_SITE);		\
		lusim_lock_release(&(lock)->dep_map, read, LUSIM_SITE);	\
	} while (0)
#define might_lock(lock)		__lusim_might_lock(lock, 0, 0)
#define might_lock_read(lock)		__lusim_might_lock(lock, 1, 0)
#define might_lock_nested(lock, sub)	__lusim_might_lock(lock, 0, sub)

/* Assertions (mode: -1 any, 0 exclusive, 1 shared). */
void lusim_lockdep_assert_held(const struct lockdep_map *map, int read,
			       const char *expr, const char *site);
void lusim_lockdep_assert_not_held(const struct lockdep_map *map,
				   const char *expr, const char *site);
void lusim_lockdep_assert_none_held(const char *where, const char *site);

#define lockdep_assert_held(l)						\
	lusim_lockdep_assert_held(&(l)->dep_map, -1, #l, LUSIM_SITE)
#define lockdep_assert_held_write(l)					\
	lusim_lockdep_assert_held(&(l)->dep_map, 0, #l, LUSIM_SITE)
#define lockdep_assert_held_read(l)					\
	lusim_lockdep_assert_held(&(l)->dep_map, 1, #l, LUSIM_SITE)
#define lockdep_assert_held_once(l)	lockdep_assert_held(l)
#define lockdep_assert_not_held(l)					\
	lusim_lockdep_assert_not_held(&(l)->dep_map, #l, LUSIM_SITE)
/* lusim: at an op boundary no lock may be held (LOCK-HELD-AT-OP-END) */
#define lockdep_assert_none_held(where)					\
	lusim_lockdep_assert_none_held(where, LUSIM_SITE)
#define lockdep_assert(cond)		do { WARN_ON(!(cond)); } while (0)
#define lockdep_assert_once(cond)	do { WARN_ON_ONCE(!(cond)); } while (0)
#define lockdep_assert_irqs_disabled()	do { } while (0)
#define lockdep_assert_irqs_enabled()	do { } while (0)
#define lockdep_assert_preemption_disabled() do { } while (0)
#define lockdep_assert_in_softirq()	do { } while (0)
#define lockdep_off()			do { } while (0)
#define lockdep_on()			do { } while (0)

/*
 * A held lock inside [mem, mem + len) is being freed: LOCK-HELD, and the
 * entry is dropped from the stack (the slab calls this from kfree).
 */
void debug_check_no_locks_freed(const void *mem, unsigned long len);

/* --- lusim controls ----------------------------------------------------- */

/*
 * Checker switch (benchmarks). Off: no classes, order graph, sleep checks or
 * assertions; the lock primitives still keep owners and the held-lock stack,
 * so recursion, unbalanced unlock and contention are still reported.
 */
void lusim_lockdep_set_enabled(bool on);
bool lusim_lockdep_enabled(void);

/*
 * Taking a lock that a *different* task holds goes through this hook. @owner
 * is the holder (NULL: held for read by others). It returns true when the
 * caller should look at the lock again (the actor was switched and the lock
 * may be free), false to take it regardless. The default handler reports
 * LOCK-DEADLOCK (one OS thread: nobody else can ever release it) and returns
 * false; the concurrency work installs one that blocks the actor and
 * switches.
 */
typedef bool (*lusim_lock_contended_fn)(struct lockdep_map *map,
					struct task_struct *owner,
					const char *site);
bool lusim_lock_contended(struct lockdep_map *map, struct task_struct *owner,
			  const char *site);
void lusim_set_lock_contended_handler(lusim_lock_contended_fn fn);

/*
 * Print @t's held-lock stack ("  #0: &igroup->lock (mutex) at file:line",
 * one line each; NULL = current) into buf; returns the length written.
 */
size_t lusim_lockdep_print_held(char *buf, size_t len,
				const struct task_struct *t);

/* Deterministic counters (tests assert complexity on these, never time). */
struct lusim_lockdep_stats {
	unsigned int nr_classes;
	unsigned int nr_edges;
	unsigned long nr_acquires;		/* validated acquires */
	unsigned long nr_edge_checks;		/* held locks looked at */
	unsigned long nr_cycle_searches;	/* one per new edge */
	unsigned long nr_search_visits;		/* classes visited searching */
};
void lusim_lockdep_get_stats(struct lusim_lockdep_stats *st);
const char *lusim_lockdep_class_name(unsigned int class_idx);

#endif /* _LUSIM_LINUX_LOCKDEP_H */
