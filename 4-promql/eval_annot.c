/*
 * The texts of the annotations the evaluator raises (eval_annot.h), as
 * util/annotations/annotations.go words them at the release evaluated,
 * without the position suffix (Error() before SetQuery):
 *
 *   NewInvalidQuantileWarning       "quantile value should be between 0 and 1, got %g"
 *   NewInvalidRatioWarning          (limit_ratio, 2.54) "ratio value should be between -1 and 1,
 *                                   got %g, capping to %g"
 *   NewBadBucketLabelWarning        "bucket label \"le\" is missing or has a malformed value of %q"
 *                                   + " for metric name %q" (3.7: only for a non-empty name)
 *   NewHistogramQuantileForcedMonotonicityInfo
 *                                   "input to histogram_quantile needed to be fixed for monotonicity
 *                                   (see ...#histogram_quantile)" + the same name suffix
 *                                   (2.48: "(and may give inaccurate results)")
 *   NewPossibleNonCounterInfo       (2.50) "metric might not be a counter, name does not end in
 *                                   _total/_sum/_count/_bucket: %q"
 *   NewSortInRangeQueryWarning      (3.12) "sort is ineffective for range queries since results
 *                                   are always ordered by labels"
 *   NewStartTimeOverlapWarning      (3.14) "sample has start time that overlaps with previous
 *                                   sample timestamp for metric %q"
 *
 * each after "PromQL warning: " or "PromQL info: ".
 */
#include <math.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/gofmt.h"
#include "2-model/labels.h"
#include "4-promql/eval_annot.h"
#include "4-promql/functions.h"

static void add(struct evaluator *ev, enum promql_annotation_kind kind, struct buf *b)
{
	promql_annotations_add(ev->annots, kind, buf_str(b), b->len);
	buf_release(b);
}

static const char *name_of(struct lset ls)
{
	const char *v = lset_get(ls, "__name__");
	return v ? v : "";
}

/*
 * " for metric name %q": up to 3.6 always, with the series' name; from 3.7
 * (maybeAddMetricName) only for a non-empty name, which histogram_quantile
 * passes only when delayed name removal keeps it (functions.go, #16794).
 */
static void name_suffix(struct evaluator *ev, struct buf *b, struct lset ls)
{
	const char *name = name_of(ls);

	if (compat_on(ev->compat, COMPAT_PROMQL_ANNOT_NAME_OPTIONAL)) {
		if (!ev->delayed_names || !*name)
			return;
	}
	buf_adds(b, " for metric name ");
	go_quote(b, name, strlen(name));
}

void ev_annot_quantile_at(struct evaluator *ev, double q)
{
	struct buf b = BUF_INIT;

	if (!(isnan(q) || q < 0 || q > 1))
		return;
	buf_adds(&b, "PromQL warning: quantile value should be between 0 and 1, got ");
	go_fmt_g(&b, q);
	add(ev, PROMQL_ANNOT_WARNING, &b);
}

/* engine.go aggregation() at v3.5.0 and v3.14.0, LIMIT_RATIO: checked at
 * each step here, over the steps' maximum and minimum upstream. */
void ev_annot_ratio_at(struct evaluator *ev, double r)
{
	struct buf b = BUF_INIT;

	if (!(r > 1 || r < -1))
		return;
	buf_adds(&b, "PromQL warning: ratio value should be between -1 and 1, got ");
	go_fmt_g(&b, r);
	buf_adds(&b, r > 1 ? ", capping to 1" : ", capping to -1");
	add(ev, PROMQL_ANNOT_WARNING, &b);
}

void ev_annot_bad_bucket_at(struct evaluator *ev, struct lset ls)
{
	struct buf b = BUF_INIT;
	const char *le = lset_get(ls, "le");

	if (!le)
		le = "";
	buf_adds(&b, "PromQL warning: bucket label \"le\" is missing or has a malformed value of ");
	go_quote(&b, le, strlen(le));
	name_suffix(ev, &b, ls);
	add(ev, PROMQL_ANNOT_WARNING, &b);
}

void ev_annot_monotonic_at(struct evaluator *ev, struct lset ls)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "PromQL info: input to histogram_quantile needed to be fixed for monotonicity ");
	/* 2.48 words it otherwise (feaa93da77; the link from 2.49) */
	buf_adds(&b, compat_on(ev->compat, COMPAT_PROMQL_ANNOT_MONO_SEE_DOCS)
			     ? "(see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)"
			     : "(and may give inaccurate results)");
	name_suffix(ev, &b, ls);
	add(ev, PROMQL_ANNOT_INFO, &b);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

/*
 * engine.go's rangeEval of rate() and increase(): a named input series that
 * gave at least one float value, whose name has none of the counter
 * suffixes.  (With the type-and-unit-labels feature, which neither
 * promtool nor the test engine enables, __type__ would decide instead.)
 */
void ev_annot_counter_at(struct evaluator *ev, const struct promql_node *call, struct lset in)
{
	enum promql_func_id id = call->u.call.func->id;
	const char *name = name_of(in);
	struct buf b = BUF_INIT;

	/* 2.48 and 2.49 raise none (80e977aae6, back in 2.50 with 72a8f1084b) */
	if ((id != PROMQL_FN_RATE && id != PROMQL_FN_INCREASE) || !*name ||
	    !compat_on(ev->compat, COMPAT_PROMQL_ANNOT_NON_COUNTER))
		return;
	if (has_suffix(name, "_total") || has_suffix(name, "_sum") || has_suffix(name, "_count") ||
	    has_suffix(name, "_bucket"))
		return;
	buf_adds(&b, "PromQL info: metric might not be a counter, name does not end in "
		     "_total/_sum/_count/_bucket: ");
	go_quote(&b, name, strlen(name));
	add(ev, PROMQL_ANNOT_INFO, &b);
}

/* 3.12 (#16628): when the evaluator's start and end differ, which is a
 * range query's and, inside one, a subquery's. */
void ev_annot_sort_at(struct evaluator *ev)
{
	struct buf b = BUF_INIT;

	if (!compat_on(ev->compat, COMPAT_PROMQL_ANNOT_SORT_IN_RANGE))
		return;
	if (ev->query_start == ev->query_end && !ev->subq_depth)
		return;
	buf_adds(&b, "PromQL warning: sort is ineffective for range queries since results are always "
		     "ordered by labels");
	add(ev, PROMQL_ANNOT_WARNING, &b);
}

/* functions.go funcQuantileOverTime: for each series with float samples,
 * which is each series it gives a value for. */
void ev_annot_range_call_at(struct evaluator *ev, const struct promql_node *call, double arg,
			    const struct ev_value *out)
{
	if (call->u.call.func->id == PROMQL_FN_QUANTILE_OVER_TIME && out->vec.n)
		ev_annot_quantile_at(ev, arg);
}

/*
 * functions.go extrapolatedRate at v3.14.0 (3fc3ee178d), rate and increase
 * over float samples with start timestamps: checkStartTimeOverlap, a
 * sample whose (known) start lies before the previous sample's time and is
 * not that one's start.  Once per series and window; the count upstream
 * adds is only part of the text once the query is set.
 */
void ev_annot_st_overlap_at(struct evaluator *ev, const struct promql_node *call, const struct ev_mseries *s)
{
	enum promql_func_id id = call->u.call.func->id;
	const char *name = name_of(s->ls);
	struct buf b = BUF_INIT;
	size_t i;

	if ((id != PROMQL_FN_RATE && id != PROMQL_FN_INCREASE) || !s->st ||
	    !compat_on(ev->compat, COMPAT_PROMQL_ANNOT_ST_OVERLAP))
		return;
	for (i = 0; i + 1 < s->n; i++)
		if (s->st[i + 1] != 0 && s->st[i + 1] < s->p[i].t && s->st[i + 1] != s->st[i])
			break;
	if (i + 1 >= s->n)
		return;
	buf_adds(&b, "PromQL warning: sample has start time that overlaps with previous sample timestamp for metric ");
	go_quote(&b, name, strlen(name));
	add(ev, PROMQL_ANNOT_WARNING, &b);
}
