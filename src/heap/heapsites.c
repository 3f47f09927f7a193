/* heapsites.c: one pass over a heap log with stacks, after `heap stats` has
 * found the peak: each block is kept with the event that made it, so the live
 * blocks right after the peak event and at exit are counted per stack, then
 * the stacks are summed into their sites. */
#include "heap/heapsites.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/units.h"
#include "heap/heaplog.h"
#include "heap/heapstats.h"
#include "heap/heapsym.h"
#include "base/banned.h"

const char *const heapsites_skip_objects[] = {
	"libc.so*", "libc-*.so", "ld-linux*.so*", "libstdc++.so*", "libgcc_s.so*", NULL,
};

const char *const heapsites_skip_functions[] = {
	/* the C library's and C++'s allocating functions */
	"malloc", "calloc", "realloc", "reallocarray", "free", "strdup", "strndup",
	"operator new*", "operator new[]*",
	/* the usual exit-on-failure wrappers */
	"xmalloc", "xcalloc", "xrealloc", "xreallocarray", "xzalloc", "xstrdup", "xstrndup",
	"xmemdup*", "xasprintf", "xgrowarray",
	/* GLib */
	"g_malloc*", "g_realloc*", "g_try_malloc*", "g_try_realloc*", "g_strdup*", "g_slice_alloc*",
	"g_memdup*",
	/* Rust's global allocator and its alloc crate (Box, Vec, String and the
	 * other collections: the caller of Vec::push is the site) */
	"__rust_alloc*", "__rust_realloc", "__rdl_*", "__rg_*", "alloc::*", "<alloc::*",
	"<* as alloc::*",
	NULL,
};

static bool
matches(const char *const *pats, const char *s)
{
	for (size_t i = 0; s && pats && pats[i]; i++) {
		if (fnmatch(pats[i], s, 0) == 0) {
			return true;
		}
	}
	return false;
}

static bool
skipped(const struct heapsym_frame *f, const char *const *skip, size_t nskip)
{
	const char *base;

	if (f->object) {
		base = strrchr(f->object, '/');
		if (matches(heapsites_skip_objects, base ? base + 1 : f->object)) {
			return true;
		}
	}
	if (!f->func) {
		return false;
	}
	if (matches(heapsites_skip_functions, f->func)) {
		return true;
	}
	for (size_t i = 0; i < nskip; i++) {
		if (fnmatch(skip[i], f->func, 0) == 0) {
			return true;
		}
	}
	return false;
}

/* The site of stack id: the innermost function not skipped (*k: which of its
 * frame's functions), else the outermost recorded one (everything recorded was
 * inside the C library). */
static uint32_t
site_frame(const struct heap_log *log, const struct heapsym *sym, uint32_t id,
	   const char *const *skip, size_t nskip, size_t *k)
{
	uint32_t outer = id;

	for (uint32_t f = id; f; f = log->frames[f].parent) {
		size_t depth = heapsym_depth(sym, f);

		for (*k = 0; *k < depth; (*k)++) {
			if (!skipped(heapsym_at(sym, f, *k), skip, nskip)) {
				return f;
			}
		}
		outer = f;
	}
	*k = heapsym_depth(sym, outer) ? heapsym_depth(sym, outer) - 1 : 0;
	return outer;
}

static void
add_alloc(struct heapsites_figures *f, uint64_t size)
{
	f->allocs++;
	f->total_bytes = units_sat_add(f->total_bytes, size);
	if (size > f->largest) {
		f->largest = size;
	}
}

static void
add_live(uint64_t *bytes, uint64_t *blocks, uint64_t size)
{
	*bytes = units_sat_add(*bytes, size);
	(*blocks)++;
}

/* Count every block in live (ptr -> event index) into per_stack's peak or leak
 * figures, and the whole log's. */
static void
count_live(struct heapsites *hs, const struct heap_log *log, const struct heaplog_map *live,
	   bool peak)
{
	for (size_t s = 0; s <= live->cap; s++) {
		const struct heap_event *e;
		struct heapsites_figures *f;

		if (s == live->cap ? !live->has_zero : !live->keys || !live->keys[s]) {
			continue;
		}
		e = &log->ev[s == live->cap ? live->zero_val : live->vals[s]];
		f = &hs->per_stack[e->stack < hs->nframes ? e->stack : 0];
		if (peak) {
			add_live(&f->peak_bytes, &f->peak_blocks, e->size);
			add_live(&hs->all.peak_bytes, &hs->all.peak_blocks, e->size);
		} else {
			add_live(&f->leak_bytes, &f->leak_blocks, e->size);
			add_live(&hs->all.leak_bytes, &hs->all.leak_blocks, e->size);
		}
	}
}

/* The per-stack figures, in one pass. */
static void
pass(struct heapsites *hs, const struct heap_log *log)
{
	struct heaplog_map live = HEAPLOG_MAP_INIT;

	for (size_t i = 0; i < log->n; i++) {
		const struct heap_event *e = &log->ev[i];

		switch (e->kind) {
		case HEAP_EV_FREE:
			heaplog_map_take(&live, e->ptr, NULL);
			break;
		case HEAP_EV_REALLOC:
		case HEAP_EV_ALLOC:
			if (e->kind == HEAP_EV_REALLOC) {
				heaplog_map_take(&live, e->old, NULL);
			}
			heaplog_map_put(&live, e->ptr, i, NULL);
			add_alloc(&hs->per_stack[e->stack < hs->nframes ? e->stack : 0], e->size);
			add_alloc(&hs->all, e->size);
			break;
		case HEAP_EV_FAIL:
			break;
		}
		if (i + 1 == hs->peak_event) {
			count_live(hs, log, &live, true);
		}
	}
	count_live(hs, log, &live, false);
	heaplog_map_release(&live);
}

static void
sum(struct heapsites_figures *to, const struct heapsites_figures *f)
{
	to->peak_bytes = units_sat_add(to->peak_bytes, f->peak_bytes);
	to->peak_blocks += f->peak_blocks;
	to->allocs += f->allocs;
	to->total_bytes = units_sat_add(to->total_bytes, f->total_bytes);
	to->leak_bytes = units_sat_add(to->leak_bytes, f->leak_bytes);
	to->leak_blocks += f->leak_blocks;
	if (f->largest > to->largest) {
		to->largest = f->largest;
	}
}

/* The site labelled label, added when new. Sites are few (hundreds), and this
 * runs once per stack. */
static struct heapsites_site *
site_for(struct heapsites *hs, uint32_t frame, size_t k, const char *label)
{
	struct heapsites_site *s;

	for (size_t i = 0; i < hs->n; i++) {
		if (!strcmp(hs->sites[i].label, label)) {
			return &hs->sites[i];
		}
	}
	hs->sites = xgrowarray(hs->sites, &hs->cap, hs->n + 1, sizeof(*hs->sites));
	s = &hs->sites[hs->n++];
	memset(s, 0, sizeof(*s));
	s->frame = frame;
	s->k = k;
	s->label = label;
	return s;
}

static int
cmp_figures(const struct heapsites_figures *x, const struct heapsites_figures *y)
{
	if (x->peak_bytes != y->peak_bytes) {
		return x->peak_bytes > y->peak_bytes ? -1 : 1;
	}
	if (x->total_bytes != y->total_bytes) {
		return x->total_bytes > y->total_bytes ? -1 : 1;
	}
	if (x->allocs != y->allocs) {
		return x->allocs > y->allocs ? -1 : 1;
	}
	return 0;
}

static int
cmp_site(const void *a, const void *b)
{
	const struct heapsites_site *x = a, *y = b;
	int c = cmp_figures(&x->f, &y->f);

	return c ? c : strcmp(x->label, y->label);
}

/* qsort has no context argument: the figures the stack comparison reads */
static const struct heapsites_figures *sort_stacks_by;

static int
cmp_stack(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = cmp_figures(&sort_stacks_by[x], &sort_stacks_by[y]);

	return c ? c : (x > y) - (x < y);
}

void
heapsites_compute(struct heapsites *hs, const struct heap_log *log, const struct heapsym *sym,
		  const char *const *skip, size_t nskip)
{
	struct heapstats st = HEAPSTATS_INIT;

	heapsites_release(hs);
	heapstats_compute(&st, log, 1);
	hs->peak_bytes = st.peak_bytes;
	hs->peak_event = st.peak_event;
	hs->peak_t_us = st.peak_t_us;
	heapstats_release(&st);
	hs->nframes = log->nframes ? log->nframes : 1;
	hs->per_stack = xcalloc(hs->nframes, sizeof(*hs->per_stack));
	hs->site_of = xcalloc(hs->nframes, sizeof(*hs->site_of));
	hs->site_k = xcalloc(hs->nframes, sizeof(*hs->site_k));
	pass(hs, log);
	for (size_t id = 0; id < hs->nframes; id++) {
		const struct heapsites_figures *f = &hs->per_stack[id];
		struct heapsites_site *s;
		uint32_t at = 0;
		size_t k = 0;

		if (!f->allocs) {
			continue;
		}
		if (id) {
			at = site_frame(log, sym, (uint32_t)id, skip, nskip, &k);
		}
		hs->site_of[id] = at;
		hs->site_k[id] = k;
		s = site_for(hs, at, k, heapsym_depth(sym, at) ? heapsym_at(sym, at, k)->label
							       : "(no stack)");
		sum(&s->f, f);
		s->stacks =
		    xgrowarray(s->stacks, &s->stacks_cap, s->nstacks + 1, sizeof(*s->stacks));
		s->stacks[s->nstacks++] = (uint32_t)id;
	}
	sort_stacks_by = hs->per_stack;
	for (size_t i = 0; i < hs->n; i++) {
		if (hs->sites[i].nstacks > 1) {
			qsort(hs->sites[i].stacks, hs->sites[i].nstacks, sizeof(uint32_t),
			      cmp_stack);
		}
	}
	if (hs->n > 1) {
		qsort(hs->sites, hs->n, sizeof(*hs->sites), cmp_site);
	}
}

void
heapsites_release(struct heapsites *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		free(hs->sites[i].stacks);
	}
	free(hs->sites);
	free(hs->per_stack);
	free(hs->site_of);
	free(hs->site_k);
	*hs = (struct heapsites)HEAPSITES_INIT;
}
