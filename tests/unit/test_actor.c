// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cooperative actors (<lusim/actor.h>, docs/concurrency.md): contention
 * blocks the trying actor, a deadlock between actors is reported with both
 * held-lock stacks, synchronize_rcu() waits for readers that started before
 * it, the schedule decides the interleaving and a replay repeats it, and
 * the quiescent hook runs only with no lock held anywhere.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/rcupdate.h>
#include <lusim/actor.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lusim_test.h"

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static DEFINE_SPINLOCK(spin_s);

/* What happened, in order: "0a" = actor 0 did step a. */
static char events[256];

static void ev(unsigned int actor, char what)
{
	size_t n = strlen(events);

	if (n + 3 < sizeof(events)) {
		events[n] = (char)('0' + actor);
		events[n + 1] = what;
		events[n + 2] = ' ';
		events[n + 3] = '\0';
	}
}

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

/* --- contention ------------------------------------------------------------ */

static void critical(unsigned int actor, void *arg)
{
	(void)arg;
	mutex_lock(&lock_a);
	ev(actor, 'L');
	lusim_yield();			/* a chance to run the other actor */
	ev(actor, 'U');
	mutex_unlock(&lock_a);
}

static void test_contention_blocks(void **state)
{
	/* lock point of actor 0: stay; its yield: switch to actor 1 */
	static const uint8_t sched[] = { 0x80, 1 };
	struct lusim_sched_stats st;

	(void)state;
	events[0] = '\0';
	assert_int_equal(lusim_sched_run(2, critical, NULL, sched,
					 sizeof(sched), NULL), 0);
	/* actor 1 blocked on lock_a until actor 0 released it */
	assert_string_equal(events, "0L 0U 1L 1U ");
	lusim_sched_get_stats(&st);
	assert_true(st.blocks >= 1);
	assert_true(st.switches >= 3);
	assert_ptr_equal(current, &lusim_init_task);
	assert_false(mutex_is_locked(&lock_a));
	assert_no_findings();
}

static void test_no_schedule_is_sequential(void **state)
{
	(void)state;
	events[0] = '\0';
	assert_int_equal(lusim_sched_run(3, critical, NULL, NULL, 0, NULL), 0);
	assert_string_equal(events, "0L 0U 1L 1U 2L 2U ");
	assert_no_findings();
}

static void test_bad_args(void **state)
{
	(void)state;
	assert_int_equal(lusim_sched_run(1, critical, NULL, NULL, 0, NULL),
			 -EINVAL);
	assert_int_equal(lusim_sched_run(LUSIM_MAX_ACTORS + 1, critical, NULL,
					 NULL, 0, NULL), -EINVAL);
	assert_false(lusim_sched_on);
	assert_int_equal(lusim_sched_actor(), -1);
}

/* --- deadlock ----------------------------------------------------------------- */

static void abba(unsigned int actor, void *arg)
{
	struct mutex *first = actor ? &lock_b : &lock_a;
	struct mutex *second = actor ? &lock_a : &lock_b;

	(void)arg;
	mutex_lock(first);
	lusim_yield();
	mutex_lock(second);
	ev(actor, 'B');
	mutex_unlock(second);
	mutex_unlock(first);
}

static void test_deadlock_both_stacks(void **state)
{
	/* 0 takes a, yields to 1; 1 takes b, yields; both block */
	static const uint8_t sched[] = { 0x80, 1, 0x80, 0 };
	const struct lusim_finding *f;

	(void)state;
	events[0] = '\0';
	assert_int_equal(lusim_sched_run(2, abba, NULL, sched, sizeof(sched),
					 NULL), 0);
	f = finding("LOCK-DEADLOCK");
	if (getenv("LUSIM_SHOW_FINDINGS"))
		lusim_findings_print(NULL);
	assert_non_null(strstr(f->msg, "deadlock between actors"));
	/* the trying actor's stack and the other one's */
	assert_non_null(strstr(f->detail, "held locks of task actor"));
	assert_non_null(strstr(f->detail, "lock_a"));
	assert_non_null(strstr(f->detail, "lock_b"));
	assert_non_null(strstr(f->detail, "waits for"));
	/* both actors' stacks: each lock appears as held */
	assert_non_null(strstr(f->detail, "#0: lock_a"));
	assert_non_null(strstr(f->detail, "#0: lock_b"));
	/* the ABBA order is also a lockdep cycle */
	assert_true(lusim_findings_has("LOCK-ORDER-CYCLE"));
	/* the run still ends (the lock is taken regardless after the report) */
	assert_ptr_equal(current, &lusim_init_task);
}

/* --- spinlocks: spinning switches, sleeping under one is a finding ----------- */

static void spinner(unsigned int actor, void *arg)
{
	(void)arg;
	spin_lock(&spin_s);
	ev(actor, 'S');
	if (!actor)
		mutex_lock(&lock_b);	/* sleeps in atomic: a finding */
	ev(actor, 'T');
	if (!actor)
		mutex_unlock(&lock_b);
	spin_unlock(&spin_s);
}

static void test_spin_contention(void **state)
{
	(void)state;
	events[0] = '\0';
	/* actor 1 first: it takes the spinlock; then 0 spins on it */
	static const uint8_t sched[] = { 1, 0x80, 0 };

	assert_int_equal(lusim_sched_run(2, spinner, NULL, sched, sizeof(sched),
					 NULL), 0);
	assert_string_equal(events, "1S 1T 0S 0T ");
	assert_true(lusim_findings_has("LOCK-SLEEP-IN-ATOMIC"));
	assert_false(lusim_findings_has("LOCK-DEADLOCK"));
}

/* --- RCU ------------------------------------------------------------------------- */

static void rcu_pair(unsigned int actor, void *arg)
{
	(void)arg;
	if (actor == 0) {
		rcu_read_lock();
		ev(0, 'r');
		lusim_yield();		/* preempted inside the reader */
		ev(0, 'u');
		rcu_read_unlock();
	} else {
		ev(1, 's');
		synchronize_rcu();
		ev(1, 'S');
	}
}

static void test_rcu_sync_waits_for_reader(void **state)
{
	/* 0 enters its reader and yields to 1, which synchronizes */
	static const uint8_t sched[] = { 0x80, 1 };

	(void)state;
	events[0] = '\0';
	assert_int_equal(lusim_sched_run(2, rcu_pair, NULL, sched,
					 sizeof(sched), NULL), 0);
	/* the grace period ended only after the reader left */
	assert_string_equal(events, "0r 1s 0u 1S ");
	assert_no_findings();
}

static void test_rcu_sync_no_reader(void **state)
{
	/* 1 first: no reader is open, its synchronize returns at once */
	static const uint8_t sched[] = { 1 };

	(void)state;
	events[0] = '\0';
	assert_int_equal(lusim_sched_run(2, rcu_pair, NULL, sched,
					 sizeof(sched), NULL), 0);
	assert_string_equal(events, "1s 1S 0r 0u ");
	assert_no_findings();
}

/* --- determinism --------------------------------------------------------------- */

static void busy(unsigned int actor, void *arg)
{
	(void)arg;
	for (int i = 0; i < 6; i++) {
		mutex_lock(i & 1 ? &lock_b : &lock_a);
		ev(actor, (char)('a' + i));
		mutex_unlock(i & 1 ? &lock_b : &lock_a);
	}
}

static uint64_t run_busy(const uint8_t *sched, size_t len, char *out)
{
	lusim_sched_log_reset();
	events[0] = '\0';
	assert_int_equal(lusim_sched_run(3, busy, NULL, sched, len, NULL), 0);
	strcpy(out, events);
	return lusim_sched_log_hash();
}

static void test_replay_determinism(void **state)
{
	static const uint8_t s1[] = { 2, 1, 0, 0x81, 2, 1, 1, 0, 2, 0x83, 1 };
	static const uint8_t s2[] = { 1, 2, 0, 0, 2, 1, 0x85, 0 };
	char a[256], b[256], c[256];
	uint64_t h1, h2, h3;

	(void)state;
	h1 = run_busy(s1, sizeof(s1), a);
	h2 = run_busy(s1, sizeof(s1), b);
	assert_string_equal(a, b);
	assert_true(h1 == h2);
	h3 = run_busy(s2, sizeof(s2), c);
	assert_string_not_equal(a, c);
	assert_true(h1 != h3);
	assert_no_findings();
}

/* --- the quiescent hook -------------------------------------------------------- */

static unsigned int quiet_calls, quiet_bad;

static void on_quiet(void *arg)
{
	(void)arg;
	quiet_calls++;
	if (!lusim_sched_quiescent() || mutex_is_locked(&lock_a) ||
	    mutex_is_locked(&lock_b))
		quiet_bad++;
}

static int sw_prev[32], sw_next[32];
static unsigned int nr_sw;

static void on_switch(int prev, int next, void *arg)
{
	(void)arg;
	if (nr_sw < 32) {
		sw_prev[nr_sw] = prev;
		sw_next[nr_sw++] = next;
	}
}

static void test_quiescent_hook(void **state)
{
	static const uint8_t sched[] = { 0, 1, 0, 1, 2, 0, 1, 2, 2, 1, 0 };
	struct lusim_sched_hooks hooks = {
		.switched = on_switch, .quiescent = on_quiet,
	};
	char out[256];

	(void)state;
	quiet_calls = quiet_bad = nr_sw = 0;
	lusim_sched_log_reset();
	events[0] = '\0';
	assert_int_equal(lusim_sched_run(3, busy, NULL, sched, sizeof(sched),
					 &hooks), 0);
	strcpy(out, events);
	assert_true(quiet_calls > 0);
	assert_int_equal(quiet_bad, 0);
	/* the first switch comes from the scheduler, the last goes to it */
	assert_true(nr_sw >= 2);
	assert_int_equal(sw_prev[0], -1);
	assert_int_equal(sw_next[nr_sw - 1], -1);
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_contention_blocks),
		lusim_unit_test(test_no_schedule_is_sequential),
		lusim_unit_test(test_bad_args),
		lusim_unit_test(test_deadlock_both_stacks),
		lusim_unit_test(test_spin_contention),
		lusim_unit_test(test_rcu_sync_waits_for_reader),
		lusim_unit_test(test_rcu_sync_no_reader),
		lusim_unit_test(test_replay_determinism),
		lusim_unit_test(test_quiescent_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
