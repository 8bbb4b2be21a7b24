// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/hw page tables: walks for 4 KiB, 2 MiB and 1 GiB leaves in both
 * stages, permissions (AND over levels), holes, address width, reserved
 * encodings, the builder's errors, leaf iteration, and freeing tables.
 */
#include <errno.h>
#include <string.h>

#include <hw/hw.h>

#include "lusim_test.h"

#define GB	(1ULL << 30)
#define MB2	(1ULL << 21)

static void test_leaf_sizes_second_stage(void **state)
{
	uint64_t root = HW_PHYS_NONE;
	uint64_t pa4k = HW_MEM_BASE + 0x7000, pa2m = HW_MEM_BASE + 3 * MB2;
	uint64_t pa1g = 5 * GB;
	struct hw_pt_walk w;

	(void)state;
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 0x1000, pa4k, HW_SIZE_4K, HW_PERM_RW), 0);
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 0x40000000ULL * 3 + MB2 * 5, pa2m,
				   HW_SIZE_2M, HW_PERM_R), 0);
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 7 * GB, pa1g, HW_SIZE_1G, HW_PERM_W), 0);

	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 0x1abc, &w), 0);
	assert_int_equal(w.pa, pa4k + 0xabc);
	assert_int_equal(w.size, HW_SIZE_4K);
	assert_int_equal(w.level, 1);
	assert_int_equal(w.perm, HW_PERM_RW);

	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 3 * GB + 5 * MB2 + 0x12345, &w), 0);
	assert_int_equal(w.pa, pa2m + 0x12345);
	assert_int_equal(w.size, HW_SIZE_2M);
	assert_int_equal(w.level, 2);
	assert_int_equal(w.perm, HW_PERM_R);

	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 7 * GB + 0x3456789, &w), 0);
	assert_int_equal(w.pa, pa1g + 0x3456789);
	assert_int_equal(w.size, HW_SIZE_1G);
	assert_int_equal(w.level, 3);
	assert_int_equal(w.perm, HW_PERM_W);	/* write-only is legal in the second stage */

	/* 3-level tables: same walk with one level less */
	root = HW_PHYS_NONE;
	assert_int_equal(hw_pt_map(&root, 3, HW_PT_SECOND, 2 * GB, pa1g, HW_SIZE_1G, HW_PERM_RW), 0);
	assert_int_equal(hw_pt_walk(root, 3, HW_PT_SECOND, 2 * GB + 8, &w), 0);
	assert_int_equal(w.pa, pa1g + 8);
}

static void test_holes_and_widths(void **state)
{
	uint64_t root = HW_PHYS_NONE;
	struct hw_pt_walk w;

	(void)state;
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 0x200000, HW_MEM_BASE, HW_SIZE_4K,
				   HW_PERM_RW), 0);
	/* hole in the same leaf table */
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 0x201000, &w), -EFAULT);
	assert_int_equal(w.fault, HW_FAULT_PTE_NOT_PRESENT);
	assert_int_equal(w.level, 1);
	/* hole at level 2 (no leaf table for that 2 MiB) */
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 0x400000, &w), -EFAULT);
	assert_int_equal(w.level, 2);
	/* hole at the top */
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 1ULL << 40, &w), -EFAULT);
	assert_int_equal(w.level, 4);
	/* widths: 48 bits for 4 levels, 39 for 3, 47 for the first stage */
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 1ULL << 48, &w), -EFAULT);
	assert_int_equal(w.fault, HW_FAULT_ADDR_WIDTH);
	assert_int_equal(hw_pt_walk(root, 3, HW_PT_SECOND, 1ULL << 39, &w), -EFAULT);
	assert_int_equal(w.fault, HW_FAULT_ADDR_WIDTH);
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_FIRST, 1ULL << 47, &w), -EFAULT);
	assert_int_equal(w.fault, HW_FAULT_ADDR_WIDTH);
	assert_int_equal(hw_pt_map(&root, 3, HW_PT_SECOND, 1ULL << 39, HW_MEM_BASE, HW_SIZE_4K,
				   HW_PERM_R), -EINVAL);
}

static void test_permissions_and_reserved(void **state)
{
	uint64_t root = HW_PHYS_NONE, e, *pte;
	struct hw_pt_walk w;

	(void)state;
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 0x5000, HW_MEM_BASE, HW_SIZE_4K,
				   HW_PERM_RW), 0);
	/* make the level-3 entry read-only: the walk's permission is the AND */
	e = hw_pt_entry_phys(root, 4, HW_PT_SECOND, 0x5000, 3);
	assert_int_not_equal(e, HW_PHYS_NONE);
	pte = hw_phys_to_virt(e);
	*pte &= ~HW_PTE_W;
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 0x5000, &w), 0);
	assert_int_equal(w.perm, HW_PERM_R);
	/* R=W=0 is not present in the second stage */
	*pte &= ~HW_PTE_R;
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 0x5000, &w), -EFAULT);
	assert_int_equal(w.fault, HW_FAULT_PTE_NOT_PRESENT);
	assert_int_equal(w.level, 3);
	*pte |= HW_PTE_R | HW_PTE_W;

	/* PS at level 4 is reserved */
	e = hw_pt_entry_phys(root, 4, HW_PT_SECOND, 0x5000, 4);
	pte = hw_phys_to_virt(e);
	*pte |= HW_PTE_PS;
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 0x5000, &w), -EFAULT);
	assert_int_equal(w.fault, HW_FAULT_PTE_RESERVED);
	assert_int_equal(w.level, 4);
	*pte &= ~HW_PTE_PS;

	/* a 2 MiB leaf whose address is not 2 MiB aligned */
	e = hw_pt_entry_phys(root, 4, HW_PT_SECOND, 0x5000, 2);
	pte = hw_phys_to_virt(e);
	*pte = (HW_MEM_BASE + 0x1000) | HW_PTE_PS | HW_PTE_R;
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, 0x5000, &w), -EFAULT);
	assert_int_equal(w.fault, HW_FAULT_PTE_RESERVED);
	assert_int_equal(w.level, 2);
}

static void test_first_stage_format(void **state)
{
	uint64_t root = HW_PHYS_NONE, *pte;
	struct hw_pt_walk w;

	(void)state;
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_FIRST, 0x3000, HW_MEM_BASE, HW_SIZE_4K,
				   HW_PERM_R), 0);
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_FIRST, MB2, HW_MEM_BASE + MB2, HW_SIZE_2M,
				   HW_PERM_RW), 0);
	/* first stage cannot say write-only: P implies read */
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_FIRST, 0x4000, HW_MEM_BASE, HW_SIZE_4K,
				   HW_PERM_W), -EINVAL);
	assert_int_equal(hw_pt_map(&root, 3, HW_PT_FIRST, 0x4000, HW_MEM_BASE, HW_SIZE_4K,
				   HW_PERM_R), -EINVAL);
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_FIRST, 0x3010, &w), 0);
	assert_int_equal(w.perm, HW_PERM_R);
	assert_int_equal(w.pa, HW_MEM_BASE + 0x10);
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_FIRST, MB2 + 0x10, &w), 0);
	assert_int_equal(w.perm, HW_PERM_RW);
	assert_int_equal(w.size, HW_SIZE_2M);
	/* W without P is not present in the first stage */
	pte = hw_phys_to_virt(hw_pt_entry_phys(root, 4, HW_PT_FIRST, 0x3000, 1));
	*pte = (*pte & ~HW_PTE_R) | HW_PTE_W;
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_FIRST, 0x3000, &w), -EFAULT);
	assert_int_equal(w.fault, HW_FAULT_PTE_NOT_PRESENT);
}

static void test_builder_errors_unmap(void **state)
{
	uint64_t root = HW_PHYS_NONE;
	struct hw_pt_walk w;

	(void)state;
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 0x1001, HW_MEM_BASE, HW_SIZE_4K,
				   HW_PERM_R), -EINVAL);
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, MB2, HW_MEM_BASE + 0x1000, HW_SIZE_2M,
				   HW_PERM_R), -EINVAL);
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 0, HW_MEM_BASE, 8192, HW_PERM_R),
			 -EINVAL);
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, MB2, HW_MEM_BASE, HW_SIZE_2M,
				   HW_PERM_R), 0);
	/* a 4 KiB leaf under a 2 MiB leaf, and the same leaf twice */
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, MB2 + 0x1000, HW_MEM_BASE,
				   HW_SIZE_4K, HW_PERM_R), -EEXIST);
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, MB2, HW_MEM_BASE, HW_SIZE_2M,
				   HW_PERM_R), -EEXIST);
	assert_int_equal(hw_pt_unmap(root, 4, HW_PT_SECOND, MB2, HW_SIZE_4K), -ENOENT);
	assert_int_equal(hw_pt_unmap(root, 4, HW_PT_SECOND, MB2, HW_SIZE_2M), 0);
	assert_int_equal(hw_pt_walk(root, 4, HW_PT_SECOND, MB2, &w), -EFAULT);
	assert_int_equal(hw_pt_unmap(root, 4, HW_PT_SECOND, MB2, HW_SIZE_2M), -ENOENT);
	/* the slot is free again */
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, MB2 + 0x1000, HW_MEM_BASE,
				   HW_SIZE_4K, HW_PERM_R), 0);
}

struct leaf_rec {
	uint64_t iova[8], pa[8], size[8];
	unsigned int perm[8];
	unsigned int n;
};

static int rec_leaf(uint64_t iova, uint64_t pa, uint64_t size, unsigned int perm, void *arg)
{
	struct leaf_rec *r = arg;

	r->iova[r->n] = iova;
	r->pa[r->n] = pa;
	r->size[r->n] = size;
	r->perm[r->n++] = perm;
	return 0;
}

static void test_for_each_leaf_and_free(void **state)
{
	struct leaf_rec r = { .n = 0 };
	struct hw_mem_stats st;
	uint64_t root = HW_PHYS_NONE;

	(void)state;
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 9 * GB, 2 * GB, HW_SIZE_1G, HW_PERM_R), 0);
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 0x3000, HW_MEM_BASE, HW_SIZE_4K,
				   HW_PERM_RW), 0);
	assert_int_equal(hw_pt_map(&root, 4, HW_PT_SECOND, 4 * MB2, 6 * MB2, HW_SIZE_2M,
				   HW_PERM_W), 0);
	assert_int_equal(hw_pt_for_each_leaf(root, 4, HW_PT_SECOND, rec_leaf, &r), 0);
	assert_int_equal(r.n, 3);
	/* iova order */
	assert_int_equal(r.iova[0], 0x3000);
	assert_int_equal(r.size[0], HW_SIZE_4K);
	assert_int_equal(r.perm[0], HW_PERM_RW);
	assert_int_equal(r.iova[1], 4 * MB2);
	assert_int_equal(r.pa[1], 6 * MB2);
	assert_int_equal(r.iova[2], 9 * GB);
	assert_int_equal(r.pa[2], 2 * GB);
	assert_int_equal(r.size[2], HW_SIZE_1G);

	hw_mem_get_stats(&st);
	assert_int_equal(st.allocated_pages, 4);	/* root, one table per level below */
	hw_pt_free(root, 4, HW_PT_SECOND);
	hw_mem_get_stats(&st);
	assert_int_equal(st.allocated_pages, 0);
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_leaf_sizes_second_stage),
		lusim_unit_test(test_holes_and_widths),
		lusim_unit_test(test_permissions_and_reserved),
		lusim_unit_test(test_first_stage_format),
		lusim_unit_test(test_builder_errors_unmap),
		lusim_unit_test(test_for_each_leaf_and_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
