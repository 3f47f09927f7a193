#!/bin/bash
# pick --verify on the bundled C samples: tinyhttpd (make) and tinycalc (CMake)
# rebuilt from their native form and from the wrapper form are byte for byte the
# cells' winners (narrow matrices: the levers that change the most).
. "$(dirname "$0")/lib.sh"

for s in tinyhttpd:make tinycalc:cmake; do
	name=${s%%:*} form=${s#*:}
	sample="$OUNCE_SOURCE_ROOT/samples/$name"
	before=$(tree_digest "$sample")
	"$OUNCE" matrix -q -p strip,gc,os,lld,noid,noplt -w "$T/$name" "$sample" > /dev/null \
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
echo ok
