/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/cleanup.h (+ the DEFINE_GUARD lines of mutex.h,
 *             spinlock.h, rwsem.h; rcupdate.h and slab.h carry their own)
 * Models: scope-based cleanup on __attribute__((cleanup)), as the kernel:
 *         DEFINE_FREE / __free(name) / no_free_ptr / return_ptr /
 *         retain_and_null_ptr; DEFINE_CLASS / EXTEND_CLASS / CLASS;
 *         DEFINE_GUARD / DEFINE_GUARD_COND / guard(name)(args) /
 *         scoped_guard(name, args) { } / scoped_cond_guard(name, fail, args);
 *         DEFINE_LOCK_GUARD_0 / _1 / _1_COND for guards that keep more than
 *         a pointer (spinlock_irqsave keeps the flags).
 *         Guards defined here (when the lock header is included): mutex,
 *         mutex_try, mutex_intr, spinlock, spinlock_irq, spinlock_irqsave,
 *         spinlock_bh, spinlock_try, rwsem_read, rwsem_write,
 *         rwsem_read_try, rwsem_write_try; rcu is in <linux/rcupdate.h>,
 *         kfree / kvfree in <linux/slab.h>.
 *         lusim addition: a lock taken by guard()/scoped_guard() records the
 *         "file:line" of the guard statement as its acquire site (CLASS()
 *         stores it in a per-file variable the guard constructors read), so
 *         lock findings name the caller, not this header. The unlock at
 *         scope end reports as site "guard(<name>) scope end".
 * Leaves out: the _RET-style 4-argument DEFINE_GUARD_COND of newer kernels,
 *         the kernel's goto-based scoped_guard (a plain for loop here: a
 *         `break` in the body leaves the guarded scope, as it always did),
 *         DEFINE_GUARD_ARGS / ACQUIRE() of 6.17+.
 *
 * Include order: the lock guards are defined in the trailing sections
 * below, which run again on every inclusion of this header. A file that
 * includes <linux/mutex.h> after <linux/cleanup.h> gets the mutex guards
 * when it (or any header it includes afterwards) includes cleanup.h again;
 * the lock headers end by including <linux/cleanup.h> for that reason.
 */
#ifndef _LUSIM_LINUX_CLEANUP_H
#define _LUSIM_LINUX_CLEANUP_H

#include <linux/compiler.h>
#include <stddef.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

#define __cleanup(func)	__attribute__((__cleanup__(func)))

/*
 * Site of the CLASS()/guard() statement being constructed; one per
 * translation unit (the constructors are static inline in the same unit).
 */
static __attribute__((__unused__)) const char *__lusim_guard_site = "guard";

/* --- __free() ------------------------------------------------------------ */

/*
 * DEFINE_FREE(name, type, free_expr): `type p __free(name) = ...;` runs
 * free_expr with _T = p when p goes out of scope (also on NULL or an error
 * pointer: free_expr must cope, the kernel idiom is `if (_T) kfree(_T)`).
 */
#define DEFINE_FREE(_name, _type, _free)				\
	static __always_inline void __free_##_name(void *p)		\
	{								\
		_type _T = *(_type *)p;					\
		_free;							\
	}

#define __free(_name)	__cleanup(__free_##_name)

#define __get_and_null(p, nullvalue) __extension__ ({			\
	__auto_type __lusim_ptr = &(p);					\
	__auto_type __lusim_val = *__lusim_ptr;				\
	*__lusim_ptr = nullvalue;					\
	__lusim_val;							\
})

static __always_inline __must_check const volatile void *
__must_check_fn(const volatile void *val)
{
	return val;
}

/* Take the pointer out of a __free() variable: the cleanup then sees NULL. */
#define no_free_ptr(p)							\
	((__typeof__(p))__must_check_fn((const volatile void *)__get_and_null(p, NULL)))

#define return_ptr(p)		return no_free_ptr(p)

/* Keep the object (ownership passed on elsewhere) and disarm the cleanup. */
#define retain_and_null_ptr(p)	((void)__get_and_null(p, NULL))

/* --- classes ------------------------------------------------------------- */

/*
 * DEFINE_CLASS(name, type, exit_expr, init_expr, init_args...):
 * `CLASS(name, var)(args);` declares `type var = init_expr` (init_args are
 * the parameters init_expr sees) and runs exit_expr with _T = var at scope
 * end.
 */
#define DEFINE_CLASS(_name, _type, _exit, _init, _init_args...)	\
typedef _type class_##_name##_t;					\
static __always_inline void class_##_name##_destructor(_type *p)	\
{									\
	_type _T = *p;							\
	_exit;								\
}									\
static __always_inline _type class_##_name##_constructor(_init_args)	\
{									\
	_type t = _init;						\
	return t;							\
}

#define EXTEND_CLASS(_name, ext, _init, _init_args...)			\
typedef class_##_name##_t class_##_name##ext##_t;			\
static __always_inline void						\
class_##_name##ext##_destructor(class_##_name##_t *p)			\
{									\
	class_##_name##_destructor(p);					\
}									\
static __always_inline class_##_name##_t				\
class_##_name##ext##_constructor(_init_args)				\
{									\
	class_##_name##_t t = _init;					\
	return t;							\
}

#define CLASS(_name, var)						\
	class_##_name##_t var __attribute__((__unused__))		\
		__cleanup(class_##_name##_destructor) =			\
		(__lusim_guard_site = LUSIM_SITE, class_##_name##_constructor)

/* --- guards -------------------------------------------------------------- */

/*
 * DEFINE_GUARD(name, type, lock_expr, unlock_expr): a class holding the lock
 * pointer _T; guard(name)(ptr) locks now and unlocks at scope end.
 */
#define DEFINE_GUARD(_name, _type, _lock, _unlock)			\
	DEFINE_CLASS(_name, _type, if (_T) { _unlock; }, ({ _lock; _T; }), _type _T)	\
	static __always_inline void *					\
	class_##_name##_lock_ptr(class_##_name##_t *_T)			\
	{								\
		return (void *)(unsigned long)*_T;			\
	}

/*
 * A conditional variant name##ext of guard name: condlock_expr returns
 * non-zero on success; on failure the guard holds NULL and unlocks nothing.
 */
#define DEFINE_GUARD_COND(_name, _ext, _condlock)			\
	EXTEND_CLASS(_name, _ext,					\
		     ({ class_##_name##_t _t = _T;			\
			if (_T && !(_condlock)) _t = NULL;		\
			_t; }),						\
		     class_##_name##_t _T)				\
	static __always_inline void *					\
	class_##_name##_ext##_lock_ptr(class_##_name##_t *_T)		\
	{								\
		return class_##_name##_lock_ptr(_T);			\
	}

#define __guard_ptr(_name)	class_##_name##_lock_ptr

#define guard(_name)	CLASS(_name, __UNIQUE_ID(guard))

#define __scoped_guard(_name, _scope, _done, args...)			\
	for (CLASS(_name, _scope)(args), *_done = NULL;			\
	     __guard_ptr(_name)(&_scope) && !_done;			\
	     _done = (void *)1)

/*
 * scoped_guard(name, args) { body }: body runs with the lock held (not at
 * all if a conditional guard failed to lock); unlocked when body ends.
 */
#define scoped_guard(_name, args...)					\
	__scoped_guard(_name, __UNIQUE_ID(scope), __UNIQUE_ID(done), args)

#define __scoped_cond_guard(_name, _fail, _scope, _done, args...)	\
	for (CLASS(_name, _scope)(args), *_done = NULL; !_done;		\
	     _done = (void *)1)						\
		if (!__guard_ptr(_name)(&_scope)) {			\
			_fail;						\
		} else

/* scoped_cond_guard(name, fail_stmt, args) { body }: fail_stmt if not locked */
#define scoped_cond_guard(_name, _fail, args...)			\
	__scoped_cond_guard(_name, _fail, __UNIQUE_ID(scope),		\
			    __UNIQUE_ID(done), args)

/*
 * Lock guards with extra state: the class is a struct { type *lock; extra }
 * and lock/unlock see _T pointing at it (_T->lock, _T->flags).
 */
#define __DEFINE_UNLOCK_GUARD(_name, _type, _unlock, ...)		\
typedef struct {							\
	_type *lock;							\
	__VA_ARGS__;							\
} class_##_name##_t;							\
static __always_inline void class_##_name##_destructor(class_##_name##_t *_T) \
{									\
	if (_T->lock) {							\
		_unlock;						\
	}								\
}									\
static __always_inline void *class_##_name##_lock_ptr(class_##_name##_t *_T) \
{									\
	return (void *)_T->lock;					\
}

#define DEFINE_LOCK_GUARD_1(_name, _type, _lock, _unlock, ...)		\
__DEFINE_UNLOCK_GUARD(_name, _type, _unlock, __VA_ARGS__)		\
static __always_inline class_##_name##_t				\
class_##_name##_constructor(_type *l)					\
{									\
	class_##_name##_t _t = { .lock = l }, *_T = &_t;		\
	_lock;								\
	return _t;							\
}

#define DEFINE_LOCK_GUARD_0(_name, _lock, _unlock, ...)		\
__DEFINE_UNLOCK_GUARD(_name, void, _unlock, __VA_ARGS__)		\
static __always_inline class_##_name##_t class_##_name##_constructor(void) \
{									\
	class_##_name##_t _t = { .lock = (void *)1 },			\
			  *_T __attribute__((__unused__)) = &_t;	\
	_lock;								\
	return _t;							\
}

#define DEFINE_LOCK_GUARD_1_COND(_name, _ext, _condlock)		\
typedef class_##_name##_t class_##_name##_ext##_t;			\
static __always_inline void						\
class_##_name##_ext##_destructor(class_##_name##_t *_T)			\
{									\
	class_##_name##_destructor(_T);					\
}									\
static __always_inline void *						\
class_##_name##_ext##_lock_ptr(class_##_name##_t *_T)			\
{									\
	return class_##_name##_lock_ptr(_T);				\
}									\
static __always_inline class_##_name##_t				\
class_##_name##_ext##_constructor(__typeof__(((class_##_name##_t *)0)->lock) l) \
{									\
	class_##_name##_t _t = { .lock = l }, *_T = &_t;		\
	if (_T->lock && !(_condlock))					\
		_T->lock = NULL;					\
	return _t;							\
}

#endif /* _LUSIM_LINUX_CLEANUP_H */

/*
 * --- lock guards ----------------------------------------------------------
 * Outside the include guard on purpose: each section is defined once, on the
 * first inclusion of this header after the lock header it needs.
 */

#if defined(_LUSIM_LINUX_MUTEX_H) && !defined(__LUSIM_GUARDS_MUTEX)
#define __LUSIM_GUARDS_MUTEX
DEFINE_GUARD(mutex, struct mutex *,
	     lusim_mutex_lock(_T, 0, __lusim_guard_site),
	     lusim_mutex_unlock(_T, "guard(mutex) scope end"))
DEFINE_GUARD_COND(mutex, _try, lusim_mutex_trylock(_T, __lusim_guard_site))
/* interruptible sleeps never get a signal here: it always locks */
DEFINE_GUARD_COND(mutex, _intr,
		  (lusim_mutex_lock(_T, 0, __lusim_guard_site), 1))
#endif

#if defined(_LUSIM_LINUX_SPINLOCK_H) && !defined(__LUSIM_GUARDS_SPINLOCK)
#define __LUSIM_GUARDS_SPINLOCK
DEFINE_LOCK_GUARD_1(spinlock, spinlock_t,
		    lusim_spin_lock(_T->lock, 0, __lusim_guard_site),
		    lusim_spin_unlock(_T->lock, "guard(spinlock) scope end"))
DEFINE_LOCK_GUARD_1_COND(spinlock, _try,
			 lusim_spin_trylock(_T->lock, __lusim_guard_site))
DEFINE_LOCK_GUARD_1(spinlock_irq, spinlock_t,
		    local_irq_disable();
		    lusim_spin_lock(_T->lock, 0, __lusim_guard_site),
		    lusim_spin_unlock(_T->lock, "guard(spinlock_irq) scope end");
		    local_irq_enable())
DEFINE_LOCK_GUARD_1(spinlock_irqsave, spinlock_t,
		    local_irq_save(_T->flags);
		    lusim_spin_lock(_T->lock, 0, __lusim_guard_site),
		    lusim_spin_unlock(_T->lock, "guard(spinlock_irqsave) scope end");
		    local_irq_restore(_T->flags),
		    unsigned long flags)
DEFINE_LOCK_GUARD_1(spinlock_bh, spinlock_t,
		    local_bh_disable();
		    lusim_spin_lock(_T->lock, 0, __lusim_guard_site),
		    lusim_spin_unlock(_T->lock, "guard(spinlock_bh) scope end");
		    local_bh_enable())
#endif

#if defined(_LUSIM_LINUX_RWSEM_H) && !defined(__LUSIM_GUARDS_RWSEM)
#define __LUSIM_GUARDS_RWSEM
DEFINE_GUARD(rwsem_read, struct rw_semaphore *,
	     lusim_down_read(_T, 0, __lusim_guard_site),
	     lusim_up_read(_T, "guard(rwsem_read) scope end"))
DEFINE_GUARD_COND(rwsem_read, _try,
		  lusim_down_read_trylock(_T, __lusim_guard_site))
DEFINE_GUARD(rwsem_write, struct rw_semaphore *,
	     lusim_down_write(_T, 0, __lusim_guard_site),
	     lusim_up_write(_T, "guard(rwsem_write) scope end"))
DEFINE_GUARD_COND(rwsem_write, _try,
		  lusim_down_write_trylock(_T, __lusim_guard_site))
#endif
