/* test_hash.c: the one content hash: a file hashes as its bytes do in memory (a
 * hole as its zeros), digests print as 32 hex digits, a missing file is -1. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/mem.h"
#include "os/hash.h"
#include "testutil.h"

static void
test_hash_hex_is_32_digits_high_half_first(void **state)
{
	XXH128_hash_t h = {.low64 = 0x1ULL, .high64 = 0xabcdef0123456789ULL};
	char hex[HASH_HEX_LEN + 1];

	(void)state;
	hash_hex(h, hex);
	assert_string_equal(hex, "abcdef01234567890000000000000001");
}

/* A file with a hole in the middle hashes as the same bytes written out. */
static void
test_hash_file_equals_hash_of_its_bytes(void **state)
{
	struct tu_tmp *t = *state;
	size_t len = 3 * 65536 + 17;
	char *bytes = xcalloc(len, 1);
	char *path = xasprintf("%s/sparse", t->dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	XXH3_state_t *st = hash_new();
	char want[HASH_HEX_LEN + 1], got[HASH_HEX_LEN + 1];

	memcpy(bytes, "head", 4);
	memcpy(bytes + len - 4, "tail", 4);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "head", 4, 0), 4);
	assert_int_equal(pwrite(fd, "tail", 4, (off_t)len - 4), 4);
	close(fd);

	hash_hex(XXH3_128bits(bytes, len), want);
	assert_int_equal(hash_file(st, path), 0);
	hash_hex(XXH3_128bits_digest(st), got);
	assert_string_equal(got, want);

	XXH3_freeState(st);
	free(path);
	free(bytes);
}

static void
test_hash_file_missing_is_an_error(void **state)
{
	struct tu_tmp *t = *state;
	char *path = xasprintf("%s/none", t->dir);
	XXH3_state_t *st = hash_new();

	assert_int_equal(hash_file(st, path), -1);
	assert_int_equal(errno, ENOENT);
	XXH3_freeState(st);
	free(path);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_hex_is_32_digits_high_half_first),
		T(test_hash_file_equals_hash_of_its_bytes),
		T(test_hash_file_missing_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
