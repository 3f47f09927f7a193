/* signals.h: how ounce stops on SIGINT, SIGTERM, SIGHUP and SIGQUIT: the handler
 * only records the signal, in the one interrupt flag, and whoever runs builds or
 * programs watches it (spawn kills the group, the scheduler saves the results and
 * exits 128+N). */
#ifndef OUNCE_SIGNALS_H
#define OUNCE_SIGNALS_H

#include <signal.h>

/* Catch SIGINT, SIGTERM, SIGHUP and SIGQUIT, and ignore SIGPIPE: the handler only
 * sets the flag returned here (to the signal's number), which spawn watches to stop
 * running programs. */
volatile sig_atomic_t *signals_install(void);

#endif
