#!/usr/bin/env bash
# make install puts the binary, the man page and the bash/zsh completion
# scripts where distributions look for them, each what the binary generates.
. "$(dirname "$0")/../lib.sh"
d=$TMPROOT/root
make --no-print-directory -s install DESTDIR="$d" PREFIX=/usr >"$TMPROOT/out" 2>&1 || fail install "$(cat "$TMPROOT/out")"
cmp -s "$d/usr/bin/promtool" "$PROMTOOL" && pass install_binary || fail install_binary
expect_eq install_man "$(cat "$d/usr/share/man/man1/promtool.1" 2>&1)" "$("$PROMTOOL" --help-man)"
expect_eq install_bash "$(cat "$d/usr/share/bash-completion/completions/promtool" 2>&1)" "$("$PROMTOOL" --completion-script-bash)"
expect_eq install_zsh "$(cat "$d/usr/share/zsh/site-functions/_promtool" 2>&1)" "$("$PROMTOOL" --completion-script-zsh)"
case $(head -c 4 "$d/usr/share/man/man1/promtool.1") in .TH*) pass install_man_is_roff ;; *) fail install_man_is_roff ;; esac
# the completion script completes: bash sources it and offers the commands
out=$(PATH="$d/usr/bin:$PATH" bash -c '. "$1"; COMP_WORDS=(promtool ts); COMP_CWORD=1; _promtool_bash_autocomplete; printf "%s\n" "${COMPREPLY[@]}"' _ \
	"$d/usr/share/bash-completion/completions/promtool" 2>&1)
expect_eq install_bash_completes "$out" "tsdb"
