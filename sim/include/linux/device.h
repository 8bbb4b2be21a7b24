/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/device.h (kernel model)
 * Models: struct device with the fields the IOMMU code touches (iommu,
 *         iommu_group, driver, bus), dev_name(), dev_err/dev_warn/dev_info.
 * Leaves out: kobjects, the driver core's probe machinery (a device is
 *         probed by the model's bus code in drivers/pci/probe.c), devres.
 */
#ifndef _LUSIM_LINUX_DEVICE_H
#define _LUSIM_LINUX_DEVICE_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/list.h>

struct dev_iommu;
struct iommu_group;
struct device_driver;
struct device;

struct bus_type {
	const char *name;
};

struct device_driver {
	const char *name;
	/*
	 * The driver manages DMA itself (vfio-pci): binding it does not
	 * claim the default domain (iommu_device_use_default_domain()).
	 */
	bool driver_managed_dma;
	int (*probe)(struct device *dev);
	void (*remove)(struct device *dev);
	void (*shutdown)(struct device *dev);
};

struct device {
	char name[32];			/* dev_name(): "0000:00:02.0" for PCI */
	const struct bus_type *bus;
	struct device_driver *driver;	/* kernel driver bound, NULL if none */
	struct dev_iommu *iommu;	/* set by iommu probe */
	struct iommu_group *iommu_group;
	struct list_head lusim_node;	/* the model's list of all devices */
};

static inline const char *dev_name(const struct device *dev)
{
	return dev->name;
}

/*
 * drivers/base (the parts the model needs; implemented with the PCI bus in
 * drivers/pci/probe.c): iterate a bus's devices in the order they were
 * added, stopping at the first nonzero return of @fn (returned); bind a
 * kernel driver to a device (dma_configure claims the default domain
 * unless driver_managed_dma) and unbind it; device_shutdown() at kexec.
 */
int bus_for_each_dev(const struct bus_type *bus, struct device *start,
		     void *data, int (*fn)(struct device *dev, void *data));
int device_driver_attach(struct device_driver *drv, struct device *dev);
void device_release_driver(struct device *dev);
void device_shutdown(void);

#define dev_err(dev, fmt, ...)	pr_err("%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)	pr_warn("%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_info(dev, fmt, ...)	pr_info("%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...)	pr_debug("%s: " fmt, dev_name(dev), ##__VA_ARGS__)

#endif /* _LUSIM_LINUX_DEVICE_H */
