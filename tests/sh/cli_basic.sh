#!/usr/bin/env bash
# The binary builds and answers --version.
. "$(dirname "$0")/../lib.sh"
out=$("$PROMTOOL" --version 2>&1); rc=$?
expect_eq cli_version_exit "$rc" 0
