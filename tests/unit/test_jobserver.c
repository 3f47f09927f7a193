/* test_jobserver.c: make's jobserver protocol on a real pipe and a real fifo:
 * tokens taken and given back as the same bytes, a cancelled wait, descriptors
 * make did not pass on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "os/jobserver.h"
#include "testutil.h"

static void
test_jobserver_pipe_tokens(void **state)
{
	struct jobserver js;
	int fds[2];
	char flags[128], back[8];
	volatile sig_atomic_t cancel = 0;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "ab", 2), 2);
	snprintf(flags, sizeof(flags), " -j3 --jobserver-auth=%d,%d", fds[0], fds[1]);
	assert_true(jobserver_open(&js, flags));
	assert_true(jobserver_acquire(&js, &cancel));
	assert_true(jobserver_acquire(&js, &cancel));
	/* none left: a cancelled wait gives up */
	cancel = 1;
	assert_false(jobserver_acquire(&js, &cancel));
	cancel = 0;
	jobserver_release(&js);
	jobserver_release(&js);
	/* both bytes are back in the pipe, as they were taken */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	assert_int_equal(read(fds[0], back, sizeof(back)), 2);
	assert_true((back[0] == 'a' && back[1] == 'b') || (back[0] == 'b' && back[1] == 'a'));
	/* closing gives back what is still held */
	assert_int_equal(write(fds[1], "c", 1), 1);
	assert_true(jobserver_acquire(&js, &cancel));
	jobserver_close(&js);
	assert_int_equal(read(fds[0], back, sizeof(back)), 1);
	assert_int_equal(back[0], 'c');
	close(fds[0]);
	close(fds[1]);
}

static void
test_jobserver_fifo_and_old_spelling(void **state)
{
	struct tu_tmp *t = *state;
	struct jobserver js;
	char *fifo = xasprintf("%s/jobs", t->dir);
	char *flags = xasprintf("-j2 --jobserver-auth=fifo:%s", fifo);
	volatile sig_atomic_t cancel = 0;
	int rfd, wfd, fds[2];
	char c = 0, old[96];

	assert_int_equal(mkfifo(fifo, 0600), 0);
	rfd = open(fifo, O_RDONLY | O_NONBLOCK);
	wfd = open(fifo, O_WRONLY | O_NONBLOCK);
	assert_int_equal(write(wfd, "+", 1), 1);
	assert_true(jobserver_open(&js, flags));
	assert_true(jobserver_acquire(&js, &cancel));
	cancel = 1;
	assert_false(jobserver_acquire(&js, &cancel));
	jobserver_close(&js);
	assert_int_equal(read(rfd, &c, 1), 1);
	assert_int_equal(c, '+');
	close(rfd);
	close(wfd);

	/* make 4.1's --jobserver-fds */
	assert_int_equal(pipe(fds), 0);
	snprintf(old, sizeof(old), "--jobserver-fds=%d,%d -j", fds[0], fds[1]);
	assert_true(jobserver_open(&js, old));
	jobserver_close(&js);
	close(fds[0]);
	close(fds[1]);
	free(fifo);
	free(flags);
}

static void
test_jobserver_absent_or_unusable(void **state)
{
	struct tu_tmp *t = *state;
	struct jobserver js;
	char *err;

	assert_false(jobserver_open(&js, NULL));
	jobserver_close(&js);
	assert_false(jobserver_open(&js, "-j4 -k"));
	jobserver_close(&js);
	/* make did not pass its descriptors on (a rule without '+') */
	tu_capture_begin(t);
	assert_false(jobserver_open(&js, "-j4 --jobserver-auth=900,901"));
	err = tu_capture_end(t);
	tu_assert_contains(err, "warning: MAKEFLAGS names a jobserver ('900,901')");
	free(err);
	jobserver_close(&js);
}

static void *
release_thread(void *arg)
{
	jobserver_release(arg);
	return NULL;
}

/* Bytes in the pipe whose read end is fd (non-blocking), read out. */
static size_t
drain(int fd)
{
	char b[4096];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, b, sizeof(b))) > 0) {
		total += (size_t)n;
	}
	return total;
}

/* A token given back to a pipe that is full for a while (make's other clients
 * gave theirs back first) waits for room instead of being dropped: make's -j
 * would shrink by one for good. */
static void
test_jobserver_release_waits_for_room(void **state)
{
	struct jobserver js;
	int fds[2];
	char flags[128], page[4096];
	volatile sig_atomic_t cancel = 0;
	size_t total = 0;
	pthread_t th;
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	memset(page, '+', sizeof(page));
	while ((n = write(fds[1], page, sizeof(page))) > 0) {
		total += (size_t)n;
	}
	snprintf(flags, sizeof(flags), "-j --jobserver-auth=%d,%d", fds[0], fds[1]);
	assert_true(jobserver_open(&js, flags));
	assert_true(jobserver_acquire(&js, &cancel));
	/* one byte read frees no page of the pipe: it is still full */
	assert_int_equal(write(fds[1], page, 1), -1);
	assert_int_equal(pthread_create(&th, NULL, release_thread, &js), 0);
	nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
	/* make reads a page of tokens: now there is room */
	assert_int_equal(read(fds[0], page, sizeof(page)), (ssize_t)sizeof(page));
	assert_int_equal(pthread_join(th, NULL), 0);
	/* every token is in the pipe, or was read above */
	assert_int_equal(drain(fds[0]), total - sizeof(page));
	jobserver_close(&js);
	close(fds[0]);
	close(fds[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobserver_pipe_tokens),
		cmocka_unit_test(test_jobserver_release_waits_for_room),
		cmocka_unit_test_setup_teardown(test_jobserver_fifo_and_old_spelling,
						tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_jobserver_absent_or_unusable,
						tu_setup_tmpdir, tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
