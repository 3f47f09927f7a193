#!/bin/bash
# ounce.ini, recipes and profiles are checked when they are read: a name that would
# be a path, a bad quote or an unknown {placeholder} is exit 2 with FILE:LINE, and
# nothing is written anywhere. A project whose path has a newline and a space
# builds as any other (the wrapper's flags are carried as a list).
. "$(dirname "$0")/lib.sh"

expect() { # STATUS PATTERN CMD...
	local st=$1 pat=$2
	shift 2
	"$@" > "$T/out.txt" 2> "$T/err.txt"
	local got=$?
	[ "$got" = "$st" ] || fail "'$*' exited $got, not $st: $(cat "$T/err.txt")"
	grep -q -- "$pat" "$T/err.txt" || fail "'$*': no '$pat' in: $(cat "$T/err.txt")"
	check_eq "one line for '$*'" 1 "$(wc -l < "$T/err.txt")"
}

proj=$(fixture single)
ini="$proj/ounce.ini"
# (LINE-1 lines before KEY: the error names LINE)
bad_ini() { # PATTERN INI-TEXT
	printf '%b' "$2" > "$ini"
	local before
	touch "$T/out.txt" "$T/err.txt"
	before=$(cd "$T" && find . | LC_ALL=C sort)
	(cd "$proj" && XDG_CACHE_HOME="$T/c/d" expect 2 "$1" "$OUNCE" matrix -p strip) || exit 1
	check_eq "nothing written for '$2'" "$before" "$(cd "$T" && find . | LC_ALL=C sort)"
}

# name is a label: run from inside the project, the work directory would be
# XDG_CACHE_HOME/ounce/NAME-HASH, here $T/esc-HASH
bad_ini "^$ini:2: error: name must be a label, not a path: starts with '.'" \
	'[project]\nname = ../../../esc\n'
bad_ini "^$ini:3: error: name must be a label, not a path: has a '/'" \
	'[project]\n\nname = x/../../../../esc\n'
bad_ini "^$ini:2: error: name must be a label, not a path: has a control character" \
	'[project]\nname = a\001b\n'
bad_ini "^$ini:2: error: bad profile name" '[profile ../../esc]\nsummary = x\n'
bad_ini "^$ini:2: error: bad build name" '[build ../esc]\nbuild_args = -k\n'
bad_ini "^$ini:3: error: artifact_dir: unknown placeholder '{nope}'" \
	'[build x]\nenv = A=1\nartifact_dir = {nope}\n'
# commands: quoting and placeholders
bad_ini "^$ini:2: error: build: unterminated double quote" '[project]\nbuild = make "all\n'
bad_ini "^$ini:3: error: configure: unknown placeholder '{srcdir}'" \
	'[project]\nname = ok\nconfigure = {srcdir}/configure\n'
bad_ini "^$ini:2: error: smoke: unknown placeholder '{artefact}'" \
	'[project]\nsmoke = {artefact} --help\n'
bad_ini "^$ini:2: error: smoke: unterminated single quote" '[project]\nsmoke = {artifact} '"'"'x\n'
bad_ini "^$ini:2: error: artifact: unknown placeholder '{out}'" '[project]\nartifact = {out}\n'
bad_ini "^$ini:3: error: unknown placeholder '{file}'" \
	'[profile mine]\nsummary = x\npost = strip {file}\n'
# the ones ounce expands are accepted
printf '[project]\nname = my-hello 2\nbuild = {cc} -O2 -o {stem} {source}\nsmoke = {artifact}\n' \
	> "$ini"
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" "$proj" > /dev/null || fail "good ounce.ini"
check_eq "name kept" "my-hello 2" "$(q .project "$T/w/results.json")"
rm -f "$ini"

# recipes and profiles: the same checks
mkdir data
cp -r "$OUNCE_SOURCE_ROOT/profiles" "$OUNCE_SOURCE_ROOT/recipes" data/
cp data/recipes/single.ini keep.ini
printf '\ninstall = make install DEST={stage} {prefix}\n' >> data/recipes/single.ini
n=$(wc -l < data/recipes/single.ini)
OUNCE_DATADIR="$T/data" expect 2 "^$T/data/recipes/single.ini:$n: error: install: unknown placeholder '{prefix}'" \
	"$OUNCE" matrix -p strip -w "$T/w2" "$proj"
cp keep.ini data/recipes/single.ini
printf '[recipe]\nsummary = r\ndetect = x\nbuild = make\n' > data/recipes/'Bad.ini'
OUNCE_DATADIR="$T/data" expect 2 "^$T/data/recipes/Bad.ini: error: recipe file names" \
	"$OUNCE" matrix -p strip -w "$T/w2" "$proj"
rm data/recipes/Bad.ini
printf '[profile]\nsummary = x\n[gcc]\npost = strip "{artifact}\n' > data/profiles/zz.ini
OUNCE_DATADIR="$T/data" expect 2 "^$T/data/profiles/zz.ini:4: error: unterminated double quote" \
	"$OUNCE" matrix -p strip -w "$T/w2" "$proj"
rm data/profiles/zz.ini
[ ! -e "$T/w2" ] || fail "bad data files, but a work directory was made"
ls -d "$T"/esc* "$T"/c/esc* 2> /dev/null && fail "written outside the work directory"

# a newline and a space in the project's path
weird="$T/a b
c"
mkdir "$weird"
cp -a "$FIXTURES/single" "$weird/" || fail "cannot copy the fixture"
"$OUNCE" matrix -q -p strip --no-verify -w "$T/wn" "$weird/single" > /dev/null \
	|| fail "matrix in a path with a newline exited $?"
res="$T/wn/results.json"
for name in baseline strip; do
	c=$(cell "$res" "$name")
	check_eq "$name status" ok "$(jq -r .status <<<"$c")"
	art=$(jq -r .artifact <<<"$c")
	check_eq "$name bytes" "$(stat -c %s "$art")" "$(jq -r .bytes <<<"$c")"
done
base=$(jq -r '.cells[] | select(.name == "baseline") | .bytes' "$res")
strip=$(jq -r '.cells[] | select(.name == "strip") | .bytes' "$res")
[ "$strip" -lt "$base" ] || fail "strip $strip not below baseline $base"
# the end-of-run verify rebuilds the make form under such paths: the script's
# comment and the -ffile-prefix-map to the project (from a response file where
# the path has a newline) are what the cells had, so the rebuild is identical
for p in "$weird" "$T/s p"; do
	mkdir -p "$p"
	cp -a "$FIXTURES/makeproj" "$p/" || fail "cannot copy the fixture"
	rm -rf "$T/wv"
	"$OUNCE" matrix -q -p strip -w "$T/wv" "$p/makeproj" > /dev/null 2> err.txt \
		|| fail "matrix of makeproj in '$p' exited $?: $(cat err.txt)"
	check_eq "verify in '$p'" "make identical" "$(q '.cells[] | select(.verify) |
		.verify[] | "\(.form) \(.state)"' "$T/wv/results.json")"
done
# a work directory with a space: make runs `$(CC) ...` through sh, which would
# split a CC= path there, so the builds name the wrapper by its name in PATH
rm -rf "$T/s p/w"
"$OUNCE" matrix -q -p strip --no-verify -w "$T/s p/w" "$T/s p/makeproj" > /dev/null 2> err.txt \
	|| fail "matrix with a work directory with a space exited $?: $(cat err.txt)"
check_eq "cells with a space in the work directory" "baseline:ok strip:ok" \
	"$(q '[.cells[] | "\(.name):\(.status)"] | sort | join(" ")' "$T/s p/w/results.json")"
# a ':' cannot be in PATH, where the builds find the wrapper
expect 2 "^ounce: error: the work directory '$T/a:b' has a ':' in its path" \
	"$OUNCE" matrix -q -p strip -w "$T/a:b" "$T/s p/makeproj"
[ ! -e "$T/a:b" ] || fail "a work directory with a ':' was made"
echo ok
