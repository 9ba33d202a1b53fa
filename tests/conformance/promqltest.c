/*
 * bin/promqltest: PromQL test files in upstream's promqltest format run
 * against our parser and evaluator, with the test framework of one release:
 *
 *   bin/promqltest [--compat=VERSION] [--exact] [-v] FILE.test|DIR...
 *
 * --compat (default 2.42.0) picks what the files may say and how cases run,
 * as promql/test.go (2.42) or promql/promqltest/test.go (2.52 on) at that
 * tag: `eval range` (2.52), expected_fail_message|regexp, eval_warn and
 * load_with_nhcb (2.54), eval_info (3.0), `expect ...` lines (3.4),
 * `expect range vector` and `expect string` (3.7), `metric@st` lines
 * (3.12); 2.42's almostEqual or util/almost.Equal (2.53); the range-mode
 * check skipped for start()/end()/range()/step() (3.12).  The profile is
 * also handed to the parser (promql_parse_with, experimental functions on)
 * and the engine (struct promql_engine_opts.compat), with the test
 * engine's settings: lookback 5m, subquery step 1m, at most 10000 samples,
 * delayed name removal from 2.55.
 *
 * Every eval command is one case, named <file>:<line>.  Cases whose data
 * or expected values are native histograms ({{schema:...}}, or series a
 * load_with_nhcb builds) are skipped with the reason "native histograms".
 * Output: "PASS <id>", "FAIL <id>" (why on stderr), "SKIP <id>: why"; with
 * -v instead one line per failure and skip, tab-separated:
 * fail|skip, id, category, query, why (no PASS lines).  Last, on stderr,
 * "N passed, M failed, K skipped"; exit 1 when anything failed.
 *
 * `make test` runs it on our own cases (testdata/promql-eval, --exact);
 * `make conformance` on upstream's files of each LTS
 * (tests/conformance/promqltest_versions.sh).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "tests/conformance/promqltest.h"

static void features(struct pqt_features *f, const struct compat *c)
{
	f->eval_range = compat_at_least(c, 2, 52, 0);
	f->almost_pkg = compat_at_least(c, 2, 53, 0);
	f->matrix_compare = compat_at_least(c, 2, 52, 0);
	f->fail_message = compat_at_least(c, 2, 54, 0);
	f->eval_warn = compat_at_least(c, 2, 54, 0);
	f->load_nhcb = compat_at_least(c, 2, 54, 0);
	f->stale_eq = compat_at_least(c, 2, 55, 0);
	f->name_removal = compat_at_least(c, 2, 55, 0);
	f->eval_info = compat_at_least(c, 3, 0, 0);
	/* 2.54 .. 3.3: an annotation nobody expected fails the eval */
	f->warn_strict = f->eval_warn && !compat_at_least(c, 3, 4, 0);
	f->info_strict = compat_at_least(c, 3, 1, 0) && f->warn_strict;
	f->anno_ordered = compat_at_least(c, 3, 2, 0) && f->warn_strict;
	f->expect = compat_at_least(c, 3, 4, 0);
	f->expect_range = compat_at_least(c, 3, 7, 0);
	f->create_fail = compat_at_least(c, 3, 9, 0);
	f->st_lines = compat_at_least(c, 3, 12, 0);
	f->ctx_funcs = compat_at_least(c, 3, 12, 0);
}

/* Tabs and newlines would break -v's one-line records. */
static void add_flat(struct buf *b, const char *s)
{
	for (; s && *s; s++)
		buf_addc(b, (unsigned char)(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s));
}

static void report(struct pqt_state *s, const char *status, const char *file, int line,
		   const char *expr, const char *category, const char *why)
{
	struct buf b = BUF_INIT;

	if (!strcmp(status, "PASS"))
		s->npass++;
	else if (!strcmp(status, "FAIL"))
		s->nfail++;
	else
		s->nskip++;
	if (s->o->verbose) {
		if (!strcmp(status, "PASS"))
			return;
		buf_adds(&b, !strcmp(status, "FAIL") ? "fail\t" : "skip\t");
		buf_addf(&b, "%s:%d\t", file, line);
		add_flat(&b, category);
		buf_addc(&b, '\t');
		add_flat(&b, expr ? expr : "");
		buf_addc(&b, '\t');
		add_flat(&b, why);
		printf("%s\n", buf_str(&b));
	} else if (!strcmp(status, "PASS")) {
		printf("PASS %s:%d\n", file, line);
	} else if (!strcmp(status, "FAIL")) {
		printf("FAIL %s:%d\n", file, line);
		fprintf(stderr, "  %s:%d: %s: [%s] %s\n", file, line, expr ? expr : "", category, why);
	} else {
		printf("SKIP %s:%d: %s: %s\n", file, line, category, why);
	}
	buf_release(&b);
}

void pqt_report(struct pqt_state *s, const char *status, const struct pqt_eval *c,
		const char *category, const char *why)
{
	report(s, status, c->file, c->line, c->expr, category, why);
}

void pqt_report_line(struct pqt_state *s, const char *file, int line, const char *category,
		     const char *why)
{
	report(s, "FAIL", file, line, NULL, category, why);
}

void pqt_seriesset_add(struct pqt_seriesset *set, const struct label *ls, size_t n)
{
	for (size_t i = 0; i < set->n; i++)
		if (labels_equal(set->v[i].v, set->v[i].n, ls, n))
			return;
	ALLOC_GROW(set->v, set->n + 1, set->cap);
	labels_init(&set->v[set->n]);
	labels_dup(&set->v[set->n], ls, n);
	set->n++;
}

void pqt_seriesset_clear(struct pqt_seriesset *set)
{
	for (size_t i = 0; i < set->n; i++)
		labels_release(&set->v[i]);
	set->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every .test file of dir in name order. */
static void run_dir(struct pqt_state *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d) {
		pqt_report_line(s, dir, 0, "file", "cannot open directory");
		return;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strcmp(de->d_name + l - 5, ".test")) {
			ALLOC_GROW(names, n + 1, cap);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (!n)
		pqt_report_line(s, dir, 0, "file", "no .test files");
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		pqt_run_file(s, dir, names[i]);
		free(names[i]);
	}
	free(names);
}

/*
 * --exact compares values bit for bit: our own cases (testdata/promql-eval)
 * hold results from the real promtool, made on a CPU with AVX2 and FMA,
 * where Go's Exp takes its fused path (as ours does).  Elsewhere both compute
 * exp() differently, so they are compared with the epsilon instead (said on
 * stderr; the cases still run and count).
 */
static bool want_exact(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
		fprintf(stderr, "promqltest: CPU without AVX2+FMA: --exact compares with epsilon\n");
		return false;
	}
#endif
	return true;
}

static void run_path(struct pqt_state *s, const char *arg)
{
	struct stat st;
	char *dir, *slash;

	if (stat(arg, &st) < 0) {
		pqt_report_line(s, arg, 0, "file", "not found");
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		run_dir(s, arg);
		return;
	}
	dir = xstrdup(arg);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		pqt_run_file(s, dir, slash + 1);
	} else {
		pqt_run_file(s, ".", arg);
	}
	free(dir);
}

int main(int argc, char **argv)
{
	struct pqt_opts o = { .exact = false };
	struct pqt_state s = { .o = &o };
	int i = 1;

	/* One line at a time: FAIL details go to stderr in between. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	compat_init(&o.compat);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--exact")) {
			o.exact = want_exact();
		} else if (!strcmp(argv[i], "-v")) {
			o.verbose = true;
		} else if (!strncmp(argv[i], "--compat=", 9)) {
			struct err e = ERR_INIT;
			if (compat_parse(&o.compat, argv[i] + 9, &e) < 0) {
				fprintf(stderr, "promqltest: %s\n", err_msg(&e));
				err_release(&e);
				return 2;
			}
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: promqltest [--compat=VERSION] [--exact] [-v] FILE.test|DIR...\n");
		return 2;
	}
	features(&o.f, &o.compat);
	o.popts.compat = &o.compat;
	o.popts.experimental_functions = true;
	/* and, where the release has them, duration expressions (test.go of 3.4+) */
	o.popts.duration_expressions = true;
	o.popts.binop_fill_modifiers = true;
	/* and anchored / smoothed (test.go of 3.7+) */
	o.popts.extended_range_selectors = true;
	s.exact = o.exact;
	promql_memstore_init(&s.ms);
	s.ms_storage = promql_memstore_storage(&s.ms);
	for (; i < argc; i++)
		run_path(&s, argv[i]);
	promql_memstore_release(&s.ms);
	pqt_seriesset_clear(&s.hist);
	pqt_seriesset_clear(&s.st);
	free(s.hist.v);
	free(s.st.v);
	fprintf(stderr, "%d passed, %d failed, %d skipped\n", s.npass, s.nfail, s.nskip);
	return s.nfail ? 1 : 0;
}
