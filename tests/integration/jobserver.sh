#!/bin/bash
# Under `make -j2`, ounce takes job slots from make's jobserver: however many cells
# -j allows, no more than two builds run at once. Run directly with -j4, four do
# (the control: it shows the count below can see more than two).
. "$(dirname "$0")/lib.sh"

dir=$(fixture jobs)

# the most builds running at once, from the start/end lines of a log
max_overlap() {
	awk '{print $3, ($1 == "start" ? 1 : -1)}' "$1" | LC_ALL=C sort -g -k1,1 -k2,2n |
		awk '{n += $2; if (n > m) m = n} END {print m + 0}'
}

export JOBLOG="$T/direct.log"
# (--no-verify: the logs count the matrix's builds, not the winner's rebuild)
"$OUNCE" matrix -q -s each -j4 --no-verify -w "$T/w1" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "direct run exited $?: $(cat err.txt)"
check_eq "builds logged (direct)" 10 "$(wc -l < "$JOBLOG")"
direct=$(max_overlap "$JOBLOG")
[ "$direct" -ge 3 ] || fail "with -j4 and no jobserver only $direct builds overlapped"

printf 'all:\n\t+"$(OUNCE)" matrix -s each -j4 --no-verify -w "$(W)" -f json "$(DIR)" > /dev/null\n' > outer.mk
export JOBLOG="$T/make.log"
make -j2 -f outer.mk OUNCE="$OUNCE" W="$T/w2" DIR="$dir" > make.out 2>&1 \
	|| fail "make -j2 around ounce failed: $(cat make.out)"
grep -q "running under make's jobserver" make.out || fail "jobserver not seen: $(cat make.out)"
check_eq "builds logged (under make)" 10 "$(wc -l < "$JOBLOG")"
under=$(max_overlap "$JOBLOG")
[ "$under" -le 2 ] || fail "under make -j2, $under builds ran at once"
check_eq "cells ok under make" 5 "$(q '[.cells[] | select(.status == "ok")] | length' "$T/w2/results.json")"
echo ok
