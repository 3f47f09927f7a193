#!/bin/bash
# An automake project with a libtool library and a program linked with it (a git
# checkout: the run prepares it with autoreconf). What is measured is what make
# install puts in stage/ (the program relinked there, not the libtool wrapper
# script of the build tree); the make form's line configures as the cells did,
# appends the flags with make's --eval, installs and strips those files, and
# pick --verify finds the cell's bytes; so does the wrapper form.
. "$(dirname "$0")/lib.sh"

command -v libtoolize > /dev/null || fail "libtoolize is not installed (./bootstrap installs libtool)"
dir=$(fixture ltprog)
before=$(tree_digest "$dir")
"$OUNCE" matrix -q --no-verify -m xz -p strip,os,noid -w "$T/work" "$dir" > /dev/null \
	|| fail "matrix exited $?"
res="$T/work/results.json"
win=$("$OUNCE" pick -m xz "$res" 2> /dev/null | cut -f1)
# without a build ID: the debug info the linker would hash records the flags in
# the order each call had them, and libtool adds -fPIC after CFLAGS
case "+$win+" in *+strip+*noid+*) ;; *) fail "the winner '$win' keeps a build ID" ;; esac

"$OUNCE" pick -m xz --emit make "$res" > ounce.mk 2> /dev/null || fail "emit make"
grep -q '^OUNCE_ARTIFACT ?= stage/usr/local/bin/ltprog stage/usr/local/lib/libtally.so.1.0.0$' \
	ounce.mk || fail "artifact paths: $(grep OUNCE_ARTIFACT ounce.mk)"
line=$(sed -n 's/^# reproduce: //p' ounce.mk)
case "$line" in
'P=$PWD && mkdir -p build && cd build && "$P/configure" CC=gcc CXX=g++ && make '*"'--eval=%: override private LIBS"*) fail "no libs, no LIBS: $line" ;;
'P=$PWD && mkdir -p build && cd build && "$P/configure" CC=gcc CXX=g++ && make '*' && make install DESTDIR="$P/stage" && cd "$P" && strip --strip-all stage/usr/local/bin/ltprog && strip --strip-all stage/usr/local/lib/libtally.so.1.0.0') ;;
*) fail "the line: $line" ;;
esac

"$OUNCE" pick -m xz --verify "$res" > out.txt 2> err.txt || fail "verify exited $?: $(cat out.txt err.txt)"
check_eq "verify line" "verified: identical (make form)" "$(sed -n 2p out.txt)"
# it rebuilt from the prepared copy, out of tree in build/, and installed
log=$(q ".cells[] | select(.name == \"$win\") | .verify[0].log" "$res")
grep -q 'libtool: link: .*-o .libs/ltprog' "$log" || fail "no libtool link in $log"
grep -q 'libtool: install: ' "$log" || fail "no install in $log"

"$OUNCE" pick -m xz --verify --emit wrapper "$res" > wrap.txt 2> err.txt \
	|| fail "verify wrapper exited $?: $(cat err.txt)"
check_eq "wrapper verify line" "# verified: identical (wrapper form)" "$(tail -n 1 wrap.txt)"
check_eq "the user's tree untouched" "$before" "$(tree_digest "$dir")"
echo ok
