/* flamegraph.c: flame graphs of any tree of named values (a file's bytes by
 * symbol, a heap's bytes by stack). The tree is summed and sorted, then drawn as
 * SVG rows from the bottom up, each box as wide as its value. Box edges are
 * computed from value offsets, so a row never sticks out of the box below it. */
#include "base/flamegraph.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/buf.h"
#include "base/markup.h"
#include "base/mem.h"
#include "base/banned.h"

/* Geometry, in pixels. */
#define FLAME_WIDTH 1200 /* the whole picture */
#define FLAME_MARGIN 10  /* left and right of the graph, and below it */
#define FLAME_TOP 52     /* room for the heading above the top row */
#define FLAME_ROW 18     /* one row; a box is a pixel shorter */
#define FLAME_PAD 3      /* between a box's edge and its label */
#define FLAME_CHAR 7     /* estimated width of a character of a label */
/* A box narrower than 1/FLAME_MIN_FRACTION of the width is not drawn. */
#define FLAME_MIN_FRACTION 1000
/* Kids are found by a scan up to this many, by the hash beyond. */
#define FLAME_SCAN_MAX 8
/* Sums saturate here, as the size report's do, so none is negative as signed. */
#define FLAME_VALUE_MAX ((unsigned long long)LLONG_MAX)

/* Open addressing over a node's kids: slot holds a kid's index + 1, 0 is free;
 * at most half the slots are used. */
struct flamegraph_index {
	size_t *slot;
	size_t cap; /* a power of two */
};

/* What drawing needs besides the tree. */
struct draw {
	struct buf *out;
	const struct flamegraph_style *style;
	unsigned long long total;  /* value of the whole width */
	unsigned long long hidden; /* value in boxes too narrow to draw */
	int depth;                 /* deepest row drawn */
	int base;                  /* y of the bottom row */
};

static unsigned long long
add(unsigned long long a, unsigned long long b)
{
	return a > FLAME_VALUE_MAX || b > FLAME_VALUE_MAX - a ? FLAME_VALUE_MAX : a + b;
}

static void
node_init(struct flamegraph_node *n, const char *name, enum flamegraph_hue hue)
{
	memset(n, 0, sizeof(*n));
	n->name = xstrdup(name);
	n->hue = hue;
}

void
flamegraph_init(struct flamegraph_node *root, const char *name, enum flamegraph_hue hue)
{
	node_init(root, name, hue);
}

static void
index_free(struct flamegraph_node *n)
{
	if (n->index) {
		free(n->index->slot);
		free(n->index);
		n->index = NULL;
	}
}

void
flamegraph_release(struct flamegraph_node *root)
{
	for (size_t i = 0; i < root->nkids; i++) {
		flamegraph_release(root->kids[i]);
		free(root->kids[i]);
	}
	free(root->kids);
	index_free(root);
	free(root->name);
	free(root->note);
	memset(root, 0, sizeof(*root));
}

static size_t
hash(const char *name)
{
	return (size_t)XXH3_64bits(name, strlen(name));
}

/* Put kid i of n in n's index, unless a kid of the same name is there. */
static void
index_put(struct flamegraph_node *n, size_t i)
{
	struct flamegraph_index *x = n->index;
	size_t mask = x->cap - 1;

	for (size_t h = hash(n->kids[i]->name) & mask;; h = (h + 1) & mask) {
		if (!x->slot[h]) {
			x->slot[h] = i + 1;
			return;
		}
		if (!strcmp(n->kids[x->slot[h] - 1]->name, n->kids[i]->name)) {
			return;
		}
	}
}

/* Make n's index hold all its kids, with room for one more. */
static void
index_fit(struct flamegraph_node *n)
{
	size_t cap = 16;

	while (cap / 2 < n->nkids + 1) {
		cap *= 2;
	}
	if (n->index && n->index->cap >= cap) {
		return;
	}
	index_free(n);
	n->index = xmalloc(sizeof(*n->index));
	n->index->cap = cap;
	n->index->slot = xcalloc(cap, sizeof(*n->index->slot));
	/* in kid order, so the first of equal names is the one found */
	for (size_t i = 0; i < n->nkids; i++) {
		index_put(n, i);
	}
}

struct flamegraph_node *
flamegraph_add(struct flamegraph_node *parent, const char *name, enum flamegraph_hue hue)
{
	struct flamegraph_node *n = xmalloc(sizeof(*n));

	node_init(n, name, hue);
	if (parent->index) {
		index_fit(parent);
	}
	parent->kids =
	    xgrowarray(parent->kids, &parent->cap, parent->nkids + 1, sizeof(*parent->kids));
	parent->kids[parent->nkids++] = n;
	if (parent->index) {
		index_put(parent, parent->nkids - 1);
	}
	return n;
}

struct flamegraph_node *
flamegraph_kid(struct flamegraph_node *parent, const char *name, enum flamegraph_hue hue)
{
	struct flamegraph_index *x;
	size_t mask;

	if (parent->nkids < FLAME_SCAN_MAX) {
		for (size_t i = 0; i < parent->nkids; i++) {
			if (!strcmp(parent->kids[i]->name, name)) {
				return parent->kids[i];
			}
		}
		return flamegraph_add(parent, name, hue);
	}
	index_fit(parent);
	x = parent->index;
	mask = x->cap - 1;
	for (size_t h = hash(name) & mask; x->slot[h]; h = (h + 1) & mask) {
		struct flamegraph_node *k = parent->kids[x->slot[h] - 1];

		if (!strcmp(k->name, name)) {
			return k;
		}
	}
	return flamegraph_add(parent, name, hue);
}

struct flamegraph_node *
flamegraph_add_path(struct flamegraph_node *root, const char *const *names, size_t n,
                    enum flamegraph_hue hue, unsigned long long value, unsigned long long count)
{
	struct flamegraph_node *at = root;

	for (size_t i = 0; i < n; i++) {
		at = flamegraph_kid(at, names[i], hue);
	}
	at->self = add(at->self, value);
	at->self_count = add(at->self_count, count);
	return at;
}

static int
cmp_node(const void *a, const void *b)
{
	const struct flamegraph_node *x = *(struct flamegraph_node *const *)a;
	const struct flamegraph_node *y = *(struct flamegraph_node *const *)b;
	int c;

	if (x->value != y->value) {
		return x->value > y->value ? -1 : 1;
	}
	c = strcmp(x->name, y->name);
	return c ? c : (int)x->hue - (int)y->hue;
}

void
flamegraph_finish(struct flamegraph_node *n)
{
	n->value = n->self;
	n->count = n->self_count;
	for (size_t i = 0; i < n->nkids; i++) {
		flamegraph_finish(n->kids[i]);
		if (!n->fixed) {
			n->value = add(n->value, n->kids[i]->value);
			n->count = add(n->count, n->kids[i]->count);
		}
	}
	if (n->nkids > 1) {
		/* the kids move: the index is rebuilt when next needed */
		index_free(n);
		qsort(n->kids, n->nkids, sizeof(*n->kids), cmp_node);
	}
}

/* Append n's fill: a shade of its hue picked by a hash of its name. */
static void
put_fill(struct buf *out, const struct flamegraph_node *n)
{
	/* a colour per name that stays the same from run to run */
	uint64_t h = XXH3_64bits(n->name, strlen(n->name));
	unsigned a = h & 0xff, b = (h >> 8) & 0xff, c = (h >> 16) & 0xff;
	unsigned red, green, blue;

	switch (n->hue) {
	case FLAMEGRAPH_GREY:
		red = green = blue = 0xd0;
		break;
	case FLAMEGRAPH_TAN:
		/* green and blue below red: tan to sand, never green or pink */
		red = 210 + 35 * a / 255;
		green = red - 40 + 25 * b / 255;
		blue = 130 + 40 * c / 255;
		break;
	case FLAMEGRAPH_RGB:
		red = (n->rgb >> 16) & 0xff;
		green = (n->rgb >> 8) & 0xff;
		blue = n->rgb & 0xff;
		break;
	case FLAMEGRAPH_CODE:
		red = 205 + 50 * a / 255;
		green = 230 * b / 255;
		blue = 55 * c / 255;
		break;
	case FLAMEGRAPH_DATA:
	default:
		red = 90 + 70 * a / 255;
		green = 160 + 60 * b / 255;
		blue = 215 + 40 * c / 255;
		break;
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
visible(const struct draw *d, const struct flamegraph_node *n, int depth)
{
	if (depth == 0) {
		return true;
	}
	return d->total && (n->value > ULLONG_MAX / FLAME_MIN_FRACTION ||
	                    n->value * FLAME_MIN_FRACTION >= d->total);
}

/* The x of value offset off, in hundredths of a pixel. Monotonic in off, so
 * children, laid out from their parent's offset, stay within its edges. */
static unsigned long long
edge(const struct draw *d, unsigned long long off)
{
	double graph = (FLAME_WIDTH - 2 * FLAME_MARGIN) * 100.0;

	return FLAME_MARGIN * 100ULL +
	       (unsigned long long)((double)off / (double)d->total * graph + 0.5);
}

/* Find the deepest row drawn and the value left out. */
static void
measure(const struct flamegraph_node *n, int depth, struct draw *d)
{
	if (!visible(d, n, depth)) {
		d->hidden = add(d->hidden, n->value);
		return;
	}
	if (depth > d->depth) {
		d->depth = depth;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		measure(n->kids[i], depth + 1, d);
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

/* Append "N unit", and ", M count_unit" when the style shows counts, as plain text. */
static void
put_figures(struct buf *out, const struct flamegraph_node *n, const struct flamegraph_style *s)
{
	buf_printf(out, "%llu %s", n->value, s->unit);
	if (s->count_unit) {
		buf_printf(out, ", %llu %s", n->count, s->count_unit);
	}
}

/* Draw n at value offset off of row depth, then what stands on it. */
static void
draw_node(const struct flamegraph_node *n, int depth, unsigned long long off, struct draw *d)
{
	struct buf *out = d->out, text = BUF_INIT;
	unsigned long long left, right;
	int y = d->base - depth * FLAME_ROW;

	if (!visible(d, n, depth)) {
		return;
	}
	if (depth == 0) {
		/* the whole width, even with no value at all */
		left = FLAME_MARGIN * 100ULL;
		right = (FLAME_WIDTH - FLAME_MARGIN) * 100ULL;
	} else {
		left = edge(d, off);
		right = edge(d, off + n->value);
	}
	buf_adds(out, "<g class=\"box\"><title>");
	buf_printf(&text, "%s: ", n->name);
	put_figures(&text, n, d->style);
	markup_escape(out, buf_str(&text), SIZE_MAX, "?");
	buf_adds(out, " (");
	put_percent(out, n->value, d->total);
	buf_adds(out, ")");
	if (n->note) {
		buf_adds(out, "; ");
		markup_escape(out, n->note, SIZE_MAX, "?");
	}
	buf_adds(out, "</title><rect x=\"");
	put_px(out, left);
	buf_printf(out, "\" y=\"%d\" width=\"", y);
	put_px(out, right - left);
	buf_printf(out, "\" height=\"%d\" rx=\"2\" fill=\"", FLAME_ROW - 1);
	put_fill(out, n);
	buf_adds(out, "\"/>");
	/* the bottom row's label has its figures too: the total is read there */
	put_label(out, depth == 0 ? buf_str(&text) : n->name, left, y, right - left);
	buf_release(&text);
	buf_adds(out, "</g>\n");
	for (size_t i = 0; i < n->nkids; i++) {
		draw_node(n->kids[i], depth + 1, off, d);
		off = add(off, n->kids[i]->value);
	}
}

void
flamegraph_svg(const struct flamegraph_node *root, const struct flamegraph_style *style,
               struct buf *out)
{
	struct draw d = {0};
	int height;

	d.out = out;
	d.style = style;
	d.total = root->value;
	measure(root, 0, &d);
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
	markup_escape(out, style->title, SIZE_MAX, "?");
	buf_printf(out, "</text>\n<text x=\"%d\" y=\"40\" text-anchor=\"middle\" fill=\"#555\">",
	           FLAME_WIDTH / 2);
	markup_escape(out, style->subtitle, SIZE_MAX, "?");
	if (d.hidden) {
		struct buf note = BUF_INIT;

		buf_printf(&note, "; %llu %s in boxes too narrow to draw", d.hidden, style->unit);
		markup_escape(out, buf_str(&note), SIZE_MAX, "?");
		buf_release(&note);
	}
	buf_adds(out, "</text>\n");
	draw_node(root, 0, 0, &d);
	buf_adds(out, "</svg>\n");
}
