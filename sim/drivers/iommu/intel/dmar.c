// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model of drivers/iommu/intel/dmar.c: discovery of the DMA remapping
 * hardware units (DRHDs), their struct intel_iommu, DRHD hotplug, and
 * queued invalidation.
 *
 * There is no ACPI DMAR table: the units are the simulated machine's
 * (hw_iommu_count()/hw_iommu_at()), each unit's device scope is the set of
 * PCI functions the machine placed behind it (hw_pci_iommu()).  The
 * capability registers are synthesised from the unit's capabilities in the
 * kernel's CAP/ECAP encoding, so the driver's sm_supported(),
 * pasid_supported(), nested_supported(), ecap_dev_iotlb_support() ... work
 * unchanged.  Queued invalidation descriptors are handed to the unit
 * synchronously (hw_iommu_invalidate()): no queue, no wait descriptor, no
 * invalidation time-out or error.
 */
#define pr_fmt(fmt)     "DMAR: " fmt

#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/idr.h>
#include <linux/pci.h>
#include <linux/iommu.h>
#include <linux/export.h>

#include <lusim/reset.h>
#include <lusim/hotplug.h>
#include <lusim/intel-iommu.h>

#include "iommu.h"
#include <stdio.h>	/* snprintf: the shim has no <linux/sprintf.h> */

/*
 * The DRHD units, in the order the machine presents them (hot-added ones
 * at the tail).
 */
LIST_HEAD(dmar_drhd_units);

static DEFINE_IDA(dmar_seq_ids);

/* --- machine configuration (survives kexec: reset at power-on only) ------- */

#define LUSIM_MAX_QUIRK_UNITS	64

static struct {
	u64 reg_base;
	unsigned int quirks;
} lusim_unit_quirks[LUSIM_MAX_QUIRK_UNITS];
static unsigned int lusim_nr_unit_quirks;

int lusim_intel_iommu_set_quirks(u64 reg_base, unsigned int quirks)
{
	unsigned int i;

	if (quirks & ~LUSIM_INTEL_QUIRK_ALL)
		return -EINVAL;
	for (i = 0; i < lusim_nr_unit_quirks; i++) {
		if (lusim_unit_quirks[i].reg_base == reg_base) {
			lusim_unit_quirks[i].quirks = quirks;
			return 0;
		}
	}
	if (lusim_nr_unit_quirks == LUSIM_MAX_QUIRK_UNITS)
		return -ENOSPC;
	lusim_unit_quirks[lusim_nr_unit_quirks].reg_base = reg_base;
	lusim_unit_quirks[lusim_nr_unit_quirks].quirks = quirks;
	lusim_nr_unit_quirks++;
	return 0;
}

static unsigned int lusim_intel_iommu_quirks(u64 reg_base)
{
	unsigned int i;

	for (i = 0; i < lusim_nr_unit_quirks; i++)
		if (lusim_unit_quirks[i].reg_base == reg_base)
			return lusim_unit_quirks[i].quirks;
	return 0;
}

static void dmar_lusim_machine_reset(void)
{
	lusim_nr_unit_quirks = 0;
	intel_iommu_sm = 1;
}
LUSIM_RESET_FN(dmar_lusim_machine_reset, LUSIM_RESET_PRIO_MACHINE)

/* --- capability registers ---------------------------------------------------- */

/* The largest CAP.ND encoding whose domain count fits the unit's. */
static u64 dmar_cap_nd(u32 ndoms)
{
	u64 nd = 0;

	while (nd < 6 && (16UL << (2 * (nd + 1))) <= ndoms)
		nd++;
	return nd;
}

static void dmar_fill_caps(struct intel_iommu *iommu,
			   const struct hw_iommu_caps *caps)
{
	u64 cap = 0, ecap = 0;

	cap |= dmar_cap_nd(caps->ndoms);
	cap |= (u64)(caps->sagaw & 0x1f) << 8;		/* SAGAW */
	cap |= (u64)(ADDR_WIDTH_4LEVEL - 1) << 16;	/* MGAW */
	cap |= 0x3ULL << 34;				/* 2M and 1G superpages */
	cap |= 1ULL << 56;				/* FL1GP */

	ecap |= 1ULL << 0;				/* coherent */
	ecap |= 1ULL << 1;				/* QI */
	ecap |= 1ULL << 6;				/* pass-through */
	if (caps->ats)
		ecap |= 1ULL << 2;			/* device-TLB */
	if (caps->nested)
		ecap |= 1ULL << 26;			/* NEST */
	if (caps->scalable) {
		ecap |= 1ULL << 43;			/* SMTS */
		ecap |= 1ULL << 47 | 1ULL << 46;	/* FLTS, SLTS */
		if (caps->pasid_bits) {
			ecap |= 1ULL << 40;		/* PASID */
			ecap |= (u64)((caps->pasid_bits - 1) & 0x1f) << 35;
		}
	}

	iommu->cap = cap;
	iommu->ecap = ecap;
}

/*
 * Calculate agaw for each iommu: the largest supported adjusted guest
 * address width not above the 4-level one.
 */
static int __iommu_calculate_agaw(struct intel_iommu *iommu, int max_gaw)
{
	unsigned long sagaw;
	int agaw;

	sagaw = cap_sagaw(iommu->cap);
	for (agaw = width_to_agaw(max_gaw); agaw >= 0; agaw--) {
		if (test_bit(agaw, &sagaw))
			break;
	}

	return agaw;
}

int iommu_calculate_max_sagaw(struct intel_iommu *iommu)
{
	return __iommu_calculate_agaw(iommu, MAX_AGAW_WIDTH);
}

int iommu_calculate_agaw(struct intel_iommu *iommu)
{
	return __iommu_calculate_agaw(iommu, ADDR_WIDTH_4LEVEL);
}

/* --- units ---------------------------------------------------------------------- */

static int alloc_iommu(struct dmar_drhd_unit *drhd)
{
	struct hw_iommu_caps caps;
	struct intel_iommu *iommu;
	int agaw = -1, msagaw = -1;
	int err;

	iommu = kzalloc(sizeof(*iommu), GFP_KERNEL);
	if (!iommu)
		return -ENOMEM;

	iommu->seq_id = ida_alloc_range(&dmar_seq_ids, 0,
					DMAR_UNITS_SUPPORTED - 1, GFP_KERNEL);
	if (iommu->seq_id < 0) {
		pr_err("Failed to allocate seq_id\n");
		err = iommu->seq_id;
		goto error;
	}
	snprintf((char *)iommu->name, sizeof(iommu->name), "dmar%d",
		 iommu->seq_id);

	iommu->hw = drhd->hw;
	iommu->reg_phys = drhd->reg_base_addr;
	iommu->segment = drhd->segment;
	iommu->node = NUMA_NO_NODE;
	iommu->lusim_quirks = lusim_intel_iommu_quirks(drhd->reg_base_addr);

	hw_iommu_get_caps(drhd->hw, &caps);
	dmar_fill_caps(iommu, &caps);

	agaw = iommu_calculate_agaw(iommu);
	if (agaw < 0) {
		pr_err("Cannot get a valid agaw for iommu (seq_id = %d)\n",
		       iommu->seq_id);
		err = -ENODEV;
		goto err_unmap;
	}
	msagaw = iommu_calculate_max_sagaw(iommu);
	if (msagaw < 0) {
		pr_err("Cannot get a valid max agaw for iommu (seq_id = %d)\n",
		       iommu->seq_id);
		err = -ENODEV;
		goto err_unmap;
	}
	iommu->agaw = agaw;
	iommu->msagaw = msagaw;

	if (hw_iommu_translation_enabled(drhd->hw))
		iommu->flags |= VTD_FLAG_TRANS_PRE_ENABLED;

	spin_lock_init(&iommu->lock);
	mutex_init(&iommu->did_lock);
	ida_init(&iommu->domain_ida);
	iommu->flush.flush_context = qi_flush_context;
	iommu->flush.flush_iotlb = qi_flush_iotlb;

	drhd->iommu = iommu;
	return 0;

err_unmap:
	ida_free(&dmar_seq_ids, iommu->seq_id);
error:
	kfree(iommu);
	return err;
}

static void free_iommu(struct intel_iommu *iommu)
{
	ida_destroy(&iommu->domain_ida);
	mutex_destroy(&iommu->did_lock);
	ida_free(&dmar_seq_ids, iommu->seq_id);
	kfree(iommu);
}

/*
 * dmar_parse_one_drhd - parses exactly one DMA remapping hardware definition
 * structure which uniquely represent one DMA remapping hardware unit
 * present in the platform (here: one unit of the simulated machine)
 */
static int dmar_parse_one_drhd(struct hw_iommu *hw, struct dmar_drhd_unit **out)
{
	struct dmar_drhd_unit *dmaru;
	int ret;

	dmaru = kzalloc(sizeof(*dmaru), GFP_KERNEL);
	if (!dmaru)
		return -ENOMEM;

	dmaru->hw = hw;
	dmaru->reg_base_addr = hw_iommu_base(hw);
	dmaru->segment = hw_iommu_segment(hw);

	ret = alloc_iommu(dmaru);
	if (ret) {
		kfree(dmaru);
		return ret;
	}

	list_add_tail(&dmaru->list, &dmar_drhd_units);
	if (out)
		*out = dmaru;
	return 0;
}

static void dmar_free_drhd(struct dmar_drhd_unit *dmaru)
{
	list_del(&dmaru->list);
	if (dmaru->iommu)
		free_iommu(dmaru->iommu);
	kfree(dmaru);
}

/**
 * dmar_table_init - Parse the DMA remapping units of the machine
 */
int dmar_table_init(void)
{
	unsigned int i, n = hw_iommu_count();
	int ret;

	for (i = 0; i < n; i++) {
		ret = dmar_parse_one_drhd(hw_iommu_at(i), NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/* The unit whose device scope holds @dev (the machine's topology). */
struct dmar_drhd_unit *dmar_find_matched_drhd_unit(struct pci_dev *dev)
{
	struct hw_iommu *hw = hw_pci_iommu(dev->hw);
	struct dmar_drhd_unit *dmaru;

	list_for_each_entry(dmaru, &dmar_drhd_units, list)
		if (dmaru->hw == hw)
			return dmaru;
	return NULL;
}

static struct dmar_drhd_unit *dmar_find_dmaru(u64 reg_base)
{
	struct dmar_drhd_unit *dmaru;

	list_for_each_entry(dmaru, &dmar_drhd_units, list)
		if (dmaru->reg_base_addr == reg_base)
			return dmaru;
	return NULL;
}

/* --- DRHD hotplug ---------------------------------------------------------------- */

/*
 * dmar_device_add(): the platform grew a remapping unit.  The machine gets
 * it first (hw_iommu_add), then the driver brings it up and registers it
 * with the IOMMU core.
 */
int lusim_dmar_hotplug_add(const struct hw_iommu_cfg *cfg)
{
	struct dmar_drhd_unit *dmaru;
	struct hw_iommu *hw;
	int ret;

	ret = hw_iommu_add(cfg, &hw);
	if (ret)
		return ret;

	ret = dmar_parse_one_drhd(hw, &dmaru);
	if (ret)
		goto err_hw;

	ret = dmar_iommu_hotplug(dmaru, true);
	if (ret)
		goto err_drhd;
	return 0;

err_drhd:
	dmar_free_drhd(dmaru);
err_hw:
	hw_iommu_remove(hw);
	return ret;
}

/*
 * dmar_device_remove(): the unit goes away.  Refused while PCI functions
 * sit behind it, as the machine refuses it.
 */
int lusim_dmar_hotplug_remove(u64 reg_base)
{
	struct dmar_drhd_unit *dmaru = dmar_find_dmaru(reg_base);
	struct hw_iommu *hw;
	unsigned int i, n = hw_pci_count();
	int ret;

	if (!dmaru)
		return -ENODEV;

	hw = dmaru->hw;
	for (i = 0; i < n; i++)
		if (hw_pci_iommu(hw_pci_at(i)) == hw)
			return -EBUSY;

	ret = dmar_iommu_hotplug(dmaru, false);
	if (ret)
		return ret;

	dmar_free_drhd(dmaru);
	return hw_iommu_remove(hw);
}

/* --- queued invalidation --------------------------------------------------------- */

static void qi_submit_sync(struct intel_iommu *iommu,
			   const struct hw_inv_desc *desc)
{
	/* Every descriptor the driver builds is one the unit accepts. */
	WARN_ON(hw_iommu_invalidate(iommu->hw, desc));
}

void qi_flush_context(struct intel_iommu *iommu, u16 did, u16 sid, u8 fm,
		      u64 type)
{
	struct hw_inv_desc desc = {
		.type	= HW_INV_CC,
		.did	= did,
		.sid	= sid,
	};

	switch (type) {
	case DMA_CCMD_GLOBAL_INVL:
		desc.gran = HW_INV_GLOBAL;
		break;
	case DMA_CCMD_DOMAIN_INVL:
		desc.gran = HW_INV_DOMAIN;
		break;
	case DMA_CCMD_DEVICE_INVL:
		desc.gran = HW_INV_DEVICE;
		break;
	default:
		WARN_ON(1);
		return;
	}
	qi_submit_sync(iommu, &desc);
}

void qi_flush_iotlb(struct intel_iommu *iommu, u16 did, u64 addr,
		    unsigned int size_order, u64 type)
{
	struct hw_inv_desc desc = {
		.type	= HW_INV_IOTLB,
		.did	= did,
		.addr	= addr & VTD_PAGE_MASK,
		.am	= size_order,
	};

	switch (type) {
	case DMA_TLB_GLOBAL_FLUSH:
		desc.gran = HW_INV_GLOBAL;
		break;
	case DMA_TLB_DSI_FLUSH:
		desc.gran = HW_INV_DOMAIN;
		break;
	case DMA_TLB_PSI_FLUSH:
		desc.gran = HW_INV_PAGE;
		break;
	default:
		WARN_ON(1);
		return;
	}
	qi_submit_sync(iommu, &desc);
}

void qi_flush_dev_iotlb(struct intel_iommu *iommu, u16 sid, u16 pfsid,
			u16 qdep, u64 addr, unsigned mask)
{
	struct hw_inv_desc desc = {
		.type	= HW_INV_DEVTLB,
		.gran	= HW_INV_PAGE,
		.sid	= sid,
		.pasid	= HW_NO_PASID,
		.addr	= addr & VTD_PAGE_MASK,
		.am	= min_t(unsigned int, mask, HW_INV_AM_ALL),
	};

	qi_submit_sync(iommu, &desc);
}

/* PASID-based IOTLB invalidation: all of @pasid's mappings or a range */
void qi_flush_piotlb(struct intel_iommu *iommu, u16 did, u32 pasid, u64 addr,
		     unsigned long npages, bool ih)
{
	struct hw_inv_desc desc = {
		.type	= HW_INV_PIOTLB,
		.did	= did,
		.pasid	= pasid,
	};

	/*
	 * npages == -1 means a PASID-selective invalidation. Otherwise,
	 * It's a page-selective-within-PASID invalidation.
	 */
	if (npages == -1) {
		desc.gran = HW_INV_PASID;
	} else {
		unsigned int mask = order_base_2(npages);

		desc.gran = HW_INV_PAGE;
		desc.addr = ALIGN_DOWN(addr, VTD_PAGE_SIZE << mask);
		desc.am = mask;
	}
	qi_submit_sync(iommu, &desc);
}

void qi_flush_piotlb_all(struct intel_iommu *iommu, u16 did, u32 pasid)
{
	qi_flush_piotlb(iommu, did, pasid, 0, -1, 0);
}

/* PASID-based device IOTLB Invalidate */
void qi_flush_dev_iotlb_pasid(struct intel_iommu *iommu, u16 sid, u16 pfsid,
			      u32 pasid, u16 qdep, u64 addr,
			      unsigned int size_order)
{
	struct hw_inv_desc desc = {
		.type	= HW_INV_DEVTLB,
		.gran	= HW_INV_PAGE,
		.sid	= sid,
		.pasid	= pasid,
		.addr	= addr & VTD_PAGE_MASK,
		.am	= min_t(unsigned int, size_order, HW_INV_AM_ALL),
	};

	qi_submit_sync(iommu, &desc);
}

void qi_flush_pasid_cache(struct intel_iommu *iommu, u16 did,
			  u64 granu, u32 pasid)
{
	struct hw_inv_desc desc = {
		.type	= HW_INV_PC,
		.did	= did,
		.pasid	= pasid,
	};

	switch (granu) {
	case QI_PC_ALL_PASIDS:
		desc.gran = HW_INV_DOMAIN;
		break;
	case QI_PC_PASID_SEL:
		desc.gran = HW_INV_PASID;
		break;
	case QI_PC_GLOBAL:
		desc.gran = HW_INV_GLOBAL;
		break;
	default:
		WARN_ON(1);
		return;
	}
	qi_submit_sync(iommu, &desc);
}

/*
 * Back to boot state at kexec and power-on: the old kernel's DRHD
 * structures are forgotten, not freed (see iommu_lusim_reset()).
 */
static void dmar_lusim_reset(void)
{
	INIT_LIST_HEAD(&dmar_drhd_units);
	ida_init(&dmar_seq_ids);
}
LUSIM_RESET_FN(dmar_lusim_reset, LUSIM_RESET_PRIO_MODEL)
