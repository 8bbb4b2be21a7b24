// SPDX-License-Identifier: GPL-2.0-only
/*
 * Structural snapshots: a canonical text dump of every registered state
 * dumper plus a copy of allocated simulated memory, and a comparison that
 * prints a readable diff. The fail-nth sweep and tests take one before an
 * op and compare after it failed (lusim_check_snapshot_expect_same); the
 * fuzzing-speed counterpart is the undo journal (journal.c).
 *
 * Built-in dumpers:
 *   slab     every live object (shim bookkeeping left out) in allocation
 *            order: sequence number, size, cache, allocation site;
 *   xarrays  the xarrays registered with lusim_check_register_xarray();
 *   pages    allocated simulated memory, compared structurally rather than
 *            as text: blocks freed, blocks allocated, words changed, with
 *            the journal's page-table growth rule (a block allocated since
 *            the first snapshot that holds only zero words and links to
 *            such blocks, and a 0 -> link change of an older word, are not
 *            differences).
 *
 * Lines never contain host addresses, so a snapshot's text is also
 * comparable between runs (sequence numbers and physical addresses are
 * deterministic).
 */
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <hw/hw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_internal.h"

/* ---- registry of dumpers -------------------------------------------------- */

#define MAX_DUMPERS	64
#define MAX_XARRAYS	256

static struct {
	const char *name;
	lusim_dump_fn fn;
} dumpers[MAX_DUMPERS];
static unsigned int nr_dumpers;

static struct {
	const char *name;
	const struct xarray *xa;
} xarrays[MAX_XARRAYS];
static unsigned int nr_xarrays;

void lusim_check_register_dump(const char *name, lusim_dump_fn fn)
{
	unsigned int i;

	for (i = 0; i < nr_dumpers; i++) {
		if (!strcmp(dumpers[i].name, name)) {
			dumpers[i].fn = fn;
			return;
		}
	}
	if (nr_dumpers == MAX_DUMPERS) {
		fprintf(stderr, "lusim: too many snapshot dumpers (%s)\n", name);
		abort();
	}
	for (i = nr_dumpers; i > 0 && strcmp(dumpers[i - 1].name, name) > 0; i--)
		dumpers[i] = dumpers[i - 1];
	dumpers[i].name = name;
	dumpers[i].fn = fn;
	nr_dumpers++;
}

void lusim_check_unregister_dump(const char *name)
{
	for (unsigned int i = 0; i < nr_dumpers; i++) {
		if (strcmp(dumpers[i].name, name))
			continue;
		memmove(&dumpers[i], &dumpers[i + 1],
			(nr_dumpers - i - 1) * sizeof(dumpers[0]));
		nr_dumpers--;
		return;
	}
}

int lusim_check_register_xarray(const char *name, const struct xarray *xa)
{
	for (unsigned int i = 0; i < nr_xarrays; i++)
		if (xarrays[i].xa == xa)
			return -EEXIST;
	if (nr_xarrays == MAX_XARRAYS)
		return -ENOSPC;
	xarrays[nr_xarrays].name = name;
	xarrays[nr_xarrays].xa = xa;
	nr_xarrays++;
	return 0;
}

void lusim_check_unregister_xarray(const struct xarray *xa)
{
	for (unsigned int i = 0; i < nr_xarrays; i++) {
		if (xarrays[i].xa != xa)
			continue;
		memmove(&xarrays[i], &xarrays[i + 1],
			(nr_xarrays - i - 1) * sizeof(xarrays[0]));
		nr_xarrays--;
		return;
	}
}

void ck_snapshot_forget_kernel(void)
{
	nr_xarrays = 0;
}

/* ---- dumping ----------------------------------------------------------------- */

struct lusim_dump {
	struct ck_buf *buf;
	const char *name;
};

void lusim_dump_printf(struct lusim_dump *d, const char *fmt, ...)
{
	va_list ap;

	ck_buf_printf(d->buf, "[%s] ", d->name);
	va_start(ap, fmt);
	ck_buf_vprintf(d->buf, fmt, ap);
	va_end(ap);
	ck_buf_printf(d->buf, "\n");
}

void lusim_dump_describe_ptr(char *buf, size_t len, const void *p)
{
	struct lusim_slab_obj_info info;
	uint64_t phys;

	if (!p) {
		snprintf(buf, len, "NULL");
	} else if (lusim_slab_obj_info(p, &info)) {
		if (info.live)
			snprintf(buf, len, "object #%lu (%zu bytes, %s, allocated at %s)",
				 info.seq, info.size, info.cache, info.site);
		else
			snprintf(buf, len, "freed object #%lu (allocated at %s, freed at %s)",
				 info.seq, info.site, info.free_site);
	} else if ((phys = hw_virt_to_phys(p)) != HW_PHYS_NONE) {
		snprintf(buf, len, "memory at phys %#llx", (unsigned long long)phys);
	} else {
		snprintf(buf, len, "a pointer outside slab and simulated memory");
	}
}

struct xa_dump_arg {
	struct lusim_dump *d;
	const char *name;
	bool zero_busy;
};

static void xa_dump_cb(unsigned long index, void *e, unsigned int marks,
		       void *arg)
{
	struct xa_dump_arg *a = arg;
	char desc[192];

	/* ALLOC1's implicit reservation of index 0 is shape, not content */
	if (a->zero_busy && !index && xa_is_zero(e))
		return;
	if (xa_is_zero(e))
		snprintf(desc, sizeof(desc), "reserved");
	else if (xa_is_value(e))
		snprintf(desc, sizeof(desc), "value %lu", xa_to_value(e));
	else
		lusim_dump_describe_ptr(desc, sizeof(desc), e);
	if (marks)
		lusim_dump_printf(a->d, "%s[%lu] = %s marks %#x", a->name, index,
				  desc, marks);
	else
		lusim_dump_printf(a->d, "%s[%lu] = %s", a->name, index, desc);
}

void lusim_dump_xarray(struct lusim_dump *d, const char *name,
		       const struct xarray *xa)
{
	struct xa_dump_arg a = {
		.d = d, .name = name,
		.zero_busy = xa->xa_flags & XA_FLAGS_ZERO_BUSY,
	};

	lusim_xa_walk(xa, xa_dump_cb, &a);
}

static void slab_dump_cb(const void *obj, const struct lusim_slab_obj_info *info,
			 void *arg)
{
	(void)obj;
	lusim_dump_printf(arg, "#%lu %zu bytes %s at %s", info->seq, info->size,
			  info->cache, info->site);
}

static void dump_slab(struct lusim_dump *d)
{
	lusim_slab_for_each_live_since(0, slab_dump_cb, d);
}

static void dump_xarrays(struct lusim_dump *d)
{
	for (unsigned int i = 0; i < nr_xarrays; i++)
		lusim_dump_xarray(d, xarrays[i].name, xarrays[i].xa);
}

/* The "pages" dumper's text; the comparison uses the copies instead. */
static int page_line_cb(uint64_t pfn, unsigned int order, void *arg)
{
	lusim_dump_printf(arg, "block %#llx order %u",
			  (unsigned long long)(pfn << HW_PAGE_SHIFT), order);
	return 0;
}

static void dump_pages(struct lusim_dump *d)
{
	hw_mem_for_each(page_line_cb, d);
}

static void __attribute__((constructor)) builtin_dumpers(void)
{
	lusim_check_register_dump("slab", dump_slab);
	lusim_check_register_dump("xarrays", dump_xarrays);
	lusim_check_register_dump("pages", dump_pages);
}

/* ---- snapshots ------------------------------------------------------------------ */

struct snap_block {
	uint64_t phys;
	unsigned int order;
	size_t off;		/* in bytes[] */
};

struct lusim_snapshot {
	struct ck_buf text;	/* what the dumpers printed */
	char *split;		/* the same, lines NUL-terminated */
	size_t *lines;		/* offsets of line starts in split */
	size_t nr_lines, cap_lines;
	struct snap_block *blocks;	/* sorted by phys */
	size_t nr_blocks, cap_blocks;
	unsigned char *bytes;
	size_t nr_bytes, cap_bytes;
};

static int copy_block_cb(uint64_t pfn, unsigned int order, void *arg)
{
	struct lusim_snapshot *s = arg;
	size_t len = (size_t)HW_PAGE_SIZE << order;
	struct snap_block *b;

	s->blocks = ck_grow(s->blocks, &s->cap_blocks, s->nr_blocks,
			    sizeof(*s->blocks));
	b = &s->blocks[s->nr_blocks++];
	b->phys = pfn << HW_PAGE_SHIFT;
	b->order = order;
	b->off = s->nr_bytes;
	s->bytes = ck_grow(s->bytes, &s->cap_bytes, s->nr_bytes + len, 1);
	hw_mem_peek(b->phys, s->bytes + b->off, len);
	s->nr_bytes += len;
	return 0;
}

static int block_cmp(const void *a, const void *b)
{
	const struct snap_block *x = a, *y = b;

	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

struct lusim_snapshot *lusim_check_snapshot_take(void)
{
	struct lusim_snapshot *s = calloc(1, sizeof(*s));
	struct lusim_dump d;

	if (!s)
		abort();
	d.buf = &s->text;
	for (unsigned int i = 0; i < nr_dumpers; i++) {
		d.name = dumpers[i].name;
		dumpers[i].fn(&d);
	}
	ck_buf_printf(&s->text, "%s", "");	/* text is never NULL */
	s->split = strdup(s->text.s);
	if (!s->split)
		abort();
	for (size_t off = 0; off < s->text.len; ) {
		char *nl = strchr(s->split + off, '\n');

		s->lines = ck_grow(s->lines, &s->cap_lines, s->nr_lines,
				   sizeof(*s->lines));
		s->lines[s->nr_lines++] = off;
		if (!nl)
			break;
		*nl = '\0';
		off = (size_t)(nl - s->split) + 1;
	}
	hw_mem_for_each(copy_block_cb, s);
	if (s->nr_blocks)
		qsort(s->blocks, s->nr_blocks, sizeof(*s->blocks), block_cmp);
	return s;
}

void lusim_check_snapshot_free(struct lusim_snapshot *s)
{
	if (!s)
		return;
	ck_buf_free(&s->text);
	free(s->split);
	free(s->lines);
	free(s->blocks);
	free(s->bytes);
	free(s);
}

const char *lusim_check_snapshot_text(const struct lusim_snapshot *s)
{
	return s->text.s;
}

static const char *line(const struct lusim_snapshot *s, size_t i)
{
	return s->split + s->lines[i];
}

/* ---- comparing ------------------------------------------------------------------ */

struct diffout {
	struct ck_buf buf;
	unsigned int n;
};

static void out_line(struct diffout *o, char sign, const char *l)
{
	o->n++;
	ck_buf_printf(&o->buf, "%c%s\n", sign, l);
}

#define LCS_MAX_CELLS	(1u << 20)

/* Line diff of before[a0, a1) against after[b0, b1): LCS, or -all +all. */
static void diff_middle(const struct lusim_snapshot *x, size_t a0, size_t a1,
			const struct lusim_snapshot *y, size_t b0, size_t b1,
			struct diffout *o)
{
	size_t n = a1 - a0, m = b1 - b0, i, j;
	uint32_t *t;

	if (!n || !m || n * m > LCS_MAX_CELLS ||
	    !(t = calloc((n + 1) * (m + 1), sizeof(*t)))) {
		for (i = a0; i < a1; i++)
			out_line(o, '-', line(x, i));
		for (j = b0; j < b1; j++)
			out_line(o, '+', line(y, j));
		return;
	}
#define T(i, j)	t[(i) * (m + 1) + (j)]
	for (i = n; i-- > 0; )
		for (j = m; j-- > 0; )
			T(i, j) = !strcmp(line(x, a0 + i), line(y, b0 + j)) ?
				  T(i + 1, j + 1) + 1 :
				  (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	i = j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && !strcmp(line(x, a0 + i), line(y, b0 + j))) {
			i++;
			j++;
		} else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
			out_line(o, '-', line(x, a0 + i++));
		} else {
			out_line(o, '+', line(y, b0 + j++));
		}
	}
#undef T
	free(t);
}

static void diff_text(const struct lusim_snapshot *x,
		      const struct lusim_snapshot *y, struct diffout *o)
{
	size_t p = 0, sx = x->nr_lines, sy = y->nr_lines;

	while (p < sx && p < sy && !strcmp(line(x, p), line(y, p)))
		p++;
	while (sx > p && sy > p && !strcmp(line(x, sx - 1), line(y, sy - 1))) {
		sx--;
		sy--;
	}
	diff_middle(x, p, sx, y, p, sy, o);
}

static struct snap_block *find_block(const struct lusim_snapshot *s,
				     uint64_t phys)
{
	struct snap_block key = { .phys = phys };

	if (!s->nr_blocks)
		return NULL;
	return bsearch(&key, s->blocks, s->nr_blocks, sizeof(key), block_cmp);
}

/* growth[i]: block i of "after" is empty structure new since "before" */
static bool growth_link(const struct lusim_snapshot *y, const bool *growth,
			uint64_t w)
{
	uint64_t addr = w & HW_PTE_ADDR_MASK;
	const struct snap_block *b;

	if (!addr)
		return false;
	b = find_block(y, addr);
	return b && growth[b - y->blocks];
}

static bool block_empty_structure(const struct lusim_snapshot *y,
				  const bool *growth, const struct snap_block *b)
{
	const uint64_t *w = (const uint64_t *)(y->bytes + b->off);
	size_t nr = (size_t)CK_WORDS_PER_PAGE << b->order;

	for (size_t i = 0; i < nr; i++)
		if (w[i] && !growth_link(y, growth, w[i]))
			return false;
	return true;
}

static void diff_pages(const struct lusim_snapshot *x,
		       const struct lusim_snapshot *y, struct diffout *o)
{
	bool *growth = calloc(y->nr_blocks + 1, sizeof(*growth));
	bool changed = true;

	if (!growth)
		abort();
	/* growth: blocks new in y that hold only zeroes and links to such */
	for (size_t i = 0; i < y->nr_blocks; i++) {
		const struct snap_block *old = find_block(x, y->blocks[i].phys);

		growth[i] = !old || old->order != y->blocks[i].order;
	}
	while (changed) {
		changed = false;
		for (size_t i = 0; i < y->nr_blocks; i++) {
			if (growth[i] &&
			    !block_empty_structure(y, growth, &y->blocks[i])) {
				growth[i] = false;
				changed = true;
			}
		}
	}
	for (size_t i = 0; i < x->nr_blocks; i++) {
		const struct snap_block *a = &x->blocks[i];
		const struct snap_block *b = find_block(y, a->phys);
		char l[160];

		if (!b || b->order != a->order) {
			snprintf(l, sizeof(l), "[pages] block %#llx order %u (freed)",
				 (unsigned long long)a->phys, a->order);
			out_line(o, '-', l);
			continue;
		}
		{
			const uint64_t *wa = (const uint64_t *)(x->bytes + a->off);
			const uint64_t *wb = (const uint64_t *)(y->bytes + b->off);
			size_t nr = (size_t)CK_WORDS_PER_PAGE << a->order;
			unsigned int diffs = 0;
			size_t first = 0;

			for (size_t w = 0; w < nr; w++) {
				if (wa[w] == wb[w] ||
				    (!wa[w] && growth_link(y, growth, wb[w])))
					continue;
				if (!diffs++)
					first = w;
			}
			if (!diffs)
				continue;
			snprintf(l, sizeof(l), "[pages] block %#llx order %u: %u word%s changed, first at +%#zx: was %#llx, now %#llx",
				 (unsigned long long)a->phys, a->order, diffs,
				 diffs == 1 ? "" : "s", first * 8,
				 (unsigned long long)wa[first],
				 (unsigned long long)wb[first]);
			out_line(o, '~', l);
		}
	}
	for (size_t i = 0; i < y->nr_blocks; i++) {
		const struct snap_block *b = &y->blocks[i];
		const struct snap_block *a = find_block(x, b->phys);
		char l[128];

		if ((a && a->order == b->order) || growth[i])
			continue;
		snprintf(l, sizeof(l), "[pages] block %#llx order %u (allocated)",
			 (unsigned long long)b->phys, b->order);
		out_line(o, '+', l);
	}
	free(growth);
}

static bool is_pages_line(const char *l)
{
	return !strncmp(l, "[pages] ", 8);
}

/* A view of a snapshot's lines without the "pages" dumper's (compared apart). */
static void strip_pages(const struct lusim_snapshot *s, struct lusim_snapshot *v)
{
	memset(v, 0, sizeof(*v));
	v->split = s->split;
	for (size_t i = 0; i < s->nr_lines; i++) {
		if (is_pages_line(line(s, i)))
			continue;
		v->lines = ck_grow(v->lines, &v->cap_lines, v->nr_lines,
				   sizeof(*v->lines));
		v->lines[v->nr_lines++] = s->lines[i];
	}
}

unsigned int lusim_check_snapshot_compare(const struct lusim_snapshot *before,
					  const struct lusim_snapshot *after,
					  char *diff, size_t len)
{
	struct diffout o = { .buf = { .limit = 0 } };
	struct lusim_snapshot vx, vy;

	strip_pages(before, &vx);
	strip_pages(after, &vy);
	diff_text(&vx, &vy, &o);
	free(vx.lines);
	free(vy.lines);
	diff_pages(before, after, &o);
	if (diff && len) {
		size_t n = o.buf.len < len - 1 ? o.buf.len : len - 1;

		if (o.buf.s)
			memcpy(diff, o.buf.s, n);
		diff[n] = '\0';
	}
	ck_buf_free(&o.buf);
	return o.n;
}

unsigned int lusim_check_snapshot_expect_same(const struct lusim_snapshot *before,
					      const char *op, int ret)
{
	struct lusim_snapshot *after = lusim_check_snapshot_take();
	char diff[LUSIM_FINDING_DETAIL_MAX - 256];
	unsigned int n = lusim_check_snapshot_compare(before, after, diff,
						      sizeof(diff));

	if (n) {
		const char *name = lusim_check_errno_name(ret);
		char err[24];

		if (name)
			snprintf(err, sizeof(err), "-%s", name);
		else
			snprintf(err, sizeof(err), "%d", ret);
		lusim_report("ATOMIC-ERROR-PATH", op, diff,
			     "%s failed with %s but the structural snapshot differs in %u line%s",
			     op ? op : "op", err, n, n == 1 ? "" : "s");
	}
	lusim_check_snapshot_free(after);
	return n;
}
