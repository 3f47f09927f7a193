/* regions.c: memory regions of a firmware link and how full they are. The regions
 * come from GNU ld's map file (its "Memory Configuration", read by the one map
 * reader in component.c) or from a linker script's MEMORY blocks (read here: only
 * those blocks, with plain constant expressions); the sections come from the ELF
 * file, each by its run address and, for initial values, its load address. */
#include "elf/regions.h"

#include <ctype.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "elf/component.h"
#include "elf/elffile.h"
#include "os/fsutil.h"
#include "base/banned.h"

static void
clear_placement(struct regions *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct region *r = &rs->v[i];

		for (size_t j = 0; j < r->nsections; j++) {
			free(r->sections[j].name);
		}
		free(r->sections);
		r->sections = NULL;
		r->nsections = 0;
		r->used = 0;
	}
	for (size_t j = 0; j < rs->noutside; j++) {
		free(rs->outside[j].name);
	}
	free(rs->outside);
	rs->outside = NULL;
	rs->noutside = 0;
}

void
regions_release(struct regions *rs)
{
	clear_placement(rs);
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].name);
		free(rs->v[i].attrs);
	}
	free(rs->v);
	free(rs->source);
	memset(rs, 0, sizeof(*rs));
}

static struct region *
find_region(const struct regions *rs, const char *name, size_t len)
{
	for (size_t i = 0; i < rs->n; i++) {
		if (strlen(rs->v[i].name) == len && !memcmp(rs->v[i].name, name, len)) {
			return &rs->v[i];
		}
	}
	return NULL;
}

/* Add a region, or report one named twice (ld refuses that too). */
static int
add_region(struct regions *rs, const char *name, size_t len, const char *attrs,
           unsigned long long origin, unsigned long long length, size_t line)
{
	const struct region *dup = find_region(rs, name, len);
	struct region *r;

	if (dup) {
		return error_at(rs->source, (int)line, "region '%.*s' is declared twice (line %zu)",
		                (int)len, name, dup->line);
	}
	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof(*rs->v));
	r = &rs->v[rs->n++];
	memset(r, 0, sizeof(*r));
	r->name = xstrndup(name, len);
	r->attrs = xstrdup(attrs);
	r->origin = origin;
	r->length = length;
	r->line = line;
	return 0;
}

/* The map reader's lines of "Memory Configuration", gathered; the first line that
 * is not a region, or a region named twice, fails the read. */
struct map_ctx {
	struct regions *rs;
	bool failed;
};

static void
map_memory(void *ctx, const struct component_memory *mem)
{
	struct map_ctx *c = ctx;

	if (c->failed) {
		return;
	}
	if (!mem->name) {
		error_at(
		    c->rs->source, (int)mem->line,
		    "malformed memory region '%s': expected NAME 0xORIGIN 0xLENGTH [ATTRIBUTES]",
		    mem->text);
		c->failed = true;
	} else if (add_region(c->rs, mem->name, strlen(mem->name), mem->attrs, mem->origin,
	                      mem->length, mem->line) < 0) {
		c->failed = true;
	}
}

int
regions_from_map(struct regions *rs, const char *path)
{
	struct map_ctx c = {rs, false};
	char err[512];

	regions_release(rs);
	rs->source = xstrdup(path);
	if (component_map_memory(path, map_memory, &c, err, sizeof(err)) < 0) {
		error("%s", err);
		return -1;
	}
	return c.failed ? -1 : 0;
}

/* ---- the MEMORY blocks of a linker script ---- */

enum lex_kind { LEX_END, LEX_NAME, LEX_NUMBER, LEX_STRING, LEX_PUNCT };

struct lex_tok {
	enum lex_kind kind;
	const char *s;
	size_t len;
	size_t line;
};

struct lexer {
	const char *path;
	const char *s; /* the whole script */
	size_t pos, len, line;
	struct regions *rs;
};

static bool
name_start(int c)
{
	return isalpha(c) || c == '_' || c == '.' || c == '$' || c == '\\';
}

static bool
name_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$' || c == '\\' || c == '~';
}

/* The next token into t: a name, a number (digits and letters: 0x40000, 256K), a
 * quoted string, or one character of punctuation; comments skipped. Returns 0, or
 * -1 after reporting an unterminated comment or string. */
static int
lex_next(struct lexer *lx, struct lex_tok *t)
{
	const char *s = lx->s;

	for (;;) {
		while (lx->pos < lx->len && isspace((unsigned char)s[lx->pos])) {
			if (s[lx->pos] == '\n') {
				lx->line++;
			}
			lx->pos++;
		}
		if (lx->pos + 1 < lx->len && s[lx->pos] == '/' && s[lx->pos + 1] == '*') {
			size_t start = lx->line;

			lx->pos += 2;
			while (lx->pos + 1 < lx->len &&
			       !(s[lx->pos] == '*' && s[lx->pos + 1] == '/')) {
				lx->line += s[lx->pos] == '\n';
				lx->pos++;
			}
			if (lx->pos + 1 >= lx->len) {
				return error_at(lx->path, (int)start, "unterminated comment");
			}
			lx->pos += 2;
			continue;
		}
		break;
	}
	t->s = s + lx->pos;
	t->line = lx->line;
	t->len = 0;
	if (lx->pos >= lx->len) {
		t->kind = LEX_END;
		return 0;
	}
	int c = (unsigned char)s[lx->pos];
	size_t end = lx->pos + 1;

	if (isdigit(c)) {
		t->kind = LEX_NUMBER;
		while (end < lx->len && isalnum((unsigned char)s[end])) {
			end++;
		}
	} else if (name_start(c)) {
		t->kind = LEX_NAME;
		while (end < lx->len && name_char((unsigned char)s[end])) {
			end++;
		}
	} else if (c == '"') {
		t->kind = LEX_STRING;
		while (end < lx->len && s[end] != '"' && s[end] != '\n') {
			end++;
		}
		if (end >= lx->len || s[end] != '"') {
			return error_at(lx->path, (int)lx->line, "unterminated string");
		}
		end++;
	} else {
		t->kind = LEX_PUNCT;
	}
	t->len = end - lx->pos;
	lx->pos = end;
	return 0;
}

/* The token after the next one is not needed: one of lookahead is. */
static int
lex_peek(struct lexer *lx, struct lex_tok *t)
{
	size_t pos = lx->pos, line = lx->line;
	int rc = lex_next(lx, t);

	lx->pos = pos;
	lx->line = line;
	return rc;
}

static bool
tok_is(const struct lex_tok *t, const char *word)
{
	return t->kind != LEX_END && t->len == strlen(word) && !memcmp(t->s, word, t->len);
}

/* How a token is quoted in a message. */
static const char *
shown(const struct lex_tok *t)
{
	static _Thread_local char s[64];

	if (t->kind == LEX_END) {
		return "the end of the file";
	}
	snprintf(s, sizeof(s), "'%.*s'", t->len > 40 ? 40 : (int)t->len, t->s);
	/* a stray byte of a binary file is not printed as it is */
	for (char *p = s; *p; p++) {
		if (!isprint((unsigned char)*p)) {
			*p = '?';
		}
	}
	return s;
}

/* Expect the punctuation or word want next. */
static int
expect(struct lexer *lx, const char *want, const char *after)
{
	struct lex_tok t;

	if (lex_next(lx, &t) < 0) {
		return -1;
	}
	if (!tok_is(&t, want)) {
		return error_at(lx->path, (int)t.line, "expected '%s' %s in MEMORY, not %s", want,
		                after, shown(&t));
	}
	return 0;
}

/* A number as ld writes them in MEMORY: decimal or 0x hex, then K or M. */
static int
number(struct lexer *lx, const struct lex_tok *t, unsigned long long *v)
{
	const char *s = t->s;
	size_t len = t->len, i = 0;
	unsigned long long mul = 1, base = 10;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (len > i + 1 && strchr("kKmM", s[len - 1])) {
		mul = s[len - 1] == 'k' || s[len - 1] == 'K' ? 1024 : 1024 * 1024;
		len--;
	}
	*v = 0;
	for (; i < len; i++) {
		int c = (unsigned char)s[i];
		unsigned long long d;

		if (base == 16 ? !isxdigit(c) : !isdigit(c)) {
			return error_at(
			    lx->path, (int)t->line,
			    "'%.*s' is not a number ounce reads (decimal or 0x hex, with an "
			    "optional K or M)",
			    (int)t->len, t->s);
		}
		d = (unsigned long long)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
		if (*v > (~0ULL - d) / base) {
			return error_at(lx->path, (int)t->line, "'%.*s' is too large", (int)t->len,
			                t->s);
		}
		*v = *v * base + d;
	}
	if (*v > ~0ULL / mul) {
		return error_at(lx->path, (int)t->line, "'%.*s' is too large", (int)t->len, t->s);
	}
	*v *= mul;
	return 0;
}

static int expr(struct lexer *lx, unsigned long long *v);

static int
refuse(struct lexer *lx, const struct lex_tok *t)
{
	return error_at(lx->path, (int)t->line,
	                "cannot evaluate %s in MEMORY: ounce reads numbers (decimal or 0x hex, "
	                "K or M), + - * / ( ) and ORIGIN() or LENGTH() of a region above",
	                shown(t));
}

/* A number, (EXPR), ORIGIN(REGION) or LENGTH(REGION). */
static int
primary(struct lexer *lx, unsigned long long *v)
{
	struct lex_tok t, r;

	if (lex_next(lx, &t) < 0) {
		return -1;
	}
	if (t.kind == LEX_NUMBER) {
		return number(lx, &t, v);
	}
	if (tok_is(&t, "(")) {
		return expr(lx, v) < 0 || expect(lx, ")", "to close '('") < 0 ? -1 : 0;
	}
	if (tok_is(&t, "ORIGIN") || tok_is(&t, "LENGTH")) {
		const struct region *reg;

		if (expect(lx, "(", "after ORIGIN or LENGTH") < 0 || lex_next(lx, &r) < 0) {
			return -1;
		}
		if (r.kind != LEX_NAME) {
			return error_at(lx->path, (int)r.line, "expected a region name, not %s",
			                shown(&r));
		}
		reg = find_region(lx->rs, r.s, r.len);
		if (!reg) {
			return error_at(lx->path, (int)r.line, "no region '%.*s' above in MEMORY",
			                (int)r.len, r.s);
		}
		*v = t.s[0] == 'O' ? reg->origin : reg->length;
		return expect(lx, ")", "after the region name");
	}
	return refuse(lx, &t);
}

static int
term(struct lexer *lx, unsigned long long *v)
{
	struct lex_tok op;
	unsigned long long w;

	if (primary(lx, v) < 0) {
		return -1;
	}
	for (;;) {
		if (lex_peek(lx, &op) < 0) {
			return -1;
		}
		if (!tok_is(&op, "*") && !tok_is(&op, "/")) {
			return 0;
		}
		lex_next(lx, &op);
		if (primary(lx, &w) < 0) {
			return -1;
		}
		if (op.s[0] == '/') {
			if (!w) {
				return error_at(lx->path, (int)op.line, "division by zero");
			}
			*v /= w;
		} else if (w && *v > ~0ULL / w) {
			return error_at(lx->path, (int)op.line, "the product is too large");
		} else {
			*v *= w;
		}
	}
}

/* Sums and differences of terms; wrapping below 0 or above 2^64 is refused. */
static int
expr(struct lexer *lx, unsigned long long *v)
{
	struct lex_tok op;
	unsigned long long w;

	if (term(lx, v) < 0) {
		return -1;
	}
	for (;;) {
		if (lex_peek(lx, &op) < 0) {
			return -1;
		}
		if (!tok_is(&op, "+") && !tok_is(&op, "-")) {
			return 0;
		}
		lex_next(lx, &op);
		if (term(lx, &w) < 0) {
			return -1;
		}
		if (op.s[0] == '+' ? *v > ~0ULL - w : w > *v) {
			return error_at(lx->path, (int)op.line, "the %s is out of range",
			                op.s[0] == '+' ? "sum" : "difference");
		}
		*v = op.s[0] == '+' ? *v + w : *v - w;
	}
}

/* KEY = EXPR, where KEY is one of the spellings ld accepts. */
static int
assignment(struct lexer *lx, const char *const keys[3], const char *region, unsigned long long *v)
{
	struct lex_tok t;

	if (lex_next(lx, &t) < 0) {
		return -1;
	}
	if (!tok_is(&t, keys[0]) && !tok_is(&t, keys[1]) && !tok_is(&t, keys[2])) {
		return error_at(lx->path, (int)t.line, "expected %s = ... for region '%s', not %s",
		                keys[0], region, shown(&t));
	}
	return expect(lx, "=", keys[0]) < 0 ? -1 : expr(lx, v);
}

/* The entries of a MEMORY block, after its '{', up to its '}':
 *	NAME [(ATTRS)] : ORIGIN = EXPR [,] LENGTH = EXPR [,] */
static int
memory_block(struct lexer *lx)
{
	static const char *const origin_keys[3] = {"ORIGIN", "org", "o"};
	static const char *const length_keys[3] = {"LENGTH", "len", "l"};

	for (;;) {
		struct lex_tok t, name;
		struct buf attrs = BUF_INIT;
		unsigned long long origin, length;
		char *rname;
		int rc;

		if (lex_next(lx, &name) < 0) {
			return -1;
		}
		if (tok_is(&name, "}")) {
			return 0;
		}
		if (tok_is(&name, "INCLUDE")) {
			return error_at(lx->path, (int)name.line,
			                "INCLUDE in MEMORY is not followed: give the included "
			                "script or the map file");
		}
		if (name.kind != LEX_NAME) {
			return error_at(lx->path, (int)name.line,
			                "expected a region name or '}' in MEMORY, not %s",
			                shown(&name));
		}
		if (lex_next(lx, &t) < 0) {
			return -1;
		}
		if (tok_is(&t, "(")) {
			/* attributes: letters r w x a i l and '!' */
			for (;;) {
				if (lex_next(lx, &t) < 0) {
					buf_release(&attrs);
					return -1;
				}
				if (tok_is(&t, ")")) {
					break;
				}
				if (t.kind != LEX_NAME && !tok_is(&t, "!")) {
					buf_release(&attrs);
					return error_at(lx->path, (int)t.line,
					                "expected attributes like (rx) for region "
					                "'%.*s', not %s",
					                (int)name.len, name.s, shown(&t));
				}
				buf_add(&attrs, t.s, t.len);
			}
			if (lex_next(lx, &t) < 0) {
				buf_release(&attrs);
				return -1;
			}
		}
		rname = xstrndup(name.s, name.len);
		rc = -1;
		if (!tok_is(&t, ":")) {
			error_at(lx->path, (int)t.line, "expected ':' after region '%s', not %s",
			         rname, shown(&t));
		} else if (assignment(lx, origin_keys, rname, &origin) == 0 &&
		           lex_peek(lx, &t) == 0 && (!tok_is(&t, ",") || lex_next(lx, &t) == 0) &&
		           assignment(lx, length_keys, rname, &length) == 0) {
			rc = add_region(lx->rs, name.s, name.len, buf_str(&attrs), origin, length,
			                name.line);
		}
		free(rname);
		buf_release(&attrs);
		if (rc < 0 || lex_peek(lx, &t) < 0) {
			return -1;
		}
		if (tok_is(&t, ",")) {
			lex_next(lx, &t);
		}
	}
}

int
regions_from_script(struct regions *rs, const char *path)
{
	struct buf text = BUF_INIT;
	struct lexer lx;
	struct lex_tok t, next;
	int rc = -1;

	regions_release(rs);
	rs->source = xstrdup(path);
	if (fs_read_file(path, &text) < 0) {
		return -1;
	}
	lx =
	    (struct lexer){.path = path, .s = buf_str(&text), .len = text.len, .line = 1, .rs = rs};
	if (memchr(lx.s, '\0', lx.len)) {
		error_at(path, 0, "not a linker script: it holds NUL bytes");
		goto out;
	}
	/* everything but MEMORY { ... } is skipped, a token at a time */
	for (;;) {
		if (lex_next(&lx, &t) < 0) {
			goto out;
		}
		if (t.kind == LEX_END) {
			break;
		}
		if (!tok_is(&t, "MEMORY")) {
			continue;
		}
		if (lex_peek(&lx, &next) < 0) {
			goto out;
		}
		if (tok_is(&next, "{")) {
			lex_next(&lx, &next);
			if (memory_block(&lx) < 0) {
				goto out;
			}
		}
	}
	rc = 0;
out:
	buf_release(&text);
	return rc;
}

int
regions_read(struct regions *rs, const char *map, const char *script)
{
	if (script) {
		return regions_from_script(rs, script);
	}
	if (map) {
		return regions_from_map(rs, map);
	}
	regions_release(rs);
	return 0;
}

/* ---- placement ---- */

static struct region *
region_at(struct regions *rs, unsigned long long addr)
{
	for (size_t i = 0; i < rs->n; i++) {
		if (addr >= rs->v[i].origin && addr - rs->v[i].origin < rs->v[i].length) {
			return &rs->v[i];
		}
	}
	return NULL;
}

static void
push_section(struct region_section **v, size_t *n, const struct region_section *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n] = *s;
	(*v)[*n].name = xstrdup(s->name);
	(*n)++;
}

static void
place(struct regions *rs, const struct region_section *s)
{
	struct region *r = region_at(rs, s->addr);

	if (!r) {
		push_section(&rs->outside, &rs->noutside, s);
		return;
	}
	push_section(&r->sections, &r->nsections, s);
	r->used = r->used > ~0ULL - s->bytes ? ~0ULL : r->used + s->bytes;
}

static int
cmp_section(const void *a, const void *b)
{
	const struct region_section *x = a, *y = b;

	if (x->addr != y->addr) {
		return x->addr < y->addr ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

/* The load address of a section with contents: from the PT_LOAD header whose file
 * bytes and addresses hold it; its own address when none does. */
static unsigned long long
load_address(const GElf_Phdr *ph, size_t nph, const GElf_Shdr *sh)
{
	for (size_t i = 0; i < nph; i++) {
		const GElf_Phdr *p = &ph[i];

		if (p->p_type == PT_LOAD && sh->sh_offset >= p->p_offset &&
		    sh->sh_offset - p->p_offset < p->p_filesz && sh->sh_addr >= p->p_vaddr &&
		    sh->sh_addr - p->p_vaddr < p->p_memsz) {
			return p->p_paddr + (sh->sh_addr - p->p_vaddr);
		}
	}
	return sh->sh_addr;
}

static bool
is_tbss(const GElf_Shdr *sh)
{
	return (sh->sh_flags & SHF_TLS) && sh->sh_type == SHT_NOBITS;
}

/* Does another allocated section lie in the addresses of .tbss tb (its usual
 * place: it takes none of its own)? */
static bool
tbss_overlaid(Elf *e, const GElf_Shdr *tb)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || !sh.sh_size ||
		    is_tbss(&sh)) {
			continue;
		}
		if (sh.sh_addr < tb->sh_addr + tb->sh_size && tb->sh_addr < sh.sh_addr + sh.sh_size) {
			return true;
		}
	}
	return false;
}

int
regions_place(struct regions *rs, const char *elf)
{
	struct elffile f = ELFFILE_INIT;
	GElf_Phdr *ph = NULL;
	size_t nph = 0, shstrndx;
	Elf_Scn *scn = NULL;
	char err[512];
	int rc = -1;

	clear_placement(rs);
	if (elffile_open(&f, elf, err, sizeof(err)) != ELFFILE_OK) {
		error("%s", err);
		goto out;
	}
	if (elf_getphdrnum(f.e, &nph) || elf_getshdrstrndx(f.e, &shstrndx)) {
		error("'%s': malformed ELF headers: %s", elf, elf_errmsg(-1));
		goto out;
	}
	ph = xcalloc(nph ? nph : 1, sizeof(*ph));
	for (size_t i = 0; i < nph; i++) {
		if (!gelf_getphdr(f.e, (int)i, &ph[i])) {
			error("'%s': bad program header %zu: %s", elf, i, elf_errmsg(-1));
			goto out;
		}
	}
	while ((scn = elf_nextscn(f.e, scn))) {
		GElf_Shdr sh;
		const char *name;
		struct region_section s;
		unsigned long long lma;

		if (!gelf_getshdr(scn, &sh)) {
			error("'%s': bad section header: %s", elf, elf_errmsg(-1));
			goto out;
		}
		/* .tbss usually has no addresses of its own: it overlays what follows
		 * it; a firmware's linker script may give it its own (picolibc's TLS
		 * block, before .bss), and then it takes RAM like .bss */
		if (!(sh.sh_flags & SHF_ALLOC) || !sh.sh_size ||
		    (is_tbss(&sh) && tbss_overlaid(f.e, &sh))) {
			continue;
		}
		name = elf_strptr(f.e, shstrndx, sh.sh_name);
		s = (struct region_section){
		    .name = (char *)(name && *name ? name : "[unnamed section]"),
		    .addr = sh.sh_addr,
		    .bytes = sh.sh_size,
		    .vma = sh.sh_addr,
		    .nobits = sh.sh_type == SHT_NOBITS,
		};
		place(rs, &s);
		if (s.nobits) {
			continue;
		}
		lma = load_address(ph, nph, &sh);
		if (lma != sh.sh_addr) {
			s.addr = lma;
			s.load_image = true;
			place(rs, &s);
		}
	}
	for (size_t i = 0; i < rs->n; i++) {
		if (rs->v[i].nsections > 1) {
			qsort(rs->v[i].sections, rs->v[i].nsections, sizeof(*rs->v[i].sections),
			      cmp_section);
		}
	}
	if (rs->noutside > 1) {
		qsort(rs->outside, rs->noutside, sizeof(*rs->outside), cmp_section);
	}
	rc = 0;
out:
	free(ph);
	elffile_release(&f);
	return rc;
}

double
regions_percent(const struct region *r)
{
	return r->length ? (double)r->used * 100.0 / (double)r->length : 0.0;
}
