#!/bin/bash
# Ctrl-C stops the running builds (their whole process groups) and saves what was
# measured; a build past --timeout is a row, not the end of the run.
. "$(dirname "$0")/lib.sh"

dir=$(fixture slow)
"$OUNCE" matrix -j2 -w "$T/work" "$dir" > out.txt 2> err.txt &
pid=$!
for _ in $(seq 200); do
	grep -q '\[1\] baseline' err.txt && pgrep -f 'sleep 47' > /dev/null && break
	sleep 0.1
done
pgrep -f 'sleep 47' > /dev/null || fail "the slow build never started: $(cat err.txt)"
start=$(date +%s)
kill -INT "$pid"
wait "$pid"
st=$?
check_eq "exit status after SIGINT" 130 "$st"
[ $(($(date +%s) - start)) -le 10 ] || fail "ounce took too long to stop"
sleep 0.2
pgrep -f 'sleep 47' > /dev/null && fail "the build's sleep survived"
res="$T/work/results.json"
check_eq "baseline saved" ok "$(q '.cells[] | select(.name == "baseline") | .status' "$res")"
check_eq "slow interrupted" interrupted "$(q '.cells[] | select(.name == "slow") | .status' "$res")"

# SIGQUIT (Ctrl-\) is handled as SIGINT: results saved, no build left, 128+3
"$OUNCE" matrix -j2 -p slow -s each --no-verify -w "$T/wq" "$dir" > out.txt 2> err.txt &
pid=$!
for _ in $(seq 200); do
	grep -q '\[1\] baseline' err.txt && pgrep -f 'sleep 47' > /dev/null && break
	sleep 0.1
done
kill -QUIT "$pid"
wait "$pid"
check_eq "exit status after SIGQUIT" 131 "$?"
sleep 0.2
pgrep -f 'sleep 47' > /dev/null && fail "the build's sleep survived SIGQUIT"
check_eq "slow interrupted by SIGQUIT" interrupted \
	"$(q '.cells[] | select(.name == "slow") | .status' "$T/wq/results.json")"

# --timeout: the slow cell times out, the run goes on and succeeds
"$OUNCE" matrix -q -j2 --timeout 2 -s each -w "$T/w2" "$dir" > out.txt 2> err.txt \
	|| fail "timeout run exited $?: $(cat err.txt)"
c=$(cell "$T/w2/results.json" slow)
check_eq "slow status" timeout "$(jq -r .status <<<"$c")"
jq -r .reason <<<"$c" | grep -q 'timed out after 2 s' || fail "timeout reason: $c"
pgrep -f 'sleep 47' > /dev/null && fail "the timed-out build's sleep survived"
echo ok
