/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reset registry: every shim component with per-run state (lock-order graph,
 * *_ONCE flags, fault-injection counters, id allocators, ...) registers a
 * reset function; lusim_reset_all() returns the whole shim to its boot state
 * so each fuzz input starts from a clean slate (AMENDMENTS: Determinism).
 *
 * Registration happens from constructors (LUSIM_RESET_FN), so no component
 * can be forgotten by the harness.  Functions run in priority order, lowest
 * first; ties in registration order.
 */
#ifndef _LUSIM_RESET_H
#define _LUSIM_RESET_H

typedef void (*lusim_reset_fn)(void);

void lusim_register_reset(const char *name, int prio, lusim_reset_fn fn);
void lusim_reset_all(void);

/* Priorities: model state first, then the shim layers it stands on. */
#define LUSIM_RESET_PRIO_MODEL	100
#define LUSIM_RESET_PRIO_SHIM	200
#define LUSIM_RESET_PRIO_CHECK	300	/* lockdep graph, findings */

#define LUSIM_RESET_FN(fn, prio)					\
	static void __attribute__((constructor)) __lusim_reset_##fn(void) \
	{								\
		lusim_register_reset(#fn, prio, fn);			\
	}

#endif /* _LUSIM_RESET_H */
