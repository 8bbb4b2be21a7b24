// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live update in the outgoing kernel: iommufd's HWPT mark and LUO file
 * handler, iommufd_device_preserve() through the VFIO cdev handler, the
 * memfd handler (drivers/iommu/iommufd/liveupdate.c, device.c,
 * drivers/vfio/pci/vfio_pci_liveupdate.c, mm/memfd_luo.c).
 *
 * Covers: the preserve chain (memfd -> iommufd -> vfio cdev) and what it
 * leaves (FLB, pins, immutable IOAS, frozen memfd, the device record);
 * closing the session undoes all of it (LIFO); every errno of the
 * dependency checks (reviewer-bugs RB-06 scenarios 1-6); the HWPT mark
 * (-ENOENT, -EADDRINUSE, re-mark, size rules); a preserved HWPT cannot be
 * destroyed; attach/replace/detach (RID and PASID, VFIO ioctls and the
 * iommufd API) on a preserved device's group are -EBUSY (RB-03); a PASID
 * attachment makes preserve fail with -EOPNOTSUPP (RB-01 and its variants);
 * a nested attachment is -EOPNOTSUPP; an unmarked HWPT, a HWPT marked after
 * the iommufd was preserved and a detached device are refused; a device
 * preserved without IOMMU state; u64 tokens; unrelated devices attach,
 * detach and hotplug as ever (RB-10); the lock checks see nothing (RB-04).
 */
#include "lu_test.h"

static void test_chain_happy_path(void **state)
{
	unsigned long kho_before = lusim_kho_nr_preserved_chunks();
	struct lusim_iommufd_lu_info info;
	struct lusim_iommu_lu_counts c;
	uint64_t iova = 0x800000;
	struct lu_chain ch;
	unsigned int users;
	int mfd2;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	lu_assert_no_iommu_flb();
	lu_chain_preserve(&ch);

	info = lu_info(ch.f.iommufd);
	assert_int_equal(info.marked_hwpts, 1);
	assert_int_equal(info.preserved_hwpts, 1);
	assert_int_equal(info.preserved_domains, 1);
	assert_int_equal(info.immutable_ioas, 1);
	assert_int_equal(info.preserved_devices, 1);

	test_cmd(lusim_iommu_lu_outgoing_counts(&c));
	assert_int_equal(c.live_domains, 1);
	assert_int_equal(c.live_devices, 1);
	assert_int_equal(c.live_iommus, 1);

	/* the HWPT is pinned: xarray + attachment + preserve */
	test_cmd(ops_test_obj_users(ch.f.iommufd, ch.hwpt_id, &users));
	assert_int_equal(users, 3);

	/* RB-06 (6): the IOAS is immutable */
	mfd2 = lu_memfd(2);
	test_cmd(ops_memfd_add_seals(mfd2, LU_SEALS));
	test_err(EBUSY, ops_ioas_map_file(ch.f.iommufd, ch.f.ioas_id, mfd2, 0,
					  LU_PAGE, &iova, LU_MAP_FIXED_RW));
	test_err(EBUSY, ops_ioas_unmap(ch.f.iommufd, ch.f.ioas_id, LU_IOVA,
				       LU_LEN, NULL));
	/* the memfd is frozen: no size change, no hole punching */
	test_err(EPERM, ops_ftruncate(ch.mfd, LU_LEN + LU_PAGE));
	test_err(EPERM, ops_fallocate(ch.mfd, 3, 0, LU_PAGE));
	/* writes inside it go on and land in the preserved pages */
	test_cmd(ops_memfd_write_pattern(ch.mfd, 0, LU_PAGE, 9));

	/* DMA through the preserved domain still works */
	test_cmd(ops_dma_check_pattern(ch.dev, OPS_NO_PASID, LU_IOVA, LU_PAGE, 9));
	assert_no_findings();

	/* closing the session unpreserves everything, in reverse order */
	test_cmd(ops_close(ch.sfd));
	lu_assert_iommufd_clean(ch.f.iommufd);
	lu_assert_no_iommu_flb();
	assert_int_equal(lusim_kho_nr_preserved_chunks(), kho_before);
	test_cmd(ops_test_obj_users(ch.f.iommufd, ch.hwpt_id, &users));
	assert_int_equal(users, 2);
	test_cmd(ops_ioas_map_file(ch.f.iommufd, ch.f.ioas_id, mfd2, 0, LU_PAGE,
				   &iova, LU_MAP_FIXED_RW));
	test_cmd(ops_fallocate(ch.mfd, 3, 0, LU_PAGE));	/* punch: unfrozen */
	assert_no_findings();
}


/*
 * The chain without the final preserve of the VFIO file: memfd and iommufd
 * (or less) preserved, used by the errno tests below.
 */
static void chain_up_to_iommufd(struct lu_chain *ch, unsigned int dev)
{
	lu_chain_setup(ch, dev, 1);
	test_cmd(ops_lu_preserve_fd(ch->sfd, ch->mfd, LU_TOK_MEMFD));
	test_cmd(ops_lu_preserve_fd(ch->sfd, ch->f.iommufd, LU_TOK_IOMMUFD));
}

/* RB-06 (1): the VFIO file before its iommufd: -ENOENT, nothing kept */
static void test_rb06_vfio_before_iommufd(void **state)
{
	struct lusim_iommufd_lu_info info;
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	test_err(ENOENT, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, LU_TOK_MEMFD));
	test_err(ENOENT, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	info = lu_info(ch.f.iommufd);
	assert_int_equal(info.preserved_devices, 0);
	/* then in order it works */
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 1);
	assert_no_findings();
}

/* RB-06 (2): the iommufd before the memfd it maps: -ENOENT, rolled back */
static void test_rb06_iommufd_before_memfd(void **state)
{
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	test_err(ENOENT, ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	lu_assert_iommufd_clean(ch.f.iommufd);
	lu_assert_no_iommu_flb();
	lu_chain_preserve(&ch);
	assert_no_findings();
}

/* RB-06 (3): memfd in one session, iommufd (and then VFIO) in another */
static void test_rb06_cross_session(void **state)
{
	struct lu_chain ch;
	int s2;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	s2 = ops_lu_create_session(ch.lufd, "other");
	assert_true(s2 >= 0);
	test_cmd(ops_lu_preserve_fd(s2, ch.mfd, LU_TOK_MEMFD));
	test_err(ENOENT, ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	lu_assert_iommufd_clean(ch.f.iommufd);
	/* iommufd with its memfd in s2, the VFIO file in the first session */
	test_cmd(ops_lu_preserve_fd(s2, ch.f.iommufd, LU_TOK_IOMMUFD));
	test_err(ENOENT, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 0);
	test_cmd(ops_lu_preserve_fd(s2, ch.f.vfio_fd[0], LU_TOK_VFIO));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 1);
	/* closing s2 undoes the chain; the first session is empty */
	test_cmd(ops_close(s2));
	lu_assert_iommufd_clean(ch.f.iommufd);
	lu_assert_no_iommu_flb();
	assert_no_findings();
}

/* RB-06 (4): anonymous (user) memory in the IOAS: -EINVAL */
static void test_rb06_anonymous_mapping(void **state)
{
	uint64_t iova = 0x800000;
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	test_cmd(ops_ioas_map(ch.f.iommufd, ch.f.ioas_id, 0x7f0000000000ull,
			      LU_PAGE, &iova, LU_MAP_FIXED_RW));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, LU_TOK_MEMFD));
	test_err(EINVAL, ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	lu_assert_iommufd_clean(ch.f.iommufd);
	lu_assert_no_iommu_flb();
	/* unmapped, the IOAS is preservable */
	test_cmd(ops_ioas_unmap(ch.f.iommufd, ch.f.ioas_id, iova, LU_PAGE, NULL));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	assert_no_findings();
}

/*
 * RB-06 (5): a memfd sealed only after it was mapped (the seals at map
 * time count), or without all of SEAL|GROW|SHRINK: -EINVAL.
 */
static void test_rb06_seals_at_map_time(void **state)
{
	static const unsigned int partial[] = {
		F_SEAL_GROW | F_SEAL_SHRINK,	/* no F_SEAL_SEAL */
		F_SEAL_SEAL | F_SEAL_GROW,	/* no F_SEAL_SHRINK */
		0,				/* sealed after the map */
	};
	uint64_t iova = 0x800000;
	struct lu_chain ch;
	unsigned int k;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, LU_TOK_MEMFD));
	for (k = 0; k < sizeof(partial) / sizeof(partial[0]); k++) {
		int mfd = lu_memfd(2);

		if (partial[k])
			test_cmd(ops_memfd_add_seals(mfd, partial[k]));
		test_cmd(ops_ioas_map_file(ch.f.iommufd, ch.f.ioas_id, mfd, 0,
					   LU_PAGE, &iova, LU_MAP_FIXED_RW));
		if (!partial[k])
			test_cmd(ops_memfd_add_seals(mfd, LU_SEALS));
		test_cmd(ops_lu_preserve_fd(ch.sfd, mfd, 0x1000 + k));
		test_err(EINVAL, ops_lu_preserve_fd(ch.sfd, ch.f.iommufd,
						    LU_TOK_IOMMUFD));
		lu_assert_iommufd_clean(ch.f.iommufd);
		lu_assert_no_iommu_flb();
		test_cmd(ops_ioas_unmap(ch.f.iommufd, ch.f.ioas_id, iova,
					LU_PAGE, NULL));
		test_cmd(ops_close(mfd));	/* LUO holds it still */
	}
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	assert_no_findings();
}

/* The mark: every errno, re-marking, the size rules */
static void test_hwpt_mark(void **state)
{
	struct {
		struct iommu_hwpt_lu_set_preserve cmd;
		uint32_t tail;
	} big = { { .size = sizeof(big), .hwpt_token = 9 }, 1 };
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	uint32_t hwpt2, hwpt3, parent, nested, token;
	struct ops_fixture g;
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	big.cmd.hwpt_id = ch.hwpt_id;

	/* not a paging HWPT: -ENOENT */
	test_err(ENOENT, ops_hwpt_lu_set_preserve(ch.f.iommufd, 0, 1));
	test_err(ENOENT, ops_hwpt_lu_set_preserve(ch.f.iommufd, 9999, 1));
	test_err(ENOENT, ops_hwpt_lu_set_preserve(ch.f.iommufd, ch.f.ioas_id, 1));
	test_err(ENOENT, ops_hwpt_lu_set_preserve(ch.f.iommufd, ch.f.dev_id[0], 1));
	test_cmd(ops_hwpt_alloc(ch.f.iommufd, ch.f.dev_id[0], ch.f.ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	test_cmd(ops_hwpt_alloc_nested(ch.f.iommufd, ch.f.dev_id[0], parent, 0,
				       IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				       &nested));
	test_err(ENOENT, ops_hwpt_lu_set_preserve(ch.f.iommufd, nested, 1));

	/* a token is unique among the marked HWPTs of one iommufd */
	test_cmd(ops_hwpt_alloc(ch.f.iommufd, ch.f.dev_id[0], ch.f.ioas_id, 0,
				&hwpt2));
	test_err(EADDRINUSE, ops_hwpt_lu_set_preserve(ch.f.iommufd, hwpt2,
						      LU_HWPT_TOKEN));
	test_err(EINVAL, lusim_iommufd_lu_hwpt_token(ch.f.iommufd, hwpt2, &token));
	test_cmd(ops_hwpt_lu_set_preserve(ch.f.iommufd, hwpt2, 1));
	/* re-marking a HWPT with its own token, or a new one, is fine */
	test_cmd(ops_hwpt_lu_set_preserve(ch.f.iommufd, hwpt2, 1));
	test_cmd(ops_hwpt_lu_set_preserve(ch.f.iommufd, hwpt2, 2));
	test_cmd(lusim_iommufd_lu_hwpt_token(ch.f.iommufd, hwpt2, &token));
	assert_int_equal(token, 2);
	test_err(EADDRINUSE, ops_hwpt_lu_set_preserve(ch.f.iommufd, ch.hwpt_id, 2));
	/* another iommufd may use the same token */
	ops_fixture_init(&g);
	ops_fixture_bind(&g, 0, 3);
	test_cmd(ops_hwpt_alloc(g.iommufd, g.dev_id[0], g.ioas_id, 0, &hwpt3));
	test_cmd(ops_hwpt_lu_set_preserve(g.iommufd, hwpt3, LU_HWPT_TOKEN));

	/* size rules: short is -EINVAL, a non-zero tail -E2BIG */
	{
		struct iommu_hwpt_lu_set_preserve cmd = {
			.size = offsetof(struct iommu_hwpt_lu_set_preserve,
					 hwpt_token),
			.hwpt_id = ch.hwpt_id,
		};

		test_err(EINVAL, ops_ioctl(ch.f.iommufd,
					   IOMMU_HWPT_LU_SET_PRESERVE, &cmd));
	}
	test_err(E2BIG, ops_ioctl(ch.f.iommufd, IOMMU_HWPT_LU_SET_PRESERVE, &big));
	big.tail = 0;
	big.cmd.hwpt_token = LU_HWPT_TOKEN;
	test_cmd(ops_ioctl(ch.f.iommufd, IOMMU_HWPT_LU_SET_PRESERVE, &big));

	/* once preserved, the token of a preserved HWPT cannot change */
	test_cmd(ops_destroy(ch.f.iommufd, nested));
	test_cmd(ops_destroy(ch.f.iommufd, parent));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, LU_TOK_MEMFD));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_hwpts, 2);
	test_err(EBUSY, ops_hwpt_lu_set_preserve(ch.f.iommufd, ch.hwpt_id, 3));
	test_cmd(ops_hwpt_lu_set_preserve(ch.f.iommufd, ch.hwpt_id, LU_HWPT_TOKEN));
	/* a destroyed HWPT's id is gone */
	test_cmd(ops_close(ch.sfd));
	test_cmd(ops_destroy(ch.f.iommufd, hwpt2));
	test_err(ENOENT, ops_hwpt_lu_set_preserve(ch.f.iommufd, hwpt2, 5));
	assert_no_findings();
}

/* A preserved HWPT is pinned: IOMMU_DESTROY -EBUSY until unpreserve */
static void test_destroy_pinned(void **state)
{
	uint32_t hwpt2;
	struct lu_chain ch;
	unsigned int users;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	/* a second marked HWPT, attached to nothing */
	test_cmd(ops_hwpt_alloc(ch.f.iommufd, ch.f.dev_id[0], ch.f.ioas_id, 0,
				&hwpt2));
	test_cmd(ops_hwpt_lu_set_preserve(ch.f.iommufd, hwpt2, 0x88));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, LU_TOK_MEMFD));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	test_cmd(ops_test_obj_users(ch.f.iommufd, hwpt2, &users));
	assert_int_equal(users, 2);
	test_err(EBUSY, ops_destroy(ch.f.iommufd, hwpt2));
	test_err(EBUSY, ops_destroy(ch.f.iommufd, ch.f.ioas_id));
	test_cmd(ops_close(ch.sfd));
	test_cmd(ops_destroy(ch.f.iommufd, hwpt2));
	assert_no_findings();
}

/*
 * RB-03: a preserved device's attachments cannot change, through VFIO or
 * the iommufd API, at the RID or a PASID, until the session is closed.
 */
static void test_rb03_attach_refused(void **state)
{
	uint32_t hwpt2, pt;
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	test_cmd(ops_hwpt_alloc(ch.f.iommufd, ch.f.dev_id[0], ch.f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &hwpt2));
	lu_chain_preserve(&ch);

	pt = hwpt2;
	test_err(EBUSY, ops_vfio_attach(ch.f.vfio_fd[0], OPS_NO_PASID, &pt));
	pt = ch.hwpt_id;
	test_err(EBUSY, ops_vfio_attach(ch.f.vfio_fd[0], OPS_NO_PASID, &pt));
	pt = ch.f.ioas_id;
	test_err(EBUSY, ops_vfio_attach(ch.f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_err(EBUSY, ops_vfio_detach(ch.f.vfio_fd[0], OPS_NO_PASID));
	pt = hwpt2;
	test_err(EBUSY, ops_vfio_attach(ch.f.vfio_fd[0], 7, &pt));
	test_err(EBUSY, ops_vfio_detach(ch.f.vfio_fd[0], 7));

	pt = hwpt2;
	test_err(EBUSY, ops_test_pasid_replace(ch.f.iommufd, ch.f.dev_id[0],
					       OPS_NO_PASID, &pt));
	test_err(EBUSY, ops_test_pasid_attach(ch.f.iommufd, ch.f.dev_id[0], 7,
					      &pt));
	test_err(EBUSY, ops_test_pasid_detach(ch.f.iommufd, ch.f.dev_id[0],
					      OPS_NO_PASID));
	test_cmd(ops_test_pasid_check_hwpt(ch.f.iommufd, ch.f.dev_id[0],
					   OPS_NO_PASID, &pt));
	assert_int_equal(pt, ch.hwpt_id);
	test_cmd(ops_dma_check_pattern(0, OPS_NO_PASID, LU_IOVA, LU_LEN, 1));

	/* unpreserved, the device is free again */
	test_cmd(ops_close(ch.sfd));
	pt = hwpt2;
	test_cmd(ops_vfio_attach(ch.f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_vfio_detach(ch.f.vfio_fd[0], OPS_NO_PASID));
	assert_no_findings();
}

/*
 * A group of two functions (devices 1 and 2), both attached to the marked
 * HWPT: neither can be preserved (the singleton-group rule: the next
 * kernel would give the group to whichever function probes first), the
 * refused preserve leaves nothing behind and the devices stay free. With
 * the sibling unplugged, the same device preserves.
 */
static void test_group_preserve(void **state)
{
	struct lu_chain ch;
	uint32_t pt;

	(void)state;
	lu_chain_setup(&ch, 1, 1);
	ops_fixture_bind(&ch.f, 1, 2);
	pt = ch.hwpt_id;
	test_cmd(ops_vfio_attach(ch.f.vfio_fd[1], OPS_NO_PASID, &pt));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, LU_TOK_MEMFD));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	test_err(EOPNOTSUPP, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	test_err(EOPNOTSUPP, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[1],
						 LU_TOK_VFIO + 1));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 0);
	test_cmd(ops_vfio_detach(ch.f.vfio_fd[1], OPS_NO_PASID));
	pt = ch.hwpt_id;
	test_cmd(ops_vfio_attach(ch.f.vfio_fd[1], OPS_NO_PASID, &pt));

	/* device 2 goes: device 1 is alone in its group */
	test_cmd(ops_vfio_detach(ch.f.vfio_fd[1], OPS_NO_PASID));
	test_cmd(ops_close(ch.f.vfio_fd[1]));
	ch.f.vfio_fd[1] = -1;
	test_cmd(ops_pci_hot_remove(2));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 1);
	test_err(EBUSY, ops_vfio_detach(ch.f.vfio_fd[0], OPS_NO_PASID));
	test_cmd(ops_dma_check_pattern(1, OPS_NO_PASID, LU_IOVA, LU_PAGE, 1));
	test_cmd(ops_close(ch.sfd));
	lu_assert_iommufd_clean(ch.f.iommufd);
	assert_no_findings();
}

/*
 * RB-01: any PASID attachment besides the RID makes the device's preserve
 * fail with -EOPNOTSUPP, also to the marked HWPT itself; detached first,
 * the device is preservable.
 */
static void test_rb01_pasid_refused(void **state)
{
	uint32_t hwpt_a, hwpt_b, pt;
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	/* the RID's HWPT must be PASID-compatible for PASIDs to attach */
	test_cmd(ops_vfio_detach(ch.f.vfio_fd[0], OPS_NO_PASID));
	test_cmd(ops_hwpt_alloc(ch.f.iommufd, ch.f.dev_id[0], ch.f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &hwpt_a));
	test_cmd(ops_hwpt_alloc(ch.f.iommufd, ch.f.dev_id[0], ch.f.ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &hwpt_b));
	test_cmd(ops_hwpt_lu_set_preserve(ch.f.iommufd, hwpt_a, 0xa));
	pt = hwpt_a;
	test_cmd(ops_vfio_attach(ch.f.vfio_fd[0], OPS_NO_PASID, &pt));
	pt = hwpt_b;
	test_cmd(ops_vfio_attach(ch.f.vfio_fd[0], 5, &pt));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, LU_TOK_MEMFD));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));

	test_err(EOPNOTSUPP, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0],
						LU_TOK_VFIO));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 0);
	/* the same, with PASID 5 on the marked HWPT itself */
	test_cmd(ops_vfio_detach(ch.f.vfio_fd[0], 5));
	pt = hwpt_a;
	test_cmd(ops_vfio_attach(ch.f.vfio_fd[0], 5, &pt));
	test_err(EOPNOTSUPP, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0],
						LU_TOK_VFIO));
	/* detached before the preserve: fine */
	test_cmd(ops_vfio_detach(ch.f.vfio_fd[0], 5));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 1);
	/* and no PASID can be added afterwards (RB-03) */
	pt = hwpt_b;
	test_err(EBUSY, ops_vfio_attach(ch.f.vfio_fd[0], 5, &pt));
	assert_no_findings();
}

/* A nested attachment is not preservable (its stage 1 would be dropped) */
static void test_nested_refused(void **state)
{
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	uint32_t parent, nested, pt;
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	test_cmd(ops_hwpt_alloc(ch.f.iommufd, ch.f.dev_id[0], ch.f.ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	test_cmd(ops_hwpt_lu_set_preserve(ch.f.iommufd, parent, 0xb));
	test_cmd(ops_hwpt_alloc_nested(ch.f.iommufd, ch.f.dev_id[0], parent, 0,
				       IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				       &nested));
	pt = nested;
	test_cmd(ops_vfio_attach(ch.f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, LU_TOK_MEMFD));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	test_err(EOPNOTSUPP, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0],
						LU_TOK_VFIO));
	test_cmd(ops_close(ch.sfd));
	test_cmd(ops_vfio_detach(ch.f.vfio_fd[0], OPS_NO_PASID));
	test_cmd(ops_destroy(ch.f.iommufd, nested));
	assert_no_findings();
}

/*
 * The device's HWPT must be marked, and preserved by the iommufd: an
 * unmarked HWPT, or one marked after the iommufd was preserved, is -EINVAL.
 */
static void test_unmarked_hwpt_refused(void **state)
{
	uint32_t hwpt2, pt;
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	test_cmd(ops_hwpt_alloc(ch.f.iommufd, ch.f.dev_id[0], ch.f.ioas_id, 0,
				&hwpt2));
	pt = hwpt2;
	test_cmd(ops_vfio_attach(ch.f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, LU_TOK_MEMFD));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, LU_TOK_IOMMUFD));
	/* RB-05 (b): attached to an unmarked HWPT */
	test_err(EINVAL, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	/* marked now, after the iommufd's preserve: its domain is not kept */
	test_cmd(ops_hwpt_lu_set_preserve(ch.f.iommufd, hwpt2, 0x99));
	test_err(EINVAL, ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 0);
	test_cmd(ops_close(ch.sfd));
	lu_assert_iommufd_clean(ch.f.iommufd);
	assert_no_findings();
}

/*
 * A device not attached to an iommufd is preserved without IOMMU state (no
 * device record); an unbound file of a device whose other file is bound is
 * refused (-EBUSY).
 */
static void test_vfio_without_iommu_state(void **state)
{
	struct lusim_iommu_lu_counts c;
	struct lu_chain ch;
	int other;

	(void)state;
	chain_up_to_iommufd(&ch, 0);
	other = ops_vfio_open(0);
	assert_true(other >= 0);
	test_err(EBUSY, ops_lu_preserve_fd(ch.sfd, other, 0x400));
	test_cmd(ops_vfio_detach(ch.f.vfio_fd[0], OPS_NO_PASID));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], LU_TOK_VFIO));
	test_cmd(lusim_iommu_lu_outgoing_counts(&c));
	assert_int_equal(c.live_devices, 0);
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 0);
	/* attached since: unpreserve must not undo a preserve never done */
	{
		uint32_t pt = ch.hwpt_id;

		test_cmd(ops_vfio_attach(ch.f.vfio_fd[0], OPS_NO_PASID, &pt));
	}
	test_cmd(ops_close(ch.sfd));
	test_cmd(ops_close(other));
	assert_no_findings();
}

/* Tokens are u64: a token above 4G goes through the whole chain. */
static void test_u64_tokens(void **state)
{
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.mfd, 0x100000001ull));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.iommufd, 0xfedcba9876543210ull));
	test_cmd(ops_lu_preserve_fd(ch.sfd, ch.f.vfio_fd[0], 0x300000000ull));
	test_err(EEXIST, ops_lu_preserve_fd(ch.sfd, ch.f.iommufd,
					    0xfedcba9876543210ull));
	assert_int_equal(lu_info(ch.f.iommufd).preserved_devices, 1);
	assert_no_findings();
}

/*
 * Userspace closes every fd but the session's: LUO's references keep the
 * files; closing the session then releases everything (leak-checked at
 * power-off), and the iommufd's preserve state goes with it.
 */
static void test_user_closes_first(void **state)
{
	struct lu_chain ch;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	lu_chain_preserve(&ch);
	test_cmd(ops_close(ch.f.vfio_fd[0]));
	test_cmd(ops_close(ch.f.iommufd));
	test_cmd(ops_close(ch.mfd));
	/* the device still DMAs through the preserved domain */
	test_cmd(ops_dma_check_pattern(0, OPS_NO_PASID, LU_IOVA, LU_LEN, 1));
	test_cmd(ops_close(ch.sfd));
	lu_assert_no_iommu_flb();
	test_cmd(ops_close(ch.lufd));
	assert_no_findings();
}

/* An iommufd with nothing marked is preservable (and the FLB comes up) */
static void test_iommufd_nothing_marked(void **state)
{
	struct lusim_iommu_lu_counts c;
	int iommufd, lufd, sfd;

	(void)state;
	iommufd = ops_iommufd_open();
	lufd = ops_liveupdate_open();
	sfd = ops_lu_create_session(lufd, "empty");
	test_cmd(ops_lu_preserve_fd(sfd, iommufd, 1));
	test_cmd(lusim_iommu_lu_outgoing_counts(&c));
	assert_int_equal(c.live_domains, 0);
	/* a file is preserved once, in one session */
	{
		int s2 = ops_lu_create_session(lufd, "second");

		test_err(EBUSY, ops_lu_preserve_fd(s2, iommufd, 2));
	}
	test_cmd(ops_close(sfd));
	lu_assert_no_iommu_flb();
	test_cmd(ops_close(iommufd));
	assert_no_findings();
}

/* memfd preserve: unknown seals are not preservable, size 0 is */
static void test_memfd_preserve(void **state)
{
	int lufd, sfd, a, b;

	(void)state;
	lufd = ops_liveupdate_open();
	sfd = ops_lu_create_session(lufd, "m");
	a = ops_memfd_create("empty", 0);
	test_cmd(ops_lu_preserve_fd(sfd, a, 1));
	b = lu_memfd(3);
	test_cmd(ops_memfd_add_seals(b, F_SEAL_WRITE));
	test_cmd(ops_lu_preserve_fd(sfd, b, 2));
	test_err(EPERM, ops_ftruncate(b, 0));
	test_cmd(ops_close(sfd));
	test_cmd(ops_close(a));
	test_cmd(ops_close(b));
	assert_no_findings();
}

/*
 * RB-10: live-update state is per object.  While a device is preserved,
 * other devices attach, detach and DMA, and a device on the same unit is
 * hot-removed and added back, exactly as without live update.
 */
static void test_rb10_unrelated_devices(void **state)
{
	struct ops_fixture g;
	struct lu_chain ch;
	uint32_t pt;

	(void)state;
	lu_chain_setup(&ch, 0, 1);
	lu_chain_preserve(&ch);
	ops_fixture_init(&g);
	ops_fixture_bind(&g, 0, 3);
	pt = g.ioas_id;
	test_cmd(ops_vfio_attach(g.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_vfio_detach(g.vfio_fd[0], OPS_NO_PASID));
	test_cmd(ops_close(g.vfio_fd[0]));
	test_cmd(ops_pci_hot_remove(1));
	test_cmd(ops_pci_hot_remove(2));
	test_cmd(ops_pci_hot_add(1));
	test_cmd(ops_pci_hot_add(2));
	test_cmd(ops_native_bind(1));
	test_cmd(ops_native_unbind(1));
	test_cmd(ops_dma_check_pattern(0, OPS_NO_PASID, LU_IOVA, LU_LEN, 1));
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_chain_happy_path),
		ops_unit_test(test_rb06_vfio_before_iommufd),
		ops_unit_test(test_rb06_iommufd_before_memfd),
		ops_unit_test(test_rb06_cross_session),
		ops_unit_test(test_rb06_anonymous_mapping),
		ops_unit_test(test_rb06_seals_at_map_time),
		ops_unit_test(test_hwpt_mark),
		ops_unit_test(test_destroy_pinned),
		ops_unit_test(test_rb03_attach_refused),
		ops_unit_test(test_group_preserve),
		ops_unit_test(test_rb01_pasid_refused),
		ops_unit_test(test_nested_refused),
		ops_unit_test(test_unmarked_hwpt_refused),
		ops_unit_test(test_vfio_without_iommu_state),
		ops_unit_test(test_u64_tokens),
		ops_unit_test(test_user_closes_first),
		ops_unit_test(test_iommufd_nothing_marked),
		ops_unit_test(test_memfd_preserve),
		ops_unit_test(test_rb10_unrelated_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
