// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model of drivers/iommu/intel/nested.c: nested (stage-1 over stage-2)
 * domains.  The stage-1 table belongs to the user (a guest): its root is a
 * stage-2 input address (guest physical), and the unit translates the
 * stage-1 table pointers through the parent's stage-2 tables as it walks.
 * The driver only programs the PASID entry (PGTT nested, FLPTPTR from the
 * user, SLPTPTR the parent's table, the nested domain's own domain id).
 *
 * Left out: cache_invalidate_user (IOMMU_HWPT_INVALIDATE: the user cannot
 * flush its stage-1 changes; detach/attach flushes), SRE/WPE/EAFE, 5-level
 * stage-1 tables.
 */
#define pr_fmt(fmt) "DMAR: " fmt

#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/pci.h>
#include <linux/iommu.h>

#include <lusim/fault.h>

#include "iommu.h"
#include "pasid.h"

static int domain_setup_nested(struct intel_iommu *iommu,
			       struct dmar_domain *domain,
			       struct device *dev, ioasid_t pasid,
			       struct iommu_domain *old)
{
	if (!old)
		return intel_pasid_setup_nested(iommu, dev, pasid, domain);
	return intel_pasid_replace_nested(iommu, dev, pasid,
					  iommu_domain_did(old, iommu),
					  domain);
}

static int intel_nested_attach_dev(struct iommu_domain *domain,
				   struct device *dev, struct iommu_domain *old)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct intel_iommu *iommu = info->iommu;
	struct pasid_entry *pte;
	unsigned long flags;
	int ret = 0;

	/*
	 * Stage-1 domain cannot work alone, it is nested on a s2_domain.
	 * The s2_domain will be used in nested translation, hence needs
	 * to ensure the s2_domain is compatible with this IOMMU.
	 */
	ret = paging_domain_compatible(&dmar_domain->s2_domain->domain, dev);
	if (ret) {
		dev_err(dev, "s2 domain is not compatible\n");
		return ret;
	}

	if (!nested_supported(iommu))
		return -EINVAL;

	/* The only stage-1 format the unit walks (checked before any change) */
	if (dmar_domain->s1_cfg.addr_width != ADDR_WIDTH_4LEVEL)
		return -EINVAL;

	if (old && lusim_should_fail_at(LUSIM_FAULT_DRIVER, LUSIM_SITE,
					__func__))
		return -ENOMEM;

	ret = domain_attach_iommu(dmar_domain, iommu, -1);
	if (ret) {
		dev_err(dev, "Failed to attach domain to iommu\n");
		return ret;
	}

	ret = cache_tag_assign_domain(dmar_domain, dev, IOMMU_NO_PASID);
	if (ret)
		goto detach_iommu;

	spin_lock(&iommu->lock);
	pte = intel_pasid_get_entry(dev, IOMMU_NO_PASID);
	spin_unlock(&iommu->lock);
	if (!pte) {
		ret = -ENOMEM;
		goto unassign_tag;
	}

	/* Nothing below can fail. */
	device_block_translation(dev);

	ret = intel_pasid_setup_nested(iommu, dev, IOMMU_NO_PASID, dmar_domain);
	if (ret)
		goto unassign_tag;

	info->domain = dmar_domain;
	info->domain_attached = true;
	spin_lock_irqsave(&dmar_domain->lock, flags);
	list_add(&info->link, &dmar_domain->devices);
	spin_unlock_irqrestore(&dmar_domain->lock, flags);

	return 0;
unassign_tag:
	cache_tag_unassign_domain(dmar_domain, dev, IOMMU_NO_PASID);
detach_iommu:
	domain_detach_iommu(dmar_domain, iommu);

	return ret;
}

static void intel_nested_domain_free(struct iommu_domain *domain)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct dmar_domain *s2_domain = dmar_domain->s2_domain;

	spin_lock(&s2_domain->s1_lock);
	list_del(&dmar_domain->s2_link);
	spin_unlock(&s2_domain->s1_lock);
	WARN_ON(!list_empty(&dmar_domain->devices));
	xa_destroy(&dmar_domain->iommu_array);
	kfree(dmar_domain);
}

static int intel_nested_set_dev_pasid(struct iommu_domain *domain,
				      struct device *dev, ioasid_t pasid,
				      struct iommu_domain *old)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct intel_iommu *iommu = info->iommu;
	struct dev_pasid_info *dev_pasid;
	int ret;

	if (!pasid_supported(iommu))
		return -EOPNOTSUPP;

	ret = paging_domain_compatible(&dmar_domain->s2_domain->domain, dev);
	if (ret)
		return ret;

	if (lusim_should_fail_at(LUSIM_FAULT_DRIVER, LUSIM_SITE, __func__))
		return -ENOMEM;

	dev_pasid = domain_add_dev_pasid(domain, dev, pasid);
	if (IS_ERR(dev_pasid))
		return PTR_ERR(dev_pasid);

	ret = domain_setup_nested(iommu, dmar_domain, dev, pasid, old);
	if (ret)
		goto out_remove_dev_pasid;

	domain_remove_dev_pasid(old, dev, pasid);

	return 0;

out_remove_dev_pasid:
	domain_remove_dev_pasid(domain, dev, pasid);
	return ret;
}

const struct iommu_domain_ops intel_nested_domain_ops = {
	.attach_dev		= intel_nested_attach_dev,
	.set_dev_pasid		= intel_nested_set_dev_pasid,
	.free			= intel_nested_domain_free,
};

struct iommu_domain *
intel_iommu_domain_alloc_nested(struct device *dev, struct iommu_domain *parent,
				u32 flags,
				const struct iommu_user_data *user_data)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dmar_domain *s2_domain = to_dmar_domain(parent);
	struct intel_iommu *iommu = info->iommu;
	struct iommu_hwpt_vtd_s1 vtd;
	struct dmar_domain *domain;
	int ret;

	if (!nested_supported(iommu) || flags & ~IOMMU_HWPT_ALLOC_PASID)
		return ERR_PTR(-EOPNOTSUPP);

	/* Must be nested domain */
	if (!user_data || user_data->type != IOMMU_HWPT_DATA_VTD_S1)
		return ERR_PTR(-EOPNOTSUPP);
	if (!intel_domain_is_ss_paging(s2_domain) || !s2_domain->nested_parent)
		return ERR_PTR(-EINVAL);

	ret = iommu_copy_struct_from_user(&vtd, user_data,
					  IOMMU_HWPT_DATA_VTD_S1, __reserved);
	if (ret)
		return ERR_PTR(ret);

	if (lusim_should_fail_at(LUSIM_FAULT_DRIVER, LUSIM_SITE, __func__))
		return ERR_PTR(-ENOMEM);

	domain = kzalloc(sizeof(*domain), GFP_KERNEL_ACCOUNT);
	if (!domain)
		return ERR_PTR(-ENOMEM);

	domain->use_first_level = true;
	domain->s2_domain = s2_domain;
	domain->s1_cfg = vtd;
	domain->lusim_quirks = iommu->lusim_quirks;
	domain->domain.ops = intel_domain_ops_for(&intel_nested_domain_ops,
						  iommu->lusim_quirks);
	domain->domain.type = IOMMU_DOMAIN_NESTED;
	INIT_LIST_HEAD(&domain->devices);
	INIT_LIST_HEAD(&domain->dev_pasids);
	INIT_LIST_HEAD(&domain->cache_tags);
	spin_lock_init(&domain->lock);
	spin_lock_init(&domain->cache_lock);
	xa_init(&domain->iommu_array);

	spin_lock(&s2_domain->s1_lock);
	list_add(&domain->s2_link, &s2_domain->s1_domains);
	spin_unlock(&s2_domain->s1_lock);

	return &domain->domain;
}
