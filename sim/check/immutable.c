// SPDX-License-Identifier: GPL-2.0-only
/*
 * A preserved domain's translations do not change while it is preserved
 * (kernel-model.md section 6: the IOAS behind a preserved HWPT is
 * immutable, map/unmap/cut return -EBUSY, and the HWPT is pinned;
 * reviewer-bugs.md section 4 items 1 and 3). What the next kernel restores
 * is what the tables hold at the kexec; a map or unmap after the preserve
 * changes what the VM's devices will find there, behind the back of the
 * VMM that preserved it.
 *
 * Read like the other live-update checks, from the outgoing FLB's domain
 * records and the tables they name (quiet reads): when a record first
 * appears, a fingerprint of its translations (count and a hash of every
 * (IOVA, physical, size) leaf) is taken; after every op, and before and
 * after the freeze, it is compared; a record that is gone is forgotten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lusim/check-model.h>
#include <lusim/reset.h>

#include "check_internal.h"

#define IMMUTABLE_WHEN	(LUSIM_CHECK_OP_END | LUSIM_CHECK_BEFORE_FREEZE | \
			 LUSIM_CHECK_AFTER_FREEZE)

struct dom_print {
	uint64_t rec_phys, top_table;
	uint64_t hash;
	unsigned long leaves;
	bool seen;		/* in this pass */
	bool reported;
};

static struct {
	struct dom_print *d;
	unsigned int nr;
	size_t cap;
} prints;

static struct lusim_check inv_ioas_mutable;

static void prints_forget(void)
{
	free(prints.d);
	memset(&prints, 0, sizeof(prints));
}
LUSIM_RESET_FN(prints_forget, LUSIM_RESET_PRIO_MACHINE + 20)

static int leaf(uint64_t iova, uint64_t pa, uint64_t size, void *arg)
{
	struct dom_print *p = arg;
	const uint64_t v[3] = { iova, pa, size };
	const unsigned char *b = (const unsigned char *)v;

	for (size_t i = 0; i < sizeof(v); i++) {
		p->hash ^= b[i];
		p->hash *= 0x100000001b3ULL;
	}
	p->leaves++;
	return 0;
}

static struct dom_print fingerprint(const struct lusim_lu_dom_rec *dom)
{
	struct dom_print p = {
		.rec_phys = dom->phys,
		.top_table = dom->top_table,
		.hash = 0xcbf29ce484222325ULL,
	};

	lusim_check_lu_walk(dom->top_table, (unsigned int)dom->top_level,
			    NULL, leaf, &p);
	return p;
}

static struct dom_print *find(const struct lusim_lu_dom_rec *dom)
{
	for (unsigned int i = 0; i < prints.nr; i++)
		if (prints.d[i].rec_phys == dom->phys &&
		    prints.d[i].top_table == dom->top_table)
			return &prints.d[i];
	return NULL;
}

static void ioas_mutable_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;
	unsigned int i, kept;

	(void)ctx;
	for (i = 0; i < prints.nr; i++)
		prints.d[i].seen = false;
	if (lusim_check_lu_read(&v)) {
		prints.nr = 0;		/* no outgoing FLB: nothing preserved */
		return;
	}
	for (i = 0; i < v.nr_doms; i++) {
		const struct lusim_lu_dom_rec *dom = &v.doms[i];
		struct dom_print now = fingerprint(dom);
		struct dom_print *p = find(dom);

		if (!p) {
			prints.d = ck_grow(prints.d, &prints.cap, prints.nr + 1,
					   sizeof(*prints.d));
			p = &prints.d[prints.nr++];
			*p = now;
			p->seen = true;
			continue;
		}
		p->seen = true;
		if (p->reported || (p->hash == now.hash && p->leaves == now.leaves))
			continue;
		p->reported = true;
		lusim_report(inv_ioas_mutable.id, "iommu_domain_ser", NULL,
			     "preserved domain record #%u (top %#llx): its translations changed while it is preserved (%lu leaves at preserve, %lu now%s)",
			     dom->idx, (unsigned long long)dom->top_table,
			     p->leaves, now.leaves,
			     p->leaves == now.leaves ? ", remapped" : "");
	}
	lusim_check_lu_release(&v);

	/* records gone (unpreserved, or the FLB freed): forget them */
	for (i = 0, kept = 0; i < prints.nr; i++)
		if (prints.d[i].seen)
			prints.d[kept++] = prints.d[i];
	prints.nr = kept;
}

static struct lusim_check inv_ioas_mutable = {
	.id = "INV-IOAS-MUTABLE",
	.area = "memory",
	.desc = "a preserved domain's translations do not change while it is preserved",
	.when = IMMUTABLE_WHEN,
	.run = ioas_mutable_run,
};
LUSIM_CHECK_REGISTER(inv_ioas_mutable)
