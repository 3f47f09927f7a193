# Sourced by the tests that open ounce report's page in a real browser (Debian's
# chromium, headless): report_html.sh and sample_tinyrocket.sh. Needs lib.sh.

command -v chromium > /dev/null || fail "chromium is not installed (tests/run installs it)"

# browse ARGS...: headless chromium on the page, bounded, with a fresh profile
# (and HOME: its crash reporter and dconf write there)
browse() {
	local profile
	profile=$(mktemp -d "$T/chromium.XXXXXX")
	HOME="$profile" XDG_CONFIG_HOME="$profile/config" XDG_CACHE_HOME="$profile/cache" \
		timeout -k 5 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$profile" --hide-scrollbars "$@" 2>> "$T/chromium.log"
	local rc=$?
	rm -rf "$profile"
	return $rc
}

# check_report_dom RESULTS PAGE: chromium's DOM of PAGE (after its script ran,
# into dom.html) has a row for every line of `ounce table -f json RESULTS` with its
# bytes, and the winner `ounce pick` chooses is named and its rows marked
check_report_dom() {
	local res=$1 page=$2 rows line got win marked cell group bytes
	browse --dump-dom "file://$page" > dom.html || fail "chromium --dump-dom exited $?: $(tail -5 "$T/chromium.log")"
	"$OUNCE" table -f json "$res" > table.json || fail "table -f json"
	rows=$(jq length table.json)
	check_eq "table rows in the DOM" "$rows" "$(grep -c '^<tr data-cell="[^"]*" data-group=' dom.html)"
	while IFS=$'\t' read -r cell group bytes; do
		line=$(grep -F "<tr data-cell=\"$cell\" data-group=\"$group\"" dom.html | head -1)
		[ -n "$line" ] || fail "no row for $cell ($group) in the DOM"
		# the size (bytes) column: the third cell of the row
		got=$(sed -E 's/^<tr[^>]*>(<td[^>]*>[^<]*<\/td>){2}<td[^>]*>([^<]*)<\/td>.*/\2/' <<< "$line")
		check_eq "bytes of $cell ($group)" "${bytes/null/-}" "$got"
	done < <(jq -r '.[] | [.cell, .group, (.bytes // "null" | tostring)] | @tsv' table.json)
	win=$("$OUNCE" pick "$res" | cut -f1)
	[ -n "$win" ] || fail "pick chose nothing"
	grep -qF "id=\"winner-cell\">$win</code>" dom.html || fail "the winner $win is not named"
	marked=$(grep -o '^<tr data-cell="[^"]*"[^>]*class="[^"]*winner' dom.html | cut -d'"' -f2 | sort -u)
	check_eq "rows marked as the winner" "$win" "$marked"
}
