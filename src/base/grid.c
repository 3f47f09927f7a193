/* grid.c: aligned text, Markdown and CSV from one table of strings, for the size
 * and diff reports. */
#include "base/grid.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/banned.h"

void
grid_init(struct grid *g, size_t ncols, const char *const *headers, const bool *right)
{
	memset(g, 0, sizeof(*g));
	g->ncols = ncols;
	g->headers = headers;
	g->right = right;
}

void
grid_row(struct grid *g, const char *fmt, ...)
{
	va_list ap;
	char *line, **cols;
	size_t c = 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	line = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(line, (size_t)n + 1, fmt, ap);
	va_end(ap);
	cols = xcalloc(g->ncols, sizeof(*cols));
	for (const char *p = line; c < g->ncols; c++) {
		size_t len = strcspn(p, "\t");

		cols[c] = xstrndup(p, len);
		p += len;
		if (*p) {
			p++;
		}
	}
	grid_row_take(g, cols);
	free(cols);
	free(line);
}

void
grid_row_take(struct grid *g, char **cols)
{
	g->cells = xreallocarray(g->cells, (g->nrows + 1) * g->ncols, sizeof(*g->cells));
	g->after = xreallocarray(g->after, g->nrows + 1, sizeof(*g->after));
	memcpy(&g->cells[g->nrows * g->ncols], cols, g->ncols * sizeof(*cols));
	g->after[g->nrows] = NULL;
	g->nrows++;
}

void
grid_after(struct grid *g, const char *text)
{
	char **a = &g->after[g->nrows - 1];
	char *old = *a;

	*a = xasprintf("%s%s", old ? old : "", text);
	free(old);
}

static void
pad(struct buf *out, const char *s, size_t w, bool right)
{
	size_t n = strlen(s);

	for (size_t i = n; right && i < w; i++) {
		buf_addc(out, ' ');
	}
	buf_adds(out, s);
	for (size_t i = n; !right && i < w; i++) {
		buf_addc(out, ' ');
	}
}

void
grid_csv_field(struct buf *out, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		buf_adds(out, s);
		return;
	}
	buf_addc(out, '"');
	for (; *s; s++) {
		if (*s == '"') {
			buf_addc(out, '"');
		}
		buf_addc(out, *s);
	}
	buf_addc(out, '"');
}

void
grid_render(const struct grid *g, const char *format, struct buf *out)
{
	bool md = !strcmp(format, "md"), csv = !strcmp(format, "csv");
	size_t *w = xcalloc(g->ncols, sizeof(*w));

	if (csv) {
		for (size_t c = 0; c < g->ncols; c++) {
			buf_adds(out, c ? "," : "");
			grid_csv_field(out, g->headers[c]);
		}
		buf_addc(out, '\n');
		for (size_t r = 0; r < g->nrows; r++) {
			for (size_t c = 0; c < g->ncols; c++) {
				buf_adds(out, c ? "," : "");
				grid_csv_field(out, g->cells[r * g->ncols + c]);
			}
			buf_addc(out, '\n');
		}
		free(w);
		return;
	}
	/* in Markdown a '|' in a cell (a C++ operator|) must not split the row */
	char **text = xcalloc((g->nrows + 1) * g->ncols, sizeof(*text));

	for (size_t i = 0; i < (g->nrows + 1) * g->ncols; i++) {
		const char *cell = i < g->ncols ? g->headers[i] : g->cells[i - g->ncols];
		struct buf esc = BUF_INIT;

		for (const char *p = cell; md && *p; p++) {
			if (*p == '|') {
				buf_addc(&esc, '\\');
			}
			buf_addc(&esc, *p);
		}
		text[i] = md ? buf_detach(&esc) : xstrdup(cell);
	}
	for (size_t c = 0; c < g->ncols; c++) {
		w[c] = 0;
		for (size_t r = 0; r <= g->nrows; r++) {
			size_t n = strlen(text[r * g->ncols + c]);

			w[c] = n > w[c] ? n : w[c];
		}
	}
	for (size_t r = 0; r <= g->nrows + 1; r++) {
		for (size_t c = 0; c < g->ncols; c++) {
			bool last = c + 1 == g->ncols && !md;

			buf_adds(out, md ? (r == 1 ? "|" : "| ") : c ? "  " : "");
			if (r == 1) {
				for (size_t i = 0; i < w[c] + (md ? 2 : 0); i++) {
					buf_addc(out, md && g->right[c] && i == w[c] + 1 ? ':' : '-');
				}
				continue;
			}
			pad(out, text[(r == 0 ? 0 : r - 1) * g->ncols + c],
			    last && !g->right[c] ? 0 : w[c], g->right[c]);
			buf_adds(out, md ? " " : "");
		}
		buf_adds(out, md ? "|\n" : "\n");
		if (r >= 2 && g->after[r - 2]) {
			buf_adds(out, g->after[r - 2]);
		}
	}
	for (size_t i = 0; i < (g->nrows + 1) * g->ncols; i++) {
		free(text[i]);
	}
	free(text);
	free(w);
}

void
grid_release(struct grid *g)
{
	for (size_t i = 0; i < g->nrows * g->ncols; i++) {
		free(g->cells[i]);
	}
	for (size_t i = 0; i < g->nrows; i++) {
		free(g->after[i]);
	}
	free(g->cells);
	free(g->after);
	g->cells = NULL;
	g->after = NULL;
	g->nrows = 0;
}
