/* units.h: sizes and changes as people read and write them: "12.3 KiB", "+4.5%",
 * "64K" on a command line, and sums that stop at the top instead of wrapping. */
#ifndef OUNCE_UNITS_H
#define OUNCE_UNITS_H

#include <stdbool.h>
#include <stdint.h>

/* v against base as a signed percent with one decimal ("+4.5%", "-0.0%" for a tiny
 * shrink, "0.0%" only for no change); "n/a" when either is unknown (negative) or
 * base is 0. The string lives until the thread's next call. */
const char *units_percent(long long v, long long base);

/* bytes as "512 B", "12.3 KiB" or "1.25 MiB"; "-" when unknown (negative). The
 * string lives until the thread's next call. */
const char *units_human(long long bytes);

/* A size as a user writes it: digits and an optional unit (B, K, KB, KiB, M, MB,
 * MiB, G, GB, GiB; any case; all powers of 1024). False when s is not one or the
 * value does not fit in 64 bits. */
bool units_parse_size(const char *s, uint64_t *out);

/* a + b, or UINT64_MAX where it would wrap. */
static inline uint64_t
units_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

#endif
