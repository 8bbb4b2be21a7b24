// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of the shim xarray: ns per xa_load, xa_store (new index and
 * overwrite), xa_erase and xa_find at 10^2, 10^4 and 10^6 entries, with
 * dense indices (0..n-1), sparse ones (i * 257: a leaf per entry) and, up
 * to 10^4, random 64-bit ones; plus the deterministic figure the unit tests
 * assert on, nodes visited per op, and the tree's height and node count.
 * Times are wall clock and vary from run to run; nothing here is asserted.
 *
 *   bench_xarray [--quick]     (--quick: 10^2 and 10^4 only)
 *
 * The shim runs as the model uses it: lockdep-lite on (every xa_store takes
 * and releases the tracked xa_lock), rcu_read_lock() around each read. The
 * "store, no lockdep" column repeats the overwrite with the lockdep checker
 * switched off, to show what the lock tracking costs.
 */
#include <linux/xarray.h>
#include <linux/slab.h>
#include <linux/rcupdate.h>
#include <linux/lockdep.h>
#include <lusim/reset.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static unsigned long mix(unsigned long x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdUL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53UL;
	return x ^ (x >> 33);
}

enum layout { DENSE, SPARSE, RANDOM };
static const char *const layout_names[] = { "dense", "sparse", "random64" };

static unsigned long index_of(enum layout l, unsigned long i)
{
	switch (l) {
	case DENSE:
		return i;
	case SPARSE:
		return i * 257;
	default:
		return mix(i + 1);
	}
}

struct row {
	double store_new, load, store_over, store_nolockdep, find, iter, erase;
	double v_load, v_store, v_find, v_erase;
	unsigned long nodes;
	unsigned int height;
};

static void run(enum layout l, unsigned long n, struct row *row)
{
	DEFINE_XARRAY(xa);
	unsigned long *idx = malloc(n * sizeof(*idx));
	unsigned long *order = malloc(n * sizeof(*order));
	unsigned long reps = n < 1000000 ? 1000000 : n, i, index, loaded = 0;
	unsigned long found = 0;
	unsigned long v0;
	void *entry;
	double t0;

	if (!idx || !order)
		abort();
	for (i = 0; i < n; i++) {
		idx[i] = index_of(l, i);
		order[i] = i;
	}
	/* a fixed shuffle, for the random-order operations */
	for (i = n - 1; i > 0; i--) {
		unsigned long j = mix(i * 7 + 3) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}

	t0 = now_ns();
	for (i = 0; i < n; i++)
		xa_store(&xa, idx[i], xa_mk_value(i), GFP_KERNEL);
	row->store_new = (now_ns() - t0) / n;
	row->nodes = lusim_xa_nr_nodes(&xa);
	row->height = lusim_xa_height(&xa);

	v0 = lusim_xa_stats.nodes_visited;
	t0 = now_ns();
	for (i = 0; i < reps; i++)
		if (xa_load(&xa, idx[order[i % n]]))
			loaded++;
	row->load = (now_ns() - t0) / reps;
	row->v_load = (double)(lusim_xa_stats.nodes_visited - v0) / reps;

	v0 = lusim_xa_stats.nodes_visited;
	t0 = now_ns();
	for (i = 0; i < reps; i++) {
		unsigned long k = order[i % n];

		xa_store(&xa, idx[k], xa_mk_value(k), GFP_KERNEL);
	}
	row->store_over = (now_ns() - t0) / reps;
	row->v_store = (double)(lusim_xa_stats.nodes_visited - v0) / reps;

	lusim_lockdep_set_enabled(false);
	t0 = now_ns();
	for (i = 0; i < reps; i++) {
		unsigned long k = order[i % n];

		xa_store(&xa, idx[k], xa_mk_value(k), GFP_KERNEL);
	}
	row->store_nolockdep = (now_ns() - t0) / reps;
	lusim_lockdep_set_enabled(true);

	/* xa_find from a random point (the next entry at or after it) */
	v0 = lusim_xa_stats.nodes_visited;
	t0 = now_ns();
	for (i = 0; i < reps; i++) {
		index = idx[order[i % n]];
		index -= l != DENSE && index;	/* a gap before it */
		if (xa_find(&xa, &index, ULONG_MAX, XA_PRESENT))
			found++;
	}
	row->find = (now_ns() - t0) / reps;
	row->v_find = (double)(lusim_xa_stats.nodes_visited - v0) / reps;

	/* xa_for_each over everything, per entry */
	t0 = now_ns();
	xa_for_each(&xa, index, entry)
		found++;
	row->iter = (now_ns() - t0) / n;

	v0 = lusim_xa_stats.nodes_visited;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		xa_erase(&xa, idx[order[i]]);
	row->erase = (now_ns() - t0) / n;
	row->v_erase = (double)(lusim_xa_stats.nodes_visited - v0) / n;
	if (!xa_empty(&xa) || loaded != reps || found != reps + n)
		abort();
	xa_destroy(&xa);
	rcu_barrier();
	free(idx);
	free(order);
}

int main(int argc, char **argv)
{
	static const unsigned long sizes[] = { 100, 10000, 1000000 };
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");

	printf("xarray benchmark: ns per op (wall clock), nodes visited per op (deterministic)\n\n");
	printf("%-9s %8s %3s %8s | %9s %7s %9s %9s %7s %7s %7s | %5s %5s %5s %5s\n",
	       "indices", "entries", "h", "nodes", "store-new", "load",
	       "store-ovr", "st-nolkd", "find", "iter", "erase",
	       "v:ld", "v:st", "v:fnd", "v:er");
	for (unsigned int s = 0; s < ARRAY_SIZE(sizes); s++) {
		if (quick && sizes[s] > 10000)
			break;
		for (int l = DENSE; l <= RANDOM; l++) {
			struct row row;

			if (l == RANDOM && sizes[s] > 10000)
				continue;	/* ~8 nodes per entry: GBs */
			lusim_reset_all();
			memset(&row, 0, sizeof(row));
			run(l, sizes[s], &row);
			printf("%-9s %8lu %3u %8lu | %9.1f %7.1f %9.1f %9.1f %7.1f %7.1f %7.1f | %5.2f %5.2f %5.2f %5.2f\n",
			       layout_names[l], sizes[s], row.height, row.nodes,
			       row.store_new, row.load, row.store_over,
			       row.store_nolockdep, row.find, row.iter, row.erase,
			       row.v_load, row.v_store, row.v_find, row.v_erase);
			fflush(stdout);
		}
	}
	printf("\nh: tree height (levels of 64-slot nodes); store-new: fill with new indices;\n"
	       "store-ovr: overwrite existing entries in random order (st-nolkd: same with\n"
	       "the lockdep checker off); find: xa_find(XA_PRESENT) from a random point;\n"
	       "iter: xa_for_each per entry; erase: random order until empty.\n"
	       "v:*: nodes visited per load, overwrite (counting walk + store walk), find, erase.\n");
	return 0;
}
