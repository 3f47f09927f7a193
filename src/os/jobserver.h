/* jobserver.h: a client of the GNU make jobserver ounce was started under (make
 * -j8 around ounce), so the cells it runs at once never take more job slots than
 * make hands out. */
#ifndef OUNCE_JOBSERVER_H
#define OUNCE_JOBSERVER_H

#include <signal.h>
#include <stdbool.h>

struct jobserver {
	int rfd, wfd;		/* our own descriptors of the token pipe or fifo, or -1 */
	bool active;
	char tokens[256];	/* the bytes taken, given back as they were */
	int held;
	void *mu;		/* a pthread mutex (jobserver.c): several threads take and
				 * give back tokens */
};

/* Find the jobserver in makeflags (MAKEFLAGS: --jobserver-auth=R,W, fifo:PATH, or
 * the older --jobserver-fds=R,W) and open it. Returns true when there is a usable
 * one; a MAKEFLAGS naming closed descriptors (make did not pass them) gives false,
 * with a warning. */
bool jobserver_open(struct jobserver *js, const char *makeflags);
/* Take one token, waiting as long as it takes (other threads may take and give
 * back tokens meanwhile); false when *cancel became non-zero first, or make went
 * away. */
bool jobserver_acquire(struct jobserver *js, const volatile sig_atomic_t *cancel);
/* Give one token back: the same byte, written to the pipe even when it is full
 * for a while (waiting, without holding the lock, for make to read). */
void jobserver_release(struct jobserver *js);
/* Give every token back and close; call it once after every jobserver_open. */
void jobserver_close(struct jobserver *js);

#endif
