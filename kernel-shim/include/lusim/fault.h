/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deterministic fault injection: the one switchboard every fallible shim
 * primitive asks "should this call fail?" (slab allocations now; KHO
 * preserve, page allocation, driver ops and user copies as they appear).
 *
 * The kernel's counterpart is failslab / fail_page_alloc with
 * /proc/self/fail-nth: the n-th fault-injectable call after arming fails.
 * Here there is no randomness at all. Each class keeps
 *
 *   - a call counter: every lusim_should_fail() of that class counts, so a
 *     harness can learn how many fault points an op passes (count before and
 *     after) and then sweep them one by one (fail 1st, 2nd, ... k-th);
 *   - at most one armed "n-th call" trigger (lusim_fail_nth), which fires
 *     once;
 *   - a short list of armed site patterns (lusim_fail_site): a call whose
 *     site ("file:line") or function name contains the pattern fails.
 *
 * A sweep, as in the kernel's iommufd selftests:
 *
 *	before = lusim_fault_count(LUSIM_FAULT_SLAB);
 *	run_op();                       // learn k = count - before
 *	for (n = 1; n <= k; n++) {
 *		lusim_reset_all(); replay_prefix();
 *		lusim_fail_nth(LUSIM_FAULT_SLAB, n);
 *		run_op();               // must fail cleanly, state unchanged
 *	}
 *
 * lusim_fault_suspend()/resume() bracket code whose allocations must not
 * count or fail (checkers, snapshot code, boot done by the harness).
 *
 * Everything here is reset by lusim_reset_all(): counters to zero, triggers
 * disarmed, suspension lifted (the hook stays). lusim_reset_kernel() (a
 * kexec) leaves it alone, like the machine: a sweep may target calls made
 * after the reboot.
 */
#ifndef _LUSIM_FAULT_H
#define _LUSIM_FAULT_H

#include <stdbool.h>

enum lusim_fault_class {
	LUSIM_FAULT_SLAB,	/* kmalloc & co, kmem_cache_alloc (mm/slab.c) */
	LUSIM_FAULT_PAGE,	/* page allocator: alloc_pages, iommu-pages */
	LUSIM_FAULT_KHO,	/* kho_preserve_folio / _pages / _alloc_preserve */
	LUSIM_FAULT_DRIVER,	/* IOMMU driver and device ops */
	LUSIM_FAULT_USER,	/* copy_to_user / copy_from_user */
	LUSIM_FAULT_NR_CLASSES
};

/* "slab", "page", "kho", "driver", "user"; NULL for an unknown class */
const char *lusim_fault_class_name(enum lusim_fault_class cls);
/* Inverse of the above; -1 if unknown. */
int lusim_fault_class_parse(const char *name);

/*
 * Fail the n-th call of @cls counted from now (1 = the very next one), once.
 * Replaces an earlier trigger of the same class; n == 0 disarms it.
 */
void lusim_fail_nth(enum lusim_fault_class cls, unsigned long n);

/*
 * Fail the next call of @cls whose site ("file:line") or function name
 * contains @pattern (a substring, e.g. "device.c:412", "iommufd_device_bind"
 * or just "device.c"). The pattern is copied. Returns 0, or -1 if the pattern
 * is empty / too long or the table of armed patterns is full.
 */
int lusim_fail_site(enum lusim_fault_class cls, const char *pattern);
/* The same, failing @times matching calls; times < 0: every matching call. */
int lusim_fail_site_times(enum lusim_fault_class cls, const char *pattern,
			  int times);

/* Disarm every trigger of @cls (counters keep counting). */
void lusim_fault_disarm(enum lusim_fault_class cls);

/*
 * The fault point. Counts the call, then answers whether it must fail.
 * @site is "file:line" (may be NULL), @func the caller's function name (may
 * be NULL; lusim_should_fail passes NULL).
 */
bool lusim_should_fail_at(enum lusim_fault_class cls, const char *site,
			  const char *func);

static inline bool lusim_should_fail(enum lusim_fault_class cls,
				     const char *site)
{
	return lusim_should_fail_at(cls, site, (const char *)0);
}

/* Calls of @cls counted since the last reset (suspended calls excluded). */
unsigned long lusim_fault_count(enum lusim_fault_class cls);
/* Failures injected into @cls since the last reset. */
unsigned long lusim_fault_injected(enum lusim_fault_class cls);
/* Site of the last failure injected into @cls, or NULL. */
const char *lusim_fault_last_site(enum lusim_fault_class cls);

/* Nestable: while suspended, calls neither count nor fail. */
void lusim_fault_suspend(void);
void lusim_fault_resume(void);

/*
 * Called after each injected failure (op traces print it). NULL removes it.
 * @nth is the class's call counter value of the failed call.
 */
typedef void (*lusim_fault_hook_fn)(enum lusim_fault_class cls,
				    const char *site, const char *func,
				    unsigned long nth);
void lusim_fault_set_hook(lusim_fault_hook_fn fn);

/* Back to boot state (also registered with lusim_reset_all). */
void lusim_fault_reset(void);

#endif /* _LUSIM_FAULT_H */
