// SPDX-License-Identifier: GPL-2.0-only
/* The findings sink: dedup by (id, site), suppression, reset. */
#include "lusim_test.h"

#include <linux/compiler.h>

#include <stdio.h>
#include <string.h>

static void test_dedup_by_id_and_site(void **state)
{
	(void)state;
	lusim_report("TEST-A", "x.c:1", NULL, "first %d", 1);
	lusim_report("TEST-A", "x.c:1", NULL, "again");
	lusim_report("TEST-A", "x.c:2", NULL, "other site");
	lusim_report("TEST-B", "x.c:1", "detail line\n", "b");
	assert_int_equal(lusim_findings_count(), 3);
	assert_int_equal(lusim_findings_has("TEST-A"), 2);
	assert_int_equal(lusim_findings_has("TEST-B"), 1);
	assert_int_equal(lusim_findings_has("TEST-C"), 0);
	assert_int_equal(lusim_findings_get(0)->hits, 2);
	assert_string_equal(lusim_findings_get(0)->msg, "first 1");
	assert_string_equal(lusim_findings_get(2)->detail, "detail line\n");
	assert_null(lusim_findings_get(3));
}

static void test_suppression(void **state)
{
	(void)state;
	assert_int_equal(lusim_findings_suppress("TEST-S@y.c"), 0);
	assert_int_equal(lusim_findings_suppress(""), -1);
	lusim_report("TEST-S", "y.c:10", NULL, "suppressed");
	lusim_report("TEST-S", "z.c:10", NULL, "not suppressed");
	assert_int_equal(lusim_findings_count(), 2);
	assert_true(lusim_findings_get(0)->suppressed);
	assert_false(lusim_findings_get(1)->suppressed);
	assert_int_equal(lusim_findings_has("TEST-S"), 1);
}

/* A site in this function, as the shim's LUSIM_SITE makes it. */
static const char *site_here(void)
{
	return __FILE__ ":" __stringify(__LINE__);
}

static void test_suppression_by_function(void **state)
{
	(void)state;
	assert_int_equal(lusim_findings_suppress("TEST-F@site_here()"), 0);
	assert_int_equal(lusim_findings_suppress("TEST-G@test_findings.c:site_here()"), 0);
	assert_int_equal(lusim_findings_suppress("TEST-H@other.c:site_here()"), 0);
	assert_int_equal(lusim_findings_suppress("TEST-I@luo_open()"), 0);
	lusim_report("TEST-F", site_here(), NULL, "in site_here()");
	lusim_report("TEST-F", __FILE__ ":" __stringify(__LINE__), NULL, "elsewhere");
	lusim_report("TEST-G", site_here(), NULL, "file and function");
	lusim_report("TEST-H", site_here(), NULL, "not that file");
	lusim_report("TEST-I", "luo_open", NULL, "an op's name as the site");
	lusim_report("TEST-F", "nosuchfile.c:3", NULL, "no source");
	assert_int_equal(lusim_findings_count(), 6);
	assert_true(lusim_findings_get(0)->suppressed);
	assert_false(lusim_findings_get(1)->suppressed);
	assert_true(lusim_findings_get(2)->suppressed);
	assert_false(lusim_findings_get(3)->suppressed);
	assert_true(lusim_findings_get(4)->suppressed);
	assert_false(lusim_findings_get(5)->suppressed);
}

static size_t fake_trace(char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "trace: op1\n");
}

static void test_trace_hook_and_reset(void **state)
{
	(void)state;
	lusim_findings_set_trace(fake_trace);
	lusim_report("TEST-T", NULL, "d\n", "with trace");
	lusim_findings_set_trace(NULL);
	assert_string_equal(lusim_findings_get(0)->detail, "d\ntrace: op1\n");
	lusim_reset_all();
	assert_int_equal(lusim_findings_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_dedup_by_id_and_site),
		lusim_unit_test(test_suppression),
		lusim_unit_test(test_suppression_by_function),
		lusim_unit_test(test_trace_hook_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
