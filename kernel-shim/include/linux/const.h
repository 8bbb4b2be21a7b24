/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/const.h (+ uapi/linux/const.h, included first)
 * Models: __is_constexpr(x), the integer-constant-expression test the kernel
 *         uses; WARN-CONST-COND detection is built on it (not on
 *         __builtin_constant_p, which turns true after inlining at -O2).
 *         UL()/ULL()/BIT()-style helpers come from the uapi header.
 */
#ifndef _LUSIM_LINUX_CONST_H
#define _LUSIM_LINUX_CONST_H

#include_next <linux/const.h>

/*
 * Integer constant expression test: a null pointer constant of type void *
 * makes the conditional take the type int *, anything else void *.
 */
#define __is_constexpr(x) \
	(sizeof(int) == sizeof(*(8 ? ((void *)((long)(x) * 0l)) : (int *)8)))

#define UL(x)		(_UL(x))
#define ULL(x)		(_ULL(x))

#endif /* _LUSIM_LINUX_CONST_H */
