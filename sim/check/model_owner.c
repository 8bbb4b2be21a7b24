// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live-update oracles' view of device ownership in the kernel model
 * (<lusim/check-model.h>): whether the IOMMU group of a PCI function has a
 * DMA owner. Kernel API only (pci_get_domain_bus_and_slot, iommu_group_get,
 * iommu_group_dma_owner_claimed), each reached through a weak reference so
 * a binary without the model links; the references taken are dropped.
 */
#include <errno.h>

#include <linux/iommu.h>
#include <linux/pci.h>
#include <lusim/check-model.h>

#pragma weak pci_get_domain_bus_and_slot
#pragma weak pci_dev_put
#pragma weak iommu_group_get
#pragma weak iommu_group_put
#pragma weak iommu_group_dma_owner_claimed

int lusim_check_lu_group_owned(uint16_t seg, uint8_t bus, uint8_t devfn)
{
	struct pci_dev *pdev;
	struct iommu_group *group;
	int ret;

	if (!pci_get_domain_bus_and_slot || !iommu_group_get ||
	    !iommu_group_dma_owner_claimed)
		return -ENOENT;
	pdev = pci_get_domain_bus_and_slot(seg, bus, devfn);
	if (!pdev)
		return -ENOENT;
	group = iommu_group_get(&pdev->dev);
	if (!group) {
		pci_dev_put(pdev);
		return -ENOENT;
	}
	ret = iommu_group_dma_owner_claimed(group) ? 1 : 0;
	iommu_group_put(group);
	pci_dev_put(pdev);
	return ret;
}
