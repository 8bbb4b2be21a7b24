// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live update error paths: a fail-nth sweep over every fault point (slab,
 * page allocator, KHO, IOMMU driver, user copies) of the three preserves of
 * the chain, each failure checked to leave the state exactly as before
 * (reviewer-bugs 4, invariant 1; kernel-model 6, invariant 11):
 *  - iommufd (two marked HWPTs on two IOASes, so a failure at the second
 *    rolls back the first): no preserved domain, no pin, every IOAS
 *    mutable, no IOMMU FLB, no KHO page, no slab object or page left;
 *  - VFIO cdev: no device record, no unit record, the device's attachments
 *    free to change, nothing left;
 *  - memfd: not frozen, no KHO page, no pin, nothing left.
 * No failure may WARN or trip a lock check.  A failed response copy (the
 * last user copy of PRESERVE_FD) leaves the file preserved, as LUO does.
 */
#include "lu_test.h"

#include <lusim/fault.h>
#include <linux/mm.h>
#include <linux/slab.h>

struct sweep {
	struct lu_chain ch;
	int mfd2;
	int mfd3;		/* unsealed: the memfd sweep's */
	uint32_t ioas2, hwpt2;
	/* what a clean failure leaves */
	unsigned long kho_chunks;
	unsigned int users_a, users_b;
};

/*
 * Two IOASes of one iommufd, each mapping a sealed memfd, each with a
 * marked HWPT; device 0 attached to the first (the chain's).
 */
static void sweep_setup(struct sweep *sw)
{
	uint64_t iova = LU_IOVA;

	lu_chain_setup(&sw->ch, 0, 1);
	test_cmd(ops_ioas_alloc(sw->ch.f.iommufd, &sw->ioas2));
	sw->mfd2 = lu_memfd(2);
	test_cmd(ops_memfd_add_seals(sw->mfd2, LU_SEALS));
	test_cmd(ops_ioas_map_file(sw->ch.f.iommufd, sw->ioas2, sw->mfd2, 0,
				   LU_LEN, &iova, LU_MAP_FIXED_RW));
	test_cmd(ops_hwpt_alloc(sw->ch.f.iommufd, sw->ch.f.dev_id[0], sw->ioas2,
				0, &sw->hwpt2));
	test_cmd(ops_hwpt_lu_set_preserve(sw->ch.f.iommufd, sw->hwpt2, 0x55));
	test_cmd(ops_close(sw->ch.sfd));
	sw->ch.sfd = -1;
	sw->mfd3 = lu_memfd(3);
}

/* A new session with the files the swept preserve depends on. */
static void sweep_session(struct sweep *sw, int upto)
{
	sw->ch.sfd = ops_lu_create_session(sw->ch.lufd, "sweep");
	assert_true(sw->ch.sfd >= 0);
	if (upto >= 1) {
		test_cmd(ops_lu_preserve_fd(sw->ch.sfd, sw->ch.mfd, LU_TOK_MEMFD));
		test_cmd(ops_lu_preserve_fd(sw->ch.sfd, sw->mfd2, LU_TOK_MEMFD + 1));
	}
	if (upto >= 2)
		test_cmd(ops_lu_preserve_fd(sw->ch.sfd, sw->ch.f.iommufd,
					    LU_TOK_IOMMUFD));
}

enum swept { SWEEP_MEMFD, SWEEP_IOMMUFD, SWEEP_VFIO };

static int sweep_op(struct sweep *sw, enum swept what)
{
	switch (what) {
	case SWEEP_MEMFD:
		return ops_lu_preserve_fd(sw->ch.sfd, sw->mfd3, 0x9000);
	case SWEEP_IOMMUFD:
		return ops_lu_preserve_fd(sw->ch.sfd, sw->ch.f.iommufd,
					  LU_TOK_IOMMUFD);
	default:
		return ops_lu_preserve_fd(sw->ch.sfd, sw->ch.f.vfio_fd[0],
					  LU_TOK_VFIO);
	}
}

/* The session for @what: everything it depends on, preserved. */
static void sweep_prepare(struct sweep *sw, enum swept what)
{
	switch (what) {
	case SWEEP_MEMFD:
		sweep_session(sw, 0);
		test_cmd(ops_lu_preserve_fd(sw->ch.sfd, sw->ch.mfd, LU_TOK_MEMFD));
		break;
	case SWEEP_IOMMUFD:
		sweep_session(sw, 1);
		break;
	default:
		sweep_session(sw, 2);
		break;
	}
	sw->kho_chunks = lusim_kho_nr_preserved_chunks();
	test_cmd(ops_test_obj_users(sw->ch.f.iommufd, sw->ch.hwpt_id,
				    &sw->users_a));
	test_cmd(ops_test_obj_users(sw->ch.f.iommufd, sw->hwpt2, &sw->users_b));
}

/* Nothing of the failed preserve is left. */
static void sweep_assert_clean(struct sweep *sw, enum swept what)
{
	struct lusim_iommufd_lu_info info = lu_info(sw->ch.f.iommufd);
	struct lusim_iommu_lu_counts c;
	unsigned int users;

	assert_int_equal(lusim_kho_nr_preserved_chunks(), sw->kho_chunks);
	test_cmd(ops_test_obj_users(sw->ch.f.iommufd, sw->ch.hwpt_id, &users));
	assert_int_equal(users, sw->users_a);
	test_cmd(ops_test_obj_users(sw->ch.f.iommufd, sw->hwpt2, &users));
	assert_int_equal(users, sw->users_b);
	assert_int_equal(info.preserved_devices, 0);

	switch (what) {
	case SWEEP_MEMFD:
		/* not frozen: its size may change (and change back) */
		test_cmd(ops_ftruncate(sw->mfd3, LU_LEN + LU_PAGE));
		test_cmd(ops_ftruncate(sw->mfd3, LU_LEN));
		break;
	case SWEEP_IOMMUFD:
		lu_assert_iommufd_clean(sw->ch.f.iommufd);
		lu_assert_no_iommu_flb();
		break;
	default:
		/* the iommufd's own preserve stays; no device record */
		assert_int_equal(info.preserved_hwpts, 2);
		test_cmd(lusim_iommu_lu_outgoing_counts(&c));
		assert_int_equal(c.live_devices, 0);
		assert_int_equal(c.live_iommus, 0);
		assert_int_equal(c.live_domains, 2);
		break;
	}
}

/* The swept preserve succeeded: is everything there? */
static void sweep_assert_done(struct sweep *sw, enum swept what)
{
	struct lusim_iommufd_lu_info info = lu_info(sw->ch.f.iommufd);

	switch (what) {
	case SWEEP_MEMFD:
		test_err(EPERM, ops_ftruncate(sw->mfd3, LU_LEN + LU_PAGE));
		break;
	case SWEEP_IOMMUFD:
		assert_int_equal(info.preserved_hwpts, 2);
		assert_int_equal(info.immutable_ioas, 2);
		break;
	default:
		assert_int_equal(info.preserved_devices, 1);
		break;
	}
}

static const enum lusim_fault_class classes[] = {
	LUSIM_FAULT_SLAB, LUSIM_FAULT_PAGE, LUSIM_FAULT_KHO,
	LUSIM_FAULT_DRIVER, LUSIM_FAULT_USER,
};

static unsigned long sweep_class(struct sweep *sw, enum swept what,
				 enum lusim_fault_class cls)
{
	unsigned long before, k, n, fails = 0, tolerated = 0;
	unsigned long slab_mark, page_mark;
	int rc;

	/* learn the number of fault points of a successful preserve */
	sweep_prepare(sw, what);
	before = lusim_fault_count(cls);
	test_cmd(sweep_op(sw, what));
	k = lusim_fault_count(cls) - before;
	test_cmd(ops_close(sw->ch.sfd));

	for (n = 1; n <= k; n++) {
		sweep_prepare(sw, what);
		slab_mark = lusim_slab_mark();
		page_mark = lusim_page_mark();
		lusim_fail_nth(cls, n);
		rc = sweep_op(sw, what);
		lusim_fault_disarm(cls);
		if (!rc) {
			/* a fault point whose failure is tolerated */
			sweep_assert_done(sw, what);
			tolerated++;
		} else if (cls == LUSIM_FAULT_USER && rc == -EFAULT && n == k) {
			/* LUO step 10: the response copy; the file stays */
			sweep_assert_done(sw, what);
			fails++;
		} else {
			fails++;
			sweep_assert_clean(sw, what);
			assert_int_equal(lusim_slab_check_leaks_since(slab_mark), 0);
			assert_int_equal(lusim_page_check_leaks_since(page_mark), 0);
		}
		if (lusim_findings_count()) {
			lusim_findings_print(NULL);
			fail_msg("%s fault %lu/%lu of preserve %d: findings",
				 lusim_fault_class_name(cls), n, k, what);
		}
		test_cmd(ops_close(sw->ch.sfd));
	}
	print_message("preserve %s: %lu %s fault points, %lu failed, %lu tolerated\n",
		      what == SWEEP_MEMFD ? "memfd" :
		      what == SWEEP_IOMMUFD ? "iommufd" : "vfio",
		      k, lusim_fault_class_name(cls), fails, tolerated);
	return fails;
}

static void sweep_all(enum swept what, unsigned long min_failures)
{
	unsigned long fails = 0;
	struct sweep sw;
	unsigned int i;

	sweep_setup(&sw);
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		fails += sweep_class(&sw, what, classes[i]);
	/* the sweep really failed something */
	assert_true(fails >= min_failures);

	/* and the preserve still works afterwards */
	sweep_prepare(&sw, what);
	test_cmd(sweep_op(&sw, what));
	sweep_assert_done(&sw, what);
	test_cmd(ops_close(sw.ch.sfd));
	assert_no_findings();
}

static void test_sweep_iommufd_preserve(void **state)
{
	(void)state;
	/* slab, KHO (the block, the domains' tables), driver, user copies */
	sweep_all(SWEEP_IOMMUFD, 6);
}

static void test_sweep_vfio_preserve(void **state)
{
	(void)state;
	sweep_all(SWEEP_VFIO, 5);
}

static void test_sweep_memfd_preserve(void **state)
{
	(void)state;
	sweep_all(SWEEP_MEMFD, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_sweep_iommufd_preserve),
		ops_unit_test(test_sweep_vfio_preserve),
		ops_unit_test(test_sweep_memfd_preserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
