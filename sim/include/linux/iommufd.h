/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/iommufd.h (kernel model)
 * Models: the object header every iommufd object embeds (struct
 *         iommufd_object with users/wait_cnt, enum iommufd_object_type),
 *         and the API iommufd exports in the "IOMMUFD" symbol namespace to
 *         VFIO: device bind/unbind, attach/replace/detach per PASID, ctx
 *         get/put/from_file/from_fd, iommufd_ctx_has_group,
 *         iommufd_device_to_ictx/_to_id, and the live-update API of the
 *         IOMMU series v1 (12/14) used by the VFIO cdev's LUO handler:
 *         iommufd_device_preserve()/_unpreserve(), plus the later
 *         iommufd_device_is_preserved().
 * Leaves out: iommufd_access (emulated devices), viommu/vdevice/veventq/hw
 *         queue driver APIs, the VFIO type1 compatibility calls
 *         (iommufd_vfio_compat_*): the model has VFIO's cdev path only.
 */
#ifndef _LUSIM_LINUX_IOMMUFD_H
#define _LUSIM_LINUX_IOMMUFD_H

#include <linux/types.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/refcount.h>

struct device;
struct file;
struct iommu_group;
struct iommufd_ctx;
struct iommufd_device;
struct iommufd_access;
struct liveupdate_session;

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_HWPT_NESTED,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_ACCESS,
	IOMMUFD_OBJ_FAULT,
	IOMMUFD_OBJ_VIOMMU,
	IOMMUFD_OBJ_VDEVICE,
	IOMMUFD_OBJ_VEVENTQ,
	IOMMUFD_OBJ_HW_QUEUE,
	IOMMUFD_OBJ_MAX,
};

/* Base struct for all objects with a userspace ID handle. */
struct iommufd_object {
	/*
	 * Destroy will sleep and wait for wait_cnt to go to zero. This allows
	 * concurrent users of the ID to reliably avoid causing a spurious
	 * destroy failure. Incrementing this count should either be short
	 * lived or be revoked and blocked during pre_destroy().
	 */
	refcount_t wait_cnt;
	refcount_t users;
	enum iommufd_object_type type;
	unsigned int id;
};

#ifdef CONFIG_IOMMUFD
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct device *dev, u32 *id);
void iommufd_device_unbind(struct iommufd_device *idev);

int iommufd_device_attach(struct iommufd_device *idev, ioasid_t pasid,
			  u32 *pt_id);
int iommufd_device_replace(struct iommufd_device *idev, ioasid_t pasid,
			   u32 *pt_id);
void iommufd_device_detach(struct iommufd_device *idev, ioasid_t pasid);

struct iommufd_ctx *iommufd_device_to_ictx(struct iommufd_device *idev);
u32 iommufd_device_to_id(struct iommufd_device *idev);

void iommufd_ctx_get(struct iommufd_ctx *ictx);
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file);
struct iommufd_ctx *iommufd_ctx_from_fd(int fd);
void iommufd_ctx_put(struct iommufd_ctx *ictx);
bool iommufd_ctx_has_group(struct iommufd_ctx *ictx,
			   struct iommu_group *group);
#else
static inline struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
}
#endif /* CONFIG_IOMMUFD */

#if defined(CONFIG_IOMMUFD) && defined(CONFIG_IOMMU_LIVEUPDATE)
int iommufd_device_preserve(struct liveupdate_session *s,
			    struct iommufd_device *idev,
			    u64 *tokenp);
void iommufd_device_unpreserve(struct liveupdate_session *s,
			       struct iommufd_device *idev,
			       u64 token);
bool iommufd_device_is_preserved(struct iommufd_device *idev);
#else
static inline int iommufd_device_preserve(struct liveupdate_session *s,
					  struct iommufd_device *idev,
					  u64 *tokenp)
{
	return -EOPNOTSUPP;
}

static inline void iommufd_device_unpreserve(struct liveupdate_session *s,
					     struct iommufd_device *idev,
					     u64 token)
{
}

static inline bool iommufd_device_is_preserved(struct iommufd_device *idev)
{
	return false;
}
#endif /* CONFIG_IOMMU_LIVEUPDATE */

#endif /* _LUSIM_LINUX_IOMMUFD_H */
