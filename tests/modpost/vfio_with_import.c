// SPDX-License-Identifier: GPL-2.0-only
/* modpost test: module "vfio_good" imports the namespace it uses. */
#include <linux/module.h>
#include "iommufd_api.h"

int vfio_good_bind(int dev);

int vfio_good_bind(int dev)
{
	int ret = iommufd_device_bind(dev);

	iommufd_device_unbind(dev);
	return ret;
}

MODULE_IMPORT_NS("IOMMUFD");
MODULE_LICENSE("GPL v2");
