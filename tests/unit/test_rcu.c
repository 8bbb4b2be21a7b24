// SPDX-License-Identifier: GPL-2.0-only
/*
 * <linux/rcupdate.h>, <linux/rculist.h>: RCU on liburcu memb with our own
 * deterministic callback queue, and the RCU-* findings.
 */

/* liburcu first (see kernel/rcu.c): we check it is really in use */
#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>

#include <linux/rcupdate.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/lockdep.h>
#include <stdio.h>
#include <string.h>

#include "lusim_test.h"

struct item {
	int v;
	struct list_head node;
	struct hlist_node hnode;
	struct rcu_head rcu;
};

static void test_read_side(void **state)
{
	(void)state;
	assert_int_equal(lusim_rcu_read_depth(), 0);
	assert_false(rcu_read_lock_held());
	rcu_read_lock();
	/* a real liburcu memb reader, nested */
	assert_true(urcu_memb_read_ongoing());
	rcu_read_lock();
	assert_int_equal(lusim_rcu_read_depth(), 2);
	assert_true(rcu_read_lock_held());
	rcu_read_unlock();
	assert_true(urcu_memb_read_ongoing());
	rcu_read_unlock();
	assert_false(urcu_memb_read_ongoing());
	assert_int_equal(lusim_rcu_read_depth(), 0);
	lusim_rcu_assert_none_held("op end");
	assert_no_findings();
}

static void test_unbalanced_unlock(void **state)
{
	(void)state;
	rcu_read_unlock();
	assert_finding("RCU-UNBALANCED");
	assert_non_null(strstr(lusim_findings_get(0)->site, "test_rcu.c:"));
	assert_int_equal(lusim_rcu_read_depth(), 0);
	lusim_findings_clear();
	/* still usable afterwards */
	rcu_read_lock();
	rcu_read_unlock();
	synchronize_rcu();
	assert_no_findings();
}

static void test_held_at_op_end(void **state)
{
	const struct lusim_finding *f;
	char lock_site[64];

	(void)state;
	snprintf(lock_site, sizeof(lock_site), "test_rcu.c:%d", __LINE__ + 1);
	rcu_read_lock();
	rcu_read_lock();
	lusim_rcu_assert_none_held("after op 3");
	assert_finding("RCU-UNBALANCED");
	f = lusim_findings_get(0);
	/* the finding names the forgotten rcu_read_lock() */
	assert_non_null(strstr(f->site, lock_site));
	assert_non_null(strstr(f->msg, "after op 3 (depth 2)"));
	/* and closes the sections so the run goes on */
	assert_int_equal(lusim_rcu_read_depth(), 0);
	assert_false(urcu_memb_read_ongoing());
	lusim_findings_clear();
	synchronize_rcu();
	assert_no_findings();
}

static void test_sync_in_reader(void **state)
{
	struct lusim_rcu_stats st0, st1;

	(void)state;
	lusim_rcu_stats(&st0);
	synchronize_rcu();
	lusim_rcu_stats(&st1);
	assert_int_equal(st1.grace_periods, st0.grace_periods + 1);
	assert_no_findings();

	rcu_read_lock();
	synchronize_rcu();		/* reported, never waited for */
	assert_finding("RCU-SYNC-IN-READER");
	assert_finding("LOCK-SLEEP-IN-RCU");
	lusim_findings_clear();
	rcu_barrier();
	assert_finding("RCU-SYNC-IN-READER");
	rcu_read_unlock();
	lusim_rcu_stats(&st0);
	assert_int_equal(st0.grace_periods, st1.grace_periods);
}

static int order[8], nr_order;

static void cb_record(struct rcu_head *head)
{
	struct item *it = container_of(head, struct item, rcu);

	order[nr_order++] = it->v;
	/* callbacks run like softirqs: bottom halves off */
	assert_true(in_softirq());
}

static struct item chained = { .v = 99 };

static void cb_requeue(struct rcu_head *head)
{
	cb_record(head);
	call_rcu(&chained.rcu, cb_record);
}

static void test_call_rcu_fifo(void **state)
{
	struct item a = { .v = 1 }, b = { .v = 2 }, c = { .v = 3 };
	struct lusim_rcu_stats st0, st1;

	(void)state;
	nr_order = 0;
	call_rcu(&a.rcu, cb_record);
	call_rcu(&b.rcu, cb_requeue);
	call_rcu(&c.rcu, cb_record);
	synchronize_rcu();		/* a grace period alone runs nothing */
	assert_int_equal(nr_order, 0);
	assert_int_equal(lusim_rcu_pending(), 3);
	lusim_rcu_stats(&st0);
	rcu_barrier();
	lusim_rcu_stats(&st1);
	assert_int_equal(nr_order, 4);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 3);
	assert_int_equal(order[3], 99);	/* queued by a callback */
	/* one grace period per round */
	assert_int_equal(st1.grace_periods - st0.grace_periods, 2);
	assert_int_equal(lusim_rcu_pending(), 0);
	assert_false(in_softirq());
	rcu_barrier();			/* nothing queued: nothing to do */
	assert_no_findings();
}

static void cb_sleeps(struct rcu_head *head)
{
	(void)head;
	might_sleep();
}

static void test_callback_context(void **state)
{
	struct item a;

	(void)state;
	call_rcu(&a.rcu, cb_sleeps);
	rcu_barrier();
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
}

static void test_kfree_rcu(void **state)
{
	unsigned long live = lusim_slab_live_objects();
	struct item *it, *none = NULL;

	(void)state;
	it = kzalloc(sizeof(*it), GFP_KERNEL);
	kfree_rcu(it, rcu);
	assert_int_equal(lusim_slab_live_objects(), live + 1);
	kfree_rcu(none, rcu);		/* NULL: nothing */
	assert_int_equal(lusim_rcu_pending(), 1);
	rcu_barrier();
	assert_int_equal(lusim_slab_live_objects(), live);

	/* one argument: waits for a grace period and frees at once */
	it = kzalloc(sizeof(*it), GFP_KERNEL);
	kfree_rcu(it);
	assert_int_equal(lusim_slab_live_objects(), live);
	it = kzalloc(sizeof(*it), GFP_KERNEL);
	kvfree_rcu_mightsleep(it);
	assert_int_equal(lusim_slab_live_objects(), live);
	assert_no_findings();

	/* ... but not inside a reader: reported, and freed at the barrier */
	it = kzalloc(sizeof(*it), GFP_KERNEL);
	rcu_read_lock();
	kfree_rcu(it);
	assert_finding("RCU-SYNC-IN-READER");
	assert_finding("LOCK-SLEEP-IN-RCU");
	assert_int_equal(lusim_slab_live_objects(), live + 1);
	rcu_read_unlock();
	rcu_barrier();
	assert_int_equal(lusim_slab_live_objects(), live);
}

/* kfree() while its kfree_rcu() is pending: a double free, caught safely */
static void test_kfree_rcu_then_kfree(void **state)
{
	struct item *it = kzalloc(sizeof(*it), GFP_KERNEL);

	(void)state;
	kfree_rcu(it, rcu);
	kfree(it);
	assert_no_findings();
	rcu_barrier();
	assert_finding("SLAB-DOUBLE-FREE");
	assert_int_equal(lusim_findings_has("RCU-HEAD-CORRUPTED"), 0);
}

static void test_double_call_rcu(void **state)
{
	struct item a = { .v = 5 };

	(void)state;
	nr_order = 0;
	call_rcu(&a.rcu, cb_record);
	call_rcu(&a.rcu, cb_record);
	assert_finding("RCU-DOUBLE-CALL");
	rcu_barrier();
	assert_int_equal(nr_order, 1);	/* ran once */
	lusim_findings_clear();
	/* after it ran, the head may be queued again */
	call_rcu(&a.rcu, cb_record);
	rcu_barrier();
	assert_int_equal(nr_order, 2);
	assert_no_findings();
}

static void test_head_corrupted(void **state)
{
	struct item a = { .v = 6 };

	(void)state;
	nr_order = 0;
	call_rcu(&a.rcu, cb_record);
	memset(&a, 0, sizeof(a));	/* "freed and reused" before the GP */
	rcu_barrier();
	assert_finding("RCU-HEAD-CORRUPTED");
	assert_int_equal(nr_order, 0);
}

static void test_reset_drains(void **state)
{
	static struct item a = { .v = 7 };

	(void)state;
	nr_order = 0;
	call_rcu(&a.rcu, cb_record);
	rcu_read_lock();
	lusim_reset_all();		/* closes the reader, runs the callback */
	assert_int_equal(nr_order, 1);
	assert_int_equal(lusim_rcu_pending(), 0);
	assert_int_equal(lusim_rcu_read_depth(), 0);
	assert_false(urcu_memb_read_ongoing());
}

struct holder {
	struct item __rcu *p;
	struct mutex lock;
};

static void test_dereference_checks(void **state)
{
	static struct item x = { .v = 1 }, y = { .v = 2 };
	struct holder h;
	struct item *it, *old;

	(void)state;
	mutex_init(&h.lock);
	RCU_INIT_POINTER(h.p, NULL);
	rcu_assign_pointer(h.p, &x);
	assert_ptr_equal(rcu_access_pointer(h.p), &x);

	rcu_read_lock();
	it = rcu_dereference(h.p);
	assert_int_equal(it->v, 1);
	rcu_read_unlock();
	assert_no_findings();

	mutex_lock(&h.lock);
	it = rcu_dereference_check(h.p, lockdep_is_held(&h.lock));
	it = rcu_dereference_protected(h.p, lockdep_is_held(&h.lock));
	old = rcu_replace_pointer(h.p, &y, lockdep_is_held(&h.lock));
	assert_ptr_equal(old, &x);
	mutex_unlock(&h.lock);
	assert_no_findings();

	it = rcu_dereference(h.p);	/* no reader, no lock */
	assert_finding("RCU-SUSPICIOUS");
	assert_non_null(strstr(lusim_findings_get(0)->site, "test_rcu.c:"));
	lusim_findings_clear();
	it = rcu_dereference_protected(h.p, lockdep_is_held(&h.lock));
	assert_finding("RCU-SUSPICIOUS");
	assert_non_null(strstr(lusim_findings_get(0)->msg,
			       "rcu_dereference_protected()"));
	lusim_findings_clear();
	it = rcu_dereference_raw(h.p);	/* unchecked by definition */
	assert_int_equal(it->v, 2);
	RCU_LOCKDEP_WARN(1, "test condition");
	assert_finding("RCU-SUSPICIOUS");
}

static void test_rculist(void **state)
{
	struct item a = { .v = 1 }, b = { .v = 2 }, c = { .v = 3 }, *pos;
	LIST_HEAD(head);
	struct hlist_head hh = HLIST_HEAD_INIT;
	DEFINE_MUTEX(m);
	int sum = 0;

	(void)state;
	list_add_rcu(&b.node, &head);
	list_add_rcu(&a.node, &head);
	list_add_tail_rcu(&c.node, &head);
	rcu_read_lock();
	list_for_each_entry_rcu(pos, &head, node)
		sum = sum * 10 + pos->v;
	rcu_read_unlock();
	assert_int_equal(sum, 123);
	assert_ptr_equal(list_first_or_null_rcu(&head, struct item, node), &a);

	list_del_rcu(&b.node);
	assert_ptr_equal(b.node.prev, LIST_POISON2);
	assert_ptr_equal(b.node.next, &c.node);	/* readers can go on */
	sum = 0;
	mutex_lock(&m);
	list_for_each_entry_rcu(pos, &head, node, lockdep_is_held(&m))
		sum = sum * 10 + pos->v;
	mutex_unlock(&m);
	assert_int_equal(sum, 13);
	assert_no_findings();

	list_for_each_entry_rcu(pos, &head, node)	/* no reader */
		;
	assert_finding("RCU-SUSPICIOUS");
	lusim_findings_clear();

	hlist_add_head_rcu(&a.hnode, &hh);
	hlist_add_head_rcu(&b.hnode, &hh);
	sum = 0;
	rcu_read_lock();
	hlist_for_each_entry_rcu(pos, &hh, hnode)
		sum = sum * 10 + pos->v;
	rcu_read_unlock();
	assert_int_equal(sum, 21);
	hlist_del_rcu(&b.hnode);
	hlist_del_init_rcu(&a.hnode);
	assert_true(hlist_empty(&hh));
	assert_true(hlist_unhashed(&a.hnode));
	assert_no_findings();
}

static int guarded(int early)
{
	guard(rcu)();
	assert_int_equal(lusim_rcu_read_depth(), 1);
	if (early)
		return 1;
	return 2;
}

static void test_rcu_guard(void **state)
{
	(void)state;
	assert_int_equal(guarded(1), 1);
	assert_int_equal(lusim_rcu_read_depth(), 0);
	assert_int_equal(guarded(0), 2);
	assert_int_equal(lusim_rcu_read_depth(), 0);
	scoped_guard(rcu) {
		assert_true(urcu_memb_read_ongoing());
	}
	assert_false(urcu_memb_read_ongoing());
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_read_side),
		lusim_unit_test(test_unbalanced_unlock),
		lusim_unit_test(test_held_at_op_end),
		lusim_unit_test(test_sync_in_reader),
		lusim_unit_test(test_call_rcu_fifo),
		lusim_unit_test(test_callback_context),
		lusim_unit_test(test_kfree_rcu),
		lusim_unit_test(test_kfree_rcu_then_kfree),
		lusim_unit_test(test_double_call_rcu),
		lusim_unit_test(test_head_corrupted),
		lusim_unit_test(test_reset_drains),
		lusim_unit_test(test_dereference_checks),
		lusim_unit_test(test_rculist),
		lusim_unit_test(test_rcu_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
