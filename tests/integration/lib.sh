# Helpers for the integration tests: each test is a bash script that runs the real
# ounce binary ($OUNCE) with the real toolchain on a fixture copied to a temp dir.
set -u
set -o pipefail

: "${OUNCE:?run through muon-meson test, which sets OUNCE}"
: "${FIXTURES:?FIXTURES is not set}"

# the directory of the test scripts (before the cd below: $0 may be relative)
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/ounce-it.XXXXXX)
cleanup() {
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# check DESCRIPTION EXPECTED ACTUAL
check_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# a fixture copied to $T/NAME, so every test works on its own copy
fixture() {
	cp -a "$FIXTURES/$1" "$T/$1" || fail "cannot copy fixture $1"
	echo "$T/$1"
}

# a digest of every file, mode and link in a tree (to prove it was not written)
tree_digest() {
	(cd "$1" && find . -printf '%p %m %y %l\n' | LC_ALL=C sort && \
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum
}

# jq on a results file; fails the test on a jq error
q() {
	jq -r "$1" "$2" || fail "jq '$1' on $2"
}

# the cell object called NAME in results file F, as compact JSON
cell() {
	jq -c --arg n "$2" '.cells[] | select(.name == $n)' "$1"
}

# readelf's section table without the "[Nr]" column: NAME TYPE ADDR OFF SIZE ES FLG ...
sections() {
	readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p'
}

# size in bytes of section NAME of FILE (0 when absent)
section_size() {
	local h
	h=$(sections "$2" | awk -v n="$1" '$1 == n {print $5}')
	echo $((16#${h:-0}))
}
