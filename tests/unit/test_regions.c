/* test_regions.c: memory regions read from a GNU ld map's Memory Configuration and
 * from a linker script's MEMORY (every spelling ld takes, and what is refused, with
 * FILE:LINE), and the sections of a program linked by the real gcc and GNU ld with
 * such a script placed in them: by run address, by load address for .data's
 * initial values, and outside every region. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "elf/regions.h"
#include "elf/size.h"
#include "report/sizeout.h"
#include "testutil.h"

static const char gnu_map[] =
	"Archive member included to satisfy reference by file (symbol)\n"
	"\n"
	"Memory Configuration\n"
	"\n"
	"Name             Origin             Length             Attributes\n"
	"FLASH            0x00000000         0x00040000         xr\n"
	"RAM              0x20000000         0x00010000         xrw\n"
	"a_region_with_a_long_name 0x60000000 0x00000100\n"
	"*default*        0x00000000         0xffffffff\n"
	"\n"
	"Linker script and memory map\n"
	"\n"
	".text           0x00000000       0x80\n"
	" .text          0x00000000       0x80 main.o\n";

/* The map of a Linux program: only the catch-all region. */
static const char linux_map[] =
	"Memory Configuration\n"
	"\n"
	"Name             Origin             Length             Attributes\n"
	"*default*        0x0000000000000000 0xffffffffffffffff\n"
	"\n"
	"Linker script and memory map\n"
	"\n"
	".text           0x0000000000001040      0x170\n";

static const char lld_map[] =
	"             VMA              LMA     Size Align Out     In      Symbol\n"
	"          200000           200000      100     1 .text\n";

/* regions_from_map or regions_from_script (script true) of text written to name
 * must fail with "DIR/NAME:LINE: error: MSG" somewhere in stderr. */
static void
fails(struct tu_tmp *t, const char *name, const char *text, bool script, int line,
      const char *msg)
{
	char *path = tu_write_file(t->dir, name, text);
	struct regions rs = REGIONS_INIT;
	char *err, *want;

	tu_capture_begin(t);
	assert_int_equal(script ? regions_from_script(&rs, path) : regions_from_map(&rs, path), -1);
	err = tu_capture_end(t);
	want = xasprintf("%s:%d: error: %s", path, line, msg);
	tu_assert_contains(err, want);
	free(want);
	free(err);
	free(path);
	regions_release(&rs);
}

static void
test_regions_map(void **state)
{
	struct tu_tmp *t = *state;
	char *path = tu_write_file(t->dir, "fw.map", gnu_map);
	struct regions rs = REGIONS_INIT;

	assert_int_equal(regions_from_map(&rs, path), 0);
	assert_string_equal(rs.source, path);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.v[0].name, "FLASH");
	assert_int_equal(rs.v[0].origin, 0);
	assert_int_equal(rs.v[0].length, 256 * 1024);
	assert_string_equal(rs.v[0].attrs, "xr");
	assert_int_equal(rs.v[0].line, 6);
	assert_string_equal(rs.v[1].name, "RAM");
	assert_int_equal(rs.v[1].origin, 0x20000000);
	assert_int_equal(rs.v[1].length, 64 * 1024);
	assert_string_equal(rs.v[1].attrs, "xrw");
	assert_string_equal(rs.v[2].name, "a_region_with_a_long_name");
	assert_int_equal(rs.v[2].origin, 0x60000000);
	assert_string_equal(rs.v[2].attrs, "");
	/* read again: the first read is replaced */
	assert_int_equal(regions_read(&rs, path, NULL), 0);
	assert_int_equal(rs.n, 3);
	regions_release(&rs);
	assert_null(rs.v);
	free(path);
}

static void
test_regions_map_without_regions(void **state)
{
	struct tu_tmp *t = *state;
	char *lin = tu_write_file(t->dir, "linux.map", linux_map);
	char *lld = tu_write_file(t->dir, "lld.map", lld_map);
	struct regions rs = REGIONS_INIT;

	assert_int_equal(regions_from_map(&rs, lin), 0);
	assert_int_equal(rs.n, 0);
	assert_int_equal(regions_from_map(&rs, lld), 0);
	assert_int_equal(rs.n, 0);
	assert_int_equal(regions_read(&rs, NULL, NULL), 0);
	assert_int_equal(rs.n, 0);
	regions_release(&rs);
	free(lin);
	free(lld);
}

static void
test_regions_map_bad(void **state)
{
	struct tu_tmp *t = *state;
	struct regions rs = REGIONS_INIT;
	char *notes = tu_write_file(t->dir, "notes.txt", "not a map\n");

	fails(t, "bad.map",
	      "Memory Configuration\n"
	      "\n"
	      "Name             Origin             Length             Attributes\n"
	      "FLASH            0x00000000         0x00040000         xr\n"
	      "RAM              0x2000zz00         0x00010000         xrw\n"
	      "\n"
	      "Linker script and memory map\n",
	      false, 5, "malformed memory region 'RAM              0x2000zz00");
	fails(t, "twice.map",
	      "Memory Configuration\n"
	      "\n"
	      "FLASH            0x00000000         0x00040000         xr\n"
	      "FLASH            0x10000000         0x00040000         xr\n"
	      "\n"
	      "Linker script and memory map\n",
	      false, 4, "region 'FLASH' is declared twice (line 3)");
	tu_capture_begin(t);
	assert_int_equal(regions_from_map(&rs, notes), -1);
	free(tu_capture_end(t));
	regions_release(&rs);
	free(notes);
}

static void
test_regions_script(void **state)
{
	struct tu_tmp *t = *state;
	char *path = tu_write_file(t->dir, "fw.ld",
				   "/* a MEMORY as vendors write them */\n"
				   "ENTRY(Reset_Handler)\n"
				   "_Min_Stack_Size = 0x400; /* MEMORY { in a comment } */\n"
				   "MEMORY\n"
				   "{\n"
				   "  FLASH (rx)      : ORIGIN = 0x08000000, LENGTH = 512K\n"
				   "  RAM (xrw)       : org = 0x20000000, len = 128k\n"
				   "  CCM(rw!x):o=ORIGIN(RAM)+LENGTH(RAM),l=64K-1K\n"
				   "  BKP : ORIGIN = 0x40024000 LENGTH = (4 * 1024) / 2,\n"
				   "  QSPI : ORIGIN = 2684354560, LENGTH = 16M\n"
				   "}\n"
				   "SECTIONS\n"
				   "{\n"
				   "  .text : { *(.text*) } > FLASH\n"
				   "  /DISCARD/ : { *(.comment) }\n"
				   "}\n"
				   "MEMORY { EXTRA : ORIGIN = 0x90000000, LENGTH = 0x100 }\n");
	struct regions rs = REGIONS_INIT;

	assert_int_equal(regions_from_script(&rs, path), 0);
	assert_int_equal(rs.n, 6);
	assert_string_equal(rs.v[0].name, "FLASH");
	assert_int_equal(rs.v[0].origin, 0x08000000);
	assert_int_equal(rs.v[0].length, 512 * 1024);
	assert_string_equal(rs.v[0].attrs, "rx");
	assert_int_equal(rs.v[0].line, 6);
	assert_string_equal(rs.v[1].name, "RAM");
	assert_int_equal(rs.v[1].length, 128 * 1024);
	assert_string_equal(rs.v[1].attrs, "xrw");
	assert_string_equal(rs.v[2].name, "CCM");
	assert_int_equal(rs.v[2].origin, 0x20000000 + 128 * 1024);
	assert_int_equal(rs.v[2].length, 63 * 1024);
	assert_string_equal(rs.v[2].attrs, "rw!x");
	assert_string_equal(rs.v[3].name, "BKP");
	assert_int_equal(rs.v[3].length, 2048);
	assert_string_equal(rs.v[3].attrs, "");
	assert_int_equal(rs.v[4].origin, 0xA0000000ULL);
	assert_int_equal(rs.v[4].length, 16 * 1024 * 1024);
	assert_string_equal(rs.v[5].name, "EXTRA");
	assert_int_equal(rs.v[5].line, 17);
	regions_release(&rs);
	free(path);

	/* a script without MEMORY has no regions */
	path = tu_write_file(t->dir, "plain.ld", "SECTIONS { .text : { *(.text) } }\n");
	assert_int_equal(regions_read(&rs, "ignored.map", path), 0);
	assert_int_equal(rs.n, 0);
	regions_release(&rs);
	free(path);
}

static void
test_regions_script_bad(void **state)
{
	struct tu_tmp *t = *state;

	fails(t, "sym.ld",
	      "MEMORY\n{\n  FLASH (rx) : ORIGIN = 0, LENGTH = __flash_size\n}\n", true, 3,
	      "cannot evaluate '__flash_size' in MEMORY");
	fails(t, "colon.ld", "MEMORY\n{\n  FLASH (rx) ORIGIN = 0, LENGTH = 1K\n}\n", true, 3,
	      "expected ':' after region 'FLASH', not 'ORIGIN'");
	fails(t, "key.ld", "MEMORY {\n FLASH : START = 0, LENGTH = 1K\n}\n", true, 2,
	      "expected ORIGIN = ... for region 'FLASH', not 'START'");
	fails(t, "num.ld", "MEMORY {\n\n FLASH : ORIGIN = 0x10zz, LENGTH = 1K\n}\n", true, 3,
	      "'0x10zz' is not a number ounce reads");
	fails(t, "unit.ld", "MEMORY {\n FLASH : ORIGIN = 0, LENGTH = 1G\n}\n", true, 2,
	      "'1G' is not a number ounce reads");
	fails(t, "twice.ld",
	      "MEMORY {\n RAM : ORIGIN = 0, LENGTH = 1K\n RAM : ORIGIN = 4K, LENGTH = 1K\n}\n", true,
	      3, "region 'RAM' is declared twice (line 2)");
	fails(t, "above.ld", "MEMORY {\n CCM : ORIGIN = ORIGIN(RAM), LENGTH = 1K\n}\n", true, 2,
	      "no region 'RAM' above in MEMORY");
	fails(t, "incl.ld", "MEMORY\n{\n INCLUDE regions.ld\n}\n", true, 3,
	      "INCLUDE in MEMORY is not followed");
	fails(t, "open.ld", "MEMORY\n{\n FLASH : ORIGIN = 0, LENGTH = 1K\n", true, 4,
	      "expected a region name or '}' in MEMORY, not the end of the file");
	fails(t, "comment.ld", "SECTIONS {}\n/* never\nclosed\n", true, 2, "unterminated comment");
	fails(t, "minus.ld", "MEMORY {\n A : ORIGIN = 1K - 2K, LENGTH = 1\n}\n", true, 2,
	      "the difference is out of range");
	fails(t, "div.ld", "MEMORY {\n A : ORIGIN = 0, LENGTH = 1K / (2 - 2)\n}\n", true, 2,
	      "division by zero");
}

/* A program linked by gcc and GNU ld with a MEMORY of two regions: .text in FLASH,
 * .data in RAM with its initial values in FLASH (AT > FLASH), .bss in RAM, and
 * .extra at an address no region holds. */
static void
test_regions_place(void **state)
{
	struct tu_tmp *t = *state;
	char *src = tu_write_file(t->dir, "p.c",
				  "unsigned int table[64] = {1, 2, 3};\n"
				  "unsigned char scratch[1024];\n"
				  "__attribute__((section(\".extra\"), used)) unsigned int extra = 7;\n"
				  "void\n"
				  "_start(void)\n"
				  "{\n"
				  "\tfor (;;) {\n"
				  "\t\tscratch[table[1]]++;\n"
				  "\t}\n"
				  "}\n");
	char *ld = tu_write_file(t->dir, "p.ld",
				 "MEMORY\n"
				 "{\n"
				 "\tFLASH (rx) : ORIGIN = 0x100000, LENGTH = 256K\n"
				 "\tRAM (rwx) : ORIGIN = 0x20000000, LENGTH = 64K\n"
				 "}\n"
				 "SECTIONS\n"
				 "{\n"
				 "\t.text : { *(.text*) *(.rodata*) } > FLASH\n"
				 "\t.data : { *(.data*) } > RAM AT > FLASH\n"
				 "\t.bss (NOLOAD) : { *(.bss*) *(COMMON) } > RAM\n"
				 "\t.extra 0x60000000 : { KEEP(*(.extra)) }\n"
				 "\t/DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }\n"
				 "}\n");
	char *prog = xasprintf("%s/p", t->dir), *map = xasprintf("%s/p.map", t->dir);
	char *mapopt = xasprintf("-Wl,-Map=%s", map);
	struct regions rs = REGIONS_INIT;
	const struct region *flash, *ram;
	unsigned long long sum = 0;
	char *err;

	assert_int_equal(TU_RUN(t->dir, "gcc", "-O1", "-nostdlib", "-static", "-no-pie", "-fno-pic",
				"-ffreestanding", "-fno-asynchronous-unwind-tables",
				"-Wl,--build-id=none", "-T", ld, mapopt, "-o", prog, src),
			 0);
	for (int from_map = 0; from_map < 2; from_map++) {
		assert_int_equal(regions_read(&rs, map, from_map ? NULL : ld), 0);
		assert_int_equal(rs.n, 2);
		assert_int_equal(regions_place(&rs, prog), 0);
		flash = &rs.v[0];
		ram = &rs.v[1];
		assert_string_equal(flash->name, "FLASH");
		/* RAM: .data (256) and .bss (1024), by their run addresses */
		assert_int_equal(ram->used, 256 + 1024);
		assert_int_equal(ram->nsections, 2);
		assert_string_equal(ram->sections[0].name, ".data");
		assert_int_equal(ram->sections[0].addr, 0x20000000);
		assert_false(ram->sections[0].load_image);
		assert_string_equal(ram->sections[1].name, ".bss");
		assert_true(ram->sections[1].nobits);
		assert_int_equal(ram->sections[1].bytes, 1024);
		/* FLASH: .text, then .data's initial values right after it */
		assert_int_equal(flash->nsections, 2);
		assert_string_equal(flash->sections[0].name, ".text");
		assert_int_equal(flash->sections[0].addr, 0x100000);
		assert_string_equal(flash->sections[1].name, ".data");
		assert_true(flash->sections[1].load_image);
		assert_int_equal(flash->sections[1].vma, 0x20000000);
		assert_int_equal(flash->sections[1].addr,
				 0x100000 + flash->sections[0].bytes);
		assert_int_equal(flash->sections[1].bytes, 256);
		sum = flash->sections[0].bytes + flash->sections[1].bytes;
		assert_int_equal(flash->used, sum);
		assert_true(regions_percent(ram) > 1.95 && regions_percent(ram) < 1.96);
		/* .extra is in no region */
		assert_int_equal(rs.noutside, 1);
		assert_string_equal(rs.outside[0].name, ".extra");
		assert_int_equal(rs.outside[0].addr, 0x60000000);
		assert_int_equal(rs.outside[0].bytes, 4);
		/* placing again replaces the placement */
		assert_int_equal(regions_place(&rs, prog), 0);
		assert_int_equal(ram->used, 256 + 1024);
		assert_int_equal(rs.noutside, 1);
	}
	/* not an ELF file */
	tu_capture_begin(t);
	assert_int_equal(regions_place(&rs, ld), -1);
	err = tu_capture_end(t);
	tu_assert_contains(err, "is not an ELF file");
	free(err);
	regions_release(&rs);
	free(src);
	free(ld);
	free(prog);
	free(map);
	free(mapopt);
}

static void
add_hand_section(struct region_section **v, size_t *n, const char *name,
		 unsigned long long addr, unsigned long long bytes, bool image)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n] = (struct region_section){xstrdup(name), addr, bytes, image ? 0x20000000 : addr,
					   image, false};
	(*n)++;
}

/* How `ounce size` prints regions: a region over its length (free below 0, more
 * than 100%), a load image in no region; CSV rows keep the table's ten columns and
 * JSON has the documented keys. */
static void
test_regions_printed(void **state)
{
	struct regions rs = REGIONS_INIT;
	struct size_report r = SIZE_REPORT_INIT;
	struct buf out = BUF_INIT;
	json_t *j;

	(void)state;
	r.file = xstrdup("fw.elf");
	r.attribution = xstrdup("none");
	rs.source = xstrdup("fw.ld");
	rs.v = xcalloc(1, sizeof(*rs.v));
	rs.n = 1;
	rs.v[0].name = xstrdup("TINY");
	rs.v[0].attrs = xstrdup("rx");
	rs.v[0].origin = 0x1000;
	rs.v[0].length = 100;
	rs.v[0].used = 150;
	add_hand_section(&rs.v[0].sections, &rs.v[0].nsections, ".text", 0x1000, 150, false);
	add_hand_section(&rs.outside, &rs.noutside, ".data", 0x9000, 8, true);

	sizeout_report_regions(&r, &rs, "text", 0, &out);
	tu_assert_contains(buf_str(&out), "memory regions (from fw.ld)");
	tu_assert_contains(buf_str(&out), "TINY     150   100  150.00%   -50  0x00001000  rx");
	tu_assert_contains(buf_str(&out), "TINY    .text    0x00001000    150");
	tu_assert_contains(buf_str(&out), "-       .data    0x00009000      8  outside every region: "
					  "load image of .data (runs at 0x20000000)");
	buf_reset(&out);
	sizeout_report_regions(&r, &rs, "csv", 0, &out);
	tu_assert_contains(buf_str(&out), "table,name,bytes,vm_bytes,section,component,region,"
					  "address,length,note\n");
	tu_assert_contains(buf_str(&out), "region,TINY,150,,,,TINY,0x00001000,100,rx\n");
	tu_assert_contains(buf_str(&out), "region section,.text,150,,.text,,TINY,0x00001000,,\n");
	buf_reset(&out);
	sizeout_report_regions(&r, &rs, "json", 0, &out);
	j = json_loads(buf_str(&out), 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "regions_from")), "fw.ld");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(j, "regions"), 0), "used")),
			 150);
	assert_true(json_is_true(json_object_get(
		json_array_get(json_object_get(j, "outside_regions"), 0), "load_image")));
	json_decref(j);
	/* no regions: the report as it was */
	buf_reset(&out);
	rs.n = 0;
	sizeout_report_regions(&r, &rs, "json", 0, &out);
	assert_null(strstr(buf_str(&out), "regions"));
	rs.n = 1;
	buf_release(&out);
	regions_release(&rs);
	size_report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_regions_map, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_regions_map_without_regions, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_regions_map_bad, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_regions_script, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_regions_script_bad, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_regions_place, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test(test_regions_printed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
