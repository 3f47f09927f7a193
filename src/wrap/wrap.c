/* wrap.c: decides what a compiler call does and appends the cell's flags after
 * the project's own, so a profile reaches even a Makefile that hard-codes its
 * CFLAGS (the last -O wins, and -f/-Wl flags add up). */
#include "wrap/wrap.h"

#include <stdbool.h>
#include <string.h>

#include "base/buf.h"
#include "base/mem.h"
#include "base/strv.h"
#include "base/banned.h"

static const char *const value_opts[] = {
	"-o", "-x", "-I", "-L", "-l", "-D", "-U", "-MF", "-MT", "-MQ", "-include",
	"-imacros", "-isystem", "-idirafter", "-iprefix", "-iquote", "-isysroot",
	"-Xlinker", "-Xassembler", "-Xpreprocessor", "-Xclang", "-T", "-u", "-e",
	"-arch", "-target", "--param", "-z",
};

const char *const *
wrap_value_options(size_t *n)
{
	*n = sizeof(value_opts) / sizeof(*value_opts);
	return value_opts;
}

bool
wrap_takes_value(const char *a)
{
	for (size_t i = 0; i < sizeof(value_opts) / sizeof(*value_opts); i++) {
		if (!strcmp(a, value_opts[i])) {
			return true;
		}
	}
	return false;
}

enum wrap_mode
wrap_classify(char *const *args, size_t n)
{
	bool input = false, compile = false;

	for (size_t i = 0; i < n; i++) {
		const char *a = args[i];

		if (a[0] != '-' || !strcmp(a, "-")) {
			input = true;
			continue;
		}
		if (!strcmp(a, "-c") || !strcmp(a, "-S") || !strcmp(a, "-E") || !strcmp(a, "-M") ||
		    !strcmp(a, "-MM") || !strcmp(a, "-r")) {
			compile = true;
		} else if (!strncmp(a, "-l", 2) && a[2]) {
			/* -lfoo names an input of the link */
			input = true;
		} else if (wrap_takes_value(a) && i + 1 < n) {
			if (!strcmp(a, "-l")) {
				input = true;
			}
			i++;
		}
	}
	if (!input) {
		return WRAP_INFO;
	}
	return compile ? WRAP_COMPILE : WRAP_LINK;
}

/* Does the call build position-independent code on purpose: a shared library
 * (-shared) or objects compiled for one (-fpic, -fPIC)? */
static bool
wants_pic(char *const *args, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(args[i], "-shared") || !strcmp(args[i], "-fpic") ||
		    !strcmp(args[i], "-fPIC")) {
			return true;
		}
	}
	return false;
}

/* Is f a specs file (--specs=nano.specs) that out has already? gcc cannot read
 * one twice ("attempt to rename spec 'link' to already defined spec"), and a
 * profile's (nano's) may meet the build's own, or come with both the cflags and
 * the ldflags of a call that compiles and links. */
static bool
specs_again(const struct strv *out, const char *f)
{
	if (strncmp(f, "--specs=", 8) && strncmp(f, "-specs=", 7)) {
		return false;
	}
	for (size_t i = 0; i < out->n; i++) {
		const char *g = out->v[i];

		if ((!strncmp(g, "--specs=", 8) || !strncmp(g, "-specs=", 7)) &&
		    !strcmp(strchr(g, '=') + 1, strchr(f, '=') + 1)) {
			return true;
		}
	}
	return false;
}

/* Append the flags of v to out, but for a call that wants position-independent
 * code the ones that make an executable position-dependent (the nopie
 * profile's): after -shared, -no-pie links an executable (crt1.o, "undefined
 * reference to main"); after -fpic, -fno-pie compiles objects a shared library
 * cannot hold. A specs file the call has already is not given twice. */
static void
add_flags(struct strv *out, const struct strv *v, bool pic)
{
	for (size_t i = 0; i < v->n; i++) {
		const char *f = v->v[i];

		if (pic && (!strcmp(f, "-no-pie") || !strcmp(f, "-fno-pie") ||
			    !strcmp(f, "-fno-PIE") || !strcmp(f, "-fno-pic") ||
			    !strcmp(f, "-fno-PIC"))) {
			continue;
		}
		if (specs_again(out, f)) {
			continue;
		}
		strv_push(out, f);
	}
}

void
wrap_argv(struct strv *out, const char *real, char *const *args, size_t n,
	  const struct strv *cflags, const struct strv *ldflags, const struct strv *libs)
{
	enum wrap_mode mode = wrap_classify(args, n);
	bool pic = wants_pic(args, n);

	strv_push(out, real);
	for (size_t i = 0; i < n; i++) {
		strv_push(out, args[i]);
	}
	if (mode == WRAP_INFO) {
		return;
	}
	add_flags(out, cflags, pic);
	if (mode == WRAP_LINK) {
		add_flags(out, ldflags, pic);
		strv_extend(out, libs);
	}
}

char *
wrap_map_flag(char *const *args, size_t n)
{
	const char *out = NULL;

	if (wrap_classify(args, n) != WRAP_LINK) {
		return NULL;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		if (!strcmp(args[i], "-o")) {
			out = args[i + 1];
		}
	}
	/* -Wl, splits at commas: an output named "a,b" cannot be passed through it */
	if (!out || !strncmp(out, "/dev/", 5) || strchr(out, ',')) {
		return NULL;
	}
	return xasprintf("-Wl,-Map,%s.map", out);
}

char *
wrap_encode(const struct strv *flags)
{
	struct buf b = BUF_INIT;

	/* each flag, its '\\' and newlines escaped, then a newline: any byte but NUL
	 * goes through (a project path with a newline), and so does an empty flag */
	for (size_t i = 0; i < flags->n; i++) {
		for (const char *s = flags->v[i]; *s; s++) {
			if (*s == '\\') {
				buf_adds(&b, "\\\\");
			} else if (*s == '\n') {
				buf_adds(&b, "\\n");
			} else {
				buf_addc(&b, *s);
			}
		}
		buf_addc(&b, '\n');
	}
	buf_add(&b, "", 0);
	return buf_detach(&b);
}

void
wrap_decode(struct strv *out, const char *encoded)
{
	while (encoded && *encoded) {
		struct buf b = BUF_INIT;

		for (; *encoded && *encoded != '\n'; encoded++) {
			if (*encoded == '\\' && encoded[1] == 'n') {
				buf_addc(&b, '\n');
				encoded++;
			} else if (*encoded == '\\' && encoded[1] == '\\') {
				buf_addc(&b, '\\');
				encoded++;
			} else {
				buf_addc(&b, *encoded);
			}
		}
		buf_add(&b, "", 0);
		strv_push_owned(out, buf_detach(&b));
		if (*encoded) {
			encoded++;
		}
	}
}
