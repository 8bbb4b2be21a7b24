// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine's event log (bounded ring, counters per kind, one hook for
 * oracles) and the fault log (what the units' fault-recording registers
 * would hold, a bounded ring with an overflow count).
 */
#include <string.h>

#include "hw_internal.h"

struct hw__ctx hw__cur;

static struct {
	struct hw_event ev[HW_EVENT_LOG_SIZE];
	unsigned int head, len;		/* oldest at head */
	uint64_t seq;
	uint64_t count[HW_EV_NR];
	hw_event_hook_fn hook;
	void *hook_arg;

	struct hw_fault fault[HW_FAULT_LOG_SIZE];
	unsigned int fhead, flen;
	uint64_t fseq, foverflow;
} L;

static const char *const event_names[HW_EV_NR] = {
	[HW_EV_DMA_ACCESS] = "dma-access",
	[HW_EV_DMA_DROPPED] = "dma-dropped",
	[HW_EV_DMA_FAULT] = "dma-fault",
	[HW_EV_DMA_FREED] = "dma-freed-page",
	[HW_EV_DMA_UNALLOCATED] = "dma-unallocated",
	[HW_EV_WALK_FREED] = "walk-freed-page",
	[HW_EV_WALK_UNALLOCATED] = "walk-unallocated",
	[HW_EV_CPU_FREED] = "cpu-freed-page",
	[HW_EV_CPU_UNALLOCATED] = "cpu-unallocated",
	[HW_EV_KEXEC] = "kexec",
};

static const char *const fault_names[HW_FAULT_NR] = {
	[HW_FAULT_NONE] = "none",
	[HW_FAULT_TRANSLATION_DISABLED] = "translation-disabled",
	[HW_FAULT_ROOT_TABLE_INVALID] = "root-table-invalid",
	[HW_FAULT_ROOT_NOT_PRESENT] = "root-not-present",
	[HW_FAULT_CTX_NOT_PRESENT] = "context-not-present",
	[HW_FAULT_CTX_INVALID] = "context-invalid",
	[HW_FAULT_PASID_DISABLED] = "pasid-disabled",
	[HW_FAULT_PASID_TOO_LARGE] = "pasid-too-large",
	[HW_FAULT_PASID_DIR_NOT_PRESENT] = "pasid-dir-not-present",
	[HW_FAULT_PASID_NOT_PRESENT] = "pasid-not-present",
	[HW_FAULT_PASID_INVALID] = "pasid-entry-invalid",
	[HW_FAULT_ADDR_WIDTH] = "address-width",
	[HW_FAULT_PTE_NOT_PRESENT] = "pte-not-present",
	[HW_FAULT_PTE_RESERVED] = "pte-reserved",
	[HW_FAULT_PERMISSION] = "permission",
};

const char *hw_event_kind_name(enum hw_event_kind kind)
{
	return (unsigned int)kind < HW_EV_NR ? event_names[kind] : "?";
}

const char *hw_fault_reason_name(enum hw_fault_reason reason)
{
	return (unsigned int)reason < HW_FAULT_NR ? fault_names[reason] : "?";
}

void hw__event(enum hw_event_kind kind, uint64_t pa, uint32_t len,
	       enum hw_page_state state, enum hw_fault_reason reason)
{
	struct hw_event e = {
		.seq = ++L.seq,
		.kind = kind,
		.iommu_base = hw__cur.unit ? hw__cur.unit->cfg.reg_base : 0,
		.segment = hw__cur.dev ? hw__cur.dev->cfg.segment : 0,
		.sid = hw__cur.dev ? HW_SID(hw__cur.dev->cfg.bus, hw__cur.dev->cfg.devfn) : 0,
		.pasid = hw__cur.pasid,
		.iova = hw__cur.iova,
		.pa = pa,
		.len = len,
		.write = hw__cur.write,
		.state = state,
		.reason = reason,
	};

	L.count[kind]++;
	if (kind != HW_EV_DMA_ACCESS) {
		unsigned int slot = (L.head + L.len) % HW_EVENT_LOG_SIZE;

		L.ev[slot] = e;
		if (L.len < HW_EVENT_LOG_SIZE)
			L.len++;
		else
			L.head = (L.head + 1) % HW_EVENT_LOG_SIZE;
	}
	if (L.hook)
		L.hook(&e, L.hook_arg);
}

void hw_set_event_hook(hw_event_hook_fn fn, void *arg)
{
	L.hook = fn;
	L.hook_arg = arg;
}

uint64_t hw_event_count(enum hw_event_kind kind)
{
	return (unsigned int)kind < HW_EV_NR ? L.count[kind] : 0;
}

unsigned int hw_event_log_len(void)
{
	return L.len;
}

const struct hw_event *hw_event_log_get(unsigned int i)
{
	if (i >= L.len)
		return NULL;
	return &L.ev[(L.head + i) % HW_EVENT_LOG_SIZE];
}

void hw_event_log_clear(void)
{
	L.head = L.len = 0;
	memset(L.count, 0, sizeof(L.count));
}

void hw__fault_record(const struct hw_xlate *x)
{
	struct hw_fault *f;

	if (L.flen == HW_FAULT_LOG_SIZE) {
		L.fhead = (L.fhead + 1) % HW_FAULT_LOG_SIZE;
		L.flen--;
		L.foverflow++;
	}
	f = &L.fault[(L.fhead + L.flen) % HW_FAULT_LOG_SIZE];
	L.flen++;
	*f = (struct hw_fault){
		.seq = ++L.fseq,
		.iommu_base = hw__cur.unit ? hw__cur.unit->cfg.reg_base : 0,
		.segment = hw__cur.dev ? hw__cur.dev->cfg.segment : 0,
		.sid = hw__cur.dev ? HW_SID(hw__cur.dev->cfg.bus, hw__cur.dev->cfg.devfn) : 0,
		.pasid = hw__cur.pasid,
		.iova = hw__cur.iova,
		.write = hw__cur.write,
		.reason = x->fault,
		.stage = x->stage,
		.level = x->level,
	};
}

uint64_t hw_fault_count(void)
{
	return L.fseq;
}

unsigned int hw_fault_log_len(void)
{
	return L.flen;
}

const struct hw_fault *hw_fault_log_get(unsigned int i)
{
	if (i >= L.flen)
		return NULL;
	return &L.fault[(L.fhead + i) % HW_FAULT_LOG_SIZE];
}

uint64_t hw_fault_log_overflows(void)
{
	return L.foverflow;
}

void hw_fault_log_clear(void)
{
	L.fhead = L.flen = 0;
}

void hw__log_reset(void)
{
	/*
	 * The rings' slots are never read past len: reset indices, not arrays.
	 * The hook stays: it is the harness's wiring, not machine state.
	 */
	L.head = L.len = 0;
	L.seq = 0;
	memset(L.count, 0, sizeof(L.count));
	L.fhead = L.flen = 0;
	L.fseq = L.foverflow = 0;
	memset(&hw__cur, 0, sizeof(hw__cur));
}
