#!/bin/bash
# pick --emit make's "# reproduce:" line, pasted at the root of a fresh copy of a
# project whose Makefile recurses ($(MAKE) -C src, cd lib && $(MAKE)) into
# Makefiles that set their own CFLAGS = -O2, rebuilds the winner byte for byte.
. "$(dirname "$0")/lib.sh"

dir=$(fixture recmake)
before=$(tree_digest "$dir")
# by xz, the winner has -Os, which must come after the Makefiles' own -O2
"$OUNCE" matrix -q -m xz -p strip,gc,os,lto -w "$T/work" "$dir" > /dev/null \
	|| fail "matrix exited $?"
res="$T/work/results.json"
win=$("$OUNCE" pick -m xz "$res" | cut -f1)
case "+$win+" in *+os+*) ;; *) fail "the winner '$win' has no -Os: nothing to order" ;; esac
art=$(q ".cells[] | select(.name == \"$win\") | .artifact" "$res")
want=$(q ".cells[] | select(.name == \"$win\") | .bytes" "$res")
"$OUNCE" pick -m xz --emit make "$res" > ounce.mk || fail "emit make"
check_eq "the user's tree untouched" "$before" "$(tree_digest "$dir")"
line=$(sed -n 's/^# reproduce: //p' ounce.mk)
[ -n "$line" ] || fail "no '# reproduce:' line in: $(cat ounce.mk)"
case "$line" in *' && strip --strip-all src/tally') ;; *) fail "post-link step: $line" ;; esac

# what a user pastes, in a copy the run never saw
cp -a "$FIXTURES/recmake" fresh
(cd fresh && eval "$line") > make.log 2>&1 || fail "'$line' failed: $(cat make.log)"
check_eq "bytes of the reproduced $win" "$want" "$(stat -c %s fresh/src/tally)"
# the cells map their directory to the project's (-ffile-prefix-map) and the
# fixture has no __FILE__ nor debug info, so the files are the same from anywhere
cmp "$art" fresh/src/tally || fail "the reproduced $win differs from the cell's"
# every compile, in lib/ and src/, had -Os after the Makefile's -O2
compiles=$(grep -c -- ' -c -o ' make.log)
check_eq "compiles with -Os last" "4 4" \
	"$compiles $(grep -- ' -c -o ' make.log | grep -c -- '-O2 -Wall.* -Os ')"
(cd fresh/src && ./tally a bc) > run.txt || fail "the reproduced program fails"

# a second run takes every cell from the cache: the line still names src/tally
"$OUNCE" matrix -q -m xz -p strip,gc,os,lto -w "$T/work" "$dir" > /dev/null \
	|| fail "second matrix exited $?"
check_eq "cells from the cache" "$(q '.cells | length' "$res")" \
	"$(q '[.cells[] | select(.cached)] | length' "$res")"
check_eq "the line of a cached winner" "$line" \
	"$("$OUNCE" pick -m xz --emit make "$res" | sed -n 's/^# reproduce: //p')"

# the fragment is still valid make for the top Makefile (the file names the
# same flags; it does not reach sub-makes, which is what the line is for)
make -s -n -C fresh -f Makefile -f "$T/ounce.mk" ounce-post > /dev/null 2> frag.log \
	|| fail "ounce.mk does not parse: $(cat frag.log)"
echo ok
