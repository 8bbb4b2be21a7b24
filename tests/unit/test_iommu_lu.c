// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IOMMU core's live update (drivers/iommu/liveupdate.c) and the VT-d
 * driver's preserve/restore (drivers/iommu/intel/liveupdate.c), at the
 * kernel level: a test file handler stands for iommufd (it links the IOMMU
 * FLB and is preserved in a LUO session), the test calls the IOMMU API the
 * way iommufd and VFIO do, and devices DMA on the simulated machine.
 *
 * Covers: the FLB's lifetime; the errnos of domain and device
 * preserve/unpreserve (fixed series: RB-11 double preserve, NULL FLB
 * object, DMA ownership, double device preserve) and the unit refcount; a
 * fail-nth sweep over preserve (every slab, page, KHO and driver fault
 * point leaves nothing behind); the kexec round trip (DMA before, during
 * and after the kexec reaches the same bytes, through DMA and the CPU
 * view; translations equal the frozen ones; domain ids reused and
 * reserved; ownership by token: kernel-driver bind -EBUSY, a new owner
 * -EPERM; non-preserved devices scrubbed); legacy mode; a domain shared by
 * devices on two units restored once; PASID entries other than RID_PASID
 * scrubbed; the PASID table preserved, and without it (test hook) DMA
 * faults after kexec; the restored domain free-only (RB-15) and its pages
 * accounted once (RB-12); three kexecs (phase 1: continuity across the
 * first, a clean refusal after).
 */
#include "iommu_test.h"

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/iommu-lu.h>
#include <linux/kexec_handover.h>
#include <linux/liveupdate.h>
#include <linux/mm.h>
#include <uapi/linux/liveupdate.h>
#include <lusim/iommu-lu.h>
#include <lusim/kexec.h>

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

/* the driver's structures: domain ids, the unit's allocator */
#include "../../sim/drivers/iommu/intel/iommu.h"

#define SZ_4K		0x1000UL
#define TOKEN		0x1f00dULL	/* the "iommufd" LUO token */
#define IOVA		0x40000UL
#define NR_DATA		3		/* data pages mapped at IOVA */

static int owner_cookie, other_cookie;
#define OWNER ((void *)&owner_cookie)
#define OTHER ((void *)&other_cookie)

/* --- a file type whose handler links the IOMMU FLB (stands for iommufd) ---- */

static const struct file_operations lut_fops = {
	.name = "lu-test",
};

static bool lut_can_preserve(struct liveupdate_file_handler *h,
			     struct file *file)
{
	(void)h;
	return file->f_op == &lut_fops;
}

static int lut_preserve(struct liveupdate_file_op_args *args)
{
	args->serialized_data = 0;
	return 0;
}

static void lut_unpreserve(struct liveupdate_file_op_args *args)
{
	(void)args;
}

static int lut_retrieve(struct liveupdate_file_op_args *args)
{
	(void)args;
	return -EOPNOTSUPP;	/* phase 1, as iommufd */
}

static bool lut_can_finish(struct liveupdate_file_op_args *args)
{
	(void)args;
	return false;
}

static void lut_finish(struct liveupdate_file_op_args *args)
{
	(void)args;
}

static const struct liveupdate_file_ops lut_ops = {
	.can_preserve = lut_can_preserve,
	.preserve = lut_preserve,
	.unpreserve = lut_unpreserve,
	.retrieve = lut_retrieve,
	.can_finish = lut_can_finish,
	.finish = lut_finish,
};

static struct liveupdate_file_handler lut_handler = {
	.ops = &lut_ops,
	.compatible = "lusim-iommu-lu-test-v1",
};

static int lut_reg_err, lut_flb_err;

/* the "module": registers at every boot, as iommufd's init does */
static int lut_module_init(void)
{
	lut_reg_err = liveupdate_register_file_handler(&lut_handler);
	if (!lut_reg_err)
		lut_flb_err = iommu_liveupdate_register_flb(&lut_handler);
	return 0;
}
LUSIM_INITCALL(lut_module_init, LUSIM_INIT_DEVICE)

/* --- userspace: /dev/liveupdate --------------------------------------------- */

static int luo_devfd = -1;

static void luo_open(void)
{
	luo_devfd = lusim_sys_open("/dev/liveupdate");
	assert_true(luo_devfd >= 0);
}

static int session_create(const char *name)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg) };
	long ret;

	strncpy((char *)arg.name, name, sizeof(arg.name) - 1);
	ret = lusim_sys_ioctl(luo_devfd, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg);
	assert_int_equal(ret, 0);
	return arg.fd;
}

static int session_preserve(int sfd, int fd, u64 token)
{
	struct liveupdate_session_preserve_fd arg = {
		.size = sizeof(arg), .fd = fd, .token = token,
	};

	return (int)lusim_sys_ioctl(sfd, LIVEUPDATE_SESSION_PRESERVE_FD, &arg);
}

/* A session holding one preserved test file: the IOMMU FLB exists. */
static int session_with_flb(const char *name)
{
	struct file *file;
	int sfd, fd;

	sfd = session_create(name);
	file = anon_inode_getfile("lu-test", &lut_fops, NULL, 0);
	assert_false(IS_ERR(file));
	fd = lusim_fd_install(file);
	assert_true(fd >= 0);
	assert_int_equal(session_preserve(sfd, fd, TOKEN), 0);
	return sfd;
}

/* --- the machine ------------------------------------------------------------ */

static void boot_machine(bool sm)
{
	test_machine_config();
	lusim_intel_iommu_set_sm(sm);
	test_boot();
	assert_int_equal(lut_reg_err, 0);
	assert_int_equal(lut_flb_err, 0);
	luo_open();
}

static struct intel_iommu *unit_of(int dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(test_dev(dev));

	assert_non_null(info);
	return info->iommu;
}

static enum hw_dma_status dma(int dev, u32 pasid, u64 iova, void *buf,
			      size_t len, enum hw_dma_dir dir,
			      struct hw_dma_result *res)
{
	return hw_dma(test_pdev(dev)->hw, pasid, iova, buf, len, dir, res);
}

/* "User" memory: kernel pages the test preserves itself, as memfd would. */
struct data {
	struct page *page[NR_DATA];
	u64 pa[NR_DATA];
};

static void data_alloc(struct data *d)
{
	int i;

	for (i = 0; i < NR_DATA; i++) {
		d->page[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		assert_non_null(d->page[i]);
		d->pa[i] = page_to_phys(d->page[i]);
	}
}

static void data_preserve(struct data *d)
{
	int i;

	for (i = 0; i < NR_DATA; i++)
		assert_int_equal(kho_preserve_folio(page_folio(d->page[i])), 0);
}

/* New kernel: adopt the pages (the CPU view of them is now this kernel's). */
static void data_restore(struct data *d)
{
	int i;

	for (i = 0; i < NR_DATA; i++) {
		struct folio *folio = kho_restore_folio(d->pa[i]);

		assert_non_null(folio);
		d->page[i] = folio_page(folio, 0);
	}
}

static void __attribute__((unused)) data_free(struct data *d)
{
	int i;

	for (i = 0; i < NR_DATA; i++)
		__free_page(d->page[i]);
}

/* Own @dev as iommufd does, attach a new paging domain, map the data pages. */
static struct iommu_domain *own_attach_map(int dev, struct data *d,
					   struct iommu_attach_handle *h)
{
	struct device *dv = test_dev(dev);
	struct iommu_domain *dom;
	int i;

	assert_int_equal(iommu_device_claim_dma_owner(dv, OWNER), 0);
	dom = iommu_paging_domain_alloc(dv);
	assert_false(IS_ERR(dom));
	assert_int_equal(iommu_attach_group_handle(dom, dv->iommu_group, h), 0);
	for (i = 0; d && i < NR_DATA; i++)
		assert_int_equal(iommu_map(dom, IOVA + i * SZ_4K, d->pa[i], SZ_4K,
					   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL), 0);
	pci_set_master(test_pdev(dev));
	return dom;
}

static void unmap_detach_release(int dev, struct iommu_domain *dom)
{
	struct device *dv = test_dev(dev);

	iommu_unmap(dom, IOVA, NR_DATA * SZ_4K);
	iommu_detach_group_handle(dom, dv->iommu_group);
	iommu_device_release_dma_owner(dv);
	iommu_domain_free(dom);
}

static void counts(struct lusim_iommu_lu_counts *c)
{
	assert_int_equal(lusim_iommu_lu_outgoing_counts(c), 0);
}

/* The unit refcount equals the live device sers behind it. */
static void assert_unit_refs(int dev, unsigned int nr)
{
	struct iommu_ser *ser = unit_of(dev)->iommu.outgoing_preserved_state;

	if (!nr) {
		assert_null(ser);
		return;
	}
	assert_non_null(ser);
	assert_false(ser->obj.deleted);
	assert_int_equal(ser->obj.ref_count, nr);
}

/* Page-table pages of a domain (the driver's tables under pgd). */
static unsigned long table_pages(struct dma_pte *table, int level)
{
	unsigned long n = 1;
	int i;

	for (i = 0; level > 1 && i < 512; i++)
		if ((table[i].val & 3) && !(table[i].val & DMA_PTE_LARGE_PAGE))
			n += table_pages(phys_to_virt(table[i].val & HW_PTE_ADDR_MASK),
					 level - 1);
	return n;
}

static unsigned long domain_table_pages(struct iommu_domain *dom)
{
	struct dmar_domain *dd = to_dmar_domain(dom);

	return table_pages(dd->pgd, agaw_to_level(dd->agaw));
}

/* --- the FLB ---------------------------------------------------------------- */

/*
 * The FLB object exists while a file of a linked handler is preserved, in
 * any session, and holds four KHO-preserved pages.
 */
static void test_flb_lifetime(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct lusim_iommu_lu_counts c;
	struct iommu_domain_ser *ser;
	struct iommu_domain *dom;
	unsigned long kho0, kho1;
	int s1, s2;

	(void)state;
	boot_machine(true);
	dom = own_attach_map(DEV_A, NULL, &h);
	kho0 = lusim_kho_nr_preserved_pages();

	/* no preserved iommufd: no FLB object; v1 dereferenced NULL here */
	assert_int_equal(lusim_iommu_lu_outgoing_counts(&c), -ENOENT);
	assert_int_equal(iommu_domain_preserve(dom, &ser), -EINVAL);
	assert_null(dom->preserved_state);

	/* the session's file block (2 pages), then the FLB (4 pages) */
	s1 = session_create("s1");
	kho1 = lusim_kho_nr_preserved_pages();
	assert_int_equal(lusim_sys_close(s1), 0);
	s1 = session_with_flb("s1");
	counts(&c);
	assert_int_equal(c.pages, 4);
	assert_int_equal(c.domains + c.devices + c.iommus, 0);
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho1 + 2 + 4);
	assert_int_not_equal(lusim_iommu_lu_outgoing_flb_phys(), 0);

	/* a second session shares it; it lives until the last file goes */
	s2 = session_with_flb("s2");
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho1 + 2 + 2 + 4);
	assert_int_equal(lusim_sys_close(s1), 0);
	counts(&c);
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho1 + 2 + 4);
	assert_int_equal(lusim_sys_close(s2), 0);
	assert_int_equal(lusim_iommu_lu_outgoing_counts(&c), -ENOENT);
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho0);

	unmap_detach_release(DEV_A, dom);
	assert_no_findings();
}

/* --- domain preserve ---------------------------------------------------------- */

static void test_domain_preserve(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct lusim_iommu_lu_counts c;
	struct iommu_domain_ser *ser, *ser2;
	struct iommu_domain *dom, *nest;
	struct data d;
	unsigned long kho0, tables;
	int sfd;

	(void)state;
	boot_machine(true);
	data_alloc(&d);
	dom = own_attach_map(DEV_A, &d, &h);
	sfd = session_with_flb("s");
	kho0 = lusim_kho_nr_preserved_pages();
	tables = domain_table_pages(dom);
	assert_true(tables >= 4);	/* 4 levels down to the leaves */

	assert_int_equal(iommu_domain_preserve(dom, &ser), 0);
	assert_ptr_equal(dom->preserved_state, ser);
	assert_int_equal(ser->top_table, virt_to_phys(to_dmar_domain(dom)->pgd));
	assert_int_equal(ser->top_level, 4);
	assert_int_equal(ser->obj.ref_count, 1);
	assert_false(ser->obj.deleted);
	/* every page-table page, nothing else */
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho0 + tables);
	counts(&c);
	assert_int_equal(c.domains, 1);
	assert_int_equal(c.live_domains, 1);

	/* RB-11: one live record per domain */
	assert_int_equal(iommu_domain_preserve(dom, &ser2), -EBUSY);
	counts(&c);
	assert_int_equal(c.domains, 1);
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho0 + tables);

	iommu_domain_unpreserve(dom);
	assert_null(dom->preserved_state);
	assert_true(ser->obj.deleted);
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho0);
	counts(&c);
	assert_int_equal(c.live_domains, 0);
	/* unpreserving a domain that is not preserved: nothing (v1: NULL deref) */
	iommu_domain_unpreserve(dom);
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho0);

	/* preserve again after unpreserve: a new slot (deleted ones stay) */
	assert_int_equal(iommu_domain_preserve(dom, &ser2), 0);
	assert_ptr_not_equal(ser2, ser);
	assert_int_equal(ser2->obj.idx, 1);
	iommu_domain_unpreserve(dom);

	/* a second-stage domain (nest parent) too */
	nest = iommu_paging_domain_alloc_flags(test_dev(DEV_A),
					       IOMMU_HWPT_ALLOC_NEST_PARENT);
	assert_false(IS_ERR(nest));
	assert_int_equal(iommu_domain_preserve(nest, &ser2), 0);
	iommu_domain_unpreserve(nest);
	iommu_domain_free(nest);
	/* the driver's static blocking domain has none at all */
	assert_int_equal(iommu_domain_preserve(dev_iommu_ops(test_dev(DEV_A))->blocked_domain,
					       &ser2), -EOPNOTSUPP);

	assert_int_equal(lusim_sys_close(sfd), 0);
	unmap_detach_release(DEV_A, dom);
	data_free(&d);
	assert_no_findings();
}

/* A unit whose driver has no live-update ops refuses, nothing changes. */
static void test_preserve_unsupported(void **state)
{
	struct iommu_attach_handle h = { 0 };
	struct lusim_iommu_lu_counts c;
	struct iommu_domain_ser *ser;
	struct iommu_domain *dom;
	unsigned long kho0;
	int sfd;

	(void)state;
	assert_int_equal(lusim_intel_iommu_set_quirks(UNIT1,
				LUSIM_INTEL_QUIRK_NO_LIVEUPDATE), 0);
	boot_machine(true);
	dom = own_attach_map(DEV_D, NULL, &h);
	sfd = session_with_flb("s");
	kho0 = lusim_kho_nr_preserved_pages();

	assert_int_equal(iommu_domain_preserve(dom, &ser), -EOPNOTSUPP);
	assert_int_equal(iommu_preserve_device(dom, test_dev(DEV_D), TOKEN),
			 -EOPNOTSUPP);
	counts(&c);
	assert_int_equal(c.domains + c.devices + c.iommus, 0);
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho0);

	assert_int_equal(lusim_sys_close(sfd), 0);
	unmap_detach_release(DEV_D, dom);
	assert_no_findings();
}

/* --- device preserve ------------------------------------------------------------ */

static void test_device_preserve(void **state)
{
	struct iommu_attach_handle ha = { 0 }, hb = { 0 };
	struct lusim_iommu_lu_counts c;
	struct iommu_domain_ser *ser;
	struct iommu_domain *da, *db, *unp;
	struct device_ser *dsa, *dsb;
	unsigned long kho0, kho1, kho2;
	int sfd;

	(void)state;
	boot_machine(true);
	sfd = session_with_flb("s");
	kho0 = lusim_kho_nr_preserved_pages();

	/* not owned: -EINVAL (v1 did not check) */
	da = iommu_paging_domain_alloc(test_dev(DEV_A));
	assert_false(IS_ERR(da));
	assert_int_equal(iommu_domain_preserve(da, &ser), 0);
	assert_int_equal(iommu_preserve_device(da, test_dev(DEV_A), TOKEN),
			 -EINVAL);
	iommu_domain_unpreserve(da);
	iommu_domain_free(da);

	da = own_attach_map(DEV_A, NULL, &ha);
	/* the domain is not preserved: -EINVAL */
	assert_int_equal(iommu_preserve_device(da, test_dev(DEV_A), TOKEN),
			 -EINVAL);
	assert_int_equal(iommu_domain_preserve(da, &ser), 0);
	kho1 = lusim_kho_nr_preserved_pages();

	assert_int_equal(iommu_preserve_device(da, test_dev(DEV_A), TOKEN), 0);
	dsa = dev_iommu_preserved_state(test_dev(DEV_A));
	assert_non_null(dsa);
	assert_int_equal(dsa->token, TOKEN);
	assert_int_equal(dsa->devid, PCI_DEVID(0, PCI_DEVFN(2, 0)));
	assert_int_equal(dsa->pci_domain, 0);
	assert_int_equal(dsa->domain_iommu_ser.domain_phys, virt_to_phys(ser));
	assert_int_equal(dsa->domain_iommu_ser.iommu_phys,
			 virt_to_phys(unit_of(DEV_A)->iommu.outgoing_preserved_state));
	assert_int_equal(dsa->domain_iommu_ser.did,
			 domain_id_iommu(to_dmar_domain(da), unit_of(DEV_A)));
	assert_int_equal(dsa->type, IOMMU_INTEL);
	assert_int_not_equal(dsa->intel.pasid_table, 0);
	assert_null(dev_iommu_restored_state(test_dev(DEV_A)));
	assert_unit_refs(DEV_A, 1);
	{
		struct iommu_ser *us = unit_of(DEV_A)->iommu.outgoing_preserved_state;

		assert_int_equal(us->token, UNIT0);
		assert_int_equal(us->type, IOMMU_INTEL);
		assert_int_equal(us->intel.root_table,
				 virt_to_phys(unit_of(DEV_A)->root_entry));
	}
	/* root table, context table, PASID directory and first PASID table */
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho1 + 4);

	/* a second preserve of the device: -EBUSY (v1: a second record) */
	assert_int_equal(iommu_preserve_device(da, test_dev(DEV_A), TOKEN), -EBUSY);
	assert_unit_refs(DEV_A, 1);

	/*
	 * B shares its group with C: the singleton-group rule refuses it
	 * after the driver preserved it, and rolls everything back (v1: the
	 * preserve succeeded and the next kernel never restored B).
	 */
	db = own_attach_map(DEV_B, NULL, &hb);
	assert_int_equal(iommu_domain_preserve(db, &ser), 0);
	kho2 = lusim_kho_nr_preserved_pages();
	assert_int_equal(iommu_preserve_device(db, test_dev(DEV_B), TOKEN + 1),
			 -EOPNOTSUPP);
	assert_null(dev_iommu_preserved_state(test_dev(DEV_B)));
	assert_unit_refs(DEV_B, 1);
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho2);
	counts(&c);
	assert_int_equal(c.live_devices, 1);

	/* C unplugged, B's group is its own: same unit, refcount 2 */
	assert_int_equal(lusim_pci_hotplug_remove(test_pdev(DEV_C)), 0);
	assert_int_equal(iommu_preserve_device(db, test_dev(DEV_B), TOKEN + 1), 0);
	dsb = dev_iommu_preserved_state(test_dev(DEV_B));
	assert_unit_refs(DEV_B, 2);
	counts(&c);
	assert_int_equal(c.live_devices, 2);
	assert_int_equal(c.live_iommus, 1);

	/* owned but on the blocking domain: no attachment (v1: NULL deref) */
	assert_int_equal(iommu_device_claim_dma_owner(test_dev(DEV_D), OWNER), 0);
	unp = iommu_paging_domain_alloc(test_dev(DEV_D));
	assert_false(IS_ERR(unp));
	assert_int_equal(iommu_domain_preserve(unp, &ser), 0);
	assert_int_equal(iommu_preserve_device(unp, test_dev(DEV_D), TOKEN),
			 -EINVAL);
	assert_unit_refs(DEV_D, 0);
	iommu_domain_unpreserve(unp);
	iommu_domain_free(unp);
	iommu_device_release_dma_owner(test_dev(DEV_D));

	/* unpreserve in reverse: the unit goes with its last device */
	iommu_unpreserve_device(db, test_dev(DEV_B));
	assert_true(dsb->obj.deleted);	/* v1 left it live */
	assert_null(dev_iommu_preserved_state(test_dev(DEV_B)));
	assert_unit_refs(DEV_A, 1);
	iommu_unpreserve_device(da, test_dev(DEV_A));
	assert_true(dsa->obj.deleted);
	assert_unit_refs(DEV_A, 0);
	counts(&c);
	assert_int_equal(c.live_devices + c.live_iommus, 0);
	/*
	 * deleted slots stay: A, B's refused and accepted attempts, and D's
	 * failed one; units 0 and 1
	 */
	assert_int_equal(c.devices, 4);
	assert_int_equal(c.iommus, 2);
	iommu_domain_unpreserve(db);
	iommu_domain_unpreserve(da);
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho0);

	/* unpreserving a device that is not preserved: the kernel's WARN */
	assert_no_findings();
	iommu_unpreserve_device(da, test_dev(DEV_A));
	assert_finding("WARN");
	assert_int_equal(lusim_findings_count(), 1);
	lusim_findings_clear();

	assert_int_equal(lusim_sys_close(sfd), 0);
	unmap_detach_release(DEV_B, db);
	unmap_detach_release(DEV_A, da);
	assert_no_findings();
}


/* --- fail-nth sweep over preserve ----------------------------------------------- */

struct sweep {
	struct iommu_attach_handle h;
	struct iommu_domain *dom;
	struct iommu_domain_ser *ser;
	struct data d;
	int sfd;
	/* the state before the op */
	unsigned long kho, pages;
	struct lusim_iommu_lu_counts c;
};

static void sweep_prefix(struct sweep *sw, bool domain_preserved)
{
	lusim_reset_all();
	lusim_findings_clear();
	memset(sw, 0, sizeof(*sw));
	boot_machine(true);
	data_alloc(&sw->d);
	sw->dom = own_attach_map(DEV_A, &sw->d, &sw->h);
	sw->sfd = session_with_flb("s");
	if (domain_preserved)
		assert_int_equal(iommu_domain_preserve(sw->dom, &sw->ser), 0);
	sw->kho = lusim_kho_nr_preserved_pages();
	sw->pages = lusim_iommu_pages_count();
	counts(&sw->c);
}

static int sweep_op(struct sweep *sw, bool device)
{
	if (device)
		return iommu_preserve_device(sw->dom, test_dev(DEV_A), TOKEN);
	return iommu_domain_preserve(sw->dom, &sw->ser);
}

/* After a failed op, everything is as it was before. */
static void sweep_check_unchanged(struct sweep *sw, bool device)
{
	struct lusim_iommu_lu_counts c;

	assert_int_equal(lusim_kho_nr_preserved_pages(), sw->kho);
	assert_int_equal(lusim_iommu_pages_count(), sw->pages);
	counts(&c);
	assert_int_equal(c.live_domains, sw->c.live_domains);
	assert_int_equal(c.live_devices, sw->c.live_devices);
	assert_int_equal(c.live_iommus, sw->c.live_iommus);
	assert_null(dev_iommu_preserved_state(test_dev(DEV_A)));
	assert_unit_refs(DEV_A, 0);
	if (!device)
		assert_null(sw->dom->preserved_state);
	assert_no_findings();
}

static const enum lusim_fault_class sweep_classes[] = {
	LUSIM_FAULT_SLAB, LUSIM_FAULT_PAGE, LUSIM_FAULT_KHO, LUSIM_FAULT_DRIVER,
};

static void sweep(bool device, unsigned long *points)
{
	struct sweep sw;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sweep_classes); i++) {
		enum lusim_fault_class cls = sweep_classes[i];
		unsigned long before, k, n;

		/* learn how many fault points of @cls the op passes */
		sweep_prefix(&sw, device);
		before = lusim_fault_count(cls);
		assert_int_equal(sweep_op(&sw, device), 0);
		k = lusim_fault_count(cls) - before;
		points[i] = k;

		for (n = 1; n <= k; n++) {
			sweep_prefix(&sw, device);
			lusim_fail_nth(cls, n);
			assert_true(sweep_op(&sw, device) < 0);
			assert_int_equal(lusim_fault_injected(cls), 1);
			sweep_check_unchanged(&sw, device);
			/* and the op works once the fault is gone */
			assert_int_equal(sweep_op(&sw, device), 0);
		}
	}
	lusim_reset_all();
}

static void test_preserve_fail_nth(void **state)
{
	unsigned long dom_points[ARRAY_SIZE(sweep_classes)];
	unsigned long dev_points[ARRAY_SIZE(sweep_classes)];

	(void)state;
	sweep(false, dom_points);
	sweep(true, dev_points);
	/* domain: the driver op, one KHO preserve per table page */
	assert_int_equal(dom_points[3], 1);
	assert_true(dom_points[2] >= 4);
	/* device: unit and device ops; root, context, PASID dir and table */
	assert_int_equal(dev_points[3], 2);
	assert_int_equal(dev_points[2], 4);
	print_message("fault points: domain preserve slab %lu page %lu kho %lu driver %lu; "
		      "device preserve slab %lu page %lu kho %lu driver %lu\n",
		      dom_points[0], dom_points[1], dom_points[2], dom_points[3],
		      dev_points[0], dev_points[1], dev_points[2], dev_points[3]);
}

/* --- the kexec round trip ------------------------------------------------------ */

static const char pat_before[] = "written before the kexec";
static const char pat_freeze[] = "written after the freeze";
static const char pat_drop[] = "written after the memory drop";
static const char pat_after[] = "written by the new kernel's time";

/* What DMA saw while the kexec ran (hooks); the test's statics survive. */
static struct {
	struct hw_pci_dev *a, *b;	/* hardware outlives kernels */
	enum hw_dma_status freeze_w, freeze_r, freeze_b, drop_w, drop_r;
	char freeze_buf[sizeof(pat_before)], drop_buf[sizeof(pat_before)];
	bool in_hook, dropped;
} rt;

static int rt_after_freeze(enum lusim_kexec_stage stage)
{
	char x;

	(void)stage;
	rt.freeze_w = hw_dma(rt.a, HW_NO_PASID, IOVA + SZ_4K, (void *)pat_freeze,
			     sizeof(pat_freeze), HW_DMA_WRITE, NULL);
	rt.freeze_r = hw_dma(rt.a, HW_NO_PASID, IOVA, rt.freeze_buf,
			     sizeof(rt.freeze_buf), HW_DMA_READ, NULL);
	/* the shutdown ran before this hook: B's bus mastering is off */
	rt.freeze_b = hw_dma(rt.b, HW_NO_PASID, IOVA, &x, 1, HW_DMA_READ, NULL);
	return 0;
}

/* After the machine dropped every unpreserved page, before the new kernel. */
static void rt_event_hook(const struct hw_event *ev, void *arg)
{
	(void)arg;
	if (ev->kind != HW_EV_KEXEC || rt.in_hook)
		return;
	rt.in_hook = true;
	rt.dropped = true;
	rt.drop_w = hw_dma(rt.a, HW_NO_PASID, IOVA + 2 * SZ_4K, (void *)pat_drop,
			   sizeof(pat_drop), HW_DMA_WRITE, NULL);
	rt.drop_r = hw_dma(rt.a, HW_NO_PASID, IOVA, rt.drop_buf,
			   sizeof(rt.drop_buf), HW_DMA_READ, NULL);
	rt.in_hook = false;
}

/* hw_iommu_probe() of the data IOVAs: pa and domain id. */
static void probe_translations(int dev, u64 pa[NR_DATA], u16 *did)
{
	struct hw_xlate x;
	int i;

	for (i = 0; i < NR_DATA; i++) {
		assert_int_equal(hw_iommu_probe(test_pdev(dev)->hw, HW_NO_PASID,
						IOVA + i * SZ_4K, HW_DMA_WRITE, &x),
				 HW_DMA_OK);
		pa[i] = x.pa;
		*did = x.did;
	}
}

/*
 * Preserve A (its domain maps three data pages), keep B (same unit, same
 * context table) attached but not preserved, kexec.  Scalable or legacy.
 */
static void round_trip(bool sm)
{
	struct iommu_attach_handle ha = { 0 }, hb = { 0 };
	struct lusim_intel_lu_boot_stats bs;
	struct lusim_iommu_lu_counts c;
	struct iommu_domain *da, *db, *restored;
	struct iommu_domain_ser *ser;
	struct hw_dma_result res;
	struct data d;
	u64 pa_before[NR_DATA], pa_after[NR_DATA], root;
	u16 did_before, did_after;
	char buf[64];
	unsigned long tables;
	int i, sfd;

	boot_machine(sm);
	data_alloc(&d);
	da = own_attach_map(DEV_A, &d, &ha);
	db = own_attach_map(DEV_B, &d, &hb);
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, (void *)pat_before,
			     sizeof(pat_before), HW_DMA_WRITE, NULL), HW_DMA_OK);
	assert_int_equal(dma(DEV_B, HW_NO_PASID, IOVA, buf, sizeof(buf),
			     HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_before, sizeof(pat_before));

	/* what iommufd, memfd and VFIO would preserve */
	sfd = session_with_flb("vm");
	data_preserve(&d);
	assert_int_equal(iommu_domain_preserve(da, &ser), 0);
	assert_int_equal(iommu_preserve_device(da, test_dev(DEV_A), TOKEN), 0);
	(void)sfd;
	probe_translations(DEV_A, pa_before, &did_before);
	assert_int_equal(did_before,
			 domain_id_iommu(to_dmar_domain(da), unit_of(DEV_A)));
	tables = domain_table_pages(da);
	root = hw_iommu_root_table(hw_iommu_find(UNIT0), NULL);

	memset(&rt, 0, sizeof(rt));
	rt.a = test_pdev(DEV_A)->hw;
	rt.b = test_pdev(DEV_B)->hw;
	assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE,
					      rt_after_freeze), 0);
	hw_set_event_hook(rt_event_hook, NULL);
	assert_int_equal(lusim_kexec(), 0);
	hw_set_event_hook(NULL, NULL);
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, rt_after_freeze);

	/* during: after the freeze, and after the memory drop */
	assert_int_equal(rt.freeze_w, HW_DMA_OK);
	assert_int_equal(rt.freeze_r, HW_DMA_OK);
	assert_memory_equal(rt.freeze_buf, pat_before, sizeof(pat_before));
	assert_int_equal(rt.freeze_b, HW_DMA_DROPPED);
	assert_true(rt.dropped);
	assert_int_equal(rt.drop_w, HW_DMA_OK);
	assert_int_equal(rt.drop_r, HW_DMA_OK);
	assert_memory_equal(rt.drop_buf, pat_before, sizeof(pat_before));

	/* the unit kept translating: same root table, translation on */
	assert_true(hw_iommu_translation_enabled(hw_iommu_find(UNIT0)));
	assert_int_equal(hw_iommu_root_table(hw_iommu_find(UNIT0), NULL), root);
	lusim_intel_lu_get_boot_stats(&bs);
	assert_int_equal(bs.units_restored, 1);
	assert_int_equal(bs.context_tables_restored, 1);
	assert_int_equal(bs.context_entries_cleared, 2);	/* B and C */
	assert_int_equal(bs.root_entries_cleared, 0);
	assert_int_equal(bs.pasid_tables_restored, sm ? 1 : 0);
	assert_int_equal(bs.dids_reserved, 1);

	/* A: the restored domain, same translations, same domain id */
	restored = iommu_get_domain_for_dev(test_dev(DEV_A));
	assert_non_null(iommu_domain_restored_state(restored));
	assert_null(test_dev(DEV_A)->iommu->device_ser);	/* consumed */
	assert_true(hw_pci_bus_master(test_pdev(DEV_A)->hw));
	probe_translations(DEV_A, pa_after, &did_after);
	assert_memory_equal(pa_after, pa_before, sizeof(pa_before));
	assert_int_equal(did_after, did_before);
	assert_int_equal(domain_id_iommu(to_dmar_domain(restored), unit_of(DEV_A)),
			 did_before);
	assert_true(ida_exists(&unit_of(DEV_A)->domain_ida, did_before));
	assert_int_equal(domain_table_pages(restored), tables);
	for (i = 0; i < NR_DATA; i++)
		assert_int_equal(iommu_iova_to_phys(restored, IOVA + i * SZ_4K),
				 pa_before[i]);

	/* the bytes: through DMA and through the CPU view */
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, buf, sizeof(buf),
			     HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_before, sizeof(pat_before));
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA + SZ_4K, buf, sizeof(buf),
			     HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_freeze, sizeof(pat_freeze));
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA + 2 * SZ_4K, buf,
			     sizeof(pat_drop), HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_drop, sizeof(pat_drop));
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA + 100, (void *)pat_after,
			     sizeof(pat_after), HW_DMA_WRITE, NULL), HW_DMA_OK);
	data_restore(&d);
	assert_memory_equal(page_address(d.page[0]), pat_before, sizeof(pat_before));
	assert_memory_equal((char *)page_address(d.page[0]) + 100, pat_after,
			    sizeof(pat_after));
	assert_memory_equal(page_address(d.page[1]), pat_freeze, sizeof(pat_freeze));
	assert_memory_equal(page_address(d.page[2]), pat_drop, sizeof(pat_drop));

	/* ownership: the preserved token; no kernel driver, no other owner */
	assert_true(iommu_group_dma_owner_claimed(test_group(DEV_A)));
	assert_int_equal(lusim_pci_bind_native_driver(test_pdev(DEV_A)), -EBUSY);
	assert_int_equal(iommu_device_claim_dma_owner(test_dev(DEV_A), OTHER),
			 -EPERM);
	assert_int_equal(iommu_device_claim_dma_owner(test_dev(DEV_A), OWNER),
			 -EPERM);

	/* B was not preserved: shut down, scrubbed, on a new default domain */
	assert_false(hw_pci_bus_master(test_pdev(DEV_B)->hw));
	assert_false(iommu_group_dma_owner_claimed(test_group(DEV_B)));
	pci_set_master(test_pdev(DEV_B));
	assert_int_equal(dma(DEV_B, HW_NO_PASID, IOVA, buf, 1, HW_DMA_READ, &res),
			 HW_DMA_FAULT);
	assert_int_equal(res.reason, HW_FAULT_PTE_NOT_PRESENT);
	/* a new domain gets a new domain id, never the reserved one */
	{
		struct iommu_attach_handle hn = { 0 };
		struct iommu_domain *dn = own_attach_map(DEV_B, NULL, &hn);

		assert_int_not_equal(domain_id_iommu(to_dmar_domain(dn),
						     unit_of(DEV_B)), did_before);
		unmap_detach_release(DEV_B, dn);
	}

	/* what was handed over */
	assert_int_equal(lusim_iommu_lu_incoming_counts(&c), 0);
	assert_int_equal(c.live_domains, 1);
	assert_int_equal(c.live_devices, 1);
	assert_int_equal(c.live_iommus, 1);
	/* the old kernel's domains of A and B are gone with it */
	(void)db;
	assert_no_findings();
}

static void test_kexec_round_trip(void **state)
{
	(void)state;
	round_trip(true);
}

static void test_kexec_round_trip_legacy(void **state)
{
	(void)state;
	round_trip(false);
}


/*
 * A domain shared by devices behind two units: restored once, both devices
 * on it, each unit reserving its own domain id.
 */
static void test_kexec_shared_domain(void **state)
{
	struct iommu_attach_handle ha = { 0 }, hd = { 0 };
	struct lusim_intel_lu_boot_stats bs;
	struct iommu_domain *dom, *ra, *rd;
	struct iommu_domain_ser *ser;
	struct data d;
	char buf[64];
	u16 did_a, did_d;
	int sfd;

	(void)state;
	boot_machine(true);
	data_alloc(&d);
	dom = own_attach_map(DEV_A, &d, &ha);
	assert_int_equal(iommu_device_claim_dma_owner(test_dev(DEV_D), OWNER), 0);
	assert_int_equal(iommu_attach_group_handle(dom, test_group(DEV_D), &hd), 0);
	pci_set_master(test_pdev(DEV_D));
	assert_int_equal(dma(DEV_D, HW_NO_PASID, IOVA, (void *)pat_before,
			     sizeof(pat_before), HW_DMA_WRITE, NULL), HW_DMA_OK);
	did_a = domain_id_iommu(to_dmar_domain(dom), unit_of(DEV_A));
	did_d = domain_id_iommu(to_dmar_domain(dom), unit_of(DEV_D));

	sfd = session_with_flb("vm");
	(void)sfd;
	data_preserve(&d);
	assert_int_equal(iommu_domain_preserve(dom, &ser), 0);
	assert_int_equal(iommu_preserve_device(dom, test_dev(DEV_A), TOKEN), 0);
	assert_int_equal(iommu_preserve_device(dom, test_dev(DEV_D), TOKEN), 0);
	assert_unit_refs(DEV_A, 1);
	assert_unit_refs(DEV_D, 1);

	assert_int_equal(lusim_kexec(), 0);

	lusim_intel_lu_get_boot_stats(&bs);
	assert_int_equal(bs.units_restored, 2);
	assert_int_equal(bs.dids_reserved, 2);
	ra = iommu_get_domain_for_dev(test_dev(DEV_A));
	rd = iommu_get_domain_for_dev(test_dev(DEV_D));
	assert_ptr_equal(ra, rd);
	assert_non_null(iommu_domain_restored_state(ra));
	assert_int_equal(domain_id_iommu(to_dmar_domain(ra), unit_of(DEV_A)), did_a);
	assert_int_equal(domain_id_iommu(to_dmar_domain(ra), unit_of(DEV_D)), did_d);
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, buf, sizeof(buf),
			     HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_before, sizeof(pat_before));
	assert_int_equal(dma(DEV_D, HW_NO_PASID, IOVA + SZ_4K, (void *)pat_after,
			     sizeof(pat_after), HW_DMA_WRITE, NULL), HW_DMA_OK);
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA + SZ_4K, buf,
			     sizeof(pat_after), HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_after, sizeof(pat_after));
	/* one domain ser, one restored domain (a second adoption would BUG) */
	ser = iommu_domain_restored_state(ra);
	assert_ptr_equal(ser->restored_domain, ra);
	assert_no_findings();
}

/*
 * PASID attachments are not preserved: the new kernel clears every PASID
 * entry of a preserved device but RID_PASID (with its invalidations), so
 * PASID DMA faults while RID DMA goes on.  (iommufd refuses to preserve a
 * device with PASID attachments, RB-01; the core does not look.)
 */
static void test_kexec_pasid_entries_scrubbed(void **state)
{
	struct iommu_attach_handle ha = { 0 }, h5 = { 0 };
	struct lusim_intel_lu_boot_stats bs;
	struct iommu_domain *dom, *d5;
	struct iommu_domain_ser *ser;
	struct hw_dma_result res;
	struct data d;
	char buf[64];
	int sfd;

	(void)state;
	boot_machine(true);
	data_alloc(&d);
	dom = own_attach_map(DEV_A, &d, &ha);
	d5 = iommu_paging_domain_alloc_flags(test_dev(DEV_A), IOMMU_HWPT_ALLOC_PASID);
	assert_false(IS_ERR(d5));
	assert_int_equal(iommu_map(d5, IOVA, d.pa[2], SZ_4K, IOMMU_READ | IOMMU_WRITE,
				   GFP_KERNEL), 0);
	assert_int_equal(iommu_attach_device_pasid(d5, test_dev(DEV_A), 5, &h5), 0);
	assert_int_equal(dma(DEV_A, 5, IOVA, (void *)pat_before, sizeof(pat_before),
			     HW_DMA_WRITE, NULL), HW_DMA_OK);

	sfd = session_with_flb("vm");
	(void)sfd;
	data_preserve(&d);
	assert_int_equal(iommu_domain_preserve(dom, &ser), 0);
	assert_int_equal(iommu_preserve_device(dom, test_dev(DEV_A), TOKEN), 0);

	assert_int_equal(lusim_kexec(), 0);

	lusim_intel_lu_get_boot_stats(&bs);
	assert_int_equal(bs.pasid_entries_cleared, 1);
	assert_int_equal(dma(DEV_A, 5, IOVA, buf, 1, HW_DMA_READ, &res),
			 HW_DMA_FAULT);
	assert_int_equal(res.reason, HW_FAULT_PASID_NOT_PRESENT);
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA + 2 * SZ_4K, buf,
			     sizeof(pat_before), HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_before, sizeof(pat_before));
	assert_no_findings();
}

/*
 * In scalable mode the context entry points at the PASID directory: the
 * device preserve keeps it and its first table, and DMA goes on.  Without
 * them (the series before its PASID-table patch, a test hook here) the
 * directory is gone after kexec and the same DMA faults.
 */
static void pasid_table_case(bool skip)
{
	struct iommu_attach_handle ha = { 0 };
	struct iommu_domain *dom;
	struct iommu_domain_ser *ser;
	struct hw_dma_result res;
	struct device_ser *ds;
	struct data d;
	char buf[64];
	unsigned long kho1;
	int sfd;

	boot_machine(true);
	data_alloc(&d);
	dom = own_attach_map(DEV_A, &d, &ha);
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, (void *)pat_before,
			     sizeof(pat_before), HW_DMA_WRITE, NULL), HW_DMA_OK);
	sfd = session_with_flb("vm");
	(void)sfd;
	data_preserve(&d);
	assert_int_equal(iommu_domain_preserve(dom, &ser), 0);
	kho1 = lusim_kho_nr_preserved_pages();
	lusim_intel_iommu_lu_skip_pasid_table(skip);
	assert_int_equal(iommu_preserve_device(dom, test_dev(DEV_A), TOKEN), 0);
	ds = dev_iommu_preserved_state(test_dev(DEV_A));
	/* root and context table, plus the PASID directory and first table */
	assert_int_equal(lusim_kho_nr_preserved_pages(), kho1 + (skip ? 2 : 4));
	assert_int_equal(ds->intel.pasid_table == 0, skip);

	assert_int_equal(lusim_kexec(), 0);

	if (skip) {
		assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, buf, sizeof(buf),
				     HW_DMA_READ, &res), HW_DMA_FAULT);
		assert_int_equal(res.done, 0);
	} else {
		assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, buf, sizeof(buf),
				     HW_DMA_READ, NULL), HW_DMA_OK);
		assert_memory_equal(buf, pat_before, sizeof(pat_before));
	}
	assert_no_findings();
}

static void test_kexec_pasid_table_preserved(void **state)
{
	(void)state;
	pasid_table_case(false);
}

static void test_kexec_without_pasid_table_faults(void **state)
{
	(void)state;
	pasid_table_case(true);
}

/*
 * RB-15: the restored domain can only be attached and freed: map and unmap
 * fail (the core WARNs on a domain without the ops, as the kernel) and
 * change nothing.  RB-12: its table pages are this kernel's iommu-pages,
 * counted once; freeing it releases exactly them, and the domain id.
 */
static void test_restored_domain_free_only(void **state)
{
	struct iommu_attach_handle ha = { 0 };
	struct iommu_domain *dom, *restored;
	struct iommu_domain_ser *ser;
	struct hw_dma_result res;
	struct data d;
	u64 pa[NR_DATA], pa2[NR_DATA];
	unsigned long tables, pages;
	u16 did, did2;
	char buf[8];
	int sfd;

	(void)state;
	boot_machine(true);
	data_alloc(&d);
	dom = own_attach_map(DEV_A, &d, &ha);
	sfd = session_with_flb("vm");
	(void)sfd;
	data_preserve(&d);
	assert_int_equal(iommu_domain_preserve(dom, &ser), 0);
	assert_int_equal(iommu_preserve_device(dom, test_dev(DEV_A), TOKEN), 0);
	tables = domain_table_pages(dom);
	probe_translations(DEV_A, pa, &did);

	assert_int_equal(lusim_kexec(), 0);

	restored = iommu_get_domain_for_dev(test_dev(DEV_A));
	assert_non_null(iommu_domain_restored_state(restored));
	assert_null(restored->ops->map_pages);
	assert_null(restored->ops->unmap_pages);
	assert_null(restored->ops->set_dev_pasid);

	assert_int_equal(iommu_map(restored, 0x900000, d.pa[0], SZ_4K,
				   IOMMU_READ, GFP_KERNEL), -ENODEV);
	assert_finding("WARN");
	lusim_findings_clear();
	assert_int_equal(iommu_unmap(restored, IOVA, SZ_4K), 0);
	assert_finding("WARN");
	lusim_findings_clear();
	probe_translations(DEV_A, pa2, &did2);
	assert_memory_equal(pa2, pa, sizeof(pa));
	assert_int_equal(domain_table_pages(restored), tables);
	/* a PASID attach needs set_dev_pasid */
	{
		struct iommu_attach_handle h5 = { 0 };

		assert_int_equal(iommu_attach_device_pasid(restored, test_dev(DEV_A),
							   5, &h5), -EOPNOTSUPP);
	}

	/* its owner lets go (phase 2 would be iommufd), then frees it */
	iommu_group_release_dma_owner(test_group(DEV_A));
	assert_ptr_not_equal(iommu_get_domain_for_dev(test_dev(DEV_A)), restored);
	assert_false(ida_exists(&unit_of(DEV_A)->domain_ida, did));
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, buf, 1, HW_DMA_READ, &res),
			 HW_DMA_FAULT);
	pages = lusim_iommu_pages_count();
	iommu_domain_free(restored);
	assert_int_equal(pages - lusim_iommu_pages_count(), tables);
	assert_no_findings();
}

/*
 * Three kexecs, phase 1 (AMENDMENTS "Live update"): DMA continues across the
 * first; the restored device cannot be preserved again (its domain is the
 * previous kernel's, and a new owner cannot claim it), so the second kexec
 * shuts it down and the next kernel neither restores nor translates for it.
 */
static void three_kexecs(int dev)
{
	struct iommu_attach_handle ha = { 0 };
	struct lusim_intel_lu_boot_stats bs;
	struct lusim_iommu_lu_counts c;
	struct iommu_domain *dom, *restored;
	struct iommu_domain_ser *ser;
	struct hw_dma_result res;
	struct hw_xlate x;
	struct data d;
	char buf[64];
	int round, sfd;

	boot_machine(true);
	data_alloc(&d);
	dom = own_attach_map(dev, &d, &ha);
	assert_int_equal(dma(dev, HW_NO_PASID, IOVA, (void *)pat_before,
			     sizeof(pat_before), HW_DMA_WRITE, NULL), HW_DMA_OK);
	sfd = session_with_flb("vm");
	data_preserve(&d);
	assert_int_equal(iommu_domain_preserve(dom, &ser), 0);
	assert_int_equal(iommu_preserve_device(dom, test_dev(dev), TOKEN), 0);

	/* kexec 1: continuity */
	assert_int_equal(lusim_kexec(), 0);
	assert_int_equal(dma(dev, HW_NO_PASID, IOVA, buf, sizeof(buf),
			     HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_before, sizeof(pat_before));

	/* kernel 2: a new session (a new FLB); the device cannot go again */
	luo_open();
	sfd = session_with_flb("again");
	(void)sfd;
	restored = iommu_get_domain_for_dev(test_dev(dev));
	/* its ops cannot preserve; were they there, it is preserved: -EBUSY */
	assert_int_equal(iommu_domain_preserve(restored, &ser), -EOPNOTSUPP);
	assert_int_equal(iommu_preserve_device(restored, test_dev(dev), TOKEN),
			 -EINVAL);
	assert_int_equal(iommu_device_claim_dma_owner(test_dev(dev), OWNER),
			 -EPERM);
	counts(&c);
	assert_int_equal(c.domains + c.devices + c.iommus, 0);

	for (round = 2; round <= 3; round++) {
		assert_int_equal(lusim_kexec(), 0);

		/* shut down by the old kernel, not restored by the new one */
		lusim_intel_lu_get_boot_stats(&bs);
		assert_int_equal(bs.units_restored, 0);
		assert_false(hw_pci_bus_master(test_pdev(dev)->hw));
		assert_int_equal(dma(dev, HW_NO_PASID, IOVA, buf, 1,
				     HW_DMA_READ, NULL), HW_DMA_DROPPED);
		assert_null(test_dev(dev)->iommu->device_ser);
		assert_false(iommu_group_dma_owner_claimed(test_group(dev)));
		assert_int_equal(iommu_get_domain_for_dev(test_dev(dev))->type,
				 IOMMU_DOMAIN_DMA);
		/* no stale translation: tables and DMA say no */
		assert_int_equal(hw_iommu_probe(test_pdev(dev)->hw, HW_NO_PASID,
						IOVA, HW_DMA_READ, &x), HW_DMA_FAULT);
		pci_set_master(test_pdev(dev));
		assert_int_equal(dma(dev, HW_NO_PASID, IOVA, buf, 1,
				     HW_DMA_READ, &res), HW_DMA_FAULT);
		assert_int_equal(res.reason, HW_FAULT_PTE_NOT_PRESENT);
		/* nothing of ours handed over */
		if (!lusim_iommu_lu_incoming_counts(&c))
			assert_int_equal(c.live_devices + c.live_domains +
					 c.live_iommus, 0);
		/* and nothing of ours preserved for the next one */
		assert_int_equal(lusim_iommu_lu_outgoing_counts(&c), -ENOENT);
		assert_null(unit_of(dev)->iommu.outgoing_preserved_state);
	}
	assert_no_findings();
}

static void test_three_kexecs(void **state)
{
	(void)state;
	three_kexecs(DEV_A);
}

/*
 * The same with a device that caches translations (ATS): its device-TLB,
 * legitimately kept across the first kexec, must not outlive the device's
 * restored state (the driver drops it when a later kernel probes it).
 */
static void test_three_kexecs_ats(void **state)
{
	(void)state;
	three_kexecs(DEV_D);
}

/*
 * A full array page: the next object chains a new KHO-preserved page.  A
 * failure after the chaining leaves the (empty) page in the chain, as the
 * kernel does; everything else is as before.
 */
static void test_preserve_fail_nth_chained(void **state)
{
	unsigned int cls_i, i;

	(void)state;
	for (cls_i = 0; cls_i < ARRAY_SIZE(sweep_classes); cls_i++) {
		enum lusim_fault_class cls = sweep_classes[cls_i];
		struct lusim_iommu_lu_counts c0, c;
		struct iommu_domain_ser *ser;
		unsigned long n, k = 1;

		for (n = 1; n <= k; n++) {
			struct sweep sw;
			unsigned long before;

			sweep_prefix(&sw, false);
			/* fill the first page of the domain array */
			for (i = 0; i < MAX_IOMMU_DOMAIN_SERS; i++) {
				assert_int_equal(iommu_domain_preserve(sw.dom, &ser), 0);
				iommu_domain_unpreserve(sw.dom);
			}
			counts(&c0);
			assert_int_equal(c0.domains, MAX_IOMMU_DOMAIN_SERS);
			sw.kho = lusim_kho_nr_preserved_pages();
			before = lusim_fault_count(cls);
			if (n == 1 && k == 1) {
				/* first pass: count the fault points */
				assert_int_equal(sweep_op(&sw, false), 0);
				k = lusim_fault_count(cls) - before;
				counts(&c);
				assert_int_equal(c.pages, c0.pages + 1);
				iommu_domain_unpreserve(sw.dom);
				if (!k)
					break;
				sweep_prefix(&sw, false);
				for (i = 0; i < MAX_IOMMU_DOMAIN_SERS; i++) {
					assert_int_equal(iommu_domain_preserve(sw.dom, &ser), 0);
					iommu_domain_unpreserve(sw.dom);
				}
				sw.kho = lusim_kho_nr_preserved_pages();
			}
			lusim_fail_nth(cls, n);
			assert_true(sweep_op(&sw, false) < 0);
			counts(&c);
			assert_int_equal(c.live_domains, 0);
			assert_null(sw.dom->preserved_state);
			/* the chained page, if the failure came after it */
			assert_int_equal(lusim_kho_nr_preserved_pages(),
					 sw.kho + (c.pages - c0.pages));
			assert_true(c.pages - c0.pages <= 1);
			assert_no_findings();
			assert_int_equal(sweep_op(&sw, false), 0);
		}
		if (cls == LUSIM_FAULT_PAGE || cls == LUSIM_FAULT_KHO)
			assert_true(k >= 1);
	}
	lusim_reset_all();
}



/*
 * A device hot-added on a new bus after its unit was preserved: its context
 * table is preserved with it (v1 preserved the unit's context tables once,
 * with the unit, and the next kernel BUG()ed restoring this one).
 */
static void test_kexec_hotplugged_device(void **state)
{
	static const struct hw_pci_cfg e = {
		.bus = 2, .devfn = PCI_DEVFN(0, 0), .iommu_base = UNIT0,
		.max_pasids = 16,
	};
	struct iommu_attach_handle ha = { 0 }, he = { 0 };
	struct lusim_intel_lu_boot_stats bs;
	struct iommu_domain *dom;
	struct iommu_domain_ser *ser;
	struct pci_dev *pe;
	struct data d;
	char buf[64];
	int sfd;

	(void)state;
	boot_machine(true);
	data_alloc(&d);
	dom = own_attach_map(DEV_A, &d, &ha);
	sfd = session_with_flb("vm");
	(void)sfd;
	data_preserve(&d);
	assert_int_equal(iommu_domain_preserve(dom, &ser), 0);
	assert_int_equal(iommu_preserve_device(dom, test_dev(DEV_A), TOKEN), 0);

	/* the unit is preserved; now a device on bus 2 comes */
	pe = lusim_pci_hotplug_add(&e);
	assert_false(IS_ERR(pe));
	assert_int_equal(iommu_device_claim_dma_owner(&pe->dev, OWNER), 0);
	assert_int_equal(iommu_attach_group_handle(dom, pe->dev.iommu_group, &he), 0);
	pci_set_master(pe);
	assert_int_equal(hw_dma(pe->hw, HW_NO_PASID, IOVA, (void *)pat_before,
				sizeof(pat_before), HW_DMA_WRITE, NULL), HW_DMA_OK);
	assert_int_equal(iommu_preserve_device(dom, &pe->dev, TOKEN), 0);
	assert_unit_refs(DEV_A, 2);

	assert_int_equal(lusim_kexec(), 0);

	lusim_intel_lu_get_boot_stats(&bs);
	assert_int_equal(bs.context_tables_restored, 2);
	pe = lusim_pci_find(0, 2, PCI_DEVFN(0, 0));
	assert_non_null(pe);
	assert_ptr_equal(iommu_get_domain_for_dev(&pe->dev),
			 iommu_get_domain_for_dev(test_dev(DEV_A)));
	assert_int_equal(hw_dma(pe->hw, HW_NO_PASID, IOVA, buf, sizeof(pat_before),
				HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_before, sizeof(pat_before));
	assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, buf, sizeof(pat_before),
			     HW_DMA_READ, NULL), HW_DMA_OK);
	assert_memory_equal(buf, pat_before, sizeof(pat_before));
	assert_no_findings();
}

/* --- the new kernel trusts nothing it cannot check -------------------------------- */

enum corruption {
	CORRUPT_NR_DEVICES,	/* a count beyond its chain */
	CORRUPT_DOMAIN_PHYS,	/* a device pointing at no domain record */
	CORRUPT_ROOT_TABLE,	/* a unit's root table that was not preserved */
	CORRUPT_RESTORED_DOMAIN,	/* a "pointer" in the runtime field */
};

static struct {
	u64 flb_phys;
	enum corruption what;
} corrupt;

static jmp_buf bug_jmp;

static void bug_longjmp(void)
{
	longjmp(bug_jmp, 1);
}

/* After the freeze, before the reboot: the bytes the next kernel reads. */
static int corrupt_handover(enum lusim_kexec_stage stage)
{
	struct iommu_lu_flb_ser *ser = phys_to_virt(corrupt.flb_phys);
	struct devices_ser *devices = phys_to_virt(ser->devices_phys);
	struct iommus_ser *iommus = phys_to_virt(ser->iommus_phys);
	struct iommu_domains_ser *domains = phys_to_virt(ser->iommu_domains_phys);

	(void)stage;
	switch (corrupt.what) {
	case CORRUPT_NR_DEVICES:
		ser->nr_devices = 5000;
		break;
	case CORRUPT_DOMAIN_PHYS:
		devices->devices[0].domain_iommu_ser.domain_phys += 1;
		break;
	case CORRUPT_ROOT_TABLE:
		iommus->iommus[0].intel.root_table = 0x1000;
		break;
	case CORRUPT_RESTORED_DOMAIN:
		domains->iommu_domains[0].restored_domain = (void *)0xdeadbeef;
		break;
	}
	return 0;
}

static void test_restore_rejects_corruption(void **state)
{
	static const enum corruption cases[] = {
		CORRUPT_NR_DEVICES, CORRUPT_DOMAIN_PHYS, CORRUPT_ROOT_TABLE,
		CORRUPT_RESTORED_DOMAIN,
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct iommu_attach_handle ha = { 0 };
		struct iommu_domain_ser *ser;
		struct iommu_domain *dom;
		struct data d;
		char buf[64];
		volatile int booted = 0;

		lusim_reset_all();
		lusim_findings_clear();
		boot_machine(true);
		data_alloc(&d);
		dom = own_attach_map(DEV_A, &d, &ha);
		assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, (void *)pat_before,
				     sizeof(pat_before), HW_DMA_WRITE, NULL), HW_DMA_OK);
		session_with_flb("vm");
		data_preserve(&d);
		assert_int_equal(iommu_domain_preserve(dom, &ser), 0);
		assert_int_equal(iommu_preserve_device(dom, test_dev(DEV_A), TOKEN), 0);

		corrupt.flb_phys = lusim_iommu_lu_outgoing_flb_phys();
		corrupt.what = cases[i];
		assert_int_equal(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE,
						      corrupt_handover), 0);
		lusim_set_bug_handler(bug_longjmp);
		if (!setjmp(bug_jmp)) {
			lusim_kexec();
			booted = 1;
		}
		lusim_set_bug_handler(NULL);
		lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, corrupt_handover);

		if (cases[i] == CORRUPT_RESTORED_DOMAIN) {
			/* a runtime field: the new kernel's, ignored */
			assert_true(booted);
			assert_int_equal(dma(DEV_A, HW_NO_PASID, IOVA, buf,
					     sizeof(pat_before), HW_DMA_READ, NULL),
					 HW_DMA_OK);
			assert_memory_equal(buf, pat_before, sizeof(pat_before));
			assert_no_findings();
		} else {
			/* BUG(), as the kernel on its own broken state */
			assert_false(booted);
			assert_finding("BUG");
			assert_int_equal(lusim_findings_count(), 1);
		}
	}
	lusim_reset_all();
	lusim_findings_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_flb_lifetime),
		lusim_unit_test(test_domain_preserve),
		lusim_unit_test(test_preserve_unsupported),
		lusim_unit_test(test_device_preserve),
		lusim_unit_test(test_preserve_fail_nth),
		lusim_unit_test(test_kexec_round_trip),
		lusim_unit_test(test_kexec_round_trip_legacy),
		lusim_unit_test(test_kexec_shared_domain),
		lusim_unit_test(test_kexec_pasid_entries_scrubbed),
		lusim_unit_test(test_kexec_pasid_table_preserved),
		lusim_unit_test(test_kexec_without_pasid_table_faults),
		lusim_unit_test(test_restored_domain_free_only),
		lusim_unit_test(test_three_kexecs),
		lusim_unit_test(test_three_kexecs_ats),
		lusim_unit_test(test_kexec_hotplugged_device),
		lusim_unit_test(test_preserve_fail_nth_chained),
		lusim_unit_test(test_restore_rejects_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
