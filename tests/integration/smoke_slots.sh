#!/bin/bash
# A smoke test mostly waits, so while one runs its build slot goes to another cell:
# with -j2, never more than two builds at once, but a smoke test beside two builds.
# With -j1, one cell at a time: no build beside a smoke test.
. "$(dirname "$0")/lib.sh"

dir=$(fixture jobs)
# every smoke test logs when it starts and ends, as the fixture's builds do
cat > "$dir/smoke.sh" <<'SH'
#!/bin/sh
echo "start smoke:$1 $(date +%s.%N)" >> "$JOBLOG"
sleep 0.5
echo "end smoke:$1 $(date +%s.%N)" >> "$JOBLOG"
SH
sed -i 's/^\[project\]$/[project]\nsmoke = sh smoke.sh {artifact}/' "$dir/ounce.ini"
grep -q '^smoke = ' "$dir/ounce.ini" || fail "could not add the smoke test to the fixture"

# the most things running at once, in a log of "start TAG TIME" and "end TAG TIME"
# lines (the baseline's build has no TAG); KIND: builds, or all (smoke tests too)
max_overlap() {
	awk -v kind="$2" '{tag = NF == 3 ? $2 : ""}
		kind == "all" || tag !~ /^smoke:/ {print $NF, ($1 == "start" ? 1 : -1)}' "$1" |
		LC_ALL=C sort -g -k1,1 -k2,2n | awk '{n += $2; if (n > m) m = n} END {print m + 0}'
}

export JOBLOG="$T/j2.log"
# (--no-verify: the log counts the matrix's builds, not the winner's rebuild)
"$OUNCE" matrix -q -s each -j2 --no-verify -w "$T/w2" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "-j2 run exited $?: $(cat err.txt)"
check_eq "cells ok (-j2)" 5 "$(q '[.cells[] | select(.status == "ok" and .smoke == "pass")] | length' "$T/w2/results.json")"
check_eq "builds and smoke tests logged (-j2)" 20 "$(wc -l < "$JOBLOG")"
builds=$(max_overlap "$JOBLOG" builds)
[ "$builds" -le 2 ] || fail "with -j2, $builds builds ran at once"
all=$(max_overlap "$JOBLOG" all)
[ "$all" -ge 3 ] || fail "with -j2, no smoke test ran beside two builds (at most $all at once)"

export JOBLOG="$T/j1.log"
"$OUNCE" matrix -q -s each -j1 --no-verify -w "$T/w1" -f json "$dir" > /dev/null 2> err.txt \
	|| fail "-j1 run exited $?: $(cat err.txt)"
check_eq "builds and smoke tests logged (-j1)" 20 "$(wc -l < "$JOBLOG")"
check_eq "most at once with -j1" 1 "$(max_overlap "$JOBLOG" all)"
echo ok
