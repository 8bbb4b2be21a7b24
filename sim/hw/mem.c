// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulated physical memory: 4 KiB pages with real contents.
 *
 * RAM is [HW_MEM_BASE, HW_MEM_BASE + limit pages).  It is sparse: host
 * storage exists only for the 4 MiB chunks the allocator has reached, found
 * through a two-level radix (a chunk pointer array indexed by pfn >> 10,
 * then the chunk's frame array).  Allocation is a buddy allocator with LIFO
 * free lists over a bump pointer, so the order of addresses depends only on
 * the order of calls.  A block never crosses a chunk (max order 10 is one
 * chunk), so a block's CPU view is host-contiguous.
 *
 * Every allocated block is on one list in allocation order: iteration,
 * kexec and reset walk that list or the bump range, never the address space.
 * Chunk storage is a host-side cache kept across resets; a reset clears
 * only the frame metadata below the bump pointer.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>

#include <lusim/findings.h>
#include <lusim/journal.h>
#include <lusim/reset.h>

#include "hw_internal.h"

#define CHUNK_SHIFT	HW_MEM_MAX_ORDER
#define CHUNK_PAGES	(1u << CHUNK_SHIFT)
#define CHUNK_BYTES	((size_t)CHUNK_PAGES << HW_PAGE_SHIFT)

enum frame_head {
	HEAD_NONE = 0,
	HEAD_ALLOC,		/* head of an allocated block, on alloc_list */
	HEAD_FREE,		/* head of a free block, on free_area[order] */
};

struct frame {
	struct list_head link;
	uint32_t rel;		/* pfn - HW_MEM_BASE_PFN, fixed when the chunk is made */
	uint8_t state;		/* enum hw_page_state */
	uint8_t head;		/* enum frame_head */
	uint8_t order;		/* valid on heads */
};

struct chunk {
	uint8_t *data;		/* CHUNK_BYTES, 4 KiB aligned */
	uint64_t slot;
	struct frame f[CHUNK_PAGES];
};

/* The largest RAM a machine can be given (256 GiB): fixes the slot array. */
#define MAX_PAGES	(1ULL << 26)
#define NSLOTS		((unsigned int)(MAX_PAGES >> CHUNK_SHIFT))

static struct {
	uint64_t limit;			/* RAM pages */
	struct chunk **chunks;		/* NSLOTS slots; a chunk keeps its slot forever */
	struct chunk **by_host;		/* created chunks, sorted by data address */
	unsigned int nby_host;
	uint64_t bump;			/* pages handed out from the bottom (relative pfn) */
	struct list_head free_area[HW_MEM_MAX_ORDER + 1];
	struct list_head alloc_list;
	struct hw_mem_stats st;
	bool init;
} M;

static uint64_t host_objects;

void *hw__zalloc(size_t size)
{
	void *p = calloc(1, size);

	if (p)
		host_objects++;
	return p;
}

void hw__free(void *p)
{
	if (!p)
		return;
	host_objects--;
	free(p);
}

uint64_t hw_host_objects(void)
{
	return host_objects;
}

static void mem_init(void)
{
	unsigned int i;

	if (M.init)
		return;
	for (i = 0; i <= HW_MEM_MAX_ORDER; i++)
		INIT_LIST_HEAD(&M.free_area[i]);
	INIT_LIST_HEAD(&M.alloc_list);
	if (!M.limit)
		M.limit = HW_MEM_DEFAULT_PAGES;
	M.init = true;
}

/* Frame for a relative pfn below the bump pointer's chunks, or NULL. */
static struct frame *frame_of(uint64_t rel)
{
	uint64_t slot = rel >> CHUNK_SHIFT;
	struct chunk *c;

	if (!M.chunks || slot >= NSLOTS)
		return NULL;
	c = M.chunks[slot];
	return c ? &c->f[rel & (CHUNK_PAGES - 1)] : NULL;
}

static uint8_t *data_of(uint64_t rel)
{
	struct chunk *c = M.chunks[rel >> CHUNK_SHIFT];

	return c->data + ((rel & (CHUNK_PAGES - 1)) << HW_PAGE_SHIFT);
}

/* Relative pfn of a physical address in RAM, or -1. */
static int64_t rel_of(uint64_t phys)
{
	uint64_t pfn = phys >> HW_PAGE_SHIFT;

	mem_init();
	if (pfn < HW_MEM_BASE_PFN || pfn - HW_MEM_BASE_PFN >= M.limit)
		return -1;
	return (int64_t)(pfn - HW_MEM_BASE_PFN);
}

static uint64_t phys_of(uint64_t rel)
{
	return (rel + HW_MEM_BASE_PFN) << HW_PAGE_SHIFT;
}

static int chunk_make(uint64_t slot)
{
	struct chunk *c;
	unsigned int i;

	if (!M.chunks) {
		M.chunks = calloc(NSLOTS, sizeof(*M.chunks));
		if (!M.chunks)
			return -ENOMEM;
	}
	if (M.chunks[slot])
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->slot = slot;
	for (i = 0; i < CHUNK_PAGES; i++)
		c->f[i].rel = (uint32_t)((slot << CHUNK_SHIFT) + i);
	/*
	 * mmap, not the heap: simulated RAM holds simulated bytes, never the
	 * host's pointers, and a heap block this size made LeakSanitizer scan
	 * every chunk at each of libFuzzer's leak checks (half of fuzz_ops'
	 * time under ASan).
	 */
	c->data = mmap(NULL, CHUNK_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->data == MAP_FAILED) {
		free(c);
		return -ENOMEM;
	}
	{
		struct chunk **n = realloc(M.by_host, (M.nby_host + 1) * sizeof(*n));

		if (!n) {
			munmap(c->data, CHUNK_BYTES);
			free(c);
			return -ENOMEM;
		}
		M.by_host = n;
	}
	/* keep by_host sorted by host address (for hw_virt_to_phys) */
	for (i = M.nby_host; i > 0 && (uintptr_t)M.by_host[i - 1]->data > (uintptr_t)c->data; i--)
		M.by_host[i] = M.by_host[i - 1];
	M.by_host[i] = c;
	M.nby_host++;
	M.chunks[slot] = c;
	M.st.host_chunks++;
	return 0;
}

static void free_block_add(uint64_t rel, unsigned int order)
{
	struct frame *f = frame_of(rel);

	f->head = HEAD_FREE;
	f->order = order;
	list_add(&f->link, &M.free_area[order]);
}

/* Put [from, to) (relative pfns, below bump) on the free lists as aligned blocks. */
static void free_range_add(uint64_t from, uint64_t to)
{
	while (from < to) {
		unsigned int order = 0;

		while (order < HW_MEM_MAX_ORDER &&
		       !(from & ((1ULL << (order + 1)) - 1)) &&
		       from + (1ULL << (order + 1)) <= to)
			order++;
		free_block_add(from, order);
		from += 1ULL << order;
	}
}

#if defined(__SANITIZE_ADDRESS__)
#define HW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HW_ASAN 1
#endif
#endif

/*
 * Fill simulated RAM. Under ASan an instrumented memset() first checks the
 * whole range in ASan's shadow (a sixteenth of the bytes again): simulated
 * RAM is mmap()ed, never poisoned for ASan (sim/hw poisons it with its own
 * fill byte), so the check can never fire, and it was an eighth of
 * fuzz_ops' time in ASan builds. The same stores, unchecked.
 */
static void fill_bytes(void *p, int byte, size_t len)
{
#if defined(HW_ASAN) && defined(__x86_64__)
	__asm__ volatile("rep stosb"
			 : "+D"(p), "+c"(len)
			 : "a"(byte)
			 : "memory");
#else
	memset(p, byte, len);
#endif
}

static void fill_block(uint64_t rel, unsigned int order, int byte)
{
	fill_bytes(data_of(rel), byte, (size_t)HW_PAGE_SIZE << order);
}

static void set_state(uint64_t rel, unsigned int order, enum hw_page_state s)
{
	uint64_t i;

	for (i = 0; i < (1ULL << order); i++)
		frame_of(rel + i)->state = s;
}

static int64_t take_free(unsigned int order)
{
	unsigned int k;

	for (k = order; k <= HW_MEM_MAX_ORDER; k++) {
		struct frame *f;
		uint64_t rel;

		if (list_empty(&M.free_area[k]))
			continue;
		f = list_first_entry(&M.free_area[k], struct frame, link);
		list_del(&f->link);
		f->head = HEAD_NONE;
		rel = f->rel;
		while (k > order) {
			k--;
			free_block_add(rel + (1ULL << k), k);
		}
		return (int64_t)rel;
	}
	return -1;
}

static int64_t take_bump(unsigned int order)
{
	uint64_t size = 1ULL << order;
	uint64_t start = (M.bump + size - 1) & ~(size - 1);

	if (start + size > M.limit)
		return -1;
	if (chunk_make(start >> CHUNK_SHIFT))
		return -1;
	if (start > M.bump)
		free_range_add(M.bump, start);	/* the gap lies in bump's chunk */
	M.bump = start + size;
	M.st.bump_pages = M.bump;
	return (int64_t)start;
}

uint64_t hw_mem_alloc(unsigned int order, unsigned int flags)
{
	struct frame *f;
	int64_t rel;

	mem_init();
	if (order > HW_MEM_MAX_ORDER)
		return HW_PHYS_NONE;
	rel = take_free(order);
	if (rel < 0)
		rel = take_bump(order);
	if (rel < 0)
		return HW_PHYS_NONE;
	f = frame_of((uint64_t)rel);
	f->head = HEAD_ALLOC;
	f->order = order;
	list_add_tail(&f->link, &M.alloc_list);
	set_state((uint64_t)rel, order, HW_PAGE_ALLOCATED);
	fill_block((uint64_t)rel, order, (flags & HW_MEM_ZERO) ? 0 : HW_FILL_UNINIT);
	M.st.allocated_pages += 1ULL << order;
	if (M.st.allocated_pages > M.st.peak_pages)
		M.st.peak_pages = M.st.allocated_pages;
	M.st.allocs++;
	lusim_journal_page_alloc(phys_of((uint64_t)rel), order);
	return phys_of((uint64_t)rel);
}

/* Free an allocated block (already off alloc_list): poison and merge. */
static void block_release(uint64_t rel, unsigned int order)
{
	fill_block(rel, order, HW_FILL_POISON);
	set_state(rel, order, HW_PAGE_POISONED);
	M.st.allocated_pages -= 1ULL << order;
	while (order < HW_MEM_MAX_ORDER) {
		uint64_t buddy = rel ^ (1ULL << order);
		struct frame *b;

		if (buddy >= M.bump)
			break;
		b = frame_of(buddy);
		if (!b || b->head != HEAD_FREE || b->order != order)
			break;
		list_del(&b->link);
		b->head = HEAD_NONE;
		if (buddy < rel) {
			frame_of(rel)->head = HEAD_NONE;
			rel = buddy;
		}
		order++;
	}
	free_block_add(rel, order);
}

int hw_mem_free(uint64_t phys, unsigned int order)
{
	int64_t rel = rel_of(phys);
	struct frame *f;

	if (rel < 0 || (phys & ~HW_PAGE_MASK) || !(f = frame_of((uint64_t)rel))) {
		lusim_report("HW-MEM-BAD-FREE", "hw_mem_free", NULL,
			     "free of 0x%llx order %u: not allocated RAM",
			     (unsigned long long)phys, order);
		return -EINVAL;
	}
	if (f->state != HW_PAGE_ALLOCATED) {
		lusim_report("HW-MEM-DOUBLE-FREE", "hw_mem_free", NULL,
			     "free of 0x%llx order %u: page is %s",
			     (unsigned long long)phys, order,
			     f->state == HW_PAGE_POISONED ? "already freed" : "never allocated");
		return -EINVAL;
	}
	if (f->head != HEAD_ALLOC || f->order != order) {
		lusim_report("HW-MEM-BAD-FREE", "hw_mem_free", NULL,
			     "free of 0x%llx order %u: %s",
			     (unsigned long long)phys, order,
			     f->head != HEAD_ALLOC ? "not the head of its block" :
			     "order differs from the allocation");
		return -EINVAL;
	}
	lusim_journal_page_free(phys, order);
	list_del(&f->link);
	f->head = HEAD_NONE;
	block_release((uint64_t)rel, order);
	M.st.frees++;
	return 0;
}

enum hw_page_state hw_mem_state(uint64_t phys)
{
	int64_t rel = rel_of(phys);
	struct frame *f;

	if (rel < 0)
		return HW_PAGE_NONE;
	f = frame_of((uint64_t)rel);
	if (!f || (uint64_t)rel >= M.bump)
		return HW_PAGE_FREE;
	return (enum hw_page_state)f->state;
}

int hw_mem_block(uint64_t phys, uint64_t *head, unsigned int *order)
{
	int64_t rel = rel_of(phys);
	unsigned int k;

	if (rel < 0 || hw_mem_state(phys) != HW_PAGE_ALLOCATED)
		return -ENOENT;
	for (k = 0; k <= HW_MEM_MAX_ORDER; k++) {
		uint64_t h = (uint64_t)rel & ~((1ULL << k) - 1);
		struct frame *f = frame_of(h);

		if (f->head == HEAD_ALLOC && f->order >= k) {
			if (head)
				*head = phys_of(h);
			if (order)
				*order = f->order;
			return 0;
		}
	}
	return -ENOENT;	/* not reached: an allocated page has a head */
}


int hw_mem_for_each(int (*fn)(uint64_t pfn, unsigned int order, void *arg),
		    void *arg)
{
	struct frame *f;
	int ret;

	mem_init();
	list_for_each_entry(f, &M.alloc_list, link) {
		ret = fn((uint64_t)f->rel + HW_MEM_BASE_PFN, f->order, arg);
		if (ret)
			return ret;
	}
	return 0;
}

uint64_t hw_mem_kexec(bool (*keep)(uint64_t pfn, void *arg), void *arg)
{
	struct frame *f, *next;
	uint64_t dropped = 0, kept = 0;

	mem_init();
	list_for_each_entry_safe(f, next, &M.alloc_list, link) {
		uint64_t rel = (uint64_t)f->rel, n = 1ULL << f->order, i, nkeep = 0;
		uint64_t keepbits[CHUNK_PAGES / 64] = { 0 };
		unsigned int order = f->order;

		for (i = 0; i < n; i++)
			if (keep && keep(rel + i + HW_MEM_BASE_PFN, arg)) {
				keepbits[i / 64] |= 1ULL << (i % 64);
				nkeep++;
			}
		kept += nkeep;
		if (nkeep == n)
			continue;
		if (nkeep == 0) {
			list_del(&f->link);
			f->head = HEAD_NONE;
			block_release(rel, order);
			dropped += n;
			continue;
		}
		/* partly kept: split into order-0 blocks in place, free the rest */
		for (i = 0; i < n; i++) {
			struct frame *p = frame_of(rel + i);

			p->order = 0;
			p->head = HEAD_ALLOC;
			if (i)
				list_add_tail(&p->link, &next->link);
		}
		for (i = 0; i < n; i++) {
			struct frame *p = frame_of(rel + i);

			if (keepbits[i / 64] & (1ULL << (i % 64)))
				continue;
			list_del(&p->link);
			p->head = HEAD_NONE;
			block_release(rel + i, 0);
			dropped++;
		}
	}
	M.st.kexec_kept = kept;
	M.st.kexec_dropped = dropped;
	return dropped;
}

int hw_mem_set_limit(uint64_t pages)
{
	mem_init();
	if (M.bump)
		return -EBUSY;
	if (!pages || pages > MAX_PAGES)
		return -EINVAL;
	M.limit = pages;
	return 0;
}

void hw_mem_get_stats(struct hw_mem_stats *st)
{
	mem_init();
	*st = M.st;
}

/* ---- access ---- */

enum hw_page_state hw__mem_access(uint64_t phys, void *buf, size_t len,
				  bool write, enum hw_who who, bool quiet)
{
	enum hw_page_state s = hw_mem_state(phys);
	uint8_t *p;

	if (s == HW_PAGE_ALLOCATED || s == HW_PAGE_POISONED) {
		p = data_of((uint64_t)rel_of(phys)) + (phys & ~HW_PAGE_MASK);
		if (write)
			memcpy(p, buf, len);
		else
			memcpy(buf, p, len);
	} else if (!write) {
		memset(buf, HW_FILL_UNBACKED, len);
	}
	if (!quiet && s != HW_PAGE_ALLOCATED) {
		static const enum hw_event_kind kinds[3][2] = {
			[HW_WHO_DMA] = { HW_EV_DMA_FREED, HW_EV_DMA_UNALLOCATED },
			[HW_WHO_WALK] = { HW_EV_WALK_FREED, HW_EV_WALK_UNALLOCATED },
			[HW_WHO_CPU] = { HW_EV_CPU_FREED, HW_EV_CPU_UNALLOCATED },
		};

		hw__event(kinds[who][s == HW_PAGE_POISONED ? 0 : 1], phys,
			  (uint32_t)len, s, HW_FAULT_NONE);
	}
	return s;
}

static void cpu_event_ctx(bool write)
{
	memset(&hw__cur, 0, sizeof(hw__cur));
	hw__cur.write = write;
}

void *hw_phys_to_virt(uint64_t phys)
{
	enum hw_page_state s = hw_mem_state(phys);

	if (s == HW_PAGE_ALLOCATED) {
		/* the kernel may write through it: the undo journal snapshots */
		lusim_journal_page_cpu(phys, 1);
		return data_of((uint64_t)rel_of(phys)) + (phys & ~HW_PAGE_MASK);
	}
	cpu_event_ctx(false);
	hw__event(s == HW_PAGE_POISONED ? HW_EV_CPU_FREED : HW_EV_CPU_UNALLOCATED,
		  phys, 0, s, HW_FAULT_NONE);
	if (s == HW_PAGE_POISONED)
		return data_of((uint64_t)rel_of(phys)) + (phys & ~HW_PAGE_MASK);
	return NULL;
}

uint64_t hw_virt_to_phys(const void *virt)
{
	uintptr_t v = (uintptr_t)virt;
	unsigned int lo = 0, hi = M.nby_host;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		struct chunk *c = M.by_host[mid];
		uintptr_t base = (uintptr_t)c->data;

		if (v < base) {
			hi = mid;
		} else if (v >= base + CHUNK_BYTES) {
			lo = mid + 1;
		} else {
			return phys_of(c->slot << CHUNK_SHIFT) + (v - base);
		}
	}
	return HW_PHYS_NONE;
}

static int cpu_copy(uint64_t phys, void *buf, size_t len, bool write, bool quiet)
{
	int ret = 0;

	if (!quiet)
		cpu_event_ctx(write);
	while (len) {
		size_t n = HW_PAGE_SIZE - (phys & ~HW_PAGE_MASK);

		if (n > len)
			n = len;
		if (hw__mem_access(phys, buf, n, write, HW_WHO_CPU, quiet) != HW_PAGE_ALLOCATED)
			ret = -EFAULT;
		phys += n;
		buf = (uint8_t *)buf + n;
		len -= n;
	}
	return ret;
}

int hw_mem_read(uint64_t phys, void *buf, size_t len)
{
	return cpu_copy(phys, buf, len, false, false);
}

int hw_mem_write(uint64_t phys, const void *buf, size_t len)
{
	lusim_journal_page_cpu(phys, len);
	return cpu_copy(phys, (void *)buf, len, true, false);
}

void hw_mem_peek(uint64_t phys, void *buf, size_t len)
{
	cpu_copy(phys, buf, len, false, true);
}

/* ---- reset ---- */

void hw__mem_reset(void)
{
	uint64_t rel;
	unsigned int i;

	mem_init();
	for (rel = 0; rel < M.bump; rel++) {
		struct frame *f = frame_of(rel);

		f->state = HW_PAGE_FREE;
		f->head = HEAD_NONE;
		f->order = 0;
		f->link.next = f->link.prev = NULL;
	}
	for (i = 0; i <= HW_MEM_MAX_ORDER; i++)
		INIT_LIST_HEAD(&M.free_area[i]);
	INIT_LIST_HEAD(&M.alloc_list);
	M.bump = 0;
	M.limit = HW_MEM_DEFAULT_PAGES;
	{
		uint64_t chunks = M.st.host_chunks;

		memset(&M.st, 0, sizeof(M.st));
		M.st.host_chunks = chunks;
	}
}

void hw_machine_reset(void)
{
	hw__pci_reset();
	hw__units_reset();
	hw__log_reset();
	hw__mem_reset();
}
LUSIM_RESET_FN(hw_machine_reset, LUSIM_RESET_PRIO_MACHINE)

uint64_t hw_machine_kexec(bool (*keep)(uint64_t pfn, void *arg), void *arg)
{
	uint64_t dropped = hw_mem_kexec(keep, arg);

	hw__units_kexec();
	memset(&hw__cur, 0, sizeof(hw__cur));
	hw__event(HW_EV_KEXEC, 0, 0, HW_PAGE_NONE, HW_FAULT_NONE);
	return dropped;
}
