/* os_linux.c: /proc and sysconf lookups, and where ounce's data files live. */
#define _GNU_SOURCE
#include "os/os_linux.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "os/fsutil.h"
#include "base/banned.h"

#ifndef OUNCE_SOURCE_DATADIR
#define OUNCE_SOURCE_DATADIR "."
#endif

char *
os_self_exe(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (n < 0) {
		error_errno("cannot find the ounce executable through /proc/self/exe");
		return NULL;
	}
	path[n] = '\0';
	return xstrdup(path);
}

/* The first line of a small file into buf (size bytes); false when there is none. */
static bool
read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f) {
		return false;
	}
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	return ok;
}

/* A decimal number that is all of s but a trailing newline; false otherwise. */
static bool
parse_ull(const char *s, const char *stop, unsigned long long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s)) {
		return false;
	}
	*v = strtoull(s, &end, 10);
	return strchr(stop, *end) != NULL;
}

/* CPUs for a quota of quota microseconds each period: rounded up, so a share of
 * one still gets one job. */
static int
cpus_of(unsigned long long quota, unsigned long long period)
{
	unsigned long long n = quota / period + (quota % period != 0);

	return n > INT_MAX ? INT_MAX : (int)n;
}

int
os_cpu_max_parse(const char *s)
{
	unsigned long long quota, period;

	if (!strncmp(s, "max", 3) && (s[3] == ' ' || s[3] == '\n' || !s[3])) {
		return 0;
	}
	if (!parse_ull(s, " ", &quota)) {
		return -1;
	}
	s = strchr(s, ' ') + 1;
	if (!parse_ull(s, "\n", &period) || !period || !quota) {
		return -1;
	}
	return cpus_of(quota, period);
}

/* The smaller of limit and what dir's cgroup allows (0: no limit). */
static int
cgroup_dir_limit(const char *dir, bool v2, int limit)
{
	char line[128], *path;
	int n = 0;

	if (v2) {
		path = xasprintf("%s/cpu.max", dir);
		if (read_line(path, line, sizeof(line))) {
			n = os_cpu_max_parse(line);
		}
	} else {
		unsigned long long quota, period;
		char *p2 = xasprintf("%s/cpu.cfs_period_us", dir);

		path = xasprintf("%s/cpu.cfs_quota_us", dir);
		/* a quota of -1 is none */
		if (read_line(path, line, sizeof(line)) && parse_ull(line, "\n", &quota) &&
		    read_line(p2, line, sizeof(line)) && parse_ull(line, "\n", &period) && quota &&
		    period) {
			n = cpus_of(quota, period);
		}
		free(p2);
	}
	free(path);
	return n > 0 && (!limit || n < limit) ? n : limit;
}

/* The smallest limit of the cgroup at rel under the hierarchy mounted at mount
 * and of its ancestors (each caps its descendants), or limit when smaller. */
static int
cgroup_limit(const char *mount, const char *rel, bool v2, int limit)
{
	char *dir = xasprintf("%s%s", mount, strcmp(rel, "/") ? rel : "");
	size_t root = strlen(mount);

	if (strstr(rel, "/..")) {
		free(dir);
		return limit;
	}
	for (;;) {
		char *slash;

		limit = cgroup_dir_limit(dir, v2, limit);
		slash = strrchr(dir, '/');
		if (strlen(dir) <= root || !slash || (size_t)(slash - dir) < root) {
			break;
		}
		*slash = '\0';
	}
	free(dir);
	return limit;
}

/* Is item one of the words of the comma-separated list? */
static bool
has_item(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *s = list; *s; s += strcspn(s, ","), s += *s == ',') {
		if (!strncmp(s, item, n) && (s[n] == ',' || !s[n])) {
			return true;
		}
	}
	return false;
}

int
os_cgroup_cpus(const char *sysfs, const char *proc_cgroup)
{
	FILE *f = fopen(proc_cgroup, "re");
	char line[4096];
	int limit = 0;

	if (!f) {
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *rel = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!rel) {
			continue;
		}
		*ctl++ = '\0';
		*rel++ = '\0';
		rel[strcspn(rel, "\n")] = '\0';
		if (*rel != '/') {
			continue;
		}
		if (!strcmp(line, "0") && !*ctl) {
			/* v2: mounted at the root, or at unified/ beside v1's */
			char *uni = xasprintf("%s/unified", sysfs);

			limit = cgroup_limit(sysfs, rel, true, limit);
			limit = cgroup_limit(uni, rel, true, limit);
			free(uni);
			continue;
		}
		if (has_item(ctl, "cpu")) {
			static const char *const names[] = {"cpu", "cpu,cpuacct", "cpuacct,cpu"};

			for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
				char *mount = xasprintf("%s/%s", sysfs, names[i]);

				limit = cgroup_limit(mount, rel, false, limit);
				free(mount);
			}
		}
	}
	fclose(f);
	return limit;
}

int
os_ncpu(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int n = online > 0 ? (int)online : 1, limit;

	/* the CPUs this process may run on (taskset, a container's cpuset) */
	for (int size = 1024; size <= 1 << 20; size *= 2) {
		cpu_set_t *set = CPU_ALLOC((size_t)size);
		size_t bytes = CPU_ALLOC_SIZE((size_t)size);
		int rc;

		if (!set) {
			break;
		}
		rc = sched_getaffinity(0, bytes, set);
		if (rc == 0) {
			int count = CPU_COUNT_S(bytes, set);

			if (count > 0) {
				n = count;
			}
		}
		CPU_FREE(set);
		if (rc == 0 || errno != EINVAL) {
			break;
		}
	}
	/* and the time its cgroup may use (a container's --cpus) */
	limit = os_cgroup_cpus("/sys/fs/cgroup", "/proc/self/cgroup");
	if (limit > 0 && limit < n) {
		n = limit;
	}
	return n;
}

static int
has_data(const char *dir)
{
	char *p = xasprintf("%s/profiles", dir), *q = xasprintf("%s/recipes", dir);
	int ok = fs_exists(p) && fs_exists(q);

	free(p);
	free(q);
	return ok;
}

/* dir (a configured install directory) relative to prefix: dir itself when
 * relative, the rest of it when it is under the prefix, else NULL (an absolute
 * directory elsewhere, which does not move with the prefix). */
static const char *
prefix_relative(const char *prefix, const char *dir)
{
	size_t n = strlen(prefix);

	while (n > 0 && prefix[n - 1] == '/') {
		n--; /* a prefix of / */
	}
	if (dir[0] != '/') {
		return dir;
	}
	if (!strncmp(dir, prefix, n) && dir[n] == '/') {
		return dir + n + 1;
	}
	return NULL;
}

char *
os_install_path_for(const char *exe_dir, const char *prefix, const char *bindir,
		    const char *dir, const char *sub)
{
	const char *rel = prefix_relative(prefix, dir), *bin = prefix_relative(prefix, bindir);
	size_t n = strlen(exe_dir), nb = bin ? strlen(bin) : 0;

	if (!rel) {
		return xasprintf("%s/%s", dir, sub);
	}
	/* the prefix ounce runs from: its directory without the configured bindir
	 * (/usr/bin -> /usr; DESTDIR/usr/local/bin -> DESTDIR/usr/local), so an
	 * installed tree works wherever it is copied; else the directory above */
	if (bin && nb > 0 && n > nb && !strcmp(exe_dir + n - nb, bin) &&
	    exe_dir[n - nb - 1] == '/') {
		return xasprintf("%.*s/%s/%s", (int)(n - nb - 1), exe_dir, rel, sub);
	}
	return xasprintf("%s/../%s/%s", exe_dir, rel, sub);
}

char *
os_install_path(const char *dir, const char *sub)
{
	char *self = os_self_exe(), *slash = self ? strrchr(self, '/') : NULL, *path;

	if (!slash) {
		free(self);
		return NULL;
	}
	*slash = '\0';
	path = os_install_path_for(self, OUNCE_INSTALL_PREFIX, OUNCE_INSTALL_BINDIR, dir, sub);
	free(self);
	return path;
}

char *
os_data_dir(void)
{
	const char *env = getenv("OUNCE_DATADIR");
	char *cand;

	if (env && *env) {
		if (!has_data(env)) {
			error("OUNCE_DATADIR '%s' has no profiles/ and recipes/", env);
			return NULL;
		}
		debug("profiles and recipes from '%s' ($OUNCE_DATADIR)", env);
		return xstrdup(env);
	}
	cand = os_install_path(OUNCE_INSTALL_DATADIR, "ounce");
	if (cand && has_data(cand)) {
		debug("profiles and recipes from '%s' (installed)", cand);
		return cand;
	}
	free(cand);
	if (has_data(OUNCE_SOURCE_DATADIR)) {
		debug("profiles and recipes from '%s' (the source tree)", OUNCE_SOURCE_DATADIR);
		return xstrdup(OUNCE_SOURCE_DATADIR);
	}
	error("cannot find ounce's profiles/ and recipes/ (set OUNCE_DATADIR)");
	return NULL;
}
