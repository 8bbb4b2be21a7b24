// SPDX-License-Identifier: GPL-2.0-only
/*
 * Builders: write root, context and PASID structures into simulated memory
 * the way a driver would, for tests, benchmarks and scenarios.  The kernel
 * model does not use these; it writes its own entries.
 */
#include <errno.h>

#include "hw_internal.h"

static uint64_t *entry(uint64_t phys)
{
	if (hw_mem_state(phys) != HW_PAGE_ALLOCATED)
		return NULL;
	return (uint64_t *)hw_phys_to_virt(phys);
}

int hw_build_root(struct hw_iommu *u, enum hw_ttm mode, uint64_t *rootp)
{
	uint64_t root = hw_mem_alloc(0, HW_MEM_ZERO);
	int ret;

	if (root == HW_PHYS_NONE)
		return -ENOMEM;
	ret = hw_iommu_set_root_table(u, root, mode);
	if (ret) {
		hw_mem_free(root, 0);
		return ret;
	}
	if (rootp)
		*rootp = root;
	return 0;
}

/* The context table slot for bus/devfn, allocating the table if @alloc. */
static uint64_t ctx_phys(struct hw_iommu *u, uint8_t bus, uint8_t devfn, bool alloc)
{
	enum hw_ttm mode;
	uint64_t root = hw_iommu_root_table(u, &mode), *re;
	unsigned int half = mode == HW_TTM_SCALABLE && devfn >= 128;

	if (root == HW_PHYS_NONE)
		return HW_PHYS_NONE;
	re = entry(root + 16 * bus + 8 * half);
	if (!re)
		return HW_PHYS_NONE;
	if (!(*re & HW_ROOT_P)) {
		uint64_t t;

		if (!alloc)
			return HW_PHYS_NONE;
		t = hw_mem_alloc(0, HW_MEM_ZERO);
		if (t == HW_PHYS_NONE)
			return HW_PHYS_NONE;
		*re = t | HW_ROOT_P;
	}
	if (mode == HW_TTM_SCALABLE)
		return (*re & HW_ROOT_CTP_MASK) + 32 * (devfn & 0x7f);
	return (*re & HW_ROOT_CTP_MASK) + 16 * devfn;
}

uint64_t hw_build_ctx_phys(struct hw_iommu *u, uint8_t bus, uint8_t devfn)
{
	return ctx_phys(u, bus, devfn, false);
}

int hw_build_legacy_ctx(struct hw_iommu *u, uint8_t bus, uint8_t devfn,
			uint16_t did, uint64_t slptr, unsigned int aw,
			unsigned int tt, bool fpd)
{
	uint64_t p = ctx_phys(u, bus, devfn, true), *ce;

	if (u->ttm != HW_TTM_LEGACY || p == HW_PHYS_NONE || !(ce = entry(p)))
		return -EINVAL;
	ce[1] = (aw & HW_CTX_AW_MASK) | ((uint64_t)did << HW_CTX_DID_SHIFT);
	ce[0] = (slptr & HW_CTX_SLPTPTR_MASK) | ((uint64_t)(tt & 3) << HW_CTX_TT_SHIFT) |
		(fpd ? HW_CTX_FPD : 0) | HW_CTX_P;
	return 0;
}

int hw_build_sm_ctx(struct hw_iommu *u, uint8_t bus, uint8_t devfn,
		    unsigned int pdts, bool paside, bool dte, bool fpd,
		    uint64_t *pdirp)
{
	uint64_t p = ctx_phys(u, bus, devfn, true), *ce, pdir;
	unsigned int order = pdts + 7 + 3 > HW_PAGE_SHIFT ? pdts + 7 + 3 - HW_PAGE_SHIFT : 0;

	if (u->ttm != HW_TTM_SCALABLE || pdts > 7 || p == HW_PHYS_NONE || !(ce = entry(p)))
		return -EINVAL;
	pdir = hw_mem_alloc(order, HW_MEM_ZERO);
	if (pdir == HW_PHYS_NONE)
		return -ENOMEM;
	ce[1] = 0;	/* RID_PASID 0 */
	ce[2] = ce[3] = 0;
	ce[0] = pdir | ((uint64_t)pdts << HW_SMCTX_PDTS_SHIFT) |
		(paside ? HW_SMCTX_PASIDE : 0) | (dte ? HW_SMCTX_DTE : 0) |
		(fpd ? HW_SMCTX_FPD : 0) | HW_SMCTX_P;
	if (pdirp)
		*pdirp = pdir;
	return 0;
}

int hw_build_pasid(struct hw_iommu *u, uint8_t bus, uint8_t devfn,
		   uint32_t pasid, const struct hw_pasid_entry *pe)
{
	uint64_t p = ctx_phys(u, bus, devfn, false), *ce, *de, *te;
	unsigned int i;

	if (u->ttm != HW_TTM_SCALABLE || p == HW_PHYS_NONE || !(ce = entry(p)) ||
	    !(ce[0] & HW_SMCTX_P))
		return -EINVAL;
	if ((pasid >> HW_PASID_PDE_SHIFT) >=
	    (1u << (((ce[0] & HW_SMCTX_PDTS_MASK) >> HW_SMCTX_PDTS_SHIFT) + 7)))
		return -EINVAL;
	de = entry((ce[0] & HW_SMCTX_PDTP_MASK) + 8 * (pasid >> HW_PASID_PDE_SHIFT));
	if (!de)
		return -EINVAL;
	if (!(*de & HW_PDE_P)) {
		uint64_t t;

		if (!pe)
			return 0;
		t = hw_mem_alloc(0, HW_MEM_ZERO);
		if (t == HW_PHYS_NONE)
			return -ENOMEM;
		*de = t | HW_PDE_P;
	}
	te = entry((*de & HW_PDE_PTP_MASK) + 64 * (pasid & 63));
	if (!te)
		return -EINVAL;
	for (i = 0; i < 8; i++)
		te[i] = 0;
	if (!pe)
		return 0;
	te[1] = pe->did;
	te[2] = pe->flptr & HW_PTE2_FLPTPTR_MASK;
	te[0] = (pe->slptr & HW_PTE0_SLPTPTR_MASK) |
		((uint64_t)pe->pgtt << HW_PTE0_PGTT_SHIFT) |
		((uint64_t)(pe->aw & 7) << HW_PTE0_AW_SHIFT) |
		(pe->fpd ? HW_PTE0_FPD : 0) | HW_PTE0_P;
	return 0;
}
