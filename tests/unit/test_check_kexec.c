// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/check across lusim_kexec(): the stage hooks are wired by
 * lusim_check_init() (a weak reference finds the kexec code), kexec-stage
 * checks run as full walks in stage order with the stage in every finding's
 * detail, a kexec refused before the freeze is an ordinary failed op whose
 * journal must net to zero, an op that rebooted is not judged by the old
 * kernel's journal, and the new kernel's boot objects are not leaks.
 */
#include <linux/errno.h>
#include <linux/slab.h>
#include <lusim/kexec.h>

#include <check/check.h>

#include <stdio.h>
#include <string.h>

#include "lusim_test.h"

static struct {
	char order[128];
	unsigned int full;
	bool report;
} st;

static void stage_run(const struct lusim_check_ctx *ctx)
{
	size_t len = strlen(st.order);
	const char *name = ctx->when == LUSIM_CHECK_BEFORE_FREEZE ? "before" :
			   ctx->when == LUSIM_CHECK_AFTER_FREEZE ? "frozen" : "booted";

	snprintf(st.order + len, sizeof(st.order) - len, "%s%s", len ? " " : "", name);
	st.full += ctx->full;
	if (st.report && ctx->when == LUSIM_CHECK_AFTER_BOOT)
		lusim_report("TEST-STAGE", "test", NULL, "stage check");
}

static struct lusim_check stage_check = {
	.id = "TEST-KEXEC-STAGES",
	.area = "test",
	.desc = "kexec stage test",
	.when = LUSIM_CHECK_KEXEC,
	.run = stage_run,
};
LUSIM_CHECK_REGISTER(stage_check)

static int setup(void **state)
{
	memset(&st, 0, sizeof(st));
	lusim_check_set_all_enabled(true);
	lusim_test_setup(state);
	lusim_check_init();
	return lusim_boot();
}

#define kexec_test(f) cmocka_unit_test_setup_teardown(f, setup, lusim_test_teardown)

#define OP(name, call) ({						\
	int __ret;							\
	lusim_check_op_begin(name);					\
	__ret = (call);							\
	lusim_check_op_end(__ret);					\
	__ret;								\
})

static void test_stages(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	st.report = true;
	assert_int_equal(OP("kexec", lusim_kexec()), 0);
	assert_string_equal(st.order, "before frozen booted");
	assert_int_equal(st.full, 3);
	assert_int_equal(lusim_boot_count(), 2);
	assert_int_equal(lusim_findings_count(), 1);
	f = lusim_findings_get(0);
	assert_string_equal(f->id, "TEST-STAGE");
	assert_non_null(strstr(f->detail, "during kexec (after boot), in op #1 kexec\n"));

	/* a second kexec, outside any op */
	st.order[0] = '\0';
	assert_int_equal(lusim_kexec(), 0);
	assert_string_equal(st.order, "before frozen booted");
}

static void *veto_obj;

static int veto_clean(enum lusim_kexec_stage stage)
{
	(void)stage;
	return -ECANCELED;
}

static int veto_leaky(enum lusim_kexec_stage stage)
{
	(void)stage;
	veto_obj = kmalloc(32, GFP_KERNEL);	/* the refusal path leaks */
	return -ECANCELED;
}

static void test_refused_kexec_is_judged(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_BEFORE_FREEZE, veto_clean), 0);
	assert_int_equal(OP("kexec", lusim_kexec()), -ECANCELED);
	lusim_kexec_remove_hook(LUSIM_KEXEC_BEFORE_FREEZE, veto_clean);
	assert_int_equal(lusim_boot_count(), 1);
	assert_no_findings();

	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_BEFORE_FREEZE, veto_leaky), 0);
	assert_int_equal(OP("kexec", lusim_kexec()), -ECANCELED);
	lusim_kexec_remove_hook(LUSIM_KEXEC_BEFORE_FREEZE, veto_leaky);
	f = lusim_findings_get(0);
	assert_non_null(f);
	assert_string_equal(f->id, "ATOMIC-ERROR-PATH");
	assert_non_null(strstr(f->msg, "kexec failed with -ECANCELED but left 1 change"));
	assert_non_null(strstr(f->detail, "test_check_kexec.c"));
	kfree(veto_obj);
}

static int kexec_then_fail(void)
{
	veto_obj = kmalloc(32, GFP_KERNEL);	/* the old kernel's: vanishes */
	lusim_kexec();
	return -EIO;
}

static void test_rebooted_op_is_not_judged(void **state)
{
	(void)state;
	assert_int_equal(OP("kexec", kexec_then_fail()), -EIO);
	assert_int_equal(lusim_boot_count(), 2);
	assert_no_findings();
}

static void *kept;

static int op_keep(void)
{
	kept = kzalloc(40, GFP_KERNEL);
	return 0;
}

static void test_new_kernel_boot_is_not_a_leak(void **state)
{
	(void)state;
	assert_int_equal(OP("keep", op_keep()), 0);
	assert_int_equal(OP("kexec", lusim_kexec()), 0);	/* "kept" vanished with it */
	assert_int_equal(lusim_check_teardown(), 0);
	assert_no_findings();

	/* an object of the new kernel's ops still live at the end is */
	assert_int_equal(OP("keep", op_keep()), 0);
	assert_int_equal(lusim_check_teardown(), 1);
	assert_true(lusim_findings_has("SLAB-LEAK"));
	kfree(kept);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kexec_test(test_stages),
		kexec_test(test_refused_kexec_is_judged),
		kexec_test(test_rebooted_op_is_not_judged),
		kexec_test(test_new_kernel_boot_is_not_a_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
