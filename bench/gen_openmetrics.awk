# Deterministic OpenMetrics generator for bench_openmetrics.sh.
#   awk -v series=2000 -v steps=5000 -f gen_openmetrics.awk
# Writes `steps` scrapes 15s apart of `series` series in time order, the way
# a dump of consecutive scrapes looks: counters (integers that grow and
# sometimes reset), gauges (floats with full precision), a histogram.
BEGIN {
	srand(1)
	t0 = 1600000000
	print "# HELP http_requests_total Requests."
	print "# TYPE http_requests_total counter"
	nc = int(series / 2); ng = series - nc
	for (s = 0; s < nc; s++) c[s] = int(rand() * 1000)
	for (t = 0; t < steps; t++) {
		ts = t0 + t * 15
		for (s = 0; s < nc; s++) {
			c[s] += int(rand() * 20)
			if (rand() < 0.0005) c[s] = 0
			printf "http_requests_total{instance=\"host-%04d\",job=\"api\"} %d %d\n", s, c[s], ts
		}
		for (s = 0; s < ng; s++)
			printf "node_load{cpu=\"%d\",instance=\"host-%04d\"} %.17g %d.%03d\n", s % 8, s, rand() * 4, ts, s % 1000
	}
	print "# EOF"
}
