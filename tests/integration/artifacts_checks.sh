#!/bin/bash
# What the table checks for you, on projects with no help: several artifacts
# measured and summed, an ABI change (an executable linked with -Wl,-E loses its
# exports to -fvisibility=hidden), a glibc requirement above the target, profiles
# that changed nothing, and the load check when no smoke command is given.
. "$(dirname "$0")/lib.sh"

# --- a Makefile that builds two programs: no ounce.ini, no options
multi=$(fixture multi)
before=$(tree_digest "$multi")
"$OUNCE" matrix -q -p strip,gc -w "$T/w1" "$multi" > table1.txt 2> err1.txt || fail "multi: exit $?: $(cat err1.txt)"
res="$T/w1/results.json"
check_eq "multi tree untouched" "$before" "$(tree_digest "$multi")"
check_eq "multi: two artifacts" "src/one src/two" "$(q '[.cells[0].artifacts[].name] | join(" ")' "$res")"
for name in baseline strip gc; do
	sum=0
	for a in $(q ".cells[] | select(.name == \"$name\") | .artifacts[].path" "$res"); do
		sum=$((sum + $(stat -c %s "$a")))
	done
	check_eq "multi $name: bytes are the sum of the files" "$sum" \
		"$(q ".cells[] | select(.name == \"$name\") | .bytes" "$res")"
done
check_eq "multi: load-checked" loaded "$(q '.cells[0].smoke' "$res")"
grep -q '^default  baseline .* loaded  ok' table1.txt || fail "multi table: $(cat table1.txt)"

# --- an executable exporting its API (-Wl,-E) and a library with relative relocations
iface=$(fixture iface)
"$OUNCE" matrix -q -p vis,relr -s each -w "$T/w2" "$iface" > table2.txt 2> err2.txt \
	|| fail "iface: exit $?: $(cat err2.txt)"
res="$T/w2/results.json"
check_eq "host exports, as readelf counts them" \
	"$(readelf --dyn-syms -W "$T/w2/cells/baseline/src/host" | awk '$7 != "UND" && $1 ~ /:$/ && $8 ~ /^api_/' | wc -l)" \
	"$(q '.cells[0].artifacts[] | select(.name == "src/host") | [.exports[] | select(startswith("api_"))] | length' "$res")"
vis_host=$(q '.cells[] | select(.name == "vis") | .artifacts[] | select(.name == "src/host") | .exports | length' "$res")
[ "$vis_host" -lt 3 ] || fail "vis left $vis_host exports in host"
grep -E '^default  vis .*ok \(ABI change: [0-9]+ of [0-9]+ exported symbols lost\)' table2.txt \
	> /dev/null || fail "vis row not marked: $(cat table2.txt)"
# vis is the smallest by xz, but it broke the API: pick leaves it out unless told
[ "$(q '.cells[] | select(.name == "vis") | .xz_bytes' "$res")" -lt \
	"$(q '.cells[] | select(.name == "baseline") | .xz_bytes' "$res")" ] || fail "vis did not shrink xz"
check_eq "pick without --allow abi" baseline "$("$OUNCE" pick -m xz "$res" 2> /dev/null | cut -f1)"
check_eq "pick --allow abi" vis "$("$OUNCE" pick -m xz --allow abi "$res" 2> /dev/null | cut -f1)"
"$OUNCE" table --explain "$res" | grep -q '^    abi: .* lost: src/host: api_' || fail "--explain lists no lost export"
check_eq "relr needs glibc 2.36" 2.36 "$(q '.cells[] | select(.name == "relr") | .glibc' "$res")"
grep -q '^default  relr .* 2\.36 ' table2.txt || fail "no glibc column for relr: $(cat table2.txt)"

# the library alone (--artifact narrows), for a target older than its relr cell
"$OUNCE" matrix -q -p relr -s each --artifact libtbl.so --target-glibc 2.31 -w "$T/w3" "$iface" \
	> table3.txt 2> err3.txt || fail "target: exit $?: $(cat err3.txt)"
res="$T/w3/results.json"
check_eq "one artifact" src/libtbl.so "$(q '[.cells[0].artifacts[].name] | join(" ")' "$res")"
check_eq "baseline of the library is for 2.31" 2.2.5 "$(q '.cells[0].glibc' "$res")"
grep -q '^default  relr .*not for this target: needs glibc 2.36' table3.txt \
	|| fail "relr not marked: $(cat table3.txt)"
# by xz relr is the smaller: only the target keeps it out
[ "$(q '.cells[] | select(.name == "relr") | .xz_bytes' "$res")" -lt \
	"$(q '.cells[] | select(.name == "baseline") | .xz_bytes' "$res")" ] || fail "relr did not shrink xz"
check_eq "pick leaves relr out" baseline "$("$OUNCE" pick -m xz "$res" 2> /dev/null | cut -f1)"
check_eq "pick --target-glibc 2.36 lets it in" relr \
	"$("$OUNCE" pick --target-glibc 2.36 -m xz "$res" 2> /dev/null | cut -f1)"
"$OUNCE" matrix -q --target-glibc 2.x "$iface" > /dev/null 2> err.txt
check_eq "bad --target-glibc exit" 2 "$?"

# --- profiles that changed nothing, and the load check
checks=$(fixture checks)
"$OUNCE" matrix -q --keep-cells -p noop,fakealloc,missing,withm -s each -w "$T/w4" "$checks" > table4.txt 2> err4.txt \
	|| fail "checks: exit $?: $(cat err4.txt)"
res="$T/w4/results.json"
"$OUNCE" table --explain "$res" | grep -q '^    needed (src/prog): +libm.so.6' \
	|| fail "--explain names no new DT_NEEDED: $("$OUNCE" table --explain "$res")"
check_eq "the test program is not measured" "src/prog src/libmod.so" \
	"$(q '[.cells[0].artifacts[].name] | join(" ")' "$res")"
[ -x "$T/w4/cells/baseline/src/unit_test" ] || fail "unit_test was not built"
grep -q '^default  noop .*ok (no effect: noop)' table4.txt || fail "noop: $(cat table4.txt)"
grep -q '^default  fakealloc .*ok (no effect: fakealloc)' table4.txt || fail "fakealloc: $(cat table4.txt)"
check_eq "fakealloc unproven" fakealloc "$(q '.cells[] | select(.name == "fakealloc") | .unproven | join(" ")' "$res")"
check_eq "pick prefers no change" baseline "$("$OUNCE" pick "$res" 2> /dev/null | cut -f1)"
# in the stack, a profile that changed no byte stays (the path does not change),
# and the stack less it is built at the end: pick hands that one over
"$OUNCE" matrix -q -p noop,strip -s cumulative -w "$T/w4s" "$checks" > table4s.txt 2> err4s.txt \
	|| fail "checks stack: exit $?: $(cat err4s.txt)"
grep -q '^default  + noop .*ok (no effect: noop)$' table4s.txt || fail "noop stack row: $(cat table4s.txt)"
check_eq "the stack goes on with noop" noop+strip \
	"$(q '.rows[] | select(.label == "+ strip") | .cell' "$T/w4s/results.json")"
check_eq "the pruned stack wins" strip "$("$OUNCE" pick "$T/w4s/results.json" 2> /dev/null | cut -f1)"
grep -q '^default  best measured .*(strip: not in the stack above)' table4s.txt \
	|| fail "no best measured row for the pruned stack: $(cat table4s.txt)"
# the module's call into its host is unresolved in every cell alike: not a failure
q '.cells[0].artifacts[] | select(.name == "src/libmod.so") | .unresolved[]' "$res" \
	| grep -q 'undefined symbol: host_fn' || fail "baseline's unresolved host_fn not recorded"
check_eq "baseline loads" loaded "$(q '.cells[0].smoke' "$res")"
check_eq "missing fails its load check" smoke-failed "$(q '.cells[] | select(.name == "missing") | .status' "$res")"
q '.cells[] | select(.name == "missing") | .reason' "$res" | grep -q 'load check: src/libmod.so: undefined symbol: missing_fn' \
	|| fail "missing: reason $(q '.cells[] | select(.name == "missing") | .reason' "$res")"

# --- CMake: a shared library and a program, and a test program left out
cm=$(fixture cmakelib)
"$OUNCE" matrix -q -p strip -s each --per-artifact -w "$T/w5" "$cm" > table5.txt 2> err5.txt \
	|| fail "cmakelib: exit $?: $(cat err5.txt)"
res="$T/w5/results.json"
check_eq "cmake artifacts" "stage/bin/area stage/lib/libshapes.so.1.0.0" "$(q '[.cells[0].artifacts[].name] | join(" ")' "$res")"
check_eq "library exports" 3 "$(q '.cells[0].artifacts[1].exports | length' "$res")"
check_eq "the installed program loads its installed library" loaded "$(q '.cells[0].smoke' "$res")"
check_eq "library soname" libshapes.so.1 "$(q '.cells[0].artifacts[1].soname' "$res")"
grep -q "^           stage/lib/libshapes.so.1.0.0 " table5.txt || fail "no per-artifact line: $(cat table5.txt)"
# the strip cell is made from copies of both
check_eq "strip cell's artifacts" 2 "$(q '.cells[] | select(.name == "strip") | .artifacts | length' "$res")"
# its copies load too: the library's SONAME link is made beside its copy
check_eq "strip cell loads" loaded "$(q '.cells[] | select(.name == "strip") | .smoke' "$res")"
# cached: a second run gives the same answer
"$OUNCE" matrix -q -p strip -s each -w "$T/w5" "$cm" > /dev/null 2>&1 || fail "second run"
check_eq "cached artifacts" "stage/bin/area stage/lib/libshapes.so.1.0.0" \
	"$(q '[.cells[] | select(.name == "strip") | .artifacts[].name] | join(" ")' "$res")"
check_eq "cached exports" 3 "$(q '.cells[] | select(.name == "strip") | .artifacts[1].exports | length' "$res")"
check_eq "all cached" 2 "$(q '.cache_hits' "$res")"
# --- a checkout whose project is one directory down: that one is built
mkdir -p "$T/top/docs" && cp -a "$cm" "$T/top/lib"
"$OUNCE" matrix -p strip -s each -w "$T/w7" "$T/top" > /dev/null 2> err7.txt || fail "below: exit $?: $(cat err7.txt)"
grep -q "its directory 'lib' has one: building that" err7.txt || fail "below: $(cat err7.txt)"
check_eq "project one directory down" "$T/top/lib" "$(q .project_dir "$T/w7/results.json")"

# --- Meson: what its install: true targets install, under the cell's stage/
ms=$(fixture mesonproj)
sed -i "s/executable('mesonproj', 'main.c', 'text.c')/executable('mesonproj', 'main.c', 'text.c', install: true)/" \
	"$ms/meson.build"
grep -q 'install: true' "$ms/meson.build" || fail "mesonproj fixture changed: fix this test"
"$OUNCE" matrix -q -p strip -s each -w "$T/w6" "$ms" > /dev/null 2> err6.txt || fail "meson: exit $?: $(cat err6.txt)"
check_eq "meson artifact" stage/usr/local/bin/mesonproj \
	"$(q '[.cells[0].artifacts[].name] | join(" ")' "$T/w6/results.json")"
echo ok
