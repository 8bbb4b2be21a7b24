// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lock order of the iommufd/VFIO/memfd model under lockdep-lite
 * (kernel-model.md 4.6): every userspace path runs with no lock finding and
 * no lock held at the end of an op; and taking igroup->lock then
 * ioas->mutex, the reverse of the auto-domain attach path's order
 * (ioas->mutex -> igroup->lock), is reported as LOCK-ORDER-CYCLE.
 */
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>

/*
 * The test reaches into iommufd's objects, as a kernel selftest module
 * would. Kernel-model headers are written for the kernel's flags
 * (-Wno-unused-parameter), not for the tests' -Wextra.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "../../sim/drivers/iommu/iommufd/iommufd_private.h"
#pragma GCC diagnostic pop

#include "ops_test.h"

#define PAGE	4096UL
#define MAP_FIXED_RW	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | \
			 IOMMU_IOAS_MAP_WRITEABLE)

/* After every op: no lock may be held (LOCK-HELD-AT-OP-END otherwise). */
#define OP(expr)							\
	do {								\
		long __rc = (expr);					\
									\
		if (__rc)						\
			lusim_findings_print(NULL);			\
		assert_int_equal(0, __rc);				\
		lockdep_assert_none_held(#expr);			\
	} while (0)
#define OP_ERR(err, expr)						\
	do {								\
		test_err(err, expr);					\
		lockdep_assert_none_held(#expr);			\
	} while (0)

static void test_all_paths_clean(void **state)
{
	struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = 0x1000, .addr_width = 48 };
	struct ops_fixture f;
	uint32_t h_pasid, h_pasid5, h_parent, h_nested, pt, ioas2;
	uint64_t iova = 0x100000, iova2 = 0, ranges[4];
	unsigned char buf[64];
	uint32_t nr = 2;
	uint8_t pasid_log2;
	int mfd;

	(void)state;
	ops_fixture_init(&f);
	lockdep_assert_none_held("init");
	mfd = ops_memfd_create("lock", MFD_ALLOW_SEALING);
	OP(ops_ftruncate(mfd, 16 * PAGE));
	assert_int_equal(ops_pwrite(mfd, "x", 1, 0), 1);
	OP(ops_fallocate(mfd, 0, 0, 4 * PAGE));
	OP(ops_memfd_add_seals(mfd, F_SEAL_SHRINK | F_SEAL_GROW));

	ops_fixture_bind(&f, 0, 0);
	ops_fixture_bind(&f, 1, 1);
	ops_fixture_bind(&f, 2, 2);
	ops_fixture_bind(&f, 3, 5);
	OP(ops_get_hw_info(f.iommufd, f.dev_id[0], &pasid_log2, NULL));
	assert_int_equal(pasid_log2, 20);

	OP(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, 16 * PAGE, &iova,
			     MAP_FIXED_RW));
	OP(ops_ioas_map(f.iommufd, f.ioas_id, 0x7f0000000000ULL, 4 * PAGE,
			&iova2, IOMMU_IOAS_MAP_READABLE));
	OP(ops_ioas_iova_ranges(f.iommufd, f.ioas_id, ranges, &nr, NULL));
	/* the auto-domain path: ioas->mutex -> igroup->lock -> group->mutex */
	pt = f.ioas_id;
	OP(ops_vfio_attach(f.vfio_fd[1], OPS_NO_PASID, &pt));
	OP(ops_vfio_attach(f.vfio_fd[2], OPS_NO_PASID, &pt));
	OP(ops_dma(2, OPS_NO_PASID, iova, buf, sizeof(buf), false, NULL));
	/* manual HWPTs, PASIDs, replace, nested */
	OP(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
			  IOMMU_HWPT_ALLOC_PASID, &h_pasid));
	OP(ops_hwpt_alloc(f.iommufd, f.dev_id[3], f.ioas_id,
			  IOMMU_HWPT_ALLOC_PASID, &h_pasid5));
	OP(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
			  IOMMU_HWPT_ALLOC_NEST_PARENT, &h_parent));
	OP(ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0], h_parent, 0,
				 IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				 &h_nested));
	pt = h_nested;
	OP(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	pt = h_pasid;
	OP(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));	/* replace */
	OP(ops_vfio_attach(f.vfio_fd[0], 9, &pt));
	pt = h_pasid5;
	OP(ops_vfio_attach(f.vfio_fd[3], OPS_NO_PASID, &pt));
	OP(ops_vfio_attach(f.vfio_fd[3], 9, &pt));
	/* an auto domain is not PASID-compatible: refused next to PASID 9 */
	pt = f.ioas_id;
	OP_ERR(EINVAL, ops_vfio_attach(f.vfio_fd[3], OPS_NO_PASID, &pt));
	OP(ops_dma(0, 9, iova, buf, sizeof(buf), true, NULL));
	/* map and unmap with domains attached */
	OP(ops_ioas_unmap(f.iommufd, f.ioas_id, iova2, 4 * PAGE, NULL));
	OP(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
			  IOMMU_HWPT_ALLOC_PASID, &pt));
	OP(ops_test_pasid_replace(f.iommufd, f.dev_id[0], 9, &pt));
	OP(ops_test_pasid_detach(f.iommufd, f.dev_id[0], 9));
	/* failures unwind their locks too */
	pt = 99;
	OP_ERR(ENOENT, ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	OP_ERR(EBUSY, ops_destroy(f.iommufd, f.ioas_id));
	OP_ERR(EBUSY, ops_memfd_add_seals(mfd, F_SEAL_WRITE));
	/* a second IOAS, destroyed with mappings */
	OP(ops_ioas_alloc(f.iommufd, &ioas2));
	iova2 = 0;
	OP(ops_ioas_map_file(f.iommufd, ioas2, mfd, 0, PAGE, &iova2,
			     IOMMU_IOAS_MAP_READABLE));
	OP(ops_destroy(f.iommufd, ioas2));
	/* detaches, destroys, closes in a mixed order */
	OP(ops_vfio_detach(f.vfio_fd[0], 9));
	OP(ops_vfio_detach(f.vfio_fd[1], OPS_NO_PASID));
	OP(ops_destroy(f.iommufd, h_nested));
	OP(ops_close(f.iommufd));
	OP(ops_close(f.vfio_fd[3]));
	OP(ops_close(mfd));
	lusim_close_all_fds();
	lockdep_assert_none_held("end");
	assert_no_findings();
}

/*
 * The wrong order on purpose: after the attach path recorded
 * ioas->mutex -> igroup->lock, take igroup->lock then ioas->mutex.
 */
static void test_wrong_order_trips(void **state)
{
	struct iommufd_object *dobj, *iobj;
	struct iommufd_device *idev;
	struct iommufd_ioas *ioas;
	struct iommufd_ctx *ictx;
	struct ops_fixture f;
	uint32_t pt;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 0);
	pt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	assert_no_findings();

	ictx = iommufd_ctx_from_fd(f.iommufd);
	assert_false(IS_ERR(ictx));
	dobj = iommufd_get_object(ictx, f.dev_id[0], IOMMUFD_OBJ_DEVICE);
	iobj = iommufd_get_object(ictx, f.ioas_id, IOMMUFD_OBJ_IOAS);
	assert_false(IS_ERR(dobj));
	assert_false(IS_ERR(iobj));
	idev = container_of(dobj, struct iommufd_device, obj);
	ioas = container_of(iobj, struct iommufd_ioas, obj);

	mutex_lock(&idev->igroup->lock);
	mutex_lock(&ioas->mutex);
	mutex_unlock(&ioas->mutex);
	mutex_unlock(&idev->igroup->lock);
	assert_finding("LOCK-ORDER-CYCLE");

	iommufd_put_object(ictx, iobj);
	iommufd_put_object(ictx, dobj);
	iommufd_ctx_put(ictx);
	lusim_findings_clear();
	lusim_close_all_fds();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_all_paths_clean),
		ops_unit_test(test_wrong_order_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
