/* tmpl.h: command templates ("make -j{jobs} CC={cc}"): split into words like a
 * shell (quotes, backslashes; no expansion) and fill {placeholders}. */
#ifndef OUNCE_TMPL_H
#define OUNCE_TMPL_H

struct strv;

struct tmpl_var {
	const char *name;
	const char *value;
};

/* Split tmpl into words and replace each {name} with its value from vars (n of
 * them), appending the words to out. Returns 0, or -1 with *err set to a message
 * (static, or in errbuf of errlen bytes) for bad quoting or an unknown name. */
int tmpl_expand(struct strv *out, const char *tmpl, const struct tmpl_var *vars, int n,
		char *errbuf, int errlen, const char **err);

/* tmpl_expand, but a word that is exactly {args} is replaced by the words of
 * args (none when args is empty), where a command needs its extra arguments
 * before an operand ("muon-meson setup {args} {build}"). *spliced tells whether
 * the template had that word; without it the caller appends args at the end. */
int tmpl_expand_args(struct strv *out, const char *tmpl, const struct tmpl_var *vars, int n,
		     const struct strv *args, int *spliced, char *errbuf, int errlen,
		     const char **err);

/* What a template is for, which decides the placeholders it may name. */
enum tmpl_kind {
	TMPL_STEP,	/* configure, build: the build's names, and {args} */
	TMPL_INSTALL,	/* install: TMPL_STEP's, and {stage} */
	TMPL_ARTIFACT,	/* artifact, artifact_dir: the build's names */
	TMPL_SMOKE,	/* smoke: {artifact}, {artifacts}, {dir} */
	TMPL_PREPARE,	/* prepare: {src} */
	TMPL_POST,	/* a profile's post-link step: {artifact}, {src}, {ounce} */
};

/* Check tmpl as a loader reads it: its quoting, and that each {placeholder} is
 * one that kind of template is expanded with. Returns 0, or -1 with *err set as
 * tmpl_expand sets it. */
int tmpl_check(const char *tmpl, enum tmpl_kind kind, char *errbuf, int errlen,
	       const char **err);

#endif
