/* heapcmd_stats.c: `ounce heap stats` (being written). */
#include "heapcmd.h"

#include "log.h"
#include "banned.h"

int
heapcmd_stats(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("'ounce heap stats' is not written yet");
	return 1;
}
