/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sim/check: the oracles. The simulator judges itself after every op, at
 * every kexec boundary and at teardown (ARCHITECTURE.md, Contract 3); every
 * check has a stable id and reports through the one findings sink
 * (<lusim/findings.h>). docs/oracles.md lists every id with what it checks,
 * why, and an example finding.
 *
 * Who calls what:
 *
 *  - The op layer brackets every userspace or machine action:
 *
 *	lusim_check_op_begin("iommufd_device_attach");
 *	ret = ...;
 *	lusim_check_op_end(ret);
 *
 *    op_end drains RCU callbacks (rcu_barrier(), the op-end drain point of
 *    AMENDMENTS), then runs the checks due after every op, the incremental
 *    ones over what the op touched, and, when ret < 0, the atomicity check
 *    (the op's undo journal must net to zero: ATOMIC-ERROR-PATH).
 *  - Kexec stages run the checks registered for them, with full walks
 *    (lusim_check_kexec(); wired to lusim_kexec_add_hook() automatically
 *    when the kexec code is linked in).
 *  - The harness calls lusim_check_teardown() at the end of an input, once
 *    userspace is gone (fds closed, RCU drained): full walks and the leak
 *    check.
 *  - Model code and hooks mark what an op changed with lusim_check_touch(),
 *    so incremental checks walk only that.
 *  - Tests and the fail-nth sweep compare structural snapshots
 *    (lusim_check_snapshot_*), built from registered state dumpers.
 *
 * Everything here is single-threaded and deterministic: no addresses in any
 * finding or snapshot, no time. Checks may be switched off one by one or all
 * together, for the benchmark only (bench_check): no oracle is sampled or
 * disabled to reach a speed goal.
 */
#ifndef _LUSIM_CHECK_H
#define _LUSIM_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lusim/findings.h>

struct xarray;

/* ---------------------------------------------------------------------
 * The registry
 * --------------------------------------------------------------------- */

/* When a check runs: a mask of these. */
enum lusim_check_when {
	LUSIM_CHECK_OP_END		= 1u << 0,	/* after every op */
	/*
	 * After an op that touched an object of one of ->touch_kinds (only
	 * those objects: ctx->full false), and as a full walk (ctx->full
	 * true) at every kexec stage and at teardown.
	 */
	LUSIM_CHECK_OP_TOUCHED		= 1u << 1,
	LUSIM_CHECK_OP_FAILED		= 1u << 2,	/* after an op that returned < 0 */
	LUSIM_CHECK_BEFORE_FREEZE	= 1u << 3,	/* kexec: before LUO freezes */
	LUSIM_CHECK_AFTER_FREEZE	= 1u << 4,	/* kexec: frozen, memory not yet dropped */
	LUSIM_CHECK_AFTER_BOOT		= 1u << 5,	/* kexec: the new kernel booted */
	LUSIM_CHECK_TEARDOWN		= 1u << 6,	/* end of an input */
	/*
	 * Raised where the event happens (a sim/hw event, a shim primitive);
	 * the runner never calls ->run. Listed so the id has a switch and an
	 * entry in lusim_check_list().
	 */
	LUSIM_CHECK_EVENT		= 1u << 7,
};

#define LUSIM_CHECK_KEXEC	(LUSIM_CHECK_BEFORE_FREEZE | \
				 LUSIM_CHECK_AFTER_FREEZE | \
				 LUSIM_CHECK_AFTER_BOOT)

/* What lusim_check_touch() marks. Kinds are bits in ->touch_kinds. */
enum lusim_touch_kind {
	LUSIM_TOUCH_OBJECT,	/* an iommufd object */
	LUSIM_TOUCH_DOMAIN,	/* struct iommu_domain */
	LUSIM_TOUCH_DEVICE,	/* struct device */
	LUSIM_TOUCH_GROUP,	/* iommu_group / iommufd_group */
	LUSIM_TOUCH_SESSION,	/* liveupdate session */
	LUSIM_TOUCH_FILE,	/* struct file */
	LUSIM_TOUCH_UNIT,	/* IOMMU unit */
	LUSIM_TOUCH_PAGE,	/* a physical page (ptr is the phys address) */
	LUSIM_TOUCH_XARRAY,
	LUSIM_TOUCH_TEST,	/* tests of the framework */
	LUSIM_TOUCH_NR_KINDS
};
#define LUSIM_TOUCH_BIT(kind)	(1u << (kind))

/* What a running check is told. */
struct lusim_check_ctx {
	unsigned int when;	/* the one LUSIM_CHECK_* bit being run */
	bool full;		/* walk everything, not only what was touched */
	const char *op;		/* op name, or the kexec stage / "teardown" */
	unsigned long op_seq;	/* ops begun since power-on (1 = first) */
	int ret;		/* the op's return value (op-end runs) */
	/*
	 * This checking pass (one run of the registered checks, numbered from
	 * 1 per process). The model does not change during a pass, so what a
	 * check reads from it may be read once per pass and shared
	 * (lusim_check_lu_read() does).
	 */
	unsigned long pass;
};

/* The pass being run, 0 outside one (a nested run belongs to the outer). */
unsigned long lusim_check_current_pass(void);

struct lusim_check {
	const char *id;		/* stable finding id, e.g. "MEM-DMA-FREED" */
	const char *area;	/* "locks", "rcu", "memory", "lifetime", ... */
	const char *desc;	/* one line: what it checks */
	unsigned int when;	/* enum lusim_check_when mask */
	unsigned int touch_kinds; /* LUSIM_TOUCH_BIT() mask, for OP_TOUCHED */
	void (*run)(const struct lusim_check_ctx *ctx);
	/* private: the registry's */
	bool disabled;
	unsigned long runs;
	struct lusim_check *next;
};

/*
 * Register a check (kept in id order; ids must be unique: a duplicate
 * aborts). Normally through LUSIM_CHECK_REGISTER at file scope.
 */
void lusim_check_register(struct lusim_check *check);

#define LUSIM_CHECK_REGISTER(var)					\
	static void __attribute__((constructor)) __lusim_check_reg_##var(void) \
	{								\
		lusim_check_register(&(var));				\
	}

/* Lookup and listing. */
struct lusim_check *lusim_check_find(const char *id);
unsigned int lusim_check_count(void);
struct lusim_check *lusim_check_at(unsigned int i);	/* id order */

/*
 * Switches, for the benchmark. -ENOENT for an unknown id. Switches are
 * configuration, like suppressions: lusim_reset_all() keeps them.
 */
int lusim_check_set_enabled(const char *id, bool on);
bool lusim_check_enabled(const char *id);
void lusim_check_set_all_enabled(bool on);	/* the global switch */
bool lusim_check_all_enabled(void);

/* ---------------------------------------------------------------------
 * The runner
 * --------------------------------------------------------------------- */

/*
 * Install the hooks (sim/hw event hook, kexec stage hooks, the findings
 * trace hook). Idempotent; op_begin calls it. The hooks belong to the
 * harness, so they stay across resets.
 */
void lusim_check_init(void);

/*
 * Bracket one op. @op is a string literal (kept by pointer). Nested
 * begin/end pairs (an op implemented with other ops) count as the outer op
 * only. op_end returns the number of findings its checks raised.
 */
void lusim_check_op_begin(const char *op);
/*
 * The same for an op whose result is 0 by construction (the harness's
 * process exit): no undo journal, which only the judgement of a failed op
 * reads (ATOMIC-ERROR-PATH); the journal statistics do not count it.
 */
void lusim_check_op_begin_nofail(const char *op);
unsigned int lusim_check_op_end(int ret);
/* The op running now (NULL between ops) and ops begun since power-on. */
const char *lusim_check_current_op(void);
unsigned long lusim_check_op_seq(void);

/*
 * A kexec stage (enum lusim_kexec_stage of <lusim/kexec.h> as an int):
 * runs that stage's checks and the incremental ones as full walks. At
 * AFTER_FREEZE the op's journal stops: the old kernel is about to vanish,
 * so the op cannot be judged by it any more.
 */
void lusim_check_kexec(int stage);

/*
 * End of an input, userspace gone: drains RCU, runs TEARDOWN checks and the
 * incremental ones as full walks (SLAB-LEAK: objects allocated since the
 * first op after power-on, or since the last kexec's boot, still live).
 * Returns the number of findings raised.
 */
unsigned int lusim_check_teardown(void);

/*
 * The op layer's trace printer: lusim_check installs its own trace hook
 * with lusim_findings_set_trace() (adding "during op #n NAME" to every
 * finding's detail) and chains to @fn after it. Use this instead of
 * lusim_findings_set_trace() once sim/check is linked.
 */
void lusim_check_set_trace(lusim_trace_fn fn);

/* ---------------------------------------------------------------------
 * Touched objects (incremental checks)
 * --------------------------------------------------------------------- */

/* Mark @ptr of @kind as changed by the current op (no-op between ops). */
void lusim_check_touch(unsigned int kind, const void *ptr);
/* How many distinct objects of @kind the current op touched. */
unsigned int lusim_check_touched_count(unsigned int kind);
/*
 * Visit them in first-touch order. The objects may have been freed by the
 * op: a check confirms liveness (lusim_slab_is_live) before dereferencing.
 */
void lusim_check_for_each_touched(unsigned int kind,
				  void (*fn)(const void *ptr, void *arg),
				  void *arg);

/* ---------------------------------------------------------------------
 * Structural snapshots (tests, the fail-nth sweep)
 * --------------------------------------------------------------------- */

/*
 * A dumper writes its subsystem's state as canonical text lines (sorted or
 * in a deterministic order, no addresses): objects by allocation site and
 * sequence number, xarrays by index, pages by physical address.
 */
struct lusim_dump;
typedef void (*lusim_dump_fn)(struct lusim_dump *d);

void lusim_dump_printf(struct lusim_dump *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Canonical dump of an xarray: one line per present slot with its index,
 * entry (NULL/reserved/value/object by allocation site and sequence
 * number) and marks.
 */
void lusim_dump_xarray(struct lusim_dump *d, const char *name,
		       const struct xarray *xa);
/* How an entry of an xarray or a pointer field is printed in dumps. */
void lusim_dump_describe_ptr(char *buf, size_t len, const void *p);

/*
 * Register a dumper (kept in name order; a name registered twice replaces
 * the old one). Generic ones are built in: "slab" (live objects), "pages"
 * (allocated simulated memory, page-table growth normalised, see
 * docs/oracles.md) and "xarrays" (those registered below).
 */
void lusim_check_register_dump(const char *name, lusim_dump_fn fn);
void lusim_check_unregister_dump(const char *name);
/*
 * Dump @xa under @name in every snapshot. Registrations are kernel state:
 * a kexec or power-on forgets them (re-register from an initcall).
 */
int lusim_check_register_xarray(const char *name, const struct xarray *xa);
void lusim_check_unregister_xarray(const struct xarray *xa);

struct lusim_snapshot;
/* A snapshot of everything registered (host memory; never slab). */
struct lusim_snapshot *lusim_check_snapshot_take(void);
void lusim_check_snapshot_free(struct lusim_snapshot *s);
const char *lusim_check_snapshot_text(const struct lusim_snapshot *s);
/*
 * Compare: the number of differing lines (0 = identical); @diff gets a
 * readable diff ("-"/"+" lines, each prefixed by its dumper's name),
 * truncated to @len.
 */
unsigned int lusim_check_snapshot_compare(const struct lusim_snapshot *before,
					  const struct lusim_snapshot *after,
					  char *diff, size_t len);
/*
 * The fail-nth sweep's judgement: take a snapshot now and compare it with
 * @before; a difference is an ATOMIC-ERROR-PATH finding for @op (which
 * returned @ret) with the diff as its detail. Returns the differing lines.
 */
unsigned int lusim_check_snapshot_expect_same(const struct lusim_snapshot *before,
					      const char *op, int ret);

/* ---------------------------------------------------------------------
 * Counters (benchmark and tests)
 * --------------------------------------------------------------------- */

struct lusim_check_stats {
	unsigned long ops;		/* ops ended */
	unsigned long failed_ops;	/* ... with ret < 0 */
	unsigned long check_runs;	/* ->run calls */
	unsigned long journal_entries;	/* recorded by the last op */
	unsigned long journal_max;	/* most recorded by one op */
	unsigned long journal_bytes;	/* snapshot bytes of the last op */
	unsigned long touched;		/* objects touched by the last op */
};
void lusim_check_get_stats(struct lusim_check_stats *st);

/* The errno name for messages ("ENOMEM"), or NULL. */
const char *lusim_check_errno_name(int err);

#endif /* _LUSIM_CHECK_H */
