/* cache.c: a directory per cached cell, CACHE/KEY (CACHE: WORKDIR/cache, or --cache),
 * holding cell.json (the cell as results.json records it, with each artifact's size
 * and hash), build.log and a copy of the artifacts. Entries are written under a
 * temporary name unique across machines and renamed, and removed by renaming them
 * away first, so a reader (another run, on this machine or another, with no lock)
 * never sees half an entry. */
#define _GNU_SOURCE /* flock, confstr's _CS_GNU_LIBC_VERSION, getrandom */
#include "matrix/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/strv.h"
#include "matrix/stage.h"
#include "os/fsutil.h"
#include "os/hash.h"
#include "os/spawn.h"
#include "report/result.h"
#include "base/banned.h"

extern char **environ;

void
cache_hash_words(const struct strv *parts, char out[CACHE_KEY_LEN + 1])
{
	XXH3_state_t *st = hash_new();

	for (size_t i = 0; i < parts->n; i++) {
		/* with its terminator, so "a" "bc" and "ab" "c" differ */
		XXH3_128bits_update(st, parts->v[i], strlen(parts->v[i]) + 1);
	}
	hash_hex(XXH3_128bits_digest(st), out);
	XXH3_freeState(st);
}

/* Is name an entry's (CACHE_KEY_LEN hex digits)? */
static bool
is_key(const char *name)
{
	size_t n = strspn(name, "0123456789abcdef");

	return n == CACHE_KEY_LEN && !name[n];
}

static bool
dir_has_entry(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d) {
		return false;
	}
	while (!found && (e = readdir(d))) {
		found = is_key(e->d_name);
	}
	closedir(d);
	return found;
}

char *
cache_dir_of(const char *workdir, const char *dir)
{
	if (!dir) {
		return xasprintf("%s/cache", workdir);
	}
	if (!*dir) {
		error("the cache directory must not be empty");
		return NULL;
	}
	/* absolute, so a --resume from elsewhere (and the messages) name the same
	 * directory */
	return fs_resolve_future(dir);
}

void
cache_init(struct cache *c, const char *dir, const struct strv *parts)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	cache_hash_words(parts, c->context);
	c->dir = xstrdup(dir);
	c->empty = !dir_has_entry(c->dir);
}

/* mkdir -p dir, quietly: 0, or -1 with errno set. */
static int
make_dirs(const char *dir)
{
	char *p = xstrdup(dir);
	int e = 0;

	for (char *s = p + 1; !e; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0777) < 0 && errno != EEXIST) {
				e = errno;
			}
			*s = c;
			if (!c) {
				break;
			}
		}
	}
	free(p);
	errno = e;
	return e ? -1 : 0;
}

bool
cache_usable(const char *dir)
{
	struct stat st;
	DIR *d = NULL;
	int e = 0;

	if (make_dirs(dir) < 0) {
		e = errno;
	} else if (stat(dir, &st) < 0) {
		e = errno;
	} else if (!S_ISDIR(st.st_mode)) {
		e = ENOTDIR;
	} else if (access(dir, R_OK | W_OK | X_OK) < 0) {
		/* (root passes, but not on a read-only file system) */
		e = errno;
	} else if (!(d = opendir(dir))) {
		e = errno;
	}
	if (d) {
		closedir(d);
	} else {
		warn("cannot use the cache '%s': %s: going on without it (every cell is built, "
		     "none stored)",
		     dir, strerror(e));
	}
	return d != NULL;
}

static void *
finish_context(void *arg)
{
	struct cache *c = arg;

	cache_add_toolchain(&c->parts, c->cargo, c->memo_dir);
	cache_hash_words(&c->parts, c->context);
	return NULL;
}

void
cache_init_async(struct cache *c, const char *dir, const struct strv *parts, bool cargo,
		 const char *memo_dir)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->dir = xstrdup(dir);
	c->empty = !dir_has_entry(c->dir);
	strv_extend(&c->parts, parts);
	c->cargo = cargo;
	c->memo_dir = memo_dir ? xstrdup(memo_dir) : NULL;
	c->async = true;
	c->pending = pthread_create(&c->thread, NULL, finish_context, c) == 0;
	if (!c->pending) {
		finish_context(c);
	}
}

bool
cache_empty(const struct cache *c)
{
	return c->empty;
}

/* Wait for cache_init_async's thread, once. */
static void
context_ready(struct cache *c)
{
	pthread_mutex_lock(&c->mu);
	if (c->pending) {
		pthread_join(c->thread, NULL);
		c->pending = false;
	}
	pthread_mutex_unlock(&c->mu);
}

void
cache_release(struct cache *c)
{
	if (!c->dir) {
		/* never made */
		return;
	}
	context_ready(c);
	pthread_mutex_destroy(&c->mu);
	strv_release(&c->parts);
	free(c->memo_dir);
	free(c->dir);
	c->dir = NULL;
	c->memo_dir = NULL;
}

void
cache_key(struct cache *c, const struct cell *cell, char key[CACHE_KEY_LEN + 1])
{
	context_ready(c);
	json_t *s = result_settings_json(&cell->settings);
	char *js = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
	struct buf b = BUF_INIT;

	if (!js) {
		die("out of memory");
	}
	buf_printf(&b, "%s\n%s\n%s", c->context, cell->build ? cell->build : "", js);
	hash_hex(XXH3_128bits(buf_str(&b), b.len), key);
	free(js);
	json_decref(s);
	buf_release(&b);
}

/* Is a result with status s ever stored? */
static bool
storable(const struct cell *cell)
{
	return cell->status == CELL_OK || cell->status == CELL_SMOKE_FAILED ||
	       cell->status == CELL_CONFIGURE_FAILED || cell->status == CELL_BUILD_FAILED;
}

/* What a log says when the machine, not the build, made a step fail: a full disk
 * or quota, a file size limit (EFBIG, SIGXFSZ), memory or processes running out, a
 * broken or read-only disk, a compiler or command killed (the OOM killer, a
 * SIGBUS on a file cut short), a missing tool. */
static const char *const environment_marks[] = {
	"No space left on device",
	"Disk quota exceeded",
	"File too large",
	"File size limit exceeded",
	"Cannot allocate memory",
	"virtual memory exhausted",
	"out of memory",
	"Out of memory",
	"Resource temporarily unavailable",
	"Too many open files",
	"Read-only file system",
	"Input/output error",
	"terminated with signal",
	"terminated by signal",
	"Killed signal terminated program",
	"internal compiler error: Killed",
	/* make's line for a command killed by a signal: "make: *** [all] Killed" */
	"] Killed",
	"] Terminated",
	"] Bus error",
	"command not found",
};

/* The reasons ounce gives for a step the environment made fail (build.c, smoke.c,
 * spawn_describe, spawn_log_cause). */
static const char *const environment_reasons[] = {
	"timed out",
	"interrupted",
	"cannot run '",
	"could not start",
	"which is not installed",
	"not found in PATH",
	"cannot measure",
	"ounce could not",
};

/* Does the text of the file at path hold one of environment_marks? */
static bool
log_blames_environment(const char *path)
{
	struct buf b = BUF_INIT;
	bool found = false;

	if (!path || !fs_exists(path) || fs_read_file(path, &b) < 0) {
		return false;
	}
	/* (a log may hold NUL bytes: search each string between them) */
	for (size_t at = 0; at < b.len && !found; at += strlen(b.s + at) + 1) {
		for (size_t i = 0; i < sizeof(environment_marks) / sizeof(*environment_marks);
		     i++) {
			if (strstr(b.s + at, environment_marks[i])) {
				found = true;
				break;
			}
		}
	}
	buf_release(&b);
	return found;
}

bool
cache_storable(const struct cell *cell)
{
	const char *r = cell->reason ? cell->reason : "", *sig;

	if (cell->status == CELL_OK) {
		return true;
	}
	if (!storable(cell)) {
		return false;
	}
	for (size_t i = 0; i < sizeof(environment_reasons) / sizeof(*environment_reasons); i++) {
		if (strstr(r, environment_reasons[i])) {
			return false;
		}
	}
	if ((sig = strstr(r, "killed by signal "))) {
		int n = atoi(sig + strlen("killed by signal "));

		/* a build killed; or a smoke test killed from outside (HUP, INT, QUIT,
		 * KILL, TERM, XCPU, XFSZ), not one that crashed by itself */
		if (cell->status != CELL_SMOKE_FAILED || n == 1 || n == 2 || n == 3 || n == 9 ||
		    n == 15 || n == 24 || n == 25) {
			return false;
		}
	}
	return !log_blames_environment(cell->log);
}

bool
cache_self_key(char key[CACHE_KEY_LEN + 1])
{
	return cache_file_key("/proc/self/exe", key);
}

/* ---- temporary names ----
 * A store is written at CACHE/.tmp-HOST-PID-RANDOM and renamed to CACHE/KEY; an
 * entry taken out is renamed to CACHE/.tmp-drop-HOST-PID-RANDOM, then removed. The
 * host and the random part keep the names of machines sharing the directory apart
 * (their pids repeat), and tell cache_prune whose a leftover is. */

/* A temporary entry older than this is a leftover whatever wrote it. */
#define TEMP_STALE_SECONDS (24 * 60 * 60)

/* This machine's name as temporary names hold it: letters, digits, '.' and '_'
 * only ('-' parts the name), at most 64 characters. */
static void
host_label(char out[65])
{
	char h[256];
	size_t i;

	if (gethostname(h, sizeof(h)) < 0) {
		snprintf(h, sizeof(h), "unknown");
	}
	h[sizeof(h) - 1] = '\0';
	for (i = 0; h[i] && i < 64; i++) {
		char ch = h[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_';

		out[i] = ok ? ch : '_';
	}
	if (!i) {
		out[i++] = '_';
	}
	out[i] = '\0';
}

/* 64 random bits (the kernel's; the clock and the thread when it has none yet). */
static unsigned long long
random_bits(void)
{
	unsigned long long r;
	struct timespec ts;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r)) {
		return r;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((unsigned long long)ts.tv_sec << 30) ^ (unsigned long long)ts.tv_nsec ^
	       ((unsigned long long)(uintptr_t)pthread_self() << 7);
}

/* A new temporary name in the cache dir, DIR/.tmp-[drop-]HOST-PID-RANDOM. The
 * caller frees it. */
static char *
temp_name(const char *dir, bool drop)
{
	char host[65];

	host_label(host);
	return xasprintf("%s/.tmp-%s%s-%ld-%016llx", dir, drop ? "drop-" : "", host,
			 (long)getpid(), random_bits());
}

/* Is the temporary entry name (st its status) a leftover of a writer that is gone:
 * older than a day, or this machine's and its process is no more? Another
 * machine's is judged by its age only: its pid means nothing here. */
static bool
temp_stale(const char *name, const struct stat *st, time_t now)
{
	const char *p = name + strlen(".tmp-"), *dash;
	char host[65], *end;
	long pid;

	if (st->st_mtime < now - TEMP_STALE_SECONDS) {
		return true;
	}
	if (!strncmp(p, "drop-", 5)) {
		p += 5;
	}
	host_label(host);
	dash = strchr(p, '-');
	if (!dash || (size_t)(dash - p) != strlen(host) || strncmp(p, host, strlen(host))) {
		return false;
	}
	pid = strtol(dash + 1, &end, 10);
	if (*end != '-' || pid <= 0 || pid == (long)getpid()) {
		return false;
	}
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Rename the entry (or temporary entry) at path away and remove it. Returns 1 when
 * done, 0 when path was gone (another run took it first), -1 after reporting. */
static int
remove_entry(const char *dir, const char *path)
{
	char *away = temp_name(dir, true);
	int rc = 1;

	/* renamed first: a run reading it meanwhile finds it whole or not at all, and
	 * of two runs removing it one does */
	if (rename(path, away) < 0) {
		rc = errno == ENOENT ? 0 : error_errno("cannot remove '%s'", path);
	} else {
		/* its mtime is the entry's last use: made now, so no other run takes
		 * it for a leftover while this one removes it */
		utimensat(AT_FDCWD, away, NULL, 0);
		if (fs_remove_tree(away) < 0) {
			rc = -1;
		}
	}
	free(away);
	return rc;
}

/* Is the entry at path still the directory fd (not removed, nor replaced by a new
 * entry of the same key, since it was opened)? */
static bool
same_entry(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino && a.st_nlink > 0;
}

/* Take the entry out of the cache (renamed away, then removed), saying why in one
 * warning; quiet when it is no longer the one read (fd): another run removed it,
 * and maybe stored it again, meanwhile, which is a miss, not damage. */
static void
drop_entry(const struct cache *c, int fd, const char *entry, const char *key, const char *why)
{
	if (!same_entry(fd, entry)) {
		debug("cache entry %s: removed by another run while read: a miss", key);
		return;
	}
	if (remove_entry(c->dir, entry) > 0) {
		warn("cache entry %s: %s: removed, the cell is built again", key, why);
	}
}

/* Are the artifacts of old, in the entry, the size and content stored with them
 * ("files" of cell.json)? A reason for the warning into why when not. */
static bool
artifacts_intact(json_t *files, const struct cell *old, char *why, size_t len)
{
	for (size_t i = 0; i < old->narts; i++) {
		const struct artifact *a = &old->arts[i];
		json_t *f = json_is_object(files) ? json_object_get(files, a->name) : NULL;
		json_t *size = json_object_get(f, "size");
		const char *hash = json_string_value(json_object_get(f, "xxh3"));
		char have[CACHE_KEY_LEN + 1];
		long long n;

		if (!json_is_integer(size) || !hash) {
			snprintf(why, len, "no size and hash for '%s'", a->name);
			return false;
		}
		n = fs_size(a->path);
		if (n != json_integer_value(size)) {
			snprintf(why, len, "'%s' is %lld bytes, stored with %lld", a->name, n,
				 (long long)json_integer_value(size));
			return false;
		}
		if (!cache_file_key(a->path, have) || strcmp(have, hash)) {
			snprintf(why, len, "'%s' is not the content it was stored with", a->name);
			return false;
		}
	}
	return true;
}

bool
cache_artifact_name_ok(const char *name)
{
	if (!name || !*name || *name == '/') {
		return false;
	}
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			return false;
		}
		p += n + (p[n] == '/');
	}
	return true;
}

/* The first name of old's artifacts that leaves the cell, or NULL. */
static const char *
name_outside(const struct cell *old)
{
	for (size_t i = 0; i < old->narts; i++) {
		if (!cache_artifact_name_ok(old->arts[i].name)) {
			return old->arts[i].name ? old->arts[i].name : "";
		}
	}
	return NULL;
}

/* cell.json of the entry directory fd, or NULL when it cannot be read. */
static json_t *
load_cell_json(int fd)
{
	int jfd = openat(fd, "cell.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	json_t *o;

	if (jfd < 0) {
		return NULL;
	}
	o = json_loadfd(jfd, 0, NULL);
	close(jfd);
	return o;
}

bool
cache_load(const struct cache *c, const char *key, struct cell *cell)
{
	char *entry = xasprintf("%s/%s", c->dir, key);
	/* read through the directory as it was when opened: one removed (renamed
	 * away) meanwhile is told from a damaged one by same_entry */
	int fd = open(entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	json_t *o = fd >= 0 ? load_cell_json(fd) : NULL;
	struct cell *old = o ? result_cell_from_json(o) : NULL;
	bool hit = false;
	char why[256];

	if (fd < 0) {
		/* no entry: a miss */
	} else if (!old) {
		/* entries are renamed into place whole: this one was damaged since */
		drop_entry(c, fd, entry, key, "cell.json cannot be read");
	} else if (name_outside(old)) {
		/* written at CELL/NAME when another cell copies it: never outside */
		snprintf(why, sizeof(why), "artifact name '%s' leaves the cell", name_outside(old));
		drop_entry(c, fd, entry, key, why);
	} else if (storable(old)) {
		bool all = true;

		/* its artifacts, kept in the entry under their names in the cell */
		for (size_t i = 0; i < old->narts; i++) {
			char *art = xasprintf("%s/art/%s", entry, old->arts[i].name);

			if (all && !fs_exists(art)) {
				snprintf(why, sizeof(why), "'%s' is missing", old->arts[i].name);
				all = false;
			}
			free(old->arts[i].path);
			old->arts[i].path = art;
		}
		if (all && !artifacts_intact(json_object_get(o, "files"), old, why, sizeof(why))) {
			all = false;
		}
		if (!all) {
			drop_entry(c, fd, entry, key, why);
		} else {
			cell->status = old->status;
			free(cell->reason);
			cell->reason = old->reason;
			old->reason = NULL;
			cell_clear_artifacts(cell);
			cell->arts = old->arts;
			cell->narts = old->narts;
			old->arts = NULL;
			old->narts = 0;
			free(cell->artifact);
			cell->artifact = cell->narts ? xstrdup(cell->arts[0].path) : NULL;
			strv_release(&cell->unproven);
			cell->unproven = old->unproven;
			memset(&old->unproven, 0, sizeof(old->unproven));
			free(cell->log);
			cell->log = xasprintf("%s/build.log", entry);
			measure_release(&cell->m);
			cell->m = old->m;
			memset(&old->m, 0, sizeof(old->m));
			cell->smoke = old->smoke;
			cell->peak_rss_kb = old->peak_rss_kb;
			cell->build_seconds = old->build_seconds;
			cell->measure_seconds = old->measure_seconds;
			/* its build's steps, not where that run sent its compiles */
			free(cell->steps.failed_hosts);
			cell->steps = (struct cell_steps){
				.compiles = old->steps.compiles,
				.compile_seconds = old->steps.compile_seconds,
				.compile_cpu = old->steps.compile_cpu,
				.links = old->steps.links,
				.link_seconds = old->steps.link_seconds,
				.link_cpu = old->steps.link_cpu,
			};
			cell->cached = true;
			cell->built = false;
			hit = true;
			/* used now: cache_prune removes the entries used least recently */
			utimensat(AT_FDCWD, entry, NULL, 0);
		}
	}
	cell_free(old);
	json_decref(o);
	if (fd >= 0) {
		close(fd);
	}
	free(entry);
	return hit;
}

/* Link from to to, or copy it when they are on different file systems. */
static int
link_or_copy(const char *from, const char *to)
{
	if (link(from, to) == 0) {
		return 0;
	}
	return fs_copy_file(from, to);
}

int
cache_store(const struct cache *c, const char *key, const struct cell *cell)
{
	char *entry, *tmp, *path;
	char hash[CACHE_KEY_LEN + 1];
	json_t *o, *f, *files;
	long long size;
	char *js;
	int rc = -1;

	if (!cache_storable(cell)) {
		debug("%s: not cached: its result may depend on more than its inputs", cell->name);
		return 0;
	}
	entry = xasprintf("%s/%s", c->dir, key);
	tmp = temp_name(c->dir, false);
	files = json_object();
	/* mkdir, not fs_mkdirs: the name is new, and one there already is another
	 * writer's (however unlikely), never to be written into */
	if (mkdir(tmp, 0777) < 0 &&
	    (errno != ENOENT || fs_mkdirs(c->dir) < 0 || mkdir(tmp, 0777) < 0)) {
		rc = error_errno("cannot make '%s'", tmp);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	for (size_t i = 0; i < cell->narts; i++) {
		const struct artifact *a = &cell->arts[i];
		char *parent;

		if (!fs_exists(a->path) || !cache_artifact_name_ok(a->name)) {
			continue;
		}
		path = xasprintf("%s/art/%s", tmp, a->name);
		parent = xstrndup(path, (size_t)(strrchr(path, '/') - path));
		if (fs_mkdirs(parent) < 0 || link_or_copy(a->path, path) < 0) {
			free(parent);
			free(path);
			goto out;
		}
		/* what cache_load checks before it serves the copy */
		if (!cache_file_key(path, hash) || (size = fs_size(path)) < 0) {
			rc = error_errno("cannot read '%s'", path);
			free(parent);
			free(path);
			goto out;
		}
		f = json_object();
		json_object_set_new(f, "size", json_integer(size));
		json_object_set_new(f, "xxh3", json_string(hash));
		json_object_set_new(files, a->name, f);
		free(parent);
		free(path);
	}
	if (cell->log && fs_exists(cell->log)) {
		path = xasprintf("%s/build.log", tmp);
		if (link_or_copy(cell->log, path) < 0) {
			free(path);
			goto out;
		}
		free(path);
	}
	o = result_cell_json(cell);
	json_object_set(o, "files", files);
	js = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!js) {
		die("out of memory");
	}
	/* no fsync: the entry is renamed into place whole, and one that a crash left
	 * short does not parse, which cache_load takes as a miss */
	path = xasprintf("%s/cell.json", tmp);
	rc = fs_write_file(path, js, strlen(js));
	free(path);
	free(js);
	if (rc < 0) {
		goto out;
	}
	/* an entry with the same key holds the same result: the first one stays,
	 * marked used now, and ours goes (another run, maybe on another machine,
	 * stored it while this one built it). ENOENT with the entry there: NFS
	 * retried a rename the server had done. */
	if (rename(tmp, entry) < 0) {
		if (errno == ENOTEMPTY || errno == EEXIST ||
		    (errno == ENOENT && fs_exists(entry))) {
			debug("%s: stored by another run meanwhile: that entry stays", cell->name);
			utimensat(AT_FDCWD, entry, NULL, 0);
		} else {
			rc = error_errno("cannot store '%s' in the cache", cell->name);
		}
	}
out:
	json_decref(files);
	if (tmp && fs_exists(tmp)) {
		fs_remove_tree(tmp);
	}
	if (rc < 0) {
		warn("the result of '%s' is not cached", cell->name);
	}
	free(tmp);
	free(entry);
	return rc;
}

/* "process PID" of the lock file fd (what its holder wrote), or "another process". */
static void
lock_holder(int fd, char *out, size_t len)
{
	char b[32];
	ssize_t n = pread(fd, b, sizeof(b) - 1, 0);
	long pid;
	char *end;

	b[n > 0 ? n : 0] = '\0';
	pid = strtol(b, &end, 10);
	if (n > 0 && pid > 0 && (*end == '\n' || !*end)) {
		snprintf(out, len, "process %ld", pid);
	} else {
		snprintf(out, len, "another process");
	}
}

int
cache_lock_workdir(struct cache_lock *lk, const char *dir, bool wait)
{
	char *path, holder[64], pid[32];
	int fd, n;

	if (lk->dir && !strcmp(lk->dir, dir)) {
		return 0;
	}
	cache_unlock_workdir(lk);
	path = xasprintf("%s/lock", dir);
	/* O_CLOEXEC: a build that outlived ounce must not hold the lock */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		error_errno("cannot open the work directory's lock '%s'", path);
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			error_errno("cannot lock '%s'", path);
			goto fail;
		}
		lock_holder(fd, holder, sizeof(holder));
		if (!wait) {
			error("the work directory '%s' is in use by %s (another ounce run): wait "
			      "for it to end (--wait), or choose another with --workdir",
			      dir, holder);
			goto fail;
		}
		info("the work directory '%s' is in use by %s: waiting for it (--wait)", dir,
		     holder);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				error_errno("cannot lock '%s'", path);
				goto fail;
			}
		}
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* only the message of a second run is the poorer */
		debug("cannot write the pid into '%s': %s", path, strerror(errno));
	}
	free(path);
	lk->fd = fd;
	lk->dir = xstrdup(dir);
	return 0;
fail:
	close(fd);
	free(path);
	return -1;
}

void
cache_unlock_workdir(struct cache_lock *lk)
{
	if (lk->fd >= 0) {
		/* the pid goes, the file stays: removing it would let a run lock a
		 * new file while another still holds the old one */
		if (ftruncate(lk->fd, 0) < 0) {
			debug("cannot empty the lock of '%s'", lk->dir);
		}
		close(lk->fd);
	}
	free(lk->dir);
	lk->dir = NULL;
	lk->fd = -1;
}

/* One entry of the cache, for cache_prune. */
struct entry {
	char *name;
	struct timespec used;
	unsigned long long bytes;
};

/* Oldest use first; by name when two were used at the same time, so the order
 * does not depend on readdir's. */
static int
by_use(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->used.tv_sec != b->used.tv_sec) {
		return a->used.tv_sec < b->used.tv_sec ? -1 : 1;
	}
	if (a->used.tv_nsec != b->used.tv_nsec) {
		return a->used.tv_nsec < b->used.tv_nsec ? -1 : 1;
	}
	return strcmp(a->name, b->name);
}

/* The bytes of the files under the entry directory dir/name (cell.json,
 * build.log, and the artifacts under art/ where they were in the cell). */
static unsigned long long
entry_bytes(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	unsigned long long sum = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (fd < 0) {
		return 0;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			sum += (unsigned long long)st.st_size;
		} else if (S_ISDIR(st.st_mode)) {
			sum += entry_bytes(dirfd(d), e->d_name);
		}
	}
	closedir(d);
	return sum;
}

int
cache_prune(const struct cache *c, unsigned long long max_bytes, time_t keep_since,
	    struct cache_pruned *out)
{
	DIR *d = opendir(c->dir);
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	unsigned long long total = 0;
	time_t now = time(NULL);
	struct dirent *e;
	struct stat st;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!d) {
		/* no cache yet: nothing to prune */
		return errno == ENOENT ? 0 : error_errno("cannot read the cache '%s'", c->dir);
	}
	while ((e = readdir(d))) {
		bool key = is_key(e->d_name);

		if ((!key && strncmp(e->d_name, ".tmp-", 5)) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode)) {
			continue;
		}
		if (!key) {
			/* a store or removal a killed run left half done (a running one
			 * renames its own within seconds) */
			if (temp_stale(e->d_name, &st, now)) {
				char *path = xasprintf("%s/%s", c->dir, e->d_name);

				debug("cache: removing '%s', left by a run that ended", path);
				remove_entry(c->dir, path);
				free(path);
			}
			continue;
		}
		v = xgrowarray(v, &cap, n + 1, sizeof(*v));
		v[n].name = xstrdup(e->d_name);
		v[n].used = st.st_mtim;
		v[n].bytes = entry_bytes(dirfd(d), e->d_name);
		total += v[n].bytes;
		n++;
	}
	closedir(d);
	if (n) {
		qsort(v, n, sizeof(*v), by_use);
	}
	for (size_t i = 0; i < n && max_bytes && total > max_bytes; i++) {
		char *path;
		int done;

		if (v[i].used.tv_sec >= keep_since) {
			break;
		}
		path = xasprintf("%s/%s", c->dir, v[i].name);
		done = remove_entry(c->dir, path);
		free(path);
		if (done < 0) {
			rc = -1;
			break;
		}
		total -= v[i].bytes;
		if (!done) {
			/* another run (sharing the cache) removed it first */
			continue;
		}
		out->freed += v[i].bytes;
		out->removed++;
	}
	out->kept = total;
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
	}
	free(v);
	return rc;
}

int
cache_add_tree(struct strv *parts, const char *dir, const struct strv *exclude, const char *skip)
{
	XXH3_state_t *st = hash_new();
	char hex[CACHE_KEY_LEN + 1];
	int rc;

	rc = stage_hash(dir, exclude, skip, st);
	hash_hex(XXH3_128bits_digest(st), hex);
	XXH3_freeState(st);
	if (rc == 0) {
		strv_push_owned(parts, xasprintf("tree=%s", hex));
	}
	return rc;
}

/* Is path a rustup proxy (rustc, cargo... as links to rustup, symbolic or hard,
 * beside it)? Which toolchain it runs is decided on each call (rustup default,
 * rust-toolchain.toml, an update), so its file says nothing of its version. */
static bool
rustup_proxy(const char *path)
{
	char *real = fs_realpath(path), *dir, *rustup;
	const char *base;
	struct stat a, b;
	bool yes = false;

	if (real) {
		base = strrchr(real, '/');
		yes = base && !strncmp(base + 1, "rustup", 6);
		free(real);
	}
	if (!yes && stat(path, &a) == 0) {
		base = strrchr(path, '/');
		dir = base ? xstrndup(path, (size_t)(base - path)) : xstrdup(".");
		rustup = xasprintf("%s/rustup", dir);
		yes = stat(rustup, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
		free(rustup);
		free(dir);
	}
	return yes;
}

/* The memo file in memo_dir for the question id about the file whose status is st
 * (as what, "tool" or "file"), or NULL without a memo: the file's identity (device,
 * inode, size, modification and change times) and this machine's name, so a memo
 * in a cache that machines share answers for the one that asked. The caller frees
 * it. */
static char *
memo_path(const char *memo_dir, const char *what, const char *id, const struct stat *st)
{
	char hex[CACHE_KEY_LEN + 1], host[65];
	char *s;

	if (!memo_dir) {
		return NULL;
	}
	host_label(host);
	s = xasprintf("%s %s %ju %ju %jd %jd.%09ld %jd.%09ld", id, host, (uintmax_t)st->st_dev,
		      (uintmax_t)st->st_ino, (intmax_t)st->st_size, (intmax_t)st->st_mtim.tv_sec,
		      st->st_mtim.tv_nsec, (intmax_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
	hash_hex(XXH3_128bits(s, strlen(s)), hex);
	free(s);
	return xasprintf("%s/%s-%s", memo_dir, what, hex);
}

/* Keep text in the memo file memo (NULL: none); not kept is only slower next time. */
static void
memo_put(const char *memo_dir, const char *memo, const char *text, size_t len)
{
	if (memo && fs_mkdirs(memo_dir) == 0) {
		fs_write_atomic(memo, text, len);
	}
}

/* The output of `path flag` with the memo of cache_tool_version; extra: more that
 * decides the answer besides the tool's file (variables of the environment), or
 * NULL. */
static char *
tool_output(const char *memo_dir, const char *path, const char *flag, const char *extra)
{
	char *argv[] = {xstrdup(path), xstrdup(flag), NULL};
	struct spawn_opts o = {0};
	struct spawn_result res;
	struct buf out = BUF_INIT;
	struct stat st;
	char *memo = NULL, *id, *answer = NULL;

	if (memo_dir && !rustup_proxy(path) && stat(path, &st) == 0) {
		id = xasprintf("%s %s%s%s", path, flag, extra ? " " : "", extra ? extra : "");
		memo = memo_path(memo_dir, "tool", id, &st);
		free(id);
		if (fs_exists(memo) && fs_read_file(memo, &out) == 0) {
			answer = buf_detach(&out);
		}
		buf_release(&out);
	}
	if (!answer) {
		o.argv = argv;
		o.out = &out;
		o.timeout = 30;
		if (spawn_run(&o, &res) >= 0 && res.end == SPAWN_EXITED) {
			memo_put(memo_dir, memo, buf_str(&out), out.len);
			answer = buf_detach(&out);
		}
		buf_release(&out);
	}
	free(memo);
	free(argv[0]);
	free(argv[1]);
	return answer;
}

/* A second run asks the file system instead of the tool: `clang --version` takes
 * 30 ms warm and a quarter of a second after a pause, most of a run whose cells
 * all come from the cache. */
char *
cache_tool_version(const char *memo_dir, const char *path, const char *flag)
{
	return tool_output(memo_dir, path, flag, NULL);
}

char *
cache_file_identity(const char *memo_dir, const char *path)
{
	char hex[CACHE_KEY_LEN + 1];
	struct buf out = BUF_INIT;
	struct stat st;
	char *memo, *id;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		return NULL;
	}
	memo = memo_path(memo_dir, "file", path, &st);
	if (memo && fs_exists(memo) && fs_read_file(memo, &out) == 0 && out.len) {
		free(memo);
		return buf_detach(&out);
	}
	buf_release(&out);
	if (!cache_file_key(path, hex)) {
		free(memo);
		return NULL;
	}
	id = xasprintf("%jd %s", (intmax_t)st.st_size, hex);
	memo_put(memo_dir, memo, id, strlen(id));
	free(memo);
	return id;
}

void
cache_add_libc(struct strv *parts, const char *cc, const char *memo_dir)
{
	/* what else decides where the driver finds libc.a */
	static const char *const vars[] = {"LIBRARY_PATH", "GCC_EXEC_PREFIX", "COMPILER_PATH"};
	char *path = spawn_which(cc, NULL), *out = NULL, *id = NULL;
	struct buf extra = BUF_INIT;

	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		const char *v = getenv(vars[i]);

		buf_printf(&extra, "%s%s=%s", i ? " " : "", vars[i], v ? v : "");
	}
	/* the memo's answer first; asked again when it names no file (now): a C
	 * library installed since is found */
	for (int memo = 1; path && !id && memo >= !memo_dir; memo--) {
		free(out);
		out = tool_output(memo ? memo_dir : NULL, path, "-print-file-name=libc.a",
				  buf_str(&extra));
		if (!out) {
			break;
		}
		/* one line: the path, or the bare name when the driver finds none */
		out[strcspn(out, "\n")] = '\0';
		if (out[0] == '/') {
			id = cache_file_identity(memo_dir, out);
		}
	}
	if (id) {
		strv_push_owned(parts, xasprintf("libc.a(%s)=%s %s", cc, out, id));
	} else {
		strv_push_owned(parts, xasprintf("libc.a(%s)=none", cc));
	}
	free(id);
	free(out);
	free(path);
	buf_release(&extra);
}

static void
add_version(struct strv *parts, const char *memo_dir, const char *tool, const char *flag)
{
	char *path = spawn_which(tool, NULL);
	char *out = path ? cache_tool_version(memo_dir, path, flag) : NULL;

	if (out) {
		strv_push_owned(parts, xasprintf("%s=%s %s", tool, path, out));
	} else {
		strv_push_owned(parts, xasprintf("%s=missing", tool));
	}
	free(path);
	free(out);
}

/* The C library ounce runs with, which native builds link: glibc's version, or
 * "none" (another C library, or a static ounce). */
static void
add_libc_version(struct strv *parts)
{
	char v[64];
	size_t n = confstr(_CS_GNU_LIBC_VERSION, v, sizeof(v));

	strv_push_owned(parts, xasprintf("libc=%s", n > 0 && n <= sizeof(v) ? v : "none"));
}

void
cache_add_toolchain(struct strv *parts, bool cargo, const char *memo_dir)
{
	add_version(parts, memo_dir, "gcc", "--version");
	add_version(parts, memo_dir, "clang", "--version");
	add_version(parts, memo_dir, "ld", "--version");
	add_version(parts, memo_dir, "ld.lld", "--version");
	add_version(parts, memo_dir, "strip", "--version");
	if (cargo) {
		add_version(parts, memo_dir, "rustc", "-vV");
		add_version(parts, memo_dir, "cargo", "-V");
	}
	add_libc_version(parts);
	cache_add_libc(parts, "gcc", memo_dir);
}

void
cache_add_list(struct strv *parts, const char *label, const struct strv *list)
{
	strv_push_owned(parts, xasprintf("%s %zu", label, list->n));
	for (size_t i = 0; i < list->n; i++) {
		strv_push(parts, list->v[i]);
	}
}

void
cache_add_environment(struct strv *parts)
{
	static const char *const names[] = {
		"PATH", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "LIBS", "LDLIBS",
		"RUSTFLAGS", "PKG_CONFIG_PATH", "LD_LIBRARY_PATH", "LIBRARY_PATH", "CPATH",
		"C_INCLUDE_PATH", "SOURCE_DATE_EPOCH", "RUSTUP_TOOLCHAIN",
	};
	struct strv cargo = STRV_INIT;

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		const char *v = getenv(names[i]);

		strv_push_owned(parts, xasprintf("%s%s%s", names[i], v ? "=" : "", v ? v : ""));
	}
	/* Cargo's profile and build variables, in a stable order */
	for (char **e = environ; *e; e++) {
		if (!strncmp(*e, "CARGO_", 6) || !strncmp(*e, "RUSTC", 5)) {
			strv_push(&cargo, *e);
		}
	}
	strv_sort(&cargo);
	strv_extend(parts, &cargo);
	strv_release(&cargo);
}

struct memo_entry {
	char key[CACHE_KEY_LEN + 1];
	long long gz, xz;
};

struct cache_memo {
	pthread_mutex_t mu;
	struct memo_entry *v;
	size_t n, cap;
};

struct cache_memo *
cache_memo_new(void)
{
	struct cache_memo *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->mu, NULL);
	return m;
}

void
cache_memo_free(struct cache_memo *m)
{
	if (!m) {
		return;
	}
	pthread_mutex_destroy(&m->mu);
	free(m->v);
	free(m);
}

bool
cache_file_key(const char *path, char key[CACHE_KEY_LEN + 1])
{
	XXH3_state_t *st = hash_new();
	int rc = hash_file(st, path);

	hash_hex(XXH3_128bits_digest(st), key);
	XXH3_freeState(st);
	return rc == 0;
}

bool
cache_memo_get(struct cache_memo *m, const char *key, long long *gz, long long *xz)
{
	bool found = false;

	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->n && !found; i++) {
		if (!strcmp(m->v[i].key, key)) {
			*gz = m->v[i].gz;
			*xz = m->v[i].xz;
			found = true;
		}
	}
	pthread_mutex_unlock(&m->mu);
	return found;
}

void
cache_memo_put(struct cache_memo *m, const char *key, long long gz, long long xz)
{
	pthread_mutex_lock(&m->mu);
	m->v = xgrowarray(m->v, &m->cap, m->n + 1, sizeof(*m->v));
	snprintf(m->v[m->n].key, sizeof(m->v[m->n].key), "%s", key);
	m->v[m->n].gz = gz;
	m->v[m->n].xz = xz;
	m->n++;
	pthread_mutex_unlock(&m->mu);
}
