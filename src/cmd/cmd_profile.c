/* cmd_profile.c: `ounce profile CELL [CELL2]`: a time flame graph of the workload
 * run on a cell's artifacts (or on a file), under perf or callgrind; with two, a
 * differential graph from the first to the second. */
#define _GNU_SOURCE /* getopt_long */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "matrix/smoke.h"
#include "matrix/stage.h"
#include "os/fsutil.h"
#include "os/signals.h"
#include "report/result.h"
#include "report/tprofile.h"
#include "base/banned.h"

extern char **environ;

static const char usage[] =
    "usage: ounce profile [options] CELL [CELL2]\n"
    "A time flame graph (SVG) of the run's workload on CELL's artifacts, sampled by\n"
    "perf (cpu-clock) or counted by callgrind; with CELL2, a differential graph: CELL2's\n"
    "stacks coloured by the change from CELL (red: more time, blue: less). A CELL with\n"
    "a '/' is a file to run instead.\n"
    "  -w, --workdir DIR  the run's work directory (default .ounce)\n"
    "      --bench CMD    the workload ({artifact}, {artifacts}, {dir} filled in; default\n"
    "                     the run's --bench, or the file alone)\n"
    "      --via perf|callgrind  how to profile (default perf, else callgrind where\n"
    "                     perf is missing or not permitted)\n"
    "      --call-graph dwarf|fp  perf's call chains (default dwarf)\n"
    "      --repeat N     run the workload N times into one profile (default 1)\n"
    "      --process NAME only the processes of that program (repeatable; e.g. the\n"
    "                     server a workload script drives), not the script itself\n"
    "      --timeout S    seconds for all runs of a profile (default 600)\n"
    "  -o, --output FILE  write the SVG there (default: standard output)\n";

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* What one argument names: a cell of the run or a file, and where it runs. */
struct target {
	struct cell *cell; /* borrowed from the results, or owned (a file) */
	bool owned;
	char *cwd; /* a copy of the project's tree for a cell, or NULL */
};

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where a cell's workload runs: a fresh copy of the run's snapshot of the project
 * (WORKDIR/prep/src) at dir, as the matrix's smoke test and bench run in one
 * (the cells' own copies are gone once measured), in the project's directory of
 * it (the snapshot may be of a workspace above it). Returns that directory (the
 * caller frees it), NULL when the run kept no snapshot, or *failed after
 * reporting a copy that failed. */
static char *
fresh_tree(const char *workdir, const struct results *r, const char *dir, bool *failed)
{
	char *snap = xasprintf("%s/prep/src", workdir), *origin = NULL, *run = NULL;
	struct buf b = BUF_INIT;

	*failed = false;
	if (!is_dir(snap)) {
		goto out;
	}
	if (stage_clone(snap, dir, NULL, NULL) < 0) {
		*failed = true;
		goto out;
	}
	run = xstrdup(dir);
	origin = xasprintf("%s/prep/origin", workdir);
	if (r->project_dir && fs_exists(origin) && fs_read_file(origin, &b) == 0) {
		size_t n = strcspn(buf_str(&b), "\n");

		if (n && !strncmp(r->project_dir, b.s, n) && r->project_dir[n] == '/') {
			char *sub = xasprintf("%s/%s", dir, r->project_dir + n + 1);

			if (is_dir(sub)) {
				free(run);
				run = sub;
			} else {
				free(sub);
			}
		}
	}
out:
	buf_release(&b);
	free(origin);
	free(snap);
	return run;
}

/* Find what arg names; loads the run's results into r when a cell is named.
 * Returns 0, or 2 after one line saying what is wrong. */
static int
resolve(const char *arg, const char *results_path, struct results *r, bool *loaded,
        struct target *t)
{
	memset(t, 0, sizeof(*t));
	if (strchr(arg, '/')) {
		char *path = fs_realpath(arg);

		if (!path) {
			return 2;
		}
		t->cell = cell_new(arg);
		t->owned = true;
		cell_add_artifact(t->cell, path, NULL);
		cell_sum_artifacts(t->cell);
		free(path);
		return 0;
	}
	if (!*loaded) {
		if (results_load(r, results_path) < 0) {
			return 2;
		}
		*loaded = true;
	}
	t->cell = results_find(r, arg);
	if (!t->cell) {
		error("no cell '%s' in '%s' ('ounce table' lists them; a file needs a '/')", arg,
		      results_path);
		return 2;
	}
	if (t->cell->status != CELL_OK) {
		error("cell '%s' did not build and pass: %s%s%s", arg,
		      cell_status_name(t->cell->status), t->cell->reason ? ": " : "",
		      t->cell->reason ? t->cell->reason : "");
		return 2;
	}
	if (!t->cell->narts) {
		error("cell '%s' has no artifact to run", arg);
		return 2;
	}
	for (size_t i = 0; i < t->cell->narts; i++) {
		if (!fs_exists(t->cell->arts[i].path)) {
			error("the artifact of cell '%s' is gone: '%s' (run the matrix again)", arg,
			      t->cell->arts[i].path);
			return 2;
		}
	}
	return 0;
}

static void
target_release(struct target *t)
{
	if (t->owned) {
		cell_free(t->cell);
	}
	free(t->cwd);
}

/* Profile target t with the workload template bench into p. Returns 0, or the
 * exit status after reporting. */
static int
profile_one(const struct target *t, const char *bench, struct tprofile_opts *o, const char *tmpdir,
            struct tprofile *p)
{
	struct strv env = STRV_INIT, argv = STRV_INIT, wenv = STRV_INIT;
	char errbuf[128];
	const char *err;
	int rc = 2;

	/* {dir}: where the workload runs (a file's: where ounce was started) */
	const char *dir = t->cwd ? t->cwd : t->owned ? "." : tmpdir;

	strv_pushv(&env, environ);
	if (smoke_argv(bench, t->cell, dir, &argv, errbuf, (int)sizeof(errbuf), &err) < 0) {
		error("bad workload command '%s': %s", bench, err);
		goto out;
	}
	smoke_env(t->cell, &env, &wenv);
	o->argv = strv_array(&argv);
	o->envp = strv_array(&wenv);
	/* a file runs where ounce was started, a cell in its tree when it is there */
	o->cwd = t->owned ? NULL : t->cwd ? t->cwd : tmpdir;
	switch (tprofile_record(o, p)) {
	case 0:
		rc = 0;
		break;
	case -2:
		rc = 2;
		break;
	default:
		rc = o->cancel && *o->cancel ? 128 + *o->cancel : 1;
		break;
	}
out:
	strv_release(&env);
	strv_release(&argv);
	strv_release(&wenv);
	return rc;
}

/* Parse a positive whole number or a positive number of seconds. */
static bool
number(const char *opt, const char *s, double *v, bool whole)
{
	char *end;

	*v = strtod(s, &end);
	if (end == s || *end || !(*v > 0) || (whole && *v != (double)(long)*v) || *v > 1e9) {
		error("%s takes a positive %s, not '%s'", opt, whole ? "whole number" : "number",
		      s);
		return false;
	}
	return true;
}

int
cmd_profile(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"workdir", required_argument, NULL, 'w'},
	    {"bench", required_argument, NULL, 'b'},
	    {"via", required_argument, NULL, 'V'},
	    {"call-graph", required_argument, NULL, 'g'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"process", required_argument, NULL, 'P'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *workdir = ".ounce", *bench_opt = NULL, *output = NULL;
	struct strv only = STRV_INIT;
	struct tprofile_opts o = {0};
	struct results r = RESULTS_INIT;
	struct target t[2] = {0};
	struct tprofile p[2];
	struct buf svg = BUF_INIT;
	char *results_path = NULL, *bench = NULL, *tmpdir = NULL;
	bool loaded = false;
	size_t nt = 0, np = 0;
	double v;
	int c, rc = 2;

	o.repeat = 1;
	o.timeout = 600;
	optind = 1;
	while ((c = getopt_long(argc, argv, "w:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			workdir = optarg;
			break;
		case 'b':
			bench_opt = optarg;
			break;
		case 'V':
			if (!strcmp(optarg, "perf")) {
				o.via = TPROFILE_PERF;
			} else if (!strcmp(optarg, "callgrind")) {
				o.via = TPROFILE_CALLGRIND;
			} else {
				error("--via takes perf or callgrind, not '%s'", optarg);
				goto out;
			}
			break;
		case 'g':
			if (strcmp(optarg, "fp") && strcmp(optarg, "dwarf")) {
				error("--call-graph takes dwarf or fp, not '%s'", optarg);
				goto out;
			}
			o.fp = !strcmp(optarg, "fp");
			break;
		case 'r':
			if (!number("--repeat", optarg, &v, true)) {
				goto out;
			}
			o.repeat = (int)v;
			break;
		case 'T':
			if (!number("--timeout", optarg, &o.timeout, false)) {
				goto out;
			}
			break;
		case 'P':
			if (!*optarg || strchr(optarg, '/')) {
				error("--process takes a program's name, not '%s'", optarg);
				goto out;
			}
			strv_push(&only, optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			rc = 0;
			goto out;
		default:
			fputs(usage, stderr);
			goto out;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fputs(usage, stderr);
		goto out;
	}
	results_path = xasprintf("%s/results.json", workdir);
	for (int i = optind; i < argc; i++) {
		rc = resolve(argv[i], results_path, &r, &loaded, &t[nt]);
		nt++;
		if (rc) {
			goto out;
		}
	}
	rc = 2;
	if (bench_opt) {
		bench = xstrdup(bench_opt);
	} else if (loaded && r.bench_command && *r.bench_command) {
		/* the run's workload (matrix --bench) */
		bench = xstrdup(r.bench_command);
	} else if (!loaded) {
		bench = xstrdup("{artifact}");
	} else {
		error("no workload: give --bench CMD, or run the matrix with --bench");
		goto out;
	}
	{
		const char *tmp = getenv("TMPDIR");

		tmpdir = xasprintf("%s/ounce-profile.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(tmpdir)) {
			error_errno("cannot make a temporary directory '%s'", tmpdir);
			free(tmpdir);
			tmpdir = NULL;
			rc = 1;
			goto out;
		}
	}
	o.tmpdir = tmpdir;
	o.cancel = signals_install();
	for (size_t i = 0; i < nt; i++) {
		if (!t[i].owned) {
			char *tree = xasprintf("%s/tree%zu", tmpdir, i);
			bool failed;

			t[i].cwd = fresh_tree(workdir, &r, tree, &failed);
			free(tree);
			if (failed) {
				rc = 1;
				goto out;
			}
		}
		tprofile_init(&p[i], argv[optind + (int)i], o.via);
		strv_extend(&p[i].only, &only);
		np++;
		if (i && strcmp(base_name(t[0].cell->artifact), base_name(t[i].cell->artifact))) {
			/* two programs of different names: B's compares as A's */
			p[i].program = xstrdup(base_name(t[i].cell->artifact));
			p[i].program_as = xstrdup(base_name(t[0].cell->artifact));
		}
		rc = profile_one(&t[i], bench, &o, tmpdir, &p[i]);
		if (rc) {
			goto out;
		}
		if (!p[i].total && p[i].left_out) {
			warn("no %s of the process%s named by --process in '%s' (%llu of others)",
			     tprofile_unit(&p[i]), only.n == 1 ? "" : "es", argv[optind + (int)i],
			     p[i].left_out);
		} else if (!p[i].total) {
			warn("no %s of '%s': the workload ran too briefly to be sampled (a longer "
			     "one, or --repeat N)",
			     tprofile_unit(&p[i]), argv[optind + (int)i]);
		}
		/* the second as the first was measured: the same unit */
		o.via = p[i].via;
	}
	if (nt == 1) {
		tprofile_svg(&p[0], argv[optind], &svg);
	} else {
		struct buf fns = BUF_INIT;

		/* which functions account for the change, for the terminal */
		tprofile_functions_diff(&p[0], &p[1], 10, &fns);
		fputs(buf_str(&fns), stderr);
		buf_release(&fns);
		tprofile_diff_svg(&p[0], &p[1], argv[optind], argv[optind + 1], &svg);
	}
	rc = 1;
	if (output) {
		if (fs_write_atomic(output, svg.s, svg.len) == 0) {
			rc = 0;
		}
	} else if (fwrite(svg.s, 1, svg.len, stdout) != svg.len || fflush(stdout) != 0) {
		error_errno("cannot write the flame graph");
	} else {
		rc = 0;
	}
out:
	if (tmpdir) {
		fs_remove_tree(tmpdir);
	}
	for (size_t i = 0; i < np; i++) {
		tprofile_release(&p[i]);
	}
	for (size_t i = 0; i < nt; i++) {
		target_release(&t[i]);
	}
	results_release(&r);
	buf_release(&svg);
	strv_release(&only);
	free(results_path);
	free(bench);
	free(tmpdir);
	return rc;
}
