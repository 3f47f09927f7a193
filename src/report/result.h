/* result.h: what each cell of a run measured, or why it failed, and results.json,
 * the contract between the matrix and everything that reads it. */
#ifndef OUNCE_RESULT_H
#define OUNCE_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/strv.h"
#include "config/profile.h"
#include "elf/diff.h"
#include "elf/iface.h"
#include "elf/measure.h"

enum cell_status {
	CELL_PENDING,
	CELL_OK,
	CELL_CONFIGURE_FAILED,
	CELL_BUILD_FAILED,
	CELL_SMOKE_FAILED,
	CELL_TIMEOUT,
	CELL_INTERRUPTED,
	CELL_SKIPPED,		/* not built: its profiles conflict */
};

/* What --repeat found: the cell built again from scratch gave the same bytes
 * (CELL_REPRO_YES) or not (CELL_REPRO_NO); CELL_REPRO_UNKNOWN when it was not
 * repeated (results.json then has no "reproducible"). */
enum cell_repro { CELL_REPRO_UNKNOWN, CELL_REPRO_YES, CELL_REPRO_NO };

/* SMOKE_LOADED: no smoke command; every artifact loaded with all its symbols bound */
enum smoke_state { SMOKE_NONE, SMOKE_PASS, SMOKE_FAIL, SMOKE_LOADED };

#define ARTIFACT_HASH_LEN 32

/* One file a cell's build made and ounce measured: an executable or a shared
 * library. A cell's own sizes (struct cell m) are the sums over its artifacts. */
struct artifact {
	char *path;		/* absolute: in the cell's tree, or in the cache */
	char *name;		/* where it is in the cell ("src/prog", "build/libx.so.1",
				 * "stage/usr/bin/prog"): how cells' artifacts are matched */
	struct measure m;
	char hash[ARTIFACT_HASH_LEN + 1];	/* of its content, after post-link steps;
						 * "" when not read */
	struct iface ifc;	/* exports, SONAME, needed libraries, glibc */
	struct strv unresolved;	/* what the load check left unresolved */
};

/* What ounce pick --verify found when it rebuilt a cell from an emitted form. */
struct cell_verify {
	char *form;		/* the form applied: "make", "cmake", "wrapper"... */
	char *state;		/* "identical", "differs" or "failed" */
	char *detail;		/* which artifact differs and how, or why it failed; or NULL */
	char *cause;		/* the likely cause of a difference, or NULL */
	char *log;		/* the rebuild's log */
};

/* The compiles and links of a cell's build, as the compiler wrapper timed them
 * (wall and CPU seconds summed over the steps), and where --distribute sent the
 * compiles: to a host, here by the distributor's choice (a compile it does not
 * send, such as one that also links), or here after a host failed (fallback);
 * retried: a host failed and the compile went to another one. */
struct cell_steps {
	int compiles, links;
	double compile_seconds, compile_cpu, link_seconds, link_cpu;
	int remote, local, fallback, retried;
	char *failed_hosts;	/* the hosts a compile failed on ("a, b"), or NULL */
};

/* A section or symbol that changed between a cell's artifact and its baseline's. */
struct explain_row {
	char *name;
	long long old_bytes, new_bytes;
	enum diff_change change;
};

/* What --explain prints for a cell: the sections and symbols that changed most
 * against its build's baseline, largest change first. explain_fill computes it
 * from the ELF files once the cells are measured; results.json keeps it, so the
 * table reads no ELF file. */
struct cell_explain {
	bool done;		/* computed (an older results.json has none) */
	char *artifact;		/* the one compared when the cell has several, or NULL */
	struct explain_row *sections, *symbols;	/* owned */
	size_t nsections, nsymbols;
};

/* What --bench measured of a cell: its workload run n times (matrix/bench.h). */
struct cell_bench {
	double *wall, *cpu;	/* per run: wall seconds, user+system CPU seconds of the
				 * whole process tree; owned */
	size_t n;		/* runs measured; 0: not benchmarked */
	long long rss_kb;	/* the peak RSS over the runs; -1 when none */
	long long instructions;	/* executed (--bench-count instructions); -1 when not
				 * counted */
	char *error;		/* why it was not benchmarked, or why the workload failed;
				 * or NULL */
};

struct cell {
	char *name;		/* profile names joined with '+', or "baseline"; a build other
				 * than the default prefixes "BUILD:" */
	char *build;		/* the build it belongs to ("default", "release", "dev"...) */
	struct strv profiles;
	enum cell_status status;
	char *reason;		/* why it failed, or NULL */
	char *log;		/* its log file */
	char *artifact;		/* the first measured file (arts[0].path) */
	struct measure m;	/* the sums over arts */
	struct artifact *arts;	/* every measured file, the first the main one */
	size_t narts;
	struct strv unproven;	/* its profiles whose evidence no artifact shows (the
				 * allocator that did not link) */
	enum smoke_state smoke;
	long peak_rss_kb;	/* of the smoke test; -1 when none ran */
	double build_seconds;
	double measure_seconds;	/* ounce's CPU time measuring it (sizes, compression) */
	struct settings settings;
	bool cached;		/* its result came from the cache of an earlier run */
	bool built;		/* a configure or build command ran for it in this run */
	char *reused_from;	/* the cell whose linked artifact (or kept objects) it
				 * started from, or NULL */
	bool relinked;		/* it linked reused_from's objects again (not saved) */
	bool shared;		/* another cell of the run may compile the same objects:
				 * compile through ccache, keep LTO code generation (not
				 * saved) */
	struct cell_verify *verify;	/* a rebuild from each form verified, or NULL */
	size_t nverify;
	struct cell_explain explain;
	enum cell_repro reproducible;	/* what building it again from scratch found */
	char *repro_detail;	/* which artifact differed in which build, or how a
				 * repeat build failed; or NULL */
	time_t made;		/* the second its artifacts were last written in this
				 * run (a repeat build starts after it; not saved) */
	struct cell_steps steps;	/* of its build in this run or the cached one's
					 * (where compiles went: this run's only) */
	struct cell_bench bench;	/* --bench: its workload, measured in this run (never
					 * cached: timings are of this machine, this moment) */
};

/* One line of the table: a cell as it appears in a group. */
struct row {
	char *cell;		/* name of a cell */
	char *group;		/* "baseline", "each" or "cumulative" */
	char *label;		/* the modifications column */
	char *note;		/* e.g. "failed: left out below", or NULL */
};

/* A profile as results.json records it, for pick and emit. */
struct result_profile {
	char *name, *summary, *stage, *tradeoff, *tradeoff_note;
};

struct results {
	char *version;
	char *project;
	char *project_dir;
	char *recipe;
	char *toolchain;	/* the baseline's */
	char *baseline;		/* the baseline cell's name (the default build's) */
	struct strv baselines;	/* BUILD=CELL: each build's baseline */
	char *metric;		/* what the cumulative stack kept profiles by */
	char *target_glibc;	/* the oldest glibc the artifacts must run on, or NULL */
	struct cell **cells;
	size_t ncells;
	struct row *rows;
	size_t nrows;
	struct result_profile *profiles;
	size_t nprofiles;
	char *strategy;		/* each, cumulative, both, search or full */
	int repeat;		/* --repeat: builds of each cell compared; 0 or 1: not
				 * repeated (results.json then has no "repeat") */
	struct strv argv;	/* the matrix command's arguments, for --resume */
	bool complete;		/* the run finished (not interrupted) */
	long long builds_run;	/* cells built in this run (cache hits and derived cells not counted) */
	long long cache_hits;	/* cells whose result came from the cache */
	double wall_seconds;	/* the run's wall time */
	double self_seconds;	/* CPU time of ounce itself (not of the builds) */
	double measure_seconds;	/* of which measuring the cells built in this run */
	char *bench_command;	/* --bench: the workload's template, or NULL */
	int bench_repeat;	/* --bench-repeat: timed runs of each cell */
	char *bench_count;	/* --bench-count: "instructions", or NULL */
	char *bench_counter;	/* what counted them: "perf" or "callgrind", or NULL */
	bool slowdown_limit;	/* --max-slowdown given: pick honours max_slowdown */
	double max_slowdown;	/* percent, against the build's baseline */
	long long max_rss_kb;	/* --max-rss; 0: no limit */
};
#define RESULTS_INIT {0}

/* "ok", "configure-failed", "build-failed", "smoke-failed", "timeout", "interrupted",
 * "skipped". */
const char *cell_status_name(enum cell_status s);
/* Add an artifact at path (its name: path relative to celldir, or its base name)
 * to c; returns it, with nothing measured yet. */
struct artifact *cell_add_artifact(struct cell *c, const char *path, const char *celldir);
/* Free c's artifacts. */
void cell_clear_artifacts(struct cell *c);
/* Set c->m to the sums over c's artifacts, and c->artifact to the first one's path. */
void cell_sum_artifacts(struct cell *c);
/* The newest glibc any of c's artifacts needs, or NULL. */
const char *cell_glibc(const struct cell *c);
/* Record v (copied) as what verifying c's form v->form found, replacing an
 * earlier record of that form. */
void cell_set_verify(struct cell *c, const struct cell_verify *v);
/* Free what v owns. */
void cell_verify_release(struct cell_verify *v);
/* Add a change to e's symbols (symbol true) or sections; name is copied. */
void cell_explain_add(struct cell_explain *e, bool symbol, const char *name,
		      long long old_bytes, long long new_bytes, enum diff_change change);
/* Free what e owns and mark it not computed. */
void cell_explain_release(struct cell_explain *e);
/* The artifact of c called name, or NULL. */
const struct artifact *cell_find_artifact(const struct cell *c, const char *name);
/* A new pending cell owned by the caller (free with cell_free). */
struct cell *cell_new(const char *name);
/* Free a cell and what it owns. */
void cell_free(struct cell *c);
/* The cell called name, or NULL. */
struct cell *results_find(const struct results *r, const char *name);
/* Add a cell (r takes ownership). */
void results_add_cell(struct results *r, struct cell *c);
/* Add a row (strings are copied). */
void results_add_row(struct results *r, const char *cell, const char *group, const char *label,
		     const char *note);
/* Record the baseline cell of a build. */
void results_set_baseline(struct results *r, const char *build, const char *cell);
/* The baseline cell of c's build (or of the run), or NULL. */
const struct cell *results_baseline_of(const struct results *r, const struct cell *c);
/* Record a profile's description. */
void results_add_profile(struct results *r, const struct profile *p);
/* The recorded profile called name, or NULL. */
const struct result_profile *results_profile(const struct results *r, const char *name);
/* A cell's value for metric (file, stripped, xz, gz, flash, ram), or -1 when the
 * metric is unknown or was not measured. */
long long cell_metric(const struct cell *c, const char *metric);
/* True for a metric name cell_metric knows. */
bool metric_valid(const char *metric);

struct json_t;
/* A JSON array of the strings of sv (a new reference). */
struct json_t *result_json_strv(const struct strv *sv);
/* A JSON object from NAME=VALUE entries (a new reference). */
struct json_t *result_json_env(const struct strv *env);

/* A cell's settings as results.json records them (a new reference). */
struct json_t *result_settings_json(const struct settings *s);
/* One cell as results.json records it (a new reference). */
struct json_t *result_cell_json(const struct cell *c);
/* A cell from its JSON object (as result_cell_json wrote it); NULL when o is not
 * one (not reported). The caller frees it with cell_free. */
struct cell *result_cell_from_json(struct json_t *o);

/* results.json as a string the caller frees. */
char *results_to_json(const struct results *r);
/* results.json of a run still going (a string the caller frees): not complete, so
 * --resume takes it; the cells in running (being built by other threads, so not
 * read) and those still pending recorded as interrupted; builds and cache hits
 * counted from the cells. */
char *results_progress_json(const struct results *r, struct cell *const *running,
			    size_t nrunning);
/* Write results.json atomically to path. Returns 0 or -1 after reporting. */
int results_save(const struct results *r, const char *path);
/* Read a results.json written by ounce. Returns 0 or -1 after reporting
 * (exit status 2 material: the file is at fault). */
int results_load(struct results *r, const char *path);
/* Free what r owns. */
void results_release(struct results *r);

/* Free c's bench results and mark it not benchmarked. */
void cell_bench_release(struct cell_bench *b);
/* Add one timed run (wall and CPU seconds) to b. */
void cell_bench_add(struct cell_bench *b, double wall, double cpu);

#endif
