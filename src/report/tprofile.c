/* tprofile.c: time flame graphs. A workload runs under `perf record` (cpu-clock
 * samples with their call chains) or callgrind (instructions per function context,
 * each context a whole stack with --separate-callers); either output is folded
 * into a tree of stacks and drawn by base/flamegraph.c, as `ounce size --flame`
 * draws bytes. Two profiles make a differential graph. */
#include "report/tprofile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/demangle.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "elf/size.h"
#include "os/clock.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "base/banned.h"

/* perf's sampling rate: odd, so it does not run in step with the program's own
 * periodic work; low enough that DWARF call chains (8 KB of stack a sample) stay
 * small for a workload of seconds */
#define TPROFILE_PERF_HZ "997"
/* callgrind's context depth: deeper stacks lose their outermost frames */
#define TPROFILE_CALLERS "--separate-callers=64"
/* a callgrind function id beyond this is not a file callgrind wrote */
#define TPROFILE_MAX_ID 50000000UL

void
tprofile_init(struct tprofile *p, const char *name, enum tprofile_via via)
{
	memset(p, 0, sizeof(*p));
	flamegraph_init(&p->root, name, FLAMEGRAPH_GREY);
	p->via = via;
}

void
tprofile_release(struct tprofile *p)
{
	flamegraph_release(&p->root);
	free(p->command);
	free(p->program);
	free(p->program_as);
	strv_release(&p->only);
	memset(p, 0, sizeof(*p));
}

const char *
tprofile_unit(const struct tprofile *p)
{
	return p->via == TPROFILE_CALLGRIND ? "instructions" : "samples";
}

/* A frame's name as drawn: demangled, without a symbol version ("@@GLIBC_2.34")
 * or the compiler's clone suffixes (".isra.0", ".cold", " [clone .constprop.0]":
 * a function reads the same in builds that clone it differently), its template
 * arguments folded. The caller frees it. */
static char *
frame_name(const char *raw, size_t len)
{
	char *s = xstrndup(raw, len), *at = strchr(s, '@'), *d, *n, *r;

	if (at && at != s) {
		*at = '\0';
	}
	d = demangle(s);
	n = size_normalize_name(d);
	r = demangle_shorten(n);
	free(n);
	free(d);
	free(s);
	return r;
}

/* Add a stack of n frame names, innermost first, under process proc with value. */
/* Is proc (perf's comm: at most 15 bytes) called name? */
static bool
same_program(const char *proc, const char *name)
{
	return !strcmp(proc, name) || (strlen(proc) == 15 && !strncmp(proc, name, 15));
}

/* Is proc one of the processes p keeps (by its name, or the name it is drawn as)? */
static bool
kept(const struct tprofile *p, const char *proc)
{
	for (size_t i = 0; i < p->only.n; i++) {
		if (same_program(proc, p->only.v[i]) ||
		    (p->program && p->program_as && same_program(proc, p->program) &&
		     !strcmp(p->program_as, p->only.v[i]))) {
			return true;
		}
	}
	return false;
}

static void
add_stack(struct tprofile *p, const char *proc, char **inner_first, size_t n,
          unsigned long long value)
{
	struct flamegraph_node *at;

	if (p->only.n && !kept(p, proc)) {
		p->left_out += value;
		return;
	}
	if (p->program && p->program_as && *proc &&
	    (!strcmp(proc, p->program) || (strlen(proc) == 15 && !strncmp(proc, p->program, 15)))) {
		proc = p->program_as;
	}
	at = flamegraph_kid(&p->root, proc, FLAMEGRAPH_TAN);

	for (size_t i = n; i > 0; i--) {
		at = flamegraph_kid(at, inner_first[i - 1], FLAMEGRAPH_CODE);
	}
	at->self += value;
	p->total += value;
}

/* Push the words of v, up to a NULL, to sv. */
static void
push_words(struct strv *sv, const char *const *v)
{
	for (; *v; v++) {
		strv_push(sv, *v);
	}
}

/* ---- perf script ---- */

/* Parse a header line "COMM PID PERIOD" (COMM may hold spaces): comm into *comm
 * (owned), the period into *period. False when line is not one. */
static bool
perf_header(const char *line, size_t len, char **comm, unsigned long long *period)
{
	size_t end = len, i;
	const char *num[2];

	while (end && isspace((unsigned char)line[end - 1])) {
		end--;
	}
	for (int k = 0; k < 2; k++) {
		i = end;
		while (i && isdigit((unsigned char)line[i - 1])) {
			i--;
		}
		if (i == end || !i || !isspace((unsigned char)line[i - 1])) {
			return false;
		}
		num[k] = line + i;
		end = i;
		while (end && isspace((unsigned char)line[end - 1])) {
			end--;
		}
	}
	if (!end) {
		return false;
	}
	*period = strtoull(num[0], NULL, 10);
	*comm = xstrndup(line, end);
	return true;
}

long long
tprofile_add_perf(struct tprofile *p, const char *text, const char *what)
{
	struct strv frames = STRV_INIT;
	char *comm = NULL;
	long long samples = 0;
	int lineno = 0;

	for (const char *s = text; *s;) {
		size_t len = strcspn(s, "\n");
		const char *line = s;

		s += len + (s[len] == '\n');
		lineno++;
		if (!comm) {
			unsigned long long period;

			if (!len) {
				continue;
			}
			if (!perf_header(line, len, &comm, &period)) {
				strv_release(&frames);
				return error("%s:%d: error: not a sample of perf script -F "
				             "comm,pid,period,ip,sym: '%.*s'",
				             what, lineno, (int)(len > 80 ? 80 : len), line);
			}
			p->period_ns += period;
			continue;
		}
		if (len && isspace((unsigned char)line[0])) {
			/* "ADDR SYMBOL": the symbol is the rest after the address */
			size_t i = strspn(line, " \t"), a = i, n;

			while (i < len && isxdigit((unsigned char)line[i])) {
				i++;
			}
			if (i == a || i >= len || line[i] != ' ') {
				free(comm);
				strv_release(&frames);
				return error("%s:%d: error: not a frame of perf script: '%.*s'",
				             what, lineno, (int)(len > 80 ? 80 : len), line);
			}
			i++;
			n = len - i;
			if (n > 10 && !memcmp(line + len - 10, " (inlined)", 10)) {
				n -= 10;
			}
			strv_push_owned(&frames, frame_name(line + i, n));
			continue;
		}
		if (len) {
			free(comm);
			strv_release(&frames);
			return error("%s:%d: error: a sample of perf script does not end in an "
			             "empty line",
			             what, lineno);
		}
		add_stack(p, comm, frames.v, frames.n, 1);
		samples++;
		free(comm);
		comm = NULL;
		strv_release(&frames);
	}
	if (comm) {
		/* the last sample, without its empty line */
		add_stack(p, comm, frames.v, frames.n, 1);
		samples++;
		free(comm);
	}
	strv_release(&frames);
	return samples;
}

/* ---- callgrind ---- */

/* What reading a callgrind file keeps: function contexts by their ids. */
struct cg {
	char **name;              /* per context: its name ("f'g'main") */
	unsigned long long *cost; /* per context: its self cost */
	size_t n, cap_name, cap_cost;
	size_t *of_id; /* by compressed id: its context + 1, 0: none yet */
	size_t nid, cap_id;
};

/* The context of a "fn="/"cfn=" value "(ID) NAME", "(ID)" or "NAME" (len bytes),
 * recorded when new; or -1 for a bad one. */
static long
cg_fn(struct cg *g, const char *v, size_t len)
{
	const char *name = v;
	size_t nlen = len, at;
	unsigned long id = 0;
	bool compressed = len && v[0] == '(';

	if (compressed) {
		char *end;

		errno = 0;
		id = strtoul(v + 1, &end, 10);
		if (errno || end == v + 1 || end >= v + len || *end != ')' ||
		    id > TPROFILE_MAX_ID) {
			return -1;
		}
		name = end + 1;
		nlen = len - (size_t)(name - v);
		while (nlen && *name == ' ') {
			name++;
			nlen--;
		}
		if (id < g->nid && g->of_id[id]) {
			return (long)(g->of_id[id] - 1);
		}
		if (!nlen) {
			/* an id before its name: not callgrind's order */
			return -1;
		}
	} else {
		for (size_t i = 0; i < g->n; i++) {
			if (strlen(g->name[i]) == nlen && !memcmp(g->name[i], name, nlen)) {
				return (long)i;
			}
		}
	}
	at = g->n++;
	g->name = xgrowarray(g->name, &g->cap_name, g->n, sizeof(*g->name));
	g->cost = xgrowarray(g->cost, &g->cap_cost, g->n, sizeof(*g->cost));
	g->name[at] = xstrndup(name, nlen);
	g->cost[at] = 0;
	if (compressed) {
		if (id >= g->nid) {
			g->of_id = xgrowarray(g->of_id, &g->cap_id, id + 1, sizeof(*g->of_id));
			memset(g->of_id + g->nid, 0, (id + 1 - g->nid) * sizeof(*g->of_id));
			g->nid = id + 1;
		}
		g->of_id[id] = at + 1;
	}
	return (long)at;
}

/* The first event of a cost line (after npos positions), or false for a line that
 * is not one. */
static bool
cg_cost(const char *line, size_t len, int npos, unsigned long long *cost)
{
	const char *p = line, *end = line + len;
	char *e;

	for (int k = 0; k < npos; k++) {
		if (p >= end) {
			return false;
		}
		if (*p == '*') {
			p++;
		} else {
			if (*p == '+' || *p == '-') {
				p++;
			}
			if (p + 1 < end && p[0] == '0' && p[1] == 'x') {
				p += 2;
				while (p < end && isxdigit((unsigned char)*p)) {
					p++;
				}
			} else if (p < end && isdigit((unsigned char)*p)) {
				while (p < end && isdigit((unsigned char)*p)) {
					p++;
				}
			} else {
				return false;
			}
		}
		if (p < end && *p != ' ') {
			return false;
		}
		while (p < end && *p == ' ') {
			p++;
		}
	}
	if (p >= end) {
		/* no events: none cost anything */
		*cost = 0;
		return true;
	}
	if (!isdigit((unsigned char)*p)) {
		return false;
	}
	errno = 0;
	*cost = strtoull(p, &e, 10);
	return !errno && (e >= end || *e == ' ');
}

/* The base name of the program in callgrind's "cmd:" value, or "?" (owned). */
static char *
cg_program(const char *v, size_t len)
{
	size_t skip = strspn(v, " "), n;
	const char *w = v + skip, *slash;

	len -= skip < len ? skip : len;
	n = strcspn(w, " \n");
	n = n < len ? n : len;
	if (!n) {
		return xstrdup("?");
	}
	slash = NULL;
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '/') {
			slash = w + i;
		}
	}
	return slash ? xstrndup(slash + 1, n - (size_t)(slash + 1 - w)) : xstrndup(w, n);
}

/* Split context name ctx ("f'2'g'main") into frames, innermost first, into out. */
static void
cg_frames(const char *ctx, struct strv *out)
{
	for (const char *s = ctx; *s;) {
		size_t n = strcspn(s, "'");
		bool level = n > 0 && strspn(s, "0123456789") == n;

		if (level && out->n) {
			/* a recursion level: the function that many times */
			unsigned long k = strtoul(s, NULL, 10);
			char *f = xstrdup(out->v[out->n - 1]);

			for (unsigned long i = 1; i < k && i < 64; i++) {
				strv_push(out, f);
			}
			free(f);
		} else if (n > 2 && s[0] == '0' && s[1] == 'x') {
			/* an address without a symbol, without its leading zeros */
			char *a = xstrndup(s, n);

			strv_push_owned(out, xasprintf("0x%llx", strtoull(a, NULL, 16)));
			free(a);
		} else if (n) {
			strv_push_owned(out, frame_name(s, n));
		}
		s += n + (s[n] == '\'');
	}
}

long long
tprofile_add_callgrind(struct tprofile *p, const char *text, const char *what)
{
	struct cg g = {0};
	char *prog = NULL;
	long fn = -1;
	int npos = 1, lineno = 0, rc = 0;
	bool call = false, header = false;
	unsigned long long added = 0;

	for (const char *s = text; *s;) {
		size_t len = strcspn(s, "\n");
		const char *line = s, *eq;

		s += len + (s[len] == '\n');
		lineno++;
		if (!len || line[0] == '#') {
			continue;
		}
		if (call) {
			/* the inclusive cost of the call just named: not the caller's own */
			call = false;
			continue;
		}
		if (isdigit((unsigned char)line[0]) || line[0] == '+' || line[0] == '-' ||
		    line[0] == '*') {
			unsigned long long c;

			if (!cg_cost(line, len, npos, &c)) {
				rc = error("%s:%d: error: not a callgrind cost line", what, lineno);
				goto done;
			}
			if (fn >= 0) {
				g.cost[fn] += c;
			}
			continue;
		}
		eq = memchr(line, '=', len);
		if (!strncmp(line, "version:", 8) || !strncmp(line, "creator:", 8)) {
			header = true;
		} else if (!strncmp(line, "cmd:", 4)) {
			free(prog);
			prog = cg_program(line + 4, len - 4);
		} else if (!strncmp(line, "positions:", 10)) {
			npos = 0;
			for (const char *w = line + 10; w < line + len;) {
				w += strspn(w, " ");
				if (w < line + len && *w != '\n') {
					npos++;
					w += strcspn(w, " \n");
				}
			}
			if (!npos) {
				npos = 1;
			}
		} else if (eq && (size_t)(eq - line) == 2 && !strncmp(line, "fn", 2)) {
			fn = cg_fn(&g, eq + 1, len - 3);
			if (fn < 0) {
				rc = error("%s:%d: error: a bad function id", what, lineno);
				goto done;
			}
		} else if (eq && (size_t)(eq - line) == 3 && !strncmp(line, "cfn", 3)) {
			if (cg_fn(&g, eq + 1, len - 4) < 0) {
				rc = error("%s:%d: error: a bad function id", what, lineno);
				goto done;
			}
		} else if (eq && (size_t)(eq - line) == 5 && !strncmp(line, "calls", 5)) {
			call = true;
		}
		/* anything else (ob=, fl=, fi=, fe=, events:, summary:...) names no cost */
	}
	if (!header) {
		rc = error("%s: error: not a callgrind output file", what);
		goto done;
	}
	for (size_t i = 0; i < g.n; i++) {
		struct strv frames = STRV_INIT;

		if (!g.cost[i]) {
			continue;
		}
		cg_frames(g.name[i], &frames);
		add_stack(p, prog ? prog : "?", frames.v, frames.n, g.cost[i]);
		added += g.cost[i];
		strv_release(&frames);
	}
done:
	for (size_t i = 0; i < g.n; i++) {
		free(g.name[i]);
	}
	free(g.name);
	free(g.cost);
	free(g.of_id);
	free(prog);
	return rc < 0 ? -1 : (long long)(added > LLONG_MAX ? LLONG_MAX : added);
}

/* ---- drawing ---- */

static const char *
via_words(const struct tprofile *p)
{
	if (p->via == TPROFILE_CALLGRIND) {
		return "instructions counted by callgrind";
	}
	return p->fp ? "cpu-clock samples by perf (frame-pointer call chains)"
	             : "cpu-clock samples by perf (DWARF call chains)";
}

/* "N runs of 'CMD'" or "" into b. */
static void
put_runs(const struct tprofile *p, struct buf *b)
{
	if (p->runs) {
		buf_printf(b, "; %d run%s", p->runs, p->runs == 1 ? "" : "s");
		if (p->command) {
			buf_printf(b, " of %s", p->command);
		}
	}
}

void
tprofile_svg(struct tprofile *p, const char *label, struct buf *out)
{
	struct flamegraph_style style = {0};
	struct buf sub = BUF_INIT;
	char *title = xasprintf("Time flame graph of %s", label);

	flamegraph_finish(&p->root);
	buf_printf(&sub, "%llu %s", p->total, via_words(p));
	if (p->via != TPROFILE_CALLGRIND && p->period_ns) {
		buf_printf(&sub, ", %.2f s of CPU", (double)p->period_ns / 1e9);
	}
	put_runs(p, &sub);
	style.title = title;
	style.subtitle = buf_str(&sub);
	style.unit = tprofile_unit(p);
	flamegraph_svg(&p->root, &style, out);
	buf_release(&sub);
	free(title);
}

/* Add a's kids, and theirs, to b's of the same names (made when missing, zero
 * wide), a's self in b's self_count. */
static void
merge(const struct flamegraph_node *a, struct flamegraph_node *b)
{
	for (size_t i = 0; i < a->nkids; i++) {
		struct flamegraph_node *k = flamegraph_kid(b, a->kids[i]->name, a->kids[i]->hue);

		k->self_count += a->kids[i]->self;
		merge(a->kids[i], k);
	}
}

/* What colouring a differential graph needs. */
struct diff {
	double scale;    /* a's samples to b's: b's total / a's */
	double maxdelta; /* the largest change of a self, in b's samples */
	unsigned long long total_a, total_b;
	const char *unit;
};

/* The change of n's own samples from a to b, in b's samples. */
static double
self_delta(const struct diff *d, const struct flamegraph_node *n)
{
	return (double)n->self - (double)n->self_count * d->scale;
}

static void
find_max(struct diff *d, const struct flamegraph_node *n)
{
	double x = self_delta(d, n);

	if (x < 0) {
		x = -x;
	}
	if (x > d->maxdelta) {
		d->maxdelta = x;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		find_max(d, n->kids[i]);
	}
}

/* Colour n and what stands on it by their change, as flamegraph.pl's color_scale
 * does: white for none, to red (more in b) or blue (less) at the largest. */
static void
colour(const struct diff *d, struct flamegraph_node *n, int depth)
{
	if (depth > 0) {
		double x = self_delta(d, n);
		unsigned light = (unsigned)(210.0 * (d->maxdelta - (x < 0 ? -x : x)) / d->maxdelta);
		double pa = d->total_a ? 100.0 * (double)n->count / (double)d->total_a : 0;
		double pb = d->total_b ? 100.0 * (double)n->value / (double)d->total_b : 0;
		struct buf note = BUF_INIT;

		n->hue = FLAMEGRAPH_RGB;
		if (x > 0) {
			n->rgb = 0xff0000 | light << 8 | light;
		} else if (x < 0) {
			n->rgb = light << 16 | light << 8 | 0xff;
		} else {
			n->rgb = 0xffffff;
		}
		buf_printf(&note,
		           "A: %llu of %llu %s (%.2f%%), B: %llu of %llu (%.2f%%): ", n->count,
		           d->total_a, d->unit, pa, n->value, d->total_b, pb);
		if (pa > 0) {
			buf_printf(&note, "%+.1f%%", 100.0 * (pb - pa) / pa);
		} else {
			buf_adds(&note, "new in B");
		}
		buf_printf(&note, "; its own %+.2f%% of the run",
		           d->total_b ? 100.0 * x / (double)d->total_b : 0.0);
		free(n->note);
		n->note = buf_detach(&note);
	}
	for (size_t i = 0; i < n->nkids; i++) {
		colour(d, n->kids[i], depth + 1);
	}
}

/* The samples of a in stacks b does not have: the a-only boxes nearest the root. */
static unsigned long long
a_only(const struct flamegraph_node *n)
{
	unsigned long long sum = 0;

	if (!n->value) {
		return n->count;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		sum += a_only(n->kids[i]);
	}
	return sum;
}

/* A function's own cost in two runs. */
struct fn_cost {
	const char *name;
	unsigned long long a, b;
	double change; /* of its share of the run, from a to b */
};

/* Add the self of n and every node below it (processes aside: depth 0 under the
 * root is a process) to v, in run a or b. */
static void
add_selves(const struct flamegraph_node *n, int depth, bool in_b, struct fn_cost **v,
           size_t *len, size_t *cap)
{
	if (depth > 0 && n->self) {
		size_t i = 0;

		while (i < *len && strcmp((*v)[i].name, n->name)) {
			i++;
		}
		if (i == *len) {
			*v = xgrowarray(*v, cap, *len + 1, sizeof(**v));
			(*v)[(*len)++] = (struct fn_cost){n->name, 0, 0, 0};
		}
		*(in_b ? &(*v)[i].b : &(*v)[i].a) += n->self;
	}
	for (size_t k = 0; k < n->nkids; k++) {
		add_selves(n->kids[k], depth + 1, in_b, v, len, cap);
	}
}

/* Largest change first (either way), then by name. */
static int
by_change(const void *x, const void *y)
{
	const struct fn_cost *fx = x, *fy = y;
	double cx = fx->change < 0 ? -fx->change : fx->change;
	double cy = fy->change < 0 ? -fy->change : fy->change;

	return cx < cy ? 1 : cx > cy ? -1 : strcmp(fx->name, fy->name);
}

void
tprofile_functions_diff(const struct tprofile *a, const struct tprofile *b, size_t n,
                        struct buf *out)
{
	struct fn_cost *v = NULL;
	size_t len = 0, cap = 0;
	double ta = (double)a->total, tb = (double)b->total;

	for (size_t k = 0; k < a->root.nkids; k++) {
		add_selves(a->root.kids[k], 0, false, &v, &len, &cap);
	}
	for (size_t k = 0; k < b->root.nkids; k++) {
		add_selves(b->root.kids[k], 0, true, &v, &len, &cap);
	}
	for (size_t i = 0; i < len; i++) {
		v[i].change = (tb > 0 ? (double)v[i].b / tb : 0) - (ta > 0 ? (double)v[i].a / ta : 0);
	}
	qsort(v, len, sizeof(*v), by_change);
	buf_printf(out, "own share of the run (%s), wherever in the stacks: A -> B\n",
	           tprofile_unit(b));
	for (size_t i = 0; i < len && i < n; i++) {
		buf_printf(out, "  %-40s %6.2f%% -> %6.2f%%  (%+.2f points)\n", v[i].name,
		           ta > 0 ? 100.0 * (double)v[i].a / ta : 0,
		           tb > 0 ? 100.0 * (double)v[i].b / tb : 0,
		           100.0 * v[i].change);
	}
	free(v);
}

void
tprofile_diff_svg(struct tprofile *a, struct tprofile *b, const char *label_a, const char *label_b,
                  struct buf *out)
{
	struct flamegraph_style style = {0};
	struct diff d = {0};
	struct buf sub = BUF_INIT;
	char *title = xasprintf("Differential time flame graph: A %s, B %s", label_a, label_b);
	unsigned long long lost;

	flamegraph_finish(&a->root);
	merge(&a->root, &b->root);
	flamegraph_finish(&b->root);
	d.total_a = a->root.value;
	d.total_b = b->root.value;
	d.scale = d.total_a ? (double)d.total_b / (double)d.total_a : 0;
	d.unit = tprofile_unit(b);
	/* a change below one sample is no deeper than one sample's */
	d.maxdelta = 1;
	find_max(&d, &b->root);
	colour(&d, &b->root, 0);
	buf_printf(&sub,
	           "B's stacks, as wide as its %llu %s, coloured by the change of each "
	           "function's own share of the run from A's %llu: red more, blue less",
	           d.total_b, via_words(b), d.total_a);
	lost = a_only(&b->root);
	if (lost && d.total_a) {
		buf_printf(&sub, "; %.2f%% of A's in stacks B lacks",
		           100.0 * (double)lost / (double)d.total_a);
	}
	style.title = title;
	style.subtitle = buf_str(&sub);
	style.unit = d.unit;
	flamegraph_svg(&b->root, &style, out);
	buf_release(&sub);
	free(title);
}

/* ---- recording ---- */

/* How one run of a tool went. */
enum ran { RAN_OK, RAN_NO_TOOL, RAN_NOT_PERMITTED, RAN_FAILED };

/* Does log say perf may not sample here (perf_event_paranoid, EACCES, no event)? */
static bool
perf_refused(const char *log)
{
	struct buf b = BUF_INIT;
	bool r = false;

	if (fs_read_file(log, &b) == 0) {
		const char *s = buf_str(&b);

		/* "No permission to enable cpu-clock event", "Permission error mapping
		 * pages" (perf_event_mlock_kb), "Access to performance monitoring and
		 * observability operations is limited" (perf_event_paranoid), an event
		 * the kernel does not have */
		r = strstr(s, "perf_event_paranoid") || strstr(s, "ermission") ||
		    strstr(s, "Access to performance monitoring") || strstr(s, "not supported");
	}
	buf_release(&b);
	return r;
}

/* Run argv, a profiling tool running the workload; their output goes to the log.
 * Reports what went wrong except a missing or refused tool. */
static enum ran
run_tool(const struct tprofile_opts *o, char *const *argv, const char *log, double start,
         bool is_perf)
{
	struct spawn_opts so = {0};
	struct spawn_result res;
	double left = 0;
	char *cause;

	if (o->timeout > 0) {
		left = o->timeout - (clock_now() - start);
		if (left <= 0) {
			error("the workload ran out of its %g s (--timeout)", o->timeout);
			return RAN_FAILED;
		}
	}
	/* the log of this run alone: its cause, if it fails, is this run's */
	unlink(log);
	so.argv = argv;
	so.envp = o->envp;
	so.cwd = o->cwd;
	so.log_path = log;
	so.timeout = left;
	so.cancel = o->cancel;
	if (spawn_run(&so, &res) < 0) {
		if (res.end == SPAWN_NOT_STARTED) {
			return RAN_NO_TOOL;
		}
		return RAN_FAILED;
	}
	if (res.end == SPAWN_EXITED && res.status == 0) {
		return RAN_OK;
	}
	if (is_perf && res.end == SPAWN_EXITED && res.status == 255 && perf_refused(log)) {
		return RAN_NOT_PERMITTED;
	}
	if (res.end == SPAWN_CANCELLED) {
		error("interrupted while profiling the workload");
		return RAN_FAILED;
	}
	cause = spawn_log_cause(log, true);
	error("the workload failed under %s: %s%s%s", argv[0],
	      spawn_describe(&res, o->timeout > 0 ? o->timeout : 0), cause ? ": " : "",
	      cause ? cause : "");
	free(cause);
	return RAN_FAILED;
}

/* One run under perf record, its samples added to p. */
static enum ran
perf_once(const struct tprofile_opts *o, int i, const char *log, double start, struct tprofile *p)
{
	struct strv argv = STRV_INIT;
	char *data = xasprintf("%s/perf.%d.data", o->tmpdir, i);
	struct spawn_opts so = {0};
	struct spawn_result res;
	struct buf out = BUF_INIT;
	char *perf = spawn_which("perf", o->envp);
	enum ran r = RAN_NO_TOOL;

	if (!perf) {
		/* not an error yet: callgrind may stand in */
		goto out;
	}
	free(perf);
	push_words(&argv, (const char *const[]){"perf", "record", "-q", "--no-bpf-event", "-e",
	                                        "cpu-clock", "-F", TPROFILE_PERF_HZ, "--call-graph",
	                                        o->fp ? "fp" : "dwarf", "-o", data, "--", NULL});
	strv_pushv(&argv, o->argv);
	r = run_tool(o, strv_array(&argv), log, start, true);
	strv_release(&argv);
	if (r != RAN_OK) {
		goto out;
	}
	push_words(&argv, (const char *const[]){"perf", "script", "-i", data, "-F",
	                                        "comm,pid,period,ip,sym", "--no-demangle", NULL});
	so.argv = strv_array(&argv);
	so.envp = o->envp;
	so.cwd = o->tmpdir;
	so.log_path = log;
	so.out = &out;
	so.timeout = 600;
	so.cancel = o->cancel;
	r = RAN_FAILED;
	if (spawn_run(&so, &res) < 0) {
		goto out;
	}
	if (res.end != SPAWN_EXITED || res.status != 0) {
		error("perf script failed on '%s': %s", data, spawn_describe(&res, 600));
		goto out;
	}
	if (tprofile_add_perf(p, buf_str(&out), data) >= 0) {
		r = RAN_OK;
	}
out:
	unlink(data);
	free(data);
	buf_release(&out);
	strv_release(&argv);
	return r;
}

/* One run under callgrind (following children), each process's counts added to p. */
static enum ran
callgrind_once(const struct tprofile_opts *o, int i, const char *log, double start,
               struct tprofile *p)
{
	struct strv argv = STRV_INIT, files = STRV_INIT;
	char *dir = xasprintf("%s/callgrind.%d", o->tmpdir, i);
	char *file = xasprintf("--callgrind-out-file=%s/%%p.out", dir);
	enum ran r = RAN_FAILED;

	if (fs_mkdirs(dir) < 0) {
		goto out;
	}
	push_words(&argv,
	           (const char *const[]){"valgrind", "-q", "--tool=callgrind", TPROFILE_CALLERS,
	                                 "--demangle=no", "--trace-children=yes", file, NULL});
	strv_pushv(&argv, o->argv);
	r = run_tool(o, strv_array(&argv), log, start, false);
	if (r != RAN_OK || fs_list_suffix(dir, ".out", "callgrind's directory", &files) < 0) {
		r = r == RAN_OK ? RAN_FAILED : r;
		goto out;
	}
	for (size_t k = 0; k < files.n; k++) {
		struct buf b = BUF_INIT;
		long long n = fs_read_file(files.v[k], &b) < 0
		                  ? -1
		                  : tprofile_add_callgrind(p, buf_str(&b), files.v[k]);

		buf_release(&b);
		if (n < 0) {
			r = RAN_FAILED;
			goto out;
		}
	}
out:
	fs_remove_tree(dir);
	free(dir);
	free(file);
	strv_release(&argv);
	strv_release(&files);
	return r;
}

/* Is the workload's program there to run (as the tools will look for it: in
 * PATH, or relative to where it runs)? Reports when not. */
static bool
workload_found(const struct tprofile_opts *o)
{
	const char *name = o->argv[0];
	char *rel =
	    strchr(name, '/') && name[0] != '/' && o->cwd ? xasprintf("%s/%s", o->cwd, name) : NULL;
	char *path = spawn_which(rel ? rel : name, o->envp);

	free(rel);
	free(path);
	if (!path) {
		error("cannot run the workload: '%s' is not an executable file%s", name,
		      strchr(name, '/') ? "" : " in PATH");
	}
	return path != NULL;
}

int
tprofile_record(const struct tprofile_opts *o, struct tprofile *p)
{
	char *log = xasprintf("%s/workload.log", o->tmpdir);
	enum tprofile_via via = o->via;
	double start = clock_now();
	int repeat = o->repeat > 0 ? o->repeat : 1, rc = -1;

	if (!workload_found(o)) {
		free(log);
		return -2;
	}
	p->fp = o->fp;
	free(p->command);
	p->command = spawn_quote_argv(o->argv);
	for (int i = 0; i < repeat; i++) {
		enum ran r;

		if (via != TPROFILE_CALLGRIND) {
			r = perf_once(o, i, log, start, p);
			if (r == RAN_NO_TOOL || r == RAN_NOT_PERMITTED) {
				if (via == TPROFILE_PERF || i > 0) {
					error(
					    "%s",
					    r == RAN_NO_TOOL
					        ? "cannot run perf: is linux-perf installed?"
					        : "perf may not sample here (perf_event_paranoid); "
					          "try --via callgrind");
					goto out;
				}
				warn("%s: profiling under callgrind instead",
				     r == RAN_NO_TOOL
				         ? "perf is not installed"
				         : "perf may not sample here (perf_event_paranoid)");
				via = TPROFILE_CALLGRIND;
			} else if (r != RAN_OK) {
				goto out;
			} else {
				p->via = TPROFILE_PERF;
				p->runs++;
				continue;
			}
		}
		p->via = TPROFILE_CALLGRIND;
		r = callgrind_once(o, i, log, start, p);
		if (r == RAN_NO_TOOL) {
			error("cannot run valgrind: is valgrind installed?");
			goto out;
		}
		if (r != RAN_OK) {
			goto out;
		}
		p->runs++;
	}
	rc = 0;
out:
	free(log);
	return rc;
}
