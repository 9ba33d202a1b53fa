/*
 * Help output generated from the command table, in the layout of kingpin
 * v2.2.6's DefaultUsageTemplate, LongHelpTemplate and ManPageTemplate as
 * promtool 2.42 prints them.  Help text is wrapped the way Go 1.19's
 * go/doc.ToText does (promtool 2.42 in Debian is built with go1.19): words
 * are re-flowed into lines chosen to minimise raggedness, preferring breaks
 * after punctuation -- not greedy filling.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "2-model/labels.h"
#include "1-common/xalloc.h"
#include "8-promtool/cli_table.h"

/* The implicit top-level command kingpin adds when there are commands. */
static const struct cli_arg help_cmd_args[] = {
	{ .name = "command", .help = "Show help on command.", .type = CLI_STRING, .cumulative = true },
	{ 0 },
};
const struct cli_cmd cli_help_cmd = {
	.name = "help",
	.help = "Show help.",
	.args = help_cmd_args,
};

int cli_guess_width(int fd)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;

	/* kingpin takes $COLUMNS when it is an integer (strconv.Atoi). */
	if (cols && *cols) {
		const char *p = cols + (*cols == '-' || *cols == '+');
		char *end;
		long v;
		if (*p >= '0' && *p <= '9') {
			v = strtol(cols, &end, 10);
			if (!*end && v > -(1L << 24) && v < (1L << 24))
				return (int)v;
		}
	}
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0)
		return ws.ws_col;
	return 80;
}

/* ---- go/doc.ToText (Go 1.19) for plain paragraphs and code blocks ---- */

static size_t runes(const char *s, size_t n)
{
	size_t i, r = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			r++;
	return r;
}

struct word {
	const char *s;
	size_t len;
};

struct score {
	int64_t hi, lo;
};

static int score_cmp(struct score a, struct score b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

struct wrap_state {
	const struct word *w;
	size_t n;
	int64_t max;
	int64_t *total; /* runes incl. one separator per word in w[:j] */
	struct score *f;
};

/*
 * The cost of a line holding words [i, j): squared slack, plus 64 unless
 * it ends in . , : or ;.  Overlong lines count in `hi`, so they are avoided
 * first; a last line that fits costs nothing.
 */
static struct score weight(const struct wrap_state *st, size_t i, size_t j)
{
	int64_t len = st->total[j] - 1 - st->total[i];
	int64_t slack = st->max - len, pen = 64;
	char last = st->w[j - 1].s[st->w[j - 1].len - 1];

	if (j == st->n && len <= st->max)
		return (struct score){ 0, 0 };
	if (last == '.' || last == ',' || last == ':' || last == ';')
		pen = 0;
	if (len > st->max)
		return (struct score){ slack * slack, pen };
	return (struct score){ 0, slack * slack + pen };
}

static struct score g(const struct wrap_state *st, size_t i, size_t j)
{
	struct score w = weight(st, i, j);

	return (struct score){ st->f[i].hi + w.hi, st->f[i].lo + w.lo };
}

/*
 * Whether candidate b can be dropped because c overtakes it before a
 * stops being better (the "bridge" test of Hirschberg and Larmore's least
 * weight subsequence algorithm, which Go's go/doc/comment uses).
 */
static bool bridge(const struct wrap_state *st, size_t a, size_t b, size_t c)
{
	size_t lo = c, hi = st->n + 1, k;

	/* first k >= c with g(a,k) > g(b,k) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (score_cmp(g(st, a, mid), g(st, b, mid)) > 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	k = lo;
	if (k > st->n)
		return true;
	return score_cmp(g(st, c, k), g(st, b, k)) <= 0;
}

/* Splits words into lines of at most max runes; returns line starts in
 * seq (caller frees), *nseq entries, the last being n. */
static size_t *wrap(const struct word *w, size_t n, int64_t max, size_t *nseq)
{
	struct wrap_state st = { w, n, max, NULL, NULL };
	size_t *d, nd = 1, dfirst = 0, *bestleft, *seq, m, cnt;
	long long mm;

	st.total = xcalloc(n + 1, sizeof(*st.total));
	for (m = 0; m < n; m++)
		st.total[m + 1] = st.total[m] + (int64_t)runes(w[m].s, w[m].len) + 1;
	st.f = xcalloc(n + 1, sizeof(*st.f));
	d = xcalloc(n + 1, sizeof(*d));
	bestleft = xcalloc(n + 1, sizeof(*bestleft));
	d[0] = 0;
	for (m = 1; m < n; m++) {
		st.f[m] = g(&st, d[dfirst], m);
		bestleft[m] = d[dfirst];
		while (nd - dfirst > 1 && score_cmp(g(&st, d[dfirst + 1], m + 1), g(&st, d[dfirst], m + 1)) <= 0)
			dfirst++;
		while (nd - dfirst > 1 && bridge(&st, d[nd - 2], d[nd - 1], m))
			nd--;
		if (score_cmp(g(&st, m, n), g(&st, d[nd - 1], n)) < 0) {
			d[nd++] = m;
			if (nd - dfirst == 2 && score_cmp(g(&st, d[dfirst + 1], m + 1), g(&st, d[dfirst], m + 1)) <= 0)
				dfirst++;
		}
	}
	if (n > 0)
		bestleft[n] = d[dfirst];
	cnt = 1;
	for (mm = (long long)n; mm > 0; mm = (long long)bestleft[mm])
		cnt++;
	seq = xcalloc(cnt, sizeof(*seq));
	*nseq = cnt;
	for (mm = (long long)n; mm > 0; mm = (long long)bestleft[mm])
		seq[--cnt] = (size_t)mm;
	seq[0] = 0;
	free(st.total);
	free(st.f);
	free(d);
	free(bestleft);
	return seq;
}

/* Ends a line, dropping trailing blanks first (go/doc/comment's writeNL). */
static void write_nl(struct buf *out)
{
	while (out->len && (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == '\t'))
		out->len--;
	buf_addc(out, '\n');
}

static bool blank_line(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Go's comment parser turns `` and '' into curly quotes in plain text. */
static void add_plain(struct buf *para, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i + 1 < n && s[i] == '`' && s[i + 1] == '`') {
			buf_adds(para, "\xe2\x80\x9c");
			i++;
		} else if (i + 1 < n && s[i] == '\'' && s[i + 1] == '\'') {
			buf_adds(para, "\xe2\x80\x9d");
			i++;
		} else {
			buf_addc(para, (unsigned char)s[i]);
		}
	}
}

static void paragraph(struct buf *out, const char *text, size_t len, const char *prefix, int width)
{
	struct buf para = BUF_INIT;
	struct word *w = NULL;
	size_t n = 0, alloc = 0, i, nseq, *seq;
	const char *p, *end;

	add_plain(&para, text, len);
	p = (const char *)para.data;
	end = p + para.len;
	while (p < end) {
		const char *s;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end)
			break;
		s = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		ALLOC_GROW(w, n + 1, alloc);
		w[n++] = (struct word){ s, (size_t)(p - s) };
	}
	if (width < 0 || n == 0) {
		nseq = 2;
		seq = xcalloc(2, sizeof(*seq));
		seq[1] = n;
	} else {
		seq = wrap(w, n, width, &nseq);
	}
	for (i = 0; i + 1 < nseq; i++) {
		size_t j;
		buf_adds(out, prefix);
		for (j = seq[i]; j < seq[i + 1]; j++) {
			if (j > seq[i])
				buf_addc(out, ' ');
			buf_add(out, w[j].s, w[j].len);
		}
		write_nl(out);
	}
	free(seq);
	free(w);
	buf_release(&para);
}

/*
 * doc.ToText(w, text, prefix, codePrefix, width): blank-line separated
 * paragraphs are re-flowed to width runes after prefix; indented spans are
 * code, copied with codePrefix.  Lists and headings are not needed by any
 * promtool help text and are treated as paragraphs.
 */
void cli_doc_to_text(struct buf *out, const char *text, const char *prefix, const char *code_prefix,
		     int width)
{
	const char *p = text, *end = text + strlen(text);
	bool first = true;

	if (width == 0)
		width = 80 - (int)runes(prefix, strlen(prefix));
	while (p < end) {
		const char *span, *eol;
		bool code;

		/* skip blank lines */
		for (;;) {
			eol = memchr(p, '\n', (size_t)(end - p));
			if (!eol)
				eol = end;
			if (p < end && blank_line(p, (size_t)(eol - p)))
				p = eol < end ? eol + 1 : end;
			else
				break;
		}
		if (p >= end)
			break;
		code = *p == ' ' || *p == '\t';
		span = p;
		while (p < end) {
			eol = memchr(p, '\n', (size_t)(end - p));
			if (!eol)
				eol = end;
			if (blank_line(p, (size_t)(eol - p)))
				break;
			if (code != (*p == ' ' || *p == '\t') && p != span)
				break;
			p = eol < end ? eol + 1 : end;
		}
		if (!first) {
			buf_adds(out, prefix);
			write_nl(out);
		}
		first = false;
		if (!code) {
			size_t n = (size_t)(p - span);
			paragraph(out, span, n && span[n - 1] == '\n' ? n - 1 : n, prefix, width);
			continue;
		}
		for (const char *q = span; q < p;) {
			const char *e = memchr(q, '\n', (size_t)(p - q));
			const char *t = q;
			if (!e)
				e = p;
			while (t < e && (*t == ' ' || *t == '\t'))
				t++;
			buf_adds(out, code_prefix);
			buf_add(out, t, (size_t)(e - t));
			write_nl(out);
			q = e < p ? e + 1 : p;
		}
	}
}

/* ---- kingpin's model strings ---- */

static void placeholder(struct buf *out, const struct cli_flag *f)
{
	const char *s;

	if (f->placeholder) {
		buf_adds(out, f->placeholder);
		return;
	}
	if (f->def) {
		/* only String() values quote their default */
		if (f->type == CLI_STRING && !f->repeatable)
			go_quote(out, f->def, strlen(f->def));
		else
			buf_adds(out, f->def);
		return;
	}
	for (s = f->name; *s; s++)
		buf_addc(out, (unsigned char)toupper((unsigned char)*s));
}

static bool any_short(const struct cli_flag *const *flags, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (flags[i]->short_name)
			return true;
	return false;
}

/* neg: kingpin v2.3+ (promtool 2.43+) writes a bool flag as --[no-]name */
static void format_flag(struct buf *out, bool have_short, const struct cli_flag *f, bool neg)
{
	const char *no = neg && f->type == CLI_BOOL ? "[no-]" : "";

	if (f->short_name)
		buf_addf(out, "-%c, --%s%s", f->short_name, no, f->name);
	else
		buf_addf(out, "%s--%s%s", have_short ? "    " : "", no, f->name);
	if (f->type != CLI_BOOL) {
		buf_addc(out, '=');
		placeholder(out, f);
	}
	if (f->repeatable)
		buf_adds(out, " ...");
}

/* FlagSummary: required flags spelled out, then "[<flags>]" if others. */
static void flag_summary(struct buf *out, const struct cli_flag *flags)
{
	const struct cli_flag *f;
	size_t count = 0, shown = 0;

	for (f = flags; f && f->name; f++) {
		if (strcmp(f->name, "help"))
			count++;
		if (!f->required)
			continue;
		buf_addf(out, "%s", shown ? " " : "");
		if (f->type == CLI_BOOL) {
			buf_addf(out, "--[no-]%s", f->name);
		} else {
			buf_addf(out, "--%s=", f->name);
			placeholder(out, f);
		}
		shown++;
	}
	if (count != shown)
		buf_addf(out, "%s[<flags>]", shown ? " " : "");
}

/* The "FormatCommand" template: " [<flags>] <a> [<b>]" ("*" marks
 * defaults in the man page). */
static void format_command(struct buf *out, const struct cli_flag *flags, const struct cli_arg *args, bool man)
{
	const struct cli_arg *a;
	struct buf sum = BUF_INIT;

	flag_summary(&sum, flags);
	if (sum.len)
		buf_addf(out, " %s", buf_str(&sum));
	buf_release(&sum);
	for (a = args; a && a->name; a++)
		buf_addf(out, " %s<%s%s>%s%s", a->required ? "" : "[", a->name, man && a->def ? "*" : "",
			 a->cumulative ? "..." : "", a->required ? "" : "]");
}

/* ---- two columns (kingpin's formatTwoColumns) ---- */

struct row {
	char *left;
	const char *right;
};

static void two_columns(struct buf *out, int indent, int padding, int width, const struct row *rows, size_t n)
{
	size_t i, s = 0;

	for (i = 0; i < n; i++) {
		size_t c = strlen(rows[i].left);
		if (c > s && c < 30)
			s = c;
	}
	for (i = 0; i < n; i++) {
		struct buf text = BUF_INIT;
		const char *line, *nl;
		size_t len = strlen(rows[i].left);

		cli_doc_to_text(&text, rows[i].right, "", "  ", width - (int)s - padding - indent);
		while (text.len && text.data[text.len - 1] == '\n')
			text.len--;
		text.data[text.len] = 0;
		buf_addf(out, "%*s%-*s%*s", indent, "", (int)s, rows[i].left, padding, "");
		if (len >= 30)
			buf_addf(out, "\n%*s", indent + (int)s + padding, "");
		line = buf_str(&text);
		nl = strchr(line, '\n');
		buf_add(out, line, nl ? (size_t)(nl - line) : strlen(line));
		buf_addc(out, '\n');
		while (nl) {
			line = nl + 1;
			nl = strchr(line, '\n');
			buf_addf(out, "%*s", indent + (int)s + padding, "");
			buf_add(out, line, nl ? (size_t)(nl - line) : strlen(line));
			buf_addc(out, '\n');
		}
		buf_release(&text);
	}
}

static void flag_rows(struct buf *out, const struct cli_flag *const *flags, size_t n, int indent, int padding,
		      int width, bool neg)
{
	struct row *rows = xcalloc(n + 1, sizeof(*rows));
	bool have_short = any_short(flags, n);
	size_t i, nr = 0;

	for (i = 0; i < n; i++) {
		struct buf left = BUF_INIT;
		if (flags[i]->hidden)
			continue;
		format_flag(&left, have_short, flags[i], neg);
		rows[nr].left = buf_detach(&left, NULL);
		rows[nr++].right = flags[i]->help;
	}
	two_columns(out, indent, padding, width, rows, nr);
	for (i = 0; i < nr; i++)
		free(rows[i].left);
	free(rows);
}

/* ---- the context: flags and args of the app and the selected commands ---- */

struct scope {
	const struct cli_flag *flags[64];
	size_t nflags;
	const struct cli_arg *args[16];
	size_t nargs;
};

static void scope_of(const struct cli_help_ctx *h, struct scope *sc)
{
	const struct cli_flag *f;
	const struct cli_arg *a;
	int d;

	memset(sc, 0, sizeof(*sc));
	for (f = h->app->flags; f->name; f++)
		if (sc->nflags < 64)
			sc->flags[sc->nflags++] = f;
	for (d = 0; d < h->depth; d++) {
		for (f = h->path[d]->flags; f && f->name; f++)
			if (sc->nflags < 64)
				sc->flags[sc->nflags++] = f;
		for (a = h->path[d]->args; a && a->name; a++)
			if (sc->nargs < 16)
				sc->args[sc->nargs++] = a;
	}
}

static void full_name(struct buf *out, const struct cli_cmd *const *chain, int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_addf(out, "%s%s", i ? " " : "", chain[i]->name);
}

/* Wrap N: the help paragraph indented by n spaces. */
static void wrap_indent(struct buf *out, const char *text, int n, int width)
{
	char ind[32], code[34];

	snprintf(ind, sizeof(ind), "%*s", n, "");
	snprintf(code, sizeof(code), "  %s", ind);
	cli_doc_to_text(out, text, ind, code, width - n);
}

typedef void (*visit_fn)(struct buf *out, const struct cli_cmd *const *chain, int depth,
			 const struct cli_help_ctx *h);

/* kingpin v2.3+ (promtool 2.43+): --[no-]bool, a blank line more after the usage */
static bool kingpin_2_3(const struct cli_help_ctx *h)
{
	return compat_on(h->app->compat, COMPAT_CLI_KINGPIN_2_3);
}

/* Visits leaf commands depth-first in declaration order (FlattenedCommands). */
static void flatten(struct buf *out, const struct cli_cmd *cmds, const struct cli_cmd **chain, int depth,
		    const struct cli_help_ctx *h, visit_fn fn)
{
	const struct cli_cmd *c;

	if (depth >= 8)
		return;
	for (c = cmds; c && c->name; c++) {
		chain[depth] = c;
		if (!c->subs || !c->subs[0].name) {
			if (!c->hidden)
				fn(out, chain, depth + 1, h);
		}
		flatten(out, c->subs, chain, depth + 1, h, fn);
	}
}

static void visit_short(struct buf *out, const struct cli_cmd *const *chain, int depth,
			const struct cli_help_ctx *h)
{
	int width = h->width;
	const struct cli_cmd *c = chain[depth - 1];

	full_name(out, chain, depth);
	format_command(out, c->flags, c->args, false);
	buf_addc(out, '\n');
	wrap_indent(out, c->help, 4, width);
	buf_addc(out, '\n');
}

static void visit_long(struct buf *out, const struct cli_cmd *const *chain, int depth,
		       const struct cli_help_ctx *h)
{
	int width = h->width;
	const struct cli_cmd *c = chain[depth - 1];
	const struct cli_flag *fl[64];
	size_t n = 0;

	visit_short(out, chain, depth, h);
	for (const struct cli_flag *p = c->flags; p && p->name && n < 64; p++)
		fl[n++] = p;
	flag_rows(out, fl, n, 4, 2, width, kingpin_2_3(h));
	buf_addc(out, '\n');
}

static void commands(struct buf *out, const struct cli_help_ctx *h, const struct cli_cmd *const *prefix, int depth,
		     const struct cli_cmd *cmds, visit_fn fn)
{
	const struct cli_cmd *chain[8];

	if (depth)
		memcpy(chain, prefix, sizeof(*chain) * (size_t)depth);
	if (depth == 0) {
		chain[0] = &cli_help_cmd;
		fn(out, chain, 1, h);
	}
	flatten(out, cmds, chain, depth, h, fn);
}

static void usage_line(struct buf *out, const struct cli_help_ctx *h, const struct cli_cmd *sel)
{
	const struct cli_flag *flags = sel ? sel->flags : h->app->flags;
	const struct cli_arg *args = sel ? sel->args : NULL;
	const struct cli_cmd *subs = sel ? sel->subs : h->app->cmds;
	const char *help = sel ? sel->help : h->app->help;

	buf_addf(out, "usage: %s", h->app_name);
	if (sel) {
		buf_addc(out, ' ');
		full_name(out, h->path, h->depth);
	}
	format_command(out, flags, args, false);
	if (subs && subs->name)
		buf_adds(out, " <command> [<args> ...]");
	buf_addc(out, '\n');
	if (help && *help) {
		buf_addc(out, '\n');
		wrap_indent(out, help, 0, h->width);
	}
	buf_addc(out, '\n');
}

static void flags_and_args(struct buf *out, const struct cli_help_ctx *h, const struct scope *sc)
{
	size_t i;

	if (sc->nflags) {
		buf_adds(out, "Flags:\n");
		flag_rows(out, sc->flags, sc->nflags, 2, 2, h->width, kingpin_2_3(h));
		buf_addc(out, '\n');
	}
	if (sc->nargs) {
		struct row rows[16];
		buf_adds(out, "Args:\n");
		for (i = 0; i < sc->nargs; i++) {
			rows[i].left = xasprintf(sc->args[i]->required ? "<%s>" : "[<%s>]", sc->args[i]->name);
			rows[i].right = sc->args[i]->help;
		}
		two_columns(out, 2, 2, h->width, rows, sc->nargs);
		for (i = 0; i < sc->nargs; i++)
			free(rows[i].left);
		buf_addc(out, '\n');
	}
}

void cli_help_usage(struct buf *out, const struct cli_help_ctx *h)
{
	const struct cli_cmd *sel = h->depth ? h->path[h->depth - 1] : NULL;
	struct scope sc;

	scope_of(h, &sc);
	usage_line(out, h, sel);
	if (kingpin_2_3(h))
		buf_addc(out, '\n'); /* v2.3's template: "{{end}}\n" after the usage block */
	flags_and_args(out, h, &sc);
	if (sel) {
		if (sel->subs && sel->subs->name) {
			buf_adds(out, "Subcommands:\n");
			commands(out, h, h->path, h->depth, sel->subs, visit_short);
			buf_addc(out, '\n');
		}
	} else if (h->app->cmds && h->app->cmds->name) {
		buf_adds(out, "Commands:\n");
		commands(out, h, NULL, 0, h->app->cmds, visit_short);
		buf_addc(out, '\n');
	}
}

void cli_help_long(struct buf *out, const struct cli_help_ctx *h)
{
	struct scope sc;

	scope_of(h, &sc);
	usage_line(out, h, NULL);
	flags_and_args(out, h, &sc);
	if (h->app->cmds && h->app->cmds->name) {
		buf_adds(out, "Commands:\n");
		commands(out, h, NULL, 0, h->app->cmds, visit_long);
		buf_addc(out, '\n');
	}
}

/* ---- man page (ManPageTemplate) ---- */

static void man_flags(struct buf *out, const struct cli_flag *flags)
{
	const struct cli_flag *f;

	for (f = flags; f && f->name; f++) {
		if (f->hidden)
			continue;
		buf_adds(out, ".TP\n\\fB");
		if (f->short_name)
			buf_addf(out, "-%c, ", f->short_name);
		buf_addf(out, "--%s", f->name);
		if (f->type != CLI_BOOL) {
			buf_addc(out, '=');
			placeholder(out, f);
		}
		buf_addf(out, "\\fR\n%s\n", f->help);
	}
}

static void visit_man(struct buf *out, const struct cli_cmd *const *chain, int depth,
		      const struct cli_help_ctx *h)
{
	const struct cli_cmd *c = chain[depth - 1];

	(void)h;
	buf_adds(out, ".SS\n\\fB");
	full_name(out, chain, depth);
	format_command(out, c->flags, c->args, true);
	buf_addf(out, "\\fR\n.PP\n%s\n", c->help);
	man_flags(out, c->flags);
}

void cli_help_man(struct buf *out, const struct cli_help_ctx *h)
{
	buf_addf(out, ".TH %s 1 %s \"\"\n", h->app_name, h->app->version);
	buf_addf(out, ".SH \"NAME\"\n%s\n", h->app_name);
	buf_addf(out, ".SH \"SYNOPSIS\"\n.TP\n\\fB%s", h->app_name);
	format_command(out, h->app->flags, NULL, true);
	if (h->app->cmds && h->app->cmds->name)
		buf_adds(out, " <command> [<args> ...]");
	buf_addf(out, "\\fR\n\n.SH \"DESCRIPTION\"\n%s\n.SH \"OPTIONS\"\n", h->app->help);
	man_flags(out, h->app->flags);
	if (h->app->cmds && h->app->cmds->name) {
		buf_adds(out, ".SH \"COMMANDS\"\n");
		commands(out, h, NULL, 0, h->app->cmds, visit_man);
	}
}
