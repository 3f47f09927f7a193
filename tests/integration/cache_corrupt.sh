#!/bin/bash
# The cache serves only what it stored: an artifact in an entry that was cut short
# or overwritten (same size, other bytes) is a miss, the entry goes with one
# warning, and the cell is built again; nor does it serve what another ounce
# executable stored. A cache that cannot be used (a file where its directory should
# be) is one warning, then a run without it: no error, exit 0.
. "$(dirname "$0")/lib.sh"

dir=$(fixture single)
r="$T/w/results.json"
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "first run exited $?: $(cat err.txt)"
q '[.cells[] | {name, bytes}] | sort_by(.name)' "$r" > first.json

# entry NAME: the cache entry of the cell called NAME
entry() {
	grep -l "\"name\": \"$1\"" "$T"/w/cache/*/cell.json | xargs dirname
}
base=$(entry baseline)
strip=$(entry strip)
[ -d "$base/art" ] && [ -d "$strip/art" ] || fail "no cache entries with artifacts"
a=$(find "$base/art" -type f | head -n 1)
b=$(find "$strip/art" -type f | head -n 1)
# cut one short; overwrite the other with as many other bytes (a copy, so the
# cell's own file, which the entry may link, keeps its bytes)
truncate -s 100 "$a"
size=$(stat -c %s "$b")
rm -f "$b"
head -c "$size" /dev/zero > "$b"

"$OUNCE" matrix -p strip --no-verify -w "$T/w" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "run after the damage exited $?: $(cat err.txt)"
check_eq "warnings" 2 "$(grep -c "warning: cache entry .*: removed, the cell is built again" err.txt)"
grep -q "baseline.*\[cached\]\|strip.*\[cached\]" err.txt && fail "served a damaged entry: $(cat err.txt)"
check_eq "hits after the damage" 0 "$(q .cache_hits "$r")"
q '[.cells[] | {name, bytes}] | sort_by(.name)' "$r" > second.json
cmp -s first.json second.json || fail "rebuilt results differ: $(diff first.json second.json)"
# stored again, whole: the next run is served
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "third run exited $?: $(cat err.txt)"
check_eq "hits after the rebuild" 2 "$(q .cache_hits "$r")"
# an entry whose cell.json names an artifact outside the cell ("../../../x"; its
# file put where that name leads from the entry's art/, with its size and hash): a
# miss, the entry goes with one warning, and nothing is written outside the work
# directory when the strip cell copies the baseline's artifacts
base=$(entry baseline)
rm -rf "$(entry strip)"
evil=../../../escaped/hello
jq --arg n "$evil" '.artifacts[0].name = $n | .files = {($n): .files["src/hello"]}' \
	"$base/cell.json" > cell.json && mv cell.json "$base/cell.json" \
	|| fail "cannot edit cell.json"
mkdir -p "$T/w/escaped" && cp "$base/art/src/hello" "$T/w/escaped/hello" || fail "cannot copy"
"$OUNCE" matrix -p strip --no-verify -w "$T/w" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "run after the name was changed exited $?: $(cat err.txt)"
[ -e "$T/escaped" ] && fail "wrote outside the work directory: $(find "$T/escaped")"
check_eq "warnings for the name" 1 \
	"$(grep -c "warning: cache entry .*: artifact name .* leaves the cell: removed" err.txt)"
check_eq "hits for the name" 0 "$(q .cache_hits "$r")"
check_eq "artifact names" "src/hello src/hello" \
	"$(q '[.cells[].artifacts[].name] | join(" ")' "$r")"

# another ounce (rebuilt: here one byte longer) is served nothing an older one stored
cp "$OUNCE" "$T/ounce2" && printf '\0' >> "$T/ounce2" || fail "cannot copy ounce"
"$T/ounce2" matrix -q -p strip --no-verify -w "$T/w" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "run of another ounce exited $?: $(cat err.txt)"
check_eq "hits for another ounce" 0 "$(q .cache_hits "$r")"

# a cache that cannot be used: one warning, no error, exit 0, every cell built
rm -rf "$T/w2"
mkdir -p "$T/w2"
echo 'not a directory' > "$T/w2/cache"
"$OUNCE" matrix -p strip --no-verify -w "$T/w2" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "run with a broken cache exited $?: $(cat err.txt)"
grep -q "error" err.txt && fail "errors for an unusable cache: $(cat err.txt)"
check_eq "cache warnings" 1 "$(grep -c "warning: cannot use the cache" err.txt)"
check_eq "built without the cache" "baseline:ok strip:ok" \
	"$(q '[.cells[] | "\(.name):\(.status)"] | sort | join(" ")' "$T/w2/results.json")"
echo ok
