/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/bug.h, include/asm-generic/bug.h
 * Models: WARN_ON(cond), WARN_ON_ONCE(cond), WARN(cond, fmt...),
 *         WARN_ONCE(cond, fmt...), WARN_TAINT*, BUG(), BUG_ON(cond) with the
 *         kernel's semantics: the condition is evaluated once and the WARN
 *         forms return its truth value; the _ONCE forms report once per site
 *         (until lusim_reset_all()) but return the condition every time.
 *         Every hit is recorded as finding WARN (site "file:line", message
 *         with the condition text, e.g. "WARN_ON(!attach)", plus the
 *         formatted message for WARN()/WARN_ONCE()).
 *         WARN sites whose condition is an integer constant expression
 *         other than 0 and 1 (tested with __is_constexpr(), never with
 *         __builtin_constant_p, which turns true after inlining) are known
 *         at build time: every WARN site leaves a record in the ELF section
 *         "lusim_warn_sites" (read through __start_/__stop_ symbols), so
 *         lusim_warn_report_const_sites() reports WARN-CONST-COND even for
 *         a site that never runs. WARN_ON(1) / WARN(1, ...) are the
 *         kernel's idiom for an impossible branch and are not flagged.
 *         BUG()/BUG_ON(cond): finding BUG, then the bug handler (default
 *         abort(); tests install one that longjmps).
 * Leaves out: backtraces, taint flags (WARN_TAINT is WARN), bug tables,
 *         panic_on_warn, report_bug(), __WARN_printf's flag arguments.
 *         A WARN inside a static inline function that no translation unit
 *         instantiates leaves no record (the compiler emits nothing of it).
 */
#ifndef _LUSIM_LINUX_BUG_H
#define _LUSIM_LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/const.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

/*
 * One record per WARN site. Explicitly 8-aligned (type and object) so the
 * section is a dense array: gcc aligns larger static objects to 32 bytes
 * otherwise and leaves holes. The section name is a C identifier, which
 * also keeps ASan from padding the records with redzones (gcc and clang do
 * not instrument globals in such user sections).
 */
struct lusim_warn_site {
	const char *site;	/* "file:line" */
	const char *file;
	const char *cond;	/* "WARN_ON(-ENOENT)", "WARN(!x)" */
	long value;		/* the condition's value when is_const */
	unsigned int line;
	unsigned char is_const;	/* condition is an integer constant expr */
	unsigned char once;	/* WARN_ON_ONCE / WARN_ONCE */
	unsigned char warned;	/* once flag, cleared by lusim_reset_all() */
	unsigned char touched;	/* on the reset list */
	unsigned int hits;	/* hits since the last reset */
	unsigned int reserved;
} __attribute__((aligned(8)));

#define LUSIM_WARN_SECTION	"lusim_warn_sites"

/* The constant value of @x when it is an integer constant expression. */
#define __lusim_const_value(x)						\
	__builtin_choose_expr(__is_constexpr(x), (long)(x), 0L)

#define __LUSIM_WARN_RECORD(var, text, condition, is_once)		\
	static struct lusim_warn_site var				\
	__attribute__((__used__, __section__(LUSIM_WARN_SECTION),	\
		       __aligned__(8))) = {				\
		.site = LUSIM_SITE,					\
		.file = __FILE__,					\
		.cond = text,						\
		.value = __lusim_const_value(condition),		\
		.line = __LINE__,					\
		.is_const = __is_constexpr(condition),			\
		.once = (is_once),					\
	}

void lusim_warn_hit(struct lusim_warn_site *w) __attribute__((cold));
void lusim_warn_hit_fmt(struct lusim_warn_site *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), cold));

/* @call runs when the condition is true; it sees the record. */
#define __LUSIM_WARN(text, condition, is_once, call...) ({		\
	__LUSIM_WARN_RECORD(__lusim_warn_site, text, condition, is_once); \
	int __ret_warn_on = !!(condition);				\
									\
	if (unlikely(__ret_warn_on))					\
		call;							\
	unlikely(__ret_warn_on);					\
})

#define WARN_ON(condition)						\
	__LUSIM_WARN("WARN_ON(" #condition ")", condition, 0,		\
		     lusim_warn_hit(&__lusim_warn_site))
#define WARN_ON_ONCE(condition)						\
	__LUSIM_WARN("WARN_ON_ONCE(" #condition ")", condition, 1,	\
		     lusim_warn_hit(&__lusim_warn_site))
#define WARN(condition, format...)					\
	__LUSIM_WARN("WARN(" #condition ")", condition, 0,		\
		     lusim_warn_hit_fmt(&__lusim_warn_site, format))
#define WARN_ONCE(condition, format...)					\
	__LUSIM_WARN("WARN_ONCE(" #condition ")", condition, 1,	\
		     lusim_warn_hit_fmt(&__lusim_warn_site, format))
#define WARN_TAINT(condition, taint, format...)	WARN(condition, format)
#define WARN_TAINT_ONCE(condition, taint, format...) WARN_ONCE(condition, format)
#define WARN_ON_SMP(condition)		WARN_ON(condition)
#define VM_WARN_ON(condition)		WARN_ON(condition)
#define VM_WARN_ON_ONCE(condition)	WARN_ON_ONCE(condition)

/*
 * Fatal: report finding BUG ("BUG_ON(cond)" / "BUG()" plus any message) at
 * @site, then call the bug handler; never returns (if a handler returns,
 * abort()). In findings ABORT mode the report itself aborts.
 */
void lusim_bug(const char *site, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn, cold));
typedef void (*lusim_bug_handler_fn)(void);
/* NULL restores the default (abort()). Not reset by lusim_reset_all(). */
void lusim_set_bug_handler(lusim_bug_handler_fn fn);

#define BUG()		lusim_bug(LUSIM_SITE, "BUG()")
#define BUG_ON(condition)						\
	do {								\
		if (unlikely(condition))				\
			lusim_bug(LUSIM_SITE, "BUG_ON(%s)", #condition); \
	} while (0)
#define VM_BUG_ON(condition)		BUG_ON(condition)

/*
 * The build-time list: calls @fn for every WARN site whose condition is an
 * integer constant other than 0 and 1, sorted by (file, line), once per
 * (file, line, condition) even when a header's inline function left a record
 * in several translation units; returns how many there are (@fn may be NULL
 * to count).
 */
unsigned int lusim_warn_const_sites(void (*fn)(const struct lusim_warn_site *,
					       void *), void *arg);
/* Report WARN-CONST-COND for each of those (fuzz binaries: once at start). */
void lusim_warn_report_const_sites(void);
/* All WARN sites linked into the binary (reached or not). */
unsigned int lusim_warn_nr_sites(void);

#endif /* _LUSIM_LINUX_BUG_H */
