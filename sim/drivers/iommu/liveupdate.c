// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model of drivers/iommu/liveupdate.c: the IOMMU core's live-update state,
 * series v1 (3 Feb 2026) patches 01, 02 and 09 (kernel-model.md 3.2-3.5).
 * Our own code, written from the semantics, with the v1 names (static
 * helpers included, so v1 functions spliced in with -Dkernel_overrides
 * find what they call).
 *
 *  - The IOMMU FLB ("iommu-v1"): its preserve allocates the runtime object
 *    and four KHO-preserved pages (the top-level iommu_lu_flb_ser and the
 *    first page of each of the three object arrays); unpreserve frees them;
 *    retrieve (new kernel) restores every page of the three chains; finish
 *    puts them.  Linked to LUO file handlers by
 *    iommu_liveupdate_register_flb() (the iommufd handler's init).
 *  - Outgoing: iommu_domain_preserve()/_unpreserve(), and
 *    iommu_preserve_device()/_unpreserve_device(), which preserve the IOMMU
 *    unit behind the device once (iommu_ser, refcounted by devices).
 *  - New kernel: the lookups the VT-d driver and the core's probe use, and
 *    iommu_restore_domain() (restore once per domain ser).
 *  - The kexec shutdown filter: devices with outgoing preserved state keep
 *    bus mastering (and so their DMA) across the kexec; the PCI core turns
 *    it off on every other device (drivers/pci/probe.c device_shutdown()).
 *
 * Fixed series by default.  Each check the reviewers (or later versions)
 * added is a separate condition with a comment naming the v1 behaviour,
 * tagged "RB-nn" when it is a catalogued reviewer bug
 * (../shared/reference/reviewer-bugs.md) and "v1:" otherwise, so a switch
 * can bring the v1 behaviour back later.
 *
 * Hardening the restore path (lusim, not in v1): the retrieve checks that
 * the counts of the serialized arrays agree with their chains, and the
 * new kernel only dereferences a domain_phys/iommu_phys that is a slot of
 * its chain.  Bad preserved state is a BUG(), as the kernel treats every
 * failure to restore its own preserved state; v1 trusted the counts and
 * the physical addresses.
 */
#define pr_fmt(fmt)    "iommu: liveupdate: " fmt

#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/cleanup.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/iommu-lu.h>
#include <linux/iommu.h>
#include <linux/kexec_handover.h>
#include <linux/liveupdate.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <lusim/hotplug.h>
#include <lusim/iommu-lu.h>
#include <lusim/bugs.h>
#include <lusim/reset.h>

/* The v1 layout (packed, as the kernel builds it). */
static_assert(sizeof(struct iommu_obj_ser) == 9, "v1 layout of iommu_obj_ser");
static_assert(sizeof(struct iommu_domain_ser) == 33, "v1 layout of iommu_domain_ser");
static_assert(sizeof(struct device_ser) == 65, "v1 layout of device_ser");
static_assert(sizeof(struct iommu_ser) == 37, "v1 layout of iommu_ser");
static_assert(sizeof(struct iommu_lu_flb_ser) == 48, "v1 layout of iommu_lu_flb_ser");

/* --- the FLB --------------------------------------------------------------- */

static void iommu_liveupdate_restore_objs(u64 next)
{
	struct iommu_objs_ser *objs;

	while (next) {
		BUG_ON(!kho_restore_folio(next));
		objs = __va(next);
		next = objs->next_objs;
	}
}

/*
 * lusim: v1 trusted nr_domains/nr_devices/nr_iommus and the per-page
 * nr_objs: a count larger than its chain walked past the last page.  Every
 * page but the last is full (objects are only appended to the last page),
 * each page holds at most @max objects, and the pages add up to @nr.
 */
static void iommu_liveupdate_check_objs(u64 first, u64 nr, u64 max)
{
	struct iommu_objs_ser *objs;
	u64 seen = 0;

	BUG_ON(!first);
	for (objs = __va(first); ; objs = __va(objs->next_objs)) {
		BUG_ON(objs->nr_objs > max);
		seen += objs->nr_objs;
		if (!objs->next_objs)
			break;
		BUG_ON(objs->nr_objs != max);
	}
	BUG_ON(seen != nr);
}

static void iommu_liveupdate_free_objs(u64 next, bool incoming)
{
	struct iommu_objs_ser *objs;

	while (next) {
		objs = __va(next);
		next = objs->next_objs;

		if (!incoming)
			kho_unpreserve_free(objs);
		else
			folio_put(virt_to_folio(objs));
	}
}

static void iommu_liveupdate_flb_free(struct iommu_lu_flb_obj *obj)
{
	if (obj->iommu_domains)
		iommu_liveupdate_free_objs(obj->ser->iommu_domains_phys, false);

	if (obj->devices)
		iommu_liveupdate_free_objs(obj->ser->devices_phys, false);

	if (obj->iommus)
		iommu_liveupdate_free_objs(obj->ser->iommus_phys, false);

	kho_unpreserve_free(obj->ser);
	mutex_destroy(&obj->lock);
	kfree(obj);
}

static struct iommu_lu_flb_obj *iommu_liveupdate_flb_obj_alloc(void)
{
	struct iommu_lu_flb_obj *obj;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return NULL;

	mutex_init(&obj->lock);
	return obj;
}

static int iommu_liveupdate_flb_preserve(struct liveupdate_flb_op_args *argp)
{
	struct iommu_lu_flb_obj *obj;
	struct iommu_lu_flb_ser *ser;
	void *mem;

	obj = iommu_liveupdate_flb_obj_alloc();
	if (!obj)
		return -ENOMEM;

	mem = kho_alloc_preserve(sizeof(*ser));
	if (IS_ERR(mem))
		goto err_free;

	ser = mem;
	obj->ser = ser;

	mem = kho_alloc_preserve(PAGE_SIZE);
	if (IS_ERR(mem))
		goto err_free;

	obj->iommu_domains = mem;
	ser->iommu_domains_phys = virt_to_phys(obj->iommu_domains);

	mem = kho_alloc_preserve(PAGE_SIZE);
	if (IS_ERR(mem))
		goto err_free;

	obj->devices = mem;
	ser->devices_phys = virt_to_phys(obj->devices);

	mem = kho_alloc_preserve(PAGE_SIZE);
	if (IS_ERR(mem))
		goto err_free;

	obj->iommus = mem;
	ser->iommus_phys = virt_to_phys(obj->iommus);

	argp->obj = obj;
	argp->data = virt_to_phys(ser);
	return 0;

err_free:
	iommu_liveupdate_flb_free(obj);
	return PTR_ERR(mem);
}

static void iommu_liveupdate_flb_unpreserve(struct liveupdate_flb_op_args *argp)
{
	iommu_liveupdate_flb_free(argp->obj);
}

static void iommu_liveupdate_flb_finish(struct liveupdate_flb_op_args *argp)
{
	struct iommu_lu_flb_obj *obj = argp->obj;

	if (obj->iommu_domains)
		iommu_liveupdate_free_objs(obj->ser->iommu_domains_phys, true);

	if (obj->devices)
		iommu_liveupdate_free_objs(obj->ser->devices_phys, true);

	if (obj->iommus)
		iommu_liveupdate_free_objs(obj->ser->iommus_phys, true);

	folio_put(virt_to_folio(obj->ser));
	mutex_destroy(&obj->lock);
	kfree(obj);
}

/*
 * The fields of the sers that belong to the kernel reading them:
 * restored_domain is a pointer of this kernel, incoming says this kernel
 * claimed the object.  Whatever the handover holds there is not ours
 * (lusim: v1 trusted a non-zero restored_domain as a live domain).
 */
static void iommu_liveupdate_clear_runtime_fields(struct iommu_lu_flb_obj *obj)
{
	struct iommu_domains_ser *domains;
	struct devices_ser *devices;
	struct iommus_ser *iommus;
	u64 i, idx;

	domains = __va(obj->ser->iommu_domains_phys);
	for (i = 0, idx = 0; i < obj->ser->nr_domains; ++i, ++idx) {
		if (idx >= MAX_IOMMU_DOMAIN_SERS) {
			domains = __va(domains->objs.next_objs);
			idx = 0;
		}
		domains->iommu_domains[idx].restored_domain = NULL;
		domains->iommu_domains[idx].obj.incoming = false;
	}

	devices = __va(obj->ser->devices_phys);
	for (i = 0, idx = 0; i < obj->ser->nr_devices; ++i, ++idx) {
		if (idx >= MAX_DEVICE_SERS) {
			devices = __va(devices->objs.next_objs);
			idx = 0;
		}
		devices->devices[idx].obj.incoming = false;
	}

	iommus = __va(obj->ser->iommus_phys);
	for (i = 0, idx = 0; i < obj->ser->nr_iommus; ++i, ++idx) {
		if (idx >= MAX_IOMMU_SERS) {
			iommus = __va(iommus->objs.next_objs);
			idx = 0;
		}
		iommus->iommus[idx].obj.incoming = false;
	}
}

/*
 * lusim: the live object of a chain at @phys, or NULL when @phys is not
 * exactly one of its slots (v1 followed domain_phys/iommu_phys blindly).
 */
static void *iommu_lu_obj_at(u64 first, u64 nr, u64 max, size_t objsz,
			     u64 phys)
{
	struct iommu_objs_ser *objs;
	u64 i, base, off;

	for (i = 0, objs = __va(first); i < nr; i += objs->nr_objs,
	     objs = __va(objs->next_objs)) {
		base = virt_to_phys(objs) + sizeof(*objs);
		if (phys >= base && phys < base + objs->nr_objs * objsz) {
			off = phys - base;
			if (off % objsz)
				return NULL;
			return (char *)objs + sizeof(*objs) + off;
		}
		if (!objs->next_objs)
			break;
	}
	return NULL;
}

static struct iommu_domain_ser *
iommu_lu_domain_ser_at(struct iommu_lu_flb_obj *obj, u64 phys)
{
	struct iommu_domain_ser *ser;

	ser = iommu_lu_obj_at(obj->ser->iommu_domains_phys,
			      obj->ser->nr_domains, MAX_IOMMU_DOMAIN_SERS,
			      sizeof(*ser), phys);
	if (!ser || ser->obj.deleted)
		return NULL;
	return ser;
}

static struct iommu_ser *iommu_lu_iommu_ser_at(struct iommu_lu_flb_obj *obj,
					       u64 phys)
{
	struct iommu_ser *ser;

	ser = iommu_lu_obj_at(obj->ser->iommus_phys, obj->ser->nr_iommus,
			      MAX_IOMMU_SERS, sizeof(*ser), phys);
	if (!ser || ser->obj.deleted)
		return NULL;
	return ser;
}

/*
 * lusim: every live device record names a live domain and a live unit
 * record (v1 followed both addresses wherever they pointed).  A device
 * record whose domain was unpreserved is as broken as a bad address: its
 * page table is gone.
 */
static void iommu_liveupdate_check_devices(struct iommu_lu_flb_obj *obj)
{
	struct devices_ser *devices;
	u64 i, idx;

	devices = __va(obj->ser->devices_phys);
	for (i = 0, idx = 0; i < obj->ser->nr_devices; ++i, ++idx) {
		struct device_ser *ser;

		if (idx >= MAX_DEVICE_SERS) {
			devices = __va(devices->objs.next_objs);
			idx = 0;
		}
		ser = &devices->devices[idx];
		if (ser->obj.deleted)
			continue;
		BUG_ON(!iommu_lu_domain_ser_at(obj, ser->domain_iommu_ser.domain_phys));
		BUG_ON(!iommu_lu_iommu_ser_at(obj, ser->domain_iommu_ser.iommu_phys));
	}
}


static int iommu_liveupdate_flb_retrieve(struct liveupdate_flb_op_args *argp)
{
	struct iommu_lu_flb_obj *obj;
	struct iommu_lu_flb_ser *ser;

	obj = iommu_liveupdate_flb_obj_alloc();
	if (!obj)
		return -ENOMEM;

	BUG_ON(!kho_restore_folio(argp->data));
	ser = phys_to_virt(argp->data);
	obj->ser = ser;

	iommu_liveupdate_restore_objs(ser->iommu_domains_phys);
	obj->iommu_domains = phys_to_virt(ser->iommu_domains_phys);

	iommu_liveupdate_restore_objs(ser->devices_phys);
	obj->devices = phys_to_virt(ser->devices_phys);

	iommu_liveupdate_restore_objs(ser->iommus_phys);
	obj->iommus = phys_to_virt(ser->iommus_phys);

	/* lusim: bound every walk below by what the chains really hold */
	iommu_liveupdate_check_objs(ser->iommu_domains_phys, ser->nr_domains,
				    MAX_IOMMU_DOMAIN_SERS);
	iommu_liveupdate_check_objs(ser->devices_phys, ser->nr_devices,
				    MAX_DEVICE_SERS);
	iommu_liveupdate_check_objs(ser->iommus_phys, ser->nr_iommus,
				    MAX_IOMMU_SERS);
	iommu_liveupdate_clear_runtime_fields(obj);
	iommu_liveupdate_check_devices(obj);

	argp->obj = obj;

	return 0;
}

static struct liveupdate_flb_ops iommu_flb_ops = {
	.preserve = iommu_liveupdate_flb_preserve,
	.unpreserve = iommu_liveupdate_flb_unpreserve,
	.finish = iommu_liveupdate_flb_finish,
	.retrieve = iommu_liveupdate_flb_retrieve,
};

static struct liveupdate_flb iommu_flb = {
	.compatible = IOMMU_LUO_FLB_COMPATIBLE,
	.ops = &iommu_flb_ops,
};

/**
 * iommu_liveupdate_register_flb - link the IOMMU FLB to a file handler
 * @handler: a registered LUO file handler (iommufd's)
 *
 * From then on the first preserved file of @handler creates the IOMMU
 * live-update state and the last unpreserved one destroys it.  Call it at
 * every boot, after registering @handler (LUO forgets both at kexec).
 */
int iommu_liveupdate_register_flb(struct liveupdate_file_handler *handler)
{
	return liveupdate_register_flb(handler, &iommu_flb);
}
EXPORT_SYMBOL(iommu_liveupdate_register_flb);

int iommu_liveupdate_unregister_flb(struct liveupdate_file_handler *handler)
{
	return liveupdate_unregister_flb(handler, &iommu_flb);
}
EXPORT_SYMBOL(iommu_liveupdate_unregister_flb);

/* --- new kernel: lookups ---------------------------------------------------- */

int iommu_for_each_preserved_device(iommu_preserved_device_iter_fn fn,
				    void *arg)
{
	struct iommu_lu_flb_obj *obj;
	struct devices_ser *devices;
	u64 i, idx;
	int ret;

	ret = liveupdate_flb_get_incoming(&iommu_flb, (void **)&obj);
	if (ret)
		return -ENOENT;

	devices = __va(obj->ser->devices_phys);
	for (i = 0, idx = 0; i < obj->ser->nr_devices; ++i, ++idx) {
		if (idx >= MAX_DEVICE_SERS) {
			devices = __va(devices->objs.next_objs);
			idx = 0;
		}

		if (devices->devices[idx].obj.deleted)
			continue;

		ret = fn(&devices->devices[idx], arg);
		if (ret)
			return ret;
	}

	return 0;
}
EXPORT_SYMBOL(iommu_for_each_preserved_device);

static inline bool device_ser_match(struct device_ser *match,
				    struct pci_dev *pdev)
{
	return match->devid == pci_dev_id(pdev) &&
	       match->pci_domain == pci_domain_nr(pdev->bus);
}

/**
 * iommu_get_device_preserved_data - the previous kernel's state of a device
 * @dev: a device being probed
 *
 * Matches PCI segment and BDF among the live device sers and marks the
 * match incoming (claimed by this kernel).  NULL for a non-PCI device,
 * without incoming IOMMU state, or without a match.
 */
struct device_ser *iommu_get_device_preserved_data(struct device *dev)
{
	struct iommu_lu_flb_obj *obj;
	struct devices_ser *devices;
	u64 i, idx;
	int ret;

	if (!dev_is_pci(dev))
		return NULL;

	ret = liveupdate_flb_get_incoming(&iommu_flb, (void **)&obj);
	if (ret)
		return NULL;

	devices = __va(obj->ser->devices_phys);
	for (i = 0, idx = 0; i < obj->ser->nr_devices; ++i, ++idx) {
		if (idx >= MAX_DEVICE_SERS) {
			devices = __va(devices->objs.next_objs);
			idx = 0;
		}

		if (devices->devices[idx].obj.deleted)
			continue;

		/*
		 * A record is restored once: v1 matched it again when the
		 * function was hot-removed (its restored domain freed) and
		 * plugged back, and restored the freed tables a second time
		 * (lusim found it: BUG in kho_restore_folio(), a CPU access
		 * to a freed page). Later postings mark the match INCOMING;
		 * a function that comes back starts afresh.
		 */
		if (devices->devices[idx].obj.incoming)
			continue;

		if (device_ser_match(&devices->devices[idx], to_pci_dev(dev))) {
			devices->devices[idx].obj.incoming = true;
			return &devices->devices[idx];
		}
	}

	return NULL;
}
EXPORT_SYMBOL(iommu_get_device_preserved_data);

/**
 * iommu_get_preserved_data - the previous kernel's state of an IOMMU unit
 * @token: the unit's identity (VT-d: its register base)
 * @type: the driver (IOMMU_INTEL)
 *
 * Marks the match incoming (claimed by this kernel): a unit is restored at
 * its first bring-up only.
 */
struct iommu_ser *iommu_get_preserved_data(u64 token, enum iommu_lu_type type)
{
	struct iommu_lu_flb_obj *obj;
	struct iommus_ser *iommus;
	u64 i, idx;
	int ret;

	ret = liveupdate_flb_get_incoming(&iommu_flb, (void **)&obj);
	if (ret)
		return NULL;

	iommus = __va(obj->ser->iommus_phys);
	for (i = 0, idx = 0; i < obj->ser->nr_iommus; ++i, ++idx) {
		if (idx >= MAX_IOMMU_SERS) {
			iommus = __va(iommus->objs.next_objs);
			idx = 0;
		}

		if (iommus->iommus[idx].obj.deleted)
			continue;

		/*
		 * A unit record is restored once, as a device record: v1
		 * matched it again when the unit was hot-removed and added
		 * back, and adopted its root table, freed with the unit, a
		 * second time (lusim found it: BUG in iommu_restore_page()).
		 * Later postings keep an intel.restored flag on the record;
		 * a unit that comes back starts afresh.
		 */
		if (iommus->iommus[idx].obj.incoming)
			continue;

		if (iommus->iommus[idx].token == token &&
		    iommus->iommus[idx].type == type) {
			iommus->iommus[idx].obj.incoming = true;
			return &iommus->iommus[idx];
		}
	}

	return NULL;
}
EXPORT_SYMBOL(iommu_get_preserved_data);

/* --- outgoing: domains --------------------------------------------------------- */

/* The domain's record in this kernel's outgoing state, or NULL. */
static struct iommu_domain_ser *
iommu_domain_outgoing_state(struct iommu_domain *domain)
{
	struct iommu_domain_ser *ser = domain->preserved_state;

	if (ser && !ser->obj.incoming)
		return ser;
	return NULL;
}

static int reserve_obj_ser(struct iommu_objs_ser **objs_ptr, u64 max_objs)
{
	struct iommu_objs_ser *next_objs, *objs = *objs_ptr;
	int idx;

	if (objs->nr_objs == max_objs) {
		next_objs = kho_alloc_preserve(PAGE_SIZE);
		if (IS_ERR(next_objs))
			return PTR_ERR(next_objs);

		objs->next_objs = virt_to_phys(next_objs);
		objs = next_objs;
		*objs_ptr = objs;
		objs->nr_objs = 0;
		objs->next_objs = 0;
	}

	idx = objs->nr_objs++;
	return idx;
}

/**
 * iommu_domain_preserve - preserve a domain's page table for the next kernel
 * @domain: a paging domain (an iommufd HWPT's)
 * @ser: [out] its serialized record, for the caller to keep
 *
 * Needs the IOMMU FLB (a preserved file of a linked handler, i.e. the
 * iommufd being preserved).  Return: 0, -EOPNOTSUPP (the driver cannot),
 * -EINVAL (no FLB object), -EBUSY (already preserved), -ENOMEM or a KHO
 * error (array page), or the driver's error.
 */
int iommu_domain_preserve(struct iommu_domain *domain,
			  struct iommu_domain_ser **ser)
{
	struct iommu_domain_ser *domain_ser;
	struct iommu_lu_flb_obj *flb_obj;
	int idx, ret;

	if (!domain->ops->preserve)
		return -EOPNOTSUPP;
	/* v1: only .preserve was checked; unpreserve would then call NULL */
	if (!domain->ops->unpreserve)
		return -EOPNOTSUPP;

	ret = liveupdate_flb_get_outgoing(&iommu_flb, (void **)&flb_obj);
	if (ret)
		return ret;
	/*
	 * v1: no check; the FLB object is NULL while no file of a linked
	 * handler is preserved, and v1 dereferenced it.
	 */
	if (!flb_obj)
		return -EINVAL;

	guard(mutex)(&flb_obj->lock);

	/*
	 * RB-11: a domain has at most one live record.  v1 created a second
	 * ser and overwrote preserved_state, leaving the first one live (its
	 * tables preserved twice, unpreserved once).
	 * RB-11 (switch): no check, as v1.
	 */
	if (!lusim_bug_enabled("RB-11") && domain->preserved_state)
		return -EBUSY;

	idx = reserve_obj_ser((struct iommu_objs_ser **)&flb_obj->iommu_domains,
			      MAX_IOMMU_DOMAIN_SERS);
	if (idx < 0)
		return idx;

	domain_ser = &flb_obj->iommu_domains->iommu_domains[idx];
	idx = flb_obj->ser->nr_domains++;
	domain_ser->obj.idx = idx;
	domain_ser->obj.ref_count = 1;

	ret = domain->ops->preserve(domain, domain_ser);
	if (ret) {
		domain_ser->obj.deleted = true;
		return ret;
	}

	domain->preserved_state = domain_ser;
	*ser = domain_ser;
	return 0;
}
EXPORT_SYMBOL_GPL(iommu_domain_preserve);

/**
 * iommu_domain_unpreserve - undo iommu_domain_preserve()
 *
 * No check for preserved devices still pointing at the domain: LUO
 * unpreserves a session's files in reverse order, so the VFIO devices
 * (preserved after their iommufd) go first.
 */
void iommu_domain_unpreserve(struct iommu_domain *domain)
{
	struct iommu_domain_ser *domain_ser;
	struct iommu_lu_flb_obj *flb_obj;
	int ret;

	if (!domain->ops->unpreserve)
		return;

	ret = liveupdate_flb_get_outgoing(&iommu_flb, (void **)&flb_obj);
	if (ret)
		return;
	/* v1: a NULL FLB object was dereferenced */
	if (!flb_obj) {
		WARN_ON(iommu_domain_outgoing_state(domain));
		return;
	}

	guard(mutex)(&flb_obj->lock);

	domain_ser = domain->preserved_state;
	/*
	 * v1: a domain that was never preserved (preserved_state NULL) was
	 * dereferenced; later versions return.  A restored domain's ser is
	 * the previous kernel's, not ours to unpreserve.
	 */
	if (!domain_ser || domain_ser->obj.incoming)
		return;

	domain->ops->unpreserve(domain, domain_ser);
	domain_ser->obj.deleted = true;
	domain->preserved_state = NULL;
}
EXPORT_SYMBOL_GPL(iommu_domain_unpreserve);

/* --- outgoing: IOMMU units and devices ------------------------------------------ */

static int iommu_preserve_locked(struct iommu_device *iommu)
{
	struct iommu_lu_flb_obj *flb_obj;
	struct iommu_ser *iommu_ser;
	int idx, ret;

	if (!iommu->ops->preserve)
		return -EOPNOTSUPP;

	if (iommu->outgoing_preserved_state) {
		iommu->outgoing_preserved_state->obj.ref_count++;
		return 0;
	}

	ret = liveupdate_flb_get_outgoing(&iommu_flb, (void **)&flb_obj);
	if (ret)
		return ret;
	if (!flb_obj)
		return -EINVAL;
	lockdep_assert_held(&flb_obj->lock);

	idx = reserve_obj_ser((struct iommu_objs_ser **)&flb_obj->iommus,
			      MAX_IOMMU_SERS);
	if (idx < 0)
		return idx;

	iommu_ser = &flb_obj->iommus->iommus[idx];
	idx = flb_obj->ser->nr_iommus++;
	iommu_ser->obj.idx = idx;
	iommu_ser->obj.ref_count = 1;

	ret = iommu->ops->preserve(iommu, iommu_ser);
	if (ret) {
		iommu_ser->obj.deleted = true;
		/*
		 * v1: stored the deleted ser in outgoing_preserved_state as
		 * well, so the next device preserve on this unit took a
		 * reference on a deleted object (and the unit's state was
		 * never preserved).
		 */
		return ret;
	}

	iommu->outgoing_preserved_state = iommu_ser;
	return 0;
}

static void iommu_unpreserve_locked(struct iommu_device *iommu)
{
	struct iommu_ser *iommu_ser = iommu->outgoing_preserved_state;

	if (WARN_ON(!iommu_ser))
		return;

	iommu_ser->obj.ref_count--;
	if (iommu_ser->obj.ref_count)
		return;

	iommu->outgoing_preserved_state = NULL;
	iommu->ops->unpreserve(iommu, iommu_ser);
	iommu_ser->obj.deleted = true;
}

/**
 * iommu_preserve_device - preserve a device's attachment for the next kernel
 * @domain: the preserved domain the device is attached to (at its RID)
 * @dev: the device (PCI)
 * @token: the owner's LUO token; the group's DMA owner after kexec
 *
 * Records the domain, the IOMMU unit (preserved with the first device
 * behind it, refcounted) and the driver's state (VT-d: the domain id, the
 * context and PASID tables).
 *
 * Return: 0; -EOPNOTSUPP (not PCI, the driver cannot, or the device's IOMMU
 * group has other devices); -EINVAL (DMA
 * ownership not claimed, no FLB object, or @domain not preserved); -EBUSY
 * (the device is already preserved); -ENOMEM or a KHO error; the driver's
 * error.  On error nothing stays preserved.
 */
int iommu_preserve_device(struct iommu_domain *domain,
			  struct device *dev, u64 token)
{
	struct iommu_lu_flb_obj *flb_obj;
	struct device_ser *device_ser;
	struct dev_iommu *iommu;
	struct pci_dev *pdev;
	int ret, idx;

	if (!dev_is_pci(dev))
		return -EOPNOTSUPP;

	/*
	 * v1: not checked.  Only a device whose group's DMA is owned (by
	 * iommufd) has an attachment worth preserving; after kexec the group
	 * is handed to that owner's token.
	 */
	if (!iommu_group_dma_owner_claimed(dev->iommu_group))
		return -EINVAL;

	pdev = to_pci_dev(dev);
	iommu = dev->iommu;
	/*
	 * v1 checked preserve_device and preserve only (and before this the
	 * domain, so a missing op behind an unpreserved domain was -EINVAL);
	 * the unpreserve ops are required as well.
	 */
	if (!iommu->iommu_dev->ops->preserve_device ||
	    !iommu->iommu_dev->ops->preserve ||
	    !iommu->iommu_dev->ops->unpreserve_device ||
	    !iommu->iommu_dev->ops->unpreserve)
		return -EOPNOTSUPP;

	ret = liveupdate_flb_get_outgoing(&iommu_flb, (void **)&flb_obj);
	if (ret)
		return ret;
	/* v1: a NULL FLB object was dereferenced */
	if (!flb_obj)
		return -EINVAL;

	guard(mutex)(&flb_obj->lock);

	/* v1 checked this before taking the lock; a restored domain is not ours */
	if (!iommu_domain_outgoing_state(domain))
		return -EINVAL;

	/*
	 * v1: not checked: a second preserve created a second live ser,
	 * overwrote device_ser and took a second unit reference that the one
	 * unpreserve never dropped.
	 */
	if (dev_iommu_preserved_state(dev))
		return -EBUSY;

	idx = reserve_obj_ser((struct iommu_objs_ser **)&flb_obj->devices,
			      MAX_DEVICE_SERS);
	if (idx < 0)
		return idx;

	device_ser = &flb_obj->devices->devices[idx];
	idx = flb_obj->ser->nr_devices++;
	device_ser->obj.idx = idx;
	device_ser->obj.ref_count = 1;

	ret = iommu_preserve_locked(iommu->iommu_dev);
	if (ret) {
		device_ser->obj.deleted = true;
		return ret;
	}

	device_ser->domain_iommu_ser.domain_phys = __pa(domain->preserved_state);
	device_ser->domain_iommu_ser.iommu_phys =
		__pa(iommu->iommu_dev->outgoing_preserved_state);
	device_ser->devid = pci_dev_id(pdev);
	device_ser->pci_domain = pci_domain_nr(pdev->bus);
	device_ser->token = token;

	ret = iommu->iommu_dev->ops->preserve_device(dev, device_ser);
	if (ret) {
		device_ser->obj.deleted = true;
		iommu_unpreserve_locked(iommu->iommu_dev);
		return ret;
	}

	WRITE_ONCE(dev->iommu->device_ser, device_ser);

	/*
	 * The singleton-group rule of later postings (v3 on): the next
	 * kernel restores a device's attachment only if the device's group
	 * is its own, since a sibling probing first takes the group's
	 * default domain and the preserved attachment is never restored.
	 * Checked after the driver preserved the device, so a sibling added
	 * concurrently is seen too; then everything is rolled back.
	 *
	 * RB-101 (switch): v1 had no such check; the preserve succeeded and
	 * the device came back with no translations and no DMA owner.
	 */
	if (!lusim_bug_enabled("RB-101") &&
	    !iommu_group_is_singleton(dev->iommu_group)) {
		device_ser->obj.deleted = true;
		iommu->iommu_dev->ops->unpreserve_device(dev, device_ser);
		WRITE_ONCE(dev->iommu->device_ser, NULL);
		iommu_unpreserve_locked(iommu->iommu_dev);
		return -EOPNOTSUPP;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(iommu_preserve_device);

/**
 * iommu_unpreserve_device - undo iommu_preserve_device()
 * @domain: unused (the device's ser remembers its domain), as in v1
 * @dev: the device
 */
void iommu_unpreserve_device(struct iommu_domain *domain, struct device *dev)
{
	struct iommu_lu_flb_obj *flb_obj;
	struct device_ser *device_ser;
	struct dev_iommu *iommu;
	int ret;

	if (!dev_is_pci(dev))
		return;

	iommu = dev->iommu;
	/* v1: a device released since its preserve was dereferenced */
	if (WARN_ON(!iommu || !iommu->iommu_dev))
		return;
	if (!iommu->iommu_dev->ops->unpreserve_device ||
	    !iommu->iommu_dev->ops->unpreserve)
		return;

	ret = liveupdate_flb_get_outgoing(&iommu_flb, (void **)&flb_obj);
	if (WARN_ON(ret))
		return;
	/* v1: a NULL FLB object was dereferenced */
	if (WARN_ON(!flb_obj))
		return;

	guard(mutex)(&flb_obj->lock);
	device_ser = dev_iommu_preserved_state(dev);
	if (WARN_ON(!device_ser))
		return;

	iommu->iommu_dev->ops->unpreserve_device(dev, device_ser);
	dev->iommu->device_ser = NULL;
	/*
	 * v1: the ser was not marked deleted.  When the FLB outlived this
	 * device (another session's iommufd still preserved), the next kernel
	 * found a live record of a device nobody preserved any more, whose
	 * domain record was deleted.
	 */
	device_ser->obj.deleted = true;

	iommu_unpreserve_locked(iommu->iommu_dev);
}
EXPORT_SYMBOL_GPL(iommu_unpreserve_device);

/* --- new kernel: restore ----------------------------------------------------------- */

/**
 * iommu_restore_domain - the domain a preserved device was attached to
 * @dev: a probed device with restored state (dev_iommu_restored_state())
 * @ser: its device ser
 *
 * Restores the domain once per domain ser: devices that shared a domain
 * share the restored one.  The domain is what the driver's restore op
 * makes of the preserved page table (immutable: it can only be attached
 * and freed).  Return: the domain or an ERR_PTR.
 */
struct iommu_domain *iommu_restore_domain(struct device *dev,
					  struct device_ser *ser)
{
	struct iommu_domain_ser *domain_ser;
	struct iommu_lu_flb_obj *flb_obj;
	struct iommu_domain *domain;
	int ret;

	ret = liveupdate_flb_get_incoming(&iommu_flb, (void **)&flb_obj);
	if (ret)
		return ERR_PTR(ret);

	guard(mutex)(&flb_obj->lock);

	/* lusim: v1 used __va(domain_phys) as it came (checked at retrieve) */
	domain_ser = iommu_lu_domain_ser_at(flb_obj,
					    ser->domain_iommu_ser.domain_phys);
	BUG_ON(!domain_ser);

	if (domain_ser->restored_domain)
		return domain_ser->restored_domain;

	domain_ser->obj.incoming = true;
	domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(domain))
		return domain;

	/* v1: called ops->restore without checking it exists */
	if (!domain->ops->restore) {
		iommu_domain_free(domain);
		return ERR_PTR(-EOPNOTSUPP);
	}

	ret = domain->ops->restore(domain, domain_ser);
	if (ret) {
		/* v1: the new domain leaked */
		iommu_domain_free(domain);
		return ERR_PTR(ret);
	}

	domain->preserved_state = domain_ser;
	domain_ser->restored_domain = domain;
	return domain;
}
EXPORT_SYMBOL_GPL(iommu_restore_domain);

/* --- kexec: who keeps DMA running ---------------------------------------------------- */

/*
 * device_shutdown() at kexec clears bus mastering on every device except
 * those whose IOMMU state is preserved: their DMA goes on through the
 * preserved tables while the next kernel boots.
 */
static bool iommu_liveupdate_keep_dma(struct pci_dev *pdev)
{
	return dev_iommu_preserved_state(&pdev->dev) != NULL;
}

static int iommu_liveupdate_init(void)
{
	lusim_pci_set_shutdown_filter(iommu_liveupdate_keep_dma);
	return 0;
}
LUSIM_INITCALL(iommu_liveupdate_init, LUSIM_INIT_SUBSYS)

/* --- lusim: what tests and oracles ask ------------------------------------------------ */

static void iommu_lu_count_chain(u64 first, u64 nr, u64 max, size_t objsz,
				 unsigned int *used, unsigned int *live,
				 unsigned int *pages)
{
	struct iommu_objs_ser *objs = __va(first);
	u64 i, idx;

	*used = nr;
	*live = 0;
	*pages += 1;
	for (i = 0, idx = 0; i < nr; ++i, ++idx) {
		struct iommu_obj_ser *o;

		if (idx >= max) {
			objs = __va(objs->next_objs);
			idx = 0;
			*pages += 1;
		}
		o = (void *)((char *)objs + sizeof(*objs) + idx * objsz);
		if (!o->deleted)
			*live += 1;
	}
}

static void iommu_lu_counts(struct iommu_lu_flb_obj *obj,
			    struct lusim_iommu_lu_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->pages = 1;		/* the top-level ser */
	iommu_lu_count_chain(obj->ser->iommu_domains_phys, obj->ser->nr_domains,
			     MAX_IOMMU_DOMAIN_SERS, sizeof(struct iommu_domain_ser),
			     &c->domains, &c->live_domains, &c->pages);
	iommu_lu_count_chain(obj->ser->devices_phys, obj->ser->nr_devices,
			     MAX_DEVICE_SERS, sizeof(struct device_ser),
			     &c->devices, &c->live_devices, &c->pages);
	iommu_lu_count_chain(obj->ser->iommus_phys, obj->ser->nr_iommus,
			     MAX_IOMMU_SERS, sizeof(struct iommu_ser),
			     &c->iommus, &c->live_iommus, &c->pages);
}

int lusim_iommu_lu_outgoing_counts(struct lusim_iommu_lu_counts *c)
{
	struct iommu_lu_flb_obj *obj;
	int ret;

	ret = liveupdate_flb_get_outgoing(&iommu_flb, (void **)&obj);
	if (ret)
		return ret;
	if (!obj)
		return -ENOENT;
	iommu_lu_counts(obj, c);
	return 0;
}

int lusim_iommu_lu_incoming_counts(struct lusim_iommu_lu_counts *c)
{
	struct iommu_lu_flb_obj *obj;
	int ret;

	ret = liveupdate_flb_get_incoming(&iommu_flb, (void **)&obj);
	if (ret)
		return ret;
	iommu_lu_counts(obj, c);
	return 0;
}

unsigned long lusim_iommu_lu_flb_users(void)
{
	return lusim_liveupdate_flb_outgoing_files(&iommu_flb);
}

u64 lusim_iommu_lu_outgoing_flb_phys(void)
{
	struct iommu_lu_flb_obj *obj;

	if (liveupdate_flb_get_outgoing(&iommu_flb, (void **)&obj) || !obj)
		return 0;
	return virt_to_phys(obj->ser);
}
