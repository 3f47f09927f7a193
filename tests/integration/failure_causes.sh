#!/bin/bash
# A failed baseline says why in one line: the most telling line of the step that
# failed (real cmake, gcc, ld and make), with a hint when a package is missing;
# the same text is the baseline's reason in results.json.
. "$(dirname "$0")/lib.sh"

dir=$(fixture causes)
# expect NAME PATTERN: the baseline of causes/NAME fails with PATTERN in its reason
expect() {
	local name=$1 pat=$2 res="$T/w-$1/results.json"
	"$OUNCE" matrix -q -j1 -p strip -w "$T/w-$name" "$dir/$name" > out.txt 2> err.txt
	local st=$?
	check_eq "$name: exit status" 1 "$st"
	check_eq "$name: one line" 1 "$(wc -l < err.txt)"
	grep -qF -- "$pat" err.txt || fail "$name: no '$pat' in: $(cat err.txt)"
	q '.cells[0].reason' "$res" | grep -qF -- "$pat" || fail "$name: reason: $(cat "$res")"
}

expect cmakepkg "configure: exit status 1: Could NOT find NoSuchOunce (missing: NOSUCHOUNCE_LIBRARY NOSUCHOUNCE_INCLUDE_DIR) (is the -dev package with the CMake package 'NoSuchOunce' installed?)"
expect cmakeconfig "configure: exit status 1: CMakeLists.txt:4: could not find a package configuration file provided by \"NoSuchPackageOunce\""
expect header "fatal error: no_such_ounce_header.h: No such file or directory (is the -dev package with 'no_such_ounce_header.h' installed?)"
grep -q "main.c:1:10: fatal error" err.txt || fail "header: no file:line: $(cat err.txt)"
expect undefined "undefined reference to \`ounce_nowhere'"
expect nolib "cannot find -lnosuchounce"
expect nolib "(is the -dev package with libnosuchounce.so installed?)"
expect submake "build: exit status 2: make[1]: *** No targets specified and no makefile found.  Stop."
echo ok
