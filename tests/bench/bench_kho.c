// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cost of the page allocator, KHO and a kexec (kernel-shim/mm/page_alloc.c,
 * kernel-shim/kernel/liveupdate/kexec_handover.c, kernel-shim/kernel/kexec.c):
 *
 *  - alloc_page + __free_page (mostly the machine's fill and poison
 *    memsets), and virt_to_page, in ns;
 *  - for 1, 16 and 64 MiB preserved, laid out as order-10 folios
 *    ("contiguous") or as every other order-0 page ("scattered": one chunk
 *    and one serialized run per page, the worst case of the format):
 *    preserve per chunk, the whole kexec (LUO freeze, finalize, machine
 *    drop, reset, boot with the KHO parser reserving every chunk), restore
 *    per chunk, and the deterministic counters next to the times (chunks,
 *    leaf-search steps per lookup, pages dropped).
 *
 * Prints a table; asserts nothing on time.
 */
#include <linux/kexec_handover.h>
#include <linux/mm.h>
#include <lusim/findings.h>
#include <lusim/kexec.h>
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

static void power_on(void)
{
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	lusim_reset_all();
	if (lusim_boot()) {
		fprintf(stderr, "boot failed\n");
		exit(1);
	}
}

static void bench_alloc(void)
{
	enum { N = 1 << 16 };
	static struct page *pages[N];
	double t0, t_alloc, t_v2p;
	unsigned long i;

	power_on();
	/* the first round also pays the host's first touch of the memory */
	for (int round = 0; round < 2; round++) {
		t0 = now_ns();
		for (i = 0; i < N; i++)
			pages[i] = alloc_page(GFP_KERNEL);
		for (i = 0; i < N; i++)
			__free_page(pages[i]);
		t_alloc = (now_ns() - t0) / N;
	}
	for (i = 0; i < N; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	t0 = now_ns();
	for (i = 0; i < N; i++)
		if (virt_to_page(page_address(pages[i])) != pages[i])
			abort();
	t_v2p = (now_ns() - t0) / N;
	for (i = 0; i < N; i++)
		__free_page(pages[i]);
	printf("page allocator: alloc_page+__free_page %.0f ns, page_address+virt_to_page %.0f ns (%d pages)\n\n",
	       t_alloc, t_v2p, N);
}

static void bench_kexec(unsigned long mib, bool scattered)
{
	unsigned long pages = mib << (20 - PAGE_SHIFT), nr, i, chunks;
	unsigned int order = min(ilog2(pages), MAX_PAGE_ORDER);
	struct lusim_kho_stats ks0, ks1;
	struct lusim_kexec_stats st;
	phys_addr_t *phys;
	double t0, t_pres, t_kexec, t_rest;

	power_on();
	nr = scattered ? pages / 2 : pages >> order;
	phys = calloc(nr, sizeof(*phys));
	if (!phys)
		abort();
	for (i = 0; i < nr; i++) {
		struct folio *f;

		if (scattered) {
			f = folio_alloc(GFP_KERNEL, 0);
			folio_alloc(GFP_KERNEL, 0);	/* the hole, dropped */
		} else {
			f = folio_alloc(GFP_KERNEL, order);
		}
		if (!f)
			abort();
		phys[i] = folio_phys(f);
	}

	lusim_kho_get_stats(&ks0);
	t0 = now_ns();
	for (i = 0; i < nr; i++)
		if (kho_preserve_folio(page_folio(pfn_to_page(PHYS_PFN(phys[i])))))
			abort();
	t_pres = (now_ns() - t0) / nr;
	lusim_kho_get_stats(&ks1);
	chunks = lusim_kho_nr_preserved_chunks();

	t0 = now_ns();
	if (lusim_kexec())
		abort();
	t_kexec = now_ns() - t0;
	lusim_kexec_get_stats(&st);

	t0 = now_ns();
	for (i = 0; i < nr; i++)
		if (!kho_restore_folio(phys[i]))
			abort();
	t_rest = (now_ns() - t0) / nr;
	/* freeing (the machine poisons every page) is not part of restore */
	for (i = 0; i < nr; i++)
		folio_put(page_folio(pfn_to_page(PHYS_PFN(phys[i]))));
	if (lusim_findings_count()) {
		lusim_findings_print(NULL);
		abort();
	}

	printf("%4lu MiB %-10s %7lu chunks  preserve %5.0f ns/chunk (%.1f steps/lookup)  kexec %8.2f ms (%lu pages dropped)  restore %5.0f ns/chunk\n",
	       mib, scattered ? "scattered" : "contiguous", chunks, t_pres,
	       (double)(ks1.lookup_steps - ks0.lookup_steps) /
	       (double)(ks1.lookups - ks0.lookups ?: 1),
	       t_kexec / 1e6, st.pages_dropped, t_rest);
	free(phys);
}

int main(void)
{
	static const unsigned long sizes[] = { 1, 16, 64 };
	unsigned int i;

	bench_alloc();
	printf("KHO preserve -> lusim_kexec() -> restore\n");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		bench_kexec(sizes[i], false);
		bench_kexec(sizes[i], true);
	}
	lusim_reset_all();
	return 0;
}
