/* component.c: the parts a linked program is made of, as address ranges: input
 * files from the map files of GNU ld and lld, source files from DWARF compile
 * units (libdw), and crates from demangled Rust names. Whatever the source, the
 * ranges are sorted and made disjoint once, so a lookup is a binary search. */
#include "elf/component.h"

#include <ctype.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mem.h"
#include "elf/elffile.h"
#include "base/banned.h"

/* Ranges being collected, with room to grow. */
struct builder {
	struct component_range *v;
	size_t n, cap;
};

/* Add [start, start + size) named by the first len bytes of name. Empty ranges
 * are dropped; a range that continues the previous one under the same name
 * extends it, which keeps maps of -ffunction-sections builds small. */
static void
add_range(struct builder *b, unsigned long long start, unsigned long long size,
	  const char *name, size_t len)
{
	unsigned long long end = start + size;
	struct component_range *last = b->n ? &b->v[b->n - 1] : NULL;

	if (!size) {
		return;
	}
	if (end < start) {
		end = ~0ULL;
	}
	if (last && last->end == start && strlen(last->name) == len &&
	    !memcmp(last->name, name, len)) {
		last->end = end;
		return;
	}
	b->v = xgrowarray(b->v, &b->cap, b->n + 1, sizeof(*b->v));
	b->v[b->n].start = start;
	b->v[b->n].end = end;
	b->v[b->n].name = xstrndup(name, len);
	b->n++;
}

static void
builder_release(struct builder *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].name);
	}
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

/* By start; at one start the longer range first, then by name, so the order and
 * the trimming below do not depend on qsort. */
static int
cmp_range(const void *a, const void *b)
{
	const struct component_range *x = a, *y = b;

	if (x->start != y->start) {
		return x->start < y->start ? -1 : 1;
	}
	if (x->end != y->end) {
		return x->end > y->end ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

/* Move the ranges of b and those already in m into m, sorted and disjoint: where
 * two overlap, the one that starts first keeps the bytes they share. */
static void
builder_finish(struct builder *b, struct component_map *m)
{
	size_t out = 0;

	for (size_t i = 0; i < m->n; i++) {
		add_range(b, m->v[i].start, m->v[i].end - m->v[i].start, m->v[i].name,
			  strlen(m->v[i].name));
	}
	component_map_release(m);
	if (b->n > 1) {
		qsort(b->v, b->n, sizeof(*b->v), cmp_range);
	}
	/* v[out - 1].end is the highest end so far, so one comparison finds overlaps */
	for (size_t i = 0; i < b->n; i++) {
		struct component_range r = b->v[i];
		struct component_range *prev = out ? &b->v[out - 1] : NULL;

		if (prev && r.start < prev->end) {
			r.start = prev->end;
		}
		if (r.start >= r.end) {
			free(r.name);
			continue;
		}
		if (prev && prev->end == r.start && !strcmp(prev->name, r.name)) {
			prev->end = r.end;
			free(r.name);
			continue;
		}
		b->v[out++] = r;
	}
	if (out) {
		m->v = xreallocarray(b->v, out, sizeof(*b->v));
	} else {
		free(b->v);
	}
	m->n = out;
	b->v = NULL;
	b->n = b->cap = 0;
}

/* A word of a line and the column it starts at. */
struct tok {
	const char *s;
	size_t len, col;
};

/* Split line on blanks into at most max words; the last one runs to the end of
 * the line (trailing blanks cut), so it can hold a path with spaces. */
static size_t
split(const char *line, struct tok *t, size_t max)
{
	const char *p = line;
	size_t n = 0;

	while (n < max) {
		p += strspn(p, " \t");
		if (!*p) {
			break;
		}
		t[n].s = p;
		t[n].col = (size_t)(p - line);
		if (n + 1 == max) {
			t[n].len = strlen(p);
			while (t[n].len && isspace((unsigned char)p[t[n].len - 1])) {
				t[n].len--;
			}
		} else {
			t[n].len = strcspn(p, " \t");
		}
		p += t[n].len;
		n++;
	}
	return n;
}

/* Parse t as a hex number, with a "0x" prefix when prefixed (GNU ld) and without
 * one otherwise (lld). */
static bool
tok_hex(const struct tok *t, bool prefixed, unsigned long long *v)
{
	const char *s = t->s;
	size_t len = t->len;

	if (prefixed) {
		if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
			return false;
		}
		s += 2;
		len -= 2;
	}
	if (!len || len > 16) {
		return false;
	}
	*v = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (!isxdigit(c)) {
			return false;
		}
		*v = *v * 16 + (unsigned long long)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
	}
	return true;
}

static bool
tok_is(const struct tok *t, const char *word)
{
	return t->len == strlen(word) && !memcmp(t->s, word, t->len);
}

enum map_format { MAP_UNKNOWN, MAP_MEMORY, MAP_GNU, MAP_LLD, MAP_DONE };

struct map_parser {
	enum map_format format;
	struct builder b;
	size_t lineno;		/* of the line being read */
	/* GNU ld's "Memory Configuration": its lines go to memory_fn, and reading
	 * stops after it when memory_only */
	void (*memory_fn)(void *ctx, const struct component_memory *mem);
	void *memory_ctx;
	bool memory_only, has_memory;
	bool loaded;		/* the current output section takes up addresses */
	bool seen_address;	/* an output section with a nonzero address came before */
	/* GNU ld: a section name too long for its column, waiting for the line with
	 * its address and size */
	char *pending;
	bool pending_output;
	/* lld: the header's columns */
	size_t ncols;		/* numeric columns before "Out" */
	size_t addr_col, size_col;	/* which of them hold the address and the size */
	size_t in_col, sym_col;	/* where the "In" and "Symbol" columns start */
};

/* Output sections that are not loaded although their address may look like one. */
static bool
unloaded_name(const char *name, size_t len)
{
	static const char *const prefixes[] = {
		".debug", ".zdebug", ".stab", ".gnu.build.attributes", ".gnu.lto_",
	};
	static const char *const names[] = {
		".comment", ".line", ".symtab", ".symtab_shndx", ".strtab", ".shstrtab",
		".gnu.attributes", ".ARM.attributes", ".riscv.attributes",
		".GCC.command.line", ".note.GNU-stack", ".gnu_debuglink",
		".gnu_debugaltlink", "/DISCARD/",
		/* thread-local bss has no addresses of its own: its VMA is that of the
		 * sections after it */
		".tbss",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
		size_t n = strlen(prefixes[i]);

		if (len >= n && !memcmp(name, prefixes[i], n)) {
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (len == strlen(names[i]) && !memcmp(name, names[i], len)) {
			return true;
		}
	}
	return false;
}

/* Start output section name at addr. Linkers give sections that are not loaded
 * (debug info, .comment...) address 0, after loaded ones. */
static void
output_section(struct map_parser *p, const char *name, size_t len, unsigned long long addr)
{
	p->loaded = !unloaded_name(name, len) && !(addr == 0 && p->seen_address);
	if (addr) {
		p->seen_address = true;
	}
}

static void
input_section(struct map_parser *p, unsigned long long addr, unsigned long long size,
	      const char *file, size_t len)
{
	if (p->loaded && len) {
		add_range(&p->b, addr, size, file, len);
	}
}

static void
clear_pending(struct map_parser *p)
{
	free(p->pending);
	p->pending = NULL;
}

/* A line of the memory map of GNU ld:
 *	.text           0x0000000000001040      0x170		(output section)
 *	 .text          0x0000000000001040       0x22 main.o	(input section)
 *	 .text.a_long_name
 *	                0x0000000000001070       0x15 util.o	(the same, split)
 *	                0x0000000000001040                main	(symbol)
 * and *fill*, *(patterns), assignments, LOAD and OUTPUT lines, all skipped. */
static void
gnu_line(struct map_parser *p, const char *line)
{
	struct tok t[4];
	size_t indent = strspn(line, " ");
	size_t n = split(line, t, 4);
	unsigned long long addr, size;

	if (p->pending) {
		bool out = p->pending_output;
		char *name = p->pending;

		if (indent > 1 && n >= 2 && tok_hex(&t[0], true, &addr) &&
		    tok_hex(&t[1], true, &size)) {
			if (out) {
				output_section(p, name, strlen(name), addr);
			} else if (n >= 3) {
				struct tok rest[3];

				/* the file is the rest of the line after the size */
				split(line, rest, 3);
				input_section(p, addr, size, rest[2].s, rest[2].len);
			}
			clear_pending(p);
			return;
		}
		clear_pending(p);
	}
	if (!n) {
		return;
	}
	if (indent == 0) {
		if (tok_is(&t[0], "Cross") && n >= 2 && !strncmp(t[1].s, "Reference", 9)) {
			p->format = MAP_DONE;
		} else if (n >= 3 && tok_hex(&t[1], true, &addr) && tok_hex(&t[2], true, &size)) {
			output_section(p, t[0].s, t[0].len, addr);
		} else {
			/* a name alone waits for its address; LOAD, OUTPUT(...) end a section */
			p->loaded = false;
			if (n == 1 && line[0] != '*') {
				p->pending = xstrndup(t[0].s, t[0].len);
				p->pending_output = true;
			}
		}
		return;
	}
	if (indent != 1 || line[1] == '*') {
		return;
	}
	if (n == 1) {
		p->pending = xstrndup(t[0].s, t[0].len);
		p->pending_output = false;
	} else if (n == 4 && tok_hex(&t[1], true, &addr) && tok_hex(&t[2], true, &size)) {
		input_section(p, addr, size, t[3].s, t[3].len);
	}
}

/* The header of an lld (or mold) map: "VMA LMA Size Align Out In Symbol", or
 * "Address Size Align Out In Symbol" before lld 9. */
static bool
lld_header(struct map_parser *p, const char *line)
{
	struct tok t[8];
	size_t n = split(line, t, 8);
	bool has_addr = false, has_size = false;
	size_t i;

	for (i = 0; i < n && !tok_is(&t[i], "Out"); i++) {
		if (tok_is(&t[i], "VMA") || tok_is(&t[i], "Address")) {
			p->addr_col = i;
			has_addr = true;
		} else if (tok_is(&t[i], "Size")) {
			p->size_col = i;
			has_size = true;
		} else if (!tok_is(&t[i], "LMA") && !tok_is(&t[i], "Align")) {
			return false;
		}
	}
	if (!has_addr || !has_size || i + 3 != n || !tok_is(&t[i + 1], "In") ||
	    !tok_is(&t[i + 2], "Symbol")) {
		return false;
	}
	p->ncols = i;
	p->in_col = t[i + 1].col;
	p->sym_col = t[i + 2].col;
	return true;
}

/* A line of an lld map: the numbers, then an output section in the "Out" column,
 * an input section "FILE:(SECTION)" in the "In" column, or a symbol or a script
 * assignment in the "Symbol" column. */
static void
lld_line(struct map_parser *p, const char *line)
{
	struct tok t[8];
	size_t n = split(line, t, p->ncols + 1);
	unsigned long long v[7] = {0};
	const struct tok *what;
	const char *colon = NULL;

	if (n != p->ncols + 1) {
		return;
	}
	for (size_t i = 0; i < p->ncols; i++) {
		if (!tok_hex(&t[i], false, &v[i])) {
			return;
		}
	}
	what = &t[p->ncols];
	if (what->col < p->in_col) {
		/* a linker script's assignment between sections is not a section */
		if (!strstr(what->s, " = ")) {
			output_section(p, what->s, strcspn(what->s, " \t"), v[p->addr_col]);
		}
		return;
	}
	if (what->col >= p->sym_col || what->len < 4 || what->s[what->len - 1] != ')') {
		return;
	}
	/* the last ":(": an archive member "libx.a(lib.o)" has parentheses too */
	for (const char *s = what->s; (s = strstr(s, ":(")) && s < what->s + what->len; s++) {
		colon = s;
	}
	if (colon) {
		input_section(p, v[p->addr_col], v[p->size_col], what->s,
			      (size_t)(colon - what->s));
	}
}

/* A line of GNU ld's "Memory Configuration", after its title:
 *	Name             Origin             Length             Attributes
 *	FLASH            0x00000000         0x00040000         xr
 *	*default*        0x0000000000000000 0xffffffffffffffff
 * A region goes to memory_fn (the column header, blank lines and *default*, the
 * linker's catch-all, do not); so does a line that is none of these, as bad. */
static void
memory_line(struct map_parser *p, const char *line)
{
	struct tok t[4];
	size_t n = split(line, t, 4);
	struct component_memory mem = {.line = p->lineno, .text = line};
	char *name, *attrs;

	if (!n || (n == 4 && tok_is(&t[0], "Name") && tok_is(&t[1], "Origin"))) {
		return;
	}
	if (n < 3 || !tok_hex(&t[1], true, &mem.origin) || !tok_hex(&t[2], true, &mem.length)) {
		if (p->memory_fn) {
			p->memory_fn(p->memory_ctx, &mem);
		}
		return;
	}
	if (tok_is(&t[0], "*default*") || !p->memory_fn) {
		return;
	}
	name = xstrndup(t[0].s, t[0].len);
	attrs = n == 4 ? xstrndup(t[3].s, t[3].len) : xstrdup("");
	mem.name = name;
	mem.attrs = attrs;
	p->memory_fn(p->memory_ctx, &mem);
	free(name);
	free(attrs);
}

static void
map_line(struct map_parser *p, const char *line)
{
	switch (p->format) {
	case MAP_UNKNOWN:
		/* GNU ld's earlier parts (archive members, discarded input sections,
		 * memory configuration) hold section lines that are not in the output */
		if (!strncmp(line, "Linker script and memory map", 28)) {
			p->format = p->memory_only ? MAP_DONE : MAP_GNU;
		} else if (!strcmp(line, "Memory Configuration")) {
			p->format = MAP_MEMORY;
			p->has_memory = true;
		} else if (lld_header(p, line)) {
			/* lld writes no memory configuration */
			p->format = p->memory_only ? MAP_DONE : MAP_LLD;
		}
		break;
	case MAP_MEMORY:
		if (!strncmp(line, "Linker script and memory map", 28)) {
			p->format = p->memory_only ? MAP_DONE : MAP_GNU;
		} else {
			memory_line(p, line);
		}
		break;
	case MAP_GNU:
		gnu_line(p, line);
		break;
	case MAP_LLD:
		lld_line(p, line);
		break;
	case MAP_DONE:
		break;
	}
}

/* Open path, a regular file, for reading: an fd, close-on-exec (O_NONBLOCK, as a
 * FIFO would block the open, then blocking again); -1 with a message in err. */
static int
open_regular(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read '%s': not a regular file", path);
	} else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
	} else {
		return fd;
	}
	if (fd >= 0) {
		close(fd);
	}
	return -1;
}

/* open_regular as a stdio stream; NULL with a message in err. */
static FILE *
open_read(const char *path, char *err, size_t errlen)
{
	int fd = open_regular(path, err, errlen);
	FILE *fp;

	if (fd < 0) {
		return NULL;
	}
	fp = fdopen(fd, "r");
	if (!fp) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		close(fd);
	}
	return fp;
}

/* Read the map file path through p (set up by the caller) until its end or
 * MAP_DONE. Returns 0, or -1 with a message in err: cannot be read, or it is
 * not a map file of GNU ld or lld. */
static int
read_map(const char *path, struct map_parser *p, char *err, size_t errlen)
{
	FILE *fp = open_read(path, err, errlen);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = -1;

	if (!fp) {
		return -1;
	}
	errno = 0;
	while (p->format != MAP_DONE && (len = getline(&line, &cap, fp)) >= 0) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
			line[--len] = '\0';
		}
		p->lineno++;
		map_line(p, line);
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
	} else if (p->format == MAP_UNKNOWN || p->format == MAP_MEMORY) {
		snprintf(err, errlen, "'%s' is not a linker map file of GNU ld or lld", path);
	} else {
		rc = 0;
	}
	clear_pending(p);
	free(line);
	fclose(fp);
	return rc;
}

int
component_from_linker_map(const char *path, struct component_map *m, char *err,
			  size_t errlen)
{
	struct map_parser p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.format = MAP_UNKNOWN;
	rc = read_map(path, &p, err, errlen);
	if (rc == 0) {
		builder_finish(&p.b, m);
	}
	builder_release(&p.b);
	return rc;
}

int
component_map_memory(const char *path,
		     void (*fn)(void *ctx, const struct component_memory *mem), void *ctx,
		     char *err, size_t errlen)
{
	struct map_parser p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.format = MAP_UNKNOWN;
	p.memory_fn = fn;
	p.memory_ctx = ctx;
	p.memory_only = true;
	rc = read_map(path, &p, err, errlen);
	builder_release(&p.b);
	return rc < 0 ? -1 : p.has_memory;
}

/* The address ranges of a file's loaded sections, to tell real addresses from
 * those DWARF keeps for code the linker dropped (0, or a tombstone like -1). */
struct loaded {
	struct {
		unsigned long long start, end;
	} *v;
	size_t n;
};

static bool
is_loaded(const struct loaded *l, unsigned long long addr)
{
	for (size_t i = 0; i < l->n; i++) {
		if (addr >= l->v[i].start && addr < l->v[i].end) {
			return true;
		}
	}
	return false;
}

/* The address of a variable whose location is a fixed address: DW_OP_addr, or
 * DW_OP_addrx (DWARF 5, as clang writes it), an index into .debug_addr. */
static bool
variable_address(Dwarf_Die *die, Dwarf_Addr *addr)
{
	Dwarf_Attribute a, index;
	Dwarf_Op *ops;
	size_t nops;

	if (!dwarf_attr(die, DW_AT_location, &a) || dwarf_getlocation(&a, &ops, &nops) != 0 ||
	    nops != 1) {
		return false;
	}
	switch (ops[0].atom) {
	case DW_OP_addr:
		*addr = ops[0].number;
		return true;
	case DW_OP_addrx:
	case DW_OP_GNU_addr_index:
		return dwarf_getlocation_attr(&a, &ops[0], &index) == 0 &&
		       dwarf_formaddr(&index, addr) == 0;
	default:
		return false;
	}
}

/* Add a variable with a fixed address and a known size. */
static void
add_variable(Dwarf_Die *die, const char *name, size_t len, struct builder *b,
	     const struct loaded *l)
{
	Dwarf_Attribute a;
	Dwarf_Addr addr;
	Dwarf_Die type;
	Dwarf_Word size;

	if (!variable_address(die, &addr) || !is_loaded(l, addr)) {
		return;
	}
	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &type) ||
	    dwarf_aggregate_size(&type, &size) != 0) {
		return;
	}
	add_range(b, addr, size, name, len);
}

/* CU ranges cover code only: add the unit's variables with static storage (at
 * file scope, in functions, in namespaces and Rust modules) so that data is
 * attributed too. */
static void
add_variables(Dwarf_Die *parent, const char *name, size_t len, struct builder *b,
	      const struct loaded *l, int depth)
{
	Dwarf_Die die;

	/* a file's nesting is its own: no deeper than real code goes, so that a
	 * crafted one cannot exhaust the stack */
	if (depth > 64 || dwarf_child(parent, &die) != 0) {
		return;
	}
	do {
		switch (dwarf_tag(&die)) {
		case DW_TAG_variable:
			add_variable(&die, name, len, b, l);
			break;
		case DW_TAG_subprogram:
		case DW_TAG_lexical_block:
		case DW_TAG_namespace:
		case DW_TAG_module:
			add_variables(&die, name, len, b, l, depth + 1);
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&die, &die) == 0);
}

/* Fill l with e's allocated sections; true when e has a .debug_info section. */
static bool
scan_sections(Elf *e, struct loaded *l)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	bool debug = false;

	if (elf_getshdrstrndx(e, &shstrndx) != 0) {
		return false;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh)) {
			continue;
		}
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info"))) {
			debug = true;
		}
		if ((sh.sh_flags & SHF_ALLOC) && !(sh.sh_flags & SHF_TLS) && sh.sh_size) {
			l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
			l->v[l->n].start = sh.sh_addr;
			l->v[l->n].end = sh.sh_addr + sh.sh_size;
			l->n++;
		}
	}
	return debug;
}

/* The data of the debug sections, as libdw reads them (elf_getdata returns the
 * buffers it cached), to bound the strings libdw hands back: a string whose
 * section ends before its NUL (DW_FORM_line_strp into a cut .debug_line_str)
 * would otherwise be read past the buffer. */
struct strbounds {
	uintptr_t *lo, *hi;
	size_t n;
};

static void
strbounds_init(struct strbounds *sb, Elf *e)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	memset(sb, 0, sizeof(*sb));
	if (elf_getshdrstrndx(e, &shstrndx) != 0) {
		return;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(e, shstrndx, sh.sh_name)) ||
		    (strncmp(name, ".debug_", 7) && strncmp(name, ".zdebug_", 8))) {
			continue;
		}
		for (d = NULL; (d = elf_getdata(scn, d));) {
			if (!d->d_buf || !d->d_size) {
				continue;
			}
			sb->lo = xreallocarray(sb->lo, sb->n + 1, sizeof(*sb->lo));
			sb->hi = xreallocarray(sb->hi, sb->n + 1, sizeof(*sb->hi));
			sb->lo[sb->n] = (uintptr_t)d->d_buf;
			sb->hi[sb->n] = (uintptr_t)d->d_buf + d->d_size;
			sb->n++;
		}
	}
}

/* The length of s, a string from libdw; (size_t)-1 when it runs to the end of its
 * section without a NUL, or starts right at the end (an offset equal to the
 * section's size, which libdw lets through). A string in none of the file's
 * sections (a dwz alternate debug file's, which libdw opened itself) is libdw's
 * to vouch for. */
static size_t
strbounds_len(const struct strbounds *sb, const char *s)
{
	uintptr_t p = (uintptr_t)s;

	for (size_t i = 0; i < sb->n; i++) {
		if (p >= sb->lo[i] && p < sb->hi[i]) {
			size_t n = strnlen(s, sb->hi[i] - p);

			return n == sb->hi[i] - p ? (size_t)-1 : n;
		}
	}
	for (size_t i = 0; i < sb->n; i++) {
		if (p == sb->hi[i]) {
			return (size_t)-1;
		}
	}
	return strlen(s);
}

int
component_from_dwarf(const char *path, struct component_map *m, char *err, size_t errlen)
{
	struct builder b = {NULL, 0, 0};
	struct loaded l = {NULL, 0};
	struct strbounds sb = {NULL, NULL, 0};
	Dwarf *dw = NULL;
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Half version;
	uint8_t unit_type;
	Dwarf_Die cudie;
	struct elffile f;
	Elf *e;
	int rc = -1, more;

	if (elffile_open(&f, path, err, errlen) != ELFFILE_OK) {
		goto out;
	}
	e = f.e;
	if (!scan_sections(e, &l)) {
		rc = 0;
		goto out;
	}
	dw = dwarf_begin_elf(e, DWARF_C_READ, NULL);
	if (!dw) {
		snprintf(err, errlen, "'%s': cannot read DWARF: %s", path, dwarf_errmsg(-1));
		goto out;
	}
	strbounds_init(&sb, e);
	while ((more = dwarf_get_units(dw, cu, &next, &version, &unit_type, &cudie, NULL)) == 0) {
		const char *name = dwarf_diename(&cudie);
		Dwarf_Addr base, start, end;
		ptrdiff_t off = 0;
		size_t len;

		cu = next;
		if (unit_type != DW_UT_compile && unit_type != DW_UT_partial &&
		    unit_type != DW_UT_skeleton) {
			continue;
		}
		if (!name || (len = strbounds_len(&sb, name)) == (size_t)-1) {
			name = "<unnamed>";
			len = strlen(name);
		}
		while ((off = dwarf_ranges(&cudie, off, &base, &start, &end)) > 0) {
			if (end > start && is_loaded(&l, start)) {
				add_range(&b, start, end - start, name, len);
			}
		}
		add_variables(&cudie, name, len, &b, &l, 0);
	}
	if (more < 0) {
		snprintf(err, errlen, "'%s': bad DWARF: %s", path, dwarf_errmsg(-1));
		goto out;
	}
	rc = b.n ? 1 : 0;
	if (rc) {
		builder_finish(&b, m);
	}
out:
	builder_release(&b);
	free(l.v);
	free(sb.lo);
	free(sb.hi);
	if (dw) {
		dwarf_end(dw);
	}
	elffile_release(&f);
	return rc;
}

const char *
component_lookup(const struct component_map *m, unsigned long long addr)
{
	size_t lo = 0, hi = m->n;

	/* the first range that starts after addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].start <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo && addr < m->v[lo - 1].end) {
		return m->v[lo - 1].name;
	}
	return NULL;
}

static bool
ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool
ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Skip what may come before the path of a type in "<A as B>": &, &mut, *const,
 * *mut, dyn, impl, slices and tuples. */
static const char *
skip_type_prefix(const char *s)
{
	static const char *const words[] = {"mut ", "const ", "dyn ", "impl "};

	for (;;) {
		size_t i;

		if (*s == '&' || *s == '*' || *s == '[' || *s == '(' || *s == ' ') {
			s++;
			continue;
		}
		for (i = 0; i < sizeof(words) / sizeof(*words); i++) {
			if (!strncmp(s, words[i], strlen(words[i]))) {
				s += strlen(words[i]);
				break;
			}
		}
		if (i == sizeof(words) / sizeof(*words)) {
			return s;
		}
	}
}

/* " as " at the top level of the "<A as B>" whose inside starts at s, or NULL. */
static const char *
find_as(const char *s)
{
	int depth = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '<' || *p == '(' || *p == '[') {
			depth++;
		} else if (*p == '>' && p > s && p[-1] == '-') {
			/* the arrow of a fn type */
		} else if (*p == '>' || *p == ')' || *p == ']') {
			if (!depth) {
				return NULL;
			}
			depth--;
		} else if (!depth && !strncmp(p, " as ", 4)) {
			return p;
		}
	}
	return NULL;
}

static char *path_crate(const char *s, bool in_type);

/* The crate of "<A as B>" (s is just after the '<'): A's, or B's when A has none
 * (a primitive or a generic parameter), since the impl then lives in B's crate. */
static char *
qualified_crate(const char *s)
{
	char *crate = path_crate(s, true);
	const char *as;

	if (crate) {
		return crate;
	}
	as = find_as(s);
	return as ? path_crate(as + 4, true) : NULL;
}

/* The first segment of the path at s when it is followed by "::". */
static char *
path_crate(const char *s, bool in_type)
{
	const char *p;

	if (in_type) {
		s = skip_type_prefix(s);
	}
	if (*s == '<') {
		return qualified_crate(s + 1);
	}
	if (!ident_start(*s)) {
		return NULL;
	}
	for (p = s; ident_char(*p); p++) {
	}
	/* v0 mangling may keep the crate's disambiguator: "std[6d3f2b1a]::io" */
	if (*p == '[') {
		const char *q = p + 1;

		while (isxdigit((unsigned char)*q)) {
			q++;
		}
		if (*q == ']' && q > p + 1) {
			return !strncmp(q + 1, "::", 2) ? xstrndup(s, (size_t)(p - s)) : NULL;
		}
	}
	return !strncmp(p, "::", 2) ? xstrndup(s, (size_t)(p - s)) : NULL;
}

char *
component_crate(const char *demangled)
{
	return path_crate(demangled, false);
}

void
component_map_release(struct component_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
