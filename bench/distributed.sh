#!/bin/bash
# How the matrix scales on distcc (issue 21). Two parts, printed as Markdown:
#
# 1. Measured, on this machine: the wall time of one matrix of the generated
#    project (bench/gen_project.sh, 40 files x 25 functions) built with no
#    distribution, with one distccd on 127.0.0.1 and with two (each --jobs
#    SLOTS), every run from scratch (--no-reuse: no result cache, no ccache) in a
#    fresh work directory, the three set-ups in turn REPEAT times (median).
#    The daemons share this machine's cores, so this part measures what
#    distribution costs here, not what remote hosts would give.
# 2. Simulated, from the measured runs: the same matrix on H = 1, 2, 4, 8, 16, 32
#    hosts of S slots each. Per cell, results.json gives the compiles (count and
#    CPU seconds, from the local run: the work a host does), the links (CPU
#    seconds: they stay here, LTO code generation included), the measuring (ounce's
#    seconds), and, from the one-daemon run, the CPU a compile costs here when it
#    is sent (distcc's client: preprocessing and sending). A list schedule puts
#    each compile's local part on the first free local core, its remote part on
#    the first free host slot, each cell's links and measuring on a local core once
#    its compiles are done. It prints the predicted wall time, the speed-up over
#    the model's own all-local schedule (whose prediction is printed beside the
#    measured local wall time, so the model can be judged), and the bounds: the
#    local part (links, measuring, sending, over the local cores) and the remote
#    part (compiles over the slots); where the local part is the larger, links
#    dominate and more hosts do not help.
#
# Usage: bench/distributed.sh   (after ./bootstrap; needs distcc, distccd, jq)
#   REPEAT=N (default 3), SLOTS=N slots of each local daemon (default 2),
#   S=N slots per simulated host (default 4, distcc's default for a host),
#   PROFILES=list (default gc,os,lto,vis), FILES=N FUNCS=N (gen_project's, 40 25),
#   OUNCE=path. Exits 1 when a run fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ounce=${OUNCE:-$root/build/ounce}
repeat=${REPEAT:-3}
slots=${SLOTS:-2}
S=${S:-4}
profiles=${PROFILES:-gc,os,lto,vis}
files=${FILES:-40}
funcs=${FUNCS:-25}

say() { echo "distributed: $*" >&2; }
die() {
	say "$*"
	exit 1
}
for tool in distcc distccd jq; do
	command -v "$tool" > /dev/null || die "$tool is not installed"
done
[ -x "$ounce" ] || die "$ounce is not an executable (build ounce first: ./bootstrap)"

t=$(mktemp -d /tmp/ounce-distributed.XXXXXX)
chmod 755 "$t"
mkdir -m 1777 "$t/logs"
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill -KILL -- -"$p" 2> /dev/null || true
	done
	rm -rf "$t"
}
trap cleanup EXIT

free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port"
}
start_daemon() {
	local port=$1
	setsid distccd --daemon --no-detach --listen 127.0.0.1 --allow 127.0.0.1/32 \
		--port "$port" --log-file "$t/logs/$port.log" --jobs "$slots" &
	pids+=($!)
	disown $!
	for _ in $(seq 1 100); do
		(exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && return
		sleep 0.05
	done
	die "distccd on port $port did not start"
}

say "generating the project ($files files x $funcs functions)"
"$root/bench/gen_project.sh" "$t/proj" "$files" "$funcs" > /dev/null
p1=$(free_port)
start_daemon "$p1"
p2=$(free_port)
[ "$p2" != "$p1" ] || p2=$((p1 + 1))
start_daemon "$p2"

now() { date +%s.%N; }
# run NAME HOSTS: one matrix from scratch; prints its wall seconds
run() {
	local name=$1 hosts=$2 w="$t/w-$1" start end
	local args=(matrix -q --no-reuse --no-verify -p "$profiles" -w "$w")
	rm -rf "$w"
	[ -z "$hosts" ] || args+=(--distribute distcc)
	start=$(now)
	DISTCC_HOSTS=$hosts "$ounce" "${args[@]}" "$t/proj" > "$t/$name.txt" 2> "$t/$name.err" \
		|| die "$name run failed: $(tail -5 "$t/$name.err")"
	end=$(now)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A walls
sizes_of() { jq -r '[.cells[] | "\(.name) \(.bytes)"] | sort | .[]' "$1"; }
for i in $(seq 1 "$repeat"); do
	for setup in local one two; do
		case $setup in
		local) hosts="" ;;
		one) hosts="127.0.0.1:$p1/$slots" ;;
		two) hosts="127.0.0.1:$p1/$slots 127.0.0.1:$p2/$slots" ;;
		esac
		w=$(run "$setup" "$hosts")
		say "run $i, $setup: $w s"
		walls[$setup]="${walls[$setup]:-} $w"
		cp "$t/w-$setup/results.json" "$t/$setup.json"
	done
	for setup in one two; do
		[ "$(sizes_of "$t/local.json")" = "$(sizes_of "$t/$setup.json")" ] \
			|| die "the $setup-daemon run's bytes differ from the local run's:
$(diff <(sizes_of "$t/local.json") <(sizes_of "$t/$setup.json"))"
	done
done

cores=$(nproc)
m_local=$(tr ' ' '\n' <<< "${walls[local]}" | grep . | median)
m_one=$(tr ' ' '\n' <<< "${walls[one]}" | grep . | median)
m_two=$(tr ' ' '\n' <<< "${walls[two]}" | grep . | median)
cells=$(jq '[.cells[] | select(.built)] | length' "$t/local.json")
compiles=$(jq '[.cells[] | select(.built) | .steps.compiles // 0] | add' "$t/local.json")

echo "### Measured: this machine ($cores cores), $cells cells built from scratch, $compiles compiles"
echo
echo "Median of $repeat runs of \`ounce matrix --no-reuse -p $profiles\` on the generated"
echo "$files-file project; the daemons run on this machine, on the same cores."
echo
echo "| set-up | wall s | against no distribution |"
echo "|---|---:|---:|"
for setup in local one two; do
	case $setup in
	local) label="no distribution"; m=$m_local ;;
	one) label="1 distccd on 127.0.0.1 ($slots slots)"; m=$m_one ;;
	two) label="2 distccd on 127.0.0.1 ($slots slots each)"; m=$m_two ;;
	esac
	awk -v l="$label" -v m="$m" -v b="$m_local" 'BEGIN { printf "| %s | %.1f | %.2fx |\n", l, m, b / m }'
done
echo

# per built cell: compiles, compile CPU (local run), link CPU, measure s, and the
# client CPU per sent compile (one-daemon run, same cell)
jq -r --slurpfile one "$t/one.json" '
	($one[0].cells | map({(.name): .}) | add) as $o
	| .cells[] | select(.built)
	| [.name, (.steps.compiles // 0), (.steps.compile_cpu // 0),
	   (.steps.link_cpu // 0), (.measure_seconds // 0),
	   (if ($o[.name].steps.compiles // 0) > 0
	    then $o[.name].steps.compile_cpu / $o[.name].steps.compiles else 0 end)]
	| @tsv' "$t/local.json" > "$t/cells.tsv"

echo "### Simulated: the same matrix on H hosts of $S slots (links, measuring and sending here, on $cores cores)"
echo
awk -F'\t' -v P="$cores" -v S="$S" -v measured="$m_local" '
	{ name[NR] = $1; n[NR] = $2; cpu[NR] = $3; link[NR] = $4; meas[NR] = $5; send[NR] = $6 }
	# the earliest free of k resources (free times in arr); sets pick
	function first(arr, k,   i, b) {
		b = 1
		for (i = 2; i <= k; i++) if (arr[i] < arr[b]) b = i
		pick = b
		return arr[b]
	}
	# the makespan of the matrix with R remote slots (0: every compile here) and
	# c0 seconds of local work per cell before its compiles (staging, configure,
	# make itself, the smoke test: what the steps do not time)
	function simulate(R, c0,   i, j, c, loc, rem, start, done, end, span, ready) {
		for (i = 1; i <= P; i++) loc[i] = 0
		for (i = 1; i <= R; i++) rem[i] = 0
		span = 0
		for (c = 1; c <= NR; c++) {
			start = first(loc, P)
			loc[pick] = start + c0
			ready = loc[pick]
			done = ready
			for (j = 1; j <= n[c]; j++) {
				if (R == 0) {
					start = first(loc, P)
					if (start < ready) start = ready
					loc[pick] = start + cpu[c] / n[c]
					end = loc[pick]
				} else {
					start = first(loc, P)
					if (start < ready) start = ready
					loc[pick] = start + send[c]
					start = first(rem, R)
					if (start < loc[pick]) start = loc[pick]
					rem[pick] = start + cpu[c] / n[c]
					end = rem[pick]
				}
				if (end > done) done = end
			}
			start = first(loc, P)
			if (start < done) start = done
			loc[pick] = start + link[c] + meas[c]
			if (loc[pick] > span) span = loc[pick]
		}
		return span
	}
	END {
		for (c = 1; c <= NR; c++) {
			work += cpu[c]; here += link[c] + meas[c] + n[c] * send[c]
		}
		# c0 fitted (bisection) so that the all-local schedule takes the
		# measured local wall time
		lo = 0; hi = measured
		for (k = 0; k < 50; k++) {
			mid = (lo + hi) / 2
			if (simulate(0, mid) < measured) lo = mid; else hi = mid
		}
		c0 = lo
		base = simulate(0, c0)
		printf "Timed steps alone (compiles, links, measuring) give %.1f s of the %.1f s measured with every compile here; the rest, %.2f s of local work per cell (staging, configure, make itself, the smoke test), is fitted so that the all-local schedule takes the measured %.1f s.\n\n", simulate(0, 0), measured, c0, base
		print "| hosts | slots | predicted wall s | speed-up | local part s | remote part s | bound by |"
		print "|---:|---:|---:|---:|---:|---:|---|"
		split("1 2 4 8 16 32", hs, " ")
		for (k = 1; k <= 6; k++) {
			H = hs[k]
			t = simulate(H * S, c0)
			lp = (here + NR * c0) / P; rp = work / (H * S)
			bound = lp >= rp ? "local work" : "compiles (hosts)"
			printf "| %d | %d | %.1f | %.2fx | %.1f | %.1f | %s |\n", H, H * S, t, base / t, lp, rp, bound
			if (!cross && lp >= rp) cross = H
		}
		print ""
		if (cross) {
			plural = cross == 1 ? "" : "s"
			printf "From %d host%s on, the local part (links and LTO code generation, measuring, sending, the steps of each cell) is the larger: more hosts barely help.\n", cross, plural
		} else {
			print "Up to 32 hosts the compiles stay the larger part."
		}
	}' "$t/cells.tsv"
