// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: drivers/iommu/iommufd/main.c (kernel model)
 *
 * iommufd provides control over the IOMMU HW objects created by IOMMU kernel
 * drivers. IOMMU HW objects revolve around IO page tables that map incoming DMA
 * addresses (IOVA) to CPU addresses.
 *
 * Models: the object table of an iommufd file (ids from 1, users/wait_cnt,
 * abort/finalize, remove with -EBUSY while other users exist, tombstones),
 * the ioctl dispatcher with the kernel's size rules, open/release of
 * /dev/iommu (release destroys leaf objects first, repeatedly), the ctx
 * get/put API exported to VFIO, IOMMU_HWPT_LU_SET_PRESERVE and the
 * registration of the iommufd LUO file handler at init (liveupdate.c).
 * Leaves out: the ioctls the model does not implement (they return
 * -ENOTTY), /dev/vfio/vfio and the type1 compatibility layer, rlimit
 * accounting, the IOMMUFD_TEST selftest ioctl (lusim's test hooks are plain
 * functions at the end of this file).
 */
#define pr_fmt(fmt) "iommufd: " fmt

#include <linux/bug.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/ioctl.h>
#include <linux/kconfig.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include <lusim/bugs.h>
#include <lusim/iommufd_test.h>

#include "io_pagetable.h"
#include "iommufd_private.h"

struct iommufd_object_ops {
	void (*pre_destroy)(struct iommufd_object *obj);
	void (*destroy)(struct iommufd_object *obj);
	void (*abort)(struct iommufd_object *obj);
};
static const struct iommufd_object_ops iommufd_object_ops[];
static const struct file_operations iommufd_fops;

struct iommufd_object *_iommufd_object_alloc(struct iommufd_ctx *ictx,
					     size_t size,
					     enum iommufd_object_type type)
{
	struct iommufd_object *obj;
	int rc;

	obj = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	/* Starts out bias'd by 1 until it is removed from the xarray */
	refcount_set(&obj->wait_cnt, 1);
	refcount_set(&obj->users, 1);

	/*
	 * Reserve an ID in the xarray but do not publish the pointer yet since
	 * the caller hasn't initialized it yet. Once the pointer is published
	 * in the xarray and visible to other threads we can't reliably destroy
	 * it anymore, so the caller must complete all errorable operations
	 * before calling iommufd_object_finalize().
	 */
	rc = xa_alloc(&ictx->objects, &obj->id, XA_ZERO_ENTRY, xa_limit_31b,
		      GFP_KERNEL_ACCOUNT);
	if (rc)
		goto out_free;
	return obj;
out_free:
	kfree(obj);
	return ERR_PTR(rc);
}

/*
 * Allow concurrent access to the object.
 *
 * Once another thread can see the object pointer it can prevent object
 * destruction. Expect for special kernel-only objects there is no in-kernel way
 * to reliably destroy a single object. Thus all APIs that are creating objects
 * must use iommufd_object_abort() to handle their errors and only call
 * iommufd_object_finalize() once object creation cannot fail.
 */
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj)
{
	void *old;

	old = xa_store(&ictx->objects, obj->id, obj, GFP_KERNEL);
	/* obj->id was returned from xa_alloc() so the xa_store() cannot fail */
	WARN_ON(old != NULL);
}

/* Undo _iommufd_object_alloc() if iommufd_object_finalize() was not called */
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	void *old;

	old = xa_erase(&ictx->objects, obj->id);
	/* a reserved (zero) entry reads back as NULL */
	WARN_ON(old != NULL);
	kfree(obj);
}

/*
 * Abort an object that has been fully initialized and needs destroy, but has
 * not been finalized.
 */
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	const struct iommufd_object_ops *ops = &iommufd_object_ops[obj->type];

	if (ops->pre_destroy)
		ops->pre_destroy(obj);
	if (ops->abort)
		ops->abort(obj);
	else
		ops->destroy(obj);
	iommufd_object_abort(ictx, obj);
}

struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (!obj || (type != IOMMUFD_OBJ_ANY && obj->type != type) ||
	    !iommufd_lock_obj(obj))
		obj = ERR_PTR(-ENOENT);
	xa_unlock(&ictx->objects);
	return obj;
}

static int iommufd_object_dec_wait(struct iommufd_ctx *ictx,
				   struct iommufd_object *to_destroy)
{
	if (refcount_dec_and_test(&to_destroy->wait_cnt))
		return 0;

	/*
	 * lusim: the kernel sleeps on ctx->destroy_wait for up to 10 s here.
	 * Nothing runs concurrently in the model, so nobody could drop the
	 * count: the wait times out at once.
	 */
	pr_crit("Time out waiting for iommufd object to become free\n");
	refcount_inc(&to_destroy->wait_cnt);
	return -EBUSY;
}

/*
 * Remove the given object id from the xarray if the only reference to the
 * object is held by the xarray.
 */
int iommufd_object_remove(struct iommufd_ctx *ictx,
			  struct iommufd_object *to_destroy, u32 id,
			  unsigned int flags)
{
	struct iommufd_object *obj;
	bool zerod_wait_cnt = false;
	int ret;

	/*
	 * The purpose of the wait_cnt is to ensure deterministic destruction
	 * of objects used by external drivers and destroyed by this function.
	 * Incrementing this wait_cnt should either be short lived, such as
	 * during ioctl execution, or be revoked and blocked during
	 * pre_destroy(), such as vdev holding the idev's refcount.
	 */
	if (flags & REMOVE_WAIT) {
		ret = iommufd_object_dec_wait(ictx, to_destroy);
		if (ret) {
			/*
			 * We have a bug. Put back the callers reference and
			 * defer cleaning this object until close.
			 */
			refcount_dec(&to_destroy->users);
			return ret;
		}
		zerod_wait_cnt = true;
	}

	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (to_destroy) {
		/*
		 * If the caller is holding a ref on obj we put it here under
		 * the spinlock.
		 */
		refcount_dec(&to_destroy->users);

		if (WARN_ON(obj != to_destroy)) {
			ret = -ENOENT;
			goto err_xa;
		}
	} else if (!obj) {
		/* xa_load() reads a tombstone (zero entry) as NULL */
		ret = -ENOENT;
		goto err_xa;
	}

	if (!refcount_dec_if_one(&obj->users)) {
		ret = -EBUSY;
		goto err_xa;
	}

	if (flags & REMOVE_OBJ_TOMBSTONE) {
		if (xa_is_err(__xa_store(&ictx->objects, id, XA_ZERO_ENTRY,
					 GFP_ATOMIC)))
			WARN_ON(true);
	} else {
		__xa_erase(&ictx->objects, id);
	}
	if (ictx->vfio_ioas == container_of(obj, struct iommufd_ioas, obj))
		ictx->vfio_ioas = NULL;
	xa_unlock(&ictx->objects);

	/*
	 * Since users is zero any positive wait_cnt must be racing
	 * iommufd_put_object(), or we have a bug.
	 */
	if (!zerod_wait_cnt) {
		ret = iommufd_object_dec_wait(ictx, obj);
		if (WARN_ON(ret)) {
			refcount_dec(&obj->wait_cnt);
			return ret;
		}
	}

	if (iommufd_object_ops[obj->type].pre_destroy)
		iommufd_object_ops[obj->type].pre_destroy(obj);
	iommufd_object_ops[obj->type].destroy(obj);
	kfree(obj);
	return 0;

err_xa:
	if (zerod_wait_cnt) {
		/* Restore the xarray owned reference */
		refcount_set(&obj->wait_cnt, 1);
	}
	xa_unlock(&ictx->objects);

	/* The returned object reference count is zero */
	return ret;
}

static int iommufd_destroy(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return iommufd_object_remove(ucmd->ictx, NULL, cmd->id, 0);
}

static int iommufd_fops_open(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx;

	ictx = kzalloc(sizeof(*ictx), GFP_KERNEL_ACCOUNT);
	if (!ictx)
		return -ENOMEM;

	init_rwsem(&ictx->ioas_creation_lock);
	xa_init_flags(&ictx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	xa_init(&ictx->groups);
	ictx->file = filp;
	filp->private_data = ictx;
	return 0;
}

static int iommufd_fops_release(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx = filp->private_data;
	struct iommufd_object *obj;

	/*
	 * The objects in the xarray form a graph of "users" counts, and we have
	 * to destroy them in a depth first manner. Leaf objects will reduce the
	 * users count of interior objects when they are destroyed.
	 *
	 * Repeatedly destroying all the "1 users" leaf objects will progress
	 * until the entire list is destroyed. If this can't progress then there
	 * is some bug related to object refcounting.
	 */
	while (!xa_empty(&ictx->objects)) {
		unsigned int destroyed = 0;
		unsigned long index;
		bool empty = true;

		/*
		 * We can't use xa_empty() to end the loop as the tombstones
		 * are stored as XA_ZERO_ENTRY in the xarray. However
		 * xa_for_each() automatically converts them to NULL and skips
		 * them causing xa_empty() to be kept false. Thus once
		 * xa_for_each() finds no further !NULL entries the loop is
		 * done.
		 */
		xa_for_each(&ictx->objects, index, obj) {
			empty = false;
			if (!refcount_dec_if_one(&obj->users))
				continue;

			destroyed++;
			xa_erase(&ictx->objects, index);
			if (iommufd_object_ops[obj->type].pre_destroy)
				iommufd_object_ops[obj->type].pre_destroy(obj);
			iommufd_object_ops[obj->type].destroy(obj);
			kfree(obj);
		}

		if (empty)
			break;

		/* Bug related to users refcount */
		if (WARN_ON(!destroyed))
			break;
	}

	/*
	 * There may be some tombstones left over from
	 * iommufd_object_tombstone_user()
	 */
	xa_destroy(&ictx->objects);

	WARN_ON(!xa_empty(&ictx->groups));

	kfree(ictx);
	return 0;
}

union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_hw_info info;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_unmap unmap;
	struct iommu_hwpt_lu_set_preserve lu_set_preserve;
};

struct iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct iommufd_ucmd *ucmd);
};

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))
#endif

#define IOCTL_OP(_ioctl, _fn, _struct, _last)                                  \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {                               \
		.size = sizeof(_struct) +                                      \
			BUILD_BUG_ON_ZERO(sizeof(union ucmd_buffer) <          \
					  sizeof(_struct)),                    \
		.min_size = offsetofend(_struct, _last),                       \
		.ioctl_num = _ioctl,                                           \
		.execute = _fn,                                                \
	}
static const struct iommufd_ioctl_op iommufd_ioctl_ops[] = {
	IOCTL_OP(IOMMU_DESTROY, iommufd_destroy, struct iommu_destroy, id),
	IOCTL_OP(IOMMU_GET_HW_INFO, iommufd_get_hw_info, struct iommu_hw_info,
		 __reserved),
	IOCTL_OP(IOMMU_HWPT_ALLOC, iommufd_hwpt_alloc, struct iommu_hwpt_alloc,
		 __reserved),
	IOCTL_OP(IOMMU_IOAS_ALLOC, iommufd_ioas_alloc_ioctl,
		 struct iommu_ioas_alloc, out_ioas_id),
	IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges,
		 struct iommu_ioas_iova_ranges, out_iova_alignment),
	IOCTL_OP(IOMMU_IOAS_MAP, iommufd_ioas_map, struct iommu_ioas_map,
		 iova),
	IOCTL_OP(IOMMU_IOAS_MAP_FILE, iommufd_ioas_map_file,
		 struct iommu_ioas_map_file, iova),
	IOCTL_OP(IOMMU_IOAS_UNMAP, iommufd_ioas_unmap, struct iommu_ioas_unmap,
		 length),
	IOCTL_OP(IOMMU_HWPT_LU_SET_PRESERVE, iommufd_hwpt_lu_set_preserve,
		 struct iommu_hwpt_lu_set_preserve, hwpt_token),
};

static long iommufd_fops_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	struct iommufd_ctx *ictx = filp->private_data;
	const struct iommufd_ioctl_op *op;
	struct iommufd_ucmd ucmd = {};
	union ucmd_buffer buf;
	unsigned int nr;
	int ret;

	nr = _IOC_NR(cmd);
	if (nr < IOMMUFD_CMD_BASE ||
	    (nr - IOMMUFD_CMD_BASE) >= ARRAY_SIZE(iommufd_ioctl_ops))
		return -ENOIOCTLCMD;	/* the kernel tries the VFIO compat ioctls */

	ucmd.ictx = ictx;
	ucmd.ubuffer = (void __user *)arg;
	ret = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (ret)
		return ret;

	op = &iommufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	if (op->ioctl_num != cmd)
		return -ENOIOCTLCMD;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	ret = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (ret)
		return ret;
	ret = op->execute(&ucmd);
	return ret;
}

static const struct file_operations iommufd_fops = {
	.name = "iommufd",
	.open = iommufd_fops_open,
	.release = iommufd_fops_release,
	.unlocked_ioctl = iommufd_fops_ioctl,
};

/**
 * iommufd_ctx_get - Get a context reference
 * @ictx: Context to get
 *
 * The caller must already hold a valid reference to ictx.
 */
void iommufd_ctx_get(struct iommufd_ctx *ictx)
{
	get_file(ictx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_get, "IOMMUFD");

/**
 * iommufd_ctx_from_file - Acquires a reference to the iommufd context
 * @file: File to obtain the reference from
 *
 * Returns a pointer to the iommufd_ctx, otherwise ERR_PTR. The struct file
 * remains owned by the caller and the caller must still do fput. On success
 * the caller is responsible to call iommufd_ctx_put().
 */
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	struct iommufd_ctx *ictx;

	if (file->f_op != &iommufd_fops)
		return ERR_PTR(-EBADFD);
	ictx = file->private_data;
	iommufd_ctx_get(ictx);
	return ictx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_file, "IOMMUFD");

/**
 * iommufd_ctx_from_fd - Acquires a reference to the iommufd context
 * @fd: File descriptor to obtain the reference from
 *
 * Returns a pointer to the iommufd_ctx, otherwise ERR_PTR. On success
 * the caller is responsible to call iommufd_ctx_put().
 */
struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	struct file *file;

	if (fd < 0)
		return ERR_PTR(-EBADF);
	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);

	if (file->f_op != &iommufd_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	/* fget is the same as iommufd_ctx_get() */
	return file->private_data;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_fd, "IOMMUFD");

/**
 * iommufd_ctx_put - Put back a reference
 * @ictx: Context to put back
 */
void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
	fput(ictx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_put, "IOMMUFD");

static const struct iommufd_object_ops iommufd_object_ops[] = {
	[IOMMUFD_OBJ_DEVICE] = {
		.pre_destroy = iommufd_device_pre_destroy,
		.destroy = iommufd_device_destroy,
	},
	[IOMMUFD_OBJ_IOAS] = {
		.destroy = iommufd_ioas_destroy,
	},
	[IOMMUFD_OBJ_HWPT_PAGING] = {
		.destroy = iommufd_hwpt_paging_destroy,
		.abort = iommufd_hwpt_paging_abort,
	},
	[IOMMUFD_OBJ_HWPT_NESTED] = {
		.destroy = iommufd_hwpt_nested_destroy,
		.abort = iommufd_hwpt_nested_abort,
	},
};

static int __init iommufd_init(void)
{
	int ret;

	/* misc_register(&iommu_misc_dev): the node is /dev/iommu */
	ret = lusim_register_chrdev("/dev/iommu", &iommufd_fops, NULL);
	if (ret)
		return ret;

	if (IS_ENABLED(CONFIG_IOMMU_LIVEUPDATE)) {
		ret = iommufd_liveupdate_register_lufs();
		/*
		 * v1: any error failed iommufd_init(), so a kernel booted with
		 * live update off ("liveupdate=off": -EOPNOTSUPP) had no
		 * iommufd at all.  Live update off only means no handler.
		 */
		if (ret == -EOPNOTSUPP)
			ret = 0;
		if (ret)
			goto err_misc;
	}
	return 0;

err_misc:
	lusim_unregister_chrdev("/dev/iommu");
	return ret;
}

static void __exit iommufd_exit(void)
{
	if (IS_ENABLED(CONFIG_IOMMU_LIVEUPDATE))
		iommufd_liveupdate_unregister_lufs();
	lusim_unregister_chrdev("/dev/iommu");
}

module_init(iommufd_init);
module_exit(iommufd_exit);

MODULE_IMPORT_NS("IOMMUFD_INTERNAL");
MODULE_IMPORT_NS("IOMMUFD");
MODULE_DESCRIPTION("I/O Address Space Management for passthrough devices");
MODULE_LICENSE("GPL");

/* --- lusim test hooks (the kernel's IOMMUFD_TEST ioctls play this role) --- */

static struct iommufd_ctx *lusim_iommufd_ctx_get_fd(int fd)
{
	return iommufd_ctx_from_fd(fd);
}

int lusim_iommufd_test_pasid_check_hwpt(int fd, u32 dev_id, u32 pasid,
					u32 *out_hwpt_id)
{
	struct iommufd_ctx *ictx = lusim_iommufd_ctx_get_fd(fd);
	struct iommufd_object *obj;
	struct iommufd_device *idev;
	struct iommufd_hw_pagetable *hwpt;
	int rc = 0;

	if (IS_ERR(ictx))
		return PTR_ERR(ictx);
	obj = iommufd_get_object(ictx, dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_ctx;
	}
	idev = container_of(obj, struct iommufd_device, obj);
	hwpt = lusim_iommufd_device_attached_hwpt(idev, pasid);
	*out_hwpt_id = hwpt ? hwpt->obj.id : 0;
	iommufd_put_object(ictx, obj);
out_ctx:
	iommufd_ctx_put(ictx);
	return rc;
}

int lusim_iommufd_test_obj_refs(int fd, u32 id, unsigned int *users,
				unsigned int *wait_cnt, int *type)
{
	struct iommufd_ctx *ictx = lusim_iommufd_ctx_get_fd(fd);
	struct iommufd_object *obj;
	int rc = 0;

	if (IS_ERR(ictx))
		return PTR_ERR(ictx);
	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (!obj) {
		rc = -ENOENT;
	} else {
		*users = refcount_read(&obj->users);
		*wait_cnt = refcount_read(&obj->wait_cnt);
		*type = obj->type;
	}
	xa_unlock(&ictx->objects);
	iommufd_ctx_put(ictx);
	return rc;
}

int lusim_iommufd_test_nr_objects(int fd, unsigned int *nr)
{
	struct iommufd_ctx *ictx = lusim_iommufd_ctx_get_fd(fd);
	struct iommufd_object *obj;
	unsigned long index;

	if (IS_ERR(ictx))
		return PTR_ERR(ictx);
	*nr = 0;
	xa_for_each(&ictx->objects, index, obj)
		(*nr)++;
	iommufd_ctx_put(ictx);
	return 0;
}

enum lusim_test_pasid_op { TEST_ATTACH, TEST_REPLACE, TEST_DETACH };

/*
 * The PASIDs the test hooks attached. The hooks stand for a kernel user of
 * iommufd_device_attach() next to the driver that bound the device (the
 * kernel's selftest objects): they own these attachments and release them
 * when the device is unbound (lusim_iommufd_test_unbind(), called by
 * iommufd_device_unbind()), as the selftest's object destroy does; the
 * driver (VFIO) only releases its own.
 */
#define LUSIM_TEST_PASIDS 64
static struct lusim_test_pasid {
	struct iommufd_device *idev;
	u32 pasid;
} lusim_test_pasids[LUSIM_TEST_PASIDS];

static struct lusim_test_pasid *lusim_test_pasid_find(struct iommufd_device *idev,
						      u32 pasid)
{
	for (int i = 0; i < LUSIM_TEST_PASIDS; i++)
		if (lusim_test_pasids[i].idev == idev &&
		    lusim_test_pasids[i].pasid == pasid)
			return &lusim_test_pasids[i];
	return NULL;
}

void lusim_iommufd_test_unbind(struct iommufd_device *idev)
{
	for (int i = 0; i < LUSIM_TEST_PASIDS; i++) {
		if (lusim_test_pasids[i].idev != idev)
			continue;
		iommufd_device_detach(idev, lusim_test_pasids[i].pasid);
		lusim_test_pasids[i].idev = NULL;
	}
}

static void lusim_test_pasids_reset(void)
{
	memset(lusim_test_pasids, 0, sizeof(lusim_test_pasids));
}
LUSIM_RESET_FN(lusim_test_pasids_reset, LUSIM_RESET_PRIO_MODEL)

static int lusim_iommufd_test_pasid_op(int fd, u32 dev_id, u32 pasid,
				       u32 *pt_id, enum lusim_test_pasid_op op)
{
	struct iommufd_ctx *ictx = lusim_iommufd_ctx_get_fd(fd);
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	int rc = 0;

	if (IS_ERR(ictx))
		return PTR_ERR(ictx);
	/*
	 * The RID belongs to the driver that bound the device (VFIO tracks
	 * its own attach and detaches it at unbind); the attach hook, like
	 * the kernel's IOMMU_TEST_OP_PASID_ATTACH, reaches only PASIDs. An
	 * attach at the RID behind VFIO's back would leave the idev attached
	 * at unbind (iommufd_object_destroy_user() WARNs).
	 */
	if (op == TEST_ATTACH && pasid == IOMMU_NO_PASID) {
		rc = -EINVAL;
		goto out_ctx;
	}
	obj = iommufd_get_object(ictx, dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_ctx;
	}
	idev = container_of(obj, struct iommufd_device, obj);
	switch (op) {
	case TEST_ATTACH: {
		struct lusim_test_pasid *slot = lusim_test_pasid_find(NULL, 0);

		if (!slot) {
			rc = -ENOSPC;
			break;
		}
		rc = iommufd_device_attach(idev, pasid, pt_id);
		if (!rc && !lusim_test_pasid_find(idev, pasid)) {
			slot->idev = idev;
			slot->pasid = pasid;
		}
		break;
	}
	case TEST_REPLACE:
		rc = iommufd_device_replace(idev, pasid, pt_id);
		break;
	case TEST_DETACH:
		/* lusim: the VFIO detach ioctl's -EBUSY (RB-03), made visible */
		if (!lusim_bug_enabled("RB-03") &&
		    iommufd_device_is_preserved(idev))
			rc = -EBUSY;
		else {
			struct lusim_test_pasid *t =
				lusim_test_pasid_find(idev, pasid);

			/*
			 * Only a device attached at @pasid, as VFIO detaches
			 * only what it attached (vdev->iommufd_attached): the
			 * kernel's iommufd_device_detach() trusts its caller,
			 * and for a device that is not attached (a group
			 * sibling of one that is) it detaches the group and
			 * puts a reference the caller never had (fuzz_ops:
			 * REFCOUNT-DEC-LEAK, then a use after free).
			 */
			if (!lusim_iommufd_device_attached_hwpt(idev, pasid)) {
				rc = -ENOENT;
				break;
			}
			iommufd_device_detach(idev, pasid);
			if (t)
				t->idev = NULL;
		}
		break;
	}
	iommufd_put_object(ictx, obj);
out_ctx:
	iommufd_ctx_put(ictx);
	return rc;
}

int lusim_iommufd_test_pasid_attach(int fd, u32 dev_id, u32 pasid,
				    u32 *pt_id)
{
	return lusim_iommufd_test_pasid_op(fd, dev_id, pasid, pt_id,
					   TEST_ATTACH);
}

int lusim_iommufd_test_pasid_replace(int fd, u32 dev_id, u32 pasid,
				     u32 *pt_id)
{
	return lusim_iommufd_test_pasid_op(fd, dev_id, pasid, pt_id,
					   TEST_REPLACE);
}

int lusim_iommufd_test_pasid_detach(int fd, u32 dev_id, u32 pasid)
{
	return lusim_iommufd_test_pasid_op(fd, dev_id, pasid, NULL,
					   TEST_DETACH);
}
