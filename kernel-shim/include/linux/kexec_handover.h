/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/kexec_handover.h
 * Models: Kexec HandOver memory preservation (kernel-model.md 2):
 *         kho_preserve_folio / kho_unpreserve_folio, kho_preserve_pages /
 *         kho_unpreserve_pages (split into naturally aligned power-of-two
 *         chunks), kho_alloc_preserve / kho_unpreserve_free, and in the new
 *         kernel kho_restore_folio / kho_restore_pages / kho_restore_free /
 *         kho_is_restorable_phys; named sub-trees (kho_add_subtree,
 *         kho_remove_subtree, kho_retrieve_subtree); kho_is_enabled,
 *         is_kho_boot; kho_finalize (called by liveupdate_reboot()).
 *         Preservation is a set of (pfn, order) bits: preserving twice is
 *         idempotent, one unpreserve clears it, there is no refcount, and
 *         unpreserve must use the same split as preserve (a key that is not
 *         set WARNs). Preserve and unpreserve may sleep (might_sleep()).
 *         Each preserve of a chunk is a LUSIM_FAULT_KHO fault point
 *         (-ENOMEM, as if the tracking tree could not grow); preserving
 *         after kho_finalize() fails with a configurable errno
 *         (lusim_kho_set_preserve_after_finalize(), default -EBUSY).
 *         Restore succeeds once per preserved chunk head; anything else
 *         (not preserved, not a head, already restored) WARNs and returns
 *         NULL. The serialized form (kernel-shim/include/linux/kho/abi/
 *         kexec_handover.h) is written into simulated pages at finalize and
 *         parsed, with every length bounded, by the next kernel.
 * Leaves out: vmalloc preservation (kho_preserve_vmalloc), scratch areas
 *         (no overlap -EINVAL), the FDT format of sub-trees (a sub-tree is a
 *         named physical address of a preserved blob), debugfs.
 */
#ifndef _LUSIM_LINUX_KEXEC_HANDOVER_H
#define _LUSIM_LINUX_KEXEC_HANDOVER_H

#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <linux/kho/abi/kexec_handover.h>

struct folio;
struct page;

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

bool kho_is_enabled(void);
bool is_kho_boot(void);

/*
 * Real functions, and macros of the same names that pass the caller's site
 * and function to the fault point and the findings (the parentheses keep
 * the macros from expanding in the declarations).
 */
int (kho_preserve_folio)(struct folio *folio);
void (kho_unpreserve_folio)(struct folio *folio);
int (kho_preserve_pages)(struct page *page, unsigned long nr_pages);
void (kho_unpreserve_pages)(struct page *page, unsigned long nr_pages);
void *(kho_alloc_preserve)(size_t size);
void (kho_unpreserve_free)(void *mem);
void (kho_restore_free)(void *mem);
struct folio *(kho_restore_folio)(phys_addr_t phys);
struct page *(kho_restore_pages)(phys_addr_t phys, unsigned long nr_pages);
bool kho_is_restorable_phys(phys_addr_t phys);

int lusim_kho_preserve_folio(struct folio *folio, const char *site,
			     const char *func);
void lusim_kho_unpreserve_folio(struct folio *folio, const char *site);
int lusim_kho_preserve_pages(struct page *page, unsigned long nr_pages,
			     const char *site, const char *func);
void lusim_kho_unpreserve_pages(struct page *page, unsigned long nr_pages,
				const char *site);
void *lusim_kho_alloc_preserve(size_t size, const char *site, const char *func);
void lusim_kho_unpreserve_free(void *mem, const char *site);
void lusim_kho_restore_free(void *mem, const char *site);
struct folio *lusim_kho_restore_folio(phys_addr_t phys, const char *site);
struct page *lusim_kho_restore_pages(phys_addr_t phys, unsigned long nr_pages,
				     const char *site);

#define kho_preserve_folio(folio)					\
	lusim_kho_preserve_folio(folio, LUSIM_SITE, __func__)
#define kho_unpreserve_folio(folio)					\
	lusim_kho_unpreserve_folio(folio, LUSIM_SITE)
#define kho_preserve_pages(page, nr)					\
	lusim_kho_preserve_pages(page, nr, LUSIM_SITE, __func__)
#define kho_unpreserve_pages(page, nr)					\
	lusim_kho_unpreserve_pages(page, nr, LUSIM_SITE)
#define kho_alloc_preserve(size)					\
	lusim_kho_alloc_preserve(size, LUSIM_SITE, __func__)
#define kho_unpreserve_free(mem)	lusim_kho_unpreserve_free(mem, LUSIM_SITE)
#define kho_restore_free(mem)		lusim_kho_restore_free(mem, LUSIM_SITE)
#define kho_restore_folio(phys)		lusim_kho_restore_folio(phys, LUSIM_SITE)
#define kho_restore_pages(phys, nr)	lusim_kho_restore_pages(phys, nr, LUSIM_SITE)

int kho_add_subtree(const char *name, void *fdt);
void kho_remove_subtree(void *fdt);
int kho_retrieve_subtree(const char *name, phys_addr_t *phys);

/* Serialize the preserved set for the next kernel (liveupdate_reboot()). */
int kho_finalize(void);

/* --- lusim --------------------------------------------------------------- */

/*
 * errno of kho_preserve_* after kho_finalize() (default -EBUSY, as older KHO
 * versions did). 0 lets the preserve succeed: the chunk is then tracked but
 * missing from the serialized set, so it does not survive the kexec.
 * A command-line-like setting: survives kexec, reset at power-on.
 */
void lusim_kho_set_preserve_after_finalize(int err);
/*
 * The "kho=off" command line: from the next boot on, kho_is_enabled() is
 * false, preserve returns -EOPNOTSUPP and a handover is ignored (all memory
 * free). Survives kexec, reset at power-on.
 */
void lusim_kho_set_enabled(bool enabled);

/* Is this (pfn, order) chunk in the outgoing preserved set? */
bool lusim_kho_is_preserved(unsigned long pfn, unsigned int order);
/* Is any chunk covering @pfn preserved (outgoing)? */
bool lusim_kho_pfn_preserved(unsigned long pfn);
/* Chunks / pages in the outgoing set. */
unsigned long lusim_kho_nr_preserved_chunks(void);
unsigned long lusim_kho_nr_preserved_pages(void);
bool lusim_kho_finalized(void);

/*
 * Incoming side: chunks handed over by the previous kernel that nobody has
 * restored yet (their frames stay reserved), and whether the handover was
 * accepted (0), absent (-ENOENT) or rejected by the parser (-EINVAL ...).
 */
unsigned long lusim_kho_nr_unrestored_chunks(void);
int lusim_kho_incoming_status(void);

/*
 * Used by the kexec code (kernel-shim/kernel/kexec.c): the physical address
 * of the serialized root written by kho_finalize() (0 if not finalized), and
 * whether @pfn must be kept by the machine across the kexec (in the
 * serialized set, or a page of the serialized form itself).
 */
phys_addr_t lusim_kho_handover_phys(void);
bool lusim_kho_keep_pfn(unsigned long pfn);

/* Deterministic work counters (the O(log n) claims are asserted on them). */
struct lusim_kho_stats {
	unsigned long lookups;		/* binary searches of a leaf array */
	unsigned long lookup_steps;	/* their iterations */
	unsigned long leaves;		/* bitmap leaves now */
	unsigned long rejected;		/* handovers rejected by the parser */
};
void lusim_kho_get_stats(struct lusim_kho_stats *st);

#endif /* _LUSIM_LINUX_KEXEC_HANDOVER_H */
