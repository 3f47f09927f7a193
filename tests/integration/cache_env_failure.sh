#!/bin/bash
# A failure the environment caused is not cached: a build whose writes hit a file
# size limit (RLIMIT_FSIZE, as a full disk would: SIGXFSZ, EFBIG) fails, and the
# next run, without the limit, builds again instead of serving the failure.
# A failure of the build's own (a compile error) is cached.
. "$(dirname "$0")/lib.sh"

mkdir proj
# 2 MB of initialised data: the object file is over the limit below
printf 'const char pad[2000000] = {1};\nint\nmain(int argc, char **argv)\n{\n\t(void)argv;\n\treturn pad[argc * 1000];\n}\n' > proj/prog.c
printf 'prog: prog.c\n\t$(CC) $(CFLAGS) -o prog prog.c\n' > proj/Makefile

prlimit --fsize=1000000 "$OUNCE" matrix -q -p strip --no-verify -w "$T/w" proj \
	> /dev/null 2> first.err
check_eq "limited run's status" 1 "$?"
grep -q "the baseline build of 'proj' failed" first.err \
	|| fail "the baseline did not fail under the limit: $(cat first.err)"
r="$T/w/results.json"
check_eq "limited baseline" build-failed "$(q '.cells[] | select(.name == "baseline") | .status' "$r")"
check_eq "nothing cached" "" "$(ls "$T/w/cache" | grep '^[0-9a-f]\{32\}$')"

"$OUNCE" matrix -p strip --no-verify -w "$T/w" proj > /dev/null 2> second.err \
	|| fail "second run exited $?: $(cat second.err)"
grep -q "cached" second.err && fail "second run served from the cache: $(cat second.err)"
check_eq "baseline built" "ok true false" \
	"$(q '.cells[] | select(.name == "baseline") | "\(.status) \(.built) \(.cached)"' "$r")"

# a compile error is the build's own: cached, served next run
echo 'syntax error here' >> proj/prog.c
"$OUNCE" matrix -q -p strip --no-verify -w "$T/w" proj > /dev/null 2> third.err
check_eq "broken run's status" 1 "$?"
"$OUNCE" matrix -p strip --no-verify -w "$T/w" proj > /dev/null 2> fourth.err
check_eq "broken run's status again" 1 "$?"
grep -q "baseline: build-failed: .*\[cached\]" fourth.err \
	|| fail "the compile error was not served from the cache: $(cat fourth.err)"
echo ok
