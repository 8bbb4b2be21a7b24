// SPDX-License-Identifier: GPL-2.0-only
/*
 * <linux/cleanup.h>: __free / no_free_ptr / return_ptr, classes, and the
 * lock guards (released on every return path, acquire site = the guard).
 *
 * Include order on purpose: slab.h pulls cleanup.h in before the lock
 * headers; including cleanup.h again after them defines their guards.
 */
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/rwsem.h>
#include <linux/lockdep.h>
#include <linux/cleanup.h>
#include <linux/rcupdate.h>
#include <linux/errno.h>
#include <stdio.h>
#include <string.h>

#include "lusim_test.h"

static unsigned long live0;

static void begin(void)
{
	live0 = lusim_slab_live_objects();
}

static int use_free(int keep_early)
{
	int *p __free(kfree) = kmalloc(sizeof(*p), GFP_KERNEL);
	char *s __free(kfree) = kstrdup("x", GFP_KERNEL);

	if (!p || !s)
		return -ENOMEM;
	*p = 1;
	if (keep_early)
		return -EINVAL;		/* both freed here */
	return 0;			/* and here */
}

static int *make_int(int v, bool fail)
{
	int *p __free(kfree) = kmalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	*p = v;
	if (fail)
		return NULL;		/* freed */
	return_ptr(p);			/* kept */
}

static void test_free_attr(void **state)
{
	int *p;

	(void)state;
	begin();
	assert_int_equal(use_free(1), -EINVAL);
	assert_int_equal(use_free(0), 0);
	assert_int_equal(lusim_slab_live_objects(), live0);

	assert_null(make_int(3, true));
	assert_int_equal(lusim_slab_live_objects(), live0);
	p = make_int(4, false);
	assert_int_equal(*p, 4);
	assert_int_equal(lusim_slab_live_objects(), live0 + 1);
	kfree(p);

	{
		void *q __free(kfree) = kmalloc(8, GFP_KERNEL);
		void *kept;

		kept = no_free_ptr(q);
		assert_null(q);
		kfree(kept);
	}
	{
		void *r __free(kvfree) = kvzalloc(3 * 4096, GFP_KERNEL);
		void *e __free(kfree) = ERR_PTR(-ENOMEM);	/* skipped */

		assert_non_null(r);
		(void)e;
	}
	assert_int_equal(lusim_slab_live_objects(), live0);
	assert_no_findings();
}

/* --- classes -------------------------------------------------------------- */

static int opened, closed;

struct handle {
	int fd;
};

static struct handle handle_open(int fd)
{
	opened++;
	return (struct handle){ .fd = fd };
}

DEFINE_CLASS(handle, struct handle, closed += _T.fd, handle_open(fd), int fd)

static void test_class(void **state)
{
	(void)state;
	opened = closed = 0;
	{
		CLASS(handle, h)(5);

		assert_int_equal(h.fd, 5);
		assert_int_equal(opened, 1);
		assert_int_equal(closed, 0);
	}
	assert_int_equal(closed, 5);
}

/* --- lock guards ------------------------------------------------------------ */

static DEFINE_MUTEX(m);
static DEFINE_SPINLOCK(sl);
static DECLARE_RWSEM(sem);

static char guard_site[64];

static int locked_path(int how)
{
	snprintf(guard_site, sizeof(guard_site), "test_cleanup.c:%d",
		 __LINE__ + 1);
	guard(mutex)(&m);
	assert_true(mutex_is_locked(&m));
	lockdep_assert_held(&m);
	if (how == 0)
		return 10;
	for (int i = 0; i < 3; i++)
		if (i == how)
			return 20 + i;
	return 30;
}

static void test_guard_every_return_path(void **state)
{
	struct held_lock *hl;

	(void)state;
	for (int how = 0; how < 5; how++) {
		int r = locked_path(how);

		assert_true(r == 10 || r == 21 || r == 22 || r == 30);
		assert_false(mutex_is_locked(&m));
		assert_int_equal(current->lockdep_depth, 0);
	}
	/* the held-lock stack names the guard statement, not cleanup.h */
	{
		guard(mutex)(&m);
		hl = lusim_lock_find_held(&m.dep_map);
		assert_non_null(hl);
		assert_non_null(strstr(hl->acquire_site, "test_cleanup.c:"));
	}
	locked_path(0);
	assert_no_findings();
}

static void test_scoped_guard(void **state)
{
	unsigned long flags_seen = 0;
	int n = 0;

	(void)state;
	scoped_guard(mutex, &m) {
		assert_true(mutex_is_locked(&m));
		n++;
	}
	assert_false(mutex_is_locked(&m));
	assert_int_equal(n, 1);

	for (int i = 0; i < 3; i++) {
		scoped_guard(spinlock_irqsave, &sl) {
			assert_true(spin_is_locked(&sl));
			assert_true(irqs_disabled());
			if (i == 1)
				break;	/* leaves the guarded scope */
			flags_seen++;
		}
		assert_false(spin_is_locked(&sl));
		assert_false(irqs_disabled());
	}
	assert_int_equal(flags_seen, 2);

	scoped_guard(spinlock, &sl)
		assert_true(in_atomic());
	assert_false(in_atomic());
	scoped_guard(spinlock_irq, &sl)
		assert_true(irqs_disabled());
	scoped_guard(spinlock_bh, &sl)
		assert_true(in_softirq());

	scoped_guard(rwsem_read, &sem)
		lockdep_assert_held_read(&sem);
	scoped_guard(rwsem_write, &sem)
		lockdep_assert_held_write(&sem);
	{
		guard(rwsem_read)(&sem);
		guard(rcu)();
		assert_int_equal(lusim_rcu_read_depth(), 1);
	}
	assert_int_equal(lusim_rcu_read_depth(), 0);
	assert_int_equal(current->lockdep_depth, 0);
	assert_no_findings();
}

static int try_path(void)
{
	scoped_cond_guard(mutex_try, return -EBUSY, &m) {
		return 0;
	}
	return 1;
}

static void test_cond_guards(void **state)
{
	int ran = 0;

	(void)state;
	assert_int_equal(try_path(), 0);
	assert_false(mutex_is_locked(&m));

	mutex_lock(&m);
	scoped_guard(mutex_try, &m)	/* fails: body skipped, no unlock */
		ran++;
	assert_int_equal(ran, 0);
	assert_true(mutex_is_locked(&m));
	mutex_unlock(&m);

	scoped_guard(spinlock_try, &sl)
		ran++;
	assert_int_equal(ran, 1);
	assert_false(spin_is_locked(&sl));
	scoped_guard(rwsem_write_try, &sem)
		ran++;
	scoped_guard(mutex_intr, &m)
		ran++;
	assert_int_equal(ran, 3);
	assert_int_equal(current->lockdep_depth, 0);
}

/* A guard keeps lockdep working: a sleep under a spinlock guard is caught. */
static void test_guard_findings(void **state)
{
	(void)state;
	scoped_guard(spinlock, &sl) {
		void *p = kmalloc(8, GFP_KERNEL);

		kfree(p);
	}
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	assert_false(spin_is_locked(&sl));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_free_attr),
		lusim_unit_test(test_class),
		lusim_unit_test(test_guard_every_return_path),
		lusim_unit_test(test_scoped_guard),
		lusim_unit_test(test_cond_guards),
		lusim_unit_test(test_guard_findings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
