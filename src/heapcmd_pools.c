/* heapcmd_pools.c: `ounce heap pools` (being written). */
#include "heapcmd.h"

#include "log.h"
#include "banned.h"

int
heapcmd_pools(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("'ounce heap pools' is not written yet");
	return 1;
}
