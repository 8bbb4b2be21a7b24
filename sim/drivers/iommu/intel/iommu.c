// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model of drivers/iommu/intel/iommu.c: the simulated VT-d driver.
 *
 * Brings up the machine's remapping units (root table, translation
 * enable), probes PCI functions behind them (PASID tables and scalable
 * context entries, ATS), allocates paging domains (first stage in scalable
 * mode, second stage in legacy mode or when asked for a nest parent),
 * programs context and PASID entries on attach, keeps 3/4-level I/O page
 * tables in simulated memory, allocates a domain id per unit, and issues
 * the invalidations each change needs (context cache, PASID cache, IOTLB,
 * PASID-based IOTLB, device-TLB for ATS) through the cache tags of
 * cache.c.  Nested domains live in nested.c, PASID entries in pasid.c, unit
 * discovery and queued invalidation in dmar.c.
 *
 * Written from the kernel's semantics with the kernel's names; our own
 * code.  What is simplified: no generic_pt (the driver has its own page
 * tables, as the kernel had before it), page-table pages emptied by an
 * unmap are kept until the domain is freed, no dirty tracking, no SVA or
 * IOPF, no copied (kdump) tables, no caching mode, no DMA aliases,
 * interrupt remapping or RMRRs.  Every attach prepares everything that can
 * fail (domain id, cache tags, memory) before it changes the hardware, so
 * a failed attach leaves the device as it was.
 */
#define pr_fmt(fmt)     "DMAR: " fmt

#include <lusim/bugs.h>
#include <linux/liveupdate.h>
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/iommu.h>
#include <linux/dmar.h>
#include <linux/export.h>
#include <linux/iommu-lu.h>

#include <lusim/reset.h>
#include <lusim/fault.h>
#include <lusim/intel-iommu.h>

#include "iommu.h"
#include "pasid.h"
#include "../iommu-pages.h"

#define DEFAULT_DOMAIN_ADDRESS_WIDTH	ADDR_WIDTH_4LEVEL

#define __DOMAIN_MAX_PFN(gaw)  ((((uint64_t)1) << ((gaw) - VTD_PAGE_SHIFT)) - 1)
#define __DOMAIN_MAX_ADDR(gaw) ((((uint64_t)1) << (gaw)) - 1)

#define SZ_4K	(4096UL)
#define SZ_2M	(2UL << 20)
#define SZ_1G	(1UL << 30)

int intel_iommu_sm = 1;
int intel_iommu_enabled;
bool intel_iommu_lusim_skip_unmap_flush;

void lusim_intel_iommu_set_sm(bool on)
{
	intel_iommu_sm = on;
}

void lusim_intel_iommu_skip_unmap_flush(bool skip)
{
	intel_iommu_lusim_skip_unmap_flush = skip;
}

/* LUSIM_FAULT_DRIVER: a driver op the test or fuzzer makes fail. */
#define intel_iommu_should_fail()					\
	lusim_should_fail_at(LUSIM_FAULT_DRIVER, LUSIM_SITE, __func__)

static struct iommu_domain blocking_domain;
static struct iommu_domain identity_domain;

static bool dev_is_real_dma_subdevice(struct device *dev)
{
	/* The simulated platform has no DMA aliases (VMD and the like). */
	return false;
}

/* --- root and context tables ------------------------------------------------ */

struct context_entry *iommu_context_addr(struct intel_iommu *iommu, u8 bus,
					 u8 devfn, int alloc)
{
	struct root_entry *root = &iommu->root_entry[bus];
	struct context_entry *context;
	u64 *entry;

	entry = &root->lo;
	if (sm_supported(iommu)) {
		if (devfn >= 0x80) {
			devfn -= 0x80;
			entry = &root->hi;
		}
		devfn *= 2;
	}
	if (*entry & 1) {
		context = phys_to_virt(*entry & VTD_PAGE_MASK);
	} else {
		unsigned long phy_addr;

		if (!alloc)
			return NULL;

		context = iommu_alloc_pages_node_sz(iommu->node, GFP_ATOMIC,
						    VTD_PAGE_SIZE);
		if (!context)
			return NULL;

		phy_addr = virt_to_phys((void *)context);
		*entry = phy_addr | 1;
	}
	return &context[devfn];
}

static void free_context_table(struct intel_iommu *iommu)
{
	struct context_entry *context;
	int i;

	if (!iommu->root_entry)
		return;

	for (i = 0; i < ROOT_ENTRY_NR; i++) {
		context = iommu_context_addr(iommu, i, 0, 0);
		if (context)
			iommu_free_pages(context);

		if (!sm_supported(iommu))
			continue;

		context = iommu_context_addr(iommu, i, 0x80, 0);
		if (context)
			iommu_free_pages(context);
	}

	iommu_free_pages(iommu->root_entry);
	iommu->root_entry = NULL;
}

static int iommu_alloc_root_entry(struct intel_iommu *iommu,
				  struct iommu_ser *restored_state)
{
	struct root_entry *root;

	/* Live update: keep using the previous kernel's tables (v1 08/14) */
	if (restored_state) {
		intel_iommu_liveupdate_restore_root_table(iommu, restored_state);
		return 0;
	}

	root = iommu_alloc_pages_node_sz(iommu->node, GFP_ATOMIC, VTD_PAGE_SIZE);
	if (!root) {
		pr_err("Allocating root entry for %s failed\n",
			iommu->name);
		return -ENOMEM;
	}

	iommu->root_entry = root;

	return 0;
}

static void iommu_set_root_entry(struct intel_iommu *iommu)
{
	u64 addr;

	addr = virt_to_phys(iommu->root_entry);

	/* RTADDR_REG + GCMD.SRTP; the mode (RTT) goes with the address */
	WARN_ON(hw_iommu_set_root_table(iommu->hw, addr,
					sm_supported(iommu) ? HW_TTM_SCALABLE :
							      HW_TTM_LEGACY));

	iommu->flush.flush_context(iommu, 0, 0, 0, DMA_CCMD_GLOBAL_INVL);
	if (sm_supported(iommu))
		qi_flush_pasid_cache(iommu, 0, QI_PC_GLOBAL, 0);
	iommu->flush.flush_iotlb(iommu, 0, 0, 0, DMA_TLB_GLOBAL_FLUSH);
}

static void iommu_enable_translation(struct intel_iommu *iommu)
{
	hw_iommu_set_translation(iommu->hw, true);
}

static void iommu_disable_translation(struct intel_iommu *iommu)
{
	hw_iommu_set_translation(iommu->hw, false);
}

/* --- domain ids -------------------------------------------------------------- */

/*
 * @restore_did: live update, the domain id the previous kernel used for this
 * attachment (reserved at boot), or -1 to allocate one.
 */
int domain_attach_iommu(struct dmar_domain *domain, struct intel_iommu *iommu,
			int restore_did)
{
	struct iommu_domain_info *info, *curr;
	int num, ret = -ENOSPC;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;

	mutex_lock(&iommu->did_lock);
	curr = xa_load(&domain->iommu_array, iommu->seq_id);
	if (curr) {
		/* v1: not checked (later versions WARN) */
		WARN_ON_ONCE(restore_did >= 0 && curr->did != restore_did);
		curr->refcnt++;
		mutex_unlock(&iommu->did_lock);
		kfree(info);
		return 0;
	}

	if (restore_did >= 0) {
		/*
		 * v1 took the id as it came; later versions refuse one the
		 * boot did not reserve for this unit (it may be another
		 * domain's).
		 */
		if (!ida_exists(&iommu->domain_ida, restore_did)) {
			ret = -EINVAL;
			goto err_unlock;
		}
		num = restore_did;
	} else {
		num = ida_alloc_range(&iommu->domain_ida, IDA_START_DID,
				      intel_iommu_ndoms(iommu) - 1, GFP_KERNEL);
	}
	if (num < 0) {
		pr_err("%s: No free domain ids\n", iommu->name);
		ret = num == -ENOMEM ? num : -ENOSPC;
		goto err_unlock;
	}

	info->refcnt	= 1;
	info->did	= num;
	info->iommu	= iommu;
	curr = xa_cmpxchg(&domain->iommu_array, iommu->seq_id,
			  NULL, info, GFP_KERNEL);
	if (curr) {
		ret = xa_err(curr) ? : -EBUSY;
		goto err_clear;
	}

	mutex_unlock(&iommu->did_lock);
	return 0;

err_clear:
	ida_free(&iommu->domain_ida, info->did);
err_unlock:
	mutex_unlock(&iommu->did_lock);
	kfree(info);
	return ret;
}

void domain_detach_iommu(struct dmar_domain *domain, struct intel_iommu *iommu)
{
	struct iommu_domain_info *info;

	mutex_lock(&iommu->did_lock);
	info = xa_load(&domain->iommu_array, iommu->seq_id);
	if (!WARN_ON(!info) && --info->refcnt == 0) {
		ida_free(&iommu->domain_ida, info->did);
		xa_erase(&domain->iommu_array, iommu->seq_id);
		kfree(info);
	}
	mutex_unlock(&iommu->did_lock);
}

/* --- page tables ------------------------------------------------------------- */

static inline int domain_pfn_supported(struct dmar_domain *domain,
				       unsigned long pfn)
{
	int addr_width = agaw_to_width(domain->agaw) - VTD_PAGE_SHIFT;

	return !(addr_width < BITS_PER_LONG && pfn >> addr_width);
}

static inline struct dma_pte *dma_pte_table(struct dma_pte *pte)
{
	return phys_to_virt(dma_pte_addr(pte));
}

/* A table pte: present, points to the next level */
static u64 dma_table_pteval(struct dmar_domain *domain, void *table)
{
	return virt_to_phys(table) | DMA_PTE_READ | DMA_PTE_WRITE;
}

static bool dma_subtree_has_leaf(struct dma_pte *table, int level)
{
	int i;

	for (i = 0; i < (1 << LEVEL_STRIDE); i++) {
		struct dma_pte *pte = &table[i];

		if (!dma_pte_present(pte))
			continue;
		if (level == 1 || dma_pte_superpage(pte))
			return true;
		if (dma_subtree_has_leaf(dma_pte_table(pte), level - 1))
			return true;
	}
	return false;
}

/* Free the table pages below @table (a table of @level) and @table itself. */
static void dma_pte_free_subtree(struct dma_pte *table, int level)
{
	int i;

	if (level > 1) {
		for (i = 0; i < (1 << LEVEL_STRIDE); i++) {
			struct dma_pte *pte = &table[i];

			if (dma_pte_present(pte) && !dma_pte_superpage(pte))
				dma_pte_free_subtree(dma_pte_table(pte),
						     level - 1);
		}
	}
	iommu_free_pages(table);
}

/*
 * The pte at @target_level that maps @pfn, allocating the tables on the
 * way with @gfp.  Returns NULL on allocation failure or when a leaf above
 * @target_level already maps @pfn (*@target_level is then set to that leaf's
 * level).
 */
static struct dma_pte *pfn_to_dma_pte(struct dmar_domain *domain,
				      unsigned long pfn, int *target_level,
				      gfp_t gfp)
{
	struct dma_pte *parent, *pte;
	int level = agaw_to_level(domain->agaw);
	int offset;

	if (!domain_pfn_supported(domain, pfn))
		/* Address beyond IOMMU's addressing capabilities. */
		return NULL;

	parent = domain->pgd;

	while (1) {
		void *tmp_page;

		offset = pfn_level_offset(pfn, level);
		pte = &parent[offset];
		if (level == *target_level)
			break;
		if (dma_pte_present(pte) && dma_pte_superpage(pte)) {
			*target_level = level;
			return NULL;
		}

		if (!dma_pte_present(pte)) {
			tmp_page = iommu_alloc_pages_node_sz(domain->nid, gfp,
							     VTD_PAGE_SIZE);
			if (!tmp_page)
				return NULL;

			WRITE_ONCE(pte->val, dma_table_pteval(domain, tmp_page));
		}

		parent = dma_pte_table(pte);
		level--;
	}

	return pte;
}

/*
 * The leaf mapping @pfn, or NULL; *@large_level is its level (1: 4K,
 * 2: 2M, 3: 1G).
 */
static struct dma_pte *dma_pfn_level_pte(struct dmar_domain *domain,
					 unsigned long pfn, int *large_level)
{
	struct dma_pte *parent, *pte;
	int total = agaw_to_level(domain->agaw);
	int offset;

	*large_level = 0;
	if (!domain_pfn_supported(domain, pfn))
		return NULL;

	parent = domain->pgd;
	while (total > 0) {
		offset = pfn_level_offset(pfn, total);
		pte = &parent[offset];

		if (!dma_pte_present(pte))
			return NULL;

		if (total == 1 || dma_pte_superpage(pte)) {
			*large_level = total;
			return pte;
		}

		parent = dma_pte_table(pte);
		total--;
	}
	return NULL;
}

static u64 domain_leaf_pteval(struct dmar_domain *domain, phys_addr_t paddr,
			      int prot, int level)
{
	u64 attr;

	if (domain->use_first_level) {
		attr = DMA_FL_PTE_PRESENT;
		if (prot & IOMMU_WRITE)
			attr |= DMA_PTE_WRITE;
	} else {
		attr = 0;
		if (prot & IOMMU_READ)
			attr |= DMA_PTE_READ;
		if (prot & IOMMU_WRITE)
			attr |= DMA_PTE_WRITE;
	}
	if (level > 1)
		attr |= DMA_PTE_LARGE_PAGE;

	return (paddr & HW_PTE_ADDR_MASK) | attr;
}

/*
 * Install one leaf of @level at @iova.  An empty table where the leaf goes
 * (left by earlier unmaps) is replaced; anything mapped there is
 * -EADDRINUSE.
 */
static int domain_map_one(struct dmar_domain *domain, unsigned long iova,
			  phys_addr_t paddr, int level, int prot, gfp_t gfp)
{
	int target = level;
	struct dma_pte *pte;

	pte = pfn_to_dma_pte(domain, iova >> VTD_PAGE_SHIFT, &target, gfp);
	if (!pte)
		return target != level ? -EADDRINUSE : -ENOMEM;

	if (dma_pte_present(pte)) {
		struct dma_pte *table;

		if (level == 1 || dma_pte_superpage(pte))
			return -EADDRINUSE;
		table = dma_pte_table(pte);
		if (dma_subtree_has_leaf(table, level - 1))
			return -EADDRINUSE;
		/*
		 * Nothing is mapped below: the unit caches no intermediate
		 * entries, so the empty tables can go right away.
		 */
		WRITE_ONCE(pte->val, 0);
		dma_pte_free_subtree(table, level - 1);
	}

	WRITE_ONCE(pte->val, domain_leaf_pteval(domain, paddr, prot, level));
	return 0;
}

static int pgsize_to_level(size_t pgsize)
{
	switch (pgsize) {
	case SZ_4K:
		return 1;
	case SZ_2M:
		return 2;
	case SZ_1G:
		return 3;
	default:
		return 0;
	}
}

static int intel_iommu_map_pages(struct iommu_domain *domain,
				 unsigned long iova, phys_addr_t paddr,
				 size_t pgsize, size_t pgcount,
				 int prot, gfp_t gfp, size_t *mapped)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	int level = pgsize_to_level(pgsize);
	unsigned long max_addr;
	size_t i;
	int ret = 0;

	if (!level || !(domain->pgsize_bitmap & pgsize))
		return -EINVAL;

	if (!IS_ALIGNED(iova | paddr, pgsize))
		return -EINVAL;

	if (!(prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;

	max_addr = iova + pgsize * pgcount - 1;
	if (max_addr > __DOMAIN_MAX_ADDR(dmar_domain->gaw)) {
		pr_err("%s: iommu width (%d) is not sufficient for the mapped address (%lx)\n",
		       __func__, dmar_domain->gaw, max_addr);
		return -EFAULT;
	}

	if (intel_iommu_should_fail())
		return -ENOMEM;

	for (i = 0; i < pgcount; i++) {
		ret = domain_map_one(dmar_domain, iova + i * pgsize,
				     paddr + i * pgsize, level, prot, gfp);
		if (ret)
			break;
	}

	/*
	 * Report what was mapped even on failure, so the core unrolls
	 * exactly that.
	 */
	if (mapped)
		*mapped = i * pgsize;
	return ret;
}

static size_t intel_iommu_unmap_pages(struct iommu_domain *domain,
				      unsigned long iova,
				      size_t pgsize, size_t pgcount,
				      struct iommu_iotlb_gather *gather)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	size_t size = pgsize * pgcount, unmapped = 0;

	/*
	 * Cope with the API: an unmap covering the start of a large-page
	 * mapping removes the whole large page.  It stops at the first hole
	 * or at a large page it would have to split.
	 */
	while (unmapped < size) {
		unsigned long cur = iova + unmapped;
		struct dma_pte *pte;
		u64 leaf_size;
		int level;

		pte = dma_pfn_level_pte(dmar_domain, cur >> VTD_PAGE_SHIFT,
					&level);
		if (!pte)
			break;

		leaf_size = level_size(level) << VTD_PAGE_SHIFT;
		if (!IS_ALIGNED(cur, leaf_size))
			break;

		WRITE_ONCE(pte->val, 0);
		unmapped += leaf_size;
	}

	if (unmapped)
		iommu_iotlb_gather_add_range(gather, iova, unmapped);

	return unmapped;
}

static void intel_iommu_tlb_sync(struct iommu_domain *domain,
				 struct iommu_iotlb_gather *gather)
{
	if (!gather->end)
		return;

	/*
	 * lusim test hook: leave the caches stale, so a test can show the
	 * machine keeps translating through what was unmapped.
	 */
	if (intel_iommu_lusim_skip_unmap_flush)
		return;

	cache_tag_flush_range(to_dmar_domain(domain), gather->start,
			      gather->end, 0);
}

static void intel_flush_iotlb_all(struct iommu_domain *domain)
{
	cache_tag_flush_all(to_dmar_domain(domain));
}

static phys_addr_t intel_iommu_iova_to_phys(struct iommu_domain *domain,
					    dma_addr_t iova)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct dma_pte *pte;
	int level = 0;
	u64 phys = 0;

	pte = dma_pfn_level_pte(dmar_domain, iova >> VTD_PAGE_SHIFT, &level);
	if (pte && dma_pte_present(pte))
		phys = dma_pte_addr(pte) +
			(iova & (BIT_MASK(level_to_offset_bits(level) +
						VTD_PAGE_SHIFT) - 1));

	return phys;
}

/* --- domains ----------------------------------------------------------------- */

static struct dmar_domain *paging_domain_alloc(struct intel_iommu *iommu,
					       bool first_stage)
{
	struct dmar_domain *domain;

	domain = kzalloc(sizeof(*domain), GFP_KERNEL);
	if (!domain)
		return ERR_PTR(-ENOMEM);

	INIT_LIST_HEAD(&domain->devices);
	INIT_LIST_HEAD(&domain->dev_pasids);
	INIT_LIST_HEAD(&domain->cache_tags);
	spin_lock_init(&domain->lock);
	spin_lock_init(&domain->cache_lock);
	xa_init(&domain->iommu_array);
	INIT_LIST_HEAD(&domain->s1_domains);
	spin_lock_init(&domain->s1_lock);

	domain->nid = iommu->node;
	domain->use_first_level = first_stage;
	domain->iommu_coherency = ecap_coherent(iommu->ecap);
	domain->lusim_quirks = iommu->lusim_quirks;

	/* first-stage tables are 4-level: 48 bits */
	domain->agaw = first_stage ? width_to_agaw(ADDR_WIDTH_4LEVEL) :
				     iommu->agaw;
	domain->gaw = agaw_to_width(domain->agaw);

	domain->pgd = iommu_alloc_pages_node_sz(domain->nid, GFP_KERNEL,
						VTD_PAGE_SIZE);
	if (!domain->pgd) {
		kfree(domain);
		return ERR_PTR(-ENOMEM);
	}

	domain->domain.type = IOMMU_DOMAIN_UNMANAGED;
	domain->domain.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	domain->domain.geometry.aperture_start = 0;
	domain->domain.geometry.aperture_end = __DOMAIN_MAX_ADDR(domain->gaw);
	domain->domain.geometry.force_aperture = true;

	return domain;
}

static struct iommu_domain *
intel_iommu_domain_alloc_first_stage(struct device *dev,
				     struct intel_iommu *iommu, u32 flags)
{
	struct dmar_domain *dmar_domain;

	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return ERR_PTR(-EOPNOTSUPP);

	/* Only SL is available in legacy mode */
	if (!sm_supported(iommu) || !ecap_flts(iommu->ecap))
		return ERR_PTR(-EOPNOTSUPP);

	dmar_domain = paging_domain_alloc(iommu, true);
	if (IS_ERR(dmar_domain))
		return ERR_CAST(dmar_domain);

	dmar_domain->domain.ops =
		intel_domain_ops_for(&intel_fs_paging_domain_ops,
				     iommu->lusim_quirks);
	return &dmar_domain->domain;
}

static struct iommu_domain *
intel_iommu_domain_alloc_second_stage(struct device *dev,
				      struct intel_iommu *iommu, u32 flags)
{
	struct dmar_domain *dmar_domain;

	if (flags &
	    (~(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
	       IOMMU_HWPT_ALLOC_PASID)))
		return ERR_PTR(-EOPNOTSUPP);

	/* The simulated unit has no second-stage dirty tracking. */
	if (((flags & IOMMU_HWPT_ALLOC_NEST_PARENT) &&
	     !nested_supported(iommu)) ||
	    (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return ERR_PTR(-EOPNOTSUPP);

	/* Legacy mode always supports second stage */
	if (sm_supported(iommu) && !ecap_slts(iommu->ecap))
		return ERR_PTR(-EOPNOTSUPP);

	dmar_domain = paging_domain_alloc(iommu, false);
	if (IS_ERR(dmar_domain))
		return ERR_CAST(dmar_domain);

	dmar_domain->domain.ops =
		intel_domain_ops_for(&intel_ss_paging_domain_ops,
				     iommu->lusim_quirks);
	dmar_domain->nested_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;

	return &dmar_domain->domain;
}

static struct iommu_domain *
intel_iommu_domain_alloc_paging_flags(struct device *dev, u32 flags,
				      const struct iommu_user_data *user_data)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	struct iommu_domain *domain;

	if (user_data)
		return ERR_PTR(-EOPNOTSUPP);

	if (intel_iommu_should_fail())
		return ERR_PTR(-ENOMEM);

	/* Prefer first stage if possible by default. */
	domain = intel_iommu_domain_alloc_first_stage(dev, iommu, flags);
	if (domain != ERR_PTR(-EOPNOTSUPP))
		return domain;
	return intel_iommu_domain_alloc_second_stage(dev, iommu, flags);
}

static void intel_iommu_domain_free(struct iommu_domain *domain)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);

	if (WARN_ON(dmar_domain->nested_parent &&
		    !list_empty(&dmar_domain->s1_domains)))
		return;

	if (WARN_ON(!list_empty(&dmar_domain->devices)))
		return;

	WARN_ON(!list_empty(&dmar_domain->dev_pasids));
	WARN_ON(!list_empty(&dmar_domain->cache_tags));
	WARN_ON(!xa_empty(&dmar_domain->iommu_array));

	if (dmar_domain->pgd)
		dma_pte_free_subtree(dmar_domain->pgd,
				     agaw_to_level(dmar_domain->agaw));
	xa_destroy(&dmar_domain->iommu_array);
	kfree(dmar_domain);
}

static int paging_domain_compatible_first_stage(struct dmar_domain *dmar_domain,
						struct intel_iommu *iommu)
{
	if (WARN_ON(dmar_domain->nested_parent))
		return -EINVAL;

	/* Only SL is available in legacy mode */
	if (!sm_supported(iommu) || !ecap_flts(iommu->ecap))
		return -EINVAL;

	if (!cap_fl1gp_support(iommu->cap) &&
	    (dmar_domain->domain.pgsize_bitmap & SZ_1G))
		return -EINVAL;

	return 0;
}

static int
paging_domain_compatible_second_stage(struct dmar_domain *dmar_domain,
				      struct intel_iommu *iommu)
{
	unsigned int sagaw = cap_sagaw(iommu->cap);

	if (sm_supported(iommu) && !ecap_slts(iommu->ecap))
		return -EINVAL;
	if (dmar_domain->nested_parent && !nested_supported(iommu))
		return -EINVAL;

	/* The unit must walk a table of the domain's depth. */
	if (!(sagaw & BIT(dmar_domain->agaw)))
		return -EINVAL;

	return 0;
}

int paging_domain_compatible(struct iommu_domain *domain, struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct intel_iommu *iommu = info->iommu;
	int ret = -EINVAL;

	if (intel_domain_is_fs_paging(dmar_domain))
		ret = paging_domain_compatible_first_stage(dmar_domain, iommu);
	else if (intel_domain_is_ss_paging(dmar_domain))
		ret = paging_domain_compatible_second_stage(dmar_domain, iommu);
	else if (WARN_ON(true))
		ret = -EINVAL;
	if (ret)
		return ret;

	/* The unit must address the whole aperture the domain maps. */
	if (dmar_domain->gaw > agaw_to_width(iommu->msagaw) &&
	    !dmar_domain->use_first_level)
		return -EINVAL;

	return 0;
}

/* --- context entries (legacy mode) --------------------------------------------- */

static struct device_domain_info *
domain_lookup_dev_info(struct dmar_domain *domain,
		       struct intel_iommu *iommu, u8 bus, u8 devfn)
{
	struct device_domain_info *info;
	unsigned long flags;

	spin_lock_irqsave(&domain->lock, flags);
	list_for_each_entry(info, &domain->devices, link) {
		if (info->iommu == iommu && info->bus == bus &&
		    info->devfn == devfn) {
			spin_unlock_irqrestore(&domain->lock, flags);
			return info;
		}
	}
	spin_unlock_irqrestore(&domain->lock, flags);

	return NULL;
}

static void iommu_enable_pci_ats(struct device_domain_info *info)
{
	struct pci_dev *pdev;

	if (!info->ats_supported || info->ats_enabled)
		return;

	pdev = to_pci_dev(info->dev);
	if (!pci_enable_ats(pdev, VTD_PAGE_SHIFT))
		info->ats_enabled = 1;
}

static void iommu_disable_pci_ats(struct device_domain_info *info)
{
	if (!info->ats_enabled)
		return;

	pci_disable_ats(to_pci_dev(info->dev));
	info->ats_enabled = 0;
}

static int domain_context_mapping_one(struct dmar_domain *domain,
				      struct intel_iommu *iommu,
				      u8 bus, u8 devfn)
{
	struct device_domain_info *info =
			domain_lookup_dev_info(domain, iommu, bus, devfn);
	u16 did = domain_id_iommu(domain, iommu);
	int translation = CONTEXT_TT_MULTI_LEVEL;
	struct dma_pte *pgd = domain->pgd;
	struct context_entry *context;
	int ret;

	pr_debug("Set context mapping for %02x:%02x.%d\n",
		bus, PCI_SLOT(devfn), PCI_FUNC(devfn));

	spin_lock(&iommu->lock);
	ret = -ENOMEM;
	context = iommu_context_addr(iommu, bus, devfn, 1);
	if (!context)
		goto out_unlock;

	ret = 0;
	if (context_present(context))
		goto out_unlock;

	context_clear_entry(context);
	context_set_domain_id(context, did);

	if (info && info->ats_supported)
		translation = CONTEXT_TT_DEV_IOTLB;
	else
		translation = CONTEXT_TT_MULTI_LEVEL;

	context_set_address_root(context, virt_to_phys(pgd));
	context_set_address_width(context, domain->agaw);
	context_set_translation_type(context, translation);
	context_set_fault_enable(context);
	context_set_present(context);

	/*
	 * It's a non-present to present mapping. If hardware doesn't cache
	 * non-present entry we only need to flush the write-buffer.
	 */
out_unlock:
	spin_unlock(&iommu->lock);

	return ret;
}

static int domain_context_mapping(struct dmar_domain *domain, struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;

	/* The simulated platform has no DMA aliases: just the device. */
	return domain_context_mapping_one(domain, iommu, info->bus, info->devfn);
}

/* Program a legacy context entry for pass-through (identity domain). */
static int context_setup_pass_through(struct device *dev, u8 bus, u8 devfn)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	struct context_entry *context;

	spin_lock(&iommu->lock);
	context = iommu_context_addr(iommu, bus, devfn, 1);
	if (!context) {
		spin_unlock(&iommu->lock);
		return -ENOMEM;
	}

	if (context_present(context)) {
		spin_unlock(&iommu->lock);
		return 0;
	}

	context_clear_entry(context);
	context_set_domain_id(context, FLPT_DEFAULT_DID);

	/*
	 * In pass through mode, AW must be programmed to indicate the largest
	 * AGAW value supported by hardware. And ASR is ignored by hardware.
	 */
	context_set_address_width(context, iommu->msagaw);
	context_set_translation_type(context, CONTEXT_TT_PASS_THROUGH);
	context_set_fault_enable(context);
	context_set_present(context);
	spin_unlock(&iommu->lock);

	return 0;
}

static void __context_flush_dev_iotlb(struct device_domain_info *info)
{
	if (!info->ats_enabled)
		return;

	qi_flush_dev_iotlb(info->iommu, PCI_DEVID(info->bus, info->devfn),
			   info->pfsid, info->ats_qdep, 0, MAX_AGAW_PFN_WIDTH);
}

/*
 * Cache invalidations after change in a context table entry that was present
 * according to the Spec 6.5.3.3 (Guidance to Software for Invalidations).
 * The caller has torn down every PASID entry of the device first (scalable
 * mode), so only the context cache and the device-TLB remain.
 */
void intel_context_flush_no_pasid(struct device_domain_info *info,
				  struct context_entry *context, u16 did)
{
	struct intel_iommu *iommu = info->iommu;

	/*
	 * Device-selective context-cache invalidation. The Domain-ID field
	 * of the Context-cache Invalidate Descriptor is ignored by hardware
	 * when operating in scalable mode. Therefore the @did value doesn't
	 * matter in scalable mode.
	 */
	iommu->flush.flush_context(iommu, did, PCI_DEVID(info->bus, info->devfn),
				   DMA_CCMD_MASK_NOBIT, DMA_CCMD_DEVICE_INVL);

	/*
	 * For legacy mode:
	 * - Domain-selective IOTLB invalidation
	 * - Global Device-TLB invalidation to all affected functions
	 */
	if (!sm_supported(iommu))
		iommu->flush.flush_iotlb(iommu, did, 0, 0, DMA_TLB_DSI_FLUSH);

	__context_flush_dev_iotlb(info);
}

static void domain_context_clear_one(struct device_domain_info *info, u8 bus,
				     u8 devfn)
{
	struct intel_iommu *iommu = info->iommu;
	struct context_entry *context;
	u16 did;

	spin_lock(&iommu->lock);
	context = iommu_context_addr(iommu, bus, devfn, 0);
	if (!context || !context_present(context)) {
		spin_unlock(&iommu->lock);
		return;
	}

	did = context_domain_id(context);
	context_clear_entry(context);
	spin_unlock(&iommu->lock);
	intel_context_flush_no_pasid(info, context, did);
}

/*
 * Make sure the memory an attach at @pasid needs (context table in legacy
 * mode, PASID table leaf in scalable mode) exists, before the old
 * translation is torn down.
 */
static int intel_iommu_prepare_entry(struct device_domain_info *info,
				     ioasid_t pasid)
{
	struct intel_iommu *iommu = info->iommu;
	void *entry;

	spin_lock(&iommu->lock);
	if (sm_supported(iommu))
		entry = intel_pasid_get_entry(info->dev, pasid);
	else
		entry = iommu_context_addr(iommu, info->bus, info->devfn, 1);
	spin_unlock(&iommu->lock);

	return entry ? 0 : -ENOMEM;
}

/* --- attach -------------------------------------------------------------------- */

/*
 * Clear the page table pointer in context or pasid table entries so that
 * all DMA requests without PASID from the device are blocked. If the page
 * table has been set, clean up the data structures.
 */
void device_block_translation(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	unsigned long flags;

	/* Device in DMA blocking state. Noting to do. */
	if (!info->domain_attached)
		return;

	if (info->domain)
		cache_tag_unassign_domain(info->domain, dev, IOMMU_NO_PASID);

	if (!dev_is_real_dma_subdevice(dev)) {
		if (sm_supported(iommu))
			intel_pasid_tear_down_entry(iommu, dev,
						    IOMMU_NO_PASID, false);
		else
			domain_context_clear_one(info, info->bus, info->devfn);
	}

	/* Device now in DMA blocking state. */
	info->domain_attached = false;

	if (!info->domain)
		return;

	spin_lock_irqsave(&info->domain->lock, flags);
	list_del(&info->link);
	spin_unlock_irqrestore(&info->domain->lock, flags);

	domain_detach_iommu(info->domain, iommu);
	info->domain = NULL;
}

static int domain_setup_second_level(struct intel_iommu *iommu,
				     struct dmar_domain *domain,
				     struct device *dev, ioasid_t pasid,
				     struct iommu_domain *old)
{
	if (!old)
		return intel_pasid_setup_second_level(iommu, domain,
						      dev, pasid);
	return intel_pasid_replace_second_level(iommu, domain, dev,
						iommu_domain_did(old, iommu),
						pasid);
}

static int domain_setup_passthrough(struct intel_iommu *iommu,
				    struct device *dev, ioasid_t pasid,
				    struct iommu_domain *old)
{
	if (!old)
		return intel_pasid_setup_pass_through(iommu, dev, pasid);
	return intel_pasid_replace_pass_through(iommu, dev,
						iommu_domain_did(old, iommu),
						pasid);
}

static int domain_setup_first_level(struct intel_iommu *iommu,
				    struct dmar_domain *domain,
				    struct device *dev,
				    u32 pasid, struct iommu_domain *old)
{
	struct dma_pte *pgd = domain->pgd;
	int flags = 0;

	if (!old)
		return intel_pasid_setup_first_level(iommu, dev,
						     virt_to_phys(pgd),
						     pasid,
						     domain_id_iommu(domain, iommu),
						     flags);
	return intel_pasid_replace_first_level(iommu, dev, virt_to_phys(pgd),
					       pasid,
					       domain_id_iommu(domain, iommu),
					       iommu_domain_did(old, iommu),
					       flags);
}

/*
 * Live update: a device whose domain could not be restored still has the
 * previous kernel's entry, live.  It goes before the new one is written (a
 * setup refuses a present entry).  v1 skipped programming for any device
 * with restored state, so such a device kept translating through the old
 * tables while the kernel believed it was on the new domain.
 */
static void dmar_domain_drop_restored_entry(struct device_domain_info *info)
{
	if (sm_supported(info->iommu))
		intel_pasid_tear_down_entry(info->iommu, info->dev,
					    IOMMU_NO_PASID, false);
	else
		domain_context_clear_one(info, info->bus, info->devfn);
}

static int dmar_domain_attach_device(struct dmar_domain *domain,
				     struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	struct device_ser *device_ser;
	unsigned long flags;
	int restore_did;
	int ret;

	/* Live update: reuse the domain id of the previous kernel (v1 09/14) */
	device_ser = dev_iommu_restored_state(dev);
	restore_did = dev_iommu_restore_did(dev, &domain->domain);

	ret = domain_attach_iommu(domain, iommu, restore_did);
	if (ret)
		return ret;

	ret = cache_tag_assign_domain(domain, dev, IOMMU_NO_PASID);
	if (ret)
		goto out_detach_iommu;

	ret = intel_iommu_prepare_entry(info, IOMMU_NO_PASID);
	if (ret)
		goto out_unassign_tag;

	/* Nothing below can fail: the old translation goes, the new comes. */
	device_block_translation(dev);

	info->domain = domain;
	info->domain_attached = true;
	spin_lock_irqsave(&domain->lock, flags);
	list_add(&info->link, &domain->devices);
	spin_unlock_irqrestore(&domain->lock, flags);

	if (dev_is_real_dma_subdevice(dev))
		return 0;

	/*
	 * The restored domain of a preserved device: its context (and PASID)
	 * entry is the previous kernel's, live and already pointing here.
	 * The hardware goes on without a change (v1 09/14).
	 */
	if (restore_did >= 0)
		return 0;

	if (device_ser)
		dmar_domain_drop_restored_entry(info);

	if (!sm_supported(iommu))
		ret = domain_context_mapping(domain, dev);
	else if (intel_domain_is_fs_paging(domain))
		ret = domain_setup_first_level(iommu, domain, dev,
					       IOMMU_NO_PASID, NULL);
	else if (intel_domain_is_ss_paging(domain))
		ret = domain_setup_second_level(iommu, domain, dev,
						IOMMU_NO_PASID, NULL);
	else if (WARN_ON(true))
		ret = -EINVAL;

	if (WARN_ON(ret)) {
		device_block_translation(dev);
		return ret;
	}

	return 0;

out_unassign_tag:
	cache_tag_unassign_domain(domain, dev, IOMMU_NO_PASID);
out_detach_iommu:
	domain_detach_iommu(domain, iommu);
	return ret;
}

static int intel_iommu_attach_device(struct iommu_domain *domain,
				     struct device *dev,
				     struct iommu_domain *old)
{
	int ret;

	ret = paging_domain_compatible(domain, dev);
	if (ret)
		return ret;

	/*
	 * The first attach of a device (its default domain at probe) must
	 * not fail; a replace may.
	 */
	if (old && intel_iommu_should_fail())
		return -ENOMEM;

	return dmar_domain_attach_device(to_dmar_domain(domain), dev);
}

struct dev_pasid_info *
domain_add_dev_pasid(struct iommu_domain *domain,
		     struct device *dev, ioasid_t pasid)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct intel_iommu *iommu = info->iommu;
	struct dev_pasid_info *dev_pasid;
	unsigned long flags;
	int ret;

	dev_pasid = kzalloc(sizeof(*dev_pasid), GFP_KERNEL);
	if (!dev_pasid)
		return ERR_PTR(-ENOMEM);

	ret = domain_attach_iommu(dmar_domain, iommu, -1);
	if (ret)
		goto out_free;

	ret = cache_tag_assign_domain(dmar_domain, dev, pasid);
	if (ret)
		goto out_detach_iommu;

	dev_pasid->dev = dev;
	dev_pasid->pasid = pasid;
	spin_lock_irqsave(&dmar_domain->lock, flags);
	list_add(&dev_pasid->link_domain, &dmar_domain->dev_pasids);
	spin_unlock_irqrestore(&dmar_domain->lock, flags);

	return dev_pasid;
out_detach_iommu:
	domain_detach_iommu(dmar_domain, iommu);
out_free:
	kfree(dev_pasid);
	return ERR_PTR(ret);
}

void domain_remove_dev_pasid(struct iommu_domain *domain,
			     struct device *dev, ioasid_t pasid)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dev_pasid_info *curr, *dev_pasid = NULL;
	struct intel_iommu *iommu = info->iommu;
	struct dmar_domain *dmar_domain;
	unsigned long flags;

	if (!domain)
		return;

	/* Identity domain has no meta data for pasid. */
	if (domain->type == IOMMU_DOMAIN_IDENTITY)
		return;

	dmar_domain = to_dmar_domain(domain);
	spin_lock_irqsave(&dmar_domain->lock, flags);
	list_for_each_entry(curr, &dmar_domain->dev_pasids, link_domain) {
		if (curr->dev == dev && curr->pasid == pasid) {
			list_del(&curr->link_domain);
			dev_pasid = curr;
			break;
		}
	}
	spin_unlock_irqrestore(&dmar_domain->lock, flags);

	cache_tag_unassign_domain(dmar_domain, dev, pasid);
	domain_detach_iommu(dmar_domain, iommu);
	kfree(dev_pasid);
}

static int intel_iommu_set_dev_pasid(struct iommu_domain *domain,
				     struct device *dev, ioasid_t pasid,
				     struct iommu_domain *old)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct intel_iommu *iommu = info->iommu;
	struct dev_pasid_info *dev_pasid;
	int ret;

	if (WARN_ON_ONCE(!(domain->type & __IOMMU_DOMAIN_PAGING)))
		return -EINVAL;

	if (!pasid_supported(iommu) || dev_is_real_dma_subdevice(dev))
		return -EOPNOTSUPP;

	ret = paging_domain_compatible(domain, dev);
	if (ret)
		return ret;

	if (intel_iommu_should_fail())
		return -ENOMEM;

	dev_pasid = domain_add_dev_pasid(domain, dev, pasid);
	if (IS_ERR(dev_pasid))
		return PTR_ERR(dev_pasid);

	if (intel_domain_is_fs_paging(dmar_domain))
		ret = domain_setup_first_level(iommu, dmar_domain,
					       dev, pasid, old);
	else if (intel_domain_is_ss_paging(dmar_domain))
		ret = domain_setup_second_level(iommu, dmar_domain,
						dev, pasid, old);
	else if (WARN_ON(true))
		ret = -EINVAL;

	if (ret)
		goto out_remove_dev_pasid;

	domain_remove_dev_pasid(old, dev, pasid);

	return 0;

out_remove_dev_pasid:
	domain_remove_dev_pasid(domain, dev, pasid);
	return ret;
}

/* --- blocking and identity domains ------------------------------------------- */

static int blocking_domain_attach_dev(struct iommu_domain *domain,
				      struct device *dev,
				      struct iommu_domain *old)
{
	device_block_translation(dev);
	return 0;
}

static int blocking_domain_set_dev_pasid(struct iommu_domain *domain,
					 struct device *dev, ioasid_t pasid,
					 struct iommu_domain *old)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);

	intel_pasid_tear_down_entry(info->iommu, dev, pasid, false);
	domain_remove_dev_pasid(old, dev, pasid);

	return 0;
}

static const struct iommu_domain_ops blocking_domain_ops = {
	.attach_dev	= blocking_domain_attach_dev,
	.set_dev_pasid	= blocking_domain_set_dev_pasid,
};

static struct iommu_domain blocking_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &blocking_domain_ops,
};

static int identity_domain_attach_dev(struct iommu_domain *domain,
				      struct device *dev,
				      struct iommu_domain *old)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	int ret;

	ret = intel_iommu_prepare_entry(info, IOMMU_NO_PASID);
	if (ret)
		return ret;

	device_block_translation(dev);

	if (dev_is_real_dma_subdevice(dev))
		return 0;

	if (sm_supported(iommu))
		ret = intel_pasid_setup_pass_through(iommu, dev, IOMMU_NO_PASID);
	else
		ret = context_setup_pass_through(dev, info->bus, info->devfn);

	if (!ret)
		info->domain_attached = true;

	return ret;
}

static int identity_domain_set_dev_pasid(struct iommu_domain *domain,
					 struct device *dev, ioasid_t pasid,
					 struct iommu_domain *old)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;
	int ret;

	if (!pasid_supported(iommu) || dev_is_real_dma_subdevice(dev))
		return -EOPNOTSUPP;

	ret = domain_setup_passthrough(iommu, dev, pasid, old);
	if (ret)
		return ret;

	domain_remove_dev_pasid(old, dev, pasid);
	return 0;
}

static const struct iommu_domain_ops identity_domain_ops = {
	.attach_dev	= identity_domain_attach_dev,
	.set_dev_pasid	= identity_domain_set_dev_pasid,
};

static struct iommu_domain identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &identity_domain_ops,
};

/* --- devices ---------------------------------------------------------------- */

static struct intel_iommu *device_lookup_iommu(struct device *dev, u8 *bus,
					       u8 *devfn)
{
	struct dmar_drhd_unit *drhd;
	struct pci_dev *pdev;

	if (!dev_is_pci(dev))
		return NULL;

	pdev = to_pci_dev(dev);
	drhd = dmar_find_matched_drhd_unit(pdev);
	if (!drhd || !drhd->iommu)
		return NULL;

	*bus = pdev->bus->number;
	*devfn = pdev->devfn;
	return drhd->iommu;
}

static struct iommu_device *intel_iommu_probe_device(struct device *dev)
{
	struct pci_dev *pdev = dev_is_pci(dev) ? to_pci_dev(dev) : NULL;
	struct device_domain_info *info;
	struct intel_iommu *iommu;
	u8 bus, devfn;
	int ret;

	iommu = device_lookup_iommu(dev, &bus, &devfn);
	if (!iommu || !iommu->iommu.ops)
		return ERR_PTR(-ENODEV);

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);

	info->bus = bus;
	info->devfn = devfn;
	info->segment = iommu->segment;
	info->dev = dev;
	info->iommu = iommu;
	if (pdev) {
		if (ecap_dev_iotlb_support(iommu->ecap) &&
		    pci_ats_supported(pdev))
			info->ats_supported = 1;
		if (sm_supported(iommu) && pasid_supported(iommu) &&
		    pci_max_pasids(pdev) > 0)
			info->pasid_supported = 1;
		info->pfsid = pci_dev_id(pdev);
	}

	dev_iommu_priv_set(dev, info);

	if (sm_supported(iommu) && !dev_is_real_dma_subdevice(dev)) {
		ret = intel_pasid_alloc_table(dev);
		if (ret) {
			dev_err(dev, "PASID table allocation failed\n");
			goto free;
		}

		ret = intel_pasid_setup_sm_context(dev);
		if (ret)
			goto free_table;
	}

	/*
	 * The PCIe spec, in its wisdom, declares that the behaviour of the
	 * device is undefined if you enable PASID support after ATS support.
	 * So always enable PASID support on devices which have it, even if
	 * we can't yet know if we're ever going to use it.  (The kernel does
	 * this in probe_finalize; the model has no such step, and enables ATS
	 * before the first attach so its device-TLB gets cache tags.)
	 */
	if (info->pasid_supported && !pci_enable_pasid(pdev, 0))
		info->pasid_enabled = 1;

	/*
	 * lusim: ATS left enabled by a previous kernel (kexec): the
	 * device-TLB holds translations of tables this kernel did not adopt.
	 * Unless the device's state is restored (live update: those tables
	 * are this kernel's again), they go before the device can use them
	 * (the kernel counts on the device having been reset).
	 */
	if (info->ats_supported && hw_pci_ats_enabled(pdev->hw) &&
	    !dev_iommu_restored_state(dev)) {
		struct hw_inv_desc desc = {
			.type	= HW_INV_DEVTLB,
			.gran	= HW_INV_PAGE,
			.sid	= PCI_DEVID(bus, devfn),
			.pasid	= HW_PASID_ALL,
			.am	= HW_INV_AM_ALL,
		};

		WARN_ON(hw_iommu_invalidate(iommu->hw, &desc));
	}
	iommu_enable_pci_ats(info);

	return &iommu->iommu;

free_table:
	intel_pasid_free_table(dev);
free:
	dev_iommu_priv_set(dev, NULL);
	kfree(info);

	return ERR_PTR(ret);
}

static void intel_iommu_release_device(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct intel_iommu *iommu = info->iommu;

	iommu_disable_pci_ats(info);

	if (info->pasid_enabled) {
		pci_disable_pasid(to_pci_dev(dev));
		info->pasid_enabled = 0;
	}

	if (sm_supported(iommu) && !dev_is_real_dma_subdevice(dev))
		intel_pasid_teardown_sm_context(dev);

	/*
	 * The device has been attached to the blocking domain
	 * (release_domain) by the core: nothing translates for it any more.
	 */
	WARN_ON(info->domain_attached || info->domain);

	intel_pasid_free_table(dev);
	dev_iommu_priv_set(dev, NULL);
	kfree(info);
}

static struct iommu_group *intel_iommu_device_group(struct device *dev)
{
	if (dev_is_pci(dev))
		return pci_device_group(dev);
	return generic_device_group(dev);
}

/* --- ops and their per-unit variants ------------------------------------------ */

const struct iommu_ops intel_iommu_ops = {
	.blocked_domain		= &blocking_domain,
	.release_domain		= &blocking_domain,
	.identity_domain	= &identity_domain,
	.domain_alloc_paging_flags = intel_iommu_domain_alloc_paging_flags,
	.domain_alloc_nested	= intel_iommu_domain_alloc_nested,
	.probe_device		= intel_iommu_probe_device,
	.release_device		= intel_iommu_release_device,
	.device_group		= intel_iommu_device_group,
	.pgsize_bitmap		= SZ_4K,
#ifdef CONFIG_IOMMU_LIVEUPDATE
	.preserve_device	= intel_iommu_preserve_device,
	.unpreserve_device	= intel_iommu_unpreserve_device,
	.preserve		= intel_iommu_preserve,
	.unpreserve		= intel_iommu_unpreserve,
#endif
};

const struct iommu_domain_ops intel_fs_paging_domain_ops = {
	.attach_dev		= intel_iommu_attach_device,
	.set_dev_pasid		= intel_iommu_set_dev_pasid,
	.map_pages		= intel_iommu_map_pages,
	.unmap_pages		= intel_iommu_unmap_pages,
	.iotlb_sync		= intel_iommu_tlb_sync,
	.flush_iotlb_all	= intel_flush_iotlb_all,
	.iova_to_phys		= intel_iommu_iova_to_phys,
	.free			= intel_iommu_domain_free,
#ifdef CONFIG_IOMMU_LIVEUPDATE
	.preserve		= intel_iommu_domain_preserve,
	.unpreserve		= intel_iommu_domain_unpreserve,
	.restore		= intel_iommu_domain_restore,
#endif
};

const struct iommu_domain_ops intel_ss_paging_domain_ops = {
	.attach_dev		= intel_iommu_attach_device,
	.set_dev_pasid		= intel_iommu_set_dev_pasid,
	.map_pages		= intel_iommu_map_pages,
	.unmap_pages		= intel_iommu_unmap_pages,
	.iotlb_sync		= intel_iommu_tlb_sync,
	.flush_iotlb_all	= intel_flush_iotlb_all,
	.iova_to_phys		= intel_iommu_iova_to_phys,
	.free			= intel_iommu_domain_free,
#ifdef CONFIG_IOMMU_LIVEUPDATE
	.preserve		= intel_iommu_domain_preserve,
	.unpreserve		= intel_iommu_domain_unpreserve,
	.restore		= intel_iommu_domain_restore,
#endif
};

#ifdef CONFIG_IOMMU_LIVEUPDATE
/*
 * A domain restored from the previous kernel (intel_iommu_domain_restore()):
 * attached at probe, freed by its owner; no map, unmap or PASID attach on
 * tables the old kernel built (RB-15).  iova_to_phys() only reads.
 */
const struct iommu_domain_ops intel_restored_domain_ops = {
	.attach_dev		= intel_iommu_attach_device,
	.iova_to_phys		= intel_iommu_iova_to_phys,
	.free			= intel_iommu_domain_free,
};
#endif

/*
 * lusim: the machine configuration can give a unit a driver whose ops lack
 * set_dev_pasid or the live-update ops (<lusim/intel-iommu.h>).  Each set
 * of quirks has its own copy of the ops, derived from the real ones at boot;
 * units with the same quirks share it, as units of one driver share
 * intel_iommu_ops.
 */
struct intel_ops_variant {
	struct iommu_ops ops;
	struct iommu_domain_ops fs_ops, ss_ops, nested_ops;
	struct iommu_domain_ops blocking_ops, identity_ops;
	struct iommu_domain blocking_domain, identity_domain;
};

static struct intel_ops_variant intel_ops_variants[LUSIM_INTEL_QUIRK_ALL + 1];

static void intel_domain_ops_strip(struct iommu_domain_ops *ops,
				   unsigned int quirks)
{
	if (quirks & LUSIM_INTEL_QUIRK_NO_SET_DEV_PASID)
		ops->set_dev_pasid = NULL;
	if (quirks & LUSIM_INTEL_QUIRK_NO_LIVEUPDATE) {
		ops->preserve = NULL;
		ops->unpreserve = NULL;
		ops->restore = NULL;
	}
}

static void intel_iommu_build_ops_variants(void)
{
	unsigned int quirks;

	for (quirks = 1; quirks <= LUSIM_INTEL_QUIRK_ALL; quirks++) {
		struct intel_ops_variant *v = &intel_ops_variants[quirks];

		v->fs_ops = intel_fs_paging_domain_ops;
		v->ss_ops = intel_ss_paging_domain_ops;
		v->nested_ops = intel_nested_domain_ops;
		v->blocking_ops = blocking_domain_ops;
		v->identity_ops = identity_domain_ops;
		intel_domain_ops_strip(&v->fs_ops, quirks);
		intel_domain_ops_strip(&v->ss_ops, quirks);
		intel_domain_ops_strip(&v->nested_ops, quirks);
		intel_domain_ops_strip(&v->blocking_ops, quirks);
		intel_domain_ops_strip(&v->identity_ops, quirks);

		v->blocking_domain = blocking_domain;
		v->blocking_domain.ops = &v->blocking_ops;
		v->identity_domain = identity_domain;
		v->identity_domain.ops = &v->identity_ops;

		v->ops = intel_iommu_ops;
		v->ops.blocked_domain = &v->blocking_domain;
		v->ops.release_domain = &v->blocking_domain;
		v->ops.identity_domain = &v->identity_domain;
		if (quirks & LUSIM_INTEL_QUIRK_NO_LIVEUPDATE) {
			v->ops.preserve_device = NULL;
			v->ops.unpreserve_device = NULL;
			v->ops.preserve = NULL;
			v->ops.unpreserve = NULL;
		}
	}
}

const struct iommu_ops *intel_iommu_ops_for(unsigned int quirks)
{
	if (!quirks)
		return &intel_iommu_ops;
	return &intel_ops_variants[quirks & LUSIM_INTEL_QUIRK_ALL].ops;
}

const struct iommu_domain_ops *
intel_domain_ops_for(const struct iommu_domain_ops *base, unsigned int quirks)
{
	struct intel_ops_variant *v;

	if (!quirks)
		return base;

	v = &intel_ops_variants[quirks & LUSIM_INTEL_QUIRK_ALL];
	if (base == &intel_fs_paging_domain_ops)
		return &v->fs_ops;
	if (base == &intel_ss_paging_domain_ops)
		return &v->ss_ops;
	if (base == &intel_nested_domain_ops)
		return &v->nested_ops;
	WARN_ON(1);
	return base;
}

/* --- bring-up -------------------------------------------------------------------- */

/* Root table, translation on, and registration with the IOMMU core. */
static int intel_iommu_init_unit(struct intel_iommu *iommu)
{
	struct iommu_ser *iommu_ser = NULL;
	int ret;

#ifdef CONFIG_IOMMU_LIVEUPDATE
	/* Live update: the unit's state from the previous kernel (v1 08/14) */
	iommu_ser = iommu_get_preserved_data(iommu->reg_phys, IOMMU_INTEL);
#endif

	/*
	 * The previous kernel may have left translation on (kexec): turn it
	 * off while the root table changes, as the kernel does unless it
	 * copies the old tables (kdump) or adopts them (live update: the
	 * preserved devices' DMA goes on).
	 */
	if ((iommu->flags & VTD_FLAG_TRANS_PRE_ENABLED) && !iommu_ser)
		iommu_disable_translation(iommu);
	iommu->flags &= ~VTD_FLAG_TRANS_PRE_ENABLED;

	ret = iommu_alloc_root_entry(iommu, iommu_ser);
	if (ret)
		return ret;

	iommu_set_root_entry(iommu);
	iommu_enable_translation(iommu);

	iommu->iommu.max_pasids = pasid_supported(iommu) ?
				  2UL << ecap_pss(iommu->ecap) : 0;

	ret = iommu_device_register(&iommu->iommu,
				    intel_iommu_ops_for(iommu->lusim_quirks),
				    NULL);
	if (ret) {
		iommu_disable_translation(iommu);
		free_context_table(iommu);
		return ret;
	}
	return 0;
}

static void intel_iommu_exit_unit(struct intel_iommu *iommu)
{
	iommu_device_unregister(&iommu->iommu);
	iommu_disable_translation(iommu);
	free_context_table(iommu);
	iommu->iommu.ops = NULL;
}

int dmar_iommu_hotplug(struct dmar_drhd_unit *dmaru, bool insert)
{
	/*
	 * RB-10 (switch): RFC v1 03/15 refused DRHD hotplug whenever the
	 * global live-update state was not "normal", whatever the unit had to
	 * do with the preserved devices. The fix: no global gate (units that
	 * host preserved devices cannot be removed anyway: their functions are
	 * still there).
	 */
	if (lusim_bug_enabled("RB-10") && !lusim_liveupdate_state_normal())
		return -EBUSY;

	if (insert)
		return intel_iommu_init_unit(dmaru->iommu);

	intel_iommu_exit_unit(dmaru->iommu);
	return 0;
}

/*
 * intel_iommu_init(): find the units and bring each up.  The machine's PCI
 * functions are enumerated later (subsys), and probed as they appear.
 */
static int intel_iommu_init(void)
{
	struct dmar_drhd_unit *drhd;
	struct intel_iommu *iommu;
	int ret;

	intel_iommu_build_ops_variants();

	ret = dmar_table_init();
	if (ret)
		return ret;

	for_each_active_iommu(iommu, drhd) {
		ret = intel_iommu_init_unit(iommu);
		if (ret) {
			pr_err("Initialization of %s failed: %d\n",
			       iommu->name, ret);
			return ret;
		}
	}

	intel_iommu_enabled = 1;
	return 0;
}
LUSIM_INITCALL(intel_iommu_init, LUSIM_INIT_ARCH)

static void intel_iommu_lusim_reset(void)
{
	intel_iommu_enabled = 0;
	intel_iommu_lusim_skip_unmap_flush = false;
}
LUSIM_RESET_FN(intel_iommu_lusim_reset, LUSIM_RESET_PRIO_MODEL)
