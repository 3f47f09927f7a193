/* verify.h: rebuild a cell from an emitted form, as a user pastes it, and compare
 * the artifacts with those the cell measured. */
#ifndef OUNCE_VERIFY_H
#define OUNCE_VERIFY_H

struct cell;
struct cell_verify;
struct results;
struct spawn_sandbox;
struct strv;

/* Rebuild cell c of r from form (NULL: the recipe's native form, emit.h) in a
 * fresh copy of the project at WORKDIR/verify/FORM, with the project's own build
 * system and without ounce's compiler wrapper, run the post-link steps and
 * compare each artifact's bytes with the cell's. Fills out (the caller releases
 * it with cell_verify_release): identical, differs (which artifact, and the likely
 * cause) or failed (why; the log). timeout: seconds for the rebuild (0: none).
 * The rebuild runs as sandbox says (a matrix run's, sandbox.h), or with NULL with
 * the project read-only where the machine allows it. Returns 0 when out says what
 * happened, -1 when ounce itself failed (reported). */
int verify_cell(const struct results *r, const struct cell *c, const char *form,
		const char *workdir, double timeout, const struct spawn_sandbox *sandbox,
		struct cell_verify *out);
/* The work directory of the run r was read from at results_path: the one its
 * arguments name (--workdir=, when it is there), else the one its cells were built
 * in, else the file's directory. The caller frees it. */
char *verify_workdir(const struct results *r, const char *results_path);
/* The likely cause, in one line the caller frees, of a rebuild of c whose log is
 * at log producing other bytes than c's cell: a compiler call where the project's
 * own flag comes after the winner's and overrides it (-O3 after -Os), or one the
 * winner's flags did not reach; NULL when the log shows neither. */
char *verify_cause(const struct cell *c, const char *log);
/* "verified: STATE (FORM form: DETAIL; log: LOG)", the line that says what a
 * verify found; the caller frees it. */
char *verify_line(const struct cell_verify *v);
/* When v says the rebuild of c differs: a warning with the likely cause, where
 * the cell's compiler calls are to be seen, and the form that reproduces them. */
void verify_explain(const struct cell *c, const struct cell_verify *v);
/* After a complete run: rebuild the winner of r's default build (by r's metric,
 * with the trade-offs allow lets in) from the recipe's own form, report it on
 * stderr, record it in r and save r at path; the rebuild runs as sandbox says (the
 * run's). Returns 0 (also when there is no winner), or -1 when ounce itself failed
 * (reported). */
int verify_run_winner(struct results *r, const char *path, const struct strv *allow,
		      double timeout, const struct spawn_sandbox *sandbox);

#endif
