// SPDX-License-Identifier: GPL-2.0-only
/*
 * printk: the kernel log goes to stderr, filtered by level. The level is set
 * by lusim_set_loglevel() (the CLI's -v), never read from the environment on
 * the hot path.
 */
#include <linux/printk.h>

#include <stdarg.h>
#include <stdio.h>

static int console_loglevel = 3;	/* KERN_ERR and worse */

void lusim_set_loglevel(int level)
{
	console_loglevel = level;
}

int printk(const char *fmt, ...)
{
	int level = 4;		/* default_message_loglevel */
	va_list ap;
	int n;

	if (fmt[0] == '<' && fmt[1] >= '0' && fmt[1] <= '7' && fmt[2] == '>') {
		level = fmt[1] - '0';
		fmt += 3;
	}
	if (level > console_loglevel)
		return 0;
	va_start(ap, fmt);
	n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}
