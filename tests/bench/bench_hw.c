// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/hw benchmark: prints figures, asserts nothing about time.
 *
 *  1. DMA translation cost, cold (caches flushed: context, PASID and
 *     IOTLB miss, full walk) vs warm (IOTLB hit), at 10, 10^3 and 10^5
 *     mapped 4 KiB pages and 1, 16 and 256 devices (scalable mode, one
 *     second-stage table shared by all devices, one DID per device), plus
 *     a 64-byte DMA on the warm path.  Deterministic counters beside the
 *     times: table entries read per cold translation, IOTLB hits.
 *  2. Memory: order-0 and order-4 alloc+free pairs, 10^5 allocations then
 *     10^5 frees.
 *  3. kexec (keep every other page) and machine reset vs allocated pages.
 */
#include <time.h>

#include <lusim/reset.h>

#include "../unit/hw_test.h"

#define SAMPLE		65536u		/* translations per measurement */
#define DATA_PAGES	64u

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct machine {
	struct hw_iommu *u;
	struct hw_pci_dev *dev[256];
	unsigned int ndev;
	uint64_t npages;
};

static void build(struct machine *m, uint64_t npages, unsigned int ndev)
{
	uint64_t root = HW_PHYS_NONE, data[DATA_PAGES];
	unsigned int i;
	uint64_t p;

	hw_machine_reset();
	m->u = hwt_unit(0xfed90000, 0, false);
	m->ndev = ndev;
	m->npages = npages;
	for (i = 0; i < DATA_PAGES; i++)
		data[i] = hwt_page((int)i);
	for (p = 0; p < npages; p++)
		HWT_CHECK(hw_pt_map(&root, 4, HW_PT_SECOND, p << HW_PAGE_SHIFT,
				    data[p % DATA_PAGES], HW_SIZE_4K, HW_PERM_RW) == 0);
	HWT_CHECK(hw_build_root(m->u, HW_TTM_SCALABLE, NULL) == 0);
	for (i = 0; i < ndev; i++) {
		struct hw_pasid_entry pe = {
			.pgtt = HW_PGTT_SECOND, .did = (uint16_t)(i + 1), .aw = HW_AW_48,
			.slptr = root,
		};
		uint8_t bus = (uint8_t)(1 + i / 32), devfn = (uint8_t)((i % 32) << 3);

		m->dev[i] = hwt_dev(m->u, bus, devfn, 0, false, 0);
		HWT_CHECK(hw_build_sm_ctx(m->u, bus, devfn, 0, false, false, false, NULL) == 0);
		HWT_CHECK(hw_build_pasid(m->u, bus, devfn, HW_NO_PASID, &pe) == 0);
	}
	hw_iommu_set_translation(m->u, true);
}

/* The j-th (device, iova) pair of a round: devices interleaved, pages spread. */
static void pair(const struct machine *m, unsigned int j, struct hw_pci_dev **d, uint64_t *iova)
{
	uint64_t per_dev = (SAMPLE + m->ndev - 1) / m->ndev;
	uint64_t k = j / m->ndev, stride = m->npages > per_dev ? m->npages / per_dev : 1;

	*d = m->dev[j % m->ndev];
	*iova = ((k * stride) % m->npages) << HW_PAGE_SHIFT;
}

static void flush_all(struct hw_iommu *u)
{
	hw_inv_cc_global(u);
	hw_inv_pc_global(u);
	hw_inv_iotlb_global(u);
}

static void bench_translate(uint64_t npages, unsigned int ndev)
{
	struct machine m;
	struct hw_iommu_stats s0, s1;
	uint64_t distinct = npages * ndev, round, done, reads, ncold = 0, nwarm = 0, ndma = 0;
	double t, cold = 0, warm = 0, dma = 0;
	unsigned int j;
	uint8_t buf[64];

	build(&m, npages, ndev);
	round = distinct < SAMPLE ? distinct : SAMPLE;

	/* cold: each round starts from flushed caches, every pair is a first touch */
	hw_iommu_get_stats(m.u, &s0);
	for (done = 0; done < SAMPLE; done += round) {
		flush_all(m.u);
		t = now_ns();
		for (j = 0; j < round; j++) {
			struct hw_pci_dev *d;
			struct hw_xlate x;
			uint64_t iova;

			pair(&m, j, &d, &iova);
			HWT_CHECK(hw_dma_translate(d, HW_NO_PASID, iova, HW_DMA_READ, &x) == HW_DMA_OK);
		}
		cold += now_ns() - t;
		ncold += round;
	}
	hw_iommu_get_stats(m.u, &s1);
	reads = s1.walk_reads - s0.walk_reads;

	/* warm: the last round's pairs are all cached */
	hw_iommu_get_stats(m.u, &s0);
	t = now_ns();
	for (done = 0; done < SAMPLE; done += round) {
		for (j = 0; j < round; j++) {
			struct hw_pci_dev *d;
			struct hw_xlate x;
			uint64_t iova;

			pair(&m, j, &d, &iova);
			HWT_CHECK(hw_dma_translate(d, HW_NO_PASID, iova, HW_DMA_READ, &x) == HW_DMA_OK);
		}
		nwarm += round;
	}
	warm = now_ns() - t;
	hw_iommu_get_stats(m.u, &s1);

	t = now_ns();
	for (done = 0; done < SAMPLE; done += round) {
		for (j = 0; j < round; j++) {
			struct hw_pci_dev *d;
			uint64_t iova;

			pair(&m, j, &d, &iova);
			HWT_CHECK(hw_dma(d, HW_NO_PASID, iova, buf, sizeof(buf), HW_DMA_READ,
					 NULL) == HW_DMA_OK);
		}
		ndma += round;
	}
	dma = now_ns() - t;

	printf("%8llu %7u %11.0f %11.0f %12.0f %13.1f %10.3f %9llu\n",
	       (unsigned long long)npages, ndev, cold / ncold, warm / nwarm, dma / ndma,
	       (double)reads / ncold,
	       (double)(s1.iotlb_hits - s0.iotlb_hits) / nwarm,
	       (unsigned long long)s1.iotlb_entries);
}

static void bench_mem(void)
{
	static uint64_t pages[100000];
	unsigned int i, round, n = 100000;
	double t;

	hw_machine_reset();
	printf("\nmemory                                  ns/op\n");
	t = now_ns();
	for (i = 0; i < n; i++)
		hw_mem_free(hw_mem_alloc(0, 0), 0);
	printf("order-0 alloc+free pair            %9.1f\n", (now_ns() - t) / n);
	t = now_ns();
	for (i = 0; i < n / 16; i++)
		hw_mem_free(hw_mem_alloc(4, 0), 4);
	printf("order-4 alloc+free pair (64 KiB)   %9.1f\n", (now_ns() - t) / (n / 16));
	/* first pass: new host chunks, so the host's page faults are in it */
	for (round = 0; round < 2; round++) {
		hw_machine_reset();
		t = now_ns();
		for (i = 0; i < n; i++)
			pages[i] = hw_mem_alloc(0, HW_MEM_ZERO);
		printf("order-0 alloc, 10^5 live, %-8s %9.1f\n",
		       round ? "reused" : "fresh", (now_ns() - t) / n);
		t = now_ns();
		for (i = 0; i < n; i++)
			hw_mem_free(pages[n - 1 - i], 0);
		printf("order-0 free, 10^5 live, %-9s %9.1f\n",
		       round ? "reused" : "fresh", (now_ns() - t) / n);
	}
}

static bool keep_even(uint64_t pfn, void *arg)
{
	(void)arg;
	return !(pfn & 1);
}

static void bench_kexec(void)
{
	static const unsigned int sizes[] = { 100, 1000, 10000, 100000 };
	unsigned int s, i;

	printf("\nkexec (keep every other page) and reset vs allocated pages\n");
	printf("%10s %12s %12s %14s %12s\n", "allocated", "kexec us", "ns/page", "dropped", "reset us");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct hw_mem_stats st;
		double t, tk, tr;

		hw_machine_reset();
		for (i = 0; i < sizes[s]; i++)
			hw_mem_alloc(0, 0);
		t = now_ns();
		hw_mem_kexec(keep_even, NULL);
		tk = now_ns() - t;
		hw_mem_get_stats(&st);
		t = now_ns();
		hw_machine_reset();
		tr = now_ns() - t;
		printf("%10u %12.1f %12.1f %14llu %12.1f\n", sizes[s], tk / 1e3, tk / sizes[s],
		       (unsigned long long)st.kexec_dropped, tr / 1e3);
	}
}

/* A fuzz-iteration-sized machine: what lusim_reset_all() pays for sim/hw. */
static void bench_small_reset(void)
{
	unsigned int i, n = 2000;
	double t = 0;

	for (i = 0; i < n; i++) {
		struct machine m;
		double t0;

		build(&m, 16, 2);
		hwt_read_byte(m.dev[0], 0, 0x1000);
		t0 = now_ns();
		hw_machine_reset();
		t += now_ns() - t0;
	}
	printf("\nreset of a small machine (1 unit, 2 devices, 16 mapped pages): %.2f us\n",
	       t / n / 1e3);
}

int main(void)
{
	static const uint64_t npages[] = { 10, 1000, 100000 };
	static const unsigned int ndevs[] = { 1, 16, 256 };
	unsigned int a, b;

	lusim_reset_all();
	printf("DMA translation, %u translations per figure (ns per translation)\n", SAMPLE);
	printf("%8s %7s %11s %11s %12s %13s %10s %9s\n", "mapped", "devices", "cold walk",
	       "IOTLB hit", "dma 64B hit", "reads/cold", "hits/warm", "iotlb ent");
	for (a = 0; a < 3; a++)
		for (b = 0; b < 3; b++)
			bench_translate(npages[a], ndevs[b]);
	bench_mem();
	bench_kexec();
	bench_small_reset();
	hw_machine_reset();
	return 0;
}
