// SPDX-License-Identifier: GPL-2.0-only
/*
 * The findings sink. Deliberately simple: a small fixed table of distinct
 * (id, site) findings, linear lookup (runs see a handful of findings, never
 * thousands), no allocation so it works from inside a failing allocator.
 */
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FINDINGS		128
#define MAX_SUPPRESSIONS	64

static struct lusim_finding findings[MAX_FINDINGS];
static unsigned int nr_findings;
static unsigned int nr_dropped;
static enum lusim_findings_mode mode = LUSIM_FINDINGS_RECORD;
static lusim_trace_fn trace_fn;

static struct {
	char id[64];
	char site[128];		/* substring of the site, "" = any */
} suppressions[MAX_SUPPRESSIONS];
static unsigned int nr_suppressions;

void lusim_findings_set_mode(enum lusim_findings_mode m)
{
	mode = m;
}

enum lusim_findings_mode lusim_findings_get_mode(void)
{
	return mode;
}

void lusim_findings_set_trace(lusim_trace_fn fn)
{
	trace_fn = fn;
}

int lusim_findings_suppress(const char *spec)
{
	const char *at = strchr(spec, '@');
	size_t idlen = at ? (size_t)(at - spec) : strlen(spec);

	if (!idlen || idlen >= sizeof(suppressions[0].id))
		return -1;
	if (at && strlen(at + 1) >= sizeof(suppressions[0].site))
		return -1;
	if (nr_suppressions == MAX_SUPPRESSIONS)
		return -1;
	memcpy(suppressions[nr_suppressions].id, spec, idlen);
	suppressions[nr_suppressions].id[idlen] = '\0';
	strcpy(suppressions[nr_suppressions].site, at ? at + 1 : "");
	nr_suppressions++;
	return 0;
}

int lusim_findings_suppress_list(const char *list)
{
	char buf[1024], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ", \t\r\n", &save); tok;
	     tok = strtok_r(NULL, ", \t\r\n", &save)) {
		if (lusim_findings_suppress(tok)) {
			fprintf(stderr, "lusim: bad suppression '%s'\n", tok);
			return -1;
		}
	}
	return 0;
}

int lusim_findings_suppress_file(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f) {
		fprintf(stderr, "lusim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		ret = lusim_findings_suppress_list(line);
	}
	fclose(f);
	return ret;
}

int lusim_findings_suppress_from_env(void)
{
	const char *env = getenv("LUSIM_SUPPRESS");

	if (env && lusim_findings_suppress_list(env))
		return -1;
	env = getenv("LUSIM_SUPPRESSIONS");
	if (env && lusim_findings_suppress_file(env))
		return -1;
	return 0;
}

#ifndef LUSIM_SOURCE_ROOT
#define LUSIM_SOURCE_ROOT ""
#endif

/*
 * The function of the source tree that holds @path:@line, read from the
 * source file (kernel style: a body opens with "{" and closes with "}" at
 * column 0; the name is the identifier before the first '(' of the lines
 * since the previous top-level item). @path is a site's file as __FILE__
 * gave it, relative to a build directory ("../../sim/...") or absolute;
 * it is looked up under $LUSIM_SOURCE_ROOT, else the source root of the
 * build. Only called for a new finding when a suppression names a
 * function, so the cost does not matter. False when the file or line
 * cannot be found (e.g. a binary away from its sources).
 */
static bool site_function(const char *path, unsigned long line, char *func,
			  size_t len)
{
	const char *root = getenv("LUSIM_SOURCE_ROOT");
	char full[512], buf[512], head[256] = "";
	unsigned long n = 0;
	bool in_body = false;
	FILE *f;

	if (!root || !root[0])
		root = LUSIM_SOURCE_ROOT;
	while (!strncmp(path, "../", 3) || !strncmp(path, "./", 2))
		path += path[1] == '/' ? 2 : 3;
	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else if (root[0])
		snprintf(full, sizeof(full), "%s/%s", root, path);
	else
		return false;
	f = fopen(full, "r");
	if (!f)
		return false;
	func[0] = '\0';
	while (fgets(buf, sizeof(buf), f) && ++n <= line) {
		if (in_body) {
			if (buf[0] == '}')
				in_body = false;
			continue;
		}
		if (buf[0] == '{') {
			char *paren = strchr(head, '('), *p = paren;

			in_body = true;
			func[0] = '\0';
			if (!paren)
				continue;
			while (p > head && (p[-1] == ' ' || p[-1] == '\t'))
				p--;
			*p = '\0';
			while (p > head && (isalnum((unsigned char)p[-1]) ||
					    p[-1] == '_'))
				p--;
			snprintf(func, len, "%s", p);
			continue;
		}
		/* comments are no part of a signature */
		if (!strncmp(buf, "/*", 2) || !strncmp(buf, " *", 2) ||
		    !strncmp(buf, "//", 2))
			continue;
		/* a top-level item ends at ';' or '}' or a blank line */
		if (buf[0] == '\n' || buf[0] == '#' || strchr(buf, ';') ||
		    buf[0] == '}') {
			head[0] = '\0';
			continue;
		}
		if (strlen(head) + strlen(buf) < sizeof(head))
			strcat(head, buf);
	}
	fclose(f);
	return in_body && n > line && func[0];
}

/*
 * A suppression's site: a substring of the finding's site ("file.c:123"),
 * or a function, "name()" or "path-substring:name()": the finding's site
 * (file:line) lies in that function of the source (site_function()). A
 * site that is no file:line (an op name) matches "name()" when equal.
 */
static bool site_matches(const char *site, const char *want)
{
	size_t wl = strlen(want);
	char path[256], func[128], name[128];
	const char *colon, *fn;
	unsigned long line;
	char *end;

	if (wl < 3 || strcmp(want + wl - 2, "()"))
		return strstr(site, want) != NULL;

	fn = strrchr(want, ':');
	fn = fn ? fn + 1 : want;
	snprintf(name, sizeof(name), "%.*s", (int)(want + wl - 2 - fn), fn);
	if (fn != want) {
		char sub[128];

		snprintf(sub, sizeof(sub), "%.*s", (int)(fn - 1 - want), want);
		if (!strstr(site, sub))
			return false;
	}
	if (!strcmp(site, name))
		return true;
	colon = strrchr(site, ':');
	if (!colon || (size_t)(colon - site) >= sizeof(path))
		return false;
	line = strtoul(colon + 1, &end, 10);
	if (end == colon + 1 || *end)
		return false;
	snprintf(path, sizeof(path), "%.*s", (int)(colon - site), site);
	return site_function(path, line, func, sizeof(func)) &&
	       !strcmp(func, name);
}

static bool is_suppressed(const char *id, const char *site)
{
	for (unsigned int i = 0; i < nr_suppressions; i++) {
		if (strcmp(suppressions[i].id, id))
			continue;
		if (!suppressions[i].site[0] ||
		    site_matches(site, suppressions[i].site))
			return true;
	}
	return false;
}

static void print_one(FILE *f, const struct lusim_finding *fd)
{
	fprintf(f, "lusim: finding %s%s: %s\n", fd->id,
		fd->suppressed ? " (suppressed)" : "", fd->msg);
	if (fd->site[0])
		fprintf(f, "  at %s\n", fd->site);
	if (fd->detail[0])
		fprintf(f, "%s%s", fd->detail,
			fd->detail[strlen(fd->detail) - 1] == '\n' ? "" : "\n");
}

void lusim_report(const char *id, const char *site, const char *detail,
		  const char *fmt, ...)
{
	struct lusim_finding *fd = NULL;
	va_list ap;

	if (mode == LUSIM_FINDINGS_MUTE)
		return;
	if (!site)
		site = "";
	for (unsigned int i = 0; i < nr_findings; i++) {
		if (!strcmp(findings[i].id, id) && !strcmp(findings[i].site, site)) {
			findings[i].hits++;
			return;
		}
	}
	if (nr_findings == MAX_FINDINGS) {
		nr_dropped++;
		return;
	}
	fd = &findings[nr_findings++];
	memset(fd, 0, sizeof(*fd));
	fd->id = id;
	fd->hits = 1;
	snprintf(fd->site, sizeof(fd->site), "%s", site);
	va_start(ap, fmt);
	vsnprintf(fd->msg, sizeof(fd->msg), fmt, ap);
	va_end(ap);
	if (detail)
		snprintf(fd->detail, sizeof(fd->detail), "%s", detail);
	if (trace_fn) {
		size_t used = strlen(fd->detail);

		if (used + 1 < sizeof(fd->detail))
			trace_fn(fd->detail + used, sizeof(fd->detail) - used);
	}
	fd->suppressed = is_suppressed(id, site);

	if (mode == LUSIM_FINDINGS_ABORT && !fd->suppressed) {
		print_one(stderr, fd);
		fflush(stderr);
		abort();
	}
}

unsigned int lusim_findings_count(void)
{
	return nr_findings;
}

const struct lusim_finding *lusim_findings_get(unsigned int i)
{
	return i < nr_findings ? &findings[i] : NULL;
}

unsigned int lusim_findings_has(const char *id)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr_findings; i++)
		if (!strcmp(findings[i].id, id) && !findings[i].suppressed)
			n++;
	return n;
}

void lusim_findings_print(void *stream)
{
	FILE *f = stream ? stream : stderr;

	for (unsigned int i = 0; i < nr_findings; i++)
		print_one(f, &findings[i]);
	if (nr_dropped)
		fprintf(f, "lusim: %u further findings dropped (table full)\n",
			nr_dropped);
}

void lusim_findings_clear(void)
{
	nr_findings = 0;
	nr_dropped = 0;
}

struct lusim_findings_saved {
	enum lusim_findings_mode mode;
	unsigned int nr, dropped;
	struct lusim_finding f[];
};

struct lusim_findings_saved *lusim_findings_save(void)
{
	struct lusim_findings_saved *sv;

	sv = malloc(sizeof(*sv) + nr_findings * sizeof(sv->f[0]));
	if (!sv)
		return NULL;
	sv->mode = mode;
	sv->nr = nr_findings;
	sv->dropped = nr_dropped;
	memcpy(sv->f, findings, nr_findings * sizeof(sv->f[0]));
	return sv;
}

void lusim_findings_restore(struct lusim_findings_saved *sv)
{
	lusim_findings_clear();
	if (!sv)
		return;
	memcpy(findings, sv->f, sv->nr * sizeof(sv->f[0]));
	nr_findings = sv->nr;
	nr_dropped = sv->dropped;
	mode = sv->mode;
	free(sv);
}

/* --- reset registry ----------------------------------------------------- */

#define MAX_RESETS 64

static struct {
	const char *name;
	int prio;
	lusim_reset_fn fn;
} resets[MAX_RESETS];
static unsigned int nr_resets;
static unsigned int nr_boots;

void lusim_register_reset(const char *name, int prio, lusim_reset_fn fn)
{
	unsigned int i;

	if (nr_resets == MAX_RESETS) {
		fprintf(stderr, "lusim: too many reset functions (%s)\n", name);
		abort();
	}
	/* insertion sort: stable by priority */
	for (i = nr_resets; i > 0 && resets[i - 1].prio > prio; i--)
		resets[i] = resets[i - 1];
	resets[i].name = name;
	resets[i].prio = prio;
	resets[i].fn = fn;
	nr_resets++;
}

void lusim_reset_all(void)
{
	for (unsigned int i = 0; i < nr_resets; i++)
		resets[i].fn();
	nr_boots = 0;
}

void lusim_reset_kernel(void)
{
	for (unsigned int i = 0; i < nr_resets; i++)
		if (resets[i].prio < LUSIM_RESET_PRIO_MACHINE)
			resets[i].fn();
}

/* --- initcalls ---------------------------------------------------------- */

#define MAX_INITCALLS 64

static struct {
	const char *name;
	int level;
	lusim_initcall_fn fn;
} initcalls[MAX_INITCALLS];
static unsigned int nr_initcalls;

void lusim_register_initcall(const char *name, int level, lusim_initcall_fn fn)
{
	unsigned int i;

	if (nr_initcalls == MAX_INITCALLS) {
		fprintf(stderr, "lusim: too many initcalls (%s)\n", name);
		abort();
	}
	for (i = nr_initcalls; i > 0 && initcalls[i - 1].level > level; i--)
		initcalls[i] = initcalls[i - 1];
	initcalls[i].name = name;
	initcalls[i].level = level;
	initcalls[i].fn = fn;
	nr_initcalls++;
}

int lusim_boot(void)
{
	nr_boots++;
	for (unsigned int i = 0; i < nr_initcalls; i++) {
		int ret = initcalls[i].fn();

		if (ret) {
			fprintf(stderr, "lusim: initcall %s failed: %d\n",
				initcalls[i].name, ret);
			return ret;
		}
	}
	return 0;
}

unsigned int lusim_boot_count(void)
{
	return nr_boots;
}

LUSIM_RESET_FN(lusim_findings_clear, LUSIM_RESET_PRIO_MACHINE)
