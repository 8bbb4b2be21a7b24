// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of the mem helper's shim parts: slab alloc/free cost against the
 * number of live objects (the O(1) claim: flat ns and probes per lookup),
 * compared with the host malloc; fault-point overhead; refcount_t; RCU read
 * side, grace period, and call_rcu drained by rcu_barrier. Prints figures,
 * asserts nothing on time.
 */
#include <linux/slab.h>
#include <linux/refcount.h>
#include <linux/rcupdate.h>
#include <lusim/fault.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile unsigned long sink;

static void bench_slab(void)
{
	static const unsigned long live_sizes[] = { 0, 1000, 100000, 400000 };
	enum { PAIRS = 200000 };

	printf("slab: kmalloc(64)+kfree pair with N other objects live\n");
	printf("  %-10s %12s %14s %14s %12s\n", "live N", "ns/pair",
	       "probes/lookup", "host malloc", "table size");
	for (unsigned int s = 0; s < sizeof(live_sizes) / sizeof(live_sizes[0]); s++) {
		unsigned long n = live_sizes[s];
		void **keep = calloc(n ? n : 1, sizeof(*keep));
		struct lusim_slab_stats st0, st1;
		double t0, t1, h0, h1;

		for (unsigned long i = 0; i < n; i++)
			keep[i] = kmalloc(32 + (i % 8) * 16, GFP_KERNEL);
		lusim_slab_stats(&st0);
		t0 = now_ns();
		for (int i = 0; i < PAIRS; i++) {
			void *p = kmalloc(64, GFP_KERNEL);

			sink += (unsigned long)p;
			kfree(p);
		}
		t1 = now_ns();
		lusim_slab_stats(&st1);
		h0 = now_ns();
		for (int i = 0; i < PAIRS; i++) {
			void *p = malloc(64);

			sink += (unsigned long)p;
			free(p);
		}
		h1 = now_ns();
		printf("  %-10lu %12.1f %14.2f %12.1f ns %12lu\n", n,
		       (t1 - t0) / PAIRS,
		       (double)(st1.probes - st0.probes) /
			       (double)(st1.lookups - st0.lookups),
		       (h1 - h0) / PAIRS, st1.table_size);
		for (unsigned long i = 0; i < n; i++)
			kfree(keep[i]);
		free(keep);
		lusim_slab_flush_quarantine();
	}
}

static void bench_fault(void)
{
	enum { CALLS = 5000000 };
	double t0, t1, t2;
	unsigned long hits = 0;

	t0 = now_ns();
	for (int i = 0; i < CALLS; i++)
		hits += lusim_should_fail(LUSIM_FAULT_DRIVER, "bench.c:1");
	t1 = now_ns();
	lusim_fail_site_times(LUSIM_FAULT_DRIVER, "no-such-site.c", -1);
	for (int i = 0; i < CALLS; i++)
		hits += lusim_should_fail(LUSIM_FAULT_DRIVER, "bench.c:1");
	t2 = now_ns();
	lusim_fault_disarm(LUSIM_FAULT_DRIVER);
	printf("fault point: %.1f ns/call unarmed, %.1f ns/call with one site pattern armed (%lu hits)\n",
	       (t1 - t0) / CALLS, (t2 - t1) / CALLS, hits);
}

static void bench_refcount(void)
{
	enum { OPS = 10000000 };
	refcount_t r = REFCOUNT_INIT(1);
	double t0, t1;

	t0 = now_ns();
	for (int i = 0; i < OPS; i++) {
		refcount_inc(&r);
		sink += refcount_dec_and_test(&r);
	}
	t1 = now_ns();
	printf("refcount: %.2f ns per refcount_inc + refcount_dec_and_test\n",
	       (t1 - t0) / OPS);
}

static void cb_nop(struct rcu_head *head)
{
	sink += (unsigned long)head;
}

static void bench_rcu(void)
{
	enum { READS = 5000000, SYNCS = 20000, CBS = 100000 };
	struct rcu_head *heads = calloc(CBS, sizeof(*heads));
	double t0, t1, t2, t3, t4;

	t0 = now_ns();
	for (int i = 0; i < READS; i++) {
		rcu_read_lock();
		rcu_read_unlock();
	}
	t1 = now_ns();
	for (int i = 0; i < SYNCS; i++)
		synchronize_rcu();
	t2 = now_ns();
	for (int i = 0; i < CBS; i++)
		call_rcu(&heads[i], cb_nop);
	t3 = now_ns();
	rcu_barrier();
	t4 = now_ns();
	printf("rcu (liburcu memb): %.1f ns per rcu_read_lock+unlock, %.0f ns per synchronize_rcu,\n"
	       "  %.1f ns per call_rcu, %.1f ns per callback in rcu_barrier (%d queued)\n",
	       (t1 - t0) / READS, (t2 - t1) / SYNCS, (t3 - t2) / CBS,
	       (t4 - t3) / CBS, CBS);
	free(heads);
}

int main(void)
{
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	lusim_reset_all();
	bench_slab();
	bench_fault();
	bench_refcount();
	bench_rcu();
	if (lusim_findings_count()) {
		lusim_findings_print(NULL);
		return 1;
	}
	return 0;
}
