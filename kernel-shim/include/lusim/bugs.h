/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reviewer-bug switches (ARCHITECTURE.md, Contract 4). Each reproduced
 * reviewer bug RB-nn of ../shared/reference/reviewer-bugs.md gets a runtime
 * switch that brings the criticised behaviour back. The model's fixed
 * behaviour is the default; a reviewer-fixed check in the model reads
 *
 *	if (!lusim_bug_enabled("RB-01") && ...)	// RB-01: ...
 *		return -EOPNOTSUPP;
 *
 * Where the switches come from (all three add up):
 *   - LUSIM_BUGS=RB-01,RB-03 in the environment, read once at start by the
 *     lusim CLI and the fuzz targets (lusim_bugs_from_env()), never on a hot
 *     path;
 *   - `lusim run --bug RB-nn`;
 *   - a `bugs RB-01,RB-03` line in a text scenario (docs/oplang.md).
 *
 * The set is configuration, like finding suppressions: lusim_reset_all()
 * and kexec leave it alone. Ids are "RB-" followed by a number 1..127
 * (leading zeros ignored, so "RB-1" and "RB-01" are the same switch); this
 * header knows no list of existing bugs, issue 8 adds the switches' uses.
 * Numbers up to 100 are the reviewer catalog's; 101..127 are bugs lusim's
 * own fuzzing found in a posting (docs/reviewer-bugs.md, "Found by lusim").
 */
#ifndef _LUSIM_BUGS_H
#define _LUSIM_BUGS_H

#include <stdbool.h>
#include <stddef.h>

#define LUSIM_BUG_MAX	127	/* highest RB number a switch can have */

/*
 * Replace the set with @list: ids separated by commas and/or blanks
 * ("RB-01,RB-03", "RB-1 RB-3", "" for none). Returns 0, or -EINVAL if an
 * id is malformed, in which case the set is unchanged.
 */
int lusim_bugs_set(const char *list);
/* Add the ids of @list to the set (same syntax and errors). */
int lusim_bugs_add(const char *list);
/* Turn every switch off. */
void lusim_bugs_clear(void);

/* Is the switch of @id ("RB-01") on? false for a malformed id. */
bool lusim_bug_enabled(const char *id);
/* The same by number (lusim_bug_enabled_nr(1) for "RB-01"). */
bool lusim_bug_enabled_nr(unsigned int nr);
/* How many switches are on. */
unsigned int lusim_bugs_count(void);

/*
 * The set as a canonical list, "RB-01,RB-03" (two digits at least, in
 * increasing order; "" when empty), written to @buf (always NUL-terminated
 * when @len > 0). Returns the length the full list needs, like snprintf.
 */
size_t lusim_bugs_format(char *buf, size_t len);

/*
 * Add the ids of the LUSIM_BUGS environment variable (if set), then every
 * switch of the posting named by LUSIM_SERIES (if set, e.g. "v1"). Called
 * once at start by programs, not by the model. Returns 0, or -EINVAL for a
 * malformed value or an unknown series (LUSIM_BUGS's ids may be added).
 */
int lusim_bugs_from_env(void);

/*
 * Turn on every switch whose behaviour the posting @version ("v1",
 * "rfc-v1") contained (the table in bugs.c, issue 8). "" or NULL: nothing.
 * Returns 0, or -EINVAL for a version no switch belongs to.
 */
int lusim_bugs_add_series(const char *version);
/* The postings switch RB-@nr belongs to ("rfc-v1,v1"), or NULL. */
const char *lusim_bug_versions(unsigned int nr);

/*
 * Parse one id: "RB-7", "RB-07", "rb-07" -> 7. Returns the number (1..127),
 * or -EINVAL. @end (may be NULL) gets the first character after the id.
 */
int lusim_bug_parse(const char *s, const char **end);

#endif /* _LUSIM_BUGS_H */
