/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim/ops: the userspace side of the simulated system, as a C API. Each
 * function is one action a VMM (or a test, or the fuzzer's op decoder)
 * performs: open a device node, issue an ioctl with the kernel's uAPI
 * struct, create and seal a memfd, let a device do DMA. Every call goes
 * through the model's syscall layer (lusim_sys_open/ioctl/close and
 * <lusim/syscalls.h>), exactly as a process would, and returns what the
 * syscall returns: 0 (or an fd, or a byte count) on success, the kernel's
 * -errno on failure. Out parameters are written only on success.
 *
 * Devices are named by their index in the machine configuration
 * (ops_machine_power_on()), so a scenario can say "device 3" and mean the
 * same PCI function on every run.
 *
 * Helper naming follows the iommufd selftests (anchors.md B.1): these
 * functions return the raw result; tests wrap them in assert macros
 * (test_cmd()/test_err()) themselves.
 */
#ifndef _LUSIM_OPS_H
#define _LUSIM_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hw/hw.h>

/* ---------------------------------------------------------------------
 * The machine: data-driven configuration, power on/off
 * --------------------------------------------------------------------- */

struct ops_unit_cfg {
	uint64_t reg_base;	/* the unit's identity (4 KiB aligned, nonzero) */
	uint16_t segment;
	bool legacy;		/* no scalable mode: the driver runs legacy mode */
	bool no_nested;
	bool no_ats;
	uint8_t pasid_bits;	/* 0: 20 */
};

struct ops_dev_cfg {
	uint16_t segment;
	uint8_t bus, devfn;
	unsigned int unit;	/* index into the units of the config */
	uint32_t max_pasids;	/* PASID capability (power of two); 0: none */
	bool ats;
	uint32_t group_tag;	/* 0: singleton group; equal tags share a group */
};

struct ops_machine_cfg {
	const char *name;
	unsigned int nr_units;
	const struct ops_unit_cfg *units;
	unsigned int nr_devs;
	const struct ops_dev_cfg *devs;
};

#define OPS_MAX_UNITS		16
#define OPS_MAX_DEVS		512

/*
 * The default machine: 2 IOMMU units on segment 0 (scalable mode), 6 PCI
 * functions:
 *   dev 0  00:01.0  unit 0  PASID (20 bits), ATS     singleton group
 *   dev 1  00:02.0  unit 0  no PASID                 } one group of two
 *   dev 2  00:02.1  unit 0  no PASID                 } functions (no ACS)
 *   dev 3  00:03.0  unit 1  PASID (8 bits: 256)      singleton group
 *   dev 4  00:04.0  unit 1  no PASID                 singleton group
 *   dev 5  00:05.0  unit 1  PASID (20 bits), ATS     singleton group
 */
const struct ops_machine_cfg *ops_machine_default(void);

/*
 * A generated machine of @nr_units units and @nr_devs singleton PCI
 * functions (buses 1.., 32 functions per bus, round-robin over the units,
 * every other one PASID-capable), for scaling runs (256 devices and more).
 * The config lives in static storage until the next call.
 */
const struct ops_machine_cfg *ops_machine_scaled(unsigned int nr_units,
						 unsigned int nr_devs);

/*
 * Power on: back to a clean slate (lusim_reset_all()), build the machine
 * (units and functions in sim/hw), boot the kernel model (lusim_boot()).
 * Returns 0, or the failing step's -errno. Records the slab and page marks
 * that ops_machine_power_off() checks leaks against.
 */
int ops_machine_power_on(const struct ops_machine_cfg *cfg);

/*
 * Power off: the process exits (every fd closed), vfio-pci is unbound and
 * every PCI function is hot-removed (which releases the per-device state
 * the kernel keeps on purpose), RCU callbacks run; then every slab object
 * and page allocated since power-on and still live is a leak: reported
 * (SLAB-LEAK, PAGE-LEAK findings, printed to stderr because the reset
 * clears them) and counted. Then everything is reset (lusim_reset_all(), the
 * boot-time objects freed). Returns the number of leaked objects + pages.
 */
unsigned long ops_machine_power_off(void);

/* The running configuration (NULL before power-on). */
const struct ops_machine_cfg *ops_machine_cfg(void);
unsigned int ops_nr_devices(void);
/* The simulated function of device @dev, or NULL. */
struct hw_pci_dev *ops_hw_dev(unsigned int dev);

/* ---------------------------------------------------------------------
 * Files
 * --------------------------------------------------------------------- */

int ops_close(int fd);
/*
 * ioctl(2) with a raw argument (tests of the uAPI's size rules); a driver's
 * -ENOIOCTLCMD comes back as -ENOTTY, as the VFS returns it.
 */
long ops_ioctl(int fd, unsigned int cmd, void *arg);

/* ---------------------------------------------------------------------
 * memfd: memfd_create(2), fcntl(2) seals, ftruncate(2), fallocate(2), and
 * CPU access to its bytes through pwrite64(2)/pread64(2)
 * --------------------------------------------------------------------- */

int ops_memfd_create(const char *name, unsigned int flags);
int ops_memfd_add_seals(int fd, unsigned int seals);
int ops_memfd_get_seals(int fd);	/* the seals, or -errno */
int ops_ftruncate(int fd, uint64_t size);
int ops_fallocate(int fd, int mode, uint64_t offset, uint64_t len);
ssize_t ops_pwrite(int fd, const void *buf, size_t len, uint64_t offset);
ssize_t ops_pread(int fd, void *buf, size_t len, uint64_t offset);

/* ---------------------------------------------------------------------
 * iommufd (/dev/iommu)
 * --------------------------------------------------------------------- */

int ops_iommufd_open(void);
int ops_ioas_alloc(int iommufd, uint32_t *ioas_id);
/*
 * IOMMU_IOAS_MAP of user memory at @user_va. @flags: IOMMU_IOAS_MAP_*; with
 * IOMMU_IOAS_MAP_FIXED_IOVA, *@iova is the input IOVA; the chosen IOVA is
 * returned in *@iova either way.
 */
int ops_ioas_map(int iommufd, uint32_t ioas_id, uint64_t user_va,
		 uint64_t length, uint64_t *iova, uint32_t flags);
/* IOMMU_IOAS_MAP_FILE of @length bytes of memfd @mfd from @start. */
int ops_ioas_map_file(int iommufd, uint32_t ioas_id, int mfd, uint64_t start,
		      uint64_t length, uint64_t *iova, uint32_t flags);
/* IOMMU_IOAS_UNMAP; *@unmapped (may be NULL) gets the bytes unmapped. */
int ops_ioas_unmap(int iommufd, uint32_t ioas_id, uint64_t iova,
		   uint64_t length, uint64_t *unmapped);
/*
 * IOMMU_IOAS_IOVA_RANGES into @ranges (pairs start, last; @nr in: capacity,
 * out: total). -EMSGSIZE (with *@nr set) when too small.
 */
int ops_ioas_iova_ranges(int iommufd, uint32_t ioas_id, uint64_t *ranges,
			 uint32_t *nr, uint64_t *alignment);
/* IOMMU_HWPT_ALLOC of a paging HWPT on IOAS @pt_id (flags IOMMU_HWPT_ALLOC_*) */
int ops_hwpt_alloc(int iommufd, uint32_t dev_id, uint32_t pt_id,
		   uint32_t flags, uint32_t *hwpt_id);
/*
 * IOMMU_HWPT_ALLOC of a nested HWPT on parent @parent_id, with driver data
 * @data of @data_type (IOMMU_HWPT_DATA_VTD_S1: struct iommu_hwpt_vtd_s1).
 */
int ops_hwpt_alloc_nested(int iommufd, uint32_t dev_id, uint32_t parent_id,
			  uint32_t flags, uint32_t data_type, const void *data,
			  uint32_t data_len, uint32_t *hwpt_id);
int ops_destroy(int iommufd, uint32_t id);
/* IOMMU_GET_HW_INFO: PASID width and capabilities (may be NULL). */
int ops_get_hw_info(int iommufd, uint32_t dev_id, uint8_t *max_pasid_log2,
		    uint64_t *capabilities);

/* ---------------------------------------------------------------------
 * VFIO: vfio-pci bind (sysfs), the device cdev and its ioctls
 * --------------------------------------------------------------------- */

int ops_vfio_pci_bind(unsigned int dev);
int ops_vfio_pci_unbind(unsigned int dev);
/* open("/dev/vfio/devices/vfioN") of device @dev: an fd, or -errno */
int ops_vfio_open(unsigned int dev);
/* VFIO_DEVICE_BIND_IOMMUFD; *@dev_id gets the iommufd device id */
int ops_vfio_bind(int vfio_fd, int iommufd, uint32_t *dev_id);
/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT: @pasid == OPS_NO_PASID attaches the RID
 * (no PASID flag), any other value sets VFIO_DEVICE_ATTACH_PASID. *@pt_id
 * in: an IOAS or HWPT id; out: the HWPT attached.
 */
#define OPS_NO_PASID	0u	/* IOMMU_NO_PASID */
int ops_vfio_attach(int vfio_fd, uint32_t pasid, uint32_t *pt_id);
int ops_vfio_detach(int vfio_fd, uint32_t pasid);
/* PCI_COMMAND bus-master enable through the device's config region */
int ops_vfio_set_master(int vfio_fd, bool enable);

/* ---------------------------------------------------------------------
 * Kernel drivers and hotplug (what the administrator and the machine do)
 * --------------------------------------------------------------------- */

/*
 * Bind the device's native kernel driver (DMA API user, claims the group's
 * default domain): -EBUSY if the device has a driver or its group is owned
 * for userspace DMA (iommufd).
 */
int ops_native_bind(unsigned int dev);
/* Unbind the native driver: -ENODEV if it is not the one bound. */
int ops_native_unbind(unsigned int dev);
/*
 * Orderly hot-unplug of device @dev: -EBUSY while its VFIO device file is
 * open (the kernel would block in vfio_unregister_group_dev() until
 * userspace closes it), -ENODEV if already removed.
 */
int ops_pci_hot_remove(unsigned int dev);
/* Plug device @dev of the configuration back in: -EEXIST if present. */
int ops_pci_hot_add(unsigned int dev);
/*
 * DRHD hotplug of remapping unit @unit of the configuration (the platform
 * removes or adds the unit): remove is -EBUSY while PCI functions sit
 * behind it, -ENODEV if it is not there; add is -EEXIST if it is there.
 */
int ops_dmar_hot_remove(unsigned int unit);
int ops_dmar_hot_add(unsigned int unit);
/*
 * Process exit, the administrator's part: unbind vfio-pci everywhere,
 * remove every function, then every remapping unit.
 */
void ops_machine_unplug_all(void);

/* ---------------------------------------------------------------------
 * DMA by a device (the machine's DMA engine)
 * --------------------------------------------------------------------- */

/*
 * Device @dev reads (@write false: memory -> @buf) or writes (@buf ->
 * memory) @len bytes at @iova with @pasid (OPS_NO_PASID: a request without
 * PASID). Returns 0 when the whole transfer happened, -EFAULT on a
 * translation fault, -EIO when bus mastering is off (dropped), -EINVAL when
 * the device cannot issue the request, -ENODEV for a bad device index.
 * @res (may be NULL) gets the machine's account.
 */
int ops_dma(unsigned int dev, uint32_t pasid, uint64_t iova, void *buf,
	    size_t len, bool write, struct hw_dma_result *res);

/*
 * Deterministic data: byte i of a pattern is a function of (@seed, @offset
 * + i), so a check can name the bytes a write put there without a buffer.
 * ops_dma_compare() and the *_check_pattern() functions return 0 when the
 * bytes match, -EILSEQ when they do not, or the transfer's -errno.
 */
void ops_pattern_fill(void *buf, size_t len, uint32_t seed, uint64_t offset);
int ops_dma_compare(unsigned int dev, uint32_t pasid, uint64_t iova,
		    const void *expect, size_t len, struct hw_dma_result *res);
int ops_dma_write_pattern(unsigned int dev, uint32_t pasid, uint64_t iova,
			  size_t len, uint32_t seed);
int ops_dma_check_pattern(unsigned int dev, uint32_t pasid, uint64_t iova,
			  size_t len, uint32_t seed);
/* The CPU view of a memfd (pwrite64/pread64) with the same patterns. */
int ops_memfd_write_pattern(int mfd, uint64_t offset, size_t len,
			    uint32_t seed);
int ops_memfd_check_pattern(int mfd, uint64_t offset, size_t len,
			    uint32_t seed);

/* ---------------------------------------------------------------------
 * Live update: /dev/liveupdate and its sessions (LUO's uAPI), the HWPT
 * mark of the IOMMU series, and the kexec into the next kernel
 * --------------------------------------------------------------------- */

/* open("/dev/liveupdate"): an fd; -EBUSY (one opener), -EIO, -ENOENT (off) */
int ops_liveupdate_open(void);
/* LIVEUPDATE_IOCTL_CREATE_SESSION: the session fd; -EEXIST, -ENOMEM */
int ops_lu_create_session(int lufd, const char *name);
/* LIVEUPDATE_IOCTL_RETRIEVE_SESSION (new kernel): the session fd;
 * -ENOENT no such incoming session, -EINVAL already retrieved */
int ops_lu_retrieve_session(int lufd, const char *name);
/* LIVEUPDATE_SESSION_PRESERVE_FD of @fd under @token */
int ops_lu_preserve_fd(int session_fd, int fd, uint64_t token);
/* LIVEUPDATE_SESSION_RETRIEVE_FD: the retrieved file's new fd */
int ops_lu_retrieve_fd(int session_fd, uint64_t token);
/* LIVEUPDATE_SESSION_FINISH: -EBUSY while a file cannot finish */
int ops_lu_finish(int session_fd);
/*
 * IOMMU_HWPT_LU_SET_PRESERVE (series v1): mark paging HWPT @hwpt_id with
 * @token; -ENOENT (no such paging HWPT), -EADDRINUSE (token used by another
 * marked HWPT of this iommufd).
 */
int ops_hwpt_lu_set_preserve(int iommufd, uint32_t hwpt_id, uint32_t token);
/*
 * Reboot into a new kernel with kexec (lusim_kexec(): LUO freezes the
 * sessions, KHO hands over, the machine keeps running and keeps only the
 * preserved memory, a new kernel boots). 0, or the error that stopped the
 * reboot (a freeze failure: the old kernel runs on). The process's fds are
 * gone after a reboot (userspace restarts); devices keep their index. The
 * leak check of ops_machine_power_off() then covers the new kernel only.
 */
int ops_kexec(void);

/* ---------------------------------------------------------------------
 * Test operations (the kernel selftest's IOMMU_TEST_OP_* role)
 * --------------------------------------------------------------------- */

/* The HWPT @dev_id is attached to at @pasid, 0 if none. */
int ops_test_pasid_check_hwpt(int iommufd, uint32_t dev_id, uint32_t pasid,
			      uint32_t *hwpt_id);
int ops_test_obj_users(int iommufd, uint32_t id, unsigned int *users);
int ops_test_nr_objects(int iommufd, unsigned int *nr);
/*
 * iommufd_device_attach/replace/detach() called directly on the device
 * @dev_id of @iommufd, as the selftests' IOMMU_TEST_OP_PASID_ATTACH /
 * _REPLACE / _DETACH do: the kernel API without VFIO's bookkeeping (VFIO
 * turns a second attach into a replace, this does not).
 */
int ops_test_pasid_attach(int iommufd, uint32_t dev_id, uint32_t pasid,
			  uint32_t *pt_id);
int ops_test_pasid_replace(int iommufd, uint32_t dev_id, uint32_t pasid,
			   uint32_t *pt_id);
int ops_test_pasid_detach(int iommufd, uint32_t dev_id, uint32_t pasid);

#endif /* _LUSIM_OPS_H */
