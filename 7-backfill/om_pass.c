/*
 * The one pass of the OpenMetrics importer (see om_pass.h): a share of the
 * input read with pread() through a bounded buffer, every entry validated,
 * every sample appended to its window.
 *
 * Per line the work is kept to what validation needs.  Series texts that
 * the full parser has accepted once are remembered, so a line that starts
 * with one of them (followed by the space before the value) is valid up to
 * there: the lexer is deterministic and starts every line in the same
 * state.  Inputs written scrape by scrape repeat the same series sequence,
 * so each series also remembers the one that followed it; the next line is
 * checked against that prediction with one memcmp, without scanning or
 * hashing.  The value and timestamp are then parsed and checked as the
 * parser does; anything unusual (comments, exemplars, lines crossing the
 * buffer's end, values the fast float parser declines) goes through the
 * full parser, which gives the same entry or the same error.
 */
#include "7-backfill/om_pass.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "1-common/goerrno.h"
#include "1-common/xalloc.h"
#include "7-backfill/openmetrics.h"

#define REGION_BYTES (1u << 20)
#define READ_CHUNK (1u << 20)
#define NONE UINT32_MAX
#define SPILL_BUDGET (64u << 10)

/* The input file feeding the parser through a buffer. */
struct source {
	int fd;
	unsigned char *buf;
	size_t cap, len;
	uint64_t base;      /* file offset of buf[0] */
	bool eof;
	struct om_parser p;
};

static void source_init(struct source *s, int fd)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->cap = READ_CHUNK;
	s->buf = xmalloc(s->cap);
	om_parser_init(&s->p, s->buf, 0);
	om_parser_set_buffer(&s->p, s->buf, 0, 0, false);
}

static void source_release(struct source *s)
{
	om_parser_release(&s->p);
	free(s->buf);
}

static void source_seek(struct source *s, uint64_t off)
{
	s->base = off;
	s->len = 0;
	s->eof = false;
	om_parser_set_buffer(&s->p, s->buf, 0, 0, false);
}

static inline uint64_t source_pos(const struct source *s)
{
	return s->base + om_parser_pos(&s->p);
}

/* Keeps the bytes from the current entry on and reads more after them. */
static int source_refill(struct source *s, struct err *e)
{
	size_t keep_from = om_parser_pos(&s->p);
	ssize_t n;

	if (keep_from > 0) {
		memmove(s->buf, s->buf + keep_from, s->len - keep_from);
		s->len -= keep_from;
		s->base += keep_from;
	}
	if (s->len == s->cap) {
		/* one entry longer than the buffer */
		if (s->cap > SIZE_MAX / 2)
			return err_set(e, "read input: entry too long");
		s->cap *= 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	for (;;) {
		n = pread(s->fd, s->buf + s->len, s->cap - s->len, (off_t)(s->base + s->len));
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0)
		return err_set(e, "read input: %s", go_strerror(errno));
	if (n == 0)
		s->eof = true;
	s->len += (size_t)n;
	om_parser_set_buffer(&s->p, s->buf, s->len, 0, s->eof);
	return 0;
}

/* om_parser_next over the stream: 0 entry, 1 end, -1 error. */
static int source_next(struct source *s, enum om_entry *out, struct err *e)
{
	for (;;) {
		int r = om_parser_next(&s->p, out, e);
		if (r != 2)
			return r;
		if (source_refill(s, e) < 0)
			return -1;
	}
}

/* Series texts. */

static void names_release(struct om_names *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i].ls);
	free(t->s);
	free(t->table);
	buf_release(&t->arena);
	memset(t, 0, sizeof(*t));
}

static uint32_t names_find(const struct om_names *t, const unsigned char *k, size_t len, uint64_t h)
{
	size_t j;

	if (!t->table_cap)
		return NONE;
	for (j = (size_t)h & (t->table_cap - 1); t->table[j]; j = (j + 1) & (t->table_cap - 1)) {
		const struct om_series *x = &t->s[t->table[j] - 1];
		if (x->hash == h && x->len == len && memcmp(t->arena.data + x->off, k, len) == 0)
			return t->table[j] - 1;
	}
	return NONE;
}

/* Adds a text that is not in t yet; returns its index. */
static uint32_t names_add(struct om_names *t, const unsigned char *k, size_t len, uint64_t h)
{
	struct om_series *x;
	size_t j;

	if ((t->n + 1) * 2 > t->table_cap) {
		size_t cap = t->table_cap ? t->table_cap * 2 : 1024;
		uint32_t *tab = xcalloc(cap, sizeof(*tab));

		for (size_t i = 0; i < t->n; i++) {
			for (j = (size_t)t->s[i].hash & (cap - 1); tab[j]; j = (j + 1) & (cap - 1))
				;
			tab[j] = (uint32_t)i + 1;
		}
		free(t->table);
		t->table = tab;
		t->table_cap = cap;
	}
	for (j = (size_t)h & (t->table_cap - 1); t->table[j]; j = (j + 1) & (t->table_cap - 1))
		;
	ALLOC_GROW(t->s, t->n + 1, t->cap);
	x = &t->s[t->n];
	memset(x, 0, sizeof(*x));
	x->hash = h;
	x->off = t->arena.len;
	x->len = (uint32_t)len;
	x->next = NONE;
	x->last_win = NONE;
	buf_add(&t->arena, k, len);
	t->table[j] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

static struct label *copy_labels(const struct label *ls, size_t n)
{
	size_t bytes = n * sizeof(struct label);
	struct label *out;
	char *p;

	for (size_t i = 0; i < n; i++)
		bytes += strlen(ls[i].name) + strlen(ls[i].value) + 2;
	out = xmalloc(bytes ? bytes : 1);
	p = (char *)(out + n);
	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(ls[i].name) + 1, b = strlen(ls[i].value) + 1;
		memcpy(p, ls[i].name, a);
		out[i].name = p;
		p += a;
		memcpy(p, ls[i].value, b);
		out[i].value = p;
		p += b;
	}
	return out;
}

/*
 * The series part of a sample line of an already validated series text,
 * recognised without the lexer: `name[{...}]` followed by a space, the whole
 * line in the buffer and free of NULs (which the lexer steps over in label
 * values).  Returns the offset of that space, or 0 when the line looks any
 * different; the caller then only looks the text up, so this may reject
 * more than the parser but never decides validity.
 */
static inline bool fl_name(unsigned c)
{
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static size_t series_end_of(const unsigned char *b, size_t len, size_t i)
{
	const unsigned char *nl;

	if (i >= len || !(fl_name(b[i]) && !(b[i] >= '0' && b[i] <= '9')))
		return 0;
	nl = memchr(b + i, '\n', len - i);
	if (!nl || memchr(b + i, 0, (size_t)(nl - b) - i))
		return 0;
	len = (size_t)(nl - b) + 1;
	while (i < len && fl_name(b[i]))
		i++;
	if (i < len && b[i] == '{') {
		i++;
		if (i < len && b[i] == '}') {
			i++;
		} else {
			for (;;) {
				while (i < len && fl_name(b[i]))
					i++;
				if (i + 1 >= len || b[i] != '=' || b[i + 1] != '"')
					return 0;
				i += 2;
				for (;;) {
					const unsigned char *q = memchr(b + i, '"', len - i);
					size_t k, bs = 0;

					if (!q)
						return 0;
					/* an odd run of backslashes escapes the quote */
					k = (size_t)(q - b);
					while (k - bs > i && b[k - bs - 1] == '\\')
						bs++;
					i = k + 1;
					if (bs % 2 == 0)
						break;
				}
				if (i >= len)
					return 0;
				if (b[i] == '}') {
					i++;
					break;
				}
				if (b[i] != ',')
					return 0;
				i++;
			}
		}
	}
	return i < len && b[i] == ' ' ? i : 0;
}

static inline bool is_field(unsigned c)
{
	return c != 0 && c != '\n' && c != ' ';
}

/*
 * The rest of a sample line after the space that ends a valid series text:
 * `value timestamp\n`, checked and converted as the parser does (VALUE and
 * TIMESTAMP are runs of [^ \n\0], parseFloat, a finite timestamp,
 * int64(ts * 1000), then the line break).  False for anything else --
 * exemplars, a missing timestamp, a line not complete in the buffer, an
 * invalid number -- which the full parser then handles.
 */
static bool sample_tail(const unsigned char *b, size_t len, size_t i, double *v, int64_t *ts, size_t *next)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
					1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	size_t vs = i, t0, dot = 0;
	uint64_t n = 0;
	int ndig = 0;
	double tsf;

	/* A plain decimal of up to 15 digits: mantissa and power of ten are
	 * exact doubles, so one division is correctly rounded -- what
	 * om_parse_float (and Go's ParseFloat) return for it. */
	if (i < len && b[i] == '-')
		i++;
	for (; i < len; i++) {
		unsigned c = b[i];
		if (c - '0' < 10) {
			n = n * 10 + (c - '0');
			ndig++;
		} else if (c == '.' && !dot) {
			dot = i;
		} else {
			break;
		}
	}
	if (ndig && ndig <= 15 && i < len && b[i] == ' ') {
		double x = (double)n;
		if (dot)
			x /= pow10[i - dot - 1];
		*v = b[vs] == '-' ? -x : x;
	} else {
		while (i < len && is_field(b[i]))
			i++;
		if (i == vs || i >= len || b[i] != ' ' || om_parse_float(b + vs, i - vs, v) < 0)
			return false;
	}
	n = 0;
	t0 = ++i;
	/* Whole seconds of up to 12 digits: int64(n * 1000.0) is exact and
	 * equals n * 1000 (both factors and the product are below 2^53). */
	while (i < len && (unsigned)(b[i] - '0') < 10 && i - t0 < 13)
		n = n * 10 + (uint64_t)(b[i++] - '0');
	if (i > t0 && i - t0 <= 12 && i < len && b[i] == '\n') {
		*ts = (int64_t)n * 1000;
		*next = i + 1;
		return true;
	}
	for (i = t0; i < len && is_field(b[i]); i++)
		;
	if (i == t0 || i >= len || b[i] != '\n' || b[t0] == '#')
		return false;
	if (om_parse_float(b + t0, i - t0, &tsf) < 0 || isnan(tsf) || isinf(tsf))
		return false;
	*ts = om_float_to_int64(tsf * 1000);
	*next = i + 1;
	return true;
}

/* Windows. */

void om_window_free(struct om_window *w)
{
	if (!w)
		return;
	block_writer_free(w->w);
	err_release(&w->e);
	free(w);
}

static void window_fail(struct om_window *w, const char *ctx)
{
	err_wrap(&w->e, "%s", ctx);
	w->failed = true;
	block_writer_free(w->w); /* its samples will never be written */
	w->w = NULL;
}

/* floor(ts / bd), and the window's bounds saturated to int64. */
static void window_bounds(int64_t ts, int64_t bd, int64_t *k, int64_t *lo, int64_t *hi)
{
	int64_t q = ts / bd;

	if (ts % bd < 0)
		q--;
	*k = q;
	if (__builtin_mul_overflow(q, bd, lo))
		*lo = INT64_MIN;
	if (__builtin_add_overflow(*lo, bd - 1, hi))
		*hi = INT64_MAX;
}

static void wtab_put(struct om_share *sh, uint32_t idx)
{
	size_t j;

	if ((sh->nwins + 1) * 2 > sh->wtab_cap) {
		size_t cap = sh->wtab_cap ? sh->wtab_cap * 2 : 64;
		uint32_t *tab = xcalloc(cap, sizeof(*tab));

		for (size_t i = 0; i < sh->nwins; i++) {
			for (j = (size_t)((uint64_t)sh->wins[i]->k * 0x9E3779B97F4A7C15ull >> 7) & (cap - 1); tab[j];
			     j = (j + 1) & (cap - 1))
				;
			tab[j] = (uint32_t)i + 1;
		}
		free(sh->wtab);
		sh->wtab = tab;
		sh->wtab_cap = cap;
	}
	for (j = (size_t)((uint64_t)sh->wins[idx]->k * 0x9E3779B97F4A7C15ull >> 7) & (sh->wtab_cap - 1);
	     sh->wtab[j]; j = (j + 1) & (sh->wtab_cap - 1))
		;
	sh->wtab[j] = idx + 1;
}

/* The window of ts, created on first use; sets sh->cur. */
static struct om_window *window_slow(struct om_share *sh, int64_t ts)
{
	struct om_window *w;
	int64_t k, lo, hi;
	size_t j;

	window_bounds(ts, sh->bd, &k, &lo, &hi);
	if (sh->wtab_cap) {
		for (j = (size_t)((uint64_t)k * 0x9E3779B97F4A7C15ull >> 7) & (sh->wtab_cap - 1); sh->wtab[j];
		     j = (j + 1) & (sh->wtab_cap - 1)) {
			if (sh->wins[sh->wtab[j] - 1]->k == k) {
				sh->cur_idx = sh->wtab[j] - 1;
				sh->cur = sh->wins[sh->cur_idx];
				return sh->cur;
			}
		}
	}
	w = xcalloc(1, sizeof(*w));
	w->k = k;
	w->lo = lo;
	w->hi = hi;
	err_init(&w->e);
	/* NewBlockWriter with twice the block duration, as backfill.go
	 * does so that the whole window is appendable */
	if (block_writer_new(&w->w, sh->output_dir, 2 * sh->bd, &w->e) < 0)
		window_fail(w, "block writer");
	else if (sh->spill.fd >= 0)
		block_writer_set_spill(w->w, &sh->spill, SPILL_BUDGET);
	ALLOC_GROW(sh->wins, sh->nwins + 1, sh->wins_cap);
	sh->wins[sh->nwins] = w;
	wtab_put(sh, (uint32_t)sh->nwins);
	sh->cur_idx = (uint32_t)sh->nwins++;
	sh->cur = w;
	return w;
}

/*
 * One sample for window w, by series s of a names table (widx: w's index
 * for s->last_win): the body of createBlocks' loop from app.Append on.
 */
static void window_append(struct om_window *w, uint32_t widx, struct om_series *s, const struct label *ls,
			  size_t nls, int64_t ts, double v, int max_samples)
{
	int r;

	if (w->failed)
		return;
	if (s->last_win == widx) {
		r = block_writer_append_ref(w->w, s->last_ref, ts, v, &w->e);
	} else {
		uint32_t ref = NONE;

		r = block_writer_append_get_ref(w->w, ls, nls, ts, v, &ref, &w->e);
		if (ref != NONE) {
			s->last_win = widx;
			s->last_ref = ref;
		}
	}
	if (r < 0) {
		window_fail(w, "add sample");
		return;
	}
	if (++w->samples < max_samples)
		return;
	if (block_writer_commit(w->w, &w->e) < 0) {
		window_fail(w, "commit");
		return;
	}
	w->samples = 0;
}

/* The share's pass. */

void om_share_init(struct om_share *sh)
{
	memset(sh, 0, sizeof(*sh));
	err_init(&sh->e);
	sh->spill.fd = -1;
	sh->lo = INT64_MAX;
	sh->hi = INT64_MIN;
}

void om_share_release(struct om_share *sh)
{
	for (size_t i = 0; i < sh->nwins; i++)
		om_window_free(sh->wins[i]);
	free(sh->wins);
	free(sh->wtab);
	free(sh->regions);
	names_release(&sh->names);
	if (sh->spill.fd >= 0)
		close(sh->spill.fd);
	err_release(&sh->e);
	memset(sh, 0, sizeof(*sh));
}

static struct om_region *region_open(struct om_share *sh, uint64_t start)
{
	struct om_region *r;

	ALLOC_GROW(sh->regions, sh->nregions + 1, sh->regions_cap);
	r = &sh->regions[sh->nregions++];
	r->start = start;
	r->end = UINT64_MAX;
	r->min_ts = INT64_MAX;
	r->max_ts = INT64_MIN;
	r->has_samples = false;
	return r;
}

/* The series the full parser just returned, by text; new ones get their
 * labels copied. */
static uint32_t slow_series(struct om_names *t, struct om_parser *p)
{
	const unsigned char *raw = p->b + p->series_start;
	size_t rlen = p->series_end - p->series_start;
	uint64_t h = XXH3_64bits(raw, rlen);
	uint32_t sid = names_find(t, raw, rlen, h);

	if (sid == NONE) {
		const struct label *ls;
		size_t nls;

		om_parser_metric(p, &ls, &nls);
		sid = names_add(t, raw, rlen, h);
		t->s[sid].ls = copy_labels(ls, nls);
		t->s[sid].nls = nls;
	}
	return sid;
}

/* A reader of sample lines with the series texts it has met. */
struct scan {
	struct source src;
	struct om_names *t;
	uint32_t prev;      /* series of the previous sample */
};

/*
 * The next sample of an entry starting before `to`: 1 with *sid, *ts and
 * *v; 0 when the next entry starts at or after `to` or the input has ended
 * ("# EOF"); -1 with e on the first invalid entry, worded as
 * getMinAndMaxTimestamps words it.
 */
static int scan_next(struct scan *sc, uint64_t to, uint32_t *sid_out, int64_t *ts, double *v, struct err *e)
{
	struct om_names *t = sc->t;
	struct source *src = &sc->src;

	for (;;) {
		const unsigned char *b = src->buf;
		size_t at = om_parser_pos(&src->p), len = src->len, next, send;
		uint32_t sid;
		enum om_entry ent;
		int r;

		if (src->base + at >= to)
			return 0;
		/* the series that followed the previous one last time */
		if (sc->prev != NONE && (sid = t->s[sc->prev].next) != NONE) {
			const struct om_series *s = &t->s[sid];

			if (at + s->len < len && b[at + s->len] == ' ' &&
			    memcmp(b + at, t->arena.data + s->off, s->len) == 0) {
				if (!sample_tail(b, len, at + s->len + 1, v, ts, &next))
					goto slow;
				src->p.i = next;
				sc->prev = *sid_out = sid;
				return 1;
			}
		}
		/* a known series text */
		send = series_end_of(b, len, at);
		if (send) {
			sid = names_find(t, b + at, send - at, XXH3_64bits(b + at, send - at));
			if (sid != NONE && sample_tail(b, len, send + 1, v, ts, &next)) {
				src->p.i = next;
				goto link;
			}
		}
slow:
		r = source_next(src, &ent, e);
		if (r == 1)
			return 0;
		if (r < 0)
			return err_wrap(e, "next");
		if (ent != OM_ENTRY_SERIES)
			continue;
		if (!src->p.has_ts)
			return err_set(e, "expected timestamp for series got none");
		*ts = src->p.ts;
		*v = src->p.val;
		sid = slow_series(t, &src->p);
link:
		if (sc->prev != NONE)
			t->s[sc->prev].next = sid;
		sc->prev = *sid_out = sid;
		return 1;
	}
}

static void scan_init(struct scan *sc, int fd, struct om_names *t)
{
	source_init(&sc->src, fd);
	sc->t = t;
	sc->prev = NONE;
}

void *om_share_scan(void *arg)
{
	struct om_share *sh = arg;
	struct scan sc;
	struct om_region *cur;

	/* Never an error: without the file, chunks stay in memory. */
	sh->spill.fd = open(sh->output_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	scan_init(&sc, sh->fd, &sh->names);
	source_seek(&sc.src, sh->from);
	sh->rc = 0;
	cur = region_open(sh, sh->from);
	for (;;) {
		uint64_t pos = source_pos(&sc.src);
		struct om_series *s;
		struct om_window *w;
		uint32_t sid;
		int64_t ts;
		double v;
		int r;

		if (pos - cur->start >= REGION_BYTES) {
			cur->end = pos;
			cur = region_open(sh, pos);
		}
		r = scan_next(&sc, sh->to, &sid, &ts, &v, &sh->e);
		if (r <= 0) {
			sh->rc = r;
			break;
		}
		if (ts < sh->lo)
			sh->lo = ts;
		if (ts > sh->hi)
			sh->hi = ts;
		if (ts < cur->min_ts)
			cur->min_ts = ts;
		if (ts > cur->max_ts)
			cur->max_ts = ts;
		cur->has_samples = true;
		w = sh->cur;
		if (!w || ts < w->lo || ts > w->hi)
			w = window_slow(sh, ts);
		s = &sh->names.s[sid];
		window_append(w, sh->cur_idx, s, s->ls, s->nls, ts, v, sh->max_samples);
	}
	cur->end = source_pos(&sc.src);
	source_release(&sc.src);
	return NULL;
}

/*
 * The samples of window w in the regions of share `from`, in order, read
 * the way the pass reads them (the input is known to be valid by now).
 */
void om_window_replay(struct om_window *w, const struct om_share *from, int fd, int max_samples)
{
	struct om_names refs; /* text -> reference in w's writer */
	struct scan sc;
	bool positioned = false;

	if (w->failed)
		return;
	memset(&refs, 0, sizeof(refs));
	scan_init(&sc, fd, &refs);
	for (size_t ri = 0; ri < from->nregions && !w->failed; ri++) {
		const struct om_region *rg = &from->regions[ri];
		uint32_t sid;
		int64_t ts;
		double v;
		int r = 0;

		if (!rg->has_samples || rg->max_ts < w->lo || rg->min_ts > w->hi)
			continue;
		if (!positioned || source_pos(&sc.src) != rg->start) {
			source_seek(&sc.src, rg->start);
			positioned = true;
		}
		while (!w->failed && (r = scan_next(&sc, rg->end, &sid, &ts, &v, &w->e)) == 1) {
			if (ts >= w->lo && ts <= w->hi)
				window_append(w, 0, &refs.s[sid], refs.s[sid].ls, refs.s[sid].nls, ts, v, max_samples);
		}
		if (!w->failed && r < 0)
			window_fail(w, "parse");
	}
	source_release(&sc.src);
	names_release(&refs);
}
