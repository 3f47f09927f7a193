#!/bin/bash
# matrix --repeat 2 builds every cell twice, the second time from scratch in a
# later second, and flags the cells whose bytes differ: a program that embeds
# __TIME__ is flagged in every cell (a copy cell, strip, included), also when the
# cache already holds every cell's first build; one that embeds no time is not.
. "$(dirname "$0")/lib.sh"

# gcc would read the time from it instead of the clock: the bug the repeat
# exists to find would hide
unset SOURCE_DATE_EPOCH

# the cells: baseline, strip (a copy of the baseline's artifact, stripped) and os
stamp=$(fixture timestamp)
"$OUNCE" matrix -q -j2 --no-verify --repeat 2 -p strip,os -s each -w "$T/w1" "$stamp" \
	> table1.txt 2> err1.txt || fail "matrix --repeat 2 on timestamp exited $?: $(cat err1.txt)"
res="$T/w1/results.json"
check_eq "repeat recorded" 2 "$(q '.repeat' "$res")"
check_eq "cells that built" 3 "$(q '[.cells[] | select(.status == "ok")] | length' "$res")"
check_eq "cells flagged" 3 \
	"$(q '[.cells[] | select(.status == "ok" and .reproducible == false)] | length' "$res")"
check_eq "strip is a copy" baseline "$(q '.cells[] | select(.name == "strip") | .reused_from' "$res")"
# what differed, and the repeat's copy of it, kept to compare
detail=$(q '.cells[] | select(.name == "os") | .reproducible_detail' "$res")
case "$detail" in
*"build 2 of 2 gave other bytes for 'src/stamp'"*) ;;
*) fail "os: detail '$detail'" ;;
esac
kept=${detail##*kept: }
kept=${kept%)}
[ -f "$kept" ] || fail "the repeat's artifact '$kept' was not kept"
first=$(q '.cells[] | select(.name == "os") | .artifact' "$res")
cmp -s "$first" "$kept" && fail "the two builds of os are identical"
strings "$kept" | grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}$' \
	|| fail "the kept build embeds no time"
# the table: each row marked, the footnote naming each cell
check_eq "rows marked" 3 "$(grep -c 'ok (not reproducible\*)' table1.txt)"
grep -q '^\* not reproducible: built 2 times (--repeat 2), 3 of 3 cells' table1.txt \
	|| fail "no footnote: $(cat table1.txt)"
grep -q "^  os: build 2 of 2 gave other bytes for 'src/stamp'" table1.txt \
	|| fail "the footnote does not name os: $(cat table1.txt)"
# pick hands over a winner, and says it is not reproducible
"$OUNCE" pick "$res" > pick.txt 2> pickerr.txt || fail "pick: $(cat pickerr.txt)"
grep -q "is not reproducible" pickerr.txt || fail "pick did not say: $(cat pickerr.txt)"

# again in the same work directory: every first build comes from the cache, and
# the repeats, built from scratch, still see the time
"$OUNCE" matrix -q -j2 --no-verify --repeat 2 -p strip,os -s each -w "$T/w1" "$stamp" \
	> table2.txt 2> err2.txt || fail "second matrix --repeat 2 exited $?: $(cat err2.txt)"
check_eq "second run: from the cache" 3 "$(q '.cache_hits' "$res")"
check_eq "second run: cells flagged" 3 \
	"$(q '[.cells[] | select(.status == "ok" and .reproducible == false)] | length' "$res")"

# a program that embeds no time: built twice, the same bytes in every cell
counter=$(fixture makeproj)
"$OUNCE" matrix -q -j2 --no-verify --repeat 2 -p strip,os -s each -w "$T/w2" "$counter" \
	> table3.txt 2> err3.txt || fail "matrix --repeat 2 on makeproj exited $?: $(cat err3.txt)"
res="$T/w2/results.json"
check_eq "makeproj: cells that built" 3 "$(q '[.cells[] | select(.status == "ok")] | length' "$res")"
check_eq "makeproj: reproducible cells" 3 \
	"$(q '[.cells[] | select(.status == "ok" and .reproducible == true)] | length' "$res")"
grep -q 'not reproducible' table3.txt && fail "makeproj flagged: $(cat table3.txt)"
grep -q '^reproducible: ' table3.txt || fail "no line saying they were compared: $(cat table3.txt)"
# an identical repeat leaves nothing behind
[ -z "$(ls -d "$T"/w2/cells/*~2 2>/dev/null)" ] || fail "repeat directories left: $(ls "$T/w2/cells")"
echo ok
