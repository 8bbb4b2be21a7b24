// SPDX-License-Identifier: GPL-2.0-only
/*
 * luo_core.c - Live Update Orchestrator: enablement, boot-time setup of the
 * incoming and outgoing state, liveupdate_reboot(), and /dev/liveupdate.
 *
 * The LUO state is one KHO sub-tree named "LUO": a preserved page holding
 * struct luo_root_ser (lusim's stand-in for the LUO FDT), which points at
 * the session block and the FLB block.
 *
 * Boot order (initcalls): KHO reads the handover first (LUSIM_INIT_EARLY);
 * luo_early_startup() (core) restores the previous kernel's LUO root, session
 * header and FLB table, so drivers probing later can already ask for their
 * FLB data; luo_late_startup() (late) allocates and preserves this kernel's
 * outgoing blocks and registers /dev/liveupdate. Sessions of the previous
 * kernel are deserialized on the first open of /dev/liveupdate.
 *
 * /dev/liveupdate is a single-opener device (a second open: -EBUSY). A
 * failed deserialization is sticky: every open returns -EIO.
 */
#define pr_fmt(fmt) "luo: " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/luo.h>
#include <linux/liveupdate.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <lusim/reset.h>

#include "luo_internal.h"

static struct {
	bool enabled;
	struct luo_root_ser *root_out;
	u64 liveupdate_num;
	unsigned int generation;
} luo_global;

/* the "liveupdate=on" command line: survives kexec, reset at power-on */
static bool luo_cmdline = true;

void lusim_liveupdate_set_cmdline(bool enabled)
{
	luo_cmdline = enabled;
}

bool liveupdate_enabled(void)
{
	return luo_global.enabled;
}

u64 lusim_liveupdate_number(void)
{
	return luo_global.liveupdate_num;
}

unsigned int luo_generation(void)
{
	return luo_global.generation;
}

/*
 * Restore the preserved block at @phys if it holds at least @min_size
 * bytes. Checked first, so corrupted handover data never WARNs here (the
 * newest LUO checks kho_is_restorable_phys() before touching an address).
 */
struct folio *luo_restore_block(u64 phys, size_t min_size)
{
	struct folio *folio;

	if (!phys || !kho_is_restorable_phys(phys))
		return NULL;
	folio = kho_restore_folio(phys);
	if (!folio)
		return NULL;
	if (folio_size(folio) < min_size) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}

static bool luo_compat_ok(const char *field, size_t size, const char *compat)
{
	return strnlen(field, size) < size && !strcmp(field, compat);
}

static int luo_early_startup(void)
{
	struct luo_root_ser *root;
	struct folio *folio;
	phys_addr_t phys;
	int err;

	if (!kho_is_enabled()) {
		if (luo_cmdline)
			pr_warn("Disabling liveupdate because KHO is disabled\n");
		return 0;
	}

	/* Retrieve LUO subtree, and verify its format. */
	err = kho_retrieve_subtree(LUO_FDT_KHO_ENTRY_NAME, &phys);
	if (err) {
		if (err != -ENOENT) {
			pr_err("failed to retrieve '%s' from KHO: %d\n",
			       LUO_FDT_KHO_ENTRY_NAME, err);
			return err;
		}
		return 0;
	}

	folio = luo_restore_block(phys, sizeof(*root));
	if (!folio) {
		pr_err("the LUO root at %#llx is not preserved\n",
		       (unsigned long long)phys);
		return -EINVAL;
	}
	root = folio_address(folio);
	err = -EINVAL;
	if (!luo_compat_ok(root->compatible, sizeof(root->compatible),
			   LUO_FDT_COMPATIBLE)) {
		pr_err("LUO root is incompatible with '%s'\n", LUO_FDT_COMPATIBLE);
		goto out;
	}
	luo_global.liveupdate_num = root->liveupdate_num;
	pr_info("Retrieved live update data, liveupdate number: %llu\n",
		(unsigned long long)luo_global.liveupdate_num);

	err = luo_session_setup_incoming(root);
	if (err)
		goto out;
	err = luo_flb_setup_incoming(root);
out:
	folio_put(folio);
	return err;
}

static int liveupdate_early_init(void)
{
	int err;

	luo_global.enabled = luo_cmdline;
	if (!luo_global.enabled)
		return 0;
	err = luo_early_startup();
	if (err) {
		luo_global.enabled = false;
		pr_err("The incoming tree failed to initialize properly [%d], disabling live update\n",
		       err);
	}
	/* a broken handover disables live update, it does not stop the boot */
	return 0;
}
LUSIM_INITCALL(liveupdate_early_init, LUSIM_INIT_CORE)

/* Called during boot to create the outgoing LUO tree */
static int luo_fdt_setup(void)
{
	struct luo_root_ser *root;
	int err;

	root = kho_alloc_preserve(LUO_FDT_SIZE);
	if (IS_ERR(root)) {
		pr_err("failed to allocate/preserve the LUO root\n");
		return PTR_ERR(root);
	}
	strscpy(root->compatible, LUO_FDT_COMPATIBLE);
	root->liveupdate_num = luo_global.liveupdate_num + 1;

	err = luo_session_setup_outgoing(root);
	if (err)
		goto exit_free;
	err = luo_flb_setup_outgoing(root);
	if (err)
		goto exit_free;
	err = kho_add_subtree(LUO_FDT_KHO_ENTRY_NAME, root);
	if (err)
		goto exit_free;
	luo_global.root_out = root;
	return 0;

exit_free:
	/* the session and FLB blocks are the page allocator's to forget */
	kho_unpreserve_free(root);
	pr_err("failed to prepare the LUO root: %d\n", err);
	return err;
}

/* --- /dev/liveupdate ------------------------------------------------------ */

struct luo_device_state {
	atomic_t in_use;
};

static struct luo_device_state luo_dev;

static int luo_ioctl_create_session(struct luo_ucmd *ucmd)
{
	struct liveupdate_ioctl_create_session *argp = ucmd->cmd;
	struct file *file;
	int err, fd;

	err = luo_session_create((const char *)argp->name, &file);
	if (err)
		return err;
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

static int luo_ioctl_retrieve_session(struct luo_ucmd *ucmd)
{
	struct liveupdate_ioctl_retrieve_session *argp = ucmd->cmd;
	struct file *file;
	int err, fd;

	err = luo_session_retrieve((const char *)argp->name, &file);
	if (err < 0)
		return err;
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

static int luo_open(struct inode *inodep, struct file *filep)
{
	struct luo_device_state *ldev = filep->private_data;

	(void)inodep;
	if (atomic_cmpxchg(&ldev->in_use, 0, 1))
		return -EBUSY;

	/* Always return -EIO to user if deserialization fail */
	if (luo_session_deserialize()) {
		atomic_set(&ldev->in_use, 0);
		return -EIO;
	}
	return 0;
}

static int luo_release(struct inode *inodep, struct file *filep)
{
	struct luo_device_state *ldev = filep->private_data;

	(void)inodep;
	atomic_set(&ldev->in_use, 0);
	return 0;
}

union ucmd_buffer {
	struct liveupdate_ioctl_create_session create;
	struct liveupdate_ioctl_retrieve_session retrieve;
};

struct luo_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct luo_ucmd *ucmd);
};

#define offsetofend(TYPE, MEMBER) \
	(offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))

#define IOCTL_OP(_ioctl, _fn, _struct, _last)				\
	[_IOC_NR(_ioctl) - LIVEUPDATE_CMD_BASE] = {			\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union ucmd_buffer) <	\
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.ioctl_num = _ioctl,					\
		.execute = _fn,						\
	}

static const struct luo_ioctl_op luo_ioctl_ops[] = {
	IOCTL_OP(LIVEUPDATE_IOCTL_CREATE_SESSION, luo_ioctl_create_session,
		 struct liveupdate_ioctl_create_session, name),
	IOCTL_OP(LIVEUPDATE_IOCTL_RETRIEVE_SESSION, luo_ioctl_retrieve_session,
		 struct liveupdate_ioctl_retrieve_session, name),
};

static long luo_ioctl(struct file *filep, unsigned int cmd, unsigned long arg)
{
	const struct luo_ioctl_op *op;
	struct luo_ucmd ucmd = {};
	union ucmd_buffer buf;
	unsigned int nr;
	int err;

	(void)filep;
	nr = _IOC_NR(cmd);
	if (nr - LIVEUPDATE_CMD_BASE >= ARRAY_SIZE(luo_ioctl_ops))
		return -EINVAL;

	ucmd.ubuffer = (void __user *)arg;
	err = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (err)
		return err;

	op = &luo_ioctl_ops[nr - LIVEUPDATE_CMD_BASE];
	if (op->ioctl_num != cmd)
		return -ENOTTY;		/* -ENOIOCTLCMD, as the VFS reports it */
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	err = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (err)
		return err;

	return op->execute(&ucmd);
}

static const struct file_operations luo_fops = {
	.name		= "liveupdate",
	.open		= luo_open,
	.release	= luo_release,
	.unlocked_ioctl	= luo_ioctl,
};

/*
 * late initcall: the outgoing tree is needed only once userspace uses
 * /dev/liveupdate.
 */
static int luo_late_startup(void)
{
	int err;

	if (!liveupdate_enabled())
		return 0;

	err = luo_fdt_setup();
	if (err) {
		luo_global.enabled = false;
		return 0;
	}
	return lusim_register_chrdev("/dev/liveupdate", &luo_fops, &luo_dev);
}
LUSIM_INITCALL(luo_late_startup, LUSIM_INIT_LATE)

/**
 * liveupdate_reboot() - Kernel reboot notifier for live update final
 * serialization.
 *
 * Invoked from the reboot path (lusim_kexec()). Freezes and serializes all
 * outgoing sessions, serializes the FLBs and finalizes KHO. If anything
 * fails, the freeze callbacks are undone and the error is returned; a KHO
 * error is reported as -EAGAIN.
 */
int liveupdate_reboot(void)
{
	int err;

	if (!liveupdate_enabled())
		return 0;

	err = luo_session_serialize();
	if (err)
		return err;

	luo_flb_serialize();

	err = kho_finalize();
	if (err) {
		pr_err("kho_finalize failed %d\n", err);
		luo_session_abort_reboot();
		/*
		 * kho_finalize() may return libfdt errors, to avoid passing to
		 * userspace unknown errors, change this to EAGAIN.
		 */
		err = -EAGAIN;
	}
	return err;
}

/* Kernel state: gone at kexec. The generation only ever grows. */
static void luo_core_reset(void)
{
	unsigned int generation = luo_global.generation;

	memset(&luo_global, 0, sizeof(luo_global));
	luo_global.generation = generation + 1;
	atomic_set(&luo_dev.in_use, 0);
}
LUSIM_RESET_FN(luo_core_reset, LUSIM_RESET_PRIO_SHIM)

static void luo_power_on(void)
{
	luo_cmdline = true;
}
LUSIM_RESET_FN(luo_power_on, LUSIM_RESET_PRIO_MACHINE)
