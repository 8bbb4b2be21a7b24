// SPDX-License-Identifier: GPL-2.0-only
/*
 * Atomic error paths (ATOMIC-ERROR-PATH): the undo journal of sim/check and
 * the structural snapshots.
 *
 * Test ops play a model subsystem: a table of objects in an ALLOC xarray,
 * each object with a kref and an xarray of its own, simulated pages used as
 * page tables. Each mistake an error path can make is committed once (an
 * allocation not freed, a slot not erased, a mark not cleared, a refcount
 * not dropped, an older object freed, a page kept or written, a KHO chunk
 * left preserved, a lock left held) and must be reported with what did not
 * net out; each correct unwind, including the ones a correct kernel leaves
 * structure behind for (empty page-table levels), must not. Failures come
 * from fault injection (lusim_fail_nth) where a real op would see them.
 */
#include <linux/errno.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <lusim/fault.h>
#include <lusim/journal.h>

#include <check/check.h>
#include <hw/hw.h>

#include <stdio.h>
#include <string.h>

#include "check_test.h"

struct tobj {
	struct kref kref;
	u32 id;
	struct xarray children;
	struct rcu_head rcu;
};

static DEFINE_XARRAY_ALLOC1(objects);
static DEFINE_MUTEX(objects_lock);

static int setup(void **state)
{
	check_test_setup(state);
	xa_init_flags(&objects, XA_FLAGS_ALLOC1);
	return 0;
}

static int teardown(void **state)
{
	unsigned long index;
	struct tobj *o;

	xa_for_each(&objects, index, o) {
		xa_destroy(&o->children);
		kfree(o);
	}
	xa_destroy(&objects);
	return lusim_test_teardown(state);
}

#define atomic_test(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#define assert_detail(f, s)						\
	do {								\
		if (!strstr((f)->detail, s)) {				\
			lusim_findings_print(NULL);			\
			fail_msg("detail lacks \"%s\"", s);		\
		}							\
	} while (0)

/* Run @call as op @name; returns its result. */
#define OP(name, call) ({						\
	int __ret;							\
	lusim_check_op_begin(name);					\
	__ret = (call);							\
	lusim_check_op_end(__ret);					\
	__ret;								\
})

/* --- the test subsystem --------------------------------------------------- */

enum mistake {
	CORRECT,
	FORGET_ERASE,		/* the error path frees the object, leaves its slot */
	FORGET_ALL,		/* ... and forgets the object too */
};

/* The last step of a create; fault injection targets it by name. */
static noinline void *alloc_hw_ctx(void)
{
	return kmalloc(64, GFP_KERNEL);
}

/*
 * Create an object with @nr children: allocate, publish in objects, fill
 * its own xarray, then allocate a "hardware context". The error path undoes
 * in reverse order, or makes @m.
 */
static int obj_create(unsigned int nr, enum mistake m, u32 *idp)
{
	struct tobj *o = kzalloc(sizeof(*o), GFP_KERNEL);
	void *ctx;
	int ret;

	if (!o)
		return -ENOMEM;
	kref_init(&o->kref);
	xa_init(&o->children);
	ret = xa_alloc(&objects, &o->id, o, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto err_free;
	for (unsigned int i = 0; i < nr; i++) {
		ret = xa_err(xa_store(&o->children, i, xa_mk_value(i), GFP_KERNEL));
		if (ret)
			goto err_erase;
	}
	ctx = alloc_hw_ctx();
	if (!ctx) {
		ret = -ENOMEM;
		goto err_erase;
	}
	kfree(ctx);
	*idp = o->id;
	return 0;

err_erase:
	if (m == FORGET_ALL)
		return ret;
	if (m != FORGET_ERASE)
		xa_erase(&objects, o->id);
	xa_destroy(&o->children);
err_free:
	kfree(o);
	return ret;
}

static void obj_put_release(struct kref *kref)
{
	struct tobj *o = container_of(kref, struct tobj, kref);

	xa_erase(&objects, o->id);
	xa_destroy(&o->children);
	kfree_rcu(o, rcu);
}

/* --- the journal ------------------------------------------------------------ */

/* Fail the hardware-context allocation of the next create. */
static void fail_ctx(void)
{
	assert_int_equal(lusim_fail_site(LUSIM_FAULT_SLAB, "alloc_hw_ctx"), 0);
}

static void test_clean_error_paths(void **state)
{
	unsigned long before, points;
	struct tobj *o;
	u32 id;

	(void)state;
	/* learn the fault points of a create into an empty table */
	before = lusim_fault_count(LUSIM_FAULT_SLAB);
	assert_int_equal(OP("obj_create", obj_create(3, CORRECT, &id)), 0);
	points = lusim_fault_count(LUSIM_FAULT_SLAB) - before;
	assert_int_equal(points, 4);	/* object, table node, children node, ctx */
	o = xa_erase(&objects, id);
	xa_destroy(&o->children);
	kfree(o);

	/* the fail-nth sweep: every point, unwound correctly, reports nothing */
	for (unsigned long n = 1; n <= points; n++) {
		lusim_fail_nth(LUSIM_FAULT_SLAB, n);
		assert_int_equal(OP("obj_create", obj_create(3, CORRECT, &id)), -ENOMEM);
	}
	assert_int_equal(lusim_fault_injected(LUSIM_FAULT_SLAB), points);
	assert_no_findings();
	assert_true(xa_empty(&objects));
	assert_null(lusim_journal);	/* only while an op runs */
}

static void test_leaky_error_path(void **state)
{
	const struct lusim_finding *f;
	char buf[64];
	u32 id;

	(void)state;
	assert_int_equal(OP("obj_create", obj_create(1, CORRECT, &id)), 0);
	/* the context allocation fails; the error path forgets everything */
	fail_ctx();
	assert_int_equal(OP("obj_create", obj_create(1, FORGET_ALL, &id)), -ENOMEM);
	f = finding("ATOMIC-ERROR-PATH");
	assert_non_null(strstr(f->msg, "obj_create failed with -ENOMEM but left 2 changes behind"));
	assert_non_null(strstr(f->site, "test_check_atomic.c"));
	/* the object, by allocation site; the slot, by call site, as it was and is */
	assert_detail(f, "slab: 1 object (");
	assert_detail(f, "allocated at ");
	assert_detail(f, "tests/unit/test_check_atomic.c:");
	snprintf(buf, sizeof(buf), "xarray: index %u first written at", id + 1);
	assert_detail(f, buf);
	assert_detail(f, ": was NULL, now object #");
	/* the op context, from the trace hook */
	assert_detail(f, "during op #2 obj_create");
}

static void test_forgotten_slot(void **state)
{
	const struct lusim_finding *f;
	u32 id;

	(void)state;
	fail_ctx();
	assert_int_equal(OP("obj_create", obj_create(1, FORGET_ERASE, &id)), -ENOMEM);
	f = finding("ATOMIC-ERROR-PATH");
	assert_non_null(strstr(f->msg, "left 1 change behind"));
	/* the slot now points at freed memory: named as the freed object */
	assert_detail(f, "xarray: index 1 first written at");
	assert_detail(f, "now freed object #");
	/* the children xarray lived in the freed object: not a change */
	assert_null(strstr(f->detail, "index 0 "));
	xa_erase(&objects, 1);
}

static void test_success_is_not_judged(void **state)
{
	u32 id;

	(void)state;
	/* the same leaky code, but the op reports success: not this check's call */
	assert_int_equal(OP("obj_create", obj_create(2, FORGET_ALL, &id)), 0);
	assert_no_findings();
}

static int op_get_then_fail(struct tobj *o, bool put)
{
	kref_get(&o->kref);
	if (put)
		kref_put(&o->kref, obj_put_release);
	return -EBUSY;
}

static void test_refcount_not_dropped(void **state)
{
	const struct lusim_finding *f;
	struct tobj *o;
	u32 id;

	(void)state;
	assert_int_equal(OP("obj_create", obj_create(0, CORRECT, &id)), 0);
	o = xa_load(&objects, id);
	assert_int_equal(OP("get", op_get_then_fail(o, true)), -EBUSY);
	assert_no_findings();
	assert_int_equal(OP("get", op_get_then_fail(o, false)), -EBUSY);
	f = finding("ATOMIC-ERROR-PATH");
	assert_non_null(strstr(f->msg, "get failed with -EBUSY"));
	assert_detail(f, "refcount: first changed at ");
	assert_detail(f, "tests/unit/test_check_atomic.c:");
	assert_detail(f, "was 1, now 2");
}

static int op_destroy_then_fail(u32 id)
{
	struct tobj *o = xa_load(&objects, id);

	kref_put(&o->kref, obj_put_release);	/* frees (RCU) an older object */
	return -EIO;
}

static void test_older_object_freed(void **state)
{
	const struct lusim_finding *f;
	u32 id;

	(void)state;
	assert_int_equal(OP("obj_create", obj_create(2, CORRECT, &id)), 0);
	assert_int_equal(OP("destroy", op_destroy_then_fail(id)), -EIO);
	f = finding("ATOMIC-ERROR-PATH");
	/* kfree_rcu: the op-end drain freed it before the judgement */
	assert_non_null(strstr(f->msg, "left 2 changes"));
	assert_detail(f, "existed before the op and was freed at");
	assert_detail(f, "was freed object #");
	assert_detail(f, "now NULL");
	/* its refcount and children were inside the freed object: not listed */
	assert_null(strstr(f->detail, "refcount"));
	assert_null(strstr(f->detail, "index 0 "));
}

/*
 * A final failure (LUO keeps a failed retrieve's errno and never calls the
 * handler again) may consume the handover: freeing an older object is then
 * not a change. Anything it leaves allocated still is.
 */
static void *handover;
static void *leftover;

static int op_handover(void)
{
	handover = kzalloc(64, GFP_KERNEL);
	return handover ? 0 : -ENOMEM;
}

static int op_consume_then_fail(bool final, bool leak)
{
	kfree(handover);
	handover = NULL;
	if (leak)
		leftover = kzalloc(32, GFP_KERNEL);
	if (final)
		lusim_journal_failure_final();
	return -ENOMEM;
}

static void test_final_failure_consumes(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	assert_int_equal(OP("handover", op_handover()), 0);
	assert_int_equal(OP("retrieve", op_consume_then_fail(true, false)), -ENOMEM);
	assert_no_findings();

	/* the flag is per op: the same free without it is a change */
	assert_int_equal(OP("handover", op_handover()), 0);
	assert_int_equal(OP("retrieve", op_consume_then_fail(false, false)), -ENOMEM);
	f = finding("ATOMIC-ERROR-PATH");
	assert_detail(f, "existed before the op and was freed at");
	lusim_findings_clear();

	/* final, but leaving an object of its own behind */
	assert_int_equal(OP("handover", op_handover()), 0);
	assert_int_equal(OP("retrieve", op_consume_then_fail(true, true)), -ENOMEM);
	f = finding("ATOMIC-ERROR-PATH");
	assert_non_null(strstr(f->msg, "left 1 change"));
	assert_detail(f, "still live");
	assert_null(strstr(f->detail, "existed before the op"));
	lusim_findings_clear();
	kfree(leftover);
	leftover = NULL;
}

static int op_mark_then_fail(u32 id, bool clear)
{
	xa_set_mark(&objects, id, XA_MARK_1);
	if (clear)
		xa_clear_mark(&objects, id, XA_MARK_1);
	return -EINVAL;
}

static void test_marks(void **state)
{
	const struct lusim_finding *f;
	u32 id;

	(void)state;
	assert_int_equal(OP("obj_create", obj_create(0, CORRECT, &id)), 0);
	OP("mark", op_mark_then_fail(id, true));
	assert_no_findings();
	OP("mark", op_mark_then_fail(id, false));
	f = finding("ATOMIC-ERROR-PATH");
	assert_detail(f, "marks were 0, now 0x2 (entry: object #");
}

static struct xarray lonely = XARRAY_INIT(lonely, 0);

static int op_destroy_array(void)
{
	xa_destroy(&lonely);
	return -ENODEV;
}

static void test_xa_destroy_of_older_array(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	xa_store(&lonely, 5, xa_mk_value(5), GFP_KERNEL);
	xa_store(&lonely, 700, xa_mk_value(7), GFP_KERNEL);
	OP("destroy_array", op_destroy_array());
	f = finding("ATOMIC-ERROR-PATH");
	assert_non_null(strstr(f->msg, "left 2 changes"));
	assert_detail(f, "index 5 first written at");
	assert_detail(f, "was value 5, now NULL");
	assert_detail(f, "index 700");
}

/*
 * Destroy the objects @ids[0..n) one by one, each a committed step (the
 * kernel keeps a step done when a later one fails), then fail; with @leak,
 * a change after the last step is left behind.
 */
static int op_destroy_steps(const u32 *ids, unsigned int n, bool leak)
{
	for (unsigned int i = 0; i < n; i++) {
		struct tobj *o;

		lusim_journal_step_commit_begin();
		o = xa_erase(&objects, ids[i]);
		xa_destroy(&o->children);
		kfree(o);
		lusim_journal_step_commit_end();
		/* the same as a commit point here: nothing spans it */
		if (i == 0 && leak)
			lusim_journal_commit();
	}
	if (leak)
		xa_set_mark(&objects, ids[n], XA_MARK_1);
	return -ENOENT;
}

static void test_committed_steps(void **state)
{
	const struct lusim_finding *f;
	u32 ids[3];

	(void)state;
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(OP("obj_create", obj_create(1, CORRECT, &ids[i])), 0);
	/* two objects gone for good, then the failure: judged after the steps */
	assert_int_equal(OP("destroy_range", op_destroy_steps(ids, 1, false)), -ENOENT);
	assert_no_findings();
	assert_null(xa_load(&objects, ids[0]));
	/* a change after the last committed step is still one */
	assert_int_equal(OP("destroy_range", op_destroy_steps(&ids[1], 1, true)), -ENOENT);
	f = finding("ATOMIC-ERROR-PATH");
	assert_non_null(strstr(f->msg, "left 1 change behind"));
	assert_detail(f, "marks were 0, now 0x2");
	xa_clear_mark(&objects, ids[2], XA_MARK_1);
}

static int op_leak_then_write_off(bool write_off)
{
	xa_set_mark(&objects, 1, XA_MARK_1);
	if (write_off)
		lusim_journal_write_off();
	return -EIO;
}

static void test_write_off(void **state)
{
	u32 id;

	(void)state;
	assert_int_equal(OP("obj_create", obj_create(0, CORRECT, &id)), 0);
	assert_int_equal(id, 1);
	/* a failure the kernel writes off is not judged */
	assert_int_equal(OP("open", op_leak_then_write_off(true)), -EIO);
	assert_no_findings();
	xa_clear_mark(&objects, id, XA_MARK_1);
	/* only that op: the next one is judged again */
	assert_int_equal(OP("open", op_leak_then_write_off(false)), -EIO);
	assert_true(lusim_findings_has("ATOMIC-ERROR-PATH"));
	assert_int_equal(lusim_journal_written_off, 0);
	xa_clear_mark(&objects, id, XA_MARK_1);
}

/* --- locks, KHO counters ------------------------------------------------------- */

static int op_lock_then_fail(void)
{
	mutex_lock(&objects_lock);
	return -EAGAIN;
}

static void test_lock_left_held(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	OP("lock", op_lock_then_fail());
	f = finding("ATOMIC-ERROR-PATH");
	assert_detail(f, "locks: 1 more held than at op begin");
	assert_detail(f, "objects_lock");
	assert_true(lusim_findings_has("LOCK-HELD-AT-OP-END"));
	mutex_unlock(&objects_lock);
}

static int op_preserve(unsigned long pfn, bool undo)
{
	lusim_journal_kho(pfn, 2, +1, "kho_preserve_folio@test");
	if (undo)
		lusim_journal_kho(pfn, 2, -1, "kho_unpreserve_folio@test");
	return -ENOSPC;
}

static void test_kho_counter(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	OP("preserve", op_preserve(0x100040, true));
	assert_no_findings();
	OP("preserve", op_preserve(0x100040, false));
	f = finding("ATOMIC-ERROR-PATH");
	assert_string_equal(f->site, "kho_preserve_folio@test");
	assert_detail(f, "kho: pfn 0x100040 order 2 preserved and not unpreserved (at kho_preserve_folio@test)");
}

/* --- simulated memory: pages and page-table growth ------------------------------- */

#define LINK(phys)	((phys) | HW_PTE_R | HW_PTE_W)

/* Map: grow a table level under @table (kept, as the kernel keeps it), then fail. */
static int op_map(uint64_t table, int how)
{
	uint64_t *t = hw_phys_to_virt(table);
	uint64_t level = hw_mem_alloc(0, HW_MEM_ZERO);
	uint64_t *l = hw_phys_to_virt(level);
	uint64_t leaf = hw_mem_alloc(0, HW_MEM_ZERO);

	t[7] = LINK(level);
	l[1] = LINK(leaf);		/* an empty level below the new one */
	switch (how) {
	case 0:				/* correct: growth kept, nothing else */
		break;
	case 1:				/* a leaf entry left behind */
		((uint64_t *)hw_phys_to_virt(leaf))[3] = 0x100123000ULL | HW_PTE_R;
		break;
	case 2:				/* an older entry overwritten */
		t[0] = 0;
		break;
	case 3:				/* a data page allocated and kept */
		hw_mem_alloc(0, 0);
		break;
	case 4:				/* an older page freed */
		hw_mem_free(t[0] & HW_PTE_ADDR_MASK, 0);
		t[0] = 0;
		break;
	}
	return -ENOMEM;
}

static uint64_t table_with_one_entry(void)
{
	uint64_t table = hw_mem_alloc(0, HW_MEM_ZERO);
	uint64_t data = hw_mem_alloc(0, HW_MEM_ZERO);

	((uint64_t *)hw_phys_to_virt(table))[0] = LINK(data);
	return table;
}

static void test_page_table_growth_is_not_a_change(void **state)
{
	uint64_t table = table_with_one_entry();

	(void)state;
	OP("map", op_map(table, 0));
	assert_no_findings();
}

static void test_page_changes(void **state)
{
	const struct lusim_finding *f;
	uint64_t table;

	(void)state;
	table = table_with_one_entry();
	OP("map_leaf", op_map(table, 1));
	f = finding("ATOMIC-ERROR-PATH");
	/*
	 * the leaf page now holds data, so neither it nor the level linking
	 * it is growth, nor the link to that level in the older table
	 */
	assert_non_null(strstr(f->msg, "map_leaf failed with -ENOMEM but left 3 changes"));
	assert_detail(f, "allocated by the op is still allocated");
	assert_detail(f, "1 word changed through the CPU view, first at +0x38: was 0, now 0x");

	lusim_findings_clear();
	table = table_with_one_entry();
	OP("map_overwrite", op_map(table, 2));
	f = finding("ATOMIC-ERROR-PATH");
	assert_non_null(strstr(f->msg, "left 1 change"));
	assert_detail(f, "1 word changed through the CPU view, first at +0: was 0x");

	lusim_findings_clear();
	table = table_with_one_entry();
	OP("map_data", op_map(table, 3));
	f = finding("ATOMIC-ERROR-PATH");
	assert_detail(f, "(order 0) allocated by the op is still allocated");

	lusim_findings_clear();
	table = table_with_one_entry();
	OP("map_free", op_map(table, 4));
	f = finding("ATOMIC-ERROR-PATH");
	assert_detail(f, "existed before the op and was freed");
	assert_detail(f, "1 word changed");
}

static int op_write_restore(uint64_t page)
{
	uint64_t old, v = 0x1234;

	hw_mem_read(page, &old, sizeof(old));
	hw_mem_write(page, &v, sizeof(v));
	hw_mem_write(page, &old, sizeof(old));
	return -EINVAL;
}

static void test_bytes_restored(void **state)
{
	uint64_t page = hw_mem_alloc(0, 0);

	(void)state;
	OP("write_restore", op_write_restore(page));
	assert_no_findings();
}

/* A reference and a page in one op: both journaled, only the reference left. */
static int op_get_and_write(struct tobj *o, uint64_t page)
{
	kref_get(&o->kref);
	op_write_restore(page);
	return -EINVAL;
}

static void test_mixed_journal(void **state)
{
	const struct lusim_finding *f;
	uint64_t page = hw_mem_alloc(0, HW_MEM_ZERO);
	u32 id;

	(void)state;
	assert_int_equal(OP("obj_create", obj_create(0, CORRECT, &id)), 0);
	OP("get_and_write", op_get_and_write(xa_load(&objects, id), page));
	f = finding("ATOMIC-ERROR-PATH");
	assert_non_null(strstr(f->msg, "left 1 change behind"));
	assert_detail(f, "refcount: first changed");
}

/* --- switches and robustness ------------------------------------------------------ */

static void test_switched_off(void **state)
{
	u32 id;

	(void)state;
	lusim_check_set_enabled("ATOMIC-ERROR-PATH", false);
	lusim_check_op_begin("obj_create");
	assert_null(lusim_journal);		/* nothing recorded: no cost */
	fail_ctx();
	lusim_check_op_end(obj_create(1, FORGET_ALL, &id));
	assert_int_equal(lusim_findings_has("ATOMIC-ERROR-PATH"), 0);
	lusim_check_set_enabled("ATOMIC-ERROR-PATH", true);
}

static void test_journal_is_per_op(void **state)
{
	struct lusim_check_stats st;
	u32 id;

	(void)state;
	/* a successful op's writes are forgotten at its end */
	assert_int_equal(OP("obj_create", obj_create(3, CORRECT, &id)), 0);
	lusim_check_get_stats(&st);
	assert_true(st.journal_entries >= 5);	/* 1 object + 1 slot + 3 children */
	assert_int_equal(OP("noop", -EINVAL), -EINVAL);
	lusim_check_get_stats(&st);
	assert_int_equal(st.journal_entries, 0);
	assert_no_findings();
}

/* --- structural snapshots -------------------------------------------------------- */

static void test_snapshot(void **state)
{
	struct lusim_snapshot *before, *after;
	char diff[2048];
	uint64_t table;
	u32 id;

	(void)state;
	assert_int_equal(lusim_check_register_xarray("objects", &objects), 0);
	assert_int_equal(lusim_check_register_xarray("objects", &objects), -EEXIST);
	assert_int_equal(OP("obj_create", obj_create(1, CORRECT, &id)), 0);
	table = table_with_one_entry();

	before = lusim_check_snapshot_take();
	assert_non_null(strstr(lusim_check_snapshot_text(before),
			       "[xarrays] objects[1] = object #"));
	assert_non_null(strstr(lusim_check_snapshot_text(before), "[slab] #"));
	assert_non_null(strstr(lusim_check_snapshot_text(before), "[pages] block 0x"));

	/* a clean failure, page-table growth included: identical */
	fail_ctx();
	assert_int_equal(obj_create(1, CORRECT, &id), -ENOMEM);
	op_map(table, 0);
	assert_int_equal(lusim_check_snapshot_expect_same(before, "obj_create", -ENOMEM), 0);
	assert_no_findings();

	/* a leaky one: the slot, the object and the page write show */
	fail_ctx();
	assert_int_equal(obj_create(1, FORGET_ALL, &id), -ENOMEM);
	op_map(table, 2);
	after = lusim_check_snapshot_take();
	assert_int_equal(lusim_check_snapshot_compare(before, after, diff, sizeof(diff)), 3);
	assert_non_null(strstr(diff, "+[slab] #"));
	assert_non_null(strstr(diff, "+[xarrays] objects[2] = object #"));
	assert_non_null(strstr(diff, "~[pages] block 0x"));
	assert_non_null(strstr(diff, ": 1 word changed, first at +0: was 0x"));
	assert_int_equal(lusim_check_snapshot_expect_same(before, "obj_create", -ENOMEM), 3);
	assert_true(lusim_findings_has("ATOMIC-ERROR-PATH"));
	assert_non_null(strstr(finding("ATOMIC-ERROR-PATH")->msg,
			       "structural snapshot differs in 3 lines"));
	lusim_check_snapshot_free(after);
	lusim_check_snapshot_free(before);

	/* a kexec or power-on forgets registered xarrays */
	lusim_reset_kernel();
	before = lusim_check_snapshot_take();
	assert_null(strstr(lusim_check_snapshot_text(before), "[xarrays]"));
	lusim_check_snapshot_free(before);
}

static void test_snapshot_diff_lines(void **state)
{
	struct lusim_snapshot *a, *b;
	char diff[1024];
	void *p, *q;

	(void)state;
	p = kmalloc(8, GFP_KERNEL);
	a = lusim_check_snapshot_take();
	q = kmalloc(24, GFP_KERNEL);
	kfree(p);
	b = lusim_check_snapshot_take();
	/* the LCS diff: one object gone, one new, in order */
	assert_int_equal(lusim_check_snapshot_compare(a, b, diff, sizeof(diff)), 2);
	assert_non_null(strstr(diff, "-[slab] #"));
	assert_non_null(strstr(diff, " 8 bytes kmalloc at "));
	assert_non_null(strstr(diff, "tests/unit/test_check_atomic.c:"));
	assert_non_null(strstr(diff, "+[slab] #"));
	assert_non_null(strstr(diff, " 24 bytes kmalloc at "));
	assert_true(strstr(diff, "-[slab]") < strstr(diff, "+[slab]"));
	/* identical snapshots; truncation keeps the count */
	assert_int_equal(lusim_check_snapshot_compare(b, b, diff, sizeof(diff)), 0);
	assert_string_equal(diff, "");
	assert_int_equal(lusim_check_snapshot_compare(a, b, diff, 8), 2);
	assert_int_equal(strlen(diff), 7);
	lusim_check_snapshot_free(a);
	lusim_check_snapshot_free(b);
	kfree(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		atomic_test(test_clean_error_paths),
		atomic_test(test_leaky_error_path),
		atomic_test(test_forgotten_slot),
		atomic_test(test_success_is_not_judged),
		atomic_test(test_refcount_not_dropped),
		atomic_test(test_older_object_freed),
		atomic_test(test_final_failure_consumes),
		atomic_test(test_marks),
		atomic_test(test_xa_destroy_of_older_array),
		atomic_test(test_committed_steps),
		atomic_test(test_write_off),
		atomic_test(test_lock_left_held),
		atomic_test(test_kho_counter),
		atomic_test(test_page_table_growth_is_not_a_change),
		atomic_test(test_page_changes),
		atomic_test(test_bytes_restored),
		atomic_test(test_mixed_journal),
		atomic_test(test_switched_off),
		atomic_test(test_journal_is_per_op),
		atomic_test(test_snapshot),
		atomic_test(test_snapshot_diff_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
