// SPDX-License-Identifier: GPL-2.0-only
/*
 * The binary form's helpers for fuzzers and tools: a structure-aware
 * mutator (AMENDMENTS, Fuzzing: insert, delete, swap, duplicate or change
 * one op; no multi-op templates), the dictionaries generated from the op
 * table (single op records only), and the table's help text. The decoder
 * itself is opl_vm_step() (opvm.c).
 */
#include <string.h>

#include "opl_internal.h"

/* ---------------------------------------------------------------------
 * Mutation
 * --------------------------------------------------------------------- */

#define MUT_MAX		65536	/* bytes the mutator works on */
#define MUT_MAX_RECS	8192

static uint32_t rnd(uint32_t *s)
{
	/* xorshift32: deterministic for a given seed, no state elsewhere */
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/*
 * What a new or changed record is made for: the input's records (@data,
 * @off, @nrec) and the record's place @at (an insertion: before record
 * @at; a change: record @at itself, @change set).
 */
struct mut_in {
	const uint8_t *data;
	const uint32_t *off;
	size_t nrec;
	size_t at;
	bool change;
};

static unsigned int nr_syms(const struct opl_arg *a)
{
	unsigned int n = 0;

	while (a->syms && a->syms[n].name)
		n++;
	return n;
}

/* Do two arguments take the same kind of value (a device, a token ...)? */
static bool same_value_kind(const struct opl_arg *a, const struct opl_arg *b)
{
	return a->type == b->type && a->max == b->max && a->syms == b->syms &&
	       !strcmp(a->name, b->name);
}

/*
 * A value another record of the input has for an argument of the same
 * kind (the device it bound, the token it preserved, the PASID it
 * attached), or -1: system calls of one VMM name the same few values.
 */
static int seen_value(const struct mut_in *x, const struct opl_arg *a,
		      uint32_t *s)
{
	uint8_t vals[64];
	unsigned int nr = 0;

	for (size_t i = 0; i < x->nrec && nr < 64; i++) {
		const struct opl_op *d = &opl_ops[opl_fold(x->data[x->off[i]])];
		unsigned int n = opl_op_nr_args(d);

		if (x->change && i == x->at)
			continue;
		for (unsigned int j = 0; j < n && nr < 64; j++)
			if (same_value_kind(&d->args[j], a))
				vals[nr++] = x->data[x->off[i] + 1 + j];
	}
	return nr ? vals[rnd(s) % nr] : -1;
}

/* The next value of a number-like argument (the next token, device ...) */
static uint8_t next_value(const struct opl_arg *a, uint8_t v, int step)
{
	if (a->type == OPA_NUM && a->max < 255)
		return (uint8_t)(((unsigned int)(v % (a->max + 1)) + a->max + 1 +
				  (unsigned int)step) % (a->max + 1));
	return (uint8_t)(v + step);
}

/* A fresh value, biased to the few that mean something */
static uint8_t fresh_value(const struct opl_arg *a, uint32_t *s)
{
	uint32_t r = rnd(s);
	unsigned int n;

	switch (a->type) {
	case OPA_NUM:
		/* small ranges (devices, units): every value alike */
		if (a->max < 16 || r % 2)
			return (uint8_t)((r >> 8) % (a->max < 16 ? a->max + 1u : 16u));
		return (uint8_t)(r >> 8);
	case OPA_PAGES:
		return (uint8_t)(r % 2 ? 1 + (r >> 8) % 16 : r >> 8);
	case OPA_IOVA:
		return (uint8_t)(r % 2 ? (r >> 8) % 32 : r >> 8);
	case OPA_PASID:
		/*
		 * The few PASIDs a VMM uses (1..15); a quarter of the time any
		 * byte, which reaches the edges of the 20-bit space (240..255).
		 */
		return (uint8_t)(r % 4 ? 1 + (r >> 8) % 15 : r >> 8);
	case OPA_FLAGS:
		n = nr_syms(a);
		/*
		 * One flag alone (half the time), one flag more or less than
		 * usual, any combination
		 */
		switch (r % 4) {
		case 0:
			return (uint8_t)(a->def ^ (1u << ((r >> 8) % n)));
		case 1:
			return (uint8_t)(r >> 8);
		default:
			return (uint8_t)(1u << ((r >> 8) % n));
		}
	case OPA_ENUM:
		return (uint8_t)((r >> 8) % nr_syms(a));
	case OPA_NAME:
		return (uint8_t)((r >> 8) % OPL_NR_NAMES);
	default:
		return (uint8_t)(r >> 8);
	}
}

/*
 * Objects of a kind the records before record @k can make (assuming they
 * succeed and nothing dies): where the newest of them is
 */
static unsigned int made_before(const struct mut_in *x, size_t k,
				unsigned int expect)
{
	unsigned int n = 0;

	for (size_t i = 0; i < k && i < x->nrec; i++) {
		unsigned int m = opl_op_makes(opl_fold(x->data[x->off[i]]));

		for (unsigned int kind = OPK_IOMMUFD; kind < OPK_NR_KINDS; kind++)
			if ((m & (1u << kind)) && opl_kind_matches(kind, expect))
				n++;
	}
	return n;
}

static uint8_t random_arg(const struct opl_arg *a, const struct mut_in *x,
			  uint32_t *s)
{
	uint32_t r = rnd(s);
	unsigned int n;
	int v;

	if (a->type == OPA_HANDLE) {
		switch (r % 16) {
		case 0:
			return (uint8_t)(0xc0 + (r >> 8) % 4);	/* another kind */
		case 1:
			return (uint8_t)(0xe0 + (r >> 8) % 4);	/* destroyed */
		case 2:
			return (uint8_t)(0xf0 + (r >> 8) % 16);	/* raw */
		case 3: case 4: case 5: case 6:
			/* the newest of its kind, as a VMM mostly names it */
			n = made_before(x, x->at, a->kind);
			if (n)
				return (uint8_t)((n - 1) % 0xc0);
			/* fall through */
		default:
			return (uint8_t)((r >> 8) % 4);	/* one of the first live */
		}
	}
	switch (r % 8) {
	case 0: case 1: case 2:
		return a->def;
	case 3: case 4:
		/* a value the input already uses, or the one after it */
		v = seen_value(x, a, s);
		if (v >= 0)
			return (r >> 8) % 2 || a->type == OPA_FLAGS ||
			       a->type == OPA_ENUM || a->type == OPA_BOOL ?
			       (uint8_t)v : next_value(a, (uint8_t)v, 1);
		/* fall through */
	default:
		return fresh_value(a, s);
	}
}

/* Kinds and classes an argument expecting @expect accepts, as kind bits */
static unsigned int accepts(unsigned int expect)
{
	unsigned int m = 0;

	for (unsigned int k = OPK_IOMMUFD; k < OPK_NR_KINDS; k++)
		if (opl_kind_matches(k, expect))
			m |= 1u << k;
	return m;
}

/*
 * Can op @op name an object of the right kind for each of its handles,
 * when the records before it can make the kinds in @avail?
 */
static bool op_fed(unsigned int op, unsigned int avail)
{
	const struct opl_op *d = &opl_ops[op];
	unsigned int n = opl_op_nr_args(d);

	for (unsigned int i = 0; i < n; i++)
		if (d->args[i].type == OPA_HANDLE &&
		    !(accepts(d->args[i].kind) & avail))
			return false;
	return true;
}

/*
 * An op that makes what op @op misses (a kind none of @avail satisfies
 * for one of its handles) and can itself run there, or -1: inserting it
 * is one step towards @op, one op at a time (syzkaller's resource-aware
 * choice of the call that creates a missing resource).
 */
static int producer_for(unsigned int op, unsigned int avail, uint32_t *s)
{
	const struct opl_op *d = &opl_ops[op];
	unsigned int n = opl_op_nr_args(d), cand[256], nr = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int want = accepts(d->args[i].kind);

		if (d->args[i].type != OPA_HANDLE || (want & avail))
			continue;
		for (unsigned int p = 0; p < opl_fold_nr; p++)
			if ((opl_op_makes(p) & want) && op_fed(p, avail))
				cand[nr++] = p;
		break;
	}
	return nr ? (int)cand[rnd(s) % nr] : -1;
}

/*
 * How often op @op is drawn among the ops that can run at a place, in
 * tickets (4: an ordinary op). Two kinds of op are not ordinary for a
 * fuzzer of a stateful API:
 *  - fail_nth arms a fault: every fault class and count reaches its own
 *    error path, so inputs with one flood the corpus (coverage) while the
 *    ops after it mostly fail; a quarter of the weight;
 *  - kexec is the one op every live-update property is checked at, and
 *    an input has at most a few; three times the weight.
 * An op that makes a kind of object the records before it cannot make
 * yet gets twice its weight (the next step of a chain).
 */
static unsigned int op_tickets(unsigned int op, unsigned int avail)
{
	static int fail_nth = -2, kexec = -2;
	unsigned int t = 4;

	if (fail_nth == -2) {
		fail_nth = opl_op_find("fail_nth", 8);
		kexec = opl_op_find("kexec", 5);
	}
	if ((int)op == fail_nth)
		t = 1;
	else if ((int)op == kexec)
		t = 12;
	if (opl_op_makes(op) & ~avail)
		t *= 2;
	return t;
}

/*
 * A random op for a place where the records before it can make the kinds
 * in @avail: mostly one whose handles all have an object of their kind to
 * name (resource-aware, as syzkaller chooses calls), weighted by
 * op_tickets(); sometimes any op, and then half the time, when it has
 * nothing to name, an op that makes what it misses instead (else the op
 * as is: the wrong-kind and raw-id paths).
 */
static unsigned int random_op(unsigned int avail, uint32_t *s)
{
	unsigned int fed[256], tickets = 0, nr = 0, nr_macros = 0, r;
	bool macro;

	if (rnd(s) % 8 == 0) {
		unsigned int op = rnd(s) % opl_fold_nr;
		int p;

		if (!op_fed(op, avail) && rnd(s) % 2 &&
		    (p = producer_for(op, avail, s)) >= 0)
			return (unsigned int)p;
		return op;
	}
	/*
	 * A third of the time a macro op (a VMM-sized step, oplang.h),
	 * else an ordinary one: the few macros would otherwise be drawn
	 * as rarely as any single system call.
	 */
	macro = rnd(s) % 3 == 0;
	for (unsigned int op = 0; op < opl_fold_nr; op++)
		if (op_fed(op, avail) && !opl_ops[op].expand) {
			fed[nr++] = op;
			tickets += op_tickets(op, avail);
		}
	for (unsigned int op = 0; op < opl_fold_nr; op++)
		if (op_fed(op, avail) && opl_ops[op].expand)
			fed[nr + nr_macros++] = op;
	if (macro && nr_macros)
		return fed[nr + rnd(s) % nr_macros];
	if (!nr)
		return rnd(s) % opl_fold_nr;
	r = rnd(s) % tickets;
	for (unsigned int i = 0; i < nr; i++) {
		unsigned int t = op_tickets(fed[i], avail);

		if (r < t)
			return fed[i];
		r -= t;
	}
	return fed[nr - 1];
}

static size_t random_record(uint8_t *out, unsigned int avail,
			    const struct mut_in *x, uint32_t *s)
{
	unsigned int op = random_op(avail, s);
	const struct opl_op *d = &opl_ops[op];
	unsigned int n = opl_op_nr_args(d);

	out[0] = (uint8_t)op;
	for (unsigned int i = 0; i < n; i++)
		out[1 + i] = random_arg(&d->args[i], x, s);
	return 1 + n;
}

/*
 * Another call of an op the input already makes, one argument changed
 * (a number half the time one up or down, else a random_arg() value): a
 * VMM repeats its calls (binds several functions, maps several ranges,
 * attaches several PASIDs, removes the functions of a unit one by one).
 * One op, like any insertion.
 */
static size_t variant_record(uint8_t *out, const struct mut_in *x,
			     uint32_t *s)
{
	size_t j = rnd(s) % x->nrec;
	const struct opl_op *d = &opl_ops[opl_fold(x->data[x->off[j]])];
	unsigned int n = opl_op_nr_args(d), a;
	const struct opl_arg *arg;

	memcpy(out, x->data + x->off[j], 1 + n);
	out[0] = (uint8_t)opl_fold(out[0]);
	if (!n)
		return 1;
	a = rnd(s) % n;
	arg = &d->args[a];
	if (arg->type != OPA_HANDLE && arg->type != OPA_FLAGS &&
	    arg->type != OPA_ENUM && rnd(s) % 2)
		out[1 + a] = next_value(arg, out[1 + a], rnd(s) % 2 ? 1 : -1);
	else
		out[1 + a] = random_arg(arg, x, s);
	return 1 + n;
}

/* Kinds the records before record @k can make (assuming they succeed) */
static unsigned int avail_before(const uint8_t *data, const uint32_t *off,
				 size_t k)
{
	unsigned int m = 0;

	for (size_t i = 0; i < k; i++)
		m |= opl_op_makes(opl_fold(data[off[i]]));
	return m;
}

size_t opl_mutate(uint8_t *data, size_t size, size_t max_size,
		  unsigned int seed)
{
	static uint32_t off[MUT_MAX_RECS + 1];
	static uint8_t tmp[MUT_MAX + 16];
	uint8_t rec[1 + OPL_MAX_ARGS];
	struct mut_in x = { 0 };
	uint32_t s = seed * 2654435761u + 1;
	size_t nrec = 0, pos = 0, len, out = 0;
	unsigned int a, b, k;

	if (max_size > MUT_MAX)
		max_size = MUT_MAX;
	if (size > max_size)
		size = max_size;
	/* whole records only; a trailing partial record is dropped */
	while (pos < size && nrec < MUT_MAX_RECS) {
		len = opl_record_size(data[pos]);
		if (pos + len > size)
			break;
		off[nrec++] = (uint32_t)pos;
		pos += len;
	}
	off[nrec] = (uint32_t)pos;
	size = pos;
	x.data = data;
	x.off = off;
	x.nrec = nrec;

	switch (nrec ? rnd(&s) % 6 : 0) {
	case 0:		/* insert a random op: half the time at the end */
	case 5:
		k = nrec && rnd(&s) % 2 ? rnd(&s) % (nrec + 1) : (unsigned int)nrec;
		x.at = k;
		if (nrec && rnd(&s) % 4 == 0)
			len = variant_record(rec, &x, &s);
		else
			len = random_record(rec, avail_before(data, off, k), &x, &s);
		if (size + len > max_size)
			break;
		memcpy(tmp, data, off[k]);
		memcpy(tmp + off[k], rec, len);
		memcpy(tmp + off[k] + len, data + off[k], size - off[k]);
		out = size + len;
		break;
	case 1:		/* delete one */
		k = rnd(&s) % nrec;
		memcpy(tmp, data, off[k]);
		memcpy(tmp + off[k], data + off[k + 1], size - off[k + 1]);
		out = size - (off[k + 1] - off[k]);
		break;
	case 2:		/* swap two, or duplicate one */
		a = rnd(&s) % nrec;
		b = rnd(&s) % nrec;
		if (a > b) {
			k = a;
			a = b;
			b = k;
		}
		if (a == b) {
			len = off[a + 1] - off[a];
			if (size + len > max_size)
				break;
			memcpy(tmp, data, off[a + 1]);
			memcpy(tmp + off[a + 1], data + off[a], len);
			memcpy(tmp + off[a + 1] + len, data + off[a + 1],
			       size - off[a + 1]);
			out = size + len;
			break;
		}
		out = 0;
		memcpy(tmp, data, off[a]);
		out += off[a];
		memcpy(tmp + out, data + off[b], off[b + 1] - off[b]);
		out += off[b + 1] - off[b];
		memcpy(tmp + out, data + off[a + 1], off[b] - off[a + 1]);
		out += off[b] - off[a + 1];
		memcpy(tmp + out, data + off[a], off[a + 1] - off[a]);
		out += off[a + 1] - off[a];
		memcpy(tmp + out, data + off[b + 1], size - off[b + 1]);
		out += size - off[b + 1];
		break;
	case 3: {	/* change one argument */
		const struct opl_op *d;
		unsigned int n;

		k = rnd(&s) % nrec;
		d = &opl_ops[opl_fold(data[off[k]])];
		n = opl_op_nr_args(d);
		if (!n)
			break;
		a = rnd(&s) % n;
		memcpy(tmp, data, size);
		x.at = k;
		x.change = true;
		b = data[off[k] + 1 + a];
		/* numbers: a quarter of the time one up or down */
		if (d->args[a].type != OPA_HANDLE && d->args[a].type != OPA_FLAGS &&
		    d->args[a].type != OPA_ENUM && rnd(&s) % 4 == 0)
			tmp[off[k] + 1 + a] = next_value(&d->args[a], (uint8_t)b,
							 rnd(&s) % 2 ? 1 : -1);
		else
			tmp[off[k] + 1 + a] = random_arg(&d->args[a], &x, &s);
		out = size;
		break;
	}
	case 4:		/* replace one op by a random one */
		k = rnd(&s) % nrec;
		x.at = k;
		x.change = true;
		len = random_record(rec, avail_before(data, off, k), &x, &s);
		if (size - (off[k + 1] - off[k]) + len > max_size)
			break;
		memcpy(tmp, data, off[k]);
		memcpy(tmp + off[k], rec, len);
		memcpy(tmp + off[k] + len, data + off[k + 1], size - off[k + 1]);
		out = size - (off[k + 1] - off[k]) + len;
		break;
	}
	if (!out)
		return size;
	memcpy(data, tmp, out);
	return out;
}

/* Offsets of the whole records of @data (at most @max); returns the count */
static size_t split_records(const uint8_t *data, size_t size, uint32_t *off,
			    size_t max)
{
	size_t nrec = 0, pos = 0;

	while (pos < size && nrec < max) {
		size_t len = opl_record_size(data[pos]);

		if (pos + len > size)
			break;
		off[nrec++] = (uint32_t)pos;
		pos += len;
	}
	off[nrec] = (uint32_t)pos;
	return nrec;
}

size_t opl_crossover(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen, uint8_t *out, size_t max_size,
		     unsigned int seed)
{
	static uint32_t offa[MUT_MAX_RECS + 1], offb[MUT_MAX_RECS + 1];
	uint32_t s = seed * 2654435761u + 7;
	size_t na, nb, ka, kb, la, lb;

	if (alen > MUT_MAX)
		alen = MUT_MAX;
	if (blen > MUT_MAX)
		blen = MUT_MAX;
	na = split_records(a, alen, offa, MUT_MAX_RECS);
	nb = split_records(b, blen, offb, MUT_MAX_RECS);
	/* a's records before a cut, then b's from a cut */
	ka = rnd(&s) % (na + 1);
	kb = nb ? rnd(&s) % (nb + 1) : 0;
	la = offa[ka];
	lb = offb[nb] - offb[kb];
	if (la > max_size)
		la = offa[0];
	if (la + lb > max_size)
		lb = 0;
	memcpy(out, a, la);
	memcpy(out + la, b + offb[kb], lb);
	return la + lb;
}

/* ---------------------------------------------------------------------
 * The depth archive
 * --------------------------------------------------------------------- */

#define DEPTH_MAX_SIZE	4096	/* inputs larger than this are not kept */

static struct {
	unsigned int score;
	size_t size;
	uint8_t data[DEPTH_MAX_SIZE];
} depth[OPL_DEPTH_KEEP];
static unsigned int depth_nr;

/*
 * The depth of a call: 1 + the deepest call that made one of the objects
 * it names (iommufd_open 1, ioas_alloc 2, hwpt_alloc on that IOAS 3 ...).
 * The score of a run: the sum over the kinds of call that succeeded at
 * least once of the deepest successful call of that kind, where a kind of
 * call is the op and which of its first four non-handle arguments differ
 * from their defaults (an attach at a PASID is not an attach at the RID).
 * So an input scores by how many different things it got the kernel to
 * do, and how many steps of building each one needed.
 */
#define SHAPES	16	/* default / not, for four arguments */

static unsigned int call_shape(const struct opl_call *c)
{
	const struct opl_op *d = &opl_ops[c->op];
	unsigned int n = opl_op_nr_args(d), shape = 0, bit = 0;

	for (unsigned int a = 0; a < n && bit < 4; a++) {
		if (d->args[a].type == OPA_HANDLE)
			continue;
		if (c->bytes[a] != opl_canon_byte(&d->args[a], d->args[a].def))
			shape |= 1u << bit;
		bit++;
	}
	return shape;
}

unsigned int opl_depth_score(const struct opl_vm *vm)
{
	static uint8_t d[OPL_MAX_CALLS];
	static uint8_t best[256 * SHAPES];
	unsigned int score = 0;
	unsigned int deepest = 0, best_global = 0;

	memset(best, 0, sizeof(best));

	for (unsigned int i = 0; i < vm->nr_calls; i++) {
		const struct opl_call *c = &vm->calls[i];
		const struct opl_op *op = &opl_ops[c->op];
		unsigned int n = opl_op_nr_args(op);
		uint8_t depth = 1;
		bool global = !op->product;

		/*
		 * An op that names no object and makes none acts on the whole
		 * system (kexec, hotplug, driver binds, DMA by a device): as a
		 * kind of call of its own it has depth 1, and all of them
		 * share one more kind of call, "a system-wide op after the
		 * state built so far", as deep as the deepest other call
		 * before it plus one. So a kexec after a deep state scores
		 * more than one after nothing, once: a tail of different
		 * system-wide ops after it adds 1 each, as before.
		 */
		for (unsigned int a = 0; a < n; a++)
			global &= op->args[a].type != OPA_HANDLE;
		if (global && c->ret >= 0 && deepest + 1 > best_global) {
			score += deepest + 1u - best_global;
			best_global = deepest + 1;
		}

		for (unsigned int a = 0; a < n; a++) {
			int o = c->obj[a];
			uint32_t born;

			if (opl_ops[c->op].args[a].type != OPA_HANDLE || o < 0 ||
			    vm->objs[o].state == OPL_OBJ_NEVER)
				continue;
			born = vm->objs[o].born;
			if (born < i && d[born] + 1 > depth)
				depth = (uint8_t)(d[born] + 1 < 255 ? d[born] + 1 : 255);
		}
		d[i] = depth;
		if (c->ret >= 0 && !global && depth > deepest)
			deepest = depth;
		if (c->ret >= 0) {
			uint8_t *b = &best[c->op * SHAPES + call_shape(c)];

			if (depth > *b) {
				score += depth - *b;
				*b = depth;
			}
		}
	}
	return score;
}

void opl_depth_note(const struct opl_vm *vm, const uint8_t *data, size_t size)
{
	unsigned int score = opl_depth_score(vm), worst = 0;

	if (!score || size > DEPTH_MAX_SIZE)
		return;
	for (unsigned int i = 0; i < depth_nr; i++) {
		/* the same score: keep the shorter input */
		if (depth[i].score == score) {
			if (size < depth[i].size) {
				memcpy(depth[i].data, data, size);
				depth[i].size = size;
			}
			return;
		}
		if (depth[i].score < depth[worst].score)
			worst = i;
	}
	if (depth_nr < OPL_DEPTH_KEEP)
		worst = depth_nr++;
	else if (depth[worst].score >= score)
		return;
	depth[worst].score = score;
	depth[worst].size = size;
	memcpy(depth[worst].data, data, size);
}

size_t opl_depth_pick(uint8_t *data, size_t max_size, unsigned int seed)
{
	uint32_t s = seed * 2654435761u + 3;
	unsigned int best = 0, i;

	if (!depth_nr)
		return 0;
	for (i = 1; i < depth_nr; i++)
		if (depth[i].score > depth[best].score)
			best = i;
	/* mostly the deepest, else any of the archive */
	i = rnd(&s) % 2 ? best : rnd(&s) % depth_nr;
	if (depth[i].size > max_size)
		return 0;
	memcpy(data, depth[i].data, depth[i].size);
	return depth[i].size;
}

/* ---------------------------------------------------------------------
 * Dictionaries
 * --------------------------------------------------------------------- */

static void dict_record(struct opl_str *out, const char *op_name,
			const char *variant, const uint8_t *rec, size_t len)
{
	opl_str_printf(out, "%s%s%s=\"", op_name, variant[0] ? "_" : "",
		       variant);
	for (size_t i = 0; i < len; i++)
		opl_str_printf(out, "\\x%02x", rec[i]);
	opl_str_printf(out, "\"\n");
}

void opl_dict_ops(struct opl_str *out)
{
	opl_str_printf(out,
		"# fuzz_ops dictionary: one op record each (opcode byte, one byte per\n"
		"# argument), generated from the op table (lusim dict fuzz_ops).\n"
		"# Do not edit: regenerate with lusim gen-corpus ROOT (tests check it).\n");
	for (unsigned int op = 0; op < opl_nr_ops; op++) {
		const struct opl_op *d = &opl_ops[op];
		unsigned int n = opl_op_nr_args(d);
		uint8_t rec[1 + OPL_MAX_ARGS];
		char variant[64];

		rec[0] = (uint8_t)op;
		for (unsigned int i = 0; i < n; i++)
			rec[1 + i] = d->args[i].def;
		opl_str_printf(out, "# %s\n", d->name);
		dict_record(out, d->name, "", rec, 1 + n);
		/* variants: each symbol of an enum or flag argument, PASID 1 */
		for (unsigned int i = 0; i < n; i++) {
			const struct opl_arg *a = &d->args[i];
			uint8_t save = rec[1 + i];

			if (a->type == OPA_ENUM || a->type == OPA_FLAGS) {
				for (unsigned int j = 0; a->syms[j].name; j++) {
					uint8_t b = a->type == OPA_ENUM ?
						    (uint8_t)j : (uint8_t)(1u << j);

					if (b == save)
						continue;
					rec[1 + i] = b;
					snprintf(variant, sizeof(variant), "%s_%s",
						 a->name, a->syms[j].name);
					dict_record(out, d->name, variant, rec, 1 + n);
				}
			} else if (a->type == OPA_PASID) {
				rec[1 + i] = 1;
				dict_record(out, d->name, "pasid_1", rec, 1 + n);
			}
			rec[1 + i] = save;
		}
	}
}

void opl_dict_scenario(struct opl_str *out)
{
	static const char *const words[] = {
		"expect", "expect ok", "expect finding", "expect no findings",
		"expect no finding", "expect fail", "bugs", "raw:", "raw:-1",
		" = ", "#", "\n", "all", "on", "off", "RB-01", "0x1000",
	};
	static const char *const errnos[] = {
		"EBUSY", "ENOENT", "EINVAL", "EPERM", "EOPNOTSUPP", "ENOMEM",
		"EBADF", "EEXIST", "ENOTTY", "EFAULT", "EIO", "ENODEV",
		"EADDRINUSE", "EILSEQ", "ENOSPC",
	};

	opl_str_printf(out,
		"# fuzz_scenario dictionary: the words of the scenario language,\n"
		"# generated from the op table (lusim dict fuzz_scenario).\n"
		"# Do not edit: regenerate with lusim gen-corpus ROOT (tests check it).\n");
	for (unsigned int i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		opl_str_printf(out, "kw%u=\"", i);
		for (const char *p = words[i]; *p; p++) {
			/* libFuzzer and AFL++ know \\, \" and \xNN escapes */
			if (*p < 0x20 || *p == '"' || *p == '\\')
				opl_str_printf(out, "\\x%02x", (unsigned char)*p);
			else
				opl_str_printf(out, "%c", *p);
		}
		opl_str_printf(out, "\"\n");
	}
	for (unsigned int i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		opl_str_printf(out, "errno_%s=\"-%s\"\n", errnos[i], errnos[i]);
	for (unsigned int k = OPK_IOMMUFD; k < OPK_NR_KINDS; k++)
		opl_str_printf(out, "name_%s=\"%s0\"\n", opl_kind_name(k),
			       opl_kind_name(k));
	for (unsigned int op = 0; op < opl_nr_ops; op++) {
		const struct opl_op *d = &opl_ops[op];

		opl_str_printf(out, "op_%s=\"%s\"\n", d->name, d->name);
		for (unsigned int i = 0; i < opl_op_nr_args(d); i++) {
			const struct opl_arg *a = &d->args[i];

			if (a->type == OPA_HANDLE)
				continue;
			opl_str_printf(out, "arg_%s_%s=\"%s=\"\n", d->name,
				       a->name, a->name);
			for (unsigned int j = 0; a->syms && a->syms[j].name; j++)
				opl_str_printf(out, "sym_%s_%s_%s=\"%s\"\n",
					       d->name, a->name, a->syms[j].name,
					       a->syms[j].name);
		}
	}
}

/* ---------------------------------------------------------------------
 * Help
 * --------------------------------------------------------------------- */

static void help_arg(const struct opl_arg *a, struct opl_str *out)
{
	switch (a->type) {
	case OPA_HANDLE:
		opl_str_printf(out, " %s", opl_kind_name(a->kind));
		if (strcmp(a->name, opl_kind_name(a->kind)))
			opl_str_printf(out, "(%s)", a->name);
		return;
	case OPA_NUM:
		opl_str_printf(out, " [%s=0..%u]", a->name, a->max);
		break;
	case OPA_PAGES:
		opl_str_printf(out, " [%s=0..254|all]", a->name);
		break;
	case OPA_IOVA:
		opl_str_printf(out, " [%s=0x0..0xff000]", a->name);
		break;
	case OPA_PASID:
		opl_str_printf(out, " [%s=N]", a->name);
		break;
	case OPA_FLAGS:
		opl_str_printf(out, " [%s=", a->name);
		for (unsigned int j = 0; a->syms[j].name; j++)
			opl_str_printf(out, "%s%s", j ? "," : "", a->syms[j].name);
		opl_str_printf(out, "|none]");
		break;
	case OPA_ENUM:
		opl_str_printf(out, " [%s=", a->name);
		for (unsigned int j = 0; a->syms[j].name; j++)
			opl_str_printf(out, "%s%s", j ? "|" : "", a->syms[j].name);
		opl_str_printf(out, "]");
		break;
	case OPA_BOOL:
		opl_str_printf(out, " [%s=on|off]", a->name);
		break;
	case OPA_NAME:
		opl_str_printf(out, " [%s=vm0..vm7]", a->name);
		break;
	}
}

void opl_help_ops(struct opl_str *out)
{
	for (unsigned int op = 0; op < opl_nr_ops; op++) {
		const struct opl_op *d = &opl_ops[op];
		unsigned int n = opl_op_nr_args(d);
		bool defaults = false;

		opl_str_printf(out, "  ");
		if (d->product)
			opl_str_printf(out, "%s = ", opl_kind_name(d->product));
		opl_str_printf(out, "%s", d->name);
		for (unsigned int i = 0; i < n; i++)
			help_arg(&d->args[i], out);
		opl_str_printf(out, "\n      %s", d->help);
		for (unsigned int i = 0; i < n; i++) {
			const struct opl_arg *a = &d->args[i];

			if (a->type == OPA_HANDLE)
				continue;
			opl_str_printf(out, "%s%s=", defaults ? " " : "; default ",
				       a->name);
			opl_print_value(a, a->def, out);
			defaults = true;
		}
		opl_str_printf(out, "\n");
	}
}
