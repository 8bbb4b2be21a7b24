// SPDX-License-Identifier: GPL-2.0-only
/*
 * Text scenarios: the op language for people (docs/oplang.md).
 *
 *	# a comment; blank lines are fine
 *	bugs RB-01,RB-03                  # reviewer-bug switches for this run
 *	fd = iommufd_open                 # NAME = OP binds what the op makes
 *	ioas A = ioas_alloc fd            # an optional kind says what it is
 *	m = memfd_create
 *	memfd_truncate m pages=4
 *	ioas_map_file fd A m iova=0x10000 pages=4 expect ok
 *	destroy fd A expect -EBUSY        # an errno name, ok, fail or a number
 *	expect finding WARN               # a finding fired by now
 *	expect no findings                # none so far
 *
 * Handles are positional, in the op's order (`lusim help ops`); the other
 * arguments are key=value and default when left out. A handle is a name
 * bound earlier (live, destroyed, or even of another kind: the wrong-type
 * and stale-id paths are reachable on purpose) or raw:N, a raw fd or id
 * from opl_raw_values. A standalone `expect RESULT` line checks the op
 * before it. Expects after the last op are checked after the run ended
 * (process exit, teardown oracles, leak checks). A run passes when every
 * expect holds and every finding that fired is named by an
 * `expect finding` line.
 *
 * Parsing is complete before anything runs: every error is reported as
 * "file:line:col: message" and nothing runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lusim/bugs.h>
#include <lusim/findings.h>

#include "opl_internal.h"
#include "oprace.h"
#include <lusim/actor.h>

#define MAX_ERRORS	20
#define NAME_MAX_LEN	64
#define ID_MAX_LEN	64

enum stmt_type {
	ST_OP,
	ST_EXPECT_FINDING,
	ST_EXPECT_NO_FINDINGS,
	ST_EXPECT_NO_FINDING,
	ST_SCHEDULE,		/* `schedule ...`: bytes sched[off..off+len) */
};

enum expect_type {
	EX_NONE,
	EX_OK,		/* >= 0 */
	EX_FAIL,	/* < 0 */
	EX_VALUE,	/* exactly */
};

struct scen_stmt {
	uint8_t type;
	uint8_t op;
	uint8_t expect;
	int16_t bind;			/* name defined by this op, -1 */
	int16_t name[OPL_MAX_ARGS];	/* handles: a name, or -1 (raw) */
	uint8_t bytes[OPL_MAX_ARGS];
	uint32_t col[OPL_MAX_ARGS];
	int expect_value;
	uint32_t line, col_start;
	uint32_t expect_line, expect_col;
	int op_index;			/* n-th op statement */
	char id[ID_MAX_LEN];
	uint8_t actor;			/* `@N OP`: N + 1; 0 = sequential */
	uint32_t sched_off, sched_len;	/* ST_SCHEDULE */
	int call;			/* at run time, ops of a block: the call */
};

struct scen_name {
	char s[NAME_MAX_LEN];
	uint32_t line;
	uint8_t kind;			/* what the binding op makes */
	int obj;			/* at run time */
};

struct opl_script {
	char *file;
	struct scen_stmt *stmts;
	unsigned int nr_stmts, cap_stmts;
	struct scen_name *names;
	unsigned int nr_names, cap_names;
	char bugs[256];
	uint32_t bugs_line;
	unsigned int nr_ops;
	/* concurrency (issue 9, docs/concurrency.md) */
	uint8_t *sched;
	unsigned int nr_sched, cap_sched;
	unsigned int actors;		/* `actors N`, else max @N + 1 (>= 2) */
	uint32_t actors_line;
	bool racy;			/* any @N, schedule or actors line */
};

/* ---------------------------------------------------------------------
 * Parsing
 * --------------------------------------------------------------------- */

struct tok {
	const char *s;
	size_t len;
	uint32_t col;
};

#define MAX_TOKS	32

struct parser {
	struct opl_script *s;
	struct opl_str *err;
	unsigned int nr_errors;
	uint32_t line;
	uint8_t actor;			/* the line's `@N` prefix: N + 1 */
};

static void perr(struct parser *p, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct parser *p, uint32_t col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	p->nr_errors++;
	if (!p->err || p->nr_errors > MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	opl_str_printf(p->err, "%s:%u:%u: %s\n", p->s->file, p->line, col, msg);
	if (p->nr_errors == MAX_ERRORS)
		opl_str_printf(p->err, "%s: too many errors, stopping\n",
			       p->s->file);
}

static void *grow(void *p, unsigned int *cap, unsigned int n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 16;
	p = realloc(p, *cap * size);
	if (!p) {
		fputs("lusim: out of host memory\n", stderr);
		abort();
	}
	return p;
}

static bool tok_is(const struct tok *t, const char *w)
{
	return t->len == strlen(w) && !memcmp(t->s, w, t->len);
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident(const char *s, size_t len)
{
	if (!len || !is_ident_start(s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_ident_start(s[i]) && !(s[i] >= '0' && s[i] <= '9'))
			return false;
	return true;
}

/* An unsigned number, decimal or 0x hex; false on anything else. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		unsigned int d;

		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned int)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned int)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned int)(s[i] - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static int find_name(const struct opl_script *s, const char *n, size_t len)
{
	for (unsigned int i = 0; i < s->nr_names; i++)
		if (strlen(s->names[i].s) == len && !memcmp(s->names[i].s, n, len))
			return (int)i;
	return -1;
}

static int find_kind(const char *n, size_t len)
{
	for (unsigned int k = OPK_IOMMUFD; k < OPK_NR_KINDS; k++)
		if (strlen(opl_kind_name(k)) == len &&
		    !memcmp(opl_kind_name(k), n, len))
			return (int)k;
	return -1;
}

static bool reserved_word(const char *n, size_t len)
{
	static const char *const words[] = {
		"expect", "bugs", "raw", "ok", "fail", "finding", "findings", "no",
		"schedule", "actors",
	};

	for (unsigned int i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == len && !memcmp(words[i], n, len))
			return true;
	return opl_op_find(n, len) >= 0;
}

/* Parse the value of a scalar argument into its byte; false when invalid. */
static bool parse_value(const struct opl_arg *a, const char *v, size_t len,
			uint8_t *byte, char *why, size_t why_len)
{
	uint64_t n;

	switch (a->type) {
	case OPA_NUM:
		if (!parse_u64(v, len, &n) || n > a->max)
			goto range;
		*byte = (uint8_t)n;
		return true;
	case OPA_PAGES:
		if (len == 3 && !memcmp(v, "all", 3)) {
			*byte = 255;
			return true;
		}
		if (!parse_u64(v, len, &n) || n > 254)
			goto range;
		*byte = (uint8_t)n;
		return true;
	case OPA_IOVA:
		if (!parse_u64(v, len, &n) || n % OPL_PAGE_SIZE ||
		    n / OPL_PAGE_SIZE > 255)
			goto range;
		*byte = (uint8_t)(n / OPL_PAGE_SIZE);
		return true;
	case OPA_PASID:
		if (!parse_u64(v, len, &n))
			goto range;
		if (n < 240) {
			*byte = (uint8_t)n;
			return true;
		}
		for (unsigned int i = 0; i < 16; i++) {
			if (opl_pasid_values[i] == n) {
				*byte = (uint8_t)(240 + i);
				return true;
			}
		}
		goto range;
	case OPA_FLAGS: {
		uint8_t b = 0;
		size_t i = 0;

		if ((len == 4 && !memcmp(v, "none", 4)) ||
		    (len == 1 && v[0] == '0')) {
			*byte = 0;
			return true;
		}
		while (i < len) {
			size_t j = i;
			unsigned int k;

			while (j < len && v[j] != ',')
				j++;
			for (k = 0; a->syms[k].name; k++)
				if (strlen(a->syms[k].name) == j - i &&
				    !memcmp(a->syms[k].name, v + i, j - i))
					break;
			if (!a->syms[k].name)
				goto range;
			b |= (uint8_t)(1u << k);
			i = j + 1;
			if (j + 1 == len)	/* a trailing comma */
				goto range;
		}
		*byte = b;
		return true;
	}
	case OPA_ENUM:
		for (unsigned int k = 0; a->syms[k].name; k++) {
			if (strlen(a->syms[k].name) == len &&
			    !memcmp(a->syms[k].name, v, len)) {
				*byte = (uint8_t)k;
				return true;
			}
		}
		goto range;
	case OPA_BOOL:
		if ((len == 2 && !memcmp(v, "on", 2)) ||
		    (len == 1 && v[0] == '1') ||
		    (len == 3 && !memcmp(v, "yes", 3))) {
			*byte = 1;
			return true;
		}
		if ((len == 3 && !memcmp(v, "off", 3)) ||
		    (len == 1 && v[0] == '0') ||
		    (len == 2 && !memcmp(v, "no", 2))) {
			*byte = 0;
			return true;
		}
		goto range;
	case OPA_NAME:
		if (len == 3 && v[0] == 'v' && v[1] == 'm' && v[2] >= '0' &&
		    v[2] <= '7') {
			*byte = (uint8_t)(v[2] - '0');
			return true;
		}
		goto range;
	default:
		break;
	}
range:
	switch (a->type) {
	case OPA_NUM:
		snprintf(why, why_len, "a number 0..%u", a->max);
		break;
	case OPA_PAGES:
		snprintf(why, why_len, "a page count 0..254 or all");
		break;
	case OPA_IOVA:
		snprintf(why, why_len, "a page-aligned address below 0x100000");
		break;
	case OPA_PASID:
		snprintf(why, why_len,
			 "a PASID below 240 or one of 255, 256, 1000, 1023, 1024, 4095, 4096, 65535, 65536, 0xffffe, 0xfffff, 0x100000, 0x100001, 0x7fffffff, 0xfffffffe, 0xffffffff");
		break;
	case OPA_FLAGS:
	case OPA_ENUM: {
		size_t used = (size_t)snprintf(why, why_len, "%s",
					       a->type == OPA_FLAGS ?
					       "a comma list of" : "one of");

		for (unsigned int k = 0; a->syms[k].name && used < why_len; k++)
			used += (size_t)snprintf(why + used, why_len - used,
						 " %s", a->syms[k].name);
		if (a->type == OPA_FLAGS && used < why_len)
			snprintf(why + used, why_len - used, ", or none");
		break;
	}
	case OPA_BOOL:
		snprintf(why, why_len, "on or off");
		break;
	case OPA_NAME:
		snprintf(why, why_len, "a session name vm0..vm7");
		break;
	default:
		snprintf(why, why_len, "a value");
		break;
	}
	return false;
}

/* "ok", "fail", "-EBUSY", "EBUSY", "-16", "3" */
static bool parse_result(const struct tok *t, uint8_t *type, int *value)
{
	uint64_t n;
	int e;

	if (tok_is(t, "ok")) {
		*type = EX_OK;
		return true;
	}
	if (tok_is(t, "fail")) {
		*type = EX_FAIL;
		return true;
	}
	e = opl_errno_parse(t->s, t->len);
	if (e > 0) {
		*type = EX_VALUE;
		*value = -e;
		return true;
	}
	if (t->len > 1 && t->s[0] == '-' && parse_u64(t->s + 1, t->len - 1, &n) &&
	    n <= 4095) {
		*type = EX_VALUE;
		*value = -(int)n;
		return true;
	}
	if (parse_u64(t->s, t->len, &n) && n <= 0x7fffffff) {
		*type = EX_VALUE;
		*value = (int)n;
		return true;
	}
	return false;
}

static struct scen_stmt *new_stmt(struct parser *p, uint8_t type, uint32_t col)
{
	struct opl_script *s = p->s;
	struct scen_stmt *st;

	s->stmts = grow(s->stmts, &s->cap_stmts, s->nr_stmts, sizeof(*s->stmts));
	st = &s->stmts[s->nr_stmts++];
	memset(st, 0, sizeof(*st));
	st->type = type;
	st->line = p->line;
	st->col_start = col;
	st->bind = -1;
	st->op_index = -1;
	st->call = -1;
	if (type == ST_OP)
		st->actor = p->actor;
	for (unsigned int i = 0; i < OPL_MAX_ARGS; i++)
		st->name[i] = -1;
	return st;
}

/* The op statement a standalone `expect RESULT` line belongs to. */
static struct scen_stmt *last_op_stmt(struct opl_script *s)
{
	for (unsigned int i = s->nr_stmts; i > 0; i--)
		if (s->stmts[i - 1].type == ST_OP)
			return &s->stmts[i - 1];
	return NULL;
}

static void parse_expect(struct parser *p, const struct tok *t, unsigned int n)
{
	struct scen_stmt *st;
	const struct tok *id = NULL;
	uint8_t type = ST_EXPECT_FINDING;

	if (n == 1) {
		perr(p, t[0].col + (uint32_t)t[0].len,
		     "expect what? (ok, fail, an errno, a number, finding ID, no findings)");
		return;
	}
	if (tok_is(&t[1], "finding")) {
		if (n != 3) {
			perr(p, n < 3 ? t[1].col + (uint32_t)t[1].len : t[3].col,
			     n < 3 ? "expect finding: the finding id is missing" :
				     "expect finding ID: one id per line");
			return;
		}
		id = &t[2];
	} else if (tok_is(&t[1], "no")) {
		if (n == 3 && tok_is(&t[2], "findings")) {
			type = ST_EXPECT_NO_FINDINGS;
		} else if (n == 4 && tok_is(&t[2], "finding")) {
			type = ST_EXPECT_NO_FINDING;
			id = &t[3];
		} else {
			perr(p, t[1].col, "write 'expect no findings' or 'expect no finding ID'");
			return;
		}
	} else {
		/* expect RESULT: for the op on the line before */
		st = last_op_stmt(p->s);
		if (n != 2) {
			perr(p, t[2].col, "expect RESULT: one result per line");
			return;
		}
		if (!st) {
			perr(p, t[0].col, "expect %.*s: no op before it",
			     (int)t[1].len, t[1].s);
			return;
		}
		if (st->expect != EX_NONE) {
			perr(p, t[0].col, "the op of line %u has an expect already",
			     st->line);
			return;
		}
		if (!parse_result(&t[1], &st->expect, &st->expect_value)) {
			perr(p, t[1].col,
			     "bad result '%.*s' (ok, fail, an errno name like -EBUSY, or a number)",
			     (int)t[1].len, t[1].s);
			return;
		}
		st->expect_line = p->line;
		st->expect_col = t[0].col;
		return;
	}
	if (id) {
		bool ok = id->len > 0 && id->len < ID_MAX_LEN;

		for (size_t i = 0; ok && i < id->len; i++)
			ok = (id->s[i] >= 'A' && id->s[i] <= 'Z') ||
			     (id->s[i] >= '0' && id->s[i] <= '9') ||
			     id->s[i] == '-' || id->s[i] == '_';
		if (!ok) {
			perr(p, id->col,
			     "bad finding id '%.*s' (capitals, digits and '-', like LOCK-ORDER-CYCLE)",
			     (int)id->len, id->s);
			return;
		}
	}
	st = new_stmt(p, type, t[0].col);
	if (id)
		snprintf(st->id, sizeof(st->id), "%.*s", (int)id->len, id->s);
}

static void parse_bugs(struct parser *p, const struct tok *t, unsigned int n)
{
	struct opl_script *s = p->s;
	size_t used = 0;

	if (s->bugs_line) {
		perr(p, t[0].col, "a second bugs line (the first is line %u)",
		     s->bugs_line);
		return;
	}
	if (n == 1) {
		perr(p, t[0].col + (uint32_t)t[0].len,
		     "bugs: list the switches, like bugs RB-01,RB-03");
		return;
	}
	s->bugs_line = p->line;
	for (unsigned int i = 1; i < n; i++) {
		const char *q = t[i].s, *end = t[i].s + t[i].len;

		while (q < end) {
			const char *e;
			char one[32];
			int nr;

			if (*q == ',') {
				q++;
				continue;
			}
			e = q;
			while (e < end && *e != ',')
				e++;
			snprintf(one, sizeof(one), "%.*s", (int)(e - q), q);
			nr = (e - q) < (long)sizeof(one) ?
			     lusim_bug_parse(one, NULL) : -EINVAL;
			if (nr < 0) {
				perr(p, t[i].col + (uint32_t)(q - t[i].s),
				     "bad bug id '%.*s' (RB-1 .. RB-%u)",
				     (int)(e - q), q, LUSIM_BUG_MAX);
			} else if (used + 8 < sizeof(s->bugs)) {
				used += (size_t)snprintf(s->bugs + used,
							 sizeof(s->bugs) - used,
							 "%sRB-%02d",
							 used ? "," : "", nr);
			}
			q = e;
		}
	}
}

static void parse_op(struct parser *p, const struct tok *t, unsigned int n)
{
	struct opl_script *s = p->s;
	const struct opl_op *d;
	struct scen_stmt *st;
	unsigned int i = 0, nargs, h = 0, nh = 0;
	int kind = -1, op, bind = -1;
	const struct tok *bind_tok = NULL;
	bool seen[OPL_MAX_ARGS] = { false };
	uint8_t expect = EX_NONE;
	int expect_value = 0;
	uint32_t expect_col = 0;
	unsigned int errors = p->nr_errors;

	/* [KIND] [NAME =] OP */
	if (n >= 4 && tok_is(&t[2], "=") && (kind = find_kind(t[0].s, t[0].len)) >= 0) {
		i = 1;
	} else if (n >= 3 && tok_is(&t[1], "=")) {
		kind = -1;
	} else {
		kind = -1;
		if (n >= 2 && !tok_is(&t[1], "=") && find_kind(t[0].s, t[0].len) >= 0 &&
		    opl_op_find(t[0].s, t[0].len) < 0) {
			perr(p, t[0].col, "'%.*s NAME = OP': the '=' is missing",
			     (int)t[0].len, t[0].s);
			return;
		}
	}
	if (i + 1 < n && tok_is(&t[i + 1], "=")) {
		bind_tok = &t[i];
		i += 2;
	}
	if (i >= n) {
		perr(p, t[n - 1].col + (uint32_t)t[n - 1].len, "the op is missing after '='");
		return;
	}
	op = opl_op_find(t[i].s, t[i].len);
	if (op < 0) {
		perr(p, t[i].col, "unknown op '%.*s' (lusim help ops lists them)",
		     (int)t[i].len, t[i].s);
		return;
	}
	d = &opl_ops[op];
	nargs = opl_op_nr_args(d);
	for (unsigned int a = 0; a < nargs; a++)
		nh += d->args[a].type == OPA_HANDLE;

	if (bind_tok) {
		if (!is_ident(bind_tok->s, bind_tok->len) ||
		    bind_tok->len >= NAME_MAX_LEN) {
			perr(p, bind_tok->col, "bad name '%.*s' (letters, digits, _; at most %u)",
			     (int)bind_tok->len, bind_tok->s, NAME_MAX_LEN - 1);
		} else if (reserved_word(bind_tok->s, bind_tok->len)) {
			perr(p, bind_tok->col, "'%.*s' is a reserved word, not a name",
			     (int)bind_tok->len, bind_tok->s);
		} else if ((bind = find_name(s, bind_tok->s, bind_tok->len)) >= 0) {
			perr(p, bind_tok->col, "name '%.*s' is already defined at line %u",
			     (int)bind_tok->len, bind_tok->s, s->names[bind].line);
			bind = -1;
		} else if (d->product == OPK_NONE) {
			perr(p, bind_tok->col, "%s makes nothing to name", d->name);
		} else if (kind >= 0 && kind != d->product &&
			   !(d->product == OPK_FILE && opl_kind_is_fd((unsigned int)kind))) {
			perr(p, t[0].col, "%s makes a %s, not a %s", d->name,
			     opl_kind_name(d->product), opl_kind_name((unsigned int)kind));
		} else {
			s->names = grow(s->names, &s->cap_names, s->nr_names,
					sizeof(*s->names));
			bind = (int)s->nr_names++;
			snprintf(s->names[bind].s, NAME_MAX_LEN, "%.*s",
				 (int)bind_tok->len, bind_tok->s);
			s->names[bind].line = p->line;
			s->names[bind].kind = kind >= 0 ? (uint8_t)kind : d->product;
		}
	}

	st = new_stmt(p, ST_OP, t[0].col);
	st->op = (uint8_t)op;
	st->bind = (int16_t)bind;
	for (unsigned int a = 0; a < nargs; a++)
		st->bytes[a] = d->args[a].def;

	for (i++; i < n; i++) {
		const struct tok *k = &t[i];
		const char *eq = memchr(k->s, '=', k->len);

		if (tok_is(k, "expect")) {
			if (i + 2 != n) {
				perr(p, k->col, i + 1 == n ? "expect what? (ok, fail, an errno, a number)" :
				     "expect RESULT ends the line");
				break;
			}
			if (!parse_result(&t[i + 1], &expect, &expect_value))
				perr(p, t[i + 1].col,
				     "bad result '%.*s' (ok, fail, an errno name like -EBUSY, or a number)",
				     (int)t[i + 1].len, t[i + 1].s);
			expect_col = k->col;
			break;
		}
		if (eq) {
			size_t klen = (size_t)(eq - k->s);
			unsigned int a;
			char why[256];

			for (a = 0; a < nargs; a++)
				if (d->args[a].type != OPA_HANDLE &&
				    strlen(d->args[a].name) == klen &&
				    !memcmp(d->args[a].name, k->s, klen))
					break;
			if (a == nargs) {
				struct opl_str keys = { 0 };

				for (unsigned int b = 0; b < nargs; b++)
					if (d->args[b].type != OPA_HANDLE)
						opl_str_printf(&keys, "%s%s",
							       keys.len ? ", " : "",
							       d->args[b].name);
				perr(p, k->col, "%s has no argument '%.*s' (%s%s)",
				     d->name, (int)klen, k->s,
				     keys.len ? "it has: " : "it has none",
				     keys.len ? keys.s : "");
				opl_str_free(&keys);
				continue;
			}
			if (seen[a]) {
				perr(p, k->col, "%s given twice", d->args[a].name);
				continue;
			}
			seen[a] = true;
			if (!parse_value(&d->args[a], eq + 1, k->len - klen - 1,
					 &st->bytes[a], why, sizeof(why)))
				perr(p, k->col + (uint32_t)klen + 1,
				     "bad %s '%.*s': %s", d->args[a].name,
				     (int)(k->len - klen - 1), eq + 1, why);
			continue;
		}
		/* a handle: the next positional argument */
		while (h < nargs && d->args[h].type != OPA_HANDLE)
			h++;
		if (h == nargs) {
			perr(p, k->col, "%s takes %u handle%s; '%.*s' is one too many",
			     d->name, nh, nh == 1 ? "" : "s", (int)k->len, k->s);
			break;
		}
		st->col[h] = k->col;
		if (k->len > 4 && !memcmp(k->s, "raw:", 4)) {
			uint64_t v;
			unsigned int r;
			bool neg = k->s[4] == '-';

			if (neg && k->len == 6 && k->s[5] == '1')
				v = 0xffffffff;
			else if (neg || !parse_u64(k->s + 4, k->len - 4, &v))
				v = UINT64_MAX;
			for (r = 0; r < 16; r++)
				if (opl_raw_values[r] == v)
					break;
			if (r == 16)
				perr(p, k->col + 4,
				     "raw value '%.*s' cannot be encoded (0..13, 2147483647, -1)",
				     (int)(k->len - 4), k->s + 4);
			st->bytes[h] = (uint8_t)(0xf0 | (r & 15));
		} else if (!is_ident(k->s, k->len)) {
			perr(p, k->col, "'%.*s' is not a name, raw:N or key=value",
			     (int)k->len, k->s);
		} else {
			int nm = find_name(s, k->s, k->len);

			if (nm < 0 || nm == bind)
				perr(p, k->col, "unknown name '%.*s'%s", (int)k->len, k->s,
				     opl_op_find(k->s, k->len) >= 0 ?
				     " (one op per line)" : "");
			st->name[h] = (int16_t)nm;
		}
		h++;
	}
	while (h < nargs && d->args[h].type != OPA_HANDLE)
		h++;
	if (h < nargs && p->nr_errors == errors) {
		struct opl_str need = { 0 };

		for (unsigned int b = 0; b < nargs; b++)
			if (d->args[b].type == OPA_HANDLE)
				opl_str_printf(&need, " %s", opl_kind_name(d->args[b].kind));
		perr(p, t[n - 1].col + (uint32_t)t[n - 1].len,
		     "%s needs %u handle%s:%s", d->name, nh, nh == 1 ? "" : "s",
		     need.s ? need.s : "");
		opl_str_free(&need);
	}
	st->expect = expect;
	st->expect_value = expect_value;
	st->expect_line = p->line;
	st->expect_col = expect_col;
	st->op_index = (int)s->nr_ops++;
	if (s->nr_ops == OPL_MAX_CALLS + 1)
		perr(p, t[0].col, "too many ops (at most %u)", OPL_MAX_CALLS);
}

/*
 * `schedule B...`: B is an actor number (0..127: run that actor at the next
 * point) or +K (1..128: keep the running actor for K points).
 */
static void parse_schedule(struct parser *p, const struct tok *t, unsigned int n)
{
	struct opl_script *s = p->s;
	struct scen_stmt *st;

	if (n == 1) {
		perr(p, t[0].col + (uint32_t)t[0].len,
		     "schedule: list actor numbers and +K, like schedule 0 +3 1");
		return;
	}
	s->racy = true;
	st = new_stmt(p, ST_SCHEDULE, t[0].col);
	st->sched_off = s->nr_sched;
	for (unsigned int i = 1; i < n; i++) {
		bool keep = t[i].s[0] == '+';
		uint64_t v;

		if (!parse_u64(t[i].s + keep, t[i].len - keep, &v) ||
		    (keep ? v < 1 || v > 128 : v > 127)) {
			perr(p, t[i].col, "bad schedule choice '%.*s' (an actor 0..127, or +1..+128)",
			     (int)t[i].len, t[i].s);
			continue;
		}
		s->sched = grow(s->sched, &s->cap_sched, s->nr_sched, 1);
		s->sched[s->nr_sched++] = keep ? (uint8_t)(0x80 | (v - 1)) : (uint8_t)v;
	}
	st->sched_len = s->nr_sched - st->sched_off;
}

static void parse_actors(struct parser *p, const struct tok *t, unsigned int n)
{
	struct opl_script *s = p->s;
	uint64_t v;

	if (n != 2 || !parse_u64(t[1].s, t[1].len, &v) || v < 2 ||
	    v > LUSIM_MAX_ACTORS) {
		perr(p, t[0].col, "actors N: N from 2 to %u", LUSIM_MAX_ACTORS);
		return;
	}
	if (s->actors_line) {
		perr(p, t[0].col, "a second actors line (the first is line %u)",
		     s->actors_line);
		return;
	}
	s->actors_line = p->line;
	s->actors = (unsigned int)v;
	s->racy = true;
}

static void parse_line(struct parser *p, const char *line, size_t len)
{
	struct tok t[MAX_TOKS];
	unsigned int n = 0;
	size_t i = 0;

	/* `@N OP ...`: the op runs on actor N in a concurrent block */
	p->actor = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == '@') {
		size_t start = i++;
		uint64_t v;

		while (i < len && line[i] >= '0' && line[i] <= '9')
			i++;
		if (!parse_u64(line + start + 1, i - start - 1, &v) ||
		    v >= LUSIM_MAX_ACTORS ||
		    (i < len && line[i] != ' ' && line[i] != '\t')) {
			perr(p, (uint32_t)start + 1, "bad actor '@...': @0 to @%u, then the op",
			     LUSIM_MAX_ACTORS - 1);
			return;
		}
		p->actor = (uint8_t)(v + 1);
		p->s->racy = true;
		if (p->s->actors < v + 1 && !p->s->actors_line)
			p->s->actors = (unsigned int)v + 1;
	}

	while (i < len) {
		size_t start;

		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++;
			continue;
		}
		if (line[i] == '#')
			break;
		if (line[i] == '\0') {
			perr(p, (uint32_t)i + 1, "a NUL byte");
			return;
		}
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t' &&
		       line[i] != '\r' && line[i] != '#' && line[i] != '\0')
			i++;
		if (n == MAX_TOKS) {
			perr(p, (uint32_t)start + 1, "too many words on one line (at most %u)",
			     MAX_TOKS);
			return;
		}
		t[n].s = line + start;
		t[n].len = i - start;
		t[n].col = (uint32_t)start + 1;
		/* "NAME=OP" is "NAME = OP" */
		if (n == 0 || (n == 1 && find_kind(t[0].s, t[0].len) >= 0)) {
			const char *eq = memchr(t[n].s, '=', t[n].len);

			if (eq && eq > t[n].s && eq + 1 < t[n].s + t[n].len &&
			    opl_op_find(eq + 1, (size_t)(t[n].s + t[n].len - eq - 1)) >= 0 &&
			    n + 2 < MAX_TOKS) {
				size_t l1 = (size_t)(eq - t[n].s);

				t[n + 2].s = eq + 1;
				t[n + 2].len = t[n].len - l1 - 1;
				t[n + 2].col = t[n].col + (uint32_t)l1 + 1;
				t[n + 1].s = eq;
				t[n + 1].len = 1;
				t[n + 1].col = t[n].col + (uint32_t)l1;
				t[n].len = l1;
				n += 2;
			}
		}
		n++;
	}
	if (!n) {
		if (p->actor)
			perr(p, 1, "@N needs an op after it");
		return;
	}
	if (p->actor && (tok_is(&t[0], "expect") || tok_is(&t[0], "bugs") ||
			 tok_is(&t[0], "schedule") || tok_is(&t[0], "actors"))) {
		perr(p, t[0].col, "@N prefixes ops only");
		return;
	}
	if (tok_is(&t[0], "expect"))
		parse_expect(p, t, n);
	else if (tok_is(&t[0], "bugs"))
		parse_bugs(p, t, n);
	else if (tok_is(&t[0], "schedule"))
		parse_schedule(p, t, n);
	else if (tok_is(&t[0], "actors"))
		parse_actors(p, t, n);
	else
		parse_op(p, t, n);
}

struct opl_script *opl_script_parse(const char *file, const char *text,
				    size_t len, struct opl_str *err)
{
	struct opl_script *s = calloc(1, sizeof(*s));
	struct parser p = { .s = s, .err = err };
	size_t pos = 0;

	if (!s || !(s->file = strdup(file ? file : "-"))) {
		fputs("lusim: out of host memory\n", stderr);
		abort();
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		p.line++;
		parse_line(&p, text + pos, end - pos);
		pos = end + 1;
	}
	if (p.nr_errors) {
		opl_script_free(s);
		return NULL;
	}
	if (s->racy && s->actors < 2)
		s->actors = 2;
	return s;
}

void opl_script_free(struct opl_script *s)
{
	if (!s)
		return;
	free(s->file);
	free(s->stmts);
	free(s->names);
	free(s->sched);
	free(s);
}

const char *opl_script_bugs(const struct opl_script *s)
{
	return s->bugs;
}

bool opl_script_expects_findings(const struct opl_script *s)
{
	for (unsigned int i = 0; i < s->nr_stmts; i++)
		if (s->stmts[i].type == ST_EXPECT_FINDING)
			return true;
	return false;
}

unsigned int opl_script_nr_ops(const struct opl_script *s)
{
	return s->nr_ops;
}

/* ---------------------------------------------------------------------
 * Running
 * --------------------------------------------------------------------- */

static void print_ret(int ret, char *buf, size_t len)
{
	const char *name = ret < 0 ? opl_errno_name(ret) : NULL;

	if (ret >= 0)
		snprintf(buf, len, "%d (ok)", ret);
	else if (name)
		snprintf(buf, len, "-%s", name);
	else
		snprintf(buf, len, "%d", ret);
}

static void print_expect(const struct scen_stmt *st, char *buf, size_t len)
{
	switch (st->expect) {
	case EX_OK:
		snprintf(buf, len, "ok");
		break;
	case EX_FAIL:
		snprintf(buf, len, "fail");
		break;
	default:
		print_ret(st->expect_value, buf, len);
		break;
	}
}

static bool expect_holds(const struct scen_stmt *st, int ret)
{
	switch (st->expect) {
	case EX_OK:
		return ret >= 0;
	case EX_FAIL:
		return ret < 0;
	default:
		return ret == st->expect_value;
	}
}

static unsigned int nr_unsuppressed(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < lusim_findings_count(); i++)
		n += !lusim_findings_get(i)->suppressed;
	return n;
}

static void list_findings(FILE *out, const char *indent)
{
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		const struct lusim_finding *f = lusim_findings_get(i);

		if (!f->suppressed)
			fprintf(out, "%s%s at %s: %s\n", indent, f->id,
				f->site[0] ? f->site : "?", f->msg);
	}
}

/* The state of one run, shared with the concurrent-block callbacks. */
struct run {
	const struct opl_script *s;
	struct opl_vm *vm;
	const struct opl_run_opts *opts;
	struct opl_result *res;
	FILE *out;
	int *calls;			/* ops of a block: stmt -> call */
	bool in_block;
	unsigned int block_start;	/* first statement of the open block */
};

/* Names to handle bytes for @st, against the objects live now. */
static int resolve(struct run *rn, const struct scen_stmt *st, uint8_t *bytes,
		   bool in_block)
{
	const struct opl_script *s = rn->s;
	const struct opl_op *d = &opl_ops[st->op];

	memcpy(bytes, st->bytes, OPL_MAX_ARGS);
	for (unsigned int a = 0; a < opl_op_nr_args(d); a++) {
		struct scen_name *nm;
		int b;

		if (d->args[a].type != OPA_HANDLE || st->name[a] < 0)
			continue;
		nm = &s->names[st->name[a]];
		if (nm->obj < 0 && in_block) {
			/* made by an op of the block that has not finished */
			bytes[a] = opl_kind_is_fd(d->args[a].kind) ||
				   d->args[a].kind == OPK_ANY_FD ? 0xff : 0xf0;
			continue;
		}
		/* a name whose op was left out (minimize): never made */
		if (nm->obj < 0)
			nm->obj = opl_vm_add_never(rn->vm, nm->kind);
		b = opl_vm_handle_byte(rn->vm, nm->obj, d->args[a].kind);
		if (b < 0) {
			fprintf(rn->out, "%s:%u:%u: cannot name '%s' here: too many objects before it for a handle byte\n",
				s->file, st->line, st->col[a], nm->s);
			rn->res->runtime_error = -EINVAL;
			return -1;
		}
		bytes[a] = (uint8_t)b;
	}
	return 0;
}

static void bind_call(struct run *rn, const struct scen_stmt *st,
		      unsigned int call)
{
	const struct opl_script *s = rn->s;

	if (st->bind >= 0) {
		const struct opl_call *c = opl_vm_call(rn->vm, call);
		/* a macro binds its main object, made by one of its calls */
		int product = opl_ops[st->op].expand ?
			opl_vm_last_product(rn->vm) : (c ? c->product : -1);

		if (product >= 0 && !opl_ops[st->op].expand)
			opl_vm_set_name(rn->vm, call, st->bind);
		s->names[st->bind].obj = product >= 0 ? product :
			opl_vm_add_never(rn->vm, s->names[st->bind].kind);
	}
}

/*
 * The trace lines and the expect of an op statement that ran as the calls
 * @first..@call (more than one for a macro: its expansion; @call is the
 * one whose result the expect judges).
 */
static void judge_op_from(struct run *rn, const struct scen_stmt *st,
			  unsigned int first, unsigned int call, const int *ret)
{
	const struct opl_op *d = &opl_ops[st->op];
	const struct opl_call *c = opl_vm_call(rn->vm, call);
	char got[64], want[64];
	int r = ret ? *ret : c ? c->ret : -EINVAL;

	rn->res->ops++;
	for (unsigned int k = first; rn->opts->trace && c && k <= call; k++) {
		struct opl_str line = { 0 };

		opl_print_call(rn->vm, opl_vm_call(rn->vm, k),
			       OPL_PRINT_EXPECT | OPL_PRINT_LINES |
			       OPL_PRINT_MACROS, &line);
		fprintf(rn->out, "%s\n", line.s);
		opl_str_free(&line);
	}
	if (st->expect == EX_NONE)
		return;
	rn->res->expects++;
	print_expect(st, want, sizeof(want));
	print_ret(r, got, sizeof(got));
	if (!c || !expect_holds(st, r)) {
		rn->res->failed++;
		fprintf(rn->out, "%s:%u:%u: FAIL: %s: expected %s, got %s\n",
			rn->s->file, st->expect_line, st->expect_col, d->name,
			c ? want : want, c ? got : "nothing (the op did not run)");
	} else if (!rn->opts->quiet) {
		fprintf(rn->out, "%s:%u:%u: pass: %s: %s\n", rn->s->file,
			st->expect_line, st->expect_col, d->name, got);
	}
}

static void judge_op(struct run *rn, const struct scen_stmt *st,
		     unsigned int call)
{
	judge_op_from(rn, st, call, call, NULL);
}

static void judge_finding_stmt(struct run *rn, const struct scen_stmt *st)
{
	const struct opl_script *s = rn->s;
	FILE *out = rn->out;
	struct opl_result *res = rn->res;
	const struct opl_run_opts *opts = rn->opts;

	switch (st->type) {
	case ST_EXPECT_FINDING:
		res->expects++;
		if (!lusim_findings_has(st->id)) {
			res->failed++;
			fprintf(out, "%s:%u:%u: FAIL: expected finding %s did not fire%s\n",
				s->file, st->line, st->col_start, st->id,
				nr_unsuppressed() ? "; these did:" : "");
			list_findings(out, "    ");
		} else if (!opts->quiet) {
			fprintf(out, "%s:%u:%u: pass: finding %s\n", s->file,
				st->line, st->col_start, st->id);
		}
		break;
	case ST_EXPECT_NO_FINDINGS:
		res->expects++;
		if (nr_unsuppressed()) {
			res->failed++;
			fprintf(out, "%s:%u:%u: FAIL: expected no findings, got:\n",
				s->file, st->line, st->col_start);
			list_findings(out, "    ");
		} else if (!opts->quiet) {
			fprintf(out, "%s:%u:%u: pass: no findings\n", s->file,
				st->line, st->col_start);
		}
		break;
	case ST_EXPECT_NO_FINDING:
		res->expects++;
		if (lusim_findings_has(st->id)) {
			res->failed++;
			fprintf(out, "%s:%u:%u: FAIL: finding %s fired\n",
				s->file, st->line, st->col_start, st->id);
		} else if (!opts->quiet) {
			fprintf(out, "%s:%u:%u: pass: no finding %s\n",
				s->file, st->line, st->col_start, st->id);
		}
		break;
	default:
		break;
	}
}

/* An op statement that runs in a concurrent block? */
static bool block_op(const struct scen_stmt *st)
{
	return st->type == ST_OP && st->actor &&
	       strcmp(opl_ops[st->op].name, "kexec");
}

static int race_prepare(struct opl_vm *vm, void *arg, unsigned int tag,
			uint8_t *bytes)
{
	struct run *rn = arg;

	(void)vm;
	return resolve(rn, &rn->s->stmts[tag], bytes, true);
}

static void race_done(struct opl_vm *vm, void *arg, unsigned int tag,
		      unsigned int call)
{
	struct run *rn = arg;

	(void)vm;
	rn->calls[tag] = (int)call;
	bind_call(rn, &rn->s->stmts[tag], call);
}

/*
 * Run the open block, then judge its statements in order: each op's
 * expect, and the finding expects written among them (after the block).
 */
static void flush_block(struct run *rn, unsigned int upto)
{
	if (!rn->in_block)
		return;
	rn->in_block = false;
	opl_race_flush(rn->vm);
	for (unsigned int j = rn->block_start; j < upto; j++) {
		const struct scen_stmt *st = &rn->s->stmts[j];

		if (block_op(st)) {
			if (rn->opts->skip && rn->opts->skip[st->op_index])
				continue;
			if (rn->calls[j] >= 0)
				judge_op(rn, st, (unsigned int)rn->calls[j]);
			else
				judge_op(rn, st, OPL_MAX_CALLS);	/* did not run */
		} else if (st->type != ST_OP && st->type != ST_SCHEDULE) {
			judge_finding_stmt(rn, st);
		}
	}
}

int opl_script_run(const struct opl_script *s, struct opl_vm *vm,
		   const struct opl_run_opts *opts, struct opl_result *res)
{
	static const struct opl_run_opts defaults = { .keep_going = true };
	struct opl_result local;
	struct run rn;
	FILE *out;
	char saved_bugs[512];
	int last_op = -1, ret;
	bool ended = false;

	if (!opts)
		opts = &defaults;
	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	out = opts->out ? opts->out : stdout;
	if (opts->silent) {
		static FILE *devnull;

		if (!devnull)
			devnull = fopen("/dev/null", "w");
		out = devnull ? devnull : stderr;
	}
	memset(&rn, 0, sizeof(rn));
	rn.s = s;
	rn.vm = vm;
	rn.opts = opts;
	rn.res = res;
	rn.out = out;

	for (unsigned int i = 0; i < s->nr_stmts; i++)
		if (s->stmts[i].type == ST_OP &&
		    !(opts->skip && opts->skip[s->stmts[i].op_index]))
			last_op = (int)i;

	if (s->racy) {
		rn.calls = malloc((s->nr_stmts + 1) * sizeof(*rn.calls));
		if (!rn.calls) {
			fputs("lusim: out of host memory\n", stderr);
			abort();
		}
		for (unsigned int i = 0; i < s->nr_stmts; i++)
			rn.calls[i] = -1;
	}
	opl_vm_race_enable(vm, s->racy ? s->actors : 0);
	opl_race_set_callbacks(vm, race_prepare, race_done, &rn);

	lusim_bugs_format(saved_bugs, sizeof(saved_bugs));
	lusim_bugs_add(s->bugs);
	ret = opl_vm_start(vm, NULL);
	if (ret) {
		fprintf(out, "%s: the machine did not power on: %d\n", s->file, ret);
		lusim_bugs_set(saved_bugs);
		res->runtime_error = ret;
		free(rn.calls);
		return 1;
	}
	for (unsigned int i = 0; i < s->nr_names; i++)
		s->names[i].obj = -1;

	for (unsigned int i = 0; i < s->nr_stmts; i++) {
		const struct scen_stmt *st = &s->stmts[i];
		uint8_t bytes[OPL_MAX_ARGS];
		unsigned int first;
		int r;

		if (!ended && (int)i > last_op) {
			flush_block(&rn, i);
			if (opts->before_end)
				opts->before_end(vm, opts->arg);
			opl_vm_end(vm);
			opl_lu_differential(vm);
			ended = true;
		}
		if (st->type == ST_SCHEDULE) {
			for (unsigned int k = 0; k < st->sched_len; k++)
				opl_race_schedule(vm, s->sched[st->sched_off + k]);
			if (!rn.in_block) {
				rn.in_block = true;
				rn.block_start = i;
			}
			continue;
		}
		if (block_op(st) && !ended) {
			if (opts->skip && opts->skip[st->op_index])
				continue;
			if (!rn.in_block) {
				rn.in_block = true;
				rn.block_start = i;
			}
			opl_race_queue(vm, st->actor - 1u, st->op, st->bytes,
				       st->line, i);
			continue;
		}
		if (rn.in_block && st->type != ST_OP)
			continue;	/* judged after the block */
		if (st->type == ST_OP)
			flush_block(&rn, i);
		switch (st->type) {
		case ST_OP:
			if (opts->skip && opts->skip[st->op_index])
				continue;
			if (resolve(&rn, st, bytes, false) < 0)
				goto out;
			/* a macro op runs several calls (its expansion) */
			first = opl_vm_nr_calls(vm);
			r = opl_vm_step_line(vm, st->op, bytes, st->line);
			bind_call(&rn, st, opl_vm_nr_calls(vm) - 1);
			judge_op_from(&rn, st, first, opl_vm_nr_calls(vm) - 1, &r);
			break;
		default:
			judge_finding_stmt(&rn, st);
			break;
		}
		if (res->failed && !opts->keep_going)
			goto out;
	}
	flush_block(&rn, s->nr_stmts);
	if (!ended) {
		if (opts->before_end)
			opts->before_end(vm, opts->arg);
		opl_vm_end(vm);
		opl_lu_differential(vm);
	}

	/* every finding must be one the scenario expects */
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		const struct lusim_finding *f = lusim_findings_get(i);
		bool expected = false;

		if (f->suppressed)
			continue;
		for (unsigned int j = 0; j < s->nr_stmts && !expected; j++)
			expected = s->stmts[j].type == ST_EXPECT_FINDING &&
				   !strcmp(s->stmts[j].id, f->id);
		if (expected)
			continue;
		res->unexpected++;
		fprintf(out, "%s: FAIL: unexpected finding %s at %s: %s\n%s",
			s->file, f->id, f->site[0] ? f->site : "?", f->msg,
			f->detail);
		if (f->detail[0] && f->detail[strlen(f->detail) - 1] != '\n')
			fputc('\n', out);
	}
out:
	opl_race_set_callbacks(vm, NULL, NULL, NULL);
	free(rn.calls);
	lusim_bugs_set(saved_bugs);
	return res->failed || res->unexpected || res->runtime_error ? 1 : 0;
}

/* ---------------------------------------------------------------------
 * Round trip
 * --------------------------------------------------------------------- */

int opl_roundtrip_with(struct opl_vm *vm, const uint8_t *data, size_t size,
		       opl_run_fn run, opl_encode_fn encode,
		       struct opl_str *why)
{
	struct opl_run_opts opts = { .silent = true, .keep_going = true };
	struct opl_str t1 = { 0 }, t2 = { 0 }, err = { 0 };
	struct opl_script *s;
	struct opl_result res;
	uint8_t *b1 = NULL, *b2 = NULL;
	size_t l1, l2;
	uint64_t h1;
	int ret = -1;

	opl_vm_start(vm, NULL);
	run(vm, data, size);
	opl_print_trace(vm, OPL_PRINT_EXPECT, &t1);
	h1 = opl_vm_hash(vm);
	l1 = encode(vm, NULL, 0);
	b1 = malloc(l1 + 1);
	if (!b1)
		goto out;
	encode(vm, b1, l1);
	opl_vm_end(vm);

	s = opl_script_parse("trace", t1.s, t1.len, &err);
	if (!s) {
		opl_str_printf(why, "the printed trace does not parse:\n%s--- trace:\n%s",
			       err.s, t1.s);
		goto out;
	}
	opl_script_run(s, vm, &opts, &res);
	opl_script_free(s);
	if (res.runtime_error || res.failed) {
		opl_str_printf(why, "replaying the printed trace: %u of %u expects failed%s\n--- trace:\n%s",
			       res.failed, res.expects,
			       res.runtime_error ? ", a name could not be encoded" : "",
			       t1.s);
		goto out;
	}
	opl_print_trace(vm, OPL_PRINT_EXPECT, &t2);
	l2 = encode(vm, NULL, 0);
	b2 = malloc(l2 + 1);
	if (!b2)
		goto out;
	encode(vm, b2, l2);
	if (strcmp(t1.s, t2.s)) {
		opl_str_printf(why, "the replay prints differently\n--- first:\n%s--- replay:\n%s",
			       t1.s, t2.s);
		goto out;
	}
	if (l1 != l2 || memcmp(b1, b2, l1)) {
		opl_str_printf(why, "the replay encodes differently (%zu and %zu bytes)\n--- trace:\n%s",
			       l1, l2, t1.s);
		goto out;
	}
	if (h1 != opl_vm_hash(vm)) {
		opl_str_printf(why, "the replay hashes differently\n--- trace:\n%s", t1.s);
		goto out;
	}
	ret = 0;
out:
	free(b1);
	free(b2);
	opl_str_free(&t1);
	opl_str_free(&t2);
	opl_str_free(&err);
	return ret;
}

int opl_roundtrip(struct opl_vm *vm, const uint8_t *data, size_t size,
		  struct opl_str *why)
{
	return opl_roundtrip_with(vm, data, size, opl_vm_run_binary,
				  opl_vm_encode, why);
}
