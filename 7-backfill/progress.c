/*
 * The progress line (7-backfill/progress.h).
 */
#include "7-backfill/progress.h"

#include <time.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* 1234567 -> "1,234,567" */
static void add_count(struct buf *out, uint64_t v)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf_addc(out, ',');
		buf_addc(out, (unsigned char)digits[i]);
	}
}

static void add_duration(struct buf *out, int64_t s)
{
	if (s >= 3600)
		buf_addf(out, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60), (long long)(s % 60));
	else
		buf_addf(out, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

void bf_progress_format(const struct bf_progress *p, int64_t elapsed_ns, struct buf *out)
{
	double secs = (double)elapsed_ns / 1e9;

	buf_addf(out, "%s: %llu/%llu units", p->what, (unsigned long long)p->done, (unsigned long long)p->total);
	if (p->total)
		buf_addf(out, " (%llu%%)", (unsigned long long)(p->done * 100 / p->total));
	buf_adds(out, "  ");
	add_count(out, p->samples);
	buf_adds(out, " samples");
	if (secs > 0) {
		buf_adds(out, "  ");
		add_count(out, (uint64_t)((double)p->samples / secs));
		buf_adds(out, " samples/s");
	}
	if (p->done && p->done < p->total) {
		buf_adds(out, "  ETA ");
		add_duration(out, (int64_t)(secs * (double)(p->total - p->done) / (double)p->done + 0.5));
	} else if (p->done == p->total) {
		buf_adds(out, "  done in ");
		add_duration(out, (int64_t)(secs + 0.5));
	}
	/* one terminal line: a wrapped line could not be redrawn in place */
	if (p->width > 1 && out->len >= (size_t)p->width) {
		out->len = (size_t)p->width - 1;
		out->data[out->len] = '\0';
	}
}

static void draw(struct bf_progress *p, bool force)
{
	int64_t t = now_ns();
	struct buf b = BUF_INIT;

	if (!force && t - p->last_draw_ns < 100000000)
		return;
	p->last_draw_ns = t;
	bf_progress_format(p, t - p->start_ns, &b);
	bf_log_status(p->log, buf_str(&b));
	buf_release(&b);
}

void bf_progress_init(struct bf_progress *p, struct bf_log *log, const char *what, int width)
{
	p->log = log;
	p->what = what;
	p->width = width;
	p->total = p->done = p->samples = 0;
	p->start_ns = now_ns();
	p->last_draw_ns = 0;
}

void bf_progress_start(struct bf_progress *p, uint64_t total)
{
	p->total = total;
	draw(p, true);
}

void bf_progress_add(struct bf_progress *p, uint64_t units, uint64_t samples)
{
	p->done += units;
	p->samples += samples;
	draw(p, p->done == p->total);
}

void bf_progress_end(struct bf_progress *p)
{
	draw(p, true);
	bf_log_status_keep(p->log);
}
