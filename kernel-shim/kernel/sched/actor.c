// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cooperative actors on ucontext (<lusim/actor.h>, docs/concurrency.md).
 *
 * One OS thread. The scheduler's own context (the caller of
 * lusim_sched_run()) starts each switch: an actor that decides to give up
 * the CPU records the next actor and swaps to the scheduler context, which
 * swaps to that actor. Two swaps per switch keep the ASan fiber
 * annotations in simple pairs (scheduler <-> actor).
 *
 * Determinism: every decision depends only on the schedule bytes and on
 * the actors' states (runnable, blocked on which lock, done), never on
 * time or addresses.
 */
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <lusim/actor.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "../locking/lockdep_internal.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUSIM_ASAN_FIBERS 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define LUSIM_ASAN_FIBERS 1
#endif

#ifdef LUSIM_ASAN_FIBERS
#include <sanitizer/common_interface_defs.h>
#define fiber_start(save, bottom, size) \
	__sanitizer_start_switch_fiber(save, bottom, size)
#define fiber_finish(save, bottom, size) \
	__sanitizer_finish_switch_fiber(save, bottom, size)
#else
#define fiber_start(save, bottom, size)	do { (void)(save); } while (0)
#define fiber_finish(save, bottom, size)	do { (void)(save); } while (0)
#endif

/* Model code, oracles and reports run on these stacks: be generous. */
#define ACTOR_STACK_SIZE	(8UL << 20)

enum actor_state {
	A_RUNNABLE,
	A_BLOCKED_LOCK,
	A_BLOCKED_RCU,
	A_DONE,
};

struct actor {
	struct task_struct task;
	ucontext_t ctx;
	void *stack;
	void *fake_stack;		/* ASan's fake stack while switched out */
	enum actor_state state;
	const struct lockdep_map *blocked_on;
	const char *blocked_site;
	const char *blocked_owner;	/* comm of the owner, "readers" */
	unsigned long rcu_exits;	/* outermost read-side exits */
	/* RCU wait: the readers (bit mask) and their rcu_exits at the call */
	unsigned int rcu_wait_mask;
	unsigned long rcu_wait_seen[LUSIM_MAX_ACTORS];
};

static struct {
	struct actor a[LUSIM_MAX_ACTORS];
	unsigned int nr;
	int cur;			/* running actor, -1: scheduler */
	int next;			/* chosen by the actor leaving */
	lusim_actor_fn fn;
	void *arg;
	struct lusim_sched_hooks hooks;
	uint8_t *sched;
	size_t len, pos;
	unsigned int stay;
	unsigned int in_hook;		/* no switching while nonzero */
	ucontext_t main_ctx;
	void *main_fake;
	const void *main_bottom;
	size_t main_size;
	struct lusim_sched_stats st;
} S = { .cur = -1 };

bool lusim_sched_on;

static uint64_t log_hash = 0xcbf29ce484222325ULL;
static bool log_on;
static char *log_buf;
static size_t log_len, log_cap;

static const char *const point_names[LUSIM_SP_NR] = {
	[LUSIM_SP_LOCK] = "lock", [LUSIM_SP_UNLOCK] = "unlock",
	[LUSIM_SP_SLEEP] = "sleep", [LUSIM_SP_RCU] = "rcu",
	[LUSIM_SP_YIELD] = "yield",
};

/* --- the log --------------------------------------------------------------- */

static void hash_mix(const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		log_hash ^= b[i];
		log_hash *= 0x100000001b3ULL;
	}
}

static void log_switch(int from, int to, const char *why, const char *site)
{
	int8_t ft[2] = { (int8_t)from, (int8_t)to };

	hash_mix(ft, sizeof(ft));
	hash_mix(why, strlen(why));
	if (site)
		hash_mix(site, strlen(site));
	if (!log_on)
		return;
	for (;;) {
		size_t room = log_cap - log_len;
		int n = snprintf(log_buf ? log_buf + log_len : NULL,
				 log_buf ? room : 0,
				 "# switch actor%d -> actor%d (%s at %s)\n",
				 from, to, why, site ? site : "?");

		if (n < 0)
			return;
		if (log_buf && (size_t)n < room) {
			log_len += (size_t)n;
			return;
		}
		log_cap = log_cap * 2 + (size_t)n + 256;
		log_buf = realloc(log_buf, log_cap);
		if (!log_buf)
			abort();
	}
}

uint64_t lusim_sched_log_hash(void)
{
	return log_hash;
}

void lusim_sched_log_reset(void)
{
	log_hash = 0xcbf29ce484222325ULL;
	log_len = 0;
	if (log_buf)
		log_buf[0] = '\0';
}

void lusim_sched_log_enable(bool on)
{
	log_on = on;
}

const char *lusim_sched_log_text(void)
{
	return log_buf && log_len ? log_buf : "";
}

void lusim_sched_get_stats(struct lusim_sched_stats *st)
{
	*st = S.st;
}

/* --- state ------------------------------------------------------------------- */

int lusim_sched_actor(void)
{
	return lusim_sched_on ? S.cur : -1;
}

struct task_struct *lusim_sched_task(unsigned int i)
{
	return i < LUSIM_MAX_ACTORS ? &S.a[i].task : NULL;
}

bool lusim_sched_quiescent(void)
{
	for (unsigned int i = 0; i < S.nr; i++) {
		const struct task_struct *t = &S.a[i].task;

		if (t->lockdep_depth || t->lockdep_overflow ||
		    t->preempt_count || t->irq_disable_depth ||
		    t->softirq_disable_depth || t->rcu_read_lock_nesting)
			return false;
	}
	return true;
}

static bool rcu_wait_over(const struct actor *a)
{
	for (unsigned int i = 0; i < S.nr; i++)
		if ((a->rcu_wait_mask & (1u << i)) &&
		    S.a[i].rcu_exits == a->rcu_wait_seen[i])
			return false;
	return true;
}

static bool can_run(unsigned int i)
{
	const struct actor *a = &S.a[i];

	switch (a->state) {
	case A_RUNNABLE:
	case A_BLOCKED_LOCK:	/* woken explicitly (wake_lock) */
		return a->state == A_RUNNABLE;
	case A_BLOCKED_RCU:
		return rcu_wait_over(a);
	default:
		return false;
	}
}

/* Wake the actors blocked on @map (after it was released). */
static void wake_lock(const struct lockdep_map *map)
{
	for (unsigned int i = 0; i < S.nr; i++) {
		struct actor *a = &S.a[i];

		if (a->state == A_BLOCKED_LOCK && a->blocked_on == map)
			a->state = A_RUNNABLE;
	}
}

/* The next runnable actor at or after @from, cyclically, or -1. */
static int runnable_from(unsigned int from)
{
	for (unsigned int k = 0; k < S.nr; k++) {
		unsigned int i = (from + k) % S.nr;

		if (can_run(i))
			return (int)i;
	}
	return -1;
}

/*
 * The decision at a switchable point. @cur_ok: the running actor may go on
 * (false when it blocks or finished). Returns the actor to run, or -1 when
 * none can.
 */
static int choose(bool cur_ok)
{
	int cur = S.cur;

	S.st.decisions++;
	if (cur_ok && S.stay) {
		S.stay--;
		return cur;
	}
	if (S.pos < S.len) {
		uint8_t b = S.sched[S.pos++];

		S.st.bytes_used++;
		if (b & 0x80) {
			if (cur_ok) {
				S.stay = b & 0x7f;
				return cur;
			}
		} else {
			int n = runnable_from(b % S.nr);

			if (n >= 0 && (n != cur || cur_ok))
				return n;
			if (n == cur)
				return runnable_from((unsigned int)cur + 1);
			return n;
		}
	}
	if (cur_ok)
		return cur;
	return runnable_from(cur < 0 ? 0 : (unsigned int)cur + 1);
}

/* --- switching ---------------------------------------------------------------- */

static void call_switched(int prev, int next)
{
	if (S.hooks.switched)
		S.hooks.switched(prev, next, S.hooks.arg);
}

/* From the running actor to the scheduler, which runs S.next. */
static void leave(const char *why, const char *site)
{
	struct actor *a = &S.a[S.cur];

	S.st.switches++;
	log_switch(S.cur, S.next, why, site);
	call_switched(S.cur, S.next);
	fiber_start(&a->fake_stack, S.main_bottom, S.main_size);
	swapcontext(&a->ctx, &S.main_ctx);
	fiber_finish(a->fake_stack, &S.main_bottom, &S.main_size);
}

static void switch_to(int next, const char *why, const char *site)
{
	S.next = next;
	if (S.hooks.quiescent && lusim_sched_quiescent()) {
		S.in_hook++;
		S.st.quiescent++;
		S.hooks.quiescent(S.hooks.arg);
		S.in_hook--;
	}
	leave(why, site);
}

static bool switchable(void)
{
	const struct task_struct *t;

	if (!lusim_sched_on || S.cur < 0 || S.in_hook)
		return false;
	t = &S.a[S.cur].task;
	if (current != t)
		return false;	/* a test switched tasks by hand */
	return !t->preempt_count && !t->irq_disable_depth &&
	       !t->softirq_disable_depth;
}

void __lusim_sched_point(enum lusim_sched_point_kind kind,
			 const struct lockdep_map *map, const char *site)
{
	int next;

	S.st.points++;
	if (kind == LUSIM_SP_UNLOCK && map)
		wake_lock(map);
	if (kind == LUSIM_SP_RCU && S.cur >= 0 && current == &S.a[S.cur].task &&
	    !current->rcu_read_lock_nesting)
		S.a[S.cur].rcu_exits++;
	if (!switchable() || current->rcu_read_lock_nesting)
		return;
	next = choose(true);
	if (next >= 0 && next != S.cur)
		switch_to(next, point_names[kind], site);
}

void lusim_sched_yield(const char *site)
{
	int next;

	if (!switchable())
		return;
	S.st.points++;
	next = choose(true);
	if (next >= 0 && next != S.cur)
		switch_to(next, point_names[LUSIM_SP_YIELD], site);
}

void lusim_sched_hold(void)
{
	S.in_hook++;
}

void lusim_sched_unhold(void)
{
	if (S.in_hook)
		S.in_hook--;
}

/* --- deadlock ------------------------------------------------------------------ */

static void report_deadlock(const char *what, const char *site)
{
	char extra[LUSIM_FINDING_DETAIL_MAX];
	struct lusim_sbuf sb = { .buf = extra, .len = sizeof(extra) };

	extra[0] = '\0';
	for (unsigned int i = 0; i < S.nr; i++) {
		const struct actor *a = &S.a[i];

		if ((int)i == S.cur || a->state == A_DONE)
			continue;
		if (a->state == A_BLOCKED_LOCK)
			lusim_sbuf_printf(&sb, "task %s waits for %s (held by %s) at %s; held locks of task %s:\n",
					  a->task.comm,
					  a->blocked_on && a->blocked_on->name ?
					  a->blocked_on->name : "(unnamed)",
					  a->blocked_owner, a->blocked_site,
					  a->task.comm);
		else
			lusim_sbuf_printf(&sb, "task %s waits for RCU readers at %s; held locks of task %s:\n",
					  a->task.comm, a->blocked_site,
					  a->task.comm);
		lusim_sbuf_held(&sb, &a->task, "  ");
	}
	S.st.deadlocks++;
	lusim_lock_report("LOCK-DEADLOCK", site, extra,
			  "deadlock between actors: task %s blocks on %s and no other actor can run",
			  current->comm, what);
}

/* --- blocking --------------------------------------------------------------------- */

static bool sched_contended(struct lockdep_map *map, struct task_struct *owner,
			    const char *site)
{
	struct actor *a;
	int next;

	S.st.points++;
	if (!lusim_sched_on || S.cur < 0 || current != &S.a[S.cur].task ||
	    S.in_hook) {
		/* not an actor (or inside a hook): nothing can release it */
		lusim_lock_report("LOCK-DEADLOCK", site, NULL,
				  "task %s blocks on %s held by %s: no other actor runs to release it",
				  current->comm, map->name ? map->name : "(unnamed)",
				  owner ? owner->comm : "readers");
		return false;
	}
	a = &S.a[S.cur];
	a->state = A_BLOCKED_LOCK;
	a->blocked_on = map;
	a->blocked_site = site;
	a->blocked_owner = owner ? owner->comm : "readers";
	S.st.blocks++;
	next = choose(false);
	if (next < 0) {
		a->state = A_RUNNABLE;
		report_deadlock(map->name ? map->name : "(unnamed)", site);
		return false;	/* take it regardless, as the default does */
	}
	switch_to(next, "blocked", site);
	/* woken: the lock was released; look at it again */
	return true;
}

void __lusim_sched_rcu_sync(const char *site)
{
	struct actor *a;
	int next;

	if (S.cur < 0 || current != &S.a[S.cur].task || S.in_hook)
		return;
	a = &S.a[S.cur];
	a->rcu_wait_mask = 0;
	for (unsigned int i = 0; i < S.nr; i++) {
		if ((int)i == S.cur || !S.a[i].task.rcu_read_lock_nesting)
			continue;
		a->rcu_wait_mask |= 1u << i;
		a->rcu_wait_seen[i] = S.a[i].rcu_exits;
	}
	while (!rcu_wait_over(a)) {
		a->state = A_BLOCKED_RCU;
		a->blocked_site = site;
		S.st.blocks++;
		next = choose(false);
		if (next < 0 || next == S.cur) {
			a->state = A_RUNNABLE;
			if (next < 0)
				report_deadlock("an RCU grace period", site);
			break;
		}
		switch_to(next, "rcu-sync", site);
	}
	a->state = A_RUNNABLE;
	a->rcu_wait_mask = 0;
}

/* --- running ------------------------------------------------------------------------ */

static void actor_main(unsigned int i)
{
	struct actor *a = &S.a[i];

	fiber_finish(NULL, &S.main_bottom, &S.main_size);
	S.fn(i, S.arg);
	a->state = A_DONE;
	S.next = choose(false);
	S.st.switches++;
	log_switch((int)i, S.next, "done", NULL);
	call_switched((int)i, S.next);
	/* this fiber ends: ASan may free its fake stack */
	fiber_start(NULL, S.main_bottom, S.main_size);
	setcontext(&S.main_ctx);
	abort();
}

static void *stack_alloc(void)
{
	void *p = mmap(NULL, ACTOR_STACK_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		fputs("lusim: cannot map an actor stack\n", stderr);
		abort();
	}
	return p;
}

int lusim_sched_run(unsigned int nr, lusim_actor_fn fn, void *arg,
		    const uint8_t *schedule, size_t len,
		    const struct lusim_sched_hooks *hooks)
{
	struct task_struct *saved = current;

	if (lusim_sched_on)
		return -EBUSY;
	if (nr < 2 || nr > LUSIM_MAX_ACTORS || !fn)
		return -EINVAL;
	memset(&S.st, 0, sizeof(S.st));
	S.nr = nr;
	S.fn = fn;
	S.arg = arg;
	if (hooks)
		S.hooks = *hooks;
	else
		memset(&S.hooks, 0, sizeof(S.hooks));
	free(S.sched);
	S.sched = NULL;
	if (len) {
		S.sched = malloc(len);
		if (!S.sched)
			abort();
		memcpy(S.sched, schedule, len);
	}
	S.len = len;
	S.pos = 0;
	S.stay = 0;
	S.in_hook = 0;
	for (unsigned int i = 0; i < nr; i++) {
		struct actor *a = &S.a[i];
		char comm[TASK_COMM_LEN];

		if (!a->stack)
			a->stack = stack_alloc();
		snprintf(comm, sizeof(comm), "actor%u", i);
		lusim_task_init(&a->task, comm);
		a->task.pid = 100 + (int)i;
		a->state = A_RUNNABLE;
		a->blocked_on = NULL;
		a->blocked_site = NULL;
		a->blocked_owner = NULL;
		a->rcu_exits = 0;
		a->rcu_wait_mask = 0;
		a->fake_stack = NULL;
		getcontext(&a->ctx);
		a->ctx.uc_stack.ss_sp = a->stack;
		a->ctx.uc_stack.ss_size = ACTOR_STACK_SIZE;
		a->ctx.uc_link = NULL;
		makecontext(&a->ctx, (void (*)(void))actor_main, 1, i);
	}
	lusim_set_lock_contended_handler(sched_contended);
	lusim_sched_on = true;
	S.cur = -1;
	S.next = 0;		/* every run starts with actor 0 */
	call_switched(-1, S.next);
	log_switch(-1, S.next, "start", NULL);
	while (S.next >= 0) {
		struct actor *a = &S.a[S.next];

		S.cur = S.next;
		lusim_switch_to(&a->task);
		fiber_start(&S.main_fake, a->stack, ACTOR_STACK_SIZE);
		swapcontext(&S.main_ctx, &a->ctx);
		fiber_finish(S.main_fake, NULL, NULL);
		if (S.next < 0) {
			/* nothing runnable: done, or the rest are stuck */
			int stuck = runnable_from(0);

			for (unsigned int i = 0; stuck < 0 && i < nr; i++)
				if (S.a[i].state != A_DONE) {
					/* blocked forever (only after a report) */
					S.a[i].state = A_RUNNABLE;
					stuck = (int)i;
				}
			S.next = stuck;
		}
	}
	S.cur = -1;
	lusim_sched_on = false;
	lusim_set_lock_contended_handler(NULL);
	lusim_switch_to(saved == &lusim_init_task ? NULL : saved);
	return 0;
}

static void sched_reset(void)
{
	/* a reset inside a run cannot happen (kexec is refused there) */
	S.cur = -1;
}
LUSIM_RESET_FN(sched_reset, LUSIM_RESET_PRIO_MODEL - 49)
