/*
 * promtool's command table: every command, flag and argument of promtool
 * 2.42 (cmd/promtool/main.go at v2.42.0), in declaration order, because
 * kingpin prints them in that order.  Help strings are promtool's, word for
 * word.  Entries marked EXTENSION are ours; see COMPATIBILITY.md.
 *
 * Later releases (--compat): an entry with .since/.until exists only in
 * that range of releases (cli_version.c copies out one release's table);
 * each range was read off cmd/promtool/main.go at the tags, for the
 * commands we implement.  A changed help text is two entries.  Flags a
 * release has that we do not implement are listed (help stays that
 * release's) with .unimplemented: giving one is an error, never ignored.
 */
#include <stdio.h>
#include <string.h>

#include "2-model/labels.h"
#include "8-promtool/cli_table.h"
#include "8-promtool/commands.h"

#define END { 0 }

#define LINT_FATAL_HELP "Make lint errors exit with exit code 3."
#define DB_PATH_HELP "Database path (default is data/)."
#define SERVER_HELP "Prometheus server to query."
#define HUMAN_HELP "Print human readable values."
/* httpConfigFileDescription: 2.43 words it one way, 3.6 another */
#define HTTP_CONFIG_HELP_243 "HTTP client configuration file for promtool to connect to Prometheus."
#define HTTP_CONFIG_HELP_36                                                                               \
	"HTTP client configuration file, see details at "                                                 \
	"https://prometheus.io/docs/prometheus/latest/configuration/promtool"
/* a later release's --http.config.file on a command that does not read it */
#define HTTP_CONFIG_FLAGS_UNIMPLEMENTED(from)                                                             \
	{ .name = "http.config.file", .type = CLI_EXISTING_FILE, .placeholder = "<filename>",               \
	  .since = (from), .until = CLI_V(3, 6, 0), .unimplemented = true, .help = HTTP_CONFIG_HELP_243 },  \
	{ .name = "http.config.file", .type = CLI_EXISTING_FILE, .placeholder = "<filename>",               \
	  .since = CLI_V(3, 6, 0), .unimplemented = true, .help = HTTP_CONFIG_HELP_36 }
static const char *const query_formats[] = { "promql", "json", NULL };

/* ---- global flags: kingpin's built-ins, then promtool's ---- */

static const struct cli_flag app_flags[] = {
	{ .name = "help", .short_name = 'h', .type = CLI_BOOL, .action = CLI_ACT_HELP,
	  .help = "Show context-sensitive help (also try --help-long and --help-man)." },
	{ .name = "help-long", .type = CLI_BOOL, .hidden = true, .action = CLI_ACT_HELP_LONG,
	  .help = "Generate long help." },
	{ .name = "help-man", .type = CLI_BOOL, .hidden = true, .action = CLI_ACT_HELP_MAN,
	  .help = "Generate a man page." },
	{ .name = "completion-bash", .type = CLI_BOOL, .hidden = true, .action = CLI_ACT_COMPLETION_BASH,
	  .help = "Output possible completions for the given args." },
	{ .name = "completion-script-bash", .type = CLI_BOOL, .hidden = true,
	  .action = CLI_ACT_COMPLETION_SCRIPT_BASH, .help = "Generate completion script for bash." },
	{ .name = "completion-script-zsh", .type = CLI_BOOL, .hidden = true,
	  .action = CLI_ACT_COMPLETION_SCRIPT_ZSH, .help = "Generate completion script for ZSH." },
	{ .name = "version", .type = CLI_BOOL, .action = CLI_ACT_VERSION, .help = "Show application version." },
	{ .name = "experimental", .type = CLI_BOOL, .help = "Enable experimental commands.",
	  .since = CLI_V(2, 46, 0) },
	{ .name = "enable-feature", .type = CLI_STRING, .def = "", .repeatable = true, .until = CLI_V(3, 0, 0),
	  .help = "Comma separated feature names to enable (only PromQL related and no-default-scrape-port). "
		  "See https://prometheus.io/docs/prometheus/latest/feature_flags/ for the options and more "
		  "details." },
	{ .name = "enable-feature", .type = CLI_STRING, .def = "", .repeatable = true, .since = CLI_V(3, 0, 0),
	  .until = CLI_V(3, 4, 0), .help = "Comma separated feature names to enable. Currently unused." },
	{ .name = "enable-feature", .type = CLI_STRING, .def = "", .repeatable = true, .since = CLI_V(3, 4, 0),
	  .until = CLI_V(3, 10, 0),
	  .help = "Comma separated feature names to enable. Valid options: promql-experimental-functions, "
		  "promql-delayed-name-removal. See https://prometheus.io/docs/prometheus/latest/feature_flags/ "
		  "for more details" },
	{ .name = "enable-feature", .type = CLI_STRING, .def = "", .repeatable = true, .since = CLI_V(3, 10, 0),
	  .until = CLI_V(3, 14, 0),
	  .help = "Comma separated feature names to enable. Valid options: promql-experimental-functions, "
		  "promql-delayed-name-removal, promql-duration-expr, promql-extended-range-selectors. See "
		  "https://prometheus.io/docs/prometheus/latest/feature_flags/ for more details" },
	{ .name = "enable-feature", .type = CLI_STRING, .def = "", .repeatable = true, .since = CLI_V(3, 14, 0),
	  .help = "Comma separated feature names to enable. Valid options: promql-experimental-functions, "
		  "promql-delayed-name-removal, promql-extended-range-selectors. See "
		  "https://prometheus.io/docs/prometheus/latest/feature_flags/ for more details" },
	/* EXTENSION: the promtool release to behave like; see COMPATIBILITY.md.
	 * Hidden in the 2.42 profile only, so 2.42's help stays identical. */
	{ .name = "compat", .type = CLI_STRING, .hidden = true, .extension = true, .placeholder = "VERSION", .shown_since = CLI_V(2, 43, 0),
	  .help = "Behave like this promtool release (2.42 to 3.14; also $PROMTOOL_COMPAT)." },
	END,
};

/* ---- check ---- */

static const struct cli_flag check_flags[] = {
	{ .name = "query.lookback-delta", .type = CLI_DURATION, .def = "5m", .since = CLI_V(3, 2, 0),
	  .unimplemented = true, .help = "The server's maximum query lookback duration." },
	/* 3.9 moves it to check metrics, which we do not implement */
	{ .name = "extended", .type = CLI_BOOL, .until = CLI_V(3, 9, 0),
	  .help = "Print extended information related to the cardinality of the metrics." },
	END,
};

static const struct cli_flag check_sd_flags[] = {
	{ .name = "timeout", .type = CLI_DURATION, .def = "30s",
	  .help = "The time to wait for discovery results." },
	END,
};
static const struct cli_arg check_sd_args[] = {
	{ .name = "config-file", .help = "The prometheus config file.", .type = CLI_EXISTING_FILE, .required = true },
	{ .name = "job", .help = "The job to run service discovery for.", .type = CLI_STRING, .required = true },
	END,
};

static const struct cli_flag check_config_flags[] = {
	{ .name = "syntax-only", .type = CLI_BOOL,
	  .help = "Only check the config file syntax, ignoring file and content validation referenced in the config" },
	{ .name = "lint", .type = CLI_STRING, .def = "duplicate-rules", .until = CLI_V(3, 2, 0),
	  .help = "Linting checks to apply to the rules specified in the config. Available options are: all, "
		  "duplicate-rules, none. Use --lint=none to disable linting" },
	{ .name = "lint", .type = CLI_STRING, .def = "duplicate-rules", .since = CLI_V(3, 2, 0),
	  .help = "Linting checks to apply to the rules/scrape configs specified in the config. Available options "
		  "are: all, duplicate-rules, none, too-long-scrape-interval. Use --lint=none to disable linting" },
	{ .name = "lint-fatal", .type = CLI_BOOL, .def = "false", .help = LINT_FATAL_HELP },
	{ .name = "ignore-unknown-fields", .type = CLI_BOOL, .def = "false", .since = CLI_V(3, 2, 0),
	  .help = "Ignore unknown fields in the rule groups read by the config files. This is useful when you want "
		  "to extend rule files with custom metadata. Ensure that those fields are removed before loading "
		  "them into the Prometheus server as it performs strict checks by default." },
	{ .name = "agent", .type = CLI_BOOL, .help = "Check config file for Prometheus in Agent mode." },
	END,
};
static const struct cli_arg check_config_args[] = {
	{ .name = "config-files", .help = "The config files to check.", .type = CLI_EXISTING_FILE, .required = true,
	  .cumulative = true },
	END,
};

static const struct cli_arg check_web_config_args[] = {
	{ .name = "web-config-files", .help = "The config files to check.", .type = CLI_EXISTING_FILE,
	  .required = true, .cumulative = true },
	END,
};

static const struct cli_flag check_rules_flags[] = {
	{ .name = "lint", .type = CLI_STRING, .def = "duplicate-rules", .help = "Linting checks to apply. Available options are: all, duplicate-rules, none. Use --lint=none to "
		  "disable linting" },
	{ .name = "lint-fatal", .type = CLI_BOOL, .def = "false", .help = LINT_FATAL_HELP },
	{ .name = "ignore-unknown-fields", .type = CLI_BOOL, .def = "false", .since = CLI_V(3, 2, 0),
	  .help = "Ignore unknown fields in the rule files. This is useful when you want to extend rule files with "
		  "custom metadata. Ensure that those fields are removed before loading them into the Prometheus "
		  "server as it performs strict checks by default." },
	END,
};
static const struct cli_arg check_rules_args[] = {
	{ .name = "rule-files", .help = "The rule files to check.", .type = CLI_EXISTING_FILE, .required = true,
	  .cumulative = true, .until = CLI_V(2, 46, 0) },
	{ .name = "rule-files", .help = "The rule files to check, default is read from standard input.",
	  .type = CLI_EXISTING_FILE, .cumulative = true, .since = CLI_V(2, 46, 0) },
	END,
};

/* check healthy / ready (2.44) */
static const struct cli_flag check_server_flags[] = {
	{ .name = "http.config.file", .type = CLI_EXISTING_FILE, .placeholder = "<filename>",
	  .since = CLI_V(2, 44, 0), .until = CLI_V(3, 6, 0), .help = HTTP_CONFIG_HELP_243 },
	{ .name = "http.config.file", .type = CLI_EXISTING_FILE, .placeholder = "<filename>",
	  .since = CLI_V(3, 6, 0), .help = HTTP_CONFIG_HELP_36 },
	{ .name = "url", .type = CLI_URL, .def = "http://localhost:9090", .help = "The URL for the Prometheus server." },
	END,
};

/* 3.9 moves --extended here from check and adds --lint */
static const struct cli_flag check_metrics_flags[] = {
	{ .name = "extended", .type = CLI_BOOL, .since = CLI_V(3, 9, 0),
	  .help = "Print extended information related to the cardinality of the metrics." },
	{ .name = "lint", .type = CLI_STRING, .def = "all", .since = CLI_V(3, 9, 0),
	  .help = "Linting checks to apply for metrics. Available options are: all, none. Use --lint=none to "
		  "disable metrics linting." },
	END,
};

static const struct cli_cmd check_cmds[] = {
	{ .name = "service-discovery", .fn = cmd_check_service_discovery, .flags = check_sd_flags,
	  .args = check_sd_args,
	  .help = "Perform service discovery for the given job name and report the results, including relabeling." },
	{ .name = "config", .fn = cmd_check_config, .flags = check_config_flags, .args = check_config_args,
	  .help = "Check if the config files are valid or not." },
	{ .name = "web-config", .fn = cmd_check_web_config, .args = check_web_config_args,
	  .help = "Check if the web config files are valid or not." },
	{ .name = "healthy", .fn = cmd_check_healthy, .flags = check_server_flags, .since = CLI_V(2, 44, 0),
	  .help = "Check if the Prometheus server is healthy." },
	{ .name = "ready", .fn = cmd_check_ready, .flags = check_server_flags, .since = CLI_V(2, 44, 0),
	  .help = "Check if the Prometheus server is ready." },
	{ .name = "rules", .fn = cmd_check_rules, .flags = check_rules_flags, .args = check_rules_args,
	  .help = "Check if the rule files are valid or not." },
	{ .name = "metrics", .fn = cmd_check_metrics, .until = CLI_V(3, 9, 0),
	  .help = "Pass Prometheus metrics over stdin to lint them for consistency and correctness.\n"
		  "\n"
		  "examples:\n"
		  "\n"
		  "$ cat metrics.prom | promtool check metrics\n"
		  "\n"
		  "$ curl -s http://localhost:9090/metrics | promtool check metrics" },
	{ .name = "metrics", .fn = cmd_check_metrics, .flags = check_metrics_flags, .since = CLI_V(3, 9, 0),
	  .help = "Pass Prometheus metrics over stdin to lint them for consistency and correctness, and optionally "
		  "perform cardinality analysis.\n"
		  "\n"
		  "examples:\n"
		  "\n"
		  "$ cat metrics.prom | promtool check metrics\n"
		  "\n"
		  "$ curl -s http://localhost:9090/metrics | promtool check metrics --extended\n"
		  "\n"
		  "$ curl -s http://localhost:9100/metrics | promtool check metrics --extended --lint=none" },
	END,
};

/* ---- query ---- */

static const struct cli_flag query_flags[] = {
	{ .name = "format", .short_name = 'o', .type = CLI_ENUM, .enums = query_formats, .def = "promql",
	  .help = "Output format of the query." },
	HTTP_CONFIG_FLAGS_UNIMPLEMENTED(CLI_V(2, 43, 0)),
	END,
};

/*
 * EXTENSION, last in each query command's flags: --source-dir answers from
 * a TSDB data directory with our engine; the <server> argument is then
 * left out (.omit_with).
 */
#define QUERY_SOURCE_DIR_FLAG                                                                              \
	{ .name = "source-dir", .type = CLI_STRING, .placeholder = "<path>", .extension = true,            \
	  .help = "Answer from the TSDB data directory at <path> with the built-in engine instead of "     \
		  "querying a server; <server> is then left out." }

static const struct cli_flag query_instant_flags[] = {
	{ .name = "time", .type = CLI_STRING, .help = "Query evaluation time (RFC3339 or Unix timestamp)." },
	{ .name = "header", .type = CLI_STRING_MAP, .repeatable = true, .since = CLI_V(3, 12, 0),
	  .help = "Extra headers to send to server." },
	QUERY_SOURCE_DIR_FLAG,
	END,
};
static const struct cli_arg query_expr_args[] = {
	{ .name = "server", .help = SERVER_HELP, .type = CLI_URL, .required = true, .omit_with = "source-dir" },
	{ .name = "expr", .help = "PromQL query expression.", .type = CLI_STRING, .required = true },
	END,
};

static const struct cli_flag query_range_flags[] = {
	{ .name = "header", .type = CLI_STRING_MAP, .repeatable = true, .help = "Extra headers to send to server." },
	{ .name = "start", .type = CLI_STRING, .help = "Query range start time (RFC3339 or Unix timestamp)." },
	{ .name = "end", .type = CLI_STRING, .help = "Query range end time (RFC3339 or Unix timestamp)." },
	{ .name = "step", .type = CLI_DURATION, .help = "Query step size (duration)." },
	QUERY_SOURCE_DIR_FLAG,
	END,
};

static const struct cli_flag query_series_flags[] = {
	{ .name = "match", .type = CLI_STRING, .required = true, .repeatable = true,
	  .help = "Series selector. Can be specified multiple times." },
	{ .name = "start", .type = CLI_STRING, .help = "Start time (RFC3339 or Unix timestamp)." },
	{ .name = "end", .type = CLI_STRING, .help = "End time (RFC3339 or Unix timestamp)." },
	QUERY_SOURCE_DIR_FLAG,
	END,
};
static const struct cli_arg query_server_args[] = {
	{ .name = "server", .help = SERVER_HELP, .type = CLI_URL, .required = true, .omit_with = "source-dir" },
	END,
};

static const struct cli_flag query_labels_flags[] = {
	{ .name = "start", .type = CLI_STRING, .help = "Start time (RFC3339 or Unix timestamp)." },
	{ .name = "end", .type = CLI_STRING, .help = "End time (RFC3339 or Unix timestamp)." },
	{ .name = "match", .type = CLI_STRING, .repeatable = true,
	  .help = "Series selector. Can be specified multiple times." },
	QUERY_SOURCE_DIR_FLAG,
	END,
};
static const struct cli_arg query_labels_args[] = {
	{ .name = "server", .help = SERVER_HELP, .type = CLI_URL, .required = true, .omit_with = "source-dir" },
	{ .name = "name", .help = "Label name to provide label values for.", .type = CLI_STRING, .required = true },
	END,
};

/* query analyze (2.50): every argument is a flag */
static const struct cli_flag query_analyze_flags[] = {
	{ .name = "server", .type = CLI_URL, .required = true, .help = SERVER_HELP },
	{ .name = "type", .type = CLI_STRING, .required = true, .help = "Type of metric: histogram." },
	{ .name = "duration", .type = CLI_DURATION, .def = "1h", .help = "Time frame to analyze." },
	{ .name = "time", .type = CLI_STRING, .help = "Query time (RFC3339 or Unix timestamp), defaults to now." },
	{ .name = "match", .type = CLI_STRING, .required = true, .repeatable = true,
	  .help = "Series selector. Can be specified multiple times." },
	END,
};

/* promtool declares "labels" after the debug commands, but under query. */
static const struct cli_cmd query_cmds[] = {
	{ .name = "instant", .fn = cmd_query_instant, .flags = query_instant_flags, .args = query_expr_args,
	  .help = "Run instant query." },
	{ .name = "range", .fn = cmd_query_range, .flags = query_range_flags, .args = query_expr_args,
	  .help = "Run range query." },
	{ .name = "series", .fn = cmd_query_series, .flags = query_series_flags, .args = query_server_args,
	  .help = "Run series query." },
	{ .name = "labels", .fn = cmd_query_labels, .flags = query_labels_flags, .args = query_labels_args,
	  .help = "Run labels query." },
	{ .name = "analyze", .fn = cmd_query_analyze, .flags = query_analyze_flags, .since = CLI_V(2, 50, 0),
	  .help = "Run queries against your Prometheus to analyze the usage pattern of certain metrics." },
	END,
};

/* ---- debug ---- */

static const struct cli_arg debug_pprof_args[] = {
	{ .name = "server", .help = "Prometheus server to get pprof files from.", .type = CLI_STRING,
	  .required = true },
	END,
};
static const struct cli_arg debug_metrics_args[] = {
	{ .name = "server", .help = "Prometheus server to get metrics from.", .type = CLI_STRING, .required = true },
	END,
};
static const struct cli_arg debug_all_args[] = {
	{ .name = "server", .help = "Prometheus server to get all debug information from.", .type = CLI_STRING,
	  .required = true },
	END,
};

static const struct cli_cmd debug_cmds[] = {
	{ .name = "pprof", .fn = cmd_debug_pprof, .args = debug_pprof_args,
	  .help = "Fetch profiling debug information." },
	{ .name = "metrics", .fn = cmd_debug_metrics, .args = debug_metrics_args,
	  .help = "Fetch metrics debug information." },
	{ .name = "all", .fn = cmd_debug_all, .args = debug_all_args, .help = "Fetch all debug information." },
	END,
};

/* ---- push (2.46) ---- */

static const struct cli_flag push_flags[] = {
	{ .name = "http.config.file", .type = CLI_EXISTING_FILE, .placeholder = "<filename>",
	  .since = CLI_V(2, 46, 0), .until = CLI_V(3, 6, 0), .help = HTTP_CONFIG_HELP_243 },
	{ .name = "http.config.file", .type = CLI_EXISTING_FILE, .placeholder = "<filename>",
	  .since = CLI_V(3, 6, 0), .help = HTTP_CONFIG_HELP_36 },
	END,
};
static const struct cli_flag push_metrics_flags[] = {
	{ .name = "label", .type = CLI_STRING_MAP, .def = "job=promtool", .repeatable = true,
	  .help = "Label to attach to metrics. Can be specified multiple times." },
	{ .name = "timeout", .type = CLI_DURATION, .def = "30s", .help = "The time to wait for pushing metrics." },
	{ .name = "header", .type = CLI_STRING_MAP, .repeatable = true, .help = "Prometheus remote write header." },
	{ .name = "protobuf_message", .type = CLI_STRING, .def = "prometheus.WriteRequest", .since = CLI_V(3, 8, 0),
	  .help = "Protobuf message to use when writing (prometheus.WriteRequest or io.prometheus.write.v2.Request)." },
	{ .name = "remote-write.path", .type = CLI_STRING, .def = "/api/v1/write", .since = CLI_V(3, 14, 0),
	  .help = "Override the default remote write API path." },
	END,
};
static const struct cli_arg push_metrics_args[] = {
	{ .name = "remote-write-url", .help = "Prometheus remote write url to push metrics.", .type = CLI_URL,
	  .required = true },
	{ .name = "metric-files", .help = "The metric files to push, default is read from standard input.",
	  .type = CLI_EXISTING_FILE, .cumulative = true },
	END,
};
static const struct cli_cmd push_cmds[] = {
	{ .name = "metrics", .fn = cmd_push_metrics, .flags = push_metrics_flags, .args = push_metrics_args,
	  .help = "Push metrics to a prometheus remote write (for testing purpose only)." },
	END,
};

/* ---- promql (2.46; each command needs --experimental) ---- */

static const char *const matcher_types[] = { "=", "!=", "=~", "!~", NULL };
static const struct cli_arg promql_query_args[] = {
	{ .name = "query", .help = "PromQL query.", .type = CLI_STRING, .required = true },
	END,
};
static const struct cli_flag promql_set_flags[] = {
	{ .name = "type", .short_name = 't', .type = CLI_ENUM, .enums = matcher_types, .def = "=",
	  .help = "Type of the label matcher to set." },
	END,
};
static const struct cli_arg promql_set_args[] = {
	{ .name = "query", .help = "PromQL query.", .type = CLI_STRING, .required = true },
	{ .name = "name", .help = "Name of the label matcher to set.", .type = CLI_STRING, .required = true },
	{ .name = "value", .help = "Value of the label matcher to set.", .type = CLI_STRING, .required = true },
	END,
};
static const struct cli_arg promql_delete_args[] = {
	{ .name = "query", .help = "PromQL query.", .type = CLI_STRING, .required = true },
	{ .name = "name", .help = "Name of the label to delete.", .type = CLI_STRING, .required = true },
	END,
};
static const struct cli_cmd promql_label_cmds[] = {
	{ .name = "set", .fn = cmd_promql_labels_set, .flags = promql_set_flags, .args = promql_set_args,
	  .help = "Set a label matcher in the query." },
	{ .name = "delete", .fn = cmd_promql_labels_delete, .args = promql_delete_args,
	  .help = "Delete a label from the query." },
	END,
};
static const struct cli_cmd promql_cmds[] = {
	{ .name = "format", .fn = cmd_promql_format, .args = promql_query_args,
	  .help = "Format PromQL query to pretty printed form." },
	{ .name = "label-matchers", .subs = promql_label_cmds,
	  .help = "Edit label matchers contained within an existing PromQL query." },
	END,
};

/* ---- test ---- */

static const struct cli_arg test_rules_args[] = {
	{ .name = "test-rule-file", .help = "The unit test file.", .type = CLI_EXISTING_FILE, .required = true,
	  .cumulative = true },
	END,
};

static const struct cli_flag test_rules_flags[] = {
	{ .name = "run", .type = CLI_STRING, .repeatable = true, .since = CLI_V(2, 49, 0), .unimplemented = true,
	  .help = "If set, will only run test groups whose names match the regular expression. Can be specified "
		  "multiple times." },
	/* 3.0 declares debug before diff */
	{ .name = "debug", .type = CLI_BOOL, .def = "false", .since = CLI_V(3, 0, 0), .unimplemented = true,
	  .help = "Enable unit test debugging." },
	{ .name = "diff", .type = CLI_BOOL, .def = "false", .since = CLI_V(2, 50, 0), .unimplemented = true,
	  .help = "[Experimental] Print colored differential output between expected & received output." },
	{ .name = "ignore-unknown-fields", .type = CLI_BOOL, .def = "false", .since = CLI_V(3, 2, 0),
	  .unimplemented = true,
	  .help = "Ignore unknown fields in the test files. This is useful when you want to extend rule files with "
		  "custom metadata. Ensure that those fields are removed before loading them into the Prometheus "
		  "server as it performs strict checks by default." },
	END,
};

static const struct cli_cmd test_cmds[] = {
	{ .name = "rules", .fn = cmd_test_rules, .flags = test_rules_flags, .args = test_rules_args,
	  .help = "Unit tests for rules." },
	END,
};

static const struct cli_flag test_flags[] = {
	{ .name = "junit", .type = CLI_STRING, .since = CLI_V(2, 55, 0), .unimplemented = true,
	  .help = "File path to store JUnit XML test results." },
	END,
};

/* ---- tsdb ---- */

static const struct cli_flag tsdb_bench_write_flags[] = {
	{ .name = "out", .type = CLI_STRING, .def = "benchout", .help = "Set the output path." },
	{ .name = "metrics", .type = CLI_INT, .def = "10000", .help = "Number of metrics to read." },
	{ .name = "scrapes", .type = CLI_INT, .def = "3000", .help = "Number of scrapes to simulate." },
	END,
};
static const struct cli_arg tsdb_bench_write_args[] = {
	{ .name = "file", .type = CLI_STRING, .def = "../../tsdb/testdata/20kseries.json",
	  .help = "Input file with samples data, default is (../../tsdb/testdata/20kseries.json)." },
	END,
};
static const struct cli_cmd tsdb_bench_cmds[] = {
	{ .name = "write", .fn = cmd_tsdb_bench_write, .flags = tsdb_bench_write_flags,
	  .args = tsdb_bench_write_args, .help = "Run a write performance benchmark." },
	END,
};

static const struct cli_flag tsdb_analyze_flags[] = {
	{ .name = "limit", .type = CLI_INT, .def = "20", .help = "How many items to show in each list." },
	{ .name = "extended", .type = CLI_BOOL, .help = "Run extended analysis." },
	{ .name = "match", .type = CLI_STRING, .since = CLI_V(2, 48, 0), .unimplemented = true,
	  .help = "Series selector to analyze. Only 1 set of matchers is supported now." },
	END,
};
static const struct cli_arg tsdb_analyze_args[] = {
	{ .name = "db path", .help = DB_PATH_HELP, .type = CLI_STRING, .def = "data/" },
	{ .name = "block id", .help = "Block to analyze (default is the last block).", .type = CLI_STRING },
	END,
};

static const struct cli_flag tsdb_list_flags[] = {
	{ .name = "human-readable", .short_name = 'r', .type = CLI_BOOL, .help = HUMAN_HELP },
	END,
};
static const struct cli_arg tsdb_db_path_args[] = {
	{ .name = "db path", .help = DB_PATH_HELP, .type = CLI_STRING, .def = "data/" },
	END,
};

/*
 * EXTENSION: --match may be repeated (as in promtool 3.x); the series
 * selected are the union.  Declared as kingpin declares a Strings() flag
 * with a default, so help shows it the way kingpin 2.2.6 would.
 */
static const char *const dump_formats[] = { "prom", "seriesjson", NULL };
#define DUMP_SANDBOX_HELP_253                                                                             \
	"Root directory where a sandbox directory would be created in case WAL replay generates chunks. "  \
	"The sandbox directory is cleaned up at the end."
#define DUMP_SANDBOX_HELP_255                                                                             \
	"Root directory where a sandbox directory will be created, this sandbox is used in case WAL "       \
	"replay generates chunks (default is the database path). The sandbox is cleaned up at the end."
static const struct cli_flag tsdb_dump_flags[] = {
	{ .name = "sandbox-dir-root", .type = CLI_STRING, .def = "data/", .since = CLI_V(2, 53, 0),
	  .until = CLI_V(2, 55, 0),
	  .help = DUMP_SANDBOX_HELP_253 },
	{ .name = "sandbox-dir-root", .type = CLI_STRING, .since = CLI_V(2, 55, 0),
	  .help = DUMP_SANDBOX_HELP_255 },
	{ .name = "min-time", .type = CLI_INT64, .def = "-9223372036854775808", .help = "Minimum timestamp to dump.",
	  .until = CLI_V(3, 5, 0) },
	{ .name = "min-time", .type = CLI_INT64, .def = "-9223372036854775808", .since = CLI_V(3, 5, 0),
	  .help = "Minimum timestamp to dump, in milliseconds since the Unix epoch." },
	{ .name = "max-time", .type = CLI_INT64, .def = "9223372036854775807", .help = "Maximum timestamp to dump.",
	  .until = CLI_V(3, 5, 0) },
	{ .name = "max-time", .type = CLI_INT64, .def = "9223372036854775807", .since = CLI_V(3, 5, 0),
	  .help = "Maximum timestamp to dump, in milliseconds since the Unix epoch." },
	/* 2.43-2.49 word it as 2.42 does; 2.50 makes it a Strings() (ace9c8a3da) */
	{ .name = "match", .type = CLI_STRING, .def = "{__name__=~'(?s:.*)'}", .repeatable = true,
	  .until = CLI_V(2, 43, 0), .help = "Series selector. Can be specified multiple times." },
	{ .name = "match", .type = CLI_STRING, .def = "{__name__=~'(?s:.*)'}", .repeatable = true,
	  .since = CLI_V(2, 43, 0), .until = CLI_V(2, 50, 0), .help = "Series selector." },
	{ .name = "match", .type = CLI_STRING, .def = "{__name__=~'(?s:.*)'}", .repeatable = true,
	  .since = CLI_V(2, 50, 0), .help = "Series selector. Can be specified multiple times." },
	{ .name = "format", .type = CLI_ENUM, .enums = dump_formats, .def = "prom", .since = CLI_V(3, 9, 0),
	  .unimplemented_unless = "prom", .help = "Output format of the dump (prom (default) or seriesjson)." },
	END,
};

/* tsdb dump-openmetrics (2.51): the dump's flags but --format */
static const struct cli_flag tsdb_dump_om_flags[] = {
	{ .name = "sandbox-dir-root", .type = CLI_STRING, .def = "data/", .since = CLI_V(2, 53, 0),
	  .until = CLI_V(2, 55, 0), .help = DUMP_SANDBOX_HELP_253 },
	{ .name = "sandbox-dir-root", .type = CLI_STRING, .since = CLI_V(2, 55, 0), .help = DUMP_SANDBOX_HELP_255 },
	{ .name = "min-time", .type = CLI_INT64, .def = "-9223372036854775808", .help = "Minimum timestamp to dump.",
	  .until = CLI_V(3, 5, 0) },
	{ .name = "min-time", .type = CLI_INT64, .def = "-9223372036854775808", .since = CLI_V(3, 5, 0),
	  .help = "Minimum timestamp to dump, in milliseconds since the Unix epoch." },
	{ .name = "max-time", .type = CLI_INT64, .def = "9223372036854775807", .help = "Maximum timestamp to dump.",
	  .until = CLI_V(3, 5, 0) },
	{ .name = "max-time", .type = CLI_INT64, .def = "9223372036854775807", .since = CLI_V(3, 5, 0),
	  .help = "Maximum timestamp to dump, in milliseconds since the Unix epoch." },
	{ .name = "match", .type = CLI_STRING, .def = "{__name__=~'(?s:.*)'}", .repeatable = true,
	  .help = "Series selector. Can be specified multiple times." },
	END,
};

static const char *const progress_modes[] = { "auto", "always", "never", NULL };
/* EXTENSION after 2.42's flags: --progress, for both importers. */
static const struct cli_flag tsdb_import_flags[] = {
	{ .name = "human-readable", .short_name = 'r', .type = CLI_BOOL, .help = HUMAN_HELP },
	{ .name = "quiet", .short_name = 'q', .type = CLI_BOOL, .help = "Do not print created blocks." },
	{ .name = "max-block-duration", .type = CLI_DURATION, .placeholder = "<duration>", .hidden = true,
	  .help = "Maximum duration created blocks may span. Anything less than 2h is ignored." },
	{ .name = "progress", .type = CLI_ENUM, .enums = progress_modes, .def = "auto", .extension = true,
	  .help = "A progress line on stderr, redrawn in place: auto (when stderr is a terminal), always, never." },
	END,
};
static const struct cli_flag tsdb_import_om_flags[] = {
	{ .name = "label", .type = CLI_STRING_MAP, .repeatable = true, .since = CLI_V(2, 55, 0),
	  .help = "Label to attach to metrics. Can be specified multiple times. Example "
		  "--label=label_name=label_value" },
	END,
};
static const struct cli_arg tsdb_import_om_args[] = {
	{ .name = "input file", .help = "OpenMetrics file to read samples from.", .type = CLI_STRING,
	  .required = true },
	{ .name = "output directory", .help = "Output directory for generated blocks.", .type = CLI_STRING,
	  .def = "data/" },
	END,
};

/*
 * EXTENSIONS after promtool 2.42's own flags (so its help keeps its shape):
 * --http.config.file as promtool 2.43 has it, --source-dir for local
 * evaluation, --query-timeout, --retries and --header for the remote API,
 * the hidden limits --idle-timeout and --max-response-size, and hidden
 * aliases that set the canonical flag.
 */
static const char *const rules_semantics[] = { "promtool", "prometheus", NULL };

#define RULES_HTTP_CONFIG_HELP "HTTP client configuration file for promtool to connect to Prometheus."
static const struct cli_flag tsdb_import_rules_flags[] = {
	/* 2.43 declares it first; 3.6 words it as the other commands do */
	{ .name = "http.config.file", .type = CLI_EXISTING_FILE, .placeholder = "<filename>",
	  .since = CLI_V(2, 43, 0), .until = CLI_V(3, 6, 0), .help = RULES_HTTP_CONFIG_HELP },
	{ .name = "http.config.file", .type = CLI_EXISTING_FILE, .placeholder = "<filename>", .since = CLI_V(3, 6, 0),
	  .help = "HTTP client configuration file, see details at "
		  "https://prometheus.io/docs/prometheus/latest/configuration/promtool" },
	{ .name = "url", .type = CLI_URL, .def = "http://localhost:9090",
	  .help = "The URL for the Prometheus API with the data where the rule will be backfilled from." },
	{ .name = "start", .type = CLI_STRING, .required = true,
	  .help = "The time to start backfilling the new rule from. Must be a RFC3339 formatted date or Unix "
		  "timestamp. Required." },
	{ .name = "end", .type = CLI_STRING,
	  .help = "If an end time is provided, all recording rules in the rule files provided will be backfilled "
		  "to the end time. Default will backfill up to 3 hours ago. Must be a RFC3339 formatted date or "
		  "Unix timestamp." },
	{ .name = "output-dir", .type = CLI_STRING, .def = "data/", .help = "Output directory for generated blocks." },
	{ .name = "eval-interval", .type = CLI_DURATION, .def = "60s",
	  .help = "How frequently to evaluate rules when backfilling if a value is not set in the recording rule "
		  "files." },
	/* EXTENSION in 2.42 (2.43's flag, after 2.42's own) */
	{ .extension = true, .name = "http.config.file", .type = CLI_EXISTING_FILE, .placeholder = "<filename>",
	  .until = CLI_V(2, 43, 0), .help = RULES_HTTP_CONFIG_HELP },
	{ .extension = true, .name = "source-dir", .type = CLI_STRING, .placeholder = "<path>",
	  .help = "Evaluate rules locally against the TSDB data directory at <path> instead of querying --url." },
	{ .extension = true, .name = "query-timeout", .type = CLI_DURATION, .placeholder = "<duration>",
	  .help = "Time limit of each range query: sent to the server as its timeout parameter and enforced by "
		  "promtool." },
	{ .extension = true, .name = "retries", .type = CLI_INT, .def = "0",
	  .help = "How many times to retry a query that failed with a connection error, a timeout, HTTP 429 or "
		  "5xx, with exponential backoff and jitter." },
	{ .extension = true, .name = "header", .type = CLI_STRING, .placeholder = "<name: value>", .repeatable = true,
	  .help = "Extra HTTP header for every query, e.g. \"X-Scope-OrgID: tenant\". Repeatable; values are "
		  "never printed." },
	{ .extension = true, .name = "idle-timeout", .type = CLI_DURATION, .def = "5m", .hidden = true,
	  .help = "Fail a query when the server sends nothing for this long (0: wait forever, as promtool 2.42)." },
	{ .extension = true, .name = "max-response-size", .type = CLI_STRING, .def = "1GiB", .hidden = true,
	  .help = "Fail a query whose response body, as sent or decompressed, is larger (bytes, or KiB, MiB, "
		  "GiB, TiB; 0: no limit)." },
	{ .extension = true, .name = "merge-blocks", .type = CLI_BOOL,
	  .help = "Write one block per time window holding every rule's series, as Prometheus's compactor would "
		  "merge the per-rule blocks." },
	{ .extension = true, .name = "block-duration", .type = CLI_DURATION, .placeholder = "<duration>",
	  .help = "Exact length of the blocks, aligned to multiples of it from the epoch (24h: UTC days). At least "
		  "1h, dividing 24h or a multiple of it." },
	{ .extension = true, .name = "resume", .type = CLI_BOOL,
	  .help = "Record finished blocks in <output-dir>/rules-backfill.resume and, run again with the same "
		  "arguments, write only what is missing. Needs --end." },
	{ .extension = true, .name = "concurrency", .type = CLI_INT, .def = "0",
	  .help = "Windows evaluated at once: evaluation threads with --source-dir, queries in flight with --url; "
		  "0 is one per CPU (at most 4) with --source-dir, 1 with --url. The blocks are the same for any "
		  "value." },
	{ .extension = true, .name = "shard", .type = CLI_STRING, .placeholder = "<i/n>",
	  .help = "Do only shard i of n (0 <= i < n) of the blocks, split deterministically: the shards' blocks "
		  "together are one unsharded run's. auto: i and n from JOB_COMPLETION_INDEX and JOB_COMPLETIONS." },
	{ .extension = true, .name = "semantics", .type = CLI_ENUM, .enums = rules_semantics, .def = "promtool",
	  .help = "promtool: as promtool 2.42 backfills; prometheus: what a live Prometheus 2.42 rule manager "
		  "writes." },
	{ .extension = true, .name = "external-url", .type = CLI_STRING, .placeholder = "<url>",
	  .help = "With --semantics=prometheus: the external URL for alert templates." },
	{ .extension = true, .name = "external-label", .type = CLI_STRING_MAP, .repeatable = true, .placeholder = "<name>=<value>",
	  .help = "With --semantics=prometheus: an external label for alert templates." },
	{ .extension = true, .name = "query-url", .type = CLI_URL, .hidden = true, .alias_of = "url", .help = "Alias of --url." },
	{ .extension = true, .name = "out", .type = CLI_STRING, .hidden = true, .alias_of = "output-dir", .help = "Alias of --output-dir." },
	{ .extension = true, .name = "step", .type = CLI_DURATION, .hidden = true, .alias_of = "eval-interval",
	  .help = "Alias of --eval-interval." },
	END,
};
static const struct cli_arg tsdb_import_rules_args[] = {
	{ .name = "rule-files", .type = CLI_EXISTING_FILE, .required = true, .cumulative = true,
	  .help = "A list of one or more files containing recording rules to be backfilled. All recording rules "
		  "listed in the files will be backfilled. Alerting rules are not evaluated." },
	END,
};

static const struct cli_cmd tsdb_import_cmds[] = {
	{ .name = "openmetrics", .fn = cmd_tsdb_create_blocks_from_openmetrics, .flags = tsdb_import_om_flags,
	  .args = tsdb_import_om_args,
	  .help = "Import samples from OpenMetrics input and produce TSDB blocks. Please refer to the storage docs "
		  "for more details." },
	{ .name = "rules", .fn = cmd_tsdb_create_blocks_from_rules, .flags = tsdb_import_rules_flags,
	  .args = tsdb_import_rules_args, .help = "Create blocks of data for new recording rules." },
	END,
};

static const struct cli_cmd tsdb_cmds[] = {
	{ .name = "bench", .subs = tsdb_bench_cmds, .help = "Run benchmarks." },
	{ .name = "analyze", .fn = cmd_tsdb_analyze, .flags = tsdb_analyze_flags, .args = tsdb_analyze_args,
	  .help = "Analyze churn, label pair cardinality and compaction efficiency." },
	{ .name = "list", .fn = cmd_tsdb_list, .flags = tsdb_list_flags, .args = tsdb_db_path_args,
	  .help = "List tsdb blocks." },
	{ .name = "dump", .fn = cmd_tsdb_dump, .flags = tsdb_dump_flags, .args = tsdb_db_path_args,
	  .help = "Dump samples from a TSDB.", .until = CLI_V(3, 9, 0) },
	{ .name = "dump", .fn = cmd_tsdb_dump, .flags = tsdb_dump_flags, .args = tsdb_db_path_args,
	  .help = "Dump data (series+samples or optionally just series) from a TSDB.", .since = CLI_V(3, 9, 0) },
	{ .name = "dump-openmetrics", .fn = cmd_tsdb_dump_openmetrics, .flags = tsdb_dump_om_flags,
	  .args = tsdb_db_path_args, .since = CLI_V(2, 51, 0), .until = CLI_V(2, 53, 0),
	  .help = "[Experimental] Dump samples from a TSDB into OpenMetrics format. Native histograms are not "
		  "dumped." },
	{ .name = "dump-openmetrics", .fn = cmd_tsdb_dump_openmetrics, .flags = tsdb_dump_om_flags,
	  .args = tsdb_db_path_args, .since = CLI_V(2, 53, 0),
	  .help = "[Experimental] Dump samples from a TSDB into OpenMetrics text format, excluding native "
		  "histograms and staleness markers, which are not representable in OpenMetrics." },
	{ .name = "create-blocks-from", .flags = tsdb_import_flags, .subs = tsdb_import_cmds,
	  .help = "[Experimental] Import samples from input and produce TSDB blocks. Please refer to the storage "
		  "docs for more details." },
	/* EXTENSION, last so that promtool's own listing keeps its order. */
	{ .name = "verify", .fn = cmd_tsdb_verify, .args = tsdb_db_path_args, .extension = true,
	  .help = "Verify the integrity of TSDB blocks." },
	END,
};

static const struct cli_cmd app_cmds[] = {
	{ .name = "check", .flags = check_flags, .subs = check_cmds, .help = "Check the resources for validity." },
	{ .name = "query", .flags = query_flags, .subs = query_cmds, .help = "Run query against a Prometheus server." },
	{ .name = "debug", .subs = debug_cmds, .help = "Fetch debug information." },
	{ .name = "push", .flags = push_flags, .subs = push_cmds, .since = CLI_V(2, 46, 0),
	  .help = "Push to a Prometheus server." },
	{ .name = "test", .flags = test_flags, .subs = test_cmds, .help = "Unit testing." },
	{ .name = "tsdb", .subs = tsdb_cmds, .help = "Run tsdb commands." },
	{ .name = "promql", .subs = promql_cmds, .since = CLI_V(2, 46, 0),
	  .help = "PromQL formatting and editing. Requires the --experimental flag." },
	{ .name = "write-documentation", .fn = cmd_write_documentation, .hidden = true, .since = CLI_V(2, 44, 0),
	  .help = "Generate command line documentation. Internal use." },
	END,
};

#if defined(__x86_64__)
#define PLATFORM "linux/amd64"
#elif defined(__aarch64__)
#define PLATFORM "linux/arm64"
#elif defined(__i386__)
#define PLATFORM "linux/386"
#else
#define PLATFORM "linux/unknown"
#endif

const struct cli_app promtool_app = {
	.help = "Tooling for the Prometheus monitoring system.",
	.version = "promtool, version 2.42.0-c (branch: main, revision: unknown)\n"
		   "  build user:       unknown\n"
		   "  build date:       unknown\n"
		   "  go version:       none (C11 reimplementation)\n"
		   "  platform:         " PLATFORM,
	.flags = app_flags,
	.cmds = app_cmds,
	.before_run = promtool_feature_warnings,
};
