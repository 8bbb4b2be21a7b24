/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim/check's read-only view of the live-update state the model hands to
 * the next kernel: the IOMMU FLB's serialized records (the "iommu-v1" ABI
 * of <linux/kho/abi/iommu.h>), read from simulated memory with the
 * oracle's quiet reads (hw_mem_peek: no events, no journal), and the
 * frozen-state snapshot the kexec oracles compare after boot.
 *
 * Not kernel API. Everything here is host memory; no slab, no locks
 * beyond what lusim_iommu_lu_outgoing_flb_phys() takes.  The model is
 * reached through a weak reference: a binary without the kernel model
 * sees no records (lusim_check_lu_read() returns -ENOENT).
 */
#ifndef _LUSIM_CHECK_MODEL_H
#define _LUSIM_CHECK_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* One live (not deleted) serialized object, as the next kernel will see it. */
struct lusim_lu_dev_rec {
	uint32_t idx;		/* slot index among the devices */
	uint64_t phys;		/* of the struct device_ser */
	uint64_t token;
	uint32_t devid;		/* PCI_DEVID(bus, devfn) */
	uint32_t pci_domain;
	uint32_t did;
	uint64_t domain_phys, iommu_phys;
	uint64_t pasid_table;
};

struct lusim_lu_dom_rec {
	uint32_t idx;
	uint64_t phys;		/* of the struct iommu_domain_ser */
	uint64_t top_table;
	uint64_t top_level;
};

struct lusim_lu_unit_rec {
	uint32_t idx;
	uint64_t phys;		/* of the struct iommu_ser */
	uint32_t ref_count;
	uint64_t token;
	uint64_t root_table;
};

struct lusim_lu_view {
	uint64_t flb_phys;	/* the iommu_lu_flb_ser, 0: no FLB object */
	unsigned int nr_devs, nr_doms, nr_units;
	struct lusim_lu_dev_rec *devs;
	struct lusim_lu_dom_rec *doms;
	struct lusim_lu_unit_rec *units;
	unsigned int nr_pages;	/* the ser pages: flb ser + chain pages */
	uint64_t *pages;
	bool malformed;		/* a chain ran past its bounds (walk stopped) */
	bool shared;		/* the pass's cached read: release frees nothing */
};

/*
 * Read the outgoing IOMMU FLB's records into @v (host memory; free with
 * lusim_check_lu_release()). 0, or -ENOENT when there is no FLB object
 * (nothing read, @v empty). Within a checking pass the records are read
 * once and every caller shares that read (@v->shared: read-only).
 */
int lusim_check_lu_read(struct lusim_lu_view *v);
void lusim_check_lu_release(struct lusim_lu_view *v);

/* Lookups in a view (NULL if absent). */
const struct lusim_lu_dom_rec *lusim_check_lu_dom(const struct lusim_lu_view *v,
						  uint64_t phys);
const struct lusim_lu_unit_rec *lusim_check_lu_unit(const struct lusim_lu_view *v,
						    uint64_t phys);

/*
 * Walk a VT-d page table (either stage: an entry is present when bit 0 or
 * bit 1 is set, a leaf at level 1 or with PS, bit 7) of @levels levels from
 * @top with quiet reads. @table is called for every table page (level
 * @levels down to 1), @leaf for every leaf; a nonzero return stops the walk
 * and is returned. Either may be NULL. Bounded: at most
 * LUSIM_LU_WALK_MAX_TABLES table pages.
 */
#define LUSIM_LU_WALK_MAX_TABLES	65536u
int lusim_check_lu_walk(uint64_t top, unsigned int levels,
			int (*table)(uint64_t phys, unsigned int level, void *arg),
			int (*leaf)(uint64_t iova, uint64_t pa, uint64_t size,
				    void *arg),
			void *arg);

/*
 * The translation structures the hardware walks for requests without PASID
 * from the PCI function @seg:@bus:@devfn, read from the unit's registers
 * and memory (quiet reads): the root table, the context table holding the
 * function's entry, and in scalable mode its PASID directory and the PASID
 * table holding the RID's entry; 0 for what is absent (translation off, no
 * present entry, legacy mode for the last two). *@pdir_entries gets the
 * directory's size. Returns false when there is no such device or unit.
 */
struct lusim_lu_hw_tables {
	uint64_t root, context, pasid_dir, pasid_table;
	unsigned int pasid_dir_entries;
	/*
	 * The RID's translation: present, the page table it starts from
	 * (first stage in scalable FIRST/NESTED, else second stage; 0 for
	 * pass-through) and its domain id.
	 */
	bool rid_present;
	uint64_t rid_table;
	uint32_t rid_did;
};
bool lusim_check_lu_hw_tables(uint16_t seg, uint8_t bus, uint8_t devfn,
			      struct lusim_lu_hw_tables *t);

/*
 * Does the IOMMU group of PCI function @seg:@bus:@devfn of the running
 * kernel have a DMA owner (iommu_group_dma_owner_claimed())? 1 or 0;
 * -ENOENT without such a device, group, or kernel model.
 */
int lusim_check_lu_group_owned(uint16_t seg, uint8_t bus, uint8_t devfn);

/*
 * From the kexec's after-freeze stage on (LUO serialized its sessions, KHO
 * finalized): the file of session @session with LUO token @token, as LUO
 * hands it over: *@data is the handler's data (the phys of its record),
 * *@file_ser the phys of its struct luo_file_ser. 0 or -ENOENT.
 */
int lusim_check_lu_luo_file(const char *session, uint64_t token,
			    uint64_t *data, uint64_t *file_ser);

#endif /* _LUSIM_CHECK_MODEL_H */
