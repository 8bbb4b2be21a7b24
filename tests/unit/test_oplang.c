// SPDX-License-Identifier: GPL-2.0-only
/*
 * The op language (sim/ops/oplang.h, docs/oplang.md): any byte string
 * decodes and runs without crashing; handle selectors reach live objects,
 * objects of another kind, destroyed objects and raw ids (the -ENOENT,
 * wrong-type and id-reuse paths); binary -> scenario -> binary round trips
 * over random inputs and the committed corpus; scenario parse errors are
 * exact "file:line:col: message" and nothing runs; expect clauses pass and
 * fail as they should; the same input gives the same trace twice in one
 * process and in two processes; the mutator keeps inputs well-formed; the
 * reviewer-bug switches; the committed dictionaries are what the op table
 * generates.
 *
 * `test_oplang --print-trace FILE` runs a binary input and prints its
 * trace: the two-process test runs itself that way.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check/check.h>
#include <linux/slab.h>
#include <lusim/bugs.h>
#include <lusim/fault.h>
#include <ops/oplang.h>

#include "lusim_test.h"

static struct opl_vm *vm;

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	uint32_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rnd_state = x;
	return x;
}

static uint8_t opc(const char *name)
{
	int op = opl_op_find(name, strlen(name));

	if (op < 0)
		fail_msg("no op %s", name);
	return (uint8_t)op;
}

/* Run one op with the given argument bytes; returns its result. */
static int step(const char *name, const uint8_t *args)
{
	return opl_vm_step(vm, opc(name), args);
}

#define assert_contains(hay, needle)					\
	do {								\
		if (!strstr((hay), (needle)))				\
			fail_msg("missing:\n%s\n--- in:\n%s", (needle), (hay)); \
	} while (0)

static const struct opl_call *last(void)
{
	return opl_vm_call(vm, opl_vm_nr_calls(vm) - 1);
}

static int setup(void **state)
{
	lusim_test_setup(state);
	if (!vm)
		vm = opl_vm_new();
	return 0;
}

static int teardown(void **state)
{
	opl_install_trace(NULL);
	lusim_bugs_clear();	/* a failed test may have left switches on */
	lusim_test_teardown(state);
	return 0;
}

#define oplang_test(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

static bool has_corpus(const char *root)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/corpus/scenarios", root);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/*
 * The source tree: LUSIM_SOURCE_ROOT, or this file's path as the compiler
 * saw it, relative to the working directory (meson test runs in the build
 * root) or to the build root this binary is in (BUILD/tests/test_oplang).
 */
static const char *source_root(void)
{
	static char root[PATH_MAX];
	const char *tail = "tests/unit/test_oplang.c";
	const char *file = __FILE__;
	size_t len = strlen(file);
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (getenv("LUSIM_SOURCE_ROOT"))
		return getenv("LUSIM_SOURCE_ROOT");
	if (len < strlen(tail) || strcmp(&file[len - strlen(tail)], tail))
		return NULL;
	len -= strlen(tail);
	if (file[0] == '/' || len == 0) {
		snprintf(root, sizeof(root), "%.*s", (int)len, len ? file : ".");
		return has_corpus(root) ? root : NULL;
	}
	snprintf(root, sizeof(root), "%.*s", (int)len, file);
	if (has_corpus(root))
		return root;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 2 && (slash = strrchr(exe, '/')); up++)
		*slash = '\0';		/* BUILD/tests/test_oplang -> BUILD */
	if (strlen(exe) + 1 + len >= sizeof(root))
		return NULL;
	snprintf(root, sizeof(root), "%s/%.*s", exe, (int)len, file);
	return has_corpus(root) ? root : NULL;
}

static char *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap * 2 + 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = '\0';
	*size = len;
	return buf;
}

/* ---------------------------------------------------------------------
 * Decoding
 * --------------------------------------------------------------------- */

static void run_bytes(const uint8_t *data, size_t size)
{
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	opl_vm_run_binary(vm, data, size);
	opl_vm_end(vm);
	assert_true(opl_vm_nr_calls(vm) <= OPL_MAX_CALLS);
}

static void test_decode_any_bytes(void **state)
{
	uint8_t buf[512];

	(void)state;
	/* every opcode byte on its own, with its arguments all 0x00 / 0xff */
	for (unsigned int b = 0; b < 256; b++) {
		memset(buf, 0, sizeof(buf));
		buf[0] = (uint8_t)b;
		run_bytes(buf, opl_record_size((uint8_t)b));
		memset(buf, 0xff, sizeof(buf));
		buf[0] = (uint8_t)b;
		run_bytes(buf, opl_record_size((uint8_t)b));
	}
	/* a partial record is ignored */
	buf[0] = opc("ioas_map");
	run_bytes(buf, 2);
	assert_int_equal(opl_vm_nr_calls(vm), 0);
	run_bytes(buf, 0);
	assert_int_equal(opl_vm_nr_calls(vm), 0);
	/* random inputs: no crash, whatever they do */
	rnd_state = 12345;
	for (unsigned int i = 0; i < 1500; i++) {
		size_t len = rnd() % sizeof(buf);

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		run_bytes(buf, len);
	}
	lusim_findings_clear();
}

static void test_fold_and_sizes(void **state)
{
	(void)state;
	assert_true(opl_nr_ops > 30 && opl_nr_ops < 256);
	for (unsigned int b = 0; b < 256; b++) {
		unsigned int op = opl_fold((uint8_t)b);

		assert_true(op < opl_nr_ops);
		if (b < opl_nr_ops)
			assert_int_equal(op, b);
		assert_int_equal(opl_record_size((uint8_t)b),
				 1 + opl_op_nr_args(&opl_ops[op]));
	}
	/* every op's table entry is usable by every reader */
	for (unsigned int op = 0; op < opl_nr_ops; op++) {
		const struct opl_op *d = &opl_ops[op];

		assert_true(!d->exec != !d->expand);
		assert_non_null(d->help);
		assert_int_equal(opl_op_find(d->name, strlen(d->name)), (int)op);
		for (unsigned int i = 0; i < opl_op_nr_args(d); i++) {
			const struct opl_arg *a = &d->args[i];

			if (a->type == OPA_FLAGS || a->type == OPA_ENUM)
				assert_non_null(a->syms);
			if (a->type == OPA_HANDLE)
				assert_true(a->kind > OPK_NONE && a->kind < OPK_NR_CLASSES);
		}
	}
}

/* ---------------------------------------------------------------------
 * Handles: live, another kind, destroyed, raw, and the empty-set fallback
 * --------------------------------------------------------------------- */

static void test_handles(void **state)
{
	const uint8_t none[OPL_MAX_ARGS] = { 0 };
	uint8_t a[OPL_MAX_ARGS] = { 0 };
	const struct opl_call *c;
	int fd, ioas, mfd;

	(void)state;
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	assert_true(step("iommufd_open", none) >= 0);
	fd = last()->product;
	assert_int_equal(opl_vm_obj(vm, fd)->kind, OPK_IOMMUFD);

	/* live, expected kind: index modulo the live count */
	a[0] = 7;		/* 7 % 1 = the only iommufd */
	assert_int_equal(step("ioas_alloc", a), 0);
	c = last();
	assert_int_equal(c->sel[0], OPL_SEL_LIVE);
	assert_int_equal(c->obj[0], fd);
	assert_int_equal(c->bytes[0], 0);	/* canonical */
	ioas = c->product;
	assert_int_equal(opl_vm_obj(vm, ioas)->kind, OPK_IOAS);
	assert_int_equal(opl_vm_handle_byte(vm, ioas, OPK_IOAS), 0);
	assert_int_equal(opl_vm_handle_byte(vm, ioas, OPK_ANY_ID), 0);

	/* a live object of another kind: a memfd where an iommufd goes */
	a[0] = 0;
	assert_true(step("memfd_create", a) >= 0);
	mfd = last()->product;
	a[0] = 0xc0 | 1;	/* others: ioas0, memfd0 -> memfd0 */
	assert_int_equal(step("ioas_alloc", a), -ENOTTY);
	c = last();
	assert_int_equal(c->sel[0], OPL_SEL_OTHER);
	assert_int_equal(c->obj[0], mfd);
	assert_int_equal(c->bytes[0], 0xc1);
	assert_int_equal(opl_vm_handle_byte(vm, mfd, OPK_IOMMUFD), 0xc1);

	/* a raw id: nothing has id 13 */
	a[0] = 0;
	a[1] = 0xf0 | 13;
	assert_int_equal(step("destroy", a), -ENOENT);
	c = last();
	assert_int_equal(c->sel[1], OPL_SEL_RAW);
	assert_int_equal(c->obj[1], -1);
	assert_int_equal(c->val[1], 13);

	/* destroyed: the IOAS after IOMMU_DESTROY */
	a[1] = 0;
	assert_int_equal(step("destroy", a), 0);
	assert_int_equal(opl_vm_obj(vm, ioas)->state, OPL_OBJ_DEAD);
	a[1] = 0xe0 | 5;	/* 5 % 1 dead object */
	a[2] = 1;		/* iova page 1, 1 page, fixed read write */
	a[3] = 1;
	a[4] = 7;
	assert_int_equal(step("ioas_map", a), -ENOENT);
	c = last();
	assert_int_equal(c->sel[1], OPL_SEL_DEAD);
	assert_int_equal(c->obj[1], ioas);
	assert_int_equal(c->bytes[1], 0xe0);
	assert_int_equal(opl_vm_handle_byte(vm, ioas, OPK_IOAS), 0xe0);

	/* id reuse: a new IOAS gets the dead one's id, the stale handle works */
	a[0] = 0;
	assert_int_equal(step("ioas_alloc", a), 0);
	assert_int_equal(opl_vm_obj(vm, last()->product)->value,
			 opl_vm_obj(vm, ioas)->value);
	a[1] = 0xe0;
	a[2] = 1;		/* iova page 1 */
	a[3] = 1;
	a[4] = 7;
	assert_int_equal(step("ioas_map", a), 0);
	assert_int_equal(last()->sel[1], OPL_SEL_DEAD);

	/* closing the iommufd kills its ids too */
	a[0] = 0;		/* fds: iommufd0, memfd0 -> iommufd0 */
	assert_int_equal(step("close", a), 0);
	assert_int_equal(opl_vm_obj(vm, fd)->state, OPL_OBJ_DEAD);
	for (unsigned int i = 0; i < opl_vm_nr_objs(vm); i++)
		assert_true(opl_vm_obj(vm, i)->kind == OPK_MEMFD ||
			    opl_vm_obj(vm, i)->state == OPL_OBJ_DEAD);

	/* the empty-set fallback: no live iommufd, byte 3 is raw value 3 */
	a[0] = 3;
	assert_int_equal(step("ioas_alloc", a), -EBADF);	/* no fd 3 */
	assert_int_equal(last()->sel[0], OPL_SEL_RAW);
	assert_int_equal(last()->bytes[0], 0xf3);
	assert_int_equal(last()->val[0], 3);
	a[0] = 0xff;		/* raw -1 */
	assert_int_equal(step("ioas_alloc", a), -EBADF);
	opl_vm_end(vm);
	assert_no_findings();
}

static void test_kexec_kills_handles(void **state)
{
	const uint8_t none[OPL_MAX_ARGS] = { 0 };
	uint8_t a[OPL_MAX_ARGS] = { 0 };
	int luo;

	(void)state;
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	assert_true(step("luo_open", none) >= 0);
	luo = last()->product;
	a[1] = 2;		/* name vm2 */
	assert_true(step("session_create", a) >= 0);
	assert_int_equal(opl_vm_obj(vm, last()->product)->aux, 2);
	a[0] = 1;		/* sealing */
	assert_true(step("memfd_create", a) >= 0);
	a[0] = 0;		/* the session */
	a[1] = 2;		/* fds: luo0, session0, memfd0 -> memfd0 */
	a[2] = 9;		/* token 9 */
	assert_int_equal(step("preserve", a), 0);
	assert_int_equal(step("kexec", none), 0);
	for (unsigned int i = 0; i < opl_vm_nr_objs(vm); i++)
		assert_int_equal(opl_vm_obj(vm, i)->state, OPL_OBJ_DEAD);
	/* the old fd: a destroyed object's handle */
	a[0] = 0xe2;		/* newest first: memfd0, session0, luo0 */
	a[1] = 2;
	assert_int_equal(step("session_retrieve", a), -EBADF);
	assert_int_equal(last()->obj[0], luo);
	assert_true(step("luo_open", none) >= 0);
	a[0] = 0;
	assert_true(step("session_retrieve", a) >= 0);
	assert_int_equal(opl_vm_obj(vm, last()->product)->kind, OPK_SESSION);
	/* the retrieved fd gets the kind it was preserved as */
	a[0] = 0;
	a[1] = 9;
	assert_true(step("retrieve", a) >= 0);
	assert_int_equal(opl_vm_obj(vm, last()->product)->kind, OPK_MEMFD);
	a[1] = 8;		/* nothing under token 8 */
	assert_int_equal(step("retrieve", a), -ENOENT);
	opl_vm_end(vm);
	assert_no_findings();
}

/* ---------------------------------------------------------------------
 * Round trips
 * --------------------------------------------------------------------- */

static void assert_roundtrip(const uint8_t *data, size_t size)
{
	struct opl_str why = { 0 };

	if (opl_roundtrip(vm, data, size, &why))
		fail_msg("round trip: %s", why.s);
	opl_str_free(&why);
}

static void test_roundtrip_random(void **state)
{
	uint8_t buf[400];

	(void)state;
	rnd_state = 777;
	for (unsigned int i = 0; i < 300; i++) {
		size_t len = rnd() % sizeof(buf);

		/* mostly small handle bytes, so the inputs do things */
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)(rnd() % 3 ? rnd() % 8 : rnd());
		assert_roundtrip(buf, len);
		lusim_findings_clear();
	}
}

/*
 * Scenario text -> binary -> text: the run of the scenario and the run of
 * its encoding print the same canonical trace.
 */
static void scenario_roundtrip(const char *file, const char *text, size_t len)
{
	struct opl_run_opts opts = { .silent = true, .keep_going = true };
	struct opl_str err = { 0 }, t1 = { 0 }, t2 = { 0 };
	struct opl_script *s = opl_script_parse(file, text, len, &err);
	struct opl_result res;
	char saved_bugs[256];
	uint8_t *bin;
	size_t blen;

	if (!s)
		fail_msg("%s", err.s);
	/* the binary has no bugs line: run both forms with the scenario's */
	lusim_bugs_format(saved_bugs, sizeof(saved_bugs));
	lusim_bugs_add(opl_script_bugs(s));
	/* whether its expects hold is the scenario test's business */
	opl_script_run(s, vm, &opts, &res);
	assert_int_equal(res.runtime_error, 0);
	opl_print_trace(vm, OPL_PRINT_EXPECT, &t1);
	blen = opl_vm_encode(vm, NULL, 0);
	bin = malloc(blen + 1);
	assert_non_null(bin);
	opl_vm_encode(vm, bin, blen);
	opl_script_free(s);

	assert_int_equal(opl_vm_start(vm, NULL), 0);
	opl_vm_run_binary(vm, bin, blen);
	opl_print_trace(vm, OPL_PRINT_EXPECT, &t2);
	opl_vm_end(vm);
	assert_string_equal(t1.s, t2.s);
	assert_roundtrip(bin, blen);
	lusim_bugs_set(saved_bugs);
	free(bin);
	opl_str_free(&err);
	opl_str_free(&t1);
	opl_str_free(&t2);
}

static unsigned int for_each_file(const char *dir, const char *suffix,
				  void (*fn)(const char *path))
{
	struct dirent *de;
	unsigned int n = 0;
	char path[PATH_MAX];
	DIR *d = opendir(dir);

	if (!d)
		fail_msg("%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' ||
		    (suffix && (len < strlen(suffix) ||
				strcmp(de->d_name + len - strlen(suffix), suffix))))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fn(path);
		n++;
	}
	closedir(d);
	return n;
}

static void corpus_scenario(const char *path)
{
	size_t len;
	char *text = read_all(path, &len);

	assert_non_null(text);
	scenario_roundtrip(path, text, len);
	free(text);
	lusim_findings_clear();
}

static void corpus_binary(const char *path)
{
	size_t len;
	char *data = read_all(path, &len);

	assert_non_null(data);
	assert_roundtrip((const uint8_t *)data, len);
	free(data);
	lusim_findings_clear();
}

static void test_roundtrip_corpus(void **state)
{
	const char *root = source_root();
	char dir[PATH_MAX + 64];

	(void)state;
	if (!root)
		skip();
	snprintf(dir, sizeof(dir), "%s/corpus/scenarios", root);
	assert_true(for_each_file(dir, ".lus", corpus_scenario) >= 10);
	snprintf(dir, sizeof(dir), "%s/corpus/fuzz_ops", root);
	assert_true(for_each_file(dir, NULL, corpus_binary) >= 10);
}

/*
 * The slab's host pool (kernel-shim/mm/slab.c; on in ASan builds) is a
 * fast path only: every committed input gives the same trace, VM hash and
 * findings with host blocks from the pool and from malloc().
 */
static void random_input(uint8_t *buf, size_t len);

/*
 * Slab object numbers ("object #495883") count every allocation of the
 * process, so the second run of an input numbers its objects on from the
 * first: they are written "#N" for the comparison.
 */
static void strip_object_numbers(struct opl_str *b)
{
	size_t r = 0, w = 0;

	while (r < b->len) {
		char c = b->s[r++];

		b->s[w++] = c;
		if (c == '#' && r < b->len && b->s[r] >= '0' && b->s[r] <= '9') {
			b->s[w++] = 'N';
			while (r < b->len && b->s[r] >= '0' && b->s[r] <= '9')
				r++;
		}
	}
	b->len = w;
	if (b->s)
		b->s[w] = '\0';
}

static void findings_text(struct opl_str *out)
{
	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		const struct lusim_finding *f = lusim_findings_get(i);

		opl_str_printf(out, "%s@%s x%u: %s\n%s", f->id, f->site, f->hits,
			       f->msg, f->detail);
	}
	strip_object_numbers(out);
}

static void run_both_ways(const uint8_t *data, size_t size, const char *text,
			  const char *path)
{
	struct opl_str t[2] = { { 0 } }, fi[2] = { { 0 } };
	uint64_t h[2];
	bool was = lusim_slab_set_pool(false);

	for (int pool = 0; pool < 2; pool++) {
		lusim_slab_set_pool(pool);
		lusim_findings_clear();
		if (text) {
			struct opl_script *s = opl_script_parse(path, text, size, NULL);
			struct opl_run_opts opts = { .silent = true, .keep_going = true };
			struct opl_result res;

			assert_non_null(s);
			opl_script_run(s, vm, &opts, &res);	/* powers on and ends */
			opl_script_free(s);
		} else {
			assert_int_equal(opl_vm_start(vm, NULL), 0);
			opl_vm_run_binary(vm, data, size);
			opl_vm_end(vm);
		}
		opl_print_trace(vm, OPL_PRINT_EXPECT, &t[pool]);
		h[pool] = opl_vm_hash(vm);
		findings_text(&fi[pool]);
	}
	lusim_slab_set_pool(was);
	lusim_findings_clear();
	if (strcmp(t[0].s ? t[0].s : "", t[1].s ? t[1].s : ""))
		fail_msg("%s: trace differs with the slab pool", path);
	if (fi[0].len != fi[1].len ||
	    (fi[0].len && memcmp(fi[0].s, fi[1].s, fi[0].len)))
		fail_msg("%s: findings differ with the slab pool:\n%s\n---\n%s",
			 path, fi[0].s ? fi[0].s : "", fi[1].s ? fi[1].s : "");
	assert_true(h[0] == h[1]);
	for (int i = 0; i < 2; i++) {
		opl_str_free(&t[i]);
		opl_str_free(&fi[i]);
	}
}

static void pool_scenario(const char *path)
{
	size_t len;
	char *text = read_all(path, &len);

	assert_non_null(text);
	run_both_ways((const uint8_t *)text, len, text, path);
	free(text);
}

static void pool_binary(const char *path)
{
	size_t len;
	char *data = read_all(path, &len);

	assert_non_null(data);
	run_both_ways((const uint8_t *)data, len, NULL, path);
	free(data);
}

static void test_slab_pool_same_results(void **state)
{
	const char *root = source_root();
	char dir[PATH_MAX + 64];
	uint8_t buf[300];

	(void)state;
	rnd_state = 777;
	for (unsigned int i = 0; i < 20; i++) {
		random_input(buf, sizeof(buf));
		run_both_ways(buf, sizeof(buf), NULL, "random input");
	}
	if (!root)
		skip();
	snprintf(dir, sizeof(dir), "%s/corpus/scenarios", root);
	assert_true(for_each_file(dir, ".lus", pool_scenario) >= 10);
	snprintf(dir, sizeof(dir), "%s/corpus/fuzz_ops", root);
	assert_true(for_each_file(dir, NULL, pool_binary) >= 10);
}

static void test_roundtrip_names(void **state)
{
	/* user names, kind prefixes, NAME=OP, a failed creation's name */
	static const char text[] =
		"bugs RB-7\n"
		"ictx=iommufd_open\n"
		"ioas A = ioas_alloc ictx expect ok\n"
		"fail_nth class=slab n=1\n"
		"B = ioas_alloc ictx expect -ENOMEM	# B is never made\n"
		"ioas_map ictx B expect -ENOENT		# raw 0\n"
		"close B expect -EBADF			# raw -1\n"
		"destroy ictx A\n"
		"expect ok\n"
		"ioas_map ictx A iova=0x2000 pages=all flags=read\n"
		"expect -EOVERFLOW\n";

	(void)state;
	scenario_roundtrip("names.lus", text, sizeof(text) - 1);
	assert_false(lusim_bug_enabled("RB-07"));	/* restored after the run */
}

/* ---------------------------------------------------------------------
 * Scenario parse errors: exact, complete, and nothing runs
 * --------------------------------------------------------------------- */

static const struct {
	const char *text;
	const char *errors;
} parse_cases[] = {
	{ "foo\n", "t.lus:1:1: unknown op 'foo' (lusim help ops lists them)\n" },
	{ "fd = iommufd_open\nioas_alloc fx\n",
	  "t.lus:2:12: unknown name 'fx'\n" },
	{ "ioas_map_file\n",
	  "t.lus:1:14: ioas_map_file needs 3 handles: iommufd ioas memfd\n" },
	{ "fd = iommufd_open\n  ioas_map fd fd iova=0x1001\n",
	  "t.lus:2:23: bad iova '0x1001': a page-aligned address below 0x100000\n" },
	{ "x = close raw:1\n", "t.lus:1:1: close makes nothing to name\n" },
	{ "hwpt x = iommufd_open\n", "t.lus:1:1: iommufd_open makes a iommufd, not a hwpt\n" },
	{ "expect\n",
	  "t.lus:1:7: expect what? (ok, fail, an errno, a number, finding ID, no findings)\n" },
	{ "expect ok\n", "t.lus:1:1: expect ok: no op before it\n" },
	{ "expect finding lower\n",
	  "t.lus:1:16: bad finding id 'lower' (capitals, digits and '-', like LOCK-ORDER-CYCLE)\n" },
	{ "bugs RB-0\n", "t.lus:1:6: bad bug id 'RB-0' (RB-1 .. RB-127)\n" },
	{ "bugs RB-1\nbugs RB-2\n", "t.lus:2:1: a second bugs line (the first is line 1)\n" },
	{ "fd = iommufd_open\nfd = iommufd_open\n",
	  "t.lus:2:1: name 'fd' is already defined at line 1\n" },
	{ "vfio_pci_bind dev=9\n", "t.lus:1:19: bad dev '9': a number 0..7\n" },
	{ "vfio_pci_bind foo=1\n",
	  "t.lus:1:15: vfio_pci_bind has no argument 'foo' (it has: dev)\n" },
	{ "vfio_pci_bind dev=1 dev=2\n", "t.lus:1:21: dev given twice\n" },
	{ "close raw:99\n",
	  "t.lus:1:11: raw value '99' cannot be encoded (0..13, 2147483647, -1)\n" },
	{ "close raw:1 raw:2\n",
	  "t.lus:1:13: close takes 1 handle; 'raw:2' is one too many\n" },
	{ "memfd_seal raw:1 seals=seal,bogus\n",
	  "t.lus:1:24: bad seals 'seal,bogus': a comma list of seal shrink grow write future_write, or none\n" },
	{ "kexec expect -EWHAT\n",
	  "t.lus:1:14: bad result '-EWHAT' (ok, fail, an errno name like -EBUSY, or a number)\n" },
	{ "kexec expect ok ok\n", "t.lus:1:7: expect RESULT ends the line\n" },
	{ "kexec\nexpect ok\nexpect ok\n",
	  "t.lus:3:1: the op of line 1 has an expect already\n" },
	{ "ok = kexec\n",
	  "t.lus:1:1: 'ok' is a reserved word, not a name\n" },
	{ "kexec = iommufd_open\n",
	  "t.lus:1:1: 'kexec' is a reserved word, not a name\n" },
	{ "kexec\0\n", "t.lus:1:6: a NUL byte\n" },
	{ "ioas iommufd_open\n", "t.lus:1:1: 'ioas NAME = OP': the '=' is missing\n" },
	/* every error, not only the first */
	{ "foo\nbar\nkexec\nclose raw:1 raw:2\n",
	  "t.lus:1:1: unknown op 'foo' (lusim help ops lists them)\n"
	  "t.lus:2:1: unknown op 'bar' (lusim help ops lists them)\n"
	  "t.lus:4:13: close takes 1 handle; 'raw:2' is one too many\n" },
};

static void test_parse_errors(void **state)
{
	unsigned long steps = opl_total_steps();

	(void)state;
	for (unsigned int i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		struct opl_str err = { 0 };
		const char *t = parse_cases[i].text;
		size_t len = strlen(t);
		struct opl_script *s;

		if (strstr(parse_cases[i].errors, "NUL"))
			len = 7;	/* the NUL is part of the input */
		s = opl_script_parse("t.lus", t, len, &err);
		assert_null(s);
		assert_non_null(err.s);
		assert_string_equal(err.s, parse_cases[i].errors);
		opl_str_free(&err);
	}
	assert_int_equal(opl_total_steps(), steps);	/* nothing ran */
}

static void test_parse_error_cap(void **state)
{
	struct opl_str text = { 0 }, err = { 0 };
	unsigned int lines = 0;

	(void)state;
	for (unsigned int i = 0; i < 50; i++)
		opl_str_printf(&text, "nope%u\n", i);
	assert_null(opl_script_parse("t.lus", text.s, text.len, &err));
	for (const char *p = err.s; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 21);	/* 20 errors and "too many errors" */
	assert_contains(err.s, "t.lus: too many errors, stopping\n");
	opl_str_free(&text);
	opl_str_free(&err);
}

static void test_parse_ok_forms(void **state)
{
	static const char text[] =
		"# comment only\n"
		"\n"
		"   \t  # indented comment\n"
		"fd = iommufd_open   # trailing comment\n"
		"iommufd f2=iommufd_open\n"
		"A=ioas_alloc fd\n"
		"ioas_map fd A iova=4096 pages=all flags=none expect fail\n"
		"ioas_map fd A iova=0x3000 pages=0 flags=fixed,read\n"
		"expect EINVAL\n"
		"vfio_set_master raw:-1 enable=off expect -9\n"
		"fail_nth class=kho n=0 expect 0\n"
		"dma_write dev=7 pasid=0xfffff pages=16 pattern=255 expect -ENODEV\n"
		"bugs rb-3, RB-010\n"
		"expect no finding WARN\n"
		"expect no findings\n";
	struct opl_str err = { 0 };
	struct opl_script *s = opl_script_parse("ok.lus", text, sizeof(text) - 1, &err);
	struct opl_result res;

	(void)state;
	if (!s)
		fail_msg("%s", err.s);
	assert_int_equal(opl_script_nr_ops(s), 8);
	assert_string_equal(opl_script_bugs(s), "RB-03,RB-10");
	{
		struct opl_run_opts opts = { .silent = true, .keep_going = true };

		assert_int_equal(opl_script_run(s, vm, &opts, &res), 0);
	}
	assert_int_equal(res.ops, 8);
	assert_int_equal(res.expects, 7);
	assert_int_equal(res.failed, 0);
	opl_script_free(s);
}

/* ---------------------------------------------------------------------
 * Expect handling
 * --------------------------------------------------------------------- */

static void inject_finding(struct opl_vm *v, void *arg)
{
	(void)v;
	(void)arg;
	lusim_report("TEST-INJECTED", "test_oplang.c", NULL, "planted by the test");
}

static int run_text(const char *text, struct opl_result *res, bool inject,
		    struct opl_str *out_text)
{
	struct opl_run_opts opts = { .keep_going = true };
	struct opl_str err = { 0 };
	struct opl_script *s = opl_script_parse("e.lus", text, strlen(text), &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int r;

	if (!s)
		fail_msg("%s", err.s);
	assert_non_null(out);
	opts.out = out;
	if (inject)
		opts.before_end = inject_finding;
	r = opl_script_run(s, vm, &opts, res);
	fclose(out);
	if (out_text)
		opl_str_printf(out_text, "%s", buf);
	free(buf);
	opl_script_free(s);
	return r;
}

static void test_expects(void **state)
{
	struct opl_result res;
	struct opl_str out = { 0 };

	(void)state;
	/* all pass */
	assert_int_equal(run_text("fd = iommufd_open expect ok\n"
				  "close fd expect 0\n"
				  "close fd expect -EBADF\n"
				  "close fd expect fail\n"
				  "expect no findings\n", &res, false, NULL), 0);
	assert_int_equal(res.expects, 5);
	assert_int_equal(res.failed, 0);

	/* a wrong errno, a wrong ok: each reported with its position */
	assert_int_equal(run_text("fd = iommufd_open expect fail\n"
				  "close fd\n"
				  "expect -EBUSY\n"
				  "close fd expect ok\n", &res, false, &out), 1);
	assert_int_equal(res.expects, 3);
	assert_int_equal(res.failed, 3);
	assert_contains(out.s, "e.lus:1:19: FAIL: iommufd_open: expected fail, got 0 (ok)\n");
	assert_contains(out.s, "e.lus:3:1: FAIL: close: expected -EBUSY, got 0 (ok)\n");
	assert_contains(out.s, "e.lus:4:10: FAIL: close: expected ok, got -EBADF\n");
	out.len = 0;

	/* a finding at the end: expected after the last op */
	assert_int_equal(run_text("kexec\nexpect finding TEST-INJECTED\n",
				  &res, true, NULL), 0);
	assert_int_equal(res.unexpected, 0);
	/* ... not fired yet where the expect stands */
	assert_int_equal(run_text("expect finding TEST-INJECTED\nkexec\n",
				  &res, true, &out), 1);
	assert_int_equal(res.failed, 1);
	assert_int_equal(res.unexpected, 0);
	assert_contains(out.s, "e.lus:1:1: FAIL: expected finding TEST-INJECTED did not fire\n");
	out.len = 0;
	/* unexpected: nobody expects it */
	assert_int_equal(run_text("kexec\n", &res, true, &out), 1);
	assert_int_equal(res.failed, 0);
	assert_int_equal(res.unexpected, 1);
	assert_contains(out.s, "e.lus: FAIL: unexpected finding TEST-INJECTED at test_oplang.c: planted by the test\n");
	out.len = 0;
	assert_int_equal(run_text("kexec\nexpect no findings\n", &res, true, &out), 1);
	assert_int_equal(res.failed, 1);
	assert_int_equal(run_text("kexec\nexpect no finding TEST-INJECTED\n", &res,
				  true, &out), 1);
	assert_int_equal(res.failed, 1);
	/* suppressed findings are neither unexpected nor counted */
	assert_int_equal(lusim_findings_suppress("TEST-INJECTED"), 0);
	assert_int_equal(run_text("kexec\nexpect no findings\n", &res, true, NULL), 0);
	opl_str_free(&out);
}

static void test_skip(void **state)
{
	static const char text[] =
		"fd = iommufd_open\n"
		"A = ioas_alloc fd\n"
		"destroy fd A expect ok\n"
		"destroy fd A expect -ENOENT\n";
	bool skip[4] = { false, true, false, false };
	struct opl_run_opts opts = { .silent = true, .keep_going = true, .skip = skip };
	struct opl_str err = { 0 };
	struct opl_script *s = opl_script_parse("s.lus", text, sizeof(text) - 1, &err);
	struct opl_result res;

	(void)state;
	assert_non_null(s);
	/* A is never made: its handle is raw id 0 */
	assert_int_equal(opl_script_run(s, vm, &opts, &res), 1);
	assert_int_equal(res.ops, 3);
	assert_int_equal(res.failed, 1);	/* destroy of raw 0 is -ENOENT */
	assert_int_equal(opl_vm_call(vm, 1)->bytes[1], 0xf0);
	opl_script_free(s);
}

/* ---------------------------------------------------------------------
 * Determinism: one process, two processes
 * --------------------------------------------------------------------- */

static void trace_of(const uint8_t *data, size_t size, struct opl_str *out,
		     uint64_t *hash)
{
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	opl_vm_run_binary(vm, data, size);
	opl_vm_end(vm);
	opl_print_trace(vm, OPL_PRINT_EXPECT, out);
	*hash = opl_vm_hash(vm);
}

static void random_input(uint8_t *buf, size_t len)
{
	for (size_t k = 0; k < len; k++)
		buf[k] = (uint8_t)(rnd() % 3 ? rnd() % 6 : rnd());
}

static void test_same_input_twice(void **state)
{
	uint8_t a[300], b[300];
	struct opl_str t1 = { 0 }, t2 = { 0 }, t3 = { 0 };
	uint64_t h1, h2, h3;

	(void)state;
	rnd_state = 4242;
	for (unsigned int i = 0; i < 50; i++) {
		random_input(a, sizeof(a));
		random_input(b, sizeof(b));
		trace_of(a, sizeof(a), &t1, &h1);
		trace_of(b, sizeof(b), &t3, &h3);	/* something else between */
		trace_of(a, sizeof(a), &t2, &h2);
		assert_string_equal(t1.s, t2.s);
		assert_true(h1 == h2);
		t1.len = t2.len = t3.len = 0;
		lusim_findings_clear();
	}
	opl_str_free(&t1);
	opl_str_free(&t2);
	opl_str_free(&t3);
}

static char *run_self(const char *input)
{
	char *argv[] = { "test_oplang", "--print-trace", (char *)input, NULL };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int pipefd[2], st;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap * 2 + 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = read(pipefd[0], buf + len, 4096);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	buf[len] = '\0';
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return buf;
}

static void test_two_processes(void **state)
{
	char path[] = "/tmp/lusim-oplang-XXXXXX";
	struct opl_str here = { 0 };
	uint8_t input[600];
	char *p1, *p2;
	uint64_t h;
	int fd;

	(void)state;
	rnd_state = 99;
	random_input(input, sizeof(input));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, input, sizeof(input)), (ssize_t)sizeof(input));
	close(fd);
	p1 = run_self(path);
	p2 = run_self(path);
	unlink(path);
	trace_of(input, sizeof(input), &here, &h);
	opl_str_printf(&here, "hash %016llx\n", (unsigned long long)h);
	assert_true(strlen(p1) > 100);
	assert_string_equal(p1, p2);
	assert_string_equal(p1, here.s);
	free(p1);
	free(p2);
	opl_str_free(&here);
}

static int print_trace_main(const char *path)
{
	struct opl_str out = { 0 };
	size_t len;
	char *data = read_all(path, &len);
	uint64_t h;

	if (!data)
		return 2;
	vm = opl_vm_new();
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	opl_vm_run_binary(vm, (const uint8_t *)data, len);
	opl_vm_end(vm);
	opl_print_trace(vm, OPL_PRINT_EXPECT, &out);
	h = opl_vm_hash(vm);
	printf("%shash %016llx\n", out.s, (unsigned long long)h);
	free(data);
	opl_str_free(&out);
	lusim_reset_all();
	opl_vm_free(vm);
	return 0;
}

/* ---------------------------------------------------------------------
 * The trace in findings
 * --------------------------------------------------------------------- */

static void report_at_hot_add(const struct lusim_check_ctx *ctx)
{
	if (ctx->op && !strcmp(ctx->op, "hot_add"))
		lusim_report("TEST-AT-HOT-ADD", "test_oplang.c", NULL, "op %s", ctx->op);
}

static struct lusim_check test_check = {
	.id = "TEST-AT-HOT-ADD",
	.area = "test",
	.desc = "reports during every hot_add (test_oplang)",
	.when = LUSIM_CHECK_OP_END,
	.run = report_at_hot_add,
};

static void test_trace_in_findings(void **state)
{
	static const char text[] =
		"fd = iommufd_open\n"
		"hot_remove dev=4\n"
		"hot_add dev=4\n"
		"expect finding TEST-AT-HOT-ADD\n";
	const struct lusim_finding *f;
	struct opl_result res;

	(void)state;
	lusim_check_register(&test_check);
	opl_install_trace(vm);
	assert_int_equal(run_text(text, &res, false, NULL), 0);
	assert_int_equal(lusim_findings_count(), 1);
	f = lusim_findings_get(0);
	assert_string_equal(f->id, "TEST-AT-HOT-ADD");
	assert_contains(f->detail, "during op #3 hot_add\n");
	assert_contains(f->detail,
		"# lusim op trace: 3 ops (replay: lusim run FILE)\n"
		"iommufd0 = iommufd_open expect ok  # line 1\n"
		"hot_remove dev=4 expect ok  # line 2\n"
		"hot_add dev=4  # line 3  # <- the finding fired in this op\n");
	lusim_check_set_enabled("TEST-AT-HOT-ADD", false);
}

/* ---------------------------------------------------------------------
 * The mutator
 * --------------------------------------------------------------------- */

static bool whole_records(const uint8_t *data, size_t size)
{
	size_t pos = 0;

	while (pos < size)
		pos += opl_record_size(data[pos]);
	return pos == size;
}

static void test_mutator(void **state)
{
	uint8_t buf[256], copy[256];
	size_t size = 0;

	(void)state;
	rnd_state = 31337;
	for (unsigned int i = 0; i < 5000; i++) {
		unsigned int seed = rnd();
		size_t n1, n2;

		memcpy(copy, buf, size);
		n1 = opl_mutate(buf, size, sizeof(buf), seed);
		n2 = opl_mutate(copy, size, sizeof(copy), seed);
		assert_int_equal(n1, n2);		/* deterministic */
		assert_memory_equal(buf, copy, n1);
		assert_true(n1 <= sizeof(buf));
		assert_true(whole_records(buf, n1));
		size = n1;
	}
	/* a partial trailing record is dropped, the rest kept whole */
	buf[0] = opc("kexec");
	buf[1] = opc("ioas_map");
	size = opl_mutate(buf, 3, sizeof(buf), 1);
	assert_true(whole_records(buf, size));
}

/* The records of a whole binary input, as (offset) list; returns the count */
static size_t records_of(const uint8_t *data, size_t size, size_t *off,
			 size_t max)
{
	size_t n = 0, pos = 0;

	while (pos < size && n < max) {
		off[n++] = pos;
		pos += opl_record_size(data[pos]);
	}
	return n;
}

/*
 * Argument values a VMM uses: a new record mostly names a device, token
 * or PASID the input already names (or the next one), small PASIDs far
 * more often than the rest of the 20-bit space, and one flag alone often
 * (hwpt_alloc flags=pasid).
 */
static void test_mutator_values(void **state)
{
	unsigned int dev[8] = { 0 }, pasid_small = 0, pasid_other = 0;
	unsigned int pasid_flag = 0, hwpt = 0;
	uint8_t bind = opc("vfio_pci_bind");

	(void)state;
	for (unsigned int seed = 1; seed <= 20000; seed++) {
		uint8_t buf[64] = { bind, 3, opc("iommufd_open") };
		size_t off[16], n, size;

		size = opl_mutate(buf, 3, sizeof(buf), seed);
		n = records_of(buf, size, off, 16);
		for (size_t i = 0; i < n; i++) {
			const struct opl_op *d = &opl_ops[opl_fold(buf[off[i]])];

			if (i == 0 && buf[off[i]] == bind)
				continue;	/* the original record */
			for (unsigned int a = 0; a < opl_op_nr_args(d); a++) {
				uint8_t b = buf[off[i] + 1 + a];

				if (!strcmp(d->args[a].name, "dev"))
					dev[b % 8]++;
				if (d->args[a].type == OPA_PASID && b) {
					if (b < 16)
						pasid_small++;
					else
						pasid_other++;
				}
				if (!strcmp(d->name, "hwpt_alloc") &&
				    !strcmp(d->args[a].name, "flags")) {
					hwpt++;
					pasid_flag += b == 0x8;
				}
			}
		}
	}
	/* the device the input binds, and the one after it, beat the rest */
	assert_true(dev[3] > 2 * dev[2] && dev[3] > 2 * dev[6]);
	assert_true(dev[4] > dev[2]);
	assert_true(pasid_small > 2 * pasid_other);
	assert_true(hwpt > 0 && pasid_flag * 12 > hwpt);
}

/*
 * LUSIM_FUZZ_NO_MACROS (opl_set_macros(false)): every opcode byte folds
 * onto an ordinary op, and the mutator never makes a macro record.
 */
static void test_no_macros(void **state)
{
	uint8_t buf[256];
	size_t size = 0, off[256];
	unsigned int nr_macros = 0;

	(void)state;
	for (unsigned int op = 0; op < opl_nr_ops; op++)
		nr_macros += opl_ops[op].expand != NULL;
	assert_true(nr_macros > 0);
	assert_true(opl_macros_on());
	opl_set_macros(false);
	assert_false(opl_macros_on());
	assert_int_equal(opl_fold_nr, opl_nr_ops - nr_macros);
	for (unsigned int b = 0; b < 256; b++) {
		assert_null(opl_ops[opl_fold((uint8_t)b)].expand);
		assert_int_equal(opl_record_size((uint8_t)b),
				 1 + opl_op_nr_args(&opl_ops[opl_fold((uint8_t)b)]));
	}
	for (unsigned int seed = 1; seed <= 3000; seed++) {
		size = opl_mutate(buf, size, sizeof(buf), seed);
		for (size_t i = 0, n = records_of(buf, size, off, 256); i < n; i++)
			assert_true(buf[off[i]] < opl_fold_nr);
	}
	/* a byte string runs as ordinary ops only */
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	opl_vm_run_binary(vm, buf, size);
	for (unsigned int i = 0; i < opl_vm_nr_calls(vm); i++)
		assert_int_equal(opl_vm_call(vm, i)->macro, 0);
	opl_vm_end(vm);
	lusim_findings_clear();
	opl_set_macros(true);
	assert_true(opl_macros_on());
	assert_int_equal(opl_fold_nr, opl_nr_ops);
}

/*
 * The cross-over splices whole records: a's records before a cut, then
 * b's from a cut.
 */
static void test_crossover(void **state)
{
	uint8_t a[64], b[64], out[128];
	size_t alen = 0, blen = 0;

	(void)state;
	for (unsigned int i = 0; i < 6; i++) {
		a[alen++] = opc("iommufd_open");
		b[blen++] = opc("kexec");
	}
	b[blen++] = opc("close");
	b[blen++] = 0;
	for (unsigned int seed = 0; seed < 200; seed++) {
		size_t n = opl_crossover(a, alen, b, blen, out, sizeof(out), seed);
		size_t i = 0;

		assert_true(whole_records(out, n));
		/* a prefix of a, then a suffix of b */
		while (i < n && out[i] == opc("iommufd_open"))
			i++;
		assert_memory_equal(out + i, b + blen - (n - i), n - i);
		assert_int_equal(opl_crossover(a, alen, b, blen, out, 3, seed) <= 3, 1);
	}
}

/*
 * Macro ops: each runs the ops docs/oplang.md lists, recorded as ordinary
 * calls marked with the macro, handles naming what the earlier ops made;
 * the trace prints the expansion and round trips; a scenario binds the
 * macro's named product.
 */
static const char *const macro_chain[] = {
	/* vm_setup */
	"iommufd_open", "ioas_alloc", "memfd_create", "memfd_truncate",
	"memfd_seal", "ioas_map_file",
	/* vfio_setup dev=0 */
	"vfio_pci_bind", "vfio_open", "vfio_bind",
	/* hwpt_attach */
	"hwpt_alloc", "vfio_attach",
	/* lu_preserve_all: a session, the mark, memfd, iommufd, vfio */
	"luo_open", "session_create", "hwpt_mark", "preserve", "preserve",
	"preserve",
};

static void test_macros(void **state)
{
	const uint8_t none[OPL_MAX_ARGS] = { 0 };
	uint8_t a[OPL_MAX_ARGS] = { 0 }, bin[64];
	struct opl_str text = { 0 };
	const struct opl_call *c;
	size_t len = 0;
	int v;

	(void)state;
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	a[0] = 4;				/* pages */
	assert_int_equal(step("vm_setup", a), 0);
	assert_int_equal(opl_vm_obj(vm, opl_vm_last_product(vm))->kind,
			 OPK_IOMMUFD);
	assert_int_equal(step("vfio_setup", none), 0);
	v = opl_vm_last_product(vm);
	assert_int_equal(opl_vm_obj(vm, v)->kind, OPK_VFIO);
	assert_int_equal(step("hwpt_attach", none), 0);	/* vfio0 */
	assert_int_equal(opl_vm_obj(vm, opl_vm_last_product(vm))->kind, OPK_HWPT);
	a[0] = 0xf;				/* mark,memfd,iommufd,vfio */
	a[1] = 1;				/* tokens from 1 */
	assert_int_equal(step("lu_preserve_all", a), 0);
	assert_int_equal(opl_vm_nr_calls(vm),
			 sizeof(macro_chain) / sizeof(macro_chain[0]));
	for (unsigned int i = 0; i < opl_vm_nr_calls(vm); i++) {
		c = opl_vm_call(vm, i);
		assert_string_equal(opl_ops[c->op].name, macro_chain[i]);
		assert_int_equal(c->ret >= 0, 1);
		assert_true(c->macro > 0);
		assert_null(opl_ops[c->op].expand);
	}
	/* the preserves: memfd, iommufd, then the VFIO device, tokens 2, 3, 4 */
	c = opl_vm_call(vm, opl_vm_nr_calls(vm) - 1);
	assert_int_equal(c->obj[1], v);
	assert_int_equal(c->bytes[2], 4);
	opl_print_trace(vm, OPL_PRINT_EXPECT | OPL_PRINT_MACROS, &text);
	assert_contains(text.s, "idev0 = vfio_bind vfio0 iommufd0 expect ok  # from vfio_setup\n");
	assert_contains(text.s, "preserve session0 vfio0 token=4 expect ok  # from lu_preserve_all\n");
	opl_vm_end(vm);
	assert_no_findings();
	opl_str_free(&text);

	/* the same as binary records: round trip; canonical = the expansion */
	bin[len++] = opc("vm_setup");
	bin[len++] = 4;
	bin[len++] = 0;
	bin[len++] = opc("vfio_setup");
	bin[len++] = 0;
	bin[len++] = opc("hwpt_attach");
	bin[len++] = 0;
	bin[len++] = 0;
	bin[len++] = 0;
	bin[len++] = opc("lu_preserve_all");
	bin[len++] = 0xf;
	bin[len++] = 1;
	bin[len++] = opc("vfio_detach");	/* refused: preserved (RB-03) */
	bin[len++] = 0;
	bin[len++] = 0;
	assert_roundtrip(bin, len);
	assert_no_findings();

	/* a macro without what it works on: its ops fail with the errno */
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	assert_int_equal(step("hwpt_attach", none), -EBADF);
	assert_int_equal(opl_vm_nr_calls(vm), 2);
	assert_int_equal(step("lu_session", none), 0);
	assert_int_equal(step("lu_session", none), -EEXIST);	/* vm0 again */
	assert_int_equal(opl_vm_nr_calls(vm), 2 + 2 + 1);	/* one luo_open */
	opl_vm_end(vm);
	lusim_findings_clear();

	/* the VMM's iommufd and an IOAS are made when there are none */
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	assert_int_equal(step("vfio_setup", none), 0);
	assert_string_equal(opl_ops[opl_vm_call(vm, 0)->op].name, "iommufd_open");
	assert_int_equal(opl_vm_nr_calls(vm), 4);
	assert_int_equal(step("hwpt_attach", none), 0);
	assert_string_equal(opl_ops[opl_vm_call(vm, 4)->op].name, "ioas_alloc");
	assert_int_equal(opl_vm_nr_calls(vm), 7);
	a[0] = 1;				/* dev=1, bound to iommufd0 */
	assert_int_equal(step("vfio_setup", a), 0);
	assert_int_equal(opl_vm_nr_calls(vm), 10);
	opl_vm_end(vm);
	assert_no_findings();
}

/* A scenario binds a macro's product; --trace prints its expansion */
static void test_macro_scenario(void **state)
{
	static const char text[] =
		"fd = vm_setup pages=2\n"
		"v = vfio_setup dev=1 expect ok\n"
		"h = hwpt_attach v\n"
		"hwpt_mark fd h token=7 expect ok\n"
		"m = memfd_sealed\n"
		"memfd_write m expect ok\n"
		"s = lu_session name=vm3\n"
		"preserve s m token=5 expect ok\n"
		"expect no findings\n";
	struct opl_run_opts opts = { .silent = true, .keep_going = true };
	struct opl_script *s = opl_script_parse("m.lus", text, strlen(text), NULL);
	struct opl_result res;

	(void)state;
	assert_non_null(s);
	assert_int_equal(opl_script_run(s, vm, &opts, &res), 0);
	assert_int_equal(res.failed, 0);
	assert_int_equal(res.ops, 8);
	assert_int_equal(opl_vm_nr_calls(vm), 6 + 3 + 2 + 1 + 3 + 1 + 2 + 1);
	opl_script_free(s);
}

/* The depth archive keeps the deepest inputs and hands them back */
static void test_depth_archive(void **state)
{
	uint8_t in[8], out[64];
	unsigned int shallow, deep;

	(void)state;
	in[0] = opc("iommufd_open");
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	opl_vm_run_binary(vm, in, 1);
	shallow = opl_depth_score(vm);
	opl_depth_note(vm, in, 1);
	opl_vm_end(vm);
	in[1] = opc("ioas_alloc");
	in[2] = 0;
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	opl_vm_run_binary(vm, in, 3);
	deep = opl_depth_score(vm);
	opl_depth_note(vm, in, 3);
	opl_vm_end(vm);
	assert_int_equal(shallow, 1);
	assert_int_equal(deep, 1 + 2);		/* ioas_alloc on iommufd0: 2 */
	assert_int_equal(opl_depth_pick(out, 2, 1), 0);	/* too big */
	for (unsigned int seed = 0; seed < 16; seed++) {
		size_t n = opl_depth_pick(out, sizeof(out), seed);

		assert_true(n == 1 || n == 3);
		assert_memory_equal(out, in, n);
	}
	lusim_findings_clear();
}

/* Score of a run of @len bytes */
static unsigned int score_of(const uint8_t *in, size_t len)
{
	unsigned int score;

	assert_int_equal(opl_vm_start(vm, NULL), 0);
	opl_vm_run_binary(vm, in, len);
	score = opl_depth_score(vm);
	opl_vm_end(vm);
	lusim_findings_clear();
	return score;
}

/*
 * An op that names no object and makes none (kexec, hotplug) has depth 1
 * as a kind of call of its own; all of them share one more kind, as deep
 * as the deepest other call before the op plus one: a kexec after a deep
 * state scores more than one after nothing, once.
 */
static void test_depth_global_ops(void **state)
{
	uint8_t in[8];

	(void)state;
	in[0] = opc("kexec");
	assert_int_equal(score_of(in, 1), 1 + 1);
	in[0] = opc("iommufd_open");
	in[1] = opc("ioas_alloc");
	in[2] = 0;
	in[3] = opc("kexec");
	in[4] = opc("kexec");
	in[5] = opc("hot_remove");
	in[6] = 5;
	/* iommufd_open 1, ioas_alloc 2; kexec 1 and the shared kind 3 */
	assert_int_equal(score_of(in, 3), 1 + 2);
	assert_int_equal(score_of(in, 4), 1 + 2 + 1 + 3);
	assert_int_equal(score_of(in, 5), 1 + 2 + 1 + 3);
	/* another system-wide op after it: 1 more, as any new kind */
	assert_int_equal(score_of(in, 7), 1 + 2 + 1 + 3 + 1);
}

/*
 * An insertion a quarter of the time repeats an op of the input with one
 * argument changed: from one hot_remove, others of nearby functions.
 */
static void test_mutator_variants(void **state)
{
	unsigned int pairs = 0, next = 0;
	uint8_t rm = opc("hot_remove");

	(void)state;
	for (unsigned int seed = 1; seed <= 4000; seed++) {
		uint8_t buf[64] = { opc("iommufd_open"), rm, 3 };
		size_t off[16], n, size;
		unsigned int found = 0;
		bool neighbour = false;

		size = opl_mutate(buf, 3, sizeof(buf), seed);
		n = records_of(buf, size, off, 16);
		for (size_t i = 0; i < n; i++)
			if (buf[off[i]] == rm) {
				found++;
				neighbour |= buf[off[i] + 1] == 2 ||
					     buf[off[i] + 1] == 4;
			}
		pairs += found == 2;
		next += found == 2 && neighbour;
	}
	/* a random insertion draws hot_remove about once in 300 */
	assert_true(pairs > 100);
	assert_true(next > pairs / 4);
}

/* ---------------------------------------------------------------------
 * Reviewer-bug switches
 * --------------------------------------------------------------------- */

static void test_bugs(void **state)
{
	char buf[64];

	(void)state;
	lusim_bugs_clear();
	assert_int_equal(lusim_bugs_count(), 0);
	assert_int_equal(lusim_bugs_set("RB-01,RB-03"), 0);
	assert_true(lusim_bug_enabled("RB-01"));
	assert_true(lusim_bug_enabled("RB-1"));
	assert_true(lusim_bug_enabled_nr(3));
	assert_false(lusim_bug_enabled("RB-02"));
	assert_false(lusim_bug_enabled("RB-x"));
	assert_int_equal(lusim_bugs_add(" rb-127\tRB-64 "), 0);
	assert_int_equal(lusim_bugs_format(buf, sizeof(buf)), 24);
	assert_string_equal(buf, "RB-01,RB-03,RB-64,RB-127");
	/* malformed: nothing changes */
	assert_int_equal(lusim_bugs_set("RB-01,RB-128"), -EINVAL);
	assert_int_equal(lusim_bugs_set("RB-01,XX-1"), -EINVAL);
	assert_int_equal(lusim_bugs_add("RB-1a"), -EINVAL);
	assert_int_equal(lusim_bugs_count(), 4);
	/* truncation keeps whole ids */
	assert_int_equal(lusim_bugs_format(buf, 12), 24);
	assert_string_equal(buf, "RB-01,RB-03");
	/* the switches are configuration: a reset keeps them */
	lusim_reset_all();
	assert_true(lusim_bug_enabled("RB-64"));
	assert_int_equal(lusim_bug_parse("RB-0", NULL), -EINVAL);
	assert_int_equal(lusim_bug_parse("RB-", NULL), -EINVAL);
	assert_int_equal(lusim_bug_parse("RB-05,", NULL), 5);
	setenv("LUSIM_BUGS", "RB-9", 1);
	assert_int_equal(lusim_bugs_from_env(), 0);
	assert_true(lusim_bug_enabled("RB-09"));
	setenv("LUSIM_BUGS", "bogus", 1);
	assert_int_equal(lusim_bugs_from_env(), -EINVAL);
	unsetenv("LUSIM_BUGS");
	assert_int_equal(lusim_bugs_set(""), 0);
	assert_int_equal(lusim_bugs_count(), 0);
}

static void check_bug_on(struct opl_vm *v, void *arg)
{
	(void)v;
	*(bool *)arg = lusim_bug_enabled("RB-05") && lusim_bug_enabled("RB-02");
}

static void test_bugs_line(void **state)
{
	static const char text[] = "bugs RB-05\nkexec\n";
	struct opl_str err = { 0 };
	struct opl_script *s = opl_script_parse("b.lus", text, sizeof(text) - 1, &err);
	bool on = false;
	struct opl_run_opts opts = {
		.silent = true, .before_end = check_bug_on, .arg = &on,
	};

	(void)state;
	assert_non_null(s);
	lusim_bugs_set("RB-02");
	assert_int_equal(opl_script_run(s, vm, &opts, NULL), 0);
	assert_true(on);				/* both during the run */
	assert_true(lusim_bug_enabled("RB-02"));	/* restored after */
	assert_false(lusim_bug_enabled("RB-05"));
	lusim_bugs_clear();
	opl_script_free(s);
}

/* ---------------------------------------------------------------------
 * The committed dictionaries are what the table generates
 * --------------------------------------------------------------------- */

static void test_dicts_fresh(void **state)
{
	const char *root = source_root();
	struct opl_str gen = { 0 };
	char path[PATH_MAX + 64];
	size_t len;
	char *file;

	(void)state;
	if (!root)
		skip();
	opl_dict_ops(&gen);
	snprintf(path, sizeof(path), "%s/fuzz/fuzz_ops.dict", root);
	file = read_all(path, &len);
	assert_non_null(file);
	if (strcmp(file, gen.s))
		fail_msg("%s is stale: regenerate with lusim gen-corpus %s", path, root);
	free(file);
	gen.len = 0;
	opl_dict_scenario(&gen);
	snprintf(path, sizeof(path), "%s/fuzz/fuzz_scenario.dict", root);
	file = read_all(path, &len);
	assert_non_null(file);
	if (strcmp(file, gen.s))
		fail_msg("%s is stale: regenerate with lusim gen-corpus %s", path, root);
	free(file);
	/* one record per op at least, each a valid record */
	assert_true(strstr(gen.s, "op_kexec=\"kexec\"") != NULL);
	opl_str_free(&gen);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		oplang_test(test_fold_and_sizes),
		oplang_test(test_decode_any_bytes),
		oplang_test(test_handles),
		oplang_test(test_kexec_kills_handles),
		oplang_test(test_roundtrip_random),
		oplang_test(test_roundtrip_corpus),
		oplang_test(test_slab_pool_same_results),
		oplang_test(test_roundtrip_names),
		oplang_test(test_parse_errors),
		oplang_test(test_parse_error_cap),
		oplang_test(test_parse_ok_forms),
		oplang_test(test_expects),
		oplang_test(test_skip),
		oplang_test(test_same_input_twice),
		oplang_test(test_two_processes),
		oplang_test(test_trace_in_findings),
		oplang_test(test_mutator),
		oplang_test(test_mutator_values),
		oplang_test(test_no_macros),
		oplang_test(test_crossover),
		oplang_test(test_macros),
		oplang_test(test_macro_scenario),
		oplang_test(test_depth_archive),
		oplang_test(test_depth_global_ops),
		oplang_test(test_mutator_variants),
		oplang_test(test_bugs),
		oplang_test(test_bugs_line),
		oplang_test(test_dicts_fresh),
	};
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--print-trace"))
		return print_trace_main(argv[2]);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	opl_vm_free(vm);
	return ret;
}
