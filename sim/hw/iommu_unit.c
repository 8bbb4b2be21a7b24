// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU units: identity (register base), capabilities, the registers the
 * driver programs (root table address + SRTP, translation enable), the
 * domain-id helper, hot-add and hot-remove.
 */
#include <errno.h>
#include <string.h>

#include "hw_internal.h"

#define MAX_UNITS	64

static struct {
	struct hw_iommu *u[MAX_UNITS];
	unsigned int n;
	unsigned int next_id;
} U;

int hw_iommu_add(const struct hw_iommu_cfg *cfg, struct hw_iommu **unitp)
{
	struct hw_iommu *u;
	uint32_t ndoms = cfg->ndoms ? cfg->ndoms : 65536;
	unsigned int pasid_bits = cfg->pasid_bits ? cfg->pasid_bits : 20;
	uint8_t sagaw = cfg->sagaw ? cfg->sagaw : (1u << HW_AW_39) | (1u << HW_AW_48);

	if (!cfg->reg_base || (cfg->reg_base & ~HW_PAGE_MASK) ||
	    ndoms < 16 || ndoms > 65536 || (ndoms & (ndoms - 1)) ||
	    pasid_bits > 20 || (sagaw & ~((1u << HW_AW_39) | (1u << HW_AW_48))))
		return -EINVAL;
	if (hw_iommu_find(cfg->reg_base))
		return -EEXIST;
	if (U.n == MAX_UNITS)
		return -ENOSPC;
	u = hw__zalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->id = U.next_id++;
	u->cfg = *cfg;
	u->caps.scalable = !cfg->legacy_only;
	u->caps.nested = !cfg->legacy_only && !cfg->no_nested;
	u->caps.ats = !cfg->no_ats;
	u->caps.pasid_bits = cfg->legacy_only ? 0 : pasid_bits;
	u->caps.ndoms = ndoms;
	u->caps.sagaw = sagaw;
	hw__htab_init(&u->cc);
	hw__htab_init(&u->pc);
	hw__htab_init(&u->iotlb);
	U.u[U.n++] = u;
	if (unitp)
		*unitp = u;
	return 0;
}

static void unit_destroy(struct hw_iommu *u)
{
	hw__unit_free_caches(u);
	hw__free(u->did_map);
	hw__free(u);
}

int hw_iommu_remove(struct hw_iommu *u)
{
	unsigned int i;

	if (u->ndevs)
		return -EBUSY;
	for (i = 0; i < U.n && U.u[i] != u; i++)
		;
	if (i == U.n)
		return -ENOENT;
	memmove(&U.u[i], &U.u[i + 1], (U.n - i - 1) * sizeof(U.u[0]));
	U.n--;
	unit_destroy(u);
	return 0;
}

struct hw_iommu *hw_iommu_find(uint64_t reg_base)
{
	unsigned int i;

	for (i = 0; i < U.n; i++)
		if (U.u[i]->cfg.reg_base == reg_base)
			return U.u[i];
	return NULL;
}

unsigned int hw_iommu_count(void)
{
	return U.n;
}

struct hw_iommu *hw_iommu_at(unsigned int i)
{
	return i < U.n ? U.u[i] : NULL;
}

uint64_t hw_iommu_base(const struct hw_iommu *u)
{
	return u->cfg.reg_base;
}

uint16_t hw_iommu_segment(const struct hw_iommu *u)
{
	return u->cfg.segment;
}

void hw_iommu_get_caps(const struct hw_iommu *u, struct hw_iommu_caps *caps)
{
	*caps = u->caps;
}

int hw_iommu_set_root_table(struct hw_iommu *u, uint64_t phys, enum hw_ttm mode)
{
	if ((phys & ~HW_PAGE_MASK) || (mode != HW_TTM_LEGACY && mode != HW_TTM_SCALABLE))
		return -EINVAL;
	if (mode == HW_TTM_SCALABLE && !u->caps.scalable)
		return -EINVAL;
	u->rta = phys;
	u->ttm = mode;
	u->rta_valid = true;
	return 0;
}

uint64_t hw_iommu_root_table(const struct hw_iommu *u, enum hw_ttm *mode)
{
	if (mode)
		*mode = u->ttm;
	return u->rta_valid ? u->rta : HW_PHYS_NONE;
}

void hw_iommu_set_translation(struct hw_iommu *u, bool enable)
{
	u->te = enable;
}

bool hw_iommu_translation_enabled(const struct hw_iommu *u)
{
	return u->te;
}

void hw_iommu_get_stats(const struct hw_iommu *u, struct hw_iommu_stats *st)
{
	*st = u->st;
	st->cc_entries = u->cc.count;
	st->pc_entries = u->pc.count;
	st->iotlb_entries = u->iotlb.count;
}

/* ---- domain ids ---- */

static int did_map(struct hw_iommu *u)
{
	if (!u->did_map)
		u->did_map = hw__zalloc(DIV_ROUND_UP(u->caps.ndoms, 64) * sizeof(uint64_t));
	return u->did_map ? 0 : -ENOMEM;
}

bool hw_iommu_did_in_use(const struct hw_iommu *u, unsigned int did)
{
	return u->did_map && did < u->caps.ndoms &&
	       (u->did_map[did / 64] & (1ULL << (did % 64)));
}

int hw_iommu_did_reserve(struct hw_iommu *u, unsigned int did)
{
	if (did >= u->caps.ndoms)
		return -EINVAL;
	if (did_map(u))
		return -ENOMEM;
	if (hw_iommu_did_in_use(u, did))
		return -EBUSY;
	u->did_map[did / 64] |= 1ULL << (did % 64);
	u->did_count++;
	return 0;
}

int hw_iommu_did_alloc(struct hw_iommu *u, unsigned int min)
{
	unsigned int w;

	if (did_map(u))
		return -ENOMEM;
	for (w = min / 64; w < DIV_ROUND_UP(u->caps.ndoms, 64); w++) {
		uint64_t free = ~u->did_map[w];

		if (w == min / 64)
			free &= ~((1ULL << (min % 64)) - 1);
		if (free) {
			unsigned int did = w * 64 + (unsigned int)__builtin_ctzll(free);

			if (did >= u->caps.ndoms)
				break;

			u->did_map[w] |= 1ULL << (did % 64);
			u->did_count++;
			return (int)did;
		}
	}
	return -ENOSPC;
}

void hw_iommu_did_free(struct hw_iommu *u, unsigned int did)
{
	if (!hw_iommu_did_in_use(u, did))
		return;
	u->did_map[did / 64] &= ~(1ULL << (did % 64));
	u->did_count--;
}

unsigned int hw_iommu_did_count(const struct hw_iommu *u)
{
	return u->did_count;
}

/* ---- machine-wide ---- */

void hw__units_kexec(void)
{
	unsigned int i;

	/* the DID allocator is the old kernel's memory: it does not survive */
	for (i = 0; i < U.n; i++) {
		hw__free(U.u[i]->did_map);
		U.u[i]->did_map = NULL;
		U.u[i]->did_count = 0;
	}
}

void hw__units_reset(void)
{
	while (U.n)
		unit_destroy(U.u[--U.n]);
	U.next_id = 0;
}
