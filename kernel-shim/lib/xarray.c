// SPDX-License-Identifier: GPL-2.0-only
/*
 * lusim's XArray (stands for lib/xarray.c), written from the kernel's
 * documented semantics (kernel-model.md 5.1 and Documentation/core-api/
 * xarray.rst), not copied.
 *
 * The tree. xa_head is NULL, a lone entry (index 0 only), or a node. A node
 * has 64 slots; a node of shift s covers 64 << s indices, its slot i covers
 * [base + (i << s), base + ((i + 1) << s) - 1]. Leaves (shift 0) hold
 * entries; interior slots hold child nodes (tagged as internal entries).
 * Each node has four 64-bit bitmaps: XA_MARK_0..2 and a lusim-internal
 * PRESENT map (slot holds an entry other than XA_ZERO_ENTRY). An interior
 * bit means "the subtree below has the bit", so a marked or present search
 * descends only into subtrees with a hit: O(height) = O(log64 n) node visits
 * per find, no matter how sparse. On ALLOC arrays XA_MARK_0 is the free map
 * (set on free slots, a missing subtree is all free), which makes xa_alloc
 * O(log n) too. The marks of a lone head entry and the "anything has this
 * mark" summary of the tree live in xa_flags (XA_FLAGS_MARK), as in the
 * kernel.
 *
 * Shape rules follow the kernel's so its shape-dependent behaviour matches:
 * an entry at index 0 goes into xa_head when the array has no node (except
 * XA_ZERO_ENTRY, which always gets a node); expanding puts the old head in
 * slot 0 of the new top node, and on ALLOC1 arrays an empty head becomes
 * XA_ZERO_ENTRY there (index 0 "busy"); after an erase, empty nodes are
 * freed upwards, and if that stops at the top node, the tree shrinks while
 * the top node holds only slot 0 (a lone XA_ZERO_ENTRY of an ALLOC1 array
 * becomes NULL on the way).
 *
 * Atomicity. A store first counts the nodes it will need, allocates them
 * all (dropping xa_lock around the allocation when @gfp may block, as the
 * kernel's __xas_nomem() does), and only then changes the tree. A failed
 * allocation therefore leaves the array exactly as it was and the call
 * returns -ENOMEM. Unused nodes go straight back to the slab; nodes taken
 * out of the tree are freed with kfree_rcu(), so a reader inside
 * rcu_read_lock() never sees freed memory.
 */
#include <linux/xarray.h>
#include <linux/slab.h>
#include <linux/rcupdate.h>
#include <linux/lockdep.h>
#include <linux/gfp.h>
#include <lusim/findings.h>
#include <lusim/journal.h>
#include <lusim/reset.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * From here on every lock, sleep-check, allocation and lockdep macro reports
 * the site of the model code that called the xarray API: each function that
 * uses one of them has a `site` parameter.
 */
#undef LUSIM_SITE
#define LUSIM_SITE	site

#define XA_CHUNK_SHIFT		6
#define XA_CHUNK_SIZE		(1UL << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK		(XA_CHUNK_SIZE - 1)
#define XA_MAX_SHIFT		60	/* 11 levels cover 64-bit indices */
/* bitmap numbers: the three marks, then lusim's presence map */
#define XA_BIT_PRESENT		3
#define XA_NR_BITMAPS		4
/* worst case per store: expand a lone head to the top, then a new path */
#define XA_MAX_NEW_NODES	(2 * (XA_MAX_SHIFT / XA_CHUNK_SHIFT) + 1)

struct xa_node {
	unsigned char shift;		/* 0 for leaves */
	unsigned char offset;		/* slot in the parent */
	unsigned char count;		/* non-NULL slots */
	struct xa_node *parent;		/* NULL for the top node */
	struct xarray *array;
	unsigned long marks[XA_NR_BITMAPS];
	void __rcu *slots[XA_CHUNK_SIZE];
	struct rcu_head rcu;
};

/* Nodes set aside for one store (see "Atomicity" above). */
struct xa_pool {
	unsigned int nr;
	struct xa_node *nodes[XA_MAX_NEW_NODES];
};

/* A slot found by a walk: node NULL means xa_head. */
struct xa_slot {
	struct xa_node *node;
	unsigned int offset;
};

struct lusim_xa_stats lusim_xa_stats;

static void lusim_xa_reset(void)
{
	memset(&lusim_xa_stats, 0, sizeof(lusim_xa_stats));
}
LUSIM_RESET_FN(lusim_xa_reset, LUSIM_RESET_PRIO_SHIM)

/* --- small helpers ------------------------------------------------------- */

static inline void *xa_mk_node(const struct xa_node *node)
{
	return (void *)((unsigned long)node | 2);
}

static inline struct xa_node *xa_to_node(const void *entry)
{
	return (struct xa_node *)((unsigned long)entry - 2);
}

static inline void *zero_to_null(void *entry)
{
	return xa_is_zero(entry) ? NULL : entry;
}

static inline bool xa_track_free(const struct xarray *xa)
{
	return xa->xa_flags & XA_FLAGS_TRACK_FREE;
}

static inline bool xa_zero_busy(const struct xarray *xa)
{
	return xa->xa_flags & XA_FLAGS_ZERO_BUSY;
}

static inline unsigned int xa_lock_type(const struct xarray *xa)
{
	return xa->xa_flags & 3;
}

static inline bool root_marked(const struct xarray *xa, unsigned int m)
{
	return xa->xa_flags & XA_FLAGS_MARK(m);
}

static inline void root_mark_set(struct xarray *xa, unsigned int m)
{
	xa->xa_flags |= XA_FLAGS_MARK(m);
}

static inline void root_mark_clear(struct xarray *xa, unsigned int m)
{
	xa->xa_flags &= ~XA_FLAGS_MARK(m);
}

static inline unsigned int get_offset(unsigned long index,
				      const struct xa_node *node)
{
	return (index >> node->shift) & XA_CHUNK_MASK;
}

/* Index bits below a node's own slot number: its span minus one. */
static inline unsigned long node_span_mask(const struct xa_node *node)
{
	if (node->shift + XA_CHUNK_SHIFT >= BITS_PER_LONG)
		return ULONG_MAX;
	return (XA_CHUNK_SIZE << node->shift) - 1;
}

/*
 * A walk left @node's range (all of it looked at): @index, the first index
 * after that range, is 0 after a wrap. Climb to the first ancestor with
 * slots left to look at, or NULL.
 */
static struct xa_node *walk_up(struct xa_node *node, unsigned long *index)
{
	*index = (*index | node_span_mask(node)) + 1;
	if (!*index)
		return NULL;
	do {
		node = rcu_dereference_raw(node->parent);
	} while (node && !get_offset(*index, node));
	return node;
}

/* The largest index the tree under @head can hold without expanding. */
static unsigned long max_index(const void *head)
{
	if (!xa_is_node(head))
		return 0;
	return node_span_mask(xa_to_node(head));
}

/* The shift of the smallest top node that covers @index. */
static unsigned int shift_for(unsigned long index)
{
	unsigned int shift = 0;

	while ((index >> shift) > XA_CHUNK_MASK)
		shift += XA_CHUNK_SHIFT;
	return shift;
}

static inline bool node_get_bit(const struct xa_node *node, unsigned int off,
				unsigned int m)
{
	return (node->marks[m] >> off) & 1;
}

/* Both return the bit's previous value. */
static inline bool node_set_bit(struct xa_node *node, unsigned int off,
				unsigned int m)
{
	bool old = node_get_bit(node, off, m);

	node->marks[m] |= 1UL << off;
	return old;
}

static inline bool node_clear_bit(struct xa_node *node, unsigned int off,
				  unsigned int m)
{
	bool old = node_get_bit(node, off, m);

	node->marks[m] &= ~(1UL << off);
	return old;
}

static inline bool node_any_bit(const struct xa_node *node, unsigned int m)
{
	return node->marks[m] != 0;
}

/* First set bit at or above @off in @node's bitmap @m, or XA_CHUNK_SIZE. */
static inline unsigned int node_next_bit(const struct xa_node *node,
					 unsigned int off, unsigned int m)
{
	unsigned long word;

	if (off >= XA_CHUNK_SIZE)
		return XA_CHUNK_SIZE;
	word = READ_ONCE(node->marks[m]) & (~0UL << off);
	return word ? (unsigned int)__builtin_ctzl(word) : XA_CHUNK_SIZE;
}

/*
 * Set bitmap @m at a slot and in every ancestor that did not have it yet;
 * the root summary flag too when the walk reaches the top (marks only).
 */
static void slot_set_bit(struct xarray *xa, struct xa_node *node,
			 unsigned int off, unsigned int m)
{
	while (node) {
		if (node_set_bit(node, off, m))
			return;
		off = node->offset;
		node = node->parent;
	}
	if (m < XA_MAX_MARKS)
		root_mark_set(xa, m);
}

/* Clear it, and in each ancestor whose subtree no longer has it. */
static void slot_clear_bit(struct xarray *xa, struct xa_node *node,
			   unsigned int off, unsigned int m)
{
	while (node) {
		if (!node_clear_bit(node, off, m))
			return;
		if (node_any_bit(node, m))
			return;
		off = node->offset;
		node = node->parent;
	}
	if (m < XA_MAX_MARKS)
		root_mark_clear(xa, m);
}

/*
 * A slot becomes empty: its marks go back to the initial state (the free
 * mark set on free-tracking arrays, every other mark clear).
 */
static void slot_init_marks(struct xarray *xa, struct xa_node *node,
			    unsigned int off)
{
	for (unsigned int m = 0; m < XA_MAX_MARKS; m++) {
		if (m == XA_FREE_MARK && xa_track_free(xa))
			slot_set_bit(xa, node, off, m);
		else
			slot_clear_bit(xa, node, off, m);
	}
	if (node)
		slot_clear_bit(xa, node, off, XA_BIT_PRESENT);
}

/* --- findings ------------------------------------------------------------- */

/* Internal entries other than XA_ZERO_ENTRY may not be stored. */
static bool bad_entry(const void *entry, const char *op, const char *site)
{
	if (!xa_is_internal(entry) || xa_is_zero(entry))
		return false;
	/* no pointer values in findings: they differ between builds */
	if (xa_to_internal(entry) < 4096)
		lusim_report("XA-INTERNAL-ENTRY", site, NULL,
			     "%s: internal entry %lu cannot be stored in an xarray",
			     op, xa_to_internal(entry));
	else
		lusim_report("XA-INTERNAL-ENTRY", site, NULL,
			     "%s: a pointer with low bits 10 (an internal entry) cannot be stored in an xarray",
			     op);
	return true;
}

/* A caller-supplied mark: returns false (after a report) if unusable. */
static bool mark_ok(const struct xarray *xa, xa_mark_t mark, const char *op,
		    const char *site)
{
	if ((__force unsigned int)mark > (__force unsigned int)XA_MARK_MAX) {
		lusim_report("XA-BAD-MARK", site, NULL,
			     "%s: mark %u is not XA_MARK_0..2", op,
			     (__force unsigned int)mark);
		return false;
	}
	if (mark == XA_FREE_MARK && xa_track_free(xa)) {
		lusim_report("XA-FREE-MARK", site, NULL,
			     "%s: XA_MARK_0 is XA_FREE_MARK on an allocating xarray (XA_FLAGS_ALLOC*); use XA_MARK_1 or XA_MARK_2",
			     op);
		return false;
	}
	return true;
}

/* --- locking for the writers -------------------------------------------- */

/*
 * @how: 0, XA_LOCK_BH or XA_LOCK_IRQ for the normal API (we take xa_lock),
 * LUSIM_XA_CALLER_LOCKED for the __xa_* forms (the caller holds it; the
 * array's own lock type is used to drop and retake it).
 */
static void xa_take(struct xarray *xa, unsigned int type, const char *site)
{
	if (type == XA_LOCK_IRQ)
		spin_lock_irq(&xa->xa_lock);
	else if (type == XA_LOCK_BH)
		spin_lock_bh(&xa->xa_lock);
	else
		spin_lock(&xa->xa_lock);
}

static void xa_drop(struct xarray *xa, unsigned int type, const char *site)
{
	if (type == XA_LOCK_IRQ)
		spin_unlock_irq(&xa->xa_lock);
	else if (type == XA_LOCK_BH)
		spin_unlock_bh(&xa->xa_lock);
	else
		spin_unlock(&xa->xa_lock);
}

/*
 * Writer context: which lock type to drop/retake around a blocking
 * allocation, or -1 when the caller of a __xa_* form does not hold xa_lock
 * (reported; the call then runs without it, as the kernel's would).
 */
struct xa_wctx {
	struct xarray *xa;
	const char *site;
	int lock_type;
};

static bool xa_begin(struct xa_wctx *c, struct xarray *xa, int how,
		     gfp_t gfp, bool allocates, const char *site)
{
	c->xa = xa;
	c->site = site;
	if (how != LUSIM_XA_CALLER_LOCKED) {
		/* the normal API: a sleep point if @gfp blocks, then the lock */
		if (allocates)
			might_alloc(gfp);
		c->lock_type = how;
		xa_take(xa, how, site);
		return true;
	}
	lockdep_assert_held(&xa->xa_lock);
	if (xa->xa_lock.owner != current) {
		c->lock_type = -1;
		if (allocates)
			might_alloc(gfp);
		return false;
	}
	c->lock_type = xa_lock_type(xa);
	if (allocates && gfpflags_allow_blocking(gfp)) {
		/*
		 * The kernel drops xa_lock to allocate with a blocking gfp:
		 * check the sleep as it would happen, with xa_lock dropped.
		 */
		xa_drop(xa, c->lock_type, site);
		might_alloc(gfp);
		xa_take(xa, c->lock_type, site);
	}
	return false;
}

static void xa_end(struct xa_wctx *c, bool took)
{
	if (took)
		xa_drop(c->xa, c->lock_type, c->site);
}

/* --- node allocation ------------------------------------------------------- */

/* Allocate until @pool holds @need nodes. False (pool kept) on failure. */
static bool pool_fill(struct xa_wctx *c, struct xa_pool *pool,
		      unsigned int need, gfp_t gfp)
{
	struct xarray *xa = c->xa;
	const char *site = c->site;
	bool drop = c->lock_type >= 0 && gfpflags_allow_blocking(gfp);

	if (xa->xa_flags & XA_FLAGS_ACCOUNT)
		gfp |= __GFP_ACCOUNT;
	if (drop)
		xa_drop(xa, c->lock_type, site);
	lusim_journal_internal++;	/* nodes are not model state */
	while (pool->nr < need) {
		struct xa_node *node = kzalloc(sizeof(*node), gfp);

		if (!node) {
			lusim_xa_stats.alloc_failed++;
			break;
		}
		lusim_xa_stats.nodes_allocated++;
		pool->nodes[pool->nr++] = node;
	}
	lusim_journal_internal--;
	if (drop)
		xa_take(xa, c->lock_type, site);
	return pool->nr >= need;
}

/* Give back the nodes a store did not use (never published: plain kfree). */
static void pool_release(struct xa_pool *pool, const char *site)
{
	while (pool->nr) {
		kfree(pool->nodes[--pool->nr]);
		lusim_xa_stats.nodes_freed++;
	}
}

static struct xa_node *node_new(struct xarray *xa, struct xa_pool *pool,
				unsigned int shift, struct xa_node *parent,
				unsigned int offset)
{
	struct xa_node *node;

	if (!pool->nr)
		lusim_bug(__FILE__, "xarray: node pool empty (nodes_needed is wrong)");
	node = pool->nodes[--pool->nr];
	node->shift = shift;
	node->offset = offset;
	node->count = 0;
	node->parent = parent;
	node->array = xa;
	/* on free-tracking arrays every slot of a new node is free */
	if (xa_track_free(xa))
		node->marks[XA_FREE_MARK] = ~0UL;
	return node;
}

/* A node leaves the tree: readers in an RCU section may still look at it. */
static void node_free(struct xa_node *node, const char *site)
{
	node->array = NULL;
	lusim_xa_stats.nodes_freed++;
	kfree_rcu(node, rcu);
}

/* --- walks under xa_lock --------------------------------------------------- */

/*
 * The raw entry at @index (XA_ZERO_ENTRY included); when it is not NULL,
 * *@s is its slot.
 */
static void *slot_load(const struct xarray *xa, unsigned long index,
		       struct xa_slot *s)
{
	void *entry = xa->xa_head;
	struct xa_node *node;

	s->node = NULL;
	s->offset = 0;
	if (!xa_is_node(entry))
		return index ? NULL : entry;
	node = xa_to_node(entry);
	if ((index >> node->shift) > XA_CHUNK_MASK)
		return NULL;
	for (;;) {
		unsigned int off = get_offset(index, node);

		lusim_xa_stats.nodes_visited++;
		entry = node->slots[off];
		if (!node->shift) {
			s->node = node;
			s->offset = off;
			return entry;
		}
		if (!entry)
			return NULL;
		node = xa_to_node(entry);
	}
}

/* How many nodes storing the non-NULL @entry at @index has to create. */
static unsigned int nodes_needed(const struct xarray *xa, unsigned long index,
				 const void *entry)
{
	const void *head = xa->xa_head;
	struct xa_node *node;
	unsigned int shift;

	if (!xa_is_node(head)) {
		if (!index)	/* a reservation never lives in an empty head */
			return xa_is_zero(entry) && !head;
		shift = shift_for(index);
		if (!head && !xa_zero_busy(xa))
			return shift / XA_CHUNK_SHIFT + 1;
		/* the head goes into a new leaf, levels up to @shift, a path */
		return 2 * (shift / XA_CHUNK_SHIFT) + 1;
	}
	node = xa_to_node(head);
	if ((index >> node->shift) > XA_CHUNK_MASK) {
		/* new levels above the top; below them the path is all new */
		shift = shift_for(index);
		return (shift - node->shift) / XA_CHUNK_SHIFT +
		       shift / XA_CHUNK_SHIFT;
	}
	for (;;) {
		void *e;

		lusim_xa_stats.nodes_visited++;
		if (!node->shift)
			return 0;
		e = node->slots[get_offset(index, node)];
		if (!e)
			return node->shift / XA_CHUNK_SHIFT;
		node = xa_to_node(e);
	}
}

/*
 * Add levels on top until the tree covers @shift's range. @head is the
 * current head, or XA_ZERO_ENTRY standing for an empty ALLOC1 head.
 */
static void xa_expand(struct xarray *xa, void *head, unsigned int shift,
		      struct xa_pool *pool)
{
	unsigned int s = xa_is_node(head) ?
			 xa_to_node(head)->shift + XA_CHUNK_SHIFT : 0;

	for (; s <= shift; s += XA_CHUNK_SHIFT) {
		struct xa_node *node = node_new(xa, pool, s, NULL, 0);

		node->slots[0] = head;
		node->count = 1;
		for (unsigned int m = 0; m < XA_MAX_MARKS; m++) {
			if (m == XA_FREE_MARK && xa_track_free(xa)) {
				/* slot 0 is free only if the old tree had room */
				if (!root_marked(xa, m))
					node_clear_bit(node, 0, m);
				root_mark_set(xa, m);
			} else if (root_marked(xa, m)) {
				node_set_bit(node, 0, m);
			}
		}
		if (xa_is_node(head)) {
			struct xa_node *child = xa_to_node(head);

			if (node_any_bit(child, XA_BIT_PRESENT))
				node_set_bit(node, 0, XA_BIT_PRESENT);
			child->offset = 0;
			rcu_assign_pointer(child->parent, node);
		} else if (head && !xa_is_zero(head)) {
			node_set_bit(node, 0, XA_BIT_PRESENT);
		}
		head = xa_mk_node(node);
		rcu_assign_pointer(xa->xa_head, head);
	}
}

/*
 * Store the non-NULL @entry (possibly XA_ZERO_ENTRY) at @index; the pool
 * holds nodes_needed() nodes. Marks of an occupied slot are kept. Returns
 * the raw previous entry; *@s is the slot written.
 */
static void *store_raw(struct xarray *xa, unsigned long index, void *entry,
		       struct xa_pool *pool, struct xa_slot *s)
{
	void *head = xa->xa_head;
	struct xa_node *node;
	unsigned int off;
	void *old;

	if (!xa_is_node(head)) {
		if (!index && !(xa_is_zero(entry) && !head)) {
			s->node = NULL;
			s->offset = 0;
			rcu_assign_pointer(xa->xa_head, entry);
			return head;
		}
		if (!head && (!xa_zero_busy(xa) || !index)) {
			/* top-down, like the kernel (no busy slot 0 for index 0) */
			node = node_new(xa, pool, shift_for(index), NULL, 0);
			rcu_assign_pointer(xa->xa_head, xa_mk_node(node));
		} else {
			xa_expand(xa, head ? head : XA_ZERO_ENTRY,
				  shift_for(index), pool);
		}
	} else if ((index >> xa_to_node(head)->shift) > XA_CHUNK_MASK) {
		xa_expand(xa, head, shift_for(index), pool);
	}

	node = xa_to_node(xa->xa_head);
	for (;;) {
		void *e;

		lusim_xa_stats.nodes_visited++;
		off = get_offset(index, node);
		if (!node->shift)
			break;
		e = node->slots[off];
		if (!e) {
			struct xa_node *child = node_new(xa, pool,
					node->shift - XA_CHUNK_SHIFT, node, off);

			rcu_assign_pointer(node->slots[off], xa_mk_node(child));
			node->count++;
			node = child;
		} else {
			node = xa_to_node(e);
		}
	}
	old = node->slots[off];
	rcu_assign_pointer(node->slots[off], entry);
	if (!old)
		node->count++;
	if (xa_is_zero(entry))
		slot_clear_bit(xa, node, off, XA_BIT_PRESENT);
	else
		slot_set_bit(xa, node, off, XA_BIT_PRESENT);
	s->node = node;
	s->offset = off;
	return old;
}

/* The tree's top is @node: drop levels while only slot 0 is used. */
static void xa_shrink(struct xarray *xa, struct xa_node *node,
		      const char *site)
{
	for (;;) {
		void *entry;

		if (node->count != 1)
			return;
		entry = node->slots[0];
		if (!entry)
			return;
		if (!xa_is_node(entry) && node->shift)
			return;
		if (xa_is_zero(entry) && xa_zero_busy(xa))
			entry = NULL;
		rcu_assign_pointer(xa->xa_head, entry);
		if (xa_track_free(xa) && !node_get_bit(node, 0, XA_FREE_MARK))
			root_mark_clear(xa, XA_FREE_MARK);
		node_free(node, site);
		if (!xa_is_node(entry))
			return;
		node = xa_to_node(entry);
		rcu_assign_pointer(node->parent, NULL);
	}
}

/* @node lost an entry: free it and its ancestors while empty, then shrink. */
static void xa_delete_node(struct xarray *xa, struct xa_node *node,
			   const char *site)
{
	while (!node->count) {
		struct xa_node *parent = node->parent;
		unsigned int off = node->offset;

		node_free(node, site);
		if (!parent) {
			rcu_assign_pointer(xa->xa_head, NULL);
			return;
		}
		rcu_assign_pointer(parent->slots[off], NULL);
		parent->count--;
		node = parent;
	}
	if (!node->parent)
		xa_shrink(xa, node, site);
}

/* Erase @index. Returns the raw previous entry. */
static void *erase_raw(struct xarray *xa, unsigned long index,
		       const char *site)
{
	struct xa_slot s;
	void *old = slot_load(xa, index, &s);

	if (!old)
		return NULL;
	lusim_journal_xa(xa, index, site);
	slot_init_marks(xa, s.node, s.offset);
	if (!s.node) {
		rcu_assign_pointer(xa->xa_head, NULL);
		return old;
	}
	rcu_assign_pointer(s.node->slots[s.offset], NULL);
	s.node->count--;
	xa_delete_node(xa, s.node, site);
	return old;
}

/*
 * The lowest free index in [min, max] of a free-tracking array: a slot with
 * the free mark, a missing subtree, or anything past the tree's end.
 */
static bool find_free(struct xarray *xa, unsigned long min, unsigned long max,
		      unsigned long *indexp)
{
	void *head = xa->xa_head;
	struct xa_node *node;
	unsigned long index = min;

	if (min > max)
		return false;
	if (!xa_is_node(head)) {
		if (!min && root_marked(xa, XA_FREE_MARK))
			goto found;
		index = min ? min : 1;
		goto beyond;
	}
	node = xa_to_node(head);
	if (min > max_index(head))
		goto beyond;
	for (;;) {
		unsigned int off = get_offset(index, node);
		unsigned int next;

		lusim_xa_stats.nodes_visited++;
		next = node_next_bit(node, off, XA_FREE_MARK);
		if (next == XA_CHUNK_SIZE) {
			/* nothing free here: continue after this node */
			node = walk_up(node, &index);
			if (!node) {
				if (!index)	/* the tree ends at ULONG_MAX */
					return false;
				goto beyond;
			}
			if (index > max)
				return false;
			continue;
		}
		if (next != off) {
			index &= ~node_span_mask(node);
			index |= (unsigned long)next << node->shift;
		}
		if (index > max)
			return false;
		if (!node->shift || !xa_is_node(node->slots[next]))
			goto found;
		node = xa_to_node(node->slots[next]);
	}
beyond:
	if (index > max)
		return false;
found:
	*indexp = index;
	return true;
}

/* --- the API ------------------------------------------------------------------ */

/*
 * Store under xa_lock (held or, after LOCK-NOT-HELD, not) with @entry
 * already checked and converted. Returns the previous entry as the API
 * reports it, or an error entry.
 */
static void *do_store(struct xa_wctx *c, unsigned long index, void *entry,
		      gfp_t gfp)
{
	struct xarray *xa = c->xa;
	struct xa_pool pool = { 0 };
	struct xa_slot s;
	void *curr;

	if (!entry)
		return zero_to_null(erase_raw(xa, index, c->site));
	for (;;) {
		unsigned int need = nodes_needed(xa, index, entry);

		if (need <= pool.nr)
			break;
		if (!pool_fill(c, &pool, need, gfp)) {
			pool_release(&pool, c->site);
			return XA_ERROR(-ENOMEM);
		}
	}
	lusim_journal_xa(xa, index, c->site);
	curr = store_raw(xa, index, entry, &pool, &s);
	if (xa_track_free(xa))
		slot_clear_bit(xa, s.node, s.offset, XA_FREE_MARK);
	pool_release(&pool, c->site);
	return zero_to_null(curr);
}

void *lusim_xa_store(struct xarray *xa, unsigned long index, void *entry,
		     gfp_t gfp, int how, const char *site)
{
	struct xa_wctx c;
	bool took = xa_begin(&c, xa, how, gfp, true, site);
	void *curr;

	if (bad_entry(entry, "xa_store", site)) {
		curr = XA_ERROR(-EINVAL);
	} else {
		/* free-tracking arrays keep the index allocated */
		if (!entry && xa_track_free(xa))
			entry = XA_ZERO_ENTRY;
		curr = do_store(&c, index, entry, gfp);
	}
	xa_end(&c, took);
	return curr;
}

void *lusim_xa_erase(struct xarray *xa, unsigned long index, int how,
		     const char *site)
{
	struct xa_wctx c;
	bool took = xa_begin(&c, xa, how, 0, false, site);
	void *curr = zero_to_null(erase_raw(xa, index, site));

	xa_end(&c, took);
	return curr;
}

void *lusim_xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		       void *entry, gfp_t gfp, int how, const char *site)
{
	struct xa_pool pool = { 0 };
	struct xa_wctx c;
	bool took = xa_begin(&c, xa, how, gfp, true, site);
	struct xa_slot s;
	void *curr;

	if (bad_entry(entry, "xa_cmpxchg", site)) {
		curr = XA_ERROR(-EINVAL);
		goto out;
	}
	for (;;) {
		unsigned int need;

		curr = slot_load(xa, index, &s);
		if (curr != old)	/* the raw value: a reservation != NULL */
			goto out_curr;
		if (!entry) {
			erase_raw(xa, index, site);
			goto out_curr;
		}
		need = nodes_needed(xa, index, entry);
		if (need <= pool.nr)
			break;
		if (!pool_fill(&c, &pool, need, gfp)) {
			curr = XA_ERROR(-ENOMEM);
			goto out;
		}
	}
	lusim_journal_xa(xa, index, site);
	store_raw(xa, index, entry, &pool, &s);
	if (xa_track_free(xa) && !curr)
		slot_clear_bit(xa, s.node, s.offset, XA_FREE_MARK);
out_curr:
	curr = zero_to_null(curr);
out:
	pool_release(&pool, site);
	xa_end(&c, took);
	return curr;
}

int lusim_xa_insert(struct xarray *xa, unsigned long index, void *entry,
		    gfp_t gfp, int how, const char *site)
{
	struct xa_pool pool = { 0 };
	struct xa_wctx c;
	bool took = xa_begin(&c, xa, how, gfp, true, site);
	struct xa_slot s;
	int ret = 0;

	if (bad_entry(entry, "xa_insert", site)) {
		ret = -EINVAL;
		goto out;
	}
	if (!entry)
		entry = XA_ZERO_ENTRY;
	for (;;) {
		unsigned int need;

		if (slot_load(xa, index, &s)) {
			ret = -EBUSY;
			goto out;
		}
		need = nodes_needed(xa, index, entry);
		if (need <= pool.nr)
			break;
		if (!pool_fill(&c, &pool, need, gfp)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	lusim_journal_xa(xa, index, site);
	store_raw(xa, index, entry, &pool, &s);
	if (xa_track_free(xa))
		slot_clear_bit(xa, s.node, s.offset, XA_FREE_MARK);
out:
	pool_release(&pool, site);
	xa_end(&c, took);
	return ret;
}

/* __xa_alloc with the lock state already set up. */
static int do_alloc(struct xa_wctx *c, u32 *id, void *entry,
		    struct xa_limit limit, gfp_t gfp)
{
	struct xarray *xa = c->xa;
	const char *site = c->site;
	struct xa_pool pool = { 0 };
	unsigned long index;
	struct xa_slot s;
	int ret = 0;

	if (bad_entry(entry, "xa_alloc", site))
		return -EINVAL;
	if (!xa_track_free(xa)) {
		lusim_report("XA-NOT-ALLOC", site, NULL,
			     "xa_alloc on an xarray without XA_FLAGS_ALLOC/XA_FLAGS_ALLOC1");
		return -EINVAL;
	}
	if (!entry)
		entry = XA_ZERO_ENTRY;
	for (;;) {
		unsigned int need;

		if (!find_free(xa, limit.min, limit.max, &index)) {
			ret = -EBUSY;
			goto out;
		}
		*id = index;
		need = nodes_needed(xa, index, entry);
		if (need <= pool.nr)
			break;
		if (!pool_fill(c, &pool, need, gfp)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	lusim_journal_xa(xa, index, site);
	store_raw(xa, index, entry, &pool, &s);
	slot_clear_bit(xa, s.node, s.offset, XA_FREE_MARK);
out:
	pool_release(&pool, site);
	return ret;
}

int lusim_xa_alloc(struct xarray *xa, u32 *id, void *entry,
		   struct xa_limit limit, gfp_t gfp, int how, const char *site)
{
	struct xa_wctx c;
	bool took = xa_begin(&c, xa, how, gfp, true, site);
	int ret = do_alloc(&c, id, entry, limit, gfp);

	xa_end(&c, took);
	return ret;
}

int lusim_xa_alloc_cyclic(struct xarray *xa, u32 *id, void *entry,
			  struct xa_limit limit, u32 *next, gfp_t gfp, int how,
			  const char *site)
{
	struct xa_wctx c;
	bool took = xa_begin(&c, xa, how, gfp, true, site);
	u32 min = limit.min;
	int ret;

	/* search from *next, then wrap to limit.min */
	limit.min = max(min, *next);
	ret = do_alloc(&c, id, entry, limit, gfp);
	if ((xa->xa_flags & XA_FLAGS_ALLOC_WRAPPED) && ret == 0) {
		xa->xa_flags &= ~XA_FLAGS_ALLOC_WRAPPED;
		ret = 1;
	}
	if (ret < 0 && limit.min > min) {
		limit.min = min;
		ret = do_alloc(&c, id, entry, limit, gfp);
		if (ret == 0)
			ret = 1;
	}
	if (ret >= 0) {
		*next = *id + 1;
		if (*next == 0)
			xa->xa_flags |= XA_FLAGS_ALLOC_WRAPPED;
	}
	xa_end(&c, took);
	return ret;
}

/* Marks are set on any stored entry, reservations included (as the kernel). */
void lusim_xa_set_mark(struct xarray *xa, unsigned long index, xa_mark_t mark,
		       int how, const char *site)
{
	struct xa_wctx c;
	bool took = xa_begin(&c, xa, how, 0, false, site);
	struct xa_slot s;

	if (mark_ok(xa, mark, "xa_set_mark", site) &&
	    slot_load(xa, index, &s)) {
		lusim_journal_xa(xa, index, site);
		slot_set_bit(xa, s.node, s.offset, (__force unsigned int)mark);
	}
	xa_end(&c, took);
}

void lusim_xa_clear_mark(struct xarray *xa, unsigned long index,
			 xa_mark_t mark, int how, const char *site)
{
	struct xa_wctx c;
	bool took = xa_begin(&c, xa, how, 0, false, site);
	struct xa_slot s;

	if (mark_ok(xa, mark, "xa_clear_mark", site) &&
	    slot_load(xa, index, &s)) {
		lusim_journal_xa(xa, index, site);
		slot_clear_bit(xa, s.node, s.offset, (__force unsigned int)mark);
	}
	xa_end(&c, took);
}

/* Journal every slot of @xa (it is about to be destroyed). */
static void journal_node(const struct xarray *xa, const struct xa_node *node,
			 unsigned long base, const char *site)
{
	for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++) {
		const void *e = node->slots[i];
		unsigned long idx = base + ((unsigned long)i << node->shift);

		if (!e)
			continue;
		if (node->shift)
			journal_node(xa, xa_to_node(e), idx, site);
		else
			lusim_journal_xa(xa, idx, site);
	}
}

static void journal_all(const struct xarray *xa, const char *site)
{
	if (xa_is_node(xa->xa_head))
		journal_node(xa, xa_to_node(xa->xa_head), 0, site);
	else
		lusim_journal_xa(xa, 0, site);
}

void lusim_xa_destroy(struct xarray *xa, const char *site)
{
	unsigned long flags;
	void *head;

	xa_lock_irqsave(xa, flags);
	head = xa->xa_head;
	if (lusim_journal && head)
		journal_all(xa, site);
	rcu_assign_pointer(xa->xa_head, NULL);
	slot_init_marks(xa, NULL, 0);
	if (xa_zero_busy(xa))
		root_mark_clear(xa, XA_FREE_MARK);
	if (xa_is_node(head)) {
		/* depth first, children before their parent */
		struct xa_node *node = xa_to_node(head);
		unsigned int off = 0;

		for (;;) {
			struct xa_node *parent;

			if (node->shift) {
				while (off < XA_CHUNK_SIZE && !node->slots[off])
					off++;
				if (off < XA_CHUNK_SIZE) {
					node = xa_to_node(node->slots[off]);
					off = 0;
					continue;
				}
			}
			parent = node->parent;
			off = node->offset + 1;
			node_free(node, site);
			if (!parent)
				break;
			node = parent;
		}
	}
	xa_unlock_irqrestore(xa, flags);
}

/* --- readers (RCU) ----------------------------------------------------------------- */

void *lusim_xa_load(struct xarray *xa, unsigned long index, const char *site)
{
	struct xa_node *node;
	void *entry;

	rcu_read_lock();
	entry = rcu_dereference_raw(xa->xa_head);
	if (!xa_is_node(entry)) {
		if (index)
			entry = NULL;
		goto out;
	}
	node = xa_to_node(entry);
	if ((index >> node->shift) > XA_CHUNK_MASK) {
		entry = NULL;
		goto out;
	}
	for (;;) {
		lusim_xa_stats.nodes_visited++;
		entry = rcu_dereference_raw(node->slots[get_offset(index, node)]);
		if (!node->shift || !entry)
			break;
		node = xa_to_node(entry);
	}
out:
	rcu_read_unlock();
	return zero_to_null(entry);
}

bool lusim_xa_get_mark(struct xarray *xa, unsigned long index, xa_mark_t mark,
		       const char *site)
{
	unsigned int m = (__force unsigned int)mark;
	struct xa_node *node;
	bool ret = false;
	void *entry;

	if (!mark_ok(xa, mark, "xa_get_mark", site))
		return false;
	rcu_read_lock();
	entry = rcu_dereference_raw(xa->xa_head);
	if (!xa_is_node(entry)) {
		/* the head's marks live in xa_flags (even for an empty head) */
		ret = !index && root_marked(xa, m);
		goto out;
	}
	node = xa_to_node(entry);
	if ((index >> node->shift) > XA_CHUNK_MASK)
		goto out;
	for (;;) {
		unsigned int off = get_offset(index, node);

		lusim_xa_stats.nodes_visited++;
		if (!node_get_bit(node, off, m))
			break;
		entry = rcu_dereference_raw(node->slots[off]);
		if (!node->shift || !xa_is_node(entry)) {
			ret = true;
			break;
		}
		node = xa_to_node(entry);
	}
out:
	rcu_read_unlock();
	return ret;
}

/*
 * Under rcu_read_lock(): the first entry at an index in [start, max] whose
 * slot has bitmap @m (XA_BIT_PRESENT: any entry but a reservation), or
 * NULL. Reservations carrying a mark are stepped over, as the kernel's
 * xa_find() does.
 */
static void *find_bit(struct xarray *xa, unsigned long *indexp,
		      unsigned long start, unsigned long max, unsigned int m)
{
	void *head;
	struct xa_node *node;
	unsigned long index;

restart:
	if (start > max)
		return NULL;
	head = rcu_dereference_raw(xa->xa_head);
	if (!xa_is_node(head)) {
		if (start || !head || xa_is_zero(head))
			return NULL;
		if (m != XA_BIT_PRESENT && !root_marked(xa, m))
			return NULL;
		*indexp = 0;
		return head;
	}
	node = xa_to_node(head);
	if (start > max_index(head))
		return NULL;
	index = start;
	for (;;) {
		unsigned int off = get_offset(index, node);
		unsigned int next;
		void *entry;

		lusim_xa_stats.nodes_visited++;
		next = node_next_bit(node, off, m);
		if (next == XA_CHUNK_SIZE) {
			node = walk_up(node, &index);
			if (!node || index > max)
				return NULL;
			continue;
		}
		if (next != off) {
			index &= ~node_span_mask(node);
			index |= (unsigned long)next << node->shift;
		}
		if (index > max)
			return NULL;
		entry = rcu_dereference_raw(node->slots[next]);
		if (node->shift && xa_is_node(entry)) {
			node = xa_to_node(entry);
			continue;
		}
		if (entry && !xa_is_zero(entry)) {
			*indexp = index;
			return entry;
		}
		/* a marked reservation: go on after it */
		if (index == ULONG_MAX)
			return NULL;
		start = index + 1;
		goto restart;
	}
}

/*
 * The bitmap a find filter selects. As in the kernel, anything that is not
 * a mark searches for present entries; a filter other than XA_PRESENT that
 * is not a mark is reported first.
 */
static bool filter_bit(struct xarray *xa, xa_mark_t filter, unsigned int *m,
		       const char *op, const char *site)
{
	if ((__force unsigned int)filter >= XA_MAX_MARKS) {
		if (filter != XA_PRESENT)
			lusim_report("XA-BAD-MARK", site, NULL,
				     "%s: filter %u is neither a mark nor XA_PRESENT",
				     op, (__force unsigned int)filter);
		*m = XA_BIT_PRESENT;
		return true;
	}
	*m = (__force unsigned int)filter;
	return mark_ok(xa, filter, op, site);
}

void *lusim_xa_find(struct xarray *xa, unsigned long *indexp,
		    unsigned long max, xa_mark_t filter, const char *site)
{
	unsigned long index;
	unsigned int m;
	void *entry;

	if (!filter_bit(xa, filter, &m, "xa_find", site))
		return NULL;
	rcu_read_lock();
	entry = find_bit(xa, &index, *indexp, max, m);
	rcu_read_unlock();
	if (entry)
		*indexp = index;
	return entry;
}

void *lusim_xa_find_after(struct xarray *xa, unsigned long *indexp,
			  unsigned long max, xa_mark_t filter,
			  const char *site)
{
	unsigned long index;
	unsigned int m;
	void *entry;

	if (!filter_bit(xa, filter, &m, "xa_find_after", site))
		return NULL;
	if (*indexp == ULONG_MAX)
		return NULL;
	rcu_read_lock();
	entry = find_bit(xa, &index, *indexp + 1, max, m);
	rcu_read_unlock();
	if (entry)
		*indexp = index;
	return entry;
}

unsigned int lusim_xa_extract(struct xarray *xa, void **dst,
			      unsigned long start, unsigned long max,
			      unsigned int n, xa_mark_t filter,
			      const char *site)
{
	unsigned long index;
	unsigned int m, i = 0;

	if (!n || !filter_bit(xa, filter, &m, "xa_extract", site))
		return 0;
	rcu_read_lock();
	while (i < n) {
		void *entry = find_bit(xa, &index, start, max, m);

		if (!entry)
			break;
		dst[i++] = entry;
		if (index == ULONG_MAX)
			break;
		start = index + 1;
	}
	rcu_read_unlock();
	return i;
}

/* --- lusim: inspection ------------------------------------------------------------ */

static unsigned long count_nodes(const struct xa_node *node)
{
	unsigned long n = 1;

	if (node->shift)
		for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++)
			if (node->slots[i])
				n += count_nodes(xa_to_node(node->slots[i]));
	return n;
}

unsigned long lusim_xa_nr_nodes(const struct xarray *xa)
{
	return xa_is_node(xa->xa_head) ? count_nodes(xa_to_node(xa->xa_head)) : 0;
}

unsigned int lusim_xa_height(const struct xarray *xa)
{
	if (!xa_is_node(xa->xa_head))
		return 0;
	return xa_to_node(xa->xa_head)->shift / XA_CHUNK_SHIFT + 1;
}

struct xa_check {
	char buf[LUSIM_FINDING_DETAIL_MAX];
	size_t len;
	int errors;
};

static void __attribute__((format(printf, 2, 3)))
check_fail(struct xa_check *ck, const char *fmt, ...)
{
	size_t room = sizeof(ck->buf) - ck->len;
	va_list ap;
	int n;

	ck->errors++;
	if (room < 2)
		return;
	va_start(ap, fmt);
	n = vsnprintf(ck->buf + ck->len, room - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ck->len += min((size_t)n, room - 2);
	ck->buf[ck->len++] = '\n';
	ck->buf[ck->len] = '\0';
}

static void check_node(const struct xarray *xa, const struct xa_node *node,
		       unsigned long base, struct xa_check *ck)
{
	unsigned int count = 0;

	if (node->array != xa)
		check_fail(ck, "node@%#lx: array pointer is wrong", base);
	if (node->shift > XA_MAX_SHIFT || node->shift % XA_CHUNK_SHIFT)
		check_fail(ck, "node@%#lx: bad shift %u", base, node->shift);
	for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++) {
		const void *e = node->slots[i];
		unsigned long idx = base + ((unsigned long)i << node->shift);
		bool present, any[XA_NR_BITMAPS] = { false };

		if (e)
			count++;
		if (node->shift && e) {
			const struct xa_node *child;

			if (!xa_is_node(e)) {
				check_fail(ck, "%#lx: entry above the leaves", idx);
				continue;
			}
			child = xa_to_node(e);
			if (child->parent != node || child->offset != i ||
			    child->shift + XA_CHUNK_SHIFT != node->shift)
				check_fail(ck, "%#lx: child links/shift broken", idx);
			for (unsigned int m = 0; m < XA_NR_BITMAPS; m++) {
				any[m] = node_any_bit(child, m);
				if (any[m] != node_get_bit(node, i, m))
					check_fail(ck, "%#lx: bitmap %u summary %d, subtree %d",
						   idx, m, node_get_bit(node, i, m), any[m]);
			}
			check_node(xa, child, idx, ck);
			continue;
		}
		if (e && xa_is_internal(e) && !xa_is_zero(e))
			check_fail(ck, "%#lx: internal entry %#lx in a leaf",
				   idx, (unsigned long)e);
		present = e && !xa_is_zero(e);
		if (present != node_get_bit(node, i, XA_BIT_PRESENT))
			check_fail(ck, "%#lx: presence bit %d for entry %#lx",
				   idx, node_get_bit(node, i, XA_BIT_PRESENT),
				   (unsigned long)e);
		for (unsigned int m = 0; m < XA_MAX_MARKS; m++) {
			bool bit = node_get_bit(node, i, m);

			if (m == XA_FREE_MARK && xa_track_free(xa)) {
				if (!e && !bit)
					check_fail(ck, "%#lx: empty slot not free", idx);
			} else if (!e && bit) {
				check_fail(ck, "%#lx: mark %u on an empty slot", idx, m);
			}
		}
	}
	if (count != node->count)
		check_fail(ck, "node@%#lx: count %u, %u slots used", base,
			   node->count, count);
	if (!count)
		check_fail(ck, "node@%#lx: empty node left in the tree", base);
}

int lusim_xa_check(const struct xarray *xa)
{
	static struct xa_check ck;
	const void *head = xa->xa_head;

	ck.len = 0;
	ck.errors = 0;
	ck.buf[0] = '\0';
	if (xa_is_node(head)) {
		const struct xa_node *top = xa_to_node(head);

		if (top->parent)
			check_fail(&ck, "top node has a parent");
		for (unsigned int m = 0; m < XA_MAX_MARKS; m++) {
			if (m == XA_FREE_MARK && xa_track_free(xa))
				continue;	/* kernel keeps it loosely */
			if (root_marked(xa, m) != node_any_bit(top, m))
				check_fail(&ck, "root flag of mark %u is %d, tree says %d",
					   m, root_marked(xa, m),
					   node_any_bit(top, m));
		}
		check_node(xa, top, 0, &ck);
	} else if (xa_is_internal(head) && !xa_is_zero(head)) {
		check_fail(&ck, "head holds internal entry %#lx",
			   (unsigned long)head);
	} else if (!head && !xa_zero_busy(xa)) {
		for (unsigned int m = 0; m < XA_MAX_MARKS; m++)
			if (root_marked(xa, m) &&
			    !(m == XA_FREE_MARK && xa_track_free(xa)))
				check_fail(&ck, "empty array has mark %u", m);
	}
	if (ck.errors)
		lusim_report("XA-CORRUPT", NULL, ck.buf,
			     "xarray: %d broken invariant(s)", ck.errors);
	return ck.errors;
}

static void dump_entry(FILE *f, const void *e, unsigned long index,
		       unsigned int depth)
{
	fprintf(f, "%*s%#lx: ", (int)depth * 2, "", index);
	if (xa_is_zero(e))
		fprintf(f, "zero (reserved)\n");
	else if (xa_is_value(e))
		fprintf(f, "value %lu\n", xa_to_value(e));
	else
		fprintf(f, "%p\n", e);
}

static void dump_node(FILE *f, const struct xa_node *node, unsigned long base,
		      unsigned int depth)
{
	fprintf(f, "%*snode base %#lx shift %u count %u marks %lx %lx %lx present %lx\n",
		(int)depth * 2, "", base, node->shift, node->count,
		node->marks[0], node->marks[1], node->marks[2],
		node->marks[XA_BIT_PRESENT]);
	for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++) {
		const void *e = node->slots[i];
		unsigned long idx = base + ((unsigned long)i << node->shift);

		if (!e)
			continue;
		if (node->shift)
			dump_node(f, xa_to_node(e), idx, depth + 1);
		else
			dump_entry(f, e, idx, depth + 1);
	}
}

void *lusim_xa_peek(const struct xarray *xa, unsigned long index,
		    unsigned int *marks)
{
	const void *entry = xa->xa_head;
	const struct xa_node *node;
	unsigned int m = 0;

	if (!xa_is_node(entry)) {
		if (index || !entry)
			entry = NULL;
		else
			for (unsigned int i = 0; i < XA_MAX_MARKS; i++)
				if (root_marked(xa, i))
					m |= 1U << i;
		goto out;
	}
	node = xa_to_node(entry);
	if ((index >> node->shift) > XA_CHUNK_MASK) {
		entry = NULL;
		goto out;
	}
	for (;;) {
		unsigned int off = get_offset(index, node);

		entry = node->slots[off];
		if (!node->shift) {
			if (entry)
				for (unsigned int i = 0; i < XA_MAX_MARKS; i++)
					if (node_get_bit(node, off, i))
						m |= 1U << i;
			break;
		}
		if (!entry)
			break;
		node = xa_to_node(entry);
	}
out:
	if (xa_track_free(xa))
		m &= ~(1U << (__force unsigned int)XA_FREE_MARK);
	if (marks)
		*marks = m;
	return (void *)entry;
}

static void walk_node(const struct xarray *xa, const struct xa_node *node,
		      unsigned long base,
		      void (*fn)(unsigned long, void *, unsigned int, void *),
		      void *arg)
{
	for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++) {
		void *e = node->slots[i];
		unsigned long idx = base + ((unsigned long)i << node->shift);
		unsigned int m = 0;

		if (!e)
			continue;
		if (node->shift) {
			walk_node(xa, xa_to_node(e), idx, fn, arg);
			continue;
		}
		for (unsigned int k = 0; k < XA_MAX_MARKS; k++)
			if (node_get_bit(node, i, k))
				m |= 1U << k;
		if (xa_track_free(xa))
			m &= ~(1U << (__force unsigned int)XA_FREE_MARK);
		fn(idx, e, m, arg);
	}
}

void lusim_xa_walk(const struct xarray *xa,
		   void (*fn)(unsigned long index, void *entry,
			      unsigned int marks, void *arg),
		   void *arg)
{
	void *head = xa->xa_head;

	if (xa_is_node(head)) {
		walk_node(xa, xa_to_node(head), 0, fn, arg);
	} else if (head) {
		unsigned int m;

		lusim_xa_peek(xa, 0, &m);
		fn(0, head, m, arg);
	}
}

void lusim_xa_dump(const struct xarray *xa, void *stream)
{
	FILE *f = stream ? stream : stderr;
	const void *head = xa->xa_head;

	fprintf(f, "xarray %p flags %#x marks %d %d %d\n", (const void *)xa,
		xa->xa_flags, root_marked(xa, 0), root_marked(xa, 1),
		root_marked(xa, 2));
	if (xa_is_node(head))
		dump_node(f, xa_to_node(head), 0, 1);
	else if (head)
		dump_entry(f, head, 0, 1);
}
