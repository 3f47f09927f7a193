/* log.h: leveled diagnostics on stderr; the error helpers return -1. */
#ifndef OUNCE_LOG_H
#define OUNCE_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

#define OUNCE_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Set the threshold: messages above it are dropped. */
void log_set_level(enum log_level level);
/* Current threshold. */
enum log_level log_get_level(void);
/* Move the threshold by delta (-q is -1, -v is +1), clamped. */
void log_adjust(int delta);

/* Print "ounce: error: MSG"; returns -1 so callers can report and return at once. */
int error(const char *fmt, ...) OUNCE_PRINTF(1, 2);
/* Like error() with ": strerror(errno)" appended. */
int error_errno(const char *fmt, ...) OUNCE_PRINTF(1, 2);
/* Print "FILE:LINE: error: MSG" (LINE 0 leaves it out); returns -1. */
int error_at(const char *file, int line, const char *fmt, ...) OUNCE_PRINTF(3, 4);
/* Print "ounce: warning: MSG". */
void warn(const char *fmt, ...) OUNCE_PRINTF(1, 2);
/* Print "ounce: MSG" at info level. */
void info(const char *fmt, ...) OUNCE_PRINTF(1, 2);
/* Print "ounce: debug: MSG" at debug level. */
void debug(const char *fmt, ...) OUNCE_PRINTF(1, 2);
/* True when stderr is a terminal, where a progress line can be drawn. */
bool log_status_possible(void);
/* Draw line as the progress line at the bottom of a terminal (replacing the last
 * one; messages print above it); NULL or "" erases it. Nothing when stderr is not a
 * terminal. */
void log_status(const char *line);
/* Print an error and exit(1): only for main-level code and the x-allocators. */
_Noreturn void die(const char *fmt, ...) OUNCE_PRINTF(1, 2);
/* Report a "cannot happen" condition and abort. */
#define BUG(msg) bug_at(__FILE__, __LINE__, (msg))
_Noreturn void bug_at(const char *file, int line, const char *msg);

#endif
