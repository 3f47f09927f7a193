/* tmpl.c: the only way a command line is made from text in a data file: words
 * first, placeholders second, so a value with spaces stays one argument and no
 * shell ever sees it. */
#include "base/tmpl.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/strv.h"
#include "base/banned.h"

int
tmpl_expand(struct strv *out, const char *tmpl, const struct tmpl_var *vars, int n, char *errbuf,
	    int errlen, const char **err)
{
	return tmpl_expand_args(out, tmpl, vars, n, NULL, NULL, errbuf, errlen, err);
}

int
tmpl_expand_args(struct strv *out, const char *tmpl, const struct tmpl_var *vars, int n,
		 const struct strv *args, int *spliced, char *errbuf, int errlen, const char **err)
{
	struct strv words = STRV_INIT;

	if (spliced) {
		*spliced = 0;
	}
	if (strv_split_words(&words, tmpl, err) < 0) {
		strv_release(&words);
		return -1;
	}
	for (size_t w = 0; w < words.n; w++) {
		struct buf b = BUF_INIT;
		const char *s = words.v[w];

		if (spliced && !strcmp(s, "{args}")) {
			if (args) {
				strv_extend(out, args);
			}
			*spliced = 1;
			continue;
		}
		while (*s) {
			const char *open = strchr(s, '{'), *close;
			int i;

			if (!open || !(close = strchr(open, '}'))) {
				buf_adds(&b, s);
				break;
			}
			buf_add(&b, s, (size_t)(open - s));
			for (i = 0; i < n; i++) {
				if (strlen(vars[i].name) == (size_t)(close - open - 1) &&
				    !strncmp(vars[i].name, open + 1, (size_t)(close - open - 1))) {
					break;
				}
			}
			if (i == n) {
				snprintf(errbuf, (size_t)errlen, "unknown placeholder '%.*s'",
					 (int)(close - open + 1), open);
				*err = errbuf;
				buf_release(&b);
				strv_release(&words);
				return -1;
			}
			buf_adds(&b, vars[i].value ? vars[i].value : "");
			s = close + 1;
		}
		strv_push_owned(out, buf_detach(&b));
	}
	strv_release(&words);
	return 0;
}

/* The names each kind of template is expanded with, as its caller fills them in
 * (build.c's step, install and artifacts, smoke.c, prepare.c, build.c's post-link
 * steps): a loader that accepts a template the caller would refuse makes a bad
 * file fail every cell instead of exit 2. */
static const char *const step_names[] = {
	"cc", "cxx", "jobs", "name", "src", "source", "stem", "build", "build_name", "stage",
};
static const char *const smoke_names[] = {"artifact", "artifacts", "dir"};
static const char *const prepare_names[] = {"src"};
static const char *const post_names[] = {"artifact", "src", "ounce"};

int
tmpl_check(const char *tmpl, enum tmpl_kind kind, char *errbuf, int errlen, const char **err)
{
	const char *const *names = step_names;
	size_t n = sizeof(step_names) / sizeof(*step_names) - 1;	/* without stage */
	struct tmpl_var vars[sizeof(step_names) / sizeof(*step_names)];
	struct strv out = STRV_INIT;
	int spliced, rc;

	switch (kind) {
	case TMPL_STEP:
	case TMPL_ARTIFACT:
		break;
	case TMPL_INSTALL:
		n++;
		break;
	case TMPL_SMOKE:
		names = smoke_names;
		n = sizeof(smoke_names) / sizeof(*smoke_names);
		break;
	case TMPL_PREPARE:
		names = prepare_names;
		n = sizeof(prepare_names) / sizeof(*prepare_names);
		break;
	case TMPL_POST:
		names = post_names;
		n = sizeof(post_names) / sizeof(*post_names);
		break;
	}
	for (size_t i = 0; i < n; i++) {
		vars[i].name = names[i];
		vars[i].value = "";
	}
	*err = NULL;
	rc = tmpl_expand_args(&out, tmpl, vars, (int)n, NULL,
			      kind == TMPL_STEP || kind == TMPL_INSTALL ? &spliced : NULL, errbuf,
			      errlen, err);
	strv_release(&out);
	return rc;
}
