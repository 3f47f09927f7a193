#!/bin/bash
# A profile that breaks the build and one that breaks the smoke test are rows with
# their reasons; the matrix goes on, the stack leaves them out, pick avoids them.
. "$(dirname "$0")/lib.sh"

dir=$(fixture breaks)
"$OUNCE" matrix -q -j2 -p strip,os,badsmoke,gc -w "$T/work" "$dir" > table.txt \
	|| fail "matrix exited $?"
res="$T/work/results.json"
c=$(cell "$res" os)
check_eq "os status" build-failed "$(jq -r .status <<<"$c")"
jq -r .reason <<<"$c" | grep -q 'refuses to build with -Os' || fail "os reason: $c"
[ -f "$(jq -r .log <<<"$c")" ] || fail "os log missing"
check_eq "os bytes" null "$(jq -r .bytes <<<"$c")"
c=$(cell "$res" badsmoke)
check_eq "badsmoke status" smoke-failed "$(jq -r .status <<<"$c")"
check_eq "badsmoke smoke" fail "$(jq -r .smoke <<<"$c")"
jq -r .reason <<<"$c" | grep -q 'exit status 4' || fail "badsmoke reason: $c"

# the stack: strip kept, os failed, badsmoke failed, gc kept on strip alone
check_eq "stack rows" "strip strip+os strip+badsmoke strip+gc" \
	"$(q '[.rows[] | select(.group == "cumulative") | .cell] | join(" ")' "$res")"
check_eq "os note" "failed: left out below" \
	"$(q '.rows[] | select(.group == "cumulative" and .cell == "strip+os") | .note' "$res")"
grep -q '^  os: build-failed: ' table.txt || fail "table lacks the failed cell"
# strip on top of the failed os build fails alike, without a build of its own
c=$(cell "$res" strip+os)
check_eq "strip+os status" build-failed "$(jq -r .status <<<"$c")"
check_eq "strip+os from" os "$(jq -r .reused_from <<<"$c")"
check_eq "strip+os not built" false "$(jq -r .built <<<"$c")"
jq -r .reason <<<"$c" | grep -q "^as 'os' .*refuses to build with -Os" || fail "strip+os: $c"

# pick never chooses a failed or smoke-failed cell
win=$("$OUNCE" pick "$res" | cut -f1)
check_eq "winner" strip+gc "$win"
for m in file stripped xz flash; do
	w=$("$OUNCE" pick -m "$m" "$res" | cut -f1)
	case "$w" in *os* | *badsmoke*) fail "pick -m $m chose $w" ;; esac
done
echo ok
