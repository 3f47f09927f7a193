#!/bin/bash
# heap trace --stacks: the tracer's backtraces on the programs of
# tests/fixtures/heapstacks, built here with the real gcc: sites of known sizes
# called from the program and from a shared library (-O1 -fomit-frame-pointer,
# unwound by libunwind; and with frame pointers, by --unwind fp; and the
# omit-frame-pointer build under --unwind fp, which must not crash), then
# threads, fork, exec (--follow-fork --follow-exec) and dlopen, and a signal handler
# that allocates. The logs are read back by `ounce heap stats` and `ounce heap
# sites`: counts and bytes as the programs make them, stacks through the right
# functions.
. "$(dirname "$0")/lib.sh"

: "${OUNCE_HEAPTRACE_LIB:?run through muon-meson test, which sets OUNCE_HEAPTRACE_LIB}"

src="$FIXTURES/heapstacks"
mkdir nofp fp || fail "mkdir"
build() { # DIR FLAGS...
	local d=$1
	shift
	gcc -O1 -g "$@" -shared -fPIC -o "$d/libsites.so" "$src/libsites.c" &&
		gcc -O1 -g "$@" -o "$d/sites" "$src/sites.c" -L"$d" -lsites -Wl,-rpath,"$T/$d" &&
		gcc -O1 -g "$@" -pthread -o "$d/workers" "$src/workers.c" ||
		fail "cannot build the fixtures with $*"
}
build nofp -fomit-frame-pointer
build fp -fno-omit-frame-pointer

# stats VALUE-PATH LOG: one number from `ounce heap stats LOG --format json`
stat_of() {
	"$OUNCE" heap stats "$2" --format json > stats.json || fail "heap stats $2"
	q "$1" stats.json
}
# total allocations of blocks of SIZE bytes in LOG
size_total() {
	"$OUNCE" heap stats "$2" --format json > stats.json || fail "heap stats $2"
	q "[.blocks[] | select(.size == $1) | .total] | add // 0" stats.json
}
# allocations and total bytes of the site of FUNCTION in LOG: "N BYTES"
site_of() {
	"$OUNCE" heap sites "$2" --format json > sites.json || fail "heap sites $2"
	q "[.sites[] | select(.frame.function == \"$1\")] |
		\"\\([.[].allocations] | add // 0) \\([.[].total_bytes] | add // 0)\"" sites.json
}

# the sites program: the same log whatever unwinds it
check_sites() { # LOG WHAT
	check_eq "$2: events" 37 "$(stat_of .events "$1")"
	check_eq "$2: allocations" 19 "$(stat_of .allocations "$1")"
	check_eq "$2: bytes live at exit" 4096 "$(stat_of .live_bytes "$1")"
	check_eq "$2: site_small" "10 240" "$(site_of site_small "$1")"
	check_eq "$2: site_medium" "5 5000" "$(site_of site_medium "$1")"
	check_eq "$2: site_leak" "1 4096" "$(site_of site_leak "$1")"
	check_eq "$2: lib_alloc, in the shared library" "3 999" "$(site_of lib_alloc "$1")"
}

# header flags: byte 9 (1: stacks, 2: frame pointers, 4: packed, as every log with
# stacks is once its program has ended)
flags() {
	od -An -tu1 -j9 -N1 "$1" | tr -d ' '
}

"$OUNCE" heap trace --stacks 8 -o plain.log -- nofp/sites > out 2> err ||
	fail "trace --stacks 8 failed: $(cat err)"
check_eq "the program's output" "sites: done" "$(cat out)"
grep -q "heap log: .*plain.log (37 events, [0-9]* distinct frames)" err ||
	fail "trace does not count the log's frames: $(cat err)"
check_eq "flags of a libunwind log" 5 "$(flags plain.log)"
check_sites plain.log "libunwind, -fomit-frame-pointer"
# clang writes no .debug_aranges: the source lines are found all the same
mkdir clang
clang -O1 -g -shared -fPIC -o clang/libsites.so "$src/libsites.c" &&
	clang -O1 -g -o clang/sites "$src/sites.c" -Lclang -lsites -Wl,-rpath,"$T/clang" ||
	fail "cannot build the fixture with clang"
"$OUNCE" heap trace --stacks 8 -o clang.log -- clang/sites > /dev/null 2> err ||
	fail "trace of the clang build failed: $(cat err)"
"$OUNCE" heap sites clang.log -f csv > clang.csv || fail "heap sites of the clang build"
grep -q '^site_leak (sites.c:35),4096,' clang.csv || fail "clang build's sites: $(cat clang.csv)"
grep -q '^lib_alloc (libsites.c:11),0,0,3,999,' clang.csv || fail "clang build's sites: $(cat clang.csv)"

# debug info in a separate file (a .gnu_debuglink beside the program, as
# Debian's -dbgsym files are found by build-id): the lines are still found
mkdir split
cp nofp/libsites.so split/
gcc -O1 -g -o split/sites "$src/sites.c" -Lsplit -lsites -Wl,-rpath,"$T/split" ||
	fail "cannot build the split fixture"
objcopy --only-keep-debug split/sites split/sites.debug &&
	objcopy --strip-debug --add-gnu-debuglink=split/sites.debug split/sites ||
	fail "cannot split the debug info"
"$OUNCE" heap trace --stacks 8 -o split.log -- split/sites > /dev/null 2> err ||
	fail "trace of the split build failed: $(cat err)"
"$OUNCE" heap sites split.log -f csv > split.csv || fail "heap sites of the split build"
grep -q '^site_leak (sites.c:35),4096,' split.csv || fail "split debug info: $(cat split.csv)"
# an object rebuilt since the run (another build-id) is said once, and its
# frames show as object+offset
"$OUNCE" heap trace --stacks 8 -o rebuilt.log -- split/sites > /dev/null 2> err ||
	fail "trace for the rebuild failed: $(cat err)"
gcc -O2 -g -DREBUILT -shared -fPIC -o split/libsites.so "$src/libsites.c" ||
	fail "rebuild of libsites.so"
"$OUNCE" heap sites rebuilt.log -f csv > rebuilt.csv 2> err || fail "heap sites after the rebuild"
check_eq "warnings after the rebuild" 1 "$(grep -c "libsites.so' has changed since the run" err)"
grep -q '^libsites.so+0x[0-9a-f]*,0,0,3,999,' rebuilt.csv || fail "rebuilt: $(cat rebuilt.csv)"

# the leak and the peak: site_leak's block is the only one live at the end, the
# peak of the run
"$OUNCE" heap sites plain.log --format json > sites.json || fail "heap sites"
check_eq "the first site by peak" site_leak "$(q '.sites[0].frame.function' sites.json)"
check_eq "site_leak: peak, leak" "4096 4096 1" \
	"$(q '.sites[0] | "\(.peak_bytes) \(.leaked_bytes) \(.leaked_blocks)"' sites.json)"
check_eq "sites leaking" 1 "$(q '[.sites[] | select(.leaked_bytes > 0)] | length' sites.json)"
check_eq "the leak's file and line" "sites.c 35" \
	"$(q '.sites[0].frame | "\(.file | split("/") | last) \(.line)"' sites.json)"
# the flame graphs: one box per site, as wide as its bytes (the titles, read as XML)
titles() { # SVG
	xmllint --xpath '//*[local-name()="title"]/text()' "$1" | tr -s '\n' '\n'
}
"$OUNCE" heap flame plain.log --by total > total.svg || fail "heap flame --by total"
titles total.svg > titles.txt || fail "the flame graph is not XML"
for site in "site_small: 240 bytes, 10 allocations" "site_medium: 5000 bytes, 5 allocations" \
	"lib_alloc: 999 bytes, 3 allocations" "site_leak: 4096 bytes, 1 allocations"; do
	check_eq "one box of $site" 1 "$(grep -c "^$site (" titles.txt)"
done
check_eq "boxes of the total graph" 1 "$(grep -c '^main: 10335 bytes, 19 allocations' titles.txt)"
"$OUNCE" heap flame plain.log > peak.svg || fail "heap flame"
titles peak.svg > titles.txt || fail "the peak flame graph is not XML"
grep -q "^site_leak: 4096 bytes, 1 blocks (100.00%)" titles.txt || fail "peak graph: $(cat titles.txt)"
grep -q "site_small" titles.txt && fail "a site with nothing live at the peak has a box"
"$OUNCE" heap flame plain.log --by count > count.svg || fail "heap flame --by count"
titles count.svg | grep -q "^site_small: 10 allocations, 240 bytes (52.63%)" ||
	fail "count graph: $(titles count.svg)"
# the unwinder's and the tracer's frames are never recorded: the innermost
# frame of each of the 10 site_small calls is in site_small
"$OUNCE" heap sites plain.log --format json --skip main > sites.json || fail "heap sites"
q '.sites[].frame.object' sites.json | grep -q heaptrace && fail "a tracer frame was recorded"

"$OUNCE" heap trace --stacks 8 --unwind fp -o fp.log -- fp/sites > out 2> err ||
	fail "trace --unwind fp failed: $(cat err)"
check_eq "flags of an fp log" 7 "$(flags fp.log)"
check_sites fp.log "frame pointers"

# no frame pointers, --unwind fp: short or wrong stacks, never a crash, and the
# same events
"$OUNCE" heap trace --stacks 16 --unwind fp -o nofp.log -- nofp/sites > out 2> err ||
	fail "trace --unwind fp of a program without frame pointers failed: $(cat err)"
check_eq "the program's output under --unwind fp" "sites: done" "$(cat out)"
check_eq "events without frame pointers" 37 "$(stat_of .events nofp.log)"
check_eq "live bytes without frame pointers" 4096 "$(stat_of .live_bytes nofp.log)"

# --stacks 0 is the log of a run without the option
"$OUNCE" heap trace --stacks 0 -o zero.log -- nofp/sites > out 2> err || fail "--stacks 0"
check_eq "flags of --stacks 0" 0 "$(flags zero.log)"
grep -q "(37 events)" err || fail "--stacks 0 log: $(cat err)"

# threads, fork and exec, both unwinders
for how in libunwind fp; do
	rm -f w.log w.log.*
	"$OUNCE" heap trace --stacks 8 --unwind $how --follow-fork --follow-exec -o w.log -- \
		fp/workers "$T/fp/sites" "$T/nofp/libsites.so" > out 2> err ||
		fail "workers ($how) failed: $(cat err)"
	check_eq "$how: the exec'd program's output" "sites: done" "$(cat out)"
	check_eq "$how: thread blocks" 2000 "$(size_total 100 w.log)"
	check_eq "$how: site_thread" "2000 200000" "$(site_of site_thread w.log)"
	check_eq "$how: site_parent" "1 300" "$(site_of site_parent w.log)"
	# a library dlopen'ed after the first stacks: its OBJECT is written lazily
	check_eq "$how: lib_alloc, dlopen'ed" "2 666" "$(site_of lib_alloc w.log)"
	check_eq "$how: nothing lost" 0 "$(stat_of .lost w.log)"
	# the child: its own log (the fork), then the program it exec'd (LOG.PID.1)
	child=$(ls w.log.* | grep -v '\.[0-9]*\.1$')
	[ -f "$child" ] && [ -f "$child.1" ] || fail "$how: child logs: $(ls w.log*)"
	check_eq "$how: child blocks" 7 "$(size_total 200 "$child")"
	check_eq "$how: site_child" "7 1400" "$(site_of site_child "$child")"
	[ "$(flags "$child")" = "$(flags w.log)" ] || fail "$how: the child's header flags"
	check_sites "$child.1" "$how: the exec'd program"
done

# a signal handler that allocates, interrupting the program and the tracer
gcc -O1 -g -fno-omit-frame-pointer -pthread -o signals "$src/signals.c" ||
	fail "cannot build signals"
for how in libunwind fp; do
	timeout 60 "$OUNCE" heap trace --stacks 16 --unwind $how -o s.log -- ./signals 2> err ||
		fail "signals ($how) failed: $(cat err)"
	"$OUNCE" heap stats s.log --format json > stats.json || fail "heap stats s.log"
	check_eq "$how: work blocks" 40000 \
		"$(q '[.blocks[] | select(.size >= 1000) | .total] | add' stats.json)"
	[ "$(q '[.blocks[] | select(.size == 64) | .total] | add // 0' stats.json)" -ge 400 ] ||
		fail "$how: the signal handler's blocks were not all recorded"
	check_eq "$how: site_work" "40000" "$(site_of site_work s.log | cut -d' ' -f1)"
done

# the sites table as text, Markdown and CSV; --stack under each site
"$OUNCE" heap sites plain.log --stack > sites.txt || fail "heap sites --stack"
grep -q "^site_leak (sites.c:35) *4096 *1 *1 *4096 *4096 *4096$" sites.txt ||
	fail "the text table: $(cat sites.txt)"
grep -q "^      main (sites.c:" sites.txt || fail "--stack prints no caller: $(cat sites.txt)"
grep -q "; 100.0 % of it from site_leak (sites.c:35)$" sites.txt || fail "no peak line: $(cat sites.txt)"
"$OUNCE" heap sites plain.log -f md -n 2 > sites.md || fail "heap sites -f md"
check_eq "Markdown rows with -n 2" 4 "$(grep -c '^|' sites.md)"
"$OUNCE" heap sites plain.log -f csv --skip 'site_*' > sites.csv || fail "heap sites -f csv"
# site_* skipped: each call in main is a site of its own
check_eq "--skip: the sites" "3 1" "$(grep -c '^main (sites.c:[0-9]*),' sites.csv) $(grep -c '^lib_alloc' sites.csv)"
grep -q '^main (sites.c:[0-9]*),0,0,5,5000,0,1000$' sites.csv || fail "--skip: $(cat sites.csv)"
# sites and flame of a log without stacks, bad options: one line, exit 2
for bad in "sites zero.log" "flame zero.log" "sites plain.log -f csv --stack" \
	"flame plain.log --by size" "sites plain.log -n x"; do
	# shellcheck disable=SC2086 # the subcommand and its arguments
	"$OUNCE" heap $bad > out 2> err
	check_eq "exit status of heap $bad" 2 "$?"
	check_eq "error lines of heap $bad" 1 "$(wc -l < err)"
done

# bad values: one line, exit 2
for bad in "--stacks 65" "--stacks -1" "--stacks x" "--unwind dwarf"; do
	# shellcheck disable=SC2086 # the option and its value
	"$OUNCE" heap trace $bad -- true > out 2> err
	check_eq "exit status of $bad" 2 "$?"
	check_eq "error lines of $bad" 1 "$(wc -l < err)"
	grep -q "^ounce: error: --" err || fail "$bad: $(cat err)"
done
exit 0
