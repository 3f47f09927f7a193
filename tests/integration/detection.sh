#!/bin/bash
# Detection that falls back and messages that say what was found: a tree with a
# meson.build muon cannot set up and a Makefile is built by make, with one line
# saying why; --recipe still forces one; a lone Makefile.unix, or build systems
# in several subdirectories, are named in the error; --build runs a command of
# the user's, and enters the cache key.
. "$(dirname "$0")/lib.sh"

# run STATUS ARGS...: ounce matrix with ARGS must exit STATUS
run() {
	local want=$1
	shift
	"$OUNCE" matrix -q -j2 -p strip "$@" > out.txt 2> err.txt
	local st=$?
	[ "$st" = "$want" ] || fail "matrix $* exited $st, not $want: $(cat err.txt)"
}

# meson first (priority), its setup fails (fs.copyfile is Meson 0.64's), make next
dir=$(fixture fallback)
run 0 -w "$T/w1" "$dir"
check_eq "fallback: one line" 1 "$(wc -l < err.txt)"
grep -qF "warning: the meson recipe could not configure 'fallback': configure: exit status 1: " err.txt \
	|| fail "fallback line: $(cat err.txt)"
grep -qF "configure: exit status 1: src/meson.build:5:4: error function copyfile() not found in module fs (log: $T/w1/meson-baseline.log); trying the make recipe (--recipe NAME forces one)" err.txt \
	|| fail "fallback cause: $(cat err.txt)"
grep -q '^==> muon-meson setup' "$T/w1/meson-baseline.log" || fail "meson's log not kept"
res="$T/w1/results.json"
check_eq "fallback recipe" make "$(q .recipe "$res")"
check_eq "fallback baseline" ok "$(q '.cells[] | select(.name == "baseline") | .status' "$res")"
q '.argv | join(" ")' "$res" | grep -q -- '--not-recipe=meson' || fail "argv: $(q .argv "$res")"
grep -q '^default  baseline' out.txt || fail "no table: $(cat out.txt)"
# resumed, the run goes straight to make
"$OUNCE" matrix -q --resume -w "$T/w1" > out.txt 2> err.txt || fail "resume: $(cat err.txt)"
grep -q 'meson' err.txt && fail "resume tried meson again: $(cat err.txt)"
check_eq "resumed recipe" make "$(q .recipe "$res")"
# --recipe forces meson: its failure is the run's
run 1 --recipe meson -w "$T/w2" "$dir"
check_eq "forced: one line" 1 "$(wc -l < err.txt)"
grep -qF "error: the baseline build of 'fallback' failed: configure: exit status 1: " err.txt \
	|| fail "forced: $(cat err.txt)"
grep -q 'trying' err.txt && fail "forced recipe fell back: $(cat err.txt)"

# no Makefile, but a Makefile.unix: named in the error, then built with --build
dir=$(fixture makefileunix)
run 2 -w "$T/w3" "$dir"
check_eq "Makefile.unix: one line" 1 "$(wc -l < err.txt)"
grep -qF "error: $dir: no known build system: no Makefile, and not exactly one .c file; did you mean --build 'make -f Makefile.unix'?" err.txt \
	|| fail "Makefile.unix: $(cat err.txt)"
run 0 --build 'make -f Makefile.unix' -w "$T/w3" "$dir"
res="$T/w3/results.json"
check_eq "--build recipe" make "$(q .recipe "$res")"
check_eq "--build artifact" unixprog \
	"$(q '.cells[] | select(.name == "baseline") | .artifacts[0].path' "$res" | xargs basename)"
q '.argv | join(" ")' "$res" | grep -qF -- '--build=make -f Makefile.unix' \
	|| fail "argv: $(q .argv "$res")"
# the same command again: every cell from the cache; another command: built again
run 0 --build 'make -f Makefile.unix' -w "$T/w3" "$dir"
check_eq "--build cached" "0 2" "$(q '"\(.builds_run) \(.cache_hits)"' "$res")"
run 0 --build 'make -f Makefile.unix CFLAGS=-O1' -w "$T/w3" "$dir"
check_eq "--build in the key" "1 0" "$(q '"\(.builds_run) \(.cache_hits)"' "$res")"
run 2 --build '  ' -w "$T/w3" "$dir"
grep -qF -- "--build needs a command" err.txt || fail "empty --build: $(cat err.txt)"

# one .c file and a Makefile.linux: the file alone is built, and the line says how
# to build it with the makefile instead
mkdir lone
printf 'int\nmain(void)\n{\n\treturn 0;\n}\n' > lone/main.c
printf 'lone: main.c\n\t$(CC) -o $@ main.c\n' > lone/Makefile.linux
"$OUNCE" matrix -j2 -p strip -w "$T/w4" lone > out.txt 2> err.txt || fail "lone: $(cat err.txt)"
grep -qF "has no Makefile: compiling 'main.c' alone; --build 'make -f Makefile.linux' builds it with 'Makefile.linux' instead" err.txt \
	|| fail "lone: $(cat err.txt)"

# build systems in several subdirectories: named, with the command for one
dir=$(fixture causes)
run 2 -w "$T/w5" "$dir"
check_eq "below: one line" 1 "$(wc -l < err.txt)"
grep -qF "no known build system: no Makefile, and not exactly one .c file; found CMakeLists.txt in cmakeconfig/ and cmakepkg/, Makefile in header/, nolib/, submake/ and undefined/: run 'ounce matrix $dir/cmakeconfig'" err.txt \
	|| fail "below: $(cat err.txt)"
echo ok
