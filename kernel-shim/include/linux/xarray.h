/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/xarray.h (the normal API and the __xa_* locked
 *         forms; lib/xarray.c is kernel-shim/lib/xarray.c)
 * Models: the entry encoding (pointers, value entries, internal entries:
 *         XA_ZERO_ENTRY, error entries), struct xarray with a real tracked
 *         spinlock_t xa_lock, DEFINE_XARRAY*, xa_init_flags, XA_FLAGS_ALLOC
 *         and XA_FLAGS_ALLOC1 free tracking through XA_FREE_MARK
 *         (= XA_MARK_0), marks 0..2, xa_load/store/erase/insert/cmpxchg/
 *         reserve/release/alloc/alloc_cyclic/find/find_after/extract,
 *         xa_for_each*, xa_destroy, the _bh/_irq variants, the xa_lock
 *         family. Reserved (zero) entries read as NULL, are skipped by
 *         finds and iteration, and occupy their index. Storing NULL in an
 *         ALLOC/ALLOC1 array stores XA_ZERO_ENTRY (kernel-model.md 5.1).
 *         The tree is the kernel's: 64-slot nodes (XA_CHUNK_SHIFT 6), a
 *         lone entry at index 0 lives in xa_head, per-node bitmaps for the
 *         three marks (and a lusim-internal "present" bitmap), expansion and
 *         shrinking follow the kernel's rules, so shape-dependent quirks
 *         (ALLOC1's implicit reservation of index 0) match too.
 * Leaves out: multi-index entries (xa_store_range, orders, xas_split), the
 *         advanced xas_* API and XA_STATE, xa_lru, retry entries (readers
 *         never run concurrently with a writer: actors only switch outside
 *         RCU read-side sections), xa_dump (lusim_xa_dump instead).
 *
 * Every writer call is a macro that passes its caller's "file:line" down, so
 * the findings it causes (LOCK-SLEEP-IN-ATOMIC from might_alloc(),
 * LOCK-NOT-HELD from a __xa_* call without xa_lock, the XA-* findings below,
 * SLAB leak and fault-injection sites of the tree's nodes) name the model
 * code that made the call, not this file.
 *
 * Findings:
 *   XA-INTERNAL-ENTRY  storing an internal entry other than XA_ZERO_ENTRY
 *                      (kernel: WARN_ON_ONCE(xa_is_advanced()) -> -EINVAL,
 *                      or silent tree corruption); lusim returns -EINVAL
 *   XA-NOT-ALLOC       xa_alloc*() on an array without XA_FLAGS_ALLOC*
 *                      (kernel: WARN_ON_ONCE -> -EINVAL)
 *   XA-FREE-MARK       XA_FREE_MARK (XA_MARK_0) set, cleared, read or
 *                      searched by a caller on an ALLOC/ALLOC1 array: the
 *                      array uses it to track free indices
 *   XA-BAD-MARK        a mark above XA_MARK_2 where a mark is required
 *   XA-CORRUPT         lusim_xa_check() found a broken tree invariant
 */
#ifndef _LUSIM_LINUX_XARRAY_H
#define _LUSIM_LINUX_XARRAY_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/bits.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/bug.h>
#include <linux/gfp.h>
#include <linux/spinlock.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

/* --- entries -------------------------------------------------------------
 *
 * The bottom two bits of an entry say what it is:
 *   00  pointer entry        x1  value entry (or tagged pointer)
 *   10  internal entry: node pointers, XA_ZERO_ENTRY (257), retry (256),
 *       siblings (0..62) and, in the negative range, error codes.
 */
#define BITS_PER_XA_VALUE	(BITS_PER_LONG - 1)

static inline void *xa_mk_value(unsigned long v)
{
	WARN_ON((long)v < 0);
	return (void *)((v << 1) | 1);
}

static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)entry >> 1;
}

static inline bool xa_is_value(const void *entry)
{
	return (unsigned long)entry & 1;
}

static inline void *xa_tag_pointer(void *p, unsigned long tag)
{
	return (void *)((unsigned long)p | tag);
}

static inline void *xa_untag_pointer(void *entry)
{
	return (void *)((unsigned long)entry & ~3UL);
}

static inline unsigned int xa_pointer_tag(void *entry)
{
	return (unsigned long)entry & 3UL;
}

static inline void *xa_mk_internal(unsigned long v)
{
	return (void *)((v << 2) | 2);
}

static inline unsigned long xa_to_internal(const void *entry)
{
	return (unsigned long)entry >> 2;
}

static inline bool xa_is_internal(const void *entry)
{
	return ((unsigned long)entry & 3) == 2;
}

#define XA_RETRY_ENTRY		xa_mk_internal(256)
#define XA_ZERO_ENTRY		xa_mk_internal(257)

static inline bool xa_is_zero(const void *entry)
{
	return unlikely(entry == XA_ZERO_ENTRY);
}

static inline bool xa_is_retry(const void *entry)
{
	return unlikely(entry == XA_RETRY_ENTRY);
}

/* An error entry: xa_mk_internal(-errno), -MAX_ERRNO <= -errno <= -1. */
#define XA_ERROR(errno)		xa_mk_internal((unsigned long)(long)(errno))

static inline bool xa_is_err(const void *entry)
{
	return unlikely(xa_is_internal(entry) &&
			(unsigned long)entry >=
			(unsigned long)xa_mk_internal(-MAX_ERRNO));
}

/* 0, or the negative errno an error entry carries. */
static inline int xa_err(void *entry)
{
	if (xa_is_err(entry))
		return (long)entry >> 2;
	return 0;
}

/* Node pointers are internal entries above 4096 (below: special values). */
static inline bool xa_is_node(const void *entry)
{
	return xa_is_internal(entry) && (unsigned long)entry > 4096;
}

/* --- limits for xa_alloc ------------------------------------------------ */

struct xa_limit {
	u32 max;
	u32 min;
};

#ifndef USHRT_MAX
#define USHRT_MAX		((unsigned short)~0U)
#endif
#define XA_LIMIT(_min, _max)	((struct xa_limit) { .min = (_min), .max = (_max) })
#define xa_limit_32b		XA_LIMIT(0, UINT_MAX)
#define xa_limit_31b		XA_LIMIT(0, INT_MAX)
#define xa_limit_16b		XA_LIMIT(0, USHRT_MAX)

/* --- marks and flags ----------------------------------------------------- */

typedef unsigned int __bitwise xa_mark_t;
#define XA_MARK_0		((__force xa_mark_t)0U)
#define XA_MARK_1		((__force xa_mark_t)1U)
#define XA_MARK_2		((__force xa_mark_t)2U)
#define XA_PRESENT		((__force xa_mark_t)8U)
#define XA_MARK_MAX		XA_MARK_2
#define XA_FREE_MARK		XA_MARK_0
#define XA_MAX_MARKS		3

enum xa_lock_type {
	XA_LOCK_IRQ = 1,
	XA_LOCK_BH = 2,
};

/* xa_flags: lock type in bits 0-1, then behaviour bits, then root marks. */
#define XA_FLAGS_LOCK_IRQ	((__force gfp_t)XA_LOCK_IRQ)
#define XA_FLAGS_LOCK_BH	((__force gfp_t)XA_LOCK_BH)
#define XA_FLAGS_TRACK_FREE	((__force gfp_t)4U)
#define XA_FLAGS_ZERO_BUSY	((__force gfp_t)8U)
#define XA_FLAGS_ALLOC_WRAPPED	((__force gfp_t)16U)
#define XA_FLAGS_ACCOUNT	((__force gfp_t)32U)
#define XA_FLAGS_MARK_SHIFT	24
/* "some entry in the array has this mark" (lib/xarray.c keeps it exact) */
#define XA_FLAGS_MARK(mark)	((__force gfp_t)((1U << XA_FLAGS_MARK_SHIFT) << \
						 (__force unsigned int)(mark)))

/* Allocating arrays: free indices carry XA_FREE_MARK (so XA_MARK_0 is taken) */
#define XA_FLAGS_ALLOC		(XA_FLAGS_TRACK_FREE | XA_FLAGS_MARK(XA_FREE_MARK))
/* ... and index 0 is never handed out */
#define XA_FLAGS_ALLOC1		(XA_FLAGS_TRACK_FREE | XA_FLAGS_ZERO_BUSY)

/* --- the array ------------------------------------------------------------ */

struct xarray {
	spinlock_t	xa_lock;
	/* private: the rest of the data structure is not to be used directly. */
	gfp_t		xa_flags;
	void __rcu	*xa_head;
};

#define XARRAY_INIT(name, flags) {					\
	.xa_lock = __SPIN_LOCK_INITIALIZER(name.xa_lock),		\
	.xa_flags = (flags),						\
	.xa_head = NULL,						\
}

#define DEFINE_XARRAY_FLAGS(name, flags)				\
	struct xarray name = XARRAY_INIT(name, flags)
#define DEFINE_XARRAY(name)		DEFINE_XARRAY_FLAGS(name, 0)
#define DEFINE_XARRAY_ALLOC(name)	DEFINE_XARRAY_FLAGS(name, XA_FLAGS_ALLOC)
#define DEFINE_XARRAY_ALLOC1(name)	DEFINE_XARRAY_FLAGS(name, XA_FLAGS_ALLOC1)

/*
 * As in the kernel, each translation unit that calls xa_init_flags() has
 * its own lock class for xa_lock ("&xa->xa_lock").
 */
static inline void xa_init_flags(struct xarray *xa, gfp_t flags)
{
	spin_lock_init(&xa->xa_lock);
	xa->xa_flags = flags;
	xa->xa_head = NULL;
}

static inline void xa_init(struct xarray *xa)
{
	xa_init_flags(xa, 0);
}

/* True when nothing, not even a reservation, is stored. */
static inline bool xa_empty(const struct xarray *xa)
{
	return xa->xa_head == NULL;
}

/* True when some entry has @mark (for XA_FREE_MARK: internal). */
static inline bool xa_marked(const struct xarray *xa, xa_mark_t mark)
{
	return xa->xa_flags & XA_FLAGS_MARK(mark);
}

/* --- locking -------------------------------------------------------------- */

#define xa_trylock(xa)		spin_trylock(&(xa)->xa_lock)
#define xa_lock(xa)		spin_lock(&(xa)->xa_lock)
#define xa_unlock(xa)		spin_unlock(&(xa)->xa_lock)
#define xa_lock_bh(xa)		spin_lock_bh(&(xa)->xa_lock)
#define xa_unlock_bh(xa)	spin_unlock_bh(&(xa)->xa_lock)
#define xa_lock_irq(xa)		spin_lock_irq(&(xa)->xa_lock)
#define xa_unlock_irq(xa)	spin_unlock_irq(&(xa)->xa_lock)
#define xa_lock_irqsave(xa, flags) \
				spin_lock_irqsave(&(xa)->xa_lock, flags)
#define xa_unlock_irqrestore(xa, flags) \
				spin_unlock_irqrestore(&(xa)->xa_lock, flags)
#define xa_lock_nested(xa, subclass) \
				spin_lock_nested(&(xa)->xa_lock, subclass)
#define xa_lock_irqsave_nested(xa, flags, subclass) \
				spin_lock_irqsave_nested(&(xa)->xa_lock, flags, subclass)

/* --- the API: out-of-line parts (lib/xarray.c) ----------------------------
 *
 * @how says how the caller holds xa_lock for the duration of the call: the
 * normal API takes it itself with spin_lock (0), the _bh/_irq variants with
 * XA_LOCK_BH/XA_LOCK_IRQ; the __xa_* forms pass LUSIM_XA_CALLER_LOCKED (the
 * caller holds it, dropped and retaken per the array's lock type when @gfp
 * may block, as the kernel's __xas_nomem() does).
 */
#define LUSIM_XA_CALLER_LOCKED	(-1)

void *lusim_xa_load(struct xarray *xa, unsigned long index, const char *site);
void *lusim_xa_store(struct xarray *xa, unsigned long index, void *entry,
		     gfp_t gfp, int how, const char *site);
void *lusim_xa_erase(struct xarray *xa, unsigned long index, int how,
		     const char *site);
void *lusim_xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		       void *entry, gfp_t gfp, int how, const char *site);
int __must_check lusim_xa_insert(struct xarray *xa, unsigned long index,
				 void *entry, gfp_t gfp, int how,
				 const char *site);
int __must_check lusim_xa_alloc(struct xarray *xa, u32 *id, void *entry,
				struct xa_limit limit, gfp_t gfp, int how,
				const char *site);
int __must_check lusim_xa_alloc_cyclic(struct xarray *xa, u32 *id,
				       void *entry, struct xa_limit limit,
				       u32 *next, gfp_t gfp, int how,
				       const char *site);
void lusim_xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark,
		       int how, const char *site);
void lusim_xa_clear_mark(struct xarray *xa, unsigned long index,
			 xa_mark_t mark, int how, const char *site);
bool lusim_xa_get_mark(struct xarray *xa, unsigned long index, xa_mark_t mark,
		       const char *site);
void *lusim_xa_find(struct xarray *xa, unsigned long *indexp,
		    unsigned long max, xa_mark_t filter, const char *site);
void *lusim_xa_find_after(struct xarray *xa, unsigned long *indexp,
			  unsigned long max, xa_mark_t filter,
			  const char *site);
unsigned int lusim_xa_extract(struct xarray *xa, void **dst,
			      unsigned long start, unsigned long max,
			      unsigned int n, xa_mark_t filter,
			      const char *site);
void lusim_xa_destroy(struct xarray *xa, const char *site);

/* --- the API with the kernel's names --------------------------------------
 *
 * Return values as in the kernel: xa_store/xa_erase/xa_cmpxchg return the
 * previous entry with a reservation reported as NULL, or an error entry
 * (xa_is_err/xa_err: -EINVAL, -ENOMEM); xa_insert/xa_alloc/xa_reserve
 * return 0 or -EBUSY/-ENOMEM/-EINVAL; xa_alloc_cyclic returns 1 after
 * wrapping. A failed call leaves the array exactly as it was. *id of
 * xa_alloc is written once a free index was found, so on -ENOMEM it holds
 * the index that could not be filled (as in the kernel).
 */
#define xa_load(xa, index)	lusim_xa_load(xa, index, LUSIM_SITE)

#define xa_store(xa, index, entry, gfp) \
	lusim_xa_store(xa, index, entry, gfp, 0, LUSIM_SITE)
#define xa_store_bh(xa, index, entry, gfp) \
	lusim_xa_store(xa, index, entry, gfp, XA_LOCK_BH, LUSIM_SITE)
#define xa_store_irq(xa, index, entry, gfp) \
	lusim_xa_store(xa, index, entry, gfp, XA_LOCK_IRQ, LUSIM_SITE)
#define __xa_store(xa, index, entry, gfp) \
	lusim_xa_store(xa, index, entry, gfp, LUSIM_XA_CALLER_LOCKED, LUSIM_SITE)

#define xa_erase(xa, index)	lusim_xa_erase(xa, index, 0, LUSIM_SITE)
#define xa_erase_bh(xa, index)	lusim_xa_erase(xa, index, XA_LOCK_BH, LUSIM_SITE)
#define xa_erase_irq(xa, index)	lusim_xa_erase(xa, index, XA_LOCK_IRQ, LUSIM_SITE)
#define __xa_erase(xa, index) \
	lusim_xa_erase(xa, index, LUSIM_XA_CALLER_LOCKED, LUSIM_SITE)

#define xa_cmpxchg(xa, index, old, entry, gfp) \
	lusim_xa_cmpxchg(xa, index, old, entry, gfp, 0, LUSIM_SITE)
#define xa_cmpxchg_bh(xa, index, old, entry, gfp) \
	lusim_xa_cmpxchg(xa, index, old, entry, gfp, XA_LOCK_BH, LUSIM_SITE)
#define xa_cmpxchg_irq(xa, index, old, entry, gfp) \
	lusim_xa_cmpxchg(xa, index, old, entry, gfp, XA_LOCK_IRQ, LUSIM_SITE)
#define __xa_cmpxchg(xa, index, old, entry, gfp) \
	lusim_xa_cmpxchg(xa, index, old, entry, gfp, LUSIM_XA_CALLER_LOCKED, \
			 LUSIM_SITE)

#define xa_insert(xa, index, entry, gfp) \
	lusim_xa_insert(xa, index, entry, gfp, 0, LUSIM_SITE)
#define xa_insert_bh(xa, index, entry, gfp) \
	lusim_xa_insert(xa, index, entry, gfp, XA_LOCK_BH, LUSIM_SITE)
#define xa_insert_irq(xa, index, entry, gfp) \
	lusim_xa_insert(xa, index, entry, gfp, XA_LOCK_IRQ, LUSIM_SITE)
#define __xa_insert(xa, index, entry, gfp) \
	lusim_xa_insert(xa, index, entry, gfp, LUSIM_XA_CALLER_LOCKED, LUSIM_SITE)

#define xa_alloc(xa, id, entry, limit, gfp) \
	lusim_xa_alloc(xa, id, entry, limit, gfp, 0, LUSIM_SITE)
#define xa_alloc_bh(xa, id, entry, limit, gfp) \
	lusim_xa_alloc(xa, id, entry, limit, gfp, XA_LOCK_BH, LUSIM_SITE)
#define xa_alloc_irq(xa, id, entry, limit, gfp) \
	lusim_xa_alloc(xa, id, entry, limit, gfp, XA_LOCK_IRQ, LUSIM_SITE)
#define __xa_alloc(xa, id, entry, limit, gfp) \
	lusim_xa_alloc(xa, id, entry, limit, gfp, LUSIM_XA_CALLER_LOCKED, \
		       LUSIM_SITE)

#define xa_alloc_cyclic(xa, id, entry, limit, next, gfp) \
	lusim_xa_alloc_cyclic(xa, id, entry, limit, next, gfp, 0, LUSIM_SITE)
#define xa_alloc_cyclic_bh(xa, id, entry, limit, next, gfp) \
	lusim_xa_alloc_cyclic(xa, id, entry, limit, next, gfp, XA_LOCK_BH, \
			      LUSIM_SITE)
#define xa_alloc_cyclic_irq(xa, id, entry, limit, next, gfp) \
	lusim_xa_alloc_cyclic(xa, id, entry, limit, next, gfp, XA_LOCK_IRQ, \
			      LUSIM_SITE)
#define __xa_alloc_cyclic(xa, id, entry, limit, next, gfp) \
	lusim_xa_alloc_cyclic(xa, id, entry, limit, next, gfp, \
			      LUSIM_XA_CALLER_LOCKED, LUSIM_SITE)

/* Reserve: cmpxchg(NULL -> XA_ZERO_ENTRY); no-op (0) if something is there. */
#define xa_reserve(xa, index, gfp) \
	xa_err(lusim_xa_cmpxchg(xa, index, NULL, XA_ZERO_ENTRY, gfp, 0, LUSIM_SITE))
#define xa_reserve_bh(xa, index, gfp) \
	xa_err(lusim_xa_cmpxchg(xa, index, NULL, XA_ZERO_ENTRY, gfp, \
				XA_LOCK_BH, LUSIM_SITE))
#define xa_reserve_irq(xa, index, gfp) \
	xa_err(lusim_xa_cmpxchg(xa, index, NULL, XA_ZERO_ENTRY, gfp, \
				XA_LOCK_IRQ, LUSIM_SITE))
/* Release: cmpxchg(XA_ZERO_ENTRY -> NULL); no-op if the slot was filled. */
#define xa_release(xa, index) \
	((void)lusim_xa_cmpxchg(xa, index, XA_ZERO_ENTRY, NULL, 0, 0, LUSIM_SITE))

#define xa_set_mark(xa, index, mark) \
	lusim_xa_set_mark(xa, index, mark, 0, LUSIM_SITE)
#define xa_clear_mark(xa, index, mark) \
	lusim_xa_clear_mark(xa, index, mark, 0, LUSIM_SITE)
#define __xa_set_mark(xa, index, mark) \
	lusim_xa_set_mark(xa, index, mark, LUSIM_XA_CALLER_LOCKED, LUSIM_SITE)
#define __xa_clear_mark(xa, index, mark) \
	lusim_xa_clear_mark(xa, index, mark, LUSIM_XA_CALLER_LOCKED, LUSIM_SITE)
#define xa_get_mark(xa, index, mark) \
	lusim_xa_get_mark(xa, index, mark, LUSIM_SITE)

#define xa_find(xa, indexp, max, filter) \
	lusim_xa_find(xa, indexp, max, filter, LUSIM_SITE)
#define xa_find_after(xa, indexp, max, filter) \
	lusim_xa_find_after(xa, indexp, max, filter, LUSIM_SITE)
#define xa_extract(xa, dst, start, max, n, filter) \
	lusim_xa_extract(xa, dst, start, max, n, filter, LUSIM_SITE)
#define xa_destroy(xa)		lusim_xa_destroy(xa, LUSIM_SITE)

/* --- iteration --------------------------------------------------------------
 *
 * Each step is a fresh xa_find_after() from the last index, under its own
 * rcu_read_lock(): the body may erase or store (any index), and may drop and
 * retake xa_lock between iterations. @index must be an unsigned long.
 */
#define xa_for_each_range(xa, index, entry, start, last)		\
	for ((index) = (start),						\
	     (entry) = xa_find(xa, &(index), last, XA_PRESENT);		\
	     (entry);							\
	     (entry) = xa_find_after(xa, &(index), last, XA_PRESENT))

#define xa_for_each_start(xa, index, entry, start)			\
	xa_for_each_range(xa, index, entry, start, ULONG_MAX)

#define xa_for_each(xa, index, entry)					\
	xa_for_each_start(xa, index, entry, 0)

#define xa_for_each_marked(xa, index, entry, filter)			\
	for ((index) = 0,						\
	     (entry) = xa_find(xa, &(index), ULONG_MAX, filter);	\
	     (entry);							\
	     (entry) = xa_find_after(xa, &(index), ULONG_MAX, filter))

/* --- lusim: counters, checks, dump ---------------------------------------- */

/*
 * Deterministic counters: "O(log n)" claims are asserted on these (a node
 * visit is one node read by any walk: load, store, find, mark, erase).
 * Reset by lusim_reset_all().
 */
struct lusim_xa_stats {
	unsigned long nodes_visited;
	unsigned long nodes_allocated;	/* successful node allocations */
	unsigned long nodes_freed;	/* handed back (kfree or kfree_rcu) */
	unsigned long alloc_failed;	/* node allocations that failed */
};
extern struct lusim_xa_stats lusim_xa_stats;

/* Nodes currently in @xa's tree (walks it). */
unsigned long lusim_xa_nr_nodes(const struct xarray *xa);
/* Levels of nodes under xa_head (0: empty or a lone entry at index 0). */
unsigned int lusim_xa_height(const struct xarray *xa);
/*
 * Check every structural invariant (counts, parent links, mark and
 * presence bitmaps against the slots, root mark flags). Returns 0, or the
 * number of broken invariants after reporting XA-CORRUPT with the list.
 * Needs no lock in lusim's single-threaded runs.
 */
int lusim_xa_check(const struct xarray *xa);
/* Print the tree (FILE *; NULL = stderr). */
void lusim_xa_dump(const struct xarray *xa, void *stream);
/*
 * The oracles' read: the raw entry at @index (XA_ZERO_ENTRY included) and,
 * in *@marks if not NULL, its marks as bits 1 << XA_MARK_n (the free mark
 * of ALLOC arrays left out: it only mirrors presence). No lock, no RCU, no
 * counters, no journal.
 */
void *lusim_xa_peek(const struct xarray *xa, unsigned long index,
		    unsigned int *marks);
/*
 * Visit every stored slot (reservations included) in index order, with the
 * raw entry and marks as lusim_xa_peek() gives them. @fn must not change
 * the array. No lock, no RCU, no counters.
 */
void lusim_xa_walk(const struct xarray *xa,
		   void (*fn)(unsigned long index, void *entry,
			      unsigned int marks, void *arg),
		   void *arg);

#endif /* _LUSIM_LINUX_XARRAY_H */
