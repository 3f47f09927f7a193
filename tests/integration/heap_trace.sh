# heap trace: the LD_PRELOAD tracer on the C programs of tests/fixtures/heap,
# built here with the real gcc. The program's stdout and exit status must not
# change; the log is decoded below (a small awk reader, independent of ounce's)
# and checked against what each program is known to do; threads, fork and an
# exit() from a signal handler must not hang; a static binary is refused.
. "$(dirname "$0")/lib.sh"

: "${OUNCE_HEAPTRACE_LIB:?run through muon-meson test, which sets OUNCE_HEAPTRACE_LIB}"

src="$FIXTURES/heap"
for p in blocks grow aligned threads forker sigexit endings; do
	gcc -O1 -pthread -o "$p" "$src/$p.c" || fail "cannot build $p"
done
gcc -O1 -shared -fPIC -o libctorlib.so "$src/ctorlib.c" || fail "cannot build libctorlib.so"
gcc -O1 -o ctormain "$src/ctormain.c" -L. -lctorlib -Wl,-rpath,"$T" ||
	fail "cannot build ctormain"
gcc -O1 -static -o static "$src/blocks.c" || fail "cannot build a static blocks"

# decode LOG: one line of KEY=VALUE words about the log (see the END block)
decode() {
	od -An -v -tu1 "$1" | tr -s ' \n' '\n\n' | grep -v '^$' | awk '
	function uleb(   v, m, c) {
		v = 0; m = 1
		do { c = b[i++]; v += (c % 128) * m; m *= 128 } while (c >= 128 && i < n)
		return v
	}
	# zigzag difference from the previous pointer field (exact in doubles
	# for user-space addresses)
	function ptr(   z) {
		z = uleb()
		prev += (z % 2) ? -(z + 1) / 2 : z / 2
		return prev
	}
	function alloc(p, s) {
		if (p in live) dup++
		live[p] = s; nlive++
		if (nlive > maxlive) maxlive = nlive
	}
	function release(p) {
		if (p in live) { delete live[p]; nlive-- } else unknown++
	}
	# pointers key an array: keep all their digits (mawk uses %.6g past 2^31)
	BEGIN { CONVFMT = "%.0f" }
	{ b[n++] = $1 }
	END {
		magic = (b[0] == 79 && b[1] == 85 && b[2] == 78 && b[3] == 67 && b[4] == 69 &&
			 b[5] == 72 && b[6] == 84)
		i = 32; len = uleb(); exe = ""
		for (k = 0; k < len; k++) exe = exe sprintf("%c", b[i + k])
		i += len
		trailer = "none"; bad = 0
		while (i < n && trailer == "none") {
			tag = b[i++]
			if (tag >= 1 && tag <= 6) { uleb(); events++ }
			if (tag == 1) {
				s = uleb(); alloc(ptr(), s); malloc++; msizes[s] = 1
			} else if (tag == 2) {
				a = uleb(); s = uleb(); alloc(ptr(), a * s); calloc++
			} else if (tag == 3) {
				o = ptr(); s = uleb(); q = ptr(); realloc++; rsizes = rsizes "," s
				if (o != 0 && (q != 0 || s == 0)) release(o)
				if (q != 0) alloc(q, s)
			} else if (tag == 4) {
				release(ptr()); free++
			} else if (tag == 5) {
				uleb(); uleb(); s = uleb(); alloc(ptr(), s); aligned++
			} else if (tag == 6) {
				uleb(); uleb(); fail++
			} else if (tag == 16) {
				t = uleb(); if (!(t in tids)) ntids++; tids[t] = 1; switches++
			} else if (tag == 17) {
				forks = forks "," uleb()
			} else if (tag == 127) {
				e = uleb(); l = uleb(); f = uleb(); trailer = e "/" l "/" f
			} else {
				bad++; break
			}
		}
		for (s in msizes) sizes = sizes "," s
		printf "magic=%d exe=%s events=%d malloc=%d calloc=%d realloc=%d free=%d " \
		       "aligned=%d fail=%d tids=%d unknown=%d dup=%d maxlive=%d live=%d " \
		       "msizes=%s rsizes=%s forks=%s trailer=%s bad=%d after=%d\n",
		       magic, exe, events, malloc, calloc, realloc, free, aligned, fail, ntids,
		       unknown, dup, maxlive, nlive, substr(sizes, 2), substr(rsizes, 2),
		       substr(forks, 2), trailer, bad, n - i
	}'
}

# field KEY LINE: the value of KEY=VALUE in a decode line
field() {
	tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"
}

# trace PROG [OPTIONS...]: run ./PROG alone, then under the tracer into
# PROG.log; stdout and exit status must be the same. Leaves the decode in $D.
trace() {
	local prog=$1 want_out want_rc got_out got_rc
	shift
	want_out=$(timeout 60 "./$prog" </dev/null 2>/dev/null)
	want_rc=$?
	got_out=$(timeout 60 "$OUNCE" heap trace -o "$prog.log" "$@" -- "./$prog" \
		</dev/null 2>"$prog.err")
	got_rc=$?
	[ "$got_rc" -ne 124 ] || fail "$prog: hangs under the tracer"
	check_eq "$prog: exit status" "$want_rc" "$got_rc"
	check_eq "$prog: stdout" "$want_out" "$got_out"
	check_eq "$prog: magic" "OUNCEHT" "$(head -c 7 "$prog.log")"
	grep -q "heap log: $T/$prog.log (" "$prog.err" || fail "$prog: no 'heap log:' line"
	D=$(decode "$prog.log")
	check_eq "$prog: records all known" 0 "$(field bad "$D")"
	check_eq "$prog: frees of unknown blocks" 0 "$(field unknown "$D")"
	check_eq "$prog: blocks handed out twice" 0 "$(field dup "$D")"
}

# the trailer says every event was logged, and nothing follows it; FLAGS (default
# 0) are its flags: 2 when the process went on to exec
check_trailer() {
	check_eq "$1: trailer" "$(field events "$D")/0/${2:-0}" "$(field trailer "$D")"
	check_eq "$1: bytes after the trailer" 0 "$(field after "$D")"
}

# the logs of PREFIX, one a line, sorted (a shell glob sorts LOG.9999 after
# LOG.10000: compare as sets)
logs_of() {
	printf '%s\n' "$1"* | LC_ALL=C sort
}

# blocks: exactly ten 24-byte blocks, all alive at once, all freed
trace blocks
check_trailer blocks
check_eq "blocks: mallocs" 10 "$(field malloc "$D")"
check_eq "blocks: sizes" 24 "$(field msizes "$D")"
check_eq "blocks: frees" 10 "$(field free "$D")"
check_eq "blocks: most alive at once" 10 "$(field maxlive "$D")"
check_eq "blocks: alive at exit" 0 "$(field live "$D")"
check_eq "blocks: threads" 1 "$(field tids "$D")"
size=$(stat -c %s blocks.log)
[ "$size" -lt 256 ] || fail "blocks: log of $size bytes for 20 events"

# grow: 16 -> 32 -> 64 -> realloc(p, 0), which frees (gcc turns realloc(NULL, 16)
# into malloc(16))
trace grow
check_trailer grow
check_eq "grow: realloc sizes" "32,64,0" "$(field rsizes "$D" | sed 's/^16,//')"
check_eq "grow: alive at exit" 0 "$(field live "$D")"

# aligned: five aligned calls, calloc, reallocarray, one failed calloc
trace aligned
check_trailer aligned
check_eq "aligned: aligned calls" 5 "$(field aligned "$D")"
check_eq "aligned: callocs" 1 "$(field calloc "$D")"
check_eq "aligned: reallocarray as realloc" 60 "$(field rsizes "$D")"
check_eq "aligned: failures" 1 "$(field fail "$D")"
check_eq "aligned: frees" 7 "$(field free "$D")"
check_eq "aligned: alive at exit" 0 "$(field live "$D")"

# threads: 8 x 10000, nothing lost or misordered between threads
trace threads
check_trailer threads
[ "$(field malloc "$D")" -ge 80000 ] || fail "threads: $(field malloc "$D") mallocs"
[ "$(field free "$D")" -ge 80000 ] || fail "threads: $(field free "$D") frees"
[ "$(field tids "$D")" -ge 8 ] || fail "threads: $(field tids "$D") threads seen"

# forker without --follow-fork: one log, the parent's, and the children untraced
trace forker
check_trailer forker
check_eq "forker: logs" "forker.log" "$(echo forker.log*)"
check_eq "forker: FORK records" "" "$(field forks "$D")"
check_eq "forker: parent's blocks" 1 "$(field malloc "$D")"

# with --follow-fork: LOG.PID for each child, named by the parent's FORK records
trace forker --follow-fork
check_trailer forker
forks=$(field forks "$D")
pid1=${forks%,*} pid2=${forks#*,}
[ -n "$pid1" ] && [ "$pid1" != "$forks" ] || fail "forker: FORK records '$forks'"
check_eq "forker --follow-fork: logs" \
	"$(printf '%s\n' forker.log forker.log.$pid1 forker.log.$pid2 | LC_ALL=C sort)" \
	"$(logs_of forker.log)"
D=$(decode "forker.log.$pid1")
check_trailer "forker: child $pid1"
check_eq "forker: child's mallocs" 5 "$(field malloc "$D")"
check_eq "forker: child's frees" 5 "$(field free "$D")"
D=$(decode "forker.log.$pid2")
check_eq "forker: child that execs" "0 0/0/2" "$(field events "$D") $(field trailer "$D")"
grep -q "heap log: $T/forker.log.$pid1 (10 events)" forker.err ||
	fail "forker: the child's log is not reported"
rm -f forker.log.*

# with --follow-exec as well: /bin/true, exec'd by child 2, writes LOG.PID.1
trace forker --follow-fork --follow-exec
forks=$(field forks "$D")
pid2=${forks#*,}
[ -f "forker.log.$pid2.1" ] || fail "forker --follow-exec: no forker.log.$pid2.1: $(echo forker.log*)"
D=$(decode "forker.log.$pid2.1")
case $(field exe "$D") in
*/true) ;;
*) fail "forker --follow-exec: forker.log.$pid2.1 is from '$(field exe "$D")'" ;;
esac
check_trailer "forker: /bin/true"
rm -f forker.log.*

# endings: children that allocate and then exec, _exit, or fail to exec and
# _Exit keep every event; a failed exec takes its trailer back
trace endings --follow-fork
check_trailer endings
forks=$(field forks "$D")
IFS=, read -r pe1 pe2 pe3 <<<"$forks"
[ -n "$pe3" ] || fail "endings: FORK records '$forks'"
check_eq "endings: logs" \
	"$(printf '%s\n' endings.log endings.log.$pe1 endings.log.$pe2 endings.log.$pe3 | LC_ALL=C sort)" \
	"$(logs_of endings.log)"
D=$(decode "endings.log.$pe1")
check_trailer "endings: the child that execs" 2
check_eq "endings: exec child's blocks" "3 3 40" "$(field malloc "$D") $(field free "$D") $(field msizes "$D")"
D=$(decode "endings.log.$pe2")
check_trailer "endings: the child that calls _exit"
check_eq "endings: _exit child's blocks" "4 4 56" "$(field malloc "$D") $(field free "$D") $(field msizes "$D")"
D=$(decode "endings.log.$pe3")
check_trailer "endings: the child whose exec fails"
check_eq "endings: failed exec child's blocks" "3 3 72,88" \
	"$(field malloc "$D") $(field free "$D") $(field msizes "$D" | tr ',' '\n' | sort -n | paste -sd,)"
grep -q "heap log: $T/endings.log.$pe1 (6 events, then exec)" endings.err ||
	fail "endings: the exec is not reported: $(cat endings.err)"
grep -Eq "no trailer|not recorded" endings.err && fail "endings: a warning: $(cat endings.err)"
rm -f endings.log.*

# ctormain: a library's constructor allocates 20,000 times before the tracer's
# own constructor runs: none is lost (the log opens early)
trace ctormain
check_trailer ctormain
[ "$(field malloc "$D")" -ge 20000 ] || fail "ctormain: $(field malloc "$D") mallocs"
[ "$(field free "$D")" -ge 20000 ] || fail "ctormain: $(field free "$D") frees"
grep -q "warning" ctormain.err && fail "ctormain: a warning: $(cat ctormain.err)"

# a log that cannot be written to the end says why: here the file size limit
# (SIGXFSZ ignored, so the write fails and the program goes on untraced)
(ulimit -f 16 && trap '' XFSZ && timeout 60 "$OUNCE" heap trace -o fsize.log -- ./threads \
	>/dev/null 2>fsize.err) || fail "threads under a file size limit: $(cat fsize.err)"
grep -q "fsize.log' has no trailer: it reached the file size limit" fsize.err ||
	fail "file size limit: $(cat fsize.err)"

# sigexit: exit() from a signal handler, likely inside the tracer: no hang, no
# crash, status 7; the trailer (if any) marks the interruption
want_out=$(timeout 60 ./sigexit)
want_rc=$?
got_out=$(timeout 60 "$OUNCE" heap trace -o sigexit.log -- ./sigexit 2>sigexit.err)
got_rc=$?
check_eq "sigexit: exit status (alone, traced)" "7 7" "$want_rc $got_rc"
check_eq "sigexit: stdout" "$want_out" "$got_out"
check_eq "sigexit: magic" "OUNCEHT" "$(head -c 7 sigexit.log)"

# a static binary: refused in one line, nothing written
"$OUNCE" heap trace -o static.log -- ./static >static.out 2>static.err
check_eq "static: exit status" 1 "$?"
check_eq "static: stderr lines" 1 "$(wc -l <static.err)"
grep -q "static binary: LD_PRELOAD cannot trace it" static.err || fail "static: $(cat static.err)"
[ ! -e static.log ] || fail "static: a log was written"
[ ! -s static.out ] || fail "static: the program ran"

# a file that is not a heap log is never overwritten
echo "precious" >notalog
"$OUNCE" heap trace -o notalog -- ./blocks >/dev/null 2>notalog.err
check_eq "not a log: exit status" 2 "$?"
check_eq "not a log: content" "precious" "$(cat notalog)"
grep -q "not an ounce heap log" notalog.err || fail "not a log: $(cat notalog.err)"

# stdin and stderr are the program's; 128+N after a signal; --timeout stops it
check_eq "stdin" "hello" "$(echo hello | timeout 60 "$OUNCE" heap trace -o cat.log -- cat 2>/dev/null)"
timeout 60 "$OUNCE" heap trace -o ls.log -- ls /nonexistent-ounce-heap >/dev/null 2>ls.err
check_eq "ls: exit status" 2 "$?"
grep -q "nonexistent-ounce-heap" ls.err || fail "stderr of the program is lost: $(cat ls.err)"
timeout 60 "$OUNCE" heap trace -o kill.log -- sh -c 'kill -TERM $$' 2>/dev/null
check_eq "killed by SIGTERM" 143 "$?"
SECONDS=0
timeout 60 "$OUNCE" heap trace -o sleep.log --timeout 1 -- sleep 30 2>/dev/null
rc=$?
[ "$rc" -gt 128 ] && [ "$SECONDS" -lt 20 ] || fail "--timeout 1: status $rc after $SECONDS s"

# the default log is ounce-heap.log in the current directory
mkdir sub
(cd sub && timeout 60 "$OUNCE" heap trace -- ../blocks >/dev/null 2>&1) || fail "default log: run"
check_eq "default log" "OUNCEHT" "$(head -c 7 sub/ounce-heap.log)"

# ounce's own reader agrees, once `ounce heap stats` exists: ten 24-byte blocks
# at once, and nothing unknown or truncated between threads
if "$OUNCE" heap stats --help >/dev/null 2>&1; then
	for log in blocks threads; do
		"$OUNCE" heap stats --format json "$log.log" >"$log.json" ||
			fail "heap stats on $log.log"
		jq -e '(.unknown_frees // 0) == 0 and (.truncated // false) == false' \
			"$log.json" >/dev/null || fail "heap stats on $log.log: $(cat "$log.json")"
	done
	jq -e '[.blocks[]? | select(.size == 24 and .max_load == 10)] | length == 1' \
		blocks.json >/dev/null || fail "heap stats: blocks.log is not 10 x 24: $(cat blocks.json)"
fi
exit 0
