// SPDX-License-Identifier: GPL-2.0-only
/*
 * <linux/refcount.h>, <linux/kref.h>, <linux/atomic.h>: the kernel's
 * saturation semantics and the REFCOUNT-* findings at the caller's site.
 */
#include <limits.h>
#include <linux/refcount.h>
#include <linux/kref.h>
#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/kernel.h>
#include <string.h>

#include "lusim_test.h"

#define SATURATED ((unsigned int)REFCOUNT_SATURATED)

static void assert_site_here(const char *id)
{
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		const struct lusim_finding *f = lusim_findings_get(i);

		if (!strcmp(f->id, id)) {
			assert_non_null(strstr(f->site, "test_refcount.c:"));
			return;
		}
	}
	fail_msg("no %s finding", id);
}

static void test_refcount_ok(void **state)
{
	refcount_t r = REFCOUNT_INIT(1);

	(void)state;
	assert_int_equal(refcount_read(&r), 1);
	refcount_inc(&r);
	refcount_add(3, &r);
	assert_int_equal(refcount_read(&r), 5);
	assert_false(refcount_sub_and_test(2, &r));
	refcount_dec(&r);
	assert_int_equal(refcount_read(&r), 2);
	assert_true(refcount_inc_not_zero(&r));
	assert_false(refcount_dec_if_one(&r));
	assert_true(refcount_dec_not_one(&r));
	assert_true(refcount_dec_not_one(&r));
	assert_false(refcount_dec_not_one(&r));		/* at 1: no */
	assert_true(refcount_dec_if_one(&r));
	assert_int_equal(refcount_read(&r), 0);
	assert_false(refcount_inc_not_zero(&r));	/* 0 stays 0, no finding */
	assert_false(refcount_add_not_zero(2, &r));
	refcount_set(&r, 1);
	assert_true(refcount_dec_and_test(&r));
	assert_no_findings();
}

static void test_inc_from_zero(void **state)
{
	refcount_t r = REFCOUNT_INIT(0);

	(void)state;
	refcount_inc(&r);
	assert_finding("REFCOUNT-INC-ZERO");
	assert_site_here("REFCOUNT-INC-ZERO");
	assert_string_equal(lusim_findings_get(0)->msg,
			    "refcount_t: addition on 0; use-after-free.");
	/* saturated: it never reaches 0 again, so nothing is freed twice */
	assert_int_equal(refcount_read(&r), SATURATED);
	for (int i = 0; i < 10; i++)
		assert_false(refcount_dec_and_test(&r));
	assert_int_equal(refcount_read(&r), SATURATED);
}

static void test_underflow(void **state)
{
	refcount_t r = REFCOUNT_INIT(1);

	(void)state;
	assert_true(refcount_dec_and_test(&r));
	assert_no_findings();
	assert_false(refcount_dec_and_test(&r));	/* one put too many */
	assert_finding("REFCOUNT-UNDERFLOW");
	assert_site_here("REFCOUNT-UNDERFLOW");
	assert_non_null(strstr(lusim_findings_get(0)->detail, "counter was 0"));
	assert_int_equal(refcount_read(&r), SATURATED);
	lusim_findings_clear();

	refcount_set(&r, 2);
	assert_false(refcount_sub_and_test(3, &r));	/* 2 - 3 < 0 */
	assert_finding("REFCOUNT-UNDERFLOW");
	assert_int_equal(refcount_read(&r), SATURATED);
}

static void test_overflow(void **state)
{
	refcount_t r;

	(void)state;
	refcount_set(&r, REFCOUNT_MAX);
	refcount_inc(&r);
	assert_finding("REFCOUNT-OVERFLOW");
	assert_site_here("REFCOUNT-OVERFLOW");
	assert_int_equal(refcount_read(&r), SATURATED);	/* never wraps */
	lusim_findings_clear();

	refcount_set(&r, REFCOUNT_MAX - 1);
	assert_true(refcount_add_not_zero(5, &r));
	assert_finding("REFCOUNT-OVERFLOW");
	assert_int_equal(refcount_read(&r), SATURATED);
	lusim_findings_clear();

	/* any increment of a saturated counter reports again, stays put */
	refcount_inc(&r);
	assert_finding("REFCOUNT-OVERFLOW");
	assert_int_equal(refcount_read(&r), SATURATED);
}

static void test_dec_leak(void **state)
{
	refcount_t r = REFCOUNT_INIT(1);

	(void)state;
	refcount_dec(&r);	/* must never be the release */
	assert_finding("REFCOUNT-DEC-LEAK");
	assert_int_equal(refcount_read(&r), SATURATED);
	lusim_findings_clear();
	refcount_set(&r, 0);
	assert_true(refcount_dec_not_one(&r));
	assert_finding("REFCOUNT-UNDERFLOW");
}

static void test_findings_dedup_per_site(void **state)
{
	refcount_t r = REFCOUNT_INIT(0);

	(void)state;
	for (int i = 0; i < 3; i++) {
		refcount_set(&r, 0);
		refcount_inc(&r);		/* one site */
	}
	refcount_set(&r, 0);
	refcount_inc(&r);			/* another site */
	assert_int_equal(lusim_findings_has("REFCOUNT-INC-ZERO"), 2);
	assert_int_equal(lusim_findings_get(0)->hits, 3);
}

struct obj {
	struct kref ref;
	struct mutex *lock;
	int released;
};

static void obj_release(struct kref *kref)
{
	struct obj *o = container_of(kref, struct obj, ref);

	o->released++;
}

static void obj_release_unlock(struct kref *kref)
{
	struct obj *o = container_of(kref, struct obj, ref);

	o->released++;
	lockdep_assert_held(o->lock);
	mutex_unlock(o->lock);
}

static void test_kref(void **state)
{
	struct obj o = { 0 };
	DEFINE_MUTEX(m);
	DEFINE_SPINLOCK(sl);

	(void)state;
	kref_init(&o.ref);
	kref_get(&o.ref);
	assert_int_equal(kref_read(&o.ref), 2);
	assert_int_equal(kref_put(&o.ref, obj_release), 0);
	assert_int_equal(o.released, 0);
	assert_int_equal(kref_put(&o.ref, obj_release), 1);
	assert_int_equal(o.released, 1);
	assert_false(kref_get_unless_zero(&o.ref));
	assert_no_findings();

	/* the classic double put: no second release, a finding instead */
	assert_int_equal(kref_put(&o.ref, obj_release), 0);
	assert_int_equal(o.released, 1);
	assert_finding("REFCOUNT-UNDERFLOW");
	assert_site_here("REFCOUNT-UNDERFLOW");
	lusim_findings_clear();

	/* kref_get after the last put */
	o = (struct obj){ .lock = &m };
	kref_init(&o.ref);
	kref_put(&o.ref, obj_release);
	kref_get(&o.ref);
	assert_finding("REFCOUNT-INC-ZERO");
	lusim_findings_clear();

	/* kref_put_mutex: the release runs with the mutex held */
	o = (struct obj){ .lock = &m };
	kref_init(&o.ref);
	kref_get(&o.ref);
	assert_int_equal(kref_put_mutex(&o.ref, obj_release_unlock, &m), 0);
	assert_false(mutex_is_locked(&m));
	assert_int_equal(kref_put_mutex(&o.ref, obj_release_unlock, &m), 1);
	assert_int_equal(o.released, 1);
	assert_false(mutex_is_locked(&m));

	/* refcount_dec_and_lock: true with the lock held on the last one */
	{
		refcount_t r = REFCOUNT_INIT(2);

		assert_false(refcount_dec_and_lock(&r, &sl));
		assert_true(refcount_dec_and_lock(&r, &sl));
		assert_true(spin_is_locked(&sl));
		spin_unlock(&sl);
	}
	assert_no_findings();
}

static void test_atomics_wrap(void **state)
{
	atomic_t a = ATOMIC_INIT(INT_MAX);
	atomic64_t b = ATOMIC64_INIT(0);
	atomic_long_t c = ATOMIC_LONG_INIT(5);
	int old = 3;
	unsigned long x = 1;

	(void)state;
	/* two's complement wrap, no signed-overflow UB (UBSan watches) */
	assert_int_equal(atomic_inc_return(&a), INT_MIN);
	assert_int_equal(atomic_dec_return(&a), INT_MAX);
	atomic_set(&a, 3);
	assert_true(atomic_try_cmpxchg(&a, &old, 7));
	assert_false(atomic_try_cmpxchg(&a, &old, 9));
	assert_int_equal(old, 7);
	assert_int_equal(atomic_cmpxchg(&a, 7, 1), 7);
	assert_int_equal(atomic_xchg(&a, 0), 1);
	assert_false(atomic_inc_not_zero(&a));
	assert_int_equal(atomic_fetch_add_unless(&a, 1, 0), 0);
	assert_int_equal(atomic_dec_if_positive(&a), -1);
	assert_true(atomic_inc_and_test((atomic_set(&a, -1), &a)));
	atomic_or(0x10, &a);
	atomic_andnot(0x10, &a);
	assert_int_equal(atomic_read(&a), 0);

	atomic64_sub(1, &b);
	assert_int_equal(atomic64_read(&b), -1);
	atomic64_set(&b, S64_MAX);
	atomic64_inc(&b);
	assert_true(atomic64_read(&b) < 0);
	assert_true(atomic_long_dec_and_test((atomic_long_sub(4, &c), &c)));

	assert_int_equal(xchg(&x, 2), 1);
	assert_int_equal(cmpxchg(&x, 2, 3), 2);
	assert_int_equal(x, 3);
	smp_mb();
	smp_store_release(&x, 4);
	assert_int_equal(smp_load_acquire(&x), 4);
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_refcount_ok),
		lusim_unit_test(test_inc_from_zero),
		lusim_unit_test(test_underflow),
		lusim_unit_test(test_overflow),
		lusim_unit_test(test_dec_leak),
		lusim_unit_test(test_findings_dedup_per_site),
		lusim_unit_test(test_kref),
		lusim_unit_test(test_atomics_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
