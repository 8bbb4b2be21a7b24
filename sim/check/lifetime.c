// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lifetimes that need no knowledge of the model: every object allocated
 * during an input is freed by its end (SLAB-LEAK, raised by the slab's own
 * leak report, which lists the objects by allocation site). Part 2 adds the
 * live-update ones (unit refcount, FLB alive iff used, no record after
 * session close).
 */
#include <linux/slab.h>

#include "check_internal.h"

/*
 * Teardown: userspace is gone and RCU drained, so every object allocated
 * since the input's first op (or since the last kexec's boot: the old
 * kernel's objects vanished with it) and still live is leaked.
 */
static void slab_leak_run(const struct lusim_check_ctx *ctx)
{
	(void)ctx;
	lusim_slab_check_leaks_since(ck_slab_mark_at_run_start());
}

static struct lusim_check slab_leak = {
	.id = "SLAB-LEAK",
	.area = "lifetime",
	.desc = "every slab object allocated during an input is freed by its end",
	.when = LUSIM_CHECK_TEARDOWN,
	.run = slab_leak_run,
};
LUSIM_CHECK_REGISTER(slab_leak)
