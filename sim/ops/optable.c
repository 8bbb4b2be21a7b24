// SPDX-License-Identifier: GPL-2.0-only
/*
 * The op table: every action of the op language, with its arguments and the
 * sim/ops call that performs it. One entry per op is all an op needs: the
 * binary decoder, the scenario parser and printer, the dictionaries, the
 * custom mutator and `lusim help ops` read it from here (oplang.h).
 *
 * Opcodes are indices into opl_ops[]: append, never insert or reorder, or
 * committed binary inputs change meaning (the corpus test regenerates them
 * from corpus/scenarios and fails when they differ).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <linux/memfd.h>
#include <uapi/linux/iommufd.h>
#include <lusim/fault.h>

#include "ops.h"
#include "opl_internal.h"

/* ---------------------------------------------------------------------
 * Kinds
 * --------------------------------------------------------------------- */

static const char *const kind_names[OPK_NR_CLASSES] = {
	[OPK_NONE] = "none",
	[OPK_IOMMUFD] = "iommufd",
	[OPK_VFIO] = "vfio",
	[OPK_MEMFD] = "memfd",
	[OPK_LUO] = "luo",
	[OPK_SESSION] = "session",
	[OPK_FILE] = "file",
	[OPK_IOAS] = "ioas",
	[OPK_HWPT] = "hwpt",
	[OPK_IDEV] = "idev",
	[OPK_ANY_FD] = "fd",
	[OPK_ANY_ID] = "id",
	[OPK_PT] = "pt",
};

const char *opl_kind_name(unsigned int kind)
{
	return kind < OPK_NR_CLASSES ? kind_names[kind] : "?";
}

bool opl_kind_is_fd(unsigned int kind)
{
	return kind >= OPK_IOMMUFD && kind <= OPK_FILE;
}

bool opl_kind_matches(unsigned int kind, unsigned int expect)
{
	switch (expect) {
	case OPK_ANY_FD:
		return opl_kind_is_fd(kind);
	case OPK_ANY_ID:
		return kind == OPK_IOAS || kind == OPK_HWPT || kind == OPK_IDEV;
	case OPK_PT:
		return kind == OPK_IOAS || kind == OPK_HWPT;
	default:
		return kind == expect;
	}
}

/*
 * Raw handle values: small fds and ids (which may or may not be in use),
 * the largest positive int and -1 (an fd) / 0xffffffff (an id).
 */
const uint32_t opl_raw_values[16] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0x7fffffff, 0xffffffff,
};

/* PASIDs 240..255 of the binary form: edges of the 20-bit space and beyond. */
const uint32_t opl_pasid_values[16] = {
	255, 256, 1000, 1023, 1024, 4095, 4096, 65535,
	65536, 0xffffe, 0xfffff, 0x100000, 0x100001, 0x7fffffff, 0xfffffffe,
	0xffffffff,
};

/* ---------------------------------------------------------------------
 * errno names
 * --------------------------------------------------------------------- */

#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD	515
#endif
#ifndef ENOTSUPP
#define ENOTSUPP	524
#endif
#ifndef EPROBE_DEFER
#define EPROBE_DEFER	517
#endif

#define E(x)	{ #x, x }
static const struct opl_sym errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ENOSTR),
	E(ENODATA), E(ETIME), E(ENOSR), E(ENOLINK), E(EPROTO), E(EBADMSG),
	E(EOVERFLOW), E(EILSEQ), E(EUSERS), E(ENOTSOCK), E(EMSGSIZE),
	E(EOPNOTSUPP), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
	E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EALREADY), E(EINPROGRESS), E(ESTALE), E(EDQUOT),
	E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED),
	E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL),
	E(EHWPOISON), E(ENOIOCTLCMD), E(EPROBE_DEFER), E(ENOTSUPP),
	{ NULL, 0 }
};
#undef E

const char *opl_errno_name(int err)
{
	if (err < 0)
		err = -err;
	for (const struct opl_sym *s = errno_names; s->name; s++)
		if (s->value == (uint64_t)err)
			return s->name;
	return NULL;
}

int opl_errno_parse(const char *name, size_t len)
{
	if (len && name[0] == '-') {
		name++;
		len--;
	}
	for (const struct opl_sym *s = errno_names; s->name; s++)
		if (strlen(s->name) == len && !memcmp(s->name, name, len))
			return (int)s->value;
	return -1;
}

/* ---------------------------------------------------------------------
 * Symbols of flag and enum arguments
 * --------------------------------------------------------------------- */

static const struct opl_sym map_flags[] = {
	{ "fixed", IOMMU_IOAS_MAP_FIXED_IOVA },
	{ "read", IOMMU_IOAS_MAP_READABLE },
	{ "write", IOMMU_IOAS_MAP_WRITEABLE },
	{ NULL, 0 }
};
#define MAP_DEF		0x7	/* fixed,read,write */

static const struct opl_sym hwpt_flags[] = {
	{ "nest_parent", IOMMU_HWPT_ALLOC_NEST_PARENT },
	{ "dirty", IOMMU_HWPT_ALLOC_DIRTY_TRACKING },
	{ "fault", IOMMU_HWPT_FAULT_ID_VALID },
	{ "pasid", IOMMU_HWPT_ALLOC_PASID },
	{ NULL, 0 }
};

static const struct opl_sym memfd_flags[] = {
	{ "sealing", MFD_ALLOW_SEALING },
	{ "cloexec", MFD_CLOEXEC },
	{ "hugetlb", MFD_HUGETLB },
	{ "noexec", MFD_NOEXEC_SEAL },
	{ NULL, 0 }
};

static const struct opl_sym seal_flags[] = {
	{ "seal", F_SEAL_SEAL },
	{ "shrink", F_SEAL_SHRINK },
	{ "grow", F_SEAL_GROW },
	{ "write", F_SEAL_WRITE },
	{ "future_write", F_SEAL_FUTURE_WRITE },
	{ NULL, 0 }
};
#define SEAL_DEF	0x7	/* seal,shrink,grow: what live update needs */

static const struct opl_sym fault_classes[] = {
	{ "slab", LUSIM_FAULT_SLAB },
	{ "page", LUSIM_FAULT_PAGE },
	{ "kho", LUSIM_FAULT_KHO },
	{ "driver", LUSIM_FAULT_DRIVER },
	{ "user", LUSIM_FAULT_USER },
	{ NULL, 0 }
};

/* ---------------------------------------------------------------------
 * Argument shorthands
 * --------------------------------------------------------------------- */

#define H(n, k)		{ .name = n, .type = OPA_HANDLE, .kind = k }
#define NUM(n, m, d)	{ .name = n, .type = OPA_NUM, .max = m, .def = d }
#define PAGES(n, d)	{ .name = n, .type = OPA_PAGES, .def = d }
#define IOVA(n)		{ .name = n, .type = OPA_IOVA }
#define PASID()		{ .name = "pasid", .type = OPA_PASID }
#define FLAGS(n, s, d)	{ .name = n, .type = OPA_FLAGS, .syms = s, .def = d }
#define ENUM(n, s)	{ .name = n, .type = OPA_ENUM, .syms = s, .show = 1 }
#define BOOL(n, d)	{ .name = n, .type = OPA_BOOL, .def = d }
#define NAME()		{ .name = "name", .type = OPA_NAME, .show = 1 }
#define TOKEN(d)	{ .name = "token", .type = OPA_NUM, .max = 255, .def = d, \
			  .show = 1 }
/* the PCI function: 6 in the default machine, 6 and 7 absent (-ENODEV) */
#define DEV()		{ .name = "dev", .type = OPA_NUM, .max = 7, .show = 1 }
#define UNIT()		{ .name = "unit", .type = OPA_NUM, .max = 3, .show = 1 }
#define XFER_PAGES()	NUM("pages", 16, 1)	/* CPU and DMA transfers */

#define ICTX		H("iommufd", OPK_IOMMUFD)

#define V(i)		(c->val[i])
#define FD(i)		((int)(uint32_t)c->val[i])
#define ID(i)		((uint32_t)c->val[i])

/* A user address for IOMMU_IOAS_MAP (anonymous memory, never touched). */
#define USER_VA		0x7f0000000000ULL

/* ---------------------------------------------------------------------
 * The ops
 * --------------------------------------------------------------------- */

/* An op's exec function; most use only some of the three. */
#define OPL_EXEC(fn)							\
	static int fn(struct opl_vm *vm __attribute__((unused)),	\
		      struct opl_call *c __attribute__((unused)),	\
		      uint32_t *out __attribute__((unused)))

OPL_EXEC(x_iommufd_open)
{
	int fd = ops_iommufd_open();

	if (fd >= 0)
		*out = (uint32_t)fd;
	return fd;
}

OPL_EXEC(x_close)
{
	int ret = ops_close(FD(0));

	if (!ret)
		opl_vm_closed_fd(vm, ID(0));
	return ret;
}

OPL_EXEC(x_ioas_alloc)
{
	return ops_ioas_alloc(FD(0), out);
}

OPL_EXEC(x_ioas_map)
{
	uint64_t iova = V(2);

	return ops_ioas_map(FD(0), ID(1), USER_VA + V(2), V(3), &iova,
			    (uint32_t)V(4));
}

OPL_EXEC(x_ioas_map_file)
{
	uint64_t iova = V(3);

	return ops_ioas_map_file(FD(0), ID(1), FD(2), V(5) * OPL_PAGE_SIZE, V(4),
				 &iova, (uint32_t)V(6));
}

OPL_EXEC(x_ioas_unmap)
{
	return ops_ioas_unmap(FD(0), ID(1), V(2), V(3), NULL);
}

OPL_EXEC(x_hwpt_alloc)
{
	return ops_hwpt_alloc(FD(0), ID(1), ID(2), (uint32_t)V(3), out);
}

OPL_EXEC(x_hwpt_alloc_nested)
{
	/* a first-stage table the guest owns: any address, 48-bit width */
	struct iommu_hwpt_vtd_s1 s1 = {
		.pgtbl_addr = 0x100000,
		.addr_width = 48,
	};

	return ops_hwpt_alloc_nested(FD(0), ID(1), ID(2), (uint32_t)V(3),
				     IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				     out);
}

OPL_EXEC(x_destroy)
{
	int ret = ops_destroy(FD(0), ID(1));

	if (!ret)
		opl_vm_destroyed_id(vm, ID(0), ID(1));
	return ret;
}

OPL_EXEC(x_hw_info)
{
	return ops_get_hw_info(FD(0), ID(1), NULL, NULL);
}

OPL_EXEC(x_vfio_pci_bind)
{
	return ops_vfio_pci_bind((unsigned int)V(0));
}

OPL_EXEC(x_vfio_pci_unbind)
{
	return ops_vfio_pci_unbind((unsigned int)V(0));
}

OPL_EXEC(x_vfio_open)
{
	int fd = ops_vfio_open((unsigned int)V(0));

	if (fd >= 0)
		*out = (uint32_t)fd;
	return fd;
}

OPL_EXEC(x_vfio_bind)
{
	return ops_vfio_bind(FD(0), FD(1), out);
}

OPL_EXEC(x_vfio_attach)
{
	uint32_t pt = ID(1);
	int ret = ops_vfio_attach(FD(0), (uint32_t)V(2), &pt);

	if (!ret)
		opl_vm_note_pasid(vm, c->obj[0], (uint32_t)V(2));
	return ret;
}

OPL_EXEC(x_vfio_detach)
{
	return ops_vfio_detach(FD(0), (uint32_t)V(1));
}

OPL_EXEC(x_vfio_set_master)
{
	return ops_vfio_set_master(FD(0), V(1));
}

OPL_EXEC(x_native_bind)
{
	return ops_native_bind((unsigned int)V(0));
}

OPL_EXEC(x_native_unbind)
{
	return ops_native_unbind((unsigned int)V(0));
}

OPL_EXEC(x_hot_remove)
{
	return ops_pci_hot_remove((unsigned int)V(0));
}

OPL_EXEC(x_hot_add)
{
	return ops_pci_hot_add((unsigned int)V(0));
}

OPL_EXEC(x_dmar_remove)
{
	return ops_dmar_hot_remove((unsigned int)V(0));
}

OPL_EXEC(x_dmar_add)
{
	return ops_dmar_hot_add((unsigned int)V(0));
}

OPL_EXEC(x_memfd_create)
{
	int fd = ops_memfd_create("lusim", (unsigned int)V(0));

	if (fd >= 0)
		*out = (uint32_t)fd;
	return fd;
}

OPL_EXEC(x_memfd_truncate)
{
	return ops_ftruncate(FD(0), V(1));
}

OPL_EXEC(x_memfd_seal)
{
	return ops_memfd_add_seals(FD(0), (unsigned int)V(1));
}

OPL_EXEC(x_memfd_write)
{
	return ops_memfd_write_pattern(FD(0), V(1) * OPL_PAGE_SIZE,
				       V(2) * OPL_PAGE_SIZE, (uint32_t)V(3));
}

OPL_EXEC(x_memfd_check)
{
	return ops_memfd_check_pattern(FD(0), V(1) * OPL_PAGE_SIZE,
				       V(2) * OPL_PAGE_SIZE, (uint32_t)V(3));
}

OPL_EXEC(x_dma_write)
{
	return ops_dma_write_pattern((unsigned int)V(0), (uint32_t)V(1), V(2),
				     V(3) * OPL_PAGE_SIZE, (uint32_t)V(4));
}

OPL_EXEC(x_dma_check)
{
	return ops_dma_check_pattern((unsigned int)V(0), (uint32_t)V(1), V(2),
				     V(3) * OPL_PAGE_SIZE, (uint32_t)V(4));
}

OPL_EXEC(x_test_attach)
{
	uint32_t pt = ID(2);
	int ret = ops_test_pasid_attach(FD(0), ID(1), (uint32_t)V(3), &pt);

	if (!ret)
		opl_vm_note_pasid(vm, c->obj[1], (uint32_t)V(3));
	return ret;
}

OPL_EXEC(x_test_replace)
{
	uint32_t pt = ID(2);
	int ret = ops_test_pasid_replace(FD(0), ID(1), (uint32_t)V(3), &pt);

	if (!ret)
		opl_vm_note_pasid(vm, c->obj[1], (uint32_t)V(3));
	return ret;
}

OPL_EXEC(x_test_detach)
{
	return ops_test_pasid_detach(FD(0), ID(1), (uint32_t)V(2));
}

OPL_EXEC(x_fail_nth)
{
	lusim_fail_nth((enum lusim_fault_class)V(0), V(1));
	return 0;
}

/* --- live update: /dev/liveupdate, sessions, the HWPT mark, kexec --------- */

static const char *session_name(unsigned int i)
{
	static const char *const names[OPL_NR_NAMES] = {
		"vm0", "vm1", "vm2", "vm3", "vm4", "vm5", "vm6", "vm7",
	};

	return names[i % OPL_NR_NAMES];
}

OPL_EXEC(x_luo_open)
{
	int fd = ops_liveupdate_open();

	if (fd >= 0)
		*out = (uint32_t)fd;
	return fd;
}

OPL_EXEC(x_session_create)
{
	int fd = ops_lu_create_session(FD(0), session_name((unsigned int)V(1)));

	if (fd >= 0)
		*out = (uint32_t)fd;
	return fd;
}

OPL_EXEC(x_session_retrieve)
{
	int fd = ops_lu_retrieve_session(FD(0),
					 session_name((unsigned int)V(1)));

	if (fd >= 0)
		*out = (uint32_t)fd;
	return fd;
}

OPL_EXEC(x_preserve)
{
	int ret = ops_lu_preserve_fd(FD(0), FD(1), V(2));
	int s, f;

	if (ret)
		return ret;
	/* the VMM writes down what it preserved under which name and token */
	s = opl_vm_find_live_fd(vm, ID(0));
	f = opl_vm_find_live_fd(vm, ID(1));
	if (s >= 0 && f >= 0 && vm->objs[s].kind == OPK_SESSION)
		vm->preserved[vm->objs[s].aux][V(2) & 0xff] = vm->objs[f].kind + 1;
	return 0;
}

OPL_EXEC(x_retrieve)
{
	int fd = ops_lu_retrieve_fd(FD(0), V(1));
	int s;

	if (fd < 0)
		return fd;
	/* what it was preserved as, if this VMM preserved it */
	s = opl_vm_find_live_fd(vm, ID(0));
	if (s >= 0 && vm->objs[s].kind == OPK_SESSION) {
		uint8_t k = vm->preserved[vm->objs[s].aux][V(1) & 0xff];

		if (k)
			vm->product_kind = k - 1;
	}
	*out = (uint32_t)fd;
	return fd;
}

OPL_EXEC(x_session_finish)
{
	return ops_lu_finish(FD(0));
}

OPL_EXEC(x_hwpt_mark)
{
	return ops_hwpt_lu_set_preserve(FD(0), ID(1), (uint32_t)V(2));
}

OPL_EXEC(x_kexec)
{
	return ops_kexec();
}

/* ---------------------------------------------------------------------
 * Macro ops: general VMM actions made of the ops above (docs/oplang.md,
 * "Macro ops"). Each runs its ops through opl_vm_sub(), so the trace,
 * the printed scenario and the canonical binary hold the expansion; a
 * macro adds depth for fuzzers (one record reaches what takes a VMM
 * several calls), never behaviour. Handles of the expansion name the
 * objects the earlier ops made, else the newest live object of the kind;
 * where there is none, an invalid fd (-1) or id (0), so the op runs and
 * fails with the kernel's errno. Every op of an expansion runs, whatever
 * the ones before returned; the macro returns 0 or the first failure.
 * --------------------------------------------------------------------- */

struct expansion {
	struct opl_vm *vm;
	int ret;		/* the first failure, or 0 */
};

static int sub(struct expansion *x, const char *op, const uint8_t *args,
	       int *product)
{
	int nr = opl_op_find(op, strlen(op));
	int ret = opl_vm_sub(x->vm, nr < 0 ? opl_nr_ops : (unsigned int)nr,
			     args, product);

	if (ret < 0 && !x->ret)
		x->ret = ret;
	return ret;
}

/* The handle byte of object @obj, or a raw invalid value */
#define HB(obj, kind)	opl_vm_hbyte(x.vm, obj, kind)

/* The macro's own handle argument @i, named again for @kind */
static uint8_t arg_handle(struct opl_vm *vm, const struct opl_call *c,
			  unsigned int i, unsigned int kind)
{
	return c->obj[i] >= 0 ? opl_vm_hbyte(vm, c->obj[i], kind) : c->bytes[i];
}

/* memfd_create(sealing), ftruncate(pages), F_ADD_SEALS(seal,shrink,grow) */
static int sealed_memfd(struct expansion *x, uint8_t pages)
{
	uint8_t a[OPL_MAX_ARGS] = { 0x1 };	/* sealing */
	int m;

	sub(x, "memfd_create", a, &m);
	a[0] = opl_vm_hbyte(x->vm, m, OPK_MEMFD);
	a[1] = pages;
	sub(x, "memfd_truncate", a, NULL);
	a[0] = opl_vm_hbyte(x->vm, m, OPK_MEMFD);
	a[1] = SEAL_DEF;
	sub(x, "memfd_seal", a, NULL);
	return m;
}

static int m_memfd_sealed(struct opl_vm *vm, const struct opl_call *c,
			  int *product)
{
	struct expansion x = { .vm = vm };

	*product = sealed_memfd(&x, c->bytes[0]);
	return x.ret;
}

static int m_vm_setup(struct opl_vm *vm, const struct opl_call *c,
		      int *product)
{
	struct expansion x = { .vm = vm };
	uint8_t a[OPL_MAX_ARGS] = { 0 };
	int fd, ioas, m;

	sub(&x, "iommufd_open", a, &fd);
	a[0] = HB(fd, OPK_IOMMUFD);
	sub(&x, "ioas_alloc", a, &ioas);
	m = sealed_memfd(&x, c->bytes[0]);
	a[0] = HB(fd, OPK_IOMMUFD);
	a[1] = HB(ioas, OPK_IOAS);
	a[2] = HB(m, OPK_MEMFD);
	a[3] = c->bytes[1];			/* iova */
	a[4] = c->bytes[0];			/* pages */
	a[5] = 0;				/* offset */
	a[6] = MAP_DEF;
	sub(&x, "ioas_map_file", a, NULL);
	*product = fd;
	return x.ret;
}

static int m_vfio_setup(struct opl_vm *vm, const struct opl_call *c,
			int *product)
{
	struct expansion x = { .vm = vm };
	uint8_t a[OPL_MAX_ARGS] = { c->bytes[0] };
	int v;

	int ictx = opl_vm_newest(vm, OPK_IOMMUFD, -1);

	/* the VMM's iommufd: /dev/iommu is opened when the process has none */
	if (ictx < 0)
		sub(&x, "iommufd_open", a, &ictx);
	a[0] = c->bytes[0];
	sub(&x, "vfio_pci_bind", a, NULL);
	a[0] = c->bytes[0];
	sub(&x, "vfio_open", a, &v);
	a[0] = HB(v, OPK_VFIO);
	a[1] = HB(ictx, OPK_IOMMUFD);
	sub(&x, "vfio_bind", a, NULL);
	*product = v;
	return x.ret;
}

static int m_hwpt_attach(struct opl_vm *vm, const struct opl_call *c,
			 int *product)
{
	struct expansion x = { .vm = vm };
	uint8_t a[OPL_MAX_ARGS] = { 0 };
	int idev = -1, ictx, ioas, h;

	/* the VFIO device's newest iommufd device, its iommufd, an IOAS there */
	for (unsigned int i = vm->nr_objs; c->obj[0] >= 0 && i > 0; i--) {
		const struct opl_obj *o = &vm->objs[i - 1];

		if (o->state == OPL_OBJ_LIVE && o->kind == OPK_IDEV &&
		    o->vfio == c->obj[0]) {
			idev = (int)(i - 1);
			break;
		}
	}
	ictx = idev >= 0 ? vm->objs[idev].parent :
			   opl_vm_newest(vm, OPK_IOMMUFD, -1);
	ioas = ictx >= 0 ? opl_vm_newest(vm, OPK_IOAS, ictx) : -1;
	/* an iommufd with no IOAS yet: allocate one */
	if (ictx >= 0 && ioas < 0) {
		a[0] = HB(ictx, OPK_IOMMUFD);
		sub(&x, "ioas_alloc", a, &ioas);
	}
	a[0] = HB(ictx, OPK_IOMMUFD);
	a[1] = HB(idev, OPK_IDEV);
	a[2] = HB(ioas, OPK_PT);
	a[3] = c->bytes[1];			/* flags */
	sub(&x, "hwpt_alloc", a, &h);
	a[0] = arg_handle(vm, c, 0, OPK_VFIO);
	a[1] = HB(h, OPK_PT);
	a[2] = c->bytes[2];			/* pasid */
	sub(&x, "vfio_attach", a, NULL);
	*product = h;
	return x.ret;
}

/* open /dev/liveupdate unless the process has it open, create a session */
static int new_session(struct expansion *x, uint8_t name)
{
	uint8_t a[OPL_MAX_ARGS] = { 0 };
	int luo = opl_vm_newest(x->vm, OPK_LUO, -1), s;

	if (luo < 0)
		sub(x, "luo_open", a, &luo);
	a[0] = opl_vm_hbyte(x->vm, luo, OPK_LUO);
	a[1] = name;
	sub(x, "session_create", a, &s);
	return s;
}

static int m_lu_session(struct opl_vm *vm, const struct opl_call *c,
			int *product)
{
	struct expansion x = { .vm = vm };

	*product = new_session(&x, c->bytes[0]);
	return x.ret;
}

#define LU_MARK		0x1
#define LU_MEMFD	0x2
#define LU_IOMMUFD	0x4
#define LU_VFIO		0x8
#define LU_ALL		0xf
#define LU_MAX_EACH	8	/* objects of a kind an expansion handles */

static const struct opl_sym lu_what[] = {
	{ "mark", LU_MARK },
	{ "memfd", LU_MEMFD },
	{ "iommufd", LU_IOMMUFD },
	{ "vfio", LU_VFIO },
	{ NULL, 0 }
};

/* preserve every live fd of @kind (at most LU_MAX_EACH) in session @s */
static void preserve_each(struct expansion *x, int s, unsigned int kind,
			  uint8_t *token)
{
	unsigned int nr = x->vm->nr_objs, done = 0;
	uint8_t a[OPL_MAX_ARGS] = { 0 };

	for (unsigned int i = 0; i < nr && done < LU_MAX_EACH; i++) {
		const struct opl_obj *o = &x->vm->objs[i];

		if (o->state != OPL_OBJ_LIVE || o->kind != kind)
			continue;
		a[0] = opl_vm_hbyte(x->vm, s, OPK_SESSION);
		a[1] = opl_vm_hbyte(x->vm, (int)i, OPK_ANY_FD);
		a[2] = (*token)++;
		sub(x, "preserve", a, NULL);
		done++;
	}
}

static int m_lu_preserve_all(struct opl_vm *vm, const struct opl_call *c,
			     int *product)
{
	struct expansion x = { .vm = vm };
	uint8_t what = c->bytes[0], token = c->bytes[1];
	uint8_t a[OPL_MAX_ARGS] = { 0 };
	int s = opl_vm_newest(vm, OPK_SESSION, -1);

	if (s < 0)
		s = new_session(&x, 0);
	if (what & LU_MARK) {
		unsigned int nr = vm->nr_objs, done = 0;

		/* every live HWPT, each under its own token */
		for (unsigned int i = 0; i < nr && done < LU_MAX_EACH; i++) {
			const struct opl_obj *o = &vm->objs[i];

			if (o->state != OPL_OBJ_LIVE || o->kind != OPK_HWPT)
				continue;
			a[0] = HB(o->parent, OPK_IOMMUFD);
			a[1] = HB((int)i, OPK_HWPT);
			a[2] = token++;
			sub(&x, "hwpt_mark", a, NULL);
			done++;
		}
	}
	/* in dependency order: what the iommufd maps, the iommufd, devices */
	if (what & LU_MEMFD)
		preserve_each(&x, s, OPK_MEMFD, &token);
	if (what & LU_IOMMUFD)
		preserve_each(&x, s, OPK_IOMMUFD, &token);
	if (what & LU_VFIO)
		preserve_each(&x, s, OPK_VFIO, &token);
	*product = s;
	return x.ret;
}

#define KIND(k)		(1u << (k))

/* ---------------------------------------------------------------------
 * The table. Append only (opcode = index).
 * --------------------------------------------------------------------- */

const struct opl_op opl_ops[] = {
	/* iommufd */
	{ .name = "iommufd_open", .product = OPK_IOMMUFD,
	  .exec = x_iommufd_open,
	  .help = "open /dev/iommu" },
	{ .name = "close",
	  .args = { H("fd", OPK_ANY_FD) },
	  .exec = x_close,
	  .help = "close(2) of any fd" },
	{ .name = "ioas_alloc", .product = OPK_IOAS,
	  .args = { ICTX },
	  .exec = x_ioas_alloc,
	  .help = "IOMMU_IOAS_ALLOC" },
	{ .name = "ioas_map",
	  .args = { ICTX, H("ioas", OPK_IOAS), IOVA("iova"), PAGES("pages", 1),
		    FLAGS("flags", map_flags, MAP_DEF) },
	  .exec = x_ioas_map,
	  .help = "IOMMU_IOAS_MAP of anonymous memory (without fixed: the kernel picks the IOVA)" },
	{ .name = "ioas_map_file",
	  .args = { ICTX, H("ioas", OPK_IOAS), H("memfd", OPK_MEMFD),
		    IOVA("iova"), PAGES("pages", 1), NUM("offset", 255, 0),
		    FLAGS("flags", map_flags, MAP_DEF) },
	  .exec = x_ioas_map_file,
	  .help = "IOMMU_IOAS_MAP_FILE of a memfd from a page offset" },
	{ .name = "ioas_unmap",
	  .args = { ICTX, H("ioas", OPK_IOAS), IOVA("iova"), PAGES("pages", 1) },
	  .exec = x_ioas_unmap,
	  .help = "IOMMU_IOAS_UNMAP (iova=0 pages=all: everything)" },
	{ .name = "hwpt_alloc", .product = OPK_HWPT,
	  .args = { ICTX, H("idev", OPK_IDEV), H("pt", OPK_PT),
		    FLAGS("flags", hwpt_flags, 0) },
	  .exec = x_hwpt_alloc,
	  .help = "IOMMU_HWPT_ALLOC of a paging HWPT on an IOAS" },
	{ .name = "hwpt_alloc_nested", .product = OPK_HWPT,
	  .args = { ICTX, H("idev", OPK_IDEV), H("parent", OPK_HWPT),
		    FLAGS("flags", hwpt_flags, 0) },
	  .exec = x_hwpt_alloc_nested,
	  .help = "IOMMU_HWPT_ALLOC of a nested HWPT (VT-d stage-1 data) on a nest parent" },
	{ .name = "destroy",
	  .args = { ICTX, H("id", OPK_ANY_ID) },
	  .exec = x_destroy,
	  .help = "IOMMU_DESTROY of any iommufd object" },
	{ .name = "hw_info",
	  .args = { ICTX, H("idev", OPK_IDEV) },
	  .exec = x_hw_info,
	  .help = "IOMMU_GET_HW_INFO" },
	/* VFIO */
	{ .name = "vfio_pci_bind",
	  .args = { DEV() },
	  .exec = x_vfio_pci_bind,
	  .help = "bind vfio-pci to PCI function dev (sysfs)" },
	{ .name = "vfio_pci_unbind",
	  .args = { DEV() },
	  .exec = x_vfio_pci_unbind,
	  .help = "unbind vfio-pci from PCI function dev" },
	{ .name = "vfio_open", .product = OPK_VFIO,
	  .args = { DEV() },
	  .exec = x_vfio_open,
	  .help = "open the VFIO cdev of PCI function dev" },
	{ .name = "vfio_bind", .product = OPK_IDEV, .ictx_arg = 1,
	  .args = { H("vfio", OPK_VFIO), ICTX },
	  .exec = x_vfio_bind,
	  .help = "VFIO_DEVICE_BIND_IOMMUFD: makes an iommufd device id" },
	{ .name = "vfio_attach",
	  .args = { H("vfio", OPK_VFIO), H("pt", OPK_PT), PASID() },
	  .exec = x_vfio_attach,
	  .help = "VFIO_DEVICE_ATTACH_IOMMUFD_PT at a PASID (0: the RID); attaching again replaces" },
	{ .name = "vfio_detach",
	  .args = { H("vfio", OPK_VFIO), PASID() },
	  .exec = x_vfio_detach,
	  .help = "VFIO_DEVICE_DETACH_IOMMUFD_PT at a PASID (0: the RID)" },
	{ .name = "vfio_set_master",
	  .args = { H("vfio", OPK_VFIO), BOOL("enable", 1) },
	  .exec = x_vfio_set_master,
	  .help = "PCI_COMMAND bus-master enable through the VFIO device" },
	/* kernel drivers and hotplug */
	{ .name = "native_bind",
	  .args = { DEV() },
	  .exec = x_native_bind,
	  .help = "bind the function's kernel driver (a DMA API user)" },
	{ .name = "native_unbind",
	  .args = { DEV() },
	  .exec = x_native_unbind,
	  .help = "unbind the function's kernel driver" },
	{ .name = "hot_remove",
	  .args = { DEV() },
	  .exec = x_hot_remove,
	  .help = "orderly hot-unplug of PCI function dev" },
	{ .name = "hot_add",
	  .args = { DEV() },
	  .exec = x_hot_add,
	  .help = "plug PCI function dev back in" },
	/* memfd */
	{ .name = "memfd_create", .product = OPK_MEMFD,
	  .args = { FLAGS("flags", memfd_flags, 0x1) },
	  .exec = x_memfd_create,
	  .help = "memfd_create(2)" },
	{ .name = "memfd_truncate",
	  .args = { H("memfd", OPK_MEMFD), PAGES("pages", 4) },
	  .exec = x_memfd_truncate,
	  .help = "ftruncate(2) to a size in pages" },
	{ .name = "memfd_seal",
	  .args = { H("memfd", OPK_MEMFD), FLAGS("seals", seal_flags, SEAL_DEF) },
	  .exec = x_memfd_seal,
	  .help = "fcntl(F_ADD_SEALS)" },
	{ .name = "memfd_write",
	  .args = { H("memfd", OPK_MEMFD), NUM("offset", 255, 0), XFER_PAGES(),
		    NUM("pattern", 255, 0) },
	  .exec = x_memfd_write,
	  .help = "pwrite(2) of a byte pattern at a page offset: 0, or the short count" },
	{ .name = "memfd_check",
	  .args = { H("memfd", OPK_MEMFD), NUM("offset", 255, 0), XFER_PAGES(),
		    NUM("pattern", 255, 0) },
	  .exec = x_memfd_check,
	  .help = "pread(2) compared with a pattern: 0, or -EILSEQ when the bytes differ" },
	/* DMA by a device */
	{ .name = "dma_write",
	  .args = { DEV(), PASID(), IOVA("iova"), XFER_PAGES(),
		    NUM("pattern", 255, 0) },
	  .exec = x_dma_write,
	  .help = "device DMA write of a pattern (-EFAULT: fault, -EIO: bus master off)" },
	{ .name = "dma_check",
	  .args = { DEV(), PASID(), IOVA("iova"), XFER_PAGES(),
		    NUM("pattern", 255, 0) },
	  .exec = x_dma_check,
	  .help = "device DMA read compared with a pattern: 0, or -EILSEQ when the bytes differ" },
	/* the kernel API the iommufd selftests reach through IOMMU_TEST_OP_* */
	{ .name = "test_attach",
	  .args = { ICTX, H("idev", OPK_IDEV), H("pt", OPK_PT), PASID() },
	  .exec = x_test_attach,
	  .help = "iommufd_device_attach() at a PASID" },
	{ .name = "test_replace",
	  .args = { ICTX, H("idev", OPK_IDEV), H("pt", OPK_PT), PASID() },
	  .exec = x_test_replace,
	  .help = "iommufd_device_replace() at a PASID" },
	{ .name = "test_detach",
	  .args = { ICTX, H("idev", OPK_IDEV), PASID() },
	  .exec = x_test_detach,
	  .help = "iommufd_device_detach() at a PASID" },
	/* fault injection */
	{ .name = "fail_nth",
	  .args = { ENUM("class", fault_classes), NUM("n", 255, 1) },
	  .exec = x_fail_nth,
	  .help = "fail the n-th fault point of a class from now on, once (n=0 disarms)" },
	/* live update */
	{ .name = "luo_open", .product = OPK_LUO,
	  .exec = x_luo_open,
	  .help = "open /dev/liveupdate" },
	{ .name = "session_create", .product = OPK_SESSION,
	  .args = { H("luo", OPK_LUO), NAME() },
	  .exec = x_session_create,
	  .help = "LIVEUPDATE_IOCTL_CREATE_SESSION" },
	{ .name = "session_retrieve", .product = OPK_SESSION,
	  .args = { H("luo", OPK_LUO), NAME() },
	  .exec = x_session_retrieve,
	  .help = "LIVEUPDATE_IOCTL_RETRIEVE_SESSION (of the previous kernel)" },
	{ .name = "preserve",
	  .args = { H("session", OPK_SESSION), H("fd", OPK_ANY_FD),
		    TOKEN(0) },
	  .exec = x_preserve,
	  .help = "LIVEUPDATE_SESSION_PRESERVE_FD under a token" },
	{ .name = "retrieve", .product = OPK_FILE,
	  .args = { H("session", OPK_SESSION), TOKEN(0) },
	  .exec = x_retrieve,
	  .help = "LIVEUPDATE_SESSION_RETRIEVE_FD: the file preserved under the token" },
	{ .name = "session_finish",
	  .args = { H("session", OPK_SESSION) },
	  .exec = x_session_finish,
	  .help = "LIVEUPDATE_SESSION_FINISH" },
	{ .name = "hwpt_mark",
	  .args = { ICTX, H("hwpt", OPK_HWPT), TOKEN(1) },
	  .exec = x_hwpt_mark,
	  .help = "IOMMU_HWPT_LU_SET_PRESERVE: mark a HWPT for live update with a token" },
	{ .name = "kexec",
	  .exec = x_kexec,
	  .help = "reboot into a new kernel: freeze, KHO, the machine keeps running" },
	/* appended: opcodes above keep their numbers */
	{ .name = "dmar_remove",
	  .args = { UNIT() },
	  .exec = x_dmar_remove,
	  .help = "DRHD hot-remove of remapping unit (-EBUSY while functions sit behind it)" },
	{ .name = "dmar_add",
	  .args = { UNIT() },
	  .exec = x_dmar_add,
	  .help = "DRHD hot-add of remapping unit back (-EEXIST if present)" },
	/* macro ops (general VMM actions; the trace holds their expansion) */
	{ .name = "vfio_setup", .product = OPK_VFIO,
	  .args = { DEV() },
	  .expand = m_vfio_setup,
	  .makes = KIND(OPK_IOMMUFD) | KIND(OPK_VFIO) | KIND(OPK_IDEV),
	  .help = "macro: vfio_pci_bind, vfio_open and vfio_bind to the newest iommufd (iommufd_open first when none is open)" },
	{ .name = "memfd_sealed", .product = OPK_MEMFD,
	  .args = { NUM("pages", 16, 4) },
	  .expand = m_memfd_sealed, .makes = KIND(OPK_MEMFD),
	  .help = "macro: memfd_create flags=sealing, memfd_truncate, memfd_seal seals=seal,shrink,grow" },
	{ .name = "vm_setup", .product = OPK_IOMMUFD,
	  .args = { NUM("pages", 16, 4), IOVA("iova") },
	  .expand = m_vm_setup,
	  .makes = KIND(OPK_IOMMUFD) | KIND(OPK_IOAS) | KIND(OPK_MEMFD),
	  .help = "macro: iommufd_open, ioas_alloc, memfd_sealed and ioas_map_file of it (guest memory)" },
	{ .name = "hwpt_attach", .product = OPK_HWPT,
	  .args = { H("vfio", OPK_VFIO), FLAGS("flags", hwpt_flags, 0), PASID() },
	  .expand = m_hwpt_attach, .makes = KIND(OPK_IOAS) | KIND(OPK_HWPT),
	  .help = "macro: hwpt_alloc for the device on its iommufd's newest IOAS (ioas_alloc first when it has none), vfio_attach to it" },
	{ .name = "lu_session", .product = OPK_SESSION,
	  .args = { NAME() },
	  .expand = m_lu_session, .makes = KIND(OPK_LUO) | KIND(OPK_SESSION),
	  .help = "macro: luo_open (unless one is open), session_create" },
	{ .name = "lu_preserve_all", .product = OPK_SESSION,
	  .args = { FLAGS("what", lu_what, LU_ALL), TOKEN(1) },
	  .expand = m_lu_preserve_all, .makes = KIND(OPK_LUO) | KIND(OPK_SESSION),
	  .help = "macro: in the newest session (lu_session vm0 if none): hwpt_mark every HWPT, preserve every memfd, iommufd, VFIO fd, tokens counting up" },
};

const unsigned int opl_nr_ops = sizeof(opl_ops) / sizeof(opl_ops[0]);
unsigned int opl_fold_nr = sizeof(opl_ops) / sizeof(opl_ops[0]);

void opl_set_macros(bool on)
{
	unsigned int n = opl_nr_ops;

	/* the macros are appended after every ordinary op */
	while (!on && n > 0 && opl_ops[n - 1].expand)
		n--;
	opl_fold_nr = n;
}

bool opl_macros_on(void)
{
	return opl_fold_nr == opl_nr_ops;
}

unsigned int opl_record_size(uint8_t opcode)
{
	return 1 + opl_op_nr_args(&opl_ops[opl_fold(opcode)]);
}

unsigned int opl_op_makes(unsigned int op)
{
	const struct opl_op *d = &opl_ops[op % opl_nr_ops];

	if (d->expand)
		return d->makes;
	return d->product ? KIND(d->product) : 0;
}

int opl_op_find(const char *name, size_t len)
{
	for (unsigned int i = 0; i < opl_nr_ops; i++)
		if (strlen(opl_ops[i].name) == len &&
		    !memcmp(opl_ops[i].name, name, len))
			return (int)i;
	return -1;
}
