/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lusim's test hooks into the iommufd model: what the kernel's selftests ask
 * through the IOMMUFD_TEST ioctl (IOMMU_TEST_OP_PASID_CHECK_HWPT,
 * IOMMU_TEST_OP_MD_CHECK_REFS), asked here through plain functions that the
 * op layer (sim/ops) and tests call with the iommufd file descriptor.
 * They take no locks a userspace action could not take and change nothing.
 * All return 0 or a negative errno (-EBADF/-EBADFD for a bad fd, -ENOENT
 * for a bad object id).
 */
#ifndef _LUSIM_IOMMUFD_TEST_H
#define _LUSIM_IOMMUFD_TEST_H

#include <linux/types.h>

/*
 * The id of the HWPT the device @dev_id (an iommufd device object) is
 * attached to at @pasid (IOMMU_NO_PASID for the RID), 0 if none.
 */
int lusim_iommufd_test_pasid_check_hwpt(int fd, u32 dev_id, u32 pasid,
					u32 *out_hwpt_id);
/* users, wait_cnt and type of object @id (tombstones are -ENOENT). */
int lusim_iommufd_test_obj_refs(int fd, u32 id, unsigned int *users,
				unsigned int *wait_cnt, int *type);
/* Number of live objects in the iommufd. */
int lusim_iommufd_test_nr_objects(int fd, unsigned int *nr);
/*
 * iommufd_device_attach()/_replace()/_detach() of device object @dev_id at
 * @pasid (IOMMU_TEST_OP_PASID_ATTACH/REPLACE/DETACH of the selftests).
 */
int lusim_iommufd_test_pasid_attach(int fd, u32 dev_id, u32 pasid,
				    u32 *pt_id);
int lusim_iommufd_test_pasid_replace(int fd, u32 dev_id, u32 pasid,
				     u32 *pt_id);
int lusim_iommufd_test_pasid_detach(int fd, u32 dev_id, u32 pasid);

/*
 * Live update (drivers/iommu/iommufd/liveupdate.c): the state of one
 * iommufd, for tests and oracles.
 */
struct lusim_iommufd_lu_info {
	unsigned int marked_hwpts;	/* lu_preserve set */
	unsigned int preserved_hwpts;	/* lu_preserved: domain preserved, pinned */
	unsigned int preserved_domains;	/* HWPTs whose domain has preserved_state */
	unsigned int immutable_ioas;	/* IOAS with iopt.lu_map_immutable */
	unsigned int preserved_devices;	/* idev->liveupdate_preserved */
};
int lusim_iommufd_lu_info(int fd, struct lusim_iommufd_lu_info *info);
/* The token of marked HWPT @hwpt_id: -ENOENT if not a paging HWPT, -EINVAL
 * if not marked. */
int lusim_iommufd_lu_hwpt_token(int fd, u32 hwpt_id, u32 *token);

#endif /* _LUSIM_IOMMUFD_TEST_H */
