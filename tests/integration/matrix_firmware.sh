#!/bin/bash
# Cross toolchains as data: the firmware sample's matrix builds every cell with
# arm-none-eabi-gcc through the wrapper (toolchain = in its ounce.ini), strips with
# arm-none-eabi-strip, smoke-tests each cell in qemu, and `pick --emit make` applied
# by hand rebuilds the winner's bytes; a Makefile's CROSS_COMPILE names the
# toolchain by itself, --toolchain overrides it (native, or riscv64-unknown-elf:
# a second target), and a missing one is one line.
. "$(dirname "$0")/lib.sh"

sample="$OUNCE_SOURCE_ROOT/samples/firmware"
before=$(tree_digest "$sample")
# allocator: a host library, left out for a bare-metal target (said so), not failed
"$OUNCE" matrix -j2 -p strip,allocator,gc,lto -w "$T/work" "$sample" > table.txt 2> err.txt \
	|| fail "matrix exited $?: $(cat err.txt)"
check_eq "sample tree untouched" "$before" "$(tree_digest "$sample")"
grep -q "left out for arm-none-eabi (a bare-metal target): allocator" err.txt \
	|| fail "no note of the profile left out: $(cat err.txt)"
res="$T/work/results.json"
check_eq "the cells: baseline, each of strip gc lto, and the stack" 6 "$(q '.cells | length' "$res")"
check_eq "every cell built and passed its qemu smoke test" "" \
	"$(q '.cells[] | select(.status != "ok" or .smoke != "pass") | .name' "$res")"
check_eq "every cell's compiler is the cross gcc" "arm-none-eabi-gcc" \
	"$(q '[.cells[].settings.cc] | unique | join(" ")' "$res")"
check_eq "strip is the toolchain's" "arm-none-eabi-strip --strip-all {artifact}" \
	"$(q '.cells[] | select(.name == "strip") | .settings.post[0]' "$res")"
for c in $(q '.cells[].artifact' "$res"); do
	readelf -h "$c" | grep -q 'Machine: *ARM$' || fail "$c is not an ARM ELF: $(readelf -h "$c")"
done
grep -q "arm-none-eabi-gcc" "$T/work/cells/baseline/wrap.log" \
	|| fail "the wrapper did not run arm-none-eabi-gcc: $(head -3 "$T/work/cells/baseline/wrap.log")"
# stripped: far below the baseline (a 512 MiB file would be strip's bug, not a win)
base=$(q '.cells[] | select(.name == "baseline") | .bytes' "$res")
strip=$(q '.cells[] | select(.name == "strip") | .bytes' "$res")
[ "$strip" -gt 1000 ] && [ "$strip" -lt $((base / 2)) ] || fail "strip $strip vs baseline $base"

# the memory regions of every cell (a copy cell's too: the map comes with it), the
# region table under the run's, and the region metric
check_eq "every cell's regions" "FLASH RAM" \
	"$(q '[.cells[] | [.regions[].name] | join(" ")] | unique | join(",")' "$res")"
gcflash=$(q '.cells[] | select(.name == "gc") | .regions[] | select(.name == "FLASH") | .used' "$res")
baseflash=$(q '.cells[] | select(.name == "baseline") | .regions[] | select(.name == "FLASH") | .used' "$res")
[ "$gcflash" -lt "$baseflash" ] || fail "gc's FLASH $gcflash is not below the baseline's $baseflash"
grep -q "^memory regions (bytes used, % of the region):" table.txt || fail "no region table: $(cat table.txt)"
grep -Eq "^baseline +$baseflash \([0-9.]+%\) +[0-9]+ \([0-9.]+%\)$" table.txt ||
	fail "the baseline's region row: $(grep -A4 '^memory regions' table.txt)"
"$OUNCE" pick -m region:FLASH "$res" > pick.txt || fail "pick -m region:FLASH"
[ "$(cut -f2 pick.txt)" -le "$gcflash" ] || fail "pick by FLASH: $(cat pick.txt)"

# the C library as a dimension and printf's floating point as a lever (the
# sample's own profiles, in its ounce.ini): each cell smoke-tested in qemu; the
# cell without floating point fails it, so pick leaves it out
"$OUNCE" matrix -q -j2 -p picolibc,newlib,nofloat -m region:FLASH -w "$T/libc" "$sample" \
	> libc.txt 2> libc.err || fail "libc matrix: $(cat libc.err)"
lres="$T/libc/results.json"
flash_of() {
	q ".cells[] | select(.name == \"$1\") | .regions[] | select(.name == \"FLASH\") | .used" \
		"$lres"
}
[ "$(flash_of picolibc)" -lt "$(flash_of baseline)" ] &&
	[ "$(flash_of baseline)" -lt "$(flash_of newlib)" ] ||
	fail "FLASH: picolibc $(flash_of picolibc), nano $(flash_of baseline), newlib $(flash_of newlib)"
check_eq "nofloat fails the smoke test" "fail" \
	"$(q '.cells[] | select(.name == "nofloat") | .smoke' "$lres")"
check_eq "the libc cells pass" "pass pass pass" \
	"$(q '[.cells[] | select(.name == "baseline" or .name == "picolibc" or .name == "newlib") | .smoke] | join(" ")' "$lres")"
check_eq "pick by FLASH: picolibc, not the cell that prints no float" picolibc \
	"$("$OUNCE" pick -m region:FLASH "$lres" | cut -f1)"

# the nano profile on a project that links full newlib: far less flash
na=$(fixture newlibapp)
"$OUNCE" matrix -q -j2 -p nano -m flash -w "$T/nano" "$na" > nano.txt 2> nano.err ||
	fail "nano matrix: $(cat nano.err)"
nb=$(q '.cells[] | select(.name == "baseline") | .flash' "$T/nano/results.json")
nn=$(q '.cells[] | select(.name == "nano") | .flash' "$T/nano/results.json")
[ "$nn" -gt 0 ] && [ $((nn * 10)) -lt $((nb * 9)) ] || fail "nano's flash $nn vs newlib's $nb"

# ounce profiles says which targets a profile is for
"$OUNCE" profiles "$sample" > profiles.txt || fail "ounce profiles"
grep -A1 '^picolibc ' profiles.txt | grep -q 'only for: bare-metal targets' ||
	fail "profiles: $(grep -A2 '^picolibc' profiles.txt)"
grep -A2 '^allocator ' profiles.txt | grep -q 'only for: native targets' ||
	fail "profiles: $(grep -A2 '^allocator' profiles.txt)"

# the winner's settings, applied by hand to a copy, give its bytes
win=$("$OUNCE" pick "$res" | cut -f1)
want=$(q ".cells[] | select(.name == \"$win\") | .artifact" "$res")
"$OUNCE" pick --emit make "$res" > ounce.mk || fail "emit make"
grep -q '^CC = arm-none-eabi-gcc$' ounce.mk || fail "emitted CC: $(cat ounce.mk)"
cp -a "$sample" byhand
make -s -C byhand -f Makefile -f "$T/ounce.mk" ounce-post > make.log 2>&1 \
	|| fail "applying ounce.mk failed: $(cat make.log)"
cmp -s byhand/firmware.elf "$want" || fail "by hand: not the bytes of $win ($want)"
(cd byhand && bash smoke.sh firmware.elf > /dev/null) || fail "the by-hand build fails the smoke test"

# detection: the Makefile's CROSS_COMPILE, said at info level
fx=$(fixture crossdetect)
"$OUNCE" matrix -j2 -p gc,thumb -w "$T/w2" "$fx" > /dev/null 2> err2.txt ||
	fail "detected: $(cat err2.txt)"
# thumb (flags in its [gcc-arm-none-eabi] section only): this program is built in
# ARM mode by default, so Thumb code is smaller
[ "$(q '.cells[] | select(.name == "thumb") | .sections[".text"]' "$T/w2/results.json")" -lt \
	"$(q '.cells[] | select(.name == "baseline") | .sections[".text"]' "$T/w2/results.json")" ] ||
	fail "thumb's .text is not smaller: $(q '[.cells[] | {name, s: .sections[".text"]}]' "$T/w2/results.json")"
grep -q -- "-mthumb" "$T/w2/cells/thumb/wrap.log" || fail "thumb's -mthumb not passed"
grep -q "toolchain arm-none-eabi, as Makefile: CROSS_COMPILE ?= arm-none-eabi- says" err2.txt \
	|| fail "detection not said: $(cat err2.txt)"
readelf -h "$T/w2/cells/baseline/src/tiny.elf" | grep -q 'Machine: *ARM$' || fail "detected: not ARM"
# --toolchain wins over the Makefile
"$OUNCE" matrix -q -j2 -p gc --toolchain native -w "$T/w3" "$fx" > /dev/null 2> err3.txt \
	|| fail "--toolchain native: $(cat err3.txt)"
machine() {
	readelf -h "$1" | sed -n 's/^ *Machine: *//p'
}
check_eq "--toolchain native: the host's machine" "$(machine "$OUNCE")" \
	"$(machine "$T/w3/cells/baseline/src/tiny.elf")"
# a second target through the same mechanism: --toolchain names another cross
# toolchain than the Makefile's, and its strip takes the symbols
"$OUNCE" matrix -q -j2 -p strip,gc --toolchain riscv64-unknown-elf- -w "$T/w5" "$fx" \
	> /dev/null 2> err5.txt || fail "riscv64: $(cat err5.txt)"
check_eq "riscv64: the compiler" "riscv64-unknown-elf-gcc" \
	"$(q '[.cells[].settings.cc] | unique | join(" ")' "$T/w5/results.json")"
check_eq "riscv64: every cell built" "" \
	"$(q '.cells[] | select(.status != "ok") | .name' "$T/w5/results.json")"
check_eq "riscv64: the machine" "RISC-V" "$(machine "$T/w5/cells/baseline/src/tiny.elf")"
[ "$(q '.cells[] | select(.name == "strip") | .bytes' "$T/w5/results.json")" -lt \
	"$(q '.cells[] | select(.name == "baseline") | .bytes' "$T/w5/results.json")" ] \
	|| fail "riscv64: strip did not strip"
# a toolchain that is not installed: one line naming its Debian package, exit 2,
# nothing built
# RISC-V with picolibc (tests/fixtures/riscvfw): the toolchain from its Makefile's
# CROSS_COMPILE, the regions of picolibc's linker script; no emulator, no smoke
rv=$(fixture riscvfw)
"$OUNCE" matrix -j2 -p gc -m region:flash -w "$T/w6" "$rv" > rv.txt 2> rv.err ||
	fail "riscv matrix: $(cat rv.err)"
grep -q "toolchain riscv64-unknown-elf" rv.err || fail "riscv toolchain not detected: $(cat rv.err)"
grep -q "no smoke test: riscv64-unknown-elf's programs do not run here" rv.err ||
	fail "the missing smoke test is not said: $(cat rv.err)"
check_eq "riscv cells" "ok ok" "$(q '[.cells[].status] | join(" ")' "$T/w6/results.json")"
check_eq "riscv regions" "flash ram" \
	"$(q '[.cells[] | select(.name == "gc") | .regions[].name] | join(" ")' "$T/w6/results.json")"
for c in $(q '.cells[].artifact' "$T/w6/results.json"); do
	readelf -h "$c" | grep -q 'Machine: *RISC-V$' || fail "$c is not RISC-V"
done
grep -q "^memory regions" rv.txt || fail "no region table for riscv: $(cat rv.txt)"

"$OUNCE" matrix -j2 -p gc --toolchain nosuch-elf -w "$T/w4" "$fx" > out4.txt 2> err4.txt
check_eq "missing toolchain: exit status" 2 "$?"
check_eq "missing toolchain: one line" \
	"ounce: error: toolchain nosuch-elf: its compiler 'nosuch-elf-gcc' is not installed (Debian package gcc-nosuch-elf)" \
	"$(cat err4.txt)"
[ ! -e "$T/w4" ] || fail "a work directory was made for a missing toolchain"
