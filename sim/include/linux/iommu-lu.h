/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/iommu-lu.h (kernel model), the IOMMU live-update
 *         series v1 (3 Feb 2026) name of the header; v2 renamed it
 *         include/linux/iommu-liveupdate.h, which includes this one here.
 * Models: the IOMMU core's live-update API (drivers/iommu/liveupdate.c):
 *         - the IOMMU FLB ("iommu-v1"), linked to a LUO file handler with
 *           iommu_liveupdate_register_flb(): the iommufd handler's init
 *           calls it, so the FLB exists exactly while at least one file of
 *           a linked handler is preserved (kernel-model.md 3.1, 3.3);
 *         - outgoing kernel: iommu_domain_preserve()/iommu_domain_unpreserve()
 *           and iommu_preserve_device()/iommu_unpreserve_device() with the
 *           v1 signatures (3.4); the unit (iommu_ser) is preserved and
 *           refcounted by the device preserve;
 *         - new kernel: iommu_get_preserved_data() (a unit's state, by its
 *           token: the VT-d register base), iommu_get_device_preserved_data()
 *           (by PCI segment + BDF; marks the match incoming),
 *           iommu_for_each_preserved_device(), iommu_restore_domain() (3.5);
 *         - the dev_iommu_preserved_state() / dev_iommu_restored_state() /
 *           iommu_domain_restored_state() / dev_iommu_restore_did() helpers;
 *         - stubs when !CONFIG_IOMMU_LIVEUPDATE (preserve -EOPNOTSUPP, the
 *           lookups NULL, FLB registration 0).
 *         Locking: every preserve/unpreserve/restore runs under the FLB
 *         object's mutex (flb_obj->lock, a leaf); iommu_preserve_device()
 *         takes and drops group->mutex first (the DMA-owner check).  The
 *         new-kernel lookups take no lock (boot time, as v1).
 *         Behaviour is the fixed series by default; each reviewer-fixed
 *         check is a separately commented condition in liveupdate.c naming
 *         the v1 behaviour (docs/live-update.md, "IOMMU core and driver").
 * Leaves out: the v2+ names (iommu_preserve_domain(), iommu_device_ser,
 *         u64 *preserved_state, dma_owner_token) - a later profile.
 *         iommu_restore_domain() returns the domain (struct iommu_domain *
 *         or an ERR_PTR) as v1 09/14 does, not an int.
 */
#ifndef _LUSIM_LINUX_IOMMU_LU_H
#define _LUSIM_LINUX_IOMMU_LU_H

#include <linux/device.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/iommu.h>
#include <linux/liveupdate.h>
#include <linux/kho/abi/iommu.h>

typedef int (*iommu_preserved_device_iter_fn)(struct device_ser *ser,
					      void *arg);

#ifdef CONFIG_IOMMU_LIVEUPDATE
/* The device's outgoing (preserved in this kernel) state, or NULL. */
static inline void *dev_iommu_preserved_state(struct device *dev)
{
	struct device_ser *ser;

	if (!dev->iommu)
		return NULL;

	ser = dev->iommu->device_ser;
	if (ser && !ser->obj.incoming)
		return ser;

	return NULL;
}

/* The device's state from the previous kernel, until it is attached. */
static inline void *dev_iommu_restored_state(struct device *dev)
{
	struct device_ser *ser;

	if (!dev->iommu)
		return NULL;

	ser = dev->iommu->device_ser;
	if (ser && ser->obj.incoming)
		return ser;

	return NULL;
}

/* The ser of a domain restored from the previous kernel, or NULL. */
static inline void *iommu_domain_restored_state(struct iommu_domain *domain)
{
	struct iommu_domain_ser *ser;

	ser = domain->preserved_state;
	if (ser && ser->obj.incoming)
		return ser;

	return NULL;
}

/* The domain id to reuse when attaching @domain to @dev, or -1. */
static inline int dev_iommu_restore_did(struct device *dev,
					struct iommu_domain *domain)
{
	struct device_ser *ser = dev_iommu_restored_state(dev);

	if (ser && iommu_domain_restored_state(domain))
		return ser->domain_iommu_ser.did;

	return -1;
}

struct iommu_domain *iommu_restore_domain(struct device *dev,
					  struct device_ser *ser);
int iommu_for_each_preserved_device(iommu_preserved_device_iter_fn fn,
				    void *arg);
struct device_ser *iommu_get_device_preserved_data(struct device *dev);
struct iommu_ser *iommu_get_preserved_data(u64 token, enum iommu_lu_type type);
int iommu_domain_preserve(struct iommu_domain *domain,
			  struct iommu_domain_ser **ser);
void iommu_domain_unpreserve(struct iommu_domain *domain);
int iommu_preserve_device(struct iommu_domain *domain,
			  struct device *dev, u64 token);
void iommu_unpreserve_device(struct iommu_domain *domain, struct device *dev);

int iommu_liveupdate_register_flb(struct liveupdate_file_handler *handler);
int iommu_liveupdate_unregister_flb(struct liveupdate_file_handler *handler);
#else
static inline void *dev_iommu_preserved_state(struct device *dev)
{
	return NULL;
}

static inline void *dev_iommu_restored_state(struct device *dev)
{
	return NULL;
}

static inline int dev_iommu_restore_did(struct device *dev,
					struct iommu_domain *domain)
{
	return -1;
}

static inline void *iommu_domain_restored_state(struct iommu_domain *domain)
{
	return NULL;
}

static inline struct iommu_domain *iommu_restore_domain(struct device *dev,
							struct device_ser *ser)
{
	return NULL;
}

static inline int iommu_for_each_preserved_device(iommu_preserved_device_iter_fn fn,
						  void *arg)
{
	return -EOPNOTSUPP;
}

static inline struct device_ser *iommu_get_device_preserved_data(struct device *dev)
{
	return NULL;
}

static inline struct iommu_ser *iommu_get_preserved_data(u64 token,
							 enum iommu_lu_type type)
{
	return NULL;
}

static inline int iommu_domain_preserve(struct iommu_domain *domain,
					struct iommu_domain_ser **ser)
{
	return -EOPNOTSUPP;
}

static inline void iommu_domain_unpreserve(struct iommu_domain *domain)
{
}

static inline int iommu_preserve_device(struct iommu_domain *domain,
					struct device *dev, u64 token)
{
	return -EOPNOTSUPP;
}

static inline void iommu_unpreserve_device(struct iommu_domain *domain,
					   struct device *dev)
{
}

static inline int iommu_liveupdate_register_flb(struct liveupdate_file_handler *handler)
{
	return 0;
}

static inline int iommu_liveupdate_unregister_flb(struct liveupdate_file_handler *handler)
{
	return 0;
}
#endif /* CONFIG_IOMMU_LIVEUPDATE */

#endif /* _LUSIM_LINUX_IOMMU_LU_H */
