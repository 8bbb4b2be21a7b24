/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/preempt.h (+ bottom_half.h)
 * Models: the preemption counter as a per-task count (spin_lock and
 *         preempt_disable raise it), preempt_count(), in_atomic(),
 *         preemptible(), in_task()/in_interrupt() (lusim runs only task
 *         context), local_bh_disable/enable (counted apart, folded into
 *         preempt_count() at SOFTIRQ_OFFSET as the kernel does).
 *         preempt_enable()/local_bh_enable() without the matching disable
 *         report LOCK-UNLOCK-UNHELD and leave the count at 0.
 * Leaves out: hardirq/NMI context, actual preemption, per-cpu counts.
 */
#ifndef _LUSIM_LINUX_PREEMPT_H
#define _LUSIM_LINUX_PREEMPT_H

#include <linux/sched.h>

#define PREEMPT_OFFSET		1
#define SOFTIRQ_OFFSET		(1 << 8)

static inline int preempt_count(void)
{
	return current->preempt_count +
	       current->softirq_disable_depth * SOFTIRQ_OFFSET;
}

void lusim_preempt_disable(void);
void lusim_preempt_enable(const char *site);
void lusim_local_bh_disable(void);
void lusim_local_bh_enable(const char *site);

#define preempt_disable()		lusim_preempt_disable()
#define preempt_enable()		lusim_preempt_enable(LUSIM_SITE)
#define preempt_enable_no_resched()	lusim_preempt_enable(LUSIM_SITE)
#define preempt_disable_notrace()	preempt_disable()
#define preempt_enable_notrace()	preempt_enable()
#define migrate_disable()		do { } while (0)
#define migrate_enable()		do { } while (0)
#define local_bh_disable()		lusim_local_bh_disable()
#define local_bh_enable()		lusim_local_bh_enable(LUSIM_SITE)

#define in_atomic()		(preempt_count() != 0)
#define preemptible()		(preempt_count() == 0 && !irqs_disabled())
#define in_task()		1
#define in_interrupt()		0
#define in_irq()		0
#define in_hardirq()		0
#define in_softirq()		(current->softirq_disable_depth != 0)
#define in_serving_softirq()	0
#define in_nmi()		0

#endif /* _LUSIM_LINUX_PREEMPT_H */
