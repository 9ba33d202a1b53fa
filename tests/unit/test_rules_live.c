/*
 * --semantics=prometheus against a real rule manager: testdata/rules-live
 * holds the data dir of a real Prometheus 2.42 that scraped itself with
 * rules.yml loaded (record.sh; meta.txt has the times).  The rules are
 * backfilled over that data and the same range (the rule file passed as
 * "rules.yml", the string the server loaded, so the evaluation offsets are
 * the server's), and every sample of every rule output, ALERTS and
 * ALERTS_FOR_STATE series is compared, bit for bit.
 *
 * Differences are counted by what explains them:
 *   raced a scrape      the evaluation ran within 1s after a scrape's
 *                       timestamp: the live server may not have had that
 *                       scrape's samples yet, the backfill has them
 *   float rounding      relative difference under 1e-9: 2.42 sums in Go
 *                       map order in nested aggregations
 *   before first write  the backfill wrote before the group's first live
 *                       sample (start-up: no data yet)
 *   not yet restored    ALERTS/ALERTS_FOR_STATE before the live server's
 *                       first ones of the group: after a start the live
 *                       manager writes them only from its third evaluation
 *                       (the backfill models the steady state)
 *   start-up staleness  a staleness marker of a series only the start-up
 *                       evaluations above wrote (e.g. a count of pending
 *                       ALERTS the live server never had)
 *   after last write    after the server's last evaluation (it stopped)
 * Anything else is unexplained and fails the test.
 *
 * With RULES_LIVE_OUT set, the blocks there (written by the CLI, see
 * tests/sh/rules_live_cli.sh) are compared instead of running the library.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "1-common/xalloc.h"
#include "3-tsdb/db_reader.h"
#include "5-query/local.h"
#include "6-rules/rulefmt.h"
#include "7-backfill/rules_live.h"
#include "tests/unit/check.h"


struct ser {
	char *key;   /* labels.String() */
	char *name;  /* __name__ */
	char *alert; /* alertname for ALERTS* */
	int64_t *t;
	double *v;
	size_t n;
};

struct dump {
	struct ser *s;
	size_t n, cap;
};

static int load(struct dump *d, const char *dir, const char *const *names, size_t nnames)
{
	struct tsdb_db db;
	struct tsdb_series_set *set = NULL;
	struct label_matcher m = { LABEL_MATCH_NOT_EQUAL, "__name__", "", 0, NULL };
	struct err e = ERR_INIT;
	int r;

	tsdb_db_init(&db);
	if (tsdb_db_open(&db, dir, INT64_MAX, &e) < 0 || tsdb_db_select(&db, &m, 1, INT64_MIN, INT64_MAX, &set, &e) < 0) {
		fprintf(stderr, "%s: %s\n", dir, err_msg(&e));
		err_release(&e);
		tsdb_db_release(&db);
		return -1;
	}
	while ((r = tsdb_series_set_next(set, &e)) > 0) {
		size_t nls, cap = 0;
		const struct label *ls = tsdb_series_set_labels(set, &nls);
		const char *name = labels_get(ls, nls, "__name__");
		struct buf k = BUF_INIT;
		struct ser *s;
		bool want = false;
		int64_t t;
		double v;

		for (size_t i = 0; i < nnames; i++)
			want |= name && !strcmp(name, names[i]);
		if (!want)
			continue;
		ALLOC_GROW(d->s, d->n + 1, d->cap);
		s = &d->s[d->n++];
		memset(s, 0, sizeof(*s));
		labels_format(&k, ls, nls);
		s->key = buf_detach(&k, NULL);
		s->name = xstrdup(name);
		s->alert = labels_get(ls, nls, "alertname") ? xstrdup(labels_get(ls, nls, "alertname")) : NULL;
		while ((r = tsdb_series_set_sample(set, &t, &v, &e)) > 0) {
			if (s->n == cap) {
				ALLOC_GROW(s->t, s->n + 1, cap);
				s->v = xreallocarray(s->v, cap, sizeof(*s->v));
			}
			s->t[s->n] = t;
			s->v[s->n++] = v;
		}
	}
	tsdb_series_set_free(set);
	tsdb_db_release(&db);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", dir, err_msg(&e));
		err_release(&e);
		return -1;
	}
	return 0;
}

static void dump_release(struct dump *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->s[i].key);
		free(d->s[i].name);
		free(d->s[i].alert);
		free(d->s[i].t);
		free(d->s[i].v);
	}
	free(d->s);
}

static const struct ser *find(const struct dump *d, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->s[i].key, key))
			return &d->s[i];
	return NULL;
}

static bool has_sample(const struct ser *s, int64_t t, double *v)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (s->t[i] == t) {
			*v = s->v[i];
			return true;
		}
	return false;
}

struct report {
	size_t match[4]; /* recorded, ALERTS, ALERTS_FOR_STATE, staleness markers */
	size_t raced, rounding, before, restore, startup_stale, after, unexplained;
};

static int kind(const struct ser *s, double v)
{
	if (double_bits(v) == double_bits(prom_stale_nan()))
		return 3;
	if (!strcmp(s->name, "ALERTS"))
		return 1;
	if (!strcmp(s->name, "ALERTS_FOR_STATE"))
		return 2;
	return 0;
}

/* The group (index) that writes a series. */
static size_t group_of(const struct rulefmt_file *f, const struct ser *s)
{
	for (size_t g = 0; g < f->ngroups; g++)
		for (size_t r = 0; r < f->groups[g].nrules; r++) {
			const struct rulefmt_rule *rr = &f->groups[g].rules[r];
			if (*rr->alert ? (s->alert && !strcmp(rr->alert, s->alert)) : !strcmp(rr->record, s->name))
				return g;
		}
	return SIZE_MAX;
}

/* The scrape timestamps of every target (the `up` series), sorted. */
static size_t scrape_times(const struct dump *up, int64_t **out)
{
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < up->n; i++) {
		*out = xreallocarray(*out, n + up->s[i].n + 1, sizeof(**out));
		memcpy(*out + n, up->s[i].t, up->s[i].n * sizeof(**out));
		n += up->s[i].n;
	}
	return n;
}

static bool raced(const int64_t *scrapes, size_t n, int64_t t)
{
	for (size_t i = 0; i < n; i++)
		if (scrapes[i] <= t && scrapes[i] > t - 1000)
			return true;
	return false;
}

static void test_against_live_server(void)
{
	const char *out = getenv("RULES_LIVE_OUT");
	char tmpl[] = "/tmp/rules-live-XXXXXX", *tmp = NULL, *outdir = NULL;
	struct rulefmt_file *f = NULL;
	struct rulefmt_errors errs;
	const char **names = NULL;
	size_t nnames = 0, ncap = 0;
	struct dump live = { 0 }, ours = { 0 }, up = { 0 };
	struct report rep;
	int64_t start = 0, end = 0, *first = NULL, *last = NULL, *first_alert = NULL, *scr = NULL;
	size_t nscr = 0;
	FILE *meta;
	char line[256];

	memset(&rep, 0, sizeof(rep));
	CHECK_EQ_I(chdir("testdata/rules-live"), 0);
	meta = fopen("meta.txt", "r");
	CHECK(meta != NULL);
	if (!meta)
		return;
	while (fgets(line, sizeof(line), meta)) {
		if (!strncmp(line, "start=", 6))
			start = atoll(line + 6);
		if (!strncmp(line, "end=", 4))
			end = atoll(line + 4);
	}
	fclose(meta);
	rulefmt_errors_init(&errs);
	CHECK_EQ_I(rulefmt_load_file(&f, "rules.yml", &errs), 0);
	rulefmt_errors_release(&errs);
	if (!f)
		return;
	for (size_t g = 0; g < f->ngroups; g++)
		for (size_t r = 0; r < f->groups[g].nrules; r++)
			if (!*f->groups[g].rules[r].alert) {
				ALLOC_GROW(names, nnames + 1, ncap);
				names[nnames++] = f->groups[g].rules[r].record;
			}
	ALLOC_GROW(names, nnames + 2, ncap);
	names[nnames++] = "ALERTS";
	names[nnames++] = "ALERTS_FOR_STATE";

	if (out) {
		outdir = xstrdup(out);
	} else {
		/* the backfill through the library, as the CLI runs it */
		struct tsdb_db db;
		struct promql_storage st;
		struct rl_group *groups = xcalloc(f->ngroups, sizeof(*groups));
		struct rl_config cfg;
		struct err e = ERR_INIT;
		char **berrs = NULL;
		size_t nb;

		tmp = mkdtemp(tmpl);
		CHECK(tmp != NULL);
		outdir = xasprintf("%s/out", tmp);
		tsdb_db_init(&db);
		CHECK_EQ_I(tsdb_db_open(&db, "data", INT64_MAX, &e), 0);
		st = promql_tsdb_storage(&db);
		for (size_t g = 0; g < f->ngroups; g++)
			groups[g] = (struct rl_group){ "rules.yml", &f->groups[g] };
		memset(&cfg, 0, sizeof(cfg));
		cfg.output_dir = outdir;
		cfg.start_ns = start * 1000000000;
		cfg.end_ns = end * 1000000000;
		cfg.eval_interval_ns = 15000000000LL;
		cfg.external_url = "http://127.0.0.1/";
		nb = rules_backfill_live_run(&cfg, groups, f->ngroups, &st, db.nblocks > 0, NULL, stderr, &berrs);
		CHECK_EQ_I(nb, 0);
		for (size_t i = 0; i < nb; i++) {
			fprintf(stderr, "backfill: %s\n", berrs[i]);
			free(berrs[i]);
		}
		free(berrs);
		free(groups);
		tsdb_db_release(&db);
		err_release(&e);
	}
	{
		static const char *const upname[] = { "up" };
		CHECK_EQ_I(load(&live, "data", names, nnames), 0);
		CHECK_EQ_I(load(&ours, outdir, names, nnames), 0);
		CHECK_EQ_I(load(&up, "data", upname, 1), 0);
	}
	nscr = scrape_times(&up, &scr);
	CHECK(nscr > 0);
	/* each group's first and last live write */
	first = xcalloc(f->ngroups, sizeof(*first));
	first_alert = xcalloc(f->ngroups, sizeof(*first_alert));
	last = xcalloc(f->ngroups, sizeof(*last));
	for (size_t g = 0; g < f->ngroups; g++) {
		first[g] = first_alert[g] = INT64_MAX;
		last[g] = INT64_MIN;
	}
	for (size_t i = 0; i < live.n; i++) {
		size_t g = group_of(f, &live.s[i]);
		if (g == SIZE_MAX || !live.s[i].n)
			continue;
		if (live.s[i].t[0] < first[g])
			first[g] = live.s[i].t[0];
		if (live.s[i].alert && live.s[i].t[0] < first_alert[g])
			first_alert[g] = live.s[i].t[0];
		if (live.s[i].t[live.s[i].n - 1] > last[g])
			last[g] = live.s[i].t[live.s[i].n - 1];
	}
	/* every live sample */
	for (size_t i = 0; i < live.n; i++) {
		const struct ser *l = &live.s[i], *o = find(&ours, l->key);
		for (size_t k = 0; k < l->n; k++) {
			double v;
			if (!has_sample(o, l->t[k], &v)) {
				if (raced(scr, nscr, l->t[k]))
					rep.raced++;
				else {
					rep.unexplained++;
					fprintf(stderr, "live only: %s %lld %g\n", l->key, (long long)l->t[k], l->v[k]);
				}
			} else if (double_bits(v) == double_bits(l->v[k]) || (isnan(v) && isnan(l->v[k]) &&
					kind(l, v) != 3 && kind(l, l->v[k]) != 3)) {
				rep.match[kind(l, l->v[k])]++;
			} else if (isfinite(v) && isfinite(l->v[k]) &&
				   fabs(v - l->v[k]) <= 1e-9 * fmax(fabs(v), fabs(l->v[k]))) {
				rep.rounding++;
			} else if (raced(scr, nscr, l->t[k])) {
				rep.raced++;
			} else {
				rep.unexplained++;
				fprintf(stderr, "differs: %s %lld live %.17g ours %.17g\n", l->key, (long long)l->t[k],
					l->v[k], v);
			}
		}
	}
	/* every backfilled sample the server did not write */
	for (size_t i = 0; i < ours.n; i++) {
		const struct ser *o = &ours.s[i], *l = find(&live, o->key);
		size_t g = group_of(f, o);
		bool startup_only = !l && g != SIZE_MAX;
		for (size_t k = 0; startup_only && k < o->n; k++)
			if (kind(o, o->v[k]) != 3 && o->t[k] >= first[g])
				startup_only = false;
		for (size_t k = 0; k < o->n; k++) {
			double v;
			if (has_sample(l, o->t[k], &v))
				continue;
			if (g != SIZE_MAX && o->alert && o->t[k] < first_alert[g] && o->t[k] >= first[g])
				rep.restore++;
			else if (g != SIZE_MAX && o->t[k] < first[g])
				rep.before++;
			else if (startup_only && kind(o, o->v[k]) == 3)
				rep.startup_stale++;
			else if (g != SIZE_MAX && o->t[k] > last[g])
				rep.after++;
			else if (raced(scr, nscr, o->t[k]))
				rep.raced++;
			else {
				rep.unexplained++;
				fprintf(stderr, "backfill only: %s %lld %g\n", o->key, (long long)o->t[k], o->v[k]);
			}
		}
	}
	printf("rules_live: live %lld..%lld: identical %zu (recorded %zu, ALERTS %zu, ALERTS_FOR_STATE %zu, staleness "
	       "markers %zu); raced a scrape %zu; float rounding %zu; start-up: before the first live write %zu, "
	       "alerts not yet restored %zu, staleness of start-up series %zu; after the last %zu; unexplained %zu\n",
	       (long long)start, (long long)end, rep.match[0] + rep.match[1] + rep.match[2] + rep.match[3],
	       rep.match[0], rep.match[1], rep.match[2], rep.match[3], rep.raced, rep.rounding, rep.before,
	       rep.restore, rep.startup_stale, rep.after, rep.unexplained);
	CHECK_EQ_I(rep.unexplained, 0);
	/* the comparison has teeth: every kind of sample was seen matching */
	for (int k = 0; k < 4; k++)
		CHECK(rep.match[k] > 0);
	if (tmp) {
		char *cmd = xasprintf("rm -rf '%s'", tmp);
		CHECK_EQ_I(system(cmd), 0);
		free(cmd);
	}
	free(outdir);
	free(scr);
	free(first);
	free(first_alert);
	free(last);
	free(names);
	dump_release(&live);
	dump_release(&ours);
	dump_release(&up);
	rulefmt_file_free(f);
}

int main(void)
{
	RUN(test_against_live_server);
	return check_done();
}
