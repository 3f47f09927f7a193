#!/bin/bash
# How much faster `ounce matrix` is than building the same matrix by hand, and
# how well `--strategy search` does against `--strategy full`, on the bundled
# samples (tinyhttpd; tinyrocket when cargo is installed) and a synthetic C project
# from bench/gen_project.sh (40 files x 25 functions; 10 x 10 with --quick). For
# each project, in fresh work dirs:
#   1. by hand, serial: matrix --no-reuse -j 1 --build-jobs 1 (every each+cumulative
#      cell built from scratch with plain `make`, one after another: nothing runs
#      in parallel, the issue's "building every cell serially from scratch"); and
#      the same with each build given every core (`make -jCORES` by hand, for
#      comparison); wall times measured here
#   2. ounce: matrix with its defaults (-j cores, result cache, objects shared
#      through ccache, post-link cells from copies, Cargo cells that only add
#      link arguments relinked from kept objects); wall time measured here
#   (1 and 2 are made REPEAT times each, default 3, in turn; the median counts)
#   3. the same command again, nothing changed (the second run)
#   4. --strategy full and --strategy search: the smallest file each finds
# Usage: bench/matrix_speed.sh [--quick]   (after ./bootstrap; needs jq; OUNCE=PATH
# to use another ounce binary; REPEAT=N and SETTLE=SECONDS, below). The full run
# takes a long time: --strategy full builds every combination of 8 profiles.
# Prints a Markdown table (one row per project), a PASS/FAIL line per target:
# (a) search finds full's bytes with at most 4*D builds (D = profile dimensions;
# cells made from copies of linked artifacts, or relinked, are not builds), (b)
# ounce / by hand serially <= 0.5 (ounce / by hand with make -jCORES is printed beside it),
# (c) second/first < 0.05, (d) ounce's own CPU apart from measuring
# (libelf, gzip -9 and xz -9 of every cell, reported beside it) < 2% of its wall
# time; then the figures of every run, from results.json. Exits 1 when
# a run fails (not when a target is missed).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ounce=${OUNCE:-$root/build/ounce}
quick=0
case ${1:-} in
"") ;;
--quick) quick=1 ;;
*)
	echo "usage: bench/matrix_speed.sh [--quick]" >&2
	exit 2
	;;
esac
[ $# -le 1 ] || { echo "usage: bench/matrix_speed.sh [--quick]" >&2; exit 2; }
command -v jq > /dev/null || { echo "matrix_speed: jq is not installed" >&2; exit 1; }
[ -x "$ounce" ] || { echo "matrix_speed: $ounce is not an executable (build ounce first: ./bootstrap)" >&2; exit 1; }

c_profiles=strip,gc,lto,os,vis,nosep,relr,noid
httpd_profiles=strip,allocator,gc,lto,os,vis,nosep,relr
rocket_profiles=strip,allocator,abort,lto,cgu1,os,nosep,relr

t=$(mktemp -d /tmp/ounce-matrix-speed.XXXXXX)
trap 'rm -rf "$t"' EXIT

say() { echo "matrix_speed: $*" >&2; }
die() {
	say "$*"
	exit 1
}
now() { date +%s.%N; }
# calc FORMAT EXPR: floating-point arithmetic (awk)
calc() { awk "BEGIN { printf \"$1\", ($2) }"; }
# pf EXPR: PASS when the awk expression is true, else FAIL
pf() { awk "BEGIN { exit !($1) }" && echo PASS || echo FAIL; }

# dimension_count DIR PROFILES: the number of dimensions among PROFILES (comma
# separated). A profile's dimension is its "dimension =" key; one without is a
# dimension of its own. Fails when a profile is in neither DIR/ounce.ini nor profiles/
dimension_count() {
	local dir=$1 list=$2 p dim keys=()
	local IFS=,
	for p in $list; do
		dim=
		if [ -f "$dir/ounce.ini" ] && grep -q "^\[profile $p\]" "$dir/ounce.ini"; then
			# the project's own [profile p] section wins over profiles/p.ini
			dim=$(awk -v s="[profile $p]" '
				$0 == s { on = 1; next }
				/^\[/ { on = 0 }
				on && /^[[:space:]]*dimension[[:space:]]*=/ { sub(/^[^=]*=[[:space:]]*/, ""); sub(/[[:space:]]*(;.*)?$/, ""); print; exit }
			' "$dir/ounce.ini")
		elif [ -f "$root/profiles/$p.ini" ]; then
			dim=$(sed -n 's/^[[:space:]]*dimension[[:space:]]*=[[:space:]]*\([^[:space:];]*\).*/\1/p' "$root/profiles/$p.ini" | head -n 1)
		else
			die "no profile '$p' in $dir/ounce.ini or $root/profiles"
		fi
		keys+=("${dim:-profile:$p}")
	done
	printf '%s\n' "${keys[@]}" | sort -u | wc -l
}

# Every timed run starts on a quiet file system: ext4 passes over inodes freed in
# the last ~35 s when it allocates new ones, so after a run that deleted many files
# (the compilers' temporary files, a work directory) creating files costs several
# times the CPU, in the builds and in ounce's staging alike (measured: ounce's
# staging of tinyhttpd 6.4 ms on a quiet disk, 69 ms in the fifth of five runs
# started back to back). SETTLE=N seconds (default 40; 0 for none).
settle=${SETTLE:-40}

# run_matrix NAME LABEL WORKDIR DIR ARGS...: one ounce matrix run; sets $wall (s).
run_matrix() {
	local name=$1 label=$2 w=$3 dir=$4 s e rc=0
	shift 4
	sync
	sleep "$settle"
	say "$name: $label ($*)"
	s=$(now)
	# (--no-verify: the matrix's own time; its end-of-run rebuild is not a cell)
	"$ounce" matrix -q -f json --no-verify -w "$w" "$@" "$dir" > /dev/null 2> "$w.stderr" || rc=$?
	e=$(now)
	if [ "$rc" -ne 0 ]; then
		say "$name: $label failed (exit $rc): $ounce matrix -q -f json -w $w $* $dir"
		tail -n 20 "$w.stderr" >&2
		exit 1
	fi
	[ -f "$w/results.json" ] || die "$name: $label wrote no $w/results.json"
	jq -e . "$w/results.json" > /dev/null 2>&1 || die "$name: $label: $w/results.json is not JSON"
	local k bad
	for k in builds_run cells_total cache_hits wall_seconds self_seconds; do
		jq -e --arg k "$k" '.[$k] | type == "number"' "$w/results.json" > /dev/null ||
			die "$name: $label: no number '$k' in $w/results.json (an older ounce?)"
	done
	bad=$(jq -r '[.cells[] | select(.status != "ok") | "\(.name) (\(.status))"] | join(", ")' "$w/results.json")
	[ -z "$bad" ] || say "$name: $label: cells not ok: $bad"
	wall=$(calc "%.2f" "$e - $s")
}

# field WORKDIR KEY: a top-level field of results.json
field() {
	jq -r --arg k "$2" '.[$k] | if . == null then "null" else tostring end' "$1/results.json"
}

# figures WORKDIR: the details table's columns from results.json (seconds to 0.001)
figures() {
	jq -r '[(.wall_seconds, .self_seconds | . * 1000 | round / 1000), .builds_run, .cells_total,
		.cache_hits, ([.cells[] | select(.reused_from != null)] | length)]
		| map(tostring) | join(" | ")' "$1/results.json"
}

# table_cells WORKDIR: the distinct cells of the baseline, each and cumulative rows
# (cells_total also counts the cells built only to copy post-link cells from)
table_cells() {
	jq -r '[.rows[] | select(.group == "baseline" or .group == "each" or .group == "cumulative")
		| .cell] | unique | length' "$1/results.json"
}

# best_bytes WORKDIR GROUP: the bytes of the first row of GROUP
best_bytes() {
	local v
	v=$(jq -r --arg g "$2" '
		([.rows[] | select(.group == $g)][0].cell) as $c
		| if $c == null then "none" else ([.cells[] | select(.name == $c)][0].bytes // "null") | tostring end
	' "$1/results.json")
	[ "$v" != none ] || die "no '$2' rows in $1/results.json"
	[ "$v" != null ] || die "the best '$2' cell in $1/results.json has no bytes"
	echo "$v"
}

# median_index V...: the index of the median of the numbers V (the lower middle
# one of an even count)
median_index() {
	local i
	local n=$# sorted
	sorted=$(for ((i = 1; i <= n; i++)); do echo "${!i} $((i - 1))"; done | sort -g | sed -n "$(((n + 1) / 2))p")
	echo "${sorted#* }"
}

# REPEAT=N (default 3): how many times each timed run (by hand, plain make; by hand;
# ounce) is made; the tables report the median of each.
repeat=${REPEAT:-3}
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive number, not '$repeat'"

rows=()
targets=()
details=()

# bench NAME DIR PROFILES
bench() {
	local name=$1 dir=$2 profiles=$3 d w
	d=$(dimension_count "$dir" "$profiles")
	w=$t/$name
	mkdir -p "$w"

	# the three timed runs, REPEAT times each, in turn (so a drift of the machine
	# falls on all three alike); each is judged by its median
	local k hands=() hand1s=() firsts=()
	for ((k = 1; k <= repeat; k++)); do
		run_matrix "$name" "by-hand serial, plain make [$k/$repeat]" "$w/w0-$k" "$dir" \
			--no-reuse -j 1 --build-jobs 1 -p "$profiles"
		hand1s+=("$wall")
		run_matrix "$name" "by-hand serial [$k/$repeat]" "$w/w1-$k" "$dir" --no-reuse -j 1 \
			-p "$profiles"
		hands+=("$wall")
		run_matrix "$name" "ounce [$k/$repeat]" "$w/w2-$k" "$dir" -p "$profiles"
		firsts+=("$wall")
	done
	local hand hand1 first m0 m1 m2
	m0=$(median_index "${hand1s[@]}")
	m1=$(median_index "${hands[@]}")
	m2=$(median_index "${firsts[@]}")
	hand1=${hand1s[m0]}
	hand=${hands[m1]}
	first=${firsts[m2]}
	details+=("| $name | by-hand serial, plain make (median of ${hand1s[*]}) | $hand1 | $(figures "$w/w0-$((m0 + 1))") |")
	details+=("| $name | by-hand serial (median of ${hands[*]}) | $hand | $(figures "$w/w1-$((m1 + 1))") |")
	details+=("| $name | ounce (median of ${firsts[*]}) | $first | $(figures "$w/w2-$((m2 + 1))") |")
	local cells builds self measure ounce_wall
	mv "$w/w2-$((m2 + 1))" "$w/w2"
	cells=$(table_cells "$w/w2")
	builds=$(field "$w/w2" builds_run)
	self=$(field "$w/w2" self_seconds)
	measure=$(jq -r '.measure_seconds // 0' "$w/w2/results.json")
	ounce_wall=$(field "$w/w2" wall_seconds)
	rm -rf "$w"/w0-* "$w"/w1-* "$w"/w2-*
	run_matrix "$name" "second run" "$w/w2" "$dir" -p "$profiles"
	local second=$wall
	details+=("| $name | second run | $second | $(figures "$w/w2") |")
	run_matrix "$name" "strategy full" "$w/w3" "$dir" --strategy full -p "$profiles"
	local full_wall=$wall full_bytes full_cells
	full_bytes=$(best_bytes "$w/w3" full)
	full_cells=$(field "$w/w3" cells_total)
	details+=("| $name | strategy full | $full_wall | $(figures "$w/w3") |")
	run_matrix "$name" "strategy search" "$w/w4" "$dir" --strategy search -p "$profiles"
	local search_wall=$wall search_bytes search_cells search_builds
	search_bytes=$(best_bytes "$w/w4" search)
	search_cells=$(field "$w/w4" cells_total)
	search_builds=$(field "$w/w4" builds_run)
	details+=("| $name | strategy search | $search_wall | $(figures "$w/w4") |")

	local ratio ratio1 second_ratio cpu own same
	ratio=$(calc "%.3f" "$first / $hand")
	ratio1=$(calc "%.3f" "$first / $hand1")
	second_ratio=$(calc "%.4f" "$second / $first")
	cpu=$(calc "%.2f" "$ounce_wall > 0 ? 100 * $self / $ounce_wall : 100")
	own=$(calc "%.2f" "$ounce_wall > 0 ? 100 * ($self - $measure) / $ounce_wall : 100")
	[ "$search_bytes" = "$full_bytes" ] && same=yes || same=no
	rows+=("| $name | $cells | $builds | $hand1 | $hand | $first | $ratio1 | $ratio | $second | $second_ratio | $own (all: $cpu) | $search_bytes, $search_cells, $search_builds | $full_bytes, $full_cells | $same |")

	targets+=("- $name (a) $(pf "\"$same\" == \"yes\" && $search_builds <= 4 * $d"): search $search_bytes bytes vs full $full_bytes bytes; search ran $search_builds builds ($search_cells cells with the copies), target <= 4*D = $((4 * d)) (D = $d)")
	targets+=("- $name (b) $(pf "$ratio1 <= 0.5"): ounce / by hand serially = $ratio1 ($first s / $hand1 s, plain make), target <= 0.5; against by hand with make -j$(nproc) (not serial): $ratio ($first s / $hand s)")
	targets+=("- $name (c) $(pf "$second_ratio < 0.05"): second/first = $second_ratio ($second s / $first s), target < 0.05")
	targets+=("- $name (d) $(pf "$own < 2"): ounce's own CPU apart from measuring = $own% of its wall time ($(calc "%.3f" "$self - $measure") s / $(calc "%.2f" "$ounce_wall") s), target < 2%; with measuring (gzip -9, xz -9 of every cell) $cpu%")
}

if ((quick)); then
	gen_args=(10 10)
else
	gen_args=(40 25)
fi
say "generating the synthetic project (${gen_args[*]})"
bash "$root/bench/gen_project.sh" "$t/genproj" "${gen_args[@]}" > /dev/null || die "bench/gen_project.sh failed"

bench tinyhttpd "$root/samples/tinyhttpd" "$httpd_profiles"
if command -v cargo > /dev/null; then
	bench tinyrocket "$root/samples/tinyrocket" "$rocket_profiles"
else
	say "cargo is not installed: samples/tinyrocket left out"
fi
bench "genproj-${gen_args[0]}x${gen_args[1]}" "$t/genproj" "$c_profiles"

echo "| project | cells (each+cumulative) | builds run by ounce | by hand, make s | by hand, make -j$(nproc) s | ounce s | ratio to make | ratio to make -j$(nproc) | second run s | second/first | ounce CPU % of wall (apart from measuring; all) | search: bytes, cells, builds | full: bytes, cells | search = full? |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
printf '%s\n' "${targets[@]}"
echo
echo "| project | run | wall s (measured here) | wall_seconds | self_seconds | builds_run | cells_total | cache_hits | cells from copies or relinks (reused_from) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${details[@]}"
