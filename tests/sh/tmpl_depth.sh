#!/usr/bin/env bash
# Alert templates nested far deeper than our 8 MB stack allows (50,000
# parentheses, 20,000 nested {{if}}): Go's text/template parser recurses on
# a goroutine stack that grows to 1 GB, and so must ours (1-common/
# bigstack.h), so `check rules` answers as the real promtool 2.42 does.
. "$(dirname "$0")/../lib.sh"
require_cmd tmpl_depth "$REAL_PROMTOOL" python3 || exit 0
python3 - "$TMPROOT" <<'PY'
import sys
d = sys.argv[1]
paren = "{{" + "(" * 50000 + "1" + ")" * 50000 + "}}"
ifs = "{{if 1}}" * 20000 + "x" + "{{end}}" * 20000
bad = "{{" + "(" * 50000 + "1" + ")" * 49999 + "}}"
for name, a, b in (("ok", paren, ifs), ("bad", bad, ifs)):
    with open("%s/%s.yml" % (d, name), "w") as f:
        f.write("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations:\n"
                "      x: '%s'\n      y: '%s'\n" % (a, b))
PY
for c in ok bad; do
	(cd "$TMPROOT" && "$PROMTOOL" check rules $c.yml >ours.out 2>ours.err; echo "rc=$?" >>ours.out)
	(cd "$TMPROOT" && "$REAL_PROMTOOL" check rules $c.yml >real.out 2>real.err; echo "rc=$?" >>real.out)
	expect_files_eq "tmpl_depth_${c}_stdout" "$TMPROOT/ours.out" "$TMPROOT/real.out"
	expect_files_eq "tmpl_depth_${c}_stderr" "$TMPROOT/ours.err" "$TMPROOT/real.err"
done
