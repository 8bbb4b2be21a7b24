// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: drivers/vfio/pci/vfio_pci_liveupdate.c (kernel model): the
 * LUO file handler of VFIO cdev files ("vfio-pci-v1"), from the VFIO
 * preservation series v2 (Nov 2025/Jan 2026) the IOMMU series v1 builds on,
 * with IOMMU v1 13/14 (preserve the device's iommufd state) and the fixes
 * reviewers asked for.  Our own code, written from the semantics.
 *
 *  - preserve: a device attached to an iommufd (device->iommufd_attached)
 *    first preserves its IOMMU state with iommufd_device_preserve(), which
 *    needs the iommufd preserved earlier in the same session and returns
 *    its token; then the record (BDF, segment, reset_works, the token) goes
 *    to a KHO block and the function to the PCI live-update list.  A device
 *    not attached is preserved without IOMMU state (its DMA stops at kexec).
 *  - unpreserve: the reverse.
 *  - retrieve (new kernel): the registered vfio-pci device with the
 *    record's BDF and segment (-ENODEV: vfio-pci is not bound to it yet)
 *    gets a new device file, as if its cdev had been opened: unbound, so
 *    userspace binds it to an iommufd next (in phase 1 that bind fails
 *    with -EPERM: the group's DMA owner is the preserved token).
 *  - can_finish: retrieved.  finish: the record's page goes back.
 *  - lusim's stand-in for the PCI core's live-update FLB (the "PCI:
 *    liveupdate" series, not modelled): the list of preserved functions.
 *    vfio-pci's probe in the next kernel marks a listed function
 *    pdev->liveupdate_incoming, so its cdev refuses open (-EBUSY) until
 *    its session finishes: the device is reached through the session only.
 *
 * Fixes (each a separate condition below): the iommufd token is a u64
 * (v1: u32, truncated); RB-09: this module imports the IOMMUFD namespace.
 * lusim rules, not in v1: a file of a device whose other file is bound
 * cannot be preserved (-EBUSY: the bound file owns the device); a function
 * is listed once (-EBUSY for a second file of it).
 * Leaves out: the freeze op of the VFIO series (it resets the device, which
 * would stop the DMA the IOMMU series keeps running), PCI state (config
 * space, BARs, interrupts).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/vfio_pci.h>
#include <linux/liveupdate.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#include "../vfio.h"
#include "vfio_pci_priv.h"

#ifndef O_RDWR
#define O_RDWR	02
#endif

/* RB-09: v1 called iommufd_device_preserve() without importing it */
MODULE_IMPORT_NS("IOMMUFD");

/* --- lusim: the PCI core's live-update list of functions --------------------- */

/* Serializes changes to the outgoing list (sessions have mutexes of their own) */
static DEFINE_MUTEX(pci_liveupdate_mutex);

static int pci_liveupdate_flb_preserve(struct liveupdate_flb_op_args *argp)
{
	struct pci_liveupdate_ser *ser;

	ser = kho_alloc_preserve(PAGE_SIZE);
	if (IS_ERR(ser))
		return PTR_ERR(ser);

	argp->data = virt_to_phys(ser);
	argp->obj = ser;
	return 0;
}

static void pci_liveupdate_flb_unpreserve(struct liveupdate_flb_op_args *argp)
{
	kho_unpreserve_free(argp->obj);
}

static int pci_liveupdate_flb_retrieve(struct liveupdate_flb_op_args *argp)
{
	struct pci_liveupdate_ser *ser;
	struct folio *folio;

	/* the bytes come from the previous kernel: check before use */
	if (!kho_is_restorable_phys(argp->data))
		return -EINVAL;
	folio = kho_restore_folio(argp->data);
	if (!folio)
		return -EINVAL;

	ser = folio_address(folio);
	if (ser->nr_devices > PCI_LIVEUPDATE_MAX_DEVICES) {
		folio_put(folio);
		return -EINVAL;
	}

	argp->obj = ser;
	return 0;
}

static int pci_liveupdate_clear_incoming(struct pci_liveupdate_dev_ser *d)
{
	struct pci_dev *pdev;

	pdev = pci_get_domain_bus_and_slot(d->domain, d->bdf >> 8, d->bdf & 0xff);
	if (!pdev)
		return -ENODEV;
	pdev->liveupdate_incoming = false;
	pci_dev_put(pdev);
	return 0;
}

static void pci_liveupdate_flb_finish(struct liveupdate_flb_op_args *argp)
{
	struct pci_liveupdate_ser *ser = argp->obj;
	u64 i;

	/* every preserved function's session finished: they are ordinary now */
	for (i = 0; i < ser->nr_devices; i++)
		pci_liveupdate_clear_incoming(&ser->devices[i]);

	folio_put(virt_to_folio(ser));
}

static const struct liveupdate_flb_ops pci_liveupdate_flb_ops = {
	.preserve = pci_liveupdate_flb_preserve,
	.unpreserve = pci_liveupdate_flb_unpreserve,
	.retrieve = pci_liveupdate_flb_retrieve,
	.finish = pci_liveupdate_flb_finish,
};

static struct liveupdate_flb pci_liveupdate_flb = {
	.ops = &pci_liveupdate_flb_ops,
	.compatible = PCI_LUO_FLB_COMPATIBLE,
};

static long pci_liveupdate_find(struct pci_liveupdate_ser *ser, u32 domain,
				u16 bdf)
{
	u64 i;

	for (i = 0; i < ser->nr_devices; i++)
		if (ser->devices[i].domain == domain && ser->devices[i].bdf == bdf)
			return i;
	return -1;
}

static int pci_liveupdate_outgoing_preserve(struct pci_dev *pdev)
{
	struct pci_liveupdate_ser *ser;
	int ret;

	ret = liveupdate_flb_get_outgoing(&pci_liveupdate_flb, (void **)&ser);
	if (ret)
		return ret;
	if (!ser)
		return -EINVAL;

	guard(mutex)(&pci_liveupdate_mutex);
	if (pci_liveupdate_find(ser, pci_domain_nr(pdev->bus),
				pci_dev_id(pdev)) >= 0)
		return -EBUSY;
	if (ser->nr_devices == PCI_LIVEUPDATE_MAX_DEVICES)
		return -ENOSPC;

	ser->devices[ser->nr_devices].domain = pci_domain_nr(pdev->bus);
	ser->devices[ser->nr_devices].bdf = pci_dev_id(pdev);
	ser->nr_devices++;
	return 0;
}

static void pci_liveupdate_outgoing_unpreserve(struct pci_dev *pdev)
{
	struct pci_liveupdate_ser *ser;
	long i;

	if (WARN_ON(liveupdate_flb_get_outgoing(&pci_liveupdate_flb,
						(void **)&ser)) || WARN_ON(!ser))
		return;

	guard(mutex)(&pci_liveupdate_mutex);
	i = pci_liveupdate_find(ser, pci_domain_nr(pdev->bus), pci_dev_id(pdev));
	if (WARN_ON(i < 0))
		return;
	ser->devices[i] = ser->devices[ser->nr_devices - 1];
	ser->nr_devices--;
}

/*
 * vfio-pci's probe: a function the previous kernel preserved is reached
 * through its LUO session only, until the session finishes.
 */
void vfio_pci_liveupdate_probe(struct pci_dev *pdev)
{
	struct pci_liveupdate_ser *ser;

	if (liveupdate_flb_get_incoming(&pci_liveupdate_flb, (void **)&ser))
		return;
	if (pci_liveupdate_find(ser, pci_domain_nr(pdev->bus),
				pci_dev_id(pdev)) >= 0)
		pdev->liveupdate_incoming = true;
}

/* --- the VFIO cdev file handler ---------------------------------------------- */

static bool vfio_pci_liveupdate_can_preserve(struct liveupdate_file_handler *handler,
					     struct file *file)
{
	struct vfio_device *device = vfio_device_from_file(file);

	return device && device->ops == &vfio_pci_ops;
}

static int vfio_pci_liveupdate_preserve(struct liveupdate_file_op_args *args)
{
	struct vfio_device *device = vfio_device_from_file(args->file);
	struct vfio_device_file *df = args->file->private_data;
	struct vfio_pci_core_device_ser *ser;
	struct vfio_pci_core_device *vdev;
	struct iommufd_device *idev = NULL;
	struct pci_dev *pdev;
	u64 token = 0;
	int ret;

	vdev = container_of(device, struct vfio_pci_core_device, vdev);
	pdev = vdev->pdev;

	/* lusim: v1 read the iommufd state without the device set's lock */
	mutex_lock(&device->dev_set->lock);

	/*
	 * lusim: another file of the device is bound; its close would detach
	 * the device while this file's record says it is preserved.
	 */
	if (device->open_count && !df->access_granted) {
		ret = -EBUSY;
		goto out_unlock;
	}

	/* If iommufd is attached, preserve the underlying domain */
	if (device->iommufd_attached) {
		ret = iommufd_device_preserve(args->session,
					      device->iommufd_device, &token);
		if (ret < 0)
			goto out_unlock;
		idev = device->iommufd_device;
	}

	ser = kho_alloc_preserve(sizeof(*ser));
	if (IS_ERR(ser)) {
		ret = PTR_ERR(ser);
		goto err_unpreserve_iommufd;
	}

	ret = pci_liveupdate_outgoing_preserve(pdev);
	if (ret)
		goto err_free_ser;

	ser->bdf = pci_dev_id(pdev);
	ser->domain = pci_domain_nr(pdev->bus);
	ser->reset_works = vdev->reset_works;
	/* v1: a u32 field, the token's upper half was silently dropped */
	ser->iommufd_ser.token = token;

	args->serialized_data = virt_to_phys(ser);
	/* which iommufd device, if any, unpreserve must undo */
	args->private_data = idev;
	mutex_unlock(&device->dev_set->lock);
	return 0;

err_free_ser:
	kho_unpreserve_free(ser);
err_unpreserve_iommufd:
	if (idev)
		iommufd_device_unpreserve(args->session, idev, token);
out_unlock:
	mutex_unlock(&device->dev_set->lock);
	return ret;
}

static void vfio_pci_liveupdate_unpreserve(struct liveupdate_file_op_args *args)
{
	struct vfio_device *device = vfio_device_from_file(args->file);
	struct vfio_pci_core_device_ser *ser;
	struct iommufd_device *idev = args->private_data;

	ser = phys_to_virt(args->serialized_data);

	mutex_lock(&device->dev_set->lock);
	/*
	 * lusim: v1 tested device->iommufd_attached now, which need not be
	 * what it was at preserve time (a device preserved unattached and
	 * attached since).
	 */
	if (idev)
		iommufd_device_unpreserve(args->session, idev,
					  ser->iommufd_ser.token);

	pci_liveupdate_outgoing_unpreserve(to_pci_dev(device->dev));
	kho_unpreserve_free(ser);
	mutex_unlock(&device->dev_set->lock);
}

static int match_device(struct device *dev, const void *arg)
{
	struct vfio_device *device = container_of(dev, struct vfio_device, device);
	const struct vfio_pci_core_device_ser *ser = arg;
	struct vfio_pci_core_device *vdev;
	struct pci_dev *pdev;

	if (device->ops != &vfio_pci_ops)
		return false;

	vdev = container_of(device, struct vfio_pci_core_device, vdev);
	pdev = vdev->pdev;
	return ser->bdf == pci_dev_id(pdev) &&
	       ser->domain == pci_domain_nr(pdev->bus);
}

static int vfio_pci_liveupdate_retrieve(struct liveupdate_file_op_args *args)
{
	struct vfio_pci_core_device_ser *ser;
	struct vfio_device *device;
	struct folio *folio;
	struct file *file;
	int ret;

	/* lusim: the record is checked before it is read */
	if (!kho_is_restorable_phys(args->serialized_data))
		return -ENOENT;

	/*
	 * lusim: the device is looked up before the record is restored, so
	 * that -ENODEV (vfio-pci not bound to it) leaves the record preserved
	 * (the failed op changes nothing; LUO caches the errno).
	 */
	ser = phys_to_virt(args->serialized_data);
	device = vfio_find_device(ser, match_device);
	if (!device)
		return -ENODEV;

	folio = kho_restore_folio(args->serialized_data);
	if (!folio)
		return -ENOENT;
	ser = folio_address(folio);

	/*
	 * Userspace retrieves a preserved device's file from its session
	 * instead of opening the VFIO cdev: make the file the cdev open would
	 * make (unbound: BIND_IOMMUFD comes next).
	 */
	file = anon_inode_getfile("[vfio-device-liveupdate]", &vfio_device_fops,
				  NULL, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put_folio;
	}

	ret = __vfio_device_fops_cdev_open(device, file);
	if (ret) {
		fput(file);
		goto err_put_folio;
	}

	/*
	 * lusim: the record is consumed here; finish finds the device through
	 * the file. (Keeping the page until finish would hold it until the
	 * next reboot whenever finish is refused, which phase 1 always does.)
	 */
	args->file = file;
	ret = 0;

err_put_folio:
	folio_put(folio);
	return ret;
}

static bool vfio_pci_liveupdate_can_finish(struct liveupdate_file_op_args *args)
{
	return args->retrieve_status > 0;
}

static void vfio_pci_liveupdate_finish(struct liveupdate_file_op_args *args)
{
	struct vfio_pci_core_device_ser *ser;
	struct pci_liveupdate_dev_ser d;
	struct folio *folio;

	/* a failed retrieve gave its page back already */
	if (args->retrieve_status < 0)
		return;

	if (args->retrieve_status > 0) {
		struct vfio_device *device = vfio_device_from_file(args->file);
		struct pci_dev *pdev = to_pci_dev(device->dev);

		d.domain = pci_domain_nr(pdev->bus);
		d.bdf = pci_dev_id(pdev);
		pci_liveupdate_clear_incoming(&d);
		return;
	}

	if (!kho_is_restorable_phys(args->serialized_data))
		return;
	folio = kho_restore_folio(args->serialized_data);
	if (!folio)
		return;

	ser = folio_address(folio);
	d.domain = ser->domain;
	d.bdf = ser->bdf;
	pci_liveupdate_clear_incoming(&d);
	folio_put(folio);
}

static const struct liveupdate_file_ops vfio_pci_liveupdate_file_ops = {
	.can_preserve = vfio_pci_liveupdate_can_preserve,
	.preserve = vfio_pci_liveupdate_preserve,
	.unpreserve = vfio_pci_liveupdate_unpreserve,
	.retrieve = vfio_pci_liveupdate_retrieve,
	.can_finish = vfio_pci_liveupdate_can_finish,
	.finish = vfio_pci_liveupdate_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler vfio_pci_liveupdate_fh = {
	.ops = &vfio_pci_liveupdate_file_ops,
	.compatible = VFIO_PCI_LUO_FH_COMPATIBLE,
};

/* vfio_pci_init(), at every boot */
int __init vfio_pci_liveupdate_init(void)
{
	int ret;

	ret = liveupdate_register_file_handler(&vfio_pci_liveupdate_fh);
	/* live update off: VFIO works, nothing is preservable */
	if (ret == -EOPNOTSUPP)
		return 0;
	if (ret)
		return ret;

	ret = liveupdate_register_flb(&vfio_pci_liveupdate_fh,
				      &pci_liveupdate_flb);
	if (ret)
		liveupdate_unregister_file_handler(&vfio_pci_liveupdate_fh);
	return ret;
}
