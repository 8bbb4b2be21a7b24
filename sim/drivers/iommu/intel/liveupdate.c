// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model of drivers/iommu/intel/liveupdate.c: the simulated VT-d driver's
 * live-update ops, series v1 (3 Feb 2026) patches 07, 08 and 10, and the
 * page-table preserve/unpreserve/restore that v1 05/14 put in generic_pt
 * (the model's driver has its own page tables, so they live here).
 * Our own code, written from the semantics (kernel-model.md 3.4-3.5).
 *
 * Outgoing kernel, every table page through the iommu-pages helpers, never
 * raw KHO (RB-12):
 *  - domain: every page of the domain's page table; the ser records the
 *    top table and the number of levels (nothing else: RB-15);
 *  - unit (the first device behind it): the root table; the ser records
 *    the register base (the token) and the root table;
 *  - device: the domain id of its attachment, the context table holding
 *    its context entry (counted per unit: devices share context tables),
 *    and in scalable mode its PASID directory and first PASID table (the
 *    RID_PASID entry lives there), recorded in device_ser->intel.
 *
 * New kernel, at unit bring-up (intel_iommu_liveupdate_restore_root_table()):
 * translation stays on; the root table, the context tables and the PASID
 * tables of the preserved devices behind the unit are adopted; root entries
 * whose context table was not preserved, context entries of devices that
 * were not preserved and PASID entries other than RID_PASID of preserved
 * devices are cleared, with their invalidations; the preserved devices'
 * domain ids are reserved.  Device probe then adopts the PASID table
 * (intel_pasid_try_restore_table()), the core restores the domain
 * (intel_iommu_domain_restore()) and attaches it reusing the domain id
 * without rewriting the live entry (iommu.c dmar_domain_attach_device()).
 *
 * Differences from v1 (fixed by default, each marked below): v1 preserved
 * every context table present when the unit was preserved, holding
 * iommu->lock (a spinlock) across KHO calls that may sleep; a context table
 * allocated afterwards was left out and the next kernel BUG()ed restoring
 * it.  v1 cleared non-preserved devices' context entries (and scrubbed the
 * preserved devices' PASID tables) in the old kernel's shutdown, without
 * invalidating; here the new kernel does it, with invalidation.
 *
 * Fault injection: the outgoing ops (domain, unit and device preserve) are
 * LUSIM_FAULT_DRIVER points failing with -ENOMEM before they change
 * anything; their KHO calls are LUSIM_FAULT_KHO points.  Restore cannot
 * fail softly: a page that is not there is a BUG(), as in the kernel.
 */
#define pr_fmt(fmt)    "iommu: liveupdate: " fmt

#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/bitops.h>
#include <linux/iommu-lu.h>
#include <linux/kexec_handover.h>
#include <linux/liveupdate.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/string.h>

#include <lusim/fault.h>
#include <lusim/iommu-lu.h>
#include <lusim/reset.h>

#include "iommu.h"
#include "pasid.h"
#include "../iommu-pages.h"

#define intel_lu_should_fail()						\
	lusim_should_fail_at(LUSIM_FAULT_DRIVER, LUSIM_SITE, __func__)

/* test hook: leave the PASID table out of a device preserve (pre-10/14) */
static bool intel_lu_skip_pasid_table;
/* what the last boot did */
static struct lusim_intel_lu_boot_stats intel_lu_stats;

void lusim_intel_iommu_lu_skip_pasid_table(bool skip)
{
	intel_lu_skip_pasid_table = skip;
}

void lusim_intel_lu_get_boot_stats(struct lusim_intel_lu_boot_stats *st)
{
	*st = intel_lu_stats;
}

static void intel_lu_lusim_reset(void)
{
	intel_lu_skip_pasid_table = false;
	memset(&intel_lu_stats, 0, sizeof(intel_lu_stats));
}
LUSIM_RESET_FN(intel_lu_lusim_reset, LUSIM_RESET_PRIO_MODEL)

/* --- page tables (v1 05/14, generic_pt in the kernel) ---------------------- */

static inline struct dma_pte *intel_lu_pte_table(struct dma_pte *pte)
{
	return phys_to_virt(dma_pte_addr(pte));
}

static inline bool intel_lu_pte_is_table(struct dma_pte *pte, int level)
{
	return level > 1 && dma_pte_present(pte) && !dma_pte_superpage(pte);
}

/*
 * Call @fn on @table and every table below it (pre-order), at most @limit
 * tables when @limit >= 0.  Returns @fn's first error, 1 when the limit
 * stopped the walk, else 0; *@done counts the tables @fn succeeded on.
 */
static int intel_lu_walk_tables(struct dma_pte *table, int level,
				int (*fn)(void *table), long limit, long *done)
{
	int i, ret;

	if (limit >= 0 && *done >= limit)
		return 1;

	ret = fn(table);
	if (ret)
		return ret;
	(*done)++;

	for (i = 0; level > 1 && i < (1 << LEVEL_STRIDE); i++) {
		struct dma_pte *pte = &table[i];

		if (!intel_lu_pte_is_table(pte, level))
			continue;
		ret = intel_lu_walk_tables(intel_lu_pte_table(pte), level - 1,
					   fn, limit, done);
		if (ret)
			return ret;
	}
	return 0;
}

static int intel_lu_unpreserve_one(void *table)
{
	iommu_unpreserve_page(table);
	return 0;
}

/**
 * intel_iommu_domain_preserve - preserve a paging domain's page table
 *
 * Every table page, top first; on a failure the pages preserved so far are
 * unpreserved again.  The leaves' targets (guest memory) are the owner's
 * to preserve (memfd), not the driver's.
 */
int intel_iommu_domain_preserve(struct iommu_domain *domain,
				struct iommu_domain_ser *ser)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	int level = agaw_to_level(dmar_domain->agaw);
	long done = 0, undone = 0;
	int ret;

	if (intel_lu_should_fail())
		return -ENOMEM;

	ret = intel_lu_walk_tables(dmar_domain->pgd, level, iommu_preserve_page,
				   -1, &done);
	if (ret) {
		intel_lu_walk_tables(dmar_domain->pgd, level,
				     intel_lu_unpreserve_one, done, &undone);
		return ret;
	}

	ser->top_table = virt_to_phys(dmar_domain->pgd);
	ser->top_level = level;
	return 0;
}

void intel_iommu_domain_unpreserve(struct iommu_domain *domain,
				   struct iommu_domain_ser *ser)
{
	long done = 0;

	intel_lu_walk_tables(phys_to_virt(ser->top_table), ser->top_level,
			     intel_lu_unpreserve_one, -1, &done);
}

/* Adopt every table below @table (a restored table of @level). */
static void intel_lu_restore_tables(struct dma_pte *table, int level)
{
	int i;

	for (i = 0; level > 1 && i < (1 << LEVEL_STRIDE); i++) {
		struct dma_pte *pte = &table[i];

		if (!intel_lu_pte_is_table(pte, level))
			continue;
		iommu_restore_page(dma_pte_addr(pte));
		intel_lu_restore_tables(intel_lu_pte_table(pte), level - 1);
	}
}

/**
 * intel_iommu_domain_restore - make @domain the preserved page table
 * @domain: a paging domain just allocated for the device
 * @ser: the preserved domain
 *
 * The new domain's own (empty) top table is freed and the preserved tables
 * are adopted.  Only the geometry needed to walk them is trusted (top table
 * and levels, RB-15).  The domain can then only be attached and freed: its
 * ops have no map/unmap (RB-15: v1 kept the paging ops, so the new kernel
 * could map into and unmap from tables built by the old kernel with feature
 * bits it may not share).
 */
int intel_iommu_domain_restore(struct iommu_domain *domain,
			       struct iommu_domain_ser *ser)
{
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	int level = ser->top_level;

	/* the depths this driver walks: 4 (first stage), 3 or 4 (second) */
	if (level != 4 && (level != 3 || dmar_domain->use_first_level))
		return -EINVAL;
	if (!ser->top_table || !IS_ALIGNED(ser->top_table, VTD_PAGE_SIZE))
		return -EINVAL;

	iommu_restore_page(ser->top_table);
	intel_lu_restore_tables(phys_to_virt(ser->top_table), level);

	iommu_free_pages(dmar_domain->pgd);
	dmar_domain->pgd = phys_to_virt(ser->top_table);
	dmar_domain->agaw = level - 2;
	dmar_domain->gaw = agaw_to_width(dmar_domain->agaw);
	domain->geometry.aperture_end = (1ULL << dmar_domain->gaw) - 1;

	/* RB-15: restored tables are free-only */
	domain->ops = &intel_restored_domain_ops;
	return 0;
}

/* --- units and devices (v1 07/14, 10/14) ------------------------------------- */

/* The root-entry word that points at the context table for @bus/@devfn. */
static u64 *intel_lu_root_slot(struct intel_iommu *iommu, u8 bus, u8 devfn)
{
	struct root_entry *root = &iommu->root_entry[bus];

	if (sm_supported(iommu) && devfn >= 0x80)
		return &root->hi;
	return &root->lo;
}

static unsigned int intel_lu_ctx_index(struct intel_iommu *iommu, u8 bus,
				       u8 devfn)
{
	return bus * 2 + (sm_supported(iommu) && devfn >= 0x80);
}

static void *intel_lu_context_table(struct intel_iommu *iommu, u8 bus,
				    u8 devfn)
{
	u64 val = READ_ONCE(*intel_lu_root_slot(iommu, bus, devfn));

	if (!(val & 1))
		return NULL;
	return phys_to_virt(val & VTD_PAGE_MASK);
}

/*
 * The context table of @bus/@devfn is preserved while a preserved device
 * uses it.  v1: every context table present was preserved with the unit,
 * under iommu->lock (see the comment at the top).
 */
static int intel_lu_preserve_context_table(struct intel_iommu *iommu, u8 bus,
					   u8 devfn)
{
	unsigned int idx = intel_lu_ctx_index(iommu, bus, devfn);
	void *table = intel_lu_context_table(iommu, bus, devfn);
	int ret;

	if (WARN_ON(!table))
		return -EINVAL;

	if (!iommu->lu_context_users[idx]) {
		ret = iommu_preserve_page(table);
		if (ret)
			return ret;
	}
	iommu->lu_context_users[idx]++;
	return 0;
}

static void intel_lu_unpreserve_context_table(struct intel_iommu *iommu,
					      u8 bus, u8 devfn)
{
	unsigned int idx = intel_lu_ctx_index(iommu, bus, devfn);

	if (WARN_ON(!iommu->lu_context_users[idx]))
		return;
	if (--iommu->lu_context_users[idx])
		return;
	iommu_unpreserve_page(intel_lu_context_table(iommu, bus, devfn));
}

/*
 * The PASID directory and its first table (PASIDs 0-63: RID_PASID is in
 * there); other tables belong to PASID attachments, which are not
 * preserved.
 */
static int intel_lu_preserve_pasid_table(struct pasid_table *pasid_table)
{
	struct pasid_dir_entry *dir = pasid_table->table;
	struct pasid_entry *table;
	int ret;

	table = get_pasid_table_from_pde(&dir[0]);
	if (!table)
		return -EINVAL;

	ret = iommu_preserve_page(table);
	if (ret)
		return ret;

	ret = iommu_preserve_page(dir);
	if (ret) {
		iommu_unpreserve_page(table);
		return ret;
	}
	return 0;
}

static void intel_lu_unpreserve_pasid_table(u64 dir_phys)
{
	struct pasid_dir_entry *dir = phys_to_virt(dir_phys);

	iommu_unpreserve_page(get_pasid_table_from_pde(&dir[0]));
	iommu_unpreserve_page(dir);
}

/**
 * intel_iommu_preserve_device - the driver's part of a device preserve
 *
 * Records the domain id of the device's attachment and preserves the
 * context table its entry is in and (scalable mode) its PASID directory
 * and first PASID table.  The unit (root table) is preserved already.
 */
int intel_iommu_preserve_device(struct device *dev,
				struct device_ser *device_ser)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct pasid_table *pasid_table = NULL;
	struct intel_iommu *iommu;
	int ret;

	if (!dev_is_pci(dev))
		return -EOPNOTSUPP;

	/*
	 * v1 checked !info only; a device on the blocking or identity domain
	 * (no info->domain) was dereferenced.
	 */
	if (!info || !info->domain)
		return -EINVAL;

	iommu = info->iommu;
	if (sm_supported(iommu) && !intel_lu_skip_pasid_table) {
		pasid_table = intel_pasid_get_table(dev);
		if (!pasid_table)
			return -EINVAL;
	}

	if (intel_lu_should_fail())
		return -ENOMEM;

	ret = intel_lu_preserve_context_table(iommu, info->bus, info->devfn);
	if (ret)
		return ret;

	if (pasid_table) {
		ret = intel_lu_preserve_pasid_table(pasid_table);
		if (ret)
			goto err_context;
		device_ser->intel.pasid_table = virt_to_phys(pasid_table->table);
		device_ser->intel.max_pasid = pasid_table->max_pasid;
	}

	device_ser->domain_iommu_ser.did = domain_id_iommu(info->domain, iommu);
	device_ser->type = IOMMU_INTEL;
	return 0;

err_context:
	intel_lu_unpreserve_context_table(iommu, info->bus, info->devfn);
	return ret;
}

void intel_iommu_unpreserve_device(struct device *dev,
				   struct device_ser *device_ser)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);

	if (!dev_is_pci(dev) || !info)
		return;

	if (device_ser->intel.pasid_table)
		intel_lu_unpreserve_pasid_table(device_ser->intel.pasid_table);
	intel_lu_unpreserve_context_table(info->iommu, info->bus, info->devfn);
}

int intel_iommu_preserve(struct iommu_device *iommu_dev, struct iommu_ser *ser)
{
	struct intel_iommu *iommu;
	int ret;

	iommu = container_of(iommu_dev, struct intel_iommu, iommu);

	if (intel_lu_should_fail())
		return -ENOMEM;

	/*
	 * v1 held iommu->lock (a spinlock) here, across KHO calls that may
	 * sleep, and preserved every context table as well.
	 */
	ret = iommu_preserve_page(iommu->root_entry);
	if (ret)
		return ret;

	ser->intel.phys_addr = iommu->reg_phys;
	ser->intel.root_table = __pa(iommu->root_entry);
	ser->type = IOMMU_INTEL;
	ser->token = ser->intel.phys_addr;
	return 0;
}

void intel_iommu_unpreserve(struct iommu_device *iommu_dev,
			    struct iommu_ser *iommu_ser)
{
	struct intel_iommu *iommu;

	iommu = container_of(iommu_dev, struct intel_iommu, iommu);
	iommu_unpreserve_page(iommu->root_entry);
}

/* --- the new kernel: bring-up of a unit with preserved state (v1 08/14) ------- */

struct intel_lu_restore {
	struct intel_iommu *iommu;
	u64 iommu_ser_phys;
	/* context tables restored (index as lu_context_users) */
	DECLARE_BITMAP(restored, ROOT_ENTRY_NR * 2);
};

static bool intel_lu_dev_behind(struct intel_lu_restore *r,
				struct device_ser *ser)
{
	return ser->domain_iommu_ser.iommu_phys == r->iommu_ser_phys &&
	       ser->pci_domain == r->iommu->segment;
}

/* The preserved device at @sid behind this unit, if any. */
struct intel_lu_find {
	struct intel_lu_restore *r;
	u16 sid;
	struct device_ser *found;
};

static int __intel_lu_find_dev(struct device_ser *ser, void *arg)
{
	struct intel_lu_find *f = arg;

	if (intel_lu_dev_behind(f->r, ser) && ser->devid == f->sid) {
		f->found = ser;
		return 1;
	}
	return 0;
}

static struct device_ser *intel_lu_find_dev(struct intel_lu_restore *r, u16 sid)
{
	struct intel_lu_find f = { .r = r, .sid = sid };

	iommu_for_each_preserved_device(__intel_lu_find_dev, &f);
	return f.found;
}

static void intel_lu_inv_devtlb(struct intel_iommu *iommu, u16 sid, u32 pasid)
{
	struct hw_inv_desc desc = {
		.type	= HW_INV_DEVTLB,
		.gran	= HW_INV_PAGE,
		.sid	= sid,
		.pasid	= pasid,
		.am	= HW_INV_AM_ALL,
	};

	WARN_ON(hw_iommu_invalidate(iommu->hw, &desc));
}

/*
 * Clear PASID entries 1-63 of a preserved device's first PASID table and
 * every directory entry but the first (those tables were not preserved),
 * each present PASID entry with its invalidation.
 */
static void intel_lu_scrub_pasid_table(struct intel_iommu *iommu, u16 sid,
				       struct pasid_dir_entry *dir, u64 max_pde)
{
	struct pasid_entry *table = get_pasid_table_from_pde(&dir[0]);
	u64 i;

	for (i = 1; i < PASID_TBL_ENTRIES; i++) {
		struct pasid_entry *pte = &table[i];
		u16 did, pgtt;

		if (!pasid_pte_is_present(pte))
			continue;
		did = pasid_get_domain_id(pte);
		pgtt = pasid_pte_get_pgtt(pte);
		pasid_clear_entry(pte);

		qi_flush_pasid_cache(iommu, did, QI_PC_PASID_SEL, i);
		if (pgtt == PASID_ENTRY_PGTT_FL_ONLY ||
		    pgtt == PASID_ENTRY_PGTT_NESTED)
			qi_flush_piotlb_all(iommu, did, i);
		if (pgtt != PASID_ENTRY_PGTT_FL_ONLY)
			iommu->flush.flush_iotlb(iommu, did, 0, 0,
						 DMA_TLB_DSI_FLUSH);
		intel_lu_inv_devtlb(iommu, sid, i);
		intel_lu_stats.pasid_entries_cleared++;
	}

	/*
	 * The tables behind the other directory entries are gone: their
	 * entries' domain ids are unknown, the global PASID-cache and IOTLB
	 * invalidation of iommu_set_root_entry() covers them.
	 */
	for (i = 1; i < max_pde; i++) {
		if (!pasid_pde_is_present(&dir[i]))
			continue;
		WRITE_ONCE(dir[i].val, 0);
		intel_lu_inv_devtlb(iommu, sid, HW_PASID_ALL);
		intel_lu_stats.pasid_entries_cleared++;
	}
}

/* Adopt the PASID directory and first table of a preserved device. */
static void intel_lu_restore_pasid_table(struct intel_lu_restore *r,
					 struct device_ser *ser,
					 struct context_entry *context)
{
	struct pasid_dir_entry *dir;
	u64 max_pde;

	/* preserved without its PASID table: the entry points at nothing */
	if (!ser->intel.pasid_table)
		return;

	/* lusim: v1 trusted pasid_table; it must be what the hardware uses */
	BUG_ON((context->lo & VTD_PAGE_MASK) != ser->intel.pasid_table);

	iommu_restore_page(ser->intel.pasid_table);
	dir = phys_to_virt(ser->intel.pasid_table);
	max_pde = ser->intel.max_pasid >> PASID_PDE_SHIFT;
	BUG_ON(!max_pde || max_pde * sizeof(*dir) >
	       folio_nr_pages(virt_to_folio(dir)) * PAGE_SIZE);
	BUG_ON(!pasid_pde_is_present(&dir[0]));
	iommu_restore_page(READ_ONCE(dir[0].val) & PDE_PFN_MASK);
	intel_lu_stats.pasid_tables_restored++;

	intel_lu_scrub_pasid_table(r->iommu, ser->devid, dir, max_pde);
}

/* Adopt the context table and PASID table of one preserved device. */
static int __intel_lu_restore_dev(struct device_ser *ser, void *arg)
{
	struct intel_lu_restore *r = arg;
	struct intel_iommu *iommu = r->iommu;
	u8 bus = ser->devid >> 8, devfn = ser->devid & 0xff;
	unsigned int idx = intel_lu_ctx_index(iommu, bus, devfn);
	struct context_entry *context;
	u64 slot;

	if (!intel_lu_dev_behind(r, ser))
		return 0;

	slot = READ_ONCE(*intel_lu_root_slot(iommu, bus, devfn));
	/* a preserved device always has its context table */
	BUG_ON(!(slot & 1));
	if (!test_bit(idx, r->restored)) {
		iommu_restore_page(slot & VTD_PAGE_MASK);
		__set_bit(idx, r->restored);
		intel_lu_stats.context_tables_restored++;
	}

	context = iommu_context_addr(iommu, bus, devfn, 0);
	if (!context_present(context))
		return 0;
	if (sm_supported(iommu))
		intel_lu_restore_pasid_table(r, ser, context);
	return 0;
}

/*
 * Clear the context entry of a device that was not preserved: nothing of
 * the old kernel may translate for it.  Its PASID table is gone, so the
 * PASID cache and IOTLB entries it left are dropped globally.
 */
static void intel_lu_clear_context(struct intel_iommu *iommu,
				   struct context_entry *context, u16 sid)
{
	u16 did = context_domain_id(context);

	context_clear_entry(context);
	if (sm_supported(iommu))
		context_clear_entry(context + 1);

	iommu->flush.flush_context(iommu, did, sid, DMA_CCMD_MASK_NOBIT,
				   DMA_CCMD_DEVICE_INVL);
	if (sm_supported(iommu)) {
		qi_flush_pasid_cache(iommu, 0, QI_PC_GLOBAL, 0);
		iommu->flush.flush_iotlb(iommu, 0, 0, 0, DMA_TLB_GLOBAL_FLUSH);
	} else {
		iommu->flush.flush_iotlb(iommu, did, 0, 0, DMA_TLB_DSI_FLUSH);
	}
	intel_lu_inv_devtlb(iommu, sid, HW_NO_PASID);
	intel_lu_stats.context_entries_cleared++;
}

static void intel_lu_clean_context_tables(struct intel_lu_restore *r)
{
	struct intel_iommu *iommu = r->iommu;
	unsigned int bus, half, devfn, first, last;
	struct context_entry *context;
	u64 *slot;

	for (bus = 0; bus < ROOT_ENTRY_NR; bus++) {
		for (half = 0; half < (sm_supported(iommu) ? 2 : 1); half++) {
			first = half * 0x80;
			last = sm_supported(iommu) ? first + 0x7f : 0xff;
			slot = intel_lu_root_slot(iommu, bus, first);
			if (!(READ_ONCE(*slot) & 1))
				continue;

			if (!test_bit(intel_lu_ctx_index(iommu, bus, first),
				      r->restored)) {
				/* the old kernel's table is gone */
				WRITE_ONCE(*slot, 0);
				iommu->flush.flush_context(iommu, 0, 0, 0,
							   DMA_CCMD_GLOBAL_INVL);
				if (sm_supported(iommu))
					qi_flush_pasid_cache(iommu, 0,
							     QI_PC_GLOBAL, 0);
				iommu->flush.flush_iotlb(iommu, 0, 0, 0,
							 DMA_TLB_GLOBAL_FLUSH);
				for (devfn = first; devfn <= last; devfn++)
					intel_lu_inv_devtlb(iommu,
						PCI_DEVID(bus, devfn), HW_NO_PASID);
				intel_lu_stats.root_entries_cleared++;
				continue;
			}

			for (devfn = first; devfn <= last; devfn++) {
				u16 sid = PCI_DEVID(bus, devfn);

				context = iommu_context_addr(iommu, bus, devfn, 0);
				if (!context || !context_present(context))
					continue;
				if (intel_lu_find_dev(r, sid))
					continue;
				intel_lu_clear_context(iommu, context, sid);
			}
		}
	}
}

static int __restore_used_domain_ids(struct device_ser *ser, void *arg)
{
	struct intel_lu_restore *r = arg;
	int id = ser->domain_iommu_ser.did;

	/*
	 * v1 reserved the ids of every preserved device in every unit
	 * (harmless over-reservation); the ids of the devices behind this
	 * unit are the ones in use here.
	 */
	if (!intel_lu_dev_behind(r, ser))
		return 0;
	if (id < IDA_START_DID || id >= intel_iommu_ndoms(r->iommu))
		return 0;

	/*
	 * Devices sharing a domain share its id: the second reservation
	 * fails, which is fine (boot time, as the kernel's comment says).
	 */
	if (ida_alloc_range(&r->iommu->domain_ida, id, id, GFP_KERNEL) == id)
		intel_lu_stats.dids_reserved++;
	return 0;
}

/**
 * intel_iommu_liveupdate_restore_root_table - adopt a unit's preserved tables
 * @iommu: the unit being brought up, translation still on
 * @iommu_ser: its preserved state (iommu_get_preserved_data())
 *
 * Called instead of allocating a root table.  The caller then latches the
 * root table again and invalidates every cache globally
 * (iommu_set_root_entry()), and keeps translation on.
 */
void intel_iommu_liveupdate_restore_root_table(struct intel_iommu *iommu,
					       struct iommu_ser *iommu_ser)
{
	struct intel_lu_restore restore = {
		.iommu = iommu,
		.iommu_ser_phys = virt_to_phys(iommu_ser),
	};
	struct intel_lu_restore *r = &restore;

	iommu_restore_page(iommu_ser->intel.root_table);
	iommu->root_entry = __va(iommu_ser->intel.root_table);

	iommu_for_each_preserved_device(__intel_lu_restore_dev, r);
	intel_lu_clean_context_tables(r);
	iommu_for_each_preserved_device(__restore_used_domain_ids, r);
	intel_lu_stats.units_restored++;

	pr_info("Restored IOMMU[0x%llx] Root Table at: 0x%llx\n",
		(unsigned long long)iommu->reg_phys,
		(unsigned long long)iommu_ser->intel.root_table);
}

/**
 * intel_pasid_try_restore_table - the preserved PASID directory of @dev
 * @max_pasid: the PASIDs the new kernel's directory would cover
 *
 * NULL when the device has no restored state or was preserved without its
 * PASID table; the directory was adopted at unit bring-up.
 */
void *intel_pasid_try_restore_table(struct device *dev, u64 max_pasid)
{
	struct device_ser *ser = dev_iommu_restored_state(dev);
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct context_entry *context;

	if (!ser || !ser->intel.pasid_table)
		return NULL;

	/*
	 * Only a directory the unit's bring-up adopted (kho_restore'd and
	 * scrubbed, intel_lu_restore_pasid_table()): its device's context
	 * entry survived the bring-up and points at it.  A device record the
	 * bring-up did not match (no context entry, or one of another unit)
	 * names pages nobody restored: the device starts afresh.
	 */
	context = iommu_context_addr(info->iommu, info->bus, info->devfn, 0);
	if (!context || !context_present(context) ||
	    (context->lo & VTD_PAGE_MASK) != ser->intel.pasid_table)
		return NULL;

	/*
	 * v1 freed the restored pages on a mismatch, while the context entry
	 * still points at them; they stay (leaked), the device gets a new
	 * directory the hardware does not use.
	 */
	if (WARN_ON_ONCE(ser->intel.max_pasid != max_pasid))
		return NULL;

	return phys_to_virt(ser->intel.pasid_table);
}
