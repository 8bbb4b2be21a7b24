// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-model benchmark (iommufd + VFIO + VT-d model + machine), driven
 * through sim/ops as a VMM would. Prints figures; asserts nothing about
 * time. Beside each time it prints deterministic per-op counters, and it
 * checks on those counters (never on time) that the per-op cost grows at
 * most logarithmically with the number of mappings and of devices.
 *
 *  1. Mappings: with one device attached to the IOAS (one domain), the cost
 *     of IOMMU_IOAS_MAP_FILE, IOMMU_IOAS_UNMAP and a device DMA read at 10,
 *     10^3 and 10^5 mappings (one 4 KiB page each, all of the same memfd
 *     page, so host memory stays small), and of attaching/detaching one
 *     more device of a group to the existing HWPT.
 *     Counters: interval-tree nodes visited per map/unmap, slab allocations
 *     per op, lock acquisitions per op, page-table entries the hardware
 *     reads per (cold) DMA.
 *  2. Devices: a machine with 1, 16 and 256 PCI functions (4 IOMMU units,
 *     one auto domain per unit), all bound through VFIO and attached to one
 *     IOAS with 1000 mappings: the cost of attach and detach per device,
 *     of DMA per device, of a map/unmap with every device attached.
 *
 * Cost of a new domain: attaching the first device of a unit creates a
 * domain and fills it with every existing mapping, which is O(mappings) by
 * design (the kernel does the same); it is printed separately.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/fs.h>
#include <linux/interval_tree.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <lusim/findings.h>
#include <lusim/reset.h>
#include <ops/ops.h>
#include <uapi/linux/iommufd.h>

#include <fcntl.h>
#include <sys/mman.h>

#define PAGE		4096UL
#define IOVA_BASE	0x100000000ULL
#define MAP_FLAGS	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | \
			 IOMMU_IOAS_MAP_WRITEABLE)

#define CHECK(expr)							\
	do {								\
		long __r = (expr);					\
		if (__r) {						\
			fprintf(stderr, "%s:%d: %s = %ld\n", __FILE__,	\
				__LINE__, #expr, __r);			\
			lusim_findings_print(stderr);			\
			exit(1);					\
		}							\
	} while (0)

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* deterministic counters of the whole system */
struct counters {
	unsigned long it_visits;
	unsigned long slab_allocs;
	unsigned long page_allocs;
	unsigned long locks;
	uint64_t walk_reads, walks, iotlb_hits;
};

static void counters_read(struct counters *c)
{
	struct lusim_slab_stats ss;
	struct lusim_page_stats ps;
	unsigned int i;

	lusim_slab_stats(&ss);
	lusim_page_stats(&ps);
	c->it_visits = lusim_interval_tree_visits;
	c->slab_allocs = ss.allocs;
	c->page_allocs = ps.allocs;
	c->locks = current->nr_lock_acquires;
	c->walk_reads = c->walks = c->iotlb_hits = 0;
	for (i = 0; i < hw_iommu_count(); i++) {
		struct hw_iommu_stats st;

		hw_iommu_get_stats(hw_iommu_at(i), &st);
		c->walk_reads += st.walk_reads;
		c->walks += st.walks;
		c->iotlb_hits += st.iotlb_hits;
	}
}

struct per_op {
	double ns;
	double visits, slab, pages, locks, walk_reads, walks;
};

static void per_op(struct per_op *p, const struct counters *a,
		   const struct counters *b, double ns, unsigned long n)
{
	p->ns = ns / n;
	p->visits = (double)(b->it_visits - a->it_visits) / n;
	p->slab = (double)(b->slab_allocs - a->slab_allocs) / n;
	p->pages = (double)(b->page_allocs - a->page_allocs) / n;
	p->locks = (double)(b->locks - a->locks) / n;
	p->walk_reads = (double)(b->walk_reads - a->walk_reads) / n;
	p->walks = (double)(b->walks - a->walks) / n;
}

static void print_op(const char *what, unsigned long scale,
		     const struct per_op *p)
{
	printf("  %-26s %7lu  %9.0f ns  tree %5.1f  slab %5.2f  pages %5.2f"
	       "  locks %6.1f  walk-reads %5.2f\n", what, scale, p->ns,
	       p->visits, p->slab, p->pages, p->locks, p->walk_reads);
}

static int failures;

/* log2 without libm: whole octaves plus a linear part (an upper bound) */
static double log2_approx(double x)
{
	double r = 0;

	while (x >= 2) {
		x /= 2;
		r++;
	}
	return r + (x - 1);
}

/*
 * At most logarithmic growth between scale @n1 (cost @c1) and @n2 (@c2):
 * c2 <= c1 * (1 + log2(n2 / n1)) + slack.
 */
static void check_log(const char *what, double n1, double c1, double n2,
		      double c2)
{
	double bound = (c1 + 1.0) * (1.0 + log2_approx(n2 / n1)) + 4.0;

	if (c2 > bound) {
		printf("  LOG-GROWTH VIOLATION: %s %.2f at %.0f vs %.2f at %.0f "
		       "(bound %.2f)\n", what, c2, n2, c1, n1, bound);
		failures++;
	}
}

struct map_result {
	struct per_op map, unmap, dma_cold, dma_warm, attach;
};

static void bench_mappings(unsigned long n, struct map_result *r)
{
	struct counters a, b;
	uint32_t dev_id[3], pt;
	int iommufd, vfio[3], mfd;
	unsigned char buf[8];
	unsigned long i, ndma, nat = 100;
	uint32_t ioas;
	double t;

	CHECK(ops_machine_power_on(ops_machine_default()));
	iommufd = ops_iommufd_open();
	CHECK(ops_ioas_alloc(iommufd, &ioas));
	/* dev 1 and dev 2 share a group; dev 0 sits behind the same unit */
	for (i = 0; i < 3; i++) {
		CHECK(ops_vfio_pci_bind(i));
		vfio[i] = ops_vfio_open(i);
		CHECK(ops_vfio_bind(vfio[i], iommufd, &dev_id[i]));
		CHECK(ops_vfio_set_master(vfio[i], true));
	}
	pt = ioas;
	CHECK(ops_vfio_attach(vfio[1], 0, &pt));
	mfd = ops_memfd_create("bench", MFD_ALLOW_SEALING);
	CHECK(ops_ftruncate(mfd, PAGE));

	counters_read(&a);
	t = now_ns();
	for (i = 0; i < n; i++) {
		uint64_t iova = IOVA_BASE + i * PAGE;

		CHECK(ops_ioas_map_file(iommufd, ioas, mfd, 0, PAGE, &iova,
					MAP_FLAGS));
	}
	t = now_ns() - t;
	counters_read(&b);
	per_op(&r->map, &a, &b, t, n);

	/* DMA: cold (distinct pages, first touch) then warm (same page) */
	ndma = n < 10000 ? n : 10000;
	counters_read(&a);
	t = now_ns();
	for (i = 0; i < ndma; i++) {
		uint64_t iova = IOVA_BASE + ((i * 7919) % n) * PAGE;

		CHECK(ops_dma(1, 0, iova, buf, sizeof(buf), false, NULL));
	}
	t = now_ns() - t;
	counters_read(&b);
	per_op(&r->dma_cold, &a, &b, t, ndma);
	counters_read(&a);
	t = now_ns();
	for (i = 0; i < ndma; i++)
		CHECK(ops_dma(1, 0, IOVA_BASE, buf, sizeof(buf), false, NULL));
	t = now_ns() - t;
	counters_read(&b);
	per_op(&r->dma_warm, &a, &b, t, ndma);

	/* attach + detach of the group's second function: existing HWPT */
	counters_read(&a);
	t = now_ns();
	for (i = 0; i < nat; i++) {
		pt = ioas;
		CHECK(ops_vfio_attach(vfio[2], 0, &pt));
		CHECK(ops_vfio_detach(vfio[2], 0));
	}
	t = now_ns() - t;
	counters_read(&b);
	per_op(&r->attach, &a, &b, t, nat);

	counters_read(&a);
	t = now_ns();
	for (i = 0; i < n; i++) {
		uint64_t iova = IOVA_BASE + ((i * 7919) % n) * PAGE;

		CHECK(ops_ioas_unmap(iommufd, ioas, iova, PAGE, NULL));
	}
	t = now_ns() - t;
	counters_read(&b);
	per_op(&r->unmap, &a, &b, t, n);

	/* a new domain (a user HWPT on the IOAS) is filled with all n */
	for (i = 0; i < n; i++) {
		uint64_t iova = IOVA_BASE + i * PAGE;

		CHECK(ops_ioas_map_file(iommufd, ioas, mfd, 0, PAGE, &iova,
					MAP_FLAGS));
	}
	counters_read(&a);
	t = now_ns();
	CHECK(ops_hwpt_alloc(iommufd, dev_id[0], ioas, 0, &pt));
	t = now_ns() - t;
	counters_read(&b);
	printf("  HWPT_ALLOC: new domain filled with %lu mappings: %.0f us, "
	       "%lu slab allocs, %lu page-table pages\n", n, t / 1e3,
	       b.slab_allocs - a.slab_allocs, b.page_allocs - a.page_allocs);

	t = now_ns();
	if (ops_machine_power_off()) {
		fprintf(stderr, "leak at power-off\n");
		exit(1);
	}
	printf("  power-off with %lu mappings: %.0f us\n", n,
	       (now_ns() - t) / 1e3);
}

struct dev_result {
	struct per_op attach, detach, dma, map;
	double first_attach_ns;
	unsigned int ndev;
};

static void bench_devices(unsigned int ndev, struct dev_result *r)
{
	const unsigned long nmap = 1000;
	int iommufd, *vfio, mfd;
	struct counters a, b;
	unsigned char buf[8];
	uint32_t ioas, pt, id;
	unsigned int d;
	unsigned long i;
	double t;

	vfio = calloc(ndev, sizeof(*vfio));
	CHECK(ops_machine_power_on(ops_machine_scaled(4, ndev)));
	iommufd = ops_iommufd_open();
	CHECK(ops_ioas_alloc(iommufd, &ioas));
	mfd = ops_memfd_create("bench", MFD_ALLOW_SEALING);
	CHECK(ops_ftruncate(mfd, PAGE));
	for (i = 0; i < nmap; i++) {
		uint64_t iova = IOVA_BASE + i * PAGE;

		CHECK(ops_ioas_map_file(iommufd, ioas, mfd, 0, PAGE, &iova,
					MAP_FLAGS));
	}
	for (d = 0; d < ndev; d++) {
		int ret = ops_vfio_pci_bind(d);

		if (ret == -ENOSPC) {
			/* the model's chrdev table is full (kernel-shim/fs) */
			printf("  (only %u of %u devices get a VFIO cdev: "
			       "chrdev table full)\n", d, ndev);
			ndev = d;
			break;
		}
		CHECK(ret);
		vfio[d] = ops_vfio_open(d);
		CHECK(ops_vfio_bind(vfio[d], iommufd, &id));
		CHECK(ops_vfio_set_master(vfio[d], true));
	}

	r->ndev = ndev;
	/* the first devices: the first creates the auto domain and fills it */
	t = now_ns();
	for (d = 0; d < ndev && d < 4; d++) {
		pt = ioas;
		CHECK(ops_vfio_attach(vfio[d], 0, &pt));
	}
	r->first_attach_ns = now_ns() - t;

	counters_read(&a);
	t = now_ns();
	for (d = 4; d < ndev; d++) {
		pt = ioas;
		CHECK(ops_vfio_attach(vfio[d], 0, &pt));
	}
	t = now_ns() - t;
	counters_read(&b);
	if (ndev > 4)
		per_op(&r->attach, &a, &b, t, ndev - 4);
	else
		memset(&r->attach, 0, sizeof(r->attach));

	counters_read(&a);
	t = now_ns();
	for (d = 0; d < ndev; d++)
		CHECK(ops_dma(d, 0, IOVA_BASE + (d % nmap) * PAGE, buf,
			      sizeof(buf), false, NULL));
	t = now_ns() - t;
	counters_read(&b);
	per_op(&r->dma, &a, &b, t, ndev);

	/* map + unmap with every device attached (a domain per unit) */
	counters_read(&a);
	t = now_ns();
	for (i = 0; i < 100; i++) {
		uint64_t iova = 0x10000000;

		CHECK(ops_ioas_map_file(iommufd, ioas, mfd, 0, PAGE, &iova,
					MAP_FLAGS));
		CHECK(ops_ioas_unmap(iommufd, ioas, iova, PAGE, NULL));
	}
	t = now_ns() - t;
	counters_read(&b);
	per_op(&r->map, &a, &b, t, 100);

	counters_read(&a);
	t = now_ns();
	for (d = ndev; d-- > 4;)
		CHECK(ops_vfio_detach(vfio[d], 0));
	t = now_ns() - t;
	counters_read(&b);
	if (ndev > 4)
		per_op(&r->detach, &a, &b, t, ndev - 4);
	else
		memset(&r->detach, 0, sizeof(r->detach));

	if (ops_machine_power_off()) {
		fprintf(stderr, "leak at power-off\n");
		exit(1);
	}
	free(vfio);
}

int main(void)
{
	static const unsigned long maps[] = { 10, 1000, 100000 };
	static const unsigned int devs[] = { 1, 16, 256 };
	struct map_result mr[3];
	struct dev_result dr[3];
	unsigned int i;

	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	printf("bench_model: per-op cost vs mappings (1 device attached, 1 domain)\n");
	for (i = 0; i < 3; i++) {
		bench_mappings(maps[i], &mr[i]);
		print_op("map (IOAS_MAP_FILE)", maps[i], &mr[i].map);
		print_op("unmap (IOAS_UNMAP)", maps[i], &mr[i].unmap);
		print_op("DMA 8 B, spread pages", maps[i], &mr[i].dma_cold);
		print_op("DMA 8 B, same page", maps[i], &mr[i].dma_warm);
		print_op("attach+detach (group)", maps[i], &mr[i].attach);
	}
	for (i = 1; i < 3; i++) {
		check_log("map tree visits", maps[0], mr[0].map.visits, maps[i],
			  mr[i].map.visits);
		check_log("unmap tree visits", maps[0], mr[0].unmap.visits,
			  maps[i], mr[i].unmap.visits);
		check_log("map slab allocs", maps[0], mr[0].map.slab, maps[i],
			  mr[i].map.slab);
		check_log("map locks", maps[0], mr[0].map.locks, maps[i],
			  mr[i].map.locks);
		check_log("unmap locks", maps[0], mr[0].unmap.locks, maps[i],
			  mr[i].unmap.locks);
		check_log("DMA walk reads", maps[0], mr[0].dma_cold.walk_reads,
			  maps[i], mr[i].dma_cold.walk_reads);
		check_log("attach locks", maps[0], mr[0].attach.locks, maps[i],
			  mr[i].attach.locks);
		check_log("attach slab", maps[0], mr[0].attach.slab, maps[i],
			  mr[i].attach.slab);
	}

	printf("bench_model: per-op cost vs devices (4 units, 1000 mappings)\n");
	for (i = 0; i < 3; i++) {
		bench_devices(devs[i], &dr[i]);
		printf("  %u devices: first attaches (auto domain created, 1000 "
		       "maps filled): %.0f us\n", dr[i].ndev,
		       dr[i].first_attach_ns / 1e3);
		print_op("attach (existing HWPT)", dr[i].ndev, &dr[i].attach);
		print_op("detach", dr[i].ndev, &dr[i].detach);
		print_op("DMA 8 B per device", dr[i].ndev, &dr[i].dma);
		print_op("map+unmap, all attached", dr[i].ndev, &dr[i].map);
	}
	check_log("attach locks", dr[1].ndev, dr[1].attach.locks, dr[2].ndev,
		  dr[2].attach.locks);
	check_log("attach slab", dr[1].ndev, dr[1].attach.slab, dr[2].ndev,
		  dr[2].attach.slab);
	check_log("detach locks", dr[1].ndev, dr[1].detach.locks, dr[2].ndev,
		  dr[2].detach.locks);
	check_log("map+unmap locks", dr[0].ndev, dr[0].map.locks, dr[2].ndev,
		  dr[2].map.locks);
	check_log("map+unmap slab", dr[0].ndev, dr[0].map.slab, dr[2].ndev,
		  dr[2].map.slab);
	check_log("map+unmap tree", dr[0].ndev, dr[0].map.visits, dr[2].ndev,
		  dr[2].map.visits);
	check_log("DMA walk reads", dr[0].ndev, dr[0].dma.walk_reads,
		  dr[2].ndev, dr[2].dma.walk_reads);

	printf("log-growth check on counters: %s\n",
	       failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
