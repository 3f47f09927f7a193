/* peaklog.h: the log of the at-peak tests of test_heapstats.c and
 * test_heappools.c, where each size's most blocks alive come at another moment
 * than the peak of live bytes. Header-only, like heapwrite.h. */
#ifndef OUNCE_PEAKLOG_H
#define OUNCE_PEAKLOG_H

#include <stdint.h>

#include "heapwrite.h"

/* Write into w (hw_begin included; the trailer is the caller's):
 *   1-5   malloc(16) x5 at 0x100..0x140                        80 B
 *   6-7   malloc(200), free: never alive at the peak           80 B
 *   8-10  free 0x100, 0x110, 0x120                             32 B
 *   11    malloc(0)                                            32 B
 *   12-15 malloc(64) x4 at 0x200..0x230                        288 B
 *   16    free 0x200                                           224 B
 *   17    realloc(0x210, 100) -> 0x300 (moves)                 260 B
 *   18-19 malloc(100) x2 at 0x310, 0x320                       460 B: the peak
 *   20-22 free the three 100s                                  160 B
 *   23-26 malloc(16) x4 at 0x400..0x430: six 16s alive         224 B
 * At the peak: 2x16, 2x64, 3x100 and the malloc(0); most at once: 6x16, 4x64,
 * 3x100, 1x200. */
static inline void
peaklog_write(struct hw *w)
{
	hw_begin(w, "x");
	for (uint64_t i = 0; i < 5; i++) {
		hw_malloc(w, 1, 16, 0x100 + 0x10 * i);
	}
	hw_malloc(w, 1, 200, 0x500);
	hw_free(w, 1, 0x500);
	for (uint64_t i = 0; i < 3; i++) {
		hw_free(w, 1, 0x100 + 0x10 * i);
	}
	hw_malloc(w, 1, 0, 0x600);
	for (uint64_t i = 0; i < 4; i++) {
		hw_malloc(w, 1, 64, 0x200 + 0x10 * i);
	}
	hw_free(w, 1, 0x200);
	hw_realloc(w, 1, 0x210, 100, 0x300);
	hw_malloc(w, 1, 100, 0x310);
	hw_malloc(w, 1, 100, 0x320);
	for (uint64_t i = 0; i < 3; i++) {
		hw_free(w, 1, 0x300 + 0x10 * i);
	}
	for (uint64_t i = 0; i < 4; i++) {
		hw_malloc(w, 1, 16, 0x400 + 0x10 * i);
	}
}

#endif
