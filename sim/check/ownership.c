// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linkage of the outgoing live-update records (kernel-model.md section 6
 * items 1, 4, 6, 12; reviewer-bugs.md section 4 items 2, 3): every live
 * device record names live domain and unit records, no device or page
 * table is recorded twice, a preserved device's recorded attachment is the
 * one the hardware uses until unpreserve or kexec, and no record outlives
 * the sessions (teardown: userspace closed everything).
 */
#include <stdio.h>
#include <string.h>

#include <lusim/check-model.h>

#include "check_internal.h"

#define DEVS_WHEN	(LUSIM_CHECK_OP_END | LUSIM_CHECK_BEFORE_FREEZE | \
			 LUSIM_CHECK_AFTER_FREEZE)

static struct lusim_check inv_record_dangling, inv_double_record,
	inv_dev_attach_changed, inv_record_after_close;

static void dev_detail(char *buf, size_t len, const struct lusim_lu_dev_rec *d)
{
	snprintf(buf, len,
		 "  device record #%u: %04x:%02x:%02x.%u token %#llx did %u domain ser %#llx unit ser %#llx\n",
		 d->idx, d->pci_domain, (d->devid >> 8) & 0xff,
		 (d->devid >> 3) & 0x1f, d->devid & 7,
		 (unsigned long long)d->token, d->did,
		 (unsigned long long)d->domain_phys,
		 (unsigned long long)d->iommu_phys);
}

static void record_dangling_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;
	char detail[256];
	unsigned int i;

	(void)ctx;
	if (lusim_check_lu_read(&v))
		return;
	for (i = 0; i < v.nr_devs; i++) {
		const struct lusim_lu_dev_rec *d = &v.devs[i];
		bool dom = lusim_check_lu_dom(&v, d->domain_phys);
		bool unit = lusim_check_lu_unit(&v, d->iommu_phys);

		if (dom && unit)
			continue;
		dev_detail(detail, sizeof(detail), d);
		lusim_report(inv_record_dangling.id, "device_ser", detail,
			     "preserved device record #%u names %s that is not a live record",
			     d->idx, !dom ? "a domain" : "an IOMMU unit");
	}
	lusim_check_lu_release(&v);
}

static void double_record_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;
	char detail[256];
	unsigned int i, j;

	(void)ctx;
	if (lusim_check_lu_read(&v))
		return;
	for (i = 0; i < v.nr_devs; i++)
		for (j = i + 1; j < v.nr_devs; j++) {
			if (v.devs[i].devid != v.devs[j].devid ||
			    v.devs[i].pci_domain != v.devs[j].pci_domain)
				continue;
			dev_detail(detail, sizeof(detail), &v.devs[j]);
			lusim_report(inv_double_record.id, "device_ser", detail,
				     "device %04x:%02x:%02x.%u has two live records (#%u and #%u)",
				     v.devs[i].pci_domain,
				     (v.devs[i].devid >> 8) & 0xff,
				     (v.devs[i].devid >> 3) & 0x1f,
				     v.devs[i].devid & 7, v.devs[i].idx,
				     v.devs[j].idx);
		}
	for (i = 0; i < v.nr_doms; i++)
		for (j = i + 1; j < v.nr_doms; j++) {
			if (v.doms[i].top_table != v.doms[j].top_table)
				continue;
			lusim_report(inv_double_record.id, "iommu_domain_ser",
				     NULL,
				     "page table %#llx has two live domain records (#%u and #%u)",
				     (unsigned long long)v.doms[i].top_table,
				     v.doms[i].idx, v.doms[j].idx);
		}
	for (i = 0; i < v.nr_units; i++)
		for (j = i + 1; j < v.nr_units; j++) {
			if (v.units[i].token != v.units[j].token)
				continue;
			lusim_report(inv_double_record.id, "iommu_ser", NULL,
				     "IOMMU unit %#llx has two live records (#%u and #%u)",
				     (unsigned long long)v.units[i].token,
				     v.units[i].idx, v.units[j].idx);
		}
	lusim_check_lu_release(&v);
}

/*
 * The hardware's RID entry of a preserved device must start from the
 * recorded domain's table with the recorded domain id: read from the
 * unit's registers and tables, O(1) per device.
 */
static void dev_attach_changed_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;
	char detail[448];
	unsigned int i;

	(void)ctx;
	if (lusim_check_lu_read(&v))
		return;
	for (i = 0; i < v.nr_devs; i++) {
		const struct lusim_lu_dev_rec *d = &v.devs[i];
		const struct lusim_lu_dom_rec *dom =
			lusim_check_lu_dom(&v, d->domain_phys);
		struct lusim_lu_hw_tables t;
		char why[160];

		if (!dom || !lusim_check_lu_hw_tables(d->pci_domain,
						      (d->devid >> 8) & 0xff,
						      d->devid & 0xff, &t))
			continue;	/* INV-RECORD-DANGLING; hot-removed */
		if (!t.rid_present)
			snprintf(why, sizeof(why),
				 "the hardware has no translation for it (no present context/PASID entry, or translation off)");
		else if (t.rid_table != (dom->top_table & ~0xfffULL))
			snprintf(why, sizeof(why),
				 "the hardware translates through table %#llx, the record says %#llx",
				 (unsigned long long)t.rid_table,
				 (unsigned long long)dom->top_table);
		else if (t.rid_did != d->did)
			snprintf(why, sizeof(why),
				 "the hardware uses domain id %u, the record says %u",
				 t.rid_did, d->did);
		else
			continue;
		dev_detail(detail, sizeof(detail), d);
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
			 "  %s\n", why);
		lusim_report(inv_dev_attach_changed.id, "device_ser", detail,
			     "preserved device %04x:%02x:%02x.%u: recorded attachment differs from the live one",
			     d->pci_domain, (d->devid >> 8) & 0xff,
			     (d->devid >> 3) & 0x1f, d->devid & 7);
	}
	lusim_check_lu_release(&v);
}

static void record_after_close_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;

	(void)ctx;
	if (lusim_check_lu_read(&v))
		return;
	if (v.nr_devs || v.nr_doms || v.nr_units)
		lusim_report(inv_record_after_close.id, "iommu_lu_flb_ser", NULL,
			     "userspace is gone (sessions closed) but %u device, %u domain and %u unit record(s) are still live",
			     v.nr_devs, v.nr_doms, v.nr_units);
	lusim_check_lu_release(&v);
}

static struct lusim_check inv_record_dangling = {
	.id = "INV-RECORD-DANGLING",
	.area = "ownership",
	.desc = "every live device record names a live domain record and a live unit record",
	.when = DEVS_WHEN,
	.run = record_dangling_run,
};
LUSIM_CHECK_REGISTER(inv_record_dangling)

static struct lusim_check inv_double_record = {
	.id = "INV-DOUBLE-RECORD",
	.area = "ownership",
	.desc = "at most one live record per device, per page table, per IOMMU unit",
	.when = DEVS_WHEN,
	.run = double_record_run,
};
LUSIM_CHECK_REGISTER(inv_double_record)

static struct lusim_check inv_dev_attach_changed = {
	.id = "INV-DEV-ATTACH-CHANGED",
	.area = "ownership",
	.desc = "a preserved device's recorded attachment (table, domain id) is what the hardware uses",
	.when = DEVS_WHEN,
	.run = dev_attach_changed_run,
};
LUSIM_CHECK_REGISTER(inv_dev_attach_changed)

static struct lusim_check inv_record_after_close = {
	.id = "INV-RECORD-AFTER-CLOSE",
	.area = "ownership",
	.desc = "no live-update record outlives the sessions (teardown)",
	.when = LUSIM_CHECK_TEARDOWN,
	.run = record_after_close_run,
};
LUSIM_CHECK_REGISTER(inv_record_after_close)
