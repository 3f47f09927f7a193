#!/bin/bash
# ounce size and ounce diff on files the test builds with the real compilers (C,
# C++, Rust; executables, a shared library, an object; stripped, with and without
# debug info), checked against binutils; malformed files get one line and exit 2.
. "$(dirname "$0")/lib.sh"

cat > prog.c <<'C'
#include <stdio.h>
static int table[256];
int counter = 3;
__attribute__((noinline)) int twice(int x) { return 2 * x + table[x & 255]; }
int alias_of_twice(int x) __attribute__((alias("twice")));
int main(int argc, char **argv) { (void)argv; printf("%d\n", twice(argc) + counter); return 0; }
C
cat > prog.cc <<'CC'
#include <map>
#include <string>
#include <vector>
#include <iostream>
template <typename T> T sum(const std::vector<T> &v) { T s{}; for (auto &x : v) s += x; return s; }
int main() {
	std::map<std::string, int> m{{"a", 1}};
	std::vector<double> v{1.5, 2.5};
	std::cout << m["a"] + sum(v) << "\n";
	return 0;
}
CC
cat > prog.rs <<'RS'
use std::collections::HashMap;
fn main() {
	let mut m = HashMap::new();
	m.insert("ounce", 28);
	println!("{:?}", m.get("ounce"));
}
RS
gcc -O2 -o c_plain prog.c || fail "gcc"
gcc -O2 -g -o c_debug prog.c -Wl,-Map,c_debug.map || fail "gcc -g"
gcc -Os -o c_small prog.c || fail "gcc -Os"
strip --strip-all -o c_stripped c_plain
gcc -O2 -c -o prog.o prog.c
gcc -O2 -shared -fPIC -o libprog.so prog.c
clang -O2 -g -o c_clang prog.c
g++ -O2 -o cxx prog.cc || fail "g++"
rustc -O -o rs prog.rs 2> rustc.log || fail "rustc: $(cat rustc.log)"

for f in c_plain c_debug c_small c_stripped prog.o libprog.so c_clang cxx rs; do
	"$OUNCE" size -f json "$f" > "$f.json" || fail "size $f exited $?"
	# every byte of the file in a row
	check_eq "$f: rows add up to the file" "$(stat -c %s "$f")" "$(jq '[.sections[].bytes] | add' "$f.json")"
	check_eq "$f: bytes" "$(stat -c %s "$f")" "$(jq .bytes "$f.json")"
	# sections agree with readelf -S
	while read -r name type _ _ size _ flg _; do
		[ -n "$name" ] || continue
		file_bytes=$((16#$size))
		vm=0
		[[ $flg == *A* ]] && vm=$((16#$size))
		[ "$type" = NOBITS ] && file_bytes=0
		got=$(jq -r --arg n "$name" '[.sections[] | select(.name == $n)][0] | "\(.bytes) \(.vm_bytes)"' "$f.json")
		check_eq "$f: section $name" "$file_bytes $vm" "$got"
	done < <(sections "$f" | grep -v '^ *NULL')
	# size -A agrees on the allocated sections' sizes
	while read -r name size _; do
		case "$name" in .*) ;; *) continue ;; esac
		got=$(jq -r --arg n "$name" '[.sections[] | select(.name == $n)][0] | if .bytes > 0 then .bytes else .vm_bytes end' "$f.json")
		check_eq "$f: size -A $name" "$size" "$got"
	done < <(size -A "$f" | tail -n +3)
	# every symbol's size agrees with nm -S (by raw name, any of its entries)
	if [ "$f" != c_stripped ]; then
		nm -S --defined-only "$f" | awk 'NF == 4 {print $4, $2}' | sort -u > "$f.nm"
		[ -s "$f.nm" ] || nm -S -D --defined-only "$f" | awk 'NF == 4 {print $4, $2}' | sort -u > "$f.nm"
		n=0
		while read -r raw bytes; do
			hex=$(awk -v r="$raw" '$1 == r {print $2}' "$f.nm")
			[ -n "$hex" ] || fail "$f: $raw not in nm's list"
			found=0
			for h in $hex; do [ $((16#$h)) = "$bytes" ] && found=1; done
			[ $found = 1 ] || fail "$f: $raw is $bytes bytes, nm says $hex"
			n=$((n + 1))
		done < <(jq -r '.symbols[] | "\(.raw) \(.bytes)"' "$f.json")
		[ "$n" -gt 0 ] || fail "$f: no symbols"
	fi
	# the components add up to the GRAND TOTAL
	check_eq "$f: components sum" "$(jq '.grand_total' "$f.json")" \
		"$(jq '[.components[].bytes] | add // 0' "$f.json")"
done

# aliases are one row, with the other name listed
check_eq "alias folded into one row" 1 \
	"$(jq '[.symbols[] | select(.name == "twice" or .name == "alias_of_twice")] | length' c_plain.json)"
check_eq "the other name listed" twice,alias_of_twice \
	"$(jq -r '.symbols[] | select(.name == "twice" or .name == "alias_of_twice") |
		[.name] + .aliases | sort | reverse | join(",")' c_plain.json)"
# C++ and Rust names demangled
# (through files: grep -q closing a pipe early would fail the pipeline)
jq -r '.symbols[].name' cxx.json > cxx.names
jq -r '.symbols[].name' rs.json > rs.names
jq -r '.components[].name' rs.json > rs.components
grep -q 'std::' cxx.names || fail "C++ names not demangled"
grep -q 'std::' rs.names || fail "Rust names not demangled"
grep -q '^_[RZ]' rs.names && fail "a Rust name left mangled"
grep -qx 'std' rs.components || fail "Rust symbols not attributed to their crates"
# components: from the map file beside the binary, from DWARF, from nothing
check_eq "c_debug attributed by map" map "$(jq -r .attribution c_debug.json)"
"$OUNCE" size -f json --map /dev/null c_plain > /dev/null 2> err.txt && fail "a bad map accepted"
rm c_debug.map
"$OUNCE" size -f json c_debug > c_debug2.json || fail "size c_debug"
check_eq "c_debug attributed by dwarf" dwarf "$(jq -r .attribution c_debug2.json)"
check_eq "twice in prog.c" prog.c "$(jq -r '.symbols[] |
	select(.name == "twice" or .name == "alias_of_twice") | .component' c_debug2.json | xargs basename)"
check_eq "c_plain has nothing to attribute with" none "$(jq -r .attribution c_plain.json)"
"$OUNCE" size c_debug > c_debug.txt
grep -q '^GRAND TOTAL' c_debug.txt || fail "no GRAND TOTAL row"

# diff: -O2 against -Os
"$OUNCE" diff -f json c_plain c_small > d.json || fail "diff exited $?"
check_eq "total_delta" "$(($(stat -c %s c_small) - $(stat -c %s c_plain)))" "$(jq .total_delta d.json)"
[ "$(jq '.symbols | length' d.json)" -gt 0 ] || fail "no symbol changed between -O2 and -Os"
"$OUNCE" diff -f json c_plain c_plain > same.json || fail "diff same"
check_eq "no change against itself" "0 0" "$(jq -r '"\(.symbols | length) \(.total_delta)"' same.json)"
"$OUNCE" diff c_plain c_small > d.txt
head -1 d.txt | grep -q '^c_plain -> c_small: ' || fail "diff summary line"

# malformed files: one line, exit 2, no crash
: > empty
head -c 100 c_plain > truncated
head -c 4096 /dev/urandom > garbage
cp c_plain pastend
# e_shoff (8 bytes at offset 40) pointed far past the end
printf '\xff\xff\xff\x00\x00\x00\x00\x00' | dd of=pastend bs=1 seek=40 conv=notrunc 2> /dev/null
for f in empty truncated garbage pastend missing; do
	"$OUNCE" size "$f" > out.txt 2> err.txt
	st=$?
	check_eq "$f: exit status" 2 "$st"
	check_eq "$f: one line" 1 "$(wc -l < err.txt)"
	[ ! -s out.txt ] || fail "$f: printed a report"
done
echo ok
