/*
 * The PromQL lexer (internal to promql/): 2.42's promql/parser/lex.go state
 * machine, pulled one token at a time by the parser so that lexical errors
 * are reported at the same moment 2.42 reports them.
 *
 * Tokens point into the caller's input; the lexer allocates nothing.
 */
#ifndef PROMQL_LEX_H
#define PROMQL_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"

/*
 * Token kinds.  X(ID, class, text) where class is 0 for plain tokens, 'o'
 * operator, 'a' aggregator, 'k' keyword, 'p' preprocessor (start/end) --
 * the ranges 2.42's IsOperator/IsAggregator/IsKeyword test -- and text is
 * the ItemTypeStr entry ("" when 2.42 has none).
 */
#define PROMQL_TOKENS(X)                                                       \
	X(EOF, 0, "")                                                          \
	X(ERROR, 0, "")                                                        \
	X(COMMENT, 0, "")                                                      \
	X(IDENTIFIER, 0, "")                                                   \
	X(METRIC_IDENTIFIER, 0, "")                                            \
	X(NUMBER, 0, "")                                                       \
	X(STRING, 0, "")                                                       \
	X(DURATION, 0, "")                                                     \
	X(EQL, 0, "=")                                                         \
	X(COLON, 0, ":")                                                       \
	X(COMMA, 0, ",")                                                       \
	X(LEFT_BRACE, 0, "{")                                                  \
	X(RIGHT_BRACE, 0, "}")                                                 \
	X(LEFT_BRACKET, 0, "[")                                                \
	X(RIGHT_BRACKET, 0, "]")                                               \
	X(LEFT_PAREN, 0, "(")                                                  \
	X(RIGHT_PAREN, 0, ")")                                                 \
	X(ADD, 'o', "+")                                                       \
	X(DIV, 'o', "/")                                                       \
	X(EQLC, 'o', "==")                                                     \
	X(EQL_REGEX, 'o', "=~")                                                \
	X(GTE, 'o', ">=")                                                      \
	X(GTR, 'o', ">")                                                       \
	X(LAND, 'o', "and")                                                    \
	X(LOR, 'o', "or")                                                      \
	X(LSS, 'o', "<")                                                       \
	X(LTE, 'o', "<=")                                                      \
	X(LUNLESS, 'o', "unless")                                              \
	X(MOD, 'o', "%")                                                       \
	X(MUL, 'o', "*")                                                       \
	X(NEQ, 'o', "!=")                                                      \
	X(NEQ_REGEX, 'o', "!~")                                                \
	X(POW, 'o', "^")                                                       \
	X(SUB, 'o', "-")                                                       \
	X(AT, 'o', "")                                                         \
	X(ATAN2, 'o', "atan2")                                                 \
	X(AVG, 'a', "avg")                                                     \
	X(BOTTOMK, 'a', "bottomk")                                             \
	X(COUNT, 'a', "count")                                                 \
	X(COUNT_VALUES, 'a', "count_values")                                   \
	X(GROUP, 'a', "group")                                                 \
	X(MAX, 'a', "max")                                                     \
	X(MIN, 'a', "min")                                                     \
	X(QUANTILE, 'a', "quantile")                                           \
	X(STDDEV, 'a', "stddev")                                               \
	X(STDVAR, 'a', "stdvar")                                               \
	X(SUM, 'a', "sum")                                                     \
	X(TOPK, 'a', "topk")                                                   \
	X(LIMITK, 'a', "limitk")                                               \
	X(LIMIT_RATIO, 'a', "limit_ratio")                                     \
	X(BOOL, 'k', "bool")                                                   \
	X(BY, 'k', "by")                                                       \
	X(GROUP_LEFT, 'k', "group_left")                                       \
	X(GROUP_RIGHT, 'k', "group_right")                                     \
	X(IGNORING, 'k', "ignoring")                                           \
	X(OFFSET, 'k', "offset")                                               \
	X(ON, 'k', "on")                                                       \
	X(WITHOUT, 'k', "without")                                             \
	X(ANCHORED, 'k', "anchored")                                           \
	X(SMOOTHED, 'k', "smoothed")                                           \
	X(START, 'p', "start")                                                 \
	X(END, 'p', "end")

enum promql_tok {
#define PROMQL_X_(id, cls, text) PQT_##id,
	PROMQL_TOKENS(PROMQL_X_)
#undef PROMQL_X_
};

struct promql_token {
	enum promql_tok type;
	int pos;           /* byte offset of the first byte */
	const char *val;   /* points into the input (or, for ERROR, msg) */
	size_t len;
};

struct promql_lexer {
	const char *input;
	size_t len;
	int state; /* internal: which lex.go state function runs next */
	size_t pos, start;
	int paren_depth;
	bool brace_open, bracket_open, got_colon;
	int string_open;
	bool done;       /* EOF or an error was emitted: only EOF follows */
	/* 2.54's lexer: numbers as well as durations inside brackets (set by
	 * the parser after promql_lexer_init; false is 2.42's) */
	bool float_durations;
	/* 3.4's lexer with duration expressions: all of a [...] through
	 * lexDurationExpr (set by the parser, like float_durations) */
	bool duration_exprs;
	bool got_duration;
	/* 3.7's lexer: "anchored" and "smoothed" are keywords (set by the
	 * parser, like float_durations) */
	bool ext_keywords;
	/* the words lexDurationExpr takes for step(), range(), min(), max(),
	 * LEX_DUR_* bits (3.6: STEP | MIN_MAX, 3.10: | RANGE, 3.13: MIN_MAX_OF
	 * for MIN_MAX); each is given as an IDENTIFIER */
	unsigned dur_keywords;
	/* 2.54's keywords limitk and limit_ratio (aggregators; before, names) */
	bool limitk;
	struct buf msg;  /* text of the last ERROR token */
};

#define LEX_DUR_STEP 1u
#define LEX_DUR_RANGE 2u
#define LEX_DUR_MIN_MAX 4u /* min, max (3.6-3.12) */
#define LEX_DUR_MIN_MAX_OF 8u /* min_of, max_of (3.13) */

void promql_lexer_init(struct promql_lexer *l, const char *input, size_t len);
void promql_lexer_release(struct promql_lexer *l);
/* Scans the next token (comments included, as 2.42's NextItem). */
void promql_lexer_next(struct promql_lexer *l, struct promql_token *out);

/* "unexpected " + what 2.42's Item.desc() says of tok. */
void promql_token_desc(struct buf *out, const struct promql_token *tok);
/* ItemTypeStr of a token kind ("and", "+", ...), or NULL. */
const char *promql_tok_text(enum promql_tok t);
char promql_tok_class(enum promql_tok t);

/* The lexer's character classes (Go's isSpace, isAlpha, isDigit,
 * isAlphaNumeric), shared by the series-description lexer. */
static inline bool lex_is_space(int32_t r)
{
	return r == ' ' || r == '\t' || r == '\n' || r == '\r';
}

static inline bool lex_is_alpha(int32_t r)
{
	return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
}

static inline bool lex_is_digit(int32_t r)
{
	return r >= '0' && r <= '9';
}

static inline bool lex_is_alnum(int32_t r)
{
	return lex_is_alpha(r) || lex_is_digit(r);
}

#endif
