// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live-update benchmark (iommufd, VFIO, memfd handlers; the IOMMU core and
 * VT-d driver under them; LUO, KHO and kexec), driven through sim/ops as a
 * VMM would.  Prints figures, asserts nothing about time.
 *
 * For a memfd of 16, 256 and 4096 pages (64 KiB .. 16 MiB) mapped into one
 * IOAS with one marked HWPT and one device attached: the time of each
 * preserve (memfd, iommufd, VFIO file), of the kexec, of the memfd's
 * retrieve, and of closing an outgoing session (unpreserve of the three);
 * with the KHO chunks each step preserves and the pages the kexec keeps and
 * drops (deterministic counters).  The memfd preserve and retrieve and the
 * domain preserve are O(pages) by design (every page is listed and
 * preserved), as in the kernel.
 *
 * Second table (issue 5's benchmark): one whole live-update cycle with 1,
 * 16 and 256 devices sharing one marked HWPT over a 1 MiB and a 1 GiB
 * memfd: preserve everything (memfd, iommufd, one VFIO file per device),
 * kexec, restore (retrieve the session, the memfd and every VFIO file,
 * then DMA from every device through its restored domain).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kexec_handover.h>
#include <linux/memfd.h>
#include <lusim/findings.h>
#include <lusim/kexec.h>
#include <lusim/reset.h>
#include <ops/ops.h>
#include <uapi/linux/iommufd.h>

#define PAGE		4096UL
#define IOVA		0x100000UL
#define MAP_FLAGS	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | \
			 IOMMU_IOAS_MAP_WRITEABLE)

static unsigned int min_u(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

#define CHECK(expr)							\
	do {								\
		long __r = (expr);					\
		if (__r < 0) {						\
			fprintf(stderr, "%s:%d: %s = %ld\n", __FILE__,	\
				__LINE__, #expr, __r);			\
			lusim_findings_print(stderr);			\
			exit(1);					\
		}							\
	} while (0)

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct chain {
	int iommufd, mfd, vfd, lufd, sfd;
	uint32_t ioas, hwpt, dev_id;
};

static void chain_setup(struct chain *c, unsigned long pages)
{
	uint64_t iova = IOVA;
	uint32_t pt;

	c->iommufd = ops_iommufd_open();
	CHECK(c->iommufd);
	CHECK(ops_ioas_alloc(c->iommufd, &c->ioas));
	c->mfd = ops_memfd_create("bench", MFD_ALLOW_SEALING);
	CHECK(c->mfd);
	CHECK(ops_ftruncate(c->mfd, pages * PAGE));
	CHECK(ops_memfd_write_pattern(c->mfd, 0, pages * PAGE, 1));
	CHECK(ops_memfd_add_seals(c->mfd, F_SEAL_SEAL | F_SEAL_GROW |
				  F_SEAL_SHRINK));
	CHECK(ops_ioas_map_file(c->iommufd, c->ioas, c->mfd, 0, pages * PAGE,
				&iova, MAP_FLAGS));
	CHECK(ops_vfio_pci_bind(0));
	c->vfd = ops_vfio_open(0);
	CHECK(c->vfd);
	CHECK(ops_vfio_bind(c->vfd, c->iommufd, &c->dev_id));
	CHECK(ops_vfio_set_master(c->vfd, true));
	CHECK(ops_hwpt_alloc(c->iommufd, c->dev_id, c->ioas, 0, &c->hwpt));
	CHECK(ops_hwpt_lu_set_preserve(c->iommufd, c->hwpt, 1));
	pt = c->hwpt;
	CHECK(ops_vfio_attach(c->vfd, 0, &pt));
	c->lufd = ops_liveupdate_open();
	CHECK(c->lufd);
	c->sfd = ops_lu_create_session(c->lufd, "bench");
	CHECK(c->sfd);
}

static void row(unsigned long pages)
{
	double t0, t_mem, t_fd, t_vfio, t_close, t_kexec, t_retr;
	unsigned long c0, c_mem, c_fd, c_vfio;
	struct lusim_kexec_stats ks;
	struct chain c;
	int mfd;

	/* preserve, then close: the cost of unpreserving the chain */
	CHECK(ops_machine_power_on(ops_machine_default()));
	chain_setup(&c, pages);
	CHECK(ops_lu_preserve_fd(c.sfd, c.mfd, 1));
	CHECK(ops_lu_preserve_fd(c.sfd, c.iommufd, 2));
	CHECK(ops_lu_preserve_fd(c.sfd, c.vfd, 3));
	t0 = now_us();
	CHECK(ops_close(c.sfd));
	t_close = now_us() - t0;
	if (ops_machine_power_off())
		exit(1);

	/* preserve, kexec, retrieve */
	CHECK(ops_machine_power_on(ops_machine_default()));
	chain_setup(&c, pages);
	c0 = lusim_kho_nr_preserved_chunks();
	t0 = now_us();
	CHECK(ops_lu_preserve_fd(c.sfd, c.mfd, 1));
	t_mem = now_us() - t0;
	c_mem = lusim_kho_nr_preserved_chunks() - c0;
	t0 = now_us();
	CHECK(ops_lu_preserve_fd(c.sfd, c.iommufd, 2));
	t_fd = now_us() - t0;
	c_fd = lusim_kho_nr_preserved_chunks() - c0 - c_mem;
	t0 = now_us();
	CHECK(ops_lu_preserve_fd(c.sfd, c.vfd, 3));
	t_vfio = now_us() - t0;
	c_vfio = lusim_kho_nr_preserved_chunks() - c0 - c_mem - c_fd;

	t0 = now_us();
	CHECK(ops_kexec());
	t_kexec = now_us() - t0;
	lusim_kexec_get_stats(&ks);

	c.lufd = ops_liveupdate_open();
	c.sfd = ops_lu_retrieve_session(c.lufd, "bench");
	CHECK(c.sfd);
	t0 = now_us();
	mfd = ops_lu_retrieve_fd(c.sfd, 1);
	t_retr = now_us() - t0;
	CHECK(mfd);
	CHECK(ops_dma_check_pattern(0, 0, IOVA, pages * PAGE, 1));
	CHECK(ops_memfd_check_pattern(mfd, 0, pages * PAGE, 1));
	/* phase 1 cannot finish: a plain reboot drops what is left */
	CHECK(ops_kexec());
	if (ops_machine_power_off())
		exit(1);

	printf("%5lu pages | preserve memfd %8.1f us (%4lu chunks) iommufd %7.1f us (%3lu) vfio %6.1f us (%lu)"
	       " | kexec %8.1f us (kept %5lu, dropped %5lu pages) | retrieve memfd %8.1f us | close session %7.1f us\n",
	       pages, t_mem, c_mem, t_fd, c_fd, t_vfio, c_vfio, t_kexec,
	       ks.pages_kept, ks.pages_dropped, t_retr, t_close);
}

/*
 * A session holds at most LUO_FILE_MAX (128) files and a file can be in one
 * session only, so one iommufd with its memfd can carry at most 126 VFIO
 * files: 256 devices need several chains (iommufd + memfd + session each),
 * DEVS_PER_CHAIN devices per chain, the mapped size split between them.
 */
#define DEVS_PER_CHAIN	120

struct cchain {
	int iommufd, mfd, sfd;
	uint32_t ioas, hwpt;
	unsigned long bytes;
	unsigned int first, ndev;
	char name[16];
};

static void cycle(unsigned int ndev, unsigned long bytes)
{
	unsigned int nch = (ndev + DEVS_PER_CHAIN - 1) / DEVS_PER_CHAIN;
	double t0, t_setup, t_pres, t_kexec, t_rest;
	struct lusim_kexec_stats ks;
	struct cchain *ch;
	int lufd, *vfd;
	uint32_t dev_id, pt;
	unsigned int i, k;

	vfd = calloc(ndev, sizeof(*vfd));
	ch = calloc(nch, sizeof(*ch));
	if (!vfd || !ch)
		exit(1);
	/* 1 device needs 1 unit; more devices spread over 4 units */
	CHECK(ops_machine_power_on(ops_machine_scaled(ndev > 1 ? 4 : 1, ndev)));
	t0 = now_us();
	lufd = ops_liveupdate_open();
	CHECK(lufd);
	for (k = 0; k < nch; k++) {
		struct cchain *c = &ch[k];
		uint64_t iova = IOVA;

		c->first = k * DEVS_PER_CHAIN;
		c->ndev = min_u(ndev - c->first, DEVS_PER_CHAIN);
		c->bytes = (bytes / nch) & ~(PAGE - 1);
		snprintf(c->name, sizeof(c->name), "cycle%u", k);
		c->iommufd = ops_iommufd_open();
		CHECK(c->iommufd);
		CHECK(ops_ioas_alloc(c->iommufd, &c->ioas));
		c->mfd = ops_memfd_create("cycle", MFD_ALLOW_SEALING);
		CHECK(c->mfd);
		CHECK(ops_ftruncate(c->mfd, c->bytes));
		CHECK(ops_memfd_write_pattern(c->mfd, 0, PAGE, 7));
		CHECK(ops_memfd_write_pattern(c->mfd, c->bytes - PAGE, PAGE, 8));
		CHECK(ops_memfd_add_seals(c->mfd, F_SEAL_SEAL | F_SEAL_GROW |
					  F_SEAL_SHRINK));
		CHECK(ops_ioas_map_file(c->iommufd, c->ioas, c->mfd, 0, c->bytes,
					&iova, MAP_FLAGS));
		for (i = c->first; i < c->first + c->ndev; i++) {
			CHECK(ops_vfio_pci_bind(i));
			vfd[i] = ops_vfio_open(i);
			CHECK(vfd[i]);
			CHECK(ops_vfio_bind(vfd[i], c->iommufd, &dev_id));
			CHECK(ops_vfio_set_master(vfd[i], true));
			if (i == c->first) {
				CHECK(ops_hwpt_alloc(c->iommufd, dev_id, c->ioas, 0,
						     &c->hwpt));
				CHECK(ops_hwpt_lu_set_preserve(c->iommufd, c->hwpt, 1));
			}
			pt = c->hwpt;
			CHECK(ops_vfio_attach(vfd[i], 0, &pt));
		}
		c->sfd = ops_lu_create_session(lufd, c->name);
		CHECK(c->sfd);
	}
	t_setup = now_us() - t0;

	t0 = now_us();
	for (k = 0; k < nch; k++) {
		CHECK(ops_lu_preserve_fd(ch[k].sfd, ch[k].mfd, 1));
		CHECK(ops_lu_preserve_fd(ch[k].sfd, ch[k].iommufd, 2));
		for (i = ch[k].first; i < ch[k].first + ch[k].ndev; i++)
			CHECK(ops_lu_preserve_fd(ch[k].sfd, vfd[i], 100 + i));
	}
	t_pres = now_us() - t0;

	t0 = now_us();
	CHECK(ops_kexec());
	t_kexec = now_us() - t0;
	lusim_kexec_get_stats(&ks);

	t0 = now_us();
	lufd = ops_liveupdate_open();
	CHECK(lufd);
	for (k = 0; k < nch; k++) {
		struct cchain *c = &ch[k];

		c->sfd = ops_lu_retrieve_session(lufd, c->name);
		CHECK(c->sfd);
		c->mfd = ops_lu_retrieve_fd(c->sfd, 1);
		CHECK(c->mfd);
		for (i = c->first; i < c->first + c->ndev; i++) {
			CHECK(ops_vfio_pci_bind(i));
			CHECK(ops_lu_retrieve_fd(c->sfd, 100 + i));
			CHECK(ops_dma_check_pattern(i, 0, IOVA, PAGE, 7));
			CHECK(ops_dma_check_pattern(i, 0, IOVA + c->bytes - PAGE,
						    PAGE, 8));
		}
	}
	t_rest = now_us() - t0;
	for (k = 0; k < nch; k++)
		CHECK(ops_memfd_check_pattern(ch[k].mfd, ch[k].bytes - PAGE, PAGE, 8));
	CHECK(ops_kexec());
	if (ops_machine_power_off())
		exit(1);
	free(vfd);
	free(ch);

	printf("%4u devices %5lu MiB %u session%s | setup %10.1f us | preserve %9.1f us | kexec %9.1f us (kept %6lu, dropped %4lu pages) | restore %9.1f us | cycle %9.1f us\n",
	       ndev, bytes >> 20, nch, nch > 1 ? "s" : " ", t_setup, t_pres,
	       t_kexec, ks.pages_kept, ks.pages_dropped, t_rest,
	       t_pres + t_kexec + t_rest);
}

int main(void)
{
	static const unsigned long sizes[] = { 16, 256, 4096 };
	unsigned int i;

	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	printf("live update of one device (memfd -> iommufd -> vfio), by memfd size\n");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		row(sizes[i]);
	printf("\none live-update cycle (preserve + kexec + restore), by devices and mapped size\n");
	{
		static const unsigned int ndevs[] = { 1, 16, 256 };
		static const unsigned long bytes[] = { 1UL << 20, 1UL << 30 };
		unsigned int d, b;

		for (d = 0; d < 3; d++)
			for (b = 0; b < 2; b++)
				cycle(ndevs[d], bytes[b]);
	}
	if (lusim_findings_count()) {
		lusim_findings_print(stderr);
		return 1;
	}
	return 0;
}
