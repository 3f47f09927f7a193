#!/bin/bash
# run_target.sh EXE CORPUS SECONDS [OUTDIR]: run one libFuzzer target for SECONDS
# on a copy of its seed corpus CORPUS (never written), in OUTDIR (default: a new
# directory under /tmp, removed when nothing was found): OUTDIR/corpus is the grown
# corpus, OUTDIR/crash-*, leak-*, timeout-*, oom-* what the target failed on, and
# OUTDIR/log libFuzzer's output. Prints one line:
#   NAME: EXECS executions in S s (EXECS/S per s), N crashes, corpus A -> B files
# and exits 0, or 1 when the target failed on some input (the line then names the
# files to turn into unit tests).
set -u
exe=$1 corpus=$2 secs=$3 out=${4:-}
name=$(basename "$exe")

keep=1
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/ounce-$name.XXXXXX") || exit 1
	keep=0
fi
mkdir -p "$out/corpus" || exit 1
seeds=0
if [ -d "$corpus" ]; then
	cp -p "$corpus"/* "$out/corpus/" 2>/dev/null
	seeds=$(find "$corpus" -maxdepth 1 -type f | wc -l)
fi

# -close_fd_mask=2: ounce's own error lines (one per rejected input) go nowhere;
# libFuzzer and the sanitizers keep a copy of stderr for their reports
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
	"$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -close_fd_mask=2 -artifact_prefix="$out/" \
	"$out/corpus" >"$out/log" 2>&1
rc=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -1)
if [ -z "$execs" ]; then
	# no final stats after a crash: the last status line, "#N ..."
	execs=$(grep -oE '^#[0-9]+' "$out/log" | tail -1 | tr -d '#')
fi
execs=${execs:-0}
found=$(find "$out" -maxdepth 1 -type f \
	\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
nfound=$(printf '%s' "$found" | grep -c .)
grown=$(find "$out/corpus" -maxdepth 1 -type f | wc -l)
rate=$((execs / (secs > 0 ? secs : 1)))
echo "$name: $execs executions in $secs s ($rate per s), $nfound crashes," \
	"corpus $seeds -> $grown files"

if [ "$rc" -ne 0 ] || [ "$nfound" -ne 0 ]; then
	echo "$name: libFuzzer exited $rc; its output and inputs are in $out" >&2
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$out/log" | head -20 >&2
	for f in $found; do
		echo "$name: failing input: $f" >&2
	done
	exit 1
fi
if [ "$keep" -eq 0 ]; then
	rm -rf "$out"
fi
exit 0
