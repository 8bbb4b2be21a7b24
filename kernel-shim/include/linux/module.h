/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stands for: include/linux/module.h (+ moduleparam.h, the module parts of
 *             init.h)
 * Models: MODULE_IMPORT_NS("NS") as a record in the ELF section
 *         "lusim_imports" (read by kernel-shim/scripts/modpost, which
 *         reports NS-IMPORT-MISSING for a module using a namespaced symbol it
 *         did not import, and at run time by lusim_for_each_import);
 *         MODULE_LICENSE / AUTHOR / DESCRIPTION / ALIAS / SOFTDEP / INFO as
 *         "<module>.<tag>=<value>" strings in the section "lusim_modinfo"
 *         (the kernel's .modinfo; modpost checks the licence for GPL-only
 *         symbols); module_init(fn) as a LUSIM_INIT_DEVICE initcall run by
 *         lusim_boot() (<lusim/reset.h>); module_exit(fn) is kept but never
 *         runs (the model is torn down by kexec/reset, not unloaded);
 *         THIS_MODULE, try_module_get/module_put (always succeed),
 *         module_param & co (no-ops); the exports of <linux/export.h>.
 * Leaves out: loading, unloading and module refcounts (kernel-model.md: the
 *         simulator ignores module refcounts), symbol lookup at run time,
 *         module parameters' values (they keep their initialisers).
 */
#ifndef _LUSIM_LINUX_MODULE_H
#define _LUSIM_LINUX_MODULE_H

#include_next <linux/module.h>
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/export.h>
#include <lusim/reset.h>

struct module {
	char name[LUSIM_MODNAME_MAX];
};

/* Modules are linked in: they all share one static struct module. */
extern struct module __this_module;
#define THIS_MODULE	(&__this_module)

static inline bool try_module_get(struct module *module)
{
	(void)module;
	return true;
}

static inline void module_put(struct module *module)
{
	(void)module;
}

static inline void __module_get(struct module *module)
{
	(void)module;
}

#define MODULE_IMPORT_NS(_ns)						\
	_Static_assert(sizeof(_ns) <= LUSIM_EXPORT_NS_MAX,		\
		       "symbol namespace too long: " _ns);		\
	static const struct lusim_import __UNIQUE_ID(lusim_import)	\
	__attribute__((__used__, __section__("lusim_imports"),		\
		       __aligned__(8))) = {				\
		.magic = LUSIM_IMPORT_MAGIC,				\
		.ns = _ns,						\
		.module = __LUSIM_MODNAME,				\
	}

#define MODULE_INFO(tag, info)						\
	static const char __UNIQUE_ID(lusim_modinfo)[]			\
	__attribute__((__used__, __section__("lusim_modinfo"),		\
		       __aligned__(1))) =				\
		__LUSIM_MODNAME "." __stringify(tag) "=" info

#define MODULE_LICENSE(_license)	MODULE_INFO(license, _license)
#define MODULE_AUTHOR(_author)		MODULE_INFO(author, _author)
#define MODULE_DESCRIPTION(_desc)	MODULE_INFO(description, _desc)
#define MODULE_ALIAS(_alias)		MODULE_INFO(alias, _alias)
#define MODULE_SOFTDEP(_softdep)	MODULE_INFO(softdep, _softdep)
#define MODULE_VERSION(_version)	MODULE_INFO(version, _version)
#define MODULE_FIRMWARE(_firmware)	MODULE_INFO(firmware, _firmware)
#define MODULE_DEVICE_TABLE(type, name)	\
	static __maybe_unused const void *__UNIQUE_ID(lusim_devtable) = &(name)

#define module_param(name, type, perm)					\
	static __maybe_unused const void *__lusim_param_##name = &(name)
#define module_param_named(name, value, type, perm)			\
	static __maybe_unused const void *__lusim_param_##name = &(value)
#define MODULE_PARM_DESC(_parm, desc)

#ifndef module_init
#define module_init(fn)		LUSIM_INITCALL(fn, LUSIM_INIT_DEVICE)
#endif
#ifndef module_exit
#define module_exit(fn)							\
	static __maybe_unused void (*__lusim_exitcall_##fn)(void) = (fn)
#endif

/* --- run-time readers of the records (kernel/module.c) ------------------- */

/*
 * Call @fn for every export / import record linked into this binary, in
 * link order; stop early when @fn returns non-zero. Returns the number of
 * records visited.
 */
unsigned int lusim_for_each_export(int (*fn)(const struct lusim_export *e,
					     void *arg), void *arg);
unsigned int lusim_for_each_import(int (*fn)(const struct lusim_import *i,
					     void *arg), void *arg);
/* The export record of @sym, or NULL. */
const struct lusim_export *lusim_find_export(const char *sym);
/* Does @module carry MODULE_IMPORT_NS(@ns)? */
bool lusim_module_imports_ns(const char *module, const char *ns);
/*
 * The value of modinfo @tag of @module ("license" -> "GPL"), or NULL; the
 * pointer is into the record (NUL-terminated).
 */
const char *lusim_module_info(const char *module, const char *tag);

#endif /* _LUSIM_LINUX_MODULE_H */
