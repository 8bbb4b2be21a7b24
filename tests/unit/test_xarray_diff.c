// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential test of the shim xarray against the reference in
 * tests/ref/xa_diff.c (the engine fuzz/fuzz_xarray.c drives with fuzz input):
 * long seeded random op sequences (every normal-API operation, the __xa_*
 * forms under xa_lock, injected allocation failures, indices from small,
 * 16-bit, 32-bit-edge and full 64-bit ranges) on plain, XA_FLAGS_ALLOC and
 * XA_FLAGS_ALLOC1 arrays. The engine compares after every op (see
 * xa_diff.h); a mismatch prints the seed, the op number and the last ops.
 *
 * Also here: the engine's own checker, XA-DIFF-MISMATCH, caught in the act
 * (an entry stored behind the reference's back), with the op trace.
 *
 *   test_xarray_diff [OPS [SEED]]   (defaults: 100000 ops, seeds 1..4)
 */
#include <linux/xarray.h>
#include <linux/rcupdate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lusim_test.h"
#include "xa_diff.h"

static unsigned long nr_ops = 100000;
static unsigned long seeds[8] = { 1, 2, 3, 4 };
static unsigned int nr_seeds = 4;
static unsigned long cur_seed;

static void __attribute__((noreturn))
test_mismatch(struct xa_diff *d, const char *site, const char *msg)
{
	char trace[XA_DIFF_TRACE * (XA_DIFF_TRACE_LINE + 16) + 128];

	fprintf(stderr, "xarray differential mismatch: %s array, seed %lu, op %lu: %s\n  at %s\n",
		d->kind, cur_seed, d->op, msg, site);
	xa_diff_trace(d, trace, sizeof(trace));
	fputs(trace, stderr);
	fprintf(stderr, "rerun: test_xarray_diff %lu %lu\n", nr_ops, cur_seed);
	lusim_findings_print(NULL);
	fail_msg("seed %lu op %lu: %s", cur_seed, d->op, msg);
	abort();	/* not reached */
}

static void run_one(enum xa_diff_kind kind, unsigned long seed)
{
	static const gfp_t flags[XA_DIFF_NR_KINDS] = {
		0, XA_FLAGS_ALLOC, XA_FLAGS_ALLOC1,
	};
	static struct xa_diff d;
	struct xa_diff_prng rng;
	unsigned long visits0 = lusim_xa_stats.nodes_visited;
	const unsigned long *st = d.stats;

	cur_seed = seed;
	xa_diff_prng_init(&rng, seed * 0x5851f42d4c957f2dUL + (unsigned long)flags[kind]);
	xa_diff_init(&d, kind, &rng.src, test_mismatch);
	while (d.op < nr_ops) {
		xa_diff_step(&d);
		if (!((d.op - 1) % 4096))
			rcu_barrier();
	}
	xa_diff_final_check(&d);
	print_message("%s seed %lu: %lu ops (loads %lu stores %lu erases %lu inserts %lu cmpxchg %lu reserve/release %lu allocs %lu+%lu marks %lu finds %lu+%lu destroys %lu; %lu failing allocations armed, %lu -ENOMEM), %lu full compares, %zu entries left, %lu nodes visited\n",
		      d.kind, seed, nr_ops, st[XA_DIFF_LOAD],
		      st[XA_DIFF_STORE] + st[XA_DIFF_LOCKED_STORE],
		      st[XA_DIFF_ERASE] + st[XA_DIFF_LOCKED_ERASE] + st[XA_DIFF_TRIM],
		      st[XA_DIFF_INSERT], st[XA_DIFF_CMPXCHG],
		      st[XA_DIFF_RESERVE] + st[XA_DIFF_RELEASE], st[XA_DIFF_ALLOC],
		      st[XA_DIFF_ALLOC_CYCLIC],
		      st[XA_DIFF_SET_MARK] + st[XA_DIFF_CLEAR_MARK], st[XA_DIFF_FIND],
		      st[XA_DIFF_FIND_AFTER], st[XA_DIFF_DESTROY], d.armed, d.enomem,
		      d.full_checks, d.ref.n, lusim_xa_stats.nodes_visited - visits0);
	xa_diff_destroy(&d);
	assert_no_findings();
}

static void run_all(enum xa_diff_kind kind)
{
	for (unsigned int i = 0; i < nr_seeds; i++) {
		lusim_test_setup(NULL);
		run_one(kind, seeds[i]);
	}
}

static void test_diff_plain(void **state)
{
	(void)state;
	run_all(XA_DIFF_KIND_PLAIN);
}

static void test_diff_alloc(void **state)
{
	(void)state;
	run_all(XA_DIFF_KIND_ALLOC);
}

static void test_diff_alloc1(void **state)
{
	(void)state;
	run_all(XA_DIFF_KIND_ALLOC1);
}

/* --- the checker itself ------------------------------------------------------ */

static jmp_buf caught;
static char caught_trace[2048];

static void __attribute__((noreturn))
record_mismatch(struct xa_diff *d, const char *site, const char *msg)
{
	xa_diff_report(d, site, msg);
	longjmp(caught, 1);
}

static struct xa_diff *traced;

static size_t trace_hook(char *buf, size_t len)
{
	size_t n = xa_diff_trace(traced, buf, len);

	snprintf(caught_trace, sizeof(caught_trace), "%s", buf);
	return n;
}

/*
 * The mistake: an entry the reference never saw (stored straight into the
 * xarray between two ops). The next full compare must report
 * XA-DIFF-MISMATCH, with the op trace appended through the findings trace
 * hook, exactly as the fuzz target does.
 */
static void test_mismatch_is_a_finding(void **state)
{
	static struct xa_diff d;
	struct xa_diff_prng rng;
	const struct lusim_finding *f;
	volatile unsigned long steps = 0;

	(void)state;
	xa_diff_prng_init(&rng, 1);
	xa_diff_init(&d, XA_DIFF_KIND_PLAIN, &rng.src, record_mismatch);
	traced = &d;
	lusim_findings_set_trace(trace_hook);
	for (int i = 0; i < 20; i++)
		xa_diff_step(&d);
	assert_no_findings();
	/* far from anything the picker's small-index ops touch */
	assert_null(xa_store(&d.xa, 1UL << 40, xa_mk_value(7), GFP_KERNEL));
	if (!setjmp(caught)) {
		while (steps < 1000) {
			xa_diff_step(&d);
			steps++;
		}
		lusim_findings_set_trace(NULL);
		fail_msg("the stray entry went unnoticed for %lu ops", (unsigned long)steps);
	}
	lusim_findings_set_trace(NULL);
	assert_finding("XA-DIFF-MISMATCH");
	assert_int_equal(lusim_findings_count(), 1);
	f = lusim_findings_get(0);
	assert_non_null(strstr(f->site, "tests/ref/xa_diff.c:"));
	assert_non_null(strstr(f->msg, "plain array, op "));
	assert_non_null(strstr(f->msg, "0x10000000000"));
	/* the trace hook appended the last ops to the finding's detail */
	assert_non_null(strstr(f->detail, "last 16 (oldest first)"));
	assert_non_null(strstr(caught_trace, "xa_diff: plain array"));
	/* clean up behind the engine: the stray entry, then the rest */
	xa_erase(&d.xa, 1UL << 40);
	xa_diff_destroy(&d);
}

/* Same seed, same ops, same contents: the hash the fuzz replay compares. */
static void test_hash_is_deterministic(void **state)
{
	static struct xa_diff d;
	struct xa_diff_prng rng;
	uint64_t h[2];

	(void)state;
	for (int i = 0; i < 2; i++) {
		lusim_test_setup(NULL);
		xa_diff_prng_init(&rng, 42);
		xa_diff_init(&d, XA_DIFF_KIND_ALLOC, &rng.src, test_mismatch);
		while (d.op < 2000)
			xa_diff_step(&d);
		xa_diff_final_check(&d);
		h[i] = xa_diff_hash(&d);
		xa_diff_destroy(&d);
	}
	assert_true(h[0] == h[1]);
	/* and a different run gives a different hash */
	lusim_test_setup(NULL);
	xa_diff_prng_init(&rng, 43);
	xa_diff_init(&d, XA_DIFF_KIND_ALLOC, &rng.src, test_mismatch);
	while (d.op < 2000)
		xa_diff_step(&d);
	assert_true(xa_diff_hash(&d) != h[0]);
	xa_diff_destroy(&d);
	assert_no_findings();
}

/* The byte source: whole little-endian bytes per choice, zeros past the end. */
static void test_byte_source(void **state)
{
	static const uint8_t in[] = { 0x34, 0x12, 0xff, 7 };
	struct xa_diff_bytes b;

	(void)state;
	assert_int_equal(xa_diff_bytes_for(2), 1);
	assert_int_equal(xa_diff_bytes_for(256), 1);
	assert_int_equal(xa_diff_bytes_for(257), 2);
	assert_int_equal(xa_diff_bytes_for(1000), 2);
	assert_int_equal(xa_diff_bytes_for(1UL << 17), 3);
	assert_int_equal(xa_diff_bytes_for(0), 8);
	xa_diff_bytes_init(&b, in, sizeof(in));
	assert_true(b.src.more(&b.src));
	assert_int_equal(b.src.below(&b.src, XA_CH_OP, 1000), 0x1234 % 1000);
	assert_int_equal(b.src.below(&b.src, XA_CH_IDX, 256), 0xff);
	assert_true(b.src.more(&b.src));
	assert_int_equal(b.src.below(&b.src, XA_CH_IDX, 1UL << 16), 7);
	assert_false(b.src.more(&b.src));
	assert_int_equal(b.src.below(&b.src, XA_CH_IDX, 0), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_diff_plain),
		lusim_unit_test(test_diff_alloc),
		lusim_unit_test(test_diff_alloc1),
		lusim_unit_test(test_mismatch_is_a_finding),
		lusim_unit_test(test_hash_is_deterministic),
		lusim_unit_test(test_byte_source),
	};

	if (argc > 1)
		nr_ops = strtoul(argv[1], NULL, 0);
	if (argc > 2) {
		seeds[0] = strtoul(argv[2], NULL, 0);
		nr_seeds = 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
