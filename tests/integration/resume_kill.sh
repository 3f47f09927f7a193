#!/bin/bash
# --resume after ounce was killed by SIGKILL (no handler runs): results.json was
# saved as cells finished, so the run goes on from what was measured and ends with
# the cells of a clean run. A results.json whose saved arguments hold --resume
# (written by hand) resumes once, without recursing.
. "$(dirname "$0")/lib.sh"

mkdir proj
printf 'int\nmain(void)\n{\n\treturn 0;\n}\n' > proj/prog.c
# while $T/slow is there, each build takes a second: the run is killed between cells
printf 'prog: prog.c\n\tif [ -e %s/slow ]; then sleep 1; fi\n\t$(CC) $(CFLAGS) -o prog prog.c\n' \
	"$T" > proj/Makefile
touch slow
# the cells and rows of a results file, to compare
cells_rows='([.cells[] | {name, status, bytes}] | sort_by(.name)),
	[.rows[] | {cell: .cell, group: .group, label: .label}]'
p=gc,os,lto
r="$T/w/results.json"

(setsid bash -c 'echo $$ > pgid; exec "$@" > /dev/null 2> killed.err' run \
	"$OUNCE" matrix -j 1 -p $p --no-verify -w "$T/w" proj) 2> /dev/null &
# measured() the cells measured in results.json as the run saved it
measured() {
	[ -s "$r" ] && jq '[.cells[] | select(.status == "ok")] | length' "$r" 2> /dev/null || echo 0
}
for _ in $(seq 300); do
	[ -s pgid ] && [ "$(measured)" -ge 2 ] && break
	sleep 0.05
done
[ "$(measured)" -ge 2 ] || fail "no cell but the baseline saved while the run went on: $(cat killed.err)"
kill -9 -- "-$(cat pgid)"
wait 2> /dev/null
check_eq "saved run incomplete" false "$(q .complete "$r")"
check_eq "baseline saved" ok "$(q '.cells[] | select(.name == "baseline") | .status' "$r")"
# the cells not measured yet are in it, as interrupted
left=$(q '[.cells[] | select(.status == "interrupted")] | length' "$r")
[ "$left" -gt 0 ] || fail "the run was not killed before its end"
rm slow

"$OUNCE" matrix --resume -w "$T/w" > /dev/null 2> err.txt \
	|| fail "--resume exited $?: $(cat err.txt)"
grep -q "resuming: ounce matrix --resumed" err.txt || fail "did not resume: $(cat err.txt)"
check_eq "resumed run complete" true "$(q .complete "$r")"
grep -q "\[cached\]" err.txt || fail "nothing measured before the kill was reused: $(cat err.txt)"
q "$cells_rows" "$r" > resumed.json

"$OUNCE" matrix -j 1 -p $p --no-verify -w "$T/clean" --no-reuse proj > /dev/null 2> err.txt \
	|| fail "clean run exited $?: $(cat err.txt)"
q "$cells_rows" "$T/clean/results.json" > clean.json
cmp -s clean.json resumed.json || fail "resumed cells differ: $(diff clean.json resumed.json)"

# a saved --resume (and --resumed) is dropped: one resume, then the run
jq '.complete = false | .argv = ["--resume", "--resumed"] + .argv' "$r" > r.json && mv r.json "$r"
"$OUNCE" matrix --resume -w "$T/w" > /dev/null 2> err.txt \
	|| fail "--resume of a saved --resume exited $?: $(cat err.txt)"
check_eq "resumed once" 1 "$(grep -c "resuming: " err.txt)"
grep -q -- "--resume " err.txt && fail "a saved --resume was kept: $(cat err.txt)"
check_eq "run complete after it" true "$(q .complete "$r")"

# killed during the baseline: results.json was saved when the run started, the
# baseline "interrupted" in it, and --resume redoes the run (the build sleeps 5 s
# while $T/slowbase is there; the kill ends it long before)
mkdir proj2
cp proj/prog.c proj2/
printf 'prog: prog.c\n\tif [ -e %s/slowbase ]; then sleep 5; fi\n\t%s\n' \
	"$T" '$(CC) $(CFLAGS) -o prog prog.c' > proj2/Makefile
touch slowbase
rb="$T/wb/results.json"
(setsid bash -c 'echo $$ > pgid2; exec "$@" > /dev/null 2> killed2.err' run \
	"$OUNCE" matrix -j 1 -p gc --no-verify -w "$T/wb" proj2) 2> /dev/null &
for _ in $(seq 300); do
	[ -s pgid2 ] && [ -s "$rb" ] && break
	sleep 0.05
done
[ -s "$rb" ] || fail "no results.json while the baseline was built: $(cat killed2.err)"
kill -9 -- "-$(cat pgid2)"
wait 2> /dev/null
check_eq "saved at the start" "false baseline:interrupted" \
	"$(q '"\(.complete) " + ([.cells[] | "\(.name):\(.status)"] | join(" "))' "$rb")"
rm slowbase
"$OUNCE" matrix --resume -w "$T/wb" > /dev/null 2> err.txt \
	|| fail "--resume after a kill during the baseline exited $?: $(cat err.txt)"
grep -q "resuming: ounce matrix --resumed" err.txt || fail "did not resume: $(cat err.txt)"
check_eq "run resumed from the baseline" "true baseline:ok gc:ok" \
	"$(q '"\(.complete) " + ([.cells[] | "\(.name):\(.status)"] | sort | join(" "))' "$rb")"
echo ok
