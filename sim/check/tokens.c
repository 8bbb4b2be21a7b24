// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tokens and dependencies of the preserved files (kernel-model.md section 6
 * items 2 and 3; reviewer-bugs.md section 4 items 2 and 7), read at the
 * after-freeze stage from what LUO hands over: KHO's root names the "LUO"
 * subtree, whose session array lists each session's files in preserve
 * order with the handler's compatible string, the user's token and the
 * handler's data (the phys of its own record). For every VFIO file whose
 * device has a live IOMMU device record:
 *
 *  - the token in the device record, the token in the VFIO record and the
 *    LUO token of an iommufd file of the same session are one value
 *    (INV-TOKEN-MISMATCH);
 *  - that iommufd file was preserved before the VFIO file, and it recorded
 *    the device's domain (INV-DEP-NOT-PRESERVED);
 *
 * and within one iommufd record the HWPT tokens are unique (INV-TOKEN-DUP).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/kexec_handover.h>
#include <linux/kho/abi/iommufd.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/kho/abi/luo.h>
#include <linux/kho/abi/vfio_pci.h>
#include <lusim/check-model.h>

#include <hw/hw.h>

#include "check_internal.h"

#pragma weak lusim_kho_handover_phys

/* Bounds on what is read (the model's own are far lower). */
#define TK_MAX_SESSIONS	256u
#define TK_MAX_FILES	1024u
#define TK_MAX_HWPTS	4096u

static struct lusim_check inv_token_mismatch, inv_token_dup,
	inv_dep_not_preserved;

struct tk_file {
	char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];
	uint64_t data, token;
};

static uint64_t luo_sessions(uint64_t *count)
{
	struct kho_root_ser root;
	struct luo_root_ser luo;
	struct luo_session_header_ser hdr;
	uint64_t phys;
	unsigned int i;

	if (!lusim_kho_handover_phys)
		return 0;
	phys = lusim_kho_handover_phys();
	if (!phys)
		return 0;
	hw_mem_peek(phys, &root, sizeof(root));
	if (root.magic != KHO_ROOT_MAGIC)
		return 0;
	for (i = 0; i < root.nr_subtrees && i < KHO_MAX_SUBTREES; i++)
		if (!strncmp(root.subtrees[i].name, LUO_FDT_KHO_ENTRY_NAME,
			     KHO_SUBTREE_NAME_LENGTH))
			break;
	if (i == root.nr_subtrees || i == KHO_MAX_SUBTREES)
		return 0;
	hw_mem_peek(root.subtrees[i].phys, &luo, sizeof(luo));
	if (!luo.session_header)
		return 0;
	hw_mem_peek(luo.session_header, &hdr, sizeof(hdr));
	*count = hdr.count < TK_MAX_SESSIONS ? hdr.count : TK_MAX_SESSIONS;
	return luo.session_header + sizeof(hdr);
}

static bool is(const struct tk_file *f, const char *compat)
{
	return !strncmp(f->compatible, compat, sizeof(f->compatible));
}

/* Does iommufd record @data hold domain ser @domain_phys? Checks tokens. */
static bool iommufd_scan(const struct tk_file *f, uint64_t domain_phys,
			 bool report_dups, const char *session)
{
	unsigned int nr, i, j;
	bool found = false;
	uint64_t base = f->data + offsetof(struct iommufd_lu, hwpts);
	static struct iommufd_hwpt_lu h[TK_MAX_HWPTS];

	hw_mem_peek(f->data, &nr, sizeof(nr));
	if (nr > TK_MAX_HWPTS)
		nr = TK_MAX_HWPTS;
	for (i = 0; i < nr; i++) {
		hw_mem_peek(base + i * sizeof(h[0]), &h[i], sizeof(h[0]));
		if (h[i].domain_data == domain_phys)
			found = true;
	}
	if (report_dups && lusim_check_enabled(inv_token_dup.id))
		for (i = 0; i < nr; i++)
			for (j = i + 1; j < nr; j++)
				if (h[i].token == h[j].token)
					lusim_report(inv_token_dup.id,
						     "iommufd_lu", NULL,
						     "iommufd file (LUO token %#llx, session %.*s) records HWPT token %u twice (entries %u and %u)",
						     (unsigned long long)f->token,
						     LIVEUPDATE_SESSION_NAME_LENGTH,
						     session, h[i].token, i, j);
	return found;
}

static void tokens_run(const struct lusim_check_ctx *ctx)
{
	struct lusim_lu_view v;
	static struct tk_file files[TK_MAX_FILES];
	uint64_t nr_sessions = 0, sessions, s;

	(void)ctx;
	sessions = luo_sessions(&nr_sessions);
	if (!sessions)
		return;
	if (lusim_check_lu_read(&v))
		memset(&v, 0, sizeof(v));
	for (s = 0; s < nr_sessions; s++) {
		struct luo_session_ser ss;
		uint64_t nf, i, j;

		hw_mem_peek(sessions + s * sizeof(ss), &ss, sizeof(ss));
		nf = ss.file_set_ser.count < TK_MAX_FILES ?
		     ss.file_set_ser.count : TK_MAX_FILES;
		if (!ss.file_set_ser.files)
			nf = 0;
		for (i = 0; i < nf; i++) {
			struct luo_file_ser fs;

			hw_mem_peek(ss.file_set_ser.files + i * sizeof(fs), &fs,
				    sizeof(fs));
			memcpy(files[i].compatible, fs.compatible,
			       sizeof(files[i].compatible));
			files[i].data = fs.data;
			files[i].token = fs.token;
		}
		for (i = 0; i < nf; i++)
			if (is(&files[i], IOMMUFD_LUO_COMPATIBLE))
				iommufd_scan(&files[i], 0, true, ss.name);
		for (i = 0; i < nf; i++) {
			struct vfio_pci_core_device_ser vs;
			const struct lusim_lu_dev_rec *d = NULL;
			unsigned int k;
			int owner = -1;

			if (!is(&files[i], VFIO_PCI_LUO_FH_COMPATIBLE) ||
			    !files[i].data)
				continue;
			hw_mem_peek(files[i].data, &vs, sizeof(vs));
			for (k = 0; k < v.nr_devs; k++)
				if (v.devs[k].devid == vs.bdf &&
				    v.devs[k].pci_domain == vs.domain)
					d = &v.devs[k];
			if (!d)		/* preserved without IOMMU state */
				continue;
			for (j = 0; j < nf; j++)
				if (is(&files[j], IOMMUFD_LUO_COMPATIBLE) &&
				    files[j].token == d->token)
					owner = (int)j;
			if (lusim_check_enabled(inv_token_mismatch.id) &&
			    (owner < 0 || vs.iommufd_ser.token != d->token))
				lusim_report(inv_token_mismatch.id, "device_ser",
					     NULL,
					     "device %04x:%02x:%02x.%u: its IOMMU record says token %#llx, its VFIO record %#llx, and %s iommufd file of session %.*s has it",
					     vs.domain, vs.bdf >> 8,
					     (vs.bdf >> 3) & 0x1f, vs.bdf & 7,
					     (unsigned long long)d->token,
					     (unsigned long long)vs.iommufd_ser.token,
					     owner < 0 ? "no" : "an",
					     LIVEUPDATE_SESSION_NAME_LENGTH,
					     ss.name);
			if (owner < 0 ||
			    !lusim_check_enabled(inv_dep_not_preserved.id))
				continue;
			if ((uint64_t)owner > i)
				lusim_report(inv_dep_not_preserved.id,
					     "luo_file_ser", NULL,
					     "session %.*s: device %04x:%02x:%02x.%u's VFIO file (#%llu) was preserved before the iommufd it depends on (#%d)",
					     LIVEUPDATE_SESSION_NAME_LENGTH,
					     ss.name, vs.domain, vs.bdf >> 8,
					     (vs.bdf >> 3) & 0x1f, vs.bdf & 7,
					     (unsigned long long)i, owner);
			else if (!iommufd_scan(&files[owner], d->domain_phys,
					       false, ss.name))
				lusim_report(inv_dep_not_preserved.id,
					     "iommufd_lu", NULL,
					     "session %.*s: device %04x:%02x:%02x.%u's domain record %#llx is not one of its iommufd's preserved HWPTs",
					     LIVEUPDATE_SESSION_NAME_LENGTH,
					     ss.name, vs.domain, vs.bdf >> 8,
					     (vs.bdf >> 3) & 0x1f, vs.bdf & 7,
					     (unsigned long long)d->domain_phys);
		}
	}
	lusim_check_lu_release(&v);
}

int lusim_check_lu_luo_file(const char *session, uint64_t token,
			    uint64_t *data, uint64_t *file_ser)
{
	uint64_t nr_sessions = 0, sessions, s, i;

	sessions = luo_sessions(&nr_sessions);
	for (s = 0; sessions && s < nr_sessions; s++) {
		struct luo_session_ser ss;

		hw_mem_peek(sessions + s * sizeof(ss), &ss, sizeof(ss));
		if (strncmp(ss.name, session, sizeof(ss.name)) ||
		    !ss.file_set_ser.files)
			continue;
		for (i = 0; i < ss.file_set_ser.count && i < TK_MAX_FILES; i++) {
			uint64_t p = ss.file_set_ser.files +
				     i * sizeof(struct luo_file_ser);
			struct luo_file_ser fs;

			hw_mem_peek(p, &fs, sizeof(fs));
			if (fs.token != token)
				continue;
			*data = fs.data;
			*file_ser = p;
			return 0;
		}
	}
	return -ENOENT;
}

static struct lusim_check inv_token_mismatch = {
	.id = "INV-TOKEN-MISMATCH",
	.area = "tokens",
	.desc = "a preserved device's token (IOMMU and VFIO records) is its iommufd file's LUO token in the same session",
	.when = LUSIM_CHECK_AFTER_FREEZE,
	.run = tokens_run,
};
LUSIM_CHECK_REGISTER(inv_token_mismatch)

/* Raised by INV-TOKEN-MISMATCH's walk of the sessions. */
static struct lusim_check inv_token_dup = {
	.id = "INV-TOKEN-DUP",
	.area = "tokens",
	.desc = "the HWPT tokens an iommufd file records are unique",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(inv_token_dup)

/* Raised by INV-TOKEN-MISMATCH's walk of the sessions. */
static struct lusim_check inv_dep_not_preserved = {
	.id = "INV-DEP-NOT-PRESERVED",
	.area = "tokens",
	.desc = "a preserved device's iommufd is preserved before it in its session and recorded its domain",
	.when = LUSIM_CHECK_EVENT,
};
LUSIM_CHECK_REGISTER(inv_dep_not_preserved)
