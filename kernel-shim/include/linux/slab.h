/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/slab.h (kmalloc family, kvmalloc family,
 *             kmem_cache, kfree_rcu via <linux/rcupdate.h>)
 * Models: kmalloc, kzalloc, kcalloc, kmalloc_array, krealloc(_array),
 *         kmemdup & kstrdup (<linux/string.h>), kfree (kfree(NULL) and
 *         kfree(ZERO_SIZE_PTR) are no-ops), kfree_sensitive, ksize,
 *         kvmalloc, kvzalloc, kvcalloc, kvmalloc_array, kvrealloc, kvfree,
 *         kmem_cache_create/alloc/zalloc/free/destroy, KMEM_CACHE,
 *         DEFINE_FREE(kfree)/(kvfree) for __free() of <linux/cleanup.h>.
 *         Every allocation:
 *           - is a sleep point when its gfp may block (might_alloc());
 *           - is a LUSIM_FAULT_SLAB fault point (<lusim/fault.h>), except
 *             __GFP_NOFAIL and size 0; an injected failure returns NULL;
 *           - records its caller's "file:line" for the leak report;
 *           - is tracked in a hash set of live objects, so kfree of a
 *             pointer slab never returned (SLAB-INVALID-FREE) or already
 *             freed (SLAB-DOUBLE-FREE) is reported without dereferencing
 *             it blindly.
 *         Freed memory is poisoned with 0x6b (POISON_FREE, last byte 0xa5)
 *         and kept in a bounded FIFO quarantine; a write into it shows up
 *         as SLAB-USE-AFTER-FREE when it leaves the quarantine, a write
 *         past the end as SLAB-REDZONE at kfree (ASan builds catch both at
 *         the faulting access). kmalloc(0) returns ZERO_SIZE_PTR.
 *         Power-of-two sizes up to 4096 are naturally aligned, the rest 16.
 * Leaves out: size classes and slab pages (each object is its own host
 *         allocation), NUMA nodes (the _node variants ignore the node),
 *         memcg accounting, kmalloc_obj-style and *_noprof variants,
 *         kmem_cache_create's struct kmem_cache_args form, bulk alloc/free,
 *         SLAB_TYPESAFE_BY_RCU reuse (such objects are not poisoned, but are
 *         not kept type-stable beyond the quarantine either).
 *
 * Finding ids: SLAB-LEAK (lusim_slab_check_leaks), SLAB-DOUBLE-FREE,
 * SLAB-INVALID-FREE, SLAB-REDZONE, SLAB-USE-AFTER-FREE, SLAB-MISMATCHED-FREE
 * (kfree of a large kvmalloc object), SLAB-WRONG-CACHE, SLAB-CACHE-BUSY
 * (kmem_cache_destroy with live objects), SLAB-TOO-LARGE (a size above the
 * kmalloc / kvmalloc limit without __GFP_NOWARN: the kernel's WARN).
 */
#ifndef _LUSIM_LINUX_SLAB_H
#define _LUSIM_LINUX_SLAB_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/cleanup.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

#define ARCH_KMALLOC_MINALIGN	16
#define KMALLOC_MIN_SIZE	8
#define KMALLOC_SHIFT_MAX	22
#define KMALLOC_MAX_SIZE	(1UL << KMALLOC_SHIFT_MAX)	/* 4 MiB */
#define KMALLOC_MAX_CACHE_SIZE	8192UL
/* kvmalloc refuses (and WARNs about) more than INT_MAX bytes */
#define KVMALLOC_MAX_SIZE	((size_t)0x7fffffff)

#define POISON_FREE		0x6b
#define POISON_END		0xa5
#define SLUB_RED_ACTIVE		0xcc

/* kmem_cache_create() flags */
typedef unsigned int slab_flags_t;
#define SLAB_HWCACHE_ALIGN	((slab_flags_t)0x00002000u)
#define SLAB_CACHE_DMA		((slab_flags_t)0x00004000u)
#define SLAB_CACHE_DMA32	((slab_flags_t)0x00008000u)
#define SLAB_PANIC		((slab_flags_t)0x00040000u)
#define SLAB_TYPESAFE_BY_RCU	((slab_flags_t)0x00080000u)
#define SLAB_ACCOUNT		((slab_flags_t)0x04000000u)
#define SLAB_RECLAIM_ACCOUNT	((slab_flags_t)0x00020000u)
#define SLAB_NO_MERGE		((slab_flags_t)0x01000000u)

struct kmem_cache;

/* --- entry points: the macros below pass the caller's site ------------- */

void *__lusim_kmalloc(size_t size, gfp_t flags, const char *site,
		      const char *func) __attribute__((__malloc__));
void *__lusim_kmalloc_array(size_t n, size_t size, gfp_t flags,
			    const char *site, const char *func)
	__attribute__((__malloc__));
void *__lusim_krealloc(const void *p, size_t new_size, gfp_t flags,
		       const char *site, const char *func);
void *__lusim_kvmalloc(size_t size, gfp_t flags, const char *site,
		       const char *func) __attribute__((__malloc__));
void *__lusim_kvmalloc_array(size_t n, size_t size, gfp_t flags,
			     const char *site, const char *func)
	__attribute__((__malloc__));
void *__lusim_kvrealloc(const void *p, size_t new_size, gfp_t flags,
			const char *site, const char *func);
void __lusim_kfree(const void *objp, const char *site);
void __lusim_kvfree(const void *objp, const char *site);
void __lusim_kfree_sensitive(const void *objp, const char *site);
void *__lusim_kmem_cache_alloc(struct kmem_cache *s, gfp_t flags,
			       const char *site, const char *func);
void __lusim_kmem_cache_free(struct kmem_cache *s, void *objp,
			     const char *site);

/*
 * Real functions too, for code that takes their address (kfree as a
 * callback, DEFINE_FREE bodies); the parentheses keep the function-like
 * macros of the same name from expanding here.
 */
void (kfree)(const void *objp);
void (kvfree)(const void *objp);
void (kfree_sensitive)(const void *objp);

size_t ksize(const void *objp);

#define kmalloc(size, flags)	__lusim_kmalloc(size, flags, LUSIM_SITE, __func__)
#define kzalloc(size, flags)	__lusim_kmalloc(size, (flags) | __GFP_ZERO, LUSIM_SITE, __func__)
#define kmalloc_array(n, size, flags) \
	__lusim_kmalloc_array(n, size, flags, LUSIM_SITE, __func__)
#define kcalloc(n, size, flags) \
	__lusim_kmalloc_array(n, size, (flags) | __GFP_ZERO, LUSIM_SITE, __func__)
#define kmalloc_node(size, flags, node)	((void)(node), kmalloc(size, flags))
#define kzalloc_node(size, flags, node)	((void)(node), kzalloc(size, flags))
#define kmalloc_array_node(n, size, flags, node) \
	((void)(node), kmalloc_array(n, size, flags))
#define kcalloc_node(n, size, flags, node) \
	((void)(node), kcalloc(n, size, flags))
#define krealloc(p, new_size, flags) \
	__lusim_krealloc(p, new_size, flags, LUSIM_SITE, __func__)
#define krealloc_array(p, new_n, new_size, flags) \
	__lusim_krealloc(p, size_mul(new_n, new_size), flags, LUSIM_SITE, __func__)

#define kvmalloc(size, flags)	__lusim_kvmalloc(size, flags, LUSIM_SITE, __func__)
#define kvzalloc(size, flags)	__lusim_kvmalloc(size, (flags) | __GFP_ZERO, LUSIM_SITE, __func__)
#define kvmalloc_node(size, flags, node)	((void)(node), kvmalloc(size, flags))
#define kvzalloc_node(size, flags, node)	((void)(node), kvzalloc(size, flags))
#define kvmalloc_array(n, size, flags) \
	__lusim_kvmalloc_array(n, size, flags, LUSIM_SITE, __func__)
#define kvcalloc(n, size, flags) \
	__lusim_kvmalloc_array(n, size, (flags) | __GFP_ZERO, LUSIM_SITE, __func__)
#define kvrealloc(p, size, flags) \
	__lusim_kvrealloc(p, size, flags, LUSIM_SITE, __func__)

#define kfree(objp)		__lusim_kfree(objp, LUSIM_SITE)
#define kvfree(objp)		__lusim_kvfree(objp, LUSIM_SITE)
#define kfree_sensitive(objp)	__lusim_kfree_sensitive(objp, LUSIM_SITE)
#define kvfree_sensitive(objp, len) \
	((void)(len), __lusim_kfree_sensitive(objp, LUSIM_SITE))

/* --- kmem_cache --------------------------------------------------------- */

/*
 * Caches are not slab objects themselves (a cache that is never destroyed is
 * not a leak, as for the kernel's boot-time caches). @ctor runs on every
 * allocation (each object is fresh memory here).
 */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
unsigned int kmem_cache_size(struct kmem_cache *s);
/* objects of @s not yet freed (lusim) */
unsigned long lusim_kmem_cache_live(const struct kmem_cache *s);

#define KMEM_CACHE(__struct, __flags)					\
	kmem_cache_create(#__struct, sizeof(struct __struct),		\
			  __alignof__(struct __struct), (__flags), NULL)

#define kmem_cache_alloc(s, flags) \
	__lusim_kmem_cache_alloc(s, flags, LUSIM_SITE, __func__)
#define kmem_cache_zalloc(s, flags) \
	__lusim_kmem_cache_alloc(s, (flags) | __GFP_ZERO, LUSIM_SITE, __func__)
#define kmem_cache_alloc_node(s, flags, node) \
	((void)(node), kmem_cache_alloc(s, flags))
#define kmem_cache_free(s, objp) __lusim_kmem_cache_free(s, objp, LUSIM_SITE)

/* --- __free() support (<linux/cleanup.h>) -------------------------------- */

DEFINE_FREE(kfree, void *, if (!IS_ERR_OR_NULL(_T)) __lusim_kfree(_T, "__free(kfree)"))
DEFINE_FREE(kvfree, void *, if (!IS_ERR_OR_NULL(_T)) __lusim_kvfree(_T, "__free(kvfree)"))
DEFINE_FREE(kfree_sensitive, void *,
	    if (_T) __lusim_kfree_sensitive(_T, "__free(kfree_sensitive)"))

/* --- lusim: accounting and the leak check ------------------------------- */

/* Objects / bytes handed out and not yet freed (quarantine excluded). */
unsigned long lusim_slab_live_objects(void);
unsigned long lusim_slab_live_bytes(void);

struct lusim_slab_stats {
	unsigned long allocs;		/* successful allocations */
	unsigned long frees;		/* successful frees */
	unsigned long failed;		/* allocations that returned NULL */
	unsigned long live_objects;
	unsigned long live_bytes;
	unsigned long peak_objects;
	unsigned long peak_bytes;
	unsigned long quarantined;	/* freed objects still held back */
	/* hash-set work, for the O(1) claim (deterministic per address set) */
	unsigned long lookups;
	unsigned long probes;		/* slots inspected by all lookups */
	unsigned long rehashes;		/* table growths since boot */
	unsigned long table_size;
};
void lusim_slab_stats(struct lusim_slab_stats *st);

/*
 * A mark: objects allocated after it are "new". Passing 0 to the functions
 * below means "since boot".
 */
unsigned long lusim_slab_mark(void);

/*
 * Report every object allocated after @mark and still live as one SLAB-LEAK
 * finding: the message counts objects and bytes, the detail lists them
 * grouped by allocation site in allocation order, the finding's site is the
 * oldest leaked object's allocation site. Returns the number of leaked
 * objects (0: nothing reported). Pending RCU callbacks may still free
 * objects: call rcu_barrier() first (the detail says so when any are
 * pending).
 */
unsigned long lusim_slab_check_leaks_since(unsigned long mark);
static inline unsigned long lusim_slab_check_leaks(void)
{
	return lusim_slab_check_leaks_since(0);
}

/*
 * Free every object allocated after @mark that is still live, without a
 * report (a harness that has already checked, tearing down a run). Returns
 * the number freed.
 */
unsigned long lusim_slab_free_since(unsigned long mark);

/* Release the quarantine (each object's poison is checked first). */
void lusim_slab_flush_quarantine(void);

/*
 * Host blocks from the slab's pool (on by default in ASan builds) or from
 * malloc() (the default otherwise); returns the previous setting. Where an
 * object's bytes live never changes a result: the equivalence test runs
 * the corpus both ways.
 */
bool lusim_slab_set_pool(bool on);

/* Is @p the start of a live slab object? (never dereferences @p) */
bool lusim_slab_is_live(const void *p);

/*
 * What slab knows about the object that starts at @p, live or still in the
 * quarantine (for oracles: findings name objects by allocation site, never
 * by address). False if @p is not the start of such an object.
 */
struct lusim_slab_obj_info {
	size_t size;
	const char *site;		/* allocation site */
	const char *free_site;		/* NULL while live */
	const char *cache;		/* "kmalloc" or the cache name */
	unsigned long seq;		/* allocation sequence number */
	bool live;
};
bool lusim_slab_obj_info(const void *p, struct lusim_slab_obj_info *info);

/*
 * Call @fn for every live object allocated after @mark (0: since boot), in
 * allocation order, leaving out the shim's own bookkeeping (xarray nodes).
 * @fn must not allocate or free. Returns the number of objects visited.
 */
unsigned long lusim_slab_for_each_live_since(unsigned long mark,
		void (*fn)(const void *obj, const struct lusim_slab_obj_info *info,
			   void *arg),
		void *arg);

#endif /* _LUSIM_LINUX_SLAB_H */
