/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/string.h (+ the kasprintf of linux/sprintf.h)
 * Models: the C library's <string.h> (memcpy, memset, strcmp, ...), and
 *         the kernel's additions: strscpy (2- and 3-argument forms,
 *         -E2BIG on truncation), strscpy_pad, str_has_prefix,
 *         memzero_explicit, memchr_inv, sysfs_streq, strreplace; and the
 *         allocating helpers kstrdup, kstrndup, kstrdup_const, kfree_const,
 *         kmemdup, kmemdup_nul, kasprintf, kvasprintf, which go through
 *         lusim's slab (fault points, leak tracking by caller site).
 * Leaves out: the fortify checks, strlcpy (gone from the kernel), kstrtox
 *         (<linux/kstrtox.h>).
 * The system uapi <linux/string.h> only includes <string.h>; it is pulled
 * in first (include_next), so user-space string functions are all there.
 */
#ifndef _LUSIM_LINUX_STRING_H
#define _LUSIM_LINUX_STRING_H

#include_next <linux/string.h>
#include <string.h>
#include <stdarg.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/overflow.h>

#ifndef LUSIM_SITE
#define LUSIM_SITE	__FILE__ ":" __stringify(__LINE__)
#endif

/*
 * Copy @src into @dst of @count bytes, always NUL-terminated (if count > 0).
 * Returns the length copied, or -E2BIG if @src did not fit (dst then holds
 * the truncated string).
 */
ssize_t lusim_strscpy(char *dst, const char *src, size_t count);
ssize_t lusim_strscpy_pad(char *dst, const char *src, size_t count);

/* the 2-argument forms take sizeof(dst): dst must be an array */
#define __lusim_must_be_array(a) \
	((int)sizeof(struct { int:(-!!__same_type(a, &(a)[0])); }))
#define __lusim_strscpy2(dst, src) \
	lusim_strscpy(dst, src, sizeof(dst) + __lusim_must_be_array(dst))
#define __lusim_strscpy3(dst, src, n)	lusim_strscpy(dst, src, n)
#define __lusim_strscpy_pad2(dst, src) \
	lusim_strscpy_pad(dst, src, sizeof(dst) + __lusim_must_be_array(dst))
#define __lusim_strscpy_pad3(dst, src, n) lusim_strscpy_pad(dst, src, n)
#define __lusim_argc3(_1, _2, _3, n, ...) n
#define strscpy(...) \
	__PASTE(__lusim_strscpy, __lusim_argc3(__VA_ARGS__, 3, 2, 1))(__VA_ARGS__)
#define strscpy_pad(...) \
	__PASTE(__lusim_strscpy_pad, __lusim_argc3(__VA_ARGS__, 3, 2, 1))(__VA_ARGS__)

/* Length of @prefix if @str starts with it, else 0. */
static inline size_t str_has_prefix(const char *str, const char *prefix)
{
	size_t len = strlen(prefix);

	return strncmp(str, prefix, len) == 0 ? len : 0;
}

static inline void memzero_explicit(void *s, size_t count)
{
	memset(s, 0, count);
	__asm__ __volatile__("" : : "r"(s) : "memory");
}

/* First byte in [start, start+bytes) that is not @c, or NULL. */
static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = start;

	for (size_t i = 0; i < bytes; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

/* Equal, ignoring one trailing newline on either side. */
static inline bool sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	if (*s1 == '\n' && !s1[1] && !*s2)
		return true;
	return false;
}

static inline char *strreplace(char *str, char old, char new)
{
	char *s = str;

	for (; *s; ++s)
		if (*s == old)
			*s = new;
	return s;
}

/* --- allocating helpers (mm/slab.c) ------------------------------------- */

char *__lusim_kstrdup(const char *s, gfp_t gfp, const char *site,
		      const char *func);
char *__lusim_kstrndup(const char *s, size_t max, gfp_t gfp, const char *site,
		       const char *func);
void *__lusim_kmemdup(const void *src, size_t len, gfp_t gfp, const char *site,
		      const char *func);
char *__lusim_kmemdup_nul(const char *s, size_t len, gfp_t gfp,
			  const char *site, const char *func);
char *__lusim_kvasprintf(gfp_t gfp, const char *site, const char *func,
			 const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
char *__lusim_kasprintf(gfp_t gfp, const char *site, const char *func,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void __lusim_kfree_const(const void *x, const char *site);

#define kstrdup(s, gfp)		__lusim_kstrdup(s, gfp, LUSIM_SITE, __func__)
/* lusim keeps no .rodata check: kstrdup_const always copies */
#define kstrdup_const(s, gfp)	__lusim_kstrdup(s, gfp, LUSIM_SITE, __func__)
#define kstrndup(s, max, gfp)	__lusim_kstrndup(s, max, gfp, LUSIM_SITE, __func__)
#define kmemdup(src, len, gfp)	__lusim_kmemdup(src, len, gfp, LUSIM_SITE, __func__)
#define kmemdup_nul(s, len, gfp) \
	__lusim_kmemdup_nul(s, len, gfp, LUSIM_SITE, __func__)
#define kmemdup_array(src, n, size, gfp) \
	__lusim_kmemdup(src, size_mul(n, size), gfp, LUSIM_SITE, __func__)
#define kasprintf(gfp, fmt, ...) \
	__lusim_kasprintf(gfp, LUSIM_SITE, __func__, fmt, ##__VA_ARGS__)
#define kvasprintf(gfp, fmt, ap) \
	__lusim_kvasprintf(gfp, LUSIM_SITE, __func__, fmt, ap)
#define kfree_const(x)		__lusim_kfree_const(x, LUSIM_SITE)

#endif /* _LUSIM_LINUX_STRING_H */
