/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/iommu.h (kernel model)
 * Models: iommu_domain (blocked, identity, paging, nested), iommu_ops and
 *         iommu_domain_ops with the live-update ops of the series,
 *         iommu_device, dev_iommu, attach handles, the group/PASID attach API
 *         iommufd uses, DMA ownership, iommu_map/iommu_unmap.
 * Leaves out: SVA, fault/IOPF queues, dirty tracking, fwspec/OF, sw-MSI
 *         cookies, DMA-API domains' IOVA allocator (the default domain is
 *         a paging domain with no mappings).
 * struct iommu_group is private to drivers/iommu/iommu.c, as in the kernel.
 */
#ifndef _LUSIM_LINUX_IOMMU_H
#define _LUSIM_LINUX_IOMMU_H

#include <linux/types.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/uaccess.h>

#define IOMMU_READ	(1 << 0)
#define IOMMU_WRITE	(1 << 1)
#define IOMMU_CACHE	(1 << 2)
#define IOMMU_NOEXEC	(1 << 3)
#define IOMMU_MMIO	(1 << 4)
#define IOMMU_PRIV	(1 << 5)

#define IOMMU_NO_PASID			(0U)
#define IOMMU_FIRST_GLOBAL_PASID	(1U)
#define IOMMU_PASID_INVALID		(-1U)

struct iommu_ops;
struct iommu_domain;
struct iommu_group;
struct iommu_domain_ser;
struct iommu_ser;
struct device_ser;
struct iommu_iotlb_gather;

#define __IOMMU_DOMAIN_PAGING	(1U << 0)
#define __IOMMU_DOMAIN_DMA_API	(1U << 1)
#define __IOMMU_DOMAIN_PT	(1U << 2)
#define __IOMMU_DOMAIN_DMA_FQ	(1U << 3)
#define __IOMMU_DOMAIN_SVA	(1U << 4)
#define __IOMMU_DOMAIN_PLATFORM	(1U << 5)
#define __IOMMU_DOMAIN_NESTED	(1U << 6)

#define IOMMU_DOMAIN_BLOCKED	(0U)
#define IOMMU_DOMAIN_IDENTITY	(__IOMMU_DOMAIN_PT)
#define IOMMU_DOMAIN_UNMANAGED	(__IOMMU_DOMAIN_PAGING)
#define IOMMU_DOMAIN_DMA	(__IOMMU_DOMAIN_PAGING | __IOMMU_DOMAIN_DMA_API)
#define IOMMU_DOMAIN_NESTED	(__IOMMU_DOMAIN_NESTED)

/* domain_alloc_paging_flags() flags (uapi IOMMU_HWPT_ALLOC_*) */
#define IOMMU_HWPT_ALLOC_NEST_PARENT	(1U << 0)
#define IOMMU_HWPT_ALLOC_DIRTY_TRACKING	(1U << 1)
#define IOMMU_HWPT_FAULT_ID_VALID	(1U << 2)
#define IOMMU_HWPT_ALLOC_PASID		(1U << 3)

struct iommu_domain_geometry {
	dma_addr_t aperture_start;
	dma_addr_t aperture_end;
	bool force_aperture;
};

struct iommu_user_data {
	unsigned int type;
	const void *uptr;		/* the model passes kernel memory */
	size_t len;
};

struct iommu_domain {
	unsigned type;
	const struct iommu_domain_ops *ops;
	const struct iommu_ops *owner;	/* whose domain_alloc we came from */
	unsigned long pgsize_bitmap;
	struct iommu_domain_geometry geometry;
	atomic_t attach_count;		/* devices/PASIDs this domain is attached to */
#ifdef CONFIG_IOMMU_LIVEUPDATE
	struct iommu_domain_ser *preserved_state;
#endif
};

static inline bool iommu_is_dma_domain(struct iommu_domain *domain)
{
	return domain->type & __IOMMU_DOMAIN_DMA_API;
}

struct iommu_attach_handle {
	struct iommu_domain *domain;
};

struct iommu_iotlb_gather {
	unsigned long start;
	unsigned long end;
	size_t pgsize;
	bool queued;
};

/**
 * struct iommu_domain_ops - domain specific operations
 * The live-update ops are the series' (v1 patch 02/14): preserve and
 * unpreserve a domain's page tables, restore them in the next kernel.
 */
struct iommu_domain_ops {
	int (*attach_dev)(struct iommu_domain *domain, struct device *dev,
			  struct iommu_domain *old);
	int (*set_dev_pasid)(struct iommu_domain *domain, struct device *dev,
			     ioasid_t pasid, struct iommu_domain *old);
	int (*map_pages)(struct iommu_domain *domain, unsigned long iova,
			 phys_addr_t paddr, size_t pgsize, size_t pgcount,
			 int prot, gfp_t gfp, size_t *mapped);
	size_t (*unmap_pages)(struct iommu_domain *domain, unsigned long iova,
			      size_t pgsize, size_t pgcount,
			      struct iommu_iotlb_gather *iotlb_gather);
	void (*flush_iotlb_all)(struct iommu_domain *domain);
	void (*iotlb_sync)(struct iommu_domain *domain,
			   struct iommu_iotlb_gather *iotlb_gather);
	phys_addr_t (*iova_to_phys)(struct iommu_domain *domain, dma_addr_t iova);
	void (*free)(struct iommu_domain *domain);

	int (*preserve)(struct iommu_domain *domain, struct iommu_domain_ser *ser);
	void (*unpreserve)(struct iommu_domain *domain, struct iommu_domain_ser *ser);
	int (*restore)(struct iommu_domain *domain, struct iommu_domain_ser *ser);
};

/**
 * struct iommu_device - one IOMMU unit registered with the core
 */
struct iommu_device {
	struct list_head list;
	const struct iommu_ops *ops;
	struct device *dev;		/* the unit's own device, may be NULL */
	u32 max_pasids;
#ifdef CONFIG_IOMMU_LIVEUPDATE
	struct iommu_ser *outgoing_preserved_state;
#endif
};

/**
 * struct dev_iommu - per-device IOMMU data
 */
struct dev_iommu {
	struct mutex lock;
	struct iommu_device *iommu_dev;
	void *priv;
	u32 max_pasids;
#ifdef CONFIG_IOMMU_LIVEUPDATE
	struct device_ser *device_ser;
#endif
};

static inline void *dev_iommu_priv_get(struct device *dev)
{
	return dev->iommu ? dev->iommu->priv : NULL;
}

static inline void dev_iommu_priv_set(struct device *dev, void *priv)
{
	dev->iommu->priv = priv;
}

struct iommu_ops {
	struct iommu_domain *(*domain_alloc_paging_flags)(
		struct device *dev, u32 flags,
		const struct iommu_user_data *user_data);
	struct iommu_domain *(*domain_alloc_nested)(
		struct device *dev, struct iommu_domain *parent, u32 flags,
		const struct iommu_user_data *user_data);
	struct iommu_device *(*probe_device)(struct device *dev);
	void (*release_device)(struct device *dev);
	struct iommu_group *(*device_group)(struct device *dev);

	struct iommu_domain *identity_domain;
	struct iommu_domain *blocked_domain;
	struct iommu_domain *release_domain;
	const struct iommu_domain_ops *default_domain_ops;
	unsigned long pgsize_bitmap;

	/* live update (series v1 patch 02/14) */
	int (*preserve_device)(struct device *dev, struct device_ser *device_ser);
	void (*unpreserve_device)(struct device *dev, struct device_ser *device_ser);
	int (*preserve)(struct iommu_device *iommu, struct iommu_ser *iommu_ser);
	void (*unpreserve)(struct iommu_device *iommu, struct iommu_ser *iommu_ser);
};

/* IOTLB gathering (include/linux/iommu.h inlines) */
static inline void iommu_iotlb_gather_init(struct iommu_iotlb_gather *gather)
{
	*gather = (struct iommu_iotlb_gather) {
		.start	= ULONG_MAX,
	};
}

static inline bool
iommu_iotlb_gather_is_disjoint(struct iommu_iotlb_gather *gather,
			       unsigned long iova, size_t size)
{
	unsigned long start = iova, end = start + size - 1;

	return gather->end != 0 &&
		(end + 1 < gather->start || start > gather->end + 1);
}

static inline void
iommu_iotlb_gather_add_range(struct iommu_iotlb_gather *gather,
			     unsigned long iova, size_t size)
{
	unsigned long end = iova + size - 1;

	if (gather->start > iova)
		gather->start = iova;
	if (gather->end < end)
		gather->end = end;
}

static inline void iommu_iotlb_sync(struct iommu_domain *domain,
				    struct iommu_iotlb_gather *iotlb_gather)
{
	if (domain->ops->iotlb_sync)
		domain->ops->iotlb_sync(domain, iotlb_gather);

	iommu_iotlb_gather_init(iotlb_gather);
}

static inline void iommu_flush_iotlb_all(struct iommu_domain *domain)
{
	if (domain->ops->flush_iotlb_all)
		domain->ops->flush_iotlb_all(domain);
}

static inline bool device_iommu_mapped(struct device *dev)
{
	return (dev->iommu_group != NULL);
}

#ifndef offsetofend
#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER)	+ sizeof(((TYPE *)0)->MEMBER))
#endif

/**
 * __iommu_copy_struct_from_user - Copy iommu driver specific user space data
 * @dst_data: Pointer to an iommu driver specific user data that is defined in
 *            include/uapi/linux/iommufd.h
 * @src_data: Pointer to a struct iommu_user_data for user space data info
 * @data_type: The data type of the @dst_data. Must match with @src_data.type
 * @data_len: Length of current user data structure, i.e. sizeof(struct _dst)
 * @min_len: Initial length of user data structure for backward compatibility.
 *           This should be offsetofend using the last member in the user data
 *           struct that was initially added to include/uapi/linux/iommufd.h
 */
static inline int __iommu_copy_struct_from_user(
	void *dst_data, const struct iommu_user_data *src_data,
	unsigned int data_type, size_t data_len, size_t min_len)
{
	if (WARN_ON(!dst_data || !src_data))
		return -EINVAL;
	if (src_data->type != data_type)
		return -EINVAL;
	if (src_data->len < min_len)
		return -EINVAL;
	return copy_struct_from_user(dst_data, data_len, src_data->uptr,
				     src_data->len);
}

/**
 * iommu_copy_struct_from_user - Copy iommu driver specific user space data
 * @kdst: Pointer to an iommu driver specific user data that is defined in
 *        include/uapi/linux/iommufd.h
 * @user_data: Pointer to a struct iommu_user_data for user space data info
 * @data_type: The data type of the @kdst. Must match with @user_data->type
 * @min_last: The last member of the data structure @kdst points in the
 *            initial version.
 * Return 0 for success, otherwise -error.
 */
#define iommu_copy_struct_from_user(kdst, user_data, data_type, min_last) \
	__iommu_copy_struct_from_user(kdst, user_data, data_type,         \
				      sizeof(*kdst),                      \
				      offsetofend(__typeof__(*kdst), min_last))

/* registration, probe (drivers/iommu/iommu.c) */
int iommu_device_register(struct iommu_device *iommu,
			  const struct iommu_ops *ops, struct device *hwdev);
void iommu_device_unregister(struct iommu_device *iommu);
int iommu_probe_device(struct device *dev);
void iommu_release_device(struct device *dev);
const struct iommu_ops *dev_iommu_ops(struct device *dev);

/* groups */
struct iommu_group *iommu_group_alloc(void);
struct iommu_group *iommu_group_get(struct device *dev);
void iommu_group_put(struct iommu_group *group);
int iommu_group_id(struct iommu_group *group);
struct iommu_group *generic_device_group(struct device *dev);
struct iommu_group *pci_device_group(struct device *dev);
bool iommu_group_has_isolated_msi(struct iommu_group *group);
struct iommu_group *iommu_group_ref_get(struct iommu_group *group);
int iommu_group_for_each_dev(struct iommu_group *group, void *data,
			     int (*fn)(struct device *, void *));
void iommu_group_mutex_assert(struct device *dev);
struct iommu_domain *iommu_group_default_domain(struct iommu_group *group);

/* domains */
struct iommu_domain *iommu_paging_domain_alloc_flags(struct device *dev,
						     unsigned int flags);
static inline struct iommu_domain *iommu_paging_domain_alloc(struct device *dev)
{
	return iommu_paging_domain_alloc_flags(dev, 0);
}
void iommu_domain_free(struct iommu_domain *domain);
bool iommu_domain_has_attachments(struct iommu_domain *domain);
struct iommu_domain *iommu_get_domain_for_dev(struct device *dev);
struct iommu_domain *iommu_driver_get_domain_for_dev(struct device *dev);
struct iommu_domain *iommu_get_dma_domain(struct device *dev);

/* the default domain type (iommu.passthrough=) */
void iommu_set_default_passthrough(bool cmd_line);
void iommu_set_default_translated(bool cmd_line);
bool iommu_default_passthrough(void);

/* the kernel-driver attach API (single-device groups) */
int iommu_attach_device(struct iommu_domain *domain, struct device *dev);
void iommu_detach_device(struct iommu_domain *domain, struct device *dev);
int iommu_attach_group(struct iommu_domain *domain, struct iommu_group *group);
void iommu_detach_group(struct iommu_domain *domain, struct iommu_group *group);

int iommu_map(struct iommu_domain *domain, unsigned long iova,
	      phys_addr_t paddr, size_t size, int prot, gfp_t gfp);
size_t iommu_unmap(struct iommu_domain *domain, unsigned long iova,
		   size_t size);
int iommu_map_nosync(struct iommu_domain *domain, unsigned long iova,
		     phys_addr_t paddr, size_t size, int prot, gfp_t gfp);
size_t iommu_unmap_fast(struct iommu_domain *domain, unsigned long iova,
			size_t size, struct iommu_iotlb_gather *iotlb_gather);
phys_addr_t iommu_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova);

/* attach, as used by iommufd */
int iommu_attach_group_handle(struct iommu_domain *domain,
			      struct iommu_group *group,
			      struct iommu_attach_handle *handle);
void iommu_detach_group_handle(struct iommu_domain *domain,
			       struct iommu_group *group);
int iommu_replace_group_handle(struct iommu_group *group,
			       struct iommu_domain *new_domain,
			       struct iommu_attach_handle *handle);
int iommu_attach_device_pasid(struct iommu_domain *domain,
			      struct device *dev, ioasid_t pasid,
			      struct iommu_attach_handle *handle);
void iommu_detach_device_pasid(struct iommu_domain *domain,
			       struct device *dev, ioasid_t pasid);
int iommu_replace_device_pasid(struct iommu_domain *domain,
			       struct device *dev, ioasid_t pasid,
			       struct iommu_attach_handle *handle);
struct iommu_attach_handle *iommu_attach_handle_get(struct iommu_group *group,
						    ioasid_t pasid,
						    unsigned int type);

/* DMA ownership */
int iommu_device_use_default_domain(struct device *dev);
void iommu_device_unuse_default_domain(struct device *dev);
int iommu_device_claim_dma_owner(struct device *dev, void *owner);
void iommu_device_release_dma_owner(struct device *dev);
bool iommu_group_dma_owner_claimed(struct iommu_group *group);
bool iommu_group_is_singleton(struct iommu_group *group);
int iommu_group_claim_dma_owner(struct iommu_group *group, void *owner);
void iommu_group_release_dma_owner(struct iommu_group *group);

#endif /* _LUSIM_LINUX_IOMMU_H */
