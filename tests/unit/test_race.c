// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrent blocks of the op language (sim/ops/oprace.h,
 * docs/concurrency.md): the same racy input twice gives the identical
 * trace, hash and switch log; another schedule gives another interleaving;
 * the committed racy scenarios survive the binary -> scenario -> binary
 * round trip; random fuzz_race inputs replay identically; a scenario
 * without `@N` lines runs exactly as the sequential VM.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check/check.h>
#include <lusim/actor.h>
#include <ops/oplang.h>
#include <ops/oprace.h>

#include "lusim_test.h"

/*
 * The source tree: LUSIM_SOURCE_ROOT, or this file's path as the compiler
 * saw it (relative to the build root, where meson test runs).
 */
static const char *source_root(void)
{
	static char root[256];
	const char *tail = "tests/unit/test_race.c";
	size_t len = strlen(__FILE__);

	if (getenv("LUSIM_SOURCE_ROOT"))
		return getenv("LUSIM_SOURCE_ROOT");
	if (len < strlen(tail))
		return ".";
	len -= strlen(tail);
	snprintf(root, sizeof(root), "%.*s", (int)len, len ? __FILE__ : ".");
	return root;
}
#define LUSIM_SOURCE_ROOT source_root()

static struct opl_vm *vm;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Run a fuzz_race input; the printed trace, the VM hash. */
static uint64_t run_race(const uint8_t *data, size_t size, struct opl_str *trace)
{
	opl_vm_race_enable(vm, 2 + data[0] % (LUSIM_MAX_ACTORS - 1));
	assert_int_equal(opl_vm_start(vm, NULL), 0);
	opl_race_run_binary(vm, data, size);
	opl_print_trace(vm, OPL_PRINT_EXPECT, trace);
	opl_vm_end(vm);
	return opl_vm_hash(vm);
}

static void test_same_input_same_trace(void **state)
{
	char path[1024];
	uint8_t *data;
	size_t size;
	struct opl_str t1 = { 0 }, t2 = { 0 }, t3 = { 0 };
	uint64_t h1, h2, h3;

	(void)state;
	snprintf(path, sizeof(path), "%s/corpus/fuzz_race/rb-03-race-preserve-attach-fixed",
		 LUSIM_SOURCE_ROOT);
	data = (uint8_t *)slurp(path, &size);
	h1 = run_race(data, size, &t1);
	h2 = run_race(data, size, &t2);
	assert_string_equal(t1.s, t2.s);
	assert_true(h1 == h2);
	assert_non_null(strstr(t1.s, "schedule +10 1\n"));
	assert_non_null(strstr(t1.s, "@1 vfio_attach vfio0 hwpt1 expect -EBUSY"));
	assert_int_equal(lusim_findings_count(), 0);

	/* the schedule byte 0x89 (+10) made 0x80 (+1): another interleaving */
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == 0xf0 && data[i + 1] == 0x89)
			data[i + 1] = 0x80;
	h3 = run_race(data, size, &t3);
	assert_true(h3 != h1);
	assert_string_not_equal(t1.s, t3.s);
	free(data);
	opl_str_free(&t1);
	opl_str_free(&t2);
	opl_str_free(&t3);
}

static void test_corpus_roundtrip(void **state)
{
	char dir[1024], path[2048];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/corpus/fuzz_race", LUSIM_SOURCE_ROOT);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		struct opl_str why = { 0 };
		uint8_t *data;
		size_t size;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		data = (uint8_t *)slurp(path, &size);
		if (opl_race_roundtrip(vm, data, size, &why))
			fail_msg("%s: %s", de->d_name, why.s);
		opl_str_free(&why);
		free(data);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void test_random_inputs_replay(void **state)
{
	uint8_t data[200];

	(void)state;
	for (int k = 0; k < 40; k++) {
		struct opl_str t1 = { 0 }, t2 = { 0 }, why = { 0 };
		size_t size = 1;
		uint64_t h1, h2;

		data[0] = (uint8_t)rnd();
		while (size + 7 < sizeof(data) && rnd() % 40) {
			uint32_t r = rnd() % 10;

			if (r < 5)
				data[size++] = (uint8_t)(0xc0 + rnd() % 3);
			if (r < 8) {
				data[size++] = (uint8_t)(rnd() % opl_nr_ops);
				for (int i = 0; i < 4; i++)
					data[size++] = (uint8_t)(rnd() % 8);
			} else {
				data[size++] = 0xf0;
				data[size++] = (uint8_t)rnd();
			}
		}
		h1 = run_race(data, size, &t1);
		h2 = run_race(data, size, &t2);
		if (h1 != h2 || strcmp(t1.s, t2.s))
			fail_msg("input %d replays differently:\n%s---\n%s", k, t1.s, t2.s);
		if (opl_race_roundtrip(vm, data, size, &why))
			fail_msg("input %d: %s", k, why.s);
		opl_str_free(&t1);
		opl_str_free(&t2);
		opl_str_free(&why);
		lusim_findings_clear();
	}
}

static void test_sequential_unchanged(void **state)
{
	static const char text[] =
		"fd = iommufd_open\n"
		"A = ioas_alloc fd\n"
		"destroy fd A expect ok\n";
	struct opl_script *s = opl_script_parse("seq", text, sizeof(text) - 1, NULL);
	struct opl_run_opts opts = { .silent = true, .keep_going = true };
	struct opl_str t = { 0 };

	(void)state;
	assert_non_null(s);
	opl_vm_race_enable(vm, 3);	/* left over from a racy run */
	assert_int_equal(opl_script_run(s, vm, &opts, NULL), 0);
	opl_print_trace(vm, OPL_PRINT_EXPECT, &t);
	/* no actors line, no @N: the sequential VM's trace */
	assert_null(strstr(t.s, "actors"));
	assert_null(strstr(t.s, "@"));
	assert_int_equal(opl_vm_race_actors(vm), 0);
	opl_str_free(&t);
	opl_script_free(s);
}

static int group_setup(void **state)
{
	(void)state;
	vm = opl_vm_new();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	lusim_reset_all();
	opl_vm_free(vm);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		lusim_unit_test(test_same_input_same_trace),
		lusim_unit_test(test_corpus_roundtrip),
		lusim_unit_test(test_random_inputs_replay),
		lusim_unit_test(test_sequential_unchanged),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
