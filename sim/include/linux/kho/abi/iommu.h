/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/kho/abi/iommu.h (kernel model), the IOMMU
 *         live-update series v1 (3 Feb 2026): patch 01/14 plus the
 *         device_intel_ser union that patch 10/14 (VT-d PASID table) adds.
 * Models: the bytes the IOMMU core hands to the next kernel through its FLB
 *         (compatible "iommu-v1"): the top-level iommu_lu_flb_ser, three
 *         chains of page-sized arrays (IOMMU units, domains, devices) with
 *         an iommu_objs_ser header each, and the serialized objects with
 *         their common iommu_obj_ser header (kernel-model.md 3.2 "v1").
 *         Every field that names memory is a physical address; the one live
 *         pointer (iommu_domain_ser.restored_domain) is written and read by
 *         the new kernel only.  Objects are appended to the current page of
 *         their array; a full page gets a new KHO-preserved page chained
 *         through next_objs.  Deleted objects stay (deleted = 1) and are
 *         skipped, never reused.
 *         struct iommu_lu_flb_obj is the runtime object of the FLB (a mutex
 *         and the current array pages); v1 put it in this header.
 * Leaves out: nothing of v1.  Differences on purpose: iommu_lu_flb_obj is
 *         not __packed here (v1 packs it; a packed struct mutex would make
 *         every &flb_obj->lock an unaligned pointer, which gcc rejects with
 *         -Waddress-of-packed-member; it is runtime-only, never serialized).
 *         The later ABI (iommu_hdr_ser flags, iommu_hw_ser, a version field,
 *         compatible "iommu-liveupdate-v1") belongs to a later profile
 *         (../shared/reference/series-later.md).
 */
#ifndef _LUSIM_LINUX_KHO_ABI_IOMMU_H
#define _LUSIM_LINUX_KHO_ABI_IOMMU_H

#include <linux/compiler.h>
#include <linux/mm.h>		/* PAGE_SIZE */
#include <linux/mutex.h>
#include <linux/types.h>

/**
 * DOC: IOMMU File-Lifecycle Bound (FLB) Live Update ABI
 *
 * The serialized structs below are a contract between the kernel that
 * preserves and the kernel that restores.  Changing any of them is a
 * breaking change and needs a new IOMMU_LUO_FLB_COMPATIBLE string.
 */
#define IOMMU_LUO_FLB_COMPATIBLE "iommu-v1"

enum iommu_lu_type {
	IOMMU_INVALID,
	IOMMU_INTEL,
};

/* Header of every serialized object. */
struct iommu_obj_ser {
	u32 idx;		/* index among the objects of its kind */
	u32 ref_count;		/* starts at 1; IOMMU units: devices behind it */
	u32 deleted:1;		/* slot unused (failed or unpreserved object) */
	u32 incoming:1;		/* claimed by the new kernel */
} __packed;

/* A preserved iommu_domain: its page table. */
struct iommu_domain_ser {
	struct iommu_obj_ser obj;
	u64 top_table;		/* phys of the top-level table */
	u64 top_level;		/* number of levels */
	struct iommu_domain *restored_domain;	/* new kernel: restore once */
} __packed;

/* Which domain and IOMMU unit a preserved device uses. */
struct device_domain_iommu_ser {
	u32 did;		/* VT-d domain id of the attachment */
	u64 domain_phys;	/* phys of its struct iommu_domain_ser */
	u64 iommu_phys;		/* phys of its struct iommu_ser */
} __packed;

/* VT-d extras of a preserved device (v1 10/14). */
struct device_intel_ser {
	u64 pasid_table;	/* phys of the PASID directory, 0: none */
	u64 max_pasid;		/* PASIDs the directory covers */
} __packed;

/* A preserved device (PCI): its attachment. */
struct device_ser {
	struct iommu_obj_ser obj;
	u64 token;		/* the owner's LUO token (group owner after kexec) */
	u32 devid;		/* PCI_DEVID(bus, devfn) */
	u32 pci_domain;		/* PCI segment */
	struct device_domain_iommu_ser domain_iommu_ser;
	enum iommu_lu_type type;
	union {
		struct device_intel_ser intel;
	};
} __packed;

struct iommu_intel_ser {
	u64 phys_addr;		/* register base */
	u64 root_table;		/* phys of the root table */
} __packed;

/* A preserved IOMMU unit, shared (ref_count) by the devices behind it. */
struct iommu_ser {
	struct iommu_obj_ser obj;
	u64 token;		/* VT-d: the register base */
	enum iommu_lu_type type;
	union {
		struct iommu_intel_ser intel;
	};
} __packed;

/* Header of every array page. */
struct iommu_objs_ser {
	u64 next_objs;		/* phys of the next page of the chain, 0: last */
	u64 nr_objs;		/* slots used in this page (deleted included) */
} __packed;

struct iommus_ser {
	struct iommu_objs_ser objs;
	struct iommu_ser iommus[];
} __packed;

struct iommu_domains_ser {
	struct iommu_objs_ser objs;
	struct iommu_domain_ser iommu_domains[];
} __packed;

struct devices_ser {
	struct iommu_objs_ser objs;
	struct device_ser devices[];
} __packed;

#define MAX_IOMMU_SERS ((PAGE_SIZE - sizeof(struct iommus_ser)) / sizeof(struct iommu_ser))
#define MAX_IOMMU_DOMAIN_SERS \
		((PAGE_SIZE - sizeof(struct iommu_domains_ser)) / sizeof(struct iommu_domain_ser))
#define MAX_DEVICE_SERS ((PAGE_SIZE - sizeof(struct devices_ser)) / sizeof(struct device_ser))

/* The FLB's data: the phys of this, in a KHO-preserved page. */
struct iommu_lu_flb_ser {
	u64 iommus_phys;	/* first page of each chain */
	u64 nr_iommus;		/* slots used over the chain (deleted included) */
	u64 iommu_domains_phys;
	u64 nr_domains;
	u64 devices_phys;
	u64 nr_devices;
} __packed;

/* The FLB's live object (runtime only). */
struct iommu_lu_flb_obj {
	struct mutex lock;	/* serializes every preserve/unpreserve/restore */
	struct iommu_lu_flb_ser *ser;

	/* the page of each chain new objects go to (the last one) */
	struct iommu_domains_ser *iommu_domains;
	struct iommus_ser *iommus;
	struct devices_ser *devices;
};

#endif /* _LUSIM_LINUX_KHO_ABI_IOMMU_H */
