#!/bin/bash
# A Cargo package that is a member of a workspace: its cells copy the workspace,
# whose Cargo.toml holds the [profile] settings that apply to it (here strip, so
# the baseline has no symbol table), without the workspace's target directory;
# a change to the workspace's manifest changes the cache keys; pick --emit cargo
# says where [profile] goes; the tree is left as it was.
. "$(dirname "$0")/lib.sh"

ws="$T/ws"
mkdir -p "$ws/crates/app/src" "$ws/target/release" || fail "mkdir"
printf '[workspace]\nmembers = ["crates/app"]\nresolver = "2"\n\n[profile.release]\nstrip = "symbols"\n' \
	> "$ws/Cargo.toml"
printf '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n' \
	> "$ws/crates/app/Cargo.toml"
printf 'fn main() {\n    println!("app: {}", std::env::args().count());\n}\n' \
	> "$ws/crates/app/src/main.rs"
# a previous build's leftovers, which cells must not copy
head -c 100000 /dev/zero > "$ws/target/release/stale.bin"
before=$(tree_digest "$ws")

"$OUNCE" matrix --keep-cells -p relr -w "$T/w" "$ws/crates/app" > /dev/null 2> err.txt ||
	fail "matrix exited $?: $(cat err.txt)"
grep -q "is a member of the Cargo workspace '$ws'" err.txt || fail "no workspace line: $(cat err.txt)"
r="$T/w/results.json"
check_eq "failed cells" "" "$(q '.cells[] | select(.status != "ok") | .name' "$r")"
base=$(q '.cells[] | select(.name == "baseline") | .artifact' "$r")
if sections "$base" | grep -q '^\.symtab '; then
	fail "the workspace's strip = \"symbols\" did not apply: the baseline has .symtab"
fi
[ -f "$T/w/cells/baseline/src/crates/app/Cargo.toml" ] || fail "the workspace was not copied"
[ ! -e "$T/w/cells/baseline/src/target" ] || fail "the workspace's target directory was copied"

check_eq "the workspace was not written" "$before" "$(tree_digest "$ws")"

pick=$("$OUNCE" pick --emit cargo "$r" 2> err.txt) || fail "pick exited $?: $(cat err.txt)"
grep -q "member of a workspace: \[profile\] goes in $ws/Cargo.toml, rustflags in $ws/.cargo/config.toml" <<< "$pick" ||
	fail "emit does not name the workspace's manifest: $pick"

# the workspace's manifest is part of every key: without strip, a new baseline
sed -i '/strip/d' "$ws/Cargo.toml"
before=$(tree_digest "$ws")
"$OUNCE" matrix -q -p relr -w "$T/w" "$ws/crates/app" > /dev/null 2> err.txt ||
	fail "second matrix exited $?: $(cat err.txt)"
check_eq "cache hits after the manifest changed" 0 "$(q .cache_hits "$r")"
sections "$(q '.cells[] | select(.name == "baseline") | .artifact' "$r")" | grep -q '^\.symtab ' ||
	fail "the baseline has no .symtab without strip"
check_eq "the workspace was not written" "$before" "$(tree_digest "$ws")"
echo ok
