/* cmd_cc.c: the compiler wrapper. Builds run it as CC/CXX (and as cc, gcc, clang
 * ... first in PATH); it appends the cell's flags, read from the environment,
 * and replaces itself with the real compiler (or, timing the cell's steps, runs it
 * as its child). */
#define _GNU_SOURCE /* wait4, environ */
#include "cmd/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "os/clock.h"
#include "os/spawn.h"
#include "wrap/ltrans.h"
#include "wrap/relink.h"
#include "wrap/wrap.h"
#include "base/banned.h"

/* One line per call in $OUNCE_WRAP_LOG, written with a single append. */
static void
trace(char *const *argv)
{
	const char *path = getenv("OUNCE_WRAP_LOG");
	char *q;
	int fd;

	if (!path || !*path) {
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		return;
	}
	q = spawn_quote_argv(argv);
	size_t n = strlen(q);
	q[n] = '\n';
	if (write(fd, q, n + 1) < 0) {
		/* tracing is best effort: the build must not fail for it */
	}
	q[n] = '\0';
	free(q);
	close(fd);
}

/* An LTO link of a cell that may share its code generation with another
 * (OUNCE_LTO_DIR set: ltrans.h): run it so, and return its exit status; -1 when
 * out is not such a link, for the caller to run. */
static int
lto_shared(struct strv *out)
{
	const char *dir = getenv("OUNCE_LTO_DIR");
	char key[LTRANS_KEY_LEN + 1], *cwd;
	int rc;

	if (!dir || !*dir || !ltrans_applies(out->v, out->n)) {
		return -1;
	}
	cwd = getcwd(NULL, 0);
	rc = cwd && ltrans_key(getenv("OUNCE_LTO_SIG"), getenv("OUNCE_CELL_DIR"), cwd, out->v,
			       out->n, key) == 0
		     ? ltrans_link(dir, key, strv_array(out), trace)
		     : -1;
	free(cwd);
	return rc;
}

/* Append "KIND WALL CPU" (seconds) to the step log. */
static void
log_step(const char *log, const char *kind, double wall, const struct rusage *ru)
{
	double cpu = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
		     (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
	char line[128];
	int n = snprintf(line, sizeof(line), "%s %.6f %.6f\n", kind, wall, cpu);
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0) {
		return;
	}
	if (n > 0 && write(fd, line, (size_t)n) < 0) {
		/* timing is best effort: the build must not fail for it */
	}
	close(fd);
}

/* Run argv (argv[0] a path) as a child, log its times as kind, and return its
 * exit status; a child killed by a signal kills the wrapper by the same signal,
 * so the build sees what it would have seen. */
static int
run_timed(char *const *argv, const char *log, const char *kind)
{
	double start = clock_now();
	struct rusage ru;
	int status;
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);

	if (rc != 0) {
		errno = rc;
		error_errno("cannot run '%s'", argv[0]);
		return 127;
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			error_errno("cannot wait for '%s'", argv[0]);
			return 127;
		}
	}
	log_step(log, kind, clock_now() - start, &ru);
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

/* The distributor (distcc, icecc: $OUNCE_DISTRIBUTE) in front of a compile; with
 * ccache in front, ccache runs it (CCACHE_PREFIX, set with the cell's
 * environment) only for a compile it has no result for. */
static void
distribute(struct strv *out, bool compile, bool through_ccache)
{
	const char *dist = getenv("OUNCE_DISTRIBUTE");

	if (!compile || !dist || !*dist) {
		return;
	}
	if (through_ccache) {
		/* here, not in the cell's environment: a ccache the project itself
		 * puts in front of the wrapper must not send the wrapper's call */
		setenv("CCACHE_PREFIX", dist, 1);
	} else {
		strv_push(out, dist);
	}
}

static int
run_real(const char *real, char **args, int nargs)
{
	struct strv cflags = STRV_INIT, ldflags = STRV_INIT, libs = STRV_INIT, out = STRV_INIT;

	wrap_decode(&cflags, getenv("OUNCE_CFLAGS"));
	wrap_decode(&ldflags, getenv("OUNCE_LDFLAGS"));
	wrap_decode(&libs, getenv("OUNCE_LIBS"));
	struct strv with_map = STRV_INIT;
	const char *keep = getenv("OUNCE_KEEP_LINK"), *root = getenv("OUNCE_KEEP_ROOT");

	if (keep && *keep && root && *root && wrap_classify(args, (size_t)nargs) == WRAP_LINK) {
		/* a Cargo cell: rustc deletes its objects after this link, and a cell
		 * that only adds link arguments links them again (best effort: the
		 * cell is built from scratch when nothing was kept) */
		struct strv roots = STRV_INIT;
		const char *tmp = getenv("TMPDIR");

		/* the cell's directory, and the temporary directory, where older
		 * rustc made its own (symbols.o; newer ones make it in deps/) */
		strv_push(&roots, root);
		strv_push(&roots, tmp && *tmp == '/' ? tmp : "/tmp");
		relink_keep(keep, &roots, real, args, (size_t)nargs);
		strv_release(&roots);
	}

	if (getenv("OUNCE_MAP") && !strcmp(getenv("OUNCE_MAP"), "1")) {
		char *map = wrap_map_flag(args, (size_t)nargs);

		if (map) {
			/* first, so the profile's flags still end the line */
			strv_push_owned(&with_map, map);
			for (int i = 0; i < nargs; i++) {
				strv_push(&with_map, args[i]);
			}
			args = with_map.v;
			nargs++;
		}
	}
	const char *ccache = getenv("OUNCE_CCACHE"), *steps = getenv("OUNCE_STEP_LOG");
	enum wrap_mode kind = wrap_classify(args, (size_t)nargs);
	bool compile = kind == WRAP_COMPILE, through_ccache = ccache && *ccache && compile;

	if (through_ccache) {
		/* cells with the same compile flags share objects: ccache hashes the
		 * source, its headers and the flags, so a hit is what the compile gives */
		strv_push(&out, ccache);
	}
	distribute(&out, compile, through_ccache);
	wrap_argv(&out, real, args, (size_t)nargs, &cflags, &ldflags, &libs);
	strv_release(&with_map);
	double start = clock_now();
	int st = lto_shared(&out);

	if (st >= 0 && steps && *steps) {
		struct rusage ru;

		getrusage(RUSAGE_CHILDREN, &ru);
		log_step(steps, "link", clock_now() - start, &ru);
	}
	if (st >= 0) {
		strv_release(&cflags);
		strv_release(&ldflags);
		strv_release(&libs);
		strv_release(&out);
		return st;
	}
	trace(strv_array(&out));
	if (steps && *steps && (compile || kind == WRAP_LINK) && out.v[0][0] == '/') {
		/* the cell's compile and link times, for results.json */
		st = run_timed(strv_array(&out), steps, compile ? "compile" : "link");
		strv_release(&cflags);
		strv_release(&ldflags);
		strv_release(&libs);
		strv_release(&out);
		/* ended as an exec would have: no exit handlers (a sanitizer's leak
		 * check at exit costs every compile of a build milliseconds) */
		_exit(st);
	}
	spawn_exec(strv_array(&out));
	strv_release(&cflags);
	strv_release(&ldflags);
	strv_release(&libs);
	strv_release(&out);
	return 127;
}

int
cmd_cc_wrapper(const char *name, int argc, char **argv)
{
	bool cxx = strstr(name, "++") != NULL;
	const char *real = getenv(cxx ? "OUNCE_REAL_CXX" : "OUNCE_REAL_CC");
	const char *by_name = getenv("OUNCE_REAL_PATH");

	if (by_name && *by_name && strcmp(name, "cc") && strcmp(name, "c++")) {
		/* a Cargo cell: rustc runs the linker the project's configuration
		 * names (linker = "clang"), which the cell's compiler does not replace */
		char *path = xasprintf("PATH=%s", by_name);
		char *envp[] = {path, NULL};
		char *found = spawn_which(name, envp);

		free(path);
		if (!found) {
			error("'%s' (the linker Cargo was told to use) is not in PATH", name);
			return 127;
		}
		return run_real(found, argv + 1, argc - 1);
	}

	if (!real || !*real) {
		error("'%s' is ounce's compiler wrapper, but %s is not set", name,
		      cxx ? "OUNCE_REAL_CXX" : "OUNCE_REAL_CC");
		return 127;
	}
	return run_real(real, argv + 1, argc - 1);
}

int
cmd_cc(int argc, char **argv)
{
	int i = 1;

	bool asked = i < argc && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"));

	if (i < argc && !strcmp(argv[i], "--")) {
		i++;
	}
	if (i >= argc || asked) {
		fprintf(asked ? stdout : stderr,
			"usage: ounce cc -- COMPILER ARGS...\n"
			"  runs COMPILER with ARGS and the flags in OUNCE_CFLAGS, "
			"OUNCE_LDFLAGS and OUNCE_LIBS\n"
			"  (one flag per line), as ounce's builds do\n");
		return asked ? 0 : 2;
	}
	return run_real(argv[i], argv + i + 1, argc - i - 1);
}
