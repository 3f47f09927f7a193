/* distrib.h: the matrix's compiles on distcc or icecream (--distribute): which
 * hosts answer and offer how many slots, a check that each host's compiler gives
 * this machine's bytes, the cells' environment, and where each cell's compiles
 * went (from distcc's log). Links, LTO code generation and post-link steps stay
 * here: the wrapper sends only compiles. */
#ifndef OUNCE_DISTRIB_H
#define OUNCE_DISTRIB_H

#include <stddef.h>

#include "base/strv.h"

struct cell_steps;

struct distrib {
	char *tool;	/* "distcc" or "icecc" */
	char *path;	/* its absolute path */
	char *hosts;	/* distcc: DISTCC_HOSTS for the cells, the hosts that answered */
	int slots;	/* distcc: the compile slots those hosts offer; 0 for icecc (its
			 * scheduler knows, ounce does not) */
};

/* Is name a distributor --distribute takes ("distcc", "icecc")? */
int distrib_known(const char *name);
/* Find tool and, for distcc, its hosts (DISTCC_HOSTS, ~/.distcc/hosts... as
 * distcc reads them); compile a probe with each of the compilers (names or paths)
 * on each host and here, in tmpdir (made and removed), keeping the hosts that
 * answer. Returns 0, or 2 after one line: tool missing, no host answers, or a
 * host's compiler gives other bytes than this machine's (refused: the sizes
 * would not be this machine's). */
int distrib_open(struct distrib *d, const char *tool, const struct strv *compilers,
		 const char *tmpdir, double timeout);
/* The environment of a cell in dir whose compiles go through d. */
void distrib_env(const struct distrib *d, const char *dir, struct strv *env);
/* Add to st where the compiles of distcc's log at path went. */
void distrib_read_log(const char *path, struct cell_steps *st);
void distrib_close(struct distrib *d);

#endif
