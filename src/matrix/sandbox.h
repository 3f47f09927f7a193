/* sandbox.h: build steps that cannot write the user's tree and never outlive their
 * cell or ounce. ounce runs each one through itself as a launcher (ounce __launch):
 * in mount and pid namespaces of its own where the machine allows them, the
 * project read-only; everywhere, killed with ounce and with whatever it left
 * running. After the run, the tree is checked against its hash from the start. */
#ifndef OUNCE_SANDBOX_H
#define OUNCE_SANDBOX_H

#include <stdbool.h>

struct run;
struct sandbox;
struct spawn_sandbox;

/* The launcher, ounce run as "ounce __launch [--ns [--ro DIR]... [--rw DIR]...]
 * [--probe] --parent PID [--report FD] -- PATH ARGV...": runs PATH as ARGV and
 * exits with its status (128+N after signal N). For main only. */
int sandbox_launch(int argc, char **argv);

/* Set up how run's build steps run (run->sandbox): with enabled, read-only in
 * namespaces when the machine allows it (else one warning, and they run as they
 * are); the project's tree (and given, the directory the user named, when it is
 * another) is hashed to be checked by sandbox_close. Returns what the caller
 * passes to sandbox_close, or NULL after reporting. */
struct sandbox *sandbox_open(struct run *run, const char *given, bool enabled);

/* How a rebuild outside a matrix run (pick --verify) runs, in a copy of dir:
 * through the launcher, dir read-only where the machine allows it (workdir, when
 * inside dir, stays writable), else quietly as it is. NULL when ounce cannot find
 * its own executable. *owner is set in any case, for sandbox_free. */
const struct spawn_sandbox *sandbox_for(const char *dir, const char *workdir,
					struct sandbox **owner);

/* Free sb without checking the tree (NULL: nothing). */
void sandbox_free(struct sandbox *sb);

/* Check that the project's tree (and the directory given around it) is what it
 * was at sandbox_open, ounce's own stdout and stderr files aside, and free sb
 * (NULL: nothing). A change is an error where builds could write the tree, else
 * a warning (it was edited). Returns 0, or -1 after an error (a change, or a tree
 * that cannot be read again). */
int sandbox_close(struct sandbox *sb);

#endif
