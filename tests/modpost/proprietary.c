// SPDX-License-Identifier: GPL-2.0-only
/*
 * modpost test: module "proprietary" declares a GPL-incompatible licence and
 * uses an EXPORT_SYMBOL_GPL symbol (it imports the namespace correctly).
 */
#include <linux/module.h>
#include "iommufd_api.h"

int proprietary_bind(int dev);

int proprietary_bind(int dev)
{
	return iommufd_device_bind(dev);
}

MODULE_IMPORT_NS("IOMMUFD");
MODULE_LICENSE("Proprietary");
