// SPDX-License-Identifier: GPL-2.0-only
/*
 * kexec.c - reboot the kernel model into a new one on the same machine
 * (the sequence is documented in <lusim/kexec.h>).
 *
 * The handover register: the one value that crosses the reboot besides the
 * machine itself, like the KHO FDT address the kernel passes to the next
 * one. It is machine state (reset at power-on only).
 */
#include <linux/fs.h>
#include <linux/kexec_handover.h>
#include <linux/liveupdate.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include <lusim/kexec.h>
#include <lusim/reset.h>

#include <hw/hw.h>

#include <errno.h>

#define LUSIM_KEXEC_MAX_HOOKS	16

static lusim_kexec_hook_fn kexec_hooks[LUSIM_KEXEC_NR_STAGES][LUSIM_KEXEC_MAX_HOOKS];
static unsigned int kexec_nr_hooks[LUSIM_KEXEC_NR_STAGES];

static phys_addr_t kexec_handover_reg;
static struct lusim_kexec_stats kexec_stats;

int lusim_kexec_add_hook(enum lusim_kexec_stage stage, lusim_kexec_hook_fn fn)
{
	unsigned int i;

	if ((unsigned int)stage >= LUSIM_KEXEC_NR_STAGES || !fn)
		return -EINVAL;
	for (i = 0; i < kexec_nr_hooks[stage]; i++)
		if (kexec_hooks[stage][i] == fn)
			return -EEXIST;
	if (kexec_nr_hooks[stage] == LUSIM_KEXEC_MAX_HOOKS)
		return -ENOSPC;
	kexec_hooks[stage][kexec_nr_hooks[stage]++] = fn;
	return 0;
}

void lusim_kexec_remove_hook(enum lusim_kexec_stage stage, lusim_kexec_hook_fn fn)
{
	unsigned int i;

	if ((unsigned int)stage >= LUSIM_KEXEC_NR_STAGES)
		return;
	for (i = 0; i < kexec_nr_hooks[stage]; i++) {
		if (kexec_hooks[stage][i] != fn)
			continue;
		for (; i + 1 < kexec_nr_hooks[stage]; i++)
			kexec_hooks[stage][i] = kexec_hooks[stage][i + 1];
		kexec_nr_hooks[stage]--;
		return;
	}
}

/* Run the hooks of @stage in registration order; the first error stops. */
static int run_hooks(enum lusim_kexec_stage stage)
{
	unsigned int i;
	int err;

	for (i = 0; i < kexec_nr_hooks[stage]; i++) {
		err = kexec_hooks[stage][i](stage);
		if (err && stage == LUSIM_KEXEC_BEFORE_FREEZE)
			return err;
	}
	return 0;
}

phys_addr_t lusim_kexec_handover_phys(void)
{
	return kexec_handover_reg;
}

void lusim_kexec_set_handover_phys(phys_addr_t phys)
{
	kexec_handover_reg = phys;
}

static bool kexec_keep(uint64_t pfn, void *arg)
{
	(void)arg;
	return lusim_kho_keep_pfn(pfn);
}

int lusim_kexec(void)
{
	unsigned long pages_kept;
	int err;

	lockdep_assert_none_held("kexec");
	rcu_barrier();

	err = run_hooks(LUSIM_KEXEC_BEFORE_FREEZE);
	if (err)
		goto abort;

	/* reboot(LINUX_REBOOT_CMD_KEXEC): LUO freezes, KHO finalizes */
	err = liveupdate_reboot();
	if (err)
		goto abort;
	if (kho_is_enabled() && !lusim_kho_finalized()) {
		err = kho_finalize();
		if (err)
			goto abort;
	}
	pages_kept = lusim_kho_nr_preserved_pages();

	run_hooks(LUSIM_KEXEC_AFTER_FREEZE);
	kexec_stats.pages_kept = pages_kept;
	return lusim_kexec_reboot();

abort:
	kexec_stats.aborted++;
	return err;
}

int lusim_kexec_reboot(void)
{
	int err;

	rcu_barrier();

	/* the machine: unpreserved memory is gone, the rest keeps its bytes */
	kexec_stats.pages_dropped = hw_machine_kexec(kexec_keep, NULL);
	kexec_handover_reg = lusim_kho_handover_phys();

	/*
	 * The old kernel vanishes without running any code: no release() of
	 * its files, no destructors; its memory is forgotten.
	 */
	lusim_reset_kernel();
	/*
	 * Callbacks queued by the resets (kfree_rcu of forgotten objects)
	 * must run before the slab forgets those objects, or they free them
	 * a second time in the new kernel.
	 */
	rcu_barrier();
	kexec_stats.objects_forgotten = lusim_slab_free_since(0);
	kexec_stats.kexecs++;

	pr_info("kexec: %lu pages dropped\n", kexec_stats.pages_dropped);

	err = lusim_boot();
	run_hooks(LUSIM_KEXEC_AFTER_BOOT);
	return err;
}

void lusim_kexec_get_stats(struct lusim_kexec_stats *st)
{
	*st = kexec_stats;
}

/* Machine state: the register and the statistics survive kexec. */
static void kexec_power_on(void)
{
	kexec_handover_reg = 0;
	memset(&kexec_stats, 0, sizeof(kexec_stats));
}
LUSIM_RESET_FN(kexec_power_on, LUSIM_RESET_PRIO_MACHINE)
