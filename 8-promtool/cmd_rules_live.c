/*
 * The CLI side of --semantics=prometheus (see cmd_rules_live.h): the
 * source (a data directory with --source-dir, else the --url server), the
 * rule files as the rule manager loads them, the importer, the messages.
 *
 *   "new rule importer" log line      as promtool logs it
 *   rule file errors                  "rule importer parse error: ..."
 *   a bad --external-label            "rule importer error: ..."
 *   importer errors                   "rule importer error: ..." then
 *                                     "error importing rules"
 * all exit 1; evaluation failures are warnings, as the live manager logs
 * them, and the blocks hold what the rules did produce.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/err.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "3-tsdb/db_reader.h"
#include "5-query/local.h"
#include "5-query/remote.h"
#include "6-rules/rulefmt.h"
#include "7-backfill/log.h"
#include "7-backfill/rules_import.h"
#include "7-backfill/rules_live.h"
#include "8-promtool/cmd_rules_live.h"
#include "8-promtool/commands.h"

int cmd_rules_backfill_live(const struct cli_ctx *c, const struct go_time *start, const struct go_time *end,
			    const struct remote_options *ro, const struct rb_shard *shard)
{
	struct bf_log log;
	size_t nfiles = 0, nlabels = 0, ngroups = 0, gcap = 0, nerrs = 0;
	const char *const *files = cli_list(c, "rule-files", &nfiles);
	const char *const *ext = cli_list(c, "external-label", &nlabels);
	struct rulefmt_file **loaded = xcalloc(nfiles + 1, sizeof(*loaded));
	struct rl_group *groups = NULL;
	struct labels el = LABELS_INIT;
	struct tsdb_db db;
	bool db_open = false;
	struct promql_storage st;
	struct query_source *remote = NULL;
	struct rb_config logcfg;
	struct rl_config cfg;
	struct err e = ERR_INIT;
	char **errs = NULL;
	int rc = 1;

	bf_log_init(&log, stderr);
	memset(&cfg, 0, sizeof(cfg));
	cfg.compat = cli_compat(c);
	cfg.output_dir = cli_str(c, "output-dir");
	cfg.start_ns = start->sec * 1000000000 + start->nsec;
	cfg.end_ns = end->sec * 1000000000 + end->nsec;
	cfg.max_block_duration_ms = cli_int(c, "max-block-duration") / 1000000;
	cfg.eval_interval_ns = cli_int(c, "eval-interval");
	cfg.compat = cli_compat(c);
	if (cli_isset(c, "external-url"))
		cfg.external_url = cli_str(c, "external-url");
	for (size_t i = 0; i < nlabels; i++) {
		const char *eq = strchr(ext[i], '=');
		char *name;
		if (!eq || eq == ext[i] || !labels_valid_name((name = xstrndup(ext[i], (size_t)(eq - ext[i]))))) {
			if (eq && eq != ext[i])
				free(name);
			fprintf(stderr, "rule importer error: invalid external label \"%s\"\n", ext[i]);
			goto done;
		}
		labels_set_copy(&el, name, eq + 1);
		free(name);
	}
	labels_sort(&el);
	cfg.external_labels = el.v;
	cfg.nexternal_labels = el.n;

	if (cli_isset(c, "source-dir")) {
		tsdb_db_init(&db);
		db_open = true;
		if (tsdb_db_open(&db, cli_str(c, "source-dir"), INT64_MAX, &e) < 0) {
			fprintf(stderr, "cannot open source directory: %s\n", err_msg(&e));
			goto done;
		}
		st = promql_tsdb_storage(&db);
	} else if (remote_source_new(&remote, cli_str(c, "url"), ro, &e) < 0) {
		fprintf(stderr, "new api client error: %s\n", err_msg(&e));
		goto done;
	}

	memset(&logcfg, 0, sizeof(logcfg));
	logcfg.start = *start;
	logcfg.end = *end;
	logcfg.compat = cli_compat(c);
	rules_backfill_log_start(&logcfg, &log);
	/* Manager.LoadGroups: the first failing file's first error */
	for (size_t i = 0; i < nfiles; i++) {
		struct rulefmt_errors fe;
		struct promql_parse_opts po;
		struct rulefmt_opts ro = { cli_compat(c), false, &po };
		promtool_parser_opts(c, &po); /* the release's rule files and parser */
		rulefmt_errors_init(&fe);
		if (rulefmt_load_file_with(&loaded[i], files[i], &ro, &fe)) {
			fprintf(stderr, "rule importer parse error: %s\n", fe.n ? fe.v[0] : files[i]);
			rulefmt_errors_release(&fe);
			goto done;
		}
		rulefmt_errors_release(&fe);
		for (size_t g = 0; g < loaded[i]->ngroups; g++) {
			ALLOC_GROW(groups, ngroups + 1, gcap);
			groups[ngroups].file = files[i];
			groups[ngroups++].g = &loaded[i]->groups[g];
		}
	}

	if (shard->count > 1) {
		/* --shard: this shard's sets of dependent groups (rules_live.h) */
		size_t *comp = xcalloc(ngroups + 1, sizeof(*comp)), kept = 0;
		rules_backfill_live_units(groups, ngroups, comp);
		for (size_t g = 0; g < ngroups; g++)
			if (rb_shard_owns(shard, comp[g]))
				groups[kept++] = groups[g];
		ngroups = kept;
		free(comp);
	}
	nerrs = rules_backfill_live_run(&cfg, groups, ngroups, db_open ? &st : NULL,
					db_open && db.nblocks > 0, remote, stderr, &errs);
	for (size_t i = 0; i < nerrs; i++) {
		fprintf(stderr, "rule importer error: %s\n", errs[i]);
		free(errs[i]);
	}
	free(errs);
	if (nerrs) {
		fprintf(stderr, "error importing rules\n");
		goto done;
	}
	rc = 0;
done:
	query_source_free(remote);
	if (db_open)
		tsdb_db_release(&db);
	for (size_t i = 0; i < nfiles; i++)
		rulefmt_file_free(loaded[i]);
	free(loaded);
	free(groups);
	labels_release(&el);
	err_release(&e);
	bf_log_release(&log);
	return rc;
}
