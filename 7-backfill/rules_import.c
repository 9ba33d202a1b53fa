/*
 * The rule importer, as cmd/promtool/rules.go (2.42) runs it:
 *
 *   for each group ("processing group", name = "<file>;<group>"),
 *     for each rule ("processing rule", id = index in the group),
 *       for each block window [k*D, (k+1)*D - 1] ms touching [start, end]:
 *         query from the group's first evaluation slot at or after the
 *         window start (whole seconds) to min(window end, end) (whole
 *         seconds), step = group interval;
 *         write one block of the results, labelled
 *           result metric, then the rule's labels, then __name__ = rule name
 *         (an empty value deletes the label, as labels.Builder does),
 *         committing every 5000 samples (maxSamplesInMemory).
 *
 * Alerting rules go through the same path: promtool 2.42 backfills an
 * alert's expression under the alert's name with the alert's labels.
 *
 * A rule's error ends that rule (later windows are not tried) and is
 * reported after all groups, as importAll collects them.  Groups run in
 * the order the files and groups were given; promtool iterates a Go map,
 * so its order varies from run to run -- the blocks written do not depend
 * on it.
 */
#include "7-backfill/rules_import.h"

#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/err.h"
#include "1-common/fileutil.h"
#include "1-common/xalloc.h"
#include "3-tsdb/block_writer.h"

enum { MAX_SAMPLES_IN_MEMORY = 5000 };

static const int64_t DEFAULT_BLOCK_MS = 2 * 3600 * 1000;

int64_t rules_backfill_block_duration(int64_t max_ms)
{
	int64_t ranges[10], d = DEFAULT_BLOCK_MS;
	int idx = 9;

	if (max_ms <= DEFAULT_BLOCK_MS)
		return DEFAULT_BLOCK_MS;
	/* tsdb.ExponentialBlockRanges(2h, 10, 3) */
	for (int i = 0; i < 10; i++, d *= 3)
		ranges[i] = d;
	for (int i = 0; i < 10; i++)
		if (ranges[i] > max_ms) {
			idx = i - 1;
			break;
		}
	return ranges[idx];
}

int64_t rules_backfill_eval_timestamp(const char *file, const char *name, int64_t interval_ns, int64_t t_ns)
{
	/* Group.hash(): labels {file, name} in sorted order */
	struct label ls[2] = { { "file", file }, { "name", name } };
	uint64_t h = labels_hash(ls, 2);
	int64_t offset = (int64_t)(h % (uint64_t)interval_ns);
	int64_t adj = t_ns - offset;
	int64_t base = adj - adj % interval_ns;
	return base + offset;
}

void rules_backfill_logfmt_value(struct buf *out, const char *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v);
	int quote = 0;

	/* go-logfmt: quote when a rune is <= ' ', '=', '"' or invalid UTF-8 */
	for (size_t i = 0; i < n && !quote; i++)
		if (s[i] <= ' ' || s[i] == '=' || s[i] == '"' || s[i] >= 0x80)
			quote = 1;
	if (quote) {
		/* a valid non-ASCII text alone does not need quotes */
		int need = 0;
		for (size_t i = 0; i < n && !need;) {
			if (s[i] < 0x80) {
				need = s[i] <= ' ' || s[i] == '=' || s[i] == '"';
				i++;
			} else {
				size_t len = s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : s[i] >= 0xC0 ? 2 : 0;
				size_t k;
				if (!len || i + len > n || s[i] < 0xC2 || s[i] > 0xF4) {
					need = 1;
					break;
				}
				for (k = 1; k < len; k++)
					if ((s[i + k] & 0xC0) != 0x80)
						need = 1;
				i += len;
			}
		}
		quote = need;
	}
	if (!quote) {
		buf_add(out, v, n);
		return;
	}
	buf_addc(out, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c == '\\' || c == '"') {
				buf_addc(out, '\\');
				buf_addc(out, c);
			} else if (c == '\n') {
				buf_adds(out, "\\n");
			} else if (c == '\r') {
				buf_adds(out, "\\r");
			} else if (c == '\t') {
				buf_adds(out, "\\t");
			} else if (c < 0x20) {
				buf_adds(out, "\\u00");
				buf_addc(out, (unsigned char)hex[c >> 4]);
				buf_addc(out, (unsigned char)hex[c & 15]);
			} else {
				buf_addc(out, c);
			}
			i++;
			continue;
		}
		{
			size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0, k;
			int ok = len && i + len <= n && c >= 0xC2 && c <= 0xF4;
			for (k = 1; ok && k < len; k++)
				if ((s[i + k] & 0xC0) != 0x80)
					ok = 0;
			if (!ok) {
				buf_adds(out, "\\ufffd");
				i++;
			} else {
				buf_add(out, s + i, len);
				i += len;
			}
		}
	}
	buf_addc(out, '"');
}

/* One go-kit logfmt line: level=<level> then key/value pairs. */
static void log_line(FILE *log, const char *level, const char *const *kv, size_t n)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "level=%s", level);
	for (size_t i = 0; i + 1 < n; i += 2) {
		buf_addf(&b, " %s=", kv[i]);
		rules_backfill_logfmt_value(&b, kv[i + 1]);
	}
	buf_addc(&b, '\n');
	fwrite(b.data, 1, b.len, log);
	fflush(log);
	buf_release(&b);
}

/* State of one window's import: the sink the query source feeds. */
struct window {
	const struct rb_rule *rule;
	const struct rb_config *cfg;
	FILE *log;
	int64_t block_ms;
	struct block_writer *w;
	int failed_here;  /* the error was set by a callback, not the source */
	size_t pending;   /* samples since the last commit */
	struct labels lb;
};

/* labels.Builder.Set: an empty value deletes. */
static void builder_set(struct labels *lb, const char *name, const char *value)
{
	if (!*value)
		labels_del(lb, name);
	else
		labels_set_copy(lb, name, value);
}

static int on_begin(void *arg, const char *type, const char *const *warnings, size_t nwarnings, struct err *e)
{
	struct window *win = arg;
	(void)nwarnings;

	win->failed_here = 1;
	if (warnings) {
		/* go-kit cannot encode v1.Warnings ([]string) and says so */
		static const char *const kv[] = { "msg", "Range query returned warnings.", "warnings",
						  "unsupported value type" };
		log_line(win->log, "warn", kv, 4);
	}
	/* twice the block size: see rules.go, the writer must accept the whole window */
	if (block_writer_new(&win->w, win->cfg->output_dir, 2 * win->block_ms, e) < 0)
		return err_wrap(e, "new block writer");
	if (strcmp(type, "matrix"))
		return err_set(e, "rule result is wrong type %s", type);
	win->failed_here = 0;
	return 0;
}

static int commit(struct window *win, struct err *e)
{
	if (!win->pending)
		return 0;
	if (block_writer_commit(win->w, e) < 0)
		return err_wrap(e, "multiappender commit");
	win->pending = 0;
	return 0;
}

static int on_series(void *arg, const struct query_series *s, struct err *e)
{
	struct window *win = arg;
	const struct rb_rule *r = win->rule;

	win->failed_here = 1;
	labels_reset(&win->lb);
	for (size_t i = 0; i < s->nlabels; i++)
		builder_set(&win->lb, s->labels[i].name, s->labels[i].value);
	for (size_t i = 0; i < r->nlabels; i++)
		builder_set(&win->lb, r->labels[i].name, r->labels[i].value);
	builder_set(&win->lb, "__name__", r->name);
	labels_sort(&win->lb);
	/*
	 * 2.42 appends with the label set every time; the head finds the same
	 * series each time, so once the first append has resolved it, later
	 * samples go by reference and skip hashing the labels again.
	 */
	uint32_t ref = UINT32_MAX;
	for (size_t i = 0; i < s->n; i++) {
		int rc = ref == UINT32_MAX
				 ? block_writer_append_get_ref(win->w, win->lb.v, win->lb.n, s->t[i], s->v[i], &ref, e)
				 : block_writer_append_ref(win->w, ref, s->t[i], s->v[i], e);
		if (rc < 0) {
			err_wrap(e, "multiappender append");
			return err_wrap(e, "add");
		}
		if (++win->pending >= MAX_SAMPLES_IN_MEMORY && commit(win, e) < 0)
			return err_wrap(e, "add");
	}
	win->failed_here = 0;
	return 0;
}

static int64_t unix_sec(int64_t ns)
{
	int64_t s = ns / 1000000000;
	if (ns % 1000000000 < 0)
		s--;
	return s;
}

static int import_rule(const struct rb_config *cfg, const struct rb_group *g, const struct rb_rule *rule,
		       struct query_source *src, FILE *log, struct err *e)
{
	int64_t block_ms = rules_backfill_block_duration(cfg->max_block_duration_ms);
	int64_t start_ms = cfg->start.sec * 1000, end_ms = cfg->end.sec * 1000;
	struct window win;
	int rc = 0;

	memset(&win, 0, sizeof(win));
	win.rule = rule;
	win.cfg = cfg;
	win.log = log;
	win.block_ms = block_ms;
	labels_init(&win.lb);

	for (int64_t sob = block_ms * (start_ms / block_ms); sob <= end_ms; sob += block_ms) {
		int64_t eob = sob + block_ms - 1;
		int64_t cur = sob / 1000 > cfg->start.sec ? sob / 1000 : cfg->start.sec;
		int64_t aligned = rules_backfill_eval_timestamp(g->file, g->name, g->interval_ns, cur * 1000000000);
		int64_t end_s = eob / 1000 < cfg->end.sec ? eob / 1000 : cfg->end.sec;
		struct query_sink sink = { &win, on_begin, on_series };
		int flushed;
		struct block_meta meta;

		while (unix_sec(aligned) < cur)
			aligned += g->interval_ns;
		if (end_s * 1000000000 < aligned)
			break;
		win.failed_here = 0;
		win.pending = 0;
		if (query_source_range(src, rule->expr, aligned, end_s * 1000000000, g->interval_ns, &sink, e) < 0) {
			if (!win.failed_here)
				err_wrap(e, "query range");
			rc = -1;
			goto done;
		}
		if (commit(&win, e) < 0) {
			err_wrap(e, "flush and commit");
			rc = -1;
			goto done;
		}
		/* os.MkdirAll, as compactor.Write creates the destination on flush */
		if (go_mkdir_all(cfg->output_dir, 0777, e) < 0) {
			err_wrap(e, "compactor write");
			err_wrap(e, "multiappender flush");
			err_wrap(e, "flush and commit");
			rc = -1;
			goto done;
		}
		memset(&meta, 0, sizeof(meta));
		flushed = block_writer_flush(win.w, &meta, e);
		if (flushed < 0) {
			err_wrap(e, "multiappender flush");
			err_wrap(e, "flush and commit");
			rc = -1;
			goto done;
		}
		if (flushed == 0)
			block_meta_release(&meta);
		block_writer_free(win.w);
		win.w = NULL;
	}
done:
	block_writer_free(win.w);
	labels_release(&win.lb);
	return rc;
}

size_t rules_backfill_run(const struct rb_config *cfg, const struct rb_group *groups, size_t ngroups,
			  struct query_source *src, FILE *log, char ***errs)
{
	size_t nerrs = 0, cap = 0;
	char **seen = NULL;
	size_t nseen = 0, seen_cap = 0;

	*errs = NULL;
	for (size_t gi = 0; gi < ngroups; gi++) {
		const struct rb_group *g = &groups[gi];
		char *key = xasprintf("%s;%s", g->file, g->name);
		int dup = 0;
		/* rules.GroupKey collisions collapse into one map entry */
		for (size_t k = 0; k < nseen; k++)
			if (!strcmp(seen[k], key))
				dup = 1;
		if (dup) {
			free(key);
			continue;
		}
		ALLOC_GROW(seen, nseen + 1, seen_cap);
		seen[nseen++] = key;
		{
			const char *kv[] = { "backfiller", "processing group", "name", key };
			log_line(log, "info", kv, 4);
		}
		for (size_t ri = 0; ri < g->nrules; ri++) {
			const struct rb_rule *r = &g->rules[ri];
			struct err e = ERR_INIT;
			char id[32];
			snprintf(id, sizeof(id), "%zu", ri);
			{
				const char *kv[] = { "backfiller", "processing rule", "id", id, "name", r->name };
				log_line(log, "info", kv, 6);
			}
			if (import_rule(cfg, g, r, src, log, &e) < 0) {
				ALLOC_GROW(*errs, nerrs + 1, cap);
				(*errs)[nerrs++] = xstrdup(err_msg(&e));
			}
			err_release(&e);
		}
	}
	for (size_t k = 0; k < nseen; k++)
		free(seen[k]);
	free(seen);
	return nerrs;
}

void rules_backfill_log_start(const struct rb_config *cfg, FILE *log)
{
	struct buf s = BUF_INIT, e = BUF_INIT;
	const char *kv[6];

	/* newRuleImporter: times as time.RFC822 in their own zone */
	go_fmt_rfc822(&s, &cfg->start);
	go_fmt_rfc822(&e, &cfg->end);
	kv[0] = "backfiller";
	kv[1] = "new rule importer";
	kv[2] = "start";
	kv[3] = buf_str(&s);
	kv[4] = "end";
	kv[5] = buf_str(&e);
	log_line(log, "info", kv, 6);
	buf_release(&s);
	buf_release(&e);
}
