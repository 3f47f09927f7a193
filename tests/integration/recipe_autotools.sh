#!/bin/bash
# An automake project as a git checkout has it (configure.ac, no configure): ounce
# prepares a copy once per run with autoreconf, configure runs out of tree in
# each cell's build directory, a second run takes every cell from the cache, and
# the env form, added to configure's own flags, reproduces the winner.
. "$(dirname "$0")/lib.sh"

dir=$(fixture autoproj)
[ ! -e "$dir/configure" ] || fail "the fixture has a configure script"
before=$(tree_digest "$dir")
"$OUNCE" matrix -q -j2 --keep-cells -p strip,gc,os -w "$T/work" "$dir" > table.txt || fail "matrix exited $?"
res="$T/work/results.json"
check_eq "tree untouched" "$before" "$(tree_digest "$dir")"
check_eq "recipe" autotools "$(q .recipe "$res")"
check_eq "no failed cell" "" "$(q '.cells[] | select(.status != "ok") | .name' "$res")"
[ -x "$T/work/prep/src/configure" ] || fail "the prepared copy has no configure"
[ -x "$T/work/cells/baseline/src/configure" ] || fail "the cell was not staged from the prepared copy"
[ ! -e "$T/work/cells/baseline/src/autom4te.cache" ] || fail "autom4te.cache was staged"
[ -f "$T/work/cells/baseline/build/config.status" ] || fail "configure did not run out of tree"
[ ! -e "$T/work/cells/baseline/src/config.status" ] || fail "configure ran in the source copy"
grep -q -- '-ffunction-sections -fdata-sections -Wl,--gc-sections$' "$T/work/cells/gc/wrap.log" \
	|| fail "gc flags did not reach the link"
# autoreconf makes the same files every time (autom4te.cache aside, which is not
# staged): the second run is prepared again and takes every cell from the cache
"$OUNCE" matrix -q -j2 -p strip,gc,os -w "$T/work" "$dir" > table2.txt || fail "matrix exited $?"
check_eq "second run: cells from the cache" "$(q .cells_total "$res")" "$(q .cache_hits "$res")"
check_eq "second run: the same table" "$(cat table.txt)" "$(cat table2.txt)"
check_eq "tree untouched after two runs" "$before" "$(tree_digest "$dir")"

win=$("$OUNCE" pick "$res" | cut -f1)
want=$(q ".cells[] | select(.name == \"$win\") | .bytes" "$res")
art=$(q ".cells[] | select(.name == \"$win\") | .artifact" "$res")
"$OUNCE" pick --emit env "$res" > ounce.env || fail "emit env"
"$OUNCE" pick --emit json "$res" > win.json || fail "emit json"
# by hand, as a user of the checkout would: autoreconf in a copy, then configure
cp -a "$FIXTURES/autoproj" checkout
mkdir byhand
(
	. ./ounce.env
	(cd checkout && autoreconf -fi) && cd byhand && CFLAGS="-g -O2 $CFLAGS" ../checkout/configure &&
		make
) > byhand.log 2>&1 || fail "configure and make with ounce.env: $(cat byhand.log)"
bin=byhand/$(basename "$art")
if jq -e '.post | length > 0' win.json > /dev/null; then
	strip --strip-all "$bin"
fi
got=$(stat -c %s "$bin")
[ $((got * 1000 / want)) -ge 990 ] && [ $((got * 1000 / want)) -le 1010 ] \
	|| fail "by hand $got bytes, ounce measured $want for $win"
echo ok
