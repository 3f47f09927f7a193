/* cross.c: cross toolchains as data. A project names its toolchain's prefix
 * (ounce.ini's toolchain, --toolchain) or its Makefile does (CROSS_COMPILE); the
 * cells' compiler and the binutils that must understand the target take it. */
#include "config/cross.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/banned.h"

bool
cross_prefix_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--")) {
		return false;
	}
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == n;
}

char *
cross_prefix_parse(const char *s)
{
	size_t n = strlen(s);
	char *v = xstrndup(s, n && s[n - 1] == '-' ? n - 1 : n);

	if (strcmp(v, "native") && !cross_prefix_valid(v)) {
		free(v);
		return NULL;
	}
	return v;
}

/* The value of `NAME OP VALUE` on line when NAME is name and OP an assignment
 * (=, ?=, :=, ::=), an optional `export` or `override` first; its comment and the
 * blanks around it dropped, in out (len bytes). Returns false when it is not one. */
static bool
assignment(const char *line, const char *name, char *out, size_t len)
{
	const char *s = line + strspn(line, " ");
	size_t n;

	for (const char *w = "export override"; *w;) {
		size_t k = strcspn(w, " ");

		if (!strncmp(s, w, k) && (s[k] == ' ' || s[k] == '\t')) {
			s += k;
			s += strspn(s, " \t");
		}
		w += k;
		w += strspn(w, " ");
	}
	n = strlen(name);
	if (strncmp(s, name, n)) {
		return false;
	}
	s += n;
	s += strspn(s, " \t");
	if (!strncmp(s, "::=", 3)) {
		s += 3;
	} else if (!strncmp(s, "?=", 2) || !strncmp(s, ":=", 2)) {
		s += 2;
	} else if (*s == '=') {
		s++;
	} else {
		return false;
	}
	s += strspn(s, " \t");
	n = strcspn(s, "#\n");
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) {
		n--;
	}
	if (n >= len) {
		return false;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* The toolchain one Makefile line names, or NULL; the caller frees it. */
static char *
line_toolchain(const char *line)
{
	char v[256];
	size_t n;

	if (line[0] == '\t') {
		return NULL; /* a recipe's command */
	}
	if (assignment(line, "CROSS_COMPILE", v, sizeof(v))) {
		n = strlen(v);
		if (n > 1 && v[n - 1] == '-') {
			v[n - 1] = '\0';
			return cross_prefix_valid(v) ? xstrdup(v) : NULL;
		}
		return NULL;
	}
	if (assignment(line, "CC", v, sizeof(v))) {
		n = strlen(v);
		if (n > 4 && !strcmp(v + n - 4, "-gcc")) {
			v[n - 4] = '\0';
			return cross_prefix_valid(v) ? xstrdup(v) : NULL;
		}
	}
	return NULL;
}

char *
cross_detect_makefile(const char *dir, char **where)
{
	static const char *const names[] = {"GNUmakefile", "makefile", "Makefile"};
	char line[1024];

	*where = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		FILE *f = fopen(path, "re");
		char *found = NULL;

		free(path);
		if (!f) {
			continue;
		}
		while (!found && fgets(line, sizeof(line), f)) {
			found = line_toolchain(line);
		}
		fclose(f);
		if (found) {
			line[strcspn(line, "\r\n")] = '\0';
			*where = xasprintf("%s: %s", names[i], line + strspn(line, " "));
		}
		/* make reads the first of them only */
		return found;
	}
	return NULL;
}

const char *
cross_kind(const char *prefix)
{
	if (!prefix) {
		return "native";
	}
	return strstr(prefix, "-linux") ? "linux" : "bare-metal";
}

bool
cross_kind_valid(const char *s)
{
	return !strcmp(s, "native") || !strcmp(s, "linux") || !strcmp(s, "bare-metal");
}

char *
cross_tool(const char *prefix, const char *tool)
{
	return prefix ? xasprintf("%s-%s", prefix, tool) : xstrdup(tool);
}

bool
cross_is_binutil(const char *word)
{
	static const char *const tools[] = {"strip", "objcopy", "objdump", "size", "nm",
					    "readelf", "ar", "ranlib"};

	for (size_t i = 0; i < sizeof(tools) / sizeof(*tools); i++) {
		if (!strcmp(word, tools[i])) {
			return true;
		}
	}
	return false;
}
