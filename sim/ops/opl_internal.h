/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The op language's insides, shared by optable.c (the ops), opvm.c (the VM
 * that decodes and runs them), opbin.c (binary inputs, mutation,
 * dictionaries) and opscen.c (text scenarios). Not for users of the
 * language: <ops/oplang.h> is the interface.
 */
#ifndef _LUSIM_OPL_INTERNAL_H
#define _LUSIM_OPL_INTERNAL_H

#include "oplang.h"

struct opl_pasid_use {
	int16_t obj;		/* the vfio or idev object */
	uint32_t pasid;
};

#define OPL_MAX_PASID_USES	256

struct opl_vm {
	struct opl_obj objs[OPL_MAX_OBJS];
	unsigned int nr_objs;
	uint16_t kind_seq[OPK_NR_KINDS];	/* objects made per kind */
	struct opl_call calls[OPL_MAX_CALLS];
	unsigned int nr_calls;
	int running;			/* call being executed, or -1 */
	uint64_t hash;
	/*
	 * What each (session name, token) was preserved as: the kind + 1 of
	 * the file, 0 when nothing was. Survives kexec (the VMM's own
	 * records), so a retrieve after the reboot knows what it gets.
	 */
	uint8_t preserved[OPL_NR_NAMES][256];
	struct opl_pasid_use pasids[OPL_MAX_PASID_USES];
	unsigned int nr_pasids;
	unsigned int boot;		/* lusim_boot_count() after the last op */
	unsigned long slab_mark, page_mark;
	uint8_t product_kind;		/* set by exec: what the op made */
	bool started;
	struct opl_race *race;		/* concurrent blocks (opsched.c), or NULL */
	int last_product;		/* opl_vm_last_product() */
	uint8_t macro;			/* the macro running + 1, or 0 */
	uint32_t macro_line;		/* its scenario line */
};

/* Hooks the ops call (opvm.c). */
void opl_vm_closed_fd(struct opl_vm *vm, uint32_t fd);
void opl_vm_destroyed_id(struct opl_vm *vm, uint32_t ictx_fd, uint32_t id);
int opl_vm_find_live_fd(const struct opl_vm *vm, uint32_t fd);
void opl_vm_note_pasid(struct opl_vm *vm, int obj, uint32_t pasid);

/*
 * Macros (optable.c): run one op of the expansion with these argument
 * bytes (opl_record_size() - 1 of them), recorded as an ordinary call.
 * Returns its result; *product (may be NULL) gets the object it made or -1.
 */
int opl_vm_sub(struct opl_vm *vm, unsigned int op, const uint8_t *args,
	       int *product);
/* The newest live object of @kind (whose parent is @parent, unless -1). */
int opl_vm_newest(const struct opl_vm *vm, unsigned int kind, int parent);
/* The handle byte naming @obj for @expect; raw -1 / 0 when it cannot. */
uint8_t opl_vm_hbyte(const struct opl_vm *vm, int obj, unsigned int expect);

/* Decoding of one scalar byte, and its text form (opvm.c). */
uint8_t opl_canon_byte(const struct opl_arg *a, uint8_t b);
uint64_t opl_arg_value(const struct opl_arg *a, uint8_t b);
void opl_print_value(const struct opl_arg *a, uint8_t b, struct opl_str *out);

/*
 * The round trip of opl_roundtrip() (opscen.c) with the binary's runner and
 * encoder given: the sequential VM's, or the race VM's (opsched.c).
 */
typedef unsigned int (*opl_run_fn)(struct opl_vm *vm, const uint8_t *data,
				   size_t size);
typedef size_t (*opl_encode_fn)(const struct opl_vm *vm, uint8_t *buf,
				size_t len);
int opl_roundtrip_with(struct opl_vm *vm, const uint8_t *data, size_t size,
		       opl_run_fn run, opl_encode_fn encode,
		       struct opl_str *why);

#endif /* _LUSIM_OPL_INTERNAL_H */
