#!/usr/bin/env bash
# Writes input.om: four hours of samples every 15s from BASE, with counter
# resets, a 10-minute gap in temp{instance="b"}, a classic histogram, and
# two metrics (dup_a, dup_b) with equal labels in disjoint halves.
set -euo pipefail
BASE=${BASE:-1700000000}
awk -v base="$BASE" 'BEGIN {
	for (i = 0; i < 960; i++) {
		t = base + i * 15
		ra = (i % 300) * 3 + int(i / 7)
		rb = i * 2.5 - int(i / 400) * 400 * 2.5
		printf "req_total{instance=\"a\",job=\"api\"} %s %d\n", ra, t
		printf "req_total{instance=\"b\",job=\"api\"} %s %d\n", rb, t
		printf "req_total{instance=\"a\",job=\"db\"} %s %d\n", i * 0.1, t
		printf "temp{instance=\"a\"} %s %d\n", 20 + (i % 37) * 0.25 - (i % 11) * 0.5, t
		if (i < 400 || i >= 440)
			printf "temp{instance=\"b\"} %s %d\n", 15 + (i % 23) * 0.5, t
		printf "lat_bucket{le=\"0.1\"} %d %d\n", i * 2, t
		printf "lat_bucket{le=\"0.5\"} %d %d\n", i * 5, t
		printf "lat_bucket{le=\"1\"} %d %d\n", i * 7, t
		printf "lat_bucket{le=\"+Inf\"} %d %d\n", i * 8, t
		if (i < 480)
			printf "dup_a{x=\"1\"} %d %d\n", i, t
		else
			printf "dup_b{x=\"1\"} %d %d\n", i * 2, t
	}
	print "# EOF"
}' >"$(dirname "$0")/input.om"
