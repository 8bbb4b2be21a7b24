/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/vfio_pci_core.h (kernel model)
 * Models: struct vfio_pci_core_device (the vfio_device of a PCI function,
 *         with pdev and reset_works), the core's init/release/register/
 *         unregister and enable/disable (open and close of the device:
 *         closing stops the function's DMA by clearing bus mastering).
 * Leaves out: BARs, config space virtualisation, interrupts, resets beyond
 *         the flag, power management, SR-IOV, variant drivers.
 */
#ifndef _LUSIM_LINUX_VFIO_PCI_CORE_H
#define _LUSIM_LINUX_VFIO_PCI_CORE_H

#include <linux/pci.h>
#include <linux/vfio.h>

struct vfio_pci_core_device {
	struct vfio_device vdev;
	struct pci_dev *pdev;
	bool reset_works;
	bool needs_reset;
};

int vfio_pci_core_init_dev(struct vfio_device *core_vdev);
void vfio_pci_core_release_dev(struct vfio_device *core_vdev);
int vfio_pci_core_register_device(struct vfio_pci_core_device *vdev);
void vfio_pci_core_unregister_device(struct vfio_pci_core_device *vdev);
int vfio_pci_core_enable(struct vfio_pci_core_device *vdev);
void vfio_pci_core_disable(struct vfio_pci_core_device *vdev);
void vfio_pci_core_finish_enable(struct vfio_pci_core_device *vdev);
void vfio_pci_core_close_device(struct vfio_device *core_vdev);
long vfio_pci_core_ioctl(struct vfio_device *core_vdev, unsigned int cmd,
			 unsigned long arg);

#endif /* _LUSIM_LINUX_VFIO_PCI_CORE_H */
