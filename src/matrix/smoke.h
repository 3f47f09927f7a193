/* smoke.h: a cell's smoke test: the project's command, run on the built artifact. */
#ifndef OUNCE_SMOKE_H
#define OUNCE_SMOKE_H

struct cell;
struct run;
struct strv;

/* Run the smoke template of run in dir with {artifact} filled, env as given, and
 * record pass/fail and peak RSS in c (a failure sets c->status and c->reason).
 * Returns 0, or -1 when ounce itself failed (reported). */
int smoke_run(const struct run *run, struct cell *c, const char *dir, struct strv *env);

#endif
