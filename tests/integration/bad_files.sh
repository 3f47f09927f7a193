#!/bin/bash
# Readers that refuse bad files: a cut ELF file is "truncated" for `ounce size`
# and `ounce diff` (exit 2, one line), not a file with no sections whose every
# symbol the diff calls removed; a FIFO or a device given as any input file
# (ELF, heap log, link map, results.json, ounce.ini, pool layout) is refused at
# once with one line and exit 2, never waited on nor read without end; the heap
# commands' JSON has no negative count for a damaged log.
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

# FIFOs (no writer: opening one to read would wait for ever) and devices
mkfifo fifo
expect 2 "^ounce: error: cannot read '/dev/urandom': not a regular file" \
	"$OUNCE" heap stats /dev/urandom
expect 2 "^ounce: error: cannot read 'fifo': not a regular file" "$OUNCE" heap stats fifo
expect 2 "^ounce: error: cannot read 'fifo': not a regular file" "$OUNCE" heap pools fifo \
	--pools 2
expect 2 "^ounce: error: 'fifo' is not a regular file" "$OUNCE" size fifo
expect 2 "^ounce: error: '/dev/zero' is not a regular file" "$OUNCE" size /dev/zero
expect 2 "^ounce: error: 'fifo' is not a regular file" "$OUNCE" diff hello fifo
expect 2 "^ounce: error: 'fifo' is not a regular file" "$OUNCE" advise fifo
expect 2 "^ounce: error: cannot read 'fifo': not a regular file" "$OUNCE" size --map fifo hello
expect 2 "^ounce: error: cannot read 'fifo': not a regular file" "$OUNCE" table fifo
expect 2 "^ounce: error: cannot read '/dev/urandom': not a regular file" \
	"$OUNCE" pick /dev/urandom
OUNCE_HEAPTRACE_LIB=${OUNCE_HEAPTRACE_LIB:-} "$OUNCE" heap trace -o heap.log -- ./hello \
	> /dev/null 2>&1 || fail "ounce heap trace"
expect 2 "^fifo: error: cannot read: not a regular file" "$OUNCE" heap replay heap.log \
	--layout fifo
mkdir proj
cp "$FIXTURES/single/hello.c" proj/
mkfifo proj/ounce.ini
expect 2 "^$T/proj/ounce.ini: error: cannot read: not a regular file" \
	"$OUNCE" matrix -p strip --no-verify -w "$T/w" proj

# a heap log with a malloc of 2^64 - 1 bytes (only a damaged log has one): the
# saturated counts are no negative numbers in JSON
{
	printf 'OUNCEHT\x01\x08\x00\x00\x00\x00\x10\x00\x00\x01\x00\x00\x00'
	printf '\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01x'
	printf '\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x80\x02'
	printf '\x01\x01\x10\x40\x7f\x02\x00\x00'
} > huge.log
"$OUNCE" heap stats huge.log -f json > stats.json || fail "heap stats of huge.log"
check_eq "negative numbers in heap stats" 0 "$(q '[.. | numbers | select(. < 0)] | length' stats.json)"
check_eq "largest block saturated" true "$(q '.blocks[-1].size > 9e18' stats.json)"
"$OUNCE" heap pools huge.log --pools 2 -f json > pools.json || fail "heap pools of huge.log"
check_eq "negative numbers in heap pools" 0 "$(q '[.. | numbers | select(. < 0)] | length' pools.json)"

echo "ok"
