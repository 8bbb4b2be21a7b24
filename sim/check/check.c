// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle framework: the registry of checks, the runner the op layer
 * calls around every op, kexec stage and teardown, the touched-object sets
 * of incremental checks, the op context every finding's detail carries, and
 * the small host-memory containers the other sim/check files share.
 *
 * Nothing here allocates from the slab (or touches an xarray or a refcount):
 * the oracles must not change, or be journaled as changing, the state they
 * judge.
 */
#include <linux/errno.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <lusim/kexec.h>
#include <lusim/reset.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

/*
 * The kexec code (kernel-shim/kernel/kexec.c) is in a library sim/check does
 * not depend on: a weak reference finds it when the binary has it (and then
 * kexec can happen), and is NULL otherwise.
 */
#pragma weak lusim_kexec_add_hook

/* ---- host-memory containers -------------------------------------------- */

static void host_oom(void)
{
	fprintf(stderr, "lusim: sim/check: out of host memory\n");
	abort();
}

void *ck_grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap;

	if (n < c)
		return p;
	if (!c)
		c = 16;
	while (c <= n)
		c *= 2;
	p = realloc(p, c * size);
	if (!p)
		host_oom();
	*cap = c;
	return p;
}

static uint64_t ck_hash(uint32_t kind, uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + kind) * 0xc2b2ae3d27d4eb4fULL;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x;
}

static struct ck_slot *map_find(const struct ck_map *m, uint32_t kind,
				uint64_t a, uint64_t b, bool *found)
{
	uint32_t mask = m->size - 1, i = (uint32_t)ck_hash(kind, a, b) & mask;

	for (;;) {
		struct ck_slot *s = &m->slots[i];

		if (!s->val) {
			*found = false;
			return s;
		}
		if (s->kind == kind && s->a == a && s->b == b) {
			*found = true;
			return s;
		}
		i = (i + 1) & mask;
	}
}

uint32_t *ck_map_get(struct ck_map *m, uint32_t kind, uint64_t a, uint64_t b)
{
	struct ck_slot *s;
	bool found;

	if (!m->count)
		return NULL;
	s = map_find(m, kind, a, b, &found);
	return found ? &s->val : NULL;
}

static void map_grow(struct ck_map *m)
{
	struct ck_slot *old = m->slots;
	uint32_t old_size = m->size, n = 0;

	m->size = old_size ? old_size * 2 : 256;
	m->slots = calloc(m->size, sizeof(*m->slots));
	free(m->used);
	m->used = malloc(m->size / 2 * sizeof(*m->used));
	if (!m->slots || !m->used)
		host_oom();
	for (uint32_t i = 0; i < old_size; i++) {
		struct ck_slot *s;
		bool found;

		if (!old[i].val)
			continue;
		s = map_find(m, old[i].kind, old[i].a, old[i].b, &found);
		*s = old[i];
		m->used[n++] = (uint32_t)(s - m->slots);
	}
	free(old);
}

void ck_map_put(struct ck_map *m, uint32_t kind, uint64_t a, uint64_t b,
		uint32_t val)
{
	struct ck_slot *s;
	bool found;

	if ((m->count + 1) * 2 > m->size)
		map_grow(m);
	s = map_find(m, kind, a, b, &found);
	if (!found)
		m->used[m->count++] = (uint32_t)(s - m->slots);
	s->kind = kind;
	s->a = a;
	s->b = b;
	s->val = val + 1;
}

void ck_map_clear(struct ck_map *m)
{
	for (uint32_t i = 0; i < m->count; i++)
		m->slots[m->used[i]].val = 0;
	m->count = 0;
}

void ck_map_release(struct ck_map *m)
{
	free(m->slots);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

void ck_buf_vprintf(struct ck_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (b->truncated)
		return;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if (b->limit && b->len + (size_t)n >= b->limit) {
		b->truncated = true;
		return;
	}
	b->s = ck_grow(b->s, &b->cap, b->len + (size_t)n + 1, 1);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void ck_buf_printf(struct ck_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ck_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void ck_buf_free(struct ck_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

const char *lusim_check_errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
		{ ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
		{ EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" }, { ENOTTY, "ENOTTY" },
		{ ERANGE, "ERANGE" }, { EOVERFLOW, "EOVERFLOW" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { EADDRINUSE, "EADDRINUSE" },
		{ ENOTSUPP, "ENOTSUPP" }, { ENOIOCTLCMD, "ENOIOCTLCMD" },
		{ ESRCH, "ESRCH" }, { EINTR, "EINTR" }, { EACCES, "EACCES" },
		{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EMFILE, "EMFILE" },
		{ ENOSYS, "ENOSYS" }, { ENOTEMPTY, "ENOTEMPTY" },
		{ EDEADLK, "EDEADLK" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENODATA, "ENODATA" }, { EPROTO, "EPROTO" },
		{ EBADMSG, "EBADMSG" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ECANCELED, "ECANCELED" }, { EALREADY, "EALREADY" },
		{ EINPROGRESS, "EINPROGRESS" }, { EPROBE_DEFER, "EPROBE_DEFER" },
	};

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return NULL;
}

/* ---- the registry ------------------------------------------------------- */

static struct lusim_check *checks;	/* sorted by id */
static unsigned int nr_checks;
static bool all_disabled;

void lusim_check_register(struct lusim_check *check)
{
	struct lusim_check **pp = &checks;

	while (*pp && strcmp((*pp)->id, check->id) < 0)
		pp = &(*pp)->next;
	if (*pp && !strcmp((*pp)->id, check->id)) {
		fprintf(stderr, "lusim: check %s registered twice\n", check->id);
		abort();
	}
	check->next = *pp;
	*pp = check;
	nr_checks++;
}

struct lusim_check *lusim_check_find(const char *id)
{
	for (struct lusim_check *c = checks; c; c = c->next)
		if (!strcmp(c->id, id))
			return c;
	return NULL;
}

unsigned int lusim_check_count(void)
{
	return nr_checks;
}

struct lusim_check *lusim_check_at(unsigned int i)
{
	struct lusim_check *c = checks;

	while (c && i--)
		c = c->next;
	return c;
}

int lusim_check_set_enabled(const char *id, bool on)
{
	struct lusim_check *c = lusim_check_find(id);

	if (!c)
		return -ENOENT;
	c->disabled = !on;
	return 0;
}

bool lusim_check_enabled(const char *id)
{
	struct lusim_check *c = lusim_check_find(id);

	return c && !c->disabled && !all_disabled;
}

void lusim_check_set_all_enabled(bool on)
{
	all_disabled = !on;
}

bool lusim_check_all_enabled(void)
{
	return !all_disabled;
}

/* ---- op context and the trace hook --------------------------------------- */

static struct {
	const char *op;		/* outermost op running, or NULL */
	unsigned int depth;
	unsigned long seq;
	const char *stage;	/* kexec stage or "teardown" while its checks run */
	unsigned int boot_at_begin;
	unsigned long slab_mark;	/* for SLAB-LEAK at teardown */
	bool slab_mark_set;
	struct lusim_check_stats st;
} ctx;

static bool initialized;
static lusim_trace_fn chained_trace;

static size_t check_trace(char *buf, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (ctx.stage && ctx.op)
		n = snprintf(buf, len, "  during %s, in op #%lu %s\n", ctx.stage,
			     ctx.seq, ctx.op);
	else if (ctx.stage)
		n = snprintf(buf, len, "  during %s\n", ctx.stage);
	else if (ctx.op)
		n = snprintf(buf, len, "  during op #%lu %s\n", ctx.seq, ctx.op);
	if (n > 0)
		used = (size_t)n < len ? (size_t)n : len - 1;
	if (chained_trace && used + 1 < len)
		used += chained_trace(buf + used, len - used);
	return used;
}

void lusim_check_set_trace(lusim_trace_fn fn)
{
	chained_trace = fn;
	lusim_check_init();
}

const char *lusim_check_current_op(void)
{
	return ctx.op;
}

unsigned long lusim_check_op_seq(void)
{
	return ctx.seq;
}

unsigned long ck_slab_mark_at_run_start(void)
{
	return ctx.slab_mark_set ? ctx.slab_mark : lusim_slab_mark();
}

void lusim_check_get_stats(struct lusim_check_stats *st)
{
	*st = ctx.st;
}

/* ---- touched objects ---------------------------------------------------- */

static struct ck_map touched_map;
static struct {
	const void **ptrs;
	size_t nr, cap;
} touched[LUSIM_TOUCH_NR_KINDS];
static unsigned int touched_kinds;	/* bit mask of kinds touched */

void lusim_check_touch(unsigned int kind, const void *ptr)
{
	if (!ctx.op || kind >= LUSIM_TOUCH_NR_KINDS || all_disabled)
		return;
	if (ck_map_get(&touched_map, kind, (uintptr_t)ptr, 0))
		return;
	ck_map_put(&touched_map, kind, (uintptr_t)ptr, 0, 0);
	touched[kind].ptrs = ck_grow(touched[kind].ptrs, &touched[kind].cap,
				     touched[kind].nr, sizeof(void *));
	touched[kind].ptrs[touched[kind].nr++] = ptr;
	touched_kinds |= LUSIM_TOUCH_BIT(kind);
}

unsigned int lusim_check_touched_count(unsigned int kind)
{
	return kind < LUSIM_TOUCH_NR_KINDS ? (unsigned int)touched[kind].nr : 0;
}

void lusim_check_for_each_touched(unsigned int kind,
				  void (*fn)(const void *ptr, void *arg),
				  void *arg)
{
	if (kind >= LUSIM_TOUCH_NR_KINDS)
		return;
	for (size_t i = 0; i < touched[kind].nr; i++)
		fn(touched[kind].ptrs[i], arg);
}

static void touched_clear(void)
{
	unsigned long n = 0;

	for (unsigned int k = 0; k < LUSIM_TOUCH_NR_KINDS; k++) {
		n += touched[k].nr;
		touched[k].nr = 0;
	}
	ctx.st.touched = n;
	ck_map_clear(&touched_map);
	touched_kinds = 0;
}

/* ---- running checks ----------------------------------------------------- */

static unsigned long pass_seq, cur_pass;

unsigned long lusim_check_current_pass(void)
{
	return cur_pass;
}

static void run_checks(unsigned int when, bool full, const char *op, int ret)
{
	unsigned long prev_pass = cur_pass;
	struct lusim_check_ctx c = {
		.when = when, .full = full, .op = op, .op_seq = ctx.seq,
		.ret = ret,
	};

	/* a pass run from inside one (a check's own lock taken) is part of it */
	c.pass = prev_pass ? prev_pass : ++pass_seq;

	cur_pass = c.pass;

	for (struct lusim_check *k = checks; k; k = k->next) {
		if (k->disabled || !(k->when & when) || !k->run)
			continue;
		if (when == LUSIM_CHECK_OP_TOUCHED && !full &&
		    !(k->touch_kinds & touched_kinds))
			continue;
		k->runs++;
		ctx.st.check_runs++;
		k->run(&c);
	}
	cur_pass = prev_pass;
}

/* rcu_barrier() where it is allowed: no reader open, no atomic context. */
static void drain_rcu(void)
{
	if (!rcu_read_lock_held() && !in_atomic())
		rcu_barrier();
}

static int kexec_hook(enum lusim_kexec_stage stage)
{
	lusim_check_kexec((int)stage);
	return 0;
}

void lusim_check_init(void)
{
	if (initialized)
		return;
	initialized = true;
	lusim_findings_set_trace(check_trace);
	ck_memory_install();
	if (lusim_kexec_add_hook) {
		for (int s = 0; s < LUSIM_KEXEC_NR_STAGES; s++)
			lusim_kexec_add_hook((enum lusim_kexec_stage)s, kexec_hook);
	}
}

static bool atomic_check_on(void)
{
	static struct lusim_check *atomic;

	if (!atomic)
		atomic = lusim_check_find("ATOMIC-ERROR-PATH");
	return atomic && !atomic->disabled;
}

static void op_begin(const char *op, bool journal)
{
	lusim_check_init();
	if (ctx.depth++)
		return;
	ctx.op = op;
	ctx.seq++;
	ctx.boot_at_begin = lusim_boot_count();
	if (!ctx.slab_mark_set) {
		ctx.slab_mark = lusim_slab_mark();
		ctx.slab_mark_set = true;
	}
	touched_clear();
	if (journal && !all_disabled && atomic_check_on())
		ck_journal_begin();
}

void lusim_check_op_begin(const char *op)
{
	op_begin(op, true);
}

/*
 * The process exit frees every object and table of the run, each an entry
 * of the journal (and each older page the kernel touches a 4 KiB
 * snapshot): 3% of the instructions of a 64-op input spent on a record
 * nothing reads, its result being 0 by construction.
 */
void lusim_check_op_begin_nofail(const char *op)
{
	op_begin(op, false);
}

unsigned int lusim_check_op_end(int ret)
{
	unsigned int before = lusim_findings_count();
	const char *op = ctx.op;

	if (!ctx.depth || --ctx.depth)
		return 0;
	ctx.st.ops++;
	if (ret < 0)
		ctx.st.failed_ops++;
	if (!all_disabled)
		run_checks(LUSIM_CHECK_OP_END, false, op, ret);
	drain_rcu();
	ctx.st.journal_entries = ck_journal_nr_entries();
	ctx.st.journal_bytes = ck_journal_nr_bytes();
	if (ctx.st.journal_entries > ctx.st.journal_max)
		ctx.st.journal_max = ctx.st.journal_entries;
	if (!all_disabled) {
		if (touched_kinds)
			run_checks(LUSIM_CHECK_OP_TOUCHED, false, op, ret);
		/*
		 * An op that rebooted (kexec) cannot be judged by the old
		 * kernel's journal: it was abandoned at the reset.
		 */
		if (ret < 0 && lusim_boot_count() == ctx.boot_at_begin)
			run_checks(LUSIM_CHECK_OP_FAILED, false, op, ret);
	}
	if (ck_journal_active())
		ck_journal_end(op, ret, false);
	touched_clear();
	ctx.op = NULL;
	return lusim_findings_count() - before;
}

static const char *stage_name(int stage)
{
	switch (stage) {
	case LUSIM_KEXEC_BEFORE_FREEZE:
		return "kexec (before freeze)";
	case LUSIM_KEXEC_AFTER_FREEZE:
		return "kexec (after freeze)";
	case LUSIM_KEXEC_AFTER_BOOT:
		return "kexec (after boot)";
	default:
		return "kexec";
	}
}

void lusim_check_kexec(int stage)
{
	static const unsigned int when[LUSIM_KEXEC_NR_STAGES] = {
		[LUSIM_KEXEC_BEFORE_FREEZE] = LUSIM_CHECK_BEFORE_FREEZE,
		[LUSIM_KEXEC_AFTER_FREEZE] = LUSIM_CHECK_AFTER_FREEZE,
		[LUSIM_KEXEC_AFTER_BOOT] = LUSIM_CHECK_AFTER_BOOT,
	};
	const char *saved = ctx.stage;

	if (stage < 0 || stage >= LUSIM_KEXEC_NR_STAGES)
		return;
	if (stage == LUSIM_KEXEC_AFTER_FREEZE)
		ck_journal_abandon();	/* the old kernel is about to vanish */
	if (stage == LUSIM_KEXEC_AFTER_BOOT) {
		/* the old kernel's objects are gone; the new one's boot is not a leak */
		ctx.slab_mark = lusim_slab_mark();
		ctx.slab_mark_set = true;
	}
	if (all_disabled)
		return;
	ctx.stage = stage_name(stage);
	run_checks(when[stage], true, ctx.stage, 0);
	run_checks(LUSIM_CHECK_OP_TOUCHED, true, ctx.stage, 0);
	ctx.stage = saved;
}

unsigned int lusim_check_teardown(void)
{
	unsigned int before = lusim_findings_count();

	lusim_check_init();
	drain_rcu();
	if (!all_disabled) {
		ctx.stage = "teardown";
		run_checks(LUSIM_CHECK_TEARDOWN, true, "teardown", 0);
		run_checks(LUSIM_CHECK_OP_TOUCHED, true, "teardown", 0);
		ctx.stage = NULL;
	}
	return lusim_findings_count() - before;
}

/* ---- reset ---------------------------------------------------------------- */

/*
 * First of all resets (and at every kexec): stop journaling, so nothing the
 * resets free is recorded against an op.
 */
static void check_reset_journal(void)
{
	ck_journal_abandon();
}
LUSIM_RESET_FN(check_reset_journal, 0)

/* Kernel state (a kexec forgets it too): registered xarrays. */
static void check_reset_kernel(void)
{
	ck_snapshot_forget_kernel();
}
LUSIM_RESET_FN(check_reset_kernel, LUSIM_RESET_PRIO_MODEL)

/*
 * Power-on only (above LUSIM_RESET_PRIO_MACHINE, so a kexec inside an op
 * keeps the op open): op context, sequence, marks, counters. Switches and
 * registrations are configuration and stay.
 */
static void check_reset_run(void)
{
	touched_clear();
	memset(&ctx, 0, sizeof(ctx));
	for (struct lusim_check *k = checks; k; k = k->next)
		k->runs = 0;
}
LUSIM_RESET_FN(check_reset_run, LUSIM_RESET_PRIO_MACHINE + 10)
