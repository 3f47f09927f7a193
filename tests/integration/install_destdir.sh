#!/bin/bash
# `muon-meson install` of this test's build into a DESTDIR gives a working ounce:
# run from there, it reads its profiles, recipes and heap tracer from DESTDIR (a
# profile that only DESTDIR has is listed, completed and built), never from the
# source tree; every installed manual page renders with man without a warning,
# `ounce help` shows them (or the --help text when there is no man), and the bash
# completion completes commands, options, heap's subcommands and profile names.
. "$(dirname "$0")/lib.sh"

build=$(dirname "$OUNCE")
DESTDIR="$T/dest" muon-meson -C "$build" install > install.log 2>&1 \
	|| fail "muon-meson install: $(cat install.log)"
bin=$(find "$T/dest" -path '*/bin/ounce' -type f)
[ -x "$bin" ] || fail "no bin/ounce under DESTDIR: $(find "$T/dest" | head -20)"
prefix=${bin%/bin/ounce}
data="$prefix/share/ounce"
[ -f "$data/profiles/strip.ini" ] && [ -f "$data/recipes/make.ini" ] \
	|| fail "profiles and recipes not installed under $data"
lib=$(find "$prefix" -name libounce-heaptrace.so -path '*/ounce/*')
[ -n "$lib" ] || fail "the heap tracer library is not installed"
comp="$prefix/share/bash-completion/completions/ounce"
[ -f "$comp" ] || fail "the bash completion is not installed"

# nothing points the installed ounce at the source tree or the build
unset OUNCE_DATADIR OUNCE_HEAPTRACE_LIB
# a profile only DESTDIR has: found, it proves where the profiles came from
sed 's/^order = 10/order = 11/' "$data/profiles/strip.ini" > "$data/profiles/destonly.ini"

"$bin" profiles -v > profiles.txt 2> where.txt || fail "profiles: $(cat where.txt)"
grep -qF "profiles and recipes from '$data' (installed)" where.txt \
	|| fail "profiles not read from DESTDIR: $(cat where.txt)"
grep -q '^destonly ' profiles.txt || fail "DESTDIR's own profile not listed: $(cat profiles.txt)"

# the sample, with the DESTDIR-only profile (post-link: one build)
"$bin" matrix -q -j2 -p destonly -s each --no-verify -w "$T/work" \
	"$OUNCE_SOURCE_ROOT/samples/tinyhttpd" > table.txt 2> matrix.err \
	|| fail "installed matrix exited $?: $(cat matrix.err)"
res="$T/work/results.json"
check_eq "both cells built and passed the HTTP smoke test" "baseline ok pass,destonly ok pass" \
	"$(q '[.cells[] | "\(.name) \(.status) \(.smoke)"] | join(",")' "$res")"
[ "$(q '.cells[] | select(.name == "destonly") | .bytes' "$res")" -lt \
	"$(q '.cells[] | select(.name == "baseline") | .bytes' "$res")" ] \
	|| fail "the DESTDIR profile did not strip: $(cat table.txt)"

# the installed heap tracer (the build tree's is not beside the installed ounce)
"$bin" heap trace -o heap.log -- ls / > /dev/null 2> trace.err || fail "heap trace: $(cat trace.err)"
[ "$("$bin" heap stats -f json heap.log | jq .allocations)" -gt 0 ] \
	|| fail "no allocations traced with the installed library"

# the firmware heap tracer, from DESTDIR
check_eq "installed mcu tracer" "$data/data/ounce-heaptrace-mcu.c" "$("$bin" heap mcu-source --path)"
"$bin" heap mcu-source | cmp -s - "$OUNCE_SOURCE_ROOT/data/ounce-heaptrace-mcu.c" ||
	fail "heap mcu-source does not print the tracer"

# every page renders without a warning, and ounce help shows them (a locale
# every Debian has, so that man has nothing to say about it)
export LC_ALL=C.UTF-8 MANWIDTH=80
pages=$(find "$prefix/share/man/man1" -name 'ounce*.1' | LC_ALL=C sort)
check_eq "installed pages" \
	"ounce.1 ounce-advise.1 ounce-cc.1 ounce-check.1 ounce-diff.1 ounce-heap.1 ounce-matrix.1 ounce-pick.1 ounce-profile.1 ounce-profiles.1 ounce-report.1 ounce-size.1 ounce-sstrip.1 ounce-table.1" \
	"$(for p in $pages; do basename "$p"; done | LC_ALL=C sort -t. -k1,1 | xargs)"
for p in $pages; do
	man --warnings -E UTF-8 -l "$p" > page.txt 2> warn.txt \
		|| fail "man -l $p exited $?: $(cat warn.txt)"
	[ ! -s warn.txt ] || fail "man -l $p warns: $(cat warn.txt)"
	grep -q '^NAME' page.txt || fail "$p has no NAME section: $(head page.txt)"
done
"$bin" help matrix > help.txt 2>&1 || fail "ounce help matrix exited $?"
grep -q -- '--strategy' help.txt && grep -q '^NAME' help.txt \
	|| fail "ounce help matrix did not show the page: $(head help.txt)"
# the build tree's ounce shows the build tree's page
"$OUNCE" help sstrip > help.txt 2>&1 || fail "build tree: ounce help sstrip exited $?"
grep -q '^NAME' help.txt && grep -q -- '--quiet' help.txt \
	|| fail "the build tree's ounce did not show its page: $(head help.txt)"
"$bin" help > help.txt 2>&1 || fail "ounce help exited $?"
grep -q '^COMMANDS' help.txt || fail "ounce help did not show ounce(1): $(head help.txt)"
# without man: the --help text
PATH=/nonexistent "$bin" help heap stats > help.txt 2>&1 || fail "help without man exited $?"
check_eq "help without man is --help" "$("$bin" heap stats --help)" "$(cat help.txt)"
"$bin" help nosuch > /dev/null 2>&1
check_eq "help on an unknown command" 2 $?

# the pages and the completion agree with the commands: every option a command's
# --help lists (an indented line starting with one) is described in its page (as
# *-x* or *--xx* in doc/ounce-COMMAND.1.scd) and offered by the completion
help_options() {
	"$bin" "$@" --help | awk -F '  +' '/^ +-/ { print $2 }' | tr ' ,/' '\n\n\n' \
		| grep -E '^--?[a-zA-Z][a-zA-Z0-9-]*$'
}
: > options.txt
for cmd in $("$bin" --help | awk '/^commands:/ { on = 1; next } on && !NF { exit } on { print $1 }'); do
	subs=-
	[ "$cmd" = heap ] && subs="trace stats pools replay mcu-source"
	for sub in $subs; do
		args=("$cmd")
		[ "$sub" = - ] || args+=("$sub")
		for o in $(help_options "${args[@]}"); do
			grep -qF -- "*$o*" "$OUNCE_SOURCE_ROOT/doc/ounce-$cmd.1.scd" \
				|| fail "ounce-$cmd(1) does not describe '${args[*]} $o'"
			echo "${args[*]} $o" >> options.txt
		done
	done
done
[ "$(wc -l < options.txt)" -gt 60 ] || fail "too few options found: $(cat options.txt)"

# the completion loads in plain bash and completes from the installed profiles
# (through the installed ounce, and from the .ini files when there is no ounce)
cat > complete.sh << 'EOF'
. "$1"
complete -p ounce
c() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_ounce
	echo "${COMPREPLY[*]}"
}
c ounce ma
c ounce matrix --no-v
c ounce matrix -p strip,dest
c /nonexistent/ounce matrix -p dest
c ounce heap st
c ounce pick --emit ma
# every option of every command's --help
while read -r -a w; do
	o=${w[${#w[@]} - 1]}
	COMP_WORDS=(ounce "${w[@]:0:${#w[@]}-1}" -)
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_ounce
	[[ " ${COMPREPLY[*]} " == *" $o "* ]] || echo "not completed: ${w[*]}"
done < options.txt
EOF
PATH="$prefix/bin:$PATH" bash --norc --noprofile complete.sh "$comp" > complete.txt 2>&1 \
	|| fail "completion: $(cat complete.txt)"
check_eq "completions" "complete -o filenames -F _ounce ounce
matrix
--no-verify
strip,destonly
destonly
stats
make" "$(cat complete.txt)"
echo ok
