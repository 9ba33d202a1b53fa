#!/usr/bin/env bash
# Regenerates the goldens of `tsdb create-blocks-from openmetrics` with the
# REAL promtool 2.42 (default /usr/bin/promtool):
#   cases/*.om  -> golden/<case>/   (blocks, stdout, stderr, exit code)
#   bad/*.om and the special inputs below -> golden-bad/<case>/
# Flags of a case are in cases/<case>.args.  Inputs come from gen_inputs.py.
set -euo pipefail
cd "$(dirname "$0")"
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
"$PROMTOOL" --version 2>&1 | grep -q 'version 2\.42\.' || { echo "need promtool 2.42, got: $("$PROMTOOL" --version 2>&1 | head -1)" >&2; exit 1; }
python3 gen_inputs.py
rm -rf golden golden-bad
for f in cases/*.om; do
	name=$(basename "$f" .om)
	args=$(cat "cases/$name.args" 2>/dev/null || true)
	# shellcheck disable=SC2086
	bash run_one.sh "$PROMTOOL" "$f" "golden/$name" $args
done
for f in bad/*.om; do
	name=$(basename "$f" .om)
	bash run_one.sh "$PROMTOOL" "$f" "golden-bad/$name"
done
bash run_one.sh "$PROMTOOL" @missing golden-bad/input_missing
bash run_one.sh "$PROMTOOL" @empty golden-bad/input_empty
bash run_one.sh "$PROMTOOL" @dir golden-bad/input_dir
OUTPUT=@file bash run_one.sh "$PROMTOOL" cases/one_sample.om golden-bad/output_is_file
OUTPUT=@under_file bash run_one.sh "$PROMTOOL" cases/one_sample.om golden-bad/output_under_file
OUTPUT=/proc bash run_one.sh "$PROMTOOL" cases/one_sample.om golden-bad/output_unwritable
OUTPUT=/proc/nonexistent bash run_one.sh "$PROMTOOL" cases/one_sample.om golden-bad/output_uncreatable
echo "regenerated $(ls golden | wc -l) cases and $(ls golden-bad | wc -l) bad cases"
