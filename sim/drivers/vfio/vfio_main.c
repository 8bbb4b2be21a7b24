// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: drivers/vfio/vfio_main.c (kernel model)
 *
 * VFIO core: device allocation (an index from vfio.device_ida), device sets
 * and their lock, registration (the device's cdev appears at
 * /dev/vfio/devices/vfioN), the registration refcount an open file holds,
 * device open/close (the first open binds the device to the iommufd and
 * calls the driver's open_device, the last close undoes it), and the
 * device file's ioctl dispatcher: VFIO_DEVICE_BIND_IOMMUFD first, then
 * nothing but -EINVAL until the file is bound, then the cdev-only
 * ATTACH/DETACH_IOMMUFD_PT, then the driver's ioctl.
 *
 * Leaves out: groups and containers, KVM, runtime PM, debugfs, migration and
 * device features. vfio_unregister_group_dev() does not wait for open files
 * (the kernel blocks until userspace closes them): the model's driver unbind
 * refuses instead while the device is open (see vfio_pci.c).
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kconfig.h>
#include <linux/iommufd.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <lusim/reset.h>
#include <lusim/vfio.h>

#include "vfio.h"

static struct vfio {
	struct ida device_ida;
	/* lusim: the device sets (the kernel keys an xarray by set_id) */
	struct list_head device_sets;
	/* lusim: registered devices, in registration order */
	struct list_head devices;
} vfio = {
	.device_ida = IDA_INIT(vfio.device_ida),
	.device_sets = LIST_HEAD_INIT(vfio.device_sets),
	.devices = LIST_HEAD_INIT(vfio.devices),
};

struct lusim_vfio_set_entry {
	struct list_head node;
	struct vfio_device_set *dev_set;
};

/*
 * Device sets: every vfio_device belongs to one, and the set's lock
 * serialises open/close/bind/attach of all devices in the set (devices that
 * must be reset together).
 */
int vfio_assign_device_set(struct vfio_device *device, void *set_id)
{
	struct lusim_vfio_set_entry *entry;
	struct vfio_device_set *dev_set = NULL;

	if (WARN_ON(!set_id))
		return -EINVAL;

	list_for_each_entry(entry, &vfio.device_sets, node) {
		if (entry->dev_set->set_id == set_id) {
			dev_set = entry->dev_set;
			break;
		}
	}
	if (!dev_set) {
		entry = kzalloc(sizeof(*entry), GFP_KERNEL);
		if (!entry)
			return -ENOMEM;
		dev_set = kzalloc(sizeof(*dev_set), GFP_KERNEL);
		if (!dev_set) {
			kfree(entry);
			return -ENOMEM;
		}
		mutex_init(&dev_set->lock);
		INIT_LIST_HEAD(&dev_set->device_list);
		dev_set->set_id = set_id;
		entry->dev_set = dev_set;
		list_add_tail(&entry->node, &vfio.device_sets);
	}

	mutex_lock(&dev_set->lock);
	device->dev_set = dev_set;
	list_add_tail(&device->dev_set_list, &dev_set->device_list);
	dev_set->device_count++;
	mutex_unlock(&dev_set->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_assign_device_set);

static void vfio_release_device_set(struct vfio_device *device)
{
	struct vfio_device_set *dev_set = device->dev_set;
	struct lusim_vfio_set_entry *entry;

	if (!dev_set)
		return;

	mutex_lock(&dev_set->lock);
	list_del(&device->dev_set_list);
	mutex_unlock(&dev_set->lock);

	if (!--dev_set->device_count) {
		list_for_each_entry(entry, &vfio.device_sets, node) {
			if (entry->dev_set == dev_set) {
				list_del(&entry->node);
				kfree(entry);
				break;
			}
		}
		mutex_destroy(&dev_set->lock);
		kfree(dev_set);
	}
	device->dev_set = NULL;
}

unsigned int vfio_device_set_open_count(struct vfio_device_set *dev_set)
{
	struct vfio_device *cur;
	unsigned int open_count = 0;

	lockdep_assert_held(&dev_set->lock);

	list_for_each_entry(cur, &dev_set->device_list, dev_set_list)
		open_count += cur->open_count;
	return open_count;
}
EXPORT_SYMBOL_GPL(vfio_device_set_open_count);

/*
 * Device objects - create, release, get, put, search
 */
/* Device reference always implies a group reference */
void vfio_device_put_registration(struct vfio_device *device)
{
	/* lusim: the kernel completes device->comp for the unregister wait */
	if (refcount_dec_and_test(&device->refcount))
		return;
}

bool vfio_device_try_get_registration(struct vfio_device *device)
{
	return refcount_inc_not_zero(&device->refcount);
}

/*
 * VFIO driver API
 */
static int vfio_init_device(struct vfio_device *device, struct device *dev,
			    const struct vfio_device_ops *ops)
{
	int ret;

	ret = ida_alloc(&vfio.device_ida, GFP_KERNEL);
	if (ret < 0)
		return ret;

	device->index = ret;
	device->dev = dev;
	device->ops = ops;
	INIT_LIST_HEAD(&device->lusim_node);
	snprintf(device->device.name, sizeof(device->device.name), "vfio%u",
		 device->index);

	if (ops->init) {
		ret = ops->init(device);
		if (ret)
			goto out_uninit;
	}
	return 0;

out_uninit:
	ida_free(&vfio.device_ida, device->index);
	return ret;
}

/*
 * Allocate and initialize vfio_device so it can be registered to vfio
 * core.
 *
 * Drivers should use the wrapper vfio_alloc_device() for allocation.
 * @size is the size of the structure to be allocated, including any
 * private data used by the driver.
 *
 * Driver may provide an @init callback to cover device private data.
 *
 * Use vfio_put_device() to release the structure after success return.
 */
struct vfio_device *_vfio_alloc_device(size_t size, struct device *dev,
				       const struct vfio_device_ops *ops)
{
	struct vfio_device *device;
	int ret;

	if (WARN_ON(size < sizeof(struct vfio_device)))
		return ERR_PTR(-EINVAL);

	device = kvzalloc(size, GFP_KERNEL);
	if (!device)
		return ERR_PTR(-ENOMEM);

	ret = vfio_init_device(device, dev, ops);
	if (ret)
		goto out_free;
	return device;

out_free:
	kvfree(device);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(_vfio_alloc_device);

/* The last put of device->device: vfio_device_release() */
void vfio_put_device(struct vfio_device *device)
{
	if (device->ops->release)
		device->ops->release(device);
	ida_free(&vfio.device_ida, device->index);
	kvfree(device);
}
EXPORT_SYMBOL_GPL(vfio_put_device);

static int __vfio_register_dev(struct vfio_device *device)
{
	int ret;

	if (WARN_ON(IS_ENABLED(CONFIG_IOMMUFD) &&
		    (!device->ops->bind_iommufd ||
		     !device->ops->unbind_iommufd ||
		     !device->ops->attach_ioas ||
		     !device->ops->detach_ioas)))
		return -EINVAL;

	/*
	 * If the driver doesn't specify a set then the device is added to a
	 * singleton set just for itself.
	 */
	if (!device->dev_set) {
		ret = vfio_assign_device_set(device, device);
		if (ret)
			return ret;
	}

	/* The model has no no-iommu mode: a device must be behind an IOMMU */
	if (!device->dev->iommu_group) {
		ret = -EINVAL;
		goto err_out;
	}

	vfio_init_device_cdev(device);

	/* cdev_device_add(&device->cdev, &device->device) */
	ret = lusim_register_chrdev(device->cdev_path, &vfio_device_fops,
				    device);
	if (ret)
		goto err_out;

	/* Refcounting can't start until the driver calls register */
	refcount_set(&device->refcount, 1);
	list_add_tail(&device->lusim_node, &vfio.devices);
	return 0;

err_out:
	vfio_release_device_set(device);
	return ret;
}

int vfio_register_group_dev(struct vfio_device *device)
{
	return __vfio_register_dev(device);
}
EXPORT_SYMBOL_GPL(vfio_register_group_dev);

/*
 * Decrement the device reference count and wait for the device to be
 * removed.  Open file descriptors for the device... (lusim: the caller made
 * sure none are left, see vfio_pci.c).
 */
void vfio_unregister_group_dev(struct vfio_device *device)
{
	/*
	 * Prevent new device opened by userspace via the
	 * VFIO_GROUP_GET_DEVICE_FD in the group path.
	 */
	lusim_unregister_chrdev(device->cdev_path);

	vfio_device_put_registration(device);
	WARN_ON(refcount_read(&device->refcount));

	list_del_init(&device->lusim_node);
	vfio_release_device_set(device);
}
EXPORT_SYMBOL_GPL(vfio_unregister_group_dev);

/* true if the vfio_device is opened: open_count > 0 */
static bool vfio_assert_device_open(struct vfio_device *device)
{
	return !WARN_ON_ONCE(!READ_ONCE(device->open_count));
}

struct vfio_device_file *
vfio_allocate_device_file(struct vfio_device *device)
{
	struct vfio_device_file *df;

	df = kzalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);
	if (!df)
		return ERR_PTR(-ENOMEM);

	df->device = device;

	return df;
}

static int vfio_df_device_first_open(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;
	struct iommufd_ctx *iommufd = df->iommufd;
	int ret;

	lockdep_assert_held(&device->dev_set->lock);

	if (!try_module_get(THIS_MODULE))
		return -ENODEV;

	if (iommufd)
		ret = vfio_df_iommufd_bind(df);
	else
		ret = -EINVAL;	/* lusim: no group path */
	if (ret)
		goto err_module_put;

	if (device->ops->open_device) {
		ret = device->ops->open_device(device);
		if (ret)
			goto err_unuse_iommu;
	}
	return 0;

err_unuse_iommu:
	if (iommufd)
		vfio_df_iommufd_unbind(df);
err_module_put:
	module_put(THIS_MODULE);
	return ret;
}

static void vfio_df_device_last_close(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;
	struct iommufd_ctx *iommufd = df->iommufd;

	lockdep_assert_held(&device->dev_set->lock);

	if (device->ops->close_device)
		device->ops->close_device(device);
	if (iommufd)
		vfio_df_iommufd_unbind(df);
	module_put(THIS_MODULE);
}

int vfio_df_open(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;
	int ret = 0;

	lockdep_assert_held(&device->dev_set->lock);

	/*
	 * Only the group path allows the device to be opened multiple
	 * times.  The device cdev path doesn't have a secure way for it.
	 */
	if (device->open_count != 0 && !df->group)
		return -EINVAL;

	device->open_count++;
	if (device->open_count == 1) {
		ret = vfio_df_device_first_open(df);
		if (ret)
			device->open_count--;
	}

	return ret;
}

void vfio_df_close(struct vfio_device_file *df)
{
	struct vfio_device *device = df->device;

	lockdep_assert_held(&device->dev_set->lock);

	if (!vfio_assert_device_open(device))
		return;
	if (device->open_count == 1)
		vfio_df_device_last_close(df);
	device->open_count--;
}

/*
 * VFIO Device fd
 */
static int vfio_device_fops_release(struct inode *inode, struct file *filep)
{
	struct vfio_device_file *df = filep->private_data;
	struct vfio_device *device;

	/* an anonymous file whose __vfio_device_fops_cdev_open() failed */
	if (!df)
		return 0;
	device = df->device;

	vfio_df_unbind_iommufd(df);

	vfio_device_put_registration(device);

	kfree(df);

	return 0;
}

static long vfio_device_fops_unl_ioctl(struct file *filep,
				       unsigned int cmd, unsigned long arg)
{
	struct vfio_device_file *df = filep->private_data;
	struct vfio_device *device = df->device;
	void __user *uptr = (void __user *)arg;
	int ret;

	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return vfio_df_ioctl_bind_iommufd(df, uptr);

	/* Paired with smp_store_release() following vfio_df_open() */
	if (!smp_load_acquire(&df->access_granted))
		return -EINVAL;

	/* cdev only ioctls */
	if (!df->group) {
		switch (cmd) {
		case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
			return vfio_df_ioctl_attach_pt(df, uptr);
		case VFIO_DEVICE_DETACH_IOMMUFD_PT:
			return vfio_df_ioctl_detach_pt(df, uptr);
		}
	}

	if (unlikely(!device->ops->ioctl))
		ret = -EINVAL;
	else
		ret = device->ops->ioctl(device, cmd, arg);
	return ret;
}

const struct file_operations vfio_device_fops = {
	.name		= "vfio-device",
	.open		= vfio_device_fops_cdev_open,
	.release	= vfio_device_fops_release,
	.unlocked_ioctl	= vfio_device_fops_unl_ioctl,
};
/* vfio-pci's live update makes device files of its own (VFIO v2 06/21) */
EXPORT_SYMBOL_GPL(vfio_device_fops);

/**
 * vfio_device_from_file - the VFIO device of a VFIO device file
 * @file: any file
 *
 * Return: the device, or NULL if @file is not a VFIO device file.
 */
struct vfio_device *vfio_device_from_file(struct file *file)
{
	struct vfio_device_file *df = file->private_data;

	if (file->f_op != &vfio_device_fops || !df)
		return NULL;
	return df->device;
}
EXPORT_SYMBOL_GPL(vfio_device_from_file);

/**
 * vfio_find_device - the first registered VFIO device @match accepts
 * @data: passed to @match
 * @match: called with each registered device's class device
 *	   (&vfio_device->device), in registration order
 *
 * lusim: class_find_device() over the vfio class takes a reference on the
 * device the caller drops with put_device(); the model's devices have no
 * class-device refcount, so none is taken (nothing unregisters a device
 * concurrently).
 */
struct vfio_device *vfio_find_device(const void *data, device_match_t match)
{
	struct vfio_device *device;

	list_for_each_entry(device, &vfio.devices, lusim_node)
		if (match(&device->device, data))
			return device;
	return NULL;
}
EXPORT_SYMBOL_GPL(vfio_find_device);

/*
 * lusim: a write of PCI_COMMAND_MASTER through the device file's config
 * region (vfio_pci_config_rw() in the kernel), which is how a VMM's guest
 * driver turns on DMA.
 */
int lusim_vfio_pci_set_master(int fd, bool enable)
{
	struct vfio_device_file *df;
	struct file *file;
	int ret = 0;

	file = fd < 0 ? NULL : fget(fd);
	if (!file)
		return -EBADF;
	if (file->f_op != &vfio_device_fops) {
		ret = -EINVAL;
		goto out;
	}
	df = file->private_data;
	if (!smp_load_acquire(&df->access_granted) ||
	    !dev_is_pci(df->device->dev)) {
		ret = -EINVAL;
		goto out;
	}
	if (enable)
		pci_set_master(to_pci_dev(df->device->dev));
	else
		pci_clear_master(to_pci_dev(df->device->dev));
out:
	fput(file);
	return ret;
}

/* lusim: the registered vfio_device of @dev, or NULL (drvdata lookups) */
struct vfio_device *lusim_vfio_find_device(struct device *dev)
{
	struct vfio_device *device;

	list_for_each_entry(device, &vfio.devices, lusim_node)
		if (device->dev == dev)
			return device;
	return NULL;
}

/*
 * Kernel state: a kexec or power-off forgets every device (their memory
 * goes with the old kernel's slab) and the index allocator starts over.
 * The allocator's nodes are forgotten with the rest of the old kernel's
 * slab, not freed: ida_destroy() here would hand them to RCU, and the
 * callbacks would run after the slab forgot them (a double free at the
 * first rcu_barrier() of the new kernel).
 */
static void vfio_reset(void)
{
	ida_init(&vfio.device_ida);
	INIT_LIST_HEAD(&vfio.device_sets);
	INIT_LIST_HEAD(&vfio.devices);
}
LUSIM_RESET_FN(vfio_reset, LUSIM_RESET_PRIO_MODEL)

MODULE_IMPORT_NS("IOMMUFD");
MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("VFIO - User Level meta-driver");
