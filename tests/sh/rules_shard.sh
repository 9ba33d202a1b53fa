#!/usr/bin/env bash
# tsdb create-blocks-from rules --shard=i/n and --shard=auto (an extension):
# for every case below and several n (1, 2, 3, 5 and more shards than
# units), every shard runs into its own output directory and the union of
# their blocks must be exactly the blocks of one unsharded run -- meta.json
# with ULIDs normalised, index, chunks and tombstones byte for byte
# (testdata/rules-backfill/summarize.py), no block missing, none twice.
# Cases, from --source-dir over the bundled OpenMetrics data (no server),
# and some from a real Prometheus 2.42 serving it (--url): 2.42's per-rule blocks, --merge-blocks (also with
# --block-duration), --concurrency, --resume (also killed and resumed),
# --semantics=prometheus (units are sets of dependent groups,
# testdata/rules-shard/rules_live.yml).  Also: --shard=auto reads
# JOB_COMPLETION_INDEX and JOB_COMPLETIONS as the Indexed Job sets them,
# bad values are one usage error (exit 1, nothing written), and the
# comparison sees one block dropped or duplicated.
. "$(dirname "$0")/../lib.sh"
. testdata/rules-backfill/lib.sh
export TZ=UTC
RB=testdata/rules-backfill
S=testdata/rules-shard
# a test inside a Job must not pick up the Job's own index
unset JOB_COMPLETION_INDEX JOB_COMPLETIONS

if ! "$RB_PY" "$RB/gen_om.py" 1700000000 8 15 2 2 >"$TMPROOT/src.om" ||
	! "$PROMTOOL" tsdb create-blocks-from openmetrics "$TMPROOT/src.om" "$TMPROOT/src" >/dev/null; then
	fail rules_shard_source "cannot make the source data dir"
	exit 0
fi

FILES_RULES="$RB/rules_intervals.yml $RB/rules_alert.yml $RB/rules_seed.yml"
TIMES="--start 1700000000 --end 1700028000"

# run OUTDIR ARGS...: one backfill from FROM (the source data dir, or a server)
FROM=(--source-dir "$TMPROOT/src")
run() {
	local out=$1
	shift
	# shellcheck disable=SC2086 # TIMES: word-split on purpose
	"$PROMTOOL" tsdb create-blocks-from rules "${FROM[@]}" --output-dir "$out" $TIMES "$@" \
		>"$out.stdout" 2>"$out.stderr"
}

# blocks DIR: the comparable summary of DIR's blocks (one line per block;
# the resume state aside)
blocks() {
	"$RB_PY" "$RB/summarize.py" 0 /dev/null /dev/null "$1" | sed -n '/^--- blocks$/,$p' | tail -n +2 |
		grep -v '^stray rules-backfill\.resume$'
}

# union DEST DIR...: DEST holds every block of the DIRs (fails on anything else in them)
union() {
	local dest=$1 d e b stray=""
	shift
	mkdir -p "$dest"
	for d in "$@"; do
		[ -d "$d" ] || continue
		for e in "$d"/*; do
			[ -e "$e" ] || continue
			b=$(basename "$e")
			if [ -d "$e" ] && [[ $b =~ ^[0-9A-HJKMNP-TV-Z]{26}$ ]] && [ ! -e "$dest/$b" ]; then
				cp -r "$e" "$dest/"
			else
				stray="$stray $e"
			fi
		done
	done
	[ -z "$stray" ] || echo "stray:$stray"
}

nblocks() { find "$1" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }

# check NAME FLAGS FILES NS: unsharded run vs the union of n shards, for each n in NS
check() {
	local name=$1 flags=$2 files=$3 ns=$4 n i rc want got sum empty stray dirs
	local base=$TMPROOT/$name
	mkdir -p "$base"
	# shellcheck disable=SC2086
	run "$base/full" $flags $files
	rc=$?
	expect_eq "rules_shard_${name}_unsharded_rc" "$rc" 0
	want=$(blocks "$base/full")
	[ "$(nblocks "$base/full")" -gt 1 ] || fail "rules_shard_${name}_has_blocks" "only $(nblocks "$base/full") block(s)"
	for n in $ns; do
		rc=0 sum=0 empty=0
		for ((i = 0; i < n; i++)); do
			# shellcheck disable=SC2086
			run "$base/n$n-$i" --shard="$i/$n" $flags $files || rc=$?
			sum=$((sum + $(nblocks "$base/n$n-$i")))
			[ "$(nblocks "$base/n$n-$i")" -gt 0 ] || empty=$((empty + 1))
		done
		expect_eq "rules_shard_${name}_n${n}_rc" "$rc" 0
		dirs=()
		for ((i = 0; i < n; i++)); do dirs+=("$base/n$n-$i"); done
		stray=$(union "$base/union-$n" "${dirs[@]}")
		case $flags in *--resume*) stray=$(printf '%s\n' "$stray" | sed -E 's# [^ ]*/rules-backfill\.resume##g; /^stray:$/d') ;; esac
		expect_eq "rules_shard_${name}_n${n}_only_blocks" "$stray" ""
		got=$(blocks "$base/union-$n")
		expect_eq "rules_shard_${name}_n${n}_union_is_unsharded" "$got" "$want"
		# each block once: as many blocks in the shards as in the union
		expect_eq "rules_shard_${name}_n${n}_no_duplicates" "$sum" "$(nblocks "$base/full")"
		# the work is split: with 3 shards, none is left without blocks
		[ "$n" != 3 ] || expect_eq "rules_shard_${name}_n3_every_shard_works" "$empty" 0
	done
}

check per_rule "" "$FILES_RULES" "1 2 3 5 200"
check merged "--merge-blocks" "$FILES_RULES" "1 2 3 5 9"
check merged_1h "--merge-blocks --block-duration=1h" "$FILES_RULES" "2 3 11"
check concurrency "--concurrency=3" "$FILES_RULES" "2 3"
check merged_concurrency "--merge-blocks --concurrency=2" "$FILES_RULES" "3"
check resume "--resume" "$FILES_RULES" "1 3"
check resume_merged "--resume --merge-blocks" "$FILES_RULES" "2 3"
check live "--semantics=prometheus" "$S/rules_live.yml" "1 2 3 5"

# The flag never changes a run without it: --shard=0/1 is the default's run.
# shellcheck disable=SC2086
expect_eq rules_shard_0_of_1_is_default "$(run "$TMPROOT/one" --shard=0/1 $FILES_RULES; blocks "$TMPROOT/one")" \
	"$(blocks "$TMPROOT/per_rule/full")"

# --progress counts the shard's own units: the shards' totals add up to
# the unsharded run's.
units() { tr '\r' '\n' <"$1.stderr" | sed -n -E 's/^rules: [0-9]+\/([0-9]+) units.*/\1/p' | tail -n 1; }
for m in "" --merge-blocks; do
	# shellcheck disable=SC2086
	run "$TMPROOT/progress$m" --progress=always $m $FILES_RULES
	total=0
	for i in 0 1 2; do
		# shellcheck disable=SC2086
		run "$TMPROOT/progress$m-$i" --progress=always --shard="$i/3" $m $FILES_RULES
		total=$((total + $(units "$TMPROOT/progress$m-$i")))
	done
	expect_eq "rules_shard_progress_units${m:+_merged}" "$total" "$(units "$TMPROOT/progress$m")"
done

# --shard=auto: an Indexed Job's JOB_COMPLETION_INDEX and JOB_COMPLETIONS
# (deploy/kubernetes/backfill-indexed-job.yaml sets JOB_COMPLETIONS to the
# Job's completions) give the same blocks as --shard=i/n.
for i in 0 1 2; do
	# shellcheck disable=SC2086
	JOB_COMPLETION_INDEX=$i JOB_COMPLETIONS=3 run "$TMPROOT/auto-$i" --shard=auto $FILES_RULES
	expect_eq "rules_shard_auto_${i}_of_3_rc" "$?" 0
	expect_eq "rules_shard_auto_${i}_of_3_is_${i}/3" "$(blocks "$TMPROOT/auto-$i")" "$(blocks "$TMPROOT/per_rule/n3-$i")"
done
J=deploy/kubernetes/backfill-indexed-job.yaml
# shellcheck disable=SC2016 # ${SHARDS} is the template's, not ours
if grep -q -- '--shard=auto' "$J" && grep -q '^  completions: \${SHARDS}$' "$J" &&
	grep -A1 -- '- name: JOB_COMPLETIONS$' "$J" | grep -q 'value: "\${SHARDS}"'; then
	pass rules_shard_indexed_job_sets_completions
else
	fail rules_shard_indexed_job_sets_completions "$J must pass --shard=auto and set JOB_COMPLETIONS to its completions"
fi

# --resume: each shard's state is its own output dir's.  Run again, a
# shard writes nothing more; another shard's run on that dir is refused;
# a shard killed mid-run and resumed still gives the unsharded blocks.
d=$TMPROOT/resume/n3-1
before=$(blocks "$d")
# shellcheck disable=SC2086
run "$d" --shard=1/3 --resume $FILES_RULES
expect_eq rules_shard_resume_again_rc "$?" 0
expect_eq rules_shard_resume_again_writes_nothing "$(blocks "$d")" "$before"
# shellcheck disable=SC2086
run "$d" --shard=2/3 --resume $FILES_RULES
expect_eq rules_shard_resume_other_shard_refused "$?:$(grep -c 'shard' "$d.stderr")" "1:1"
expect_eq rules_shard_resume_other_shard_writes_nothing "$(blocks "$d")" "$before"
k=$TMPROOT/killed
mkdir -p "$k"
for i in 0 1 2; do
	# shellcheck disable=SC2086
	(PROMTOOL_TEST_RESUME_KILL_AT=$((2 * i + 2)) run "$k/$i" --shard="$i/3" --resume $FILES_RULES)
	rc1=$?
	# shellcheck disable=SC2086
	run "$k/$i" --shard="$i/3" --resume $FILES_RULES
	expect_eq "rules_shard_resume_killed_${i}_rc" "$rc1:$?" "137:0"
done
stray=$(union "$k/union" "$k/0" "$k/1" "$k/2" | sed -E 's# [^ ]*/rules-backfill\.resume##g; /^stray:$/d')
expect_eq rules_shard_resume_killed_union_is_unsharded "$stray$(blocks "$k/union")" "$(blocks "$TMPROOT/per_rule/full")"

# Bad values: one usage error, exit 1, nothing written.
bad() { # NAME VALUE MESSAGE [ENV...]
	local name=$1 value=$2 msg=$3 out=$TMPROOT/bad-$1
	shift 3
	# shellcheck disable=SC2086
	env "$@" "$PROMTOOL" tsdb create-blocks-from rules --source-dir "$TMPROOT/src" --output-dir "$out" $TIMES \
		--shard="$value" $FILES_RULES >"$out.stdout" 2>"$out.stderr"
	expect_eq "rules_shard_bad_$name" "$?|$(cat "$out.stdout")|$(cat "$out.stderr")|$(ls -d "$out" 2>/dev/null)" \
		"1||promtool: error: $msg, try --help|"
}
want_in='want i/n with 0 <= i < n <= 1000000, or auto'
bad index_too_big 3/2 "invalid --shard=\"3/2\": $want_in"
bad index_is_n 2/2 "invalid --shard=\"2/2\": $want_in"
bad zero_shards 0/0 "invalid --shard=\"0/0\": $want_in"
bad word x "invalid --shard=\"x\": $want_in"
bad empty "" "invalid --shard=\"\": $want_in"
bad no_count 1/ "invalid --shard=\"1/\": $want_in"
bad negative -1/3 "invalid --shard=\"-1/3\": $want_in"
bad space "0/ 3" "invalid --shard=\"0/ 3\": $want_in"
bad too_many 0/1000001 "invalid --shard=\"0/1000001\": $want_in"
bad overflow 0/99999999999999999999999 "invalid --shard=\"0/99999999999999999999999\": $want_in"
env_msg='--shard=auto needs JOB_COMPLETION_INDEX and JOB_COMPLETIONS in the environment (an Indexed Job'"'"'s index and its completions)'
bad auto_no_env auto "$env_msg"
bad auto_no_completions auto "$env_msg" JOB_COMPLETION_INDEX=0
bad auto_no_index auto "$env_msg" JOB_COMPLETIONS=3
bad auto_index_out_of_range auto \
	'invalid --shard=auto: JOB_COMPLETION_INDEX="3" JOB_COMPLETIONS="3": want 0 <= index < completions <= 1000000' \
	JOB_COMPLETION_INDEX=3 JOB_COMPLETIONS=3
bad auto_not_a_number auto \
	'invalid --shard=auto: JOB_COMPLETION_INDEX="0" JOB_COMPLETIONS="three": want 0 <= index < completions <= 1000000' \
	JOB_COMPLETION_INDEX=0 JOB_COMPLETIONS=three

# indexed_job: deploy/kubernetes/backfill-indexed-job.yaml as written, on
# the fake cluster of tests/deploy/kubectl (each index's pod run for real,
# with JOB_COMPLETION_INDEX set as Kubernetes sets it) against the server:
# its SHARDS pods write shard-<index>/ and verify it, and together their
# blocks are those of one unsharded run by hand over the same rule paths.
indexed_job() {
	local K=$TMPROOT/kube rd=/etc/prometheus/rules/shard-rules paths="" f vars
	mkdir -p "$K/out" "$K/image"
	ln -s "$PROMTOOL" "$K/image/promtool"
	"$RB_PY" - "$K" $FILES_RULES <<-'PY'
	import json, os, sys
	k, files = sys.argv[1], sys.argv[2:]
	st = {"statefulsets": {}, "pods": {}, "prometheuses": {}, "jobs": {},
	      "pvcs": {"monitoring/backfill-out": os.path.join(k, "out")},
	      "configmaps": {"monitoring/shard-rules": {"metadata": {"name": "shard-rules"},
	                     "data": {os.path.basename(f): open(f).read() for f in files}}}}
	json.dump(st, open(os.path.join(k, "state.json"), "w"))
	PY
	for f in $FILES_RULES; do paths="$paths $rd/$(basename "$f")"; done
	# the variables deploy/README.md tells envsubst to fill in
	vars=$(sed -n "s|^envsubst '\([^']*\)' < deploy/kubernetes/backfill-indexed-job.yaml .*|\1|p" deploy/README.md)
	[ -n "$vars" ] || fail rules_shard_indexed_job_readme "deploy/README.md has no envsubst line for the indexed job"
	NS=monitoring JOB_NAME=promtool-backfill-sharded IMAGE=unused SHARDS=3 \
		PROM_QUERY_URL="http://127.0.0.1:$RB_PORT" TENANT_HEADER='X-Scope-OrgID: tenant-1' OUTPUT_PVC=backfill-out \
		RULES_CM=shard-rules RULES_DIR=$rd RULE_PATHS="${paths# }" BACKFILL_START=1700000000 BACKFILL_END=1700028000 \
		BACKFILL_STEP=1m BACKFILL_EXTRA_ARGS='' envsubst "$vars" <deploy/kubernetes/backfill-indexed-job.yaml >"$K/job.yaml"
	FAKE_KUBE_DIR=$K FAKE_KUBE_IMAGE_PATH=$K/image tests/deploy/kubectl -n monitoring apply -f "$K/job.yaml" \
		>"$K/apply.out" 2>&1
	expect_eq rules_shard_indexed_job_succeeds "$?:$("$RB_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"]["monitoring/promtool-backfill-sharded"]["status"])' "$K/state.json")" \
		"0:{'succeeded': 3}"
	expect_eq rules_shard_indexed_job_dirs "$(cd "$K/out" && echo shard-*)" "shard-0 shard-1 shard-2"
	# by hand, unsharded, over the very rule paths the pods read
	local local_paths=()
	for f in $paths; do local_paths+=("$K/root$f"); done
	"$PROMTOOL" tsdb create-blocks-from rules --url="http://127.0.0.1:$RB_PORT" --output-dir "$K/by-hand" \
		--start=1700000000 --end=1700028000 --eval-interval=1m "${local_paths[@]}" >/dev/null 2>&1
	stray=$(union "$K/union" "$K/out/shard-0" "$K/out/shard-1" "$K/out/shard-2" |
		sed -E 's# [^ ]*/rules-backfill\.resume##g; /^stray:$/d')
	expect_eq rules_shard_indexed_job_union_is_unsharded "$stray$(blocks "$K/union")" "$(blocks "$K/by-hand")"
	for f in 0 1 2; do
		expect_eq "rules_shard_indexed_job_shard_${f}_has_blocks" "$([ "$(nblocks "$K/out/shard-$f")" -gt 0 ] && echo yes)" yes
	done
}

# The same against a real Prometheus 2.42 serving the same data (--url).
trap 'rb_stop_server; rm -rf "$TMPROOT"' EXIT
mkdir -p "$TMPROOT/server"
if require_cmd rules_shard_url prometheus && ! RB_REAL_PROMTOOL=$PROMTOOL rb_start_server "$TMPROOT/server"; then
	fail rules_shard_url_server "prometheus did not start" "$(tail -5 "$TMPROOT/server/prometheus.log" 2>/dev/null)"
elif [ -n "${RB_PID:-}" ]; then
	FROM=(--url "http://127.0.0.1:$RB_PORT")
	check url_per_rule "" "$FILES_RULES" "2 3"
	check url_merged_concurrency "--merge-blocks --concurrency=2" "$FILES_RULES" "3"
	check url_resume "--resume" "$FILES_RULES" "3"
	check url_live "--semantics=prometheus" "$S/rules_live.yml" "3"
	indexed_job
	rb_stop_server
fi

# The comparison fails when a shard drops a block or writes one twice.
u=$TMPROOT/per_rule/union-3
want=$(blocks "$TMPROOT/per_rule/full")
first=$(find "$u" -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)
cp -r "$first" "$u/00000000000000000000000000"
if [ "$(blocks "$u")" != "$want" ]; then pass rules_shard_detects_duplicate; else
	fail rules_shard_detects_duplicate "a block twice went unnoticed"; fi
rm -rf "$u/00000000000000000000000000" "$first"
if [ "$(blocks "$u")" != "$want" ]; then pass rules_shard_detects_missing; else
	fail rules_shard_detects_missing "a missing block went unnoticed"; fi
