/* clock.h: the monotonic clock every timeout, duration and rate limit is read from. */
#ifndef OUNCE_CLOCK_H
#define OUNCE_CLOCK_H

/* Seconds on CLOCK_MONOTONIC: only differences mean anything. */
double clock_now(void);

#endif
