/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim/hw private definitions: object layouts, the cache hash table, and the
 * calls between the machine's files.  Nothing outside sim/hw includes this.
 */
#ifndef _LUSIM_HW_INTERNAL_H
#define _LUSIM_HW_INTERNAL_H

#include <linux/kernel.h>
#include <linux/list.h>

#include "hw.h"

/* ---- host memory with accounting (hw_host_objects) ---- */
void *hw__zalloc(size_t size);
void hw__free(void *p);

/* ---- hash table keyed by two u64, with an insertion-ordered list ---- */
struct hw_hnode {
	struct hw_hnode *hnext;
	struct list_head all;
	uint64_t k0, k1;
};

struct hw_htab {
	struct hw_hnode **b;
	unsigned int nbits;
	unsigned int count;
	struct list_head all;
};

void hw__htab_init(struct hw_htab *t);
struct hw_hnode *hw__htab_find(const struct hw_htab *t, uint64_t k0, uint64_t k1);
void hw__htab_insert(struct hw_htab *t, struct hw_hnode *n);
/* Unlink and hw__free() the node (every cache node is a standalone allocation). */
void hw__htab_del(struct hw_htab *t, struct hw_hnode *n);
void hw__htab_destroy(struct hw_htab *t);

/* ---- caches ---- */
struct hw_cc_entry {			/* context cache, key (sid, 0) */
	struct hw_hnode h;
	enum hw_ttm mode;
	bool fpd;
	uint16_t did;			/* legacy */
	uint8_t tt;			/* legacy */
	uint8_t levels;			/* legacy */
	uint64_t slptr;			/* legacy */
	bool dte, paside;		/* scalable */
	uint64_t pdtp;			/* scalable */
	uint32_t pdir_entries;		/* scalable */
};

struct hw_pc_entry {			/* PASID cache, key (sid, pasid) */
	struct hw_hnode h;
	bool fpd;
	uint16_t did;
	uint8_t pgtt;
	uint8_t sl_levels;
	uint64_t slptr, flptr;
};

struct hw_tlb_entry {			/* IOTLB and device-TLB */
	struct hw_hnode h;
	uint16_t did;			/* IOTLB only */
	uint32_t pasid;
	uint8_t size_idx;		/* 0: 4K, 1: 2M, 2: 1G */
	uint8_t kind;			/* enum hw_xlate_kind */
	uint8_t perm;
	uint64_t iova;			/* aligned to size */
	uint64_t pa;			/* aligned to size */
};

static inline uint64_t hw__size_of_idx(unsigned int idx)
{
	return 1ULL << (HW_PAGE_SHIFT + 9 * idx);
}

static inline uint64_t hw__tlb_k0(uint16_t did, uint32_t pasid, unsigned int idx)
{
	return ((uint64_t)did << 32) | ((uint64_t)idx << 28) | pasid;
}

static inline uint64_t hw__tlb_k1(uint64_t iova, unsigned int idx)
{
	return iova >> (HW_PAGE_SHIFT + 9 * idx);
}

/* Lookup in an IOTLB (did, pasid) or device-TLB (did 0): any size. */
struct hw_tlb_entry *hw__tlb_lookup(struct hw_htab *t, uint16_t did,
				    uint32_t pasid, uint64_t iova);
void hw__tlb_fill(struct hw_htab *t, uint16_t did, uint32_t pasid,
		  uint64_t iova, const struct hw_xlate *x);

/* ---- objects ---- */
struct hw_iommu {
	unsigned int id;
	struct hw_iommu_cfg cfg;
	struct hw_iommu_caps caps;
	uint64_t rta;
	enum hw_ttm ttm;
	bool rta_valid;
	bool te;
	uint64_t *did_map;		/* ndoms bits, allocated on first use */
	unsigned int did_count;
	unsigned int ndevs;
	struct hw_htab cc, pc, iotlb;
	struct hw_iommu_stats st;
};

struct hw_pci_dev {
	unsigned int id;
	struct hw_pci_cfg cfg;
	struct hw_iommu *unit;
	uint32_t group;
	bool bus_master;
	bool ats_enabled;
	struct hw_htab devtlb;
};

/* Device on @unit with @sid, or NULL. */
struct hw_pci_dev *hw__pci_find_sid(const struct hw_iommu *unit, uint16_t sid);
void hw__devtlb_invalidate(struct hw_pci_dev *dev, uint32_t pasid,
			   uint64_t start, uint64_t last, uint64_t *dropped);

/* ---- memory as the hardware and the CPU see it ---- */
enum hw_who {
	HW_WHO_DMA,
	HW_WHO_WALK,
	HW_WHO_CPU,
};

/*
 * The access context for events: set by the DMA engine around a request;
 * quiet (oracle probes) suppresses events.
 */
struct hw__ctx {
	const struct hw_iommu *unit;
	const struct hw_pci_dev *dev;
	uint32_t pasid;
	uint64_t iova;
	bool write;
	bool quiet;
};
extern struct hw__ctx hw__cur;

/*
 * Copy @len bytes (within one page) between @buf and @phys for @who.
 * Allocated and poisoned pages are read/written; other addresses read as
 * HW_FILL_UNBACKED and drop writes.  Logs the FREED/UNALLOCATED event for
 * @who unless quiet.  Returns the page state.
 */
enum hw_page_state hw__mem_access(uint64_t phys, void *buf, size_t len,
				  bool write, enum hw_who who, bool quiet);
void hw__mem_reset(void);

/* ---- logs ---- */
void hw__event(enum hw_event_kind kind, uint64_t pa, uint32_t len,
	       enum hw_page_state state, enum hw_fault_reason reason);
void hw__fault_record(const struct hw_xlate *x);
void hw__log_reset(void);

/* ---- page-table walker ---- */
struct hw__walk_env {
	bool quiet;
	uint64_t *reads;		/* entries read, or NULL */
	bool nested;			/* table pointers and output are GPAs ... */
	uint64_t s2_root;		/* ... translated through this second stage */
	unsigned int s2_levels;
};

/*
 * Walk one stage; with env->nested, every first-stage table pointer and
 * the output address go through the second stage.  On failure w->fault is
 * set and *stage says which stage faulted (1 or 2).
 */
int hw__pt_walk(const struct hw__walk_env *env, uint64_t root,
		unsigned int levels, enum hw_pt_format fmt, uint64_t iova,
		struct hw_pt_walk *w, unsigned int *stage);

/* ---- per-file reset ---- */
void hw__units_reset(void);
void hw__pci_reset(void);
void hw__units_kexec(void);
void hw__unit_free_caches(struct hw_iommu *unit);

#endif /* _LUSIM_HW_INTERNAL_H */
