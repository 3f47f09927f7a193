/* prepare.c: the run's snapshot of the project's tree (WORKDIR/prep/src), the one
 * tree every cell copies, and what a tree lacks before it can be configured
 * (configure from configure.ac), generated there once per run: the project's tree
 * is never written, and the cells each build what a fresh release tarball would
 * give. The command is the recipe's data. */
#include "matrix/prepare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/tmpl.h"
#include "config/project.h"
#include "config/recipe.h"
#include "matrix/run.h"
#include "matrix/stage.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "base/banned.h"

extern char **environ;

bool
prepare_needed(const struct recipe *r, const char *dir)
{
	if (!r->prepare) {
		return false;
	}
	for (size_t i = 0; i < r->prepare_unless.n; i++) {
		char *p = xasprintf("%s/%s", dir, r->prepare_unless.v[i]);
		bool there = fs_exists(p);

		free(p);
		if (there) {
			return false;
		}
	}
	return true;
}

/* The command that prepares the tree at dir: the first of r's prepare_scripts
 * that dir holds (run itself when executable, else by sh), else r's prepare
 * command. *shown: the command as the project's user would type it (the caller
 * frees it). Returns 0, or -1 after reporting a bad command. */
static int
prepare_argv(const struct recipe *r, const char *dir, struct strv *argv, char **shown)
{
	struct tmpl_var vars[] = {{"src", dir}};
	char errbuf[128];
	const char *err = NULL;

	for (size_t i = 0; i < r->prepare_scripts.n; i++) {
		char *p = xasprintf("%s/%s", dir, r->prepare_scripts.v[i]);
		struct stat st;

		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			bool x = access(p, X_OK) == 0;

			if (!x) {
				strv_push(argv, "sh");
			}
			strv_push_owned(argv, p);
			*shown = xasprintf("%s%s", x ? "./" : "sh ", r->prepare_scripts.v[i]);
			return 0;
		}
		free(p);
	}
	if (tmpl_expand(argv, r->prepare, vars, 1, errbuf, sizeof(errbuf), &err) < 0 || !argv->n) {
		return error_at(r->file, 0, "prepare command '%s': %s", r->prepare,
				err ? err : "empty");
	}
	*shown = spawn_quote_argv(strv_array(argv));
	return 0;
}

/* Record in WORKDIR/prep/origin which tree the snapshot is of (verify reads it).
 * Returns 0 or -1 after reporting. */
static int
write_origin(const char *top, const char *tree)
{
	char *path = xasprintf("%s/origin", top), *text = xasprintf("%s\n", tree);
	int rc = fs_write_file(path, text, strlen(text));

	free(path);
	free(text);
	return rc;
}

int
prepare_run(struct run *run, char tree_hash[STAGE_HASH_SIZE])
{
	const struct recipe *r = run->recipe;
	const struct project *p = run->project;
	const char *lacks = r->prepare_unless.n ? r->prepare_unless.v[0] : NULL;
	char *top = xasprintf("%s/prep", run->workdir), *src = xasprintf("%s/src", top);
	char *work = xasprintf("%s/work", top), *log = xasprintf("%s/prepare.log", top);
	char *cwd = NULL, *q = NULL, *why;
	struct strv argv = STRV_INIT, env = STRV_INIT;
	struct spawn_opts o = {0};
	struct spawn_result res;
	int rc = 1;

	free(run->prepared);
	run->prepared = NULL;
	if (fs_remove_tree(top) < 0 || fs_mkdirs(top) < 0 || write_origin(top, p->stage_dir) < 0) {
		goto out;
	}
	if (!prepare_needed(r, p->dir)) {
		if (stage_snapshot(p->stage_dir, src, &p->exclude, run->workdir, tree_hash) < 0) {
			goto out;
		}
		goto done;
	}
	/* prepared in a copy, of which the snapshot is taken */
	if (stage_copy(p->stage_dir, work, &p->exclude, run->workdir) < 0) {
		goto out;
	}
	cwd = *p->subdir ? xasprintf("%s/%s", work, p->subdir) : xstrdup(work);
	if (prepare_argv(r, cwd, &argv, &q) < 0) {
		rc = 2;
		goto out;
	}
	if (lacks) {
		info("'%s' has no '%s': preparing a copy with '%s'", p->dir, lacks, q);
	} else {
		info("preparing a copy of '%s' with '%s'", p->dir, q);
	}
	strv_pushv(&env, environ);
	for (size_t i = 0; i < r->prepare_env.n; i++) {
		const char *eq = strchr(r->prepare_env.v[i], '=');
		char *name = xstrndup(r->prepare_env.v[i], (size_t)(eq - r->prepare_env.v[i]));

		strv_setenv(&env, name, eq + 1);
		free(name);
	}
	o.argv = strv_array(&argv);
	o.envp = strv_array(&env);
	o.cwd = cwd;
	o.log_path = log;
	o.timeout = run->timeout;
	o.cancel = run->cancel;
	o.sandbox = run->sandbox;
	if (spawn_run(&o, &res) < 0) {
		/* reported: it could not start, or ounce itself failed */
		goto out;
	}
	if (res.end == SPAWN_CANCELLED) {
		rc = 128 + (int)*run->cancel;
		goto out;
	}
	if (res.end != SPAWN_EXITED || res.status != 0) {
		why = spawn_log_cause(log, true);
		error("preparing '%s' with '%s' failed: %s%s%s (log: %s)", p->dir, q,
		      spawn_describe(&res, run->timeout), why ? ": " : "", why ? why : "", log);
		free(why);
		goto out;
	}
	if (lacks && prepare_needed(r, cwd)) {
		error("preparing '%s' with '%s' made no '%s' (log: %s)", p->dir, q, lacks, log);
		goto out;
	}
	/* the snapshot of the tree as prepared, hashed as it is copied: without
	 * what the recipe leaves out (autom4te.cache), and with copies of what the
	 * links prepare made out of the tree lead to (automake's to its scripts) */
	if (stage_snapshot(work, src, &p->exclude, run->workdir, tree_hash) < 0 ||
	    fs_remove_tree(work) < 0) {
		goto out;
	}
	info("prepared in %.1f s: every cell is staged from '%s'", res.seconds, src);
done:
	run->prepared = src;
	src = NULL;
	rc = 0;
out:
	strv_release(&argv);
	strv_release(&env);
	free(top);
	free(src);
	free(work);
	free(log);
	free(cwd);
	free(q);
	return rc;
}
