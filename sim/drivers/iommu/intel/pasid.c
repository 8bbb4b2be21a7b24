// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model of drivers/iommu/intel/pasid.c: PASID directories and PASID table
 * entries of the simulated VT-d unit in scalable mode, their setup,
 * replacement and teardown, with the invalidations the VT-d spec asks for
 * after each change (6.5.3.3, "Guidance to Software for Invalidations").
 *
 * The unit has no caching mode, so a not-present -> present change needs no
 * invalidation; present -> anything invalidates the PASID cache and the
 * IOTLB entries tagged with the old domain id, then the device-TLB.
 */
#define pr_fmt(fmt)	"DMAR: " fmt

#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>

#include "iommu.h"
#include "pasid.h"
#include "../iommu-pages.h"

/*
 * Intel IOMMU system wide PASID name space:
 */
u32 intel_pasid_max_id = PASID_MAX;

/*
 * Per device pasid table management:
 */

/*
 * Allocate a pasid table for @dev. It should be called in a
 * single-thread context.
 */
int intel_pasid_alloc_table(struct device *dev)
{
	struct device_domain_info *info;
	struct pasid_table *pasid_table;
	struct pasid_dir_entry *dir;
	u32 max_pasid = 0;
	int order, size;

	might_sleep();
	info = dev_iommu_priv_get(dev);
	if (WARN_ON(!info || !dev_is_pci(dev)))
		return -ENODEV;
	if (WARN_ON(info->pasid_table))
		return -EEXIST;

	pasid_table = kzalloc(sizeof(*pasid_table), GFP_KERNEL);
	if (!pasid_table)
		return -ENOMEM;

	if (info->pasid_supported)
		max_pasid = min_t(u32, pci_max_pasids(to_pci_dev(dev)),
				  intel_pasid_max_id);

	size = max_pasid >> (PASID_PDE_SHIFT - 3);
	order = size ? get_order(size) : 0;

	/*
	 * Live update: the directory the previous kernel's context entry uses.
	 * v1 passed max_pasid (the device's PASID count) and compared it with
	 * the preserved directory's coverage (the rounded value below), which
	 * differ unless the device has the maximum number of PASIDs.
	 */
	dir = intel_pasid_try_restore_table(dev, 1 << (order + PAGE_SHIFT + 3));
	/* lusim: an adopted directory's populated entries are unknown */
	if (dir)
		pasid_table->nr_used_pde = ARRAY_SIZE(pasid_table->used_pde) + 1;
	if (!dir)
		dir = iommu_alloc_pages_node_sz(info->iommu->node, GFP_KERNEL,
						1 << (order + PAGE_SHIFT));
	if (!dir) {
		kfree(pasid_table);
		return -ENOMEM;
	}

	pasid_table->table = dir;
	pasid_table->max_pasid = 1 << (order + PAGE_SHIFT + 3);
	info->pasid_table = pasid_table;

	return 0;
}

void intel_pasid_free_table(struct device *dev)
{
	struct device_domain_info *info;
	struct pasid_table *pasid_table;
	struct pasid_dir_entry *dir;
	struct pasid_entry *table;
	int i, max_pde;

	info = dev_iommu_priv_get(dev);
	if (!info || !dev_is_pci(dev) || !info->pasid_table)
		return;

	pasid_table = info->pasid_table;
	info->pasid_table = NULL;

	/* Free scalable mode PASID directory tables: */
	dir = pasid_table->table;
	max_pde = pasid_table->max_pasid >> PASID_PDE_SHIFT;
	if (pasid_table->nr_used_pde <= ARRAY_SIZE(pasid_table->used_pde)) {
		/* lusim: only the entries intel_pasid_get_entry() populated */
		for (i = 0; i < pasid_table->nr_used_pde; i++) {
			table = get_pasid_table_from_pde(&dir[pasid_table->used_pde[i]]);
			iommu_free_pages(table);
		}
	} else {
		for (i = 0; i < max_pde; i++) {
			table = get_pasid_table_from_pde(&dir[i]);
			iommu_free_pages(table);
		}
	}

	iommu_free_pages(pasid_table->table);
	kfree(pasid_table);
}

struct pasid_table *intel_pasid_get_table(struct device *dev)
{
	struct device_domain_info *info;

	info = dev_iommu_priv_get(dev);
	if (!info)
		return NULL;

	return info->pasid_table;
}

static int intel_pasid_get_dev_max_id(struct device *dev)
{
	struct device_domain_info *info;

	info = dev_iommu_priv_get(dev);
	if (!info || !info->pasid_table)
		return 0;

	return info->pasid_table->max_pasid;
}

struct pasid_entry *intel_pasid_get_entry(struct device *dev, u32 pasid)
{
	struct device_domain_info *info;
	struct pasid_table *pasid_table;
	struct pasid_dir_entry *dir;
	struct pasid_entry *entries;
	int dir_index, index;

	pasid_table = intel_pasid_get_table(dev);
	if (WARN_ON(!pasid_table || pasid >= intel_pasid_get_dev_max_id(dev)))
		return NULL;

	dir = pasid_table->table;
	info = dev_iommu_priv_get(dev);
	dir_index = pasid >> PASID_PDE_SHIFT;
	index = pasid & PASID_PTE_MASK;

	entries = get_pasid_table_from_pde(&dir[dir_index]);
	if (!entries) {
		/*
		 * The pasid directory table entry won't be freed after
		 * allocation. No worry about the race with free and
		 * clear. However, this entry might be populated by others
		 * while we are preparing it. (The model runs one actor at a
		 * time under iommu->lock: a plain store is the kernel's
		 * try_cmpxchg64 that always wins.)
		 */
		entries = iommu_alloc_pages_node_sz(info->iommu->node,
						    GFP_ATOMIC, VTD_PAGE_SIZE);
		if (!entries)
			return NULL;

		WRITE_ONCE(dir[dir_index].val,
			   (u64)virt_to_phys(entries) | PASID_PTE_PRESENT);
		/* lusim: remember it for intel_pasid_free_table() */
		if (pasid_table->nr_used_pde < ARRAY_SIZE(pasid_table->used_pde))
			pasid_table->used_pde[pasid_table->nr_used_pde] = dir_index;
		if (pasid_table->nr_used_pde <= ARRAY_SIZE(pasid_table->used_pde))
			pasid_table->nr_used_pde++;
	}

	return &entries[index];
}

/*
 * Interfaces for PASID table entry manipulation:
 */
static void
intel_pasid_clear_entry(struct device *dev, u32 pasid, bool fault_ignore)
{
	struct pasid_entry *pe;

	pe = intel_pasid_get_entry(dev, pasid);
	if (WARN_ON(!pe))
		return;

	if (fault_ignore && pasid_pte_is_present(pe))
		pasid_clear_entry_with_fpd(pe);
	else
		pasid_clear_entry(pe);
}

static void
pasid_cache_invalidation_with_pasid(struct intel_iommu *iommu,
				    u16 did, u32 pasid)
{
	qi_flush_pasid_cache(iommu, did, QI_PC_PASID_SEL, pasid);
}

static void
devtlb_invalidation_with_pasid(struct intel_iommu *iommu,
			       struct device *dev, u32 pasid)
{
	struct device_domain_info *info;
	u16 sid, qdep, pfsid;

	info = dev_iommu_priv_get(dev);
	if (!info || !info->ats_enabled)
		return;

	sid = PCI_DEVID(info->bus, info->devfn);
	qdep = info->ats_qdep;
	pfsid = info->pfsid;

	/*
	 * When PASID 0 is used, it indicates RID2PASID(DMA request w/o PASID),
	 * devTLB flush w/o PASID should be used. For non-zero PASID under
	 * SVA usage, device could do DMA with multiple PASIDs. It is more
	 * efficient to flush devTLB specific to the PASID.
	 */
	if (pasid == IOMMU_NO_PASID)
		qi_flush_dev_iotlb(iommu, sid, pfsid, qdep, 0, 64 - VTD_PAGE_SHIFT);
	else
		qi_flush_dev_iotlb_pasid(iommu, sid, pfsid, pasid, qdep, 0,
					 64 - VTD_PAGE_SHIFT);
}

/*
 * Invalidate what the unit may cache from a present PASID entry it no
 * longer has in that form: the PASID-cache entry, then the translations
 * tagged with the entry's domain id (IOTLB for second-stage, nested and
 * pass-through; PASID-based IOTLB for first-stage and nested), then the
 * device-TLB.
 */
static void pasid_flush_old_entry(struct intel_iommu *iommu,
				  struct device *dev, u32 pasid,
				  u16 did, u16 pgtt)
{
	pasid_cache_invalidation_with_pasid(iommu, did, pasid);

	if (pgtt == PASID_ENTRY_PGTT_FL_ONLY || pgtt == PASID_ENTRY_PGTT_NESTED)
		qi_flush_piotlb_all(iommu, did, pasid);
	if (pgtt != PASID_ENTRY_PGTT_FL_ONLY)
		iommu->flush.flush_iotlb(iommu, did, 0, 0, DMA_TLB_DSI_FLUSH);

	devtlb_invalidation_with_pasid(iommu, dev, pasid);
}

void intel_pasid_tear_down_entry(struct intel_iommu *iommu, struct device *dev,
				 u32 pasid, bool fault_ignore)
{
	struct pasid_entry *pte;
	u16 did, pgtt;

	spin_lock(&iommu->lock);
	pte = intel_pasid_get_entry(dev, pasid);
	if (WARN_ON(!pte) || !pasid_pte_is_present(pte)) {
		spin_unlock(&iommu->lock);
		return;
	}

	did = pasid_get_domain_id(pte);
	pgtt = pasid_pte_get_pgtt(pte);
	intel_pasid_clear_entry(dev, pasid, fault_ignore);
	spin_unlock(&iommu->lock);

	pasid_flush_old_entry(iommu, dev, pasid, did, pgtt);
}

/*
 * This function flushes cache for a newly setup pasid table entry.
 * Caller of it should not modify the in-use pasid table entries.  The
 * simulated unit has no caching mode: nothing to do.
 */
static void pasid_flush_caches(struct intel_iommu *iommu,
			       struct pasid_entry *pte,
			       u32 pasid, u16 did)
{
}

/*
 * A present entry is overwritten: the old one's cached state goes.
 */
static int pasid_replace_entry(struct intel_iommu *iommu, struct device *dev,
			       u32 pasid, u16 old_did,
			       const struct pasid_entry *new_pte)
{
	struct pasid_entry *pte;
	u16 old_pgtt;

	spin_lock(&iommu->lock);
	pte = intel_pasid_get_entry(dev, pasid);
	if (!pte) {
		spin_unlock(&iommu->lock);
		return -ENODEV;
	}

	if (!pasid_pte_is_present(pte)) {
		spin_unlock(&iommu->lock);
		return -EINVAL;
	}

	WARN_ON(old_did != pasid_get_domain_id(pte));
	old_pgtt = pasid_pte_get_pgtt(pte);

	*pte = *new_pte;
	spin_unlock(&iommu->lock);

	pasid_flush_old_entry(iommu, dev, pasid, old_did, old_pgtt);
	return 0;
}

static void pasid_pte_config_first_level(struct intel_iommu *iommu,
					 struct pasid_entry *pte,
					 phys_addr_t fsptptr, u16 did,
					 int flags)
{
	lockdep_assert_held(&iommu->lock);

	pasid_clear_entry(pte);

	/* Setup the first level page table pointer: 4-level paging */
	pasid_set_flptr(pte, fsptptr);
	pasid_set_flpm(pte, 0);
	pasid_set_domain_id(pte, did);
	pasid_set_address_width(pte, iommu->agaw);
	pasid_set_translation_type(pte, PASID_ENTRY_PGTT_FL_ONLY);

	/* Setup Present and PASID Granular Transfer Type: */
	pasid_set_present(pte);
}

int intel_pasid_setup_first_level(struct intel_iommu *iommu, struct device *dev,
				  phys_addr_t fsptptr, u32 pasid, u16 did,
				  int flags)
{
	struct pasid_entry *pte;

	if (!ecap_flts(iommu->ecap)) {
		pr_err("No first level translation support on %s\n",
		       iommu->name);
		return -EINVAL;
	}

	if ((flags & PASID_FLAG_FL5LP)) {
		pr_err("No 5-level paging support for first-level on %s\n",
		       iommu->name);
		return -EINVAL;
	}

	spin_lock(&iommu->lock);
	pte = intel_pasid_get_entry(dev, pasid);
	if (!pte) {
		spin_unlock(&iommu->lock);
		return -ENODEV;
	}

	if (pasid_pte_is_present(pte)) {
		spin_unlock(&iommu->lock);
		return -EBUSY;
	}

	pasid_pte_config_first_level(iommu, pte, fsptptr, did, flags);

	spin_unlock(&iommu->lock);

	pasid_flush_caches(iommu, pte, pasid, did);

	return 0;
}

int intel_pasid_replace_first_level(struct intel_iommu *iommu,
				    struct device *dev, phys_addr_t fsptptr,
				    u32 pasid, u16 did, u16 old_did,
				    int flags)
{
	struct pasid_entry new_pte;

	if (!ecap_flts(iommu->ecap)) {
		pr_err("No first level translation support on %s\n",
		       iommu->name);
		return -EINVAL;
	}

	spin_lock(&iommu->lock);
	pasid_pte_config_first_level(iommu, &new_pte, fsptptr, did, flags);
	spin_unlock(&iommu->lock);

	return pasid_replace_entry(iommu, dev, pasid, old_did, &new_pte);
}

/*
 * Set up the scalable mode pasid entry for second only translation type.
 */
static void pasid_pte_config_second_level(struct intel_iommu *iommu,
					  struct pasid_entry *pte,
					  u64 pgd_val, int agaw, u16 did)
{
	lockdep_assert_held(&iommu->lock);

	pasid_clear_entry(pte);
	pasid_set_domain_id(pte, did);
	pasid_set_slptr(pte, pgd_val);
	pasid_set_address_width(pte, agaw);
	pasid_set_translation_type(pte, PASID_ENTRY_PGTT_SL_ONLY);
	pasid_set_present(pte);
}

int intel_pasid_setup_second_level(struct intel_iommu *iommu,
				   struct dmar_domain *domain,
				   struct device *dev, u32 pasid)
{
	struct pasid_entry *pte;
	u64 pgd_val;
	u16 did;

	/*
	 * If hardware advertises no support for second level
	 * translation, return directly.
	 */
	if (!ecap_slts(iommu->ecap)) {
		pr_err("No second level translation support on %s\n",
		       iommu->name);
		return -EINVAL;
	}

	pgd_val = virt_to_phys(domain->pgd);
	did = domain_id_iommu(domain, iommu);

	spin_lock(&iommu->lock);
	pte = intel_pasid_get_entry(dev, pasid);
	if (!pte) {
		spin_unlock(&iommu->lock);
		return -ENODEV;
	}

	if (pasid_pte_is_present(pte)) {
		spin_unlock(&iommu->lock);
		return -EBUSY;
	}

	pasid_pte_config_second_level(iommu, pte, pgd_val, domain->agaw, did);
	spin_unlock(&iommu->lock);

	pasid_flush_caches(iommu, pte, pasid, did);

	return 0;
}

int intel_pasid_replace_second_level(struct intel_iommu *iommu,
				     struct dmar_domain *domain,
				     struct device *dev, u16 old_did,
				     u32 pasid)
{
	struct pasid_entry new_pte;
	u64 pgd_val;
	u16 did;

	/*
	 * If hardware advertises no support for second level
	 * translation, return directly.
	 */
	if (!ecap_slts(iommu->ecap)) {
		pr_err("No second level translation support on %s\n",
		       iommu->name);
		return -EINVAL;
	}

	pgd_val = virt_to_phys(domain->pgd);
	did = domain_id_iommu(domain, iommu);

	spin_lock(&iommu->lock);
	pasid_pte_config_second_level(iommu, &new_pte, pgd_val,
				      domain->agaw, did);
	spin_unlock(&iommu->lock);

	return pasid_replace_entry(iommu, dev, pasid, old_did, &new_pte);
}

/*
 * Set up the scalable mode pasid entry for passthrough translation type.
 */
static void pasid_pte_config_pass_through(struct intel_iommu *iommu,
					  struct pasid_entry *pte, u16 did)
{
	lockdep_assert_held(&iommu->lock);

	pasid_clear_entry(pte);
	pasid_set_domain_id(pte, did);
	pasid_set_address_width(pte, iommu->agaw);
	pasid_set_translation_type(pte, PASID_ENTRY_PGTT_PT);
	pasid_set_present(pte);
}

int intel_pasid_setup_pass_through(struct intel_iommu *iommu,
				   struct device *dev, u32 pasid)
{
	u16 did = FLPT_DEFAULT_DID;
	struct pasid_entry *pte;

	spin_lock(&iommu->lock);
	pte = intel_pasid_get_entry(dev, pasid);
	if (!pte) {
		spin_unlock(&iommu->lock);
		return -ENODEV;
	}

	if (pasid_pte_is_present(pte)) {
		spin_unlock(&iommu->lock);
		return -EBUSY;
	}

	pasid_pte_config_pass_through(iommu, pte, did);
	spin_unlock(&iommu->lock);

	pasid_flush_caches(iommu, pte, pasid, did);

	return 0;
}

int intel_pasid_replace_pass_through(struct intel_iommu *iommu,
				     struct device *dev, u16 old_did,
				     u32 pasid)
{
	struct pasid_entry new_pte;
	u16 did = FLPT_DEFAULT_DID;

	spin_lock(&iommu->lock);
	pasid_pte_config_pass_through(iommu, &new_pte, did);
	spin_unlock(&iommu->lock);

	return pasid_replace_entry(iommu, dev, pasid, old_did, &new_pte);
}

static void pasid_pte_config_nestd(struct intel_iommu *iommu,
				   struct pasid_entry *pte,
				   struct iommu_hwpt_vtd_s1 *s1_cfg,
				   struct dmar_domain *s2_domain,
				   u16 did)
{
	lockdep_assert_held(&iommu->lock);

	pasid_clear_entry(pte);

	pasid_set_flpm(pte, 0);
	pasid_set_flptr(pte, s1_cfg->pgtbl_addr);
	pasid_set_slptr(pte, virt_to_phys(s2_domain->pgd));
	pasid_set_domain_id(pte, did);
	pasid_set_address_width(pte, s2_domain->agaw);
	pasid_set_translation_type(pte, PASID_ENTRY_PGTT_NESTED);
	pasid_set_present(pte);
}

/**
 * intel_pasid_setup_nested() - Set up PASID entry for nested translation.
 * @iommu:      IOMMU which the device belong to
 * @dev:        Device to be set up for translation
 * @pasid:      PASID to be programmed in the device PASID table
 * @domain:     User stage-1 domain nested on a stage-2 domain
 *
 * This is used for nested translation. The input domain should be
 * nested type and nested on a parent with 'is_nested_parent' flag
 * set.
 */
int intel_pasid_setup_nested(struct intel_iommu *iommu, struct device *dev,
			     u32 pasid, struct dmar_domain *domain)
{
	struct iommu_hwpt_vtd_s1 *s1_cfg = &domain->s1_cfg;
	struct dmar_domain *s2_domain = domain->s2_domain;
	u16 did = domain_id_iommu(domain, iommu);
	struct pasid_entry *pte;

	/* Address width should match the address width supported by hardware */
	switch (s1_cfg->addr_width) {
	case ADDR_WIDTH_4LEVEL:
		break;
	default:
		pr_err("Invalid stage-1 address width %d\n",
				   s1_cfg->addr_width);
		return -EINVAL;
	}

	spin_lock(&iommu->lock);
	pte = intel_pasid_get_entry(dev, pasid);
	if (!pte) {
		spin_unlock(&iommu->lock);
		return -ENODEV;
	}
	if (pasid_pte_is_present(pte)) {
		spin_unlock(&iommu->lock);
		return -EBUSY;
	}

	pasid_pte_config_nestd(iommu, pte, s1_cfg, s2_domain, did);
	spin_unlock(&iommu->lock);

	pasid_flush_caches(iommu, pte, pasid, did);

	return 0;
}

int intel_pasid_replace_nested(struct intel_iommu *iommu,
			       struct device *dev, u32 pasid,
			       u16 old_did, struct dmar_domain *domain)
{
	struct iommu_hwpt_vtd_s1 *s1_cfg = &domain->s1_cfg;
	struct dmar_domain *s2_domain = domain->s2_domain;
	u16 did = domain_id_iommu(domain, iommu);
	struct pasid_entry new_pte;

	/* Address width should match the address width supported by hardware */
	switch (s1_cfg->addr_width) {
	case ADDR_WIDTH_4LEVEL:
		break;
	default:
		pr_err("Invalid stage-1 address width %d\n",
				   s1_cfg->addr_width);
		return -EINVAL;
	}

	spin_lock(&iommu->lock);
	pasid_pte_config_nestd(iommu, &new_pte, s1_cfg, s2_domain, did);
	spin_unlock(&iommu->lock);

	return pasid_replace_entry(iommu, dev, pasid, old_did, &new_pte);
}

/*
 * Interfaces to setup or teardown a pasid table to the scalable-mode
 * context table entry:
 */

static void device_pasid_table_teardown(struct device *dev, u8 bus, u8 devfn)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	struct context_entry *context;
	u16 did;

	spin_lock(&iommu->lock);
	context = iommu_context_addr(iommu, bus, devfn, false);
	if (!context) {
		spin_unlock(&iommu->lock);
		return;
	}

	did = context_domain_id(context);
	context_clear_entry(context);
	spin_unlock(&iommu->lock);
	intel_context_flush_no_pasid(info, context, did);
}

void intel_pasid_teardown_sm_context(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);

	if (!dev_is_pci(dev)) {
		device_pasid_table_teardown(dev, info->bus, info->devfn);
		return;
	}

	/* The simulated platform has no DMA aliases: just the device. */
	device_pasid_table_teardown(dev, info->bus, info->devfn);
}

/*
 * Get the PASID directory size for scalable mode context entry.
 * Value of X in the PDTS field of a scalable mode context entry
 * indicates PASID directory with 2^(X + 7) entries.
 */
static unsigned long context_get_sm_pds(struct pasid_table *table)
{
	unsigned long pds, max_pde;

	max_pde = table->max_pasid >> PASID_PDE_SHIFT;
	pds = find_first_bit(&max_pde, MAX_NR_PASID_BITS);
	if (pds < 7)
		return 0;

	return pds - 7;
}

static int context_entry_set_pasid_table(struct context_entry *context,
					 struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct pasid_table *table = info->pasid_table;
	unsigned long pds;

	context_clear_entry(context);

	pds = context_get_sm_pds(table);
	context->lo = (u64)virt_to_phys(table->table) | context_pdts(pds);
	context_set_sm_rid2pasid(context, IOMMU_NO_PASID);

	if (info->ats_supported)
		context_set_sm_dte(context);
	if (info->pasid_supported)
		context_set_pasid(context);

	context_set_fault_enable(context);
	context_set_present(context);

	return 0;
}

static int device_pasid_table_setup(struct device *dev, u8 bus, u8 devfn)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	struct context_entry *context;

	spin_lock(&iommu->lock);
	context = iommu_context_addr(iommu, bus, devfn, true);
	if (!context) {
		spin_unlock(&iommu->lock);
		return -ENOMEM;
	}

	/*
	 * A present entry can only be one the previous kernel left for us
	 * (live update: a preserved device's entry, kept live; see
	 * intel/liveupdate.c); the model never programs a context entry twice.
	 */
	if (context_present(context)) {
		spin_unlock(&iommu->lock);
		return 0;
	}

	context_entry_set_pasid_table(context, dev);
	spin_unlock(&iommu->lock);

	/*
	 * It's a non-present to present mapping. If hardware doesn't cache
	 * non-present entry we don't need to flush the caches.
	 */
	return 0;
}

int intel_pasid_setup_sm_context(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);

	return device_pasid_table_setup(dev, info->bus, info->devfn);
}
