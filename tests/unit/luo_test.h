/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by test_luo.c and test_kexec.c: a dummy file type, a LUO file
 * handler for it that logs every callback and can be told to fail, an FLB,
 * and the userspace side of /dev/liveupdate (ioctls through lusim_sys_*).
 *
 * A dummy file's handler state is one KHO-preserved page: its physical
 * address is the file's serialized_data, its bytes are { magic, id, seed,
 * pattern }, so a retrieve after kexec proves the bytes survived.
 */
#ifndef _LUSIM_TESTS_LUO_TEST_H
#define _LUSIM_TESTS_LUO_TEST_H

#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kexec_handover.h>
#include <linux/liveupdate.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/linux/liveupdate.h>
#include <lusim/kexec.h>

#include <stdio.h>

#include "lusim_test.h"

#define DUMMY_MAGIC	0x64756d6d79ULL		/* "dummy" */
#define DUMMY_PATTERN	64

struct dummy_state {		/* the preserved page */
	u64 magic;
	u64 id;
	u64 seed;
	u64 dep_token;		/* token of the dependency, found at preserve */
	unsigned char pattern[DUMMY_PATTERN];
};

struct dummy_file {		/* file->private_data */
	int id;
	unsigned char seed;
	struct file *dep;	/* a file that must be preserved before this one */
	struct folio *folio;	/* after retrieve: the restored state page */
};

/* knobs and the callback log; statics of the test survive kexec */
static struct {
	int fail_preserve_id, fail_preserve_err;
	int fail_freeze_id, fail_retrieve_id, cant_finish_id;
	int retrieve_calls;
	int releases;
	bool bad_args;		/* a callback saw args->session == NULL */
	bool check_own_token;	/* preserve: own file must not be visible */
	char log[4096];
} dummy;

static void dummy_log(const char *op, long id)
{
	size_t len = strlen(dummy.log);

	snprintf(dummy.log + len, sizeof(dummy.log) - len, "%s%s:%ld",
		 len ? " " : "", op, id);
}

static void dummy_reset_knobs(void)
{
	memset(&dummy, 0, sizeof(dummy));
	dummy.fail_preserve_id = dummy.fail_freeze_id = -1;
	dummy.fail_retrieve_id = dummy.cant_finish_id = -1;
}

static int dummy_release(struct inode *inode, struct file *file)
{
	struct dummy_file *df = file->private_data;

	(void)inode;
	dummy.releases++;
	if (df->folio)
		folio_put(df->folio);
	if (df->dep)
		fput(df->dep);
	kfree(df);
	return 0;
}

static const struct file_operations dummy_fops = {
	.name = "dummy",
	.release = dummy_release,
};

static const struct file_operations other_fops = {
	.name = "other",
};

static struct file *dummy_file_new(int id, unsigned char seed)
{
	struct dummy_file *df = kzalloc(sizeof(*df), GFP_KERNEL);
	struct file *file;

	assert_non_null(df);
	df->id = id;
	df->seed = seed;
	file = anon_inode_getfile("dummy", &dummy_fops, df, 0);
	assert_false(IS_ERR(file));
	return file;
}

/* a new dummy file in the fd table; returns the fd */
static int dummy_open(int id, unsigned char seed)
{
	int fd = lusim_fd_install(dummy_file_new(id, seed));

	assert_true(fd >= 0);
	return fd;
}

/* make @fd's preserve look up @dep_fd's token (a dependency) */
static void dummy_set_dep(int fd, int dep_fd)
{
	struct file *file = fget(fd);
	struct dummy_file *df = file->private_data;

	df->dep = fget(dep_fd);
	fput(file);
}

static int dummy_id(struct liveupdate_file_op_args *args)
{
	const struct dummy_state *st;

	if (args->file)
		return ((struct dummy_file *)args->file->private_data)->id;
	st = phys_to_virt(args->serialized_data);
	return st ? (int)st->id : -1;
}

static void dummy_check_args(struct liveupdate_file_op_args *args)
{
	if (!args->session || !args->handler)
		dummy.bad_args = true;
}

static bool dummy_can_preserve(struct liveupdate_file_handler *h,
			       struct file *file)
{
	(void)h;
	return file->f_op == &dummy_fops;
}

static int dummy_preserve(struct liveupdate_file_op_args *args)
{
	struct dummy_file *df = args->file->private_data;
	struct dummy_state *st;
	u64 token;
	int i;

	dummy_check_args(args);
	dummy_log("pre", df->id);
	if (df->id == dummy.fail_preserve_id)
		return dummy.fail_preserve_err ?: -EIO;
	/* a file is never visible to its own preserve */
	if (dummy.check_own_token &&
	    liveupdate_get_token_outgoing(args->session, args->file, &token) != -ENOENT)
		dummy.bad_args = true;
	if (df->dep) {
		int err = liveupdate_get_token_outgoing(args->session, df->dep,
							&token);

		if (err)
			return err;
	} else {
		token = ~0ULL;
	}
	st = kho_alloc_preserve(sizeof(*st));
	if (IS_ERR(st))
		return PTR_ERR(st);
	st->magic = DUMMY_MAGIC;
	st->id = df->id;
	st->seed = df->seed;
	st->dep_token = token;
	for (i = 0; i < DUMMY_PATTERN; i++)
		st->pattern[i] = (unsigned char)(df->seed + i);
	args->serialized_data = virt_to_phys(st);
	args->private_data = df;
	return 0;
}

static void dummy_unpreserve(struct liveupdate_file_op_args *args)
{
	dummy_check_args(args);
	dummy_log("unp", dummy_id(args));
	if (args->private_data != args->file->private_data)
		dummy.bad_args = true;
	kho_unpreserve_free(phys_to_virt(args->serialized_data));
}

static int dummy_freeze(struct liveupdate_file_op_args *args)
{
	int id = dummy_id(args);

	dummy_check_args(args);
	dummy_log("frz", id);
	return id == dummy.fail_freeze_id ? -EAGAIN : 0;
}

static void dummy_unfreeze(struct liveupdate_file_op_args *args)
{
	dummy_check_args(args);
	dummy_log("unf", dummy_id(args));
}

static bool dummy_state_ok(const struct dummy_state *st)
{
	int i;

	if (st->magic != DUMMY_MAGIC)
		return false;
	for (i = 0; i < DUMMY_PATTERN; i++)
		if (st->pattern[i] != (unsigned char)(st->seed + i))
			return false;
	return true;
}

static int dummy_retrieve(struct liveupdate_file_op_args *args)
{
	struct dummy_state *st;
	struct folio *folio;
	struct file *file;
	int id;

	dummy_check_args(args);
	dummy.retrieve_calls++;
	id = dummy_id(args);
	dummy_log("ret", id);
	if (id == dummy.fail_retrieve_id)
		return -ENXIO;
	folio = kho_restore_folio(args->serialized_data);
	if (!folio)
		return -EINVAL;
	st = folio_address(folio);
	if (!dummy_state_ok(st)) {
		folio_put(folio);
		return -EINVAL;
	}
	file = dummy_file_new((int)st->id, (unsigned char)st->seed);
	((struct dummy_file *)file->private_data)->folio = folio;
	args->file = file;
	return 0;
}

static bool dummy_can_finish(struct liveupdate_file_op_args *args)
{
	int id = dummy_id(args);

	dummy_check_args(args);
	dummy_log("can", id);
	return id != dummy.cant_finish_id;
}

static void dummy_finish(struct liveupdate_file_op_args *args)
{
	dummy_check_args(args);
	dummy_log(args->file ? "fin" : "fin-unretrieved", dummy_id(args));
	/* never retrieved: nobody restored the state page, free it here */
	if (!args->file)
		kho_restore_free(phys_to_virt(args->serialized_data));
}

static const struct liveupdate_file_ops dummy_ops = {
	.can_preserve = dummy_can_preserve,
	.preserve = dummy_preserve,
	.unpreserve = dummy_unpreserve,
	.freeze = dummy_freeze,
	.unfreeze = dummy_unfreeze,
	.retrieve = dummy_retrieve,
	.can_finish = dummy_can_finish,
	.finish = dummy_finish,
};

/* statics of "the model": they outlive kexec, as model statics do */
static struct liveupdate_file_handler dummy_handler = {
	.ops = &dummy_ops,
	.compatible = "lusim-dummy-v1",
};

/* --- an FLB ---------------------------------------------------------------- */

static struct {
	int preserve, unpreserve, retrieve, finish;
	int fail_preserve;
	u64 data;
	void *obj;
} flbc;

static int flb_preserve(struct liveupdate_flb_op_args *argp)
{
	flbc.preserve++;
	if (flbc.fail_preserve)
		return flbc.fail_preserve;
	argp->data = 0x1234 + flbc.preserve;
	argp->obj = &flbc;
	return 0;
}

static void flb_unpreserve(struct liveupdate_flb_op_args *argp)
{
	flbc.unpreserve++;
	if (argp->obj != &flbc)
		dummy.bad_args = true;
}

static int flb_retrieve(struct liveupdate_flb_op_args *argp)
{
	flbc.retrieve++;
	flbc.data = argp->data;
	argp->obj = &flbc.data;
	return 0;
}

static void flb_finish(struct liveupdate_flb_op_args *argp)
{
	flbc.finish++;
	flbc.obj = argp->obj;
}

static const struct liveupdate_flb_ops test_flb_ops = {
	.preserve = flb_preserve,
	.unpreserve = flb_unpreserve,
	.retrieve = flb_retrieve,
	.finish = flb_finish,
};

static struct liveupdate_flb test_flb = {
	.ops = &test_flb_ops,
	.compatible = "lusim-test-flb-v1",
};

/* --- userspace ------------------------------------------------------------ */

static int luo_dev_open(void)
{
	return lusim_sys_open("/dev/liveupdate");
}

static int luo_create_session(int devfd, const char *name)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg) };
	long ret;

	strncpy((char *)arg.name, name, sizeof(arg.name));
	ret = lusim_sys_ioctl(devfd, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg);
	return ret ? (int)ret : arg.fd;
}

static int luo_retrieve_session(int devfd, const char *name)
{
	struct liveupdate_ioctl_retrieve_session arg = { .size = sizeof(arg) };
	long ret;

	strncpy((char *)arg.name, name, sizeof(arg.name));
	ret = lusim_sys_ioctl(devfd, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &arg);
	return ret ? (int)ret : arg.fd;
}

static int luo_preserve(int sfd, int fd, u64 token)
{
	struct liveupdate_session_preserve_fd arg = {
		.size = sizeof(arg), .fd = fd, .token = token,
	};

	return (int)lusim_sys_ioctl(sfd, LIVEUPDATE_SESSION_PRESERVE_FD, &arg);
}

static int luo_retrieve(int sfd, u64 token)
{
	struct liveupdate_session_retrieve_fd arg = {
		.size = sizeof(arg), .token = token,
	};
	long ret = lusim_sys_ioctl(sfd, LIVEUPDATE_SESSION_RETRIEVE_FD, &arg);

	return ret ? (int)ret : arg.fd;
}

static int luo_finish(int sfd)
{
	struct liveupdate_session_finish arg = { .size = sizeof(arg) };

	return (int)lusim_sys_ioctl(sfd, LIVEUPDATE_SESSION_FINISH, &arg);
}

/* the id of the dummy file behind @fd */
static int dummy_fd_id(int fd)
{
	struct file *file = fget(fd);
	int id;

	assert_non_null(file);
	assert_ptr_equal(file->f_op, &dummy_fops);
	id = ((struct dummy_file *)file->private_data)->id;
	fput(file);
	return id;
}

/*
 * The dummy "module": registers the handler (and the FLB) at every boot, as
 * module_init() would; errors are recorded, the boot goes on.
 */
static bool dummy_with_flb = true;
static bool dummy_no_register;
static int dummy_reg_err, dummy_flb_err;

static int dummy_module_init(void)
{
	dummy_reg_err = dummy_flb_err = 0;
	if (dummy_no_register)
		return 0;
	dummy_reg_err = liveupdate_register_file_handler(&dummy_handler);
	if (!dummy_reg_err && dummy_with_flb)
		dummy_flb_err = liveupdate_register_flb(&dummy_handler, &test_flb);
	return 0;
}
LUSIM_INITCALL(dummy_module_init, LUSIM_INIT_DEVICE)

/*
 * lusim_reset_kernel() clears the findings of the old kernel at kexec: a
 * hook counts (and prints) those seen up to the freeze, and the teardown
 * fails if there were any.
 */
static unsigned int lost_findings;

static int note_findings(enum lusim_kexec_stage stage)
{
	(void)stage;
	if (lusim_findings_count()) {
		lusim_findings_print(NULL);
		lost_findings += lusim_findings_count();
	}
	return 0;
}

/* power-on and boot */
static int luo_test_setup(void **state)
{
	(void)state;
	lost_findings = 0;
	lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, note_findings);
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	lusim_reset_all();
	lusim_findings_clear();
	dummy_reset_knobs();
	memset(&flbc, 0, sizeof(flbc));
	dummy_with_flb = true;
	dummy_no_register = false;
	if (lusim_boot() || dummy_reg_err || dummy_flb_err)
		return -1;
	return 0;
}

static int luo_test_teardown(void **state)
{
	int ret = lost_findings ? -1 : 0;

	if (ret)
		fprintf(stderr, "%u finding(s) before a kexec\n", lost_findings);
	lusim_test_teardown(state);
	return ret;
}

#define luo_unit_test(f) \
	cmocka_unit_test_setup_teardown(f, luo_test_setup, luo_test_teardown)

#endif /* _LUSIM_TESTS_LUO_TEST_H */
