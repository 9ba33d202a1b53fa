/*
 * The PromQL syntax tree, as 2.42's promql/parser builds it.
 *
 * Every node, string, matcher and list hanging off a tree lives in the
 * arena owned by the struct promql_expr it came from; none of it may be
 * freed or kept past promql_expr_free().  Nodes are read-only for users of
 * the tree (the evaluator), except through functions declared here.
 *
 * Positions are byte offsets into the parsed input, as Go's PositionRange:
 * start inclusive, end exclusive.
 */
#ifndef PROMQL_AST_H
#define PROMQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "2-model/matcher.h"
#include "4-promql/promql.h"

/*
 * Node kinds, one per Go type implementing parser.Expr.  X(ID, go_name).
 * StepInvariantExpr is never produced by the parser (2.42 adds it in the
 * engine's PreprocessExpr); it is here for the evaluator, and prints as its
 * inner expression, as in 2.42.
 */
#define PROMQL_NODE_KINDS(X)                                                   \
	X(AGGREGATE, "AggregateExpr")                                          \
	X(BINARY, "BinaryExpr")                                                \
	X(CALL, "Call")                                                        \
	X(MATRIX, "MatrixSelector")                                            \
	X(SUBQUERY, "SubqueryExpr")                                            \
	X(NUMBER, "NumberLiteral")                                             \
	X(PAREN, "ParenExpr")                                                  \
	X(STRING, "StringLiteral")                                             \
	X(UNARY, "UnaryExpr")                                                  \
	X(VECTOR, "VectorSelector")                                            \
	X(STEP_INVARIANT, "StepInvariantExpr")

enum promql_node_kind {
#define PROMQL_X_(id, name) PROMQL_NODE_##id,
	PROMQL_NODE_KINDS(PROMQL_X_)
#undef PROMQL_X_
};

/* X(ID, 2.42 ValueType string, DocumentedType string) */
#define PROMQL_VALUE_TYPES(X)                                                  \
	X(NONE, "none", "none")                                                \
	X(SCALAR, "scalar", "scalar")                                          \
	X(VECTOR, "vector", "instant vector")                                  \
	X(MATRIX, "matrix", "range vector")                                    \
	X(STRING, "string", "string")

enum promql_value_type {
#define PROMQL_X_(id, s, doc) PROMQL_TYPE_##id,
	PROMQL_VALUE_TYPES(PROMQL_X_)
#undef PROMQL_X_
};

/*
 * Binary operators.  X(ID, text, precedence, right_assoc, kind) with
 * precedence as 2.42's grammar (higher binds tighter); kind is 'a'
 * arithmetic, 'c' comparison, 's' set operator.
 */
#define PROMQL_BINOPS(X)                                                       \
	X(LOR, "or", 1, 0, 's')                                                \
	X(LAND, "and", 2, 0, 's')                                              \
	X(LUNLESS, "unless", 2, 0, 's')                                        \
	X(EQLC, "==", 3, 0, 'c')                                               \
	X(NEQ, "!=", 3, 0, 'c')                                                \
	X(GTE, ">=", 3, 0, 'c')                                                \
	X(GTR, ">", 3, 0, 'c')                                                 \
	X(LSS, "<", 3, 0, 'c')                                                 \
	X(LTE, "<=", 3, 0, 'c')                                                \
	X(ADD, "+", 4, 0, 'a')                                                 \
	X(SUB, "-", 4, 0, 'a')                                                 \
	X(MUL, "*", 5, 0, 'a')                                                 \
	X(DIV, "/", 5, 0, 'a')                                                 \
	X(MOD, "%", 5, 0, 'a')                                                 \
	X(ATAN2, "atan2", 5, 0, 'a')                                           \
	X(POW, "^", 6, 1, 'a')

enum promql_binop {
#define PROMQL_X_(id, s, prec, rassoc, kind) PROMQL_OP_##id,
	PROMQL_BINOPS(PROMQL_X_)
#undef PROMQL_X_
};

/* Aggregation operators.  X(ID, name, takes_param) */
#define PROMQL_AGGOPS(X)                                                       \
	X(AVG, "avg", 0)                                                       \
	X(BOTTOMK, "bottomk", 1)                                               \
	X(COUNT, "count", 0)                                                   \
	X(COUNT_VALUES, "count_values", 1)                                     \
	X(GROUP, "group", 0)                                                   \
	X(MAX, "max", 0)                                                       \
	X(MIN, "min", 0)                                                       \
	X(QUANTILE, "quantile", 1)                                             \
	X(STDDEV, "stddev", 0)                                                 \
	X(STDVAR, "stdvar", 0)                                                 \
	X(SUM, "sum", 0)                                                       \
	X(TOPK, "topk", 1)                                                     \
	X(LIMITK, "limitk", 1)                                                 \
	X(LIMIT_RATIO, "limit_ratio", 1)

enum promql_aggop {
#define PROMQL_X_(id, s, param) PROMQL_AGG_##id,
	PROMQL_AGGOPS(PROMQL_X_)
#undef PROMQL_X_
};

struct promql_pos_range {
	int start, end;
};

enum promql_at_kind {
	PROMQL_AT_NONE,
	PROMQL_AT_TIMESTAMP, /* @ <number>: ts_ms holds it */
	PROMQL_AT_START,     /* @ start() */
	PROMQL_AT_END,       /* @ end() */
};

struct promql_at {
	enum promql_at_kind kind;
	int64_t ts_ms; /* timestamp.FromFloatSeconds of the literal */
};

/* 3.7's extended range selectors (VectorSelector.Anchored / .Smoothed; at
 * most one, the parser refuses both): see 4-promql/eval_extended.c. */
enum promql_ext {
	PROMQL_EXT_NONE,
	PROMQL_EXT_ANCHORED,
	PROMQL_EXT_SMOOTHED,
};

enum promql_card {
	PROMQL_CARD_ONE_TO_ONE,
	PROMQL_CARD_MANY_TO_ONE,
	PROMQL_CARD_ONE_TO_MANY,
	PROMQL_CARD_MANY_TO_MANY,
};

/*
 * parser.VectorMatching.  A binary expression whose operands are not both
 * instant vectors has none (matching == NULL), exactly as 2.42's checkAST
 * drops it.
 */
struct promql_vector_matching {
	enum promql_card card;
	const char **matching_labels;
	size_t nmatching_labels;
	bool on;
	const char **include;
	size_t ninclude;
	/* 3.10's fill(v), fill_left(v), fill_right(v): the value a missing
	 * sample on that side takes */
	bool fill_lhs, fill_rhs;
	double fill_lhs_v, fill_rhs_v;
};

struct promql_function;

/*
 * 3.4's DurationExpr (promql/parser/ast.go): what a range, step or offset
 * written as an expression holds.  NUMBER is a NumberLiteral operand
 * (val in seconds, duration: written as one); ADD and SUB with lhs NULL
 * are the unary signs; STEP and RANGE (3.6, 3.10) have no operands; MIN
 * and MAX (3.6: min(a, b), 3.13: min_of(a, b)) both.  pos is upstream's
 * PositionRange() of the node (parentheses not included).
 */
enum promql_dur_op {
	PROMQL_DUR_NUMBER,
	PROMQL_DUR_ADD,
	PROMQL_DUR_SUB,
	PROMQL_DUR_MUL,
	PROMQL_DUR_DIV,
	PROMQL_DUR_MOD,
	PROMQL_DUR_POW,
	PROMQL_DUR_STEP,
	PROMQL_DUR_RANGE,
	PROMQL_DUR_MIN,
	PROMQL_DUR_MAX,
};

struct promql_dur {
	enum promql_dur_op op;
	const struct promql_dur *lhs, *rhs;
	double val;
	bool duration;
	bool wrapped; /* written in parentheses (DurationExpr.Wrapped) */
	struct promql_pos_range pos;
};

struct promql_node {
	enum promql_node_kind kind;
	/* PositionRange() of the node, as 2.42 computes it for its type. */
	struct promql_pos_range pos;
	union {
		struct {
			enum promql_aggop op;
			struct promql_node *expr;
			struct promql_node *param; /* NULL unless the op takes one */
			const char **grouping;
			size_t ngrouping;
			bool without;
		} aggregate;
		struct {
			enum promql_binop op;
			struct promql_node *lhs, *rhs;
			struct promql_vector_matching *matching; /* may be NULL */
			bool return_bool;
		} binary;
		struct {
			const struct promql_function *func;
			struct promql_node **args;
			size_t nargs;
		} call;
		struct {
			struct promql_node *vs; /* a PROMQL_NODE_VECTOR */
			int64_t range_ms;
			/* RangeExpr (3.4+), NULL for a literal; range_ms is then
			 * what promql_resolve_durations() worked out */
			const struct promql_dur *range_expr;
		} matrix;
		struct {
			struct promql_node *expr;
			int64_t range_ms;
			int64_t step_ms; /* 0 when omitted ("[5m:]") */
			int64_t offset_ms; /* OriginalOffset; negative allowed */
			struct promql_at at;
			/* RangeExpr, StepExpr, OriginalOffsetExpr (3.4+), as matrix */
			const struct promql_dur *range_expr, *step_expr, *offset_expr;
		} subquery;
		struct {
			double val;
			bool duration; /* written as a duration (2.54+: `time() - 5m`); 3.4 prints it so */
		} number;
		struct {
			struct promql_node *expr;
		} paren;
		struct {
			const char *val; /* unquoted; NUL-terminated, may hold NULs */
			size_t len;
		} string;
		struct {
			enum promql_binop op; /* PROMQL_OP_ADD or PROMQL_OP_SUB */
			struct promql_node *expr;
		} unary;
		struct {
			const char *name; /* "" when only matchers were given */
			/*
			 * In 2.42's order: the braces' matchers as written, then
			 * __name__="name" appended when a name was given.
			 */
			struct label_matcher *matchers;
			size_t nmatchers;
			int64_t offset_ms; /* OriginalOffset; negative allowed */
			struct promql_at at;
			enum promql_ext ext; /* of the selector, or of the range selector around it */
			const struct promql_dur *offset_expr; /* OriginalOffsetExpr (3.4+) */
			bool any_matchers; /* info()'s label selectors: no non-empty matcher needed */
		} vector;
		struct {
			struct promql_node *expr;
		} step_invariant;
	} u;
};

/* The function table: see 4-promql/functions.h. */

/*
 * labels.Matcher.Matches of 2.42 for a label value v[0..len) (an absent
 * label is the empty value): regexps match the whole value as Go's regexp
 * does, invalid UTF-8 in v included.  Thread-safe.
 */
bool label_matcher_match_value(const struct label_matcher *m, const char *v, size_t len);

const struct promql_node *promql_expr_root(const struct promql_expr *x);
/* Type() of a node, as 2.42's Expr.Type(). */
enum promql_value_type promql_node_type(const struct promql_node *n);
/* String() of a sub-tree, as 2.42 prints it. */
void promql_print_node(struct buf *out, const struct promql_node *n);
/* As the release c prints it (NULL: 2.42.0). */
void promql_print_node_with(struct buf *out, const struct promql_node *n, const struct compat *c);

/*
 * The engine's durationVisitor (promql/durations.go, run by PreprocessExpr
 * before a query): every range, step and offset of the tree written as a
 * duration expression gets its value for a query of this step and range
 * (end - start; both 0 for an instant query), in the node's *_ms field.
 * The one function that writes to a parsed tree, and only where step() or
 * range() give another value than the last query's (constant expressions
 * keep the value worked out when parsing): a tree with those must not be
 * evaluated by two threads at once.  On failure returns -1 with e set to
 * upstream's words ("4:9: duration must be greater than 0"), under the
 * release c (NULL: 2.42.0, which has no duration expressions).
 */
struct err;
int promql_resolve_durations(const struct promql_node *root, int64_t step_ms, int64_t range_ms,
			     const struct compat *c, struct err *e);
/*
 * Whether evaluating the tree at a time depends on the query around it:
 * step() or range() in a duration expression, a call of start(), end(),
 * range() or step() (3.12), `@ start()` / `@ end()`.  An instant query at
 * each step then differs from one range query over the steps.
 */
bool promql_reads_query(const struct promql_node *root);
/* DurationExpr.String() of release c (printer.go). */
void promql_print_dur(struct buf *out, const struct promql_dur *d, const struct compat *c);

/* Names for messages and debugging. */
const char *promql_node_kind_name(enum promql_node_kind k);
const char *promql_value_type_name(enum promql_value_type t);  /* "vector" */
const char *promql_value_type_doc(enum promql_value_type t);   /* "instant vector" */
const char *promql_binop_name(enum promql_binop op);           /* "+", "and" */
const char *promql_aggop_name(enum promql_aggop op);           /* "sum" */
bool promql_aggop_has_param(enum promql_aggop op);
bool promql_binop_is_comparison(enum promql_binop op);
bool promql_binop_is_set(enum promql_binop op);

/*
 * Calls fn on every node of the tree in pre-order (node, then children in
 * 2.42's Children() order: aggregate expr before param).  A non-zero
 * return from fn stops the walk and is returned.
 */
int promql_walk(const struct promql_node *n,
		int (*fn)(const struct promql_node *n, void *arg), void *arg);

#endif
