// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live-update state is per object, never a global gate on unrelated
 * operations (reviewer-bugs.md section 4 item 11): the id of the
 * op-level differential. The comparison itself lives with the op language
 * (sim/ops/opdiff.c: it runs the input a second time without its
 * live-update ops), which asks lusim_check_enabled() for this id; the
 * registration here gives it a switch and an entry in the list.
 */
#include "check_internal.h"

static struct lusim_check inv_lu_interference = {
	.id = "INV-LU-INTERFERENCE",
	.area = "state",
	.desc = "an op touching nothing a preserve reached returns what it returns without live update",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(inv_lu_interference)
