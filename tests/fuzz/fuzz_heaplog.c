/* fuzz_heaplog.c: the heap trace log reader on any bytes, then the statistics
 * `ounce heap stats` computes from what it accepted. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzzutil.h"
#include "heaplog.h"
#include "heapstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct heap_log log = HEAP_LOG_INIT;

	if (heaplog_parse(&log, "fuzz", data, size) == 0) {
		struct heapstats st = HEAPSTATS_INIT;

		heapstats_compute(&st, &log, 16);
		heapstats_release(&st);
	}
	heaplog_release(&log);
	return 0;
}
