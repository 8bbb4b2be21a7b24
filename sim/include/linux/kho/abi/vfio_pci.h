/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/kho/abi/vfio_pci.h (kernel model): what the VFIO
 *         cdev LUO file handler (drivers/vfio/pci/vfio_pci_liveupdate.c,
 *         "vfio-pci-v1", from the VFIO preservation series v2 the IOMMU
 *         series v1 builds on) hands to the next kernel for one device file,
 *         with the iommufd token IOMMU v1 13/14 adds; and lusim's stand-in
 *         for the PCI core's live-update record (the list of preserved
 *         functions), which the "PCI: liveupdate" series keeps in an FLB of
 *         its own.
 * Models: struct vfio_pci_core_device_ser (BDF, PCI segment, reset_works,
 *         the token of the device's iommufd in its session), struct
 *         pci_liveupdate_ser (lusim).
 * Leaves out: nothing of v1.  Difference on purpose (fixed): the iommufd
 *         token is a u64 as LUO tokens are; v1 stored it in a u32 and
 *         silently truncated it.
 */
#ifndef _LUSIM_LINUX_KHO_ABI_VFIO_PCI_H
#define _LUSIM_LINUX_KHO_ABI_VFIO_PCI_H

#include <linux/compiler.h>
#include <linux/mm.h>
#include <linux/types.h>

#define VFIO_PCI_LUO_FH_COMPATIBLE "vfio-pci-v1"

/**
 * struct vfio_iommufd_ser - Serialized state of the attached iommufd.
 * @token: the LUO token of the device's iommufd in the session; 0 when the
 *	   device was not attached.  v1: u32 (a token above 4G was cut).
 */
struct vfio_iommufd_ser {
	u64 token;
} __packed;

/**
 * struct vfio_pci_core_device_ser - Serialized state of a single VFIO PCI
 * device.
 * @bdf: PCI_DEVID(bus, devfn)
 * @domain: the PCI segment
 * @reset_works: the device can be reset
 * @iommufd_ser: the iommufd the device was attached through
 */
struct vfio_pci_core_device_ser {
	u16 bdf;
	u16 domain;
	u8 reset_works;
	struct vfio_iommufd_ser iommufd_ser;
} __packed;

/*
 * lusim: the PCI core's live-update FLB ("pci-liveupdate-v1"), linked to the
 * vfio-pci handler: one preserved page listing the functions whose VFIO
 * file is preserved.  The next kernel marks them pdev->liveupdate_incoming
 * until their session finishes.
 */
#define PCI_LUO_FLB_COMPATIBLE "pci-liveupdate-v1"

struct pci_liveupdate_dev_ser {
	u32 domain;
	u16 bdf;
	u16 reserved;
} __packed;

struct pci_liveupdate_ser {
	u64 nr_devices;
	struct pci_liveupdate_dev_ser devices[];
} __packed;

#define PCI_LIVEUPDATE_MAX_DEVICES \
	((PAGE_SIZE - sizeof(struct pci_liveupdate_ser)) / \
	 sizeof(struct pci_liveupdate_dev_ser))

#endif /* _LUSIM_LINUX_KHO_ABI_VFIO_PCI_H */
