/* test_measure.c: sizes read from real ELF files built by the real cc. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/mem.h"
#include "elf/measure.h"
#include "os/fsutil.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	char *src;	/* prog.c */
	char *exe;	/* prog, a PIE (the toolchain's default) */
	char *nopie;	/* prog-nopie, ET_EXEC */
	char *obj;	/* prog.o */
	char *lib;	/* libx.so */
	char *text;	/* notes.txt: compressible text */
};

static const char prog[] =
	"#include <stdio.h>\n"
	"int table[4096];\n"
	"int counter = 42;\n"
	"const char greeting[] = \"hello, measure\";\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\t(void)argv;\n"
	"\ttable[argc] = counter;\n"
	"\tputs(greeting);\n"
	"\treturn table[0];\n"
	"}\n";

#define RUN(f, ...) TU_RUN((f)->t.dir, __VA_ARGS__)

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	struct buf text = BUF_INIT;

	*state = f;
	f->src = tu_write_file(f->t.dir, "prog.c", prog);
	f->exe = xasprintf("%s/prog", f->t.dir);
	f->nopie = xasprintf("%s/prog-nopie", f->t.dir);
	f->obj = xasprintf("%s/prog.o", f->t.dir);
	f->lib = xasprintf("%s/libx.so", f->t.dir);
	for (int i = 0; i < 4000; i++) {
		buf_printf(&text, "line %d: the quick brown fox jumps over the lazy dog\n", i % 10);
	}
	f->text = tu_write_file(f->t.dir, "notes.txt", buf_str(&text));
	buf_release(&text);
	if (RUN(f, "cc", "-O0", "-o", f->exe, f->src) < 0 ||
	    RUN(f, "cc", "-O0", "-fno-pie", "-no-pie", "-o", f->nopie, f->src) < 0 ||
	    RUN(f, "cc", "-O0", "-c", "-o", f->obj, f->src) < 0 ||
	    RUN(f, "cc", "-O0", "-shared", "-fPIC", "-o", f->lib, f->src) < 0) {
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->src);
	free(f->exe);
	free(f->nopie);
	free(f->obj);
	free(f->lib);
	free(f->text);
	return tu_fixture_free(f);
}

static void
test_measure_elf_of_an_executable(void **state)
{
	struct fixture *f = *state;
	struct measure m = MEASURE_INIT;
	char err[256] = "";
	struct stat st;
	unsigned long long alloc_sum = 0;

	assert_int_equal(measure_elf(f->exe, &m, err, sizeof(err)), 0);
	assert_int_equal(stat(f->exe, &st), 0);
	assert_int_equal(m.bytes, (long long)st.st_size);
	assert_true(m.nsections > 5);
	assert_true(measure_section(&m, ".text") > 0);
	assert_true(measure_section(&m, ".data") >= sizeof(int));
	assert_true(measure_section(&m, ".rodata") >= sizeof("hello, measure"));
	/* int table[4096] */
	assert_true(measure_section(&m, ".bss") >= 4096 * sizeof(int));
	assert_int_equal(measure_section(&m, ".no-such-section"), 0);
	assert_true(m.flash > 0);
	assert_true(m.flash >= measure_section(&m, ".text") + measure_section(&m, ".rodata"));
	/* .bss takes RAM, not file space */
	assert_true(m.ram >= measure_section(&m, ".bss") + measure_section(&m, ".data"));
	assert_true(m.flash < (unsigned long long)m.bytes);
	/* section names are unique and non-empty */
	for (size_t i = 0; i < m.nsections; i++) {
		assert_true(strlen(m.sections[i].name) > 0);
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(m.sections[i].name, m.sections[j].name);
		}
		alloc_sum += m.sections[i].bytes;
	}
	assert_true(alloc_sum >= m.flash);
	/* not filled by measure_elf */
	assert_int_equal(m.stripped_bytes, -1);
	assert_int_equal(m.xz_bytes, -1);
	measure_release(&m);
	assert_null(m.sections);
	assert_int_equal(m.nsections, 0);
}

static void
test_measure_elf_grows_with_the_program(void **state)
{
	struct fixture *f = *state;
	struct measure small = MEASURE_INIT, big = MEASURE_INIT;
	char err[256];
	char *bigsrc = tu_write_file(f->t.dir, "big.c",
				     "int data[2048] = {1};\nint bss[100000];\n"
				     "int main(void) { return data[0] + bss[1]; }\n");
	char *bigexe = xasprintf("%s/big", f->t.dir);

	assert_int_equal(RUN(f, "cc", "-O0", "-o", bigexe, bigsrc), 0);
	assert_int_equal(measure_elf(f->exe, &small, err, sizeof(err)), 0);
	assert_int_equal(measure_elf(bigexe, &big, err, sizeof(err)), 0);
	/* 8 KiB more initialised data: in the file and in RAM; 400 KB of bss: RAM only */
	assert_true(measure_section(&big, ".data") >= 2048 * sizeof(int));
	assert_true(big.bytes >= small.bytes + (long long)(2048 * sizeof(int)) - 4096);
	assert_true(big.ram >= 2048 * sizeof(int) + 100000 * sizeof(int));
	assert_true(big.bytes < (long long)(100000 * sizeof(int)));
	measure_release(&small);
	measure_release(&big);
	free(bigsrc);
	free(bigexe);
}

static void
test_measure_elf_of_an_object(void **state)
{
	struct fixture *f = *state;
	struct measure m = MEASURE_INIT;
	char err[256];

	assert_int_equal(measure_elf(f->obj, &m, err, sizeof(err)), 0);
	assert_true(measure_section(&m, ".text") > 0);
	assert_true(m.bytes > 0);
	measure_release(&m);
}

static void
test_measure_elf_refuses_what_is_not_elf(void **state)
{
	struct fixture *f = *state;
	struct measure m = MEASURE_INIT;
	char err[256] = "";
	char *missing = xasprintf("%s/missing", f->t.dir);
	char *empty;

	assert_int_equal(measure_elf(f->text, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not an ELF file"));
	assert_non_null(strstr(err, "notes.txt"));
	measure_release(&m);

	err[0] = '\0';
	assert_int_equal(measure_elf(f->src, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not an ELF file"));
	measure_release(&m);

	err[0] = '\0';
	empty = tu_write_file(f->t.dir, "empty", "");
	assert_int_equal(measure_elf(empty, &m, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	measure_release(&m);

	err[0] = '\0';
	assert_int_equal(measure_elf(missing, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	measure_release(&m);
	free(missing);
	free(empty);
}

static void
test_measure_is_executable(void **state)
{
	struct fixture *f = *state;
	char *missing = xasprintf("%s/missing", f->t.dir);

	assert_true(measure_is_executable(f->exe));
	assert_true(measure_is_executable(f->nopie));
	assert_false(measure_is_executable(f->obj));
	assert_false(measure_is_executable(f->lib));
	assert_false(measure_is_executable(f->text));
	assert_false(measure_is_executable(missing));

	assert_true(measure_is_shared_library(f->lib));
	assert_false(measure_is_shared_library(f->exe));
	assert_false(measure_is_shared_library(f->nopie));
	assert_false(measure_is_shared_library(f->obj));
	assert_false(measure_is_shared_library(f->text));
	free(missing);
}

static void
test_measure_compressed_sizes(void **state)
{
	struct fixture *f = *state;
	long long gz = -1, xz = -1, egz = -1, exz = -1;
	long long size = fs_size(f->text);
	char err[256];
	char *empty;

	assert_true(size > 100000);
	assert_int_equal(measure_compressed(f->text, &gz, &xz, err, sizeof(err)), 0);
	assert_true(gz > 0);
	assert_true(xz > 0);
	/* very repetitive text compresses to a small fraction */
	assert_true(gz < size / 10);
	assert_true(xz < size / 10);

	/* an executable compresses too, less well */
	assert_int_equal(measure_compressed(f->exe, &egz, &exz, err, sizeof(err)), 0);
	assert_true(egz > 0 && egz < fs_size(f->exe));
	assert_true(exz > 0 && exz < fs_size(f->exe));

	/* an empty file still has the containers' headers */
	empty = tu_write_file(f->t.dir, "empty", "");
	assert_int_equal(measure_compressed(empty, &gz, &xz, err, sizeof(err)), 0);
	assert_int_equal(gz, 20);
	assert_int_equal(xz, 32);
	free(empty);
}

/* The size of what argv writes to stdout; it must exit 0. */
static long long
output_size(const char *const *argv)
{
	struct buf out = BUF_INIT;
	long long n;

	assert_int_equal(tu_run(NULL, argv, &out, 60), 0);
	n = (long long)out.len;
	buf_release(&out);
	return n;
}

#define OUTPUT_SIZE(...) output_size((const char *const[]){__VA_ARGS__, NULL})

static void
test_measure_compressed_matches_the_tools(void **state)
{
	struct fixture *f = *state;
	long long gz = -1, xz = -1, tool;
	char err[256];

	assert_int_equal(measure_compressed(f->exe, &gz, &xz, err, sizeof(err)), 0);
	/* one xz block with a CRC64, as xz -9 writes on one thread */
	assert_int_equal(xz, OUTPUT_SIZE("xz", "-9", "-T1", "-c", f->exe));
	/* zlib's deflate, not gzip's own: the same within a percent */
	tool = OUTPUT_SIZE("gzip", "-9", "-n", "-c", f->exe);
	assert_true(gz * 100 >= tool * 99 && gz * 100 <= tool * 101);

	assert_int_equal(measure_compressed(f->text, &gz, &xz, err, sizeof(err)), 0);
	assert_int_equal(xz, OUTPUT_SIZE("xz", "-9", "-T1", "-c", f->text));
	tool = OUTPUT_SIZE("gzip", "-9", "-n", "-c", f->text);
	assert_true(gz * 100 >= tool * 99 && gz * 100 <= tool * 101);
}

static void
test_measure_compressed_of_a_missing_file(void **state)
{
	struct fixture *f = *state;
	long long gz = 7, xz = 7;
	char err[256] = "";
	char *missing = xasprintf("%s/missing", f->t.dir);

	assert_int_equal(measure_compressed(missing, &gz, &xz, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	free(missing);
}

/* zlib takes at most 4 GiB - 1 bytes of input at once (uInt): a larger file goes
 * in pieces. A file of 4 GiB is too slow to compress under valgrind, so pieces
 * far smaller than the input stand in for it: the size is the same however the
 * input is cut, and the same as gzip's. */
static void
test_measure_gzip_size_in_chunks(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	static const size_t chunks[] = {1, 7, 4096, 65535, 65536, 65537, 1000000};
	long long whole, tool;

	/* the program twice: matches across chunk boundaries */
	assert_int_equal(fs_read_file(f->exe, &b), 0);
	assert_int_equal(fs_read_file(f->exe, &b), 0);
	whole = measure_gzip_size((const unsigned char *)b.s, b.len, 0);
	assert_true(whole > 20 && whole < (long long)b.len);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(*chunks); i++) {
		assert_int_equal(measure_gzip_size((const unsigned char *)b.s, b.len, chunks[i]),
				 whole);
	}
	assert_int_equal(measure_gzip_size((const unsigned char *)"", 0, 3), 20);
	tool = OUTPUT_SIZE("gzip", "-9", "-n", "-c", f->exe);
	whole = measure_gzip_size((const unsigned char *)b.s, b.len / 2, 1000);
	assert_true(whole * 100 >= tool * 99 && whole * 100 <= tool * 101);
	buf_release(&b);
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_measure_elf_of_an_executable),
		T(test_measure_elf_grows_with_the_program),
		T(test_measure_elf_of_an_object),
		T(test_measure_elf_refuses_what_is_not_elf),
		T(test_measure_is_executable),
		T(test_measure_compressed_sizes),
		T(test_measure_compressed_matches_the_tools),
		T(test_measure_compressed_of_a_missing_file),
		T(test_measure_gzip_size_in_chunks),
	};

	/* the programs are built once for the whole group */
	return cmocka_run_group_tests(tests, setup, teardown);
}
