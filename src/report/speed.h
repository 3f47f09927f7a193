/* speed.h: what a cell costs at run time against its baseline, from what --bench
 * measured (struct cell_bench): medians and spreads, the slowdown budget pick
 * honours, and the size/speed front. Reads results only. */
#ifndef OUNCE_SPEED_H
#define OUNCE_SPEED_H

#include <stdbool.h>
#include <stddef.h>

struct cell;
struct results;

/* A cell's change against its baseline, in percent (+4.1: 4.1% slower). */
struct speed_change {
	bool by_instructions; /* instructions counted in both; else median CPU time */
	double pct;
	double lo, hi; /* by CPU time: its fastest and its slowest run against the
	                * baseline's median; by instructions: pct */
	size_t runs;   /* the cell's timed runs */
};

/* The verdict on a cell against a slowdown budget. */
enum speed_verdict {
	SPEED_WITHIN,    /* no slower than the budget */
	SPEED_OVER,      /* slower than the budget */
	SPEED_UNCERTAIN, /* its spread of CPU times straddles the budget */
	SPEED_UNKNOWN,   /* it or its baseline was not benchmarked */
};

/* The median of v[0..n-1] (the mean of the middle two when n is even); 0 when n is 0. */
double speed_median(const double *v, size_t n);
/* The least and the greatest of v[0..n-1] into *lo and *hi (0 when n is 0). */
void speed_spread(const double *v, size_t n, double *lo, double *hi);
/* c's median CPU time against base's, with c's spread, into *out. False when one
 * of them was not benchmarked or base's median is 0. */
bool speed_cpu_change(const struct cell *base, const struct cell *c, struct speed_change *out);
/* c's instructions against base's, in percent, into *pct. False when one of them
 * has no count. */
bool speed_instr_change(const struct cell *base, const struct cell *c, double *pct);
/* How pick judges c: by instructions when both are counted, else by median CPU
 * time. False as speed_cpu_change. */
bool speed_change(const struct cell *base, const struct cell *c, struct speed_change *out);
/* The verdict on ch (NULL: unknown) against budget percent: by instructions, over
 * when above it; by CPU time, within when the slowest run is within it, over when
 * the fastest is above it, uncertain between. */
enum speed_verdict speed_judge(const struct speed_change *ch, double budget);
/* Parse a percentage such as "5%", "2.5%" or "5" (0 to 1000) into *out. */
bool speed_parse_percent(const char *s, double *out);
/* The size/speed front of n points: on[i] is set when no other point is both
 * smaller or as small (size) and faster or as fast (cost), one of them strictly. */
void speed_front(const long long *size, const double *cost, size_t n, bool *on);
/* Is c on the size/speed front of its build's cells in r (measured ok and
 * benchmarked) by metric and by instructions when each of those was counted, else
 * by median CPU time? False for a cell that is not one of them. */
bool speed_on_front(const struct results *r, const struct cell *c, const char *metric);
/* What c measurably costs against base, "+3.2% CPU (median of 3, runs
 * +1.0%..+4.4%), +5.1% instructions, peak RSS +0.5%" (instructions and RSS where
 * both were measured), or NULL when either was not benchmarked; the caller frees
 * it. */
char *speed_describe(const struct cell *base, const struct cell *c);

#endif
