/* size.c: one ELF file broken down: every byte of the file in a row, the
 * symbols (aliases folded, names demangled with libiberty) and the components
 * they belong to. Reads with libelf; never trusts an offset before checking it
 * against the file's size. */
#include "elf/size.h"

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/demangle.h"
#include "base/mem.h"
#include "elf/component.h"
#include "elf/elffile.h"
#include "os/fsutil.h"
#include "base/banned.h"

/* [start, end) of the file, claimed by the row at index row of r->sections */
struct span {
	unsigned long long start, end;
	size_t row;
};

static int
cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start) {
		return x->start < y->start ? -1 : 1;
	}
	return x->row < y->row ? -1 : x->row > y->row;
}

/* Give each span's row the bytes of its span that no span before it (by start,
 * then row) claimed, so that overlapping sections or headers count each byte of
 * the file once and the rows add up to the file; returns the bytes covered. */
static unsigned long long
claim(struct size_report *r, struct span *s, size_t n)
{
	unsigned long long total = 0, end = 0;

	qsort(s, n, sizeof(*s), cmp_span);
	for (size_t i = 0; i < n; i++) {
		unsigned long long st = s[i].start > end ? s[i].start : end;
		unsigned long long own = s[i].end > st ? s[i].end - st : 0;

		r->sections[s[i].row].bytes = own;
		total += own;
		if (s[i].end > end) {
			end = s[i].end;
		}
	}
	return total;
}

/* Do n entries of ent bytes at off fit in a file of size bytes? */
static bool
fits(unsigned long long off, unsigned long long n, unsigned long long ent,
     unsigned long long size)
{
	return off <= size && (n == 0 || (ent && n <= (size - off) / ent));
}

unsigned long long
size_add(unsigned long long a, unsigned long long b)
{
	return a > SIZE_BYTES_MAX || b > SIZE_BYTES_MAX - a ? SIZE_BYTES_MAX : a + b;
}

static void
add_row(struct size_report *r, const char *name, unsigned long long bytes,
	unsigned long long vm, bool synthetic)
{
	struct size_section *s;

	r->sections = xreallocarray(r->sections, r->nsections + 1, sizeof(*r->sections));
	s = &r->sections[r->nsections++];
	s->name = xstrdup(name);
	s->bytes = bytes;
	s->vm_bytes = vm;
	s->synthetic = synthetic;
}

/* nm's letter for a symbol in a section with these flags and type. */
static char
kind_of(const GElf_Sym *sym, const GElf_Shdr *sh)
{
	int bind = GELF_ST_BIND(sym->st_info);
	char c;

	if (bind == STB_WEAK) {
		return GELF_ST_TYPE(sym->st_info) == STT_OBJECT ? 'V' : 'W';
	}
	if (sh->sh_flags & SHF_EXECINSTR) {
		c = 'T';
	} else if (sh->sh_type == SHT_NOBITS) {
		c = 'B';
	} else if (sh->sh_flags & SHF_WRITE) {
		c = 'D';
	} else {
		c = 'R';
	}
	return bind == STB_LOCAL ? (char)(c - 'A' + 'a') : c;
}

struct raw_sym {
	char *raw;
	unsigned long long addr, size;
	size_t shndx;
	int rank;		/* lower is the better primary name */
	char kind;
};

static int
cmp_raw(const void *a, const void *b)
{
	const struct raw_sym *x = a, *y = b;

	if (x->shndx != y->shndx) {
		return x->shndx < y->shndx ? -1 : 1;
	}
	if (x->addr != y->addr) {
		return x->addr < y->addr ? -1 : 1;
	}
	if (x->size != y->size) {
		return x->size < y->size ? -1 : 1;
	}
	if (x->rank != y->rank) {
		return x->rank - y->rank;
	}
	return strcmp(x->raw, y->raw);
}

static int
cmp_symbol(const void *a, const void *b)
{
	const struct size_symbol *x = a, *y = b;

	if (x->bytes != y->bytes) {
		return x->bytes > y->bytes ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

static int
read_symbols(const struct elffile *f, size_t shstrndx, struct size_report *r, char *err,
	     size_t errlen)
{
	Elf *e = f->e;
	Elf_Scn *scn;
	struct elffile_symtab t;
	struct raw_sym *raw = NULL;
	size_t nraw = 0, rawcap = 0, symcap = 0;

	if (!elffile_symtab(f, &t)) {
		return 0;
	}
	r->dynamic_symbols = t.dynamic;
	if (!t.data || !t.sh.sh_entsize) {
		snprintf(err, errlen, "'%s': unreadable symbol table: %s", r->file, elf_errmsg(-1));
		return -1;
	}
	for (size_t i = 1; i < t.count; i++) {
		GElf_Sym sym;
		GElf_Shdr ssh;
		const char *name;
		unsigned long long bytes;
		int type;

		if (!elffile_symbol(f, &t, i, &sym, NULL)) {
			snprintf(err, errlen, "'%s': bad symbol %zu: %s", r->file, i, elf_errmsg(-1));
			free(raw);
			return -1;
		}
		type = GELF_ST_TYPE(sym.st_info);
		if (sym.st_size == 0 || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
		    (type != STT_FUNC && type != STT_OBJECT && type != STT_TLS &&
		     type != STT_NOTYPE && type != STT_GNU_IFUNC)) {
			continue;
		}
		scn = elf_getscn(e, sym.st_shndx);
		name = elf_strptr(e, t.sh.sh_link, sym.st_name);
		if (!scn || !gelf_getshdr(scn, &ssh) || !name || !*name) {
			continue;
		}
		/* no symbol is larger than its section (a damaged st_size) */
		bytes = sym.st_size < ssh.sh_size ? sym.st_size : ssh.sh_size;
		if (!bytes) {
			continue;
		}
		raw = xgrowarray(raw, &rawcap, nraw + 1, sizeof(*raw));
		raw[nraw].raw = (char *)name;
		raw[nraw].addr = sym.st_value;
		raw[nraw].size = bytes < SIZE_BYTES_MAX ? bytes : SIZE_BYTES_MAX;
		raw[nraw].shndx = sym.st_shndx;
		raw[nraw].kind = kind_of(&sym, &ssh);
		/* the global, strong, typed name names the row; the rest are aliases */
		raw[nraw].rank = (GELF_ST_BIND(sym.st_info) == STB_GLOBAL ? 0 : 4) +
				 (GELF_ST_BIND(sym.st_info) == STB_WEAK ? 2 : 0) +
				 (type == STT_NOTYPE ? 1 : 0);
		nraw++;
	}
	if (nraw > 1) {
		qsort(raw, nraw, sizeof(*raw), cmp_raw);
	}
	for (size_t i = 0; i < nraw;) {
		struct size_symbol *s;
		GElf_Shdr ssh;
		const char *secname;
		size_t j;

		r->symbols = xgrowarray(r->symbols, &symcap, r->nsymbols + 1, sizeof(*r->symbols));
		s = &r->symbols[r->nsymbols++];
		memset(s, 0, sizeof(*s));
		s->raw = xstrdup(raw[i].raw);
		s->name = demangle(raw[i].raw);
		s->addr = raw[i].addr;
		s->bytes = raw[i].size;
		s->kind = raw[i].kind;
		gelf_getshdr(elf_getscn(e, raw[i].shndx), &ssh);
		secname = elf_strptr(e, shstrndx, ssh.sh_name);
		s->section = xstrdup(secname ? secname : "?");
		s->component = xstrdup("unattributed");
		for (j = i + 1; j < nraw && raw[j].shndx == raw[i].shndx &&
				raw[j].addr == raw[i].addr && raw[j].size == raw[i].size;
		     j++) {
			char *d = demangle(raw[j].raw);

			if (!strv_has(&s->aliases, d) && strcmp(d, s->name)) {
				strv_push(&s->aliases, d);
			}
			free(d);
		}
		i = j;
	}
	free(raw);
	if (r->nsymbols > 1) {
		qsort(r->symbols, r->nsymbols, sizeof(*r->symbols), cmp_symbol);
	}
	return 0;
}

int
size_read(const char *path, struct size_report *r, char *err, size_t errlen)
{
	struct elffile f;
	enum elffile_status status;
	int rc = -1;
	Elf *e;
	GElf_Ehdr eh;
	size_t shnum, phnum, shstrndx, nspans = 0, shent, phent;
	struct span *spans = NULL;
	unsigned long long size;
	Elf_Scn *scn = NULL;

	memset(r, 0, sizeof(*r));
	r->file = xstrdup(path);
	status = elffile_open(&f, path, err, errlen);
	size = r->bytes = f.bytes > 0 ? (unsigned long long)f.bytes : 0;
	/* size's own wording of two refusals, which users of ounce size know */
	if (status == ELFFILE_NOT_REGULAR) {
		snprintf(err, errlen, "'%s' is not a regular file", path);
	} else if (status == ELFFILE_NOT_ELF) {
		snprintf(err, errlen, "'%s' is not an ELF file%s", path,
			 size == 0 ? " (it is empty)" : "");
	}
	if (status != ELFFILE_OK) {
		goto out;
	}
	e = f.e;
	eh = f.eh;
	if (elf_getshdrnum(e, &shnum) || elf_getphdrnum(e, &phnum) ||
	    elf_getshdrstrndx(e, &shstrndx)) {
		snprintf(err, errlen, "'%s': malformed ELF headers: %s", path, elf_errmsg(-1));
		goto out;
	}
	r->is_object = eh.e_type == ET_REL;
	if (eh.e_ehsize != (gelf_getclass(e) == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)) ||
	    eh.e_ehsize > size) {
		snprintf(err, errlen, "'%s': malformed ELF header (e_ehsize %u)", path,
			 (unsigned)eh.e_ehsize);
		goto out;
	}
	/* The ELF header's own counts, not only libelf's: libelf reports no sections
	 * at all for a file cut inside its section header table. e_shnum 0 with an
	 * e_shoff is the extended numbering (the count is section 0's sh_size), and
	 * e_phnum PN_XNUM that of program headers (section 0's sh_info). */
	shent = gelf_getclass(e) == ELFCLASS64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	phent = gelf_getclass(e) == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if ((eh.e_shoff || eh.e_shnum || shnum) && eh.e_shentsize != shent) {
		snprintf(err, errlen, "'%s': malformed ELF header (e_shentsize %u)", path,
			 (unsigned)eh.e_shentsize);
		goto out;
	}
	if ((eh.e_phnum || phnum) && eh.e_phentsize != phent) {
		snprintf(err, errlen, "'%s': malformed ELF header (e_phentsize %u)", path,
			 (unsigned)eh.e_phentsize);
		goto out;
	}
	if ((!eh.e_shoff && (eh.e_shnum || shnum)) || (eh.e_shoff && eh.e_shoff < eh.e_ehsize)) {
		snprintf(err, errlen, "'%s': malformed ELF header (e_shoff %llu, e_shnum %u)", path,
			 (unsigned long long)eh.e_shoff, (unsigned)eh.e_shnum);
		goto out;
	}
	if (!fits(eh.e_shoff, eh.e_shoff && !eh.e_shnum ? 1 : eh.e_shnum, shent, size) ||
	    !fits(eh.e_shoff, shnum, shent, size) ||
	    (eh.e_shnum && shnum != eh.e_shnum)) {
		snprintf(err, errlen, "'%s' is truncated: its section headers end past the "
			 "file's %llu bytes", path, size);
		goto out;
	}
	if (!fits(eh.e_phoff, eh.e_phnum == PN_XNUM ? 0 : eh.e_phnum, phent, size) ||
	    !fits(eh.e_phoff, phnum, phent, size) ||
	    (eh.e_phnum != PN_XNUM && phnum != eh.e_phnum)) {
		snprintf(err, errlen, "'%s' is truncated: its program headers end past the "
			 "file's %llu bytes", path, size);
		goto out;
	}
	spans = xcalloc(shnum + 3, sizeof(*spans));
	spans[nspans++] = (struct span){0, eh.e_ehsize, 0};
	if (phnum) {
		spans[nspans++] = (struct span){eh.e_phoff, eh.e_phoff + phnum * phent, 1};
	}
	if (shnum) {
		spans[nspans++] = (struct span){eh.e_shoff, eh.e_shoff + shnum * shent, 2};
	}
	add_row(r, "[ELF header]", eh.e_ehsize, 0, true);
	add_row(r, "[program headers]", (unsigned long long)phnum * eh.e_phentsize, 0, true);
	add_row(r, "[section headers]", (unsigned long long)shnum * eh.e_shentsize, 0, true);
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		unsigned long long fbytes, vm;

		if (!gelf_getshdr(scn, &sh)) {
			snprintf(err, errlen, "'%s': bad section header: %s", path, elf_errmsg(-1));
			goto out;
		}
		name = elf_strptr(e, shstrndx, sh.sh_name);
		fbytes = sh.sh_type == SHT_NOBITS ? 0 : sh.sh_size;
		if (fbytes && (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)) {
			snprintf(err, errlen, "'%s': section '%s' extends past the end of the file "
				 "(offset %llu, %llu bytes, file %llu bytes)",
				 path, name ? name : "?", (unsigned long long)sh.sh_offset,
				 (unsigned long long)sh.sh_size, size);
			goto out;
		}
		if (fbytes) {
			spans[nspans++] = (struct span){sh.sh_offset, sh.sh_offset + fbytes,
							r->nsections};
		}
		vm = (sh.sh_flags & SHF_ALLOC) ? sh.sh_size : 0;
		add_row(r, name && *name ? name : "[unnamed section]", fbytes,
			vm < SIZE_BYTES_MAX ? vm : SIZE_BYTES_MAX, false);
	}
	add_row(r, "[padding]", size - claim(r, spans, nspans), 0, true);
	if (read_symbols(&f, shstrndx, r, err, errlen) < 0) {
		goto out;
	}
	r->attribution = xstrdup("none");
	rc = 0;
out:
	free(spans);
	elffile_release(&f);
	return rc;
}

unsigned long long
size_symbol_total(const struct size_report *r)
{
	unsigned long long t = 0;

	for (size_t i = 0; i < r->nsymbols; i++) {
		t = size_add(t, r->symbols[i].bytes);
	}
	return t;
}

/* Rust's manglings: v0 (_R...) and legacy (_ZN...17h<16 hex>E). A C++ name has
 * "::" too, so the demangled text cannot tell a crate from a namespace. */
static bool
is_rust(const char *raw)
{
	size_t n = strlen(raw);

	if (!strncmp(raw, "_R", 2)) {
		return true;
	}
	if (strncmp(raw, "_ZN", 3) || n < 24 || raw[n - 1] != 'E' || strncmp(raw + n - 20, "17h", 3)) {
		return false;
	}
	for (size_t i = n - 17; i < n - 1; i++) {
		if (!((raw[i] >= '0' && raw[i] <= '9') || (raw[i] >= 'a' && raw[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

static int
cmp_component(const void *a, const void *b)
{
	const struct size_component *x = a, *y = b;

	if (x->bytes != y->bytes) {
		return x->bytes > y->bytes ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

/* path with "dir/.." pairs removed (for the toolchain's own files, which GNU ld
 * names as ".../12/../../../x86_64-linux-gnu/Scrt1.o"). */
static char *
lexical_path(const char *path)
{
	struct strv parts = STRV_INIT;
	char *out;

	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (parts.n) {
				free(parts.v[--parts.n]);
				parts.v[parts.n] = NULL;
			}
		} else if (n && !(n == 1 && p[0] == '.')) {
			strv_push_owned(&parts, xstrndup(p, n));
		}
		p += n;
		p += strspn(p, "/");
	}
	char *joined = strv_join(&parts, "/");
	out = xasprintf("/%s", joined);
	free(joined);
	strv_release(&parts);
	return out;
}

/* A component's name as a reader wants it: a Rust compile unit
 * (".../library/std/src/lib.rs/@/std.e28293b1aa0f68bd-cgu.0") or rlib member
 * ("libstd-0123abcd.rlib(std-0123abcd.std.4567-cgu.0.rcgu.o)") is its crate. */
static char *
display_name(const char *name)
{
	const char *at = strstr(name, "/@/"), *rlib = strstr(name, ".rlib(");
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	if (strstr(base, ".ltrans") || !strcmp(base, "ld-temp.o") || strstr(base, ".lto.o")) {
		/* gcc's LTO partitions (/tmp/ccXXXX.ltrans0.ltrans.o), lld's LTO output:
		 * named per run, and no longer one source's code */
		return xstrdup("[LTO output]");
	}
	if (name[0] == '/' && strstr(name, "/../")) {
		return lexical_path(name);
	}
	if (at) {
		at += 3;
		return xstrndup(at, strcspn(at, ".-"));
	}
	if (rlib) {
		const char *b = name, *slash;

		for (slash = name; slash < rlib; slash++) {
			if (*slash == '/') {
				b = slash + 1;
			}
		}
		if (!strncmp(b, "lib", 3)) {
			b += 3;
		}
		return xstrndup(b, strcspn(b, "-."));
	}
	return xstrdup(name);
}

static void
set_component(struct size_symbol *s, const char *name)
{
	free(s->component);
	s->component = display_name(name);
}

char *
size_map_beside(const char *file)
{
	char *p = xasprintf("%s.map", file);
	size_t n = strlen(file);

	if (fs_exists(p)) {
		return p;
	}
	free(p);
	if (n > 4 && !strcmp(file + n - 4, ".elf")) {
		p = xasprintf("%.*s.map", (int)(n - 4), file);
		if (fs_exists(p)) {
			return p;
		}
		free(p);
	}
	return NULL;
}

int
size_attribute(struct size_report *r, const char *map_path, char *err, size_t errlen)
{
	struct component_map m = COMPONENT_MAP_INIT;
	char *beside = size_map_beside(r->file);
	const char *how = "none";
	int found = 0;

	if (map_path || beside) {
		if (component_from_linker_map(map_path ? map_path : beside, &m, err, errlen) < 0) {
			free(beside);
			return -1;
		}
		how = "map";
		found = 1;
	} else if (!r->is_object) {
		found = component_from_dwarf(r->file, &m, err, errlen);
		if (found < 0) {
			free(beside);
			return -1;
		}
		how = found ? "dwarf" : "none";
	}
	free(beside);
	for (size_t i = 0; i < r->nsymbols; i++) {
		struct size_symbol *s = &r->symbols[i];
		const char *c = found ? component_lookup(&m, s->addr) : NULL;
		char *crate;

		if (c) {
			set_component(s, c);
		} else if (is_rust(s->raw) && (crate = component_crate(s->name))) {
			/* Rust symbols name their crate */
			set_component(s, crate);
			free(crate);
			if (!strcmp(how, "none")) {
				how = "crate";
			}
		} else if (r->is_object) {
			set_component(s, r->file);
		}
	}
	component_map_release(&m);
	free(r->attribution);
	r->attribution = xstrdup(how);
	/* sum by component */
	for (size_t i = 0; i < r->ncomponents; i++) {
		free(r->components[i].name);
	}
	free(r->components);
	r->components = NULL;
	r->ncomponents = 0;
	for (size_t i = 0; i < r->nsymbols; i++) {
		const struct size_symbol *s = &r->symbols[i];
		size_t j;

		for (j = 0; j < r->ncomponents && strcmp(r->components[j].name, s->component); j++) {
		}
		if (j == r->ncomponents) {
			r->components = xreallocarray(r->components, r->ncomponents + 1,
						      sizeof(*r->components));
			r->components[j].name = xstrdup(s->component);
			r->components[j].bytes = 0;
			r->ncomponents++;
		}
		r->components[j].bytes = size_add(r->components[j].bytes, s->bytes);
	}
	if (r->ncomponents > 1) {
		qsort(r->components, r->ncomponents, sizeof(*r->components), cmp_component);
	}
	return 0;
}

char *
size_normalize_name(const char *name)
{
	static const char *const suffixes[] = {
		".constprop.", ".isra.", ".part.", ".cold", ".llvm.", ".lto_priv.", " [clone ",
		"@", /* a symbol version: optarg@GLIBC_2.2.5 is optarg */
	};
	size_t cut = strlen(name);
	char *out;

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		const char *p = strstr(name, suffixes[i]);

		if (p && (size_t)(p - name) < cut && p != name) {
			cut = (size_t)(p - name);
		}
	}
	out = xstrndup(name, cut);
	/* Rust's legacy hash: "::h" and 16 hex digits at the end */
	size_t n = strlen(out);
	if (n > 19 && !strncmp(out + n - 19, "::h", 3)) {
		bool hex = true;

		for (size_t i = n - 16; i < n; i++) {
			hex = hex && ((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f'));
		}
		if (hex) {
			out[n - 19] = '\0';
		}
	}
	return out;
}

void
size_report_release(struct size_report *r)
{
	for (size_t i = 0; i < r->nsections; i++) {
		free(r->sections[i].name);
	}
	free(r->sections);
	for (size_t i = 0; i < r->nsymbols; i++) {
		free(r->symbols[i].name);
		free(r->symbols[i].raw);
		free(r->symbols[i].section);
		free(r->symbols[i].component);
		strv_release(&r->symbols[i].aliases);
	}
	free(r->symbols);
	for (size_t i = 0; i < r->ncomponents; i++) {
		free(r->components[i].name);
	}
	free(r->components);
	free(r->file);
	free(r->attribution);
	memset(r, 0, sizeof(*r));
}
