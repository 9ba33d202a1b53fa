/*
 * The shape of the command table (internal to promtool/cli*.c and
 * 8-promtool/commands.c; commands themselves only need 8-promtool/cli.h).
 *
 * The table mirrors what promtool 2.42 declares through kingpin v2.2.6: an
 * application with global flags and a tree of commands, each with flags and
 * positional arguments.  Everything in it is static and read-only; the parser
 * keeps its per-run state in struct cli_ctx.
 */
#ifndef PROMTOOL_CLI_TABLE_H
#define PROMTOOL_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "1-common/buf.h"
#include "1-common/compat.h"
#include "8-promtool/cli.h"

/*
 * Releases in the table: a flag, argument or command exists from .since to
 * before .until (0: no bound), so one table describes every promtool
 * 2.42-3.14 (--compat); a changed help text is two entries with adjacent
 * ranges.  CLI_V(2, 43, 0) encodes release 2.43.0.
 */
#define CLI_V(maj, min, pat) ((maj) * 1000000 + (min) * 1000 + (pat))

/*
 * How a value is checked when it is set; each mirrors one kingpin value type
 * and reproduces its error text (8-promtool/cli_values.c).
 */
enum cli_type {
	CLI_BOOL,          /* Bool(): strconv.ParseBool */
	CLI_STRING,        /* String() / Strings() */
	CLI_INT,           /* Int(): kingpin parses it with strconv.ParseFloat */
	CLI_INT64,         /* Int64(): strconv.ParseInt(s, 0, 64) */
	CLI_DURATION,      /* Duration(): time.ParseDuration */
	CLI_URL,           /* URL(): url.Parse */
	CLI_ENUM,          /* Enum(...) */
	CLI_EXISTING_FILE, /* ExistingFile(s)(): must exist and not be a directory */
	CLI_STRING_MAP,    /* StringMap(): KEY=VALUE or KEY:VALUE, repeatable */
};

struct cli_flag {
	const char *name;
	char short_name;          /* 0 when none */
	const char *help;
	enum cli_type type;
	const char *def;          /* Default(), or NULL when none */
	const char *placeholder;  /* PlaceHolder(), or NULL */
	const char *const *enums; /* CLI_ENUM options, NULL-terminated */
	bool required;
	bool hidden;
	bool repeatable;          /* Strings(), StringMap(), ...: kingpin's IsCumulative */
	const char *alias_of;     /* hidden alias: the canonical flag's name */
	int action;               /* enum cli_action for kingpin's built-in flags */
	int since, until;         /* CLI_V range of releases that have it; 0: open */
	int shown_since;          /* hidden before this release, shown from it (0: .hidden) */
	/* a later release's flag we do not implement: listed in its help, and
	 * an error when given (or given any value but unimplemented_unless) */
	bool unimplemented;
	const char *unimplemented_unless;
	bool extension;           /* EXTENSION: ours, not in write-documentation */
};

struct cli_arg {
	const char *name;
	const char *help;
	enum cli_type type;
	const char *def; /* Default(), or NULL */
	bool required;
	bool cumulative; /* Strings()/ExistingFiles(): takes the rest */
	/*
	 * EXTENSION: the long name of a flag that replaces this argument.
	 * When that flag is on the command line the argument is left out:
	 * the positional values given go to the arguments after it.
	 */
	const char *omit_with;
	int since, until; /* CLI_V range, as for flags */
};

struct cli_cmd {
	const char *name;
	const char *help;
	int (*fn)(const struct cli_ctx *c);
	const struct cli_flag *flags; /* terminated by an entry with name NULL */
	const struct cli_arg *args;   /* terminated by an entry with name NULL */
	const struct cli_cmd *subs;   /* terminated by an entry with name NULL */
	bool hidden;
	int since, until; /* CLI_V range, as for flags */
	bool extension;   /* EXTENSION: ours, not in write-documentation */
};

/* Built-in flags kingpin adds to every application. */
enum cli_action {
	CLI_ACT_NONE,
	CLI_ACT_HELP,
	CLI_ACT_HELP_LONG,
	CLI_ACT_HELP_MAN,
	CLI_ACT_VERSION,
	CLI_ACT_COMPLETION_BASH,
	CLI_ACT_COMPLETION_SCRIPT_BASH,
	CLI_ACT_COMPLETION_SCRIPT_ZSH,
};

struct cli_app {
	const char *help;
	const char *version; /* printed by --version */
	const struct cli_flag *flags;
	const struct cli_cmd *cmds; /* the "help" command is implicit */
	/*
	 * Runs after a successful parse, before the command; returns an exit
	 * code to stop there, or -1 to go on (promtool's --enable-feature
	 * warnings live here).
	 */
	int (*before_run)(const struct cli_ctx *c);
	/* the release this view of the table is for (cli_version.c); NULL: 2.42.0 */
	const struct compat *compat;
};

/*
 * The table as one release has it (8-promtool/cli_version.c): entries
 * outside their range dropped, .shown_since applied.  The view owns copies
 * of the arrays (the strings stay the table's); cli_view_free() releases
 * it.  compat NULL is 2.42.0.
 */
struct cli_view;
const struct cli_app *cli_view_app(const struct cli_view *v);
struct cli_view *cli_view_new(const struct cli_app *app, const struct compat *compat);
void cli_view_free(struct cli_view *v);
/*
 * The profile named on the command line (--compat=V, --compat V, before
 * any "--") or in $PROMTOOL_COMPAT, read before parsing so the parser sees
 * that release's flags.  A missing or bad value leaves 2.42.0 (the parse
 * reports a bad one later).
 */
void cli_prescan_compat(struct compat *out, int argc, char **argv);

/* promtool's table (8-promtool/commands.c). */
extern const struct cli_app promtool_app;

/* Runs the application: parses argv, prints help or errors, dispatches. */
int cli_main(const struct cli_app *app, int argc, char **argv);

/*
 * Value checking (8-promtool/cli_values.c).  Returns 0, or -1 with kingpin's
 * error text for the value in *msg (without the ", try --help" suffix).
 */
int cli_value_check(enum cli_type type, const char *const *enums, const char *s,
		    struct buf *msg);
/* The value an Int()/Int64() flag holds after a successful check. */
int64_t cli_value_int(enum cli_type type, const char *s);

/*
 * Help rendering (8-promtool/cli_help.c).  `path` is the selected command chain
 * (path[0..depth-1]), empty for the application.  width is kingpin's guess of
 * the terminal width.
 */
struct cli_help_ctx {
	const char *app_name;
	const struct cli_app *app;
	const struct cli_cmd *path[8];
	int depth;
	int width;
};
void cli_help_usage(struct buf *out, const struct cli_help_ctx *h);
void cli_help_long(struct buf *out, const struct cli_help_ctx *h);
void cli_help_man(struct buf *out, const struct cli_help_ctx *h);
/* kingpin's guessWidth(): $COLUMNS, else the tty width of fd, else 80. */
int cli_guess_width(int fd);
/* Go's doc.ToText: paragraphs re-flowed to width after prefix, indented
 * spans copied as code after code_prefix (cli_help.c). */
void cli_doc_to_text(struct buf *out, const char *text, const char *prefix, const char *code_prefix,
		     int width);
/* The implicit top-level "help" command. */
extern const struct cli_cmd cli_help_cmd;

#endif
