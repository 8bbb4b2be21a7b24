// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reviewer-bug switches: a 128-bit set indexed by the RB number. See
 * <lusim/bugs.h>. Nothing here is reset by lusim_reset_all(): the switches
 * are configuration that a whole run (many fuzz inputs, several kexecs)
 * shares.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lusim/bugs.h>

static uint64_t bug_set[(LUSIM_BUG_MAX + 64) / 64];

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int lusim_bug_parse(const char *s, const char **end)
{
	unsigned int nr = 0, digits = 0;

	if (!s || (s[0] != 'R' && s[0] != 'r') || (s[1] != 'B' && s[1] != 'b') ||
	    s[2] != '-')
		return -EINVAL;
	s += 3;
	while (*s >= '0' && *s <= '9') {
		nr = nr * 10 + (unsigned int)(*s - '0');
		if (nr > LUSIM_BUG_MAX)
			return -EINVAL;
		s++;
		digits++;
	}
	if (!digits || !nr)
		return -EINVAL;
	/* an id ends at a separator or the end of the string */
	if (*s && *s != ',' && !is_blank(*s))
		return -EINVAL;
	if (end)
		*end = s;
	return (int)nr;
}

/* Parse @list into @set; -EINVAL on the first malformed id. */
static int parse_list(const char *list, uint64_t *set)
{
	const char *s = list ? list : "";

	for (;;) {
		const char *end;
		int nr;

		while (*s == ',' || is_blank(*s))
			s++;
		if (!*s)
			return 0;
		nr = lusim_bug_parse(s, &end);
		if (nr < 0)
			return nr;
		set[nr / 64] |= 1ULL << (nr % 64);
		s = end;
	}
}

int lusim_bugs_set(const char *list)
{
	uint64_t set[sizeof(bug_set) / sizeof(bug_set[0])] = { 0 };
	int ret = parse_list(list, set);

	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		bug_set[i] = set[i];
	return 0;
}

int lusim_bugs_add(const char *list)
{
	uint64_t set[sizeof(bug_set) / sizeof(bug_set[0])] = { 0 };
	int ret = parse_list(list, set);

	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		bug_set[i] |= set[i];
	return 0;
}

void lusim_bugs_clear(void)
{
	for (size_t i = 0; i < sizeof(bug_set) / sizeof(bug_set[0]); i++)
		bug_set[i] = 0;
}

bool lusim_bug_enabled_nr(unsigned int nr)
{
	if (!nr || nr > LUSIM_BUG_MAX)
		return false;
	return bug_set[nr / 64] & (1ULL << (nr % 64));
}

bool lusim_bug_enabled(const char *id)
{
	int nr = lusim_bug_parse(id, NULL);

	return nr > 0 && lusim_bug_enabled_nr((unsigned int)nr);
}

unsigned int lusim_bugs_count(void)
{
	unsigned int n = 0;

	for (unsigned int nr = 1; nr <= LUSIM_BUG_MAX; nr++)
		n += lusim_bug_enabled_nr(nr);
	return n;
}

size_t lusim_bugs_format(char *buf, size_t len)
{
	size_t need = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned int nr = 1; nr <= LUSIM_BUG_MAX; nr++) {
		char id[16];
		int n;

		if (!lusim_bug_enabled_nr(nr))
			continue;
		n = snprintf(id, sizeof(id), "%sRB-%02u", need ? "," : "", nr);
		if (need + (size_t)n < len)
			snprintf(buf + need, len - need, "%s", id);
		need += (size_t)n;
	}
	return need;
}

/*
 * Which postings of the series each switch's behaviour belongs to
 * (../shared/reference/reviewer-bugs.md; docs/reviewer-bugs.md): "rfc-v1"
 * is the RFC of Sep 2025, "v1" the posting of 3 Feb 2026 the model's
 * names follow. A switch listed for a version restores code that posting
 * contained; LUSIM_SERIES=v1 turns all of them on.
 */
static const struct {
	unsigned int nr;
	const char *versions;	/* comma-separated */
} bug_versions[] = {
	{  1, "v1" },		/* PASID attachments dropped (v1 12/14) */
	{  2, "v1" },		/* WARN_ON(-ENOENT) in unpreserve (v1 12/14) */
	{  3, "rfc-v1,v1" },	/* attach/detach after preserve */
	{  4, "v1" },		/* sleeping locks inside xa_lock (v1 11/14) */
	{  5, "rfc-v1" },	/* objects walked without lock or reference (race) */
	{  6, "rfc-v1" },	/* dependency (memfd) not checked */
	{ 10, "rfc-v1" },	/* global live-update state gates DRHD hotplug */
	{ 11, "rfc-v1,v1" },	/* second live domain record; error path leak */
	{ 12, "rfc-v1" },	/* raw KHO for iommu-pages tables */
	/* 101-127: found by lusim in a posting, not in the reviewer catalog */
	{ 101, "rfc-v1,v1" },	/* device of a multi-device group preserved */
};

static bool list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	while (*list) {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		if (len == n && !strncmp(list, word, n))
			return true;
		if (!end)
			break;
		list = end + 1;
	}
	return false;
}

int lusim_bugs_add_series(const char *version)
{
	bool known = false;

	if (!version || !*version)
		return 0;
	for (size_t i = 0; i < sizeof(bug_versions) / sizeof(bug_versions[0]); i++)
		if (list_has(bug_versions[i].versions, version))
			known = true;
	if (!known)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(bug_versions) / sizeof(bug_versions[0]); i++)
		if (list_has(bug_versions[i].versions, version)) {
			unsigned int nr = bug_versions[i].nr;

			bug_set[nr / 64] |= 1ULL << (nr % 64);
		}
	return 0;
}

const char *lusim_bug_versions(unsigned int nr)
{
	for (size_t i = 0; i < sizeof(bug_versions) / sizeof(bug_versions[0]); i++)
		if (bug_versions[i].nr == nr)
			return bug_versions[i].versions;
	return NULL;
}

int lusim_bugs_from_env(void)
{
	int ret = lusim_bugs_add(getenv("LUSIM_BUGS"));

	if (ret)
		return ret;
	return lusim_bugs_add_series(getenv("LUSIM_SERIES"));
}
