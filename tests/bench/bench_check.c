// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cost of the oracles per op (sim/check): a synthetic op pair shaped like
 * the model's object ops (create: allocate an object, publish it in an
 * ALLOC1 xarray, fill its own xarray, take and drop a reference, allocate
 * and free a temporary; destroy: the reverse), with 1000 other objects
 * live, run
 *
 *   raw        without lusim_check_op_begin/end at all
 *   off        bracketed, every check switched off (the global switch)
 *   journal    only ATOMIC-ERROR-PATH on: the undo journal records
 *   all        every check on (what fuzzing runs)
 *
 * plus the failed-op path (create failing at its last allocation and
 * unwinding: the journal is judged), a page-table-like op that writes and
 * restores a word of an older simulated page through the CPU view (the
 * journal snapshots the page), and what incremental checking buys: a model
 * check walking only the objects an op touched (lusim_check_touch) against
 * the same check walking all 1000 objects after every op. Each figure is
 * the best of 5 rounds (modes interleaved within a round), in thread CPU
 * time. Prints ns/op, the ratio to "off" and the journal's
 * entries and bytes per op; asserts nothing on time.
 */
#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <lusim/fault.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <check/check.h>
#include <hw/hw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;

	/* CPU time of this thread: the machine is shared, wall time is noise */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct bobj {
	struct kref kref;
	u32 id;
	struct xarray children;
	struct rcu_head rcu;
};

static DEFINE_XARRAY_ALLOC1(table);

static noinline void *alloc_tmp(void)
{
	return kmalloc(64, GFP_KERNEL);
}

static void bobj_release(struct kref *kref)
{
	(void)kref;
}

static int create(u32 *idp)
{
	struct bobj *o = kzalloc(sizeof(*o), GFP_KERNEL);
	void *tmp;
	int ret;

	if (!o)
		return -ENOMEM;
	kref_init(&o->kref);
	xa_init(&o->children);
	ret = xa_alloc(&table, &o->id, o, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto err_free;
	for (unsigned long i = 0; i < 4; i++) {
		ret = xa_err(xa_store(&o->children, i * 3, xa_mk_value(i), GFP_KERNEL));
		if (ret)
			goto err_erase;
	}
	kref_get(&o->kref);
	kref_put(&o->kref, bobj_release);
	tmp = alloc_tmp();
	if (!tmp) {
		ret = -ENOMEM;
		goto err_erase;
	}
	kfree(tmp);
	*idp = o->id;
	return 0;

err_erase:
	xa_destroy(&o->children);
	xa_erase(&table, o->id);
err_free:
	kfree(o);
	return ret;
}

static int destroy(u32 id)
{
	struct bobj *o = xa_erase(&table, id);

	if (!o)
		return -ENOENT;
	xa_destroy(&o->children);
	kfree_rcu(o, rcu);
	return 0;
}

enum mode { RAW, OFF, JOURNAL, ALL, NR_MODES };
static const char *const mode_names[] = { "raw", "off", "journal", "all" };

static bool is_bench_check(const struct lusim_check *c)
{
	return !strncmp(c->id, "BENCH-", 6);
}

static void set_mode(enum mode m)
{
	lusim_check_set_all_enabled(m != OFF);
	for (unsigned int i = 0; i < lusim_check_count(); i++) {
		struct lusim_check *c = lusim_check_at(i);

		c->disabled = is_bench_check(c) ||
			(m == JOURNAL && strcmp(c->id, "ATOMIC-ERROR-PATH"));
	}
}

static int run_op(enum mode m, const char *name, int ret_of_call)
{
	(void)m;
	(void)name;
	return ret_of_call;
}

#define OP(m, name, call) ({						\
	int __r;							\
	if ((m) != RAW)							\
		lusim_check_op_begin(name);				\
	__r = (call);							\
	if ((m) != RAW)							\
		lusim_check_op_end(__r);				\
	else								\
		rcu_barrier();	/* the op layer drains RCU anyway */	\
	run_op(m, name, __r);						\
})

struct result {
	double ns;
	double entries, bytes;
};

enum { PAIRS = 100000, FAILS = 100000, PAGE_OPS = 100000, WALK_OPS = 20000 };

static void bench_pairs(enum mode m, struct result *r)
{
	struct lusim_check_stats st;
	double t0, t1, entries = 0, bytes = 0;

	set_mode(m);
	t0 = now_ns();
	for (int i = 0; i < PAIRS; i++) {
		u32 id = 0;

		OP(m, "create", create(&id));
		if (m != RAW) {
			lusim_check_get_stats(&st);
			entries += st.journal_entries;
			bytes += st.journal_bytes;
		}
		OP(m, "destroy", destroy(id));
	}
	t1 = now_ns();
	r->ns = (t1 - t0) / (2.0 * PAIRS);
	r->entries = entries / PAIRS;
	r->bytes = bytes / PAIRS;
}

static void bench_failed(enum mode m, struct result *r)
{
	struct lusim_check_stats st;
	double t0, t1, entries = 0;

	set_mode(m);
	t0 = now_ns();
	for (int i = 0; i < FAILS; i++) {
		u32 id;

		lusim_fail_site(LUSIM_FAULT_SLAB, "alloc_tmp");
		OP(m, "create", create(&id));
		if (m != RAW) {
			lusim_check_get_stats(&st);
			entries += st.journal_entries;
		}
	}
	t1 = now_ns();
	r->ns = (t1 - t0) / FAILS;
	r->entries = entries / FAILS;
	r->bytes = 0;
}

static uint64_t pt_page;

static int touch_table(uint64_t v)
{
	uint64_t *t = hw_phys_to_virt(pt_page);
	uint64_t old = t[17];

	t[17] = v;
	t[17] = old;
	return 0;
}

static void bench_page(enum mode m, struct result *r)
{
	struct lusim_check_stats st;
	double t0, t1, bytes = 0;

	set_mode(m);
	t0 = now_ns();
	for (int i = 0; i < PAGE_OPS; i++) {
		OP(m, "map", touch_table((uint64_t)i));
		if (m != RAW) {
			lusim_check_get_stats(&st);
			bytes += st.journal_bytes;
		}
	}
	t1 = now_ns();
	r->ns = (t1 - t0) / PAGE_OPS;
	r->bytes = bytes / PAGE_OPS;
	r->entries = 0;
}

static void print_table(const char *title, void (*fn)(enum mode, struct result *))
{
	struct result res[NR_MODES], r;

	/* a warm-up round grows every host-memory table once */
	for (int m = 0; m < NR_MODES; m++)
		fn((enum mode)m, &res[m]);
	for (int round = 0; round < 5; round++) {
		for (int m = 0; m < NR_MODES; m++) {
			fn((enum mode)m, &r);
			if (r.ns < res[m].ns)
				res[m].ns = r.ns;
		}
	}
	printf("%s\n", title);
	printf("  %-8s %10s %10s %14s %14s\n", "checks", "ns/op", "vs off",
	       "journal ent/op", "journal B/op");
	for (int m = 0; m < NR_MODES; m++)
		printf("  %-8s %10.1f %9.2fx %14.1f %14.0f\n", mode_names[m],
		       res[m].ns, res[m].ns / res[OFF].ns, res[m].entries,
		       res[m].bytes);
	if (lusim_findings_count()) {
		lusim_findings_print(NULL);
		exit(1);	/* a benchmark of a buggy op measures nothing */
	}
}

/* --- incremental against full walks ------------------------------------- */

static unsigned long visited;

static void visit(const void *ptr, void *arg)
{
	const struct bobj *o = ptr;

	(void)arg;
	visited += kref_read(&o->kref);
}

static void incremental_run(const struct lusim_check_ctx *ctx)
{
	unsigned long index;
	struct bobj *o;

	if (!ctx->full) {
		lusim_check_for_each_touched(LUSIM_TOUCH_OBJECT, visit, NULL);
		return;
	}
	xa_for_each(&table, index, o)
		visit(o, NULL);
}

static struct lusim_check bench_incremental = {
	.id = "BENCH-INCREMENTAL",
	.area = "bench",
	.desc = "reads the kref of every object the op touched",
	.when = LUSIM_CHECK_OP_TOUCHED,
	.touch_kinds = LUSIM_TOUCH_BIT(LUSIM_TOUCH_OBJECT),
	.run = incremental_run,
	.disabled = true,
};
LUSIM_CHECK_REGISTER(bench_incremental)

static void full_run(const struct lusim_check_ctx *ctx)
{
	unsigned long index;
	struct bobj *o;

	(void)ctx;
	xa_for_each(&table, index, o)
		visit(o, NULL);
}

static struct lusim_check bench_full = {
	.id = "BENCH-FULL",
	.area = "bench",
	.desc = "reads the kref of every object after every op",
	.when = LUSIM_CHECK_OP_END,
	.run = full_run,
	.disabled = true,
};
LUSIM_CHECK_REGISTER(bench_full)

/* an op that changes 2 objects (and marks them touched) */
static int poke(u32 a, u32 b)
{
	struct bobj *x = xa_load(&table, a), *y = xa_load(&table, b);

	kref_get(&x->kref);
	kref_get(&y->kref);
	lusim_check_touch(LUSIM_TOUCH_OBJECT, x);
	lusim_check_touch(LUSIM_TOUCH_OBJECT, y);
	kref_put(&x->kref, bobj_release);
	kref_put(&y->kref, bobj_release);
	return 0;
}

static double bench_walk(const char *enable)
{
	double t0, ns;

	set_mode(OFF);
	lusim_check_set_all_enabled(true);
	if (enable)
		lusim_check_set_enabled(enable, true);
	t0 = now_ns();
	for (int i = 0; i < WALK_OPS; i++)
		OP(ALL, "poke", poke(1 + (u32)i % 1000, 1 + (u32)(i * 7) % 1000));
	ns = (now_ns() - t0) / WALK_OPS;
	if (enable)
		lusim_check_set_enabled(enable, false);
	return ns;
}

static void print_walks(void)
{
	static const char *const which[3] = {
		NULL, "BENCH-INCREMENTAL", "BENCH-FULL",
	};
	double best[3] = { 0 };

	for (int round = 0; round < 4; round++) {
		for (int w = 0; w < 3; w++) {
			double ns = bench_walk(which[w]);

			if (!round || ns < best[w])
				best[w] = ns;
		}
	}
	double none = best[0], inc = best[1], full = best[2];

	printf("a model check after an op that touched 2 of 1000 objects (every part-1 check on as well)\n");
	printf("  %-28s %10s %10s\n", "check", "ns/op", "vs none");
	printf("  %-28s %10.1f %9.2fx\n", "no model check", none, 1.0);
	printf("  %-28s %10.1f %9.2fx\n", "incremental (touched set)", inc, inc / none);
	printf("  %-28s %10.1f %9.2fx\n", "full walk every op", full, full / none);
	printf("  full walk / incremental: %.1fx\n", full / inc);
}

int main(void)
{
	static struct bobj *others[1000];
	u32 id;

	lusim_reset_all();
	xa_init_flags(&table, XA_FLAGS_ALLOC1);
	lusim_check_init();
	for (unsigned int i = 0; i < 1000; i++) {
		create(&id);
		others[i] = xa_load(&table, id);
	}
	pt_page = hw_mem_alloc(0, HW_MEM_ZERO);

	printf("sim/check: cost per op (1000 other objects live)\n\n");
	print_table("create/destroy pair (per op; 1 object, 1 table slot, 4 child slots, kref, 1 temporary)",
		    bench_pairs);
	printf("\n");
	print_table("failed create (the last allocation fails, correct unwind: the journal is judged)",
		    bench_failed);
	printf("\n");
	print_table("page-table write through the CPU view (one older page snapshotted per op)",
		    bench_page);
	printf("\n");
	print_walks();
	if (lusim_findings_count()) {
		lusim_findings_print(NULL);
		return 1;
	}

	for (unsigned int i = 0; i < 1000; i++)
		destroy(others[i]->id);
	rcu_barrier();
	return 0;
}
