/* fuzzutil.h: what the libFuzzer targets share: the input as a file the readers
 * can open by path (a memfd, no disk writes), and a scratch directory for the
 * readers that look for files by name. */
#ifndef OUNCE_FUZZUTIL_H
#define OUNCE_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Replace the contents of memfd number slot (0-3) with the n bytes at p; returns
 * its path (/proc/self/fd/N), owned by the helper, valid until the next call for
 * the same slot. Aborts when the memfd cannot be made or written. */
const char *fuzz_memfile(int slot, const uint8_t *p, size_t n);
/* A directory made once per process under TMPDIR and removed at exit. */
const char *fuzz_scratch_dir(void);
/* Write the n bytes at p to path (creating or truncating it); aborts on failure. */
void fuzz_write_file(const char *path, const uint8_t *p, size_t n);
/* The n bytes at p as a NUL-terminated string the caller frees. */
char *fuzz_cstring(const uint8_t *p, size_t n);
/* Quiet ounce's warnings and info lines (expected on bad input). */
void fuzz_quiet(void);

#endif
