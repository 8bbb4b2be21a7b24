// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cost of the live-update oracles (sim/check part 2) per op, on the kernel
 * model through sim/ops: the default machine, a VMM's preserve chain
 * (memfd sealed and mapped, a marked HWPT, device 0 attached, memfd ->
 * iommufd -> vfio preserved in one session) and a realistic op mix while
 * it is preserved: a DMA write and a DMA check by the device, a memfd
 * write through the CPU, an IOAS map refused with -EBUSY (the IOAS is
 * immutable: a failed op, judged by the journal), a second IOAS mapping
 * allocated and destroyed on a separate iommufd. Every op is bracketed by
 * lusim_check_op_begin/end, with
 *
 *   off       every check switched off (the global switch)
 *   part 1    the model-independent checks only (the LU ones off)
 *   all       every check on (what fuzzing runs)
 *
 * and the same mix with nothing preserved (the LU checks find no FLB and
 * return at once), and a full kexec's LU stage checks. Best of 5 rounds,
 * modes interleaved, thread CPU time. Asserts nothing on time.
 */
#include <check/check.h>
#include <hw/hw.h>
#include <lusim/findings.h>
#include <lusim/reset.h>
#include <ops/ops.h>
#include <uapi/linux/iommufd.h>
#include <linux/memfd.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE		4096UL
#define LEN		(16 * PAGE)
#define IOVA		0x100000UL
#define MAP_RW		(IOMMU_IOAS_MAP_FIXED_IOVA | \
			 IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define SEALS		(F_SEAL_SEAL | F_SEAL_GROW | F_SEAL_SHRINK)
#define ROUNDS		5
#define MIXES		2000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#define CHECK(expr) do {						\
	int __r = (expr);						\
	if (__r < 0) {							\
		fprintf(stderr, "%s:%d: %s = %d\n", __FILE__, __LINE__,	\
			#expr, __r);					\
		exit(2);						\
	}								\
} while (0)

enum mode { OFF, PART1, ALL, NR_MODES };
static const char *const mode_names[] = { "off", "part 1", "all" };

static bool is_lu_check(const struct lusim_check *c)
{
	return !strncmp(c->id, "INV-", 4);
}

static void set_mode(enum mode m)
{
	lusim_check_set_all_enabled(m != OFF);
	for (unsigned int i = 0; i < lusim_check_count(); i++) {
		struct lusim_check *c = lusim_check_at(i);

		c->disabled = m == PART1 && is_lu_check(c);
	}
}

static int op(const char *name, int ret)
{
	(void)name;
	return ret;
}

#define OP(name, call) ({						\
	int __r;							\
	lusim_check_op_begin(name);					\
	__r = (call);							\
	lusim_check_op_end(__r);					\
	op(name, __r);							\
})

struct chain {
	int iommufd, mfd, vfd, lufd, sfd, iommufd2;
	uint32_t ioas, ioas2, dev_id, hwpt;
};

static void chain_setup(struct chain *c, bool preserve)
{
	uint64_t iova = IOVA;
	uint32_t pt;

	memset(c, 0, sizeof(*c));
	c->iommufd = ops_iommufd_open();
	CHECK(c->iommufd);
	CHECK(ops_ioas_alloc(c->iommufd, &c->ioas));
	c->mfd = ops_memfd_create("bench", MFD_ALLOW_SEALING);
	CHECK(c->mfd);
	CHECK(ops_ftruncate(c->mfd, LEN));
	CHECK(ops_memfd_write_pattern(c->mfd, 0, LEN, 1));
	CHECK(ops_memfd_add_seals(c->mfd, SEALS));
	CHECK(ops_ioas_map_file(c->iommufd, c->ioas, c->mfd, 0, LEN, &iova,
				MAP_RW));
	CHECK(ops_vfio_pci_bind(0));
	c->vfd = ops_vfio_open(0);
	CHECK(c->vfd);
	CHECK(ops_vfio_bind(c->vfd, c->iommufd, &c->dev_id));
	CHECK(ops_vfio_set_master(c->vfd, true));
	CHECK(ops_hwpt_alloc(c->iommufd, c->dev_id, c->ioas, 0, &c->hwpt));
	CHECK(ops_hwpt_lu_set_preserve(c->iommufd, c->hwpt, 0x77));
	pt = c->hwpt;
	CHECK(ops_vfio_attach(c->vfd, OPS_NO_PASID, &pt));
	c->iommufd2 = ops_iommufd_open();
	CHECK(c->iommufd2);
	CHECK(ops_ioas_alloc(c->iommufd2, &c->ioas2));
	c->lufd = ops_liveupdate_open();
	CHECK(c->lufd);
	c->sfd = ops_lu_create_session(c->lufd, "bench");
	CHECK(c->sfd);
	if (!preserve)
		return;
	CHECK(ops_lu_preserve_fd(c->sfd, c->mfd, 0x100));
	CHECK(ops_lu_preserve_fd(c->sfd, c->iommufd, 0x200));
	CHECK(ops_lu_preserve_fd(c->sfd, c->vfd, 0x300));
}

/* One mix: 6 ops. Returns ops run. */
static unsigned int mix(struct chain *c, bool preserved, unsigned int i)
{
	uint64_t iova = IOVA + LEN;
	int r;

	CHECK(OP("dma_write", ops_dma_write_pattern(0, OPS_NO_PASID,
						     IOVA + (i % 16) * PAGE,
						     PAGE, i)));
	CHECK(OP("dma_check", ops_dma_check_pattern(0, OPS_NO_PASID,
						     IOVA + (i % 16) * PAGE,
						     PAGE, i)));
	CHECK(OP("memfd_write", ops_memfd_write_pattern(c->mfd,
							 ((i + 1) % 16) * PAGE,
							 PAGE, i)));
	r = OP("ioas_map_file", ops_ioas_map_file(c->iommufd, c->ioas, c->mfd,
						  0, PAGE, &iova, MAP_RW));
	if (preserved ? r != -EBUSY : r < 0)
		CHECK(-100);
	if (!preserved)
		CHECK(OP("ioas_unmap", ops_ioas_unmap(c->iommufd, c->ioas,
						      IOVA + LEN, PAGE, NULL)));
	iova = IOVA;
	CHECK(OP("ioas_map_file", ops_ioas_map_file(c->iommufd2, c->ioas2,
						    c->mfd, 0, PAGE, &iova,
						    MAP_RW)));
	CHECK(OP("ioas_unmap", ops_ioas_unmap(c->iommufd2, c->ioas2, IOVA,
					      PAGE, NULL)));
	return preserved ? 6 : 7;
}

static void bench_mix(bool preserve, double best[NR_MODES])
{
	struct chain c;

	for (unsigned int m = 0; m < NR_MODES; m++)
		best[m] = 1e30;
	CHECK(ops_machine_power_on(ops_machine_default()));
	lusim_check_init();
	chain_setup(&c, preserve);
	for (unsigned int round = 0; round < ROUNDS; round++)
		for (unsigned int m = 0; m < NR_MODES; m++) {
			unsigned int ops = 0;
			double t;

			set_mode(m);
			t = now_ns();
			for (unsigned int i = 0; i < MIXES; i++)
				ops += mix(&c, preserve, i);
			t = (now_ns() - t) / ops;
			if (t < best[m])
				best[m] = t;
		}
	set_mode(ALL);
	ops_machine_power_off();
	lusim_reset_all();
}

static void print_mix(const char *title, const double best[NR_MODES])
{
	printf("%s\n", title);
	printf("  %-8s %10s %10s\n", "checks", "ns/op", "vs off");
	for (unsigned int m = 0; m < NR_MODES; m++)
		printf("  %-8s %10.1f %9.2fx\n", mode_names[m], best[m],
		       best[m] / best[OFF]);
}

/* The LU checks of one kexec (before freeze, after freeze, after boot). */
static void bench_kexec(void)
{
	double best[NR_MODES];

	for (unsigned int m = 0; m < NR_MODES; m++) {
		best[m] = 1e30;
		for (unsigned int round = 0; round < ROUNDS; round++) {
			struct chain c;
			double t;

			CHECK(ops_machine_power_on(ops_machine_default()));
			lusim_check_init();
			chain_setup(&c, true);
			set_mode(m);
			t = now_ns();
			CHECK(ops_kexec());
			t = now_ns() - t;
			if (t < best[m])
				best[m] = t;
			set_mode(ALL);
			CHECK(ops_kexec());	/* phase 1: drop the leftovers */
			ops_machine_power_off();
			lusim_reset_all();
		}
	}
	printf("one kexec of the preserved chain (ops_kexec, whole)\n");
	printf("  %-8s %10s %10s\n", "checks", "us", "vs off");
	for (unsigned int m = 0; m < NR_MODES; m++)
		printf("  %-8s %10.1f %9.2fx\n", mode_names[m], best[m] / 1e3,
		       best[m] / best[OFF]);
}

int main(void)
{
	double best[NR_MODES];

	lusim_reset_all();
	printf("sim/check live-update oracles: cost per op on the kernel model\n\n");
	bench_mix(true, best);
	print_mix("op mix while the chain is preserved (3 records, a 16-page domain)",
		  best);
	printf("\n");
	bench_mix(false, best);
	print_mix("the same mix, nothing preserved", best);
	printf("\n");
	bench_kexec();
	if (lusim_findings_count()) {
		lusim_findings_print(NULL);
		return 1;
	}
	return 0;
}
