// SPDX-License-Identifier: GPL-2.0-only
/*
 * INV-LU-INTERFERENCE, the live-update differential (sim/ops/opdiff.c):
 * an op that touches nothing a preserve reached must return what it
 * returns without live update.
 *
 * The mutation is a test hook, no reviewer bug: a check registered here
 * arms a slab fault after the first preserve of a run, once per test, so
 * the first run's next op (an iommufd_open, unrelated to the preserved
 * memfd) fails with -ENOMEM and the comparison run, which has no preserve,
 * does not.
 */
#include <stdlib.h>
#include <string.h>

#include <check/check.h>
#include <lusim/fault.h>
#include <ops/oplang.h>

#include "lusim_test.h"

static struct opl_vm *vm;
static bool arm, armed;

static void arm_after_preserve(const struct lusim_check_ctx *ctx)
{
	if (!arm || armed || strcmp(ctx->op, "preserve") || ctx->ret)
		return;
	armed = true;
	lusim_fail_nth(LUSIM_FAULT_SLAB, 1);
}

static struct lusim_check test_arm_check = {
	.id = "TEST-ARM-FAULT",
	.area = "test",
	.desc = "test hook: arm a slab fault after the first preserve",
	.when = LUSIM_CHECK_OP_END,
	.run = arm_after_preserve,
};

static const char base[] =
	"fd = iommufd_open\n"
	"A = ioas_alloc fd\n"
	"m = memfd_create flags=sealing\n"
	"memfd_truncate m pages=4\n"
	"memfd_seal m\n"
	"ioas_map_file fd A m iova=0x10000 pages=4 expect ok\n"
	"luo = luo_open\n"
	"s = session_create luo name=vm0\n"
	"preserve s m token=1 expect ok\n";

/* Run @text; returns the result, findings stay recorded. */
static struct opl_result run(const char *text)
{
	struct opl_run_opts opts = { .silent = true, .keep_going = true };
	struct opl_str err = { 0 };
	struct opl_script *s;
	struct opl_result res;

	s = opl_script_parse("t.lus", text, strlen(text), &err);
	if (!s)
		fail_msg("%s", err.s);
	opl_script_run(s, vm, &opts, &res);
	opl_script_free(s);
	return res;
}

/*
 * The base chain, then @tail, with the fault armed after the preserve when
 * @arm; every check on, findings cleared first. Asserts every expect of
 * the text held and no finding came unexpected.
 */
static void run_case(const char *tail, bool arm_fault)
{
	char text[1024];
	struct opl_result res;

	lusim_check_set_all_enabled(true);
	lusim_check_init();
	lusim_findings_clear();
	arm = arm_fault;
	armed = false;
	snprintf(text, sizeof(text), "%s%s", base, tail);
	res = run(text);
	arm = false;
	assert_true(armed == arm_fault);
	assert_int_equal(res.failed, 0);
	assert_int_equal(res.unexpected, 0);
	lusim_findings_clear();
}

/* No mutation: the unrelated iommufd behaves the same, nothing fires. */
static void test_clean(void **state)
{
	(void)state;
	run_case("fd2 = iommufd_open expect ok\n"
		 "B = ioas_alloc fd2 expect ok\n"
		 "expect no findings\n", false);
}

/* The unrelated iommufd_open fails only with live update going on. */
static void test_interference(void **state)
{
	(void)state;
	run_case("fd2 = iommufd_open expect -ENOMEM\n"
		 "expect finding INV-LU-INTERFERENCE\n", true);
}

/*
 * An op naming a preserved object is never compared: mapping the preserved
 * memfd fails (-ENOMEM) only in the mutated run, but it is in the closure;
 * the unrelated op after it is compared and agrees.
 */
static void test_closure_not_compared(void **state)
{
	(void)state;
	run_case("ioas_map_file fd A m iova=0x20000 pages=1 expect -ENOMEM\n"
		 "fd2 = iommufd_open expect ok\n"
		 "expect no finding INV-LU-INTERFERENCE\n", true);
}

/* Switched off like any check: no second run, no finding. */
static void test_switch(void **state)
{
	(void)state;
	lusim_check_set_enabled("INV-LU-INTERFERENCE", false);
	run_case("fd2 = iommufd_open expect -ENOMEM\n"
		 "expect no finding INV-LU-INTERFERENCE\n", true);
	lusim_check_set_enabled("INV-LU-INTERFERENCE", true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_clean),
		lusim_unit_test(test_interference),
		lusim_unit_test(test_closure_not_compared),
		lusim_unit_test(test_switch),
	};
	int ret;

	lusim_check_register(&test_arm_check);
	vm = opl_vm_new();
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	opl_vm_free(vm);
	return ret;
}
