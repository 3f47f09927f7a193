#!/bin/bash
# --strategy full builds every combination; --strategy search must find the same
# smallest one with at most 4 builds per dimension; clang (the compiler dimension)
# and lld (the linker dimension) are values, not switches.
. "$(dirname "$0")/lib.sh"

dir=$(fixture makeproj)
p=strip,gc,os,vis,lld,clang
dims=6
"$OUNCE" matrix -q -s full -p $p -w "$T/full" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "full exited $?: $(cat err.txt)"
f="$T/full/results.json"
check_eq "full strategy recorded" full "$(q .strategy "$f")"
# 2^6 - 1 combinations, the baseline, and the cells strip starts from
[ "$(q '[.cells[] | select(.name != "baseline")] | length' "$f")" -ge 63 ] \
	|| fail "full built $(q .cells_total "$f") cells"
best_full=$(q '[.cells[] | select(.status == "ok") | .bytes] | min' "$f")
check_eq "full's first row is its best" "$best_full" \
	"$(q '(.rows[] | select(.group == "full") | .cell) as $c | .cells[] | select(.name == $c) | .bytes' "$f" | head -1)"

"$OUNCE" matrix -q -s search -p $p -w "$T/search" -f json "$dir" > out.txt 2> err.txt \
	|| fail "search exited $?: $(cat err.txt)"
s="$T/search/results.json"
check_eq "search strategy recorded" search "$(q .strategy "$s")"
best=$(q '(.rows[] | select(.group == "search") | .cell) as $c | .cells[] | select(.name == $c) | .bytes' "$s" | head -1)
check_eq "search finds full's optimum" "$best_full" "$best"
built=$(q .builds_run "$s")
[ "$built" -le $((4 * dims)) ] || fail "search ran $built builds for $dims dimensions"
[ "$built" -lt "$(q .builds_run "$f")" ] || fail "search built as much as full: $built"
# no cell of the search has clang or lld twice over, or gcc-only flags with clang
q '.cells[].profiles | join("+")' "$s" | grep -q 'clang.*clang' && fail "a cell with clang twice"

# the full factorial of too many profiles is refused before anything is built
"$OUNCE" matrix -q -s full -p strip,gc,os,vis,lld,clang,lto,nosep,relr,noid,nopie,nossp,norelro \
	-w "$T/big" "$dir" > /dev/null 2> err.txt
check_eq "full of 13 profiles refused" 2 "$?"
grep -q 'use --strategy search' err.txt || fail "full refusal: $(cat err.txt)"
[ -e "$T/big/cells" ] && fail "cells were built before the refusal"
# lld cannot link gcc's LTO objects (profiles/lld.ini: [gcc] conflicts = lto cgu1):
# those cells are skipped, not built, strip on top of them too; with clang they build
"$OUNCE" matrix -q -s full -p strip,lto,lld,clang -w "$T/fail" -f json "$dir" > /dev/null \
	2> err.txt || fail "full strip,lto,lld,clang exited $?: $(cat err.txt)"
f="$T/fail/results.json"
for n in lto+lld strip+lto+lld; do
	c=$(cell "$f" $n)
	check_eq "$n status" skipped "$(jq -r .status <<<"$c")"
	check_eq "$n not built" false "$(jq -r .built <<<"$c")"
	jq -r .reason <<<"$c" | grep -q "^not built: 'lld' cannot go with 'lto' when gcc builds$" \
		|| fail "$n reason: $c"
done
check_eq "strip+lto+lld from" lto+lld "$(q '.cells[] | select(.name == "strip+lto+lld") | .reused_from' "$f")"
check_eq "clang LTO with lld" ok "$(q '.cells[] | select(.name == "lto+lld+clang") | .status' "$f")"
[ ! -e "$T/fail/cells/lto+lld" ] || fail "a skipped cell was staged"

"$OUNCE" matrix -s sideways "$dir" > /dev/null 2> err.txt
check_eq "unknown strategy" 2 "$?"
grep -q "unknown strategy 'sideways'" err.txt || fail "strategy error: $(cat err.txt)"
echo ok
