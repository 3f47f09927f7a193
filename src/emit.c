/* emit.c: the winning settings as shell exports, a Makefile fragment or JSON. The
 * forms add to the project's own flags, as ounce's compiler wrapper did when it
 * measured the cell, so applying them reproduces the measured size. */
#include "emit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "result.h"
#include "banned.h"

static void
shell_quote(struct buf *out, const char *s)
{
	if (*s && !strpbrk(s, " \t\n'\"\\$`;&|<>()*?[]#~{}!")) {
		buf_adds(out, s);
		return;
	}
	buf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'') {
			buf_adds(out, "'\\''");
		} else {
			buf_addc(out, *s);
		}
	}
	buf_addc(out, '\'');
}

static void
shell_words(struct buf *out, const struct strv *sv)
{
	char *j = strv_join(sv, " ");

	shell_quote(out, j);
	free(j);
}

/* The post-link step with {artifact} replaced by with. */
static char *
post_step(const char *step, const char *with)
{
	struct buf b = BUF_INIT;
	const char *p;

	while ((p = strstr(step, "{artifact}"))) {
		buf_add(&b, step, (size_t)(p - step));
		buf_adds(&b, with);
		step = p + strlen("{artifact}");
	}
	buf_adds(&b, step);
	return buf_detach(&b);
}

static const char *
artifact_name(const struct cell *c)
{
	const char *slash = c->artifact ? strrchr(c->artifact, '/') : NULL;

	return slash ? slash + 1 : c->artifact ? c->artifact : "ARTIFACT";
}

static void
header(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	long long v = cell_metric(c, metric);

	buf_printf(out, "# ounce: winner for %s: '%s' (%s), %lld bytes by '%s'\n",
		   r->project ? r->project : "project", c->name,
		   c->profiles.n ? "profiles below" : "no profile", v, metric);
	for (size_t i = 0; i < c->profiles.n; i++) {
		const struct result_profile *p = results_profile(r, c->profiles.v[i]);

		buf_printf(out, "#   %s: %s", c->profiles.v[i], p ? p->summary : "");
		if (p && strcmp(p->tradeoff, "none")) {
			buf_printf(out, " [trade-off: %s%s%s]", p->tradeoff,
				   p->tradeoff_note ? ": " : "",
				   p->tradeoff_note ? p->tradeoff_note : "");
		}
		buf_addc(out, '\n');
	}
}

static void
emit_env(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;

	header(r, c, metric, out);
	buf_adds(out, "# These add to your build's own flags: keep its CFLAGS and append these.\n");
	buf_adds(out, "export CC=");
	shell_quote(out, s->cc ? s->cc : "cc");
	buf_adds(out, "\nexport CXX=");
	shell_quote(out, s->cxx ? s->cxx : "c++");
	buf_adds(out, "\nexport CFLAGS=");
	shell_words(out, &s->f.cflags);
	buf_adds(out, "\nexport CXXFLAGS=");
	shell_words(out, &s->f.cflags);
	buf_adds(out, "\nexport LDFLAGS=");
	shell_words(out, &s->f.ldflags);
	buf_adds(out, "\nexport LDLIBS=");
	shell_words(out, &s->f.libs);
	buf_adds(out, "\nexport LIBS=\"$LDLIBS\"\n");
	for (size_t i = 0; i < s->f.env.n; i++) {
		const char *kv = s->f.env.v[i];
		size_t n = strcspn(kv, "=");

		buf_printf(out, "export %.*s=", (int)n, kv);
		shell_quote(out, kv + n + 1);
		buf_addc(out, '\n');
	}
	if (s->f.build_args.n) {
		buf_adds(out, "# pass to the build command: ");
		shell_words(out, &s->f.build_args);
		buf_addc(out, '\n');
	}
	if (s->f.post.n) {
		buf_adds(out, "# after the build, run on the artifact:\n");
		for (size_t i = 0; i < s->f.post.n; i++) {
			char *step = post_step(s->f.post.v[i], artifact_name(c));

			buf_printf(out, "#   %s\n", step);
			free(step);
		}
	}
}

/* A value make reads literally: $ expands and # starts a comment. */
static void
make_literal(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '$') {
			buf_addc(out, '$');
		} else if (*s == '#') {
			buf_addc(out, '\\');
		}
		buf_addc(out, *s);
	}
}

static void
make_words(struct buf *out, const char *var, const struct strv *sv)
{
	if (!sv->n) {
		return;
	}
	buf_printf(out, "%s +=", var);
	for (size_t i = 0; i < sv->n; i++) {
		buf_addc(out, ' ');
		make_literal(out, sv->v[i]);
	}
	buf_addc(out, '\n');
}

static void
emit_make(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;

	header(r, c, metric, out);
	buf_adds(out, "# Use: make -f Makefile -f ounce.mk");
	if (s->f.build_args.n) {
		char *j = strv_join(&s->f.build_args, " ");

		buf_printf(out, " %s", j);
		free(j);
	}
	buf_adds(out, s->f.post.n ? " ounce-post\n" : "\n");
	buf_adds(out, "# or include ounce.mk at the end of your Makefile.\n");
	buf_printf(out, "CC = %s\nCXX = %s\n", s->cc ? s->cc : "cc", s->cxx ? s->cxx : "c++");
	make_words(out, "CFLAGS", &s->f.cflags);
	make_words(out, "CXXFLAGS", &s->f.cflags);
	make_words(out, "LDFLAGS", &s->f.ldflags);
	make_words(out, "LDLIBS", &s->f.libs);
	for (size_t i = 0; i < s->f.env.n; i++) {
		const char *kv = s->f.env.v[i];
		size_t n = strcspn(kv, "=");

		buf_printf(out, "export %.*s = ", (int)n, kv);
		make_literal(out, kv + n + 1);
		buf_addc(out, '\n');
	}
	if (s->f.post.n) {
		buf_printf(out, "OUNCE_ARTIFACT ?= %s\n", artifact_name(c));
		buf_adds(out, ".PHONY: ounce-post\nounce-post: $(OUNCE_ARTIFACT)\n");
		for (size_t i = 0; i < s->f.post.n; i++) {
			char *step = post_step(s->f.post.v[i], "$(OUNCE_ARTIFACT)");

			buf_printf(out, "\t%s\n", step);
			free(step);
		}
	}
}

static void
emit_json(const struct results *r, const struct cell *c, const char *metric, struct buf *out)
{
	const struct settings *s = &c->settings;
	json_t *o = json_object();
	char *txt;

	json_object_set_new(o, "project", json_string(r->project ? r->project : ""));
	json_object_set_new(o, "cell", json_string(c->name));
	json_object_set_new(o, "profiles", result_json_strv(&c->profiles));
	json_object_set_new(o, "metric", json_string(metric));
	json_object_set_new(o, "value", json_integer(cell_metric(c, metric)));
	json_object_set_new(o, "bytes", json_integer(c->m.bytes));
	json_object_set_new(o, "cc", json_string(s->cc ? s->cc : "cc"));
	json_object_set_new(o, "cxx", json_string(s->cxx ? s->cxx : "c++"));
	json_object_set_new(o, "cflags", result_json_strv(&s->f.cflags));
	json_object_set_new(o, "ldflags", result_json_strv(&s->f.ldflags));
	json_object_set_new(o, "libs", result_json_strv(&s->f.libs));
	json_object_set_new(o, "env", result_json_env(&s->f.env));
	json_object_set_new(o, "build_args", result_json_strv(&s->f.build_args));
	json_object_set_new(o, "post", result_json_strv(&s->f.post));
	txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf_adds(out, txt ? txt : "{}");
	buf_addc(out, '\n');
	free(txt);
}

int
emit_render(const struct results *r, const struct cell *c, const char *form, const char *metric,
	    struct buf *out)
{
	if (!strcmp(form, "env")) {
		emit_env(r, c, metric, out);
	} else if (!strcmp(form, "make")) {
		emit_make(r, c, metric, out);
	} else if (!strcmp(form, "json")) {
		emit_json(r, c, metric, out);
	} else {
		return -1;
	}
	return 0;
}
