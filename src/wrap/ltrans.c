/* ltrans.c: GCC's link-time code generation shared between cells (ltrans.h). */
#include "wrap/ltrans.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "os/fsutil.h"
#include "os/hash.h"
#include "os/spawn.h"
#include "wrap/wrap.h"
#include "base/banned.h"

extern char **environ;

bool
ltrans_applies(char *const *argv, size_t n)
{
	bool lto = false;

	if (n < 2 || wrap_classify(argv + 1, n - 1) != WRAP_LINK) {
		return false;
	}
	for (size_t i = 1; i < n; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-flto") || !strncmp(a, "-flto=", 6)) {
			lto = true;
		} else if (!strcmp(a, "-fno-lto")) {
			lto = false;
		} else if ((!strncmp(a, "-fuse-ld=", 9) && strcmp(a + 9, "bfd") &&
			    strcmp(a + 9, "gold")) ||
			   !strcmp(a, "-fno-use-linker-plugin")) {
			/* lld and mold have their own LTO or none of GCC's plugin options */
			return false;
		}
	}
	return lto;
}

/* Is the argument of -z a keyword that only lays out or marks the output? */
static bool
neutral_z(const char *kw)
{
	static const char *const words[] = {
		"separate-code", "noseparate-code", "relro", "norelro", "now", "lazy",
		"pack-relative-relocs", "nopack-relative-relocs", "noexecstack", "execstack",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
		if (!strcmp(kw, words[i])) {
			return true;
		}
	}
	return !strncmp(kw, "max-page-size=", 14) || !strncmp(kw, "common-page-size=", 17);
}

bool
ltrans_neutral(const char *arg)
{
	struct strv items = STRV_INIT;
	const char *p;
	bool ok;

	if (strncmp(arg, "-Wl,", 4) || !arg[4]) {
		return false;
	}
	for (p = arg + 4;;) {
		size_t len = strcspn(p, ",");

		strv_push_owned(&items, xstrndup(p, len));
		if (!p[len]) {
			break;
		}
		p += len + 1;
	}
	ok = true;
	for (size_t i = 0; ok && i < items.n; i++) {
		const char *w = items.v[i];

		if (!strcmp(w, "-z") || !strcmp(w, "-Map")) {
			/* -z KEYWORD; -Map FILE (ounce's own link map) */
			ok = i + 1 < items.n && (w[1] == 'M' || neutral_z(items.v[i + 1]));
			i++;
		} else {
			ok = !strcmp(w, "--build-id") || !strncmp(w, "--build-id=", 11) ||
			     !strncmp(w, "--hash-style=", 13) || !strncmp(w, "-Map=", 5) ||
			     !strncmp(w, "--Map=", 6) || !strcmp(w, "-O0") || !strcmp(w, "-O1") ||
			     !strcmp(w, "-O2") || !strcmp(w, "-s") || !strcmp(w, "--strip-all") ||
			     !strcmp(w, "-S") || !strcmp(w, "--strip-debug");
		}
	}
	strv_release(&items);
	return ok;
}

/* Add s to the hash with every cell_dir in it replaced, and its terminator. */
static void
hash_word(XXH3_state_t *st, const char *s, const char *cell_dir)
{
	size_t dl = cell_dir ? strlen(cell_dir) : 0;
	const char *hit;

	while (dl && (hit = strstr(s, cell_dir)) != NULL) {
		XXH3_128bits_update(st, s, (size_t)(hit - s));
		XXH3_128bits_update(st, "\001", 1);
		s = hit + dl;
	}
	XXH3_128bits_update(st, s, strlen(s) + 1);
}

int
ltrans_key(const char *sig, const char *cell_dir, const char *cwd, char *const *argv,
	   size_t n, char out[LTRANS_KEY_LEN + 1])
{
	XXH3_state_t *st = hash_new();
	int rc = 0;

	hash_word(st, "ounce-ltrans-1", NULL);
	hash_word(st, sig ? sig : "", NULL);
	hash_word(st, cwd, cell_dir);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *a = argv[i];

		if (i && ltrans_neutral(a)) {
			continue;
		}
		hash_word(st, a, cell_dir);
		if (!i) {
			continue;
		}
		if (wrap_takes_value(a) && i + 1 < n) {
			hash_word(st, argv[++i], cell_dir);
		} else if (a[0] != '-') {
			/* an input: objects, archives, a linker script */
			rc = hash_file(st, a);
		} else if (!strcmp(a, "-")) {
			rc = -1;
		}
	}
	hash_hex(XXH3_128bits_digest(st), out);
	XXH3_freeState(st);
	return rc;
}

/* Run argv (with envp, or ounce's environment) in the wrapper's process group, so
 * that a build stopped stops it too; its exit status, or 127. */
static int
run(char *const *argv, char *const *envp, void (*trace)(char *const *argv))
{
	struct spawn_opts o = {0};
	struct spawn_result res;

	trace(argv);
	o.argv = argv;
	o.envp = envp;
	o.inherit_output = true;
	o.inherit_stdin = true;
	if (spawn_run(&o, &res) < 0 || res.end != SPAWN_EXITED) {
		return 127;
	}
	return res.status;
}

/* The partition number of an ltrans object's name (NAME.ltransN.ltrans.o), or -1. */
static long
partition(const char *name)
{
	const char *p = strstr(name, ".ltrans"), *end;
	char *stop;
	long n;

	if (!p || !(end = strstr(p + 7, ".ltrans.o")) || end[9] || end == p + 7) {
		return -1;
	}
	n = strtol(p + 7, &stop, 10);
	return stop == end && n >= 0 ? n : -1;
}

static int
by_partition(const void *a, const void *b)
{
	long x = partition(*(char *const *)a), y = partition(*(char *const *)b);

	return x < y ? -1 : x > y;
}

int
ltrans_write_list(const char *tmp, const char *final)
{
	struct strv names = STRV_INIT;
	struct buf b = BUF_INIT;
	DIR *d = opendir(tmp);
	struct dirent *e;
	char *path;
	int rc;

	if (!d) {
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (partition(e->d_name) >= 0) {
			strv_push(&names, e->d_name);
		}
	}
	closedir(d);
	if (names.n) {
		qsort(names.v, names.n, sizeof(*names.v), by_partition);
	}
	for (size_t i = 0; i < names.n; i++) {
		buf_printf(&b, "%s/%s\n", final, names.v[i]);
	}
	path = xasprintf("%s/list", tmp);
	rc = names.n ? fs_write_file(path, buf_str(&b), b.len) : 0;
	free(path);
	buf_release(&b);
	rc = rc < 0 ? -1 : (int)names.n;
	strv_release(&names);
	return rc;
}

/* The files the plugin's -save-temps writes beside the output
 * (OUTPUT.lto_wrapper_args, or without OUTPUT's extension), for removal after the
 * link: those that do not exist before it. */
static void
args_files(char *const *argv, size_t n, struct strv *out)
{
	const char *o = "a.out", *slash, *dot;

	for (size_t i = 1; i + 1 < n; i++) {
		if (!strcmp(argv[i], "-o")) {
			o = argv[i + 1];
		}
	}
	slash = strrchr(o, '/');
	dot = strrchr(slash ? slash : o, '.');
	char *cand[2] = {xasprintf("%s.lto_wrapper_args", o),
			 dot && dot != (slash ? slash + 1 : o)
				 ? xasprintf("%.*s.lto_wrapper_args", (int)(dot - o), o)
				 : NULL};

	for (size_t i = 0; i < 2; i++) {
		if (cand[i] && !fs_exists(cand[i])) {
			strv_push(out, cand[i]);
		}
		free(cand[i]);
	}
}

int
ltrans_link(const char *dir, const char *key, char *const *argv,
	    void (*trace)(char *const *argv))
{
	struct strv cmd = STRV_INIT, env = STRV_INIT, leftovers = STRV_INIT;
	char *final = xasprintf("%s/%s", dir, key), *list = xasprintf("%s/list", final);
	char *tmp = NULL;
	size_t n = 0;
	int st;

	while (argv[n]) {
		n++;
	}
	strv_pushv(&cmd, argv);
	/* without it the plugin deletes the ltrans objects after the link, those
	 * it was handed too */
	strv_push(&cmd, "-Wl,-plugin-opt=-save-temps");
	args_files(argv, n, &leftovers);
	if (fs_exists(list)) {
		strv_push_owned(&cmd, xasprintf("-Wl,-plugin-opt=-ltrans-objects=%s", list));
		st = run(strv_array(&cmd), NULL, trace);
		if (st != 0) {
			/* the plain link says what is wrong, if anything is */
			st = run(argv, NULL, trace);
		}
		goto out;
	}
	tmp = xasprintf("%s/tmp.XXXXXX", dir);
	if (fs_mkdirs(dir) < 0 || !mkdtemp(tmp)) {
		st = run(argv, NULL, trace);
		goto out;
	}
	strv_pushv(&env, environ);
	strv_setenv(&env, "TMPDIR", tmp);
	st = run(strv_array(&cmd), strv_array(&env), trace);
	if (st != 0) {
		/* a linker that takes no plugin options, or an error the plain
		 * link reports as the build would */
		st = run(argv, NULL, trace);
		fs_remove_tree(tmp);
	} else if (ltrans_write_list(tmp, final) <= 0 || rename(tmp, final) < 0) {
		/* no LTO after all, or another cell kept the same objects first */
		fs_remove_tree(tmp);
	}
out:
	for (size_t i = 0; i < leftovers.n; i++) {
		unlink(leftovers.v[i]);
	}
	free(final);
	free(list);
	free(tmp);
	strv_release(&cmd);
	strv_release(&env);
	strv_release(&leftovers);
	return st;
}
