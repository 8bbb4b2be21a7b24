/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lusim's hooks into the VFIO model for the op layer (sim/ops) and tests:
 * what userspace does through sysfs (bind a PCI function to vfio-pci, find
 * its /dev/vfio/devices/vfioN) and through the device's config region
 * (PCI_COMMAND bus-master enable). Functions return 0 or -errno.
 */
#ifndef _LUSIM_VFIO_H
#define _LUSIM_VFIO_H

#include <linux/types.h>

struct device;
struct vfio_device;

/* echo BDF > /sys/bus/pci/drivers/vfio-pci/bind: -ENODEV no such function */
int lusim_vfio_pci_bind(u16 segment, u8 bus, u8 devfn);
/*
 * .../unbind: -ENODEV if not bound to vfio-pci, -EBUSY while a device file
 * is open (the kernel's unbind blocks until userspace closes it).
 */
int lusim_vfio_pci_unbind(u16 segment, u8 bus, u8 devfn);
/* Unbind vfio-pci from every function (machine power-off); count unbound. */
int lusim_vfio_pci_unbind_all(void);
/* /sys/bus/pci/devices/BDF/vfio-dev/vfioN as "/dev/vfio/devices/vfioN". */
int lusim_vfio_cdev_path(u16 segment, u8 bus, u8 devfn, char *buf,
			 size_t len);
/*
 * A write of PCI_COMMAND's bus-master bit through the config region of the
 * open (bound) vfio device file @fd: -EBADF, -EINVAL (not a bound vfio
 * device file).
 */
int lusim_vfio_pci_set_master(int fd, bool enable);

/* vfio_main.c: the registered vfio_device of @dev (the drvdata), or NULL */
struct vfio_device *lusim_vfio_find_device(struct device *dev);

#endif /* _LUSIM_VFIO_H */
