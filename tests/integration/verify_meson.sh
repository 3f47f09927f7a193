#!/bin/bash
# A Meson project: ounce's cells set it up with muon; pick --emit meson's native
# file, saved as ounce-native.ini and used by meson setup as its reproduce line
# says, rebuilds the winner byte for byte, and so does the wrapper form.
. "$(dirname "$0")/lib.sh"

command -v meson > /dev/null || fail "meson is not installed (./bootstrap installs it)"
dir=$(fixture mesonproj)
"$OUNCE" matrix -q --no-verify -p strip,gc,os -w "$T/work" "$dir" > /dev/null 2>&1 || fail "matrix exited $?"
res="$T/work/results.json"
"$OUNCE" pick --emit meson "$res" > native.ini 2> /dev/null || fail "emit meson"
line=$(sed -n 's/^# reproduce: //p' native.ini)
case "$line" in
'meson setup --native-file ounce-native.ini build && meson compile -C build && strip --strip-all build/mesonproj') ;;
*) fail "the line: $line" ;;
esac
"$OUNCE" pick --verify "$res" > out.txt 2> err.txt || fail "verify exited $?: $(cat out.txt err.txt)"
check_eq "verify line" "verified: identical (meson form)" "$(sed -n 2p out.txt)"
grep -q -- '--native-file ounce-native.ini' "$T/work/verify/meson/verify.sh" || fail "no native file"
"$OUNCE" pick --verify --emit wrapper "$res" > wrap.txt 2> err.txt \
	|| fail "verify wrapper exited $?: $(cat err.txt)"
check_eq "wrapper verify line" "# verified: identical (wrapper form)" "$(tail -n 1 wrap.txt)"

# a project that installs a shared library and a data file: the cells (muon) put it in lib/,
# Debian's meson in lib/x86_64-linux-gnu/; the line pins --libdir lib, so the
# post-link steps it runs find the files the cells measured (the bytes may still
# differ: meson leaves its build-time RUNPATH's string behind, muon sets none)
dir=$(fixture mesoninst)
"$OUNCE" matrix -q --no-verify -p strip -w "$T/inst" "$dir" > /dev/null 2>&1 || fail "matrix exited $?"
# strip is made from a copy of the baseline's artifacts: the copy has the rest of
# what the build installed too, so its program finds its data file and passes
# the fixture's smoke test
check_eq "strip, made from a copy" "ok pass" \
	"$(q '.cells[] | select(.name == "strip") | "\(.status) \(.smoke)"' "$T/inst/results.json")"
# the same with the baseline from the cache, which keeps its artifacts only:
# strip is built, not copied from them, and passes as in a fresh run
"$OUNCE" matrix -q --no-verify -p nossp -w "$T/cached" "$dir" > /dev/null 2>&1 || fail "matrix exited $?"
"$OUNCE" matrix -q --no-verify -p strip -w "$T/cached" "$dir" > /dev/null 2>&1 || fail "matrix exited $?"
check_eq "strip, its baseline from the cache" "true ok pass" \
	"$(q '.cells[] | select(.name == "baseline") | "\(.cached)"' "$T/cached/results.json") $(q '.cells[] | select(.name == "strip") | "\(.status) \(.smoke)"' "$T/cached/results.json")"
"$OUNCE" pick --emit meson "$T/inst/results.json" > native.ini 2> /dev/null || fail "emit meson"
grep -q '^# reproduce: meson setup --native-file ounce-native.ini --libdir lib build && .*strip --strip-all stage/usr/local/lib/libgreet.so$' native.ini \
	|| fail "the line of an installing project: $(grep reproduce native.ini)"
"$OUNCE" pick --verify "$T/inst/results.json" > out.txt 2> err.txt
case "$(sed -n 2p out.txt)" in
"verified: identical (meson form)" | "verified: differs (meson form: stage/usr/local/bin/hello: "*) ;;
*) fail "verify of the installing project: $(cat out.txt err.txt)" ;;
esac
echo ok
