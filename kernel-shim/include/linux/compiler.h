/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/compiler.h, compiler_types.h, compiler_attributes.h
 * Models: likely/unlikely, READ_ONCE/WRITE_ONCE (plain volatile accesses),
 *         barrier(), __must_check, __always_inline, __maybe_unused, __weak,
 *         __packed, __aligned, fallthrough, sparse annotations as no-ops,
 *         __same_type, __is_constexpr (via <linux/const.h>).
 * Leaves out: instrumentation attributes, __section placement of kernel code.
 */
#ifndef _LUSIM_LINUX_COMPILER_H
#define _LUSIM_LINUX_COMPILER_H

#include <linux/const.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define barrier()	__asm__ __volatile__("" : : : "memory")

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)						\
	do {								\
		*(volatile __typeof__(x) *)&(x) = (val);		\
	} while (0)

#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define noinline		__attribute__((__noinline__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __weak			__attribute__((__weak__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __cold			__attribute__((__cold__))
#define __noreturn		__attribute__((__noreturn__))
#define __section(s)		__attribute__((__section__(s)))
#define __counted_by(m)
#define fallthrough		__attribute__((__fallthrough__))
#define __init
#define __exit
#define __initdata
#define __read_mostly
#define __ro_after_init

/* sparse annotations */
#define __user
#define __kernel
#define __iomem
#define __rcu
#define __force
#define __bitwise
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __cond_acquires(x)
#define __private
#define ACCESS_PRIVATE(p, member) ((p)->member)

#define __same_type(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))

#ifndef __stringify
#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)
#endif

#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

#define data_race(expr) (expr)

#endif /* _LUSIM_LINUX_COMPILER_H */
