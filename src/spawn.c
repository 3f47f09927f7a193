/* spawn.c: start, wait and time out programs, done the careful way (see STYLE.md):
 * argv, env and PATH are ready before the start, the program is started with
 * posix_spawn (glibc's clones the parent without copying its page tables, which
 * fork did for 0.3 ms of ounce's CPU a spawn, and reports a failed exec as its
 * result), and the parent enforces the timeout on the whole process group. Safe to
 * call from several threads. */
#define _GNU_SOURCE /* wait4, posix_spawn_file_actions_addchdir_np, strcasestr */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "log.h"
#include "mem.h"
#include "strv.h"
#include "banned.h"

extern char **environ;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
	}
}

char *
spawn_which(const char *name, char *const *envp)
{
	const char *path = NULL;

	if (strchr(name, '/')) {
		return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
	}
	for (char *const *e = envp ? envp : environ; e && *e; e++) {
		if (!strncmp(*e, "PATH=", 5)) {
			path = *e + 5;
			break;
		}
	}
	if (!path) {
		path = "/usr/local/bin:/usr/bin:/bin";
	}
	while (*path) {
		size_t n = strcspn(path, ":");
		char *cand = n ? xasprintf("%.*s/%s", (int)n, path, name) : xasprintf("./%s", name);
		struct stat st;

		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
			return cand;
		}
		free(cand);
		path += n;
		if (*path == ':') {
			path++;
		}
	}
	return NULL;
}

char *
spawn_quote_argv(char *const *argv)
{
	struct buf b = BUF_INIT;

	for (char *const *a = argv; *a; a++) {
		if (a != argv) {
			buf_addc(&b, ' ');
		}
		if (**a && !strpbrk(*a, " \t\n'\"\\$`;&|<>()*?[]#~{}")) {
			buf_adds(&b, *a);
			continue;
		}
		buf_addc(&b, '\'');
		for (const char *p = *a; *p; p++) {
			if (*p == '\'') {
				buf_adds(&b, "'\\''");
			} else {
				buf_addc(&b, *p);
			}
		}
		buf_addc(&b, '\'');
	}
	return buf_detach(&b);
}

const char *
spawn_describe(const struct spawn_result *res, double timeout)
{
	static _Thread_local char msg[128];

	switch (res->end) {
	case SPAWN_NOT_STARTED:
		snprintf(msg, sizeof(msg), "could not start: %s", strerror(res->start_errno));
		break;
	case SPAWN_TIMEOUT:
		snprintf(msg, sizeof(msg), "timed out after %g s", timeout);
		break;
	case SPAWN_CANCELLED:
		snprintf(msg, sizeof(msg), "interrupted");
		break;
	case SPAWN_EXITED:
		if (res->status > 128) {
			snprintf(msg, sizeof(msg), "killed by signal %d", res->status - 128);
		} else {
			snprintf(msg, sizeof(msg), "exit status %d", res->status);
		}
		break;
	}
	return msg;
}

/* Start path as argv with envp in cwd (NULL: ounce's), its stdin, stdout and stderr
 * from in, out and err (-1: ounce's own), in a process group of its own when
 * own_group is set, with SIGPIPE's default action (an ignored signal stays ignored
 * across exec, whatever ounce does with it). Returns 0 with *pid set, or the errno
 * of what failed. */
static int
start(pid_t *pid, const char *path, char *const *argv, char *const *envp, const char *cwd,
      int in, int out, int err, bool own_group)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t dfl;
	short flags = POSIX_SPAWN_SETSIGDEF;
	int rc;

	if (posix_spawn_file_actions_init(&fa) != 0) {
		return ENOMEM;
	}
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return ENOMEM;
	}
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	rc = posix_spawnattr_setsigdefault(&at, &dfl);
	if (rc == 0 && own_group) {
		flags |= POSIX_SPAWN_SETPGROUP;
		rc = posix_spawnattr_setpgroup(&at, 0);
	}
	if (rc == 0) {
		rc = posix_spawnattr_setflags(&at, flags);
	}
	if (rc == 0 && in >= 0) {
		rc = posix_spawn_file_actions_adddup2(&fa, in, 0);
	}
	if (rc == 0 && out >= 0) {
		rc = posix_spawn_file_actions_adddup2(&fa, out, 1);
	}
	if (rc == 0 && err >= 0) {
		rc = posix_spawn_file_actions_adddup2(&fa, err, 2);
	}
	if (rc == 0 && cwd) {
		rc = posix_spawn_file_actions_addchdir_np(&fa, cwd);
	}
	if (rc == 0) {
		rc = posix_spawn(pid, path, &fa, &at, argv, envp);
	}
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Why chdir to dir would fail: its errno, or 0. */
static int
dir_errno(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		return errno;
	}
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

static void
kill_group(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0 && errno == ESRCH) {
		kill(pid, sig);
	}
}

/* Sleep until pid may have ended, for at most ms milliseconds: on a pidfd, which
 * becomes readable when the process exits (so a 0.1 s build is reaped when it ends,
 * not at the next tick); without one (an old kernel), a plain nap. */
static void
await_exit(int pidfd, long ms)
{
	struct pollfd p = {pidfd, POLLIN, 0};

	if (pidfd < 0) {
		nap(ms);
	} else if (poll(&p, 1, (int)ms) < 0 && errno != EINTR) {
		nap(ms);
	}
}

/* Wait for pid, enforcing the timeout and the cancel flag on its group. */
static int
wait_child(pid_t pid, const struct spawn_opts *o, struct spawn_result *res, double start)
{
	double deadline = o->timeout > 0 ? start + o->timeout : 0, kill_at = 0;
	struct rusage ru;
	int status;
	int pidfd = pidfd_open(pid, 0);
	long ms = 1;

	for (;;) {
		pid_t r = wait4(pid, &status, WNOHANG, &ru);

		if (r == pid) {
			break;
		}
		if (r < 0 && errno != EINTR) {
			if (pidfd >= 0) {
				close(pidfd);
			}
			return error_errno("cannot wait for process %ld", (long)pid);
		}
		double t = now();
		if (!kill_at && ((deadline && t >= deadline) || (o->cancel && *o->cancel))) {
			res->end = (o->cancel && *o->cancel) ? SPAWN_CANCELLED : SPAWN_TIMEOUT;
			kill_group(pid, SIGTERM);
			kill_at = t + 2.0;
		} else if (kill_at && t >= kill_at) {
			kill_group(pid, SIGKILL);
			kill_at = t + 3600;
		}
		/* the cancel flag and the deadline are looked at every 50 ms at most;
		 * without a pidfd, back off from 1 ms to 20 ms */
		await_exit(pidfd, pidfd >= 0 ? 50 : ms);
		if (ms < 20) {
			ms *= 2;
		}
	}
	if (pidfd >= 0) {
		close(pidfd);
	}
	/* anything the program left running in its group (a server a smoke test
	 * forgot, a daemon) goes with it */
	kill(-pid, SIGKILL);
	res->seconds = now() - start;
	res->maxrss_kb = ru.ru_maxrss;
	if (WIFEXITED(status)) {
		res->status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->status = 128 + WTERMSIG(status);
	} else {
		res->status = 255;
	}
	return 0;
}

int
spawn_run(const struct spawn_opts *o, struct spawn_result *res)
{
	char *const *envp = o->envp ? o->envp : environ;
	int in = -1, out = -1, errfd = -1, rc = -1, e, cd;
	struct stat st;
	char *path, capture_path[] = "/tmp/ounce-capture-XXXXXX";
	double start_time = now();
	pid_t pid;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	res->end = SPAWN_EXITED;
	if (log_get_level() >= LOG_DEBUG) {
		char *q = spawn_quote_argv(o->argv);
		debug("run%s%s: %s", o->cwd ? " in " : "", o->cwd ? o->cwd : "", q);
		free(q);
	}
	path = spawn_which(o->argv[0], envp);
	if (!path) {
		res->end = SPAWN_NOT_STARTED;
		res->start_errno = ENOENT;
		res->status = 127;
		return error("cannot run '%s': command not found", o->argv[0]);
	}
	in = o->inherit_stdin ? -1 : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 && !o->inherit_stdin) {
		error_errno("cannot open '/dev/null'");
		goto out;
	}
	if (o->inherit_output) {
		/* nothing to open: the child keeps ounce's stdout and stderr */
	} else if (o->out) {
		out = mkostemp(capture_path, O_CLOEXEC);
		if (out >= 0) {
			unlink(capture_path);
		}
	} else if (o->log_path) {
		out = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	} else {
		out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	}
	if (out < 0 && !o->inherit_output) {
		error_errno("cannot open '%s'", o->log_path ? o->log_path : "output file");
		goto out;
	}
	if (o->out && !o->inherit_output) {
		/* captured stdout; stderr goes to the log or nowhere */
		errfd = o->log_path
			    ? open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
			    : open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (errfd < 0) {
			error_errno("cannot open '%s'", o->log_path ? o->log_path : "/dev/null");
			goto out;
		}
	}
	fflush(NULL);
	/* what execve and chdir would refuse is looked at first: posix_spawn reports
	 * it too, but not which step failed, nor under valgrind (which runs the
	 * child as a fork) */
	cd = o->cwd ? dir_errno(o->cwd) : 0;
	e = cd ? cd : stat(path, &st) == 0 && !S_ISREG(st.st_mode) ? EACCES : 0;
	if (!e) {
		e = start(&pid, path, o->argv, envp, o->cwd, in, out, errfd >= 0 ? errfd : out,
			  !o->inherit_stdin);
		cd = e && o->cwd ? dir_errno(o->cwd) : 0;
	}
	if (e != 0) {
		res->end = SPAWN_NOT_STARTED;
		res->start_errno = e;
		res->status = 127;
		if (cd) {
			error("cannot run '%s': cannot change to directory '%s': %s", o->argv[0],
			      o->cwd, strerror(cd));
		} else {
			error("cannot run '%s': %s", o->argv[0], strerror(e));
		}
		goto out;
	}
	/* posix_spawn returns once the program runs: its process group is set */
	if (wait_child(pid, o, res, start_time) < 0) {
		goto out;
	}
	if (o->out && !o->inherit_output) {
		char chunk[4096];

		lseek(out, 0, SEEK_SET);
		while ((n = read(out, chunk, sizeof(chunk))) > 0) {
			buf_add(o->out, chunk, (size_t)n);
		}
	}
	rc = 0;
out:
	free(path);
	if (in >= 0) {
		close(in);
	}
	if (out >= 0) {
		close(out);
	}
	if (errfd >= 0) {
		close(errfd);
	}
	return rc;
}

int
spawn_exec(char *const *argv)
{
	char *path = spawn_which(argv[0], NULL);

	if (!path) {
		return error("cannot run '%s': command not found", argv[0]);
	}
	execv(path, argv);
	error_errno("cannot run '%s'", path);
	free(path);
	return -1;
}

char *
spawn_log_cause(const char *log, bool or_last)
{
	struct buf b = BUF_INIT;
	char *found = NULL, *last = NULL;

	if (!log || fs_read_file(log, &b) < 0) {
		return NULL;
	}
	for (char *line = b.s; line && *line;) {
		char *end = strchr(line, '\n');

		if (end) {
			*end = '\0';
		}
		if (!strncmp(line, "==> ", 4)) {
			/* ounce's own line naming the step */
		} else if (strstr(line, ": command not found")) {
			/* a tool the build runs is missing: that is the cause, whatever
			 * error make reports after it */
			char *end_name = strstr(line, ": command not found"), *start = end_name;

			while (start > line && start[-1] != ' ' && start[-1] != ':') {
				start--;
			}
			free(found);
			found = xasprintf("the build runs '%.*s', which is not installed (%.200s)",
					  (int)(end_name - start), start, line);
			break;
		} else if (!found && strcasestr(line, "error")) {
			found = xstrndup(line, 240);
		} else if (line[strspn(line, " \t")]) {
			last = line;
		}
		line = end ? end + 1 : NULL;
	}
	if (!found && or_last && last) {
		found = xstrndup(last, 240);
	}
	buf_release(&b);
	return found;
}
