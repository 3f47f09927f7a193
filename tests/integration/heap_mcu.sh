#!/bin/bash
# Heap tracing on a bare-metal device: the fixture tests/fixtures/mcuheap (a
# Cortex-M3 program for qemu's lm3s6965evb, newlib-nano's malloc or picolibc's, a
# known allocation pattern) is built with the tracer `ounce heap mcu-source` prints and
# -Wl,--wrap=malloc,...; run in qemu, it writes heap.log over semihosting, and
# `ounce heap stats` gives exactly the fixture's pattern, pools and replay work on
# it. The RAM-buffer mode gives the same figures (with its timestamps), and a
# buffer too small says how many calls it lost.
. "$(dirname "$0")/lib.sh"

for tool in arm-none-eabi-gcc arm-none-eabi-nm qemu-system-arm; do
	command -v "$tool" > /dev/null || fail "$tool is missing (./bootstrap installs it)"
done
src=$(fixture mcuheap)
cd "$src" || fail "no fixture"

# the tracer: printed, and the installed (here: source tree's) file
"$OUNCE" heap mcu-source > heaptrace.c 2> err.txt || fail "mcu-source: $(cat err.txt)"
path=$("$OUNCE" heap mcu-source --path) || fail "mcu-source --path"
cmp -s heaptrace.c "$path" || fail "mcu-source printed something else than $path"
"$OUNCE" heap mcu-source extra > /dev/null 2>&1
check_eq "mcu-source with an operand" 2 "$?"

# it is C99 and clean under strict warnings: both output modes, both clocks, a
# Cortex-M0 (no cycle counter), a lock of the user's (here none)
strict() {
	arm-none-eabi-gcc -mthumb -std=c99 -Wall -Wextra -Wpedantic -Wconversion -Wshadow \
		-Werror -Os -c heaptrace.c -o check.o "$@" 2> err.txt
}
strict -mcpu=cortex-m3 || fail "the tracer does not build cleanly: $(cat err.txt)"
strict -mcpu=cortex-m3 -DOUNCE_HEAPTRACE_BUFFER=512 -DOUNCE_HEAPTRACE_CPU_HZ=50000000 ||
	fail "the tracer does not build cleanly (RAM, CYCCNT): $(cat err.txt)"
strict -mcpu=cortex-m0 -DOUNCE_HEAPTRACE_CPU_HZ=48000000 ||
	fail "the tracer does not build cleanly (M0): $(cat err.txt)"
strict -mcpu=cortex-m3 -DOUNCE_HEAPTRACE_BUFFER=512 -DOUNCE_HEAPTRACE_CLOCK_US=now_us \
	'-DOUNCE_HEAPTRACE_LOCK(s)=' '-DOUNCE_HEAPTRACE_UNLOCK(s)=' ||
	fail "the tracer does not build cleanly (no lock): $(cat err.txt)"
! strict -mcpu=cortex-m3 -DOUNCE_HEAPTRACE_BUFFER=64 || fail "a 64-byte buffer was accepted"
grep -q 'OUNCE_HEAPTRACE_BUFFER is too small' err.txt || fail "small buffer: $(cat err.txt)"

cflags=(-mcpu=cortex-m3 -mthumb -Os -g -std=c11 -Wall -Wextra -Werror --specs=nano.specs
	-nostartfiles -T lm3s6965.ld -Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc)
srcs=(main.c startup.c syscalls.c heaptrace.c)
run() {
	timeout 10 qemu-system-arm -M lm3s6965evb -nographic -no-reboot -monitor none \
		-semihosting-config enable=on,target=native -kernel "$1" > qemu.out 2>&1
}

# semihosting, in blocks of 32 bytes (a header longer than one, several writes),
# timestamps from CYCCNT (qemu's reads 0)
name=mcuheap-fixture-on-an-lm3s6965evb-in-qemu
arm-none-eabi-gcc "${cflags[@]}" -DOUNCE_HEAPTRACE_CHUNK=32 -DOUNCE_HEAPTRACE_CPU_HZ=12000000 \
	-DOUNCE_HEAPTRACE_EXE="\"$name\"" -o prog.elf "${srcs[@]}" 2> err.txt ||
	fail "build: $(cat err.txt)"
run prog.elf || fail "qemu exited $?: $(cat qemu.out)"
[ -s heap.log ] || fail "no heap.log in qemu's directory: $(ls)"
[ "$(stat -c %s heap.log)" -gt 128 ] || fail "heap.log too short for several blocks"
grep -qa "$name" heap.log || fail "the program's name is not in the log"

"$OUNCE" heap stats heap.log > stats.txt 2> err.txt || fail "stats: $(cat err.txt)"
[ ! -s err.txt ] || fail "stats warned: $(cat err.txt)"
grep -Eq '^ +1000 +5 +5$' stats.txt || fail "stats: no row 1000/5/5: $(cat stats.txt)"
"$OUNCE" heap stats heap.log --format json > stats.json || fail "stats json"
# 10 x malloc(24) freed; 5 x calloc(4, 250), 3 freed; malloc(100) -> 200 -> 400,
# freed; malloc(64) kept. A realloc counts as an allocation and a free.
expect_pattern() {
	check_eq "$1: blocks" "24:10:10 64:1:1 100:1:1 200:1:1 400:1:1 1000:5:5" \
		"$(q '[.blocks[] | "\(.size):\(.max_load):\(.total)"] | join(" ")' "$2")"
	check_eq "$1: allocations" 19 "$(q .allocations "$2")"
	check_eq "$1: frees" 16 "$(q .frees "$2")"
	check_eq "$1: reallocs" 2 "$(q .reallocs "$2")"
	check_eq "$1: failed, unknown frees" "0 0" "$(q '"\(.failed) \(.unknown_frees)"' "$2")"
	check_eq "$1: peak bytes" 5000 "$(q .peak_bytes "$2")"
	check_eq "$1: peak at the fifth calloc" 25 "$(q .peak_event "$2")"
	check_eq "$1: live at exit" "3 2064" "$(q '"\(.live_blocks) \(.live_bytes)"' "$2")"
	check_eq "$1: complete" "false 0" "$(q '"\(.truncated) \(.lost)"' "$2")"
}
expect_pattern semihosting stats.json

"$OUNCE" heap pools heap.log --pools 3 > layout.ini 2> err.txt || fail "pools: $(cat err.txt)"
grep -q '^\[pools\]' layout.ini || fail "pools: no [pools]: $(cat layout.ini)"
"$OUNCE" heap replay heap.log --layout layout.ini > replay.txt 2> err.txt
check_eq "replay against its own layout" 0 "$?"
grep -q '^OK:' replay.txt || fail "replay: $(cat replay.txt)"
printf '[pools]\n1000 = 4\n' > small.ini
"$OUNCE" heap replay heap.log --layout small.ini > replay.txt 2> err.txt
check_eq "replay against too few blocks of 1000" 1 "$?"

# not ended by the program: the tracer's destructor ends the log when exit() runs
# the destructors (the fixture's startup registers them, as newlib's crt0 does)
arm-none-eabi-gcc "${cflags[@]}" -DMCUHEAP_AT_EXIT -o atexit.elf "${srcs[@]}" 2> err.txt ||
	fail "build atexit: $(cat err.txt)"
rm heap.log
run atexit.elf || fail "qemu (atexit) exited $?: $(cat qemu.out)"
"$OUNCE" heap stats heap.log --format json > atexit.json 2> err.txt ||
	fail "stats atexit: $(cat err.txt)"
expect_pattern "ended at exit" atexit.json

# picolibc, whose calloc calls malloc (which --wrap sends through the tracer
# again): each call of the firmware's is still recorded once
arm-none-eabi-gcc "${cflags[@]/--specs=nano.specs/--specs=picolibc.specs}" -o pico.elf \
	"${srcs[@]}" 2> err.txt || fail "build picolibc: $(cat err.txt)"
rm heap.log
run pico.elf || fail "qemu (picolibc) exited $?: $(cat qemu.out)"
"$OUNCE" heap stats heap.log --format json > pico.json 2> err.txt ||
	fail "stats picolibc: $(cat err.txt)"
expect_pattern picolibc pico.json

# the RAM buffer (written out by the fixture as a debugger would dump it), with a
# clock of the firmware's: 5 us a call, so the peak is at 25 x 5 us
arm-none-eabi-gcc "${cflags[@]}" -DMCUHEAP_RAM -DOUNCE_HEAPTRACE_BUFFER=1024 \
	-DOUNCE_HEAPTRACE_CLOCK_US=fixture_clock_us -o ram.elf "${srcs[@]}" 2> err.txt ||
	fail "build ram: $(cat err.txt)"
arm-none-eabi-nm ram.elf | grep -q ' B ounce_heaptrace_buf$' || fail "no ounce_heaptrace_buf"
run ram.elf || fail "qemu (ram) exited $?: $(cat qemu.out)"
"$OUNCE" heap stats heap-ram.log --format json > ram.json 2> err.txt ||
	fail "stats ram: $(cat err.txt)"
expect_pattern "RAM buffer" ram.json
check_eq "RAM buffer: time of the peak" 125 "$(q .peak_t_us ram.json)"

# a buffer too small: it stops, keeps room for the trailer, counts the rest
arm-none-eabi-gcc "${cflags[@]}" -DMCUHEAP_RAM -DOUNCE_HEAPTRACE_BUFFER=128 \
	-DOUNCE_HEAPTRACE_CLOCK_US=fixture_clock_us -o small.elf "${srcs[@]}" 2> err.txt ||
	fail "build small: $(cat err.txt)"
run small.elf || fail "qemu (small) exited $?: $(cat qemu.out)"
[ "$(stat -c %s heap-ram.log)" -le 128 ] || fail "the log outgrew its buffer"
"$OUNCE" heap stats heap-ram.log --format json > small.json 2> err.txt ||
	fail "stats small: $(cat err.txt)"
check_eq "small buffer: recorded + lost = all 33 calls" 33 \
	"$(q '.events + .lost' small.json)"
check_eq "small buffer: the trailer is there" false "$(q .truncated small.json)"
grep -q "heap-ram.log: the tracer could not record $(q .lost small.json) calls" err.txt ||
	fail "stats did not warn of the lost calls: $(cat err.txt)"
exit 0
