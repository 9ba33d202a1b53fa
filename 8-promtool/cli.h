/*
 * The command-line interface: one static table of commands (promtool/
 * commands.c) drives parsing, help output and dispatch, in the layout of
 * kingpin v2 as promtool 2.42 uses it.
 *
 * A command is a function `int cmd_xxx(const struct cli_ctx *c)` that returns
 * the process exit code.  It reads its parsed flags and arguments through
 * the accessors below by their long name ("max-block-duration") or argument
 * name ("input file"), prints its own output, and reports its own errors on
 * stderr.  Strings returned by the accessors are owned by the context and
 * live until the command returns.
 *
 * Values have passed kingpin's type checks before the command runs (existing
 * files exist, URLs parse, durations are Go durations, enums are valid).
 * Int/Int64 values read through cli_str() are in canonical decimal form
 * (kingpin reads Int() flags with ParseFloat, so "--limit=1.5" is 1).
 * An unset flag or argument reads as its default; a repeatable flag left
 * unset reads as a one-element list holding the default ("--enable-feature"
 * gives [""]), and given on the command line its values replace the
 * default.  StringMap values (query range --header) are listed as typed,
 * "KEY=VALUE"; kingpin splits them at the first ':' or '='.
 */
#ifndef PROMTOOL_CLI_H
#define PROMTOOL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cli_ctx;
struct compat;

/* The value of a flag or argument (the default when not given), or NULL. */
const char *cli_str(const struct cli_ctx *c, const char *name);
/* True when the flag/argument was given on the command line. */
bool cli_isset(const struct cli_ctx *c, const char *name);
/* A boolean flag's value (--x / --no-x / its default). */
bool cli_bool(const struct cli_ctx *c, const char *name);
/* Every value of a repeatable flag or variadic argument, in order; *n gets
 * the count.  The array is owned by the context. */
const char *const *cli_list(const struct cli_ctx *c, const char *name, size_t *n);

/* The value of an Int/Int64 flag or argument; of a Duration flag, in
 * nanoseconds.  0 when unset and without default. */
int64_t cli_int(const struct cli_ctx *c, const char *name);
/* Whether --enable-feature named this feature (comma-separated values). */
bool cli_feature_enabled(const struct cli_ctx *c, const char *feature);
/* The version profile (--compat, PROMTOOL_COMPAT; 2.42.0 by default). */
const struct compat *cli_compat(const struct cli_ctx *c);
/* The program name used in messages ("promtool"). */
const char *cli_app_name(const struct cli_ctx *c);

/*
 * Prints "promtool: error: <msg>, try --help" to stderr the way kingpin
 * reports usage errors, and returns 1, so commands can `return cli_usage_error(...)`.
 */
int cli_usage_error(const struct cli_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
