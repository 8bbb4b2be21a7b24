/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lusim's side of the IOMMU live-update model (drivers/iommu/liveupdate.c,
 * drivers/iommu/intel/liveupdate.c, drivers/iommu/iommu-pages.c): queries
 * for tests and oracles, the VT-d driver's boot counters, and one test hook.
 * None of this is kernel API; the kernel API is <linux/iommu-lu.h>.
 */
#ifndef _LUSIM_IOMMU_LU_H
#define _LUSIM_IOMMU_LU_H

#include <linux/types.h>

/* The IOMMU FLB's serialized state: slots used and live, pages. */
struct lusim_iommu_lu_counts {
	unsigned int domains, devices, iommus;		/* slots used (deleted too) */
	unsigned int live_domains, live_devices, live_iommus;	/* not deleted */
	unsigned int pages;	/* the top-level ser + the three chains */
};

/*
 * This kernel's outgoing state: 0, or -ENOENT when the FLB object does not
 * exist (no file of a linked handler is preserved), -EOPNOTSUPP (LUO off).
 */
int lusim_iommu_lu_outgoing_counts(struct lusim_iommu_lu_counts *c);
/*
 * The state handed over by the previous kernel (retrieves the FLB if
 * nobody has yet): 0, or liveupdate_flb_get_incoming()'s error.
 */
int lusim_iommu_lu_incoming_counts(struct lusim_iommu_lu_counts *c);
/* phys of the outgoing iommu_lu_flb_ser (the FLB's data), 0 if none. */
u64 lusim_iommu_lu_outgoing_flb_phys(void);
/*
 * Files preserved in outgoing sessions whose handler uses the IOMMU FLB
 * (iommufd, vfio-pci), counted from LUO's sessions: the FLB's users.
 */
unsigned long lusim_iommu_lu_flb_users(void);

/*
 * iommu-pages: pages of IOMMU translation structures this kernel owns,
 * counted as the kernel's NR_IOMMU_PAGES is (allocated and restored pages
 * add, freed pages subtract).  Reset by kexec.
 */
unsigned long lusim_iommu_pages_count(void);

/* What the VT-d driver's live-update code did at the last boot. */
struct lusim_intel_lu_boot_stats {
	unsigned int units_restored;		/* units that adopted their tables */
	unsigned int context_tables_restored;
	unsigned int root_entries_cleared;	/* context table not preserved */
	unsigned int context_entries_cleared;	/* device not preserved */
	unsigned int pasid_entries_cleared;	/* preserved devices: PASIDs but RID_PASID */
	unsigned int pasid_tables_restored;	/* directories + first tables */
	unsigned int dids_reserved;
};
void lusim_intel_lu_get_boot_stats(struct lusim_intel_lu_boot_stats *st);

/*
 * Test hook (not a bug switch): the VT-d device preserve leaves the PASID
 * directory and table out, as the series did before its PASID-table patch,
 * so a test can show that scalable-mode DMA then faults after kexec.
 * Cleared by lusim_reset_all() and at kexec (it acts at preserve time).
 */
void lusim_intel_iommu_lu_skip_pasid_table(bool skip);

#endif /* _LUSIM_IOMMU_LU_H */
