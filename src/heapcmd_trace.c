/* heapcmd_trace.c: `ounce heap trace` (being written). */
#include "heapcmd.h"

#include "log.h"
#include "banned.h"

int
heapcmd_trace(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("'ounce heap trace' is not written yet");
	return 1;
}
