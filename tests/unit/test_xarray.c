// SPDX-License-Identifier: GPL-2.0-only
/*
 * <linux/xarray.h> behaviour tests. The rules under test are kernel-model.md
 * 5.1's bullets (tests named test_51_*), the AMENDMENTS checks (might_alloc,
 * ALLOC arrays keep NULL-stored indices), lib/xarray.c's documented
 * behaviour for everything else, and the O(log n) claims, asserted on node
 * visit counters. Every test leaves its arrays destroyed, and the teardown
 * checks that no node outlived them.
 */
#include <linux/xarray.h>
#include <linux/slab.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <lusim/fault.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lusim_test.h"

/* Some distinct, 4-aligned "objects" to store. */
static long objs[64];
#define P(i)	((void *)&objs[i])

static unsigned long slab_base;

static int setup(void **state)
{
	lusim_test_setup(state);
	slab_base = lusim_slab_live_objects();
	return 0;
}

/* Every xarray node a test made must be gone once RCU callbacks have run. */
static int teardown(void **state)
{
	rcu_barrier();
	assert_int_equal(lusim_xa_stats.nodes_allocated,
			 lusim_xa_stats.nodes_freed);
	assert_int_equal(lusim_slab_live_objects(), slab_base);
	return lusim_test_teardown(state);
}

#define xa_test(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

/* The tree is consistent and no finding (XA-CORRUPT or other) fired. */
static void check_ok(struct xarray *xa)
{
	if (lusim_xa_check(xa)) {
		lusim_xa_dump(xa, NULL);
		lusim_findings_print(NULL);
		fail_msg("xarray invariants broken");
	}
	assert_no_findings();
}

/* A textual image of the whole array (entries, reservations, marks, flags). */
static char *image(const struct xarray *xa)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	lusim_xa_dump(xa, f);
	fclose(f);
	return buf;
}

static unsigned long visits(void)
{
	return lusim_xa_stats.nodes_visited;
}

/* --- entries -------------------------------------------------------------- */

static void test_entry_encoding(void **state)
{
	void *v = xa_mk_value(12345);

	(void)state;
	assert_true(xa_is_value(v));
	assert_int_equal(xa_to_value(v), 12345);
	assert_false(xa_is_value(P(0)));
	assert_false(xa_is_internal(P(0)));
	assert_true(xa_is_internal(XA_ZERO_ENTRY));
	assert_true(xa_is_zero(XA_ZERO_ENTRY));
	assert_false(xa_is_err(XA_ZERO_ENTRY));
	assert_true(xa_is_err(XA_ERROR(-ENOMEM)));
	assert_int_equal(xa_err(XA_ERROR(-ENOMEM)), -ENOMEM);
	assert_int_equal(xa_err(XA_ERROR(-EINVAL)), -EINVAL);
	assert_int_equal(xa_err(XA_ERROR(-MAX_ERRNO)), -MAX_ERRNO);
	assert_int_equal(xa_err(NULL), 0);
	assert_int_equal(xa_err(P(1)), 0);
	assert_int_equal(xa_err(XA_ZERO_ENTRY), 0);
	assert_int_equal(xa_pointer_tag(xa_tag_pointer(P(2), 3)), 3);
	assert_ptr_equal(xa_untag_pointer(xa_tag_pointer(P(2), 1)), P(2));
	assert_int_equal(xa_to_value(xa_mk_value(LONG_MAX)), LONG_MAX);
	assert_no_findings();
}

static void test_init_and_empty(void **state)
{
	DEFINE_XARRAY(a);
	DEFINE_XARRAY_ALLOC(b);
	DEFINE_XARRAY_ALLOC1(c);
	DEFINE_XARRAY_FLAGS(d, XA_FLAGS_LOCK_IRQ);
	struct xarray e;

	(void)state;
	xa_init(&e);
	assert_true(xa_empty(&a) && xa_empty(&b) && xa_empty(&c) &&
		    xa_empty(&d) && xa_empty(&e));
	assert_int_equal(b.xa_flags, XA_FLAGS_ALLOC);
	assert_int_equal(c.xa_flags, XA_FLAGS_ALLOC1);
	assert_null(xa_load(&a, 0));
	assert_null(xa_load(&a, ULONG_MAX));
	assert_null(xa_erase(&a, 7));
	assert_true(xa_empty(&a));
	assert_null(xa_store(&d, 5, P(5), GFP_KERNEL));
	assert_ptr_equal(xa_load(&d, 5), P(5));
	assert_false(xa_empty(&d));
	xa_destroy(&d);
	assert_true(xa_empty(&d));
	check_ok(&a);
}

static void test_store_load_erase(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long idx[] = { 0, 1, 63, 64, 4095, 4096, 1UL << 32,
				ULONG_MAX - 1, ULONG_MAX };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(idx); i++) {
		assert_null(xa_store(&xa, idx[i], P(i), GFP_KERNEL));
		check_ok(&xa);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(idx); i++)
		assert_ptr_equal(xa_load(&xa, idx[i]), P(i));
	assert_null(xa_load(&xa, 2));
	assert_null(xa_load(&xa, ULONG_MAX - 2));
	/* overwrite returns the previous entry */
	assert_ptr_equal(xa_store(&xa, 64, P(40), GFP_KERNEL), P(3));
	assert_ptr_equal(xa_load(&xa, 64), P(40));
	for (unsigned int i = 0; i < ARRAY_SIZE(idx); i++) {
		void *want = i == 3 ? P(40) : P(i);

		assert_ptr_equal(xa_erase(&xa, idx[i]), want);
		assert_null(xa_load(&xa, idx[i]));
		check_ok(&xa);
	}
	assert_true(xa_empty(&xa));
	assert_int_equal(lusim_xa_nr_nodes(&xa), 0);
}

static void test_value_entries(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long index = 0;

	(void)state;
	assert_null(xa_store(&xa, 10, xa_mk_value(77), GFP_KERNEL));
	assert_int_equal(xa_to_value(xa_load(&xa, 10)), 77);
	assert_int_equal(xa_to_value(xa_find(&xa, &index, ULONG_MAX, XA_PRESENT)), 77);
	assert_int_equal(index, 10);
	assert_int_equal(xa_to_value(xa_erase(&xa, 10)), 77);
	check_ok(&xa);
}

/* --- kernel-model.md 5.1, bullet by bullet ------------------------------------ */

/* "Reserved (zero) slots read as NULL through the normal API (xa_load)" */
static void test_51_reserved_reads_as_null(void **state)
{
	DEFINE_XARRAY(xa);

	(void)state;
	assert_int_equal(xa_reserve(&xa, 12, GFP_KERNEL), 0);
	assert_null(xa_load(&xa, 12));
	assert_int_equal(xa_reserve(&xa, 0, GFP_KERNEL), 0);
	assert_null(xa_load(&xa, 0));
	assert_false(xa_empty(&xa));
	xa_destroy(&xa);
	check_ok(&xa);
}

/* "... are skipped by xa_find, xa_find_after and therefore xa_for_each*" */
static void test_51_reserved_skipped_by_find(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long index, seen[4], n = 0;
	void *entry;

	(void)state;
	assert_int_equal(xa_reserve(&xa, 1, GFP_KERNEL), 0);
	assert_null(xa_store(&xa, 2, P(2), GFP_KERNEL));
	assert_int_equal(xa_reserve(&xa, 3, GFP_KERNEL), 0);
	assert_int_equal(xa_reserve(&xa, 100, GFP_KERNEL), 0);
	assert_null(xa_store(&xa, 200, P(3), GFP_KERNEL));
	index = 0;
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, XA_PRESENT), P(2));
	assert_int_equal(index, 2);
	assert_ptr_equal(xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT), P(3));
	assert_int_equal(index, 200);
	index = 3;
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, XA_PRESENT), P(3));
	xa_for_each(&xa, index, entry)
		seen[n++] = index;
	assert_int_equal(n, 2);
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 200);
	/* only reservations: nothing found, yet not empty */
	xa_erase(&xa, 2);
	xa_erase(&xa, 200);
	index = 0;
	assert_null(xa_find(&xa, &index, ULONG_MAX, XA_PRESENT));
	assert_int_equal(index, 0);
	assert_false(xa_empty(&xa));
	xa_destroy(&xa);
	check_ok(&xa);
}

/* "... but they occupy the index: xa_insert -EBUSY, xa_alloc skips it, not empty" */
static void test_51_reserved_occupies_index(void **state)
{
	DEFINE_XARRAY(xa);
	DEFINE_XARRAY_ALLOC(al);
	u32 id;

	(void)state;
	assert_int_equal(xa_reserve(&xa, 5, GFP_KERNEL), 0);
	assert_int_equal(xa_insert(&xa, 5, P(1), GFP_KERNEL), -EBUSY);
	assert_null(xa_load(&xa, 5));
	assert_false(xa_empty(&xa));
	/* xa_alloc does not hand a reserved index out */
	assert_int_equal(xa_reserve(&al, 0, GFP_KERNEL), 0);
	assert_int_equal(xa_reserve(&al, 1, GFP_KERNEL), 0);
	assert_int_equal(xa_alloc(&al, &id, P(1), xa_limit_32b, GFP_KERNEL), 0);
	assert_int_equal(id, 2);
	assert_false(xa_empty(&al));
	/* a store over the reservation works and reports NULL as previous */
	assert_null(xa_store(&xa, 5, P(2), GFP_KERNEL));
	assert_ptr_equal(xa_load(&xa, 5), P(2));
	xa_destroy(&xa);
	xa_destroy(&al);
	check_ok(&xa);
}

/* "xa_store returns the previous entry (reservation: NULL) or an error entry" */
static void test_51_store_returns_previous_or_error(void **state)
{
	DEFINE_XARRAY(xa);
	void *ret;

	(void)state;
	assert_null(xa_store(&xa, 9, P(1), GFP_KERNEL));
	assert_ptr_equal(xa_store(&xa, 9, P(2), GFP_KERNEL), P(1));
	assert_ptr_equal(xa_store(&xa, 9, XA_ZERO_ENTRY, GFP_KERNEL), P(2));
	assert_null(xa_load(&xa, 9));
	assert_null(xa_store(&xa, 9, P(3), GFP_KERNEL));	/* was reserved */
	ret = xa_store(&xa, 9, xa_mk_internal(300), GFP_KERNEL);
	assert_true(xa_is_err(ret));
	assert_int_equal(xa_err(ret), -EINVAL);
	assert_ptr_equal(xa_load(&xa, 9), P(3));
	assert_finding("XA-INTERNAL-ENTRY");
	lusim_findings_clear();
	/* -ENOMEM: see test_enomem_leaves_array_unchanged */
	xa_destroy(&xa);
	check_ok(&xa);
}

/* "Storing NULL erases, except in an XA_FLAGS_ALLOC/ALLOC1 array" */
static void test_51_store_null_erases(void **state)
{
	DEFINE_XARRAY(xa);

	(void)state;
	assert_null(xa_store(&xa, 70, P(1), GFP_KERNEL));
	assert_ptr_equal(xa_store(&xa, 70, NULL, GFP_KERNEL), P(1));
	assert_true(xa_empty(&xa));
	assert_int_equal(xa_insert(&xa, 70, P(2), GFP_KERNEL), 0);
	xa_destroy(&xa);
	check_ok(&xa);
}

static void store_null_keeps_index(struct xarray *xa, u32 first)
{
	u32 id, id2;

	assert_int_equal(xa_alloc(xa, &id, P(1), xa_limit_32b, GFP_KERNEL), 0);
	assert_int_equal(id, first);
	assert_ptr_equal(xa_store(xa, id, NULL, GFP_KERNEL), P(1));
	assert_null(xa_load(xa, id));
	assert_false(xa_empty(xa));
	/* the index stays allocated until xa_erase */
	assert_int_equal(xa_insert(xa, id, P(2), GFP_KERNEL), -EBUSY);
	assert_int_equal(xa_alloc(xa, &id2, P(3), xa_limit_32b, GFP_KERNEL), 0);
	assert_int_equal(id2, first + 1);
	assert_null(xa_erase(xa, id));
	assert_int_equal(xa_alloc(xa, &id2, P(4), xa_limit_32b, GFP_KERNEL), 0);
	assert_int_equal(id2, first);
	/* storing NULL at a free index of an ALLOC array reserves it, too */
	assert_null(xa_store(xa, 1000, NULL, GFP_KERNEL));
	assert_int_equal(xa_insert(xa, 1000, P(5), GFP_KERNEL), -EBUSY);
	xa_destroy(xa);
	check_ok(xa);
}

/* "... where __xa_store turns NULL into XA_ZERO_ENTRY: the index stays allocated" */
static void test_51_store_null_alloc_keeps_index(void **state)
{
	DEFINE_XARRAY_ALLOC(a);
	DEFINE_XARRAY_ALLOC1(a1);

	(void)state;
	store_null_keeps_index(&a, 0);
	store_null_keeps_index(&a1, 1);
}

/* "xa_cmpxchg compares against the raw stored value ..." */
static void test_51_cmpxchg_raw_compare(void **state)
{
	DEFINE_XARRAY(xa);

	(void)state;
	/* old = NULL on an empty slot with new = XA_ZERO_ENTRY reserves it */
	assert_null(xa_cmpxchg(&xa, 4, NULL, XA_ZERO_ENTRY, GFP_KERNEL));
	assert_int_equal(xa_insert(&xa, 4, P(1), GFP_KERNEL), -EBUSY);
	/* old = NULL on a reserved slot: no swap, yet returns NULL */
	assert_null(xa_cmpxchg(&xa, 4, NULL, P(1), GFP_KERNEL));
	assert_null(xa_load(&xa, 4));
	assert_int_equal(xa_insert(&xa, 4, P(1), GFP_KERNEL), -EBUSY);
	/* the raw value matches XA_ZERO_ENTRY: swap, previous reported as NULL */
	assert_null(xa_cmpxchg(&xa, 4, XA_ZERO_ENTRY, P(1), GFP_KERNEL));
	assert_ptr_equal(xa_load(&xa, 4), P(1));
	/* mismatch: returns the current entry, nothing changes */
	assert_ptr_equal(xa_cmpxchg(&xa, 4, P(2), P(3), GFP_KERNEL), P(1));
	assert_ptr_equal(xa_load(&xa, 4), P(1));
	/* match: swap, returns the old entry */
	assert_ptr_equal(xa_cmpxchg(&xa, 4, P(1), P(3), GFP_KERNEL), P(1));
	assert_ptr_equal(xa_load(&xa, 4), P(3));
	/* swap to NULL erases */
	assert_ptr_equal(xa_cmpxchg(&xa, 4, P(3), NULL, GFP_KERNEL), P(3));
	assert_true(xa_empty(&xa));
	/* bad entries are refused */
	assert_int_equal(xa_err(xa_cmpxchg(&xa, 4, NULL, xa_mk_internal(5),
					   GFP_KERNEL)), -EINVAL);
	assert_finding("XA-INTERNAL-ENTRY");
	lusim_findings_clear();
	check_ok(&xa);
}

/* In an ALLOC array cmpxchg(x -> NULL) erases (no reservation left behind). */
static void test_cmpxchg_alloc_array(void **state)
{
	DEFINE_XARRAY_ALLOC(xa);
	u32 id;

	(void)state;
	assert_int_equal(xa_alloc(&xa, &id, P(1), xa_limit_32b, GFP_KERNEL), 0);
	assert_ptr_equal(xa_cmpxchg(&xa, id, P(1), NULL, GFP_KERNEL), P(1));
	assert_true(xa_empty(&xa));
	assert_int_equal(xa_alloc(&xa, &id, P(1), xa_limit_32b, GFP_KERNEL), 0);
	assert_int_equal(id, 0);
	/* cmpxchg(NULL -> x) on a free index takes it (free mark cleared) */
	assert_null(xa_cmpxchg(&xa, 1, NULL, P(2), GFP_KERNEL));
	assert_int_equal(xa_alloc(&xa, &id, P(3), xa_limit_32b, GFP_KERNEL), 0);
	assert_int_equal(id, 2);
	xa_destroy(&xa);
	check_ok(&xa);
}

/* "xa_release(xa, i) = cmpxchg(zero -> NULL): removes a reservation, no-op if filled" */
static void test_51_release(void **state)
{
	DEFINE_XARRAY(xa);
	DEFINE_XARRAY_ALLOC1(al);
	u32 id;

	(void)state;
	assert_int_equal(xa_reserve(&xa, 8, GFP_KERNEL), 0);
	xa_release(&xa, 8);
	assert_true(xa_empty(&xa));
	assert_int_equal(xa_reserve(&xa, 8, GFP_KERNEL), 0);
	assert_null(xa_store(&xa, 8, P(1), GFP_KERNEL));
	xa_release(&xa, 8);
	assert_ptr_equal(xa_load(&xa, 8), P(1));
	/* xa_reserve over a present entry is a no-op returning 0 */
	assert_int_equal(xa_reserve(&xa, 8, GFP_KERNEL), 0);
	assert_ptr_equal(xa_load(&xa, 8), P(1));
	/* the iommufd pattern: reserve an id, release it on the error path */
	assert_int_equal(xa_alloc(&al, &id, NULL, xa_limit_31b, GFP_KERNEL), 0);
	assert_int_equal(id, 1);
	xa_release(&al, id);
	assert_int_equal(xa_alloc(&al, &id, P(2), xa_limit_31b, GFP_KERNEL), 0);
	assert_int_equal(id, 1);
	xa_destroy(&xa);
	xa_destroy(&al);
	check_ok(&xa);
}

/* "xa_insert: 0, -EBUSY if any entry (reservation included), -ENOMEM; NULL reserves" */
static void test_51_insert(void **state)
{
	DEFINE_XARRAY(xa);

	(void)state;
	assert_int_equal(xa_insert(&xa, 3, P(1), GFP_KERNEL), 0);
	assert_int_equal(xa_insert(&xa, 3, P(2), GFP_KERNEL), -EBUSY);
	assert_ptr_equal(xa_load(&xa, 3), P(1));
	assert_int_equal(xa_insert(&xa, 4, NULL, GFP_KERNEL), 0);
	assert_null(xa_load(&xa, 4));
	assert_int_equal(xa_insert(&xa, 4, P(2), GFP_KERNEL), -EBUSY);
	assert_int_equal(xa_insert(&xa, 5, XA_ZERO_ENTRY, GFP_KERNEL), 0);
	assert_int_equal(xa_insert(&xa, 5, NULL, GFP_KERNEL), -EBUSY);
	assert_int_equal(xa_insert(&xa, 6, xa_mk_internal(400), GFP_KERNEL),
			 -EINVAL);
	assert_finding("XA-INTERNAL-ENTRY");
	lusim_findings_clear();
	xa_destroy(&xa);
	check_ok(&xa);
}

/* "xa_erase returns the old entry (reservation -> NULL), slot becomes empty" */
static void test_51_erase(void **state)
{
	DEFINE_XARRAY(xa);

	(void)state;
	assert_null(xa_store(&xa, 1, P(1), GFP_KERNEL));
	assert_int_equal(xa_reserve(&xa, 2, GFP_KERNEL), 0);
	assert_ptr_equal(xa_erase(&xa, 1), P(1));
	assert_null(xa_erase(&xa, 2));
	assert_true(xa_empty(&xa));
	assert_int_equal(xa_insert(&xa, 2, P(2), GFP_KERNEL), 0);
	assert_null(xa_erase(&xa, 3));		/* absent */
	xa_destroy(&xa);
	check_ok(&xa);
}

/* "xa_find/xa_find_after: >= index (> for _after), <= max, filter, *index on success" */
static void test_51_find(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long index;

	(void)state;
	assert_null(xa_store(&xa, 10, P(1), GFP_KERNEL));
	assert_null(xa_store(&xa, 20, P(2), GFP_KERNEL));
	assert_null(xa_store(&xa, 1UL << 40, P(3), GFP_KERNEL));
	xa_set_mark(&xa, 20, XA_MARK_1);

	index = 0;
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, XA_PRESENT), P(1));
	assert_int_equal(index, 10);
	index = 10;					/* >= index */
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, XA_PRESENT), P(1));
	assert_ptr_equal(xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT), P(2));
	assert_int_equal(index, 20);
	/* bounded by max; *index untouched on failure */
	index = 11;
	assert_null(xa_find(&xa, &index, 19, XA_PRESENT));
	assert_int_equal(index, 11);
	assert_ptr_equal(xa_find(&xa, &index, 20, XA_PRESENT), P(2));
	index = 20;
	assert_null(xa_find_after(&xa, &index, 1UL << 39, XA_PRESENT));
	assert_int_equal(index, 20);
	assert_ptr_equal(xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT), P(3));
	assert_int_equal(index, 1UL << 40);
	/* start above max */
	index = 30;
	assert_null(xa_find(&xa, &index, 25, XA_PRESENT));
	assert_int_equal(index, 30);
	/* a mark as the filter */
	index = 0;
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, XA_MARK_1), P(2));
	assert_int_equal(index, 20);
	assert_null(xa_find_after(&xa, &index, ULONG_MAX, XA_MARK_1));
	index = 0;
	assert_null(xa_find(&xa, &index, ULONG_MAX, XA_MARK_2));
	/* _after the last index never wraps */
	index = ULONG_MAX;
	assert_null(xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT));
	assert_null(xa_store(&xa, ULONG_MAX, P(4), GFP_KERNEL));
	index = (1UL << 40) + 1;
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, XA_PRESENT), P(4));
	assert_int_equal(index, ULONG_MAX);
	assert_null(xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT));
	/* a filter that is no mark: reported, then a present search (kernel) */
	index = 0;
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, (__force xa_mark_t)5),
			 P(1));
	assert_finding("XA-BAD-MARK");
	lusim_findings_clear();
	xa_destroy(&xa);
	check_ok(&xa);
}

/* "Marks: xa_for_each_marked iterates only marked entries" and the mark rules */
static void test_51_marks(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long index, n = 0;
	void *entry;

	(void)state;
	for (unsigned long i = 0; i < 200; i++)
		assert_null(xa_store(&xa, i * 7, xa_mk_value(i), GFP_KERNEL));
	for (unsigned long i = 0; i < 200; i += 3)
		xa_set_mark(&xa, i * 7, XA_MARK_0);
	assert_true(xa_marked(&xa, XA_MARK_0));
	assert_false(xa_marked(&xa, XA_MARK_1));
	assert_true(xa_get_mark(&xa, 21, XA_MARK_0));
	assert_false(xa_get_mark(&xa, 14, XA_MARK_0));
	assert_false(xa_get_mark(&xa, 21, XA_MARK_1));
	xa_for_each_marked(&xa, index, entry, XA_MARK_0) {
		assert_int_equal(index, n * 21);
		assert_int_equal(xa_to_value(entry), n * 3);
		n++;
	}
	assert_int_equal(n, 67);
	/* a mark on an absent index is not set */
	xa_set_mark(&xa, 1, XA_MARK_1);
	assert_false(xa_get_mark(&xa, 1, XA_MARK_1));
	assert_false(xa_marked(&xa, XA_MARK_1));
	/* storing over an entry keeps its marks; erasing clears them */
	assert_ptr_equal(xa_store(&xa, 21, P(1), GFP_KERNEL), xa_mk_value(3));
	assert_true(xa_get_mark(&xa, 21, XA_MARK_0));
	assert_ptr_equal(xa_erase(&xa, 21), P(1));
	assert_false(xa_get_mark(&xa, 21, XA_MARK_0));
	assert_null(xa_store(&xa, 21, P(1), GFP_KERNEL));
	assert_false(xa_get_mark(&xa, 21, XA_MARK_0));
	/* clearing */
	for (unsigned long i = 0; i < 200; i += 3)
		xa_clear_mark(&xa, i * 7, XA_MARK_0);
	assert_false(xa_marked(&xa, XA_MARK_0));
	index = 0;
	assert_null(xa_find(&xa, &index, ULONG_MAX, XA_MARK_0));
	check_ok(&xa);
	/* marks above XA_MARK_2 are refused */
	xa_set_mark(&xa, 7, XA_PRESENT);
	assert_finding("XA-BAD-MARK");
	lusim_findings_clear();
	xa_destroy(&xa);
	assert_false(xa_marked(&xa, XA_MARK_0));
	check_ok(&xa);
}

/*
 * Reservations take marks like any stored entry (lib/xarray.c
 * __xa_set_mark() tests the raw entry), but marked finds step over them.
 */
static void test_marks_on_reserved_entries(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long index = 0;

	(void)state;
	assert_int_equal(xa_reserve(&xa, 5, GFP_KERNEL), 0);
	assert_null(xa_store(&xa, 6, P(6), GFP_KERNEL));
	xa_set_mark(&xa, 5, XA_MARK_2);
	xa_set_mark(&xa, 6, XA_MARK_2);
	assert_true(xa_get_mark(&xa, 5, XA_MARK_2));
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, XA_MARK_2), P(6));
	assert_int_equal(index, 6);
	/* a reservation turned into an entry keeps the mark */
	assert_null(xa_store(&xa, 5, P(5), GFP_KERNEL));
	index = 0;
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, XA_MARK_2), P(5));
	/* releasing a reservation clears its marks */
	assert_ptr_equal(xa_store(&xa, 5, XA_ZERO_ENTRY, GFP_KERNEL), P(5));
	xa_release(&xa, 5);
	assert_false(xa_get_mark(&xa, 5, XA_MARK_2));
	xa_destroy(&xa);
	check_ok(&xa);
}

/* "XA_MARK_0 doubles as the free-tracking mark on XA_FLAGS_ALLOC arrays" */
static void test_51_free_mark_not_for_users(void **state)
{
	DEFINE_XARRAY_ALLOC1(xa);
	unsigned long index = 0;
	u32 id;

	(void)state;
	assert_int_equal(xa_alloc(&xa, &id, P(1), xa_limit_31b, GFP_KERNEL), 0);
	xa_set_mark(&xa, id, XA_MARK_0);
	assert_finding("XA-FREE-MARK");
	lusim_findings_clear();
	xa_get_mark(&xa, id, XA_MARK_0);
	assert_finding("XA-FREE-MARK");
	lusim_findings_clear();
	assert_null(xa_find(&xa, &index, ULONG_MAX, XA_MARK_0));
	assert_finding("XA-FREE-MARK");
	lusim_findings_clear();
	/* the array is unaffected: the next id is still 2 */
	assert_int_equal(xa_alloc(&xa, &id, P(2), xa_limit_31b, GFP_KERNEL), 0);
	assert_int_equal(id, 2);
	/* iommufd's live-update mark works */
	xa_set_mark(&xa, 2, XA_MARK_1);
	assert_true(xa_get_mark(&xa, 2, XA_MARK_1));
	xa_destroy(&xa);
	check_ok(&xa);
}

/* "xa_alloc: lowest free index in limit; -EBUSY when full, -ENOMEM; ALLOC1: never 0" */
static void test_51_alloc(void **state)
{
	DEFINE_XARRAY_ALLOC(a);
	DEFINE_XARRAY_ALLOC1(a1);
	DEFINE_XARRAY(plain);
	u32 id = 999;

	(void)state;
	for (u32 i = 0; i < 10; i++) {
		assert_int_equal(xa_alloc(&a, &id, P(i), XA_LIMIT(0, 9), GFP_KERNEL), 0);
		assert_int_equal(id, i);
	}
	id = 999;
	assert_int_equal(xa_alloc(&a, &id, P(10), XA_LIMIT(0, 9), GFP_KERNEL), -EBUSY);
	assert_int_equal(id, 999);		/* untouched on -EBUSY */
	assert_ptr_equal(xa_erase(&a, 4), P(4));
	assert_int_equal(xa_alloc(&a, &id, P(10), XA_LIMIT(0, 9), GFP_KERNEL), 0);
	assert_int_equal(id, 4);
	/* the limit's min and max */
	assert_int_equal(xa_alloc(&a, &id, P(11), XA_LIMIT(5, 100), GFP_KERNEL), 0);
	assert_int_equal(id, 10);
	assert_int_equal(xa_alloc(&a, &id, P(12), XA_LIMIT(1000, 1000), GFP_KERNEL), 0);
	assert_int_equal(id, 1000);
	assert_int_equal(xa_alloc(&a, &id, P(13), XA_LIMIT(1000, 1000), GFP_KERNEL), -EBUSY);
	assert_int_equal(xa_alloc(&a, &id, P(13), XA_LIMIT(7, 6), GFP_KERNEL), -EBUSY);
	assert_int_equal(xa_alloc(&a, &id, P(13), XA_LIMIT(U32_MAX, U32_MAX), GFP_KERNEL), 0);
	assert_int_equal(id, U32_MAX);
	check_ok(&a);

	/* ALLOC1 never hands out 0, even when 0 is in the limit */
	assert_int_equal(xa_alloc(&a1, &id, P(1), xa_limit_32b, GFP_KERNEL), 0);
	assert_int_equal(id, 1);
	assert_ptr_equal(xa_erase(&a1, 1), P(1));
	assert_true(xa_empty(&a1));
	assert_int_equal(xa_alloc(&a1, &id, P(1), XA_LIMIT(0, 1), GFP_KERNEL), 0);
	assert_int_equal(id, 1);
	assert_int_equal(xa_alloc(&a1, &id, P(2), XA_LIMIT(0, 1), GFP_KERNEL), -EBUSY);
	check_ok(&a1);

	/* not an allocating array: the kernel's WARN, -EINVAL */
	assert_int_equal(xa_alloc(&plain, &id, P(1), xa_limit_32b, GFP_KERNEL), -EINVAL);
	assert_finding("XA-NOT-ALLOC");
	lusim_findings_clear();
	assert_int_equal(xa_alloc(&a, &id, xa_mk_internal(9), xa_limit_32b,
				  GFP_KERNEL), -EINVAL);
	assert_finding("XA-INTERNAL-ENTRY");
	lusim_findings_clear();
	assert_true(xa_empty(&plain));
	xa_destroy(&a);
	xa_destroy(&a1);
	check_ok(&a);
}

static void test_alloc_cyclic(void **state)
{
	DEFINE_XARRAY_ALLOC(xa);
	u32 id, next = 0;

	(void)state;
	for (u32 i = 0; i < 4; i++) {
		assert_int_equal(xa_alloc_cyclic(&xa, &id, P(i), XA_LIMIT(1, 5),
						 &next, GFP_KERNEL), 0);
		assert_int_equal(id, i + 1);
	}
	xa_erase(&xa, 2);
	/* 5 is next, then wrap to the freed 2 */
	assert_int_equal(xa_alloc_cyclic(&xa, &id, P(5), XA_LIMIT(1, 5), &next,
					 GFP_KERNEL), 0);
	assert_int_equal(id, 5);
	assert_int_equal(xa_alloc_cyclic(&xa, &id, P(6), XA_LIMIT(1, 5), &next,
					 GFP_KERNEL), 1);
	assert_int_equal(id, 2);
	assert_int_equal(xa_alloc_cyclic(&xa, &id, P(7), XA_LIMIT(1, 5), &next,
					 GFP_KERNEL), -EBUSY);
	xa_destroy(&xa);
	/* wrapping through U32_MAX reports 1 on the next allocation */
	next = U32_MAX;
	assert_int_equal(xa_alloc_cyclic(&xa, &id, P(1), xa_limit_32b, &next,
					 GFP_KERNEL), 0);
	assert_int_equal(id, U32_MAX);
	assert_int_equal(next, 0);
	assert_int_equal(xa_alloc_cyclic(&xa, &id, P(2), xa_limit_32b, &next,
					 GFP_KERNEL), 1);
	assert_int_equal(id, 0);
	xa_destroy(&xa);
	check_ok(&xa);
}

/*
 * The kernel's shape rule for ALLOC1 arrays: once the tree has a node, slot
 * 0 holds an implicit reservation (xas_create() puts XA_ZERO_ENTRY there),
 * so an explicit xa_insert at 0 is -EBUSY while other ids exist, and works
 * again once the array is empty.
 */
static void test_alloc1_index0_is_busy(void **state)
{
	DEFINE_XARRAY_ALLOC1(xa);
	unsigned long index = 0;
	u32 id;

	(void)state;
	assert_int_equal(xa_alloc(&xa, &id, P(1), xa_limit_31b, GFP_KERNEL), 0);
	assert_null(xa_load(&xa, 0));
	assert_ptr_equal(xa_find(&xa, &index, ULONG_MAX, XA_PRESENT), P(1));
	assert_int_equal(index, 1);
	assert_int_equal(xa_insert(&xa, 0, P(2), GFP_KERNEL), -EBUSY);
	assert_ptr_equal(xa_erase(&xa, 1), P(1));
	assert_true(xa_empty(&xa));
	assert_int_equal(xa_insert(&xa, 0, P(2), GFP_KERNEL), 0);
	assert_ptr_equal(xa_load(&xa, 0), P(2));
	xa_destroy(&xa);
	check_ok(&xa);
}

/* A lone entry at index 0 lives in xa_head; its marks survive growth and shrink. */
static void test_head_entry_marks(void **state)
{
	DEFINE_XARRAY(xa);

	(void)state;
	assert_null(xa_store(&xa, 0, P(0), GFP_KERNEL));
	assert_int_equal(lusim_xa_height(&xa), 0);
	xa_set_mark(&xa, 0, XA_MARK_1);
	assert_true(xa_get_mark(&xa, 0, XA_MARK_1));
	assert_null(xa_store(&xa, 1UL << 20, P(1), GFP_KERNEL));
	assert_int_equal(lusim_xa_height(&xa), 4);
	assert_true(xa_get_mark(&xa, 0, XA_MARK_1));
	assert_false(xa_get_mark(&xa, 1UL << 20, XA_MARK_1));
	check_ok(&xa);
	assert_ptr_equal(xa_erase(&xa, 1UL << 20), P(1));
	assert_int_equal(lusim_xa_height(&xa), 0);
	assert_true(xa_get_mark(&xa, 0, XA_MARK_1));
	assert_ptr_equal(xa_erase(&xa, 0), P(0));
	assert_false(xa_marked(&xa, XA_MARK_1));
	check_ok(&xa);
}

static void test_extract(void **state)
{
	DEFINE_XARRAY(xa);
	void *dst[8];

	(void)state;
	for (unsigned long i = 0; i < 10; i++)
		assert_null(xa_store(&xa, i * 100, P(i), GFP_KERNEL));
	assert_int_equal(xa_reserve(&xa, 150, GFP_KERNEL), 0);
	xa_set_mark(&xa, 300, XA_MARK_2);
	assert_int_equal(xa_extract(&xa, dst, 50, 450, 8, XA_PRESENT), 4);
	assert_ptr_equal(dst[0], P(1));
	assert_ptr_equal(dst[3], P(4));
	assert_int_equal(xa_extract(&xa, dst, 0, ULONG_MAX, 2, XA_PRESENT), 2);
	assert_int_equal(xa_extract(&xa, dst, 0, ULONG_MAX, 8, XA_MARK_2), 1);
	assert_ptr_equal(dst[0], P(3));
	assert_int_equal(xa_extract(&xa, dst, 0, ULONG_MAX, 0, XA_PRESENT), 0);
	xa_destroy(&xa);
	check_ok(&xa);
}

/* --- allocation failure -------------------------------------------------------- */

enum op { OP_STORE, OP_INSERT, OP_ALLOC, OP_CMPXCHG, OP_RESERVE, OP_NR };

static void build(struct xarray *xa, unsigned int shape)
{
	static const unsigned long idx[] = { 0, 5, 64, 4096, 1UL << 30, 77 };

	for (unsigned int i = 0; i < shape && i < ARRAY_SIZE(idx); i++)
		assert_null(xa_store(xa, idx[i], P(i), GFP_KERNEL));
	if (shape > 2)
		xa_set_mark(xa, 64, XA_MARK_1);
}

static int run_op(struct xarray *xa, enum op op, unsigned long index)
{
	u32 id;

	switch (op) {
	case OP_STORE:
		return xa_err(xa_store(xa, index, P(50), GFP_KERNEL));
	case OP_INSERT:
		return xa_insert(xa, index, P(51), GFP_KERNEL);
	case OP_ALLOC:
		return xa_alloc(xa, &id, P(52), XA_LIMIT(index, U32_MAX), GFP_KERNEL);
	case OP_CMPXCHG:
		return xa_err(xa_cmpxchg(xa, index, NULL, P(53), GFP_KERNEL));
	case OP_RESERVE:
		return xa_reserve(xa, index, GFP_KERNEL);
	default:
		return -1;
	}
}

/*
 * Fail each node allocation an op makes, one at a time, for several tree
 * shapes: the op returns -ENOMEM and the array is exactly as before.
 */
static void test_enomem_leaves_array_unchanged(void **state)
{
	static const unsigned long where[] = { 0, 1, 63, 200, 5000, 1UL << 31,
					       U32_MAX };
	unsigned int sweeps = 0;

	(void)state;
	for (unsigned int shape = 0; shape <= 6; shape++)
	for (int op = 0; op < OP_NR; op++)
	for (unsigned int w = 0; w < ARRAY_SIZE(where); w++) {
		struct xarray xa;
		unsigned long k, before_count;
		int ret;

		xa_init_flags(&xa, op == OP_ALLOC ? XA_FLAGS_ALLOC : 0);
		build(&xa, shape);
		before_count = lusim_fault_count(LUSIM_FAULT_SLAB);
		ret = run_op(&xa, op, where[w]);
		k = lusim_fault_count(LUSIM_FAULT_SLAB) - before_count;
		/* -EBUSY (insert over an entry) allocates nothing */
		assert_true(ret == 0 || (ret == -EBUSY && !k));
		check_ok(&xa);
		xa_destroy(&xa);

		for (unsigned long n = 1; n <= k; n++) {
			char *img_before, *img_after;

			xa_init_flags(&xa, op == OP_ALLOC ? XA_FLAGS_ALLOC : 0);
			build(&xa, shape);
			img_before = image(&xa);
			lusim_fail_nth(LUSIM_FAULT_SLAB, n);
			assert_int_equal(run_op(&xa, op, where[w]), -ENOMEM);
			img_after = image(&xa);
			if (strcmp(img_before, img_after))
				fail_msg("op %d at %#lx, shape %u, fail %lu/%lu changed the array:\n%s---\n%s",
					 op, where[w], shape, n, k, img_before,
					 img_after);
			free(img_before);
			free(img_after);
			check_ok(&xa);
			xa_destroy(&xa);
			sweeps++;
		}
		lusim_fault_disarm(LUSIM_FAULT_SLAB);
	}
	/* the sweep did reach multi-node allocations */
	assert_true(sweeps > 100);
	assert_true(lusim_xa_stats.alloc_failed == sweeps);
}

/* --- locking --------------------------------------------------------------------- */

static DEFINE_SPINLOCK(other_lock);

/* AMENDMENTS: a blocking gfp under a spinlock is a finding even with no allocation */
static void test_gfp_kernel_under_spinlock(void **state)
{
	DEFINE_XARRAY_ALLOC(xa);
	u32 id;

	(void)state;
	assert_null(xa_store(&xa, 1, P(1), GFP_KERNEL));
	spin_lock(&other_lock);
	/* an overwrite allocates nothing: still a sleep point */
	assert_ptr_equal(xa_store(&xa, 1, P(2), GFP_ATOMIC), P(1));
	assert_no_findings();
	assert_ptr_equal(xa_store(&xa, 1, P(3), GFP_KERNEL), P(2));
	spin_unlock(&other_lock);
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	lusim_findings_clear();

	spin_lock(&other_lock);
	assert_int_equal(xa_insert(&xa, 1, P(4), GFP_KERNEL), -EBUSY);
	spin_unlock(&other_lock);
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	lusim_findings_clear();

	spin_lock(&other_lock);
	assert_ptr_equal(xa_cmpxchg(&xa, 1, P(9), P(4), GFP_KERNEL), P(3));
	spin_unlock(&other_lock);
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	lusim_findings_clear();

	spin_lock(&other_lock);
	assert_int_equal(xa_alloc(&xa, &id, P(5), XA_LIMIT(1, 1), GFP_KERNEL), -EBUSY);
	spin_unlock(&other_lock);
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	lusim_findings_clear();

	spin_lock(&other_lock);
	assert_int_equal(xa_reserve(&xa, 1, GFP_KERNEL), 0);
	spin_unlock(&other_lock);
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	lusim_findings_clear();

	/* GFP_ATOMIC under a spinlock is fine, even when it allocates */
	spin_lock(&other_lock);
	assert_null(xa_store(&xa, 1UL << 30, P(6), GFP_ATOMIC));
	assert_int_equal(xa_alloc(&xa, &id, P(7), xa_limit_32b, GFP_NOWAIT), 0);
	spin_unlock(&other_lock);
	assert_no_findings();
	/* inside rcu_read_lock() too */
	rcu_read_lock();
	assert_ptr_equal(xa_store(&xa, 1, P(8), GFP_KERNEL), P(3));
	rcu_read_unlock();
	assert_finding("LOCK-SLEEP-IN-RCU");
	lusim_findings_clear();
	xa_destroy(&xa);
	check_ok(&xa);
}

/* The __xa_* forms require xa_lock; with it, a blocking gfp is allowed. */
static void test_locked_forms(void **state)
{
	DEFINE_XARRAY_ALLOC(xa);
	unsigned long flags;
	u32 id;

	(void)state;
	assert_null(__xa_store(&xa, 1, P(1), GFP_KERNEL));
	assert_finding("LOCK-NOT-HELD");
	lusim_findings_clear();
	assert_ptr_equal(xa_load(&xa, 1), P(1));	/* the kernel stores anyway */
	assert_ptr_equal(__xa_erase(&xa, 1), P(1));
	assert_finding("LOCK-NOT-HELD");
	lusim_findings_clear();

	xa_lock(&xa);
	assert_null(__xa_store(&xa, 1, P(1), GFP_KERNEL));	/* deep tree: */
	assert_null(__xa_store(&xa, 1UL << 31, P(2), GFP_KERNEL));
	assert_int_equal(__xa_insert(&xa, 2, P(3), GFP_KERNEL), 0);
	assert_int_equal(__xa_alloc(&xa, &id, P(4), xa_limit_32b, GFP_KERNEL), 0);
	assert_int_equal(id, 0);
	assert_ptr_equal(__xa_cmpxchg(&xa, 2, P(3), P(5), GFP_KERNEL), P(3));
	__xa_set_mark(&xa, 2, XA_MARK_1);
	assert_true(xa_get_mark(&xa, 2, XA_MARK_1));
	__xa_clear_mark(&xa, 2, XA_MARK_1);
	assert_ptr_equal(__xa_erase(&xa, 2), P(5));
	assert_true(spin_is_locked(&xa.xa_lock));
	xa_unlock(&xa);
	assert_no_findings();

	/* xa_lock plus another spinlock: the drop for allocation would sleep */
	spin_lock(&other_lock);
	xa_lock(&xa);
	assert_ptr_equal(__xa_store(&xa, 1, P(6), GFP_KERNEL), P(1));
	xa_unlock(&xa);
	spin_unlock(&other_lock);
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	lusim_findings_clear();

	/* irq variants keep the irq state balanced */
	xa_lock_irqsave(&xa, flags);
	assert_ptr_equal(__xa_store(&xa, 1, P(7), GFP_ATOMIC), P(6));
	xa_unlock_irqrestore(&xa, flags);
	assert_null(xa_store_irq(&xa, 3, P(8), GFP_KERNEL));
	assert_ptr_equal(xa_erase_bh(&xa, 3), P(8));
	assert_int_equal(xa_insert_irq(&xa, 3, P(9), GFP_KERNEL), 0);
	assert_int_equal(xa_alloc_bh(&xa, &id, P(10), xa_limit_32b, GFP_KERNEL), 0);
	assert_false(irqs_disabled());
	assert_int_equal(preempt_count(), 0);
	assert_no_findings();
	xa_destroy(&xa);
	check_ok(&xa);
}

/* An XA_FLAGS_LOCK_IRQ array: __xa_* drop and retake xa_lock with _irq. */
static void test_lock_irq_array(void **state)
{
	DEFINE_XARRAY_FLAGS(xa, XA_FLAGS_LOCK_IRQ);

	(void)state;
	xa_lock_irq(&xa);
	assert_null(__xa_store(&xa, 1UL << 40, P(1), GFP_KERNEL));
	assert_true(irqs_disabled());
	xa_unlock_irq(&xa);
	assert_false(irqs_disabled());
	assert_no_findings();
	xa_destroy(&xa);
	check_ok(&xa);
}

/* --- iteration ------------------------------------------------------------------- */

/* "xa_for_each is safe against modification" */
static void test_iteration_with_erase(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long index, n = 0;
	void *entry;

	(void)state;
	for (unsigned long i = 0; i < 1000; i++)
		assert_null(xa_store(&xa, i * 3, xa_mk_value(i), GFP_KERNEL));
	/* erase the current entry and the one after it */
	xa_for_each(&xa, index, entry) {
		assert_int_equal(xa_to_value(entry), index / 3);
		assert_ptr_equal(xa_erase(&xa, index), entry);
		xa_erase(&xa, index + 3);
		n++;
	}
	assert_int_equal(n, 500);
	assert_true(xa_empty(&xa));

	/* stores ahead of the cursor are seen, behind it are not */
	for (unsigned long i = 0; i < 10; i++)
		assert_null(xa_store(&xa, i, xa_mk_value(i), GFP_KERNEL));
	n = 0;
	xa_for_each(&xa, index, entry) {
		if (index == 5) {
			assert_ptr_equal(xa_store(&xa, 2, xa_mk_value(100),
						  GFP_KERNEL), xa_mk_value(2));
			assert_null(xa_store(&xa, 1UL << 33, xa_mk_value(200),
					     GFP_KERNEL));
		}
		n++;
	}
	assert_int_equal(n, 11);
	xa_destroy(&xa);
	check_ok(&xa);
}

/* v2 _iommufd_unpreserve: drop and retake xa_lock between iterations */
static void test_iteration_dropping_lock(void **state)
{
	DEFINE_XARRAY_ALLOC1(xa);
	unsigned long index, n = 0;
	void *entry;
	u32 id;

	(void)state;
	for (unsigned long i = 0; i < 300; i++) {
		assert_int_equal(xa_alloc(&xa, &id, P(i % 64), xa_limit_31b,
					  GFP_KERNEL), 0);
		if (i % 2)
			xa_set_mark(&xa, id, XA_MARK_1);
	}
	xa_lock(&xa);
	xa_for_each_marked(&xa, index, entry, XA_MARK_1) {
		assert_true(xa_get_mark(&xa, index, XA_MARK_1));
		__xa_clear_mark(&xa, index, XA_MARK_1);
		assert_ptr_equal(__xa_erase(&xa, index), entry);
		xa_unlock(&xa);
		/* work that must not hold the spinlock */
		might_sleep();
		xa_lock(&xa);
		n++;
	}
	xa_unlock(&xa);
	assert_int_equal(n, 150);
	assert_false(xa_marked(&xa, XA_MARK_1));
	assert_no_findings();
	n = 0;
	xa_for_each(&xa, index, entry)
		n++;
	assert_int_equal(n, 150);
	xa_destroy(&xa);
	check_ok(&xa);
}

/*
 * Regression (found by test_xarray_diff): a find that runs off the end of
 * a subtree sitting in its parent's last slot must climb past the parent,
 * not wrap to the parent's slot 0.
 */
static void test_find_climbs_past_last_slots(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long index, n = 0;
	void *entry;

	(void)state;
	assert_null(xa_store(&xa, 0xfe, P(1), GFP_KERNEL));
	assert_null(xa_store(&xa, 0xffffffe2UL, P(2), GFP_KERNEL));
	assert_null(xa_store(&xa, 0x1000000000UL, P(3), GFP_KERNEL));
	xa_for_each(&xa, index, entry)
		n++;
	assert_int_equal(n, 3);
	index = 0xffffffe2UL;
	assert_ptr_equal(xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT), P(3));
	assert_int_equal(index, 0x1000000000UL);
	xa_destroy(&xa);
	check_ok(&xa);
}

static void test_for_each_range(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long index, sum = 0;
	void *entry;

	(void)state;
	for (unsigned long i = 0; i < 100; i++)
		assert_null(xa_store(&xa, i, xa_mk_value(i), GFP_KERNEL));
	xa_for_each_range(&xa, index, entry, 10, 19)
		sum += xa_to_value(entry);
	assert_int_equal(sum, 145);
	sum = 0;
	xa_for_each_start(&xa, index, entry, 95)
		sum += index;
	assert_int_equal(sum, 95 + 96 + 97 + 98 + 99);
	xa_destroy(&xa);
	check_ok(&xa);
}

/* --- memory ------------------------------------------------------------------------ */

/* "xa_destroy frees everything" (the teardown checks the slab as well) */
static void test_destroy_frees_everything(void **state)
{
	DEFINE_XARRAY_ALLOC(xa);
	unsigned long live = lusim_slab_live_objects();
	u32 id;

	(void)state;
	for (unsigned long i = 0; i < 5000; i++)
		assert_null(xa_store(&xa, i * 0x10001UL, xa_mk_value(i), GFP_KERNEL));
	xa_set_mark(&xa, 0x10001UL * 7, XA_MARK_2);
	assert_true(lusim_slab_live_objects() > live + 1000);
	assert_int_equal(lusim_xa_nr_nodes(&xa),
			 lusim_xa_stats.nodes_allocated - lusim_xa_stats.nodes_freed);
	xa_destroy(&xa);
	assert_true(xa_empty(&xa));
	assert_false(xa_marked(&xa, XA_MARK_2));
	rcu_barrier();
	assert_int_equal(lusim_slab_live_objects(), live);
	/* usable again, free tracking restarted */
	assert_int_equal(xa_alloc(&xa, &id, P(1), xa_limit_32b, GFP_KERNEL), 0);
	assert_int_equal(id, 0);
	xa_destroy(&xa);
	check_ok(&xa);
}

/* Nodes leave through kfree_rcu(): a reader's view stays valid until a grace period. */
static void test_nodes_freed_after_grace_period(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long live;

	(void)state;
	for (unsigned long i = 0; i < 64 * 64; i++)
		assert_null(xa_store(&xa, i, xa_mk_value(i), GFP_KERNEL));
	rcu_barrier();
	live = lusim_slab_live_objects();
	rcu_read_lock();
	assert_int_equal(xa_to_value(xa_load(&xa, 100)), 100);
	for (unsigned long i = 0; i < 64 * 64; i++)
		xa_erase(&xa, i);
	assert_true(xa_empty(&xa));
	/* nothing went back to the slab yet */
	assert_int_equal(lusim_slab_live_objects(), live);
	rcu_read_unlock();
	rcu_barrier();
	assert_int_equal(lusim_slab_live_objects(), live - 65);
	check_ok(&xa);
}

/* --- growth, asserted on counters ---------------------------------------------------- */

static unsigned long load_visits(struct xarray *xa, unsigned long index)
{
	unsigned long before = visits();

	assert_non_null(xa_load(xa, index));
	return visits() - before;
}

static void fill(struct xarray *xa, unsigned long n, unsigned long stride)
{
	for (unsigned long i = 0; i < n; i++)
		assert_null(xa_store(xa, i * stride, xa_mk_value(i), GFP_KERNEL));
}

/*
 * Nodes visited per xa_load grow by one per factor 64 of entries: 10^2,
 * 10^4 and 10^6 dense entries are 2, 3 and 4 levels deep.
 */
static void test_load_is_logarithmic(void **state)
{
	static const unsigned long sizes[] = { 100, 10000, 1000000 };
	unsigned long v[3], vs[3];

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		DEFINE_XARRAY(dense);
		DEFINE_XARRAY(sparse);

		fill(&dense, sizes[i], 1);
		v[i] = load_visits(&dense, sizes[i] / 2);
		assert_int_equal(v[i], lusim_xa_height(&dense));
		xa_destroy(&dense);
		if (i < 2) {	/* 10^6 sparse entries: a node each, skip */
			fill(&sparse, sizes[i], 1UL << 20);
			vs[i] = load_visits(&sparse, (sizes[i] / 2) << 20);
			assert_int_equal(vs[i], lusim_xa_height(&sparse));
			xa_destroy(&sparse);
		}
		rcu_barrier();
	}
	print_message("nodes visited per xa_load: dense %lu %lu %lu, sparse(<<20) %lu %lu\n",
		      v[0], v[1], v[2], vs[0], vs[1]);
	assert_int_equal(v[0], 2);
	assert_true(v[1] - v[0] <= 2 && v[2] - v[1] <= 2);
	assert_true(vs[1] - vs[0] <= 2);
}

/* A full array with one hole: xa_alloc finds it in O(height), not O(n). */
static void test_alloc_hole_is_logarithmic(void **state)
{
	static const unsigned long sizes[] = { 1000, 100000 };
	unsigned long v[2];

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		DEFINE_XARRAY_ALLOC(xa);
		unsigned long hole = sizes[i] * 2 / 3, before;
		u32 id;

		for (unsigned long j = 0; j < sizes[i]; j++)
			assert_int_equal(xa_alloc(&xa, &id, xa_mk_value(j),
						  xa_limit_32b, GFP_KERNEL), 0);
		xa_erase(&xa, hole);
		before = visits();
		assert_int_equal(xa_alloc(&xa, &id, P(1), xa_limit_32b, GFP_KERNEL), 0);
		v[i] = visits() - before;
		assert_int_equal(id, hole);
		/* and with no hole: straight to the end */
		before = visits();
		assert_int_equal(xa_alloc(&xa, &id, P(2), xa_limit_32b, GFP_KERNEL), 0);
		assert_int_equal(id, sizes[i]);
		assert_true(visits() - before <= 4 * lusim_xa_height(&xa) + 4);
		assert_true(v[i] <= 4 * lusim_xa_height(&xa));
		check_ok(&xa);
		xa_destroy(&xa);
		rcu_barrier();
	}
	print_message("nodes visited by xa_alloc into the one hole: n=1000: %lu, n=100000: %lu\n",
		      v[0], v[1]);
	assert_true(v[1] <= v[0] + 4);
}

/* A marked or present find skips unmarked/empty subtrees whole. */
static void test_find_is_logarithmic(void **state)
{
	DEFINE_XARRAY(xa);
	unsigned long index = 0, before, marked, sparse;

	(void)state;
	fill(&xa, 100000, 1);
	xa_set_mark(&xa, 99999, XA_MARK_2);
	before = visits();
	assert_non_null(xa_find(&xa, &index, ULONG_MAX, XA_MARK_2));
	marked = visits() - before;
	assert_int_equal(index, 99999);
	xa_destroy(&xa);
	/* two entries 2^40 apart: the find after the first is not a scan */
	assert_null(xa_store(&xa, 1, P(1), GFP_KERNEL));
	assert_null(xa_store(&xa, 1UL << 40, P(2), GFP_KERNEL));
	for (unsigned long i = 0; i < 100; i++)
		assert_int_equal(xa_reserve(&xa, 2 + i * 4096, GFP_KERNEL), 0);
	index = 1;
	before = visits();
	assert_ptr_equal(xa_find_after(&xa, &index, ULONG_MAX, XA_PRESENT), P(2));
	sparse = visits() - before;
	print_message("nodes visited: marked find in 10^5 entries %lu, find over 100 reservations %lu\n",
		      marked, sparse);
	assert_true(marked <= 2 * 3 + 1);
	/* down to the first entry's leaf, back up, down to the next one */
	assert_true(sparse <= 3 * lusim_xa_height(&xa));
	xa_destroy(&xa);
	check_ok(&xa);
}

/* --- the checker ------------------------------------------------------------------- */

/* lusim_xa_check() catches a broken root mark summary (made up by hand here). */
static void test_check_reports_corruption(void **state)
{
	DEFINE_XARRAY(xa);

	(void)state;
	fill(&xa, 100, 1);
	check_ok(&xa);
	xa.xa_flags |= XA_FLAGS_MARK(XA_MARK_1);	/* no entry has mark 1 */
	assert_int_equal(lusim_xa_check(&xa), 1);
	assert_finding("XA-CORRUPT");
	lusim_findings_clear();
	xa.xa_flags &= ~XA_FLAGS_MARK(XA_MARK_1);
	check_ok(&xa);
	xa_destroy(&xa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		xa_test(test_entry_encoding),
		xa_test(test_init_and_empty),
		xa_test(test_store_load_erase),
		xa_test(test_value_entries),
		xa_test(test_51_reserved_reads_as_null),
		xa_test(test_51_reserved_skipped_by_find),
		xa_test(test_51_reserved_occupies_index),
		xa_test(test_51_store_returns_previous_or_error),
		xa_test(test_51_store_null_erases),
		xa_test(test_51_store_null_alloc_keeps_index),
		xa_test(test_51_cmpxchg_raw_compare),
		xa_test(test_cmpxchg_alloc_array),
		xa_test(test_51_release),
		xa_test(test_51_insert),
		xa_test(test_51_erase),
		xa_test(test_51_find),
		xa_test(test_51_marks),
		xa_test(test_marks_on_reserved_entries),
		xa_test(test_51_free_mark_not_for_users),
		xa_test(test_51_alloc),
		xa_test(test_alloc_cyclic),
		xa_test(test_alloc1_index0_is_busy),
		xa_test(test_head_entry_marks),
		xa_test(test_extract),
		xa_test(test_enomem_leaves_array_unchanged),
		xa_test(test_gfp_kernel_under_spinlock),
		xa_test(test_locked_forms),
		xa_test(test_lock_irq_array),
		xa_test(test_iteration_with_erase),
		xa_test(test_iteration_dropping_lock),
		xa_test(test_find_climbs_past_last_slots),
		xa_test(test_for_each_range),
		xa_test(test_destroy_frees_everything),
		xa_test(test_nodes_freed_after_grace_period),
		xa_test(test_load_is_logarithmic),
		xa_test(test_alloc_hole_is_logarithmic),
		xa_test(test_find_is_logarithmic),
		xa_test(test_check_reports_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
