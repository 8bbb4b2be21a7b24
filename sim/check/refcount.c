// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reference counts of the live-update records (kernel-model.md section 6
 * item 7; reviewer-bugs.md section 4 item 6): a preserved IOMMU unit's
 * serialized ref_count is the number of live device records behind it, and
 * a unit record lives only while some device needs it.
 */
#include <stdio.h>

#include <lusim/check-model.h>

#include "check_internal.h"

static struct lusim_check inv_unit_refcount;

static void unit_refcount_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;
	unsigned int i, j;

	(void)ctx;
	if (lusim_check_lu_read(&v))
		return;
	for (i = 0; i < v.nr_units; i++) {
		const struct lusim_lu_unit_rec *u = &v.units[i];
		unsigned int devs = 0;
		char detail[160];

		for (j = 0; j < v.nr_devs; j++)
			if (v.devs[j].iommu_phys == u->phys)
				devs++;
		if (devs == u->ref_count && devs)
			continue;
		snprintf(detail, sizeof(detail),
			 "  unit record #%u (ser at %#llx, token %#llx)\n",
			 u->idx, (unsigned long long)u->phys,
			 (unsigned long long)u->token);
		lusim_report(inv_unit_refcount.id, "iommu_ser", detail,
			     "preserved IOMMU unit record #%u has ref_count %u but %u live device record(s) behind it",
			     u->idx, u->ref_count, devs);
	}
	lusim_check_lu_release(&v);
}

static struct lusim_check inv_unit_refcount = {
	.id = "INV-UNIT-REFCOUNT",
	.area = "refcount",
	.desc = "a preserved unit's ref_count equals the live device records behind it, and is not 0",
	.when = LUSIM_CHECK_OP_END | LUSIM_CHECK_BEFORE_FREEZE |
		LUSIM_CHECK_AFTER_FREEZE,
	.run = unit_refcount_run,
};
LUSIM_CHECK_REGISTER(inv_unit_refcount)
