// SPDX-License-Identifier: GPL-2.0-only
/*
 * luo_session.c - LUO sessions: named containers of preserved files.
 *
 * Userspace creates an outgoing session on /dev/liveupdate and gets a
 * session fd; PRESERVE_FD adds files to it. Closing an outgoing session fd
 * unpreserves all its files (LIFO). At reboot every outgoing session is
 * frozen and written into the session block (struct luo_session_ser[]).
 * In the new kernel the first open of /dev/liveupdate turns that block into
 * incoming sessions; RETRIEVE_SESSION claims one by name (once), its fd
 * gives RETRIEVE_FD and FINISH; closing a retrieved session's fd finishes
 * it.
 *
 * Locking, outer to inner: luo_session_global.{incoming,outgoing}.rwsem
 * (list membership; outgoing write-held across the whole serialization,
 * both write-held by quiesce during (un)registration), session->mutex
 * (every file operation of the session and every handler callback), then
 * luo_file->mutex (luo_file.c). A session's list removal happens after its
 * mutex is dropped, so the rwsem is never taken under a session mutex.
 */
#define pr_fmt(fmt) "luo: " fmt

#include <linux/anon_inodes.h>
#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/luo.h>
#include <linux/list.h>
#include <linux/liveupdate.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/liveupdate.h>

#include <lusim/journal.h>
#include <lusim/reset.h>

#include "luo_internal.h"

#include <fcntl.h>
#include <stdio.h>

/* 16 4K pages, give space for 819 sessions */
#define LUO_SESSION_PGCNT	16ul
#define LUO_SESSION_MAX		(((LUO_SESSION_PGCNT << PAGE_SHIFT) -	\
		sizeof(struct luo_session_header_ser)) /		\
		sizeof(struct luo_session_ser))

/**
 * struct luo_session_header - Header struct for managing LUO sessions.
 * @count:      The number of sessions currently tracked in the @list.
 * @list:       The head of the linked list of `struct luo_session` instances.
 * @rwsem:      Protects the list and the other fields.
 * @header_ser: The header of the serialization block.
 * @ser:        The serialized session array.
 * @folio:      Incoming: the restored serialization block.
 * @active:     Outgoing: the block exists. Incoming: the previous kernel
 *              handed sessions over.
 */
struct luo_session_header {
	long count;
	struct list_head list;
	struct rw_semaphore rwsem;
	struct luo_session_header_ser *header_ser;
	struct luo_session_ser *ser;
	struct folio *folio;
	bool active;
};

struct luo_session_global {
	struct luo_session_header incoming;
	struct luo_session_header outgoing;
};

static struct luo_session_global luo_session_global = {
	.incoming = {
		.list = LIST_HEAD_INIT(luo_session_global.incoming.list),
		.rwsem = __RWSEM_INITIALIZER(luo_session_global.incoming.rwsem),
	},
	.outgoing = {
		.list = LIST_HEAD_INIT(luo_session_global.outgoing.list),
		.rwsem = __RWSEM_INITIALIZER(luo_session_global.outgoing.rwsem),
	},
};

/* luo_session_deserialize() runs once per boot; its result is sticky */
static bool luo_is_deserialized;
static int luo_deserialize_err;

static struct luo_session *luo_session_alloc(const char *name)
{
	struct luo_session *session = kzalloc(sizeof(*session), GFP_KERNEL);

	if (!session)
		return ERR_PTR(-ENOMEM);

	strscpy(session->name, name, sizeof(session->name));
	INIT_LIST_HEAD(&session->list);
	luo_file_set_init(&session->file_set);
	mutex_init(&session->mutex);

	return session;
}

static void luo_session_free(struct luo_session *session)
{
	luo_file_set_destroy(&session->file_set);
	mutex_destroy(&session->mutex);
	kfree(session);
}

static int luo_session_insert(struct luo_session_header *sh,
			      struct luo_session *session)
{
	struct luo_session *it;

	guard(rwsem_write)(&sh->rwsem);

	/*
	 * For outgoing we should make sure there is room in serialization
	 * array for new session.
	 */
	if (sh == &luo_session_global.outgoing) {
		if (sh->count == LUO_SESSION_MAX)
			return -ENOMEM;
	}

	list_for_each_entry(it, &sh->list, list) {
		if (!strncmp(it->name, session->name, sizeof(it->name)))
			return -EEXIST;
	}
	list_add_tail(&session->list, &sh->list);
	sh->count++;

	return 0;
}

static void luo_session_remove(struct luo_session_header *sh,
			       struct luo_session *session)
{
	guard(rwsem_write)(&sh->rwsem);
	list_del(&session->list);
	sh->count--;
}

static int luo_session_release(struct inode *inodep, struct file *filep)
{
	struct luo_session *session = filep->private_data;
	struct luo_session_header *sh;
	int err = 0;

	(void)inodep;
	if (session->incoming) {
		/* closing a retrieved session finishes it */
		scoped_guard(mutex, &session->mutex)
			err = luo_file_finish(session);
		luo_file_put_flush();
		if (err) {
			pr_warn("Unable to finish session [%s] on release\n",
				session->name);
			return err;
		}
		sh = &luo_session_global.incoming;
	} else {
		scoped_guard(mutex, &session->mutex)
			luo_file_unpreserve_files(session);
		luo_file_put_flush();
		sh = &luo_session_global.outgoing;
	}

	luo_session_remove(sh, session);
	luo_session_free(session);

	return 0;
}

static int luo_session_preserve_fd(struct luo_session *session,
				   struct luo_ucmd *ucmd)
{
	struct liveupdate_session_preserve_fd *argp = ucmd->cmd;
	int err;

	if (session->incoming)
		return -EINVAL;

	scoped_guard(mutex, &session->mutex)
		err = luo_preserve_file(session, argp->token, argp->fd);
	if (err)
		return err;
	/* lusim: preserved even when the answer fails: a commit point */
	lusim_journal_commit();

	err = luo_ucmd_respond(ucmd, sizeof(*argp));
	if (err)
		pr_warn("The file was successfully preserved, but response to user failed\n");

	return err;
}

static int luo_session_retrieve_fd(struct luo_session *session,
				   struct luo_ucmd *ucmd)
{
	struct liveupdate_session_retrieve_fd *argp = ucmd->cmd;
	struct file *file;
	int err, fd;

	scoped_guard(mutex, &session->mutex) {
		if (!session->retrieved)
			err = -EINVAL;
		else
			err = luo_retrieve_file(session, argp->token, &file);
	}
	if (err < 0)
		return err;
	/*
	 * lusim: the file stays retrieved (LUO holds it until finish, a
	 * second RETRIEVE_FD hands it out again) when its fd cannot be
	 * returned: a commit point (<lusim/journal.h>).
	 */
	lusim_journal_commit();

	fd = lusim_fd_install(file);
	if (fd < 0) {
		fput(file);
		return fd;
	}
	argp->fd = fd;
	err = luo_ucmd_respond(ucmd, sizeof(*argp));
	if (err)
		lusim_close_fd(fd);

	return err;
}

static int luo_session_finish(struct luo_session *session,
			      struct luo_ucmd *ucmd)
{
	struct liveupdate_session_finish *argp = ucmd->cmd;
	int err;

	scoped_guard(mutex, &session->mutex) {
		if (!session->retrieved)
			err = -EINVAL;
		else
			err = luo_file_finish(session);
	}
	luo_file_put_flush();
	if (err)
		return err;

	return luo_ucmd_respond(ucmd, sizeof(*argp));
}

union ucmd_buffer {
	struct liveupdate_session_finish finish;
	struct liveupdate_session_preserve_fd preserve;
	struct liveupdate_session_retrieve_fd retrieve;
};

struct luo_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct luo_session *session, struct luo_ucmd *ucmd);
};

#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))

#define IOCTL_OP(_ioctl, _fn, _struct, _last)				\
	[_IOC_NR(_ioctl) - LIVEUPDATE_CMD_SESSION_BASE] = {		\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union ucmd_buffer) <	\
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.ioctl_num = _ioctl,					\
		.execute = _fn,						\
	}

static const struct luo_ioctl_op luo_session_ioctl_ops[] = {
	IOCTL_OP(LIVEUPDATE_SESSION_PRESERVE_FD, luo_session_preserve_fd,
		 struct liveupdate_session_preserve_fd, token),
	IOCTL_OP(LIVEUPDATE_SESSION_RETRIEVE_FD, luo_session_retrieve_fd,
		 struct liveupdate_session_retrieve_fd, token),
	IOCTL_OP(LIVEUPDATE_SESSION_FINISH, luo_session_finish,
		 struct liveupdate_session_finish, reserved),
};

static long luo_session_ioctl(struct file *filep, unsigned int cmd,
			      unsigned long arg)
{
	struct luo_session *session = filep->private_data;
	const struct luo_ioctl_op *op;
	struct luo_ucmd ucmd = {};
	union ucmd_buffer buf;
	unsigned int nr;
	int ret;

	nr = _IOC_NR(cmd);
	if (nr < LIVEUPDATE_CMD_SESSION_BASE ||
	    (nr - LIVEUPDATE_CMD_SESSION_BASE) >= ARRAY_SIZE(luo_session_ioctl_ops))
		return -EINVAL;

	ucmd.ubuffer = (void __user *)arg;
	ret = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (ret)
		return ret;

	op = &luo_session_ioctl_ops[nr - LIVEUPDATE_CMD_SESSION_BASE];
	if (op->ioctl_num != cmd)
		return -ENOTTY;		/* -ENOIOCTLCMD, as the VFS reports it */
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	ret = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (ret)
		return ret;

	return op->execute(session, &ucmd);
}

static const struct file_operations luo_session_fops = {
	.name = "luo_session",
	.release = luo_session_release,
	.unlocked_ioctl = luo_session_ioctl,
};

/* Create a "struct file" for session */
static int luo_session_getfile(struct luo_session *session, struct file **filep)
{
	char name_buf[128];
	struct file *file;

	lockdep_assert_held(&session->mutex);
	snprintf(name_buf, sizeof(name_buf), "[luo_session] %s", session->name);
	file = anon_inode_getfile(name_buf, &luo_session_fops, session, O_RDWR);
	if (IS_ERR(file))
		return PTR_ERR(file);

	*filep = file;

	return 0;
}

int luo_session_create(const char *name, struct file **filep)
{
	struct luo_session *session;
	int err;

	session = luo_session_alloc(name);
	if (IS_ERR(session))
		return PTR_ERR(session);

	err = luo_session_insert(&luo_session_global.outgoing, session);
	if (err)
		goto err_free;

	scoped_guard(mutex, &session->mutex)
		err = luo_session_getfile(session, filep);
	if (err)
		goto err_remove;

	return 0;

err_remove:
	luo_session_remove(&luo_session_global.outgoing, session);
err_free:
	luo_session_free(session);

	return err;
}

int luo_session_retrieve(const char *name, struct file **filep)
{
	struct luo_session_header *sh = &luo_session_global.incoming;
	struct luo_session *session = NULL;
	struct luo_session *it;
	int err;

	scoped_guard(rwsem_read, &sh->rwsem) {
		list_for_each_entry(it, &sh->list, list) {
			if (!strncmp(it->name, name, sizeof(it->name))) {
				session = it;
				break;
			}
		}
	}

	if (!session)
		return -ENOENT;

	guard(mutex)(&session->mutex);
	if (session->retrieved)
		return -EINVAL;

	err = luo_session_getfile(session, filep);
	if (!err)
		session->retrieved = true;

	return err;
}

int luo_session_setup_outgoing(struct luo_root_ser *root)
{
	struct luo_session_header_ser *header_ser;

	header_ser = kho_alloc_preserve(LUO_SESSION_PGCNT << PAGE_SHIFT);
	if (IS_ERR(header_ser))
		return PTR_ERR(header_ser);

	strscpy(root->session_compatible, LUO_FDT_SESSION_COMPATIBLE);
	root->session_header = virt_to_phys(header_ser);

	luo_session_global.outgoing.header_ser = header_ser;
	luo_session_global.outgoing.ser = (void *)(header_ser + 1);
	luo_session_global.outgoing.active = true;

	return 0;
}

int luo_session_setup_incoming(const struct luo_root_ser *root)
{
	struct luo_session_header *sh = &luo_session_global.incoming;
	struct folio *folio;

	if (strnlen(root->session_compatible, sizeof(root->session_compatible)) ==
	    sizeof(root->session_compatible) ||
	    strcmp(root->session_compatible, LUO_FDT_SESSION_COMPATIBLE)) {
		pr_err("Session node incompatible [%s]\n",
		       LUO_FDT_SESSION_COMPATIBLE);
		return -EINVAL;
	}

	folio = luo_restore_block(root->session_header,
				  LUO_SESSION_PGCNT << PAGE_SHIFT);
	if (!folio) {
		pr_err("Session header at %#llx is not preserved\n",
		       (unsigned long long)root->session_header);
		return -EINVAL;
	}

	sh->folio = folio;
	sh->header_ser = folio_address(folio);
	sh->ser = (void *)(sh->header_ser + 1);
	sh->active = true;

	return 0;
}

/*
 * Note on error handling: if deserialization fails (allocation failure,
 * corrupt data, a missing handler), sessions already restored are not
 * cleaned up: the preserved state is inconsistent, and the expected
 * recovery is another reboot. The error is sticky.
 */
int luo_session_deserialize(void)
{
	struct luo_session_header *sh = &luo_session_global.incoming;
	u64 count, i;
	int err;

	/* If has been deserialized, always return the same error code */
	if (luo_is_deserialized)
		return luo_deserialize_err;

	luo_is_deserialized = true;
	if (!sh->active)
		return 0;

	err = 0;
	count = sh->header_ser->count;
	if (count > LUO_SESSION_MAX) {
		pr_warn("Invalid session count %llu\n", (unsigned long long)count);
		err = -EINVAL;
		goto out_free_header;
	}

	for (i = 0; i < count; i++) {
		struct luo_session *session;

		if (strnlen(sh->ser[i].name, sizeof(sh->ser[i].name)) ==
		    sizeof(sh->ser[i].name)) {
			pr_warn("Session name is not NUL-terminated\n");
			err = -EINVAL;
			goto out_free_header;
		}

		session = luo_session_alloc(sh->ser[i].name);
		if (IS_ERR(session)) {
			pr_warn("Failed to allocate session [%s] during deserialization\n",
				sh->ser[i].name);
			err = PTR_ERR(session);
			goto out_free_header;
		}
		session->incoming = true;

		err = luo_session_insert(sh, session);
		if (err) {
			pr_warn("Failed to insert session [%s] %d\n",
				session->name, err);
			luo_session_free(session);
			goto out_free_header;
		}

		scoped_guard(mutex, &session->mutex)
			err = luo_file_deserialize(session,
						   &sh->ser[i].file_set_ser);
		if (err) {
			pr_warn("Failed to deserialize files of session [%s] %d\n",
				session->name, err);
			goto out_free_header;
		}
	}

out_free_header:
	/* lusim: what a failure leaves is written off, by design (above) */
	if (err)
		lusim_journal_write_off();
	folio_put(sh->folio);
	sh->folio = NULL;
	sh->header_ser = NULL;
	sh->ser = NULL;
	luo_deserialize_err = err;

	return err;
}

/*
 * Freeze every outgoing session (list order, files FIFO) and write it into
 * the session block. On failure the sessions frozen so far are unfrozen in
 * reverse and nothing is left in the block.
 */
int luo_session_serialize(void)
{
	struct luo_session_header *sh = &luo_session_global.outgoing;
	struct luo_session *session;
	int i = 0, err = 0;

	guard(rwsem_write)(&sh->rwsem);
	if (WARN_ON(!sh->header_ser))
		return -EINVAL;

	list_for_each_entry(session, &sh->list, list) {
		scoped_guard(mutex, &session->mutex) {
			err = luo_file_freeze(session,
					      &sh->ser[i].file_set_ser);
			if (!err) {
				strscpy(sh->ser[i].name, session->name,
					sizeof(sh->ser[i].name));
				session->ser = &sh->ser[i];
			}
		}
		if (err)
			goto err_undo;
		i++;
	}
	sh->header_ser->count = sh->count;

	return 0;

err_undo:
	list_for_each_entry_continue_reverse(session, &sh->list, list) {
		guard(mutex)(&session->mutex);
		luo_file_unfreeze(session, session->ser ?
				  &session->ser->file_set_ser : NULL);
		if (session->ser)
			memset(session->ser, 0, sizeof(*session->ser));
		session->ser = NULL;
	}
	sh->header_ser->count = 0;

	return err;
}

/* The reboot failed after every session was frozen: roll all back. */
void luo_session_abort_reboot(void)
{
	struct luo_session_header *sh = &luo_session_global.outgoing;
	struct luo_session *session;

	guard(rwsem_write)(&sh->rwsem);
	list_for_each_entry_reverse(session, &sh->list, list) {
		guard(mutex)(&session->mutex);
		if (!session->ser)
			continue;
		luo_file_unfreeze(session, &session->ser->file_set_ser);
		memset(session->ser, 0, sizeof(*session->ser));
		session->ser = NULL;
	}
	if (sh->header_ser)
		sh->header_ser->count = 0;
}

/**
 * luo_session_quiesce - Ensure no active sessions exist and lock session lists.
 *
 * Acquires exclusive write locks on both incoming and outgoing session lists
 * and checks that no session exists in either. Used during file handler and
 * FLB (un)registration.
 *
 * Return: true: quiescent and locked; false: sessions exist (unlocked).
 */
bool luo_session_quiesce(void)
{
	down_write(&luo_session_global.incoming.rwsem);
	down_write(&luo_session_global.outgoing.rwsem);

	if (luo_session_global.incoming.count ||
	    luo_session_global.outgoing.count) {
		up_write(&luo_session_global.outgoing.rwsem);
		up_write(&luo_session_global.incoming.rwsem);
		return false;
	}

	return true;
}

/* Release the locks taken by a successful luo_session_quiesce(). */
void luo_session_resume(void)
{
	up_write(&luo_session_global.outgoing.rwsem);
	up_write(&luo_session_global.incoming.rwsem);
}

unsigned long lusim_liveupdate_flb_outgoing_files(struct liveupdate_flb *flb)
{
	struct luo_session *session;
	unsigned long n = 0;

	down_read(&luo_session_global.outgoing.rwsem);
	list_for_each_entry(session, &luo_session_global.outgoing.list, list)
		n += luo_file_set_count_flb(&session->file_set, flb);
	up_read(&luo_session_global.outgoing.rwsem);
	return n;
}

bool lusim_liveupdate_state_normal(void)
{
	struct luo_session *session;
	bool normal = true;

	down_read(&luo_session_global.incoming.rwsem);
	if (luo_session_global.incoming.count)
		normal = false;
	up_read(&luo_session_global.incoming.rwsem);
	if (!normal)
		return false;

	down_read(&luo_session_global.outgoing.rwsem);
	list_for_each_entry(session, &luo_session_global.outgoing.list, list)
		if (session->file_set.count)
			normal = false;
	up_read(&luo_session_global.outgoing.rwsem);
	return normal;
}

/*
 * lusim: power off (see <linux/liveupdate.h>). Incoming sessions that phase
 * 1 never finished (not retrieved, or retrieved and their finish refused)
 * stay allocated in the kernel until the next reboot; at power off that is
 * not a leak, so they are released here, before the teardown leak check,
 * without running any handler.
 */
void lusim_liveupdate_power_off(void)
{
	struct luo_session_header *sh = &luo_session_global.incoming;
	struct luo_session *session, *tmp;

	down_write(&sh->rwsem);
	list_for_each_entry_safe(session, tmp, &sh->list, list) {
		scoped_guard(mutex, &session->mutex)
			luo_file_lusim_drop_incoming(session);
		list_del(&session->list);
		sh->count--;
		luo_session_free(session);
	}
	if (sh->folio) {
		folio_put(sh->folio);
		sh->folio = NULL;
		sh->header_ser = NULL;
		sh->ser = NULL;
	}
	up_write(&sh->rwsem);
	luo_file_put_flush();
	luo_flb_lusim_drop_incoming();
}

/*
 * Kernel state: gone at kexec (the sessions' memory is the slab's to
 * forget). The rwsems are re-initialized in case a test stopped while one
 * was held.
 */
static void luo_session_reset(void)
{
	struct luo_session_global *g = &luo_session_global;

	memset(g, 0, sizeof(*g));
	INIT_LIST_HEAD(&g->incoming.list);
	INIT_LIST_HEAD(&g->outgoing.list);
	init_rwsem(&g->incoming.rwsem);
	init_rwsem(&g->outgoing.rwsem);
	luo_is_deserialized = false;
	luo_deserialize_err = 0;
}
LUSIM_RESET_FN(luo_session_reset, LUSIM_RESET_PRIO_SHIM)
