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

struct bus_type {
	const char *name;
};

struct device_driver {
	const char *name;
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

#define dev_err(dev, fmt, ...)	pr_err("%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)	pr_warn("%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_info(dev, fmt, ...)	pr_info("%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...)	pr_debug("%s: " fmt, dev_name(dev), ##__VA_ARGS__)

#endif /* _LUSIM_LINUX_DEVICE_H */
