// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live-update oracles' view of the model (<lusim/check-model.h>): the
 * outgoing IOMMU FLB's serialized records, read the way the next kernel
 * will read them, and a quiet walk of VT-d page tables in simulated
 * memory. Reads only; host memory only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hw/hw.h>
#include <linux/kho/abi/iommu.h>
#include <lusim/check-model.h>
#include <lusim/iommu-lu.h>

#include "check_internal.h"

/* The kernel model is optional in a binary that links sim/check. */
#pragma weak lusim_iommu_lu_outgoing_flb_phys

#define LU_ADDR_MASK	0x000ffffffffff000ULL
/* A chain longer than this is malformed (a loop); the model has no such. */
#define LU_MAX_CHAIN_PAGES	4096u

struct lu_caps {
	size_t devs, doms, units, pages;
};

static void add_page(struct lusim_lu_view *v, struct lu_caps *c, uint64_t p)
{
	v->pages = ck_grow(v->pages, &c->pages, v->nr_pages, sizeof(*v->pages));
	v->pages[v->nr_pages++] = p;
}

/*
 * Walk one chain from @first: each page an iommu_objs_ser header and
 * objects of @size bytes, at most @max per page. @fn gets each live
 * object's phys and bytes.
 */
static void walk_chain(struct lusim_lu_view *v, struct lu_caps *c,
		       uint64_t first, size_t size, uint64_t max,
		       void (*fn)(struct lusim_lu_view *v, struct lu_caps *c,
				  uint64_t phys, const void *obj))
{
	unsigned char obj[128];
	uint64_t page = first;
	unsigned int n = 0;

	while (page) {
		struct iommu_objs_ser hdr;
		uint64_t i;

		if (++n > LU_MAX_CHAIN_PAGES || (page & (PAGE_SIZE - 1))) {
			v->malformed = true;
			return;
		}
		add_page(v, c, page);
		hw_mem_peek(page, &hdr, sizeof(hdr));
		if (hdr.nr_objs > max) {
			v->malformed = true;
			hdr.nr_objs = max;
		}
		for (i = 0; i < hdr.nr_objs; i++) {
			uint64_t p = page + sizeof(hdr) + i * size;
			struct iommu_obj_ser o;

			hw_mem_peek(p, obj, size);
			memcpy(&o, obj, sizeof(o));
			if (!o.deleted)
				fn(v, c, p, obj);
		}
		page = hdr.next_objs;
	}
}

static void add_unit(struct lusim_lu_view *v, struct lu_caps *c,
		     uint64_t phys, const void *obj)
{
	struct iommu_ser s;
	struct lusim_lu_unit_rec *r;

	memcpy(&s, obj, sizeof(s));
	v->units = ck_grow(v->units, &c->units, v->nr_units, sizeof(*v->units));
	r = &v->units[v->nr_units++];
	r->idx = s.obj.idx;
	r->phys = phys;
	r->ref_count = s.obj.ref_count;
	r->token = s.token;
	r->root_table = s.intel.root_table;
}

static void add_dom(struct lusim_lu_view *v, struct lu_caps *c,
		    uint64_t phys, const void *obj)
{
	struct iommu_domain_ser s;
	struct lusim_lu_dom_rec *r;

	memcpy(&s, obj, sizeof(s));
	v->doms = ck_grow(v->doms, &c->doms, v->nr_doms, sizeof(*v->doms));
	r = &v->doms[v->nr_doms++];
	r->idx = s.obj.idx;
	r->phys = phys;
	r->top_table = s.top_table;
	r->top_level = s.top_level;
}

static void add_dev(struct lusim_lu_view *v, struct lu_caps *c,
		    uint64_t phys, const void *obj)
{
	struct device_ser s;
	struct lusim_lu_dev_rec *r;

	memcpy(&s, obj, sizeof(s));
	v->devs = ck_grow(v->devs, &c->devs, v->nr_devs, sizeof(*v->devs));
	r = &v->devs[v->nr_devs++];
	r->idx = s.obj.idx;
	r->phys = phys;
	r->token = s.token;
	r->devid = s.devid;
	r->pci_domain = s.pci_domain;
	r->did = s.domain_iommu_ser.did;
	r->domain_phys = s.domain_iommu_ser.domain_phys;
	r->iommu_phys = s.domain_iommu_ser.iommu_phys;
	r->pasid_table = s.intel.pasid_table;
}

static int lu_read(struct lusim_lu_view *v)
{
	struct iommu_lu_flb_ser flb;
	struct lu_caps c = { 0 };

	memset(v, 0, sizeof(*v));
	if (!lusim_iommu_lu_outgoing_flb_phys)
		return -ENOENT;
	v->flb_phys = lusim_iommu_lu_outgoing_flb_phys();
	if (!v->flb_phys)
		return -ENOENT;
	add_page(v, &c, v->flb_phys & ~(uint64_t)(PAGE_SIZE - 1));
	hw_mem_peek(v->flb_phys, &flb, sizeof(flb));
	walk_chain(v, &c, flb.iommus_phys, sizeof(struct iommu_ser),
		   MAX_IOMMU_SERS, add_unit);
	walk_chain(v, &c, flb.iommu_domains_phys, sizeof(struct iommu_domain_ser),
		   MAX_IOMMU_DOMAIN_SERS, add_dom);
	walk_chain(v, &c, flb.devices_phys, sizeof(struct device_ser),
		   MAX_DEVICE_SERS, add_dev);
	return 0;
}

/*
 * One read per checking pass: up to eight checks read the records after
 * every op while a chain is preserved; the model does not change during a
 * pass, so they share the first read (which stays until the next pass's).
 */
static struct {
	unsigned long pass;
	int ret;
	struct lusim_lu_view v;
} lu_cache;

static void lu_free(struct lusim_lu_view *v)
{
	free(v->devs);
	free(v->doms);
	free(v->units);
	free(v->pages);
}

int lusim_check_lu_read(struct lusim_lu_view *v)
{
	unsigned long pass = lusim_check_current_pass();
	int ret;

	if (pass && lu_cache.pass == pass) {
		*v = lu_cache.v;
		return lu_cache.ret;
	}
	ret = lu_read(v);
	if (!pass)
		return ret;
	lu_free(&lu_cache.v);
	v->shared = true;
	lu_cache.v = *v;
	lu_cache.pass = pass;
	lu_cache.ret = ret;
	return ret;
}

void lusim_check_lu_release(struct lusim_lu_view *v)
{
	if (v->shared) {
		memset(v, 0, sizeof(*v));
		return;
	}
	free(v->devs);
	free(v->doms);
	free(v->units);
	free(v->pages);
	memset(v, 0, sizeof(*v));
}

const struct lusim_lu_dom_rec *lusim_check_lu_dom(const struct lusim_lu_view *v,
						  uint64_t phys)
{
	unsigned int i;

	for (i = 0; i < v->nr_doms; i++)
		if (v->doms[i].phys == phys)
			return &v->doms[i];
	return NULL;
}

const struct lusim_lu_unit_rec *lusim_check_lu_unit(const struct lusim_lu_view *v,
						    uint64_t phys)
{
	unsigned int i;

	for (i = 0; i < v->nr_units; i++)
		if (v->units[i].phys == phys)
			return &v->units[i];
	return NULL;
}

struct lu_walk {
	int (*table)(uint64_t phys, unsigned int level, void *arg);
	int (*leaf)(uint64_t iova, uint64_t pa, uint64_t size, void *arg);
	void *arg;
	unsigned int tables;
};

static int walk_level(struct lu_walk *w, uint64_t table, unsigned int level,
		      uint64_t base)
{
	uint64_t ent[512];
	unsigned int shift = 12 + 9 * (level - 1);
	unsigned int i;
	int ret;

	if (++w->tables > LUSIM_LU_WALK_MAX_TABLES)
		return 0;
	if (w->table) {
		ret = w->table(table, level, w->arg);
		if (ret)
			return ret;
	}
	hw_mem_peek(table, ent, sizeof(ent));
	for (i = 0; i < 512; i++) {
		uint64_t e = ent[i], iova = base + ((uint64_t)i << shift);

		if (!(e & 3))
			continue;
		if (level == 1 || (e & (1ULL << 7))) {
			if (w->leaf) {
				ret = w->leaf(iova, e & LU_ADDR_MASK &
					      ~((1ULL << shift) - 1),
					      1ULL << shift, w->arg);
				if (ret)
					return ret;
			}
			continue;
		}
		ret = walk_level(w, e & LU_ADDR_MASK, level - 1, iova);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * One walk per table tree per checking pass: the live-update memory checks
 * walk each preserved domain's tables (two of them after every op); the
 * model does not change during a pass, so the first walk of a pass is
 * recorded (every table and leaf, in walk order) and later walks of the
 * same tree in that pass replay the record to their callbacks: the same
 * calls in the same order, stopping where a callback says stop, as a walk
 * would. Host memory, reused from pass to pass.
 */
struct lu_walk_ev {
	uint64_t a, b, c;	/* table: phys, level; leaf: iova, pa, size */
	bool leaf;
};

#define LU_WALK_SLOTS	8

static struct lu_walk_rec {
	unsigned long pass;
	uint64_t top;
	unsigned int levels;
	struct lu_walk_ev *ev;
	size_t nr, cap;
} lu_walks[LU_WALK_SLOTS];
static unsigned int lu_walk_next;

static struct lu_walk_ev *lu_walk_ev_add(struct lu_walk_rec *r)
{
	if (r->nr == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct lu_walk_ev *ev = realloc(r->ev, cap * sizeof(*ev));

		if (!ev)
			abort();
		r->ev = ev;
		r->cap = cap;
	}
	return &r->ev[r->nr++];
}

static int lu_walk_rec_table(uint64_t phys, unsigned int level, void *arg)
{
	struct lu_walk_ev *e = lu_walk_ev_add(arg);

	*e = (struct lu_walk_ev){ .a = phys, .b = level, .leaf = false };
	return 0;
}

static int lu_walk_rec_leaf(uint64_t iova, uint64_t pa, uint64_t size, void *arg)
{
	struct lu_walk_ev *e = lu_walk_ev_add(arg);

	*e = (struct lu_walk_ev){ .a = iova, .b = pa, .c = size, .leaf = true };
	return 0;
}

static struct lu_walk_rec *lu_walk_recorded(unsigned long pass, uint64_t top,
					    unsigned int levels)
{
	struct lu_walk_rec *r;
	unsigned int i;

	for (i = 0; i < LU_WALK_SLOTS; i++) {
		r = &lu_walks[i];
		if (r->pass == pass && r->top == top && r->levels == levels)
			return r;
	}
	r = &lu_walks[lu_walk_next++ % LU_WALK_SLOTS];
	r->pass = pass;
	r->top = top;
	r->levels = levels;
	r->nr = 0;
	{
		struct lu_walk w = { lu_walk_rec_table, lu_walk_rec_leaf, r, 0 };

		walk_level(&w, top, levels, 0);
	}
	return r;
}

int lusim_check_lu_walk(uint64_t top, unsigned int levels,
			int (*table)(uint64_t phys, unsigned int level, void *arg),
			int (*leaf)(uint64_t iova, uint64_t pa, uint64_t size,
				    void *arg),
			void *arg)
{
	struct lu_walk w = { table, leaf, arg, 0 };
	unsigned long pass = lusim_check_current_pass();
	struct lu_walk_rec *r;
	size_t i;
	int ret;

	if (!top || levels < 1 || levels > 5)
		return 0;
	if (!pass)
		return walk_level(&w, top & LU_ADDR_MASK, levels, 0);
	r = lu_walk_recorded(pass, top & LU_ADDR_MASK, levels);
	for (i = 0; i < r->nr; i++) {
		const struct lu_walk_ev *e = &r->ev[i];

		if (!e->leaf)
			ret = table ? table(e->a, (unsigned int)e->b, arg) : 0;
		else
			ret = leaf ? leaf(e->a, e->b, e->c, arg) : 0;
		if (ret)
			return ret;
	}
	return 0;
}

bool lusim_check_lu_hw_tables(uint16_t seg, uint8_t bus, uint8_t devfn,
			      struct lusim_lu_hw_tables *t)
{
	struct hw_pci_dev *dev = hw_pci_find(seg, bus, devfn);
	struct hw_iommu *unit = dev ? hw_pci_iommu(dev) : NULL;
	enum hw_ttm mode;
	uint64_t re[2], ce[2], pde;

	memset(t, 0, sizeof(*t));
	if (!unit)
		return false;
	if (!hw_iommu_translation_enabled(unit))
		return true;
	t->root = hw_iommu_root_table(unit, &mode);
	if (t->root == HW_PHYS_NONE)
		t->root = 0;
	if (!t->root)
		return true;
	hw_mem_peek(t->root + 16 * bus, re, sizeof(re));
	if (mode == HW_TTM_SCALABLE) {
		uint64_t ctp = re[devfn >= 128];

		if (!(ctp & HW_ROOT_P))
			return true;
		t->context = ctp & HW_ROOT_CTP_MASK;
		hw_mem_peek(t->context + 32 * (devfn & 0x7f), ce, sizeof(ce));
		if (!(ce[0] & HW_SMCTX_P))
			return true;
		t->pasid_dir = ce[0] & HW_SMCTX_PDTP_MASK;
		t->pasid_dir_entries =
			1u << (((ce[0] & HW_SMCTX_PDTS_MASK) >>
				HW_SMCTX_PDTS_SHIFT) + 7);
		hw_mem_peek(t->pasid_dir, &pde, sizeof(pde));
		if (pde & HW_PDE_P)
			t->pasid_table = pde & HW_PDE_PTP_MASK;
		if (t->pasid_table) {
			uint64_t pe[3];
			unsigned int pgtt;

			hw_mem_peek(t->pasid_table, pe, sizeof(pe));	/* PASID 0 */
			if (!(pe[0] & HW_PTE0_P))
				return true;
			t->rid_present = true;
			t->rid_did = pe[1] & HW_PTE1_DID_MASK;
			pgtt = (pe[0] & HW_PTE0_PGTT_MASK) >> HW_PTE0_PGTT_SHIFT;
			if (pgtt == HW_PGTT_FIRST || pgtt == HW_PGTT_NESTED)
				t->rid_table = pe[2] & HW_PTE2_FLPTPTR_MASK;
			else if (pgtt == HW_PGTT_SECOND)
				t->rid_table = pe[0] & HW_PTE0_SLPTPTR_MASK;
		}
		return true;
	}
	if (!(re[0] & HW_ROOT_P))
		return true;
	t->context = re[0] & HW_ROOT_CTP_MASK;
	hw_mem_peek(t->context + 16 * devfn, ce, sizeof(ce));
	if (!(ce[0] & HW_CTX_P))
		return true;
	t->rid_present = true;
	t->rid_did = (ce[1] & HW_CTX_DID_MASK) >> HW_CTX_DID_SHIFT;
	if (((ce[0] & HW_CTX_TT_MASK) >> HW_CTX_TT_SHIFT) !=
	    HW_CTX_TT_PASSTHROUGH)
		t->rid_table = ce[0] & HW_CTX_SLPTPTR_MASK;
	return true;
}
