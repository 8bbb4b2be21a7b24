// SPDX-License-Identifier: GPL-2.0-only
/*
 * <linux/slab.h> and <lusim/fault.h>: the kmalloc family, fault injection,
 * leak report, double/invalid free, redzones, poison, might_alloc(),
 * kmem_cache, and the O(1) claim on deterministic counters.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <lusim/fault.h>
#include <stdio.h>

#include "lusim_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
/* the test commits the bug on purpose: let it reach lusim's own check */
#define let_through(p, n)	__asan_unpoison_memory_region(p, n)
#else
#define let_through(p, n)	do { (void)(p); (void)(n); } while (0)
#endif

static unsigned long live0;

static void begin(void)
{
	live0 = lusim_slab_live_objects();
}

static void assert_no_new_objects(void)
{
	assert_int_equal(lusim_slab_live_objects(), live0);
}

static void test_kmalloc_family(void **state)
{
	unsigned char *p, *z, *q;
	char *s;
	int *arr;

	(void)state;
	begin();
	p = kmalloc(40, GFP_KERNEL);
	assert_non_null(p);
	/* fresh memory is POISON_INUSE, never host garbage */
	for (int i = 0; i < 40; i++)
		assert_int_equal(p[i], 0x5a);
	z = kzalloc(100, GFP_KERNEL);
	for (int i = 0; i < 100; i++)
		assert_int_equal(z[i], 0);
	assert_int_equal(lusim_slab_live_objects(), live0 + 2);
	assert_int_equal(lusim_slab_live_bytes() >= 140, 1);
	assert_int_equal(ksize(p), 40);

	memset(p, 7, 40);
	q = krealloc(p, 200, GFP_KERNEL);
	assert_non_null(q);
	assert_int_equal(q[39], 7);
	assert_int_equal(ksize(q), 200);
	p = krealloc(q, 0, GFP_KERNEL);
	assert_ptr_equal(p, ZERO_SIZE_PTR);

	/* kmalloc(0): ZERO_SIZE_PTR, and freeing it (or NULL) is a no-op */
	p = kmalloc(0, GFP_KERNEL);
	assert_ptr_equal(p, ZERO_SIZE_PTR);
	assert_true(ZERO_OR_NULL_PTR(p));
	kfree(p);
	kfree(NULL);
	kvfree(NULL);

	/* power-of-two sizes are naturally aligned, others 16 */
	p = kmalloc(256, GFP_KERNEL);
	assert_int_equal((uintptr_t)p % 256, 0);
	q = kmalloc(4096, GFP_KERNEL);
	assert_int_equal((uintptr_t)q % 4096, 0);
	kfree(p);
	kfree(q);
	p = kmalloc(24, GFP_KERNEL);
	assert_int_equal((uintptr_t)p % 16, 0);
	kfree(p);

	arr = kcalloc(10, sizeof(*arr), GFP_KERNEL);
	assert_int_equal(arr[9], 0);
	kfree(arr);
	/* n * size overflowing: NULL, silently, like the kernel */
	assert_null(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	assert_null(kcalloc(SIZE_MAX / 2, 4, GFP_KERNEL));
	assert_null(kvmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));

	s = kstrdup("iommufd", GFP_KERNEL);
	assert_string_equal(s, "iommufd");
	kfree(s);
	assert_null(kstrdup(NULL, GFP_KERNEL));
	s = kstrndup("abcdef", 3, GFP_KERNEL);
	assert_string_equal(s, "abc");
	kfree(s);
	s = kmemdup("xyz", 4, GFP_KERNEL);
	assert_string_equal(s, "xyz");
	kfree(s);
	s = kmemdup_nul("hello", 4, GFP_KERNEL);
	assert_string_equal(s, "hell");
	kfree_const(s);
	s = kasprintf(GFP_KERNEL, "dev-%d:%s", 3, "pasid");
	assert_string_equal(s, "dev-3:pasid");
	kfree(s);

	p = kvzalloc(3 * 4096, GFP_KERNEL);
	assert_int_equal(p[3 * 4096 - 1], 0);
	kvfree(p);
	p = kvmalloc(64, GFP_KERNEL_ACCOUNT);
	kfree_sensitive(p);		/* small kvmalloc is slab memory */
	kvfree(z);

	assert_no_new_objects();
	assert_no_findings();
}

static void test_kfree_as_function_pointer(void **state)
{
	void (*fn)(const void *) = kfree;
	void *p;

	(void)state;
	begin();
	p = kmalloc(8, GFP_KERNEL);
	fn(p);
	fn = kvfree;
	fn(kvmalloc(8, GFP_KERNEL));
	assert_no_new_objects();
	assert_no_findings();
}

static void test_strscpy(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(strscpy(buf, "abc"), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(strscpy(buf, "0123456789"), -E2BIG);
	assert_string_equal(buf, "0123456");
	assert_int_equal(strscpy(buf, "xy", 2), -E2BIG);
	assert_string_equal(buf, "x");
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(strscpy_pad(buf, "ab"), 2);
	assert_int_equal(buf[7], 0);
	assert_int_equal(str_has_prefix("iommufd_device", "iommufd_"), 8);
	assert_int_equal(str_has_prefix("vfio", "iommufd"), 0);
	assert_true(sysfs_streq("on\n", "on"));
	assert_false(sysfs_streq("on", "off"));
}

/* --- fault injection ----------------------------------------------------- */

static void *alloc_three(int *failed_at)
{
	void *a, *b, *c;

	*failed_at = 0;
	a = kmalloc(16, GFP_KERNEL);
	if (!a) {
		*failed_at = 1;
		return NULL;
	}
	b = kmalloc(16, GFP_KERNEL);
	if (!b) {
		*failed_at = 2;
		kfree(a);
		return NULL;
	}
	c = kmalloc(16, GFP_KERNEL);
	if (!c) {
		*failed_at = 3;
		kfree(b);
		kfree(a);
		return NULL;
	}
	kfree(b);
	kfree(c);
	return a;
}

static void test_fail_nth_sweep(void **state)
{
	unsigned long before, points;
	int failed_at;
	void *p;

	(void)state;
	begin();
	/* learn how many fault points the "op" passes */
	before = lusim_fault_count(LUSIM_FAULT_SLAB);
	p = alloc_three(&failed_at);
	assert_non_null(p);
	kfree(p);
	points = lusim_fault_count(LUSIM_FAULT_SLAB) - before;
	assert_int_equal(points, 3);

	/* sweep: fail each point once; every failure unwinds cleanly */
	for (unsigned long n = 1; n <= points; n++) {
		lusim_fail_nth(LUSIM_FAULT_SLAB, n);
		assert_null(alloc_three(&failed_at));
		assert_int_equal(failed_at, n);
		assert_no_new_objects();
	}
	assert_int_equal(lusim_fault_injected(LUSIM_FAULT_SLAB), 3);
	assert_non_null(strstr(lusim_fault_last_site(LUSIM_FAULT_SLAB),
			       "test_slab.c:"));

	/* a trigger fires once */
	lusim_fail_nth(LUSIM_FAULT_SLAB, 1);
	assert_null(kmalloc(1, GFP_ATOMIC));
	p = kmalloc(1, GFP_ATOMIC);
	assert_non_null(p);
	kfree(p);

	/* __GFP_NOFAIL and size 0 are not fault points */
	before = lusim_fault_count(LUSIM_FAULT_SLAB);
	lusim_fail_nth(LUSIM_FAULT_SLAB, 1);
	p = kmalloc(8, GFP_KERNEL | __GFP_NOFAIL);
	assert_non_null(p);
	kfree(p);
	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_int_equal(lusim_fault_count(LUSIM_FAULT_SLAB), before);
	lusim_fail_nth(LUSIM_FAULT_SLAB, 0);	/* disarm */
	p = kmalloc(8, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);

	/* other classes count on their own */
	assert_int_equal(lusim_fault_count(LUSIM_FAULT_KHO), 0);
	lusim_fail_nth(LUSIM_FAULT_KHO, 2);
	assert_false(lusim_should_fail(LUSIM_FAULT_KHO, "kho.c:1"));
	assert_true(lusim_should_fail(LUSIM_FAULT_KHO, "kho.c:2"));
	assert_false(lusim_should_fail(LUSIM_FAULT_KHO, "kho.c:3"));
	assert_int_equal(lusim_fault_count(LUSIM_FAULT_KHO), 3);
	assert_string_equal(lusim_fault_class_name(LUSIM_FAULT_DRIVER), "driver");
	assert_int_equal(lusim_fault_class_parse("kho"), LUSIM_FAULT_KHO);
	assert_int_equal(lusim_fault_class_parse("nope"), -1);

	assert_no_new_objects();
	assert_no_findings();
}

static void *alloc_in_named_function(void)
{
	return kzalloc(32, GFP_KERNEL);
}

static void test_fail_site(void **state)
{
	char site[64];
	void *p;
	int line;

	(void)state;
	begin();
	/* by function name (substring) */
	assert_int_equal(lusim_fail_site(LUSIM_FAULT_SLAB, "in_named_func"), 0);
	p = kmalloc(8, GFP_KERNEL);		/* other sites are untouched */
	assert_non_null(p);
	kfree(p);
	assert_null(alloc_in_named_function());
	p = alloc_in_named_function();		/* once */
	assert_non_null(p);
	kfree(p);

	/* by "file:line" */
	line = __LINE__ + 3;
	snprintf(site, sizeof(site), "test_slab.c:%d", line);
	assert_int_equal(lusim_fail_site_times(LUSIM_FAULT_SLAB, site, -1), 0);
	for (int i = 0; i < 3; i++) assert_null(kmalloc(8, GFP_KERNEL));
	assert_int_equal(lusim_fault_injected(LUSIM_FAULT_SLAB), 4);
	lusim_fault_disarm(LUSIM_FAULT_SLAB);
	p = kmalloc(8, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);

	assert_int_equal(lusim_fail_site(LUSIM_FAULT_SLAB, ""), -1);
	assert_no_new_objects();
	assert_no_findings();
}

static unsigned int hook_calls;
static unsigned long hook_nth;

static void fault_hook(enum lusim_fault_class cls, const char *site,
		       const char *func, unsigned long nth)
{
	(void)site;
	assert_int_equal(cls, LUSIM_FAULT_SLAB);
	assert_string_equal(func, "test_fault_reset_and_suspend");
	hook_calls++;
	hook_nth = nth;
}

static void test_fault_reset_and_suspend(void **state)
{
	void *p;

	(void)state;
	lusim_fault_set_hook(fault_hook);
	p = kmalloc(8, GFP_KERNEL);
	kfree(p);
	lusim_fail_nth(LUSIM_FAULT_SLAB, 2);
	lusim_fail_site(LUSIM_FAULT_SLAB, "test_slab.c");
	assert_int_equal(lusim_fault_count(LUSIM_FAULT_SLAB), 1);

	/* suspended: neither counted nor failed */
	lusim_fault_suspend();
	p = kmalloc(8, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
	lusim_fault_resume();
	assert_int_equal(lusim_fault_count(LUSIM_FAULT_SLAB), 1);
	assert_null(kmalloc(8, GFP_KERNEL));	/* the site trigger */
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_nth, 2);

	/* reset: counters zero, triggers gone */
	lusim_fail_nth(LUSIM_FAULT_SLAB, 1);
	lusim_fail_site(LUSIM_FAULT_SLAB, "test_slab.c");
	lusim_reset_all();
	assert_int_equal(lusim_fault_count(LUSIM_FAULT_SLAB), 0);
	assert_int_equal(lusim_fault_injected(LUSIM_FAULT_SLAB), 0);
	assert_null(lusim_fault_last_site(LUSIM_FAULT_SLAB));
	p = kmalloc(8, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
	lusim_fault_set_hook(NULL);
	assert_int_equal(hook_calls, 1);
}

/* --- checkers ------------------------------------------------------------ */

static void *leak_here(size_t n)
{
	return kmalloc(n, GFP_KERNEL);
}

static void test_leak_report(void **state)
{
	const struct lusim_finding *f;
	unsigned long mark;
	void *a, *b, *c, *d;

	(void)state;
	begin();
	mark = lusim_slab_mark();
	assert_int_equal(lusim_slab_check_leaks_since(mark), 0);
	a = leak_here(10);
	b = leak_here(20);
	c = kzalloc(30, GFP_KERNEL);
	d = kmalloc(5, GFP_KERNEL);
	kfree(b);
	kfree(d);
	assert_no_findings();

	assert_int_equal(lusim_slab_check_leaks_since(mark), 2);
	assert_finding("SLAB-LEAK");
	f = lusim_findings_get(0);
	assert_string_equal(f->msg, "2 objects (40 bytes) never freed");
	/* the finding's site: the oldest leaked object's allocation site */
	assert_ptr_not_equal(strstr(f->site, "test_slab.c:"), NULL);
	assert_non_null(strstr(f->detail, "1 object, 10 bytes (kmalloc) allocated at"));
	assert_non_null(strstr(f->detail, "1 object, 30 bytes (kmalloc) allocated at"));
	/* grouped by site: two more from leak_here() land on one line */
	lusim_findings_clear();
	b = leak_here(1);
	d = leak_here(2);
	assert_int_equal(lusim_slab_check_leaks_since(mark), 4);
	f = lusim_findings_get(0);
	assert_non_null(strstr(f->detail, "3 objects, 13 bytes (kmalloc)"));

	/* objects older than the mark are not this run's leaks */
	lusim_findings_clear();
	assert_int_equal(lusim_slab_check_leaks_since(lusim_slab_mark()), 0);
	assert_int_equal(lusim_slab_free_since(mark), 4);
	(void)a; (void)c;
	assert_no_new_objects();
	assert_int_equal(lusim_slab_check_leaks_since(mark), 0);
	assert_no_findings();
}

static void test_leak_pending_rcu_note(void **state)
{
	struct obj { int x; struct rcu_head rcu; } *o;
	unsigned long mark = lusim_slab_mark();

	(void)state;
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	kfree_rcu(o, rcu);
	assert_int_equal(lusim_slab_check_leaks_since(mark), 1);
	assert_non_null(strstr(lusim_findings_get(0)->detail,
			       "1 RCU callbacks still pending"));
	lusim_findings_clear();
	rcu_barrier();
	assert_int_equal(lusim_slab_check_leaks_since(mark), 0);
	assert_no_findings();
}

static void test_double_free(void **state)
{
	const struct lusim_finding *f;
	char *p;

	(void)state;
	begin();
	p = kmalloc(16, GFP_KERNEL);
	kfree(p);
	assert_no_findings();
	kfree(p);
	assert_finding("SLAB-DOUBLE-FREE");
	f = lusim_findings_get(0);
	assert_non_null(strstr(f->detail, "allocated at"));
	assert_non_null(strstr(f->detail, "freed at"));
	assert_non_null(strstr(f->detail, "test_slab.c:"));
	assert_int_equal(lusim_findings_has("SLAB-INVALID-FREE"), 0);
	assert_no_new_objects();
}

static void test_invalid_free(void **state)
{
	char stack_buf[32];
	char *p;

	(void)state;
	begin();
	kfree(stack_buf);		/* never dereferenced */
	assert_finding("SLAB-INVALID-FREE");
	lusim_findings_clear();

	p = kmalloc(32, GFP_KERNEL);
	kfree(p + 8);			/* interior pointer */
	assert_finding("SLAB-INVALID-FREE");
	lusim_findings_clear();

	kfree(ERR_PTR(-ENOMEM));
	assert_finding("SLAB-INVALID-FREE");
	assert_non_null(strstr(lusim_findings_get(0)->msg, "error pointer (-12)"));
	lusim_findings_clear();

	kfree(p);
	assert_no_new_objects();
	assert_no_findings();
}

static void test_redzone(void **state)
{
	const struct lusim_finding *f;
	char *p;

	(void)state;
	begin();
	p = kmalloc(13, GFP_KERNEL);
	let_through(p + 13, 1);
	p[13] = 'x';			/* one past the end */
	kfree(p);
	assert_finding("SLAB-REDZONE");
	f = lusim_findings_get(0);
	assert_non_null(strstr(f->msg, "13-byte object"));
	lusim_findings_clear();

	p = kmalloc(13, GFP_KERNEL);
	let_through(p - 1, 1);
	p[-1] = 'x';			/* one before the start */
	kfree(p);
	assert_finding("SLAB-REDZONE");
	assert_no_new_objects();
}

static void test_poison_and_uaf_write(void **state)
{
	unsigned char *p;

	(void)state;
	begin();
	p = kmalloc(8, GFP_KERNEL);
	memset(p, 1, 8);
	kfree(p);
	/* freed memory reads POISON_FREE, last byte POISON_END */
	let_through(p, 8);
	for (int i = 0; i < 7; i++)
		assert_int_equal(p[i], 0x6b);
	assert_int_equal(p[7], 0xa5);
	p[3] = 0;			/* write after free */
	assert_no_findings();
	lusim_slab_flush_quarantine();	/* poison checked on release */
	assert_finding("SLAB-USE-AFTER-FREE");
	assert_non_null(strstr(lusim_findings_get(0)->detail, "freed at"));
	assert_no_new_objects();
}

static void test_might_alloc(void **state)
{
	DEFINE_SPINLOCK(lock);
	void *p;

	(void)state;
	begin();
	spin_lock(&lock);
	p = kmalloc(8, GFP_ATOMIC);		/* fine */
	kfree(p);
	might_alloc(GFP_NOWAIT);		/* fine */
	assert_no_findings();
	p = kmalloc(8, GFP_KERNEL);		/* sleeping allocation */
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	assert_non_null(strstr(lusim_findings_get(0)->site, "test_slab.c:"));
	kfree(p);
	lusim_findings_clear();
	might_alloc(GFP_KERNEL);		/* even with nothing allocated */
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	spin_unlock(&lock);
	lusim_findings_clear();

	/* a failing allocation is still a sleep point */
	rcu_read_lock();
	lusim_fail_nth(LUSIM_FAULT_SLAB, 1);
	assert_null(kzalloc(8, GFP_KERNEL));
	assert_finding("LOCK-SLEEP-IN-RCU");
	rcu_read_unlock();
	assert_no_new_objects();
}

static void test_too_large(void **state)
{
	(void)state;
	begin();
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	assert_finding("SLAB-TOO-LARGE");
	lusim_findings_clear();
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	/* struct_size() saturates: the allocation fails instead of being short */
	assert_null(kzalloc(struct_size((struct { int n; long a[]; } *)NULL, a,
					SIZE_MAX / 4), GFP_KERNEL | __GFP_NOWARN));
	assert_null(kvmalloc((size_t)1 << 40, GFP_KERNEL | __GFP_NOWARN));
	assert_no_findings();
	assert_no_new_objects();
}

static void test_mismatched_free(void **state)
{
	void *p;

	(void)state;
	begin();
	p = kvmalloc(2 * 4096, GFP_KERNEL);
	kfree(p);
	assert_finding("SLAB-MISMATCHED-FREE");
	assert_no_new_objects();
}

static int ctor_calls;

static void obj_ctor(void *p)
{
	ctor_calls++;
	memset(p, 0x11, 4);
}

struct thing {
	long a;
	char b[40];
};

static void test_kmem_cache(void **state)
{
	struct kmem_cache *c, *c2;
	struct thing *t, *u;
	unsigned char *x;

	(void)state;
	begin();
	c = KMEM_CACHE(thing, SLAB_HWCACHE_ALIGN);
	assert_non_null(c);
	assert_int_equal(kmem_cache_size(c), sizeof(struct thing));
	t = kmem_cache_alloc(c, GFP_KERNEL);
	assert_int_equal((uintptr_t)t % 64, 0);
	u = kmem_cache_zalloc(c, GFP_KERNEL);
	assert_int_equal(u->a, 0);
	assert_int_equal(lusim_kmem_cache_live(c), 2);
	kmem_cache_free(c, t);
	kfree(u);			/* kfree of a cache object is allowed */
	assert_int_equal(lusim_kmem_cache_live(c), 0);
	assert_no_findings();

	c2 = kmem_cache_create("ctor_cache", 16, 0, 0, obj_ctor);
	x = kmem_cache_alloc(c2, GFP_KERNEL);
	assert_int_equal(ctor_calls, 1);
	assert_int_equal(x[0], 0x11);
	kmem_cache_free(c, x);		/* wrong cache */
	assert_finding("SLAB-WRONG-CACHE");
	lusim_findings_clear();

	t = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_destroy(c);		/* still has an object */
	assert_finding("SLAB-CACHE-BUSY");
	assert_non_null(strstr(lusim_findings_get(0)->detail, "test_slab.c:"));
	kmem_cache_free(c, t);
	kmem_cache_destroy(c2);
	assert_no_new_objects();
}

static void test_lock_in_freed_object(void **state)
{
	struct locked { struct mutex m; } *o;

	(void)state;
	begin();
	o = kzalloc(sizeof(*o), GFP_KERNEL);
	mutex_init(&o->m);
	mutex_lock(&o->m);
	kfree(o);			/* a held lock freed */
	assert_finding("LOCK-HELD");
	assert_no_new_objects();
}

static void test_reset_keeps_live_objects(void **state)
{
	struct lusim_slab_stats st;
	unsigned long mark = lusim_slab_mark();
	void *p, *q;

	(void)state;
	begin();
	p = kmalloc(8, GFP_KERNEL);
	q = kmalloc(8, GFP_KERNEL);
	kfree(q);
	lusim_reset_all();
	lusim_slab_stats(&st);
	assert_int_equal(st.allocs, 0);
	assert_int_equal(st.frees, 0);
	assert_int_equal(st.quarantined, 0);
	/* leaks are never silently forgotten */
	assert_int_equal(lusim_slab_live_objects(), live0 + 1);
	assert_true(lusim_slab_is_live(p));
	assert_false(lusim_slab_is_live(q));
	assert_int_equal(lusim_slab_check_leaks_since(mark), 1);
	lusim_findings_clear();
	kfree(p);
	assert_no_new_objects();
}

/* O(1): the hash set's work per operation stays flat as the set grows. */
static void test_o1_counters(void **state)
{
	enum { N = 50000 };
	static void *objs[N];
	struct lusim_slab_stats st0, st1;
	unsigned long growths = 0;

	(void)state;
	begin();
	lusim_slab_stats(&st0);
	for (int i = 0; i < N; i++)
		objs[i] = kmalloc(16 + (i % 7) * 8, GFP_KERNEL);
	for (int i = 0; i < N; i += 2)
		kfree(objs[i]);
	for (int i = 1; i < N; i += 2)
		kfree(objs[i]);
	lusim_slab_stats(&st1);
	/* table growth happens only when the population doubles */
	for (unsigned long s = 1024; s < st1.table_size; s *= 2)
		growths++;
	assert_int_equal(st1.rehashes - st0.rehashes <= growths, 1);
	assert_true(st1.table_size <= 4 * (N + 1024 + 1024));
	/* average probe length of a lookup, load factor <= 1/2 */
	assert_true(st1.lookups - st0.lookups >= N);
	assert_true((st1.probes - st0.probes) <= 3 * (st1.lookups - st0.lookups));
	assert_no_new_objects();
	assert_no_findings();
}

/*
 * ASan builds take host blocks from the slab's own pool: a freed object
 * stays poisoned for ASan after the quarantine lets it go, and its block
 * is not handed out again before thousands of other frees (a stale access
 * long after the kfree() still stops ASan). Without ASan: nothing to see.
 */
static void test_pool_delays_reuse(void **state)
{
	enum { N = 3000 };
	void *first, *p;

	(void)state;
	begin();
	first = kmalloc(40, GFP_KERNEL);
	assert_non_null(first);
	kfree(first);
	lusim_slab_flush_quarantine();	/* evicted: back to the host */
#ifdef TEST_ASAN
	assert_true(__asan_address_is_poisoned(first));
	assert_true(__asan_address_is_poisoned((char *)first + 39));
#endif
	/* same size class: the evicted block must not come back soon */
	for (int i = 0; i < N; i++) {
		p = kmalloc(40, GFP_KERNEL);
		assert_non_null(p);
#ifdef TEST_ASAN
		assert_ptr_not_equal(p, first);
#endif
		kfree(p);
		lusim_slab_flush_quarantine();
	}
#ifdef TEST_ASAN
	assert_true(__asan_address_is_poisoned(first));
#endif
	assert_no_new_objects();
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_kmalloc_family),
		lusim_unit_test(test_kfree_as_function_pointer),
		lusim_unit_test(test_strscpy),
		lusim_unit_test(test_fail_nth_sweep),
		lusim_unit_test(test_fail_site),
		lusim_unit_test(test_fault_reset_and_suspend),
		lusim_unit_test(test_leak_report),
		lusim_unit_test(test_leak_pending_rcu_note),
		lusim_unit_test(test_double_free),
		lusim_unit_test(test_invalid_free),
		lusim_unit_test(test_redzone),
		lusim_unit_test(test_poison_and_uaf_write),
		lusim_unit_test(test_might_alloc),
		lusim_unit_test(test_too_large),
		lusim_unit_test(test_mismatched_free),
		lusim_unit_test(test_kmem_cache),
		lusim_unit_test(test_lock_in_freed_object),
		lusim_unit_test(test_reset_keeps_live_objects),
		lusim_unit_test(test_o1_counters),
		lusim_unit_test(test_pool_delays_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
