#!/bin/bash
# samples/firmware with each of its three C libraries (newlib-nano, full newlib,
# picolibc), each built from a copy with the real arm-none-eabi toolchain and run
# in qemu's lm3s6965evb by the sample's own smoke test: the three print the same
# text and exit 0, the nano build's code is smaller than full newlib's (the
# C-library lever issue 20 is about; ounce size's map attribution puts most of
# each build's bytes in its C library's archive), and the sample's tree is not
# written.
. "$(dirname "$0")/lib.sh"

sample="$OUNCE_SOURCE_ROOT/samples/firmware"
before=$(tree_digest "$sample")
for t in arm-none-eabi-gcc arm-none-eabi-size qemu-system-arm; do
	command -v "$t" > /dev/null || fail "$t not found (./bootstrap installs it)"
done

declare -A text_of lib_of
for libc in nano newlib picolibc; do
	cp -a "$sample" "$libc" || fail "cannot copy the sample"
	make -s -C "$libc" LIBC="$libc" > "$libc.log" 2>&1 \
		|| fail "$libc: make failed: $(head -n 3 "$libc.log")"
	# no warnings either, with any of the three libraries' headers
	[ -s "$libc.log" ] && fail "$libc: make printed: $(head -n 3 "$libc.log")"
	[ -f "$libc/firmware.map" ] || fail "$libc: no map file"
	grep -q '^Memory Configuration' "$libc/firmware.map" || fail "$libc: map has no regions"
	# the smoke test from another directory, on a relative path
	(cd "$libc" && bash "$sample/smoke.sh" firmware.elf) 2> "$libc.smoke" \
		|| fail "$libc: $(cat "$libc.smoke")"
	# what it printed, for the comparison below (the smoke test checked it)
	timeout 10 qemu-system-arm -M lm3s6965evb -nographic -no-reboot \
		-semihosting-config enable=on,target=native -kernel "$libc/firmware.elf" \
		< /dev/null > "$libc.out" 2> /dev/null || fail "$libc: qemu exited $?"
	read -r text data bss < <(arm-none-eabi-size "$libc/firmware.elf" | awk 'NR == 2 {print $1, $2, $3}')
	# ounce size with the sample's map: the script's reservations, and the bytes of
	# the C library's archive (libc_nano.a, newlib's or picolibc's libc.a)
	"$OUNCE" size -f json --map "$libc/firmware.map" -n 100000 "$libc/firmware.elf" \
		> "$libc.json" 2> "$libc.err" || fail "$libc: ounce size exited $?: $(head -n 1 "$libc.err")"
	check_eq "$libc: .heap reservation" 16384 \
		"$(q '.sections[] | select(.name == ".heap") | .vm_bytes' "$libc.json")"
	check_eq "$libc: .stack reservation" 4096 \
		"$(q '.sections[] | select(.name == ".stack") | .vm_bytes' "$libc.json")"
	lib=$(q '[.components[] | select(.name | test("/libc(_nano)?\\.a\\(")) | .bytes] | add // 0' \
		"$libc.json")
	total=$(q '.grand_total' "$libc.json")
	[ $((lib * 2)) -gt "$total" ] || fail "$libc: the C library has $lib of $total bytes"
	# its memory regions (the map beside it), against objdump's section table:
	# every ALLOC section in the region of its VMA, and one with contents whose
	# LMA differs (.data) in FLASH again as its load image
	read -r flash ram < <(arm-none-eabi-objdump -h "$libc/firmware.elf" | awk '
		/^ *[0-9]+ / {size = strtonum_("0x" $3); vma = strtonum_("0x" $4); lma = strtonum_("0x" $5); next}
		/ALLOC/ {
			if (vma >= 536870912) ram += size; else flash += size
			if (/LOAD/ && lma != vma && lma < 536870912) flash += size
		}
		END {print flash, ram}
		function strtonum_(h,   i, c, v) {
			v = 0
			for (i = 3; i <= length(h); i++) {
				c = index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
				v = v * 16 + c
			}
			return v
		}')
	check_eq "$libc: FLASH used" "$flash" \
		"$(q '.regions[] | select(.name == "FLASH") | .used' "$libc.json")"
	check_eq "$libc: RAM used" "$ram" \
		"$(q '.regions[] | select(.name == "RAM") | .used' "$libc.json")"
	check_eq "$libc: FLASH size, as the map declares it" \
		"$(($(awk '$1 == "FLASH" {print $3; exit}' "$libc/firmware.map")))" \
		"$(q '.regions[] | select(.name == "FLASH") | .length' "$libc.json")"
	echo "$libc text=$text data=$data bss=$bss libc=$lib of $total"
	text_of[$libc]=$text lib_of[$libc]=$lib
done

check_eq "newlib prints what nano prints" "$(cat nano.out)" "$(cat newlib.out)"
check_eq "picolibc prints what nano prints" "$(cat nano.out)" "$(cat picolibc.out)"
grep -qx 'area 12.566' nano.out || fail "the float did not print: $(sed -n 5p nano.out)"
[ "${text_of[nano]}" -lt "${text_of[newlib]}" ] \
	|| fail "nano's text ${text_of[nano]} is not below newlib's ${text_of[newlib]}"
[ "${text_of[picolibc]}" -lt "${text_of[newlib]}" ] \
	|| fail "picolibc's text ${text_of[picolibc]} is not below newlib's ${text_of[newlib]}"
[ "${lib_of[nano]}" -lt "${lib_of[newlib]}" ] \
	|| fail "ounce size: libc_nano.a has ${lib_of[nano]} bytes, newlib's libc.a ${lib_of[newlib]}"

# the smoke test fails, in one line, on a firmware that prints something else
sed -i 's/"area 2"/"area 3"/' nano/main.c
make -s -C nano > /dev/null 2>&1 || fail "rebuilding the changed firmware"
bash "$sample/smoke.sh" nano/firmware.elf 2> bad.smoke && fail "smoke passed a wrong float"
check_eq "smoke's one line" "smoke: line 5: expected 'area 12.566', got 'area 28.274'" "$(cat bad.smoke)"

# the sample traces its own heap on the emulated device (ounce heap mcu-source,
# linked in with --wrap): the blocks main.c makes, and the one it cannot get
cp -a "$sample" traced
"$OUNCE" heap mcu-source > traced/heaptrace.c || fail "heap mcu-source"
make -s -C traced EXTRA_SRCS=heaptrace.c \
	LDFLAGS="-Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc" > make.log 2>&1 ||
	fail "building the traced firmware: $(cat make.log)"
(cd traced && bash smoke.sh firmware.elf) || fail "the traced firmware fails its smoke test"
"$OUNCE" heap stats -f json traced/heap.log > hs.json || fail "heap stats of the device's log"
for size in 24 100 512 64; do
	check_eq "the device's block of $size bytes" 1 \
		"$(q "[.blocks[] | select(.size == $size) | .total] | add" hs.json)"
done
check_eq "the request that failed" 1 "$(q .failed hs.json)"
check_eq "a complete log" false "$(q .truncated hs.json)"
"$OUNCE" heap pools traced/heap.log --pools 3 --emit toml > pools.toml || fail "heap pools"
grep -q '^\[heap.main\]' pools.toml || fail "no Drone section: $(cat pools.toml)"

check_eq "sample tree untouched" "$before" "$(tree_digest "$sample")"
echo ok
