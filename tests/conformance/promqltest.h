/*
 * The promqltest runner's internals (bin/promqltest, see promqltest.c):
 * one test file read into commands (promqltest_file.c) and each eval
 * command run and checked (promqltest_eval.c), both with the test
 * framework of the version given with --compat (promql/test.go at 2.42,
 * promql/promqltest/test.go from 2.52 on).
 *
 * Ownership: a struct pqt_eval owns its strings, expected series and
 * compiled regexps (pqt_eval_release()); struct pqt_state owns the store
 * and the lists of series the store could not hold.
 */
#ifndef TESTS_PROMQLTEST_H
#define TESTS_PROMQLTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "2-model/labels.h"
#include "4-promql/promql.h"
#include "4-promql/storage.h"

/*
 * What the test framework of the chosen version reads and does; each
 * field names the first release that has it (checked in upstream's
 * promql/promqltest/test.go history).
 */
struct pqt_features {
	bool eval_range;       /* 2.52: eval range from <t> to <t> step <d> */
	bool almost_pkg;       /* 2.53: util/almost.Equal, not 2.42's almostEqual */
	bool fail_message;     /* 2.54: expected_fail_message|regexp */
	bool eval_warn;        /* 2.54: eval_warn */
	bool load_nhcb;        /* 2.54: load_with_nhcb */
	bool matrix_compare;   /* 2.52: matrices compared (and checked sorted), also for instant evals */
	bool stale_eq;         /* 2.55: StaleNaN equals only StaleNaN */
	bool name_removal;     /* 2.55: the test engine delays __name__ removal */
	bool eval_info;        /* 3.0: eval_info */
	/* 2.54 to 3.3: unexpected warnings fail; 3.1 to 3.3 also unexpected
	 * infos (3.0 only wants the expected ones, and in instant evals);
	 * 3.2 to 3.3: an ordered eval's annotations are not checked */
	bool warn_strict, info_strict, anno_ordered;
	bool expect;           /* 3.4: expect fail|warn|info|no_warn|no_info|ordered */
	bool expect_range;     /* 3.7: expect range vector, expect string */
	bool create_fail;      /* 3.9: a query that fails to build may be the expected failure */
	bool st_lines;         /* 3.12: metric@st lines in load */
	bool ctx_funcs;        /* 3.12: no range-mode check for start()/end()/range()/step() */
};

struct pqt_opts {
	struct compat compat;
	/* The release's parser, with its experimental functions (upstream's
	 * test engine enables them); compat points at the field above. */
	struct promql_parse_opts popts;
	struct pqt_features f;
	bool exact;   /* values bit for bit (our own oracle cases) */
	bool verbose; /* -v: one tab-separated line per failure and skip */
};

/* Expect-line kinds of 3.4's `expect <kind> [msg:|regex:]`. */
enum pqt_expect_kind { PQT_X_ORDERED, PQT_X_FAIL, PQT_X_WARN, PQT_X_NO_WARN, PQT_X_INFO, PQT_X_NO_INFO };

struct pqt_expected {
	struct labels ls;
	double *v;
	bool *om;
	size_t n;
	int pos; /* 1-based position among the expected lines */
};

/* The required error of a failing eval: a message or a regexp. */
struct pqt_errmatch {
	char *msg;  /* exact text, or NULL */
	void *re;   /* unanchored regexp (label_regex), or NULL */
	char *src;  /* the pattern as written */
};

struct pqt_eval {
	const char *file;
	int line;
	char *expr;
	bool is_range;
	int64_t start, end, step; /* ms; instant: start = eval time */
	int64_t eval_t;           /* instant evaluation time */
	bool fail, ordered, warn, info;
	/* expect warn|info lines (3.4), [0] warn, [1] info (enum
	 * promql_annotation_kind): each an exact text, a regexp, or neither
	 * (any annotation); expect no_warn|no_info. */
	struct pqt_errmatch *xanno[2];
	size_t nxanno[2], capxanno[2];
	bool no_warn, no_info;
	/* expected_fail_message|regexp, expect fail msg:|regex: */
	struct pqt_errmatch err[2];
	int nerr;
	const char *want_err; /* "# error:" comment of our oracle files */
	bool expect_scalar;
	double scalar_v;
	bool expect_string;
	char *string;
	bool range_vector;   /* expect range vector: compare a matrix */
	bool exclude_range;  /* no range-mode check (3.7) */
	struct pqt_expected *exp;
	size_t nexp, cap;
	const char *skip; /* why the case is not run (static text) */
	char *bad;        /* why the case's text is invalid for this version */
	int bad_line;
};

/* Series the store cannot hold (native histograms) or holds only in part
 * (start timestamps): an eval whose selectors match one is marked. */
struct pqt_seriesset {
	struct labels *v;
	size_t n, cap;
};

struct pqt_state {
	const struct pqt_opts *o;
	bool exact; /* this file's values compare bit for bit */
	struct promql_memstore ms;
	struct promql_storage ms_storage; /* the interface over ms */
	struct pqt_seriesset hist; /* native-histogram series, not loaded */
	struct pqt_seriesset st;   /* series with start timestamps (`metric@st` lines) */
	int npass, nfail, nskip;
};

/* Runs one .test file: every command, printing one line per eval case. */
void pqt_run_file(struct pqt_state *s, const char *dir, const char *name);
/* Runs one eval command and counts it. */
void pqt_run_eval(struct pqt_state *s, struct pqt_eval *c);
void pqt_eval_release(struct pqt_eval *c);

/* The outcome lines: PASS <id>, or FAIL/SKIP <id> with a category and why. */
void pqt_report(struct pqt_state *s, const char *status, const struct pqt_eval *c,
		const char *category, const char *why);
/* A failure outside an eval (a bad load line): FAIL <file>:<line>. */
void pqt_report_line(struct pqt_state *s, const char *file, int line, const char *category,
		     const char *why);

void pqt_seriesset_add(struct pqt_seriesset *set, const struct label *ls, size_t n);
void pqt_seriesset_clear(struct pqt_seriesset *set);

#endif
