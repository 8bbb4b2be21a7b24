// SPDX-License-Identifier: GPL-2.0-only
/*
 * Deterministic fault injection (see <lusim/fault.h>). Per class: a call
 * counter, one armed "n-th call" trigger, and a few armed site patterns.
 * No randomness, no allocation (it is asked from inside the allocator).
 */
#include <lusim/fault.h>
#include <lusim/reset.h>

#include <stddef.h>
#include <string.h>

#define MAX_SITE_PATTERNS	8
#define SITE_PATTERN_MAX	96

struct site_pattern {
	char pattern[SITE_PATTERN_MAX];
	int times;		/* failures left; < 0: unlimited */
};

struct fault_class_state {
	unsigned long count;		/* calls counted */
	unsigned long fail_at;		/* count value that fails; 0 = none */
	unsigned long injected;
	const char *last_site;
	struct site_pattern sites[MAX_SITE_PATTERNS];
	unsigned int nr_sites;
};

static struct fault_class_state classes[LUSIM_FAULT_NR_CLASSES];
static unsigned int suspended;
static lusim_fault_hook_fn hook;

static const char *const class_names[LUSIM_FAULT_NR_CLASSES] = {
	[LUSIM_FAULT_SLAB] = "slab",
	[LUSIM_FAULT_PAGE] = "page",
	[LUSIM_FAULT_KHO] = "kho",
	[LUSIM_FAULT_DRIVER] = "driver",
	[LUSIM_FAULT_USER] = "user",
};

static struct fault_class_state *get_class(enum lusim_fault_class cls)
{
	if ((unsigned int)cls >= LUSIM_FAULT_NR_CLASSES)
		return NULL;
	return &classes[cls];
}

const char *lusim_fault_class_name(enum lusim_fault_class cls)
{
	if ((unsigned int)cls >= LUSIM_FAULT_NR_CLASSES)
		return NULL;
	return class_names[cls];
}

int lusim_fault_class_parse(const char *name)
{
	for (int i = 0; i < LUSIM_FAULT_NR_CLASSES; i++)
		if (name && !strcmp(name, class_names[i]))
			return i;
	return -1;
}

void lusim_fail_nth(enum lusim_fault_class cls, unsigned long n)
{
	struct fault_class_state *c = get_class(cls);

	if (!c)
		return;
	c->fail_at = n ? c->count + n : 0;
}

int lusim_fail_site_times(enum lusim_fault_class cls, const char *pattern,
			  int times)
{
	struct fault_class_state *c = get_class(cls);
	struct site_pattern *sp;
	size_t len;

	if (!c || !pattern || times == 0)
		return -1;
	len = strlen(pattern);
	if (!len || len >= SITE_PATTERN_MAX || c->nr_sites == MAX_SITE_PATTERNS)
		return -1;
	sp = &c->sites[c->nr_sites++];
	memcpy(sp->pattern, pattern, len + 1);
	sp->times = times;
	return 0;
}

int lusim_fail_site(enum lusim_fault_class cls, const char *pattern)
{
	return lusim_fail_site_times(cls, pattern, 1);
}

void lusim_fault_disarm(enum lusim_fault_class cls)
{
	struct fault_class_state *c = get_class(cls);

	if (!c)
		return;
	c->fail_at = 0;
	c->nr_sites = 0;
}

static bool match_site(struct fault_class_state *c, const char *site,
		       const char *func)
{
	for (unsigned int i = 0; i < c->nr_sites; i++) {
		struct site_pattern *sp = &c->sites[i];

		if (!((site && strstr(site, sp->pattern)) ||
		      (func && strstr(func, sp->pattern))))
			continue;
		if (sp->times > 0 && --sp->times == 0) {
			/* used up: drop it, keeping the others in order */
			memmove(sp, sp + 1,
				(c->nr_sites - i - 1) * sizeof(*sp));
			c->nr_sites--;
		}
		return true;
	}
	return false;
}

bool lusim_should_fail_at(enum lusim_fault_class cls, const char *site,
			  const char *func)
{
	struct fault_class_state *c = get_class(cls);
	bool fail = false;

	if (!c || suspended)
		return false;
	c->count++;
	if (c->fail_at && c->count == c->fail_at) {
		c->fail_at = 0;
		fail = true;
	}
	if (c->nr_sites && match_site(c, site, func))
		fail = true;
	if (!fail)
		return false;
	c->injected++;
	c->last_site = site;
	if (hook)
		hook(cls, site, func, c->count);
	return true;
}

unsigned long lusim_fault_count(enum lusim_fault_class cls)
{
	struct fault_class_state *c = get_class(cls);

	return c ? c->count : 0;
}

unsigned long lusim_fault_injected(enum lusim_fault_class cls)
{
	struct fault_class_state *c = get_class(cls);

	return c ? c->injected : 0;
}

const char *lusim_fault_last_site(enum lusim_fault_class cls)
{
	struct fault_class_state *c = get_class(cls);

	return c ? c->last_site : NULL;
}

void lusim_fault_suspend(void)
{
	suspended++;
}

void lusim_fault_resume(void)
{
	if (suspended)
		suspended--;
}

void lusim_fault_set_hook(lusim_fault_hook_fn fn)
{
	hook = fn;
}

void lusim_fault_reset(void)
{
	memset(classes, 0, sizeof(classes));
	suspended = 0;
}

/*
 * Fault state is the harness's, like the machine: it survives a kexec
 * (lusim_reset_kernel), so a sweep can target calls after the reboot.
 */
LUSIM_RESET_FN(lusim_fault_reset, LUSIM_RESET_PRIO_MACHINE)
