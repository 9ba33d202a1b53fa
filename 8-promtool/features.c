/*
 * --enable-feature as each promtool release reads it (cmd/promtool/main.go's
 * feature loop at each tag): which names it knows, how it warns about the
 * rest, and the PromQL parser options they turn on (8-promtool/commands.h).
 */
#include <stdio.h>
#include <string.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "2-model/labels.h"
#include "8-promtool/cli_table.h"
#include "8-promtool/commands.h"

/* One row per feature name and the releases that know it. */
enum feature_effect {
	FX_NONE,         /* accepted, nothing for the commands we implement */
	FX_STABLE_NOOP,  /* 2.x: "a no-op after promotion to a stable feature" */
	FX_EXPERIMENTAL, /* the parser's experimental functions (3.4+) */
	FX_DURATION,     /* the parser's duration expressions (3.10-3.13) */
	FX_FILL,         /* the parser's binop fill modifiers (3.14) */
	FX_EXT_RANGE,    /* the parser's anchored / smoothed modifiers (3.10+) */
};
static const struct feature {
	const char *name;
	int since, until;
	enum feature_effect fx;
} features[] = {
	{ "no-default-scrape-port", 0, CLI_V(3, 0, 0), FX_NONE },
	{ "promql-at-modifier", 0, CLI_V(3, 0, 0), FX_STABLE_NOOP },
	{ "promql-negative-offset", 0, CLI_V(3, 0, 0), FX_STABLE_NOOP },
	{ "promql-experimental-functions", CLI_V(3, 4, 0), 0, FX_EXPERIMENTAL },
	{ "promql-delayed-name-removal", CLI_V(3, 4, 0), 0, FX_NONE },
	{ "promql-duration-expr", CLI_V(3, 10, 0), CLI_V(3, 14, 0), FX_DURATION },
	{ "promql-duration-expr", CLI_V(3, 14, 0), 0, FX_NONE }, /* "permanently enabled" */
	{ "promql-extended-range-selectors", CLI_V(3, 10, 0), 0, FX_EXT_RANGE },
	{ "promql-binop-fill-modifiers", CLI_V(3, 14, 0), 0, FX_FILL },
};

static int release_of(const struct compat *c)
{
	struct compat def;

	if (!c) {
		compat_init(&def);
		c = &def;
	}
	return CLI_V(c->major, c->minor, c->patch);
}

/* The row for name[0..len) in release v, or NULL. */
static const struct feature *feature_find(int v, const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct feature *f = &features[i];
		if (strlen(f->name) == len && !strncmp(f->name, name, len) && (!f->since || v >= f->since) &&
		    (!f->until || v < f->until))
			return f;
	}
	return NULL;
}

/* Calls fn for each non-empty comma-separated name given to --enable-feature. */
static void each_feature(const struct cli_ctx *c, void (*fn)(const char *name, size_t len, void *arg), void *arg)
{
	size_t n;
	const char *const *v = cli_list(c, "enable-feature", &n);

	for (size_t i = 0; i < n; i++) {
		for (const char *p = v[i];;) {
			size_t len = strcspn(p, ",");
			if (len)
				fn(p, len, arg);
			if (!p[len])
				break;
			p += len + 1;
		}
	}
}

struct warn_ctx {
	int v;
	struct buf q;
};

static void warn_feature(const char *name, size_t len, void *arg)
{
	struct warn_ctx *w = arg;
	const struct feature *f = feature_find(w->v, name, len);

	buf_reset(&w->q);
	go_quote(&w->q, name, len); /* Go's %q */
	if (f && f->fx == FX_STABLE_NOOP)
		printf("  WARNING: Option for --enable-feature is a no-op after promotion to a stable feature: %s\n",
		       buf_str(&w->q));
	else if (f)
		return;
	else if (w->v < CLI_V(3, 0, 0))
		printf("  WARNING: Unknown option for --enable-feature: %s\n", buf_str(&w->q));
	else if (w->v < CLI_V(3, 4, 0))
		printf("  WARNING: --enable-feature is currently a no-op"); /* 3.0-3.3: no newline */
	else
		printf("  WARNING: Unknown feature passed to --enable-feature: %.*s", (int)len, name);
}

int promtool_feature_warnings(const struct cli_ctx *c)
{
	struct warn_ctx w = { release_of(cli_compat(c)), BUF_INIT };

	each_feature(c, warn_feature, &w);
	buf_release(&w.q);
	return -1;
}

struct opts_ctx {
	int v;
	struct promql_parse_opts *o;
};

static void opt_feature(const char *name, size_t len, void *arg)
{
	struct opts_ctx *oc = arg;
	const struct feature *f = feature_find(oc->v, name, len);

	if (f && f->fx == FX_EXPERIMENTAL)
		oc->o->experimental_functions = true;
	else if (f && f->fx == FX_DURATION)
		oc->o->duration_expressions = true;
	else if (f && f->fx == FX_FILL)
		oc->o->binop_fill_modifiers = true;
	else if (f && f->fx == FX_EXT_RANGE)
		oc->o->extended_range_selectors = true;
}

void promtool_parser_opts(const struct cli_ctx *c, struct promql_parse_opts *out)
{
	struct opts_ctx oc = { release_of(cli_compat(c)), out };

	memset(out, 0, sizeof(*out));
	out->compat = cli_compat(c);
	/* 3.14's promtoolParserOpts: ExperimentalDurationExpr is always on */
	out->duration_expressions = oc.v >= CLI_V(3, 14, 0);
	each_feature(c, opt_feature, &oc);
}
