/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/sprintf.h
 * Models: sprintf, snprintf, vsnprintf (the C library's, same contract),
 *         scnprintf/vscnprintf (bytes written, never more than size - 1).
 * Leaves out: the kernel's %p extensions (%pK, %pS, %pe, ...): host
 *         addresses must not reach output anyway (determinism), and
 *         kasprintf/kvasprintf, which <linux/string.h> declares.
 */
#ifndef _LUSIM_LINUX_SPRINTF_H
#define _LUSIM_LINUX_SPRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline int vscnprintf(char *buf, size_t size, const char *fmt,
			     va_list args)
{
	int i;

	if (!size)
		return 0;
	i = vsnprintf(buf, size, fmt, args);
	if (i < 0)
		return 0;
	return (size_t)i < size ? i : (int)(size - 1);
}

static inline int __attribute__((format(printf, 3, 4)))
scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int i;

	va_start(args, fmt);
	i = vscnprintf(buf, size, fmt, args);
	va_end(args);
	return i;
}

#endif /* _LUSIM_LINUX_SPRINTF_H */
