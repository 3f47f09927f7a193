/* os_linux.c: /proc and sysconf lookups, and where ounce's data files live. */
#define _GNU_SOURCE
#include "os_linux.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "mem.h"
#include "banned.h"

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

int
os_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
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

char *
os_data_dir(void)
{
	const char *env = getenv("OUNCE_DATADIR");
	char *self, *cand;

	if (env && *env) {
		if (!has_data(env)) {
			error("OUNCE_DATADIR '%s' has no profiles/ and recipes/", env);
			return NULL;
		}
		return xstrdup(env);
	}
	self = os_self_exe();
	if (self) {
		char *slash = strrchr(self, '/');

		if (slash) {
			*slash = '\0';
		}
		cand = xasprintf("%s/../share/ounce", self);
		free(self);
		if (has_data(cand)) {
			return cand;
		}
		free(cand);
	}
	if (has_data(OUNCE_SOURCE_DATADIR)) {
		return xstrdup(OUNCE_SOURCE_DATADIR);
	}
	error("cannot find ounce's profiles/ and recipes/ (set OUNCE_DATADIR)");
	return NULL;
}
