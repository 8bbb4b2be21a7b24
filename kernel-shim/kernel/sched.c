// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tasks: the boot task, `current`, actor switching, the atomic-context
 * counters (preempt, bh), the RCU read-side nesting hooks and might_sleep().
 *
 * lusim runs on one OS thread; a task_struct is an actor whose held-lock
 * stack and counters the checkers read. The concurrency work switches
 * actors with lusim_switch_to().
 */
#include <linux/sched.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <lusim/actor.h>
#include <lusim/reset.h>

#include <stdio.h>
#include <string.h>

#include "locking/lockdep_internal.h"

struct task_struct lusim_init_task = {
	.comm = "lusim",
	.pid = 1,
};

struct task_struct *lusim_current_task = &lusim_init_task;

void lusim_task_init(struct task_struct *t, const char *comm)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->comm, sizeof(t->comm), "%s", comm ? comm : "");
}

struct task_struct *lusim_switch_to(struct task_struct *t)
{
	struct task_struct *prev = lusim_current_task;

	lusim_current_task = t ? t : &lusim_init_task;
	return prev;
}

void lusim_might_sleep(const char *site)
{
	current->nr_might_sleep++;
	lusim_lockdep_check_sleep(site, "might_sleep", NULL);
	lusim_sched_point(LUSIM_SP_SLEEP, NULL, site);
}

int lusim_cond_resched(const char *site)
{
	current->nr_cond_resched++;
	lusim_lockdep_check_sleep(site, "cond_resched", NULL);
	lusim_sched_point(LUSIM_SP_SLEEP, NULL, site);
	return 0;
}

void lusim_preempt_disable(void)
{
	current->preempt_count++;
}

void lusim_preempt_enable(const char *site)
{
	if (current->preempt_count <= 0) {
		lusim_lock_report("LOCK-UNLOCK-UNHELD", site, NULL,
				  "preempt_enable() without preempt_disable()");
		return;
	}
	current->preempt_count--;
}

void lusim_local_bh_disable(void)
{
	current->softirq_disable_depth++;
}

void lusim_local_bh_enable(const char *site)
{
	if (current->softirq_disable_depth <= 0) {
		lusim_lock_report("LOCK-UNLOCK-UNHELD", site, NULL,
				  "local_bh_enable() without local_bh_disable()");
		return;
	}
	current->softirq_disable_depth--;
}

int lusim_rcu_read_enter(void)
{
	return ++current->rcu_read_lock_nesting;
}

int lusim_rcu_read_exit(void)
{
	if (current->rcu_read_lock_nesting <= 0)
		return -1;
	return --current->rcu_read_lock_nesting;
}

static void task_reset(struct task_struct *t)
{
	t->lockdep_depth = 0;
	t->lockdep_overflow = 0;
	t->preempt_count = 0;
	t->irq_disable_depth = 0;
	t->softirq_disable_depth = 0;
	t->rcu_read_lock_nesting = 0;
	t->nr_lock_acquires = 0;
	t->nr_might_sleep = 0;
	t->nr_cond_resched = 0;
}

/*
 * Runs before the model's own reset (which may take locks to tear down):
 * back to the boot task with nothing held, and a new lock generation so
 * every lock object reads as unlocked without its memory being touched.
 * Other actors belong to whoever created them (they may be gone by now);
 * their creator re-initialises them with lusim_task_init().
 */
static void sched_reset(void)
{
	lusim_current_task = &lusim_init_task;
	task_reset(&lusim_init_task);
	lusim_lock_new_generation();
}
LUSIM_RESET_FN(sched_reset, LUSIM_RESET_PRIO_MODEL - 50)
