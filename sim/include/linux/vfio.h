/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/vfio.h (kernel model)
 * Models: struct vfio_device with the fields VFIO drivers and the iommufd
 *         glue use (dev, ops, dev_set, refcount, open_count,
 *         iommufd_device, iommufd_attached, cdev_opened, pasids, index),
 *         struct vfio_device_set, struct vfio_device_ops with the iommufd
 *         ops (bind/unbind, attach/detach, PASID attach/detach), device
 *         allocation and registration, and the "physical device" iommufd
 *         helpers of drivers/vfio/iommufd.c; for live update
 *         vfio_device_from_file(), vfio_find_device() and
 *         __vfio_device_fops_cdev_open().
 * Leaves out: the group/container API, mdev and emulated (access-based)
 *         devices, regions, irqs, migration and device features, KVM.
 */
#ifndef _LUSIM_LINUX_VFIO_H
#define _LUSIM_LINUX_VFIO_H

#include <linux/types.h>
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>

struct iommufd_ctx;
struct iommufd_device;
struct file;

struct vfio_device_set {
	void *set_id;
	struct mutex lock;
	struct list_head device_list;
	unsigned int device_count;
};

struct vfio_device {
	struct device *dev;
	const struct vfio_device_ops *ops;
	/*
	 * mig_ops/log_ops is a static property of the vfio_device which must
	 * be set prior to registering the vfio_device.
	 */
	struct vfio_device_set *dev_set;
	struct list_head dev_set_list;
	unsigned int migration_flags;
	/* Members below here are private, not for driver use */
	unsigned int index;
	struct device device;	/* device.kref covers object life circle */
	refcount_t refcount;	/* user count on registered device*/
	unsigned int open_count;
	struct iommufd_device *iommufd_device;
	struct ida pasids;
	u8 iommufd_attached:1;
	u8 cdev_opened:1;
	/* lusim: the cdev node, "/dev/vfio/devices/vfioN" */
	char cdev_path[48];
	/* lusim: vfio_main.c's list of registered devices */
	struct list_head lusim_node;
};

/**
 * struct vfio_device_ops - VFIO bus driver device callbacks
 *
 * @name: Name of the device driver.
 * @init: initialize private fields in device structure
 * @release: Reclaim private fields in device structure
 * @bind_iommufd: Called when binding the device to an iommufd
 * @unbind_iommufd: Opposite of bind_iommufd
 * @attach_ioas: Called when attaching device to an IOAS/HWPT managed by the
 *		 bound iommufd. Undo in unbind_iommufd if @detach_ioas is not
 *		 called.
 * @detach_ioas: Opposite of attach_ioas
 * @pasid_attach_ioas: The pasid variation of attach_ioas
 * @pasid_detach_ioas: Opposite of pasid_attach_ioas
 * @open_device: Called when the first file descriptor is opened for this device
 * @close_device: Opposite of open_device
 * @ioctl: Perform ioctl(2) on device file descriptor, supporting VFIO_DEVICE_*
 *         operations documented below
 */
struct vfio_device_ops {
	char	*name;
	int	(*init)(struct vfio_device *vdev);
	void	(*release)(struct vfio_device *vdev);
	int	(*bind_iommufd)(struct vfio_device *vdev,
				struct iommufd_ctx *ictx, u32 *out_device_id);
	void	(*unbind_iommufd)(struct vfio_device *vdev);
	int	(*attach_ioas)(struct vfio_device *vdev, u32 *pt_id);
	void	(*detach_ioas)(struct vfio_device *vdev);
	int	(*pasid_attach_ioas)(struct vfio_device *vdev, u32 pasid,
				     u32 *pt_id);
	void	(*pasid_detach_ioas)(struct vfio_device *vdev, u32 pasid);
	int	(*open_device)(struct vfio_device *vdev);
	void	(*close_device)(struct vfio_device *vdev);
	long	(*ioctl)(struct vfio_device *vdev, unsigned int cmd,
			 unsigned long arg);
};

#ifdef CONFIG_IOMMUFD
struct iommufd_ctx *vfio_iommufd_device_ictx(struct vfio_device *vdev);
int vfio_iommufd_get_dev_id(struct vfio_device *vdev, struct iommufd_ctx *ictx);
int vfio_iommufd_physical_bind(struct vfio_device *vdev,
			       struct iommufd_ctx *ictx, u32 *out_device_id);
void vfio_iommufd_physical_unbind(struct vfio_device *vdev);
int vfio_iommufd_physical_attach_ioas(struct vfio_device *vdev, u32 *pt_id);
void vfio_iommufd_physical_detach_ioas(struct vfio_device *vdev);
int vfio_iommufd_physical_pasid_attach_ioas(struct vfio_device *vdev,
					    u32 pasid, u32 *pt_id);
void vfio_iommufd_physical_pasid_detach_ioas(struct vfio_device *vdev,
					     u32 pasid);
#endif

struct vfio_device *_vfio_alloc_device(size_t size, struct device *dev,
				       const struct vfio_device_ops *ops);
#define vfio_alloc_device(dev_struct, member, dev, ops)				\
	container_of(_vfio_alloc_device(sizeof(struct dev_struct) +		\
					BUILD_BUG_ON_ZERO(offsetof(		\
						struct dev_struct, member)),	\
					dev, ops),				\
		     struct dev_struct, member)

void vfio_put_device(struct vfio_device *device);
int vfio_register_group_dev(struct vfio_device *device);
void vfio_unregister_group_dev(struct vfio_device *device);
int vfio_assign_device_set(struct vfio_device *device, void *set_id);

/* include/linux/device/bus.h */
#ifndef _LUSIM_DEVICE_MATCH_T
#define _LUSIM_DEVICE_MATCH_T
typedef int (*device_match_t)(struct device *dev, const void *data);
#endif

/*
 * Live update of VFIO cdev files (the VFIO preservation series v2, which the
 * IOMMU series v1 builds on): the device of a VFIO device file, a search of
 * the registered devices, and the cdev open a retrieved file goes through.
 */
struct vfio_device *vfio_device_from_file(struct file *file);
struct vfio_device *vfio_find_device(const void *data, device_match_t match);
int __vfio_device_fops_cdev_open(struct vfio_device *device, struct file *filep);
unsigned int vfio_device_set_open_count(struct vfio_device_set *dev_set);

#endif /* _LUSIM_LINUX_VFIO_H */
