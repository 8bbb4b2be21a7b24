// SPDX-License-Identifier: GPL-2.0-only
/*
 * WARN/BUG: return values, recording, _ONCE per site and its reset, the
 * build-time list of constant-condition sites (WARN-CONST-COND), BUG via a
 * test handler. The constant-condition cases run twice: in functions built
 * at the file's optimisation level (-O2 in the default buildtype) and in
 * functions forced to -O0, under both gcc and clang.
 */
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/mutex.h>
#include <errno.h>

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lusim_test.h"

#ifdef __clang__
#define AT_O0	__attribute__((optnone)) noinline
#else
#define AT_O0	__attribute__((optimize("O0"))) noinline
#endif

static const struct lusim_finding *finding(const char *id)
{
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		const struct lusim_finding *f = lusim_findings_get(i);

		if (!strcmp(f->id, id))
			return f;
	}
	lusim_findings_print(NULL);
	fail_msg("finding %s not reported", id);
	return NULL;
}

static bool has_site(const char *s, int line)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "test_bug.c:%d", line);
	return strstr(s, buf) != NULL;
}

/* volatile: keep the compiler from knowing the values */
static volatile int zero;
static volatile int big = 100000;

/* --- the functions holding the WARN sites under test --------------------- */

static int warn_const_line, warn_const_o0_line, warn_once_const_line;
static int warn_2_line;

static inline int inlined_warn(int x)
{
	return WARN_ON(x);		/* not a constant: never listed */
}

static __always_inline int always_inlined_warn(long x)
{
	return WARN(x, "x=%ld", x);
}

static int reach_consts(int v)
{
	warn_const_line = __LINE__ + 2;
	if (v > big)			/* never true at run time */
		WARN_ON(-EINVAL);
	warn_once_const_line = __LINE__ + 2;
	if (v > big)
		WARN_ONCE(-ENOENT, "no entry");
	warn_2_line = __LINE__ + 2;
	if (v > big)
		WARN_ON(2);
	if (v > big) {
		WARN_ON(1);		/* the kernel's "impossible" idiom */
		WARN(1, "impossible");
		WARN_ON(0);
		WARN_ON_ONCE(1);
		WARN_ON(sizeof(long) == 4);	/* constant 0 */
	}
	return inlined_warn(5) + always_inlined_warn(7);
}

AT_O0 static int reach_consts_o0(int v)
{
	warn_const_o0_line = __LINE__ + 2;
	if (v > big)
		WARN_ON(-EINVAL);
	if (v > big)
		WARN_ON(1);
	return inlined_warn(5);
}

/*
 * Two records of one site, as a WARN in a header's static inline function
 * leaves in every translation unit that uses it: listed once.
 */
static int dup_line;

static void dup_records(void)
{
	dup_line = __LINE__ + 1;
	{ __LUSIM_WARN_RECORD(a, "WARN_ON(-E2BIG)", -E2BIG, 0); __LUSIM_WARN_RECORD(b, "WARN_ON(-E2BIG)", -E2BIG, 0); }
}

/* --- WARN ------------------------------------------------------------------ */

static void test_warn_on_returns_and_records(void **state)
{
	int x = 3, evaluated = 0, l, *px;
	const struct lusim_finding *f;

	(void)state;
	assert_false(WARN_ON(x == 4));
	assert_no_findings();
	assert_true(WARN_ON(x == 3)); l = __LINE__;
	f = finding("WARN");
	assert_string_equal(f->msg, "WARN_ON(x == 3)");
	assert_true(has_site(f->site, l));
	/* the condition is evaluated exactly once */
	assert_true(WARN_ON(evaluated++ == 0));
	assert_int_equal(evaluated, 1);
	assert_false(WARN_ON(evaluated++ == 0));
	assert_int_equal(evaluated, 2);
	/* usable as the kernel uses it */
	if (WARN_ON(!x))
		fail();
	/* a pointer condition, a statement-expression condition */
	px = &x;
	assert_true(WARN_ON(px));
	assert_false(WARN_ON(min(x, 7) > 3));
	assert_int_equal(lusim_findings_has("WARN"), 3);
}

static void test_warn_every_hit_recorded(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	for (int i = 0; i < 3; i++)
		WARN_ON(i >= 0);
	f = finding("WARN");
	assert_int_equal(f->hits, 3);
}

static void test_warn_format(void **state)
{
	void *p = NULL;
	int l;

	(void)state;
	assert_true(WARN(!p, "p is missing (%d)\n", 7)); l = __LINE__;
	assert_string_equal(finding("WARN")->msg, "WARN(!p): p is missing (7)");
	assert_true(has_site(finding("WARN")->site, l));
	assert_false(WARN(p, "never"));
}

static void test_warn_detail_has_held_locks(void **state)
{
	static DEFINE_MUTEX(bug_lock);

	(void)state;
	mutex_lock(&bug_lock);
	WARN_ON(zero == 0);
	mutex_unlock(&bug_lock);
	assert_non_null(strstr(finding("WARN")->detail, "#0: bug_lock (mutex) at "));
}

static int warn_once_site(int c)
{
	return WARN_ON_ONCE(c);
}

static int warn_once_fmt_site(int c)
{
	return WARN_ONCE(c, "c=%d", c);
}

static void test_warn_on_once(void **state)
{
	(void)state;
	/* returns the condition every time, reports once per site */
	for (int i = 0; i < 3; i++) {
		assert_true(warn_once_site(1));
		assert_false(warn_once_site(0));
		assert_true(warn_once_fmt_site(2));
	}
	assert_int_equal(lusim_findings_count(), 2);
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(lusim_findings_get(i)->hits, 1);
	assert_string_equal(lusim_findings_get(0)->msg, "WARN_ON_ONCE(c)");
	assert_string_equal(lusim_findings_get(1)->msg, "WARN_ONCE(c): c=2");

	/* the once flag is per-run state: lusim_reset_all() clears it */
	lusim_reset_all();
	assert_no_findings();
	assert_true(warn_once_site(1));
	assert_finding("WARN");
	assert_int_equal(lusim_findings_count(), 1);
}

/* --- constant conditions ------------------------------------------------- */

struct seen {
	int n;
	int einval, einval_o0, enoent, two, e2big, other_in_file;
};

static void collect(const struct lusim_warn_site *w, void *arg)
{
	struct seen *s = arg;

	s->n++;
	if (!strstr(w->file, "test_bug.c"))
		return;		/* other files' sites, if any */
	if (!strcmp(w->cond, "WARN_ON(-EINVAL)") && w->value == -EINVAL &&
	    w->line == (unsigned int)warn_const_line)
		s->einval++;
	else if (!strcmp(w->cond, "WARN_ON(-EINVAL)") && w->value == -EINVAL &&
		 w->line == (unsigned int)warn_const_o0_line)
		s->einval_o0++;
	else if (!strcmp(w->cond, "WARN_ONCE(-ENOENT)") && w->value == -ENOENT &&
		 w->line == (unsigned int)warn_once_const_line)
		s->enoent++;
	else if (!strcmp(w->cond, "WARN_ON(-E2BIG)") && w->value == -E2BIG &&
		 w->line == (unsigned int)dup_line)
		s->e2big++;
	else if (!strcmp(w->cond, "WARN_ON(2)") && w->value == 2 &&
		 w->line == (unsigned int)warn_2_line)
		s->two++;
	else
		s->other_in_file++;	/* WARN_ON(1), WARN_ON(0), WARN_ON(x)... */
}

static void test_const_sites_listed(void **state)
{
	struct seen s = { 0 };
	unsigned int n;

	(void)state;
	/* the branches never run: the list comes from the build */
	assert_int_equal(reach_consts(1), 2);
	assert_int_equal(reach_consts_o0(1), 1);
	dup_records();
	assert_int_equal(lusim_findings_has("WARN"), 2);	/* x=5, x=7 */
	assert_int_equal(lusim_findings_has("WARN-CONST-COND"), 0);

	n = lusim_warn_const_sites(collect, &s);
	assert_int_equal(n, (unsigned int)s.n);
	assert_int_equal(lusim_warn_const_sites(NULL, NULL), n);
	assert_int_equal(s.einval, 1);
	assert_int_equal(s.einval_o0, 1);
	assert_int_equal(s.enoent, 1);
	assert_int_equal(s.two, 1);
	assert_int_equal(s.e2big, 1);		/* two records, one site */
	/* WARN_ON(1), WARN(1, ..), WARN_ON(0), inlined WARN_ON(param): absent */
	assert_int_equal(s.other_in_file, 0);
	assert_true(lusim_warn_nr_sites() >= 14);
}

static void test_const_sites_reported(void **state)
{
	const struct lusim_finding *f = NULL;

	(void)state;
	lusim_warn_report_const_sites();
	assert_int_equal(lusim_findings_has("WARN-CONST-COND"),
			 lusim_warn_const_sites(NULL, NULL));
	/* sorted by (file, line): this file's first one is the -EINVAL */
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		f = lusim_findings_get(i);
		if (strstr(f->site, "test_bug.c:"))
			break;
	}
	assert_non_null(f);
	assert_true(has_site(f->site, warn_const_line));
	assert_string_equal(f->msg,
			    "WARN_ON(-EINVAL): condition is the constant -22");
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		f = lusim_findings_get(i);
		if (has_site(f->site, warn_once_const_line))
			assert_string_equal(f->msg,
					    "WARN_ONCE(-ENOENT): condition is the constant -2");
	}
}

/* --- BUG ------------------------------------------------------------------ */

static jmp_buf bug_jmp;

static void bug_longjmp(void)
{
	longjmp(bug_jmp, 1);
}

static void test_bug_on_handler(void **state)
{
	volatile int reached = 0;
	volatile int l = 0;

	(void)state;
	lusim_set_bug_handler(bug_longjmp);
	BUG_ON(zero);
	assert_no_findings();
	if (!setjmp(bug_jmp)) {
		l = __LINE__ + 1;
		BUG_ON(zero + 3 > 2);
		reached = 1;
	}
	assert_int_equal(reached, 0);
	assert_string_equal(finding("BUG")->msg, "BUG_ON(zero + 3 > 2)");
	assert_true(has_site(finding("BUG")->site, l));
	lusim_findings_clear();
	if (!setjmp(bug_jmp)) {
		BUG();
		reached = 1;
	}
	assert_int_equal(reached, 0);
	assert_string_equal(finding("BUG")->msg, "BUG()");
	lusim_set_bug_handler(NULL);
}

/* The default handler and ABORT mode end the process: run them in a child. */
static int child_status(int what)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (!pid) {
		/* the child's report goes to stderr; keep the test log short */
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		if (what == 0) {
			BUG_ON(zero == 0);
		} else {
			lusim_findings_set_mode(LUSIM_FINDINGS_ABORT);
			WARN_ON(zero == 0);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_bug_default_aborts(void **state)
{
	int status = child_status(0);

	(void)state;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_warn_in_abort_mode_aborts(void **state)
{
	int status = child_status(1);

	(void)state;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_warn_on_returns_and_records),
		lusim_unit_test(test_warn_every_hit_recorded),
		lusim_unit_test(test_warn_format),
		lusim_unit_test(test_warn_detail_has_held_locks),
		lusim_unit_test(test_warn_on_once),
		lusim_unit_test(test_const_sites_listed),
		lusim_unit_test(test_const_sites_reported),
		lusim_unit_test(test_bug_on_handler),
		lusim_unit_test(test_bug_default_aborts),
		lusim_unit_test(test_warn_in_abort_mode_aborts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
