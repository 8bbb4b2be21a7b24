// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/check's framework: the registry (ids unique and sorted, every
 * part-1 id present, switches), the runner (which checks run after an op,
 * on a failed op, at kexec stages and teardown; nesting), touched sets for
 * incremental checks (dedup, kinds, full walks), the op context in every
 * finding's detail and the chained op-trace printer.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <lusim/journal.h>
#include <lusim/kexec.h>

#include <stdio.h>
#include <string.h>

#include "check_test.h"

/* A test check: counts its runs and remembers what it saw. */
static struct {
	unsigned int runs, full_runs, failed_runs;
	unsigned int seen;		/* touched objects of the last run */
	int last_ret;
	unsigned int last_when;
	char last_op[64];
	bool report;			/* raise TEST-CHECK when run */
} tc;

static void count_touched(const void *ptr, void *arg)
{
	(void)ptr;
	(*(unsigned int *)arg)++;
}

static void test_check_run(const struct lusim_check_ctx *ctx)
{
	tc.runs++;
	if (ctx->full)
		tc.full_runs++;
	tc.last_ret = ctx->ret;
	tc.last_when = ctx->when;
	snprintf(tc.last_op, sizeof(tc.last_op), "%s", ctx->op ? ctx->op : "");
	tc.seen = 0;
	lusim_check_for_each_touched(LUSIM_TOUCH_TEST, count_touched, &tc.seen);
	if (tc.report)
		lusim_report("TEST-CHECK", "test", NULL, "test check fired");
}

static struct lusim_check test_touched = {
	.id = "TEST-TOUCHED",
	.area = "test",
	.desc = "framework test: incremental over LUSIM_TOUCH_TEST",
	.when = LUSIM_CHECK_OP_TOUCHED,
	.touch_kinds = LUSIM_TOUCH_BIT(LUSIM_TOUCH_TEST),
	.run = test_check_run,
};
LUSIM_CHECK_REGISTER(test_touched)

static void failed_run(const struct lusim_check_ctx *ctx)
{
	(void)ctx;
	tc.failed_runs++;
}

static struct lusim_check test_failed = {
	.id = "TEST-FAILED",
	.area = "test",
	.desc = "framework test: runs after failed ops",
	.when = LUSIM_CHECK_OP_FAILED,
	.run = failed_run,
};
LUSIM_CHECK_REGISTER(test_failed)

static int setup(void **state)
{
	memset(&tc, 0, sizeof(tc));
	return check_test_setup(state);
}

#define check_test(f) cmocka_unit_test_setup_teardown(f, setup, lusim_test_teardown)

static void test_registry(void **state)
{
	static const char *const part1[] = {
		"ATOMIC-ERROR-PATH", "LOCK-HELD-AT-OP-END", "MEM-CPU-FREED",
		"MEM-DMA-FREED", "MEM-WALK-FREED", "RCU-UNBALANCED", "SLAB-LEAK",
		"WARN",
	};
	unsigned int n = lusim_check_count();

	(void)state;
	for (size_t i = 0; i < sizeof(part1) / sizeof(part1[0]); i++) {
		struct lusim_check *c = lusim_check_find(part1[i]);

		assert_non_null(c);
		assert_non_null(c->area);
		assert_non_null(c->desc);
		assert_true(c->when != 0);
		/* only event checks are raised elsewhere */
		assert_true(c->run != NULL || c->when == LUSIM_CHECK_EVENT);
	}
	/* id order, unique */
	for (unsigned int i = 1; i < n; i++)
		assert_true(strcmp(lusim_check_at(i - 1)->id, lusim_check_at(i)->id) < 0);
	assert_null(lusim_check_at(n));
	assert_null(lusim_check_find("NO-SUCH-CHECK"));

	/* switches */
	assert_int_equal(lusim_check_set_enabled("NO-SUCH-CHECK", false), -ENOENT);
	assert_true(lusim_check_enabled("SLAB-LEAK"));
	assert_int_equal(lusim_check_set_enabled("SLAB-LEAK", false), 0);
	assert_false(lusim_check_enabled("SLAB-LEAK"));
	assert_int_equal(lusim_check_set_enabled("SLAB-LEAK", true), 0);
	lusim_check_set_all_enabled(false);
	assert_false(lusim_check_enabled("SLAB-LEAK"));
	assert_false(lusim_check_all_enabled());
	lusim_check_set_all_enabled(true);
	/* switches are configuration: a power-on keeps them */
	lusim_check_set_enabled("SLAB-LEAK", false);
	lusim_reset_all();
	assert_false(lusim_check_enabled("SLAB-LEAK"));
	lusim_check_set_enabled("SLAB-LEAK", true);
}

static void test_op_context_and_nesting(void **state)
{
	struct lusim_check_stats st;

	(void)state;
	assert_null(lusim_check_current_op());
	lusim_check_op_begin("outer");
	assert_string_equal(lusim_check_current_op(), "outer");
	assert_int_equal(lusim_check_op_seq(), 1);
	lusim_check_op_begin("inner");		/* part of the outer op */
	assert_string_equal(lusim_check_current_op(), "outer");
	assert_int_equal(lusim_check_op_seq(), 1);
	assert_int_equal(lusim_check_op_end(-EINVAL), 0);
	assert_int_equal(tc.failed_runs, 0);	/* inner end: nothing ran */
	assert_int_equal(lusim_check_op_end(-EINVAL), 0);
	assert_int_equal(tc.failed_runs, 1);
	assert_null(lusim_check_current_op());
	/* an unbalanced end is ignored */
	assert_int_equal(lusim_check_op_end(-EINVAL), 0);
	assert_int_equal(tc.failed_runs, 1);

	lusim_check_op_begin("ok");
	lusim_check_op_end(0);
	assert_int_equal(tc.failed_runs, 1);	/* only failed ops */
	lusim_check_get_stats(&st);
	assert_int_equal(st.ops, 2);
	assert_int_equal(st.failed_ops, 1);
	assert_int_equal(lusim_check_op_seq(), 2);

	/* power-on starts the count again */
	lusim_reset_all();
	assert_int_equal(lusim_check_op_seq(), 0);
	lusim_check_get_stats(&st);
	assert_int_equal(st.ops, 0);
	assert_no_findings();
}

static void test_touched_incremental(void **state)
{
	static int objs[3];
	struct lusim_check_stats st;

	(void)state;
	/* an op touching nothing: the incremental check does not run */
	lusim_check_op_begin("nothing");
	lusim_check_op_end(0);
	assert_int_equal(tc.runs, 0);

	/* another kind: still not */
	lusim_check_op_begin("other kind");
	lusim_check_touch(LUSIM_TOUCH_DOMAIN, &objs[0]);
	assert_int_equal(lusim_check_touched_count(LUSIM_TOUCH_DOMAIN), 1);
	lusim_check_op_end(0);
	assert_int_equal(tc.runs, 0);

	/* its kind: runs once, sees each object once */
	lusim_check_op_begin("touch");
	lusim_check_touch(LUSIM_TOUCH_TEST, &objs[0]);
	lusim_check_touch(LUSIM_TOUCH_TEST, &objs[1]);
	lusim_check_touch(LUSIM_TOUCH_TEST, &objs[0]);
	lusim_check_touch(LUSIM_TOUCH_TEST, &objs[2]);
	assert_int_equal(lusim_check_touched_count(LUSIM_TOUCH_TEST), 3);
	assert_int_equal(lusim_check_op_end(0), 0);
	assert_int_equal(tc.runs, 1);
	assert_int_equal(tc.full_runs, 0);
	assert_int_equal(tc.seen, 3);
	assert_int_equal(tc.last_when, LUSIM_CHECK_OP_TOUCHED);
	assert_string_equal(tc.last_op, "touch");
	lusim_check_get_stats(&st);
	assert_int_equal(st.touched, 3);
	/* the set is per op */
	assert_int_equal(lusim_check_touched_count(LUSIM_TOUCH_TEST), 0);

	/* touching outside an op is ignored */
	lusim_check_touch(LUSIM_TOUCH_TEST, &objs[0]);
	assert_int_equal(lusim_check_touched_count(LUSIM_TOUCH_TEST), 0);

	/* a switched-off check does not run */
	lusim_check_set_enabled("TEST-TOUCHED", false);
	lusim_check_op_begin("touch");
	lusim_check_touch(LUSIM_TOUCH_TEST, &objs[0]);
	lusim_check_op_end(0);
	assert_int_equal(tc.runs, 1);
	lusim_check_set_enabled("TEST-TOUCHED", true);

	/* full walks: every kexec stage and teardown */
	for (int s = 0; s < LUSIM_KEXEC_NR_STAGES; s++)
		lusim_check_kexec(s);
	assert_int_equal(tc.full_runs, 3);
	assert_string_equal(tc.last_op, "kexec (after boot)");
	assert_int_equal(lusim_check_teardown(), 0);
	assert_int_equal(tc.full_runs, 4);
	assert_string_equal(tc.last_op, "teardown");

	/* the global switch: nothing runs, nothing is recorded */
	lusim_check_set_all_enabled(false);
	lusim_check_op_begin("off");
	assert_null(lusim_journal);
	lusim_check_touch(LUSIM_TOUCH_TEST, &objs[0]);
	lusim_check_op_end(-ENOMEM);
	lusim_check_teardown();
	assert_int_equal(tc.runs, 5);
	assert_int_equal(tc.failed_runs, 0);
	lusim_check_set_all_enabled(true);
	assert_no_findings();
}

/* A WARN inside an op: the WARN finding's detail names the op. */
static noinline int warn_op(int x)
{
	if (WARN_ON(x > 2))
		return -EINVAL;
	return 0;
}

static const char *op_trace = "  op trace: (test)\n";

static size_t fake_trace(char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s", op_trace);
}

static void test_op_in_finding_detail(void **state)
{
	const struct lusim_finding *f;
	int ret;

	(void)state;
	lusim_check_op_begin("noop");
	lusim_check_op_end(0);
	lusim_check_op_begin("warn_op");
	ret = warn_op(3);
	assert_int_equal(lusim_check_op_end(ret), 0);	/* the WARN came before */
	f = finding("WARN");
	assert_non_null(strstr(f->detail, "during op #2 warn_op\n"));

	/* a finding raised by a check at op end carries it too */
	tc.report = true;
	lusim_check_set_trace(fake_trace);
	lusim_check_op_begin("touchy");
	lusim_check_touch(LUSIM_TOUCH_TEST, &tc);
	assert_int_equal(lusim_check_op_end(0), 1);
	f = finding("TEST-CHECK");
	assert_non_null(strstr(f->detail, "during op #3 touchy\n  op trace: (test)\n"));
	lusim_check_set_trace(NULL);

	/* kexec stages name themselves */
	lusim_findings_clear();
	lusim_check_op_begin("kexec");
	lusim_check_kexec(LUSIM_KEXEC_BEFORE_FREEZE);
	lusim_check_op_end(0);
	f = finding("TEST-CHECK");
	assert_non_null(strstr(f->detail, "during kexec (before freeze), in op #4 kexec\n"));
	tc.report = false;

	/* between ops: nothing added */
	lusim_findings_clear();
	warn_op(5);
	f = finding("WARN");
	assert_null(strstr(f->detail, "during"));
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(lusim_check_errno_name(-ENOMEM), "ENOMEM");
	assert_string_equal(lusim_check_errno_name(EBUSY), "EBUSY");
	assert_string_equal(lusim_check_errno_name(-EOPNOTSUPP), "EOPNOTSUPP");
	assert_null(lusim_check_errno_name(-4095));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		check_test(test_registry),
		check_test(test_op_context_and_nesting),
		check_test(test_touched_incremental),
		check_test(test_op_in_finding_detail),
		check_test(test_errno_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
