/* flameboxes.h: the boxes of a flame graph SVG (base/flamegraph.c draws them) read
 * back for the flame tests. Header-only (static), as each unit test is built from
 * its own file and testutil.c alone. */
#ifndef OUNCE_FLAMEBOXES_H
#define OUNCE_FLAMEBOXES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

/* A drawn box as the SVG gives it. */
struct box {
	char *title;	/* the <title> text, still escaped */
	char *label;	/* the <text>, or NULL */
	double x, y, w;
	unsigned fill;	/* 0xrrggbb */
};

struct boxes {
	struct box *v;
	size_t n;
};

/* A copy of the text between p and the first occurrence of end after it. */
static char *
until(const char *p, const char *end)
{
	const char *q = strstr(p, end);

	assert_non_null(q);
	return xstrndup(p, (size_t)(q - p));
}

/* Every box of svg, in drawing order. */
static void
parse_boxes(const char *svg, struct boxes *bs)
{
	static const char open[] = "<g class=\"box\"><title>";
	const char *p = svg;

	bs->v = NULL;
	bs->n = 0;
	while ((p = strstr(p, open))) {
		struct box *b;
		char *g, *text;

		p += strlen(open);
		g = until(p, "</g>");
		bs->v = xreallocarray(bs->v, bs->n + 1, sizeof(*bs->v));
		b = &bs->v[bs->n++];
		b->title = until(g, "</title>");
		assert_int_equal(sscanf(strstr(g, "<rect "),
					"<rect x=\"%lf\" y=\"%lf\" width=\"%lf\"", &b->x, &b->y,
					&b->w),
				 3);
		assert_int_equal(sscanf(strstr(g, "fill=\"#"), "fill=\"#%6x\"", &b->fill), 1);
		text = strstr(g, "<text ");
		b->label = text ? until(strchr(text, '>') + 1, "</text>") : NULL;
		free(g);
	}
}

static void
boxes_release(struct boxes *bs)
{
	for (size_t i = 0; i < bs->n; i++) {
		free(bs->v[i].title);
		free(bs->v[i].label);
	}
	free(bs->v);
}

#endif
