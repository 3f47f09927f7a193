/* jobserver.c: GNU make's protocol: one byte read from the pipe (or fifo) is one job
 * slot beyond the one every process holds implicitly; the same byte is written back
 * when the job ends. ounce opens the pipe afresh through /proc/self/fd with
 * O_NONBLOCK, so waiting for a token never blocks in read() and never changes the
 * flags make itself sees on its descriptors. */
#include "os/jobserver.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/banned.h"

/* how long a token waits to be given back to a full pipe before it is lost */
#define JOBSERVER_WAIT_S 600

static int
reopen(int fd, int flags)
{
	char path[64];

	if (fcntl(fd, F_GETFD) < 0) {
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags | O_NONBLOCK | O_CLOEXEC);
}

bool
jobserver_open(struct jobserver *js, const char *makeflags)
{
	const char *auth = NULL, *p;
	char *spec;

	memset(js, 0, sizeof(*js));
	js->rfd = js->wfd = -1;
	js->mu = xmalloc(sizeof(pthread_mutex_t));
	pthread_mutex_init(js->mu, NULL);
	if (!makeflags) {
		return false;
	}
	/* the last one counts: a sub-make's MAKEFLAGS may carry its parent's too */
	for (p = makeflags; (p = strstr(p, "--jobserver-")); p++) {
		if (!strncmp(p, "--jobserver-auth=", 17)) {
			auth = p + 17;
		} else if (!strncmp(p, "--jobserver-fds=", 16)) {
			auth = p + 16;
		}
	}
	if (!auth) {
		return false;
	}
	spec = xstrndup(auth, strcspn(auth, " "));
	if (!strncmp(spec, "fifo:", 5)) {
		js->rfd = open(spec + 5, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		js->wfd = open(spec + 5, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	} else {
		int r, w;

		if (sscanf(spec, "%d,%d", &r, &w) == 2 && r >= 0 && w >= 0) {
			js->rfd = reopen(r, O_RDONLY);
			js->wfd = reopen(w, O_WRONLY);
		}
	}
	if (js->rfd < 0 || js->wfd < 0) {
		warn("MAKEFLAGS names a jobserver ('%s') that ounce cannot use (run ounce from a "
		     "make rule with '+' or through $(MAKE) so make passes it on): running "
		     "cells by -j alone",
		     spec);
		if (js->rfd >= 0) {
			close(js->rfd);
		}
		if (js->wfd >= 0) {
			close(js->wfd);
		}
		js->rfd = js->wfd = -1;
		free(spec);
		return false;
	}
	free(spec);
	js->active = true;
	return true;
}

bool
jobserver_acquire(struct jobserver *js, const volatile sig_atomic_t *cancel)
{
	while (!(cancel && *cancel)) {
		struct pollfd pfd = {js->rfd, POLLIN, 0};
		char c;
		ssize_t n = -1;
		int err = EAGAIN;

		pthread_mutex_lock(js->mu);
		if (js->held < (int)sizeof(js->tokens)) {
			n = read(js->rfd, &c, 1);
			err = errno;
			if (n == 1) {
				js->tokens[js->held++] = c;
			}
		}
		pthread_mutex_unlock(js->mu);
		if (n == 1) {
			return true;
		}
		if (n == 0 || (n < 0 && err != EAGAIN && err != EINTR)) {
			/* make went away: no more tokens will come */
			return false;
		}
		/* the mutex is not held here, so tokens can still be given back */
		poll(&pfd, 1, 200);
	}
	return false;
}

void
jobserver_release(struct jobserver *js)
{
	char c;

	pthread_mutex_lock(js->mu);
	if (js->held <= 0) {
		pthread_mutex_unlock(js->mu);
		return;
	}
	c = js->tokens[--js->held];
	pthread_mutex_unlock(js->mu);
	/* outside the lock: another thread's read may be what makes room. A full
	 * pipe (EAGAIN on our non-blocking descriptor) is waited out, never taken
	 * for a token given back, or make's -j would shrink by one for good */
	for (int waited = 0;;) {
		struct pollfd pfd = {js->wfd, POLLOUT, 0};
		ssize_t n = write(js->wfd, &c, 1);

		if (n == 1) {
			return;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno != EAGAIN) {
			/* make went away (EPIPE): there is no one to give it back to */
			return;
		}
		if (waited++ == JOBSERVER_WAIT_S) {
			warn("make's jobserver has taken no token back for %d s: one job slot is lost",
			     JOBSERVER_WAIT_S);
			return;
		}
		poll(&pfd, 1, 1000);
	}
}

void
jobserver_close(struct jobserver *js)
{
	while (js->active && js->held > 0) {
		jobserver_release(js);
	}
	if (js->rfd >= 0) {
		close(js->rfd);
	}
	if (js->wfd >= 0) {
		close(js->wfd);
	}
	js->rfd = js->wfd = -1;
	js->active = false;
	if (js->mu) {
		pthread_mutex_destroy(js->mu);
		free(js->mu);
		js->mu = NULL;
	}
}
