/* html.h: a run as one self-contained HTML page, for `ounce report`: the tables,
 * the winner and its settings, a bar chart, a scatter of build time against
 * bytes, the flame graphs of the baseline and the winner, and --explain's lines.
 * Inline CSS, SVG and a small script; the page makes no request. */
#ifndef OUNCE_HTML_H
#define OUNCE_HTML_H

struct buf;
struct results;
struct strv;

/* What the page's winner is chosen by (as ounce pick) and how it is shown. */
struct html_opts {
	const char *metric;       /* pick's metric; NULL: "file" */
	const struct strv *allow; /* pick's allowed trade-offs, or NULL */
	const char *build;        /* choose among this build's cells; NULL: the
	                           * default build's (the run's baseline's) */
	const char *form;         /* the settings' emit form; NULL: the build
	                           * system's own (emit_native_form), else wrapper
	                           * (C) or cargo */
	const char *source;       /* where r was read from: named in the page, and
	                           * its directory is where moved artifacts are
	                           * looked for; or NULL */
};

/* Write r as an HTML page into out. An artifact that cannot be read (the work
 * directory was cleaned) is said in the page, not an error. Returns 0, or -1
 * after reporting when the emit form does not fit the winner's toolchain. */
int html_report(const struct results *r, const struct html_opts *o, struct buf *out);
/* Append s as HTML text or a quoted attribute value: & < > " ' escaped, and a
 * byte that is no character HTML allows (a control, broken UTF-8) as U+FFFD. */
void html_escape(struct buf *out, const char *s);

#endif
