// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: drivers/iommu/iommufd/liveupdate.c (kernel model), the IOMMU
 * live-update series v1 (3 Feb 2026), patches 10/14 and 11/14, with the
 * fixes the reviewers asked for (our own code, written from the semantics;
 * v1's names, so v1 functions spliced in with -Dkernel_overrides find what
 * they call).
 *
 * Models:
 *  - IOMMU_HWPT_LU_SET_PRESERVE: userspace marks a paging HWPT with a u32
 *    token (-ENOENT: no such paging HWPT; -EADDRINUSE: the token is used by
 *    another marked HWPT of this iommufd; the scan runs under the objects
 *    xarray's lock).
 *  - The iommufd LUO file handler ("iommufd-v1"), linked to the IOMMU FLB
 *    (drivers/iommu/liveupdate.c) when iommufd initializes, i.e. at every
 *    boot:
 *    preserve: every marked HWPT must have a domain (-EINVAL); its IOAS is
 *      made immutable (map/unmap -EBUSY) and every area of it must map a
 *      memfd (-EINVAL) that was sealed F_SEAL_SEAL|F_SEAL_GROW|F_SEAL_SHRINK
 *      when it was mapped (-EINVAL) and that is preserved in the same session
 *      (liveupdate_get_token_outgoing(): -ENOENT); then the domain is
 *      preserved (iommu_domain_preserve()) and its record's address stored
 *      with the token in a KHO block (struct iommufd_lu).  Each preserved
 *      HWPT is pinned (a users reference: IOMMU_DESTROY is -EBUSY) until
 *      unpreserve.  A failure undoes everything: the domains preserved so
 *      far, the pins, the IOAS immutability, the block.
 *    unpreserve (the session is closed before kexec): the same undo.
 *    freeze: nothing to do.  retrieve: -EOPNOTSUPP and can_finish: false
 *      (phase 1: the next kernel cannot take the iommufd back, so a session
 *      holding one cannot finish).  finish: nothing.
 *
 * Fixed by default; each fix is a separate condition naming what v1 did:
 *  RB-04: v1 took ioas->mutex and both IOPT rwsems inside xa_lock (a
 *    spinlock) in preserve, and called iommu_domain_unpreserve() (a mutex)
 *    inside it in unpreserve.  Here each HWPT is pinned under xa_lock, the
 *    lock dropped, then the sleeping work done (as v2 does).
 *  RB-05 (a): objects are only walked under xa_lock or while pinned.
 *  v1: on a failure after some domains were preserved, v1 kept them
 *    preserved (their records stayed live in the FLB); here they are
 *    unpreserved.  v1 checked kho_alloc_preserve() against NULL; it returns
 *    an ERR_PTR.
 *
 * Leaves out: RFC v2's retrieve, HWPT restore and can_finish rules (phase
 * 2).  Locking: every handler callback runs under the LUO session mutex;
 * the mark ioctl does not take it (v2 added ictx->liveupdate_mutex for
 * that; nothing runs concurrently in the model yet).
 */
#define pr_fmt(fmt) "iommufd: " fmt

#include <linux/err.h>
#include <linux/file.h>
#include <linux/iommu-lu.h>
#include <linux/iommufd.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/iommufd.h>
#include <linux/liveupdate.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <lusim/bugs.h>
#include <lusim/iommufd_test.h>

#include "io_pagetable.h"
#include "iommufd_private.h"

static struct iommufd_hwpt_paging *
iommufd_obj_marked_hwpt(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt;

	if (obj->type != IOMMUFD_OBJ_HWPT_PAGING)
		return NULL;
	hwpt = container_of(obj, struct iommufd_hwpt_paging, common.obj);
	return hwpt->lu_preserve ? hwpt : NULL;
}

int iommufd_hwpt_lu_set_preserve(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_lu_set_preserve *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt_target, *hwpt;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_object *obj;
	unsigned long index;
	int rc = 0;

	hwpt_target = iommufd_get_hwpt_paging(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt_target))
		return PTR_ERR(hwpt_target);

	/* No sleeping below: the token scan holds the xarray's spinlock. */
	xa_lock(&ictx->objects);
	/*
	 * lusim: v1 let userspace change the token of a HWPT whose domain the
	 * iommufd's preserve had already recorded with the old token, so the
	 * live state and the preserved record disagreed.
	 */
	if (hwpt_target->lu_preserved && hwpt_target->lu_token != cmd->hwpt_token) {
		rc = -EBUSY;
		goto out;
	}

	xa_for_each(&ictx->objects, index, obj) {
		hwpt = iommufd_obj_marked_hwpt(obj);
		if (!hwpt || hwpt == hwpt_target)
			continue;
		if (hwpt->lu_token == cmd->hwpt_token) {
			rc = -EADDRINUSE;
			goto out;
		}
	}

	hwpt_target->lu_preserve = true;
	hwpt_target->lu_token = cmd->hwpt_token;
out:
	xa_unlock(&ictx->objects);
	iommufd_put_object(ictx, &hwpt_target->common.obj);
	return rc;
}

/*
 * Every area of the HWPT's IOAS must map memory that survives the kexec
 * with exactly the pages the IOMMU maps: a memfd preserved in @s whose
 * size could not change since it was mapped.  The caller holds iova_rwsem.
 */
static int check_iopt_pages_preserved(struct liveupdate_session *s,
				      struct iommufd_hwpt_paging *hwpt)
{
	u32 req_seals = F_SEAL_SEAL | F_SEAL_GROW | F_SEAL_SHRINK;
	struct iopt_area *area;
	int ret;

	for (area = iopt_area_iter_first(&hwpt->ioas->iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		struct iopt_pages *pages = area->pages;

		/* Only file backed memory can be preserved */
		if (!pages || pages->type != IOPT_ADDRESS_FILE)
			return -EINVAL;

		/*
		 * Sealed against growing, shrinking and unsealing when it was
		 * mapped: the pages pinned for the IOMMU are still the file's
		 * pages, and the memfd's preservation preserves them.
		 */
		if ((pages->seals & req_seals) != req_seals)
			return -EINVAL;

		/*
		 * RB-06 (switch): RFC v1 preserved the IOMMU state without
		 * checking that what it depends on is preserved.
		 */
		if (lusim_bug_enabled("RB-06"))
			continue;

		/* The memfd itself must be preserved in the same session */
		ret = liveupdate_get_token_outgoing(s, pages->file, NULL);
		if (ret)
			return ret;
	}

	return 0;
}

/*
 * Make every IOAS of @ictx mutable again (v1's helper): the undo of
 * preserve, and unpreserve.  Each IOAS is pinned while its locks are taken.
 * v1 wrote the flag under xa_lock without the IOAS locks, relying on every
 * writer holding the LUO session mutex.
 */
static void iommufd_set_ioas_mutable(struct iommufd_ctx *ictx)
{
	struct iommufd_object *obj;
	struct iommufd_ioas *ioas;
	unsigned long index;

	xa_lock(&ictx->objects);
	xa_for_each(&ictx->objects, index, obj) {
		if (obj->type != IOMMUFD_OBJ_IOAS)
			continue;
		ioas = container_of(obj, struct iommufd_ioas, obj);
		if (!iopt_lu_map_immutable(&ioas->iopt) ||
		    !iommufd_lock_obj(obj))
			continue;
		xa_unlock(&ictx->objects);

		mutex_lock(&ioas->mutex);
		down_write(&ioas->iopt.domains_rwsem);
		down_write(&ioas->iopt.iova_rwsem);
		WRITE_ONCE(ioas->iopt.lu_map_immutable, false);
		up_write(&ioas->iopt.iova_rwsem);
		up_write(&ioas->iopt.domains_rwsem);
		mutex_unlock(&ioas->mutex);

		iommufd_put_object(ictx, obj);
		xa_lock(&ictx->objects);
	}
	xa_unlock(&ictx->objects);
}

/*
 * Preserve one marked HWPT, pinned by the caller: make its IOAS immutable
 * (exclusive access to the IOAS and its IOPT while the flag changes), check
 * what the IOAS maps, preserve the domain.  On error the IOAS may be left
 * immutable; the caller's undo makes it mutable again.
 */
static int iommufd_preserve_hwpt(struct liveupdate_session *s,
				 struct iommufd_hwpt_paging *hwpt,
				 struct iommufd_hwpt_lu *hwpt_lu)
{
	struct iommufd_ioas *ioas = hwpt->ioas;
	struct iommu_domain_ser *domain_ser;
	int rc;

	mutex_lock(&ioas->mutex);
	down_write(&ioas->iopt.domains_rwsem);
	down_write(&ioas->iopt.iova_rwsem);
	WRITE_ONCE(ioas->iopt.lu_map_immutable, true);
	rc = check_iopt_pages_preserved(s, hwpt);
	up_write(&ioas->iopt.iova_rwsem);
	up_write(&ioas->iopt.domains_rwsem);
	mutex_unlock(&ioas->mutex);
	if (rc)
		return rc;

	/* may sleep: never under xa_lock (RB-04) */
	rc = iommu_domain_preserve(hwpt->common.domain, &domain_ser);
	if (rc)
		return rc;

	hwpt_lu->token = hwpt->lu_token;
	hwpt_lu->domain_data = __pa(domain_ser);
	hwpt_lu->reclaimed = false;
	hwpt->lu_preserved = true;
	return 0;
}

/*
 * Undo iommufd_preserve_hwpt() for every preserved HWPT of @ictx: the
 * domain and the pin (the IOAS: iommufd_set_ioas_mutable()).  Unpreserve,
 * and the error path of preserve (v1 left the domains preserved before the
 * failing HWPT preserved).
 *
 * RB-11 (switch, @keep_domains): v1's error path freed the record and made
 * the IOAS mutable but left the domains it had preserved preserved
 * (kernel-model.md 3.7).  v1 took no pins; ours are dropped so that only
 * the posted leak remains.
 */
static void __iommufd_unpreserve_hwpts(struct iommufd_ctx *ictx,
				       bool keep_domains)
{
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_object *obj;
	unsigned long index;

	xa_lock(&ictx->objects);
	xa_for_each(&ictx->objects, index, obj) {
		hwpt = iommufd_obj_marked_hwpt(obj);
		if (!hwpt || !hwpt->lu_preserved)
			continue;

		if (keep_domains) {
			hwpt->lu_preserved = false;
			xa_unlock(&ictx->objects);
			iommufd_put_object(ictx, obj);
			xa_lock(&ictx->objects);
			continue;
		}

		/*
		 * RB-04: v1 called iommu_domain_unpreserve() (it takes the FLB
		 * object's mutex) inside xa_lock.  Our pin keeps the HWPT alive
		 * while the lock is dropped.
		 */
		if (lusim_bug_enabled("RB-04")) {
			/* RB-04 (switch): v1 stayed inside xa_lock */
			iommu_domain_unpreserve(hwpt->common.domain);
			hwpt->lu_preserved = false;
			iommufd_put_object(ictx, obj);
			continue;
		}
		xa_unlock(&ictx->objects);
		iommu_domain_unpreserve(hwpt->common.domain);
		hwpt->lu_preserved = false;
		iommufd_put_object(ictx, obj);
		xa_lock(&ictx->objects);
	}
	xa_unlock(&ictx->objects);
}

static void iommufd_unpreserve_hwpts(struct iommufd_ctx *ictx)
{
	__iommufd_unpreserve_hwpts(ictx, false);
}

/*
 * With @iommufd_lu NULL: count the marked HWPTs (-EINVAL if one has no
 * domain).  Else preserve each of them into @iommufd_lu (pinned; RB-04 and
 * RB-05 fixed).  Returns the number of HWPTs, or -errno with the HWPTs
 * preserved so far still preserved, as v1 (the caller undoes them).
 */
static int iommufd_save_hwpts(struct iommufd_ctx *ictx,
			      struct iommufd_lu *iommufd_lu,
			      struct liveupdate_session *session)
{
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_object *obj;
	unsigned int nr_hwpts = 0;
	unsigned long index;
	int rc = 0;

	xa_lock(&ictx->objects);
	xa_for_each(&ictx->objects, index, obj) {
		hwpt = iommufd_obj_marked_hwpt(obj);
		if (!hwpt)
			continue;

		if (!hwpt->common.domain) {
			rc = -EINVAL;
			break;
		}

		if (!iommufd_lu) {
			nr_hwpts++;
			continue;
		}

		/* marked since they were counted: nothing runs concurrently */
		if (WARN_ON(nr_hwpts == iommufd_lu->nr_hwpts)) {
			rc = -EFAULT;
			break;
		}

		/*
		 * RB-05 (a) (switch): the RFC serializer walked the objects
		 * with neither the lock nor a reference held across the
		 * preserve ("wrong locking"), so an IOMMU_DESTROY running
		 * meanwhile frees the HWPT under it.  The reference the
		 * unpreserve drops is taken only afterwards.
		 */
		if (lusim_bug_enabled("RB-05")) {
			xa_unlock(&ictx->objects);
			rc = iommufd_preserve_hwpt(session, hwpt,
						   &iommufd_lu->hwpts[nr_hwpts]);
			if (!rc && !iommufd_lock_obj(obj))
				rc = -ENOENT;
			if (rc)
				return rc;
			nr_hwpts++;
			xa_lock(&ictx->objects);
			continue;
		}

		/*
		 * RB-04, RB-05: pin the HWPT (IOMMU_DESTROY now fails with
		 * -EBUSY), then drop the spinlock before taking sleeping locks.
		 */
		if (!iommufd_lock_obj(obj)) {
			rc = -ENOENT;
			break;
		}

		/*
		 * RB-04 (switch): v1 took the IOAS mutex and both IOPT rwsems
		 * (iommufd_preserve_hwpt()) with xa_lock still held.
		 */
		if (lusim_bug_enabled("RB-04")) {
			rc = iommufd_preserve_hwpt(session, hwpt,
						   &iommufd_lu->hwpts[nr_hwpts]);
			if (rc) {
				xa_unlock(&ictx->objects);
				iommufd_put_object(ictx, obj);
				return rc;
			}
			nr_hwpts++;
			continue;
		}
		xa_unlock(&ictx->objects);

		rc = iommufd_preserve_hwpt(session, hwpt,
					   &iommufd_lu->hwpts[nr_hwpts]);
		if (rc) {
			iommufd_put_object(ictx, obj);
			return rc;
		}
		nr_hwpts++;

		xa_lock(&ictx->objects);
	}
	xa_unlock(&ictx->objects);
	if (rc)
		return rc;

	if (WARN_ON(iommufd_lu && iommufd_lu->nr_hwpts != nr_hwpts))
		return -EFAULT;

	return nr_hwpts;
}

static int iommufd_liveupdate_preserve(struct liveupdate_file_op_args *args)
{
	struct iommufd_ctx *ictx = iommufd_ctx_from_file(args->file);
	struct iommufd_lu *iommufd_lu;
	size_t serial_size;
	int rc;

	if (IS_ERR(ictx))
		return PTR_ERR(ictx);

	rc = iommufd_save_hwpts(ictx, NULL, args->session);
	if (rc < 0)
		goto err_put;

	serial_size = struct_size(iommufd_lu, hwpts, rc);
	iommufd_lu = kho_alloc_preserve(serial_size);
	/* v1 tested !mem; kho_alloc_preserve() returns an ERR_PTR */
	if (IS_ERR(iommufd_lu)) {
		rc = PTR_ERR(iommufd_lu);
		goto err_put;
	}
	iommufd_lu->nr_hwpts = rc;

	rc = iommufd_save_hwpts(ictx, iommufd_lu, args->session);
	if (rc < 0)
		goto err_free;

	args->serialized_data = virt_to_phys(iommufd_lu);
	iommufd_ctx_put(ictx);
	return 0;

err_free:
	/*
	 * v1: the domains preserved before the failing HWPT stayed preserved
	 * (live records in the FLB, preserved_state set).
	 */
	__iommufd_unpreserve_hwpts(ictx, lusim_bug_enabled("RB-11"));
	kho_unpreserve_free(iommufd_lu);
	iommufd_set_ioas_mutable(ictx);
err_put:
	iommufd_ctx_put(ictx);
	return rc;
}

static int iommufd_liveupdate_freeze(struct liveupdate_file_op_args *args)
{
	/* Nothing to do: everything preserved is immutable already */
	return 0;
}

static void iommufd_liveupdate_unpreserve(struct liveupdate_file_op_args *args)
{
	struct iommufd_ctx *ictx = iommufd_ctx_from_file(args->file);

	if (WARN_ON(IS_ERR(ictx)))
		return;

	iommufd_unpreserve_hwpts(ictx);
	kho_unpreserve_free(phys_to_virt(args->serialized_data));
	iommufd_set_ioas_mutable(ictx);
	iommufd_ctx_put(ictx);
}

static int iommufd_liveupdate_retrieve(struct liveupdate_file_op_args *args)
{
	/* phase 1: the new kernel cannot take a preserved iommufd back */
	return -EOPNOTSUPP;
}

static bool iommufd_liveupdate_can_finish(struct liveupdate_file_op_args *args)
{
	/* phase 1: the restored domains stay with their devices */
	return false;
}

static void iommufd_liveupdate_finish(struct liveupdate_file_op_args *args)
{
}

static bool iommufd_liveupdate_can_preserve(struct liveupdate_file_handler *handler,
					    struct file *file)
{
	struct iommufd_ctx *ictx = iommufd_ctx_from_file(file);

	if (IS_ERR(ictx))
		return false;

	iommufd_ctx_put(ictx);
	return true;
}

static const struct liveupdate_file_ops iommufd_lu_file_ops = {
	.can_preserve = iommufd_liveupdate_can_preserve,
	.preserve = iommufd_liveupdate_preserve,
	.unpreserve = iommufd_liveupdate_unpreserve,
	.freeze = iommufd_liveupdate_freeze,
	.retrieve = iommufd_liveupdate_retrieve,
	.can_finish = iommufd_liveupdate_can_finish,
	.finish = iommufd_liveupdate_finish,
};

static struct liveupdate_file_handler iommufd_lu_handler = {
	.compatible = IOMMUFD_LUO_COMPATIBLE,
	.ops = &iommufd_lu_file_ops,
};

/*
 * Register the handler and link the IOMMU FLB to it: the FLB then exists
 * exactly while at least one iommufd is preserved.  Called by
 * iommufd_init() at every boot.
 */
int iommufd_liveupdate_register_lufs(void)
{
	int ret;

	ret = liveupdate_register_file_handler(&iommufd_lu_handler);
	if (ret)
		return ret;

	ret = iommu_liveupdate_register_flb(&iommufd_lu_handler);
	if (ret)
		liveupdate_unregister_file_handler(&iommufd_lu_handler);

	return ret;
}

int iommufd_liveupdate_unregister_lufs(void)
{
	WARN_ON(iommu_liveupdate_unregister_flb(&iommufd_lu_handler));

	return liveupdate_unregister_file_handler(&iommufd_lu_handler);
}

/* --- lusim test hooks (lusim/iommufd_test.h) -------------------------------- */

int lusim_iommufd_lu_info(int fd, struct lusim_iommufd_lu_info *info)
{
	struct iommufd_ctx *ictx = iommufd_ctx_from_fd(fd);
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_device *idev;
	struct iommufd_ioas *ioas;
	struct iommufd_object *obj;
	unsigned long index;

	if (IS_ERR(ictx))
		return PTR_ERR(ictx);

	memset(info, 0, sizeof(*info));
	xa_lock(&ictx->objects);
	xa_for_each(&ictx->objects, index, obj) {
		switch (obj->type) {
		case IOMMUFD_OBJ_HWPT_PAGING:
			hwpt = container_of(obj, struct iommufd_hwpt_paging,
					    common.obj);
			info->marked_hwpts += hwpt->lu_preserve;
			info->preserved_hwpts += hwpt->lu_preserved;
			if (hwpt->common.domain &&
			    hwpt->common.domain->preserved_state)
				info->preserved_domains++;
			break;
		case IOMMUFD_OBJ_IOAS:
			ioas = container_of(obj, struct iommufd_ioas, obj);
			info->immutable_ioas +=
				iopt_lu_map_immutable(&ioas->iopt);
			break;
		case IOMMUFD_OBJ_DEVICE:
			idev = container_of(obj, struct iommufd_device, obj);
			info->preserved_devices +=
				READ_ONCE(idev->liveupdate_preserved);
			break;
		default:
			break;
		}
	}
	xa_unlock(&ictx->objects);
	iommufd_ctx_put(ictx);
	return 0;
}

int lusim_iommufd_lu_hwpt_token(int fd, u32 hwpt_id, u32 *token)
{
	struct iommufd_ctx *ictx = iommufd_ctx_from_fd(fd);
	struct iommufd_hwpt_paging *hwpt;
	struct iommufd_object *obj;
	int rc = 0;

	if (IS_ERR(ictx))
		return PTR_ERR(ictx);

	obj = iommufd_get_object(ictx, hwpt_id, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out;
	}
	hwpt = container_of(obj, struct iommufd_hwpt_paging, common.obj);
	if (hwpt->lu_preserve)
		*token = hwpt->lu_token;
	else
		rc = -EINVAL;
	iommufd_put_object(ictx, obj);
out:
	iommufd_ctx_put(ictx);
	return rc;
}
