// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_restore: the new kernel's restore path fed corrupted or truncated
 * preserved state (issue 7; AMENDMENTS "Fuzzing (issue 7)").
 *
 * Base state (built by every input, deterministically; LLVMFuzzerInitialize
 * builds it once more to capture and check it): power on the default
 * machine and preserve a realistic chain as a VMM would, through sim/ops:
 *
 *   session "vmm":  memfd (sealed, 4 pages) -> iommufd A (IOAS mapping the
 *                   memfd; HWPT 1 marked, device 0 (unit 0, ATS, PASID)
 *                   attached; HWPT 2 marked, device 5 (unit 1) attached)
 *                   -> vfio cdev of device 0 and of device 5
 *   session "vmm2": memfd -> iommufd B (HWPT marked, device 3 on unit 1)
 *                   -> vfio cdev of device 3, and device 4 bound to B but
 *                   not attached (preserved without IOMMU state)
 *
 * so the IOMMU FLB holds several units and devices. Then the kexec: LUO
 * freezes, KHO finalizes; in the LUSIM_KEXEC_AFTER_FREEZE hook (the last
 * one: registered after the model's) the harness walks the KHO handover as
 * the next kernel will see it and captures the serialized pages: the KHO
 * root and memory-map pages, and every page of every preserved chunk except
 * the memfd's data folios (allocated by sim/mm/shmem.c). That is the LUO
 * root, session, file and FLB blocks, the IOMMU/iommufd/VFIO/memfd
 * serialized records and the preserved IOMMU tables. The fuzz input is
 * applied to those bytes there, then the machine drops unpreserved memory
 * and the new kernel boots on them (lusim_kexec_reboot() through
 * lusim_kexec()): exactly the kernel's serialized ABI, no checksum.
 *
 * Input: a sequence of mutation records (any byte string decodes; missing
 * bytes read as zero; at most FR_MAX_RECORDS):
 *   byte 0   op (low 3 bits)
 *   byte 1-2 captured page (LE): bit 15 clear, index modulo the pages of
 *            serialized records (KHO root and map first, then LUO, IOMMU,
 *            iommufd, VFIO, memfd records in handover order); set, modulo
 *            all captured pages (the IOMMU tables after the records)
 *   byte 3-4 offset in the page (LE, modulo 4096)
 *   op 0 SET    byte 5: n = 1 + b % 16, then n bytes written
 *   op 1 XOR    byte 5: n = 1 + b % 16, then n bytes xored in
 *   op 2 ZERO   byte 5-6: length 1 + v % 4096 (clamped to the page end)
 *   op 3 SET64  byte 5: an interesting u64 (fr_values[b % N])
 *   op 4 PHYS   byte 5-6: captured page index, byte 7: u64 slot in it;
 *               writes that page's physical address + 8 * slot (pointer
 *               swaps: another block, a tail page, a map page)
 *   op 5 ADD64  byte 5: signed delta added to the u64 (counts, lengths)
 *   op 6 SET32  byte 5: an interesting u32
 *   op 7 FILL   byte 5: fill from the offset to the page end (truncation)
 * The empty input is the valid state: it must restore cleanly.
 *
 * After the reboot the harness does what userspace can: open
 * /dev/liveupdate, retrieve both sessions (and a missing one), try a kernel
 * driver on every base device, bind vfio-pci, retrieve every token, read
 * the memfds, bind the VFIO files to a fresh iommufd, DMA from every
 * preserved device, FINISH, close everything, then kexec once more with
 * nothing preserved (the leftovers of a half-restored kernel dropped).
 *
 * Verdicts (findings in RECORD mode, judged after the run):
 *   - BUG() reached: the kernel itself BUGs on that bad preserved state; an
 *     accepted outcome. A bug handler longjmps out; the site is counted.
 *   - WARN: accepted (the kernel WARNs on bad KHO/LUO state); counted.
 *   - anything else (SLAB-*, PAGE-*, KHO-PRESERVED-FREED, HW-MEM-*, LOCK-*,
 *     RCU-*, XA-*, REFCOUNT-*, FILE-*...) is memory-unsafe or a broken
 *     invariant: printed, abort() (the engine records a crash). ASan/UBSan
 *     catch wild reads and writes; libFuzzer's -timeout a hang.
 *   - leaks are not judged: a kernel that refuses a bad handover leaves
 *     what it deserialized so far (kernel-model.md 1.5: recovery is another
 *     reboot, which the harness does).
 * LUSIM_RESTORE_STATS=1 prints the verdict distribution at exit;
 * LUSIM_RESTORE_SELFTEST=bug|double-free commits a mistake (verdict tests);
 * LUSIM_RESTORE_VERBOSE=1 prints the captured pages and each step.
 *
 *   build/fuzz/fuzz/fuzz_restore -dict=fuzz/fuzz_restore.dict CORPUS corpus/fuzz_restore
 *   build/gcc/fuzz/fuzz_restore-replay CRASHFILE
 */
#include <linux/bug.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <lusim/findings.h>
#include <lusim/kexec.h>
#include <lusim/reset.h>

#include <ops/ops.h>
#include <uapi/linux/iommufd.h>

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FR_MAX_RECORDS	64
#define FR_MAX_PAGES	4096
#define FR_PAGE		4096UL
#define FR_LEN		(4 * FR_PAGE)
#define FR_IOVA		0x100000UL
#define FR_MAP_RW	(IOMMU_IOAS_MAP_FIXED_IOVA | \
			 IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FR_SEALS	(F_SEAL_SEAL | F_SEAL_GROW | F_SEAL_SHRINK)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
uint64_t lusim_fuzz_state_hash(void);

/* --- the base state -------------------------------------------------------- */

struct fr_file {
	uint64_t token;
	int kind;		/* 0 memfd, 1 iommufd, 2 vfio */
	unsigned int dev;	/* vfio: machine device index */
	uint32_t seed;		/* memfd: pattern seed */
};

struct fr_session {
	const char *name;
	unsigned int nr_files;
	struct fr_file files[6];
};

/* what the base preserves (filled by fr_build_base, the same every time) */
static struct fr_session fr_sessions[2];
static const unsigned int fr_devs[] = { 0, 3, 4, 5 };

static bool verbose;
static bool base_failed;
/*
 * LUSIM_RESTORE_SELFTEST (read once, at start) commits a mistake after the
 * restore, for the verdict tests in fuzz/meson.build: "bug" reaches BUG()
 * (accepted: exit 0), "double-free" frees a slab object twice
 * (SLAB-DOUBLE-FREE: the harness must abort).
 */
static const char *selftest;

static void fr_base_check(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "fuzz_restore: base state: %s failed: %d\n",
			what, ret);
		base_failed = true;
	}
}

static int fr_memfd(uint32_t seed)
{
	int mfd = ops_memfd_create("vm", MFD_ALLOW_SEALING);

	fr_base_check(mfd, "memfd_create");
	fr_base_check(ops_ftruncate(mfd, FR_LEN), "ftruncate");
	fr_base_check(ops_memfd_write_pattern(mfd, 0, FR_LEN, seed), "memfd write");
	fr_base_check(ops_memfd_add_seals(mfd, FR_SEALS), "seals");
	return mfd;
}

static int fr_vfio(int iommufd, unsigned int dev, uint32_t *dev_id)
{
	int vfd;

	fr_base_check(ops_vfio_pci_bind(dev), "vfio_pci_bind");
	vfd = ops_vfio_open(dev);
	fr_base_check(vfd, "vfio_open");
	fr_base_check(ops_vfio_bind(vfd, iommufd, dev_id), "vfio_bind");
	fr_base_check(ops_vfio_set_master(vfd, true), "set_master");
	return vfd;
}

/* A marked HWPT on @ioas for @dev_id, @vfd attached to it, DMA once. */
static void fr_attach(int iommufd, uint32_t ioas, int vfd, uint32_t dev_id,
		      unsigned int dev, uint32_t token, uint32_t seed)
{
	uint32_t hwpt, pt;

	fr_base_check(ops_hwpt_alloc(iommufd, dev_id, ioas, 0, &hwpt), "hwpt_alloc");
	fr_base_check(ops_hwpt_lu_set_preserve(iommufd, hwpt, token), "set_preserve");
	pt = hwpt;
	fr_base_check(ops_vfio_attach(vfd, OPS_NO_PASID, &pt), "attach");
	fr_base_check(ops_dma_write_pattern(dev, OPS_NO_PASID, FR_IOVA, FR_PAGE,
					    seed + 10), "dma");
}

static void fr_add(struct fr_session *s, uint64_t token, int kind,
		   unsigned int dev, uint32_t seed)
{
	s->files[s->nr_files++] = (struct fr_file){ token, kind, dev, seed };
}

static void fr_preserve(int sfd, struct fr_session *s, uint64_t token, int fd,
			int kind, unsigned int dev, uint32_t seed)
{
	fr_base_check(ops_lu_preserve_fd(sfd, fd, token), "preserve_fd");
	fr_add(s, token, kind, dev, seed);
}

static void fr_build_base(void)
{
	uint32_t ioas_a, ioas_b, id0, id3, id4, id5;
	uint64_t iova;
	int a, b, m1, m2, v0, v3, v4, v5, lufd, s1, s2;

	base_failed = false;
	memset(fr_sessions, 0, sizeof(fr_sessions));
	fr_sessions[0].name = "vmm";
	fr_sessions[1].name = "vmm2";
	fr_base_check(ops_machine_power_on(ops_machine_default()), "power on");

	/* iommufd A: two marked HWPTs on two units */
	m1 = fr_memfd(1);
	a = ops_iommufd_open();
	fr_base_check(a, "iommufd open");
	fr_base_check(ops_ioas_alloc(a, &ioas_a), "ioas_alloc");
	iova = FR_IOVA;
	fr_base_check(ops_ioas_map_file(a, ioas_a, m1, 0, FR_LEN, &iova,
					FR_MAP_RW), "map_file");
	v0 = fr_vfio(a, 0, &id0);
	fr_attach(a, ioas_a, v0, id0, 0, 0x77, 1);
	v5 = fr_vfio(a, 5, &id5);
	fr_attach(a, ioas_a, v5, id5, 5, 0x78, 1);

	/* iommufd B: one marked HWPT, and a device bound but not attached */
	m2 = fr_memfd(2);
	b = ops_iommufd_open();
	fr_base_check(b, "iommufd open");
	fr_base_check(ops_ioas_alloc(b, &ioas_b), "ioas_alloc");
	iova = FR_IOVA;
	fr_base_check(ops_ioas_map_file(b, ioas_b, m2, 0, FR_LEN, &iova,
					FR_MAP_RW), "map_file");
	v3 = fr_vfio(b, 3, &id3);
	fr_attach(b, ioas_b, v3, id3, 3, 0x77, 2);
	v4 = fr_vfio(b, 4, &id4);

	lufd = ops_liveupdate_open();
	fr_base_check(lufd, "liveupdate open");
	s1 = ops_lu_create_session(lufd, "vmm");
	fr_base_check(s1, "create session");
	s2 = ops_lu_create_session(lufd, "vmm2");
	fr_base_check(s2, "create session");
	fr_preserve(s1, &fr_sessions[0], 0x100, m1, 0, 0, 1);
	fr_preserve(s1, &fr_sessions[0], 0x200, a, 1, 0, 0);
	fr_preserve(s1, &fr_sessions[0], 0x300, v0, 2, 0, 0);
	fr_preserve(s1, &fr_sessions[0], 0x305, v5, 2, 5, 0);
	fr_preserve(s2, &fr_sessions[1], 0x100, m2, 0, 0, 2);
	fr_preserve(s2, &fr_sessions[1], 0x200, b, 1, 0, 0);
	fr_preserve(s2, &fr_sessions[1], 0x303, v3, 2, 3, 0);
	/* v4 is bound to the preserved iommufd B but not attached */
	if (ops_lu_preserve_fd(s2, v4, 0x304) == 0)
		fr_add(&fr_sessions[1], 0x304, 2, 4, 0);
}

/* --- capture and mutation of the serialized pages --------------------------- */

struct fr_page {
	uint64_t phys;
	const char *site;	/* allocation site of the block holding it */
};

static struct fr_page cap[FR_MAX_PAGES];
static unsigned int nr_cap, nr_rec;	/* pages; serialized records first */
static struct fr_page base_cap[FR_MAX_PAGES];
static unsigned int nr_base_cap;
static uint64_t base_cap_hash, last_cap_hash;

static const uint8_t *mut_data;
static size_t mut_size;
static bool capture_only;
static bool capture_mismatch;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static void *fr_va(uint64_t phys)
{
	return phys_to_virt(phys);
}

static void fr_cap_page(uint64_t phys, const char *site)
{
	if (nr_cap < FR_MAX_PAGES)
		cap[nr_cap++] = (struct fr_page){ phys, site };
}

static bool fr_is_table(const char *site)
{
	/* IOMMU tables (root, context, PASID, page tables) */
	return strstr(site, "iommu-pages.c") != NULL;
}

static bool fr_is_data(const char *site)
{
	/* the memfd's data folios: bytes the VM owns, not serialized state */
	return site && strstr(site, "shmem.c");
}

/* Walk the handover the next kernel will read (it was just written). */
static void fr_capture(void)
{
	struct kho_root_ser *root;
	uint64_t map, root_phys = lusim_kho_handover_phys();
	unsigned int guard = 0;

	nr_cap = 0;
	if (!root_phys)
		return;
	fr_cap_page(root_phys, "kho root");
	root = fr_va(root_phys);
	for (map = root->mem_map; map && guard < 64; guard++) {
		struct kho_mem_map_ser *m = fr_va(map);
		uint64_t r;

		fr_cap_page(map, "kho mem map");
		for (r = 0; r < m->nr_runs && r < KHO_MEM_MAP_RUNS; r++) {
			struct kho_mem_run_ser *run = &m->runs[r];
			uint64_t c, p;

			for (c = 0; c < run->nr; c++) {
				uint64_t pfn = run->pfn + (c << run->order);
				struct page *pg = pfn_to_page(pfn);
				struct page *blk = pg->lusim_block ? pg->lusim_block : pg;
				const char *site = blk->lusim_site;

				if (fr_is_data(site))
					continue;
				for (p = 0; p < (1ULL << run->order) && p < 64; p++)
					fr_cap_page((pfn + p) << PAGE_SHIFT,
						    site ? site : "?");
			}
		}
		map = m->next;
	}
	/* stable partition: serialized records, then IOMMU tables */
	{
		static struct fr_page tmp[FR_MAX_PAGES];
		unsigned int i, n = 0;

		for (i = 0; i < nr_cap; i++)
			if (!fr_is_table(cap[i].site))
				tmp[n++] = cap[i];
		nr_rec = n;
		for (i = 0; i < nr_cap; i++)
			if (fr_is_table(cap[i].site))
				tmp[n++] = cap[i];
		memcpy(cap, tmp, sizeof(cap[0]) * nr_cap);
	}
}

static uint64_t fr_cap_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int i;

	for (i = 0; i < nr_cap; i++) {
		h = fnv(h, &cap[i].phys, sizeof(cap[i].phys));
		h = fnv(h, fr_va(cap[i].phys), FR_PAGE);
	}
	return h;
}

static const uint64_t fr_values[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x1001, 0xffff,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~0ULL - 1,
	4095, 4097, 16, 17, 32, 33, 63, 64, 65, 127, 128, 129, 254, 255,
	256, 819, 820, 1 << 20, 0xdead000, 0x6b6b6b6b6b6b6b6bULL,
	0xa5a5a5a5a5a5a5a5ULL,
};
#define FR_NR_VALUES	(sizeof(fr_values) / sizeof(fr_values[0]))

struct fr_src {
	const uint8_t *p;
	size_t n;
};

static uint8_t fr_byte(struct fr_src *s)
{
	if (!s->n)
		return 0;
	s->n--;
	return *s->p++;
}

static unsigned int fr_u16(struct fr_src *s)
{
	unsigned int lo = fr_byte(s);

	return lo | (unsigned int)fr_byte(s) << 8;
}

static unsigned long nr_records_applied;

/*
 * Bit 15 clear: one of the serialized-record pages (KHO, LUO, IOMMU,
 * iommufd, VFIO, memfd records); set: any captured page, IOMMU tables
 * included.
 */
static unsigned int fr_page_index(unsigned int v)
{
	if (!(v & 0x8000) && nr_rec)
		return v % nr_rec;
	return (v & 0x7fff) % nr_cap;
}

static void fr_apply(const uint8_t *data, size_t size)
{
	struct fr_src s = { data, size };
	unsigned int rec;

	for (rec = 0; s.n && rec < FR_MAX_RECORDS; rec++) {
		unsigned int op = fr_byte(&s) & 7;
		unsigned int pi = fr_page_index(fr_u16(&s));
		unsigned int off = fr_u16(&s) % FR_PAGE;
		uint8_t *pg = fr_va(cap[pi].phys);
		unsigned int room = FR_PAGE - off, n, i;
		uint64_t v;

		nr_records_applied++;
		switch (op) {
		case 0:
		case 1:
			n = 1 + fr_byte(&s) % 16;
			for (i = 0; i < n; i++) {
				uint8_t b = fr_byte(&s);

				if (i >= room)
					continue;
				if (op == 0)
					pg[off + i] = b;
				else
					pg[off + i] ^= b;
			}
			break;
		case 2:
			n = 1 + fr_u16(&s) % FR_PAGE;
			memset(pg + off, 0, n < room ? n : room);
			break;
		case 3:
			v = fr_values[fr_byte(&s) % FR_NR_VALUES];
			memcpy(pg + off, &v, room < 8 ? room : 8);
			break;
		case 4: {
			unsigned int pj = fr_page_index(fr_u16(&s));

			v = cap[pj].phys + 8 * (uint64_t)fr_byte(&s);
			memcpy(pg + off, &v, room < 8 ? room : 8);
			break;
		}
		case 5: {
			int8_t d = (int8_t)fr_byte(&s);

			v = 0;
			memcpy(&v, pg + off, room < 8 ? room : 8);
			v += (uint64_t)(int64_t)d;
			memcpy(pg + off, &v, room < 8 ? room : 8);
			break;
		}
		case 6: {
			uint32_t w = (uint32_t)fr_values[fr_byte(&s) % FR_NR_VALUES];

			memcpy(pg + off, &w, room < 4 ? room : 4);
			break;
		}
		default:
			memset(pg + off, fr_byte(&s), room);
			break;
		}
	}
}

/* LUSIM_KEXEC_AFTER_FREEZE: the serialized bytes are final; mutate them. */
static int fr_freeze_hook(enum lusim_kexec_stage stage)
{
	(void)stage;
	fr_capture();
	if (capture_only) {
		last_cap_hash = fr_cap_hash();
		return 0;
	}
	if (nr_cap != nr_base_cap || fr_cap_hash() != base_cap_hash) {
		capture_mismatch = true;
		return 0;
	}
	if (nr_cap)
		fr_apply(mut_data, mut_size);
	return 0;
}

/* --- verdicts ------------------------------------------------------------- */

static jmp_buf bug_jmp;
static bool bug_armed;

static void fr_bug_handler(void)
{
	if (bug_armed) {
		bug_armed = false;
		longjmp(bug_jmp, 1);
	}
	abort();
}

#define FR_MAX_SITES	64
struct fr_count {
	char site[128];
	unsigned long n;
};
static struct fr_count bug_sites[FR_MAX_SITES], warn_sites[FR_MAX_SITES];
static unsigned long nr_inputs, nr_clean, nr_bug, nr_warn_inputs, nr_lu_off,
	nr_open_eio, nr_kho_rejected;

static void fr_count(struct fr_count *t, const char *site)
{
	unsigned int i;

	for (i = 0; i < FR_MAX_SITES; i++) {
		if (!t[i].n) {
			snprintf(t[i].site, sizeof(t[i].site), "%s", site);
			t[i].n = 1;
			return;
		}
		if (!strcmp(t[i].site, site)) {
			t[i].n++;
			return;
		}
	}
}

static void fr_print_counts(const char *what, struct fr_count *t)
{
	unsigned int i;

	for (i = 0; i < FR_MAX_SITES && t[i].n; i++)
		fprintf(stderr, "  %-5s %8lu  %s\n", what, t[i].n, t[i].site);
}

static void fr_print_stats(void)
{
	fprintf(stderr,
		"fuzz_restore: %lu inputs: %lu restored without BUG/WARN, %lu BUG (accepted), "
		"%lu with WARN (accepted); KHO handover rejected %lu, live update off %lu, "
		"/dev/liveupdate -EIO %lu; %lu mutation records; %u captured pages\n",
		nr_inputs, nr_clean, nr_bug, nr_warn_inputs, nr_kho_rejected,
		nr_lu_off, nr_open_eio, nr_records_applied, nr_base_cap);
	fr_print_counts("BUG", bug_sites);
	fr_print_counts("WARN", warn_sites);
}

/* Judge the findings of one input; anything not accepted aborts. */
static void fr_judge(bool bugged)
{
	unsigned int i, n = lusim_findings_count();
	bool warned = false, bad = false;

	for (i = 0; i < n; i++) {
		const struct lusim_finding *f = lusim_findings_get(i);

		if (f->suppressed)
			continue;
		if (!strcmp(f->id, "BUG")) {
			fr_count(bug_sites, f->site);
		} else if (!strcmp(f->id, "WARN")) {
			fr_count(warn_sites, f->site);
			warned = true;
		} else {
			bad = true;
		}
	}
	if (bad) {
		fprintf(stderr, "fuzz_restore: the restore path is not safe on this input:\n");
		lusim_findings_print(NULL);
		abort();
	}
	if (bugged)
		nr_bug++;
	if (warned)
		nr_warn_inputs++;
	if (!bugged && !warned)
		nr_clean++;
}

/* --- the new kernel, as userspace sees it ------------------------------------ */

static uint64_t state_hash;

static void fr_note(long ret)
{
	state_hash = fnv(state_hash, &ret, sizeof(ret));
	if (verbose)
		fprintf(stderr, "  -> %ld\n", ret);
}

static void fr_exercise(void)
{
	int lufd, sfd[3], fds[16], nr_fds = 0, iommufd, i;
	unsigned int d, k, f;
	static unsigned char buf[FR_PAGE];

	fr_note(lusim_kho_incoming_status());
	if (lusim_kho_incoming_status() < 0)
		nr_kho_rejected++;

	/* a kernel driver on each base device, then vfio-pci */
	for (d = 0; d < sizeof(fr_devs) / sizeof(fr_devs[0]); d++) {
		int r = ops_native_bind(fr_devs[d]);

		fr_note(r);
		if (!r)
			fr_note(ops_native_unbind(fr_devs[d]));
		fr_note(ops_vfio_pci_bind(fr_devs[d]));
		/* DMA before userspace did anything (a preserved device) */
		fr_note(ops_dma_check_pattern(fr_devs[d], OPS_NO_PASID, FR_IOVA,
					      FR_PAGE, 11));
	}

	lufd = ops_liveupdate_open();
	fr_note(lufd);
	if (lufd == -ENOENT)
		nr_lu_off++;
	if (lufd == -EIO)
		nr_open_eio++;
	if (lufd < 0)
		goto reboot;
	iommufd = ops_iommufd_open();
	fr_note(iommufd);
	for (k = 0; k < 2; k++) {
		struct fr_session *s = &fr_sessions[k];

		sfd[k] = ops_lu_retrieve_session(lufd, s->name);
		fr_note(sfd[k]);
		if (sfd[k] < 0)
			continue;
		fr_note(ops_lu_finish(sfd[k]));	/* nothing retrieved yet */
		for (f = 0; f < s->nr_files; f++) {
			struct fr_file *fl = &s->files[f];
			int fd = ops_lu_retrieve_fd(sfd[k], fl->token);

			fr_note(fd);
			if (fd < 0)
				continue;
			if (fl->kind == 0) {
				fr_note(ops_pread(fd, buf, sizeof(buf), 0));
				fr_note(ops_memfd_get_seals(fd));
				fr_note(ops_memfd_check_pattern(fd, FR_PAGE, FR_PAGE,
								fl->seed));
			} else if (fl->kind == 2 && iommufd >= 0) {
				uint32_t dev_id;

				fr_note(ops_vfio_bind(fd, iommufd, &dev_id));
			}
			if (nr_fds < 16)
				fds[nr_fds++] = fd;
			else
				fr_note(ops_close(fd));
		}
		fr_note(ops_lu_retrieve_fd(sfd[k], 0x999));
	}
	sfd[2] = ops_lu_retrieve_session(lufd, "nosuch");
	fr_note(sfd[2]);
	for (d = 0; d < sizeof(fr_devs) / sizeof(fr_devs[0]); d++)
		fr_note(ops_dma_check_pattern(fr_devs[d], OPS_NO_PASID, FR_IOVA,
					      FR_PAGE, 11));
	for (k = 0; k < 2; k++) {
		if (sfd[k] < 0)
			continue;
		fr_note(ops_lu_finish(sfd[k]));
	}
	for (i = nr_fds - 1; i >= 0; i--)
		fr_note(ops_close(fds[i]));
	if (iommufd >= 0)
		fr_note(ops_close(iommufd));
	for (k = 0; k < 2; k++)
		if (sfd[k] >= 0)
			fr_note(ops_close(sfd[k]));
	fr_note(ops_close(lufd));
reboot:
	if (selftest && !strcmp(selftest, "bug"))
		BUG();
	if (selftest && !strcmp(selftest, "double-free")) {
		void *p = kmalloc(16, GFP_KERNEL);

		kfree(p);
		kfree(p);
	}
	/* once more, nothing preserved: the leftovers are dropped */
	fr_note(ops_kexec());
	for (d = 0; d < sizeof(fr_devs) / sizeof(fr_devs[0]); d++)
		fr_note(ops_native_bind(fr_devs[d]));
}

/* --- libFuzzer entry points ---------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int i;

	(void)argc;
	(void)argv;
	verbose = getenv("LUSIM_RESTORE_VERBOSE") != NULL;
	selftest = getenv("LUSIM_RESTORE_SELFTEST");
	if (getenv("LUSIM_RESTORE_STATS"))
		atexit(fr_print_stats);
	if (lusim_findings_suppress_from_env())
		exit(2);
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	lusim_reset_all();
	lusim_warn_report_const_sites();
	lusim_findings_clear();
	lusim_set_bug_handler(fr_bug_handler);

	/* build the base once, capture it, and boot it unmodified */
	fr_build_base();
	if (base_failed || lusim_findings_count()) {
		lusim_findings_print(NULL);
		fprintf(stderr, "fuzz_restore: the base state does not build\n");
		abort();
	}
	capture_only = true;
	lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, fr_freeze_hook);
	if (ops_kexec() || !nr_cap) {
		fprintf(stderr, "fuzz_restore: base kexec failed\n");
		abort();
	}
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, fr_freeze_hook);
	capture_only = false;
	memcpy(base_cap, cap, sizeof(cap[0]) * nr_cap);
	nr_base_cap = nr_cap;
	base_cap_hash = last_cap_hash;
	/* a second base must capture the same pages with the same bytes */
	fr_build_base();
	capture_only = true;
	lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, fr_freeze_hook);
	lusim_kexec();
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, fr_freeze_hook);
	capture_only = false;
	if (nr_cap != nr_base_cap || last_cap_hash != base_cap_hash ||
	    memcmp(cap, base_cap, sizeof(cap[0]) * nr_cap)) {
		fprintf(stderr, "fuzz_restore: base capture not deterministic\n");
		abort();
	}
	if (verbose)
		for (i = 0; i < nr_base_cap; i++)
			fprintf(stderr, "page %4u phys %#llx  %s\n", i,
				(unsigned long long)base_cap[i].phys,
				base_cap[i].site);
	lusim_findings_clear();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile bool bugged = false;

	state_hash = 0xcbf29ce484222325ULL;
	lusim_findings_clear();
	nr_inputs++;
	fr_build_base();
	if (base_failed) {
		lusim_findings_print(NULL);
		fprintf(stderr, "fuzz_restore: the base state does not build\n");
		abort();
	}
	mut_data = data;
	mut_size = size;
	capture_mismatch = false;
	/* last AFTER_FREEZE hook: after the model's device shutdown */
	lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, fr_freeze_hook);
	if (setjmp(bug_jmp)) {
		bugged = true;
		state_hash = fnv(state_hash, "BUG", 3);
	} else {
		bug_armed = true;
		fr_note(ops_kexec());
		if (capture_mismatch) {
			fprintf(stderr, "fuzz_restore: base state not deterministic\n");
			abort();
		}
		fr_exercise();
		bug_armed = false;
	}
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, fr_freeze_hook);
	fr_judge(bugged);
	lusim_findings_clear();
	return 0;
}

uint64_t lusim_fuzz_state_hash(void)
{
	return state_hash;
}
