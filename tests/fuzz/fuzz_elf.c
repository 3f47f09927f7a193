/* fuzz_elf.c: the ELF reader on any bytes: size_read, the attribution of symbols
 * to components (DWARF), the renderings of the report (JSON, text, flame graph),
 * advise's reading, and the diff of the file against itself and against the
 * second half of the input read as another file. */
#include <stdint.h>
#include <stdlib.h>

#include "base/buf.h"
#include "elf/advise.h"
#include "elf/component.h"
#include "elf/diff.h"
#include "elf/flame.h"
#include "elf/size.h"
#include "fuzzutil.h"
#include "report/sizeout.h"

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

/* Read, attribute and render one file; returns 0 when size_read accepted it. */
static int
read_one(const char *path, struct size_report *r)
{
	char err[512];
	struct component_map m = COMPONENT_MAP_INIT;
	struct buf out = BUF_INIT;

	unsigned long long sum = 0;

	if (size_read(path, r, err, sizeof(err)) < 0) {
		return -1;
	}
	/* what size.h promises of any file it accepts: the rows add up to the
	 * file, and no count is past SIZE_BYTES_MAX (so none is negative in JSON) */
	for (size_t i = 0; i < r->nsections; i++) {
		sum += r->sections[i].bytes;
		if (r->sections[i].bytes > r->bytes || r->sections[i].vm_bytes > SIZE_BYTES_MAX) {
			abort();
		}
	}
	if (sum != r->bytes) {
		abort();
	}
	for (size_t i = 0; i < r->nsymbols; i++) {
		if (r->symbols[i].bytes > SIZE_BYTES_MAX) {
			abort();
		}
	}
	if (component_from_dwarf(path, &m, err, sizeof(err)) > 0) {
		for (size_t i = 0; i < r->nsymbols; i++) {
			(void)component_lookup(&m, r->symbols[i].addr);
		}
	}
	component_map_release(&m);
	(void)size_attribute(r, NULL, err, sizeof(err));
	sizeout_report(r, "json", 0, &out);
	buf_reset(&out);
	sizeout_report(r, "text", 5, &out);
	buf_reset(&out);
	flame_svg(r, &out);
	buf_reset(&out);
	(void)advise_report(r, NULL, &out);
	buf_release(&out);
	return 0;
}

static void
diff_one(const struct size_report *a, const struct size_report *b)
{
	struct diff d = DIFF_INIT;
	struct buf out = BUF_INIT;

	diff_compute(a, b, &d);
	for (size_t i = 0; i < d.symbols.n; i++) {
		if (d.symbols.v[i].old_bytes < 0 || d.symbols.v[i].new_bytes < 0) {
			abort();
		}
	}
	for (size_t i = 0; i < d.sections.n; i++) {
		if (d.sections.v[i].old_bytes < 0 || d.sections.v[i].new_bytes < 0) {
			abort();
		}
	}
	sizeout_diff(&d, "a", "b", "json", 0, &out);
	buf_reset(&out);
	sizeout_diff(&d, "a", "b", "text", 5, &out);
	buf_release(&out);
	diff_release(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;

	if (read_one(fuzz_memfile(0, data, size), &a) == 0) {
		diff_one(&a, &a);
		if (read_one(fuzz_memfile(1, data + size / 2, size - size / 2), &b) == 0) {
			diff_one(&a, &b);
			diff_one(&b, &a);
		}
	}
	size_report_release(&a);
	size_report_release(&b);
	return 0;
}
