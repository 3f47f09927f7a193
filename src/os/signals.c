/* signals.c: the interrupt flag, ounce's one mutable global besides the log
 * level, and the handler that sets it. Nothing else happens in the handler: the
 * code that runs builds reads the flag and stops them. */
#include "os/signals.h"

#include <string.h>

#include "base/banned.h"

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

volatile sig_atomic_t *
signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* Ctrl-\ is a way to stop a run too: not with a core dump, with the results */
	sigaction(SIGQUIT, &sa, NULL);
	/* a reader of stderr that goes away (ounce matrix 2>&1 | head) must not
	 * kill the run before its results are saved; spawn.c gives the builds the
	 * default back */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return &interrupted;
}
