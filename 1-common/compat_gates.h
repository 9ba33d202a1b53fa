/*
 * Every behaviour that differs between the promtool releases we can imitate
 * (--compat=VERSION), one row each: the gate's name, the first release that
 * has it, and what changes.  A gate is on for that release and every later
 * one.  Rows come from ../shared/notes/version-differences.md, each checked
 * against upstream's source at the tag named; the comment after a row says
 * where.  Adding a release is adding its rows here and its number to
 * COMPAT_RELEASES below.
 *
 * X(NAME, major, minor, patch, "what changes")
 */
#ifndef COMMON_COMPAT_GATES_H
#define COMMON_COMPAT_GATES_H

/* clang-format off */
#define COMPAT_GATES(X) \
	/* ---- block bytes and importers (3-tsdb, 7-backfill) ---- */ \
	X(OFFSET_HASH_LABELS_LEN, 2, 44, 0, "group offset hash over length-prefixed labels (stringlabels builds)") \
	X(OFFSET_HASH_LEN_255, 3, 5, 0, "those lengths are one byte below 255, else 0xff and 3 bytes (was a uvarint)") \
	X(BSTREAM_NO_QUIRK_BYTE, 3, 0, 0, "XOR chunks lose the trailing 0x00 of a byte-aligned writeByte") \
	X(CHUNK_CUT_1005_BYTES, 2, 47, 0, "a chunk is also cut when it is over 1005 bytes") \
	X(CHUNK_CUT_SIZE_AFTER_ORDER, 2, 48, 0, "the size cut comes after the order check, never on a new chunk") \
	X(CHUNK_END_TIME_FLOAT, 2, 47, 0, "chunk end time estimated in floating point") \
	X(INDEX_NO_LABEL_INDICES, 3, 7, 0, "the index has no label-indices section or label offset table") \
	X(META_NUM_FLOAT_SAMPLES, 3, 6, 0, "meta.json stats count numFloatSamples") \
	X(LOG_SLOG, 3, 0, 0, "logs in slog's logfmt: msg=... component=...") \
	X(OM_NO_EMPTY_BLOCKS, 2, 54, 0, "create-blocks-from openmetrics does not print empty blocks") \
	X(OM_LABEL_FLAG, 2, 55, 0, "create-blocks-from openmetrics --label k=v") \
	X(OM_PIPE_INPUT, 3, 3, 0, "create-blocks-from openmetrics reads a pipe") \
	X(RULES_HTTP_CONFIG, 2, 43, 0, "create-blocks-from rules --http.config.file") \
	X(DUMP_HISTOGRAMS, 2, 48, 0, "tsdb dump prints native histogram samples (not reproduced: counted on stderr)") \
	/* ---- rule files (6-rules) ---- */ \
	X(RULEFMT_QUERY_OFFSET, 2, 53, 0, "rule groups accept query_offset") \
	X(RULEFMT_GROUP_LABELS, 3, 0, 0, "rule groups accept labels, merged into each rule") \
	X(UTF8_NAMES, 3, 0, 0, "metric and label names may be any UTF-8, quoted where not legacy") \
	X(RULEFMT_NO_NAME_BOTH_POS, 2, 48, 0, "a rule with neither record nor alert is blamed on both their positions") \
	X(RULEFMT_RECORD_BRACES, 3, 2, 0, "a recording rule name with { or } is an error") \
	X(RULEFMT_TYPED_NODES, 3, 3, 0, "rules decode into typed structs: string record/alert/expr, group positions 0:0") \
	X(RULEFMT_NODE_TYPES_EXPORTED, 3, 4, 0, "yaml messages name rulefmt.RuleGroupNode/RuleNode, not ruleGroupNode/ruleNode") \
	X(CHECK_RULES_STDIN, 2, 46, 0, "check rules reads standard input when given no file") \
	X(CHECK_RULES_IGNORE_UNKNOWN, 3, 2, 0, "check rules --ignore-unknown-fields; unknown --lint items quoted") \
	/* ---- the command line (8-promtool: kingpin's help and messages) ---- */ \
	X(CLI_KINGPIN_2_3, 2, 43, 0, "kingpin v2.3: --[no-]bool in help, a blank line after the usage, new completion scripts") \
	X(CLI_KINGPIN_2_4, 2, 49, 0, "kingpin v2.4: required flag(s) '--x' not provided; zsh completion from words[2]") \
	/* ---- the printer (Expr.String, the query sent by the backfill) ---- */ \
	X(PRINT_PLAIN_NUMBERS, 3, 3, 0, "number literals print as plain decimals (FormatFloat 'f', -1)") \
	X(PRINT_DURATION_LITERALS, 3, 4, 0, "a number written as a duration prints as a duration") \
	X(PRINT_EMPTY_IGNORING_KEPT, 3, 9, 0, "an empty ignoring() before group_left/right is printed") \
	X(PRINT_EMPTY_NAME_MATCHER, 2, 53, 0, "a __name__=\"\" matcher is printed, not taken for the empty name") \
	X(PRINT_QUOTE_ESCAPED, 3, 3, 0, "non-legacy grouping labels are quoted with strconv.Quote, not raw") \
	X(PRINT_QUOTE_COLON, 3, 10, 0, "grouping labels with a colon are quoted (legacy label, not metric, names)") \
	/* ---- PromQL annotations (4-promql/eval_annot.c; only for callers that ask) ---- */ \
	X(PROMQL_ANNOTATIONS, 2, 48, 0, "the evaluator reports warning and info annotations (util/annotations)") \
	X(PROMQL_ANNOT_MONO_SEE_DOCS, 2, 49, 0, "the forced-monotonicity info points to the docs, not \"(and may give inaccurate results)\"") \
	X(PROMQL_ANNOT_NON_COUNTER, 2, 50, 0, "rate and increase of a name without a counter suffix give an info (2.48-2.49 had none)") \
	X(PROMQL_ANNOT_NAME_OPTIONAL, 3, 7, 0, "histogram_quantile's annotations name no metric when the name is empty or not kept") \
	X(PROMQL_ANNOT_SORT_IN_RANGE, 3, 12, 0, "sort functions in a range query warn that sorting is ineffective") \
	X(PROMQL_ANNOT_ST_OVERLAP, 3, 14, 0, "rate and increase warn of a start time before the previous sample's time") \
	/* ---- delayed name removal (4-promql/eval_names.c; EngineOpts.EnableDelayedNameRemoval) ---- */ \
	X(PROMQL_DELAYED_NAME_REMOVAL, 2, 55, 0, "promql-delayed-name-removal: the metric name is dropped when the result is made") \
	X(PROMQL_DELAYED_NAME_MERGE, 3, 9, 0, "with it, range-query series equal once their names go merge where their steps do not overlap") \
	/* ---- PromQL float semantics (4-promql) ---- */ \
	X(PROMQL_RATE_THRESHOLD_FIRST, 2, 51, 0, "rate extrapolation tests the 1.1*avg threshold before the zero clamp") \
	X(PROMQL_ATAN2_DROPS_NAME, 2, 47, 0, "atan2 drops the metric name like the arithmetic operators") \
	X(PROMQL_AT_RANGE_FIXED, 2, 51, 0, "a range selector pinned by @ keeps its window over a range query's steps") \
	X(PROMQL_SORT_BY_LABEL_NATURAL, 2, 50, 0, "sort_by_label compares label values in natural order") \
	X(PROMQL_SORT_BY_LABEL_TOTAL, 3, 0, 0, "sort_by_label breaks ties by labels, without sorting by value first") \
	X(PROMQL_REGEX_BARE_ERROR, 2, 52, 0, "a matcher's regexp syntax error quotes the pattern alone") \
	X(PROMQL_HQ_SMALL_DELTAS, 2, 49, 0, "histogram_quantile evens out bucket counts within 1e-12") \
	X(PROMQL_SUM_KAHAN, 2, 54, 0, "sum uses Kahan-Neumaier summation; Kahan steps set c=0 on an infinite sum") \
	X(PROMQL_FLOAT_DURATIONS, 2, 54, 0, "float literals and durations are interchangeable") \
	/* info() (2.55, experimental; 4-promql/eval_info.c), as promql/info.go changed */ \
	X(PROMQL_INFO_DUP_MESSAGE, 3, 7, 0, "info(): two info series with one sample time are named with it in the error") \
	X(PROMQL_INFO_LABEL_SELECTORS, 3, 8, 0, "info(): a second argument not a label selector is \"expected label selectors only\"") \
	X(PROMQL_INFO_NO_ID_KEEPS, 3, 10, 0, "info(): series without instance and job are kept when the selectors name only __name__") \
	X(PROMQL_INFO_MATCHED_KEEPS, 3, 10, 0, "info(): a series matching an info series is kept even when it gains no label") \
	X(PROMQL_INFO_NAME_AND, 3, 11, 0, "info(): several __name__ matchers all apply") \
	X(PROMQL_INFO_NAME_NEGATED, 3, 12, 0, "info(): negated __name__ matchers alone select .+_info series") \
	/* start timestamps (use-start-timestamps; 4-promql/func_st.c) */ \
	X(PROMQL_START_TIMESTAMPS, 3, 12, 0, "rate, increase, irate, resets: a start timestamp after the previous sample is a reset") \
	X(PROMQL_START_TIMESTAMP_ZERO, 3, 14, 0, "rate, increase: a start timestamp in the window is a zero sample there; ST == T is no reset") \
	X(PROMQL_AVG_KAHAN, 2, 55, 0, "avg and avg_over_time use Kahan summation, incremental mean on overflow only") \
	X(PROMQL_LEFT_OPEN, 3, 0, 0, "range selectors and lookback exclude their left end") \
	X(PROMQL_REGEX_DOTALL, 3, 0, 0, "regexp . matches newline") \
	X(PROMQL_STDDEV_NAN_START, 3, 0, 0, "stddev/stdvar of a group starting with NaN or Inf is NaN") \
	X(PROMQL_NO_HOLT_WINTERS, 3, 0, 0, "holt_winters is gone") \
	X(PROMQL_TOPK_NAN_TIES, 2, 44, 0, "topk/bottomk replace a NaN heap top only with a number, in place") \
	X(PROMQL_LEFT_OPEN_SUBQUERY, 3, 0, 1, "subqueries exclude their left end") \
	X(PROMQL_ZERO_RANGE_EMPTY, 3, 3, 0, "x[0] selects nothing") \
	X(PROMQL_DURATION_EXPR, 3, 4, 0, "duration expressions in [...] and offset (...), behind promql-duration-expr") \
	X(PROMQL_HFRACTION_CLASSIC, 3, 4, 0, "histogram_fraction works on classic buckets") \
	X(PROMQL_HFRACTION_ZERO_BASE, 3, 8, 0, "histogram_fraction: a positive first bucket starts at 0, none interpolates to -Inf") \
	X(PROMQL_DROP_TYPE_UNIT, 3, 5, 0, "dropping the metric name also drops __type__ and __unit__") \
	X(PROMQL_DURATION_ROUND, 3, 5, 0, "a literal range, step or offset rounds to nanoseconds ([1001ms] was 1000ms from 2.54)") \
	X(PROMQL_AVG_OVER_TIME_KAHAN, 3, 5, 0, "avg and avg_over_time scale the incremental mean by (n-1)/n") \
	X(PROMQL_TOPK_PARAM_NAN, 3, 6, 0, "topk/bottomk: k < 1 gives nothing first, a NaN k is \"Parameter value is NaN\"") \
	X(PROMQL_KAHAN_NO_FMA, 3, 6, 0, "Kahan steps round to float64 (no FMA; amd64 never fused)") \
	X(PROMQL_BINOP_FILL, 3, 10, 0, "fill(), fill_left(), fill_right() binop modifiers, behind promql-binop-fill-modifiers") \
	X(PROMQL_CMP_MANY_TO_ONE, 3, 9, 0, "filtering comparisons raise many-to-one errors for filtered samples") \
	X(PROMQL_UNARY_MINUS_MERGE, 3, 9, 0, "unary minus in range queries merges non-overlapping series") \
	/* ---- extended range selectors (anchored / smoothed; 4-promql/eval_extended.c) ---- */ \
	X(PROMQL_EXTENDED_RANGE, 3, 7, 0, "anchored and smoothed selector modifiers, behind promql-extended-range-selectors") \
	X(PROMQL_EXTENDED_RANGE_NAMES, 3, 7, 2, "anchored and smoothed may name a metric or a grouping label again") \
	X(PRINT_EXTENDED_RANGE_ONCE, 3, 7, 2, "a range selector prints anchored/smoothed once, after the range") \
	X(PROMQL_ANCHORED_EMPTY, 3, 9, 0, "anchored changes/resets give nothing without a sample after the range start") \
	X(PROMQL_SMOOTHED_RESET_ZERO, 3, 10, 0, "smoothed interpolation across a counter reset starts from 0 at both edges") \
	X(PROMQL_SMOOTHED_AFTER_EMPTY, 3, 12, 0, "smoothed rate/increase/delta give nothing when all data is after the range") \
	/* ---- duration expressions and limitk (4-promql: parse_duration.c, durations.c, eval_aggr.c) ---- */ \
	X(PROMQL_DURATION_OFFSET_EXPR, 3, 5, 0, "offset takes [sign] literal or a whole duration expression; -2^2 is (x offset -2)^2") \
	X(PROMQL_DURATION_STEP, 3, 6, 0, "step(), min(a, b), max(a, b) in duration expressions; offset -(...) ends the offset") \
	X(PROMQL_DURATION_RANGE, 3, 10, 0, "range() in duration expressions") \
	X(PROMQL_DURATION_FUNCS_FLAG, 3, 12, 0, "step(), range(), min(), max() need promql-duration-expr; NaN/Inf durations refused") \
	X(PROMQL_DURATION_MIN_OF, 3, 13, 0, "the duration min()/max() are called min_of()/max_of()") \
	X(PROMQL_DURATION_SIGNED_LITERAL, 3, 13, 0, "offset -(5m) parses (3.6-3.12: the parser panics, \"unexpected error\")") \
	X(PROMQL_LIMITK, 2, 54, 0, "limitk and limit_ratio aggregations, behind promql-experimental-functions") \
	X(PROMQL_LIMITK_NAMED, 3, 1, 0, "their experimental error names the one used: limitk() is experimental ...")
/* clang-format on */

/* Every release --compat accepts, oldest first: X(major, minor, patch). */
/* clang-format off */
#define COMPAT_RELEASES(X) \
	X(2, 42, 0) X(2, 43, 0) X(2, 43, 1) X(2, 44, 0) X(2, 45, 0) X(2, 45, 1) X(2, 45, 2) X(2, 45, 3) \
	X(2, 45, 4) X(2, 45, 5) X(2, 45, 6) X(2, 46, 0) X(2, 47, 0) X(2, 47, 1) X(2, 47, 2) X(2, 48, 0) \
	X(2, 48, 1) X(2, 49, 0) X(2, 49, 1) X(2, 50, 0) X(2, 50, 1) X(2, 51, 0) X(2, 51, 1) X(2, 51, 2) \
	X(2, 52, 0) X(2, 53, 0) X(2, 53, 1) X(2, 53, 2) X(2, 53, 3) X(2, 53, 4) X(2, 53, 5) X(2, 54, 0) \
	X(2, 54, 1) X(2, 55, 0) X(2, 55, 1) X(3, 0, 0) X(3, 0, 1) X(3, 1, 0) X(3, 2, 0) X(3, 2, 1) \
	X(3, 3, 0) X(3, 3, 1) X(3, 4, 0) X(3, 4, 1) X(3, 4, 2) X(3, 5, 0) X(3, 5, 1) X(3, 5, 2) X(3, 5, 3) \
	X(3, 5, 4) X(3, 5, 5) X(3, 6, 0) X(3, 7, 0) X(3, 7, 1) X(3, 7, 2) X(3, 7, 3) X(3, 8, 0) X(3, 8, 1) \
	X(3, 9, 0) X(3, 9, 1) X(3, 10, 0) X(3, 11, 0) X(3, 11, 1) X(3, 11, 2) X(3, 11, 3) X(3, 12, 0) \
	X(3, 13, 0) X(3, 13, 1) X(3, 13, 2) X(3, 14, 0)
/* clang-format on */

#endif
