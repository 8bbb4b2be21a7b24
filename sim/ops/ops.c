// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/ops: userspace actions as C functions (see ops.h). Each builds the
 * kernel's uAPI struct, issues the system call through the model's syscall
 * layer and hands back the result; nothing here reaches into kernel
 * objects except the test operations at the end, which stand for the
 * kernel selftests' IOMMU_TEST_OP_* ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/fs.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/liveupdate.h>
#include <uapi/linux/vfio.h>
#include <lusim/iommufd_test.h>
#include <lusim/syscalls.h>
#include <lusim/vfio.h>

#include "ops.h"

#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD	515
#endif

/*
 * ioctl(2): a driver's -ENOIOCTLCMD reaches userspace as -ENOTTY (the VFS
 * converts it in vfs_ioctl()).
 */
long ops_ioctl(int fd, unsigned int cmd, void *arg)
{
	long ret = lusim_sys_ioctl(fd, cmd, arg);

	return ret == -ENOIOCTLCMD ? -ENOTTY : ret;
}

int ops_close(int fd)
{
	return lusim_sys_close(fd);
}

/* --- memfd ---------------------------------------------------------------- */

int ops_memfd_create(const char *name, unsigned int flags)
{
	return lusim_sys_memfd_create(name, flags);
}

int ops_memfd_add_seals(int fd, unsigned int seals)
{
	return (int)lusim_sys_fcntl(fd, F_ADD_SEALS, seals);
}

int ops_memfd_get_seals(int fd)
{
	return (int)lusim_sys_fcntl(fd, F_GET_SEALS, 0);
}

int ops_ftruncate(int fd, uint64_t size)
{
	return lusim_sys_ftruncate(fd, (loff_t)size);
}

int ops_fallocate(int fd, int mode, uint64_t offset, uint64_t len)
{
	return lusim_sys_fallocate(fd, mode, (loff_t)offset, (loff_t)len);
}

ssize_t ops_pwrite(int fd, const void *buf, size_t len, uint64_t offset)
{
	return lusim_sys_pwrite64(fd, buf, len, (loff_t)offset);
}

ssize_t ops_pread(int fd, void *buf, size_t len, uint64_t offset)
{
	return lusim_sys_pread64(fd, buf, len, (loff_t)offset);
}

/* --- iommufd ------------------------------------------------------------- */

int ops_iommufd_open(void)
{
	return lusim_sys_open("/dev/iommu");
}

int ops_ioas_alloc(int iommufd, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc cmd = {
		.size = sizeof(cmd),
	};
	long ret;

	ret = ops_ioctl(iommufd, IOMMU_IOAS_ALLOC, &cmd);
	if (!ret && ioas_id)
		*ioas_id = cmd.out_ioas_id;
	return (int)ret;
}

int ops_ioas_map(int iommufd, uint32_t ioas_id, uint64_t user_va,
		 uint64_t length, uint64_t *iova, uint32_t flags)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.user_va = user_va,
		.length = length,
		.iova = iova ? *iova : 0,
	};
	long ret;

	ret = ops_ioctl(iommufd, IOMMU_IOAS_MAP, &cmd);
	if (!ret && iova)
		*iova = cmd.iova;
	return (int)ret;
}

int ops_ioas_map_file(int iommufd, uint32_t ioas_id, int mfd, uint64_t start,
		      uint64_t length, uint64_t *iova, uint32_t flags)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.fd = mfd,
		.start = start,
		.length = length,
		.iova = iova ? *iova : 0,
	};
	long ret;

	ret = ops_ioctl(iommufd, IOMMU_IOAS_MAP_FILE, &cmd);
	if (!ret && iova)
		*iova = cmd.iova;
	return (int)ret;
}

int ops_ioas_unmap(int iommufd, uint32_t ioas_id, uint64_t iova,
		   uint64_t length, uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = length,
	};
	long ret;

	ret = ops_ioctl(iommufd, IOMMU_IOAS_UNMAP, &cmd);
	if (!ret && unmapped)
		*unmapped = cmd.length;
	return (int)ret;
}

int ops_ioas_iova_ranges(int iommufd, uint32_t ioas_id, uint64_t *ranges,
			 uint32_t *nr, uint64_t *alignment)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = *nr,
		.allowed_iovas = (uintptr_t)ranges,
	};
	long ret;

	ret = ops_ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &cmd);
	if (!ret || ret == -EMSGSIZE)
		*nr = cmd.num_iovas;
	if (!ret && alignment)
		*alignment = cmd.out_iova_alignment;
	return (int)ret;
}

int ops_hwpt_alloc(int iommufd, uint32_t dev_id, uint32_t pt_id,
		   uint32_t flags, uint32_t *hwpt_id)
{
	return ops_hwpt_alloc_nested(iommufd, dev_id, pt_id, flags,
				     IOMMU_HWPT_DATA_NONE, NULL, 0, hwpt_id);
}

int ops_hwpt_alloc_nested(int iommufd, uint32_t dev_id, uint32_t parent_id,
			  uint32_t flags, uint32_t data_type, const void *data,
			  uint32_t data_len, uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = parent_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	long ret;

	ret = ops_ioctl(iommufd, IOMMU_HWPT_ALLOC, &cmd);
	if (!ret && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return (int)ret;
}

int ops_destroy(int iommufd, uint32_t id)
{
	struct iommu_destroy cmd = {
		.size = sizeof(cmd),
		.id = id,
	};

	return (int)ops_ioctl(iommufd, IOMMU_DESTROY, &cmd);
}

int ops_get_hw_info(int iommufd, uint32_t dev_id, uint8_t *max_pasid_log2,
		    uint64_t *capabilities)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
	};
	long ret;

	ret = ops_ioctl(iommufd, IOMMU_GET_HW_INFO, &cmd);
	if (!ret && max_pasid_log2)
		*max_pasid_log2 = cmd.out_max_pasid_log2;
	if (!ret && capabilities)
		*capabilities = cmd.out_capabilities;
	return (int)ret;
}

/* --- VFIO ----------------------------------------------------------------- */

static int ops_dev_bdf(unsigned int dev, uint16_t *seg, uint8_t *bus,
		       uint8_t *devfn)
{
	const struct ops_machine_cfg *cfg = ops_machine_cfg();

	if (!cfg || dev >= cfg->nr_devs)
		return -ENODEV;
	*seg = cfg->devs[dev].segment;
	*bus = cfg->devs[dev].bus;
	*devfn = cfg->devs[dev].devfn;
	return 0;
}

int ops_vfio_pci_bind(unsigned int dev)
{
	uint16_t seg;
	uint8_t bus, devfn;
	int ret = ops_dev_bdf(dev, &seg, &bus, &devfn);

	return ret ? ret : lusim_vfio_pci_bind(seg, bus, devfn);
}

int ops_vfio_pci_unbind(unsigned int dev)
{
	uint16_t seg;
	uint8_t bus, devfn;
	int ret = ops_dev_bdf(dev, &seg, &bus, &devfn);

	return ret ? ret : lusim_vfio_pci_unbind(seg, bus, devfn);
}

int ops_vfio_open(unsigned int dev)
{
	char path[64];
	uint16_t seg;
	uint8_t bus, devfn;
	int ret = ops_dev_bdf(dev, &seg, &bus, &devfn);

	if (ret)
		return ret;
	ret = lusim_vfio_cdev_path(seg, bus, devfn, path, sizeof(path));
	if (ret)
		return ret == -ENODEV ? -ENOENT : ret;
	return lusim_sys_open(path);
}

int ops_vfio_bind(int vfio_fd, int iommufd, uint32_t *dev_id)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};
	long ret;

	ret = ops_ioctl(vfio_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (!ret && dev_id)
		*dev_id = bind.out_devid;
	return (int)ret;
}

int ops_vfio_attach(int vfio_fd, uint32_t pasid, uint32_t *pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.flags = pasid == OPS_NO_PASID ? 0 : VFIO_DEVICE_ATTACH_PASID,
		.pt_id = *pt_id,
		.pasid = pasid,
	};
	long ret;

	ret = ops_ioctl(vfio_fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	if (!ret)
		*pt_id = attach.pt_id;
	return (int)ret;
}

int ops_vfio_detach(int vfio_fd, uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
		.flags = pasid == OPS_NO_PASID ? 0 : VFIO_DEVICE_DETACH_PASID,
		.pasid = pasid,
	};

	return (int)ops_ioctl(vfio_fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
}

int ops_vfio_set_master(int vfio_fd, bool enable)
{
	return lusim_vfio_pci_set_master(vfio_fd, enable);
}

/* --- DMA ------------------------------------------------------------------ */

int ops_dma(unsigned int dev, uint32_t pasid, uint64_t iova, void *buf,
	    size_t len, bool write, struct hw_dma_result *res)
{
	struct hw_pci_dev *hw = ops_hw_dev(dev);
	enum hw_dma_status st;

	if (!hw)
		return -ENODEV;
	st = hw_dma(hw, pasid, iova, buf, len,
		    write ? HW_DMA_WRITE : HW_DMA_READ, res);
	switch (st) {
	case HW_DMA_OK:
		return 0;
	case HW_DMA_FAULT:
		return -EFAULT;
	case HW_DMA_DROPPED:
		return -EIO;
	default:
		return -EINVAL;
	}
}

/* --- data patterns, DMA and CPU compares ------------------------------------ */

/*
 * Test patterns: byte @pos of pattern @seed is byte (pos % 8) of the
 * little-endian 64-bit word
 *
 *	word(k) = mix(seed, k / 512) ^ ops_pattern_tbl[k % 512],  k = pos / 8
 *
 * mix() a splitmix64 finalizer, one per 4 KiB page and seed; the table 512
 * fixed random words. Every word of a page differs from the others (the
 * table), every page and every seed from the others (the mix), so a byte
 * DMA'd to the wrong place or the wrong pattern shows up, and a fill costs
 * an xor per 8 bytes (one hash per byte was a tenth of fuzz_ops' time).
 */
#define OPS_PATTERN_WORDS	512	/* 64-bit words per 4 KiB page */

static uint64_t ops_pattern_tbl[OPS_PATTERN_WORDS];

static uint64_t ops_mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x94D049BB133111EBull;
	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 32;
	return x;
}

static void ops_pattern_init(void)
{
	unsigned int i;

	if (ops_pattern_tbl[0])
		return;
	for (i = OPS_PATTERN_WORDS; i-- > 0; )
		ops_pattern_tbl[i] = ops_mix64((i + 1) * 0x9E3779B97F4A7C15ull) | 1;
}

static uint64_t ops_pattern_page(uint32_t seed, uint64_t page)
{
	return ops_mix64((page + 1) * 0x9E3779B97F4A7C15ull ^
			 ((uint64_t)seed + 1) * 0xD1B54A32D192ED03ull);
}

static uint64_t ops_pattern_word(uint32_t seed, uint64_t k)
{
	return ops_pattern_page(seed, k / OPS_PATTERN_WORDS) ^
	       ops_pattern_tbl[k % OPS_PATTERN_WORDS];
}

void ops_pattern_fill(void *buf, size_t len, uint32_t seed, uint64_t offset)
{
	uint8_t *p = buf;
	uint64_t pos = offset, end = offset + len;

	ops_pattern_init();
	/* bytes up to a word boundary */
	while (pos < end && (pos & 7)) {
		*p++ = (uint8_t)(ops_pattern_word(seed, pos / 8) >> (8 * (pos & 7)));
		pos++;
	}
	/* whole words, a page's worth of words per mix */
	while (end - pos >= 8) {
		uint64_t k = pos / 8, page = ops_pattern_page(seed, k / OPS_PATTERN_WORDS);
		uint64_t n = OPS_PATTERN_WORDS - k % OPS_PATTERN_WORDS, i;

		if (n > (end - pos) / 8)
			n = (end - pos) / 8;
		for (i = 0; i < n; i++) {
			uint64_t w = page ^ ops_pattern_tbl[(k + i) % OPS_PATTERN_WORDS];

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			memcpy(p + 8 * i, &w, 8);	/* one store */
#else
			for (unsigned int b = 0; b < 8; b++)
				p[8 * i + b] = (uint8_t)(w >> (8 * b));
#endif
		}
		p += 8 * n;
		pos += 8 * n;
	}
	/* the tail */
	while (pos < end) {
		*p++ = (uint8_t)(ops_pattern_word(seed, pos / 8) >> (8 * (pos & 7)));
		pos++;
	}
}

/*
 * Scratch buffers for the pattern ops: a fuzz input moves up to a few MiB
 * through them; a malloc and free per op made every op map fresh pages
 * and (under ASan) poison and quarantine them. Host memory, kept and grown
 * (to the largest transfer seen), never the model's.
 */
enum { OPS_SCRATCH_A, OPS_SCRATCH_B, OPS_NR_SCRATCH };

static struct {
	uint8_t *buf;
	size_t cap;
} ops_scratch[OPS_NR_SCRATCH];

static uint8_t *ops_scratch_get(unsigned int which, size_t len, bool zero)
{
	if (!len)
		len = 1;
	if (ops_scratch[which].cap < len) {
		uint8_t *nb = realloc(ops_scratch[which].buf, len);

		if (!nb)
			return NULL;
		ops_scratch[which].buf = nb;
		ops_scratch[which].cap = len;
	}
	if (zero)
		memset(ops_scratch[which].buf, 0, len);
	return ops_scratch[which].buf;
}

static int ops_dma_compare_scratch(unsigned int dev, uint32_t pasid,
				   uint64_t iova, const void *expect,
				   size_t len, struct hw_dma_result *res)
{
	uint8_t *got = ops_scratch_get(OPS_SCRATCH_B, len, true);
	int ret;

	if (!got)
		return -ENOMEM;
	ret = ops_dma(dev, pasid, iova, got, len, false, res);
	if (!ret && memcmp(got, expect, len))
		ret = -EILSEQ;
	return ret;
}

int ops_dma_compare(unsigned int dev, uint32_t pasid, uint64_t iova,
		    const void *expect, size_t len, struct hw_dma_result *res)
{
	uint8_t *got;
	int ret;

	got = calloc(1, len ? len : 1);
	if (!got)
		return -ENOMEM;
	ret = ops_dma(dev, pasid, iova, got, len, false, res);
	if (!ret && memcmp(got, expect, len))
		ret = -EILSEQ;
	free(got);
	return ret;
}

int ops_dma_write_pattern(unsigned int dev, uint32_t pasid, uint64_t iova,
			  size_t len, uint32_t seed)
{
	uint8_t *buf = ops_scratch_get(OPS_SCRATCH_A, len, false);

	if (!buf)
		return -ENOMEM;
	ops_pattern_fill(buf, len, seed, 0);
	return ops_dma(dev, pasid, iova, buf, len, true, NULL);
}

int ops_dma_check_pattern(unsigned int dev, uint32_t pasid, uint64_t iova,
			  size_t len, uint32_t seed)
{
	uint8_t *buf = ops_scratch_get(OPS_SCRATCH_A, len, false);

	if (!buf)
		return -ENOMEM;
	ops_pattern_fill(buf, len, seed, 0);
	return ops_dma_compare_scratch(dev, pasid, iova, buf, len, NULL);
}

int ops_memfd_write_pattern(int mfd, uint64_t offset, size_t len,
			    uint32_t seed)
{
	uint8_t *buf = ops_scratch_get(OPS_SCRATCH_A, len, false);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	ops_pattern_fill(buf, len, seed, 0);
	/*
	 * A short write is the kernel's success, not an error: write(2) of
	 * a shmem file stores page by page and returns the bytes it stored
	 * when a later page cannot be allocated. Report it as 0, as the
	 * syscall did; memfd_check tells a short write from a full one.
	 */
	n = ops_pwrite(mfd, buf, len, offset);
	return n < 0 ? (int)n : 0;
}

int ops_memfd_check_pattern(int mfd, uint64_t offset, size_t len,
			    uint32_t seed)
{
	uint8_t *want = ops_scratch_get(OPS_SCRATCH_A, len, false);
	uint8_t *got = ops_scratch_get(OPS_SCRATCH_B, len, true);
	ssize_t n;

	if (!got || !want)
		return -ENOMEM;
	ops_pattern_fill(want, len, seed, 0);
	n = ops_pread(mfd, got, len, offset);
	if (n < 0)
		return (int)n;
	if ((size_t)n != len || memcmp(got, want, len))
		return -EILSEQ;
	return 0;
}

/* --- live update ------------------------------------------------------------ */

int ops_liveupdate_open(void)
{
	return lusim_sys_open("/dev/liveupdate");
}

static int ops_lu_session_ioctl(int lufd, unsigned int cmd, const char *name)
{
	struct liveupdate_ioctl_create_session arg = {
		.size = sizeof(arg),
	};
	long ret;

	/* the two session ioctls share a layout: {size, fd, name[64]} */
	BUILD_BUG_ON(sizeof(struct liveupdate_ioctl_create_session) !=
		     sizeof(struct liveupdate_ioctl_retrieve_session));
	if (name)
		strncpy((char *)arg.name, name, sizeof(arg.name) - 1);
	ret = ops_ioctl(lufd, cmd, &arg);
	return ret ? (int)ret : arg.fd;
}

int ops_lu_create_session(int lufd, const char *name)
{
	return ops_lu_session_ioctl(lufd, LIVEUPDATE_IOCTL_CREATE_SESSION, name);
}

int ops_lu_retrieve_session(int lufd, const char *name)
{
	return ops_lu_session_ioctl(lufd, LIVEUPDATE_IOCTL_RETRIEVE_SESSION,
				    name);
}

int ops_lu_preserve_fd(int session_fd, int fd, uint64_t token)
{
	struct liveupdate_session_preserve_fd arg = {
		.size = sizeof(arg),
		.fd = fd,
		.token = token,
	};

	return (int)ops_ioctl(session_fd, LIVEUPDATE_SESSION_PRESERVE_FD, &arg);
}

int ops_lu_retrieve_fd(int session_fd, uint64_t token)
{
	struct liveupdate_session_retrieve_fd arg = {
		.size = sizeof(arg),
		.token = token,
	};
	long ret;

	ret = ops_ioctl(session_fd, LIVEUPDATE_SESSION_RETRIEVE_FD, &arg);
	return ret ? (int)ret : arg.fd;
}

int ops_lu_finish(int session_fd)
{
	struct liveupdate_session_finish arg = {
		.size = sizeof(arg),
	};

	return (int)ops_ioctl(session_fd, LIVEUPDATE_SESSION_FINISH, &arg);
}

int ops_hwpt_lu_set_preserve(int iommufd, uint32_t hwpt_id, uint32_t token)
{
	struct iommu_hwpt_lu_set_preserve cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.hwpt_token = token,
	};

	return (int)ops_ioctl(iommufd, IOMMU_HWPT_LU_SET_PRESERVE, &cmd);
}

/* --- test operations ------------------------------------------------------ */

int ops_test_pasid_check_hwpt(int iommufd, uint32_t dev_id, uint32_t pasid,
			      uint32_t *hwpt_id)
{
	return lusim_iommufd_test_pasid_check_hwpt(iommufd, dev_id, pasid,
						   hwpt_id);
}

int ops_test_obj_users(int iommufd, uint32_t id, unsigned int *users)
{
	unsigned int wait_cnt;
	int type;

	return lusim_iommufd_test_obj_refs(iommufd, id, users, &wait_cnt,
					   &type);
}

int ops_test_nr_objects(int iommufd, unsigned int *nr)
{
	return lusim_iommufd_test_nr_objects(iommufd, nr);
}

int ops_test_pasid_attach(int iommufd, uint32_t dev_id, uint32_t pasid,
			  uint32_t *pt_id)
{
	return lusim_iommufd_test_pasid_attach(iommufd, dev_id, pasid, pt_id);
}

int ops_test_pasid_replace(int iommufd, uint32_t dev_id, uint32_t pasid,
			   uint32_t *pt_id)
{
	return lusim_iommufd_test_pasid_replace(iommufd, dev_id, pasid, pt_id);
}

int ops_test_pasid_detach(int iommufd, uint32_t dev_id, uint32_t pasid)
{
	return lusim_iommufd_test_pasid_detach(iommufd, dev_id, pasid);
}
