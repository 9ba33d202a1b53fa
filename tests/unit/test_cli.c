/*
 * Parser edge cases of the kingpin-compatible CLI, on a small table of our
 * own, linked from build/libcli.a.  Every expected error text below
 * was checked against the real promtool 2.42 with an equivalent flag.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "8-promtool/cli_table.h"


/* What the command saw, copied out before the context goes away. */
static struct seen {
	int calls;
	char url[64], out[64], word[64];
	bool verbose, verbose_set, feat_x, feat_y, feat_xy;
	int64_t n, big, wait_ns;
	size_t nmatch, nfiles;
	char match[4][32], files[4][32];
} seen;

static void copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "(null)");
}

static int cmd_run(const struct cli_ctx *c)
{
	size_t i, n;
	const char *const *v;

	seen.calls++;
	copy(seen.url, sizeof(seen.url), cli_str(c, "url"));
	copy(seen.out, sizeof(seen.out), cli_str(c, "out"));
	copy(seen.word, sizeof(seen.word), cli_str(c, "word"));
	seen.verbose = cli_bool(c, "verbose");
	seen.verbose_set = cli_isset(c, "verbose");
	seen.feat_x = cli_feature_enabled(c, "x");
	seen.feat_y = cli_feature_enabled(c, "y");
	seen.feat_xy = cli_feature_enabled(c, "x,y");
	seen.n = cli_int(c, "n");
	seen.big = cli_int(c, "big");
	seen.wait_ns = cli_int(c, "wait");
	v = cli_list(c, "match", &n);
	seen.nmatch = n;
	for (i = 0; i < n && i < 4; i++)
		copy(seen.match[i], sizeof(seen.match[i]), v[i]);
	v = cli_list(c, "files", &n);
	seen.nfiles = n;
	for (i = 0; i < n && i < 4; i++)
		copy(seen.files[i], sizeof(seen.files[i]), v[i]);
	return 7;
}

static const char *const kinds[] = { "a", "b", NULL };

static const struct cli_flag run_flags[] = {
	{ .name = "verbose", .short_name = 'v', .type = CLI_BOOL, .help = "Talk." },
	{ .name = "quiet", .short_name = 'q', .type = CLI_BOOL, .help = "Hush." },
	{ .name = "kind", .short_name = 'k', .type = CLI_ENUM, .enums = kinds, .def = "a", .help = "Kind." },
	{ .name = "url", .type = CLI_URL, .def = "http://localhost:9090", .help = "URL." },
	{ .name = "out", .type = CLI_STRING, .def = "data/", .help = "Out." },
	{ .name = "n", .type = CLI_INT, .def = "20", .help = "N." },
	{ .name = "big", .type = CLI_INT64, .help = "Big." },
	{ .name = "wait", .type = CLI_DURATION, .def = "60s", .help = "Wait." },
	{ .name = "match", .type = CLI_STRING, .repeatable = true, .def = "all", .help = "Match." },
	{ .name = "query-url", .type = CLI_URL, .hidden = true, .alias_of = "url", .help = "Alias." },
	{ .name = "start", .type = CLI_STRING, .required = true, .help = "Start." },
	{ 0 },
};
static const struct cli_arg run_args[] = {
	{ .name = "word", .type = CLI_STRING, .required = true, .help = "Word." },
	{ .name = "files", .type = CLI_STRING, .cumulative = true, .help = "Files." },
	{ 0 },
};
static const struct cli_cmd sub_cmds[] = {
	{ .name = "run", .fn = cmd_run, .flags = run_flags, .args = run_args, .help = "Run." },
	{ 0 },
};
static const struct cli_cmd top_cmds[] = {
	{ .name = "grp", .subs = sub_cmds, .help = "Group." },
	{ 0 },
};
static const struct cli_flag top_flags[] = {
	{ .name = "help", .short_name = 'h', .type = CLI_BOOL, .action = CLI_ACT_HELP, .help = "Help." },
	{ .name = "version", .type = CLI_BOOL, .action = CLI_ACT_VERSION, .help = "Version." },
	{ .name = "enable-feature", .type = CLI_STRING, .def = "", .repeatable = true, .help = "Features." },
	{ 0 },
};
static const struct cli_app app = {
	.help = "Test app.", .version = "t 1", .flags = top_flags, .cmds = top_cmds,
};

static char out_text[8192], err_text[8192];

static void slurp(FILE *f, char *dst, size_t n)
{
	size_t got;

	rewind(f);
	got = fread(dst, 1, n - 1, f);
	dst[got] = 0;
}

/* Runs the test app on a NULL-terminated argv, capturing stdout/stderr. */
static int run(const char *first, ...)
{
	char *argv[32];
	int argc = 0, rc, so, se;
	va_list ap;
	const char *a;
	FILE *fo = tmpfile(), *fe = tmpfile();

	memset(&seen, 0, sizeof(seen));
	argv[argc++] = "/some/dir/promtool";
	va_start(ap, first);
	for (a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	rc = cli_main(&app, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(fo, out_text, sizeof(out_text));
	slurp(fe, err_text, sizeof(err_text));
	fclose(fo);
	fclose(fe);
	return rc;
}

#define ERR(msg) "promtool: error: " msg ", try --help\n"

static void test_flags_anywhere(void)
{
	CHECK_EQ_I(run("grp", "run", "w", "--start=1", "x", "--out", "o", "y", NULL), 7);
	CHECK_STR(seen.word, "w");
	CHECK_STR(seen.out, "o");
	CHECK_EQ_I(seen.nfiles, 2);
	CHECK_STR(seen.files[0], "x");
	CHECK_STR(seen.files[1], "y");
	/* a command's flags are unknown before the command word */
	CHECK_EQ_I(run("--out=o", "grp", "run", "w", "--start=1", NULL), 1);
	CHECK_STR(err_text, ERR("unknown long flag '--out'"));
	/* global flags work after the command */
	CHECK_EQ_I(run("grp", "run", "--version", NULL), 0);
	CHECK_STR(out_text, "t 1\n");
}

static void test_defaults_and_types(void)
{
	CHECK_EQ_I(run("grp", "run", "--start", "1", "w", NULL), 7);
	CHECK_STR(seen.url, "http://localhost:9090");
	CHECK_STR(seen.out, "data/");
	CHECK_EQ_I(seen.n, 20);
	CHECK_EQ_I(seen.wait_ns, 60000000000LL);
	CHECK_EQ_I(seen.nmatch, 1);
	CHECK_STR(seen.match[0], "all");
	CHECK(!seen.verbose && !seen.verbose_set);
	/* kingpin parses Int() with ParseFloat and truncates */
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--n=1.9", "--big=0x10", "--wait=1m30s", NULL), 7);
	CHECK_EQ_I(seen.n, 1);
	CHECK_EQ_I(seen.big, 16);
	CHECK_EQ_I(seen.wait_ns, 90000000000LL);
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--big=1_000", NULL), 7);
	CHECK_EQ_I(seen.big, 1000);
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--big=-9223372036854775808", NULL), 7);
	CHECK_EQ_I(seen.big, INT64_MIN);
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--big=9223372036854775808", NULL), 1);
	CHECK_STR(err_text, ERR("strconv.ParseInt: parsing \"9223372036854775808\": value out of range"));
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--big=08", NULL), 1);
	CHECK_STR(err_text, ERR("strconv.ParseInt: parsing \"08\": invalid syntax"));
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--wait=1h1h", NULL), 7);
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--wait=1d", NULL), 1);
	CHECK_STR(err_text, ERR("time: unknown unit \"d\" in duration \"1d\""));
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--wait=-", NULL), 1);
	CHECK_STR(err_text, ERR("time: invalid duration \"-\""));
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "-kc", NULL), 1);
	CHECK_STR(err_text, ERR("enum value must be one of a,b, got 'c'"));
}

static void test_bools_and_shorts(void)
{
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "-vq", NULL), 7);
	CHECK(seen.verbose && seen.verbose_set);
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--no-verbose", NULL), 7);
	CHECK(!seen.verbose && seen.verbose_set);
	/* -kb: a value flag takes the rest of the word */
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "-vkb", NULL), 7);
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "-vx", NULL), 1);
	CHECK_STR(err_text, ERR("unknown short flag '-x'"));
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--no-out", NULL), 1);
	CHECK_STR(err_text, ERR("unknown long flag '--no-out'"));
	/* a bool flag leaves "=false" to become an argument */
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--verbose=false", NULL), 7);
	CHECK(seen.verbose);
	CHECK_STR(seen.files[0], "false");
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "-v", "-v", NULL), 1);
	CHECK_STR(err_text, ERR("flag 'verbose' cannot be repeated"));
}

static void test_repeat_alias_dashdash(void)
{
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--match=x", "--match", "y", NULL), 7);
	CHECK_EQ_I(seen.nmatch, 2);
	CHECK_STR(seen.match[0], "x");
	CHECK_STR(seen.match[1], "y");
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--query-url=http://q", NULL), 7);
	CHECK_STR(seen.url, "http://q");
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--query-url=http://q", "--url=http://u", NULL), 1);
	CHECK_STR(err_text, ERR("flag 'url' cannot be repeated"));
	CHECK_EQ_I(run("grp", "run", "--start=1", "--", "--w", "-v", NULL), 7);
	CHECK_STR(seen.word, "--w");
	CHECK_STR(seen.files[0], "-v");
	CHECK(!seen.verbose);
}

static void test_features(void)
{
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", NULL), 7);
	CHECK(!seen.feat_x && !seen.feat_y);
	CHECK_EQ_I(run("--enable-feature=a,x", "grp", "run", "--start=1", "w", "--enable-feature", ",y,", NULL), 7);
	CHECK(seen.feat_x && seen.feat_y && !seen.feat_xy);
}

static void test_errors(void)
{
	CHECK_EQ_I(run("grp", "run", "w", NULL), 1);
	CHECK_STR(err_text, ERR("required flag --start not provided"));
	CHECK_EQ_I(run("grp", "run", "--start=1", NULL), 1);
	CHECK_STR(err_text, ERR("required argument 'word' not provided"));
	CHECK_EQ_I(run("grp", NULL), 1);
	CHECK_STR(err_text, ERR("must select a subcommand of 'grp'"));
	CHECK_EQ_I(run("grp", "wal\"k", NULL), 1);
	CHECK_STR(err_text, ERR("expected command but got \"wal\\\"k\""));
	CHECK_EQ_I(run("grp", "run", "--start", NULL), 1);
	CHECK_STR(err_text, ERR("expected argument for flag '--start'"));
	CHECK_EQ_I(run("grp", "run", "--start", "--out=x", NULL), 1);
	CHECK_STR(err_text, ERR("expected argument for flag '--start'"));
	CHECK_EQ_I(run("grp", "run", "--start=1", "w", "--url=http://h:x", NULL), 1);
	CHECK_STR(err_text, ERR("invalid URL: parse \"http://h:x\": invalid port \":x\" after host"));
	CHECK_EQ_I(run("help", "nope", NULL), 1);
	CHECK_STR(err_text, "promtool: error: expected command but got \"nope\"\n");
	/* no command at all: usage on stdout, exit 0 */
	CHECK_EQ_I(run(NULL), 0);
	CHECK(!strncmp(out_text, "usage: promtool [<flags>] <command> [<args> ...]\n", 49));
	CHECK_STR(err_text, "");
}

static void test_at_file(void)
{
	char path[] = "/tmp/test_cli_argsXXXXXX";
	char at[64];
	int fd = mkstemp(path);
	const char body[] = "grp\n# comment\nrun\r\n--start=1\nw\n";

	CHECK(fd >= 0);
	CHECK_EQ_I(write(fd, body, sizeof(body) - 1), (long long)sizeof(body) - 1);
	close(fd);
	snprintf(at, sizeof(at), "@%s", path);
	CHECK_EQ_I(run(at, NULL), 7);
	CHECK_STR(seen.word, "w");
	unlink(path);
	CHECK_EQ_I(run("grp", "run", "@", NULL), 1);
	CHECK_STR(err_text, ERR("expected @ file to expand arguments from"));
	CHECK_EQ_I(run("@/nonexistent/x", NULL), 1);
	CHECK_STR(err_text, ERR("failed to open arguments file \"/nonexistent/x\": open /nonexistent/x: no such file or directory"));
}

/* Minimum-raggedness wrapping, not greedy: greedy would leave "a" alone. */
static void test_wrap(void)
{
	struct buf out = BUF_INIT;

	cli_doc_to_text(&out, "aaa bb cc ddddd", "", "  ", 6);
	CHECK_STR(buf_str(&out), "aaa\nbb cc\nddddd\n");
	buf_reset(&out);
	/* a break after punctuation is preferred */
	cli_doc_to_text(&out, "one two, three four", "> ", "  ", 14);
	CHECK_STR(buf_str(&out), "> one two,\n> three four\n");
	buf_reset(&out);
	cli_doc_to_text(&out, "p1 line\n\np2\n\n  code  x\n", "  ", "    ", 40);
	CHECK_STR(buf_str(&out), "  p1 line\n\n  p2\n\n    code  x\n");
	buf_release(&out);
}

int main(void)
{
	setenv("COLUMNS", "80", 1);
	RUN(test_flags_anywhere);
	RUN(test_defaults_and_types);
	RUN(test_bools_and_shorts);
	RUN(test_repeat_alias_dashdash);
	RUN(test_features);
	RUN(test_errors);
	RUN(test_at_file);
	RUN(test_wrap);
	return check_done();
}
