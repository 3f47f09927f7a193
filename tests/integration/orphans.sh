#!/bin/bash
# No process of a build outlives its cell or ounce: a daemon a build starts with
# setsid is killed when its cell ends, and when ounce is killed with SIGKILL its
# builds die with it; with the sandbox and without (--no-sandbox).
. "$(dirname "$0")/lib.sh"

dir=$(fixture orphans)
mark="ounce-orphan-$$-$RANDOM"
echo "$mark" > "$dir/marker"
reap() {
	local pids
	pids=$(pgrep -f "$mark")
	[ -n "$pids" ] && kill -9 $pids
	cleanup
}
trap reap EXIT

for mode in --sandbox --no-sandbox; do
	opt=$([ $mode = --no-sandbox ] && echo --no-sandbox)
	"$OUNCE" matrix -p strip -s each --no-verify $opt -w "$T/w$mode" "$dir" \
		> out.txt 2> err.txt || fail "$mode: exit $?: $(cat err.txt)"
	pgrep -fa "$mark-daemon" && fail "$mode: the build's setsid daemon outlived its cell"

	"$OUNCE" matrix -p slow -s each --no-verify $opt -w "$T/k$mode" "$dir" \
		> out.txt 2> err.txt &
	pid=$!
	for _ in $(seq 300); do
		pgrep -f "$mark-slow" > /dev/null && break
		sleep 0.1
	done
	pgrep -f "$mark-slow" > /dev/null || fail "$mode: the slow build never started: $(cat err.txt)"
	kill -9 $pid
	wait $pid 2> /dev/null
	for _ in $(seq 20); do
		pgrep -f "$mark" > /dev/null || break
		sleep 0.1
	done
	pgrep -fa "$mark" && fail "$mode: processes of the build outlived ounce's SIGKILL"
done
echo ok
