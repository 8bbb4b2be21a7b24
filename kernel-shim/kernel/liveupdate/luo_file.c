// SPDX-License-Identifier: GPL-2.0-only
/*
 * luo_file.c - preserved files: handler registration and the per-file
 * lifecycle (kernel-model.md 1.5).
 *
 *  - preserve (PRESERVE_FD, session->mutex held): token unique in the
 *    session (-EEXIST), room in the session (-ENOSPC), fget (-EBADF), the
 *    session's serialization block (first file), the first handler whose
 *    can_preserve() agrees (-ENOENT), the file not already managed by LUO
 *    in any session (-EBUSY), the FLBs of the handler (count 0 -> 1 calls
 *    their preserve), the luo_file (-ENOMEM) and the handler's preserve();
 *    every error undoes the steps before it in reverse. On success the file
 *    joins the tail of the session's list, so it becomes visible to
 *    liveupdate_get_token_outgoing() only after its own preserve().
 *  - unpreserve (closing an outgoing session): LIFO.
 *  - freeze (reboot): FIFO, each under luo_file->mutex; a failure unfreezes
 *    the files frozen before it.
 *  - deserialize (new kernel, first open of /dev/liveupdate): each file is
 *    matched to a handler by compatible string (-ENOENT if none).
 *  - retrieve (RETRIEVE_FD or liveupdate_get_file_incoming()): by token
 *    (-ENOENT); the result, success or errno, is cached.
 *  - finish: can_finish() on every file first (any false: -EBUSY, nothing
 *    changes), then LIFO finish(), also for files never retrieved.
 *
 * The table of files managed by LUO (luo_preserved_files, an xarray) is
 * keyed by the handler's get_id() or, by default, the file's per-boot
 * sequence number f_seq instead of the struct file pointer, so iteration
 * order and traces do not depend on host addresses (AMENDMENTS,
 * Determinism).
 *
 * LUO's own file references are dropped with fput() after the session
 * mutex is released (luo_file_put_flush()), as the kernel's fput() defers
 * the final release to task work: a preserved file's release() never runs
 * under LUO's locks.
 */
#define pr_fmt(fmt) "luo: " fmt

#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/luo.h>
#include <linux/liveupdate.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include <lusim/journal.h>
#include <lusim/reset.h>

#include "luo_internal.h"

static LIST_HEAD(luo_file_handler_list);

/* Keep track of files being preserved by LUO */
static DEFINE_XARRAY(luo_preserved_files);

/**
 * struct luo_file - Represents a single preserved file instance.
 * @fh:              The handler of this file's type.
 * @file:            The file; NULL in the new kernel until retrieved.
 * @serialized_data: The handler's opaque u64 handle.
 * @private_data:    The handler's runtime-only state (outgoing).
 * @retrieve_status: 0 never attempted, > 0 retrieved, < 0 the cached errno.
 * @mutex:           Serializes freeze/unfreeze/retrieve/can_finish/finish.
 * @list:            Link in the session's files_list.
 * @token:           The user's token.
 */
struct luo_file {
	struct liveupdate_file_handler *fh;
	struct file *file;
	u64 serialized_data;
	void *private_data;
	int retrieve_status;
	struct mutex mutex;
	struct list_head list;
	u64 token;
};

/* References to drop once the session mutex is released. */
static struct file *luo_put_pending[LUO_FILE_MAX];
static unsigned int luo_nr_put_pending;

static void luo_file_put_deferred(struct file *file)
{
	if (WARN_ON(luo_nr_put_pending == ARRAY_SIZE(luo_put_pending))) {
		fput(file);
		return;
	}
	luo_put_pending[luo_nr_put_pending++] = file;
}

void luo_file_put_flush(void)
{
	while (luo_nr_put_pending) {
		struct file *file = luo_put_pending[--luo_nr_put_pending];

		fput(file);
	}
}

static unsigned long luo_get_id(struct liveupdate_file_handler *fh,
				struct file *file)
{
	if (fh->ops->get_id)
		return fh->ops->get_id(file);
	/* lusim: the per-boot file sequence number, not the pointer */
	return (unsigned long)file->f_seq;
}

static void luo_file_args(struct liveupdate_file_op_args *args,
			  struct luo_session *session,
			  struct luo_file *luo_file)
{
	memset(args, 0, sizeof(*args));
	args->handler = luo_file->fh;
	args->session = (struct liveupdate_session *)session;
	args->file = luo_file->file;
	args->serialized_data = luo_file->serialized_data;
	args->private_data = luo_file->private_data;
	args->retrieve_status = luo_file->retrieve_status;
	args->retrieved = luo_file->retrieve_status > 0;
}

static int luo_alloc_files_mem(struct luo_file_set *file_set)
{
	void *mem;

	if (file_set->files)
		return 0;

	WARN_ON_ONCE(file_set->count);

	mem = kho_alloc_preserve(LUO_FILE_PGCNT << PAGE_SHIFT);
	if (IS_ERR(mem))
		return PTR_ERR(mem);

	file_set->files = mem;

	return 0;
}

static void luo_free_files_mem(struct luo_file_set *file_set)
{
	/* If file_set has files, no need to free preservation memory */
	if (file_set->count)
		return;

	if (!file_set->files)
		return;

	kho_unpreserve_free(file_set->files);
	file_set->files = NULL;
}

static bool luo_token_is_used(struct luo_file_set *file_set, u64 token)
{
	struct luo_file *iter;

	list_for_each_entry(iter, &file_set->files_list, list) {
		if (iter->token == token)
			return true;
	}

	return false;
}

/**
 * luo_preserve_file - Initiate the preservation of a file descriptor.
 * @session: The session to which the preserved file will be added.
 * @token:   A unique (in the session), user-provided identifier.
 * @fd:      The file descriptor to be preserved.
 *
 * Return: 0, -EEXIST (token used), -ENOSPC (session full), -EBADF (bad fd),
 *         -ENOENT (no handler), -EBUSY (file already managed by LUO),
 *         -ENOMEM, or the error of KHO, an FLB's or the handler's preserve.
 */
int luo_preserve_file(struct luo_session *session, u64 token, int fd)
{
	struct luo_file_set *file_set = &session->file_set;
	struct liveupdate_file_op_args args = {0};
	struct liveupdate_file_handler *fh;
	struct luo_file *luo_file;
	struct file *file;
	int err;

	lockdep_assert_held(&session->mutex);

	if (luo_token_is_used(file_set, token))
		return -EEXIST;

	if (file_set->count == LUO_FILE_MAX)
		return -ENOSPC;

	file = fget(fd);
	if (!file)
		return -EBADF;

	err = luo_alloc_files_mem(file_set);
	if (err)
		goto err_fput;

	err = -ENOENT;
	list_for_each_entry(fh, &luo_file_handler_list, list) {
		if (fh->ops->can_preserve(fh, file)) {
			err = 0;
			break;
		}
	}

	/* err is still -ENOENT if no handler was found */
	if (err)
		goto err_free_files_mem;

	err = xa_insert(&luo_preserved_files, luo_get_id(fh, file),
			file, GFP_KERNEL);
	if (err)
		goto err_free_files_mem;

	err = luo_flb_file_preserve(fh);
	if (err)
		goto err_erase_xa;

	luo_file = kzalloc(sizeof(*luo_file), GFP_KERNEL);
	if (!luo_file) {
		err = -ENOMEM;
		goto err_flb_unpreserve;
	}

	luo_file->file = file;
	luo_file->fh = fh;
	luo_file->token = token;
	mutex_init(&luo_file->mutex);

	args.handler = fh;
	args.session = (struct liveupdate_session *)session;
	args.file = file;
	err = fh->ops->preserve(&args);
	if (err)
		goto err_kfree;

	luo_file->serialized_data = args.serialized_data;
	luo_file->private_data = args.private_data;
	list_add_tail(&luo_file->list, &file_set->files_list);
	file_set->count++;

	return 0;

err_kfree:
	mutex_destroy(&luo_file->mutex);
	kfree(luo_file);
err_flb_unpreserve:
	luo_flb_file_unpreserve(fh);
err_erase_xa:
	xa_erase(&luo_preserved_files, luo_get_id(fh, file));
err_free_files_mem:
	luo_free_files_mem(file_set);
err_fput:
	fput(file);

	return err;
}

/**
 * luo_file_unpreserve_files - Unpreserves all files of a session, LIFO.
 * @session: The session being closed.
 *
 * For each file from the tail: the handler's unpreserve(), the FLBs'
 * accounting, removal from the table of managed files, LUO's file
 * reference (dropped after the session mutex, luo_file_put_flush()). Then
 * the serialization block is freed.
 */
void luo_file_unpreserve_files(struct luo_session *session)
{
	struct luo_file_set *file_set = &session->file_set;
	struct luo_file *luo_file;

	lockdep_assert_held(&session->mutex);

	while (!list_empty(&file_set->files_list)) {
		struct liveupdate_file_op_args args;

		luo_file = list_last_entry(&file_set->files_list,
					   struct luo_file, list);

		luo_file_args(&args, session, luo_file);
		luo_file->fh->ops->unpreserve(&args);
		luo_flb_file_unpreserve(luo_file->fh);

		xa_erase(&luo_preserved_files,
			 luo_get_id(luo_file->fh, luo_file->file));
		list_del(&luo_file->list);
		file_set->count--;

		luo_file_put_deferred(luo_file->file);
		mutex_destroy(&luo_file->mutex);
		kfree(luo_file);
	}

	luo_free_files_mem(file_set);
}

static int luo_file_freeze_one(struct luo_session *session,
			       struct luo_file *luo_file)
{
	int err = 0;

	guard(mutex)(&luo_file->mutex);

	if (luo_file->fh->ops->freeze) {
		struct liveupdate_file_op_args args;

		luo_file_args(&args, session, luo_file);
		err = luo_file->fh->ops->freeze(&args);
		if (!err)
			luo_file->serialized_data = args.serialized_data;
	}

	return err;
}

static void luo_file_unfreeze_one(struct luo_session *session,
				  struct luo_file *luo_file)
{
	guard(mutex)(&luo_file->mutex);

	if (luo_file->fh->ops->unfreeze) {
		struct liveupdate_file_op_args args;

		luo_file_args(&args, session, luo_file);
		luo_file->fh->ops->unfreeze(&args);
	}
}

static void __luo_file_unfreeze(struct luo_session *session,
				struct luo_file *failed_entry)
{
	struct luo_file_set *file_set = &session->file_set;
	struct luo_file *luo_file;

	list_for_each_entry(luo_file, &file_set->files_list, list) {
		if (luo_file == failed_entry)
			break;

		luo_file_unfreeze_one(session, luo_file);
	}

	memset(file_set->files, 0, LUO_FILE_PGCNT << PAGE_SHIFT);
}

/**
 * luo_file_freeze - Freezes all preserved files and serializes their metadata.
 * @session:      The session whose files are to be frozen.
 * @file_set_ser: Where to put the serialized file set.
 *
 * FIFO over the files: freeze(), then {compatible, token, data} into the
 * session's KHO-preserved array. If a freeze fails, the files frozen before
 * it are unfrozen and the error is returned.
 */
int luo_file_freeze(struct luo_session *session,
		    struct luo_file_set_ser *file_set_ser)
{
	struct luo_file_set *file_set = &session->file_set;
	struct luo_file_ser *file_ser = file_set->files;
	struct luo_file *luo_file;
	int err;
	int i;

	lockdep_assert_held(&session->mutex);

	if (!file_set->count)
		return 0;

	if (WARN_ON(!file_ser))
		return -EINVAL;

	i = 0;
	list_for_each_entry(luo_file, &file_set->files_list, list) {
		err = luo_file_freeze_one(session, luo_file);
		if (err < 0) {
			pr_warn("Freeze failed for session[%s] token[%#llx] handler[%s] err[%d]\n",
				session->name, (unsigned long long)luo_file->token,
				luo_file->fh->compatible, err);
			goto err_unfreeze;
		}

		strscpy(file_ser[i].compatible, luo_file->fh->compatible,
			sizeof(file_ser[i].compatible));
		file_ser[i].data = luo_file->serialized_data;
		file_ser[i].token = luo_file->token;
		i++;
	}

	file_set_ser->count = file_set->count;
	file_set_ser->files = virt_to_phys(file_set->files);

	return 0;

err_unfreeze:
	__luo_file_unfreeze(session, luo_file);

	return err;
}

/**
 * luo_file_unfreeze - Unfreezes all files in a session, clears serialization
 * @session:      The session whose files are to be unfrozen.
 * @file_set_ser: The serialized file set (may be NULL).
 */
void luo_file_unfreeze(struct luo_session *session,
		       struct luo_file_set_ser *file_set_ser)
{
	lockdep_assert_held(&session->mutex);

	if (!session->file_set.count)
		return;

	__luo_file_unfreeze(session, NULL);
	if (file_set_ser)
		memset(file_set_ser, 0, sizeof(*file_set_ser));
}

/**
 * luo_retrieve_file - Restores a preserved file from a session by its token.
 * @session: The session from which to retrieve the file.
 * @token:   The token identifying the file.
 * @filep:   On success: the file, with a reference for the caller.
 *
 * The first call runs the handler's retrieve(); its result is kept: later
 * calls return the same file (with a new reference) or the same error,
 * without calling the handler again. Files may be retrieved in any order.
 *
 * Return: 0, -ENOENT (no such token), or the handler's error.
 */
int luo_retrieve_file(struct luo_session *session, u64 token,
		      struct file **filep)
{
	struct luo_file_set *file_set = &session->file_set;
	struct liveupdate_file_op_args args = {0};
	struct luo_file *luo_file;
	bool found = false;
	int err;

	list_for_each_entry(luo_file, &file_set->files_list, list) {
		if (luo_file->token == token) {
			found = true;
			break;
		}
	}

	if (!found)
		return -ENOENT;

	guard(mutex)(&luo_file->mutex);
	if (luo_file->retrieve_status < 0) {
		/* Retrieve was attempted and it failed. Return the error code. */
		return luo_file->retrieve_status;
	}

	if (luo_file->retrieve_status > 0) {
		/*
		 * Someone is asking for this file again, so get a reference
		 * for them.
		 */
		get_file(luo_file->file);
		*filep = luo_file->file;
		return 0;
	}

	args.handler = luo_file->fh;
	args.session = (struct liveupdate_session *)session;
	args.serialized_data = luo_file->serialized_data;
	err = luo_file->fh->ops->retrieve(&args);
	if (!err && WARN_ON(!args.file))
		err = -EINVAL;
	if (err) {
		/* Keep the error code for later use. */
		luo_file->retrieve_status = err;
		/* the handover is consumed: lusim's undo journal (journal.h) */
		lusim_journal_failure_final();
		return err;
	}

	luo_file->file = args.file;
	/* Get reference so we can keep this file in LUO until finish */
	get_file(luo_file->file);

	WARN_ON(xa_insert(&luo_preserved_files,
			  luo_get_id(luo_file->fh, luo_file->file),
			  luo_file->file, GFP_KERNEL));

	*filep = luo_file->file;
	luo_file->retrieve_status = 1;

	return 0;
}

static int luo_file_can_finish_one(struct luo_session *session,
				   struct luo_file *luo_file)
{
	bool can_finish = true;

	guard(mutex)(&luo_file->mutex);

	if (luo_file->fh->ops->can_finish) {
		struct liveupdate_file_op_args args;

		luo_file_args(&args, session, luo_file);
		can_finish = luo_file->fh->ops->can_finish(&args);
	}

	return can_finish ? 0 : -EBUSY;
}

static void luo_file_finish_one(struct luo_session *session,
				struct luo_file *luo_file)
{
	struct liveupdate_file_op_args args;

	guard(mutex)(&luo_file->mutex);

	luo_file_args(&args, session, luo_file);
	luo_file->fh->ops->finish(&args);
	luo_flb_file_finish(luo_file->fh);
}

/**
 * luo_file_finish - Completes the lifecycle for all files in a session.
 * @session: The session to be finalized.
 *
 * can_finish() on every file first (FIFO): any false makes the whole call
 * fail with -EBUSY and nothing changes. Then LIFO: finish() (also for files
 * never retrieved, args->file == NULL), the FLBs' accounting, removal from
 * the table of managed files, LUO's reference, the luo_file; finally the
 * serialization block of the previous kernel is freed.
 *
 * Return: 0 or -EBUSY.
 */
int luo_file_finish(struct luo_session *session)
{
	struct luo_file_set *file_set = &session->file_set;
	struct luo_file *luo_file;
	int err;

	lockdep_assert_held(&session->mutex);

	list_for_each_entry(luo_file, &file_set->files_list, list) {
		err = luo_file_can_finish_one(session, luo_file);
		if (err)
			return err;
	}

	while (!list_empty(&file_set->files_list)) {
		luo_file = list_last_entry(&file_set->files_list,
					   struct luo_file, list);

		luo_file_finish_one(session, luo_file);

		if (luo_file->file) {
			xa_erase(&luo_preserved_files,
				 luo_get_id(luo_file->fh, luo_file->file));
			luo_file_put_deferred(luo_file->file);
		}
		list_del(&luo_file->list);
		file_set->count--;
		mutex_destroy(&luo_file->mutex);
		kfree(luo_file);
	}

	if (file_set->files) {
		/* restored at deserialization: give it back */
		folio_put(virt_to_folio(file_set->files));
		file_set->files = NULL;
	}

	return 0;
}

/**
 * luo_file_deserialize - Rebuild a session's files in the new kernel.
 * @session:      The incoming session.
 * @file_set_ser: Its serialized file set from the previous kernel.
 *
 * Nothing is trusted: the array must be a preserved block of the full
 * size, the count must fit in it, compatible strings must be terminated.
 *
 * Return: 0, -EINVAL (corrupt), -ENOENT (no handler for a file), -ENOMEM.
 */
int luo_file_deserialize(struct luo_session *session,
			 const struct luo_file_set_ser *file_set_ser)
{
	struct luo_file_set *file_set = &session->file_set;
	struct luo_file_ser *file_ser;
	struct folio *folio;
	u64 i, count = file_set_ser->count;

	lockdep_assert_held(&session->mutex);

	if (!file_set_ser->files)
		return count ? -EINVAL : 0;
	if (!count || count > LUO_FILE_MAX)
		return -EINVAL;

	folio = luo_restore_block(file_set_ser->files,
				  LUO_FILE_PGCNT << PAGE_SHIFT);
	if (!folio)
		return -EINVAL;
	file_set->files = folio_address(folio);

	file_ser = file_set->files;
	for (i = 0; i < count; i++) {
		struct liveupdate_file_handler *fh;
		struct luo_file *luo_file;

		if (strnlen(file_ser[i].compatible,
			    sizeof(file_ser[i].compatible)) ==
		    sizeof(file_ser[i].compatible))
			return -EINVAL;

		fh = luo_file_handler_find(file_ser[i].compatible);
		if (!fh) {
			pr_warn("No registered handler for compatible '%s'\n",
				file_ser[i].compatible);
			return -ENOENT;
		}

		luo_file = kzalloc(sizeof(*luo_file), GFP_KERNEL);
		if (!luo_file)
			return -ENOMEM;

		luo_file->fh = fh;
		luo_file->file = NULL;
		luo_file->serialized_data = file_ser[i].data;
		luo_file->token = file_ser[i].token;
		mutex_init(&luo_file->mutex);
		list_add_tail(&luo_file->list, &file_set->files_list);
		file_set->count++;
	}

	return 0;
}

/*
 * lusim: power off. The files of an incoming session that userspace never
 * finished: the kernel keeps them (and LUO's reference on a retrieved file)
 * until the next reboot, so at power off they are not a leak. No handler
 * runs (a power cycle runs no kernel code); LUO's own records, its file
 * references and the restored serialization block are dropped so the
 * teardown leak check sees only real leaks.
 */
void luo_file_lusim_drop_incoming(struct luo_session *session)
{
	struct luo_file_set *file_set = &session->file_set;
	struct luo_file *luo_file, *tmp;

	list_for_each_entry_safe(luo_file, tmp, &file_set->files_list, list) {
		if (luo_file->file) {
			xa_erase(&luo_preserved_files,
				 luo_get_id(luo_file->fh, luo_file->file));
			luo_file_put_deferred(luo_file->file);
		}
		list_del(&luo_file->list);
		file_set->count--;
		mutex_destroy(&luo_file->mutex);
		kfree(luo_file);
	}
	if (file_set->files) {
		folio_put(virt_to_folio(file_set->files));
		file_set->files = NULL;
	}
}

unsigned long luo_file_set_count_flb(struct luo_file_set *file_set,
				     struct liveupdate_flb *flb)
{
	struct luo_file *luo_file;
	unsigned long n = 0;

	list_for_each_entry(luo_file, &file_set->files_list, list)
		if (luo_flb_is_linked(luo_file->fh, flb))
			n++;
	return n;
}

void luo_file_set_init(struct luo_file_set *file_set)
{
	INIT_LIST_HEAD(&file_set->files_list);
}

void luo_file_set_destroy(struct luo_file_set *file_set)
{
	WARN_ON(file_set->count);
	WARN_ON(!list_empty(&file_set->files_list));
}

struct liveupdate_file_handler *luo_file_handler_find(const char *compatible)
{
	struct liveupdate_file_handler *fh;

	list_for_each_entry(fh, &luo_file_handler_list, list) {
		if (!strcmp(fh->compatible, compatible))
			return fh;
	}
	return NULL;
}

bool luo_file_handler_registered(const struct liveupdate_file_handler *fh)
{
	struct liveupdate_file_handler *it;

	list_for_each_entry(it, &luo_file_handler_list, list) {
		if (it == fh)
			return true;
	}
	return false;
}

/**
 * liveupdate_register_file_handler - Register a file handler with LUO.
 * @fh: A handler with a unique compatible string and the required ops.
 *
 * Return: 0, -EOPNOTSUPP (live update disabled), -EINVAL (a required op is
 *         missing), -EBUSY (sessions exist), -EEXIST (duplicate compatible).
 */
int liveupdate_register_file_handler(struct liveupdate_file_handler *fh)
{
	int err = 0;

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;

	/* Sanity check that all required callbacks are set */
	if (!fh->ops->preserve || !fh->ops->unpreserve || !fh->ops->retrieve ||
	    !fh->ops->finish || !fh->ops->can_preserve)
		return -EINVAL;

	/*
	 * Ensure the system is quiescent (no active sessions). This prevents
	 * registering new handlers while sessions are active or while
	 * deserialization is in progress.
	 */
	if (!luo_session_quiesce())
		return -EBUSY;

	/* Check for duplicate compatible strings */
	if (luo_file_handler_find(fh->compatible)) {
		pr_err("File handler registration failed: Compatible string '%s' already registered.\n",
		       fh->compatible);
		err = -EEXIST;
		goto out;
	}

	/* lusim: module owners are never unloading, try_module_get() succeeds */
	INIT_LIST_HEAD(&ACCESS_PRIVATE(fh, flb_list));
	INIT_LIST_HEAD(&ACCESS_PRIVATE(fh, list));
	list_add_tail(&ACCESS_PRIVATE(fh, list), &luo_file_handler_list);
out:
	luo_session_resume();
	return err;
}

/**
 * liveupdate_unregister_file_handler - Unregister a liveupdate file handler
 * @fh: The file handler to unregister
 *
 * Return: 0, -EOPNOTSUPP (live update disabled), -ENOENT (not registered;
 *         lusim: the kernel would corrupt its list), -EBUSY (sessions exist,
 *         or FLBs are still registered with the handler).
 */
int liveupdate_unregister_file_handler(struct liveupdate_file_handler *fh)
{
	int err = -EBUSY;

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;

	if (!luo_file_handler_registered(fh))
		return -ENOENT;

	if (!luo_session_quiesce())
		return err;

	if (!list_empty(&ACCESS_PRIVATE(fh, flb_list)))
		goto out;

	list_del_init(&ACCESS_PRIVATE(fh, list));
	err = 0;
out:
	luo_session_resume();
	return err;
}

/**
 * liveupdate_get_token_outgoing - Get the token of a preserved file.
 * @s:      The outgoing session.
 * @file:   The file to look for.
 * @tokenp: The token, if found (may be NULL).
 *
 * Searches only @s, and only files whose preserve() has completed: a
 * dependency must be preserved earlier in the same session.
 *
 * Context: The session mutex must be held (the caller runs inside another
 *          file's preserve/freeze callback, where LUO holds it).
 * Return: 0, or -ENOENT if @file is not preserved in this session.
 */
int liveupdate_get_token_outgoing(struct liveupdate_session *s,
				  struct file *file, u64 *tokenp)
{
	struct luo_session *session = (struct luo_session *)s;
	struct luo_file *luo_file;
	int err = -ENOENT;

	lockdep_assert_held(&session->mutex);

	list_for_each_entry(luo_file, &session->file_set.files_list, list) {
		if (luo_file->file == file) {
			if (tokenp)
				*tokenp = luo_file->token;
			err = 0;
			break;
		}
	}

	return err;
}

/**
 * liveupdate_get_file_incoming - Retrieves a preserved file for in-kernel use.
 * @s:      The incoming session.
 * @token:  The token of the file.
 * @filep:  On success: the file, with a new reference the caller must fput().
 *
 * The same path as RETRIEVE_FD: same errors, same caching.
 *
 * Return: 0, -ENOENT, or the handler's (cached) retrieve error.
 */
int liveupdate_get_file_incoming(struct liveupdate_session *s, u64 token,
				 struct file **filep)
{
	struct luo_session *session = (struct luo_session *)s;

	return luo_retrieve_file(session, token, filep);
}

/* Kernel state: gone at kexec (the memory is the slab's to forget). */
static void luo_file_reset(void)
{
	INIT_LIST_HEAD(&luo_file_handler_list);
	xa_init(&luo_preserved_files);
	luo_nr_put_pending = 0;
}
LUSIM_RESET_FN(luo_file_reset, LUSIM_RESET_PRIO_SHIM)
