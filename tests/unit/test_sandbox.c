/* test_sandbox.c: build steps through ounce's launcher ($OUNCE __launch): exit
 * statuses and signals passed on, a program that cannot start, the peak RSS of
 * the program (not the launcher's), a setsid daemon killed when the step ends
 * or times out,
 * the project read-only where the machine allows namespaces; and the check that
 * names what changed in the tree. */
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
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "config/project.h"
#include "matrix/run.h"
#include "matrix/sandbox.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct project p;
	struct run run;
	struct sandbox *sb;
};

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(struct fixture));
	char *self = getenv("OUNCE");

	assert_non_null(self);
	f->p.dir = xasprintf("%s/proj", f->t.dir);
	f->p.stage_dir = xstrdup(f->p.dir);
	free(tu_write_file(f->p.dir, "main.c", "int main(void) { return 0; }\n"));
	free(tu_write_file(f->p.dir, "src/util.c", "int util;\n"));
	f->run.project = &f->p;
	f->run.self = xstrdup(self);
	f->run.workdir = xasprintf("%s/work", f->t.dir);
	assert_int_equal(fs_mkdirs(f->run.workdir), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	sandbox_free(f->sb);
	free(f->p.dir);
	free(f->p.stage_dir);
	strv_release(&f->p.exclude);
	free(f->run.self);
	free(f->run.workdir);
	return tu_fixture_free(f);
}

/* Run the NULL-terminated argv as a build step of f's run; its result. */
static struct spawn_result
step(struct fixture *f, const char *const *argv)
{
	struct strv v = STRV_INIT;
	struct spawn_opts o = {0};
	struct spawn_result res;
	char *log = xasprintf("%s/step.log", f->t.dir);

	strv_pushv(&v, (char *const *)argv);
	o.argv = strv_array(&v);
	o.log_path = log;
	o.timeout = 30;
	o.sandbox = f->run.sandbox;
	spawn_run(&o, &res);
	strv_release(&v);
	free(log);
	return res;
}

#define STEP(f, ...) step((f), (const char *const[]){__VA_ARGS__, NULL})

static void
test_sandbox_statuses(void **state)
{
	struct fixture *f = *state;
	char *bad = tu_write_file(f->t.dir, "bad", "not a program\n");
	struct spawn_result res;

	chmod(bad, 0755);
	f->sb = sandbox_open(&f->run, NULL, false);
	assert_non_null(f->sb);
	assert_false(f->run.sandbox->ns);
	res = STEP(f, "sh", "-c", "exit 3");
	assert_int_equal(res.end, SPAWN_EXITED);
	assert_int_equal(res.status, 3);
	res = STEP(f, "sh", "-c", "kill -TERM $$");
	assert_int_equal(res.end, SPAWN_EXITED);
	assert_int_equal(res.status, 128 + SIGTERM);
	/* exec's error comes back from the launcher as posix_spawn's would */
	tu_capture_begin(&f->t);
	res = STEP(f, bad);
	free(tu_capture_end(&f->t));
	assert_int_equal(res.end, SPAWN_NOT_STARTED);
	assert_int_equal(res.start_errno, ENOEXEC);
	free(bad);
}

/* The loader's variables are the program's: LD_TRACE_LOADED_OBJECTS lists the
 * libraries of sh, not of the launcher (ounce, with libelf) */
static void
test_sandbox_loader_env_is_the_programs(void **state)
{
	struct fixture *f = *state;
	struct strv env = STRV_INIT, argv = STRV_INIT;
	struct spawn_opts o = {0};
	struct spawn_result res;
	struct buf out = BUF_INIT;

	strv_push(&env, "PATH=/usr/bin:/bin");
	strv_push(&env, "LD_TRACE_LOADED_OBJECTS=1");
	strv_push(&env, "LD_LIBRARY_PATH=/nonexistent");
	strv_push(&argv, "sh");
	strv_push(&argv, "-c");
	strv_push(&argv, "echo ran");
	f->sb = sandbox_open(&f->run, NULL, false);
	o.argv = strv_array(&argv);
	o.envp = strv_array(&env);
	o.out = &out;
	o.timeout = 30;
	o.sandbox = f->run.sandbox;
	assert_int_equal(spawn_run(&o, &res), 0);
	assert_int_equal(res.status, 0);
	tu_assert_contains(buf_str(&out), "libc.so");
	assert_null(strstr(buf_str(&out), "libelf"));
	assert_null(strstr(buf_str(&out), "ran"));
	buf_release(&out);
	strv_release(&env);
	strv_release(&argv);
}

static void
test_sandbox_rss_is_the_programs(void **state)
{
	struct fixture *f = *state;
	struct spawn_result small, big;

	f->sb = sandbox_open(&f->run, NULL, false);
	small = STEP(f, "true");
	/* 64 MiB touched by the program shows; the launcher's own pages do not
	 * hide a small program */
	big = STEP(f, "sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo ${#x}");
	assert_int_equal(big.status, 0);
	assert_true(small.maxrss_kb > 0 && small.maxrss_kb < 16 * 1024);
	assert_true(big.maxrss_kb > 64 * 1024);
}

/* A step that leaves a daemon behind (setsid, its pid in DIR/pid): it is gone
 * when the step ends. */
static void
daemon_goes(struct fixture *f)
{
	char *pidfile = xasprintf("%s/pid", f->t.dir), *cmd, *text;
	struct spawn_result res;
	long pid;

	cmd = xasprintf("setsid sh -c 'echo $$ > %s; exec sleep 60' < /dev/null > /dev/null 2>&1 &"
			"while [ ! -s %s ]; do sleep 0.01; done",
			pidfile, pidfile);
	res = STEP(f, "sh", "-c", cmd);
	assert_int_equal(res.status, 0);
	text = tu_read_file(pidfile);
	pid = strtol(text, NULL, 10);
	if (!f->run.sandbox->ns) {
		/* (in a pid namespace, the pid is the namespace's: the step ending
		 * took the namespace along) */
		assert_true(pid > 1);
		assert_int_equal(kill((pid_t)pid, 0), -1);
		assert_int_equal(errno, ESRCH);
	}
	free(text);
	free(cmd);
	free(pidfile);
}

static void
test_sandbox_daemon_killed(void **state)
{
	struct fixture *f = *state;

	f->sb = sandbox_open(&f->run, NULL, false);
	daemon_goes(f);
}

/* A program that does not stop on SIGTERM at its timeout: the launcher kills it
 * and its setsid daemon before ounce's SIGKILL would end the launcher alone. */
static void
test_sandbox_timeout_kills_the_daemon(void **state)
{
	struct fixture *f = *state;
	char *pidfile = xasprintf("%s/pid", f->t.dir), *cmd, *text;
	struct strv v = STRV_INIT;
	struct spawn_opts o = {0};
	struct spawn_result res;
	long pid;

	f->sb = sandbox_open(&f->run, NULL, false);
	cmd = xasprintf("trap '' TERM; setsid sleep 60 < /dev/null > /dev/null 2>&1 & "
			"echo $! > %s; sleep 60",
			pidfile);
	strv_push(&v, "sh");
	strv_push(&v, "-c");
	strv_push(&v, cmd);
	o.argv = strv_array(&v);
	o.timeout = 0.3;
	o.sandbox = f->run.sandbox;
	assert_int_equal(spawn_run(&o, &res), 0);
	assert_int_equal(res.end, SPAWN_TIMEOUT);
	text = tu_read_file(pidfile);
	pid = strtol(text, NULL, 10);
	assert_true(pid > 1);
	assert_int_equal(kill((pid_t)pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	free(text);
	strv_release(&v);
	free(cmd);
	free(pidfile);
}

static void
test_sandbox_read_only(void **state)
{
	struct fixture *f = *state;
	char *victim, *cmd, *text, *made;
	struct spawn_result res;

	f->sb = sandbox_open(&f->run, NULL, true);
	assert_non_null(f->sb);
	if (!f->run.sandbox->ns) {
		skip();
	}
	victim = xasprintf("%s/main.c", f->p.dir);
	made = xasprintf("%s/made", f->run.workdir);
	cmd = xasprintf("echo pwned > %s", victim);
	res = STEP(f, "sh", "-c", cmd);
	assert_int_not_equal(res.status, 0);
	text = tu_read_file(victim);
	assert_string_equal(text, "int main(void) { return 0; }\n");
	free(text);
	free(cmd);
	/* the work directory stays writable */
	cmd = xasprintf("echo ok > %s", made);
	res = STEP(f, "sh", "-c", cmd);
	assert_int_equal(res.status, 0);
	assert_true(fs_exists(made));
	daemon_goes(f);
	/* in the pid namespace, /proc is the namespace's */
	res = STEP(f, "sh", "-c", "test \"$(cat /proc/$$/comm)\" = sh");
	assert_int_equal(res.status, 0);
	/* what changed was no build's doing: said, and the run goes on */
	free(tu_write_file(f->p.dir, "edited.c", "\n"));
	tu_capture_begin(&f->t);
	assert_int_equal(sandbox_close(f->sb), 0);
	text = tu_capture_end(&f->t);
	tu_assert_contains(text, "ounce: warning: the project tree changed during the run: "
				 "edited.c; not by a build");
	free(text);
	f->sb = NULL;
	free(cmd);
	free(made);
	free(victim);
}

static void
test_sandbox_tree_changed(void **state)
{
	struct fixture *f = *state;
	struct sandbox *sb = sandbox_open(&f->run, NULL, false);
	char *err;

	assert_non_null(sb);
	assert_int_equal(sandbox_close(sb), 0);
	sb = sandbox_open(&f->run, NULL, false);
	free(tu_write_file(f->p.dir, "src/util.c", "int util = 1;\n"));
	free(tu_write_file(f->p.dir, "new.h", "\n"));
	tu_capture_begin(&f->t);
	assert_int_equal(sandbox_close(sb), -1);
	err = tu_capture_end(&f->t);
	tu_assert_contains(err, "ounce: error: the project tree changed during the run: new.h, "
				"src/util.c; a build wrote into it");
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sandbox_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sandbox_loader_env_is_the_programs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sandbox_rss_is_the_programs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sandbox_daemon_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sandbox_timeout_kills_the_daemon, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sandbox_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sandbox_tree_changed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
