/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/sched.h (the task parts the model touches)
 * Models: struct task_struct with comm and pid, the per-task held-lock stack
 *         of lockdep-lite (class, instance, read/write, subclass, acquire
 *         site "file:line"), preempt/irq/softirq counters, the RCU read-side
 *         nesting depth, per-task lock counters; `current`, a macro for a
 *         switchable global task pointer (lusim_switch_to() changes actor, the
 *         concurrency work builds on it); might_sleep(), cond_resched(),
 *         in_atomic() (from <linux/preempt.h>).
 * Leaves out: scheduling itself (there is one OS thread; tasks are actors the
 *         harness switches between), signals, mm, credentials, cpus; the
 *         uapi part (CLONE_*, SCHED_*): no system header includes the uapi
 *         <linux/sched.h>, so it is not pulled in with #include_next.
 *
 * RCU hook (decided here, used by <linux/rcupdate.h>): rcu_read_lock() calls
 * lusim_rcu_read_enter(), rcu_read_unlock() calls lusim_rcu_read_exit(); both
 * keep current->rcu_read_lock_nesting, which might_sleep() reads to report
 * LOCK-SLEEP-IN-RCU. lusim_rcu_read_exit() returns -1 (and leaves the depth
 * at 0) when no read-side section is open, so the caller can report its own
 * unbalanced-unlock finding.
 */
#ifndef _LUSIM_LINUX_SCHED_H
#define _LUSIM_LINUX_SCHED_H

#include <linux/types.h>
#include <linux/compiler.h>

#ifndef LUSIM_SITE
/* "file:line" of the macro's caller: every lock/WARN macro passes it */
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

#define TASK_COMM_LEN		16
/* the kernel's MAX_LOCK_DEPTH; one more acquire reports LOCK-DEPTH */
#define MAX_LOCK_DEPTH		48U

struct lockdep_map;

enum lusim_lock_kind {
	LUSIM_LOCK_SPIN,	/* spinlock_t: atomic while held */
	LUSIM_LOCK_MUTEX,	/* struct mutex: sleeping */
	LUSIM_LOCK_RWSEM,	/* struct rw_semaphore: sleeping, read or write */
	LUSIM_LOCK_MAP,		/* a bare lockdep_map (no lock object) */
};

/* One entry of a task's held-lock stack (lockdep's struct held_lock). */
struct held_lock {
	struct lockdep_map *instance;	/* the lock's dep_map */
	const char *name;		/* the lock's name (a string literal) */
	const char *acquire_site;	/* "file:line" of the lock call */
	unsigned short class_idx;	/* lockdep-lite class id, 0 = untracked */
	unsigned char kind;		/* enum lusim_lock_kind */
	unsigned char read;		/* 1 = shared (down_read), 0 = exclusive */
	unsigned char subclass;		/* mutex_lock_nested() & co */
	unsigned char trylock;		/* acquired by a successful *_trylock */
};

struct task_struct {
	char comm[TASK_COMM_LEN];
	int pid;

	/* lockdep-lite */
	unsigned int lockdep_depth;		/* entries used in held_locks */
	unsigned int lockdep_overflow;		/* acquires past MAX_LOCK_DEPTH */
	struct held_lock held_locks[MAX_LOCK_DEPTH];

	/* atomic context: spinlocks held, preempt_disable(), irqs off, bh off */
	int preempt_count;
	int irq_disable_depth;		/* local_irq_save / spin_lock_irq* depth */
	int softirq_disable_depth;	/* local_bh_disable / spin_lock_bh depth */
	int rcu_read_lock_nesting;	/* see the RCU hook above */

	/* counters (deterministic, for tests and benchmarks) */
	unsigned long nr_lock_acquires;
	unsigned long nr_might_sleep;
	unsigned long nr_cond_resched;
};

/* The boot task ("swapper/0" in the kernel; comm "lusim" here). */
extern struct task_struct lusim_init_task;
/* The running actor. Never NULL. */
extern struct task_struct *lusim_current_task;

#define current		(lusim_current_task)
#define get_current()	(lusim_current_task)

/*
 * Initialise a task for use as an actor (empty held-lock stack, counters at
 * zero). @comm is copied (truncated to TASK_COMM_LEN - 1).
 */
void lusim_task_init(struct task_struct *t, const char *comm);
/* Make @t the running actor; returns the previous one. */
struct task_struct *lusim_switch_to(struct task_struct *t);

/*
 * Sleep checks. might_sleep(): LOCK-SLEEP-IN-ATOMIC when a spinlock is held,
 * preemption or interrupts are disabled; else LOCK-SLEEP-IN-RCU inside an
 * RCU read-side section. Both carry the held-lock stack.
 */
void lusim_might_sleep(const char *site);
#define might_sleep()		lusim_might_sleep(LUSIM_SITE)
#define might_sleep_if(cond)	do { if (cond) might_sleep(); } while (0)
#define might_resched()		do { } while (0)
#define sched_annotate_sleep()	do { } while (0)

/* cond_resched(): a sleep point that never reschedules (returns 0). */
int lusim_cond_resched(const char *site);
#define cond_resched()		lusim_cond_resched(LUSIM_SITE)

/* RCU read-side hooks (see the top of this file). */
int lusim_rcu_read_enter(void);
int lusim_rcu_read_exit(void);

#include <linux/preempt.h>
#include <linux/irqflags.h>

#endif /* _LUSIM_LINUX_SCHED_H */
