#!/usr/bin/env bash
# The playbook under deploy/ against a fake cluster (tests/deploy/kubectl:
# StatefulSets, pods, PVCs mapped to local dirs, ConfigMaps, Jobs whose
# container command runs for real): the happy path (blocks appear, verify
# passes, replicas restored, the Job's blocks equal the same flags run by
# hand), a failing Job, a pod that does not go away, detection with
# kube-prometheus-stack's names, --dry-run, and rollback.  Also shellcheck.
# shellcheck disable=SC2015 # `check && pass || fail`: pass never fails
. "$(dirname "$0")/../lib.sh"
require_cmd deploy_playbook python3 envsubst shellcheck || exit 0
export TZ=UTC

FAKE=$ROOT/tests/deploy
export FAKE_KUBE_IMAGE_PATH=$TMPROOT/image
mkdir -p "$FAKE_KUBE_IMAGE_PATH"
ln -s "$PROMTOOL" "$FAKE_KUBE_IMAGE_PATH/promtool"
export KUBECTL=$FAKE/kubectl
export POLL_SECONDS=0 POD_GONE_TIMEOUT=2
REL=kube-prometheus-stack-prometheus
STS=prometheus-$REL
PVC=prometheus-$REL-db-$STS-0
CM=prometheus-$REL-rulefiles-0
RULEFILE=monitoring-demo-rules-4b1c.yaml
START=2020-09-13T00:00:00Z
END=2020-09-13T06:00:00Z
MK=(make --no-print-directory -f "$ROOT/deploy/Makefile.backfill.mk" NS=monitoring)

# A source data dir made once from the bundled demo input.
SRC=$TMPROOT/source
"$PROMTOOL" tsdb create-blocks-from openmetrics testdata/demo/demo.om "$SRC" >/dev/null

# new_cluster DIR [extra StatefulSet json]: a cluster with one Operator-made
# Prometheus (1 replica, its pod running) whose PVC holds a copy of SRC.
new_cluster() {
	local d=$1
	rm -rf "$d"
	mkdir -p "$d/pvc/prometheus-db"
	cp -r "$SRC"/. "$d/pvc/prometheus-db/"
	FAKE_KUBE_DIR=$d python3 - "$d" "$ROOT/testdata/demo/rules.yml" "${2:-}" <<-'PY'
	import json, os, sys
	d, rules, extra = sys.argv[1], sys.argv[2], sys.argv[3]
	rel = "kube-prometheus-stack-prometheus"
	sts = "prometheus-" + rel
	def mk(name, ts, instance):
	    return {"metadata": {"name": name, "creationTimestamp": ts,
	                         "labels": {"app.kubernetes.io/name": "prometheus",
	                                    "app.kubernetes.io/instance": instance,
	                                    "operator.prometheus.io/name": instance}},
	            "spec": {"replicas": 1, "volumeClaimTemplates": [
	                {"metadata": {"name": "prometheus-%s-db" % instance}}]}}
	st = {"statefulsets": {"monitoring/" + sts: mk(sts, "2026-01-02T00:00:00Z", rel)},
	      "pods": {"monitoring/%s-0" % sts: {"metadata": {"name": sts + "-0"}}},
	      "pvcs": {"monitoring/prometheus-%s-db-%s-0" % (rel, sts): os.path.join(d, "pvc")},
	      "configmaps": {"monitoring/prometheus-%s-rulefiles-0" % rel:
	                     {"metadata": {"name": "prometheus-%s-rulefiles-0" % rel},
	                      "data": {"monitoring-demo-rules-4b1c.yaml": open(rules).read()}}},
	      "prometheuses": {"monitoring/" + rel: {"metadata": {"name": rel}, "spec": {"replicas": 1}}},
	      "jobs": {}}
	if extra == "older":
	    o = "prometheus-old"
	    st["statefulsets"]["monitoring/" + o] = mk(o, "2025-01-01T00:00:00Z", "old")
	json.dump(st, open(os.path.join(d, "state.json"), "w"))
	PY
}
state() { # DIR jsonpath-ish python expression on st
	python3 -c 'import json,sys; st=json.load(open(sys.argv[1]+"/state.json")); print(eval(sys.argv[2]))' "$1" "$2"
}
blocks() { find "$1" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | grep -E '^[0-9A-HJKMNP-TV-Z]{26}$' | sort; }
# dump of every block of DIR (tsdb dump sorts by series), for comparing the
# blocks of two runs whose ULIDs differ
dump_all() { "$PROMTOOL" tsdb dump "$1" 2>&1; }

# ---- happy path ----
C=$TMPROOT/happy
new_cluster "$C"
export FAKE_KUBE_DIR=$C
before=$(blocks "$C/pvc/prometheus-db")
out=$(cd "$TMPROOT" && "${MK[@]}" backfill-rules BACKFILL_START=$START BACKFILL_END=$END \
	ROLLBACK_FILE="$C/rollback.txt" 2>"$C/stderr"); rc=$?
after=$(blocks "$C/pvc/prometheus-db")
new=$(comm -13 <(echo "$before") <(echo "$after"))
expect_eq deploy_happy_exit "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    /' "$C/stderr" >&2
if [ -n "$new" ]; then pass deploy_happy_blocks_appear; else fail deploy_happy_blocks_appear "no new block"; fi
expect_eq deploy_happy_ulids_printed "$out" "$new"
expect_eq deploy_happy_rollback_list "$(cat "$C/rollback.txt" 2>/dev/null)" "$new"
expect_eq deploy_happy_replicas_restored "$(state "$C" 'st["statefulsets"]["monitoring/'$STS'"]["spec"]["replicas"]')" 1
expect_eq deploy_happy_pod_back "$(state "$C" '"monitoring/'$STS'-0" in st["pods"]')" True
expect_eq deploy_happy_job_deleted "$(state "$C" 'len(st["jobs"])')" 0
"$PROMTOOL" tsdb verify "$C/pvc/prometheus-db" >/dev/null 2>&1 && pass deploy_happy_verify || fail deploy_happy_verify
grep -q 'scale statefulset '$STS' --replicas=0' "$C/calls.log" && pass deploy_happy_scaled_down ||
	fail deploy_happy_scaled_down "$(cat "$C/calls.log")"
# The same flags by hand, on a copy of the source: the same blocks.
# The rule file keeps the path string the Job saw (the group's evaluation
# offset hashes it): the fake's $C/root/etc/prometheus/rules/<cm>/<file>.
H=$TMPROOT/byhand
mkdir -p "$H"
cp -r "$SRC" "$H/data"
"$PROMTOOL" tsdb create-blocks-from rules --source-dir="$H/data" --output-dir="$H/data" --resume --merge-blocks \
	--start=$START --end=$END --eval-interval=30s "$C/root/etc/prometheus/rules/$CM/$RULEFILE" >/dev/null 2>&1
[ "$(blocks "$H/data" | wc -l)" -gt "$(blocks "$SRC" | wc -l)" ] && pass deploy_by_hand_writes_blocks ||
	fail deploy_by_hand_writes_blocks
expect_eq deploy_job_equals_by_hand_count "$(blocks "$H/data" | wc -l)" "$(echo "$after" | wc -l)"
dump_all "$H/data" >"$H/dump"
dump_all "$C/pvc/prometheus-db" >"$C/dump"
expect_files_eq deploy_job_equals_by_hand "$C/dump" "$H/dump"
# block bytes: index and chunks of each new block equal the hand-made one with the same time range
mismatch=
for u in $new; do
	range=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["minTime"], m["maxTime"])' "$C/pvc/prometheus-db/$u/meta.json")
	twin=
	for h in $(blocks "$H/data"); do
		r=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["minTime"], m["maxTime"])' "$H/data/$h/meta.json")
		if [ "$r" = "$range" ] && cmp -s "$H/data/$h/index" "$C/pvc/prometheus-db/$u/index"; then twin=$h; fi
	done
	if [ -z "$twin" ] || ! diff -r "$H/data/$twin/chunks" "$C/pvc/prometheus-db/$u/chunks" >/dev/null; then mismatch="$mismatch $u"; fi
done
[ -n "$new" ] && expect_eq deploy_job_block_bytes "$mismatch" "" || fail deploy_job_block_bytes "no new block"

# ---- rollback removes exactly the new blocks ----
out=$(cd "$TMPROOT" && "${MK[@]}" rollback ROLLBACK_FILE="$C/rollback.txt" 2>"$C/stderr2"); rc=$?
expect_eq deploy_rollback_exit "$rc" 0
expect_eq deploy_rollback_blocks "$(blocks "$C/pvc/prometheus-db")" "$before"
diff -r "$SRC" "$C/pvc/prometheus-db" >/dev/null && pass deploy_rollback_source_untouched ||
	fail deploy_rollback_source_untouched "$(diff -r "$SRC" "$C/pvc/prometheus-db" | head -5)"
expect_eq deploy_rollback_replicas "$(state "$C" 'st["statefulsets"]["monitoring/'$STS'"]["spec"]["replicas"]')" 1
[ -f "$C/rollback.txt.done" ] && [ ! -f "$C/rollback.txt" ] && pass deploy_rollback_list_done || fail deploy_rollback_list_done

# ---- the Job fails: replicas still restored, non-zero exit, no list ----
C=$TMPROOT/jobfail
new_cluster "$C"
export FAKE_KUBE_DIR=$C
python3 - "$C" <<'PY'
import json, sys
p = sys.argv[1] + "/state.json"; st = json.load(open(p))
cm = st["configmaps"]["monitoring/prometheus-kube-prometheus-stack-prometheus-rulefiles-0"]
cm["data"]["monitoring-demo-rules-4b1c.yaml"] = "groups:\n- name: g\n  rules:\n  - record: x\n    expr: sum(\n"
json.dump(st, open(p, "w"))
PY
(cd "$TMPROOT" && "${MK[@]}" backfill-rules BACKFILL_START=$START BACKFILL_END=$END ROLLBACK_FILE="$C/rollback.txt") \
	>/dev/null 2>"$C/stderr"; rc=$?
[ "$rc" != 0 ] && pass deploy_jobfail_exit || fail deploy_jobfail_exit "exit $rc"
grep -q 'the backfill Job failed' "$C/stderr" && pass deploy_jobfail_message || fail deploy_jobfail_message "$(cat "$C/stderr")"
expect_eq deploy_jobfail_replicas_restored "$(state "$C" 'st["statefulsets"]["monitoring/'$STS'"]["spec"]["replicas"]')" 1
[ ! -f "$C/rollback.txt" ] && pass deploy_jobfail_no_list || fail deploy_jobfail_no_list
expect_eq deploy_jobfail_no_blocks "$(blocks "$C/pvc/prometheus-db")" "$(blocks "$SRC")"

# ---- the pod does not go away: abort before the Job ----
C=$TMPROOT/stuck
new_cluster "$C"
export FAKE_KUBE_DIR=$C
(cd "$TMPROOT" && FAKE_KUBE_STUCK_POD=1 POD_GONE_TIMEOUT=0 "${MK[@]}" backfill-rules BACKFILL_START=$START \
	BACKFILL_END=$END ROLLBACK_FILE="$C/rollback.txt") >/dev/null 2>"$C/stderr"; rc=$?
[ "$rc" != 0 ] && pass deploy_stuck_exit || fail deploy_stuck_exit "exit $rc"
grep -q "still there" "$C/stderr" && pass deploy_stuck_message || fail deploy_stuck_message "$(cat "$C/stderr")"
grep -q '^-n monitoring apply' "$C/calls.log" && fail deploy_stuck_no_job "$(cat "$C/calls.log")" || pass deploy_stuck_no_job
expect_eq deploy_stuck_replicas_restored "$(state "$C" 'st["statefulsets"]["monitoring/'$STS'"]["spec"]["replicas"]')" 1
expect_eq deploy_stuck_no_blocks "$(blocks "$C/pvc/prometheus-db")" "$(blocks "$SRC")"

# ---- detection with kube-prometheus-stack's names (newest StatefulSet, release filter) ----
C=$TMPROOT/detect
new_cluster "$C" older
export FAKE_KUBE_DIR=$C
got=$(cd "$C" && "${MK[@]}" detect-prom-vars 2>&1)
want="NS=monitoring
PROM_STS=$STS
PROM_PVC=$PVC
PROM_PVC_SUBPATH=prometheus-db
PROM_CR=''
RULES_CM=$CM
RULES_DIR=/etc/prometheus/rules/$CM
RULES_FILE=$RULEFILE"
expect_eq deploy_detect_kube_prometheus_stack "$got" "$want"
expect_eq deploy_detect_cached "$(cat "$C/.backfill-vars")" "$want"
got=$(cd "$C" && "${MK[@]}" detect-prom-vars RELEASE=old RULES_FILE=r.yml 2>&1 | sed -n 2,3p)
expect_eq deploy_detect_release "$got" "PROM_STS=prometheus-old
PROM_PVC=prometheus-old-db-prometheus-old-0"

# ---- --dry-run: prints the kubectl commands, changes nothing ----
C=$TMPROOT/dry
new_cluster "$C"
export FAKE_KUBE_DIR=$C
cp "$C/state.json" "$C/state.before"
out=$(cd "$TMPROOT" && "${MK[@]}" backfill-dry-run BACKFILL_START=$START BACKFILL_END=$END 2>&1); rc=$?
expect_eq deploy_dry_run_exit "$rc" 0
for want in "-n monitoring scale statefulset $STS --replicas=0" "-n monitoring apply -f -" \
	"-n monitoring scale statefulset $STS --replicas=1" "--source-dir=/prometheus --output-dir=/prometheus"; do
	case $out in *"$want"*) pass "deploy_dry_run prints: $want" ;; *) fail "deploy_dry_run prints: $want" "$out" ;; esac
done
cmp -s "$C/state.json" "$C/state.before" && pass deploy_dry_run_no_change || fail deploy_dry_run_no_change
grep -E -q '^-n monitoring (scale|apply|delete|patch)' "$C/calls.log" && fail deploy_dry_run_no_mutation "$(cat "$C/calls.log")" ||
	pass deploy_dry_run_no_mutation

# ---- the Operator way: scale the Prometheus resource instead ----
C=$TMPROOT/cr
new_cluster "$C"
export FAKE_KUBE_DIR=$C
(cd "$TMPROOT" && "${MK[@]}" backfill-rules PROM_SCALE_KIND=prometheus BACKFILL_START=$START BACKFILL_END=$END \
	ROLLBACK_FILE="$C/rollback.txt") >/dev/null 2>"$C/stderr"; rc=$?
expect_eq deploy_cr_exit "$rc" 0
grep -q "patch prometheus $REL --type=merge" "$C/calls.log" && pass deploy_cr_patched || fail deploy_cr_patched "$(cat "$C/calls.log")"
expect_eq deploy_cr_replicas_restored "$(state "$C" 'st["prometheuses"]["monitoring/'$REL'"]["spec"]["replicas"]')" 1

# ---- the files themselves ----
sc=$(shellcheck "$ROOT"/deploy/*.sh && shellcheck -x -S warning "$ROOT"/tests/sh/deploy_playbook.sh 2>&1) && pass deploy_shellcheck || fail deploy_shellcheck "$sc"
for y in "$ROOT"/deploy/kubernetes/*.yaml "$ROOT"/deploy/github/*.yml; do
	python3 -c 'import sys,yaml; list(yaml.safe_load_all(open(sys.argv[1])))' "$y" 2>/dev/null &&
		pass "deploy_yaml $(basename "$y")" || fail "deploy_yaml $(basename "$y")"
done
