// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory the next kernel will need (kernel-model.md section 6 items 5, 16,
 * 17; reviewer-bugs.md section 4 item 2): every page reachable from a
 * preserved page table (the table pages, and the data pages its leaves
 * map), and every page of the serialized records themselves, is in KHO's
 * preserved set. A page outside it is dropped by the machine at kexec,
 * so the next kernel would walk, or a device would DMA into, freed memory.
 */
#include <stdio.h>

#include <hw/hw.h>
#include <linux/kexec_handover.h>
#include <lusim/check-model.h>

#include "check_internal.h"

#define LU_MEM_WHEN	(LUSIM_CHECK_OP_END | LUSIM_CHECK_BEFORE_FREEZE | \
			 LUSIM_CHECK_AFTER_FREEZE)

/* KHO (kshim_mm) is optional in a binary that links sim/check. */
#pragma weak lusim_kho_pfn_preserved

static struct lusim_check inv_pt_page_unpreserved, inv_dma_page_unpreserved;

static bool preserved(uint64_t phys)
{
	/* without KHO there is no FLB to read: never reached */
	return !lusim_kho_pfn_preserved ||
	       lusim_kho_pfn_preserved((unsigned long)(phys >> 12));
}

struct mem_walk {
	const struct lusim_lu_dom_rec *dom;
	unsigned int reported;
};

static int pt_table(uint64_t phys, unsigned int level, void *arg)
{
	struct mem_walk *w = arg;

	if (preserved(phys))
		return 0;
	lusim_report(inv_pt_page_unpreserved.id, "iommu_domain_ser", NULL,
		     "level-%u table page %#llx of preserved domain record #%u (top %#llx) is not KHO-preserved",
		     level, (unsigned long long)phys, w->dom->idx,
		     (unsigned long long)w->dom->top_table);
	return ++w->reported >= 4;
}

/*
 * What the hardware walks for a preserved device's requests (its
 * translation goes on through the kexec): root table, context table,
 * PASID directory and the RID's PASID table.
 */
static void hw_tables(const struct lusim_lu_dev_rec *d)
{
	static const char *const what[] = {
		"root table", "context table", "PASID directory", "PASID table",
	};
	struct lusim_lu_hw_tables t;
	uint64_t pages[4];
	unsigned int i;

	if (!lusim_check_lu_hw_tables(d->pci_domain, (d->devid >> 8) & 0xff,
				      d->devid & 0xff, &t))
		return;
	pages[0] = t.root;
	pages[1] = t.context;
	pages[2] = t.pasid_dir;
	pages[3] = t.pasid_table;
	for (i = 0; i < 4; i++) {
		if (!pages[i] || preserved(pages[i]))
			continue;
		lusim_report(inv_pt_page_unpreserved.id, "device_ser", NULL,
			     "%s %#llx the hardware walks for preserved device %04x:%02x:%02x.%u is not KHO-preserved",
			     what[i], (unsigned long long)pages[i],
			     d->pci_domain, (d->devid >> 8) & 0xff,
			     (d->devid >> 3) & 0x1f, d->devid & 7);
	}
}

static void pt_page_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;
	unsigned int i;

	(void)ctx;
	if (lusim_check_lu_read(&v))
		return;
	for (i = 0; i < v.nr_pages; i++)
		if (!preserved(v.pages[i]))
			lusim_report(inv_pt_page_unpreserved.id,
				     "iommu_lu_flb_ser", NULL,
				     "page %#llx of the serialized IOMMU records is not KHO-preserved",
				     (unsigned long long)v.pages[i]);
	for (i = 0; i < v.nr_units; i++)
		if (v.units[i].root_table && !preserved(v.units[i].root_table))
			lusim_report(inv_pt_page_unpreserved.id, "iommu_ser",
				     NULL,
				     "root table %#llx of preserved IOMMU unit record #%u is not KHO-preserved",
				     (unsigned long long)v.units[i].root_table,
				     v.units[i].idx);
	for (i = 0; i < v.nr_devs; i++)
		if (v.devs[i].pasid_table && !preserved(v.devs[i].pasid_table))
			lusim_report(inv_pt_page_unpreserved.id, "device_ser",
				     NULL,
				     "PASID directory %#llx of preserved device record #%u is not KHO-preserved",
				     (unsigned long long)v.devs[i].pasid_table,
				     v.devs[i].idx);
	for (i = 0; i < v.nr_devs; i++)
		hw_tables(&v.devs[i]);
	for (i = 0; i < v.nr_doms; i++) {
		struct mem_walk w = { &v.doms[i], 0 };

		lusim_check_lu_walk(v.doms[i].top_table, v.doms[i].top_level,
				    pt_table, NULL, &w);
	}
	lusim_check_lu_release(&v);
}

static int dma_leaf(uint64_t iova, uint64_t pa, uint64_t size, void *arg)
{
	struct mem_walk *w = arg;
	uint64_t off;

	for (off = 0; off < size; off += 4096) {
		if (preserved(pa + off))
			continue;
		lusim_report(inv_dma_page_unpreserved.id, "iommu_domain_ser",
			     NULL,
			     "preserved domain record #%u maps iova %#llx to page %#llx, which is not KHO-preserved",
			     w->dom->idx, (unsigned long long)(iova + off),
			     (unsigned long long)(pa + off));
		return ++w->reported >= 4;
	}
	return 0;
}

static void dma_page_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;
	unsigned int i;

	(void)ctx;
	if (lusim_check_lu_read(&v))
		return;
	for (i = 0; i < v.nr_doms; i++) {
		struct mem_walk w = { &v.doms[i], 0 };

		lusim_check_lu_walk(v.doms[i].top_table, v.doms[i].top_level,
				    NULL, dma_leaf, &w);
	}
	lusim_check_lu_release(&v);
}

static struct lusim_check inv_pt_page_unpreserved = {
	.id = "INV-PT-PAGE-UNPRESERVED",
	.area = "memory",
	.desc = "every table page of a preserved domain, unit root and PASID directory, and every record page, is KHO-preserved",
	.when = LU_MEM_WHEN,
	.run = pt_page_run,
};
LUSIM_CHECK_REGISTER(inv_pt_page_unpreserved)

static struct lusim_check inv_dma_page_unpreserved = {
	.id = "INV-DMA-PAGE-UNPRESERVED",
	.area = "memory",
	.desc = "every page a preserved domain maps is KHO-preserved",
	.when = LU_MEM_WHEN,
	.run = dma_page_run,
};
LUSIM_CHECK_REGISTER(inv_dma_page_unpreserved)
