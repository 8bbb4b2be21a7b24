/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/types.h
 * Models: u8..u64, s8..s64, bool, phys_addr_t, dma_addr_t, gfp_t, atomic_t,
 *         atomic64_t (plain counters: the model is single-threaded), struct
 *         list_head / hlist, refcount-free basics.
 * Leaves out: endian-annotated types beyond __le/__be aliases, sparse
 *         annotations (__user, __iomem are empty).
 * The system uapi <linux/types.h> is pulled in first for __u32 and friends;
 * our guard differs from the kernel's so both can coexist.
 */
#ifndef _LUSIM_LINUX_TYPES_H
#define _LUSIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
typedef u64 resource_size_t;
typedef unsigned int gfp_t;
typedef unsigned int fmode_t;
typedef u32 ioasid_t;

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};
#define rcu_head callback_head

#endif /* _LUSIM_LINUX_TYPES_H */
