// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plain replay driver for the fuzz targets (the third way every harness is
 * built, beside libFuzzer and AFL++): runs LLVMFuzzerTestOneInput over the
 * files and directories on the command line, in sorted order, and fails on a
 * missing path or an empty corpus so a CI replay can never pass vacuously.
 *
 * Each input runs twice; a target that exports lusim_fuzz_state_hash() gets
 * the two end states compared (state must be fully reset between inputs).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
uint64_t lusim_fuzz_state_hash(void) __attribute__((weak));

static unsigned long nr_inputs;
static int failed;

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return -errno;
	for (;;) {
		if (len == cap) {
			uint8_t *nbuf;

			cap = cap ? cap * 2 : 4096;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	/* an exact-size copy, so ASan sees a read past the input's end */
	*data = malloc(len ? len : 1);
	if (!*data) {
		free(buf);
		return -ENOMEM;
	}
	if (len)
		memcpy(*data, buf, len);
	free(buf);
	*size = len;
	return 0;
}

static void run_file(const char *path)
{
	uint8_t *data = NULL;
	size_t size = 0;
	uint64_t h1 = 0, h2 = 0;
	int ret = read_file(path, &data, &size);

	if (ret) {
		fprintf(stderr, "%s: %s\n", path, strerror(-ret));
		failed = 1;
		return;
	}
	LLVMFuzzerTestOneInput(data, size);
	if (lusim_fuzz_state_hash)
		h1 = lusim_fuzz_state_hash();
	LLVMFuzzerTestOneInput(data, size);
	if (lusim_fuzz_state_hash)
		h2 = lusim_fuzz_state_hash();
	if (h1 != h2) {
		fprintf(stderr, "%s: not deterministic: state hash %016llx then %016llx\n",
			path, (unsigned long long)h1, (unsigned long long)h2);
		failed = 1;
	}
	free(data);
	nr_inputs++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, cap = 0;
	DIR *dir;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		failed = 1;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		failed = 1;
		return;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (nr == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		if (asprintf(&names[nr], "%s/%s", path, de->d_name) < 0)
			abort();
		nr++;
	}
	closedir(dir);
	qsort(names, nr, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nr; i++) {
		run_path(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		run_path(argv[i]);
	if (!nr_inputs) {
		fprintf(stderr, "%s: no inputs found (empty corpus)\n", argv[0]);
		return 1;
	}
	printf("%s: replayed %lu inputs%s\n", argv[0], nr_inputs,
	       failed ? ", with errors" : "");
	return failed;
}
