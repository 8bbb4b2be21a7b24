// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA engine and the units' translation path.
 *
 * A request (device, pasid, iova, read|write):
 *   1. bus mastering off -> dropped (HW_EV_DMA_DROPPED), nothing else;
 *   2. a PASID the device's capability cannot carry -> bad request;
 *   3. device-TLB hit (ATS enabled) -> translated request, the unit is
 *      not consulted;
 *   4. unit: TE off -> untranslated (requests with PASID fault); root
 *      table latched?; context cache or root -> context entry; legacy:
 *      TT (pass-through or second stage with the entry's DID); scalable:
 *      PASID cache or directory -> PASID table entry (RID requests use
 *      the RID_PASID entry, pasid 0), PGTT picks first stage, second
 *      stage, nested or pass-through; IOTLB (did, pasid, iova) or a walk
 *      that fills it; permission check;
 *   5. if the context allows ATS and the device enabled it, the
 *      translation is cached in its device-TLB;
 *   6. memory is read or written page by page; poisoned and unallocated
 *      targets are logged as events.
 * Faults are logged (event always, fault record unless FPD) and stop the
 * transfer at that page.
 */
#include <errno.h>
#include <string.h>

#include "hw_internal.h"

struct req {
	struct hw_iommu *u;
	uint16_t sid;
	uint32_t pasid;
	uint64_t iova;
	bool write;
	bool probe;		/* oracle probe: no caches, no logs */
	bool fpd;		/* fault processing disabled by an entry on the path */
};

static uint64_t rd64(struct req *r, uint64_t phys)
{
	uint64_t v;

	if (!r->probe)
		r->u->st.walk_reads++;
	hw__mem_access(phys, &v, sizeof(v), false, HW_WHO_WALK, r->probe);
	return v;
}

static enum hw_fault_reason ctx_fetch(struct req *r, struct hw_cc_entry *out)
{
	struct hw_iommu *u = r->u;
	unsigned int bus = r->sid >> 8, devfn = r->sid & 0xff;
	uint64_t lo, hi, ctp;

	if (!r->probe) {
		struct hw_hnode *n = hw__htab_find(&u->cc, r->sid, 0);

		if (n) {
			*out = *container_of(n, struct hw_cc_entry, h);
			r->fpd = out->fpd;
			return HW_FAULT_NONE;
		}
	}
	memset(out, 0, sizeof(*out));
	out->mode = u->ttm;
	lo = rd64(r, u->rta + 16 * bus);
	if (u->ttm == HW_TTM_LEGACY) {
		uint64_t clo, chi;
		unsigned int aw;

		if (!(lo & HW_ROOT_P))
			return HW_FAULT_ROOT_NOT_PRESENT;
		ctp = lo & HW_ROOT_CTP_MASK;
		clo = rd64(r, ctp + 16 * devfn);
		if (!(clo & HW_CTX_P))
			return HW_FAULT_CTX_NOT_PRESENT;
		out->fpd = r->fpd = !!(clo & HW_CTX_FPD);
		chi = rd64(r, ctp + 16 * devfn + 8);
		out->tt = (uint8_t)((clo & HW_CTX_TT_MASK) >> HW_CTX_TT_SHIFT);
		out->did = (uint16_t)((chi & HW_CTX_DID_MASK) >> HW_CTX_DID_SHIFT);
		out->slptr = clo & HW_CTX_SLPTPTR_MASK;
		aw = (unsigned int)(chi & HW_CTX_AW_MASK);
		if (out->tt == 3 || (out->tt == HW_CTX_TT_DEVTLB && !u->caps.ats) ||
		    out->did >= u->caps.ndoms)
			return HW_FAULT_CTX_INVALID;
		if (out->tt != HW_CTX_TT_PASSTHROUGH) {
			if ((aw != HW_AW_39 && aw != HW_AW_48) || !(u->caps.sagaw & (1u << aw)))
				return HW_FAULT_CTX_INVALID;
			out->levels = (uint8_t)(aw + 2);
		}
	} else {
		uint64_t q0;

		hi = rd64(r, u->rta + 16 * bus + 8);
		if (devfn >= 128)
			lo = hi;
		if (!(lo & HW_ROOT_P))
			return HW_FAULT_ROOT_NOT_PRESENT;
		ctp = lo & HW_ROOT_CTP_MASK;
		q0 = rd64(r, ctp + 32 * (devfn & 0x7f));
		if (!(q0 & HW_SMCTX_P))
			return HW_FAULT_CTX_NOT_PRESENT;
		out->fpd = r->fpd = !!(q0 & HW_SMCTX_FPD);
		out->dte = !!(q0 & HW_SMCTX_DTE);
		out->paside = !!(q0 & HW_SMCTX_PASIDE);
		out->pdtp = q0 & HW_SMCTX_PDTP_MASK;
		out->pdir_entries = 1u << (((q0 & HW_SMCTX_PDTS_MASK) >> HW_SMCTX_PDTS_SHIFT) + 7);
		if (out->dte && !u->caps.ats)
			return HW_FAULT_CTX_INVALID;
	}
	if (!r->probe) {
		struct hw_cc_entry *e = hw__zalloc(sizeof(*e));

		if (e) {
			*e = *out;
			e->h.k0 = r->sid;
			e->h.k1 = 0;
			hw__htab_insert(&u->cc, &e->h);
		}
	}
	return HW_FAULT_NONE;
}

static enum hw_fault_reason pasid_fetch(struct req *r, const struct hw_cc_entry *cc,
					struct hw_pc_entry *out)
{
	struct hw_iommu *u = r->u;
	uint64_t pde, base, q0, q1, q2;
	unsigned int aw;

	if (!r->probe) {
		struct hw_hnode *n = hw__htab_find(&u->pc, r->sid, r->pasid);

		if (n) {
			*out = *container_of(n, struct hw_pc_entry, h);
			r->fpd |= out->fpd;
			return HW_FAULT_NONE;
		}
	}
	memset(out, 0, sizeof(*out));
	if ((r->pasid >> HW_PASID_PDE_SHIFT) >= cc->pdir_entries)
		return HW_FAULT_PASID_TOO_LARGE;
	pde = rd64(r, cc->pdtp + 8 * (r->pasid >> HW_PASID_PDE_SHIFT));
	if (!(pde & HW_PDE_P))
		return HW_FAULT_PASID_DIR_NOT_PRESENT;
	r->fpd |= !!(pde & HW_PDE_FPD);
	base = (pde & HW_PDE_PTP_MASK) + 64 * (r->pasid & 63);
	q0 = rd64(r, base);
	if (!(q0 & HW_PTE0_P))
		return HW_FAULT_PASID_NOT_PRESENT;
	r->fpd |= !!(q0 & HW_PTE0_FPD);
	out->fpd = r->fpd;
	q1 = rd64(r, base + 8);
	q2 = rd64(r, base + 16);
	out->pgtt = (uint8_t)((q0 & HW_PTE0_PGTT_MASK) >> HW_PTE0_PGTT_SHIFT);
	out->did = (uint16_t)(q1 & HW_PTE1_DID_MASK);
	out->slptr = q0 & HW_PTE0_SLPTPTR_MASK;
	out->flptr = q2 & HW_PTE2_FLPTPTR_MASK;
	aw = (unsigned int)((q0 & HW_PTE0_AW_MASK) >> HW_PTE0_AW_SHIFT);
	if (out->did >= u->caps.ndoms)
		return HW_FAULT_PASID_INVALID;
	switch (out->pgtt) {
	case HW_PGTT_NESTED:
		if (!u->caps.nested)
			return HW_FAULT_PASID_INVALID;
		__attribute__((__fallthrough__));	/* nested uses both stages */
	case HW_PGTT_SECOND:
		if ((aw != HW_AW_39 && aw != HW_AW_48) || !(u->caps.sagaw & (1u << aw)))
			return HW_FAULT_PASID_INVALID;
		out->sl_levels = (uint8_t)(aw + 2);
		if (out->pgtt == HW_PGTT_SECOND)
			break;
		__attribute__((__fallthrough__));
	case HW_PGTT_FIRST:
		if (q2 & HW_PTE2_FLPM_MASK)
			return HW_FAULT_PASID_INVALID;	/* 5-level not modelled */
		break;
	case HW_PGTT_PT:
		break;
	default:
		return HW_FAULT_PASID_INVALID;
	}
	if (!r->probe) {
		struct hw_pc_entry *e = hw__zalloc(sizeof(*e));

		if (e) {
			*e = *out;
			e->h.k0 = r->sid;
			e->h.k1 = r->pasid;
			hw__htab_insert(&u->pc, &e->h);
		}
	}
	return HW_FAULT_NONE;
}

static enum hw_dma_status xl_fault(struct hw_xlate *x, enum hw_fault_reason reason,
				   unsigned int stage, unsigned int level)
{
	x->fault = reason;
	x->stage = stage;
	x->level = level;
	return HW_DMA_FAULT;
}

static enum hw_dma_status passthrough(struct req *r, struct hw_xlate *x,
				      enum hw_xlate_kind kind)
{
	x->kind = kind;
	x->pa = r->iova;
	x->size = HW_PAGE_SIZE;
	x->perm = HW_PERM_RW;
	return HW_DMA_OK;
}

static enum hw_dma_status unit_translate(struct req *r, struct hw_xlate *x)
{
	struct hw_iommu *u = r->u;
	struct hw_cc_entry cc;
	struct hw_pc_entry pc;
	struct hw__walk_env env = { .quiet = r->probe };
	struct hw_tlb_entry *e = NULL;
	enum hw_fault_reason f;
	enum hw_pt_format fmt;
	uint64_t root;
	unsigned int levels, need;

	if (!u->te) {
		if (r->pasid != HW_NO_PASID)
			return xl_fault(x, HW_FAULT_TRANSLATION_DISABLED, 0, 0);
		return passthrough(r, x, HW_XL_UNTRANSLATED);
	}
	if (!u->rta_valid)
		return xl_fault(x, HW_FAULT_ROOT_TABLE_INVALID, 0, 0);
	f = ctx_fetch(r, &cc);
	if (f)
		return xl_fault(x, f, 0, 0);

	if (cc.mode == HW_TTM_LEGACY) {
		if (r->pasid != HW_NO_PASID)
			return xl_fault(x, HW_FAULT_PASID_DISABLED, 0, 0);
		x->ats = cc.tt == HW_CTX_TT_DEVTLB;
		x->did = cc.did;
		if (cc.tt == HW_CTX_TT_PASSTHROUGH)
			return passthrough(r, x, HW_XL_PASSTHROUGH);
		x->kind = HW_XL_SECOND;
		root = cc.slptr;
		levels = cc.levels;
	} else {
		x->ats = cc.dte;
		if (r->pasid != HW_NO_PASID) {
			if (!cc.paside)
				return xl_fault(x, HW_FAULT_PASID_DISABLED, 0, 0);
			if (r->pasid >> u->caps.pasid_bits)
				return xl_fault(x, HW_FAULT_PASID_TOO_LARGE, 0, 0);
		}
		f = pasid_fetch(r, &cc, &pc);
		if (f)
			return xl_fault(x, f, 0, 0);
		x->did = pc.did;
		switch (pc.pgtt) {
		case HW_PGTT_PT:
			return passthrough(r, x, HW_XL_PASSTHROUGH);
		case HW_PGTT_SECOND:
			x->kind = HW_XL_SECOND;
			root = pc.slptr;
			levels = pc.sl_levels;
			break;
		case HW_PGTT_NESTED:
			x->kind = HW_XL_NESTED;
			env.nested = true;
			env.s2_root = pc.slptr;
			env.s2_levels = pc.sl_levels;
			root = pc.flptr;
			levels = 4;
			break;
		default:
			x->kind = HW_XL_FIRST;
			root = pc.flptr;
			levels = 4;
			break;
		}
	}

	if (!r->probe)
		e = hw__tlb_lookup(&u->iotlb, x->did, r->pasid, r->iova);
	if (e) {
		u->st.iotlb_hits++;
		x->iotlb_hit = true;
		x->kind = e->kind;
		x->size = hw__size_of_idx(e->size_idx);
		x->pa = e->pa + (r->iova - e->iova);
		x->perm = e->perm;
		x->level = e->size_idx + 1;
	} else {
		struct hw_pt_walk w;
		unsigned int stage;

		if (!r->probe) {
			u->st.iotlb_misses++;
			u->st.walks++;
			env.reads = &u->st.walk_reads;
		}
		fmt = x->kind == HW_XL_SECOND ? HW_PT_SECOND : HW_PT_FIRST;
		if (hw__pt_walk(&env, root, levels, fmt, r->iova, &w, &stage))
			return xl_fault(x, w.fault, stage, w.level);
		x->pa = w.pa;
		x->size = w.size;
		x->perm = w.perm;
		x->level = w.level;
		if (!r->probe)
			hw__tlb_fill(&u->iotlb, x->did, r->pasid, r->iova, x);
	}
	need = r->write ? HW_PERM_W : HW_PERM_R;
	if (!(x->perm & need))
		return xl_fault(x, HW_FAULT_PERMISSION, x->kind == HW_XL_SECOND ? 2 : 1,
				x->level);
	return HW_DMA_OK;
}

static void log_fault(struct req *r, struct hw_xlate *x)
{
	if (r->probe)
		return;
	r->u->st.faults++;
	hw__event(HW_EV_DMA_FAULT, 0, 0, HW_PAGE_NONE, x->fault);
	if (!r->fpd)
		hw__fault_record(x);
}

static bool pasid_ok(const struct hw_pci_dev *dev, uint32_t pasid)
{
	return pasid == HW_NO_PASID || pasid < dev->cfg.max_pasids;
}

/* One address: device-TLB, then the unit.  The caller checked bus mastering. */
static enum hw_dma_status request(struct hw_pci_dev *dev, uint32_t pasid,
				  uint64_t iova, bool write, bool probe,
				  struct hw_xlate *x)
{
	struct req r = {
		.u = dev->unit, .sid = HW_SID(dev->cfg.bus, dev->cfg.devfn),
		.pasid = pasid, .iova = iova, .write = write, .probe = probe,
	};
	bool ats = !probe && dev->ats_enabled && dev->unit->caps.ats;
	enum hw_dma_status st;

	memset(x, 0, sizeof(*x));
	if (ats) {
		struct hw_tlb_entry *e = hw__tlb_lookup(&dev->devtlb, 0, pasid, iova);

		if (e && (e->perm & (write ? HW_PERM_W : HW_PERM_R))) {
			x->devtlb_hit = true;
			x->ats = true;
			x->kind = e->kind;
			x->size = hw__size_of_idx(e->size_idx);
			x->pa = e->pa + (iova - e->iova);
			x->perm = e->perm;
			return HW_DMA_OK;
		}
	}
	st = unit_translate(&r, x);
	if (st != HW_DMA_OK) {
		log_fault(&r, x);
		return st;
	}
	if (ats && x->ats && x->kind != HW_XL_UNTRANSLATED)
		hw__tlb_fill(&dev->devtlb, 0, pasid, iova, x);
	return HW_DMA_OK;
}

static void set_ctx(struct hw_pci_dev *dev, uint32_t pasid, uint64_t iova, bool write)
{
	hw__cur.unit = dev->unit;
	hw__cur.dev = dev;
	hw__cur.pasid = pasid;
	hw__cur.iova = iova;
	hw__cur.write = write;
	hw__cur.quiet = false;
}

enum hw_dma_status hw_dma_translate(struct hw_pci_dev *dev, uint32_t pasid,
				    uint64_t iova, enum hw_dma_dir dir,
				    struct hw_xlate *x)
{
	bool write = dir == HW_DMA_WRITE;

	memset(x, 0, sizeof(*x));
	set_ctx(dev, pasid, iova, write);
	if (!dev->bus_master) {
		hw__event(HW_EV_DMA_DROPPED, 0, 0, HW_PAGE_NONE, HW_FAULT_NONE);
		return HW_DMA_DROPPED;
	}
	if (!pasid_ok(dev, pasid))
		return HW_DMA_BAD_REQUEST;
	return request(dev, pasid, iova, write, false, x);
}

enum hw_dma_status hw_iommu_probe(struct hw_pci_dev *dev, uint32_t pasid,
				  uint64_t iova, enum hw_dma_dir dir,
				  struct hw_xlate *x)
{
	memset(x, 0, sizeof(*x));
	if (!pasid_ok(dev, pasid))
		return HW_DMA_BAD_REQUEST;
	return request(dev, pasid, iova, dir == HW_DMA_WRITE, true, x);
}

enum hw_dma_status hw_dma(struct hw_pci_dev *dev, uint32_t pasid, uint64_t iova,
			  void *buf, size_t len, enum hw_dma_dir dir,
			  struct hw_dma_result *res)
{
	struct hw_dma_result local;
	bool write = dir == HW_DMA_WRITE;
	struct hw_xlate x;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	set_ctx(dev, pasid, iova, write);
	if (!dev->bus_master) {
		hw__event(HW_EV_DMA_DROPPED, 0, (uint32_t)len, HW_PAGE_NONE, HW_FAULT_NONE);
		return res->status = HW_DMA_DROPPED;
	}
	if (!pasid_ok(dev, pasid) || (len && iova + len - 1 < iova))
		return res->status = HW_DMA_BAD_REQUEST;
	while (res->done < len) {
		uint64_t cur = iova + res->done;
		size_t n = HW_PAGE_SIZE - (cur & ~HW_PAGE_MASK);
		enum hw_page_state s;

		if (n > len - res->done)
			n = len - res->done;
		hw__cur.iova = cur;
		if (request(dev, pasid, cur, write, false, &x) != HW_DMA_OK) {
			res->reason = x.fault;
			res->fault_iova = cur;
			return res->status = HW_DMA_FAULT;
		}
		s = hw__mem_access(x.pa, (uint8_t *)buf + res->done, n, write,
				   HW_WHO_DMA, false);
		if (s == HW_PAGE_POISONED)
			res->freed_pages++;
		else if (s != HW_PAGE_ALLOCATED)
			res->unallocated_pages++;
		hw__event(HW_EV_DMA_ACCESS, x.pa, (uint32_t)n, s, HW_FAULT_NONE);
		res->done += n;
	}
	return res->status = HW_DMA_OK;
}
