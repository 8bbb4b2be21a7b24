// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockdep-lite: lock classes, the per-task held-lock stack, the class order
 * graph with cycle reports, sleep checks and lock assertions.
 *
 * Classes. A class is a (struct lock_class_key, subclass) pair. The init
 * macros hold a static key per init site; statically defined locks use the
 * key inside their own lockdep_map. A key caches its class ids together with
 * the generation they belong to; lusim_reset_all() bumps the generation, so
 * classes re-register lazily on the next acquire and no key needs visiting.
 *
 * Order graph. An adjacency bitmap over class ids (existence test O(1)) plus
 * an append-only edge list that keeps, for each edge, the sites and a
 * snapshot of the held-lock stack that established it (for reports only).
 * Like the kernel, an acquire adds edges from the held locks down to and
 * including the topmost non-trylock one, so an acquire costs O(1) bit tests
 * in the common case and O(depth) at worst. A cycle search (BFS over the
 * bitmap from the new lock looking for the held one) runs only when an edge
 * is new. Two locks of the same class (same key and subclass) nested add no
 * edge: that is "same-class nesting", allowed (see <linux/lockdep.h>).
 *
 * Deterministic: classes are numbered in first-acquire order, no addresses
 * are printed or hashed.
 */
#include "lockdep_internal.h"

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <stdio.h>
#include <string.h>

#define LUSIM_MAX_CLASSES	1024U		/* class ids 1..1023 */
#define ADJ_WORDS		(LUSIM_MAX_CLASSES / 64)
#define LUSIM_MAX_EDGES		8192U
#define LUSIM_SNAP_POOL		16384U

unsigned int lusim_lock_generation = 1;
bool lusim_lockdep_on = true;

struct lock_class {
	const char *name;
	unsigned char subclass;
};

/* A copy of one held-lock entry, kept for an edge's report. */
struct snap_entry {
	const char *site;
	const char *name;		/* for entries without a class */
	unsigned short class_idx;
	unsigned char kind, read, subclass;
};

struct lock_edge {
	unsigned short from, to;
	unsigned short snap_len;	/* entries of the stack below "to" */
	unsigned int snap_off;
	const char *to_site;		/* where "to" was acquired */
	char comm[TASK_COMM_LEN];	/* task that established it */
	unsigned char to_kind, to_read;
};

static struct lock_class classes[LUSIM_MAX_CLASSES];
static unsigned int nr_classes;
static bool classes_full_warned;
static u64 adj[LUSIM_MAX_CLASSES][ADJ_WORDS];
static struct lock_edge edges[LUSIM_MAX_EDGES];
static unsigned int nr_edges;		/* may exceed LUSIM_MAX_EDGES */
static struct snap_entry snap_pool[LUSIM_SNAP_POOL];
static unsigned int nr_snap;
static struct lusim_lockdep_stats stats;

/* BFS scratch */
static unsigned short bfs_queue[LUSIM_MAX_CLASSES];
static unsigned short bfs_parent[LUSIM_MAX_CLASSES];
static u64 bfs_seen[ADJ_WORDS];

static const char *const kind_names[] = {
	[LUSIM_LOCK_SPIN] = "spinlock",
	[LUSIM_LOCK_MUTEX] = "mutex",
	[LUSIM_LOCK_RWSEM] = "rwsem",
	[LUSIM_LOCK_MAP] = "lockdep_map",
};

static const char *kind_name(unsigned int kind, unsigned int read)
{
	if (kind == LUSIM_LOCK_RWSEM)
		return read ? "rwsem, read" : "rwsem, write";
	if (kind == LUSIM_LOCK_MAP && read)
		return "lockdep_map, read";
	return kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "lock";
}

/* --- string building ---------------------------------------------------- */

void lusim_sbuf_printf(struct lusim_sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->used + 1 >= sb->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->used, sb->len - sb->used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb->used += (size_t)n;
	if (sb->used >= sb->len)
		sb->used = sb->len - 1;
}

static const char *held_name(const struct held_lock *h)
{
	if (h->class_idx && h->class_idx <= nr_classes)
		return classes[h->class_idx].name;
	return h->name ? h->name : "(unnamed)";
}

static void sbuf_one(struct lusim_sbuf *sb, const char *indent,
		     unsigned int i, const char *name, unsigned int sub,
		     unsigned int kind, unsigned int read, const char *site)
{
	lusim_sbuf_printf(sb, "%s#%u: %s", indent, i, name);
	if (sub)
		lusim_sbuf_printf(sb, "/%u", sub);
	lusim_sbuf_printf(sb, " (%s) at %s\n", kind_name(kind, read),
			  site ? site : "?");
}

void lusim_sbuf_held(struct lusim_sbuf *sb, const struct task_struct *t,
		     const char *indent)
{
	if (!t->lockdep_depth && !t->lockdep_overflow)
		lusim_sbuf_printf(sb, "%s(no locks held)\n", indent);
	for (unsigned int i = 0; i < t->lockdep_depth; i++) {
		const struct held_lock *h = &t->held_locks[i];

		sbuf_one(sb, indent, i, held_name(h), h->subclass, h->kind,
			 h->read, h->acquire_site);
	}
	if (t->lockdep_overflow)
		lusim_sbuf_printf(sb, "%s... and %u more past MAX_LOCK_DEPTH\n",
				  indent, t->lockdep_overflow);
	if (t->rcu_read_lock_nesting)
		lusim_sbuf_printf(sb, "%sin RCU read-side section (nesting %d)\n",
				  indent, t->rcu_read_lock_nesting);
}

size_t lusim_lockdep_print_held(char *buf, size_t len,
				const struct task_struct *t)
{
	struct lusim_sbuf sb = { .buf = buf, .len = len };

	if (!len)
		return 0;
	buf[0] = '\0';
	lusim_sbuf_held(&sb, t ? t : current, "  ");
	return sb.used;
}

void lusim_lock_report(const char *id, const char *site, const char *extra,
		       const char *fmt, ...)
{
	char msg[LUSIM_FINDING_MSG_MAX];
	char detail[LUSIM_FINDING_DETAIL_MAX];
	struct lusim_sbuf sb = { .buf = detail, .len = sizeof(detail) };
	va_list ap;

	detail[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lusim_sbuf_printf(&sb, "held locks of task %s:\n", current->comm);
	lusim_sbuf_held(&sb, current, "  ");
	if (extra)
		lusim_sbuf_printf(&sb, "%s", extra);
	lusim_report(id, site, detail, "%s", msg);
}

/* --- classes -------------------------------------------------------------- */

void lockdep_init_map(struct lockdep_map *map, const char *name,
		      struct lock_class_key *key, int subclass)
{
	(void)subclass;
	map->name = name;
	map->key = key;
	memset(&map->static_key, 0, sizeof(map->static_key));
}

void lockdep_register_key(struct lock_class_key *key)
{
	memset(key, 0, sizeof(*key));
}

void lockdep_unregister_key(struct lock_class_key *key)
{
	memset(key, 0, sizeof(*key));
}

static unsigned int class_of(struct lockdep_map *map, unsigned int subclass)
{
	struct lock_class_key *key = map->key ? map->key : &map->static_key;
	unsigned int id;

	if (key->gen != lusim_lock_generation) {
		memset(key->ids, 0, sizeof(key->ids));
		key->gen = lusim_lock_generation;
	}
	id = key->ids[subclass];
	if (id)
		return id;
	if (nr_classes + 1 >= LUSIM_MAX_CLASSES) {
		if (!classes_full_warned)
			pr_err("lusim: lockdep: more than %u lock classes, "
			       "new ones are not checked\n",
			       LUSIM_MAX_CLASSES - 1);
		classes_full_warned = true;
		return 0;
	}
	id = ++nr_classes;
	classes[id].name = map->name ? map->name : "(unnamed)";
	classes[id].subclass = (unsigned char)subclass;
	key->ids[subclass] = (unsigned short)id;
	return id;
}

const char *lusim_lockdep_class_name(unsigned int class_idx)
{
	if (!class_idx || class_idx > nr_classes)
		return NULL;
	return classes[class_idx].name;
}

/* --- order graph ------------------------------------------------------------ */

static inline bool adj_test(unsigned int from, unsigned int to)
{
	return (adj[from][to / 64] >> (to % 64)) & 1;
}

static void class_label(struct lusim_sbuf *sb, unsigned int c)
{
	lusim_sbuf_printf(sb, "%s", classes[c].name);
	if (classes[c].subclass)
		lusim_sbuf_printf(sb, "/%u", classes[c].subclass);
}

static const struct lock_edge *find_edge(unsigned int from, unsigned int to)
{
	unsigned int n = min(nr_edges, LUSIM_MAX_EDGES);

	for (unsigned int i = 0; i < n; i++)
		if (edges[i].from == from && edges[i].to == to)
			return &edges[i];
	return NULL;
}

/*
 * Breadth-first search from @start for @target over the adjacency bitmap.
 * On success bfs_parent[] holds the path (target back to start).
 */
static bool graph_reaches(unsigned int start, unsigned int target)
{
	unsigned int head = 0, tail = 0;

	memset(bfs_seen, 0, sizeof(bfs_seen));
	bfs_queue[tail++] = (unsigned short)start;
	bfs_seen[start / 64] |= BIT_ULL(start % 64);
	while (head < tail) {
		unsigned int c = bfs_queue[head++];

		stats.nr_search_visits++;
		for (unsigned int w = 0; w < ADJ_WORDS; w++) {
			u64 next = adj[c][w] & ~bfs_seen[w];

			while (next) {
				unsigned int n = w * 64 + (unsigned int)__ffs64(next);

				next &= next - 1;
				bfs_seen[w] |= BIT_ULL(n % 64);
				bfs_parent[n] = (unsigned short)c;
				if (n == target)
					return true;
				bfs_queue[tail++] = (unsigned short)n;
			}
		}
	}
	return false;
}

static void report_cycle(struct task_struct *t, unsigned int from,
			 unsigned int to, const char *site)
{
	unsigned short path[LUSIM_MAX_CLASSES];
	unsigned int len = 0;
	char msg[LUSIM_FINDING_MSG_MAX];
	char detail[LUSIM_FINDING_DETAIL_MAX];
	struct lusim_sbuf m = { .buf = msg, .len = sizeof(msg) };
	struct lusim_sbuf sb = { .buf = detail, .len = sizeof(detail) };

	msg[0] = detail[0] = '\0';
	/* path: to -> ... -> from, rebuilt from bfs_parent (from back to to) */
	for (unsigned int c = from; ; c = bfs_parent[c]) {
		path[len++] = (unsigned short)c;
		if (c == to || len == LUSIM_MAX_CLASSES)
			break;
	}
	/* reverse into to .. from order */
	for (unsigned int i = 0; i < len / 2; i++) {
		unsigned short tmp = path[i];

		path[i] = path[len - 1 - i];
		path[len - 1 - i] = tmp;
	}

	lusim_sbuf_printf(&m, "possible circular locking dependency: ");
	class_label(&m, from);
	for (unsigned int i = 0; i < len; i++) {
		lusim_sbuf_printf(&m, " -> ");
		class_label(&m, path[i]);
	}

	lusim_sbuf_printf(&sb, "task %s is trying to acquire ", t->comm);
	class_label(&sb, to);
	lusim_sbuf_printf(&sb, " at %s while holding:\n", site);
	lusim_sbuf_held(&sb, t, "  ");
	lusim_sbuf_printf(&sb, "which adds ");
	class_label(&sb, from);
	lusim_sbuf_printf(&sb, " -> ");
	class_label(&sb, to);
	lusim_sbuf_printf(&sb, "; the existing chain ");
	for (unsigned int i = 0; i < len; i++) {
		if (i)
			lusim_sbuf_printf(&sb, " -> ");
		class_label(&sb, path[i]);
	}
	lusim_sbuf_printf(&sb, " was established by:\n");
	for (unsigned int i = 0; i + 1 < len; i++) {
		const struct lock_edge *e = find_edge(path[i], path[i + 1]);

		lusim_sbuf_printf(&sb, "  -> ");
		class_label(&sb, path[i + 1]);
		if (!e) {
			lusim_sbuf_printf(&sb, " (details not kept)\n");
			continue;
		}
		lusim_sbuf_printf(&sb, " (%s) acquired by task %s at %s while holding:\n",
				  kind_name(e->to_kind, e->to_read), e->comm,
				  e->to_site);
		if (!e->snap_len)
			lusim_sbuf_printf(&sb, "    (stack not kept)\n");
		for (unsigned int k = 0; k < e->snap_len; k++) {
			const struct snap_entry *s = &snap_pool[e->snap_off + k];

			sbuf_one(&sb, "    ", k,
				 s->class_idx ? classes[s->class_idx].name :
				 s->name ? s->name : "(unnamed)",
				 s->subclass, s->kind, s->read, s->site);
		}
	}
	lusim_report("LOCK-ORDER-CYCLE", site, detail, "%s", msg);
}

/* Record a new edge and its held-stack snapshot (t's stack below "to"). */
static void record_edge(struct task_struct *t, unsigned int from,
			unsigned int to, unsigned int kind, unsigned int read,
			const char *site)
{
	struct lock_edge *e;
	unsigned int depth = t->lockdep_depth;

	adj[from][to / 64] |= BIT_ULL(to % 64);
	if (nr_edges++ >= LUSIM_MAX_EDGES)
		return;
	e = &edges[nr_edges - 1];
	e->from = (unsigned short)from;
	e->to = (unsigned short)to;
	e->to_site = site;
	e->to_kind = (unsigned char)kind;
	e->to_read = (unsigned char)read;
	memcpy(e->comm, t->comm, sizeof(e->comm));
	e->snap_len = 0;
	e->snap_off = nr_snap;
	if (nr_snap + depth > LUSIM_SNAP_POOL)
		return;
	for (unsigned int i = 0; i < depth; i++) {
		const struct held_lock *h = &t->held_locks[i];
		struct snap_entry *s = &snap_pool[nr_snap++];

		s->site = h->acquire_site;
		s->name = h->name;
		s->class_idx = h->class_idx;
		s->kind = h->kind;
		s->read = h->read;
		s->subclass = h->subclass;
	}
	e->snap_len = (unsigned short)depth;
}

static void add_edge(struct task_struct *t, unsigned int from, unsigned int to,
		     unsigned int kind, unsigned int read, const char *site)
{
	bool cycle;

	if (adj_test(from, to))
		return;
	stats.nr_cycle_searches++;
	cycle = graph_reaches(to, from);
	record_edge(t, from, to, kind, read, site);
	if (cycle)
		report_cycle(t, from, to, site);
}

/*
 * Edges from the held locks to the new class @idx: walk down from the top,
 * skipping untracked and same-class entries, stopping after the first
 * non-trylock one (the ones below it already order before it).
 */
static void check_prevs(struct task_struct *t, unsigned int idx,
			unsigned int kind, unsigned int read, const char *site)
{
	for (unsigned int i = t->lockdep_depth; i-- > 0; ) {
		const struct held_lock *h = &t->held_locks[i];

		stats.nr_edge_checks++;
		if (!h->class_idx || h->class_idx == idx)
			continue;
		add_edge(t, h->class_idx, idx, kind, read, site);
		if (!h->trylock)
			break;
	}
}

/* --- acquire / release -------------------------------------------------- */

void lusim_lock_acquire(struct lockdep_map *map, unsigned int subclass,
			int trylock, int read, int kind, const char *site)
{
	struct task_struct *t = current;
	unsigned int idx = 0;
	struct held_lock *h;

	t->nr_lock_acquires++;
	if (subclass >= MAX_LOCKDEP_SUBCLASSES)
		subclass = MAX_LOCKDEP_SUBCLASSES - 1;
	if (lusim_lockdep_on) {
		stats.nr_acquires++;
		idx = class_of(map, subclass);
		if (idx && !trylock)
			check_prevs(t, idx, (unsigned int)kind,
				    (unsigned int)read, site);
	}
	if (t->lockdep_depth >= MAX_LOCK_DEPTH) {
		t->lockdep_overflow++;
		lusim_lock_report("LOCK-DEPTH", site, NULL,
				  "held-lock stack overflow acquiring %s: more than %u locks held by task %s",
				  map->name ? map->name : "(unnamed)",
				  MAX_LOCK_DEPTH, t->comm);
		return;
	}
	h = &t->held_locks[t->lockdep_depth++];
	h->instance = map;
	h->name = map->name;
	h->acquire_site = site;
	h->class_idx = (unsigned short)idx;
	h->kind = (unsigned char)kind;
	h->read = read ? 1 : 0;
	h->subclass = (unsigned char)subclass;
	h->trylock = trylock ? 1 : 0;
}

struct held_lock *lusim_find_held(struct task_struct *t,
				  const struct lockdep_map *map, int read)
{
	for (unsigned int i = t->lockdep_depth; i-- > 0; ) {
		struct held_lock *h = &t->held_locks[i];

		if (h->instance == map && (read < 0 || h->read == read))
			return h;
	}
	return NULL;
}

struct held_lock *lusim_lock_find_held(const struct lockdep_map *map)
{
	return lusim_find_held(current, map, -1);
}

bool __lusim_lock_release(struct lockdep_map *map, int read, const char *site,
			  const char *what)
{
	struct task_struct *t = current;
	struct held_lock *h = lusim_find_held(t, map, read);
	unsigned int i;

	if (!h) {
		if (t->lockdep_overflow) {
			/* one of the untracked acquires past MAX_LOCK_DEPTH */
			t->lockdep_overflow--;
			return true;
		}
		lusim_lock_report("LOCK-UNLOCK-UNHELD", site, NULL,
				  "%s(%s): task %s does not hold this lock%s",
				  what, map->name ? map->name : "(unnamed)",
				  t->comm,
				  read == 1 ? " for read" :
				  read == 0 ? " for write" : "");
		return false;
	}
	i = (unsigned int)(h - t->held_locks);
	memmove(&t->held_locks[i], &t->held_locks[i + 1],
		(t->lockdep_depth - i - 1) * sizeof(*h));
	t->lockdep_depth--;
	return true;
}

bool lusim_lock_release(struct lockdep_map *map, int read, const char *site)
{
	return __lusim_lock_release(map, read, site, "lock_release");
}

int lock_is_held_type(const struct lockdep_map *map, int read)
{
	return lusim_find_held(current, map, read) != NULL;
}

/* --- checks ---------------------------------------------------------------- */

static const struct held_lock *innermost_spin(const struct task_struct *t)
{
	for (unsigned int i = t->lockdep_depth; i-- > 0; )
		if (t->held_locks[i].kind == LUSIM_LOCK_SPIN)
			return &t->held_locks[i];
	return NULL;
}

static void sleep_op(char *op, size_t len, const char *what, const char *name)
{
	if (name)
		snprintf(op, len, "%s(%s)", what, name);
	else
		snprintf(op, len, "%s", what);
}

void lusim_lockdep_check_sleep(const char *site, const char *what,
			       const char *name)
{
	struct task_struct *t = current;
	char op[160];

	if (!lusim_lockdep_on)
		return;
	if (unlikely(preempt_count() || irqs_disabled())) {
		const struct held_lock *s = innermost_spin(t);
		char why[200];

		sleep_op(op, sizeof(op), what, name);
		if (s)
			snprintf(why, sizeof(why), "spinlock %s held (taken at %s)",
				 held_name(s), s->acquire_site);
		else
			snprintf(why, sizeof(why), "%s",
				 irqs_disabled() ? "interrupts disabled" :
				 "preemption disabled");
		lusim_lock_report("LOCK-SLEEP-IN-ATOMIC", site, NULL,
				  "sleeping function called from invalid context: %s with %s "
				  "(preempt_count %d, irqs_disabled %d)",
				  op, why, preempt_count(), irqs_disabled() ? 1 : 0);
		return;
	}
	if (unlikely(t->rcu_read_lock_nesting > 0)) {
		sleep_op(op, sizeof(op), what, name);
		lusim_lock_report("LOCK-SLEEP-IN-RCU", site, NULL,
				  "sleeping function called inside an RCU read-side critical section: %s (rcu_read_lock nesting %d)",
				  op, t->rcu_read_lock_nesting);
	}
}

static const char *assert_name(int read)
{
	return read == 0 ? "lockdep_assert_held_write" :
	       read == 1 ? "lockdep_assert_held_read" : "lockdep_assert_held";
}

void lusim_lockdep_assert_held(const struct lockdep_map *map, int read,
			       const char *expr, const char *site)
{
	struct task_struct *t = current;
	const struct held_lock *h;

	if (!lusim_lockdep_on)
		return;
	if (lusim_find_held(t, map, read))
		return;
	h = lusim_find_held(t, map, -1);
	if (!h && t->lockdep_overflow)
		return;		/* may be one of the untracked ones */
	if (h)
		lusim_lock_report("LOCK-NOT-HELD", site, NULL,
				  "%s(%s) failed: lock held for %s (taken at %s)",
				  assert_name(read), expr,
				  h->read ? "read" : "write", h->acquire_site);
	else
		lusim_lock_report("LOCK-NOT-HELD", site, NULL,
				  "%s(%s) failed: task %s does not hold the lock",
				  assert_name(read), expr, t->comm);
}

void lusim_lockdep_assert_not_held(const struct lockdep_map *map,
				   const char *expr, const char *site)
{
	const struct held_lock *h;

	if (!lusim_lockdep_on)
		return;
	h = lusim_find_held(current, map, -1);
	if (h)
		lusim_lock_report("LOCK-HELD", site, NULL,
				  "lockdep_assert_not_held(%s) failed: lock held (taken at %s)",
				  expr, h->acquire_site);
}

void lusim_lockdep_assert_none_held(const char *where, const char *site)
{
	struct task_struct *t = current;

	if (!lusim_lockdep_on)
		return;
	if (t->lockdep_depth || t->lockdep_overflow) {
		const struct held_lock *h = &t->held_locks[0];

		/* site: where the oldest leaked lock was taken */
		lusim_lock_report("LOCK-HELD-AT-OP-END",
				  t->lockdep_depth ? h->acquire_site : site, NULL,
				  "%u lock(s) held at the end of %s, the first %s taken at %s",
				  t->lockdep_depth + t->lockdep_overflow,
				  where ? where : "the op",
				  t->lockdep_depth ? held_name(h) : "?",
				  t->lockdep_depth ? h->acquire_site : "?");
		return;
	}
	if (t->preempt_count || t->irq_disable_depth || t->softirq_disable_depth)
		lusim_lock_report("LOCK-HELD-AT-OP-END", site, NULL,
				  "atomic context left at the end of %s: preempt_count %d, irqs disabled %d, bh disabled %d",
				  where ? where : "the op", t->preempt_count,
				  t->irq_disable_depth, t->softirq_disable_depth);
}

void debug_check_no_locks_freed(const void *mem, unsigned long len)
{
	struct task_struct *t = current;
	const char *lo = mem, *hi = lo + len;

	for (unsigned int i = t->lockdep_depth; i-- > 0; ) {
		struct held_lock *h = &t->held_locks[i];
		const char *p = (const char *)h->instance;

		if (p < lo || p >= hi)
			continue;
		if (lusim_lockdep_on)
			lusim_lock_report("LOCK-HELD", h->acquire_site, NULL,
					  "held lock freed: %s (taken at %s) is inside freed memory",
					  held_name(h), h->acquire_site);
		/* drop it: the entry would dangle */
		memmove(h, h + 1, (t->lockdep_depth - i - 1) * sizeof(*h));
		t->lockdep_depth--;
	}
}

/* --- controls -------------------------------------------------------------- */

void lusim_lockdep_set_enabled(bool on)
{
	lusim_lockdep_on = on;
}

bool lusim_lockdep_enabled(void)
{
	return lusim_lockdep_on;
}

void lusim_lockdep_get_stats(struct lusim_lockdep_stats *st)
{
	*st = stats;
	st->nr_classes = nr_classes;
	st->nr_edges = nr_edges;
}

static bool default_contended(struct lockdep_map *map,
			      struct task_struct *owner, const char *site)
{
	char extra[LUSIM_FINDING_DETAIL_MAX / 2];
	struct lusim_sbuf sb = { .buf = extra, .len = sizeof(extra) };

	extra[0] = '\0';
	if (owner) {
		lusim_sbuf_printf(&sb, "held locks of task %s (the owner):\n",
				  owner->comm);
		lusim_sbuf_held(&sb, owner, "  ");
	}
	lusim_lock_report("LOCK-DEADLOCK", site, extra,
			  "task %s blocks on %s held by %s: no other actor runs to release it",
			  current->comm, map->name ? map->name : "(unnamed)",
			  owner ? owner->comm : "readers");
	return false;
}

static lusim_lock_contended_fn contended_fn = default_contended;

bool lusim_lock_contended(struct lockdep_map *map, struct task_struct *owner,
			  const char *site)
{
	return contended_fn(map, owner, site);
}

void lusim_set_lock_contended_handler(lusim_lock_contended_fn fn)
{
	contended_fn = fn ? fn : default_contended;
}

/* --- reset ------------------------------------------------------------------ */

static void lockdep_reset(void)
{
	unsigned int n = min(nr_edges, LUSIM_MAX_EDGES);

	/* O(edges): clear exactly the bits that were set */
	if (nr_edges > LUSIM_MAX_EDGES)
		memset(adj, 0, (nr_classes + 1) * sizeof(adj[0]));
	else
		for (unsigned int i = 0; i < n; i++)
			adj[edges[i].from][edges[i].to / 64] &=
				~BIT_ULL(edges[i].to % 64);
	nr_edges = 0;
	nr_snap = 0;
	nr_classes = 0;
	classes_full_warned = false;
	memset(&stats, 0, sizeof(stats));
	/* class ids cached in keys refer to the table just cleared */
	lusim_lock_new_generation();
}

void lusim_lock_new_generation(void)
{
	/* invalidates every cached class id and every lock's owner fields */
	lusim_lock_generation++;
	if (!lusim_lock_generation)
		lusim_lock_generation = 1;
}
LUSIM_RESET_FN(lockdep_reset, LUSIM_RESET_PRIO_CHECK)
