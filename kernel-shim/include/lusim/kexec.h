/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lusim's kexec: the reboot into a new kernel model on the same machine.
 *
 * lusim_kexec() does, in order (kernel-shim/kernel/kexec.c):
 *   1. hooks LUSIM_KEXEC_BEFORE_FREEZE (a non-zero return aborts the kexec
 *      with that value; nothing has changed yet);
 *   2. liveupdate_reboot(): LUO freezes every outgoing session (FIFO, with
 *      rollback), serializes sessions and FLBs, and finalizes KHO. An error
 *      is returned as is and nothing is rebooted (the old kernel runs on);
 *      with LUO disabled, KHO is finalized on its own;
 *   3. hooks LUSIM_KEXEC_AFTER_FREEZE (the "freeze" snapshot point for
 *      oracles, and where the model shuts devices down; return ignored);
 *   4. the machine drops every page KHO did not keep (poisoned and freed:
 *      hw_machine_kexec()), and the KHO handover address is latched in a
 *      machine register that survives the reboot;
 *   5. the old kernel disappears without running any of its code: the fd
 *      table is dropped without release() calls (userspace restarts),
 *      lusim_reset_kernel() returns all kernel state to boot state, the slab
 *      forgets (frees, without leak reports) every object of the old kernel;
 *   6. lusim_boot(): the new kernel's initcalls, the earliest being KHO,
 *      which reads the handover and reserves the preserved frames;
 *   7. hooks LUSIM_KEXEC_AFTER_BOOT (the "after restore" point; return
 *      ignored). Returns 0, or the first failing initcall's error.
 *
 * Hooks belong to the harness, not to a kernel: they survive kexec and
 * power-on; remove them explicitly.
 */
#ifndef _LUSIM_KEXEC_H
#define _LUSIM_KEXEC_H

#include <linux/types.h>

/* Initcall level before core_initcall: memblock time, where KHO runs. */
#define LUSIM_INIT_EARLY	0

enum lusim_kexec_stage {
	LUSIM_KEXEC_BEFORE_FREEZE,
	LUSIM_KEXEC_AFTER_FREEZE,
	LUSIM_KEXEC_AFTER_BOOT,
	LUSIM_KEXEC_NR_STAGES
};

typedef int (*lusim_kexec_hook_fn)(enum lusim_kexec_stage stage);

/* 0, -EEXIST (already added for that stage), -ENOSPC, -EINVAL. */
int lusim_kexec_add_hook(enum lusim_kexec_stage stage, lusim_kexec_hook_fn fn);
void lusim_kexec_remove_hook(enum lusim_kexec_stage stage, lusim_kexec_hook_fn fn);

int lusim_kexec(void);

/*
 * Steps 4-7 alone: drop what KHO does not keep, latch the handover, reset,
 * boot. For callers that froze (liveupdate_reboot()) or finalized KHO
 * themselves and may have changed the serialized bytes since: the restore
 * fuzzer, tests of corrupted handovers. Without a finalized KHO nothing
 * survives.
 */
int lusim_kexec_reboot(void);

/*
 * The handover register: the physical address of KHO's serialized root the
 * new kernel reads at boot (0: none). Set by lusim_kexec(); a restore fuzzer
 * may set it to boot a kernel on crafted memory (lusim_reset_kernel() +
 * lusim_boot()). Cleared at power-on.
 */
phys_addr_t lusim_kexec_handover_phys(void);
void lusim_kexec_set_handover_phys(phys_addr_t phys);

struct lusim_kexec_stats {
	unsigned int kexecs;		/* since power-on */
	unsigned int aborted;		/* kexecs refused before the reboot */
	unsigned long pages_dropped;	/* by the last kexec */
	unsigned long pages_kept;	/* KHO-preserved pages at the last kexec */
	unsigned long objects_forgotten; /* slab objects of the old kernel */
};
void lusim_kexec_get_stats(struct lusim_kexec_stats *st);

#endif /* _LUSIM_KEXEC_H */
