/* fuzzutil.c: the files and directories the fuzz targets hand to ounce's readers. */
#define _GNU_SOURCE
#include "fuzzutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/log.h"

#define NSLOTS 4

static void
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0) {
			perror("fuzz: write");
			abort();
		}
		p += w;
		n -= (size_t)w;
	}
}

const char *
fuzz_memfile(int slot, const uint8_t *p, size_t n)
{
	static int fds[NSLOTS] = {-1, -1, -1, -1};
	static char paths[NSLOTS][64];

	if (slot < 0 || slot >= NSLOTS) {
		abort();
	}
	if (fds[slot] < 0) {
		fds[slot] = memfd_create("ounce-fuzz", MFD_CLOEXEC);
		if (fds[slot] < 0) {
			perror("fuzz: memfd_create");
			abort();
		}
		snprintf(paths[slot], sizeof(paths[slot]), "/proc/self/fd/%d", fds[slot]);
	}
	if (ftruncate(fds[slot], 0) < 0 || lseek(fds[slot], 0, SEEK_SET) < 0) {
		perror("fuzz: ftruncate");
		abort();
	}
	write_all(fds[slot], p, n);
	return paths[slot];
}

static char scratch[4096];

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
remove_scratch(void)
{
	if (scratch[0]) {
		nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	}
}

const char *
fuzz_scratch_dir(void)
{
	if (!scratch[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(scratch, sizeof(scratch), "%s/ounce-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(scratch)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(remove_scratch);
	}
	return scratch;
}

void
fuzz_write_file(const char *path, const uint8_t *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		perror(path);
		abort();
	}
	write_all(fd, p, n);
	close(fd);
}

char *
fuzz_cstring(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s) {
		abort();
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void
fuzz_quiet(void)
{
	/* error lines always print: the runners pass -close_fd_mask=2 for those */
	log_set_level(LOG_ERROR);
}
