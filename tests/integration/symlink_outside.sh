#!/bin/bash
# A project whose config.h is a link out of its tree (absolute) and whose rel.h
# is one by ../: the cache key hashes what they lead to, so a change there
# rebuilds every cell with the new content (never a stale [cached] answer), and
# each cell holds a copy, so a build that writes into its config.h leaves the
# user's file as it was.
. "$(dirname "$0")/lib.sh"

mkdir -p proj outside
printf '#define SIZE 16\n' > outside/config.h
printf '#define SIZE2 16\n' > outside/rel.h
ln -s "$T/outside/config.h" proj/config.h
ln -s ../outside/rel.h proj/rel.h
cat > proj/main.c <<'C'
#include "config.h"
#include "rel.h"
volatile char big[SIZE + SIZE2] = {1};
int
main(void)
{
	return big[0];
}
C
# the build writes into config.h once it is compiled
printf 'prog: main.c config.h rel.h\n\t$(CC) $(CFLAGS) -o prog main.c\n\techo "/* the build was here */" >> config.h\n' \
	> proj/Makefile

run() {
	"$OUNCE" matrix -q -p os --no-verify -w "$T/w" -f json "$T/proj" > /dev/null 2> err.txt \
		|| fail "$1: exited $?: $(cat err.txt)"
}
r="$T/w/results.json"
bytes() { q '.cells[] | select(.name == "baseline") | .bytes' "$r"; }

run "first run"
check_eq "the outside config.h after a build wrote into the cell's" '#define SIZE 16' \
	"$(cat outside/config.h)"
[ -L proj/config.h ] || fail "the project's link was replaced"
first=$(bytes)
check_eq "first run builds" 2 "$(q .builds_run "$r")"

# the file the absolute link leads to changes: every cell rebuilt, bigger
printf '#define SIZE 40000\n' > outside/config.h
run "run after config.h changed"
check_eq "hits after config.h changed" 0 "$(q .cache_hits "$r")"
check_eq "builds after config.h changed" 2 "$(q .builds_run "$r")"
second=$(bytes)
[ "$second" -ge $((first + 39000)) ] || fail "config.h's new size not built: $first then $second"
check_eq "the outside config.h after the second run" '#define SIZE 40000' "$(cat outside/config.h)"

# the file the ../ link leads to changes: rebuilt again
printf '#define SIZE2 80000\n' > outside/rel.h
run "run after rel.h changed"
check_eq "hits after rel.h changed" 0 "$(q .cache_hits "$r")"
third=$(bytes)
[ "$third" -ge $((second + 79000)) ] || fail "rel.h's new size not built: $second then $third"

# nothing changed: from the cache, the same numbers
run "run with nothing changed"
check_eq "hits with nothing changed" 2 "$(q .cache_hits "$r")"
check_eq "bytes from the cache" "$third" "$(bytes)"
echo ok
