/* test_spawn.c: running real programs from argv arrays: exit statuses, signals,
 * timeouts, output capture and logs, working directory and PATH lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct strv argv;
	struct buf out;
	struct spawn_opts o;
	struct spawn_result res;
};

static int
setup(void **state)
{
	*state = tu_fixture_new(sizeof(struct fixture));
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	strv_release(&f->argv);
	buf_release(&f->out);
	return tu_fixture_free(f);
}

/* Set f's argv to the NULL-terminated list; the other options are reset. */
static void
args(struct fixture *f, const char *const *list)
{
	strv_release(&f->argv);
	buf_release(&f->out);
	for (; *list; list++) {
		strv_push(&f->argv, *list);
	}
	memset(&f->o, 0, sizeof(f->o));
	f->o.argv = strv_array(&f->argv);
}

#define ARGS(f, ...) args((f), (const char *const[]){__VA_ARGS__, NULL})

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_spawn_exit_statuses(void **state)
{
	struct fixture *f = *state;

	ARGS(f, "true");
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.end, SPAWN_EXITED);
	assert_int_equal(f->res.status, 0);
	assert_true(f->res.seconds >= 0 && f->res.seconds < 10);
	assert_true(f->res.maxrss_kb > 0);
	assert_string_equal(spawn_describe(&f->res, 0), "exit status 0");

	ARGS(f, "false");
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.end, SPAWN_EXITED);
	assert_int_equal(f->res.status, 1);
	assert_string_equal(spawn_describe(&f->res, 0), "exit status 1");

	ARGS(f, "sh", "-c", "exit 42");
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.status, 42);
}

static void
test_spawn_killed_by_a_signal(void **state)
{
	struct fixture *f = *state;

	ARGS(f, "sh", "-c", "kill -9 $$");
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.end, SPAWN_EXITED);
	assert_int_equal(f->res.status, 128 + 9);
	assert_string_equal(spawn_describe(&f->res, 0), "killed by signal 9");

	ARGS(f, "sh", "-c", "kill -TERM $$");
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.status, 128 + SIGTERM);
}

static void
test_spawn_missing_command(void **state)
{
	struct fixture *f = *state;

	ARGS(f, "ounce-test-no-such-command-anywhere", "--help");
	assert_int_equal(spawn_run(&f->o, &f->res), -1);
	assert_int_equal(f->res.end, SPAWN_NOT_STARTED);
	assert_int_equal(f->res.start_errno, ENOENT);
	assert_non_null(strstr(spawn_describe(&f->res, 0), "could not start"));

	ARGS(f, "/nonexistent/dir/tool");
	assert_int_equal(spawn_run(&f->o, &f->res), -1);
	assert_int_equal(f->res.end, SPAWN_NOT_STARTED);
}

static void
test_spawn_exec_failure_is_reported_from_the_child(void **state)
{
	struct fixture *f = *state;

	/* a directory passes the X_OK test, but execve refuses it */
	ARGS(f, f->t.dir);
	assert_int_equal(spawn_run(&f->o, &f->res), -1);
	assert_int_equal(f->res.end, SPAWN_NOT_STARTED);
	assert_int_equal(f->res.start_errno, EACCES);

	/* so does a missing working directory */
	ARGS(f, "true");
	f->o.cwd = "/nonexistent/ounce/dir";
	assert_int_equal(spawn_run(&f->o, &f->res), -1);
	assert_int_equal(f->res.end, SPAWN_NOT_STARTED);
	assert_int_equal(f->res.start_errno, ENOENT);
}

static void
test_spawn_timeout(void **state)
{
	struct fixture *f = *state;
	double t0 = now();

	ARGS(f, "sleep", "5");
	f->o.timeout = 0.3;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.end, SPAWN_TIMEOUT);
	assert_int_equal(f->res.status, 128 + SIGTERM);
	assert_true(f->res.seconds >= 0.3);
	assert_true(now() - t0 < 2.0);
	assert_string_equal(spawn_describe(&f->res, 0.3), "timed out after 0.3 s");
}

static void
test_spawn_timeout_kills_what_ignores_sigterm(void **state)
{
	struct fixture *f = *state;
	double t0 = now();

	ARGS(f, "sh", "-c", "trap '' TERM; sleep 20; sleep 20");
	f->o.timeout = 0.2;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.end, SPAWN_TIMEOUT);
	assert_int_equal(f->res.status, 128 + SIGKILL);
	assert_true(now() - t0 < 10.0);
}

static void
test_spawn_cancel_flag(void **state)
{
	struct fixture *f = *state;
	static volatile sig_atomic_t cancel = 1;
	double t0 = now();

	ARGS(f, "sleep", "5");
	f->o.cancel = &cancel;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.end, SPAWN_CANCELLED);
	assert_true(now() - t0 < 2.0);
	assert_string_equal(spawn_describe(&f->res, 0), "interrupted");
}

static void
test_spawn_captures_stdout(void **state)
{
	struct fixture *f = *state;
	char *log = xasprintf("%s/capture.log", f->t.dir);
	char *l;

	ARGS(f, "printf", "%s\\n", "hello world", "second");
	f->o.out = &f->out;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_string_equal(buf_str(&f->out), "hello world\nsecond\n");

	/* stdout is captured, stderr goes to the log */
	ARGS(f, "sh", "-c", "echo out; echo err >&2");
	f->o.out = &f->out;
	f->o.log_path = log;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_string_equal(buf_str(&f->out), "out\n");
	l = tu_read_file(log);
	assert_string_equal(l, "err\n");
	free(l);
	free(log);
}

static void
test_spawn_captures_more_than_a_pipe_holds(void **state)
{
	struct fixture *f = *state;

	ARGS(f, "seq", "1", "100000");
	f->o.out = &f->out;
	f->o.timeout = 30;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.status, 0);
	/* 9 one-digit, 90 two-digit ... numbers, each with a newline */
	assert_int_equal(f->out.len, 9 * 2 + 90 * 3 + 900 * 4 + 9000 * 5 + 90000 * 6 + 7);
	assert_true(!strncmp(buf_str(&f->out), "1\n2\n3\n", 6));
	assert_non_null(strstr(buf_str(&f->out), "\n99999\n100000\n"));
}

static void
test_spawn_log_path_appends(void **state)
{
	struct fixture *f = *state;
	char *log = xasprintf("%s/build.log", f->t.dir);
	char *l;

	ARGS(f, "echo", "one");
	f->o.log_path = log;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	ARGS(f, "sh", "-c", "echo two; echo three >&2; exit 3");
	f->o.log_path = log;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.status, 3);
	l = tu_read_file(log);
	assert_string_equal(l, "one\ntwo\nthree\n");
	free(l);
	free(log);
}

/* ounce ignores SIGPIPE (its stderr reader may go away); the programs it runs
 * get the default, or `yes | head` would write "Broken pipe" forever after */
static void
test_spawn_gives_sigpipe_its_default(void **state)
{
	struct fixture *f = *state;
	char *log = xasprintf("%s/pipe.log", f->t.dir);
	struct sigaction ign, old;
	char *l;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	ARGS(f, "sh", "-c", "yes | head -n 1 > /dev/null; echo done");
	f->o.log_path = log;
	f->o.timeout = 10;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	sigaction(SIGPIPE, &old, NULL);
	assert_int_equal(f->res.end, SPAWN_EXITED);
	l = tu_read_file(log);
	assert_string_equal(l, "done\n");
	free(l);
	free(log);
}

static void
test_spawn_without_a_log_discards_output(void **state)
{
	struct fixture *f = *state;

	/* stdin is /dev/null: cat ends at once instead of waiting for a terminal */
	ARGS(f, "cat");
	f->o.out = &f->out;
	f->o.timeout = 5;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.end, SPAWN_EXITED);
	assert_int_equal(f->res.status, 0);
	assert_int_equal(f->out.len, 0);

	ARGS(f, "echo", "nowhere");
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.status, 0);
}

static void
test_spawn_honours_cwd(void **state)
{
	struct fixture *f = *state;
	char *sub = xasprintf("%s/sub dir", f->t.dir);
	char *real, *want;

	assert_int_equal(fs_mkdirs(sub), 0);
	real = fs_realpath(sub);
	assert_non_null(real);
	want = xasprintf("%s\n", real);
	ARGS(f, "pwd", "-P");
	f->o.cwd = sub;
	f->o.out = &f->out;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_string_equal(buf_str(&f->out), want);
	free(want);
	free(real);
	free(sub);
}

static void
test_spawn_uses_the_given_environment(void **state)
{
	struct fixture *f = *state;
	struct strv env = STRV_INIT;

	strv_push(&env, "PATH=/usr/bin:/bin");
	strv_push(&env, "OUNCE_TEST=a b");
	ARGS(f, "env");
	f->o.envp = strv_array(&env);
	f->o.out = &f->out;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_string_equal(buf_str(&f->out), "PATH=/usr/bin:/bin\nOUNCE_TEST=a b\n");

	/* argv[0] is looked up in the PATH of envp */
	strv_release(&env);
	strv_push(&env, "PATH=/nonexistent");
	ARGS(f, "true");
	f->o.envp = strv_array(&env);
	assert_int_equal(spawn_run(&f->o, &f->res), -1);
	assert_int_equal(f->res.end, SPAWN_NOT_STARTED);
	strv_release(&env);
}

/* Is pid gone (or a zombie waiting for its reaper)? */
static int
gone(long pid)
{
	char *path = xasprintf("/proc/%ld/stat", pid);
	struct buf b = BUF_INIT;
	const char *paren;
	int rc = 1;
	FILE *fp = fopen(path, "r");

	free(path);
	if (fp) {
		char chunk[512];
		size_t n = fread(chunk, 1, sizeof(chunk), fp);

		fclose(fp);
		buf_add(&b, chunk, n);
		paren = strrchr(buf_str(&b), ')');
		rc = paren && paren[1] == ' ' && paren[2] == 'Z';
	}
	buf_release(&b);
	return rc;
}

static void
test_spawn_stops_what_the_program_left_running(void **state)
{
	struct fixture *f = *state;
	long pid;
	int waited = 0;

	ARGS(f, "sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!");
	f->o.out = &f->out;
	f->o.timeout = 10;
	assert_int_equal(spawn_run(&f->o, &f->res), 0);
	assert_int_equal(f->res.status, 0);
	pid = strtol(buf_str(&f->out), NULL, 10);
	assert_true(pid > 1);
	while (!gone(pid) && waited < 200) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
		waited++;
	}
	if (!gone(pid)) {
		kill((pid_t)pid, SIGKILL);
		fail_msg("the background sleep %ld outlived its group", pid);
	}
}

static void
test_spawn_which(void **state)
{
	struct fixture *f = *state;
	char *p, *tool, *plain;
	struct strv env = STRV_INIT;

	p = spawn_which("sh", NULL);
	assert_non_null(p);
	assert_int_equal(p[0], '/');
	assert_true(strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/sh"));
	assert_int_equal(access(p, X_OK), 0);
	free(p);
	assert_null(spawn_which("ounce-test-no-such-command-anywhere", NULL));

	/* a name with a slash is taken as it is */
	p = spawn_which("/bin/sh", NULL);
	assert_string_equal(p, "/bin/sh");
	free(p);

	/* the PATH of envp; only executable regular files count */
	tool = tu_write_file(f->t.dir, "my-tool", "#!/bin/sh\nexit 0\n");
	assert_int_equal(chmod(tool, 0755), 0);
	plain = tu_write_file(f->t.dir, "plain", "");
	strv_push_owned(&env, xasprintf("PATH=/nonexistent:%s", f->t.dir));
	p = spawn_which("my-tool", strv_array(&env));
	assert_string_equal(p, tool);
	free(p);
	assert_null(spawn_which("plain", strv_array(&env)));
	assert_null(spawn_which("sh", strv_array(&env)));
	assert_null(spawn_which(plain, NULL));
	strv_release(&env);
	free(plain);
	free(tool);
}

static void
test_spawn_quote_argv(void **state)
{
	struct strv av = STRV_INIT;
	char *q;

	(void)state;
	strv_push(&av, "cc");
	strv_push(&av, "-DX=a b");
	strv_push(&av, "it's");
	strv_push(&av, "");
	strv_push(&av, "-O2");
	strv_push(&av, "$HOME");
	q = spawn_quote_argv(strv_array(&av));
	assert_string_equal(q, "cc '-DX=a b' 'it'\\''s' '' -O2 '$HOME'");
	free(q);
	strv_release(&av);
}

/* spawn_log_cause: a missing tool first, else the first error line, else (if
 * asked) the last line; ounce's own "==> " lines never */
static void
test_spawn_log_cause(void **state)
{
	struct fixture *f = *state;
	char *a = tu_write_file(f->t.dir, "a.log",
				"==> make -j2 (error in the name)\nchecking for cc... cc\n"
				"/bin/bash: line 10: makeinfo: command not found\n"
				"make[2]: *** [Makefile:320: bc.info] Error 127\n");
	char *b = tu_write_file(f->t.dir, "b.log",
				"x.c:3:1: error: expected ';'\nmake: *** Error 1\n");
	char *c = tu_write_file(f->t.dir, "c.log", "==> autoreconf -fi\nsomething went wrong\n\n");
	char *why;

	why = spawn_log_cause(a, false);
	assert_non_null(why);
	assert_non_null(strstr(why, "the build runs 'makeinfo', which is not installed"));
	free(why);
	why = spawn_log_cause(b, false);
	assert_string_equal(why, "x.c:3:1: error: expected ';'");
	free(why);
	assert_null(spawn_log_cause(c, false));
	why = spawn_log_cause(c, true);
	assert_string_equal(why, "something went wrong");
	free(why);
	assert_null(spawn_log_cause("/nonexistent/log", true));
	free(a);
	free(b);
	free(c);
}

/* the cause of the last step of log text (written to a file), or NULL */
static char *
cause_of(struct fixture *f, const char *text, bool or_last)
{
	char *path = tu_write_file(f->t.dir, "step.log", text);
	char *why = spawn_log_cause(path, or_last);

	free(path);
	return why;
}

static void
check_cause(struct fixture *f, const char *text, const char *want)
{
	char *why = cause_of(f, text, false);

	assert_non_null(why);
	assert_string_equal(why, want);
	free(why);
}

/* spawn_log_cause on what real tools print (gcc 12, clang, ld, make, CMake 3.25,
 * pkgconf, muon 0.1.0): the most telling line, with a hint when a package is
 * missing; only the last step counts */
static void
test_spawn_log_cause_names_what_is_missing(void **state)
{
	struct fixture *f = *state;
	char *why;

	check_cause(f,
		    "==> cmake -S src -B build\n"
		    "-- Detecting C compile features - done\n"
		    "CMake Error at /usr/share/cmake-3.25/Modules/FindPackageHandleStandardArgs."
		    "cmake:230 (message):\n"
		    "  Could NOT find ZLIB (missing: ZLIB_LIBRARY\n"
		    "  ZLIB_INCLUDE_DIR)\n"
		    "Call Stack (most recent call first):\n"
		    "  /usr/share/cmake-3.25/Modules/FindPackageHandleStandardArgs.cmake:600 "
		    "(_FPHSA_FAILURE_MESSAGE)\n"
		    "  CMakeLists.txt:4 (find_package)\n\n\n"
		    "-- Configuring incomplete, errors occurred!\n"
		    "See also \"/tmp/b/CMakeFiles/CMakeOutput.log\".\n",
		    "Could NOT find ZLIB (missing: ZLIB_LIBRARY ZLIB_INCLUDE_DIR) (on Debian, the "
		    "CMake package 'ZLIB' is in zlib1g-dev)");
	check_cause(f,
		    "CMake Error at CMakeLists.txt:4 (find_package):\n"
		    "  By not providing \"FindNoSuchPackageOunce.cmake\" in CMAKE_MODULE_PATH this\n"
		    "  project has asked CMake to find a package configuration file provided by\n"
		    "  \"NoSuchPackageOunce\", but CMake did not find one.\n\n"
		    "  Could not find a package configuration file provided by\n"
		    "  \"NoSuchPackageOunce\" with any of the following names:\n\n"
		    "-- Configuring incomplete, errors occurred!\n",
		    "CMakeLists.txt:4: could not find a package configuration file provided by "
		    "\"NoSuchPackageOunce\" (is the -dev package with the CMake package "
		    "'NoSuchPackageOunce' installed?)");
	check_cause(f,
		    "-- Checking for module 'nosuchounce'\n"
		    "--   Package 'nosuchounce', required by 'virtual:world', not found\n"
		    "CMake Error at /usr/share/cmake-3.25/Modules/FindPkgConfig.cmake:607 "
		    "(message):\n"
		    "  A required package was not found\n",
		    "Package 'nosuchounce', required by 'virtual:world', not found (is the -dev "
		    "package with 'nosuchounce.pc' installed?)");
	check_cause(f, "CMake Error at CMakeLists.txt:10 (message):\n  needs C23\n\n\n",
		    "CMakeLists.txt:10: needs C23");
	check_cause(f,
		    "checking for CURL... no\n"
		    "configure: error: Package requirements (libcurl) were not met:\n\n"
		    "No package 'libcurl' found\n",
		    "No package 'libcurl' found (on Debian, 'libcurl.pc' is in "
		    "libcurl4-openssl-dev)");
	check_cause(f,
		    "==> make -j2 CC=cc\n"
		    "make[1]: *** No targets specified and no makefile found.  Stop.\n"
		    "make: *** [Makefile:2: all] Error 2\n",
		    "make[1]: *** No targets specified and no makefile found.  Stop.");
	check_cause(f,
		    "cc -c a.c\n"
		    "a.c:1:10: fatal error: zlib.h: No such file or directory\n"
		    "    1 | #include <zlib.h>\n"
		    "compilation terminated.\n"
		    "make: *** [Makefile:3: a.o] Error 1\n",
		    "a.c:1:10: fatal error: zlib.h: No such file or directory (on Debian, "
		    "'zlib.h' is in zlib1g-dev)");
	check_cause(f,
		    "a.c:1:10: fatal error: 'openssl/ssl.h' file not found\n1 error generated.\n",
		    "a.c:1:10: fatal error: 'openssl/ssl.h' file not found (on Debian, "
		    "'openssl/ssl.h' is in libssl-dev)");
	check_cause(f,
		    "a.c:1:10: fatal error: no_such_ounce_header.h: No such file or directory\n",
		    "a.c:1:10: fatal error: no_such_ounce_header.h: No such file or directory (is "
		    "the -dev package with 'no_such_ounce_header.h' installed?)");
	check_cause(f,
		    "/usr/bin/ld: /tmp/cc5CXIPr.o: in function `main':\n"
		    "b.c:(.text+0x5): undefined reference to `nosuch'\n"
		    "collect2: error: ld returned 1 exit status\n",
		    "b.c:(.text+0x5): undefined reference to `nosuch'");
	check_cause(f,
		    "ld.lld: error: undefined symbol: nosuch\n>>> referenced by b.c\n"
		    "collect2: error: ld returned 1 exit status\n",
		    "ld.lld: error: undefined symbol: nosuch");
	check_cause(f,
		    "/usr/bin/ld: cannot find -lz: No such file or directory\n"
		    "clang: error: linker command failed with exit code 1\n",
		    "/usr/bin/ld: cannot find -lz: No such file or directory (on Debian, -lz is in "
		    "zlib1g-dev)");
	check_cause(f, "/usr/bin/ld: cannot find -lnosuchounce: No such file or directory\n",
		    "/usr/bin/ld: cannot find -lnosuchounce: No such file or directory (is the "
		    "-dev package with libnosuchounce.so installed?)");
	check_cause(f,
		    "err project /s/subprojects/nosuchounce not found\n"
		    "err required dependency ['nosuchounce'] not found\n"
		    "/s/meson.build:2:12: error required dependency not found\n",
		    "err required dependency ['nosuchounce'] not found (is the -dev package with "
		    "'nosuchounce.pc' installed?)");
	check_cause(f,
		    "meson.build:2:0: ERROR: Dependency \"sqlite3\" not found, tried pkgconfig\n",
		    "meson.build:2:0: ERROR: Dependency \"sqlite3\" not found, tried pkgconfig (on "
		    "Debian, 'sqlite3.pc' is in libsqlite3-dev)");
	check_cause(f,
		    "detected compiler gcc '12.2.0'\n"
		    "/s/meson.build:3:1: error expected ')', got 'end of file'\n  3 | \n",
		    "/s/meson.build:3:1: error expected ')', got 'end of file'");
	/* the failed step is the last: an earlier step's error text is not its cause */
	check_cause(f,
		    "==> ./configure\nchecking for strerror_r... yes\n"
		    "configure: WARNING: error.h: present but cannot be compiled\n"
		    "==> make -j2\ncc -c error.c\nerror.c:7:1: error: expected ';'\n"
		    "make: *** [Makefile:3: error.o] Error 1\n",
		    "error.c:7:1: error: expected ';'");
	/* only make's own line says which target failed */
	check_cause(f, "==> make\nsh: 1: test: missing\nmake: *** [Makefile:2: all] Error 1\n",
		    "make: *** [Makefile:2: all] Error 1");
	/* paths into the log's directory (a cell's tree) are relative to it */
	why = cause_of(f, "==> muon-meson setup\n", false);
	assert_null(why);
	{
		char *text = xasprintf("%s/src/meson.build:5:4: error function copyfile() not "
				       "found in module fs\n",
				       f->t.dir);

		check_cause(f, text, "src/meson.build:5:4: error function copyfile() not found in "
				     "module fs");
		free(text);
	}
	/* a name with "error" in it is not an error; -Werror is not one either */
	why = cause_of(f, "==> make\ncc -Werror -c error.c -o error.o\n", false);
	assert_null(why);
	why = cause_of(f, "==> make\ncc -Werror -c error.c -o error.o\n", true);
	assert_string_equal(why, "cc -Werror -c error.c -o error.o");
	free(why);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_spawn_exit_statuses),
		T(test_spawn_killed_by_a_signal),
		T(test_spawn_missing_command),
		T(test_spawn_exec_failure_is_reported_from_the_child),
		T(test_spawn_timeout),
		T(test_spawn_timeout_kills_what_ignores_sigterm),
		T(test_spawn_cancel_flag),
		T(test_spawn_captures_stdout),
		T(test_spawn_captures_more_than_a_pipe_holds),
		T(test_spawn_log_path_appends),
		T(test_spawn_gives_sigpipe_its_default),
		T(test_spawn_without_a_log_discards_output),
		T(test_spawn_honours_cwd),
		T(test_spawn_uses_the_given_environment),
		T(test_spawn_stops_what_the_program_left_running),
		T(test_spawn_which),
		T(test_spawn_log_cause),
		T(test_spawn_log_cause_names_what_is_missing),
		cmocka_unit_test(test_spawn_quote_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
