// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/hw IOMMU units and PCI topology: hot-add/remove and group tags,
 * legacy and scalable root -> context -> (PASID) -> tables for several
 * devices on several units, translation disabled, every fault reason with
 * its fault record, FPD, the fault ring, capabilities and the domain-id
 * helper.
 */
#include <errno.h>
#include <string.h>

#include "hw_test.h"
#include "lusim_test.h"

#define UA	0xfed90000ULL
#define UB	0xfed91000ULL
#define UC	0xfed92000ULL

static void test_topology_hotplug(void **state)
{
	struct hw_iommu_cfg cfg = { .reg_base = UA };
	struct hw_pci_cfg pc = { .bus = 0, .devfn = 0x10, .iommu_base = UA };
	struct hw_iommu *a, *b, *c, *u;
	struct hw_pci_dev *d1, *d2, *d3, *d;

	(void)state;
	a = hwt_unit(UA, 0, false);
	b = hwt_unit(UB, 0, false);
	c = hwt_unit(UC, 1, true);
	assert_int_equal(hw_iommu_add(&cfg, &u), -EEXIST);
	cfg.reg_base = 0;
	assert_int_equal(hw_iommu_add(&cfg, &u), -EINVAL);
	cfg.reg_base = 0xfed93010;
	assert_int_equal(hw_iommu_add(&cfg, &u), -EINVAL);
	assert_int_equal(hw_iommu_count(), 3);
	assert_ptr_equal(hw_iommu_at(1), b);
	assert_ptr_equal(hw_iommu_find(UC), c);
	assert_int_equal(hw_iommu_segment(c), 1);

	assert_int_equal(hw_pci_add(&pc, &d), 0);
	assert_false(hw_pci_bus_master(d));		/* off after reset */
	assert_false(hw_pci_ats_enabled(d));
	assert_int_equal(hw_pci_enable_ats(d, true), -EINVAL);	/* no ATS capability */
	assert_int_equal(hw_pci_add(&pc, &d), -EEXIST);
	pc.devfn = 0x11;
	pc.iommu_base = 0xdead000;
	assert_int_equal(hw_pci_add(&pc, &d), -ENODEV);
	pc.iommu_base = UC;				/* segment 1 unit, segment 0 device */
	assert_int_equal(hw_pci_add(&pc, &d), -EINVAL);
	pc.iommu_base = UA;
	pc.max_pasids = 3;
	assert_int_equal(hw_pci_add(&pc, &d), -EINVAL);

	/* two functions without ACS share a group; a tag never spans units */
	d1 = hwt_dev(a, 1, 0x00, 0, false, 7);
	d2 = hwt_dev(a, 1, 0x01, 0, false, 7);
	d3 = hwt_dev(a, 2, 0x00, 1u << 20, true, 0);
	assert_int_equal(hw_pci_group(d1), 7);
	assert_int_equal(hw_pci_group_size(d2), 2);
	assert_int_equal(hw_pci_group_size(d3), 1);
	assert_true(hw_pci_group(d3) >= 0x80000000u);
	assert_int_not_equal(hw_pci_group(d3), hw_pci_group(d));
	pc.max_pasids = 0;
	pc.devfn = 0x20;
	pc.iommu_base = UB;
	pc.group_tag = 7;
	assert_int_equal(hw_pci_add(&pc, &d), -EINVAL);

	assert_int_equal(hw_pci_count(), 4);
	assert_ptr_equal(hw_pci_find(0, 1, 0x01), d2);
	assert_ptr_equal(hw_pci_iommu(d2), a);
	assert_int_equal(hw_pci_sid(d2), 0x0101);
	assert_int_equal(hw_pci_max_pasids(d3), 1u << 20);
	assert_true(hw_pci_has_ats(d3));

	/* hot-remove: the unit only once its devices are gone */
	assert_int_equal(hw_iommu_remove(a), -EBUSY);
	assert_int_equal(hw_pci_remove(d1), 0);
	assert_int_equal(hw_pci_group_size(d2), 1);
	assert_int_equal(hw_pci_remove(d2), 0);
	assert_int_equal(hw_pci_remove(d3), 0);
	assert_int_equal(hw_pci_remove(d), 0);
	assert_null(hw_pci_find(0, 1, 0x01));
	assert_int_equal(hw_iommu_remove(a), 0);
	assert_null(hw_iommu_find(UA));
	assert_int_equal(hw_iommu_count(), 2);
	/* hot-add again at the same base */
	a = hwt_unit(UA, 0, false);
	d = hwt_dev(a, 1, 0, 0, false, 0);
	assert_ptr_equal(hw_pci_iommu(d), a);
}

/* A second-stage table mapping iova -> a page holding @byte. */
static uint64_t sl_table(unsigned int levels, uint64_t iova, int byte, unsigned int perm)
{
	uint64_t root = HW_PHYS_NONE;

	assert_int_equal(hw_pt_map(&root, levels, HW_PT_SECOND, iova, hwt_page(byte),
				   HW_SIZE_4K, perm), 0);
	return root;
}

static void test_legacy_mode_several_units(void **state)
{
	struct hw_iommu *a, *b;
	struct hw_pci_dev *d1, *d2, *d3;
	struct hw_xlate x;

	(void)state;
	a = hwt_unit(UA, 0, true);
	b = hwt_unit(UB, 0, true);
	d1 = hwt_dev(a, 0, 0x08, 0, false, 0);
	d2 = hwt_dev(a, 0, 0x09, 0, false, 0);
	d3 = hwt_dev(b, 5, 0x00, 0, false, 0);
	assert_int_equal(hw_build_root(a, HW_TTM_LEGACY, NULL), 0);
	assert_int_equal(hw_build_root(b, HW_TTM_LEGACY, NULL), 0);
	assert_int_equal(hw_build_legacy_ctx(a, 0, 0x08, 1, sl_table(4, 0x1000, 0x11, HW_PERM_RW),
					     HW_AW_48, HW_CTX_TT_UNTRANSLATED, false), 0);
	assert_int_equal(hw_build_legacy_ctx(a, 0, 0x09, 2, sl_table(4, 0x1000, 0x22, HW_PERM_RW),
					     HW_AW_48, HW_CTX_TT_UNTRANSLATED, false), 0);
	/* the same DID number on another unit is another domain; 3-level tables */
	assert_int_equal(hw_build_legacy_ctx(b, 5, 0x00, 1, sl_table(3, 0x1000, 0x33, HW_PERM_RW),
					     HW_AW_39, HW_CTX_TT_UNTRANSLATED, false), 0);
	hw_iommu_set_translation(a, true);
	hw_iommu_set_translation(b, true);

	assert_int_equal(hwt_read_byte(d1, HW_NO_PASID, 0x1000), 0x11);
	assert_int_equal(hwt_read_byte(d2, HW_NO_PASID, 0x1000), 0x22);
	assert_int_equal(hwt_read_byte(d3, HW_NO_PASID, 0x1000), 0x33);
	assert_int_equal(hw_dma_translate(d2, HW_NO_PASID, 0x1234, HW_DMA_WRITE, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_SECOND);
	assert_int_equal(x.did, 2);
	assert_true(x.iotlb_hit);		/* filled by the read above */
	assert_int_equal(hw_iommu_probe(d3, HW_NO_PASID, 0x1000, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.did, 1);
	assert_false(x.iotlb_hit);

	/* legacy pass-through */
	{
		struct hw_pci_dev *d4 = hwt_dev(b, 5, 0x01, 0, false, 0);
		uint64_t p = hwt_page(0x44);

		assert_int_equal(hw_build_legacy_ctx(b, 5, 0x01, 9, 0, 0, HW_CTX_TT_PASSTHROUGH,
						     false), 0);
		assert_int_equal(hwt_read_byte(d4, HW_NO_PASID, p + 5), 0x44);
	}
	assert_int_equal(hw_fault_count(), 0);
}

static void test_scalable_mode_pasids(void **state)
{
	struct hw_iommu *a, *b;
	struct hw_pci_dev *d1, *d2;
	struct hw_pasid_entry pe = { 0 };
	uint64_t fl = HW_PHYS_NONE, p3;
	struct hw_xlate x;
	enum hw_ttm mode;

	(void)state;
	a = hwt_unit(UA, 0, false);
	b = hwt_unit(UB, 0, false);
	d1 = hwt_dev(a, 3, 0x00, 256, false, 0);
	d2 = hwt_dev(b, 4, 0x85, 0, false, 0);	/* devfn >= 128: upper context table */
	assert_int_equal(hw_build_root(a, HW_TTM_SCALABLE, NULL), 0);
	assert_int_equal(hw_build_root(b, HW_TTM_SCALABLE, NULL), 0);
	assert_int_not_equal(hw_iommu_root_table(a, &mode), HW_PHYS_NONE);
	assert_int_equal(mode, HW_TTM_SCALABLE);
	assert_int_equal(hw_build_sm_ctx(a, 3, 0x00, 0, true, false, false, NULL), 0);
	assert_int_equal(hw_build_sm_ctx(b, 4, 0x85, 0, false, false, false, NULL), 0);

	/* RID_PASID (0): second stage, did 3 */
	pe.pgtt = HW_PGTT_SECOND;
	pe.did = 3;
	pe.aw = HW_AW_48;
	pe.slptr = sl_table(4, 0x1000, 0x11, HW_PERM_RW);
	assert_int_equal(hw_build_pasid(a, 3, 0x00, HW_NO_PASID, &pe), 0);
	/* PASID 5: first stage, did 4 */
	assert_int_equal(hw_pt_map(&fl, 4, HW_PT_FIRST, 0x1000, hwt_page(0x22), HW_SIZE_4K,
				   HW_PERM_RW), 0);
	memset(&pe, 0, sizeof(pe));
	pe.pgtt = HW_PGTT_FIRST;
	pe.did = 4;
	pe.flptr = fl;
	assert_int_equal(hw_build_pasid(a, 3, 0x00, 5, &pe), 0);
	/* PASID 100 (second directory entry): pass-through */
	memset(&pe, 0, sizeof(pe));
	pe.pgtt = HW_PGTT_PT;
	pe.did = 5;
	assert_int_equal(hw_build_pasid(a, 3, 0x00, 100, &pe), 0);
	/* other unit, upper context table */
	pe.pgtt = HW_PGTT_SECOND;
	pe.did = 3;
	pe.aw = HW_AW_39;
	pe.slptr = sl_table(3, 0x1000, 0x33, HW_PERM_R);
	assert_int_equal(hw_build_pasid(b, 4, 0x85, HW_NO_PASID, &pe), 0);
	hw_iommu_set_translation(a, true);
	hw_iommu_set_translation(b, true);

	assert_int_equal(hwt_read_byte(d1, HW_NO_PASID, 0x1000), 0x11);
	assert_int_equal(hwt_read_byte(d1, 5, 0x1000), 0x22);
	p3 = hwt_page(0x55);
	assert_int_equal(hwt_read_byte(d1, 100, p3), 0x55);
	assert_int_equal(hwt_read_byte(d2, HW_NO_PASID, 0x1000), 0x33);

	assert_int_equal(hw_dma_translate(d1, 5, 0x1000, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_FIRST);
	assert_int_equal(x.did, 4);
	assert_int_equal(hw_dma_translate(d1, 100, 0x1000, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_PASSTHROUGH);
	assert_int_equal(x.pa, 0x1000);
	assert_int_equal(hw_dma_translate(d1, HW_NO_PASID, 0x1000, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_SECOND);
	/* the device's capability bounds its PASIDs */
	assert_int_equal(hw_dma_translate(d1, 256, 0x1000, HW_DMA_READ, &x), HW_DMA_BAD_REQUEST);
	assert_int_equal(hw_dma_translate(d2, 1, 0x1000, HW_DMA_READ, &x), HW_DMA_BAD_REQUEST);
	assert_int_equal(hw_fault_count(), 0);
}

static void test_translation_disabled(void **state)
{
	struct hw_iommu *a;
	struct hw_pci_dev *d;
	struct hw_xlate x;
	uint64_t p;

	(void)state;
	a = hwt_unit(UA, 0, false);
	d = hwt_dev(a, 0, 0x08, 16, false, 0);
	p = hwt_page(0x5a);
	assert_false(hw_iommu_translation_enabled(a));
	/* TE off: requests without PASID go straight to memory */
	assert_int_equal(hwt_read_byte(d, HW_NO_PASID, p + 9), 0x5a);
	assert_int_equal(hw_dma_translate(d, HW_NO_PASID, p, HW_DMA_WRITE, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_UNTRANSLATED);
	assert_int_equal(x.pa, p);
	/* ... requests with PASID are blocked */
	assert_int_equal(hw_dma_translate(d, 3, p, HW_DMA_READ, &x), HW_DMA_FAULT);
	assert_int_equal(x.fault, HW_FAULT_TRANSLATION_DISABLED);
	/* TE on without a root table */
	hw_iommu_set_translation(a, true);
	assert_int_equal(hw_dma_translate(d, HW_NO_PASID, p, HW_DMA_READ, &x), HW_DMA_FAULT);
	assert_int_equal(x.fault, HW_FAULT_ROOT_TABLE_INVALID);
	assert_int_equal(hw_fault_count(), 2);
}

static void expect_fault(struct hw_pci_dev *d, uint32_t pasid, uint64_t iova,
			 enum hw_dma_dir dir, enum hw_fault_reason reason,
			 unsigned int stage, unsigned int level)
{
	uint64_t before = hw_fault_count();
	const struct hw_fault *f;
	struct hw_dma_result res;
	uint8_t buf[8] = { 0 };

	assert_int_equal(hw_dma(d, pasid, iova, buf, sizeof(buf), dir, &res), HW_DMA_FAULT);
	assert_int_equal(res.reason, reason);
	assert_int_equal(res.done, 0);
	assert_int_equal(hw_fault_count(), before + 1);
	f = hw_fault_log_get(hw_fault_log_len() - 1);
	assert_int_equal(f->reason, reason);
	assert_int_equal(f->iommu_base, hw_iommu_base(hw_pci_iommu(d)));
	assert_int_equal(f->sid, hw_pci_sid(d));
	assert_int_equal(f->pasid, pasid);
	assert_int_equal(f->iova, iova);
	assert_int_equal(f->write, dir == HW_DMA_WRITE);
	assert_int_equal(f->stage, stage);
	assert_int_equal(f->level, level);
}

static void test_fault_reasons_legacy(void **state)
{
	struct hw_iommu *u;
	struct hw_pci_dev *nobus, *noctx, *ok, *badtt, *badaw, *aw39, *fpd, *pas;
	uint64_t ro, *ce;

	(void)state;
	u = hwt_unit(UA, 0, true);
	nobus = hwt_dev(u, 9, 0x00, 0, false, 0);
	noctx = hwt_dev(u, 1, 0x03, 0, false, 0);
	ok = hwt_dev(u, 1, 0x00, 0, false, 0);
	badtt = hwt_dev(u, 1, 0x01, 0, false, 0);
	badaw = hwt_dev(u, 1, 0x02, 0, false, 0);
	aw39 = hwt_dev(u, 1, 0x04, 0, false, 0);
	fpd = hwt_dev(u, 1, 0x05, 0, false, 0);
	pas = hwt_dev(u, 1, 0x06, 32, false, 0);
	assert_int_equal(hw_build_root(u, HW_TTM_LEGACY, NULL), 0);
	ro = sl_table(4, 0x1000, 0x11, HW_PERM_R);
	assert_int_equal(hw_build_legacy_ctx(u, 1, 0x00, 1, ro, HW_AW_48, 0, false), 0);
	assert_int_equal(hw_build_legacy_ctx(u, 1, 0x01, 1, ro, HW_AW_48, 0, false), 0);
	ce = hw_phys_to_virt(hw_build_ctx_phys(u, 1, 0x01));
	ce[0] |= HW_CTX_TT_MASK;				/* TT = 3: reserved */
	assert_int_equal(hw_build_legacy_ctx(u, 1, 0x02, 1, ro, 3, 0, false), 0);
	assert_int_equal(hw_build_legacy_ctx(u, 1, 0x04, 1, sl_table(3, 0, 0, HW_PERM_RW),
					     HW_AW_39, 0, false), 0);
	assert_int_equal(hw_build_legacy_ctx(u, 1, 0x05, 1, ro, HW_AW_48, 0, true), 0);
	assert_int_equal(hw_build_legacy_ctx(u, 1, 0x06, 1, ro, HW_AW_48, 0, false), 0);
	hw_iommu_set_translation(u, true);

	expect_fault(nobus, 0, 0x1000, HW_DMA_READ, HW_FAULT_ROOT_NOT_PRESENT, 0, 0);
	expect_fault(noctx, 0, 0x1000, HW_DMA_READ, HW_FAULT_CTX_NOT_PRESENT, 0, 0);
	expect_fault(badtt, 0, 0x1000, HW_DMA_READ, HW_FAULT_CTX_INVALID, 0, 0);
	expect_fault(badaw, 0, 0x1000, HW_DMA_READ, HW_FAULT_CTX_INVALID, 0, 0);
	expect_fault(ok, 0, 0x9000, HW_DMA_READ, HW_FAULT_PTE_NOT_PRESENT, 2, 1);
	expect_fault(ok, 0, 1ULL << 40, HW_DMA_READ, HW_FAULT_PTE_NOT_PRESENT, 2, 4);
	expect_fault(ok, 0, 0x1000, HW_DMA_WRITE, HW_FAULT_PERMISSION, 2, 1);
	expect_fault(aw39, 0, 1ULL << 40, HW_DMA_READ, HW_FAULT_ADDR_WIDTH, 2, 3);
	expect_fault(pas, 3, 0x1000, HW_DMA_READ, HW_FAULT_PASID_DISABLED, 0, 0);
	assert_int_equal(hwt_read_byte(pas, 0, 0x1000), 0x11);
	assert_int_equal(hwt_read_byte(ok, 0, 0x1000), 0x11);

	/* FPD: the DMA is blocked, the event is logged, the fault register is not */
	{
		uint64_t before = hw_fault_count(), ev = hw_event_count(HW_EV_DMA_FAULT);

		assert_int_equal(hwt_read_byte(fpd, 0, 0x9000), -1);
		assert_int_equal(hw_fault_count(), before);
		assert_int_equal(hw_event_count(HW_EV_DMA_FAULT), ev + 1);
	}
	assert_string_equal(hw_fault_reason_name(HW_FAULT_CTX_NOT_PRESENT), "context-not-present");
}

static void test_fault_reasons_scalable(void **state)
{
	struct hw_iommu_cfg cfg = { .reg_base = UB, .no_nested = true };
	struct hw_iommu *u, *nn;
	struct hw_pci_dev *d, *nopasid, *dn;
	struct hw_pasid_entry pe = { .pgtt = HW_PGTT_SECOND, .did = 1, .aw = HW_AW_48 };
	struct hw_iommu_caps caps;

	(void)state;
	u = hwt_unit(UA, 0, false);
	assert_int_equal(hw_iommu_add(&cfg, &nn), 0);
	hw_iommu_get_caps(nn, &caps);
	assert_true(caps.scalable);
	assert_false(caps.nested);
	d = hwt_dev(u, 2, 0x00, 1u << 20, false, 0);
	nopasid = hwt_dev(u, 2, 0x01, 1u << 20, false, 0);
	dn = hwt_dev(nn, 3, 0x00, 0, false, 0);
	assert_int_equal(hw_build_root(u, HW_TTM_SCALABLE, NULL), 0);
	assert_int_equal(hw_build_root(nn, HW_TTM_SCALABLE, NULL), 0);
	assert_int_equal(hw_build_sm_ctx(u, 2, 0x00, 0, true, false, false, NULL), 0);
	assert_int_equal(hw_build_sm_ctx(u, 2, 0x01, 0, false, false, false, NULL), 0);
	assert_int_equal(hw_build_sm_ctx(nn, 3, 0x00, 0, false, false, false, NULL), 0);
	pe.slptr = sl_table(4, 0x1000, 0x11, HW_PERM_RW);
	assert_int_equal(hw_build_pasid(u, 2, 0x00, 0, &pe), 0);
	assert_int_equal(hw_build_pasid(u, 2, 0x01, 0, &pe), 0);
	pe.pgtt = 0;					/* reserved PGTT */
	assert_int_equal(hw_build_pasid(u, 2, 0x00, 9, &pe), 0);
	pe.pgtt = HW_PGTT_NESTED;			/* nesting on a unit without it */
	assert_int_equal(hw_build_pasid(nn, 3, 0x00, 0, &pe), 0);
	hw_iommu_set_translation(u, true);
	hw_iommu_set_translation(nn, true);

	assert_int_equal(hwt_read_byte(d, 0, 0x1000), 0x11);
	expect_fault(nopasid, 4, 0x1000, HW_DMA_READ, HW_FAULT_PASID_DISABLED, 0, 0);
	/* 128 directory entries cover PASIDs below 8192 */
	expect_fault(d, 9000, 0x1000, HW_DMA_READ, HW_FAULT_PASID_TOO_LARGE, 0, 0);
	expect_fault(d, 200, 0x1000, HW_DMA_READ, HW_FAULT_PASID_DIR_NOT_PRESENT, 0, 0);
	expect_fault(d, 7, 0x1000, HW_DMA_READ, HW_FAULT_PASID_NOT_PRESENT, 0, 0);
	expect_fault(d, 9, 0x1000, HW_DMA_READ, HW_FAULT_PASID_INVALID, 0, 0);
	expect_fault(dn, 0, 0x1000, HW_DMA_READ, HW_FAULT_PASID_INVALID, 0, 0);
	expect_fault(d, 0, 0x2000, HW_DMA_WRITE, HW_FAULT_PTE_NOT_PRESENT, 2, 1);
}

static void test_fault_ring_bounded(void **state)
{
	struct hw_iommu *u;
	struct hw_pci_dev *d;
	unsigned int i;

	(void)state;
	u = hwt_unit(UA, 0, false);
	d = hwt_dev(u, 0, 0x08, 0, false, 0);
	assert_int_equal(hw_build_root(u, HW_TTM_SCALABLE, NULL), 0);
	hw_iommu_set_translation(u, true);
	for (i = 0; i < HW_FAULT_LOG_SIZE + 6; i++)
		assert_int_equal(hwt_read_byte(d, 0, (uint64_t)i << 12), -1);
	assert_int_equal(hw_fault_count(), HW_FAULT_LOG_SIZE + 6);
	assert_int_equal(hw_fault_log_len(), HW_FAULT_LOG_SIZE);
	assert_int_equal(hw_fault_log_overflows(), 6);
	assert_int_equal(hw_fault_log_get(0)->seq, 7);
	assert_int_equal(hw_fault_log_get(0)->iova, 6ULL << 12);
	assert_int_equal(hw_fault_log_get(HW_FAULT_LOG_SIZE - 1)->reason,
			 HW_FAULT_ROOT_NOT_PRESENT);
	assert_null(hw_fault_log_get(HW_FAULT_LOG_SIZE));
	hw_fault_log_clear();
	assert_int_equal(hw_fault_log_len(), 0);
}

static void test_caps_and_domain_ids(void **state)
{
	struct hw_iommu_cfg cfg = { .reg_base = UB, .ndoms = 128, .pasid_bits = 8, .no_ats = true };
	struct hw_iommu_caps caps;
	struct hw_iommu *l, *u;
	int i;

	(void)state;
	l = hwt_unit(UA, 0, true);
	hw_iommu_get_caps(l, &caps);
	assert_false(caps.scalable);
	assert_int_equal(hw_iommu_set_root_table(l, HW_MEM_BASE, HW_TTM_SCALABLE), -EINVAL);
	assert_int_equal(hw_iommu_set_root_table(l, HW_MEM_BASE + 8, HW_TTM_LEGACY), -EINVAL);
	assert_int_equal(hw_iommu_root_table(l, NULL), HW_PHYS_NONE);

	assert_int_equal(hw_iommu_add(&cfg, &u), 0);
	hw_iommu_get_caps(u, &caps);
	assert_int_equal(caps.ndoms, 128);
	assert_int_equal(caps.pasid_bits, 8);
	assert_false(caps.ats);
	assert_true(caps.nested);

	/* the driver reserves 0 and 1, then allocates lowest-first */
	assert_int_equal(hw_iommu_did_reserve(u, 0), 0);
	assert_int_equal(hw_iommu_did_reserve(u, 1), 0);
	assert_int_equal(hw_iommu_did_reserve(u, 1), -EBUSY);
	assert_int_equal(hw_iommu_did_reserve(u, 128), -EINVAL);
	assert_int_equal(hw_iommu_did_alloc(u, 0), 2);
	assert_int_equal(hw_iommu_did_alloc(u, 2), 3);
	assert_int_equal(hw_iommu_did_reserve(u, 70), 0);
	assert_int_equal(hw_iommu_did_alloc(u, 70), 71);
	hw_iommu_did_free(u, 2);
	assert_false(hw_iommu_did_in_use(u, 2));
	assert_int_equal(hw_iommu_did_alloc(u, 0), 2);
	assert_int_equal(hw_iommu_did_count(u), 6);
	for (i = 0; i < 122; i++)
		assert_true(hw_iommu_did_alloc(u, 0) > 0);
	assert_int_equal(hw_iommu_did_alloc(u, 0), -ENOSPC);

	/* kernel state: a kexec empties it, the new kernel re-reserves */
	hw_machine_kexec(NULL, NULL);
	assert_int_equal(hw_iommu_did_count(u), 0);
	assert_false(hw_iommu_did_in_use(u, 70));
	assert_int_equal(hw_iommu_did_reserve(u, 70), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_topology_hotplug),
		lusim_unit_test(test_legacy_mode_several_units),
		lusim_unit_test(test_scalable_mode_pasids),
		lusim_unit_test(test_translation_disabled),
		lusim_unit_test(test_fault_reasons_legacy),
		lusim_unit_test(test_fault_reasons_scalable),
		lusim_unit_test(test_fault_ring_bounded),
		lusim_unit_test(test_caps_and_domain_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
