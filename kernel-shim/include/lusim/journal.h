/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The undo journal's hooks: how the shim tells the oracles (sim/check) about
 * every model-visible write while an op runs, so that a failed op can be
 * checked to leave the model exactly as it found it (ATOMIC-ERROR-PATH,
 * docs/oracles.md).
 *
 * The shim only calls; sim/check/journal.c records and judges. The cost when
 * no journal is active is one load and a not-taken branch per hook:
 * lusim_journal is NULL except between lusim_check_op_begin() and
 * lusim_check_op_end() with the ATOMIC-ERROR-PATH check enabled.
 *
 * Who calls what (each before or after the write, as noted):
 *
 *   slab (mm/slab.c)        lusim_journal_slab_alloc() after a successful
 *                           allocation, lusim_journal_slab_free() before an
 *                           object is freed. Objects allocated while
 *                           lusim_journal_internal is nonzero are the shim's
 *                           own bookkeeping (xarray nodes): neither hook
 *                           fires for them, then or when they are freed.
 *   xarray (lib/xarray.c)   lusim_journal_xa() before a slot's entry or marks
 *                           change (store, erase, cmpxchg, insert, alloc,
 *                           set/clear mark, and each slot of xa_destroy).
 *   refcount/kref           lusim_journal_cell() before the counter changes.
 *   sim/hw memory           lusim_journal_page_alloc()/_free() for every
 *                           block, lusim_journal_page_cpu() when the kernel
 *                           gets a CPU pointer into a page (hw_phys_to_virt)
 *                           or writes it (hw_mem_write): the page is
 *                           snapshotted before the kernel can change it.
 *   KHO                     lusim_journal_kho() when a (pfn, order) chunk
 *                           actually enters (+1) or leaves (-1) the
 *                           preserved set (idempotent calls do not count).
 *   anything else           lusim_journal_count(kind, key, delta, site): a
 *                           keyed counter that must net to zero.
 *
 * Lock state needs no hook: the journal compares the held-lock stack at op
 * begin and end.
 *
 * Cache fill is not a change. Populating a cache on demand (a shmem/memfd
 * hole filled in the page cache by a lookup: the folio, its page-cache slot)
 * is kept by the kernel when the op that caused it fails later on: the
 * kernel never undoes a cache fill on an error path, and the content is the
 * same (zeroes) as the hole it replaced. Code that fills such a cache
 * brackets exactly the fill with lusim_journal_cache_fill_begin()/_end();
 * no hook fires inside (allocations, slots, counters written there are not
 * recorded). Anything outside the bracket, including a later free or
 * modification of the filled object by the failed op, is recorded as usual.
 *
 * What the kernel commits is not a change either. Some kernel ops keep part
 * of what they did when a later step fails, in one of two shapes:
 *
 * - A committed step: a loop of self-contained steps, each complete on its
 *   own. IOMMU_IOAS_UNMAP (iopt_unmap_iova_range()) unmaps every area the
 *   range covers whole, one at a time, and fails with -ENOENT at the first
 *   area it covers only in part, keeping the areas already unmapped. The
 *   step is bracketed with lusim_journal_step_commit_begin()/_end() at the
 *   kernel's step boundary (after every check that can fail it); nothing
 *   inside is recorded. A reference taken before the loop and dropped after
 *   it stays judged. Frees deferred past the bracket (kfree_rcu, call_rcu)
 *   are outside it.
 * - A commit point: everything the op did up to a point is kept. A file LUO
 *   retrieved stays retrieved (LUO holds it until finish, a second
 *   RETRIEVE_FD hands it out again) when returning its fd fails later. The
 *   code calls lusim_journal_commit() there: the journal drops what it
 *   recorded so far and takes the objects and pages of the op as older
 *   from then on. Only where nothing transient (a reference taken to be
 *   dropped later) spans the point.
 *
 * Either way the failed op is judged against the committed state, a change
 * after it is still one, and the held-lock depth is compared with op begin.
 *
 * A written-off failure is not judged at all. Where the kernel gives up on
 * a state on purpose, documents what it leaves as leaked and names a reboot
 * as the recovery, and makes the failure sticky (every later call fails the
 * same way, so nothing can observe or reuse the leftovers), the code calls
 * lusim_journal_write_off() on that error path: the op is not judged, like
 * an op during which the kernel rebooted. Example: luo_session_deserialize()
 * ("we intentionally skip cleanup of sessions that were already restored
 * ... the expected recovery path is ... a reboot"; /dev/liveupdate opens
 * fail with -EIO from then on).
 *
 * A final failure may consume what the previous kernel handed over. LUO
 * runs a file's retrieve() once: a failed retrieve's errno is kept and
 * returned ever after, and the handler has given back the preserved state
 * it was handed (memfd: the folios it had restored and the rest). When LUO
 * keeps such an errno it calls lusim_journal_failure_final(); the failed op
 * is then allowed to have freed objects and pages older than itself, and
 * everything else must still net to zero (nothing it allocated still live,
 * no slot, reference, KHO chunk or lock left changed).
 */
#ifndef _LUSIM_JOURNAL_H
#define _LUSIM_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

struct xarray;

/* Keyed counters (lusim_journal_count). */
enum lusim_journal_count_kind {
	LUSIM_JOURNAL_KHO,		/* key: pfn << 8 | order */
	LUSIM_JOURNAL_MODEL,		/* free for model code and tests */
	LUSIM_JOURNAL_NR_COUNTS
};

struct lusim_journal_ops {
	void (*slab_alloc)(const void *obj, size_t size, const char *site);
	void (*slab_free)(const void *obj, size_t size, unsigned long seq,
			  const char *alloc_site, const char *site);
	void (*xa)(const struct xarray *xa, unsigned long index,
		   const char *site);
	void (*cell)(const void *addr, size_t len, const char *what,
		     const char *site);
	void (*page_alloc)(uint64_t phys, unsigned int order);
	void (*page_free)(uint64_t phys, unsigned int order);
	void (*page_cpu)(uint64_t phys, size_t len);
	void (*count)(unsigned int kind, uint64_t key, long delta,
		      const char *site);
	void (*commit)(void);
};

/* The active journal, or NULL (kernel-shim/lusim/journal.c). */
extern const struct lusim_journal_ops *lusim_journal;
/* Nonzero while the shim allocates its own bookkeeping (xarray nodes). */
extern unsigned int lusim_journal_internal;
/* Nonzero inside a cache fill (see above): no hook records anything. */
extern unsigned int lusim_journal_cache_fill;
/* Nonzero inside a committed step (see above): no hook records anything. */
extern unsigned int lusim_journal_step_commit;
/* Set by lusim_journal_write_off() (see above); the journal clears it. */
extern unsigned int lusim_journal_written_off;
/* Set by lusim_journal_failure_final() (see above); reset per op. */
extern unsigned int lusim_journal_final;

#define __lusim_journal_on()						\
	__builtin_expect(lusim_journal != NULL &&			\
			 !(lusim_journal_cache_fill |			\
			   lusim_journal_step_commit), 0)

static inline void lusim_journal_cache_fill_begin(void)
{
	lusim_journal_cache_fill++;
}

static inline void lusim_journal_cache_fill_end(void)
{
	lusim_journal_cache_fill--;
}

static inline void lusim_journal_step_commit_begin(void)
{
	lusim_journal_step_commit++;
}

static inline void lusim_journal_step_commit_end(void)
{
	lusim_journal_step_commit--;
}

/* A commit point (see above). */
static inline void lusim_journal_commit(void)
{
	if (__lusim_journal_on())
		lusim_journal->commit();
}

static inline void lusim_journal_write_off(void)
{
	if (lusim_journal)
		lusim_journal_written_off = 1;
}

static inline void lusim_journal_failure_final(void)
{
	if (lusim_journal)
		lusim_journal_final = 1;
}

static inline void lusim_journal_slab_alloc(const void *obj, size_t size,
					    const char *site)
{
	if (__lusim_journal_on())
		lusim_journal->slab_alloc(obj, size, site);
}

static inline void lusim_journal_slab_free(const void *obj, size_t size,
					   unsigned long seq,
					   const char *alloc_site,
					   const char *site)
{
	if (__lusim_journal_on())
		lusim_journal->slab_free(obj, size, seq, alloc_site, site);
}

static inline void lusim_journal_xa(const struct xarray *xa,
				    unsigned long index, const char *site)
{
	if (__lusim_journal_on())
		lusim_journal->xa(xa, index, site);
}

static inline void lusim_journal_cell(const void *addr, size_t len,
				      const char *what, const char *site)
{
	if (__lusim_journal_on())
		lusim_journal->cell(addr, len, what, site);
}

static inline void lusim_journal_page_alloc(uint64_t phys, unsigned int order)
{
	if (__lusim_journal_on())
		lusim_journal->page_alloc(phys, order);
}

static inline void lusim_journal_page_free(uint64_t phys, unsigned int order)
{
	if (__lusim_journal_on())
		lusim_journal->page_free(phys, order);
}

static inline void lusim_journal_page_cpu(uint64_t phys, size_t len)
{
	if (__lusim_journal_on())
		lusim_journal->page_cpu(phys, len);
}

static inline void lusim_journal_count(unsigned int kind, uint64_t key,
				       long delta, const char *site)
{
	if (__lusim_journal_on())
		lusim_journal->count(kind, key, delta, site);
}

/* A KHO chunk entered (+1) or left (-1) the preserved set. */
static inline void lusim_journal_kho(unsigned long pfn, unsigned int order,
				     long delta, const char *site)
{
	lusim_journal_count(LUSIM_JOURNAL_KHO, ((uint64_t)pfn << 8) | order,
			    delta, site);
}

#endif /* _LUSIM_JOURNAL_H */
