/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of sim/check share and nobody else uses: a small hash map
 * (host memory: the oracles never allocate from the slab they judge), the
 * journal's entry points for the runner, a text buffer.
 */
#ifndef _LUSIM_CHECK_INTERNAL_H
#define _LUSIM_CHECK_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

/* ---- a map (kind, a, b) -> uint32_t, cleared in O(entries) ---- */

struct ck_slot {
	uint64_t a, b;
	uint32_t kind;
	uint32_t val;		/* value + 1; 0 = empty */
};

struct ck_map {
	struct ck_slot *slots;
	uint32_t size;		/* power of two, or 0 */
	uint32_t count;
	uint32_t *used;		/* slots in use, for a cheap clear */
};

/* The value stored for the key, or NULL. */
uint32_t *ck_map_get(struct ck_map *m, uint32_t kind, uint64_t a, uint64_t b);
/* Store (the key must not be present). */
void ck_map_put(struct ck_map *m, uint32_t kind, uint64_t a, uint64_t b,
		uint32_t val);
void ck_map_clear(struct ck_map *m);
void ck_map_release(struct ck_map *m);

/* Grow @*p (elements of @size) so that index @n fits; aborts on host OOM. */
void *ck_grow(void *p, size_t *cap, size_t n, size_t size);

/* ---- text buffers (findings' details, dumps) ---- */

struct ck_buf {
	char *s;
	size_t len, cap;
	size_t limit;		/* 0 = unbounded; else stop (and mark) there */
	bool truncated;
};

void ck_buf_printf(struct ck_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ck_buf_vprintf(struct ck_buf *b, const char *fmt, va_list ap);
void ck_buf_free(struct ck_buf *b);

/* ---- the journal (journal.c), driven by the runner (check.c) ---- */

/* Start recording for an op (the ATOMIC-ERROR-PATH check is enabled). */
void ck_journal_begin(void);
/* Stop recording and forget the op (kexec, power-on). */
void ck_journal_abandon(void);
bool ck_journal_active(void);
/*
 * Stop recording; when @judge, report ATOMIC-ERROR-PATH for what did not
 * net to zero. Returns the number of changes left.
 */
unsigned int ck_journal_end(const char *op, int ret, bool judge);
unsigned long ck_journal_nr_entries(void);
unsigned long ck_journal_nr_bytes(void);

/* Page-table growth (journal.c, used by the snapshot's page dumper too). */
#define CK_WORDS_PER_PAGE	512

/* ---- the snapshot (snapshot.c) ---- */

void ck_snapshot_forget_kernel(void);	/* xarray registrations */

/* ---- memory.c: the sim/hw event hook ---- */

void ck_memory_install(void);

/* ---- the runner's state others read ---- */

unsigned long ck_slab_mark_at_run_start(void);

#endif /* _LUSIM_CHECK_INTERNAL_H */
