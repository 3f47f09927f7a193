#!/bin/bash
# A Makefile whose vendored library appends its own -O3 after CFLAGS: in the
# cells ounce's wrapper put -Os last and it won; make's --eval puts it in CFLAGS,
# before the library's -O3. The run's own verify of its winner and pick --verify
# say so (differs, exit 1 for pick), name the call where the build's -O3 comes
# after -Os and point to --emit wrapper, which rebuilds the winner byte for byte.
. "$(dirname "$0")/lib.sh"

dir=$(fixture vendorlib)
# the run verifies its winner at the end (its metric's): the native form differs,
# which is a warning, not a failed run
"$OUNCE" matrix -q -m xz -p strip,os -w "$T/work" "$dir" > /dev/null 2> run.err \
	|| fail "matrix exited $?"
res="$T/work/results.json"
win=$("$OUNCE" pick -m xz "$res" | cut -f1)
case "+$win+" in *+os+*) ;; *) fail "the winner '$win' has no -Os" ;; esac
check_eq "the run's verify" "make differs" \
	"$(q ".cells[] | select(.name == \"$win\") | .verify[] | \"\(.form) \(.state)\"" "$res")"
grep -q "warning: the make form does not rebuild what ounce measured. Likely cause: the build's own '-O3'" \
	run.err || fail "the run did not say why: $(cat run.err)"
grep -q -- '-O3 -funroll-loops -c -o crunch.o crunch.c .* -Os' "$T/work/cells/$win/wrap.log" \
	|| fail "the cell's wrapper did not put -Os last: $(cat "$T/work/cells/$win/wrap.log")"

"$OUNCE" pick -m xz --verify "$res" > out.txt 2> err.txt
check_eq "exit status of a native form that differs" 1 $?
grep -q '^verified: differs (make form: sum: ' out.txt || fail "verify line: $(cat out.txt)"
grep -q "Likely cause: the build's own '-O3' comes after the winner's '-Os' on 'gcc .*crunch.c'" \
	err.txt || fail "no cause: $(cat err.txt)"
grep -q "wrap.log.*'ounce pick --emit wrapper' does the same" err.txt || fail "no pointer: $(cat err.txt)"
check_eq "recorded" "make differs" \
	"$(q ".cells[] | select(.name == \"$win\") | .verify[] | \"\(.form) \(.state)\"" "$res")"
q ".cells[] | select(.name == \"$win\") | .verify[0].cause" "$res" | grep -q -- "'-O3'" \
	|| fail "cause not recorded"

"$OUNCE" pick -m xz --verify --emit wrapper "$res" > wrap.sh 2> err.txt \
	|| fail "the wrapper form: exit $?: $(cat err.txt)"
check_eq "wrapper verify line" "# verified: identical (wrapper form)" "$(tail -n 1 wrap.sh)"

# and as a user pastes it: the snippet, then its line, in a fresh copy
cp -a "$FIXTURES/vendorlib" fresh
line=$(sed -n 's/^# reproduce: //p' wrap.sh)
check_eq "the wrapper form's line" 'make CC="$PWD/cc-small" CXX="$PWD/c++-small"' "$line"
(cd fresh && sh ../wrap.sh && eval "$line") > make.log 2>&1 || fail "pasted: $(cat make.log)"
cmp fresh/sum "$(q ".cells[] | select(.name == \"$win\") | .artifact" "$res")" \
	|| fail "the pasted wrapper form differs from the cell"
(cd fresh && ./sum abc) > /dev/null || fail "the rebuilt program fails"
echo ok
