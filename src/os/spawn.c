/* spawn.c: start, wait and time out programs, done the careful way (see STYLE.md):
 * argv, env and PATH are ready before the start, the program is started with
 * posix_spawn (glibc's clones the parent without copying its page tables, which
 * fork did for 0.3 ms of ounce's CPU a spawn, and reports a failed exec as its
 * result), and the parent enforces the timeout on the whole process group. Safe to
 * call from several threads. */
#define _GNU_SOURCE /* wait4, posix_spawn_file_actions_addchdir_np, strcasestr */
#include "os/spawn.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "os/clock.h"
#include "os/fsutil.h"
#include "base/banned.h"

extern char **environ;

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
		buf_add_shell_word(&b, *a);
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
 * from in, out and err (-1: ounce's own) and the launcher's report pipe report[0]
 * as report[1] (-1: none), in a process group of its own when own_group is set, with
 * SIGPIPE's default action (an ignored signal stays ignored across exec, whatever
 * ounce does with it). Returns 0 with *pid set, or the errno of what failed. */
static int
start(pid_t *pid, const char *path, char *const *argv, char *const *envp, const char *cwd,
      int in, int out, int err, const int report[2], bool own_group)
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
	if (rc == 0 && report[0] >= 0) {
		rc = posix_spawn_file_actions_adddup2(&fa, report[0], report[1]);
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
		double t = clock_now();
		if (!kill_at && ((deadline && t >= deadline) || (o->cancel && *o->cancel))) {
			res->end = (o->cancel && *o->cancel) ? SPAWN_CANCELLED : SPAWN_TIMEOUT;
			kill_group(pid, SIGTERM);
			kill_at = t + SPAWN_KILL_GRACE;
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
	res->seconds = clock_now() - start;
	res->maxrss_kb = ru.ru_maxrss;
	res->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	if (WIFEXITED(status)) {
		res->status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->status = 128 + WTERMSIG(status);
	} else {
		res->status = 255;
	}
	return 0;
}

/* The argv that runs path as argv through the launcher of sb, in out. */
static void
launcher_argv(const struct spawn_sandbox *sb, const char *path, char *const *argv, int report,
	      struct strv *out)
{
	strv_push(out, sb->launcher);
	strv_push(out, SPAWN_LAUNCH_CMD);
	if (sb->ns) {
		strv_push(out, "--ns");
		for (char *const *d = sb->ro; d && *d; d++) {
			strv_push(out, "--ro");
			strv_push(out, *d);
		}
		for (char *const *d = sb->rw; d && *d; d++) {
			strv_push(out, "--rw");
			strv_push(out, *d);
		}
	}
	strv_push(out, "--parent");
	strv_push_owned(out, xasprintf("%ld", (long)getpid()));
	strv_push(out, "--report");
	strv_push_owned(out, xasprintf("%d", report));
	strv_push(out, "--");
	strv_push(out, path);
	strv_pushv(out, argv);
}

/* Read what the launcher reported on fd (its lines, sandbox.c): the program's peak
 * RSS ("r KB"), or why it could not start it ("x ERRNO" from exec, "n ERRNO TEXT"
 * from the sandbox's set-up), into res; the text of an "n" line into why. */
static void
read_report(int fd, struct spawn_result *res, char *why, size_t len)
{
	char text[512];
	size_t n = 0;
	ssize_t r;

	while (n + 1 < sizeof(text) && (r = read(fd, text + n, sizeof(text) - 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			break;
		}
		n += (size_t)r;
	}
	text[n] = '\0';
	for (char *line = text; *line;) {
		char *end = strchr(line, '\n'), *rest;
		long v;

		if (!end) {
			break;
		}
		*end = '\0';
		v = strtol(line + (line[0] ? 1 : 0), &rest, 10);
		if (line[0] == 'r') {
			res->maxrss_kb = v;
		} else if ((line[0] == 'x' || line[0] == 'n') && v > 0) {
			res->end = SPAWN_NOT_STARTED;
			res->start_errno = (int)v;
			res->status = 127;
			snprintf(why, len, "%s", line[0] == 'n' ? rest + strspn(rest, " ") : "");
		}
		line = end + 1;
	}
}

int
spawn_run(const struct spawn_opts *o, struct spawn_result *res)
{
	char *const *envp = o->envp ? o->envp : environ;
	int in = -1, out = -1, errfd = -1, rc = -1, e, cd;
	int report[2] = {-1, -1}, to[2] = {-1, -1};
	struct stat st;
	struct strv largv = STRV_INIT, lenv = STRV_INIT;
	char *path, capture_path[] = "/tmp/ounce-capture-XXXXXX", why[256] = "";
	double start_time = clock_now();
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
	if (!e && o->sandbox) {
		/* the launcher reports on a pipe of its own (O_CLOEXEC keeps it out of
		 * what other threads start meanwhile), on a descriptor ounce holds no
		 * other file on (one make handed down for its jobserver stays as it is) */
		if (pipe2(report, O_CLOEXEC | O_NONBLOCK) < 0 ||
		    (to[1] = fcntl(report[1], F_DUPFD_CLOEXEC, 64)) < 0) {
			error_errno("cannot create a pipe");
			goto out;
		}
		to[0] = report[1];
		launcher_argv(o->sandbox, path, o->argv, to[1], &largv);
		/* the launcher is ounce: a cell's LD_LIBRARY_PATH (its own libz, say)
		 * or LD_TRACE_LOADED_OBJECTS is for the program, not for it */
		for (char *const *v = envp; *v; v++) {
			if (!strncmp(*v, "LD_", 3) || !strncmp(*v, "GLIBC_TUNABLES=", 15)) {
				strv_push_owned(&lenv, xasprintf("%s%s", SPAWN_LAUNCH_ENV, *v));
			} else {
				strv_push(&lenv, *v);
			}
		}
	}
	if (!e) {
		e = start(&pid, o->sandbox ? o->sandbox->launcher : path,
			  o->sandbox ? strv_array(&largv) : o->argv,
			  o->sandbox ? strv_array(&lenv) : envp, o->cwd, in, out,
			  errfd >= 0 ? errfd : out, to, !o->inherit_stdin);
		cd = e && o->cwd ? dir_errno(o->cwd) : 0;
	}
	/* the write end is the launcher's alone now */
	for (int i = 0; i < 2; i++) {
		if (to[i] >= 0) {
			close(to[i]);
		}
	}
	report[1] = -1;
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
	if (report[0] >= 0) {
		read_report(report[0], res, why, sizeof(why));
		if (res->end == SPAWN_NOT_STARTED) {
			if (*why) {
				error("cannot run '%s' in the sandbox: %s: %s", o->argv[0], why,
				      strerror(res->start_errno));
			} else {
				error("cannot run '%s': %s", o->argv[0], strerror(res->start_errno));
			}
			goto out;
		}
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
	strv_release(&largv);
	strv_release(&lenv);
	for (int i = 0; i < 2; i++) {
		if (report[i] >= 0) {
			close(report[i]);
		}
	}
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

/* Debian's -dev packages for the headers, libraries (-l), CMake packages and
 * pkg-config modules that builds most often miss, for a one-line hint. Lists are
 * space-separated; a header ending in '/' stands for every header under it. */
static const struct devpkg {
	const char *deb, *headers, *libs, *cmake, *pc;
} devpkgs[] = {
	{"zlib1g-dev", "zlib.h", "z", "ZLIB", "zlib"},
	{"libbz2-dev", "bzlib.h", "bz2", "BZip2", "bzip2"},
	{"liblzma-dev", "lzma.h", "lzma", "LibLZMA", "liblzma"},
	{"libzstd-dev", "zstd.h", "zstd", "zstd", "libzstd"},
	{"liblz4-dev", "lz4.h", "lz4", "lz4", "liblz4"},
	{"libssl-dev", "openssl/", "ssl crypto", "OpenSSL", "openssl libssl libcrypto"},
	{"libcurl4-openssl-dev", "curl/", "curl", "CURL", "libcurl"},
	{"libpng-dev", "png.h", "png png16", "PNG", "libpng libpng16"},
	{"libjpeg-dev", "jpeglib.h", "jpeg", "JPEG", "libjpeg"},
	{"libtiff-dev", "tiffio.h tiff.h", "tiff", "TIFF", "libtiff-4"},
	{"libfreetype-dev", "ft2build.h", "freetype", "Freetype", "freetype2"},
	{"libexpat1-dev", "expat.h", "expat", "EXPAT expat", "expat"},
	{"libxml2-dev", "libxml/ libxml2/", "xml2", "LibXml2", "libxml-2.0"},
	{"libsqlite3-dev", "sqlite3.h", "sqlite3", "SQLite3", "sqlite3"},
	{"libncurses-dev", "curses.h ncurses.h term.h", "ncurses ncursesw tinfo curses",
	 "Curses", "ncurses ncursesw"},
	{"libreadline-dev", "readline/", "readline", "Readline", "readline"},
	{"libpcre2-dev", "pcre2.h", "pcre2-8", "PCRE2", "libpcre2-8"},
	{"libffi-dev", "ffi.h", "ffi", "FFI", "libffi"},
	{"uuid-dev", "uuid/", "uuid", "UUID", "uuid"},
	{"libelf-dev", "libelf.h gelf.h", "elf", "LibElf", "libelf"},
	{"libcap-dev", "sys/capability.h", "cap", "Libcap", "libcap"},
	{"libseccomp-dev", "seccomp.h", "seccomp", "Libseccomp", "libseccomp"},
	{"libsystemd-dev", "systemd/", "systemd", "Systemd", "libsystemd"},
	{"libudev-dev", "libudev.h", "udev", "UDev", "libudev"},
	{"libpcap-dev", "pcap.h pcap/", "pcap", "PCAP", "libpcap"},
	{"libevent-dev", "event.h event2/", "event", "Libevent", "libevent"},
	{"libuv1-dev", "uv.h", "uv", "LibUV libuv", "libuv"},
	{"libsodium-dev", "sodium.h", "sodium", "Sodium", "libsodium"},
	{"libyaml-dev", "yaml.h", "yaml", "LibYAML", "yaml-0.1"},
	{"libjansson-dev", "jansson.h", "jansson", "Jansson", "jansson"},
	{"libarchive-dev", "archive.h archive_entry.h", "archive", "LibArchive", "libarchive"},
	{"libgmp-dev", "gmp.h", "gmp", "GMP", "gmp"},
	{"libglib2.0-dev", "glib.h glib-object.h gio/", "glib-2.0 gobject-2.0 gio-2.0", "GLib",
	 "glib-2.0 gobject-2.0 gio-2.0"},
	{"libx11-dev", "X11/", "X11", "X11", "x11"},
	{"libgl-dev", "GL/", "GL", "OpenGL", "gl"},
	{"libsdl2-dev", "SDL2/", "SDL2", "SDL2", "sdl2"},
	{"libasound2-dev", "alsa/", "asound", "ALSA", "alsa"},
	{"libpam0g-dev", "security/", "pam", "PAM", "pam"},
	{"libcmocka-dev", "cmocka.h", "cmocka", "cmocka", "cmocka"},
	{"libboost-dev", "boost/", "", "Boost", ""},
	{"python3-dev", "Python.h", "python3", "Python3 PythonLibs", "python3"},
};

enum dev_kind { DEV_HEADER, DEV_LIB, DEV_CMAKE, DEV_PC };

/* Is name in the space-separated list? A list entry ending in '/' holds every
 * name under it (when dirs); CMake's names compare without case (fold). */
static bool
in_list(const char *list, const char *name, bool dirs, bool fold)
{
	size_t len = strlen(name);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ");

		if (n && ((n == len && (fold ? !strncasecmp(p, name, n) : !strncmp(p, name, n))) ||
			  (dirs && p[n - 1] == '/' && len > n && !strncmp(p, name, n)))) {
			return true;
		}
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

/* The Debian package that has name, or NULL. */
static const char *
dev_package(enum dev_kind kind, const char *name)
{
	for (size_t i = 0; i < sizeof(devpkgs) / sizeof(*devpkgs); i++) {
		const struct devpkg *d = &devpkgs[i];

		if ((kind == DEV_HEADER && in_list(d->headers, name, true, false)) ||
		    (kind == DEV_LIB && in_list(d->libs, name, false, false)) ||
		    (kind == DEV_CMAKE && in_list(d->cmake, name, false, true)) ||
		    (kind == DEV_PC && in_list(d->pc, name, false, false))) {
			return d->deb;
		}
	}
	return NULL;
}

/* text (at most 240 bytes of it) and a hint naming what is missing and, when the
 * table knows it, its Debian package. */
static char *
with_hint(const char *text, enum dev_kind kind, const char *name, size_t len)
{
	char *n = xstrndup(name, len < 120 ? len : 120), *what, *s;
	const char *deb = dev_package(kind, n);

	switch (kind) {
	case DEV_HEADER:
		what = xasprintf("'%s'", n);
		break;
	case DEV_LIB:
		what = deb ? xasprintf("-l%s", n) : xasprintf("lib%s.so", n);
		break;
	case DEV_CMAKE:
		what = xasprintf("the CMake package '%s'", n);
		break;
	default:
		what = xasprintf("'%s.pc'", n);
		break;
	}
	if (deb) {
		s = xasprintf("%.240s (on Debian, %s is in %s)", text, what, deb);
	} else {
		s = xasprintf("%.240s (is the -dev package with %s installed?)", text, what);
	}
	free(what);
	free(n);
	return s;
}

/* The most telling line found so far, and how telling it is. */
struct cause {
	int score;
	char *text;
};

static void
offer(struct cause *best, int score, char *text)
{
	if (score > best->score) {
		free(best->text);
		best->text = text;
		best->score = score;
	} else {
		free(text);
	}
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Does s name an error as a word ("error:", "ERROR ", "error[E0425]"), not as
 * part of a name (error.c, -Werror, strerror_r)? */
static bool
error_word(const char *s)
{
	for (const char *p = s; (p = strcasestr(p, "error")); p += 5) {
		char after = p[5];

		if ((p == s || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)after) &&
		    after != '.' && after != '_' && after != '-' && (p == s || p[-1] != '-')) {
			return true;
		}
	}
	return false;
}

/* Lines that follow the cause and repeat that something failed. */
static bool
noise(const char *s)
{
	static const char *const v[] = {
		"ld returned", "linker command failed", "errors occurred", "compilation terminated",
		"build stopped", "error generated", "errors generated", "See also \"",
		"warnings being treated as errors", "due to previous error",
	};

	if (strstr(s, "*** ") && strstr(s, "] Error ")) {
		return true;
	}
	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		if (strstr(s, v[i])) {
			return true;
		}
	}
	return false;
}

/* A "CMake Error at LOC (COMMAND):" message: its first paragraph (the indented
 * lines after it, joined), led by LOC when that is the project's own file. *i is
 * moved past the paragraph. */
static void
cmake_error(char **lines, size_t n, size_t *i, struct cause *best)
{
	const char *head = lines[*i] + strspn(lines[*i], " "), *p;
	struct buf b = BUF_INIT, loc = BUF_INIT;

	if (!strncmp(head, "CMake Error:", 12)) {
		/* one line: CMake's own error ("CMake Error: The source directory ...") */
		offer(best, 70, xstrndup(head + 12 + strspn(head + 12, " "), 240));
		return;
	}
	p = head + strlen("CMake Error at ");
	if (*p != '/') {
		buf_add(&loc, p, strcspn(p, " "));
	}
	while (*i + 1 < n && lines[*i + 1][0] == ' ' && lines[*i + 1][strspn(lines[*i + 1], " ")]) {
		(*i)++;
		if (b.len) {
			buf_addc(&b, ' ');
		}
		buf_adds(&b, lines[*i] + strspn(lines[*i], " "));
	}
	const char *text = buf_str(&b);
	if ((p = strstr(text, "Could NOT find "))) {
		const char *name = p + strlen("Could NOT find ");

		offer(best, 90, with_hint(p, DEV_CMAKE, name, strcspn(name, " (")));
	} else if ((p = strstr(text, "package configuration file provided by \""))) {
		const char *name = p + strlen("package configuration file provided by \"");
		size_t len = strcspn(name, "\"");
		char *line = xasprintf("%s%scould not find a package configuration file provided by "
				       "\"%.*s\"",
				       buf_str(&loc), loc.len ? ": " : "", (int)len, name);

		offer(best, 90, with_hint(line, DEV_CMAKE, name, len));
		free(line);
	} else if (*text) {
		offer(best, strstr(text, "required package was not found") ? 40 : 70,
		      xasprintf("%s%s%.240s", buf_str(&loc), loc.len ? ": " : "", text));
	}
	buf_release(&b);
	buf_release(&loc);
}

/* What line s says of the failure, offered to best with how telling it is: a
 * missing header, library or package first, then an undefined symbol, make's own
 * stop, a configure or compiler error, any error, and last the lines that only
 * repeat that something failed. */
static void
judge(const char *s, struct cause *best)
{
	const char *p, *name;

	if ((p = strstr(s, "fatal error: "))) {
		name = p + strlen("fatal error: ");
		if (*name == '\'' && strstr(name, "' file not found")) {
			/* clang */
			offer(best, 90, with_hint(s, DEV_HEADER, name + 1, strcspn(name + 1, "'")));
			return;
		}
		if (ends_with(name, ": No such file or directory")) {
			offer(best, 90, with_hint(s, DEV_HEADER, name, strcspn(name, ":")));
			return;
		}
	}
	if ((p = strstr(s, "cannot find -l"))) {
		name = p + strlen("cannot find -l");
		offer(best, 90, with_hint(s, DEV_LIB, name, strcspn(name, ": ")));
		return;
	}
	/* pkg-config (and pkgconf) inside configure or CMake; meson and muon */
	if (((p = strstr(s, "Package '")) && strstr(s, "not found")) ||
	    ((p = strstr(s, "No package '")) && ends_with(s, "' found"))) {
		name = strchr(p, '\'') + 1;
		offer(best, 90, with_hint(s, DEV_PC, name, strcspn(name, "'")));
		return;
	}
	if (((p = strstr(s, "ependency \"")) && strstr(s, "\" not found")) ||
	    ((p = strstr(s, "dependency ['")) && strstr(s, "'] not found"))) {
		name = p + strcspn(p, "\"'") + 1;
		offer(best, 90, with_hint(s, DEV_PC, name, strcspn(name, "\"'")));
		return;
	}
	if (strstr(s, "undefined reference to ") || strstr(s, "undefined symbol: ")) {
		offer(best, 80, xstrndup(s, 240));
	} else if (strstr(s, "*** ") && ends_with(s, "Stop.")) {
		/* make's own: no makefile, no rule for a target, a malformed line */
		offer(best, 70, xstrndup(s, 240));
	} else if (strstr(s, "configure: error:") || strstr(s, "ERROR:")) {
		offer(best, 70, xstrndup(s, 240));
	} else if (noise(s)) {
		offer(best, 5, xstrndup(s, 240));
	} else if (strstr(s, ": error:") || strstr(s, ": fatal error:") || strstr(s, ": error ") ||
		   !strncmp(s, "error[", 6)) {
		/* a compiler's (muon: "FILE:LINE:COL: error MESSAGE"; rustc's codes) */
		offer(best, 60, xstrndup(s, 240));
	} else if (error_word(s)) {
		offer(best, 50, xstrndup(s, 240));
	}
}

/* text with the paths under the log's directory (a cell's copy of the tree and its
 * build directory) made relative to it: "src/meson.build:5:4: error ..." */
static char *
relative_to_log(char *text, const char *log)
{
	const char *slash = strrchr(log, '/');
	struct buf b = BUF_INIT;
	size_t n;
	char *dir;
	const char *p, *q;

	if (!slash || slash == log) {
		return text;
	}
	dir = xstrndup(log, (size_t)(slash - log) + 1);
	n = strlen(dir);
	for (p = text; (q = strstr(p, dir)); p = q + n) {
		buf_add(&b, p, (size_t)(q - p));
	}
	buf_adds(&b, p);
	free(dir);
	free(text);
	return buf_detach(&b);
}

char *
spawn_log_cause(const char *log, bool or_last)
{
	struct buf b = BUF_INIT;
	struct cause best = {0, NULL};
	char **lines = NULL;
	size_t n = 0, cap = 0, first = 0;
	const char *last = NULL;

	if (!log || fs_read_file(log, &b) < 0) {
		return NULL;
	}
	for (char *line = b.s; line && *line;) {
		char *end = strchr(line, '\n');

		if (end) {
			*end = '\0';
		}
		if (end > line && end[-1] == '\r') {
			end[-1] = '\0';
		}
		lines = xgrowarray(lines, &cap, n + 1, sizeof(*lines));
		lines[n++] = line;
		line = end ? end + 1 : NULL;
	}
	/* each step of a cell starts with ounce's "==> COMMAND" line: the cause is
	 * in the step that failed, the last */
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(lines[i], "==> ", 4)) {
			first = i + 1;
		}
	}
	for (size_t i = first; i < n; i++) {
		const char *s = lines[i] + strspn(lines[i], " \t");
		const char *nf = strstr(s, ": command not found");

		if (nf) {
			/* a tool the build runs is missing: that is the cause, whatever
			 * error make reports after it */
			const char *start = nf;

			while (start > s && start[-1] != ' ' && start[-1] != ':') {
				start--;
			}
			offer(&best, 100,
			      xasprintf("the build runs '%.*s', which is not installed (%.200s)",
					(int)(nf - start), start, s));
			break;
		}
		if (!strncmp(s, "CMake Error", 11)) {
			cmake_error(lines, n, &i, &best);
			continue;
		}
		/* CMake's status lines ("-- ") hold pkg-config's verdict */
		if (!strncmp(s, "-- ", 3)) {
			s += 3 + strspn(s + 3, " ");
		}
		judge(s, &best);
		if (*s) {
			last = s;
		}
	}
	if (!best.text && or_last && last) {
		best.text = xstrndup(last, 240);
	}
	free(lines);
	buf_release(&b);
	return best.text ? relative_to_log(best.text, log) : NULL;
}
