// SPDX-License-Identifier: GPL-2.0-only
/* struct file, the fd table, chrdevs and the syscall layer (<linux/fs.h>). */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/err.h>

#include "lusim_test.h"

static int released, opened;
static long last_cmd;

static int t_open(struct inode *inode, struct file *file)
{
	(void)inode;
	opened++;
	if (file->private_data == (void *)2)
		return -EBUSY;
	return 0;
}

static int t_release(struct inode *inode, struct file *file)
{
	(void)inode;
	(void)file;
	released++;
	return 0;
}

static long t_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	(void)file;
	last_cmd = cmd;
	*(int *)arg = 42;
	return cmd == 7 ? -EINVAL : 0;
}

static const struct file_operations t_fops = {
	.name = "test",
	.open = t_open,
	.release = t_release,
	.unlocked_ioctl = t_ioctl,
};

static const struct file_operations t_noioctl_fops = { .name = "noioctl" };

static void test_fd_table_lowest_free(void **state)
{
	int a, b, c;

	(void)state;
	released = opened = 0;
	assert_int_equal(lusim_register_chrdev("/dev/t", &t_fops, (void *)1), 0);
	assert_int_equal(lusim_register_chrdev("/dev/t", &t_fops, NULL), -EEXIST);
	a = lusim_sys_open("/dev/t");
	b = lusim_sys_open("/dev/t");
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(opened, 2);
	assert_int_equal(lusim_sys_close(a), 0);
	assert_int_equal(released, 1);
	c = lusim_sys_open("/dev/t");
	assert_int_equal(c, 0);		/* lowest free fd is reused */
	assert_int_equal(lusim_sys_close(a + 7), -EBADF);
	assert_int_equal(lusim_sys_close(-1), -EBADF);
	assert_int_equal(lusim_close_all_fds(), 2);
	assert_int_equal(released, 3);
	assert_int_equal(lusim_nr_open_files(), 0);
}

static void test_open_errors_and_ioctl(void **state)
{
	int fd, out = 0;

	(void)state;
	released = 0;
	assert_int_equal(lusim_sys_open("/dev/none"), -ENOENT);
	assert_int_equal(lusim_register_chrdev("/dev/busy", &t_fops, (void *)2), 0);
	assert_int_equal(lusim_sys_open("/dev/busy"), -EBUSY);
	assert_int_equal(released, 0);		/* a failed open never releases */
	assert_int_equal(lusim_nr_open_files(), 0);
	assert_int_equal(lusim_register_chrdev("/dev/t", &t_fops, NULL), 0);
	fd = lusim_sys_open("/dev/t");
	assert_int_equal(lusim_sys_ioctl(fd, 3, &out), 0);
	assert_int_equal(out, 42);
	assert_int_equal(last_cmd, 3);
	assert_int_equal(lusim_sys_ioctl(fd, 7, &out), -EINVAL);
	assert_int_equal(lusim_sys_ioctl(fd + 1, 3, &out), -EBADF);
	assert_int_equal(lusim_register_chrdev("/dev/n", &t_noioctl_fops, NULL), 0);
	assert_int_equal(lusim_sys_ioctl(lusim_sys_open("/dev/n"), 3, &out), -ENOTTY);
	lusim_close_all_fds();
}

static void test_file_refs_and_seq(void **state)
{
	struct file *f1, *f2, *got;
	int fd;

	(void)state;
	released = 0;
	f1 = anon_inode_getfile("a", &t_fops, NULL, 0);
	f2 = anon_inode_getfile("b", &t_fops, NULL, 0);
	assert_false(IS_ERR(f1));
	assert_true(f2->f_seq == f1->f_seq + 1);
	fd = lusim_fd_install(f1);
	got = fget((unsigned int)fd);
	assert_ptr_equal(got, f1);
	assert_int_equal(f1->f_count, 2);
	lusim_close_fd((unsigned int)fd);
	assert_int_equal(released, 0);		/* still referenced */
	fput(got);
	assert_int_equal(released, 1);
	fput(f2);
	assert_int_equal(released, 2);
	assert_null(fget(fd));
}

static void test_fput_underflow_is_a_finding(void **state)
{
	struct file *f = anon_inode_getfile("a", &t_noioctl_fops, NULL, 0);

	(void)state;
	f->f_count = 0;		/* as if someone dropped a reference too many */
	fput(f);
	assert_finding("FILE-REFCOUNT");
	f->f_count = 1;
	fput(f);
}

static void test_reset_forgets_chrdevs_and_seq(void **state)
{
	struct file *f;

	(void)state;
	assert_int_equal(lusim_register_chrdev("/dev/t", &t_fops, NULL), 0);
	lusim_reset_all();
	assert_int_equal(lusim_sys_open("/dev/t"), -ENOENT);
	f = anon_inode_getfile("a", &t_noioctl_fops, NULL, 0);
	assert_true(f->f_seq == 1);
	fput(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_fd_table_lowest_free),
		lusim_unit_test(test_open_errors_and_ioctl),
		lusim_unit_test(test_file_refs_and_seq),
		lusim_unit_test(test_fput_underflow_is_a_finding),
		lusim_unit_test(test_reset_forgets_chrdevs_and_seq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
