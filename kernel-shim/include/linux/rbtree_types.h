/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/rbtree_types.h (and the rb_parent/RB_EMPTY_*
 *         helpers of include/linux/rbtree.h)
 * Models: struct rb_node, struct rb_root, struct rb_root_cached and their
 *         initialisers, as embedded by kernel structures (interval trees).
 * Leaves out: the red-black tree algorithms themselves (rb_insert_color,
 *         rb_erase, rb_first, ...): the only tree in the model so far is
 *         the interval tree of <linux/interval_tree.h>, which balances
 *         itself differently (a treap, see lib/interval_tree.c). Code that
 *         needs a plain rbtree should add it here.
 *
 * Layout note: lusim's node keeps its parent pointer in __rb_parent_color
 * (no colour bits) plus a balancing priority; nothing outside lib/ should
 * look inside.
 */
#ifndef _LUSIM_LINUX_RBTREE_TYPES_H
#define _LUSIM_LINUX_RBTREE_TYPES_H

#include <stddef.h>

struct rb_node {
	unsigned long __rb_parent_color;	/* the parent, no colour bits */
	struct rb_node *rb_right;
	struct rb_node *rb_left;
	unsigned long __lusim_prio;		/* treap priority */
} __attribute__((aligned(sizeof(long))));

struct rb_root {
	struct rb_node *rb_node;
};

struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;
};

#define RB_ROOT		(struct rb_root) { NULL, }
#define RB_ROOT_CACHED	(struct rb_root_cached) { { NULL, }, NULL }

#define rb_parent(r)	((struct rb_node *)((r)->__rb_parent_color))
#define rb_entry(ptr, type, member) container_of(ptr, type, member)
#define RB_EMPTY_ROOT(root)	((root)->rb_node == NULL)
#define rb_first_cached(root)	((root)->rb_leftmost)

#endif /* _LUSIM_LINUX_RBTREE_TYPES_H */
