// SPDX-License-Identifier: GPL-2.0-only
/*
 * lusim's slab: every kmalloc/kvmalloc/kmem_cache object is its own host
 * allocation, with
 *
 *   [ left redzone | payload | right redzone ]      (in the host block)
 *
 * and all bookkeeping out of band, in a record that the buggy code under
 * test can never scribble on: size, allocation site, free site, cache,
 * allocation sequence number, list links. Records live in a hash map keyed
 * by the payload address, so kfree() of any pointer is classified (live,
 * already freed, never ours) without dereferencing it.
 *
 * Live objects are on a list in allocation order (the leak report walks it
 * from the newest end back to a mark). Freed objects are poisoned (0x6b,
 * last byte 0xa5, as SLUB's POISON_FREE/POISON_END) and wait in a bounded
 * FIFO quarantine before the host memory is released: a second kfree()
 * while quarantined is identified as a double free with both sites, and a
 * write into freed memory is found when the poison is checked on release.
 * In ASan builds the redzones of live objects and all of a quarantined
 * object are also poisoned for ASan, so it stops at the faulting access.
 *
 * Fresh kmalloc memory is filled with 0x5a (SLUB's POISON_INUSE), never
 * left as host garbage: reads of uninitialised fields are deterministic.
 *
 * In ASan builds, host blocks up to POOL_MAX_BLOCK bytes come from a pool
 * of their own (size, alignment) class rather than from malloc(): ASan's
 * malloc()/free() record a stack trace each and go through ASan's own
 * quarantine, on top of ours. A block our quarantine evicts stays poisoned
 * for ASan and waits in a second FIFO (POOL_DELAY_BLOCKS /
 * POOL_DELAY_BYTES) before it is handed out again, so a stale access long
 * after the kfree() still stops ASan. Without ASan, malloc() is cheaper
 * (its free lists hand back blocks still in the cache).
 *
 * Every operation is O(1) (amortised over hash-table growth), plus the
 * memset/memcpy of the object itself.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <lusim/fault.h>
#include <lusim/findings.h>
#include <lusim/journal.h>
#include <lusim/reset.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define LUSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUSIM_ASAN 1
#endif
#endif

#ifdef LUSIM_ASAN
#include <sanitizer/asan_interface.h>
#define asan_poison(p, n)	__asan_poison_memory_region(p, n)
#define asan_unpoison(p, n)	__asan_unpoison_memory_region(p, n)
#define SLAB_POOL		1
#else
#define SLAB_POOL		0
#define asan_poison(p, n)	do { (void)(p); (void)(n); } while (0)
#define asan_unpoison(p, n)	do { (void)(p); (void)(n); } while (0)
#endif

#define REDZONE			16
#define POISON_INUSE		0x5a
#define SLUB_RED_INACTIVE	0xbb
#define LUSIM_PAGE_SIZE		4096UL

/* the quarantine holds at most this many objects / bytes */
#define QUARANTINE_MAX_OBJS	1024UL
#define QUARANTINE_MAX_BYTES	(8UL << 20)

enum obj_state {
	OBJ_UNUSED,
	OBJ_LIVE,
	OBJ_FREED,		/* in the quarantine */
};

#define OBJ_F_KV	0x1	/* kvmalloc'd */
#define OBJ_F_VMALLOC	0x2	/* kvmalloc'd above a page: "vmalloc memory" */
#define OBJ_F_NOPOISON	0x4	/* SLAB_TYPESAFE_BY_RCU or ctor cache */
#define OBJ_F_INTERNAL	0x8	/* shim bookkeeping (xarray nodes): not journaled */
#define OBJ_F_POOLED	0x10	/* host block from the pool, not malloc() */

struct slab_obj {
	void *payload;			/* hash key */
	size_t size;
	const char *site;		/* allocation site */
	const char *free_site;
	struct kmem_cache *cache;
	unsigned long seq;		/* allocation sequence number, from 1 */
	struct slab_obj *prev, *next;	/* live list / quarantine / free list */
	unsigned int lead;		/* bytes before payload in the block */
	unsigned char state;
	unsigned char flags;
};

struct kmem_cache {
	char name[64];
	unsigned int size;
	unsigned int align;
	slab_flags_t flags;
	void (*ctor)(void *);
	unsigned long live;
	bool destroyed;
	struct kmem_cache *next_cache;
};

struct obj_list {
	struct slab_obj *head, *tail;	/* head = oldest */
	unsigned long count;
};

static struct obj_list live_list, quarantine;
static unsigned long quarantine_bytes;
static unsigned long live_bytes;
static unsigned long next_seq;		/* last sequence number handed out */

static struct {
	unsigned long allocs, frees, failed;
	unsigned long peak_objects, peak_bytes;
	unsigned long lookups, probes;
} st;
static unsigned long rehashes;		/* since boot, not reset */

static struct kmem_cache *caches;	/* every cache ever created */

/*
 * The shim's own fills and checks of a block it has just unpoisoned for
 * ASan: an instrumented memset()/memcmp() would first walk ASan's shadow
 * of the range (twice for memcmp), which cannot fire there, at every
 * kmalloc, kfree and quarantine eviction.
 */
#if defined(LUSIM_ASAN) && defined(__x86_64__)
static void shim_fill(void *p, int c, size_t n)
{
	__asm__ volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
}

/* Whether the n bytes at p all equal c: a word at a time. */
__attribute__((no_sanitize("address")))
static bool bytes_all(const unsigned char *p, size_t n, unsigned char c)
{
	uint64_t w = 0x0101010101010101ULL * c, diff = 0, x;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, p + i, 8);
		diff |= x ^ w;
	}
	for (; i < n; i++)
		diff |= p[i] ^ c;
	return !diff;
}
#else
#define shim_fill(p, c, n)	memset(p, c, n)

/*
 * Whether the n bytes at p all equal c: p[0] == c and every byte equals
 * the next (one memcmp, which libc vectorizes; a byte loop over every
 * freed object at reset was a twentieth of fuzz_ops' time).
 */
static bool bytes_all(const unsigned char *p, size_t n, unsigned char c)
{
	return !n || (p[0] == c && !memcmp(p, p + 1, n - 1));
}
#endif

/* --- records: a pool of fixed chunks with a free list ------------------- */

#define RECS_PER_CHUNK	1024

static struct slab_obj **rec_chunks;
static unsigned int nr_rec_chunks;
static struct slab_obj *rec_free;

static void host_oom(const char *what)
{
	fprintf(stderr, "lusim: host out of memory (%s)\n", what);
	abort();
}

static struct slab_obj *rec_alloc(void)
{
	struct slab_obj *r;

	if (!rec_free) {
		struct slab_obj **chunks;
		struct slab_obj *chunk;

		chunks = realloc(rec_chunks,
				 (nr_rec_chunks + 1) * sizeof(*rec_chunks));
		if (!chunks)
			host_oom("slab records");
		rec_chunks = chunks;
		chunk = calloc(RECS_PER_CHUNK, sizeof(*chunk));
		if (!chunk)
			host_oom("slab records");
		rec_chunks[nr_rec_chunks++] = chunk;
		for (int i = RECS_PER_CHUNK - 1; i >= 0; i--) {
			chunk[i].next = rec_free;
			rec_free = &chunk[i];
		}
	}
	r = rec_free;
	rec_free = r->next;
	memset(r, 0, sizeof(*r));
	return r;
}

static void rec_release(struct slab_obj *r)
{
	r->state = OBJ_UNUSED;
	r->payload = NULL;
	r->next = rec_free;
	rec_free = r;
}

/* --- host blocks: a pool per (size, alignment) class --------------------- */

#define POOL_GRAIN		16UL
#define POOL_MAX_BLOCK		(2 * LUSIM_PAGE_SIZE + 4 * POOL_GRAIN)
#define POOL_NR_SIZES		(POOL_MAX_BLOCK / POOL_GRAIN + 1)
#define POOL_NR_ALIGNS		9	/* lead 16 .. 4096 */
#define POOL_ARENA_BYTES	(1UL << 20)
/* an evicted block is reused only after this many more evictions/bytes */
#define POOL_DELAY_BLOCKS	8192UL
#define POOL_DELAY_BYTES	(16UL << 20)

struct pool_class {
	void **blocks;			/* reusable blocks (LIFO) */
	unsigned int nr, cap;
};

static bool pool_on = SLAB_POOL;
static struct pool_class pool[POOL_NR_ALIGNS][POOL_NR_SIZES];
static unsigned char **pool_arenas;	/* host chunks, never released */
static unsigned long nr_pool_arenas;
static unsigned char *arena_next, *arena_end;

/* evicted blocks waiting before reuse: a ring in eviction order */
static struct pool_delayed {
	void *block;
	unsigned short align_idx, size_idx;
} pool_delay[POOL_DELAY_BLOCKS];
static unsigned long pool_delay_head, pool_delay_count, pool_delay_bytes;

/* The class of a block of @len bytes whose payload lies @lead bytes in. */
static bool pool_class_of(size_t lead, size_t len, unsigned int *align_idx,
			  unsigned int *size_idx)
{
	unsigned int a = 0;

	if (len > POOL_MAX_BLOCK || (lead & (lead - 1)) || lead < POOL_GRAIN)
		return false;
	while ((POOL_GRAIN << a) < lead)
		a++;
	if (a >= POOL_NR_ALIGNS)
		return false;
	*align_idx = a;
	*size_idx = (unsigned int)((len + POOL_GRAIN - 1) / POOL_GRAIN);
	return true;
}

static void *pool_carve(size_t align, size_t bytes)
{
	unsigned char *p;

	p = (unsigned char *)(((uintptr_t)arena_next + align - 1) & ~(uintptr_t)(align - 1));
	if (!arena_next || p + bytes > arena_end) {
		unsigned char **arenas;
		unsigned char *a = malloc(POOL_ARENA_BYTES);

		arenas = realloc(pool_arenas, (nr_pool_arenas + 1) * sizeof(*arenas));
		if (!a || !arenas)
			host_oom("slab pool");
		pool_arenas = arenas;
		pool_arenas[nr_pool_arenas++] = a;
		/* not handed out yet: nobody may touch it */
		asan_poison(a, POOL_ARENA_BYTES);
		arena_next = a;
		arena_end = a + POOL_ARENA_BYTES;
		p = (unsigned char *)(((uintptr_t)arena_next + align - 1) & ~(uintptr_t)(align - 1));
	}
	arena_next = p + bytes;
	return p;
}

/* A host block of @len bytes whose payload, @lead bytes in, is aligned. */
static void *block_alloc(size_t lead, size_t len, size_t align, bool *pooled)
{
	unsigned int a, sz;
	void *b = NULL;

	if (pool_on && pool_class_of(lead, len, &a, &sz)) {
		struct pool_class *c = &pool[a][sz];

		*pooled = true;
		if (c->nr)
			b = c->blocks[--c->nr];
		else
			b = pool_carve(POOL_GRAIN << a, (size_t)sz * POOL_GRAIN);
		asan_unpoison(b, len);
		return b;
	}
	*pooled = false;
	if (align <= 16)
		b = malloc(len);
	else if (posix_memalign(&b, align, len))
		b = NULL;
	return b;
}

static void pool_put(struct pool_delayed d)
{
	struct pool_class *c = &pool[d.align_idx][d.size_idx];

	if (c->nr == c->cap) {
		unsigned int cap = c->cap ? c->cap * 2 : 16;
		void **v = realloc(c->blocks, cap * sizeof(*v));

		if (!v)
			host_oom("slab pool");
		c->blocks = v;
		c->cap = cap;
	}
	c->blocks[c->nr++] = d.block;
}

/* Release a host block (poisoned for ASan while it waits in the pool). */
static void block_release(void *block, size_t lead, size_t len, bool pooled)
{
	struct pool_delayed d;
	unsigned int a, sz;

	if (!pooled) {
		free(block);
		return;
	}
	if (!pool_class_of(lead, len, &a, &sz))
		return;		/* not reached: it came from the pool */
	asan_poison(block, (size_t)sz * POOL_GRAIN);
	if (pool_delay_count == POOL_DELAY_BLOCKS ||
	    pool_delay_bytes > POOL_DELAY_BYTES) {
		struct pool_delayed *old = &pool_delay[pool_delay_head];

		pool_delay_bytes -= (unsigned long)old->size_idx * POOL_GRAIN;
		pool_put(*old);
		pool_delay_head = (pool_delay_head + 1) % POOL_DELAY_BLOCKS;
		pool_delay_count--;
	}
	d.block = block;
	d.align_idx = (unsigned short)a;
	d.size_idx = (unsigned short)sz;
	pool_delay[(pool_delay_head + pool_delay_count) % POOL_DELAY_BLOCKS] = d;
	pool_delay_count++;
	pool_delay_bytes += (unsigned long)sz * POOL_GRAIN;
}

bool lusim_slab_set_pool(bool on)
{
	bool was = pool_on;

	pool_on = on;
	return was;
}

/* --- the hash map payload -> record (linear probing) --------------------- */

/*
 * Each slot keeps the payload address beside the record, so a probe
 * compares keys in the table itself instead of following every record
 * pointer (a cache miss per probe: the lookup at each kfree and the insert
 * at each kmalloc were a tenth of an empty fuzz input).
 */
struct slab_slot {
	const void *key;		/* r->payload; NULL: empty */
	struct slab_obj *r;
};

static struct slab_slot *table;
static unsigned long table_size;	/* power of two */
static unsigned long table_count;

/* splitmix64's finaliser: every address bit reaches the low bits we mask */
static unsigned long hash_ptr(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (unsigned long)x;
}

static void table_insert_raw(struct slab_slot *t, unsigned long size,
			     struct slab_obj *r)
{
	unsigned long mask = size - 1, i = hash_ptr(r->payload) & mask;

	while (t[i].key)
		i = (i + 1) & mask;
	t[i].key = r->payload;
	t[i].r = r;
}

static void table_grow(void)
{
	unsigned long new_size = table_size ? table_size * 2 : 1024;
	struct slab_slot *t = calloc(new_size, sizeof(*t));

	if (!t)
		host_oom("slab hash table");
	for (unsigned long i = 0; i < table_size; i++)
		if (table[i].key)
			table_insert_raw(t, new_size, table[i].r);
	free(table);
	table = t;
	table_size = new_size;
	if (new_size > 1024)
		rehashes++;
}

static void table_insert(struct slab_obj *r)
{
	if ((table_count + 1) * 2 > table_size)
		table_grow();
	table_insert_raw(table, table_size, r);
	table_count++;
}

/* Slot index of @p, or -1. Never dereferences @p. */
static long table_find(const void *p)
{
	unsigned long mask, i;

	st.lookups++;
	if (!table_size || !p)
		return -1;
	mask = table_size - 1;
	i = hash_ptr(p) & mask;
	for (;;) {
		st.probes++;
		if (!table[i].key)
			return -1;
		if (table[i].key == p)
			return (long)i;
		i = (i + 1) & mask;
	}
}

static struct slab_obj *lookup(const void *p)
{
	long i = table_find(p);

	return i < 0 ? NULL : table[i].r;
}

static void table_remove(const void *p)
{
	unsigned long mask = table_size - 1, i, j;
	long found = table_find(p);

	if (found < 0)
		return;
	i = (unsigned long)found;
	/* backward-shift deletion keeps every probe chain unbroken */
	j = i;
	for (;;) {
		unsigned long home;

		j = (j + 1) & mask;
		if (!table[j].key)
			break;
		home = hash_ptr(table[j].key) & mask;
		/* may table[j] move to i? yes unless home lies in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			table[i] = table[j];
			i = j;
		}
	}
	table[i].key = NULL;
	table[i].r = NULL;
	table_count--;
}

/* --- lists --------------------------------------------------------------- */

static void list_append(struct obj_list *l, struct slab_obj *r)
{
	r->next = NULL;
	r->prev = l->tail;
	if (l->tail)
		l->tail->next = r;
	else
		l->head = r;
	l->tail = r;
	l->count++;
}

static void list_remove(struct obj_list *l, struct slab_obj *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		l->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		l->tail = r->prev;
	r->prev = r->next = NULL;
	l->count--;
}

/* --- object memory ------------------------------------------------------- */

static unsigned char *block_of(const struct slab_obj *r)
{
	return (unsigned char *)r->payload - r->lead;
}

static size_t block_len(const struct slab_obj *r)
{
	return r->lead + r->size + REDZONE;
}

/* kmalloc: power-of-two sizes up to a page are naturally aligned */
static size_t align_for(size_t size, const struct kmem_cache *s)
{
	size_t a = ARCH_KMALLOC_MINALIGN;

	if (s) {
		if (s->align > a)
			a = s->align;
		return a;
	}
	if (size > a && size <= LUSIM_PAGE_SIZE && !(size & (size - 1)))
		a = size;
	return a;
}

static const char *cache_name(const struct kmem_cache *s)
{
	return s ? s->name : "kmalloc";
}

static void *obj_alloc(size_t size, gfp_t flags, struct kmem_cache *s,
		       unsigned int oflags, size_t limit, const char *site,
		       const char *func)
{
	struct slab_obj *r;
	unsigned char *block, *payload;
	size_t align, lead;
	bool pooled;

	lusim_might_alloc(flags, site);
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > limit) {
		if (!(flags & __GFP_NOWARN))
			lusim_report("SLAB-TOO-LARGE", site, NULL,
				     "%s of %zu bytes (limit %zu) without __GFP_NOWARN",
				     (oflags & OBJ_F_KV) ? "kvmalloc" : "kmalloc",
				     size, limit);
		st.failed++;
		return NULL;
	}
	if (!(flags & __GFP_NOFAIL) &&
	    lusim_should_fail_at(LUSIM_FAULT_SLAB, site, func)) {
		st.failed++;
		return NULL;
	}

	align = align_for(size, s);
	lead = align > REDZONE ? align : REDZONE;
	block = block_alloc(lead, lead + size + REDZONE, align, &pooled);
	if (!block)
		host_oom("object");
	payload = block + lead;

	shim_fill(block, SLUB_RED_ACTIVE, lead);
	shim_fill(payload + size, SLUB_RED_ACTIVE, REDZONE);
	shim_fill(payload, (flags & __GFP_ZERO) ? 0 : POISON_INUSE, size);
	if (s && s->ctor)
		s->ctor(payload);

	r = rec_alloc();
	r->payload = payload;
	r->size = size;
	r->site = site;
	r->cache = s;
	r->seq = ++next_seq;
	r->lead = (unsigned int)lead;
	r->state = OBJ_LIVE;
	r->flags = (unsigned char)oflags;
	if (pooled)
		r->flags |= OBJ_F_POOLED;
	if (s && ((s->flags & SLAB_TYPESAFE_BY_RCU) || s->ctor))
		r->flags |= OBJ_F_NOPOISON;
	if (lusim_journal_internal)
		r->flags |= OBJ_F_INTERNAL;
	table_insert(r);
	list_append(&live_list, r);
	if (s)
		s->live++;

	st.allocs++;
	live_bytes += size;
	if (live_list.count > st.peak_objects)
		st.peak_objects = live_list.count;
	if (live_bytes > st.peak_bytes)
		st.peak_bytes = live_bytes;

	asan_poison(block, lead);
	asan_poison(payload + size, REDZONE);
	if (!(r->flags & OBJ_F_INTERNAL))
		lusim_journal_slab_alloc(payload, size, site);
	return payload;
}


static bool redzones_intact(const struct slab_obj *r)
{
	const unsigned char *block = block_of(r);
	const unsigned char *right = (const unsigned char *)r->payload + r->size;

	return bytes_all(block, r->lead, SLUB_RED_ACTIVE) &&
	       bytes_all(right, REDZONE, SLUB_RED_ACTIVE);
}

static bool poison_intact(const struct slab_obj *r)
{
	const unsigned char *p = r->payload;

	if (r->flags & OBJ_F_NOPOISON)
		return true;
	return bytes_all(p, r->size - 1, POISON_FREE) &&
	       p[r->size - 1] == POISON_END;
}

static void obj_detail(char *buf, size_t len, const struct slab_obj *r)
{
	snprintf(buf, len, "  object: %zu bytes from %s\n  allocated at %s\n%s%s%s",
		 r->size, cache_name(r->cache), r->site,
		 r->free_site ? "  freed at " : "",
		 r->free_site ? r->free_site : "",
		 r->free_site ? "\n" : "");
}

/* Release the host memory of a quarantined object. */
static void quarantine_evict(struct slab_obj *r)
{
	unsigned char *block = block_of(r);

	list_remove(&quarantine, r);
	quarantine_bytes -= r->size;
	asan_unpoison(block, block_len(r));
	if (!poison_intact(r)) {
		char detail[512];

		obj_detail(detail, sizeof(detail), r);
		lusim_report("SLAB-USE-AFTER-FREE", r->free_site, detail,
			     "freed object written after kfree (poison overwritten)");
	}
	table_remove(r->payload);
	block_release(block, r->lead, block_len(r), r->flags & OBJ_F_POOLED);
	rec_release(r);
}

static void obj_free(struct slab_obj *r, const char *site)
{
	unsigned char *block = block_of(r);

	asan_unpoison(block, block_len(r));
	if (!redzones_intact(r)) {
		char detail[512];

		obj_detail(detail, sizeof(detail), r);
		lusim_report("SLAB-REDZONE", site, detail,
			     "redzone of a %zu-byte object overwritten (out-of-bounds write)",
			     r->size);
	}
	debug_check_no_locks_freed(r->payload, r->size);
	if (!(r->flags & OBJ_F_INTERNAL))
		lusim_journal_slab_free(r->payload, r->size, r->seq, r->site,
					site);

	list_remove(&live_list, r);
	live_bytes -= r->size;
	if (r->cache)
		r->cache->live--;
	st.frees++;

	r->state = OBJ_FREED;
	r->free_site = site;
	if (!(r->flags & OBJ_F_NOPOISON)) {
		shim_fill(r->payload, POISON_FREE, r->size);
		((unsigned char *)r->payload)[r->size - 1] = POISON_END;
		asan_poison(block, block_len(r));
	}
	list_append(&quarantine, r);
	quarantine_bytes += r->size;
	while (quarantine.count > QUARANTINE_MAX_OBJS ||
	       (quarantine_bytes > QUARANTINE_MAX_BYTES && quarantine.count > 1))
		quarantine_evict(quarantine.head);
}

/*
 * Classify @objp for a free by @what. Returns the live record, or NULL
 * (nothing to free, or reported).
 */
static struct slab_obj *free_lookup(const void *objp, const char *what,
				    const char *site)
{
	struct slab_obj *r;

	if (ZERO_OR_NULL_PTR(objp))
		return NULL;
	if (IS_ERR(objp)) {
		lusim_report("SLAB-INVALID-FREE", site, NULL,
			     "%s() of an error pointer (%ld)", what, PTR_ERR(objp));
		return NULL;
	}
	r = lookup(objp);
	if (!r) {
		lusim_report("SLAB-INVALID-FREE", site, NULL,
			     "%s() of a pointer slab never handed out (or freed long ago)",
			     what);
		return NULL;
	}
	if (r->state == OBJ_FREED) {
		char detail[512];

		obj_detail(detail, sizeof(detail), r);
		lusim_report("SLAB-DOUBLE-FREE", site, detail,
			     "%s() of an object already freed", what);
		return NULL;
	}
	return r;
}

/* --- the kmalloc family -------------------------------------------------- */

void *__lusim_kmalloc(size_t size, gfp_t flags, const char *site,
		      const char *func)
{
	return obj_alloc(size, flags, NULL, 0, KMALLOC_MAX_SIZE, site, func);
}

void *__lusim_kmalloc_array(size_t n, size_t size, gfp_t flags,
			    const char *site, const char *func)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes)) {
		lusim_might_alloc(flags, site);
		return NULL;
	}
	return __lusim_kmalloc(bytes, flags, site, func);
}

static unsigned int kv_flags(size_t size)
{
	return OBJ_F_KV | (size > LUSIM_PAGE_SIZE ? OBJ_F_VMALLOC : 0);
}

void *__lusim_kvmalloc(size_t size, gfp_t flags, const char *site,
		       const char *func)
{
	return obj_alloc(size, flags, NULL, kv_flags(size), KVMALLOC_MAX_SIZE,
			 site, func);
}

void *__lusim_kvmalloc_array(size_t n, size_t size, gfp_t flags,
			     const char *site, const char *func)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes)) {
		lusim_might_alloc(flags, site);
		return NULL;
	}
	return __lusim_kvmalloc(bytes, flags, site, func);
}

static void *do_realloc(const void *p, size_t new_size, gfp_t flags, bool kv,
			const char *what, const char *site, const char *func)
{
	struct slab_obj *old;
	void *n;

	if (ZERO_OR_NULL_PTR(p)) {
		return kv ? __lusim_kvmalloc(new_size, flags, site, func) :
			    __lusim_kmalloc(new_size, flags, site, func);
	}
	old = free_lookup(p, what, site);
	if (!old) {
		lusim_might_alloc(flags, site);
		return NULL;
	}
	if (!new_size) {
		obj_free(old, site);
		return ZERO_SIZE_PTR;
	}
	n = kv ? __lusim_kvmalloc(new_size, flags, site, func) :
		 __lusim_kmalloc(new_size, flags, site, func);
	if (!n)
		return NULL;	/* the old object stays untouched */
	memcpy(n, p, old->size < new_size ? old->size : new_size);
	if ((flags & __GFP_ZERO) && new_size > old->size)
		memset((char *)n + old->size, 0, new_size - old->size);
	obj_free(old, site);
	return n;
}

void *__lusim_krealloc(const void *p, size_t new_size, gfp_t flags,
		       const char *site, const char *func)
{
	return do_realloc(p, new_size, flags, false, "krealloc", site, func);
}

void *__lusim_kvrealloc(const void *p, size_t new_size, gfp_t flags,
			const char *site, const char *func)
{
	return do_realloc(p, new_size, flags, true, "kvrealloc", site, func);
}

void __lusim_kfree(const void *objp, const char *site)
{
	struct slab_obj *r = free_lookup(objp, "kfree", site);

	if (!r)
		return;
	if (r->flags & OBJ_F_VMALLOC) {
		char detail[512];

		obj_detail(detail, sizeof(detail), r);
		lusim_report("SLAB-MISMATCHED-FREE", site, detail,
			     "kfree() of kvmalloc() memory above a page (may be vmalloc memory: use kvfree)");
	}
	obj_free(r, site);
}

void __lusim_kvfree(const void *objp, const char *site)
{
	struct slab_obj *r = free_lookup(objp, "kvfree", site);

	if (r)
		obj_free(r, site);
}

void __lusim_kfree_sensitive(const void *objp, const char *site)
{
	struct slab_obj *r = free_lookup(objp, "kfree_sensitive", site);

	if (!r)
		return;
	memset(r->payload, 0, r->size);
	obj_free(r, site);
}

void (kfree)(const void *objp)
{
	__lusim_kfree(objp, "kfree");
}

void (kvfree)(const void *objp)
{
	__lusim_kvfree(objp, "kvfree");
}

void (kfree_sensitive)(const void *objp)
{
	__lusim_kfree_sensitive(objp, "kfree_sensitive");
}

size_t ksize(const void *objp)
{
	struct slab_obj *r;

	if (ZERO_OR_NULL_PTR(objp))
		return 0;
	r = lookup(objp);
	return r && r->state == OBJ_LIVE ? r->size : 0;
}

bool lusim_slab_is_live(const void *p)
{
	struct slab_obj *r = lookup(p);

	return r && r->state == OBJ_LIVE;
}

static struct slab_obj *first_since(unsigned long mark);

static void obj_info(const struct slab_obj *r, struct lusim_slab_obj_info *info)
{
	info->size = r->size;
	info->site = r->site;
	info->free_site = r->state == OBJ_FREED ? r->free_site : NULL;
	info->cache = cache_name(r->cache);
	info->seq = r->seq;
	info->live = r->state == OBJ_LIVE;
}

bool lusim_slab_obj_info(const void *p, struct lusim_slab_obj_info *info)
{
	struct slab_obj *r;

	if (ZERO_OR_NULL_PTR(p))
		return false;
	r = lookup(p);
	if (!r)
		return false;
	obj_info(r, info);
	return true;
}

unsigned long lusim_slab_for_each_live_since(unsigned long mark,
		void (*fn)(const void *obj, const struct lusim_slab_obj_info *info,
			   void *arg),
		void *arg)
{
	struct lusim_slab_obj_info info;
	unsigned long n = 0;

	for (struct slab_obj *r = first_since(mark); r; r = r->next) {
		if (r->flags & OBJ_F_INTERNAL)
			continue;
		obj_info(r, &info);
		fn(r->payload, &info, arg);
		n++;
	}
	return n;
}

/* --- string helpers ------------------------------------------------------ */

char *__lusim_kstrdup(const char *s, gfp_t gfp, const char *site,
		      const char *func)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	p = __lusim_kmalloc(len, gfp, site, func);
	if (p)
		memcpy(p, s, len);
	return p;
}

char *__lusim_kstrndup(const char *s, size_t max, gfp_t gfp, const char *site,
		       const char *func)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strnlen(s, max);
	p = __lusim_kmalloc(len + 1, gfp, site, func);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void *__lusim_kmemdup(const void *src, size_t len, gfp_t gfp, const char *site,
		      const char *func)
{
	void *p = __lusim_kmalloc(len, gfp, site, func);

	if (!ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}

char *__lusim_kmemdup_nul(const char *s, size_t len, gfp_t gfp,
			  const char *site, const char *func)
{
	char *p;

	if (!s)
		return NULL;
	p = __lusim_kmalloc(len + 1, gfp, site, func);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *__lusim_kvasprintf(gfp_t gfp, const char *site, const char *func,
			 const char *fmt, va_list ap)
{
	va_list aq;
	int len;
	char *p;

	va_copy(aq, ap);
	len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (len < 0)
		return NULL;
	p = __lusim_kmalloc((size_t)len + 1, gfp, site, func);
	if (p)
		vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

char *__lusim_kasprintf(gfp_t gfp, const char *site, const char *func,
			const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = __lusim_kvasprintf(gfp, site, func, fmt, ap);
	va_end(ap);
	return p;
}

void __lusim_kfree_const(const void *x, const char *site)
{
	__lusim_kfree(x, site);
}

ssize_t lusim_strscpy(char *dst, const char *src, size_t count)
{
	size_t len;

	if (!count)
		return -E2BIG;
	len = strnlen(src, count);
	if (len == count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, len + 1);
	return (ssize_t)len;
}

ssize_t lusim_strscpy_pad(char *dst, const char *src, size_t count)
{
	ssize_t written = lusim_strscpy(dst, src, count);

	if (written >= 0 && (size_t)written + 1 < count)
		memset(dst + written + 1, 0, count - (size_t)written - 1);
	return written;
}

/* --- kmem_cache ---------------------------------------------------------- */

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s;

	might_sleep();
	if (!size)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		host_oom("kmem_cache");
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "?");
	s->size = size;
	if (flags & SLAB_HWCACHE_ALIGN && align < 64)
		align = 64;
	if (align & (align - 1))
		align = ARCH_KMALLOC_MINALIGN;	/* not a power of two */
	s->align = align;
	s->flags = flags;
	s->ctor = ctor;
	s->next_cache = caches;
	caches = s;
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	char detail[LUSIM_FINDING_DETAIL_MAX];
	size_t used = 0;

	if (!s)
		return;
	might_sleep();
	if (!s->live) {
		s->destroyed = true;
		return;
	}
	/* the kernel keeps a cache with objects alive; so do we */
	for (struct slab_obj *r = live_list.head; r; r = r->next) {
		int n;

		if (r->cache != s)
			continue;
		n = snprintf(detail + used, sizeof(detail) - used,
			     "  %zu bytes allocated at %s\n", r->size, r->site);
		if (n < 0 || (size_t)n >= sizeof(detail) - used)
			break;
		used += (size_t)n;
	}
	detail[used] = '\0';
	lusim_report("SLAB-CACHE-BUSY", s->name, detail,
		     "kmem_cache_destroy %s: slab cache still has %lu objects",
		     s->name, s->live);
	s->destroyed = true;
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s->size;
}

unsigned long lusim_kmem_cache_live(const struct kmem_cache *s)
{
	return s->live;
}

void *__lusim_kmem_cache_alloc(struct kmem_cache *s, gfp_t flags,
			       const char *site, const char *func)
{
	return obj_alloc(s->size, flags, s, 0, KMALLOC_MAX_SIZE, site, func);
}

void __lusim_kmem_cache_free(struct kmem_cache *s, void *objp,
			     const char *site)
{
	struct slab_obj *r = free_lookup(objp, "kmem_cache_free", site);

	if (!r)
		return;
	if (r->cache != s) {
		char detail[512];

		obj_detail(detail, sizeof(detail), r);
		lusim_report("SLAB-WRONG-CACHE", site, detail,
			     "kmem_cache_free(%s) of an object from %s",
			     cache_name(s), cache_name(r->cache));
	}
	obj_free(r, site);
}

/* --- accounting and leaks ------------------------------------------------ */

unsigned long lusim_slab_live_objects(void)
{
	return live_list.count;
}

unsigned long lusim_slab_live_bytes(void)
{
	return live_bytes;
}

void lusim_slab_stats(struct lusim_slab_stats *out)
{
	out->allocs = st.allocs;
	out->frees = st.frees;
	out->failed = st.failed;
	out->live_objects = live_list.count;
	out->live_bytes = live_bytes;
	out->peak_objects = st.peak_objects;
	out->peak_bytes = st.peak_bytes;
	out->quarantined = quarantine.count;
	out->lookups = st.lookups;
	out->probes = st.probes;
	out->rehashes = rehashes;
	out->table_size = table_size;
}

unsigned long lusim_slab_mark(void)
{
	return next_seq;
}

/* oldest live object allocated after @mark */
static struct slab_obj *first_since(unsigned long mark)
{
	struct slab_obj *r = live_list.tail, *first = NULL;

	while (r && r->seq > mark) {
		first = r;
		r = r->prev;
	}
	return first;
}

#define LEAK_SITES_MAX	32

unsigned long lusim_slab_check_leaks_since(unsigned long mark)
{
	struct {
		const char *site;
		const struct kmem_cache *cache;
		unsigned long objs, bytes;
	} sites[LEAK_SITES_MAX];
	unsigned int nr_sites = 0, more_sites = 0;
	unsigned long objs = 0, bytes = 0;
	char detail[LUSIM_FINDING_DETAIL_MAX];
	struct slab_obj *first = first_since(mark);
	size_t used = 0;

	if (!first)
		return 0;
	for (struct slab_obj *r = first; r; r = r->next) {
		unsigned int i;

		objs++;
		bytes += r->size;
		for (i = 0; i < nr_sites; i++)
			if (sites[i].cache == r->cache &&
			    !strcmp(sites[i].site, r->site))
				break;
		if (i == nr_sites) {
			if (nr_sites == LEAK_SITES_MAX) {
				more_sites++;
				continue;
			}
			sites[i].site = r->site;
			sites[i].cache = r->cache;
			sites[i].objs = sites[i].bytes = 0;
			nr_sites++;
		}
		sites[i].objs++;
		sites[i].bytes += r->size;
	}

	detail[0] = '\0';
	for (unsigned int i = 0; i < nr_sites && used < sizeof(detail); i++) {
		int n = snprintf(detail + used, sizeof(detail) - used,
				 "  %lu object%s, %lu bytes (%s) allocated at %s\n",
				 sites[i].objs, sites[i].objs == 1 ? "" : "s",
				 sites[i].bytes, cache_name(sites[i].cache),
				 sites[i].site);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (more_sites && used < sizeof(detail))
		used += (size_t)snprintf(detail + used, sizeof(detail) - used,
					 "  ... and objects from %u more sites\n",
					 more_sites);
	if (lusim_rcu_pending() && used < sizeof(detail))
		snprintf(detail + used, sizeof(detail) - used,
			 "  (%lu RCU callbacks still pending: rcu_barrier() first?)\n",
			 lusim_rcu_pending());
	lusim_report("SLAB-LEAK", first->site, detail,
		     "%lu object%s (%lu bytes) never freed", objs,
		     objs == 1 ? "" : "s", bytes);
	return objs;
}

unsigned long lusim_slab_free_since(unsigned long mark)
{
	struct slab_obj *r = first_since(mark);
	unsigned long n = 0;

	while (r) {
		struct slab_obj *next = r->next;

		obj_free(r, "lusim_slab_free_since");
		n++;
		r = next;
	}
	return n;
}

void lusim_slab_flush_quarantine(void)
{
	while (quarantine.head)
		quarantine_evict(quarantine.head);
}

/*
 * Per-run reset: counters and the quarantine. Live objects stay, and so
 * does the sequence: leaks are for the harness to check, never forgotten.
 */
static void lusim_slab_reset(void)
{
	lusim_slab_flush_quarantine();
	memset(&st, 0, sizeof(st));
	st.peak_objects = live_list.count;
	st.peak_bytes = live_bytes;
}

LUSIM_RESET_FN(lusim_slab_reset, LUSIM_RESET_PRIO_SHIM)

