/* tmpl.c: the only way a command line is made from text in a data file: words
 * first, placeholders second, so a value with spaces stays one argument and no
 * shell ever sees it. */
#include "tmpl.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "strv.h"
#include "banned.h"

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
