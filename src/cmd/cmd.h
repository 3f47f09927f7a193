/* cmd.h: the subcommands, one file each (cmd_NAME.c); main.c dispatches. */
#ifndef OUNCE_CMD_H
#define OUNCE_CMD_H

/* Each returns the process exit status: 0 done, 1 the work could not be done,
 * 2 usage or bad input, 128+N after signal N. */
int cmd_advise(int argc, char **argv);
int cmd_cc(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_heap(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_pick(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_size(int argc, char **argv);
int cmd_sstrip(int argc, char **argv);
int cmd_table(int argc, char **argv);

/* Show manual page NAME(1) ("ounce", "ounce-matrix") with man, which replaces
 * ounce; returns -1 when there is no page or no man (then the caller prints the
 * --help text) or man could not be started (reported). */
int cmd_help_page(const char *name);
struct strv;
/* Are pick's options valid (a metric, --allow's trade-offs, an --emit form or
 * NULL)? report takes them too. Returns 0, or 2 after reporting the first bad one. */
int cmd_pick_opts_check(const char *metric, const struct strv *allow, const char *form);

/* Wrapper mode (ounce started as cc, gcc, clang, c++...): run the real compiler
 * with the cell's flags. Returns only on failure, with the exit status. */
int cmd_cc_wrapper(const char *name, int argc, char **argv);

#endif
