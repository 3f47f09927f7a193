/* result.c: cells, rows and results.json. Written and read with jansson; the
 * field names here are the documented contract (README "results.json"). */
#include "report/result.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "config/budgetconf.h"
#include "os/fsutil.h"
#include "base/banned.h"

#ifndef OUNCE_VERSION
#define OUNCE_VERSION "0.1.0"
#endif

static const char *const status_names[] = {
	[CELL_PENDING] = "pending",
	[CELL_OK] = "ok",
	[CELL_CONFIGURE_FAILED] = "configure-failed",
	[CELL_BUILD_FAILED] = "build-failed",
	[CELL_SMOKE_FAILED] = "smoke-failed",
	[CELL_TIMEOUT] = "timeout",
	[CELL_INTERRUPTED] = "interrupted",
	[CELL_SKIPPED] = "skipped",
};

const char *
cell_status_name(enum cell_status s)
{
	return status_names[s];
}

struct cell *
cell_new(const char *name)
{
	struct cell *c = xcalloc(1, sizeof(*c));
	struct measure m = MEASURE_INIT;

	c->name = xstrdup(name);
	c->m = m;
	c->peak_rss_kb = -1;
	c->bench.rss_kb = -1;
	c->bench.instructions = -1;
	return c;
}

void
cell_verify_release(struct cell_verify *v)
{
	free(v->form);
	free(v->state);
	free(v->detail);
	free(v->cause);
	free(v->log);
}

void
cell_free(struct cell *c)
{
	if (!c) {
		return;
	}
	free(c->name);
	free(c->build);
	strv_release(&c->profiles);
	free(c->reason);
	free(c->log);
	free(c->artifact);
	free(c->reused_from);
	free(c->repro_detail);
	free(c->steps.failed_hosts);
	cell_clear_artifacts(c);
	strv_release(&c->unproven);
	measure_release(&c->m);
	settings_release(&c->settings);
	for (size_t i = 0; i < c->nverify; i++) {
		cell_verify_release(&c->verify[i]);
	}
	free(c->verify);
	cell_explain_release(&c->explain);
	cell_bench_release(&c->bench);
	free(c);
}

void
cell_explain_add(struct cell_explain *e, bool symbol, const char *name, long long old_bytes,
		 long long new_bytes, enum diff_change change)
{
	struct explain_row **v = symbol ? &e->symbols : &e->sections;
	size_t *n = symbol ? &e->nsymbols : &e->nsections;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].old_bytes = old_bytes;
	(*v)[*n].new_bytes = new_bytes;
	(*v)[*n].change = change;
	(*n)++;
}

void
cell_explain_release(struct cell_explain *e)
{
	for (size_t i = 0; i < e->nsections; i++) {
		free(e->sections[i].name);
	}
	for (size_t i = 0; i < e->nsymbols; i++) {
		free(e->symbols[i].name);
	}
	free(e->sections);
	free(e->symbols);
	free(e->artifact);
	memset(e, 0, sizeof(*e));
}

void
cell_set_verify(struct cell *c, const struct cell_verify *v)
{
	size_t i = 0;

	while (i < c->nverify && strcmp(c->verify[i].form, v->form)) {
		i++;
	}
	if (i == c->nverify) {
		c->verify = xreallocarray(c->verify, c->nverify + 1, sizeof(*c->verify));
		c->nverify++;
	} else {
		cell_verify_release(&c->verify[i]);
	}
	c->verify[i].form = xstrdup(v->form);
	c->verify[i].state = xstrdup(v->state);
	c->verify[i].detail = v->detail ? xstrdup(v->detail) : NULL;
	c->verify[i].cause = v->cause ? xstrdup(v->cause) : NULL;
	c->verify[i].log = v->log ? xstrdup(v->log) : NULL;
}

struct artifact *
cell_add_artifact(struct cell *c, const char *path, const char *celldir)
{
	struct artifact *a;
	size_t n = celldir ? strlen(celldir) : 0;
	const char *slash = strrchr(path, '/');
	struct measure m = MEASURE_INIT;
	struct iface f = IFACE_INIT;

	c->arts = xreallocarray(c->arts, c->narts + 1, sizeof(*c->arts));
	a = &c->arts[c->narts++];
	memset(a, 0, sizeof(*a));
	a->path = xstrdup(path);
	a->name = n && !strncmp(path, celldir, n) && path[n] == '/' ? xstrdup(path + n + 1)
	          : xstrdup(slash ? slash + 1 : path);
	a->m = m;
	a->ifc = f;
	return a;
}

void
cell_clear_artifacts(struct cell *c)
{
	for (size_t i = 0; i < c->narts; i++) {
		free(c->arts[i].path);
		free(c->arts[i].name);
		measure_release(&c->arts[i].m);
		iface_release(&c->arts[i].ifc);
		strv_release(&c->arts[i].unresolved);
	}
	free(c->arts);
	c->arts = NULL;
	c->narts = 0;
}

/* a += b for a size that may be unknown (-1) */
static void
add_size(long long *a, long long b)
{
	*a = *a < 0 || b < 0 ? -1 : *a + b;
}

void
cell_sum_artifacts(struct cell *c)
{
	struct measure m = MEASURE_INIT;

	measure_release(&c->m);
	if (!c->narts) {
		c->m = m;
		return;
	}
	m.bytes = m.stripped_bytes = m.gz_bytes = m.xz_bytes = 0;
	for (size_t i = 0; i < c->narts; i++) {
		const struct measure *a = &c->arts[i].m;

		add_size(&m.bytes, a->bytes);
		add_size(&m.stripped_bytes, a->stripped_bytes);
		add_size(&m.gz_bytes, a->gz_bytes);
		add_size(&m.xz_bytes, a->xz_bytes);
		m.flash += a->flash;
		m.ram += a->ram;
		m.no_sections = m.no_sections || a->no_sections;
		for (size_t j = 0; j < a->nsections; j++) {
			size_t k;

			for (k = 0; k < m.nsections; k++) {
				if (!strcmp(m.sections[k].name, a->sections[j].name)) {
					break;
				}
			}
			if (k == m.nsections) {
				m.sections = xreallocarray(m.sections, m.nsections + 1,
							   sizeof(*m.sections));
				m.sections[k].name = xstrdup(a->sections[j].name);
				m.sections[k].bytes = 0;
				m.nsections++;
			}
			m.sections[k].bytes += a->sections[j].bytes;
		}
		if (!m.nregions) {
			/* regions are one link's: the first artifact that has them */
			measure_copy_regions(&m, a);
		}
	}
	c->m = m;
	free(c->artifact);
	c->artifact = xstrdup(c->arts[0].path);
}

const char *
cell_glibc(const struct cell *c)
{
	const char *best = NULL;

	for (size_t i = 0; i < c->narts; i++) {
		const char *g = c->arts[i].ifc.glibc;

		if (g && (!best || iface_version_cmp(g, best) > 0)) {
			best = g;
		}
	}
	return best;
}

const struct artifact *
cell_find_artifact(const struct cell *c, const char *name)
{
	for (size_t i = 0; i < c->narts; i++) {
		if (!strcmp(c->arts[i].name, name)) {
			return &c->arts[i];
		}
	}
	return NULL;
}

struct cell *
results_find(const struct results *r, const char *name)
{
	for (size_t i = 0; i < r->ncells; i++) {
		if (!strcmp(r->cells[i]->name, name)) {
			return r->cells[i];
		}
	}
	return NULL;
}

void
results_add_cell(struct results *r, struct cell *c)
{
	r->cells = xreallocarray(r->cells, r->ncells + 1, sizeof(*r->cells));
	r->cells[r->ncells++] = c;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
results_set_baseline(struct results *r, const char *build, const char *cell)
{
	strv_setenv(&r->baselines, build, cell);
}

const struct cell *
results_baseline_of(const struct results *r, const struct cell *c)
{
	const char *name = c && c->build ? strv_getenv(&r->baselines, c->build) : NULL;

	if (!name) {
		name = r->baseline;
	}
	return name ? results_find(r, name) : NULL;
}

void
results_add_row(struct results *r, const char *cell, const char *group, const char *label,
		const char *note)
{
	struct row *row;

	r->rows = xreallocarray(r->rows, r->nrows + 1, sizeof(*r->rows));
	row = &r->rows[r->nrows++];
	row->cell = xstrdup(cell);
	row->group = xstrdup(group);
	row->label = xstrdup(label);
	row->note = dup_or_null(note);
}

static void
add_profile(struct results *r, const char *name, const char *summary, const char *stage,
	    const char *tradeoff, const char *note)
{
	struct result_profile *p;

	r->profiles = xreallocarray(r->profiles, r->nprofiles + 1, sizeof(*r->profiles));
	p = &r->profiles[r->nprofiles++];
	p->name = xstrdup(name);
	p->summary = xstrdup(summary ? summary : "");
	p->stage = xstrdup(stage ? stage : "compile");
	p->tradeoff = xstrdup(tradeoff ? tradeoff : "none");
	p->tradeoff_note = dup_or_null(note);
}

void
results_add_profile(struct results *r, const struct profile *p)
{
	add_profile(r, p->name, p->summary, profile_stage_name(p->stage), p->tradeoff,
		    p->tradeoff_note);
}

const struct result_profile *
results_profile(const struct results *r, const char *name)
{
	for (size_t i = 0; i < r->nprofiles; i++) {
		if (!strcmp(r->profiles[i].name, name)) {
			return &r->profiles[i];
		}
	}
	return NULL;
}

bool
metric_valid(const char *m)
{
	/* one list of the metrics, where ounce.ini's [budget] reads them too */
	return budgetconf_metric_valid(m);
}

long long
cell_metric(const struct cell *c, const char *m)
{
	if (c->status != CELL_OK && c->status != CELL_SMOKE_FAILED) {
		return -1;
	}
	return measure_metric(&c->m, m);
}

/* ---- writing ---- */

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *
result_json_strv(const struct strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sv->n; i++) {
		json_array_append_new(a, json_string(sv->v[i]));
	}
	return a;
}

json_t *
result_json_env(const struct strv *env)
{
	json_t *o = json_object();

	for (size_t i = 0; i < env->n; i++) {
		const char *kv = env->v[i];
		size_t n = strcspn(kv, "=");
		char *k = xstrndup(kv, n);

		json_object_set_new(o, k, json_string(kv + n + 1));
		free(k);
	}
	return o;
}

static json_t *
jsize(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

json_t *
result_settings_json(const struct settings *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "toolchain", jstr(s->toolchain));
	json_object_set_new(o, "cc", jstr(s->cc));
	json_object_set_new(o, "cxx", jstr(s->cxx));
	json_object_set_new(o, "cflags", result_json_strv(&s->f.cflags));
	json_object_set_new(o, "ldflags", result_json_strv(&s->f.ldflags));
	json_object_set_new(o, "libs", result_json_strv(&s->f.libs));
	json_object_set_new(o, "env", result_json_env(&s->f.env));
	json_object_set_new(o, "post", result_json_strv(&s->f.post));
	json_object_set_new(o, "build_args", result_json_strv(&s->f.build_args));
	json_object_set_new(o, "configure_args", result_json_strv(&s->f.configure_args));
	json_object_set_new(o, "rustflags", result_json_strv(&s->f.rustflags));
	return o;
}

/* m's memory regions as a JSON array, set on o as "regions" when there are any. */
static void
regions_json(json_t *o, const struct measure *m, bool measured)
{
	json_t *a;

	if (!measured || !m->nregions) {
		return;
	}
	a = json_array();
	for (size_t i = 0; i < m->nregions; i++) {
		const struct measure_region *r = &m->regions[i];
		json_t *j = json_object();

		json_object_set_new(j, "name", json_string(r->name));
		json_object_set_new(j, "origin", json_integer((json_int_t)r->origin));
		json_object_set_new(j, "length", json_integer((json_int_t)r->length));
		json_object_set_new(j, "used", json_integer((json_int_t)r->used));
		json_array_append_new(a, j);
	}
	json_object_set_new(o, "regions", a);
}

/* A cell's build steps as "steps" on o, and where its compiles went as
 * "distributed", each when there is something to say. */
static void
steps_json(json_t *o, const struct cell_steps *st)
{
	if (st->compiles || st->links) {
		json_t *j = json_object();

		json_object_set_new(j, "compiles", json_integer(st->compiles));
		json_object_set_new(j, "compile_seconds", json_real(st->compile_seconds));
		json_object_set_new(j, "compile_cpu", json_real(st->compile_cpu));
		json_object_set_new(j, "links", json_integer(st->links));
		json_object_set_new(j, "link_seconds", json_real(st->link_seconds));
		json_object_set_new(j, "link_cpu", json_real(st->link_cpu));
		json_object_set_new(o, "steps", j);
	}
	if (st->remote || st->local || st->fallback || st->retried) {
		json_t *j = json_object();

		json_object_set_new(j, "remote", json_integer(st->remote));
		json_object_set_new(j, "local", json_integer(st->local));
		json_object_set_new(j, "fallback", json_integer(st->fallback));
		json_object_set_new(j, "retried", json_integer(st->retried));
		json_object_set_new(j, "failed_hosts", jstr(st->failed_hosts));
		json_object_set_new(o, "distributed", j);
	}
}

static json_t *
artifact_json(const struct artifact *a, bool measured)
{
	json_t *o = json_object();

	json_object_set_new(o, "path", json_string(a->path));
	json_object_set_new(o, "name", json_string(a->name));
	json_object_set_new(o, "kind", jstr(a->ifc.kind));
	json_object_set_new(o, "bytes", measured ? jsize(a->m.bytes) : json_null());
	json_object_set_new(o, "stripped_bytes", measured ? jsize(a->m.stripped_bytes) : json_null());
	json_object_set_new(o, "xz_bytes", measured ? jsize(a->m.xz_bytes) : json_null());
	json_object_set_new(o, "gz_bytes", measured ? jsize(a->m.gz_bytes) : json_null());
	json_object_set_new(o, "flash", measured ? json_integer((json_int_t)a->m.flash) : json_null());
	json_object_set_new(o, "ram", measured ? json_integer((json_int_t)a->m.ram) : json_null());
	regions_json(o, &a->m, measured);
	json_object_set_new(o, "hash", *a->hash ? json_string(a->hash) : json_null());
	json_object_set_new(o, "glibc", jstr(a->ifc.glibc));
	json_object_set_new(o, "interp", jstr(a->ifc.interp));
	json_object_set_new(o, "soname", jstr(a->ifc.soname));
	json_object_set_new(o, "needed", result_json_strv(&a->ifc.needed));
	json_object_set_new(o, "exports", result_json_strv(&a->ifc.exports));
	json_object_set_new(o, "unresolved", result_json_strv(&a->unresolved));
	return o;
}

static json_t *
explain_rows_json(const struct explain_row *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *row = json_object();

		json_object_set_new(row, "name", json_string(v[i].name));
		json_object_set_new(row, "old_bytes", json_integer(v[i].old_bytes));
		json_object_set_new(row, "new_bytes", json_integer(v[i].new_bytes));
		json_object_set_new(row, "change", json_string(diff_change_name(v[i].change)));
		json_array_append_new(a, row);
	}
	return a;
}

/* A cell's "bench" object. */
static json_t *
bench_json(const struct cell_bench *b)
{
	json_t *o = json_object(), *wall = json_array(), *cpu = json_array();

	for (size_t i = 0; i < b->n; i++) {
		json_array_append_new(wall, json_real(b->wall[i]));
		json_array_append_new(cpu, json_real(b->cpu[i]));
	}
	json_object_set_new(o, "wall", wall);
	json_object_set_new(o, "cpu", cpu);
	json_object_set_new(o, "rss_kb", b->rss_kb >= 0 ? json_integer(b->rss_kb) : json_null());
	if (b->instructions >= 0) {
		json_object_set_new(o, "instructions", json_integer(b->instructions));
	}
	if (b->error) {
		json_object_set_new(o, "error", json_string(b->error));
	}
	return o;
}

json_t *
result_cell_json(const struct cell *c)
{
	json_t *o = json_object(), *secs = json_object(), *arts = json_array();
	static const char *const smoke[] = {"none", "pass", "fail", "loaded"};
	bool measured = c->m.bytes >= 0 && (c->status == CELL_OK || c->status == CELL_SMOKE_FAILED);

	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "build", jstr(c->build));
	json_object_set_new(o, "profiles", result_json_strv(&c->profiles));
	json_object_set_new(o, "status", json_string(cell_status_name(c->status)));
	json_object_set_new(o, "reason", jstr(c->reason));
	json_object_set_new(o, "log", jstr(c->log));
	json_object_set_new(o, "artifact", jstr(c->artifact));
	json_object_set_new(o, "bytes", measured ? jsize(c->m.bytes) : json_null());
	json_object_set_new(o, "stripped_bytes", measured ? jsize(c->m.stripped_bytes) : json_null());
	for (size_t i = 0; measured && i < c->m.nsections; i++) {
		json_object_set_new(secs, c->m.sections[i].name,
				    json_integer((json_int_t)c->m.sections[i].bytes));
	}
	json_object_set_new(o, "sections", secs);
	json_object_set_new(o, "xz_bytes", measured ? jsize(c->m.xz_bytes) : json_null());
	json_object_set_new(o, "gz_bytes", measured ? jsize(c->m.gz_bytes) : json_null());
	json_object_set_new(o, "flash", measured ? json_integer((json_int_t)c->m.flash) : json_null());
	json_object_set_new(o, "ram", measured ? json_integer((json_int_t)c->m.ram) : json_null());
	regions_json(o, &c->m, measured);
	for (size_t i = 0; i < c->narts; i++) {
		json_array_append_new(arts, artifact_json(&c->arts[i], measured));
	}
	json_object_set_new(o, "artifacts", arts);
	json_object_set_new(o, "glibc", measured ? jstr(cell_glibc(c)) : json_null());
	json_object_set_new(o, "unproven", result_json_strv(&c->unproven));
	json_object_set_new(o, "smoke", json_string(smoke[c->smoke]));
	json_object_set_new(o, "peak_rss_kb", c->peak_rss_kb >= 0 ? json_integer(c->peak_rss_kb)
								  : json_null());
	json_object_set_new(o, "build_seconds", json_real(c->build_seconds));
	json_object_set_new(o, "measure_seconds", json_real(c->measure_seconds));
	steps_json(o, &c->steps);
	json_object_set_new(o, "settings", result_settings_json(&c->settings));
	json_object_set_new(o, "cached", json_boolean(c->cached));
	json_object_set_new(o, "built", json_boolean(c->built));
	json_object_set_new(o, "reused_from", jstr(c->reused_from));
	if (c->reproducible != CELL_REPRO_UNKNOWN) {
		json_object_set_new(o, "reproducible",
				    json_boolean(c->reproducible == CELL_REPRO_YES));
		if (c->repro_detail) {
			json_object_set_new(o, "reproducible_detail", json_string(c->repro_detail));
		}
	}
	if (c->nverify) {
		json_t *vs = json_array();

		for (size_t i = 0; i < c->nverify; i++) {
			const struct cell_verify *v = &c->verify[i];

			json_array_append_new(vs, json_pack("{s:s, s:s, s:o, s:o, s:o}", "form",
							    v->form, "state", v->state, "detail",
							    jstr(v->detail), "cause", jstr(v->cause),
							    "log", jstr(v->log)));
		}
		json_object_set_new(o, "verify", vs);
	}
	if (c->explain.done) {
		const struct cell_explain *e = &c->explain;

		json_t *x = json_object();

		json_object_set_new(x, "artifact", jstr(e->artifact));
		json_object_set_new(x, "sections", explain_rows_json(e->sections, e->nsections));
		json_object_set_new(x, "symbols", explain_rows_json(e->symbols, e->nsymbols));
		json_object_set_new(o, "explain", x);
	}
	if (c->bench.n || c->bench.error) {
		json_object_set_new(o, "bench", bench_json(&c->bench));
	}
	return o;
}

char *
results_to_json(const struct results *r)
{
	json_t *o = json_object(), *cells = json_array(), *rows = json_array();
	json_t *profs = json_array();
	char *s, *out;

	json_object_set_new(o, "tool", json_string("ounce"));
	json_object_set_new(o, "version", json_string(r->version ? r->version : OUNCE_VERSION));
	json_object_set_new(o, "project", jstr(r->project));
	json_object_set_new(o, "project_dir", jstr(r->project_dir));
	json_object_set_new(o, "recipe", jstr(r->recipe));
	json_object_set_new(o, "toolchain", jstr(r->toolchain));
	json_object_set_new(o, "baseline", jstr(r->baseline));
	json_object_set_new(o, "baselines", result_json_env(&r->baselines));
	json_object_set_new(o, "metric", jstr(r->metric));
	json_object_set_new(o, "target_glibc", jstr(r->target_glibc));
	json_object_set_new(o, "strategy", jstr(r->strategy));
	if (r->repeat > 1) {
		json_object_set_new(o, "repeat", json_integer(r->repeat));
	}
	json_object_set_new(o, "complete", json_boolean(r->complete));
	json_object_set_new(o, "argv", result_json_strv(&r->argv));
	json_object_set_new(o, "builds_run", json_integer(r->builds_run));
	json_object_set_new(o, "cells_total", json_integer((json_int_t)r->ncells));
	json_object_set_new(o, "cache_hits", json_integer(r->cache_hits));
	json_object_set_new(o, "wall_seconds", json_real(r->wall_seconds));
	json_object_set_new(o, "self_seconds", json_real(r->self_seconds));
	json_object_set_new(o, "measure_seconds", json_real(r->measure_seconds));
	for (size_t i = 0; i < r->ncells; i++) {
		json_array_append_new(cells, result_cell_json(r->cells[i]));
	}
	json_object_set_new(o, "cells", cells);
	for (size_t i = 0; i < r->nrows; i++) {
		json_t *row = json_object();

		json_object_set_new(row, "cell", json_string(r->rows[i].cell));
		json_object_set_new(row, "group", json_string(r->rows[i].group));
		json_object_set_new(row, "label", json_string(r->rows[i].label));
		json_object_set_new(row, "note", jstr(r->rows[i].note));
		json_array_append_new(rows, row);
	}
	json_object_set_new(o, "rows", rows);
	for (size_t i = 0; i < r->nprofiles; i++) {
		const struct result_profile *p = &r->profiles[i];
		json_t *po = json_object();

		json_object_set_new(po, "name", json_string(p->name));
		json_object_set_new(po, "summary", json_string(p->summary));
		json_object_set_new(po, "stage", json_string(p->stage));
		json_object_set_new(po, "tradeoff", json_string(p->tradeoff));
		json_object_set_new(po, "tradeoff_note", jstr(p->tradeoff_note));
		json_array_append_new(profs, po);
	}
	json_object_set_new(o, "profiles", profs);
	if (r->bench_command) {
		json_object_set_new(o, "bench",
				    json_pack("{s:s, s:i, s:o, s:o}", "command", r->bench_command,
					      "repeat", r->bench_repeat, "count",
					      jstr(r->bench_count), "counter",
					      jstr(r->bench_counter)));
	}
	if (r->slowdown_limit) {
		json_object_set_new(o, "max_slowdown", json_real(r->max_slowdown));
	}
	if (r->max_rss_kb > 0) {
		json_object_set_new(o, "max_rss_kb", json_integer(r->max_rss_kb));
	}
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s) {
		die("out of memory formatting results.json");
	}
	out = xasprintf("%s\n", s);
	free(s);
	return out;
}

char *
results_progress_json(const struct results *r, struct cell *const *running, size_t nrunning)
{
	struct results snap = *r;
	struct cell **placeholders = xcalloc(r->ncells + 1, sizeof(*placeholders));
	char *out;

	snap.cells = xcalloc(r->ncells + 1, sizeof(*snap.cells));
	snap.complete = false;
	snap.builds_run = 0;
	snap.cache_hits = 0;
	for (size_t i = 0; i < r->ncells; i++) {
		struct cell *c = r->cells[i];
		bool busy = false;

		for (size_t j = 0; j < nrunning && !busy; j++) {
			busy = running[j] == c;
		}
		/* a cell being built is not read (its thread writes it) but its name */
		if (busy || c->status == CELL_PENDING) {
			struct cell *p = cell_new(c->name);

			if (!busy) {
				/* queued: nothing writes it but under the caller's lock */
				p->build = c->build ? xstrdup(c->build) : NULL;
				strv_extend(&p->profiles, &c->profiles);
			}
			p->status = CELL_INTERRUPTED;
			p->reason = xstrdup("not built: the run was interrupted");
			placeholders[i] = p;
			c = p;
		}
		snap.builds_run += c->built;
		snap.cache_hits += c->cached;
		snap.cells[i] = c;
	}
	out = results_to_json(&snap);
	for (size_t i = 0; i < r->ncells; i++) {
		cell_free(placeholders[i]);
	}
	free(placeholders);
	free(snap.cells);
	return out;
}

int
results_save(const struct results *r, const char *path)
{
	char *s = results_to_json(r);
	int rc = fs_write_atomic(path, s, strlen(s));

	free(s);
	return rc;
}

/* ---- reading ---- */

struct reader {
	const char *path;
	int rc;
};

static int
bad(struct reader *rd, const char *what)
{
	if (rd->rc == 0 && rd->path) {
		error_at(rd->path, 0, "not an ounce results file: %s", what);
	}
	rd->rc = -1;
	return -1;
}

static char *
get_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static long long
get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* A count or seconds of "steps" or "distributed" (absent in an older file: 0). */
static double
get_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) && json_number_value(v) > 0 ? json_number_value(v) : 0;
}

static void
load_steps(json_t *o, struct cell_steps *st)
{
	json_t *s = json_object_get(o, "steps"), *d = json_object_get(o, "distributed");

	st->compiles = (int)get_num(s, "compiles");
	st->compile_seconds = get_num(s, "compile_seconds");
	st->compile_cpu = get_num(s, "compile_cpu");
	st->links = (int)get_num(s, "links");
	st->link_seconds = get_num(s, "link_seconds");
	st->link_cpu = get_num(s, "link_cpu");
	st->remote = (int)get_num(d, "remote");
	st->local = (int)get_num(d, "local");
	st->fallback = (int)get_num(d, "fallback");
	st->retried = (int)get_num(d, "retried");
	st->failed_hosts = get_str(d, "failed_hosts");
}

static void
get_strv(struct reader *rd, json_t *o, const char *key, struct strv *out)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	if (!a) {
		return;
	}
	if (!json_is_array(a)) {
		bad(rd, key);
		return;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			bad(rd, key);
			return;
		}
		strv_push(out, json_string_value(v));
	}
}

static void
load_settings(struct reader *rd, json_t *o, struct settings *s)
{
	json_t *env, *v;
	const char *k;

	if (!json_is_object(o)) {
		bad(rd, "a cell's 'settings' is not an object");
		return;
	}
	s->toolchain = get_str(o, "toolchain");
	s->cc = get_str(o, "cc");
	s->cxx = get_str(o, "cxx");
	get_strv(rd, o, "cflags", &s->f.cflags);
	get_strv(rd, o, "ldflags", &s->f.ldflags);
	get_strv(rd, o, "libs", &s->f.libs);
	get_strv(rd, o, "post", &s->f.post);
	get_strv(rd, o, "build_args", &s->f.build_args);
	get_strv(rd, o, "configure_args", &s->f.configure_args);
	get_strv(rd, o, "rustflags", &s->f.rustflags);
	env = json_object_get(o, "env");
	if (json_is_object(env)) {
		json_object_foreach(env, k, v) {
			if (json_is_string(v)) {
				strv_setenv(&s->f.env, k, json_string_value(v));
			}
		}
	}
}

/* The "regions" array of o (an artifact or a cell) into m. */
static void
load_regions(struct reader *rd, json_t *o, struct measure *m)
{
	json_t *a = json_object_get(o, "regions"), *r;
	size_t i;

	if (!a) {
		return;
	}
	if (!json_is_array(a)) {
		bad(rd, "'regions' is not an array");
		return;
	}
	json_array_foreach(a, i, r) {
		char *name = get_str(r, "name");
		long long origin = get_int(r, "origin"), length = get_int(r, "length"),
			  used = get_int(r, "used");

		if (!name || origin < 0 || length < 0 || used < 0) {
			bad(rd, "a region has no 'name', 'origin', 'length' or 'used'");
		} else {
			measure_add_region(m, name, (unsigned long long)origin,
					   (unsigned long long)length, (unsigned long long)used);
		}
		free(name);
	}
}

static void
load_artifact(struct reader *rd, json_t *o, struct cell *c)
{
	static const char *const kinds[] = {"executable", "shared-library", "object"};
	struct artifact *a;
	char *path = get_str(o, "path"), *name = get_str(o, "name"), *kind, *hash;

	if (!json_is_object(o) || !path || !name) {
		free(path);
		free(name);
		bad(rd, "an artifact has no 'path' or 'name'");
		return;
	}
	a = cell_add_artifact(c, path, NULL);
	free(a->name);
	a->name = name;
	free(path);
	a->m.bytes = get_int(o, "bytes");
	a->m.stripped_bytes = get_int(o, "stripped_bytes");
	a->m.xz_bytes = get_int(o, "xz_bytes");
	a->m.gz_bytes = get_int(o, "gz_bytes");
	a->m.flash = get_int(o, "flash") < 0 ? 0 : (unsigned long long)get_int(o, "flash");
	a->m.ram = get_int(o, "ram") < 0 ? 0 : (unsigned long long)get_int(o, "ram");
	load_regions(rd, o, &a->m);
	kind = get_str(o, "kind");
	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(*kinds); i++) {
		if (!strcmp(kind, kinds[i])) {
			a->ifc.kind = kinds[i];
		}
	}
	free(kind);
	hash = get_str(o, "hash");
	if (hash && strlen(hash) == ARTIFACT_HASH_LEN) {
		memcpy(a->hash, hash, ARTIFACT_HASH_LEN + 1);
	}
	free(hash);
	a->ifc.glibc = get_str(o, "glibc");
	a->ifc.interp = get_str(o, "interp");
	a->ifc.soname = get_str(o, "soname");
	a->ifc.dynamic = a->ifc.interp || a->ifc.soname || json_array_size(json_object_get(o, "needed"));
	get_strv(rd, o, "needed", &a->ifc.needed);
	get_strv(rd, o, "exports", &a->ifc.exports);
	get_strv(rd, o, "unresolved", &a->unresolved);
}

/* The rows of a cell's "explain" list a into e's symbols (symbol true) or sections. */
static void
load_explain_rows(struct reader *rd, json_t *a, struct cell_explain *e, bool symbol)
{
	static const enum diff_change changes[] = {DIFF_ADDED, DIFF_REMOVED, DIFF_GROWN,
						   DIFF_SHRUNK};
	json_t *x;
	size_t i;

	if (!json_is_array(a)) {
		bad(rd, "a cell's 'explain' has no 'sections' or 'symbols' array");
		return;
	}
	json_array_foreach(a, i, x) {
		const char *name = json_string_value(json_object_get(x, "name"));
		const char *change = json_string_value(json_object_get(x, "change"));
		long long old_bytes = get_int(x, "old_bytes"), new_bytes = get_int(x, "new_bytes");
		enum diff_change ch = DIFF_GROWN;

		if (!name || old_bytes < 0 || new_bytes < 0) {
			bad(rd, "a row of a cell's 'explain' has no 'name' or bytes");
			return;
		}
		for (size_t k = 0; change && k < sizeof(changes) / sizeof(*changes); k++) {
			if (!strcmp(change, diff_change_name(changes[k]))) {
				ch = changes[k];
			}
		}
		cell_explain_add(e, symbol, name, old_bytes, new_bytes, ch);
	}
}

/* A cell's "explain" (absent from a results.json an older ounce wrote). */
static void
load_explain(struct reader *rd, json_t *o, struct cell_explain *e)
{
	if (!o) {
		return;
	}
	if (!json_is_object(o)) {
		bad(rd, "a cell's 'explain' is not an object");
		return;
	}
	e->done = true;
	e->artifact = get_str(o, "artifact");
	load_explain_rows(rd, json_object_get(o, "sections"), e, false);
	load_explain_rows(rd, json_object_get(o, "symbols"), e, true);
}

/* A cell's "bench" (absent when the run had no --bench) into b. */
static void
load_bench(struct reader *rd, json_t *o, struct cell_bench *b)
{
	json_t *wall = json_object_get(o, "wall"), *cpu = json_object_get(o, "cpu");

	if (!o) {
		return;
	}
	if (!json_is_object(o) || !json_is_array(wall) || !json_is_array(cpu) ||
	    json_array_size(wall) != json_array_size(cpu)) {
		bad(rd, "a cell's 'bench' has no 'wall' and 'cpu' arrays of one length");
		return;
	}
	for (size_t i = 0; i < json_array_size(wall); i++) {
		json_t *w = json_array_get(wall, i), *u = json_array_get(cpu, i);

		if (!json_is_number(w) || !json_is_number(u)) {
			bad(rd, "a cell's 'bench' holds a time that is not a number");
			return;
		}
		cell_bench_add(b, json_number_value(w), json_number_value(u));
	}
	b->rss_kb = get_int(o, "rss_kb");
	b->instructions = get_int(o, "instructions");
	b->error = get_str(o, "error");
}

static struct cell *
load_cell(struct reader *rd, json_t *o)
{
	struct cell *c;
	char *status, *smoke;
	json_t *secs, *v;
	const char *k;
	size_t i;

	if (!json_is_object(o) || !json_is_string(json_object_get(o, "name"))) {
		bad(rd, "a cell has no 'name'");
		return NULL;
	}
	c = cell_new(json_string_value(json_object_get(o, "name")));
	c->build = get_str(o, "build");
	get_strv(rd, o, "profiles", &c->profiles);
	status = get_str(o, "status");
	c->status = CELL_PENDING;
	for (i = 0; status && i < sizeof(status_names) / sizeof(*status_names); i++) {
		if (!strcmp(status, status_names[i])) {
			c->status = (enum cell_status)i;
		}
	}
	if (!status || c->status == CELL_PENDING) {
		bad(rd, "a cell has no known 'status'");
	}
	free(status);
	c->reason = get_str(o, "reason");
	c->log = get_str(o, "log");
	c->artifact = get_str(o, "artifact");
	c->m.bytes = get_int(o, "bytes");
	c->m.stripped_bytes = get_int(o, "stripped_bytes");
	c->m.xz_bytes = get_int(o, "xz_bytes");
	c->m.gz_bytes = get_int(o, "gz_bytes");
	c->m.flash = get_int(o, "flash") < 0 ? 0 : (unsigned long long)get_int(o, "flash");
	c->m.ram = get_int(o, "ram") < 0 ? 0 : (unsigned long long)get_int(o, "ram");
	load_regions(rd, o, &c->m);
	secs = json_object_get(o, "sections");
	if (json_is_object(secs)) {
		json_object_foreach(secs, k, v) {
			if (json_is_integer(v)) {
				c->m.sections = xreallocarray(c->m.sections, c->m.nsections + 1,
							      sizeof(*c->m.sections));
				c->m.sections[c->m.nsections].name = xstrdup(k);
				c->m.sections[c->m.nsections].bytes =
					(unsigned long long)json_integer_value(v);
				c->m.nsections++;
			}
		}
	}
	v = json_object_get(o, "artifacts");
	if (v && !json_is_array(v)) {
		bad(rd, "a cell's 'artifacts' is not an array");
	} else if (v) {
		json_t *x;

		json_array_foreach(v, i, x) {
			load_artifact(rd, x, c);
		}
	}
	get_strv(rd, o, "unproven", &c->unproven);
	/* measured, but no section at all: a file without section headers */
	c->m.no_sections = c->m.bytes >= 0 && !c->m.nsections;
	smoke = get_str(o, "smoke");
	c->smoke = !smoke ? SMOKE_NONE : !strcmp(smoke, "pass") ? SMOKE_PASS
				       : !strcmp(smoke, "fail") ? SMOKE_FAIL
				       : !strcmp(smoke, "loaded") ? SMOKE_LOADED
								: SMOKE_NONE;
	free(smoke);
	c->peak_rss_kb = get_int(o, "peak_rss_kb");
	v = json_object_get(o, "build_seconds");
	c->build_seconds = json_is_number(v) ? json_number_value(v) : 0;
	v = json_object_get(o, "measure_seconds");
	c->measure_seconds = json_is_number(v) ? json_number_value(v) : 0;
	load_steps(o, &c->steps);
	v = json_object_get(o, "settings");
	if (v) {
		load_settings(rd, v, &c->settings);
	}
	c->cached = json_is_true(json_object_get(o, "cached"));
	c->built = json_is_true(json_object_get(o, "built"));
	c->reused_from = get_str(o, "reused_from");
	/* absent from an older ounce's file, and from a run without --repeat */
	v = json_object_get(o, "reproducible");
	if (json_is_boolean(v)) {
		c->reproducible = json_is_true(v) ? CELL_REPRO_YES : CELL_REPRO_NO;
		c->repro_detail = get_str(o, "reproducible_detail");
	} else if (v && !json_is_null(v)) {
		bad(rd, "a cell's 'reproducible' is not true or false");
	}
	v = json_object_get(o, "verify");
	if (json_is_array(v)) {
		json_t *x;

		json_array_foreach(v, i, x) {
			struct cell_verify cv = {
				get_str(x, "form"), get_str(x, "state"), get_str(x, "detail"),
				get_str(x, "cause"), get_str(x, "log"),
			};

			if (cv.form && cv.state) {
				cell_set_verify(c, &cv);
			}
			cell_verify_release(&cv);
		}
	}
	load_explain(rd, json_object_get(o, "explain"), &c->explain);
	load_bench(rd, json_object_get(o, "bench"), &c->bench);
	return c;
}

struct cell *
result_cell_from_json(json_t *o)
{
	struct reader rd = {NULL, 0};
	struct cell *c = load_cell(&rd, o);

	if (c && rd.rc < 0) {
		cell_free(c);
		return NULL;
	}
	return c;
}

int
results_load(struct results *r, const char *path)
{
	json_error_t jerr;
	json_t *o, *a, *v;
	struct reader rd = {path, 0};
	struct buf text = BUF_INIT;
	char *tool;
	long long repeat;
	size_t i;

	if (!fs_exists(path)) {
		return error("cannot read '%s': no such file", path);
	}
	/* through fs_read_file, not json_load_file: a FIFO or a device is refused */
	if (fs_read_file(path, &text) < 0) {
		buf_release(&text);
		return -1;
	}
	o = json_loadb(text.s ? text.s : "", text.len, 0, &jerr);
	buf_release(&text);
	if (!o) {
		return error_at(path, jerr.line, "invalid JSON: %s", jerr.text);
	}
	tool = get_str(o, "tool");
	if (!json_is_object(o) || !tool || strcmp(tool, "ounce")) {
		free(tool);
		json_decref(o);
		return error_at(path, 0, "not an ounce results file: no \"tool\": \"ounce\"");
	}
	free(tool);
	r->version = get_str(o, "version");
	r->project = get_str(o, "project");
	r->project_dir = get_str(o, "project_dir");
	r->recipe = get_str(o, "recipe");
	r->toolchain = get_str(o, "toolchain");
	r->baseline = get_str(o, "baseline");
	r->metric = get_str(o, "metric");
	r->target_glibc = get_str(o, "target_glibc");
	r->strategy = get_str(o, "strategy");
	repeat = get_int(o, "repeat");
	/* an int whatever the file says (--repeat takes at most 100) */
	r->repeat = repeat > 1 ? (int)(repeat < 1000 ? repeat : 1000) : 0;
	r->complete = json_is_true(json_object_get(o, "complete"));
	get_strv(&rd, o, "argv", &r->argv);
	r->builds_run = get_int(o, "builds_run") < 0 ? 0 : get_int(o, "builds_run");
	r->cache_hits = get_int(o, "cache_hits") < 0 ? 0 : get_int(o, "cache_hits");
	v = json_object_get(o, "wall_seconds");
	r->wall_seconds = json_is_number(v) ? json_number_value(v) : 0;
	v = json_object_get(o, "self_seconds");
	r->self_seconds = json_is_number(v) ? json_number_value(v) : 0;
	v = json_object_get(o, "measure_seconds");
	r->measure_seconds = json_is_number(v) ? json_number_value(v) : 0;
	a = json_object_get(o, "baselines");
	if (json_is_object(a)) {
		const char *k;

		json_object_foreach(a, k, v) {
			if (json_is_string(v)) {
				strv_setenv(&r->baselines, k, json_string_value(v));
			}
		}
	}
	a = json_object_get(o, "cells");
	if (!json_is_array(a)) {
		bad(&rd, "no 'cells' array");
	}
	json_array_foreach(a, i, v) {
		struct cell *c = load_cell(&rd, v);

		if (c) {
			results_add_cell(r, c);
		}
	}
	a = json_object_get(o, "rows");
	json_array_foreach(a, i, v) {
		char *cell = get_str(v, "cell"), *group = get_str(v, "group");
		char *label = get_str(v, "label"), *note = get_str(v, "note");

		if (cell && group && label && results_find(r, cell)) {
			results_add_row(r, cell, group, label, note);
		} else {
			bad(&rd, "a row names no known cell");
		}
		free(cell);
		free(group);
		free(label);
		free(note);
	}
	if (!r->nrows) {
		/* a results.json from elsewhere without rows: one row per cell */
		for (i = 0; i < r->ncells; i++) {
			const char *n = r->cells[i]->name;
			bool base = r->baseline && !strcmp(n, r->baseline);

			results_add_row(r, n, base ? "baseline" : "each", base ? "baseline" : n, NULL);
		}
	}
	a = json_object_get(o, "profiles");
	json_array_foreach(a, i, v) {
		char *name = get_str(v, "name"), *summary = get_str(v, "summary");
		char *stage = get_str(v, "stage"), *tradeoff = get_str(v, "tradeoff");
		char *note = get_str(v, "tradeoff_note");

		if (name) {
			add_profile(r, name, summary, stage, tradeoff, note);
		}
		free(name);
		free(summary);
		free(stage);
		free(tradeoff);
		free(note);
	}
	v = json_object_get(o, "bench");
	if (json_is_object(v)) {
		long long n = get_int(v, "repeat");

		r->bench_command = get_str(v, "command");
		r->bench_repeat = n > 0 && n < 1000 ? (int)n : 0;
		r->bench_count = get_str(v, "count");
		r->bench_counter = get_str(v, "counter");
	}
	v = json_object_get(o, "max_slowdown");
	if (json_is_number(v)) {
		r->slowdown_limit = true;
		r->max_slowdown = json_number_value(v);
	}
	r->max_rss_kb = get_int(o, "max_rss_kb") > 0 ? get_int(o, "max_rss_kb") : 0;
	json_decref(o);
	if (rd.rc == 0 && (!r->baseline || !results_find(r, r->baseline))) {
		bad(&rd, "'baseline' names no cell");
	}
	return rd.rc;
}

void
results_release(struct results *r)
{
	for (size_t i = 0; i < r->ncells; i++) {
		cell_free(r->cells[i]);
	}
	free(r->cells);
	for (size_t i = 0; i < r->nrows; i++) {
		free(r->rows[i].cell);
		free(r->rows[i].group);
		free(r->rows[i].label);
		free(r->rows[i].note);
	}
	free(r->rows);
	for (size_t i = 0; i < r->nprofiles; i++) {
		free(r->profiles[i].name);
		free(r->profiles[i].summary);
		free(r->profiles[i].stage);
		free(r->profiles[i].tradeoff);
		free(r->profiles[i].tradeoff_note);
	}
	free(r->profiles);
	free(r->version);
	free(r->project);
	free(r->project_dir);
	free(r->recipe);
	free(r->toolchain);
	free(r->baseline);
	strv_release(&r->baselines);
	free(r->metric);
	free(r->target_glibc);
	free(r->strategy);
	strv_release(&r->argv);
	free(r->bench_command);
	free(r->bench_count);
	free(r->bench_counter);
	memset(r, 0, sizeof(*r));
}

void
cell_bench_release(struct cell_bench *b)
{
	free(b->wall);
	free(b->cpu);
	free(b->error);
	memset(b, 0, sizeof(*b));
	b->rss_kb = -1;
	b->instructions = -1;
}

void
cell_bench_add(struct cell_bench *b, double wall, double cpu)
{
	b->wall = xreallocarray(b->wall, b->n + 1, sizeof(*b->wall));
	b->cpu = xreallocarray(b->cpu, b->n + 1, sizeof(*b->cpu));
	b->wall[b->n] = wall;
	b->cpu[b->n] = cpu;
	b->n++;
}
