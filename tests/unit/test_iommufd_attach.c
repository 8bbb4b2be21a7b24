// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd attach machinery (drivers/iommu/iommufd/device.c) through the
 * VFIO cdev and the selftest-style kernel API hooks: attach, replace and
 * detach at IOMMU_NO_PASID and at PASIDs, automatic domains on an IOAS,
 * nested HWPTs, a multi-device group sharing one attachment, the users
 * counts that pin HWPTs, and the reservations released on failure (a
 * fault-injection sweep over every allocation, driver op and user copy of
 * four attach paths and of a map into two domains, as
 * tools/testing/selftests/iommu/iommufd_fail_nth.c does).
 */
#include <linux/fs.h>
#include <lusim/fault.h>

#include "ops_test.h"

#define PAGE	4096UL
#define MAP_FIXED_RW	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | \
			 IOMMU_IOAS_MAP_WRITEABLE)

static uint32_t attached(struct ops_fixture *f, unsigned int slot,
			 uint32_t pasid)
{
	uint32_t hwpt = 0xdead;

	test_cmd(ops_test_pasid_check_hwpt(f->iommufd, f->dev_id[slot], pasid,
					   &hwpt));
	return hwpt;
}

static unsigned int users(struct ops_fixture *f, uint32_t id)
{
	unsigned int u = 0;

	test_cmd(ops_test_obj_users(f->iommufd, id, &u));
	return u;
}

/*
 * iommufd.c TEST_F(iommufd_device_pasid, pasid_attach): attach, check which
 * HWPT a PASID points to, replace, detach leaves nothing attached; the RID
 * and PASIDs are independent.
 */
static void test_attach_replace_detach(void **state)
{
	struct ops_fixture f;
	uint32_t h1, h2, pt;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 0);
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &h1));
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &h2));
	assert_int_equal(users(&f, h1), 1);
	assert_int_equal(attached(&f, 0, OPS_NO_PASID), 0);

	/* RID */
	pt = h1;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	assert_int_equal(pt, h1);
	assert_int_equal(attached(&f, 0, OPS_NO_PASID), h1);
	assert_int_equal(users(&f, h1), 2);
	/* a second VFIO attach replaces */
	pt = h2;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	assert_int_equal(attached(&f, 0, OPS_NO_PASID), h2);
	assert_int_equal(users(&f, h1), 1);
	assert_int_equal(users(&f, h2), 2);
	/* replace with the same HWPT is a no-op */
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	assert_int_equal(users(&f, h2), 2);

	/* PASIDs, independent of the RID and of each other */
	pt = h1;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], 1, &pt));
	pt = h2;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], 1000, &pt));
	assert_int_equal(attached(&f, 0, 1), h1);
	assert_int_equal(attached(&f, 0, 1000), h2);
	assert_int_equal(attached(&f, 0, 2), 0);
	assert_int_equal(users(&f, h1), 2);
	assert_int_equal(users(&f, h2), 3);
	/* replace a PASID through VFIO */
	pt = h2;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], 1, &pt));
	assert_int_equal(attached(&f, 0, 1), h2);
	assert_int_equal(users(&f, h1), 1);
	assert_int_equal(users(&f, h2), 4);
	/* kernel API replace of a PASID */
	pt = h1;
	test_cmd(ops_test_pasid_replace(f.iommufd, f.dev_id[0], 1000, &pt));
	assert_int_equal(attached(&f, 0, 1000), h1);

	/* detach one at a time */
	test_cmd(ops_vfio_detach(f.vfio_fd[0], 1));
	assert_int_equal(attached(&f, 0, 1), 0);
	test_cmd(ops_vfio_detach(f.vfio_fd[0], 1000));
	assert_int_equal(attached(&f, 0, 1000), 0);
	assert_int_equal(attached(&f, 0, OPS_NO_PASID), h2);
	test_cmd(ops_vfio_detach(f.vfio_fd[0], OPS_NO_PASID));
	assert_int_equal(attached(&f, 0, OPS_NO_PASID), 0);
	assert_int_equal(users(&f, h1), 1);
	assert_int_equal(users(&f, h2), 1);
	test_cmd(ops_destroy(f.iommufd, h1));
	test_cmd(ops_destroy(f.iommufd, h2));

	/* closing the device file detaches everything it attached */
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &h1));
	pt = h1;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_vfio_attach(f.vfio_fd[0], 77, &pt));
	assert_int_equal(users(&f, h1), 3);
	test_cmd(ops_close(f.vfio_fd[0]));
	assert_int_equal(users(&f, h1), 1);
	test_cmd(ops_destroy(f.iommufd, h1));
	lusim_close_all_fds();
}

/*
 * Automatic domains: attaching to an IOAS creates an auto HWPT, a second
 * device on the same IOAS reuses it, the last detach destroys it
 * (iommufd_device_auto_get_domain(), iommufd_hw_pagetable_put()); a manual
 * HWPT is never picked automatically. iommufd.c TEST_F(iommufd_ioas,
 * hwpt_attach) / TEST_F(iommufd_mock_domain, basic).
 */
static void test_auto_domain(void **state)
{
	struct ops_fixture f;
	uint32_t manual, a0, a1, a4;
	uint64_t iova = 0x10000;
	unsigned int nr0, nr;
	int mfd;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 0);
	ops_fixture_bind(&f, 1, 1);	/* same unit as dev 0 */
	ops_fixture_bind(&f, 2, 4);	/* other unit */

	/* an existing mapping is filled into the new domain */
	mfd = ops_test_memfd(8 * PAGE, 0x11);
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, 8 * PAGE,
				   &iova, MAP_FIXED_RW));

	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id, 0, &manual));
	test_cmd(ops_test_nr_objects(f.iommufd, &nr0));

	a0 = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &a0));
	assert_int_not_equal(a0, manual);
	assert_int_not_equal(a0, f.ioas_id);
	test_cmd(ops_test_nr_objects(f.iommufd, &nr));
	assert_int_equal(nr, nr0 + 1);
	a1 = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[1], OPS_NO_PASID, &a1));
	assert_int_equal(a1, a0);		/* reused */
	assert_int_equal(users(&f, a0), 3);
	a4 = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[2], OPS_NO_PASID, &a4));
	test_cmd(ops_test_nr_objects(f.iommufd, &nr));
	/* behind another unit: either reused or a second auto domain */
	assert_true(nr == nr0 + 1 || nr == nr0 + 2);

	/* replace an auto domain by the manual one: the auto one may go */
	a1 = manual;
	test_cmd(ops_vfio_attach(f.vfio_fd[1], OPS_NO_PASID, &a1));
	assert_int_equal(attached(&f, 1, OPS_NO_PASID), manual);
	assert_int_equal(attached(&f, 0, OPS_NO_PASID), a0);

	test_cmd(ops_vfio_detach(f.vfio_fd[0], OPS_NO_PASID));
	test_cmd(ops_vfio_detach(f.vfio_fd[2], OPS_NO_PASID));
	/* no auto domain left: the id is gone */
	test_err(ENOENT, ops_destroy(f.iommufd, a0));
	test_cmd(ops_test_nr_objects(f.iommufd, &nr));
	assert_int_equal(nr, nr0);
	/* the IOAS is still pinned by the manual HWPT */
	test_err(EBUSY, ops_destroy(f.iommufd, f.ioas_id));
	lusim_close_all_fds();
}

/* Nested HWPTs resolve to their parent: attach, pin, detach, destroy. */
static void test_nested_attach(void **state)
{
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	struct ops_fixture f;
	uint32_t parent, nested, nested_pasid, pt;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 0);
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT |
				IOMMU_HWPT_ALLOC_PASID, &parent));
	test_cmd(ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0], parent, 0,
				       IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				       &nested));
	test_cmd(ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0], parent,
				       IOMMU_HWPT_ALLOC_PASID,
				       IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				       &nested_pasid));
	assert_int_equal(users(&f, parent), 3);

	pt = nested;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	assert_int_equal(attached(&f, 0, OPS_NO_PASID), nested);
	/* a nested HWPT without IOMMU_HWPT_ALLOC_PASID is not PASID-capable */
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[0], 3, &pt));
	/* nor can a PASID go next to a RID on a non-compatible HWPT */
	pt = nested_pasid;
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[0], 3, &pt));
	/* replace RID: nested -> its parent -> the PASID-capable nested */
	pt = parent;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	pt = nested_pasid;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_vfio_attach(f.vfio_fd[0], 3, &pt));
	assert_int_equal(attached(&f, 0, 3), nested_pasid);
	test_err(EBUSY, ops_destroy(f.iommufd, nested_pasid));
	test_err(EBUSY, ops_destroy(f.iommufd, parent));
	test_cmd(ops_destroy(f.iommufd, nested));
	test_cmd(ops_vfio_detach(f.vfio_fd[0], 3));
	test_cmd(ops_vfio_detach(f.vfio_fd[0], OPS_NO_PASID));
	test_cmd(ops_destroy(f.iommufd, nested_pasid));
	assert_int_equal(users(&f, parent), 1);
	test_cmd(ops_destroy(f.iommufd, parent));
	lusim_close_all_fds();
}

/*
 * A group of two functions shares one attachment per PASID: the first
 * device attaches the domain to the group, the second follows, the HWPT
 * counts one user per device, and only the last detach detaches the group.
 */
static void test_group_shares_attach(void **state)
{
	struct ops_fixture f;
	uint32_t h, h2, pt;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 1);
	ops_fixture_bind(&f, 1, 2);
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id, 0, &h));
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id, 0, &h2));
	pt = h;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	/* the group is attached, the second device is not (yet) */
	assert_int_equal(attached(&f, 1, OPS_NO_PASID), 0);
	test_cmd(ops_vfio_attach(f.vfio_fd[1], OPS_NO_PASID, &pt));
	assert_int_equal(attached(&f, 1, OPS_NO_PASID), h);
	assert_int_equal(users(&f, h), 3);

	/* replace through one device moves the whole group */
	pt = h2;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	assert_int_equal(attached(&f, 0, OPS_NO_PASID), h2);
	assert_int_equal(attached(&f, 1, OPS_NO_PASID), h2);
	assert_int_equal(users(&f, h), 1);
	assert_int_equal(users(&f, h2), 3);

	test_cmd(ops_vfio_detach(f.vfio_fd[0], OPS_NO_PASID));
	assert_int_equal(attached(&f, 0, OPS_NO_PASID), 0);
	assert_int_equal(attached(&f, 1, OPS_NO_PASID), h2);
	assert_int_equal(users(&f, h2), 2);
	test_cmd(ops_vfio_detach(f.vfio_fd[1], OPS_NO_PASID));
	assert_int_equal(users(&f, h2), 1);
	lusim_close_all_fds();
}

/* --- fault-injection sweeps (iommufd_fail_nth.c style) ------------------- */

struct sweep_state {
	struct ops_fixture f;
	uint32_t hwpt_rid, hwpt_pasid, hwpt_other;
	int mfd;
};

/* The state every sweep iteration starts from. */
static void sweep_setup(struct sweep_state *s)
{
	uint64_t iova = 0x40000;

	ops_fixture_init(&s->f);
	ops_fixture_bind(&s->f, 0, 0);
	ops_fixture_bind(&s->f, 1, 1);
	s->mfd = ops_test_memfd(16 * PAGE, 0x77);
	test_cmd(ops_ioas_map_file(s->f.iommufd, s->f.ioas_id, s->mfd, 0,
				   16 * PAGE, &iova, MAP_FIXED_RW));
	test_cmd(ops_hwpt_alloc(s->f.iommufd, s->f.dev_id[0], s->f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &s->hwpt_pasid));
	test_cmd(ops_hwpt_alloc(s->f.iommufd, s->f.dev_id[0], s->f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &s->hwpt_other));
	s->hwpt_rid = s->hwpt_pasid;
	test_cmd(ops_vfio_attach(s->f.vfio_fd[0], OPS_NO_PASID, &s->hwpt_rid));
}

enum sweep_op {
	SWEEP_ATTACH_HWPT,	/* RID of a second device to a manual HWPT */
	SWEEP_ATTACH_AUTO,	/* RID of a second device to the IOAS */
	SWEEP_ATTACH_PASID,	/* a PASID of the first device */
	SWEEP_REPLACE,		/* the RID of the first device */
	SWEEP_MAP,		/* IOAS_MAP_FILE into an IOAS with two domains */
};

static int sweep_run(struct sweep_state *s, enum sweep_op op)
{
	uint32_t pt;

	switch (op) {
	case SWEEP_ATTACH_HWPT:
		pt = s->hwpt_other;
		return ops_vfio_attach(s->f.vfio_fd[1], OPS_NO_PASID, &pt);
	case SWEEP_ATTACH_AUTO:
		pt = s->f.ioas_id;
		return ops_vfio_attach(s->f.vfio_fd[1], OPS_NO_PASID, &pt);
	case SWEEP_ATTACH_PASID:
		pt = s->hwpt_other;
		return ops_vfio_attach(s->f.vfio_fd[0], 42, &pt);
	case SWEEP_REPLACE:
		pt = s->hwpt_other;
		return ops_vfio_attach(s->f.vfio_fd[0], OPS_NO_PASID, &pt);
	case SWEEP_MAP: {
		uint64_t iova = 0x800000;

		return ops_ioas_map_file(s->f.iommufd, s->f.ioas_id, s->mfd,
					 0, 16 * PAGE, &iova, MAP_FIXED_RW);
	}
	}
	return -EINVAL;
}

/* After a failed op nothing changed: same attachments, users, objects. */
static void sweep_check_unchanged(struct sweep_state *s, unsigned int nr0)
{
	struct ops_fixture *f = &s->f;
	unsigned int nr;

	assert_int_equal(attached(f, 0, OPS_NO_PASID), s->hwpt_rid);
	assert_int_equal(attached(f, 1, OPS_NO_PASID), 0);
	assert_int_equal(attached(f, 0, 42), 0);
	assert_int_equal(users(f, s->hwpt_pasid), 2);
	assert_int_equal(users(f, s->hwpt_other), 1);
	test_cmd(ops_test_nr_objects(f->iommufd, &nr));
	assert_int_equal(nr, nr0);
	/* no area was left behind by a failed map */
	test_err(ENOENT, ops_ioas_unmap(f->iommufd, f->ioas_id, 0x800000,
					16 * PAGE, NULL));
}

static void sweep(enum sweep_op op, enum lusim_fault_class cls)
{
	struct sweep_state s;
	unsigned long before, points, n;
	unsigned int nr0;
	int rc;

	/* iteration 0: no injection, learn how many fault points it passes */
	sweep_setup(&s);
	before = lusim_fault_count(cls);
	test_cmd(sweep_run(&s, op));
	points = lusim_fault_count(cls) - before;
	assert_int_equal(ops_machine_power_off(), 0);

	for (n = 1; n <= points; n++) {
		test_cmd(ops_machine_power_on(ops_machine_default()));
		sweep_setup(&s);
		test_cmd(ops_test_nr_objects(s.f.iommufd, &nr0));
		lusim_fail_nth(cls, n);
		rc = sweep_run(&s, op);
		lusim_fault_disarm(cls);
		if (rc) {
			sweep_check_unchanged(&s, nr0);
			/* the reservations are gone: the op works now */
			test_cmd(sweep_run(&s, op));
		}
		/* no WARN, no lock finding, no leak on the way */
		assert_no_findings();
		assert_int_equal(ops_machine_power_off(), 0);
	}
	print_message("sweep op %d class %s: %lu fault points\n", op,
		      lusim_fault_class_name(cls), points);
	test_cmd(ops_machine_power_on(ops_machine_default()));
}

static void test_fail_nth_attach(void **state)
{
	enum sweep_op op;

	(void)state;
	for (op = SWEEP_ATTACH_HWPT; op <= SWEEP_MAP; op++) {
		sweep(op, LUSIM_FAULT_SLAB);
		sweep(op, LUSIM_FAULT_PAGE);
		sweep(op, LUSIM_FAULT_DRIVER);
		/*
		 * A failed copy_to_user of the result detaches again
		 * (vfio_df_ioctl_attach_pt()'s out_detach): for an attach that
		 * restores the old state, for a replace it leaves the device
		 * detached, so replace is not swept for user copies. Neither
		 * is map: IOMMU_IOAS_MAP_FILE keeps the mapping when the copy
		 * of its result fails (-EFAULT), as in the kernel.
		 */
		if (op != SWEEP_REPLACE && op != SWEEP_MAP)
			sweep(op, LUSIM_FAULT_USER);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_attach_replace_detach),
		ops_unit_test(test_auto_domain),
		ops_unit_test(test_nested_attach),
		ops_unit_test(test_group_shares_attach),
		ops_unit_test(test_fail_nth_attach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
