#!/bin/bash
# On a terminal, a progress line (cells done / total, the current cell, elapsed and
# time left) is drawn and erased; when stderr is a file there is none of it.
. "$(dirname "$0")/lib.sh"

dir=$(fixture makeproj)
# script(1) gives ounce a terminal; its output is what the terminal showed
script -qefc "\"$OUNCE\" matrix -j1 -p strip,gc,os -w \"$T/w1\" \"$dir\"" tty.txt > /dev/null \
	|| fail "run on a terminal exited $?: $(cat tty.txt)"
grep -aqE 'ounce: [0-9]+/[0-9]+ cells, [0-9]+ building' tty.txt \
	|| fail "no progress line on a terminal: $(cat -v tty.txt | head -20)"
grep -aq 'elapsed, ~' tty.txt || fail "no elapsed/left times: $(cat -v tty.txt | head -20)"
grep -aq $'\r\033\[K' tty.txt || fail "the progress line is never erased"
# the last line on the terminal is the table's, not a progress line
tail -c 300 tty.txt | grep -aq 'building' && fail "a progress line was left on the terminal"

"$OUNCE" matrix -j1 -p strip,gc,os -w "$T/w2" "$dir" > out.txt 2> err.txt \
	|| fail "run without a terminal exited $?: $(cat err.txt)"
grep -q 'cells, ' err.txt && fail "a progress line without a terminal: $(cat err.txt)"
grep -q $'\r' err.txt && fail "carriage returns without a terminal"
grep -q '\[1\] baseline' err.txt || fail "no cell lines: $(cat err.txt)"
echo ok
