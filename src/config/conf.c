/* conf.c: a thin layer over inih (Debian's libinih) that adds what ounce needs:
 * the message for the first bad line, and a check for lines longer than inih's
 * fixed 200-byte buffer, which it would otherwise split silently. */
#include "config/conf.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/banned.h"

struct conf_ctx {
	conf_handler h;
	void *ctx;
	const char *msg;	/* first handler error */
	int msg_line;		/* its line */
	int line;		/* lines read so far */
	FILE *f;
};

/* inih's reader callback: fgets that counts lines, so a handler error knows its line. */
static char *
reader(char *str, int num, void *stream)
{
	struct conf_ctx *c = stream;
	char *r = fgets(str, num, c->f);

	if (r) {
		c->line++;
	}
	return r;
}

static int
trampoline(void *user, const char *section, const char *key, const char *value)
{
	struct conf_ctx *c = user;
	const char *msg = c->h(c->ctx, section, key, value);

	if (msg) {
		if (!c->msg) {
			c->msg = msg;
			c->msg_line = c->line;
		}
		return 0;
	}
	return 1;
}

/* inih reads lines into INI_MAX_LINE bytes; refuse longer lines with a clear
 * message instead of letting the tail become a line of its own. */
static int
check_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	int line = 1, col = 0, c;

	if (!f) {
		return error_at(path, 0, "cannot open: %s", strerror(errno));
	}
	while ((c = getc(f)) != EOF) {
		if (c == '\n') {
			line++;
			col = 0;
		} else if (++col >= INI_MAX_LINE - 1) {
			fclose(f);
			return error_at(path, line,
					"line longer than %d characters: continue the value on "
					"an indented next line",
					INI_MAX_LINE - 2);
		}
	}
	fclose(f);
	return 0;
}

int
conf_parse(const char *path, conf_handler h, void *ctx)
{
	struct conf_ctx c = {h, ctx, NULL, 0, 0, NULL};
	struct stat st;
	int rc;

	/* a FIFO would block the open, a device never end the read */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		return error_at(path, 0, "cannot read: not a regular file");
	}
	if (check_lines(path) < 0) {
		return -1;
	}
	c.f = fopen(path, "re");
	if (!c.f) {
		return error_at(path, 0, "cannot open: %s", strerror(errno));
	}
	rc = ini_parse_stream(reader, &c, trampoline, &c);
	fclose(c.f);
	if (rc == 0) {
		return 0;
	}
	if (rc == -2) {
		die("out of memory reading '%s'", path);
	}
	if (c.msg && c.msg_line == rc) {
		return error_at(path, rc, "%s", c.msg);
	}
	return error_at(path, rc, "syntax error: expected '[section]' or 'key = value'");
}

bool
conf_name_valid(const char *s)
{
	if (!*s) {
		return false;
	}
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_')) {
			return false;
		}
	}
	return true;
}

const char *
conf_label_invalid(const char *s)
{
	if (!*s) {
		return "is empty";
	}
	if (*s == '.') {
		return "starts with '.'";
	}
	for (; *s; s++) {
		if (*s == '/') {
			return "has a '/'";
		}
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			return "has a control character";
		}
	}
	return NULL;
}

bool
conf_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on")) {
		*out = true;
		return true;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
	    !strcasecmp(v, "off")) {
		*out = false;
		return true;
	}
	return false;
}
