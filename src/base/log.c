/* log.c: the one place diagnostics are formatted. The level is the only mutable
 * global besides the interrupt flag (see STYLE.md), with the progress line, which
 * belongs to stderr as much as the messages do: a message erases it, prints, and
 * draws it again. */
#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum log_level threshold = LOG_INFO;
static char status_line[128];	/* the progress line on a terminal, or "" */

void
log_set_level(enum log_level level)
{
	threshold = level;
}

enum log_level
log_get_level(void)
{
	return threshold;
}

void
log_adjust(int delta)
{
	int l = (int)threshold + delta;

	if (l < LOG_ERROR) {
		l = LOG_ERROR;
	}
	if (l > LOG_DEBUG) {
		l = LOG_DEBUG;
	}
	threshold = (enum log_level)l;
}

static void
vreport(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	/* One buffer and one write, so parallel cells do not interleave lines. */
	char line[4096];
	int n = snprintf(line, sizeof(line), "%s", prefix);

	if (n < 0) {
		return;
	}
	if ((size_t)n < sizeof(line)) {
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	}
	flockfile(stderr);
	if (status_line[0]) {
		fputs("\r\033[K", stderr);
	}
	fprintf(stderr, "%s%s%s\n", line, suffix ? ": " : "", suffix ? suffix : "");
	if (status_line[0]) {
		fputs(status_line, stderr);
		fflush(stderr);
	}
	funlockfile(stderr);
}

bool
log_status_possible(void)
{
	return isatty(STDERR_FILENO) == 1;
}

void
log_status(const char *line)
{
	flockfile(stderr);
	if (status_line[0]) {
		fputs("\r\033[K", stderr);
	}
	status_line[0] = '\0';
	if (line && *line && log_status_possible()) {
		snprintf(status_line, sizeof(status_line), "%s", line);
		fputs(status_line, stderr);
	}
	fflush(stderr);
	funlockfile(stderr);
}

int
error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("ounce: error: ", fmt, ap, NULL);
	va_end(ap);
	return -1;
}

int
error_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport("ounce: error: ", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
	return -1;
}

int
error_at(const char *file, int line, const char *fmt, ...)
{
	char prefix[1024];
	va_list ap;

	if (line > 0) {
		snprintf(prefix, sizeof(prefix), "%s:%d: error: ", file, line);
	} else {
		snprintf(prefix, sizeof(prefix), "%s: error: ", file);
	}
	va_start(ap, fmt);
	vreport(prefix, fmt, ap, NULL);
	va_end(ap);
	return -1;
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	if (threshold < LOG_WARN) {
		return;
	}
	va_start(ap, fmt);
	vreport("ounce: warning: ", fmt, ap, NULL);
	va_end(ap);
}

void
info(const char *fmt, ...)
{
	va_list ap;

	if (threshold < LOG_INFO) {
		return;
	}
	va_start(ap, fmt);
	vreport("ounce: ", fmt, ap, NULL);
	va_end(ap);
}

void
debug(const char *fmt, ...)
{
	va_list ap;

	if (threshold < LOG_DEBUG) {
		return;
	}
	va_start(ap, fmt);
	vreport("ounce: debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("ounce: error: ", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

void
bug_at(const char *file, int line, const char *msg)
{
	fprintf(stderr, "ounce: BUG: %s:%d: %s\n", file, line, msg);
	abort();
}
