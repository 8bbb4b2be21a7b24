// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lock primitive cost: ns per mutex_lock+mutex_unlock and per
 * spin_lock+spin_unlock pair (and down_read+up_read), with the lockdep-lite
 * checker on and off, with 0 and 8 other locks already held. Prints a table
 * and the deterministic per-acquire counters next to it; asserts nothing on
 * time.
 */
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/rwsem.h>
#include <linux/lockdep.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PAIRS		(1UL << 21)
#define RUNS		3
#define NR_HELD		8

static struct mutex held[NR_HELD];
static DEFINE_MUTEX(bench_mutex);
static DEFINE_SPINLOCK(bench_spin);
static DECLARE_RWSEM(bench_rwsem);

enum prim { P_MUTEX, P_SPIN, P_RWSEM_READ };
static const char *const prim_name[] = {
	"mutex_lock+unlock", "spin_lock+unlock", "down_read+up_read",
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void loop(enum prim p)
{
	unsigned long i;

	switch (p) {
	case P_MUTEX:
		for (i = 0; i < PAIRS; i++) {
			mutex_lock(&bench_mutex);
			mutex_unlock(&bench_mutex);
		}
		break;
	case P_SPIN:
		for (i = 0; i < PAIRS; i++) {
			spin_lock(&bench_spin);
			spin_unlock(&bench_spin);
		}
		break;
	case P_RWSEM_READ:
		for (i = 0; i < PAIRS; i++) {
			down_read(&bench_rwsem);
			up_read(&bench_rwsem);
		}
		break;
	}
}

static double measure(enum prim p, bool checker, int nr_held,
		      double *edge_checks_per_acquire)
{
	struct lusim_lockdep_stats a, b;
	double best = 0;

	lusim_reset_all();
	lusim_lockdep_set_enabled(checker);
	for (int i = 0; i < nr_held; i++)
		mutex_lock(&held[i]);
	loop(p);		/* warm up: classes and edges exist */
	lusim_lockdep_get_stats(&a);
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns(), dt;

		loop(p);
		dt = (now_ns() - t0) / PAIRS;
		if (!r || dt < best)
			best = dt;
	}
	lusim_lockdep_get_stats(&b);
	*edge_checks_per_acquire = b.nr_acquires == a.nr_acquires ? 0 :
		(double)(b.nr_edge_checks - a.nr_edge_checks) /
		(double)(b.nr_acquires - a.nr_acquires);
	for (int i = nr_held - 1; i >= 0; i--)
		mutex_unlock(&held[i]);
	lusim_lockdep_set_enabled(true);
	if (lusim_findings_count()) {
		lusim_findings_print(NULL);
		fprintf(stderr, "bench_locks: unexpected findings\n");
		exit(1);
	}
	return best;
}

int main(void)
{
	for (int i = 0; i < NR_HELD; i++)
		__mutex_init(&held[i], "held", NULL);	/* a class each */

	printf("lusim lock primitives: ns per pair, best of %d runs of %lu pairs\n",
	       RUNS, PAIRS);
	printf("%-20s %5s %8s %9s %22s\n", "primitive", "held", "checker",
	       "ns/pair", "edge checks/acquire");
	for (int p = P_MUTEX; p <= P_RWSEM_READ; p++) {
		for (int h = 0; h <= NR_HELD; h += NR_HELD) {
			for (int c = 1; c >= 0; c--) {
				double checks;
				double ns = measure((enum prim)p, c, h, &checks);

				printf("%-20s %5d %8s %9.1f %22.2f\n",
				       prim_name[p], h, c ? "on" : "off", ns,
				       checks);
			}
		}
	}
	lusim_reset_all();
	return 0;
}
