/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/gfp.h (and might_alloc() from sched/mm.h)
 * Models: the GFP flags (<linux/gfp_types.h>), gfpflags_allow_blocking(),
 *         and might_alloc(gfp): a blocking gfp is a sleep point even when
 *         nothing ends up being allocated (AMENDMENTS, "Stronger slab and
 *         xarray checks"), so GFP_KERNEL under a spinlock reports
 *         LOCK-SLEEP-IN-ATOMIC and inside rcu_read_lock() LOCK-SLEEP-IN-RCU
 *         through might_sleep() of <linux/sched.h>; GFP_ATOMIC/GFP_NOWAIT
 *         never do. The slab entry points (<linux/slab.h>) run the same
 *         check with their caller's site.
 *         The page allocator half of the kernel's gfp.h (alloc_pages,
 *         __get_free_pages, free_pages, ...) and PAGE_SIZE live in
 *         <linux/mm.h>, included at the end, so code that includes only
 *         gfp.h or slab.h sees them as in the kernel.
 * Leaves out: zones, nodes, memory policies, fs_reclaim lockdep
 *         annotations.
 */
#ifndef _LUSIM_LINUX_GFP_H
#define _LUSIM_LINUX_GFP_H

#include <linux/types.h>
#include <linux/gfp_types.h>
#include <linux/sched.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

#define NUMA_NO_NODE	(-1)

static inline bool gfpflags_allow_blocking(const gfp_t gfp_flags)
{
	return !!(gfp_flags & __GFP_DIRECT_RECLAIM);
}

/* might_alloc() with an explicit site, for shim code that forwards one. */
static inline void lusim_might_alloc(gfp_t gfp_mask, const char *site)
{
	if (gfpflags_allow_blocking(gfp_mask))
		lusim_might_sleep(site);
}

#define might_alloc(gfp_mask)	lusim_might_alloc(gfp_mask, LUSIM_SITE)

#endif /* _LUSIM_LINUX_GFP_H */

/* after the guard's body: mm.h includes this header itself */
#include <linux/mm.h>
