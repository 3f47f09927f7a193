/* fuzz_heaplog.c: the heap trace log reader on any bytes, then what `ounce heap
 * stats` and `ounce heap pools` compute from what it accepted. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzzutil.h"
#include "heap/heaplog.h"
#include "heap/heappools.h"
#include "heap/heapstats.h"

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

		struct heappools_classes c = HEAPPOOLS_CLASSES_INIT;
		struct heappools_layout l[4];

		heapstats_compute(&st, &log, 16);
		heapstats_at_peak(&st, &log);
		heapstats_release(&st);
		heappools_classes(&c, &log, 8, 8, HEAPPOOLS_AT_PEAK);
		heappools_solve(&c, 4, l);
		for (size_t k = 0; k < 4; k++) {
			heappools_layout_release(&l[k]);
		}
		heappools_classes(&c, &log, 8, 8, HEAPPOOLS_JOINT);
		heappools_solve(&c, 4, l);
		for (size_t k = 0; k < 4; k++) {
			/* a layout reserves at least each of its pools */
			for (size_t i = 0; i < l[k].npools; i++) {
				if (l[k].pools[i].block && l[k].pools[i].count &&
				    l[k].reserved < l[k].pools[i].block) {
					abort();
				}
			}
			heappools_layout_release(&l[k]);
		}
		heappools_classes_release(&c);
	}
	heaplog_release(&log);
	return 0;
}
