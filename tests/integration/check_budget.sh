#!/bin/bash
# ounce check: the README's CI recipe run as a CI runs it (the main branch's build,
# then a pull request that grows it), absolute and relative budgets, the pull-request
# comment against a golden file, ounce.ini's [budget], and bad input (one line, exit 2).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
: "${OUNCE_SOURCE_ROOT:?OUNCE_SOURCE_ROOT is not set}"

# the recipe as the README has it, and `ounce` on PATH as a CI installs it
awk '/<!-- ci-recipe/ {f = 1; next} f && /^```sh/ {g = 1; next} g && /^```/ {exit} g' \
	"$OUNCE_SOURCE_ROOT/README.md" > ci.sh
grep -qx 'ounce check new.json --against main.json --max-growth 1%' ci.sh ||
	fail "the README's CI recipe is not there or does not check: $(cat ci.sh)"
mkdir bin && ln -s "$OUNCE" bin/ounce
export PATH="$T/bin:$PATH"

# bad input: one line naming the file (and line), exit 2, nothing on stdout
bad() {
	local want=$1
	shift
	"$OUNCE" check "$@" > out.txt 2> err.txt
	local st=$?
	check_eq "$*: exit status" 2 "$st"
	check_eq "$*: one line" 1 "$(wc -l < err.txt)"
	grep -qF -- "$want" err.txt || fail "$*: expected '$want', got '$(cat err.txt)'"
	[ ! -s out.txt ] || fail "$*: printed $(cat out.txt)"
}

# the main branch: its CI run saved new.json, which pull requests get as main.json
cp -a "$FIXTURES/budget" main
(cd main && bash "$T/ci.sh" > ci.out 2> ci.err) && fail "main: no main.json yet, yet the recipe passed"
[ -s main/new.json ] || fail "main: the recipe wrote no new.json"
cp main/new.json main.json
# main against itself: within 1%
cp main.json main/main.json
(cd main && bash "$T/ci.sh" > ci.out 2> ci.err) || fail "main against itself: exit $?: $(cat main/ci.err)"
grep -q '^within budget$' main/ci.out || fail "main: $(cat main/ci.out)"

# the pull request: a new feature (an 8 KiB table and its code) and two more greetings
cp -a "$FIXTURES/budget" pr
cat > pr/feature.c <<'C'
/* feature.c: the pull request's feature. */
const char feature_banner[8192] = "ounce";
int feature_lookup(int i) { return feature_banner[i & 8191] + i; }
C
sed -i 's/"ciao"}/"ciao", "hej", "moi"}/' pr/prog.c
grep -q '"moi"' pr/prog.c || fail "the fixture's greetings changed: fix the sed above"
cp main.json pr/main.json
(cd pr && bash "$T/ci.sh" > ci.out 2> ci.err)
check_eq "the grown pull request fails CI" 1 $?
before=$(stat -c %s main/build/prog)
after=$(stat -c %s pr/build/prog)
delta=$((after - before))
[ "$delta" -gt $((before / 100)) ] || fail "the fixture grew only $delta bytes: not over 1%"
line=$(grep '^build/prog ' pr/ci.out) || fail "no line for build/prog: $(cat pr/ci.out)"
read -r name b a d pct budget verdict <<< "$line"
check_eq "before" "$before" "$b"
check_eq "after" "$after" "$a"
check_eq "delta" "+$delta" "$d"
check_eq "budget" "+1%" "$budget"
allowed=$((before / 100))
check_eq "verdict" "over: grew $delta B ($pct), more than +1% ($allowed B)" "$verdict"
grep -q '^over budget$' pr/ci.out || fail "no 'over budget' line: $(cat pr/ci.out)"
[ ! -s pr/ci.err ] || fail "CI printed on stderr: $(cat pr/ci.err)"

cd pr || fail "cd pr"
# the pull-request comment, against the golden file (its sizes are those of
# Debian bookworm's gcc 12 with the Makefile's fixed flags)
"$OUNCE" check new.json --against main.json --max-growth 1% --format md > comment.md
check_eq "md: exit status" 1 $?
diff -u "$HERE/golden/check_pr_comment.md" comment.md ||
	fail "the Markdown comment differs from tests/integration/golden/check_pr_comment.md"
# the same from the two ELF files: the same symbol changes
"$OUNCE" check build/prog --against ../main/build/prog --max-growth 1% --format md > elf.md
sed -n '/<details>/,$p' elf.md > elf.details
sed -n '/<details>/,$p' comment.md > json.details
cmp -s elf.details json.details || fail "ELF files and size JSON give other symbol changes"
# a stripped file has no symbols: said, not invented
strip -o prog.stripped build/prog
"$OUNCE" check prog.stripped --against ../main/build/prog --format md > stripped.md 2> warn.txt
check_eq "no budget: exit status" 0 $?
grep -q "^Symbol changes are not available: 'prog.stripped' is stripped" stripped.md ||
	fail "stripped: $(cat stripped.md)"
grep -q '^ounce: warning: no budget to check' warn.txt || fail "no warning without a budget"
grep -q '^### ounce check: no budget to check$' stripped.md || fail "$(cat stripped.md)"

# relative: within a byte allowance larger than the growth, over a smaller one
"$OUNCE" check new.json --against main.json --max-growth $((delta + 1))B > out.txt
check_eq "within +$((delta + 1))B" 0 $?
grep -q '^within budget$' out.txt || fail "$(cat out.txt)"
"$OUNCE" check new.json --against main.json --max-growth 512B > out.txt
check_eq "over +512B" 1 $?
grep -q "over: grew $delta B, more than +512 B" out.txt || fail "$(cat out.txt)"

# absolute, on the file and on the stripped copy (strip's bytes, checked with strip)
"$OUNCE" check build/prog --budget 1M > out.txt
check_eq "within 1M" 0 $?
grep -q '^build/prog .* 1M  ok$' out.txt || fail "$(cat out.txt)"
"$OUNCE" check build/prog --budget prog=8K > out.txt
check_eq "over prog=8K" 1 $?
grep -q "over: $((after - 8192)) B over 8K$" out.txt || fail "$(cat out.txt)"
"$OUNCE" check build/prog --metric stripped --budget $(stat -c %s prog.stripped) -f json > out.json
check_eq "stripped: exactly at the budget is within" 0 $?
check_eq "stripped bytes" "$(stat -c %s prog.stripped)" "$(jq '.rows[0].after' out.json)"
check_eq "json verdict" ok "$(jq -r '.verdict' out.json)"
"$OUNCE" check build/prog --metric stripped --budget $(($(stat -c %s prog.stripped) - 1)) > /dev/null
check_eq "stripped: a byte over" 1 $?

# a results.json: the baseline cell by default, --cell another; symbols from the
# artifact files the run kept
"$OUNCE" matrix ../main -p strip -w ../work -o ../results.json > /dev/null 2> matrix.err ||
	fail "matrix: $(cat matrix.err)"
jq -r '.cells[] | "\(.name) \(.artifacts[0].bytes)"' ../results.json > cells.txt
base_bytes=$(awk '$1 == "baseline" {print $2}' cells.txt)
strip_bytes=$(awk '$1 == "strip" {print $2}' cells.txt)
check_eq "the matrix's baseline is main's build" "$before" "$base_bytes"
"$OUNCE" check ../results.json --budget "$base_bytes" > out.txt
check_eq "results.json: the baseline, at its budget" 0 $?
grep -q '^../results.json (cell baseline), metric file' out.txt || fail "$(cat out.txt)"
"$OUNCE" check ../results.json --cell strip --budget $((strip_bytes - 1)) > out.txt
check_eq "results.json: --cell strip, a byte over" 1 $?
grep -q "^src/build/prog .* over: 1 B over total $((strip_bytes - 1))$" out.txt || fail "$(cat out.txt)"
"$OUNCE" check new.json --against ../results.json --max-growth 1% --format md > results.md
check_eq "against results.json" 1 $?
sed -n '/<details>/,$p' results.md > results.details
cmp -s results.details json.details || fail "against results.json: other symbol changes: $(cat results.md)"
bad "results.json: error: no cell 'lto'" ../results.json --cell lto

# ounce.ini's [budget]: per artifact, by base name
printf '[project]\nname = prog\n\n[budget]\nprog = 8K\nother-program = 1K\n' > ounce.ini
"$OUNCE" check build/prog > out.txt
check_eq "ounce.ini: over 8K" 1 $?
grep -q "over: $((after - 8192)) B over 8K$" out.txt || fail "$(cat out.txt)"
"$OUNCE" check build/prog --budget prog=1M > /dev/null
check_eq "the command line replaces ounce.ini's budget" 0 $?
cd .. || fail "cd .."
"$OUNCE" check -C pr pr/build/prog > /dev/null
check_eq "-C DIR reads DIR/ounce.ini" 1 $?

printf '[budget]\nprog = 8 K\n' > pr/ounce.ini
head -c 3000 /dev/urandom > garbage
printf '{"file": "x",\n "bytes": ' > cut.json
echo '{"hello": 1}' > other.json
bad "pr/ounce.ini:2: error: budget of 'prog': '8 K' is not a size" -C pr pr/build/prog
bad "garbage: error: not an ELF file, a results.json or \`ounce size --format json\` output" garbage
bad "cut.json:2: error: invalid JSON" cut.json
bad "other.json: error: not an ELF file" other.json
bad "cannot open 'missing'" missing --budget 1K
bad "--budget '12Q': '12Q' is not a size" pr/build/prog --budget 12Q
bad "--max-growth needs an older build" main.json --max-growth 1%
bad "--max-growth '1 %': not a growth" main.json --against main.json --max-growth '1 %'
bad "the stripped metric needs the ELF file or a results.json" main.json --metric stripped
bad "--budget 'nope=1K': no artifact 'nope' in 'main.json' (it has: build/prog)" main.json --budget nope=1K
bad "unknown format 'csv'" main.json -f csv
# a results.json that breaks off after its header (what was read is freed: ASan)
jq 'del(.cells)' results.json > nocells.json
bad "nocells.json: error: not an ounce results file: no 'cells' array" nocells.json
echo ok
