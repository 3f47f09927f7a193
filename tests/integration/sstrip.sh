#!/bin/bash
# The sstrip and noplt profiles on a Makefile project: the sstrip cells have no
# section headers, still pass their smoke test and are measured; `ounce sstrip`
# refuses what it cannot strip with one line and exit status 2.
. "$(dirname "$0")/lib.sh"

dir=$(fixture makeproj)
"$OUNCE" matrix -q -j2 -p strip,sstrip,noplt -s both -w "$T/work" "$dir" > table.txt \
	|| fail "matrix exited $?"
res="$T/work/results.json"
check_eq "every cell built and passed its smoke test" "" \
	"$(q '.cells[] | select(.status != "ok" or .smoke != "pass") | .name' "$res")"

art() {
	q ".cells[] | select(.name == \"$1\") | .artifact" "$res"
}
for name in sstrip strip+sstrip strip+sstrip+noplt; do
	a=$(art "$name")
	[ -f "$a" ] || fail "$name: no artifact"
	check_eq "$name: section headers" 0 \
		"$(readelf -h "$a" | awk -F: '/Number of section headers/ {print $2 + 0}')"
	check_eq "$name: e_shoff" 0 \
		"$(readelf -h "$a" | awk -F: '/Start of section headers/ {print $2 + 0}')"
	c=$(cell "$res" "$name")
	check_eq "$name bytes" "$(stat -c %s "$a")" "$(jq -r .bytes <<<"$c")"
	check_eq "$name: no sections measured" 0 "$(jq -r '.sections | length' <<<"$c")"
	"$a" > /dev/null || fail "$name: the sstripped program does not run"
done
# post-link only: made from a copy of the baseline's artifact, no build
check_eq "sstrip reused" baseline "$(cell "$res" sstrip | jq -r .reused_from)"
s=$(stat -c %s "$(art strip)")
ss=$(stat -c %s "$(art strip+sstrip)")
[ "$ss" -lt "$s" ] || fail "strip+sstrip $ss bytes, not below strip's $s"

# noplt: no lazy-binding relocations, the dynamic section says BIND_NOW
n=$(art noplt)
readelf -rW "$n" | grep -q JUMP_SLOT && fail "noplt still has JUMP_SLOT relocations"
readelf -dW "$n" | grep -q 'BIND_NOW\|FLAGS.*NOW' || fail "noplt: no BIND_NOW"
[ "$(section_size .plt "$n")" -lt "$(section_size .plt "$(art baseline)")" ] \
	|| fail "noplt: .plt did not shrink"

# the command itself: a second run changes nothing; ounce size reads the result
a=$(art strip+sstrip)
cp "$a" again
"$OUNCE" sstrip again 2> err.txt || fail "sstrip of an sstripped file: $(cat err.txt)"
cmp -s again "$a" || fail "a second sstrip changed the file"
"$OUNCE" size again > size.txt || fail "ounce size of an sstripped file exited $?"
grep -q "^TOTAL *$ss " size.txt || fail "ounce size: no TOTAL of $ss bytes: $(cat size.txt)"

expect2() { # PATTERN FILE
	"$OUNCE" sstrip "$2" > out.txt 2> err.txt
	local got=$?
	check_eq "sstrip $2: exit status" 2 "$got"
	grep -q -- "$1" err.txt || fail "sstrip $2: no '$1' in: $(cat err.txt)"
	check_eq "sstrip $2: one line" 1 "$(wc -l < err.txt)"
	[ ! -s out.txt ] || fail "sstrip $2 printed on stdout"
}
gcc -c -o obj.o "$dir/util.c" || fail "cc -c"
cp obj.o obj.orig
expect2 "object file" obj.o
cmp -s obj.o obj.orig || fail "a refused object file was changed"
expect2 "cannot open 'nope'" nope
printf 'hello\n' > text
expect2 "'text': not an ELF file" text
check_eq "no temporary files left" "" "$(ls -A | grep sstrip)"
"$OUNCE" sstrip > /dev/null 2>&1
check_eq "no operand: usage" 2 "$?"
echo ok
