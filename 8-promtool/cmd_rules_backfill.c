/*
 * promtool tsdb create-blocks-from rules [flags] <rule-files>...
 *
 * The order of checks and the messages are promtool's (2.42
 * cmd/promtool/main.go importRules, plus 2.43's --http.config.file
 * handling which runs right after flag parsing):
 *
 *   --http.config.file with user info in --url     kingpin.Fatalf
 *   --http.config.file that fails to load          kingpin.Fatalf
 *   --end (default now - 3h), then --start         "error parsing end time: ..."
 *   start not before end                           "start time is not before end time"
 *   log "new rule importer", then load rule files  "rule importer parse error: ..."
 *   import; every failed rule                      "rule importer error: ..."
 *                                                  "error importing rules"
 * All of these exit 1.  -q/-r (flags of create-blocks-from) are accepted
 * and, as in promtool, unused by this subcommand.
 *
 * Extensions: --http.config.file (as in promtool 2.43) and --source-dir,
 * which answers the range queries from a local TSDB directory with our
 * PromQL engine (5-query/local.h) instead of a Prometheus server; for the
 * remote API --query-timeout, --retries, --header and the hidden limits
 * --idle-timeout and --max-response-size (5-query/remote.h), checked like
 * flag values before anything else runs (usage errors, exit 1); the
 * production flags (--merge-blocks, --block-duration, --shard, ...) are checked and
 * applied by 8-promtool/rules_ext.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/gofmt.h"
#include "1-common/gotime.h"
#include "1-common/xalloc.h"
#include "3-tsdb/dirlock.h"
#include "5-query/local.h"
#include "4-promql/promql.h"
#include "8-promtool/blocktable.h"
#include "8-promtool/cli.h"
#include "8-promtool/commands.h"
#include "8-promtool/progress_opt.h"
#include "8-promtool/rules_ext.h"
#include "7-backfill/log.h"
#include "7-backfill/progress.h"
#include "7-backfill/rules_import.h"
#include "5-query/gourl.h"
#include "5-query/httpconfig.h"
#include "5-query/remote.h"
#include "6-rules/rulefmt.h"
#include "8-promtool/cmd_rules_live.h"

/* Rule files and the importer's view of them. */
struct loaded {
	struct rulefmt_file **files;
	size_t nfiles;
	struct rb_group *groups;
	size_t ngroups;
	char **exprs; /* printed expressions, one per rule */
	size_t nexprs;
};

static void loaded_release(struct loaded *l)
{
	for (size_t i = 0; i < l->ngroups; i++)
		free((void *)l->groups[i].rules);
	free(l->groups);
	for (size_t i = 0; i < l->nexprs; i++)
		free(l->exprs[i]);
	free(l->exprs);
	for (size_t i = 0; i < l->nfiles; i++)
		rulefmt_file_free(l->files[i]);
	free(l->files);
}

/*
 * Manager.LoadGroups: files in order; the first error of the first failing
 * file is what promtool reports.
 */
static int load_rules(struct loaded *l, const char *const *paths, size_t n, int64_t eval_ns,
		      const struct promql_parse_opts *po, struct err *e)
{
	/* the release's rule files: 3.0's group labels arrive merged into each rule */
	const struct compat *compat = po->compat;
	struct rulefmt_opts ro = { compat, false, po };
	size_t gcap = 0, ecap = 0;

	memset(l, 0, sizeof(*l));
	l->files = xcalloc(n ? n : 1, sizeof(*l->files));
	for (size_t i = 0; i < n; i++) {
		struct rulefmt_errors errs;
		rulefmt_errors_init(&errs);
		if (rulefmt_load_file_with(&l->files[i], paths[i], &ro, &errs) < 0) {
			err_set(e, "%s", errs.n ? errs.v[0] : paths[i]);
			rulefmt_errors_release(&errs);
			return -1;
		}
		rulefmt_errors_release(&errs);
		l->nfiles++;
		for (size_t gi = 0; gi < l->files[i]->ngroups; gi++) {
			const struct rulefmt_group *rg = &l->files[i]->groups[gi];
			struct rb_rule *rules = xcalloc(rg->nrules ? rg->nrules : 1, sizeof(*rules));
			struct rb_group *g;
			for (size_t ri = 0; ri < rg->nrules; ri++) {
				const struct rulefmt_rule *rr = &rg->rules[ri];
				struct buf b = BUF_INIT;
				/* promtool sends r.Query().String(), the canonical form */
				if (rr->parsed) {
					promql_print_with(&b, rr->parsed, compat);
				} else {
					struct promql_expr *x = NULL;
					struct err pe = ERR_INIT;
					if (promql_parse_with(&x, rr->expr, strlen(rr->expr), po, &pe) == 0)
						promql_print_with(&b, x, compat);
					else
						buf_adds(&b, rr->expr);
					promql_expr_free(x);
					err_release(&pe);
				}
				ALLOC_GROW(l->exprs, l->nexprs + 1, ecap);
				l->exprs[l->nexprs++] = buf_detach(&b, NULL);
				rules[ri].name = *rr->alert ? rr->alert : rr->record;
				rules[ri].expr = l->exprs[l->nexprs - 1];
				rules[ri].labels = rr->labels.v;
				rules[ri].nlabels = rr->labels.n;
			}
			ALLOC_GROW(l->groups, l->ngroups + 1, gcap);
			g = &l->groups[l->ngroups++];
			g->file = paths[i];
			g->name = rg->name;
			g->interval_ns = rg->interval_ms ? rg->interval_ms * 1000000 : eval_ns;
			g->rules = rules;
			g->nrules = rg->nrules;
		}
	}
	return 0;
}

/*
 * Prints an error line; 5-query/apiresp.c marks a NUL byte that Go would
 * print verbatim (json-iterator's "but found \x00") as C0 80.
 */
static void print_error(struct bf_log *log, const char *prefix, const char *msg)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, prefix);
	for (const char *p = msg; *p; p++) {
		if ((unsigned char)p[0] == 0xC0 && (unsigned char)p[1] == 0x80) {
			buf_addc(&b, '\0');
			p++;
		} else {
			buf_addc(&b, (unsigned char)*p);
		}
	}
	buf_addc(&b, '\n');
	bf_log_text(log, (const char *)b.data, b.len);
	buf_release(&b);
}

/* One more API client for --concurrency (8-promtool/rules_ext.h). */
struct remote_args {
	const char *url;
	const struct remote_options *ro;
};

static int make_remote(struct query_source **out, void *arg, struct err *e)
{
	const struct remote_args *ra = arg;

	return remote_source_new(out, ra->url, ra->ro, e);
}

/* "<n>", "<n>B", "<n>KiB" ... "<n>TiB": --max-response-size. */
static int parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		int shift;
	} units[] = { { "", 0 }, { "B", 0 }, { "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }, { "TiB", 40 } };
	uint64_t n = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(p, units[i].unit)) {
			if (n > UINT64_MAX >> units[i].shift)
				return -1;
			*out = n << units[i].shift;
			return 0;
		}
	return -1;
}

/* The remote source's extension flags; bad values are usage errors (kingpin's format). */
static int remote_flags(const struct cli_ctx *c, struct remote_options *o)
{
	const char *size = cli_str(c, "max-response-size");
	struct err e = ERR_INIT;

	remote_options_init(o);
	if (cli_isset(c, "header")) {
		o->headers = cli_list(c, "header", &o->nheaders);
		for (size_t i = 0; i < o->nheaders; i++)
			if (remote_header_check(o->headers[i], &e)) {
				cli_usage_error(c, "%s", err_msg(&e));
				err_release(&e);
				return -1;
			}
	}
	if (cli_int(c, "retries") < 0 || cli_int(c, "retries") > 1000) {
		cli_usage_error(c, "--retries must be between 0 and 1000");
		return -1;
	}
	o->retries = (int)cli_int(c, "retries");
	if (cli_isset(c, "query-timeout") && cli_int(c, "query-timeout") <= 0) {
		cli_usage_error(c, "--query-timeout must be positive");
		return -1;
	}
	o->query_timeout_ns = cli_int(c, "query-timeout");
	if (cli_int(c, "idle-timeout") < 0) {
		cli_usage_error(c, "--idle-timeout must not be negative");
		return -1;
	}
	o->idle_timeout_ns = cli_int(c, "idle-timeout");
	if (parse_size(size ? size : "", &o->max_response_bytes)) {
		cli_usage_error(c, "invalid --max-response-size \"%s\": want bytes, e.g. 512MiB or 2GiB", size);
		return -1;
	}
	return 0;
}

/* A retry, as a go-kit log line next to the importer's (through its
 * logger, so a progress line is redrawn below it). */
static void log_retry(void *arg, const struct remote_retry *r)
{
	struct buf b = BUF_INIT, d = BUF_INIT;
	/* to the millisecond: the jitter's nanoseconds are noise */
	go_fmt_duration(&d, r->delay_ns / 1000000 * 1000000);
	buf_addf(&b, "level=warn backfiller=\"query failed, retrying\" attempt=%d attempts=%d wait=", r->attempt,
		 r->attempts);
	bf_logfmt_value(&b, buf_str(&d));
	buf_adds(&b, " err=");
	bf_logfmt_value(&b, r->error);
	buf_addc(&b, '\n');
	bf_log_text(arg, (const char *)b.data, b.len);
	buf_release(&b);
	buf_release(&d);
}

/* kingpin.Fatalf: "promtool: error: <msg>" without the --help hint. */
static int fatal(const struct cli_ctx *c, const char *msg)
{
	fprintf(stderr, "%s: error: %s\n", cli_app_name(c), msg);
	return 1;
}

int cmd_tsdb_create_blocks_from_rules(const struct cli_ctx *c)
{
	const char *url = cli_str(c, "url"), *start_s = cli_str(c, "start"), *end_s = cli_str(c, "end");
	const char *cfg_path = cli_str(c, "http.config.file");
	const char *const *files;
	size_t nfiles = 0, nerrs = 0;
	struct http_config hc;
	bool have_hc = false;
	bool live;
	struct remote_options ro;
	struct rb_config cfg;
	struct loaded l;
	struct promql_parse_opts po;
	struct query_source *src = NULL;
	struct err e = ERR_INIT;
	char **errs = NULL;
	struct bf_log log;
	struct tsdb_dir_lock lock = TSDB_DIR_LOCK_INIT;
	struct rules_ext ext;
	struct bf_progress progress;
	int rc = 1;

	bf_log_init(&log, stderr);
	memset(&l, 0, sizeof(l));
	files = cli_list(c, "rule-files", &nfiles);
	if (remote_flags(c, &ro))
		return 1;
	rc = rules_ext_check(c, &ext);
	if (rc >= 0)
		goto done;
	rc = 1;

	if (cfg_path && *cfg_path) {
		struct go_url u;
		if (go_url_parse(&u, url, &e) == 0) {
			bool has_user = u.user && *u.user;
			go_url_release(&u);
			if (has_user) {
				fatal(c, "Cannot set base auth in the server URL and use a http.config.file at the same time");
				goto done;
			}
		}
		err_release(&e);
		http_config_init(&hc);
		if (http_config_load(&hc, cfg_path, &e) < 0) {
			struct buf m = BUF_INIT;
			buf_addf(&m, "Failed to load HTTP config file: %s", err_msg(&e));
			fatal(c, buf_str(&m));
			buf_release(&m);
			http_config_release(&hc);
			goto done;
		}
		have_hc = true;
		if (hc.server_name) {
			/* libcurl cannot set SNI apart from the URL's host */
			fatal(c, "Failed to create a new HTTP round tripper: tls_config server_name is not supported by this promtool");
			goto done;
		}
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.compat = cli_compat(c);
	if (!end_s || !*end_s) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		go_time_unix(&cfg.end, (int64_t)now.tv_sec - 3 * 3600, now.tv_nsec);
	} else if (go_parse_promtool_time(&cfg.end, end_s) < 0) {
		fprintf(stderr, "error parsing end time: cannot parse \"%s\" to a valid timestamp\n", end_s);
		goto done;
	}
	if (go_parse_promtool_time(&cfg.start, start_s ? start_s : "") < 0) {
		fprintf(stderr, "error parsing start time: cannot parse \"%s\" to a valid timestamp\n", start_s);
		goto done;
	}
	if (!go_time_before(&cfg.start, &cfg.end)) {
		fprintf(stderr, "start time is not before end time\n");
		goto done;
	}
	live = !strcmp(cli_str(c, "semantics"), "prometheus");
	if (live) {
		/* The live manager's run has none of the production flags yet:
		 * refuse them rather than ignore them. */
		static const char *const unsupported[] = { "merge-blocks", "block-duration", "resume", "concurrency" };
		for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
			if (cli_isset(c, unsupported[i])) {
				rc = cli_usage_error(c, "--%s is not supported with --semantics=prometheus",
						     unsupported[i]);
				goto done;
			}
	}
	cfg.output_dir = cli_str(c, "output-dir");
	/*
	 * Not in 2.42: when the output is a Prometheus data dir, hold its lock
	 * for the whole run, so a running server is detected and none can
	 * start while blocks are written (blocks must only be added to a
	 * stopped server's directory).
	 */
	if (tsdb_is_data_dir(cfg.output_dir) && tsdb_dir_lock(&lock, cfg.output_dir, &e) < 0) {
		fprintf(stderr, "output directory %s: stop the server before writing blocks into its data directory\n",
			err_msg(&e));
		goto done;
	}
	if (live) {
		/* EXTENSION: what a live rule manager writes (cmd_rules_live.c) */
		ro.http = have_hc ? &hc : NULL;
		rc = cmd_rules_backfill_live(c, &cfg.start, &cfg.end, &ro, &ext.shard);
		goto done;
	}
	/* int64(maxBlockDuration / time.Millisecond) */
	cfg.max_block_duration_ms = cli_int(c, "max-block-duration") / 1000000;
	if (rules_ext_apply(c, &ext, &cfg, &e) < 0) {
		fprintf(stderr, "%s\n", err_msg(&e));
		goto done;
	}

	if (cli_isset(c, "source-dir")) {
		/* EXTENSION: evaluate locally against a data directory instead
		 * of asking a server; the importer cannot tell the difference. */
		char *const *skipped;
		size_t nskipped;
		/* the engine of the release imitated (--compat) */
		struct promql_engine_opts eo = {
			.compat = cli_compat(c),
			.experimental_functions = cli_feature_enabled(c, "promql-experimental-functions"),
			.duration_expressions = cli_feature_enabled(c, "promql-duration-expr"),
			.binop_fill_modifiers = cli_feature_enabled(c, "promql-binop-fill-modifiers"),
			.extended_range_selectors = cli_feature_enabled(c, "promql-extended-range-selectors"),
		};
		if (promql_engine_source_open_dir(&src, cli_str(c, "source-dir"), &eo, &e) < 0) {
			fprintf(stderr, "cannot open source directory: %s\n", err_msg(&e));
			goto done;
		}
		skipped = promql_engine_source_skipped(src, &nskipped);
		print_skipped_blocks(skipped, nskipped);
	} else {
		ro.http = have_hc ? &hc : NULL;
		ro.on_retry = log_retry;
		ro.retry_arg = &log;
	}
	if (!src && remote_source_new(&src, url, &ro, &e) < 0) {
		fprintf(stderr, "new api client error: %s\n", err_msg(&e));
		goto done;
	}
	{
		struct remote_args ra = { url, &ro };
		if (rules_ext_sources(&ext, src, cli_isset(c, "source-dir"), make_remote, &ra, &e) < 0) {
			fprintf(stderr, "new api client error: %s\n", err_msg(&e));
			goto done;
		}
	}

	if (progress_opt_enabled(c)) {
		/* EXTENSION: the progress line; without it stderr is 2.42's */
		bf_log_enable_status(&log);
		bf_progress_init(&progress, &log, "rules", progress_opt_columns(2));
		cfg.progress = &progress;
	}
	/* newRuleImporter logs before the rule files are read */
	rules_backfill_log_start(&cfg, &log);
	promtool_parser_opts(c, &po);
	if (load_rules(&l, files, nfiles, cli_int(c, "eval-interval"), &po, &e) < 0) {
		fprintf(stderr, "rule importer parse error: %s\n", err_msg(&e));
		goto done;
	}
	for (size_t i = 0; i < l.ngroups; i++)
		if (l.groups[i].interval_ns <= 0) {
			/* Go divides by the interval and panics; say why instead */
			fprintf(stderr, "rule importer error: group \"%s\" has a non-positive evaluation interval\n",
				l.groups[i].name);
			goto done;
		}

	remove_stale_tmp_dirs(cfg.output_dir);
	nerrs = rules_backfill_run(&cfg, l.groups, l.ngroups, ext.srcs, ext.nsrcs, &log, &errs);
	if (cfg.progress)
		bf_progress_end(cfg.progress);
	if (cli_isset(c, "source-dir") && promql_engine_source_histogram_series(src)) {
		/* a 3.x data dir: one line, whatever the number of queries */
		char line[160];
		int n = snprintf(line, sizeof(line),
				 "warning: %zu series with native histogram samples skipped (--source-dir "
				 "evaluates float samples only)\n",
				 promql_engine_source_histogram_series(src));
		bf_log_text(&log, line, (size_t)n);
	}
	if (nerrs == (size_t)-1) {
		/* the run itself failed (not a rule) */
		print_error(&log, "", errs[0]);
		free(errs[0]);
		free(errs);
		goto done;
	}
	for (size_t i = 0; i < nerrs; i++) {
		print_error(&log, "rule importer error: ", errs[i]);
		free(errs[i]);
	}
	free(errs);
	if (nerrs) {
		bf_log_text(&log, "error importing rules\n", 22);
		goto done;
	}
	rc = 0;
done:
	rules_ext_release(&ext);
	query_source_free(src);
	tsdb_dir_unlock(&lock);
	loaded_release(&l);
	if (have_hc)
		http_config_release(&hc);
	err_release(&e);
	bf_log_release(&log);
	return rc;
}
