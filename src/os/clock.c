/* clock.c: CLOCK_MONOTONIC as seconds, for timeouts and durations. */
#include "os/clock.h"

#include <time.h>

#include "base/banned.h"

double
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
