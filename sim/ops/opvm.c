// SPDX-License-Identifier: GPL-2.0-only
/*
 * The op language's VM: the simulated VMM process. It decodes one op record
 * at a time (argument bytes to values, handle bytes to objects), runs it
 * through the op table, remembers what it made, and keeps the trace that
 * prints back as a scenario. oplang.h describes the encoding.
 *
 * Everything here is host memory owned by the VM; nothing is slab or kernel
 * state, so lusim_reset_all() and kexec do not touch it. A run starts with
 * opl_vm_start() (power-on) and ends with opl_vm_end() (process exit,
 * teardown oracles, leak checks).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/liveupdate.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <lusim/bugs.h>
#include <lusim/fault.h>
#include <lusim/findings.h>
#include <lusim/hotplug.h>
#include <lusim/reset.h>
#include <lusim/vfio.h>
#include <check/check.h>

#include "ops.h"
#include "opl_internal.h"
#include "oprace.h"

/*
 * The oracles are optional: a binary that links sim/check (the fuzzers,
 * the CLI) gets every op bracketed; one that does not (unit tests of other
 * layers) runs the ops bare.
 */
#pragma weak lusim_check_op_begin
#pragma weak lusim_check_op_begin_nofail
#pragma weak lusim_check_op_end
#pragma weak lusim_check_teardown
#pragma weak lusim_check_set_trace

/* ---------------------------------------------------------------------
 * Host strings
 * --------------------------------------------------------------------- */

static void host_oom(void)
{
	fputs("lusim: out of host memory\n", stderr);
	abort();
}

void opl_str_printf(struct opl_str *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt,
			      ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap ? b->cap * 2 : 256) + (size_t)n;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			host_oom();
		if (!b->len)
			b->s[0] = '\0';
	}
}

void opl_str_free(struct opl_str *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* ---------------------------------------------------------------------
 * Argument bytes
 * --------------------------------------------------------------------- */

static unsigned int nr_syms(const struct opl_sym *s)
{
	unsigned int n = 0;

	while (s && s[n].name)
		n++;
	return n;
}

uint8_t opl_canon_byte(const struct opl_arg *a, uint8_t b)
{
	switch (a->type) {
	case OPA_NUM:
		return (uint8_t)(b % ((unsigned int)a->max + 1));
	case OPA_FLAGS:
		return (uint8_t)(b & ((1u << nr_syms(a->syms)) - 1));
	case OPA_ENUM:
		return (uint8_t)(b % nr_syms(a->syms));
	case OPA_BOOL:
		return b & 1;
	case OPA_NAME:
		return b % OPL_NR_NAMES;
	default:	/* OPA_PAGES, OPA_IOVA, OPA_PASID: every byte is its own */
		return b;
	}
}

uint64_t opl_arg_value(const struct opl_arg *a, uint8_t b)
{
	uint64_t v = 0;

	b = opl_canon_byte(a, b);
	switch (a->type) {
	case OPA_PAGES:
		return b == 255 ? UINT64_MAX : (uint64_t)b * OPL_PAGE_SIZE;
	case OPA_IOVA:
		return (uint64_t)b * OPL_PAGE_SIZE;
	case OPA_PASID:
		return b < 240 ? b : opl_pasid_values[b - 240];
	case OPA_FLAGS:
		for (unsigned int i = 0; a->syms[i].name; i++)
			if (b & (1u << i))
				v |= a->syms[i].value;
		return v;
	case OPA_ENUM:
		return a->syms[b].value;
	default:
		return b;
	}
}

void opl_print_value(const struct opl_arg *a, uint8_t b, struct opl_str *out)
{
	bool first = true;

	b = opl_canon_byte(a, b);
	switch (a->type) {
	case OPA_PAGES:
		if (b == 255)
			opl_str_printf(out, "all");
		else
			opl_str_printf(out, "%u", b);
		break;
	case OPA_IOVA:
		opl_str_printf(out, "%#llx",
			       (unsigned long long)b * OPL_PAGE_SIZE);
		break;
	case OPA_PASID:
		opl_str_printf(out, "%llu",
			       (unsigned long long)opl_arg_value(a, b));
		break;
	case OPA_FLAGS:
		for (unsigned int i = 0; a->syms[i].name; i++) {
			if (!(b & (1u << i)))
				continue;
			opl_str_printf(out, "%s%s", first ? "" : ",",
				       a->syms[i].name);
			first = false;
		}
		if (first)
			opl_str_printf(out, "none");
		break;
	case OPA_ENUM:
		opl_str_printf(out, "%s", a->syms[b].name);
		break;
	case OPA_BOOL:
		opl_str_printf(out, "%s", b ? "on" : "off");
		break;
	case OPA_NAME:
		opl_str_printf(out, "vm%u", b);
		break;
	default:
		opl_str_printf(out, "%u", b);
		break;
	}
}

/* ---------------------------------------------------------------------
 * Objects and handles
 * --------------------------------------------------------------------- */

struct opl_vm *opl_vm_new(void)
{
	struct opl_vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		host_oom();
	vm->running = -1;
	vm->last_product = -1;
	return vm;
}

void opl_vm_free(struct opl_vm *vm)
{
	if (vm)
		free(vm->race);
	free(vm);
}

static bool in_set(const struct opl_obj *o, enum opl_sel sel,
		   unsigned int expect)
{
	switch (sel) {
	case OPL_SEL_LIVE:
		return o->state == OPL_OBJ_LIVE && opl_kind_matches(o->kind, expect);
	case OPL_SEL_OTHER:
		return o->state == OPL_OBJ_LIVE && !opl_kind_matches(o->kind, expect);
	case OPL_SEL_DEAD:
		return o->state == OPL_OBJ_DEAD;
	default:
		return false;
	}
}

/*
 * Objects of a selector's set in its order (creation order; destroyed ones
 * newest first). Returns the count; *@nth gets the object at @idx (or -1).
 */
static unsigned int set_scan(const struct opl_vm *vm, enum opl_sel sel,
			     unsigned int expect, int find_obj,
			     unsigned int idx, int *nth, int *rank)
{
	unsigned int n = 0;

	if (nth)
		*nth = -1;
	if (rank)
		*rank = -1;
	for (unsigned int k = 0; k < vm->nr_objs; k++) {
		unsigned int i = sel == OPL_SEL_DEAD ? vm->nr_objs - 1 - k : k;

		if (!in_set(&vm->objs[i], sel, expect))
			continue;
		if (nth && n == idx)
			*nth = (int)i;
		if (rank && (int)i == find_obj)
			*rank = (int)n;
		n++;
	}
	return n;
}

static const unsigned int sel_limit[] = {
	[OPL_SEL_LIVE] = 0xc0, [OPL_SEL_OTHER] = 32, [OPL_SEL_DEAD] = 16,
};
static const uint8_t sel_base[] = {
	[OPL_SEL_LIVE] = 0x00, [OPL_SEL_OTHER] = 0xc0, [OPL_SEL_DEAD] = 0xe0,
	[OPL_SEL_RAW] = 0xf0,
};

static void decode_handle(const struct opl_vm *vm, const struct opl_arg *a,
			  uint8_t b, struct opl_call *c, unsigned int i)
{
	enum opl_sel sel = b < 0xc0 ? OPL_SEL_LIVE :
			   b < 0xe0 ? OPL_SEL_OTHER :
			   b < 0xf0 ? OPL_SEL_DEAD : OPL_SEL_RAW;

	if (sel != OPL_SEL_RAW) {
		unsigned int idx = sel == OPL_SEL_LIVE ? b : b & (sel_limit[sel] - 1);
		unsigned int n = set_scan(vm, sel, a->kind, -1, 0, NULL, NULL);
		int obj;

		if (n) {
			idx %= n;
			set_scan(vm, sel, a->kind, -1, idx, &obj, NULL);
			c->sel[i] = (uint8_t)sel;
			c->obj[i] = (int16_t)obj;
			c->bytes[i] = (uint8_t)(sel_base[sel] + idx);
			c->val[i] = vm->objs[obj].value;
			return;
		}
	}
	/* a raw value, or the fallback of an empty set */
	c->sel[i] = OPL_SEL_RAW;
	c->obj[i] = -1;
	c->bytes[i] = (uint8_t)(0xf0 | (b & 15));
	c->val[i] = opl_raw_values[b & 15];
}

int opl_vm_handle_byte(const struct opl_vm *vm, int obj, unsigned int expect)
{
	const struct opl_obj *o;
	enum opl_sel sel;
	int rank;

	if (obj < 0 || (unsigned int)obj >= vm->nr_objs)
		return -1;
	o = &vm->objs[obj];
	/* never made: an invalid fd (-1) or id (0), as the argument takes */
	if (o->state == OPL_OBJ_NEVER)
		return expect == OPK_ANY_FD || opl_kind_is_fd(expect) ? 0xff : 0xf0;
	sel = o->state == OPL_OBJ_DEAD ? OPL_SEL_DEAD :
	      opl_kind_matches(o->kind, expect) ? OPL_SEL_LIVE : OPL_SEL_OTHER;
	set_scan(vm, sel, expect, obj, 0, NULL, &rank);
	if (rank < 0 || (unsigned int)rank >= sel_limit[sel])
		return -1;
	return sel_base[sel] + rank;
}

static int new_obj(struct opl_vm *vm, unsigned int kind, uint32_t value,
		   unsigned int state)
{
	struct opl_obj *o;

	if (vm->nr_objs >= OPL_MAX_OBJS)
		return -1;
	o = &vm->objs[vm->nr_objs];
	memset(o, 0, sizeof(*o));
	o->kind = (uint8_t)kind;
	o->state = (uint8_t)state;
	o->value = value;
	o->parent = -1;
	o->vfio = -1;
	o->born = vm->nr_calls ? vm->nr_calls - 1 : 0;
	if (state != OPL_OBJ_NEVER)
		o->seq = vm->kind_seq[kind]++;
	return (int)vm->nr_objs++;
}

int opl_vm_add_never(struct opl_vm *vm, unsigned int kind)
{
	return new_obj(vm, kind, opl_kind_is_fd(kind) ? 0xffffffff : 0,
		       OPL_OBJ_NEVER);
}

int opl_vm_find_live_fd(const struct opl_vm *vm, uint32_t fd)
{
	for (unsigned int i = 0; i < vm->nr_objs; i++) {
		const struct opl_obj *o = &vm->objs[i];

		if (o->state == OPL_OBJ_LIVE && opl_kind_is_fd(o->kind) &&
		    o->value == fd)
			return (int)i;
	}
	return -1;
}

void opl_vm_closed_fd(struct opl_vm *vm, uint32_t fd)
{
	int f = opl_vm_find_live_fd(vm, fd);

	if (f < 0)
		return;
	vm->objs[f].state = OPL_OBJ_DEAD;
	/*
	 * What only this fd reached dies with it: the iommufd's object ids
	 * (no other fd can name them), the iommufd device of a VFIO device
	 * file (closing it unbinds).
	 */
	for (unsigned int i = 0; i < vm->nr_objs; i++) {
		struct opl_obj *o = &vm->objs[i];

		if (o->state != OPL_OBJ_LIVE)
			continue;
		if (o->parent == f || o->vfio == f)
			o->state = OPL_OBJ_DEAD;
	}
}

void opl_vm_destroyed_id(struct opl_vm *vm, uint32_t ictx_fd, uint32_t id)
{
	int ictx = opl_vm_find_live_fd(vm, ictx_fd);

	if (ictx < 0)
		return;
	for (unsigned int i = 0; i < vm->nr_objs; i++) {
		struct opl_obj *o = &vm->objs[i];

		if (o->state == OPL_OBJ_LIVE && !opl_kind_is_fd(o->kind) &&
		    o->parent == ictx && o->value == id) {
			o->state = OPL_OBJ_DEAD;
			return;
		}
	}
}

void opl_vm_note_pasid(struct opl_vm *vm, int obj, uint32_t pasid)
{
	if (obj < 0)
		return;
	for (unsigned int i = 0; i < vm->nr_pasids; i++)
		if (vm->pasids[i].obj == obj && vm->pasids[i].pasid == pasid)
			return;
	if (vm->nr_pasids < OPL_MAX_PASID_USES)
		vm->pasids[vm->nr_pasids++] = (struct opl_pasid_use){
			.obj = (int16_t)obj, .pasid = pasid,
		};
}

unsigned int opl_vm_pasids(const struct opl_vm *vm, int obj, uint32_t *out,
			   unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < vm->nr_pasids && n < max; i++)
		if (vm->pasids[i].obj == obj)
			out[n++] = vm->pasids[i].pasid;
	return n;
}

/* ---------------------------------------------------------------------
 * Running
 * --------------------------------------------------------------------- */

static void take_marks(struct opl_vm *vm)
{
	vm->slab_mark = lusim_slab_mark();
	vm->page_mark = lusim_page_mark();
	vm->boot = lusim_boot_count();
}

int opl_vm_start(struct opl_vm *vm, const struct ops_machine_cfg *cfg)
{
	int ret;

	vm->nr_objs = 0;
	vm->nr_calls = 0;
	vm->nr_pasids = 0;
	vm->running = -1;
	vm->last_product = -1;
	vm->macro = 0;
	vm->hash = 0xcbf29ce484222325ULL;	/* FNV-1a offset basis */
	memset(vm->kind_seq, 0, sizeof(vm->kind_seq));
	memset(vm->preserved, 0, sizeof(vm->preserved));
	if (vm->race)
		opl_race_start(vm);	/* concurrent blocks (opsched.c) */
	ret = ops_machine_power_on(cfg ? cfg : ops_machine_default());
	take_marks(vm);
	vm->started = !ret;
	return ret;
}

static void hash_bytes(struct opl_vm *vm, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++) {
		vm->hash ^= b[i];
		vm->hash *= 0x100000001b3ULL;		/* FNV-1a prime */
	}
}

static unsigned long total_steps;

unsigned long opl_total_steps(void)
{
	return total_steps;
}

int opl_vm_step(struct opl_vm *vm, uint8_t opcode, const uint8_t *args)
{
	return opl_vm_step_line(vm, opcode, args, 0);
}

static void decode_args(const struct opl_vm *vm, const struct opl_op *d,
			const uint8_t *args, struct opl_call *c)
{
	unsigned int n = opl_op_nr_args(d);

	for (unsigned int i = 0; i < n; i++) {
		const struct opl_arg *a = &d->args[i];

		c->obj[i] = -1;
		if (a->type == OPA_HANDLE) {
			decode_handle(vm, a, args[i], c, i);
		} else {
			c->bytes[i] = opl_canon_byte(a, args[i]);
			c->val[i] = opl_arg_value(a, args[i]);
		}
	}
}

/*
 * A macro op: decode its arguments (not recorded: the trace holds what it
 * expands to, each op an ordinary call marked with the macro it came from).
 */
static int step_macro(struct opl_vm *vm, unsigned int op, const uint8_t *args,
		      uint32_t line)
{
	const struct opl_op *d = &opl_ops[op];
	struct opl_call mc;
	int product = -1, ret;

	memset(&mc, 0, sizeof(mc));
	mc.op = (uint8_t)op;
	mc.product = -1;
	mc.name = -1;
	mc.line = line;
	decode_args(vm, d, args, &mc);
	vm->macro = (uint8_t)(op + 1);
	vm->macro_line = line;
	ret = d->expand(vm, &mc, &product);
	vm->macro = 0;
	vm->last_product = product;
	return ret;
}

int opl_vm_sub(struct opl_vm *vm, unsigned int op, const uint8_t *args,
	       int *product)
{
	unsigned int before = vm->nr_calls;
	uint8_t macro = vm->macro;
	int ret;

	/* an expansion holds ordinary ops only */
	if (op >= opl_nr_ops || !opl_ops[op].exec) {
		if (product)
			*product = -1;
		return -EINVAL;
	}
	vm->macro = 0;
	ret = opl_vm_step_line(vm, (uint8_t)op, args, vm->macro_line);
	vm->macro = macro;
	if (vm->nr_calls > before)
		vm->calls[before].macro = macro;
	if (product)
		*product = vm->last_product;
	return ret;
}

int opl_vm_newest(const struct opl_vm *vm, unsigned int kind, int parent)
{
	for (unsigned int i = vm->nr_objs; i > 0; i--) {
		const struct opl_obj *o = &vm->objs[i - 1];

		if (o->state == OPL_OBJ_LIVE && o->kind == kind &&
		    (parent < 0 || o->parent == parent))
			return (int)(i - 1);
	}
	return -1;
}

uint8_t opl_vm_hbyte(const struct opl_vm *vm, int obj, unsigned int expect)
{
	int b = opl_vm_handle_byte(vm, obj, expect);

	if (b >= 0)
		return (uint8_t)b;
	/* nothing to name: an invalid fd (-1) or id (0), as the kernel sees */
	return expect == OPK_ANY_FD || opl_kind_is_fd(expect) ? 0xff : 0xf0;
}

int opl_vm_last_product(const struct opl_vm *vm)
{
	return vm->last_product;
}

int opl_vm_step_line(struct opl_vm *vm, uint8_t opcode, const uint8_t *args,
		     uint32_t line)
{
	unsigned int op = opl_fold(opcode), n, i;
	const struct opl_op *d = &opl_ops[op];
	struct opl_call *c;
	uint32_t out = 0;
	int32_t ret32;
	int ret;

	vm->last_product = -1;
	if (vm->nr_calls >= OPL_MAX_CALLS)
		return -E2BIG;
	if (d->expand)
		return step_macro(vm, op, args, line);
	n = opl_op_nr_args(d);
	total_steps++;
	c = &vm->calls[vm->nr_calls++];
	memset(c, 0, sizeof(*c));
	c->op = (uint8_t)op;
	c->product = -1;
	c->name = -1;
	c->line = line;
	decode_args(vm, d, args, c);

	vm->product_kind = d->product;
	vm->running = (int)(c - vm->calls);
	/* an op of a concurrent block is checked by opsched.c */
	if ((!vm->race || !opl_race_op_begin(vm, d->name)) &&
	    lusim_check_op_begin)
		lusim_check_op_begin(d->name);
	ret = d->exec(vm, c, &out);
	if ((!vm->race || !opl_race_op_end(vm, d->name, ret)) &&
	    lusim_check_op_end)
		lusim_check_op_end(ret);
	vm->running = -1;
	c->ret = ret;

	if (lusim_boot_count() != vm->boot) {
		/* a reboot: the process and every fd and id it had are gone */
		for (i = 0; i < vm->nr_objs; i++)
			if (vm->objs[i].state == OPL_OBJ_LIVE)
				vm->objs[i].state = OPL_OBJ_DEAD;
		take_marks(vm);
	}
	if (ret >= 0 && d->product != OPK_NONE) {
		int o = new_obj(vm, vm->product_kind, out, OPL_OBJ_LIVE);

		c->product = (int16_t)o;
		if (o >= 0 && !opl_kind_is_fd(vm->product_kind)) {
			vm->objs[o].parent = (int16_t)opl_vm_find_live_fd(vm,
						(uint32_t)c->val[d->ictx_arg]);
			if (vm->product_kind == OPK_IDEV)
				vm->objs[o].vfio = (int16_t)opl_vm_find_live_fd(vm,
						(uint32_t)c->val[0]);
		}
		if (o >= 0 && vm->product_kind == OPK_SESSION)
			vm->objs[o].aux = c->bytes[1];	/* the session name */
		vm->last_product = o;
	}

	hash_bytes(vm, &c->op, 1);
	hash_bytes(vm, c->bytes, n);
	ret32 = ret;
	hash_bytes(vm, &ret32, sizeof(ret32));
	return ret;
}

unsigned int opl_vm_run_binary(struct opl_vm *vm, const uint8_t *data,
			       size_t size)
{
	unsigned int ran = 0;
	size_t pos = 0;

	while (pos < size && vm->nr_calls < OPL_MAX_CALLS) {
		unsigned int len = opl_record_size(data[pos]);

		if (pos + len > size)
			break;		/* a trailing partial record */
		opl_vm_step(vm, data[pos], data + pos + 1);
		pos += len;
		ran++;
	}
	return ran;
}

unsigned int opl_vm_end(struct opl_vm *vm)
{
	unsigned int before = lusim_findings_count();

	if (!vm->started)
		return 0;
	vm->started = false;
	/*
	 * Fault triggers an input armed and its ops never reached belong to
	 * the input, not to the harness's teardown: disarm them, so a
	 * failure is only ever injected into an op of the input.
	 */
	for (int cls = 0; cls < LUSIM_FAULT_NR_CLASSES; cls++)
		lusim_fault_disarm((enum lusim_fault_class)cls);
	/*
	 * The process exits (its fds close), the administrator unbinds
	 * vfio-pci, every function is removed (which releases what the
	 * kernel keeps per device on purpose); as one op, so the oracles see
	 * it like any other.
	 */
	if (lusim_check_op_begin_nofail)
		lusim_check_op_begin_nofail("process_exit");
	lusim_close_all_fds();
	/*
	 * Power off: LUO's incoming state phase 1 never finished is the
	 * kernel's until the next reboot, not a leak (docs/luo-kho.md). It
	 * goes before the removals: a retrieved file it holds keeps its
	 * device busy.
	 */
	lusim_liveupdate_power_off();
	ops_machine_unplug_all();
	if (lusim_check_op_end)
		lusim_check_op_end(0);
	rcu_barrier();

	/* the teardown oracles, then whatever was allocated and is left */
	if (lusim_check_teardown)
		lusim_check_teardown();
	else
		lusim_slab_check_leaks_since(vm->slab_mark);
	lusim_page_check_leaks_since(vm->page_mark);
	return lusim_findings_count() - before;
}

unsigned int opl_vm_nr_calls(const struct opl_vm *vm)
{
	return vm->nr_calls;
}

const struct opl_call *opl_vm_call(const struct opl_vm *vm, unsigned int i)
{
	return i < vm->nr_calls ? &vm->calls[i] : NULL;
}

unsigned int opl_vm_nr_objs(const struct opl_vm *vm)
{
	return vm->nr_objs;
}

const struct opl_obj *opl_vm_obj(const struct opl_vm *vm, unsigned int i)
{
	return i < vm->nr_objs ? &vm->objs[i] : NULL;
}

uint64_t opl_vm_hash(const struct opl_vm *vm)
{
	return vm->hash;
}

void opl_vm_set_name(struct opl_vm *vm, unsigned int call, int name)
{
	if (call < vm->nr_calls)
		vm->calls[call].name = (int16_t)name;
}

size_t opl_vm_encode(const struct opl_vm *vm, uint8_t *buf, size_t len)
{
	size_t need = 0;

	for (unsigned int i = 0; i < vm->nr_calls; i++) {
		const struct opl_call *c = &vm->calls[i];
		unsigned int n = opl_op_nr_args(&opl_ops[c->op]);

		if (need + 1 + n <= len) {
			buf[need] = c->op;
			memcpy(buf + need + 1, c->bytes, n);
		}
		need += 1 + n;
	}
	return need;
}

/* ---------------------------------------------------------------------
 * Printing
 * --------------------------------------------------------------------- */

void opl_obj_name(const struct opl_vm *vm, int obj, char *buf, size_t len)
{
	const struct opl_obj *o;

	if (obj < 0 || (unsigned int)obj >= vm->nr_objs) {
		snprintf(buf, len, "raw:?");
		return;
	}
	o = &vm->objs[obj];
	snprintf(buf, len, "%s%u", opl_kind_name(o->kind), o->seq);
}

static void print_raw(uint32_t v, struct opl_str *out)
{
	if (v == 0xffffffff)
		opl_str_printf(out, "raw:-1");
	else
		opl_str_printf(out, "raw:%u", v);
}

static void print_result(int ret, struct opl_str *out)
{
	const char *name;

	if (ret >= 0) {
		opl_str_printf(out, "ok");
		return;
	}
	name = opl_errno_name(ret);
	if (name)
		opl_str_printf(out, "-%s", name);
	else
		opl_str_printf(out, "%d", ret);
}

void opl_print_call(const struct opl_vm *vm, const struct opl_call *c,
		    unsigned int flags, struct opl_str *out)
{
	const struct opl_op *d = &opl_ops[c->op];
	unsigned int n = opl_op_nr_args(d);
	char name[32];

	if (vm->race)
		opl_race_print_prefix(vm, c, out);	/* "@1 " */
	if (c->product >= 0) {
		opl_obj_name(vm, c->product, name, sizeof(name));
		opl_str_printf(out, "%s = ", name);
	}
	opl_str_printf(out, "%s", d->name);
	for (unsigned int i = 0; i < n; i++) {
		const struct opl_arg *a = &d->args[i];

		if (a->type == OPA_HANDLE) {
			if (c->obj[i] >= 0) {
				opl_obj_name(vm, c->obj[i], name, sizeof(name));
				opl_str_printf(out, " %s", name);
			} else {
				opl_str_printf(out, " ");
				print_raw((uint32_t)c->val[i], out);
			}
			continue;
		}
		if (!a->show && c->bytes[i] == opl_canon_byte(a, a->def))
			continue;
		opl_str_printf(out, " %s=", a->name);
		opl_print_value(a, c->bytes[i], out);
	}
	if ((flags & OPL_PRINT_EXPECT) && vm->running != (int)(c - vm->calls)) {
		opl_str_printf(out, " expect ");
		print_result(c->ret, out);
	}
	if ((flags & OPL_PRINT_LINES) && c->line)
		opl_str_printf(out, "  # line %u", c->line);
	if ((flags & OPL_PRINT_MACROS) && c->macro)
		opl_str_printf(out, "%s from %s",
			       (flags & OPL_PRINT_LINES) && c->line ? "," : "  #",
			       opl_ops[c->macro - 1].name);
}

void opl_print_trace(const struct opl_vm *vm, unsigned int flags,
		     struct opl_str *out)
{
	char bugs[256];

	lusim_bugs_format(bugs, sizeof(bugs));
	opl_str_printf(out, "# lusim op trace: %u op%s (replay: lusim run FILE)\n",
		       vm->nr_calls, vm->nr_calls == 1 ? "" : "s");
	if (bugs[0])
		opl_str_printf(out, "bugs %s\n", bugs);
	if (vm->race)
		opl_race_print_header(vm, out);		/* "actors N" */
	for (unsigned int i = 0; i < vm->nr_calls; i++) {
		if (vm->race)
			opl_race_print_before(vm, i, out);	/* "schedule ..." */
		opl_print_call(vm, &vm->calls[i], flags, out);
		if (vm->running == (int)i)
			opl_str_printf(out, "  # <- the finding fired in this op");
		opl_str_printf(out, "\n");
	}
}

/* ---------------------------------------------------------------------
 * The findings trace hook
 * --------------------------------------------------------------------- */

static struct opl_vm *trace_vm;

static size_t trace_hook(char *buf, size_t len)
{
	struct opl_str s = { 0 };
	size_t used = 0, skip = 0;
	int n;

	if (!trace_vm || !len)
		return 0;
	opl_print_trace(trace_vm, OPL_PRINT_EXPECT | OPL_PRINT_LINES |
			OPL_PRINT_MACROS, &s);
	/*
	 * As much as fits in the finding's detail, the newest ops last; the
	 * whole scenario of a fuzzer's input is `lusim decode INPUT`.
	 */
	if (s.len + 1 > len) {
		size_t room = len > 96 ? len - 96 : 0;

		skip = s.len - room;
		while (skip < s.len && s.s[skip - 1] != '\n')
			skip++;
		n = snprintf(buf, len, "  (op trace: the first lines left out; all of it: lusim decode INPUT)\n");
		used = n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
	}
	if (used < len) {
		snprintf(buf + used, len - used, "%s", s.s + skip);
		used += strlen(buf + used);
	}
	opl_str_free(&s);
	return used;
}

void opl_install_trace(struct opl_vm *vm)
{
	trace_vm = vm;
	if (lusim_check_set_trace)
		lusim_check_set_trace(vm ? trace_hook : NULL);
	else
		lusim_findings_set_trace(vm ? trace_hook : NULL);
}
