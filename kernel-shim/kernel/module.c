// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run-time readers of the export, import and modinfo records that
 * <linux/export.h> and <linux/module.h> place in their ELF sections. The
 * section bounds come from the linker's __start_/__stop_ symbols, declared
 * weak: a binary without any record of a kind simply has none.
 */
#include <linux/module.h>
#include <linux/string.h>

struct module __this_module = { .name = "lusim" };

extern const struct lusim_export __start_lusim_exports[] __attribute__((weak));
extern const struct lusim_export __stop_lusim_exports[] __attribute__((weak));
extern const struct lusim_import __start_lusim_imports[] __attribute__((weak));
extern const struct lusim_import __stop_lusim_imports[] __attribute__((weak));
extern const char __start_lusim_modinfo[] __attribute__((weak));
extern const char __stop_lusim_modinfo[] __attribute__((weak));

unsigned int lusim_for_each_export(int (*fn)(const struct lusim_export *e,
					     void *arg), void *arg)
{
	const struct lusim_export *e = __start_lusim_exports;
	unsigned int n = 0;

	if (!e)
		return 0;
	for (; e < __stop_lusim_exports; e++) {
		if (e->magic != LUSIM_EXPORT_MAGIC)
			continue;
		n++;
		if (fn && fn(e, arg))
			break;
	}
	return n;
}

unsigned int lusim_for_each_import(int (*fn)(const struct lusim_import *i,
					     void *arg), void *arg)
{
	const struct lusim_import *i = __start_lusim_imports;
	unsigned int n = 0;

	if (!i)
		return 0;
	for (; i < __stop_lusim_imports; i++) {
		if (i->magic != LUSIM_IMPORT_MAGIC)
			continue;
		n++;
		if (fn && fn(i, arg))
			break;
	}
	return n;
}

struct find_export_arg {
	const char *sym;
	const struct lusim_export *found;
};

static int find_export_fn(const struct lusim_export *e, void *arg)
{
	struct find_export_arg *a = arg;

	if (strcmp(e->sym, a->sym))
		return 0;
	a->found = e;
	return 1;
}

const struct lusim_export *lusim_find_export(const char *sym)
{
	struct find_export_arg a = { .sym = sym };

	lusim_for_each_export(find_export_fn, &a);
	return a.found;
}

struct imports_ns_arg {
	const char *module, *ns;
	bool found;
};

static int imports_ns_fn(const struct lusim_import *i, void *arg)
{
	struct imports_ns_arg *a = arg;

	if (strcmp(i->module, a->module) || strcmp(i->ns, a->ns))
		return 0;
	a->found = true;
	return 1;
}

bool lusim_module_imports_ns(const char *module, const char *ns)
{
	struct imports_ns_arg a = { .module = module, .ns = ns };

	lusim_for_each_import(imports_ns_fn, &a);
	return a.found;
}

const char *lusim_module_info(const char *module, const char *tag)
{
	const char *p = __start_lusim_modinfo, *end = __stop_lusim_modinfo;
	size_t mlen = strlen(module), tlen = strlen(tag);

	if (!p)
		return NULL;
	while (p < end) {
		size_t len = strnlen(p, (size_t)(end - p));

		/* "<module>.<tag>=<value>" */
		if (len > mlen + tlen + 1 && !strncmp(p, module, mlen) &&
		    p[mlen] == '.' && !strncmp(p + mlen + 1, tag, tlen) &&
		    p[mlen + 1 + tlen] == '=')
			return p + mlen + tlen + 2;
		p += len + 1;
		/* gaps between records (alignment padding) are NULs */
		while (p < end && !*p)
			p++;
	}
	return NULL;
}
