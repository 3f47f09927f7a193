#!/bin/bash
# A Cargo project whose .cargo/config.toml has rustflags it needs (a --cfg): the
# profiles' rustflags (relr: -C link-arg) are added to them, under [build] or
# under target rustflags, as the project keeps them, and to RUSTFLAGS or
# CARGO_ENCODED_RUSTFLAGS when the environment has them (then Cargo reads no
# configuration rustflags); a linker the configuration names is the one that
# links; with build.target the binary is found under target/TRIPLE/release.
# Every cell is built (--no-reuse), none relinked.
. "$(dirname "$0")/lib.sh"

dir=$(fixture cargoconf)
# run NAME [ENV...]: the matrix in work directory $T/NAME; both cells build, and
# relr's binary has DT_RELR where the baseline's has none
run() {
	local w="$T/$1"
	shift
	env "$@" "$OUNCE" matrix -q --no-reuse --keep-cells -p relr -w "$w" "$dir" > /dev/null 2> err.txt ||
		fail "$w: matrix exited $?: $(cat err.txt)"
	check_eq "$w: failed cells" "" "$(q '.cells[] | select(.status != "ok") | .name' "$w/results.json")"
	readelf -d "$(q '.cells[] | select(.name == "relr") | .artifact' "$w/results.json")" |
		grep -q RELR || fail "$w: relr has no DT_RELR"
	if readelf -d "$(q '.cells[] | select(.name == "baseline") | .artifact' "$w/results.json")" |
		grep -q RELR; then
		fail "$w: the baseline has DT_RELR"
	fi
}

run build
grep -q '^\[build\]$' "$T/build/cells/relr/.cargo/config.toml" ||
	fail "not under [build]: $(cat "$T/build/cells/relr/.cargo/config.toml")"

# another target's table (a cross build's) does not count: still [build]
printf '[build]\nrustflags = ["--cfg", "project_cfg"]\n[target.aarch64-unknown-linux-gnu]\nrustflags = ["-Ctarget-cpu=cortex-a72"]\n' \
	> "$dir/.cargo/config.toml"
run cross
grep -q '^\[build\]$' "$T/cross/cells/relr/.cargo/config.toml" ||
	fail "not under [build]: $(cat "$T/cross/cells/relr/.cargo/config.toml")"

printf "[target.'cfg(unix)']\nrustflags = [\"--cfg\", \"project_cfg\"]\n" > "$dir/.cargo/config.toml"
run target
grep -q "^\[target.'cfg(all())'\]$" "$T/target/cells/relr/.cargo/config.toml" ||
	fail "not under target: $(cat "$T/target/cells/relr/.cargo/config.toml")"

# linker = "clang" in the configuration: the wrapper that rustc runs as clang runs
# clang (gcc rejects -Qunused-arguments), not the cell's compiler
host=$(rustc -vV | sed -n 's/^host: //p')
[ -n "$host" ] || fail "rustc -vV names no host"
printf '[target.%s]\nlinker = "clang"\nrustflags = ["--cfg", "project_cfg", "-C", "link-arg=-Qunused-arguments"]\n' \
	"$host" > "$dir/.cargo/config.toml"
run linker
grep -q "clang .*-Qunused-arguments" "$T/linker/cells/relr/wrap.log" ||
	fail "the link did not run clang: $(cat "$T/linker/cells/relr/wrap.log")"

# build.target in the configuration (as firmware projects have): the binary is in
# target/TRIPLE/release
printf '[build]\ntarget = "%s"\nrustflags = ["--cfg", "project_cfg"]\n' "$host" > "$dir/.cargo/config.toml"
run triple
q '.cells[] | select(.name == "baseline") | .artifact' "$T/triple/results.json" |
	grep -q "/build/$host/release/cargoconf$" || fail "artifact not in target/$host/release"

# the environment's flags win over the file's: added to them, no file written
rm "$dir/.cargo/config.toml"
run rustflags RUSTFLAGS="--cfg project_cfg"
[ ! -e "$T/rustflags/cells/relr/.cargo" ] || fail "a config file beside RUSTFLAGS"
run encoded CARGO_ENCODED_RUSTFLAGS="$(printf -- '--cfg\037project_cfg')"
echo ok
