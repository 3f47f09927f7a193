#!/bin/bash
# A build that writes into the project it was copied from, by an absolute path
# (the Makefile reads it from victim.path): with the sandbox the user's file is
# untouched (the write fails: the project is read-only to builds); with
# --no-sandbox it changes, and ounce says so and exits 1 once results are saved.
# On a machine that refuses namespaces, ounce says so once and checks the tree.
. "$(dirname "$0")/lib.sh"

dir=$(fixture writer)
echo "$dir/victim.txt" > "$dir/victim.path"
before=$(cat "$dir/victim.txt")

# (the winner's verify rebuild too: it is a build like the cells')
"$OUNCE" matrix -p strip -s each -w "$T/w1" "$dir" > out.txt 2> err.txt
st=$?
if grep -q 'warning: builds are not sandboxed' err.txt; then
	echo "this machine refuses namespaces: $(grep 'not sandboxed' err.txt)"
	sandboxed=no
else
	sandboxed=yes
	check_eq "exit status with the sandbox" 0 "$st"
	check_eq "the user's file with the sandbox" "$before" "$(cat "$dir/victim.txt")"
	grep -q 'Read-only file system' "$T/w1/cells/baseline/build.log" \
		|| fail "the build's write did not fail: $(cat "$T/w1/cells/baseline/build.log")"
	grep -q 'Read-only file system' "$T"/w1/verify/*/verify.log \
		|| fail "the verify rebuild's write did not fail"
	grep -q 'changed during the run' err.txt && fail "a false alarm: $(cat err.txt)"
fi

# (ounce's own output, put in the project by the user, is no change)
"$OUNCE" matrix -p strip -s each --no-verify --no-sandbox -w "$T/w2" "$dir" > "$dir/out.txt" \
	2> "$dir/err.txt"
check_eq "exit status when the tree changed" 1 "$?"
mv "$dir/out.txt" "$dir/err.txt" .
grep -q pwned "$dir/victim.txt" || fail "--no-sandbox: the build could not write"
grep -q "^ounce: error: the project tree changed during the run: victim.txt; a build wrote" \
	err.txt || fail "no loud report of the change: $(cat err.txt)"
check_eq "results saved" ok "$(q '.cells[] | select(.name == "baseline") | .status' \
	"$T/w2/results.json")"
grep -q 'warning: builds are not sandboxed' err.txt && fail "--no-sandbox warns: $(cat err.txt)"

# ounce.ini's sandbox = false is --no-sandbox
echo "$before" > "$dir/victim.txt"
printf '[project]\nsandbox = false\n' > "$dir/ounce.ini"
"$OUNCE" matrix -p strip -s each --no-verify -w "$T/w4" "$dir" > out.txt 2> err.txt
check_eq "exit status with sandbox = false" 1 "$?"
grep -q 'changed during the run: victim.txt' err.txt || fail "sandbox = false: $(cat err.txt)"
rm "$dir/ounce.ini"

# the directory the user named is read-only too when ounce builds a project below
# it (its verify rebuild included), and the work directory in it stays writable;
# without the sandbox, it is checked after the run as the project is
mkdir "$T/top"
cp -a "$FIXTURES/writer" "$T/top/proj"
echo "$T/top/victim.txt" > "$T/top/proj/victim.path"
echo "$before" > "$T/top/victim.txt"
cd "$T/top" || fail "no $T/top"
if [ "$sandboxed" = yes ]; then
	"$OUNCE" matrix -p strip -s each . > out.txt 2> err.txt \
		|| fail "the project below: exit $?: $(cat err.txt)"
	check_eq "the user's file beside the project" "$before" "$(cat victim.txt)"
	grep -q 'Read-only file system' .ounce/verify/*/verify.log \
		|| fail "the verify rebuild of the project below could write beside it"
fi
"$OUNCE" matrix -p strip -s each --no-verify --no-sandbox . > out.txt 2> err.txt
check_eq "exit status when the directory given changed" 1 "$?"
grep -q "^ounce: error: '$T/top', the directory the run was given, changed during the run: \
victim.txt;" err.txt || fail "no report of the directory given: $(cat err.txt)"
cd "$T" || fail "no $T"

# a mount inside the project (a tmpfs here, in a mount namespace of the test's
# own) is read-only to builds too
if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2> /dev/null; then
	mkdir "$dir/sub"
	cat > sub.sh <<EOS
mount -t tmpfs none "$dir/sub" || exit 99
echo "\$1" > "$dir/sub/victim.txt"
echo "$dir/sub/victim.txt" > "$dir/victim.path"
"$OUNCE" matrix -p strip -s each --no-verify -w "$T/w5" "$dir" > out.txt 2> err.txt || exit \$?
cat "$dir/sub/victim.txt"
EOS
	check_eq "a mount inside the project" "$before" \
		"$(unshare -m --propagation private sh sub.sh "$before")"
	rmdir "$dir/sub"
	echo "$dir/victim.txt" > "$dir/victim.path"
fi

# a machine without namespaces for ounce (an unprivileged user in a user namespace
# that may create no more of them): one warning, the run goes on, the check fails it
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null && command -v setpriv > /dev/null &&
	unshare --user true 2> /dev/null; then
	echo "$before" > "$dir/victim.txt"
	chmod 755 "$T"
	mkdir "$T/w3"
	chown -R 65534:65534 "$dir" "$T/w3"
	# ounce and its data as that user can reach them: a checkout may sit below a
	# directory only root may enter (a fresh clone in a mkdtemp directory)
	mkdir "$T/own"
	cp "$OUNCE" "$T/own/ounce" && cp -r "$OUNCE_DATADIR/profiles" "$OUNCE_DATADIR/recipes" \
		"$T/own/" || fail "cannot copy ounce for the unprivileged run"
	chmod -R a+rX "$T/own"
	cat > inner.sh <<EOS
echo 0 > /proc/sys/user/max_user_namespaces || exit 99
exec setpriv --reuid=65534 --regid=65534 --keep-groups env HOME="$T/w3" \
	OUNCE_DATADIR="$T/own" "$T/own/ounce" matrix -p strip -s each --no-verify -w "$T/w3" "$dir"
EOS
	unshare --user sh -c 'read -r _; exec sh inner.sh' < <(sleep 0.3; echo go) \
		> out.txt 2> err.txt &
	p=$!
	sleep 0.1
	echo '0 0 65536' > /proc/$p/uid_map && echo deny > /proc/$p/setgroups &&
		echo '0 0 65536' > /proc/$p/gid_map || fail "cannot map ids for the user namespace"
	wait $p
	check_eq "exit status without namespaces" 1 "$?"
	check_eq "warnings that builds are not sandboxed" 1 \
		"$(grep -c 'warning: builds are not sandboxed' err.txt)"
	grep -q 'changed during the run: victim.txt' err.txt || fail "no report: $(cat err.txt)"
fi
echo ok
