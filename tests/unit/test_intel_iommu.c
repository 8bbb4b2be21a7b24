// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated VT-d driver (sim/drivers/iommu/intel) seen from the
 * machine: DMA issued by the simulated devices translates through what the
 * driver programmed (root/context/PASID tables, page tables) and the
 * hardware's caches, so every driver mistake shows up as wrong DMA.
 *
 * Covers: DMA through an attached domain, faults after detach, PASID-tagged
 * DMA, nested (stage-1 then stage-2) DMA, a missing IOTLB / device-TLB flush
 * observed as stale DMA, legacy vs scalable mode, identity domains, hotplug
 * of devices and units, domain-id exhaustion, driver-op fault injection
 * leaving the hardware as it was, bus mastering and shutdown.
 */
#include "iommu_test.h"
#include <linux/rcupdate.h>
#include <lusim/kexec.h>
#include <uapi/linux/iommufd.h>
/* the driver's structures: domain ids, first/second stage */
#include "../../sim/drivers/iommu/intel/iommu.h"

#define SZ_4K	0x1000UL
#define SZ_2M	0x200000UL

static int owner_cookie;
#define OWNER ((void *)&owner_cookie)

static const char hello[] = "hello, dma";

struct test_attach {
	struct iommu_domain *domain;
	struct iommu_attach_handle handle;
};

/* A page of simulated RAM the test owns ("user" memory). */
static u64 test_page(void)
{
	u64 pa = hw_mem_alloc(0, HW_MEM_ZERO);

	assert_int_not_equal(pa, HW_PHYS_NONE);
	return pa;
}

static enum hw_dma_status dma_write(int dev, u32 pasid, u64 iova,
				    const void *buf, size_t len,
				    struct hw_dma_result *res)
{
	return hw_dma(test_pdev(dev)->hw, pasid, iova, (void *)buf, len,
		      HW_DMA_WRITE, res);
}

static enum hw_dma_status dma_read(int dev, u32 pasid, u64 iova, void *buf,
				   size_t len, struct hw_dma_result *res)
{
	return hw_dma(test_pdev(dev)->hw, pasid, iova, buf, len, HW_DMA_READ,
		      res);
}

static void assert_mem(u64 pa, const void *buf, size_t len)
{
	char got[64];

	assert_true(len <= sizeof(got));
	hw_mem_peek(pa, got, len);
	assert_memory_equal(got, buf, len);
}

/* Claim the device as iommufd would, and attach a new paging domain. */
static struct iommu_domain *own_and_attach(int dev, unsigned int flags,
					   struct iommu_attach_handle *h)
{
	struct device *d = test_dev(dev);
	struct iommu_domain *dom;

	assert_int_equal(iommu_device_claim_dma_owner(d, OWNER), 0);
	dom = iommu_paging_domain_alloc_flags(d, flags);
	assert_false(IS_ERR(dom));
	assert_int_equal(iommu_attach_group_handle(dom, d->iommu_group, h), 0);
	pci_set_master(test_pdev(dev));
	return dom;
}

static void detach_and_release(int dev, struct iommu_domain *dom)
{
	struct device *d = test_dev(dev);

	iommu_detach_group_handle(dom, d->iommu_group);
	iommu_device_release_dma_owner(d);
	iommu_domain_free(dom);
}

static void boot_default(void)
{
	test_machine_config();
	test_boot();
}

/* --- DMA through a domain --------------------------------------------------- */

static void test_dma_translates(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct hw_dma_result res;
	struct iommu_domain *dom;
	struct hw_xlate x;
	char buf[sizeof(hello)];
	u64 p, ro;

	(void)state;
	boot_default();
	dom = own_and_attach(DEV_A, 0, &h);
	p = test_page();
	ro = test_page();
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K,
				   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	assert_int_equal(iommu_map(dom, 0x30000, ro, SZ_4K, IOMMU_READ,
				   GFP_KERNEL), 0);

	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10123, hello,
				   sizeof(hello), &res), HW_DMA_OK);
	assert_mem(p + 0x123, hello, sizeof(hello));
	memset(buf, 0, sizeof(buf));
	assert_int_equal(dma_read(DEV_A, HW_NO_PASID, 0x10123, buf,
				  sizeof(buf), NULL), HW_DMA_OK);
	assert_memory_equal(buf, hello, sizeof(hello));

	/* scalable mode, default allocation: first stage, the domain's DID */
	assert_int_equal(hw_dma_translate(test_pdev(DEV_A)->hw, HW_NO_PASID,
					  0x10000, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_FIRST);
	assert_int_equal(x.pa, p);
	{
		struct device_domain_info *info =
			dev_iommu_priv_get(test_dev(DEV_A));

		assert_int_equal(x.did, domain_id_iommu(to_dmar_domain(dom),
							info->iommu));
		assert_true(x.did >= IDA_START_DID);
	}

	/* not mapped: fault; read-only: a write faults, a read works */
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x20000, hello, 4, &res),
			 HW_DMA_FAULT);
	assert_int_equal(res.reason, HW_FAULT_PTE_NOT_PRESENT);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x30000, hello, 4, &res),
			 HW_DMA_FAULT);
	assert_int_equal(res.reason, HW_FAULT_PERMISSION);
	assert_int_equal(dma_read(DEV_A, HW_NO_PASID, 0x30000, buf, 4, NULL),
			 HW_DMA_OK);

	iommu_unmap(dom, 0x10000, SZ_4K);
	iommu_unmap(dom, 0x30000, SZ_4K);
	detach_and_release(DEV_A, dom);
	hw_mem_free(p, 0);
	hw_mem_free(ro, 0);
	assert_no_findings();
}

static void test_dma_faults_after_detach(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct hw_dma_result res;
	struct iommu_domain *dom;
	struct device *a;
	u64 p;

	(void)state;
	boot_default();
	a = test_dev(DEV_A);
	dom = own_and_attach(DEV_A, 0, &h);
	p = test_page();
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K, IOMMU_WRITE,
				   GFP_KERNEL), 0);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, hello, 4, NULL),
			 HW_DMA_OK);

	/* detached: the owner's group sits on the blocking domain */
	iommu_detach_group_handle(dom, a->iommu_group);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, hello, 4, &res),
			 HW_DMA_FAULT);
	assert_int_equal(res.reason, HW_FAULT_PASID_NOT_PRESENT);

	/* released: back on the (empty) default domain */
	iommu_device_release_dma_owner(a);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, hello, 4, &res),
			 HW_DMA_FAULT);
	assert_int_equal(res.reason, HW_FAULT_PTE_NOT_PRESENT);

	/* the machine saw every fault */
	assert_true(hw_fault_count() >= 2);

	iommu_unmap(dom, 0x10000, SZ_4K);
	iommu_domain_free(dom);
	hw_mem_free(p, 0);
	assert_no_findings();
}

/* A multi-device group: one attach translates for both functions. */
static void test_group_dma(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct iommu_domain *dom;
	u64 p;

	(void)state;
	boot_default();
	dom = own_and_attach(DEV_B, 0, &h);
	assert_int_equal(iommu_device_claim_dma_owner(test_dev(DEV_C), OWNER),
			 0);
	pci_set_master(test_pdev(DEV_C));
	p = test_page();
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K, IOMMU_WRITE,
				   GFP_KERNEL), 0);
	assert_int_equal(dma_write(DEV_B, HW_NO_PASID, 0x10000, "bbbb", 4,
				   NULL), HW_DMA_OK);
	assert_int_equal(dma_write(DEV_C, HW_NO_PASID, 0x10004, "cccc", 4,
				   NULL), HW_DMA_OK);
	assert_mem(p, "bbbbcccc", 8);

	/* detach: both fault */
	iommu_unmap(dom, 0x10000, SZ_4K);
	iommu_device_release_dma_owner(test_dev(DEV_C));
	detach_and_release(DEV_B, dom);
	assert_int_equal(dma_write(DEV_B, HW_NO_PASID, 0x10000, "b", 1, NULL),
			 HW_DMA_FAULT);
	assert_int_equal(dma_write(DEV_C, HW_NO_PASID, 0x10000, "c", 1, NULL),
			 HW_DMA_FAULT);
	hw_mem_free(p, 0);
	assert_no_findings();
}

/* --- PASID-tagged DMA ------------------------------------------------------- */

static void test_pasid_dma(void **state)
{
	struct iommu_attach_handle h0 = { 0 }, h5 = { 0 };
	struct iommu_domain *d0, *d5;
	struct hw_dma_result res;
	struct device *a;
	u64 p0, p5;

	(void)state;
	boot_default();
	a = test_dev(DEV_A);
	d0 = own_and_attach(DEV_A, IOMMU_HWPT_ALLOC_PASID, &h0);
	d5 = iommu_paging_domain_alloc_flags(a, IOMMU_HWPT_ALLOC_PASID);
	assert_int_equal(iommu_attach_device_pasid(d5, a, 5, &h5), 0);

	p0 = test_page();
	p5 = test_page();
	assert_int_equal(iommu_map(d0, 0x40000, p0, SZ_4K, IOMMU_WRITE,
				   GFP_KERNEL), 0);
	assert_int_equal(iommu_map(d5, 0x40000, p5, SZ_4K, IOMMU_WRITE,
				   GFP_KERNEL), 0);

	/* the same IOVA, two address spaces */
	assert_int_equal(dma_write(DEV_A, 5, 0x40010, "five", 4, NULL),
			 HW_DMA_OK);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x40010, "zero", 4, NULL),
			 HW_DMA_OK);
	assert_mem(p5 + 0x10, "five", 4);
	assert_mem(p0 + 0x10, "zero", 4);

	/* an unattached PASID faults; one beyond the device is not sent */
	assert_int_equal(dma_write(DEV_A, 6, 0x40000, "six", 3, &res),
			 HW_DMA_FAULT);
	assert_int_equal(res.reason, HW_FAULT_PASID_NOT_PRESENT);
	assert_int_equal(dma_write(DEV_A, 64, 0x40000, "x", 1, NULL),
			 HW_DMA_BAD_REQUEST);

	/* replace the PASID's domain: DMA follows */
	{
		struct iommu_attach_handle h5b = { 0 };

		assert_int_equal(iommu_replace_device_pasid(d0, a, 5, &h5b), 0);
		assert_int_equal(dma_write(DEV_A, 5, 0x40020, "repl", 4, NULL),
				 HW_DMA_OK);
		assert_mem(p0 + 0x20, "repl", 4);
		iommu_detach_device_pasid(d0, a, 5);
	}
	assert_int_equal(dma_write(DEV_A, 5, 0x40000, "five", 4, &res),
			 HW_DMA_FAULT);

	iommu_unmap(d0, 0x40000, SZ_4K);
	iommu_unmap(d5, 0x40000, SZ_4K);
	iommu_domain_free(d5);
	detach_and_release(DEV_A, d0);
	hw_mem_free(p0, 0);
	hw_mem_free(p5, 0);
	assert_no_findings();
}

/* --- nested ------------------------------------------------------------------ */

#define GPA_DATA	0x80000000ULL	/* the guest-physical page stage 1 maps */
#define S1_IOVA		0x5000ULL

static u64 build_stage1(void)
{
	u64 root = HW_PHYS_NONE;

	assert_int_equal(hw_pt_map(&root, 4, HW_PT_FIRST, S1_IOVA, GPA_DATA,
				   SZ_4K, HW_PERM_RW), 0);
	return root;
}

/* Identity-map the stage-1 table pages in stage 2 (GPA == HPA for them). */
static void map_stage1_tables(struct iommu_domain *s2, u64 root)
{
	int level;

	for (level = 4; level >= 1; level--) {
		u64 tp = hw_pt_entry_phys(root, 4, HW_PT_FIRST, S1_IOVA,
					  level) & ~(SZ_4K - 1);

		assert_int_not_equal(tp, 0);
		assert_int_equal(iommu_map(s2, tp, tp, SZ_4K, IOMMU_READ,
					   GFP_KERNEL), 0);
	}
}

static void unmap_stage1_tables(struct iommu_domain *s2, u64 root)
{
	int level;

	for (level = 4; level >= 1; level--) {
		u64 tp = hw_pt_entry_phys(root, 4, HW_PT_FIRST, S1_IOVA,
					  level) & ~(SZ_4K - 1);

		assert_int_equal(iommu_unmap(s2, tp, SZ_4K), SZ_4K);
	}
}

static void test_nested_dma(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct iommu_hwpt_vtd_s1 vtd = { .addr_width = 48 };
	struct iommu_user_data ud = {
		.type = IOMMU_HWPT_DATA_VTD_S1,
		.uptr = &vtd,
		.len = sizeof(vtd),
	};
	struct iommu_domain *s2, *plain, *nested;
	const struct iommu_ops *ops;
	struct hw_dma_result res;
	struct hw_xlate x;
	struct device *a;
	u64 root, p;

	(void)state;
	boot_default();
	a = test_dev(DEV_A);
	ops = dev_iommu_ops(a);
	assert_int_equal(iommu_device_claim_dma_owner(a, OWNER), 0);
	pci_set_master(test_pdev(DEV_A));

	s2 = iommu_paging_domain_alloc_flags(a, IOMMU_HWPT_ALLOC_NEST_PARENT);
	assert_false(IS_ERR(s2));
	assert_false(to_dmar_domain(s2)->use_first_level);
	root = build_stage1();
	map_stage1_tables(s2, root);
	p = test_page();
	assert_int_equal(iommu_map(s2, GPA_DATA, p, SZ_4K,
				   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);

	/* the parent must be a nest parent; the data must be VT-d stage 1 */
	plain = iommu_paging_domain_alloc(a);
	vtd.pgtbl_addr = root;
	assert_ptr_equal(ops->domain_alloc_nested(a, plain, 0, &ud),
			 ERR_PTR(-EINVAL));
	ud.type = IOMMU_HWPT_DATA_SELFTEST;
	assert_ptr_equal(ops->domain_alloc_nested(a, s2, 0, &ud),
			 ERR_PTR(-EOPNOTSUPP));
	ud.type = IOMMU_HWPT_DATA_VTD_S1;
	ud.len = 4;
	assert_ptr_equal(ops->domain_alloc_nested(a, s2, 0, &ud),
			 ERR_PTR(-EINVAL));
	ud.len = sizeof(vtd);
	iommu_domain_free(plain);

	nested = ops->domain_alloc_nested(a, s2, 0, &ud);
	assert_false(IS_ERR(nested));
	nested->owner = ops;		/* as iommufd does */
	assert_int_equal(nested->type, IOMMU_DOMAIN_NESTED);
	assert_int_equal(iommu_attach_group_handle(nested, a->iommu_group, &h),
			 0);

	/* stage 1: S1_IOVA -> GPA_DATA, stage 2: GPA_DATA -> p */
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, S1_IOVA + 8, hello,
				   sizeof(hello), NULL), HW_DMA_OK);
	assert_mem(p + 8, hello, sizeof(hello));
	assert_int_equal(hw_dma_translate(test_pdev(DEV_A)->hw, HW_NO_PASID,
					  S1_IOVA, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_NESTED);
	assert_int_equal(x.pa, p);

	/* a stage-2 change reaches the nested translation (nesting tags) */
	assert_int_equal(iommu_unmap(s2, GPA_DATA, SZ_4K), SZ_4K);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, S1_IOVA, hello, 4, &res),
			 HW_DMA_FAULT);
	assert_int_equal(hw_dma_translate(test_pdev(DEV_A)->hw, HW_NO_PASID,
					  S1_IOVA, HW_DMA_READ, &x),
			 HW_DMA_FAULT);
	assert_int_equal(x.stage, 2);

	iommu_detach_group_handle(nested, a->iommu_group);
	iommu_domain_free(nested);
	iommu_device_release_dma_owner(a);
	assert_false(iommu_domain_has_attachments(s2));
	unmap_stage1_tables(s2, root);
	iommu_domain_free(s2);
	hw_pt_free(root, 4, HW_PT_FIRST);
	hw_mem_free(p, 0);
	assert_no_findings();
}

static void test_nested_unsupported(void **state)
{
	static const struct hw_iommu_cfg no_nest = {
		.reg_base = 0xfed92000, .no_nested = true,
	};
	static const struct hw_pci_cfg e = {
		.bus = 2, .devfn = 0, .iommu_base = 0xfed92000,
		.max_pasids = 8,
	};
	struct iommu_hwpt_vtd_s1 vtd = { .addr_width = 57 };
	struct iommu_user_data ud = {
		.type = IOMMU_HWPT_DATA_VTD_S1,
		.uptr = &vtd,
		.len = sizeof(vtd),
	};
	struct iommu_attach_handle h = { 0 };
	struct iommu_domain *s2, *nested;
	struct pci_dev *pe;

	(void)state;
	boot_default();
	assert_int_equal(lusim_dmar_hotplug_add(&no_nest), 0);
	pe = lusim_pci_hotplug_add(&e);
	assert_false(IS_ERR(pe));

	/* no nesting on that unit: no nest parent, no nested domain */
	assert_ptr_equal(iommu_paging_domain_alloc_flags(&pe->dev,
				IOMMU_HWPT_ALLOC_NEST_PARENT),
			 ERR_PTR(-EOPNOTSUPP));
	s2 = iommu_paging_domain_alloc_flags(test_dev(DEV_A),
					     IOMMU_HWPT_ALLOC_NEST_PARENT);
	assert_ptr_equal(dev_iommu_ops(&pe->dev)->domain_alloc_nested(
				&pe->dev, s2, 0, &ud), ERR_PTR(-EOPNOTSUPP));

	/* a stage-1 width the unit does not walk: refused at attach */
	nested = dev_iommu_ops(test_dev(DEV_A))->domain_alloc_nested(
			test_dev(DEV_A), s2, 0, &ud);
	assert_false(IS_ERR(nested));
	nested->owner = dev_iommu_ops(test_dev(DEV_A));
	assert_int_equal(iommu_device_claim_dma_owner(test_dev(DEV_A), OWNER), 0);
	assert_int_equal(iommu_attach_group_handle(nested,
				test_group(DEV_A), &h), -EINVAL);
	iommu_device_release_dma_owner(test_dev(DEV_A));
	iommu_domain_free(nested);
	iommu_domain_free(s2);
	assert_no_findings();
}

/* --- a missing invalidation is seen as stale DMA ----------------------------- */

static void test_stale_dma_without_flush(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct hw_iommu_stats before, after;
	struct iommu_domain *dom;
	struct hw_dma_result res;
	struct hw_xlate x;
	char buf[8];
	u64 p1, p2;

	(void)state;
	boot_default();
	dom = own_and_attach(DEV_A, 0, &h);
	p1 = test_page();
	p2 = test_page();
	assert_int_equal(iommu_map(dom, 0x10000, p1, SZ_4K,
				   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	/* the unit caches the translation */
	assert_int_equal(dma_read(DEV_A, HW_NO_PASID, 0x10000, buf, 4, NULL),
			 HW_DMA_OK);

	/* the driver "forgets" the IOTLB flush of the unmap */
	lusim_intel_iommu_skip_unmap_flush(true);
	hw_iommu_get_stats(hw_iommu_find(UNIT0), &before);
	assert_int_equal(iommu_unmap(dom, 0x10000, SZ_4K), SZ_4K);
	hw_iommu_get_stats(hw_iommu_find(UNIT0), &after);
	assert_int_equal(after.inv[HW_INV_PIOTLB], before.inv[HW_INV_PIOTLB]);
	assert_int_equal(iommu_iova_to_phys(dom, 0x10000), 0);
	/* ...and remaps the IOVA elsewhere: DMA still reaches the old page */
	assert_int_equal(iommu_map(dom, 0x10000, p2, SZ_4K,
				   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "old!", 4, NULL),
			 HW_DMA_OK);
	assert_mem(p1, "old!", 4);
	assert_int_equal(hw_dma_translate(test_pdev(DEV_A)->hw, HW_NO_PASID,
					  0x10000, HW_DMA_READ, &x), HW_DMA_OK);
	assert_true(x.iotlb_hit);
	assert_int_equal(x.pa, p1);
	/* what the tables say (the oracle's view) differs */
	assert_int_equal(hw_iommu_probe(test_pdev(DEV_A)->hw, HW_NO_PASID,
					0x10000, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.pa, p2);

	/* with the flush, the new mapping is used */
	lusim_intel_iommu_skip_unmap_flush(false);
	assert_int_equal(iommu_unmap(dom, 0x10000, SZ_4K), SZ_4K);
	hw_iommu_get_stats(hw_iommu_find(UNIT0), &after);
	assert_true(after.inv[HW_INV_PIOTLB] > before.inv[HW_INV_PIOTLB]);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "new!", 4, &res),
			 HW_DMA_FAULT);
	assert_int_equal(iommu_map(dom, 0x10000, p2, SZ_4K,
				   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "new!", 4, NULL),
			 HW_DMA_OK);
	assert_mem(p2, "new!", 4);
	assert_mem(p1, "old!", 4);

	iommu_unmap(dom, 0x10000, SZ_4K);
	detach_and_release(DEV_A, dom);
	hw_mem_free(p1, 0);
	hw_mem_free(p2, 0);
	assert_no_findings();
}

/* The same with a device-TLB (ATS): the device keeps the translation. */
static void test_stale_devtlb_without_flush(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct hw_iommu_stats before, after;
	struct iommu_domain *dom;
	struct hw_dma_result res;
	struct hw_xlate x;
	char buf[4];
	u64 p;

	(void)state;
	boot_default();
	assert_true(test_pdev(DEV_D)->ats_enabled);
	assert_true(hw_pci_ats_enabled(test_pdev(DEV_D)->hw));
	dom = own_and_attach(DEV_D, 0, &h);
	p = test_page();
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K,
				   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	assert_int_equal(dma_read(DEV_D, HW_NO_PASID, 0x10000, buf, 4, NULL),
			 HW_DMA_OK);
	assert_true(hw_pci_devtlb_entries(test_pdev(DEV_D)->hw) > 0);

	lusim_intel_iommu_skip_unmap_flush(true);
	assert_int_equal(iommu_unmap(dom, 0x10000, SZ_4K), SZ_4K);
	assert_int_equal(hw_dma_translate(test_pdev(DEV_D)->hw, HW_NO_PASID,
					  0x10000, HW_DMA_WRITE, &x), HW_DMA_OK);
	assert_true(x.devtlb_hit);

	/* the flush the driver does: IOTLB and device-TLB */
	lusim_intel_iommu_skip_unmap_flush(false);
	hw_iommu_get_stats(hw_iommu_find(UNIT1), &before);
	iommu_flush_iotlb_all(dom);
	hw_iommu_get_stats(hw_iommu_find(UNIT1), &after);
	assert_true(after.inv[HW_INV_DEVTLB] > before.inv[HW_INV_DEVTLB]);
	assert_int_equal(hw_pci_devtlb_entries(test_pdev(DEV_D)->hw), 0);
	assert_int_equal(dma_write(DEV_D, HW_NO_PASID, 0x10000, "x", 1, &res),
			 HW_DMA_FAULT);

	/* an unmap with its flush empties the device-TLB too */
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K, IOMMU_READ,
				   GFP_KERNEL), 0);
	assert_int_equal(dma_read(DEV_D, HW_NO_PASID, 0x10000, buf, 4, NULL),
			 HW_DMA_OK);
	assert_true(hw_pci_devtlb_entries(test_pdev(DEV_D)->hw) > 0);
	assert_int_equal(iommu_unmap(dom, 0x10000, SZ_4K), SZ_4K);
	assert_int_equal(hw_pci_devtlb_entries(test_pdev(DEV_D)->hw), 0);

	detach_and_release(DEV_D, dom);
	hw_mem_free(p, 0);
	assert_no_findings();
}

/* --- legacy and scalable mode ------------------------------------------------- */

static void test_legacy_mode(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct iommu_domain *dom;
	struct hw_xlate x;
	enum hw_ttm mode;
	u64 p;

	(void)state;
	lusim_intel_iommu_set_sm(false);
	boot_default();

	assert_int_not_equal(hw_iommu_root_table(hw_iommu_find(UNIT0), &mode),
			     HW_PHYS_NONE);
	assert_int_equal(mode, HW_TTM_LEGACY);
	assert_true(hw_iommu_translation_enabled(hw_iommu_find(UNIT0)));
	/* no PASID in legacy mode */
	assert_int_equal(test_dev(DEV_A)->iommu->max_pasids, 0);

	dom = own_and_attach(DEV_A, 0, &h);
	assert_false(to_dmar_domain(dom)->use_first_level);
	p = test_page();
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K, IOMMU_WRITE,
				   GFP_KERNEL), 0);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, hello, 5, NULL),
			 HW_DMA_OK);
	assert_mem(p, hello, 5);
	assert_int_equal(hw_dma_translate(test_pdev(DEV_A)->hw, HW_NO_PASID,
					  0x10000, HW_DMA_WRITE, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_SECOND);
	assert_int_equal(dma_write(DEV_A, 3, 0x10000, hello, 5, NULL),
			 HW_DMA_FAULT);

	/* ATS in legacy mode: the context entry allows the device-TLB */
	pci_set_master(test_pdev(DEV_D));
	{
		struct iommu_domain *dd;
		struct iommu_attach_handle hd = { 0 };
		char buf[4];

		dd = own_and_attach(DEV_D, 0, &hd);
		assert_int_equal(iommu_map(dd, 0x10000, p, SZ_4K, IOMMU_READ,
					   GFP_KERNEL), 0);
		assert_int_equal(dma_read(DEV_D, HW_NO_PASID, 0x10000, buf, 4,
					  NULL), HW_DMA_OK);
		assert_true(hw_pci_devtlb_entries(test_pdev(DEV_D)->hw) > 0);
		iommu_unmap(dd, 0x10000, SZ_4K);
		assert_int_equal(hw_pci_devtlb_entries(test_pdev(DEV_D)->hw), 0);
		detach_and_release(DEV_D, dd);
	}

	/* detach clears the context entry: the context cache goes too */
	iommu_unmap(dom, 0x10000, SZ_4K);
	detach_and_release(DEV_A, dom);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, hello, 5, NULL),
			 HW_DMA_FAULT);
	hw_mem_free(p, 0);
	assert_no_findings();
}

/* A unit without scalable mode next to a scalable one. */
static void test_mixed_modes(void **state)
{
	static const struct hw_iommu_cfg legacy_unit = {
		.reg_base = 0xfed93000, .legacy_only = true,
	};
	static const struct hw_pci_cfg f = {
		.bus = 3, .devfn = 0, .iommu_base = 0xfed93000,
		.max_pasids = 8,
	};
	struct iommu_attach_handle h = { 0 };
	struct iommu_domain *d;
	enum hw_ttm mode;
	struct pci_dev *pf;

	(void)state;
	assert_int_equal(hw_iommu_add(&legacy_unit, NULL), 0);
	assert_int_equal(hw_pci_add(&f, NULL), 0);
	boot_default();
	pf = lusim_pci_find(0, 3, 0);
	assert_non_null(pf);

	hw_iommu_root_table(hw_iommu_find(0xfed93000), &mode);
	assert_int_equal(mode, HW_TTM_LEGACY);
	hw_iommu_root_table(hw_iommu_find(UNIT0), &mode);
	assert_int_equal(mode, HW_TTM_SCALABLE);
	assert_int_equal(pf->dev.iommu->max_pasids, 0);

	/* a first-stage domain of the scalable unit cannot go legacy */
	d = iommu_paging_domain_alloc(test_dev(DEV_A));
	assert_true(to_dmar_domain(d)->use_first_level);
	assert_int_equal(iommu_device_claim_dma_owner(&pf->dev, OWNER), 0);
	assert_int_equal(iommu_attach_group_handle(d, pf->dev.iommu_group, &h),
			 -EINVAL);
	iommu_device_release_dma_owner(&pf->dev);
	iommu_domain_free(d);
	assert_no_findings();
}

/* iommu.passthrough=1: identity default domains. */
static void test_identity_default_domain(void **state)
{
	struct hw_xlate x;
	u64 p;

	(void)state;
	iommu_set_default_passthrough(true);
	boot_default();
	assert_int_equal(iommu_get_domain_for_dev(test_dev(DEV_A))->type,
			 IOMMU_DOMAIN_IDENTITY);
	pci_set_master(test_pdev(DEV_A));
	p = test_page();
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, p + 16, hello, 5, NULL),
			 HW_DMA_OK);
	assert_mem(p + 16, hello, 5);
	assert_int_equal(hw_dma_translate(test_pdev(DEV_A)->hw, HW_NO_PASID,
					  p, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_PASSTHROUGH);
	hw_mem_free(p, 0);
	assert_no_findings();
}

/* --- hotplug ----------------------------------------------------------------- */

static void test_hotplug(void **state)
{
	static const struct hw_iommu_cfg unit2 = { .reg_base = 0xfed94000 };
	static const struct hw_pci_cfg g = {
		.bus = 4, .devfn = 0, .iommu_base = 0xfed94000,
	};
	struct iommu_attach_handle h = { 0 };
	struct hw_dma_result res;
	struct iommu_domain *dom;
	struct pci_dev *pg;
	u64 p;

	(void)state;
	boot_default();
	p = test_page();

	/* a device with a kernel driver bound goes away */
	assert_int_equal(lusim_pci_bind_native_driver(test_pdev(DEV_A)), 0);
	assert_int_equal(lusim_pci_hotplug_remove(test_pdev(DEV_A)), 0);
	assert_null(lusim_pci_find(0, 0, PCI_DEVFN(2, 0)));
	assert_null(hw_pci_find(0, 0, PCI_DEVFN(2, 0)));

	/* a unit with devices cannot go; without, it can */
	assert_int_equal(lusim_dmar_hotplug_remove(UNIT1), -EBUSY);
	assert_int_equal(lusim_pci_hotplug_remove(test_pdev(DEV_D)), 0);
	assert_int_equal(lusim_dmar_hotplug_remove(UNIT1), 0);
	assert_null(hw_iommu_find(UNIT1));

	/* a new unit, a new device behind it: probed, and DMA works */
	assert_int_equal(lusim_dmar_hotplug_add(&unit2), 0);
	pg = lusim_pci_hotplug_add(&g);
	assert_false(IS_ERR(pg));
	assert_non_null(pg->dev.iommu_group);
	assert_int_equal(iommu_get_domain_for_dev(&pg->dev)->type,
			 IOMMU_DOMAIN_DMA);
	assert_int_equal(iommu_device_claim_dma_owner(&pg->dev, OWNER), 0);
	dom = iommu_paging_domain_alloc(&pg->dev);
	assert_int_equal(iommu_attach_group_handle(dom, pg->dev.iommu_group,
						   &h), 0);
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K, IOMMU_WRITE,
				   GFP_KERNEL), 0);
	pci_set_master(pg);
	assert_int_equal(hw_dma(pg->hw, HW_NO_PASID, 0x10000, (void *)hello, 5,
				HW_DMA_WRITE, &res), HW_DMA_OK);
	assert_mem(p, hello, 5);

	iommu_unmap(dom, 0x10000, SZ_4K);
	iommu_detach_group_handle(dom, pg->dev.iommu_group);
	iommu_device_release_dma_owner(&pg->dev);
	iommu_domain_free(dom);
	hw_mem_free(p, 0);
	test_unplug_all();
	assert_no_findings();
}

/* --- domain ids --------------------------------------------------------------- */

static void test_domain_id_exhaustion(void **state)
{
	static const struct hw_iommu_cfg small = {
		.reg_base = 0xfed95000, .ndoms = 16,
	};
	static const struct hw_pci_cfg e = {
		.bus = 5, .devfn = 0, .iommu_base = 0xfed95000,
		.max_pasids = 64,
	};
	struct iommu_attach_handle h[16];
	struct iommu_domain *d[16];
	struct pci_dev *pe;
	int i, ok = 0;

	(void)state;
	assert_int_equal(hw_iommu_add(&small, NULL), 0);
	assert_int_equal(hw_pci_add(&e, NULL), 0);
	test_boot();
	pe = lusim_pci_find(0, 5, 0);
	memset(h, 0, sizeof(h));

	/* DIDs 2..15; the default domain holds one: 13 left for PASIDs */
	for (i = 0; i < 16; i++) {
		int ret;

		d[i] = iommu_paging_domain_alloc_flags(&pe->dev,
						       IOMMU_HWPT_ALLOC_PASID);
		ret = iommu_attach_device_pasid(d[i], &pe->dev, i + 1, &h[i]);
		if (ret) {
			assert_int_equal(ret, -ENOSPC);
			break;
		}
		ok++;
	}
	assert_int_equal(ok, 13);
	assert_int_equal(hw_iommu_did_count(hw_iommu_find(0xfed95000)), 0);

	/* freeing one makes room */
	iommu_detach_device_pasid(d[0], &pe->dev, 1);
	assert_int_equal(iommu_attach_device_pasid(d[ok], &pe->dev, 1, &h[ok]),
			 0);
	iommu_detach_device_pasid(d[ok], &pe->dev, 1);
	for (i = 1; i < ok; i++)
		iommu_detach_device_pasid(d[i], &pe->dev, i + 1);
	for (i = 0; i <= ok; i++)
		iommu_domain_free(d[i]);
	assert_no_findings();
}

/* --- fault injection on driver ops -------------------------------------------- */

/* Run @op with the n-th fault point of @cls failing, for every n. */
static void test_driver_op_failures(void **state)
{
	struct iommu_attach_handle h = { 0 }, hp = { 0 };
	struct iommu_domain *dom, *d2;
	struct hw_dma_result res;
	struct device *a;
	u64 p;

	(void)state;
	boot_default();
	a = test_dev(DEV_A);
	dom = own_and_attach(DEV_A, IOMMU_HWPT_ALLOC_PASID, &h);
	p = test_page();
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K, IOMMU_WRITE,
				   GFP_KERNEL), 0);

	/* allocation */
	lusim_fail_site(LUSIM_FAULT_DRIVER, "intel_iommu_domain_alloc_paging");
	assert_ptr_equal(iommu_paging_domain_alloc(a), ERR_PTR(-ENOMEM));

	/* a replace that fails leaves the old domain translating */
	d2 = iommu_paging_domain_alloc_flags(a, IOMMU_HWPT_ALLOC_PASID);
	lusim_fail_site(LUSIM_FAULT_DRIVER, "intel_iommu_attach_device");
	{
		struct iommu_attach_handle h2 = { 0 };

		assert_int_equal(iommu_replace_group_handle(a->iommu_group, d2,
							    &h2), -ENOMEM);
	}
	assert_ptr_equal(iommu_get_domain_for_dev(a), dom);
	assert_ptr_equal(iommu_attach_handle_get(a->iommu_group, 0, 0), &h);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "ok", 2, NULL),
			 HW_DMA_OK);

	/* set_dev_pasid fails: nothing attached, nothing programmed */
	lusim_fail_site(LUSIM_FAULT_DRIVER, "intel_iommu_set_dev_pasid");
	assert_int_equal(iommu_attach_device_pasid(d2, a, 9, &hp), -ENOMEM);
	assert_ptr_equal(iommu_attach_handle_get(a->iommu_group, 9, 0),
			 ERR_PTR(-ENOENT));
	assert_int_equal(dma_write(DEV_A, 9, 0x10000, "x", 1, &res),
			 HW_DMA_FAULT);
	assert_int_equal(iommu_attach_device_pasid(d2, a, 9, &hp), 0);
	iommu_detach_device_pasid(d2, a, 9);

	/* every slab and page allocation of a PASID attach, one at a time */
	for (int cls = LUSIM_FAULT_SLAB; cls <= LUSIM_FAULT_PAGE; cls++) {
		unsigned long n;

		for (n = 1; n < 64; n++) {
			int ret;

			lusim_fail_nth(cls, n);
			ret = iommu_attach_device_pasid(d2, a, 40, &hp);
			lusim_fault_disarm(cls);
			if (!ret)
				break;
			assert_int_equal(ret, -ENOMEM);
			assert_ptr_equal(iommu_attach_handle_get(a->iommu_group,
								 40, 0),
					 ERR_PTR(-ENOENT));
			assert_int_equal(dma_write(DEV_A, 40, 0x10000, "x", 1,
						   &res), HW_DMA_FAULT);
		}
		assert_true(n < 64);
		/* the attach allocates slab objects: some of them failed */
		assert_true(cls != LUSIM_FAULT_SLAB || n > 3);
		iommu_detach_device_pasid(d2, a, 40);
	}

	iommu_domain_free(d2);
	iommu_unmap(dom, 0x10000, SZ_4K);
	detach_and_release(DEV_A, dom);
	hw_mem_free(p, 0);
	rcu_barrier();
	assert_no_findings();
}

/* --- bus mastering ------------------------------------------------------------- */

static bool keep_d(struct pci_dev *pdev)
{
	return pdev->bus->number == 1;
}

static void test_bus_master_and_shutdown(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct iommu_domain *dom;
	u64 p;

	(void)state;
	boot_default();
	dom = own_and_attach(DEV_A, 0, &h);
	p = test_page();
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K, IOMMU_WRITE,
				   GFP_KERNEL), 0);

	pci_clear_master(test_pdev(DEV_A));
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "x", 1, NULL),
			 HW_DMA_DROPPED);
	pci_set_master(test_pdev(DEV_A));
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "x", 1, NULL),
			 HW_DMA_OK);

	/* shutdown before kexec: bus mastering off but where kept */
	pci_set_master(test_pdev(DEV_D));
	lusim_pci_set_shutdown_filter(keep_d);
	device_shutdown();
	assert_false(hw_pci_bus_master(test_pdev(DEV_A)->hw));
	assert_true(hw_pci_bus_master(test_pdev(DEV_D)->hw));
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "x", 1, NULL),
			 HW_DMA_DROPPED);

	iommu_unmap(dom, 0x10000, SZ_4K);
	detach_and_release(DEV_A, dom);
	hw_mem_free(p, 0);
	assert_no_findings();
}

/*
 * A kexec without live update: devices are shut down (bus mastering off),
 * the new kernel brings the units up on fresh root tables, and nothing the
 * old kernel mapped translates any more.
 */
static void test_kexec_without_preservation(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct hw_dma_result res;
	struct iommu_domain *dom;
	u64 old_root, new_root, p;

	(void)state;
	boot_default();
	dom = own_and_attach(DEV_A, 0, &h);
	p = test_page();
	assert_int_equal(iommu_map(dom, 0x10000, p, SZ_4K, IOMMU_WRITE,
				   GFP_KERNEL), 0);
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "x", 1, NULL),
			 HW_DMA_OK);
	old_root = hw_iommu_root_table(hw_iommu_find(UNIT0), NULL);

	assert_int_equal(lusim_kexec(), 0);

	/* the old kernel's shutdown turned bus mastering off */
	assert_false(hw_pci_bus_master(test_pdev(DEV_A)->hw));
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "x", 1, NULL),
			 HW_DMA_DROPPED);
	/* the new kernel: new root table, the old one was not kept */
	new_root = hw_iommu_root_table(hw_iommu_find(UNIT0), NULL);
	assert_int_not_equal(new_root, HW_PHYS_NONE);
	assert_true(hw_iommu_translation_enabled(hw_iommu_find(UNIT0)));
	{
		struct lusim_kexec_stats st;

		/* the old kernel's tables were not preserved: dropped */
		lusim_kexec_get_stats(&st);
		assert_true(st.pages_dropped > 0);
		assert_int_not_equal(hw_mem_state(old_root), HW_PAGE_FREE);
	}
	/* the device is probed again, on an empty default domain */
	assert_int_equal(lusim_pci_count(), NR_TEST_DEVS);
	assert_int_equal(iommu_get_domain_for_dev(test_dev(DEV_A))->type,
			 IOMMU_DOMAIN_DMA);
	assert_false(iommu_group_dma_owner_claimed(test_group(DEV_A)));
	pci_set_master(test_pdev(DEV_A));
	assert_int_equal(dma_write(DEV_A, HW_NO_PASID, 0x10000, "x", 1, &res),
			 HW_DMA_FAULT);
	assert_int_equal(res.reason, HW_FAULT_PTE_NOT_PRESENT);
	hw_mem_free(p, 0);
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_dma_translates),
		lusim_unit_test(test_dma_faults_after_detach),
		lusim_unit_test(test_group_dma),
		lusim_unit_test(test_pasid_dma),
		lusim_unit_test(test_nested_dma),
		lusim_unit_test(test_nested_unsupported),
		lusim_unit_test(test_stale_dma_without_flush),
		lusim_unit_test(test_stale_devtlb_without_flush),
		lusim_unit_test(test_legacy_mode),
		lusim_unit_test(test_mixed_modes),
		lusim_unit_test(test_identity_default_domain),
		lusim_unit_test(test_hotplug),
		lusim_unit_test(test_domain_id_exhaustion),
		lusim_unit_test(test_driver_op_failures),
		lusim_unit_test(test_bus_master_and_shutdown),
		lusim_unit_test(test_kexec_without_preservation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
