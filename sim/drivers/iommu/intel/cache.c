// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model of drivers/iommu/intel/cache.c: cache tags.  Each (unit, domain id,
 * PASID[, device]) through which a domain's translations can be cached by
 * the hardware (IOTLB) or by an ATS device (device-TLB) is a tag on the
 * domain; invalidating a range of the domain walks its tags.  A nested
 * domain also puts "nesting" tags on its stage-2 parent, because a change
 * of the parent's mappings changes the nested translations too.
 *
 * The invalidation choices follow the VT-d spec and the simulated unit:
 * first-stage domains are flushed with PASID-based IOTLB invalidations,
 * second-stage ones with page-selective IOTLB invalidations; nested
 * translations cached under a parent's change are flushed domain-
 * selectively (their cached input addresses are stage-1 addresses, not the
 * stage-2 range that changed), and so are the device-TLBs caching them.
 * Left out: QI batching, the dtlb_extra_inval quirk, ATS invalidation
 * queue depth.
 */
#define pr_fmt(fmt) "DMAR: " fmt

#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/pci.h>

#include "iommu.h"
#include "pasid.h"

/* Check if an existing cache tag can be reused for a new association. */
static bool cache_tage_match(struct cache_tag *tag, u16 domain_id,
			     struct intel_iommu *iommu, struct device *dev,
			     ioasid_t pasid, enum cache_tag_type type)
{
	if (tag->type != type)
		return false;

	if (tag->domain_id != domain_id || tag->pasid != pasid)
		return false;

	if (type == CACHE_TAG_IOTLB || type == CACHE_TAG_NESTING_IOTLB)
		return tag->iommu == iommu;

	if (type == CACHE_TAG_DEVTLB || type == CACHE_TAG_NESTING_DEVTLB)
		return tag->dev == dev;

	return false;
}

/* Assign a cache tag with specified type to domain. */
static int cache_tag_assign(struct dmar_domain *domain, u16 did,
			    struct device *dev, ioasid_t pasid,
			    enum cache_tag_type type)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	struct cache_tag *tag, *temp;
	unsigned long flags;

	tag = kzalloc(sizeof(*tag), GFP_KERNEL);
	if (!tag)
		return -ENOMEM;

	tag->type = type;
	tag->iommu = iommu;
	tag->domain_id = did;
	tag->pasid = pasid;
	tag->users = 1;

	if (type == CACHE_TAG_DEVTLB || type == CACHE_TAG_NESTING_DEVTLB)
		tag->dev = dev;
	else
		tag->dev = NULL;	/* the unit itself */

	spin_lock_irqsave(&domain->cache_lock, flags);
	list_for_each_entry(temp, &domain->cache_tags, node) {
		if (cache_tage_match(temp, did, iommu, dev, pasid, type)) {
			temp->users++;
			spin_unlock_irqrestore(&domain->cache_lock, flags);
			kfree(tag);
			return 0;
		}
	}
	list_add_tail(&tag->node, &domain->cache_tags);
	spin_unlock_irqrestore(&domain->cache_lock, flags);

	return 0;
}

/* Unassign a cache tag with specified type from domain. */
static void cache_tag_unassign(struct dmar_domain *domain, u16 did,
			       struct device *dev, ioasid_t pasid,
			       enum cache_tag_type type)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	struct cache_tag *tag;
	unsigned long flags;

	spin_lock_irqsave(&domain->cache_lock, flags);
	list_for_each_entry(tag, &domain->cache_tags, node) {
		if (cache_tage_match(tag, did, iommu, dev, pasid, type)) {
			if (--tag->users == 0) {
				list_del(&tag->node);
				kfree(tag);
			}
			break;
		}
	}
	spin_unlock_irqrestore(&domain->cache_lock, flags);
}

static int __cache_tag_assign_domain(struct dmar_domain *domain, u16 did,
				     struct device *dev, ioasid_t pasid)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	int ret;

	ret = cache_tag_assign(domain, did, dev, pasid, CACHE_TAG_IOTLB);
	if (ret || !info->ats_enabled)
		return ret;

	ret = cache_tag_assign(domain, did, dev, pasid, CACHE_TAG_DEVTLB);
	if (ret)
		cache_tag_unassign(domain, did, dev, pasid, CACHE_TAG_IOTLB);

	return ret;
}

static void __cache_tag_unassign_domain(struct dmar_domain *domain, u16 did,
					struct device *dev, ioasid_t pasid)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);

	cache_tag_unassign(domain, did, dev, pasid, CACHE_TAG_IOTLB);

	if (info->ats_enabled)
		cache_tag_unassign(domain, did, dev, pasid, CACHE_TAG_DEVTLB);
}

static int __cache_tag_assign_parent_domain(struct dmar_domain *domain, u16 did,
					    struct device *dev, ioasid_t pasid)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	int ret;

	ret = cache_tag_assign(domain, did, dev, pasid, CACHE_TAG_NESTING_IOTLB);
	if (ret || !info->ats_enabled)
		return ret;

	ret = cache_tag_assign(domain, did, dev, pasid, CACHE_TAG_NESTING_DEVTLB);
	if (ret)
		cache_tag_unassign(domain, did, dev, pasid, CACHE_TAG_NESTING_IOTLB);

	return ret;
}

static void __cache_tag_unassign_parent_domain(struct dmar_domain *domain, u16 did,
					       struct device *dev, ioasid_t pasid)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);

	cache_tag_unassign(domain, did, dev, pasid, CACHE_TAG_NESTING_IOTLB);

	if (info->ats_enabled)
		cache_tag_unassign(domain, did, dev, pasid, CACHE_TAG_NESTING_DEVTLB);
}

static u16 domain_get_id_for_dev(struct dmar_domain *domain, struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;

	return domain_id_iommu(domain, iommu);
}

/*
 * Assign cache tags to a domain when it's associated with a device's
 * PASID using a specific domain ID.
 *
 * On success (return value of 0), cache tags are created and added to the
 * domain's cache tag list. On failure (negative return value), an error
 * code is returned indicating the reason for the failure.
 */
int cache_tag_assign_domain(struct dmar_domain *domain,
			    struct device *dev, ioasid_t pasid)
{
	u16 did = domain_get_id_for_dev(domain, dev);
	int ret;

	ret = __cache_tag_assign_domain(domain, did, dev, pasid);
	if (ret || domain->domain.type != IOMMU_DOMAIN_NESTED)
		return ret;

	ret = __cache_tag_assign_parent_domain(domain->s2_domain, did, dev, pasid);
	if (ret)
		__cache_tag_unassign_domain(domain, did, dev, pasid);

	return ret;
}

/*
 * Remove the cache tags associated with a domain's PASID when the domain is
 * no longer associated with the device.
 *
 * The cache tags must be previously assigned to the domain by calling the
 * assign interface.
 */
void cache_tag_unassign_domain(struct dmar_domain *domain,
			       struct device *dev, ioasid_t pasid)
{
	u16 did = domain_get_id_for_dev(domain, dev);

	__cache_tag_unassign_domain(domain, did, dev, pasid);
	if (domain->domain.type == IOMMU_DOMAIN_NESTED)
		__cache_tag_unassign_parent_domain(domain->s2_domain, did, dev, pasid);
}

/*
 * The page-selective invalidation of [start, end] as the hardware takes it:
 * an aligned power-of-two number of pages covering the range.  Returns the
 * aligned start; *_pages and *_mask are the page count and its order.
 */
static unsigned long calculate_psi_aligned_address(unsigned long start,
						   unsigned long end,
						   unsigned long *_pages,
						   unsigned long *_mask)
{
	unsigned long first_pfn = start >> VTD_PAGE_SHIFT;
	unsigned long last_pfn = end >> VTD_PAGE_SHIFT;
	unsigned long mask = 0;

	/* The smallest aligned block holding both ends of the range */
	while (mask < MAX_AGAW_PFN_WIDTH &&
	       (first_pfn >> mask) != (last_pfn >> mask))
		mask++;

	*_pages = 1UL << mask;
	*_mask = mask;

	return ALIGN_DOWN(start, VTD_PAGE_SIZE << mask);
}

static void cache_tag_flush_iotlb(struct dmar_domain *domain,
				  struct cache_tag *tag, unsigned long addr,
				  unsigned long pages, unsigned long mask,
				  int ih)
{
	struct intel_iommu *iommu = tag->iommu;

	if (domain->use_first_level) {
		qi_flush_piotlb(iommu, tag->domain_id, tag->pasid, addr,
				pages, ih);
		return;
	}

	/*
	 * Fallback to domain selective flush if no PSI support or the size
	 * is too big.
	 */
	if (mask >= MAX_AGAW_PFN_WIDTH)
		iommu->flush.flush_iotlb(iommu, tag->domain_id, 0, 0,
					 DMA_TLB_DSI_FLUSH);
	else
		iommu->flush.flush_iotlb(iommu, tag->domain_id, addr | ih,
					 mask, DMA_TLB_PSI_FLUSH);
}

static void cache_tag_flush_devtlb_psi(struct dmar_domain *domain,
				       struct cache_tag *tag,
				       unsigned long addr, unsigned long mask)
{
	struct intel_iommu *iommu = tag->iommu;
	struct device_domain_info *info;
	u16 sid;

	info = dev_iommu_priv_get(tag->dev);
	sid = PCI_DEVID(info->bus, info->devfn);

	if (tag->pasid == IOMMU_NO_PASID)
		qi_flush_dev_iotlb(iommu, sid, info->pfsid, info->ats_qdep,
				   addr, mask);
	else
		qi_flush_dev_iotlb_pasid(iommu, sid, info->pfsid, tag->pasid,
					 info->ats_qdep, addr, mask);
}

/*
 * Invalidates a range of IOVA from @start (inclusive) to @end (inclusive)
 * when the memory mappings in the target domain have been modified.
 */
void cache_tag_flush_range(struct dmar_domain *domain, unsigned long start,
			   unsigned long end, int ih)
{
	unsigned long pages, mask, addr;
	struct cache_tag *tag;
	unsigned long flags;

	addr = calculate_psi_aligned_address(start, end, &pages, &mask);

	spin_lock_irqsave(&domain->cache_lock, flags);
	list_for_each_entry(tag, &domain->cache_tags, node) {
		struct intel_iommu *iommu = tag->iommu;

		switch (tag->type) {
		case CACHE_TAG_IOTLB:
			cache_tag_flush_iotlb(domain, tag, addr, pages, mask, ih);
			break;
		case CACHE_TAG_NESTING_IOTLB:
			/*
			 * The nested translations cached by the unit are
			 * keyed by stage-1 input addresses, which tell
			 * nothing of the stage-2 range that changed: all of
			 * the nested domain's go.
			 */
			iommu->flush.flush_iotlb(iommu, tag->domain_id, 0, 0,
						 DMA_TLB_DSI_FLUSH);
			break;
		case CACHE_TAG_NESTING_DEVTLB:
			/*
			 * Address translation cache in device side caches the
			 * result of nested translation. There is no easy way
			 * to identify the exact set of nested translations
			 * affected by a change in S2. So just flush the entire
			 * device cache.
			 */
			cache_tag_flush_devtlb_psi(domain, tag, 0,
						   MAX_AGAW_PFN_WIDTH);
			break;
		case CACHE_TAG_DEVTLB:
			cache_tag_flush_devtlb_psi(domain, tag, addr, mask);
			break;
		}
	}
	spin_unlock_irqrestore(&domain->cache_lock, flags);
}

/*
 * Invalidates all ranges of IOVA when the memory mappings in the target
 * domain have been modified.
 */
void cache_tag_flush_all(struct dmar_domain *domain)
{
	struct cache_tag *tag;
	unsigned long flags;

	spin_lock_irqsave(&domain->cache_lock, flags);
	list_for_each_entry(tag, &domain->cache_tags, node) {
		struct intel_iommu *iommu = tag->iommu;

		switch (tag->type) {
		case CACHE_TAG_IOTLB:
			if (domain->use_first_level)
				qi_flush_piotlb_all(iommu, tag->domain_id,
						    tag->pasid);
			else
				iommu->flush.flush_iotlb(iommu, tag->domain_id,
							 0, 0,
							 DMA_TLB_DSI_FLUSH);
			break;
		case CACHE_TAG_NESTING_IOTLB:
			iommu->flush.flush_iotlb(iommu, tag->domain_id, 0, 0,
						 DMA_TLB_DSI_FLUSH);
			break;
		case CACHE_TAG_DEVTLB:
		case CACHE_TAG_NESTING_DEVTLB:
			cache_tag_flush_devtlb_psi(domain, tag, 0,
						   MAX_AGAW_PFN_WIDTH);
			break;
		}
	}
	spin_unlock_irqrestore(&domain->cache_lock, flags);
}
