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
 * PromQL engine (5-query/local.h) instead of a Prometheus server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/gotime.h"
#include "1-common/xalloc.h"
#include "5-query/local.h"
#include "4-promql/promql.h"
#include "8-promtool/cli.h"
#include "8-promtool/commands.h"
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
static int load_rules(struct loaded *l, const char *const *paths, size_t n, int64_t eval_ns, struct err *e)
{
	size_t gcap = 0, ecap = 0;

	memset(l, 0, sizeof(*l));
	l->files = xcalloc(n ? n : 1, sizeof(*l->files));
	for (size_t i = 0; i < n; i++) {
		struct rulefmt_errors errs;
		rulefmt_errors_init(&errs);
		if (rulefmt_load_file(&l->files[i], paths[i], &errs)) {
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
					promql_print(&b, rr->parsed);
				} else {
					struct promql_expr *x = NULL;
					struct err pe = ERR_INIT;
					if (promql_parse(&x, rr->expr, strlen(rr->expr), &pe) == 0)
						promql_print(&b, x);
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
static void print_error(const char *prefix, const char *msg)
{
	fputs(prefix, stderr);
	for (const char *p = msg; *p; p++) {
		if ((unsigned char)p[0] == 0xC0 && (unsigned char)p[1] == 0x80) {
			fputc('\0', stderr);
			p++;
		} else {
			fputc(*p, stderr);
		}
	}
	fputc('\n', stderr);
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
	struct rb_config cfg;
	struct loaded l;
	struct query_source *src = NULL;
	struct err e = ERR_INIT;
	char **errs = NULL;
	int rc = 1;

	memset(&l, 0, sizeof(l));
	files = cli_list(c, "rule-files", &nfiles);

	if (cfg_path && *cfg_path) {
		struct go_url u;
		if (go_url_parse(&u, url, &e) == 0) {
			bool has_user = u.user && *u.user;
			go_url_release(&u);
			if (has_user)
				return fatal(c, "Cannot set base auth in the server URL and use a http.config.file at the same time");
		}
		err_release(&e);
		http_config_init(&hc);
		if (http_config_load(&hc, cfg_path, &e)) {
			struct buf m = BUF_INIT;
			buf_addf(&m, "Failed to load HTTP config file: %s", err_msg(&e));
			fatal(c, buf_str(&m));
			buf_release(&m);
			http_config_release(&hc);
			err_release(&e);
			return 1;
		}
		have_hc = true;
		if (hc.server_name) {
			/* libcurl cannot set SNI apart from the URL's host */
			fatal(c, "Failed to create a new HTTP round tripper: tls_config server_name is not supported by this promtool");
			goto done;
		}
	}

	memset(&cfg, 0, sizeof(cfg));
	if (!end_s || !*end_s) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		go_time_unix(&cfg.end, (int64_t)now.tv_sec - 3 * 3600, now.tv_nsec);
	} else if (go_parse_promtool_time(&cfg.end, end_s)) {
		fprintf(stderr, "error parsing end time: cannot parse \"%s\" to a valid timestamp\n", end_s);
		goto done;
	}
	if (go_parse_promtool_time(&cfg.start, start_s ? start_s : "")) {
		fprintf(stderr, "error parsing start time: cannot parse \"%s\" to a valid timestamp\n", start_s);
		goto done;
	}
	if (!go_time_before(&cfg.start, &cfg.end)) {
		fprintf(stderr, "start time is not before end time\n");
		goto done;
	}
	if (!strcmp(cli_str(c, "semantics"), "prometheus")) {
		/* EXTENSION: what a live rule manager writes (cmd_rules_live.c) */
		rc = cmd_rules_backfill_live(c, &cfg.start, &cfg.end, have_hc ? &hc : NULL);
		goto done;
	}
	cfg.output_dir = cli_str(c, "output-dir");
	/* int64(maxBlockDuration / time.Millisecond) */
	cfg.max_block_duration_ms = cli_int(c, "max-block-duration") / 1000000;

	if (cli_isset(c, "source-dir")) {
		/* EXTENSION: evaluate locally against a data directory instead
		 * of asking a server; the importer cannot tell the difference. */
		if (promql_engine_source_open_dir(&src, cli_str(c, "source-dir"), NULL, &e)) {
			fprintf(stderr, "cannot open source directory: %s\n", err_msg(&e));
			goto done;
		}
	} else if (remote_source_new(&src, url, have_hc ? &hc : NULL, &e)) {
		fprintf(stderr, "new api client error: %s\n", err_msg(&e));
		goto done;
	}

	/* newRuleImporter logs before the rule files are read */
	rules_backfill_log_start(&cfg, stderr);
	if (load_rules(&l, files, nfiles, cli_int(c, "eval-interval"), &e)) {
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

	nerrs = rules_backfill_run(&cfg, l.groups, l.ngroups, src, stderr, &errs);
	for (size_t i = 0; i < nerrs; i++) {
		print_error("rule importer error: ", errs[i]);
		free(errs[i]);
	}
	free(errs);
	if (nerrs) {
		fprintf(stderr, "error importing rules\n");
		goto done;
	}
	rc = 0;
done:
	query_source_free(src);
	loaded_release(&l);
	if (have_hc)
		http_config_release(&hc);
	err_release(&e);
	return rc;
}
