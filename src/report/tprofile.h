/* tprofile.h: time profiles: where a workload spends its time, as stacks sampled by
 * perf (cpu-clock) or counted by callgrind (instructions), folded into a tree of
 * functions under each process, and drawn as a flame graph: alone, or against
 * another run (a differential graph, each box coloured by its change). */
#ifndef OUNCE_TPROFILE_H
#define OUNCE_TPROFILE_H

#include <signal.h>
#include <stdbool.h>

#include "base/flamegraph.h"
#include "base/strv.h"

struct buf;

enum tprofile_via {
	TPROFILE_AUTO,      /* perf, else callgrind where perf is missing or not permitted */
	TPROFILE_PERF,      /* perf record -e cpu-clock: samples of time */
	TPROFILE_CALLGRIND, /* valgrind --tool=callgrind: instructions executed */
};

/* A profile. Under root (named after what was profiled) hangs each process (perf's
 * comm, callgrind's command), and on it each stack from its outermost frame; the
 * innermost frame's self holds the samples (instructions) that ended there. */
struct tprofile {
	struct flamegraph_node root;
	enum tprofile_via via;        /* what measured it: PERF or CALLGRIND */
	bool fp;                      /* perf: frame-pointer call graphs, not DWARF */
	unsigned long long total;     /* samples or instructions added */
	unsigned long long period_ns; /* perf: the CPU time the samples stand for */
	int runs;                     /* of the workload */
	char *command;                /* owned: the workload, quoted, or NULL */
	/* owned, or NULL: a process called program (perf's comm: its first 15 bytes)
	 * is drawn as program_as, so two programs of different names compare */
	char *program, *program_as;
	/* the processes kept (names as program is matched); empty: every one */
	struct strv only;
	unsigned long long left_out;  /* samples (instructions) of the others */
};

/* Make p an empty profile named name (copied); tprofile_release frees it. */
void tprofile_init(struct tprofile *p, const char *name, enum tprofile_via via);
/* Free what p owns. */
void tprofile_release(struct tprofile *p);
/* "samples" or "instructions". */
const char *tprofile_unit(const struct tprofile *p);

/* Add the samples of `perf script -F comm,pid,period,ip,sym` output (a header line
 * "COMM PID PERIOD" per sample, then its frames innermost first, "ADDR SYMBOL" a
 * line, then an empty line). Symbols are demangled and shortened, without their
 * versions and clone suffixes (.isra.0, .cold...), and " (inlined)" is dropped:
 * a function reads the same in any build, inlined or not. Returns the samples
 * added, or -1 after reporting text that is not that output (what names it). */
long long tprofile_add_perf(struct tprofile *p, const char *text, const char *what);

/* Add a callgrind output file (run with --separate-callers=N --demangle=no): each
 * function context's self cost (its first event) on the stack its name spells
 * ("f'g'main": f called by g called by main; "f'2": f's second recursion level),
 * names as tprofile_add_perf makes them.
 * Returns the cost added, or -1 after reporting text that is not that format. */
long long tprofile_add_callgrind(struct tprofile *p, const char *text, const char *what);

/* Append p as an SVG flame graph to out, titled after label ("Time flame graph of
 * LABEL"); finishes p's tree. */
void tprofile_svg(struct tprofile *p, const char *label, struct buf *out);

/* Append a differential flame graph from a to b to out: b's stacks, as wide as b's
 * samples, each box coloured by the change of its own (self) share of the run from
 * a to b, red for more, blue for less, white for none, the deepest for the largest
 * change (Brendan Gregg's differential flame graphs, normalised by each run's
 * total); each title gives both runs' values and the change. a is finished, b gets
 * a's stacks merged in (zero wide). */
void tprofile_diff_svg(struct tprofile *a, struct tprofile *b, const char *label_a,
                       const char *label_b, struct buf *out);
/* Append to out the n functions whose own (self) share of the run changed most
 * from a to b, wherever they stand in the stacks (so a function inlined in one
 * build and called in the other is one line), largest change first: "NAME  A%
 * -> B%  (+D points)"; a header line first. Call before tprofile_diff_svg. */
void tprofile_functions_diff(const struct tprofile *a, const struct tprofile *b, size_t n,
                             struct buf *out);

/* How tprofile_record runs a workload. */
struct tprofile_opts {
	char *const *argv;  /* the workload */
	char *const *envp;  /* NULL: ounce's environment */
	const char *cwd;    /* NULL: ounce's current directory */
	const char *tmpdir; /* an empty directory: recordings, the log */
	enum tprofile_via via;
	bool fp;                             /* perf: --call-graph fp (else dwarf) */
	int repeat;                          /* runs into one profile */
	double timeout;                      /* seconds for all runs; 0: none */
	const volatile sig_atomic_t *cancel; /* set: stop */
};

/* Run the workload o->repeat times under perf (or callgrind, as o->via says) and
 * add its stacks to p; p->via tells which measured it. Returns 0; -1 after
 * reporting a tool missing, the workload failing, timing out or interrupted; -2
 * after reporting a workload whose program is not there (bad input). */
int tprofile_record(const struct tprofile_opts *o, struct tprofile *p);

#endif
