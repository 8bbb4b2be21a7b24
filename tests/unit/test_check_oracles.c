// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model-independent oracles of sim/check, each made to fire by a test
 * op that commits the mistake (no reviewer bug involved): a lock or an RCU
 * reader left at op end, an object leaked at teardown, DMA and IOMMU walks
 * into freed memory, a kernel CPU access to a freed page, a WARN reached
 * from an op. Each also stays silent on the correct variant and when its
 * switch is off.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <check/check.h>
#include <hw/hw.h>

#include <string.h>

#include "check_test.h"
#include "hw_test.h"

#define check_test(f) \
	cmocka_unit_test_setup_teardown(f, check_test_setup, lusim_test_teardown)

static unsigned int count_of(const char *id)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < lusim_findings_count(); i++)
		if (!strcmp(lusim_findings_get(i)->id, id))
			n++;
	return n;
}

/* --- LOCK-HELD-AT-OP-END -------------------------------------------------- */

static DEFINE_MUTEX(test_lock);
static DEFINE_SPINLOCK(test_spin);

static int op_lock(bool unlock)
{
	mutex_lock(&test_lock);
	if (unlock)
		mutex_unlock(&test_lock);
	return 0;
}

static void test_lock_held_at_op_end(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	lusim_check_op_begin("lock_ok");
	assert_int_equal(lusim_check_op_end(op_lock(true)), 0);
	assert_no_findings();

	lusim_check_op_begin("lock_leak");
	assert_int_equal(lusim_check_op_end(op_lock(false)), 1);
	f = finding("LOCK-HELD-AT-OP-END");
	assert_non_null(strstr(f->msg, "lock_leak"));
	assert_non_null(strstr(f->detail, "during op #2 lock_leak"));
	mutex_unlock(&test_lock);

	/* a spinlock too; the op-end RCU drain is skipped in atomic context */
	lusim_findings_clear();
	lusim_check_op_begin("spin_leak");
	spin_lock(&test_spin);
	lusim_check_op_end(0);
	assert_int_equal(count_of("LOCK-HELD-AT-OP-END"), 1);
	assert_int_equal(count_of("RCU-SYNC-IN-READER"), 0);
	assert_int_equal(count_of("LOCK-SLEEP-IN-ATOMIC"), 0);
	spin_unlock(&test_spin);

	/* switched off: silent */
	lusim_findings_clear();
	lusim_check_set_enabled("LOCK-HELD-AT-OP-END", false);
	lusim_check_op_begin("lock_leak_off");
	lusim_check_op_end(op_lock(false));
	assert_int_equal(count_of("LOCK-HELD-AT-OP-END"), 0);
	mutex_unlock(&test_lock);
}

/* --- RCU-UNBALANCED ------------------------------------------------------- */

static void test_rcu_unbalanced(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	lusim_check_op_begin("rcu_ok");
	rcu_read_lock();
	rcu_read_unlock();
	lusim_check_op_end(0);
	assert_no_findings();

	lusim_check_op_begin("rcu_leak");
	rcu_read_lock();
	lusim_check_op_end(0);
	f = finding("RCU-UNBALANCED");
	assert_non_null(strstr(f->msg, "rcu_leak"));
	/* the reader was closed, so the op-end drain ran without complaint */
	assert_int_equal(count_of("RCU-SYNC-IN-READER"), 0);
	assert_int_equal(lusim_rcu_read_depth(), 0);
}

/* --- SLAB-LEAK ---------------------------------------------------------------- */

static void *kept;

static int op_alloc(void)
{
	kept = kzalloc(48, GFP_KERNEL);
	return kept ? 0 : -ENOMEM;
}

static void test_slab_leak_at_teardown(void **state)
{
	void *boot_obj = kmalloc(16, GFP_KERNEL);	/* "boot time": before any op */
	const struct lusim_finding *f;

	(void)state;
	lusim_check_op_begin("alloc");
	assert_int_equal(lusim_check_op_end(op_alloc()), 0);
	assert_int_equal(lusim_check_teardown(), 1);
	f = finding("SLAB-LEAK");
	assert_non_null(strstr(f->site, "test_check_oracles.c"));
	assert_non_null(strstr(f->msg, "1 object (48 bytes)"));
	kfree(kept);

	/* freed by the end of the input: clean; boot objects are not leaks */
	lusim_findings_clear();
	lusim_check_op_begin("alloc");
	lusim_check_op_end(op_alloc());
	lusim_check_op_begin("free");
	kfree(kept);
	lusim_check_op_end(0);
	assert_int_equal(lusim_check_teardown(), 0);
	kfree(boot_obj);
}

/* --- MEM-DMA-FREED, MEM-WALK-FREED ---------------------------------------------- */

#define UA	0xfed90000ULL
#define IOVA	0x1000ULL

struct fix {
	struct hw_iommu *u;
	struct hw_pci_dev *d;
	uint64_t root, page;
};

static void machine(struct fix *f)
{
	f->u = hwt_unit(UA, 0, true);
	f->d = hwt_dev(f->u, 0, 0x08, 0, false, 0);
	f->page = hwt_page(0xaa);
	f->root = HW_PHYS_NONE;
	assert_int_equal(hw_pt_map(&f->root, 4, HW_PT_SECOND, IOVA, f->page,
				   HW_SIZE_4K, HW_PERM_RW), 0);
	assert_int_equal(hw_build_root(f->u, HW_TTM_LEGACY, NULL), 0);
	assert_int_equal(hw_build_legacy_ctx(f->u, 0, 0x08, 1, f->root, HW_AW_48,
					     HW_CTX_TT_UNTRANSLATED, false), 0);
	hw_iommu_set_translation(f->u, true);
}

static int op_dma(struct fix *f, uint64_t iova)
{
	uint8_t buf[8] = { 0 };

	return hw_dma(f->d, 0, iova, buf, sizeof(buf), HW_DMA_WRITE, NULL) ==
	       HW_DMA_OK ? 0 : -EFAULT;
}

static void test_dma_to_freed_page(void **state)
{
	const struct lusim_finding *f;
	struct fix m;

	(void)state;
	lusim_check_init();
	machine(&m);
	lusim_check_op_begin("dma");
	assert_int_equal(lusim_check_op_end(op_dma(&m, IOVA)), 0);
	assert_no_findings();

	/* the page is freed while still mapped */
	hw_mem_free(m.page, 0);
	lusim_check_op_begin("dma");
	lusim_check_op_end(op_dma(&m, IOVA + 16));
	f = finding("MEM-DMA-FREED");
	assert_string_equal(f->site, "dma");
	assert_non_null(strstr(f->msg, "device DMA reached a freed page"));
	assert_non_null(strstr(f->detail, "write of 8 bytes by device 0000:00:01.0 (sid 0x0008) pasid 0"));
	assert_non_null(strstr(f->detail, "iova 0x1010"));
	assert_non_null(strstr(f->detail, "the page is freed"));
	assert_int_equal(count_of("MEM-WALK-FREED"), 0);

	/* never-allocated RAM is the same finding */
	lusim_findings_clear();
	assert_int_equal(hw_pt_map(&m.root, 4, HW_PT_SECOND, 0x2000,
				   HW_MEM_BASE + (4000ULL << 12), HW_SIZE_4K,
				   HW_PERM_RW), 0);
	lusim_check_op_begin("dma_unallocated");
	lusim_check_op_end(op_dma(&m, 0x2000));
	f = finding("MEM-DMA-FREED");
	assert_non_null(strstr(f->msg, "device DMA reached a never allocated page"));

	/* switched off */
	lusim_findings_clear();
	lusim_check_set_enabled("MEM-DMA-FREED", false);
	lusim_check_op_begin("dma");
	lusim_check_op_end(op_dma(&m, IOVA));
	assert_no_findings();
}

static void test_walk_through_freed_table(void **state)
{
	const struct lusim_finding *f;
	uint64_t leaf_table;
	struct fix m;

	(void)state;
	lusim_check_init();
	machine(&m);
	/* the last-level table is freed while the tree still links it */
	leaf_table = hw_pt_entry_phys(m.root, 4, HW_PT_SECOND, IOVA, 1) & HW_PAGE_MASK;
	hw_mem_free(leaf_table, 0);
	lusim_check_op_begin("dma");
	lusim_check_op_end(op_dma(&m, IOVA));
	f = finding("MEM-WALK-FREED");
	assert_non_null(strstr(f->msg, "IOMMU table walk reached a freed page"));
	assert_non_null(strstr(f->detail, "translating iova 0x1000 for device 0000:00:01.0"));
	assert_non_null(strstr(f->detail, "IOMMU unit 0xfed90000"));
}

/* --- MEM-CPU-FREED ------------------------------------------------------------------ */

static int op_cpu_touch(uint64_t phys)
{
	unsigned char *p = hw_phys_to_virt(phys);

	return p ? 0 : -EFAULT;
}

static void test_cpu_access_to_freed_page(void **state)
{
	const struct lusim_finding *f;
	uint64_t page = hw_mem_alloc(0, HW_MEM_ZERO);

	(void)state;
	lusim_check_init();
	lusim_check_op_begin("cpu");
	lusim_check_op_end(op_cpu_touch(page));
	assert_no_findings();

	hw_mem_free(page, 0);
	lusim_check_op_begin("cpu_freed");
	lusim_check_op_end(op_cpu_touch(page));
	f = finding("MEM-CPU-FREED");
	assert_string_equal(f->site, "cpu_freed");
	assert_non_null(strstr(f->detail, "CPU pointer to phys"));
	assert_non_null(strstr(f->msg, "kernel CPU access to a freed page"));

	/* a write of never-allocated RAM */
	lusim_findings_clear();
	lusim_check_op_begin("cpu_write");
	lusim_check_op_end(hw_mem_write(HW_MEM_BASE + (9000ULL << 12), "x", 1));
	f = finding("MEM-CPU-FREED");
	assert_non_null(strstr(f->msg, "kernel CPU access to a never allocated page"));
	assert_non_null(strstr(f->detail, "write of 1 byte at phys"));
}

/* --- WARN from an op ----------------------------------------------------------------- */

static volatile int budget = 2;

static noinline int op_take(int n)
{
	if (WARN_ON(n > budget))	/* reachable from userspace: a finding */
		return -EINVAL;
	return 0;
}

static void test_warn_from_op(void **state)
{
	const struct lusim_finding *f;

	(void)state;
	lusim_check_op_begin("take");
	lusim_check_op_end(op_take(1));
	assert_no_findings();
	lusim_check_op_begin("take");
	lusim_check_op_end(op_take(5));
	f = finding("WARN");
	assert_non_null(strstr(f->site, "test_check_oracles.c"));
	assert_non_null(strstr(f->detail, "during op #2 take"));
}

/* --- a clean run reports nothing ------------------------------------------------------ */

static void test_clean_run(void **state)
{
	struct fix m;

	(void)state;
	lusim_check_init();
	machine(&m);
	for (int i = 0; i < 4; i++) {
		lusim_check_op_begin("alloc");
		lusim_check_op_end(op_alloc());
		lusim_check_op_begin("lock");
		lusim_check_op_end(op_lock(true));
		lusim_check_op_begin("dma");
		lusim_check_op_end(op_dma(&m, IOVA));
		lusim_check_op_begin("free");
		kfree(kept);
		lusim_check_op_end(0);
		lusim_check_op_begin("take");
		lusim_check_op_end(op_take(1));
	}
	assert_int_equal(lusim_check_teardown(), 0);
	assert_no_findings();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		check_test(test_lock_held_at_op_end),
		check_test(test_rcu_unbalanced),
		check_test(test_slab_leak_at_teardown),
		check_test(test_dma_to_freed_page),
		check_test(test_walk_through_freed_table),
		check_test(test_cpu_access_to_freed_page),
		check_test(test_warn_from_op),
		check_test(test_clean_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
