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
/* The words of a smoke (or bench) template tmpl for cell c, run in dir, appended
 * to argv: {artifact} is c's first artifact, {artifacts} every one (a word each
 * where it stands alone), {dir} dir. Returns 0, or -1 with *err saying why the
 * template gives no command (it may point into errbuf). */
int smoke_argv(const char *tmpl, const struct cell *c, const char *dir, struct strv *argv,
	       char *errbuf, int errlen, const char **err);
/* env, into out, with the directories of c's shared libraries in front of
 * LD_LIBRARY_PATH: a program finds the cell's own libraries. */
void smoke_env(const struct cell *c, const struct strv *env, struct strv *out);

#endif
