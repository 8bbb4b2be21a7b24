// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory accesses the machine sees (sim/hw's event hook): no device DMA
 * and no IOMMU table walk may reach a freed or never-allocated page, and
 * the kernel's CPU may not touch one either (kernel-model.md section 6,
 * items 16-17; ARCHITECTURE, Contract 3 "memory across kexec"). After a
 * kexec every page KHO did not preserve is freed (poisoned), so these same
 * checks catch DMA through a preserved device into memory that was not
 * preserved, and a new kernel reading memory that was not handed over.
 *
 * DMA a device cannot issue (bus mastering off) never reaches memory and is
 * not reported; accesses the machine reports as faults are translations
 * that failed, not memory accesses.
 */
#include <hw/hw.h>

#include <stdio.h>

#include "check_internal.h"

static struct lusim_check mem_dma_freed = {
	.id = "MEM-DMA-FREED",
	.area = "memory",
	.desc = "no device DMA reaches a freed (or never allocated) page",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(mem_dma_freed)

static struct lusim_check mem_walk_freed = {
	.id = "MEM-WALK-FREED",
	.area = "memory",
	.desc = "no IOMMU translation-structure walk reads a freed (or never allocated) page",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(mem_walk_freed)

static struct lusim_check mem_cpu_freed = {
	.id = "MEM-CPU-FREED",
	.area = "memory",
	.desc = "the kernel's CPU view never reaches a freed (or never allocated) page",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(mem_cpu_freed)

static const char *state_name(enum hw_page_state s)
{
	switch (s) {
	case HW_PAGE_FREE:
		return "never allocated";
	case HW_PAGE_POISONED:
		return "freed";
	case HW_PAGE_NONE:
		return "not RAM";
	default:
		return "allocated";
	}
}

/* "a freed page", for messages */
static const char *state_phrase(enum hw_page_state s)
{
	switch (s) {
	case HW_PAGE_FREE:
		return "a never allocated page";
	case HW_PAGE_POISONED:
		return "a freed page";
	case HW_PAGE_NONE:
		return "memory that is not RAM";
	default:
		return "an allocated page";
	}
}

static void report_dma(struct lusim_check *c, const struct hw_event *ev,
		       bool walk)
{
	const char *op = lusim_check_current_op();
	char dev[64], detail[384];

	snprintf(dev, sizeof(dev), "device %04x:%02x:%02x.%u (sid %#06x) pasid %u",
		 ev->segment, ev->sid >> 8, (ev->sid >> 3) & 0x1f, ev->sid & 7,
		 ev->sid, ev->pasid);
	if (walk)
		snprintf(detail, sizeof(detail),
			 "  translating iova %#llx for %s\n"
			 "  the walk read %u bytes of a translation structure at phys %#llx: the page is %s\n"
			 "  IOMMU unit %#llx\n",
			 (unsigned long long)ev->iova, dev, ev->len,
			 (unsigned long long)ev->pa, state_name(ev->state),
			 (unsigned long long)ev->iommu_base);
	else
		snprintf(detail, sizeof(detail),
			 "  %s of %u byte%s by %s\n"
			 "  iova %#llx -> phys %#llx: the page is %s\n"
			 "  IOMMU unit %#llx\n",
			 ev->write ? "write" : "read", ev->len,
			 ev->len == 1 ? "" : "s", dev,
			 (unsigned long long)ev->iova, (unsigned long long)ev->pa,
			 state_name(ev->state), (unsigned long long)ev->iommu_base);
	lusim_report(c->id, op ? op : "outside any op", detail,
		     "%s reached %s (phys %#llx)",
		     walk ? "IOMMU table walk" : "device DMA",
		     state_phrase(ev->state), (unsigned long long)ev->pa);
}

static void report_cpu(const struct hw_event *ev)
{
	const char *op = lusim_check_current_op();
	char detail[256];

	if (ev->len)
		snprintf(detail, sizeof(detail),
			 "  %s of %u byte%s at phys %#llx\n  the page is %s\n",
			 ev->write ? "write" : "read", ev->len,
			 ev->len == 1 ? "" : "s", (unsigned long long)ev->pa,
			 state_name(ev->state));
	else
		snprintf(detail, sizeof(detail),
			 "  CPU pointer to phys %#llx handed out (hw_phys_to_virt: phys_to_virt, page_address)\n"
			 "  the page is %s\n",
			 (unsigned long long)ev->pa, state_name(ev->state));
	lusim_report(mem_cpu_freed.id, op ? op : "outside any op", detail,
		     "kernel CPU access to %s (phys %#llx)",
		     state_phrase(ev->state), (unsigned long long)ev->pa);
}

static void hw_event(const struct hw_event *ev, void *arg)
{
	(void)arg;
	if (!lusim_check_all_enabled())
		return;
	switch (ev->kind) {
	case HW_EV_DMA_FREED:
	case HW_EV_DMA_UNALLOCATED:
		if (!mem_dma_freed.disabled)
			report_dma(&mem_dma_freed, ev, false);
		break;
	case HW_EV_WALK_FREED:
	case HW_EV_WALK_UNALLOCATED:
		if (!mem_walk_freed.disabled)
			report_dma(&mem_walk_freed, ev, true);
		break;
	case HW_EV_CPU_FREED:
	case HW_EV_CPU_UNALLOCATED:
		if (!mem_cpu_freed.disabled)
			report_cpu(ev);
		break;
	default:
		break;
	}
}

/*
 * sim/hw has one event hook and it is the oracles': whoever else needs the
 * events reads the machine's event log.
 */
void ck_memory_install(void)
{
	hw_set_event_hook(hw_event, NULL);
}
