// SPDX-License-Identifier: GPL-2.0-only
/*
 * RB-09 (v1 13/14 "vfio/pci: Preserve the iommufd state of the vfio cdev",
 * Ankit Soni, 17 Feb 2026): a vfio_pci-like module that calls iommufd's
 * IOMMUFD-namespaced live-update API the way v1 did, without
 * MODULE_IMPORT_NS("IOMMUFD"). modpost must report NS-IMPORT-MISSING for
 * both symbols (tests/rb/check_rb09.py).
 */
#include <linux/module.h>
#include <linux/types.h>

struct liveupdate_session;
struct iommufd_device;

int iommufd_device_preserve(struct liveupdate_session *s,
			    struct iommufd_device *idev, u64 *tokenp);
void iommufd_device_unpreserve(struct liveupdate_session *s,
			       struct iommufd_device *idev, u64 token);

int vfio_pci_v1_preserve(struct liveupdate_session *s,
			 struct iommufd_device *idev, u64 *tokenp);
int vfio_pci_v1_preserve(struct liveupdate_session *s,
			 struct iommufd_device *idev, u64 *tokenp)
{
	int ret = iommufd_device_preserve(s, idev, tokenp);

	if (ret)
		return ret;
	iommufd_device_unpreserve(s, idev, *tokenp);
	return 0;
}

MODULE_LICENSE("GPL");
