#!/usr/bin/env bash
# deploy/Containerfile installs exactly the runtime libraries bin/promtool
# needs (its NEEDED entries and the libcurl it opens at run time, mapped to
# Debian packages; libc6, libgcc-s1 and zlib1g come with the base image),
# runs as 65534 and has the binary as entrypoint.
# (The image itself cannot be built here: no container registry.)
. "$(dirname "$0")/../lib.sh"
require_cmd deploy_image objdump dpkg-query || exit 0
cf=$ROOT/deploy/Containerfile
listed=$(sed -n 's/^# runtime-libraries: //p' "$cf" | tr ' ' '\n' | sort -u)
installed=$(grep -E '^ +ca-certificates ' "$cf" | tr ' \\' '\n\n' | grep -E '^lib' | sort -u)
# what the binary links, and libcurl, which 5-query/curl_dl.c opens at run time
dlopened=$(sed -n 's/^#define CURL_DL_SONAME "\(.*\)"$/\1/p' "$ROOT/5-query/curl_dl.h")
[ -n "$dlopened" ] && pass deploy_image_dlopen_soname || fail deploy_image_dlopen_soname
needed=$({ objdump -p "$PROMTOOL" | awk '/NEEDED/ {print $2}'; echo "$dlopened"; } | while read -r so; do
	p=$(ldconfig -p | awk -v so="$so" '$1 == so {print $NF; exit}')
	[ -n "$p" ] || continue
	r=$(readlink -f "$p")
	# merged /usr: dpkg may know the file under /lib rather than /usr/lib
	{ dpkg -S "$r" 2>/dev/null || dpkg -S "${r#/usr}" 2>/dev/null; } | head -n 1 | cut -d: -f1
done | grep -v -x -E 'libc6|libgcc-s1|zlib1g' | sort -u)
expect_eq deploy_image_runtime_libs "$listed" "$needed"
expect_eq deploy_image_installs_listed "$installed" "$listed"
grep -q '^USER 65534:65534$' "$cf" && pass deploy_image_user || fail deploy_image_user
grep -q '^ENTRYPOINT \["/usr/local/bin/promtool"\]$' "$cf" && pass deploy_image_entrypoint || fail deploy_image_entrypoint
