/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/irqflags.h
 * Models: local interrupt state as a per-task counter: local_irq_save(flags)
 *         stores the current depth in flags and disables, local_irq_restore
 *         puts the depth back; local_irq_disable() disables (no-op when
 *         already disabled), local_irq_enable() enables unconditionally (as
 *         the kernel does: spin_unlock_irq inside spin_lock_irqsave re-enables
 *         too early there as well). irqs_disabled() makes might_sleep()
 *         report LOCK-SLEEP-IN-ATOMIC.
 * Leaves out: real interrupts, hardirq tracing, raw_local_* distinctions.
 */
#ifndef _LUSIM_LINUX_IRQFLAGS_H
#define _LUSIM_LINUX_IRQFLAGS_H

#include <linux/sched.h>

static inline unsigned long lusim_local_irq_save(void)
{
	unsigned long flags = (unsigned long)current->irq_disable_depth;

	current->irq_disable_depth++;
	return flags;
}

static inline void lusim_local_irq_restore(unsigned long flags)
{
	current->irq_disable_depth = (int)flags;
}

#define local_irq_save(flags)						\
	do { (flags) = lusim_local_irq_save(); } while (0)
#define local_irq_restore(flags)	lusim_local_irq_restore(flags)
#define local_irq_disable()						\
	do { if (!current->irq_disable_depth) current->irq_disable_depth = 1; } while (0)
#define local_irq_enable()	do { current->irq_disable_depth = 0; } while (0)
#define irqs_disabled()		(current->irq_disable_depth != 0)
#define irqs_disabled_flags(flags) ((flags) != 0)
#define raw_local_irq_save(flags)	local_irq_save(flags)
#define raw_local_irq_restore(flags)	local_irq_restore(flags)

#endif /* _LUSIM_LINUX_IRQFLAGS_H */
