// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page allocator on simulated memory (kernel-shim/mm/page_alloc.c):
 * allocation and freeing through sim/hw, descriptors and conversions,
 * folios and refcounts, fault injection, might_alloc, leak accounting, the
 * misuse findings, and the frame release used after a kexec.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/spinlock.h>
#include <linux/errno.h>
#include <lusim/fault.h>
#include <hw/hw.h>

#include "lusim_test.h"

/* alloc_page, CPU view, every conversion, free poisons */
static void test_alloc_free_page(void **state)
{
	struct page *page;
	unsigned long pfn;
	phys_addr_t phys;
	char *va;

	(void)state;
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	pfn = page_to_pfn(page);
	phys = page_to_phys(page);
	assert_int_equal(phys, PFN_PHYS(pfn));
	assert_true(pfn_valid(pfn));
	assert_ptr_equal(pfn_to_page(pfn), page);
	va = page_address(page);
	assert_non_null(va);
	assert_ptr_equal(virt_to_page(va + 100), page);
	assert_int_equal(virt_to_phys(va + 100), phys + 100);
	assert_ptr_equal(phys_to_virt(phys + 8), va + 8);
	assert_ptr_equal(__va(phys), va);
	assert_int_equal(__pa(va), phys);
	assert_true(virt_addr_valid(va));
	assert_int_equal(page_ref_count(page), 1);
	assert_int_equal(hw_mem_state(phys), HW_PAGE_ALLOCATED);

	memset(va, 0x5a, PAGE_SIZE);
	assert_int_equal(lusim_page_live_blocks(), 1);
	assert_int_equal(lusim_page_live_pages(), 1);
	__free_page(page);
	assert_int_equal(lusim_page_live_blocks(), 0);
	assert_int_equal(hw_mem_state(phys), HW_PAGE_POISONED);
	{
		unsigned char b;

		hw_mem_peek(phys, &b, 1);
		assert_int_equal(b, HW_FILL_POISON);
	}
	assert_no_findings();
}

/* order-N blocks: contiguous, naturally aligned, zeroed on request */
static void test_order_n(void **state)
{
	struct page *page;
	unsigned long pfn, i;
	unsigned char *va;

	(void)state;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 3);
	assert_non_null(page);
	pfn = page_to_pfn(page);
	assert_int_equal(pfn & 7, 0);
	va = page_address(page);
	for (i = 0; i < 8 * PAGE_SIZE; i++)
		assert_int_equal(va[i], 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(page_to_pfn(page + i), pfn + i);
		assert_ptr_equal(page_address(page + i), va + i * PAGE_SIZE);
		assert_ptr_equal(virt_to_page(va + i * PAGE_SIZE + 1), page + i);
	}
	/* not compound: a tail page is its own folio */
	assert_false(PageHead(page));
	assert_ptr_equal(page_folio(page + 3), (struct folio *)(page + 3));
	assert_int_equal(lusim_page_live_pages(), 8);
	free_pages((unsigned long)va, 3);
	assert_int_equal(lusim_page_live_pages(), 0);

	/* without __GFP_ZERO the machine's "uninitialised" fill shows */
	page = alloc_pages(GFP_KERNEL, 1);
	va = page_address(page);
	assert_int_equal(va[0], HW_FILL_UNINIT);
	__free_pages(page, 1);

	/* order above MAX_PAGE_ORDER: NULL, quietly with __GFP_NOWARN */
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1));
	assert_no_findings();
	assert_null(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	assert_finding("WARN");
}

/* folios: compound heads, tails resolve to the head, refcounts */
static void test_folio(void **state)
{
	struct folio *folio;
	char *va;

	(void)state;
	folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 2);
	assert_non_null(folio);
	assert_true(folio_test_large(folio));
	assert_int_equal(folio_order(folio), 2);
	assert_int_equal(folio_nr_pages(folio), 4);
	assert_int_equal(folio_size(folio), 4 * PAGE_SIZE);
	assert_int_equal(folio_pfn(folio) & 3, 0);
	va = folio_address(folio);
	assert_ptr_equal(virt_to_folio(va + 3 * PAGE_SIZE + 17), folio);
	assert_ptr_equal(page_folio(folio_page(folio, 2)), folio);
	assert_true(PageTail(folio_page(folio, 1)));
	assert_int_equal(compound_order(&folio->page), 2);
	assert_ptr_equal(kmap_local_folio(folio, 5), va + 5);

	folio_get(folio);
	assert_int_equal(folio_ref_count(folio), 2);
	folio_put(folio);
	assert_int_equal(lusim_page_live_blocks(), 1);
	put_page(folio_page(folio, 3));		/* put through a tail page */
	assert_int_equal(lusim_page_live_blocks(), 0);

	/* order-0 folio and the get_free_page family */
	folio = folio_alloc(GFP_KERNEL, 0);
	assert_false(folio_test_large(folio));
	assert_int_equal(folio_order(folio), 0);
	folio_put(folio);
	{
		unsigned long a = get_zeroed_page(GFP_KERNEL);
		unsigned long b = __get_free_pages(GFP_KERNEL, 2);

		assert_int_not_equal(a, 0);
		assert_int_equal(*(unsigned long *)a, 0);
		assert_int_equal(b & (4 * PAGE_SIZE - 1) & ~PAGE_MASK, 0);
		free_page(a);
		free_pages(b, 2);
		free_page(0);			/* free_pages(0) is a no-op */
	}
	assert_int_equal(lusim_page_live_blocks(), 0);
	assert_no_findings();
}

/* LUSIM_FAULT_PAGE: every allocation is a fault point, __GFP_NOFAIL excepted */
static void test_fault_injection(void **state)
{
	unsigned long before = lusim_fault_count(LUSIM_FAULT_PAGE);
	struct page *a, *b;

	(void)state;
	a = alloc_page(GFP_KERNEL);
	assert_int_equal(lusim_fault_count(LUSIM_FAULT_PAGE), before + 1);
	lusim_fail_nth(LUSIM_FAULT_PAGE, 1);
	assert_null(alloc_page(GFP_KERNEL));
	assert_int_equal(lusim_fault_injected(LUSIM_FAULT_PAGE), 1);
	b = alloc_page(GFP_KERNEL);
	assert_non_null(b);
	lusim_fail_nth(LUSIM_FAULT_PAGE, 1);
	__free_page(b);
	b = alloc_page(GFP_KERNEL | __GFP_NOFAIL);
	assert_non_null(b);

	/* a site pattern matches the caller's function */
	assert_int_equal(lusim_fail_site(LUSIM_FAULT_PAGE, "test_fault_injection"), 0);
	assert_null(folio_alloc(GFP_KERNEL, 1));
	__free_page(a);
	__free_page(b);
	assert_no_findings();
}

/* might_alloc: a blocking gfp under a spinlock is a sleep in atomic context */
static void test_might_alloc(void **state)
{
	DEFINE_SPINLOCK(lock);
	struct page *page;

	(void)state;
	spin_lock(&lock);
	page = alloc_page(GFP_ATOMIC);
	spin_unlock(&lock);
	assert_non_null(page);
	__free_page(page);
	assert_no_findings();

	spin_lock(&lock);
	page = alloc_page(GFP_KERNEL);
	spin_unlock(&lock);
	__free_page(page);
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
}

static void test_double_free(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)state;
	__free_page(page);
	assert_no_findings();
	__free_page(page);
	assert_finding("PAGE-DOUBLE-FREE");
}

static void test_bad_free(void **state)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);
	struct folio *folio = folio_alloc(GFP_KERNEL, 1);
	int not_a_page[32] = { 0 };

	(void)state;
	__free_pages(page, 1);			/* wrong order */
	assert_finding("PAGE-BAD-FREE");
	lusim_findings_clear();
	__free_pages(page + 1, 0);		/* inside the block */
	assert_finding("PAGE-BAD-FREE");
	lusim_findings_clear();
	__free_pages((struct page *)not_a_page, 0);
	assert_finding("PAGE-BAD-FREE");
	lusim_findings_clear();
	assert_int_equal(lusim_page_live_blocks(), 2);
	__free_pages(page, 2);

	atomic_set(&folio->_refcount, 0);	/* simulate an extra put */
	folio_put(folio);
	assert_finding("PAGE-REFCOUNT");
	assert_int_equal(lusim_page_live_blocks(), 1);
	atomic_set(&folio->_refcount, 1);
	folio_put(folio);
	assert_int_equal(lusim_page_live_blocks(), 0);
}

static void test_bad_virt_and_pfn(void **state)
{
	int on_stack = 0;

	(void)state;
	assert_int_equal(virt_to_phys(&on_stack), 0);
	assert_finding("PAGE-BAD-VIRT");
	lusim_findings_clear();
	assert_null(virt_to_page(&on_stack));
	assert_finding("PAGE-BAD-VIRT");
	assert_false(virt_addr_valid(&on_stack));
	lusim_findings_clear();
	assert_false(pfn_valid(0));
	assert_null(pfn_to_page(0));
	assert_finding("PAGE-BAD-PFN");
}

/* marks, the leak report, free_since */
static void test_leaks(void **state)
{
	struct page *keep = alloc_page(GFP_KERNEL);
	unsigned long mark = lusim_page_mark();
	const struct lusim_finding *f;

	(void)state;
	alloc_pages(GFP_KERNEL, 1);
	folio_alloc(GFP_KERNEL, 2);
	assert_int_equal(lusim_page_check_leaks_since(mark), 2);
	assert_finding("PAGE-LEAK");
	f = lusim_findings_get(0);
	assert_non_null(strstr(f->msg, "2 page block(s), 6 page(s)"));
	assert_non_null(strstr(f->detail, "order 1 allocated at"));
	assert_non_null(strstr(f->detail, "test_page_alloc.c"));
	assert_int_equal(lusim_page_free_since(mark), 2);
	assert_int_equal(lusim_page_check_leaks_since(mark), 0);
	assert_int_equal(lusim_page_live_blocks(), 1);
	__free_page(keep);
	assert_int_equal(lusim_page_check_leaks(), 0);
}

/* same calls, same frames, after a reset */
static void test_deterministic(void **state)
{
	unsigned long first[8], i;

	(void)state;
	for (int round = 0; round < 2; round++) {
		struct page *p[8];

		lusim_reset_all();
		for (i = 0; i < 8; i++)
			p[i] = alloc_pages(GFP_KERNEL, i % 3);
		__free_pages(p[2], 2);
		p[2] = alloc_page(GFP_KERNEL);
		for (i = 0; i < 8; i++) {
			if (round == 0)
				first[i] = page_to_pfn(p[i]);
			else
				assert_int_equal(page_to_pfn(p[i]), first[i]);
		}
		assert_int_equal(lusim_page_free_since(0), 8);
	}
	assert_no_findings();
}

/* pfn_to_page/virt_to_page cost is constant: two table levels per lookup */
static void test_lookup_cost(void **state)
{
	struct lusim_page_stats st;
	struct page *p[512];
	unsigned long i;

	(void)state;
	for (i = 0; i < 512; i++)
		p[i] = alloc_pages(GFP_KERNEL, i & 1);
	lusim_page_stats(&st);
	unsigned long l0 = st.lookups, s0 = st.lookup_steps;
	for (i = 0; i < 512; i++)
		assert_ptr_equal(virt_to_page(page_address(p[i])), p[i]);
	lusim_page_stats(&st);
	assert_int_equal(st.lookups - l0, 512);
	assert_int_equal(st.lookup_steps - s0, 2 * 512);
	assert_true(st.peak_pages >= 768);
	assert_int_equal(lusim_page_free_since(0), 512);
}

/*
 * After a kexec the kernel's allocations and the machine's blocks can have
 * different shapes: order-0 pages handed out from one order-2 machine block.
 * The block goes back to the machine only when its last frame is freed;
 * frames freed before are poisoned.
 */
static void test_release_mixed_shapes(void **state)
{
	uint64_t phys = hw_mem_alloc(2, HW_MEM_ZERO);
	unsigned long pfn = PHYS_PFN(phys);
	struct page *page;
	unsigned char b;

	(void)state;
	assert_int_equal(lusim_page_reserve_kho(pfn, 2), 0);
	assert_int_equal(lusim_page_reserved_pages(), 4);
	assert_int_equal(lusim_page_reserve_kho(pfn + 2, 0), -EINVAL);	/* overlap */
	page = lusim_page_adopt_kho(pfn, 4, 0, false, "test");
	assert_non_null(page);
	assert_int_equal(lusim_page_reserved_pages(), 0);
	assert_int_equal(lusim_page_live_blocks(), 4);

	__free_page(page + 1);
	assert_int_equal(hw_mem_state(phys), HW_PAGE_ALLOCATED);
	hw_mem_peek(phys + PAGE_SIZE, &b, 1);
	assert_int_equal(b, HW_FILL_POISON);
	hw_mem_peek(phys, &b, 1);
	assert_int_equal(b, 0);
	__free_page(page);
	__free_page(page + 3);
	assert_int_equal(hw_mem_state(phys), HW_PAGE_ALLOCATED);
	__free_page(page + 2);
	assert_int_equal(hw_mem_state(phys), HW_PAGE_POISONED);
	assert_int_equal(lusim_page_live_blocks(), 0);
	assert_no_findings();
}

/*
 * vmstat: node counters and per-folio accounting. Balanced use reports
 * nothing; uncounting a folio that was never counted (memory adopted
 * without its allocator's accounting), freeing a folio with pages still
 * counted, and a node counter below zero are VMSTAT-UNBALANCED.
 */
static void test_vmstat(void **state)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 1);
	struct folio *raw = folio_alloc(GFP_KERNEL, 0);

	(void)state;
	mod_node_page_state(folio_pgdat(folio), NR_IOMMU_PAGES, 2);
	lruvec_stat_mod_folio(folio, NR_SECONDARY_PAGETABLE, 2);
	assert_int_equal(global_node_page_state(NR_IOMMU_PAGES), 2);
	assert_int_equal(node_page_state(NODE_DATA(0), NR_SECONDARY_PAGETABLE), 2);
	lruvec_stat_mod_folio(folio, NR_SECONDARY_PAGETABLE, -2);
	mod_node_page_state(folio_pgdat(folio), NR_IOMMU_PAGES, -2);
	folio_put(folio);
	assert_no_findings();

	/* never counted, uncounted */
	lruvec_stat_mod_folio(raw, NR_SECONDARY_PAGETABLE, -1);
	assert_finding("VMSTAT-UNBALANCED");
	lusim_findings_clear();
	lruvec_stat_mod_folio(raw, NR_SECONDARY_PAGETABLE, 1);
	assert_no_findings();
	/* freed while counted */
	lruvec_stat_mod_folio(raw, NR_SECONDARY_PAGETABLE, 1);
	assert_no_findings();
	folio_put(raw);
	assert_finding("VMSTAT-UNBALANCED");
	lusim_findings_clear();
	/* the node counter below zero */
	mod_node_page_state(NODE_DATA(0), NR_PAGETABLE, -1);
	assert_finding("VMSTAT-UNBALANCED");
	lusim_findings_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_alloc_free_page),
		lusim_unit_test(test_order_n),
		lusim_unit_test(test_folio),
		lusim_unit_test(test_fault_injection),
		lusim_unit_test(test_might_alloc),
		lusim_unit_test(test_double_free),
		lusim_unit_test(test_bad_free),
		lusim_unit_test(test_bad_virt_and_pfn),
		lusim_unit_test(test_leaks),
		lusim_unit_test(test_deterministic),
		lusim_unit_test(test_lookup_cost),
		lusim_unit_test(test_release_mixed_shapes),
		lusim_unit_test(test_vmstat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
