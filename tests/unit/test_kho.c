// SPDX-License-Identifier: GPL-2.0-only
/*
 * KHO (kernel-shim/kernel/liveupdate/kexec_handover.c): the preserved set's
 * bit semantics (idempotent, no refcount, same split to unpreserve), the
 * chunk split of kho_preserve_pages, might_sleep, fault injection and
 * rollback, kho_alloc_preserve, the after-finalize errno, sub-trees, the
 * serialized form, and across a kexec: preserved bytes survive, everything
 * else is poisoned, restore works once per chunk, and the parser rejects
 * corrupted handovers without trusting any length.
 */
#include <linux/mm.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <lusim/fault.h>
#include <lusim/kexec.h>
#include <hw/hw.h>

#include "lusim_test.h"

static int boot(void **state)
{
	lusim_test_setup(state);
	assert_int_equal(lusim_boot(), 0);
	lusim_findings_clear();
	return 0;
}

#define kho_test(f) cmocka_unit_test_setup_teardown(f, boot, lusim_test_teardown)

/* preserving twice is one bit; one unpreserve clears it; a second WARNs */
static void test_idempotent(void **state)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 2);
	unsigned long base = lusim_kho_nr_preserved_chunks();

	(void)state;
	assert_int_equal(kho_preserve_folio(folio), 0);
	assert_int_equal(kho_preserve_folio(folio), 0);
	assert_int_equal(lusim_kho_nr_preserved_chunks(), base + 1);
	assert_true(lusim_kho_is_preserved(folio_pfn(folio), 2));
	assert_false(lusim_kho_is_preserved(folio_pfn(folio), 0));
	assert_true(lusim_kho_pfn_preserved(folio_pfn(folio) + 3));
	kho_unpreserve_folio(folio);
	assert_int_equal(lusim_kho_nr_preserved_chunks(), base);
	assert_false(lusim_kho_pfn_preserved(folio_pfn(folio) + 3));
	assert_no_findings();
	kho_unpreserve_folio(folio);
	assert_finding("WARN");
	folio_put(folio);
}

/* kho_preserve_pages: naturally aligned power-of-two chunks, same to undo */
static void test_preserve_pages_split(void **state)
{
	struct page *page = alloc_pages(GFP_KERNEL, 4);	/* 16 aligned pages */
	unsigned long pfn = page_to_pfn(page);
	unsigned long base = lusim_kho_nr_preserved_chunks();

	(void)state;
	/* 13 pages from an order-4 boundary: 8 + 4 + 1 */
	assert_int_equal(kho_preserve_pages(page, 13), 0);
	assert_int_equal(lusim_kho_nr_preserved_chunks(), base + 3);
	assert_true(lusim_kho_is_preserved(pfn, 3));
	assert_true(lusim_kho_is_preserved(pfn + 8, 2));
	assert_true(lusim_kho_is_preserved(pfn + 12, 0));
	/* from pfn + 1: 1 + 2 + 4 + 1 */
	assert_int_equal(kho_preserve_pages(page + 1, 8), 0);
	assert_true(lusim_kho_is_preserved(pfn + 1, 0));
	assert_true(lusim_kho_is_preserved(pfn + 2, 1));
	assert_true(lusim_kho_is_preserved(pfn + 4, 2));
	assert_true(lusim_kho_is_preserved(pfn + 8, 0));
	kho_unpreserve_pages(page + 1, 8);
	kho_unpreserve_pages(page, 13);
	assert_int_equal(lusim_kho_nr_preserved_chunks(), base);
	assert_no_findings();

	/* a different split: the order-3 chunk is not there as order 2 */
	assert_int_equal(kho_preserve_pages(page, 8), 0);
	kho_unpreserve_pages(page, 4);
	assert_finding("WARN");
	kho_unpreserve_pages(page, 8);
	__free_pages(page, 4);
}

static void test_might_sleep(void **state)
{
	DEFINE_SPINLOCK(lock);
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);

	(void)state;
	spin_lock(&lock);
	kho_preserve_folio(folio);
	spin_unlock(&lock);
	assert_finding("LOCK-SLEEP-IN-ATOMIC");
	kho_unpreserve_folio(folio);
	folio_put(folio);
}

/* LUSIM_FAULT_KHO per chunk; a failing kho_preserve_pages rolls back */
static void test_fault_injection(void **state)
{
	struct page *page = alloc_pages(GFP_KERNEL, 3);
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);
	unsigned long base = lusim_kho_nr_preserved_chunks();

	(void)state;
	lusim_fail_nth(LUSIM_FAULT_KHO, 1);
	assert_int_equal(kho_preserve_folio(folio), -ENOMEM);
	assert_int_equal(lusim_kho_nr_preserved_chunks(), base);
	/* 7 pages = 4 + 2 + 1 chunks: fail the third */
	lusim_fail_nth(LUSIM_FAULT_KHO, 3);
	assert_int_equal(kho_preserve_pages(page, 7), -ENOMEM);
	assert_int_equal(lusim_kho_nr_preserved_chunks(), base);
	assert_int_equal(lusim_fail_site(LUSIM_FAULT_KHO, "test_fault_injection"), 0);
	assert_int_equal(kho_preserve_pages(page, 7), -ENOMEM);
	assert_int_equal(kho_preserve_pages(page, 7), 0);
	assert_int_equal(lusim_kho_nr_preserved_chunks(), base + 3);
	kho_unpreserve_pages(page, 7);
	__free_pages(page, 3);
	folio_put(folio);
	assert_no_findings();
}

static void test_alloc_preserve(void **state)
{
	unsigned long live = lusim_page_live_blocks();
	unsigned char *p;
	size_t i;

	(void)state;
	assert_int_equal(PTR_ERR(kho_alloc_preserve(0)), -EINVAL);
	assert_int_equal(PTR_ERR(kho_alloc_preserve((PAGE_SIZE << MAX_PAGE_ORDER) + 1)),
			 -E2BIG);
	lusim_fail_nth(LUSIM_FAULT_PAGE, 1);
	assert_int_equal(PTR_ERR(kho_alloc_preserve(100)), -ENOMEM);
	lusim_fail_nth(LUSIM_FAULT_KHO, 1);
	assert_int_equal(PTR_ERR(kho_alloc_preserve(100)), -ENOMEM);
	assert_int_equal(lusim_page_live_blocks(), live);

	p = kho_alloc_preserve(3 * PAGE_SIZE);		/* order 2 */
	assert_false(IS_ERR(p));
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(folio_order(virt_to_folio(p)), 2);
	assert_true(lusim_kho_is_preserved(PHYS_PFN(virt_to_phys(p)), 2));
	kho_unpreserve_free(p);
	assert_false(lusim_kho_pfn_preserved(PHYS_PFN(virt_to_phys(p))));
	assert_int_equal(lusim_page_live_blocks(), live);
	kho_unpreserve_free(NULL);
	assert_no_findings();
}

/* freeing a page that is still preserved is a finding */
static void test_free_preserved(void **state)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 1);

	(void)state;
	assert_int_equal(kho_preserve_folio(folio), 0);
	folio_put(folio);
	assert_finding("KHO-PRESERVED-FREED");
}

static void test_disabled(void **state)
{
	struct folio *folio;

	(void)state;
	lusim_kho_set_enabled(false);
	assert_true(kho_is_enabled());		/* a command line: next boot */
	lusim_reset_kernel();
	assert_int_equal(lusim_boot(), 0);
	assert_false(kho_is_enabled());
	folio = folio_alloc(GFP_KERNEL, 0);
	assert_int_equal(kho_preserve_folio(folio), -EOPNOTSUPP);
	assert_int_equal(kho_add_subtree("x", folio_address(folio)), -EOPNOTSUPP);
	folio_put(folio);
}

static void test_subtrees(void **state)
{
	void *a = kho_alloc_preserve(PAGE_SIZE);
	void *b = kho_alloc_preserve(PAGE_SIZE);
	phys_addr_t phys;

	(void)state;
	assert_int_equal(kho_add_subtree("test-a", a), 0);
	assert_int_equal(kho_add_subtree("test-a", b), -EEXIST);
	assert_int_equal(kho_add_subtree("", b), -EINVAL);
	assert_int_equal(kho_add_subtree("0123456789abcdef0123456789abcdef", b),
			 -EINVAL);
	assert_int_equal(kho_add_subtree("test-b", b), 0);
	kho_remove_subtree(b);
	assert_int_equal(kho_add_subtree("test-b", b), 0);
	/* the first boot has no incoming handover */
	assert_int_equal(lusim_kho_incoming_status(), -ENOENT);
	assert_false(is_kho_boot());
	assert_int_equal(kho_retrieve_subtree("test-a", &phys), -ENOENT);
	kho_remove_subtree(a);
	kho_remove_subtree(b);
	kho_unpreserve_free(a);
	kho_unpreserve_free(b);
}

/* the serialized form after kho_finalize, and preserve after finalize */
static void test_finalize(void **state)
{
	struct folio *f1 = folio_alloc(GFP_KERNEL, 0), *f2 = folio_alloc(GFP_KERNEL, 0);
	struct folio *late = folio_alloc(GFP_KERNEL, 0), *other = folio_alloc(GFP_KERNEL, 0);
	const struct kho_root_ser *root;
	const struct kho_mem_map_ser *map;

	(void)state;
	assert_int_equal(kho_preserve_folio(f1), 0);
	assert_int_equal(kho_preserve_folio(f2), 0);
	assert_int_equal(kho_finalize(), 0);
	assert_true(lusim_kho_finalized());
	root = phys_to_virt(lusim_kho_handover_phys());
	assert_int_equal(root->magic, KHO_ROOT_MAGIC);
	assert_int_equal(root->version, KHO_ABI_VERSION);
	assert_int_equal(root->nr_chunks, lusim_kho_nr_preserved_chunks());
	map = phys_to_virt(root->mem_map);
	assert_int_equal(map->magic, KHO_MEM_MAP_MAGIC);
	assert_true(lusim_kho_keep_pfn(folio_pfn(f1)));
	assert_true(lusim_kho_keep_pfn(folio_pfn(f2)));
	assert_true(lusim_kho_keep_pfn(PHYS_PFN(lusim_kho_handover_phys())));
	assert_true(lusim_kho_keep_pfn(PHYS_PFN(root->mem_map)));
	assert_false(lusim_kho_keep_pfn(folio_pfn(other)));

	/* after finalize: -EBUSY by default; 0 = accepted but not handed over */
	assert_int_equal(kho_preserve_folio(late), -EBUSY);
	lusim_kho_set_preserve_after_finalize(0);
	assert_int_equal(kho_preserve_folio(late), 0);
	assert_true(lusim_kho_is_preserved(folio_pfn(late), 0));
	assert_false(lusim_kho_keep_pfn(folio_pfn(late)));
	assert_no_findings();
}

/* the leaf search is logarithmic in the number of leaves */
static void test_lookup_cost(void **state)
{
	struct lusim_kho_stats st;
	struct page *page = alloc_pages(GFP_KERNEL, 10);
	unsigned long pfn = page_to_pfn(page), i, l0, s0;

	(void)state;
	for (i = 0; i < 1024; i += 2)
		assert_int_equal(kho_preserve_pages(page + i, 1), 0);
	lusim_kho_get_stats(&st);
	assert_true(st.leaves >= 1);
	l0 = st.lookups;
	s0 = st.lookup_steps;
	for (i = 0; i < 1024; i++)
		assert_int_equal(lusim_kho_is_preserved(pfn + i, 0), !(i & 1));
	lusim_kho_get_stats(&st);
	assert_int_equal(st.lookups - l0, 1024);
	/* ceil(log2(leaves + 1)) steps at most per search */
	assert_true(st.lookup_steps - s0 <= 1024UL * (ilog2(st.leaves) + 1));
	for (i = 0; i < 1024; i += 2)
		kho_unpreserve_pages(page + i, 1);
	__free_pages(page, 10);
	assert_no_findings();
}

/* serializable pointers */
struct khoser_test {
	DECLARE_KHOSER_PTR(next, struct khoser_test *);
};

static void test_khoser_ptr(void **state)
{
	struct khoser_test *a = kho_alloc_preserve(PAGE_SIZE);
	struct khoser_test *b = kho_alloc_preserve(PAGE_SIZE);

	(void)state;
	KHOSER_STORE_PTR(a->next, b);
	assert_int_equal(a->next.phys, virt_to_phys(b));
	assert_ptr_equal(KHOSER_LOAD_PTR(a->next), b);
	KHOSER_STORE_PTR(b->next, (struct khoser_test *)NULL);
	assert_null(KHOSER_LOAD_PTR(b->next));
	kho_unpreserve_free(a);
	kho_unpreserve_free(b);
	assert_no_findings();
}

/* --- across a kexec ------------------------------------------------------ */

/* what the test preserves, and where; statics survive the kexec */
static phys_addr_t kept_phys, kept2_phys, lost_phys, pages_phys;

static void fill(phys_addr_t phys, size_t len, unsigned char seed)
{
	unsigned char *p = phys_to_virt(phys);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static bool check(phys_addr_t phys, size_t len, unsigned char seed)
{
	unsigned char buf[64];
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % sizeof(buf) == 0)
			hw_mem_peek(phys + i, buf, min(sizeof(buf), len - i));
		if (buf[i % sizeof(buf)] != (unsigned char)(seed + i * 7))
			return false;
	}
	return true;
}

static void prepare(void)
{
	struct folio *kept = folio_alloc(GFP_KERNEL, 1);
	struct folio *kept2 = folio_alloc(GFP_KERNEL, 0);
	struct folio *lost = folio_alloc(GFP_KERNEL, 5);
	struct page *pages = alloc_pages(GFP_KERNEL, 3);

	kept_phys = folio_phys(kept);
	kept2_phys = folio_phys(kept2);
	lost_phys = folio_phys(lost);
	pages_phys = page_to_phys(pages);
	fill(kept_phys, 2 * PAGE_SIZE, 1);
	fill(kept2_phys, PAGE_SIZE, 2);
	fill(lost_phys, 32 * PAGE_SIZE, 3);
	fill(pages_phys, 6 * PAGE_SIZE, 4);
	assert_int_equal(kho_preserve_folio(kept), 0);
	assert_int_equal(kho_preserve_folio(kept2), 0);
	assert_int_equal(kho_preserve_pages(pages, 6), 0);	/* 4 + 2 */
	assert_int_equal(kho_add_subtree("test-tree", folio_address(kept2)), 0);
}

static void test_kexec_round_trip(void **state)
{
	struct folio *folio;
	struct page *page;
	phys_addr_t phys;
	unsigned long mark;

	(void)state;
	prepare();
	assert_no_findings();	/* lusim_reset_kernel() clears them */
	assert_int_equal(lusim_kexec(), 0);
	assert_no_findings();
	assert_true(is_kho_boot());
	assert_int_equal(lusim_kho_incoming_status(), 0);

	/*
	 * Bytes survive. The unpreserved block was poisoned and freed (the new
	 * kernel may have reused some of its frames since): none of its pages
	 * kept the old bytes, and those not reused are poisoned.
	 */
	assert_true(check(kept_phys, 2 * PAGE_SIZE, 1));
	assert_true(check(kept2_phys, PAGE_SIZE, 2));
	assert_true(check(pages_phys, 6 * PAGE_SIZE, 4));
	{
		unsigned int poisoned = 0;

		for (int i = 0; i < 32; i++) {
			phys_addr_t p = lost_phys + i * PAGE_SIZE;

			assert_false(check(p, PAGE_SIZE, 3 + i * PAGE_SIZE * 7));
			if (hw_mem_state(p) == HW_PAGE_POISONED) {
				unsigned char b;

				hw_mem_peek(p + 100, &b, 1);
				assert_int_equal(b, HW_FILL_POISON);
				poisoned++;
			}
		}
		assert_true(poisoned > 0);
	}
	/* the two pages after the kho_preserve_pages range were not kept */
	assert_int_not_equal(hw_mem_state(pages_phys + 6 * PAGE_SIZE),
			     HW_PAGE_ALLOCATED);

	assert_int_equal(kho_retrieve_subtree("test-tree", &phys), 0);
	assert_int_equal(phys, kept2_phys);
	assert_int_equal(kho_retrieve_subtree("nope", &phys), -ENOENT);

	/* reserved frames are never handed out by the new kernel */
	mark = lusim_page_mark();
	for (int i = 0; i < 64; i++) {
		page = alloc_page(GFP_KERNEL);
		assert_int_not_equal(page_to_phys(page), kept_phys);
		assert_int_not_equal(page_to_phys(page), kept2_phys);
		assert_int_not_equal(page_to_phys(page), pages_phys);
	}
	lusim_page_free_since(mark);

	assert_true(kho_is_restorable_phys(kept_phys));
	assert_false(kho_is_restorable_phys(kept_phys + PAGE_SIZE));	/* tail */
	folio = kho_restore_folio(kept_phys);
	assert_non_null(folio);
	assert_int_equal(folio_order(folio), 1);
	assert_int_equal(folio_ref_count(folio), 1);
	assert_true(check(folio_phys(folio), 2 * PAGE_SIZE, 1));
	assert_no_findings();

	/* once only */
	assert_null(kho_restore_folio(kept_phys));
	assert_finding("WARN");
	lusim_findings_clear();
	/* never preserved */
	assert_null(kho_restore_folio(lost_phys));
	assert_finding("WARN");
	lusim_findings_clear();

	/* kho_restore_pages: the same split, order-0 pages */
	assert_null(kho_restore_pages(pages_phys, 5));		/* 4 + 1 != 4 + 2 */
	assert_finding("WARN");
	lusim_findings_clear();
	page = kho_restore_pages(pages_phys, 6);
	assert_non_null(page);
	assert_int_equal(page_to_phys(page), pages_phys);
	assert_false(PageHead(page));
	for (int i = 0; i < 6; i++)
		__free_page(page + i);

	assert_int_equal(lusim_kho_nr_unrestored_chunks(), 1);
	kho_restore_free(phys_to_virt(kept2_phys));
	assert_int_equal(lusim_kho_nr_unrestored_chunks(), 0);
	folio_put(folio);
	assert_int_equal(lusim_page_reserved_pages(), 0);
	assert_no_findings();
}

/* two kexecs: a chunk restored and preserved again survives the second */
static void test_two_kexecs(void **state)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);

	(void)state;
	kept_phys = folio_phys(folio);
	fill(kept_phys, PAGE_SIZE, 9);
	assert_int_equal(kho_preserve_folio(folio), 0);
	assert_no_findings();
	assert_int_equal(lusim_kexec(), 0);
	folio = kho_restore_folio(kept_phys);
	assert_non_null(folio);
	assert_int_equal(kho_preserve_folio(folio), 0);
	assert_no_findings();
	assert_int_equal(lusim_kexec(), 0);
	assert_true(check(kept_phys, PAGE_SIZE, 9));
	folio = kho_restore_folio(kept_phys);
	assert_non_null(folio);
	folio_put(folio);
	/* a third kexec without preserving: it is gone */
	assert_int_equal(lusim_kexec(), 0);
	assert_null(kho_restore_folio(kept_phys));
	assert_finding("WARN");
}

/* --- corrupted handovers: rejected, nothing reserved, all memory free ---- */

static void corrupt_and_reboot(void (*corrupt)(struct kho_root_ser *root))
{
	struct kho_root_ser *root;

	prepare();
	assert_int_equal(kho_finalize(), 0);
	root = phys_to_virt(lusim_kho_handover_phys());
	corrupt(root);
	assert_no_findings();
	assert_int_equal(lusim_kexec_reboot(), 0);
	assert_int_not_equal(lusim_kho_incoming_status(), 0);
	assert_false(is_kho_boot());
	assert_int_equal(lusim_page_reserved_pages(), 0);
	assert_int_equal(lusim_kho_nr_unrestored_chunks(), 0);
	/* the kept memory was given back: nothing restorable */
	assert_false(kho_is_restorable_phys(kept_phys));
	assert_int_not_equal(hw_mem_state(kept_phys), HW_PAGE_ALLOCATED);
	assert_int_equal(kho_retrieve_subtree("test-tree", NULL), -ENOENT);
	assert_no_findings();
}

static void bad_magic(struct kho_root_ser *root)
{
	root->magic ^= 1;
}

static void bad_subtree_count(struct kho_root_ser *root)
{
	root->nr_subtrees = KHO_MAX_SUBTREES + 1;
}

static void unterminated_name(struct kho_root_ser *root)
{
	memset(root->subtrees[0].name, 'x', sizeof(root->subtrees[0].name));
}

static void chunk_count_mismatch(struct kho_root_ser *root)
{
	root->nr_chunks++;
}

static struct kho_mem_map_ser *first_map(struct kho_root_ser *root)
{
	return phys_to_virt(root->mem_map);
}

static void map_cycle(struct kho_root_ser *root)
{
	first_map(root)->next = root->mem_map;
}

static void map_points_at_root(struct kho_root_ser *root)
{
	root->mem_map = virt_to_phys(root);
}

static void map_outside_ram(struct kho_root_ser *root)
{
	root->mem_map = 0x1000;
}

static void run_count_huge(struct kho_root_ser *root)
{
	first_map(root)->nr_runs = ~0ULL;
}

static void run_outside_ram(struct kho_root_ser *root)
{
	first_map(root)->runs[0].pfn = 1UL << 40;
}

static void run_misaligned(struct kho_root_ser *root)
{
	struct kho_mem_map_ser *map = first_map(root);

	for (u64 i = 0; i < map->nr_runs; i++)
		if (map->runs[i].order)
			map->runs[i].pfn += 1;
}

static void run_bad_order(struct kho_root_ser *root)
{
	first_map(root)->runs[0].order = 200;
}

static void run_overlaps_root(struct kho_root_ser *root)
{
	struct kho_mem_map_ser *map = first_map(root);

	map->runs[0].pfn = PHYS_PFN(virt_to_phys(root));
	map->runs[0].order = 0;
	map->runs[0].nr = 1;
}

static void run_overlap(struct kho_root_ser *root)
{
	struct kho_mem_map_ser *map = first_map(root);

	map->runs[1] = map->runs[0];
}

static void run_huge_nr(struct kho_root_ser *root)
{
	first_map(root)->runs[0].nr = 0xffffffff;
}

static void run_unallocated(struct kho_root_ser *root)
{
	first_map(root)->runs[0].pfn = HW_MEM_BASE_PFN + 500000;
	first_map(root)->runs[0].order = 0;
}

#define CORRUPT(name)							\
	static void test_corrupt_##name(void **state)			\
	{								\
		(void)state;						\
		corrupt_and_reboot(name);				\
	}
CORRUPT(bad_magic)
CORRUPT(bad_subtree_count)
CORRUPT(unterminated_name)
CORRUPT(chunk_count_mismatch)
CORRUPT(map_cycle)
CORRUPT(map_points_at_root)
CORRUPT(map_outside_ram)
CORRUPT(run_count_huge)
CORRUPT(run_outside_ram)
CORRUPT(run_misaligned)
CORRUPT(run_bad_order)
CORRUPT(run_overlaps_root)
CORRUPT(run_overlap)
CORRUPT(run_huge_nr)
CORRUPT(run_unallocated)

/* a handover address that is not a page of kept RAM */
static void test_corrupt_handover_address(void **state)
{
	(void)state;
	prepare();
	assert_int_equal(kho_finalize(), 0);
	lusim_reset_kernel();
	lusim_kexec_set_handover_phys(lost_phys + 8);
	assert_int_equal(lusim_boot(), 0);
	assert_int_equal(lusim_kho_incoming_status(), -EINVAL);
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kho_test(test_idempotent),
		kho_test(test_preserve_pages_split),
		kho_test(test_might_sleep),
		kho_test(test_fault_injection),
		kho_test(test_alloc_preserve),
		kho_test(test_free_preserved),
		kho_test(test_disabled),
		kho_test(test_subtrees),
		kho_test(test_finalize),
		kho_test(test_lookup_cost),
		kho_test(test_khoser_ptr),
		kho_test(test_kexec_round_trip),
		kho_test(test_two_kexecs),
		kho_test(test_corrupt_bad_magic),
		kho_test(test_corrupt_bad_subtree_count),
		kho_test(test_corrupt_unterminated_name),
		kho_test(test_corrupt_chunk_count_mismatch),
		kho_test(test_corrupt_map_cycle),
		kho_test(test_corrupt_map_points_at_root),
		kho_test(test_corrupt_map_outside_ram),
		kho_test(test_corrupt_run_count_huge),
		kho_test(test_corrupt_run_outside_ram),
		kho_test(test_corrupt_run_misaligned),
		kho_test(test_corrupt_run_bad_order),
		kho_test(test_corrupt_run_overlaps_root),
		kho_test(test_corrupt_run_overlap),
		kho_test(test_corrupt_run_huge_nr),
		kho_test(test_corrupt_run_unallocated),
		kho_test(test_corrupt_handover_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
