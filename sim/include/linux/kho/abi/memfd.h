/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/kho/abi/memfd.h (kernel model): what the memfd
 *         LUO file handler (mm/memfd_luo.c, "memfd-v1") hands to the next
 *         kernel, with the seals of the memfd seal series the IOMMU series
 *         v1 is based on.
 * Models: struct memfd_luo_ser (size, seals, the folio array and its
 *         length) in one kho_alloc_preserve() block, LUO's serialized_data;
 *         struct memfd_luo_folio_ser per folio (pfn, flags, page index).
 * Leaves out: the file position (the model's struct file has none).
 *         Difference on purpose: the kernel keeps the folio array in
 *         vmalloc memory preserved with kho_preserve_vmalloc() (a struct
 *         kho_vmalloc descriptor); the shim has no vmalloc preservation, so
 *         the array is one contiguous kho_alloc_preserve() block and
 *         @folios its physical address.
 */
#ifndef _LUSIM_LINUX_KHO_ABI_MEMFD_H
#define _LUSIM_LINUX_KHO_ABI_MEMFD_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/memfd.h>
#include <linux/types.h>

/**
 * DOC: memfd Live Update ABI
 *
 * A contract between the kernel that preserves a memfd and the one that
 * restores it: changing a struct here needs a new MEMFD_LUO_FH_COMPATIBLE.
 */
#define MEMFD_LUO_FH_COMPATIBLE	"memfd-v1"

#define MEMFD_LUO_FOLIO_DIRTY		BIT(0)
#define MEMFD_LUO_FOLIO_UPTODATE	BIT(1)

/* The seals this version knows; a memfd with others is not preserved. */
#define MEMFD_LUO_ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | \
			     F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)

/* One preserved folio of the page cache. */
struct memfd_luo_folio_ser {
	u64 pfn:52;		/* 0: an unused slot */
	u64 flags:12;		/* MEMFD_LUO_FOLIO_* */
	u64 index;		/* page index in the file */
} __packed;

/* The memfd: LUO's serialized_data is the phys of this block. */
struct memfd_luo_ser {
	u64 size;		/* i_size */
	u64 seals;		/* F_SEAL_* (within MEMFD_LUO_ALL_SEALS) */
	u64 folios;		/* phys of nr_folios struct memfd_luo_folio_ser */
	u64 nr_folios;
} __packed;

#endif /* _LUSIM_LINUX_KHO_ABI_MEMFD_H */
