/* diff.c: bloat-o-meter's comparison, by symbol, section and component. Names
 * are matched after size_normalize_name, so a rebuild that renumbers
 * foo.constprop.0 or a Rust hash does not show every symbol as changed; several
 * symbols that normalise to one name are summed. */
#include "elf/diff.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "elf/size.h"
#include "base/banned.h"

struct entry {
	char *name;
	long long a, b;
};

struct tally {
	struct entry *v;
	size_t n, cap;
};

static int
cmp_name(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->name, ((const struct entry *)y)->name);
}

static void
tally_add(struct tally *t, const char *name, unsigned long long count, int side)
{
	long long bytes = (long long)(count < SIZE_BYTES_MAX ? count : SIZE_BYTES_MAX);

	t->v = xgrowarray(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n].name = xstrdup(name);
	t->v[t->n].a = side == 0 ? bytes : 0;
	t->v[t->n].b = side == 1 ? bytes : 0;
	t->n++;
}

static long long
absll(long long v)
{
	return v < 0 ? -v : v;
}

static int
cmp_row(const void *x, const void *y)
{
	const struct diff_row *a = x, *b = y;
	long long da = absll(a->new_bytes - a->old_bytes), db = absll(b->new_bytes - b->old_bytes);

	if (da != db) {
		return da > db ? -1 : 1;
	}
	return strcmp(a->name, b->name);
}

/* Merge entries of the same name, keep the changed ones as rows. */
static void
finish(struct tally *t, struct diff_table *out)
{
	size_t cap = 0;

	if (t->n > 1) {
		qsort(t->v, t->n, sizeof(*t->v), cmp_name);
	}
	for (size_t i = 0; i < t->n;) {
		long long a = 0, b = 0;
		size_t j;

		/* each count is at most SIZE_BYTES_MAX (LLONG_MAX), and so is each sum:
		 * no signed overflow here nor in any b - a of the rows */
		for (j = i; j < t->n && !strcmp(t->v[j].name, t->v[i].name); j++) {
			a = (long long)size_add((unsigned long long)a, (unsigned long long)t->v[j].a);
			b = (long long)size_add((unsigned long long)b, (unsigned long long)t->v[j].b);
		}
		if (a != b) {
			struct diff_row *r;

			out->v = xgrowarray(out->v, &cap, out->n + 1, sizeof(*out->v));
			r = &out->v[out->n++];
			r->name = xstrdup(t->v[i].name);
			r->old_bytes = a;
			r->new_bytes = b;
			r->change = !a ? DIFF_ADDED : !b ? DIFF_REMOVED : b > a ? DIFF_GROWN : DIFF_SHRUNK;
		}
		i = j;
	}
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
	}
	free(t->v);
	if (out->n > 1) {
		qsort(out->v, out->n, sizeof(*out->v), cmp_row);
	}
}

void
diff_compute(const struct size_report *a, const struct size_report *b, struct diff *d)
{
	const struct size_report *side[2] = {a, b};
	struct tally syms = {NULL, 0, 0}, secs = {NULL, 0, 0}, comps = {NULL, 0, 0};

	memset(d, 0, sizeof(*d));
	for (int s = 0; s < 2; s++) {
		const struct size_report *r = side[s];

		for (size_t i = 0; i < r->nsymbols; i++) {
			char *n = size_normalize_name(r->symbols[i].name);

			tally_add(&syms, n, r->symbols[i].bytes, s);
			free(n);
		}
		for (size_t i = 0; i < r->nsections; i++) {
			const struct size_section *x = &r->sections[i];

			/* .bss counts by its memory size, everything else by its file bytes */
			tally_add(&secs, x->name, x->bytes ? x->bytes : x->vm_bytes, s);
		}
		for (size_t i = 0; i < r->ncomponents; i++) {
			tally_add(&comps, r->components[i].name, r->components[i].bytes, s);
		}
	}
	finish(&syms, &d->symbols);
	finish(&secs, &d->sections);
	finish(&comps, &d->components);
	d->old_total = (long long)(a->bytes < SIZE_BYTES_MAX ? a->bytes : SIZE_BYTES_MAX);
	d->new_total = (long long)(b->bytes < SIZE_BYTES_MAX ? b->bytes : SIZE_BYTES_MAX);
}

const char *
diff_change_name(enum diff_change c)
{
	static const char *const names[] = {"added", "removed", "grown", "shrunk"};

	return names[c];
}

static void
table_release(struct diff_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

void
diff_release(struct diff *d)
{
	table_release(&d->symbols);
	table_release(&d->sections);
	table_release(&d->components);
}
