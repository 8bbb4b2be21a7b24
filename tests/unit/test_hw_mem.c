// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/hw physical memory: allocation order and contents, order-N blocks,
 * buddy merging, poison on free, CPU view and its events, misuse findings,
 * the kexec keep-set, the RAM limit, and reset back to the boot state.
 */
#include <errno.h>
#include <string.h>

#include <hw/hw.h>

#include "lusim_test.h"

#define PG(n)	(HW_MEM_BASE + (uint64_t)(n) * HW_PAGE_SIZE)

static bool all_bytes(uint64_t phys, size_t len, int byte)
{
	uint8_t buf[HW_PAGE_SIZE];
	size_t i;

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		hw_mem_peek(phys, buf, n);
		for (i = 0; i < n; i++)
			if (buf[i] != (uint8_t)byte)
				return false;
		phys += n;
		len -= n;
	}
	return true;
}

static void test_alloc_free_contents(void **state)
{
	struct hw_mem_stats st;
	uint64_t a, b, c;

	(void)state;
	a = hw_mem_alloc(0, HW_MEM_ZERO);
	b = hw_mem_alloc(0, 0);
	assert_int_equal(a, PG(0));		/* deterministic: bottom up */
	assert_int_equal(b, PG(1));
	assert_true(all_bytes(a, HW_PAGE_SIZE, 0));
	assert_true(all_bytes(b, HW_PAGE_SIZE, HW_FILL_UNINIT));
	assert_int_equal(hw_mem_state(a), HW_PAGE_ALLOCATED);
	assert_int_equal(hw_mem_state(PG(2)), HW_PAGE_FREE);
	assert_int_equal(hw_mem_state(0x1000), HW_PAGE_NONE);
	assert_int_equal(hw_mem_state(HW_MEM_BASE + HW_MEM_DEFAULT_PAGES * HW_PAGE_SIZE),
			 HW_PAGE_NONE);

	memcpy(hw_phys_to_virt(a), "hello", 5);
	assert_int_equal(hw_mem_free(a, 0), 0);
	assert_int_equal(hw_mem_state(a), HW_PAGE_POISONED);
	assert_true(all_bytes(a, HW_PAGE_SIZE, HW_FILL_POISON));

	c = hw_mem_alloc(0, HW_MEM_ZERO);	/* LIFO: the page just freed */
	assert_int_equal(c, a);
	assert_true(all_bytes(c, HW_PAGE_SIZE, 0));

	hw_mem_get_stats(&st);
	assert_int_equal(st.allocated_pages, 2);
	assert_int_equal(st.peak_pages, 2);
	assert_int_equal(st.allocs, 3);
	assert_int_equal(st.frees, 1);
	assert_no_findings();
}

static void test_order_n_blocks(void **state)
{
	uint64_t a, b, head, p, q;
	unsigned int order;
	uint8_t *v, buf[3 * HW_PAGE_SIZE];
	size_t i;

	(void)state;
	a = hw_mem_alloc(0, 0);			/* page 0 */
	b = hw_mem_alloc(3, HW_MEM_ZERO);	/* aligned: pages 8..15 */
	assert_int_equal(a, PG(0));
	assert_int_equal(b, PG(8));
	/* the gap 1..7 went to the free lists: order-0 allocations take it */
	assert_int_equal(hw_mem_alloc(0, 0), PG(1));
	assert_int_equal(hw_mem_alloc(1, 0), PG(2));
	assert_int_equal(hw_mem_alloc(2, 0), PG(4));

	/* host-contiguous CPU view across the block */
	v = hw_phys_to_virt(b);
	assert_non_null(v);
	assert_int_equal(((uintptr_t)v) & (HW_PAGE_SIZE - 1), 0);
	for (i = 0; i < 8 * HW_PAGE_SIZE; i++)
		v[i] = (uint8_t)(i * 7);
	assert_int_equal(hw_mem_read(b + HW_PAGE_SIZE / 2, buf, sizeof(buf)), 0);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (uint8_t)((i + HW_PAGE_SIZE / 2) * 7));
	assert_ptr_equal(hw_phys_to_virt(b + 5 * HW_PAGE_SIZE + 12), v + 5 * HW_PAGE_SIZE + 12);
	assert_int_equal(hw_virt_to_phys(v + 5 * HW_PAGE_SIZE + 12), b + 5 * HW_PAGE_SIZE + 12);
	assert_int_equal(hw_virt_to_phys(buf), HW_PHYS_NONE);

	assert_int_equal(hw_mem_block(b + 6 * HW_PAGE_SIZE, &head, &order), 0);
	assert_int_equal(head, b);
	assert_int_equal(order, 3);
	assert_int_equal(hw_mem_block(PG(5), &head, &order), 0);
	assert_int_equal(head, PG(4));
	assert_int_equal(order, 2);
	assert_int_equal(hw_mem_block(PG(16), &head, &order), -ENOENT);

	/* buddies merge: free two order-0 buddies, an order-1 takes them */
	p = hw_mem_alloc(0, 0);
	q = hw_mem_alloc(0, 0);
	assert_int_equal(p, PG(16));
	assert_int_equal(q, PG(17));
	assert_int_equal(hw_mem_free(p, 0), 0);
	assert_int_equal(hw_mem_free(q, 0), 0);
	assert_int_equal(hw_mem_alloc(1, 0), PG(16));

	assert_int_equal(hw_mem_alloc(HW_MEM_MAX_ORDER + 1, 0), HW_PHYS_NONE);
	assert_no_findings();
}

static void test_free_misuse_findings(void **state)
{
	uint64_t a, b;

	(void)state;
	a = hw_mem_alloc(0, 0);
	b = hw_mem_alloc(2, 0);
	assert_int_equal(hw_mem_free(a, 0), 0);
	assert_int_equal(hw_mem_free(a, 0), -EINVAL);
	assert_finding("HW-MEM-DOUBLE-FREE");
	lusim_findings_clear();

	assert_int_equal(hw_mem_free(b, 1), -EINVAL);		/* wrong order */
	assert_finding("HW-MEM-BAD-FREE");
	lusim_findings_clear();
	assert_int_equal(hw_mem_free(b + HW_PAGE_SIZE, 0), -EINVAL);	/* not the head */
	assert_finding("HW-MEM-BAD-FREE");
	lusim_findings_clear();
	assert_int_equal(hw_mem_free(0x2000, 0), -EINVAL);	/* not RAM */
	assert_finding("HW-MEM-BAD-FREE");
	lusim_findings_clear();
	assert_int_equal(hw_mem_free(PG(100), 0), -EINVAL);	/* never allocated */
	assert_finding("HW-MEM-DOUBLE-FREE");
	lusim_findings_clear();
	assert_int_equal(hw_mem_free(b, 2), 0);
	assert_no_findings();
}

struct hook_log {
	unsigned int calls;
	enum hw_event_kind last;
	uint64_t pa;
};

static void hook(const struct hw_event *ev, void *arg)
{
	struct hook_log *l = arg;

	l->calls++;
	l->last = ev->kind;
	l->pa = ev->pa;
}

static void test_cpu_access_to_freed_pages(void **state)
{
	static struct hook_log log;	/* static: outlives a failed assertion */
	uint64_t a, x = 0;
	uint8_t *v;

	(void)state;
	memset(&log, 0, sizeof(log));
	hw_set_event_hook(hook, &log);
	a = hw_mem_alloc(0, HW_MEM_ZERO);
	assert_int_equal(hw_mem_read(a, &x, sizeof(x)), 0);
	assert_int_equal(log.calls, 0);
	hw_mem_free(a, 0);

	v = hw_phys_to_virt(a + 8);		/* freed: poisoned storage, and an event */
	assert_non_null(v);
	assert_int_equal(v[0], HW_FILL_POISON);
	assert_int_equal(hw_event_count(HW_EV_CPU_FREED), 1);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.last, HW_EV_CPU_FREED);
	assert_int_equal(log.pa, a + 8);

	assert_int_equal(hw_mem_read(a, &x, sizeof(x)), -EFAULT);
	assert_int_equal(x, 0x6b6b6b6b6b6b6b6bULL);
	assert_int_equal(hw_event_count(HW_EV_CPU_FREED), 2);

	assert_null(hw_phys_to_virt(PG(50)));	/* never allocated */
	assert_int_equal(hw_event_count(HW_EV_CPU_UNALLOCATED), 1);
	assert_int_equal(hw_mem_read(0x5000, &x, sizeof(x)), -EFAULT);	/* not RAM */
	assert_int_equal(x, ~0ULL);
	assert_int_equal(hw_event_count(HW_EV_CPU_UNALLOCATED), 2);
	assert_int_equal(hw_mem_write(0x5000, &x, sizeof(x)), -EFAULT);

	/* the oracle's peek logs nothing */
	hw_mem_peek(a, &x, sizeof(x));
	assert_int_equal(hw_event_count(HW_EV_CPU_FREED), 2);
	assert_int_equal(hw_event_log_len(), 5);
	assert_int_equal(hw_event_log_get(0)->kind, HW_EV_CPU_FREED);
	assert_string_equal(hw_event_kind_name(HW_EV_CPU_FREED), "cpu-freed-page");
	/* the hook survives reset (harness wiring): remove it, log is on our stack */
	lusim_reset_all();
	hw_phys_to_virt(PG(0));
	assert_int_equal(log.calls, 6);
	hw_set_event_hook(NULL, NULL);
}

struct keep_set {
	uint64_t pfn[8];
	unsigned int n;
};

static bool keep_fn(uint64_t pfn, void *arg)
{
	struct keep_set *k = arg;
	unsigned int i;

	for (i = 0; i < k->n; i++)
		if (k->pfn[i] == pfn)
			return true;
	return false;
}

struct blocks {
	uint64_t pfn[16];
	unsigned int order[16];
	unsigned int n;
};

static int collect(uint64_t pfn, unsigned int order, void *arg)
{
	struct blocks *b = arg;

	b->pfn[b->n] = pfn;
	b->order[b->n++] = order;
	return 0;
}

static void test_kexec_keep_set(void **state)
{
	struct keep_set k = { .n = 0 };
	struct blocks bl = { .n = 0 };
	struct hw_mem_stats st;
	uint64_t a, b, c, d;

	(void)state;
	a = hw_mem_alloc(0, 0);		/* page 0: kept */
	c = hw_mem_alloc(0, 0);		/* page 1: dropped */
	b = hw_mem_alloc(2, 0);		/* pages 4..7: 4 and 6 kept, 5 and 7 dropped */
	d = hw_mem_alloc(1, 0);		/* pages 2..3: kept whole */
	memset(hw_phys_to_virt(a), 0x11, HW_PAGE_SIZE);
	memset(hw_phys_to_virt(b), 0x22, 4 * HW_PAGE_SIZE);
	memset(hw_phys_to_virt(d), 0x33, 2 * HW_PAGE_SIZE);
	k.pfn[k.n++] = a >> HW_PAGE_SHIFT;
	k.pfn[k.n++] = (b >> HW_PAGE_SHIFT) + 0;
	k.pfn[k.n++] = (b >> HW_PAGE_SHIFT) + 2;
	k.pfn[k.n++] = d >> HW_PAGE_SHIFT;
	k.pfn[k.n++] = (d >> HW_PAGE_SHIFT) + 1;

	assert_int_equal(hw_machine_kexec(keep_fn, &k), 3);
	hw_mem_get_stats(&st);
	assert_int_equal(st.kexec_dropped, 3);
	assert_int_equal(st.kexec_kept, 5);
	assert_int_equal(st.allocated_pages, 5);

	assert_int_equal(hw_mem_state(c), HW_PAGE_POISONED);
	assert_true(all_bytes(c, HW_PAGE_SIZE, HW_FILL_POISON));
	assert_true(all_bytes(a, HW_PAGE_SIZE, 0x11));
	assert_true(all_bytes(b, HW_PAGE_SIZE, 0x22));
	assert_true(all_bytes(b + 2 * HW_PAGE_SIZE, HW_PAGE_SIZE, 0x22));
	assert_int_equal(hw_mem_state(b + HW_PAGE_SIZE), HW_PAGE_POISONED);
	assert_int_equal(hw_mem_state(b + 3 * HW_PAGE_SIZE), HW_PAGE_POISONED);
	assert_true(all_bytes(b + 3 * HW_PAGE_SIZE, HW_PAGE_SIZE, HW_FILL_POISON));
	assert_true(all_bytes(d, 2 * HW_PAGE_SIZE, 0x33));
	assert_int_equal(hw_event_count(HW_EV_KEXEC), 1);

	/* allocation order is kept; the partly kept block became order-0 blocks */
	hw_mem_for_each(collect, &bl);
	assert_int_equal(bl.n, 4);
	assert_int_equal(bl.pfn[0], a >> HW_PAGE_SHIFT);
	assert_int_equal(bl.order[0], 0);
	assert_int_equal(bl.pfn[1], b >> HW_PAGE_SHIFT);
	assert_int_equal(bl.order[1], 0);
	assert_int_equal(bl.pfn[2], (b >> HW_PAGE_SHIFT) + 2);
	assert_int_equal(bl.order[2], 0);
	assert_int_equal(bl.pfn[3], d >> HW_PAGE_SHIFT);
	assert_int_equal(bl.order[3], 1);

	/* the kept pages can be freed one by one in the new kernel */
	assert_int_equal(hw_mem_free(b + 2 * HW_PAGE_SIZE, 0), 0);
	/* nothing kept: everything goes */
	assert_int_equal(hw_mem_kexec(NULL, NULL), 4);
	hw_mem_get_stats(&st);
	assert_int_equal(st.allocated_pages, 0);
	assert_no_findings();
}

static void test_ram_limit(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(hw_mem_set_limit(8), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(hw_mem_alloc(0, 0), PG(i));
	assert_int_equal(hw_mem_alloc(0, 0), HW_PHYS_NONE);
	assert_int_equal(hw_mem_state(PG(8)), HW_PAGE_NONE);
	assert_int_equal(hw_mem_set_limit(16), -EBUSY);
	hw_mem_free(PG(3), 0);
	assert_int_equal(hw_mem_alloc(0, 0), PG(3));
	assert_int_equal(hw_mem_alloc(1, 0), HW_PHYS_NONE);
}

static void run_workload(uint64_t *out, unsigned int n)
{
	uint64_t keep[4];
	unsigned int i;

	for (i = 0; i < n; i++) {
		out[i] = hw_mem_alloc(i % 4, 0);
		if (i % 3 == 0)
			keep[i % 4] = out[i];
		if (i % 5 == 4)
			hw_mem_free(out[i], i % 4);
	}
	(void)keep;
}

static void test_reset_is_boot_state_and_deterministic(void **state)
{
	struct hw_iommu_cfg ucfg = { .reg_base = 0xfed90000 };
	struct hw_pci_cfg pcfg = { .bus = 1, .iommu_base = 0xfed90000 };
	struct hw_mem_stats st;
	struct hw_iommu *u;
	struct hw_pci_dev *d;
	uint64_t first[40], second[40];

	(void)state;
	run_workload(first, 40);
	assert_int_equal(hw_iommu_add(&ucfg, &u), 0);
	assert_int_equal(hw_pci_add(&pcfg, &d), 0);
	assert_int_equal(hw_iommu_did_alloc(u, 1), 1);
	assert_true(hw_host_objects() > 0);

	lusim_reset_all();
	hw_mem_get_stats(&st);
	assert_int_equal(st.allocated_pages, 0);
	assert_int_equal(st.peak_pages, 0);
	assert_int_equal(st.bump_pages, 0);
	assert_int_equal(hw_host_objects(), 0);
	assert_int_equal(hw_iommu_count(), 0);
	assert_int_equal(hw_pci_count(), 0);
	assert_int_equal(hw_event_log_len(), 0);
	assert_int_equal(hw_mem_state(HW_MEM_BASE), HW_PAGE_FREE);

	run_workload(second, 40);
	assert_memory_equal(first, second, sizeof(first));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_alloc_free_contents),
		lusim_unit_test(test_order_n_blocks),
		lusim_unit_test(test_free_misuse_findings),
		lusim_unit_test(test_cpu_access_to_freed_pages),
		lusim_unit_test(test_kexec_keep_set),
		lusim_unit_test(test_ram_limit),
		lusim_unit_test(test_reset_is_boot_state_and_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
