/* test_sizeout.c: the size report and the diff as text, Markdown, CSV and JSON,
 * from a real file built by gcc and from hand-built reports. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/mem.h"
#include "elf/diff.h"
#include "elf/size.h"
#include "report/sizeout.h"
#include "testutil.h"

struct fixture {
	struct tu_tmp t;	/* first: see tu_fixture_new */
	char *exe;		/* prog: gcc -g, attributed by DWARF */
	struct size_report r;	/* of exe, attributed */
	struct size_report hand;	/* a hand-built report */
};

static const char prog_c[] =
	"#include <stdio.h>\n"
	"int table[512];\n"
	"int counter = 1;\n"
	"__attribute__((noinline)) int\n"
	"twice(int x)\n"
	"{\n"
	"\treturn x * 2 + table[x & 511];\n"
	"}\n"
	"__attribute__((noinline)) int\n"
	"thrice(int x)\n"
	"{\n"
	"\treturn x * 3 + counter;\n"
	"}\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\t(void)argv;\n"
	"\tprintf(\"%d\\n\", twice(argc) + thrice(argc));\n"
	"\treturn 0;\n"
	"}\n";

/* Add a symbol row to a hand-built report. */
static void
add_symbol(struct size_report *r, const char *name, unsigned long long bytes, const char *comp)
{
	struct size_symbol *s;

	r->symbols = xreallocarray(r->symbols, r->nsymbols + 1, sizeof(*r->symbols));
	s = &r->symbols[r->nsymbols++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->raw = xstrdup(name);
	s->section = xstrdup(".text");
	s->component = xstrdup(comp);
	s->bytes = bytes;
	s->kind = 'T';
}

/* Add a section row to a hand-built report. */
static void
add_section(struct size_report *r, const char *name, unsigned long long bytes,
	    unsigned long long vm)
{
	struct size_section *s;

	r->sections = xreallocarray(r->sections, r->nsections + 1, sizeof(*r->sections));
	s = &r->sections[r->nsections++];
	s->name = xstrdup(name);
	s->bytes = bytes;
	s->vm_bytes = vm;
	s->synthetic = name[0] == '[';
}

/* Add a component row to a hand-built report. */
static void
add_component(struct size_report *r, const char *name, unsigned long long bytes)
{
	r->components = xreallocarray(r->components, r->ncomponents + 1, sizeof(*r->components));
	r->components[r->ncomponents].name = xstrdup(name);
	r->components[r->ncomponents].bytes = bytes;
	r->ncomponents++;
}

/* A report of 1000 bytes: five symbols (600 bytes) in four components. */
static void
hand_report(struct size_report *r)
{
	r->file = xstrdup("app");
	r->bytes = 1000;
	r->attribution = xstrdup("map");
	add_section(r, "[ELF header]", 64, 0);
	add_section(r, ".text", 600, 600);
	add_section(r, ".bss", 0, 200);
	add_section(r, "[padding]", 336, 0);
	add_symbol(r, "f1", 300, "a.o");
	add_symbol(r, "f2", 200, "b.o");
	add_symbol(r, "f3", 50, "a.o");
	add_symbol(r, "f4", 40, "c.o");
	add_symbol(r, "f5", 10, "unattributed");
	add_component(r, "a.o", 350);
	add_component(r, "b.o", 200);
	add_component(r, "c.o", 40);
	add_component(r, "unattributed", 10);
}

#define RUN(f, ...) TU_RUN((f)->t.dir, __VA_ARGS__)

static int
setup(void **state)
{
	struct fixture *f = tu_fixture_new(sizeof(*f));
	char *src = tu_write_file(f->t.dir, "prog.c", prog_c);
	char err[512] = "";

	*state = f;
	free(src);
	f->exe = xasprintf("%s/prog", f->t.dir);
	hand_report(&f->hand);
	if (RUN(f, "gcc", "-g", "-O1", "-o", "prog", "prog.c") < 0) {
		return -1;
	}
	if (size_read(f->exe, &f->r, err, sizeof(err)) < 0 ||
	    size_attribute(&f->r, NULL, err, sizeof(err)) < 0) {
		print_error("%s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	size_report_release(&f->r);
	size_report_release(&f->hand);
	free(f->exe);
	return tu_fixture_free(f);
}

/* The line of text that starts with prefix, or NULL. */
static const char *
find_line(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, prefix, n)) {
			return p;
		}
	}
	return NULL;
}

/* The number of lines of text that start with prefix. */
static size_t
count_lines(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		n += !strncmp(p, prefix, len);
	}
	return n;
}

static void
test_sizeout_text_totals_of_a_real_file(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	struct stat st;
	unsigned long long fb = 0, vb = 0, vm = 0, grand = 0;
	const char *s, *line;
	char *head = xasprintf("%s: ", f->exe);

	assert_int_equal(stat(f->exe, &st), 0);
	sizeout_report(&f->r, "text", 0, &out);
	s = buf_str(&out);
	assert_int_equal(strncmp(s, head, strlen(head)), 0);
	line = find_line(s, "TOTAL ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "TOTAL %llu %llu", &fb, &vb), 2);
	assert_int_equal(fb, (unsigned long long)st.st_size);
	for (size_t i = 0; i < f->r.nsections; i++) {
		vm += f->r.sections[i].vm_bytes;
		assert_non_null(find_line(s, f->r.sections[i].name));
	}
	assert_int_equal(vb, vm);
	line = find_line(s, "GRAND TOTAL ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "GRAND TOTAL %*s %llu", &grand), 1);
	assert_int_equal(grand, size_symbol_total(&f->r));
	tu_assert_contains(s, "components (attributed by dwarf)");
	/* every symbol has its row: no limit */
	assert_null(strstr(s, " more)"));
	assert_non_null(find_line(s, "twice "));
	assert_non_null(find_line(s, "thrice "));
	assert_non_null(find_line(s, "table "));
	free(head);
	buf_release(&out);
}

static void
test_sizeout_text_limit_sums_the_rest(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	unsigned long long bytes = 0, top = 0, grand = 0;
	const char *s, *line;

	sizeout_report(&f->hand, "text", 2, &out);
	s = buf_str(&out);
	assert_non_null(strstr(s, "app: 1000 bytes"));
	tu_assert_contains(s, "5 symbols (largest first; the rest summed)");
	/* two symbols, then the other three in one row */
	assert_non_null(find_line(s, "f1 "));
	assert_non_null(find_line(s, "f2 "));
	assert_null(find_line(s, "f3 "));
	assert_null(find_line(s, "f5 "));
	line = find_line(s, "(3 more) ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "(3 more) %llu", &bytes), 1);
	assert_int_equal(bytes, 50 + 40 + 10);
	assert_int_equal(sscanf(find_line(s, "f1 "), "f1 %llu", &top), 1);
	assert_int_equal(top, 300);
	/* two components, then two more */
	assert_non_null(find_line(s, "a.o "));
	assert_non_null(find_line(s, "b.o "));
	assert_null(find_line(s, "c.o "));
	line = find_line(s, "(2 more) ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "(2 more) %*s %llu", &bytes), 1);
	assert_int_equal(bytes, 40 + 10);
	/* so the totals still hold */
	line = find_line(s, "GRAND TOTAL ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "GRAND TOTAL %*s %llu", &grand), 1);
	assert_int_equal(grand, 600);
	assert_non_null(find_line(s, "TOTAL "));
	assert_int_equal(sscanf(find_line(s, "TOTAL "), "TOTAL %llu", &bytes), 1);
	assert_int_equal(bytes, 1000);
	buf_release(&out);

	/* a limit of 0, or of at least the rows, shows them all */
	for (size_t limit = 0; limit <= 6; limit += 5) {
		sizeout_report(&f->hand, "text", limit, &out);
		s = buf_str(&out);
		tu_assert_contains(s, "5 symbols (largest first)\n");
		assert_null(strstr(s, " more)"));
		assert_non_null(find_line(s, "f5 "));
		assert_non_null(find_line(s, "unattributed "));
		buf_reset(&out);
	}
	buf_release(&out);
}

static void
test_sizeout_text_limit_on_a_real_file(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	unsigned long long more = 0, shown = 0, comp_more = 0, comp_shown = 0;
	const char *s, *line;
	char *want;

	assert_true(f->r.nsymbols > 3);
	sizeout_report(&f->r, "text", 1, &out);
	s = buf_str(&out);
	want = xasprintf("(%zu more) ", f->r.nsymbols - 1);
	line = find_line(s, want);
	assert_non_null(line);
	assert_int_equal(sscanf(line + strlen(want), "%llu", &more), 1);
	line = find_line(s, f->r.symbols[0].name);
	assert_non_null(line);
	assert_int_equal(sscanf(line + strlen(f->r.symbols[0].name), "%llu", &shown), 1);
	assert_int_equal(shown + more, size_symbol_total(&f->r));
	free(want);
	if (f->r.ncomponents > 1) {
		want = xasprintf("(%zu more) ", f->r.ncomponents - 1);
		line = find_line(s, want);
		assert_non_null(line);
		assert_int_equal(sscanf(line + strlen(want), "%*s %llu", &comp_more), 1);
		line = find_line(s, f->r.components[0].name);
		assert_non_null(line);
		assert_int_equal(sscanf(line + strlen(f->r.components[0].name), "%*s %llu",
					&comp_shown),
				 1);
		assert_int_equal(comp_shown + comp_more, size_symbol_total(&f->r));
		free(want);
	}
	buf_release(&out);
}

static void
test_sizeout_md_and_csv(void **state)
{
	struct fixture *f = *state;
	struct size_report h = SIZE_REPORT_INIT;
	struct buf out = BUF_INIT;
	const char *s;

	sizeout_report(&f->hand, "md", 0, &out);
	s = buf_str(&out);
	assert_non_null(find_line(s, "| section "));
	assert_non_null(find_line(s, "| symbol "));
	assert_non_null(find_line(s, "| component "));
	assert_non_null(find_line(s, "| TOTAL "));
	assert_non_null(find_line(s, "| GRAND TOTAL "));
	/* numbers right-aligned */
	tu_assert_contains(s, "-:|");
	assert_int_equal(count_lines(s, "|-"), 3);
	buf_release(&out);

	hand_report(&h);
	add_symbol(&h, "std::pair<int, int>::swap", 1, "x.o");
	sizeout_report(&h, "csv", 0, &out);
	s = buf_str(&out);
	assert_int_equal(strncmp(s, "table,name,bytes,vm_bytes,section,component\n", 44), 0);
	assert_non_null(find_line(s, "section,[ELF header],64,0,,\n"));
	assert_non_null(find_line(s, "section,.bss,0,200,,\n"));
	assert_non_null(find_line(s, "symbol,f1,300,,.text,a.o\n"));
	assert_non_null(find_line(s, "symbol,\"std::pair<int, int>::swap\",1,,.text,x.o\n"));
	assert_non_null(find_line(s, "component,a.o,350,,,\n"));
	assert_int_equal(count_lines(s, "section,"), 4);
	assert_int_equal(count_lines(s, "symbol,"), 6);
	assert_int_equal(count_lines(s, "component,"), 4);
	buf_release(&out);
	size_report_release(&h);
}

/* Fail unless o[key] is a string (or, with want, that string). */
static const char *
json_str(json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v)) {
		fail_msg("'%s' is not a string", key);
	}
	if (want) {
		assert_string_equal(json_string_value(v), want);
	}
	return json_string_value(v);
}

/* Fail unless o[key] is an integer; return it. */
static long long
json_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v)) {
		fail_msg("'%s' is not an integer", key);
	}
	return (long long)json_integer_value(v);
}

/* Parse the JSON text s, which must be an object. */
static json_t *
parse(const char *s)
{
	json_error_t e;
	json_t *o = json_loads(s, 0, &e);

	if (!json_is_object(o)) {
		fail_msg("not a JSON object: %s at line %d: %s", e.text, e.line, s);
	}
	return o;
}

/* o[key], which must be an array of n elements. */
static json_t *
json_arr(json_t *o, const char *key, size_t n)
{
	json_t *a = json_object_get(o, key);

	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), n);
	return a;
}

static void
test_sizeout_json_follows_the_contract(void **state)
{
	struct fixture *f = *state;
	const struct size_report *r = &f->r;
	struct buf out = BUF_INIT;
	struct stat st;
	json_t *o, *a;
	long long sum = 0;

	assert_int_equal(stat(f->exe, &st), 0);
	sizeout_report(r, "json", 0, &out);
	o = parse(buf_str(&out));
	json_str(o, "file", f->exe);
	assert_int_equal(json_int(o, "bytes"), st.st_size);
	json_str(o, "attribution", "dwarf");
	a = json_arr(o, "sections", r->nsections);
	for (size_t i = 0; i < r->nsections; i++) {
		json_t *s = json_array_get(a, i);

		json_str(s, "name", r->sections[i].name);
		assert_int_equal(json_int(s, "bytes"), r->sections[i].bytes);
		assert_int_equal(json_int(s, "vm_bytes"), r->sections[i].vm_bytes);
		sum += json_int(s, "bytes");
	}
	assert_int_equal(sum, st.st_size);
	a = json_arr(o, "symbols", r->nsymbols);
	for (size_t i = 0; i < r->nsymbols; i++) {
		json_t *s = json_array_get(a, i);

		json_str(s, "name", r->symbols[i].name);
		assert_int_equal(json_int(s, "bytes"), r->symbols[i].bytes);
		json_str(s, "section", r->symbols[i].section);
		json_str(s, "component", r->symbols[i].component);
		json_str(s, "raw", r->symbols[i].raw);
		assert_true(json_is_array(json_object_get(s, "aliases")));
	}
	a = json_arr(o, "components", r->ncomponents);
	sum = 0;
	for (size_t i = 0; i < r->ncomponents; i++) {
		json_t *c = json_array_get(a, i);

		json_str(c, "name", r->components[i].name);
		assert_int_equal(json_int(c, "bytes"), r->components[i].bytes);
		sum += json_int(c, "bytes");
	}
	assert_int_equal(json_int(o, "grand_total"), sum);
	assert_int_equal(json_int(o, "grand_total"), size_symbol_total(r));
	json_decref(o);
	buf_release(&out);
}

static void
test_sizeout_json_of_a_hand_built_report(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT;
	json_t *o, *s;

	sizeout_report(&f->hand, "json", 0, &out);
	o = parse(buf_str(&out));
	json_str(o, "file", "app");
	assert_int_equal(json_int(o, "bytes"), 1000);
	assert_int_equal(json_int(o, "grand_total"), 600);
	json_str(o, "attribution", "map");
	s = json_array_get(json_arr(o, "symbols", 5), 0);
	json_str(s, "name", "f1");
	json_str(s, "component", "a.o");
	assert_int_equal(json_array_size(json_object_get(s, "aliases")), 0);
	s = json_array_get(json_arr(o, "sections", 4), 2);
	json_str(s, "name", ".bss");
	assert_int_equal(json_int(s, "bytes"), 0);
	assert_int_equal(json_int(s, "vm_bytes"), 200);
	json_arr(o, "components", 4);
	json_decref(o);
	buf_release(&out);
}

/* A diff of two hand-built reports: 5 changed symbols, 2 sections, 1 component. */
static void
sample_diff(struct diff *d)
{
	struct size_report a = SIZE_REPORT_INIT, b = SIZE_REPORT_INIT;

	a.bytes = 1000;
	b.bytes = 1100;
	add_section(&a, ".text", 600, 600);
	add_section(&b, ".text", 650, 650);
	add_section(&a, ".bss", 0, 100);
	add_section(&b, ".bss", 0, 150);
	add_symbol(&a, "grows", 100, "a.o");
	add_symbol(&b, "grows", 160, "a.o");
	add_symbol(&a, "goes", 40, "a.o");
	add_symbol(&b, "comes", 30, "a.o");
	add_symbol(&a, "shrinks.constprop.0", 20, "a.o");
	add_symbol(&b, "shrinks.constprop.1", 10, "a.o");
	add_symbol(&a, "tiny", 1, "a.o");
	add_symbol(&b, "tiny", 2, "a.o");
	add_symbol(&a, "same", 5, "a.o");
	add_symbol(&b, "same", 5, "a.o");
	add_component(&a, "a.o", 166);
	add_component(&b, "a.o", 207);
	diff_compute(&a, &b, d);
	size_report_release(&a);
	size_report_release(&b);
}

static void
test_sizeout_diff_json(void **state)
{
	struct diff d = DIFF_INIT;
	struct buf out = BUF_INIT;
	json_t *o, *a, *row;
	static const char *const names[] = {"grows", "goes", "comes", "shrinks", "tiny"};
	static const long long olds[] = {100, 40, 0, 20, 1}, news[] = {160, 0, 30, 10, 2};
	static const char *const changes[] = {"grown", "removed", "added", "shrunk", "grown"};

	(void)state;
	sample_diff(&d);
	/* JSON has every row, whatever the limit */
	sizeout_diff(&d, "before", "after", "json", 0, &out);
	o = parse(buf_str(&out));
	json_str(o, "a", "before");
	json_str(o, "b", "after");
	assert_int_equal(json_int(o, "total_delta"), 100);
	assert_int_equal(json_int(o, "old_bytes"), 1000);
	assert_int_equal(json_int(o, "new_bytes"), 1100);
	a = json_arr(o, "symbols", 5);
	for (size_t i = 0; i < 5; i++) {
		row = json_array_get(a, i);
		json_str(row, "name", names[i]);
		assert_int_equal(json_int(row, "old"), olds[i]);
		assert_int_equal(json_int(row, "new"), news[i]);
		assert_int_equal(json_int(row, "delta"), news[i] - olds[i]);
		json_str(row, "change", changes[i]);
	}
	a = json_arr(o, "sections", 2);
	row = json_array_get(a, 0);
	json_str(row, "name", ".bss");
	assert_int_equal(json_int(row, "delta"), 50);
	row = json_array_get(a, 1);
	json_str(row, "name", ".text");
	json_str(row, "change", "grown");
	a = json_arr(o, "components", 1);
	row = json_array_get(a, 0);
	json_str(row, "name", "a.o");
	assert_int_equal(json_int(row, "old"), 166);
	assert_int_equal(json_int(row, "new"), 207);
	assert_int_equal(json_int(row, "delta"), 41);
	json_decref(o);
	buf_release(&out);
	diff_release(&d);

	/* nothing changed: empty arrays */
	memset(&d, 0, sizeof(d));
	sizeout_diff(&d, "x", "x", "json", 0, &out);
	o = parse(buf_str(&out));
	json_arr(o, "symbols", 0);
	json_arr(o, "sections", 0);
	json_arr(o, "components", 0);
	assert_int_equal(json_int(o, "total_delta"), 0);
	json_decref(o);
	buf_release(&out);
}

static void
test_sizeout_diff_text(void **state)
{
	struct diff d = DIFF_INIT;
	struct buf out = BUF_INIT;
	long long before = 0, after = 0, delta = 0;
	const char *s, *line;

	(void)state;
	sample_diff(&d);
	sizeout_diff(&d, "before", "after", "text", 2, &out);
	s = buf_str(&out);
	assert_int_equal(strncmp(s, "before -> after: 1000 -> 1100 bytes, +100 (", 43), 0);
	assert_non_null(find_line(s, "symbol "));
	assert_non_null(find_line(s, "section "));
	assert_non_null(find_line(s, "component "));
	assert_non_null(find_line(s, "grows "));
	assert_non_null(find_line(s, "goes "));
	assert_null(find_line(s, "comes "));
	/* the other three symbols in one row: comes +30, shrinks -10, tiny +1 */
	line = find_line(s, "(3 more) ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "(3 more) %lld %lld %lld", &before, &after, &delta), 3);
	assert_int_equal(before, 21);
	assert_int_equal(after, 42);
	assert_int_equal(delta, 21);
	/* two sections: both shown */
	assert_non_null(find_line(s, ".bss "));
	assert_non_null(find_line(s, ".text "));
	assert_int_equal(count_lines(s, "("), 1);
	line = find_line(s, "grows ");
	assert_int_equal(sscanf(line, "grows %lld %lld %lld", &before, &after, &delta), 3);
	assert_int_equal(before, 100);
	assert_int_equal(after, 160);
	assert_int_equal(delta, 60);
	tu_assert_contains(line, "grown");
	line = find_line(s, "goes ");
	tu_assert_contains(line, "removed");
	buf_release(&out);
	diff_release(&d);
}

static void
test_sizeout_diff_md(void **state)
{
	struct diff d = DIFF_INIT;
	struct buf out = BUF_INIT;
	const char *s;

	(void)state;
	sample_diff(&d);
	sizeout_diff(&d, "before", "after", "md", 0, &out);
	s = buf_str(&out);
	assert_non_null(find_line(s, "| symbol "));
	assert_non_null(find_line(s, "| section "));
	assert_non_null(find_line(s, "| component "));
	assert_non_null(find_line(s, "| grows "));
	assert_int_equal(count_lines(s, "|-"), 3);
	tu_assert_contains(s, "-:|");
	buf_release(&out);
	diff_release(&d);
}

/* `ounce diff -f csv` is one CSV table with a "table" column (it was a prose line
 * and three tables, which no CSV reader takes). */
static void
test_sizeout_diff_csv_is_one_table(void **state)
{
	struct diff d = DIFF_INIT;
	struct buf out = BUF_INIT;
	const char *s;
	size_t fields = 0;

	(void)state;
	sample_diff(&d);
	sizeout_diff(&d, "before", "after", "csv", 0, &out);
	s = buf_str(&out);
	assert_null(strstr(s, "\n\n"));
	assert_null(strstr(s, " -> "));
	/* no name here needs quoting: every line has as many commas as the first */
	for (const char *p = s; *p; p++) {
		fields += *p == ',';
		if (*p == '\n') {
			break;
		}
	}
	for (const char *p = s; *p;) {
		size_t n = 0;

		for (; *p && *p != '\n'; p++) {
			n += *p == ',';
		}
		assert_int_equal(n, fields);
		p += *p == '\n';
	}
	buf_release(&out);
	diff_release(&d);
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sizeout_text_totals_of_a_real_file),
		T(test_sizeout_text_limit_sums_the_rest),
		T(test_sizeout_text_limit_on_a_real_file),
		T(test_sizeout_md_and_csv),
		T(test_sizeout_json_follows_the_contract),
		T(test_sizeout_json_of_a_hand_built_report),
		T(test_sizeout_diff_json),
		T(test_sizeout_diff_text),
		T(test_sizeout_diff_md),
		T(test_sizeout_diff_csv_is_one_table),
	};


	/* the program is built once for the whole group */
	return cmocka_run_group_tests(tests, setup, teardown);
}
