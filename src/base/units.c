/* units.c: the one place sizes and percents are turned into text and back. */
#include "base/units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "base/banned.h"

const char *
units_percent(long long v, long long base)
{
	static _Thread_local char s[32];
	double pct;

	if (v < 0 || base <= 0) {
		return "n/a";
	}
	pct = ((double)v - (double)base) * 100.0 / (double)base;
	if (pct > -0.05 && pct < 0.05) {
		/* "0.0%" only for no change at all; a tiny change keeps its sign */
		snprintf(s, sizeof(s), "%s0.0%%", v == base ? "" : v > base ? "+" : "-");
	} else {
		snprintf(s, sizeof(s), "%+.1f%%", pct);
	}
	return s;
}

const char *
units_human(long long b)
{
	static _Thread_local char s[32];

	if (b < 0) {
		return "-";
	}
	if (b < 1024) {
		snprintf(s, sizeof(s), "%lld B", b);
	} else if ((double)b / 1024.0 < 1023.95) {
		/* a value that would round to "1024.0 KiB" is shown in MiB */
		snprintf(s, sizeof(s), "%.1f KiB", (double)b / 1024.0);
	} else {
		snprintf(s, sizeof(s), "%.2f MiB", (double)b / (1024.0 * 1024.0));
	}
	return s;
}

bool
units_parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {
		{"", 0}, {"B", 0}, {"K", 10}, {"KB", 10}, {"KiB", 10}, {"M", 20}, {"MB", 20},
		{"MiB", 20}, {"G", 30}, {"GB", 30}, {"GiB", 30},
	};
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s)) {
		return false;
	}
	v = strtoull(s, &end, 10);
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		if (!strcasecmp(end, units[i].suffix)) {
			if (v > (UINT64_MAX >> units[i].shift)) {
				return false;
			}
			*out = (uint64_t)v << units[i].shift;
			return true;
		}
	}
	return false;
}
