/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/kho/abi/iommufd.h (kernel model), the IOMMU
 *         live-update series v1 (3 Feb 2026), patch 11/14.
 * Models: what the iommufd LUO file handler ("iommufd-v1") hands to the next
 *         kernel for one preserved iommufd: the number of preserved HWPTs
 *         and, per HWPT, the user's token, the physical address of its
 *         domain's record in the IOMMU FLB (struct iommu_domain_ser) and a
 *         "reclaimed" flag for the (phase 2) restore.  One
 *         kho_alloc_preserve() block; LUO's serialized_data is its phys.
 * Leaves out: nothing of v1.  The v2 layout (u64 token, iommufd_ser with a
 *         hwpts array of its own) belongs to a later profile.
 */
#ifndef _LUSIM_LINUX_KHO_ABI_IOMMUFD_H
#define _LUSIM_LINUX_KHO_ABI_IOMMUFD_H

#include <linux/compiler.h>
#include <linux/types.h>

/**
 * DOC: IOMMUFD Live Update ABI
 *
 * The serialized structs below are a contract between the kernel that
 * preserves an iommufd and the kernel that restores it.  Changing any of
 * them is a breaking change and needs a new IOMMUFD_LUO_COMPATIBLE string.
 */
#define IOMMUFD_LUO_COMPATIBLE "iommufd-v1"

/* One preserved HWPT. */
struct iommufd_hwpt_lu {
	u32 token;		/* IOMMU_HWPT_LU_SET_PRESERVE's hwpt_token */
	u64 domain_data;	/* phys of the domain's struct iommu_domain_ser */
	bool reclaimed;		/* new kernel: restored into a HWPT (phase 2) */
} __packed;

/* The handler's serialized_data points here. */
struct iommufd_lu {
	unsigned int nr_hwpts;
	struct iommufd_hwpt_lu hwpts[];
};

#endif /* _LUSIM_LINUX_KHO_ABI_IOMMUFD_H */
