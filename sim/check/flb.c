// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOMMU FLB lives exactly while it is used (kernel-model.md section 6
 * item 8; reviewer-bugs.md section 4 item 6): its outgoing object exists
 * iff some outgoing session holds a preserved file whose handler is linked
 * to it (iommufd, vfio-pci). LUO creates the object at the first such
 * preserve and frees it at the last unpreserve, counting through
 * liveupdate_flb_get/put: an unpaired get keeps it alive with no user, an
 * unpaired put frees it under its users (whose records then dangle).
 *
 * The users are counted by walking LUO's sessions, independently of the
 * FLB's own count; the object is what the FLB hands out. Both through weak
 * references: without the model or LUO the check does nothing.
 */
#include <stdint.h>

#include "check_internal.h"

uint64_t lusim_iommu_lu_outgoing_flb_phys(void);
unsigned long lusim_iommu_lu_flb_users(void);
#pragma weak lusim_iommu_lu_outgoing_flb_phys
#pragma weak lusim_iommu_lu_flb_users

static struct lusim_check inv_flb_lifetime;

static void flb_lifetime_run(const struct lusim_check_ctx *ctx)
{
	unsigned long users;
	uint64_t obj;

	(void)ctx;
	if (!lusim_iommu_lu_outgoing_flb_phys || !lusim_iommu_lu_flb_users)
		return;
	users = lusim_iommu_lu_flb_users();
	obj = lusim_iommu_lu_outgoing_flb_phys();
	if (!obj == !users)
		return;
	if (obj)
		lusim_report(inv_flb_lifetime.id, "iommu_flb", NULL,
			     "the outgoing IOMMU FLB object (ser at %#llx) is alive with no preserved iommufd or VFIO file to use it",
			     (unsigned long long)obj);
	else
		lusim_report(inv_flb_lifetime.id, "iommu_flb", NULL,
			     "%lu preserved iommufd/VFIO file(s) use the IOMMU FLB, but it has no outgoing object",
			     users);
}

static struct lusim_check inv_flb_lifetime = {
	.id = "INV-FLB-LIFETIME",
	.area = "lifetime",
	.desc = "the outgoing IOMMU FLB object exists iff a preserved file of a linked handler uses it",
	.when = LUSIM_CHECK_OP_END | LUSIM_CHECK_BEFORE_FREEZE,
	.run = flb_lifetime_run,
};
LUSIM_CHECK_REGISTER(inv_flb_lifetime)
