/* test_cache.c: the result cache's keys (the staged tree's content, the cell's
 * settings) and its entries, stored and read back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"
#include "base/strv.h"
#include "matrix/cache.h"
#include "os/fsutil.h"
#include "os/spawn.h"
#include "report/result.h"
#include "testutil.h"

/* cache_init for the cache of work directory workdir (WORKDIR/cache). */
static void
init_in(struct cache *c, const char *workdir, const struct strv *parts)
{
	char *dir = cache_dir_of(workdir, NULL);

	cache_init(c, dir, parts);
	free(dir);
}

/* cache_add_tree of dir, as the one string it appends; the caller frees it. */
static char *
tree_of(const char *dir, const char *skip)
{
	struct strv parts = STRV_INIT;
	char *s;

	assert_int_equal(cache_add_tree(&parts, dir, NULL, skip), 0);
	assert_int_equal(parts.n, 1);
	s = xstrdup(parts.v[0]);
	strv_release(&parts);
	return s;
}

static void
test_cache_tree_hash_follows_content(void **state)
{
	struct tu_tmp *t = *state;
	char *dir = xasprintf("%s/p", t->dir), *a, *b;
	char *f = tu_write_file(t->dir, "p/main.c", "int main(void) { return 0; }\n");

	free(tu_write_file(t->dir, "p/sub/util.c", "int util;\n"));
	a = tree_of(dir, NULL);
	assert_true(!strncmp(a, "tree=", 5));
	b = tree_of(dir, NULL);
	assert_string_equal(a, b);
	free(b);

	/* one byte of a source file */
	free(tu_write_file(t->dir, "p/main.c", "int main(void) { return 1; }\n"));
	b = tree_of(dir, NULL);
	assert_string_not_equal(a, b);
	free(b);
	free(tu_write_file(t->dir, "p/main.c", "int main(void) { return 0; }\n"));
	b = tree_of(dir, NULL);
	assert_string_equal(a, b);
	free(b);

	/* the executable bit, a new file, a renamed file */
	assert_int_equal(chmod(f, 0755), 0);
	b = tree_of(dir, NULL);
	assert_string_not_equal(a, b);
	free(b);
	assert_int_equal(chmod(f, 0644), 0);
	free(tu_write_file(t->dir, "p/sub/new.h", ""));
	b = tree_of(dir, NULL);
	assert_string_not_equal(a, b);
	free(b);
	free(f);
	f = xasprintf("%s/p/sub/new.h", t->dir);
	unlink(f);
	free(f);

	/* a symbolic link, and where it points */
	f = xasprintf("%s/p/link", t->dir);
	assert_int_equal(symlink("main.c", f), 0);
	b = tree_of(dir, NULL);
	assert_string_not_equal(a, b);
	free(b);
	unlink(f);
	assert_int_equal(symlink("sub/util.c", f), 0);
	b = tree_of(dir, NULL);
	assert_string_not_equal(a, b);
	free(b);
	unlink(f);
	free(f);

	/* what staging leaves behind does not count: .git, .ounce, build outputs,
	 * the work directory */
	free(tu_write_file(t->dir, "p/.git/HEAD", "ref: refs/heads/main\n"));
	free(tu_write_file(t->dir, "p/.ounce/results.json", "{}\n"));
	free(tu_write_file(t->dir, "p/prog", "\177ELF and the rest of a binary"));
	free(tu_write_file(t->dir, "p/libx.a", "!<arch>\nmembers"));
	free(tu_write_file(t->dir, "p/work/cells/x", "a cell\n"));
	f = xasprintf("%s/work", dir);
	b = tree_of(dir, f);
	assert_string_equal(a, b);
	free(b);
	free(f);
	free(a);
	free(dir);
}

static struct cell *
ok_cell(const char *name, const char *artifact, const char *log)
{
	struct cell *c = cell_new(name);

	c->build = xstrdup("default");
	strv_push(&c->profiles, "gc");
	c->status = CELL_OK;
	{
		/* the cell's directory: the artifact is in its src/ */
		const char *src = strstr(artifact, "/src/");
		char *dir = xstrndup(artifact, (size_t)(src - artifact));

		cell_add_artifact(c, artifact, dir);
		free(dir);
	}
	c->artifact = xstrdup(artifact);
	c->log = xstrdup(log);
	c->m.bytes = 1234;
	c->m.stripped_bytes = 1000;
	c->m.xz_bytes = 500;
	c->m.gz_bytes = 600;
	c->smoke = SMOKE_PASS;
	c->peak_rss_kb = 42;
	c->build_seconds = 1.5;
	c->built = true;
	c->settings.toolchain = xstrdup("gcc");
	c->settings.cc = xstrdup("gcc");
	c->settings.cxx = xstrdup("g++");
	strv_push(&c->settings.f.cflags, "-ffunction-sections");
	return c;
}

static void
test_cache_key_depends_on_settings_build_and_context(void **state)
{
	struct tu_tmp *t = *state;
	struct strv parts = STRV_INIT;
	struct cache a = {0}, b = {0};
	struct cell *c = ok_cell("gc", "/x/prog", "/x/log");
	char k1[CACHE_KEY_LEN + 1], k2[CACHE_KEY_LEN + 1];

	strv_push(&parts, "ounce 1");
	init_in(&a, t->dir, &parts);
	cache_key(&a, c, k1);
	assert_int_equal(strlen(k1), CACHE_KEY_LEN);
	/* the name, the artifact and the results do not make the key */
	free(c->name);
	c->name = xstrdup("renamed");
	c->m.bytes = 99;
	cache_key(&a, c, k2);
	assert_string_equal(k1, k2);
	/* a flag does */
	strv_push(&c->settings.f.cflags, "-Os");
	cache_key(&a, c, k2);
	assert_string_not_equal(k1, k2);
	strv_release(&c->settings.f.cflags);
	strv_push(&c->settings.f.cflags, "-ffunction-sections");
	cache_key(&a, c, k2);
	assert_string_equal(k1, k2);
	/* so do the build and the context */
	free(c->build);
	c->build = xstrdup("dev");
	cache_key(&a, c, k2);
	assert_string_not_equal(k1, k2);
	free(c->build);
	c->build = xstrdup("default");
	strv_push(&parts, "tree=0123");
	init_in(&b, t->dir, &parts);
	cache_key(&b, c, k2);
	assert_string_not_equal(k1, k2);
	cache_release(&a);
	cache_release(&b);
	strv_release(&parts);
	cell_free(c);
}

static void
test_cache_artifact_name_ok(void **state)
{
	(void)state;
	assert_true(cache_artifact_name_ok("src/prog"));
	assert_true(cache_artifact_name_ok("prog"));
	assert_true(cache_artifact_name_ok("build/..x/a..b/.../prog"));
	assert_false(cache_artifact_name_ok(NULL));
	assert_false(cache_artifact_name_ok(""));
	assert_false(cache_artifact_name_ok("/etc/passwd"));
	assert_false(cache_artifact_name_ok(".."));
	assert_false(cache_artifact_name_ok("../../x"));
	assert_false(cache_artifact_name_ok("src/../../x"));
	assert_false(cache_artifact_name_ok("src/.."));
	assert_false(cache_artifact_name_ok("src//../x"));
}

/* The hash of parts made by cache_add_list of list, then a word after it. */
static void
hash_list(const char *const *list, size_t n, const char *after, char key[CACHE_KEY_LEN + 1])
{
	struct strv l = STRV_INIT, parts = STRV_INIT;

	for (size_t i = 0; i < n; i++) {
		strv_push(&l, list[i]);
	}
	strv_push(&parts, "build default");
	cache_add_list(&parts, "configure_args", &l);
	strv_push(&parts, after);
	cache_hash_words(&parts, key);
	strv_release(&l);
	strv_release(&parts);
}

static void
test_cache_add_list_unambiguous(void **state)
{
	static const char *const one[] = {"a b"}, *const two[] = {"a", "b"};
	static const char *const nl[] = {"a\nb"}, *const two_nl[] = {"a", "b"};
	static const char *const empty[] = {""};
	char k1[CACHE_KEY_LEN + 1], k2[CACHE_KEY_LEN + 1];

	(void)state;
	hash_list(one, 1, "x", k1);
	hash_list(two, 2, "x", k2);
	assert_string_not_equal(k1, k2);
	hash_list(nl, 1, "x", k1);
	hash_list(two_nl, 2, "x", k2);
	assert_string_not_equal(k1, k2);
	/* a list's last string is not the next part */
	hash_list(two, 1, "b", k1);
	hash_list(two, 2, "b", k2);
	assert_string_not_equal(k1, k2);
	/* no list, and a list of one empty string */
	hash_list(empty, 0, "x", k1);
	hash_list(empty, 1, "x", k2);
	assert_string_not_equal(k1, k2);
	hash_list(two, 2, "x", k1);
	hash_list(two_nl, 2, "x", k2);
	assert_string_equal(k1, k2);
}

static void
test_cache_store_and_load(void **state)
{
	struct tu_tmp *t = *state;
	struct strv parts = STRV_INIT;
	struct cache cache = {0};
	char *art = tu_write_file(t->dir, "cells/gc/src/prog", "the linked program\n");
	char *log = tu_write_file(t->dir, "cells/gc/build.log", "==> make\n");
	struct cell *c = ok_cell("gc", art, log), *back = cell_new("gc-again");
	char key[CACHE_KEY_LEN + 1], *path, *text;

	strv_push(&parts, "ounce 1");
	init_in(&cache, t->dir, &parts);
	cache_key(&cache, c, key);
	assert_false(cache_load(&cache, key, back));
	assert_int_equal(cache_store(&cache, key, c), 0);
	/* the cell's directory goes away (the next run rebuilds it): the entry stays */
	unlink(art);
	unlink(log);
	assert_true(cache_load(&cache, key, back));
	assert_string_equal(back->name, "gc-again");
	assert_int_equal(back->status, CELL_OK);
	assert_int_equal(back->m.bytes, 1234);
	assert_int_equal(back->m.xz_bytes, 500);
	assert_int_equal(back->smoke, SMOKE_PASS);
	assert_int_equal(back->peak_rss_kb, 42);
	assert_true(back->cached);
	assert_false(back->built);
	path = xasprintf("%s/cache/%s/art/src/prog", t->dir, key);
	assert_string_equal(back->artifact, path);
	assert_int_equal(back->narts, 1);
	assert_string_equal(back->arts[0].name, "src/prog");
	text = tu_read_file(back->artifact);
	assert_string_equal(text, "the linked program\n");
	free(text);
	free(path);
	text = tu_read_file(back->log);
	assert_string_equal(text, "==> make\n");
	free(text);

	/* an interrupted cell is not stored; a missing artifact is a miss */
	c->status = CELL_INTERRUPTED;
	assert_int_equal(cache_store(&cache, "00000000000000000000000000000001", c), 0);
	assert_false(cache_load(&cache, "00000000000000000000000000000001", back));
	path = xasprintf("%s/cache/%s/art/src/prog", t->dir, key);
	unlink(path);
	free(path);
	cell_free(back);
	back = cell_new("gc");
	assert_false(cache_load(&cache, key, back));

	cache_release(&cache);
	strv_release(&parts);
	cell_free(back);
	cell_free(c);
	free(art);
	free(log);
}

struct store_arg {
	struct cache *cache;
	const char *key;
	const struct cell *cell;
	int rc;
};

static void *
store_thread(void *arg)
{
	struct store_arg *a = arg;

	a->rc = cache_store(a->cache, a->key, a->cell);
	return NULL;
}

/* Writers at once (threads here; processes name their temporary entries by pid
 * too): each stores under its own temporary name and renames; the first entry
 * stays whole, the others go, and nothing temporary is left */
static void
test_cache_store_concurrent(void **state)
{
	struct tu_tmp *t = *state;
	struct strv parts = STRV_INIT;
	struct cache cache = {0};
	char *art = tu_write_file(t->dir, "cells/gc/src/prog", "the linked program\n");
	char *log = tu_write_file(t->dir, "cells/gc/build.log", "==> make\n");
	struct cell *c = ok_cell("gc", art, log), *back = cell_new("gc");
	char key[CACHE_KEY_LEN + 1], *dir;
	struct store_arg args[8];
	pthread_t th[8];
	struct dirent *e;
	DIR *d;
	size_t entries = 0, other = 0;

	strv_push(&parts, "ounce 1");
	init_in(&cache, t->dir, &parts);
	cache_key(&cache, c, key);
	for (size_t i = 0; i < 8; i++) {
		args[i] = (struct store_arg){&cache, key, c, -1};
		assert_int_equal(pthread_create(&th[i], NULL, store_thread, &args[i]), 0);
	}
	for (size_t i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].rc, 0);
	}
	dir = xasprintf("%s/cache", t->dir);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, key)) {
			entries++;
		} else if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			other++;
		}
	}
	closedir(d);
	assert_int_equal(entries, 1);
	assert_int_equal(other, 0);
	assert_true(cache_load(&cache, key, back));
	assert_int_equal(back->m.bytes, 1234);
	cache_release(&cache);
	strv_release(&parts);
	cell_free(back);
	cell_free(c);
	free(dir);
	free(art);
	free(log);
}

struct reader_arg {
	struct cache *cache;
	const char *key;
	atomic_bool *stop;
	int hits, misses, wrong;
};

static void *
reader_thread(void *arg)
{
	struct reader_arg *a = arg;

	while (!atomic_load(a->stop)) {
		struct cell *back = cell_new("gc");

		if (!cache_load(a->cache, a->key, back)) {
			a->misses++;
		} else if (back->m.bytes != 1234 || back->status != CELL_OK) {
			a->wrong++;
		} else {
			a->hits++;
		}
		cell_free(back);
	}
	return NULL;
}

/* A run reads the cache while another prunes it and stores the entry again (as
 * runs sharing a cache do): each load is a hit with the stored result or a miss,
 * and an entry removed while read is never taken for a damaged one (no warning,
 * no entry dropped) */
static void
test_cache_read_while_pruned(void **state)
{
	struct tu_tmp *t = *state;
	struct strv parts = STRV_INIT;
	struct cache cache = {0};
	char *art = tu_write_file(t->dir, "cells/gc/src/prog", "the linked program\n");
	char *log = tu_write_file(t->dir, "cells/gc/build.log", "==> make\n");
	struct cell *c = ok_cell("gc", art, log);
	char key[CACHE_KEY_LEN + 1], *err;
	struct reader_arg args[2];
	pthread_t th[2];
	struct cache_pruned p;
	int removed = 0;
	atomic_bool stop = false;
	const struct timespec pause = {0, 500 * 1000};

	strv_push(&parts, "ounce 1");
	init_in(&cache, t->dir, &parts);
	cache_key(&cache, c, key);
	assert_int_equal(cache_store(&cache, key, c), 0);
	tu_capture_begin(t);
	for (size_t i = 0; i < 2; i++) {
		args[i] = (struct reader_arg){&cache, key, &stop, 0, 0, 0};
		assert_int_equal(pthread_create(&th[i], NULL, reader_thread, &args[i]), 0);
	}
	for (int i = 0; i < 100; i++) {
		/* there a while for the readers */
		nanosleep(&pause, NULL);
		/* everything is older than "this run": the limit takes it */
		assert_int_equal(cache_prune(&cache, 1, time(NULL) + 1000, &p), 0);
		removed += (int)p.removed;
		assert_int_equal(cache_store(&cache, key, c), 0);
	}
	atomic_store(&stop, true);
	for (size_t i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
	}
	err = tu_capture_end(t);
	if (strstr(err, "cache entry") || strstr(err, "error")) {
		fail_msg("a load during pruning said: %s", err);
	}
	free(err);
	assert_true(removed > 0);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(args[i].wrong, 0);
		assert_true(args[i].hits > 0);
		assert_true(args[i].misses > 0);
	}
	cache_release(&cache);
	strv_release(&parts);
	cell_free(c);
	free(art);
	free(log);
}

/* the libc.a part cache_add_libc appends for gcc, with memo */
static char *
libc_part(const char *memo)
{
	struct strv parts = STRV_INIT;
	char *s;

	cache_add_libc(&parts, "gcc", memo);
	assert_int_equal(parts.n, 1);
	s = xstrdup(parts.v[0]);
	strv_release(&parts);
	return s;
}

/* The C library is in the key: the libc.a gcc names (here one put where
 * GCC_EXEC_PREFIX makes gcc look first), by its content; another file of the same
 * size, written since, changes the key although its identity was kept in the memo;
 * and glibc's version is among the toolchain's lines */
static void
test_cache_libc_identity(void **state)
{
	struct tu_tmp *t = *state;
	char *memo = xasprintf("%s/cache", t->dir), *gcc = spawn_which("gcc", NULL);
	char *machine, *version, *name, *lib, *prefix, *a, *b;
	struct strv pa = STRV_INIT, pb = STRV_INIT;
	struct cache ca = {0}, cb = {0};
	struct cell *c = ok_cell("gc", "/x/src/prog", "/x/log");
	char k1[CACHE_KEY_LEN + 1], k2[CACHE_KEY_LEN + 1];
	const char *old = getenv("GCC_EXEC_PREFIX");
	char *saved = old ? xstrdup(old) : NULL;

	assert_non_null(gcc);
	machine = cache_tool_version(NULL, gcc, "-dumpmachine");
	version = cache_tool_version(NULL, gcc, "-dumpversion");
	assert_non_null(machine);
	assert_non_null(version);
	machine[strcspn(machine, "\n")] = '\0';
	version[strcspn(version, "\n")] = '\0';
	name = xasprintf("gx/%s/%s/libc.a", machine, version);
	lib = tu_write_file(t->dir, name, "!<arch>\nnewlib one\n");
	prefix = xasprintf("%s/gx/", t->dir);
	assert_int_equal(setenv("GCC_EXEC_PREFIX", prefix, 1), 0);

	a = libc_part(memo);
	tu_assert_contains(a, lib);
	b = libc_part(memo);
	assert_string_equal(a, b);
	free(b);
	/* the same size, other bytes */
	free(tu_write_file(t->dir, name, "!<arch>\nnewlib two\n"));
	b = libc_part(memo);
	tu_assert_contains(b, lib);
	assert_string_not_equal(a, b);
	strv_push(&pa, "ounce 1");
	strv_push(&pa, a);
	strv_push(&pb, "ounce 1");
	strv_push(&pb, b);
	init_in(&ca, t->dir, &pa);
	init_in(&cb, t->dir, &pb);
	cache_key(&ca, c, k1);
	cache_key(&cb, c, k2);
	assert_string_not_equal(k1, k2);
	free(b);
	/* none there: gcc's own (the system's libc.a, or none) */
	unlink(lib);
	b = libc_part(memo);
	assert_string_not_equal(a, b);
	assert_null(strstr(b, lib));
	free(b);

	if (saved) {
		setenv("GCC_EXEC_PREFIX", saved, 1);
	} else {
		unsetenv("GCC_EXEC_PREFIX");
	}
	/* glibc's version, as the library ounce runs with says it */
	strv_release(&pa);
	cache_add_toolchain(&pa, false, memo);
	b = strv_join(&pa, "\n");
	tu_assert_contains(b, "\nlibc=glibc 2.");
	tu_assert_contains(b, "\nlibc.a(gcc)=");
	free(b);
	cache_release(&ca);
	cache_release(&cb);
	strv_release(&pa);
	strv_release(&pb);
	cell_free(c);
	free(a);
	free(saved);
	free(prefix);
	free(lib);
	free(name);
	free(version);
	free(machine);
	free(gcc);
	free(memo);
}

/* cache_dir_of: WORKDIR/cache, or the directory named, a relative one from the
 * current directory; an empty name is an error */
static void
test_cache_dir_of(void **state)
{
	struct tu_tmp *t = *state;
	char cwd[4096], *d, *want, *err;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	d = cache_dir_of("/w", NULL);
	assert_string_equal(d, "/w/cache");
	free(d);
	d = cache_dir_of("/w", "/srv/ounce-cache");
	assert_string_equal(d, "/srv/ounce-cache");
	free(d);
	assert_int_equal(chdir(t->dir), 0);
	d = cache_dir_of("/w", "shared/cache");
	want = xasprintf("%s/shared/cache", t->dir);
	/* (t->dir may itself be reached through a link: compare resolved) */
	free(want);
	want = fs_resolve_future("shared/cache");
	assert_string_equal(d, want);
	assert_true(d[0] == '/');
	free(want);
	free(d);
	assert_int_equal(chdir(cwd), 0);
	tu_capture_begin(t);
	assert_null(cache_dir_of("/w", ""));
	err = tu_capture_end(t);
	tu_assert_contains(err, "error: the cache directory must not be empty");
	free(err);
}

/* cache_storable: an ok cell and a build's own failure are stored; a failure the
 * machine caused (by its reason or by its log) is not */
static void
test_cache_storable(void **state)
{
	struct tu_tmp *t = *state;
	char *art = tu_write_file(t->dir, "cells/gc/src/prog", "the linked program\n");
	char *own = tu_write_file(t->dir, "cells/gc/own.log",
				  "==> make\nprog.c:3:1: error: expected ';' before '}' token\n");
	char *full = tu_write_file(t->dir, "cells/gc/full.log",
				   "==> make\n/usr/bin/ld: final link failed: No space left on "
				   "device\n");
	char *big = tu_write_file(t->dir, "cells/gc/big.log",
				  "==> make\ngcc: internal compiler error: File size limit "
				  "exceeded signal terminated program as\n");
	char *killed = tu_write_file(t->dir, "cells/gc/killed.log",
				     "==> make\ncc -o prog prog.c\nmake: *** [Makefile:2: prog] "
				     "Killed\n");
	struct cell *c = ok_cell("gc", art, own);

	assert_true(cache_storable(c));
	c->status = CELL_BUILD_FAILED;
	c->reason = xstrdup("build: exit status 2: prog.c:3:1: error: expected ';'");
	assert_true(cache_storable(c));
	free(c->log);
	c->log = xstrdup(full);
	assert_false(cache_storable(c));
	free(c->log);
	c->log = xstrdup(big);
	assert_false(cache_storable(c));
	free(c->log);
	c->log = xstrdup(killed);
	assert_false(cache_storable(c));
	free(c->log);
	c->log = xstrdup(own);
	free(c->reason);
	c->reason = xstrdup("build: killed by signal 9");
	assert_false(cache_storable(c));
	free(c->reason);
	c->reason = xstrdup("build: cannot run 'make': No such file or directory");
	assert_false(cache_storable(c));
	/* a smoke test that crashes by itself is the program's; one killed is not */
	c->status = CELL_SMOKE_FAILED;
	free(c->reason);
	c->reason = xstrdup("smoke test failed: killed by signal 11");
	assert_true(cache_storable(c));
	free(c->reason);
	c->reason = xstrdup("smoke test failed: killed by signal 9");
	assert_false(cache_storable(c));
	c->status = CELL_TIMEOUT;
	free(c->reason);
	c->reason = xstrdup("build timed out after 600 s");
	assert_false(cache_storable(c));
	cell_free(c);
	free(art);
	free(own);
	free(full);
	free(big);
	free(killed);
}

/* cache_self_key: the hash of ounce's own executable (here the test's) */
static void
test_cache_self_key(void **state)
{
	char a[CACHE_KEY_LEN + 1], b[CACHE_KEY_LEN + 1];

	(void)state;
	assert_true(cache_self_key(a));
	assert_true(cache_file_key("/proc/self/exe", b));
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), CACHE_KEY_LEN);
	assert_true(cache_file_key("/bin/sh", b));
	assert_string_not_equal(a, b);
}

/* cache_lock_workdir: one holder at a time (a second open of the lock file is
 * another holder, even in this process), the pid in the file while held */
static void
test_cache_lock_workdir(void **state)
{
	struct tu_tmp *t = *state;
	struct cache_lock a = CACHE_LOCK_INIT, b = CACHE_LOCK_INIT;
	char *path = xasprintf("%s/lock", t->dir), *text, *pid;

	assert_int_equal(cache_lock_workdir(&a, t->dir, false), 0);
	/* held already: nothing to do */
	assert_int_equal(cache_lock_workdir(&a, t->dir, false), 0);
	text = tu_read_file(path);
	pid = xasprintf("%ld\n", (long)getpid());
	assert_string_equal(text, pid);
	free(text);
	assert_int_equal(cache_lock_workdir(&b, t->dir, false), -1);
	assert_null(b.dir);
	cache_unlock_workdir(&a);
	assert_int_equal(cache_lock_workdir(&b, t->dir, false), 0);
	cache_unlock_workdir(&b);
	text = tu_read_file(path);
	assert_string_equal(text, "");
	free(text);
	free(pid);
	free(path);
}

/* cache_init_async: the same context as cache_init with the toolchain's lines, and
 * whether the cache held an entry when it was made */
static void
test_cache_init_async(void **state)
{
	struct tu_tmp *t = *state;
	struct strv parts = STRV_INIT, all = STRV_INIT;
	struct cache sync = {0}, async = {0}, later = {0};
	char *art = tu_write_file(t->dir, "cells/x/prog", "linked\n");
	char *log = tu_write_file(t->dir, "cells/x/build.log", "==> make\n");
	char *memo = xasprintf("%s/cache", t->dir);
	struct cell *c = ok_cell("x", art, log);
	char k1[CACHE_KEY_LEN + 1], k2[CACHE_KEY_LEN + 1];

	strv_push(&parts, "ounce 1");
	strv_extend(&all, &parts);
	cache_add_toolchain(&all, false, memo);
	init_in(&sync, t->dir, &all);
	cache_init_async(&async, memo, &parts, false, memo);
	assert_true(cache_empty(&async));
	cache_key(&async, c, k1);
	cache_key(&sync, c, k2);
	assert_string_equal(k1, k2);
	assert_string_equal(async.context, sync.context);
	/* the tool-version memo files are not entries */
	assert_true(cache_empty(&sync));
	assert_int_equal(cache_store(&async, k1, c), 0);
	cache_init_async(&later, memo, &parts, false, memo);
	assert_false(cache_empty(&later));
	cache_key(&later, c, k2);
	assert_string_equal(k1, k2);
	cache_release(&sync);
	cache_release(&async);
	cache_release(&later);
	strv_release(&parts);
	strv_release(&all);
	cell_free(c);
	free(art);
	free(log);
	free(memo);
}

static void
test_cache_memo(void **state)
{
	struct tu_tmp *t = *state;
	struct cache_memo *m = cache_memo_new();
	char *a = tu_write_file(t->dir, "a", "same bytes\n");
	char *b = tu_write_file(t->dir, "b", "same bytes\n");
	char *c = tu_write_file(t->dir, "c", "other bytes\n");
	char *missing = xasprintf("%s/none", t->dir);
	char ka[CACHE_KEY_LEN + 1], kb[CACHE_KEY_LEN + 1], kc[CACHE_KEY_LEN + 1];
	long long gz = 0, xz = 0;

	assert_true(cache_file_key(a, ka));
	assert_true(cache_file_key(b, kb));
	assert_true(cache_file_key(c, kc));
	assert_false(cache_file_key(missing, kc));
	assert_true(cache_file_key(c, kc));
	assert_string_equal(ka, kb);
	assert_string_not_equal(ka, kc);
	assert_false(cache_memo_get(m, ka, &gz, &xz));
	cache_memo_put(m, ka, 10, 20);
	assert_true(cache_memo_get(m, kb, &gz, &xz));
	assert_int_equal(gz, 10);
	assert_int_equal(xz, 20);
	assert_false(cache_memo_get(m, kc, &gz, &xz));
	cache_memo_free(m);
	free(a);
	free(b);
	free(c);
	free(missing);
}

/* the lines of the file at path (0 when it is not there) */
static int
count_lines(const char *path)
{
	char *text = fs_exists(path) ? tu_read_file(path) : NULL;
	int n = 0;

	for (const char *p = text; p && *p; p++) {
		n += *p == '\n';
	}
	free(text);
	return n;
}

/* cache_tool_version gives want, and the tool has run nruns times so far */
static void
expect_version(const char *memo, const char *tool, const char *flag, const char *want,
	       const char *runs, int nruns)
{
	char *v = cache_tool_version(memo, tool, flag);

	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
	assert_int_equal(count_lines(runs), nruns);
}

static void
test_cache_tool_version_memo(void **state)
{
	struct tu_tmp *t = *state;
	char *memo = xasprintf("%s/cache", t->dir), *runs = xasprintf("%s/runs", t->dir);
	char *script = xasprintf("#!/bin/sh\necho run >> '%s'\necho \"tool 1.0 $1\"\n", runs);
	char *tool = tu_write_file(t->dir, "bin/tool", script), *v;

	assert_int_equal(chmod(tool, 0755), 0);
	expect_version(memo, tool, "--version", "tool 1.0 --version\n", runs, 1);
	/* unchanged: read back, not run */
	expect_version(memo, tool, "--version", "tool 1.0 --version\n", runs, 1);
	/* another flag is another question */
	expect_version(memo, tool, "-V", "tool 1.0 -V\n", runs, 2);
	/* a new version of the tool is run again */
	free(script);
	script = xasprintf("#!/bin/sh\necho run >> '%s'\necho \"tool 2.0.1 $1\"\n", runs);
	free(tu_write_file(t->dir, "bin/tool", script));
	expect_version(memo, tool, "--version", "tool 2.0.1 --version\n", runs, 3);
	/* without a memo, every time */
	expect_version(NULL, tool, "--version", "tool 2.0.1 --version\n", runs, 4);
	/* a rustup proxy (a link to rustup, symbolic or hard) is asked every time:
	 * the toolchain it runs changes without its file changing */
	free(script);
	script = xasprintf("#!/bin/sh\necho run >> '%s'\necho \"rustc 1.95 $1\"\n", runs);
	v = tu_write_file(t->dir, "rustup/rustup", script);
	assert_int_equal(chmod(v, 0755), 0);
	free(v);
	v = xasprintf("%s/rustup/rustc", t->dir);
	assert_int_equal(symlink("rustup", v), 0);
	expect_version(memo, v, "-vV", "rustc 1.95 -vV\n", runs, 5);
	expect_version(memo, v, "-vV", "rustc 1.95 -vV\n", runs, 6);
	free(v);
	v = xasprintf("%s/rustup/cargo", t->dir);
	free(script);
	script = xasprintf("%s/rustup/rustup", t->dir);
	assert_int_equal(link(script, v), 0);
	expect_version(memo, v, "-V", "rustc 1.95 -V\n", runs, 7);
	expect_version(memo, v, "-V", "rustc 1.95 -V\n", runs, 8);
	free(v);
	/* a tool that cannot run (a directory): NULL, said on stderr */
	tu_capture_begin(t);
	v = cache_tool_version(memo, t->dir, "--version");
	assert_null(v);
	v = tu_capture_end(t);
	tu_assert_contains(v, "cannot run");
	free(v);
	free(script);
	free(tool);
	free(runs);
	free(memo);
}

/* The bytes of the entry key in dir's cache, added up here. */
static unsigned long long
entry_size(const char *dir, const char *key)
{
	static const char *const files[] = {"cell.json", "build.log", "art/src/prog"};
	unsigned long long sum = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		char *path = xasprintf("%s/cache/%s/%s", dir, key, files[i]);
		long long n = fs_size(path);

		assert_true(n > 0);
		sum += (unsigned long long)n;
		free(path);
	}
	return sum;
}

/* Set the last use of dir/cache/name to when. */
static void
set_used(const char *dir, const char *name, time_t when)
{
	char *path = xasprintf("%s/cache/%s", dir, name);
	struct timespec ts[2] = {{when, 0}, {when, 0}};

	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	free(path);
}

static bool
entry_exists(const char *dir, const char *name)
{
	char *path = xasprintf("%s/cache/%s", dir, name);
	bool yes = fs_exists(path);

	free(path);
	return yes;
}

/* The name of a temporary entry of this machine's process pid (.tmp-HOST-PID-X,
 * with drop- after .tmp- when drop is set), made in dir's cache. */
static char *
own_temp(const char *dir, bool drop, long pid)
{
	char host[256], *name, *path;

	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	/* as cache.c spells it: '-' and the like become '_' */
	for (char *h = host; *h; h++) {
		bool ok = (*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
			  (*h >= '0' && *h <= '9') || *h == '.' || *h == '_';

		*h = ok ? *h : '_';
	}
	host[64] = '\0';
	name = xasprintf(".tmp-%s%s-%ld-0123456789abcdef", drop ? "drop-" : "", host, pid);
	path = xasprintf("cache/%s/cell.json", name);
	free(tu_write_file(dir, path, "{"));
	free(path);
	return name;
}

/* A pid no process has: a child that ended. */
static long
dead_pid(void)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return (long)pid;
}

/* Whether each temporary entry temp_entries makes must stay. */
#define NTEMPS 6
static const bool temp_stays[NTEMPS] = {true, false, true, false, false, true};

/* Temporary entries other machines and this one left in dir's cache: another
 * machine's fresh store and removal stay (its pid means nothing here), an old one
 * goes; this machine's goes once its process is gone, and stays while it runs. */
static void
temp_entries(const char *dir, time_t now, char *temp_names[NTEMPS])
{
	free(tu_write_file(dir, "cache/.tmp-otherhost-1-0123456789abcdef/cell.json", "{"));
	temp_names[0] = xstrdup(".tmp-otherhost-1-0123456789abcdef");
	free(tu_write_file(dir, "cache/.tmp-otherhost-2-0123456789abcdef/cell.json", "{"));
	temp_names[1] = xstrdup(".tmp-otherhost-2-0123456789abcdef");
	set_used(dir, temp_names[1], now - 25 * 60 * 60);
	free(tu_write_file(dir, "cache/.tmp-drop-other.host_3-7-0123456789abcdef/x", "x"));
	temp_names[2] = xstrdup(".tmp-drop-other.host_3-7-0123456789abcdef");
	free(tu_write_file(dir, "cache/.tmp-drop-other.host_3-8-0123456789abcdef/x", "x"));
	temp_names[3] = xstrdup(".tmp-drop-other.host_3-8-0123456789abcdef");
	set_used(dir, temp_names[3], now - 3 * 24 * 60 * 60);
	temp_names[4] = own_temp(dir, false, dead_pid());
	temp_names[5] = own_temp(dir, true, (long)getppid());
}

static void
temp_entries_checked(const char *dir, char *temp_names[NTEMPS])
{
	for (size_t i = 0; i < NTEMPS; i++) {
		if (entry_exists(dir, temp_names[i]) != temp_stays[i]) {
			fail_msg("'%s' %s", temp_names[i], temp_stays[i] ? "went" : "stayed");
		}
		free(temp_names[i]);
		temp_names[i] = NULL;
	}
}

/* cache_prune: least recently used first, until the rest fit; a load counts as a
 * use; this run's entries stay whatever the limit; 0 is no limit; old temporary
 * entries go, new ones and the tool memo stay */
static void
test_cache_prune(void **state)
{
	static const char *const keys[] = {
		"00000000000000000000000000000001", "00000000000000000000000000000002",
		"00000000000000000000000000000003", "00000000000000000000000000000004",
	};
	struct tu_tmp *t = *state;
	struct strv parts = STRV_INIT;
	struct cache cache = {0};
	struct cache_pruned p;
	char big[1001];
	char *art, *log, *tmp_old, *tmp_new, *memo;
	struct cell *c, *back = cell_new("back");
	time_t now = time(NULL);
	unsigned long long e[4];
	char *temps[NTEMPS];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	art = tu_write_file(t->dir, "cells/gc/src/prog", big);
	log = tu_write_file(t->dir, "cells/gc/build.log", "==> make\n");
	c = ok_cell("gc", art, log);
	strv_push(&parts, "ounce 1");
	init_in(&cache, t->dir, &parts);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(cache_store(&cache, keys[i], c), 0);
		/* the first stored is the oldest */
		set_used(t->dir, keys[i], now - 400 + 100 * i);
		e[i] = entry_size(t->dir, keys[i]);
	}
	tmp_old = tu_write_file(t->dir, "cache/.tmp-1-1/cell.json", "{");
	tmp_new = tu_write_file(t->dir, "cache/.tmp-2-2/cell.json", "{");
	memo = tu_write_file(t->dir, "cache/tool-0123", "gcc 12\n");
	set_used(t->dir, ".tmp-1-1", now - 2 * 24 * 60 * 60);
	temp_entries(t->dir, now, temps);

	/* loading the oldest makes it the newest */
	assert_true(cache_load(&cache, keys[0], back));
	assert_int_equal(cache_prune(&cache, e[0] + e[3] + e[2] / 2, now - 50, &p), 0);
	assert_int_equal(p.removed, 2);
	assert_true(p.freed == e[1] + e[2]);
	assert_true(p.kept == e[0] + e[3]);
	assert_true(entry_exists(t->dir, keys[0]));
	assert_false(entry_exists(t->dir, keys[1]));
	assert_false(entry_exists(t->dir, keys[2]));
	assert_true(entry_exists(t->dir, keys[3]));
	assert_false(entry_exists(t->dir, ".tmp-1-1"));
	assert_true(entry_exists(t->dir, ".tmp-2-2"));
	assert_true(fs_exists(memo));
	temp_entries_checked(t->dir, temps);

	/* what this run used stays, over the limit or not; 0 is no limit */
	assert_int_equal(cache_prune(&cache, 1, now - 150, &p), 0);
	assert_int_equal(p.removed, 0);
	assert_true(p.kept == e[0] + e[3]);
	assert_int_equal(cache_prune(&cache, 0, now + 10, &p), 0);
	assert_int_equal(p.removed, 0);
	/* once older than the run, it goes */
	assert_int_equal(cache_prune(&cache, 1, now + 10, &p), 0);
	assert_int_equal(p.removed, 2);
	assert_true(p.kept == 0);
	assert_false(entry_exists(t->dir, keys[0]));
	assert_false(entry_exists(t->dir, keys[3]));

	cache_release(&cache);
	strv_release(&parts);
	cell_free(back);
	cell_free(c);
	free(art);
	free(log);
	free(tmp_old);
	free(tmp_new);
	free(memo);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cache_tree_hash_follows_content,
						tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(
			test_cache_key_depends_on_settings_build_and_context, tu_setup_tmpdir,
			tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_cache_init_async, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_cache_prune, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test(test_cache_artifact_name_ok),
		cmocka_unit_test(test_cache_add_list_unambiguous),
		cmocka_unit_test_setup_teardown(test_cache_store_and_load, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_cache_storable, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_cache_read_while_pruned, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_cache_libc_identity, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_cache_dir_of, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_cache_store_concurrent, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test(test_cache_self_key),
		cmocka_unit_test_setup_teardown(test_cache_lock_workdir, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_cache_tool_version_memo, tu_setup_tmpdir,
						tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_cache_memo, tu_setup_tmpdir,
						tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
