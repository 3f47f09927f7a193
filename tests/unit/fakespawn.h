/* fakespawn.h: run->spawn_fn for the build and scheduler tests, and a tiny
 * project to build. Each step a cell starts is answered from a script (exit N with
 * a line in the log, a timeout, a signal, a cancel) and counted, so a cell that
 * fails is tested without a toolchain. Header-only (static inline), as
 * heapwrite.h, because each unit test is built from its own file and testutil.c
 * alone. */
#ifndef OUNCE_FAKESPAWN_H
#define OUNCE_FAKESPAWN_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/mem.h"
#include "base/strv.h"
#include "config/project.h"
#include "config/recipe.h"
#include "matrix/cache.h"
#include "matrix/run.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "testutil.h"

#define FAKE_MAX 8

/* How one step ends. */
struct fake_answer {
	enum spawn_end end;
	int status;		/* the exit code, or 128+N after signal N */
	const char *log;	/* appended to the step's log, or NULL */
};

/* The script, and what the steps were started with. */
struct fake_spawn {
	struct fake_answer answers[FAKE_MAX];	/* the 1st, 2nd... step's; later ones exit 0 */
	size_t nanswers;
	volatile sig_atomic_t *flag;	/* set to signal as a step is cancelled, as
					 * os/signals.c's handler would, or NULL */
	int signal;
	size_t calls;
	struct strv argv;	/* each step's argv, quoted */
	struct strv cwd;	/* each step's directory */
	struct spawn_opts last;	/* the last step's options (its pointers stale after) */
	char *cc;		/* CC in the last step's environment */
};

/* The one script of a test executable: spawn_fn has spawn_run's arguments, no
 * context of its own. */
static struct fake_spawn fake;

/* The next step ends as end with status, log appended to its log. */
static inline void
fake_answer(enum spawn_end end, int status, const char *log)
{
	struct fake_answer a = {end, status, log};

	if (fake.nanswers < FAKE_MAX) {
		fake.answers[fake.nanswers++] = a;
	}
}

/* Forget the script and the calls. */
static inline void
fake_reset(void)
{
	strv_release(&fake.argv);
	strv_release(&fake.cwd);
	free(fake.cc);
	memset(&fake, 0, sizeof(fake));
}

/* run->spawn_fn: the script's next answer, with spawn_run's returns. */
static inline int
fake_spawn_run(const struct spawn_opts *o, struct spawn_result *res)
{
	struct fake_answer a = {SPAWN_EXITED, 0, NULL};
	const char *cc = NULL;

	if (fake.calls < fake.nanswers) {
		a = fake.answers[fake.calls];
	}
	fake.calls++;
	strv_push_owned(&fake.argv, spawn_quote_argv(o->argv));
	strv_push(&fake.cwd, o->cwd ? o->cwd : "");
	fake.last = *o;
	for (char *const *e = o->envp; e && *e; e++) {
		if (!strncmp(*e, "CC=", 3)) {
			cc = *e + 3;
		}
	}
	free(fake.cc);
	fake.cc = cc ? xstrdup(cc) : NULL;
	if (a.log && o->log_path) {
		FILE *f = fopen(o->log_path, "a");

		if (f) {
			fputs(a.log, f);
			fclose(f);
		}
	}
	memset(res, 0, sizeof(*res));
	res->end = a.end;
	res->status = a.status;
	res->seconds = 0.5;
	if (a.end == SPAWN_CANCELLED && fake.flag) {
		*fake.flag = fake.signal;
	}
	if (a.end == SPAWN_NOT_STARTED) {
		res->start_errno = ENOENT;
		return -1;
	}
	return 0;
}

/* fake_spawn_run, and a make that links: /bin/true becomes the project's prog, a
 * real ELF file that the cell measures (and strips a copy of) for real. */
static inline int
fake_spawn_linking(const struct spawn_opts *o, struct spawn_result *res)
{
	int rc = fake_spawn_run(o, res);

	if (!strcmp(o->argv[0], "make")) {
		char *prog = xasprintf("%s/prog", o->cwd);

		if (fs_copy_file("/bin/true", prog) < 0 || chmod(prog, 0755) < 0) {
			fail_msg("cannot make '%s'", prog);
		}
		free(prog);
	}
	return rc;
}

/* A project (proj/ with a configure script and a source file), its recipe
 * (./configure, make) and build (release, with --disable-nls), and a run of it
 * whose steps go to fake_spawn_run, in a temporary directory. */
struct fake_tree {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	struct recipe recipe;
	struct project project;
	struct recipe_build *build;
	struct run run;
	struct cache cache;	/* run.cache once fake_tree_cache opened it */
	volatile sig_atomic_t cancel;	/* run.cancel */
};

static inline struct fake_tree *
fake_tree_new(void)
{
	struct fake_tree *f = tu_fixture_new(sizeof(*f));

	fake_reset();
	f->recipe.name = xstrdup("make");
	f->recipe.file = xstrdup("recipes/make.ini");
	f->recipe.configure = xstrdup("./configure");
	f->recipe.build = xstrdup("make -j{jobs}");
	f->project.dir = xasprintf("%s/proj", f->t.dir);
	f->project.stage_dir = xstrdup(f->project.dir);
	f->project.subdir = xstrdup("");
	f->project.name = xstrdup("proj");
	free(tu_write_file(f->project.dir, "configure", "#!/bin/sh\n"));
	free(tu_write_file(f->project.dir, "main.c", "int main(void) { return 0; }\n"));
	f->build = recipe_build_new("release");
	strv_push(&f->build->configure_args, "--disable-nls");
	f->run.project = &f->project;
	f->run.recipe = &f->recipe;
	f->run.build = f->build;
	f->run.default_build = true;
	f->run.workdir = xasprintf("%s/work", f->t.dir);
	f->run.self = xstrdup("/bin/true");
	f->run.shimdir = xasprintf("%s/bin", f->run.workdir);
	f->run.jobs = 1;
	f->run.build_jobs = 2;
	f->run.timeout = 5;
	f->run.metric = "bytes";
	f->run.cancel = &f->cancel;
	f->run.spawn_fn = fake_spawn_run;
	fake.flag = &f->cancel;
	if (fs_mkdirs(f->run.workdir) < 0) {
		fail_msg("cannot make '%s'", f->run.workdir);
	}
	return f;
}

/* Give f's run the cache of its work directory, as it is now (an entry stored
 * since an earlier fake_tree_cache is found by this one). */
static inline void
fake_tree_cache(struct fake_tree *f)
{
	struct strv parts = STRV_INIT;

	if (f->run.cache) {
		cache_release(&f->cache);
	}
	char *dir = cache_dir_of(f->run.workdir, NULL);

	strv_push(&parts, "fakespawn");
	if (!cache_usable(dir)) {
		fail_msg("no cache in '%s'", f->run.workdir);
	}
	cache_init(&f->cache, dir, &parts);
	free(dir);
	f->run.cache = &f->cache;
	strv_release(&parts);
}

static inline int
fake_tree_free(struct fake_tree *f)
{
	if (f->run.cache) {
		cache_release(&f->cache);
	}
	free(f->recipe.name);
	free(f->recipe.file);
	free(f->recipe.configure);
	free(f->recipe.build);
	free(f->project.dir);
	free(f->project.stage_dir);
	free(f->project.subdir);
	free(f->project.name);
	recipe_build_free(f->build);
	free(f->run.workdir);
	free(f->run.self);
	free(f->run.shimdir);
	fake_reset();
	return tu_fixture_free(f);
}

#endif
