/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/dmar.h (kernel model)
 * Models: struct dmar_drhd_unit (one DMA remapping hardware unit of the
 *         simulated machine and its struct intel_iommu), the DRHD list and
 *         its iterators, dmar_table_init(), dmar_find_matched_drhd_unit(),
 *         dmar_iommu_hotplug().
 * Leaves out: the ACPI DMAR table (RMRR, ATSR, SATC, RHSA), device scopes
 *         (a unit's scope is the machine's topology: hw_pci_iommu()),
 *         interrupt remapping, the DMAR fault interrupt.
 */
#ifndef _LUSIM_LINUX_DMAR_H
#define _LUSIM_LINUX_DMAR_H

#include <linux/types.h>
#include <linux/list.h>

struct intel_iommu;
struct pci_dev;
struct hw_iommu;

#define DMAR_UNITS_SUPPORTED	1024

struct dmar_drhd_unit {
	struct list_head list;		/* list of drhd units	*/
	u64	reg_base_addr;		/* register base address*/
	u16	segment;		/* PCI domain		*/
	u8	ignored:1;		/* ignore drhd		*/
	struct intel_iommu *iommu;
	struct hw_iommu *hw;		/* lusim: the simulated unit */
};

extern struct list_head dmar_drhd_units;

#define for_each_drhd_unit(drhd)					\
	list_for_each_entry(drhd, &dmar_drhd_units, list)

#define for_each_active_drhd_unit(drhd)					\
	list_for_each_entry(drhd, &dmar_drhd_units, list)		\
		if (drhd->ignored) {} else

#define for_each_active_iommu(i, drhd)					\
	list_for_each_entry(drhd, &dmar_drhd_units, list)		\
		if (i=drhd->iommu, drhd->ignored) {} else

#define for_each_iommu(i, drhd)						\
	list_for_each_entry(drhd, &dmar_drhd_units, list)		\
		if (i=drhd->iommu, 0) {} else

int dmar_table_init(void);
struct dmar_drhd_unit *dmar_find_matched_drhd_unit(struct pci_dev *dev);
int dmar_iommu_hotplug(struct dmar_drhd_unit *dmaru, bool insert);

#endif /* _LUSIM_LINUX_DMAR_H */
