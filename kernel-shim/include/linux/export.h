/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/export.h
 * Models: EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, EXPORT_SYMBOL_NS(sym, ns),
 *         EXPORT_SYMBOL_NS_GPL(sym, ns) (ns a string literal, "IOMMUFD", as
 *         in kernels since 6.13), and DEFAULT_SYMBOL_NAMESPACE (when defined
 *         before this header, plain EXPORT_SYMBOL{,_GPL} export into it).
 *         Each export is a record in the ELF section "lusim_exports" (fixed
 *         size, no pointers: readable straight from an object file) naming
 *         the symbol, its namespace, GPL-only or not, and the exporting
 *         module (KBUILD_MODNAME, which the build passes per kernel module;
 *         "vmlinux" when undefined). kernel-shim/scripts/modpost reads these
 *         records and each module's undefined symbols, like the kernel's
 *         modpost, and reports NS-IMPORT-MISSING; kernel/module.c reads
 *         them at run time (<linux/module.h>: lusim_for_each_export).
 * Leaves out: symbol versioning (CRCs), __ksymtab lookups at run time
 *         (modules are linked statically, calls resolve at link time),
 *         the pre-6.13 bare-identifier namespace spelling.
 */
#ifndef _LUSIM_LINUX_EXPORT_H
#define _LUSIM_LINUX_EXPORT_H

#include <linux/compiler.h>

#define LUSIM_EXPORT_SYM_MAX	96
#define LUSIM_EXPORT_NS_MAX	32
#define LUSIM_MODNAME_MAX	32
#define LUSIM_EXPORT_MAGIC	0x4c45584fu	/* "LEXO" */
#define LUSIM_IMPORT_MAGIC	0x4c494d50u	/* "LIMP" */

#ifdef KBUILD_MODNAME
#define __LUSIM_MODNAME		KBUILD_MODNAME
#else
#define __LUSIM_MODNAME		"vmlinux"
#endif

/*
 * One exported symbol. Layout is part of the modpost tool's contract:
 * little-endian u32 magic, u32 gpl, then the three NUL-padded names;
 * 168 bytes, 8-aligned.
 */
struct lusim_export {
	unsigned int magic;
	unsigned int gpl;			/* 1: EXPORT_SYMBOL*_GPL */
	char sym[LUSIM_EXPORT_SYM_MAX];
	char ns[LUSIM_EXPORT_NS_MAX];		/* "" = no namespace */
	char module[LUSIM_MODNAME_MAX];
} __attribute__((__aligned__(8)));

/* One MODULE_IMPORT_NS(): u32 magic, u32 pad, ns, module; 72 bytes. */
struct lusim_import {
	unsigned int magic;
	unsigned int pad;
	char ns[LUSIM_EXPORT_NS_MAX];
	char module[LUSIM_MODNAME_MAX];
} __attribute__((__aligned__(8)));

#define __LUSIM_EXPORT(_sym, _ns, _gpl)					\
	_Static_assert(sizeof(#_sym) <= LUSIM_EXPORT_SYM_MAX,		\
		       "exported symbol name too long: " #_sym);	\
	_Static_assert(sizeof(_ns) <= LUSIM_EXPORT_NS_MAX,		\
		       "symbol namespace too long: " _ns);		\
	_Static_assert(sizeof(__LUSIM_MODNAME) <= LUSIM_MODNAME_MAX,	\
		       "module name too long: " __LUSIM_MODNAME);	\
	_Static_assert(sizeof(&(_sym)) != 0, "export of an undeclared symbol"); \
	static const struct lusim_export __lusim_export_##_sym		\
	__attribute__((__used__, __section__("lusim_exports"),		\
		       __aligned__(8))) = {				\
		.magic = LUSIM_EXPORT_MAGIC,				\
		.gpl = (_gpl),						\
		.sym = #_sym,						\
		.ns = _ns,						\
		.module = __LUSIM_MODNAME,				\
	}

#ifdef DEFAULT_SYMBOL_NAMESPACE
#define EXPORT_SYMBOL(_sym)	__LUSIM_EXPORT(_sym, DEFAULT_SYMBOL_NAMESPACE, 0)
#define EXPORT_SYMBOL_GPL(_sym)	__LUSIM_EXPORT(_sym, DEFAULT_SYMBOL_NAMESPACE, 1)
#else
#define EXPORT_SYMBOL(_sym)	__LUSIM_EXPORT(_sym, "", 0)
#define EXPORT_SYMBOL_GPL(_sym)	__LUSIM_EXPORT(_sym, "", 1)
#endif
#define EXPORT_SYMBOL_NS(_sym, _ns)	__LUSIM_EXPORT(_sym, _ns, 0)
#define EXPORT_SYMBOL_NS_GPL(_sym, _ns)	__LUSIM_EXPORT(_sym, _ns, 1)
#define EXPORT_SYMBOL_FOR_MODULES(_sym, mods) __LUSIM_EXPORT(_sym, "", 1)

#endif /* _LUSIM_LINUX_EXPORT_H */
