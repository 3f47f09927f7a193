/* hash.h: the one content hash of ounce (xxh3, 128 bits, from libxxhash): of files,
 * of trees as they are copied, and of keys, written as 32 hex digits. */
#ifndef OUNCE_HASH_H
#define OUNCE_HASH_H

#include <stddef.h>
#include <xxhash.h>

#define HASH_HEX_LEN 32

/* A fresh 128-bit state (exits on out-of-memory); free it with XXH3_freeState. */
XXH3_state_t *hash_new(void);
/* h as HASH_HEX_LEN lowercase hex digits, high half first. */
void hash_hex(XXH128_hash_t h, char out[HASH_HEX_LEN + 1]);
/* The fs_bytes_fn that adds each run of bytes to the XXH3_state_t ctx. */
void hash_bytes(void *ctx, const void *data, size_t n);
/* Add every byte of the open regular file fd, from its start to its end (a hole
 * as its zeros), to st. Returns 0 or -1 with errno set. */
int hash_fd(XXH3_state_t *st, int fd);
/* The same for the file at path. Returns 0 or -1 with errno set. */
int hash_file(XXH3_state_t *st, const char *path);

#endif
