// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUO (kernel-shim/kernel/liveupdate/luo_*.c) through /dev/liveupdate and
 * the in-kernel API, with a dummy file handler (luo_test.h): every errno of
 * kernel-model.md 1.5 in step order and of 7.2 items 1-9, handler and FLB
 * registration, FLB counting and callbacks across sessions, LIFO
 * unpreserve, freeze FIFO with rollback, retrieve and finish after kexec,
 * and the sticky deserialization error on corrupted serialized pages.
 */
#include <linux/kho/abi/kexec_handover.h>
#include <linux/kho/abi/luo.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <lusim/fault.h>
#include <lusim/kexec.h>
#include <hw/hw.h>

#include "luo_test.h"

/* 7.2 #1: a single opener */
static void test_dev_open(void **state)
{
	int fd, fd2;

	(void)state;
	fd = luo_dev_open();
	assert_true(fd >= 0);
	assert_int_equal(luo_dev_open(), -EBUSY);
	assert_int_equal(lusim_sys_close(fd), 0);
	fd2 = luo_dev_open();
	assert_true(fd2 >= 0);
	lusim_sys_close(fd2);
	assert_no_findings();
}

/* 7.2 #2: create, duplicate name, full table */
static void test_create_session(void **state)
{
	int dev = luo_dev_open(), s1, s2, i, n = 0;
	char name[32];

	(void)state;
	s1 = luo_create_session(dev, "vm0");
	assert_true(s1 >= 0);
	assert_int_equal(luo_create_session(dev, "vm0"), -EEXIST);
	s2 = luo_create_session(dev, "vm1");
	assert_true(s2 >= 0);
	/* closing frees the name */
	lusim_sys_close(s1);
	s1 = luo_create_session(dev, "vm0");
	assert_true(s1 >= 0);
	/* 16 pages of sessions: the 820th session does not fit -> ENOMEM */
	for (i = 2; ; i++) {
		int fd;

		snprintf(name, sizeof(name), "s%d", i);
		fd = luo_create_session(dev, name);
		if (fd < 0) {
			assert_int_equal(fd, -ENOMEM);
			break;
		}
		n++;
	}
	assert_int_equal(n + 2, ((16 << PAGE_SHIFT) - 8) / sizeof(struct luo_session_ser));
	assert_no_findings();
}

/* the ioctl envelope: size, trailing bytes, unknown numbers, bad pointer */
static void test_ioctl_envelope(void **state)
{
	int dev = luo_dev_open(), sfd;
	struct {
		struct liveupdate_ioctl_create_session c;
		u8 tail[8];
	} big = { .c = { .size = sizeof(big), .name = "x" } };
	struct liveupdate_ioctl_create_session small = { .size = 4 };
	struct liveupdate_session_finish fin = { .size = sizeof(fin) };

	(void)state;
	big.tail[3] = 1;
	assert_int_equal(lusim_sys_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &big), -E2BIG);
	big.tail[3] = 0;
	assert_int_equal(lusim_sys_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &big), 0);
	assert_true(big.c.fd >= 0);
	assert_int_equal(lusim_sys_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &small), -EINVAL);
	assert_int_equal(lusim_sys_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, NULL), -EFAULT);
	assert_int_equal(lusim_sys_ioctl(dev, _IO(LIVEUPDATE_IOCTL_TYPE, 0x07), &fin), -EINVAL);
	assert_int_equal(lusim_sys_ioctl(dev, _IOW(LIVEUPDATE_IOCTL_TYPE, 0x00, int), &big), -ENOTTY);
	sfd = big.c.fd;
	/* session fd: device ioctls are not session ioctls */
	assert_int_equal(lusim_sys_ioctl(sfd, LIVEUPDATE_IOCTL_CREATE_SESSION, &big), -EINVAL);
	assert_int_equal(lusim_sys_ioctl(sfd, _IO(LIVEUPDATE_IOCTL_TYPE, 0x43), &fin), -EINVAL);
	/* FINISH / RETRIEVE_FD on an outgoing session */
	assert_int_equal(luo_finish(sfd), -EINVAL);
	assert_int_equal(luo_retrieve(sfd, 1), -EINVAL);
	/* RETRIEVE_SESSION in a kernel without incoming sessions */
	assert_int_equal(luo_retrieve_session(dev, "x"), -ENOENT);
	assert_no_findings();
}

/*
 * kernel-model.md 1.5, preserve steps 1-10, each error with the state of
 * the previous steps and in their order.
 */
static void test_preserve_errnos(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "s");
	int a = dummy_open(1, 10), b = dummy_open(2, 20), i;
	struct file *other = anon_inode_getfile("other", &other_fops, NULL, 0);
	int ofd = lusim_fd_install(other);
	long count;

	(void)state;
	assert_int_equal(luo_preserve(s, a, 100), 0);
	/* 1: token used (checked before the fd: a bad fd still gives EEXIST) */
	assert_int_equal(luo_preserve(s, b, 100), -EEXIST);
	assert_int_equal(luo_preserve(s, 999, 100), -EEXIST);
	/* 3: bad fd */
	assert_int_equal(luo_preserve(s, 999, 101), -EBADF);
	assert_int_equal(luo_preserve(s, -1, 101), -EBADF);
	/* 5: no handler */
	assert_int_equal(luo_preserve(s, ofd, 101), -ENOENT);
	/* 6: the same file again, other token: already managed */
	assert_int_equal(luo_preserve(s, a, 101), -EBUSY);
	/* tokens are per session: token 100 is fine in another session */
	{
		int s2 = luo_create_session(dev, "s2");

		assert_int_equal(luo_preserve(s2, a, 100), -EBUSY);
		assert_int_equal(luo_preserve(s2, b, 100), 0);
		assert_int_equal(luo_preserve(s, b, 102), -EBUSY);
		lusim_sys_close(s2);
		assert_int_equal(luo_preserve(s, b, 102), 0);
	}
	/* token 0 is legal */
	{
		int c = dummy_open(3, 30);

		assert_int_equal(luo_preserve(s, c, 0), 0);
	}
	/* 2: the session is full (checked before the fd) */
	count = 3;
	for (i = 0; count < (long)((2 << PAGE_SHIFT) / sizeof(struct luo_file_ser)); i++) {
		int fd = dummy_open(100 + i, (unsigned char)i);

		assert_int_equal(luo_preserve(s, fd, 1000 + i), 0);
		lusim_sys_close(fd);	/* LUO keeps its own reference */
		count++;
	}
	assert_int_equal(luo_preserve(s, 999, 5000), -ENOSPC);
	assert_int_equal(luo_preserve(s, ofd, 5000), -ENOSPC);
	assert_int_equal(luo_preserve(s, ofd, 100), -EEXIST);
	assert_false(dummy.bad_args);
	assert_no_findings();
}

/* 4: the session's serialization block (KHO) fails: fd reference dropped */
static void test_preserve_files_mem_fails(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "s");
	int a = dummy_open(1, 1);
	struct file *file = fget(a);
	long refs = file->f_count;

	(void)state;
	lusim_fail_nth(LUSIM_FAULT_KHO, 1);
	assert_int_equal(luo_preserve(s, a, 1), -ENOMEM);
	assert_int_equal(file->f_count, refs);
	lusim_fail_nth(LUSIM_FAULT_PAGE, 1);
	assert_int_equal(luo_preserve(s, a, 1), -ENOMEM);
	assert_int_equal(file->f_count, refs);
	assert_int_equal(dummy.log[0], 0);	/* no handler call */
	assert_int_equal(luo_preserve(s, a, 1), 0);
	assert_int_equal(file->f_count, refs + 1);
	fput(file);
	assert_no_findings();
}

/* 7 and 8: FLB and handler errors undo everything before them */
static void test_preserve_undo(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "s");
	int a = dummy_open(1, 1), b = dummy_open(2, 2);
	unsigned long live = lusim_page_live_blocks();
	struct file *file = fget(a);
	long refs = file->f_count;

	(void)state;
	/* 7: the FLB's preserve fails on 0 -> 1 */
	flbc.fail_preserve = -ENOSPC;
	assert_int_equal(luo_preserve(s, a, 1), -ENOSPC);
	assert_int_equal(flbc.preserve, 1);
	assert_int_equal(file->f_count, refs);
	assert_int_equal(lusim_page_live_blocks(), live);	/* files block freed */
	assert_int_equal(dummy.log[0], 0);
	flbc.fail_preserve = 0;

	/* 8: the handler fails: the FLB is unpreserved again (1 -> 0) */
	dummy.fail_preserve_id = 1;
	dummy.fail_preserve_err = -EPERM;
	assert_int_equal(luo_preserve(s, a, 1), -EPERM);
	assert_int_equal(flbc.preserve, 2);
	assert_int_equal(flbc.unpreserve, 1);
	assert_int_equal(file->f_count, refs);
	assert_int_equal(lusim_page_live_blocks(), live);
	dummy.fail_preserve_id = -1;

	/* and the file is not "managed": it can be preserved now */
	assert_int_equal(luo_preserve(s, a, 1), 0);
	assert_int_equal(luo_preserve(s, b, 2), 0);
	assert_int_equal(flbc.preserve, 3);
	assert_string_equal(dummy.log, "pre:1 pre:1 pre:2");
	fput(file);
	assert_no_findings();
}

/*
 * Every slab, page, KHO and user-copy fault point of a PRESERVE_FD, failed
 * one at a time: each failure leaves no trace (no leak, no FLB count, the
 * token still free); the step-10 copy failure (-EFAULT) leaves the file
 * preserved.
 */
static void test_preserve_fail_nth(void **state)
{
	static const enum lusim_fault_class classes[] = {
		LUSIM_FAULT_SLAB, LUSIM_FAULT_PAGE, LUSIM_FAULT_KHO, LUSIM_FAULT_USER,
	};
	unsigned int c;

	(void)state;
	for (c = 0; c < ARRAY_SIZE(classes); c++) {
		unsigned long k = 0, n;

		for (n = 1; ; n++) {
			int dev, s, a, err;
			unsigned long slab_mark, page_mark, before;

			lusim_test_teardown(NULL);
			assert_int_equal(luo_test_setup(NULL), 0);
			dev = luo_dev_open();
			s = luo_create_session(dev, "s");
			a = dummy_open(1, 1);
			slab_mark = lusim_slab_mark();
			page_mark = lusim_page_mark();
			before = lusim_fault_count(classes[c]);
			lusim_fail_nth(classes[c], n);
			err = luo_preserve(s, a, 7);
			if (!lusim_fault_injected(classes[c])) {
				assert_int_equal(err, 0);
				break;
			}
			/* the fault points of a whole PRESERVE_FD */
			if (!k) {
				lusim_test_teardown(NULL);
				assert_int_equal(luo_test_setup(NULL), 0);
				dev = luo_dev_open();
				s = luo_create_session(dev, "s");
				a = dummy_open(1, 1);
				before = lusim_fault_count(classes[c]);
				assert_int_equal(luo_preserve(s, a, 7), 0);
				k = lusim_fault_count(classes[c]) - before;
				n = 0;
				continue;
			}
			if (classes[c] == LUSIM_FAULT_USER && n == k) {
				/* step 10: preserved, but the response failed */
				assert_int_equal(err, -EFAULT);
				assert_int_equal(luo_preserve(s, a, 7), -EEXIST);
				continue;
			}
			assert_true(err == -ENOMEM || err == -EFAULT);
			assert_int_equal(flbc.preserve, flbc.unpreserve);
			rcu_barrier();
			if (lusim_slab_check_leaks_since(slab_mark)) {
				lusim_findings_print(NULL);
				fail_msg("class %u n %lu", c, n);
			}
			assert_int_equal(lusim_page_check_leaks_since(page_mark), 0);
			assert_int_equal(luo_preserve(s, a, 7), 0);
		}
		assert_true(n > 1);
	}
	assert_no_findings();
}

/*
 * 9 + 1.6: a file is visible to liveupdate_get_token_outgoing() only after
 * its own preserve, only in its session: dependencies in order.
 */
static void test_token_visibility(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "s");
	int s2 = luo_create_session(dev, "s2");
	int dep = dummy_open(1, 1), user = dummy_open(2, 2), other = dummy_open(3, 3);

	(void)state;
	dummy.check_own_token = true;
	dummy_set_dep(user, dep);
	/* the dependency is not preserved yet */
	assert_int_equal(luo_preserve(s, user, 2), -ENOENT);
	/* preserved in another session: still not visible */
	assert_int_equal(luo_preserve(s2, dep, 1), 0);
	assert_int_equal(luo_preserve(s, user, 2), -ENOENT);
	lusim_sys_close(s2);
	assert_int_equal(luo_preserve(s, dep, 11), 0);
	assert_int_equal(luo_preserve(s, user, 2), 0);
	assert_int_equal(luo_preserve(s, other, 3), 0);
	assert_false(dummy.bad_args);
	assert_no_findings();
}

/* liveupdate_get_token_outgoing() asserts the session mutex */
static void test_token_needs_mutex(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "s");
	int a = dummy_open(1, 1);
	struct file *sfile = fget(s), *file = fget(a);
	u64 token = 0;

	(void)state;
	assert_int_equal(luo_preserve(s, a, 42), 0);
	/* the session file's private data is the session (opaque here) */
	assert_int_equal(liveupdate_get_token_outgoing(sfile->private_data, file,
						       &token), 0);
	assert_int_equal(token, 42);
	assert_finding("LOCK-NOT-HELD");
	fput(sfile);
	fput(file);
}

/* closing an outgoing session: unpreserve LIFO, FLB 1 -> 0 once, refs */
static void test_close_unpreserves_lifo(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "s");
	int a = dummy_open(1, 1), b = dummy_open(2, 2), c = dummy_open(3, 3);
	unsigned long live = lusim_page_live_blocks();
	void *obj = (void *)1;

	(void)state;
	assert_int_equal(luo_preserve(s, a, 1), 0);
	assert_int_equal(luo_preserve(s, b, 2), 0);
	assert_int_equal(luo_preserve(s, c, 3), 0);
	assert_int_equal(liveupdate_flb_get_outgoing(&test_flb, &obj), 0);
	assert_ptr_equal(obj, &flbc);
	lusim_sys_close(b);	/* LUO holds the last reference of b */
	assert_int_equal(dummy.releases, 0);
	lusim_sys_close(s);
	assert_string_equal(dummy.log, "pre:1 pre:2 pre:3 unp:3 unp:2 unp:1");
	assert_int_equal(flbc.preserve, 1);
	assert_int_equal(flbc.unpreserve, 1);
	assert_int_equal(dummy.releases, 1);	/* b, after the session mutex */
	assert_int_equal(liveupdate_flb_get_outgoing(&test_flb, &obj), 0);
	assert_null(obj);
	assert_int_equal(lusim_page_live_blocks(), live);	/* state pages, block */
	/* the files can be preserved again */
	s = luo_create_session(dev, "s");
	assert_int_equal(luo_preserve(s, a, 1), 0);
	assert_false(dummy.bad_args);
	assert_no_findings();
}

/* FLB count across sessions */
static void test_flb_count(void **state)
{
	int dev = luo_dev_open();
	int s1 = luo_create_session(dev, "s1"), s2 = luo_create_session(dev, "s2");
	int a = dummy_open(1, 1), b = dummy_open(2, 2), c = dummy_open(3, 3);

	(void)state;
	assert_int_equal(luo_preserve(s1, a, 1), 0);
	assert_int_equal(luo_preserve(s2, b, 1), 0);
	assert_int_equal(luo_preserve(s2, c, 2), 0);
	assert_int_equal(flbc.preserve, 1);
	lusim_sys_close(s2);
	assert_int_equal(flbc.unpreserve, 0);
	lusim_sys_close(s1);
	assert_int_equal(flbc.unpreserve, 1);
	s1 = luo_create_session(dev, "s1");
	assert_int_equal(luo_preserve(s1, a, 1), 0);
	assert_int_equal(flbc.preserve, 2);
	assert_no_findings();
}

/* handler registration: every errno */
static const struct liveupdate_file_ops no_finish_ops = {
	.can_preserve = dummy_can_preserve,
	.preserve = dummy_preserve,
	.unpreserve = dummy_unpreserve,
	.retrieve = dummy_retrieve,
};

static struct liveupdate_file_handler bad_handler = {
	.ops = &no_finish_ops,
	.compatible = "lusim-bad-v1",
};

static struct liveupdate_file_handler dup_handler = {
	.ops = &dummy_ops,
	.compatible = "lusim-dummy-v1",
};

static struct liveupdate_file_handler second_handler = {
	.ops = &dummy_ops,
	.compatible = "lusim-second-v1",
};

static void test_handler_registration(void **state)
{
	int dev, s;

	(void)state;
	assert_int_equal(liveupdate_register_file_handler(&bad_handler), -EINVAL);
	assert_int_equal(liveupdate_register_file_handler(&dup_handler), -EEXIST);
	assert_int_equal(liveupdate_register_file_handler(&second_handler), 0);
	assert_int_equal(liveupdate_unregister_file_handler(&second_handler), 0);
	assert_int_equal(liveupdate_unregister_file_handler(&second_handler), -ENOENT);
	/* FLBs still linked */
	assert_int_equal(liveupdate_unregister_file_handler(&dummy_handler), -EBUSY);

	dev = luo_dev_open();
	s = luo_create_session(dev, "s");
	assert_int_equal(liveupdate_register_file_handler(&second_handler), -EBUSY);
	assert_int_equal(liveupdate_unregister_flb(&dummy_handler, &test_flb), -EBUSY);
	lusim_sys_close(s);
	assert_int_equal(liveupdate_unregister_flb(&dummy_handler, &test_flb), 0);
	assert_int_equal(liveupdate_unregister_flb(&dummy_handler, &test_flb), -ENOENT);
	assert_int_equal(liveupdate_unregister_file_handler(&dummy_handler), 0);
	assert_no_findings();

	/* live update off ("liveupdate=off"): -EOPNOTSUPP everywhere */
	lusim_sys_close(dev);
	lusim_liveupdate_set_cmdline(false);
	lusim_reset_kernel();
	assert_int_equal(lusim_boot(), 0);
	assert_false(liveupdate_enabled());
	assert_int_equal(dummy_reg_err, -EOPNOTSUPP);
	assert_int_equal(liveupdate_register_file_handler(&second_handler), -EOPNOTSUPP);
	assert_int_equal(liveupdate_register_flb(&second_handler, &test_flb), -EOPNOTSUPP);
	assert_int_equal(luo_dev_open(), -ENOENT);
	assert_int_equal(liveupdate_reboot(), 0);
}

/* FLB registration: every errno */
static const struct liveupdate_flb_ops half_flb_ops = {
	.preserve = flb_preserve,
};

static struct liveupdate_flb half_flb = {
	.ops = &half_flb_ops,
	.compatible = "lusim-half-flb-v1",
};

static struct liveupdate_flb dup_flb = {
	.ops = &test_flb_ops,
	.compatible = "lusim-test-flb-v1",
};

static struct liveupdate_flb many_flbs[80];

static void test_flb_registration(void **state)
{
	unsigned int i;
	int err = 0;

	(void)state;
	assert_int_equal(liveupdate_register_flb(&dummy_handler, &test_flb), -EEXIST);
	assert_int_equal(liveupdate_register_flb(&second_handler, &test_flb), -EINVAL);
	assert_finding("WARN");		/* handler not registered */
	lusim_findings_clear();
	assert_int_equal(liveupdate_register_flb(&dummy_handler, &half_flb), -EINVAL);
	assert_finding("WARN");		/* ops missing */
	lusim_findings_clear();
	assert_int_equal(liveupdate_register_file_handler(&second_handler), 0);
	assert_int_equal(liveupdate_register_flb(&second_handler, &dup_flb), -EEXIST);
	/* one FLB, two handlers: shared */
	assert_int_equal(liveupdate_register_flb(&second_handler, &test_flb), 0);
	/* the global table (one page of struct luo_flb_ser) fills up */
	for (i = 0; i < ARRAY_SIZE(many_flbs); i++) {
		many_flbs[i].ops = &test_flb_ops;
		snprintf((char *)many_flbs[i].compatible,
			 sizeof(many_flbs[i].compatible), "many-%u", i);
		err = liveupdate_register_flb(&second_handler, &many_flbs[i]);
		if (err)
			break;
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(i + 1, (4096 - 16) / 64);	/* 63 FLBs, test_flb included */
	assert_no_findings();
}

/* freeze: FIFO, rollback of the frozen files and sessions, nothing rebooted */
static void test_freeze_rollback(void **state)
{
	int dev = luo_dev_open();
	int s1 = luo_create_session(dev, "s1"), s2 = luo_create_session(dev, "s2");
	unsigned int boots = lusim_boot_count();

	(void)state;
	assert_int_equal(luo_preserve(s1, dummy_open(1, 1), 1), 0);
	assert_int_equal(luo_preserve(s1, dummy_open(2, 2), 2), 0);
	assert_int_equal(luo_preserve(s2, dummy_open(3, 3), 1), 0);
	assert_int_equal(luo_preserve(s2, dummy_open(4, 4), 2), 0);
	assert_int_equal(luo_preserve(s2, dummy_open(5, 5), 3), 0);
	dummy.log[0] = 0;
	dummy.fail_freeze_id = 4;
	assert_int_equal(lusim_kexec(), -EAGAIN);
	assert_int_equal(lusim_boot_count(), boots);
	assert_string_equal(dummy.log, "frz:1 frz:2 frz:3 frz:4 unf:3 unf:1 unf:2");
	assert_false(lusim_kho_finalized());

	/* the old kernel goes on: the sessions still work and can reboot */
	dummy.log[0] = 0;
	dummy.fail_freeze_id = -1;
	assert_int_equal(luo_preserve(s1, dummy_open(6, 6), 3), 0);
	lusim_sys_close(s2);
	assert_string_equal(dummy.log, "pre:6 unp:5 unp:4 unp:3");
	assert_no_findings();
}

/* a KHO failure after the freeze: -EAGAIN, everything unfrozen */
static void test_finalize_failure(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "s");

	(void)state;
	assert_int_equal(luo_preserve(s, dummy_open(1, 1), 1), 0);
	dummy.log[0] = 0;
	assert_int_equal(lusim_fail_site(LUSIM_FAULT_PAGE, "kho_finalize"), 0);
	assert_int_equal(liveupdate_reboot(), -EAGAIN);
	assert_string_equal(dummy.log, "frz:1 unf:1");
	assert_false(lusim_kho_finalized());
	assert_no_findings();
}

/* --- the new kernel --------------------------------------------------------- */

/* preserve a set of files in two sessions and kexec */
static void kexec_with_sessions(void)
{
	int dev = luo_dev_open();
	int s1 = luo_create_session(dev, "vm1"), s2 = luo_create_session(dev, "vm2");

	assert_int_equal(luo_preserve(s1, dummy_open(1, 11), 10), 0);
	assert_int_equal(luo_preserve(s1, dummy_open(2, 22), 20), 0);
	assert_int_equal(luo_preserve(s1, dummy_open(3, 33), 30), 0);
	assert_int_equal(luo_preserve(s2, dummy_open(4, 44), 10), 0);
	dummy.log[0] = 0;
	assert_int_equal(lusim_kexec(), 0);
	assert_string_equal(dummy.log, "frz:1 frz:2 frz:3 frz:4");
	dummy.log[0] = 0;
}

/* 7.2 #6, #7, #8: retrieve session, retrieve fd (cached), finish */
static void test_retrieve_and_finish(void **state)
{
	int dev, s1, s2, fd, fd2;
	void *obj;

	(void)state;
	kexec_with_sessions();
	assert_int_equal(lusim_liveupdate_number(), 1);
	dev = luo_dev_open();
	assert_true(dev >= 0);
	assert_int_equal(luo_retrieve_session(dev, "nope"), -ENOENT);
	s1 = luo_retrieve_session(dev, "vm1");
	assert_true(s1 >= 0);
	assert_int_equal(luo_retrieve_session(dev, "vm1"), -EINVAL);
	/* an outgoing session may reuse the name */
	assert_true(luo_create_session(dev, "vm1") >= 0);

	assert_int_equal(luo_retrieve(s1, 99), -ENOENT);
	fd = luo_retrieve(s1, 20);
	assert_true(fd >= 0);
	assert_int_equal(dummy_fd_id(fd), 2);
	fd2 = luo_retrieve(s1, 20);		/* cached: same file, new fd */
	assert_true(fd2 >= 0 && fd2 != fd);
	{
		struct file *f1 = fget(fd), *f2 = fget(fd2);

		assert_ptr_equal(f1, f2);
		fput(f1);
		fput(f2);
	}
	assert_int_equal(dummy.retrieve_calls, 1);

	/* a failed retrieve is cached too */
	dummy.fail_retrieve_id = 3;
	assert_int_equal(luo_retrieve(s1, 30), -ENXIO);
	dummy.fail_retrieve_id = -1;
	assert_int_equal(luo_retrieve(s1, 30), -ENXIO);
	assert_int_equal(dummy.retrieve_calls, 2);

	/* preserving into an incoming session is refused */
	assert_int_equal(luo_preserve(s1, dummy_open(9, 9), 90), -EINVAL);

	/* FLB: retrieved on first use, once */
	assert_int_equal(liveupdate_flb_get_incoming(&test_flb, &obj), 0);
	assert_ptr_equal(obj, &flbc.data);
	assert_int_equal(flbc.data, 0x1235);
	assert_int_equal(liveupdate_flb_get_incoming(&test_flb, &obj), 0);
	assert_int_equal(flbc.retrieve, 1);

	/* can_finish false on one file: -EBUSY, nothing finished */
	dummy.log[0] = 0;
	dummy.cant_finish_id = 1;
	assert_int_equal(luo_finish(s1), -EBUSY);
	assert_string_equal(dummy.log, "can:1");
	dummy.cant_finish_id = -1;
	dummy.log[0] = 0;
	assert_int_equal(luo_finish(s1), 0);
	assert_string_equal(dummy.log,
			    "can:1 can:2 can:3 fin-unretrieved:3 fin:2 fin-unretrieved:1");
	assert_int_equal(flbc.finish, 0);	/* vm2's file still counts */
	assert_int_equal(luo_retrieve(s1, 20), -ENOENT);

	/* closing a retrieved session finishes it */
	s2 = luo_retrieve_session(dev, "vm2");
	dummy.log[0] = 0;
	lusim_sys_close(s2);
	assert_string_equal(dummy.log, "can:4 fin-unretrieved:4");
	assert_int_equal(flbc.finish, 1);
	assert_int_equal(liveupdate_flb_get_incoming(&test_flb, &obj), -ENODATA);
	assert_int_equal(luo_retrieve_session(dev, "vm2"), -ENOENT);

	/* the retrieved file outlives the finish while userspace holds it */
	assert_int_equal(dummy_fd_id(fd), 2);
	lusim_sys_close(fd);
	lusim_sys_close(fd2);
	lusim_sys_close(s1);
	assert_false(dummy.bad_args);
	assert_int_equal(lusim_page_reserved_pages(), 0);
	assert_no_findings();
}

/* 7.2 #9: FLB lookups: no incoming data, FLB not handed over, outgoing NULL */
static struct liveupdate_flb other_flb = {
	.ops = &test_flb_ops,
	.compatible = "lusim-other-flb-v1",
};

static void test_flb_lookup_errnos(void **state)
{
	void *obj = (void *)1;

	(void)state;
	/* first boot: nothing came in */
	assert_int_equal(liveupdate_flb_get_incoming(&test_flb, &obj), -ENODATA);
	/* no dependent file preserved: 0 and a NULL object, no error */
	assert_int_equal(liveupdate_flb_get_outgoing(&test_flb, &obj), 0);
	assert_null(obj);

	kexec_with_sessions();
	/* handed over, retrieved on demand */
	assert_int_equal(liveupdate_flb_get_incoming(&test_flb, &obj), 0);
	assert_int_equal(flbc.retrieve, 1);
	/* registered in the new kernel, but not handed over */
	assert_int_equal(liveupdate_register_file_handler(&second_handler), 0);
	assert_int_equal(liveupdate_register_flb(&second_handler, &other_flb), 0);
	assert_int_equal(liveupdate_flb_get_incoming(&other_flb, &obj), -ENOENT);
	assert_no_findings();
}

/* 7.2 #4: closing a retrieved session whose finish fails leaves it behind */
static void test_close_retrieved_busy(void **state)
{
	int dev, s;

	(void)state;
	kexec_with_sessions();
	dev = luo_dev_open();
	s = luo_retrieve_session(dev, "vm2");
	dummy.cant_finish_id = 4;
	lusim_sys_close(s);
	assert_string_equal(dummy.log, "can:4");
	/* still there, and claimed: cannot be retrieved again */
	assert_int_equal(luo_retrieve_session(dev, "vm2"), -EINVAL);
	/* sessions exist: no new handler */
	assert_int_equal(liveupdate_register_file_handler(&second_handler), -EBUSY);
	assert_no_findings();
}

/* 1.6: liveupdate_get_file_incoming has the retrieve path's caching */
static void test_get_file_incoming(void **state)
{
	int dev, s;
	struct file *sfile, *f1, *f2;

	(void)state;
	kexec_with_sessions();
	dev = luo_dev_open();
	s = luo_retrieve_session(dev, "vm1");
	sfile = fget(s);
	assert_int_equal(liveupdate_get_file_incoming(sfile->private_data, 10, &f1), 0);
	assert_int_equal(liveupdate_get_file_incoming(sfile->private_data, 10, &f2), 0);
	assert_ptr_equal(f1, f2);
	assert_int_equal(liveupdate_get_file_incoming(sfile->private_data, 77, &f2),
			 -ENOENT);
	assert_int_equal(dummy_fd_id(luo_retrieve(s, 10)), 1);
	assert_int_equal(dummy.retrieve_calls, 1);
	fput(f1);
	fput(f1);
	fput(sfile);
	assert_no_findings();
}

/* 1.5 deserialize: a handler missing in the new kernel -> sticky -EIO */
static void test_deserialize_missing_handler(void **state)
{
	(void)state;
	dummy_no_register = true;
	kexec_with_sessions();
	assert_int_equal(luo_dev_open(), -EIO);
	assert_int_equal(luo_dev_open(), -EIO);
	/* registering late does not help: the error is sticky */
	assert_int_equal(liveupdate_register_file_handler(&dummy_handler), -EBUSY);
	assert_int_equal(luo_dev_open(), -EIO);
	assert_no_findings();
}

/* corrupted serialized pages: sticky -EIO, never a crash or a WARN */
static void (*corruption)(void);

static int corrupt_hook(enum lusim_kexec_stage stage)
{
	assert_int_equal(stage, LUSIM_KEXEC_AFTER_FREEZE);
	corruption();
	return 0;
}

/* the outgoing LUO root, found through the outgoing KHO sub-tree */
static struct luo_root_ser *out_root(void)
{
	const struct kho_root_ser *kroot = phys_to_virt(lusim_kho_handover_phys());
	unsigned int i;

	for (i = 0; i < kroot->nr_subtrees; i++)
		if (!strcmp(kroot->subtrees[i].name, LUO_FDT_KHO_ENTRY_NAME))
			return phys_to_virt(kroot->subtrees[i].phys);
	fail_msg("no LUO sub-tree");
	return NULL;
}

static struct luo_session_header_ser *out_header(void)
{
	return phys_to_virt(out_root()->session_header);
}

static struct luo_session_ser *out_sessions(u64 **unused)
{
	(void)unused;
	return (struct luo_session_ser *)(out_header() + 1);
}

static void corrupt_session_count(void)
{
	out_header()->count = 100000;
}

static void corrupt_session_name(void)
{
	u64 *count;
	struct luo_session_ser *ser = out_sessions(&count);

	memset(ser[1].name, 'A', sizeof(ser[1].name));
}

static void corrupt_file_count(void)
{
	u64 *count;
	struct luo_session_ser *ser = out_sessions(&count);

	ser[0].file_set_ser.count = 100000;
}

static void corrupt_files_phys(void)
{
	u64 *count;
	struct luo_session_ser *ser = out_sessions(&count);

	ser[0].file_set_ser.files += PAGE_SIZE;	/* a tail page of the block */
}

static void corrupt_file_compatible(void)
{
	u64 *count;
	struct luo_session_ser *ser = out_sessions(&count);
	struct luo_file_ser *files = phys_to_virt(ser[0].file_set_ser.files);

	memset(files[2].compatible, 'z', sizeof(files[2].compatible));
}

static void corrupt_duplicate_session(void)
{
	u64 *count;
	struct luo_session_ser *ser = out_sessions(&count);

	memcpy(ser[1].name, ser[0].name, sizeof(ser[0].name));
}

static void run_corruption(void (*fn)(void))
{
	corruption = fn;
	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, corrupt_hook), 0);
	kexec_with_sessions();
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, corrupt_hook);
	assert_int_equal(luo_dev_open(), -EIO);
	assert_int_equal(luo_dev_open(), -EIO);
	assert_no_findings();
}

#define CORRUPT(name)							\
	static void test_##name(void **state)				\
	{								\
		(void)state;						\
		run_corruption(name);					\
	}
CORRUPT(corrupt_session_count)
CORRUPT(corrupt_session_name)
CORRUPT(corrupt_file_count)
CORRUPT(corrupt_files_phys)
CORRUPT(corrupt_file_compatible)
CORRUPT(corrupt_duplicate_session)

/* a corrupted LUO root disables live update in the new kernel */
static void corrupt_root_compatible(void)
{
	out_root()->compatible[0] ^= 1;
}

static void test_corrupt_root(void **state)
{
	(void)state;
	corruption = corrupt_root_compatible;
	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, corrupt_hook), 0);
	kexec_with_sessions();
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, corrupt_hook);
	assert_false(liveupdate_enabled());
	assert_int_equal(dummy_reg_err, -EOPNOTSUPP);
	assert_int_equal(luo_dev_open(), -ENOENT);
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		luo_unit_test(test_dev_open),
		luo_unit_test(test_create_session),
		luo_unit_test(test_ioctl_envelope),
		luo_unit_test(test_preserve_errnos),
		luo_unit_test(test_preserve_files_mem_fails),
		luo_unit_test(test_preserve_undo),
		luo_unit_test(test_preserve_fail_nth),
		luo_unit_test(test_token_visibility),
		luo_unit_test(test_token_needs_mutex),
		luo_unit_test(test_close_unpreserves_lifo),
		luo_unit_test(test_flb_count),
		luo_unit_test(test_handler_registration),
		luo_unit_test(test_flb_registration),
		luo_unit_test(test_freeze_rollback),
		luo_unit_test(test_finalize_failure),
		luo_unit_test(test_retrieve_and_finish),
		luo_unit_test(test_flb_lookup_errnos),
		luo_unit_test(test_close_retrieved_busy),
		luo_unit_test(test_get_file_incoming),
		luo_unit_test(test_deserialize_missing_handler),
		luo_unit_test(test_corrupt_session_count),
		luo_unit_test(test_corrupt_session_name),
		luo_unit_test(test_corrupt_file_count),
		luo_unit_test(test_corrupt_files_phys),
		luo_unit_test(test_corrupt_file_compatible),
		luo_unit_test(test_corrupt_duplicate_session),
		luo_unit_test(test_corrupt_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
