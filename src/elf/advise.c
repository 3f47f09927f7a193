/* advise.c: which profiles are likely to pay for a binary, and why. Each rule is
 * a small function that reads one figure from the file (a section's bytes, a
 * sum of symbols, functions with identical bytes) and, when it is above the
 * rule's threshold, writes a paragraph naming the profiles that act on it and
 * their trade-offs. Nothing is estimated: a rule without a figure says nothing. */
#include "elf/advise.h"

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/units.h"
#include "config/profile.h"
#include "elf/elffile.h"
#include "elf/size.h"
#include "report/table.h"
#include "base/banned.h"

/* Unwind tables below 3% of the file are the start-up files' few entries and
 * those of a handful of functions, which no compile flag takes back; above it the
 * program's own functions carry them and `abort` pays. */
#define UNWIND_MIN_PERCENT 3.0
/* Layout padding of a page or more is what separate-code and RELRO alignment
 * cost; below a page, a layout lever buys less than that page back. */
#define PADDING_MIN_BYTES 4096ULL
/* ... or padding that is a noticeable part of a small file. */
#define PADDING_MIN_PERCENT 5.0
/* Below 2% of the file, dynamic relocations are the dozen or so every C runtime
 * needs; above it, the program's own pointers in data are being relocated. */
#define RELA_MIN_PERCENT 2.0
/* Below 2%, .dynsym and .dynstr are the imports every program has. */
#define DYNSYM_MIN_PERCENT 2.0
/* Functions of 16 bytes or less are stubs and thunks (a jump, a constant
 * returned): they coincide by chance and folding them saves next to nothing. */
#define ICF_MIN_FUNC_BYTES 16ULL
/* Example names longer than this are cut: the figure matters, not the template. */
#define NAME_MAX_CHARS 60

/* What advise needs from the file beyond struct size_report, read with libelf. */
struct elf_facts {
	bool ok;		/* the file could be read again */
	bool executable;	/* ET_EXEC, or ET_DYN with an interpreter (a PIE) */
	size_t dyn_total;	/* entries in .dynsym, the null entry left out */
	size_t dyn_defined;	/* of them, defined in the file: exported */
	size_t icf_groups;	/* groups of 2+ functions with identical bytes */
	size_t icf_functions;	/* functions in those groups */
	unsigned long long icf_saved;	/* bytes folding them would save */
	char *icf_example[2];	/* raw names of two functions of the group that saves most */
	unsigned long long icf_example_bytes;	/* the size of each of them */
};

/* One function of the symbol table, with a pointer to its bytes. */
struct fn {
	const unsigned char *p;
	unsigned long long size, addr;
	size_t shndx;
	uint64_t hash;
	const char *name;
};

/* The state of one report. */
struct advice {
	const struct size_report *r;
	const struct profile_set *profiles;
	const struct elf_facts *elf;
	struct buf *out;
	int n;			/* suggestions written */
	const struct strv *costs;	/* NAME=TEXT: a profile's measured run-time cost, or NULL */
};

static int
cmp_fn_place(const void *a, const void *b)
{
	const struct fn *x = a, *y = b;

	if (x->shndx != y->shndx) {
		return x->shndx < y->shndx ? -1 : 1;
	}
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int
cmp_fn_bytes(const void *a, const void *b)
{
	const struct fn *x = a, *y = b;
	int c;

	if (x->size != y->size) {
		return x->size > y->size ? -1 : 1;
	}
	if (x->hash != y->hash) {
		return x->hash < y->hash ? -1 : 1;
	}
	c = memcmp(x->p, y->p, x->size);
	if (c) {
		return c;
	}
	return cmp_fn_place(a, b);
}

/* The bytes of function sym, or NULL when its section is not executable code in
 * the file or the symbol does not fit in it. */
static const unsigned char *
function_bytes(Elf *e, const GElf_Sym *sym)
{
	Elf_Scn *scn = elf_getscn(e, sym->st_shndx);
	Elf_Data *d;
	GElf_Shdr sh;
	unsigned long long off;

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
	    !(sh.sh_flags & SHF_EXECINSTR) || sym->st_value < sh.sh_addr) {
		return NULL;
	}
	off = sym->st_value - sh.sh_addr;
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || off > d->d_size || sym->st_size > d->d_size - off) {
		return NULL;
	}
	return (const unsigned char *)d->d_buf + off;
}

/* The functions of e's symbol table bigger than ICF_MIN_FUNC_BYTES, each address
 * once (aliases are one function); *n gets their number. */
static struct fn *
read_functions(const struct elffile *f, size_t *n)
{
	struct elffile_symtab t;
	struct fn *v = NULL;
	size_t nv = 0, cap = 0, kept = 0;

	*n = 0;
	if (!elffile_symtab(f, &t) || !t.sh.sh_entsize || !t.data) {
		return NULL;
	}
	for (size_t i = 1; i < t.count; i++) {
		GElf_Sym sym;
		const unsigned char *p;

		if (!elffile_symbol(f, &t, i, &sym, NULL) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_size <= ICF_MIN_FUNC_BYTES || sym.st_shndx == SHN_UNDEF ||
		    sym.st_shndx >= SHN_LORESERVE || !(p = function_bytes(f->e, &sym))) {
			continue;
		}
		v = xgrowarray(v, &cap, nv + 1, sizeof(*v));
		v[nv].p = p;
		v[nv].size = sym.st_size;
		v[nv].addr = sym.st_value;
		v[nv].shndx = sym.st_shndx;
		v[nv].hash = XXH3_64bits(p, sym.st_size);
		v[nv].name = elf_strptr(f->e, t.sh.sh_link, sym.st_name);
		nv++;
	}
	if (nv > 1) {
		qsort(v, nv, sizeof(*v), cmp_fn_place);
	}
	for (size_t i = 0; i < nv; i++) {
		if (kept && v[kept - 1].shndx == v[i].shndx && v[kept - 1].addr == v[i].addr) {
			continue;
		}
		v[kept++] = v[i];
	}
	*n = kept;
	return v;
}

/* Group the functions whose bytes are identical into f's icf_* figures. */
static void
find_identical_functions(const struct elffile *file, struct elf_facts *f)
{
	size_t n, best = 0, best_i = 0;
	struct fn *v = read_functions(file, &n);

	if (n > 1) {
		qsort(v, n, sizeof(*v), cmp_fn_bytes);
	}
	for (size_t i = 0, j; i < n; i = j) {
		unsigned long long saved;

		for (j = i + 1; j < n && v[j].size == v[i].size && v[j].hash == v[i].hash &&
				!memcmp(v[j].p, v[i].p, v[i].size);
		     j++) {
		}
		if (j - i < 2) {
			continue;
		}
		saved = (j - i - 1) * v[i].size;
		f->icf_groups++;
		f->icf_functions += j - i;
		f->icf_saved += saved;
		/* between groups that save as much, the one met first in the file: the
		 * order of the sort within a size is the hash's, which means nothing */
		if (saved > best || (saved == best && cmp_fn_place(&v[i], &v[best_i]) < 0)) {
			best = saved;
			best_i = i;
		}
	}
	if (best) {
		f->icf_example[0] = xstrdup(v[best_i].name ? v[best_i].name : "?");
		f->icf_example[1] = xstrdup(v[best_i + 1].name ? v[best_i + 1].name : "?");
		f->icf_example_bytes = v[best_i].size;
	}
	free(v);
}

/* Count .dynsym's entries and those defined in the file. */
static void
count_dynamic_symbols(const struct elffile *file, struct elf_facts *f)
{
	struct elffile_symtab t = {0};

	while (elffile_next_symtab(file, &t)) {
		for (size_t i = 1; t.dynamic && i < t.count; i++) {
			GElf_Sym sym;

			if (!elffile_symbol(file, &t, i, &sym, NULL)) {
				break;
			}
			f->dyn_total++;
			if (sym.st_shndx != SHN_UNDEF) {
				f->dyn_defined++;
			}
		}
	}
}

/* Open path with libelf (size_read already checked it is well formed) and fill f;
 * f->ok stays false when the file cannot be read again (a FIFO swapped in since
 * size_read is refused, not waited on). */
static void
read_elf_facts(const char *path, struct elf_facts *f)
{
	struct elffile file;

	if (elffile_open(&file, path, NULL, 0) == ELFFILE_OK) {
		enum elffile_kind k = elffile_kind(&file, NULL);

		f->ok = true;
		f->executable = k == ELFFILE_EXECUTABLE || k == ELFFILE_PIE;
		count_dynamic_symbols(&file, f);
		find_identical_functions(&file, f);
	}
	elffile_release(&file);
}

static void
elf_facts_release(struct elf_facts *f)
{
	free(f->icf_example[0]);
	free(f->icf_example[1]);
}

/* Bytes in the file of the sections called name. */
static unsigned long long
section_bytes(const struct size_report *r, const char *name)
{
	unsigned long long t = 0;

	for (size_t i = 0; i < r->nsections; i++) {
		if (!strcmp(r->sections[i].name, name)) {
			t += r->sections[i].bytes;
		}
	}
	return t;
}

/* Bytes in the file of the sections whose name starts with prefix. */
static unsigned long long
section_prefix_bytes(const struct size_report *r, const char *prefix)
{
	unsigned long long t = 0;

	for (size_t i = 0; i < r->nsections; i++) {
		const char *name = r->sections[i].name;

		if (!r->sections[i].synthetic && !strncmp(name, prefix, strlen(prefix))) {
			t += r->sections[i].bytes;
		}
	}
	return t;
}

/* Does section name take space in the file (not .bss or .tbss)? */
static bool
in_file(const struct size_report *r, const char *name)
{
	for (size_t i = 0; i < r->nsections; i++) {
		if (!strcmp(r->sections[i].name, name)) {
			return r->sections[i].bytes > 0;
		}
	}
	return false;
}

/* bytes as a percentage of the file. */
static double
percent(const struct advice *a, unsigned long long bytes)
{
	return a->r->bytes ? (double)bytes * 100.0 / (double)a->r->bytes : 0.0;
}

/* Append "N bytes (P% of the file)". */
static void
add_figure(struct advice *a, unsigned long long bytes)
{
	double p = percent(a, bytes);

	if (p < 0.05) {
		buf_printf(a->out, "%llu bytes (less than 0.1%% of the file)", bytes);
	} else {
		buf_printf(a->out, "%llu bytes (%.1f%% of the file)", bytes, p);
	}
}

/* Append "(trade-off: T: NOTE)" for profile name. */
static void
add_tradeoff(struct advice *a, const char *name)
{
	const struct profile *p = a->profiles ? profile_find(a->profiles, name) : NULL;

	if (!p) {
		buf_adds(a->out, "(trade-off: see `ounce profiles`)");
		return;
	}
	const char *cost = a->costs ? strv_getenv(a->costs, name) : NULL;
	bool speed = p->tradeoff && !strcmp(p->tradeoff, "speed");

	buf_printf(a->out, "(trade-off: %s", p->tradeoff ? p->tradeoff : "none");
	if (cost && speed) {
		/* measured on this project: no presumption */
		buf_printf(a->out, ": measured: %s", cost);
	} else if (p->tradeoff_note && *p->tradeoff_note) {
		buf_printf(a->out, ": %s", p->tradeoff_note);
	}
	if (cost && !speed) {
		buf_printf(a->out, "; at run time, measured: %s", cost);
	}
	buf_addc(a->out, ')');
}

/* Append a symbol's name, cut to NAME_MAX_CHARS (C++ and Rust names can run to
 * hundreds of characters). */
static void
add_name(struct advice *a, const char *name)
{
	if (strlen(name) > NAME_MAX_CHARS) {
		buf_printf(a->out, "%.*s...", NAME_MAX_CHARS - 3, name);
	} else {
		buf_adds(a->out, name);
	}
}

/* End a suggestion's paragraph and count it. */
static void
end_suggestion(struct advice *a)
{
	buf_adds(a->out, "\n\n");
	a->n++;
}

/* Rule 1: .debug_* and .zdebug_* sections. */
static void
rule_debug_info(struct advice *a)
{
	unsigned long long b = section_prefix_bytes(a->r, ".debug_") +
			       section_prefix_bytes(a->r, ".zdebug_");

	if (!b) {
		return;
	}
	buf_adds(a->out, "Debug info takes ");
	add_figure(a, b);
	buf_adds(a->out, ". Profile strip removes it ");
	add_tradeoff(a, "strip");
	buf_addc(a->out, '.');
	end_suggestion(a);
}

/* Rule 2: .symtab and .strtab. */
static void
rule_symbol_table(struct advice *a)
{
	unsigned long long b = section_bytes(a->r, ".symtab") + section_bytes(a->r, ".strtab");

	if (!b) {
		return;
	}
	buf_adds(a->out, "The symbol table (.symtab and .strtab) takes ");
	add_figure(a, b);
	buf_adds(a->out, ". Profile strip removes it ");
	add_tradeoff(a, "strip");
	buf_addc(a->out, '.');
	end_suggestion(a);
}

/* Rule 3: unwind tables above UNWIND_MIN_PERCENT. */
static void
rule_unwind(struct advice *a)
{
	unsigned long long b = section_bytes(a->r, ".eh_frame") +
			       section_bytes(a->r, ".eh_frame_hdr") +
			       section_bytes(a->r, ".gcc_except_table");

	if (!b || percent(a, b) <= UNWIND_MIN_PERCENT) {
		return;
	}
	buf_adds(a->out, "Unwind tables (.eh_frame, .eh_frame_hdr, .gcc_except_table) take ");
	add_figure(a, b);
	buf_adds(a->out, ". Profile abort removes those of the program's own code ");
	add_tradeoff(a, "abort");
	buf_addc(a->out, '.');
	end_suggestion(a);
}

/* The demangled name of the symbol whose raw name is raw, else raw. */
static const char *
display_name(const struct size_report *r, const char *raw)
{
	for (size_t i = 0; i < r->nsymbols; i++) {
		if (!strcmp(r->symbols[i].raw, raw)) {
			return r->symbols[i].name;
		}
	}
	return raw;
}

/* Rule 4: functions with identical bytes, which lld --icf=all folds. */
static void
rule_identical_functions(struct advice *a)
{
	const struct elf_facts *f = a->elf;
	const char *x, *y;

	if (!f->ok || !f->icf_saved) {
		return;
	}
	x = display_name(a->r, f->icf_example[0]);
	y = display_name(a->r, f->icf_example[1]);
	buf_printf(a->out, "Identical functions: %zu group%s of functions %s identical bytes (%zu "
		   "functions; e.g. ", f->icf_groups, f->icf_groups == 1 ? "" : "s",
		   f->icf_groups == 1 ? "has" : "have", f->icf_functions);
	if (strcmp(x, y)) {
		add_name(a, x);
		buf_adds(a->out, " and ");
		add_name(a, y);
	} else {
		buf_adds(a->out, "two functions called ");
		add_name(a, x);
	}
	buf_printf(a->out, ", %llu bytes each); folding them would save ", f->icf_example_bytes);
	add_figure(a, f->icf_saved);
	buf_adds(a->out, ". Profile lld folds them (-fuse-ld=lld -Wl,--icf=all) ");
	add_tradeoff(a, "lld");
	buf_addc(a->out, '.');
	end_suggestion(a);
}

/* The last part of a component's name: "pool.o" of "libx.a(pool.o)" or "src/pool.c". */
static const char *
base_name(const char *s, size_t *len)
{
	const char *open = strrchr(s, '('), *slash;

	if (open) {
		s = open + 1;
	}
	slash = strrchr(s, '/');
	if (slash) {
		s = slash + 1;
	}
	*len = strcspn(s, ")");
	return s;
}

/* Does a component's name look like a pool allocator ("pool.o", "mempool.c",
 * "libx.a(mem_pool.o)"), and not a thread pool? */
static bool
pool_component(const char *component)
{
	size_t len;
	const char *b = base_name(component, &len);
	char *s = xstrndup(b, len);
	bool yes = strstr(s, "pool") && !strstr(s, "thread");

	free(s);
	return yes;
}

/* Does the file carry glibc's own malloc (a static binary)? Its tcache symbols
 * are then the system allocator's, not a bundled one's. */
static bool
has_glibc_malloc(const struct size_report *r)
{
	for (size_t i = 0; i < r->nsymbols; i++) {
		if (!strcmp(r->symbols[i].raw, "_int_malloc") ||
		    !strcmp(r->symbols[i].raw, "main_arena")) {
			return true;
		}
	}
	return false;
}

/* Does symbol s belong to a bundled allocator? glibc is set when the file
 * carries glibc's malloc, whose tcache is not a bundled allocator's. */
static bool
allocator_symbol(const struct size_symbol *s, bool glibc)
{
	static const char *const words[] = {"jemalloc", "mimalloc", "tlsf"};
	const char *c = s->component ? s->component : "";

	if (strstr(c, "libc.a(")) {
		return false;
	}
	if (!strncmp(s->raw, "je_", 3) || !strncmp(s->raw, "_rjem_", 6) || pool_component(c)) {
		return true;
	}
	if (!glibc && (strstr(s->name, "tcache") || strstr(c, "tcache"))) {
		return true;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strstr(s->name, words[i]) || strstr(c, words[i])) {
			return true;
		}
	}
	return false;
}

/* Rule 5: a bundled allocator's symbols. */
static void
rule_allocator(struct advice *a)
{
	unsigned long long b = 0, ram = 0;
	size_t n = 0;
	const char *example = NULL;
	bool glibc = has_glibc_malloc(a->r);

	for (size_t i = 0; i < a->r->nsymbols; i++) {
		const struct size_symbol *s = &a->r->symbols[i];

		if (!allocator_symbol(s, glibc)) {
			continue;
		}
		if (!in_file(a->r, s->section)) {
			ram += s->bytes;
			continue;
		}
		b += s->bytes;
		n++;
		if (!example) {
			example = s->name;
		}
	}
	if (!b) {
		return;
	}
	buf_adds(a->out, "The bundled allocator takes ");
	add_figure(a, b);
	buf_printf(a->out, " in %zu symbol%s (the largest: ", n, n == 1 ? "" : "s");
	add_name(a, example);
	buf_addc(a->out, ')');
	if (ram) {
		buf_printf(a->out, ", and %llu bytes of zeroed memory (.bss) at run time", ram);
	}
	buf_printf(a->out, "; %s. Profile allocator is the matrix's switch between the two when "
		   "your ounce.ini names it ",
		   glibc ? "this static binary carries glibc's malloc as well"
			 : "the system malloc costs none in the file");
	add_tradeoff(a, "allocator");
	buf_addc(a->out, '.');
	end_suggestion(a);
}

/* Does a symbol's name say it is printf, locale or iostream machinery? */
static bool
format_symbol(const struct size_symbol *s)
{
	static const char *const words[] = {
		"vfprintf", "__printf_fp", "_IO_", "__strtod", "std::locale",
		"std::basic_ostream", "std::ios_base", "core::fmt",
	};

	/* _IO_stdin_used is a 4-byte version marker in every glibc program */
	if (!strcmp(s->raw, "_IO_stdin_used")) {
		return false;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strstr(s->name, words[i]) || strstr(s->raw, words[i])) {
			return true;
		}
	}
	return false;
}

/* Rule 6: printf, locale and iostream machinery (information: no profile). */
static void
rule_formatting(struct advice *a)
{
	unsigned long long b = 0;
	size_t n = 0;
	const char *example = NULL;

	for (size_t i = 0; i < a->r->nsymbols; i++) {
		if (format_symbol(&a->r->symbols[i]) && in_file(a->r, a->r->symbols[i].section)) {
			b += a->r->symbols[i].bytes;
			n++;
			if (!example) {
				example = a->r->symbols[i].name;
			}
		}
	}
	if (!b) {
		return;
	}
	buf_adds(a->out, "Formatting machinery (printf, strtod, locales, iostreams, Rust's "
		 "core::fmt) takes ");
	add_figure(a, b);
	buf_printf(a->out, " in %zu symbol%s (the largest: ", n, n == 1 ? "" : "s");
	add_name(a, example);
	buf_adds(a->out, "). No profile removes it: it goes only when the code stops calling it. "
		 "For information, not counted as a suggestion.\n\n");
}

/* Rule 7: layout padding above PADDING_MIN_BYTES or PADDING_MIN_PERCENT. */
static void
rule_padding(struct advice *a)
{
	unsigned long long b = section_bytes(a->r, "[padding]");

	if (!b || (b <= PADDING_MIN_BYTES && percent(a, b) <= PADDING_MIN_PERCENT)) {
		return;
	}
	buf_adds(a->out, "Layout padding between segments takes ");
	add_figure(a, b);
	buf_adds(a->out, ". Profile nosep (-Wl,-z,noseparate-code) packs the segments closer ");
	add_tradeoff(a, "nosep");
	buf_adds(a->out, "; profile norelro (-Wl,-z,norelro) removes the RELRO segment's "
		 "alignment too, at a cost in security ");
	add_tradeoff(a, "norelro");
	buf_addc(a->out, '.');
	end_suggestion(a);
}

/* Rule 8: dynamic relocations above RELA_MIN_PERCENT. */
static void
rule_relocations(struct advice *a)
{
	unsigned long long rela = section_bytes(a->r, ".rela.dyn");
	unsigned long long b = rela + section_bytes(a->r, ".rel.dyn");

	if (!b || percent(a, b) <= RELA_MIN_PERCENT) {
		return;
	}
	buf_printf(a->out, "Dynamic relocations (%s) take ", rela ? ".rela.dyn" : ".rel.dyn");
	add_figure(a, b);
	buf_adds(a->out, ". Profile relr packs the relative ones into a few words ");
	add_tradeoff(a, "relr");
	buf_adds(a->out, "; profile nopie makes an executable position-dependent, so they are not "
		 "needed, at a cost in security ");
	add_tradeoff(a, "nopie");
	buf_addc(a->out, '.');
	end_suggestion(a);
}

/* Rule 9: exported dynamic symbols of an executable above DYNSYM_MIN_PERCENT. */
static void
rule_dynamic_symbols(struct advice *a)
{
	const struct elf_facts *f = a->elf;
	unsigned long long b = section_bytes(a->r, ".dynsym") + section_bytes(a->r, ".dynstr");

	/* with nothing defined, .dynsym is all imports, which no profile removes */
	if (!f->ok || !f->executable || !f->dyn_defined || !b ||
	    percent(a, b) <= DYNSYM_MIN_PERCENT) {
		return;
	}
	buf_adds(a->out, "Dynamic symbols (.dynsym and .dynstr) take ");
	add_figure(a, b);
	buf_printf(a->out, "; %zu of the executable's %zu dynamic symbols are defined in it, so it "
		   "exports them. Profile vis hides the ones not marked visible ", f->dyn_defined,
		   f->dyn_total);
	add_tradeoff(a, "vis");
	buf_adds(a->out, " and profile gc drops the unused ones ");
	add_tradeoff(a, "gc");
	buf_addc(a->out, '.');
	end_suggestion(a);
}

/* Rule 10: the .comment ident and the build-id note. */
static void
rule_ident(struct advice *a)
{
	unsigned long long c = section_bytes(a->r, ".comment");
	unsigned long long id = section_bytes(a->r, ".note.gnu.build-id");
	const char *what = ".comment and .note.gnu.build-id";

	if (!c && !id) {
		return;
	}
	if (!id) {
		what = ".comment";
	} else if (!c) {
		what = ".note.gnu.build-id";
	}
	buf_printf(a->out, "Identification (%s) takes ", what);
	add_figure(a, c + id);
	if (c && id) {
		buf_printf(a->out, ": .comment %llu bytes, .note.gnu.build-id %llu bytes", c, id);
	}
	buf_adds(a->out, ". Profile noid removes ");
	buf_adds(a->out, c && id ? "them " : "it ");
	add_tradeoff(a, "noid");
	buf_addc(a->out, '.');
	end_suggestion(a);
}

int
advise_report(const struct size_report *r, const struct profile_set *profiles, struct buf *out)
{
	return advise_report_costs(r, profiles, NULL, out);
}

int
advise_report_costs(const struct size_report *r, const struct profile_set *profiles,
		    const struct strv *costs, struct buf *out)
{
	struct elf_facts f = {0};
	struct advice a = {r, profiles, &f, out, 0, costs};

	read_elf_facts(r->file, &f);
	buf_printf(out, "%s: %llu bytes (%s)\n\n", r->file, r->bytes,
		   units_human((long long)r->bytes));
	rule_debug_info(&a);
	rule_symbol_table(&a);
	rule_unwind(&a);
	rule_identical_functions(&a);
	rule_allocator(&a);
	rule_formatting(&a);
	rule_padding(&a);
	rule_relocations(&a);
	rule_dynamic_symbols(&a);
	rule_ident(&a);
	if (a.n) {
		buf_printf(out, "%d suggestion%s; run `ounce matrix` to measure %s\n", a.n,
			   a.n == 1 ? "" : "s", a.n == 1 ? "it" : "them");
	} else {
		buf_adds(out, "0 suggestions: nothing measured in this file calls for a profile\n");
	}
	elf_facts_release(&f);
	return a.n;
}
