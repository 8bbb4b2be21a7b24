/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the tests that drive the model through sim/ops, as userspace
 * would (test_iommufd_*, test_model_*, test_memfd, test_vfio).
 *
 * Every test runs on a freshly powered-on default machine (see
 * ops_machine_default() in sim/ops/ops.h) and ends with a power-off whose
 * leak check must find nothing: every slab object and page allocated after
 * boot must be gone once the process's fds are closed and vfio-pci is
 * unbound.
 *
 * The assert helpers follow the iommufd selftests' naming (iommufd_utils.h):
 * test_cmd(expr) expects success, test_err(errno, expr) expects -errno.
 */
#ifndef _LUSIM_OPS_TEST_H
#define _LUSIM_OPS_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include <ops/ops.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/vfio.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include "lusim_test.h"

#define test_cmd(expr)		assert_int_equal(0, (expr))
#define test_err(err, expr)	assert_int_equal(-(err), (expr))

static inline int ops_test_setup_cfg(void **state,
				     const struct ops_machine_cfg *cfg)
{
	lusim_test_setup(state);
	if (ops_machine_power_on(cfg)) {
		lusim_findings_print(NULL);
		return -1;
	}
	return 0;
}

static inline int ops_test_setup(void **state)
{
	return ops_test_setup_cfg(state, ops_machine_default());
}

static inline int ops_test_teardown(void **state)
{
	unsigned long leaks = ops_machine_power_off();

	(void)state;
	if (leaks)
		fail_msg("%lu objects/pages leaked (findings above)", leaks);
	lusim_reset_all();
	return 0;
}

/* A test on the default machine, checked for leaks at the end. */
#define ops_unit_test(f) \
	cmocka_unit_test_setup_teardown(f, ops_test_setup, ops_test_teardown)

/* iommufd + IOAS + a device bound through vfio: the usual prologue. */
struct ops_fixture {
	int iommufd;
	uint32_t ioas_id;
	int vfio_fd[8];
	uint32_t dev_id[8];
};

/* Bind vfio-pci to device @dev, open its cdev and bind it to the iommufd. */
static inline void ops_fixture_bind(struct ops_fixture *f, unsigned int slot,
				    unsigned int dev)
{
	test_cmd(ops_vfio_pci_bind(dev));
	f->vfio_fd[slot] = ops_vfio_open(dev);
	assert_true(f->vfio_fd[slot] >= 0);
	test_cmd(ops_vfio_bind(f->vfio_fd[slot], f->iommufd, &f->dev_id[slot]));
	test_cmd(ops_vfio_set_master(f->vfio_fd[slot], true));
}

static inline void ops_fixture_init(struct ops_fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->iommufd = ops_iommufd_open();
	assert_true(f->iommufd >= 0);
	test_cmd(ops_ioas_alloc(f->iommufd, &f->ioas_id));
}

/* A memfd (sealing allowed, no seals) of @len bytes, every byte @fill. */
static inline int ops_test_memfd(size_t len, unsigned char fill)
{
	static unsigned char buf[4096];
	size_t off;
	int mfd;

	mfd = ops_memfd_create("test", MFD_ALLOW_SEALING);
	assert_true(mfd >= 0);
	test_cmd(ops_ftruncate(mfd, len));
	memset(buf, fill, sizeof(buf));
	for (off = 0; off < len; off += sizeof(buf)) {
		size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);

		assert_int_equal(ops_pwrite(mfd, buf, n, off), (ssize_t)n);
	}
	return mfd;
}

#endif /* _LUSIM_OPS_TEST_H */
