#!/bin/bash
# Readers that refuse bad files: a cut ELF file is "truncated" for `ounce size`
# and `ounce diff` (exit 2, one line), not a file with no sections whose every
# symbol the diff calls removed.
. "$(dirname "$0")/lib.sh"

# expect STATUS PATTERN CMD...: exit STATUS, one line on stderr matching PATTERN,
# nothing on stdout, in under 10 s
expect() {
	local st=$1 pat=$2
	shift 2
	timeout 10 "$@" > out.txt 2> err.txt
	local got=$?
	[ "$got" = "$st" ] || fail "'$*' exited $got, not $st: $(cat err.txt)"
	grep -q -- "$pat" err.txt || fail "'$*': no '$pat' in: $(cat err.txt)"
	check_eq "'$*': lines on stderr" 1 "$(wc -l < err.txt)"
	[ ! -s out.txt ] || fail "'$*' printed on stdout: $(head -c 300 out.txt)"
}

gcc -Os -o hello "$FIXTURES/single/hello.c" || fail "gcc"
size=$(stat -c %s hello)
shoff=$(readelf -h hello | sed -n 's/.*Start of section headers: *\([0-9]*\).*/\1/p')
[ "$shoff" -gt 0 ] || fail "no section headers in hello"
# cut inside the section header table, at its end, and inside the sections
for cut in $((size - 100)) $((shoff + 64)) $((size - 1)) $((size / 2)) 100; do
	head -c "$cut" hello > cut
	expect 2 "^ounce: error: 'cut' is truncated" "$OUNCE" size cut
	expect 2 "^ounce: error: 'cut' is truncated" "$OUNCE" diff hello cut
	expect 2 "^ounce: error: 'cut' is truncated" "$OUNCE" size -f json cut
done
"$OUNCE" size hello > out.txt || fail "ounce size on the whole file"

echo "ok"
