#!/bin/bash
# --strategy search against --strategy full on a real project nobody here wrote:
# Lua 5.4.4 (Debian's original tarball, checked by its SHA-256), a Makefile that
# hard-codes its flags and builds two executables. Search runs first in a fresh
# work directory; full runs second in the same one, so it also shows a bigger
# matrix taking the cells already measured from the cache.
# Usage: bench/search_lua.sh   (after ./bootstrap; needs curl and deb.debian.org)
# Prints a Markdown table: the best cell and bytes each found, builds run, cells,
# cache hits and wall seconds.
set -eu
cd "$(dirname "$0")/.."
ounce=$PWD/build/ounce
[ -x "$ounce" ] || { echo "bench: build ounce first (./bootstrap)" >&2; exit 1; }
command -v curl > /dev/null || { echo "bench: curl is not installed" >&2; exit 1; }
url=http://deb.debian.org/debian/pool/main/l/lua5.4/lua5.4_5.4.4.orig.tar.gz
sum=164c7849653b80ae67bec4b7473b884bf5cc8d2dca05653475ec2ed27b9ebf61
profiles=strip,gc,lto,os,lld,nosep,clang,noid

t=$(mktemp -d /tmp/ounce-bench.XXXXXX)
trap 'rm -rf "$t"' EXIT
curl -sSfL -o "$t/lua.tar.gz" "$url" || { echo "bench: cannot download $url" >&2; exit 1; }
echo "$sum  $t/lua.tar.gz" | sha256sum -c --quiet - || { echo "bench: $url: wrong SHA-256" >&2; exit 1; }
tar xzf "$t/lua.tar.gz" -C "$t"
# our own copy of the tree: the ounce.ini that says how Lua builds goes in it
cat > "$t/lua-5.4.4/ounce.ini" <<'INI'
[project]
name = lua
build = make -j{jobs} CC={cc} linux
artifact = src/lua
smoke = {artifact} -e "assert(string.format('%d', 6 * 7) == '42')"
INI

# run STRATEGY: one matrix run in the shared work directory; prints a table row
run() {
	local start end best
	start=$(date +%s.%N)
	"$ounce" matrix -q -s "$1" -p "$profiles" -w "$t/work" -f json "$t/lua-5.4.4" > /dev/null \
		2> "$t/$1.err" || { echo "bench: --strategy $1 failed: $(tail -3 "$t/$1.err")" >&2; exit 1; }
	end=$(date +%s.%N)
	best=$(jq -r --arg g "$1" '([.rows[] | select(.group == $g)][0].cell) as $c
		| .cells[] | select(.name == $c) | "\(.name) | \(.bytes)"' "$t/work/results.json")
	printf '| %s | %s | %s | %s | %s | %s | %.1f |\n' "$1" "$best" \
		"$(jq -r '.cells[] | select(.name == "baseline") | .bytes' "$t/work/results.json")" \
		"$(jq .builds_run "$t/work/results.json")" "$(jq .cells_total "$t/work/results.json")" \
		"$(jq .cache_hits "$t/work/results.json")" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
}

echo "Lua 5.4.4, profiles $profiles ($(nproc) cores)"
echo
echo "| strategy | best cell | bytes | baseline bytes | builds run | cells | cache hits | wall s |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
run search
run full
