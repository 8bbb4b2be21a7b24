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
/* Everything, machine included: a fresh power-on (fuzz input start, tests). */
void lusim_reset_all(void);
/*
 * Only the kernel's state (prio < LUSIM_RESET_PRIO_MACHINE): what a kexec
 * throws away. The simulated machine (sim/hw: memory contents, IOMMU units,
 * caches, devices and their in-flight DMA) keeps running.
 */
void lusim_reset_kernel(void);

/* Priorities: model state first, then the shim layers it stands on. */
#define LUSIM_RESET_PRIO_MODEL	100
#define LUSIM_RESET_PRIO_SHIM	200
#define LUSIM_RESET_PRIO_CHECK	300	/* lockdep graph, findings */
#define LUSIM_RESET_PRIO_MACHINE 1000	/* sim/hw: survives kexec */

/*
 * Initcalls: the model's module_init()-style functions, run in level order
 * (then registration order) by lusim_boot() at power-on and after kexec.
 * Returns the first error (and stops), like a failed built-in init.
 */
typedef int (*lusim_initcall_fn)(void);
void lusim_register_initcall(const char *name, int level, lusim_initcall_fn fn);
int lusim_boot(void);
unsigned int lusim_boot_count(void);	/* boots since power-on (1 = first) */

#define LUSIM_INIT_CORE		1	/* core_initcall: LUO, KHO, page alloc */
#define LUSIM_INIT_ARCH		2	/* IOMMU drivers (detect units) */
#define LUSIM_INIT_SUBSYS	4	/* subsys_initcall: iommu core, pci probe */
#define LUSIM_INIT_DEVICE	6	/* module_init: iommufd, vfio, memfd */
#define LUSIM_INIT_LATE		7

#define LUSIM_INITCALL(fn, level)					\
	static void __attribute__((constructor)) __lusim_initcall_##fn(void) \
	{								\
		lusim_register_initcall(#fn, level, fn);		\
	}

#define LUSIM_RESET_FN(fn, prio)					\
	static void __attribute__((constructor)) __lusim_reset_##fn(void) \
	{								\
		lusim_register_reset(#fn, prio, fn);			\
	}

#endif /* _LUSIM_RESET_H */
