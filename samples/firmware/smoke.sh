#!/bin/bash
# smoke.sh: run the firmware in qemu's lm3s6965evb (a Cortex-M3 with 256 KiB of
# flash and 64 KiB of RAM), compare what it prints on UART0 with expected.txt,
# and check the status it exits with through semihosting (0).
# Usage: bash smoke.sh PATH_TO_ELF   (from any directory; writes nothing there)
# Exits 0 on success, 1 with a one-line reason on stderr. qemu gets 10 s at most.
set -u

fail() {
	echo "smoke: $*" >&2
	exit 1
}

[ $# -eq 1 ] || fail "usage: bash smoke.sh PATH_TO_ELF"
elf=$1
expected="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/expected.txt"
[ -f "$elf" ] || fail "no such file: $elf"
[ -f "$expected" ] || fail "expected.txt not found next to smoke.sh"
command -v qemu-system-arm > /dev/null || fail "qemu-system-arm not found (./bootstrap installs it)"

out=$(mktemp) || fail "mktemp failed"
err=$(mktemp) || fail "mktemp failed"
trap 'rm -f "$out" "$err"' EXIT

# " (qemu: ITS FIRST LINE ON STDERR)", but for the Stellaris timer's harmless notice
qemu_said() {
	local l
	l=$(grep -v -m 1 '^Timer with period zero, disabling$' "$err" | cut -c 1-200)
	[ -n "$l" ] && echo " (qemu: $l)"
}

# UART0 is qemu's stdio; the program's _exit is semihosting's SYS_EXIT_EXTENDED,
# which ends qemu with the program's status. -no-reboot: a lockup ends qemu too.
# (the group's stderr also takes bash's own note when qemu aborts)
{
	timeout -k 2 10 qemu-system-arm -M lm3s6965evb -nographic -no-reboot \
		-semihosting-config enable=on,target=native -kernel "$elf" < /dev/null > "$out"
} 2> "$err"
rc=$?
((rc == 124 || rc == 137)) && fail "qemu did not exit within 10 s (last line: $(tail -n 1 "$out"))"

# the first line that differs, quoted on both sides
n=0
while :; do
	IFS= read -r want <&3
	w=$?
	IFS= read -r got <&4
	g=$?
	n=$((n + 1))
	((w != 0 && g != 0)) && break
	((w != 0)) && fail "line $n: expected the end of the output, got '$got'"
	((g != 0)) && fail "line $n: expected '$want', got the end of the output$(qemu_said)"
	[ "$want" = "$got" ] || fail "line $n: expected '$want', got '$got'"
done 3< "$expected" 4< "$out"

((rc == 0)) || fail "the firmware exited with status $rc$(qemu_said)"
exit 0
