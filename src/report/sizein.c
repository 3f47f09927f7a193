/* sizein.c: reads what `ounce check` is given. An ELF file is measured as a matrix
 * cell's artifact is (measure.c; strip for the stripped, xz and gz metrics); a
 * results.json through results_load; size JSON with jansson, back into the
 * size_report `ounce size` printed it from, so `ounce diff`'s machinery reads it. */
#include "report/sizein.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "elf/elffile.h"
#include "elf/measure.h"
#include "elf/size.h"
#include "os/fsutil.h"
#include "os/hash.h"
#include "os/spawn.h"
#include "report/pick.h"
#include "report/result.h"
#include "base/banned.h"

const char *
sizein_kind_name(enum sizein_kind k)
{
	static const char *const names[] = {"ELF file", "results.json", "size JSON"};

	return names[k];
}

static struct sizein_artifact *
add_artifact(struct sizein *in, const char *name, long long bytes)
{
	struct sizein_artifact *a;

	in->arts = xreallocarray(in->arts, in->narts + 1, sizeof(*in->arts));
	a = &in->arts[in->narts++];
	a->name = xstrdup(name);
	a->bytes = bytes;
	a->syms = NULL;
	return a;
}

static void
no_symbols(struct sizein *in, char *why)
{
	if (in->nosyms) {
		free(why);
		return;
	}
	in->nosyms = why;
}

/* The stripped, gz and xz sizes of path into m, through a stripped copy in a
 * temporary directory, as a matrix cell's artifact is measured. Returns 0, or -2
 * after reporting. */
static int
measure_stripped(const char *path, struct measure *m)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/ounce-check.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *copy = NULL, err[512], *strip = measure_strip_tool(path, NULL);
	char all[] = "--strip-all", o_opt[] = "-o";
	struct spawn_opts o = {0};
	struct spawn_result res;
	int rc = -2;

	if (m->no_sections) {
		/* nothing left for strip (it refuses such a file): its own stripped copy */
		m->stripped_bytes = m->bytes;
		if (measure_compressed(path, &m->gz_bytes, &m->xz_bytes, err, sizeof(err)) < 0) {
			error("%s", err);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (!mkdtemp(dir)) {
		error_errno("cannot make a temporary directory '%s'", dir);
		goto out;
	}
	copy = xasprintf("%s/stripped", dir);
	char *argv[] = {strip, all, o_opt, copy, (char *)path, NULL};

	o.argv = argv;
	o.timeout = 120;
	if (spawn_run(&o, &res) < 0) {
		goto out;
	}
	if (res.end != SPAWN_EXITED || res.status != 0) {
		error("cannot strip a copy of '%s' to measure it: %s: %s", path, strip,
		      spawn_describe(&res, 120));
		goto out;
	}
	m->stripped_bytes = fs_size(copy);
	if (measure_compressed(copy, &m->gz_bytes, &m->xz_bytes, err, sizeof(err)) < 0) {
		error("%s", err);
		goto out;
	}
	rc = 0;
out:
	if (copy) {
		fs_remove_tree(dir);
	}
	free(copy);
	free(dir);
	free(strip);
	return rc;
}

/* path's symbols into a new report, or NULL with the reason given to in. */
static struct size_report *
read_symbols(struct sizein *in, const char *path)
{
	struct size_report *r = xcalloc(1, sizeof(*r));
	char err[512];

	if (size_read(path, r, err, sizeof(err)) < 0) {
		no_symbols(in, xasprintf("%s", err));
	} else if (r->dynamic_symbols || !r->nsymbols) {
		no_symbols(in, xasprintf("'%s' is stripped: it has no symbol table", path));
	} else {
		return r;
	}
	size_report_release(r);
	free(r);
	return NULL;
}

/* With the metric region:NAME, the length of m's region NAME, once. */
static void
note_region(struct sizein *in, const struct measure *m, const char *metric)
{
	const struct measure_region *r;

	if (in->region_length < 0 && !strncmp(metric, "region:", 7) &&
	    (r = measure_region(m, metric + 7)) != NULL) {
		in->region_length = (long long)r->length;
	}
}

static int
load_elf(struct sizein *in, const char *path, const struct sizein_opts *o)
{
	struct measure m = MEASURE_INIT;
	struct sizein_artifact *a;
	char err[512];
	int rc;

	if (measure_elf(path, &m, err, sizeof(err)) < 0) {
		measure_release(&m);
		return error("%s", err);
	}
	if (!strncmp(o->metric, "region:", 7) && !measure_region(&m, o->metric + 7)) {
		rc = error("'%s' has no memory region '%s' (%s)", path, o->metric + 7,
			   m.nregions ? "see ounce size for its regions"
				      : "no linker map with a Memory Configuration beside it");
		measure_release(&m);
		return rc;
	}
	if (strcmp(o->metric, "file") && strcmp(o->metric, "flash") && strcmp(o->metric, "ram") &&
	    strncmp(o->metric, "region:", 7) && (rc = measure_stripped(path, &m)) < 0) {
		measure_release(&m);
		return rc;
	}
	a = add_artifact(in, path, measure_metric(&m, o->metric));
	note_region(in, &m, o->metric);
	measure_release(&m);
	if (o->symbols) {
		a->syms = read_symbols(in, path);
	}
	return 0;
}

/* Is the file at a->path still the one the run measured (its hash)? */
static bool
artifact_intact(const struct artifact *a)
{
	XXH3_state_t *st;
	char hex[HASH_HEX_LEN + 1];
	bool ok = false;

	if (!a->path || !a->hash[0] || !fs_exists(a->path)) {
		return false;
	}
	st = hash_new();
	if (hash_file(st, a->path) == 0) {
		hash_hex(XXH3_128bits_digest(st), hex);
		ok = !strcmp(hex, a->hash);
	}
	XXH3_freeState(st);
	return ok;
}

static int
load_results(struct sizein *in, const char *path, const struct sizein_opts *o)
{
	struct results r = RESULTS_INIT;
	const struct cell *c;
	int rc = -1;

	if (results_load(&r, path) < 0) {
		/* what it read before the fault is r's still */
		results_release(&r);
		return -1;
	}
	if (!o->cell) {
		c = r.baseline ? results_find(&r, r.baseline) : NULL;
		if (!c) {
			error_at(path, 0, "no baseline cell: name one with --cell");
			goto out;
		}
	} else if (!strcmp(o->cell, "pick")) {
		const struct cell *base = r.baseline ? results_find(&r, r.baseline) : NULL;

		/* as `ounce pick` chooses: among the default build's cells */
		c = pick_best_in(&r, o->metric, NULL, base ? base->build : NULL);
		if (!c) {
			error_at(path, 0,
				 "no cell qualifies as the winner by %s ('ounce pick' says why)",
				 o->metric);
			goto out;
		}
	} else if (!(c = results_find(&r, o->cell))) {
		error_at(path, 0, "no cell '%s' ('ounce table' lists them)", o->cell);
		goto out;
	}
	if (c->status != CELL_OK && c->status != CELL_SMOKE_FAILED) {
		error_at(path, 0, "cell '%s' was not measured: %s%s%s", c->name,
			 cell_status_name(c->status), c->reason ? ": " : "",
			 c->reason ? c->reason : "");
		goto out;
	}
	in->cell = xstrdup(c->name);
	for (size_t i = 0; i < c->narts; i++) {
		const struct artifact *a = &c->arts[i];
		long long v = measure_metric(&a->m, o->metric);
		struct sizein_artifact *s;

		if (v < 0) {
			error_at(path, 0, "cell '%s': '%s' has no %s size measured", c->name,
				 a->name, o->metric);
			goto out;
		}
		s = add_artifact(in, a->name, v);
		note_region(in, &a->m, o->metric);
		if (!o->symbols) {
			continue;
		}
		/* results.json keeps no symbol table; the file it names may still
		 * be there, unchanged */
		if (artifact_intact(a)) {
			s->syms = read_symbols(in, a->path);
		} else {
			no_symbols(in, xasprintf("'%s' keeps no symbol tables, and the file of "
						 "its artifact '%s' is gone or changed",
						 path, a->name));
		}
	}
	if (!in->narts) {
		error_at(path, 0, "cell '%s' has no artifacts", c->name);
		goto out;
	}
	rc = 0;
out:
	results_release(&r);
	return rc;
}

static bool
get_count(json_t *o, const char *key, unsigned long long *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		return false;
	}
	*out = (unsigned long long)json_integer_value(v);
	return true;
}

static char *
get_string(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

/* The size_report `ounce size --format json` printed as o. Returns 0, or -1 after
 * reporting what of it is malformed. */
static int
size_from_json(json_t *o, const char *path, struct size_report *r)
{
	json_t *secs = json_object_get(o, "sections"), *syms = json_object_get(o, "symbols"), *v;
	size_t i;

	r->file = get_string(o, "file");
	if (!get_count(o, "bytes", &r->bytes) || !json_is_array(secs)) {
		return error_at(path, 0, "not `ounce size --format json` output: no \"bytes\" "
					 "or \"sections\"");
	}
	r->sections = xcalloc(json_array_size(secs) + 1, sizeof(*r->sections));
	json_array_foreach(secs, i, v) {
		struct size_section *s = &r->sections[r->nsections];

		if (!json_is_string(json_object_get(v, "name")) ||
		    !get_count(v, "bytes", &s->bytes) || !get_count(v, "vm_bytes", &s->vm_bytes)) {
			return error_at(path, 0,
					"section %zu: no \"name\", \"bytes\" or \"vm_bytes\"",
					i + 1);
		}
		s->name = get_string(v, "name");
		r->nsections++;
	}
	if (!json_is_array(syms)) {
		return 0;
	}
	r->symbols = xcalloc(json_array_size(syms) + 1, sizeof(*r->symbols));
	json_array_foreach(syms, i, v) {
		struct size_symbol *y = &r->symbols[r->nsymbols];

		if (!json_is_string(json_object_get(v, "name")) ||
		    !get_count(v, "bytes", &y->bytes)) {
			return error_at(path, 0, "symbol %zu: no \"name\" or \"bytes\"", i + 1);
		}
		y->name = get_string(v, "name");
		y->raw = get_string(v, "raw");
		y->section = get_string(v, "section");
		y->component = get_string(v, "component");
		r->nsymbols++;
	}
	return 0;
}

static bool
has_symtab(const struct size_report *r)
{
	for (size_t i = 0; i < r->nsections; i++) {
		if (!strcmp(r->sections[i].name, ".symtab")) {
			return true;
		}
	}
	return false;
}

static int
load_size_json(struct sizein *in, json_t *o, const char *path, const struct sizein_opts *opt)
{
	struct size_report *r = xcalloc(1, sizeof(*r));
	struct sizein_artifact *a;

	if (size_from_json(o, path, r) < 0) {
		size_report_release(r);
		free(r);
		return -1;
	}
	if (strcmp(opt->metric, "file")) {
		size_report_release(r);
		free(r);
		return error_at(path, 0,
				"`ounce size` output holds the file's bytes only: the %s metric "
				"needs the ELF file or a results.json",
				opt->metric);
	}
	a = add_artifact(in, r->file[0] ? r->file : path, (long long)r->bytes);
	if (!opt->symbols) {
		size_report_release(r);
		free(r);
	} else if (!r->nsymbols || !has_symtab(r)) {
		/* a stripped file's symbols are .dynsym's: its exports, not its code */
		no_symbols(in, xasprintf("'%s' is of a stripped file: it lists no symbol table",
					 path));
		size_report_release(r);
		free(r);
	} else {
		a->syms = r;
	}
	return 0;
}

int
sizein_load(struct sizein *in, const char *path, const struct sizein_opts *o)
{
	struct elffile f;
	enum elffile_status st;
	struct buf text = BUF_INIT;
	json_error_t jerr;
	json_t *j;
	char err[512];
	int rc = -1;

	in->path = xstrdup(path);
	st = elffile_open(&f, path, err, sizeof(err));
	elffile_release(&f);
	if (st == ELFFILE_OK) {
		in->kind = SIZEIN_ELF;
		return load_elf(in, path, o);
	}
	if (st != ELFFILE_NOT_ELF) {
		return error("%s", err);
	}
	if (fs_read_file(path, &text) < 0) {
		buf_release(&text);
		return -1;
	}
	/* a file that does not start as a JSON object is none of the three; one that
	 * does and breaks off is JSON at fault, at a line */
	const char *s = buf_str(&text);

	bool object = s[strspn(s, " \t\r\n")] == '{';

	j = object ? json_loadb(buf_str(&text), text.len, 0, &jerr) : NULL;
	buf_release(&text);
	if (!j) {
		if (object) {
			return error_at(path, jerr.line, "invalid JSON: %s", jerr.text);
		}
		return error_at(path, 0, "not an ELF file, a results.json or `ounce size "
					 "--format json` output");
	}
	if (json_object_get(j, "tool")) {
		in->kind = SIZEIN_RESULTS;
		json_decref(j);
		return load_results(in, path, o);
	}
	if (json_object_get(j, "file") && json_object_get(j, "sections")) {
		in->kind = SIZEIN_SIZE_JSON;
		rc = load_size_json(in, j, path, o);
	} else {
		error_at(path, 0, "not an ELF file, a results.json or `ounce size --format json` "
				  "output");
	}
	json_decref(j);
	return rc;
}

void
sizein_release(struct sizein *in)
{
	for (size_t i = 0; i < in->narts; i++) {
		free(in->arts[i].name);
		if (in->arts[i].syms) {
			size_report_release(in->arts[i].syms);
			free(in->arts[i].syms);
		}
	}
	free(in->arts);
	free(in->path);
	free(in->cell);
	free(in->nosyms);
	*in = (struct sizein)SIZEIN_INIT;
}
