#!/usr/bin/env bash
# Checks that includes point one way: a file in layer N (folder "N-name/")
# may include headers of layers 1..N only, by their "M-name/file.h" path.
# Prints one line per offending include and exits 1 if there is any.
#
#   bash tests/layers.sh [ROOT]      (ROOT defaults to the project root)
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2
bad=0
for dir in [1-9]-*/; do
	dir=${dir%/}
	n=${dir%%-*}
	for f in "$dir"/*.[ch] "$dir"/*.cc; do
		[ -f "$f" ] || continue
		while IFS=: read -r line inc; do
			inc=${inc#*\"}; inc=${inc%%\"*}
			case $inc in
			[1-9]-*/*)
				m=${inc%%-*}
				if [ "$m" -gt "$n" ]; then
					echo "$f:$line: includes \"$inc\" from a higher layer"
					bad=1
				elif [ ! -f "$inc" ]; then
					echo "$f:$line: includes \"$inc\", which does not exist"
					bad=1
				fi ;;
			*)
				echo "$f:$line: includes \"$inc\": not a layer path (use \"N-name/file.h\")"
				bad=1 ;;
			esac
		done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
	done
done
exit $bad
