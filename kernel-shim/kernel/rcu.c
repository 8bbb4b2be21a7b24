// SPDX-License-Identifier: GPL-2.0-only
/*
 * RCU on liburcu, flavour memb, deterministically (see <linux/rcupdate.h>
 * for the model and the reasons for the flavour).
 *
 * Read side: liburcu's memb reader (urcu_memb_read_lock/unlock), plus the
 * nesting count in current task (the locks helper's hooks) that
 * might_sleep() reads. Grace periods: urcu_memb_synchronize_rcu(). Callbacks:
 * our own FIFO, run only by rcu_barrier() (and by a reset), never by a
 * liburcu worker thread.
 */

/*
 * liburcu first: its <urcu/call-rcu.h> declares a struct rcu_head of its
 * own, which must not meet <linux/types.h>'s "#define rcu_head
 * callback_head"; its map/clear.h undefines the short names (call_rcu,
 * synchronize_rcu, ...) that <linux/rcupdate.h> then defines the kernel's
 * way. We are GPL, so liburcu's inline (LGPL) fast paths are fine.
 */
#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>

#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <lusim/actor.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <stdio.h>
#include <stdlib.h>

/* rcu_head.next of a queued head: anything else means it was overwritten */
#define RCU_HEAD_QUEUED	((struct callback_head *)(uintptr_t)0x7263755f71756575ULL)

#define READER_SITES	8

struct rcu_cb {
	struct rcu_head *head;		/* NULL: kfree_rcu(ptr) without a head */
	rcu_callback_t func;		/* NULL: kvfree(ptr) */
	void *ptr;
	const char *site;		/* where it was queued */
};

static bool registered;
static int urcu_depth;			/* urcu_memb_read_lock()s outstanding */
static const char *reader_sites[READER_SITES];	/* [0] = outermost */

static struct rcu_cb *cbs;
static size_t nr_cbs, cap_cbs, first_cb;	/* pending: [first_cb, nr_cbs) */
static bool draining;

static struct lusim_rcu_stats stats;

static void ensure_registered(void)
{
	if (unlikely(!registered)) {
		urcu_memb_register_thread();
		registered = true;
	}
}

/* --- read side ----------------------------------------------------------- */

void __lusim_rcu_read_lock(const char *site)
{
	ensure_registered();
	if (!lusim_rcu_read_depth())
		lusim_sched_point(LUSIM_SP_RCU, NULL, site);
	lusim_rcu_read_enter();
	if (urcu_depth < READER_SITES)
		reader_sites[urcu_depth] = site;
	urcu_memb_read_lock();
	urcu_depth++;
	stats.read_locks++;
}

void __lusim_rcu_read_unlock(const char *site)
{
	if (lusim_rcu_read_exit() < 0 || !urcu_depth) {
		lusim_report("RCU-UNBALANCED", site, NULL,
			     "rcu_read_unlock() without a matching rcu_read_lock()");
		return;
	}
	urcu_depth--;
	urcu_memb_read_unlock();
	if (!lusim_rcu_read_depth())
		lusim_sched_point(LUSIM_SP_RCU, NULL, site);
}

static bool reader_open(void)
{
	return urcu_depth > 0 || lusim_rcu_read_depth() > 0;
}

static const char *outermost_reader(void)
{
	return urcu_depth > 0 && reader_sites[0] ? reader_sites[0] : "?";
}

static void close_readers(void)
{
	while (urcu_depth > 0) {
		urcu_depth--;
		urcu_memb_read_unlock();
	}
	while (lusim_rcu_read_exit() > 0)
		;
}

void __lusim_rcu_assert_none_held(const char *where, const char *site)
{
	char detail[256];

	if (!reader_open())
		return;
	snprintf(detail, sizeof(detail),
		 "  outermost rcu_read_lock() at %s\n  checked at %s\n",
		 outermost_reader(), site);
	lusim_report("RCU-UNBALANCED", outermost_reader(), detail,
		     "rcu_read_lock() still held at %s (depth %d)",
		     where ? where : "op end",
		     urcu_depth > lusim_rcu_read_depth() ?
			urcu_depth : lusim_rcu_read_depth());
	close_readers();
}

void lusim_rcu_suspicious(const char *what, const char *site)
{
	lusim_report("RCU-SUSPICIOUS", site, NULL,
		     "suspicious RCU usage: %s%s", what,
		     rcu_read_lock_held() ? "" : " outside a read-side section");
}

/* --- grace periods ------------------------------------------------------- */

/*
 * Called with no reader open on this thread (liburcu would wait for it
 * forever).
 */
static void grace_period(void)
{
	ensure_registered();
	urcu_memb_synchronize_rcu();
	stats.grace_periods++;
}

static bool refuse_in_reader(const char *what, const char *site)
{
	char detail[256];

	if (!reader_open())
		return false;
	snprintf(detail, sizeof(detail),
		 "  rcu_read_lock() at %s (depth %d)\n", outermost_reader(),
		 urcu_depth);
	lusim_report("RCU-SYNC-IN-READER", site, detail,
		     "%s inside an RCU read-side section (would never return)",
		     what);
	return true;
}

void __lusim_synchronize_rcu(const char *site)
{
	lusim_might_sleep(site);
	lusim_sched_rcu_sync(site);
	if (refuse_in_reader("synchronize_rcu()", site))
		return;
	grace_period();
}

/* --- callbacks ----------------------------------------------------------- */

static void push_cb(struct rcu_head *head, rcu_callback_t func, void *ptr,
		    const char *site)
{
	if (nr_cbs == cap_cbs) {
		size_t cap = cap_cbs ? cap_cbs * 2 : 64;
		struct rcu_cb *n = realloc(cbs, cap * sizeof(*n));

		if (!n) {
			fprintf(stderr, "lusim: host out of memory (rcu)\n");
			abort();
		}
		cbs = n;
		cap_cbs = cap;
	}
	cbs[nr_cbs].head = head;
	cbs[nr_cbs].func = func;
	cbs[nr_cbs].ptr = ptr;
	cbs[nr_cbs].site = site;
	nr_cbs++;
	stats.callbacks_queued++;
}

static bool mark_queued(struct rcu_head *head, const char *what,
			const char *site)
{
	if (head->next == RCU_HEAD_QUEUED) {
		lusim_report("RCU-DOUBLE-CALL", site, NULL,
			     "%s on an rcu_head that is already queued", what);
		return false;
	}
	head->next = RCU_HEAD_QUEUED;
	return true;
}

void __lusim_call_rcu(struct rcu_head *head, rcu_callback_t func,
		      const char *site)
{
	if (!mark_queued(head, "call_rcu()", site))
		return;
	head->func = func;
	push_cb(head, func, NULL, site);
}

void __lusim_kvfree_call_rcu(struct rcu_head *head, void *ptr,
			     const char *site)
{
	if (!head) {
		/* kfree_rcu_mightsleep(): wait now, free now */
		lusim_might_sleep(site);
		if (reader_open()) {
			refuse_in_reader("kfree_rcu_mightsleep()", site);
			push_cb(NULL, NULL, ptr, site);	/* free it later */
			return;
		}
		grace_period();
		__lusim_kvfree(ptr, site);
		return;
	}
	if (!mark_queued(head, "kfree_rcu()", site))
		return;
	head->func = NULL;
	push_cb(head, NULL, ptr, site);
}

static void run_cb(const struct rcu_cb *c)
{
	if (!c->func && !lusim_slab_is_live(c->ptr)) {
		/*
		 * kfree_rcu() of an object freed (or never allocated) since:
		 * let the slab classify it, without touching its rcu_head.
		 */
		__lusim_kvfree(c->ptr, c->site);
		return;
	}
	if (c->head) {
		if (c->head->next != RCU_HEAD_QUEUED) {
			lusim_report("RCU-HEAD-CORRUPTED", c->site, NULL,
				     "rcu_head overwritten before its callback ran (object freed or reused before the grace period?)");
			return;
		}
		c->head->next = NULL;
	}
	stats.callbacks_run++;
	if (c->func)
		c->func(c->head);
	else
		__lusim_kvfree(c->ptr, c->site);
}

/*
 * Grace period, then every callback queued before it, in call order, with
 * bottom halves disabled (the kernel runs them from softirq); repeat while
 * callbacks queue more.
 */
static void drain(void)
{
	draining = true;
	while (first_cb < nr_cbs) {
		size_t end = nr_cbs;

		grace_period();
		lusim_local_bh_disable();
		while (first_cb < end) {
			struct rcu_cb c = cbs[first_cb++];

			run_cb(&c);
		}
		lusim_local_bh_enable("rcu callbacks");
		if (first_cb == nr_cbs)
			first_cb = nr_cbs = 0;
	}
	draining = false;
}

void __lusim_rcu_barrier(const char *site)
{
	lusim_might_sleep(site);
	lusim_sched_rcu_sync(site);
	if (refuse_in_reader("rcu_barrier()", site))
		return;
	if (draining)		/* from a callback: the outer barrier drains */
		return;
	stats.barriers++;
	drain();
}

unsigned long lusim_rcu_pending(void)
{
	return (unsigned long)(nr_cbs - first_cb);
}

void lusim_rcu_stats(struct lusim_rcu_stats *st)
{
	*st = stats;
}

/*
 * After the task reset (nothing held, LUSIM_RESET_PRIO_MODEL - 50) and
 * before the model's own: close what a run left open, then run the pending
 * callbacks while the objects they free still exist. Nothing is dropped.
 */
static void lusim_rcu_reset(void)
{
	close_readers();
	for (int i = 0; i < READER_SITES; i++)
		reader_sites[i] = NULL;
	if (!draining)
		drain();
	memset(&stats, 0, sizeof(stats));
}

LUSIM_RESET_FN(lusim_rcu_reset, LUSIM_RESET_PRIO_MODEL - 40)

static void __attribute__((destructor)) lusim_rcu_exit(void)
{
	if (!registered)
		return;
	while (urcu_depth > 0) {
		urcu_depth--;
		urcu_memb_read_unlock();
	}
	urcu_memb_unregister_thread();
	registered = false;
	free(cbs);
	cbs = NULL;
	nr_cbs = cap_cbs = first_cb = 0;
}
