#!/bin/bash
# A Makefile that hard-codes CC and CFLAGS still gets every profile's flags, the
# tree is never written, and several executables need a name.
. "$(dirname "$0")/lib.sh"

dir=$(fixture makeproj)
# a stale build output in the user's tree must not be measured
cp /bin/true "$dir/counter"
before=$(tree_digest "$dir")
"$OUNCE" matrix -j2 -p gc,lto,clang,lld -w "$T/work" "$dir" > table.txt 2> err.txt \
	|| fail "matrix exited $?: $(cat err.txt)"
grep -q "^ounce: work directory '$T/work': [0-9.]* MB (cells [0-9.]* MB, cache [0-9.]* MB)" err.txt \
	|| fail "no work directory size: $(tail -3 err.txt)"
res="$T/work/results.json"
check_eq "tree untouched" "$before" "$(tree_digest "$dir")"
check_eq "recipe" make "$(q .recipe "$res")"
check_eq "project name from ounce.ini" counter "$(q .project "$res")"

# a measured cell keeps only what later commands read: its artifact, the link map
# beside it, its logs (--keep-cells keeps the whole tree)
check_eq "what the gc cell kept" "build.log src src/counter src/counter.map wrap.log" \
	"$(cd "$T/work/cells/gc" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort | xargs)"
"$OUNCE" size "$T/work/cells/gc/src/counter" > size.txt || fail "size of a kept artifact"
grep -q 'attributed by map' size.txt || fail "the kept map is not read: $(cat size.txt)"

# every compile and link of the gc cell carried the gc flags, after the Makefile's
w="$T/work/cells/gc/wrap.log"
check_eq "compiles and link wrapped" 3 "$(grep -c . "$w")"
[ "$(grep -c -- '-O2 -Wall -c .* -ffunction-sections -fdata-sections$' "$w")" = 2 ] \
	|| fail "compile steps lack the gc flags: $(cat "$w")"
grep -q -- '-o counter main.o util.o .*-ffunction-sections -fdata-sections -Wl,--gc-sections$' "$w" \
	|| fail "link step lacks --gc-sections: $(cat "$w")"
# the unused function is gone from the gc build and present in the baseline
nm "$T/work/cells/baseline/src/counter" | grep -q longest_word || fail "baseline lacks longest_word"
nm "$T/work/cells/gc/src/counter" | grep -q longest_word && fail "gc kept longest_word"

# clang really compiled the clang cell
grep -q '^/usr/bin/clang' "$T/work/cells/clang/wrap.log" || fail "clang cell did not use clang"
readelf -p .comment "$T/work/cells/clang/src/counter" | grep -qi clang \
	|| fail "clang cell's .comment does not name clang"
# lld linked the lld cell
readelf -p .comment "$T/work/cells/lld/src/counter" | grep -q 'Linker: .*LLD' \
	|| fail "lld cell was not linked by lld"
# the stale copy was not staged; the measured artifact is the new build
[ "$(q '.cells[] | select(.name == "baseline") | .bytes' "$res")" != "$(stat -c %s "$dir/counter")" ] \
	|| fail "the stale binary was measured"
# the smoke test from ounce.ini ran
check_eq "smoke ran" pass "$(q '.cells[] | select(.name == "baseline") | .smoke' "$res")"

# every link wrote its map beside its output: ounce size attributes by object file
art=$(q '.cells[] | select(.name == "baseline") | .artifact' "$res")
[ -f "$art.map" ] || fail "no link map beside $art"
"$OUNCE" size -f json "$art" > size.json || fail "size of the baseline"
check_eq "attributed by the map" map "$(jq -r .attribution size.json)"
check_eq "count_words from util.o" util.o \
	"$(jq -r '.symbols[] | select(.name == "count_words") | .component' size.json)"
# diff by cell name: gc dropped the unused function
"$OUNCE" diff -f json -r "$res" baseline gc > d.json || fail "diff baseline gc"
check_eq "longest_word removed" removed \
	"$(jq -r '.symbols[] | select(.name == "longest_word") | .change' d.json)"
check_eq "util.o shrank" shrunk "$(jq -r '.components[] | select(.name == "util.o") | .change' d.json)"

# --explain: under the gc row, the function it dropped
"$OUNCE" table --explain "$res" > explained.txt || fail "table --explain"
grep -A1 '^default  gc ' explained.txt | tail -1 | grep -q '^    where: .*longest_word -[0-9]* B (removed)' \
	|| fail "gc row not explained: $(cat explained.txt)"

# an artifact named that the build does not make: one clear reason, exit 1
multi=$(fixture multi)
"$OUNCE" matrix -q -p gc --artifact three -w "$T/w3" "$multi" > /dev/null 2> err.txt
check_eq "missing artifact exit" 1 "$?"
grep -q "made no 'three' (artifact named by --artifact or in ounce.ini)" err.txt \
	|| fail "missing artifact message: $(cat err.txt)"
echo ok
