/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Knobs of the simulated VT-d driver (drivers/iommu/intel), for the machine
 * configuration, scenarios and tests.
 *
 *  - Per-unit driver quirks, keyed by the unit's register base and read
 *    when the driver brings the unit up (boot or hot-add): a unit whose
 *    driver ops lack set_dev_pasid (PASID attach then fails with
 *    -EOPNOTSUPP in the IOMMU core), or lack the live-update ops (issue 5's
 *    preserve paths then fail with -EOPNOTSUPP).  Units with the same quirks
 *    share one struct iommu_ops, so their domains are interchangeable, as
 *    with one real driver.  Machine configuration: survives kexec, cleared
 *    at power-on (lusim_reset_all()).
 *  - Scalable mode on/off (the kernel's intel_iommu=sm_on/sm_off): legacy
 *    mode on every unit when off; a unit without scalable-mode support is
 *    in legacy mode anyway.  Set before boot; survives kexec.
 *  - A test hook that makes the driver skip the IOTLB and device-TLB
 *    invalidation after an unmap (iotlb_sync), so a test can observe the
 *    stale translation the hardware keeps.  Reset at kexec and power-on.
 *  - Fault injection: every driver op that can fail (paging and nested
 *    domain allocation, attach_dev, set_dev_pasid, map_pages) is a fault
 *    point of class LUSIM_FAULT_DRIVER (<lusim/fault.h>) and fails with
 *    -ENOMEM before changing anything.
 */
#ifndef _LUSIM_INTEL_IOMMU_H
#define _LUSIM_INTEL_IOMMU_H

#include <linux/types.h>

#define LUSIM_INTEL_QUIRK_NO_SET_DEV_PASID	(1U << 0)
#define LUSIM_INTEL_QUIRK_NO_LIVEUPDATE		(1U << 1)
#define LUSIM_INTEL_QUIRK_ALL			(LUSIM_INTEL_QUIRK_NO_SET_DEV_PASID | \
						 LUSIM_INTEL_QUIRK_NO_LIVEUPDATE)

/* 0, -EINVAL (unknown quirk bits), -ENOSPC (table of units full) */
int lusim_intel_iommu_set_quirks(u64 reg_base, unsigned int quirks);
void lusim_intel_iommu_set_sm(bool on);
void lusim_intel_iommu_skip_unmap_flush(bool skip);

#endif /* _LUSIM_INTEL_IOMMU_H */
