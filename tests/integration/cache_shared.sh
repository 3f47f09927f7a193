#!/bin/bash
# One cache for a team (--cache DIR, as a directory on NFS): two runs started at
# once, each in its own work directory, share one cache directory and end with the
# bytes of a run without any cache, every entry whole and nothing temporary left;
# a third run is served every cell from it, with no entry found damaged, and
# verifies the winner in its own work directory; ccache's objects go to the
# remote storage CCACHE_REMOTE_STORAGE names; --resume keeps the cache; another
# machine's temporary entry is removed once older than a day, not before; cache =
# in ounce.ini names one too, and a cache inside the project is refused.
. "$(dirname "$0")/lib.sh"

dir=$(fixture makeproj)
# gc, os and nosep: cells that share objects, so their compiles go through ccache
args=(-j2 --stack all -p gc,os,nosep -f json)
ncells=6
# name, status and bytes of every cell of results file $1, sorted by name
cells_of() {
	q '[.cells[] | {name, status, bytes}] | sort_by(.name)' "$1"
}

"$OUNCE" matrix -q "${args[@]}" --no-reuse --no-verify -w "$T/solo" "$dir" > /dev/null \
	2> err.txt || fail "the run without a cache exited $?: $(cat err.txt)"
cells_of "$T/solo/results.json" > solo.json
check_eq "cells" "$ncells" "$(q 'length' solo.json)"

shared="$T/team/cache"
export CCACHE_REMOTE_STORAGE="file:$T/remote"
"$OUNCE" matrix -q "${args[@]}" --no-verify -w "$T/a" --cache "$shared" "$dir" > /dev/null \
	2> err-a.txt &
pa=$!
# (a relative --cache, from the current directory)
"$OUNCE" matrix -q "${args[@]}" --no-verify -w "$T/b" --cache team/cache "$dir" > /dev/null \
	2> err-b.txt &
pb=$!
wait "$pa" || fail "run a exited $?: $(cat err-a.txt)"
wait "$pb" || fail "run b exited $?: $(cat err-b.txt)"
unset CCACHE_REMOTE_STORAGE
for w in a b; do
	grep -qiE 'error|cache' "err-$w.txt" && fail "run $w said: $(cat "err-$w.txt")"
	cells_of "$T/$w/results.json" > "$w.json"
	cmp -s solo.json "$w.json" || fail "run $w differs from the run without a cache: $(diff solo.json "$w.json")"
	[ -e "$T/$w/cache" ] && fail "run $w made a cache in its work directory"
done

# every entry whole: its cell.json parses, and its artifacts have the sizes it
# records; nothing temporary is left
[ -z "$(find "$shared" -mindepth 1 -maxdepth 1 -name '.tmp-*')" ] \
	|| fail "temporary entries left: $(ls -a "$shared")"
entries=0
for e in "$shared"/*/; do
	entries=$((entries + 1))
	jq -e '.files | length > 0' "$e/cell.json" > /dev/null || fail "entry $e: bad cell.json"
	while read -r name size; do
		check_eq "size of $e/art/$name" "$size" "$(stat -c %s "$e/art/$name")"
	done < <(jq -r '.files | to_entries[] | "\(.key) \(.value.size)"' "$e/cell.json")
done
check_eq "entries" "$ncells" "$entries"

# ccache stored objects in the remote storage
[ -n "$(find "$T/remote" -type f ! -name CACHEDIR.TAG | head -n 1)" ] \
	|| fail "no ccache entries in the remote storage '$T/remote'"

# a third run, elsewhere, is served every cell (each entry's artifacts checked
# against their size and hash), and verifies the winner in its own work directory
# although every cell's log is in the cache
"$OUNCE" matrix -q "${args[@]}" -w "$T/c" --cache "$shared" "$dir" > /dev/null 2> err-c.txt \
	|| fail "run c exited $?: $(cat err-c.txt)"
grep -q "cache entry" err-c.txt && fail "damaged entries: $(cat err-c.txt)"
check_eq "hits of run c" "$ncells" "$(q .cache_hits "$T/c/results.json")"
check_eq "builds of run c" 0 "$(q .builds_run "$T/c/results.json")"
cells_of "$T/c/results.json" > c.json
cmp -s solo.json c.json || fail "run c differs: $(diff solo.json c.json)"
[ -d "$T/c/verify" ] || fail "the winner was not verified in the work directory"
[ -e "$T/team/verify" ] && fail "the winner was verified beside the cache"

# leftovers of another machine: a store older than a day goes, a fresh one and
# a fresh removal stay (their pids mean nothing here)
old="$shared/.tmp-otherhost-123-00000000deadbeef"
new="$shared/.tmp-otherhost-123-0000000000c0ffee"
drop="$shared/.tmp-drop-otherhost-9-0000000000000001"
mkdir -p "$old/art" "$new/art" "$drop"
touch -d '2 days ago' "$old"
# --resume of a complete run runs it again with its options: the same cache
"$OUNCE" matrix --resume -w "$T/c" > /dev/null 2> err-r.txt \
	|| fail "--resume exited $?: $(cat err-r.txt)"
grep -q "cache '$shared'" err-r.txt || fail "--resume did not use the cache: $(cat err-r.txt)"
check_eq "hits of the resumed run" "$ncells" "$(q .cache_hits "$T/c/results.json")"
[ -e "$old" ] && fail "another machine's temporary entry of 2 days ago was left"
[ -e "$new" ] && [ -e "$drop" ] || fail "another machine's fresh temporary entries were removed"

# cache = in ounce.ini, relative to its directory; none inside the project
printf 'cache = ../ini-cache\n' >> "$dir/ounce.ini"
"$OUNCE" matrix -q -p gc --no-verify -w "$T/d" "$dir" > /dev/null 2> err-d.txt \
	|| fail "the run with cache = exited $?: $(cat err-d.txt)"
[ -n "$(find "$T/ini-cache" -mindepth 1 -maxdepth 1 -name '????????????????????????????????')" ] \
	|| fail "nothing stored in ounce.ini's cache '$T/ini-cache'"
[ -e "$T/d/cache" ] && fail "cache = was not used: $(ls "$T/d")"
"$OUNCE" matrix -q -p gc --no-verify -w "$T/e" --cache "$dir/c" "$dir" > /dev/null 2> err-e.txt
check_eq "exit status of a cache in the project" 2 "$?"
grep -q "error: the cache directory '$dir/c' is inside the project" err-e.txt \
	|| fail "no error for a cache in the project: $(cat err-e.txt)"
echo ok
