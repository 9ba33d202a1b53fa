# The backfill playbook as make targets; see deploy/README.md.
#
#   make -f deploy/Makefile.backfill.mk backfill-rules \
#       BACKFILL_START=2026-11-01T00:00:00Z BACKFILL_END=2026-11-08T00:00:00Z
#
# Targets:
#   detect-prom-vars     print what detection finds (and cache it in $(VARS_CACHE))
#   backfill-rules       scale Prometheus down, run the backfill Job, scale back up
#   backfill-rules-auto  detect-prom-vars, then backfill-rules with the cached values
#   rollback             remove the blocks listed in $(ROLLBACK_FILE)
#   backfill-dry-run     print the kubectl commands backfill-rules would run
# Variables left empty are detected as the Prometheus Operator names things.

HERE := $(dir $(lastword $(MAKEFILE_LIST)))

NS              ?= monitoring
RELEASE         ?=
PROM_STS        ?=
PROM_PVC        ?=
PROM_PVC_SUBPATH ?= prometheus-db
PROM_SCALE_KIND ?= statefulset
PROM_CR         ?=
RULES_CM        ?=
RULES_DIR       ?=
RULES_FILE      ?=
PROM_QUERY_URL  ?=
IMAGE           ?= promtool-backfill:latest
BACKFILL_START  ?=
BACKFILL_END    ?=
BACKFILL_STEP   ?= 30s
BACKFILL_EXTRA_ARGS ?=
KEEP_JOB        ?= 0
ROLLBACK_FILE   ?= backfill-rollback.txt
VARS_CACHE      ?= .backfill-vars
KUBECTL         ?= kubectl

SCRIPT := $(HERE)backfill_rules.sh
EXPORTS := NS RELEASE PROM_STS PROM_PVC PROM_PVC_SUBPATH PROM_SCALE_KIND PROM_CR RULES_CM RULES_DIR \
	RULES_FILE PROM_QUERY_URL IMAGE BACKFILL_START BACKFILL_END BACKFILL_STEP BACKFILL_EXTRA_ARGS \
	KEEP_JOB ROLLBACK_FILE KUBECTL
export $(EXPORTS)

.PHONY: detect-prom-vars backfill-rules backfill-rules-auto rollback backfill-dry-run

detect-prom-vars:
	@bash $(SCRIPT) detect | tee $(VARS_CACHE)

backfill-rules:
	@bash $(SCRIPT) backfill

# The cached values fill what is still empty: variables given on the
# command line win.
backfill-rules-auto: detect-prom-vars
	@VARS_FILE=$(VARS_CACHE) bash $(SCRIPT) backfill

rollback:
	@bash $(SCRIPT) rollback

backfill-dry-run:
	@bash $(SCRIPT) --dry-run backfill
