// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: drivers/vfio/pci/vfio_pci.c (kernel model)
 *
 * The vfio-pci driver: a kernel driver with driver_managed_dma (binding it
 * does not put the function on its default domain: its DMA belongs to
 * whoever binds the VFIO device to an iommufd). Probe allocates the
 * vfio_pci_core_device and registers it, which creates
 * /dev/vfio/devices/vfioN; remove unregisters and frees it. The device ops
 * are the core's plus the "physical" iommufd ops, PASID ones included.
 * Its init registers the live-update file handler of VFIO cdev files
 * (vfio_pci_liveupdate.c); its probe marks a function preserved by the
 * previous kernel (reachable through its LUO session only).
 *
 * lusim: drivers are bound through the driver core calls of the model
 * (device_driver_attach(), as writing the function's address to
 * /sys/bus/pci/drivers/vfio-pci/bind does), from lusim_vfio_pci_bind().
 * Leaves out: the ID table and dynamic IDs, SR-IOV, VGA, the module
 * parameters.
 */
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <lusim/vfio.h>

#include "vfio_pci_priv.h"

static int vfio_pci_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;

	vfio_pci_core_finish_enable(vdev);

	return 0;
}

const struct vfio_device_ops vfio_pci_ops = {
	.name		= "vfio-pci",
	.init		= vfio_pci_core_init_dev,
	.release	= vfio_pci_core_release_dev,
	.open_device	= vfio_pci_open_device,
	.close_device	= vfio_pci_core_close_device,
	.ioctl		= vfio_pci_core_ioctl,
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
	.pasid_attach_ioas	= vfio_iommufd_physical_pasid_attach_ioas,
	.pasid_detach_ioas	= vfio_iommufd_physical_pasid_detach_ioas,
};

static int vfio_pci_probe(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev;
	int ret;

	vdev = vfio_alloc_device(vfio_pci_core_device, vdev, &pdev->dev,
				 &vfio_pci_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	/* preserved by the previous kernel: reachable through its session */
	vfio_pci_liveupdate_probe(pdev);

	ret = vfio_pci_core_register_device(vdev);
	if (ret)
		goto out_put_vdev;
	return 0;

out_put_vdev:
	vfio_put_device(&vdev->vdev);
	return ret;
}

static void vfio_pci_remove(struct pci_dev *pdev)
{
	struct vfio_device *core_vdev = lusim_vfio_find_device(&pdev->dev);
	struct vfio_pci_core_device *vdev;

	if (WARN_ON(!core_vdev))
		return;
	vdev = container_of(core_vdev, struct vfio_pci_core_device, vdev);
	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static int vfio_pci_drv_probe(struct device *dev)
{
	return vfio_pci_probe(to_pci_dev(dev));
}

static void vfio_pci_drv_remove(struct device *dev)
{
	vfio_pci_remove(to_pci_dev(dev));
}

static struct device_driver vfio_pci_driver = {
	.name			= "vfio-pci",
	.driver_managed_dma	= true,
	.probe			= vfio_pci_drv_probe,
	.remove			= vfio_pci_drv_remove,
};

/* --- lusim: sysfs bind/unbind and the vfio-dev link ------------------- */

int lusim_vfio_pci_bind(u16 segment, u8 bus, u8 devfn)
{
	struct pci_dev *pdev;
	int ret;

	pdev = pci_get_domain_bus_and_slot(segment, bus, devfn);
	if (!pdev)
		return -ENODEV;
	ret = device_driver_attach(&vfio_pci_driver, &pdev->dev);
	pci_dev_put(pdev);
	return ret;
}

int lusim_vfio_pci_unbind(u16 segment, u8 bus, u8 devfn)
{
	struct vfio_device *core_vdev;
	struct pci_dev *pdev;
	int ret = 0;

	pdev = pci_get_domain_bus_and_slot(segment, bus, devfn);
	if (!pdev)
		return -ENODEV;
	if (pdev->dev.driver != &vfio_pci_driver) {
		ret = -ENODEV;
		goto out;
	}
	core_vdev = lusim_vfio_find_device(&pdev->dev);
	/*
	 * The kernel's remove blocks in vfio_unregister_group_dev() until
	 * every file of the device is closed; the model cannot wait.
	 */
	if (core_vdev && refcount_read(&core_vdev->refcount) > 1) {
		ret = -EBUSY;
		goto out;
	}
	device_release_driver(&pdev->dev);
out:
	pci_dev_put(pdev);
	return ret;
}

static int vfio_pci_unbind_one(struct device *dev, void *data)
{
	int *count = data;

	if (dev->driver != &vfio_pci_driver)
		return 0;
	device_release_driver(dev);
	(*count)++;
	return 0;
}

int lusim_vfio_pci_unbind_all(void)
{
	int count = 0;

	bus_for_each_dev(&pci_bus_type, NULL, &count, vfio_pci_unbind_one);
	return count;
}

int lusim_vfio_cdev_path(u16 segment, u8 bus, u8 devfn, char *buf,
			 size_t len)
{
	struct vfio_device *core_vdev;
	struct pci_dev *pdev;
	int ret = 0;

	pdev = pci_get_domain_bus_and_slot(segment, bus, devfn);
	if (!pdev)
		return -ENODEV;
	core_vdev = lusim_vfio_find_device(&pdev->dev);
	if (!core_vdev || pdev->dev.driver != &vfio_pci_driver)
		ret = -ENODEV;
	else if (strscpy(buf, core_vdev->cdev_path, len) < 0)
		ret = -E2BIG;
	pci_dev_put(pdev);
	return ret;
}

static int __init vfio_pci_init(void)
{
	/* the driver itself is bound through lusim_vfio_pci_bind() */
	return vfio_pci_liveupdate_init();
}
module_init(vfio_pci_init);

MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("VFIO PCI - User Level meta-driver");
