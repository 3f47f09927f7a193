#!/bin/bash
# ounce report on the sample web server, opened in a real browser (Debian's
# chromium, headless): the DOM has a row for every line of `ounce table` with its
# bytes, the winner `ounce pick` chooses is marked, the sorting script ran; a
# screenshot at 1280 px shows the bar chart's bars, one at 390 px the bars and
# the scatter's Pareto front; the page asks for nothing outside itself. Every chromium run is
# bounded and has its own profile directory under $T (removed with it).
. "$(dirname "$0")/lib.sh"
. "$HERE/report_lib.sh" || fail "cannot read report_lib.sh"

command -v pngtopnm > /dev/null || fail "netpbm is not installed (tests/run installs it)"

sample="$OUNCE_SOURCE_ROOT/samples/tinyhttpd"
"$OUNCE" matrix -q -j2 -p strip,gc,os,nossp --no-verify -w "$T/work" "$sample" > /dev/null \
	|| fail "matrix exited $?"
res="$T/work/results.json"

# bad input: exit 2, and no page
"$OUNCE" report -o bad.html "$T/none.json" 2> err.txt
check_eq "a missing results.json" 2 "$?"
"$OUNCE" report --emit cargo -o bad.html "$res" 2> err.txt
check_eq "a Cargo form for a C build" 2 "$?"
grep -q "is a C build" err.txt || fail "no reason given: $(cat err.txt)"
[ ! -e bad.html ] || fail "a page was written after bad input"

# the default place: beside results.json
"$OUNCE" report "$res" 2> /dev/null || fail "report exited $?"
[ -s "$T/work/report.html" ] || fail "no report.html beside results.json"
"$OUNCE" report -o "$T/report.html" "$res" 2> /dev/null || fail "report -o exited $?"
page="$T/report.html"

# self-contained: no source, link or url() but the page's own anchors
check_eq "references out of the page" "" \
	"$(grep -Eo '(src|href|xlink:href)="[^#"][^"]*"|url\(' "$page")"

check_report_dom "$res" "$page"
rows=$("$OUNCE" table -f json "$res" | jq length)
# the script turned each heading into a sort button
check_eq "sort buttons" $((13 * $(grep -c '<table class="sortable"' dom.html))) \
	"$(grep -o '<th scope="col"[^>]*><button type="button">' dom.html | wc -l)"
# sorting: a copy of the page clicks the "size (bytes)" heading; the rows come
# out by bytes, smallest first, a row without bytes ("-") last
sed 's|</body>|<script>document.querySelector("table.sortable th:nth-child(3) button").click();</script></body>|' \
	"$page" > "$T/sorting.html"
browse --dump-dom "file://$T/sorting.html" > sorted.html || fail "chromium --dump-dom exited $?"
grep -q '<th scope="col" class="n" aria-sort="ascending"><button type="button">size (bytes)' \
	sorted.html || fail "the bytes heading is not marked as sorted"
grep -o '<tr data-cell="[^"]*" data-group="[^"]*" data-i="[0-9]*"[^>]*>\(<td[^>]*>[^<]*</td>\)\{2\}<td class="n" data-v="[^"]*"' \
	sorted.html | sed 's/.*data-v="\([^"]*\)"$/\1/' > order.txt
check_eq "sorted rows" "$rows" "$(wc -l < order.txt)"
awk 'NF == 0 {blank = 1; next} blank || (NR > 1 && $1 + 0 < last) {exit 1} {last = $1 + 0}' \
	order.txt || fail "rows not sorted by bytes: $(tr '\n' ' ' < order.txt)"
grep -q 'id="flame-baseline"' dom.html && grep -q 'id="flame-winner"' dom.html \
	|| fail "no flame graphs"
[ "$(grep -c 'Size flame graph of' dom.html)" -eq 2 ] || fail "the flame graphs were not drawn"

# pixels of colour R G B in PNG file $1 (only the charts draw these colours, but
# for their legends' 12-pixel squares)
pixels() {
	pngtopnm "$1" | ppmhist -noheader \
		| awk -v r="$2" -v g="$3" -v b="$4" '$1 == r && $2 == g && $3 == b {n += $5} END {print n + 0}'
}

# (a screenshot of file://...#chart comes out blank in chromium's headless mode,
# so each is of a window as tall as the page's top and counts the whole picture)
# 1280 px: the bar chart's green bars (#2a9d4b) and the winner's (#e0a100)
browse --screenshot="$T/wide.png" --window-size=1280,2600 "file://$page" > /dev/null \
	|| fail "chromium --screenshot exited $?: $(tail -5 "$T/chromium.log")"
check_eq "screenshot width" 1280 "$(pngtopnm "$T/wide.png" | pnmfile | awk '{print $4}')"
green=$(pixels "$T/wide.png" 42 157 75)
[ "$green" -gt 3000 ] || fail "the bar chart looks blank at 1280 px: $green green pixels"
gold=$(pixels "$T/wide.png" 224 161 0)
[ "$gold" -gt 1000 ] || fail "no winner's bar at 1280 px: $gold gold pixels"

# 390 px (a phone): the charts drawn for a narrow screen, the bars and the
# scatter's Pareto front (#1f6fd1)
browse --screenshot="$T/narrow.png" --window-size=390,3000 "file://$page" > /dev/null \
	|| fail "chromium --screenshot exited $?: $(tail -5 "$T/chromium.log")"
check_eq "screenshot width" 390 "$(pngtopnm "$T/narrow.png" | pnmfile | awk '{print $4}')"
green=$(pixels "$T/narrow.png" 42 157 75)
[ "$green" -gt 1500 ] || fail "the bar chart looks blank at 390 px: $green green pixels"
# (the legend's square alone is about 150 of them; the front is at least one
# point, a disc of radius 6, and its step line when it has more: how many points
# depends on the measured build times, so only the one point is counted on)
blue=$(pixels "$T/narrow.png" 31 111 209)
[ "$blue" -gt 200 ] || fail "the scatter looks blank at 390 px: $blue blue pixels"
echo ok
