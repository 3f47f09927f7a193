#!/bin/bash
# A CMake project whose plugin is add_library(MODULE): pick --emit cmake sets
# CMAKE_MODULE_LINKER_FLAGS, so the winner's lld and --build-id=none reach the
# plugin's link, and pick --verify, rebuilding from the cache file with cmake -C
# in a copy of the tree, gets the cell's bytes; so does the wrapper form. Both
# programs compile __FILE__ (CMake's absolute paths): the rebuild maps its copy to
# the project as the cells mapped theirs.
. "$(dirname "$0")/lib.sh"

dir=$(fixture cmakemod)
before=$(tree_digest "$dir")
"$OUNCE" matrix -q --no-verify -p strip,gc,lld,noid -w "$T/work" "$dir" > /dev/null \
	|| fail "matrix exited $?"
res="$T/work/results.json"
win=$("$OUNCE" pick "$res" | cut -f1)
case "+$win+" in *+lld+*noid+*) ;; *) fail "the winner '$win' links no plugin with lld" ;; esac
check_eq "artifacts" "stage/bin/host stage/lib/plugins/greet.so" \
	"$(q ".cells[] | select(.name == \"$win\") | [.artifacts[].name] | join(\" \")" "$res")"

"$OUNCE" pick --emit cmake "$res" > ounce.cmake || fail "emit cmake"
grep -q '^set(CMAKE_MODULE_LINKER_FLAGS "-Wl,--gc-sections -fuse-ld=lld .*--build-id=none"' \
	ounce.cmake || fail "no module linker flags: $(cat ounce.cmake)"

"$OUNCE" pick --verify "$res" > out.txt 2> err.txt || fail "verify exited $?: $(cat out.txt err.txt)"
check_eq "verify line" "verified: identical (cmake form)" "$(sed -n 2p out.txt)"
check_eq "recorded" "cmake identical" \
	"$(q ".cells[] | select(.name == \"$win\") | .verify[] | \"\(.form) \(.state)\"" "$res")"
log=$(q ".cells[] | select(.name == \"$win\") | .verify[0].log" "$res")
grep -q -- '-C ounce.cmake' "$log" || grep -q 'loading initial cache' "$log" \
	|| fail "the rebuild did not read the cache file: $(cat "$log")"
# the rebuild ran without ounce's wrapper, in the work directory
grep -q 'OUNCE_' "$log" && fail "ounce's wrapper in the rebuild: $log"
case "$log" in "$T/work/verify/cmake/"*) ;; *) fail "log at $log" ;; esac

"$OUNCE" pick --verify --emit wrapper "$res" > wrap.txt 2> err.txt \
	|| fail "verify wrapper exited $?: $(cat err.txt)"
check_eq "wrapper verify line" "# verified: identical (wrapper form)" "$(tail -n 1 wrap.txt)"
check_eq "both recorded" "cmake identical,wrapper identical" \
	"$(q "[.cells[] | select(.name == \"$win\") | .verify[] | \"\(.form) \(.state)\"] | join(\",\")" "$res")"
check_eq "the user's tree untouched" "$before" "$(tree_digest "$dir")"

# the table and pick still read the file verify rewrote
"$OUNCE" table "$res" > /dev/null || fail "table after verify"
check_eq "same winner" "$win" "$("$OUNCE" pick "$res" | cut -f1)"
echo ok
