/* fuzz_results.c: the results.json loader on any bytes (as a file), and every
 * cell it accepted written back and read again with result_cell_from_json; then
 * `ounce check`'s reader (results.json or `ounce size` JSON) on the same bytes,
 * judged against itself and rendered as the pull-request comment and JSON. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/buf.h"
#include "config/budgetconf.h"
#include "fuzzutil.h"
#include "report/budget.h"
#include "report/result.h"
#include "report/sizein.h"

/* The bytes at path as `ounce check path --against path --budget 1K
 * --max-growth 1% --format md`, and as --format json. */
static void
check_input(const char *path)
{
	struct sizein in = SIZEIN_INIT;
	struct sizein_opts o = {.metric = "file", .symbols = true};
	struct budget_rules rules = BUDGET_RULES_INIT;
	struct budget_check c = BUDGET_CHECK_INIT;
	struct buf out = BUF_INIT;
	char msg[256];

	if (sizein_load(&in, path, &o) == 0 && !budgetconf_arg(&rules, "1K", msg, sizeof(msg)) &&
	    !budgetconf_set_growth(&rules, "1%") &&
	    budget_evaluate(&rules, &in, &in, NULL, &c, msg, sizeof(msg)) == 0) {
		budget_render(&c, &rules, &in, &in, "md", &out);
		budget_render(&c, &rules, &in, &in, "json", &out);
	}
	buf_release(&out);
	budget_check_release(&c);
	budgetconf_release(&rules);
	sizein_release(&in);
}

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

	const char *path = fuzz_memfile(0, data, size);

	if (results_load(&r, path) == 0) {
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
	check_input(path);
	return 0;
}
