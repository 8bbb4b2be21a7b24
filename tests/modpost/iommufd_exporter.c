// SPDX-License-Identifier: GPL-2.0-only
/*
 * modpost test: module "iommufd" exports two symbols in the IOMMUFD
 * namespace (as drivers/iommu/iommufd does) and one without a namespace.
 */
#include <linux/export.h>
#include <linux/module.h>
#include "iommufd_api.h"

int iommufd_device_bind(int dev)
{
	return dev + 1;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_bind, "IOMMUFD");

void iommufd_device_unbind(int dev)
{
	(void)dev;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_unbind, "IOMMUFD");

int iommufd_ctx_get(int fd)
{
	return fd;
}
EXPORT_SYMBOL_GPL(iommufd_ctx_get);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("modpost test exporter");
