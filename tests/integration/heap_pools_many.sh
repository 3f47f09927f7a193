#!/bin/bash
# `ounce heap pools` on 10,000 size classes with --pools 64 (28 s before the exact
# search had a budget): done in under 5 s, with the bounded search named in its
# output and on stderr. And joint capacities of 256 classes over 120,000 events
# (m²/2 steps for each new live vector: 12 s of CPU for 200,000 events before)
# give way to sums past their budget, and say so.
. "$(dirname "$0")/lib.sh"

cat > many.c <<'C'
#include <stdlib.h>
int
main(void)
{
	static void *p[10000];

	for (int i = 0; i < 10000; i++) {
		p[i] = malloc(8 * (size_t)(i + 1));
	}
	for (int i = 0; i < 10000; i++) {
		free(p[i]);
	}
	return 0;
}
C
gcc -O1 -o many many.c || fail "gcc"
"$OUNCE" heap trace -o many.log -- ./many 2> err.txt || fail "trace: $(cat err.txt)"

start=$(date +%s%N)
timeout 60 "$OUNCE" heap pools many.log --pools 64 > pools.ini 2> err.txt ||
	fail "pools: $(cat err.txt)"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -lt 5000 ] || fail "heap pools took $ms ms on 10,000 classes"
grep -q '^# bounded search: ' pools.ini || fail "no bounded search in: $(head -3 pools.ini)"
grep -q 'bounded search' err.txt || fail "no bounded search on stderr: $(cat err.txt)"
grep -q '^\[pools\]' pools.ini || fail "no layout: $(tail -3 pools.ini)"
# the 64-pool layout: 64 pools, the largest the largest class
check_eq "pools in the layout" 64 "$(sed -n '/^\[pools\]/,$p' pools.ini | grep -c ' = ')"
grep -q '^80000 = ' pools.ini || fail "no 80000-byte pool: $(tail -3 pools.ini)"
timeout 60 "$OUNCE" heap pools many.log --pools 64 -f json > pools.json || fail "json"
check_eq "method" bounded "$(q .method pools.json)"
check_eq "layouts" 64 "$(q '.layouts | length' pools.json)"

cat > churn.c <<'C'
#include <stdlib.h>
int
main(void)
{
	static void *live[1000];
	unsigned x = 1;

	for (int i = 0; i < 60000; i++) {
		x = x * 1103515245u + 12345u;
		free(live[(x >> 8) % 1000]);
		live[(x >> 8) % 1000] = malloc(8 * (1 + (x >> 16) % 256));
	}
	return 0;
}
C
gcc -O1 -o churn churn.c || fail "gcc churn"
"$OUNCE" heap trace -o churn.log -- ./churn 2> err.txt || fail "trace churn: $(cat err.txt)"
start=$(date +%s%N)
timeout 60 "$OUNCE" heap pools churn.log --pools 8 -f json > churn.json 2> err.txt ||
	fail "pools churn: $(cat err.txt)"
ms=$((($(date +%s%N) - start) / 1000000))
# (the budget is about 1 s of an optimised build's time; sanitizers take longer)
[ "$ms" -lt 10000 ] || fail "heap pools took $ms ms on 256 classes and 120,000 events"
grep -q '256 size classes in .* events: joint capacities would take more than' err.txt ||
	fail "no joint budget said: $(cat err.txt)"
check_eq "capacity" sum "$(q .capacity churn.json)"

# --pools past the number of classes is capped by it; a small problem is exact
printf '#include <stdlib.h>\nint main(void) { free(malloc(24)); free(malloc(100)); return 0; }\n' \
	> few.c
gcc -o few few.c || fail "gcc few"
"$OUNCE" heap trace -o few.log -- ./few 2> /dev/null || fail "trace few"
"$OUNCE" heap pools few.log --pools 50 -f json > few.json 2> err.txt || fail "few: $(cat err.txt)"
check_eq "method" exact "$(q .method few.json)"
[ "$(q '.layouts | length' few.json)" -le 50 ] || fail "layouts past the classes"
grep -q 'pools are no better than' err.txt || fail "no cap said: $(cat err.txt)"
echo "ok"
