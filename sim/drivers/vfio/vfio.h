/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: drivers/vfio/vfio.h (kernel model)
 * Models: struct vfio_device_file (one per open of a device cdev: its
 *         device, access_granted once bound, the iommufd and the devid),
 *         the device open/close and iommufd bind helpers shared by
 *         vfio_main.c, device_cdev.c and iommufd.c.
 * Leaves out: groups and containers (df->group is always NULL: the model has
 *         the cdev path only), KVM, debugfs, runtime PM.
 */
#ifndef _LUSIM_DRIVERS_VFIO_VFIO_H
#define _LUSIM_DRIVERS_VFIO_VFIO_H

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sprintf.h>
#include <linux/vfio.h>
#include <uapi/linux/vfio.h>

struct iommufd_ctx;
struct vfio_group;

struct vfio_device_file {
	struct vfio_device *device;
	struct vfio_group *group;

	u8 access_granted;
	u32 devid; /* only valid when iommufd is valid */
	struct iommufd_ctx *iommufd; /* protected by struct vfio_device_set::lock */
};

void vfio_device_put_registration(struct vfio_device *device);
bool vfio_device_try_get_registration(struct vfio_device *device);
int vfio_df_open(struct vfio_device_file *df);
void vfio_df_close(struct vfio_device_file *df);
struct vfio_device_file *
vfio_allocate_device_file(struct vfio_device *device);

extern const struct file_operations vfio_device_fops;

/* drivers/vfio/iommufd.c */
int vfio_df_iommufd_bind(struct vfio_device_file *df);
void vfio_df_iommufd_unbind(struct vfio_device_file *df);

/* drivers/vfio/device_cdev.c */
void vfio_init_device_cdev(struct vfio_device *device);
int vfio_device_fops_cdev_open(struct inode *inode, struct file *filep);
long vfio_df_ioctl_bind_iommufd(struct vfio_device_file *df,
				struct vfio_device_bind_iommufd __user *arg);
void vfio_df_unbind_iommufd(struct vfio_device_file *df);
int vfio_df_ioctl_attach_pt(struct vfio_device_file *df,
			    struct vfio_device_attach_iommufd_pt __user *arg);
int vfio_df_ioctl_detach_pt(struct vfio_device_file *df,
			    struct vfio_device_detach_iommufd_pt __user *arg);
int vfio_cdev_init(void);
void vfio_cdev_cleanup(void);

static inline bool vfio_device_cdev_opened(struct vfio_device *device)
{
	return device->cdev_opened;
}

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

#endif /* _LUSIM_DRIVERS_VFIO_VFIO_H */
