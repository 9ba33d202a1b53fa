#!/usr/bin/env bash
# promtool test rules on upstream's test files ($CONFORMANCE_DIR/promtool-v2.42,
# read in place) against goldens from the real promtool 2.42: the upstream
# half of tests/sh/test_rules_golden.sh.
TR_KIND=conf exec bash "$(dirname "$0")/../sh/test_rules_golden.sh"
