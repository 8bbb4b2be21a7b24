// SPDX-License-Identifier: GPL-2.0-only
/*
 * Locks and RCU at op boundaries. Lockdep-lite (kernel-shim/kernel/locking)
 * checks every acquisition as it happens (order cycles, sleeping in atomic
 * context, lockdep_assert_held); what only an op boundary can tell is that
 * something was left held: a syscall returns to userspace with no lock held
 * and no RCU read-side section open. The ids are the shim's own, raised by
 * its assertions; these checks decide when they run.
 */
#include <linux/lockdep.h>
#include <linux/rcupdate.h>

#include "check_internal.h"

static void lock_held_run(const struct lusim_check_ctx *ctx)
{
	lusim_lockdep_assert_none_held(ctx->op, "sim/check: op end");
}

static struct lusim_check lock_held_at_op_end = {
	.id = "LOCK-HELD-AT-OP-END",
	.area = "locks",
	.desc = "no lock held and no atomic context left when an op returns to userspace",
	.when = LUSIM_CHECK_OP_END,
	.run = lock_held_run,
};
LUSIM_CHECK_REGISTER(lock_held_at_op_end)

static void rcu_run(const struct lusim_check_ctx *ctx)
{
	/* reports, then closes the reader so the op-end rcu_barrier() can run */
	__lusim_rcu_assert_none_held(ctx->op, "sim/check: op end");
}

static struct lusim_check rcu_unbalanced = {
	.id = "RCU-UNBALANCED",
	.area = "rcu",
	.desc = "no RCU read-side section left open when an op returns to userspace",
	.when = LUSIM_CHECK_OP_END,
	.run = rcu_run,
};
LUSIM_CHECK_REGISTER(rcu_unbalanced)
