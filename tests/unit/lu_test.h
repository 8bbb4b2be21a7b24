/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the live-update tests of iommufd, VFIO and memfd
 * (test_lu_*.c): the preserve chain a VMM builds, as userspace through
 * sim/ops, on the default machine.
 *
 *   memfd (sealed SEAL|GROW|SHRINK, filled with a pattern)
 *     -> IOAS_MAP_FILE at LU_IOVA
 *   iommufd: IOAS, a paging HWPT (marked with a token)
 *   device: vfio-pci bound, cdev opened, BIND_IOMMUFD, bus master on,
 *     attached (RID) to the HWPT
 *   /dev/liveupdate, a session, PRESERVE_FD memfd -> iommufd -> vfio.
 *
 * Every test ends with ops_machine_power_off()'s leak check. A test whose
 * last kernel still holds state from a live update that cannot finish
 * (phase 1: an iommufd in the session) reboots once more without
 * preserving anything first (lu_clean_reboot()), so the leak check covers a
 * kernel with nothing pending.
 */
#ifndef _LUSIM_LU_TEST_H
#define _LUSIM_LU_TEST_H

#include <linux/kexec_handover.h>
#include <linux/memfd.h>
#include <lusim/iommu-lu.h>
#include <lusim/iommufd_test.h>
#include <lusim/kexec.h>
#include <uapi/linux/liveupdate.h>

#include "ops_test.h"

#define LU_PAGE		4096UL
#define LU_NR_PAGES	4
#define LU_LEN		(LU_NR_PAGES * LU_PAGE)
#define LU_IOVA		0x100000UL
#define LU_MAP_FIXED_RW	(IOMMU_IOAS_MAP_FIXED_IOVA | \
			 IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define LU_SEALS	(F_SEAL_SEAL | F_SEAL_GROW | F_SEAL_SHRINK)

/* LUO tokens of the chain's files and the HWPT's mark */
#define LU_TOK_MEMFD	0x100ULL
#define LU_TOK_IOMMUFD	0x200ULL
#define LU_TOK_VFIO	0x300ULL
#define LU_HWPT_TOKEN	0x77u

struct lu_chain {
	struct ops_fixture f;	/* iommufd, IOAS, vfio_fd[0]/dev_id[0] */
	unsigned int dev;	/* machine device index */
	int mfd;
	uint32_t hwpt_id;
	int lufd;		/* /dev/liveupdate */
	int sfd;		/* the session */
};

/* A memfd of LU_LEN bytes holding pattern @seed (sealing allowed, no seals) */
static inline int lu_memfd(uint32_t seed)
{
	int mfd = ops_memfd_create("lu", MFD_ALLOW_SEALING);

	assert_true(mfd >= 0);
	test_cmd(ops_ftruncate(mfd, LU_LEN));
	test_cmd(ops_memfd_write_pattern(mfd, 0, LU_LEN, seed));
	return mfd;
}

/*
 * Everything up to (not including) the preserves: memfd sealed and mapped,
 * HWPT allocated for @dev and marked, @dev attached to it, the session
 * created. @seed is the memfd's initial contents.
 */
static inline void lu_chain_setup(struct lu_chain *c, unsigned int dev,
				  uint32_t seed)
{
	uint64_t iova = LU_IOVA;
	uint32_t pt;

	memset(c, 0, sizeof(*c));
	c->dev = dev;
	ops_fixture_init(&c->f);
	c->mfd = lu_memfd(seed);
	test_cmd(ops_memfd_add_seals(c->mfd, LU_SEALS));
	test_cmd(ops_ioas_map_file(c->f.iommufd, c->f.ioas_id, c->mfd, 0,
				   LU_LEN, &iova, LU_MAP_FIXED_RW));
	ops_fixture_bind(&c->f, 0, dev);
	test_cmd(ops_hwpt_alloc(c->f.iommufd, c->f.dev_id[0], c->f.ioas_id, 0,
				&c->hwpt_id));
	test_cmd(ops_hwpt_lu_set_preserve(c->f.iommufd, c->hwpt_id,
					  LU_HWPT_TOKEN));
	pt = c->hwpt_id;
	test_cmd(ops_vfio_attach(c->f.vfio_fd[0], OPS_NO_PASID, &pt));
	assert_int_equal(pt, c->hwpt_id);

	c->lufd = ops_liveupdate_open();
	assert_true(c->lufd >= 0);
	c->sfd = ops_lu_create_session(c->lufd, "vmm");
	assert_true(c->sfd >= 0);
}

/* The three preserves, in dependency order. */
static inline void lu_chain_preserve(struct lu_chain *c)
{
	test_cmd(ops_lu_preserve_fd(c->sfd, c->mfd, LU_TOK_MEMFD));
	test_cmd(ops_lu_preserve_fd(c->sfd, c->f.iommufd, LU_TOK_IOMMUFD));
	test_cmd(ops_lu_preserve_fd(c->sfd, c->f.vfio_fd[0], LU_TOK_VFIO));
}

static inline struct lusim_iommufd_lu_info lu_info(int iommufd)
{
	struct lusim_iommufd_lu_info info;

	test_cmd(lusim_iommufd_lu_info(iommufd, &info));
	return info;
}

/* The IOMMU FLB does not exist: no file of the iommufd handler preserved */
static inline void lu_assert_no_iommu_flb(void)
{
	struct lusim_iommu_lu_counts c;

	assert_int_equal(lusim_iommu_lu_outgoing_counts(&c), -ENOENT);
}

/* Nothing of @iommufd is preserved, immutable or pinned. */
static inline void lu_assert_iommufd_clean(int iommufd)
{
	struct lusim_iommufd_lu_info info = lu_info(iommufd);

	assert_int_equal(info.preserved_hwpts, 0);
	assert_int_equal(info.preserved_domains, 0);
	assert_int_equal(info.immutable_ioas, 0);
	assert_int_equal(info.preserved_devices, 0);
}

/*
 * After a live update that cannot finish (phase 1), reboot once more with
 * nothing preserved: the leftovers of the previous kernel are dropped.
 */
static inline void lu_clean_reboot(void)
{
	test_cmd(ops_kexec());
	assert_int_equal(lusim_kho_nr_unrestored_chunks(), 0);
}

#endif /* _LUSIM_LU_TEST_H */
