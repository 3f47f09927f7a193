/* bench.h: --bench, the project's workload run on each cell that built and
 * passed its smoke test (or was measured without one), one cell at a time once
 * every cell of the build is done: wall and CPU time and peak RSS of each of
 * --bench-repeat runs, and (--bench-count instructions) the instructions it
 * executes, counted once. */
#ifndef OUNCE_BENCH_H
#define OUNCE_BENCH_H

#include <stdbool.h>
#include <stddef.h>

struct cell;
struct run;

/* The most --bench-repeat takes. */
#define BENCH_REPEAT_MAX 100
/* --bench-repeat's default */
#define BENCH_REPEAT_DEFAULT 3

/* Check run's bench settings and find what counts instructions when
 * run->bench_count asks for them: perf where this machine's counter counts, else
 * valgrind (callgrind), into run->bench_counter (owned by run). Returns 0, or -1
 * after saying in one line what is missing (exit status 2: before any build). */
int bench_setup(struct run *run);

/* Benchmark cells[0..n-1] in order, one at a time, each in a fresh copy of the
 * project (WORKDIR/bench/tree; logs in WORKDIR/bench/CELL.log): cells not ok are
 * passed over; a cell whose artifacts are gone, or whose workload fails, gets
 * bench.error and no numbers; when that is run->baseline, the cells after it are
 * not benchmarked. Returns 0 (also when the run was interrupted: the
 * cells not done have no bench), or -1 when ounce itself failed (reported). */
int bench_cells(const struct run *run, struct cell *const *cells, size_t n);

/* The instructions in callgrind's output text: the first number of its "totals:"
 * line, else of its "summary:" line; -1 when it has neither. */
long long bench_callgrind_total(const char *text);
/* Did the process of callgrind's output text run a program under prefix (its
 * "cmd:" line starts with it)? */
bool bench_callgrind_runs(const char *text, const char *prefix);
/* The count of an "instructions" event in `perf stat -x,` output text; -1 when
 * there is none, or it was not counted ("<not supported>", "<not counted>"). */
long long bench_perf_count(const char *text);

#endif
