// SPDX-License-Identifier: GPL-2.0-only
/*
 * WARN/BUG recording and the build-time WARN site list.
 *
 * Every WARN site leaves a struct lusim_warn_site in the section
 * "lusim_warn_sites" (see <linux/bug.h>); the linker brackets the section
 * with __start_/__stop_ symbols. They are weak here so a binary without any
 * WARN site still links.
 *
 * Per-run state (hit counts, the _ONCE flags) lives in the records; a reset
 * list of the records hit since the last reset keeps lusim_reset_all() in
 * O(sites hit), with a full section walk only if the list overflowed.
 */
#include <linux/bug.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kernel/locking/lockdep_internal.h"

extern struct lusim_warn_site __start_lusim_warn_sites[] __attribute__((weak));
extern struct lusim_warn_site __stop_lusim_warn_sites[] __attribute__((weak));

#define MAX_TOUCHED	1024

static struct lusim_warn_site *touched[MAX_TOUCHED];
static unsigned int nr_touched;
static bool touched_overflow;
static lusim_bug_handler_fn bug_handler;

static struct lusim_warn_site *sites_begin(void)
{
	return __start_lusim_warn_sites;
}

static struct lusim_warn_site *sites_end(void)
{
	return __stop_lusim_warn_sites ? __stop_lusim_warn_sites :
	       __start_lusim_warn_sites;
}

unsigned int lusim_warn_nr_sites(void)
{
	if (!sites_begin())
		return 0;
	return (unsigned int)(sites_end() - sites_begin());
}

/* The detail of WARN/BUG findings: the task and its held locks. */
static void held_detail(char *buf, size_t len)
{
	struct lusim_sbuf sb = { .buf = buf, .len = len };

	buf[0] = '\0';
	lusim_sbuf_printf(&sb, "task %s, held locks:\n", current->comm);
	lusim_sbuf_held(&sb, current, "  ");
}

static void warn_report(struct lusim_warn_site *w, const char *fmt,
			va_list *ap)
{
	char msg[LUSIM_FINDING_MSG_MAX];
	char detail[LUSIM_FINDING_DETAIL_MAX];
	int n;

	w->hits++;
	if (!w->touched) {
		w->touched = 1;
		if (nr_touched < MAX_TOUCHED)
			touched[nr_touched++] = w;
		else
			touched_overflow = true;
	}
	if (w->once && w->warned)
		return;
	w->warned = 1;

	n = snprintf(msg, sizeof(msg), "%s", w->cond);
	if (fmt && n >= 0 && (size_t)n + 2 < sizeof(msg)) {
		msg[n++] = ':';
		msg[n++] = ' ';
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, *ap);
		/* messages conventionally end in \n: drop it */
		n = (int)strlen(msg);
		if (n && msg[n - 1] == '\n')
			msg[n - 1] = '\0';
	}
	held_detail(detail, sizeof(detail));
	printk(KERN_WARNING "WARNING: %s at %s\n", msg, w->site);
	lusim_report("WARN", w->site, detail, "%s", msg);
}

void lusim_warn_hit(struct lusim_warn_site *w)
{
	warn_report(w, NULL, NULL);
}

void lusim_warn_hit_fmt(struct lusim_warn_site *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	warn_report(w, fmt, &ap);
	va_end(ap);
}

static void warn_reset(void)
{
	for (unsigned int i = 0; i < nr_touched; i++) {
		touched[i]->hits = 0;
		touched[i]->warned = 0;
		touched[i]->touched = 0;
	}
	nr_touched = 0;
	if (touched_overflow && sites_begin()) {
		for (struct lusim_warn_site *w = sites_begin(); w < sites_end(); w++) {
			w->hits = 0;
			w->warned = 0;
			w->touched = 0;
		}
	}
	touched_overflow = false;
}
LUSIM_RESET_FN(warn_reset, LUSIM_RESET_PRIO_SHIM)

/* --- constant-condition sites ---------------------------------------------- */

static bool is_const_site(const struct lusim_warn_site *w)
{
	return w->is_const && w->value != 0 && w->value != 1;
}

static int site_cmp(const void *a, const void *b)
{
	const struct lusim_warn_site *x = *(const struct lusim_warn_site *const *)a;
	const struct lusim_warn_site *y = *(const struct lusim_warn_site *const *)b;
	int r = strcmp(x->file, y->file);

	if (r)
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	r = strcmp(x->cond, y->cond);
	if (r)
		return r;
	/* same file, line and text: order does not show; keep it stable */
	return x < y ? -1 : x > y;
}

static bool same_site(const struct lusim_warn_site *x,
		      const struct lusim_warn_site *y)
{
	return x->line == y->line && !strcmp(x->file, y->file) &&
	       !strcmp(x->cond, y->cond);
}

/*
 * A WARN in a static inline function of a header leaves one record per
 * translation unit that instantiates the function: list such a site once.
 */
unsigned int lusim_warn_const_sites(void (*fn)(const struct lusim_warn_site *,
					       void *), void *arg)
{
	const struct lusim_warn_site **list;
	unsigned int n = 0, distinct = 0;

	if (!sites_begin())
		return 0;
	for (struct lusim_warn_site *w = sites_begin(); w < sites_end(); w++)
		n += is_const_site(w);
	if (!n)
		return 0;
	list = malloc(n * sizeof(*list));
	if (!list)
		abort();
	n = 0;
	for (struct lusim_warn_site *w = sites_begin(); w < sites_end(); w++)
		if (is_const_site(w))
			list[n++] = w;
	qsort(list, n, sizeof(*list), site_cmp);
	for (unsigned int i = 0; i < n; i++) {
		if (i && same_site(list[i - 1], list[i]))
			continue;
		distinct++;
		if (fn)
			fn(list[i], arg);
	}
	free(list);
	return distinct;
}

static void report_const_site(const struct lusim_warn_site *w, void *arg)
{
	(void)arg;
	lusim_report("WARN-CONST-COND", w->site, NULL,
		     "%s: condition is the constant %ld", w->cond, w->value);
}

void lusim_warn_report_const_sites(void)
{
	lusim_warn_const_sites(report_const_site, NULL);
}

/* --- BUG --------------------------------------------------------------------- */

void lusim_set_bug_handler(lusim_bug_handler_fn fn)
{
	bug_handler = fn;
}

void lusim_bug(const char *site, const char *fmt, ...)
{
	char msg[LUSIM_FINDING_MSG_MAX];
	char detail[LUSIM_FINDING_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	held_detail(detail, sizeof(detail));
	printk(KERN_EMERG "kernel BUG at %s: %s\n", site, msg);
	lusim_report("BUG", site, detail, "%s", msg);
	if (bug_handler)
		bug_handler();
	abort();
}
