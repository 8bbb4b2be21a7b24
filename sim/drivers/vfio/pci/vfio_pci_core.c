// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: drivers/vfio/pci/vfio_pci_core.c (kernel model)
 *
 * The PCI side of a vfio device: the vfio_pci_core_device wraps the
 * pci_dev; registering it creates the VFIO device cdev; opening the device
 * enables the function, closing it disables it and, first of all, stops the
 * function's DMA by clearing bus mastering (pci_clear_master()), as the
 * kernel does in vfio_pci_core_disable().
 *
 * Leaves out: everything a real device needs beyond DMA: BARs and their
 * mmap, config space virtualisation, INTx/MSI/MSI-X, resets (reset_works
 * is only a flag), power states, SR-IOV, the device ioctls (-ENOTTY).
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

int vfio_pci_core_init_dev(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);

	vdev->pdev = to_pci_dev(core_vdev->dev);
	vdev->reset_works = true;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_init_dev);

void vfio_pci_core_release_dev(struct vfio_device *core_vdev)
{
}
EXPORT_SYMBOL_GPL(vfio_pci_core_release_dev);

int vfio_pci_core_enable(struct vfio_pci_core_device *vdev)
{
	/* pci_enable_device(), pci_save_state(): nothing to model */
	vdev->needs_reset = true;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_enable);

void vfio_pci_core_finish_enable(struct vfio_pci_core_device *vdev)
{
}
EXPORT_SYMBOL_GPL(vfio_pci_core_finish_enable);

void vfio_pci_core_disable(struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	/* Stop the device from further DMA */
	pci_clear_master(pdev);

	if (vdev->reset_works)
		vdev->needs_reset = false;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_disable);

void vfio_pci_core_close_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);

	vfio_pci_core_disable(vdev);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_close_device);

long vfio_pci_core_ioctl(struct vfio_device *core_vdev, unsigned int cmd,
			 unsigned long arg)
{
	return -ENOTTY;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_ioctl);

int vfio_pci_core_register_device(struct vfio_pci_core_device *vdev)
{
	/* Drivers must set the vfio_pci_core_device to their drvdata */
	return vfio_register_group_dev(&vdev->vdev);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_register_device);

void vfio_pci_core_unregister_device(struct vfio_pci_core_device *vdev)
{
	vfio_unregister_group_dev(&vdev->vdev);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_unregister_device);

MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("core driver for VFIO based PCI devices");
