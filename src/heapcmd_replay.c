/* heapcmd_replay.c: `ounce heap replay` (being written). */
#include "heapcmd.h"

#include "log.h"
#include "banned.h"

int
heapcmd_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("'ounce heap replay' is not written yet");
	return 1;
}
