/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/atomic.h, atomic/atomic-instrumented.h,
 *             asm/barrier.h, asm/cmpxchg.h (the parts the model uses)
 * Models: atomic_t, atomic64_t (from <linux/types.h>) and atomic_long_t
 *         with the kernel's operation set: read/set, add/sub/inc/dec with
 *         and without _return, fetch_*, *_and_test, add_negative,
 *         cmpxchg/try_cmpxchg/xchg, inc_not_zero, add_unless,
 *         fetch_add_unless, dec_if_positive, and/or/andnot/xor, the
 *         _relaxed/_acquire/_release spellings; generic cmpxchg(), xchg(),
 *         try_cmpxchg(); the smp_* barriers.
 *         Arithmetic wraps in two's complement like the kernel's atomics
 *         (no C signed-overflow undefined behaviour).
 * Leaves out: actual atomicity. The model is single-threaded (actors are
 *         switched only at lock boundaries), so every operation is a plain
 *         read-modify-write and every ordering variant is the same one;
 *         the barriers are compiler barriers plus a fence.
 */
#ifndef _LUSIM_LINUX_ATOMIC_H
#define _LUSIM_LINUX_ATOMIC_H

#include <linux/types.h>
#include <linux/compiler.h>

#define ATOMIC_INIT(i)		{ (i) }
#define ATOMIC64_INIT(i)	{ (i) }
#define ATOMIC_LONG_INIT(i)	ATOMIC64_INIT(i)

typedef atomic64_t atomic_long_t;

/*
 * One template per counter type: @pfx the name prefix, @at the atomic
 * type, @t its value type, @ut the unsigned type used for wrapping math.
 */
#define __LUSIM_ATOMIC_OPS(pfx, at, t, ut)				\
static inline t pfx##_read(const at *v) { return READ_ONCE(v->counter); } \
static inline void pfx##_set(at *v, t i) { WRITE_ONCE(v->counter, i); }	\
static inline t pfx##_fetch_add(t i, at *v)				\
{									\
	t old = v->counter;						\
	v->counter = (t)((ut)old + (ut)i);				\
	return old;							\
}									\
static inline t pfx##_fetch_sub(t i, at *v)				\
{									\
	t old = v->counter;						\
	v->counter = (t)((ut)old - (ut)i);				\
	return old;							\
}									\
static inline t pfx##_add_return(t i, at *v)				\
{ pfx##_fetch_add(i, v); return v->counter; }				\
static inline t pfx##_sub_return(t i, at *v)				\
{ pfx##_fetch_sub(i, v); return v->counter; }				\
static inline void pfx##_add(t i, at *v) { pfx##_fetch_add(i, v); }	\
static inline void pfx##_sub(t i, at *v) { pfx##_fetch_sub(i, v); }	\
static inline void pfx##_inc(at *v) { pfx##_fetch_add(1, v); }		\
static inline void pfx##_dec(at *v) { pfx##_fetch_sub(1, v); }		\
static inline t pfx##_inc_return(at *v) { return pfx##_add_return(1, v); } \
static inline t pfx##_dec_return(at *v) { return pfx##_sub_return(1, v); } \
static inline t pfx##_fetch_inc(at *v) { return pfx##_fetch_add(1, v); }	\
static inline t pfx##_fetch_dec(at *v) { return pfx##_fetch_sub(1, v); }	\
static inline bool pfx##_sub_and_test(t i, at *v)			\
{ return pfx##_sub_return(i, v) == 0; }					\
static inline bool pfx##_dec_and_test(at *v) { return pfx##_dec_return(v) == 0; } \
static inline bool pfx##_inc_and_test(at *v) { return pfx##_inc_return(v) == 0; } \
static inline bool pfx##_add_negative(t i, at *v)			\
{ return pfx##_add_return(i, v) < 0; }					\
static inline t pfx##_xchg(at *v, t new)				\
{									\
	t old = v->counter;						\
	v->counter = new;						\
	return old;							\
}									\
static inline t pfx##_cmpxchg(at *v, t old, t new)			\
{									\
	t cur = v->counter;						\
	if (cur == old)							\
		v->counter = new;					\
	return cur;							\
}									\
static inline bool pfx##_try_cmpxchg(at *v, t *old, t new)		\
{									\
	t cur = pfx##_cmpxchg(v, *old, new);				\
	if (cur == *old)						\
		return true;						\
	*old = cur;							\
	return false;							\
}									\
static inline t pfx##_fetch_add_unless(at *v, t a, t u)			\
{									\
	t old = v->counter;						\
	if (old != u)							\
		v->counter = (t)((ut)old + (ut)a);			\
	return old;							\
}									\
static inline bool pfx##_add_unless(at *v, t a, t u)			\
{ return pfx##_fetch_add_unless(v, a, u) != u; }			\
static inline bool pfx##_inc_not_zero(at *v) { return pfx##_add_unless(v, 1, 0); } \
static inline t pfx##_dec_if_positive(at *v)				\
{									\
	t dec = (t)((ut)v->counter - 1);				\
	if (dec >= 0)							\
		v->counter = dec;					\
	return dec;							\
}									\
static inline t pfx##_fetch_and(t i, at *v)				\
{ t old = v->counter; v->counter = (t)((ut)old & (ut)i); return old; }	\
static inline t pfx##_fetch_or(t i, at *v)				\
{ t old = v->counter; v->counter = (t)((ut)old | (ut)i); return old; }	\
static inline t pfx##_fetch_xor(t i, at *v)				\
{ t old = v->counter; v->counter = (t)((ut)old ^ (ut)i); return old; }	\
static inline t pfx##_fetch_andnot(t i, at *v)				\
{ t old = v->counter; v->counter = (t)((ut)old & ~(ut)i); return old; }	\
static inline void pfx##_and(t i, at *v) { pfx##_fetch_and(i, v); }	\
static inline void pfx##_or(t i, at *v) { pfx##_fetch_or(i, v); }	\
static inline void pfx##_xor(t i, at *v) { pfx##_fetch_xor(i, v); }	\
static inline void pfx##_andnot(t i, at *v) { pfx##_fetch_andnot(i, v); }

__LUSIM_ATOMIC_OPS(atomic, atomic_t, int, unsigned int)
__LUSIM_ATOMIC_OPS(atomic64, atomic64_t, s64, u64)
__LUSIM_ATOMIC_OPS(atomic_long, atomic_long_t, s64, u64)

/* ordering variants: all the same operation in a single-threaded model */
#define atomic_read_acquire(v)			atomic_read(v)
#define atomic_set_release(v, i)		atomic_set(v, i)
#define atomic_inc_return_relaxed(v)		atomic_inc_return(v)
#define atomic_dec_return_relaxed(v)		atomic_dec_return(v)
#define atomic_add_return_relaxed(i, v)		atomic_add_return(i, v)
#define atomic_fetch_add_relaxed(i, v)		atomic_fetch_add(i, v)
#define atomic_fetch_sub_release(i, v)		atomic_fetch_sub(i, v)
#define atomic_cmpxchg_relaxed(v, o, n)		atomic_cmpxchg(v, o, n)
#define atomic_try_cmpxchg_relaxed(v, o, n)	atomic_try_cmpxchg(v, o, n)
#define atomic_try_cmpxchg_acquire(v, o, n)	atomic_try_cmpxchg(v, o, n)
#define atomic_try_cmpxchg_release(v, o, n)	atomic_try_cmpxchg(v, o, n)
#define atomic64_read_acquire(v)		atomic64_read(v)
#define atomic64_set_release(v, i)		atomic64_set(v, i)
#define atomic64_inc_return_relaxed(v)		atomic64_inc_return(v)
#define atomic64_cmpxchg_relaxed(v, o, n)	atomic64_cmpxchg(v, o, n)
#define atomic64_try_cmpxchg_relaxed(v, o, n)	atomic64_try_cmpxchg(v, o, n)
#define atomic_long_read_acquire(v)		atomic_long_read(v)
#define atomic_long_set_release(v, i)		atomic_long_set(v, i)

/* --- barriers (asm/barrier.h) ------------------------------------------- */
#ifndef smp_mb
#define mb()			__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()			__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()			__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb()		mb()
#define smp_rmb()		rmb()
#define smp_wmb()		wmb()
#define smp_mb__before_atomic()	barrier()
#define smp_mb__after_atomic()	barrier()
#define smp_store_mb(var, value) do { WRITE_ONCE(var, value); smp_mb(); } while (0)
#define smp_store_release(p, v)	do { barrier(); WRITE_ONCE(*(p), v); } while (0)
#define smp_load_acquire(p) __extension__ ({				\
	__typeof__(*(p)) ___p1 = READ_ONCE(*(p));			\
	barrier();							\
	___p1;								\
})
#define smp_acquire__after_ctrl_dep()	barrier()
#endif

/* --- generic xchg/cmpxchg on plain variables (asm/cmpxchg.h) ------------ */
#ifndef cmpxchg
#define xchg(ptr, v) __extension__ ({					\
	__typeof__(ptr) __lusim_xp = (ptr);					\
	__typeof__(*(ptr)) __lusim_xold = *__lusim_xp;				\
	*__lusim_xp = (v);							\
	__lusim_xold;								\
})
#define cmpxchg(ptr, o, n) __extension__ ({				\
	__typeof__(ptr) __lusim_cp = (ptr);					\
	__typeof__(*(ptr)) __lusim_cold = *__lusim_cp;				\
	if (__lusim_cold == (o))						\
		*__lusim_cp = (n);						\
	__lusim_cold;								\
})
#define try_cmpxchg(ptr, oldp, n) __extension__ ({			\
	__typeof__(ptr) __lusim_tp = (ptr);					\
	__typeof__(oldp) __lusim_top = (oldp);				\
	__typeof__(*(ptr)) __lusim_tcur = *__lusim_tp;				\
	bool __lusim_tok = __lusim_tcur == *__lusim_top;					\
	if (__lusim_tok)							\
		*__lusim_tp = (n);						\
	else								\
		*__lusim_top = __lusim_tcur;					\
	__lusim_tok;								\
})
#define cmpxchg_relaxed(ptr, o, n)	cmpxchg(ptr, o, n)
#define xchg_relaxed(ptr, v)		xchg(ptr, v)
#endif

#endif /* _LUSIM_LINUX_ATOMIC_H */
