#!/bin/bash
# pick --emit make/env/json print settings that, applied by hand to the project,
# give the winning size.
. "$(dirname "$0")/lib.sh"

dir=$(fixture makeproj)
"$OUNCE" matrix -q -j2 -p strip,abort,gc,os,noid,nossp -w "$T/work" "$dir" > /dev/null \
	|| fail "matrix exited $?"
res="$T/work/results.json"
win=$("$OUNCE" pick "$res" | cut -f1)
case "$win" in *nossp*) fail "pick chose a security trade-off: $win" ;; esac
sec=$("$OUNCE" pick --allow security "$res" | cut -f1)
want=$(q ".cells[] | select(.name == \"$win\") | .bytes" "$res")

# make: a fragment added after the project's Makefile
"$OUNCE" pick --emit make "$res" > ounce.mk || fail "emit make"
grep -q '^CFLAGS += ' ounce.mk || fail "no CFLAGS line: $(cat ounce.mk)"
cp -a "$FIXTURES/makeproj" byhand
make -s -C byhand -f Makefile -f "$T/ounce.mk" ounce-post > make.log 2>&1 \
	|| fail "applying ounce.mk failed: $(cat make.log)"
got=$(stat -c %s byhand/counter)
[ $((got * 1000 / want)) -ge 990 ] && [ $((got * 1000 / want)) -le 1010 ] \
	|| fail "by hand $got bytes, ounce measured $want for $win"

# env: exports that add to the build's own flags (this Makefile hard-codes
# CFLAGS = -O2 -Wall, so by hand they go after its own on make's command line)
"$OUNCE" pick --emit env "$res" > ounce.env || fail "emit env"
"$OUNCE" pick --emit json "$res" > win.json || fail "emit json"
cp -a "$FIXTURES/makeproj" byenv
(
	. ./ounce.env
	cd byenv && make -s CC="$CC" CFLAGS="-O2 -Wall $CFLAGS $LDFLAGS" LDLIBS="$LDLIBS"
) > env.log 2>&1 || fail "applying ounce.env failed: $(cat env.log)"
# the post-link steps the env form lists as comments, as the JSON gives them
while read -r step; do
	[ -n "$step" ] || continue
	read -ra argv <<<"${step//\{artifact\}/byenv/counter}"
	"${argv[@]}" || fail "post-link step '$step'"
done < <(jq -r '.post[]' win.json)
got=$(stat -c %s byenv/counter)
[ $((got * 1000 / want)) -ge 990 ] && [ $((got * 1000 / want)) -le 1010 ] \
	|| fail "env by hand $got bytes, ounce measured $want for $win"

# json: the same settings, machine-readable
check_eq "json cell" "$win" "$(jq -r .cell win.json)"
check_eq "json bytes" "$want" "$(jq -r .bytes win.json)"
[ "$sec" != "" ] || fail "pick --allow security chose nothing"
echo ok
