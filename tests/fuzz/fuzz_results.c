/* fuzz_results.c: the results.json loader on any bytes (as a file), and every
 * cell it accepted written back and read again with result_cell_from_json. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzzutil.h"
#include "report/result.h"

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
	struct results r = RESULTS_INIT;
	json_error_t jerr;
	json_t *root;

	if (results_load(&r, fuzz_memfile(0, data, size)) == 0) {
		char *text = results_to_json(&r);

		free(text);
		for (size_t i = 0; i < r.ncells; i++) {
			json_t *o = result_cell_json(r.cells[i]);
			struct cell *c = result_cell_from_json(o);

			if (c) {
				cell_free(c);
			}
			json_decref(o);
		}
	}
	results_release(&r);
	/* a cell object on its own, as the cache stores them */
	root = json_loadb((const char *)data, size, 0, &jerr);
	if (root && json_is_object(root)) {
		struct cell *c = result_cell_from_json(root);

		if (c) {
			cell_free(c);
		}
	}
	json_decref(root);
	return 0;
}
