// SPDX-License-Identifier: GPL-2.0-only
/*
 * <linux/interval_tree.h>: overlap iteration against a brute-force
 * reference, removal, ties, structural checks, and logarithmic cost on the
 * visit counter.
 */
#include <linux/interval_tree.h>
#include <stdlib.h>
#include <string.h>

#include "lusim_test.h"

#define N 600

static struct interval_tree_node nodes[N];
static bool in_tree[N];

static unsigned long rnd_state;

static unsigned long rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return rnd_state >> 33;
}

/* Every node of the tree intersecting [s, l], in order, equals the reference. */
static void check_query(struct rb_root_cached *root, unsigned long s,
			unsigned long l)
{
	struct interval_tree_node *it;
	bool seen[N];
	unsigned long prev_start = 0;
	unsigned int i, found = 0, expect = 0;

	memset(seen, 0, sizeof(seen));
	for (it = interval_tree_iter_first(root, s, l); it;
	     it = interval_tree_iter_next(it, s, l)) {
		i = it - nodes;
		assert_true(i < N);
		assert_true(in_tree[i]);
		assert_false(seen[i]);
		assert_true(it->start <= l && it->last >= s);
		assert_true(it->start >= prev_start);
		prev_start = it->start;
		seen[i] = true;
		found++;
	}
	for (i = 0; i < N; i++)
		if (in_tree[i] && nodes[i].start <= l && nodes[i].last >= s)
			expect++;
	assert_int_equal(found, expect);
}

static void test_random_overlap(void **state)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	unsigned int i, round;

	(void)state;
	rnd_state = 1;
	memset(in_tree, 0, sizeof(in_tree));
	for (i = 0; i < N; i++) {
		nodes[i].start = rnd() % 10000;
		nodes[i].last = nodes[i].start + rnd() % 300;
		interval_tree_insert(&nodes[i], &root);
		in_tree[i] = true;
		if (i % 50 == 0)
			assert_int_equal(lusim_interval_tree_check(&root), 0);
	}
	assert_int_equal(lusim_interval_tree_check(&root), 0);
	for (round = 0; round < 200; round++) {
		unsigned long s = rnd() % 10400, l = s + rnd() % 500;

		check_query(&root, s, l);
	}
	check_query(&root, 0, ULONG_MAX);
	/* remove half, in a scrambled order, and query again */
	for (i = 0; i < N; i += 2) {
		unsigned int j = (i * 7) % N;

		if (!in_tree[j])
			continue;
		interval_tree_remove(&nodes[j], &root);
		in_tree[j] = false;
	}
	assert_int_equal(lusim_interval_tree_check(&root), 0);
	for (round = 0; round < 200; round++) {
		unsigned long s = rnd() % 10400, l = s + rnd() % 500;

		check_query(&root, s, l);
	}
	for (i = 0; i < N; i++)
		if (in_tree[i])
			interval_tree_remove(&nodes[i], &root);
	assert_null(root.rb_root.rb_node);
	assert_null(root.rb_leftmost);
	assert_null(interval_tree_iter_first(&root, 0, ULONG_MAX));
}

static void test_ties_keep_insertion_order(void **state)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct interval_tree_node *it;
	unsigned int i, k = 0;

	(void)state;
	for (i = 0; i < 32; i++) {
		nodes[i].start = 100;
		nodes[i].last = 200;
		interval_tree_insert(&nodes[i], &root);
	}
	for (it = interval_tree_iter_first(&root, 150, 150); it;
	     it = interval_tree_iter_next(it, 150, 150))
		assert_ptr_equal(it, &nodes[k++]);
	assert_int_equal(k, 32);
	assert_int_equal(lusim_interval_tree_check(&root), 0);
	/* disjoint query below and above */
	assert_null(interval_tree_iter_first(&root, 0, 99));
	assert_null(interval_tree_iter_first(&root, 201, ULONG_MAX));
	for (i = 0; i < 32; i++)
		interval_tree_remove(&nodes[i], &root);
	assert_true(RB_EMPTY_ROOT(&root.rb_root));
}

/*
 * Cost grows logarithmically: average visits per insert+lookup+remove of
 * n disjoint sequential intervals (the worst case for an unbalanced tree).
 */
static unsigned long cost_per_op(unsigned int n)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct interval_tree_node *v = calloc(n, sizeof(*v));
	unsigned long before;
	unsigned int i;

	assert_non_null(v);
	for (i = 0; i < n; i++) {
		v[i].start = (unsigned long)i * 4096;
		v[i].last = v[i].start + 4095;
		interval_tree_insert(&v[i], &root);
	}
	before = lusim_interval_tree_visits;
	for (i = 0; i < n; i++)
		assert_ptr_equal(interval_tree_iter_first(&root, v[i].start + 7,
							  v[i].start + 7), &v[i]);
	for (i = 0; i < n; i++)
		interval_tree_remove(&v[(i * 7919UL) % n], &root);
	free(v);
	return (lusim_interval_tree_visits - before) / n;
}

static void test_log_growth(void **state)
{
	unsigned long c10, c1k, c100k;

	(void)state;
	c10 = cost_per_op(10);
	c1k = cost_per_op(1000);
	c100k = cost_per_op(100000);
	print_message("visits per lookup+remove: n=10 %lu, n=1000 %lu, n=100000 %lu\n",
		      c10, c1k, c100k);
	/* log2(100000) ~ 17: a treap's expected depth is ~1.4 log2 n */
	assert_true(c100k <= 4 * 17);
	assert_true(c1k <= 4 * 10);
	/* 10^4 times the elements must not cost more than ~10x per op */
	assert_true(c100k <= 10 * (c10 + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_random_overlap),
		lusim_unit_test(test_ties_keep_insertion_order),
		lusim_unit_test(test_log_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
