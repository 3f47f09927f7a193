/* flame.c: size flame graphs. The symbols of a size report are grouped into a
 * tree (all, directory, file or component, symbol), or its sections when it has
 * no symbol table, and drawn by base/flamegraph.c, each box as wide as its bytes;
 * this file builds the tree and says in words what it was drawn from. */
#include "elf/flame.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/flamegraph.h"
#include "base/mem.h"
#include "elf/size.h"
#include "base/banned.h"

/* A symbol, and where its component splits into directory and file. */
struct entry {
	const struct size_symbol *s;
	size_t index;			/* in the report: the last tie-break */
	const char *comp;
	size_t dirlen;			/* bytes before the '/' that ends the directory */
	bool has_dir;
};

/* Find the directory of e->comp: the last '/' before any '(' (an archive
 * member's path is part of its file name), when a file name follows it. */
static void
split(struct entry *e)
{
	size_t end = strcspn(e->comp, "("), i;

	e->has_dir = false;
	for (i = end; i > 0; i--) {
		if (e->comp[i - 1] == '/') {
			break;
		}
	}
	if (i > 0 && e->comp[i] != '\0' && e->comp[i] != '(') {
		e->has_dir = true;
		e->dirlen = i - 1;
	}
}

/* Length of the level-1 name of e in e->comp. */
static size_t
key_len(const struct entry *e)
{
	return e->has_dir ? e->dirlen : strlen(e->comp);
}

static int
cmp_key(const struct entry *x, const struct entry *y)
{
	size_t xl = key_len(x), yl = key_len(y);
	int c = memcmp(x->comp, y->comp, xl < yl ? xl : yl);

	if (c) {
		return c;
	}
	if (xl != yl) {
		return xl < yl ? -1 : 1;
	}
	/* a component "src" and the directory "src/" stay apart */
	return (int)x->has_dir - (int)y->has_dir;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = cmp_key(x, y);

	if (!c) {
		c = strcmp(x->comp, y->comp);
	}
	if (!c) {
		c = x->index < y->index ? -1 : x->index > y->index;
	}
	return c;
}

/* Whether a symbol is code, by its section (or its nm letter without one). */
static bool
is_code(const struct size_symbol *s)
{
	const char *sec = s->section;

	if (!sec) {
		return s->kind == 'T' || s->kind == 't' || s->kind == 'i';
	}
	return !strncmp(sec, ".text", 5) || !strcmp(sec, ".init") || !strcmp(sec, ".fini") ||
	       !strncmp(sec, ".plt", 4) || !strcmp(sec, ".iplt");
}

/* Put the symbols of r under root: sorted by component, one pass makes the
 * groups. */
static void
build(const struct size_report *r, struct flamegraph_node *root)
{
	struct entry *e = xcalloc(r->nsymbols, sizeof(*e));
	struct flamegraph_node *l1 = NULL, *l2 = NULL;

	for (size_t i = 0; i < r->nsymbols; i++) {
		e[i].s = &r->symbols[i];
		e[i].index = i;
		e[i].comp = r->symbols[i].component ? r->symbols[i].component : "unattributed";
		split(&e[i]);
	}
	if (r->nsymbols > 1) {
		qsort(e, r->nsymbols, sizeof(*e), cmp_entry);
	}
	for (size_t i = 0; i < r->nsymbols; i++) {
		const struct entry *x = &e[i], *prev = i ? &e[i - 1] : NULL;
		struct flamegraph_node *sym;

		/* appended, not merged by name: entries come sorted by group */
		if (!prev || cmp_key(prev, x)) {
			if (x->has_dir) {
				char *dir = xasprintf("%.*s/", (int)x->dirlen, x->comp);

				l1 = flamegraph_add(root, dir, FLAMEGRAPH_TAN);
				free(dir);
			} else {
				l1 = flamegraph_add(root, x->comp, FLAMEGRAPH_TAN);
			}
			l2 = NULL;
		}
		if (x->has_dir && (!l2 || strcmp(prev->comp, x->comp))) {
			l2 = flamegraph_add(l1, x->comp + x->dirlen + 1, FLAMEGRAPH_TAN);
		}
		sym = flamegraph_add(x->has_dir ? l2 : l1, x->s->name ? x->s->name : "?",
		                     is_code(x->s) ? FLAMEGRAPH_CODE : FLAMEGRAPH_DATA);
		sym->self = x->s->bytes;
	}
	free(e);
}

/* Is r drawn from its sections? When it has no symbol table of its own (a
 * stripped file, whose dynamic symbols alone would draw a sliver of it) or no
 * symbols at all. */
static bool
by_sections(const struct size_report *r)
{
	return r->nsections && (r->dynamic_symbols || !r->nsymbols);
}

/* Put the sections of r under root, each with the symbols that lie in it (no
 * more than it holds). Sections with no bytes in the file (.bss) are left out:
 * the picture is of the file. */
static void
build_sections(const struct size_report *r, struct flamegraph_node *root)
{
	for (size_t i = 0; i < r->nsections; i++) {
		const struct size_section *x = &r->sections[i];
		struct flamegraph_node *sec;
		enum flamegraph_hue hue = FLAMEGRAPH_DATA;
		unsigned long long used = 0;

		if (!x->bytes) {
			continue;
		}
		if (x->name[0] == '[') {
			/* a file's headers and padding */
			hue = FLAMEGRAPH_TAN;
		} else if (!x->synthetic &&
		           (!strncmp(x->name, ".text", 5) || !strcmp(x->name, ".init") ||
		            !strcmp(x->name, ".fini") || !strncmp(x->name, ".plt", 4))) {
			hue = FLAMEGRAPH_CODE;
		}
		sec = flamegraph_add(root, x->name, hue);
		sec->self = x->bytes;
		sec->fixed = true;
		for (size_t j = 0; j < r->nsymbols; j++) {
			const struct size_symbol *y = &r->symbols[j];
			struct flamegraph_node *sym;

			if (x->synthetic || !y->section || strcmp(y->section, x->name) ||
			    y->bytes > x->bytes - used) {
				continue;
			}
			used += y->bytes;
			sym = flamegraph_add(sec, y->name ? y->name : "?",
			                     is_code(y) ? FLAMEGRAPH_CODE : FLAMEGRAPH_DATA);
			sym->self = y->bytes;
		}
	}
}

void
flame_svg(const struct size_report *r, struct buf *out)
{
	struct flamegraph_node root;
	struct buf title = BUF_INIT, subtitle = BUF_INIT;
	struct flamegraph_style style = {0};

	flamegraph_init(&root, r->file ? r->file : "(unnamed)", FLAMEGRAPH_GREY);
	if (by_sections(r)) {
		build_sections(r, &root);
	} else {
		build(r, &root);
	}
	flamegraph_finish(&root);
	buf_printf(&title, "Size flame graph of %s", root.name);
	if (by_sections(r)) {
		/* what it is drawn from, since it is not what a symbol graph shows */
		buf_printf(&subtitle, "drawn from its %zu sections (%llu bytes): %s", root.nkids,
		           root.value,
		           r->dynamic_symbols ? "no symbol table, the file is stripped"
		                              : "no symbols");
		if (r->nsymbols) {
			buf_printf(&subtitle, "; its %zu dynamic symbols stand on their sections",
			           r->nsymbols);
		}
		buf_adds(&subtitle, "; red-yellow: code, blue: data, tan: headers and padding");
	} else {
		buf_printf(&subtitle, "%llu bytes in %zu symbols (file: %llu bytes", root.value,
		           r->nsymbols, r->bytes);
		if (r->attribution) {
			buf_printf(&subtitle, ", components: %s", r->attribution);
		}
		buf_adds(&subtitle, "); red-yellow: code, blue: data, tan: groups");
	}
	style.title = buf_str(&title);
	style.subtitle = buf_str(&subtitle);
	style.unit = "bytes";
	flamegraph_svg(&root, &style, out);
	buf_release(&title);
	buf_release(&subtitle);
	flamegraph_release(&root);
}
