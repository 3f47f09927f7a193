/* heapcmd.h: the `ounce heap` subcommands, each in its own file. */
#ifndef OUNCE_HEAPCMD_H
#define OUNCE_HEAPCMD_H

#include <stdint.h>

/* Each returns the exit status; argv[0] is the subcommand's name. */
int heapcmd_trace(int argc, char **argv);	/* heapcmd_trace.c */
int heapcmd_stats(int argc, char **argv);	/* heapcmd_stats.c */
int heapcmd_pools(int argc, char **argv);	/* heapcmd_pools.c */
int heapcmd_replay(int argc, char **argv);	/* heapcmd_replay.c */
int heapcmd_sites(int argc, char **argv);	/* heapcmd_sites.c */
int heapcmd_flame(int argc, char **argv);	/* heapcmd_flame.c */
int heapcmd_mcu_source(int argc, char **argv); /* heapcmd_mcu.c */

struct heap_log;
struct heapsym;
/* Read the log at path, which must have stacks, and resolve its frames into sym;
 * -1 after reporting (heapcmd_sites.c; sites and flame use it). */
int heapcmd_read_stacks(const char *path, struct heap_log *log, struct heapsym *sym);

struct json_t;
/* A count as a JSON integer: a damaged log's saturated 2^64 - 1 shows as the
 * largest JSON integer, never as -1 (heapcmd_stats.c; every heap command's JSON). */
struct json_t *heapcmd_json_u64(uint64_t v);

#endif
