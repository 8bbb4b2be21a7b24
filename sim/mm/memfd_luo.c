// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stands for: mm/memfd_luo.c (kernel model): memfd preservation through the
 * Live Update Orchestrator, as in mainline plus the memfd seal series the
 * IOMMU series v1 builds on (our own code, written from the semantics).
 *
 * A memfd's contents, size and seals survive a kexec:
 *  - preserve (LIVEUPDATE_SESSION_PRESERVE_FD): the mapping is frozen
 *    (SHMEM_F_MAPPING_FROZEN: no size change, no hole punching; writes
 *    inside the file go on and land in the preserved pages), every page of
 *    the file is pinned (holes are allocated), preserved with KHO and
 *    listed (pfn, index) in a preserved array; the seals are recorded and
 *    must be ones this version knows (-EOPNOTSUPP).  Errors undo it all.
 *  - unpreserve (session closed before kexec): unfreeze, unpreserve, unpin.
 *  - retrieve (new kernel): a new memfd whose page cache is the restored
 *    folios, with the old size and seals.  The serialized state is checked
 *    before use (restorable blocks, counts within the size, indexes in
 *    range, order-0 folios): a bad record is -EINVAL, never a crash.
 *  - finish: a memfd never retrieved gives its preserved pages back.
 *
 * Leaves out: the file position (no f_pos in the model), huge folios and
 * hugetlb memfds (not preservable), the dirty/uptodate folio state (every
 * folio is restored as a page of the page cache), kho_preserve_vmalloc()
 * (the folio array is one contiguous preserved block, see
 * <linux/kho/abi/memfd.h>).  Registered from a late initcall at every boot.
 */
#define pr_fmt(fmt) "memfd_luo: " fmt

#include <linux/err.h>
#include <linux/file.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/memfd.h>
#include <linux/liveupdate.h>
#include <linux/memfd.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <lusim/reset.h>

static int memfd_luo_preserve_folios(struct file *file,
				     struct memfd_luo_ser *ser,
				     struct memfd_luo_folio_ser **out_folios_ser)
{
	struct memfd_luo_folio_ser *folios_ser;
	unsigned long max_folios, i = 0;
	struct folio **folios;
	long nr_pinned;
	int err;

	*out_folios_ser = NULL;
	ser->folios = 0;
	ser->nr_folios = 0;
	if (!ser->size)
		return 0;

	max_folios = DIV_ROUND_UP(ser->size, PAGE_SIZE);
	folios = kvmalloc_array(max_folios, sizeof(*folios), GFP_KERNEL);
	if (!folios)
		return -ENOMEM;

	/*
	 * Pin every page of the file, allocating the holes: the next kernel
	 * gets all of it, and nothing can take the pages away meanwhile.
	 */
	nr_pinned = memfd_pin_folios(file, 0, ser->size - 1, folios,
				     max_folios, NULL);
	if (nr_pinned < 0) {
		err = nr_pinned;
		goto err_free_folios;
	}

	folios_ser = kho_alloc_preserve(nr_pinned * sizeof(*folios_ser));
	if (IS_ERR(folios_ser)) {
		err = PTR_ERR(folios_ser);
		goto err_unpin;
	}

	for (i = 0; i < nr_pinned; i++) {
		struct memfd_luo_folio_ser *pfolio = &folios_ser[i];
		struct folio *folio = folios[i];

		err = kho_preserve_folio(folio);
		if (err)
			goto err_unpreserve;

		pfolio->pfn = folio_pfn(folio);
		pfolio->flags = MEMFD_LUO_FOLIO_DIRTY | MEMFD_LUO_FOLIO_UPTODATE;
		/* the model's page cache is order-0: folio i is page i */
		pfolio->index = i;
	}

	kvfree(folios);
	ser->folios = virt_to_phys(folios_ser);
	ser->nr_folios = nr_pinned;
	*out_folios_ser = folios_ser;
	return 0;

err_unpreserve:
	while (i--)
		kho_unpreserve_folio(folios[i]);
	kho_unpreserve_free(folios_ser);
err_unpin:
	unpin_folios(folios, nr_pinned);
err_free_folios:
	kvfree(folios);
	return err;
}

static void memfd_luo_unpreserve_folios(struct memfd_luo_folio_ser *folios_ser,
					u64 nr_folios)
{
	u64 i;

	for (i = 0; i < nr_folios; i++) {
		struct folio *folio;

		if (!folios_ser[i].pfn)
			continue;
		folio = page_folio(pfn_to_page(folios_ser[i].pfn));
		kho_unpreserve_folio(folio);
		unpin_folio(folio);
	}
	kho_unpreserve_free(folios_ser);
}

static int memfd_luo_preserve(struct liveupdate_file_op_args *args)
{
	struct shmem_inode_info *info = lusim_shmem_info(args->file);
	struct memfd_luo_folio_ser *folios_ser;
	struct memfd_luo_ser *ser;
	int err, seals;

	/* inode_lock(inode) */
	mutex_lock(&info->lock);
	lusim_shmem_freeze(args->file, true);

	ser = kho_alloc_preserve(sizeof(*ser));
	if (IS_ERR(ser)) {
		err = PTR_ERR(ser);
		goto err_unlock;
	}

	seals = memfd_get_seals(args->file);
	if (seals < 0) {
		err = seals;
		goto err_free_ser;
	}
	/* Only seals this version knows can be given to the next kernel */
	if (seals & ~MEMFD_LUO_ALL_SEALS) {
		err = -EOPNOTSUPP;
		goto err_free_ser;
	}

	ser->size = info->i_size;
	ser->seals = seals;

	err = memfd_luo_preserve_folios(args->file, ser, &folios_ser);
	if (err)
		goto err_free_ser;

	mutex_unlock(&info->lock);

	args->private_data = folios_ser;
	args->serialized_data = virt_to_phys(ser);
	return 0;

err_free_ser:
	kho_unpreserve_free(ser);
err_unlock:
	lusim_shmem_freeze(args->file, false);
	mutex_unlock(&info->lock);
	return err;
}

static void memfd_luo_unpreserve(struct liveupdate_file_op_args *args)
{
	struct shmem_inode_info *info = lusim_shmem_info(args->file);
	struct memfd_luo_ser *ser;

	if (WARN_ON_ONCE(!args->serialized_data))
		return;

	mutex_lock(&info->lock);
	lusim_shmem_freeze(args->file, false);

	ser = phys_to_virt(args->serialized_data);
	if (ser->nr_folios)
		memfd_luo_unpreserve_folios(args->private_data, ser->nr_folios);
	kho_unpreserve_free(ser);
	mutex_unlock(&info->lock);
}

/* --- the new kernel --------------------------------------------------------- */

/*
 * The preserved block at @phys as a folio of at least @size bytes, or NULL
 * (not a preserved block's head, or too small).  Checked before anything
 * reads it: the bytes came from the previous kernel.
 */
static struct folio *memfd_luo_restore_block(u64 phys, size_t size)
{
	struct folio *folio;

	if (!kho_is_restorable_phys(phys))
		return NULL;
	folio = kho_restore_folio(phys);
	if (folio && folio_size(folio) < size) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}

/* A bad record: sizes that do not fit, a count larger than the file. */
static bool memfd_luo_ser_valid(const struct memfd_luo_ser *ser)
{
	if (ser->size > LUSIM_SHMEM_MAX_SIZE)
		return false;
	if (ser->seals & ~(u64)MEMFD_LUO_ALL_SEALS)
		return false;
	if (ser->nr_folios > DIV_ROUND_UP(ser->size, PAGE_SIZE))
		return false;
	return true;
}

/* Give back the preserved pages from @from on (restore and free them). */
static void memfd_luo_discard_folios(const struct memfd_luo_folio_ser *folios_ser,
				     u64 from, u64 nr_folios)
{
	struct folio *folio;
	u64 i;

	for (i = from; i < nr_folios; i++) {
		phys_addr_t phys = PFN_PHYS((u64)folios_ser[i].pfn);

		if (!folios_ser[i].pfn || !kho_is_restorable_phys(phys))
			continue;
		folio = kho_restore_folio(phys);
		if (folio)
			folio_put(folio);
	}
}

static int memfd_luo_retrieve_folios(struct file *file,
				     const struct memfd_luo_folio_ser *folios_ser,
				     u64 nr_folios, u64 size)
{
	u64 npages = DIV_ROUND_UP(size, PAGE_SIZE);
	struct folio *folio;
	u64 i;
	int err;

	for (i = 0; i < nr_folios; i++) {
		const struct memfd_luo_folio_ser *pfolio = &folios_ser[i];
		phys_addr_t phys = PFN_PHYS((u64)pfolio->pfn);

		if (!pfolio->pfn)
			continue;
		if (pfolio->index >= npages || !kho_is_restorable_phys(phys)) {
			err = -EINVAL;
			goto err_discard;
		}
		folio = kho_restore_folio(phys);
		if (!folio) {
			err = -EINVAL;
			goto err_discard;
		}
		/* the model's page cache holds order-0 folios only */
		if (folio_order(folio)) {
			folio_put(folio);
			err = -EINVAL;
			goto err_discard;
		}
		/* the page cache takes the restored reference */
		err = lusim_shmem_add_folio(file, pfolio->index, folio);
		if (err) {
			folio_put(folio);
			goto err_discard;
		}
	}
	return 0;

err_discard:
	memfd_luo_discard_folios(folios_ser, i + 1, nr_folios);
	return err;
}

static int memfd_luo_retrieve(struct liveupdate_file_op_args *args)
{
	struct folio *ser_folio, *folios_folio = NULL;
	const struct memfd_luo_folio_ser *folios_ser = NULL;
	struct shmem_inode_info *info;
	struct memfd_luo_ser *ser;
	struct file *file;
	int err;

	ser_folio = memfd_luo_restore_block(args->serialized_data, sizeof(*ser));
	if (!ser_folio)
		return -EINVAL;
	ser = folio_address(ser_folio);

	if (!memfd_luo_ser_valid(ser)) {
		err = -EINVAL;
		goto out_put_ser;
	}
	if (ser->nr_folios) {
		folios_folio = memfd_luo_restore_block(ser->folios,
						       ser->nr_folios * sizeof(*folios_ser));
		if (!folios_folio) {
			err = -EINVAL;
			goto out_put_ser;
		}
		folios_ser = folio_address(folios_folio);
	}

	file = shmem_file_setup("memfd:", ser->size, 0);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		if (folios_ser)
			memfd_luo_discard_folios(folios_ser, 0, ser->nr_folios);
		goto out_put_folios;
	}

	err = memfd_luo_retrieve_folios(file, folios_ser, ser->nr_folios,
					ser->size);
	if (err) {
		/* the folios already in the page cache go with the file */
		fput(file);
		goto out_put_folios;
	}

	info = lusim_shmem_info(file);
	mutex_lock(&info->lock);
	info->seals = ser->seals;
	mutex_unlock(&info->lock);

	args->file = file;
	err = 0;
out_put_folios:
	if (folios_folio)
		folio_put(folios_folio);
out_put_ser:
	folio_put(ser_folio);
	return err;
}

static void memfd_luo_finish(struct liveupdate_file_op_args *args)
{
	struct folio *ser_folio, *folios_folio;
	struct memfd_luo_ser *ser;

	/*
	 * A successful retrieve gave everything to the new memfd; a failed one
	 * gave back what it could.  Only a memfd never retrieved is left.
	 */
	if (args->retrieve_status)
		return;

	ser_folio = memfd_luo_restore_block(args->serialized_data, sizeof(*ser));
	if (!ser_folio)
		return;
	ser = folio_address(ser_folio);

	if (memfd_luo_ser_valid(ser) && ser->nr_folios) {
		folios_folio = memfd_luo_restore_block(ser->folios,
			ser->nr_folios * sizeof(struct memfd_luo_folio_ser));
		if (folios_folio) {
			memfd_luo_discard_folios(folio_address(folios_folio), 0,
						 ser->nr_folios);
			folio_put(folios_folio);
		}
	}
	folio_put(ser_folio);
}

static bool memfd_luo_can_preserve(struct liveupdate_file_handler *handler,
				   struct file *file)
{
	/* memfds only: the model's shmem files are all memfds, none hugetlb */
	return shmem_file(file);
}

static const struct liveupdate_file_ops memfd_luo_file_ops = {
	.can_preserve = memfd_luo_can_preserve,
	.preserve = memfd_luo_preserve,
	.unpreserve = memfd_luo_unpreserve,
	.retrieve = memfd_luo_retrieve,
	.finish = memfd_luo_finish,
};

static struct liveupdate_file_handler memfd_luo_handler = {
	.ops = &memfd_luo_file_ops,
	.compatible = MEMFD_LUO_FH_COMPATIBLE,
};

static int memfd_luo_init(void)
{
	int err = liveupdate_register_file_handler(&memfd_luo_handler);

	/* live update off: nothing to register, memfds work as ever */
	if (err && err != -EOPNOTSUPP)
		pr_err("could not register luo filesystem handler: %d\n", err);

	return 0;
}
LUSIM_INITCALL(memfd_luo_init, LUSIM_INIT_LATE)
