#!/bin/bash
# The allocator profile links jemalloc into every cell it is in: without LTO, under
# gcc LTO (whose IR symbol table lists no calls to built-ins such as malloc, so an
# archive at the end of the link used to be skipped) and under clang LTO, with GNU
# ld and with lld. The artifacts' symbols say so, not the table.
. "$(dirname "$0")/lib.sh"

dir=$(fixture single)
"$OUNCE" matrix -q -j2 -s full -p clang,lto,lld,allocator --smoke '{artifact}' -w "$T/work" \
	"$dir" > /dev/null 2> err.txt || fail "matrix exited $?: $(cat err.txt)"
res="$T/work/results.json"

# the entry points of glibc's malloc family that jemalloc replaces: each is defined
# by the artifact and exported, so glibc's own calls (strdup, fopen...) reach it too
family="aligned_alloc calloc free malloc malloc_usable_size memalign posix_memalign realloc valloc"

# gcc: no LTO, LTO; clang: no LTO, ThinLTO; with lld (not with gcc's LTO: skipped)
for with in allocator lto+allocator clang+allocator clang+lto+allocator lld+allocator \
	clang+lld+allocator clang+lto+lld+allocator; do
	without=${with%allocator}
	without=${without%+}
	without=${without:-baseline}
	c=$(cell "$res" "$with")
	[ -n "$c" ] || fail "no cell $with"
	check_eq "$with status" ok "$(jq -r .status <<<"$c")"
	check_eq "$with smoke" pass "$(jq -r .smoke <<<"$c")"
	art=$(jq -r .artifact <<<"$c")
	base=$(q ".cells[] | select(.name == \"$without\") | .artifact" "$res")
	[ -f "$art" ] && [ -f "$base" ] || fail "$with or $without: no artifact"

	# jemalloc's own API, which glibc does not have, and one of its internals
	nm "$art" > syms.txt || fail "nm $art"
	grep -q ' T mallctl$' syms.txt || fail "$with: no mallctl: jemalloc is not linked"
	grep -q ' [Tt] je_malloc_default$' syms.txt || fail "$with: no je_malloc_default"
	nm "$base" | grep -q 'mallctl' && fail "$without has mallctl without the allocator"

	dyn=$(nm -D --defined-only "$art" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
	for f in $family; do
		[[ " $dyn" == *" $f "* ]] || fail "$with: $f not defined in .dynsym (defined: $dyn)"
	done
	nm -D --undefined-only "$art" | grep -Eq ' (malloc|free|calloc|realloc)@' \
		&& fail "$with still calls glibc's malloc family"

	a=$(stat -c %s "$art")
	b=$(stat -c %s "$base")
	# jemalloc is some 900 KB; the difference has to be far more than noise
	[ "$a" -gt $((b + 200000)) ] || fail "$with is $a bytes, $without $b: jemalloc is not in it"
	check_eq "$with bytes" "$a" "$(jq -r .bytes <<<"$c")"
done
check_eq "gcc LTO with lld is not built" skipped "$(q '.cells[] | select(.name ==
	"lto+lld+allocator") | .status' "$res")"
echo ok
