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
/* The argv of a command template run on c (a smoke test, a workload): {artifact}
 * filled with c's first artifact, {artifacts} with each of them, a word each, {dir}
 * with dir; appended to argv, and env with the directories of c's shared libraries
 * in front of LD_LIBRARY_PATH to envout. Returns 0, or -1 with *err set (in
 * errbuf of errlen bytes, or static) for bad quoting, an unknown name or no word. */
int smoke_command(const char *tmpl, const struct cell *c, const char *dir, const struct strv *env,
		  struct strv *argv, struct strv *envout, char *errbuf, int errlen,
		  const char **err);

#endif
