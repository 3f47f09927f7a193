#!/bin/bash
# The bundled sample end to end, as the README's first command runs it (with a
# narrower matrix): real HTTP smoke tests pass, the sample's tree is unchanged,
# and `pick --emit make` applied by hand gives the winning size.
. "$(dirname "$0")/lib.sh"

sample="$OUNCE_SOURCE_ROOT/samples/tinyhttpd"
before=$(tree_digest "$sample")
"$OUNCE" matrix -q -j2 -p strip,allocator,abort,gc,os,nosep,nossp -w "$T/work" "$sample" \
	> table.txt || fail "matrix exited $?"
check_eq "sample tree untouched" "$before" "$(tree_digest "$sample")"
res="$T/work/results.json"
check_eq "every cell built and passed its HTTP smoke test" "" \
	"$(q '.cells[] | select(.status != "ok" or .smoke != "pass") | .name' "$res")"
# the project's own allocator switch replaced the built-in jemalloc profile: the
# pool's arena shows in .bss
pool_bss=$(q '.cells[] | select(.name == "allocator") | .sections[".bss"]' "$res")
base_bss=$(q '.cells[] | select(.name == "baseline") | .sections[".bss"]' "$res")
[ "$pool_bss" -gt $((base_bss + 16384)) ] || fail "pool build .bss $pool_bss vs $base_bss"
grep -q -- '-DTINYHTTPD_POOL' "$T/work/cells/allocator/wrap.log" || fail "pool flag missing"
check_eq "peak RSS recorded" true \
	"$(q '[.cells[] | .peak_rss_kb > 0] | all' "$res")"

win=$("$OUNCE" pick "$res" | cut -f1)
case "$win" in *nossp*) fail "pick chose nossp without --allow security" ;; esac
want=$(q ".cells[] | select(.name == \"$win\") | .bytes" "$res")
"$OUNCE" pick --emit make "$res" > ounce.mk || fail "emit make"
cp -a "$sample" byhand
make -s -C byhand -f Makefile -f "$T/ounce.mk" ounce-post > make.log 2>&1 \
	|| fail "applying ounce.mk failed: $(cat make.log)"
got=$(stat -c %s byhand/tinyhttpd)
[ $((got * 1000 / want)) -ge 990 ] && [ $((got * 1000 / want)) -le 1010 ] \
	|| fail "by hand $got bytes, ounce measured $want for $win"
(cd byhand && bash smoke.sh ./tinyhttpd) || fail "the by-hand build fails the smoke test"

# the heap half: trace the system-malloc build while it answers a real request
cp -a "$sample" plain
make -s -C plain > /dev/null 2>&1 || fail "plain build of the sample"
printf '#!/bin/bash\nexec "%s" heap trace -o "%s" -- ./tinyhttpd "$@"\n' "$OUNCE" "$T/httpd.log" \
	> plain/traced.sh
chmod +x plain/traced.sh
(cd plain && bash smoke.sh ./traced.sh) || fail "the traced server fails the smoke test"
"$OUNCE" heap stats -f json "$T/httpd.log" > hs.json || fail "heap stats"
[ "$(jq .allocations hs.json)" -gt 0 ] || fail "no allocations traced: $(cat hs.json)"
check_eq "no unknown frees" 0 "$(jq .unknown_frees hs.json)"
"$OUNCE" heap pools --pools 5 "$T/httpd.log" > layout.ini || fail "heap pools"
"$OUNCE" heap replay --layout layout.ini "$T/httpd.log" > replay.txt || fail "replay of its own layout"
# with stacks, built with debug info: the sites are the functions main inlined,
# as heaptrack names them (bench/heap_overhead.sh compares the two)
cp -a "$sample" dbg
make -s -C dbg CFLAGS="-O2 -g" > /dev/null 2>&1 || fail "-g build of the sample"
printf '#!/bin/bash\nexec "%s" heap trace --stacks 16 -o "%s" -- ./tinyhttpd "$@"\n' "$OUNCE" \
	"$T/stacks.log" > dbg/traced.sh
chmod +x dbg/traced.sh
(cd dbg && bash smoke.sh ./traced.sh) || fail "the server traced with stacks fails the smoke test"
"$OUNCE" heap sites -f json "$T/stacks.log" > sites.json || fail "heap sites"
check_eq "serve_file's buffer, inlined into main" "4096 true tinyhttpd.c" \
	"$(q '.sites[] | select(.frame.function == "serve_file") |
		"\(.largest) \(.frame.inlined) \(.frame.file | split("/") | last)"' sites.json)"
"$OUNCE" heap flame "$T/stacks.log" > heap.svg || fail "heap flame"
xmllint --noout heap.svg || fail "the heap flame graph is not XML"
grep -q "<title>serve_file: 4096 bytes, 1 blocks" heap.svg || fail "no serve_file box in the flame graph"
echo ok
