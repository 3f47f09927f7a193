/* smoke.c: pass or fail by exit status within a timeout; the peak RSS is what
 * wait4 reports for the smoke command's tree (the largest process it waited for).
 * Without a smoke command, the load check: the dynamic loader loads every artifact
 * with every symbol bound (as `ldd -r` does), running none of the program. */
#include "matrix/smoke.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/tmpl.h"
#include "elf/iface.h"
#include "matrix/run.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "report/result.h"
#include "base/banned.h"

/* Add line to the log at path (best effort: the reason already says it). */
static void
append(const char *path, const char *line)
{
	int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;

	if (fd >= 0) {
		fs_write_all(fd, line, strlen(line));
		close(fd);
	}
}

/* The loader's complaints in its trace output, one line each, with the path of the
 * object at fault cut to its base name (the same in every cell). */
static void
complaints(const char *out, struct strv *found)
{
	while (*out) {
		size_t n = strcspn(out, "\n");
		char *line = xstrndup(out, n);

		if (strstr(line, "undefined symbol:") || strstr(line, "=> not found") ||
		    strstr(line, "not found (required by") || strstr(line, "error while loading")) {
			char *open = strchr(line, '('), *close = open ? strchr(open, ')') : NULL;
			char *tab = strchr(line, '\t');

			while (tab) {
				*tab = ' ';
				tab = strchr(line, '\t');
			}
			if (open && close) {
				/* "(./a/b/libx.so)" -> "(libx.so)" */
				char *slash = open;

				for (char *q = open; q < close; q++) {
					if (*q == '/') {
						slash = q;
					}
				}
				if (slash != open) {
					memmove(open + 1, slash + 1, strlen(slash + 1) + 1);
				}
			}
			strv_push(found, line + strspn(line, " "));
		}
		free(line);
		out += n;
		out += *out == '\n';
	}
}

/* The loader that loads a with everything bound, or NULL when this machine has
 * none for it (a static program needs none). */
static char *
loader_for(const struct run *run, const struct artifact *a)
{
	struct iface self = IFACE_INIT;
	char *r = NULL;

	if (!a->ifc.dynamic) {
		return NULL;
	}
	if (a->ifc.interp) {
		return access(a->ifc.interp, X_OK) == 0 ? xstrdup(a->ifc.interp) : NULL;
	}
	/* a shared library: the loader ounce itself runs under */
	if (iface_read(run->self, &self, NULL, 0) == 0 && self.interp &&
	    access(self.interp, X_OK) == 0) {
		r = xstrdup(self.interp);
	}
	iface_release(&self);
	return r;
}

/* env, into out, with the directories of c's shared libraries in front of
 * LD_LIBRARY_PATH: an installed program finds the project's own libraries where
 * they were installed in the cell, not in the system. */
static void
with_libraries(const struct cell *c, const struct strv *env, struct strv *out)
{
	struct buf libpath = BUF_INIT;
	const char *old = strv_getenv(env, "LD_LIBRARY_PATH");

	for (size_t i = 0; i < c->narts; i++) {
		if (c->arts[i].ifc.kind && !strcmp(c->arts[i].ifc.kind, "shared-library")) {
			const char *slash = strrchr(c->arts[i].path, '/');

			buf_printf(&libpath, "%s%.*s", libpath.len ? ":" : "",
				   (int)(slash - c->arts[i].path), c->arts[i].path);
		}
	}
	if (old && *old) {
		buf_printf(&libpath, "%s%s", libpath.len ? ":" : "", old);
	}
	strv_extend(out, env);
	if (libpath.len) {
		strv_setenv(out, "LD_LIBRARY_PATH", buf_str(&libpath));
	}
	buf_release(&libpath);
}

/* Load every artifact of c with all symbols bound; a complaint the baseline's
 * artifact of the same name does not have fails the cell. Returns 0, or -1 when
 * ounce itself failed. */
static int
load_check(const struct run *run, struct cell *c, const char *dir, struct strv *env)
{
	struct strv lenv = STRV_INIT, fresh = STRV_INIT;
	char *out = xasprintf("%s/load.out", dir);
	size_t checked = 0;

	with_libraries(c, env, &lenv);
	strv_setenv(&lenv, "LD_TRACE_LOADED_OBJECTS", "1");
	strv_setenv(&lenv, "LD_WARN", "yes");
	strv_setenv(&lenv, "LD_BIND_NOW", "yes");
	for (size_t i = 0; i < c->narts; i++) {
		struct artifact *a = &c->arts[i];
		char *rtld = loader_for(run, a);
		char *argv[] = {rtld, a->path, NULL};
		struct spawn_opts o = {0};
		struct spawn_result res;
		struct buf b = BUF_INIT;
		const struct artifact *base;

		strv_release(&a->unresolved);
		if (!rtld) {
			continue;
		}
		unlink(out);
		o.argv = argv;
		o.envp = strv_array(&lenv);
		o.cwd = dir;
		o.log_path = out;
		o.timeout = 60;
		o.cancel = run->cancel;
		if (spawn_run(&o, &res) < 0 && res.end != SPAWN_NOT_STARTED) {
			free(rtld);
			goto fail;
		}
		free(rtld);
		checked++;
		if (fs_read_file(out, &b) == 0) {
			complaints(buf_str(&b), &a->unresolved);
		}
		buf_release(&b);
		if (res.end != SPAWN_EXITED || res.status != 0) {
			strv_push_owned(&a->unresolved,
					xasprintf("the loader failed on %s: %s", a->name,
						  spawn_describe(&res, 60)));
		}
		base = run->baseline && run->baseline != c
			       ? cell_find_artifact(run->baseline, a->name)
			       : NULL;
		for (size_t j = 0; run->baseline && run->baseline != c && j < a->unresolved.n; j++) {
			if (!base || !strv_has(&base->unresolved, a->unresolved.v[j])) {
				strv_push_owned(&fresh, xasprintf("%s: %s", a->name,
								  a->unresolved.v[j]));
			}
		}
	}
	unlink(out);
	if (fresh.n) {
		c->smoke = SMOKE_FAIL;
		c->status = CELL_SMOKE_FAILED;
		c->reason = xasprintf("load check: %s%s", fresh.v[0],
				      fresh.n > 1 ? " (and more: see the log)" : "");
		for (size_t j = 0; j < fresh.n; j++) {
			char *l = xasprintf("load check: %s\n", fresh.v[j]);

			append(c->log, l);
			free(l);
		}
	} else {
		c->smoke = checked ? SMOKE_LOADED : SMOKE_NONE;
	}
	free(out);
	strv_release(&lenv);
	strv_release(&fresh);
	return 0;
fail:
	free(out);
	strv_release(&lenv);
	strv_release(&fresh);
	return -1;
}

int
smoke_argv(const char *tmpl, const struct cell *c, const char *dir, struct strv *argv,
	   char *errbuf, int errlen, const char **err)
{
	struct strv words = STRV_INIT;
	/* {artifacts}: every artifact, a word each (a marker no path holds, replaced
	 * once the template is split) */
	static const char marker[] = "\x01artifacts\x01";
	struct tmpl_var vars[] = {{"artifact", c->artifact}, {"dir", dir}, {"artifacts", marker}};

	*err = NULL;
	if (tmpl_expand(&words, tmpl, vars, 3, errbuf, errlen, err) < 0 || !words.n) {
		if (!*err) {
			*err = "empty command";
		}
		strv_release(&words);
		return -1;
	}
	for (size_t i = 0; i < words.n; i++) {
		if (!strcmp(words.v[i], marker)) {
			for (size_t j = 0; j < c->narts; j++) {
				strv_push(argv, c->arts[j].path);
			}
		} else if (strstr(words.v[i], marker)) {
			struct buf b = BUF_INIT;
			const char *w = words.v[i], *m;

			while ((m = strstr(w, marker))) {
				buf_add(&b, w, (size_t)(m - w));
				for (size_t j = 0; j < c->narts; j++) {
					buf_printf(&b, "%s%s", j ? " " : "", c->arts[j].path);
				}
				w = m + strlen(marker);
			}
			buf_adds(&b, w);
			strv_push_owned(argv, buf_detach(&b));
		} else {
			strv_push(argv, words.v[i]);
		}
	}
	strv_release(&words);
	return 0;
}

void
smoke_env(const struct cell *c, const struct strv *env, struct strv *out)
{
	with_libraries(c, env, out);
}

int
smoke_run(const struct run *run, struct cell *c, const char *dir, struct strv *env)
{
	struct strv argv = STRV_INIT, senv = STRV_INIT;
	struct spawn_opts o = {0};
	struct spawn_result res;
	char errbuf[128];
	const char *err = NULL;

	if (!run->smoke) {
		return load_check(run, c, dir, env);
	}
	if (smoke_argv(run->smoke, c, dir, &argv, errbuf, (int)sizeof(errbuf), &err) < 0) {
		c->smoke = SMOKE_FAIL;
		c->status = CELL_SMOKE_FAILED;
		c->reason = xasprintf("smoke command: %s", err);
		strv_release(&argv);
		return 0;
	}
	with_libraries(c, env, &senv);
	o.argv = strv_array(&argv);
	o.envp = strv_array(&senv);
	o.cwd = dir;
	o.log_path = c->log;
	o.timeout = run->smoke_timeout;
	o.cancel = run->cancel;
	o.sandbox = run->sandbox;
	if (spawn_run(&o, &res) < 0 && res.end != SPAWN_NOT_STARTED) {
		strv_release(&argv);
		strv_release(&senv);
		return -1;
	}
	strv_release(&argv);
	strv_release(&senv);
	if (res.end == SPAWN_CANCELLED) {
		c->status = CELL_INTERRUPTED;
		c->reason = xstrdup("interrupted during the smoke test");
		return 0;
	}
	c->peak_rss_kb = res.end == SPAWN_EXITED ? res.maxrss_kb : -1;
	if (res.end == SPAWN_EXITED && res.status == 0) {
		c->smoke = SMOKE_PASS;
		return 0;
	}
	c->smoke = SMOKE_FAIL;
	c->status = CELL_SMOKE_FAILED;
	c->reason = xasprintf("smoke test failed: %s", spawn_describe(&res, run->smoke_timeout));
	return 0;
}
