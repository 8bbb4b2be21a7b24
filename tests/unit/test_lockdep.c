// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockdep-lite and the lock primitives: every checker commits its mistake
 * here and the exact finding id is asserted; correct code gives none.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/lockdep.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/cleanup.h>

#include <stdio.h>
#include <string.h>

#include "lusim_test.h"

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static DEFINE_MUTEX(lock_c);
static DEFINE_SPINLOCK(spin_s);
static DECLARE_RWSEM(sem_r);

struct obj {
	struct mutex lock;
	int v;
};

static void obj_init(struct obj *o)
{
	mutex_init(&o->lock);	/* one class for every obj: "&o->lock" */
	o->v = 0;
}

/* The one finding with this id (fails if there is none). */
static const struct lusim_finding *finding(const char *id)
{
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		const struct lusim_finding *f = lusim_findings_get(i);

		if (!strcmp(f->id, id))
			return f;
	}
	lusim_findings_print(NULL);
	fail_msg("finding %s not reported", id);
	return NULL;
}

/* "test_lockdep.c:LINE" appears in s */
static bool has_site(const char *s, int line)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "test_lockdep.c:%d", line);
	return strstr(s, buf) != NULL;
}

static void assert_only(const char *id)
{
	assert_finding(id);
	if (lusim_findings_count() != lusim_findings_has(id)) {
		lusim_findings_print(NULL);
		fail_msg("findings other than %s", id);
	}
}

/* --- order graph ------------------------------------------------------------- */

static void test_abba_cycle(void **state)
{
	const struct lusim_finding *f;
	int la, lb, lb2, la2;

	(void)state;
	mutex_lock(&lock_a); la = __LINE__;
	mutex_lock(&lock_b); lb = __LINE__;
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
	assert_no_findings();

	mutex_lock(&lock_b); lb2 = __LINE__;
	mutex_lock(&lock_a); la2 = __LINE__;
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);

	assert_only("LOCK-ORDER-CYCLE");
	f = finding("LOCK-ORDER-CYCLE");
	assert_true(has_site(f->site, la2));
	assert_non_null(strstr(f->msg, "lock_b -> lock_a -> lock_b"));
	/* the current chain: holding lock_b (taken at lb2), acquiring lock_a */
	assert_true(has_site(f->detail, lb2));
	/* the earlier chain: lock_b taken at lb while holding lock_a from la */
	assert_true(has_site(f->detail, lb));
	assert_true(has_site(f->detail, la));
	assert_non_null(strstr(f->detail, "lock_a (mutex)"));
}

static void test_three_class_cycle(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);

	mutex_lock(&lock_b);
	mutex_lock(&lock_c);
	mutex_unlock(&lock_c);
	mutex_unlock(&lock_b);
	assert_no_findings();

	mutex_lock(&lock_c);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_c);

	assert_only("LOCK-ORDER-CYCLE");
	f = finding("LOCK-ORDER-CYCLE");
	assert_non_null(strstr(f->msg, "lock_c -> lock_a -> lock_b -> lock_c"));
	/* both earlier edges are explained */
	assert_non_null(strstr(f->detail, "-> lock_b (mutex) acquired by task lusim"));
	assert_non_null(strstr(f->detail, "-> lock_c (mutex) acquired by task lusim"));
}

static void test_cycle_through_rwsem_and_spin(void **state)
{
	(void)state;
	down_write(&sem_r);
	spin_lock(&spin_s);
	spin_unlock(&spin_s);
	up_write(&sem_r);

	spin_lock(&spin_s);
	/* a sleeping lock under a spinlock and an inversion */
	down_read(&sem_r);
	up_read(&sem_r);
	spin_unlock(&spin_s);
	assert_finding("LOCK-ORDER-CYCLE");
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
}

static void test_correct_nesting_no_findings(void **state)
{
	struct obj o1, o2;
	unsigned long flags;

	(void)state;
	obj_init(&o1);
	obj_init(&o2);
	for (int i = 0; i < 3; i++) {
		down_read(&sem_r);
		mutex_lock(&lock_a);
		mutex_lock(&o1.lock);
		mutex_lock(&lock_b);
		spin_lock_irqsave(&spin_s, flags);
		lockdep_assert_held(&spin_s);
		lockdep_assert_held(&lock_b);
		lockdep_assert_held_read(&sem_r);
		assert_spin_locked(&spin_s);
		assert_true(in_atomic());
		assert_true(irqs_disabled());
		spin_unlock_irqrestore(&spin_s, flags);
		assert_false(irqs_disabled());
		mutex_unlock(&lock_b);
		mutex_unlock(&o1.lock);
		mutex_unlock(&lock_a);
		up_read(&sem_r);
		assert_false(in_atomic());
		lockdep_assert_none_held("op");
	}
	/* unlocking out of order is fine too */
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
	/* spin_lock_bh / spin_lock_irq */
	spin_lock_bh(&spin_s);
	assert_true(in_atomic());
	spin_unlock_bh(&spin_s);
	spin_lock_irq(&spin_s);
	spin_unlock_irq(&spin_s);
	assert_false(in_atomic());
	lockdep_assert_none_held("op");
	assert_no_findings();
}

static void test_trylock_adds_no_edge(void **state)
{
	(void)state;
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
	/* reverse order, but the inner one only tried: cannot deadlock */
	mutex_lock(&lock_b);
	assert_true(mutex_trylock(&lock_a));
	assert_false(mutex_trylock(&lock_a));	/* held: fails, no finding */
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
	assert_true(spin_trylock(&spin_s));
	assert_false(spin_trylock(&spin_s));
	spin_unlock(&spin_s);
	assert_false(in_atomic());
	assert_no_findings();
}

static void test_nested_subclass_allowed(void **state)
{
	struct obj parent, child;

	(void)state;
	obj_init(&parent);
	obj_init(&child);
	mutex_lock(&parent.lock);
	mutex_lock_nested(&child.lock, SINGLE_DEPTH_NESTING);
	lockdep_assert_held(&child.lock);
	mutex_unlock(&child.lock);
	mutex_unlock(&parent.lock);
	/* same class, same subclass (luo_file->mutex nesting): allowed too */
	mutex_lock(&child.lock);
	mutex_lock(&parent.lock);
	mutex_unlock(&parent.lock);
	mutex_unlock(&child.lock);
	assert_no_findings();
	/* subclass 0 and 1 are distinct classes: their order still counts */
	mutex_lock_nested(&child.lock, SINGLE_DEPTH_NESTING);
	mutex_lock(&parent.lock);
	mutex_unlock(&parent.lock);
	mutex_unlock(&child.lock);
	assert_only("LOCK-ORDER-CYCLE");
	assert_non_null(strstr(finding("LOCK-ORDER-CYCLE")->msg,
			       "&o->lock/1 -> &o->lock -> &o->lock/1"));
}

static void test_reset_clears_graph(void **state)
{
	struct lusim_lockdep_stats st;

	(void)state;
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
	lusim_lockdep_get_stats(&st);
	assert_int_equal(st.nr_classes, 2);
	assert_int_equal(st.nr_edges, 1);

	lusim_reset_all();
	lusim_lockdep_get_stats(&st);
	assert_int_equal(st.nr_classes, 0);
	assert_int_equal(st.nr_edges, 0);

	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
	assert_no_findings();
	lusim_lockdep_get_stats(&st);
	assert_int_equal(st.nr_classes, 2);
	assert_string_equal(lusim_lockdep_class_name(1), "lock_b");
}

static void test_reset_unlocks_everything(void **state)
{
	unsigned long flags;

	(void)state;
	mutex_lock(&lock_a);
	down_read(&sem_r);
	spin_lock_irqsave(&spin_s, flags);
	(void)flags;
	assert_true(mutex_is_locked(&lock_a));
	assert_true(rwsem_is_locked(&sem_r));
	assert_true(spin_is_locked(&spin_s));
	lusim_reset_all();
	assert_false(mutex_is_locked(&lock_a));
	assert_false(rwsem_is_locked(&sem_r));
	assert_false(spin_is_locked(&spin_s));
	assert_false(in_atomic());
	assert_false(irqs_disabled());
	assert_int_equal(current->lockdep_depth, 0);
	mutex_lock(&lock_a);
	down_write(&sem_r);
	up_write(&sem_r);
	mutex_unlock(&lock_a);
	assert_no_findings();
}

/* "cycle search only when a new edge is added", on counters */
static void test_search_only_on_new_edges(void **state)
{
	struct lusim_lockdep_stats before, after;
	static struct mutex chain[8];
	struct obj o;

	(void)state;
	for (int i = 0; i < 8; i++)
		__mutex_init(&chain[i], "chain", NULL);	/* a class each */
	obj_init(&o);
	for (int i = 0; i < 8; i++)
		mutex_lock(&chain[i]);
	mutex_lock(&o.lock);
	mutex_unlock(&o.lock);
	lusim_lockdep_get_stats(&before);
	assert_int_equal(before.nr_cycle_searches, 8);	/* 7 + 1 new edges */

	for (int n = 0; n < 100; n++) {
		mutex_lock(&o.lock);
		mutex_unlock(&o.lock);
	}
	lusim_lockdep_get_stats(&after);
	assert_int_equal(after.nr_cycle_searches, before.nr_cycle_searches);
	assert_int_equal(after.nr_search_visits, before.nr_search_visits);
	/* O(1) per acquire with 8 locks held: one held lock looked at */
	assert_int_equal(after.nr_edge_checks - before.nr_edge_checks, 100);
	assert_int_equal(after.nr_acquires - before.nr_acquires, 100);
	for (int i = 7; i >= 0; i--)
		mutex_unlock(&chain[i]);
	assert_no_findings();
}

/* --- sleeping in atomic / RCU ---------------------------------------------- */

static void test_mutex_under_spinlock(void **state)
{
	const struct lusim_finding *f;
	int ls, lm;

	(void)state;
	spin_lock(&spin_s); ls = __LINE__;
	mutex_lock(&lock_a); lm = __LINE__;
	mutex_unlock(&lock_a);
	spin_unlock(&spin_s);
	assert_only("LOCK-SLEEP-IN-ATOMIC");
	f = finding("LOCK-SLEEP-IN-ATOMIC");
	assert_true(has_site(f->site, lm));
	assert_non_null(strstr(f->msg, "mutex_lock(lock_a)"));
	assert_non_null(strstr(f->msg, "spinlock spin_s held"));
	assert_true(has_site(f->detail, ls));
	assert_non_null(strstr(f->detail, "spin_s (spinlock)"));
}

static void test_might_sleep_under_irqsave(void **state)
{
	unsigned long flags;

	(void)state;
	spin_lock_irqsave(&spin_s, flags);
	might_sleep();
	spin_unlock_irqrestore(&spin_s, flags);
	assert_only("LOCK-SLEEP-IN-ATOMIC");
	assert_non_null(strstr(finding("LOCK-SLEEP-IN-ATOMIC")->msg,
			       "irqs_disabled 1"));
}

static void test_might_sleep_irqs_off_and_preempt_off(void **state)
{
	unsigned long flags;

	(void)state;
	local_irq_save(flags);
	cond_resched();
	local_irq_restore(flags);
	assert_only("LOCK-SLEEP-IN-ATOMIC");
	lusim_findings_clear();

	preempt_disable();
	down_read(&sem_r);
	up_read(&sem_r);
	preempt_enable();
	assert_only("LOCK-SLEEP-IN-ATOMIC");
	lusim_findings_clear();
	might_sleep();
	cond_resched();
	assert_no_findings();
	assert_int_equal(current->nr_might_sleep, 1);
}

static void test_sleep_in_rcu(void **state)
{
	(void)state;
	assert_int_equal(lusim_rcu_read_enter(), 1);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	assert_int_equal(lusim_rcu_read_exit(), 0);
	assert_int_equal(lusim_rcu_read_exit(), -1);	/* unbalanced */
	assert_only("LOCK-SLEEP-IN-RCU");
	assert_non_null(strstr(finding("LOCK-SLEEP-IN-RCU")->detail,
			       "RCU read-side section (nesting 1)"));
}

static void test_spin_inside_rcu_is_fine(void **state)
{
	(void)state;
	lusim_rcu_read_enter();
	spin_lock(&spin_s);
	spin_unlock(&spin_s);
	lusim_rcu_read_exit();
	might_sleep();
	assert_no_findings();
}

/* --- assertions ------------------------------------------------------------- */

static void test_assert_held_unheld(void **state)
{
	struct obj o;
	int l;

	(void)state;
	obj_init(&o);
	lockdep_assert_held(&o.lock); l = __LINE__;
	assert_only("LOCK-NOT-HELD");
	assert_true(has_site(finding("LOCK-NOT-HELD")->site, l));
	assert_non_null(strstr(finding("LOCK-NOT-HELD")->msg,
			       "lockdep_assert_held(&o.lock) failed"));
}

static void test_assert_held_mode(void **state)
{
	(void)state;
	down_read(&sem_r);
	lockdep_assert_held(&sem_r);
	lockdep_assert_held_read(&sem_r);
	assert_no_findings();
	lockdep_assert_held_write(&sem_r);
	up_read(&sem_r);
	assert_only("LOCK-NOT-HELD");
	assert_non_null(strstr(finding("LOCK-NOT-HELD")->msg,
			       "lock held for read"));
}

static void test_assert_spin_locked(void **state)
{
	(void)state;
	assert_spin_locked(&spin_s);
	assert_only("LOCK-NOT-HELD");
}

static void test_assert_not_held(void **state)
{
	(void)state;
	lockdep_assert_not_held(&lock_a);
	assert_no_findings();
	mutex_lock(&lock_a);
	assert_true(lockdep_is_held(&lock_a));
	lockdep_assert_not_held(&lock_a);
	mutex_unlock(&lock_a);
	assert_false(lockdep_is_held(&lock_a));
	assert_only("LOCK-HELD");
}

static void test_held_at_op_end(void **state)
{
	const struct lusim_finding *f;
	int l;

	(void)state;
	mutex_lock(&lock_a); l = __LINE__;
	mutex_lock(&lock_b);
	lockdep_assert_none_held("iommufd_device_bind");
	assert_only("LOCK-HELD-AT-OP-END");
	f = finding("LOCK-HELD-AT-OP-END");
	assert_true(has_site(f->site, l));	/* where the leak was taken */
	assert_non_null(strstr(f->msg, "2 lock(s) held at the end of iommufd_device_bind"));
	assert_non_null(strstr(f->detail, "#0: lock_a (mutex)"));
	assert_non_null(strstr(f->detail, "#1: lock_b (mutex)"));
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
}

static void test_irqs_left_off_at_op_end(void **state)
{
	unsigned long flags;

	(void)state;
	local_irq_save(flags);
	(void)flags;
	lockdep_assert_none_held("op");
	assert_only("LOCK-HELD-AT-OP-END");
	assert_non_null(strstr(finding("LOCK-HELD-AT-OP-END")->msg,
			       "irqs disabled 1"));
}

/* --- unlock unheld, recursion, depth, deadlock ------------------------------- */

static void test_unlock_unheld(void **state)
{
	(void)state;
	mutex_unlock(&lock_a);
	assert_only("LOCK-UNLOCK-UNHELD");
	assert_non_null(strstr(finding("LOCK-UNLOCK-UNHELD")->msg,
			       "mutex_unlock(lock_a)"));
	lusim_findings_clear();
	spin_unlock(&spin_s);
	assert_only("LOCK-UNLOCK-UNHELD");
	assert_false(in_atomic());	/* no preempt_count underflow */
	lusim_findings_clear();
	down_write(&sem_r);
	up_read(&sem_r);		/* held for write, released as read */
	assert_only("LOCK-UNLOCK-UNHELD");
	up_write(&sem_r);
	assert_false(rwsem_is_locked(&sem_r));
	lusim_findings_clear();
	preempt_enable();
	assert_only("LOCK-UNLOCK-UNHELD");
}

static void test_recursive_mutex(void **state)
{
	int l1, l2;
	const struct lusim_finding *f;

	(void)state;
	mutex_lock(&lock_a); l1 = __LINE__;
	mutex_lock(&lock_a); l2 = __LINE__;
	mutex_unlock(&lock_a);
	assert_true(mutex_is_locked(&lock_a));
	mutex_unlock(&lock_a);
	assert_false(mutex_is_locked(&lock_a));
	assert_only("LOCK-RECURSIVE");
	f = finding("LOCK-RECURSIVE");
	assert_true(has_site(f->site, l2));
	assert_true(has_site(f->msg, l1));
}

static void test_recursive_spin(void **state)
{
	(void)state;
	spin_lock(&spin_s);
	spin_lock(&spin_s);
	spin_unlock(&spin_s);
	spin_unlock(&spin_s);
	assert_false(in_atomic());
	assert_only("LOCK-RECURSIVE");
}

static void test_rwsem_rules(void **state)
{
	(void)state;
	/* read twice by one task: allowed */
	down_read(&sem_r);
	down_read(&sem_r);
	assert_false(down_write_trylock(&sem_r));
	assert_true(down_read_trylock(&sem_r));
	up_read(&sem_r);
	up_read(&sem_r);
	up_read(&sem_r);
	assert_false(rwsem_is_locked(&sem_r));
	/* write, downgrade, read */
	down_write(&sem_r);
	lockdep_assert_held_write(&sem_r);
	downgrade_write(&sem_r);
	lockdep_assert_held_read(&sem_r);
	assert_true(down_read_trylock(&sem_r));
	up_read(&sem_r);
	up_read(&sem_r);
	assert_true(down_write_trylock(&sem_r));
	up_write(&sem_r);
	assert_no_findings();

	/* write while holding it for read: self-deadlock */
	down_read(&sem_r);
	down_write(&sem_r);
	assert_only("LOCK-RECURSIVE");
	up_write(&sem_r);
	up_read(&sem_r);
	assert_false(rwsem_is_locked(&sem_r));
	lusim_findings_clear();

	/* read while holding it for write */
	down_write(&sem_r);
	down_read(&sem_r);
	assert_only("LOCK-RECURSIVE");
	up_read(&sem_r);
	up_write(&sem_r);
	lusim_findings_clear();

	/* downgrade of a rwsem not write-held */
	downgrade_write(&sem_r);
	assert_only("LOCK-UNLOCK-UNHELD");
	lockdep_assert_none_held("op");
}

static void test_lock_depth(void **state)
{
	static struct obj objs[MAX_LOCK_DEPTH + 2];

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(objs); i++)
		obj_init(&objs[i]);
	for (unsigned int i = 0; i < ARRAY_SIZE(objs); i++)
		mutex_lock(&objs[i].lock);	/* same class: allowed */
	assert_only("LOCK-DEPTH");
	assert_int_equal(current->lockdep_depth, MAX_LOCK_DEPTH);
	assert_int_equal(current->lockdep_overflow, 2);
	for (unsigned int i = ARRAY_SIZE(objs); i-- > 0; )
		mutex_unlock(&objs[i].lock);
	assert_int_equal(current->lockdep_depth, 0);
	lockdep_assert_none_held("op");
	assert_only("LOCK-DEPTH");
}

static void test_other_task_deadlock(void **state)
{
	static struct task_struct actor;
	const struct lusim_finding *f;

	(void)state;
	lusim_task_init(&actor, "actor1");
	lusim_switch_to(&actor);
	mutex_lock(&lock_a);
	assert_ptr_equal(lusim_switch_to(&lusim_init_task), &actor);
	mutex_lock(&lock_a);		/* nobody can release it */
	assert_only("LOCK-DEADLOCK");
	f = finding("LOCK-DEADLOCK");
	assert_non_null(strstr(f->msg, "task lusim blocks on lock_a held by actor1"));
	assert_non_null(strstr(f->detail, "held locks of task actor1 (the owner)"));
	mutex_unlock(&lock_a);
	lusim_switch_to(&actor);
	mutex_unlock(&lock_a);	/* taken over: its stack entry still pops */
	lusim_switch_to(NULL);
	assert_ptr_equal(current, &lusim_init_task);
	assert_false(mutex_is_locked(&lock_a));
	assert_only("LOCK-DEADLOCK");
}

/* A contended handler as the concurrency work would install: run the owner */
static struct task_struct *waiter;

static bool run_owner(struct lockdep_map *map, struct task_struct *owner,
		      const char *site)
{
	(void)map;
	(void)site;
	waiter = lusim_switch_to(owner);
	mutex_unlock(&lock_a);		/* the owner finishes its section */
	lusim_switch_to(waiter);
	return true;			/* look again */
}

static void test_contended_handler(void **state)
{
	static struct task_struct actor;

	(void)state;
	lusim_task_init(&actor, "actor1");
	lusim_switch_to(&actor);
	mutex_lock(&lock_a);
	lusim_switch_to(&lusim_init_task);
	lusim_set_lock_contended_handler(run_owner);
	mutex_lock(&lock_a);
	lusim_set_lock_contended_handler(NULL);
	assert_ptr_equal(lock_a.owner, &lusim_init_task);
	assert_int_equal(actor.lockdep_depth, 0);
	mutex_unlock(&lock_a);
	assert_no_findings();
}

static void test_freed_held_lock(void **state)
{
	struct obj o;

	(void)state;
	obj_init(&o);
	mutex_lock(&o.lock);
	debug_check_no_locks_freed(&o, sizeof(o));
	assert_only("LOCK-HELD");
	assert_int_equal(current->lockdep_depth, 0);
	assert_non_null(strstr(finding("LOCK-HELD")->msg, "held lock freed"));
}

static void test_mutex_destroy_locked(void **state)
{
	struct obj o;

	(void)state;
	obj_init(&o);
	mutex_lock(&o.lock);
	mutex_destroy(&o.lock);
	mutex_unlock(&o.lock);
	mutex_destroy(&o.lock);
	assert_only("LOCK-HELD");
}

static void test_checker_off(void **state)
{
	(void)state;
	lusim_lockdep_set_enabled(false);
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	lockdep_assert_held(&lock_c);
	spin_lock(&spin_s);
	might_sleep();
	spin_unlock(&spin_s);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
	assert_no_findings();
	/* the primitives still check themselves */
	mutex_unlock(&lock_c);
	assert_only("LOCK-UNLOCK-UNHELD");
	lusim_lockdep_set_enabled(true);
	assert_true(lusim_lockdep_enabled());
}

/* a lock taken while the checker was off is untracked but still printed */
static void test_untracked_in_snapshot(void **state)
{
	(void)state;
	lusim_lockdep_set_enabled(false);
	mutex_lock(&lock_c);
	lusim_lockdep_set_enabled(true);
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_c);
	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
	assert_only("LOCK-ORDER-CYCLE");
	assert_non_null(strstr(finding("LOCK-ORDER-CYCLE")->detail,
			       "    #0: lock_c (mutex) at "));
	assert_non_null(strstr(finding("LOCK-ORDER-CYCLE")->detail,
			       "    #1: lock_a (mutex) at "));
}

static void test_lock_map_pseudo_locks(void **state)
{
	static struct lock_class_key k1, k2;
	static struct lockdep_map m1 = STATIC_LOCKDEP_MAP_INIT("map1", &k1);
	static struct lockdep_map m2 = STATIC_LOCKDEP_MAP_INIT("map2", &k2);

	(void)state;
	lock_map_acquire(&m1);
	lock_map_acquire_read(&m2);
	assert_true(lock_is_held_type(&m2, 1));
	lock_map_release(&m2);
	lock_map_release(&m1);
	lock_map_acquire(&m2);
	lock_map_acquire(&m1);
	lock_map_release(&m1);
	lock_map_release(&m2);
	assert_only("LOCK-ORDER-CYCLE");
}

static void test_might_lock(void **state)
{
	(void)state;
	mutex_lock(&lock_a);
	might_lock(&lock_b);		/* records lock_a -> lock_b */
	assert_false(mutex_is_locked(&lock_b));
	lockdep_assert(mutex_is_locked(&lock_a));
	mutex_unlock(&lock_a);
	assert_no_findings();
	lockdep_assert(mutex_is_locked(&lock_a));
	assert_only("WARN");
	lusim_findings_clear();
	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
	assert_only("LOCK-ORDER-CYCLE");
}

/*
 * guard()/scoped_guard() (cleanup.h) go through the same checks.
 * clang 14 flags the guard variables of cleanup.h's CLASS() as unused
 * (-Wunused-variable); until that header marks them, silence it here.
 */
#ifdef __clang__
#endif
static int guarded(int v)
{
	guard(mutex)(&lock_a);
	lockdep_assert_held(&lock_a);
	if (v)
		return 1;
	scoped_guard(spinlock_irqsave, &spin_s) {
		lockdep_assert_held(&spin_s);
		assert_true(irqs_disabled());
	}
	assert_false(irqs_disabled());
	return 0;
}

static void test_guards(void **state)
{
	int l;

	(void)state;
	assert_int_equal(guarded(1), 1);
	assert_int_equal(guarded(0), 0);
	assert_false(mutex_is_locked(&lock_a));
	lockdep_assert_none_held("op");
	assert_no_findings();
	{
		guard(mutex)(&lock_b); l = __LINE__;
		mutex_lock(&lock_b);		/* recursive */
		mutex_unlock(&lock_b);
	}
	assert_only("LOCK-RECURSIVE");
	/* the guard's acquire site is the guard statement */
	assert_true(has_site(finding("LOCK-RECURSIVE")->msg, l));
	assert_false(mutex_is_locked(&lock_b));
}
#ifdef __clang__
#endif

static void test_held_print(void **state)
{
	char buf[512];
	int l;

	(void)state;
	assert_int_equal(lusim_lockdep_print_held(buf, sizeof(buf), NULL),
			 strlen("  (no locks held)\n"));
	down_read_nested(&sem_r, 1); l = __LINE__;
	lusim_lockdep_print_held(buf, sizeof(buf), current);
	up_read(&sem_r);
	assert_non_null(strstr(buf, "#0: sem_r/1 (rwsem, read) at "));
	assert_true(has_site(buf, l));
	assert_int_equal(lusim_lockdep_print_held(buf, 4, NULL), 3);
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_abba_cycle),
		lusim_unit_test(test_three_class_cycle),
		lusim_unit_test(test_cycle_through_rwsem_and_spin),
		lusim_unit_test(test_correct_nesting_no_findings),
		lusim_unit_test(test_trylock_adds_no_edge),
		lusim_unit_test(test_nested_subclass_allowed),
		lusim_unit_test(test_reset_clears_graph),
		lusim_unit_test(test_reset_unlocks_everything),
		lusim_unit_test(test_search_only_on_new_edges),
		lusim_unit_test(test_mutex_under_spinlock),
		lusim_unit_test(test_might_sleep_under_irqsave),
		lusim_unit_test(test_might_sleep_irqs_off_and_preempt_off),
		lusim_unit_test(test_sleep_in_rcu),
		lusim_unit_test(test_spin_inside_rcu_is_fine),
		lusim_unit_test(test_assert_held_unheld),
		lusim_unit_test(test_assert_held_mode),
		lusim_unit_test(test_assert_spin_locked),
		lusim_unit_test(test_assert_not_held),
		lusim_unit_test(test_held_at_op_end),
		lusim_unit_test(test_irqs_left_off_at_op_end),
		lusim_unit_test(test_unlock_unheld),
		lusim_unit_test(test_recursive_mutex),
		lusim_unit_test(test_recursive_spin),
		lusim_unit_test(test_rwsem_rules),
		lusim_unit_test(test_lock_depth),
		lusim_unit_test(test_other_task_deadlock),
		lusim_unit_test(test_contended_handler),
		lusim_unit_test(test_freed_held_lock),
		lusim_unit_test(test_mutex_destroy_locked),
		lusim_unit_test(test_checker_off),
		lusim_unit_test(test_untracked_in_snapshot),
		lusim_unit_test(test_lock_map_pseudo_locks),
		lusim_unit_test(test_might_lock),
		lusim_unit_test(test_guards),
		lusim_unit_test(test_held_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
