/* fuzz_linkmap.c: the linker map reader (GNU ld and lld formats) on any bytes, and
 * the memory regions of a map or of a linker script read from the same bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "elf/component.h"
#include "elf/regions.h"
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
	struct regions rs = REGIONS_INIT;
	const char *path = fuzz_memfile(0, data, size);
	char err[512];

	for (int script = 0; script < 2; script++) {
		if ((script ? regions_from_script(&rs, path) : regions_from_map(&rs, path)) == 0) {
			for (size_t i = 0; i < rs.n; i++) {
				if (!rs.v[i].name[0] || !rs.v[i].attrs) {
					abort();
				}
			}
		}
		regions_release(&rs);
	}
	if (component_from_linker_map(path, &m, err, sizeof(err)) == 0) {
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
