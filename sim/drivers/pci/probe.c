// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model of drivers/pci/probe.c: enumeration of the simulated machine's PCI
 * functions into struct pci_dev, hot-add and hot-remove.  It also stands for
 * the small parts of the PCI core and driver core the model needs, each
 * marked with the kernel file it comes from:
 *   drivers/pci/pci.c          pci_set_master, pci_clear_master,
 *                              pci_devs_are_dma_aliases
 *   drivers/pci/ats.c          ATS and PASID capability (pci-ats.h)
 *   drivers/pci/search.c       pci_get_domain_bus_and_slot
 *   drivers/pci/remove.c       pci_stop_and_remove_bus_device
 *   drivers/pci/pci-driver.c   pci_dma_configure/cleanup, pci_device_shutdown
 *   drivers/base/bus.c, dd.c, core.c
 *                              bus_for_each_dev, device_driver_attach,
 *                              device_release_driver, device_shutdown
 *
 * Left out: config space, BARs, bridges and bus numbers assignment (the
 * machine fixes segment/bus/devfn), resources, power states, SR-IOV,
 * reference counting of struct pci_dev (pci_dev_put() is a no-op: a
 * pci_dev lives from enumeration to removal), sysfs, deferred probing.
 * The "group tag" of a simulated function (functions not isolated by ACS)
 * is what pci_devs_are_dma_aliases() reports, so pci_device_group() puts
 * such functions into one iommu group.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/iommu.h>
#include <linux/export.h>

#include <lusim/reset.h>
#include <lusim/hotplug.h>
#include <lusim/kexec.h>
#include <hw/hw.h>

#include <stdio.h>	/* snprintf: the shim has no <linux/sprintf.h> */

const struct bus_type pci_bus_type = {
	.name	= "pci",
};
EXPORT_SYMBOL(pci_bus_type);

/* The bus's device list (drivers/base: klist_devices), in add order. */
static LIST_HEAD(pci_devices);
static unsigned int nr_pci_devices;

static bool (*pci_shutdown_keep_dma)(struct pci_dev *pdev);

/* --- drivers/base/bus.c --------------------------------------------------- */

/**
 * bus_for_each_dev - device iterator.
 * @bus: bus type.
 * @start: device to start iterating from (exclusive), or NULL.
 * @data: data for the callback.
 * @fn: function to be called for each device.
 *
 * Iterate over @bus's list of devices, and call @fn for each, passing it
 * @data. If @fn returns anything but 0, we break out and return it.
 */
int bus_for_each_dev(const struct bus_type *bus, struct device *start,
		     void *data, int (*fn)(struct device *dev, void *data))
{
	struct list_head *pos;
	int error = 0;

	if (bus != &pci_bus_type)
		return -EINVAL;

	pos = start ? start->lusim_node.next : pci_devices.next;
	while (pos != &pci_devices && !error) {
		struct device *dev = list_entry(pos, struct device, lusim_node);

		/* @fn may not remove @dev from the bus */
		pos = pos->next;
		error = fn(dev, data);
	}
	return error;
}
EXPORT_SYMBOL_GPL(bus_for_each_dev);

/* --- drivers/pci/pci-driver.c + drivers/base/dd.c ------------------------- */

static int pci_dma_configure(struct device *dev)
{
	struct device_driver *driver = dev->driver;
	int ret = 0;

	/*
	 * Firmware DMA configuration (ACPI/OF) has nothing to do in the
	 * model; what matters is the IOMMU: a driver that uses the DMA API
	 * claims the group's default domain.
	 */
	if (!driver->driver_managed_dma)
		ret = iommu_device_use_default_domain(dev);

	return ret;
}

static void pci_dma_cleanup(struct device *dev)
{
	struct device_driver *driver = dev->driver;

	if (!driver->driver_managed_dma)
		iommu_device_unuse_default_domain(dev);
}

static int really_probe(struct device *dev, struct device_driver *drv)
{
	int ret;

	dev->driver = drv;

	ret = pci_dma_configure(dev);
	if (ret)
		goto pinctrl_bind_failed;

	if (drv->probe) {
		ret = drv->probe(dev);
		if (ret)
			goto probe_failed;
	}

	dev_dbg(dev, "bound to driver %s\n", drv->name);
	return 0;

probe_failed:
	pci_dma_cleanup(dev);
pinctrl_bind_failed:
	dev->driver = NULL;
	return ret;
}

/**
 * device_driver_attach - attach a specific driver to a specific device
 * @drv: Driver to attach
 * @dev: Device to attach it to
 *
 * Returns 0 if the device was bound, -EBUSY if it already has a driver,
 * or the error of the DMA configuration or of the driver's probe.
 */
int device_driver_attach(struct device_driver *drv, struct device *dev)
{
	if (dev->driver)
		return -EBUSY;

	return really_probe(dev, drv);
}
EXPORT_SYMBOL_GPL(device_driver_attach);

/**
 * device_release_driver - manually detach device from driver.
 * @dev: device.
 */
void device_release_driver(struct device *dev)
{
	struct device_driver *drv = dev->driver;

	if (!drv)
		return;

	if (drv->remove)
		drv->remove(dev);

	pci_dma_cleanup(dev);
	dev->driver = NULL;
	dev_dbg(dev, "unbound from driver %s\n", drv->name);
}
EXPORT_SYMBOL_GPL(device_release_driver);

static void pci_device_shutdown(struct device *dev)
{
	struct pci_dev *pci_dev = to_pci_dev(dev);
	struct device_driver *drv = dev->driver;

	if (drv && drv->shutdown)
		drv->shutdown(dev);

	/*
	 * If this is a kexec reboot, turn off Bus Master bit on the
	 * device to tell it to not continue to do DMA.  Live update keeps
	 * the preserved devices' DMA running (the filter).
	 */
	if (pci_shutdown_keep_dma && pci_shutdown_keep_dma(pci_dev))
		return;
	pci_clear_master(pci_dev);
}

/**
 * device_shutdown - call ->shutdown() on each device to shutdown.
 *
 * Devices are shut down in the reverse order of their addition, as the
 * driver core's devices_kset list is walked.  The model only runs it before
 * a kexec.
 */
void device_shutdown(void)
{
	struct device *dev;

	list_for_each_entry_reverse(dev, &pci_devices, lusim_node)
		pci_device_shutdown(dev);
}
EXPORT_SYMBOL_GPL(device_shutdown);

/* --- drivers/pci/pci.c ----------------------------------------------------- */

static void __pci_set_master(struct pci_dev *dev, bool enable)
{
	hw_pci_set_bus_master(dev->hw, enable);
}

/**
 * pci_set_master - enables bus-mastering for device dev
 * @dev: the PCI device to enable
 */
void pci_set_master(struct pci_dev *dev)
{
	__pci_set_master(dev, true);
}
EXPORT_SYMBOL(pci_set_master);

/**
 * pci_clear_master - disables bus-mastering for device dev
 * @dev: the PCI device to disable
 */
void pci_clear_master(struct pci_dev *dev)
{
	__pci_set_master(dev, false);
}
EXPORT_SYMBOL(pci_clear_master);

/*
 * The simulated platform has no requester-id aliasing; the functions it
 * does not isolate from each other (no ACS: the same group tag on the
 * machine) are reported as DMA aliases, which makes pci_device_group() put
 * them in one iommu group, as the kernel does for non-isolated functions.
 */
bool pci_devs_are_dma_aliases(struct pci_dev *dev1, struct pci_dev *dev2)
{
	return dev1 != dev2 && hw_pci_group(dev1->hw) == hw_pci_group(dev2->hw);
}
EXPORT_SYMBOL_GPL(pci_devs_are_dma_aliases);

/* --- drivers/pci/ats.c ----------------------------------------------------- */

bool pci_ats_supported(struct pci_dev *dev)
{
	return hw_pci_has_ats(dev->hw);
}
EXPORT_SYMBOL_GPL(pci_ats_supported);

/**
 * pci_enable_ats - enable the ATS capability
 * @dev: the PCI device
 * @ps: the IOMMU page shift
 *
 * Returns 0 on success, or negative on failure.
 */
int pci_enable_ats(struct pci_dev *dev, int ps)
{
	if (!pci_ats_supported(dev))
		return -EINVAL;

	if (WARN_ON(dev->ats_enabled))
		return -EBUSY;

	if (ps != PAGE_SHIFT)
		return -EINVAL;

	if (hw_pci_enable_ats(dev->hw, true))
		return -EINVAL;
	dev->ats_enabled = 1;
	return 0;
}
EXPORT_SYMBOL_GPL(pci_enable_ats);

/**
 * pci_disable_ats - disable the ATS capability
 * @dev: the PCI device
 */
void pci_disable_ats(struct pci_dev *dev)
{
	if (WARN_ON(!dev->ats_enabled))
		return;

	hw_pci_enable_ats(dev->hw, false);
	dev->ats_enabled = 0;
}
EXPORT_SYMBOL_GPL(pci_disable_ats);

int pci_ats_queue_depth(struct pci_dev *dev)
{
	return 0;
}
EXPORT_SYMBOL_GPL(pci_ats_queue_depth);

/**
 * pci_enable_pasid - Enable the PASID capability
 * @pdev: PCI device structure
 * @features: Features to enable
 */
int pci_enable_pasid(struct pci_dev *pdev, int features)
{
	if (WARN_ON(pdev->pasid_enabled))
		return -EBUSY;

	if (!hw_pci_max_pasids(pdev->hw))
		return -EINVAL;

	pdev->pasid_enabled = 1;
	return 0;
}
EXPORT_SYMBOL_GPL(pci_enable_pasid);

void pci_disable_pasid(struct pci_dev *pdev)
{
	if (WARN_ON(!pdev->pasid_enabled))
		return;

	pdev->pasid_enabled = 0;
}
EXPORT_SYMBOL_GPL(pci_disable_pasid);

/**
 * pci_max_pasids - Get maximum number of PASIDs supported by device
 * @pdev: PCI device structure
 *
 * Returns negative value when PASID capability is not present.
 * Otherwise it returns the number of supported PASIDs.
 */
int pci_max_pasids(struct pci_dev *pdev)
{
	u32 max = hw_pci_max_pasids(pdev->hw);

	if (!max)
		return -EINVAL;
	return max;
}
EXPORT_SYMBOL_GPL(pci_max_pasids);

/* --- drivers/pci/search.c -------------------------------------------------- */

/**
 * pci_get_domain_bus_and_slot - locate PCI device for a given PCI domain
 * (segment), bus, and slot
 *
 * Returns the device or NULL.  (No reference is taken in the model.)
 */
struct pci_dev *pci_get_domain_bus_and_slot(int domain, unsigned int bus,
					    unsigned int devfn)
{
	struct pci_dev *pdev;

	list_for_each_entry(pdev, &pci_devices, dev.lusim_node) {
		if (pci_domain_nr(pdev->bus) == domain &&
		    pdev->bus->number == bus && pdev->devfn == devfn)
			return pdev;
	}
	return NULL;
}
EXPORT_SYMBOL(pci_get_domain_bus_and_slot);

void pci_dev_put(struct pci_dev *dev)
{
}
EXPORT_SYMBOL(pci_dev_put);

/* --- drivers/pci/probe.c ---------------------------------------------------- */

static struct pci_dev *pci_scan_device(struct hw_pci_dev *hw)
{
	struct pci_dev *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return NULL;

	dev->hw = hw;
	dev->bus_storage.domain_nr = hw_pci_segment(hw);
	dev->bus_storage.number = hw_pci_bus(hw);
	dev->bus = &dev->bus_storage;
	dev->devfn = hw_pci_devfn(hw);
	dev->dev.bus = &pci_bus_type;
	INIT_LIST_HEAD(&dev->dev.lusim_node);
	snprintf(dev->dev.name, sizeof(dev->dev.name), "%04x:%02x:%02x.%d",
		 pci_domain_nr(dev->bus), dev->bus->number,
		 PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn));
	return dev;
}

/*
 * device_add(): the device joins the bus, and the bus notifier
 * (BUS_NOTIFY_ADD_DEVICE) probes it with the IOMMU core.  A device no
 * registered IOMMU covers stays without a group (-ENODEV is not an error).
 */
static void pci_device_add(struct pci_dev *dev)
{
	int ret;

	list_add_tail(&dev->dev.lusim_node, &pci_devices);
	nr_pci_devices++;

	ret = iommu_probe_device(&dev->dev);
	if (ret && ret != -ENODEV)
		dev_warn(&dev->dev, "IOMMU probe failed: %d\n", ret);
}

/* drivers/pci/remove.c */
void pci_stop_and_remove_bus_device(struct pci_dev *dev)
{
	device_release_driver(&dev->dev);
	/* BUS_NOTIFY_REMOVED_DEVICE */
	iommu_release_device(&dev->dev);
	list_del(&dev->dev.lusim_node);
	nr_pci_devices--;
	hw_pci_remove(dev->hw);
	kfree(dev);
}
EXPORT_SYMBOL(pci_stop_and_remove_bus_device);

/*
 * kernel_kexec() -> kernel_restart_prepare() -> device_shutdown(): run at
 * the kexec stage where the model shuts devices down (after LUO froze).
 */
static int pci_kexec_shutdown(enum lusim_kexec_stage stage)
{
	device_shutdown();
	return 0;
}

/*
 * Boot-time enumeration: every function present on the machine, in the
 * machine's order (the one they were added in).
 */
static int pci_subsys_init(void)
{
	unsigned int i, n = hw_pci_count();
	int ret;

	/* kexec hooks outlive kernels: the first boot adds it, once */
	ret = lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE,
				   pci_kexec_shutdown);
	if (ret && ret != -EEXIST)
		return ret;

	for (i = 0; i < n; i++) {
		struct pci_dev *dev = pci_scan_device(hw_pci_at(i));

		if (!dev)
			return -ENOMEM;
		pci_device_add(dev);
	}
	return 0;
}
LUSIM_INITCALL(pci_subsys_init, LUSIM_INIT_SUBSYS)

/* --- lusim entry points (<lusim/hotplug.h>) --------------------------------- */

struct pci_dev *lusim_pci_hotplug_add(const struct hw_pci_cfg *cfg)
{
	struct hw_pci_dev *hw;
	struct pci_dev *dev;
	int ret;

	ret = hw_pci_add(cfg, &hw);
	if (ret)
		return ERR_PTR(ret);

	dev = pci_scan_device(hw);
	if (!dev) {
		hw_pci_remove(hw);
		return ERR_PTR(-ENOMEM);
	}
	pci_device_add(dev);
	return dev;
}

int lusim_pci_hotplug_remove(struct pci_dev *pdev)
{
	if (!pdev)
		return -ENODEV;
	pci_stop_and_remove_bus_device(pdev);
	return 0;
}

struct pci_dev *lusim_pci_find(u16 segment, u8 bus, u8 devfn)
{
	return pci_get_domain_bus_and_slot(segment, bus, devfn);
}

unsigned int lusim_pci_count(void)
{
	return nr_pci_devices;
}

struct pci_dev *lusim_pci_at(unsigned int i)
{
	struct pci_dev *pdev;

	list_for_each_entry(pdev, &pci_devices, dev.lusim_node)
		if (i-- == 0)
			return pdev;
	return NULL;
}

/* The device's own (native) driver: uses the DMA API. */
struct device_driver lusim_native_driver = {
	.name	= "native",
};

int lusim_pci_bind_native_driver(struct pci_dev *pdev)
{
	return device_driver_attach(&lusim_native_driver, &pdev->dev);
}

void lusim_pci_unbind_driver(struct pci_dev *pdev)
{
	device_release_driver(&pdev->dev);
}

void lusim_pci_set_shutdown_filter(bool (*keep)(struct pci_dev *pdev))
{
	pci_shutdown_keep_dma = keep;
}

/*
 * Back to boot state.  The old kernel's pci_dev structures are forgotten,
 * not freed (kexec: see iommu_lusim_reset()).
 */
static void pci_lusim_reset(void)
{
	INIT_LIST_HEAD(&pci_devices);
	nr_pci_devices = 0;
	pci_shutdown_keep_dma = NULL;
}
LUSIM_RESET_FN(pci_lusim_reset, LUSIM_RESET_PRIO_MODEL)
