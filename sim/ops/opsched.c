// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrent blocks of the op language: ops of several actors interleaved
 * at lock boundaries by schedule bytes (oprace.h, docs/concurrency.md).
 *
 * The VM stays one simulated VMM process with one fd table; its actors are
 * its threads. What the VM keeps per running op (the call being run, the
 * kind the op makes) is saved and restored per actor at every switch.
 *
 * Oracles. The check framework has one op context (journal, touched set),
 * so a block runs as checked *segments*: one segment from the block's
 * start; at every quiescent point (a switch, or an actor's op end, with no
 * actor holding a lock, in atomic context or in an RCU read-side section)
 * the segment ends (its op-end and incremental checks run) and the next
 * begins. Each actor's own op end checks that actor's held locks
 * (LOCK-HELD-AT-OP-END) at once. ATOMIC-ERROR-PATH does not judge ops of a
 * block: their effects overlap, a failed op's journal holds the other
 * actors' changes too (docs/concurrency.md, "Left out").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <lusim/actor.h>
#include <lusim/findings.h>
#include <check/check.h>

#include "opl_internal.h"
#include "oprace.h"

#pragma weak lusim_check_op_begin
#pragma weak lusim_check_op_end

struct race_item {
	uint8_t actor;
	uint8_t op;
	uint8_t bytes[OPL_MAX_ARGS];
	uint32_t line;
	unsigned int tag;
};

struct race_block {
	unsigned int first_call;
	unsigned int sched_off, sched_len;
};

struct opl_race {
	unsigned int nr_actors;		/* as enabled (next start) */
	unsigned int actors;		/* of this run */
	/* the open block */
	struct race_item items[OPL_MAX_CALLS];
	unsigned int nr_items;
	unsigned int block_sched_off;	/* its schedule: sched[off..nr_sched) */
	bool open;
	/* the run's record */
	uint8_t sched[OPL_RACE_MAX_SCHED];
	unsigned int nr_sched;
	struct race_block blocks[OPL_RACE_MAX_BLOCKS];
	unsigned int nr_blocks;
	uint8_t call_actor[OPL_MAX_CALLS];	/* 0 sequential, else actor + 1 */
	uint64_t hash;
	/* per actor, while a block runs */
	int running[LUSIM_MAX_ACTORS + 1];	/* [nr]: the scheduler's */
	uint8_t product_kind[LUSIM_MAX_ACTORS + 1];
	bool checks_due;
	bool topo_held[LUSIM_MAX_ACTORS];	/* device_topology_lock, below */
	/* scenario callbacks */
	opl_race_prepare_fn prepare;
	opl_race_done_fn done;
	void *cb_arg;
	struct opl_vm *vm;
};

static void oom(void)
{
	fputs("lusim: out of host memory\n", stderr);
	abort();
}

void opl_vm_race_enable(struct opl_vm *vm, unsigned int nr_actors)
{
	if (!nr_actors) {
		if (vm->race)
			vm->race->nr_actors = 0;
		return;
	}
	if (!vm->race) {
		vm->race = calloc(1, sizeof(*vm->race));
		if (!vm->race)
			oom();
		vm->race->vm = vm;
	}
	if (nr_actors < 2)
		nr_actors = 2;
	if (nr_actors > LUSIM_MAX_ACTORS)
		nr_actors = LUSIM_MAX_ACTORS;
	vm->race->nr_actors = nr_actors;
}

unsigned int opl_vm_race_actors(const struct opl_vm *vm)
{
	return vm->race ? vm->race->actors : 0;
}

static struct opl_race *race_of(const struct opl_vm *vm)
{
	return vm->race && vm->race->actors ? vm->race : NULL;
}

void opl_race_start(struct opl_vm *vm)
{
	struct opl_race *r = vm->race;

	r->actors = r->nr_actors;
	r->nr_items = 0;
	r->open = false;
	r->nr_sched = 0;
	r->block_sched_off = 0;
	r->nr_blocks = 0;
	memset(r->call_actor, 0, sizeof(r->call_actor));
	r->hash = 0;
	r->checks_due = false;
}

void opl_race_set_callbacks(struct opl_vm *vm, opl_race_prepare_fn prepare,
			    opl_race_done_fn done, void *arg)
{
	if (!vm->race)
		return;
	vm->race->prepare = prepare;
	vm->race->done = done;
	vm->race->cb_arg = arg;
}

void opl_race_schedule(struct opl_vm *vm, uint8_t b)
{
	struct opl_race *r = race_of(vm);

	if (!r || r->nr_sched >= OPL_RACE_MAX_SCHED)
		return;
	if (!r->open) {
		r->open = true;
		r->block_sched_off = r->nr_sched;
	}
	r->sched[r->nr_sched++] = b;
}

bool opl_race_pending(const struct opl_vm *vm)
{
	const struct opl_race *r = race_of(vm);

	return r && r->open;
}

static bool reboots(uint8_t opcode)
{
	return !strcmp(opl_ops[opl_fold(opcode)].name, "kexec");
}

int opl_race_queue(struct opl_vm *vm, unsigned int actor, uint8_t opcode,
		   const uint8_t *args, uint32_t line, unsigned int tag)
{
	struct opl_race *r = race_of(vm);
	struct race_item *it;
	unsigned int n = opl_op_nr_args(&opl_ops[opl_fold(opcode)]);

	if (!r)
		return -EINVAL;
	if (vm->nr_calls + r->nr_items >= OPL_MAX_CALLS)
		return -E2BIG;
	if (!r->open) {
		r->open = true;
		r->block_sched_off = r->nr_sched;
	}
	it = &r->items[r->nr_items++];
	memset(it, 0, sizeof(*it));
	it->actor = (uint8_t)(actor % r->actors);
	it->op = (uint8_t)opl_fold(opcode);
	memcpy(it->bytes, args, n);
	it->line = line;
	it->tag = tag;
	return 0;
}

/* --- running a block --------------------------------------------------------- */

static void mix(struct opl_race *r, uint64_t v)
{
	r->hash ^= v;
	r->hash *= 0x100000001b3ULL;
}

static unsigned int slot(const struct opl_race *r, int actor)
{
	return actor < 0 ? r->actors : (unsigned int)actor;
}

static void on_switch(int prev, int next, void *arg)
{
	struct opl_race *r = arg;
	struct opl_vm *vm = r->vm;

	r->running[slot(r, prev)] = vm->running;
	r->product_kind[slot(r, prev)] = vm->product_kind;
	vm->running = r->running[slot(r, next)];
	vm->product_kind = r->product_kind[slot(r, next)];
}

/* End the checked segment and begin the next (with switching held). */
static void cycle_segment(void)
{
	if (!lusim_check_op_end)
		return;
	lusim_sched_hold();
	lusim_check_op_end(0);
	lusim_check_op_begin("concurrent");
	lusim_sched_unhold();
}

static void on_quiescent(void *arg)
{
	struct opl_race *r = arg;

	r->checks_due = false;
	cycle_segment();
}

/*
 * lusim: the kernel serializes sysfs bind/unbind and the removal of a PCI
 * function (device_lock(), pci_lock_rescan_remove()) and pins a device
 * while an fd or a DMA uses it. The model's driver core has neither (one
 * VMM thread never needed them), so two actors' unbinds of one function
 * both passed its "bound" check (a WARN on the group's owner count) and a
 * bind used a function another actor had just removed (a use after free).
 * Until the model has the kernel's locks, an actor's op that names a PCI
 * function (an argument "dev") holds this lock for the whole op: ops on
 * functions are serialized against each other, everything else still
 * interleaves (docs/concurrency.md, Findings).
 */
static DEFINE_MUTEX(device_topology_lock);

static bool names_function(uint8_t op)
{
	const struct opl_op *d = &opl_ops[op];

	for (unsigned int i = 0; i < opl_op_nr_args(d); i++)
		if (d->args[i].type != OPA_HANDLE && !strcmp(d->args[i].name, "dev"))
			return true;
	return false;
}

bool opl_race_op_begin(struct opl_vm *vm, const char *name)
{
	struct opl_race *r = race_of(vm);
	int a = lusim_sched_actor();

	(void)name;
	if (!r)
		return false;
	/* every call is tagged: sequential ones 0 (the array outlives runs) */
	if (vm->running >= 0)
		r->call_actor[vm->running] = (uint8_t)(a + 1);
	if (a < 0)
		return false;
	r->topo_held[a] = vm->running >= 0 &&
			  names_function(vm->calls[vm->running].op);
	if (r->topo_held[a])
		mutex_lock(&device_topology_lock);
	return true;
}

bool opl_race_op_end(struct opl_vm *vm, const char *name, int ret)
{
	struct opl_race *r = race_of(vm);
	int a = lusim_sched_actor();

	if (!r || a < 0)
		return false;
	if (r->topo_held[a]) {
		r->topo_held[a] = false;
		mutex_unlock(&device_topology_lock);
	}
	mix(r, (uint64_t)(a + 1));
	mix(r, (uint32_t)ret);
	/* this actor's op is over: nothing of it may stay held */
	lusim_lockdep_assert_none_held(name, "sim/ops: op end");
	if (lusim_sched_quiescent())
		cycle_segment();
	else
		r->checks_due = true;
	return true;
}

static void actor_fn(unsigned int actor, void *arg)
{
	struct opl_race *r = arg;
	struct opl_vm *vm = r->vm;

	for (unsigned int i = 0; i < r->nr_items; i++) {
		struct race_item *it = &r->items[i];
		unsigned int call;

		if (it->actor != actor)
			continue;
		if (r->prepare && r->prepare(vm, r->cb_arg, it->tag, it->bytes) < 0)
			continue;
		call = vm->nr_calls;
		/* the call index is taken at the op's start (no switch before) */
		opl_vm_step_line(vm, it->op, it->bytes, it->line);
		if (call < vm->nr_calls && r->done)
			r->done(vm, r->cb_arg, it->tag, call);
	}
}

/* LUSIM_SWITCHES=1: print each block's switches to stderr (debugging). */
static int show_switches = -1;

unsigned int opl_race_flush(struct opl_vm *vm)
{
	struct opl_race *r = race_of(vm);
	struct lusim_sched_hooks hooks;
	struct race_block *b;
	unsigned int before = vm->nr_calls;

	if (!r || !r->open)
		return 0;
	r->open = false;
	if (!r->nr_items)
		return 0;	/* a schedule with no ops: nothing to run */
	if (r->nr_blocks >= OPL_RACE_MAX_BLOCKS) {
		r->nr_items = 0;
		return 0;
	}
	b = &r->blocks[r->nr_blocks++];
	b->first_call = vm->nr_calls;
	b->sched_off = r->block_sched_off;
	b->sched_len = r->nr_sched - r->block_sched_off;
	mix(r, 0xb10c);
	for (unsigned int i = 0; i < b->sched_len; i++)
		mix(r, r->sched[b->sched_off + i]);

	memset(&hooks, 0, sizeof(hooks));
	hooks.switched = on_switch;
	hooks.quiescent = on_quiescent;
	hooks.arg = r;
	for (unsigned int i = 0; i <= LUSIM_MAX_ACTORS; i++) {
		r->running[i] = -1;
		r->product_kind[i] = 0;
	}
	r->checks_due = false;
	if (show_switches < 0)
		show_switches = getenv("LUSIM_SWITCHES") != NULL;
	if (show_switches)
		lusim_sched_log_enable(true);
	lusim_sched_log_reset();	/* the hash below covers this block only */
	if (lusim_check_op_begin)
		lusim_check_op_begin("concurrent");
	lusim_sched_run(r->actors, actor_fn, r, r->sched + b->sched_off,
			b->sched_len, &hooks);
	vm->running = -1;
	if (lusim_check_op_end)
		lusim_check_op_end(0);
	r->nr_items = 0;
	if (show_switches)
		fprintf(stderr, "# block %u (%u schedule bytes):\n%s", r->nr_blocks - 1,
			b->sched_len, lusim_sched_log_text());
	mix(r, lusim_sched_log_hash());
	/* the VM's own hash covers the interleaving too */
	vm->hash ^= r->hash;
	vm->hash *= 0x100000001b3ULL;
	return vm->nr_calls - before;
}

int opl_race_call_actor(const struct opl_vm *vm, unsigned int i)
{
	const struct opl_race *r = race_of(vm);

	if (!r || i >= vm->nr_calls || !r->call_actor[i])
		return -1;
	return r->call_actor[i] - 1;
}

uint64_t opl_race_hash(const struct opl_vm *vm)
{
	const struct opl_race *r = race_of(vm);

	return r ? r->hash : 0;
}

/* --- binary -------------------------------------------------------------------- */

static unsigned int step_seq(struct opl_vm *vm, const uint8_t *rec)
{
	opl_race_flush(vm);
	opl_vm_step(vm, rec[0], rec + 1);
	return 1;
}

unsigned int opl_race_run_binary(struct opl_vm *vm, const uint8_t *data,
				 size_t size)
{
	unsigned int before = vm->nr_calls, queued = 0;
	size_t pos = 1;

	if (!size)
		return 0;
	opl_vm_race_enable(vm, 2 + data[0] % (LUSIM_MAX_ACTORS - 1));
	if (!vm->nr_calls)
		vm->race->actors = vm->race->nr_actors;	/* the header's */
	if (!vm->race->actors)
		return 0;
	while (pos < size && vm->nr_calls + queued < OPL_MAX_CALLS) {
		uint8_t t = data[pos];
		unsigned int len;

		if (t >= 0xf0) {
			if (pos + 2 > size)
				break;
			opl_race_schedule(vm, data[pos + 1]);
			pos += 2;
		} else if (t >= 0xc0) {
			if (pos + 2 > size)
				break;
			len = opl_record_size(data[pos + 1]);
			if (pos + 1 + len > size)
				break;
			if (reboots(data[pos + 1])) {
				step_seq(vm, data + pos + 1);
			} else {
				opl_race_queue(vm, t - 0xc0u, data[pos + 1],
					       data + pos + 2, 0, 0);
				queued++;
			}
			pos += 1 + len;
		} else {
			len = opl_record_size(t);
			if (pos + len > size)
				break;
			step_seq(vm, data + pos);
			queued = 0;
			pos += len;
		}
	}
	opl_race_flush(vm);
	return vm->nr_calls - before;
}

size_t opl_race_encode(const struct opl_vm *vm, uint8_t *buf, size_t len)
{
	const struct opl_race *r = race_of(vm);
	unsigned int blk = 0;
	size_t need = 0;

#define PUT(v) do { if (need < len) buf[need] = (uint8_t)(v); need++; } while (0)
	PUT(r ? r->actors - 2 : 0);
	for (unsigned int i = 0; i < vm->nr_calls; i++) {
		const struct opl_call *c = &vm->calls[i];
		unsigned int n = opl_op_nr_args(&opl_ops[c->op]);
		int a = opl_race_call_actor(vm, i);

		while (r && blk < r->nr_blocks && r->blocks[blk].first_call <= i) {
			const struct race_block *b = &r->blocks[blk++];

			for (unsigned int k = 0; k < b->sched_len; k++) {
				PUT(0xf0);
				PUT(r->sched[b->sched_off + k]);
			}
		}
		if (a >= 0)
			PUT(0xc0 + a);
		PUT(c->op);
		for (unsigned int k = 0; k < n; k++)
			PUT(c->bytes[k]);
	}
#undef PUT
	return need;
}

/* --- printing ------------------------------------------------------------------ */

void opl_race_print_header(const struct opl_vm *vm, struct opl_str *out)
{
	const struct opl_race *r = race_of(vm);

	if (r)
		opl_str_printf(out, "actors %u\n", r->actors);
}

static void print_sched(const struct opl_race *r, const struct race_block *b,
			struct opl_str *out)
{
	opl_str_printf(out, "schedule");
	for (unsigned int k = 0; k < b->sched_len; k++) {
		uint8_t v = r->sched[b->sched_off + k];

		if (v & 0x80)
			opl_str_printf(out, " +%u", (v & 0x7f) + 1);
		else
			opl_str_printf(out, " %u", v);
	}
	opl_str_printf(out, "\n");
}

void opl_race_print_before(const struct opl_vm *vm, unsigned int call,
			   struct opl_str *out)
{
	const struct opl_race *r = race_of(vm);

	if (!r)
		return;
	for (unsigned int k = 0; k < r->nr_blocks; k++)
		if (r->blocks[k].first_call == call && r->blocks[k].sched_len)
			print_sched(r, &r->blocks[k], out);
}

void opl_race_print_prefix(const struct opl_vm *vm, const struct opl_call *c,
			   struct opl_str *out)
{
	int a = opl_race_call_actor(vm, (unsigned int)(c - vm->calls));

	if (a >= 0)
		opl_str_printf(out, "@%d ", a);
}

/* --- round trip ------------------------------------------------------------------ */

int opl_race_roundtrip(struct opl_vm *vm, const uint8_t *data, size_t size,
		       struct opl_str *why)
{
	if (!size)
		return 0;
	opl_vm_race_enable(vm, 2 + data[0] % (LUSIM_MAX_ACTORS - 1));
	return opl_roundtrip_with(vm, data, size, opl_race_run_binary,
				  opl_race_encode, why);
}
