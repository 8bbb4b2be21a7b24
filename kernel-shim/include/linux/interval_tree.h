/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/interval_tree.h (lib/interval_tree.c is
 *         kernel-shim/lib/interval_tree.c)
 * Models: struct interval_tree_node (closed intervals [start, last]) in an
 *         rb_root_cached, interval_tree_insert/remove, and the overlap
 *         iterators interval_tree_iter_first/next, which return the nodes
 *         intersecting [start, last] in ascending order of start (ties in
 *         insertion order), exactly as the kernel's augmented tree does.
 *         iommufd's area/allowed/reserved trees are built on it.
 * Leaves out: the INTERVAL_TREE_DEFINE() template for other node types,
 *         interval_tree_span_iter.
 *
 * The balancing is lusim's own: a treap whose priorities are a hash of the
 * interval (deterministic: the same inserts give the same tree, whatever
 * the host addresses), with the kernel's __subtree_last augmentation.
 * Expected depth is O(log n); lusim_interval_tree_visits counts the nodes
 * every operation touches, so tests assert growth on counters, not time.
 */
#ifndef _LUSIM_LINUX_INTERVAL_TREE_H
#define _LUSIM_LINUX_INTERVAL_TREE_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/rbtree_types.h>

struct interval_tree_node {
	struct rb_node rb;
	unsigned long start;	/* Start of interval */
	unsigned long last;	/* Last location _in_ interval */
	unsigned long __subtree_last;
};

void interval_tree_insert(struct interval_tree_node *node,
			  struct rb_root_cached *root);
void interval_tree_remove(struct interval_tree_node *node,
			  struct rb_root_cached *root);
struct interval_tree_node *
interval_tree_iter_first(struct rb_root_cached *root, unsigned long start,
			 unsigned long last);
struct interval_tree_node *
interval_tree_iter_next(struct interval_tree_node *node, unsigned long start,
			unsigned long last);

/* Nodes visited by all interval-tree operations since the last reset. */
extern unsigned long lusim_interval_tree_visits;
/* Depth of the deepest node (tests; O(n)). */
unsigned int lusim_interval_tree_depth(const struct rb_root_cached *root);
/* Check BST order, priorities, parents, __subtree_last, leftmost; 0 if ok. */
int lusim_interval_tree_check(const struct rb_root_cached *root);

#endif /* _LUSIM_LINUX_INTERVAL_TREE_H */
