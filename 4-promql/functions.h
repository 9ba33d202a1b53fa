/*
 * The PromQL function table of 2.42 (promql/parser/functions.go): one
 * X-macro list that the parser type-checks calls against and the evaluator
 * extends with implementations (dispatch by enum promql_func_id).
 *
 * Entries are static and never freed.
 */
#ifndef PROMQL_FUNCTIONS_H
#define PROMQL_FUNCTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "4-promql/ast.h"

/*
 * X(ID, name, argument types, variadic, return type).
 * Argument type codes: 'v' instant vector, 'm' range vector, 's' scalar,
 * 'S' string.  variadic as Function.Variadic: 0 fixed arity, n > 0 the
 * last argument type may repeat so that up to n extra arguments are
 * allowed (and the last may be omitted), -1 unlimited.
 */
#define PROMQL_FUNCTIONS(X) \
	X(ABS, "abs", "v", 0, VECTOR) \
	X(ABSENT, "absent", "v", 0, VECTOR) \
	X(ABSENT_OVER_TIME, "absent_over_time", "m", 0, VECTOR) \
	X(ACOS, "acos", "v", 0, VECTOR) \
	X(ACOSH, "acosh", "v", 0, VECTOR) \
	X(ASIN, "asin", "v", 0, VECTOR) \
	X(ASINH, "asinh", "v", 0, VECTOR) \
	X(ATAN, "atan", "v", 0, VECTOR) \
	X(ATANH, "atanh", "v", 0, VECTOR) \
	X(AVG_OVER_TIME, "avg_over_time", "m", 0, VECTOR) \
	X(CEIL, "ceil", "v", 0, VECTOR) \
	X(CHANGES, "changes", "m", 0, VECTOR) \
	X(CLAMP, "clamp", "vss", 0, VECTOR) \
	X(CLAMP_MAX, "clamp_max", "vs", 0, VECTOR) \
	X(CLAMP_MIN, "clamp_min", "vs", 0, VECTOR) \
	X(COS, "cos", "v", 0, VECTOR) \
	X(COSH, "cosh", "v", 0, VECTOR) \
	X(COUNT_OVER_TIME, "count_over_time", "m", 0, VECTOR) \
	X(DAYS_IN_MONTH, "days_in_month", "v", 1, VECTOR) \
	X(DAY_OF_MONTH, "day_of_month", "v", 1, VECTOR) \
	X(DAY_OF_WEEK, "day_of_week", "v", 1, VECTOR) \
	X(DAY_OF_YEAR, "day_of_year", "v", 1, VECTOR) \
	X(DEG, "deg", "v", 0, VECTOR) \
	X(DELTA, "delta", "m", 0, VECTOR) \
	X(DERIV, "deriv", "m", 0, VECTOR) \
	X(EXP, "exp", "v", 0, VECTOR) \
	X(FLOOR, "floor", "v", 0, VECTOR) \
	X(HISTOGRAM_COUNT, "histogram_count", "v", 0, VECTOR) \
	X(HISTOGRAM_SUM, "histogram_sum", "v", 0, VECTOR) \
	X(HISTOGRAM_FRACTION, "histogram_fraction", "ssv", 0, VECTOR) \
	X(HISTOGRAM_QUANTILE, "histogram_quantile", "sv", 0, VECTOR) \
	X(HOLT_WINTERS, "holt_winters", "mss", 0, VECTOR) \
	X(HOUR, "hour", "v", 1, VECTOR) \
	X(IDELTA, "idelta", "m", 0, VECTOR) \
	X(INCREASE, "increase", "m", 0, VECTOR) \
	X(IRATE, "irate", "m", 0, VECTOR) \
	X(LABEL_REPLACE, "label_replace", "vSSSS", 0, VECTOR) \
	X(LABEL_JOIN, "label_join", "vSSS", -1, VECTOR) \
	X(LAST_OVER_TIME, "last_over_time", "m", 0, VECTOR) \
	X(LN, "ln", "v", 0, VECTOR) \
	X(LOG10, "log10", "v", 0, VECTOR) \
	X(LOG2, "log2", "v", 0, VECTOR) \
	X(MAX_OVER_TIME, "max_over_time", "m", 0, VECTOR) \
	X(MIN_OVER_TIME, "min_over_time", "m", 0, VECTOR) \
	X(MINUTE, "minute", "v", 1, VECTOR) \
	X(MONTH, "month", "v", 1, VECTOR) \
	X(PI, "pi", "", 0, SCALAR) \
	X(PREDICT_LINEAR, "predict_linear", "ms", 0, VECTOR) \
	X(PRESENT_OVER_TIME, "present_over_time", "m", 0, VECTOR) \
	X(QUANTILE_OVER_TIME, "quantile_over_time", "sm", 0, VECTOR) \
	X(RAD, "rad", "v", 0, VECTOR) \
	X(RATE, "rate", "m", 0, VECTOR) \
	X(RESETS, "resets", "m", 0, VECTOR) \
	X(ROUND, "round", "vs", 1, VECTOR) \
	X(SCALAR, "scalar", "v", 0, SCALAR) \
	X(SGN, "sgn", "v", 0, VECTOR) \
	X(SIN, "sin", "v", 0, VECTOR) \
	X(SINH, "sinh", "v", 0, VECTOR) \
	X(SORT, "sort", "v", 0, VECTOR) \
	X(SORT_DESC, "sort_desc", "v", 0, VECTOR) \
	X(SQRT, "sqrt", "v", 0, VECTOR) \
	X(STDDEV_OVER_TIME, "stddev_over_time", "m", 0, VECTOR) \
	X(STDVAR_OVER_TIME, "stdvar_over_time", "m", 0, VECTOR) \
	X(SUM_OVER_TIME, "sum_over_time", "m", 0, VECTOR) \
	X(TAN, "tan", "v", 0, VECTOR) \
	X(TANH, "tanh", "v", 0, VECTOR) \
	X(TIME, "time", "", 0, SCALAR) \
	X(TIMESTAMP, "timestamp", "v", 0, VECTOR) \
	X(VECTOR, "vector", "s", 0, VECTOR) \
	X(YEAR, "year", "v", 1, VECTOR)

/*
 * The functions of later releases (--compat), as parser/functions.go of
 * each tag lists them: X(ID, name, argument types, variadic, return type,
 * since, stable).  since is the first release with it and stable the first
 * where it is no longer Experimental (needing
 * --enable-feature=promql-experimental-functions before), both as
 * major*10000 + minor*100 + patch; stable 0: never experimental,
 * PROMQL_FN_ALWAYS_EXPERIMENTAL: experimental up to 3.14.
 */
#define PROMQL_FN_ALWAYS_EXPERIMENTAL 999999
#define PROMQL_FUNCTIONS_LATER(X) \
	X(HISTOGRAM_STDDEV, "histogram_stddev", "v", 0, VECTOR, 24900, 0) \
	X(HISTOGRAM_STDVAR, "histogram_stdvar", "v", 0, VECTOR, 24900, 0) \
	X(MAD_OVER_TIME, "mad_over_time", "m", 0, VECTOR, 24900, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(SORT_BY_LABEL, "sort_by_label", "vS", -1, VECTOR, 24900, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(SORT_BY_LABEL_DESC, "sort_by_label_desc", "vS", -1, VECTOR, 24900, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(HISTOGRAM_AVG, "histogram_avg", "v", 0, VECTOR, 25300, 0) \
	X(INFO, "info", "vv", 1, VECTOR, 25500, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(DOUBLE_EXPONENTIAL_SMOOTHING, "double_exponential_smoothing", "mss", 0, VECTOR, 30000, \
	  PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(TS_OF_LAST_OVER_TIME, "ts_of_last_over_time", "m", 0, VECTOR, 30500, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(TS_OF_MAX_OVER_TIME, "ts_of_max_over_time", "m", 0, VECTOR, 30500, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(TS_OF_MIN_OVER_TIME, "ts_of_min_over_time", "m", 0, VECTOR, 30500, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(FIRST_OVER_TIME, "first_over_time", "m", 0, VECTOR, 30700, 31400) \
	X(TS_OF_FIRST_OVER_TIME, "ts_of_first_over_time", "m", 0, VECTOR, 30700, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(HISTOGRAM_QUANTILES, "histogram_quantiles", "vSss", 9, VECTOR, 31100, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(START, "start", "", 0, SCALAR, 31200, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(END, "end", "", 0, SCALAR, 31200, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(RANGE, "range", "", 0, SCALAR, 31200, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(STEP, "step", "", 0, SCALAR, 31200, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(MIN_OF, "min_of", "ss", 0, SCALAR, 31300, PROMQL_FN_ALWAYS_EXPERIMENTAL) \
	X(MAX_OF, "max_of", "ss", 0, SCALAR, 31300, PROMQL_FN_ALWAYS_EXPERIMENTAL)

enum promql_func_id {
#define PROMQL_X_(id, name, args, variadic, ret) PROMQL_FN_##id,
	PROMQL_FUNCTIONS(PROMQL_X_)
#undef PROMQL_X_
#define PROMQL_X_(id, name, args, variadic, ret, since, stable) PROMQL_FN_##id,
	PROMQL_FUNCTIONS_LATER(PROMQL_X_)
#undef PROMQL_X_
	PROMQL_FN_COUNT_
};

struct promql_function {
	enum promql_func_id id;
	const char *name;
	const char *arg_types; /* one code per declared argument, see above */
	int variadic;
	enum promql_value_type return_type;
	int since, stable; /* see PROMQL_FUNCTIONS_LATER; 0, 0 for 2.42's */
};

/* The entry named name[0..len), or NULL (getFunction). */
const struct promql_function *promql_function_lookup(const char *name, size_t len);
/*
 * Whether release c (NULL: 2.42.0) has f: 0 yes, -1 it does not (its
 * parser says "unknown function"), -2 it is experimental there and
 * experimental is false ("function ... is not enabled").
 */
struct compat;
int promql_function_available(const struct promql_function *f, const struct compat *c, bool experimental);
const struct promql_function *promql_function_by_id(enum promql_func_id id);
/* The value type of argument code c ('v', 'm', 's', 'S'). */
enum promql_value_type promql_function_arg_type(char c);

#endif
