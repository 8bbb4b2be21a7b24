// SPDX-License-Identifier: GPL-2.0-only
/*
 * The units' translation caches and their invalidation, modelled on VT-d
 * queued-invalidation descriptors.
 *
 *  context cache   (sid)                          -> decoded context entry
 *  PASID cache     (sid, pasid), tagged with did  -> decoded PASID entry
 *  IOTLB           (did, pasid, iova page, size)  -> pa, perm, kind
 *  device-TLB      per device (pasid, iova page, size) -> pa, perm
 *
 * Entries stay until an invalidation that covers them (no capacity
 * eviction): a missing invalidation always shows up as stale DMA.  Only
 * present, valid entries are cached (no caching of faults, i.e. CAP.CM=0).
 *
 * Lookups are hashed; invalidations walk the cache's insertion-ordered
 * list, O(entries in that cache).
 */
#include <errno.h>

#include "hw_internal.h"

#define HT_MIN_BITS	4

static unsigned int ht_hash(uint64_t k0, uint64_t k1, unsigned int nbits)
{
	uint64_t h = k0 * 0x9e3779b97f4a7c15ULL;

	h ^= (k1 + 0x632be59bd9b4e019ULL) * 0xc2b2ae3d27d4eb4fULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (unsigned int)(h >> (64 - nbits));
}

void hw__htab_init(struct hw_htab *t)
{
	t->b = NULL;
	t->nbits = 0;
	t->count = 0;
	INIT_LIST_HEAD(&t->all);
}

struct hw_hnode *hw__htab_find(const struct hw_htab *t, uint64_t k0, uint64_t k1)
{
	struct hw_hnode *n;

	if (!t->b)
		return NULL;
	for (n = t->b[ht_hash(k0, k1, t->nbits)]; n; n = n->hnext)
		if (n->k0 == k0 && n->k1 == k1)
			return n;
	return NULL;
}

static void ht_grow(struct hw_htab *t)
{
	unsigned int nbits = t->nbits ? t->nbits + 1 : HT_MIN_BITS;
	struct hw_hnode **nb = hw__zalloc(sizeof(*nb) << nbits);
	struct hw_hnode *n;

	if (!nb)
		return;		/* keep the old buckets: longer chains, still correct */
	list_for_each_entry(n, &t->all, all) {
		unsigned int h = ht_hash(n->k0, n->k1, nbits);

		n->hnext = nb[h];
		nb[h] = n;
	}
	hw__free(t->b);
	t->b = nb;
	t->nbits = nbits;
}

void hw__htab_insert(struct hw_htab *t, struct hw_hnode *n)
{
	unsigned int h;

	if (!t->b || t->count >= (1u << t->nbits))
		ht_grow(t);
	if (!t->b) {
		hw__free(n);	/* host out of memory: a cache may always drop an entry */
		return;
	}
	h = ht_hash(n->k0, n->k1, t->nbits);
	n->hnext = t->b[h];
	t->b[h] = n;
	list_add_tail(&n->all, &t->all);
	t->count++;
}

void hw__htab_del(struct hw_htab *t, struct hw_hnode *n)
{
	struct hw_hnode **pp = &t->b[ht_hash(n->k0, n->k1, t->nbits)];

	while (*pp != n)
		pp = &(*pp)->hnext;
	*pp = n->hnext;
	list_del(&n->all);
	t->count--;
	hw__free(n);
}

void hw__htab_destroy(struct hw_htab *t)
{
	struct hw_hnode *n, *tmp;

	list_for_each_entry_safe(n, tmp, &t->all, all)
		hw__free(n);
	hw__free(t->b);
	hw__htab_init(t);
}

/* Drop every node @match accepts; returns how many. */
static unsigned int htab_drop_if(struct hw_htab *t,
				 bool (*match)(const struct hw_hnode *n, const void *arg),
				 const void *arg)
{
	struct hw_hnode *n, *tmp;
	unsigned int dropped = 0;

	list_for_each_entry_safe(n, tmp, &t->all, all) {
		if (match(n, arg)) {
			hw__htab_del(t, n);
			dropped++;
		}
	}
	return dropped;
}

/* ---- TLBs ---- */

static unsigned int size_idx(uint64_t size)
{
	return size >= HW_SIZE_1G ? 2 : size >= HW_SIZE_2M ? 1 : 0;
}

struct hw_tlb_entry *hw__tlb_lookup(struct hw_htab *t, uint16_t did,
				    uint32_t pasid, uint64_t iova)
{
	unsigned int idx;

	if (!t->count)
		return NULL;
	for (idx = 0; idx < 3; idx++) {
		struct hw_hnode *n = hw__htab_find(t, hw__tlb_k0(did, pasid, idx),
						   hw__tlb_k1(iova, idx));

		if (n)
			return container_of(n, struct hw_tlb_entry, h);
	}
	return NULL;
}

void hw__tlb_fill(struct hw_htab *t, uint16_t did, uint32_t pasid,
		  uint64_t iova, const struct hw_xlate *x)
{
	unsigned int idx = size_idx(x->size);
	uint64_t size = hw__size_of_idx(idx);
	uint64_t k0 = hw__tlb_k0(did, pasid, idx), k1 = hw__tlb_k1(iova, idx);
	struct hw_hnode *n = hw__htab_find(t, k0, k1);
	struct hw_tlb_entry *e;

	if (n) {
		e = container_of(n, struct hw_tlb_entry, h);
	} else {
		e = hw__zalloc(sizeof(*e));
		if (!e)
			return;
		e->h.k0 = k0;
		e->h.k1 = k1;
	}
	e->did = did;
	e->pasid = pasid;
	e->size_idx = (uint8_t)idx;
	e->kind = (uint8_t)x->kind;
	e->perm = (uint8_t)x->perm;
	e->iova = iova & ~(size - 1);
	e->pa = x->pa - (iova & (size - 1));
	if (!n)
		hw__htab_insert(t, &e->h);
}

/* ---- invalidation ---- */

struct inv_match {
	const struct hw_inv_desc *d;
	uint64_t start, last;
};

static bool range_hit(const struct hw_tlb_entry *e, const struct inv_match *m)
{
	uint64_t last = e->iova + hw__size_of_idx(e->size_idx) - 1;

	return e->iova <= m->last && last >= m->start;
}

static bool any_match(const struct hw_hnode *n, const void *arg)
{
	(void)n;
	(void)arg;
	return true;
}

static bool cc_match(const struct hw_hnode *n, const void *arg)
{
	const struct hw_cc_entry *e = container_of(n, struct hw_cc_entry, h);
	const struct inv_match *m = arg;
	/* scalable-mode context entries carry no did: any did matches them */
	bool did_ok = e->mode == HW_TTM_SCALABLE || e->did == m->d->did;

	if (m->d->gran == HW_INV_DOMAIN)
		return did_ok;
	return did_ok && n->k0 == m->d->sid;
}

static bool pc_match(const struct hw_hnode *n, const void *arg)
{
	const struct hw_pc_entry *e = container_of(n, struct hw_pc_entry, h);
	const struct inv_match *m = arg;

	if (e->did != m->d->did)
		return false;
	return m->d->gran == HW_INV_DOMAIN || n->k1 == m->d->pasid;
}

static bool iotlb_match(const struct hw_hnode *n, const void *arg)
{
	const struct hw_tlb_entry *e = container_of(n, struct hw_tlb_entry, h);
	const struct inv_match *m = arg;

	if (e->kind == HW_XL_FIRST || e->did != m->d->did)
		return false;
	return m->d->gran == HW_INV_DOMAIN || range_hit(e, m);
}

static bool piotlb_match(const struct hw_hnode *n, const void *arg)
{
	const struct hw_tlb_entry *e = container_of(n, struct hw_tlb_entry, h);
	const struct inv_match *m = arg;

	if ((e->kind != HW_XL_FIRST && e->kind != HW_XL_NESTED) ||
	    e->did != m->d->did || e->pasid != m->d->pasid)
		return false;
	return m->d->gran == HW_INV_PASID || range_hit(e, m);
}

static bool devtlb_match(const struct hw_hnode *n, const void *arg)
{
	const struct hw_tlb_entry *e = container_of(n, struct hw_tlb_entry, h);
	const struct inv_match *m = arg;

	if (m->d->pasid != HW_PASID_ALL && e->pasid != m->d->pasid)
		return false;
	return range_hit(e, m);
}

void hw__devtlb_invalidate(struct hw_pci_dev *dev, uint32_t pasid,
			   uint64_t start, uint64_t last, uint64_t *dropped)
{
	struct hw_inv_desc d = { .type = HW_INV_DEVTLB, .pasid = pasid };
	struct inv_match m = { .d = &d, .start = start, .last = last };
	unsigned int n = htab_drop_if(&dev->devtlb, devtlb_match, &m);

	if (dropped)
		*dropped += n;
}

int hw_iommu_invalidate(struct hw_iommu *u, const struct hw_inv_desc *d)
{
	struct inv_match m = { .d = d, .start = 0, .last = UINT64_MAX };
	unsigned int n = 0;

	if ((unsigned int)d->type >= HW_INV_TYPE_NR)
		return -EINVAL;
	if (d->gran == HW_INV_PAGE && d->am < HW_INV_AM_ALL) {
		uint64_t size = 1ULL << (HW_PAGE_SHIFT + d->am);

		m.start = d->addr & ~(size - 1);
		m.last = m.start + size - 1;
	}
	switch (d->type) {
	case HW_INV_CC:
		if (d->gran == HW_INV_GLOBAL)
			n = htab_drop_if(&u->cc, any_match, NULL);
		else if (d->gran == HW_INV_DOMAIN || d->gran == HW_INV_DEVICE)
			n = htab_drop_if(&u->cc, cc_match, &m);
		else
			return -EINVAL;
		break;
	case HW_INV_PC:
		if (d->gran == HW_INV_GLOBAL)
			n = htab_drop_if(&u->pc, any_match, NULL);
		else if (d->gran == HW_INV_DOMAIN || d->gran == HW_INV_PASID)
			n = htab_drop_if(&u->pc, pc_match, &m);
		else
			return -EINVAL;
		break;
	case HW_INV_IOTLB:
		if (d->gran == HW_INV_GLOBAL)
			n = htab_drop_if(&u->iotlb, any_match, NULL);
		else if (d->gran == HW_INV_DOMAIN || d->gran == HW_INV_PAGE)
			n = htab_drop_if(&u->iotlb, iotlb_match, &m);
		else
			return -EINVAL;
		break;
	case HW_INV_PIOTLB:
		if (d->gran == HW_INV_PASID || d->gran == HW_INV_PAGE)
			n = htab_drop_if(&u->iotlb, piotlb_match, &m);
		else
			return -EINVAL;
		break;
	case HW_INV_DEVTLB: {
		struct hw_pci_dev *dev;
		uint64_t dropped = 0;

		if (d->gran != HW_INV_PAGE)
			return -EINVAL;
		/* a descriptor for a function that is not there completes doing nothing */
		dev = hw__pci_find_sid(u, d->sid);
		if (dev)
			hw__devtlb_invalidate(dev, d->pasid, m.start, m.last, &dropped);
		n = (unsigned int)dropped;
		break;
	}
	default:
		return -EINVAL;
	}
	u->st.inv[d->type]++;
	u->st.inv_dropped += n;
	return 0;
}

void hw__unit_free_caches(struct hw_iommu *u)
{
	hw__htab_destroy(&u->cc);
	hw__htab_destroy(&u->pc);
	hw__htab_destroy(&u->iotlb);
}

/* ---- shorthands ---- */

static int inv(struct hw_iommu *u, enum hw_inv_type type, enum hw_inv_gran gran,
	       uint16_t did, uint16_t sid, uint32_t pasid, uint64_t addr, unsigned int am)
{
	struct hw_inv_desc d = {
		.type = type, .gran = gran, .did = did, .sid = sid,
		.pasid = pasid, .addr = addr, .am = am,
	};

	return hw_iommu_invalidate(u, &d);
}

int hw_inv_cc_global(struct hw_iommu *u)
{
	return inv(u, HW_INV_CC, HW_INV_GLOBAL, 0, 0, 0, 0, 0);
}

int hw_inv_cc_domain(struct hw_iommu *u, uint16_t did)
{
	return inv(u, HW_INV_CC, HW_INV_DOMAIN, did, 0, 0, 0, 0);
}

int hw_inv_cc_device(struct hw_iommu *u, uint16_t did, uint16_t sid)
{
	return inv(u, HW_INV_CC, HW_INV_DEVICE, did, sid, 0, 0, 0);
}

int hw_inv_pc_global(struct hw_iommu *u)
{
	return inv(u, HW_INV_PC, HW_INV_GLOBAL, 0, 0, 0, 0, 0);
}

int hw_inv_pc_domain(struct hw_iommu *u, uint16_t did)
{
	return inv(u, HW_INV_PC, HW_INV_DOMAIN, did, 0, 0, 0, 0);
}

int hw_inv_pc_pasid(struct hw_iommu *u, uint16_t did, uint32_t pasid)
{
	return inv(u, HW_INV_PC, HW_INV_PASID, did, 0, pasid, 0, 0);
}

int hw_inv_iotlb_global(struct hw_iommu *u)
{
	return inv(u, HW_INV_IOTLB, HW_INV_GLOBAL, 0, 0, 0, 0, 0);
}

int hw_inv_iotlb_domain(struct hw_iommu *u, uint16_t did)
{
	return inv(u, HW_INV_IOTLB, HW_INV_DOMAIN, did, 0, 0, 0, 0);
}

int hw_inv_iotlb_page(struct hw_iommu *u, uint16_t did, uint64_t addr, unsigned int am)
{
	return inv(u, HW_INV_IOTLB, HW_INV_PAGE, did, 0, 0, addr, am);
}

int hw_inv_piotlb_pasid(struct hw_iommu *u, uint16_t did, uint32_t pasid)
{
	return inv(u, HW_INV_PIOTLB, HW_INV_PASID, did, 0, pasid, 0, 0);
}

int hw_inv_piotlb_page(struct hw_iommu *u, uint16_t did, uint32_t pasid,
		       uint64_t addr, unsigned int am)
{
	return inv(u, HW_INV_PIOTLB, HW_INV_PAGE, did, 0, pasid, addr, am);
}

int hw_inv_devtlb(struct hw_iommu *u, uint16_t sid, uint32_t pasid,
		  uint64_t addr, unsigned int am)
{
	return inv(u, HW_INV_DEVTLB, HW_INV_PAGE, 0, sid, pasid, addr, am);
}
