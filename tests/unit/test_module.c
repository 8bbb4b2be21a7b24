// SPDX-License-Identifier: GPL-2.0-only
/*
 * <linux/export.h>, <linux/module.h>: the export/import/modinfo records and
 * their run-time readers; module_init as an initcall.
 */
#define KBUILD_MODNAME "testmod"

#include <linux/module.h>
#include <linux/export.h>
#include <linux/errno.h>
#include <lusim/reset.h>
#include <string.h>

#include "lusim_test.h"

int testmod_plain(void);
int testmod_gpl(void);
int testmod_ns(void);
int testmod_ns_plain(void);

int testmod_plain(void) { return 1; }
EXPORT_SYMBOL(testmod_plain);
int testmod_gpl(void) { return 2; }
EXPORT_SYMBOL_GPL(testmod_gpl);
int testmod_ns(void) { return 3; }
EXPORT_SYMBOL_NS_GPL(testmod_ns, "IOMMUFD");
int testmod_ns_plain(void) { return 4; }
EXPORT_SYMBOL_NS(testmod_ns_plain, "TESTNS");

MODULE_IMPORT_NS("IOMMUFD");
MODULE_IMPORT_NS("DMA_BUF");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lusim module records test");
MODULE_AUTHOR("lusim");

static int init_ran;

static int __init testmod_init(void)
{
	init_ran++;
	return 0;
}
module_init(testmod_init);

static void __exit testmod_exit(void)
{
}
module_exit(testmod_exit);

static int count_fn(const struct lusim_export *e, void *arg)
{
	int *n = arg;

	assert_string_equal(e->module, "testmod");
	(*n)++;
	return 0;
}

static int stop_at_second(const struct lusim_export *e, void *arg)
{
	int *n = arg;

	(void)e;
	return ++(*n) == 2;
}

static void test_exports(void **state)
{
	const struct lusim_export *e;
	int n = 0;

	(void)state;
	assert_int_equal(lusim_for_each_export(count_fn, &n), 4);
	assert_int_equal(n, 4);

	e = lusim_find_export("testmod_ns");
	assert_non_null(e);
	assert_string_equal(e->ns, "IOMMUFD");
	assert_int_equal(e->gpl, 1);
	e = lusim_find_export("testmod_plain");
	assert_string_equal(e->ns, "");
	assert_int_equal(e->gpl, 0);
	e = lusim_find_export("testmod_ns_plain");
	assert_string_equal(e->ns, "TESTNS");
	assert_int_equal(e->gpl, 0);
	assert_int_equal(lusim_find_export("testmod_gpl")->gpl, 1);
	assert_null(lusim_find_export("not_exported"));

	n = 0;
	assert_int_equal(lusim_for_each_export(stop_at_second, &n), 2);
	/* the functions are still plain functions */
	assert_int_equal(testmod_plain() + testmod_gpl() + testmod_ns() +
			 testmod_ns_plain(), 10);
}

static int import_fn(const struct lusim_import *i, void *arg)
{
	int *n = arg;

	assert_string_equal(i->module, "testmod");
	assert_true(!strcmp(i->ns, "IOMMUFD") || !strcmp(i->ns, "DMA_BUF"));
	(*n)++;
	return 0;
}

static void test_imports_and_modinfo(void **state)
{
	int n = 0;

	(void)state;
	assert_int_equal(lusim_for_each_import(import_fn, &n), 2);
	assert_int_equal(n, 2);
	assert_true(lusim_module_imports_ns("testmod", "IOMMUFD"));
	assert_true(lusim_module_imports_ns("testmod", "DMA_BUF"));
	assert_false(lusim_module_imports_ns("testmod", "TESTNS"));
	assert_false(lusim_module_imports_ns("vfio", "IOMMUFD"));

	assert_string_equal(lusim_module_info("testmod", "license"), "GPL");
	assert_string_equal(lusim_module_info("testmod", "description"),
			    "lusim module records test");
	assert_string_equal(lusim_module_info("testmod", "author"), "lusim");
	assert_null(lusim_module_info("testmod", "version"));
	assert_null(lusim_module_info("testmo", "license"));
}

static void test_module_init(void **state)
{
	(void)state;
	init_ran = 0;
	assert_int_equal(lusim_boot(), 0);
	assert_int_equal(init_ran, 1);
	assert_true(try_module_get(THIS_MODULE));
	module_put(THIS_MODULE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_exports),
		lusim_unit_test(test_imports_and_modinfo),
		lusim_unit_test(test_module_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
