/* flame.c: size flame graphs. The symbols of a size report are grouped into a
 * tree (all, directory, file or component, symbol), then drawn as SVG rows from
 * the bottom up, each box as wide as its bytes. Box edges are computed from byte
 * offsets, so a row of boxes never sticks out of the box below it. */
#include "elf/flame.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/buf.h"
#include "base/markup.h"
#include "base/mem.h"
#include "elf/size.h"
#include "base/banned.h"

/* Geometry, in pixels. */
#define FLAME_WIDTH 1200	/* the whole picture */
#define FLAME_MARGIN 10		/* left and right of the graph, and below it */
#define FLAME_TOP 52		/* room for the heading above the top row */
#define FLAME_ROW 18		/* one row; a box is a pixel shorter */
#define FLAME_PAD 3		/* between a box's edge and its label */
#define FLAME_CHAR 7		/* estimated width of a character of a label */
/* A box narrower than 1/FLAME_MIN_FRACTION of the width is not drawn. */
#define FLAME_MIN_FRACTION 1000

/* A section's bytes are its own (the file's bytes it holds), not the sum of the
 * symbols standing on it: a stripped file's few dynamic symbols cover little of it. */
enum node_kind { NODE_ALL, NODE_GROUP, NODE_SECTION, NODE_SYMBOL };

struct node {
	char *name;
	unsigned long long bytes;
	enum node_kind kind;
	bool code;			/* a symbol in a code section */
	struct node *kids;		/* largest first once finished */
	size_t nkids, cap;
};

/* A symbol, and where its component splits into directory and file. */
struct entry {
	const struct size_symbol *s;
	size_t index;			/* in the report: the last tie-break */
	const char *comp;
	size_t dirlen;			/* bytes before the '/' that ends the directory */
	bool has_dir;
};

/* What drawing needs besides the tree. */
struct draw {
	struct buf *out;
	unsigned long long total;	/* bytes of the whole width */
	unsigned long long hidden;	/* bytes in boxes too narrow to draw */
	int depth;			/* deepest row drawn */
	int base;			/* y of the bottom row */
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

/* Append a node named name (taken over) to parent's children; the pointer is
 * good until the next child of parent. */
static struct node *
add_kid(struct node *parent, char *name, enum node_kind kind)
{
	struct node *n;

	parent->kids =
	    xgrowarray(parent->kids, &parent->cap, parent->nkids + 1, sizeof(*parent->kids));
	n = &parent->kids[parent->nkids++];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->kind = kind;
	return n;
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
build(const struct size_report *r, struct node *root)
{
	struct entry *e = xcalloc(r->nsymbols, sizeof(*e));
	struct node *l1 = NULL, *l2 = NULL;

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
		struct node *sym;

		if (!prev || cmp_key(prev, x)) {
			l1 = add_kid(root,
				     x->has_dir ? xasprintf("%.*s/", (int)x->dirlen, x->comp)
						: xstrdup(x->comp),
				     NODE_GROUP);
			l2 = NULL;
		}
		if (x->has_dir && (!l2 || strcmp(prev->comp, x->comp))) {
			l2 = add_kid(l1, xstrdup(x->comp + x->dirlen + 1), NODE_GROUP);
		}
		sym = add_kid(x->has_dir ? l2 : l1, xstrdup(x->s->name ? x->s->name : "?"),
			      NODE_SYMBOL);
		sym->bytes = x->s->bytes;
		sym->code = is_code(x->s);
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
build_sections(const struct size_report *r, struct node *root)
{
	for (size_t i = 0; i < r->nsections; i++) {
		const struct size_section *x = &r->sections[i];
		struct node *sec;
		unsigned long long used = 0;

		if (!x->bytes) {
			continue;
		}
		sec = add_kid(root, xstrdup(x->name), NODE_SECTION);
		sec->bytes = x->bytes;
		sec->code = !x->synthetic && (!strncmp(x->name, ".text", 5) ||
					      !strcmp(x->name, ".init") || !strcmp(x->name, ".fini") ||
					      !strncmp(x->name, ".plt", 4));
		for (size_t j = 0; j < r->nsymbols; j++) {
			const struct size_symbol *y = &r->symbols[j];
			struct node *sym;

			if (x->synthetic || !y->section || strcmp(y->section, x->name) ||
			    y->bytes > x->bytes - used) {
				continue;
			}
			used += y->bytes;
			sym = add_kid(sec, xstrdup(y->name ? y->name : "?"), NODE_SYMBOL);
			sym->bytes = y->bytes;
			sym->code = is_code(y);
		}
	}
}

static int
cmp_node(const void *a, const void *b)
{
	const struct node *x = a, *y = b;
	int c;

	if (x->bytes != y->bytes) {
		return x->bytes > y->bytes ? -1 : 1;
	}
	c = strcmp(x->name, y->name);
	return c ? c : (int)x->code - (int)y->code;
}

/* Sum the bytes of groups and sort every level, largest first. */
static void
finish(struct node *n)
{
	if (n->kind == NODE_ALL || n->kind == NODE_GROUP) {
		n->bytes = 0;
		for (size_t i = 0; i < n->nkids; i++) {
			finish(&n->kids[i]);
			n->bytes = size_add(n->bytes, n->kids[i].bytes);
		}
	}
	if (n->nkids > 1) {
		qsort(n->kids, n->nkids, sizeof(*n->kids), cmp_node);
	}
}

static void
node_release(struct node *n)
{
	for (size_t i = 0; i < n->nkids; i++) {
		node_release(&n->kids[i]);
	}
	free(n->kids);
	free(n->name);
}

/* Append n's fill: reds to yellows for code (as in CPU flame graphs), blues for
 * data, tans for groups, grey for the whole. */
static void
put_fill(struct buf *out, const struct node *n)
{
	/* a colour per name that stays the same from run to run */
	uint64_t h = XXH3_64bits(n->name, strlen(n->name));
	unsigned a = h & 0xff, b = (h >> 8) & 0xff, c = (h >> 16) & 0xff;
	unsigned red, green, blue;

	if (n->kind == NODE_ALL) {
		red = green = blue = 0xd0;
	} else if (n->kind == NODE_GROUP || (n->kind == NODE_SECTION && n->name[0] == '[')) {
		/* groups, and a file's headers and padding: green and blue below
		 * red, tan to sand, never green or pink */
		red = 210 + 35 * a / 255;
		green = red - 40 + 25 * b / 255;
		blue = 130 + 40 * c / 255;
	} else if (n->code) {
		red = 205 + 50 * a / 255;
		green = 230 * b / 255;
		blue = 55 * c / 255;
	} else {
		red = 90 + 70 * a / 255;
		green = 160 + 60 * b / 255;
		blue = 215 + 40 * c / 255;
	}
	buf_printf(out, "#%02x%02x%02x", red, green, blue);
}

/* Append a length in hundredths of a pixel as pixels. */
static void
put_px(struct buf *out, unsigned long long centi)
{
	buf_printf(out, "%llu.%02llu", centi / 100, centi % 100);
}

static void
put_percent(struct buf *out, unsigned long long part, unsigned long long total)
{
	buf_printf(out, "%.2f%%", total ? 100.0 * (double)part / (double)total : 100.0);
}

static bool
visible(const struct draw *d, const struct node *n, int depth)
{
	if (depth == 0) {
		return true;
	}
	return d->total &&
	       (n->bytes > ULLONG_MAX / FLAME_MIN_FRACTION ||
		n->bytes * FLAME_MIN_FRACTION >= d->total);
}

/* The x of byte offset off, in hundredths of a pixel. Monotonic in off, so
 * children, laid out from their parent's offset, stay within its edges. */
static unsigned long long
edge(const struct draw *d, unsigned long long off)
{
	double graph = (FLAME_WIDTH - 2 * FLAME_MARGIN) * 100.0;

	return FLAME_MARGIN * 100ULL +
	       (unsigned long long)((double)off / (double)d->total * graph + 0.5);
}

/* Find the deepest row drawn and the bytes left out. */
static void
measure(const struct node *n, int depth, struct draw *d)
{
	if (!visible(d, n, depth)) {
		d->hidden = size_add(d->hidden, n->bytes);
		return;
	}
	if (depth > d->depth) {
		d->depth = depth;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		measure(&n->kids[i], depth + 1, d);
	}
}

/* The label of a box w hundredths of a pixel wide: as many characters as fit
 * by estimate, cut with "..", or nothing when not even three fit. */
static void
put_label(struct buf *out, const char *text, unsigned long long x, int y, unsigned long long w)
{
	unsigned long long pad = 2 * FLAME_PAD * 100;
	size_t fit = w > pad ? (size_t)((w - pad) / (FLAME_CHAR * 100)) : 0;
	size_t len = markup_chars(text);

	if (fit < 3) {
		return;
	}
	buf_adds(out, "<text x=\"");
	put_px(out, x + FLAME_PAD * 100);
	buf_printf(out, "\" y=\"%d\">", y + 12);
	if (len <= fit) {
		markup_escape(out, text, len, "?");
	} else {
		markup_escape(out, text, fit - 2, "?");
		buf_adds(out, "..");
	}
	buf_adds(out, "</text>");
}

/* Draw n at byte offset off of row depth, then what stands on it. */
static void
draw_node(const struct node *n, int depth, unsigned long long off, struct draw *d)
{
	struct buf *out = d->out;
	unsigned long long left, right;
	int y = d->base - depth * FLAME_ROW;

	if (!visible(d, n, depth)) {
		return;
	}
	if (depth == 0) {
		/* the whole width, even with no bytes at all */
		left = FLAME_MARGIN * 100ULL;
		right = (FLAME_WIDTH - FLAME_MARGIN) * 100ULL;
	} else {
		left = edge(d, off);
		right = edge(d, off + n->bytes);
	}
	buf_adds(out, "<g class=\"box\"><title>");
	markup_escape(out, n->name, SIZE_MAX, "?");
	buf_printf(out, ": %llu bytes (", n->bytes);
	put_percent(out, n->bytes, d->total);
	buf_adds(out, ")</title><rect x=\"");
	put_px(out, left);
	buf_printf(out, "\" y=\"%d\" width=\"", y);
	put_px(out, right - left);
	buf_printf(out, "\" height=\"%d\" rx=\"2\" fill=\"", FLAME_ROW - 1);
	put_fill(out, n);
	buf_adds(out, "\"/>");
	if (depth == 0) {
		char *label = xasprintf("%s: %llu bytes", n->name, n->bytes);

		put_label(out, label, left, y, right - left);
		free(label);
	} else {
		put_label(out, n->name, left, y, right - left);
	}
	buf_adds(out, "</g>\n");
	for (size_t i = 0; i < n->nkids; i++) {
		draw_node(&n->kids[i], depth + 1, off, d);
		off = size_add(off, n->kids[i].bytes);
	}
}

void
flame_svg(const struct size_report *r, struct buf *out)
{
	struct node root = {0};
	struct draw d = {0};
	int height;

	root.name = xstrdup(r->file ? r->file : "(unnamed)");
	root.kind = NODE_ALL;
	if (by_sections(r)) {
		build_sections(r, &root);
	} else {
		build(r, &root);
	}
	finish(&root);
	d.out = out;
	d.total = root.bytes;
	measure(&root, 0, &d);
	d.base = FLAME_TOP + d.depth * FLAME_ROW;
	height = d.base + FLAME_ROW + FLAME_MARGIN;

	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	buf_printf(out,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"monospace\" "
		   "font-size=\"11\">\n",
		   FLAME_WIDTH, height, FLAME_WIDTH, height);
	buf_printf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fdfaf3\"/>\n",
		   FLAME_WIDTH, height);
	buf_printf(out, "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"16\">",
		   FLAME_WIDTH / 2);
	buf_adds(out, "Size flame graph of ");
	markup_escape(out, root.name, SIZE_MAX, "?");
	buf_printf(out, "</text>\n<text x=\"%d\" y=\"40\" text-anchor=\"middle\" fill=\"#555\">",
		   FLAME_WIDTH / 2);
	if (by_sections(r)) {
		/* what it is drawn from, since it is not what a symbol graph shows */
		buf_printf(out, "drawn from its %zu sections (%llu bytes): %s", root.nkids, root.bytes,
			   r->dynamic_symbols ? "no symbol table, the file is stripped"
					      : "no symbols");
		if (r->nsymbols) {
			buf_printf(out, "; its %zu dynamic symbols stand on their sections",
				   r->nsymbols);
		}
		buf_adds(out, "; red-yellow: code, blue: data, tan: headers and padding");
	} else {
		buf_printf(out, "%llu bytes in %zu symbols (file: %llu bytes", root.bytes,
			   r->nsymbols, r->bytes);
		if (r->attribution) {
			buf_adds(out, ", components: ");
			markup_escape(out, r->attribution, SIZE_MAX, "?");
		}
		buf_adds(out, "); red-yellow: code, blue: data, tan: groups");
	}
	if (d.hidden) {
		buf_printf(out, "; %llu bytes in boxes too narrow to draw", d.hidden);
	}
	buf_adds(out, "</text>\n");
	draw_node(&root, 0, 0, &d);
	buf_adds(out, "</svg>\n");
	node_release(&root);
}
