// SPDX-License-Identifier: GPL-2.0-only
/*
 * Across kexec (kernel-model.md section 6 items 17, 18, 20;
 * reviewer-bugs.md section 4 items 8, 9; issue 6 "snapshot at freeze what
 * must survive and compare after restore"). At the after-freeze stage,
 * from the records the old kernel hands over and the hardware's own view:
 * per preserved device, the IOVA -> PA translations of its recorded domain
 * (a walk of the tables in simulated memory), its domain id and the PASIDs
 * it has besides the RID's (scalable mode); per other
 * device on the machine, which of those IOVAs it could still translate.
 * After the new kernel booted, the hardware must give each preserved
 * device exactly the frozen translations with the frozen domain id, its
 * IOMMU group must be owned (kernel-model.md item 19: no kernel driver, no
 * new iommufd can take it), and no other device may translate an IOVA to
 * the page it translated to before.
 *
 * The frozen state is host memory that a kexec keeps (it is the harness's
 * memory of the old kernel); power-on forgets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hw/hw.h>
#include <lusim/check-model.h>
#include <lusim/reset.h>

#include "check_internal.h"

/* Leaves kept per preserved device; more are not compared. */
#define FROZEN_MAX_LEAVES	512u

struct frozen_leaf {
	uint64_t iova, pa;
};

struct frozen_dev {
	uint16_t seg;
	uint8_t bus, devfn;
	uint32_t did;
	unsigned int nr;
	struct frozen_leaf *leaves;
	bool released;		/* after boot: left the restored state */
	/* the domain's table pages at freeze, sorted; its levels */
	unsigned int levels, nr_tables;
	size_t cap_tables;
	uint64_t *tables;
};

/* a translation a non-preserved device had at freeze */
struct frozen_other {
	uint16_t seg;
	uint8_t bus, devfn;
	uint64_t iova, pa;
};

/* a PASID entry (other than the RID's) a preserved device had at freeze */
struct frozen_pasid {
	uint16_t seg;
	uint8_t bus, devfn;
	uint32_t pasid;
};

static struct {
	bool valid;
	bool restored;		/* after boot: devs[] are the restored devices */
	unsigned int nr_devs, nr_others, nr_pasids;
	size_t cap_devs, cap_others, cap_pasids;
	struct frozen_dev *devs;
	struct frozen_other *others;
	struct frozen_pasid *pasids;
} frozen;

static struct lusim_check inv_restore_translation, inv_restore_did,
	inv_unpreserved_survives, inv_ownership, inv_pasid_dropped,
	inv_restored_changed, inv_restored_pages;

/* PASIDs scanned per device: the directory entries looked at. */
#define PASID_MAX_DIR_ENTRIES	1024u

/*
 * The scalable-mode PASID directory of @dev from the unit's tables in
 * memory (quiet reads), and its number of entries; 0 when the unit is not
 * in scalable mode or the device has no present context entry.
 */
static uint64_t pasid_dir(struct hw_pci_dev *dev, unsigned int *nr)
{
	struct lusim_lu_hw_tables t;

	if (!lusim_check_lu_hw_tables(hw_pci_segment(dev), hw_pci_bus(dev),
				      hw_pci_devfn(dev), &t) || !t.pasid_dir)
		return 0;
	*nr = t.pasid_dir_entries;
	if (*nr > PASID_MAX_DIR_ENTRIES)
		*nr = PASID_MAX_DIR_ENTRIES;
	return t.pasid_dir;
}

/* Is the PASID entry @pasid of @dev present? */
static bool pasid_present(struct hw_pci_dev *dev, uint32_t pasid)
{
	unsigned int nr;
	uint64_t dir = pasid_dir(dev, &nr), pde, pte;

	if (!dir || (pasid >> HW_PASID_PDE_SHIFT) >= nr)
		return false;
	hw_mem_peek(dir + 8 * (pasid >> HW_PASID_PDE_SHIFT), &pde, sizeof(pde));
	if (!(pde & HW_PDE_P))
		return false;
	hw_mem_peek((pde & HW_PDE_PTP_MASK) + 64 * (pasid & 63), &pte,
		    sizeof(pte));
	return pte & HW_PTE0_P;
}

/* Record every present PASID entry but the RID's of preserved @dev. */
static void freeze_pasids(struct hw_pci_dev *dev)
{
	unsigned int nr = 0, i, j;
	uint64_t dir = pasid_dir(dev, &nr);
	uint64_t pde[64], pte;

	for (i = 0; dir && i < nr; i += 64) {
		unsigned int n = nr - i < 64 ? nr - i : 64;

		hw_mem_peek(dir + 8 * i, pde, 8 * n);
		for (j = 0; j < n * 64; j++) {
			uint32_t pasid = (i + j / 64) * 64 + j % 64;
			struct frozen_pasid *fp;

			if (!(pde[j / 64] & HW_PDE_P) || pasid == HW_NO_PASID)
				continue;
			hw_mem_peek((pde[j / 64] & HW_PDE_PTP_MASK) +
				    64 * (j % 64), &pte, sizeof(pte));
			if (!(pte & HW_PTE0_P))
				continue;
			frozen.pasids = ck_grow(frozen.pasids,
						&frozen.cap_pasids,
						frozen.nr_pasids,
						sizeof(*frozen.pasids));
			fp = &frozen.pasids[frozen.nr_pasids++];
			fp->seg = hw_pci_segment(dev);
			fp->bus = hw_pci_bus(dev);
			fp->devfn = hw_pci_devfn(dev);
			fp->pasid = pasid;
		}
	}
}

static void frozen_forget(void)
{
	unsigned int i;

	for (i = 0; i < frozen.nr_devs; i++) {
		free(frozen.devs[i].leaves);
		free(frozen.devs[i].tables);
	}
	free(frozen.devs);
	free(frozen.others);
	free(frozen.pasids);
	memset(&frozen, 0, sizeof(frozen));
}
LUSIM_RESET_FN(frozen_forget, LUSIM_RESET_PRIO_MACHINE + 20)

static int freeze_leaf(uint64_t iova, uint64_t pa, uint64_t size, void *arg)
{
	struct frozen_dev *f = arg;
	uint64_t off;

	for (off = 0; off < size && f->nr < FROZEN_MAX_LEAVES; off += 4096) {
		f->leaves[f->nr].iova = iova + off;
		f->leaves[f->nr].pa = pa + off;
		f->nr++;
	}
	return f->nr >= FROZEN_MAX_LEAVES;
}

/* A table page of a walk, into a growing array (struct table_set). */
struct table_set {
	uint64_t *pages;
	unsigned int nr;
	size_t cap;
};

static int collect_table(uint64_t phys, unsigned int level, void *arg)
{
	struct table_set *t = arg;

	(void)level;
	t->pages = ck_grow(t->pages, &t->cap, t->nr, sizeof(*t->pages));
	t->pages[t->nr++] = phys & ~0xfffULL;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_preserved_dev(const struct lusim_lu_view *v,
			     struct hw_pci_dev *dev)
{
	unsigned int i;

	for (i = 0; i < v->nr_devs; i++)
		if (v->devs[i].pci_domain == hw_pci_segment(dev) &&
		    v->devs[i].devid == hw_pci_sid(dev))
			return true;
	return false;
}

/* A device in the IOMMU group of a preserved device shares its domain. */
static bool in_preserved_group(const struct lusim_lu_view *v,
			       struct hw_pci_dev *dev)
{
	unsigned int i;

	for (i = 0; i < v->nr_devs; i++) {
		struct hw_pci_dev *p = hw_pci_find(v->devs[i].pci_domain,
						   (v->devs[i].devid >> 8) & 0xff,
						   v->devs[i].devid & 0xff);

		if (p && hw_pci_group(p) == hw_pci_group(dev))
			return true;
	}
	return false;
}

static bool translates(struct hw_pci_dev *dev, uint64_t iova,
		       struct hw_xlate *x)
{
	if (hw_iommu_probe(dev, HW_NO_PASID, iova, HW_DMA_READ, x) != HW_DMA_OK)
		return false;
	return x->kind == HW_XL_FIRST || x->kind == HW_XL_SECOND ||
	       x->kind == HW_XL_NESTED;
}

static void freeze_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;
	unsigned int i, j, k, nr_hw;

	(void)ctx;
	frozen_forget();
	if (lusim_check_lu_read(&v))
		return;
	frozen.valid = true;
	for (i = 0; i < v.nr_devs; i++) {
		const struct lusim_lu_dev_rec *d = &v.devs[i];
		const struct lusim_lu_dom_rec *dom =
			lusim_check_lu_dom(&v, d->domain_phys);
		struct hw_pci_dev *dev;
		struct frozen_dev *f;

		if (!dom)
			continue;	/* INV-RECORD-DANGLING */
		frozen.devs = ck_grow(frozen.devs, &frozen.cap_devs,
				      frozen.nr_devs, sizeof(*frozen.devs));
		f = &frozen.devs[frozen.nr_devs++];
		memset(f, 0, sizeof(*f));
		f->seg = d->pci_domain;
		f->bus = (d->devid >> 8) & 0xff;
		f->devfn = d->devid & 0xff;
		f->did = d->did;
		f->leaves = calloc(FROZEN_MAX_LEAVES, sizeof(*f->leaves));
		if (!f->leaves)
			abort();
		lusim_check_lu_walk(dom->top_table, dom->top_level, NULL,
				    freeze_leaf, f);
		{
			struct table_set t = { 0 };

			lusim_check_lu_walk(dom->top_table, dom->top_level,
					    collect_table, NULL, &t);
			qsort(t.pages, t.nr, sizeof(*t.pages), cmp_u64);
			f->tables = t.pages;
			f->nr_tables = t.nr;
			f->cap_tables = t.cap;
			f->levels = (unsigned int)dom->top_level;
		}
		dev = hw_pci_find(f->seg, f->bus, f->devfn);
		if (dev)
			freeze_pasids(dev);
	}

	nr_hw = hw_pci_count();
	for (k = 0; k < nr_hw; k++) {
		struct hw_pci_dev *dev = hw_pci_at(k);

		if (!dev || is_preserved_dev(&v, dev) ||
		    in_preserved_group(&v, dev))
			continue;
		for (i = 0; i < frozen.nr_devs; i++)
			for (j = 0; j < frozen.devs[i].nr; j++) {
				struct frozen_leaf *l = &frozen.devs[i].leaves[j];
				struct frozen_other *o;
				struct hw_xlate x;

				if (!translates(dev, l->iova, &x))
					continue;
				frozen.others = ck_grow(frozen.others,
							&frozen.cap_others,
							frozen.nr_others,
							sizeof(*frozen.others));
				o = &frozen.others[frozen.nr_others++];
				o->seg = hw_pci_segment(dev);
				o->bus = hw_pci_bus(dev);
				o->devfn = hw_pci_devfn(dev);
				o->iova = l->iova;
				o->pa = x.pa;
			}
	}
	lusim_check_lu_release(&v);
}

static void report_dev(const struct lusim_check *c, const struct frozen_dev *f,
		       const char *what, const char *detail)
{
	lusim_report(c->id, "device_ser", detail,
		     "preserved device %04x:%02x:%02x.%u after kexec: %s",
		     f->seg, f->bus, f->devfn >> 3, f->devfn & 7, what);
}

/*
 * The restored device walks exactly the table pages its domain had at
 * freeze: the restore adopts the preserved tables in place, and every one
 * of them is in use again (none copied to a fresh page, none left behind
 * as reserved memory nobody frees).
 */
static void compare_tables(const struct frozen_dev *f)
{
	struct lusim_lu_hw_tables hw;
	struct table_set now = { 0 };
	unsigned int i = 0, j = 0, extra = 0, missing = 0;
	uint64_t first_extra = 0, first_missing = 0;

	if (!lusim_check_lu_hw_tables(f->seg, f->bus, f->devfn, &hw) ||
	    !hw.rid_present || !hw.rid_table)
		return;		/* INV-RESTORE-TRANSLATION says it */
	lusim_check_lu_walk(hw.rid_table, f->levels, collect_table, NULL, &now);
	qsort(now.pages, now.nr, sizeof(*now.pages), cmp_u64);
	while (i < now.nr || j < f->nr_tables) {
		if (j == f->nr_tables ||
		    (i < now.nr && now.pages[i] < f->tables[j])) {
			if (!extra++)
				first_extra = now.pages[i];
			i++;
		} else if (i == now.nr || f->tables[j] < now.pages[i]) {
			if (!missing++)
				first_missing = f->tables[j];
			j++;
		} else {
			i++;
			j++;
		}
	}
	if (extra || missing) {
		char what[224];

		snprintf(what, sizeof(what),
			 "walks %u table pages, %u were preserved: %u not among them (first %#llx), %u preserved ones unused (first %#llx)",
			 now.nr, f->nr_tables, extra,
			 (unsigned long long)first_extra, missing,
			 (unsigned long long)first_missing);
		report_dev(&inv_restored_pages, f, what, NULL);
	}
	free(now.pages);
}

static void compare_run(const struct lusim_check_ctx *ctx)
{
	unsigned int i, j;

	(void)ctx;
	if (!frozen.valid)
		return;
	for (i = 0; i < frozen.nr_devs; i++) {
		const struct frozen_dev *f = &frozen.devs[i];
		struct hw_pci_dev *dev = hw_pci_find(f->seg, f->bus, f->devfn);
		struct ck_buf b = { .limit = 1024 };
		unsigned int lost = 0, did_bad = 0;
		uint32_t did_seen = 0;

		if (!dev)
			continue;
		for (j = 0; j < f->nr; j++) {
			const struct frozen_leaf *l = &f->leaves[j];
			struct hw_xlate x;

			if (!translates(dev, l->iova, &x)) {
				if (lost++ < 4)
					ck_buf_printf(&b, "  iova %#llx: was %#llx, now faults (%s)\n",
						      (unsigned long long)l->iova,
						      (unsigned long long)l->pa,
						      hw_fault_reason_name(x.fault));
				continue;
			}
			if (x.pa != l->pa) {
				if (lost++ < 4)
					ck_buf_printf(&b, "  iova %#llx: was %#llx, now %#llx\n",
						      (unsigned long long)l->iova,
						      (unsigned long long)l->pa,
						      (unsigned long long)x.pa);
				continue;
			}
			if (x.did != f->did && !did_bad++)
				did_seen = x.did;
		}
		if (lost && lusim_check_enabled(inv_restore_translation.id)) {
			char what[96];

			snprintf(what, sizeof(what),
				 "%u of %u frozen translations lost or changed",
				 lost, f->nr);
			report_dev(&inv_restore_translation, f, what, b.s);
		}
		/* handed over: its group must be owned (by the preserved token) */
		if (lusim_check_enabled(inv_ownership.id) &&
		    lusim_check_lu_group_owned(f->seg, f->bus, f->devfn) == 0)
			report_dev(&inv_ownership, f,
				   "handed over, but its IOMMU group has no DMA owner (a kernel driver or a new iommufd could take it)",
				   NULL);
		if (lusim_check_enabled(inv_restored_pages.id))
			compare_tables(f);
		if (did_bad && lusim_check_enabled(inv_restore_did.id)) {
			char what[96];

			snprintf(what, sizeof(what),
				 "domain id %u, frozen with %u", did_seen,
				 f->did);
			report_dev(&inv_restore_did, f, what, NULL);
		}
		ck_buf_free(&b);
	}
	for (i = 0; i < frozen.nr_others &&
	     lusim_check_enabled(inv_unpreserved_survives.id); i++) {
		const struct frozen_other *o = &frozen.others[i];
		struct hw_pci_dev *dev = hw_pci_find(o->seg, o->bus, o->devfn);
		struct hw_xlate x;

		if (!dev || !translates(dev, o->iova, &x) || x.pa != o->pa)
			continue;
		lusim_report(inv_unpreserved_survives.id, "context_entry", NULL,
			     "device %04x:%02x:%02x.%u was not preserved but still translates iova %#llx to %#llx after kexec",
			     o->seg, o->bus, o->devfn >> 3, o->devfn & 7,
			     (unsigned long long)o->iova,
			     (unsigned long long)o->pa);
	}
	for (i = 0; i < frozen.nr_pasids &&
	     lusim_check_enabled(inv_pasid_dropped.id); i++) {
		const struct frozen_pasid *p = &frozen.pasids[i];
		struct hw_pci_dev *dev = hw_pci_find(p->seg, p->bus, p->devfn);

		if (!dev || pasid_present(dev, p->pasid))
			continue;
		lusim_report(inv_pasid_dropped.id, "device_ser", NULL,
			     "preserved device %04x:%02x:%02x.%u had PASID %u attached when it was handed over; after kexec it is gone",
			     p->seg, p->bus, p->devfn >> 3, p->devfn & 7,
			     p->pasid);
	}
	/*
	 * Keep the preserved devices' translations: until a device leaves the
	 * restored state, INV-RESTORED-CHANGED compares them after every op.
	 */
	free(frozen.others);
	free(frozen.pasids);
	frozen.others = NULL;
	frozen.pasids = NULL;
	frozen.nr_others = frozen.nr_pasids = 0;
	frozen.cap_others = frozen.cap_pasids = 0;
	frozen.valid = false;
	frozen.restored = true;
}

/*
 * After the boot, a restored device's translations are what was handed
 * over, until it leaves the restored state: removed, or its group no
 * longer DMA-owned (released). Phase 1 has no legitimate change in
 * between: no retrieve of the iommufd, finish refused, the restored
 * domain free-only (reviewer-bugs.md section 4 items 8 and 10).
 */
static void restored_changed_run(const struct lusim_check_ctx *ctx)
{
	unsigned int i, j;

	(void)ctx;
	if (!frozen.restored)
		return;
	for (i = 0; i < frozen.nr_devs; i++) {
		struct frozen_dev *f = &frozen.devs[i];
		struct hw_pci_dev *dev;
		unsigned int changed = 0;
		struct ck_buf b = { .limit = 1024 };

		if (f->released)
			continue;
		dev = hw_pci_find(f->seg, f->bus, f->devfn);
		if (!dev || lusim_check_lu_group_owned(f->seg, f->bus, f->devfn) != 1) {
			f->released = true;
			continue;
		}
		for (j = 0; j < f->nr; j++) {
			const struct frozen_leaf *l = &f->leaves[j];
			struct hw_xlate x;
			bool ok = translates(dev, l->iova, &x);

			if (ok && x.pa == l->pa && x.did == f->did)
				continue;
			if (changed++ < 4)
				ck_buf_printf(&b, "  iova %#llx: restored %#llx (did %u), now %s%#llx (did %u)\n",
					      (unsigned long long)l->iova,
					      (unsigned long long)l->pa, f->did,
					      ok ? "" : "faults, ",
					      (unsigned long long)(ok ? x.pa : 0),
					      ok ? x.did : 0);
		}
		if (changed) {
			char what[112];

			snprintf(what, sizeof(what),
				 "%u of %u restored translations changed while it is still restored",
				 changed, f->nr);
			report_dev(&inv_restored_changed, f, what, b.s);
			/* reported once per device and boot */
			f->released = true;
		}
		ck_buf_free(&b);
	}
}

/*
 * One check takes the snapshot (after freeze) and compares (after boot);
 * the comparison's three ids are separate checks so each has its switch.
 */
static void restore_translation_run(const struct lusim_check_ctx *ctx)
{
	if (ctx->when == LUSIM_CHECK_AFTER_FREEZE)
		freeze_run(ctx);
	else if (frozen.valid)
		compare_run(ctx);
}

static struct lusim_check inv_restore_translation = {
	.id = "INV-RESTORE-TRANSLATION",
	.area = "kexec",
	.desc = "after kexec a preserved device translates exactly the IOVAs it translated at freeze, to the same pages",
	.when = LUSIM_CHECK_AFTER_FREEZE | LUSIM_CHECK_AFTER_BOOT,
	.run = restore_translation_run,
};
LUSIM_CHECK_REGISTER(inv_restore_translation)

/* Raised by INV-RESTORE-TRANSLATION's comparison. */
static struct lusim_check inv_restore_did = {
	.id = "INV-RESTORE-DID",
	.area = "kexec",
	.desc = "after kexec a preserved device's translations use the domain id it had at freeze",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(inv_restore_did)

/* Raised by INV-RESTORE-TRANSLATION's comparison. */
static struct lusim_check inv_ownership = {
	.id = "INV-OWNERSHIP",
	.area = "kexec",
	.desc = "after kexec a restored device's IOMMU group has a DMA owner (the preserved token) until userspace lets go",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(inv_ownership)

/* Raised by INV-RESTORE-TRANSLATION's comparison. */
static struct lusim_check inv_pasid_dropped = {
	.id = "INV-PASID-DROPPED",
	.area = "pasid",
	.desc = "a PASID attachment a preserved device had when it was handed over is still there after kexec",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(inv_pasid_dropped)

static struct lusim_check inv_unpreserved_survives = {
	.id = "INV-UNPRESERVED-SURVIVES",
	.area = "kexec",
	.desc = "after kexec a device that was not preserved translates nothing it translated before",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(inv_unpreserved_survives)

static struct lusim_check inv_restored_changed = {
	.id = "INV-RESTORED-CHANGED",
	.area = "kexec",
	.desc = "a restored device keeps the translations handed over until it leaves the restored state",
	.when = LUSIM_CHECK_OP_END,
	.run = restored_changed_run,
};
LUSIM_CHECK_REGISTER(inv_restored_changed)

static struct lusim_check inv_restored_pages = {
	.id = "INV-RESTORED-PAGES",
	.area = "kexec",
	.desc = "a restored device walks exactly the table pages its domain had at freeze",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(inv_restored_pages)
