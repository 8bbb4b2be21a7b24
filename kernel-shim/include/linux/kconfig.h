/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/kconfig.h
 * Models: IS_ENABLED, IS_BUILTIN, IS_MODULE, IS_REACHABLE over the CONFIG_*
 *         macros meson passes (-DCONFIG_FOO=1), with the kernel's
 *         preprocessor technique, so `if (IS_ENABLED(CONFIG_FOO))` in
 *         pasted kernel code compiles as it does in the kernel.
 * Leaves out: the generated autoconf.h (the configuration is the
 *         kconfig_args list in sim/meson.build); the kernel force-includes
 *         this header, lusim includes it where needed.
 */
#ifndef _LUSIM_LINUX_KCONFIG_H
#define _LUSIM_LINUX_KCONFIG_H

#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val

#define __and(x, y)			___and(x, y)
#define ___and(x, y)			____and(__ARG_PLACEHOLDER_##x, y)
#define ____and(arg1_or_junk, y)	__take_second_arg(arg1_or_junk y, 0)

#define __or(x, y)			___or(x, y)
#define ___or(x, y)			____or(__ARG_PLACEHOLDER_##x, y)
#define ____or(arg1_or_junk, y)		__take_second_arg(arg1_or_junk 1, y)

#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)

#define IS_BUILTIN(option) __is_defined(option)
#define IS_MODULE(option) __is_defined(option##_MODULE)
#define IS_REACHABLE(option) __or(IS_BUILTIN(option), \
				__and(IS_MODULE(option), __is_defined(MODULE)))
#define IS_ENABLED(option) __or(IS_BUILTIN(option), IS_MODULE(option))

#endif /* _LUSIM_LINUX_KCONFIG_H */
