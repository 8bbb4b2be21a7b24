// SPDX-License-Identifier: GPL-2.0-only
/* lusim-target: drivers/iommu/iommufd/device.c */
/*
 * The v1-era iommufd_device_preserve()/iommufd_device_unpreserve()
 * (series v1 12/14 "iommufd: Add APIs to preserve/unpreserve a vfio cdev",
 * 3 Feb 2026), written from the behaviour the review describes
 * (docs/reviewer-bugs.md, RB-01, RB-02, RB-03): our own code in kernel style,
 * with the posted mistakes:
 *
 *  - RB-01: only the IOMMU_NO_PASID slot of the attach table is looked at,
 *    so attachments at other PASIDs are silently left out;
 *  - RB-02: the "impossible" branches of unpreserve pass an errno constant
 *    to WARN_ON() (the build-time WARN-CONST-COND site list reports both)
 *    and return without iommu_unpreserve_device();
 *  - RB-03: nothing records that the device is preserved, so attach,
 *    replace and detach stay allowed after preserve.
 *
 * Used by the 'slow' test rb-override-v1 (tests/rb/test_override_v1.py):
 *   meson setup B -Dkernel_overrides=corpus/overrides/v1-iommufd-device-preserve.c
 */
#include <linux/iommu.h>
#include <linux/iommu-lu.h>
#include <linux/iommufd.h>
#include <linux/liveupdate.h>
#include <linux/module.h>

#include "iommufd_private.h"

int iommufd_device_preserve(struct liveupdate_session *s,
			    struct iommufd_device *idev,
			    u64 *tokenp)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_attach *attach;
	int ret;

	mutex_lock(&igroup->lock);
	attach = xa_load(&igroup->pasid_attach, IOMMU_NO_PASID);
	if (!attach) {
		ret = -ENOENT;
		goto out;
	}

	hwpt = attach->hwpt;
	hwpt_paging = find_hwpt_paging(hwpt);
	if (!hwpt_paging || !hwpt_paging->lu_preserve) {
		ret = -EINVAL;
		goto out;
	}

	ret = liveupdate_get_token_outgoing(s, idev->ictx->file, tokenp);
	if (ret)
		goto out;

	ret = iommu_preserve_device(hwpt_paging->common.domain, idev->dev,
				    *tokenp);
out:
	mutex_unlock(&igroup->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_preserve, "IOMMUFD");

void iommufd_device_unpreserve(struct liveupdate_session *s,
			       struct iommufd_device *idev,
			       u64 token)
{
	struct iommufd_group *igroup = idev->igroup;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_attach *attach;

	mutex_lock(&igroup->lock);
	attach = xa_load(&igroup->pasid_attach, IOMMU_NO_PASID);
	if (!attach) {
		WARN_ON(-ENOENT);
		goto out;
	}

	hwpt = attach->hwpt;
	hwpt_paging = find_hwpt_paging(hwpt);
	if (!hwpt_paging || !hwpt_paging->lu_preserve) {
		WARN_ON(-EINVAL);
		goto out;
	}

	iommu_unpreserve_device(hwpt_paging->common.domain, idev->dev);
out:
	mutex_unlock(&igroup->lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_unpreserve, "IOMMUFD");
