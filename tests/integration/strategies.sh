#!/bin/bash
# --strategy full builds every combination; --strategy search must find the same
# smallest one with at most 4 builds per dimension; clang (the compiler dimension)
# and lld (the linker dimension) are values, not switches. Neither builds a twin (a
# cell with a profile another implies), and the search combines no further a
# profile that grew the metric a lot alone and with its best set.
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

# cgu1 implies lto under gcc (profiles/cgu1.ini): lto+cgu1 is cgu1's build, byte for
# byte (each row cgu1 against the stack row lto+cgu1), so neither the full factorial
# nor a search builds a cell with both, and the optimum is full's as before
"$OUNCE" matrix -q -s both --stack all -p lto,cgu1 -w "$T/twin" -f json "$dir" > /dev/null \
	2> err.txt || fail "both lto,cgu1 exited $?: $(cat err.txt)"
f="$T/twin/results.json"
cmp "$(q '.cells[] | select(.name == "cgu1") | .artifact' "$f")" \
	"$(q '.cells[] | select(.name == "lto+cgu1") | .artifact' "$f")" \
	|| fail "lto+cgu1 is not cgu1's build"
"$OUNCE" matrix -s full -p strip,lto,cgu1,gc -w "$T/twins" -f json "$dir" > /dev/null \
	2> err.txt || fail "full strip,lto,cgu1,gc exited $?: $(cat err.txt)"
f="$T/twins/results.json"
q '.cells[].name' "$f" | grep -q 'lto+cgu1' && fail "full built a twin: $(q '[.cells[].name] | join(" ")' "$f")"
# 15 combinations less the 4 with lto and cgu1, and the baseline
check_eq "full cells without twins" 12 "$(q '.cells | length' "$f")"
grep -q '^ounce: full: 4 combinations not built: a profile in each implies another' err.txt \
	|| fail "full's twins line: $(cat err.txt)"
best_full=$(q '[.cells[] | select(.status == "ok") | .bytes] | min' "$f")
"$OUNCE" matrix -s search -p strip,lto,cgu1,gc -w "$T/twins-s" -f json "$dir" > /dev/null \
	2> err.txt || fail "search strip,lto,cgu1,gc exited $?: $(cat err.txt)"
s="$T/twins-s/results.json"
q '.cells[].name' "$s" | grep -q 'lto+cgu1' && fail "search built a twin: $(q '[.cells[].name] | join(" ")' "$s")"
check_eq "search with twins finds full's optimum" "$best_full" \
	"$(q '(.rows[] | select(.group == "search") | .cell) as $c | .cells[] | select(.name == $c) | .bytes' "$s" | head -1)"

# the growth rule: jemalloc grows this small program more than tenfold alone and with
# the best set, so after its single and the greedy walk's try the search builds it
# in no combination (--stack all: in 3 more), and finds the same optimum
p=allocator,gc,os,nosep
for mode in rule all; do
	args=()
	[ $mode = all ] && args=(--stack all)
	"$OUNCE" matrix -s search "${args[@]}" -p $p -w "$T/grow-$mode" -f json "$dir" > /dev/null \
		2> "err-$mode.txt" || fail "search $p $mode exited $?: $(cat "err-$mode.txt")"
done
r="$T/grow-rule/results.json"
a="$T/grow-all/results.json"
with_alloc='[.cells[] | select(.profiles | index("allocator")) | select(.built)] | length'
check_eq "allocator cells built with the rule" 2 "$(q "$with_alloc" "$r")"
check_eq "allocator cells built with --stack all" 5 "$(q "$with_alloc" "$a")"
check_eq "builds saved" 3 "$(( $(q .builds_run "$a") - $(q .builds_run "$r") ))"
best_row='(.rows[] | select(.group == "search") | .cell) as $c | .cells[] | select(.name == $c) | .bytes'
check_eq "same optimum with the rule" "$(q "$best_row" "$a" | head -1)" "$(q "$best_row" "$r" | head -1)"
grep -q "^ounce: search: 'allocator' grew the file metric by more than 25% alone and with the best cell: not combined further, 3 cells not built (--stack all combines it)$" \
	err-rule.txt || fail "growth rule line: $(cat err-rule.txt)"
grep -q "grew the file metric" err-all.txt && fail "--stack all applied the rule: $(cat err-all.txt)"

"$OUNCE" matrix -s sideways "$dir" > /dev/null 2> err.txt
check_eq "unknown strategy" 2 "$?"
grep -q "unknown strategy 'sideways'" err.txt || fail "strategy error: $(cat err.txt)"
echo ok
