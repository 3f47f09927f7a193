#!/bin/bash
# ounce heap stats | pools | replay on a log written by a small C program that
# emits the format of src/heap/heapfmt.h itself (so this test does not depend on the
# tracer): formats, exit statuses, a layout from `pools --emit ini` that replay
# accepts, a too-small one that it rejects, what --at-peak sees, and a garbage log.
. "$(dirname "$0")/lib.sh"

cat > writer.c <<'C'
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t prev;

static void
leb(uint64_t v)
{
	do {
		unsigned char b = v & 0x7f;

		v >>= 7;
		putchar(b | (v ? 0x80 : 0));
	} while (v);
}

static void
le(uint64_t v, int n)
{
	for (int i = 0; i < n; i++) {
		putchar((int)(v >> (8 * i)) & 0xff);
	}
}

static void
ptr(uint64_t p)
{
	int64_t d = (int64_t)(p - prev);

	leb(((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
	prev = p;
}

static void
mal(uint64_t size, uint64_t p)
{
	putchar(0x01);
	leb(1);
	leb(size);
	ptr(p);
}

static void
fre(uint64_t p)
{
	putchar(0x04);
	leb(1);
	ptr(p);
}

int
main(void)
{
	uint64_t base = 0x55550000;

	fwrite("OUNCEHT", 1, 7, stdout);
	le(1, 1);
	le(8, 1);
	le(0, 1);
	le(0, 2);
	le(4096, 4);
	le(42, 4);
	le(1, 4);
	le(0, 8);
	leb(4);
	fwrite("prog", 1, 4, stdout);
	/* the stats example of research/heap.md 7.2, more or less */
	for (int i = 0; i < 10; i++) {
		mal(16, base + 0x100 * (uint64_t)i);
	}
	for (int i = 0; i < 10; i++) {
		mal(20, base + 0x10000);
		fre(base + 0x10000);
	}
	for (int i = 0; i < 6; i++) {
		mal(24, base + 0x20000 + 0x40 * (uint64_t)i);
	}
	for (int i = 0; i < 10; i++) {
		mal(40, base + 0x30000 + 0x40 * (uint64_t)i);
	}
	for (int i = 0; i < 10; i++) {
		fre(base + 0x100 * (uint64_t)i);
	}
	for (int i = 0; i < 5; i++) {
		mal(100, base + 0x40000 + 0x80 * (uint64_t)i);
	}
	mal(256, base + 0x50000);
	putchar(0x7f);
	leb(42);
	leb(0);
	leb(0);
	return 0;
}
C
gcc -std=c11 -o writer writer.c || fail "cannot build the log writer"
./writer > run.log || fail "writer failed"

# stats: the table, the figures, and JSON
"$OUNCE" heap stats run.log > stats.txt 2> err.txt || fail "stats: $(cat err.txt)"
grep -Eq '^ *16 +\| +10 +\| +10$|^ *16 +10 +10$' stats.txt || fail "stats: no row 16/10/10: $(cat stats.txt)"
grep -q 'allocations 42 (0 failed), frees 20' stats.txt || fail "stats figures: $(cat stats.txt)"
"$OUNCE" heap stats run.log --format json --budget 4K > stats.json || fail "stats json"
check_eq "peak bytes" 1300 "$(q .peak_bytes stats.json)"
check_eq "allocations" 42 "$(q .allocations stats.json)"
check_eq "frees" 20 "$(q .frees stats.json)"
check_eq "size 20 max load" 1 "$(q '.blocks[] | select(.size == 20) | .max_load' stats.json)"
check_eq "size 20 total" 10 "$(q '.blocks[] | select(.size == 20) | .total' stats.json)"
"$OUNCE" heap stats run.log --format csv | head -1 | grep -q 'Block Size' || fail "stats csv"
"$OUNCE" heap stats run.log --format md | grep -q '^|' || fail "stats md"
"$OUNCE" heap stats run.log --align 8 --format json > a8.json || fail "stats --align"
check_eq "align 8 rows" 5 "$(q '.blocks | length' a8.json)"

# pools: the text output is a valid layout file (the table is comments)
"$OUNCE" heap pools run.log --pools 3 > layout.ini 2> err.txt || fail "pools: $(cat err.txt)"
grep -q '^\[pools\]' layout.ini || fail "pools: no [pools]: $(cat layout.ini)"
"$OUNCE" heap pools run.log --pools 3 --format json > pools.json || fail "pools json"
check_eq "layouts" 3 "$(q '.layouts | length' pools.json)"
r3=$(q '.layouts[2].reserved' pools.json)
f3=$(q '.layouts[2].fragmentation' pools.json)
check_eq "fragmentation = reserved - peak" "$((r3 - 1300))" "$f3"
"$OUNCE" heap pools run.log --pools 2 --emit toml | grep -q 'count = ' || fail "pools toml"
"$OUNCE" heap pools run.log --pools 2 --emit c | grep -q '^static const struct' || fail "pools c"

# --at-peak: 10 blocks of 16 were alive at once early on, none at the peak (the
# last event); what the peak held, and pools sized to it, which the first 16s
# outgrow: the output says so, and replay agrees
"$OUNCE" heap stats run.log --at-peak > peak.txt 2> err.txt || fail "stats --at-peak: $(cat err.txt)"
grep -Eq '^ *24 +6 +144$' peak.txt || fail "stats --at-peak: no row 24/6/144: $(cat peak.txt)"
! grep -Eq '^ *16 ' peak.txt || fail "stats --at-peak: a row of 16, none alive at the peak"
grep -q '^live at peak 22 blocks / 1300 B right after event 62 ' peak.txt ||
	fail "stats --at-peak totals: $(cat peak.txt)"
"$OUNCE" heap stats run.log --at-peak --format json > peak.json || fail "stats --at-peak json"
check_eq "at-peak blocks" 22 "$(q .peak_blocks peak.json)"
check_eq "at-peak bytes sum to the peak" 1300 "$(q '[.at_peak[].bytes] | add' peak.json)"
check_eq "at-peak size 40" 10 "$(q '.at_peak[] | select(.size == 40) | .blocks' peak.json)"
check_eq "max load of 16 unchanged" 10 "$(q '.blocks[] | select(.size == 16) | .max_load' peak.json)"
"$OUNCE" heap stats run.log --at-peak --format csv | head -1 | grep -q '^Block Size,Live at Peak' ||
	fail "stats --at-peak csv"
"$OUNCE" heap pools run.log --pools 3 --at-peak > peak.ini 2> err.txt ||
	fail "pools --at-peak: $(cat err.txt)"
check_eq "at-peak layout" "40 = 16,104 = 5,256 = 1" "$(grep '^[0-9]' peak.ini | paste -sd,)"
grep -q '^# capacity at-peak: the pools hold the 22 blocks alive right after event 62 ' peak.ini ||
	fail "pools --at-peak: no at-peak note: $(cat peak.ini)"
grep -q '^# replay .*: 10 of 42 requests fail, the first at event 37 ' peak.ini ||
	fail "pools --at-peak: no replay note: $(cat peak.ini)"
"$OUNCE" heap replay run.log --layout peak.ini > replay.txt 2> err.txt
check_eq "replay of the at-peak layout" 1 "$?"
grep -q '^FAIL: 10 of 42 .* first at event 37 ' replay.txt || fail "replay: $(cat replay.txt)"
"$OUNCE" heap pools run.log --pools 3 --capacity at-peak --format json > peak.json ||
	fail "pools --capacity at-peak json"
check_eq "at-peak capacity" at-peak "$(q .capacity peak.json)"
check_eq "at-peak replay fails" 10 "$(q .replay.fails peak.json)"
"$OUNCE" heap pools run.log --pools 2 --at-peak --emit toml | grep -q 'block = "40", count = 16' ||
	fail "pools --at-peak toml"
"$OUNCE" heap pools run.log --pools 2 --capacity most > out.txt 2> err.txt
check_eq "unknown capacity status" 2 "$?"

# replay: 0 with the emitted layout, 1 with a too-small one
"$OUNCE" heap replay run.log --layout layout.ini > replay.txt 2> err.txt
check_eq "replay of the emitted layout" 0 "$?"
grep -q '^OK:' replay.txt || fail "replay: no OK line: $(cat replay.txt)"
printf '[pools]\n16 = 9\n256 = 2\n' > small.ini
"$OUNCE" heap replay run.log --layout small.ini > replay.txt 2> err.txt
check_eq "replay of a too-small layout" 1 "$?"
grep -q '^FAIL: .* first at event 10 (16 B' replay.txt || fail "replay: $(cat replay.txt)"
"$OUNCE" heap replay run.log --layout small.ini --format json > replay.json
check_eq "replay json fails" 1 "$?"
check_eq "first failure" 10 "$(q .first_failure.event replay.json)"

# bad input: exit 2 and one line
printf '[pools]\n16 = many\n' > bad.ini
"$OUNCE" heap replay run.log --layout bad.ini > out.txt 2> err.txt
check_eq "bad layout status" 2 "$?"
grep -q "^bad.ini:2: error: " err.txt || fail "bad layout: $(cat err.txt)"
head -c 100 /dev/urandom > garbage.log
for sub in "stats garbage.log" "pools garbage.log --pools 2" \
	"replay garbage.log --layout layout.ini"; do
	# shellcheck disable=SC2086
	"$OUNCE" heap $sub > out.txt 2> err.txt
	check_eq "$sub status" 2 "$?"
	check_eq "$sub: one line" 1 "$(wc -l < err.txt)"
	grep -q "garbage.log: error: not an ounce heap log" err.txt || fail "$sub: $(cat err.txt)"
	[ ! -s out.txt ] || fail "$sub printed on stdout"
done

# a log cut short: a warning, and the analysis of what is there
head -c 60 run.log > cut.log
"$OUNCE" heap stats cut.log > out.txt 2> err.txt || fail "stats of a cut log: $(cat err.txt)"
grep -q 'truncated after [0-9]* events (process killed?)' err.txt || fail "cut: $(cat err.txt)"
# a log of a real run, once `ounce heap trace` exists (it is written separately)
if "$OUNCE" heap trace --help > /dev/null 2>&1 &&
	"$OUNCE" heap trace -o traced.log -- ./writer > /dev/null 2> err.txt; then
	"$OUNCE" heap stats traced.log --format json > traced.json 2> err.txt ||
		fail "stats of a traced run: $(cat err.txt)"
	check_eq "traced run: unknown frees" 0 "$(q .unknown_frees traced.json)"
	"$OUNCE" heap pools traced.log --pools 4 > traced.ini || fail "pools of a traced run"
	"$OUNCE" heap replay traced.log --layout traced.ini > /dev/null ||
		fail "replay of a traced run against its own layout"
fi
exit 0
