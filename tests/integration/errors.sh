#!/bin/bash
# Bad input: one line naming the file (and line), exit status 2, nothing written.
. "$(dirname "$0")/lib.sh"

expect() { # STATUS PATTERN CMD...
	local st=$1 pat=$2
	shift 2
	"$@" > out.txt 2> err.txt
	local got=$?
	[ "$got" = "$st" ] || fail "'$*' exited $got, not $st: $(cat err.txt)"
	grep -q -- "$pat" err.txt || fail "'$*': no '$pat' in: $(cat err.txt)"
	[ ! -s out.txt ] || fail "'$*' printed on stdout: $(cat out.txt)"
}

expect 2 "cannot read project directory '$T/nope'" "$OUNCE" matrix -w "$T/w" "$T/nope"
mkdir empty
expect 2 "no known build system" "$OUNCE" matrix -w "$T/w" "$T/empty"
check_eq "error is one line" 1 "$(wc -l < err.txt)"

bad=$(fixture badini)
expect 2 "^$bad/ounce.ini:4: error: unknown key in \[project\]" "$OUNCE" matrix -w "$T/w" "$bad"
check_eq "error is one line" 1 "$(wc -l < err.txt)"

# a malformed profile in a copy of the data directory
mkdir data
cp -r "$OUNCE_SOURCE_ROOT/profiles" "$OUNCE_SOURCE_ROOT/recipes" data/
printf '[profile]\nsummary = x\nstage = sideways\n' > data/profiles/zz.ini
OUNCE_DATADIR="$T/data" expect 2 "^$T/data/profiles/zz.ini:3: error: unknown stage" \
	"$OUNCE" matrix -w "$T/w" "$FIXTURES/single"
printf '[recipe]\nbuild = "unterminated\n' > data/profiles/zz.ini
printf '[profile]\nsummary = x\n[gcc]\ncflags = -Os\n' > data/profiles/zz.ini
printf '[recipe]\nsummary = r\ndetect = x\nbulid = make\n' > data/recipes/zz.ini
OUNCE_DATADIR="$T/data" expect 2 "^$T/data/recipes/zz.ini:4: error: unknown key" \
	"$OUNCE" matrix -w "$T/w" "$FIXTURES/single"

# --smoke is checked when the options are read, as ounce.ini's smoke is: one line,
# no cell built (no work directory made)
expect 2 "^ounce: error: --smoke: unknown placeholder '{artefact}'$" \
	"$OUNCE" matrix -p strip --smoke '{artefact} --help' -w "$T/ws" "$FIXTURES/single"
check_eq "error is one line" 1 "$(wc -l < err.txt)"
expect 2 "^ounce: error: --smoke: unterminated single quote$" \
	"$OUNCE" matrix -p strip --smoke "{artifact} 'x" -w "$T/ws" "$FIXTURES/single"
check_eq "error is one line" 1 "$(wc -l < err.txt)"
[ -e "$T/ws" ] && fail "a bad --smoke made the work directory"

expect 2 "unknown profile 'nosuch'" "$OUNCE" matrix -p strip,nosuch -w "$T/w" "$FIXTURES/single"
expect 2 "unknown format 'xml'" "$OUNCE" matrix -f xml "$FIXTURES/single"
expect 2 "unknown metric 'size'" "$OUNCE" pick -m size
expect 2 "unknown command 'frobnicate'" "$OUNCE" frobnicate
echo 'not json' > bad.json
expect 2 "^bad.json:1: error: invalid JSON" "$OUNCE" table bad.json
echo '{"tool": "other"}' > other.json
expect 2 "not an ounce results file" "$OUNCE" pick other.json
expect 2 "no such file" "$OUNCE" table missing.json

# a work directory or a results file inside the project is refused as bad usage
# (exit 2): its tree is never written
proj=$(fixture single)
before=$(tree_digest "$proj")
expect 2 "inside the project" "$OUNCE" matrix -w "$proj/.cache" "$proj"
expect 2 "results file '$proj/out.json' is inside the project" \
	"$OUNCE" matrix -w "$T/w-out" -o "$proj/out.json" "$proj"
expect 2 "is inside the project" "$OUNCE" matrix -w "$T/w-out" -o "$proj/sub/r.json" "$proj"
check_eq "tree untouched" "$before" "$(tree_digest "$proj")"
# run from inside the project: the work goes to a cache directory, not the tree
(cd "$proj" && XDG_CACHE_HOME="$T/cache" "$OUNCE" matrix -q -p gc > /dev/null) \
	|| fail "matrix from inside the project"
check_eq "tree untouched from inside" "$before" "$(tree_digest "$proj")"
ls "$T"/cache/ounce/single-*/results.json > /dev/null || fail "no results in the cache dir"
echo ok
