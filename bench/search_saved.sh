#!/bin/bash
# The builds the search and the full factorial no longer spend on what they
# already know, and the optimum they find, against ounce as it was before:
#   - twins: a cell with a profile another of it implies (`implies` in profiles/:
#     cgu1 implies lto under gcc, sstrip implies strip) is that other cell's build;
#   - the growth rule: a profile whose cell grew the metric by more than 25% alone
#     and with the search's best set is not combined further (--stack all: it is).
# For each project, in fresh work directories (no cache shared between runs):
#   1. --strategy full, before and now: best, cells, builds (now: twins left out)
#   2. --strategy search, before, now and now with --stack all (the growth rule
#      off): best, builds, cells; now: the twins known and the cells ruled out
#   3. each profile's growth alone and on full's optimum (from full, now), which
#      is what the growth rule's threshold is judged against
# Projects: samples/tinyhttpd by file and by ram (its own pool allocator reserves
# its RAM in .bss), samples/tinyrocket (when cargo is installed), and a project
# from bench/gen_project.sh (40 files x 25 functions; 10 x 10 with --quick); 8
# profiles each, then tinyhttpd by ram and the generated project with 4 and 5.
# Usage: bench/search_saved.sh [--quick]   (needs jq, git, muon-meson and ninja;
# OUNCE=PATH for the ounce to measure, default build/ounce; BEFORE=PATH for the
# one to compare with, default: built from git revision BEFORE_REV, the commit
# before the rules; ONLY=NAME,... for some of the rows: tinyhttpd, tinyhttpd-ram,
# tinyrocket, genproj-40x25, tinyhttpd-ram-4, genproj-40x25-5). Prints Markdown tables; exits 1 when
# a run fails. The full factorials make it slow (tens of minutes on 2 cores).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ounce=${OUNCE:-$root/build/ounce}
before_rev=${BEFORE_REV:-5a70f99}
quick=0
case ${1:-} in
"") ;;
--quick) quick=1 ;;
*)
	echo "usage: bench/search_saved.sh [--quick]" >&2
	exit 2
	;;
esac
say() { echo "search_saved: $*" >&2; }
die() {
	say "$*"
	exit 1
}
command -v jq > /dev/null || die "jq is not installed"
[ -x "$ounce" ] || die "$ounce is not an executable (build ounce first: ./bootstrap)"

t=$(mktemp -d /tmp/ounce-search-saved.XXXXXX)
trap 'rm -rf "$t"' EXIT

before=${BEFORE:-}
if [ -z "$before" ]; then
	say "building ounce at $before_rev (before the rules) in $t/before"
	mkdir -p "$t/before"
	git -C "$root" archive "$before_rev" | tar -x -C "$t/before" || die "git archive $before_rev failed"
	(cd "$t/before" && muon-meson setup build > "$t/before.log" 2>&1 &&
		ninja -C build ounce >> "$t/before.log" 2>&1) ||
		die "cannot build ounce at $before_rev: $(tail -5 "$t/before.log")"
	before=$t/before/build/ounce
fi

# run BINARY NAME WORKDIR DIR ARGS...: one matrix run; its stderr in WORKDIR.err
run() {
	local bin=$1 name=$2 w=$3 dir=$4 rc=0
	shift 4
	say "$name: $([ "$bin" = "$before" ] && echo before || echo now): matrix $*"
	"$bin" matrix -f json -w "$w" "$@" "$dir" > /dev/null 2> "$w.err" || rc=$?
	[ "$rc" -eq 0 ] || die "$name: matrix $* failed (exit $rc): $(tail -5 "$w.err")"
	jq -e . "$w/results.json" > /dev/null 2>&1 || die "$name: no results in $w"
}

# best WORKDIR GROUP FIELD: "CELL VALUE" of the first row of GROUP
best() {
	jq -r --arg g "$2" --arg f "$3" '
		([.rows[] | select(.group == $g)][0].cell) as $c
		| .cells[] | select(.name == $c) | "\(.name) \(.[$f])"' "$1/results.json"
}

# field WORKDIR KEY
field() {
	jq -r --arg k "$2" '.[$k]' "$1/results.json"
}

# logged FILE REGEX: the first number of the first line of FILE matching REGEX, or 0
logged() {
	local n
	n=$(grep -E "$2" "$1" | head -n 1 | grep -oE '[0-9]+ cells? not built|[0-9]+ combinations? not built' |
		grep -oE '^[0-9]+' || true)
	echo "${n:-0}"
}

rows=()
levers=()

# bench NAME DIR METRIC PROFILES
bench() {
	local name=$1 dir=$2 metric=$3 profiles=$4 w=$t/$1 f
	if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then
		return
	fi
	f=$([ "$metric" = file ] && echo bytes || echo "$metric")
	mkdir -p "$w"
	run "$ounce" "$name" "$w/full" "$dir" -s full -m "$metric" -p "$profiles"
	run "$before" "$name" "$w/full0" "$dir" -s full -m "$metric" -p "$profiles"
	run "$before" "$name" "$w/search0" "$dir" -s search -m "$metric" -p "$profiles"
	run "$ounce" "$name" "$w/search" "$dir" -s search -m "$metric" -p "$profiles"
	run "$ounce" "$name" "$w/all" "$dir" -s search --stack all -m "$metric" -p "$profiles"

	local fb f0b s0b sb ab twins_full twins ruled same
	fb=$(best "$w/full" full "$f")
	f0b=$(best "$w/full0" full "$f")
	s0b=$(best "$w/search0" search "$f")
	sb=$(best "$w/search" search "$f")
	ab=$(best "$w/all" search "$f")
	twins_full=$(logged "$w/full.err" '^ounce: full: ')
	twins=$(logged "$w/search.err" "^ounce: search: [0-9]+ cells? not built: the same build")
	ruled=$(logged "$w/search.err" "^ounce: search: '.*' grew")
	if [ "${fb#* }" = "${f0b#* }" ] && [ "${sb#* }" = "${fb#* }" ] && [ "${s0b#* }" = "${fb#* }" ]; then
		same=yes
	else
		same=no
	fi
	rows+=("| $name | $metric | $(field "$w/full0" cells_total), $(field "$w/full0" builds_run) | $(field "$w/full" cells_total), $(field "$w/full" builds_run) ($twins_full twins) | ${f0b#* } / ${fb#* } | $(field "$w/search0" builds_run) ($(field "$w/search0" cells_total)) | $(field "$w/search" builds_run) ($(field "$w/search" cells_total)); $twins twins, $ruled ruled out | $(field "$w/all" builds_run) ($(field "$w/all" cells_total)) | ${s0b#* } / ${sb#* } / ${ab#* } | ${sb% *} | $same |")

	# each profile alone against the baseline, and on full's optimum: with it
	# added (or, when it is in the optimum, the optimum against the optimum
	# without it)
	local opt
	opt=$(jq -r --arg g full '[.rows[] | select(.group == $g)][0].cell' "$w/full/results.json")
	while IFS= read -r line; do
		levers+=("| $name | $metric | $line |")
	done < <(jq -r --arg f "$f" --arg opt "$opt" --arg list "$profiles" '
		def key: (.profiles | sort | join("+"));
		def pct(a; b): if a == null or b == null or b == 0 then "-"
			else ((a - b) * 1000 / b | round / 10 | tostring) + "%" end;
		(.cells | map({key: key, value: .[$f]}) | from_entries) as $m
		| ([.cells[] | select(.name == $opt)][0].profiles) as $o
		| ($list | split(","))[] as $p
		| ($m[[$p] | sort | join("+")]) as $alone
		| (if ($o | index($p)) then
			pct($m[$o | sort | join("+")]; $m[$o - [$p] | sort | join("+")]) + " (in it)"
		   else pct($m[$o + [$p] | sort | join("+")]; $m[$o | sort | join("+")]) end) as $on
		| "\($p) | \(pct($alone; $m[""])) | \($on)"' "$w/full/results.json")
}

if ((quick)); then
	gen_args=(10 10)
else
	gen_args=(40 25)
fi
say "generating the synthetic project (${gen_args[*]})"
bash "$root/bench/gen_project.sh" "$t/genproj" "${gen_args[@]}" > /dev/null || die "bench/gen_project.sh failed"

httpd=strip,allocator,gc,lto,cgu1,os,vis,nosep
bench tinyhttpd "$root/samples/tinyhttpd" file "$httpd"
bench tinyhttpd-ram "$root/samples/tinyhttpd" ram "$httpd"
if command -v cargo > /dev/null; then
	bench tinyrocket "$root/samples/tinyrocket" file strip,allocator,abort,lto,cgu1,os,nosep,sstrip
else
	say "cargo is not installed: samples/tinyrocket left out"
fi
bench "genproj-${gen_args[0]}x${gen_args[1]}" "$t/genproj" file strip,allocator,gc,lto,cgu1,os,nosep,clang
# with 8 dimensions a lever that grew that much ranks below every other candidate
# and the budget ends first; with few the search runs out of likelier ones
bench tinyhttpd-ram-4 "$root/samples/tinyhttpd" ram allocator,gc,lto,os
bench "genproj-${gen_args[0]}x${gen_args[1]}-5" "$t/genproj" file allocator,gc,os,nosep,clang

echo "$ounce against ounce at $before_rev; $(nproc) cores"
echo
echo "| project | metric | full before: cells, builds | full now: cells, builds | full's best before / now | search before: builds (cells) | search now: builds (cells) | search now, --stack all | search's best before / now / --stack all | best cell | same optimum? |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "| project | metric | profile | alone | on full's optimum |"
echo "|---|---|---|---:|---:|"
printf '%s\n' "${levers[@]}"
