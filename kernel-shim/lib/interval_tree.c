// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: lib/interval_tree.c (the kernel's augmented rbtree instance)
 *
 * A treap keyed by start (ties go right, so equal starts iterate in
 * insertion order), augmented with __subtree_last = the largest 'last' in
 * the subtree, which is what lets the overlap search skip subtrees. The
 * search and iteration algorithms are the kernel's interval-tree ones; only
 * the balancing differs (rotations by priority instead of colours).
 *
 * Priorities are a 64-bit mix of (start, last, insertion number). The
 * insertion number is reset with the rest of the shim, so a run's trees are
 * identical across builds and runs.
 */
#include <linux/interval_tree.h>
#include <lusim/reset.h>

unsigned long lusim_interval_tree_visits;
static unsigned long interval_tree_seq;

static void interval_tree_reset(void)
{
	lusim_interval_tree_visits = 0;
	interval_tree_seq = 0;
}
LUSIM_RESET_FN(interval_tree_reset, LUSIM_RESET_PRIO_SHIM)

static unsigned long it_mix(unsigned long x)
{
	/* splitmix64 finaliser */
	x += 0x9e3779b97f4a7c15UL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
	return x ^ (x >> 31);
}

#define IT(rbp)	rb_entry(rbp, struct interval_tree_node, rb)

static inline void it_set_parent(struct rb_node *n, struct rb_node *p)
{
	n->__rb_parent_color = (unsigned long)p;
}

static inline unsigned long it_subtree_last(struct rb_node *n)
{
	return n ? IT(n)->__subtree_last : 0;
}

static void it_update(struct rb_node *n)
{
	struct interval_tree_node *node = IT(n);
	unsigned long m = node->last;

	if (n->rb_left && it_subtree_last(n->rb_left) > m)
		m = it_subtree_last(n->rb_left);
	if (n->rb_right && it_subtree_last(n->rb_right) > m)
		m = it_subtree_last(n->rb_right);
	node->__subtree_last = m;
}

/* Make @new take @old's place under @old's parent (or as the root). */
static void it_replace_child(struct rb_root *root, struct rb_node *old,
			     struct rb_node *new)
{
	struct rb_node *p = rb_parent(old);

	if (!p)
		root->rb_node = new;
	else if (p->rb_left == old)
		p->rb_left = new;
	else
		p->rb_right = new;
	if (new)
		it_set_parent(new, p);
}

static void it_rotate_left(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->rb_right;

	x->rb_right = y->rb_left;
	if (y->rb_left)
		it_set_parent(y->rb_left, x);
	it_replace_child(root, x, y);
	y->rb_left = x;
	it_set_parent(x, y);
	it_update(x);
	it_update(y);
}

static void it_rotate_right(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->rb_left;

	x->rb_left = y->rb_right;
	if (y->rb_right)
		it_set_parent(y->rb_right, x);
	it_replace_child(root, x, y);
	y->rb_right = x;
	it_set_parent(x, y);
	it_update(x);
	it_update(y);
}

void interval_tree_insert(struct interval_tree_node *node,
			  struct rb_root_cached *root)
{
	struct rb_node **link = &root->rb_root.rb_node, *parent = NULL;
	unsigned long start = node->start, last = node->last;
	bool leftmost = true;
	struct rb_node *n = &node->rb;

	while (*link) {
		struct interval_tree_node *cur = IT(*link);

		lusim_interval_tree_visits++;
		parent = *link;
		if (cur->__subtree_last < last)
			cur->__subtree_last = last;
		if (start < cur->start) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}

	node->__subtree_last = last;
	n->rb_left = n->rb_right = NULL;
	n->__lusim_prio = it_mix(start ^ it_mix(last ^ it_mix(++interval_tree_seq)));
	it_set_parent(n, parent);
	*link = n;
	if (leftmost)
		root->rb_leftmost = n;

	/* Restore the heap order on priorities. */
	while ((parent = rb_parent(n)) && parent->__lusim_prio < n->__lusim_prio) {
		lusim_interval_tree_visits++;
		if (parent->rb_left == n)
			it_rotate_right(&root->rb_root, parent);
		else
			it_rotate_left(&root->rb_root, parent);
	}
}

static struct rb_node *it_next(struct rb_node *n)
{
	struct rb_node *p;

	if (n->rb_right) {
		n = n->rb_right;
		while (n->rb_left) {
			lusim_interval_tree_visits++;
			n = n->rb_left;
		}
		return n;
	}
	while ((p = rb_parent(n)) && p->rb_right == n) {
		lusim_interval_tree_visits++;
		n = p;
	}
	return p;
}

void interval_tree_remove(struct interval_tree_node *node,
			  struct rb_root_cached *root)
{
	struct rb_node *n = &node->rb, *p;

	if (root->rb_leftmost == n)
		root->rb_leftmost = it_next(n);

	/* Rotate the node down until it is a leaf. */
	while (n->rb_left || n->rb_right) {
		lusim_interval_tree_visits++;
		if (!n->rb_right ||
		    (n->rb_left &&
		     n->rb_left->__lusim_prio > n->rb_right->__lusim_prio))
			it_rotate_right(&root->rb_root, n);
		else
			it_rotate_left(&root->rb_root, n);
	}
	p = rb_parent(n);
	it_replace_child(&root->rb_root, n, NULL);
	it_set_parent(n, NULL);
	for (; p; p = rb_parent(p)) {
		lusim_interval_tree_visits++;
		it_update(p);
	}
}

/*
 * Leftmost node of the subtree at @node that intersects [start, last], given
 * start <= node->__subtree_last (the kernel's _subtree_search).
 */
static struct interval_tree_node *
it_subtree_search(struct interval_tree_node *node, unsigned long start,
		  unsigned long last)
{
	while (true) {
		lusim_interval_tree_visits++;
		if (node->rb.rb_left) {
			struct interval_tree_node *left = IT(node->rb.rb_left);

			if (start <= left->__subtree_last) {
				/*
				 * Some node on the left ends at or after start;
				 * the leftmost such node is the answer if it
				 * starts before last, and nothing further right
				 * can start before last otherwise.
				 */
				node = left;
				continue;
			}
		}
		if (node->start <= last) {
			if (start <= node->last)
				return node;
			if (node->rb.rb_right) {
				node = IT(node->rb.rb_right);
				if (start <= node->__subtree_last)
					continue;
			}
		}
		return NULL;
	}
}

struct interval_tree_node *
interval_tree_iter_first(struct rb_root_cached *root, unsigned long start,
			 unsigned long last)
{
	struct interval_tree_node *node, *leftmost;

	if (!root->rb_root.rb_node)
		return NULL;
	leftmost = IT(root->rb_leftmost);
	if (leftmost->start > last)
		return NULL;
	node = IT(root->rb_root.rb_node);
	if (node->__subtree_last < start)
		return NULL;
	return it_subtree_search(node, start, last);
}

struct interval_tree_node *
interval_tree_iter_next(struct interval_tree_node *node, unsigned long start,
			unsigned long last)
{
	struct rb_node *rb = node->rb.rb_right, *prev;

	while (true) {
		/* Search the right subtree if it can hold a match. */
		if (rb) {
			struct interval_tree_node *right = IT(rb);

			if (start <= right->__subtree_last)
				return it_subtree_search(right, start, last);
		}
		/* Move up until we come from a node's left child. */
		do {
			lusim_interval_tree_visits++;
			rb = rb_parent(&node->rb);
			if (!rb)
				return NULL;
			prev = &node->rb;
			node = IT(rb);
			rb = node->rb.rb_right;
		} while (prev == rb);

		if (last < node->start)
			return NULL;
		if (start <= node->last)
			return node;
	}
}

static unsigned int it_depth(const struct rb_node *n)
{
	unsigned int l, r;

	if (!n)
		return 0;
	l = it_depth(n->rb_left);
	r = it_depth(n->rb_right);
	return 1 + (l > r ? l : r);
}

unsigned int lusim_interval_tree_depth(const struct rb_root_cached *root)
{
	return it_depth(root->rb_root.rb_node);
}

static int it_check(const struct rb_node *n, const struct rb_node *parent,
		    const struct rb_node **prev)
{
	const struct interval_tree_node *node;
	unsigned long m;

	if (!n)
		return 0;
	node = IT(n);
	if (rb_parent(n) != parent)
		return -1;
	if (parent && n->__lusim_prio > parent->__lusim_prio)
		return -1;
	if (node->start > node->last)
		return -1;
	if (it_check(n->rb_left, n, prev))
		return -1;
	if (*prev && IT(*prev)->start > node->start)
		return -1;
	*prev = n;
	if (it_check(n->rb_right, n, prev))
		return -1;
	m = node->last;
	if (n->rb_left && IT(n->rb_left)->__subtree_last > m)
		m = IT(n->rb_left)->__subtree_last;
	if (n->rb_right && IT(n->rb_right)->__subtree_last > m)
		m = IT(n->rb_right)->__subtree_last;
	return m == node->__subtree_last ? 0 : -1;
}

int lusim_interval_tree_check(const struct rb_root_cached *root)
{
	const struct rb_node *prev = NULL, *n = root->rb_root.rb_node;

	if (it_check(n, NULL, &prev))
		return -1;
	if (!n)
		return root->rb_leftmost ? -1 : 0;
	while (n->rb_left)
		n = n->rb_left;
	return n == root->rb_leftmost ? 0 : -1;
}
