# The reference workload of make bench, as OpenMetrics in scrape order:
# every `step` seconds for `hours` hours, 20 routes x (10 x `scale`)
# tenants of request-latency classic histograms (6 buckets and +Inf, _sum,
# _count) plus, per route, a gauge and a counter.  At scale 1 that is 1840
# series; 24h at 15s is 5760 scrapes, 10.6M samples, ~0.9 GB.
#
#   awk -v hours=24 -v scale=1 [-v step=15] [-v seed=1] -f gen_reference.awk
#
# The random numbers come from a Park-Miller generator written here (every
# product is exact in a double), not from awk's rand(), so every awk gives
# the same bytes for the same seed.  Metric names match the seed rules
# (testdata/rules-backfill/rules_seed.yml).
function rnd() {
	st = (st * 16807) % 2147483647
	return st / 2147483647
}
BEGIN {
	if (hours == "") hours = 24
	if (scale == "") scale = 1
	if (step == "") step = 15
	if (seed == "") seed = 1
	st = seed % 2147483646 + 1
	t0 = 1700000000
	nr = 20; nt = 10 * scale; nb = 7
	split("0.005 0.01 0.05 0.1 0.5 1 +Inf", le, " ")
	# cumulative share of requests at or below each bound
	split("0.05 0.15 0.45 0.7 0.93 0.99 1", frac, " ")
	n = int(hours * 3600 / step)
	for (r = 0; r < nr; r++) {
		for (t = 0; t < nt; t++) {
			lbl[r, t] = sprintf("route=\"/api/r%02d\",tenant=\"t%03d\"", r, t)
			cnt[r, t] = 0; sum[r, t] = 0
		}
		err[r] = 0
	}
	print "# HELP http_request_duration_seconds Request latency."
	print "# TYPE http_request_duration_seconds histogram"
	for (i = 0; i < n; i++) {
		ts = t0 + i * step
		for (r = 0; r < nr; r++) {
			for (t = 0; t < nt; t++) {
				inc = int(rnd() * 40)
				c = cnt[r, t] + inc
				cnt[r, t] = c
				s = sum[r, t] + inc * (0.02 + rnd() * 0.3)
				sum[r, t] = s
				l = lbl[r, t]
				# buckets of a histogram grow together: bucket b holds
				# frac[b] of all requests so far
				for (b = 1; b <= nb; b++)
					printf "http_request_duration_seconds_bucket{%s,le=\"%s\"} %d %d\n", l, le[b], int(c * frac[b]), ts
				printf "http_request_duration_seconds_sum{%s} %.6f %d\n", l, s, ts
				printf "http_request_duration_seconds_count{%s} %d %d\n", l, c, ts
			}
			printf "http_inflight_requests{route=\"/api/r%02d\"} %.4g %d\n", r, rnd() * 100, ts
			err[r] += (rnd() < 0.1)
			printf "http_errors_total{route=\"/api/r%02d\"} %d %d\n", r, err[r], ts
		}
	}
	print "# EOF"
}
