/* bench.c: runs the project's workload on the cells of a build once all are built,
 * so no build runs beside it and cells do not disturb each other's timing. A cell
 * from the cache is run from the cache's copy of its artifacts: benchmarking adds
 * no build. Each run is spawned from the template's argv (as the smoke test is),
 * in its own copy of the project's tree, with the smoke test's timeout and
 * ounce's own environment (not a cell's build variables, whose paths differ from
 * cell to cell: an instruction count would follow them). */
#include "matrix/bench.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "config/project.h"
#include "matrix/run.h"
#include "matrix/smoke.h"
#include "matrix/stage.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "report/result.h"
#include "report/speed.h"
#include "base/banned.h"

extern char **environ;

/* How much slower than its timed runs the counting run may be: callgrind runs a
 * program some 50 times slower. */
#define COUNT_SLOWDOWN 100

long long
bench_callgrind_total(const char *text)
{
	long long summary = -1, totals = -1;

	while (*text) {
		size_t n = strcspn(text, "\n");

		if (!strncmp(text, "totals:", 7) || !strncmp(text, "summary:", 8)) {
			const char *v = text + strcspn(text, ":") + 1;
			char *end;
			long long x = strtoll(v, &end, 10);

			if (end != v && x >= 0) {
				*(text[0] == 't' ? &totals : &summary) = x;
			}
		}
		text += n;
		text += *text == '\n';
	}
	return totals >= 0 ? totals : summary;
}

long long
bench_perf_count(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		char *line = xstrndup(text, n), *event = strchr(line, ',');
		long long v = -1;

		/* COUNT,UNIT,EVENT,...; comment lines start with '#' */
		if (line[0] != '#' && event && (event = strchr(event + 1, ',')) &&
		    !strncmp(event + 1, "instructions", 12)) {
			char *end;

			v = strtoll(line, &end, 10);
			if (end == line || *end != ',') {
				v = -1;
			}
			free(line);
			return v;
		}
		free(line);
		text += n;
		text += *text == '\n';
	}
	return -1;
}

/* Does perf at path count this machine's instructions (a virtual machine often
 * has no hardware counter)? The probe's output goes to out. */
static bool
perf_counts(const char *perf, const char *out)
{
	static const char *const words[] = {"stat", "-x,", "-e", "instructions:u", "-o"};
	struct strv argv = STRV_INIT;
	struct spawn_opts o = {0};
	struct spawn_result res;
	struct buf b = BUF_INIT;
	bool ok;

	strv_push(&argv, perf);
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
		strv_push(&argv, words[i]);
	}
	strv_push(&argv, out);
	strv_push(&argv, "--");
	strv_push(&argv, "true");
	o.argv = strv_array(&argv);
	o.timeout = 30;
	unlink(out);
	ok = spawn_run(&o, &res) == 0 && res.end == SPAWN_EXITED && res.status == 0 &&
	     fs_read_file(out, &b) == 0 && bench_perf_count(buf_str(&b)) > 0;
	buf_release(&b);
	strv_release(&argv);
	unlink(out);
	return ok;
}

int
bench_setup(struct run *run)
{
	char *perf, *probe;

	if (!run->bench) {
		if (run->bench_count) {
			return error("--bench-count needs a workload: --bench CMD, or bench = in "
			             "ounce.ini");
		}
		return 0;
	}
	if (run->bench_repeat < 1) {
		run->bench_repeat = BENCH_REPEAT_DEFAULT;
	}
	if (!run->bench_count) {
		return 0;
	}
	perf = spawn_which("perf", NULL);
	probe = xasprintf("%s/perf-probe.out", run->workdir);
	if (perf && perf_counts(perf, probe)) {
		run->bench_counter = perf;
		run->bench_perf = true;
		free(probe);
		return 0;
	}
	free(probe);
	run->bench_counter = spawn_which("valgrind", NULL);
	if (run->bench_counter) {
		info("bench: %s: valgrind's callgrind counts the instructions",
		     perf ? "perf counts no instructions here (no hardware counter)"
		          : "perf is not installed");
		free(perf);
		return 0;
	}
	error("--bench-count instructions needs valgrind or perf with a hardware counter: "
	      "valgrind is not installed, and perf %s (Debian packages valgrind, linux-perf)",
	      perf ? "counts no instructions here" : "is not either");
	free(perf);
	return -1;
}

/* Add line to the log at path (best effort: the log only helps). */
static void
note(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0) {
		fs_write_all(fd, line, strlen(line));
		close(fd);
	}
}

/* A fresh copy of the project's tree at tree, as a cell's build starts from.
 * Returns 0 or -1 after reporting. */
static int
stage_tree(const struct run *run, const char *tree)
{
	const struct project *p = run->project;

	if (fs_remove_tree(tree) < 0) {
		return -1;
	}
	if (run->prepared) {
		return stage_clone(run->prepared, tree, &p->exclude, NULL);
	}
	return stage_copy(p->stage_dir, tree, &p->exclude, run->workdir);
}

/* c's workload failed (why, owned): no numbers, only why. */
static void
failed(struct cell *c, char *why)
{
	cell_bench_release(&c->bench);
	c->bench.error = why;
	warn("%s: %s", c->name, why);
}

/* How one run of argv in dir went, into *res. Returns 0, or -1 when ounce itself
 * failed (reported). */
static int
run_once(const struct run *run, struct strv *argv, struct strv *env, const char *dir,
         const char *log, double timeout, struct spawn_result *res)
{
	struct spawn_opts o = {0};

	o.argv = strv_array(argv);
	o.envp = strv_array(env);
	o.cwd = dir;
	o.log_path = log;
	o.timeout = timeout;
	o.cancel = run->cancel;
	o.sandbox = run->sandbox;
	if (spawn_run(&o, res) < 0 && res->end != SPAWN_NOT_STARTED) {
		return -1;
	}
	return 0;
}

/* The run->bench_repeat timed runs of c. Returns 0 (a failure recorded in c), or
 * -1 when ounce itself failed. */
static int
timed_runs(const struct run *run, struct cell *c, struct strv *argv, struct strv *env,
           const char *dir, const char *log)
{
	for (int i = 0; i < run->bench_repeat; i++) {
		struct spawn_result res;
		char *line = xasprintf("==> bench run %d of %d\n", i + 1, run->bench_repeat);

		note(log, line);
		free(line);
		if (run_once(run, argv, env, dir, log, run->smoke_timeout, &res) < 0) {
			return -1;
		}
		if (res.end == SPAWN_CANCELLED) {
			cell_bench_release(&c->bench);
			c->bench.error = xstrdup("not benchmarked: the run was interrupted");
			return 0;
		}
		if (res.end != SPAWN_EXITED || res.status != 0) {
			failed(c, xasprintf("the workload failed: %s (log: %s)",
			                    spawn_describe(&res, run->smoke_timeout), log));
			return 0;
		}
		cell_bench_add(&c->bench, res.seconds, res.cpu_seconds);
		if (res.maxrss_kb > c->bench.rss_kb) {
			c->bench.rss_kb = res.maxrss_kb;
		}
	}
	return 0;
}

bool
bench_callgrind_runs(const char *text, const char *prefix)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		if (!strncmp(text, "cmd:", 4)) {
			const char *cmd = text + 4 + strspn(text + 4, " \t");

			return (size_t)(text + n - cmd) >= strlen(prefix) &&
			       !strncmp(cmd, prefix, strlen(prefix));
		}
		text += n;
		text += *text == '\n';
	}
	return false;
}

/* The instructions in the callgrind files in dir: those of the processes that
 * ran a program under place (a cell's artifacts), else (none did: a library
 * loaded by an interpreter) of every process; -1 when there is no count. */
static long long
callgrind_sum(const char *dir, const char *place)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long long all = -1, own = -1;
	char *prefix = xasprintf("%s/", place);

	while (d && (e = readdir(d))) {
		char *path;
		struct buf b = BUF_INIT;
		long long v;

		if (strncmp(e->d_name, "callgrind.out.", 14)) {
			continue;
		}
		path = xasprintf("%s/%s", dir, e->d_name);
		v = fs_read_file(path, &b) == 0 ? bench_callgrind_total(buf_str(&b)) : -1;
		if (v >= 0) {
			all = (all < 0 ? 0 : all) + v;
			if (bench_callgrind_runs(buf_str(&b), prefix)) {
				own = (own < 0 ? 0 : own) + v;
			}
		}
		buf_release(&b);
		free(path);
	}
	if (d) {
		closedir(d);
	}
	free(prefix);
	return own >= 0 ? own : all;
}

/* Count the instructions of one more run of c's workload into
 * c->bench.instructions: under perf, of every process of the tree; under
 * callgrind, of the processes that ran one of its artifacts (copied under
 * place), so a script's own work around them (a shell, a polling loop) does not
 * count, else of every process. Returns 0 (a failure recorded in
 * c->bench.error), or -1 when ounce itself failed. */
static int
count_instructions(const struct run *run, struct cell *c, const struct strv *argv, struct strv *env,
                   const char *dir, const char *top, const char *place, const char *log)
{
	struct strv cargv = STRV_INIT;
	struct spawn_result res;
	struct buf b = BUF_INIT;
	const char *tool = run->bench_perf ? "perf" : "callgrind";
	char *out;
	double lo, hi, timeout;
	int rc = 0;

	strv_push(&cargv, run->bench_counter);
	if (run->bench_perf) {
		out = xasprintf("%s/perf.out", top);
		unlink(out);
		strv_push(&cargv, "stat");
		strv_push(&cargv, "-x,");
		strv_push(&cargv, "-e");
		strv_push(&cargv, "instructions:u");
		strv_push(&cargv, "-o");
		strv_push(&cargv, out);
		strv_push(&cargv, "--");
	} else {
		out = xasprintf("%s/callgrind", top);
		if (fs_remove_tree(out) < 0 || fs_mkdirs(out) < 0) {
			rc = -1;
			goto done;
		}
		strv_push(&cargv, "--tool=callgrind");
		strv_push(&cargv, "--trace-children=yes");
		/* valgrind's own lines kept out of the workload's stderr, which a
		 * workload may read (a server's "listening on" line) */
		strv_push_owned(&cargv, xasprintf("--log-file=%s/valgrind.%%p.log", out));
		strv_push_owned(&cargv,
		                xasprintf("--callgrind-out-file=%s/callgrind.out.%%p", out));
	}
	strv_extend(&cargv, argv);
	note(log, run->bench_perf ? "==> bench: counting instructions under perf stat\n"
	                          : "==> bench: counting instructions under callgrind\n");
	speed_spread(c->bench.wall, c->bench.n, &lo, &hi);
	timeout = run->smoke_timeout + COUNT_SLOWDOWN * hi;
	if (run_once(run, &cargv, env, dir, log, timeout, &res) < 0) {
		rc = -1;
		goto done;
	}
	if (res.end == SPAWN_CANCELLED) {
		goto done;
	}
	if (res.end != SPAWN_EXITED || res.status != 0) {
		c->bench.error = xasprintf("instructions not counted: the workload under %s: %s "
		                           "(log: %s)",
		                           tool, spawn_describe(&res, timeout), log);
		warn("%s: %s", c->name, c->bench.error);
		goto done;
	}
	if (run->bench_perf) {
		c->bench.instructions =
		    fs_read_file(out, &b) == 0 ? bench_perf_count(buf_str(&b)) : -1;
	} else {
		c->bench.instructions = callgrind_sum(out, place);
	}
	if (c->bench.instructions < 0) {
		c->bench.error = xasprintf("instructions not counted: %s wrote no count", tool);
		warn("%s: %s", c->name, c->bench.error);
	}
done:
	buf_release(&b);
	if (!run->bench_perf) {
		fs_remove_tree(out);
	}
	free(out);
	strv_release(&cargv);
	return rc;
}

/* The log of c's workload in top: its name with any '/' made '_'. */
static char *
log_of(const char *top, const struct cell *c)
{
	char *log = xasprintf("%s/%s.log", top, c->name);

	for (char *s = log + strlen(top) + 1; *s; s++) {
		if (*s == '/') {
			*s = '_';
		}
	}
	return log;
}

/* Copy c's artifacts to dir, each at its name in the cell (with its SONAME's
 * link beside a library), and point c's paths at the copies, the old paths into
 * old (c->narts + 1 of them, the last c->artifact). Returns 0 or -1 after
 * reporting. */
static int
place_artifacts(struct cell *c, const char *dir, char **old)
{
	if (fs_remove_tree(dir) < 0) {
		return -1;
	}
	for (size_t i = 0; i < c->narts; i++) {
		struct artifact *a = &c->arts[i];
		char *to = xasprintf("%s/%s", dir, a->name), *slash = strrchr(to, '/');
		const char *so = a->ifc.soname;

		*slash = '\0';
		if (fs_mkdirs(to) < 0) {
			free(to);
			return -1;
		}
		*slash = '/';
		if (fs_copy_file(a->path, to) < 0) {
			free(to);
			return -1;
		}
		if (so && !strchr(so, '/') && strcmp(so, slash + 1)) {
			char *link = xasprintf("%.*s/%s", (int)(slash - to), to, so);

			if (symlink(slash + 1, link) < 0) {
				debug("cannot link '%s' to '%s'", link, slash + 1);
			}
			free(link);
		}
		old[i] = a->path;
		a->path = to;
	}
	old[c->narts] = c->artifact;
	c->artifact = xstrdup(c->arts[0].path);
	return 0;
}

/* Point c's paths back at its own artifacts (place_artifacts' old). */
static void
restore_artifacts(struct cell *c, char **old)
{
	for (size_t i = 0; i < c->narts; i++) {
		if (old[i]) {
			free(c->arts[i].path);
			c->arts[i].path = old[i];
		}
	}
	if (old[c->narts]) {
		free(c->artifact);
		c->artifact = old[c->narts];
	}
}

/* Benchmark c, its artifacts copied to top/run: every cell and every run runs its
 * programs from the same paths, which the loader and the program read (an
 * instruction count of a cell from the cache is the count of the cell built).
 * Returns 0 (what it found in c->bench), or -1 when ounce itself failed. */
static int
bench_cell(const struct run *run, struct cell *c, const char *top, const char *tree,
           const struct strv *env)
{
	struct strv argv = STRV_INIT, cenv = STRV_INIT;
	char errbuf[128], *log = NULL, *dir = NULL, *place, **old;
	const char *err = NULL;
	int rc = 0;

	cell_bench_release(&c->bench);
	if (c->status != CELL_OK) {
		return 0;
	}
	if (!c->narts) {
		failed(c, xstrdup("not benchmarked: it has no artifact"));
		return 0;
	}
	for (size_t i = 0; i < c->narts; i++) {
		if (!fs_exists(c->arts[i].path)) {
			failed(c, xasprintf("not benchmarked: its artifact '%s' is gone (%s)",
			                    c->arts[i].name, c->arts[i].path));
			return 0;
		}
	}
	place = xasprintf("%s/run", top);
	old = xcalloc(c->narts + 1, sizeof(*old));
	if (place_artifacts(c, place, old) < 0 || stage_tree(run, tree) < 0) {
		rc = -1;
		goto out;
	}
	dir =
	    *run->project->subdir ? xasprintf("%s/%s", tree, run->project->subdir) : xstrdup(tree);
	log = log_of(top, c);
	unlink(log);
	if (smoke_argv(run->bench, c, dir, &argv, errbuf, (int)sizeof(errbuf), &err) < 0) {
		failed(c, xasprintf("bench command: %s", err));
		goto out;
	}
	smoke_env(c, env, &cenv);
	rc = timed_runs(run, c, &argv, &cenv, dir, log);
	if (rc == 0 && c->bench.n && run->bench_counter) {
		rc = count_instructions(run, c, &argv, &cenv, dir, top, place, log);
	}
	if (rc == 0 && c->bench.n) {
		char counted[64] = "";

		if (c->bench.instructions >= 0) {
			snprintf(counted, sizeof(counted), ", %lld instructions",
			         c->bench.instructions);
		}
		info("bench %s: %.3f s CPU (median of %zu)%s", c->name,
		     speed_median(c->bench.cpu, c->bench.n), c->bench.n, counted);
	}
out:
	restore_artifacts(c, old);
	fs_remove_tree(place);
	free(place);
	free(old);
	strv_release(&argv);
	strv_release(&cenv);
	free(log);
	free(dir);
	return rc;
}

int
bench_cells(const struct run *run, struct cell *const *cells, size_t n)
{
	char *top = xasprintf("%s/bench", run->workdir), *tree = xasprintf("%s/tree", top);
	struct strv env = STRV_INIT;
	size_t todo = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		todo += cells[i]->status == CELL_OK;
	}
	if (todo) {
		info("benchmarking %zu cell%s, one at a time: %d run%s each%s", todo,
		     todo == 1 ? "" : "s", run->bench_repeat, run->bench_repeat == 1 ? "" : "s",
		     !run->bench_counter ? ""
		     : run->bench_perf   ? ", instructions counted by perf"
		                         : ", instructions counted by callgrind");
	}
	if (todo && fs_mkdirs(top) < 0) {
		rc = -1;
	}
	strv_pushv(&env, environ);
	for (size_t i = 0; todo && rc == 0 && i < n; i++) {
		if (run->cancel && *run->cancel) {
			break;
		}
		rc = bench_cell(run, cells[i], top, tree, &env);
		if (rc == 0 && cells[i] == run->baseline && !cells[i]->bench.n &&
		    !(run->cancel && *run->cancel)) {
			/* nothing to measure the others against: the workload's fault,
			 * not theirs */
			warn("the workload did not run on the baseline: no other cell is "
			     "benchmarked");
			break;
		}
	}
	if (todo) {
		fs_remove_tree(tree);
	}
	strv_release(&env);
	free(top);
	free(tree);
	return rc;
}
