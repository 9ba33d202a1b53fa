/*
 * The scale workload of bench/bench_stream.sh, as OpenMetrics in scrape
 * order: SERIES gauge series `node_gauge{app, dc, host}` (50 apps, 20 data
 * centres, one host each) scraped every 15 s for HOURS hours from
 * 1700000000.  100000 series over 2h is 48M samples.  The values are a
 * Park-Miller generator's (fixed seed), so the bytes are the same on
 * every machine.
 *
 *   gen_gauges SERIES HOURS > out.om
 *
 * A benchmark tool, not part of promtool: built by bench/bench_stream.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define T0 1700000000LL
#define STEP 15

int main(int argc, char **argv)
{
	long series, hours;
	uint64_t st = 42;
	static char out[1 << 16];

	if (argc != 3 || (series = strtol(argv[1], NULL, 10)) <= 0 || (hours = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: gen_gauges SERIES HOURS\n");
		return 2;
	}
	setvbuf(stdout, out, _IOFBF, sizeof(out));
	printf("# TYPE node_gauge gauge\n");
	for (long long t = T0; t < T0 + hours * 3600; t += STEP) {
		for (long i = 0; i < series; i++) {
			st = st * 16807 % 2147483647;
			printf("node_gauge{app=\"a%ld\",dc=\"d%ld\",host=\"h%ld\"} %.3f %lld\n", i % 50, i % 20, i,
			       (double)(st % 100000) / 1000, t);
		}
	}
	printf("# EOF\n");
	return fflush(stdout) ? 1 : 0;
}
