// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: drivers/vfio/iommufd.c (kernel model)
 *
 * The glue between a VFIO device file and iommufd: bind/unbind at first
 * open/last close, and the "physical device" ops vfio-pci plugs into its
 * vfio_device_ops: bind (iommufd_device_bind), unbind (detaches every PASID
 * and the RID first), attach/detach of the RID (a second attach replaces)
 * and of PASIDs (tracked in vdev->pasids; attaching an attached PASID
 * replaces).
 */
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/module.h>
#include <linux/vfio.h>

#include "vfio.h"

MODULE_IMPORT_NS("IOMMUFD");
MODULE_IMPORT_NS("IOMMUFD_VFIO");

int vfio_df_iommufd_bind(struct vfio_device_file *df)
{
	struct vfio_device *vdev = df->device;
	struct iommufd_ctx *ictx = df->iommufd;

	lockdep_assert_held(&vdev->dev_set->lock);

	return vdev->ops->bind_iommufd(vdev, ictx, &df->devid);
}

void vfio_df_iommufd_unbind(struct vfio_device_file *df)
{
	struct vfio_device *vdev = df->device;

	lockdep_assert_held(&vdev->dev_set->lock);

	if (vdev->ops->unbind_iommufd)
		vdev->ops->unbind_iommufd(vdev);
}

struct iommufd_ctx *vfio_iommufd_device_ictx(struct vfio_device *vdev)
{
	if (vdev->iommufd_device)
		return iommufd_device_to_ictx(vdev->iommufd_device);
	return NULL;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_device_ictx);

int vfio_iommufd_get_dev_id(struct vfio_device *vdev, struct iommufd_ctx *ictx)
{
	if (vdev->iommufd_device &&
	    iommufd_device_to_ictx(vdev->iommufd_device) == ictx)
		return iommufd_device_to_id(vdev->iommufd_device);
	return -ENOENT;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_get_dev_id);

/*
 * The physical standard ops mean that the iommufd_device is bound to the
 * physical device vdev->dev that was provided to vfio_init_group_dev(). Drivers
 * using this ops set should call vfio_register_group_dev()
 */
int vfio_iommufd_physical_bind(struct vfio_device *vdev,
			       struct iommufd_ctx *ictx, u32 *out_device_id)
{
	struct iommufd_device *idev;

	lockdep_assert_held(&vdev->dev_set->lock);

	idev = iommufd_device_bind(ictx, vdev->dev, out_device_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	vdev->iommufd_device = idev;
	ida_init(&vdev->pasids);
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_bind);

/*
 * ida_find_first() of lib/idr.c: the lowest allocated id, or -ENOENT.
 * lusim's IDA keeps one xarray entry per id, so it is an xa_find().
 */
static int lusim_ida_find_first(struct ida *ida)
{
	unsigned long index = 0;

	if (!xa_find(&ida->xa, &index, UINT_MAX, XA_PRESENT))
		return -ENOENT;
	return index;
}

void vfio_iommufd_physical_unbind(struct vfio_device *vdev)
{
	int pasid;

	lockdep_assert_held(&vdev->dev_set->lock);

	while ((pasid = lusim_ida_find_first(&vdev->pasids)) >= 0) {
		iommufd_device_detach(vdev->iommufd_device, pasid);
		ida_free(&vdev->pasids, pasid);
	}

	if (vdev->iommufd_attached) {
		iommufd_device_detach(vdev->iommufd_device, IOMMU_NO_PASID);
		vdev->iommufd_attached = false;
	}
	iommufd_device_unbind(vdev->iommufd_device);
	vdev->iommufd_device = NULL;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_unbind);

int vfio_iommufd_physical_attach_ioas(struct vfio_device *vdev, u32 *pt_id)
{
	int rc;

	lockdep_assert_held(&vdev->dev_set->lock);

	if (WARN_ON(!vdev->iommufd_device))
		return -EINVAL;

	if (vdev->iommufd_attached)
		rc = iommufd_device_replace(vdev->iommufd_device,
					    IOMMU_NO_PASID, pt_id);
	else
		rc = iommufd_device_attach(vdev->iommufd_device,
					   IOMMU_NO_PASID, pt_id);
	if (rc)
		return rc;
	vdev->iommufd_attached = true;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_attach_ioas);

void vfio_iommufd_physical_detach_ioas(struct vfio_device *vdev)
{
	lockdep_assert_held(&vdev->dev_set->lock);

	if (WARN_ON(!vdev->iommufd_device) || !vdev->iommufd_attached)
		return;

	iommufd_device_detach(vdev->iommufd_device, IOMMU_NO_PASID);
	vdev->iommufd_attached = false;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_detach_ioas);

int vfio_iommufd_physical_pasid_attach_ioas(struct vfio_device *vdev,
					    u32 pasid, u32 *pt_id)
{
	int rc;

	lockdep_assert_held(&vdev->dev_set->lock);

	if (WARN_ON(!vdev->iommufd_device))
		return -EINVAL;

	if (ida_exists(&vdev->pasids, pasid))
		return iommufd_device_replace(vdev->iommufd_device,
					      pasid, pt_id);

	rc = ida_alloc_range(&vdev->pasids, pasid, pasid, GFP_KERNEL);
	if (rc < 0)
		return rc;

	rc = iommufd_device_attach(vdev->iommufd_device, pasid, pt_id);
	if (rc)
		ida_free(&vdev->pasids, pasid);

	return rc;
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_pasid_attach_ioas);

void vfio_iommufd_physical_pasid_detach_ioas(struct vfio_device *vdev,
					     u32 pasid)
{
	lockdep_assert_held(&vdev->dev_set->lock);

	if (WARN_ON(!vdev->iommufd_device))
		return;

	if (!ida_exists(&vdev->pasids, pasid))
		return;

	iommufd_device_detach(vdev->iommufd_device, pasid);
	ida_free(&vdev->pasids, pasid);
}
EXPORT_SYMBOL_GPL(vfio_iommufd_physical_pasid_detach_ioas);
