/* flamegraph.h: a flame graph of a tree of named values, drawn as a self-contained SVG. */
#ifndef OUNCE_FLAMEGRAPH_H
#define OUNCE_FLAMEGRAPH_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct flamegraph_index;

/* The colour family of a box; the shade within it comes from a hash of the name,
 * so a name keeps its colour from run to run. In this order where two boxes of
 * the same value and name are sorted. */
enum flamegraph_hue {
	FLAMEGRAPH_GREY, /* the whole */
	FLAMEGRAPH_TAN,  /* groups, headers and padding: tan to sand */
	FLAMEGRAPH_DATA, /* blues */
	FLAMEGRAPH_CODE, /* reds to yellows, as in CPU flame graphs */
	FLAMEGRAPH_RGB,  /* the node's own colour, rgb (a differential graph's) */
};

/* A box. Callers add to self and self_count; flamegraph_finish computes value
 * and count: self + the kids' sum, or self alone for a fixed node (a section's
 * bytes are its own, not the sum of the few symbols standing on it; its kids
 * must then not add up to more than it). The tree owns names, kids and index. */
struct flamegraph_node {
	char *name;
	enum flamegraph_hue hue;
	bool fixed;
	unsigned long long self;       /* the node's own width, not its kids' */
	unsigned long long self_count; /* its own second figure (allocations) */
	unsigned long long value;      /* the width: computed by flamegraph_finish */
	unsigned long long count;      /* shown in titles when the style has a count_unit */
	struct flamegraph_node **kids; /* largest first once finished */
	size_t nkids, cap;
	struct flamegraph_index *index; /* kids by name, built by flamegraph_kid */
	unsigned rgb;                   /* 0xrrggbb: the fill of a FLAMEGRAPH_RGB box */
	char *note;                     /* owned: added to the box's title, or NULL */
};

/* The words of a drawing; all plain text, escaped when drawn. */
struct flamegraph_style {
	const char *title;      /* the heading: "Size flame graph of FILE" */
	const char *subtitle;   /* the line below it: what the graph is drawn from */
	const char *unit;       /* of values: "bytes", "allocations" */
	const char *count_unit; /* of counts ("allocations"), or NULL to show none */
};

/* Make root an empty tree named name (copied); flamegraph_release frees it. */
void flamegraph_init(struct flamegraph_node *root, const char *name, enum flamegraph_hue hue);
/* Free what root owns (names, kids), not root itself. */
void flamegraph_release(struct flamegraph_node *root);
/* Append a new kid named name (copied) to parent, even when one has that name
 * already; the tree owns it and its pointer stays good until release. */
struct flamegraph_node *flamegraph_add(struct flamegraph_node *parent, const char *name,
                                       enum flamegraph_hue hue);
/* The first kid of parent named name (in the kids' order, which a finish sorts),
 * or a new one with hue (as flamegraph_add); hue is not compared. Amortised O(1):
 * past a few kids, a hash of their names is kept per node. */
struct flamegraph_node *flamegraph_kid(struct flamegraph_node *parent, const char *name,
                                       enum flamegraph_hue hue);
/* Add a stack of n frames, outermost first, under root (merged by name at each
 * level, as flamegraph_kid) and value and count to the innermost frame's self
 * (root's when n is 0); returns that frame. */
struct flamegraph_node *flamegraph_add_path(struct flamegraph_node *root, const char *const *names,
                                            size_t n, enum flamegraph_hue hue,
                                            unsigned long long value, unsigned long long count);
/* Compute value and count of every node (sums saturate at LLONG_MAX) and sort
 * every node's kids largest first, ties by name, then hue. Can be run again
 * after more is added. */
void flamegraph_finish(struct flamegraph_node *root);
/* Append root, finished, as an SVG to out: the width of a box is its value, the
 * bottom row is root (labelled "name: N unit[, M count_unit]"), and each row above
 * splits a box into its kids, largest first, from the left. Boxes under 0.1 %
 * of the width are left out (with everything above them), their value staying
 * in their parent and summed in a note after the subtitle. Each box is a
 * <g class="box"> with a <title> "name: N unit[, M count_unit] (P%)[; note]", which a
 * browser shows on hover, a <rect> and a label cut with ".." to fit. No script,
 * fonts or links. */
void flamegraph_svg(const struct flamegraph_node *root, const struct flamegraph_style *style,
                    struct buf *out);

#endif
