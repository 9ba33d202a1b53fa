/*
 * promtool tsdb dump [--min-time] [--max-time] [--match ...] [<db path>]
 * (cmd/promtool/tsdb.go dumpSamples of 2.42): every sample of the matching
 * series, one "<labels> <value %g> <timestamp>" line each, series in the
 * querier's order.
 *
 * Extension: --match may be repeated, as in promtool 3.x; the series of all
 * selectors are merged (a series matched twice is printed once).  With one
 * --match (or none) the output is 2.42's.
 *
 * promtool tsdb dump-openmetrics (2.51+, --compat; cmd/promtool/tsdb.go
 * formatSeriesSetOpenMetrics, the same from v2.51.0 to v3.14.0) reads the
 * same way and prints "<name>{<labels but __name__>} <value %g> <seconds
 * %.3f>" per float sample (the braces even with no label; values as Go's
 * strconv.Quote), stops a series at its first native histogram sample
 * without a word, and ends with "# EOF".  Stale markers are printed (NaN),
 * as upstream does whatever its help says.
 *
 * Output goes through one large buffer and each series' label text is
 * formatted once, so there is no per-sample allocation.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "2-model/labels.h"
#include "8-promtool/blocktable.h"
#include "8-promtool/cli.h"
#include "3-tsdb/db_reader.h"
#include "4-promql/ast.h"
#include "4-promql/promql.h"

#define OUT_FLUSH_AT (1 << 20)

static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static int flush(struct buf *out)
{
	if (out->len && fwrite(out->data, 1, out->len, stdout) != out->len)
		return -1;
	buf_reset(out);
	return 0;
}

/*
 * Appends one dump line: the series' label text and space (prefix), v as
 * Go's %g, t in decimal.  The room is made once, then bytes are stored
 * directly (out stays NUL-terminated).
 */
static void put_line(struct buf *out, const struct buf *prefix, double v, int64_t t)
{
	char tmp[24], *p = tmp + sizeof(tmp), *w;
	uint64_t u = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;

	if (out->len + prefix->len + GO_FMT_G_MAX + sizeof(tmp) + 1 > out->cap)
		buf_grow(out, prefix->len + GO_FMT_G_MAX + sizeof(tmp));
	w = (char *)out->data + out->len;
	memcpy(w, prefix->data, prefix->len);
	w += prefix->len;
	w += go_fmt_g_to(w, v);
	*--p = '\n';
	p = go_put_uint_rtl(p, u);
	if (t < 0)
		*--p = '-';
	*--p = ' ';
	memcpy(w, p, (size_t)(tmp + sizeof(tmp) - p));
	w += tmp + sizeof(tmp) - p;
	*w = '\0';
	out->len = (size_t)(w - (char *)out->data);
}

/* One dump-openmetrics line: prefix, v as %g, " ", t/1000 as %.3f. */
static void put_om_line(struct buf *out, const struct buf *prefix, double v, int64_t t)
{
	char ts[48];
	int n = snprintf(ts, sizeof(ts), " %.3f\n", (double)t / 1000); /* float64(ts)/1000, as Go */
	char *w;

	if (out->len + prefix->len + GO_FMT_G_MAX + sizeof(ts) + 1 > out->cap)
		buf_grow(out, prefix->len + GO_FMT_G_MAX + sizeof(ts));
	w = (char *)out->data + out->len;
	memcpy(w, prefix->data, prefix->len);
	w += prefix->len;
	w += go_fmt_g_to(w, v);
	memcpy(w, ts, (size_t)n);
	w += n;
	*w = '\0';
	out->len = (size_t)(w - (char *)out->data);
}

/* The metric name and CondensedString() of the other labels, then a space. */
static void om_prefix(struct buf *out, const struct label *ls, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(ls[i].name, "__name__"))
			buf_adds(out, ls[i].value);
	buf_addc(out, '{');
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(ls[i].name, "__name__"))
			continue;
		if (!first)
			buf_addc(out, ',');
		first = false;
		buf_adds(out, ls[i].name);
		buf_addc(out, '=');
		go_quote(out, ls[i].value, strlen(ls[i].value));
	}
	buf_adds(out, "} ");
}

/*
 * *hist counts the series whose samples stopped at a native histogram.
 * om: dump-openmetrics' lines.
 */
static int dump_set(struct tsdb_series_set *set, bool om, struct buf *out, size_t *hist, struct err *e)
{
	struct buf prefix = BUF_INIT;
	int r;

	while ((r = tsdb_series_set_next(set, e)) > 0) {
		size_t n;
		const struct label *ls = tsdb_series_set_labels(set, &n);
		int64_t t;
		double v;

		buf_reset(&prefix);
		if (om) {
			om_prefix(&prefix, ls, n);
		} else {
			labels_format(&prefix, ls, n);
			buf_addc(&prefix, ' ');
		}
		while ((r = tsdb_series_set_sample(set, &t, &v, e)) > 0) {
			if (om)
				put_om_line(out, &prefix, v, t);
			else
				put_line(out, &prefix, v, t);
			if (out->len >= OUT_FLUSH_AT && flush(out) < 0) {
				r = err_set(e, "write /dev/stdout: %s", strerror(errno));
				break;
			}
		}
		if (r < 0)
			break;
		*hist += tsdb_series_set_histograms(set);
	}
	buf_release(&prefix);
	return r;
}

static int dump(const struct cli_ctx *c, bool om)
{
	const char *path = cli_str(c, "db path");
	size_t nmatch = 0;
	const char *const *match = cli_list(c, "match", &nmatch);
	const char *def_match = "{__name__=~'(?s:.*)'}";
	int64_t mint, maxt;
	struct tsdb_db db;
	struct promql_expr **sels = NULL; /* parser.ParseMetricSelector of each --match */
	struct tsdb_series_set *set = NULL;
	struct err e = ERR_INIT;
	struct buf out = BUF_INIT;
	size_t hist = 0;
	int ret = 1;

	tsdb_db_init(&db);
	if (parse_i64(cli_str(c, "min-time"), &mint) < 0 || parse_i64(cli_str(c, "max-time"), &maxt) < 0) {
		err_set(&e, "invalid --min-time or --max-time");
		goto done;
	}
	if (!nmatch) {
		match = &def_match;
		nmatch = 1;
	}
	/* matchers are parsed after the db is opened in 2.42, so a bad
	 * directory is reported first */
	if (tsdb_db_open(&db, path ? path : "data/", maxt, &e) < 0) {
		print_skipped_blocks(db.skipped, db.nskipped);
		goto done;
	}
	print_skipped_blocks(db.skipped, db.nskipped);
	sels = xcalloc(nmatch, sizeof(*sels));
	for (size_t i = 0; i < nmatch; i++)
		if (promql_parse_metric_selector(&sels[i], match[i], strlen(match[i]), &e) < 0)
			goto done;
	buf_grow(&out, OUT_FLUSH_AT + 4096);
	if (nmatch == 1) {
		const struct promql_node *vs = promql_expr_root(sels[0]);
		if (tsdb_db_select(&db, vs->u.vector.matchers, vs->u.vector.nmatchers, mint, maxt, &set, &e) < 0 ||
		    dump_set(set, om, &out, &hist, &e) < 0)
			goto done;
	} else {
		const struct label_matcher **ms = calloc(nmatch, sizeof(*ms));
		size_t *ns = calloc(nmatch, sizeof(*ns));
		int r;
		if (!ms || !ns)
			abort();
		for (size_t i = 0; i < nmatch; i++) {
			ms[i] = promql_expr_root(sels[i])->u.vector.matchers;
			ns[i] = promql_expr_root(sels[i])->u.vector.nmatchers;
		}
		r = tsdb_db_select_union(&db, ms, ns, nmatch, mint, maxt, &set, &e);
		free(ms);
		free(ns);
		if (r < 0 || dump_set(set, om, &out, &hist, &e) < 0)
			goto done;
	}
	if (om)
		buf_adds(&out, "# EOF\n");
	if (flush(&out) < 0 || fflush(stdout) != 0) {
		err_set(&e, "write /dev/stdout: %s", strerror(errno));
		goto done;
	}
	if (hist && !om && compat_on(cli_compat(c), COMPAT_DUMP_HISTOGRAMS))
		/* 2.48+ print histogram samples (FloatHistogram.String()), which
		 * we do not reproduce; before 2.48 the dump stops there silently */
		fprintf(stderr, "tsdb dump: native histogram samples of %zu series not printed\n", hist);
	ret = 0;
done:
	if (ret) {
		flush(&out);
		fflush(stdout);
		fprintf(stderr, "%s\n", err_msg(&e));
	}
	tsdb_series_set_free(set);
	if (sels)
		for (size_t i = 0; i < nmatch; i++)
			promql_expr_free(sels[i]);
	free(sels);
	tsdb_db_release(&db);
	buf_release(&out);
	err_release(&e);
	return ret;
}

int cmd_tsdb_dump(const struct cli_ctx *c)
{
	return dump(c, false);
}

int cmd_tsdb_dump_openmetrics(const struct cli_ctx *c)
{
	return dump(c, true);
}
