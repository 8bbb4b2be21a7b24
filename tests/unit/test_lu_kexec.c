// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live update end to end: the preserve chain (memfd -> iommufd -> vfio cdev)
 * through a kexec into a new kernel model, on the default machine.
 *
 * Covers: DMA continuity in bytes (a device writes a pattern before the
 * kexec, and between freeze and boot; after the kexec the same device reads
 * it back by DMA, and the CPU view of the memfd retrieved from the session
 * shows the same bytes; a device write after the kexec shows in the memfd);
 * a non-preserved device is shut down and, forced back on, faults (no stale
 * translation); the memfd comes back with contents, size and seals; phase
 * 1: iommufd retrieve -EOPNOTSUPP (cached), FINISH -EBUSY; the preserved
 * device is reached through its session only (cdev open -EBUSY, retrieve
 * needs vfio-pci bound: -ENODEV), a kernel driver cannot bind it (-EBUSY),
 * a fresh iommufd cannot take it (-EPERM); three kexecs (continuity across
 * the first; across the next two preserve is refused with the kernel's
 * errno, the device is scrubbed, DMA faults, nothing leaks; with an ATS
 * device, whose device-TLB must not keep translations, and without); a VFIO-only
 * session (device preserved without IOMMU state) finishes and frees the
 * device; memfd-only cycles, any number of them, stay clean.
 */
#include "lu_test.h"

#include <hw/hw.h>
#include <linux/pci.h>

#define SEED_MEMFD	1	/* the memfd's bytes before anything */
#define SEED_DMA	5	/* written by the device before the kexec */
#define SEED_WINDOW	6	/* written by the device between freeze and boot */
#define SEED_AFTER	7	/* written by the device in the new kernel */

static unsigned int window_dev, window_other;
static int window_ret, window_ret_other;

/*
 * LUSIM_KEXEC_AFTER_FREEZE: LUO froze the sessions and KHO finalized, the
 * old kernel shut its devices down; the new kernel has not booted.  The
 * preserved device keeps DMAing through the preserved tables; the other
 * device (not preserved) was stopped.
 */
static int dma_in_window(enum lusim_kexec_stage stage)
{
	(void)stage;
	window_ret = ops_dma_write_pattern(window_dev, OPS_NO_PASID,
					   LU_IOVA + LU_PAGE, LU_PAGE,
					   SEED_WINDOW);
	window_ret_other = ops_dma_write_pattern(window_other, OPS_NO_PASID,
						 LU_IOVA, LU_PAGE, SEED_WINDOW);
	return 0;
}

/* Device @other on its own IOAS mapping the same memfd, attached, DMA on. */
static void other_device(struct lu_chain *ch, struct ops_fixture *g,
			 unsigned int other)
{
	uint64_t iova = LU_IOVA;
	uint32_t pt;

	ops_fixture_init(g);
	test_cmd(ops_ioas_map_file(g->iommufd, g->ioas_id, ch->mfd, 0, LU_LEN,
				   &iova, LU_MAP_FIXED_RW));
	ops_fixture_bind(g, 0, other);
	pt = g->ioas_id;
	test_cmd(ops_vfio_attach(g->vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_dma_check_pattern(other, OPS_NO_PASID, LU_IOVA, LU_PAGE,
				       SEED_MEMFD));
}

/*
 * Kernel 1: the chain on device @dev, device @other attached but not
 * preserved, DMA before the kexec, the kexec.
 */
static void kernel1(struct lu_chain *ch, unsigned int dev, unsigned int other)
{
	struct ops_fixture g;

	lu_chain_setup(ch, dev, SEED_MEMFD);
	other_device(ch, &g, other);
	lu_chain_preserve(ch);
	/* the device writes page 0 after preserve, before the kexec */
	test_cmd(ops_dma_write_pattern(dev, OPS_NO_PASID, LU_IOVA, LU_PAGE,
				       SEED_DMA));

	window_dev = dev;
	window_other = other;
	window_ret = window_ret_other = 1;
	test_cmd(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, dma_in_window));
	test_cmd(ops_kexec());
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, dma_in_window);
	assert_int_equal(window_ret, 0);
	assert_int_equal(window_ret_other, -EIO);	/* shut down */
	assert_no_findings();
}

/* Check device @dev's view and return the retrieved memfd. */
static int kernel2_memfd(int sfd, unsigned int dev)
{
	int mfd;

	/* continuity by DMA: the same device reads what it wrote */
	test_cmd(ops_dma_check_pattern(dev, OPS_NO_PASID, LU_IOVA, LU_PAGE,
				       SEED_DMA));
	test_cmd(ops_dma_check_pattern(dev, OPS_NO_PASID, LU_IOVA + LU_PAGE,
				       LU_PAGE, SEED_WINDOW));

	/* and through the CPU view of the memfd retrieved from the session */
	mfd = ops_lu_retrieve_fd(sfd, LU_TOK_MEMFD);
	assert_true(mfd >= 0);
	test_cmd(ops_memfd_check_pattern(mfd, 0, LU_PAGE, SEED_DMA));
	test_cmd(ops_memfd_check_pattern(mfd, LU_PAGE, LU_PAGE, SEED_WINDOW));
	{
		/* untouched pages: the memfd's original bytes */
		unsigned char want[LU_PAGE], got[LU_PAGE];

		ops_pattern_fill(want, LU_PAGE, SEED_MEMFD, 2 * LU_PAGE);
		assert_int_equal(ops_pread(mfd, got, LU_PAGE, 2 * LU_PAGE),
				 (ssize_t)LU_PAGE);
		assert_memory_equal(got, want, LU_PAGE);
	}
	assert_int_equal(ops_memfd_get_seals(mfd), LU_SEALS);
	test_err(EPERM, ops_ftruncate(mfd, 0));		/* F_SEAL_SHRINK */

	/* a device write in the new kernel shows in the memfd */
	test_cmd(ops_dma_write_pattern(dev, OPS_NO_PASID, LU_IOVA + 3 * LU_PAGE,
				       LU_PAGE, SEED_AFTER));
	test_cmd(ops_memfd_check_pattern(mfd, 3 * LU_PAGE, LU_PAGE,
					 SEED_AFTER));
	return mfd;
}

static void test_kexec_continuity(void **state)
{
	struct lu_chain ch;
	uint32_t dev_id;
	int lufd, sfd, mfd, vfd, iommufd;

	(void)state;
	kernel1(&ch, 0, 3);

	/* the non-preserved device: off, and forced on it faults */
	test_err(EIO, ops_dma_check_pattern(3, OPS_NO_PASID, LU_IOVA, LU_PAGE,
					    SEED_MEMFD));
	hw_pci_set_bus_master(ops_hw_dev(3), true);
	test_err(EFAULT, ops_dma_check_pattern(3, OPS_NO_PASID, LU_IOVA,
					       LU_PAGE, SEED_MEMFD));
	hw_pci_set_bus_master(ops_hw_dev(3), false);

	/* the DMA works before userspace did anything in the new kernel */
	lufd = ops_liveupdate_open();
	assert_true(lufd >= 0);
	sfd = ops_lu_retrieve_session(lufd, "vmm");
	assert_true(sfd >= 0);
	test_err(EINVAL, ops_lu_retrieve_session(lufd, "vmm"));
	mfd = kernel2_memfd(sfd, 0);

	/* phase 1: the iommufd cannot be retrieved, the error is cached */
	test_err(EOPNOTSUPP, ops_lu_retrieve_fd(sfd, LU_TOK_IOMMUFD));
	test_err(EOPNOTSUPP, ops_lu_retrieve_fd(sfd, LU_TOK_IOMMUFD));

	/* the device is owned by the preserved token: no kernel driver */
	test_err(EBUSY, ops_native_bind(0));
	/* vfio-pci (driver_managed_dma) binds; the cdev is not the way in */
	test_cmd(ops_vfio_pci_bind(0));
	test_err(EBUSY, ops_vfio_open(0));
	vfd = ops_lu_retrieve_fd(sfd, LU_TOK_VFIO);
	assert_true(vfd >= 0);
	/* the same file again: LUO hands out the cached one */
	{
		int vfd2 = ops_lu_retrieve_fd(sfd, LU_TOK_VFIO);

		assert_true(vfd2 >= 0);
		test_cmd(ops_close(vfd2));
	}
	/* phase 1: a fresh iommufd cannot take the device */
	iommufd = ops_iommufd_open();
	assert_true(iommufd >= 0);
	test_err(EPERM, ops_vfio_bind(vfd, iommufd, &dev_id));

	/* the session cannot finish: the iommufd's can_finish is false */
	test_err(EBUSY, ops_lu_finish(sfd));
	/* the device goes on DMAing */
	test_cmd(ops_dma_check_pattern(0, OPS_NO_PASID, LU_IOVA, LU_PAGE,
				       SEED_DMA));
	assert_no_findings();

	test_cmd(ops_close(iommufd));
	test_cmd(ops_close(vfd));
	test_cmd(ops_close(mfd));
	lu_clean_reboot();
	assert_no_findings();
}

/*
 * Retrieving the device file before vfio-pci is bound to it fails with
 * -ENODEV, and LUO caches the failure: the file is lost for this boot.
 */
static void test_kexec_vfio_retrieve_unbound(void **state)
{
	struct lu_chain ch;
	int lufd, sfd;

	(void)state;
	kernel1(&ch, 0, 3);
	lufd = ops_liveupdate_open();
	sfd = ops_lu_retrieve_session(lufd, "vmm");
	assert_true(sfd >= 0);
	test_err(ENOENT, ops_vfio_open(0));	/* no cdev: vfio-pci not bound */
	test_err(ENODEV, ops_lu_retrieve_fd(sfd, LU_TOK_VFIO));
	test_cmd(ops_vfio_pci_bind(0));
	test_err(ENODEV, ops_lu_retrieve_fd(sfd, LU_TOK_VFIO));
	test_err(EBUSY, ops_vfio_open(0));
	test_err(ENOENT, ops_lu_retrieve_fd(sfd, 0x999));
	lu_clean_reboot();
	assert_no_findings();
}

/*
 * AMENDMENTS "Three kexecs in phase 1": continuity across the first; the
 * restored device cannot be preserved again, so across the next two it is
 * scrubbed, its DMA stops (and faults when forced), nothing stale remains
 * and nothing leaks.
 */
static void three_kexecs(unsigned int dev, unsigned int other)
{
	struct lusim_iommu_lu_counts c;
	int lufd, sfd, mfd, vfd, s2, k;
	struct lu_chain ch;

	kernel1(&ch, dev, other);
	lufd = ops_liveupdate_open();
	sfd = ops_lu_retrieve_session(lufd, "vmm");
	mfd = kernel2_memfd(sfd, dev);
	test_cmd(ops_vfio_pci_bind(dev));
	vfd = ops_lu_retrieve_fd(sfd, LU_TOK_VFIO);
	assert_true(vfd >= 0);

	/*
	 * Preserving the device again is refused: its file and the memfd are
	 * the incoming session's (LUO: -EBUSY); a new iommufd cannot even
	 * bind it (-EPERM, test_kexec_continuity).
	 */
	s2 = ops_lu_create_session(lufd, "vmm2");
	assert_true(s2 >= 0);
	test_err(EBUSY, ops_lu_preserve_fd(s2, vfd, LU_TOK_VFIO));
	test_err(EBUSY, ops_lu_preserve_fd(s2, mfd, LU_TOK_MEMFD));
	assert_int_equal(lusim_iommu_lu_outgoing_counts(&c), -ENOENT);

	for (k = 2; k <= 3; k++) {
		/* kexec k: nothing of the device is preserved */
		test_cmd(ops_kexec());
		assert_int_equal(lusim_kho_nr_unrestored_chunks(), 0);
		/* stopped at shutdown, and no stale translation if forced on */
		test_err(EIO, ops_dma_check_pattern(dev, OPS_NO_PASID, LU_IOVA,
						    LU_PAGE, SEED_DMA));
		hw_pci_set_bus_master(ops_hw_dev(dev), true);
		test_err(EFAULT, ops_dma_check_pattern(dev, OPS_NO_PASID, LU_IOVA,
						       LU_PAGE, SEED_DMA));
		hw_pci_set_bus_master(ops_hw_dev(dev), false);
		/* an ordinary device again: a kernel driver binds */
		test_cmd(ops_native_bind(dev));
		test_cmd(ops_native_unbind(dev));
		lufd = ops_liveupdate_open();
		assert_true(lufd >= 0);
		test_err(ENOENT, ops_lu_retrieve_session(lufd, "vmm"));
		test_cmd(ops_close(lufd));
		assert_no_findings();
	}
}

/* device 0 has ATS: its device-TLB must not keep kernel 2's translations */
static void test_three_kexecs(void **state)
{
	(void)state;
	three_kexecs(0, 3);
}

static void test_three_kexecs_no_ats(void **state)
{
	(void)state;
	three_kexecs(3, 4);
}

/*
 * A device not attached to an iommufd is preserved without IOMMU state:
 * after kexec it is reached through its session only until the session
 * finishes, binds to a fresh iommufd (no preserved owner), and is an
 * ordinary device after finish.
 */
static void test_kexec_vfio_only(void **state)
{
	int lufd, sfd, vfd, iommufd;
	uint32_t dev_id;
	struct ops_fixture f;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 4);
	lufd = ops_liveupdate_open();
	sfd = ops_lu_create_session(lufd, "dev");
	test_cmd(ops_lu_preserve_fd(sfd, f.vfio_fd[0], 1));
	/* no iommufd preserved, no IOMMU state: no IOMMU FLB */
	lu_assert_no_iommu_flb();
	test_cmd(ops_kexec());

	/* not preserved in the IOMMU: stopped at shutdown */
	test_err(EIO, ops_dma_check_pattern(4, OPS_NO_PASID, 0, 16, 0));
	test_cmd(ops_vfio_pci_bind(4));
	test_err(EBUSY, ops_vfio_open(4));
	lufd = ops_liveupdate_open();
	sfd = ops_lu_retrieve_session(lufd, "dev");
	assert_true(sfd >= 0);
	/* nothing retrieved yet: can_finish is false */
	test_err(EBUSY, ops_lu_finish(sfd));
	vfd = ops_lu_retrieve_fd(sfd, 1);
	assert_true(vfd >= 0);
	iommufd = ops_iommufd_open();
	test_cmd(ops_vfio_bind(vfd, iommufd, &dev_id));
	test_cmd(ops_lu_finish(sfd));
	/* finished: the cdev opens again */
	{
		int fd = ops_vfio_open(4);

		assert_true(fd >= 0);
		test_cmd(ops_close(fd));
	}
	test_cmd(ops_close(sfd));
	test_cmd(ops_close(vfd));
	test_cmd(ops_close(iommufd));
	test_cmd(ops_close(lufd));
	assert_int_equal(lusim_kho_nr_unrestored_chunks(), 0);
	assert_no_findings();
	/* no clean reboot: the power-off leak check covers this kernel */
}

/* memfd-only sessions through any number of kexecs: contents kept, no leak */
static void test_memfd_cycles(void **state)
{
	int lufd, sfd, mfd, k;

	(void)state;
	mfd = lu_memfd(100);
	for (k = 0; k < 5; k++) {
		lufd = ops_liveupdate_open();
		sfd = ops_lu_create_session(lufd, "mem");
		test_cmd(ops_lu_preserve_fd(sfd, mfd, 42));
		test_cmd(ops_kexec());

		lufd = ops_liveupdate_open();
		sfd = ops_lu_retrieve_session(lufd, "mem");
		assert_true(sfd >= 0);
		mfd = ops_lu_retrieve_fd(sfd, 42);
		assert_true(mfd >= 0);
		test_cmd(ops_memfd_check_pattern(mfd, 0, LU_LEN, 100 + k));
		assert_int_equal(ops_memfd_get_seals(mfd), 0);
		test_cmd(ops_lu_finish(sfd));
		test_cmd(ops_close(sfd));
		test_cmd(ops_close(lufd));
		assert_int_equal(lusim_kho_nr_unrestored_chunks(), 0);
		/* an ordinary memfd again: it grows, and gets new contents */
		test_cmd(ops_ftruncate(mfd, LU_LEN));
		test_cmd(ops_memfd_write_pattern(mfd, 0, LU_LEN, 101 + k));
	}
	test_cmd(ops_close(mfd));
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_kexec_continuity),
		ops_unit_test(test_kexec_vfio_retrieve_unbound),
		ops_unit_test(test_three_kexecs),
		ops_unit_test(test_three_kexecs_no_ats),
		ops_unit_test(test_kexec_vfio_only),
		ops_unit_test(test_memfd_cycles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
