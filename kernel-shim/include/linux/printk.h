/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/printk.h
 * Models: printk and pr_{emerg,alert,crit,err,warn,notice,info,debug} with
 *         pr_fmt; messages go to lusim's kernel log (stderr when LUSIM_LOG
 *         verbosity allows; the default shows pr_err and worse).
 * Leaves out: ratelimiting, dev_printk's struct device naming (dev_* print
 *         the device's name through <linux/device.h> where modelled).
 */
#ifndef _LUSIM_LINUX_PRINTK_H
#define _LUSIM_LINUX_PRINTK_H

#define KERN_EMERG	"<0>"
#define KERN_ALERT	"<1>"
#define KERN_CRIT	"<2>"
#define KERN_ERR	"<3>"
#define KERN_WARNING	"<4>"
#define KERN_NOTICE	"<5>"
#define KERN_INFO	"<6>"
#define KERN_DEBUG	"<7>"

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 0..7, messages with a level above this are dropped (default 3 = KERN_ERR) */
void lusim_set_loglevel(int level);

#define pr_emerg(fmt, ...)	printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)	printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)	printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_once		pr_warn
#define pr_err_once		pr_err
#define pr_info_once		pr_info

#endif /* _LUSIM_LINUX_PRINTK_H */
