// SPDX-License-Identifier: GPL-2.0-only
/*
 * modpost test: module "vfio" calls iommufd's namespaced symbol without
 * MODULE_IMPORT_NS("IOMMUFD") -- reviewer bug RB-09 in miniature. It also
 * calls a symbol exported without a namespace, which needs no import.
 */
#include <linux/module.h>
#include "iommufd_api.h"

int vfio_bind_iommufd(int dev);

int vfio_bind_iommufd(int dev)
{
	return iommufd_device_bind(dev) + iommufd_ctx_get(dev);
}
