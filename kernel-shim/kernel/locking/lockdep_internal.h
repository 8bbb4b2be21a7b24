/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interface between the lockdep-lite core (lockdep.c), the lock
 * primitives (locks.c), the task code (sched.c) and WARN/BUG (lib/bug.c).
 * Not a kernel header.
 */
#ifndef _LUSIM_LOCKDEP_INTERNAL_H
#define _LUSIM_LOCKDEP_INTERNAL_H

#include <linux/lockdep.h>
#include <linux/sched.h>

#include <stdarg.h>
#include <stddef.h>

/* A bounded string builder; never overflows, always NUL-terminated. */
struct lusim_sbuf {
	char *buf;
	size_t len;
	size_t used;
};

void lusim_sbuf_printf(struct lusim_sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append @t's held-lock stack, each line prefixed by @indent. */
void lusim_sbuf_held(struct lusim_sbuf *sb, const struct task_struct *t,
		     const char *indent);

/*
 * Report a lock finding at @site; the detail is "task X holds:" plus the
 * held-lock stack of current (or "no locks held"), plus @extra if non-NULL.
 */
void lusim_lock_report(const char *id, const char *site, const char *extra,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* might_sleep() with a description of the sleeping operation. */
void lusim_lockdep_check_sleep(const char *site, const char *what,
			       const char *name);

/* lusim_lock_release() with the operation name for the report. */
bool __lusim_lock_release(struct lockdep_map *map, int read, const char *site,
			  const char *what);

/* Topmost entry of @map in @t's stack in mode @read (-1 any), or NULL. */
struct held_lock *lusim_find_held(struct task_struct *t,
				  const struct lockdep_map *map, int read);

extern bool lusim_lockdep_on;

/* Bump lusim_lock_generation: every lock reads as unlocked afterwards. */
void lusim_lock_new_generation(void);

#endif /* _LUSIM_LOCKDEP_INTERNAL_H */
