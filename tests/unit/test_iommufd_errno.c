// SPDX-License-Identifier: GPL-2.0-only
/*
 * The errno table of every userspace action on iommufd and the VFIO device
 * cdev, through sim/ops as a VMM issues them (kernel-model.md 7.2 items
 * 18-20). Each test names the kernel selftest it mirrors
 * (tools/testing/selftests/iommu/iommufd.c, "iommufd.c" below) where one
 * exists; the rest pin down the kernel source's errnos.
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "ops_test.h"

#define PAGE	4096UL
#define MAP_RW	(IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define MAP_FIXED_RW	(IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW)

/* user memory: the model pins fresh anonymous pages for any address */
#define BUFFER	0x7f0000000000ULL

/* iommufd.c TEST_F(iommufd, cmd_fail) */
static void test_cmd_fail(void **state)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = 0 };
	int fd = ops_iommufd_open();

	(void)state;
	assert_true(fd >= 0);
	/* object id is invalid */
	test_err(ENOENT, ops_destroy(fd, 0));
	/* Bad pointer */
	test_err(EFAULT, ops_ioctl(fd, IOMMU_DESTROY, NULL));
	/* Unknown ioctl */
	test_err(ENOTTY, ops_ioctl(fd, _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE - 1),
				   &cmd));
	/* a command the model does not implement: ENOTTY as well */
	test_err(ENOTTY, ops_ioctl(fd, _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY),
				   &cmd));
	/* a bad fd */
	test_err(EBADF, ops_destroy(1000, 1));
	test_cmd(ops_close(fd));
}

/* iommufd.c TEST_F(iommufd, cmd_length), for the commands modelled */
#define TEST_LENGTH(_struct, _ioctl, _last)					\
	do {									\
		size_t min_size = offsetofend(struct _struct, _last);		\
		struct {							\
			struct _struct cmd;					\
			uint8_t extra;						\
		} cmd = { .cmd = { .size = min_size - 1 },			\
			  .extra = UINT8_MAX };					\
		long rc;							\
										\
		test_err(EINVAL, ops_ioctl(fd, _ioctl, &cmd));			\
		cmd.cmd.size = sizeof(struct _struct) + 1;			\
		test_err(E2BIG, ops_ioctl(fd, _ioctl, &cmd));			\
		cmd.cmd.size = sizeof(struct _struct);				\
		rc = ops_ioctl(fd, _ioctl, &cmd);				\
		cmd.cmd.size = sizeof(struct _struct) + 1;			\
		cmd.extra = 0;							\
		assert_int_equal(rc, ops_ioctl(fd, _ioctl, &cmd));		\
	} while (0)

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

static void test_cmd_length(void **state)
{
	int fd = ops_iommufd_open();

	(void)state;
	TEST_LENGTH(iommu_destroy, IOMMU_DESTROY, id);
	TEST_LENGTH(iommu_hw_info, IOMMU_GET_HW_INFO, __reserved);
	TEST_LENGTH(iommu_hwpt_alloc, IOMMU_HWPT_ALLOC, __reserved);
	TEST_LENGTH(iommu_ioas_alloc, IOMMU_IOAS_ALLOC, out_ioas_id);
	TEST_LENGTH(iommu_ioas_iova_ranges, IOMMU_IOAS_IOVA_RANGES,
		    out_iova_alignment);
	TEST_LENGTH(iommu_ioas_map, IOMMU_IOAS_MAP, iova);
	TEST_LENGTH(iommu_ioas_map_file, IOMMU_IOAS_MAP_FILE, iova);
	TEST_LENGTH(iommu_ioas_unmap, IOMMU_IOAS_UNMAP, length);
	test_cmd(ops_close(fd));
}

/* iommufd.c TEST_F(iommufd, cmd_ex_fail) */
static void test_cmd_ex_fail(void **state)
{
	struct {
		struct iommu_destroy cmd;
		uint64_t future;
	} cmd = { .cmd = { .size = sizeof(cmd), .id = 0 } };
	int fd = ops_iommufd_open();

	(void)state;
	/* object id is invalid and command is longer */
	test_err(ENOENT, ops_ioctl(fd, IOMMU_DESTROY, &cmd));
	/* future area is non-zero */
	cmd.future = 1;
	test_err(E2BIG, ops_ioctl(fd, IOMMU_DESTROY, &cmd));
	/* Original command "works" */
	cmd.cmd.size = sizeof(cmd.cmd);
	test_err(ENOENT, ops_ioctl(fd, IOMMU_DESTROY, &cmd));
	/* Short command fails */
	cmd.cmd.size = sizeof(cmd.cmd) - 1;
	test_err(EINVAL, ops_ioctl(fd, IOMMU_DESTROY, &cmd));
	test_cmd(ops_close(fd));
}

/*
 * IOMMU_IOAS_ALLOC / IOMMU_DESTROY of IOAS objects: iommufd.c
 * TEST_F(iommufd_ioas, ioas_destroy) and ioas_area_destroy (no_domain and
 * mock_domain variants: an IOAS with a HWPT on it cannot be destroyed).
 */
static void test_ioas_alloc_destroy(void **state)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc), .flags = 1 };
	struct ops_fixture f;
	uint64_t iova = PAGE;
	uint32_t hwpt, ioas2;

	(void)state;
	ops_fixture_init(&f);
	test_err(EOPNOTSUPP, ops_ioctl(f.iommufd, IOMMU_IOAS_ALLOC, &alloc));

	/* no_domain: an IOAS with an area can be destroyed */
	test_cmd(ops_ioas_alloc(f.iommufd, &ioas2));
	test_cmd(ops_ioas_map(f.iommufd, ioas2, BUFFER, PAGE, &iova,
			      MAP_FIXED_RW));
	test_cmd(ops_destroy(f.iommufd, ioas2));
	/* destroyed: the id is gone */
	test_err(ENOENT, ops_destroy(f.iommufd, ioas2));

	/* with a HWPT using it: -EBUSY */
	ops_fixture_bind(&f, 0, 0);
	hwpt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &hwpt));
	assert_int_not_equal(hwpt, f.ioas_id);
	test_err(EBUSY, ops_destroy(f.iommufd, f.ioas_id));
	/* the attached (auto) HWPT is busy too */
	test_err(EBUSY, ops_destroy(f.iommufd, hwpt));
	/* and so is the device object: VFIO holds it */
	test_err(EBUSY, ops_destroy(f.iommufd, f.dev_id[0]));
	/* detach: the auto HWPT goes, then the IOAS can be destroyed */
	test_cmd(ops_vfio_detach(f.vfio_fd[0], OPS_NO_PASID));
	test_err(ENOENT, ops_destroy(f.iommufd, hwpt));
	test_cmd(ops_destroy(f.iommufd, f.ioas_id));
	lusim_close_all_fds();
}

/*
 * IOMMU_IOAS_MAP / IOMMU_IOAS_UNMAP: iommufd.c TEST_F(iommufd_ioas, area),
 * unmap_fully_contained_areas and area_auto_iova (the alignment rule).
 */
static void test_ioas_map_unmap(void **state)
{
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct ops_fixture f;
	uint64_t iova, iovas[10], base = 0x100000, len;
	int i;

	(void)state;
	ops_fixture_init(&f);

	/* bad ioas ids and a wrong object type */
	iova = base;
	test_err(ENOENT, ops_ioas_map(f.iommufd, 0, BUFFER, PAGE, &iova,
				      MAP_FIXED_RW));
	test_err(ENOENT, ops_ioas_map(f.iommufd, 99, BUFFER, PAGE, &iova,
				      MAP_FIXED_RW));
	ops_fixture_bind(&f, 0, 0);
	test_err(ENOENT, ops_ioas_map(f.iommufd, f.dev_id[0], BUFFER, PAGE,
				      &iova, MAP_FIXED_RW));
	/* flags */
	test_err(EOPNOTSUPP, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, PAGE,
					  &iova, MAP_FIXED_RW | 0x80));
	test_err(EINVAL, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, PAGE,
				      &iova, IOMMU_IOAS_MAP_FIXED_IOVA));
	map.flags = MAP_FIXED_RW;
	map.ioas_id = f.ioas_id;
	map.__reserved = 1;
	map.length = PAGE;
	map.iova = base;
	test_err(EOPNOTSUPP, ops_ioctl(f.iommufd, IOMMU_IOAS_MAP, &map));
	/* lengths and alignment */
	test_err(EINVAL, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, 0, &iova,
				      MAP_FIXED_RW));
	test_err(EINVAL, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, 100, &iova,
				      MAP_FIXED_RW));
	iova = base + 1;
	test_err(EINVAL, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, PAGE, &iova,
				      MAP_FIXED_RW));
	iova = UINT64_MAX;
	test_err(EOVERFLOW, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, PAGE,
					 &iova, MAP_FIXED_RW));
	iova = base;
	test_err(EOVERFLOW, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER,
					 UINT64_MAX, &iova, MAP_FIXED_RW));
	iova = -2 * PAGE;
	test_err(EOVERFLOW, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER,
					 4 * PAGE, &iova, MAP_FIXED_RW));

	/* Unmap fails if nothing is mapped */
	for (i = 0; i != 10; i++)
		test_err(ENOENT, ops_ioas_unmap(f.iommufd, f.ioas_id,
						base + i * PAGE, PAGE, NULL));
	test_err(EINVAL, ops_ioas_unmap(f.iommufd, f.ioas_id, base, 0, NULL));
	test_err(ENOENT, ops_ioas_unmap(f.iommufd, 99, base, PAGE, NULL));

	/* Unmap works */
	for (i = 0; i != 10; i++) {
		iova = base + i * PAGE;
		test_cmd(ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, PAGE, &iova,
				      MAP_FIXED_RW));
	}
	for (i = 0; i != 10; i++)
		test_cmd(ops_ioas_unmap(f.iommufd, f.ioas_id, base + i * PAGE,
					PAGE, NULL));

	/* Split fails */
	iova = base + 16 * PAGE;
	test_cmd(ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, 2 * PAGE, &iova,
			      MAP_FIXED_RW));
	test_err(ENOENT, ops_ioas_unmap(f.iommufd, f.ioas_id, base + 16 * PAGE,
					PAGE, NULL));
	test_err(ENOENT, ops_ioas_unmap(f.iommufd, f.ioas_id, base + 17 * PAGE,
					PAGE, NULL));

	/* Over map fails */
	iova = base + 16 * PAGE;
	test_err(EEXIST, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, 2 * PAGE,
				      &iova, MAP_FIXED_RW));
	iova = base + 17 * PAGE;
	test_err(EEXIST, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, PAGE,
				      &iova, MAP_FIXED_RW));
	iova = base + 15 * PAGE;
	test_err(EEXIST, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, 3 * PAGE,
				      &iova, MAP_FIXED_RW));

	/* unmap all works, and succeeds on an empty IOAS */
	test_cmd(ops_ioas_unmap(f.iommufd, f.ioas_id, 0, UINT64_MAX, &len));
	assert_int_equal(len, 2 * PAGE);
	test_cmd(ops_ioas_unmap(f.iommufd, f.ioas_id, 0, UINT64_MAX, &len));
	assert_int_equal(len, 0);

	/* unmap_fully_contained_areas */
	base += 4 * PAGE;
	for (i = 0; i != 4; i++) {
		iova = base + i * 16 * PAGE;
		test_cmd(ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, 8 * PAGE,
				      &iova, MAP_FIXED_RW));
	}
	test_err(ENOENT, ops_ioas_unmap(f.iommufd, f.ioas_id, base - 4 * PAGE,
					8 * PAGE, NULL));
	test_err(ENOENT, ops_ioas_unmap(f.iommufd, f.ioas_id,
					base + 3 * 16 * PAGE + 4 * PAGE,
					8 * PAGE, NULL));
	test_cmd(ops_ioas_unmap(f.iommufd, f.ioas_id, base - 4 * PAGE,
				3 * 16 * PAGE + 8 * PAGE + 4 * PAGE, &len));
	assert_int_equal(len, 32 * PAGE);

	/* area_auto_iova: the kernel aligns automatic IOVAs */
	for (i = 0; i != 10; i++) {
		uint64_t length = PAGE * (i + 1);

		test_cmd(ops_ioas_map(f.iommufd, f.ioas_id, BUFFER, length,
				      &iovas[i], MAP_RW));
		assert_int_equal(iovas[i] % (1UL << (__builtin_ffsl(length) - 1)),
				 0);
	}
	for (i = 0; i != 10; i++)
		test_cmd(ops_ioas_unmap(f.iommufd, f.ioas_id, iovas[i],
					PAGE * (i + 1), NULL));
	lusim_close_all_fds();
}

/* IOMMU_IOAS_MAP_FILE: the memfd checks of iopt_map_file_pages() */
static void test_ioas_map_file(void **state)
{
	struct ops_fixture f;
	uint64_t iova = 0x200000;
	int mfd;

	(void)state;
	ops_fixture_init(&f);
	mfd = ops_test_memfd(4 * PAGE, 0x5a);

	test_err(EBADF, ops_ioas_map_file(f.iommufd, f.ioas_id, 1000, 0, PAGE,
					  &iova, MAP_FIXED_RW));
	test_err(EBADF, ops_ioas_map_file(f.iommufd, f.ioas_id, -1, 0, PAGE,
					  &iova, MAP_FIXED_RW));
	/* not a memfd */
	test_err(EINVAL, ops_ioas_map_file(f.iommufd, f.ioas_id, f.iommufd, 0,
					   PAGE, &iova, MAP_FIXED_RW));
	/* past EOF */
	test_err(EINVAL, ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0,
					   5 * PAGE, &iova, MAP_FIXED_RW));
	test_err(EINVAL, ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 4 * PAGE,
					   PAGE, &iova, MAP_FIXED_RW));
	/* unaligned start (the model's pages are whole pages) */
	test_err(EINVAL, ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 100,
					   PAGE, &iova, MAP_FIXED_RW));
	test_err(ENOENT, ops_ioas_map_file(f.iommufd, 99, mfd, 0, PAGE, &iova,
					   MAP_FIXED_RW));
	test_err(EOPNOTSUPP, ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0,
					       PAGE, &iova, 0x100));
	test_err(EINVAL, ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, PAGE,
					   &iova, IOMMU_IOAS_MAP_FIXED_IOVA));
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, PAGE, 3 * PAGE,
				   &iova, MAP_FIXED_RW));
	/* the mapping holds the file: closing the fd is fine */
	test_cmd(ops_close(mfd));
	test_cmd(ops_ioas_unmap(f.iommufd, f.ioas_id, iova, 3 * PAGE, NULL));
	lusim_close_all_fds();
}

/* IOMMU_IOAS_IOVA_RANGES: iommufd.c TEST_F(iommufd_ioas, iova_ranges) */
static void test_iova_ranges(void **state)
{
	struct ops_fixture f;
	uint64_t ranges[8], align;
	uint32_t nr = 4, hwpt;

	(void)state;
	ops_fixture_init(&f);
	/* a fresh IOAS: the whole space */
	test_cmd(ops_ioas_iova_ranges(f.iommufd, f.ioas_id, ranges, &nr, &align));
	assert_int_equal(nr, 1);
	assert_int_equal(ranges[0], 0);
	assert_true(ranges[1] == UINT64_MAX);
	assert_int_equal(align, PAGE);
	/* attaching a device narrows it to the domain's aperture */
	ops_fixture_bind(&f, 0, 0);
	hwpt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &hwpt));
	nr = 4;
	test_cmd(ops_ioas_iova_ranges(f.iommufd, f.ioas_id, ranges, &nr, NULL));
	assert_int_equal(nr, 1);
	assert_true(ranges[1] < UINT64_MAX);
	/* too small an array: -EMSGSIZE and the count */
	nr = 0;
	test_err(EMSGSIZE, ops_ioas_iova_ranges(f.iommufd, f.ioas_id, ranges,
						&nr, NULL));
	assert_int_equal(nr, 1);
	test_err(ENOENT, ops_ioas_iova_ranges(f.iommufd, hwpt, ranges, &nr,
					      NULL));
	/* a fixed map beyond the aperture hits the reservation */
	{
		uint64_t iova = ranges[1] + 1;

		test_err(EINVAL, ops_ioas_map(f.iommufd, f.ioas_id, BUFFER,
					      PAGE, &iova, MAP_FIXED_RW));
	}
	lusim_close_all_fds();
}

/* IOMMU_HWPT_ALLOC: iommufd_hwpt_alloc() / iommufd_hwpt_paging_alloc() */
static void test_hwpt_alloc(void **state)
{
	struct iommu_hwpt_alloc cmd = { .size = sizeof(cmd) };
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	struct ops_fixture f;
	uint32_t hwpt, parent, nested, auto_hwpt;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 0);

	/* bad device id, device id of the wrong type */
	test_err(ENOENT, ops_hwpt_alloc(f.iommufd, 99, f.ioas_id, 0, &hwpt));
	test_err(ENOENT, ops_hwpt_alloc(f.iommufd, f.ioas_id, f.ioas_id, 0,
					&hwpt));
	/* bad pt id, pt id of the wrong type */
	test_err(EINVAL, ops_hwpt_alloc(f.iommufd, f.dev_id[0], 99, 0, &hwpt));
	test_err(EINVAL, ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.dev_id[0], 0,
					&hwpt));
	/* flags */
	test_err(EOPNOTSUPP, ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
					    1u << 10, &hwpt));
	test_err(EOPNOTSUPP, ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
					    IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					    &hwpt));
	test_err(EOPNOTSUPP, ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
					    IOMMU_HWPT_FAULT_ID_VALID |
					    IOMMU_HWPT_ALLOC_NEST_PARENT, &hwpt));
	/* no fault object exists for any id */
	test_err(ENOENT, ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
					IOMMU_HWPT_FAULT_ID_VALID, &hwpt));
	/* __reserved, and data_len without a data type */
	cmd.dev_id = f.dev_id[0];
	cmd.pt_id = f.ioas_id;
	cmd.__reserved = 1;
	test_err(EOPNOTSUPP, ops_ioctl(f.iommufd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.__reserved = 0;
	cmd.data_len = 8;
	test_err(EINVAL, ops_ioctl(f.iommufd, IOMMU_HWPT_ALLOC, &cmd));
	cmd.data_len = 0;
	cmd.data_type = IOMMU_HWPT_DATA_VTD_S1;
	test_err(EINVAL, ops_ioctl(f.iommufd, IOMMU_HWPT_ALLOC, &cmd));

	/* success: paging, PASID-compatible, nest parent */
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id, 0, &hwpt));
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));

	/* nested: the parent must be a nest parent, user data required */
	test_err(EINVAL, ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0], hwpt, 0,
					       IOMMU_HWPT_DATA_VTD_S1, &s1,
					       sizeof(s1), &nested));
	test_err(EOPNOTSUPP, ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0],
						   parent, 0,
						   IOMMU_HWPT_DATA_NONE, NULL,
						   0, &nested));
	test_err(EOPNOTSUPP, ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0],
						   parent,
						   IOMMU_HWPT_ALLOC_NEST_PARENT,
						   IOMMU_HWPT_DATA_VTD_S1, &s1,
						   sizeof(s1), &nested));
	test_cmd(ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0], parent, 0,
				       IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				       &nested));
	/* the parent is pinned by the nested HWPT */
	test_err(EBUSY, ops_destroy(f.iommufd, parent));
	/* a nested HWPT cannot be a parent */
	test_err(EINVAL, ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0], nested,
					       0, IOMMU_HWPT_DATA_VTD_S1, &s1,
					       sizeof(s1), &hwpt));
	test_cmd(ops_destroy(f.iommufd, nested));
	test_cmd(ops_destroy(f.iommufd, parent));

	/* an automatic domain cannot be a parent */
	auto_hwpt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &auto_hwpt));
	test_err(EINVAL, ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0],
					       auto_hwpt, 0,
					       IOMMU_HWPT_DATA_VTD_S1, &s1,
					       sizeof(s1), &nested));
	test_cmd(ops_destroy(f.iommufd, hwpt));
	lusim_close_all_fds();
}

/* VFIO_DEVICE_BIND_IOMMUFD: vfio_df_ioctl_bind_iommufd(), vfio_df_open() */
static void test_vfio_bind(void **state)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	uint32_t dev_id, pt;
	int fd, fd2, iommufd, iommufd2, mfd;

	(void)state;
	iommufd = ops_iommufd_open();
	iommufd2 = ops_iommufd_open();
	/* no vfio-pci bound yet: no cdev */
	test_err(ENOENT, ops_vfio_open(0));
	test_err(ENODEV, ops_vfio_open(100));
	test_cmd(ops_vfio_pci_bind(0));
	test_err(EBUSY, ops_vfio_pci_bind(0));
	fd = ops_vfio_open(0);
	assert_true(fd >= 0);

	/* nothing but BIND before a bind */
	pt = 1;
	test_err(EINVAL, ops_vfio_attach(fd, OPS_NO_PASID, &pt));
	test_err(EINVAL, ops_vfio_detach(fd, OPS_NO_PASID));
	test_err(EINVAL, ops_vfio_set_master(fd, true));

	/* bad arguments */
	bind.iommufd = iommufd;
	bind.argsz = 4;
	test_err(EINVAL, ops_ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	bind.argsz = sizeof(bind);
	bind.flags = VFIO_DEVICE_BIND_FLAG_TOKEN;
	test_err(EINVAL, ops_ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	test_err(EINVAL, ops_vfio_bind(fd, -1, &dev_id));
	test_err(EBADF, ops_vfio_bind(fd, 1000, &dev_id));
	mfd = ops_memfd_create("notiommufd", 0);
	test_err(EBADFD, ops_vfio_bind(fd, mfd, &dev_id));

	/* bind, then a double bind of the same file and of another file */
	test_cmd(ops_vfio_bind(fd, iommufd, &dev_id));
	test_err(EINVAL, ops_vfio_bind(fd, iommufd, &dev_id));
	fd2 = ops_vfio_open(0);
	assert_true(fd2 >= 0);
	test_err(EINVAL, ops_vfio_bind(fd2, iommufd2, &dev_id));
	/* the device is in use: vfio-pci cannot be unbound */
	test_err(EBUSY, ops_vfio_pci_unbind(0));
	test_cmd(ops_close(fd2));
	test_cmd(ops_close(fd));
	/* closed: a new file binds again, to the other iommufd */
	fd = ops_vfio_open(0);
	test_cmd(ops_vfio_bind(fd, iommufd2, &dev_id));
	test_cmd(ops_close(fd));
	test_cmd(ops_vfio_pci_unbind(0));
	test_err(ENODEV, ops_vfio_pci_unbind(0));
	lusim_close_all_fds();
}

/*
 * DMA ownership of a multi-device group: both functions of the group must
 * belong to the same iommufd (iommu_device_claim_dma_owner(): -EPERM for a
 * different owner).
 */
static void test_vfio_group_owner(void **state)
{
	uint32_t dev_id;
	int iommufd, iommufd2, fd1, fd2;

	(void)state;
	iommufd = ops_iommufd_open();
	iommufd2 = ops_iommufd_open();
	test_cmd(ops_vfio_pci_bind(1));
	test_cmd(ops_vfio_pci_bind(2));
	fd1 = ops_vfio_open(1);
	fd2 = ops_vfio_open(2);
	test_cmd(ops_vfio_bind(fd1, iommufd, &dev_id));
	test_err(EPERM, ops_vfio_bind(fd2, iommufd2, &dev_id));
	test_cmd(ops_vfio_bind(fd2, iommufd, &dev_id));
	lusim_close_all_fds();
}

/*
 * VFIO_DEVICE_ATTACH/DETACH_IOMMUFD_PT: argument checks, bad ids, wrong
 * object types, PASID beyond the device's max, PASID on a HWPT that is not
 * PASID-compatible, the group rule "one HWPT per group", and replace
 * without attach (iommufd.c TEST_F(iommufd_device_pasid, pasid_attach):
 * "replace of an unattached PASID" and "refused overwrite").
 */
static void test_attach_errno(void **state)
{
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct vfio_device_detach_iommufd_pt detach = { .argsz = sizeof(detach) };
	struct ops_fixture f;
	uint32_t pt, hwpt_pasid, hwpt_plain, hwpt_plain2, ioas2;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 3);	/* PASID-capable, 256 PASIDs */
	ops_fixture_bind(&f, 1, 1);	/* group of two, no PASID */
	ops_fixture_bind(&f, 2, 2);

	/* argsz and flags */
	attach.argsz = 4;
	test_err(EINVAL, ops_ioctl(f.vfio_fd[0], VFIO_DEVICE_ATTACH_IOMMUFD_PT,
				   &attach));
	attach.argsz = sizeof(attach);
	attach.flags = 2;
	test_err(EINVAL, ops_ioctl(f.vfio_fd[0], VFIO_DEVICE_ATTACH_IOMMUFD_PT,
				   &attach));
	attach.flags = VFIO_DEVICE_ATTACH_PASID;
	attach.argsz = offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);
	test_err(EINVAL, ops_ioctl(f.vfio_fd[0], VFIO_DEVICE_ATTACH_IOMMUFD_PT,
				   &attach));
	detach.flags = 2;
	test_err(EINVAL, ops_ioctl(f.vfio_fd[0], VFIO_DEVICE_DETACH_IOMMUFD_PT,
				   &detach));
	detach.argsz = 4;
	detach.flags = 0;
	test_err(EINVAL, ops_ioctl(f.vfio_fd[0], VFIO_DEVICE_DETACH_IOMMUFD_PT,
				   &detach));

	/* bad ids, wrong object types */
	pt = 99;
	test_err(ENOENT, ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	pt = f.dev_id[0];
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	/* detach of nothing is silent */
	test_cmd(ops_vfio_detach(f.vfio_fd[0], OPS_NO_PASID));
	test_cmd(ops_vfio_detach(f.vfio_fd[0], 5));

	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &hwpt_pasid));
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id, 0,
				&hwpt_plain));

	/* PASID beyond the device's max (256), and the last valid one */
	pt = hwpt_pasid;
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[0], 256, &pt));
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[0], 1u << 20, &pt));
	test_cmd(ops_vfio_attach(f.vfio_fd[0], 255, &pt));
	/* PASID on a HWPT that is not PASID-compatible */
	pt = hwpt_plain;
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[0], 7, &pt));
	/* a non-compatible HWPT at the RID while a PASID is attached */
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_vfio_detach(f.vfio_fd[0], 255));
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	/* and a PASID while the RID is on a non-compatible HWPT */
	pt = hwpt_pasid;
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[0], 9, &pt));
	test_cmd(ops_vfio_detach(f.vfio_fd[0], OPS_NO_PASID));

	/*
	 * The kernel API (iommufd.c TEST_F(iommufd_device_pasid, pasid_attach)):
	 * replace of an unattached PASID fails; a second attach of the same
	 * device at an attached PASID fails in xa_insert() of the device
	 * (-EBUSY) whatever the HWPT: "attach does not allow overwrite, use
	 * REPLACE instead".
	 */
	pt = hwpt_pasid;
	test_err(EINVAL, ops_test_pasid_replace(f.iommufd, f.dev_id[0], 3, &pt));
	test_err(EINVAL, ops_test_pasid_replace(f.iommufd, f.dev_id[0],
						OPS_NO_PASID, &pt));
	test_cmd(ops_test_pasid_attach(f.iommufd, f.dev_id[0], 3, &pt));
	test_err(EBUSY, ops_test_pasid_attach(f.iommufd, f.dev_id[0], 3, &pt));
	test_cmd(ops_ioas_alloc(f.iommufd, &ioas2));
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], ioas2,
				IOMMU_HWPT_ALLOC_PASID, &pt));
	test_err(EBUSY, ops_test_pasid_attach(f.iommufd, f.dev_id[0], 3, &pt));
	test_cmd(ops_test_pasid_replace(f.iommufd, f.dev_id[0], 3, &pt));
	test_cmd(ops_test_pasid_detach(f.iommufd, f.dev_id[0], 3));

	/* a group shares one HWPT: the second function cannot differ */
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[1], f.ioas_id, 0,
				&hwpt_plain2));
	pt = hwpt_plain2;
	test_cmd(ops_vfio_attach(f.vfio_fd[1], OPS_NO_PASID, &pt));
	pt = hwpt_plain;
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[2], OPS_NO_PASID, &pt));
	pt = hwpt_plain2;
	test_cmd(ops_vfio_attach(f.vfio_fd[2], OPS_NO_PASID, &pt));
	lusim_close_all_fds();
}

/*
 * A group of two PASID-capable functions: a PASID is attached per group, so
 * the second function attaching a different HWPT at an occupied PASID is
 * refused with -EINVAL (iommufd_hw_pagetable_attach(): old_hwpt != hwpt),
 * the same HWPT is shared.
 */
static const struct ops_unit_cfg pasid_group_units[] = {
	{ .reg_base = 0xfed90000 },
};
static const struct ops_dev_cfg pasid_group_devs[] = {
	{ .bus = 0, .devfn = 0x08, .max_pasids = 1u << 20, .group_tag = 7 },
	{ .bus = 0, .devfn = 0x09, .max_pasids = 1u << 20, .group_tag = 7 },
};
static const struct ops_machine_cfg pasid_group_cfg = {
	.name = "pasid-group",
	.nr_units = 1, .units = pasid_group_units,
	.nr_devs = 2, .devs = pasid_group_devs,
};

static int pasid_group_setup(void **state)
{
	return ops_test_setup_cfg(state, &pasid_group_cfg);
}

static void test_group_pasid_occupied(void **state)
{
	struct ops_fixture f;
	uint32_t h1, h2, pt;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 0);
	ops_fixture_bind(&f, 1, 1);
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &h1));
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &h2));
	pt = h1;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], 5, &pt));
	pt = h2;
	test_err(EINVAL, ops_vfio_attach(f.vfio_fd[1], 5, &pt));
	pt = h1;
	test_cmd(ops_vfio_attach(f.vfio_fd[1], 5, &pt));
	test_cmd(ops_test_pasid_check_hwpt(f.iommufd, f.dev_id[1], 5, &pt));
	assert_int_equal(pt, h1);
	/* the HWPT is held by both devices */
	test_err(EBUSY, ops_destroy(f.iommufd, h1));
	test_cmd(ops_vfio_detach(f.vfio_fd[0], 5));
	test_err(EBUSY, ops_destroy(f.iommufd, h1));
	test_cmd(ops_vfio_detach(f.vfio_fd[1], 5));
	test_cmd(ops_destroy(f.iommufd, h1));
	lusim_close_all_fds();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_cmd_fail),
		ops_unit_test(test_cmd_length),
		ops_unit_test(test_cmd_ex_fail),
		ops_unit_test(test_ioas_alloc_destroy),
		ops_unit_test(test_ioas_map_unmap),
		ops_unit_test(test_ioas_map_file),
		ops_unit_test(test_iova_ranges),
		ops_unit_test(test_hwpt_alloc),
		ops_unit_test(test_vfio_bind),
		ops_unit_test(test_vfio_group_owner),
		ops_unit_test(test_attach_errno),
		cmocka_unit_test_setup_teardown(test_group_pasid_occupied,
						pasid_group_setup,
						ops_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
