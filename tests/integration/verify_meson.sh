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
echo ok
