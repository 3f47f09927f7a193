/* test_size.c: ELF files broken down by section, symbol and component, read
 * from real files built by gcc, g++ and clang, and malformed files refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/mem.h"
#include "elf/diff.h"
#include "elf/size.h"
#include "os/fsutil.h"
#include "report/sizeout.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	char *obj;		/* prog.o, gcc -c */
	char *exe;		/* prog, linked from prog.o and util.o with prog.map beside */
	char *map;		/* prog.map */
	char *debug;		/* prog-g, gcc -g, no map */
	char *clang;		/* prog-clang, clang, no map, no debug info */
	char *lib;		/* libutil.so */
	char *stripped;		/* prog-stripped: strip of prog */
	char *libstripped;	/* libutil-stripped.so: strip of libutil.so */
	char *cxx;		/* tmpl, g++ */
};

static const char prog_c[] =
	"#include <stdio.h>\n"
	"int big_table[1000];\n"
	"int counter = 3;\n"
	"int util_sum(const int *v, int n);\n"
	"__attribute__((noinline)) int\n"
	"work(int x)\n"
	"{\n"
	"\tint s = 0;\n"
	"\tfor (int i = 0; i < x; i++) {\n"
	"\t\ts += i * counter + big_table[i % 1000];\n"
	"\t}\n"
	"\treturn s;\n"
	"}\n"
	"int work_alias(int x) __attribute__((alias(\"work\")));\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\t(void)argv;\n"
	"\tbig_table[argc] = argc;\n"
	"\tprintf(\"%d\\n\", work(argc) + work_alias(argc + 1) + util_sum(big_table, argc));\n"
	"\treturn 0;\n"
	"}\n";

static const char util_c[] =
	"__attribute__((noinline)) int\n"
	"util_sum(const int *v, int n)\n"
	"{\n"
	"\tint s = 0;\n"
	"\tfor (int i = 0; i < n; i++) {\n"
	"\t\ts += v[i] * (i + 1);\n"
	"\t}\n"
	"\treturn s;\n"
	"}\n";

static const char tmpl_cpp[] =
	"template <typename T> __attribute__((noinline)) T\n"
	"scale(T x)\n"
	"{\n"
	"\treturn x * 3 + 1;\n"
	"}\n"
	"namespace geom {\n"
	"__attribute__((noinline)) int\n"
	"area(int w, int h)\n"
	"{\n"
	"\treturn w * h + 1;\n"
	"}\n"
	"}\n"
	"int\n"
	"main(int argc, char **)\n"
	"{\n"
	"\treturn scale<int>(argc) + (int)scale<long>(argc) + geom::area(argc, argc);\n"
	"}\n";

#define RUN(f, ...) TU_RUN((f)->t.dir, __VA_ARGS__)

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	char *p;

	*state = f;
	p = tu_write_file(f->t.dir, "prog.c", prog_c);
	free(p);
	p = tu_write_file(f->t.dir, "util.c", util_c);
	free(p);
	p = tu_write_file(f->t.dir, "tmpl.cpp", tmpl_cpp);
	free(p);
	f->obj = xasprintf("%s/prog.o", f->t.dir);
	f->exe = xasprintf("%s/prog", f->t.dir);
	f->map = xasprintf("%s/prog.map", f->t.dir);
	f->debug = xasprintf("%s/prog-g", f->t.dir);
	f->clang = xasprintf("%s/prog-clang", f->t.dir);
	f->lib = xasprintf("%s/libutil.so", f->t.dir);
	f->stripped = xasprintf("%s/prog-stripped", f->t.dir);
	f->libstripped = xasprintf("%s/libutil-stripped.so", f->t.dir);
	f->cxx = xasprintf("%s/tmpl", f->t.dir);
	/* relative names, so that the map and DWARF name "prog.o" and "prog.c" */
	if (RUN(f, "gcc", "-O1", "-c", "-o", "prog.o", "prog.c") < 0 ||
	    RUN(f, "gcc", "-O1", "-c", "-o", "util.o", "util.c") < 0 ||
	    RUN(f, "gcc", "-o", "prog", "prog.o", "util.o", "-Wl,-Map,prog.map") < 0 ||
	    RUN(f, "gcc", "-g", "-O1", "-o", "prog-g", "prog.c", "util.c") < 0 ||
	    RUN(f, "clang", "-O1", "-o", "prog-clang", "prog.c", "util.c") < 0 ||
	    RUN(f, "gcc", "-O1", "-shared", "-fPIC", "-o", "libutil.so", "util.c") < 0 ||
	    RUN(f, "strip", "-o", "prog-stripped", "prog") < 0 ||
	    RUN(f, "strip", "-o", "libutil-stripped.so", "libutil.so") < 0 ||
	    RUN(f, "g++", "-O1", "-o", "tmpl", "tmpl.cpp") < 0) {
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->obj);
	free(f->exe);
	free(f->map);
	free(f->debug);
	free(f->clang);
	free(f->lib);
	free(f->stripped);
	free(f->libstripped);
	free(f->cxx);
	return tu_fixture_free(f);
}

/* size_read of path, which must succeed. */
static void
read_ok(const char *path, struct size_report *r)
{
	char err[512] = "";

	if (size_read(path, r, err, sizeof(err)) < 0) {
		fail_msg("size_read('%s'): %s", path, err);
	}
}

/* The row of section name, or NULL. */
static const struct size_section *
find_section(const struct size_report *r, const char *name)
{
	for (size_t i = 0; i < r->nsections; i++) {
		if (!strcmp(r->sections[i].name, name)) {
			return &r->sections[i];
		}
	}
	return NULL;
}

/* The symbol row called name, or NULL. */
static const struct size_symbol *
find_symbol(const struct size_report *r, const char *name)
{
	for (size_t i = 0; i < r->nsymbols; i++) {
		if (!strcmp(r->symbols[i].name, name)) {
			return &r->symbols[i];
		}
	}
	return NULL;
}

/* The ELF header of path (an ELF64 file). */
static Elf64_Ehdr
read_ehdr(const char *path)
{
	Elf64_Ehdr eh;
	FILE *fp = fopen(path, "rb");

	assert_non_null(fp);
	assert_int_equal(fread(&eh, sizeof(eh), 1, fp), 1);
	fclose(fp);
	assert_memory_equal(eh.e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh.e_ident[EI_CLASS], ELFCLASS64);
	return eh;
}

/* Write n bytes of p to DIR/name and return the path; the caller frees it. */
static char *
write_bytes(const char *dir, const char *name, const void *p, size_t n)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* The contents of path, n bytes of it in *n; the caller frees it. */
static unsigned char *
read_bytes(const char *path, size_t *n)
{
	struct buf b = BUF_INIT;

	assert_int_equal(fs_read_file(path, &b), 0);
	*n = b.len;
	return (unsigned char *)buf_detach(&b);
}

/* Check what every well-formed file's report must satisfy. */
static void
check_rows(const char *path, const struct size_report *r)
{
	Elf64_Ehdr eh = read_ehdr(path);
	struct stat st;
	unsigned long long sum = 0;
	size_t real = 0;
	const struct size_section *s;

	assert_int_equal(stat(path, &st), 0);
	assert_string_equal(r->file, path);
	assert_int_equal(r->bytes, (unsigned long long)st.st_size);
	for (size_t i = 0; i < r->nsections; i++) {
		sum += r->sections[i].bytes;
		real += !r->sections[i].synthetic;
		assert_int_equal(r->sections[i].synthetic, r->sections[i].name[0] == '[');
	}
	/* every byte of the file is in exactly one row */
	if (sum != (unsigned long long)st.st_size) {
		fail_msg("%s: rows add up to %llu, the file has %llu bytes", path, sum,
			 (unsigned long long)st.st_size);
	}
	/* section 0 is the null section, not a row */
	assert_int_equal(real, eh.e_shnum - 1);
	s = find_section(r, "[ELF header]");
	assert_non_null(s);
	assert_int_equal(s->bytes, 64);
	assert_int_equal(s->vm_bytes, 0);
	s = find_section(r, "[section headers]");
	assert_non_null(s);
	assert_int_equal(s->bytes, (unsigned long long)eh.e_shnum * 64);
	s = find_section(r, "[program headers]");
	assert_non_null(s);
	assert_int_equal(s->bytes, (unsigned long long)eh.e_phnum * 56);
	assert_non_null(find_section(r, "[padding]"));
	assert_non_null(find_section(r, ".text"));
	/* largest first */
	for (size_t i = 1; i < r->nsymbols; i++) {
		assert_true(r->symbols[i - 1].bytes >= r->symbols[i].bytes);
	}
	assert_string_equal(r->attribution, "none");
}

static void
test_size_read_rows_add_up_to_the_file(void **state)
{
	struct fixture *f = *state;
	const char *const files[] = {
		f->obj, f->exe, f->debug, f->clang, f->lib, f->stripped, f->libstripped, f->cxx,
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		struct size_report r = SIZE_REPORT_INIT;

		read_ok(files[i], &r);
		check_rows(files[i], &r);
		assert_int_equal(r.is_object, files[i] == f->obj);
		size_report_release(&r);
		assert_null(r.sections);
		assert_null(r.file);
	}
}

/* A 16-bit field of an ELF header at off, in the file's byte order. */
static unsigned int
ehdr_half(const unsigned char *b, size_t off)
{
	if (b[EI_DATA] == ELFDATA2MSB) {
		return (unsigned int)b[off] << 8 | b[off + 1];
	}
	return b[off] | (unsigned int)b[off + 1] << 8;
}

static void
test_size_read_elf32_and_big_endian(void **state)
{
	struct fixture *f = *state;
	static const char *const names[] = {"u32.o", "ube.o"};
	char *src = tu_write_file(f->t.dir, "u.c",
				  "int g[10];\nint f(int x) { return x + g[x]; }\n");

	assert_int_equal(RUN(f, "clang", "-m32", "-c", "-o", "u32.o", "u.c"), 0);
	assert_int_equal(RUN(f, "clang", "--target=powerpc64-linux-gnu", "-c", "-o", "ube.o",
			     "u.c"), 0);
	for (size_t i = 0; i < 2; i++) {
		char *path = xasprintf("%s/%s", f->t.dir, names[i]);
		struct size_report r = SIZE_REPORT_INIT;
		size_t n;
		unsigned char *b = read_bytes(path, &n);
		bool is32 = b[EI_CLASS] == ELFCLASS32;
		unsigned int shentsize = ehdr_half(b, is32 ? 46 : 58);
		unsigned int shnum = ehdr_half(b, is32 ? 48 : 60);
		unsigned long long sum = 0;
		const struct size_symbol *g;

		assert_int_equal(is32, i == 0);
		assert_int_equal(b[EI_DATA], i == 0 ? ELFDATA2LSB : ELFDATA2MSB);
		assert_int_equal(shentsize, is32 ? 40 : 64);
		read_ok(path, &r);
		assert_int_equal(r.bytes, n);
		for (size_t j = 0; j < r.nsections; j++) {
			sum += r.sections[j].bytes;
		}
		assert_int_equal(sum, n);
		assert_int_equal(find_section(&r, "[ELF header]")->bytes, is32 ? 52 : 64);
		assert_int_equal(find_section(&r, "[section headers]")->bytes, shnum * shentsize);
		assert_int_equal(find_section(&r, ".bss")->vm_bytes, 10 * sizeof(int));
		g = find_symbol(&r, "g");
		assert_non_null(g);
		assert_int_equal(g->bytes, 10 * sizeof(int));
		assert_string_equal(g->section, ".bss");
		assert_non_null(find_symbol(&r, "f"));
		assert_true(r.is_object);
		size_report_release(&r);
		free(b);
		free(path);
	}
	free(src);
}

static void
test_size_read_bss_takes_memory_not_file(void **state)
{
	struct fixture *f = *state;
	const char *const files[] = {f->obj, f->exe, f->debug, f->clang};

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		struct size_report r = SIZE_REPORT_INIT;
		const struct size_section *bss, *text, *comment;
		const struct size_symbol *table;

		read_ok(files[i], &r);
		bss = find_section(&r, ".bss");
		assert_non_null(bss);
		assert_int_equal(bss->bytes, 0);
		assert_true(bss->vm_bytes >= 1000 * sizeof(int));
		assert_false(bss->synthetic);
		/* loaded code: the same in the file and in memory */
		text = find_section(&r, ".text");
		assert_non_null(text);
		assert_true(text->bytes > 0);
		assert_int_equal(text->bytes, text->vm_bytes);
		/* .comment is in the file only */
		comment = find_section(&r, ".comment");
		if (comment) {
			assert_true(comment->bytes > 0);
			assert_int_equal(comment->vm_bytes, 0);
		}
		table = find_symbol(&r, "big_table");
		assert_non_null(table);
		assert_int_equal(table->bytes, 1000 * sizeof(int));
		assert_string_equal(table->section, ".bss");
		assert_int_equal(table->kind, 'B');
		size_report_release(&r);
	}
}

/* The size nm -S gives the symbol raw in path, or -1 when it lists it other than
 * exactly once with a size. */
static long long
nm_size(const char *path, const char *raw)
{
	struct buf out = BUF_INIT;
	const char *const argv[] = {"nm", "-S", path, NULL};
	long long found = -1;
	int seen = 0;

	assert_int_equal(tu_run(NULL, argv, &out, 60), 0);
	for (char *line = out.s, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		unsigned long long addr, size;
		char kind, name[512];

		nl = strchr(line, '\n');
		if (nl) {
			*nl = '\0';
		}
		if (sscanf(line, "%llx %llx %c %511s", &addr, &size, &kind, name) == 4 &&
		    !strcmp(name, raw)) {
			found = (long long)size;
			seen++;
		}
	}
	buf_release(&out);
	return seen == 1 ? found : -1;
}

static void
test_size_read_symbol_sizes_match_nm(void **state)
{
	struct fixture *f = *state;
	const char *const files[] = {f->exe, f->debug, f->clang, f->obj};

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		struct size_report r = SIZE_REPORT_INIT;
		const struct size_symbol *work, *main_;
		size_t checked = 0;

		read_ok(files[i], &r);
		assert_false(r.dynamic_symbols);
		work = find_symbol(&r, "work");
		main_ = find_symbol(&r, "main");
		assert_non_null(work);
		assert_non_null(main_);
		assert_int_equal(work->bytes, nm_size(files[i], "work"));
		assert_int_equal(main_->bytes, nm_size(files[i], "main"));
		assert_int_equal(work->kind, 'T');
		assert_int_equal(main_->kind, 'T');
		assert_string_equal(work->section, ".text");
		assert_string_equal(work->raw, "work");
		assert_string_equal(work->component, "unattributed");
		if (files[i] != f->obj) {
			const struct size_symbol *u = find_symbol(&r, "util_sum");

			assert_non_null(u);
			assert_int_equal(u->bytes, nm_size(files[i], "util_sum"));
			/* a linked file: symbols have their load addresses */
			assert_true(work->addr > 0);
		}
		/* every row that nm lists once has nm's size */
		for (size_t j = 0; j < r.nsymbols; j++) {
			long long n = nm_size(files[i], r.symbols[j].raw);

			if (n >= 0) {
				assert_int_equal(r.symbols[j].bytes, n);
				checked++;
			}
			assert_true(r.symbols[j].bytes > 0);
		}
		assert_true(checked >= 3);
		size_report_release(&r);
	}
}

static void
test_size_read_folds_aliases(void **state)
{
	struct fixture *f = *state;
	const char *const files[] = {f->obj, f->exe, f->debug, f->clang};

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		struct size_report r = SIZE_REPORT_INIT;
		const struct size_symbol *work, *alias;

		read_ok(files[i], &r);
		work = find_symbol(&r, "work");
		alias = find_symbol(&r, "work_alias");
		/* one row for both names, the other name in its aliases */
		assert_true((work != NULL) != (alias != NULL));
		if (work) {
			TU_WORDS(&work->aliases, "work_alias");
		} else {
			TU_WORDS(&alias->aliases, "work");
		}
		/* no other row has them */
		for (size_t j = 0; j < r.nsymbols; j++) {
			if (&r.symbols[j] != work && &r.symbols[j] != alias) {
				assert_false(strv_has(&r.symbols[j].aliases, "work"));
				assert_false(strv_has(&r.symbols[j].aliases, "work_alias"));
			}
		}
		size_report_release(&r);
	}
}

static void
test_size_read_demangles_cxx(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	const struct size_symbol *si, *sl;

	read_ok(f->cxx, &r);
	check_rows(f->cxx, &r);
	si = find_symbol(&r, "int scale<int>(int)");
	sl = find_symbol(&r, "long scale<long>(long)");
	assert_non_null(si);
	assert_non_null(sl);
	assert_string_equal(si->raw, "_Z5scaleIiET_S0_");
	assert_string_equal(sl->raw, "_Z5scaleIlET_S0_");
	assert_int_equal(si->bytes, nm_size(f->cxx, si->raw));
	assert_int_equal(si->kind, 'W');
	assert_non_null(find_symbol(&r, "geom::area(int, int)"));
	assert_string_equal(find_symbol(&r, "geom::area(int, int)")->raw, "_ZN4geom4areaEii");
	/* C names are left alone */
	assert_non_null(find_symbol(&r, "main"));
	size_report_release(&r);
}

/* A C++ namespace is not a Rust crate: without a map or debug info,
 * "geom::area(int, int)" stays unattributed; the raw name tells them apart (C++
 * "_ZN4geom4areaEii", Rust "_ZN...17h<hash>E" or "_R..."). */
static void
test_size_attribute_cxx_namespaces_are_not_crates(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	char err[512] = "";

	read_ok(f->cxx, &r);
	assert_int_equal(size_attribute(&r, NULL, err, sizeof(err)), 0);
	assert_string_equal(find_symbol(&r, "geom::area(int, int)")->component, "unattributed");
	assert_string_equal(r.attribution, "none");
	size_report_release(&r);
}

static void
test_size_read_stripped_file_has_dynamic_symbols(void **state)
{
	struct fixture *f = *state;
	struct size_report full = SIZE_REPORT_INIT, r = SIZE_REPORT_INIT;
	const struct size_symbol *a, *b;

	read_ok(f->stripped, &r);
	assert_true(r.dynamic_symbols);
	assert_null(find_section(&r, ".symtab"));
	assert_non_null(find_section(&r, ".dynsym"));
	/* an executable exports nothing with a size that the static table had */
	assert_null(find_symbol(&r, "work"));
	size_report_release(&r);

	read_ok(f->lib, &full);
	read_ok(f->libstripped, &r);
	assert_false(full.dynamic_symbols);
	assert_true(r.dynamic_symbols);
	assert_true(r.bytes < full.bytes);
	a = find_symbol(&full, "util_sum");
	b = find_symbol(&r, "util_sum");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->addr, b->addr);
	assert_int_equal(b->kind, 'T');
	/* the stripped file has fewer symbols: no local ones */
	assert_true(r.nsymbols <= full.nsymbols);
	for (size_t i = 0; i < r.nsymbols; i++) {
		assert_true(r.symbols[i].kind < 'a');
	}
	size_report_release(&full);
	size_report_release(&r);
}

/* size_read of path must fail with a message naming the file, without leaking. */
static void
check_refused(const char *path, const char *want)
{
	struct size_report r = SIZE_REPORT_INIT;
	char err[512] = "";

	assert_int_equal(size_read(path, &r, err, sizeof(err)), -1);
	if (!strstr(err, path) || (want && !strstr(err, want))) {
		fail_msg("size_read('%s'): expected '%s' and the path in '%s'", path,
			 want ? want : "", err);
	}
	size_report_release(&r);
}

static void
test_size_read_refuses_malformed_files(void **state)
{
	struct fixture *f = *state;
	size_t n;
	unsigned char *exe = read_bytes(f->exe, &n);
	unsigned char noise[4096];
	Elf64_Ehdr eh;
	unsigned int seed = 12345;
	char *path, *missing;

	assert_true(n > 4096);
	path = write_bytes(f->t.dir, "empty", "", 0);
	check_refused(path, "is not an ELF file (it is empty)");
	free(path);

	path = write_bytes(f->t.dir, "cut100", exe, 100);
	check_refused(path, "truncated");
	free(path);

	/* cut inside the sections: the section headers are at the end */
	path = write_bytes(f->t.dir, "cut-half", exe, n / 2);
	check_refused(path, NULL);
	free(path);

	for (size_t i = 0; i < sizeof(noise); i++) {
		seed = seed * 1103515245u + 12345u;
		noise[i] = (unsigned char)(seed >> 16);
	}
	path = write_bytes(f->t.dir, "noise", noise, sizeof(noise));
	check_refused(path, "is not an ELF file");
	free(path);

	/* the section headers past the end of the file */
	memcpy(&eh, exe, sizeof(eh));
	eh.e_shoff = n + 4096;
	memcpy(exe, &eh, sizeof(eh));
	path = write_bytes(f->t.dir, "shoff", exe, n);
	check_refused(path, NULL);
	free(path);

	check_refused(f->t.dir, "not a regular file");
	missing = xasprintf("%s/missing", f->t.dir);
	check_refused(missing, "cannot open");
	free(missing);
	free(exe);
}

/* Patch len bytes at off of a copy of good with noise, read it: it must be read or
 * refused, never crash, and a file read must still add up. */
static void
read_corrupt(const char *dir, const unsigned char *good, size_t n, size_t off, size_t len,
	     unsigned int *seed)
{
	unsigned char *bad = xmalloc(n);
	struct size_report r = SIZE_REPORT_INIT;
	char err[512] = "";
	char *path;
	int rc;

	memcpy(bad, good, n);
	for (size_t i = off; i < off + len && i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		bad[i] = (unsigned char)(*seed >> 16);
	}
	path = write_bytes(dir, "corrupt", bad, n);
	rc = size_read(path, &r, err, sizeof(err));
	if (rc < 0) {
		assert_true(strlen(err) > 0);
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(r.bytes, n);
	}
	size_report_release(&r);
	free(path);
	free(bad);
}

static void
test_size_read_survives_corruption(void **state)
{
	struct fixture *f = *state;
	size_t n;
	unsigned char *good = read_bytes(f->obj, &n);
	unsigned int seed = 42;
	Elf64_Ehdr eh;

	memcpy(&eh, good, sizeof(eh));
	for (int k = 0; k < 60; k++) {
		/* a field of the ELF header after e_ident */
		read_corrupt(f->t.dir, good, n, 16 + (size_t)(k % 48), 2, &seed);
		/* a section header */
		read_corrupt(f->t.dir, good, n, eh.e_shoff + (size_t)(k * 13) % (n - eh.e_shoff),
			     8, &seed);
	}
	free(good);
}

static void
test_size_attribute_with_a_map(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	char err[512] = "";
	unsigned long long sum = 0;

	/* prog.map beside prog is found */
	read_ok(f->exe, &r);
	assert_int_equal(size_attribute(&r, NULL, err, sizeof(err)), 0);
	assert_string_equal(r.attribution, "map");
	assert_string_equal(find_symbol(&r, "work")->component, "prog.o");
	assert_string_equal(find_symbol(&r, "main")->component, "prog.o");
	assert_string_equal(find_symbol(&r, "big_table")->component, "prog.o");
	assert_string_equal(find_symbol(&r, "util_sum")->component, "util.o");
	for (size_t i = 0; i < r.ncomponents; i++) {
		sum += r.components[i].bytes;
		if (i) {
			assert_true(r.components[i - 1].bytes >= r.components[i].bytes);
		}
	}
	assert_int_equal(sum, size_symbol_total(&r));
	/* prog.o: work, main, big_table, counter */
	assert_string_equal(r.components[0].name, "prog.o");
	assert_true(r.components[0].bytes >= 1000 * sizeof(int) + find_symbol(&r, "work")->bytes);
	/* again: components are recomputed, not appended */
	assert_int_equal(size_attribute(&r, f->map, err, sizeof(err)), 0);
	sum = 0;
	for (size_t i = 0; i < r.ncomponents; i++) {
		sum += r.components[i].bytes;
	}
	assert_int_equal(sum, size_symbol_total(&r));
	size_report_release(&r);
}

static void
test_size_attribute_with_an_unreadable_map(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	char err[512] = "";
	char *missing = xasprintf("%s/missing.map", f->t.dir);
	char *junk = tu_write_file(f->t.dir, "junk.map", "this is not a map file\n");

	read_ok(f->exe, &r);
	assert_int_equal(size_attribute(&r, missing, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	err[0] = '\0';
	assert_int_equal(size_attribute(&r, junk, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	size_report_release(&r);
	free(missing);
	free(junk);
}

static void
test_size_attribute_with_dwarf(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	char err[512] = "";
	unsigned long long sum = 0;
	const char *c;

	read_ok(f->debug, &r);
	assert_int_equal(size_attribute(&r, NULL, err, sizeof(err)), 0);
	assert_string_equal(r.attribution, "dwarf");
	c = find_symbol(&r, "work")->component;
	assert_true(strlen(c) >= 6 && !strcmp(c + strlen(c) - 6, "prog.c"));
	c = find_symbol(&r, "util_sum")->component;
	assert_true(strlen(c) >= 6 && !strcmp(c + strlen(c) - 6, "util.c"));
	for (size_t i = 0; i < r.ncomponents; i++) {
		sum += r.components[i].bytes;
	}
	assert_int_equal(sum, size_symbol_total(&r));
	size_report_release(&r);
}

static void
test_size_attribute_without_map_or_dwarf(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	char err[512] = "";

	read_ok(f->clang, &r);
	assert_int_equal(size_attribute(&r, NULL, err, sizeof(err)), 0);
	assert_string_equal(r.attribution, "none");
	assert_int_equal(r.ncomponents, 1);
	assert_string_equal(r.components[0].name, "unattributed");
	assert_int_equal(r.components[0].bytes, size_symbol_total(&r));
	size_report_release(&r);
}

static void
test_size_attribute_of_an_object(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;
	char err[512] = "";

	read_ok(f->obj, &r);
	assert_true(r.is_object);
	assert_int_equal(size_attribute(&r, NULL, err, sizeof(err)), 0);
	for (size_t i = 0; i < r.nsymbols; i++) {
		assert_string_equal(r.symbols[i].component, f->obj);
	}
	assert_int_equal(r.ncomponents, 1);
	assert_string_equal(r.components[0].name, f->obj);
	assert_int_equal(r.components[0].bytes, size_symbol_total(&r));
	size_report_release(&r);
}

static void
test_size_symbol_total(void **state)
{
	struct size_report r = SIZE_REPORT_INIT;

	(void)state;
	assert_int_equal(size_symbol_total(&r), 0);
	r.symbols = xcalloc(3, sizeof(*r.symbols));
	r.nsymbols = 3;
	r.symbols[0].bytes = 100;
	r.symbols[1].bytes = 20;
	r.symbols[2].bytes = 3;
	assert_int_equal(size_symbol_total(&r), 123);
	size_report_release(&r);
	assert_int_equal(r.nsymbols, 0);
}

/* size_normalize_name of name must be want. */
static void
check_normal(const char *name, const char *want)
{
	char *n = size_normalize_name(name);

	if (strcmp(n, want)) {
		fail_msg("size_normalize_name('%s') = '%s', expected '%s'", name, n, want);
	}
	free(n);
}

static void
test_size_normalize_name(void **state)
{
	(void)state;
	check_normal("foo.constprop.0", "foo");
	check_normal("bar.isra.0", "bar");
	check_normal("baz.part.1", "baz");
	check_normal("f.cold", "f");
	check_normal("g.llvm.123456", "g");
	check_normal("k.lto_priv.0", "k");
	check_normal("m.constprop.0.isra.0", "m");
	check_normal("n.part.0.cold", "n");
	check_normal("h(int) [clone .constprop.0]", "h(int)");
	check_normal("h(int) [clone .cold]", "h(int)");
	check_normal("std::io::_print::h0123456789abcdef", "std::io::_print");
	check_normal(".hidden", ".hidden");
	check_normal(".cold", ".cold");
	check_normal("plain", "plain");
	check_normal("", "");
	/* not a Rust hash: too short, or not hex */
	check_normal("a::h0123", "a::h0123");
	check_normal("a::h0123456789abcdeg", "a::h0123456789abcdeg");
	check_normal("::h0123456789abcdef", "::h0123456789abcdef");
}

/* A copy of the object with its ELF header patched by patch, refused or read so
 * that its rows still add up. */
static void
check_patched(struct fixture *f, const char *name, void (*patch)(unsigned char *, size_t))
{
	size_t n;
	unsigned char *b = read_bytes(f->obj, &n);
	struct size_report r = SIZE_REPORT_INIT;
	char err[512] = "";
	char *path;
	unsigned long long sum = 0;

	patch(b, n);
	path = write_bytes(f->t.dir, name, b, n);
	if (size_read(path, &r, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < r.nsections; i++) {
			sum += r.sections[i].bytes;
			if (r.sections[i].bytes > n) {
				fail_msg("%s: row '%s' of %llu bytes in a file of %zu", name,
					 r.sections[i].name, r.sections[i].bytes, n);
			}
		}
		assert_int_equal(sum, n);
	} else {
		tu_assert_contains(err, path);
	}
	size_report_release(&r);
	free(path);
	free(b);
}

static void
patch_ehsize_huge(unsigned char *b, size_t n)
{
	Elf64_Ehdr eh;

	assert_true(n < 0xFFFF);
	memcpy(&eh, b, sizeof(eh));
	eh.e_ehsize = 0xFFFF;
	memcpy(b, &eh, sizeof(eh));
}

static void
patch_shoff_wraps(unsigned char *b, size_t n)
{
	Elf64_Ehdr eh;

	(void)n;
	memcpy(&eh, b, sizeof(eh));
	/* e_shoff + e_shnum * 64 wraps around to 8 */
	eh.e_shoff = 0ULL - (unsigned long long)eh.e_shnum * 64 + 8;
	memcpy(b, &eh, sizeof(eh));
}

static void
patch_section_offset(unsigned char *b, size_t n)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh;

	memcpy(&eh, b, sizeof(eh));
	assert_true(eh.e_shoff + 2 * sizeof(sh) <= n);
	memcpy(&sh, b + eh.e_shoff + sizeof(sh), sizeof(sh));
	sh.sh_offset = 0xFFFFFFFFFFFFFFF0ULL;
	memcpy(b + eh.e_shoff + sizeof(sh), &sh, sizeof(sh));
}

static void
patch_shstrndx(unsigned char *b, size_t n)
{
	Elf64_Ehdr eh;

	(void)n;
	memcpy(&eh, b, sizeof(eh));
	eh.e_shstrndx = 0x7FFF;
	memcpy(b, &eh, sizeof(eh));
}

static void
test_size_read_checks_header_fields(void **state)
{
	struct fixture *f = *state;

	check_patched(f, "shoff-wraps", patch_shoff_wraps);
	check_patched(f, "section-offset", patch_section_offset);
	/* section names unreadable: the rows are still there */
	check_patched(f, "shstrndx", patch_shstrndx);
}

/* An e_ehsize that is not the header's size for its class (0xFFFF in a small
 * object) is refused, so [padding] cannot wrap around. */
static void
test_size_read_refuses_an_elf_header_past_the_end(void **state)
{
	check_patched(*state, "ehsize", patch_ehsize_huge);
}

/* The file's section headers, n of them, for patching in place. */
static Elf64_Shdr *
shdrs(unsigned char *b, size_t n, size_t *count)
{
	Elf64_Ehdr eh;

	memcpy(&eh, b, sizeof(eh));
	assert_true(eh.e_shoff + (unsigned long long)eh.e_shnum * sizeof(Elf64_Shdr) <= n);
	*count = eh.e_shnum;
	/* e_shoff of gcc's objects is 8-aligned */
	assert_int_equal(eh.e_shoff % 8, 0);
	return (Elf64_Shdr *)(void *)(b + eh.e_shoff);
}

/* A copy of f's file orig patched by patch must be read (not refused), with its
 * rows adding up to the file and no count past SIZE_BYTES_MAX; its report in r. */
static void
read_patched(struct fixture *f, const char *orig, const char *name,
	     void (*patch)(unsigned char *, size_t), struct size_report *r)
{
	size_t n;
	unsigned char *b = read_bytes(orig, &n);
	unsigned long long sum = 0;
	char *path;

	patch(b, n);
	path = write_bytes(f->t.dir, name, b, n);
	read_ok(path, r);
	for (size_t i = 0; i < r->nsections; i++) {
		sum += r->sections[i].bytes;
		assert_true(r->sections[i].bytes <= n);
		assert_true(r->sections[i].vm_bytes <= SIZE_BYTES_MAX);
	}
	if (sum != n) {
		fail_msg("%s: rows add up to %llu, the file has %zu bytes", name, sum, n);
	}
	free(path);
	free(b);
}

/* Every section with file bytes moved to start right after the ELF header: they
 * overlap each other, the header and the program headers. */
static void
patch_sections_overlap(unsigned char *b, size_t n)
{
	size_t count;
	Elf64_Shdr *sh = shdrs(b, n, &count);

	for (size_t i = 1; i < count; i++) {
		if (sh[i].sh_type != SHT_NOBITS && sh[i].sh_size && 32 + sh[i].sh_size <= n) {
			sh[i].sh_offset = 32;
		}
	}
}

/* A file whose sections overlap is accounted for byte by byte: TOTAL is the
 * file's size, each byte in one row (145 fuzzed files had TOTAL above it). */
static void
test_size_read_overlapping_sections_count_once(void **state)
{
	struct fixture *f = *state;
	struct size_report r = SIZE_REPORT_INIT;

	read_patched(f, f->obj, "overlap.o", patch_sections_overlap, &r);
	size_report_release(&r);
	read_patched(f, f->exe, "overlap", patch_sections_overlap, &r);
	size_report_release(&r);
}

/* Every symbol's st_size, and the .bss size, near 2^64. */
static void
patch_huge_sizes(unsigned char *b, size_t n)
{
	size_t count;
	Elf64_Shdr *sh = shdrs(b, n, &count);

	for (size_t i = 1; i < count; i++) {
		if (sh[i].sh_type == SHT_NOBITS) {
			sh[i].sh_size = 0xFFFFFFFFFFFFFFF0ULL;
		}
		if (sh[i].sh_type != SHT_SYMTAB) {
			continue;
		}
		assert_true(sh[i].sh_offset + sh[i].sh_size <= n);
		for (size_t k = 1; k < sh[i].sh_size / sizeof(Elf64_Sym); k++) {
			Elf64_Sym sym;
			unsigned char *at = b + sh[i].sh_offset + k * sizeof(sym);

			memcpy(&sym, at, sizeof(sym));
			if (sym.st_size) {
				sym.st_size = 0xFFFFFFFFFFFFFF00ULL + k;
				memcpy(at, &sym, sizeof(sym));
			}
		}
	}
}

/* Symbol sizes larger than their section are cut to the section's, counts past
 * LLONG_MAX to it: the diff of such files overflows nothing (UBSan) and no byte
 * count in the JSON of the report or the diff is negative. */
static void
test_size_read_clamps_huge_symbol_sizes(void **state)
{
	struct fixture *f = *state;
	struct size_report good = SIZE_REPORT_INIT, bad = SIZE_REPORT_INIT;
	const struct size_symbol *work;
	const struct size_section *bss;
	struct diff d = DIFF_INIT;
	struct buf out = BUF_INIT;

	read_ok(f->obj, &good);
	read_patched(f, f->obj, "huge.o", patch_huge_sizes, &bad);
	work = find_symbol(&bad, "work");
	assert_non_null(work);
	assert_true(work->bytes <= find_section(&bad, ".text")->bytes);
	bss = find_section(&bad, ".bss");
	assert_non_null(bss);
	assert_int_equal(bss->vm_bytes, SIZE_BYTES_MAX);
	for (size_t i = 0; i < bad.nsymbols; i++) {
		assert_true(bad.symbols[i].bytes <= SIZE_BYTES_MAX);
	}
	sizeout_report(&bad, "json", 0, &out);
	assert_null(strstr(buf_str(&out), ": -"));
	buf_reset(&out);

	diff_compute(&good, &bad, &d);
	for (size_t i = 0; i < d.sections.n; i++) {
		assert_true(d.sections.v[i].old_bytes >= 0 && d.sections.v[i].new_bytes >= 0);
	}
	for (size_t i = 0; i < d.symbols.n; i++) {
		assert_true(d.symbols.v[i].old_bytes >= 0 && d.symbols.v[i].new_bytes >= 0);
	}
	sizeout_diff(&d, "good", "bad", "json", 0, &out);
	assert_null(strstr(buf_str(&out), "\"old\": -"));
	assert_null(strstr(buf_str(&out), "\"new\": -"));
	buf_reset(&out);
	sizeout_diff(&d, "good", "bad", "text", 2, &out);
	diff_release(&d);
	diff_compute(&bad, &bad, &d);
	diff_release(&d);
	buf_release(&out);
	size_report_release(&good);
	size_report_release(&bad);
}

/* A file cut inside its section header table is truncated, not a file with no
 * sections (libelf counts none in it). */
static void
test_size_read_refuses_a_cut_section_header_table(void **state)
{
	struct fixture *f = *state;
	size_t n;
	unsigned char *b = read_bytes(f->exe, &n);
	Elf64_Ehdr eh;
	char *path;

	memcpy(&eh, b, sizeof(eh));
	/* the section header table is the end of a linked file */
	assert_int_equal(eh.e_shoff + (unsigned long long)eh.e_shnum * 64, n);
	for (size_t cut = eh.e_shoff + 1; cut < n; cut += 97) {
		path = write_bytes(f->t.dir, "cut-shdrs", b, cut);
		check_refused(path, "truncated");
		free(path);
	}
	path = write_bytes(f->t.dir, "cut-shdrs", b, n - 1);
	check_refused(path, "truncated");
	free(path);
	free(b);
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_size_read_rows_add_up_to_the_file),
		T(test_size_read_elf32_and_big_endian),
		T(test_size_read_bss_takes_memory_not_file),
		T(test_size_read_symbol_sizes_match_nm),
		T(test_size_read_folds_aliases),
		T(test_size_read_demangles_cxx),
		T(test_size_read_stripped_file_has_dynamic_symbols),
		T(test_size_read_refuses_malformed_files),
		T(test_size_read_survives_corruption),
		T(test_size_read_checks_header_fields),
		T(test_size_read_refuses_an_elf_header_past_the_end),
		T(test_size_read_overlapping_sections_count_once),
		T(test_size_read_clamps_huge_symbol_sizes),
		T(test_size_read_refuses_a_cut_section_header_table),
		T(test_size_attribute_with_a_map),
		T(test_size_attribute_with_an_unreadable_map),
		T(test_size_attribute_with_dwarf),
		T(test_size_attribute_without_map_or_dwarf),
		T(test_size_attribute_of_an_object),
		T(test_size_attribute_cxx_namespaces_are_not_crates),
		T(test_size_symbol_total),
		T(test_size_normalize_name),
	};

	/* the programs are built once for the whole group */
	return cmocka_run_group_tests(tests, setup, teardown);
}
