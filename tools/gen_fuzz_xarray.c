// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes (or checks) fuzz_xarray's dictionary and seed corpus from the op
 * table and the engine in tests/ref/xa_diff.c, so they can never drift from
 * the input format:
 *
 *   fuzz/fuzz_xarray.dict       one entry per op record (AMENDMENTS: single
 *                               op records only, no multi-op templates)
 *   corpus/fuzz_xarray/seed-*   short, meaningful op sequences
 *
 * A record is written by running the engine with a scripted source: each
 * choice the engine asks for (enum xa_diff_choice) is answered from the
 * record's list, or a default, and the bytes that make a byte source give
 * that answer are emitted. Every result is then decoded the way
 * fuzz/fuzz_xarray.c decodes it and must run the same ops (same trace).
 *
 *   gen_fuzz_xarray --write SRCDIR   (re)write the files under SRCDIR
 *   gen_fuzz_xarray --check SRCDIR   fail if any of them is stale
 *   gen_fuzz_xarray --list           print each seed's ops
 *
 * Regenerate after changing the engine's choices:
 *   ninja -C build/gcc fuzz/gen_fuzz_xarray && build/gcc/fuzz/gen_fuzz_xarray --write .
 */
#include <linux/kernel.h>
#include <lusim/findings.h>
#include <lusim/reset.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xa_diff.h"

/* --- records ------------------------------------------------------------------- */

struct answer {
	unsigned char ch;	/* enum xa_diff_choice + 1; 0 ends the list */
	unsigned long v;
};

struct rec {
	enum xa_diff_op op;
	struct answer a[10];
};

/* The answers a record does not give: a value entry, no injected failure. */
static const unsigned long defaults[XA_CH_NR] = {
	[XA_CH_ENTRY_KIND] = 3,	/* the next value entry */
	[XA_CH_FAIL] = 1,	/* the allocation succeeds */
	[XA_CH_FILTER] = 1,	/* XA_PRESENT */
	[XA_CH_MAX_KIND] = 1,	/* max = ULONG_MAX */
	[XA_CH_TRIM] = 1,
	[XA_CH_DESTROY] = 0,	/* a destroy record destroys */
};

#define A(ch, v)		{ XA_CH_##ch + 1, (v) }
/* indices */
#define IDX(i)			A(IDX_KIND, 0), A(IDX, i)		/* 0..255 */
#define IDX16(i)		A(IDX_KIND, 7), A(IDX, i)		/* 0..65535 */
#define IDX32(off)		A(IDX_KIND, 10), A(IDX, off)		/* U32_MAX - off */
#define IDX64(i)		A(IDX_KIND, 11), A(IDX, i)		/* any */
#define EDGE(n)			A(IDX_KIND, 12), A(IDX, n)		/* edges[n] */
#define NEAR(n, off)		A(IDX_KIND, 13), A(IDX, n), A(IDX_NEAR, (off) + 2)
/* entries */
#define NUL			A(ENTRY_KIND, 0)
#define ZERO			A(ENTRY_KIND, 1)
#define OBJ(n)			A(ENTRY_KIND, 2), A(ENTRY_OBJ, n)
#define MARK(m)			A(MARK, m)	/* ALLOC arrays: mark 1 + m */
#define FAIL			A(FAIL, 0)
#define OLD(k)			A(OLD, k)	/* 0 NULL, 1 ZERO, 2 current, 3 new value */
/* xa_alloc limits */
#define LIM31			A(LIMIT_KIND, 1)
#define WINDOW(lo, span)	A(LIMIT_KIND, 2), A(LIMIT_MIN, lo), A(LIMIT_SPAN, span)
#define WIDE(lo, span)		A(LIMIT_KIND, 3), A(LIMIT_MIN, lo), A(LIMIT_SPAN, span)
/* find filters and bounds */
#define FMARK(m)		A(FILTER, 0), A(MARK, m)
#define UPTO(span)		A(MAX_KIND, 0), A(MAX_SPAN, span), A(MAX_SHIFT, 63)

#define R(op, ...)		{ XA_DIFF_##op, { __VA_ARGS__ } }

struct seed {
	const char *name;
	enum xa_diff_kind kind;
	const struct rec *recs;
	size_t n;
};

#define SEED(_name, _kind, ...) {					\
	.name = (_name), .kind = XA_DIFF_KIND_##_kind,			\
	.recs = (const struct rec[]){ __VA_ARGS__ },			\
	.n = sizeof((const struct rec[]){ __VA_ARGS__ }) / sizeof(struct rec) }

static const struct seed seeds[] = {
	SEED("store-load-erase", PLAIN,
	     R(STORE, IDX(1)), R(STORE, IDX(2)), R(LOAD, IDX(1)),
	     R(STORE, IDX(1), OBJ(3)), R(ERASE, IDX(2)), R(ERASE, IDX(1)),
	     R(LOAD, IDX(2))),
	SEED("expand-shrink", PLAIN,
	     R(STORE, IDX(0)), R(STORE, IDX(63)), R(STORE, IDX(64)),
	     R(STORE, EDGE(6)), R(STORE, EDGE(8)), R(ERASE, EDGE(8)),
	     R(ERASE, EDGE(6)), R(ERASE, IDX(64)), R(ERASE, IDX(63)),
	     R(LOAD, IDX(0))),
	SEED("marks-find", PLAIN,
	     R(STORE, IDX(3)), R(STORE, IDX(70)), R(STORE, IDX16(5000)),
	     R(SET_MARK, IDX(70), MARK(1)), R(SET_MARK, IDX16(5000), MARK(1)),
	     R(SET_MARK, IDX(3), MARK(2)), R(FIND, IDX(0), FMARK(1)),
	     R(FIND_AFTER, IDX(70), FMARK(1)), R(CLEAR_MARK, IDX(70), MARK(1)),
	     R(FIND, IDX(0), FMARK(1)), R(ERASE, IDX16(5000)),
	     R(FIND, IDX(0), FMARK(1))),
	SEED("find-bounded", PLAIN,
	     R(STORE, IDX(10)), R(STORE, IDX16(4096)), R(STORE, EDGE(8)),
	     R(FIND, IDX(11), UPTO(4000)), R(FIND, IDX(11), UPTO(5000)),
	     R(FIND_AFTER, IDX(10), UPTO(1)), R(FIND_AFTER, EDGE(16)),
	     R(FIND, EDGE(16))),
	SEED("insert-reserve-release", PLAIN,
	     R(INSERT, IDX(5)), R(INSERT, IDX(5)), R(RESERVE, IDX(6)),
	     R(INSERT, IDX(6)), R(RESERVE, IDX(7)), R(LOAD, IDX(7)),
	     R(RELEASE, IDX(7)), R(RELEASE, IDX(5)), R(INSERT, IDX(8), NUL),
	     R(STORE, IDX(8), NUL)),
	SEED("cmpxchg", PLAIN,
	     R(CMPXCHG, IDX(9), OLD(0)), R(CMPXCHG, IDX(9), OLD(2), OBJ(1)),
	     R(CMPXCHG, IDX(9), OLD(3)), R(CMPXCHG, IDX(9), OLD(2), NUL),
	     R(CMPXCHG, IDX(9), OLD(0), ZERO), R(CMPXCHG, IDX(9), OLD(1))),
	SEED("alloc-holes", ALLOC,
	     R(ALLOC), R(ALLOC), R(ALLOC), R(ALLOC, NUL), R(ERASE, IDX(1)),
	     R(ALLOC), R(ALLOC, WINDOW(2, 1)), R(ALLOC, LIM31),
	     R(SET_MARK, IDX(2), MARK(0)), R(FIND, IDX(0), FMARK(0))),
	SEED("alloc1-zero", ALLOC1,
	     R(ALLOC), R(STORE, IDX(2), NUL), R(ALLOC), R(FIND, IDX(0)),
	     R(ERASE, IDX(2)), R(ALLOC, WIDE(100, 5)), R(STORE, IDX(65)),
	     R(ALLOC), R(ERASE, IDX(65)), R(ALLOC)),
	SEED("alloc-cyclic-wrap", ALLOC,
	     R(ALLOC_CYCLIC, WINDOW(10, 2)), R(ALLOC_CYCLIC, WINDOW(10, 2)),
	     R(ALLOC_CYCLIC, WINDOW(10, 2)), R(ERASE, IDX(10)),
	     R(ALLOC_CYCLIC, WINDOW(10, 2)), R(ALLOC_CYCLIC, WINDOW(10, 2)),
	     R(ERASE, IDX(12)), R(ALLOC_CYCLIC, WINDOW(10, 2))),
	SEED("locked-forms", PLAIN,
	     R(LOCKED_STORE, IDX(4)), R(LOCKED_STORE, IDX(200)),
	     R(LOCKED_STORE, IDX(4), NUL), R(LOCKED_ERASE, IDX(200)),
	     R(LOCKED_ERASE, IDX(200))),
	SEED("enomem", PLAIN,
	     R(STORE, IDX(1)), R(STORE, IDX(100), FAIL), R(LOAD, IDX(100)),
	     R(STORE, IDX(100)), R(INSERT, IDX16(9000), FAIL),
	     R(RESERVE, IDX16(9001), FAIL), R(CMPXCHG, IDX16(9002), OLD(0), FAIL),
	     R(STORE, IDX(1), FAIL)),
	SEED("high-indices", PLAIN,
	     R(STORE, EDGE(16)), R(STORE, EDGE(13)), R(STORE, IDX32(0)),
	     R(STORE, IDX64(0x123456789abcdefUL)), R(FIND_AFTER, EDGE(15)),
	     R(STORE, NEAR(0, 1)), R(ERASE, EDGE(16)), R(DESTROY),
	     R(LOAD, EDGE(13))),
	SEED("alloc-destroy-reuse", ALLOC,
	     R(ALLOC), R(ALLOC, OBJ(4)), R(SET_MARK, IDX(1), MARK(1)),
	     R(DESTROY), R(ALLOC), R(LOAD, IDX(0)), R(FIND, IDX(0), FMARK(1))),
};

/* --- the scripted source ------------------------------------------------------- */

struct enc {
	struct xa_diff_source src;
	const struct rec *rec;
	uint8_t buf[4096];
	size_t len;
	const char *what;
};

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gen_fuzz_xarray: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned long enc_below(struct xa_diff_source *src,
			       enum xa_diff_choice ch, unsigned long n)
{
	struct enc *e = container_of(src, struct enc, src);
	unsigned int k = xa_diff_bytes_for(n);
	unsigned long v = defaults[ch];

	if (ch == XA_CH_OP)
		v = xa_diff_ops[e->rec->op].w_lo;
	for (const struct answer *a = e->rec->a; a->ch; a++)
		if (a->ch == ch + 1)
			v = a->v;
	if (n && v >= n)
		die("%s: choice %s = %lu is not below %lu", e->what,
		    xa_diff_choice_names[ch], v, n);
	if (e->len + k > sizeof(e->buf))
		die("%s: too long", e->what);
	for (unsigned int i = 0; i < k; i++)
		e->buf[e->len++] = (uint8_t)(v >> (8 * i));
	return v;
}

static void __attribute__((noreturn))
gen_mismatch(struct xa_diff *d, const char *site, const char *msg)
{
	char trace[4096];

	xa_diff_trace(d, trace, sizeof(trace));
	die("the engine disagrees with the xarray (%s): %s\n%s", site, msg, trace);
}

/* The op a step ran: the one whose counter moved. */
static enum xa_diff_op ran(const struct xa_diff *d, const unsigned long *before)
{
	for (int op = 0; op < XA_DIFF_OP_NR; op++)
		if (d->stats[op] != before[op])
			return op;
	return XA_DIFF_OP_NR;
}

struct output {
	uint8_t bytes[4096];	/* kind byte + records */
	size_t len;
	char text[8192];	/* the ops, one per line */
	size_t tlen;
};

/* Power-on, as fuzz/fuzz_xarray.c does before each input. */
static void start(void)
{
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	lusim_reset_all();
}

/* Encode @n records on a fresh array of @kind, then decode and compare. */
static void encode(struct output *out, const char *what, enum xa_diff_kind kind,
		   const struct rec *recs, size_t n, bool with_kind)
{
	static struct xa_diff d;
	static char lines[64][XA_DIFF_TRACE_LINE];
	unsigned long before[XA_DIFF_OP_NR];
	struct xa_diff_bytes bytes;
	struct enc e = { .src.below = enc_below, .what = what };
	size_t skip = with_kind ? 1 : 0;

	if (n > ARRAY_SIZE(lines))
		die("%s: too many records", what);
	memset(out, 0, sizeof(*out));
	if (with_kind)
		e.buf[e.len++] = (uint8_t)kind;
	start();
	xa_diff_init(&d, kind, &e.src, gen_mismatch);
	for (size_t i = 0; i < n; i++) {
		enum xa_diff_op want = recs[i].op, got;

		if (xa_diff_ops[want].alloc_only && kind == XA_DIFF_KIND_PLAIN)
			want = xa_diff_ops[want].plain_op;
		e.rec = &recs[i];
		memcpy(before, d.stats, sizeof(before));
		xa_diff_step(&d);
		got = ran(&d, before);
		if (got != want)
			die("%s: record %zu should run %s, ran %s", what, i,
			    xa_diff_ops[want].name,
			    got < XA_DIFF_OP_NR ? xa_diff_ops[got].name : "nothing");
		snprintf(lines[i], sizeof(lines[i]), "%s", d.trace[i % XA_DIFF_TRACE]);
		out->tlen += (size_t)snprintf(out->text + out->tlen,
					      sizeof(out->text) - out->tlen,
					      "%s\n", lines[i]);
	}
	xa_diff_final_check(&d);
	xa_diff_destroy(&d);

	/* decode exactly as fuzz/fuzz_xarray.c does */
	start();
	xa_diff_bytes_init(&bytes, e.buf + skip, e.len - skip);
	xa_diff_init(&d, kind, &bytes.src, gen_mismatch);
	while (xa_diff_more(&d)) {
		if (d.op >= n)
			die("%s: decodes to more than %zu ops", what, n);
		xa_diff_step(&d);
		if (strcmp(lines[d.op - 1], d.trace[(d.op - 1) % XA_DIFF_TRACE]))
			die("%s: op %lu decodes as \"%s\", not \"%s\"", what, d.op - 1,
			    d.trace[(d.op - 1) % XA_DIFF_TRACE], lines[d.op - 1]);
	}
	if (d.op != n)
		die("%s: decodes to %lu ops, not %zu", what, d.op, n);
	xa_diff_final_check(&d);
	xa_diff_destroy(&d);
	if (lusim_findings_count()) {
		lusim_findings_print(NULL);
		die("%s: findings", what);
	}
	memcpy(out->bytes, e.buf, e.len);
	out->len = e.len;
}

/* --- the files ------------------------------------------------------------------- */

struct file {
	char path[512];
	char *data;
	size_t len;
};

static struct file files[64];
static unsigned int nr_files;

static struct file *new_file(const char *root, const char *rel)
{
	struct file *f;

	if (nr_files == ARRAY_SIZE(files))
		die("too many files");
	f = &files[nr_files++];
	snprintf(f->path, sizeof(f->path), "%s/%s", root, rel);
	return f;
}

static void set_data(struct file *f, const void *data, size_t len)
{
	f->data = malloc(len ? len : 1);
	if (!f->data)
		die("out of memory");
	memcpy(f->data, data, len);
	f->len = len;
}

static size_t dict_escape(char *out, size_t size, const uint8_t *b, size_t n)
{
	size_t used = 0;

	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, size - used, "\\x%02x", b[i]);
	return used;
}

/* Dictionary variants beyond the defaults: failing allocations, marks, bounds. */
static const struct rec dict_extra[] = {
	R(STORE, FAIL), R(STORE, NEAR(0, 1)), R(STORE, IDX16(4096)), R(STORE, EDGE(16)),
	R(STORE, IDX32(0)), R(STORE, NUL), R(STORE, ZERO), R(STORE, OBJ(1)),
	R(CMPXCHG, OLD(2)), R(SET_MARK, MARK(1)), R(FIND, FMARK(1)),
	R(FIND, UPTO(64)), R(ALLOC, WINDOW(0, 1)), R(ALLOC_CYCLIC, WINDOW(0, 1)),
};

static void gen_dict(const char *root)
{
	struct file *f = new_file(root, "fuzz/fuzz_xarray.dict");
	static char text[32768];
	size_t used = 0;
	struct output out;

	used += (size_t)snprintf(text + used, sizeof(text) - used,
		"# SPDX-License-Identifier: GPL-2.0-only\n"
		"# fuzz_xarray dictionary: one op record per entry (no multi-op templates),\n"
		"# generated from the op table in tests/ref/xa_diff.c by tools/gen_fuzz_xarray.c.\n"
		"# Do not edit; regenerate with\n"
		"#   ninja -C build/gcc fuzz/gen_fuzz_xarray && build/gcc/fuzz/gen_fuzz_xarray --write .\n"
		"# Each comment is the op the record runs on an empty array.\n");
	for (int pass = 0; pass < 2; pass++) {
		size_t n = pass ? ARRAY_SIZE(dict_extra) : XA_DIFF_TRIM;

		for (size_t i = 0; i < n; i++) {
			struct rec r = { .op = (enum xa_diff_op)i };
			const struct rec *rp = pass ? &dict_extra[i] : &r;
			enum xa_diff_kind kind = xa_diff_ops[rp->op].alloc_only ?
						 XA_DIFF_KIND_ALLOC : XA_DIFF_KIND_PLAIN;
			char name[64];

			snprintf(name, sizeof(name), "dict %s", xa_diff_ops[rp->op].name);
			encode(&out, name, kind, rp, 1, false);
			out.text[out.tlen - 1] = '\0';
			used += (size_t)snprintf(text + used, sizeof(text) - used,
						 "\n# %s%s\n%s_%zu=\"", out.text,
						 kind == XA_DIFF_KIND_ALLOC ? " (ALLOC array)" : "",
						 xa_diff_ops[rp->op].name, pass * 100 + i);
			used += dict_escape(text + used, sizeof(text) - used, out.bytes,
					    out.len);
			used += (size_t)snprintf(text + used, sizeof(text) - used, "\"\n");
		}
	}
	if (used >= sizeof(text) - 1)
		die("dictionary too long");
	set_data(f, text, used);
}

static void gen_seeds(const char *root, bool list)
{
	static const char *const kinds[] = { "plain", "ALLOC", "ALLOC1" };
	struct output out;

	for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
		char rel[256];

		snprintf(rel, sizeof(rel), "corpus/fuzz_xarray/seed-%02zu-%s", i + 1,
			 seeds[i].name);
		encode(&out, seeds[i].name, seeds[i].kind, seeds[i].recs, seeds[i].n, true);
		if (list)
			printf("%s (%s array, %zu bytes):\n%s\n", rel, kinds[seeds[i].kind],
			       out.len, out.text);
		if (root)
			set_data(new_file(root, rel), out.bytes, out.len);
	}
}

static int read_all(const char *path, char **data, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (!fp)
		return -errno;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	*data = malloc(n > 0 ? (size_t)n : 1);
	if (!*data || fread(*data, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		return -EIO;
	}
	fclose(fp);
	*len = (size_t)n;
	return 0;
}

static int check(const char *root)
{
	char dir[512];
	struct dirent *de;
	int stale = 0;
	DIR *dp;

	for (unsigned int i = 0; i < nr_files; i++) {
		char *data = NULL;
		size_t len = 0;
		int ret = read_all(files[i].path, &data, &len);

		if (ret) {
			fprintf(stderr, "%s: missing (%s)\n", files[i].path, strerror(-ret));
			stale++;
		} else if (len != files[i].len || memcmp(data, files[i].data, len)) {
			fprintf(stderr, "%s: stale\n", files[i].path);
			stale++;
		}
		free(data);
	}
	/* a seed-* file no seed writes any more */
	snprintf(dir, sizeof(dir), "%s/corpus/fuzz_xarray", root);
	dp = opendir(dir);
	while (dp && (de = readdir(dp))) {
		char path[1024];
		bool known = false;

		if (strncmp(de->d_name, "seed-", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		for (unsigned int i = 0; i < nr_files; i++)
			known |= !strcmp(files[i].path, path);
		if (!known) {
			fprintf(stderr, "%s: no longer generated\n", path);
			stale++;
		}
	}
	if (dp)
		closedir(dp);
	if (stale)
		fprintf(stderr, "gen_fuzz_xarray: %d file(s) out of date; regenerate with\n"
			"  ninja -C build/gcc fuzz/gen_fuzz_xarray && build/gcc/fuzz/gen_fuzz_xarray --write .\n",
			stale);
	else
		printf("gen_fuzz_xarray: %u files up to date\n", nr_files);
	return stale ? 1 : 0;
}

static int write_all(void)
{
	for (unsigned int i = 0; i < nr_files; i++) {
		FILE *fp = fopen(files[i].path, "wb");

		if (!fp || fwrite(files[i].data, 1, files[i].len, fp) != files[i].len ||
		    fclose(fp))
			die("%s: %s", files[i].path, strerror(errno));
		printf("wrote %s (%zu bytes)\n", files[i].path, files[i].len);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		gen_seeds(NULL, true);
		return 0;
	}
	if (argc != 3 || (strcmp(argv[1], "--write") && strcmp(argv[1], "--check"))) {
		fprintf(stderr, "usage: %s --write SRCDIR | --check SRCDIR | --list\n", argv[0]);
		return 2;
	}
	gen_dict(argv[2]);
	gen_seeds(argv[2], false);
	return strcmp(argv[1], "--write") ? check(argv[2]) : write_all();
}
