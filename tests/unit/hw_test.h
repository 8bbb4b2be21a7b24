/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the sim/hw tests (test_hw_*.c) and bench_hw.c:
 * machine set-up in one line each.  Static inline, header only.
 */
#ifndef _LUSIM_HW_TEST_H
#define _LUSIM_HW_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hw/hw.h>

#define HWT_CHECK(expr)							\
	do {								\
		if (!(expr)) {						\
			fprintf(stderr, "%s:%d: %s failed\n",		\
				__FILE__, __LINE__, #expr);		\
			abort();					\
		}							\
	} while (0)

static inline struct hw_iommu *hwt_unit(uint64_t base, uint16_t segment, bool legacy)
{
	struct hw_iommu_cfg cfg = {
		.reg_base = base, .segment = segment, .legacy_only = legacy,
	};
	struct hw_iommu *u = NULL;

	HWT_CHECK(hw_iommu_add(&cfg, &u) == 0);
	return u;
}

/* A device with bus mastering on (the usual state while a driver runs). */
static inline struct hw_pci_dev *hwt_dev(struct hw_iommu *u, uint8_t bus, uint8_t devfn,
					 uint32_t max_pasids, bool ats, uint32_t group)
{
	struct hw_pci_cfg cfg = {
		.segment = hw_iommu_segment(u), .bus = bus, .devfn = devfn,
		.iommu_base = hw_iommu_base(u), .max_pasids = max_pasids,
		.ats = ats, .group_tag = group,
	};
	struct hw_pci_dev *d = NULL;

	HWT_CHECK(hw_pci_add(&cfg, &d) == 0);
	hw_pci_set_bus_master(d, true);
	return d;
}

/* A data page filled with @byte. */
static inline uint64_t hwt_page(int byte)
{
	uint64_t p = hw_mem_alloc(0, 0);

	HWT_CHECK(p != HW_PHYS_NONE);
	memset(hw_phys_to_virt(p), byte, HW_PAGE_SIZE);
	return p;
}

/* Overwrite one page-table entry through the CPU view (no invalidation). */
static inline void hwt_set_pte(uint64_t root, unsigned int levels, enum hw_pt_format fmt,
			       uint64_t iova, unsigned int level, uint64_t val)
{
	uint64_t e = hw_pt_entry_phys(root, levels, fmt, iova, level);

	HWT_CHECK(e != HW_PHYS_NONE);
	*(uint64_t *)hw_phys_to_virt(e) = val;
}

/* The first byte a device reads at iova (0 if the DMA did not complete). */
static inline int hwt_read_byte(struct hw_pci_dev *d, uint32_t pasid, uint64_t iova)
{
	uint8_t b = 0;

	if (hw_dma(d, pasid, iova, &b, 1, HW_DMA_READ, NULL) != HW_DMA_OK)
		return -1;
	return b;
}

#endif /* _LUSIM_HW_TEST_H */
