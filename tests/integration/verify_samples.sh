#!/bin/bash
# pick --verify on the bundled samples: tinyhttpd (make) and tinycalc (CMake)
# rebuilt from their native form and from the wrapper form, and tinyrocket (Cargo)
# from its Cargo form, are byte for byte the cells' winners (narrow matrices: the
# levers that change the most).
. "$(dirname "$0")/lib.sh"

for s in tinyhttpd:make tinycalc:cmake; do
	name=${s%%:*} form=${s#*:}
	sample="$OUNCE_SOURCE_ROOT/samples/$name"
	before=$(tree_digest "$sample")
	"$OUNCE" matrix -q --no-verify -p strip,gc,os,lld,noid,noplt -w "$T/$name" "$sample" > /dev/null \
		|| fail "$name: matrix exited $?"
	res="$T/$name/results.json"
	"$OUNCE" pick --verify "$res" > out.txt 2> err.txt \
		|| fail "$name: verify exited $?: $(cat out.txt err.txt)"
	check_eq "$name: native form" "verified: identical ($form form)" "$(sed -n 2p out.txt)"
	"$OUNCE" pick --verify --emit wrapper "$res" > wrap.txt 2> err.txt \
		|| fail "$name: verify wrapper exited $?: $(cat err.txt)"
	check_eq "$name: wrapper form" "# verified: identical (wrapper form)" "$(tail -n 1 wrap.txt)"
	check_eq "$name: sample tree untouched" "$before" "$(tree_digest "$sample")"
	# nothing of the rebuilds is left in the sample, and what matched was removed
	[ -d "$T/$name/verify/$form/src" ] && fail "$name: the identical rebuild's tree is kept"
	[ -f "$T/$name/verify/$form/verify.log" ] || fail "$name: no log kept"
done

# tinyrocket (Cargo): the [profile.release] section pasted into Cargo.toml and the
# rustflags into .cargo/config.toml, then cargo build (the wrapper form is for C)
sample="$OUNCE_SOURCE_ROOT/samples/tinyrocket"
before=$(tree_digest "$sample")
"$OUNCE" matrix -q --no-verify -p strip,abort,lto,os,lld,noid -w "$T/rocket" "$sample" > /dev/null \
	|| fail "tinyrocket: matrix exited $?"
"$OUNCE" pick --verify "$T/rocket/results.json" > out.txt 2> err.txt \
	|| fail "tinyrocket: verify exited $?: $(cat out.txt err.txt)"
check_eq "tinyrocket: cargo form" "verified: identical (cargo form)" "$(sed -n 2p out.txt)"
check_eq "tinyrocket: sample tree untouched" "$before" "$(tree_digest "$sample")"
grep -q 'Finished `release` profile' "$T/rocket/verify/cargo/verify.log" \
	|| fail "tinyrocket: no release build in the log"
echo ok
