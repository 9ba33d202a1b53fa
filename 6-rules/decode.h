/*
 * Internal to rulefmt/: yaml.v3's typed decoding of a ytree into the Go
 * types of 2.42's model/rulefmt (RuleGroups, RuleGroup, RuleNode) and into
 * the positional ruleGroups{Groups []yaml.Node}.
 *
 * The decoded values point into the ytree (yaml.Node fields) or own copies
 * (strings, label maps); rdecode_groups_release() frees what they own.
 */
#ifndef RULES_DECODE_H
#define RULES_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/compat.h"
#include "1-common/err.h"
#include "2-model/labels.h"
#include "6-rules/ytree.h"

/* A Go slice. */
struct dslice {
	void *v;
	size_t n, cap;
};

/* map[string]string: keys unique, in first-insertion order. */
struct dmap {
	struct labels l;
	bool made; /* non-nil */
};

enum drule_text { DR_RECORD, DR_ALERT, DR_EXPR };

/* rulefmt.RuleNode (rulefmt.Rule from 3.3: typed) */
struct drule {
	const struct ynode *record, *alert, *expr; /* NULL = zero yaml.Node */
	int64_t for_ms, keep_firing_for_ms;
	struct dmap labels, annotations;
	bool typed;    /* 3.3+: the texts are the strings below, not the nodes' values */
	char *text[3]; /* enum drule_text; owned; NULL = "" */
};

/*
 * The text of record, alert or expr as the release reads it: up to 3.2 the
 * yaml.Node's Value (for an alias, the anchor's name), from 3.3 the string
 * decoded (an alias resolved).
 */
static inline const char *drule_text(const struct drule *r, enum drule_text which)
{
	const struct ynode *n = which == DR_RECORD ? r->record : which == DR_ALERT ? r->alert : r->expr;

	if (r->typed)
		return r->text[which] ? r->text[which] : "";
	return n ? n->value : "";
}

/* *model.Duration */
struct doptdur {
	int64_t ms;
	bool set; /* non-nil */
};

/* rulefmt.RuleGroup */
struct dgroup {
	char *name; /* NULL = "" */
	int64_t interval_ms;
	struct doptdur query_offset; /* 2.53+ */
	int64_t limit;
	struct dslice rules; /* of struct drule */
	struct dmap labels;  /* 3.0+ */
};

/* rulefmt.RuleGroups */
struct dgroups {
	struct dslice groups; /* of struct dgroup */
};

/* rulefmt.ruleGroups */
struct dnodegroups {
	struct dslice groups; /* of const struct ynode * */
};

/*
 * How the release being imitated decodes: which fields exist (query_offset
 * from 2.53, group labels from 3.0), the Go type names in its messages, and
 * whether unknown fields are ignored (check rules --ignore-unknown-fields,
 * 3.2+).  compat may be NULL (2.42).
 */
enum dnames { DN_2_42, DN_RULE, DN_NODE_3_3, DN_NODE_3_4 };

struct promql_parse_opts;

struct rdecode_opts {
	const struct compat *compat;
	bool ignore_unknown_fields;
	const struct promql_parse_opts *parse; /* for validate.c; may be NULL */
};

/*
 * Decoder.Decode(&RuleGroups) with KnownFields(true) (strict) or
 * yaml.Unmarshal semantics (!strict).  root is the document node (or, for a
 * PrometheusRule manifest, the spec.groups node, decoded as []RuleGroup).
 * Returns -1 with e set to the error yaml.v3 returns: a fatal error's text,
 * or "yaml: unmarshal errors:\n  line N: ..." for type errors (in which
 * case out still holds what decoded).
 */
int rdecode_groups(struct dgroups *out, const struct ynode *root, bool root_is_groups,
		   const struct rdecode_opts *o, struct err *e);
int rdecode_nodegroups(struct dnodegroups *out, const struct ynode *root, bool root_is_groups,
		       const struct rdecode_opts *o, struct err *e);
void rdecode_groups_release(struct dgroups *g);
void rdecode_nodegroups_release(struct dnodegroups *g);

#endif
