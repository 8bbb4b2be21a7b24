/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim/hw: the simulated machine.  One umbrella header for everything a
 * caller needs: physical memory, IOMMU units modelled on Intel VT-d, PCI
 * functions, the DMA engine, the machine's event and fault logs.
 *
 * Who calls what:
 *
 *  - The kernel model (the simulated VT-d driver, the page allocator, KHO)
 *    allocates pages (hw_mem_*), writes root/context/PASID/page-table bytes
 *    into them through the CPU view (hw_phys_to_virt), programs unit
 *    registers (hw_iommu_set_root_table, hw_iommu_set_translation), issues
 *    invalidation descriptors (hw_iommu_invalidate, hw_inv_*), uses the
 *    domain-id helper (hw_iommu_did_*), and flips device bits
 *    (hw_pci_set_bus_master, hw_pci_enable_ats).  It never touches the
 *    hardware's caches: those only change through invalidations and DMA.
 *  - The op layer / machine config (the "VMM" and scenarios) hot-adds and
 *    hot-removes units and devices (hw_iommu_add, hw_pci_add, ...), issues
 *    DMA (hw_dma) and reboots through kexec (hw_machine_kexec).
 *  - Tests and oracles read everything: table walks without side effects
 *    (hw_iommu_probe, hw_pt_walk, hw_pt_for_each_leaf), page states
 *    (hw_mem_state), quiet memory reads (hw_mem_peek), the event log and its
 *    hook (hw_set_event_hook), the fault log, cache and memory counters.
 *    hw_pt_map/hw_pt_unmap build page tables for tests and benchmarks; the
 *    kernel model must write its own.
 *
 * Everything the hardware reads (root, context, PASID directory and table
 * entries, page tables) lives in simulated pages as bytes, little-endian
 * 64-bit words, never in host pointers.  Entry layouts follow VT-d; see
 * the HW_* field macros below and docs/hw.md for the simplifications.
 *
 * Determinism: no time, no host addresses in any value, no threads.  All
 * state (configuration, memory, caches, logs) returns to the boot state in
 * hw_machine_reset(), which lusim_reset_all() runs (registered with
 * LUSIM_RESET_FN at LUSIM_RESET_PRIO_MODEL + 50) in O(what was used).
 *
 * Errors are negative errno values; pointers are returned through out
 * parameters.
 */
#ifndef _LUSIM_HW_H
#define _LUSIM_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ======================================================================
 * Physical memory
 * ====================================================================== */

#define HW_PAGE_SHIFT		12
#define HW_PAGE_SIZE		(1ULL << HW_PAGE_SHIFT)
#define HW_PAGE_MASK		(~(HW_PAGE_SIZE - 1))
#define HW_MEM_MAX_ORDER	10	/* largest block: 4 MiB, as MAX_PAGE_ORDER */

/*
 * Simulated RAM starts at 4 GiB, so an address truncated to 32 bits never
 * hits RAM, and phys 0 (HW_PHYS_NONE) is never a page.
 */
#define HW_MEM_BASE		0x100000000ULL
#define HW_MEM_BASE_PFN		(HW_MEM_BASE >> HW_PAGE_SHIFT)
#define HW_MEM_DEFAULT_PAGES	(1ULL << 20)	/* 4 GiB of RAM at boot */
#define HW_PHYS_NONE		0ULL

/* Fill bytes: deterministic, recognisable. */
#define HW_FILL_UNINIT		0xa5	/* a page allocated without HW_MEM_ZERO */
#define HW_FILL_POISON		0x6b	/* a freed page (the kernel's POISON_FREE) */
#define HW_FILL_UNBACKED	0xff	/* what reads of non-RAM return (master abort) */

/* hw_mem_alloc() flags */
#define HW_MEM_ZERO		0x1u

enum hw_page_state {
	HW_PAGE_FREE = 0,	/* RAM never allocated since boot */
	HW_PAGE_ALLOCATED,
	HW_PAGE_POISONED,	/* freed (or dropped by kexec): contents poisoned */
	HW_PAGE_NONE,		/* not RAM (below HW_MEM_BASE or above the limit) */
};

/*
 * Allocate 2^order contiguous, naturally aligned pages.  Returns the
 * physical address of the first, or HW_PHYS_NONE when simulated RAM is
 * exhausted or order > HW_MEM_MAX_ORDER.  Deterministic: a buddy allocator
 * with LIFO free lists over a bump pointer.  Contents: zero with
 * HW_MEM_ZERO, else HW_FILL_UNINIT bytes.
 */
uint64_t hw_mem_alloc(unsigned int order, unsigned int flags);

/*
 * Free a block exactly as allocated (head address and order).  The pages
 * are poisoned (HW_FILL_POISON) and become HW_PAGE_POISONED.  Misuse is a
 * finding and returns -EINVAL: HW-MEM-DOUBLE-FREE (the page is already
 * free) or HW-MEM-BAD-FREE (not RAM, not a block head, wrong order).
 */
int hw_mem_free(uint64_t phys, unsigned int order);

/*
 * CPU view.  hw_phys_to_virt() returns the host address of @phys (page
 * contents are host-contiguous across a block, and host pages are 4 KiB
 * aligned).  Valid for allocated pages.  For a poisoned page it logs
 * HW_EV_CPU_FREED and still returns the (poisoned) storage; for a page
 * that is not allocated RAM it logs HW_EV_CPU_UNALLOCATED and returns NULL.
 * hw_virt_to_phys() is the inverse (HW_PHYS_NONE for a foreign pointer).
 */
void *hw_phys_to_virt(uint64_t phys);
uint64_t hw_virt_to_phys(const void *virt);

/*
 * CPU reads/writes of any length (may cross pages), logged like
 * hw_phys_to_virt for freed or non-RAM pages (reads return the fill bytes
 * there, writes to non-RAM are dropped).  Return 0, or -EFAULT if any byte
 * was not allocated RAM.
 */
int hw_mem_read(uint64_t phys, void *buf, size_t len);
int hw_mem_write(uint64_t phys, const void *buf, size_t len);
/* The oracle's read: the same bytes, no events, never fails. */
void hw_mem_peek(uint64_t phys, void *buf, size_t len);

enum hw_page_state hw_mem_state(uint64_t phys);
/* The allocated block containing @phys: 0 and its head and order, or -ENOENT. */
int hw_mem_block(uint64_t phys, uint64_t *head, unsigned int *order);

/*
 * Iterate allocated blocks in allocation order; stop when @fn returns
 * nonzero (that value is returned).  @fn must not allocate or free.
 */
int hw_mem_for_each(int (*fn)(uint64_t pfn, unsigned int order, void *arg),
		    void *arg);

/*
 * kexec for memory: every allocated page for which @keep(pfn) is false is
 * poisoned and freed; kept pages stay allocated with their contents.  A
 * block kept only in part is split into order-0 blocks first.  Cost is
 * O(allocated pages).  Returns the number of pages dropped.
 */
uint64_t hw_mem_kexec(bool (*keep)(uint64_t pfn, void *arg), void *arg);

/* Size of simulated RAM in pages; only while nothing is allocated (-EBUSY). */
int hw_mem_set_limit(uint64_t pages);

struct hw_mem_stats {
	uint64_t allocated_pages;	/* now */
	uint64_t peak_pages;		/* since boot */
	uint64_t allocs, frees;		/* calls since boot */
	uint64_t kexec_kept, kexec_dropped;	/* pages, last hw_mem_kexec */
	uint64_t bump_pages;		/* RAM pages ever handed out since boot */
	uint64_t host_chunks;		/* 4 MiB host chunks backing RAM (a cache kept across resets) */
};
void hw_mem_get_stats(struct hw_mem_stats *st);

/* ======================================================================
 * Translation-structure layouts (VT-d, little-endian 64-bit words)
 * ====================================================================== */

/* Root entry, 128 bits, 256 per 4 KiB root table, indexed by bus. */
#define HW_ROOT_P		(1ULL << 0)	/* lo: present (scalable: lower present) */
#define HW_ROOT_CTP_MASK	0xfffffffffffff000ULL	/* lo: context table (scalable: devfn 0-127) */
/* scalable mode: hi holds the upper context table (devfn 128-255) with the same layout */

/* Legacy context entry, 128 bits, 256 per table, indexed by devfn. */
#define HW_CTX_P		(1ULL << 0)	/* lo */
#define HW_CTX_FPD		(1ULL << 1)	/* lo: fault processing disable */
#define HW_CTX_TT_SHIFT		2		/* lo bits 3:2: translation type */
#define HW_CTX_TT_MASK		(3ULL << 2)
#define HW_CTX_TT_UNTRANSLATED	0		/*   second stage, no device-TLB */
#define HW_CTX_TT_DEVTLB	1		/*   second stage, ATS allowed */
#define HW_CTX_TT_PASSTHROUGH	2
#define HW_CTX_SLPTPTR_MASK	0xfffffffffffff000ULL	/* lo */
#define HW_CTX_AW_MASK		0x7ULL		/* hi bits 2:0: 1 = 39-bit/3-level, 2 = 48-bit/4-level */
#define HW_CTX_DID_SHIFT	8		/* hi bits 23:8 */
#define HW_CTX_DID_MASK		(0xffffULL << 8)

/* Scalable-mode context entry, 256 bits, 128 per table (devfn & 0x7f). */
#define HW_SMCTX_P		(1ULL << 0)	/* qw0 */
#define HW_SMCTX_FPD		(1ULL << 1)
#define HW_SMCTX_DTE		(1ULL << 2)	/* device-TLB (ATS) enable */
#define HW_SMCTX_PASIDE		(1ULL << 3)	/* requests with PASID allowed */
#define HW_SMCTX_PDTS_SHIFT	9		/* bits 11:9: 2^(PDTS+7) directory entries */
#define HW_SMCTX_PDTS_MASK	(7ULL << 9)
#define HW_SMCTX_PDTP_MASK	0xfffffffffffff000ULL	/* PASID directory pointer */
/* qw1: RID_PASID, fixed at 0 here (IOMMU_NO_PASID); qw2, qw3 reserved */

/* PASID directory entry, 64 bits, indexed by pasid >> 6. */
#define HW_PDE_P		(1ULL << 0)
#define HW_PDE_FPD		(1ULL << 1)
#define HW_PDE_PTP_MASK		0xfffffffffffff000ULL	/* PASID table pointer */
#define HW_PASID_PDE_SHIFT	6	/* 64 PASID entries per 4 KiB table */

/* PASID table entry, 512 bits (8 qwords), indexed by pasid & 63. */
#define HW_PTE0_P		(1ULL << 0)	/* qw0 */
#define HW_PTE0_FPD		(1ULL << 1)
#define HW_PTE0_AW_SHIFT	2		/* bits 4:2, as the legacy AW */
#define HW_PTE0_AW_MASK		(7ULL << 2)
#define HW_PTE0_PGTT_SHIFT	6		/* bits 8:6 */
#define HW_PTE0_PGTT_MASK	(7ULL << 6)
#define HW_PTE0_SLPTPTR_MASK	0xfffffffffffff000ULL
#define HW_PTE1_DID_MASK	0xffffULL	/* qw1 bits 15:0 */
#define HW_PTE2_FLPM_SHIFT	2		/* qw2 bits 3:2: 0 = 4-level (5-level not modelled) */
#define HW_PTE2_FLPM_MASK	(3ULL << 2)
#define HW_PTE2_FLPTPTR_MASK	0xfffffffffffff000ULL

enum hw_pgtt {
	HW_PGTT_FIRST = 1,	/* first stage only */
	HW_PGTT_SECOND = 2,	/* second stage only */
	HW_PGTT_NESTED = 3,	/* first stage, its tables and output through second stage */
	HW_PGTT_PT = 4,		/* pass-through */
};

#define HW_AW_39		1	/* 3-level, 39-bit input */
#define HW_AW_48		2	/* 4-level, 48-bit input */

/*
 * Page-table entries, both stages: bit 0 R (first stage: P, which implies
 * read), bit 1 W, bit 7 PS (a 2 MiB leaf at level 2, 1 GiB at level 3),
 * address bits 51:12.  Second stage: present iff R or W.  First stage:
 * present iff P.  Effective permissions are the AND over all levels.
 */
#define HW_PTE_R		(1ULL << 0)
#define HW_PTE_W		(1ULL << 1)
#define HW_PTE_PS		(1ULL << 7)
#define HW_PTE_ADDR_MASK	0x000ffffffffff000ULL

#define HW_PERM_R		1u
#define HW_PERM_W		2u
#define HW_PERM_RW		3u

#define HW_SIZE_4K		(1ULL << 12)
#define HW_SIZE_2M		(1ULL << 21)
#define HW_SIZE_1G		(1ULL << 30)

/* ======================================================================
 * Page-table walks (the hardware walker, no side effects) and a builder
 * for tests and benchmarks.  Tables are addressed by physical address.
 * ====================================================================== */

enum hw_pt_format {
	HW_PT_SECOND,	/* second stage (R/W/X) */
	HW_PT_FIRST,	/* first stage (P, R/W) */
};

enum hw_fault_reason {
	HW_FAULT_NONE = 0,
	HW_FAULT_TRANSLATION_DISABLED,	/* request with PASID while TE=0 */
	HW_FAULT_ROOT_TABLE_INVALID,	/* TE=1 and no root table latched */
	HW_FAULT_ROOT_NOT_PRESENT,
	HW_FAULT_CTX_NOT_PRESENT,
	HW_FAULT_CTX_INVALID,		/* reserved TT/AW, DID >= ndoms, DTE/TT=1 without ATS */
	HW_FAULT_PASID_DISABLED,	/* request with PASID: legacy mode or PASIDE=0 */
	HW_FAULT_PASID_TOO_LARGE,	/* beyond the directory or the unit's PASID width */
	HW_FAULT_PASID_DIR_NOT_PRESENT,
	HW_FAULT_PASID_NOT_PRESENT,
	HW_FAULT_PASID_INVALID,		/* reserved PGTT/AW/FLPM, unsupported nesting, DID */
	HW_FAULT_ADDR_WIDTH,		/* input address beyond the table's width */
	HW_FAULT_PTE_NOT_PRESENT,
	HW_FAULT_PTE_RESERVED,		/* PS at level 4, misaligned large-page address */
	HW_FAULT_PERMISSION,
	HW_FAULT_NR
};
const char *hw_fault_reason_name(enum hw_fault_reason reason);

struct hw_pt_walk {
	enum hw_fault_reason fault;	/* HW_FAULT_NONE on success */
	unsigned int level;		/* level of the leaf, or of the faulting entry */
	uint64_t pa;			/* output address of iova */
	uint64_t size;			/* leaf size: 4 KiB, 2 MiB or 1 GiB */
	unsigned int perm;		/* HW_PERM_*, AND over the levels */
};

/*
 * Walk @levels (3 or 4) levels of @fmt tables from @root for @iova, as the
 * hardware would, without caches, events or faults logged.  Returns 0 or
 * -EFAULT (details in @w).  Does not check permissions.
 */
int hw_pt_walk(uint64_t root, unsigned int levels, enum hw_pt_format fmt,
	       uint64_t iova, struct hw_pt_walk *w);

/*
 * Every present leaf in iova order; stops when @fn returns nonzero.  Table
 * pages that are not allocated RAM are skipped (an oracle checks those).
 */
int hw_pt_for_each_leaf(uint64_t root, unsigned int levels,
			enum hw_pt_format fmt,
			int (*fn)(uint64_t iova, uint64_t pa, uint64_t size,
				  unsigned int perm, void *arg),
			void *arg);

/*
 * Builder (tests, benchmarks, scenarios; not the kernel model).  *@rootp ==
 * HW_PHYS_NONE allocates the root.  Intermediate tables are allocated
 * zeroed and get R|W.  -EEXIST if a leaf or table is already where the new
 * leaf goes, -EINVAL for bad alignment/size/levels, -ENOMEM.
 */
int hw_pt_map(uint64_t *rootp, unsigned int levels, enum hw_pt_format fmt,
	      uint64_t iova, uint64_t pa, uint64_t size, unsigned int perm);
/* Clear the leaf of exactly @size at @iova (-ENOENT); tables stay. */
int hw_pt_unmap(uint64_t root, unsigned int levels, enum hw_pt_format fmt,
		uint64_t iova, uint64_t size);
/* Physical address of the entry for @iova at @level, or HW_PHYS_NONE. */
uint64_t hw_pt_entry_phys(uint64_t root, unsigned int levels,
			  enum hw_pt_format fmt, uint64_t iova,
			  unsigned int level);
/* Free every table page (not the pages the leaves point at). */
void hw_pt_free(uint64_t root, unsigned int levels, enum hw_pt_format fmt);

/* ======================================================================
 * IOMMU units (VT-d remapping hardware units)
 * ====================================================================== */

struct hw_iommu;
struct hw_pci_dev;

struct hw_iommu_cfg {
	uint64_t reg_base;	/* register base: the unit's identity; unique, nonzero, 4 KiB aligned */
	uint16_t segment;	/* PCI segment the unit's scope covers */
	bool legacy_only;	/* no scalable mode (ECAP.SMTS=0): the driver uses legacy mode */
	bool no_nested;		/* ECAP.NEST=0 */
	bool no_ats;		/* ECAP.DT=0: device-TLBs cannot be used behind this unit */
	uint8_t pasid_bits;	/* ECAP.PSS+1; 0 means 20 */
	uint32_t ndoms;		/* number of domain ids (CAP.ND); 0 means 65536; power of two >= 16 */
	uint8_t sagaw;		/* supported second-stage widths: bit 1 39-bit, bit 2 48-bit; 0 means both */
};

struct hw_iommu_caps {
	bool scalable, nested, ats;
	unsigned int pasid_bits;
	uint32_t ndoms;
	uint8_t sagaw;
};

/* Hot-add: -EEXIST (same reg_base), -EINVAL (bad cfg), -ENOMEM. */
int hw_iommu_add(const struct hw_iommu_cfg *cfg, struct hw_iommu **unitp);
/* Hot-remove: -EBUSY while devices sit behind it.  Frees its caches. */
int hw_iommu_remove(struct hw_iommu *unit);
struct hw_iommu *hw_iommu_find(uint64_t reg_base);
unsigned int hw_iommu_count(void);
struct hw_iommu *hw_iommu_at(unsigned int i);	/* hot-add order */

uint64_t hw_iommu_base(const struct hw_iommu *unit);
uint16_t hw_iommu_segment(const struct hw_iommu *unit);
void hw_iommu_get_caps(const struct hw_iommu *unit, struct hw_iommu_caps *caps);

/* Registers.  Both survive kexec, as hardware does. */
enum hw_ttm {
	HW_TTM_LEGACY = 0,
	HW_TTM_SCALABLE = 1,
};
/*
 * RTADDR_REG write followed by GCMD.SRTP: latch a root table.  -EINVAL if
 * @phys is not page aligned or scalable mode is not supported.  Cached
 * context entries are not touched (the driver invalidates, as on hardware).
 */
int hw_iommu_set_root_table(struct hw_iommu *unit, uint64_t phys, enum hw_ttm mode);
/* Latched root table or HW_PHYS_NONE; @mode may be NULL. */
uint64_t hw_iommu_root_table(const struct hw_iommu *unit, enum hw_ttm *mode);
/* GCMD.TE.  While off, requests without PASID pass through untranslated. */
void hw_iommu_set_translation(struct hw_iommu *unit, bool enable);
bool hw_iommu_translation_enabled(const struct hw_iommu *unit);

/*
 * Domain-id allocator: a helper for the driver, kept on the unit.  It is
 * kernel state, not hardware: hw_machine_kexec() empties it, so the new
 * kernel re-reserves the DIDs it inherits.
 */
int hw_iommu_did_alloc(struct hw_iommu *unit, unsigned int min);	/* lowest free >= min, or -ENOSPC */
int hw_iommu_did_reserve(struct hw_iommu *unit, unsigned int did);	/* -EBUSY, -EINVAL */
void hw_iommu_did_free(struct hw_iommu *unit, unsigned int did);
bool hw_iommu_did_in_use(const struct hw_iommu *unit, unsigned int did);
unsigned int hw_iommu_did_count(const struct hw_iommu *unit);

/* Queued-invalidation descriptors (synchronous: done when the call returns). */
enum hw_inv_type {
	HW_INV_CC,		/* context cache */
	HW_INV_PC,		/* PASID cache */
	HW_INV_IOTLB,		/* IOTLB: second-stage, pass-through and nested mappings */
	HW_INV_PIOTLB,		/* PASID-based IOTLB: first-stage and nested mappings */
	HW_INV_DEVTLB,		/* device-TLB (ATS), forwarded to the device */
	HW_INV_TYPE_NR
};
enum hw_inv_gran {
	HW_INV_GLOBAL,		/* CC, PC, IOTLB */
	HW_INV_DOMAIN,		/* CC, PC, IOTLB: by did */
	HW_INV_DEVICE,		/* CC: by sid (and did in legacy mode) */
	HW_INV_PASID,		/* PC, PIOTLB: by did and pasid */
	HW_INV_PAGE,		/* IOTLB, PIOTLB, DEVTLB: by address range */
};
#define HW_PASID_ALL		0xffffffffu	/* DEVTLB: every PASID of the device */
#define HW_INV_AM_ALL		52		/* address mask covering everything */

struct hw_inv_desc {
	enum hw_inv_type type;
	enum hw_inv_gran gran;
	uint16_t did;
	uint16_t sid;		/* CC device, DEVTLB */
	uint32_t pasid;		/* PC, PIOTLB, DEVTLB (HW_NO_PASID = requests without PASID) */
	uint64_t addr;		/* page-selective: start; bits below the mask are ignored */
	unsigned int am;	/* page-selective: 2^am pages */
};
/* -EINVAL for a descriptor the hardware would reject (bad type/granularity). */
int hw_iommu_invalidate(struct hw_iommu *unit, const struct hw_inv_desc *desc);

/* Shorthands for hw_iommu_invalidate(). */
int hw_inv_cc_global(struct hw_iommu *unit);
int hw_inv_cc_domain(struct hw_iommu *unit, uint16_t did);
int hw_inv_cc_device(struct hw_iommu *unit, uint16_t did, uint16_t sid);
int hw_inv_pc_global(struct hw_iommu *unit);
int hw_inv_pc_domain(struct hw_iommu *unit, uint16_t did);
int hw_inv_pc_pasid(struct hw_iommu *unit, uint16_t did, uint32_t pasid);
int hw_inv_iotlb_global(struct hw_iommu *unit);
int hw_inv_iotlb_domain(struct hw_iommu *unit, uint16_t did);
int hw_inv_iotlb_page(struct hw_iommu *unit, uint16_t did, uint64_t addr, unsigned int am);
int hw_inv_piotlb_pasid(struct hw_iommu *unit, uint16_t did, uint32_t pasid);
int hw_inv_piotlb_page(struct hw_iommu *unit, uint16_t did, uint32_t pasid,
		       uint64_t addr, unsigned int am);
int hw_inv_devtlb(struct hw_iommu *unit, uint16_t sid, uint32_t pasid,
		  uint64_t addr, unsigned int am);

struct hw_iommu_stats {
	unsigned int cc_entries, pc_entries, iotlb_entries;	/* cached now */
	uint64_t iotlb_hits, iotlb_misses;
	uint64_t walks;			/* page-table walks (misses that walked) */
	uint64_t walk_reads;		/* table entries read by the hardware */
	uint64_t faults;		/* recorded or not (FPD) */
	uint64_t inv[HW_INV_TYPE_NR];	/* descriptors processed */
	uint64_t inv_dropped;		/* entries removed by invalidations */
};
void hw_iommu_get_stats(const struct hw_iommu *unit, struct hw_iommu_stats *st);

/*
 * Builders for tests, benchmarks and scenarios (not the kernel model, which
 * writes its own entries): they write VT-d structures into simulated
 * memory, allocating zeroed tables as needed, and never invalidate.
 */
/* Allocate a zeroed root table and latch it (RTADDR + SRTP). */
int hw_build_root(struct hw_iommu *unit, enum hw_ttm mode, uint64_t *rootp);
/* Legacy context entry for bus/devfn under the latched root table. */
int hw_build_legacy_ctx(struct hw_iommu *unit, uint8_t bus, uint8_t devfn,
			uint16_t did, uint64_t slptr, unsigned int aw,
			unsigned int tt, bool fpd);
/*
 * Scalable context entry with a new zeroed PASID directory of
 * 2^(pdts+7) entries (returned in *pdirp if not NULL).
 */
int hw_build_sm_ctx(struct hw_iommu *unit, uint8_t bus, uint8_t devfn,
		    unsigned int pdts, bool paside, bool dte, bool fpd,
		    uint64_t *pdirp);
struct hw_pasid_entry {
	enum hw_pgtt pgtt;
	uint16_t did;
	uint64_t slptr;		/* second stage (SECOND, NESTED) */
	uint64_t flptr;		/* first stage (FIRST, NESTED; a GPA when NESTED) */
	unsigned int aw;	/* second stage: HW_AW_39 or HW_AW_48 */
	bool fpd;
};
/* PASID table entry (allocating the PASID table); NULL @pe clears it. */
int hw_build_pasid(struct hw_iommu *unit, uint8_t bus, uint8_t devfn,
		   uint32_t pasid, const struct hw_pasid_entry *pe);
/* Physical address of the context entry for bus/devfn, or HW_PHYS_NONE. */
uint64_t hw_build_ctx_phys(struct hw_iommu *unit, uint8_t bus, uint8_t devfn);

/* ======================================================================
 * PCI functions
 * ====================================================================== */

#define HW_NO_PASID		0u	/* requests without PASID (IOMMU_NO_PASID) */
#define HW_SID(bus, devfn)	((uint16_t)(((bus) << 8) | (devfn)))

struct hw_pci_cfg {
	uint16_t segment;
	uint8_t bus, devfn;
	uint64_t iommu_base;	/* the unit whose scope holds the device */
	uint32_t max_pasids;	/* PASID capability: number of PASIDs (power of two, <= 2^20); 0: none */
	bool ats;		/* ATS capability: the device has a device-TLB */
	uint32_t group_tag;	/* 0: a group of its own; equal tags: one group (no ACS) */
};

/*
 * Hot-add: -EEXIST (segment/bus/devfn taken), -ENODEV (no unit at
 * iommu_base), -EINVAL (segment differs from the unit's, bad max_pasids, a
 * group tag already used behind another unit), -ENOMEM.  Bus mastering and
 * ATS start disabled, as after reset.
 */
int hw_pci_add(const struct hw_pci_cfg *cfg, struct hw_pci_dev **devp);
/* Hot-remove: the function disappears (its device-TLB with it). */
int hw_pci_remove(struct hw_pci_dev *dev);
struct hw_pci_dev *hw_pci_find(uint16_t segment, uint8_t bus, uint8_t devfn);
unsigned int hw_pci_count(void);
struct hw_pci_dev *hw_pci_at(unsigned int i);	/* hot-add order */

uint16_t hw_pci_segment(const struct hw_pci_dev *dev);
uint8_t hw_pci_bus(const struct hw_pci_dev *dev);
uint8_t hw_pci_devfn(const struct hw_pci_dev *dev);
uint16_t hw_pci_sid(const struct hw_pci_dev *dev);
struct hw_iommu *hw_pci_iommu(const struct hw_pci_dev *dev);
uint32_t hw_pci_max_pasids(const struct hw_pci_dev *dev);
bool hw_pci_has_ats(const struct hw_pci_dev *dev);
/* Effective group tag (a unique value >= 0x80000000 for group_tag 0). */
uint32_t hw_pci_group(const struct hw_pci_dev *dev);
unsigned int hw_pci_group_size(const struct hw_pci_dev *dev);

void hw_pci_set_bus_master(struct hw_pci_dev *dev, bool enable);
bool hw_pci_bus_master(const struct hw_pci_dev *dev);
/* ATS enable in the capability; -EINVAL without ATS.  Disabling empties the device-TLB. */
int hw_pci_enable_ats(struct hw_pci_dev *dev, bool enable);
bool hw_pci_ats_enabled(const struct hw_pci_dev *dev);
unsigned int hw_pci_devtlb_entries(const struct hw_pci_dev *dev);

/* ======================================================================
 * DMA engine
 * ====================================================================== */

enum hw_dma_dir {
	HW_DMA_READ,	/* the device reads memory */
	HW_DMA_WRITE,	/* the device writes memory */
};

enum hw_dma_status {
	HW_DMA_OK = 0,
	HW_DMA_FAULT,		/* translation fault; the transfer stopped there */
	HW_DMA_DROPPED,		/* bus mastering off: nothing left the device */
	HW_DMA_BAD_REQUEST,	/* the device cannot issue it (PASID beyond its capability) */
};

enum hw_xlate_kind {
	HW_XL_UNTRANSLATED,	/* translation disabled on the unit */
	HW_XL_PASSTHROUGH,
	HW_XL_SECOND,		/* second stage (legacy mode included) */
	HW_XL_FIRST,
	HW_XL_NESTED,
};

struct hw_xlate {
	enum hw_fault_reason fault;
	unsigned int stage;	/* fault in: 0 context/PASID structures, 1 first, 2 second stage */
	unsigned int level;	/* table level of a page-table fault */
	enum hw_xlate_kind kind;
	uint64_t pa;		/* output address of iova */
	uint64_t size;		/* size of the translation that covers iova */
	unsigned int perm;
	uint16_t did;
	bool iotlb_hit, devtlb_hit;
	bool ats;		/* the context allows the device to cache it (device-TLB) */
};

struct hw_dma_result {
	enum hw_dma_status status;
	size_t done;			/* bytes transferred before a fault */
	enum hw_fault_reason reason;
	uint64_t fault_iova;
	unsigned int freed_pages;	/* accesses that hit poisoned pages (events logged) */
	unsigned int unallocated_pages;	/* accesses that hit non-allocated RAM or non-RAM */
};

/*
 * A DMA transfer of @len bytes at @iova, page by page: device-TLB (if ATS
 * is enabled), then the unit (context cache, PASID cache, IOTLB, walks that
 * fill them), then memory.  @buf is the device side: the source of a WRITE,
 * the destination of a READ.  @res may be NULL.
 */
enum hw_dma_status hw_dma(struct hw_pci_dev *dev, uint32_t pasid, uint64_t iova,
			  void *buf, size_t len, enum hw_dma_dir dir,
			  struct hw_dma_result *res);

/*
 * The translation step of hw_dma() for one address: bus mastering checked
 * (HW_DMA_DROPPED), device-TLB and unit caches used and filled, faults
 * logged; no memory access.
 */
enum hw_dma_status hw_dma_translate(struct hw_pci_dev *dev, uint32_t pasid,
				    uint64_t iova, enum hw_dma_dir dir,
				    struct hw_xlate *x);

/*
 * The oracle's question, "what do the tables in memory say now": the same
 * walk from the unit's registers and tables, ignoring every cache and bus
 * mastering, logging nothing.  HW_DMA_OK or HW_DMA_FAULT.
 */
enum hw_dma_status hw_iommu_probe(struct hw_pci_dev *dev, uint32_t pasid,
				  uint64_t iova, enum hw_dma_dir dir,
				  struct hw_xlate *x);

/* ======================================================================
 * Event log, fault log, hooks
 * ====================================================================== */

enum hw_event_kind {
	HW_EV_DMA_ACCESS,	/* every DMA access that reached memory: hook and counter only */
	HW_EV_DMA_DROPPED,	/* bus mastering off */
	HW_EV_DMA_FAULT,	/* translation fault (FPD ones included) */
	HW_EV_DMA_FREED,	/* DMA read/write of a poisoned (freed) page */
	HW_EV_DMA_UNALLOCATED,	/* DMA to RAM never allocated, or to non-RAM */
	HW_EV_WALK_FREED,	/* the unit read a translation structure from a freed page */
	HW_EV_WALK_UNALLOCATED,
	HW_EV_CPU_FREED,	/* CPU access to a freed page */
	HW_EV_CPU_UNALLOCATED,
	HW_EV_KEXEC,
	HW_EV_NR
};
const char *hw_event_kind_name(enum hw_event_kind kind);

struct hw_event {
	uint64_t seq;		/* 1, 2, ... since boot (HW_EV_DMA_ACCESS included) */
	enum hw_event_kind kind;
	uint64_t iommu_base;	/* 0 for CPU events */
	uint16_t segment, sid;
	uint32_t pasid;
	uint64_t iova;
	uint64_t pa;
	uint32_t len;
	bool write;
	enum hw_page_state state;	/* memory events: the page's state */
	enum hw_fault_reason reason;	/* HW_EV_DMA_FAULT */
};

#define HW_EVENT_LOG_SIZE	256
#define HW_FAULT_LOG_SIZE	64

/*
 * One hook for oracles; called for every event (HW_EV_DMA_ACCESS
 * included) after it is logged.  NULL removes it.  The hook survives
 * hw_machine_reset() (it is the harness's wiring, not machine state), so
 * whoever installs one with a short-lived @arg removes it.
 */
typedef void (*hw_event_hook_fn)(const struct hw_event *ev, void *arg);
void hw_set_event_hook(hw_event_hook_fn fn, void *arg);

uint64_t hw_event_count(enum hw_event_kind kind);	/* since boot */
unsigned int hw_event_log_len(void);			/* <= HW_EVENT_LOG_SIZE */
const struct hw_event *hw_event_log_get(unsigned int i);	/* 0 = oldest kept */
void hw_event_log_clear(void);				/* log and counters */

/* Faults as the unit's fault-recording registers would show them (FPD ones are not). */
struct hw_fault {
	uint64_t seq;
	uint64_t iommu_base;
	uint16_t segment, sid;
	uint32_t pasid;
	uint64_t iova;
	bool write;
	enum hw_fault_reason reason;
	unsigned int stage, level;
};
uint64_t hw_fault_count(void);				/* recorded since boot */
unsigned int hw_fault_log_len(void);			/* <= HW_FAULT_LOG_SIZE */
const struct hw_fault *hw_fault_log_get(unsigned int i);	/* 0 = oldest kept */
uint64_t hw_fault_log_overflows(void);			/* records lost to the ring */
void hw_fault_log_clear(void);

/* ======================================================================
 * The machine
 * ====================================================================== */

/*
 * Back to the boot state: no units, no devices, no allocated memory, empty
 * caches and logs, RAM limit HW_MEM_DEFAULT_PAGES (the event hook stays).
 * O(what was used).  lusim_reset_all() calls it.
 */
void hw_machine_reset(void);

/*
 * The hardware side of kexec: hw_mem_kexec(@keep, @arg), then the kernel
 * state kept on units (domain-id allocators) is emptied, and HW_EV_KEXEC is
 * logged.  Units keep their registers and caches, devices their bus-master
 * and ATS bits and device-TLBs: hardware does not reboot.  Returns the
 * number of pages dropped.
 */
uint64_t hw_machine_kexec(bool (*keep)(uint64_t pfn, void *arg), void *arg);

/* Host objects (units, devices, cache entries, bitmaps) alive now. */
uint64_t hw_host_objects(void);

#endif /* _LUSIM_HW_H */
