// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/hw DMA engine and caches: a missing invalidation is observable as
 * wrong DMA, for every invalidation kind (IOTLB global/domain/page,
 * PASID-based IOTLB, PASID cache, context cache, device-TLB); nested
 * translation through stage-2-translated stage-1 tables; bus mastering
 * off; DMA and table walks into freed memory; transfers that fault
 * midway; kexec keeping DMA running; hotplug; reset leaving nothing.
 */
#include <errno.h>
#include <string.h>

#include "hw_test.h"
#include "lusim_test.h"

#define UA	0xfed90000ULL
#define IOVA	0x1000ULL

/* A legacy unit with one device (0:08.0, did 1) whose table maps IOVA -> a page of 0xaa. */
struct legacy_fix {
	struct hw_iommu *u;
	struct hw_pci_dev *d;
	uint64_t root, a, b;
};

static void legacy_setup(struct legacy_fix *f, unsigned int perm)
{
	f->u = hwt_unit(UA, 0, true);
	f->d = hwt_dev(f->u, 0, 0x08, 0, false, 0);
	f->a = hwt_page(0xaa);
	f->b = hwt_page(0xbb);
	f->root = HW_PHYS_NONE;
	assert_int_equal(hw_pt_map(&f->root, 4, HW_PT_SECOND, IOVA, f->a, HW_SIZE_4K, perm), 0);
	assert_int_equal(hw_build_root(f->u, HW_TTM_LEGACY, NULL), 0);
	assert_int_equal(hw_build_legacy_ctx(f->u, 0, 0x08, 1, f->root, HW_AW_48,
					     HW_CTX_TT_UNTRANSLATED, false), 0);
	hw_iommu_set_translation(f->u, true);
}

static void point_leaf(struct legacy_fix *f, uint64_t page, unsigned int perm)
{
	hwt_set_pte(f->root, 4, HW_PT_SECOND, IOVA, 1, page | perm);
}

static void test_iotlb_stale_until_invalidation(void **state)
{
	struct legacy_fix f;
	struct hw_iommu_stats st;
	struct hw_xlate x;

	(void)state;
	legacy_setup(&f, HW_PERM_RW);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);	/* fills the IOTLB */

	/* the driver changes the PTE and forgets the invalidation */
	point_leaf(&f, f.b, HW_PERM_RW);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);	/* stale: old page */
	assert_int_equal(hw_iommu_probe(f.d, 0, IOVA, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.pa, f.b);				/* the tables say new */

	/* invalidations that do not cover it change nothing */
	assert_int_equal(hw_inv_iotlb_domain(f.u, 2), 0);
	assert_int_equal(hw_inv_iotlb_page(f.u, 1, 0x5000, 0), 0);
	assert_int_equal(hw_inv_piotlb_pasid(f.u, 1, 0), 0);	/* first-stage only */
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	/* page-selective with a mask covering it */
	assert_int_equal(hw_inv_iotlb_page(f.u, 1, 0x0, 2), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);

	/* domain-selective */
	point_leaf(&f, f.a, HW_PERM_RW);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);
	assert_int_equal(hw_inv_iotlb_domain(f.u, 1), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);

	/* global */
	point_leaf(&f, f.b, HW_PERM_RW);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	assert_int_equal(hw_inv_iotlb_global(f.u), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);

	/* a cached read-only entry keeps faulting writes after an upgrade */
	point_leaf(&f, f.b, HW_PERM_R);
	hw_inv_iotlb_global(f.u);
	assert_int_equal(hw_dma_translate(f.d, 0, IOVA, HW_DMA_WRITE, &x), HW_DMA_FAULT);
	assert_int_equal(x.fault, HW_FAULT_PERMISSION);
	point_leaf(&f, f.b, HW_PERM_RW);
	assert_int_equal(hw_dma_translate(f.d, 0, IOVA, HW_DMA_WRITE, &x), HW_DMA_FAULT);
	assert_true(x.iotlb_hit);
	hw_inv_iotlb_page(f.u, 1, IOVA, 0);
	assert_int_equal(hw_dma_translate(f.d, 0, IOVA, HW_DMA_WRITE, &x), HW_DMA_OK);

	hw_iommu_get_stats(f.u, &st);
	assert_true(st.iotlb_hits >= 5);
	assert_int_equal(st.inv[HW_INV_IOTLB], 7);
	assert_int_equal(st.inv[HW_INV_PIOTLB], 1);
	assert_int_equal(st.iotlb_entries, 1);
}

static void test_iotlb_large_page_overlap(void **state)
{
	struct legacy_fix f;
	uint64_t big = hw_mem_alloc(9, 0), big2 = hw_mem_alloc(9, 0);

	(void)state;
	legacy_setup(&f, HW_PERM_RW);
	memset(hw_phys_to_virt(big), 0x21, HW_SIZE_2M);
	memset(hw_phys_to_virt(big2), 0x22, HW_SIZE_2M);
	assert_int_equal(hw_pt_map(&f.root, 4, HW_PT_SECOND, 0x40000000, big, HW_SIZE_2M,
				   HW_PERM_RW), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, 0x40123000), 0x21);
	hwt_set_pte(f.root, 4, HW_PT_SECOND, 0x40000000, 2, big2 | HW_PTE_PS | HW_PERM_RW);
	assert_int_equal(hwt_read_byte(f.d, 0, 0x40000000), 0x21);	/* one 2 MiB entry */
	/* a 4 KiB invalidation anywhere inside the 2 MiB entry drops it */
	assert_int_equal(hw_inv_iotlb_page(f.u, 1, 0x401ff000, 0), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, 0x40000000), 0x22);
}

/* Scalable unit, device 1:00.0 (64 PASIDs, ATS if asked), RID_PASID second stage did 1. */
struct sm_fix {
	struct hw_iommu *u;
	struct hw_pci_dev *d;
	uint64_t sl, sl2, fl, a, b;
};

static void sm_setup(struct sm_fix *f, bool ats, bool dte)
{
	struct hw_pasid_entry pe = { .pgtt = HW_PGTT_SECOND, .did = 1, .aw = HW_AW_48 };

	f->u = hwt_unit(UA, 0, false);
	f->d = hwt_dev(f->u, 1, 0x00, 64, ats, 0);
	f->a = hwt_page(0xaa);
	f->b = hwt_page(0xbb);
	f->sl = f->sl2 = f->fl = HW_PHYS_NONE;
	assert_int_equal(hw_pt_map(&f->sl, 4, HW_PT_SECOND, IOVA, f->a, HW_SIZE_4K, HW_PERM_RW), 0);
	assert_int_equal(hw_pt_map(&f->sl2, 4, HW_PT_SECOND, IOVA, f->b, HW_SIZE_4K, HW_PERM_RW), 0);
	assert_int_equal(hw_pt_map(&f->fl, 4, HW_PT_FIRST, IOVA, f->a, HW_SIZE_4K, HW_PERM_RW), 0);
	assert_int_equal(hw_build_root(f->u, HW_TTM_SCALABLE, NULL), 0);
	assert_int_equal(hw_build_sm_ctx(f->u, 1, 0x00, 0, true, dte, false, NULL), 0);
	pe.slptr = f->sl;
	assert_int_equal(hw_build_pasid(f->u, 1, 0x00, HW_NO_PASID, &pe), 0);
	memset(&pe, 0, sizeof(pe));
	pe.pgtt = HW_PGTT_FIRST;
	pe.did = 2;
	pe.flptr = f->fl;
	assert_int_equal(hw_build_pasid(f->u, 1, 0x00, 2, &pe), 0);
	hw_iommu_set_translation(f->u, true);
}

static void test_first_stage_needs_pasid_based_invalidation(void **state)
{
	struct sm_fix f;

	(void)state;
	sm_setup(&f, false, false);
	assert_int_equal(hwt_read_byte(f.d, 2, IOVA), 0xaa);
	hwt_set_pte(f.fl, 4, HW_PT_FIRST, IOVA, 1, f.b | HW_PERM_RW);
	assert_int_equal(hwt_read_byte(f.d, 2, IOVA), 0xaa);
	/* IOTLB invalidation covers second-stage mappings, not first-stage ones */
	assert_int_equal(hw_inv_iotlb_domain(f.u, 2), 0);
	assert_int_equal(hw_inv_iotlb_page(f.u, 2, IOVA, 0), 0);
	assert_int_equal(hw_inv_piotlb_pasid(f.u, 2, 3), 0);	/* another PASID */
	assert_int_equal(hw_inv_piotlb_pasid(f.u, 1, 2), 0);	/* another domain */
	assert_int_equal(hwt_read_byte(f.d, 2, IOVA), 0xaa);
	assert_int_equal(hw_inv_piotlb_page(f.u, 2, 2, IOVA, 0), 0);
	assert_int_equal(hwt_read_byte(f.d, 2, IOVA), 0xbb);

	hwt_set_pte(f.fl, 4, HW_PT_FIRST, IOVA, 1, f.a | HW_PERM_RW);
	assert_int_equal(hw_inv_piotlb_page(f.u, 2, 2, 0x8000, 0), 0);	/* elsewhere */
	assert_int_equal(hwt_read_byte(f.d, 2, IOVA), 0xbb);
	assert_int_equal(hw_inv_piotlb_pasid(f.u, 2, 2), 0);
	assert_int_equal(hwt_read_byte(f.d, 2, IOVA), 0xaa);

	/* a global IOTLB invalidation drops everything */
	hwt_set_pte(f.fl, 4, HW_PT_FIRST, IOVA, 1, f.b | HW_PERM_RW);
	assert_int_equal(hw_inv_iotlb_global(f.u), 0);
	assert_int_equal(hwt_read_byte(f.d, 2, IOVA), 0xbb);
	/* and RID DMA through the second stage was never affected */
	assert_int_equal(hwt_read_byte(f.d, HW_NO_PASID, IOVA), 0xaa);
}

static void set_rid_slptr(struct sm_fix *f, uint64_t sl)
{
	struct hw_pasid_entry pe = { .pgtt = HW_PGTT_SECOND, .did = 1, .aw = HW_AW_48, .slptr = sl };

	assert_int_equal(hw_build_pasid(f->u, 1, 0x00, HW_NO_PASID, &pe), 0);
}

static void test_pasid_cache_stale(void **state)
{
	struct sm_fix f;

	(void)state;
	sm_setup(&f, false, false);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	/* point the PASID entry at another table; flush only the IOTLB */
	set_rid_slptr(&f, f.sl2);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);	/* cached PASID entry */
	hw_inv_pc_pasid(f.u, 9, 0);				/* wrong did */
	hw_inv_pc_pasid(f.u, 1, 5);				/* wrong pasid */
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	hw_inv_pc_pasid(f.u, 1, 0);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);

	set_rid_slptr(&f, f.sl);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);
	hw_inv_pc_domain(f.u, 1);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);

	set_rid_slptr(&f, f.sl2);
	hw_inv_pc_global(f.u);
	hw_inv_iotlb_global(f.u);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);

	/* clearing the entry without a PASID-cache flush keeps DMA flowing */
	assert_int_equal(hw_build_pasid(f.u, 1, 0x00, HW_NO_PASID, NULL), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);
	hw_inv_pc_pasid(f.u, 1, 0);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), -1);
	assert_int_equal(hw_fault_log_get(hw_fault_log_len() - 1)->reason,
			 HW_FAULT_PASID_NOT_PRESENT);
}

static void set_ctx_slptr(struct legacy_fix *f, uint64_t sl)
{
	assert_int_equal(hw_build_legacy_ctx(f->u, 0, 0x08, 1, sl, HW_AW_48,
					     HW_CTX_TT_UNTRANSLATED, false), 0);
}

static void test_context_cache_stale(void **state)
{
	struct legacy_fix f;
	uint64_t other = HW_PHYS_NONE;
	uint16_t sid;

	(void)state;
	legacy_setup(&f, HW_PERM_RW);
	sid = hw_pci_sid(f.d);
	assert_int_equal(hw_pt_map(&other, 4, HW_PT_SECOND, IOVA, f.b, HW_SIZE_4K, HW_PERM_RW), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);

	set_ctx_slptr(&f, other);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);	/* cached context entry */
	hw_inv_cc_device(f.u, 7, sid);				/* legacy: did must match */
	hw_inv_cc_device(f.u, 1, sid + 1);			/* another function */
	hw_inv_cc_domain(f.u, 2);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	hw_inv_cc_device(f.u, 1, sid);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);

	set_ctx_slptr(&f, f.root);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);
	hw_inv_cc_domain(f.u, 1);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);

	set_ctx_slptr(&f, other);
	hw_inv_cc_global(f.u);
	hw_inv_iotlb_global(f.u);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);

	/* a new root table is not used until the context cache is flushed */
	assert_int_equal(hw_build_root(f.u, HW_TTM_LEGACY, NULL), 0);	/* empty */
	hw_inv_iotlb_global(f.u);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);
	hw_inv_cc_global(f.u);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), -1);
}

static void test_device_tlb_stale_until_ats_invalidation(void **state)
{
	struct sm_fix f;
	struct hw_xlate x;
	uint16_t sid;

	(void)state;
	sm_setup(&f, true, true);
	sid = hw_pci_sid(f.d);
	/* ATS not enabled yet: nothing cached in the device */
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	assert_int_equal(hw_pci_devtlb_entries(f.d), 0);
	assert_int_equal(hw_pci_enable_ats(f.d, true), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	assert_int_equal(hw_pci_devtlb_entries(f.d), 1);

	hwt_set_pte(f.sl, 4, HW_PT_SECOND, IOVA, 1, f.b | HW_PERM_RW);
	hw_inv_iotlb_page(f.u, 1, IOVA, 0);
	assert_int_equal(hw_dma_translate(f.d, 0, IOVA, HW_DMA_READ, &x), HW_DMA_OK);
	assert_true(x.devtlb_hit);
	assert_int_equal(x.pa, f.a);				/* stale in the device */
	hw_inv_devtlb(f.u, sid, 5, IOVA, 0);			/* another PASID */
	hw_inv_devtlb(f.u, sid + 1, 0, IOVA, 0);		/* another function */
	hw_inv_devtlb(f.u, sid, 0, 0x10000, 0);			/* another page */
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	hw_inv_devtlb(f.u, sid, 0, IOVA, 0);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);

	/* whole device, every PASID */
	hwt_set_pte(f.sl, 4, HW_PT_SECOND, IOVA, 1, f.a | HW_PERM_RW);
	hw_inv_iotlb_domain(f.u, 1);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xbb);
	hw_inv_devtlb(f.u, sid, HW_PASID_ALL, 0, HW_INV_AM_ALL);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);

	/* the device-TLB keeps translating even with the IOMMU off */
	hw_iommu_set_translation(f.u, false);
	assert_int_equal(hw_dma_translate(f.d, 0, IOVA, HW_DMA_READ, &x), HW_DMA_OK);
	assert_true(x.devtlb_hit);
	hw_iommu_set_translation(f.u, true);

	/* disabling ATS empties it */
	assert_int_equal(hw_pci_enable_ats(f.d, false), 0);
	assert_int_equal(hw_pci_devtlb_entries(f.d), 0);
}

static void test_device_tlb_needs_context_permission(void **state)
{
	struct sm_fix f;

	(void)state;
	sm_setup(&f, true, false);		/* context DTE=0 */
	assert_int_equal(hw_pci_enable_ats(f.d, true), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	assert_int_equal(hw_pci_devtlb_entries(f.d), 0);
}

/*
 * Nested: the guest's first-stage tables live at guest-physical addresses
 * that the second stage maps to other host pages.
 */
#define GPA_TABLES	0x40000000ULL
#define GPA_DATA	0x50000000ULL
#define GIOVA		0x7000ULL

struct nest_fix {
	struct hw_iommu *u;
	struct hw_pci_dev *d;
	uint64_t s2, data, fl[4];
};

static void nest_setup(struct nest_fix *f, unsigned int data_perm)
{
	struct hw_pasid_entry pe = { .pgtt = HW_PGTT_NESTED, .did = 5, .aw = HW_AW_48 };
	unsigned int i;

	f->u = hwt_unit(UA, 0, false);
	f->d = hwt_dev(f->u, 1, 0x00, 64, false, 0);
	f->s2 = HW_PHYS_NONE;
	f->data = hwt_page(0xdd);
	for (i = 0; i < 4; i++) {	/* fl[0] = level 4 ... fl[3] = level 1 */
		f->fl[i] = hw_mem_alloc(0, HW_MEM_ZERO);
		assert_int_equal(hw_pt_map(&f->s2, 4, HW_PT_SECOND, GPA_TABLES + i * HW_PAGE_SIZE,
					   f->fl[i], HW_SIZE_4K, HW_PERM_R), 0);
	}
	assert_int_equal(hw_pt_map(&f->s2, 4, HW_PT_SECOND, GPA_DATA, f->data, HW_SIZE_4K,
				   data_perm), 0);
	/* guest tables hold guest-physical pointers */
	for (i = 0; i < 3; i++)
		((uint64_t *)hw_phys_to_virt(f->fl[i]))[0] =
			(GPA_TABLES + (i + 1) * HW_PAGE_SIZE) | HW_PTE_R | HW_PTE_W;
	((uint64_t *)hw_phys_to_virt(f->fl[3]))[GIOVA >> 12] = GPA_DATA | HW_PTE_R | HW_PTE_W;

	assert_int_equal(hw_build_root(f->u, HW_TTM_SCALABLE, NULL), 0);
	assert_int_equal(hw_build_sm_ctx(f->u, 1, 0x00, 0, true, false, false, NULL), 0);
	pe.slptr = f->s2;
	pe.flptr = GPA_TABLES;
	assert_int_equal(hw_build_pasid(f->u, 1, 0x00, 3, &pe), 0);
	hw_iommu_set_translation(f->u, true);
}

static void test_nested_translation(void **state)
{
	struct nest_fix f;
	struct hw_xlate x;
	uint8_t v = 0x77;

	(void)state;
	nest_setup(&f, HW_PERM_RW);
	assert_int_equal(hw_dma_translate(f.d, 3, GIOVA + 0x10, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.kind, HW_XL_NESTED);
	assert_int_equal(x.pa, f.data + 0x10);
	assert_int_equal(x.did, 5);
	assert_int_equal(hw_dma(f.d, 3, GIOVA + 1, &v, 1, HW_DMA_WRITE, NULL), HW_DMA_OK);
	assert_int_equal(((uint8_t *)hw_phys_to_virt(f.data))[1], 0x77);

	/*
	 * The table pointers really go through stage 2: drop the stage-2
	 * mapping of the guest's level-2 table and the walk faults in stage 2.
	 */
	assert_int_equal(hw_pt_unmap(f.s2, 4, HW_PT_SECOND, GPA_TABLES + 2 * HW_PAGE_SIZE,
				     HW_SIZE_4K), 0);
	assert_int_equal(hwt_read_byte(f.d, 3, GIOVA), 0xdd);	/* combined entry cached */
	assert_int_equal(hw_iommu_probe(f.d, 3, GIOVA, HW_DMA_READ, &x), HW_DMA_FAULT);
	assert_int_equal(x.fault, HW_FAULT_PTE_NOT_PRESENT);
	assert_int_equal(x.stage, 2);
	/* a stage-2 change is flushed with the IOTLB invalidation (nested entries included) */
	hw_inv_iotlb_domain(f.u, 5);
	assert_int_equal(hw_dma_translate(f.d, 3, GIOVA, HW_DMA_READ, &x), HW_DMA_FAULT);
	assert_int_equal(x.fault, HW_FAULT_PTE_NOT_PRESENT);
	assert_int_equal(x.stage, 2);
	assert_int_equal(hw_fault_log_get(hw_fault_log_len() - 1)->stage, 2);

	/* remap that guest table at another host page holding a copy: works again */
	{
		uint64_t copy = hw_mem_alloc(0, 0);

		memcpy(hw_phys_to_virt(copy), hw_phys_to_virt(f.fl[2]), HW_PAGE_SIZE);
		assert_int_equal(hw_pt_map(&f.s2, 4, HW_PT_SECOND, GPA_TABLES + 2 * HW_PAGE_SIZE,
					   copy, HW_SIZE_4K, HW_PERM_R), 0);
		assert_int_equal(hwt_read_byte(f.d, 3, GIOVA), 0xdd);
	}
	/* a stage-1 change needs the PASID-based invalidation */
	((uint64_t *)hw_phys_to_virt(f.fl[3]))[GIOVA >> 12] = 0;
	hw_inv_iotlb_page(f.u, 5, 0x100000, 0);
	assert_int_equal(hwt_read_byte(f.d, 3, GIOVA), 0xdd);
	hw_inv_piotlb_page(f.u, 5, 3, GIOVA, 0);
	assert_int_equal(hw_dma_translate(f.d, 3, GIOVA, HW_DMA_READ, &x), HW_DMA_FAULT);
	assert_int_equal(x.fault, HW_FAULT_PTE_NOT_PRESENT);
	assert_int_equal(x.stage, 1);
	assert_int_equal(x.level, 1);
}

static void test_nested_permissions_combine(void **state)
{
	struct nest_fix f;
	struct hw_xlate x;

	(void)state;
	nest_setup(&f, HW_PERM_R);		/* stage 2 read-only, stage 1 read-write */
	assert_int_equal(hw_dma_translate(f.d, 3, GIOVA, HW_DMA_READ, &x), HW_DMA_OK);
	assert_int_equal(x.perm, HW_PERM_R);
	assert_int_equal(hw_dma_translate(f.d, 3, GIOVA, HW_DMA_WRITE, &x), HW_DMA_FAULT);
	assert_int_equal(x.fault, HW_FAULT_PERMISSION);
}

static void test_bus_master_off_drops(void **state)
{
	struct legacy_fix f;
	struct hw_dma_result res;
	uint8_t buf[16];

	(void)state;
	legacy_setup(&f, HW_PERM_RW);
	hw_pci_set_bus_master(f.d, false);
	memset(buf, 0x01, sizeof(buf));
	assert_int_equal(hw_dma(f.d, 0, IOVA, buf, sizeof(buf), HW_DMA_WRITE, &res), HW_DMA_DROPPED);
	assert_int_equal(res.done, 0);
	assert_int_equal(hw_event_count(HW_EV_DMA_DROPPED), 1);
	assert_int_equal(hw_event_count(HW_EV_DMA_FAULT), 0);
	assert_int_equal(hw_event_count(HW_EV_DMA_ACCESS), 0);
	assert_int_equal(hw_fault_count(), 0);
	assert_int_equal(((uint8_t *)hw_phys_to_virt(f.a))[0], 0xaa);
	/* dropped even where there is no translation at all */
	assert_int_equal(hw_dma(f.d, 0, 0x99000, buf, 1, HW_DMA_READ, NULL), HW_DMA_DROPPED);
	assert_int_equal(hw_fault_count(), 0);
	hw_pci_set_bus_master(f.d, true);
	assert_int_equal(hw_dma(f.d, 0, IOVA, buf, sizeof(buf), HW_DMA_WRITE, &res), HW_DMA_OK);
	assert_int_equal(((uint8_t *)hw_phys_to_virt(f.a))[0], 0x01);
}

struct ev_log {
	unsigned int freed, unalloc, access, walk_freed;
	struct hw_event last_freed;
};

static void ev_hook(const struct hw_event *ev, void *arg)
{
	struct ev_log *l = arg;

	switch (ev->kind) {
	case HW_EV_DMA_FREED:
		l->freed++;
		l->last_freed = *ev;
		break;
	case HW_EV_DMA_UNALLOCATED:
		l->unalloc++;
		break;
	case HW_EV_DMA_ACCESS:
		l->access++;
		break;
	case HW_EV_WALK_FREED:
		l->walk_freed++;
		break;
	default:
		break;
	}
}

static void test_dma_to_freed_and_unallocated_memory(void **state)
{
	static struct ev_log log;	/* static: outlives a failed assertion */
	struct legacy_fix f;
	struct hw_dma_result res;
	uint8_t buf[4] = { 1, 2, 3, 4 };

	(void)state;
	memset(&log, 0, sizeof(log));
	legacy_setup(&f, HW_PERM_RW);
	hw_set_event_hook(ev_hook, &log);
	assert_int_equal(hw_dma(f.d, 0, IOVA, buf, 4, HW_DMA_WRITE, &res), HW_DMA_OK);
	assert_int_equal(log.access, 1);
	assert_int_equal(log.freed, 0);

	/* the page is freed while still mapped: DMA still lands, as an event */
	hw_mem_free(f.a, 0);
	assert_int_equal(hw_dma(f.d, 0, IOVA + 8, buf, 4, HW_DMA_WRITE, &res), HW_DMA_OK);
	assert_int_equal(res.freed_pages, 1);
	assert_int_equal(log.freed, 1);
	assert_int_equal(log.last_freed.pa, f.a + 8);
	assert_int_equal(log.last_freed.iova, IOVA + 8);
	assert_int_equal(log.last_freed.sid, hw_pci_sid(f.d));
	assert_int_equal(log.last_freed.iommu_base, UA);
	assert_true(log.last_freed.write);
	assert_int_equal(log.last_freed.state, HW_PAGE_POISONED);
	assert_int_equal(hw_event_count(HW_EV_DMA_FREED), 1);
	assert_int_equal(hw_event_log_get(hw_event_log_len() - 1)->kind, HW_EV_DMA_FREED);

	/* RAM never allocated, and not RAM at all: reads see all-ones */
	assert_int_equal(hw_pt_map(&f.root, 4, HW_PT_SECOND, 0x2000, HW_MEM_BASE + (500ULL << 12),
				   HW_SIZE_4K, HW_PERM_RW), 0);
	assert_int_equal(hw_pt_map(&f.root, 4, HW_PT_SECOND, 0x3000, 0x5000, HW_SIZE_4K,
				   HW_PERM_RW), 0);
	assert_int_equal(hwt_read_byte(f.d, 0, 0x2000), 0xff);
	assert_int_equal(hwt_read_byte(f.d, 0, 0x3000), 0xff);
	assert_int_equal(log.unalloc, 2);
	assert_int_equal(hw_event_count(HW_EV_DMA_UNALLOCATED), 2);
	hw_set_event_hook(NULL, NULL);
}

static void test_walk_through_freed_table(void **state)
{
	static struct ev_log log;
	struct legacy_fix f;
	uint64_t l1;

	(void)state;
	memset(&log, 0, sizeof(log));
	legacy_setup(&f, HW_PERM_RW);
	hw_set_event_hook(ev_hook, &log);
	l1 = hw_pt_entry_phys(f.root, 4, HW_PT_SECOND, IOVA, 1) & HW_PAGE_MASK;
	hw_mem_free(l1, 0);			/* the leaf table is freed, still linked */
	assert_int_equal(log.walk_freed, 0);
	hwt_read_byte(f.d, 0, IOVA);		/* garbage translation from poison */
	assert_int_equal(log.walk_freed, 1);
	assert_int_equal(hw_event_count(HW_EV_WALK_FREED), 1);
	/* the oracle's probe sees the same tables and logs nothing */
	{
		struct hw_xlate x;

		hw_iommu_probe(f.d, 0, 0x4000, HW_DMA_READ, &x);
		assert_int_equal(hw_event_count(HW_EV_WALK_FREED), 1);
	}
	hw_set_event_hook(NULL, NULL);
}

static void test_transfer_faults_midway(void **state)
{
	struct legacy_fix f;
	struct hw_dma_result res;
	uint64_t c = hwt_page(0xcc);
	uint8_t buf[0x2000];
	uint8_t *a, *cv;

	(void)state;
	legacy_setup(&f, HW_PERM_RW);
	assert_int_equal(hw_pt_map(&f.root, 4, HW_PT_SECOND, 0x2000, c, HW_SIZE_4K, HW_PERM_RW), 0);
	memset(buf, 0x5e, sizeof(buf));
	assert_int_equal(hw_dma(f.d, 0, 0x1800, buf, sizeof(buf), HW_DMA_WRITE, &res),
			 HW_DMA_FAULT);
	assert_int_equal(res.done, 0x1800);
	assert_int_equal(res.fault_iova, 0x3000);
	assert_int_equal(res.reason, HW_FAULT_PTE_NOT_PRESENT);
	a = hw_phys_to_virt(f.a);
	cv = hw_phys_to_virt(c);
	assert_int_equal(a[0x7ff], 0xaa);
	assert_int_equal(a[0x800], 0x5e);
	assert_int_equal(a[0xfff], 0x5e);
	assert_int_equal(cv[0], 0x5e);
	assert_int_equal(cv[0xfff], 0x5e);
	assert_int_equal(hw_dma(f.d, 0, UINT64_MAX - 2, buf, 8, HW_DMA_READ, &res),
			 HW_DMA_BAD_REQUEST);
}

struct keep_all_but {
	uint64_t drop[4];
	unsigned int n;
};

static bool keep_all_but(uint64_t pfn, void *arg)
{
	struct keep_all_but *k = arg;
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if (k->drop[i] == pfn)
			return false;
	return true;
}

static void test_kexec_keeps_dma_running(void **state)
{
	struct keep_all_but k = { .n = 0 };
	struct legacy_fix f;
	uint64_t c = hwt_page(0xcc), l1;
	uint8_t w[4] = { 'l', 'u', 'o', '!' }, r[4] = { 0 };

	(void)state;
	legacy_setup(&f, HW_PERM_RW);
	assert_int_equal(hw_pt_map(&f.root, 4, HW_PT_SECOND, 0x200000, c, HW_SIZE_4K,
				   HW_PERM_RW), 0);
	assert_int_equal(hw_dma(f.d, 0, IOVA, w, 4, HW_DMA_WRITE, NULL), HW_DMA_OK);
	assert_int_equal(hwt_read_byte(f.d, 0, 0x200000), 0xcc);

	/* kexec: tables and page A preserved, page C not */
	k.drop[k.n++] = c >> HW_PAGE_SHIFT;
	hw_machine_kexec(keep_all_but, &k);
	assert_true(hw_iommu_translation_enabled(f.u));
	/* the bytes written before kexec read back after it, by DMA and by the CPU */
	assert_int_equal(hw_dma(f.d, 0, IOVA, r, 4, HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(r, w, 4);
	assert_memory_equal(hw_phys_to_virt(f.a), w, 4);
	/* ... also through a fresh walk of the preserved tables */
	hw_inv_cc_global(f.u);
	hw_inv_iotlb_global(f.u);
	memset(r, 0, sizeof(r));
	assert_int_equal(hw_dma(f.d, 0, IOVA, r, 4, HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(r, w, 4);
	/* DMA to the page that was not preserved */
	hwt_read_byte(f.d, 0, 0x200000);
	assert_int_equal(hw_event_count(HW_EV_DMA_FREED), 1);

	/* a second kexec that does not keep a page table: the walk reads poison */
	l1 = hw_pt_entry_phys(f.root, 4, HW_PT_SECOND, IOVA, 1) & HW_PAGE_MASK;
	k.drop[k.n++] = l1 >> HW_PAGE_SHIFT;
	hw_machine_kexec(keep_all_but, &k);
	hwt_read_byte(f.d, 0, IOVA);			/* still cached: no walk */
	assert_int_equal(hw_event_count(HW_EV_WALK_FREED), 0);
	hw_inv_iotlb_global(f.u);
	hwt_read_byte(f.d, 0, IOVA);
	assert_int_equal(hw_event_count(HW_EV_WALK_FREED), 1);
	assert_int_equal(hw_event_count(HW_EV_KEXEC), 2);
}

static void test_hotplug_and_reset_leave_nothing(void **state)
{
	struct hw_iommu *u2;
	struct hw_pci_dev *d2;
	struct sm_fix f;
	struct hw_mem_stats st;
	uint64_t objs;

	(void)state;
	sm_setup(&f, true, true);
	hw_pci_enable_ats(f.d, true);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);
	assert_int_equal(hwt_read_byte(f.d, 2, IOVA), 0xaa);

	/* hot-add a second unit and a device behind it at run time */
	u2 = hwt_unit(0xfed91000, 0, false);
	d2 = hwt_dev(u2, 7, 0x00, 0, false, 0);
	assert_int_equal(hw_build_root(u2, HW_TTM_SCALABLE, NULL), 0);
	assert_int_equal(hw_build_sm_ctx(u2, 7, 0x00, 0, false, false, false, NULL), 0);
	{
		struct hw_pasid_entry pe = { .pgtt = HW_PGTT_SECOND, .did = 1, .aw = HW_AW_48,
					     .slptr = f.sl2 };

		assert_int_equal(hw_build_pasid(u2, 7, 0x00, 0, &pe), 0);
	}
	hw_iommu_set_translation(u2, true);
	assert_int_equal(hwt_read_byte(d2, 0, IOVA), 0xbb);
	objs = hw_host_objects();

	/* hot-remove it again: its caches go with it */
	assert_int_equal(hw_iommu_remove(u2), -EBUSY);
	assert_int_equal(hw_pci_remove(d2), 0);
	assert_int_equal(hw_iommu_remove(u2), 0);
	assert_true(hw_host_objects() < objs);
	assert_int_equal(hwt_read_byte(f.d, 0, IOVA), 0xaa);	/* the rest keeps working */

	hw_machine_reset();
	hw_mem_get_stats(&st);
	assert_int_equal(st.allocated_pages, 0);
	assert_int_equal(hw_host_objects(), 0);
	assert_int_equal(hw_iommu_count(), 0);
	assert_int_equal(hw_pci_count(), 0);
	assert_int_equal(hw_fault_count(), 0);
	assert_int_equal(hw_event_count(HW_EV_DMA_ACCESS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_iotlb_stale_until_invalidation),
		lusim_unit_test(test_iotlb_large_page_overlap),
		lusim_unit_test(test_first_stage_needs_pasid_based_invalidation),
		lusim_unit_test(test_pasid_cache_stale),
		lusim_unit_test(test_context_cache_stale),
		lusim_unit_test(test_device_tlb_stale_until_ats_invalidation),
		lusim_unit_test(test_device_tlb_needs_context_permission),
		lusim_unit_test(test_nested_translation),
		lusim_unit_test(test_nested_permissions_combine),
		lusim_unit_test(test_bus_master_off_drops),
		lusim_unit_test(test_dma_to_freed_and_unallocated_memory),
		lusim_unit_test(test_walk_through_freed_table),
		lusim_unit_test(test_transfer_faults_midway),
		lusim_unit_test(test_kexec_keeps_dma_running),
		lusim_unit_test(test_hotplug_and_reset_leave_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
