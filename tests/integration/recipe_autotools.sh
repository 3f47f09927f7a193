#!/bin/bash
# An automake project: configure runs out of tree in each cell's build directory,
# and the env form, added to configure's own flags, reproduces the winner.
. "$(dirname "$0")/lib.sh"

cp -a "$FIXTURES/autoproj" "$T/autoproj"
dir="$T/autoproj"
(cd "$dir" && autoreconf -fi > "$T/autoreconf.log" 2>&1) || fail "autoreconf: $(cat autoreconf.log)"
before=$(tree_digest "$dir")
"$OUNCE" matrix -q -j2 -p strip,gc,os -w "$T/work" "$dir" > table.txt || fail "matrix exited $?"
res="$T/work/results.json"
check_eq "tree untouched" "$before" "$(tree_digest "$dir")"
check_eq "recipe" autotools "$(q .recipe "$res")"
check_eq "no failed cell" "" "$(q '.cells[] | select(.status != "ok") | .name' "$res")"
[ -f "$T/work/cells/baseline/build/config.status" ] || fail "configure did not run out of tree"
[ ! -e "$T/work/cells/baseline/src/config.status" ] || fail "configure ran in the source copy"
grep -q -- '-ffunction-sections -fdata-sections -Wl,--gc-sections$' "$T/work/cells/gc/wrap.log" \
	|| fail "gc flags did not reach the link"

win=$("$OUNCE" pick "$res" | cut -f1)
want=$(q ".cells[] | select(.name == \"$win\") | .bytes" "$res")
art=$(q ".cells[] | select(.name == \"$win\") | .artifact" "$res")
"$OUNCE" pick --emit env "$res" > ounce.env || fail "emit env"
"$OUNCE" pick --emit json "$res" > win.json || fail "emit json"
mkdir byhand
(
	. ./ounce.env
	cd byhand && CFLAGS="-g -O2 $CFLAGS" "$dir/configure" && make
) > byhand.log 2>&1 || fail "configure and make with ounce.env: $(cat byhand.log)"
bin=byhand/$(basename "$art")
if jq -e '.post | length > 0' win.json > /dev/null; then
	strip --strip-all "$bin"
fi
got=$(stat -c %s "$bin")
[ $((got * 1000 / want)) -ge 990 ] && [ $((got * 1000 / want)) -le 1010 ] \
	|| fail "by hand $got bytes, ounce measured $want for $win"
echo ok
