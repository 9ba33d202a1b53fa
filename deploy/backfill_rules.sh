#!/usr/bin/env bash
# The backfill playbook, driven from a workstation or CI: scale Prometheus
# down, run a Kubernetes Job that writes recording-rule blocks straight into
# its data volume (evaluating the rules from that very volume with
# --source-dir, so no second Prometheus is needed), scale it back up whatever
# happened, and keep a list of the new blocks for rollback.
#
#   backfill_rules.sh [--dry-run] detect      print the detected settings
#   backfill_rules.sh [--dry-run] backfill    run the backfill Job
#   backfill_rules.sh [--dry-run] rollback    remove the blocks in $ROLLBACK_FILE
#
# Settings come from the environment (deploy/Makefile.backfill.mk passes its
# variables through); empty ones are detected as the Prometheus Operator
# names things.  See deploy/README.md for the runbook.
#
# --dry-run prints every kubectl command that would change the cluster
# (scale, apply, delete, logs, wait) instead of running it; read-only
# lookups (get) still run, printed with "# lookup:", so the plan shown is
# the real one.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
TEMPLATE_DIR=${TEMPLATE_DIR:-$here/kubernetes}
KUBECTL=${KUBECTL:-kubectl}
NS=${NS:-monitoring}
RELEASE=${RELEASE:-}
PROM_STS=${PROM_STS:-}
PROM_PVC=${PROM_PVC:-}
PROM_PVC_SUBPATH=${PROM_PVC_SUBPATH-prometheus-db}
PROM_SCALE_KIND=${PROM_SCALE_KIND:-statefulset}
PROM_CR=${PROM_CR:-}
RULES_CM=${RULES_CM:-}
RULES_DIR=${RULES_DIR:-}
RULES_FILE=${RULES_FILE:-}
PROM_QUERY_URL=${PROM_QUERY_URL:-}
IMAGE=${IMAGE:-promtool-backfill:latest}
BACKFILL_START=${BACKFILL_START:-}
BACKFILL_END=${BACKFILL_END:-}
BACKFILL_STEP=${BACKFILL_STEP:-30s}
BACKFILL_EXTRA_ARGS=${BACKFILL_EXTRA_ARGS:-}
KEEP_JOB=${KEEP_JOB:-0}
JOB_NAME=${JOB_NAME:-promtool-backfill}
JOB_TIMEOUT=${JOB_TIMEOUT:-7200}
POD_GONE_TIMEOUT=${POD_GONE_TIMEOUT:-300}
POLL_SECONDS=${POLL_SECONDS:-5}
RUN_AS_UID=${RUN_AS_UID:-65534}
RUN_AS_GID=${RUN_AS_GID:-65534}
FS_GROUP=${FS_GROUP:-65534}
ROLLBACK_FILE=${ROLLBACK_FILE:-backfill-rollback.txt}
DRY_RUN=0

die() { echo "backfill_rules: $*" >&2; exit 1; }
log() { echo "backfill_rules: $*" >&2; }

# k ARGS...: a kubectl call that changes the cluster (printed only under --dry-run).
k() {
	if [ "$DRY_RUN" = 1 ]; then
		printf '%q ' "$KUBECTL" -n "$NS" "$@"; echo
		return 0
	fi
	"$KUBECTL" -n "$NS" "$@"
}
# kget ARGS...: a read-only lookup (runs under --dry-run too).
kget() {
	[ "$DRY_RUN" = 1 ] && { printf '# lookup: '; printf '%q ' "$KUBECTL" -n "$NS" get "$@"; echo; } >&2
	"$KUBECTL" -n "$NS" get "$@"
}

# ---- detection -------------------------------------------------------------

# Fills PROM_STS, PROM_PVC, RULES_CM, RULES_DIR, RULES_FILE, PROM_CR where
# empty: the newest StatefulSet labelled app.kubernetes.io/name=prometheus
# (and app.kubernetes.io/instance=$RELEASE when given), the PVC of its first
# volumeClaimTemplate for pod 0 (<template>-<sts>-0), the Operator's rule
# ConfigMap prometheus-<name>-rulefiles-0 mounted at
# /etc/prometheus/rules/<configmap>/, and every file in it.
detect() {
	local sel json
	load_cache
	if [ -z "$PROM_STS" ]; then
		sel=app.kubernetes.io/name=prometheus
		[ -n "$RELEASE" ] && sel="$sel,app.kubernetes.io/instance=$RELEASE"
		json=$(kget statefulset -l "$sel" -o json) || die "cannot list StatefulSets in namespace '$NS'"
		PROM_STS=$(printf '%s' "$json" | python3 -c '
import json, sys
items = json.load(sys.stdin).get("items", [])
items.sort(key=lambda i: (i["metadata"].get("creationTimestamp", ""), i["metadata"]["name"]))
print(items[-1]["metadata"]["name"] if items else "")')
		[ -n "$PROM_STS" ] || die "no StatefulSet labelled $sel in namespace '$NS' (set PROM_STS)"
	fi
	if [ -z "$PROM_PVC" ]; then
		local tmpl
		tmpl=$(kget statefulset "$PROM_STS" -o jsonpath='{.spec.volumeClaimTemplates[0].metadata.name}') ||
			die "cannot read StatefulSet '$PROM_STS'"
		[ -n "$tmpl" ] || die "StatefulSet '$PROM_STS' has no volumeClaimTemplates (set PROM_PVC)"
		PROM_PVC=$tmpl-$PROM_STS-0
	fi
	local name=${PROM_STS#prometheus-}
	[ -n "$RULES_CM" ] || RULES_CM=prometheus-$name-rulefiles-0
	[ -n "$RULES_DIR" ] || RULES_DIR=/etc/prometheus/rules/$RULES_CM
	if [ -z "$RULES_FILE" ]; then
		json=$(kget configmap "$RULES_CM" -o json) ||
			die "cannot read ConfigMap '$RULES_CM' (set RULES_CM and RULES_FILE)"
		RULES_FILE=$(printf '%s' "$json" | python3 -c '
import json, sys
print(" ".join(sorted(json.load(sys.stdin).get("data", {}))))')
		[ -n "$RULES_FILE" ] || die "ConfigMap '$RULES_CM' holds no rule files"
	fi
	if [ "$PROM_SCALE_KIND" = prometheus ] && [ -z "$PROM_CR" ]; then
		PROM_CR=$name
	fi
}

SETTINGS="NS PROM_STS PROM_PVC PROM_PVC_SUBPATH PROM_CR RULES_CM RULES_DIR RULES_FILE"

# One KEY=VALUE line per detected setting, VALUE quoted for the shell.
print_settings() {
	local k
	for k in $SETTINGS; do printf '%s=%q\n' "$k" "${!k}"; done
}

# VARS_FILE (what `detect` printed, cached by the Makefile) fills settings
# that are still empty; values given in the environment win.
load_cache() {
	local k v
	[ -n "${VARS_FILE:-}" ] && [ -f "$VARS_FILE" ] || return 0
	while IFS='=' read -r k v; do
		case " $SETTINGS " in *" $k "*) ;; *) continue ;; esac
		[ -n "${!k}" ] && continue
		eval "$k=$v"
	done <"$VARS_FILE"
}

# ---- scaling ---------------------------------------------------------------

replicas() {
	if [ "$PROM_SCALE_KIND" = prometheus ]; then
		kget prometheus "$PROM_CR" -o jsonpath='{.spec.replicas}'
	else
		kget statefulset "$PROM_STS" -o jsonpath='{.spec.replicas}'
	fi
}

scale() { # N
	if [ "$PROM_SCALE_KIND" = prometheus ]; then
		k patch prometheus "$PROM_CR" --type=merge -p "{\"spec\":{\"replicas\":$1}}" >&2
	else
		k scale statefulset "$PROM_STS" --replicas="$1" >&2
	fi
}

SAVED_REPLICAS=
restore_replicas() {
	local rc=$?
	if [ -n "$SAVED_REPLICAS" ]; then
		log "scaling $PROM_STS back to $SAVED_REPLICAS replica(s)"
		scale "$SAVED_REPLICAS" || { log "could not scale $PROM_STS back to $SAVED_REPLICAS: do it by hand"; rc=1; }
		SAVED_REPLICAS=
	fi
	exit $rc
}

# Scales Prometheus to 0 (remembering the count; the EXIT trap restores it)
# and waits until its pods are gone: blocks are written only while no
# server has the data dir open.
scale_down() {
	local n pods waited=0
	n=$(replicas) || die "cannot read the replica count of $PROM_STS"
	SAVED_REPLICAS=${n:-1}
	trap restore_replicas EXIT
	trap 'exit 130' INT TERM
	log "scaling $PROM_STS from $SAVED_REPLICAS replica(s) to 0"
	scale 0
	[ "$DRY_RUN" = 1 ] && { k wait --for=delete "pod/$PROM_STS-0" --timeout="${POD_GONE_TIMEOUT}s"; return; }
	while :; do
		pods=$(kget pod "$PROM_STS-0" -o name 2>/dev/null || true)
		[ -z "$pods" ] && break
		if [ "$waited" -ge "$POD_GONE_TIMEOUT" ]; then
			die "pod $PROM_STS-0 still there after ${POD_GONE_TIMEOUT}s; not starting the backfill"
		fi
		sleep "$POLL_SECONDS"
		waited=$((waited + POLL_SECONDS))
	done
	log "pod $PROM_STS-0 is gone"
}

# ---- the Job ----------------------------------------------------------------

render() { # template
	local files=() f
	for f in $RULES_FILE; do files+=("$RULES_DIR/$f"); done
	export NS JOB_NAME IMAGE PROM_PVC PROM_PVC_SUBPATH RULES_CM RULES_DIR BACKFILL_START BACKFILL_END \
		BACKFILL_STEP PROM_QUERY_URL RUN_AS_UID RUN_AS_GID FS_GROUP BACKFILL_EXTRA_ARGS
	RULE_PATHS=${files[*]}
	BLOCK_ULIDS=${BLOCK_ULIDS:-}
	export RULE_PATHS BLOCK_ULIDS
	# shellcheck disable=SC2016 # the variable names envsubst may replace, unexpanded
	envsubst '${NS} ${JOB_NAME} ${IMAGE} ${PROM_PVC} ${PROM_PVC_SUBPATH} ${RULES_CM} ${RULES_DIR}
${BACKFILL_START} ${BACKFILL_END} ${BACKFILL_STEP} ${PROM_QUERY_URL} ${RUN_AS_UID} ${RUN_AS_GID}
${FS_GROUP} ${BACKFILL_EXTRA_ARGS} ${RULE_PATHS} ${BLOCK_ULIDS}' <"$1"
}

# Runs the Job from template $1, streams its logs into $2, and waits for it
# to succeed or fail.  Returns 0 on success.
run_job() {
	local tmpl=$1 logf=$2 waited=0 ok fail
	k delete job "$JOB_NAME" --ignore-not-found >/dev/null
	if [ "$DRY_RUN" = 1 ]; then
		echo "# the Job applied:"; render "$tmpl"
		k apply -f -
		k wait --for=condition=complete "job/$JOB_NAME" --timeout="${JOB_TIMEOUT}s"
		k logs "job/$JOB_NAME"
		[ "$KEEP_JOB" = 1 ] || k delete job "$JOB_NAME"
		return 0
	fi
	render "$tmpl" | k apply -f - >/dev/null || die "cannot create Job $JOB_NAME"
	log "Job $JOB_NAME started"
	while :; do
		ok=$(kget job "$JOB_NAME" -o jsonpath='{.status.succeeded}' 2>/dev/null || true)
		fail=$(kget job "$JOB_NAME" -o jsonpath='{.status.failed}' 2>/dev/null || true)
		[ "${ok:-0}" -ge 1 ] || [ "${fail:-0}" -ge 1 ] && break
		if [ "$waited" -ge "$JOB_TIMEOUT" ]; then
			log "Job $JOB_NAME did not finish within ${JOB_TIMEOUT}s"
			fail=1
			break
		fi
		sleep "$POLL_SECONDS"
		waited=$((waited + POLL_SECONDS))
	done
	k logs "job/$JOB_NAME" --all-containers=true >"$logf" 2>&1 || true
	sed 's/^/  | /' "$logf" >&2
	[ "$KEEP_JOB" = 1 ] || k delete job "$JOB_NAME" --ignore-not-found >/dev/null || true
	[ "${ok:-0}" -ge 1 ]
}

is_ulid() { [[ $1 =~ ^[0-9A-HJKMNP-TV-Z]{26}$ ]]; }

cmd_backfill() {
	local tmpl logf ulids
	[ -n "$BACKFILL_START" ] || die "BACKFILL_START is required (RFC 3339 or Unix seconds)"
	[ -n "$BACKFILL_END" ] || die "BACKFILL_END is required (RFC 3339 or Unix seconds)"
	detect
	print_settings >&2
	if [ -n "$PROM_QUERY_URL" ]; then
		tmpl=$TEMPLATE_DIR/backfill-job-url.yaml
	else
		tmpl=$TEMPLATE_DIR/backfill-job.yaml
	fi
	scale_down
	logf=$(mktemp)
	if ! run_job "$tmpl" "$logf"; then
		rm -f "$logf"
		die "the backfill Job failed; Prometheus is scaled back up, no block list written"
	fi
	ulids=$(sed -n 's/^NEW-BLOCK \([0-9A-Z]\{26\}\)$/\1/p' "$logf")
	rm -f "$logf"
	[ "$DRY_RUN" = 1 ] && return 0
	if [ -z "$ulids" ]; then
		log "no new blocks (nothing to backfill in the window, or a resumed run that had finished)"
		return 0
	fi
	printf '%s\n' "$ulids" >>"$ROLLBACK_FILE"
	log "$(printf '%s\n' "$ulids" | wc -l) new block(s), listed in $ROLLBACK_FILE for rollback:"
	printf '%s\n' "$ulids"
}

cmd_rollback() {
	local u logf ids=()
	[ -f "$ROLLBACK_FILE" ] || die "no rollback list '$ROLLBACK_FILE'"
	while read -r u; do
		[ -z "$u" ] && continue
		is_ulid "$u" || die "'$u' in $ROLLBACK_FILE is not a block ULID"
		ids+=("$u")
	done <"$ROLLBACK_FILE"
	[ ${#ids[@]} -gt 0 ] || die "$ROLLBACK_FILE lists no blocks"
	detect
	BLOCK_ULIDS=${ids[*]}
	scale_down
	logf=$(mktemp)
	if ! run_job "$TEMPLATE_DIR/rollback-job.yaml" "$logf"; then
		rm -f "$logf"
		die "the rollback Job failed; Prometheus is scaled back up, $ROLLBACK_FILE kept"
	fi
	rm -f "$logf"
	[ "$DRY_RUN" = 1 ] && return 0
	mv "$ROLLBACK_FILE" "$ROLLBACK_FILE.done"
	log "removed ${#ids[@]} block(s); the list is now $ROLLBACK_FILE.done"
}

while [ $# -gt 0 ]; do
	case $1 in
	--dry-run) DRY_RUN=1 ;;
	--keep-job) KEEP_JOB=1 ;;
	-h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option '$1'" ;;
	*) break ;;
	esac
	shift
done
case ${1:-} in
detect) detect; print_settings ;;
backfill) cmd_backfill ;;
rollback) cmd_rollback ;;
*) die "usage: backfill_rules.sh [--dry-run] [--keep-job] detect|backfill|rollback" ;;
esac
