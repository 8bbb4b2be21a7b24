/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Model of drivers/iommu/intel/iommu.h: the simulated VT-d driver's
 * structures (struct intel_iommu, dmar_domain, device_domain_info, the
 * root/context/PASID entries and page-table entries) and its internal API.
 *
 * The hardware is sim/hw: the unit's registers are reached through the
 * hw_iommu API (root table address, translation enable, queued
 * invalidation descriptors), the translation structures are bytes in
 * simulated memory allocated with iommu-pages.  Entry layouts are the
 * machine's (sim/hw/hw.h, close to the VT-d spec); the kernel's
 * CAP/ECAP encodings are kept for the capabilities the driver tests.
 *
 * Left out: the register file (no MMIO: reg_phys is the unit's identity),
 * interrupt remapping, PRQ/IOPF, SVA, perfmon, dirty tracking, the
 * generic page-table library (the driver keeps its own 3/4-level tables,
 * as the kernel did before generic_pt), 5-level paging.
 */
#ifndef _INTEL_IOMMU_H_
#define _INTEL_IOMMU_H_

#include <linux/types.h>
#include <linux/list.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/xarray.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/mm.h>
#include <linux/dmar.h>
#include <uapi/linux/iommufd.h>

#include <hw/hw.h>

/*
 * VT-d hardware uses 4KiB page size regardless of host page size.
 */
#define VTD_PAGE_SHIFT		(12)
#define VTD_PAGE_SIZE		(1UL << VTD_PAGE_SHIFT)
#define VTD_PAGE_MASK		(((u64)-1) << VTD_PAGE_SHIFT)
#define VTD_PAGE_ALIGN(addr)	(((addr) + VTD_PAGE_SIZE - 1) & VTD_PAGE_MASK)

#define VTD_STRIDE_SHIFT	(9)
#define VTD_STRIDE_MASK		(((u64)-1) << VTD_STRIDE_SHIFT)

#define DMA_PTE_READ		BIT_ULL(0)
#define DMA_PTE_WRITE		BIT_ULL(1)
#define DMA_PTE_LARGE_PAGE	BIT_ULL(7)

#define DMA_FL_PTE_PRESENT	BIT_ULL(0)

#define ADDR_WIDTH_5LEVEL	(57)
#define ADDR_WIDTH_4LEVEL	(48)

#define CONTEXT_TT_MULTI_LEVEL	0
#define CONTEXT_TT_DEV_IOTLB	1
#define CONTEXT_TT_PASS_THROUGH 2
#define CONTEXT_PASIDE		BIT_ULL(3)

/*
 * Decoding Capability Register (the fields the model fills in from the
 * simulated unit's capabilities)
 */
#define cap_fl1gp_support(c)	(((c) >> 56) & 1)
#define cap_super_page_val(c)	(((c) >> 34) & 0xf)
#define cap_mgaw(c)		((((c) >> 16) & 0x3f) + 1)
#define cap_sagaw(c)		(((c) >> 8) & 0x1f)
#define cap_caching_mode(c)	(((c) >> 7) & 1)
#define cap_ndoms(c)		(((unsigned long)1) << (4 + 2 * ((c) & 0x7)))

/*
 * Extended Capability Register
 */
#define ecap_flts(e)		(((e) >> 47) & 0x1)
#define ecap_slts(e)		(((e) >> 46) & 0x1)
#define ecap_smts(e)		(((e) >> 43) & 0x1)
#define ecap_pasid(e)		(((e) >> 40) & 0x1)
#define ecap_pss(e)		(((e) >> 35) & 0x1f)
#define ecap_nest(e)		(((e) >> 26) & 0x1)
#define ecap_coherent(e)	((e) & 0x1)
#define ecap_qis(e)		((e) & 0x2)
#define ecap_pass_through(e)	(((e) >> 6) & 0x1)
#define ecap_dev_iotlb_support(e)	(((e) >> 2) & 0x1)

/* IOTLB_REG granularities (iommu->flush.flush_iotlb @type) */
#define DMA_TLB_GLOBAL_FLUSH	(((u64)1) << 60)
#define DMA_TLB_DSI_FLUSH	(((u64)2) << 60)
#define DMA_TLB_PSI_FLUSH	(((u64)3) << 60)

/* CCMD_REG granularities (iommu->flush.flush_context @type) */
#define DMA_CCMD_GLOBAL_INVL	(((u64)1) << 61)
#define DMA_CCMD_DOMAIN_INVL	(((u64)2) << 61)
#define DMA_CCMD_DEVICE_INVL	(((u64)3) << 61)
#define DMA_CCMD_MASK_NOBIT	0

/* PASID cache invalidation granu */
#define QI_PC_ALL_PASIDS	0
#define QI_PC_PASID_SEL		1
#define QI_PC_GLOBAL		3

struct intel_iommu;

struct iommu_flush {
	void (*flush_context)(struct intel_iommu *iommu, u16 did, u16 sid,
			      u8 fm, u64 type);
	void (*flush_iotlb)(struct intel_iommu *iommu, u16 did, u64 addr,
			    unsigned int size_order, u64 type);
};

#define VTD_FLAG_TRANS_PRE_ENABLED	(1 << 0)

extern int intel_iommu_sm;

#define sm_supported(iommu)	(intel_iommu_sm && ecap_smts((iommu)->ecap))
#define pasid_supported(iommu)	(sm_supported(iommu) &&			\
				 ecap_pasid((iommu)->ecap))
#define nested_supported(iommu)	(sm_supported(iommu) &&			\
				 ecap_nest((iommu)->ecap))

struct pasid_entry;
struct pasid_table;

/*
 * 0: Present
 * 1-11: Reserved
 * 12-63: Context Ptr (12 - (haw-1))
 * 64-127: Reserved (scalable mode: the upper context table)
 */
struct root_entry {
	u64     lo;
	u64     hi;
};

#define ROOT_ENTRY_NR (VTD_PAGE_SIZE / sizeof(struct root_entry))

/*
 * low 64 bits:
 * 0: present
 * 1: fault processing disable
 * 2-3: translation type
 * 12-63: address space root
 * high 64 bits:
 * 0-2: address width
 * 8-23: domain id
 *
 * A scalable-mode context entry is 256 bits: two of these.
 */
struct context_entry {
	u64 lo;
	u64 hi;
};

struct iommu_domain_info {
	struct intel_iommu *iommu;
	unsigned int refcnt;		/* Refcount of devices per iommu */
	u16 did;			/* Domain ids per IOMMU. */
};

struct dmar_domain {
	struct iommu_domain domain;

	struct xarray iommu_array;	/* Attached IOMMU array */

	u8 iommu_coherency:1;		/* indicate coherency of iommu access */
	u8 force_snooping:1;		/* Create PASID entry with snoop control */
	u8 nested_parent:1;		/* Has other domains nested on it */
	u8 use_first_level:1;		/* DMA translation for the domain goes
					 * through the first level page table,
					 * otherwise, goes through the second
					 * level.
					 */

	spinlock_t lock;		/* Protect device tracking lists */
	struct list_head devices;	/* all devices' list */
	struct list_head dev_pasids;	/* all attached pasids */

	spinlock_t cache_lock;		/* Protect the cache tag list */
	struct list_head cache_tags;	/* Cache tag list */

	struct dma_pte *pgd;		/* virtual address */
	int gaw;			/* max guest address width */
	/* adjusted guest address width, 0 is level 2 30-bit */
	int agaw;
	int nid;			/* node id */

	union {
		/* DMA remapping domain */
		struct {
			/* Protect the s1_domains list */
			spinlock_t s1_lock;
			/* Track s1_domains nested on this domain */
			struct list_head s1_domains;
		};

		/* Nested user domain */
		struct {
			/* parent page table which the user domain is nested on */
			struct dmar_domain *s2_domain;
			/* page table attributes */
			struct iommu_hwpt_vtd_s1 s1_cfg;
			/* link to parent domain siblings */
			struct list_head s2_link;
		};
	};

	/* lusim: which per-unit ops variant this domain was allocated from */
	unsigned int lusim_quirks;
};

struct intel_iommu {
	u64		reg_phys;	/* physical address of hw register set */
	u64		cap;
	u64		ecap;
	int		seq_id;		/* sequence id of the iommu */
	int		agaw;		/* agaw of this iommu */
	int		msagaw;		/* max sagaw of this iommu */
	u16		segment;	/* PCI segment# */
	unsigned char	name[16];	/* Device Name */

	/* mutex to protect domain_ida */
	struct mutex	did_lock;
	struct ida	domain_ida;	/* domain id allocator */
	spinlock_t	lock;		/* protect context, domain ids */
	struct root_entry *root_entry;	/* virtual address */

	struct iommu_flush flush;

	struct iommu_device iommu;	/* IOMMU core code handle */
	int		node;
	u32		flags;		/* Software defined flags */

#ifdef CONFIG_IOMMU_LIVEUPDATE
	/*
	 * Live update: preserved devices using each context table (index
	 * bus * 2 + upper half in scalable mode); the table is KHO-preserved
	 * while this is not 0 (intel/liveupdate.c).
	 */
	u16		lu_context_users[ROOT_ENTRY_NR * 2];
#endif

	/* lusim: the simulated unit, and what the machine configured */
	struct hw_iommu *hw;
	unsigned int	lusim_quirks;	/* LUSIM_INTEL_QUIRK_* */
	struct list_head lusim_node;	/* dmar_units */
};

/* PCI domain-device relationship */
struct device_domain_info {
	struct list_head link;	/* link to domain siblings */
	u32 segment;		/* PCI segment number */
	u8 bus;			/* PCI bus number */
	u8 devfn;		/* PCI devfn number */
	u16 pfsid;		/* SRIOV physical function source ID */
	u8 pasid_supported:3;
	u8 pasid_enabled:1;
	u8 pri_supported:1;
	u8 pri_enabled:1;
	u8 ats_supported:1;
	u8 ats_enabled:1;
	u8 dtlb_extra_inval:1;	/* Quirk for devices need extra flush */
	u8 domain_attached:1;	/* Device has domain attached */
	u8 ats_qdep;
	struct device *dev;	/* it's NULL for PCIe-to-PCI bridge */
	struct intel_iommu *iommu; /* IOMMU used by this device */
	struct dmar_domain *domain; /* pointer to domain */
	struct pasid_table *pasid_table; /* pasid table */
};

struct dev_pasid_info {
	struct list_head link_domain;	/* link to domain siblings */
	struct device *dev;
	ioasid_t pasid;
};

/* Convert generic struct iommu_domain to private struct dmar_domain */
static inline struct dmar_domain *to_dmar_domain(struct iommu_domain *dom)
{
	return container_of(dom, struct dmar_domain, domain);
}

/*
 * Domain ID 0 and 1 are reserved:
 *
 * Domain-id 0 is a marker for non-allocated domain-id, so make sure it is
 * not used for a real domain.  First-level, pass-through and identity
 * PASID entries use FLPT_DEFAULT_DID.
 */
#define FLPT_DEFAULT_DID		1
#define IDA_START_DID			2

/* Retrieve the domain ID which has allocated to the domain */
static inline u16
domain_id_iommu(struct dmar_domain *domain, struct intel_iommu *iommu)
{
	struct iommu_domain_info *info =
			xa_load(&domain->iommu_array, iommu->seq_id);

	return info->did;
}

static inline u16
iommu_domain_did(struct iommu_domain *domain, struct intel_iommu *iommu)
{
	if (domain->type == IOMMU_DOMAIN_IDENTITY)
		return FLPT_DEFAULT_DID;
	return domain_id_iommu(to_dmar_domain(domain), iommu);
}

/*
 * 0: readable (first stage: present)
 * 1: writable
 * 7: super page
 * 12-51: Host physical address
 */
struct dma_pte {
	u64 val;
};

static inline u64 dma_pte_addr(struct dma_pte *pte)
{
	return pte->val & HW_PTE_ADDR_MASK;
}

static inline bool dma_pte_present(struct dma_pte *pte)
{
	return (pte->val & 3) != 0;
}

static inline bool dma_pte_superpage(struct dma_pte *pte)
{
	return (pte->val & DMA_PTE_LARGE_PAGE);
}

static inline bool context_present(struct context_entry *context)
{
	return (context->lo & 1);
}

#define LEVEL_STRIDE		(9)
#define LEVEL_MASK		(((u64)1 << LEVEL_STRIDE) - 1)
#define MAX_AGAW_WIDTH		(64)
#define MAX_AGAW_PFN_WIDTH	(MAX_AGAW_WIDTH - VTD_PAGE_SHIFT)

static inline int agaw_to_level(int agaw)
{
	return agaw + 2;
}

static inline int agaw_to_width(int agaw)
{
	return min_t(int, 30 + agaw * LEVEL_STRIDE, 64);
}

static inline int width_to_agaw(int width)
{
	return DIV_ROUND_UP(width - 30, LEVEL_STRIDE);
}

static inline unsigned int level_to_offset_bits(int level)
{
	return (level - 1) * LEVEL_STRIDE;
}

static inline int pfn_level_offset(u64 pfn, int level)
{
	return (pfn >> level_to_offset_bits(level)) & LEVEL_MASK;
}

static inline u64 level_mask(int level)
{
	return -1ULL << level_to_offset_bits(level);
}

static inline u64 level_size(int level)
{
	return 1ULL << level_to_offset_bits(level);
}

static inline void context_set_present(struct context_entry *context)
{
	u64 val;

	val = READ_ONCE(context->lo) | 1;
	WRITE_ONCE(context->lo, val);
}

static inline void context_clear_present(struct context_entry *context)
{
	u64 val;

	val = READ_ONCE(context->lo) & GENMASK_ULL(63, 1);
	WRITE_ONCE(context->lo, val);
}

static inline void context_set_fault_enable(struct context_entry *context)
{
	context->lo &= (((u64)-1) << 2) | 1;
}

static inline void context_set_translation_type(struct context_entry *context,
						unsigned long value)
{
	context->lo &= (((u64)-1) << 4) | 3;
	context->lo |= (value & 3) << 2;
}

static inline void context_set_address_root(struct context_entry *context,
					    unsigned long value)
{
	context->lo &= ~VTD_PAGE_MASK;
	context->lo |= value & VTD_PAGE_MASK;
}

static inline void context_set_address_width(struct context_entry *context,
					     unsigned long value)
{
	context->hi |= value & 7;
}

static inline void context_set_domain_id(struct context_entry *context,
					 unsigned long value)
{
	context->hi |= (value & ((1 << 16) - 1)) << 8;
}

static inline void context_set_pasid(struct context_entry *context)
{
	context->lo |= CONTEXT_PASIDE;
}

static inline int context_domain_id(struct context_entry *c)
{
	return((c->hi >> 8) & 0xffff);
}

static inline void context_clear_entry(struct context_entry *context)
{
	context->lo = 0;
	context->hi = 0;
}

/*
 * Set the RID_PASID field of a scalable mode context entry. The
 * IOMMU hardware will use the PASID value set in this field for
 * DMA translations of DMA requests without PASID (the simulated unit
 * supports IOMMU_NO_PASID only).
 */
static inline void
context_set_sm_rid2pasid(struct context_entry *context, unsigned long pasid)
{
	context->hi |= pasid & ((1 << 20) - 1);
}

/*
 * Set the DTE(Device-TLB Enable) field of a scalable mode context
 * entry.
 */
static inline void context_set_sm_dte(struct context_entry *context)
{
	context->lo |= BIT_ULL(2);
}

/* Convert value to context PASID directory size field coding. */
#define context_pdts(pds)	(((pds) & 0x7) << 9)

void qi_flush_context(struct intel_iommu *iommu, u16 did,
		      u16 sid, u8 fm, u64 type);
void qi_flush_iotlb(struct intel_iommu *iommu, u16 did, u64 addr,
		    unsigned int size_order, u64 type);
void qi_flush_dev_iotlb(struct intel_iommu *iommu, u16 sid, u16 pfsid,
			u16 qdep, u64 addr, unsigned mask);
void qi_flush_piotlb(struct intel_iommu *iommu, u16 did, u32 pasid, u64 addr,
		     unsigned long npages, bool ih);
void qi_flush_piotlb_all(struct intel_iommu *iommu, u16 did, u32 pasid);
void qi_flush_dev_iotlb_pasid(struct intel_iommu *iommu, u16 sid, u16 pfsid,
			      u32 pasid, u16 qdep, u64 addr,
			      unsigned int size_order);
void qi_flush_pasid_cache(struct intel_iommu *iommu, u16 did, u64 granu,
			  u32 pasid);

int domain_attach_iommu(struct dmar_domain *domain, struct intel_iommu *iommu,
			int restore_did);
void domain_detach_iommu(struct dmar_domain *domain, struct intel_iommu *iommu);
void device_block_translation(struct device *dev);
int paging_domain_compatible(struct iommu_domain *domain, struct device *dev);

struct dev_pasid_info *
domain_add_dev_pasid(struct iommu_domain *domain,
		     struct device *dev, ioasid_t pasid);
void domain_remove_dev_pasid(struct iommu_domain *domain,
			     struct device *dev, ioasid_t pasid);

struct iommu_domain *
intel_iommu_domain_alloc_nested(struct device *dev, struct iommu_domain *parent,
				u32 flags,
				const struct iommu_user_data *user_data);

enum cache_tag_type {
	CACHE_TAG_IOTLB,
	CACHE_TAG_DEVTLB,
	CACHE_TAG_NESTING_IOTLB,
	CACHE_TAG_NESTING_DEVTLB,
};

struct cache_tag {
	struct list_head node;
	enum cache_tag_type type;
	struct intel_iommu *iommu;
	/*
	 * The @dev field represents the location of the cache. For IOTLB, it
	 * resides on the IOMMU hardware (the model uses NULL). For DevTLB, it
	 * locates in the PCIe endpoint: @dev is that endpoint.
	 */
	struct device *dev;
	u16 domain_id;
	ioasid_t pasid;
	unsigned int users;
};

int cache_tag_assign_domain(struct dmar_domain *domain,
			    struct device *dev, ioasid_t pasid);
void cache_tag_unassign_domain(struct dmar_domain *domain,
			       struct device *dev, ioasid_t pasid);
void cache_tag_flush_range(struct dmar_domain *domain, unsigned long start,
			   unsigned long end, int ih);
void cache_tag_flush_all(struct dmar_domain *domain);

void intel_context_flush_no_pasid(struct device_domain_info *info,
				  struct context_entry *context, u16 did);

struct context_entry *iommu_context_addr(struct intel_iommu *iommu, u8 bus,
					 u8 devfn, int alloc);

int iommu_calculate_agaw(struct intel_iommu *iommu);
int iommu_calculate_max_sagaw(struct intel_iommu *iommu);

extern const struct iommu_ops intel_iommu_ops;
extern const struct iommu_domain_ops intel_fs_paging_domain_ops;
extern const struct iommu_domain_ops intel_ss_paging_domain_ops;
extern const struct iommu_domain_ops intel_nested_domain_ops;

/*
 * Live update (series v1 07/14, 08/14, 10/14; intel/liveupdate.c).  The
 * domain preserve/unpreserve/restore ops were generic_pt's in v1 05/14; the
 * model's driver keeps its own page tables, so they are the driver's.
 */
struct iommu_ser;
struct device_ser;
struct iommu_domain_ser;
#ifdef CONFIG_IOMMU_LIVEUPDATE
int intel_iommu_preserve_device(struct device *dev, struct device_ser *device_ser);
void intel_iommu_unpreserve_device(struct device *dev, struct device_ser *device_ser);
int intel_iommu_preserve(struct iommu_device *iommu, struct iommu_ser *iommu_ser);
void intel_iommu_unpreserve(struct iommu_device *iommu, struct iommu_ser *iommu_ser);
void intel_iommu_liveupdate_restore_root_table(struct intel_iommu *iommu,
					       struct iommu_ser *iommu_ser);
int intel_iommu_domain_preserve(struct iommu_domain *domain,
				struct iommu_domain_ser *ser);
void intel_iommu_domain_unpreserve(struct iommu_domain *domain,
				   struct iommu_domain_ser *ser);
int intel_iommu_domain_restore(struct iommu_domain *domain,
			       struct iommu_domain_ser *ser);
/* A restored domain's ops: attach and free only (RB-15). */
extern const struct iommu_domain_ops intel_restored_domain_ops;
#else
static inline int intel_iommu_preserve_device(struct device *dev,
					      struct device_ser *device_ser)
{
	return -EOPNOTSUPP;
}

static inline void intel_iommu_unpreserve_device(struct device *dev,
						 struct device_ser *device_ser)
{
}

static inline int intel_iommu_preserve(struct iommu_device *iommu,
				       struct iommu_ser *iommu_ser)
{
	return -EOPNOTSUPP;
}

static inline void intel_iommu_unpreserve(struct iommu_device *iommu,
					  struct iommu_ser *iommu_ser)
{
}

static inline void intel_iommu_liveupdate_restore_root_table(struct intel_iommu *iommu,
							     struct iommu_ser *iommu_ser)
{
}
#endif

/* The per-unit variants of the ops (lusim quirks, see <lusim/intel-iommu.h>) */
const struct iommu_ops *intel_iommu_ops_for(unsigned int quirks);
const struct iommu_domain_ops *
intel_domain_ops_for(const struct iommu_domain_ops *base, unsigned int quirks);

static inline bool intel_domain_is_fs_paging(struct dmar_domain *domain)
{
	return domain->domain.type & __IOMMU_DOMAIN_PAGING &&
	       domain->use_first_level;
}

static inline bool intel_domain_is_ss_paging(struct dmar_domain *domain)
{
	return domain->domain.type & __IOMMU_DOMAIN_PAGING &&
	       !domain->use_first_level;
}

/* Number of domain ids of the unit (CAP.ND, exact: any power of two) */
static inline u32 intel_iommu_ndoms(struct intel_iommu *iommu)
{
	struct hw_iommu_caps caps;

	hw_iommu_get_caps(iommu->hw, &caps);
	return caps.ndoms;
}

/* lusim test hook: skip the IOTLB/device-TLB flush after unmap */
extern bool intel_iommu_lusim_skip_unmap_flush;

#endif
