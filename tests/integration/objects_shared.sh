#!/bin/bash
# Cells that differ only by link flags share their objects through ccache, and
# their GCC LTO code generation through the kept ltrans objects; a cell whose
# objects no other cell of the run compiles builds without ccache (there its
# preprocessor run and store are pure cost); the binaries are the same either way.
. "$(dirname "$0")/lib.sh"

dir=$(fixture makeproj)
# --stack all: the rows are gc, gc+os, gc+os+nosep whatever they measure
"$OUNCE" matrix -q -j2 --stack all -p gc,os,nosep -w "$T/work" "$dir" > /dev/null 2> err.txt \
	|| fail "matrix exited $?: $(cat err.txt)"
res="$T/work/results.json"
check_eq "cells" "baseline gc gc+os gc+os+nosep nosep os" \
	"$(q '[.cells[].name] | sort | join(" ")' "$res")"

# compiles of a cell that went through ccache (the wrapper logs what it ran)
through_ccache() {
	grep -c '^[^ ]*/ccache ' "$T/work/cells/$1/wrap.log"
}
for c in baseline nosep gc+os gc+os+nosep; do
	check_eq "$c compiles through ccache" 2 "$(through_ccache "$c")"
done
for c in gc os; do
	check_eq "$c compiles without ccache" 0 "$(through_ccache "$c")"
	check_eq "$c still compiles both files" 2 "$(grep -c -- ' -c ' "$T/work/cells/$c/wrap.log")"
done
# nosep, built after the baseline, took the baseline's objects
hits=$(CCACHE_DIR="$T/work/ccache" ccache --print-stats | awk '$1 == "direct_cache_hit" { print $2 }')
[ "${hits:-0}" -ge 2 ] || fail "nosep's compiles were not ccache hits (direct hits: ${hits:-none})"

# the same binaries as cells built from scratch without ccache
"$OUNCE" matrix -q -j2 --no-reuse --stack all -p gc,os,nosep -w "$T/nr" "$dir" > /dev/null 2> err.txt \
	|| fail "matrix --no-reuse exited $?: $(cat err.txt)"
for c in baseline nosep gc os gc+os gc+os+nosep; do
	a=$(q ".cells[] | select(.name == \"$c\") | .artifact" "$res")
	b=$(q ".cells[] | select(.name == \"$c\") | .artifact" "$T/nr/results.json")
	cmp -s "$a" "$b" || fail "$c differs from its --no-reuse build"
done

# LTO: lto and lto+nosep+relr compile the same objects and differ only by linker
# options that leave the code generation alone; the second cell to link hands the
# first's ltrans objects to the plugin (lto and lto+nosep may build at once, so
# either one may be the first; lto+nosep+relr waits for them)
"$OUNCE" matrix -q -j2 --stack all -p lto,nosep,relr -w "$T/lto" "$dir" > /dev/null 2> err.txt \
	|| fail "LTO matrix exited $?: $(cat err.txt)"
"$OUNCE" matrix -q -j2 --no-reuse --stack all -p lto,nosep,relr -w "$T/lto-nr" "$dir" > /dev/null \
	2> err.txt || fail "LTO matrix --no-reuse exited $?: $(cat err.txt)"
shared=0
for c in lto lto+nosep lto+nosep+relr; do
	w="$T/lto/cells/$c/wrap.log"
	check_eq "$c links once" 1 "$(grep -c -- '-o counter ' "$w")"
	grep -q -- '-o counter .*-Wl,-plugin-opt=-ltrans-objects=' "$w" && shared=$((shared + 1))
	a=$(q ".cells[] | select(.name == \"$c\") | .artifact" "$T/lto/results.json")
	b=$(q ".cells[] | select(.name == \"$c\") | .artifact" "$T/lto-nr/results.json")
	cmp -s "$a" "$b" || fail "$c differs from its --no-reuse build"
	[ -z "$(find "$T/lto/cells/$c" -name '*.lto_wrapper_args')" ] \
		|| fail "$c: the plugin's -save-temps left files in the cell"
done
[ "$shared" -ge 1 ] || fail "no LTO link used another cell's code generation"
grep -q 'ltrans-objects' "$T/lto/cells/lto+nosep+relr/wrap.log" \
	|| fail "lto+nosep+relr did not wait for its twins' code generation"
# the --no-reuse run kept nothing, and the kept objects do not outlive the run
grep -q 'plugin-opt' "$T/lto-nr/cells/lto+nosep/wrap.log" && fail "--no-reuse used the plugin's options"
[ ! -e "$T/lto/lto" ] || fail "WORKDIR/lto left after the run"
echo "ok"
