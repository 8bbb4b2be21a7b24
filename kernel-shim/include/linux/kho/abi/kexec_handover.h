/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/kho/abi/kexec_handover.h
 * Models: the bytes KHO hands to the next kernel. lusim's own format (the
 *         kernel uses an FDT plus a radix tree of bitmaps); it carries the
 *         same information:
 *
 *           root page (one page, its physical address is the "KHO FDT"
 *           address the kexec code passes to the next kernel):
 *             struct kho_root_ser: magic, version, the named sub-trees
 *             (name -> physical address of a preserved blob), and the
 *             physical address of the first memory-map page;
 *           memory-map pages (a chain of single pages):
 *             struct kho_mem_map_ser: magic, next page (0 = last), and up to
 *             KHO_MEM_MAP_RUNS runs; a run (pfn, order, nr) stands for nr
 *             consecutive naturally aligned chunks of 2^order pages starting
 *             at pfn, each chunk one preserved (pfn, order) key.
 *
 *         The root and memory-map pages are kept by the machine across the
 *         kexec like the preserved chunks; the new kernel reads them once at
 *         boot and frees them. The parser (kho_memory_init() in
 *         kernel-shim/kernel/liveupdate/kexec_handover.c) trusts nothing:
 *         magic and version, sub-tree names NUL-terminated, counts bounded
 *         by the page, orders <= MAX_PAGE_ORDER, pfns aligned to their order,
 *         no arithmetic overflow, every chunk inside memory the machine kept,
 *         no chunk overlapping another or the map itself, the chain finite
 *         (a page seen twice is rejected). A rejected handover disables KHO
 *         revival for that boot: nothing is reserved, all memory is free.
 *         There is no checksum (the kernel has none: AMENDMENTS, fuzz_restore).
 *         Also: DECLARE_KHOSER_PTR / KHOSER_STORE_PTR / KHOSER_LOAD_PTR.
 */
#ifndef _LUSIM_LINUX_KHO_ABI_KEXEC_HANDOVER_H
#define _LUSIM_LINUX_KHO_ABI_KEXEC_HANDOVER_H

#include <linux/types.h>
#include <linux/compiler.h>

#define KHO_ROOT_MAGIC		0x31746f6f524f484bULL	/* "KHORoot1" */
#define KHO_MEM_MAP_MAGIC	0x314d4d656d4f484bULL	/* "KHOMemM1" */
#define KHO_ABI_VERSION		1

#define KHO_SUBTREE_NAME_LENGTH	32
#define KHO_MAX_SUBTREES	32

struct kho_subtree_ser {
	char name[KHO_SUBTREE_NAME_LENGTH];
	u64 phys;
} __packed;

struct kho_root_ser {
	u64 magic;		/* KHO_ROOT_MAGIC */
	u32 version;		/* KHO_ABI_VERSION */
	u32 nr_subtrees;	/* <= KHO_MAX_SUBTREES */
	u64 mem_map;		/* phys of the first kho_mem_map_ser, 0: none */
	u64 nr_chunks;		/* chunks described by all runs */
	struct kho_subtree_ser subtrees[KHO_MAX_SUBTREES];
} __packed;

struct kho_mem_run_ser {
	u64 pfn;		/* first chunk, aligned to 2^order */
	u32 order;		/* <= MAX_PAGE_ORDER */
	u32 nr;			/* chunks in the run, >= 1 */
} __packed;

struct kho_mem_map_ser {
	u64 magic;		/* KHO_MEM_MAP_MAGIC */
	u64 next;		/* phys of the next page of the chain, 0: last */
	u64 nr_runs;		/* <= KHO_MEM_MAP_RUNS */
	struct kho_mem_run_ser runs[];
} __packed;

/*
 * Serializable pointers, as the kernel's KHO users write them: a union of
 * the physical address (what is stored) and a typed pointer (for typeof);
 * uses virt_to_phys()/phys_to_virt() of <linux/mm.h>.
 */
#define DECLARE_KHOSER_PTR(name, type)					\
	union {								\
		u64 phys;						\
		type ptr;						\
	} name
#define KHOSER_STORE_PTR(dest, val)					\
	({								\
		__typeof__(val) __v = (val);				\
		_Static_assert(__builtin_types_compatible_p(		\
			__typeof__((dest).ptr), __typeof__(__v)),	\
			"KHOSER_STORE_PTR: pointer type mismatch");	\
		(dest).phys = __v ? virt_to_phys(__v) : 0;		\
	})
#define KHOSER_LOAD_PTR(src)						\
	({								\
		__typeof__(src) __s = (src);				\
		(__typeof__((__s).ptr))((__s).phys ?			\
			phys_to_virt((__s).phys) : NULL);		\
	})

/* runs per memory-map page (4 KiB pages: 254) */
#define KHO_MEM_MAP_RUNS						\
	((4096 - sizeof(struct kho_mem_map_ser)) / sizeof(struct kho_mem_run_ser))

#endif /* _LUSIM_LINUX_KHO_ABI_KEXEC_HANDOVER_H */
