/* spawn.h: run a program from an argv array in its own process group, with its
 * output in a log file, a timeout, and resource usage. The only module that forks. */
#ifndef OUNCE_SPAWN_H
#define OUNCE_SPAWN_H

#include <signal.h>
#include <stdbool.h>

struct buf;

/* argv[1] of ounce run as the launcher of a build step (sandbox.c) */
#define SPAWN_LAUNCH_CMD "__launch"
/* the prefix the program's loader variables (LD_*, GLIBC_TUNABLES) carry in the
 * launcher's environment, so that they reach the program and not the launcher */
#define SPAWN_LAUNCH_ENV "OUNCE_LAUNCH_"
/* seconds between the SIGTERM that stops a program's group and the SIGKILL */
#define SPAWN_KILL_GRACE 2.0

/* How a build step runs (sandbox.h): through ounce's launcher ("ounce __launch"),
 * which ties the program's life to ounce's (PR_SET_PDEATHSIG), kills what it left
 * running when it ends, and with ns mounts ro read-only for it. */
struct spawn_sandbox {
	const char *launcher;	/* ounce's own executable */
	bool ns;		/* in mount and pid namespaces of its own */
	char *const *ro;	/* NULL-terminated: directories mounted read-only (with ns) */
	char *const *rw;	/* NULL-terminated: directories inside those that stay writable */
};

struct spawn_opts {
	char *const *argv;	/* argv[0] is looked up in PATH (of envp) by the parent */
	char *const *envp;	/* NULL: ounce's own environment */
	const char *cwd;	/* NULL: ounce's current directory */
	const char *log_path;	/* stdout and stderr are appended here; NULL: /dev/null */
	struct buf *out;	/* when set, stdout is captured here instead of the log */
	double timeout;		/* seconds; 0 means none */
	const volatile sig_atomic_t *cancel;	/* when it becomes non-zero, stop the group */
	bool inherit_output;	/* stdout and stderr are ounce's own (log_path and out unused) */
	bool inherit_stdin;	/* stdin is ounce's, not /dev/null, and the program stays in
				 * ounce's process group so it may read a terminal; a timeout or
				 * cancel then signals the program alone */
	const struct spawn_sandbox *sandbox;	/* a build step: run it through the
						 * launcher; NULL: as it is */
};

enum spawn_end {
	SPAWN_EXITED,		/* ran; status holds the exit code or 128+signal */
	SPAWN_NOT_STARTED,	/* could not start: start_errno says why */
	SPAWN_TIMEOUT,		/* killed after opts.timeout seconds */
	SPAWN_CANCELLED,	/* killed because *opts.cancel was set */
};

struct spawn_result {
	enum spawn_end end;
	int status;		/* exit code, or 128+N after signal N */
	int start_errno;
	double seconds;		/* wall time */
	long maxrss_kb;		/* peak RSS of the largest process of the tree that was waited for */
	double cpu_seconds;	/* user+system CPU of the program and every descendant
				 * waited for (with a sandbox, the launcher's too) */
};

/* Run opts->argv to completion and fill *res. Returns 0 when the program ran
 * (whatever its status), -1 when it could not be started or ounce itself failed
 * (reported; res->end tells which). */
int spawn_run(const struct spawn_opts *opts, struct spawn_result *res);

/* Resolve name through PATH (the PATH in envp, or ounce's own). Returns a path the
 * caller frees, or NULL when not found (not reported). */
char *spawn_which(const char *name, char *const *envp);

/* One line describing how a run ended ("exit status 2", "killed by signal 9",
 * "timed out after 10 s"...), in a static buffer owned by the caller's thread. */
const char *spawn_describe(const struct spawn_result *res, double timeout);

/* The cause of a failed command, from its log: the most telling line of the last
 * step (after the last of ounce's "==> COMMAND" lines), the first of the most
 * telling kind: a tool that is not installed; a missing header, library, CMake or
 * pkg-config package (with a hint naming its Debian -dev package when known);
 * an undefined symbol; make's "*** ... Stop."; a configure, CMake or compiler
 * error; any error; last the lines that only repeat that something failed (make's
 * "Error 1"). Else (or_last) the step's last line. NULL when there is none; the
 * caller frees it. */
char *spawn_log_cause(const char *log, bool or_last);
/* Replace ounce with argv (argv[0] looked up in PATH), for the compiler wrapper.
 * Returns -1 after reporting when that fails. */
int spawn_exec(char *const *argv);

/* The argv quoted for a log line; the caller frees it. */
char *spawn_quote_argv(char *const *argv);

#endif
