/*
 * The reference workload of `make bench`, as OpenMetrics in scrape order:
 * every 15 s for HOURS hours, 20 routes x (10 x SCALE) tenants of
 * request-latency classic histograms (6 buckets and +Inf, _sum, _count)
 * plus, per route, a gauge and a counter.  At scale 1 that is 1840 series;
 * 24h is 5760 scrapes, 10.6M samples, ~0.98 GB.
 *
 *   gen_reference HOURS SCALE [WINDOW] > out.om
 *
 * With WINDOW (an index from 0) only the scrapes in that aligned 2h block
 * window are written (the generator runs through the earlier ones without
 * printing), so big inputs can be imported one window at a time: the
 * windows' blocks come out as from the whole file.  The random numbers are
 * a Park-Miller generator (fixed seed), so the bytes are the same on every
 * machine.  Metric names match the seed rules
 * (testdata/rules-backfill/rules_seed.yml) and bench/rules_bench.yml.
 *
 * A benchmark tool, not part of promtool: built by bench/lib.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define T0 1700000000LL
#define STEP 15
#define ROUTES 20
#define BUCKETS 7
#define WINDOW_S 7200

static const char *const le[BUCKETS] = { "0.005", "0.01", "0.05", "0.1", "0.5", "1", "+Inf" };
/* cumulative share of requests at or below each bound */
static const double frac[BUCKETS] = { 0.05, 0.15, 0.45, 0.7, 0.93, 0.99, 1 };

static double rnd(uint64_t *st)
{
	*st = *st * 16807 % 2147483647;
	return (double)*st / 2147483647;
}

int main(int argc, char **argv)
{
	long hours, scale, window = -1, nt, n;
	uint64_t st = 2; /* seed 1 */
	double *cnt, *sum, *err;
	char buf[1 << 16];

	if (argc < 3 || (hours = atol(argv[1])) <= 0 || (scale = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: gen_reference HOURS SCALE [WINDOW]\n");
		return 2;
	}
	if (argc > 3)
		window = atol(argv[3]);
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	nt = 10 * scale;
	n = hours * 3600 / STEP;
	cnt = calloc((size_t)(ROUTES * nt), sizeof(*cnt));
	sum = calloc((size_t)(ROUTES * nt), sizeof(*sum));
	err = calloc(ROUTES, sizeof(*err));
	if (!cnt || !sum || !err)
		return 1;
	printf("# HELP http_request_duration_seconds Request latency.\n");
	printf("# TYPE http_request_duration_seconds histogram\n");
	for (long i = 0; i < n; i++) {
		long long ts = T0 + i * STEP;
		int out = window < 0 || ts / WINDOW_S - T0 / WINDOW_S == window;

		if (window >= 0 && ts / WINDOW_S - T0 / WINDOW_S > window)
			break;
		for (int r = 0; r < ROUTES; r++) {
			for (long t = 0; t < nt; t++) {
				long k = r * nt + t;
				double inc = (double)(long)(rnd(&st) * 40), c, s;

				c = cnt[k] += inc;
				s = sum[k] += inc * (0.02 + rnd(&st) * 0.3);
				if (!out)
					continue;
				for (int b = 0; b < BUCKETS; b++)
					printf("http_request_duration_seconds_bucket{route=\"/api/r%02d\",tenant=\"t%03ld\",le=\"%s\"} %ld %lld\n",
					       r, t, le[b], (long)(c * frac[b]), ts);
				printf("http_request_duration_seconds_sum{route=\"/api/r%02d\",tenant=\"t%03ld\"} %.6f %lld\n",
				       r, t, s, ts);
				printf("http_request_duration_seconds_count{route=\"/api/r%02d\",tenant=\"t%03ld\"} %ld %lld\n",
				       r, t, (long)c, ts);
			}
			{
				double g = rnd(&st) * 100;
				err[r] += rnd(&st) < 0.1;
				if (!out)
					continue;
				printf("http_inflight_requests{route=\"/api/r%02d\"} %.4g %lld\n", r, g, ts);
				printf("http_errors_total{route=\"/api/r%02d\"} %ld %lld\n", r, (long)err[r], ts);
			}
		}
	}
	printf("# EOF\n");
	free(cnt);
	free(sum);
	free(err);
	return fflush(stdout) ? 1 : 0;
}
