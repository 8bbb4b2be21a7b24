// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI functions: segment/bus/devfn, the unit whose scope holds them, the
 * PASID and ATS capabilities, group topology (a tag; equal tags model
 * functions without ACS isolation), the bus-master enable bit, the
 * device-TLB, hot-add and hot-remove.
 */
#include <errno.h>
#include <string.h>

#include "hw_internal.h"

#define MAX_DEVS	4096
#define AUTO_GROUP	0x80000000u

static struct {
	struct hw_pci_dev **d;		/* hot-add order */
	unsigned int n, cap;
	unsigned int next_id;
} P;

struct hw_pci_dev *hw_pci_find(uint16_t segment, uint8_t bus, uint8_t devfn)
{
	unsigned int i;

	for (i = 0; i < P.n; i++) {
		struct hw_pci_dev *d = P.d[i];

		if (d->cfg.segment == segment && d->cfg.bus == bus && d->cfg.devfn == devfn)
			return d;
	}
	return NULL;
}

struct hw_pci_dev *hw__pci_find_sid(const struct hw_iommu *unit, uint16_t sid)
{
	unsigned int i;

	for (i = 0; i < P.n; i++) {
		struct hw_pci_dev *d = P.d[i];

		if (d->unit == unit && HW_SID(d->cfg.bus, d->cfg.devfn) == sid)
			return d;
	}
	return NULL;
}

int hw_pci_add(const struct hw_pci_cfg *cfg, struct hw_pci_dev **devp)
{
	struct hw_iommu *unit = hw_iommu_find(cfg->iommu_base);
	struct hw_pci_dev *d;
	unsigned int i;

	if (hw_pci_find(cfg->segment, cfg->bus, cfg->devfn))
		return -EEXIST;
	if (!unit)
		return -ENODEV;
	if (cfg->segment != unit->cfg.segment ||
	    (cfg->max_pasids && ((cfg->max_pasids & (cfg->max_pasids - 1)) ||
				 cfg->max_pasids < 2 || cfg->max_pasids > (1u << 20))) ||
	    (cfg->group_tag & AUTO_GROUP))
		return -EINVAL;
	for (i = 0; cfg->group_tag && i < P.n; i++)
		if (P.d[i]->group == cfg->group_tag && P.d[i]->unit != unit)
			return -EINVAL;	/* a group never spans units */
	if (P.n == MAX_DEVS)
		return -ENOSPC;
	if (P.n == P.cap) {
		unsigned int cap = P.cap ? P.cap * 2 : 16;
		struct hw_pci_dev **n = hw__zalloc(cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		if (P.n)
			memcpy(n, P.d, P.n * sizeof(*n));
		hw__free(P.d);
		P.d = n;
		P.cap = cap;
	}
	d = hw__zalloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->id = P.next_id++;
	d->cfg = *cfg;
	d->unit = unit;
	d->group = cfg->group_tag ? cfg->group_tag : AUTO_GROUP | d->id;
	hw__htab_init(&d->devtlb);
	unit->ndevs++;
	P.d[P.n++] = d;
	if (devp)
		*devp = d;
	return 0;
}

static void dev_destroy(struct hw_pci_dev *d)
{
	d->unit->ndevs--;
	hw__htab_destroy(&d->devtlb);
	hw__free(d);
}

int hw_pci_remove(struct hw_pci_dev *dev)
{
	unsigned int i;

	for (i = 0; i < P.n && P.d[i] != dev; i++)
		;
	if (i == P.n)
		return -ENOENT;
	memmove(&P.d[i], &P.d[i + 1], (P.n - i - 1) * sizeof(P.d[0]));
	P.n--;
	dev_destroy(dev);
	return 0;
}

unsigned int hw_pci_count(void)
{
	return P.n;
}

struct hw_pci_dev *hw_pci_at(unsigned int i)
{
	return i < P.n ? P.d[i] : NULL;
}

uint16_t hw_pci_segment(const struct hw_pci_dev *d)
{
	return d->cfg.segment;
}

uint8_t hw_pci_bus(const struct hw_pci_dev *d)
{
	return d->cfg.bus;
}

uint8_t hw_pci_devfn(const struct hw_pci_dev *d)
{
	return d->cfg.devfn;
}

uint16_t hw_pci_sid(const struct hw_pci_dev *d)
{
	return HW_SID(d->cfg.bus, d->cfg.devfn);
}

struct hw_iommu *hw_pci_iommu(const struct hw_pci_dev *d)
{
	return d->unit;
}

uint32_t hw_pci_max_pasids(const struct hw_pci_dev *d)
{
	return d->cfg.max_pasids;
}

bool hw_pci_has_ats(const struct hw_pci_dev *d)
{
	return d->cfg.ats;
}

uint32_t hw_pci_group(const struct hw_pci_dev *d)
{
	return d->group;
}

unsigned int hw_pci_group_size(const struct hw_pci_dev *d)
{
	unsigned int i, n = 0;

	for (i = 0; i < P.n; i++)
		n += P.d[i]->group == d->group;
	return n;
}

void hw_pci_set_bus_master(struct hw_pci_dev *d, bool enable)
{
	d->bus_master = enable;
}

bool hw_pci_bus_master(const struct hw_pci_dev *d)
{
	return d->bus_master;
}

int hw_pci_enable_ats(struct hw_pci_dev *d, bool enable)
{
	if (!d->cfg.ats)
		return -EINVAL;
	if (!enable)
		hw__devtlb_invalidate(d, HW_PASID_ALL, 0, UINT64_MAX, NULL);
	d->ats_enabled = enable;
	return 0;
}

bool hw_pci_ats_enabled(const struct hw_pci_dev *d)
{
	return d->ats_enabled;
}

unsigned int hw_pci_devtlb_entries(const struct hw_pci_dev *d)
{
	return d->devtlb.count;
}

void hw__pci_reset(void)
{
	while (P.n)
		dev_destroy(P.d[--P.n]);
	hw__free(P.d);
	P.d = NULL;
	P.cap = 0;
	P.next_id = 0;
}
