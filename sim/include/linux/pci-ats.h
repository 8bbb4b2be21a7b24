/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/pci-ats.h (kernel model)
 * Models: the ATS and PASID capabilities of a simulated PCI function:
 *         pci_ats_supported, pci_enable_ats/pci_disable_ats (reach the
 *         function's ATS enable bit; its device-TLB only caches while
 *         enabled), pci_enable_pasid/pci_disable_pasid, pci_max_pasids
 *         (in <linux/pci.h>).
 * Leaves out: PRI, the invalidate queue depth (always 0), page-size
 *         negotiation (ps must be PAGE_SHIFT), SR-IOV physical functions.
 */
#ifndef _LUSIM_LINUX_PCI_ATS_H
#define _LUSIM_LINUX_PCI_ATS_H

#include <linux/pci.h>

bool pci_ats_supported(struct pci_dev *dev);
int pci_enable_ats(struct pci_dev *dev, int ps);
void pci_disable_ats(struct pci_dev *dev);
int pci_ats_queue_depth(struct pci_dev *dev);
int pci_enable_pasid(struct pci_dev *pdev, int features);
void pci_disable_pasid(struct pci_dev *pdev);

#endif /* _LUSIM_LINUX_PCI_ATS_H */
