#!/bin/bash
# A single-file project: every number in results.json matches the ELF file.
. "$(dirname "$0")/lib.sh"

dir=$(fixture single)
before=$(tree_digest "$dir")
"$OUNCE" matrix -q -j2 -p strip,gc,os --smoke '{artifact}' -w "$T/work" "$dir" > table.txt \
	|| fail "matrix exited $?"
res="$T/work/results.json"
[ -f "$res" ] || fail "no results.json"
check_eq "tree untouched" "$before" "$(tree_digest "$dir")"
check_eq "recipe" single "$(q .recipe "$res")"
check_eq "baseline" baseline "$(q .baseline "$res")"

for name in baseline gc os strip strip+gc strip+gc+os; do
	c=$(cell "$res" "$name")
	[ -n "$c" ] || fail "no cell $name"
	check_eq "$name status" ok "$(jq -r .status <<<"$c")"
	check_eq "$name smoke" pass "$(jq -r .smoke <<<"$c")"
	art=$(jq -r .artifact <<<"$c")
	[ -f "$art" ] || fail "$name: artifact $art missing"
	check_eq "$name bytes" "$(stat -c %s "$art")" "$(jq -r .bytes <<<"$c")"
	# .text as readelf sees it
	text=$(section_size .text "$art")
	check_eq "$name .text" "$text" "$(jq -r '.sections[".text"]' <<<"$c")"
	# flash: allocated sections that occupy the file
	flash=0
	while read -r _ type _ _ size _ flg _; do
		[[ $flg == *A* && $type != NOBITS ]] && flash=$((flash + 16#$size))
	done < <(sections "$art")
	check_eq "$name flash" "$flash" "$(jq -r .flash <<<"$c")"
	# stripped and xz sizes, redone by hand
	strip --strip-all -o "$T/s" "$art"
	check_eq "$name stripped" "$(stat -c %s "$T/s")" "$(jq -r .stripped_bytes <<<"$c")"
	check_eq "$name xz" "$(xz -9 -c "$T/s" | wc -c)" "$(jq -r .xz_bytes <<<"$c")"
	gz=$(gzip -9 -n -c "$T/s" | wc -c)
	ours=$(jq -r .gz_bytes <<<"$c")
	[ $((ours * 100 / gz)) -ge 97 ] && [ $((ours * 100 / gz)) -le 103 ] \
		|| fail "$name gz $ours far from gzip -9's $gz"
done

# strip really strips: the stripped cell equals its own stripped size
c=$(cell "$res" strip)
check_eq "strip cell is stripped" "$(jq -r .stripped_bytes <<<"$c")" "$(jq -r .bytes <<<"$c")"
# -Os reached the compiler: the os cell's .text is smaller than the baseline's
b=$(jq -r '.sections[".text"]' <<<"$(cell "$res" baseline)")
o=$(jq -r '.sections[".text"]' <<<"$(cell "$res" os)")
[ "$o" -lt "$b" ] || fail "os .text $o not below baseline $b"
grep -q -- ' -Os' "$T/work/cells/os/wrap.log" || fail "wrapper log lacks -Os"

# the table: a baseline row, a row per profile, cumulative rows, percentages
grep -q '^default  baseline' table.txt || fail "no baseline row"
for p in strip gc os; do
	grep -Eq "^default  $p " table.txt || fail "no row for $p"
	grep -Eq "^default  \+ $p " table.txt || fail "no cumulative row for $p"
done
pct=$(awk '$2 == "strip" {print $6}' table.txt)
base=$(q '.cells[] | select(.name == "baseline") | .bytes' "$res")
sb=$(q '.cells[] | select(.name == "strip") | .bytes' "$res")
want=$(awk -v a="$sb" -v b="$base" 'BEGIN {printf "%+.1f%%", (a - b) * 100 / b}')
check_eq "strip percent" "$want" "$pct"

# the same run again gives the same numbers
"$OUNCE" matrix -q -j2 -p strip,gc,os -w "$T/work2" "$dir" > /dev/null || fail "second run"
for name in baseline gc os strip+gc+os; do
	check_eq "$name repeatable" "$(jq -r .bytes <<<"$(cell "$res" "$name")")" \
		"$(jq -r .bytes <<<"$(cell "$T/work2/results.json" "$name")")"
done
# table re-prints a saved run
"$OUNCE" table "$res" > again.txt || fail "table"
diff -u table.txt again.txt || fail "table of the saved run differs"
# options may follow the file, as in 'ounce table FILE --format md'
"$OUNCE" table "$res" --format md | grep -q '^| build ' || fail "table FILE --format md"
"$OUNCE" table "$res" --format csv | grep -q '^build,modifications,bytes,' || fail "csv header"
check_eq "json rows" "$(q '.rows | length' "$res")" \
	"$("$OUNCE" table -f json "$res" | jq length)"
echo ok
