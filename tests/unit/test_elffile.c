/* test_elffile.c: the one ELF reader of elf/, on real files built by gcc (a PIE,
 * a position-dependent and a static executable, a shared library, an object, a
 * stripped program) and on what it must refuse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/mem.h"
#include "elf/elffile.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	char *pie;		/* prog, a PIE (the toolchain's default) */
	char *nopie;		/* prog-nopie, ET_EXEC */
	char *stat;		/* prog-static, ET_EXEC without PT_INTERP */
	char *lib;		/* libx.so */
	char *obj;		/* prog.o */
	char *stripped;		/* prog-stripped: strip of prog, .dynsym only */
	char *libstripped;	/* libx-stripped.so: strip of libx.so */
	char *text;		/* notes.txt */
	char *empty;		/* empty */
	char *fifo;		/* fifo */
};

static const char prog[] =
	"#include <stdio.h>\n"
	"int exported_counter = 42;\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\t(void)argv;\n"
	"\tprintf(\"%d\\n\", argc + exported_counter);\n"
	"\treturn 0;\n"
	"}\n";

#define RUN(f, ...) TU_RUN((f)->t.dir, __VA_ARGS__)

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	char *src;

	*state = f;
	src = tu_write_file(f->t.dir, "prog.c", prog);
	f->pie = xasprintf("%s/prog", f->t.dir);
	f->nopie = xasprintf("%s/prog-nopie", f->t.dir);
	f->stat = xasprintf("%s/prog-static", f->t.dir);
	f->lib = xasprintf("%s/libx.so", f->t.dir);
	f->obj = xasprintf("%s/prog.o", f->t.dir);
	f->stripped = xasprintf("%s/prog-stripped", f->t.dir);
	f->libstripped = xasprintf("%s/libx-stripped.so", f->t.dir);
	f->text = tu_write_file(f->t.dir, "notes.txt", "not an ELF file at all\n");
	f->empty = tu_write_file(f->t.dir, "empty", "");
	f->fifo = xasprintf("%s/fifo", f->t.dir);
	if (RUN(f, "gcc", "-O1", "-o", f->pie, src) < 0 ||
	    RUN(f, "gcc", "-O1", "-fno-pie", "-no-pie", "-o", f->nopie, src) < 0 ||
	    RUN(f, "gcc", "-O1", "-static", "-o", f->stat, src) < 0 ||
	    RUN(f, "gcc", "-O1", "-shared", "-fPIC", "-o", f->lib, src) < 0 ||
	    RUN(f, "gcc", "-O1", "-c", "-o", f->obj, src) < 0 ||
	    RUN(f, "strip", "-o", f->stripped, f->pie) < 0 ||
	    RUN(f, "strip", "-o", f->libstripped, f->lib) < 0 || mkfifo(f->fifo, 0600) < 0) {
		free(src);
		return -1;
	}
	free(src);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->pie);
	free(f->nopie);
	free(f->stat);
	free(f->lib);
	free(f->obj);
	free(f->stripped);
	free(f->libstripped);
	free(f->text);
	free(f->empty);
	free(f->fifo);
	return tu_fixture_free(f);
}

/* The kind of path, and whether it has PT_INTERP. */
static enum elffile_kind
kind_of(const char *path, bool *interp)
{
	struct elffile f;
	char err[256];
	enum elffile_kind k;

	assert_int_equal(elffile_open(&f, path, err, sizeof(err)), ELFFILE_OK);
	k = elffile_kind(&f, interp);
	elffile_release(&f);
	return k;
}

static void
test_elffile_open_reads_the_header(void **state)
{
	struct fixture *f = *state;
	struct elffile e;
	struct stat st;
	char err[256];

	assert_int_equal(elffile_open(&e, f->pie, err, sizeof(err)), ELFFILE_OK);
	assert_true(e.fd >= 0);
	assert_non_null(e.e);
	assert_int_equal(e.eh.e_type, ET_DYN);
	assert_int_equal(stat(f->pie, &st), 0);
	assert_int_equal(e.bytes, (long long)st.st_size);
	elffile_release(&e);
	assert_int_equal(e.fd, -1);
	assert_null(e.e);
	/* releasing twice is harmless */
	elffile_release(&e);
}

static void
test_elffile_kind(void **state)
{
	struct fixture *f = *state;
	bool interp = false;

	assert_int_equal(kind_of(f->pie, &interp), ELFFILE_PIE);
	assert_true(interp);
	assert_int_equal(kind_of(f->nopie, &interp), ELFFILE_EXECUTABLE);
	assert_true(interp);
	/* static: an executable, but no interpreter (LD_PRELOAD cannot reach it) */
	assert_int_equal(kind_of(f->stat, &interp), ELFFILE_EXECUTABLE);
	assert_false(interp);
	assert_int_equal(kind_of(f->lib, &interp), ELFFILE_SHARED_LIBRARY);
	assert_false(interp);
	assert_int_equal(kind_of(f->obj, NULL), ELFFILE_OTHER);
	assert_int_equal(kind_of(f->stripped, NULL), ELFFILE_PIE);
}

/* Does path's picked symbol table define name? *dynamic: which table it was. */
static bool
table_defines(const char *path, const char *name, bool *dynamic)
{
	struct elffile f;
	struct elffile_symtab t;
	char err[256];
	bool found = false;

	assert_int_equal(elffile_open(&f, path, err, sizeof(err)), ELFFILE_OK);
	assert_true(elffile_symtab(&f, &t));
	assert_non_null(t.scn);
	assert_non_null(t.data);
	assert_true(t.count > 1);
	*dynamic = t.dynamic;
	assert_int_equal(t.sh.sh_type, t.dynamic ? SHT_DYNSYM : SHT_SYMTAB);
	for (size_t i = 1; i < t.count; i++) {
		GElf_Sym sym;
		const char *n = NULL;

		assert_true(elffile_symbol(&f, &t, i, &sym, &n));
		if (n && !strcmp(n, name) && sym.st_shndx != SHN_UNDEF) {
			found = true;
		}
	}
	elffile_release(&f);
	return found;
}

static void
test_elffile_symtab_prefers_symtab(void **state)
{
	struct fixture *f = *state;
	bool dynamic = true;

	assert_true(table_defines(f->pie, "main", &dynamic));
	assert_false(dynamic);
	assert_true(table_defines(f->obj, "exported_counter", &dynamic));
	assert_false(dynamic);
	assert_true(table_defines(f->stat, "main", &dynamic));
	assert_false(dynamic);
	assert_true(table_defines(f->lib, "exported_counter", &dynamic));
	assert_false(dynamic);
}

static void
test_elffile_symtab_of_a_stripped_file_is_dynsym(void **state)
{
	struct fixture *f = *state;
	bool dynamic = false;

	/* a program's main is not exported: only its imports are left */
	assert_false(table_defines(f->stripped, "main", &dynamic));
	assert_true(dynamic);
	assert_true(table_defines(f->libstripped, "exported_counter", &dynamic));
	assert_true(dynamic);
}

/* How many symbol tables elffile_next_symtab finds in path, and of them .dynsym. */
static void
count_tables(const char *path, int *all, int *dynamic)
{
	struct elffile f;
	struct elffile_symtab t = {0};

	*all = *dynamic = 0;
	assert_int_equal(elffile_open(&f, path, NULL, 0), ELFFILE_OK);
	while (elffile_next_symtab(&f, &t)) {
		assert_non_null(t.data);
		assert_true(t.count > 1);
		(*all)++;
		*dynamic += t.dynamic;
	}
	assert_null(t.scn);
	elffile_release(&f);
}

static void
test_elffile_next_symtab_visits_both_tables(void **state)
{
	struct fixture *f = *state;
	int all, dynamic;

	count_tables(f->pie, &all, &dynamic);
	assert_int_equal(all, 2);
	assert_int_equal(dynamic, 1);
	count_tables(f->stripped, &all, &dynamic);
	assert_int_equal(all, 1);
	assert_int_equal(dynamic, 1);
	count_tables(f->obj, &all, &dynamic);
	assert_int_equal(all, 1);
	assert_int_equal(dynamic, 0);
	count_tables(f->stat, &all, &dynamic);
	assert_int_equal(all, 1);
	assert_int_equal(dynamic, 0);
}

static void
test_elffile_symbol_past_the_table(void **state)
{
	struct fixture *f = *state;
	struct elffile e;
	struct elffile_symtab t;
	GElf_Sym sym;
	char err[256];

	assert_int_equal(elffile_open(&e, f->pie, err, sizeof(err)), ELFFILE_OK);
	assert_true(elffile_symtab(&e, &t));
	assert_false(elffile_symbol(&e, &t, t.count, &sym, NULL));
	assert_false(elffile_symbol(&e, &t, (size_t)-1, &sym, NULL));
	elffile_release(&e);
}

/* elffile_open(path) fails with status and err is exactly want. */
static void
check_refused(const char *path, enum elffile_status status, const char *want)
{
	struct elffile e;
	char err[512] = "";

	assert_int_equal(elffile_open(&e, path, err, sizeof(err)), status);
	assert_string_equal(err, want);
	elffile_release(&e);
	assert_int_equal(e.fd, -1);
}

static void
test_elffile_refuses(void **state)
{
	struct fixture *f = *state;
	char *want, *missing = xasprintf("%s/missing", f->t.dir);
	struct elffile e;

	want = xasprintf("'%s' is not an ELF file", f->text);
	check_refused(f->text, ELFFILE_NOT_ELF, want);
	free(want);
	want = xasprintf("'%s' is not an ELF file", f->empty);
	check_refused(f->empty, ELFFILE_NOT_ELF, want);
	free(want);
	/* a directory and a FIFO: refused, the FIFO not waited on */
	want = xasprintf("cannot read '%s': not a regular file", f->t.dir);
	check_refused(f->t.dir, ELFFILE_NOT_REGULAR, want);
	free(want);
	want = xasprintf("cannot read '%s': not a regular file", f->fifo);
	check_refused(f->fifo, ELFFILE_NOT_REGULAR, want);
	free(want);
	want = xasprintf("cannot open '%s': No such file or directory", missing);
	check_refused(missing, ELFFILE_CANNOT_OPEN, want);
	free(want);
	/* the size is known when the file could be opened */
	assert_int_equal(elffile_open(&e, f->text, NULL, 0), ELFFILE_NOT_ELF);
	assert_int_equal(e.bytes, (long long)strlen("not an ELF file at all\n"));
	elffile_release(&e);
	assert_int_equal(elffile_open(&e, missing, NULL, 0), ELFFILE_CANNOT_OPEN);
	assert_int_equal(e.bytes, -1);
	elffile_release(&e);
	free(missing);
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_elffile_open_reads_the_header),
		T(test_elffile_kind),
		T(test_elffile_symtab_prefers_symtab),
		T(test_elffile_symtab_of_a_stripped_file_is_dynsym),
		T(test_elffile_next_symtab_visits_both_tables),
		T(test_elffile_symbol_past_the_table),
		T(test_elffile_refuses),
	};

	/* the programs are built once for the whole group */
	return cmocka_run_group_tests(tests, setup, teardown);
}
