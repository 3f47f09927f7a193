#!/bin/bash
# --distribute distcc with two real distccd daemons on 127.0.0.1 (started and
# stopped here): the sample's compiles go to both, every cell's bytes equal a
# local run's, and a daemon stopped in the middle of a run leaves a complete table
# whose rows say which compiles ran here instead. A host whose compiler gives
# other bytes is refused.
. "$(dirname "$0")/lib.sh"

command -v distccd > /dev/null || fail "distccd is not installed (tests/run installs distcc)"
sample="$OUNCE_SOURCE_ROOT/samples/tinyhttpd"
profiles=strip,gc,os
# distccd drops root for the distcc user, who must reach its log
chmod 755 "$T"
mkdir -m 1777 logs

daemons=()
stop_daemons() {
	for pid in "${daemons[@]}"; do
		kill -KILL -- -"$pid" 2> /dev/null
	done
	rm -rf "$T"
}
trap stop_daemons EXIT

# free_port: a port nothing listens on, from a range unlikely to be in use
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null; then
			echo "$p"
			return
		fi
	done
	fail "no free port"
}

# start_daemon PORT LOG [COMMAND-PREFIX...]: distccd on loopback in its own
# process group; waits (bounded) until it accepts connections
start_daemon() {
	local port=$1 log=$2
	shift 2
	setsid "$@" distccd --daemon --no-detach --listen 127.0.0.1 --allow 127.0.0.1/32 \
		--port "$port" --log-file "$log" --log-level info --jobs 2 &
	daemons+=($!)
	# killed by this test: no "Killed" line from bash
	disown $!
	for _ in $(seq 1 100); do
		(exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && return
		sleep 0.05
	done
	fail "distccd on port $port did not start"
}

p1=$(free_port)
p2=$(free_port)
[ "$p1" != "$p2" ] || p2=$((p1 + 1))
start_daemon "$p1" "$T/logs/d1.log"
d1=${daemons[0]}
start_daemon "$p2" "$T/logs/d2.log"
d2=${daemons[1]}

# the bytes of a local run, cell by cell
"$OUNCE" matrix -q -j2 --no-verify -p "$profiles" -w "$T/local" "$sample" > local.txt \
	|| fail "local matrix exited $?"
sizes() {
	q '[.cells[] | "\(.name) \(.status) \(.bytes)"] | sort | .[]' "$1"
}

# 1. both daemons up: compiles go to both, the same bytes
DISTCC_HOSTS="127.0.0.1:$p1/2 127.0.0.1:$p2/2" "$OUNCE" matrix -j2 --no-verify \
	-p "$profiles" --distribute distcc -w "$T/both" "$sample" > both.txt 2> both.err \
	|| fail "distributed matrix exited $?: $(cat both.err)"
check_eq "every cell's bytes as in the local run" "$(sizes "$T/local/results.json")" \
	"$(sizes "$T/both/results.json")"
grep -q "distcc: 2 hosts, 4 slots" both.err || fail "hosts not said: $(cat both.err)"
for log in d1 d2; do
	# the probe compiles probe.c; the sample's own files are the matrix's
	grep -Eq "COMPILE_OK .*(tinyhttpd|alloc|pool)\.c" "logs/$log.log" \
		|| fail "no compile of the sample went to $log: $(cat "logs/$log.log")"
done
check_eq "every compile ran on a host" "0" \
	"$(q '[.cells[] | .distributed.fallback // 0] | add' "$T/both/results.json")"
remote=$(q '[.cells[] | .distributed.remote // 0] | add' "$T/both/results.json")
[ "$remote" -ge 9 ] || fail "only $remote compiles ran on the hosts"
grep -q "^distributed: $remote of $remote compiles ran on the hosts" both.txt \
	|| fail "no distributed line under the table: $(cat both.txt)"

# 2. the first host stops once the baseline is built: the other cells' compiles
# that were meant for it go to the other host or run here, as distcc does, and the
# table is complete
rm -f run2.err
DISTCC_HOSTS="127.0.0.1:$p2/2 127.0.0.1:$p1/2" "$OUNCE" matrix -j2 --no-verify \
	-p "$profiles" --distribute distcc -w "$T/stop" "$sample" > stop.txt 2> run2.err &
run=$!
for _ in $(seq 1 400); do
	grep -q '\[1\] baseline' run2.err 2> /dev/null && break
	sleep 0.025
done
grep -q '\[1\] baseline' run2.err || fail "the baseline did not finish: $(cat run2.err)"
kill -KILL -- -"$d2"
wait "$run" || fail "matrix with a stopped host exited $?: $(cat run2.err)"
check_eq "every cell's bytes as in the local run, one host stopped" \
	"$(sizes "$T/local/results.json")" "$(sizes "$T/stop/results.json")"
failed=$(q '[.cells[] | .distributed.failed_hosts // empty] | join(", ")' "$T/stop/results.json")
case "$failed" in
*"127.0.0.1:$p2"*) ;;
*) fail "the stopped host is not named: '$failed'" ;;
esac
# distcc sends a compile its host failed to another host, or compiles it here
grep -Eq "(compiles ran here|sent to another host) after 127.0.0.1:$p2 failed" stop.txt \
	|| fail "the rows do not say the host failed: $(cat stop.txt)"

# 3. no host answers: one line, exit 2, nothing built
DISTCC_HOSTS="127.0.0.1:$p2/2" "$OUNCE" matrix -q -p strip --distribute distcc \
	-w "$T/none" "$sample" > /dev/null 2> none.err
check_eq "exit status with no host" 2 "$?"
check_eq "one line" 1 "$(wc -l < none.err)"
grep -q "no distcc host compiles: 127.0.0.1:$p2/2 (" none.err || fail "$(cat none.err)"
[ ! -e "$T/none/cells" ] || fail "cells were built without a host"

# 4. a host whose compiler is another (clang answering as gcc, in its own mount
# namespace): refused, with both compilers named
if [ "$(id -u)" -eq 0 ]; then
	p3=$(free_port)
	real=$(readlink -f "$(command -v gcc)")
	printf '#!/bin/sh\nexec clang "$@"\n' > fakegcc
	chmod 755 fakegcc
	start_daemon "$p3" "$T/logs/d3.log" unshare -m sh -c \
		"mount --bind '$T/fakegcc' '$real' && exec \"\$0\" \"\$@\""
	DISTCC_HOSTS="127.0.0.1:$p1/2 127.0.0.1:$p3/2" "$OUNCE" matrix -q -p strip \
		--distribute distcc -w "$T/other" "$sample" > /dev/null 2> other.err
	check_eq "exit status with another compiler" 2 "$?"
	grep -q "distcc host 127.0.0.1:$p3/2: its .*gcc compiles other bytes.*clang version" \
		other.err || fail "mismatch not said: $(cat other.err)"
fi

# 5. bad values
"$OUNCE" matrix --distribute xgrid "$sample" 2> bad.err
check_eq "exit status of a bad --distribute" 2 "$?"
grep -q "distribute takes distcc, icecc or none, not 'xgrid'" bad.err || fail "$(cat bad.err)"
PATH=/nonexistent "$OUNCE" matrix -q --distribute icecc -w "$T/ice" "$sample" 2> ice.err
check_eq "exit status without icecc" 2 "$?"
grep -q "'icecc' is not installed (Debian package icecc)" ice.err || fail "$(cat ice.err)"
