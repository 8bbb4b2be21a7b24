/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/pci.h (kernel model)
 * Models: struct pci_dev over a simulated PCI function (sim/hw), the bus and
 *         segment numbering (pci_domain_nr, PCI_DEVID, PCI_SLOT/PCI_FUNC),
 *         dev_is_pci/to_pci_dev, the PASID capability (pci_max_pasids),
 *         ATS, and bus mastering (pci_set_master/pci_clear_master), which
 *         reaches the simulated function's bus-master enable bit.
 * Leaves out: config space beyond those capabilities, BARs, MSI, resets.
 */
#ifndef _LUSIM_LINUX_PCI_H
#define _LUSIM_LINUX_PCI_H

#include <linux/device.h>

struct hw_pci_dev;

extern const struct bus_type pci_bus_type;

struct pci_bus {
	int domain_nr;			/* segment */
	unsigned char number;
};

struct pci_dev {
	struct device dev;
	struct pci_bus bus_storage;
	struct pci_bus *bus;
	unsigned int devfn;
	bool ats_enabled;
	bool pasid_enabled;
	struct hw_pci_dev *hw;		/* the simulated function */
	/*
	 * Preserved by the previous kernel and not finished yet (the PCI
	 * live-update series' flag; set by vfio-pci's probe in the model,
	 * see drivers/vfio/pci/vfio_pci_liveupdate.c).
	 */
	bool liveupdate_incoming;
};

#define PCI_DEVID(bus, devfn)	((((u16)(bus)) << 8) | (devfn))
#define PCI_SLOT(devfn)		(((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)		((devfn) & 0x07)
#define PCI_DEVFN(slot, func)	((((slot) & 0x1f) << 3) | ((func) & 0x07))

static inline bool dev_is_pci(const struct device *dev)
{
	return dev->bus == &pci_bus_type;
}

#define to_pci_dev(d) container_of(d, struct pci_dev, dev)

static inline int pci_domain_nr(const struct pci_bus *bus)
{
	return bus->domain_nr;
}

static inline u16 pci_dev_id(const struct pci_dev *pdev)
{
	return PCI_DEVID(pdev->bus->number, pdev->devfn);
}

int pci_max_pasids(struct pci_dev *pdev);
void pci_set_master(struct pci_dev *pdev);
void pci_clear_master(struct pci_dev *pdev);
bool pci_devs_are_dma_aliases(struct pci_dev *dev1, struct pci_dev *dev2);
struct pci_dev *pci_get_domain_bus_and_slot(int domain, unsigned int bus,
					    unsigned int devfn);
void pci_dev_put(struct pci_dev *dev);
void pci_stop_and_remove_bus_device(struct pci_dev *dev);

#endif /* _LUSIM_LINUX_PCI_H */
