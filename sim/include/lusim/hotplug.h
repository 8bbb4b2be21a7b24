/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel model's machine-facing entry points: what the op layer (the
 * "VMM", scenarios, tests) calls to change the machine under a running
 * kernel, and what the kernel does on its own at those moments.
 *
 *  - PCI hotplug (drivers/pci/probe.c): a function appears on the simulated
 *    machine (hw_pci_add) and the kernel enumerates it (struct pci_dev,
 *    iommu_probe_device()), or it is surprise/orderly removed (driver
 *    unbound, IOMMU state released, hw_pci_remove).
 *  - DMAR unit hotplug (drivers/iommu/intel/iommu.c): a remapping unit
 *    appears (hw_iommu_add, the driver brings it up and registers it) or is
 *    removed (-EBUSY while PCI functions sit behind it, as on the machine).
 *  - Kernel-driver bind/unbind by name: a minimal driver core
 *    (device_driver_attach()/device_release_driver()); a driver without
 *    driver_managed_dma claims the group's default domain, so binding it to
 *    a device whose group is owned by iommufd fails with -EBUSY.
 *  - Shutdown before kexec (device_shutdown()): bus mastering is turned off
 *    on every device the keep-DMA filter does not claim (issue 5 installs
 *    a filter that keeps preserved devices' DMA running).
 *
 * All return the kernel's errno (0 or negative).
 */
#ifndef _LUSIM_HOTPLUG_H
#define _LUSIM_HOTPLUG_H

#include <linux/types.h>

struct pci_dev;
struct device_driver;
struct hw_pci_cfg;
struct hw_iommu_cfg;

/* PCI functions (drivers/pci/probe.c) */
struct pci_dev *lusim_pci_hotplug_add(const struct hw_pci_cfg *cfg);
int lusim_pci_hotplug_remove(struct pci_dev *pdev);
struct pci_dev *lusim_pci_find(u16 segment, u8 bus, u8 devfn);
unsigned int lusim_pci_count(void);
struct pci_dev *lusim_pci_at(unsigned int i);	/* enumeration order */

/*
 * A built-in kernel driver that uses the DMA API (not driver_managed_dma),
 * e.g. the device's native driver: bind/unbind it.
 */
extern struct device_driver lusim_native_driver;
int lusim_pci_bind_native_driver(struct pci_dev *pdev);
void lusim_pci_unbind_driver(struct pci_dev *pdev);

/* device_shutdown() keeps bus mastering on where @keep returns true. */
void lusim_pci_set_shutdown_filter(bool (*keep)(struct pci_dev *pdev));

/* DMAR units (drivers/iommu/intel/iommu.c) */
int lusim_dmar_hotplug_add(const struct hw_iommu_cfg *cfg);
int lusim_dmar_hotplug_remove(u64 reg_base);

#endif /* _LUSIM_HOTPLUG_H */
