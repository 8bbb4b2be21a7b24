// SPDX-License-Identifier: GPL-2.0-only
/*
 * lusim_kexec() (kernel-shim/kernel/kexec.c): the reboot sequence and its
 * hooks, what survives (KHO-preserved bytes, the machine) and what does not
 * (unpreserved memory, the fd table, every kernel object), a full live
 * update round trip with the dummy file handler of luo_test.h, repeated
 * cycles, live update or KHO switched off, and determinism.
 */
#include <linux/kho/abi/luo.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <lusim/kexec.h>
#include <hw/hw.h>

#include "luo_test.h"

static struct {
	char order[256];
	bool mem_intact;		/* after-freeze: unpreserved bytes still there */
	bool dev_ok;			/* after-boot: /dev/liveupdate opens */
	bool lock_finding;		/* before-freeze: LOCK-HELD-AT-OP-END seen */
	int veto;
	phys_addr_t probe;		/* an unpreserved page with 0x5a bytes */
} hk;

static void hk_log(const char *what)
{
	size_t len = strlen(hk.order);

	snprintf(hk.order + len, sizeof(hk.order) - len, "%s%s", len ? " " : "",
		 what);
}

static int hook_before(enum lusim_kexec_stage stage)
{
	assert_int_equal(stage, LUSIM_KEXEC_BEFORE_FREEZE);
	hk_log(dummy.log[0] ? "before(frozen?)" : "before");
	hk.lock_finding = lusim_findings_has("LOCK-HELD-AT-OP-END");
	return hk.veto;
}

static int hook_after_freeze(enum lusim_kexec_stage stage)
{
	unsigned char b = 0;

	assert_int_equal(stage, LUSIM_KEXEC_AFTER_FREEZE);
	hk_log(strstr(dummy.log, "frz:") ? "after-freeze" : "after-freeze(not frozen?)");
	if (hk.probe) {
		hw_mem_peek(hk.probe, &b, 1);
		hk.mem_intact = b == 0x5a;
	}
	return 0;
}

static int hook_after_boot(enum lusim_kexec_stage stage)
{
	int fd = luo_dev_open();

	assert_int_equal(stage, LUSIM_KEXEC_AFTER_BOOT);
	hk_log("after-boot");
	hk.dev_ok = fd >= 0;
	if (fd >= 0)
		lusim_sys_close(fd);
	return 0;
}

static void add_hooks(void)
{
	memset(&hk, 0, sizeof(hk));
	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_BEFORE_FREEZE, hook_before), 0);
	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, hook_after_freeze), 0);
	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_BOOT, hook_after_boot), 0);
}

static void remove_hooks(void)
{
	lusim_kexec_remove_hook(LUSIM_KEXEC_BEFORE_FREEZE, hook_before);
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, hook_after_freeze);
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_BOOT, hook_after_boot);
}

/* an unpreserved page full of 0x5a */
static phys_addr_t probe_page(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);

	memset(page_address(page), 0x5a, 4 * PAGE_SIZE);
	return page_to_phys(page) + 3 * PAGE_SIZE;
}

static void test_hooks(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "s");

	(void)state;
	assert_int_equal(luo_preserve(s, dummy_open(1, 1), 1), 0);
	add_hooks();
	hk.probe = probe_page();
	dummy.log[0] = 0;
	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_BOOT, hook_after_boot),
			 -EEXIST);
	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_NR_STAGES, hook_after_boot),
			 -EINVAL);

	/* a before-freeze veto: nothing happens */
	hk.veto = -ECANCELED;
	assert_int_equal(lusim_kexec(), -ECANCELED);
	assert_string_equal(hk.order, "before");
	assert_int_equal(dummy.log[0], 0);
	assert_int_equal(lusim_boot_count(), 1);

	hk.veto = 0;
	hk.order[0] = 0;
	assert_int_equal(lusim_kexec(), 0);
	assert_string_equal(hk.order, "before after-freeze after-boot");
	assert_true(hk.mem_intact);
	assert_true(hk.dev_ok);
	assert_int_equal(lusim_boot_count(), 2);
	/* after the reboot the probe page is gone */
	assert_int_not_equal(hw_mem_state(hk.probe), HW_PAGE_ALLOCATED);
	remove_hooks();

	/* hooks stay removed */
	hk.order[0] = 0;
	assert_int_equal(lusim_kexec(), 0);
	assert_string_equal(hk.order, "");
	assert_no_findings();
}

/* the old kernel vanishes: no release(), no fds, no objects, no leaks */
static void test_old_kernel_vanishes(void **state)
{
	struct lusim_kexec_stats st;
	unsigned long slab_mark, page_mark;
	int fd = dummy_open(1, 1), dev = luo_dev_open();

	(void)state;
	assert_true(dev >= 0 && fd >= 0);
	probe_page();
	assert_true(lusim_slab_live_objects() > 0);
	assert_int_equal(lusim_kexec(), 0);
	assert_int_equal(dummy.releases, 0);		/* no release() ran */
	assert_null(fget(fd));
	assert_null(fget(dev));
	lusim_kexec_get_stats(&st);
	assert_int_equal(st.kexecs, 1);
	assert_true(st.objects_forgotten > 0);
	assert_true(st.pages_dropped > 0);

	/* /dev/liveupdate is free again: its opener died with the old kernel */
	dev = luo_dev_open();
	assert_true(dev >= 0);
	lusim_sys_close(dev);

	/* everything allocated in the new kernel can be accounted for */
	slab_mark = lusim_slab_mark();
	page_mark = lusim_page_mark();
	dev = luo_dev_open();
	lusim_sys_close(luo_create_session(dev, "x"));
	lusim_sys_close(dev);
	rcu_barrier();
	assert_int_equal(lusim_slab_check_leaks_since(slab_mark), 0);
	assert_int_equal(lusim_page_check_leaks_since(page_mark), 0);
	assert_no_findings();
}

/*
 * The round trip: a handler preserves a page of known bytes, the new kernel
 * retrieves it through the session with the bytes intact, while an
 * unpreserved page is poisoned; then finish.
 */
static void test_round_trip(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "vm");
	int a = dummy_open(1, 0x10), b = dummy_open(2, 0x20);
	phys_addr_t probe = probe_page();
	unsigned long page_mark;
	unsigned char buf[PAGE_SIZE];
	struct lusim_kexec_stats st;
	int fa, fb;

	(void)state;
	dummy_set_dep(b, a);
	assert_int_equal(luo_preserve(s, a, 0xaaaa), 0);
	assert_int_equal(luo_preserve(s, b, 0xbbbb), 0);
	assert_int_equal(lusim_kexec(), 0);
	lusim_kexec_get_stats(&st);
	assert_true(st.pages_kept >= 2);

	hw_mem_peek(probe, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_not_equal(buf[i], 0x5a);

	dev = luo_dev_open();
	s = luo_retrieve_session(dev, "vm");
	assert_true(s >= 0);
	page_mark = lusim_page_mark();
	fb = luo_retrieve(s, 0xbbbb);		/* any order */
	fa = luo_retrieve(s, 0xaaaa);
	assert_true(fa >= 0 && fb >= 0);
	assert_int_equal(dummy_fd_id(fa), 1);
	assert_int_equal(dummy_fd_id(fb), 2);
	{
		struct file *f = fget(fb);
		struct dummy_file *df = f->private_data;
		const struct dummy_state *st2 = folio_address(df->folio);

		assert_int_equal(st2->seed, 0x20);
		assert_int_equal(st2->dep_token, 0xaaaa);	/* found at preserve */
		fput(f);
	}
	assert_int_equal(luo_finish(s), 0);
	lusim_sys_close(s);
	lusim_sys_close(fa);
	lusim_sys_close(fb);
	assert_int_equal(dummy.releases, 2);
	assert_int_equal(lusim_page_reserved_pages(), 0);
	assert_int_equal(lusim_page_check_leaks_since(page_mark), 0);
	assert_int_equal(flbc.finish, 1);
	assert_false(dummy.bad_args);
	assert_no_findings();
}

/* three cycles: a retrieved file preserved again survives each kexec */
static void test_three_cycles(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "vm"), fd;
	int cycle;

	(void)state;
	fd = dummy_open(7, 0x70);
	for (cycle = 1; cycle <= 3; cycle++) {
		assert_int_equal(luo_preserve(s, fd, 77), 0);
		assert_int_equal(lusim_kexec(), 0);
		assert_int_equal(lusim_liveupdate_number(), (u64)cycle);
		dev = luo_dev_open();
		s = luo_retrieve_session(dev, "vm");
		fd = luo_retrieve(s, 77);
		assert_int_equal(dummy_fd_id(fd), 7);
		assert_int_equal(luo_finish(s), 0);
		lusim_sys_close(s);
		s = luo_create_session(dev, "vm");
		assert_true(s >= 0);
	}
	assert_int_equal(dummy.retrieve_calls, 3);
	assert_no_findings();
}

/* live update off: KHO alone still hands memory over */
static void test_luo_off(void **state)
{
	struct folio *folio;
	phys_addr_t phys;

	(void)state;
	lusim_liveupdate_set_cmdline(false);
	assert_int_equal(lusim_kexec(), 0);	/* boots with LUO off */
	assert_false(liveupdate_enabled());
	folio = folio_alloc(GFP_KERNEL, 0);
	phys = folio_phys(folio);
	memset(folio_address(folio), 0x77, PAGE_SIZE);
	assert_int_equal(kho_preserve_folio(folio), 0);
	assert_int_equal(lusim_kexec(), 0);
	folio = kho_restore_folio(phys);
	assert_non_null(folio);
	assert_int_equal(((unsigned char *)folio_address(folio))[100], 0x77);
	folio_put(folio);
	assert_no_findings();
}

/* KHO off: nothing survives and live update is off too */
static void test_kho_off(void **state)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "vm");

	(void)state;
	assert_int_equal(luo_preserve(s, dummy_open(1, 1), 1), 0);
	lusim_kho_set_enabled(false);
	assert_int_equal(lusim_kexec(), 0);
	assert_false(kho_is_enabled());
	assert_false(liveupdate_enabled());
	assert_false(is_kho_boot());
	assert_int_equal(lusim_page_reserved_pages(), 0);
	assert_no_findings();
}

/* kexec is an op boundary: no lock may be held */
static void test_lock_held(void **state)
{
	DEFINE_MUTEX(m);

	(void)state;
	add_hooks();
	mutex_lock(&m);
	hk.veto = -EBUSY;
	assert_int_equal(lusim_kexec(), -EBUSY);
	mutex_unlock(&m);
	remove_hooks();
	assert_true(hk.lock_finding);
}

/* same ops, same outcome: frame numbers, fds, logs */
static void scenario(char *out, size_t len)
{
	int dev = luo_dev_open(), s = luo_create_session(dev, "vm"), fd;
	struct file *f;

	assert_int_equal(luo_preserve(s, dummy_open(1, 1), 1), 0);
	assert_int_equal(luo_preserve(s, dummy_open(2, 2), 2), 0);
	assert_int_equal(lusim_kexec(), 0);
	dev = luo_dev_open();
	s = luo_retrieve_session(dev, "vm");
	fd = luo_retrieve(s, 2);
	f = fget(fd);
	snprintf(out, len, "%d %d %d %llx %s", dev, s, fd,
		 (unsigned long long)folio_phys(((struct dummy_file *)f->private_data)->folio),
		 dummy.log);
	fput(f);
}

static void test_deterministic(void **state)
{
	static char a[8192], b[8192];

	(void)state;
	scenario(a, sizeof(a));
	lusim_test_teardown(NULL);
	assert_int_equal(luo_test_setup(NULL), 0);
	scenario(b, sizeof(b));
	assert_string_equal(a, b);
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		luo_unit_test(test_hooks),
		luo_unit_test(test_old_kernel_vanishes),
		luo_unit_test(test_round_trip),
		luo_unit_test(test_three_cycles),
		luo_unit_test(test_luo_off),
		luo_unit_test(test_kho_off),
		luo_unit_test(test_lock_held),
		luo_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
