#!/bin/bash
# A Cargo project: profiles reach it through CARGO_PROFILE_* and RUSTFLAGS, the
# Cargo.toml is never edited, dev and release each get a table, and the cargo
# form pasted into a copy of Cargo.toml reproduces the winner.
. "$(dirname "$0")/lib.sh"

dir=$(fixture cargoproj)
before=$(tree_digest "$dir")
"$OUNCE" matrix -q -j2 --keep-cells -p strip,abort,lto,cgu1,os,oz --builds dev,release -w "$T/work" "$dir" \
	> table.txt || fail "matrix exited $?"
res="$T/work/results.json"
check_eq "tree untouched" "$before" "$(tree_digest "$dir")"
check_eq "recipe" cargo "$(q .recipe "$res")"
check_eq "no failed cell" "" "$(q '.cells[] | select(.status != "ok") | .name' "$res")"
check_eq "baseline is release" baseline "$(q .baseline "$res")"
check_eq "dev baseline" dev:baseline "$(q .baselines.dev "$res")"
cmp -s "$dir/Cargo.toml" "$T/work/cells/lto/src/Cargo.toml" || fail "Cargo.toml was edited"
# the variables reached cargo: panic=abort drops the unwinding machinery
a=$(q '.cells[] | select(.name == "abort") | .sections[".eh_frame"] // 0' "$res")
b=$(q '.cells[] | select(.name == "baseline") | .sections[".eh_frame"] // 0' "$res")
[ "$a" -lt "$b" ] || fail "abort .eh_frame $a not below the baseline's $b"
# strip = "symbols": no symbol table left, where the baseline has one
check_eq "strip=symbols" null "$(q '.cells[] | select(.name == "strip") | .sections[".symtab"]' "$res")"
[ "$(q '.cells[] | select(.name == "baseline") | .sections[".symtab"]' "$res")" -gt 0 ] \
	|| fail "the baseline has no symbol table"
# the C-only profiles are not offered to a Cargo project
"$OUNCE" matrix -q -p gc -w "$T/w2" "$dir" > /dev/null 2> err.txt
check_eq "gc refused" 2 "$?"
grep -q "profile 'gc' .* has no \[cargo\] section" err.txt || fail "gc message: $(cat err.txt)"

win=$("$OUNCE" pick "$res" | cut -f1)
want=$(q ".cells[] | select(.name == \"$win\") | .bytes" "$res")
"$OUNCE" pick --emit cargo "$res" > profile.toml || fail "emit cargo"
grep -q '^\[profile.release\]' profile.toml || fail "no [profile.release]: $(cat profile.toml)"
cp -a "$FIXTURES/cargoproj" byhand
cat profile.toml >> byhand/Cargo.toml
(cd byhand && cargo build --offline --release --target-dir "$T/t") > cargo.log 2>&1 \
	|| fail "cargo with the pasted profile: $(cat cargo.log)"
got=$(stat -c %s "$T/t/release/cargoproj")
[ $((got * 1000 / want)) -ge 990 ] && [ $((got * 1000 / want)) -le 1010 ] \
	|| fail "by hand $got bytes, ounce measured $want for $win"
"$OUNCE" pick --emit make "$res" > /dev/null 2> err.txt && fail "emit make for a Cargo build"
grep -q "is a Cargo build" err.txt || fail "emit make message: $(cat err.txt)"
echo ok
