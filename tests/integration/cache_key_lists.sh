#!/bin/bash
# The lists in the cache's key (the artifacts measured, a build's configure and
# build arguments and environment) are a count and then each string as a part of
# its own: --artifact one --artifact two and --artifact 'one<newline>two' once
# joined into the same key, and the second run was served the first one's cells.
. "$(dirname "$0")/lib.sh"

dir=$(fixture multi)
r="$T/w/results.json"
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" -f json --artifact one --artifact two \
	"$dir" > /dev/null 2> err.txt || fail "first run exited $?: $(cat err.txt)"
check_eq "first run" "baseline:ok strip:ok" \
	"$(q '[.cells[] | "\(.name):\(.status)"] | join(" ")' "$r")"
# one artifact whose name holds a newline: no such file, so the baseline fails
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" -f json --artifact $'one\ntwo' \
	"$dir" > /dev/null 2> err.txt
check_eq "exit status" 1 "$?"
check_eq "hits for another list" 0 "$(q .cache_hits "$r")"
check_eq "second run" "baseline:build-failed" \
	"$(q '[.cells[] | "\(.name):\(.status)"] | join(" ")' "$r")"
# the two lists still hit their own entries
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" -f json --artifact one --artifact two \
	"$dir" > /dev/null 2> err.txt || fail "third run exited $?: $(cat err.txt)"
check_eq "hits for the first list" 2 "$(q .cache_hits "$r")"
echo ok
