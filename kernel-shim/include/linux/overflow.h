/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/overflow.h
 * Models: check_add_overflow, check_sub_overflow, check_mul_overflow (the compiler's __builtin_*_overflow: true when
 *         the result wrapped, *d holds the wrapped value), the saturating
 *         size helpers size_add, size_sub, size_mul (SIZE_MAX on overflow, so
 *         an allocation of the result fails instead of being short),
 *         array_size, array3_size, struct_size, struct_size_t,
 *         flex_array_size, overflows_type, is_signed_type, type_max/min.
 * Leaves out: check_shl_overflow, wrapping_* helpers, range_overflows.
 */
#ifndef _LUSIM_LINUX_OVERFLOW_H
#define _LUSIM_LINUX_OVERFLOW_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <stdint.h>

#define is_signed_type(type)	(((type)(-1)) < (type)1)
#define __type_half_max(type)	((type)1 << (8 * sizeof(type) - 1 - is_signed_type(type)))
#define type_max(t)		((t)((__type_half_max(t) - 1) + __type_half_max(t)))
#define type_min(t)		((t)((t)-type_max(t) - (t)1))

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

/* "would a value of type @T hold @n?" */
#define overflows_type(n, T) __extension__ ({				\
	__typeof__(T) _lusim_v;						\
	__builtin_add_overflow((n), 0, &_lusim_v);			\
})

static inline size_t __must_check size_mul(size_t factor1, size_t factor2)
{
	size_t bytes;

	if (check_mul_overflow(factor1, factor2, &bytes))
		return SIZE_MAX;
	return bytes;
}

static inline size_t __must_check size_add(size_t addend1, size_t addend2)
{
	size_t bytes;

	if (check_add_overflow(addend1, addend2, &bytes))
		return SIZE_MAX;
	return bytes;
}

static inline size_t __must_check size_sub(size_t minuend, size_t subtrahend)
{
	size_t bytes;

	/* SIZE_MAX stays SIZE_MAX, so an earlier overflow is not undone */
	if (minuend == SIZE_MAX || subtrahend == SIZE_MAX ||
	    check_sub_overflow(minuend, subtrahend, &bytes))
		return SIZE_MAX;
	return bytes;
}

#define array_size(a, b)	size_mul(a, b)
#define array3_size(a, b, c)	size_mul(size_mul(a, b), c)

/* bytes of @count elements of the flexible array @member of *@p */
#define flex_array_size(p, member, count)				\
	size_mul(count, sizeof(*(p)->member))

/* sizeof(*p) plus @count elements of its flexible array @member */
#define struct_size(p, member, count)					\
	size_add(sizeof(*(p)), flex_array_size(p, member, count))

#define struct_size_t(type, member, count)				\
	struct_size((type *)NULL, member, count)

#endif /* _LUSIM_LINUX_OVERFLOW_H */
