/* test_sstrip.c: sstrip on real ELF files built by the real cc: the section
 * header table goes, the program still runs, and what is not an executable is
 * refused with one line and left as it was. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "elf/measure.h"
#include "elf/sstrip.h"
#include "os/fsutil.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	char *exe;	/* prog: a PIE, not stripped */
	char *obj;	/* prog.o */
	char *lib;	/* libx.so */
};

static const char prog[] =
	"#include <stdio.h>\n"
	"int counter = 42;\n"
	"int\n"
	"main(void)\n"
	"{\n"
	"\tprintf(\"sstripped %d\\n\", counter);\n"
	"\treturn 0;\n"
	"}\n";

#define RUN(f, ...) TU_RUN((f)->t.dir, __VA_ARGS__)

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	char *src = tu_write_file(f->t.dir, "prog.c", prog);
	int rc = 0;

	*state = f;
	f->exe = xasprintf("%s/prog", f->t.dir);
	f->obj = xasprintf("%s/prog.o", f->t.dir);
	f->lib = xasprintf("%s/libx.so", f->t.dir);
	if (RUN(f, "cc", "-O2", "-o", f->exe, src) < 0 ||
	    RUN(f, "cc", "-O2", "-c", "-o", f->obj, src) < 0 ||
	    RUN(f, "cc", "-O2", "-shared", "-fPIC", "-o", f->lib, src) < 0) {
		rc = -1;
	}
	free(src);
	return rc;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->exe);
	free(f->obj);
	free(f->lib);
	return tu_fixture_free(f);
}

/* The ELF header of path, read with libelf. */
static GElf_Ehdr
ehdr_of(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e;
	GElf_Ehdr eh;

	assert_true(fd >= 0);
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_non_null(gelf_getehdr(e, &eh));
	elf_end(e);
	close(fd);
	return eh;
}

/* Names in dir other than the fixture's own files: what sstrip left behind. */
static int
count_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		n += strstr(de->d_name, ".sstrip") != NULL;
	}
	closedir(d);
	return n;
}

static void
test_sstrip_executable_still_runs(void **state)
{
	struct fixture *f = *state;
	char *copy = xasprintf("%s/copy", f->t.dir);
	struct buf out = BUF_INIT;
	struct stat before, after;
	long long was = 0, now = 0;
	GElf_Ehdr eh;

	assert_int_equal(fs_copy_file(f->exe, copy), 0);
	assert_int_equal(stat(copy, &before), 0);
	assert_true(ehdr_of(copy).e_shnum > 0);
	assert_int_equal(sstrip_file(copy, &was, &now), SSTRIP_DONE);
	assert_int_equal(stat(copy, &after), 0);
	eh = ehdr_of(copy);
	assert_int_equal(eh.e_shnum, 0);
	assert_int_equal(eh.e_shoff, 0);
	assert_int_equal(eh.e_shstrndx, SHN_UNDEF);
	assert_int_equal(was, (long long)before.st_size);
	assert_int_equal(now, (long long)after.st_size);
	/* the symbol table, the section names and the header table went */
	assert_true(after.st_size + 1024 < before.st_size);
	assert_int_equal(after.st_mode, before.st_mode);
	assert_int_equal(count_temp_files(f->t.dir), 0);
	assert_int_equal(tu_run(f->t.dir, (const char *const[]){copy, NULL}, &out, 30), 0);
	assert_string_equal(buf_str(&out), "sstripped 42\n");
	buf_release(&out);
	free(copy);
}

static void
test_sstrip_after_strip_keeps_every_segment(void **state)
{
	struct fixture *f = *state;
	char *copy = xasprintf("%s/stripped", f->t.dir);
	struct stat st;
	unsigned long long end = 0;
	int fd;
	Elf *e;
	size_t n;

	assert_int_equal(RUN(f, "strip", "--strip-all", "-o", copy, f->exe), 0);
	assert_int_equal(sstrip_file(copy, NULL, NULL), SSTRIP_DONE);
	/* the file ends exactly where the last segment's bytes do */
	fd = open(copy, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_int_equal(elf_getphdrnum(e, &n), 0);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		assert_non_null(gelf_getphdr(e, (int)i, &ph));
		if (ph.p_offset + ph.p_filesz > end) {
			end = ph.p_offset + ph.p_filesz;
		}
	}
	elf_end(e);
	close(fd);
	assert_int_equal(end, (unsigned long long)st.st_size);
	assert_int_equal(tu_run(f->t.dir, (const char *const[]){copy, NULL}, NULL, 30), 0);
	free(copy);
}

static void
test_sstrip_again_changes_nothing(void **state)
{
	struct fixture *f = *state;
	char *copy = xasprintf("%s/twice", f->t.dir);
	struct stat first, second;
	long long was = 0, now = 0;

	assert_int_equal(fs_copy_file(f->exe, copy), 0);
	assert_int_equal(sstrip_file(copy, NULL, NULL), SSTRIP_DONE);
	assert_int_equal(stat(copy, &first), 0);
	assert_int_equal(sstrip_file(copy, &was, &now), SSTRIP_DONE);
	assert_int_equal(stat(copy, &second), 0);
	assert_int_equal(was, now);
	assert_int_equal(first.st_size, second.st_size);
	/* not rewritten: the same file */
	assert_int_equal(first.st_ino, second.st_ino);
	free(copy);
}

static void
test_sstrip_shared_library(void **state)
{
	struct fixture *f = *state;
	char *copy = xasprintf("%s/liby.so", f->t.dir);
	long long was = 0, now = 0;

	assert_int_equal(fs_copy_file(f->lib, copy), 0);
	assert_int_equal(sstrip_file(copy, &was, &now), SSTRIP_DONE);
	assert_true(now < was);
	assert_int_equal(ehdr_of(copy).e_shnum, 0);
	free(copy);
}

/* ounce measures a cell sstrip made: the file's bytes, and no sections, no error */
static void
test_sstrip_result_can_be_measured(void **state)
{
	struct fixture *f = *state;
	char *copy = xasprintf("%s/measured", f->t.dir);
	struct measure m = MEASURE_INIT;
	char err[256] = "";
	long long now = 0;

	assert_int_equal(fs_copy_file(f->exe, copy), 0);
	assert_int_equal(sstrip_file(copy, NULL, &now), SSTRIP_DONE);
	assert_int_equal(measure_elf(copy, &m, err, sizeof(err)), 0);
	assert_int_equal(m.bytes, now);
	assert_int_equal(m.nsections, 0);
	/* flash and RAM from the loadable segments, not zero */
	assert_true(m.no_sections);
	assert_true(m.flash > 0 && m.flash <= (unsigned long long)now);
	assert_true(m.ram > 0);
	assert_true(measure_is_executable(copy));
	measure_release(&m);
	free(copy);
}

/* sstrip_file on path must refuse it with one error line containing want, and
 * leave it as it was. */
static void
assert_refused(struct fixture *f, const char *path, const char *want)
{
	struct stat before, after;
	struct buf old = BUF_INIT, now = BUF_INIT;
	bool regular = stat(path, &before) == 0 && S_ISREG(before.st_mode);
	char *msg;

	if (regular) {
		assert_int_equal(fs_read_file(path, &old), 0);
	}
	tu_capture_begin(&f->t);
	assert_int_equal(sstrip_file(path, NULL, NULL), SSTRIP_BAD_FILE);
	msg = tu_capture_end(&f->t);
	tu_assert_contains(msg, want);
	tu_assert_contains(msg, "error: ");
	/* one line */
	assert_true(strlen(msg) > 0);
	assert_ptr_equal(strchr(msg, '\n'), msg + strlen(msg) - 1);
	if (regular) {
		assert_int_equal(stat(path, &after), 0);
		assert_int_equal(after.st_ino, before.st_ino);
		assert_int_equal(fs_read_file(path, &now), 0);
		assert_int_equal(now.len, old.len);
		assert_memory_equal(buf_str(&now), buf_str(&old), old.len);
	}
	assert_int_equal(count_temp_files(f->t.dir), 0);
	buf_release(&old);
	buf_release(&now);
	free(msg);
}

static void
test_sstrip_refuses_what_it_cannot_strip(void **state)
{
	struct fixture *f = *state;
	char *text = tu_write_file(f->t.dir, "notes.txt", "not an ELF file at all\n");
	char *empty = tu_write_file(f->t.dir, "empty", "");
	char *missing = xasprintf("%s/missing", f->t.dir);
	char *cut = xasprintf("%s/cut", f->t.dir);
	char *fifo = xasprintf("%s/fifo", f->t.dir);
	struct buf b = BUF_INIT;

	assert_refused(f, f->obj, "an object file");
	assert_refused(f, text, "not an ELF file");
	assert_refused(f, empty, "it is empty");
	assert_refused(f, missing, "cannot open");
	assert_refused(f, f->t.dir, "not a regular file");
	/* refused, not waited on for a writer */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_refused(f, fifo, "not a regular file");
	assert_int_equal(unlink(fifo), 0);
	/* the headers are there, the segments they describe are not */
	assert_int_equal(fs_read_file(f->exe, &b), 0);
	assert_int_equal(fs_write_file(cut, b.s, 2048), 0);
	assert_refused(f, cut, "truncated");
	buf_release(&b);
	free(text);
	free(empty);
	free(missing);
	free(cut);
	free(fifo);
}

/* An ELF file with no program headers (a hand-made header, type ET_EXEC) */
static void
test_sstrip_refuses_no_program_headers(void **state)
{
	struct fixture *f = *state;
	Elf64_Ehdr eh;
	char *path = xasprintf("%s/nophdr", f->t.dir);

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	assert_int_equal(fs_write_file(path, (const char *)&eh, sizeof(eh)), 0);
	assert_refused(f, path, "no program headers");
	free(path);
}

/* The image function alone: the header is patched in the file's byte order,
 * nothing else changes, and a refused image is left untouched. */
static void
test_sstrip_image_patches_only_the_header(void **state)
{
	struct fixture *f = *state;
	struct buf b = BUF_INIT;
	unsigned char *orig;
	size_t keep = 0;
	char err[256] = "";

	assert_int_equal(fs_read_file(f->exe, &b), 0);
	orig = xmalloc(b.len);
	memcpy(orig, b.s, b.len);
	assert_int_equal(sstrip_image((unsigned char *)b.s, b.len, &keep, err, sizeof(err)), 0);
	assert_true(keep > sizeof(Elf64_Ehdr) && keep < b.len);
	/* past the ELF header, the kept bytes are the original ones */
	assert_memory_equal(b.s + sizeof(Elf64_Ehdr), orig + sizeof(Elf64_Ehdr),
			    keep - sizeof(Elf64_Ehdr));
	/* in the header, only e_shoff, e_shnum and e_shstrndx moved */
	assert_memory_equal(b.s, orig, offsetof(Elf64_Ehdr, e_shoff));
	assert_memory_equal(b.s + offsetof(Elf64_Ehdr, e_flags), orig + offsetof(Elf64_Ehdr, e_flags),
			    offsetof(Elf64_Ehdr, e_shnum) - offsetof(Elf64_Ehdr, e_flags));
	free(orig);
	buf_release(&b);

	assert_int_equal(fs_read_file(f->obj, &b), 0);
	orig = xmalloc(b.len);
	memcpy(orig, b.s, b.len);
	assert_int_equal(sstrip_image((unsigned char *)b.s, b.len, &keep, err, sizeof(err)), -1);
	assert_memory_equal(b.s, orig, b.len);
	tu_assert_contains(err, "object file");
	free(orig);
	buf_release(&b);
}

/* Write the n bytes of the in-memory structure at from into to, in class cls and
 * byte order enc. */
static void
put(void *to, void *from, size_t n, Elf_Type type, int cls, unsigned char enc)
{
	Elf_Data src = {0}, dst = {0};

	src.d_version = dst.d_version = EV_CURRENT;
	src.d_type = type;
	src.d_buf = from;
	src.d_size = n;
	dst.d_buf = to;
	dst.d_size = n;
	if (cls == ELFCLASS64) {
		assert_non_null(elf64_xlatetof(&dst, &src, enc));
	} else {
		assert_non_null(elf32_xlatetof(&dst, &src, enc));
	}
}

/* A hand-made image of class cls and byte order enc: ELF header, one PT_LOAD
 * program header covering them and 16 bytes more, then 100 bytes no segment
 * holds, and a section header table of one SHT_NULL entry. Returns its length
 * in *len and the bytes the load segment covers in *keep; the caller frees it. */
static unsigned char *
make_image(int cls, unsigned char enc, size_t *len, size_t *keep)
{
	bool is64 = cls == ELFCLASS64;
	size_t eh = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t ph = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t sh = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	size_t shoff = eh + ph + 16 + 100;
	unsigned char *img;
	Elf64_Ehdr e64;
	Elf64_Phdr p64;
	Elf32_Ehdr e32;
	Elf32_Phdr p32;

	*keep = eh + ph + 16;
	*len = shoff + sh;
	img = xcalloc(1, *len);
	memset(img + *keep, 0xab, 100);
	memset(&e64, 0, sizeof(e64));
	memcpy(e64.e_ident, ELFMAG, SELFMAG);
	e64.e_ident[EI_CLASS] = (unsigned char)cls;
	e64.e_ident[EI_DATA] = enc;
	e64.e_ident[EI_VERSION] = EV_CURRENT;
	e64.e_type = ET_EXEC;
	e64.e_machine = is64 ? EM_AARCH64 : EM_ARM;
	e64.e_version = EV_CURRENT;
	e64.e_entry = 0x1234;
	e64.e_phoff = eh;
	e64.e_shoff = shoff;
	e64.e_flags = 0x5000000;
	e64.e_ehsize = (Elf64_Half)eh;
	e64.e_phentsize = (Elf64_Half)ph;
	e64.e_phnum = 1;
	e64.e_shentsize = (Elf64_Half)sh;
	e64.e_shnum = 1;
	memset(&p64, 0, sizeof(p64));
	p64.p_type = PT_LOAD;
	p64.p_flags = PF_R | PF_X;
	p64.p_filesz = p64.p_memsz = *keep;
	p64.p_align = 4096;
	if (is64) {
		put(img, &e64, eh, ELF_T_EHDR, cls, enc);
		put(img + eh, &p64, ph, ELF_T_PHDR, cls, enc);
		return img;
	}
	memcpy(e32.e_ident, e64.e_ident, EI_NIDENT);
	e32.e_type = e64.e_type;
	e32.e_machine = e64.e_machine;
	e32.e_version = EV_CURRENT;
	e32.e_entry = 0x1234;
	e32.e_phoff = (Elf32_Off)eh;
	e32.e_shoff = (Elf32_Off)shoff;
	e32.e_flags = e64.e_flags;
	e32.e_ehsize = (Elf32_Half)eh;
	e32.e_phentsize = (Elf32_Half)ph;
	e32.e_phnum = 1;
	e32.e_shentsize = (Elf32_Half)sh;
	e32.e_shnum = 1;
	e32.e_shstrndx = 0;
	memset(&p32, 0, sizeof(p32));
	p32.p_type = PT_LOAD;
	p32.p_flags = PF_R | PF_X;
	p32.p_filesz = p32.p_memsz = (Elf32_Word)*keep;
	p32.p_align = 4096;
	put(img, &e32, eh, ELF_T_EHDR, cls, enc);
	put(img + eh, &p32, ph, ELF_T_PHDR, cls, enc);
	return img;
}

/* Both classes in both byte orders: the header is rewritten in the file's own
 * encoding (libelf reads back what was there, less the section table). */
static void
test_sstrip_image_any_class_and_byte_order(void **state)
{
	static const int classes[] = {ELFCLASS32, ELFCLASS64};
	static const unsigned char orders[] = {ELFDATA2LSB, ELFDATA2MSB};

	(void)state;
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	for (size_t c = 0; c < 2; c++) {
		for (size_t o = 0; o < 2; o++) {
			size_t len, keep, got = 0;
			unsigned char *img = make_image(classes[c], orders[o], &len, &keep);
			char err[256] = "";
			GElf_Ehdr eh;
			GElf_Phdr ph;
			size_t n;
			Elf *e;

			e = elf_memory((char *)img, len);
			assert_non_null(e);
			assert_non_null(gelf_getehdr(e, &eh));
			assert_int_equal(eh.e_shnum, 1);
			elf_end(e);
			assert_int_equal(sstrip_image(img, len, &got, err, sizeof(err)), 0);
			assert_int_equal(got, keep);
			e = elf_memory((char *)img, got);
			assert_non_null(e);
			assert_non_null(gelf_getehdr(e, &eh));
			assert_int_equal(gelf_getclass(e), classes[c]);
			assert_int_equal(eh.e_ident[EI_DATA], orders[o]);
			assert_int_equal(eh.e_shoff, 0);
			assert_int_equal(eh.e_shnum, 0);
			assert_int_equal(eh.e_shstrndx, SHN_UNDEF);
			assert_int_equal(eh.e_machine, classes[c] == ELFCLASS64 ? EM_AARCH64 : EM_ARM);
			assert_int_equal(eh.e_entry, 0x1234);
			assert_int_equal(eh.e_flags, 0x5000000);
			assert_int_equal(elf_getphdrnum(e, &n), 0);
			assert_int_equal(n, 1);
			assert_non_null(gelf_getphdr(e, 0, &ph));
			assert_int_equal(ph.p_filesz, keep);
			assert_int_equal(elf_getshdrnum(e, &n), 0);
			assert_int_equal(n, 0);
			elf_end(e);
			free(img);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sstrip_executable_still_runs),
		cmocka_unit_test(test_sstrip_after_strip_keeps_every_segment),
		cmocka_unit_test(test_sstrip_again_changes_nothing),
		cmocka_unit_test(test_sstrip_shared_library),
		cmocka_unit_test(test_sstrip_result_can_be_measured),
		cmocka_unit_test(test_sstrip_refuses_what_it_cannot_strip),
		cmocka_unit_test(test_sstrip_refuses_no_program_headers),
		cmocka_unit_test(test_sstrip_image_patches_only_the_header),
		cmocka_unit_test(test_sstrip_image_any_class_and_byte_order),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
