/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by test_iommu_core.c and test_intel_iommu.c: a small simulated
 * machine and helpers to boot the kernel model on it.
 *
 *   unit 0 (0xfed90000, scalable, nested, ATS)
 *     A  0000:00:02.0  PASID 64, singleton group
 *     B  0000:00:03.0  PASID 32  } one group (group tag 7: no ACS)
 *     C  0000:00:03.1  no PASID  }
 *   unit 1 (0xfed91000)
 *     D  0000:01:00.0  PASID 16, ATS, singleton group
 */
#ifndef _LUSIM_IOMMU_TEST_H
#define _LUSIM_IOMMU_TEST_H

#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include <hw/hw.h>
#include <lusim/hotplug.h>
#include <lusim/intel-iommu.h>
#include <lusim/fault.h>
#include <lusim/reset.h>

#include "lusim_test.h"

#define UNIT0	0xfed90000ULL
#define UNIT1	0xfed91000ULL

enum { DEV_A, DEV_B, DEV_C, DEV_D, NR_TEST_DEVS };

static const struct hw_iommu_cfg test_units[] = {
	{ .reg_base = UNIT0, .segment = 0 },
	{ .reg_base = UNIT1, .segment = 0 },
};

static const struct hw_pci_cfg test_devs[NR_TEST_DEVS] = {
	[DEV_A] = { .bus = 0, .devfn = PCI_DEVFN(2, 0), .iommu_base = UNIT0,
		    .max_pasids = 64 },
	[DEV_B] = { .bus = 0, .devfn = PCI_DEVFN(3, 0), .iommu_base = UNIT0,
		    .max_pasids = 32, .group_tag = 7 },
	[DEV_C] = { .bus = 0, .devfn = PCI_DEVFN(3, 1), .iommu_base = UNIT0,
		    .group_tag = 7 },
	[DEV_D] = { .bus = 1, .devfn = PCI_DEVFN(0, 0), .iommu_base = UNIT1,
		    .max_pasids = 16, .ats = true },
};

/* Put the units and devices on the machine (before boot). */
static inline void test_machine_config(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(test_units); i++)
		assert_int_equal(hw_iommu_add(&test_units[i], NULL), 0);
	for (i = 0; i < NR_TEST_DEVS; i++)
		assert_int_equal(hw_pci_add(&test_devs[i], NULL), 0);
}

static inline void test_boot(void)
{
	assert_int_equal(lusim_boot(), 0);
}

static inline struct pci_dev *test_pdev(int i)
{
	struct pci_dev *pdev = lusim_pci_find(test_devs[i].segment,
					      test_devs[i].bus,
					      test_devs[i].devfn);

	assert_non_null(pdev);
	return pdev;
}

static inline struct device *test_dev(int i)
{
	return &test_pdev(i)->dev;
}

/* The group of a device (the reference is dropped: the device holds one). */
static inline struct iommu_group *test_group(int i)
{
	struct iommu_group *group = iommu_group_get(test_dev(i));

	assert_non_null(group);
	iommu_group_put(group);
	return group;
}

/* Remove every device and unit, through the kernel, as hot-remove. */
static inline void test_unplug_all(void)
{
	struct pci_dev *pdev;

	while ((pdev = lusim_pci_at(0)) != NULL)
		assert_int_equal(lusim_pci_hotplug_remove(pdev), 0);
	while (hw_iommu_count())
		assert_int_equal(
			lusim_dmar_hotplug_remove(hw_iommu_base(hw_iommu_at(0))),
			0);
}

#endif /* _LUSIM_IOMMU_TEST_H */
