// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: drivers/vfio/device_cdev.c (kernel model)
 *
 * The VFIO device character device (/dev/vfio/devices/vfioN): open makes a
 * device file that can do nothing but VFIO_DEVICE_BIND_IOMMUFD; bind opens
 * the device against an iommufd (one bind per file, one open file bound per
 * device: the cdev path cannot share a device); ATTACH/DETACH_IOMMUFD_PT
 * connect the device (or one of its PASIDs with the PASID flag) to an IOAS
 * or HWPT of that iommufd. Closing the file unbinds.
 *
 * Live update: a device preserved by the previous kernel is reached
 * through its LUO session only (open -EBUSY until its session finishes), a
 * preserved device's attachments cannot change (ATTACH/DETACH -EBUSY).
 *
 * Leaves out: the bind token (VFIO_DEVICE_BIND_FLAG_TOKEN is -EINVAL), KVM,
 * group blocking (no group path exists to block).
 */
#include <linux/err.h>
#include <linux/export.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/kconfig.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include <lusim/bugs.h>

#include "vfio.h"

void vfio_init_device_cdev(struct vfio_device *device)
{
	/* cdev_init(&device->cdev, &vfio_device_fops): the node's path */
	snprintf(device->cdev_path, sizeof(device->cdev_path),
		 "/dev/vfio/devices/vfio%u", device->index);
}

int __vfio_device_fops_cdev_open(struct vfio_device *device, struct file *filep)
{
	struct vfio_device_file *df;
	int ret;

	/* Paired with the put in vfio_device_fops_release() */
	if (!vfio_device_try_get_registration(device))
		return -ENODEV;

	df = vfio_allocate_device_file(device);
	if (IS_ERR(df)) {
		ret = PTR_ERR(df);
		goto err_put_registration;
	}

	filep->private_data = df;

	return 0;

err_put_registration:
	vfio_device_put_registration(device);
	return ret;
}
EXPORT_SYMBOL_GPL(__vfio_device_fops_cdev_open);

/* The device was preserved by the previous kernel and is not finished. */
static bool vfio_liveupdate_incoming_is_preserved(struct vfio_device *device)
{
	struct device *d = device->dev;

	if (IS_ENABLED(CONFIG_LIVEUPDATE) && dev_is_pci(d))
		return to_pci_dev(d)->liveupdate_incoming;

	return false;
}

/*
 * device access via the fd opened by this function is blocked until
 * .open_device() is called successfully during BIND_IOMMUFD.
 */
int vfio_device_fops_cdev_open(struct inode *inode, struct file *filep)
{
	/* lusim: the chrdev registration passes the device as private_data */
	struct vfio_device *device = filep->private_data;

	/*
	 * A device preserved across a live update is reached through its LUO
	 * session only (LIVEUPDATE_SESSION_RETRIEVE_FD): opening the cdev
	 * would set the device up without the preserved state.
	 */
	if (vfio_liveupdate_incoming_is_preserved(device))
		return -EBUSY;

	return __vfio_device_fops_cdev_open(device, filep);
}

long vfio_df_ioctl_bind_iommufd(struct vfio_device_file *df,
				struct vfio_device_bind_iommufd __user *arg)
{
	struct vfio_device *device = df->device;
	struct vfio_device_bind_iommufd bind;
	unsigned long minsz;
	int ret;

	BUILD_BUG_ON(!__same_type(arg->out_devid, df->devid));

	minsz = offsetofend(struct vfio_device_bind_iommufd, out_devid);

	if (copy_from_user(&bind, arg, minsz))
		return -EFAULT;

	if (bind.argsz < minsz || bind.flags || bind.iommufd < 0)
		return -EINVAL;

	/* BIND_IOMMUFD only allowed for cdev fds */
	if (df->group)
		return -EINVAL;

	mutex_lock(&device->dev_set->lock);
	/* one device cannot be bound twice */
	if (df->access_granted) {
		ret = -EINVAL;
		goto out_unlock;
	}

	df->iommufd = iommufd_ctx_from_fd(bind.iommufd);
	if (IS_ERR(df->iommufd)) {
		ret = PTR_ERR(df->iommufd);
		df->iommufd = NULL;
		goto out_unlock;
	}

	ret = vfio_df_open(df);
	if (ret)
		goto out_put_iommufd;

	ret = copy_to_user(&arg->out_devid, &df->devid,
			   sizeof(df->devid)) ? -EFAULT : 0;
	if (ret)
		goto out_close_device;

	device->cdev_opened = true;
	/*
	 * Paired with smp_load_acquire() in vfio_device_fops::ioctl/
	 * read/write/mmap
	 */
	smp_store_release(&df->access_granted, true);
	mutex_unlock(&device->dev_set->lock);
	return 0;

out_close_device:
	vfio_df_close(df);
out_put_iommufd:
	iommufd_ctx_put(df->iommufd);
	df->iommufd = NULL;
out_unlock:
	mutex_unlock(&device->dev_set->lock);
	return ret;
}

void vfio_df_unbind_iommufd(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	/*
	 * In the time of close, there is no contention with another one
	 * changing this flag.  So read df->access_granted without lock
	 * and no smp_load_acquire() is ok.
	 */
	if (!df->access_granted)
		return;

	mutex_lock(&device->dev_set->lock);
	vfio_df_close(df);
	iommufd_ctx_put(df->iommufd);
	device->cdev_opened = false;
	mutex_unlock(&device->dev_set->lock);
}

int vfio_df_ioctl_attach_pt(struct vfio_device_file *df,
			    struct vfio_device_attach_iommufd_pt __user *arg)
{
	struct vfio_device_attach_iommufd_pt attach;
	struct vfio_device *device = df->device;
	unsigned long minsz, xend = 0;
	int ret;

	minsz = offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);

	if (copy_from_user(&attach, arg, minsz))
		return -EFAULT;

	if (attach.argsz < minsz)
		return -EINVAL;

	if (attach.flags & ~VFIO_DEVICE_ATTACH_PASID)
		return -EINVAL;

	if (attach.flags & VFIO_DEVICE_ATTACH_PASID) {
		if (!device->ops->pasid_attach_ioas)
			return -EOPNOTSUPP;
		xend = offsetofend(struct vfio_device_attach_iommufd_pt, pasid);
	}

	if (xend) {
		if (attach.argsz < xend)
			return -EINVAL;

		if (copy_from_user((u8 *)&attach + minsz,
				   (u8 __user *)arg + minsz, xend - minsz))
			return -EFAULT;
	}

	mutex_lock(&device->dev_set->lock);
	/*
	 * RB-03: the attachment of a preserved device is recorded for the
	 * next kernel and must not change (v1: not checked; switch RB-03).
	 */
	if (!lusim_bug_enabled("RB-03") &&
	    iommufd_device_is_preserved(device->iommufd_device)) {
		ret = -EBUSY;
		goto out_unlock;
	}

	if (attach.flags & VFIO_DEVICE_ATTACH_PASID)
		ret = device->ops->pasid_attach_ioas(device, attach.pasid,
						     &attach.pt_id);
	else
		ret = device->ops->attach_ioas(device, &attach.pt_id);
	if (ret)
		goto out_unlock;

	if (copy_to_user(&arg->pt_id, &attach.pt_id, sizeof(attach.pt_id))) {
		ret = -EFAULT;
		goto out_detach;
	}
	mutex_unlock(&device->dev_set->lock);

	return 0;

out_detach:
	if (attach.flags & VFIO_DEVICE_ATTACH_PASID)
		device->ops->pasid_detach_ioas(device, attach.pasid);
	else
		device->ops->detach_ioas(device);
out_unlock:
	mutex_unlock(&device->dev_set->lock);
	return ret;
}

int vfio_df_ioctl_detach_pt(struct vfio_device_file *df,
			    struct vfio_device_detach_iommufd_pt __user *arg)
{
	struct vfio_device_detach_iommufd_pt detach;
	struct vfio_device *device = df->device;
	unsigned long minsz, xend = 0;

	minsz = offsetofend(struct vfio_device_detach_iommufd_pt, flags);

	if (copy_from_user(&detach, arg, minsz))
		return -EFAULT;

	if (detach.argsz < minsz)
		return -EINVAL;

	if (detach.flags & ~VFIO_DEVICE_DETACH_PASID)
		return -EINVAL;

	if (detach.flags & VFIO_DEVICE_DETACH_PASID) {
		if (!device->ops->pasid_detach_ioas)
			return -EOPNOTSUPP;
		xend = offsetofend(struct vfio_device_detach_iommufd_pt, pasid);
	}

	if (xend) {
		if (detach.argsz < xend)
			return -EINVAL;

		if (copy_from_user((u8 *)&detach + minsz,
				   (u8 __user *)arg + minsz, xend - minsz))
			return -EFAULT;
	}

	mutex_lock(&device->dev_set->lock);
	/* RB-03: see vfio_df_ioctl_attach_pt() */
	if (!lusim_bug_enabled("RB-03") &&
	    iommufd_device_is_preserved(device->iommufd_device)) {
		mutex_unlock(&device->dev_set->lock);
		return -EBUSY;
	}

	if (detach.flags & VFIO_DEVICE_DETACH_PASID)
		device->ops->pasid_detach_ioas(device, detach.pasid);
	else
		device->ops->detach_ioas(device);
	mutex_unlock(&device->dev_set->lock);

	return 0;
}
