#!/bin/bash
# smoke.sh: start tinyhttpd on an ephemeral port, fetch / once (or N times: the
# workload of `ounce matrix --bench`), check every answer.
# Usage: bash smoke.sh PATH_TO_BINARY [N]   (run from this directory: needs www/)
# Exits 0 on success, 1 with a one-line reason on stderr. Every wait is bounded.
set -u

marker='tinyhttpd-smoke-ok'

fail() {
	echo "smoke: $*" >&2
	exit 1
}

[ $# -eq 1 ] || [ $# -eq 2 ] || fail "usage: bash smoke.sh PATH_TO_BINARY [N]"
bin=$1
n=${2:-1}
[[ $n =~ ^[1-9][0-9]{0,5}$ ]] || fail "N must be a number of requests from 1, not '$n'"
case $bin in
*/*) ;;
*) bin=./$bin ;;
esac
[ -x "$bin" ] || fail "not an executable: $bin"
[ -f www/index.html ] || fail "www/index.html not found (run from the project directory)"

out=$(mktemp) || fail "mktemp failed"
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -f "$out"
}
trap cleanup EXIT

# stderr goes to the same file so that a startup error can be quoted below.
"$bin" -p 0 -n "$n" -r www >"$out" 2>&1 &
pid=$!

# Wait up to 5 s for a complete "listening on ADDR:PORT" line.
port=
for ((i = 0; i < 100; i++)); do
	if IFS= read -r line <"$out" && [[ $line =~ ^listening\ on\ [0-9.]+:([0-9]+)$ ]]; then
		port=${BASH_REMATCH[1]}
		break
	fi
	kill -0 "$pid" 2>/dev/null || fail "server exited before listening: $(head -n 1 "$out")"
	sleep 0.05
done
[ -n "$port" ] || fail "no 'listening on' line within 5 s"

# fetch: one request, its answer checked
fetch() {
	local response rc status body
	{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || fail "cannot connect to 127.0.0.1:$port"
	printf 'GET / HTTP/1.0\r\n\r\n' >&3 || fail "cannot send the request"
	# Read until EOF (the server closes after one response), at most 5 s.
	IFS= read -r -d '' -t 5 -u 3 response
	rc=$?
	exec 3<&-
	((rc <= 128)) || fail "timed out reading the response"

	status=${response%%$'\n'*}
	[ "$status" = $'HTTP/1.0 200 OK\r' ] || fail "unexpected status line: ${status%$'\r'}"
	case $response in
	*$'\r\n\r\n'*) body=${response#*$'\r\n\r\n'} ;;
	*) fail "response has no end of headers" ;;
	esac
	[[ $body == *"$marker"* ]] || fail "body does not contain '$marker'"
}
for ((k = 0; k < n; k++)); do
	fetch
done

# With -n N the server exits by itself after the N-th request; allow up to 5 s.
for ((i = 0; i < 100; i++)); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$pid" 2>/dev/null && fail "server still running after serving $n request(s)"
wait "$pid"
rc=$?
pid=
((rc == 0)) || fail "server exited with status $rc"
exit 0
