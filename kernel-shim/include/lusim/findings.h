/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lusim findings sink: the one place every checker (lockdep-lite, WARN, slab,
 * refcount, xarray, the oracles in sim/check) reports to.
 *
 * A finding has a stable id ("LOCK-ORDER-CYCLE", "WARN-CONST-COND", ...), a
 * one-line message, the source site that triggered it ("file:line") and an
 * optional multi-line detail (held-lock stacks, allocation sites, objects).
 *
 * Modes: LUSIM_FINDINGS_RECORD (unit tests: keep going, assert afterwards) and
 * LUSIM_FINDINGS_ABORT (fuzz builds: print the report and abort() so the
 * engine records the input).  Findings are deduplicated by (id, site).
 */
#ifndef _LUSIM_FINDINGS_H
#define _LUSIM_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#define LUSIM_FINDING_MSG_MAX		256
#define LUSIM_FINDING_DETAIL_MAX	2048

struct lusim_finding {
	const char *id;			/* stable id, a string literal */
	char site[128];			/* "file:line" or "" */
	char msg[LUSIM_FINDING_MSG_MAX];
	char detail[LUSIM_FINDING_DETAIL_MAX];
	unsigned int hits;		/* times reported at this (id, site) */
	bool suppressed;
};

enum lusim_findings_mode {
	LUSIM_FINDINGS_RECORD,
	LUSIM_FINDINGS_ABORT,
	LUSIM_FINDINGS_MUTE,	/* discard every report (a nested comparison run) */
};

void lusim_findings_set_mode(enum lusim_findings_mode mode);
enum lusim_findings_mode lusim_findings_get_mode(void);

/*
 * Report a finding. @site may be NULL. @detail may be NULL. The message is
 * printf-style. In ABORT mode an unsuppressed finding prints and aborts.
 */
void lusim_report(const char *id, const char *site, const char *detail,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Suppress a known finding: "ID", "ID@site-substring", or by function,
 * "ID@name()" / "ID@path-substring:name()": the finding's file:line site
 * lies in that function (read from the source under $LUSIM_SOURCE_ROOT,
 * default the build's source root), so the entry survives edits that move
 * lines.
 */
int lusim_findings_suppress(const char *spec);
/* A list of specs separated by commas or white space; -1 on a bad entry. */
int lusim_findings_suppress_list(const char *list);
/* A file of specs, '#' starts a comment; nonzero on an error. */
int lusim_findings_suppress_file(const char *path);
/* LUSIM_SUPPRESS=ID[@SITE],... and LUSIM_SUPPRESSIONS=FILE, read once at start. */
int lusim_findings_suppress_from_env(void);

unsigned int lusim_findings_count(void);	/* distinct (id, site) pairs */
const struct lusim_finding *lusim_findings_get(unsigned int i);
/* Number of distinct unsuppressed findings with this id (0 if none). */
unsigned int lusim_findings_has(const char *id);
void lusim_findings_print(void *stream);	/* FILE *, void * keeps stdio out */
/* Forget all findings (not the suppressions). */
void lusim_findings_clear(void);

/*
 * A copy of the recorded findings and the mode, for a nested run that
 * powers the machine on again (which clears them): save, run muted,
 * restore. Restore puts both back and frees the copy; save returns NULL
 * when out of memory (restore(NULL) then only clears).
 */
struct lusim_findings_saved;
struct lusim_findings_saved *lusim_findings_save(void);
void lusim_findings_restore(struct lusim_findings_saved *saved);

/*
 * Hook for op traces: when set, lusim_report() appends its output to the
 * finding's detail (the fuzz harness installs the op trace printer here).
 */
typedef size_t (*lusim_trace_fn)(char *buf, size_t len);
void lusim_findings_set_trace(lusim_trace_fn fn);

#endif /* _LUSIM_FINDINGS_H */
