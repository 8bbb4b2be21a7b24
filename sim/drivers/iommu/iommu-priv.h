/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Model of drivers/iommu/iommu-priv.h: the IOMMU core's internal API shared
 * with iommufd ("IOMMUFD_INTERNAL").  In the model those declarations live
 * in <linux/iommu.h> (the lead's API header); this file exists so code that
 * includes "../iommu-priv.h", as the kernel's iommufd does, compiles
 * unmodified.
 */
#ifndef __LINUX_IOMMU_PRIV_H
#define __LINUX_IOMMU_PRIV_H

#include <linux/iommu.h>

void *iommu_group_get_iommudata(struct iommu_group *group);
void iommu_group_set_iommudata(struct iommu_group *group, void *iommu_data,
			       void (*release)(void *iommu_data));

#endif /* __LINUX_IOMMU_PRIV_H */
