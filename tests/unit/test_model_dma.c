// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA through the whole stack: a VMM maps memfd memory into an IOAS,
 * attaches a device through VFIO, and the device's DMA (the machine's DMA
 * engine, walking the page tables the VT-d driver wrote into simulated
 * memory) reads what the CPU wrote into the memfd, and the CPU reads what
 * the device wrote. Detach and unmap make DMA fault; PASID-tagged DMA uses
 * the PASID's domain; replace switches translation; a nested domain
 * translates through a stage-1 table the "guest" wrote into its own memory
 * and then through the parent's stage 2; bus mastering off drops DMA.
 */
#include <linux/fs.h>

#include "ops_test.h"

#define PAGE	4096UL
#define MAP_FIXED_RW	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | \
			 IOMMU_IOAS_MAP_WRITEABLE)

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 8));
}

static int memfd_with(size_t len, unsigned int seed)
{
	unsigned char buf[4 * 4096];
	int mfd;

	assert_true(len <= sizeof(buf));
	mfd = ops_memfd_create("dma", MFD_ALLOW_SEALING);
	assert_true(mfd >= 0);
	fill(buf, len, seed);
	assert_int_equal(ops_pwrite(mfd, buf, len, 0), (ssize_t)len);
	return mfd;
}

static void test_dma_translates(void **state)
{
	unsigned char want[4 * 4096], got[4 * 4096];
	struct hw_dma_result res;
	struct ops_fixture f;
	uint64_t iova = 0x80000000ULL;
	uint32_t pt;
	int mfd;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 1);
	mfd = memfd_with(sizeof(want), 1);
	fill(want, sizeof(want), 1);
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, sizeof(want),
				   &iova, MAP_FIXED_RW));

	/* bound but not attached: blocked */
	test_err(EFAULT, ops_dma(1, OPS_NO_PASID, iova, got, 64, false, &res));
	assert_int_equal(res.status, HW_DMA_FAULT);

	pt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	/* the device reads what the CPU wrote */
	memset(got, 0, sizeof(got));
	test_cmd(ops_dma(1, OPS_NO_PASID, iova, got, sizeof(got), false, &res));
	assert_memory_equal(got, want, sizeof(want));
	/* an unaligned read across pages */
	test_cmd(ops_dma(1, OPS_NO_PASID, iova + 4000, got, 300, false, NULL));
	assert_memory_equal(got, want + 4000, 300);
	/* the CPU reads what the device wrote */
	fill(got, 5000, 9);
	test_cmd(ops_dma(1, OPS_NO_PASID, iova + 100, got, 5000, true, NULL));
	assert_int_equal(ops_pread(mfd, want, 5000, 100), 5000);
	assert_memory_equal(want, got, 5000);
	/* outside the mapping */
	test_err(EFAULT, ops_dma(1, OPS_NO_PASID, iova + sizeof(want), got, 8,
				 false, &res));
	assert_int_equal(res.fault_iova, iova + sizeof(want));

	/* unmap: the translation is gone (the driver flushed the IOTLB) */
	test_cmd(ops_ioas_unmap(f.iommufd, f.ioas_id, iova, sizeof(want), NULL));
	test_err(EFAULT, ops_dma(1, OPS_NO_PASID, iova, got, 8, false, NULL));
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, sizeof(want),
				   &iova, MAP_FIXED_RW));
	test_cmd(ops_dma(1, OPS_NO_PASID, iova, got, 8, false, NULL));

	/* bus mastering off: dropped, not a fault */
	test_cmd(ops_vfio_set_master(f.vfio_fd[0], false));
	test_err(EIO, ops_dma(1, OPS_NO_PASID, iova, got, 8, false, &res));
	assert_int_equal(res.status, HW_DMA_DROPPED);
	test_cmd(ops_vfio_set_master(f.vfio_fd[0], true));

	/* detach: faults */
	test_cmd(ops_vfio_detach(f.vfio_fd[0], OPS_NO_PASID));
	test_err(EFAULT, ops_dma(1, OPS_NO_PASID, iova, got, 8, false, NULL));
	/* closing the device file stops its DMA (bus master off) */
	pt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_close(f.vfio_fd[0]));
	test_err(EIO, ops_dma(1, OPS_NO_PASID, iova, got, 8, false, NULL));
	lusim_close_all_fds();
}

/* A domain filled at attach time with mappings made before it existed. */
static void test_dma_domain_filled_late(void **state)
{
	unsigned char want[2 * 4096], got[2 * 4096];
	struct ops_fixture f;
	uint64_t iova = 0x10000;
	uint32_t pt;
	int mfd;

	(void)state;
	ops_fixture_init(&f);
	mfd = memfd_with(sizeof(want), 3);
	fill(want, sizeof(want), 3);
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, sizeof(want),
				   &iova, MAP_FIXED_RW));
	ops_fixture_bind(&f, 0, 4);
	pt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_dma(4, OPS_NO_PASID, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, want, sizeof(want));
	lusim_close_all_fds();
}

/*
 * PASID-tagged DMA uses that PASID's domain: the RID and PASID 5 see two
 * different memfds at the same IOVA, and replace moves only its PASID.
 */
static void test_dma_pasid(void **state)
{
	unsigned char a[4096], b[4096], got[4096];
	struct ops_fixture f;
	uint64_t iova = 0x200000;
	uint32_t ioas2, h_rid, h_pasid, pt;
	int m1, m2;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 0);
	test_cmd(ops_ioas_alloc(f.iommufd, &ioas2));
	m1 = memfd_with(sizeof(a), 10);
	m2 = memfd_with(sizeof(b), 20);
	fill(a, sizeof(a), 10);
	fill(b, sizeof(b), 20);
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, m1, 0, PAGE, &iova,
				   MAP_FIXED_RW));
	test_cmd(ops_ioas_map_file(f.iommufd, ioas2, m2, 0, PAGE, &iova,
				   MAP_FIXED_RW));
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &h_rid));
	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], ioas2,
				IOMMU_HWPT_ALLOC_PASID, &h_pasid));
	pt = h_rid;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));

	/* PASID 5 not attached yet: faults, the RID works */
	test_err(EFAULT, ops_dma(0, 5, iova, got, 16, false, NULL));
	test_cmd(ops_dma(0, OPS_NO_PASID, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, a, sizeof(a));

	pt = h_pasid;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], 5, &pt));
	test_cmd(ops_dma(0, 5, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, b, sizeof(b));
	test_cmd(ops_dma(0, OPS_NO_PASID, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, a, sizeof(a));
	/* another PASID is still blocked */
	test_err(EFAULT, ops_dma(0, 6, iova, got, 16, false, NULL));

	/* replace PASID 5 with the RID's domain */
	pt = h_rid;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], 5, &pt));
	test_cmd(ops_dma(0, 5, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, a, sizeof(a));
	/* replace the RID with the other domain: PASID 5 unchanged */
	pt = h_pasid;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_dma(0, OPS_NO_PASID, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, b, sizeof(b));
	test_cmd(ops_dma(0, 5, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, a, sizeof(a));

	/* detach PASID 5: only it faults */
	test_cmd(ops_vfio_detach(f.vfio_fd[0], 5));
	test_err(EFAULT, ops_dma(0, 5, iova, got, 16, false, NULL));
	test_cmd(ops_dma(0, OPS_NO_PASID, iova, got, 16, false, NULL));
	lusim_close_all_fds();
}

/* A group: one function's attach makes the other's DMA translate too. */
static void test_dma_group(void **state)
{
	unsigned char want[4096], got[4096];
	struct ops_fixture f;
	uint64_t iova = 0x300000;
	uint32_t pt;
	int mfd;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 1);
	ops_fixture_bind(&f, 1, 2);
	mfd = memfd_with(sizeof(want), 5);
	fill(want, sizeof(want), 5);
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, PAGE, &iova,
				   MAP_FIXED_RW));
	pt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_dma(2, OPS_NO_PASID, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, want, sizeof(want));
	lusim_close_all_fds();
}

/* Stage-1 entry: present, writable, 4 KiB-aligned next-level address. */
static void put_pte(int mfd, uint64_t table_gpa, unsigned int index,
		    uint64_t target_gpa)
{
	uint64_t pte = target_gpa | HW_PTE_R | HW_PTE_W;

	assert_int_equal(ops_pwrite(mfd, &pte, sizeof(pte),
				    table_gpa + index * 8), 8);
}

/*
 * Nested translation: the guest's stage-1 tables live in guest memory (a
 * memfd mapped at GPA 0 in the IOAS, the parent's stage 2); the nested
 * domain walks GVA -> GPA through them and the GPAs through stage 2.
 */
static void test_dma_nested(void **state)
{
	const uint64_t gva = 0x40000000ULL + 0x3000, data_gpa = 0x5000;
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = 0x1000,	/* GPA of the stage-1 root */
		.addr_width = 48,
	};
	unsigned char want[64], got[64];
	struct ops_fixture f;
	uint64_t iova = 0;
	uint32_t parent, nested, pt;
	int mfd;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 0);
	/* 8 pages of guest RAM at GPA 0 */
	mfd = ops_memfd_create("guest", MFD_ALLOW_SEALING);
	test_cmd(ops_ftruncate(mfd, 8 * PAGE));
	put_pte(mfd, 0x1000, (gva >> 39) & 511, 0x2000);
	put_pte(mfd, 0x2000, (gva >> 30) & 511, 0x3000);
	put_pte(mfd, 0x3000, (gva >> 21) & 511, 0x4000);
	put_pte(mfd, 0x4000, (gva >> 12) & 511, data_gpa);
	fill(want, sizeof(want), 42);
	assert_int_equal(ops_pwrite(mfd, want, sizeof(want), data_gpa + 16),
			 (ssize_t)sizeof(want));
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, 8 * PAGE,
				   &iova, MAP_FIXED_RW));

	test_cmd(ops_hwpt_alloc(f.iommufd, f.dev_id[0], f.ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	test_cmd(ops_hwpt_alloc_nested(f.iommufd, f.dev_id[0], parent, 0,
				       IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				       &nested));
	pt = nested;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_dma(0, OPS_NO_PASID, gva + 16, got, sizeof(got), false,
			 NULL));
	assert_memory_equal(got, want, sizeof(want));
	/* a GVA the guest did not map faults */
	test_err(EFAULT, ops_dma(0, OPS_NO_PASID, gva + PAGE, got, 8, false,
				 NULL));
	/* the parent alone translates GPAs: the data page is at its GPA */
	pt = parent;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_dma(0, OPS_NO_PASID, data_gpa + 16, got, sizeof(got),
			 false, NULL));
	assert_memory_equal(got, want, sizeof(want));
	lusim_close_all_fds();
}

/*
 * A memfd page mapped for DMA survives truncation of the memfd: the IOMMU
 * keeps translating to the pinned page, whose bytes are unchanged, until
 * the mapping goes (why the live-update series wants F_SEAL_SHRINK).
 */
static void test_dma_pinned_after_truncate(void **state)
{
	unsigned char want[4096], got[4096];
	struct ops_fixture f;
	uint64_t iova = 0x500000;
	uint32_t pt;
	int mfd;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 3);
	mfd = memfd_with(sizeof(want), 77);
	fill(want, sizeof(want), 77);
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, PAGE, &iova,
				   MAP_FIXED_RW));
	pt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_ftruncate(mfd, 0));
	test_cmd(ops_dma(3, OPS_NO_PASID, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, want, sizeof(want));
	/* the file no longer sees the device's writes */
	test_cmd(ops_dma(3, OPS_NO_PASID, iova, got, 16, true, NULL));
	test_cmd(ops_ftruncate(mfd, PAGE));
	assert_int_equal(ops_pread(mfd, got, 16, 0), 16);
	assert_int_equal(got[0], 0);
	lusim_close_all_fds();
}

/* Anonymous user memory (IOMMU_IOAS_MAP): pinned zero pages, DMA-able. */
static void test_dma_user_memory(void **state)
{
	unsigned char got[4096], zero[4096] = { 0 }, pat[64];
	struct ops_fixture f;
	uint64_t iova = 0;
	uint32_t pt;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 5);
	test_cmd(ops_ioas_map(f.iommufd, f.ioas_id, 0x7f0000000000ULL,
			      2 * PAGE, &iova, IOMMU_IOAS_MAP_READABLE |
			      IOMMU_IOAS_MAP_WRITEABLE));
	pt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_dma(5, OPS_NO_PASID, iova, got, sizeof(got), false, NULL));
	assert_memory_equal(got, zero, sizeof(got));
	fill(pat, sizeof(pat), 8);
	test_cmd(ops_dma(5, OPS_NO_PASID, iova + PAGE, pat, sizeof(pat), true,
			 NULL));
	test_cmd(ops_dma(5, OPS_NO_PASID, iova + PAGE, got, sizeof(pat), false,
			 NULL));
	assert_memory_equal(got, pat, sizeof(pat));
	/* read-only mapping: DMA writes fault */
	iova = 0x40000000;
	test_cmd(ops_ioas_map(f.iommufd, f.ioas_id, 0x7f0000100000ULL, PAGE,
			      &iova, IOMMU_IOAS_MAP_FIXED_IOVA |
			      IOMMU_IOAS_MAP_READABLE));
	test_cmd(ops_dma(5, OPS_NO_PASID, iova, got, 8, false, NULL));
	test_err(EFAULT, ops_dma(5, OPS_NO_PASID, iova, pat, 8, true, NULL));
	lusim_close_all_fds();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_dma_translates),
		ops_unit_test(test_dma_domain_filled_late),
		ops_unit_test(test_dma_pasid),
		ops_unit_test(test_dma_group),
		ops_unit_test(test_dma_nested),
		ops_unit_test(test_dma_pinned_after_truncate),
		ops_unit_test(test_dma_user_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
