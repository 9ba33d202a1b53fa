/*
 * Unit tests for rulefmt/: the loaded model (what the backfill and the
 * evaluator read), yaml.v3's resolver and messages, and the PrometheusRule
 * extension.  Byte-exact `check rules` output is pinned by the goldens in
 * testdata/check-rules instead.
 */
#include <stdlib.h>
#include <string.h>

#include "1-common/buf.h"
#include "2-model/labels.h"
#include "4-promql/promql.h"
#include "6-rules/rulefmt.h"
#include "6-rules/validate.h"
#include "6-rules/ytree.h"
#include "tests/unit/check.h"

static struct rulefmt_file *load(const char *text, struct rulefmt_errors *errs)
{
	struct rulefmt_file *f = NULL;

	rulefmt_errors_init(errs);
	if (rulefmt_load_mem(&f, "r.yml", text, strlen(text), errs) < 0)
		CHECK(f == NULL);
	return f;
}

/* Loads text expecting failure; returns all messages joined with '|'. */
static char *load_err(const char *text)
{
	struct rulefmt_errors errs;
	struct rulefmt_file *f = load(text, &errs);
	struct buf b = BUF_INIT;

	CHECK(f == NULL);
	rulefmt_file_free(f);
	for (size_t i = 0; i < errs.n; i++)
		buf_addf(&b, "%s%s", i ? "|" : "", errs.v[i]);
	rulefmt_errors_release(&errs);
	return buf_detach(&b, NULL);
}

static const char good[] =
	"groups:\n"
	"- name: g1\n"
	"  interval: 1m30s\n"
	"  limit: 7\n"
	"  rules:\n"
	"  - record: job:up:sum\n"
	"    expr: sum by (job) (up)\n"
	"    labels:\n"
	"      zeta: z\n"
	"      alpha: 1\n"
	"  - alert: Down\n"
	"    expr: up == 0\n"
	"    for: 5m\n"
	"    keep_firing_for: 1m\n"
	"    annotations:\n"
	"      summary: \"{{ $labels.job }} down\"\n"
	"- name: g2\n"
	"  rules: []\n";

static void test_model(void)
{
	struct rulefmt_errors errs;
	struct rulefmt_file *f = load(good, &errs);
	const struct rulefmt_rule *r;
	struct buf b = BUF_INIT;

	CHECK_EQ_I(errs.n, 0);
	if (!f)
		return;
	CHECK_STR(f->path, "r.yml");
	CHECK(!f->prometheus_rule);
	CHECK_EQ_I(f->ngroups, 2);
	CHECK_STR(f->groups[0].name, "g1");
	CHECK_EQ_I(f->groups[0].interval_ms, 90000);
	CHECK_EQ_I(f->groups[0].limit, 7);
	CHECK_EQ_I(f->groups[0].pos.line, 2);
	CHECK_EQ_I(f->groups[0].pos.col, 3);
	CHECK_EQ_I(f->groups[0].nrules, 2);
	CHECK_EQ_I(f->groups[1].interval_ms, 0);
	CHECK_EQ_I(f->groups[1].nrules, 0);

	r = &f->groups[0].rules[0];
	CHECK_STR(r->record, "job:up:sum");
	CHECK_STR(r->alert, "");
	CHECK_STR(r->expr, "sum by (job) (up)");
	CHECK(r->parsed != NULL);
	if (r->parsed) {
		promql_print(&b, r->parsed);
		CHECK_STR(buf_str(&b), "sum by (job) (up)");
	}
	/* labels come sorted by name, as labels.FromMap sorts them */
	CHECK_EQ_I(r->labels.n, 2);
	if (r->labels.n == 2) {
		CHECK_STR(r->labels.v[0].name, "alpha");
		CHECK_STR(r->labels.v[0].value, "1");
		CHECK_STR(r->labels.v[1].name, "zeta");
	}
	CHECK_EQ_I(r->record_pos.line, 6);
	CHECK_EQ_I(r->record_pos.col, 13);
	CHECK_EQ_I(r->expr_pos.line, 7);
	CHECK_EQ_I(r->alert_pos.line, 0);

	r = &f->groups[0].rules[1];
	CHECK_STR(r->alert, "Down");
	CHECK_EQ_I(r->for_ms, 300000);
	CHECK_EQ_I(r->keep_firing_for_ms, 60000);
	CHECK_EQ_I(r->annotations.n, 1);
	CHECK_STR(r->annotations.v[0].value, "{{ $labels.job }} down");

	buf_release(&b);
	rulefmt_file_free(f);
	rulefmt_errors_release(&errs);
}

static void test_empty(void)
{
	static const char *const inputs[] = { "", "# only a comment\n", "---\n", "~\n", "groups:\n" };

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct rulefmt_errors errs;
		struct rulefmt_file *f = load(inputs[i], &errs);
		CHECK(f != NULL);
		CHECK_EQ_I(errs.n, 0);
		if (f)
			CHECK_EQ_I(f->ngroups, 0);
		rulefmt_file_free(f);
		rulefmt_errors_release(&errs);
	}
}

static void test_errors(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		/* yaml.v3: syntax errors are reported by both decodes */
		{ "groups: [\n", "r.yml: yaml: line 1: did not find expected node content|"
				 "r.yml: yaml: line 1: did not find expected node content" },
		{ "groups: []\ngroups: []\n",
		  "r.yml: yaml: unmarshal errors:\n  line 2: mapping key \"groups\" already defined at line 1|"
		  "r.yml: yaml: unmarshal errors:\n  line 2: mapping key \"groups\" already defined at line 1" },
		{ "groups:\n- name: g\n  foo: 1\n",
		  "r.yml: yaml: unmarshal errors:\n  line 3: field foo not found in type rulefmt.RuleGroup" },
		{ "groups:\n- name: g\n  limit: abcdefghijkl\n",
		  "r.yml: yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `abcdefg...` into int" },
		{ "groups:\n- name: g\n  interval: 5x\n", "r.yml: not a valid duration string: \"5x\"" },
		{ "groups:\n- name: g\n  interval: \"\"\n", "r.yml: empty duration string" },
		{ "groups:\n- name: !!int abc\n", "r.yml: yaml: cannot decode !!str `abc` as a !!int" },
		{ "groups:\n- name: g\n  rules:\n  - record: a\n    alert: b\n    expr: up\n",
		  "r.yml: 4:13: 5:12: group \"g\", rule 1, \"b\": only one of 'record' and 'alert' must be set" },
		{ "groups:\n- name: g\n  rules:\n  - expr: \"\"\n",
		  "r.yml: 0:0: group \"g\", rule 1, \"\": one of 'record' or 'alert' must be set|"
		  "r.yml: 4:11: group \"g\", rule 1, \"\": field 'expr' must be set in rule" },
		{ "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n    labels: {__name__: x}\n",
		  "r.yml: group \"g\", rule 1, \"a\": invalid label name: __name__" },
		{ "groups:\n- name: \"\"\n- name: x\n- name: x\n",
		  "r.yml: 2:3: Groupname must not be empty|r.yml: 4:3: groupname: \"x\" is repeated in the same file" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = load_err(cases[i].in);
		CHECK_STR(got, cases[i].want);
		free(got);
	}
}

static void test_file_errors(void)
{
	struct rulefmt_errors errs;
	struct rulefmt_file *f = NULL;

	rulefmt_errors_init(&errs);
	CHECK_EQ_I(rulefmt_load_file(&f, "/nonexistent/rules.yml", &errs), -1);
	CHECK(f == NULL);
	CHECK_EQ_I(errs.n, 1);
	if (errs.n)
		CHECK_STR(errs.v[0], "/nonexistent/rules.yml: open /nonexistent/rules.yml: no such file or directory");
	rulefmt_errors_release(&errs);
}

static void test_prometheus_rule(void)
{
	struct rulefmt_errors errs;
	struct rulefmt_file *f = NULL;
	char *msg;

	rulefmt_errors_init(&errs);
	CHECK_EQ_I(rulefmt_load_file(&f, "testdata/rules/prometheusrule-originflow.yaml", &errs), 0);
	CHECK_EQ_I(errs.n, 0);
	if (f) {
		CHECK(f->prometheus_rule);
		CHECK_EQ_I(f->ngroups, 2);
		CHECK_STR(f->groups[0].name, "originflow-latency.rules");
		CHECK_EQ_I(f->groups[0].interval_ms, 60000);
		CHECK_EQ_I(f->groups[0].nrules, 4);
		CHECK_STR(f->groups[0].rules[0].record, "http_request_duration_seconds:p95_5m_by_route_tenant");
		CHECK_EQ_I(f->groups[0].rules[0].record_pos.line, 18);
		CHECK_EQ_I(f->groups[1].nrules, 2);
		CHECK_STR(f->groups[1].rules[1].alert, "OriginflowHighP95Latency");
	}
	rulefmt_file_free(f);
	rulefmt_errors_release(&errs);

	/* positions are those of the manifest's own lines */
	msg = load_err("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\n"
		       "spec:\n  groups:\n  - name: g\n    rules:\n    - record: a b\n      expr: up\n");
	CHECK_STR(msg, "r.yml: 8:15: group \"g\", rule 1, \"a b\": invalid recording rule name: a b");
	free(msg);
	/* without the kind, the manifest is an ordinary (invalid) rule file */
	msg = load_err("apiVersion: v1\nspec: {}\n");
	CHECK_STR(msg, "r.yml: yaml: unmarshal errors:\n  line 1: field apiVersion not found in type rulefmt.RuleGroups\n"
		       "  line 2: field spec not found in type rulefmt.RuleGroups");
	free(msg);
}

static void test_resolve(void)
{
	static const struct {
		const char *in, *tag;
	} cases[] = {
		{ "", "!!null" }, { "~", "!!null" }, { "null", "!!null" }, { "true", "!!bool" },
		{ "yes", "!!str" }, { "12", "!!int" }, { "0x1F", "!!int" }, { "0o17", "!!int" },
		{ "-0b101", "!!int" }, { "1_000", "!!int" }, { "1.5", "!!float" }, { ".5", "!!float" },
		{ "1e3", "!!float" }, { ".inf", "!!float" }, { "-.Inf", "!!float" }, { ".nan", "!!float" },
		{ "08", "!!float" }, { "99999999999999999999", "!!float" }, { "18446744073709551615", "!!int" },
		{ "2001-12-14", "!!timestamp" }, { "2001-02-30", "!!str" },
		{ "2001-12-14T21:59:43.10Z", "!!timestamp" }, { "2001-12-14 21:59:43.10", "!!timestamp" },
		{ "5m", "!!str" }, { "<<", "!!str" }, { "+", "!!str" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct yval v;
		CHECK_EQ_I(yresolve(&v, "", cases[i].in, strlen(cases[i].in), NULL), 0);
		if (strcmp(v.tag, cases[i].tag) != 0)
			fprintf(stderr, "resolve(%s)\n", cases[i].in);
		CHECK_STR(v.tag, cases[i].tag);
	}
}

static void test_names(void)
{
	CHECK(labels_valid_metric_name("a:b_c9"));
	CHECK(labels_valid_metric_name(":x"));
	CHECK(!labels_valid_metric_name("9a"));
	CHECK(!labels_valid_metric_name(""));
	CHECK(!labels_valid_metric_name("a-b"));
	CHECK(labels_valid_name("_a9"));
	CHECK(!labels_valid_name("a:b"));
	CHECK(!labels_valid_name("0a"));
}

/* Known answers from promtool 2.42 (Go 1.19 text/template). */
static void test_templates(void)
{
	static const struct {
		const char *in, *want; /* want NULL: parses */
	} cases[] = {
		{ "{{ $labels.instance }} is down at {{ $value | humanize }}", NULL },
		{ "{{ if gt $value 1.0 }}high{{ else if $labels.x }}x{{ else }}low{{ end }}", NULL },
		{ "{{ range $k, $v := $labels }}{{ $k }}={{ $v }}{{ end }}", NULL },
		{ "{{- /* note */ -}} {{ with query \"up\" }}{{ . | first | value }}{{ end }}", NULL },
		{ "{{ $value", "template: t:1: unclosed action" },
		{ "{{ $value\n", "template: t:2: unclosed action started at t:1" },
		{ "{{ $value }", "template: t:1: unexpected \"}\" in operand" },
		{ "{{$value}", "template: t:1: bad character U+007D '}'" },
		{ "{{ foo }}", "template: t:1: function \"foo\" not defined" },
		{ "a\n{{ $x }}", "template: t:2: undefined variable \"$x\"" },
		{ "{{ end }}", "template: t:1: unexpected {{end}}" },
		{ "{{ break }}", "template: t:1: {{break}} outside {{range}}" },
		{ "{{ 0x }}", "template: t:1: illegal number syntax: \"0x\"" },
		{ "{{ $value | 1 }}", "template: t:1: non executable command in pipeline stage 2" },
		{ "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}",
		  "template: t:1: template: multiple definition of template \"a\"" },
		{ "{{ define \"a\" }}{{ $value }}{{ end }}", "template: t:1: undefined variable \"$value\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e = ERR_INIT;
		int r = rulefmt_template_check("t", cases[i].in, strlen(cases[i].in), &e);
		if (!cases[i].want) {
			CHECK_EQ_I(r, 0);
			if (r)
				fprintf(stderr, "template %zu: %s\n", i, err_msg(&e));
		} else {
			CHECK_EQ_I(r, -1);
			CHECK_STR(err_msg(&e), cases[i].want);
		}
		err_release(&e);
	}
}

int main(void)
{
	RUN(test_model);
	RUN(test_empty);
	RUN(test_errors);
	RUN(test_file_errors);
	RUN(test_prometheus_rule);
	RUN(test_resolve);
	RUN(test_names);
	RUN(test_templates);
	return check_done();
}
