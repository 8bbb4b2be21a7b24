/* SPDX-License-Identifier: GPL-2.0-only */
/* The "iommufd" test module's API, as vfio sees it (modpost test). */
#ifndef _MODPOST_TEST_IOMMUFD_API_H
#define _MODPOST_TEST_IOMMUFD_API_H

int iommufd_device_bind(int dev);
void iommufd_device_unbind(int dev);
int iommufd_ctx_get(int fd);

#endif
