/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: drivers/vfio/pci/vfio_pci_priv.h (kernel model)
 * Models: what vfio_pci.c and vfio_pci_liveupdate.c share: the vfio-pci
 *         device ops (to recognise a vfio-pci device file), the live-update
 *         init and the probe-time check of a device preserved by the
 *         previous kernel.
 * Leaves out: everything else of the kernel's header (config space, irqs,
 *         BARs are not modelled).
 */
#ifndef _LUSIM_VFIO_PCI_PRIV_H
#define _LUSIM_VFIO_PCI_PRIV_H

#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

extern const struct vfio_device_ops vfio_pci_ops;

/* lusim: the machine has no integrated graphics (IGD) functions */
static inline bool vfio_pci_is_intel_display(struct pci_dev *pdev)
{
	return false;
}

#ifdef CONFIG_LIVEUPDATE
int __init vfio_pci_liveupdate_init(void);
void vfio_pci_liveupdate_probe(struct pci_dev *pdev);
#else
static inline int vfio_pci_liveupdate_init(void)
{
	return 0;
}

static inline void vfio_pci_liveupdate_probe(struct pci_dev *pdev)
{
}
#endif

#endif /* _LUSIM_VFIO_PCI_PRIV_H */
