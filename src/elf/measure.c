/* measure.c: every size ounce reports comes from here, read from the file:
 * section headers through libelf (elfutils), compressed sizes through zlib and
 * liblzma, never estimated. */
#include "elf/measure.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <gelf.h>
#include <libelf.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "elf/elffile.h"
#include "base/banned.h"

static void
add_section(struct measure *m, const char *name, unsigned long long bytes)
{
	for (size_t i = 0; i < m->nsections; i++) {
		if (!strcmp(m->sections[i].name, name)) {
			m->sections[i].bytes += bytes;
			return;
		}
	}
	m->sections = xreallocarray(m->sections, m->nsections + 1, sizeof(*m->sections));
	m->sections[m->nsections].name = xstrdup(name);
	m->sections[m->nsections].bytes = bytes;
	m->nsections++;
}

int
measure_elf(const char *path, struct measure *m, char *err, size_t errlen)
{
	struct elffile f;
	int rc = -1;
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	enum elffile_status status = elffile_open(&f, path, err, errlen);

	if (f.bytes >= 0) {
		m->bytes = f.bytes;
	}
	if (status != ELFFILE_OK) {
		goto out;
	}
	e = f.e;
	size_t nsh = 0, nph = 0;

	if (elf_getshdrnum(e, &nsh) == 0 && nsh == 0 && elf_getphdrnum(e, &nph) == 0 && nph) {
		/* no section headers (sstrip): what the segments load is all there is
		 * to count; RAM is the writable segments' memory */
		m->no_sections = true;
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD) {
				m->flash += ph.p_filesz;
				if (ph.p_flags & PF_W) {
					m->ram += ph.p_memsz;
				}
			}
		}
		rc = 0;
		goto out;
	}
	if (elf_getshdrstrndx(e, &shstrndx) != 0) {
		snprintf(err, errlen, "'%s': cannot read section names: %s", path, elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh)) {
			snprintf(err, errlen, "'%s': bad section header: %s", path, elf_errmsg(-1));
			goto out;
		}
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || !*name || sh.sh_type == SHT_NULL) {
			continue;
		}
		add_section(m, name, sh.sh_size);
		if (sh.sh_flags & SHF_ALLOC) {
			if (sh.sh_type != SHT_NOBITS) {
				m->flash += sh.sh_size;
			}
			if (sh.sh_flags & SHF_WRITE) {
				m->ram += sh.sh_size;
			}
		}
	}
	rc = 0;
out:
	elffile_release(&f);
	return rc;
}

bool
measure_defines(const char *path, const char *name)
{
	struct elffile f;
	struct elffile_symtab t = {0};
	bool found = false;

	/* .symtab and .dynsym both, not elffile_symtab's one of them */
	if (elffile_open(&f, path, NULL, 0) == ELFFILE_OK) {
		while (!found && elffile_next_symtab(&f, &t)) {
			for (size_t i = 1; i < t.count && !found; i++) {
				GElf_Sym sym;
				const char *n;

				found = elffile_symbol(&f, &t, i, &sym, &n) &&
					sym.st_shndx != SHN_UNDEF && n && !strcmp(n, name);
			}
		}
	}
	elffile_release(&f);
	return found;
}

unsigned long long
measure_section(const struct measure *m, const char *name)
{
	for (size_t i = 0; i < m->nsections; i++) {
		if (!strcmp(m->sections[i].name, name)) {
			return m->sections[i].bytes;
		}
	}
	return 0;
}

long long
measure_gzip_size(const unsigned char *data, size_t len, size_t chunk)
{
	z_stream z;
	unsigned char out[65536];
	long long size = 0;
	int r;

	/* zlib counts its input in uInt (32 bits): a file over 4 GiB goes in pieces */
	if (!chunk || chunk > UINT_MAX) {
		chunk = UINT_MAX;
	}
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip wrapper, as gzip -9 writes (less its file name) */
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
		return -1;
	}
	z.next_in = (unsigned char *)data;
	do {
		size_t n = len < chunk ? len : chunk;

		if (!z.avail_in) {
			z.avail_in = (uInt)n;
			len -= n;
		}
		z.next_out = out;
		z.avail_out = sizeof(out);
		r = deflate(&z, len || z.avail_in ? Z_NO_FLUSH : Z_FINISH);
		size += (long long)(sizeof(out) - z.avail_out);
	} while (r == Z_OK || r == Z_BUF_ERROR);
	deflateEnd(&z);
	return r == Z_STREAM_END ? size : -1;
}

/* Streamed, as the xz command writes it (a one-shot buffer encode stores sizes
 * in the block header and comes out a few bytes longer than `xz -9`). */
static long long
xz_size(const unsigned char *data, size_t len)
{
	lzma_stream z = LZMA_STREAM_INIT;
	unsigned char out[65536];
	long long size = 0;
	lzma_ret r;

	lzma_options_lzma opt;
	lzma_filter filters[2] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
	uint32_t dict = 4096;

	if (lzma_lzma_preset(&opt, 9)) {
		return -1;
	}
	/* no larger a dictionary than the input, as xz itself does for a file of
	 * known size: the output is the same, the 64 MiB preset's set-up is not
	 * (most of the time of measuring a small binary) */
	while (dict < len && dict < opt.dict_size) {
		dict *= 2;
	}
	if (dict < opt.dict_size) {
		opt.dict_size = dict;
	}
	if (lzma_stream_encoder(&z, filters, LZMA_CHECK_CRC64) != LZMA_OK) {
		return -1;
	}
	z.next_in = data;
	z.avail_in = len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		r = lzma_code(&z, LZMA_FINISH);
		size += (long long)(sizeof(out) - z.avail_out);
	} while (r == LZMA_OK);
	lzma_end(&z);
	return r == LZMA_STREAM_END ? size : -1;
}

int
measure_compressed(const char *path, long long *gz, long long *xz, char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			buf_release(&b);
			return -1;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	*gz = measure_gzip_size((const unsigned char *)buf_str(&b), b.len, 0);
	*xz = xz_size((const unsigned char *)buf_str(&b), b.len);
	buf_release(&b);
	if (*gz < 0 || *xz < 0) {
		snprintf(err, errlen, "cannot compress '%s'", path);
		return -1;
	}
	return 0;
}

/* What path is; ELFFILE_OTHER too when it cannot be read. */
static enum elffile_kind
kind_of(const char *path)
{
	struct elffile f;
	enum elffile_kind k = ELFFILE_OTHER;

	if (elffile_open(&f, path, NULL, 0) == ELFFILE_OK) {
		k = elffile_kind(&f, NULL);
	}
	elffile_release(&f);
	return k;
}

int
measure_is_executable(const char *path)
{
	enum elffile_kind k = kind_of(path);

	return k == ELFFILE_EXECUTABLE || k == ELFFILE_PIE;
}

int
measure_is_shared_library(const char *path)
{
	return kind_of(path) == ELFFILE_SHARED_LIBRARY;
}

long long
measure_metric(const struct measure *m, const char *metric)
{
	if (!strcmp(metric, "file")) {
		return m->bytes;
	}
	if (!strcmp(metric, "stripped")) {
		return m->stripped_bytes;
	}
	if (!strcmp(metric, "xz")) {
		return m->xz_bytes;
	}
	if (!strcmp(metric, "gz")) {
		return m->gz_bytes;
	}
	if (!strcmp(metric, "flash")) {
		return (long long)m->flash;
	}
	if (!strcmp(metric, "ram")) {
		return (long long)m->ram;
	}
	return -1;
}

void
measure_release(struct measure *m)
{
	for (size_t i = 0; i < m->nsections; i++) {
		free(m->sections[i].name);
	}
	free(m->sections);
	m->sections = NULL;
	m->nsections = 0;
}
