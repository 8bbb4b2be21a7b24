// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/ops: the machine. A configuration is data (units, functions); power
 * on builds it in sim/hw and boots the kernel model, power off is the
 * process exiting followed by a leak check against the marks taken at
 * power-on, then a reset.
 */
#include <lusim/fault.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/liveupdate.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <lusim/findings.h>
#include <lusim/reset.h>
#include <lusim/hotplug.h>
#include <lusim/kexec.h>
#include <lusim/vfio.h>

#include "ops.h"

static const struct ops_unit_cfg default_units[] = {
	{ .reg_base = 0xfed90000, .segment = 0 },
	{ .reg_base = 0xfed91000, .segment = 0 },
};

static const struct ops_dev_cfg default_devs[] = {
	{ .bus = 0, .devfn = 0x08, .unit = 0, .max_pasids = 1u << 20,
	  .ats = true },					/* 00:01.0 */
	{ .bus = 0, .devfn = 0x10, .unit = 0, .group_tag = 1 },	/* 00:02.0 */
	{ .bus = 0, .devfn = 0x11, .unit = 0, .group_tag = 1 },	/* 00:02.1 */
	{ .bus = 0, .devfn = 0x18, .unit = 1, .max_pasids = 256 },/* 00:03.0 */
	{ .bus = 0, .devfn = 0x20, .unit = 1 },			/* 00:04.0 */
	{ .bus = 0, .devfn = 0x28, .unit = 1, .max_pasids = 1u << 20,
	  .ats = true },					/* 00:05.0 */
};

static const struct ops_machine_cfg default_cfg = {
	.name = "default",
	.nr_units = ARRAY_SIZE(default_units),
	.units = default_units,
	.nr_devs = ARRAY_SIZE(default_devs),
	.devs = default_devs,
};

const struct ops_machine_cfg *ops_machine_default(void)
{
	return &default_cfg;
}

static struct ops_unit_cfg scaled_units[OPS_MAX_UNITS];
static struct ops_dev_cfg scaled_devs[OPS_MAX_DEVS];
static struct ops_machine_cfg scaled_cfg;

const struct ops_machine_cfg *ops_machine_scaled(unsigned int nr_units,
						 unsigned int nr_devs)
{
	unsigned int i;

	if (!nr_units || nr_units > OPS_MAX_UNITS || nr_devs > OPS_MAX_DEVS)
		return NULL;
	memset(scaled_units, 0, sizeof(scaled_units));
	memset(scaled_devs, 0, sizeof(scaled_devs));
	for (i = 0; i < nr_units; i++)
		scaled_units[i].reg_base = 0xfed90000ULL + 0x1000ULL * i;
	for (i = 0; i < nr_devs; i++) {
		scaled_devs[i].bus = 1 + i / 32;
		scaled_devs[i].devfn = (i % 32) << 3;
		scaled_devs[i].unit = i % nr_units;
		scaled_devs[i].max_pasids = (i % 2) ? 0 : 1u << 20;
	}
	scaled_cfg = (struct ops_machine_cfg){
		.name = "scaled",
		.nr_units = nr_units,
		.units = scaled_units,
		.nr_devs = nr_devs,
		.devs = scaled_devs,
	};
	return &scaled_cfg;
}

static struct {
	const struct ops_machine_cfg *cfg;
	struct hw_pci_dev *hw_devs[OPS_MAX_DEVS];
	unsigned long slab_mark;
	unsigned long page_mark;
} machine;

const struct ops_machine_cfg *ops_machine_cfg(void)
{
	return machine.cfg;
}

unsigned int ops_nr_devices(void)
{
	return machine.cfg ? machine.cfg->nr_devs : 0;
}

struct hw_pci_dev *ops_hw_dev(unsigned int dev)
{
	if (!machine.cfg || dev >= machine.cfg->nr_devs)
		return NULL;
	return machine.hw_devs[dev];
}

static struct hw_iommu_cfg unit_hw_cfg(const struct ops_unit_cfg *u)
{
	return (struct hw_iommu_cfg){
		.reg_base = u->reg_base,
		.segment = u->segment,
		.legacy_only = u->legacy,
		.no_nested = u->no_nested,
		.no_ats = u->no_ats,
		.pasid_bits = u->pasid_bits,
	};
}

int ops_machine_power_on(const struct ops_machine_cfg *cfg)
{
	unsigned int i;
	int ret;

	if (!cfg || cfg->nr_units > OPS_MAX_UNITS || cfg->nr_devs > OPS_MAX_DEVS)
		return -EINVAL;

	lusim_reset_all();
	memset(&machine, 0, sizeof(machine));

	for (i = 0; i < cfg->nr_units; i++) {
		struct hw_iommu_cfg hc = unit_hw_cfg(&cfg->units[i]);

		ret = hw_iommu_add(&hc, NULL);
		if (ret)
			return ret;
	}
	for (i = 0; i < cfg->nr_devs; i++) {
		const struct ops_dev_cfg *d = &cfg->devs[i];
		struct hw_pci_cfg pc = {
			.segment = d->segment,
			.bus = d->bus,
			.devfn = d->devfn,
			.max_pasids = d->max_pasids,
			.ats = d->ats,
			.group_tag = d->group_tag,
		};

		if (d->unit >= cfg->nr_units)
			return -EINVAL;
		pc.iommu_base = cfg->units[d->unit].reg_base;
		ret = hw_pci_add(&pc, &machine.hw_devs[i]);
		if (ret)
			return ret;
	}

	ret = lusim_boot();
	if (ret)
		return ret;
	machine.cfg = cfg;
	rcu_barrier();
	machine.slab_mark = lusim_slab_mark();
	machine.page_mark = lusim_page_mark();
	return 0;
}

unsigned long ops_machine_power_off(void)
{
	unsigned long leaks = 0;

	if (!machine.cfg)
		return 0;

	/* the process exits: its fds are closed */
	lusim_close_all_fds();
	/*
	 * Power off: LUO's incoming state phase 1 never finished is the
	 * kernel's until the next reboot, not a leak (docs/luo-kho.md). It
	 * goes first: a retrieved file it still holds keeps its device busy,
	 * and the removals below must see every file closed.
	 */
	lusim_liveupdate_power_off();
	ops_machine_unplug_all();
	rcu_barrier();

	/* whatever was allocated after power-on and is still live leaked */
	leaks += lusim_slab_check_leaks_since(machine.slab_mark);
	leaks += lusim_page_check_leaks_since(machine.page_mark);
	/* the reset below clears the findings: show them first */
	if (leaks)
		lusim_findings_print(stderr);

	/* power off: the whole kernel is forgotten, the machine reset */
	lusim_reset_all();
	lusim_slab_free_since(0);
	memset(&machine, 0, sizeof(machine));
	return leaks;
}

/* --- live update: kexec -------------------------------------------------- */

/*
 * The new kernel's boot is the harness's, like the boot at power-on: no
 * fault is injected into it (an initcall failing half-way leaves a kernel
 * the real one never is: the real boot goes on past a failed initcall, the
 * model's stops). Faults armed by the scenario stay armed for the ops after
 * the kexec; the old kernel's freeze and KHO finalize stay injectable.
 */
static int ops_kexec_boot_hook(enum lusim_kexec_stage stage)
{
	if (stage == LUSIM_KEXEC_AFTER_FREEZE)
		lusim_fault_suspend();
	else
		lusim_fault_resume();
	return 0;
}

int ops_kexec(void)
{
	int ret;

	if (!machine.cfg)
		return -ENODEV;
	lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, ops_kexec_boot_hook);
	lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_BOOT, ops_kexec_boot_hook);
	ret = lusim_kexec();
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, ops_kexec_boot_hook);
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_BOOT, ops_kexec_boot_hook);
	if (ret)
		return ret;
	/*
	 * The old kernel is gone (its objects forgotten, its fds dropped);
	 * what the power-off leak check covers from now on is the new kernel
	 * after its boot.
	 */
	rcu_barrier();
	machine.slab_mark = lusim_slab_mark();
	machine.page_mark = lusim_page_mark();
	return 0;
}

/* --- kernel drivers and hotplug ---------------------------------------- */

static struct pci_dev *ops_pci_dev(unsigned int dev)
{
	const struct ops_dev_cfg *d;

	if (!machine.cfg || dev >= machine.cfg->nr_devs)
		return NULL;
	d = &machine.cfg->devs[dev];
	return lusim_pci_find(d->segment, d->bus, d->devfn);
}

int ops_native_bind(unsigned int dev)
{
	struct pci_dev *pdev = ops_pci_dev(dev);

	if (!pdev)
		return -ENODEV;
	return lusim_pci_bind_native_driver(pdev);
}

int ops_native_unbind(unsigned int dev)
{
	struct pci_dev *pdev = ops_pci_dev(dev);

	if (!pdev || pdev->dev.driver != &lusim_native_driver)
		return -ENODEV;
	lusim_pci_unbind_driver(pdev);
	return 0;
}

int ops_pci_hot_remove(unsigned int dev)
{
	struct pci_dev *pdev = ops_pci_dev(dev);
	int ret;

	if (!pdev)
		return -ENODEV;
	/* vfio-pci's remove would wait for the device's files to close */
	ret = lusim_vfio_pci_unbind(machine.cfg->devs[dev].segment,
				    machine.cfg->devs[dev].bus,
				    machine.cfg->devs[dev].devfn);
	if (ret == -EBUSY)
		return ret;
	ret = lusim_pci_hotplug_remove(pdev);
	if (!ret)
		machine.hw_devs[dev] = NULL;
	return ret;
}

int ops_pci_hot_add(unsigned int dev)
{
	const struct ops_dev_cfg *d;
	struct hw_pci_cfg pc;
	struct pci_dev *pdev;

	if (!machine.cfg || dev >= machine.cfg->nr_devs)
		return -ENODEV;
	if (ops_pci_dev(dev))
		return -EEXIST;
	d = &machine.cfg->devs[dev];
	pc = (struct hw_pci_cfg){
		.segment = d->segment,
		.bus = d->bus,
		.devfn = d->devfn,
		.iommu_base = machine.cfg->units[d->unit].reg_base,
		.max_pasids = d->max_pasids,
		.ats = d->ats,
		.group_tag = d->group_tag,
	};
	pdev = lusim_pci_hotplug_add(&pc);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	machine.hw_devs[dev] = hw_pci_find(d->segment, d->bus, d->devfn);
	return 0;
}

int ops_dmar_hot_remove(unsigned int unit)
{
	if (!machine.cfg || unit >= machine.cfg->nr_units)
		return -ENODEV;
	return lusim_dmar_hotplug_remove(machine.cfg->units[unit].reg_base);
}

int ops_dmar_hot_add(unsigned int unit)
{
	struct hw_iommu_cfg hc;

	if (!machine.cfg || unit >= machine.cfg->nr_units)
		return -ENODEV;
	hc = unit_hw_cfg(&machine.cfg->units[unit]);
	return lusim_dmar_hotplug_add(&hc);
}

/*
 * The administrator's part of process exit: vfio-pci unbound from every
 * function, every function removed (orderly hot-unplug, last first, which
 * releases what the kernel keeps per device on purpose: VT-d PASID tables
 * grown on demand, group and default domain of the last device of a
 * group), then every remapping unit (what a DRHD hot-add allocated during
 * the run is released like the rest).
 */
void ops_machine_unplug_all(void)
{
	unsigned int n;

	lusim_vfio_pci_unbind_all();
	while ((n = lusim_pci_count()))
		lusim_pci_hotplug_remove(lusim_pci_at(n - 1));
	for (n = machine.cfg ? machine.cfg->nr_units : 0; n; n--)
		lusim_dmar_hotplug_remove(machine.cfg->units[n - 1].reg_base);
}
