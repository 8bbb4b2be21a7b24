// SPDX-License-Identifier: GPL-2.0-only
/*
 * luo_flb.c - File-Lifecycle-Bound global data (kernel-model.md 1.7).
 *
 * An FLB is global state shared by every preserved file whose handler it is
 * registered with (the IOMMU core state for all iommufd/VFIO files). Its
 * outgoing count is the number of such files currently preserved, across
 * all sessions: the 0 -> 1 preserve calls the FLB's preserve() (which
 * produces a u64 handle and a live object), the 1 -> 0 unpreserve calls
 * its unpreserve(). At reboot every FLB with a count is written into the
 * FLB block (name, handle, count). In the new kernel the first
 * liveupdate_flb_get_incoming() (or the first file finish) finds the FLB by
 * name, loads handle and count and calls retrieve(); every file finish
 * decrements the count, and reaching 0 calls finish().
 *
 * FLBs are static objects of the model that outlive a kexec: their private
 * part is re-initialized lazily the first time a new boot touches it (the
 * boot generation, luo_generation()).
 */
#define pr_fmt(fmt) "luo: " fmt

#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/luo.h>
#include <linux/liveupdate.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <lusim/reset.h>

#include "luo_internal.h"

#define LUO_FLB_PGCNT		1ul
#define LUO_FLB_MAX		(((LUO_FLB_PGCNT << PAGE_SHIFT) -	\
		sizeof(struct luo_flb_header_ser)) / sizeof(struct luo_flb_ser))

struct luo_flb_header {
	struct luo_flb_header_ser *header_ser;
	struct luo_flb_ser *ser;
	u64 count;		/* incoming: entries in ser (a copy) */
	bool active;
};

struct luo_flb_global {
	struct luo_flb_header incoming;
	struct luo_flb_header outgoing;
	struct list_head list;
	long count;
};

static struct luo_flb_global luo_flb_global = {
	.list = LIST_HEAD_INIT(luo_flb_global.list),
};

/*
 * struct luo_flb_link - Links an FLB definition to a file handler's internal
 * list of dependencies.
 */
struct luo_flb_link {
	struct liveupdate_flb *flb;
	struct list_head list;
};

/* lusim: is @flb linked to @fh (liveupdate_register_flb())? */
bool luo_flb_is_linked(struct liveupdate_file_handler *fh,
		       struct liveupdate_flb *flb)
{
	struct list_head *flb_list = &ACCESS_PRIVATE(fh, flb_list);
	struct luo_flb_link *iter;

	list_for_each_entry(iter, flb_list, list)
		if (iter->flb == flb)
			return true;
	return false;
}

/* luo_flb_get_private - Access private field, and if needed initialize it. */
static struct luo_flb_private *luo_flb_get_private(struct liveupdate_flb *flb)
{
	struct luo_flb_private *private = &ACCESS_PRIVATE(flb, private);

	if (private->initialized && private->boot == luo_generation())
		return private;

	memset(private, 0, sizeof(*private));
	mutex_init(&private->incoming.lock);
	mutex_init(&private->outgoing.lock);
	INIT_LIST_HEAD(&private->list);
	private->users = 0;
	private->boot = luo_generation();
	private->initialized = true;

	return private;
}

static int luo_flb_file_preserve_one(struct liveupdate_flb *flb)
{
	struct luo_flb_private *private = luo_flb_get_private(flb);

	scoped_guard(mutex, &private->outgoing.lock) {
		if (!private->outgoing.count) {
			struct liveupdate_flb_op_args args = {0};
			int err;

			args.flb = flb;
			err = flb->ops->preserve(&args);
			if (err)
				return err;
			private->outgoing.data = args.data;
			private->outgoing.obj = args.obj;
		}
		private->outgoing.count++;
	}

	return 0;
}

static void luo_flb_file_unpreserve_one(struct liveupdate_flb *flb)
{
	struct luo_flb_private *private = luo_flb_get_private(flb);

	scoped_guard(mutex, &private->outgoing.lock) {
		if (WARN_ON(private->outgoing.count <= 0))
			return;
		private->outgoing.count--;
		if (!private->outgoing.count) {
			struct liveupdate_flb_op_args args = {0};

			args.flb = flb;
			args.data = private->outgoing.data;
			args.obj = private->outgoing.obj;

			if (flb->ops->unpreserve)
				flb->ops->unpreserve(&args);

			private->outgoing.data = 0;
			private->outgoing.obj = NULL;
		}
	}
}

static int luo_flb_retrieve_one(struct liveupdate_flb *flb)
{
	struct luo_flb_private *private = luo_flb_get_private(flb);
	struct luo_flb_header *fh = &luo_flb_global.incoming;
	struct liveupdate_flb_op_args args = {0};
	bool found = false;
	u64 i;
	int err;

	guard(mutex)(&private->incoming.lock);

	if (private->incoming.finished)
		return -ENODATA;

	if (private->incoming.retrieved)
		return 0;

	if (!fh->active)
		return -ENODATA;

	for (i = 0; i < fh->count; i++) {
		if (!strcmp(fh->ser[i].name, flb->compatible)) {
			private->incoming.data = fh->ser[i].data;
			private->incoming.count = fh->ser[i].count;
			found = true;
			break;
		}
	}

	if (!found)
		return -ENOENT;

	args.flb = flb;
	args.data = private->incoming.data;

	err = flb->ops->retrieve(&args);
	if (err)
		return err;

	private->incoming.obj = args.obj;
	private->incoming.retrieved = true;

	return 0;
}

/*
 * lusim: the count is loaded (by retrieving) before the first decrement; the
 * kernel version read decrements a count that only retrieve() loads.
 */
static void luo_flb_file_finish_one(struct liveupdate_flb *flb)
{
	struct luo_flb_private *private = luo_flb_get_private(flb);
	long count;

	if (!private->incoming.retrieved) {
		int err = luo_flb_retrieve_one(flb);

		if (WARN_ON(err))
			return;
	}

	scoped_guard(mutex, &private->incoming.lock) {
		if (WARN_ON(private->incoming.count <= 0))
			return;
		count = --private->incoming.count;
	}

	if (!count) {
		struct liveupdate_flb_op_args args = {0};

		scoped_guard(mutex, &private->incoming.lock) {
			args.flb = flb;
			args.obj = private->incoming.obj;
			flb->ops->finish(&args);

			private->incoming.data = 0;
			private->incoming.obj = NULL;
			private->incoming.finished = true;
		}
	}
}

/*
 * lusim: power off (lusim_liveupdate_power_off()). An FLB whose incoming
 * object was retrieved but whose last file never finished keeps it until
 * the next reboot; at power off it is released through the FLB's finish op
 * (which only frees the incoming object), so the leak check does not count
 * it.
 */
void luo_flb_lusim_drop_incoming(void)
{
	struct liveupdate_flb *gflb;

	list_for_each_entry(gflb, &luo_flb_global.list, private.list) {
		struct luo_flb_private *private = &gflb->private;
		struct liveupdate_flb_op_args args = {0};

		guard(mutex)(&private->incoming.lock);
		if (!private->incoming.retrieved || private->incoming.finished)
			continue;
		args.flb = gflb;
		args.obj = private->incoming.obj;
		gflb->ops->finish(&args);
		private->incoming.data = 0;
		private->incoming.obj = NULL;
		private->incoming.count = 0;
		private->incoming.finished = true;
	}
}

/**
 * luo_flb_file_preserve - Notifies FLBs that a file is about to be preserved.
 * @fh: The file handler for the preserved file.
 *
 * Increments the count of every FLB of @fh, calling preserve() on 0 -> 1.
 * Atomic: on an error the FLBs done by this call are unpreserved in reverse.
 */
int luo_flb_file_preserve(struct liveupdate_file_handler *fh)
{
	struct list_head *flb_list = &ACCESS_PRIVATE(fh, flb_list);
	struct luo_flb_link *iter;
	int err = 0;

	list_for_each_entry(iter, flb_list, list) {
		err = luo_flb_file_preserve_one(iter->flb);
		if (err)
			goto exit_err;
	}

	return 0;

exit_err:
	list_for_each_entry_continue_reverse(iter, flb_list, list)
		luo_flb_file_unpreserve_one(iter->flb);

	return err;
}

/* A file of @fh was unpreserved: decrement its FLBs (reverse order). */
void luo_flb_file_unpreserve(struct liveupdate_file_handler *fh)
{
	struct list_head *flb_list = &ACCESS_PRIVATE(fh, flb_list);
	struct luo_flb_link *iter;

	list_for_each_entry_reverse(iter, flb_list, list)
		luo_flb_file_unpreserve_one(iter->flb);
}

/* A file of @fh finished in the new kernel (reverse order). */
void luo_flb_file_finish(struct liveupdate_file_handler *fh)
{
	struct list_head *flb_list = &ACCESS_PRIVATE(fh, flb_list);
	struct luo_flb_link *iter;

	list_for_each_entry_reverse(iter, flb_list, list)
		luo_flb_file_finish_one(iter->flb);
}

/**
 * liveupdate_register_flb - Associate an FLB with a file handler.
 * @fh:   A registered file handler.
 * @flb:  The FLB.
 *
 * Return: 0, -EOPNOTSUPP (live update disabled), -EINVAL (ops missing, or
 *         @fh not registered), -ENOMEM, -EBUSY (sessions exist), -EEXIST
 *         (already linked to @fh, or another FLB has the same compatible),
 *         -ENOSPC (global FLB table full).
 */
int liveupdate_register_flb(struct liveupdate_file_handler *fh,
			    struct liveupdate_flb *flb)
{
	struct luo_flb_private *private = luo_flb_get_private(flb);
	struct list_head *flb_list = &ACCESS_PRIVATE(fh, flb_list);
	struct luo_flb_link *link __free(kfree) = NULL;
	struct liveupdate_flb *gflb;
	struct luo_flb_link *iter;
	int err = 0;

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;

	if (WARN_ON(!flb->ops->preserve || !flb->ops->unpreserve ||
		    !flb->ops->retrieve || !flb->ops->finish))
		return -EINVAL;

	/* File handler must already be registered */
	if (WARN_ON(!luo_file_handler_registered(fh)))
		return -EINVAL;

	link = kzalloc(sizeof(*link), GFP_KERNEL);
	if (!link)
		return -ENOMEM;

	if (!luo_session_quiesce())
		return -EBUSY;

	/* Check that this FLB is not already linked to this file handler */
	list_for_each_entry(iter, flb_list, list) {
		if (iter->flb == flb) {
			err = -EEXIST;
			goto out;
		}
	}

	/* first registration of this FLB: add it to the global list */
	if (!private->users) {
		if (luo_flb_global.count == (long)LUO_FLB_MAX) {
			err = -ENOSPC;
			goto out;
		}

		/* Check that compatible string is unique in global list */
		list_for_each_entry(gflb, &luo_flb_global.list, private.list) {
			if (!strcmp(gflb->compatible, flb->compatible)) {
				err = -EEXIST;
				goto out;
			}
		}

		list_add_tail(&private->list, &luo_flb_global.list);
		luo_flb_global.count++;
	}

	/* Finally, link the FLB to the file handler */
	private->users++;
	link->flb = flb;
	list_add_tail(&no_free_ptr(link)->list, flb_list);
out:
	luo_session_resume();
	return err;
}

/**
 * liveupdate_unregister_flb - Remove an FLB dependency from a file handler.
 *
 * Return: 0, -EOPNOTSUPP, -EBUSY (sessions exist), -ENOENT (not linked).
 */
int liveupdate_unregister_flb(struct liveupdate_file_handler *fh,
			      struct liveupdate_flb *flb)
{
	struct luo_flb_private *private = luo_flb_get_private(flb);
	struct list_head *flb_list = &ACCESS_PRIVATE(fh, flb_list);
	struct luo_flb_link *iter;
	int err = -ENOENT;

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;

	if (!luo_session_quiesce())
		return -EBUSY;

	/* Find and remove the link from the file handler's list */
	list_for_each_entry(iter, flb_list, list) {
		if (iter->flb == flb) {
			list_del(&iter->list);
			kfree(iter);
			err = 0;
			break;
		}
	}

	if (!err) {
		private->users--;
		/* the last handler: remove from the global list */
		if (!private->users) {
			list_del_init(&private->list);
			luo_flb_global.count--;
		}
	}

	luo_session_resume();
	return err;
}

/**
 * liveupdate_flb_get_incoming - Retrieve the incoming FLB object.
 * @flb:  The FLB definition.
 * @objp: The live shared object.
 *
 * The first call in the new kernel runs the FLB's retrieve(); later calls
 * return the same object.
 *
 * Return: 0, -EOPNOTSUPP (live update disabled), -ENODATA (no incoming FLB
 *         data, or the FLB already finished), -ENOENT (this FLB was not
 *         handed over), or the error of retrieve().
 */
int liveupdate_flb_get_incoming(struct liveupdate_flb *flb, void **objp)
{
	struct luo_flb_private *private = luo_flb_get_private(flb);

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;

	if (!private->incoming.obj) {
		int err = luo_flb_retrieve_one(flb);

		if (err)
			return err;
	}

	guard(mutex)(&private->incoming.lock);
	*objp = private->incoming.obj;

	return 0;
}

/**
 * liveupdate_flb_get_outgoing - Retrieve the outgoing FLB object.
 * @flb:  The FLB definition.
 * @objp: The live object, NULL while no dependent file is preserved.
 *
 * Return: 0 (even when the object is NULL), or -EOPNOTSUPP.
 */
int liveupdate_flb_get_outgoing(struct liveupdate_flb *flb, void **objp)
{
	struct luo_flb_private *private = luo_flb_get_private(flb);

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;

	guard(mutex)(&private->outgoing.lock);
	*objp = private->outgoing.obj;

	return 0;
}

int luo_flb_setup_outgoing(struct luo_root_ser *root)
{
	struct luo_flb_header_ser *header_ser;

	header_ser = kho_alloc_preserve(LUO_FLB_PGCNT << PAGE_SHIFT);
	if (IS_ERR(header_ser))
		return PTR_ERR(header_ser);

	strscpy(root->flb_compatible, LUO_FDT_FLB_COMPATIBLE);
	root->flb_header = virt_to_phys(header_ser);

	header_ser->pgcnt = LUO_FLB_PGCNT;
	luo_flb_global.outgoing.header_ser = header_ser;
	luo_flb_global.outgoing.ser = (void *)(header_ser + 1);
	luo_flb_global.outgoing.active = true;

	return 0;
}

/*
 * Load the previous kernel's FLB table: validated, copied into slab memory,
 * and its preserved block freed right away.
 */
int luo_flb_setup_incoming(const struct luo_root_ser *root)
{
	struct luo_flb_header *fh = &luo_flb_global.incoming;
	const struct luo_flb_header_ser *header_ser;
	const struct luo_flb_ser *ser;
	struct folio *folio;
	u64 i, count;
	int err = -EINVAL;

	if (strnlen(root->flb_compatible, sizeof(root->flb_compatible)) ==
	    sizeof(root->flb_compatible) ||
	    strcmp(root->flb_compatible, LUO_FDT_FLB_COMPATIBLE)) {
		pr_err("FLB node is incompatible with '%s'\n",
		       LUO_FDT_FLB_COMPATIBLE);
		return -EINVAL;
	}

	folio = luo_restore_block(root->flb_header, LUO_FLB_PGCNT << PAGE_SHIFT);
	if (!folio) {
		pr_err("FLB header at %#llx is not preserved\n",
		       (unsigned long long)root->flb_header);
		return -EINVAL;
	}
	header_ser = folio_address(folio);
	ser = (const void *)(header_ser + 1);
	count = header_ser->count;
	if (header_ser->pgcnt != LUO_FLB_PGCNT || count > LUO_FLB_MAX)
		goto out;
	for (i = 0; i < count; i++)
		if (strnlen(ser[i].name, sizeof(ser[i].name)) == sizeof(ser[i].name))
			goto out;

	if (count) {
		fh->ser = kmemdup(ser, count * sizeof(*ser), GFP_KERNEL);
		if (!fh->ser) {
			err = -ENOMEM;
			goto out;
		}
	}
	fh->count = count;
	fh->active = true;
	err = 0;
out:
	folio_put(folio);
	return err;
}

/**
 * luo_flb_serialize - Serializes all active FLB objects for KHO.
 *
 * Every registered FLB with an outgoing count > 0 is written with its
 * compatible string, handle and count. Called from liveupdate_reboot() just
 * before kho_finalize().
 */
void luo_flb_serialize(void)
{
	struct luo_flb_header *fh = &luo_flb_global.outgoing;
	struct liveupdate_flb *gflb;
	int i = 0;

	if (WARN_ON(!fh->header_ser))
		return;

	list_for_each_entry(gflb, &luo_flb_global.list, private.list) {
		struct luo_flb_private *private = luo_flb_get_private(gflb);

		if (private->outgoing.count > 0) {
			strscpy(fh->ser[i].name, gflb->compatible,
				sizeof(fh->ser[i].name));
			fh->ser[i].data = private->outgoing.data;
			fh->ser[i].count = private->outgoing.count;
			i++;
		}
	}

	fh->header_ser->count = i;
}

/* Kernel state: gone at kexec (memory is the slab's to forget). */
static void luo_flb_reset(void)
{
	memset(&luo_flb_global, 0, sizeof(luo_flb_global));
	INIT_LIST_HEAD(&luo_flb_global.list);
}
LUSIM_RESET_FN(luo_flb_reset, LUSIM_RESET_PRIO_SHIM)
