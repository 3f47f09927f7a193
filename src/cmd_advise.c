/* cmd_advise.c: `ounce advise FILE|results.json` (being written). */
#include "cmd.h"

#include <stdio.h>

#include "log.h"
#include "banned.h"

int
cmd_advise(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("advise is not written yet");
	return 1;
}
