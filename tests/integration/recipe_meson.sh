#!/bin/bash
# A Meson project built with muon out of tree, and pick --emit meson's native
# file reproducing the winner with Meson itself.
. "$(dirname "$0")/lib.sh"

dir=$(fixture mesonproj)
before=$(tree_digest "$dir")
"$OUNCE" matrix -q -j2 -p strip,gc,os,lto -w "$T/work" "$dir" > table.txt \
	|| fail "matrix exited $?"
res="$T/work/results.json"
check_eq "tree untouched" "$before" "$(tree_digest "$dir")"
check_eq "recipe" meson "$(q .recipe "$res")"
check_eq "no failed cell" "" "$(q '.cells[] | select(.status != "ok") | .name' "$res")"
grep -q 'muon-meson setup .*-Dbuildtype=release' "$T/work/cells/baseline/build.log" \
	|| fail "not set up by muon as a release build"
grep -q -- ' -Os$' "$T/work/cells/os/wrap.log" || fail "os flags did not reach the compiler"
art=$(q '.cells[] | select(.name == "baseline") | .artifact' "$res")
case "$art" in */cells/baseline/build/*) ;; *) fail "artifact $art not in the build dir" ;; esac

win=$("$OUNCE" pick "$res" | cut -f1)
want=$(q ".cells[] | select(.name == \"$win\") | .bytes" "$res")
"$OUNCE" pick --emit meson "$res" | grep -v '^#' > native.ini || fail "emit meson"
"$OUNCE" pick --emit json "$res" > win.json || fail "emit json"
cp -a "$FIXTURES/mesonproj" byhand
(cd byhand && meson setup --native-file "$T/native.ini" "$T/b" > "$T/meson.log" 2>&1 \
	&& ninja -C "$T/b" >> "$T/meson.log" 2>&1) || fail "meson with the native file: $(cat meson.log)"
bin="$T/b/$(basename "$art")"
if jq -e '.post | length > 0' win.json > /dev/null; then
	strip --strip-all "$bin"
fi
got=$(stat -c %s "$bin")
[ $((got * 1000 / want)) -ge 990 ] && [ $((got * 1000 / want)) -le 1010 ] \
	|| fail "by hand $got bytes, ounce measured $want for $win"
echo ok
