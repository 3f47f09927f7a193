/* heapcmd.h: the `ounce heap` subcommands, each in its own file. */
#ifndef OUNCE_HEAPCMD_H
#define OUNCE_HEAPCMD_H

/* Each returns the exit status; argv[0] is the subcommand's name. */
int heapcmd_trace(int argc, char **argv);	/* heapcmd_trace.c */
int heapcmd_stats(int argc, char **argv);	/* heapcmd_stats.c */
int heapcmd_pools(int argc, char **argv);	/* heapcmd_pools.c */
int heapcmd_replay(int argc, char **argv);	/* heapcmd_replay.c */

#endif
