/*
 * Rule files: loading and validating them exactly as Prometheus 2.42's
 * model/rulefmt does (gopkg.in/yaml.v3 strict decoding, then Validate()),
 * with the same error messages, and the model the rest of promtool reads.
 *
 * Ownership: rulefmt_load_file()/rulefmt_load_mem() return a struct
 * rulefmt_file that owns everything reachable from it -- strings, label
 * sets and each rule's parsed struct promql_expr; rulefmt_file_free()
 * releases all of it and accepts NULL.  Error messages are collected in a
 * struct rulefmt_errors that owns them (rulefmt_errors_release()).
 *
 * Extension: a Prometheus Operator manifest (top-level `kind:
 * PrometheusRule`, apiVersion monitoring.coreos.com/v1) is read from its
 * spec.groups; positions still refer to the lines of the real file.
 */
#ifndef RULES_RULEFMT_H
#define RULES_RULEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/compat.h"
#include "2-model/labels.h"

struct promql_expr;

/* 1-based yaml line:column; 0:0 when the key is absent from the file. */
struct rulefmt_pos {
	int line, col;
};

struct rulefmt_rule {
	char *record;        /* "" unless a recording rule */
	char *alert;         /* "" unless an alerting rule */
	char *expr;          /* the expression text as written */
	struct promql_expr *parsed; /* never NULL in a loaded file */
	int64_t for_ms;      /* alerting rules; 0 = unset */
	int64_t keep_firing_for_ms;
	/* owned copies, sorted by name (labels.FromMap); from 3.0 the group's
	 * labels merged under the rule's own (rules.FromMaps(group, rule)) */
	struct labels labels;
	struct labels annotations; /* owned copies, sorted by name */
	struct rulefmt_pos record_pos, alert_pos, expr_pos;
};

struct rulefmt_group {
	char *name;
	int64_t interval_ms; /* 0 = unset (use the global evaluation interval) */
	int64_t query_offset_ms; /* 2.53+; the backfill ignores it */
	bool has_query_offset;
	int64_t limit;       /* 0 = no limit */
	struct labels labels; /* 3.0+ group labels, owned, sorted; also merged into each rule */
	struct rulefmt_rule *rules;
	size_t nrules;
	struct rulefmt_pos pos; /* of the group's mapping */
};

struct rulefmt_file {
	char *path;
	bool prometheus_rule; /* read from a PrometheusRule manifest's spec */
	struct rulefmt_group *groups;
	size_t ngroups;
};

/* Every message as 2.42's ParseFile returns them: "<path>: <error>". */
struct rulefmt_errors {
	char **v;
	size_t n, cap;
};

void rulefmt_errors_init(struct rulefmt_errors *errs);
void rulefmt_errors_release(struct rulefmt_errors *errs);

/*
 * Reads and validates one rule file.  Returns 0 and *out on success;
 * otherwise -1, *out NULL, and at least one message appended to errs
 * (syntax/type errors, or every validation error, in 2.42's order).
 */
int rulefmt_load_file(struct rulefmt_file **out, const char *path, struct rulefmt_errors *errs);

/* The same for bytes already in memory; path only names them in messages. */
int rulefmt_load_mem(struct rulefmt_file **out, const char *path, const char *data, size_t len,
		     struct rulefmt_errors *errs);

/*
 * How a release reads rule files: its fields, validation and messages
 * (gates in 1-common/compat_gates.h); ignore_unknown_fields is check rules
 * --ignore-unknown-fields (3.2+).  NULL or zero: 2.42.
 */
struct rulefmt_opts {
	const struct compat *compat; /* borrowed */
	bool ignore_unknown_fields;
	/* how each expr is parsed (borrowed; NULL: compat's parser, no features) */
	const struct promql_parse_opts *parse;
};

int rulefmt_load_file_with(struct rulefmt_file **out, const char *path, const struct rulefmt_opts *o,
			   struct rulefmt_errors *errs);
int rulefmt_load_mem_with(struct rulefmt_file **out, const char *path, const char *data, size_t len,
			  const struct rulefmt_opts *o, struct rulefmt_errors *errs);

void rulefmt_file_free(struct rulefmt_file *f);

#endif
