// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOMMU core (sim/drivers/iommu/iommu.c) on the simulated VT-d driver:
 * device probe and groups, group and PASID attach/replace/detach with every
 * errno of kernel-model.md 4.5, DMA ownership (4.7) including kernel-driver
 * bind, multi-device groups, iommu_map/iommu_unmap page-size splitting,
 * and no leaks after hot-removing everything.
 */
#include "iommu_test.h"
#include <linux/rcupdate.h>
/* the driver's structures, to walk a domain's tables */
#include "../../sim/drivers/iommu/intel/iommu.h"

static int dummy_owner_x, dummy_owner_y;
#define OWNER_X ((void *)&dummy_owner_x)
#define OWNER_Y ((void *)&dummy_owner_y)

#define SZ_4K	0x1000UL
#define SZ_2M	0x200000UL
#define SZ_1G	0x40000000UL

/* RAM is at 4 GiB and up: a 1 GiB aligned physical address to map */
#define TEST_PA	(HW_MEM_BASE + SZ_1G)

static void boot_default(void)
{
	test_machine_config();
	test_boot();
}

/* --- probe and groups ---------------------------------------------------- */

static void test_probe_groups(void **state)
{
	struct iommu_group *ga, *gb, *gc, *gd;
	struct iommu_domain *dom;

	(void)state;
	boot_default();

	assert_int_equal(lusim_pci_count(), NR_TEST_DEVS);
	assert_string_equal(dev_name(test_dev(DEV_B)), "0000:00:03.0");
	assert_string_equal(dev_name(test_dev(DEV_D)), "0000:01:00.0");

	ga = test_group(DEV_A);
	gb = test_group(DEV_B);
	gc = test_group(DEV_C);
	gd = test_group(DEV_D);
	assert_ptr_equal(gb, gc);		/* no ACS: one group */
	assert_ptr_not_equal(ga, gb);
	assert_ptr_not_equal(ga, gd);
	assert_int_not_equal(iommu_group_id(ga), iommu_group_id(gd));

	/* max_pasids: min(device capability, unit's 2^20) */
	assert_int_equal(test_dev(DEV_A)->iommu->max_pasids, 64);
	assert_int_equal(test_dev(DEV_C)->iommu->max_pasids, 0);
	assert_int_equal(test_dev(DEV_D)->iommu->max_pasids, 16);

	/* Every group starts on its default domain: an empty DMA domain */
	dom = iommu_get_domain_for_dev(test_dev(DEV_A));
	assert_non_null(dom);
	assert_int_equal(dom->type, IOMMU_DOMAIN_DMA);
	assert_ptr_equal(dom, iommu_group_default_domain(ga));
	assert_int_equal(iommu_iova_to_phys(dom, 0x1000), 0);
	assert_ptr_equal(iommu_get_domain_for_dev(test_dev(DEV_B)),
			 iommu_get_domain_for_dev(test_dev(DEV_C)));
	assert_false(iommu_group_dma_owner_claimed(ga));
	assert_no_findings();
}

/* --- group attach, replace, detach --------------------------------------- */

static void test_group_attach_replace_detach(void **state)
{
	struct iommu_attach_handle h1 = { 0 }, h2 = { 0 }, h3 = { 0 };
	struct iommu_domain *def, *d1, *d2, *dd;
	struct iommu_group *ga = NULL;
	struct device *a;

	(void)state;
	boot_default();
	a = test_dev(DEV_A);
	ga = test_group(DEV_A);
	def = iommu_get_domain_for_dev(a);

	d1 = iommu_paging_domain_alloc(a);
	d2 = iommu_paging_domain_alloc(a);
	assert_false(IS_ERR(d1));
	assert_false(IS_ERR(d2));
	assert_int_equal(d1->type, IOMMU_DOMAIN_UNMANAGED);

	assert_int_equal(iommu_attach_group_handle(d1, ga, NULL), -EINVAL);
	assert_int_equal(iommu_attach_group_handle(d1, ga, &h1), 0);
	assert_ptr_equal(iommu_get_domain_for_dev(a), d1);
	assert_ptr_equal(h1.domain, d1);
	assert_ptr_equal(iommu_attach_handle_get(ga, IOMMU_NO_PASID, 0), &h1);
	assert_true(iommu_domain_has_attachments(d1));

	/* The NO_PASID slot is taken: attach again is -EBUSY, use replace */
	assert_int_equal(iommu_attach_group_handle(d2, ga, &h2), -EBUSY);
	assert_int_equal(iommu_replace_group_handle(ga, NULL, &h2), -EINVAL);
	assert_int_equal(iommu_replace_group_handle(ga, d2, NULL), -EINVAL);
	assert_int_equal(iommu_replace_group_handle(ga, d2, &h2), 0);
	assert_ptr_equal(iommu_get_domain_for_dev(a), d2);
	assert_ptr_equal(iommu_attach_handle_get(ga, IOMMU_NO_PASID, 0), &h2);
	assert_false(iommu_domain_has_attachments(d1));
	assert_ptr_equal(iommu_attach_handle_get(ga, IOMMU_NO_PASID,
						 IOMMU_DOMAIN_IDENTITY),
			 ERR_PTR(-EBUSY));

	/* A domain of another device's iommu_ops (quirk unit) is -EINVAL */
	iommu_detach_group_handle(d2, ga);
	assert_ptr_equal(iommu_get_domain_for_dev(a), def);
	assert_ptr_equal(iommu_attach_handle_get(ga, IOMMU_NO_PASID, 0),
			 ERR_PTR(-ENOENT));

	/* The kernel-driver API: iommu_attach_group on a non-core domain */
	assert_int_equal(iommu_attach_group(d1, ga), 0);
	assert_int_equal(iommu_attach_group(d2, ga), -EBUSY);
	assert_int_equal(iommu_attach_group_handle(d2, ga, &h3), -EBUSY);
	iommu_detach_group(d1, ga);
	assert_ptr_equal(iommu_get_domain_for_dev(a), def);

	/* iommu_attach_device: single-device groups only */
	dd = iommu_paging_domain_alloc(test_dev(DEV_B));
	assert_int_equal(iommu_attach_device(dd, test_dev(DEV_B)), -EINVAL);
	assert_int_equal(iommu_attach_device(d1, a), 0);
	iommu_detach_device(d1, a);

	iommu_domain_free(dd);
	iommu_domain_free(d1);
	iommu_domain_free(d2);
	assert_no_findings();
}

static void test_attach_incompatible_ops(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct iommu_domain *dd;

	(void)state;
	/* unit 1 gets a driver without set_dev_pasid: its own iommu_ops */
	assert_int_equal(lusim_intel_iommu_set_quirks(
		UNIT1, LUSIM_INTEL_QUIRK_NO_SET_DEV_PASID), 0);
	assert_int_equal(lusim_intel_iommu_set_quirks(UNIT1, 1U << 7), -EINVAL);
	boot_default();

	assert_ptr_not_equal(dev_iommu_ops(test_dev(DEV_A)),
			     dev_iommu_ops(test_dev(DEV_D)));
	dd = iommu_paging_domain_alloc(test_dev(DEV_D));
	assert_false(IS_ERR(dd));
	assert_null(dd->ops->set_dev_pasid);
	assert_non_null(dd->ops->map_pages);
	assert_null(dev_iommu_ops(test_dev(DEV_D))->blocked_domain->ops->set_dev_pasid);
	assert_int_equal(iommu_attach_group_handle(dd, test_group(DEV_A), &h),
			 -EINVAL);
	assert_int_equal(iommu_attach_device_pasid(dd, test_dev(DEV_A), 1, &h),
			 -EOPNOTSUPP);
	iommu_domain_free(dd);
	assert_no_findings();
}

/* --- PASID attach ------------------------------------------------------------ */

static void test_pasid_errnos(void **state)
{
	struct iommu_attach_handle h1 = { 0 }, h2 = { 0 }, h3 = { 0 };
	struct iommu_domain *d1, *d2, *dd;
	struct iommu_group *ga;
	struct device *a;

	(void)state;
	assert_int_equal(lusim_intel_iommu_set_quirks(
		UNIT1, LUSIM_INTEL_QUIRK_NO_SET_DEV_PASID), 0);
	boot_default();
	a = test_dev(DEV_A);
	ga = test_group(DEV_A);
	d1 = iommu_paging_domain_alloc_flags(a, IOMMU_HWPT_ALLOC_PASID);
	d2 = iommu_paging_domain_alloc_flags(a, IOMMU_HWPT_ALLOC_PASID);
	assert_false(IS_ERR(d1));
	assert_false(IS_ERR(d2));

	/* set_dev_pasid missing (driver of unit 1) -> -EOPNOTSUPP */
	dd = iommu_paging_domain_alloc(test_dev(DEV_D));
	assert_int_equal(iommu_attach_device_pasid(dd, test_dev(DEV_D), 1, &h1),
			 -EOPNOTSUPP);
	assert_int_equal(iommu_replace_device_pasid(dd, test_dev(DEV_D), 1, &h1),
			 -EOPNOTSUPP);
	iommu_domain_free(dd);

	/* pasid 0 is the RID: -EINVAL */
	assert_int_equal(iommu_attach_device_pasid(d1, a, IOMMU_NO_PASID, &h1),
			 -EINVAL);
	/* pasid >= max_pasids -> -EINVAL */
	assert_int_equal(iommu_attach_device_pasid(d1, a, 64, &h1), -EINVAL);
	assert_int_equal(iommu_attach_device_pasid(d1, a, 1000, &h1), -EINVAL);

	assert_int_equal(iommu_attach_device_pasid(d1, a, 63, &h1), 0);
	assert_ptr_equal(iommu_attach_handle_get(ga, 63, 0), &h1);
	/* occupied slot -> -EBUSY */
	assert_int_equal(iommu_attach_device_pasid(d2, a, 63, &h2), -EBUSY);
	assert_int_equal(iommu_attach_device_pasid(d1, a, 63, &h2), -EBUSY);

	/* replace: not attached -> -EINVAL; no handle -> -EINVAL */
	assert_int_equal(iommu_replace_device_pasid(d2, a, 5, &h2), -EINVAL);
	assert_ptr_equal(iommu_attach_handle_get(ga, 5, 0), ERR_PTR(-ENOENT));
	assert_int_equal(iommu_replace_device_pasid(d2, a, 63, NULL), -EINVAL);
	assert_int_equal(iommu_replace_device_pasid(d2, a, 0, &h2), -EINVAL);
	assert_int_equal(iommu_replace_device_pasid(d2, a, 63, &h2), 0);
	assert_ptr_equal(iommu_attach_handle_get(ga, 63, 0), &h2);
	/* the same domain with a new handle: no driver call, new handle */
	assert_int_equal(iommu_replace_device_pasid(d2, a, 63, &h3), 0);
	assert_ptr_equal(iommu_attach_handle_get(ga, 63, 0), &h3);
	assert_no_findings();

	/* reusing the attached handle is a caller bug: WARN and -EINVAL */
	assert_int_equal(iommu_replace_device_pasid(d1, a, 63, &h3), -EINVAL);
	assert_finding("WARN");
	lusim_findings_clear();

	iommu_detach_device_pasid(d2, a, 63);
	assert_ptr_equal(iommu_attach_handle_get(ga, 63, 0), ERR_PTR(-ENOENT));
	/* the slot is free again */
	assert_int_equal(iommu_attach_device_pasid(d1, a, 63, &h1), 0);
	iommu_detach_device_pasid(d1, a, 63);

	iommu_domain_free(d1);
	iommu_domain_free(d2);
	assert_no_findings();
}

/* A group where one function has no PASID capability. */
static void test_pasid_multi_device_group(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct iommu_domain *d;
	struct device *b, *c;

	(void)state;
	boot_default();
	b = test_dev(DEV_B);
	c = test_dev(DEV_C);
	d = iommu_paging_domain_alloc_flags(b, IOMMU_HWPT_ALLOC_PASID);

	/* B's 32 PASIDs bound the group; C (no PASID) is not checked */
	assert_int_equal(iommu_attach_device_pasid(d, c, 32, &h), -EINVAL);
	assert_int_equal(iommu_attach_device_pasid(d, c, 31, &h), 0);
	assert_ptr_equal(iommu_attach_handle_get(test_group(DEV_B), 31, 0), &h);
	iommu_detach_device_pasid(d, b, 31);
	iommu_domain_free(d);
	assert_no_findings();
}

/* --- DMA ownership --------------------------------------------------------------- */

static void test_dma_ownership(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct iommu_domain *def, *d;
	struct iommu_group *ga;
	struct device *a;

	(void)state;
	boot_default();
	a = test_dev(DEV_A);
	ga = test_group(DEV_A);
	def = iommu_get_domain_for_dev(a);

	/* user ownership: the group moves to the blocking domain */
	assert_int_equal(iommu_device_claim_dma_owner(a, OWNER_X), 0);
	assert_true(iommu_group_dma_owner_claimed(ga));
	assert_int_equal(iommu_get_domain_for_dev(a)->type,
			 IOMMU_DOMAIN_BLOCKED);
	/* same owner: counted; another owner: -EPERM */
	assert_int_equal(iommu_device_claim_dma_owner(a, OWNER_X), 0);
	assert_int_equal(iommu_device_claim_dma_owner(a, OWNER_Y), -EPERM);
	assert_int_equal(iommu_group_claim_dma_owner(ga, OWNER_X), -EPERM);

	/* a kernel driver cannot bind to an owned group */
	assert_int_equal(lusim_pci_bind_native_driver(test_pdev(DEV_A)), -EBUSY);
	assert_null(a->driver);

	iommu_device_release_dma_owner(a);
	assert_true(iommu_group_dma_owner_claimed(ga));
	iommu_device_release_dma_owner(a);
	assert_false(iommu_group_dma_owner_claimed(ga));
	assert_ptr_equal(iommu_get_domain_for_dev(a), def);

	/* a kernel driver bound: user claims fail with -EPERM */
	assert_int_equal(lusim_pci_bind_native_driver(test_pdev(DEV_A)), 0);
	assert_non_null(a->driver);
	assert_int_equal(lusim_pci_bind_native_driver(test_pdev(DEV_A)), -EBUSY);
	assert_true(iommu_group_dma_owner_claimed(ga));
	assert_int_equal(iommu_device_claim_dma_owner(a, OWNER_X), -EPERM);
	lusim_pci_unbind_driver(test_pdev(DEV_A));
	assert_null(a->driver);
	assert_false(iommu_group_dma_owner_claimed(ga));

	/* first claim with a non-default domain or a PASID: -EBUSY */
	d = iommu_paging_domain_alloc_flags(a, IOMMU_HWPT_ALLOC_PASID);
	assert_int_equal(iommu_attach_group_handle(d, ga, &h), 0);
	assert_int_equal(iommu_device_claim_dma_owner(a, OWNER_X), -EBUSY);
	iommu_detach_group_handle(d, ga);
	assert_int_equal(iommu_attach_device_pasid(d, a, 3, &h), 0);
	assert_int_equal(iommu_device_claim_dma_owner(a, OWNER_X), -EBUSY);
	assert_int_equal(iommu_group_claim_dma_owner(ga, OWNER_X), -EBUSY);
	/* a driver may bind while nobody counts; it then counts */
	assert_int_equal(iommu_device_use_default_domain(a), 0);
	/* with a count, a PASID attached makes the next bind -EBUSY */
	assert_int_equal(iommu_device_use_default_domain(a), -EBUSY);
	iommu_detach_device_pasid(d, a, 3);
	assert_int_equal(iommu_device_use_default_domain(a), 0);
	iommu_device_unuse_default_domain(a);
	iommu_device_unuse_default_domain(a);
	assert_false(iommu_group_dma_owner_claimed(ga));

	/* group-level claim (legacy VFIO) */
	assert_int_equal(iommu_group_claim_dma_owner(ga, OWNER_Y), 0);
	assert_int_equal(iommu_device_claim_dma_owner(a, OWNER_Y), 0);
	iommu_device_release_dma_owner(a);
	iommu_group_release_dma_owner(ga);
	assert_false(iommu_group_dma_owner_claimed(ga));

	iommu_domain_free(d);
	assert_no_findings();

	/* a NULL owner is a caller bug: WARN and -EINVAL */
	assert_int_equal(iommu_device_claim_dma_owner(a, NULL), -EINVAL);
	assert_finding("WARN");
}

static void test_ownership_multi_device_group(void **state)
{
	struct iommu_group *g;
	struct device *b, *c;

	(void)state;
	boot_default();
	b = test_dev(DEV_B);
	c = test_dev(DEV_C);
	g = test_group(DEV_B);

	assert_int_equal(iommu_device_claim_dma_owner(b, OWNER_X), 0);
	/* the sibling function: same owner fine, other owner -EPERM */
	assert_int_equal(iommu_device_claim_dma_owner(c, OWNER_Y), -EPERM);
	assert_int_equal(iommu_device_claim_dma_owner(c, OWNER_X), 0);
	/* and no kernel driver on it */
	assert_int_equal(lusim_pci_bind_native_driver(test_pdev(DEV_C)), -EBUSY);
	iommu_device_release_dma_owner(b);
	assert_true(iommu_group_dma_owner_claimed(g));
	assert_int_equal(lusim_pci_bind_native_driver(test_pdev(DEV_C)), -EBUSY);
	iommu_device_release_dma_owner(c);

	/* two kernel drivers on the two functions share the default domain */
	assert_int_equal(lusim_pci_bind_native_driver(test_pdev(DEV_B)), 0);
	assert_int_equal(lusim_pci_bind_native_driver(test_pdev(DEV_C)), 0);
	assert_int_equal(iommu_device_claim_dma_owner(b, OWNER_X), -EPERM);
	lusim_pci_unbind_driver(test_pdev(DEV_B));
	lusim_pci_unbind_driver(test_pdev(DEV_C));
	assert_false(iommu_group_dma_owner_claimed(g));
	assert_no_findings();
}

/* A device whose probe failed has no group: -ENODEV. */
static void test_ownership_no_group(void **state)
{
	struct hw_pci_cfg cfg = test_devs[DEV_A];
	struct pci_dev *pdev;

	(void)state;
	boot_default();
	cfg.devfn = PCI_DEVFN(9, 0);
	/* the default domain allocation of the new group fails */
	lusim_fail_site(LUSIM_FAULT_DRIVER,
			"intel_iommu_domain_alloc_paging_flags");
	pdev = lusim_pci_hotplug_add(&cfg);
	assert_false(IS_ERR(pdev));
	assert_null(pdev->dev.iommu_group);
	assert_null(pdev->dev.iommu);
	assert_int_equal(iommu_device_claim_dma_owner(&pdev->dev, OWNER_X),
			 -ENODEV);
	/* a driver binds, no IOMMU in the way */
	assert_int_equal(lusim_pci_bind_native_driver(pdev), 0);
	assert_int_equal(lusim_pci_hotplug_remove(pdev), 0);
	assert_no_findings();
}

/* --- iommu_map / iommu_unmap --------------------------------------------------------- */

struct leaf {
	u64 iova, pa, size;
};

struct leaves {
	u64 start, end;		/* the range counted */
	unsigned int n;
	struct leaf l[16];	/* the first ones */
};

static int collect_leaf(uint64_t iova, uint64_t pa, uint64_t size,
			unsigned int perm, void *arg)
{
	struct leaves *ls = arg;

	(void)perm;
	if (iova < ls->start || iova >= ls->end)
		return 0;
	if (ls->n < ARRAY_SIZE(ls->l))
		ls->l[ls->n] = (struct leaf){ iova, pa, size };
	ls->n++;
	return 0;
}

/* Every leaf of a VT-d paging domain in [start, end), from its tables. */
static unsigned int count_leaves(struct iommu_domain *d, u64 start, u64 end,
				 struct leaves *ls)
{
	struct dmar_domain *dd = to_dmar_domain(d);

	memset(ls, 0, sizeof(*ls));
	ls->start = start;
	ls->end = end;
	hw_pt_for_each_leaf(virt_to_phys(dd->pgd), agaw_to_level(dd->agaw),
			    dd->use_first_level ? HW_PT_FIRST : HW_PT_SECOND,
			    collect_leaf, ls);
	return ls->n;
}

static void test_map_unmap_split(void **state)
{
	struct iommu_domain *d;
	struct leaves ls;
	struct device *a;

	(void)state;
	boot_default();
	a = test_dev(DEV_A);
	d = iommu_paging_domain_alloc(a);
	assert_int_equal(d->pgsize_bitmap, SZ_4K | SZ_2M | SZ_1G);

	/* 4K + 2M + 4K: split into a 4K, a 2M and a 4K page */
	assert_int_equal(iommu_map(d, 0x1ff000, TEST_PA + 0x1ff000,
				   SZ_4K + SZ_2M + SZ_4K,
				   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	assert_int_equal(iommu_iova_to_phys(d, 0x1ff123), TEST_PA + 0x1ff123);
	assert_int_equal(iommu_iova_to_phys(d, 0x300000), TEST_PA + 0x300000);
	assert_int_equal(iommu_iova_to_phys(d, 0x400fff), TEST_PA + 0x400fff);
	assert_int_equal(iommu_iova_to_phys(d, 0x401000), 0);
	assert_int_equal(count_leaves(d, 0, 0x600000, &ls), 3);
	assert_int_equal(ls.l[0].size, SZ_4K);
	assert_int_equal(ls.l[1].iova, 0x200000);
	assert_int_equal(ls.l[1].size, SZ_2M);
	assert_int_equal(ls.l[2].size, SZ_4K);

	/* iova and pa differently offset within 2M: only 4K pages */
	assert_int_equal(iommu_map(d, 0x800000, TEST_PA + 0x1000, SZ_2M,
				   IOMMU_READ, GFP_KERNEL), 0);
	assert_int_equal(count_leaves(d, 0x800000, 0xa00000, &ls), 512);

	/* a 1G page */
	assert_int_equal(iommu_map(d, SZ_1G, TEST_PA, SZ_1G, IOMMU_READ,
				   GFP_KERNEL), 0);
	assert_int_equal(count_leaves(d, SZ_1G, 2 * SZ_1G, &ls), 1);
	assert_int_equal(ls.l[0].size, SZ_1G);

	/* alignment, overlap, aperture */
	assert_int_equal(iommu_map(d, 0x10800, TEST_PA, SZ_4K, IOMMU_READ,
				   GFP_KERNEL), -EINVAL);
	assert_int_equal(iommu_map(d, 0x10000, TEST_PA, 0x800, IOMMU_READ,
				   GFP_KERNEL), -EINVAL);
	assert_int_equal(iommu_map(d, 0x10000, TEST_PA, SZ_4K, 0,
				   GFP_KERNEL), -EINVAL);
	assert_int_equal(iommu_map(d, 0x1fe000, TEST_PA, 3 * SZ_4K,
				   IOMMU_READ, GFP_KERNEL), -EADDRINUSE);
	/* the part mapped before the overlap was unrolled */
	assert_int_equal(iommu_iova_to_phys(d, 0x1fe000), 0);
	assert_int_equal(iommu_map(d, 1UL << 48, TEST_PA, SZ_4K, IOMMU_READ,
				   GFP_KERNEL), -EFAULT);

	/* unmap: whole ranges, a large page from its start, a hole stops */
	assert_int_equal(iommu_unmap(d, 0x1ff000, SZ_4K + SZ_2M + SZ_4K),
			 SZ_4K + SZ_2M + SZ_4K);
	assert_int_equal(iommu_iova_to_phys(d, 0x300000), 0);
	assert_int_equal(iommu_unmap(d, SZ_1G, SZ_4K), SZ_1G);
	assert_int_equal(iommu_iova_to_phys(d, SZ_1G + SZ_2M), 0);
	assert_int_equal(iommu_unmap(d, 0x5000000, SZ_4K), 0);
	assert_int_equal(iommu_unmap(d, 0x800000, 4 * SZ_2M), SZ_2M);
	assert_int_equal(iommu_unmap(d, 0x800, SZ_4K), 0);	/* unaligned */

	/* an emptied table makes room for a large page */
	assert_int_equal(iommu_map(d, 0x200000, TEST_PA, SZ_2M, IOMMU_WRITE,
				   GFP_KERNEL), 0);
	assert_int_equal(count_leaves(d, 0, 0x600000, &ls), 1);
	assert_int_equal(iommu_unmap(d, 0x200000, SZ_2M), SZ_2M);

	/* blocked and identity domains map nothing */
	assert_int_equal(iommu_map(dev_iommu_ops(a)->blocked_domain, 0, TEST_PA,
				   SZ_4K, IOMMU_READ, GFP_KERNEL), -EINVAL);
	assert_int_equal(iommu_iova_to_phys(dev_iommu_ops(a)->identity_domain,
					    0x1234000), 0x1234000);

	iommu_domain_free(d);
	assert_no_findings();
}

/* Failures in the middle of a map leave nothing mapped. */
static void test_map_failures_unroll(void **state)
{
	struct iommu_domain *d;
	struct leaves ls;
	unsigned long n;

	(void)state;
	boot_default();
	d = iommu_paging_domain_alloc(test_dev(DEV_A));

	/* the driver op itself fails */
	lusim_fail_site(LUSIM_FAULT_DRIVER, "intel_iommu_map_pages");
	assert_int_equal(iommu_map(d, 0, TEST_PA, SZ_4K, IOMMU_READ,
				   GFP_KERNEL), -ENOMEM);

	/* a page-table page cannot be allocated, at every point */
	for (n = 1; n < 8; n++) {
		int ret;

		lusim_fail_nth(LUSIM_FAULT_PAGE, n);
		ret = iommu_map(d, SZ_1G - SZ_4K, TEST_PA, SZ_4K + SZ_2M,
				IOMMU_READ, GFP_KERNEL);
		if (!ret) {
			assert_int_equal(iommu_unmap(d, SZ_1G - SZ_4K,
						     SZ_4K + SZ_2M),
					 SZ_4K + SZ_2M);
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(count_leaves(d, SZ_1G - SZ_2M, SZ_1G + SZ_2M,
					      &ls), 0);
	}
	assert_true(n > 1 && n < 8);
	lusim_fault_disarm(LUSIM_FAULT_PAGE);

	iommu_domain_free(d);
	assert_no_findings();
}

/* --- lock order (kernel-model.md 4.6) ------------------------------------------ */

/* Stands for iommufd's igroup->lock, taken outside group->mutex. */
static DEFINE_MUTEX(igroup_lock);

static int take_igroup_lock(struct device *dev, void *data)
{
	(void)dev;
	mutex_lock(data);
	mutex_unlock(data);
	return 0;
}

static void test_lock_order(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct iommu_domain *d;
	struct iommu_group *ga;

	(void)state;
	boot_default();
	ga = test_group(DEV_A);
	d = iommu_paging_domain_alloc(test_dev(DEV_A));

	/* iommufd's order: igroup->lock -> group->mutex */
	mutex_lock(&igroup_lock);
	assert_int_equal(iommu_attach_group_handle(d, ga, &h), 0);
	iommu_detach_group_handle(d, ga);
	mutex_unlock(&igroup_lock);
	lockdep_assert_none_held("test_lock_order");
	assert_no_findings();

	/* the reverse, under group->mutex: a cycle */
	iommu_group_for_each_dev(ga, &igroup_lock, take_igroup_lock);
	assert_finding("LOCK-ORDER-CYCLE");
	iommu_domain_free(d);
}

/* --- leaks ------------------------------------------------------------------------- */

/*
 * Boot an empty machine, then hot-add units and devices, use every
 * object kind, hot-remove everything: no slab object and no page left.
 */
static void test_no_leaks_after_unplug(void **state)
{
	struct iommu_attach_handle h1 = { 0 }, h2 = { 0 };
	unsigned long smark, pmark;
	struct iommu_domain *d1, *d2;
	struct pci_dev *pdev[NR_TEST_DEVS];
	unsigned int i;

	(void)state;
	test_boot();
	smark = lusim_slab_mark();
	pmark = lusim_page_mark();

	for (i = 0; i < ARRAY_SIZE(test_units); i++)
		assert_int_equal(lusim_dmar_hotplug_add(&test_units[i]), 0);
	assert_int_equal(lusim_dmar_hotplug_add(&test_units[0]), -EEXIST);
	for (i = 0; i < NR_TEST_DEVS; i++) {
		pdev[i] = lusim_pci_hotplug_add(&test_devs[i]);
		assert_false(IS_ERR(pdev[i]));
	}
	assert_int_equal(PTR_ERR(lusim_pci_hotplug_add(&test_devs[0])),
			 -EEXIST);

	/* a unit with devices behind it cannot go */
	assert_int_equal(lusim_dmar_hotplug_remove(UNIT1), -EBUSY);
	assert_int_equal(lusim_dmar_hotplug_remove(0x1000), -ENODEV);

	d1 = iommu_paging_domain_alloc_flags(&pdev[DEV_B]->dev,
					     IOMMU_HWPT_ALLOC_PASID);
	d2 = iommu_paging_domain_alloc(&pdev[DEV_D]->dev);
	assert_int_equal(iommu_device_claim_dma_owner(&pdev[DEV_B]->dev,
						      OWNER_X), 0);
	assert_int_equal(iommu_attach_group_handle(d1,
			pdev[DEV_B]->dev.iommu_group, &h1), 0);
	assert_int_equal(iommu_attach_device_pasid(d1, &pdev[DEV_B]->dev, 7,
						   &h2), 0);
	assert_int_equal(iommu_map(d1, 0, TEST_PA, SZ_2M + SZ_4K, IOMMU_READ,
				   GFP_KERNEL), 0);
	assert_int_equal(iommu_map(d2, SZ_1G, TEST_PA, SZ_4K, IOMMU_READ,
				   GFP_KERNEL), 0);
	assert_int_equal(iommu_attach_device(d2, &pdev[DEV_D]->dev), 0);
	assert_int_equal(lusim_pci_bind_native_driver(pdev[DEV_A]), 0);

	iommu_detach_device(d2, &pdev[DEV_D]->dev);
	iommu_detach_device_pasid(d1, &pdev[DEV_B]->dev, 7);
	iommu_detach_group_handle(d1, pdev[DEV_B]->dev.iommu_group);
	iommu_device_release_dma_owner(&pdev[DEV_B]->dev);
	iommu_domain_free(d1);
	iommu_domain_free(d2);

	test_unplug_all();
	assert_int_equal(lusim_pci_count(), 0);
	assert_int_equal(hw_iommu_count(), 0);
	assert_int_equal(hw_pci_count(), 0);

	rcu_barrier();		/* xarray nodes go through kfree_rcu */
	assert_int_equal(lusim_slab_check_leaks_since(smark), 0);
	assert_int_equal(lusim_page_check_leaks_since(pmark), 0);
	lockdep_assert_none_held("test_no_leaks_after_unplug");
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_probe_groups),
		lusim_unit_test(test_group_attach_replace_detach),
		lusim_unit_test(test_attach_incompatible_ops),
		lusim_unit_test(test_pasid_errnos),
		lusim_unit_test(test_pasid_multi_device_group),
		lusim_unit_test(test_dma_ownership),
		lusim_unit_test(test_ownership_multi_device_group),
		lusim_unit_test(test_ownership_no_group),
		lusim_unit_test(test_map_unmap_split),
		lusim_unit_test(test_map_failures_unroll),
		lusim_unit_test(test_lock_order),
		lusim_unit_test(test_no_leaks_after_unplug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
