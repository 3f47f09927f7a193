/* hash.c: files and bytes into xxh3 states, and digests as hex: what the result
 * cache's keys, the snapshot's tree hash and the shared LTO code generation's keys
 * are made of. */
#include "os/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "base/log.h"
#include "os/fsutil.h"
#include "base/banned.h"

XXH3_state_t *
hash_new(void)
{
	XXH3_state_t *st = XXH3_createState();

	if (!st) {
		die("out of memory");
	}
	XXH3_128bits_reset(st);
	return st;
}

void
hash_hex(XXH128_hash_t h, char out[HASH_HEX_LEN + 1])
{
	snprintf(out, HASH_HEX_LEN + 1, "%016llx%016llx", (unsigned long long)h.high64,
		 (unsigned long long)h.low64);
}

void
hash_bytes(void *ctx, const void *data, size_t n)
{
	XXH3_128bits_update(ctx, data, n);
}

int
hash_fd(XXH3_state_t *st, int fd)
{
	long long len;

	return fs_copy_fd(fd, -1, hash_bytes, st, &len);
}

int
hash_file(XXH3_state_t *st, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc, saved;

	if (fd < 0) {
		return -1;
	}
	rc = hash_fd(st, fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
