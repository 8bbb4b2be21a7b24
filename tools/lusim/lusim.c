// SPDX-License-Identifier: GPL-2.0-only
/*
 * lusim: run, convert and shrink op-language scenarios (docs/oplang.md).
 *
 *   lusim run [-q] [--trace] [--bug RB-nn]... [--suppress ID[@SITE]]...
 *             [--suppressions FILE] [--graph OUT.dot] FILE...
 *   lusim decode [-o OUT] [--race] INPUT       binary fuzz input -> scenario
 *   lusim encode [-o OUT] FILE         scenario -> binary fuzz input
 *   lusim minimize [-o OUT] [--id ID] FILE
 *   lusim dict fuzz_ops|fuzz_scenario
 *   lusim review [OPTION]... MAIL      fuzz a patch mail's functions
 *   lusim help [ops]
 *
 * Exit status: 0 success; 1 a scenario failed (an expect, an unexpected
 * finding) or, for decode and minimize, a finding fired; 2 usage or input
 * errors (a missing file, a scenario that does not parse: nothing runs).
 */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lusim/bugs.h>
#include <lusim/findings.h>
#include <lusim/reset.h>
#include <check/check.h>
#include <ops/oplang.h>
#include <ops/oprace.h>
#include <lusim/actor.h>

#include "graph.h"

extern char **environ;

#define LUSIM_VERSION	"0.1.0"

static const char *prog = "lusim";

static void __attribute__((format(printf, 1, 2))) warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage_error(const char *cmd, const char *msg)
{
	if (msg)
		warnx_("%s%s%s", cmd ? cmd : "", cmd ? ": " : "", msg);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	return 2;
}

static void print_help(FILE *f)
{
	fprintf(f,
"Usage: %s COMMAND [OPTION]... [FILE]...\n"
"Run, convert and shrink lusim op-language scenarios.\n"
"\n"
"Commands:\n"
"  run FILE|DIR...     run text scenarios (a DIR: its *.lus); pass or FAIL per expect\n"
"      -q, --quiet         print failures and the summary only\n"
"      --trace             print each op with its result (a replayable scenario)\n"
"      --bug RB-nn         switch a reviewer bug on (repeatable; also LUSIM_BUGS)\n"
"      --suppress ID[@SITE]  ignore a known finding (repeatable)\n"
"      --suppressions FILE   ... one ID[@SITE] per line, # comments\n"
"      --graph OUT.dot     write the live object graph after the last op\n"
"                          (one FILE; OUT.svg too when Graphviz dot exists)\n"
"  decode [-o OUT] [--race] INPUT\n"
"                      print a binary fuzz_ops input (--race: a fuzz_race\n"
"                      input) as a scenario\n"
"  encode [-o OUT] FILE   encode a scenario as a binary fuzz_ops input\n"
"  minimize [-o OUT] [--id ID[@SITE]] FILE\n"
"                      shrink a scenario or binary input (delta debugging over\n"
"                      ops) while the finding still fires (default: the first\n"
"                      finding, same id and site)\n"
"  dict fuzz_ops|fuzz_scenario   print a fuzzing dictionary\n"
"  gen-corpus [--check] ROOT   write (or, with --check, compare) the generated\n"
"                      fuzzing files of source tree ROOT: fuzz/fuzz_ops.dict,\n"
"                      fuzz/fuzz_scenario.dict, corpus/fuzz_ops/NAME (each\n"
"                      corpus/scenarios/NAME.lus encoded), corpus/fuzz_scenario/\n"
"  review [OPTION]... MAIL   fuzz the functions a patch mail adds or rewrites\n"
"                      in place of the model's and report (docs/review.md;\n"
"                      'lusim review --help' lists its options)\n"
"  help [ops]          this text, or the op table\n"
"\n"
"Options for every command: -h, --help; --version.\n"
"\n"
"Exit status: 0 success; 1 a scenario failed or a finding fired;\n"
"2 usage or input errors (nothing runs).\n"
"See docs/oplang.md for the scenario language.\n", prog);
}

/* ---------------------------------------------------------------------
 * Files
 * --------------------------------------------------------------------- */

static int read_file(const char *path, char **data, size_t *size)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return -errno;
	for (;;) {
		if (len + 1 >= cap) {
			char *nbuf;

			cap = cap ? cap * 2 : 4096;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return -ENOMEM;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (!n)
			break;
	}
	if (ferror(f)) {
		int err = errno ? errno : EIO;

		free(buf);
		if (f != stdin)
			fclose(f);
		return -err;
	}
	if (f != stdin)
		fclose(f);
	buf[len] = '\0';
	*data = buf;
	*size = len;
	return 0;
}

/* The one FILE operand of @cmd, read whole: 0, or the exit status (2). */
static int read_operand(int argc, char **argv, const char *cmd,
			const char *what, char **data, size_t *size)
{
	int ret;

	if (argc - optind != 1)
		return usage_error(cmd, what);
	ret = read_file(argv[optind], data, size);
	if (ret) {
		warnx_("%s: %s", argv[optind], strerror(-ret));
		return 2;
	}
	return 0;
}

static FILE *open_out(const char *cmd, const char *path, bool binary)
{
	FILE *f;

	if (!path || !strcmp(path, "-")) {
		if (binary && isatty(STDOUT_FILENO)) {
			warnx_("%s: not writing binary to a terminal (use -o FILE or a redirect)",
			       cmd);
			return NULL;
		}
		return stdout;
	}
	f = fopen(path, binary ? "wb" : "w");
	if (!f)
		warnx_("%s: %s", path, strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path)
{
	if (f == stdout)
		return fflush(f) ? -1 : 0;
	if (fclose(f)) {
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Binary input: a NUL byte or a byte outside text. */
static bool looks_binary(const char *data, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == 0 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') ||
		    c == 0x7f)
			return true;
	}
	return false;
}

static struct opl_script *load_script(const char *path, int *status)
{
	struct opl_str err = { 0 };
	struct opl_script *s;
	char *data;
	size_t size;
	int ret = read_file(path, &data, &size);

	if (ret) {
		warnx_("%s: %s", path, strerror(-ret));
		*status = 2;
		return NULL;
	}
	s = opl_script_parse(path, data, size, &err);
	free(data);
	if (!s) {
		fputs(err.s ? err.s : "", stderr);
		*status = 2;
	}
	opl_str_free(&err);
	return s;
}

static int load_suppressions(const char *path)
{
	char *data, *line, *save = NULL;
	size_t size;
	int ret = read_file(path, &data, &size);
	unsigned int lineno = 0;

	if (ret) {
		warnx_("%s: %s", path, strerror(-ret));
		return -1;
	}
	for (line = strtok_r(data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = line, *e;

		lineno++;
		if ((e = strchr(p, '#')))
			*e = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (!*p)
			continue;
		if (lusim_findings_suppress(p)) {
			warnx_("%s:%u: bad suppression '%s'", path, lineno, p);
			free(data);
			return -1;
		}
	}
	free(data);
	return 0;
}

/* ---------------------------------------------------------------------
 * Scenario lists: a directory stands for its *.lus files, sorted
 * --------------------------------------------------------------------- */

struct file_list {
	char **v;
	unsigned int n, cap;
};

static void list_add(struct file_list *l, char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v) {
			warnx_("out of memory");
			exit(2);
		}
	}
	l->v[l->n++] = path;
}

static void list_free(struct file_list *l)
{
	for (unsigned int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add @path, or the *.lus files of the directory @path. */
static int collect(struct file_list *l, const char *path)
{
	struct stat st;
	struct dirent *de;
	unsigned int first = l->n;
	DIR *dir;

	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		list_add(l, strdup(path));	/* a missing file fails at load */
		return 0;
	}
	dir = opendir(path);
	if (!dir) {
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		char *p;

		if (de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".lus"))
			continue;
		if (asprintf(&p, "%s/%s", path, de->d_name) < 0) {
			closedir(dir);
			return -1;
		}
		list_add(l, p);
	}
	closedir(dir);
	if (l->n == first) {
		warnx_("%s: no *.lus scenarios in this directory", path);
		return -1;
	}
	qsort(l->v + first, l->n - first, sizeof(*l->v), cmp_str);
	return 0;
}

/* ---------------------------------------------------------------------
 * run
 * --------------------------------------------------------------------- */

struct graph_ctx {
	struct opl_str body;
	bool taken;
};

static void take_graph(struct opl_vm *vm, void *arg)
{
	struct graph_ctx *g = arg;

	lusim_graph_objects(vm, &g->body);
	g->taken = true;
}

static int render_svg(const char *dot_path)
{
	char *svg;
	size_t len = strlen(dot_path);
	char *argv[6];
	pid_t pid;
	int st, ret;

	svg = malloc(len + 5);
	if (!svg)
		return -1;
	if (len > 4 && !strcmp(dot_path + len - 4, ".dot"))
		snprintf(svg, len + 5, "%.*s.svg", (int)(len - 4), dot_path);
	else
		snprintf(svg, len + 5, "%s.svg", dot_path);
	argv[0] = "dot";
	argv[1] = "-Tsvg";
	argv[2] = (char *)dot_path;
	argv[3] = "-o";
	argv[4] = svg;
	argv[5] = NULL;
	ret = posix_spawnp(&pid, "dot", NULL, NULL, argv, environ);
	if (ret) {
		/* no Graphviz: the .dot file is the result */
		free(svg);
		return 0;
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		warnx_("%s: dot failed; %s not written", dot_path, svg);
		free(svg);
		return -1;
	}
	fprintf(stderr, "%s: wrote %s and %s\n", prog, dot_path, svg);
	free(svg);
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "trace", no_argument, NULL, 't' },
		{ "bug", required_argument, NULL, 'b' },
		{ "suppress", required_argument, NULL, 's' },
		{ "suppressions", required_argument, NULL, 'S' },
		{ "graph", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opl_run_opts opts = { .keep_going = true };
	struct opl_script **scripts;
	const char *graph = NULL;
	struct graph_ctx gctx;
	struct file_list files = { 0 };
	struct opl_vm *vm;
	int c, status = 0, nr, failed = 0;

	memset(&gctx, 0, sizeof(gctx));
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			opts.quiet = true;
			break;
		case 't':
			opts.trace = true;
			break;
		case 'b':
			if (lusim_bugs_add(optarg))
				return usage_error("run", "--bug: expected RB-nn (1..127)");
			break;
		case 's':
			if (lusim_findings_suppress(optarg))
				return usage_error("run", "--suppress: expected ID or ID@SITE");
			break;
		case 'S':
			if (load_suppressions(optarg))
				return 2;
			break;
		case 'g':
			graph = optarg;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			return usage_error(NULL, NULL);
		}
	}
	if (argc - optind < 1)
		return usage_error("run", "no scenario files");
	for (int i = optind; i < argc; i++)
		if (collect(&files, argv[i])) {
			list_free(&files);
			return 2;
		}
	nr = (int)files.n;
	if (graph && nr != 1) {
		list_free(&files);
		return usage_error("run", "--graph takes exactly one scenario file");
	}

	/* parse everything first: an error anywhere and nothing runs */
	scripts = calloc((size_t)nr, sizeof(*scripts));
	if (!scripts)
		return 2;
	for (int i = 0; i < nr; i++)
		scripts[i] = load_script(files.v[i], &status);
	if (status) {
		for (int i = 0; i < nr; i++)
			opl_script_free(scripts[i]);
		free(scripts);
		list_free(&files);
		return status;
	}

	vm = opl_vm_new();
	opl_install_trace(vm);
	if (graph) {
		opts.before_end = take_graph;
		opts.arg = &gctx;
	}
	for (int i = 0; i < nr; i++) {
		struct opl_result res;
		int r = opl_script_run(scripts[i], vm, &opts, &res);

		if (r)
			failed++;
		printf("%s: %s (%u op%s, %u expect%s%s", files.v[i],
		       r ? "FAIL" : "pass", res.ops, res.ops == 1 ? "" : "s",
		       res.expects, res.expects == 1 ? "" : "s",
		       res.failed || res.unexpected ? ": " : "");
		if (res.failed)
			printf("%u failed%s", res.failed, res.unexpected ? ", " : "");
		if (res.unexpected)
			printf("%u unexpected finding%s", res.unexpected,
			       res.unexpected == 1 ? "" : "s");
		printf(")\n");
		if (graph && i == 0) {
			struct opl_str dot = { 0 };
			FILE *f;

			opl_str_printf(&dot, "digraph lusim {\n  label=\"%s\";\n%s",
				       files.v[0], gctx.body.s ? gctx.body.s : "");
			lusim_graph_findings(&dot);
			opl_str_printf(&dot, "}\n");
			f = open_out("run", graph, false);
			if (!f || fputs(dot.s, f) == EOF || close_out(f, graph)) {
				status = 2;
			} else if (render_svg(graph)) {
				status = 2;
			}
			opl_str_free(&dot);
			opl_str_free(&gctx.body);
		}
		opl_script_free(scripts[i]);
	}
	opl_install_trace(NULL);
	lusim_reset_all();
	opl_vm_free(vm);
	free(scripts);
	list_free(&files);
	if (nr > 1)
		printf("%d of %d scenario%s failed\n", failed, nr, nr == 1 ? "" : "s");
	if (status)
		return status;
	return failed ? 1 : 0;
}

/* ---------------------------------------------------------------------
 * decode, encode, minimize
 * --------------------------------------------------------------------- */

/* `expect finding ID` for each distinct finding id raised so far. */
static void expect_findings(struct opl_str *out)
{
	unsigned int n = lusim_findings_count();

	for (unsigned int i = 0; i < n; i++) {
		const struct lusim_finding *f = lusim_findings_get(i);
		bool dup = false;

		for (unsigned int j = 0; j < i && !dup; j++)
			dup = !strcmp(lusim_findings_get(j)->id, f->id);
		if (!dup && !f->suppressed)
			opl_str_printf(out, "expect finding %s\t# at %s: %s\n",
				       f->id, f->site[0] ? f->site : "?", f->msg);
	}
}

/*
 * Run a binary input and print it as a scenario: every op with its result
 * as an expect, then the findings it raised (so `lusim run` of the output
 * passes exactly when the run is reproduced). Returns the number of
 * findings.
 */
static bool decode_race;	/* decode --race: a fuzz_race input */

static unsigned int decode_binary(struct opl_vm *vm, const uint8_t *data,
				  size_t size, struct opl_str *out)
{
	unsigned int n;

	if (decode_race && size)
		opl_vm_race_enable(vm, 2 + data[0] % (LUSIM_MAX_ACTORS - 1));
	opl_vm_start(vm, NULL);
	if (decode_race)
		opl_race_run_binary(vm, data, size);
	else
		opl_vm_run_binary(vm, data, size);
	opl_print_trace(vm, OPL_PRINT_EXPECT | OPL_PRINT_MACROS, out);
	opl_vm_end(vm);
	n = lusim_findings_count();
	expect_findings(out);
	return n;
}

static int cmd_decode(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "race", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outp = NULL;
	struct opl_str text = { 0 };
	struct opl_vm *vm;
	char *data;
	size_t size;
	unsigned int nf;
	int c, ret;
	FILE *f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outp = optarg;
			break;
		case 'r':
			decode_race = true;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			return usage_error(NULL, NULL);
		}
	}
	ret = read_operand(argc, argv, "decode", "expected one INPUT file",
			   &data, &size);
	if (ret)
		return ret;
	vm = opl_vm_new();
	nf = decode_binary(vm, (const uint8_t *)data, size, &text);
	free(data);
	f = open_out("decode", outp, false);
	if (!f || fputs(text.s, f) == EOF || close_out(f, outp)) {
		ret = 2;
	} else {
		ret = nf ? 1 : 0;
	}
	opl_str_free(&text);
	lusim_reset_all();
	opl_vm_free(vm);
	return ret;
}

/*
 * Run @s (quietly) and return its canonical binary in a malloc()ed *@bin:
 * handles are resolved against the objects live when each op runs, so
 * encoding is running. -1 when a name cannot be encoded.
 */
static int encode_script(const struct opl_script *s, struct opl_vm *vm,
			 uint8_t **bin, size_t *len)
{
	struct opl_run_opts opts = {
		.quiet = true, .keep_going = true, .out = stderr,
	};
	struct opl_result res;

	opl_script_run(s, vm, &opts, &res);
	if (res.runtime_error)
		return -1;
	if (opl_vm_race_actors(vm)) {
		/* a racy scenario: the fuzz_race form (actors, schedules) */
		*len = opl_race_encode(vm, NULL, 0);
		*bin = malloc(*len ? *len : 1);
		if (!*bin)
			return -1;
		opl_race_encode(vm, *bin, *len);
		return 0;
	}
	*len = opl_vm_encode(vm, NULL, 0);
	*bin = malloc(*len ? *len : 1);
	if (!*bin)
		return -1;
	opl_vm_encode(vm, *bin, *len);
	return 0;
}

/*
 * Load and encode one scenario of gen-corpus: the script, or NULL with
 * *status set (a load error, or 2 with a message if it cannot be encoded).
 */
static struct opl_script *load_encoded(const char *path, struct opl_vm *vm,
				       int *status, uint8_t **bin, size_t *len)
{
	struct opl_script *s = load_script(path, status);

	if (s && encode_script(s, vm, bin, len)) {
		warnx_("%s: cannot be encoded", path);
		*status = 2;
		opl_script_free(s);
		s = NULL;
	}
	return s;
}

static int cmd_encode(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opl_script *s;
	const char *outp = NULL;
	struct opl_vm *vm = NULL;
	uint8_t *bin;
	size_t len;
	int c, status = 0;
	FILE *f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outp = optarg;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			return usage_error(NULL, NULL);
		}
	}
	if (argc - optind != 1)
		return usage_error("encode", "expected one scenario FILE");
	s = load_script(argv[optind], &status);
	if (!s)
		return status;
	if (opl_script_bugs(s)[0])
		warnx_("%s: the bugs line (%s) is not part of the binary; replay with LUSIM_BUGS=%s",
		       argv[optind], opl_script_bugs(s), opl_script_bugs(s));
	vm = opl_vm_new();
	if (encode_script(s, vm, &bin, &len)) {
		warnx_("%s: cannot be encoded", argv[optind]);
		status = 2;
		goto out;
	}
	f = open_out("encode", outp, true);
	if (!f || (len && fwrite(bin, 1, len, f) != len) || close_out(f, outp))
		status = 2;
	free(bin);
out:
	opl_script_free(s);
	lusim_reset_all();
	opl_vm_free(vm);
	return status;
}

/*
 * Does a finding matching @spec fire: "ID" (any site) or "ID@SITE" (a site
 * containing SITE)?
 */
static bool finding_fired(const char *spec)
{
	const char *at = strchr(spec, '@');
	size_t idlen = at ? (size_t)(at - spec) : strlen(spec);

	for (unsigned int i = 0; i < lusim_findings_count(); i++) {
		const struct lusim_finding *f = lusim_findings_get(i);

		if (f->suppressed || strlen(f->id) != idlen ||
		    memcmp(f->id, spec, idlen))
			continue;
		if (!at || strstr(f->site, at + 1))
			return true;
	}
	return false;
}

/* Run @s with @skip; does the finding @spec fire? */
static bool still_fires(const struct opl_script *s, struct opl_vm *vm,
			const bool *skip, const char *spec, FILE *null)
{
	struct opl_run_opts opts = {
		.quiet = true, .keep_going = true, .skip = skip, .out = null,
	};

	opl_script_run(s, vm, &opts, NULL);
	return finding_fired(spec);
}

static int cmd_minimize(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outp = NULL, *want = NULL;
	struct opl_str text = { 0 }, err = { 0 };
	struct opl_script *s = NULL;
	struct opl_vm *vm;
	unsigned int n, chunks, runs = 0, kept;
	char id[256] = "";
	bool *skip = NULL, *trial = NULL;
	char *data;
	size_t size;
	int c, status = 0;
	FILE *f, *null;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outp = optarg;
			break;
		case 'i':
			want = optarg;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			return usage_error(NULL, NULL);
		}
	}
	status = read_operand(argc, argv, "minimize", "expected one FILE",
			      &data, &size);
	if (status)
		return status;
	vm = opl_vm_new();
	null = fopen("/dev/null", "w");
	if (looks_binary(data, size)) {
		/* a fuzzer's input: its scenario is what gets shrunk */
		decode_binary(vm, (const uint8_t *)data, size, &text);
		s = opl_script_parse(argv[optind], text.s, text.len, &err);
		opl_str_free(&text);
	} else {
		s = opl_script_parse(argv[optind], data, size, &err);
	}
	free(data);
	if (!s) {
		fputs(err.s ? err.s : "", stderr);
		status = 2;
		goto out;
	}
	n = opl_script_nr_ops(s);
	skip = calloc(n + 1, sizeof(*skip));
	trial = calloc(n + 1, sizeof(*trial));
	if (!skip || !trial) {
		status = 2;
		goto out;
	}
	/* the finding to keep: --id, or the first the whole input raises */
	if (want) {
		if (!still_fires(s, vm, skip, want, null)) {
			warnx_("%s: finding %s does not fire; nothing to minimize",
			       argv[optind], want);
			status = 1;
			goto out;
		}
		snprintf(id, sizeof(id), "%s", want);
	} else {
		still_fires(s, vm, skip, "", null);
		for (unsigned int i = 0; i < lusim_findings_count() && !id[0]; i++) {
			const struct lusim_finding *f = lusim_findings_get(i);

			if (!f->suppressed)
				snprintf(id, sizeof(id), "%s%s%s", f->id,
					 f->site[0] ? "@" : "", f->site);
		}
		if (!id[0]) {
			warnx_("%s: no finding fires; nothing to minimize", argv[optind]);
			status = 1;
			goto out;
		}
	}

	/* ddmin over the op statements: drop chunks while the finding fires */
	chunks = 2;
	kept = n;
	while (kept >= 1) {
		unsigned int per, removed = 0, idx, seen;
		bool progress = false;

		if (chunks > kept)
			chunks = kept;
		per = (kept + chunks - 1) / chunks;
		for (unsigned int k = 0; k < chunks; k++) {
			memcpy(trial, skip, n * sizeof(*skip));
			seen = 0;
			removed = 0;
			for (idx = 0; idx < n; idx++) {
				if (skip[idx])
					continue;
				if (seen / per == k) {
					trial[idx] = true;
					removed++;
				}
				seen++;
			}
			if (!removed)
				continue;
			runs++;
			if (still_fires(s, vm, trial, id, null)) {
				memcpy(skip, trial, n * sizeof(*skip));
				kept -= removed;
				progress = true;
				break;
			}
		}
		if (progress) {
			chunks = chunks > 2 ? chunks - 1 : 2;
			continue;
		}
		if (chunks >= kept)
			break;
		chunks = chunks * 2 < kept ? chunks * 2 : kept;
	}

	/* the result: the canonical scenario of a run of the kept ops */
	{
		struct opl_run_opts opts = {
			.quiet = true, .keep_going = true, .skip = skip, .out = null,
		};

		opl_script_run(s, vm, &opts, NULL);
		text.len = 0;
		opl_str_printf(&text, "# minimized by lusim minimize: %u of %u ops, finding %s, %u runs\n",
			       kept, n, id, runs);
		if (opl_script_bugs(s)[0])
			opl_str_printf(&text, "bugs %s\n", opl_script_bugs(s));
		for (unsigned int i = 0; i < opl_vm_nr_calls(vm); i++) {
			opl_print_call(vm, opl_vm_call(vm, i), OPL_PRINT_EXPECT, &text);
			opl_str_printf(&text, "\n");
		}
		expect_findings(&text);
	}
	f = open_out("minimize", outp, false);
	if (!f || fputs(text.s, f) == EOF || close_out(f, outp))
		status = 2;
	else
		fprintf(stderr, "%s: %s: %u of %u ops keep finding %s (%u runs)\n",
			prog, argv[optind], kept, n, id, runs);
out:
	if (null)
		fclose(null);
	free(skip);
	free(trial);
	opl_str_free(&text);
	opl_str_free(&err);
	opl_script_free(s);
	lusim_reset_all();
	opl_vm_free(vm);
	return status;
}

/* ---------------------------------------------------------------------
 * gen-corpus: the generated fuzzing files
 * --------------------------------------------------------------------- */

/* Write @data to @path, or with @check compare: 0 same or written, 1 not. */
static int put_file(const char *path, const void *data, size_t len, bool check)
{
	char *old = NULL;
	size_t old_len = 0;
	FILE *f;

	if (check) {
		if (read_file(path, &old, &old_len)) {
			printf("%s: missing\n", path);
			return 1;
		}
		if (old_len != len || memcmp(old, data, len)) {
			printf("%s: stale\n", path);
			free(old);
			return 1;
		}
		free(old);
		return 0;
	}
	f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f)) {
		warnx_("%s: %s", path, strerror(errno));
		exit(2);
	}
	return 0;
}

static int cmd_gen_corpus(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct file_list files = { 0 };
	struct opl_str dict = { 0 };
	struct opl_vm *vm;
	const char *root;
	bool check = false;
	char path[4096];
	int c, status = 0, stale = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			check = true;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			return usage_error(NULL, NULL);
		}
	}
	if (argc - optind != 1)
		return usage_error("gen-corpus", "expected the source tree's root");
	root = argv[optind];

	opl_dict_ops(&dict);
	snprintf(path, sizeof(path), "%s/fuzz/fuzz_ops.dict", root);
	stale += put_file(path, dict.s, dict.len, check);
	dict.len = 0;
	opl_dict_scenario(&dict);
	snprintf(path, sizeof(path), "%s/fuzz/fuzz_scenario.dict", root);
	stale += put_file(path, dict.s, dict.len, check);
	opl_str_free(&dict);

	snprintf(path, sizeof(path), "%s/corpus/scenarios", root);
	if (collect(&files, path))
		return 2;
	vm = opl_vm_new();
	for (unsigned int i = 0; i < files.n; i++) {
		const char *base = strrchr(files.v[i], '/') + 1;
		size_t blen = strlen(base) - 4;	/* without .lus */
		char *text;
		size_t tlen, len;
		uint8_t *bin;
		struct opl_script *s = load_encoded(files.v[i], vm, &status,
						    &bin, &len);

		if (!s)
			break;
		/*
		 * The binary seed for fuzz_ops, the text seed for fuzz_scenario.
		 * A scenario that expects a finding with no switch on records
		 * an open finding of the model: as a seed it would stop every
		 * campaign at once, so fuzz_ops gets no seed of it.
		 */
		snprintf(path, sizeof(path), "%s/corpus/fuzz_ops/%.*s", root,
			 (int)blen, base);
		if (*opl_script_bugs(s) || !opl_script_expects_findings(s))
			stale += put_file(path, bin, len, check);
		else if (!check)
			unlink(path);
		opl_script_free(s);
		free(bin);
		if (read_file(files.v[i], &text, &tlen)) {
			status = 2;
			break;
		}
		snprintf(path, sizeof(path), "%s/corpus/fuzz_scenario/%s", root,
			 base);
		stale += put_file(path, text, tlen, check);
		free(text);
	}
	list_free(&files);

	/*
	 * Racy scenarios (docs/concurrency.md): corpus/race/NAME.lus encoded
	 * as corpus/fuzz_race/NAME; fuzz/fuzz_race.dict is fuzz_ops's plus
	 * the actor tags and schedule items.
	 */
	opl_dict_ops(&dict);
	opl_str_printf(&dict, "# fuzz_race: an op of actor 0/1/2, one schedule byte\n");
	for (unsigned int a = 0; a < LUSIM_MAX_ACTORS - 1; a++)
		opl_str_printf(&dict, "actor%u=\"\\x%02x\"\n", a, 0xc0 + a);
	for (unsigned int a = 0; a < LUSIM_MAX_ACTORS - 1; a++)
		opl_str_printf(&dict, "sched_run%u=\"\\xf0\\x%02x\"\n", a, a);
	opl_str_printf(&dict, "sched_keep1=\"\\xf0\\x80\"\nsched_keep8=\"\\xf0\\x87\"\n");
	snprintf(path, sizeof(path), "%s/fuzz/fuzz_race.dict", root);
	if (!status)
		stale += put_file(path, dict.s, dict.len, check);
	opl_str_free(&dict);
	snprintf(path, sizeof(path), "%s/corpus/race", root);
	if (!status && collect(&files, path))
		status = 2;
	for (unsigned int i = 0; !status && i < files.n; i++) {
		const char *base = strrchr(files.v[i], '/') + 1;
		size_t blen = strlen(base) - 4;	/* without .lus */
		size_t len;
		uint8_t *bin;
		struct opl_script *s = load_encoded(files.v[i], vm, &status,
						    &bin, &len);

		if (!s)
			break;
		opl_script_free(s);
		snprintf(path, sizeof(path), "%s/corpus/fuzz_race/%.*s", root,
			 (int)blen, base);
		stale += put_file(path, bin, len, check);
		free(bin);
	}
	list_free(&files);
	lusim_reset_all();
	opl_vm_free(vm);
	if (status)
		return status;
	if (check && stale) {
		printf("%d generated file%s out of date; regenerate with: lusim gen-corpus %s\n",
		       stale, stale == 1 ? " is" : "s are", root);
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * dict, help
 * --------------------------------------------------------------------- */

static int cmd_dict(int argc, char **argv)
{
	struct opl_str out = { 0 };

	if (argc != 2)
		return usage_error("dict", "expected fuzz_ops or fuzz_scenario");
	if (!strcmp(argv[1], "fuzz_ops"))
		opl_dict_ops(&out);
	else if (!strcmp(argv[1], "fuzz_scenario"))
		opl_dict_scenario(&out);
	else
		return usage_error("dict", "expected fuzz_ops or fuzz_scenario");
	fputs(out.s, stdout);
	opl_str_free(&out);
	return fflush(stdout) ? 2 : 0;
}

static int cmd_help(int argc, char **argv)
{
	struct opl_str out = { 0 };

	if (argc == 1) {
		print_help(stdout);
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "ops"))
		return usage_error("help", "expected no argument or 'ops'");
	printf("Ops (handles first, in order; key=value arguments may be left out):\n\n");
	opl_help_ops(&out);
	fputs(out.s, stdout);
	opl_str_free(&out);
	printf("\nHandle kinds: fd = any fd, id = any iommufd object id, pt = ioas or hwpt.\n"
	       "A handle is a name bound by NAME = OP, or raw:N (N: 0..13, 2147483647, -1).\n");
	return 0;
}

/*
 * LUSIM_TEST_PLANT_FINDING=OP (tests of this tool only, tools/lusim/
 * test_cli.py): a finding TEST-PLANTED at site "test" after every OP, so
 * minimize, --suppress and --graph can be tested without a model bug.
 */
static const char *plant_op;

static void plant_run(const struct lusim_check_ctx *ctx)
{
	if (ctx->op && !strcmp(ctx->op, plant_op))
		lusim_report("TEST-PLANTED", "test", NULL, "planted after %s",
			     ctx->op);
}

static struct lusim_check plant_check = {
	.id = "TEST-PLANTED",
	.area = "test",
	.desc = "LUSIM_TEST_PLANT_FINDING: a finding after every op of a name",
	.when = LUSIM_CHECK_OP_END,
	.run = plant_run,
};

/*
 * lusim review is Python (tools/review/lusim_review.py in the source tree
 * this binary was built from): it configures and builds its own fuzz
 * binaries, so it runs outside this process.  LUSIM_PYTHON picks the
 * interpreter (default python3 on the PATH).
 */
static int cmd_review(int argc, char **argv)
{
	static const char script[] = LUSIM_SOURCE_ROOT "/tools/review/lusim_review.py";
	const char *python = getenv("LUSIM_PYTHON");
	char **args;
	int i;

	if (!python || !*python)
		python = "python3";
	args = calloc(argc + 2, sizeof(*args));
	if (!args) {
		warnx_("review: out of memory");
		return 2;
	}
	args[0] = (char *)python;
	args[1] = (char *)script;
	for (i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	args[argc + 1] = NULL;
	execvp(python, args);
	warnx_("review: cannot run %s %s: %s", python, script, strerror(errno));
	free(args);
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		return usage_error(NULL, "no command");
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		print_help(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("lusim %s (op language: %u ops)\n", LUSIM_VERSION, opl_nr_ops);
		return 0;
	}
	if (!strcmp(cmd, "review"))
		return cmd_review(argc - 1, argv + 1);
	if (lusim_bugs_from_env()) {
		warnx_("LUSIM_BUGS: expected a list like RB-01,RB-03");
		return 2;
	}
	lusim_findings_set_mode(LUSIM_FINDINGS_RECORD);
	plant_op = getenv("LUSIM_TEST_PLANT_FINDING");
	if (plant_op)
		lusim_check_register(&plant_check);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "decode"))
		return cmd_decode(argc - 1, argv + 1);
	if (!strcmp(cmd, "encode"))
		return cmd_encode(argc - 1, argv + 1);
	if (!strcmp(cmd, "minimize"))
		return cmd_minimize(argc - 1, argv + 1);
	if (!strcmp(cmd, "dict"))
		return cmd_dict(argc - 1, argv + 1);
	if (!strcmp(cmd, "gen-corpus"))
		return cmd_gen_corpus(argc - 1, argv + 1);
	if (!strcmp(cmd, "help"))
		return cmd_help(argc - 1, argv + 1);
	warnx_("unknown command '%s'", cmd);
	return usage_error(NULL, NULL);
}
