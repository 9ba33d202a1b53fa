/*
 * Every command the CLI table (8-promtool/commands.c) can dispatch to.
 *
 * Each command is `int cmd_xxx(const struct cli_ctx *c)` returning the exit
 * code; see 8-promtool/cli.h for how it reads its flags and arguments.
 * 8-promtool/stubs.c gives each a weak "not implemented" definition; a helper
 * implements a command by writing a normal (strong) definition of the same
 * name in its own file, and the linker prefers that one.
 *
 * COMMAND_LIST(X) calls X(function, "full command") once per command, in the
 * order promtool 2.42 lists them in `promtool --help`, then the commands of
 * later releases; cmd_not_in_build (8-promtool/cmd_later.c) stands for every
 * later command this build lists in help but does not implement.
 */
#ifndef PROMTOOL_COMMANDS_H
#define PROMTOOL_COMMANDS_H

#include "4-promql/promql.h"
#include "8-promtool/cli.h"

#define COMMAND_LIST(X) \
	X(cmd_check_service_discovery, "check service-discovery") \
	X(cmd_check_config, "check config") \
	X(cmd_check_web_config, "check web-config") \
	X(cmd_check_rules, "check rules") \
	X(cmd_check_metrics, "check metrics") \
	X(cmd_query_instant, "query instant") \
	X(cmd_query_range, "query range") \
	X(cmd_query_series, "query series") \
	X(cmd_query_labels, "query labels") \
	X(cmd_debug_pprof, "debug pprof") \
	X(cmd_debug_metrics, "debug metrics") \
	X(cmd_debug_all, "debug all") \
	X(cmd_test_rules, "test rules") \
	X(cmd_tsdb_bench_write, "tsdb bench write") \
	X(cmd_tsdb_analyze, "tsdb analyze") \
	X(cmd_tsdb_list, "tsdb list") \
	X(cmd_tsdb_dump, "tsdb dump") \
	X(cmd_tsdb_verify, "tsdb verify") \
	X(cmd_tsdb_create_blocks_from_openmetrics, "tsdb create-blocks-from openmetrics") \
	X(cmd_tsdb_create_blocks_from_rules, "tsdb create-blocks-from rules") \
	/* commands of later releases (--compat) */ \
	X(cmd_tsdb_dump_openmetrics, "tsdb dump-openmetrics") \
	X(cmd_promql_format, "promql format") \
	X(cmd_promql_labels_set, "promql label-matchers set") \
	X(cmd_promql_labels_delete, "promql label-matchers delete") \
	X(cmd_check_healthy, "check healthy") \
	X(cmd_check_ready, "check ready") \
	X(cmd_write_documentation, "write-documentation") \
	X(cmd_query_analyze, "query analyze") \
	X(cmd_push_metrics, "push metrics") \
	X(cmd_not_in_build, "a later release's command this build does not implement")

#define COMMAND_DECLARE(fn, name) int fn(const struct cli_ctx *c);
COMMAND_LIST(COMMAND_DECLARE)
#undef COMMAND_DECLARE

/*
 * The PromQL parser options promtool's release sets from --enable-feature
 * (features.c's table): experimental functions from 3.4, duration
 * expressions behind their flag in 3.10-3.13 and always from 3.14, binop
 * fill modifiers from 3.14 (promtool 3.10-3.13 had no flag for them).  out
 * borrows the context's profile.
 */
void promtool_parser_opts(const struct cli_ctx *c, struct promql_parse_opts *out);
/* The warnings main() prints about --enable-feature (stdout); returns -1 (go on). */
int promtool_feature_warnings(const struct cli_ctx *c);

#endif
