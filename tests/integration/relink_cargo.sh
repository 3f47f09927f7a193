#!/bin/bash
# Cargo cells whose profiles only add link arguments (relr, noid: -C link-arg)
# link the objects of the cell without them again, with no rebuild, and come out
# byte for byte as built from scratch. A cell whose source came from the cache
# (no link kept in this run) is built instead.
. "$(dirname "$0")/lib.sh"

dir=$(fixture cargoproj)
"$OUNCE" matrix -q -j2 -p relr,noid -w "$T/w" "$dir" > /dev/null || fail "matrix exited $?"
r="$T/w/results.json"
check_eq "cells" "baseline noid relr relr+noid" "$(q '[.cells[].name] | sort | join(" ")' "$r")"
check_eq "no failed cell" "" "$(q '.cells[] | select(.status != "ok") | .name' "$r")"
check_eq "one build" 1 "$(q .builds_run "$r")"
for c in relr noid relr+noid; do
	check_eq "$c relinked" "baseline false" \
		"$(q ".cells[] | select(.name == \"$c\") | \"\(.reused_from) \(.built)\"" "$r")"
	grep -q "the objects of baseline, linked again" "$T/w/cells/$c/build.log" \
		|| fail "$c: no relink in its log"
done
# the link arguments reached the relink: DT_RELR, and no build-id note
readelf -d "$(q '.cells[] | select(.name == "relr") | .artifact' "$r")" | grep -q RELR \
	|| fail "relr: no DT_RELR"
[ "$(section_size .note.gnu.build-id "$(q '.cells[] | select(.name == "noid") | .artifact' "$r")")" = 0 ] \
	|| fail "noid: a build-id note"

# every cell built from scratch: the same bytes
"$OUNCE" matrix -q -j2 --no-reuse -p relr,noid -w "$T/n" "$dir" > /dev/null \
	|| fail "matrix --no-reuse exited $?"
check_eq "four builds" 4 "$(q .builds_run "$T/n/results.json")"
for c in relr noid relr+noid; do
	a=$(q ".cells[] | select(.name == \"$c\") | .artifact" "$r")
	b=$(q ".cells[] | select(.name == \"$c\") | .artifact" "$T/n/results.json")
	cmp -s "$a" "$b" || fail "$c: relinked $(stat -c %s "$a") bytes, built $(stat -c %s "$b")"
done

# the baseline from the cache, in a new work directory with the old cache: noid
# and relr+noid have no kept link to start from, and are built
"$OUNCE" matrix -q -j2 -p relr -w "$T/c" "$dir" > /dev/null || fail "first cached run"
rm -rf "$T/c/cells"
"$OUNCE" matrix -q -j2 -p relr,noid -w "$T/c" "$dir" > /dev/null || fail "second cached run"
r="$T/c/results.json"
check_eq "baseline cached" true "$(q '.cells[] | select(.name == "baseline") | .cached' "$r")"
check_eq "noid built" "ok true null" \
	"$(q '.cells[] | select(.name == "noid") | "\(.status) \(.built) \(.reused_from)"' "$r")"
a=$(q '.cells[] | select(.name == "noid") | .artifact' "$r")
b=$(q '.cells[] | select(.name == "noid") | .artifact' "$T/n/results.json")
cmp -s "$a" "$b" || fail "noid built after a cached baseline differs from scratch"
echo ok
