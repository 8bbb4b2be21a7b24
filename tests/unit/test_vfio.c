// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO (drivers/vfio/vfio_main.c, device_cdev.c, iommufd.c, pci/): the
 * vfio-pci driver creates /dev/vfio/devices/vfioN per function, device
 * files, binding to an iommufd, DMA ownership against kernel drivers of the
 * same group, file lifetimes (the device file keeps its iommufd alive),
 * hot-unplug.
 */
#include <linux/fs.h>
#include <lusim/vfio.h>

#include "ops_test.h"

static void cdev_path(unsigned int dev, char *buf, size_t len)
{
	const struct ops_dev_cfg *d = &ops_machine_cfg()->devs[dev];

	test_cmd(lusim_vfio_cdev_path(d->segment, d->bus, d->devfn, buf, len));
}

static void test_cdev_lifecycle(void **state)
{
	char path[64];
	int fd;

	(void)state;
	test_cmd(ops_vfio_pci_bind(0));
	test_cmd(ops_vfio_pci_bind(3));
	cdev_path(0, path, sizeof(path));
	assert_string_equal(path, "/dev/vfio/devices/vfio0");
	cdev_path(3, path, sizeof(path));
	assert_string_equal(path, "/dev/vfio/devices/vfio1");
	fd = lusim_sys_open("/dev/vfio/devices/vfio1");
	assert_true(fd >= 0);
	test_cmd(ops_close(fd));
	/* unbind: the node is gone; rebind takes the lowest free index */
	test_cmd(ops_vfio_pci_unbind(0));
	test_err(ENOENT, lusim_sys_open("/dev/vfio/devices/vfio0"));
	test_err(ENOENT, ops_vfio_open(0));
	test_cmd(ops_vfio_pci_bind(4));
	cdev_path(4, path, sizeof(path));
	assert_string_equal(path, "/dev/vfio/devices/vfio0");
	test_cmd(ops_vfio_pci_bind(0));
	cdev_path(0, path, sizeof(path));
	assert_string_equal(path, "/dev/vfio/devices/vfio2");
}

/* Several opens of one device: only one can be bound (cdev rule). */
static void test_multiple_opens(void **state)
{
	uint32_t dev_id, pt;
	int iommufd, a, b;

	(void)state;
	iommufd = ops_iommufd_open();
	test_cmd(ops_vfio_pci_bind(5));
	a = ops_vfio_open(5);
	b = ops_vfio_open(5);
	assert_true(a >= 0 && b >= 0);
	test_cmd(ops_vfio_bind(b, iommufd, &dev_id));
	test_err(EINVAL, ops_vfio_bind(a, iommufd, &dev_id));
	pt = 1;
	test_err(EINVAL, ops_vfio_attach(a, OPS_NO_PASID, &pt));
	/* closing the unbound file changes nothing for the bound one */
	test_cmd(ops_close(a));
	test_cmd(ops_vfio_set_master(b, true));
	test_cmd(ops_close(b));
	test_cmd(ops_close(iommufd));
}

/*
 * DMA ownership: a kernel driver on one function of a group and iommufd on
 * another exclude each other (iommu_device_claim_dma_owner() -EBUSY,
 * iommu_device_use_default_domain() -EBUSY); vfio-pci itself does not claim
 * the default domain (driver_managed_dma).
 */
static void test_native_driver_ownership(void **state)
{
	uint32_t dev_id;
	int iommufd, fd;

	(void)state;
	iommufd = ops_iommufd_open();

	/* one driver per device */
	test_cmd(ops_native_bind(4));
	test_err(EBUSY, ops_vfio_pci_bind(4));
	test_err(ENODEV, ops_native_unbind(3));
	test_cmd(ops_native_unbind(4));
	test_cmd(ops_vfio_pci_bind(4));
	test_err(EBUSY, ops_native_bind(4));

	/* group: kernel driver first, then iommufd */
	test_cmd(ops_native_bind(2));
	test_cmd(ops_vfio_pci_bind(1));		/* binding vfio-pci is fine */
	fd = ops_vfio_open(1);
	/* the group is owned by the kernel (no owner cookie): -EPERM */
	test_err(EPERM, ops_vfio_bind(fd, iommufd, &dev_id));
	test_cmd(ops_native_unbind(2));
	test_cmd(ops_vfio_bind(fd, iommufd, &dev_id));
	/* then iommufd owns the group: no kernel driver on the other function */
	test_err(EBUSY, ops_native_bind(2));
	test_cmd(ops_close(fd));
	test_cmd(ops_native_bind(2));
	test_cmd(ops_native_unbind(2));
	test_cmd(ops_close(iommufd));
}

/*
 * The bound device file holds its iommufd: closing the iommufd first keeps
 * the context (and the device's attachment) alive until the device file
 * closes; then everything goes (the teardown's leak check).
 */
static void test_close_order(void **state)
{
	unsigned char b[16];
	struct ops_fixture f;
	uint64_t iova = 0x1000;
	uint32_t pt;
	int mfd;

	(void)state;
	ops_fixture_init(&f);
	ops_fixture_bind(&f, 0, 0);
	mfd = ops_test_memfd(4096, 0x3c);
	test_cmd(ops_ioas_map_file(f.iommufd, f.ioas_id, mfd, 0, 4096, &iova,
				   IOMMU_IOAS_MAP_FIXED_IOVA |
				   IOMMU_IOAS_MAP_READABLE));
	pt = f.ioas_id;
	test_cmd(ops_vfio_attach(f.vfio_fd[0], OPS_NO_PASID, &pt));
	test_cmd(ops_close(mfd));
	test_cmd(ops_close(f.iommufd));
	/* still translating: the iommufd lives on */
	test_cmd(ops_dma(0, OPS_NO_PASID, iova, b, sizeof(b), false, NULL));
	assert_int_equal(b[0], 0x3c);
	test_cmd(ops_close(f.vfio_fd[0]));
	test_err(EIO, ops_dma(0, OPS_NO_PASID, iova, b, sizeof(b), false,
			      NULL));
}

static void test_set_master_errors(void **state)
{
	int iommufd = ops_iommufd_open();

	(void)state;
	test_err(EBADF, ops_vfio_set_master(1000, true));
	test_err(EBADF, ops_vfio_set_master(-1, true));
	test_err(EINVAL, ops_vfio_set_master(iommufd, true));
	test_cmd(ops_close(iommufd));
}

/* Hot-unplug waits for the device's files; DMA from a gone device fails. */
static void test_hot_remove(void **state)
{
	unsigned char b[8];
	uint32_t dev_id;
	int iommufd, fd;

	(void)state;
	iommufd = ops_iommufd_open();
	test_cmd(ops_vfio_pci_bind(3));
	fd = ops_vfio_open(3);
	test_cmd(ops_vfio_bind(fd, iommufd, &dev_id));
	test_err(EBUSY, ops_pci_hot_remove(3));
	test_cmd(ops_close(fd));
	test_cmd(ops_pci_hot_remove(3));
	test_err(ENODEV, ops_pci_hot_remove(3));
	test_err(ENODEV, ops_dma(3, OPS_NO_PASID, 0, b, sizeof(b), false,
				 NULL));
	test_err(ENODEV, ops_vfio_pci_bind(3));
	test_cmd(ops_pci_hot_add(3));
	test_err(EEXIST, ops_pci_hot_add(3));
	test_cmd(ops_vfio_pci_bind(3));
	fd = ops_vfio_open(3);
	test_cmd(ops_vfio_bind(fd, iommufd, &dev_id));
	lusim_close_all_fds();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_cdev_lifecycle),
		ops_unit_test(test_multiple_opens),
		ops_unit_test(test_native_driver_ownership),
		ops_unit_test(test_close_order),
		ops_unit_test(test_set_master_errors),
		ops_unit_test(test_hot_remove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
