#!/bin/bash
# Two runs in one work directory: the second says which process holds it and
# exits 1 (or waits with --wait), the first's results are whole, and no later run
# serves a false failure from the cache.
. "$(dirname "$0")/lib.sh"

mkdir proj
printf 'int\nmain(void)\n{\n\treturn 0;\n}\n' > proj/prog.c
# a build slow enough for the runs to overlap
printf 'prog: prog.c\n\tsleep 2\n\t$(CC) $(CFLAGS) -o prog prog.c\n' > proj/Makefile

# wait_lock DIR: until a run holds DIR (its pid in DIR/lock: the file is emptied
# when the lock is let go, while cells/ stays from earlier runs)
wait_lock() {
	for _ in $(seq 400); do
		[ -s "$1/lock" ] && return 0
		sleep 0.05
	done
	fail "no run took the lock of $1"
}

"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" -f json proj > first.json 2> first.err &
first=$!
wait_lock "$T/w"
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" -f json proj > second.json 2> second.err
check_eq "second run's status" 1 "$?"
check_eq "second run's lines" 1 "$(wc -l < second.err)"
grep -q "^ounce: error: the work directory '$T/w' is in use by process $first " second.err \
	|| fail "no line naming the holder: $(cat second.err)"
[ ! -s second.json ] || fail "the second run printed a table"
wait "$first" || fail "first run exited $?: $(cat first.err)"
r="$T/w/results.json"
check_eq "first run's cells" "baseline:ok strip:ok" \
	"$(q '[.cells[] | "\(.name):\(.status)"] | sort | join(" ")' "$r")"
check_eq "first run complete" true "$(q .complete "$r")"
check_eq "lock released" 0 "$(stat -c %s "$T/w/lock")"

# later runs: every cell from the cache, none failed
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" -f json proj > /dev/null 2> third.err \
	|| fail "third run exited $?: $(cat third.err)"
check_eq "third run's hits" 2 "$(q .cache_hits "$r")"
check_eq "third run's cells" "baseline:ok strip:ok" \
	"$(q '[.cells[] | "\(.name):\(.status)"] | sort | join(" ")' "$r")"

# --wait: the second run waits for the first, then runs (from the cache, after
# the change below: built once, by the first)
echo '/* changed */' >> proj/prog.c
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" -f json proj > /dev/null 2> first.err &
first=$!
wait_lock "$T/w"
"$OUNCE" matrix -p strip --no-verify --wait -w "$T/w" -f json proj > /dev/null 2> second.err \
	|| fail "--wait run exited $?: $(cat second.err)"
grep -q "in use by process $first: waiting for it (--wait)" second.err \
	|| fail "--wait said nothing of the wait: $(cat second.err)"
wait "$first" || fail "first --wait run exited $?: $(cat first.err)"
check_eq "--wait run's hits" 2 "$(q .cache_hits "$r")"
check_eq "--wait run's cells" "baseline:ok strip:ok" \
	"$(q '[.cells[] | "\(.name):\(.status)"] | sort | join(" ")' "$r")"
echo ok
