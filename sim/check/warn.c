// SPDX-License-Identifier: GPL-2.0-only
/*
 * WARN reached. <linux/bug.h> reports every WARN that fires as the finding
 * WARN with the held-lock stack (kernel-shim/lib/bug.c); a WARN must be
 * unreachable from userspace, so every one is a finding. What sim/check adds
 * is the op: the trace hook (check.c) puts "during op #n NAME" in the
 * detail of every finding raised while an op runs, a WARN's included.
 * WARN-CONST-COND (a constant condition other than 0 or 1) is the shim's
 * build-time site list, reported by lusim_warn_report_const_sites().
 *
 * The entry gives the id its place in the registry and the listing; the
 * report itself is the shim's, so its switch changes nothing.
 */
#include "check_internal.h"

static struct lusim_check warn_reached = {
	.id = "WARN",
	.area = "warn",
	.desc = "no WARN is reachable from userspace (raised by the shim; the detail names the op)",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(warn_reached)
