// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multi-level I/O page tables in simulated memory: the hardware walker
 * (both stages, nesting), a side-effect-free leaf iterator for oracles, and
 * a builder for tests and benchmarks.
 *
 * Level n (1..4) indexes iova bits [12 + 9(n-1), 12 + 9n).  A leaf is a
 * level-1 entry, or a level-2/3 entry with PS (2 MiB / 1 GiB).  Second
 * stage takes 39/48-bit inputs for 3/4 levels; first stage (4-level only,
 * as FLPM=0) takes the lower canonical half, inputs below 2^47.
 */
#include <errno.h>
#include <string.h>

#include "hw_internal.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sim/hw stores little-endian entries with host loads: little-endian hosts only"
#endif

static bool pte_present(uint64_t pte, enum hw_pt_format fmt)
{
	return fmt == HW_PT_SECOND ? (pte & (HW_PTE_R | HW_PTE_W)) : (pte & HW_PTE_R);
}

static unsigned int pte_perm(uint64_t pte, enum hw_pt_format fmt)
{
	if (fmt == HW_PT_SECOND)
		return (unsigned int)(pte & (HW_PTE_R | HW_PTE_W));
	return HW_PERM_R | ((pte & HW_PTE_W) ? HW_PERM_W : 0);
}

static unsigned int input_bits(unsigned int levels, enum hw_pt_format fmt)
{
	return HW_PAGE_SHIFT + 9 * levels - (fmt == HW_PT_FIRST ? 1 : 0);
}

static unsigned int pt_index(uint64_t iova, unsigned int level)
{
	return (unsigned int)(iova >> (HW_PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static uint64_t level_size(unsigned int level)
{
	return 1ULL << (HW_PAGE_SHIFT + 9 * (level - 1));
}

static int walk_fail(struct hw_pt_walk *w, enum hw_fault_reason r, unsigned int level)
{
	w->fault = r;
	w->level = level;
	return -EFAULT;
}

int hw__pt_walk(const struct hw__walk_env *env, uint64_t root,
		unsigned int levels, enum hw_pt_format fmt, uint64_t iova,
		struct hw_pt_walk *w, unsigned int *stage)
{
	struct hw__walk_env e2 = { .quiet = env->quiet, .reads = env->reads };
	uint64_t table = root;
	unsigned int level, st2;
	struct hw_pt_walk s2;

	memset(w, 0, sizeof(*w));
	w->perm = HW_PERM_RW;
	*stage = fmt == HW_PT_FIRST ? 1 : 2;
	if (levels < 3 || levels > 4 || (fmt == HW_PT_FIRST && levels != 4))
		return walk_fail(w, HW_FAULT_ADDR_WIDTH, levels);
	if (iova >> input_bits(levels, fmt))
		return walk_fail(w, HW_FAULT_ADDR_WIDTH, levels);

	for (level = levels; level >= 1; level--) {
		uint64_t tphys = table, pte, addr;

		if (env->nested) {
			/* a first-stage table pointer is guest-physical */
			if (hw__pt_walk(&e2, env->s2_root, env->s2_levels, HW_PT_SECOND,
					table, &s2, &st2)) {
				*w = s2;
				*stage = 2;
				return -EFAULT;
			}
			if (!(s2.perm & HW_PERM_R)) {
				*stage = 2;
				return walk_fail(w, HW_FAULT_PERMISSION, s2.level);
			}
			tphys = s2.pa;
		}
		if (env->reads)
			(*env->reads)++;
		hw__mem_access(tphys + 8 * pt_index(iova, level), &pte, sizeof(pte),
			       false, HW_WHO_WALK, env->quiet);
		if (!pte_present(pte, fmt))
			return walk_fail(w, HW_FAULT_PTE_NOT_PRESENT, level);
		w->perm &= pte_perm(pte, fmt);
		addr = pte & HW_PTE_ADDR_MASK;
		if (level == 1 || (pte & HW_PTE_PS)) {
			uint64_t size = level_size(level);

			if (level > 3 || (addr & (size - 1)))
				return walk_fail(w, HW_FAULT_PTE_RESERVED, level);
			w->level = level;
			w->size = size;
			w->pa = addr | (iova & (size - 1));
			break;
		}
		table = addr;
	}

	if (env->nested) {
		/* the first stage's output is guest-physical too */
		if (hw__pt_walk(&e2, env->s2_root, env->s2_levels, HW_PT_SECOND,
				w->pa, &s2, &st2)) {
			*w = s2;
			*stage = 2;
			return -EFAULT;
		}
		w->pa = s2.pa;
		w->perm &= s2.perm;
		if (s2.size < w->size)
			w->size = s2.size;
	}
	return 0;
}

int hw_pt_walk(uint64_t root, unsigned int levels, enum hw_pt_format fmt,
	       uint64_t iova, struct hw_pt_walk *w)
{
	struct hw__walk_env env = { .quiet = true };
	unsigned int stage;

	return hw__pt_walk(&env, root, levels, fmt, iova, w, &stage);
}

/* ---- leaf iteration (oracles): reads are quiet, unallocated tables skipped ---- */

struct leaf_it {
	enum hw_pt_format fmt;
	int (*fn)(uint64_t iova, uint64_t pa, uint64_t size, unsigned int perm, void *arg);
	void *arg;
};

static int leaves(const struct leaf_it *it, uint64_t table, unsigned int level,
		  uint64_t base, unsigned int perm)
{
	uint64_t ent[512];
	unsigned int i;
	int ret;

	if (hw_mem_state(table) != HW_PAGE_ALLOCATED)
		return 0;
	hw_mem_peek(table & HW_PAGE_MASK, ent, sizeof(ent));
	for (i = 0; i < 512; i++) {
		uint64_t pte = ent[i], iova = base + (uint64_t)i * level_size(level);
		unsigned int p;

		if (!pte_present(pte, it->fmt))
			continue;
		p = perm & pte_perm(pte, it->fmt);
		if (level == 1 || (pte & HW_PTE_PS)) {
			if (level > 3)
				continue;	/* reserved: the walker faults on it */
			ret = it->fn(iova, pte & HW_PTE_ADDR_MASK, level_size(level), p, it->arg);
		} else {
			ret = leaves(it, pte & HW_PTE_ADDR_MASK, level - 1, iova, p);
		}
		if (ret)
			return ret;
	}
	return 0;
}

int hw_pt_for_each_leaf(uint64_t root, unsigned int levels,
			enum hw_pt_format fmt,
			int (*fn)(uint64_t iova, uint64_t pa, uint64_t size,
				  unsigned int perm, void *arg),
			void *arg)
{
	struct leaf_it it = { .fmt = fmt, .fn = fn, .arg = arg };

	if (levels < 3 || levels > 4)
		return -EINVAL;
	return leaves(&it, root, levels, 0, HW_PERM_RW);
}

/* ---- builder ---- */

/* CPU view of an allocated table page, or NULL (no events: a builder bug is not a DMA) */
static uint64_t *table_ptr(uint64_t phys)
{
	if (hw_mem_state(phys) != HW_PAGE_ALLOCATED)
		return NULL;
	return (uint64_t *)hw_phys_to_virt(phys & HW_PAGE_MASK);
}

static unsigned int size_level(uint64_t size)
{
	return size == HW_SIZE_4K ? 1 : size == HW_SIZE_2M ? 2 : size == HW_SIZE_1G ? 3 : 0;
}

int hw_pt_map(uint64_t *rootp, unsigned int levels, enum hw_pt_format fmt,
	      uint64_t iova, uint64_t pa, uint64_t size, unsigned int perm)
{
	unsigned int target = size_level(size), level;
	uint64_t table, *t;

	if (levels < 3 || levels > 4 || (fmt == HW_PT_FIRST && levels != 4) || !target ||
	    (iova & (size - 1)) || (pa & (size - 1)) || (pa & ~HW_PTE_ADDR_MASK) ||
	    (iova >> input_bits(levels, fmt)) || !perm || (perm & ~HW_PERM_RW) ||
	    (fmt == HW_PT_FIRST && !(perm & HW_PERM_R)))
		return -EINVAL;
	if (*rootp == HW_PHYS_NONE) {
		*rootp = hw_mem_alloc(0, HW_MEM_ZERO);
		if (*rootp == HW_PHYS_NONE)
			return -ENOMEM;
	}
	table = *rootp;
	for (level = levels; level > target; level--) {
		uint64_t *e;

		t = table_ptr(table);
		if (!t)
			return -EINVAL;
		e = &t[pt_index(iova, level)];
		if (!pte_present(*e, fmt)) {
			uint64_t n = hw_mem_alloc(0, HW_MEM_ZERO);

			if (n == HW_PHYS_NONE)
				return -ENOMEM;
			*e = n | HW_PTE_R | HW_PTE_W;
		} else if (*e & HW_PTE_PS) {
			return -EEXIST;
		}
		table = *e & HW_PTE_ADDR_MASK;
	}
	t = table_ptr(table);
	if (!t)
		return -EINVAL;
	if (pte_present(t[pt_index(iova, target)], fmt))
		return -EEXIST;
	t[pt_index(iova, target)] = pa | perm | (target > 1 ? HW_PTE_PS : 0);
	return 0;
}

uint64_t hw_pt_entry_phys(uint64_t root, unsigned int levels,
			  enum hw_pt_format fmt, uint64_t iova,
			  unsigned int level)
{
	uint64_t table = root;
	unsigned int l;

	if (levels < 3 || levels > 4 || level < 1 || level > levels ||
	    (iova >> input_bits(levels, fmt)))
		return HW_PHYS_NONE;
	for (l = levels; ; l--) {
		uint64_t *t = table_ptr(table), e;

		if (!t)
			return HW_PHYS_NONE;
		if (l == level)
			return (table & HW_PAGE_MASK) + 8 * pt_index(iova, l);
		e = t[pt_index(iova, l)];
		if (!pte_present(e, fmt) || (e & HW_PTE_PS))
			return HW_PHYS_NONE;
		table = e & HW_PTE_ADDR_MASK;
	}
}

int hw_pt_unmap(uint64_t root, unsigned int levels, enum hw_pt_format fmt,
		uint64_t iova, uint64_t size)
{
	unsigned int level = size_level(size);
	uint64_t phys, *e;

	if (!level || (iova & (size - 1)))
		return -EINVAL;
	phys = hw_pt_entry_phys(root, levels, fmt, iova, level);
	if (phys == HW_PHYS_NONE)
		return -ENOENT;
	e = table_ptr(phys & HW_PAGE_MASK) + ((phys & ~HW_PAGE_MASK) / 8);
	if (!pte_present(*e, fmt) || (level > 1 && !(*e & HW_PTE_PS)))
		return -ENOENT;
	*e = 0;
	return 0;
}

static void free_tables(uint64_t table, unsigned int level, enum hw_pt_format fmt)
{
	uint64_t *t = table_ptr(table);
	unsigned int i;

	if (!t)
		return;
	for (i = 0; level > 1 && i < 512; i++)
		if (pte_present(t[i], fmt) && !(t[i] & HW_PTE_PS))
			free_tables(t[i] & HW_PTE_ADDR_MASK, level - 1, fmt);
	hw_mem_free(table & HW_PAGE_MASK, 0);
}

void hw_pt_free(uint64_t root, unsigned int levels, enum hw_pt_format fmt)
{
	if (levels >= 3 && levels <= 4)
		free_tables(root, levels, fmt);
}
