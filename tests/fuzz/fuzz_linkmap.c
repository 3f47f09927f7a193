/* fuzz_linkmap.c: the linker map reader (GNU ld and lld formats) on any bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "elf/component.h"
#include "fuzzutil.h"

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
	struct component_map m = COMPONENT_MAP_INIT;
	char err[512];

	if (component_from_linker_map(fuzz_memfile(0, data, size), &m, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < m.n; i++) {
			/* the map promises sorted, non-overlapping ranges */
			if (m.v[i].start > m.v[i].end || (i && m.v[i - 1].end > m.v[i].start)) {
				abort();
			}
			if (component_lookup(&m, m.v[i].start) == NULL && m.v[i].start < m.v[i].end) {
				abort();
			}
		}
	}
	component_map_release(&m);
	return 0;
}
