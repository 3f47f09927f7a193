#!/bin/bash
# A tree with configure.ac and no configure (a git checkout) is prepared once per
# run, in a copy under the work directory: `ounce matrix DIR`, with no ounce.ini,
# runs to a table (three profiles: configure runs in every cell, and the default
# matrix's other cells add time, not coverage: cache_resume.sh and the samples
# run it). The project's own autogen.sh is preferred to
# autoreconf, and a failing autoreconf is one error line and exit status 1. The
# tree is never written. (recipe_autotools.sh: a second run takes every cell from
# the cache.)
. "$(dirname "$0")/lib.sh"

# only configure.ac, Makefile.am and the sources
mkdir "$T/checkout"
dir="$T/checkout"
cp "$FIXTURES/autoproj"/{configure.ac,Makefile.am,main.c,stats.c,stats.h} "$dir/"
before=$(tree_digest "$dir")
mkdir run && cd run || fail "cd"
"$OUNCE" matrix -p strip,gc,os "$dir" > table.txt 2> err.txt || fail "matrix exited $?: $(cat err.txt)"
res=.ounce/results.json
check_eq "tree untouched" "$before" "$(tree_digest "$dir")"
check_eq "recipe" autotools "$(q .recipe "$res")"
check_eq "baseline" ok "$(q '.cells[] | select(.name == "baseline") | .status' "$res")"
grep -q '^default  baseline ' table.txt || fail "no table: $(cat table.txt err.txt)"
grep -q "^ounce: '$dir' has no 'configure': preparing a copy with 'autoreconf -fi'$" err.txt \
	|| fail "not prepared: $(cat err.txt)"
built=$(q .builds_run "$res")
[ "$built" -gt 1 ] || fail "only $built cells built"
cd "$T" || fail "cd"

# the project's autogen.sh, asked not to run configure itself
cp -a "$dir" "$T/own"
cat > "$T/own/autogen.sh" << 'EOF'
#!/bin/sh
echo "NOCONFIGURE=$NOCONFIGURE" > prepared-by-autogen
exec autoreconf -fi
EOF
chmod +x "$T/own/autogen.sh"
before=$(tree_digest "$T/own")
"$OUNCE" matrix -q --keep-cells -p strip -w "$T/work-own" "$T/own" > /dev/null 2> err.txt \
	|| fail "matrix with autogen.sh exited $?: $(cat err.txt)"
check_eq "autogen.sh ran" "NOCONFIGURE=1" "$(cat "$T/work-own/cells/baseline/src/prepared-by-autogen")"
check_eq "tree with autogen.sh untouched" "$before" "$(tree_digest "$T/own")"

# a configure.ac autoreconf refuses
cp -a "$dir" "$T/bad"
sed -i 's/^AC_PROG_CC$/AC_PROG_CC\nAC_NO_SUCH_MACRO([x])/' "$T/bad/configure.ac"
before=$(tree_digest "$T/bad")
"$OUNCE" matrix -q -p strip -w "$T/work-bad" "$T/bad" > out.txt 2> err.txt
check_eq "failing autoreconf: exit status" 1 "$?"
check_eq "failing autoreconf: one line" 1 "$(wc -l < err.txt)"
grep -q "^ounce: error: preparing '$T/bad' with 'autoreconf -fi' failed: exit status 1: configure.ac:[0-9]*: error: possibly undefined macro: AC_NO_SUCH_MACRO (log: $T/work-bad/prep/prepare.log)$" err.txt \
	|| fail "failing autoreconf: $(cat err.txt)"
check_eq "failing autoreconf: nothing on stdout" "" "$(cat out.txt)"
check_eq "tree autoreconf refused untouched" "$before" "$(tree_digest "$T/bad")"
[ ! -e "$T/work-bad/cells" ] || fail "cells were built after a failed prepare step"
echo ok
