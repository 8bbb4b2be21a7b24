// SPDX-License-Identifier: GPL-2.0-only
/*
 * memfd (mm/memfd.c, mm/shmem.c) through the syscalls a process uses:
 * memfd_create flags, the seals and the operations each one refuses, CPU
 * bytes through pwrite/pread, holes, truncation zeroing, fallocate, pins
 * (F_SEAL_WRITE while a page is mapped into an IOAS), page accounting.
 * The seal rules mirror the kernel's memfd selftests
 * (tools/testing/selftests/memfd/memfd_test.c: test_seal_grow,
 * test_seal_shrink, test_seal_write, test_seal_seal, test_create).
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>

#include "ops_test.h"

#define KB(x)	((x) * 1024UL)

static void test_create_flags(void **state)
{
	char name[300];
	int fd;

	(void)state;
	/* memfd_test.c test_create: bad flags, a too long name */
	test_err(EINVAL, ops_memfd_create("x", 0x1000));
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	test_err(EINVAL, ops_memfd_create(name, 0));
	name[249] = 0;		/* 255 - strlen("memfd:") */
	fd = ops_memfd_create(name, 0);
	assert_true(fd >= 0);
	test_cmd(ops_close(fd));
	name[249] = 'a';	/* 250 characters: one too many */
	name[250] = 0;
	test_err(EINVAL, ops_memfd_create(name, 0));
	test_err(EINVAL, ops_memfd_create("x", MFD_HUGETLB));	/* not modelled */
	test_err(EINVAL, ops_memfd_create("x", 0x0008 | 0x0010)); /* NOEXEC|EXEC */
	test_err(EFAULT, ops_memfd_create(NULL, 0));
}

static void test_no_sealing(void **state)
{
	int fd;

	(void)state;
	fd = ops_memfd_create("nosealing", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ops_memfd_get_seals(fd), F_SEAL_SEAL);
	test_err(EPERM, ops_memfd_add_seals(fd, F_SEAL_GROW));
	/* MFD_NOEXEC_SEAL implies sealing allowed, with F_SEAL_EXEC */
	test_cmd(ops_close(fd));
	fd = ops_memfd_create("noexec", 0x0008);
	assert_true(fd >= 0);
	assert_int_equal(ops_memfd_get_seals(fd), 0x0020);
	test_cmd(ops_memfd_add_seals(fd, F_SEAL_GROW));
	test_cmd(ops_close(fd));
}

static void test_rw_holes(void **state)
{
	unsigned char buf[3 * 4096], out[3 * 4096];
	int fd, i;

	(void)state;
	fd = ops_memfd_create("rw", MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(ops_memfd_get_seals(fd), 0);
	/* empty file: reads return 0 */
	assert_int_equal(ops_pread(fd, out, 10, 0), 0);
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7);
	/* a write across pages at an odd offset grows the file */
	assert_int_equal(ops_pwrite(fd, buf, 5000, 4000), 5000);
	memset(out, 0xee, sizeof(out));
	assert_int_equal(ops_pread(fd, out, sizeof(out), 0), 9000);
	for (i = 0; i < 4000; i++)
		assert_int_equal(out[i], 0);	/* the hole reads as zero */
	assert_memory_equal(out + 4000, buf, 5000);
	/* past EOF */
	assert_int_equal(ops_pread(fd, out, 10, 9000), 0);
	test_err(EINVAL, ops_pwrite(fd, buf, 1, (uint64_t)-1));
	test_cmd(ops_close(fd));
	test_err(EBADF, ops_pwrite(fd, buf, 1, 0));
}

static void test_seal_grow_shrink(void **state)
{
	char b[8] = "abcdefg";
	int fd;

	(void)state;
	fd = ops_memfd_create("gs", MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	test_cmd(ops_ftruncate(fd, KB(8)));

	/* memfd_test.c test_seal_grow */
	test_cmd(ops_memfd_add_seals(fd, F_SEAL_GROW));
	assert_int_equal(ops_memfd_get_seals(fd), F_SEAL_GROW);
	test_err(EPERM, ops_ftruncate(fd, KB(16)));
	test_cmd(ops_ftruncate(fd, KB(4)));
	test_err(EPERM, ops_pwrite(fd, b, 8, KB(4) - 4));	/* past EOF */
	assert_int_equal(ops_pwrite(fd, b, 8, KB(4) - 8), 8);	/* inside */
	test_err(EPERM, ops_fallocate(fd, 0, 0, KB(8)));
	test_cmd(ops_fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, KB(8)));

	/* memfd_test.c test_seal_shrink */
	test_cmd(ops_memfd_add_seals(fd, F_SEAL_SHRINK));
	assert_int_equal(ops_memfd_get_seals(fd), F_SEAL_GROW | F_SEAL_SHRINK);
	test_err(EPERM, ops_ftruncate(fd, KB(2)));
	test_cmd(ops_ftruncate(fd, KB(4)));	/* same size is fine */
	test_cmd(ops_close(fd));
}

static void test_seal_write_seal(void **state)
{
	char b[8] = "abcdefg";
	int fd;

	(void)state;
	fd = ops_memfd_create("w", MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	test_cmd(ops_ftruncate(fd, KB(8)));
	test_err(EINVAL, ops_memfd_add_seals(fd, 0x40));	/* unknown seal */

	/* memfd_test.c test_seal_write */
	test_cmd(ops_memfd_add_seals(fd, F_SEAL_WRITE));
	test_err(EPERM, ops_pwrite(fd, b, 8, 0));
	test_err(EPERM, ops_fallocate(fd, FALLOC_FL_PUNCH_HOLE |
					   FALLOC_FL_KEEP_SIZE, 0, KB(4)));
	/* size changes are still allowed */
	test_cmd(ops_ftruncate(fd, KB(12)));

	/* memfd_test.c test_seal_seal */
	test_cmd(ops_memfd_add_seals(fd, F_SEAL_SEAL));
	test_err(EPERM, ops_memfd_add_seals(fd, F_SEAL_GROW));
	test_err(EPERM, ops_memfd_add_seals(fd, 0));
	assert_int_equal(ops_memfd_get_seals(fd), F_SEAL_WRITE | F_SEAL_SEAL);
	test_cmd(ops_close(fd));

	/* F_SEAL_FUTURE_WRITE refuses writes too */
	fd = ops_memfd_create("fw", MFD_ALLOW_SEALING);
	test_cmd(ops_memfd_add_seals(fd, F_SEAL_FUTURE_WRITE));
	test_err(EPERM, ops_pwrite(fd, b, 8, 0));
	test_cmd(ops_close(fd));
}

static void test_truncate_zeroes(void **state)
{
	unsigned char buf[KB(8)], out[KB(8)];
	size_t i;
	int fd;

	(void)state;
	fd = ops_memfd_create("t", MFD_ALLOW_SEALING);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(ops_pwrite(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	test_cmd(ops_ftruncate(fd, 100));
	test_cmd(ops_ftruncate(fd, KB(8)));
	assert_int_equal(ops_pread(fd, out, sizeof(out), 0), (ssize_t)sizeof(out));
	for (i = 0; i < 100; i++)
		assert_int_equal(out[i], 0xff);
	for (; i < sizeof(out); i++)
		assert_int_equal(out[i], 0);

	/* punch a hole in the middle: zeroes, size unchanged */
	assert_int_equal(ops_pwrite(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	test_err(EOPNOTSUPP, ops_fallocate(fd, FALLOC_FL_PUNCH_HOLE, 10, 20));
	test_cmd(ops_fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       10, KB(5)));
	assert_int_equal(ops_pread(fd, out, sizeof(out), 0), (ssize_t)sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], (i >= 10 && i < 10 + KB(5)) ? 0 : 0xff);
	test_err(EINVAL, ops_fallocate(fd, 0, 0, 0));
	test_err(EOPNOTSUPP, ops_fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, KB(4)));
	test_cmd(ops_close(fd));
}

static void test_pages_and_non_memfd(void **state)
{
	unsigned long before = lusim_page_live_pages();
	char b[KB(4)] = { 1 };
	int fd, iommufd;

	(void)state;
	fd = ops_memfd_create("pages", MFD_ALLOW_SEALING);
	test_cmd(ops_ftruncate(fd, KB(64)));
	/* truncate alone allocates nothing; writes and fallocate do */
	assert_int_equal(lusim_page_live_pages(), before);
	assert_int_equal(ops_pwrite(fd, b, sizeof(b), KB(8)), (ssize_t)sizeof(b));
	assert_int_equal(lusim_page_live_pages(), before + 1);
	test_cmd(ops_fallocate(fd, 0, 0, KB(16)));
	assert_int_equal(lusim_page_live_pages(), before + 4);
	test_cmd(ops_ftruncate(fd, KB(4)));
	assert_int_equal(lusim_page_live_pages(), before + 1);
	test_cmd(ops_close(fd));
	assert_int_equal(lusim_page_live_pages(), before);

	/* the seal and size syscalls on a file that is not a memfd */
	iommufd = ops_iommufd_open();
	assert_true(iommufd >= 0);
	test_err(EINVAL, ops_memfd_get_seals(iommufd));
	test_err(EINVAL, ops_memfd_add_seals(iommufd, F_SEAL_GROW));
	test_err(EINVAL, ops_ftruncate(iommufd, 0));
	test_err(ENODEV, ops_fallocate(iommufd, 0, 0, 1));
	test_err(EBADF, ops_memfd_get_seals(1000));
	test_cmd(ops_close(iommufd));
}

/*
 * F_SEAL_WRITE needs the pages unpinned: while the memfd is mapped into an
 * IOAS its pages are pinned, and the seal is refused (memfd_wait_for_pins).
 * A truncate while mapped drops the pages from the file, not from the IOAS.
 */
static void test_seal_write_vs_pin(void **state)
{
	unsigned long before;
	uint32_t ioas;
	uint64_t iova = 0x100000;
	int fd, iommufd;

	(void)state;
	iommufd = ops_iommufd_open();
	test_cmd(ops_ioas_alloc(iommufd, &ioas));
	fd = ops_memfd_create("pin", MFD_ALLOW_SEALING);
	test_cmd(ops_ftruncate(fd, KB(16)));
	before = lusim_page_live_pages();
	test_cmd(ops_ioas_map_file(iommufd, ioas, fd, 0, KB(16), &iova,
				   IOMMU_IOAS_MAP_FIXED_IOVA |
				   IOMMU_IOAS_MAP_READABLE |
				   IOMMU_IOAS_MAP_WRITEABLE));
	/* the holes were filled in the page cache by the pin */
	assert_int_equal(lusim_page_live_pages(), before + 4);
	test_err(EBUSY, ops_memfd_add_seals(fd, F_SEAL_WRITE));
	test_cmd(ops_ftruncate(fd, 0));
	assert_int_equal(lusim_page_live_pages(), before + 4);	/* pinned */
	test_cmd(ops_ioas_unmap(iommufd, ioas, iova, KB(16), NULL));
	assert_int_equal(lusim_page_live_pages(), before);
	test_cmd(ops_memfd_add_seals(fd, F_SEAL_WRITE));
	test_cmd(ops_close(fd));
	test_cmd(ops_close(iommufd));
}

/* The page-cache insertion a memfd restore (memfd_luo) will use. */
static void test_add_folio(void **state)
{
	struct folio *folio, *other;
	unsigned char out[16];
	struct file *file;
	int fd;

	(void)state;
	fd = ops_memfd_create("restore", MFD_ALLOW_SEALING);
	test_cmd(ops_ftruncate(fd, KB(8)));
	file = fget(fd);
	assert_non_null(file);
	folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	other = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	memcpy(folio_address(folio), "restored bytes!", 16);
	test_cmd(lusim_shmem_add_folio(file, 1, folio));
	test_err(EEXIST, lusim_shmem_add_folio(file, 1, other));
	test_err(EINVAL, lusim_shmem_add_folio(file, 2, other));
	folio_put(other);
	assert_int_equal(ops_pread(fd, out, 16, KB(4)), 16);
	assert_memory_equal(out, "restored bytes!", 16);
	fput(file);
	test_cmd(ops_close(fd));	/* frees the folio with the file */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_create_flags),
		ops_unit_test(test_no_sealing),
		ops_unit_test(test_rw_holes),
		ops_unit_test(test_seal_grow_shrink),
		ops_unit_test(test_seal_write_seal),
		ops_unit_test(test_truncate_zeroes),
		ops_unit_test(test_pages_and_non_memfd),
		ops_unit_test(test_seal_write_vs_pin),
		ops_unit_test(test_add_folio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
