#!/usr/bin/env bash
# Writes input.om for the subquery set: ninety minutes of samples every 15s from
# BASE over 24 series of a gauge s (label k, grouped by g) and 24 of a
# counter c with resets.  Each series of s is absent in windows of its own
# length, so the vectors of consecutive inner steps gain and lose series
# and a series' position in them shifts: what a subquery cache keyed by
# label set (and matched by position first) has to get right.  Values are
# integers and quarters, exact in binary, so sums do not depend on order.
set -euo pipefail
BASE=${BASE:-1700000000}
awk -v base="$BASE" 'BEGIN {
	for (i = 0; i < 360; i++) {
		t = base + i * 15
		for (k = 0; k < 24; k++)
			if (int(i / (5 + k)) % 4 != 1)
				printf "s{g=\"%d\",k=\"%02d\"} %s %d\n", k % 3, k, (i * (k + 3) * 7) % 101 + (k % 4) * 0.25, t
		for (k = 0; k < 24; k++)
			printf "c{k=\"%02d\"} %d %d\n", k, (i % (60 + k)) * (k + 1), t
	}
	print "# EOF"
}' >"$(dirname "$0")/input.om"
