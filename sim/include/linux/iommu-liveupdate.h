/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/iommu-liveupdate.h (kernel model): the v2 name
 *         of the IOMMU core's live-update header.
 * Models: with the v1 profile (the only one so far) it is the v1 header,
 *         <linux/iommu-lu.h>, so code written against either name compiles.
 * Leaves out: the v2+ API (iommu_preserve_domain(), iommu_device_ser, ...):
 *         a later profile would declare it here.
 */
#ifndef _LUSIM_LINUX_IOMMU_LIVEUPDATE_H
#define _LUSIM_LINUX_IOMMU_LIVEUPDATE_H

#include <linux/iommu-lu.h>

#endif /* _LUSIM_LINUX_IOMMU_LIVEUPDATE_H */
