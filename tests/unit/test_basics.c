// SPDX-License-Identifier: GPL-2.0-only
/* <linux/list.h>, <linux/err.h>, <linux/kernel.h>, <linux/bits.h>, errno. */
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/err.h>
#include <linux/bits.h>
#include <errno.h>

#include "lusim_test.h"

struct item {
	int v;
	struct list_head node;
};

static void test_list(void **state)
{
	struct item a = { .v = 1 }, b = { .v = 2 }, c = { .v = 3 }, *pos, *n;
	LIST_HEAD(head);
	int sum = 0, order[3], i = 0;

	(void)state;
	assert_true(list_empty(&head));
	list_add_tail(&a.node, &head);
	list_add_tail(&b.node, &head);
	list_add(&c.node, &head);		/* c a b */
	list_for_each_entry(pos, &head, node)
		order[i++] = pos->v;
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	assert_int_equal(list_count_nodes(&head), 3);
	assert_ptr_equal(list_first_entry(&head, struct item, node), &c);
	assert_ptr_equal(list_last_entry(&head, struct item, node), &b);
	list_for_each_entry_safe(pos, n, &head, node) {
		sum += pos->v;
		list_del(&pos->node);
	}
	assert_int_equal(sum, 6);
	assert_true(list_empty(&head));
	assert_ptr_equal(a.node.next, LIST_POISON1);
	list_for_each_entry_reverse(pos, &head, node)
		fail();
}

static void test_err(void **state)
{
	void *p = ERR_PTR(-ENOENT);

	(void)state;
	assert_true(IS_ERR(p));
	assert_int_equal(PTR_ERR(p), -ENOENT);
	assert_true(IS_ERR_OR_NULL(NULL));
	assert_false(IS_ERR(&p));
	assert_int_equal(PTR_ERR_OR_ZERO(&p), 0);
	assert_int_equal(PTR_ERR_OR_ZERO(ERR_PTR(-MAX_ERRNO)), -MAX_ERRNO);
	assert_false(IS_ERR(ERR_PTR(-MAX_ERRNO - 1)));
}

static void test_errno_values(void **state)
{
	(void)state;
	/* the values user space sees and the kernel-internal ones */
	assert_int_equal(EOPNOTSUPP, 95);
	assert_int_equal(ENOTSUPP, 524);
	assert_int_equal(EPROBE_DEFER, 517);
	assert_int_equal(EADDRINUSE, 98);
	assert_int_equal(EBUSY, 16);
}

static void test_kernel_macros(void **state)
{
	(void)state;
	assert_int_equal(BIT(3), 8);
	assert_int_equal(GENMASK(7, 4), 0xf0);
	assert_int_equal(GENMASK_ULL(63, 62), 0xc000000000000000ULL);
	assert_int_equal(DIV_ROUND_UP(5, 2), 3);
	assert_int_equal(round_up(0x1001, 0x1000), 0x2000);
	assert_int_equal(round_down(0x1fff, 0x1000), 0x1000);
	assert_true(IS_ALIGNED(0x2000, 0x1000));
	assert_int_equal(ilog2(4096), 12);
	assert_int_equal(order_base_2(3), 2);
	assert_int_equal(min(3, 4), 3);
	assert_int_equal(max_t(u64, 1, U32_MAX), U32_MAX);
	assert_int_equal(upper_32_bits(0x1234567800000000ULL), 0x12345678);
	/* __is_constexpr: the WARN-CONST-COND building block */
	assert_true(__is_constexpr(-ENOENT));
	assert_true(__is_constexpr(1));
	{
		volatile int x = 1;

		assert_false(__is_constexpr(x));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_list),
		lusim_unit_test(test_err),
		lusim_unit_test(test_errno_values),
		lusim_unit_test(test_kernel_macros),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
