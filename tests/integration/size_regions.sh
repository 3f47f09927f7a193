#!/bin/bash
# ounce size on firmware: a bare-metal Cortex-M3 program built by arm-none-eabi-gcc
# with its own startup and a linker script of FLASH and RAM; the regions, read from
# the map (--map) and from the script (--ld-script), must hold what
# arm-none-eabi-size -A says (FLASH: vectors, text, rodata and .data's initial
# values; RAM: data, bss and the stack the script reserves), with the origins and
# lengths of the map's Memory Configuration and the percentages of ld's
# --print-memory-usage. A Linux program's map adds nothing; a bad MEMORY line is
# one FILE:LINE error and exit 2.
. "$(dirname "$0")/lib.sh"

command -v arm-none-eabi-gcc >/dev/null ||
	fail "arm-none-eabi-gcc is missing: ./bootstrap installs gcc-arm-none-eabi"

# tests/fixtures/regions: prog.c (vectors, a reset handler that copies .data and
# clears .bss, a 64-word .data array, a 1000-byte .bss array) and prog.ld (MEMORY
# of the lm3s6965: FLASH 256K at 0, RAM 64K at 0x20000000; a 2 KiB .stack)
cp "$FIXTURES/regions/prog.c" "$FIXTURES/regions/prog.ld" . || fail "cannot copy the fixture"
arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -Os -ffreestanding -fno-tree-loop-distribute-patterns \
	-nostdlib -T prog.ld -Wl,-Map=prog.map -Wl,--print-memory-usage -o prog.elf prog.c \
	> ld-usage.txt || fail "arm-none-eabi-gcc"

# the sizes of arm-none-eabi-size -A, by section
declare -A sz
while read -r name bytes _; do
	sz[$name]=$bytes
done < <(arm-none-eabi-size -A prog.elf | grep '^\.')
for s in .vectors .text .rodata .data .bss .stack; do
	[ -n "${sz[$s]:-}" ] || fail "arm-none-eabi-size shows no $s"
done
check_eq ".data of 64 words" 256 "${sz[.data]}"
check_eq ".bss: the 1000-byte array, aligned" 1000 "${sz[.bss]}"
check_eq ".stack the script reserves" 2048 "${sz[.stack]}"
flash=$((sz[.vectors] + sz[.text] + sz[.rodata] + sz[.data]))
ram=$((sz[.data] + sz[.bss] + sz[.stack]))
# .data's load address (objdump's LMA column)
data_lma=$((16#$(arm-none-eabi-objdump -h prog.elf | awk '$2 == ".data" {print $5}')))
# the map's Memory Configuration: NAME ORIGIN LENGTH
read -r _ flash_origin flash_length _ < <(grep '^FLASH ' prog.map)
read -r _ ram_origin ram_length _ < <(grep '^RAM ' prog.map)

for how in "--map prog.map" "--ld-script prog.ld"; do
	# shellcheck disable=SC2086
	"$OUNCE" size prog.elf $how --format json > out.json 2> err.txt || fail "size $how: $(cat err.txt)"
	[ ! -s err.txt ] || fail "size $how wrote to stderr: $(cat err.txt)"
	check_eq "$how: regions" "FLASH RAM" "$(jq -r '[.regions[].name] | join(" ")' out.json)"
	check_eq "$how: FLASH used = vectors + text + rodata + data's image" "$flash" \
		"$(jq '.regions[0].used' out.json)"
	check_eq "$how: RAM used = data + bss + stack" "$ram" "$(jq '.regions[1].used' out.json)"
	check_eq "$how: FLASH origin" $((flash_origin)) "$(jq '.regions[0].origin' out.json)"
	check_eq "$how: FLASH length" $((flash_length)) "$(jq '.regions[0].length' out.json)"
	check_eq "$how: RAM origin" $((ram_origin)) "$(jq '.regions[1].origin' out.json)"
	check_eq "$how: RAM length" $((ram_length)) "$(jq '.regions[1].length' out.json)"
	check_eq "$how: FLASH sections" ".vectors .text .rodata .data" \
		"$(jq -r '[.regions[0].sections[].name] | join(" ")' out.json)"
	check_eq "$how: RAM sections" ".data .bss .stack" \
		"$(jq -r '[.regions[1].sections[].name] | join(" ")' out.json)"
	check_eq "$how: .data's image at its LMA" "$data_lma true" \
		"$(jq -r '.regions[0].sections[3] | "\(.address) \(.load_image)"' out.json)"
	check_eq "$how: none outside" 0 "$(jq '.outside_regions | length' out.json)"
	check_eq "$how: the rest of the report is there" "$(stat -c %s prog.elf)" \
		"$(jq '.bytes' out.json)"
done
check_eq "attributes from the map" "xr xrw" \
	"$("$OUNCE" size prog.elf --map prog.map --format json | jq -r '[.regions[].attributes] | join(" ")')"

# the text table: used, size and ld's own percentages (no padding between the
# sections here, so ld's "Used Size" is the sum of the sections)
"$OUNCE" size prog.elf --map prog.map > out.txt || fail "size --map (text)"
grep -q '^memory regions (from prog.map)$' out.txt || fail "no region table: $(cat out.txt)"
for r in FLASH RAM; do
	pct=$(awk -v r="$r:" '$1 == r {print $(NF)}' ld-usage.txt)
	used=$(awk -v r="$r:" '$1 == r {print $2}' ld-usage.txt)
	row=$(awk -v r="$r" '$1 == r && $3 ~ /^[0-9]+$/ {print $2, $4}' out.txt)
	check_eq "$r: used and percent as ld --print-memory-usage" "$used $pct" "$row"
done
grep -Eq '^FLASH +\.data +0x[0-9a-f]+ +256 +load image of \.data \(runs at 0x20000000\)' out.txt ||
	fail ".data's load image not shown: $(cat out.txt)"
"$OUNCE" size prog.elf --map prog.map --format csv > out.csv || fail "size --format csv"
grep -q "^region,FLASH,$flash,,,,FLASH,0x00000000,262144,xr$" out.csv ||
	fail "no CSV region row: $(grep ^region out.csv)"
"$OUNCE" size prog.elf --ld-script prog.ld --format md > out.md || fail "size --format md"
grep -Eq '^\| RAM +\| +'"$ram"' \|' out.md || fail "no Markdown region row: $(cat out.md)"

# NAME.map beside NAME.elf (how firmware builds name it) is read without --map
"$OUNCE" size prog.elf > beside.txt || fail "size with the map beside"
grep -q '^memory regions (from prog.map)$' beside.txt || fail "prog.map beside prog.elf not read"
# without a map or script beside it, nothing about regions
mv prog.map away.map
"$OUNCE" size prog.elf --format json > plain.json || fail "size without --map"
check_eq "no regions without a map" null "$(jq '.regions' plain.json)"
"$OUNCE" size prog.elf > plain.txt || fail "size (text) without --map"
! grep -q 'memory regions' plain.txt || fail "regions without a map"
mv away.map prog.map

# ounce check on a region: over, within, a region the link does not have
"$OUNCE" check prog.elf --metric region:FLASH --budget $((flash - 1)) > chk.txt
check_eq "check: over the FLASH budget" 1 $?
"$OUNCE" check prog.elf --metric region:RAM --budget $ram > chk.txt
check_eq "check: within the RAM budget" 0 $?
grep -q "prog.elf  *-  *$ram " chk.txt || fail "check's RAM row: $(cat chk.txt)"
"$OUNCE" check prog.elf --metric region:CCM --budget 1K > chk.txt 2> err.txt
check_eq "check: a region the link has not" 2 $?
grep -q "^ounce: error: 'prog.elf' has no memory region 'CCM'" err.txt || fail "$(cat err.txt)"

# without a budget, the region's own size is the budget
"$OUNCE" check prog.elf --metric region:FLASH > chk.txt 2> err.txt
check_eq "check: the region's size as the budget" 0 $?
grep -q "total 262144  ok" chk.txt || fail "region budget: $(cat chk.txt)"
grep -q "budget: the size of region FLASH, 262144 B" err.txt || fail "not said: $(cat err.txt)"

# a Linux program's map (only *default*) adds nothing
printf 'int main(void) { return 0; }\n' > host.c
gcc -O2 -o host host.c -Wl,-Map=host.map || fail "gcc"
"$OUNCE" size host --map host.map > host.txt || fail "size host --map"
! grep -q 'memory regions' host.txt || fail "regions from a Linux map"
"$OUNCE" size host --map host.map --format json | jq -e 'has("regions") | not' >/dev/null ||
	fail "regions in the JSON of a Linux map"

# a script without MEMORY: a warning, no table
printf 'SECTIONS { .text : { *(.text) } }\n' > plain.ld
"$OUNCE" size prog.elf --ld-script plain.ld > out.txt 2> err.txt || fail "size --ld-script plain.ld"
grep -q "warning: 'plain.ld' declares no MEMORY regions" err.txt || fail "no warning: $(cat err.txt)"

# what MEMORY ounce does not evaluate: FILE:LINE, exit 2
sed 's/LENGTH = 256K/LENGTH = __flash_size/' prog.ld > bad.ld
"$OUNCE" size prog.elf --ld-script bad.ld > out.txt 2> err.txt
check_eq "exit status of a bad script" 2 $?
check_eq "one line" 1 "$(wc -l < err.txt)"
grep -q "^bad.ld:5: error: cannot evaluate '__flash_size' in MEMORY" err.txt ||
	fail "bad script: $(cat err.txt)"
sed 's/^RAM  *0x20000000/RAM              0xzz/' prog.map > bad.map
"$OUNCE" size prog.elf --map bad.map > out.txt 2> err.txt
check_eq "exit status of a bad map" 2 $?
line=$(grep -n '^RAM ' bad.map | cut -d: -f1)
grep -q "^bad.map:$line: error: malformed memory region 'RAM  *0xzz" err.txt ||
	fail "bad map: $(cat err.txt)"
exit 0
