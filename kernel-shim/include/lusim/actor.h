/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cooperative actors: two or more simulated userspace threads against one
 * kernel model, each on its own ucontext stack, switching only at
 * scheduling points (docs/concurrency.md).
 *
 * lusim_sched_run() runs fn(0..nr-1, arg) on nr actors and returns when
 * every one has returned. Nothing switches on its own: the shim's lock
 * primitives, might_sleep()/cond_resched(), the RCU read-side boundaries
 * and lusim_yield() call the scheduler, which consults the schedule (bytes
 * chosen by the input) and either keeps the running actor or switches to
 * another runnable one. A lock held by another actor blocks the caller (it
 * switches away until the owner releases it); when every unfinished actor
 * is blocked the scheduler reports LOCK-DEADLOCK with every actor's
 * held-lock stack. synchronize_rcu()/rcu_barrier() block their caller
 * until the actors that were inside a read-side section when it was called
 * have left it.
 *
 * A run starts with actor 0. Schedule bytes, one per decision at a
 * switchable point (a point where the
 * running actor is not in atomic context or an RCU read-side section, or
 * where it must block):
 *
 *   0x00-0x7f  run actor (b % nr); if it cannot run, the next one that can
 *              (cyclically)
 *   0x80-0xff  keep the running actor for this and the next (b & 0x7f)
 *              points ("+N" in text, N = (b & 0x7f) + 1)
 *
 * When the bytes run out, the running actor keeps running until it blocks
 * or finishes; then the next runnable actor (cyclically) runs. So an empty
 * schedule runs actor 0's work, then actor 1's, ...: sequential.
 *
 * With no run active (sequential mode) every hook is one load and branch.
 */
#ifndef _LUSIM_ACTOR_H
#define _LUSIM_ACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lockdep_map;
struct task_struct;

#define LUSIM_MAX_ACTORS	4

enum lusim_sched_point_kind {
	LUSIM_SP_LOCK,		/* before a lock acquire (or trylock) */
	LUSIM_SP_UNLOCK,	/* after a lock release */
	LUSIM_SP_SLEEP,		/* might_sleep(), cond_resched() */
	LUSIM_SP_RCU,		/* before rcu_read_lock(), after rcu_read_unlock() (outermost) */
	LUSIM_SP_YIELD,		/* lusim_yield(): an explicit point */
	LUSIM_SP_NR
};

typedef void (*lusim_actor_fn)(unsigned int actor, void *arg);

struct lusim_sched_hooks {
	/*
	 * The running actor changes from @prev to @next (-1: the scheduler's
	 * own context). Called in the context of the actor leaving, or of
	 * the scheduler. For per-actor state of the caller (the op VM's
	 * "op being run").
	 */
	void (*switched)(int prev, int next, void *arg);
	/*
	 * A switch is about to happen at a quiescent point (no actor holds a
	 * lock, none is in atomic context or an RCU read-side section):
	 * the place to run oracles. No scheduling happens inside.
	 */
	void (*quiescent)(void *arg);
	void *arg;
};

/*
 * Run fn(i, arg) for i in 0..nr-1 (2 <= nr <= LUSIM_MAX_ACTORS), each on
 * its own actor (task "actorI"), interleaved by @schedule (@len bytes,
 * copied). Returns 0 when all returned, -EINVAL for a bad nr, -EBUSY from
 * inside a run. @hooks may be NULL.
 */
int lusim_sched_run(unsigned int nr, lusim_actor_fn fn, void *arg,
		    const uint8_t *schedule, size_t len,
		    const struct lusim_sched_hooks *hooks);

/* Is a run active? */
extern bool lusim_sched_on;
/* The running actor's index, -1 outside a run (or in the scheduler). */
int lusim_sched_actor(void);
/* Actor @i's task (valid during and after its run, until the next). */
struct task_struct *lusim_sched_task(unsigned int i);
/* True when no actor holds a lock or is in atomic or RCU context. */
bool lusim_sched_quiescent(void);

/* The hook the shim calls at every scheduling point. */
void __lusim_sched_point(enum lusim_sched_point_kind kind,
			 const struct lockdep_map *map, const char *site);
static inline void lusim_sched_point(enum lusim_sched_point_kind kind,
				     const struct lockdep_map *map,
				     const char *site)
{
	if (__builtin_expect(lusim_sched_on, 0))
		__lusim_sched_point(kind, map, site);
}

/*
 * No switching between lusim_sched_hold() and lusim_sched_unhold() (they
 * nest): the op layer runs its oracles inside. A contended lock there is
 * reported as LOCK-DEADLOCK (nothing can release it).
 */
void lusim_sched_hold(void);
void lusim_sched_unhold(void);

/* An explicit scheduling point (may switch inside an RCU reader). */
void lusim_sched_yield(const char *site);
#define __lusim_actor_str2(x)	#x
#define __lusim_actor_str(x)	__lusim_actor_str2(x)
#define lusim_yield()	lusim_sched_yield(__FILE__ ":" __lusim_actor_str(__LINE__))

/*
 * synchronize_rcu()/rcu_barrier() of an actor: block until every other
 * actor that is inside an RCU read-side section now has left it.
 */
void __lusim_sched_rcu_sync(const char *site);
static inline void lusim_sched_rcu_sync(const char *site)
{
	if (__builtin_expect(lusim_sched_on, 0))
		__lusim_sched_rcu_sync(site);
}

/* Counters of the last (or running) run; deterministic. */
struct lusim_sched_stats {
	unsigned long points;		/* scheduling points reached */
	unsigned long decisions;	/* switchable points (a byte was due) */
	unsigned long switches;		/* actor changes */
	unsigned long blocks;		/* an actor blocked on a lock or RCU */
	unsigned long quiescent;	/* quiescent hook calls */
	unsigned long deadlocks;	/* LOCK-DEADLOCK reports */
	unsigned long bytes_used;	/* schedule bytes consumed */
};
void lusim_sched_get_stats(struct lusim_sched_stats *st);

/*
 * The interleaving: a hash over every switch (from, to, point kind, site)
 * since the process started or lusim_sched_log_reset(); and, when
 * lusim_sched_log_enable(true), a text log of the switches of the runs
 * ("actor0 -> actor1 at lock site"), for traces.
 */
uint64_t lusim_sched_log_hash(void);
void lusim_sched_log_reset(void);
void lusim_sched_log_enable(bool on);
const char *lusim_sched_log_text(void);

#endif /* _LUSIM_ACTOR_H */
