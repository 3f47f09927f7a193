#!/bin/bash
# The Rust sample, as issue 3's check runs it: dev and release tables, a release
# winner no larger than the checklist Rust users apply by hand (opt-level "z",
# lto "fat", codegen-units 1, panic "abort", strip), and the cargo form pasted
# into a copy of Cargo.toml reproducing it.
. "$(dirname "$0")/lib.sh"

sample="$OUNCE_SOURCE_ROOT/samples/tinyrocket"
before=$(tree_digest "$sample")
"$OUNCE" matrix -q --builds dev,release -w "$T/work" "$sample" > table.txt \
	|| fail "matrix exited $?"
check_eq "sample tree untouched" "$before" "$(tree_digest "$sample")"
res="$T/work/results.json"
check_eq "two tables" 2 "$(grep -c '^build ' table.txt)"
for b in dev release; do
	for p in baseline strip allocator abort lto cgu1 os lld; do
		grep -Eq "^$b +$p " table.txt || fail "no $b row for $p"
	done
	grep -Eq "^$b +\+ noid " table.txt || fail "no $b cumulative rows"
done
check_eq "every cell passed its HTTP smoke test" "" \
	"$(q '.cells[] | select(.status != "ok" or .smoke != "pass") | .name' "$res")"

# the checklist, by hand, in a copy
cp -a "$sample" checklist
(cd checklist && CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=fat \
	CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort \
	CARGO_PROFILE_RELEASE_STRIP=true cargo build --offline --release --target-dir "$T/c") \
	> checklist.log 2>&1 || fail "checklist build: $(cat checklist.log)"
checklist=$(stat -c %s "$T/c/release/tinyrocket")
win=$("$OUNCE" pick "$res" | cut -f1)
want=$(q ".cells[] | select(.name == \"$win\") | .bytes" "$res")
check_eq "winner is a release cell" release "$(q ".cells[] | select(.name == \"$win\") | .build" "$res")"
[ "$want" -le "$checklist" ] || fail "winner $win: $want bytes, the checklist $checklist"
echo "winner $win: $want bytes; checklist: $checklist bytes" >&2

# the cargo form, pasted
"$OUNCE" pick --emit cargo "$res" > emitted.toml || fail "emit cargo"
cp -a "$sample" byhand
mkdir -p byhand/.cargo
awk '/^# .cargo\/config.toml/ {cfg = 1} !cfg' emitted.toml >> byhand/Cargo.toml
awk '/^# .cargo\/config.toml/ {cfg = 1} cfg' emitted.toml > byhand/.cargo/config.toml
features=$(sed -n 's/^# Build with: cargo build --release //p' emitted.toml)
# shellcheck disable=SC2086 # the words of the emitted command
(cd byhand && cargo build --offline --release $features --target-dir "$T/b") > byhand.log 2>&1 \
	|| fail "cargo with the pasted settings: $(cat byhand.log)"
got=$(stat -c %s "$T/b/release/tinyrocket")
[ $((got * 1000 / want)) -ge 990 ] && [ $((got * 1000 / want)) -le 1010 ] \
	|| fail "by hand $got bytes, ounce measured $want for $win"
(cd byhand && bash smoke.sh "$T/b/release/tinyrocket") || fail "by-hand build fails its smoke test"
# its page (ounce report) renders in a real browser: every row of both builds'
# tables with its bytes, the winner named and marked (report_html.sh checks the
# rest of the page on tinyhttpd)
. "$HERE/report_lib.sh" || fail "cannot read report_lib.sh"
"$OUNCE" report -o "$T/report.html" "$res" 2> /dev/null || fail "report exited $?"
check_report_dom "$res" "$T/report.html"
echo ok
