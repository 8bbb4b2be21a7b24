// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live-update oracles (sim/check part 2: refcount.c, ownership.c,
 * memory_lu.c, tokens.c, kexec_lu.c): a clean preserve chain through a
 * kexec reports nothing; then each test makes the model's state violate
 * one invariant (writing the handed-over records or tables in simulated
 * memory, dropping a page from KHO's set, a kexec stage hook after
 * sim/check's, a late initcall of the new kernel, the VT-d PASID-table
 * test hook; no production change, no reviewer-bug switch) and asserts
 * that exact id fires.
 */
#include "lu_test.h"

#include <stddef.h>

#include "check_test.h"
#include <hw/hw.h>
#include <linux/kho/abi/iommu.h>
#include <linux/kho/abi/iommufd.h>
#include <linux/kho/abi/luo.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <lusim/check-model.h>
#include <linux/kho/abi/iommufd.h>

/* LUO's internals, for the FLB test's unpaired get and put */
#include "../../kernel-shim/kernel/liveupdate/luo_internal.h"

/* Run the op-end checks as the op layer does around an action. */
static void op_boundary(void)
{
	lusim_check_op_begin("test_op");
	lusim_check_op_end(0);
}

static struct lusim_lu_view view(void)
{
	struct lusim_lu_view v;

	test_cmd(lusim_check_lu_read(&v));
	return v;
}

static void poke(uint64_t phys, const void *val, size_t len)
{
	test_cmd(hw_mem_write(phys, val, len));
}

static void setup_checks(void)
{
	lusim_check_set_all_enabled(true);
	for (unsigned int i = 0; i < lusim_check_count(); i++)
		lusim_check_at(i)->disabled = false;
	lusim_check_init();
	lusim_findings_clear();
}

/* The chain preserved on device 0, nothing else. */
static void preserved_chain(struct lu_chain *ch)
{
	setup_checks();
	lu_chain_setup(ch, 0, 1);
	lu_chain_preserve(ch);
	op_boundary();
	assert_no_findings();
}

static void close_chain(struct lu_chain *ch)
{
	test_cmd(ops_close(ch->sfd));
	test_cmd(ops_close(ch->lufd));
	op_boundary();
	assert_no_findings();
	assert_int_equal(lusim_check_teardown(), 0);
}

/* A clean chain, a kexec with a second (not preserved) device: nothing. */
static unsigned int other_dev = 3;

static void test_clean_chain_and_kexec(void **state)
{
	struct lu_chain ch;
	struct ops_fixture g;
	uint64_t iova = LU_IOVA;
	uint32_t pt;
	struct lusim_lu_view v;

	(void)state;
	setup_checks();
	lu_chain_setup(&ch, 0, 1);
	ops_fixture_init(&g);
	test_cmd(ops_ioas_map_file(g.iommufd, g.ioas_id, ch.mfd, 0, LU_LEN,
				   &iova, LU_MAP_FIXED_RW));
	ops_fixture_bind(&g, 0, other_dev);
	pt = g.ioas_id;
	test_cmd(ops_vfio_attach(g.vfio_fd[0], OPS_NO_PASID, &pt));
	lu_chain_preserve(&ch);
	op_boundary();

	v = view();
	assert_int_equal(v.nr_devs, 1);
	assert_int_equal(v.nr_doms, 1);
	assert_int_equal(v.nr_units, 1);
	lusim_check_lu_release(&v);
	assert_true(lusim_check_find("INV-RESTORE-TRANSLATION")->runs == 0);

	test_cmd(ops_kexec());
	assert_true(lusim_check_find("INV-RESTORE-TRANSLATION")->runs == 2);
	assert_no_findings();
	test_cmd(ops_dma_check_pattern(0, OPS_NO_PASID, LU_IOVA, LU_PAGE, 1));
	lu_clean_reboot();
	assert_no_findings();
	assert_int_equal(lusim_check_teardown(), 0);
}

static void test_unit_refcount(void **state)
{
	struct lu_chain ch;
	struct lusim_lu_view v;
	uint32_t rc;
	uint64_t at;

	(void)state;
	preserved_chain(&ch);
	v = view();
	at = v.units[0].phys + offsetof(struct iommu_obj_ser, ref_count);
	rc = v.units[0].ref_count + 1;
	poke(at, &rc, sizeof(rc));
	op_boundary();
	finding("INV-UNIT-REFCOUNT");
	assert_int_equal(lusim_findings_count(), 1);
	rc--;
	poke(at, &rc, sizeof(rc));
	lusim_check_lu_release(&v);
	lusim_findings_clear();
	close_chain(&ch);
}

static void test_record_dangling(void **state)
{
	struct lu_chain ch;
	struct lusim_lu_view v;
	uint64_t at, bad;

	(void)state;
	preserved_chain(&ch);
	v = view();
	at = v.devs[0].phys + offsetof(struct device_ser, domain_iommu_ser) +
	     offsetof(struct device_domain_iommu_ser, domain_phys);
	bad = v.devs[0].domain_phys + 8;
	poke(at, &bad, sizeof(bad));
	op_boundary();
	finding("INV-RECORD-DANGLING");
	poke(at, &v.devs[0].domain_phys, sizeof(bad));
	lusim_check_lu_release(&v);
	lusim_findings_clear();
	close_chain(&ch);
}

/* A second live record of the same device in the next slot. */
static void test_double_record(void **state)
{
	struct lu_chain ch;
	struct lusim_lu_view v;
	unsigned char rec[sizeof(struct device_ser)];
	struct iommu_lu_flb_ser flb;
	struct iommu_objs_ser hdr, saved_hdr;
	uint64_t page;

	(void)state;
	preserved_chain(&ch);
	v = view();
	hw_mem_peek(v.flb_phys, &flb, sizeof(flb));
	page = flb.devices_phys;
	hw_mem_peek(page, &hdr, sizeof(hdr));
	saved_hdr = hdr;
	assert_int_equal(hdr.nr_objs, 1);
	hw_mem_peek(v.devs[0].phys, rec, sizeof(rec));
	poke(v.devs[0].phys + sizeof(rec), rec, sizeof(rec));
	hdr.nr_objs = 2;
	poke(page, &hdr, sizeof(hdr));
	op_boundary();
	finding("INV-DOUBLE-RECORD");
	poke(page, &saved_hdr, sizeof(saved_hdr));
	memset(rec, 0, sizeof(rec));
	poke(v.devs[0].phys + sizeof(rec), rec, sizeof(rec));
	lusim_check_lu_release(&v);
	lusim_findings_clear();
	close_chain(&ch);
}

/* The recorded domain id is not the one the hardware uses. */
static void test_dev_attach_changed(void **state)
{
	struct lu_chain ch;
	struct lusim_lu_view v;
	uint32_t did;
	uint64_t at;

	(void)state;
	preserved_chain(&ch);
	v = view();
	at = v.devs[0].phys + offsetof(struct device_ser, domain_iommu_ser) +
	     offsetof(struct device_domain_iommu_ser, did);
	did = v.devs[0].did + 1;
	poke(at, &did, sizeof(did));
	op_boundary();
	finding("INV-DEV-ATTACH-CHANGED");
	assert_int_equal(lusim_findings_count(), 1);
	did--;
	poke(at, &did, sizeof(did));
	lusim_check_lu_release(&v);
	lusim_findings_clear();
	close_chain(&ch);
}

static struct folio *folio_at(uint64_t phys)
{
	return page_folio(pfn_to_page(phys >> PAGE_SHIFT));
}

/* The top table page of the preserved domain drops out of KHO's set. */
static void test_pt_page_unpreserved(void **state)
{
	struct lu_chain ch;
	struct lusim_lu_view v;
	uint64_t top;

	(void)state;
	preserved_chain(&ch);
	v = view();
	top = v.doms[0].top_table;
	lusim_check_lu_release(&v);
	kho_unpreserve_folio(folio_at(top));
	op_boundary();
	finding("INV-PT-PAGE-UNPRESERVED");
	assert_int_equal(lusim_findings_count(), 1);
	test_cmd(kho_preserve_folio(folio_at(top)));
	lusim_findings_clear();
	close_chain(&ch);
}

static int first_leaf(uint64_t iova, uint64_t pa, uint64_t size, void *arg)
{
	(void)iova;
	(void)size;
	*(uint64_t *)arg = pa;
	return 1;
}

/* A data page the preserved domain maps drops out of KHO's set. */
static void test_dma_page_unpreserved(void **state)
{
	struct lu_chain ch;
	struct lusim_lu_view v;
	uint64_t pa = 0;

	(void)state;
	preserved_chain(&ch);
	v = view();
	lusim_check_lu_walk(v.doms[0].top_table, v.doms[0].top_level, NULL,
			    first_leaf, &pa);
	lusim_check_lu_release(&v);
	assert_true(pa != 0);
	kho_unpreserve_folio(folio_at(pa));
	op_boundary();
	finding("INV-DMA-PAGE-UNPRESERVED");
	assert_int_equal(lusim_findings_count(), 1);
	test_cmd(kho_preserve_folio(folio_at(pa)));
	lusim_findings_clear();
	close_chain(&ch);
}

/*
 * Session 1 (the chain) closes while session 2 keeps the FLB alive; one of
 * session 1's records is then marked live again: it outlived its session.
 */
static void test_record_after_close(void **state)
{
	struct lu_chain ch;
	struct lusim_lu_view v;
	struct iommu_obj_ser o;
	int ifd, sfd2;
	uint64_t at;

	(void)state;
	preserved_chain(&ch);
	v = view();
	at = v.devs[0].phys;
	lusim_check_lu_release(&v);
	ifd = ops_iommufd_open();
	assert_true(ifd >= 0);
	sfd2 = ops_lu_create_session(ch.lufd, "other");
	assert_true(sfd2 >= 0);
	test_cmd(ops_lu_preserve_fd(sfd2, ifd, 0x999));
	test_cmd(ops_close(ch.sfd));
	op_boundary();
	assert_no_findings();

	hw_mem_peek(at, &o, sizeof(o));
	assert_int_equal(o.deleted, 1);
	o.deleted = 0;
	poke(at, &o, sizeof(o));
	lusim_check_teardown();
	finding("INV-RECORD-AFTER-CLOSE");
	o.deleted = 1;
	poke(at, &o, sizeof(o));
	lusim_findings_clear();

	test_cmd(ops_close(sfd2));
	test_cmd(ops_close(ifd));
	test_cmd(ops_close(ch.lufd));
	assert_int_equal(lusim_check_teardown(), 0);
}

/*
 * After the freeze snapshot (the test's hook runs after the checks'), a
 * leaf of the preserved table is pointed at another preserved page: the
 * new kernel adopts it as it is, and the device no longer translates what
 * it did at freeze.
 */
static uint64_t swap_pte, swap_pa;

static int swap_leaf(enum lusim_kexec_stage stage)
{
	uint64_t e;

	(void)stage;
	hw_mem_peek(swap_pte, &e, sizeof(e));
	e = (e & ~0x000ffffffffff000ULL) | swap_pa;
	hw_mem_write(swap_pte, &e, sizeof(e));
	return 0;
}

struct two_leaves {
	unsigned int n;
	uint64_t pa[2];
};

static int two_leaves(uint64_t iova, uint64_t pa, uint64_t size, void *arg)
{
	struct two_leaves *t = arg;

	(void)iova;
	(void)size;
	t->pa[t->n++] = pa;
	return t->n == 2;
}

/*
 * Aim swap_leaf() at the preserved domain's leaf for LU_IOVA and a second
 * preserved data page; the chain must be preserved.
 */
static void aim_swap(void)
{
	struct lusim_lu_view v = view();
	struct two_leaves t = { 0 };

	lusim_check_lu_walk(v.doms[0].top_table, v.doms[0].top_level, NULL,
			    two_leaves, &t);
	assert_int_equal(t.n, 2);
	swap_pte = hw_pt_entry_phys(v.doms[0].top_table,
				    (unsigned int)v.doms[0].top_level,
				    HW_PT_FIRST, LU_IOVA, 1);
	assert_true(swap_pte != HW_PHYS_NONE);
	swap_pa = t.pa[1];
	lusim_check_lu_release(&v);
}

static void test_restore_translation(void **state)
{
	struct lu_chain ch;

	(void)state;
	preserved_chain(&ch);
	aim_swap();

	test_cmd(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, swap_leaf));
	test_cmd(ops_kexec());
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, swap_leaf);
	finding("INV-RESTORE-TRANSLATION");
	assert_int_equal(lusim_findings_count(), 1);
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

/*
 * Mutations the new kernel's boot suffers before the after-boot checks
 * run: a late initcall (after PCI probe and the IOMMU restore), armed by
 * one test for one boot.
 */
enum boot_mutation { BOOT_NONE, BOOT_DID, BOOT_OWNER, BOOT_OTHER, BOOT_COPY };
static enum boot_mutation boot_mutation;
static unsigned int boot_dev, boot_other;
static uint64_t boot_saved_at;
static unsigned char boot_saved[64];
static bool boot_done;

/* phys of the RID_PASID entry of @dev (scalable mode), 0 if none */
static uint64_t rid_pasid_entry(unsigned int dev)
{
	struct hw_pci_dev *h = ops_hw_dev(dev);
	uint64_t ctx, qw0, pde;

	ctx = hw_build_ctx_phys(hw_pci_iommu(h), hw_pci_bus(h),
				hw_pci_devfn(h));
	if (ctx == HW_PHYS_NONE)
		return 0;
	hw_mem_peek(ctx, &qw0, sizeof(qw0));
	if (!(qw0 & HW_SMCTX_P))
		return 0;
	hw_mem_peek(qw0 & HW_SMCTX_PDTP_MASK, &pde, sizeof(pde));
	if (!(pde & HW_PDE_P))
		return 0;
	return pde & HW_PDE_PTP_MASK;	/* PASID 0 is entry 0 */
}

static uint64_t boot_copy = HW_PHYS_NONE;
static unsigned char page_buf[4096];

static int mutate_boot(void)
{
	struct hw_pci_dev *h;
	struct pci_dev *pdev;
	uint64_t at, from;
	uint64_t qw1, pgtt;
	unsigned char ent[64];

	switch (boot_mutation) {
	case BOOT_NONE:
		return 0;
	case BOOT_DID:		/* the RID entry's domain id changes */
		at = rid_pasid_entry(boot_dev);
		if (!at)
			break;
		hw_mem_peek(at + 8, &qw1, sizeof(qw1));
		boot_saved_at = at + 8;
		memcpy(boot_saved, &qw1, sizeof(qw1));
		qw1 = (qw1 & ~HW_PTE1_DID_MASK) | ((qw1 + 1) & HW_PTE1_DID_MASK);
		hw_mem_write(at + 8, &qw1, sizeof(qw1));
		boot_done = true;
		break;
	case BOOT_OWNER:	/* the group is let go at boot */
		h = ops_hw_dev(boot_dev);
		pdev = pci_get_domain_bus_and_slot(hw_pci_segment(h),
						   hw_pci_bus(h),
						   hw_pci_devfn(h));
		if (!pdev)
			break;
		iommu_device_release_dma_owner(&pdev->dev);
		pci_dev_put(pdev);
		boot_done = true;
		break;
	case BOOT_COPY:		/* the top table copied to a fresh page */
		at = rid_pasid_entry(boot_dev);
		if (!at)
			break;
		hw_mem_peek(at, ent, sizeof(ent));
		memcpy(&qw1, ent, sizeof(qw1));		/* qw0 */
		pgtt = (qw1 & HW_PTE0_PGTT_MASK) >> HW_PTE0_PGTT_SHIFT;
		/* first stage: qw2's pointer; second stage: qw0's */
		boot_saved_at = at + (pgtt == HW_PGTT_SECOND ? 0 : 16);
		hw_mem_peek(boot_saved_at, boot_saved, 8);
		memcpy(&from, boot_saved, sizeof(from));
		boot_copy = hw_mem_alloc(0, HW_MEM_ZERO);
		if (boot_copy == HW_PHYS_NONE)
			break;
		hw_mem_peek(from & HW_PTE2_FLPTPTR_MASK, page_buf, sizeof(page_buf));
		hw_mem_write(boot_copy, page_buf, sizeof(page_buf));
		from = (from & ~HW_PTE2_FLPTPTR_MASK) | boot_copy;
		hw_mem_write(boot_saved_at, &from, sizeof(from));
		boot_done = true;
		break;
	case BOOT_OTHER:	/* the other device keeps the old tables */
		from = rid_pasid_entry(boot_dev);
		at = rid_pasid_entry(boot_other);
		if (!from || !at)
			break;
		boot_saved_at = at;
		hw_mem_peek(at, boot_saved, sizeof(boot_saved));
		hw_mem_peek(from, ent, sizeof(ent));
		hw_mem_write(at, ent, sizeof(ent));
		boot_done = true;
		break;
	}
	boot_mutation = BOOT_NONE;
	return 0;
}
LUSIM_INITCALL(mutate_boot, LUSIM_INIT_LATE)

static void boot_restore(size_t len)
{
	hw_mem_write(boot_saved_at, boot_saved, len);
}

static void test_restore_did(void **state)
{
	struct lu_chain ch;

	(void)state;
	preserved_chain(&ch);
	boot_dev = 0;
	boot_done = false;
	boot_mutation = BOOT_DID;
	test_cmd(ops_kexec());
	assert_true(boot_done);
	finding("INV-RESTORE-DID");
	assert_int_equal(lusim_findings_count(), 1);
	boot_restore(8);
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

static void test_ownership(void **state)
{
	struct lu_chain ch;

	(void)state;
	preserved_chain(&ch);
	boot_dev = 0;
	boot_done = false;
	boot_mutation = BOOT_OWNER;
	test_cmd(ops_kexec());
	assert_true(boot_done);
	finding("INV-OWNERSHIP");
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

static void test_unpreserved_survives(void **state)
{
	struct lu_chain ch;
	struct ops_fixture g;
	uint64_t iova = LU_IOVA;
	uint32_t pt;

	(void)state;
	setup_checks();
	lu_chain_setup(&ch, 0, 1);
	ops_fixture_init(&g);
	test_cmd(ops_ioas_map_file(g.iommufd, g.ioas_id, ch.mfd, 0, LU_LEN,
				   &iova, LU_MAP_FIXED_RW));
	ops_fixture_bind(&g, 0, other_dev);
	pt = g.ioas_id;
	test_cmd(ops_vfio_attach(g.vfio_fd[0], OPS_NO_PASID, &pt));
	lu_chain_preserve(&ch);
	op_boundary();
	assert_no_findings();

	boot_dev = 0;
	boot_other = other_dev;
	boot_done = false;
	boot_mutation = BOOT_OTHER;
	test_cmd(ops_kexec());
	assert_true(boot_done);
	finding("INV-UNPRESERVED-SURVIVES");
	assert_int_equal(lusim_findings_count(), 1);
	boot_restore(64);
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

/*
 * Before the freeze (after the checks' own before-freeze run), PASID 5 of
 * the preserved device gets an entry, a copy of its RID's: it is handed
 * over with the device, and the new kernel scrubs it.
 */
static int add_pasid5(enum lusim_kexec_stage stage)
{
	uint64_t at = rid_pasid_entry(boot_dev);
	unsigned char ent[64];

	(void)stage;
	if (!at)
		return 0;
	hw_mem_peek(at, ent, sizeof(ent));
	hw_mem_write(at + 5 * 64, ent, sizeof(ent));
	boot_done = true;
	return 0;
}

static void test_pasid_dropped(void **state)
{
	struct lu_chain ch;

	(void)state;
	preserved_chain(&ch);
	boot_dev = 0;
	boot_done = false;
	test_cmd(lusim_kexec_add_hook(LUSIM_KEXEC_BEFORE_FREEZE, add_pasid5));
	test_cmd(ops_kexec());
	lusim_kexec_remove_hook(LUSIM_KEXEC_BEFORE_FREEZE, add_pasid5);
	assert_true(boot_done);
	finding("INV-PASID-DROPPED");
	assert_int_equal(lusim_findings_count(), 1);
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

/*
 * The VT-d test hook that leaves the PASID directory and table out of the
 * device preserve (the series before its PASID-table patch): the pages the
 * hardware walks for the device are not preserved, seen at the preserve
 * itself; after the kexec the device's translations are gone.
 */
static void test_pasid_table_left_out(void **state)
{
	struct lu_chain ch;

	(void)state;
	setup_checks();
	lusim_intel_iommu_lu_skip_pasid_table(true);
	lu_chain_setup(&ch, 0, 1);
	lu_chain_preserve(&ch);
	op_boundary();
	finding("INV-PT-PAGE-UNPRESERVED");
	assert_int_equal(lusim_findings_count(), 1);
	lusim_findings_clear();
	test_cmd(ops_kexec());
	finding("INV-RESTORE-TRANSLATION");
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

/* The IOMMU record's token is not the iommufd file's LUO token. */
static void test_token_mismatch(void **state)
{
	struct lu_chain ch;
	struct lusim_lu_view v;
	uint64_t bad = 0xbad;

	(void)state;
	preserved_chain(&ch);
	v = view();
	poke(v.devs[0].phys + offsetof(struct device_ser, token), &bad,
	     sizeof(bad));
	lusim_check_lu_release(&v);
	test_cmd(ops_kexec());
	finding("INV-TOKEN-MISMATCH");
	assert_int_equal(lusim_findings_count(), 1);
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

/*
 * After-freeze hooks that change LUO's handed-over records, run the
 * after-freeze checks again (lusim_check_kexec()), and put the bytes back
 * before the new kernel reads them.
 */
static int hook_ret;

static int dup_hwpt_token(enum lusim_kexec_stage stage)
{
	uint64_t data, fser, base;
	struct iommufd_hwpt_lu h0, h1, saved;

	hook_ret = lusim_check_lu_luo_file("vmm", LU_TOK_IOMMUFD, &data, &fser);
	if (hook_ret)
		return 0;
	base = data + offsetof(struct iommufd_lu, hwpts);
	hw_mem_peek(base, &h0, sizeof(h0));
	hw_mem_peek(base + sizeof(h0), &h1, sizeof(h1));
	saved = h1;
	h1.token = h0.token;
	hw_mem_write(base + sizeof(h0), &h1, sizeof(h1));
	lusim_check_kexec(stage);
	hw_mem_write(base + sizeof(h0), &saved, sizeof(saved));
	return 0;
}

static void test_token_dup(void **state)
{
	struct lu_chain ch;
	uint32_t hwpt2;

	(void)state;
	setup_checks();
	lu_chain_setup(&ch, 0, 1);
	test_cmd(ops_hwpt_alloc(ch.f.iommufd, ch.f.dev_id[0], ch.f.ioas_id, 0,
				&hwpt2));
	test_cmd(ops_hwpt_lu_set_preserve(ch.f.iommufd, hwpt2,
					  LU_HWPT_TOKEN + 1));
	lu_chain_preserve(&ch);
	op_boundary();
	assert_no_findings();
	hook_ret = 1;
	test_cmd(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, dup_hwpt_token));
	test_cmd(ops_kexec());
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, dup_hwpt_token);
	assert_int_equal(hook_ret, 0);
	finding("INV-TOKEN-DUP");
	assert_int_equal(lusim_findings_count(), 1);
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

/* The VFIO file and the iommufd file swap places in the session. */
static int swap_files(enum lusim_kexec_stage stage)
{
	uint64_t data, f_iommufd, f_vfio;
	struct luo_file_ser a, b;

	hook_ret = lusim_check_lu_luo_file("vmm", LU_TOK_IOMMUFD, &data,
					   &f_iommufd) ||
		   lusim_check_lu_luo_file("vmm", LU_TOK_VFIO, &data, &f_vfio);
	if (hook_ret)
		return 0;
	hw_mem_peek(f_iommufd, &a, sizeof(a));
	hw_mem_peek(f_vfio, &b, sizeof(b));
	hw_mem_write(f_iommufd, &b, sizeof(b));
	hw_mem_write(f_vfio, &a, sizeof(a));
	lusim_check_kexec(stage);
	hw_mem_write(f_iommufd, &a, sizeof(a));
	hw_mem_write(f_vfio, &b, sizeof(b));
	return 0;
}

static void test_dep_not_preserved(void **state)
{
	struct lu_chain ch;

	(void)state;
	preserved_chain(&ch);
	hook_ret = 1;
	test_cmd(lusim_kexec_add_hook(LUSIM_KEXEC_AFTER_FREEZE, swap_files));
	test_cmd(ops_kexec());
	lusim_kexec_remove_hook(LUSIM_KEXEC_AFTER_FREEZE, swap_files);
	assert_int_equal(hook_ret, 0);
	finding("INV-DEP-NOT-PRESERVED");
	assert_int_equal(lusim_findings_count(), 1);
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

/*
 * After a clean kexec, a leaf of the restored table is pointed elsewhere
 * while the device is still restored (nothing in phase 1 may change it):
 * INV-RESTORED-CHANGED at the next op end, once; a device that left the
 * restored state (removed) is no longer compared.
 */
static void test_restored_changed(void **state)
{
	struct lu_chain ch;

	(void)state;
	preserved_chain(&ch);
	aim_swap();

	test_cmd(ops_kexec());
	assert_no_findings();
	op_boundary();
	assert_no_findings();
	assert_true(lusim_check_find("INV-RESTORED-CHANGED")->runs > 0);

	swap_leaf(LUSIM_KEXEC_AFTER_BOOT);
	op_boundary();
	finding("INV-RESTORED-CHANGED");
	assert_int_equal(lusim_findings_count(), 1);
	lusim_findings_clear();
	op_boundary();
	assert_no_findings();
	lu_clean_reboot();
	assert_no_findings();
}

/*
 * While the chain is preserved (before any kexec), a leaf of the preserved
 * domain's table is pointed at another preserved page, as a map or unmap
 * through a mutable IOAS would: INV-IOAS-MUTABLE at the next op end, once;
 * put back, the record is judged clean again only after it is re-preserved
 * (the report sticks to the record).
 */
static void test_ioas_mutable(void **state)
{
	struct lu_chain ch;
	uint64_t saved;

	(void)state;
	preserved_chain(&ch);
	assert_true(lusim_check_find("INV-IOAS-MUTABLE")->runs > 0);
	aim_swap();

	hw_mem_peek(swap_pte, &saved, sizeof(saved));
	swap_leaf(LUSIM_KEXEC_BEFORE_FREEZE);
	op_boundary();
	finding("INV-IOAS-MUTABLE");
	assert_int_equal(lusim_findings_count(), 1);
	lusim_findings_clear();
	op_boundary();
	assert_no_findings();
	poke(swap_pte, &saved, sizeof(saved));
	close_chain(&ch);
}

/*
 * A late initcall copies the restored device's top-level table to a fresh
 * page and points the PASID entry at the copy: every translation is the
 * same, but the device no longer walks the preserved table.
 */
static void test_restored_pages(void **state)
{
	struct lu_chain ch;

	(void)state;
	preserved_chain(&ch);
	boot_dev = 0;
	boot_done = false;
	boot_mutation = BOOT_COPY;
	test_cmd(ops_kexec());
	assert_true(boot_done);
	finding("INV-RESTORED-PAGES");
	assert_int_equal(lusim_findings_count(), 1);
	boot_restore(8);
	hw_mem_free(boot_copy, 0);
	boot_copy = HW_PHYS_NONE;
	lusim_findings_clear();
	lu_clean_reboot();
	assert_no_findings();
}

/*
 * The IOMMU FLB's count is taken for a file that was never preserved (an
 * unpaired get, through LUO's internal hook): once the chain is closed the
 * object stays alive with no user.
 */
static void test_flb_lifetime_get(void **state)
{
	struct liveupdate_file_handler *fh;
	struct lu_chain ch;

	(void)state;
	preserved_chain(&ch);
	fh = luo_file_handler_find(IOMMUFD_LUO_COMPATIBLE);
	assert_non_null(fh);
	test_cmd(luo_flb_file_preserve(fh));
	op_boundary();
	assert_no_findings();
	test_cmd(ops_close(ch.sfd));
	op_boundary();
	finding("INV-FLB-LIFETIME");
	lusim_findings_clear();
	luo_flb_file_unpreserve(fh);
	op_boundary();
	assert_no_findings();
	test_cmd(ops_close(ch.lufd));
	assert_int_equal(lusim_check_teardown(), 0);
}

/*
 * The reverse: with the chain preserved, one unpaired put frees the
 * object under its users. (The model is then beyond repair: the test
 * ends there and the fixture powers the machine off.)
 */
static void test_flb_lifetime_put(void **state)
{
	struct liveupdate_file_handler *fh;
	struct lu_chain ch;

	(void)state;
	preserved_chain(&ch);
	fh = luo_file_handler_find(IOMMUFD_LUO_COMPATIBLE);
	assert_non_null(fh);
	luo_flb_file_unpreserve(fh);
	op_boundary();
	finding("INV-FLB-LIFETIME");
	lusim_findings_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ops_unit_test(test_clean_chain_and_kexec),
		ops_unit_test(test_unit_refcount),
		ops_unit_test(test_record_dangling),
		ops_unit_test(test_double_record),
		ops_unit_test(test_dev_attach_changed),
		ops_unit_test(test_pt_page_unpreserved),
		ops_unit_test(test_dma_page_unpreserved),
		ops_unit_test(test_record_after_close),
		ops_unit_test(test_restore_translation),
		ops_unit_test(test_restore_did),
		ops_unit_test(test_restored_changed),
		ops_unit_test(test_restored_pages),
		ops_unit_test(test_ioas_mutable),
		ops_unit_test(test_flb_lifetime_get),
		ops_unit_test(test_flb_lifetime_put),
		ops_unit_test(test_ownership),
		ops_unit_test(test_unpreserved_survives),
		ops_unit_test(test_pasid_dropped),
		ops_unit_test(test_pasid_table_left_out),
		ops_unit_test(test_token_mismatch),
		ops_unit_test(test_token_dup),
		ops_unit_test(test_dep_not_preserved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
