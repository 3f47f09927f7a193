/* heapsites.h: `ounce heap sites` and `heap flame`: what each stack and each
 * allocation site (the innermost frame outside the C library and allocator
 * wrappers) had live at the peak, allocated in total, and left live at exit. */
#ifndef OUNCE_HEAPSITES_H
#define OUNCE_HEAPSITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct heap_log;
struct heapsym;

/* The figures of a stack or a site. Sizes are requested bytes, as in stats. */
struct heapsites_figures {
	uint64_t peak_bytes, peak_blocks;	/* live right after the peak event */
	uint64_t allocs, total_bytes;		/* blocks handed out (reallocs' new blocks too) */
	uint64_t leak_bytes, leak_blocks;	/* still live at exit */
	uint64_t largest;			/* largest single block */
};

/* One site; frame 0 is the allocations that have no stack. */
struct heapsites_site {
	uint32_t frame;		/* its frame id in the log */
	size_t k;		/* which of the frame's functions (heapsym_at): 0 unless
				 * the site was inlined into it */
	const char *label;	/* the frame's label (heapsym), or "(no stack)"; borrowed */
	struct heapsites_figures f;
	uint32_t *stacks;	/* the stacks (innermost frame ids) that end here, largest
				 * at the peak first */
	size_t nstacks, stacks_cap;
};

/* Every site of a log, largest live at the peak first (then total bytes, then
 * label); owns sites and per_stack. */
struct heapsites {
	struct heapsites_site *sites;
	size_t n, cap;
	struct heapsites_figures *per_stack;	/* per frame id, [0]: no stack */
	uint32_t *site_of;			/* per frame id: its site's frame */
	size_t *site_k;				/* per frame id: its site's k */
	size_t nframes;
	uint64_t peak_bytes;			/* as `heap stats` finds it */
	size_t peak_event;			/* counted from 1; 0: none */
	uint64_t peak_t_us;
	struct heapsites_figures all;		/* the whole log */
};
#define HEAPSITES_INIT {.sites = NULL}

/* Which frames are not sites: frames in these objects (a basename pattern) or
 * functions (a name pattern, fnmatch). */
extern const char *const heapsites_skip_objects[];
extern const char *const heapsites_skip_functions[];

/* Compute the sites of log, its frames named by sym (from heapsym_resolve);
 * skip adds nskip function patterns to heapsites_skip_functions. */
void heapsites_compute(struct heapsites *hs, const struct heap_log *log, const struct heapsym *sym,
		       const char *const *skip, size_t nskip);
/* Free what hs owns. */
void heapsites_release(struct heapsites *hs);

#endif
