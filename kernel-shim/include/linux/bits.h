/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/bits.h, bitops.h (the parts the model uses)
 * Models: BIT, BIT_ULL, GENMASK, GENMASK_ULL, BITS_PER_LONG, BITS_TO_LONGS,
 *         set_bit/clear_bit/test_bit/__set_bit/__clear_bit (non-atomic: the
 *         model is single-threaded), find_first_zero_bit, fls64/ilog2 helpers.
 * Leaves out: atomic bitops semantics across CPUs.
 */
#ifndef _LUSIM_LINUX_BITS_H
#define _LUSIM_LINUX_BITS_H

#include <linux/types.h>

#define BITS_PER_LONG		64
#define BITS_PER_BYTE		8
#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BITS_TO_LONGS(nr)	(((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define GENMASK(h, l)		(((~0UL) - (1UL << (l)) + 1) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l)	(((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (63 - (h))))

#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline bool test_bit(unsigned long nr, const unsigned long *addr)
{
	return (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)) & 1;
}

#define set_bit(nr, addr)	__set_bit(nr, addr)
#define clear_bit(nr, addr)	__clear_bit(nr, addr)

static inline bool test_and_set_bit(unsigned long nr, unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	__set_bit(nr, addr);
	return old;
}

static inline bool test_and_clear_bit(unsigned long nr, unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	__clear_bit(nr, addr);
	return old;
}

static inline unsigned long find_first_zero_bit(const unsigned long *addr,
						unsigned long size)
{
	for (unsigned long i = 0; i < size; i++)
		if (!test_bit(i, addr))
			return i;
	return size;
}

static inline unsigned long find_next_bit(const unsigned long *addr,
					  unsigned long size, unsigned long off)
{
	for (unsigned long i = off; i < size; i++)
		if (test_bit(i, addr))
			return i;
	return size;
}

#define find_first_bit(addr, size) find_next_bit(addr, size, 0)
#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = find_first_bit(addr, size); (bit) < (size);	\
	     (bit) = find_next_bit(addr, size, (bit) + 1))

static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline int __ffs64(u64 x)
{
	return __builtin_ctzll(x);
}

#define ilog2(n)		(fls64(n) - 1)
#define is_power_of_2(n)	((n) != 0 && (((n) & ((n) - 1)) == 0))
#define roundup_pow_of_two(n)	((n) <= 1 ? 1UL : 1UL << fls64((u64)(n) - 1))
#define order_base_2(n)		((n) <= 1 ? 0 : ilog2((u64)(n) - 1) + 1)

#endif /* _LUSIM_LINUX_BITS_H */
