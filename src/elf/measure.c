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
#include "config/cross.h"
#include "elf/elffile.h"
#include "elf/regions.h"
#include "elf/size.h"
#include "os/spawn.h"
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

static void read_regions(const char *path, struct measure *m);

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
	if (!m->nregions) {
		read_regions(path, m);
	}
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
	if (!strncmp(metric, "region:", 7)) {
		const struct measure_region *r = measure_region(m, metric + 7);

		return r ? (long long)r->used : -1;
	}
	return -1;
}

char *
measure_strip_tool(const char *path, const char *prefix)
{
	/* the binutils of each machine's cross toolchains, in the order tried */
	static const struct {
		int machine;
		const char *strip[3];
	} cross[] = {
		{EM_ARM, {"arm-none-eabi-strip", "arm-linux-gnueabihf-strip", NULL}},
		{EM_RISCV, {"riscv64-unknown-elf-strip", "riscv64-linux-gnu-strip", NULL}},
		{EM_AARCH64, {"aarch64-linux-gnu-strip", "aarch64-none-elf-strip", NULL}},
	};
	struct elffile f;
	GElf_Ehdr eh;
	int machine = EM_NONE;
	char err[256];

	if (prefix) {
		return cross_tool(prefix, "strip");
	}
	if (elffile_open(&f, path, err, sizeof(err)) == ELFFILE_OK && gelf_getehdr(f.e, &eh)) {
		machine = eh.e_machine;
	}
	elffile_release(&f);
#if defined(__x86_64__)
	if (machine == EM_X86_64) {
		return xstrdup("strip");
	}
#endif
	for (size_t i = 0; i < sizeof(cross) / sizeof(*cross); i++) {
		for (size_t k = 0; cross[i].machine == machine && cross[i].strip[k]; k++) {
			char *found = spawn_which(cross[i].strip[k], NULL);

			if (found) {
				return found;
			}
		}
	}
	return xstrdup("strip");
}

const struct measure_region *
measure_region(const struct measure *m, const char *name)
{
	for (size_t i = 0; i < m->nregions; i++) {
		if (!strcmp(m->regions[i].name, name)) {
			return &m->regions[i];
		}
	}
	return NULL;
}

void
measure_add_region(struct measure *m, const char *name, unsigned long long origin,
		   unsigned long long length, unsigned long long used)
{
	struct measure_region *r;

	m->regions = xreallocarray(m->regions, m->nregions + 1, sizeof(*m->regions));
	r = &m->regions[m->nregions++];
	r->name = xstrdup(name);
	r->origin = origin;
	r->length = length;
	r->used = used;
}

void
measure_copy_regions(struct measure *m, const struct measure *src)
{
	for (size_t i = 0; i < src->nregions; i++) {
		const struct measure_region *r = &src->regions[i];

		measure_add_region(m, r->name, r->origin, r->length, r->used);
	}
}

/* The regions of the firmware link of path, from the map beside it (nothing for
 * a map without a Memory Configuration: a Linux program's). */
static void
read_regions(const char *path, struct measure *m)
{
	struct regions rs = REGIONS_INIT;
	char *map = size_map_beside(path);

	if (map && regions_read(&rs, map, NULL) == 0 && rs.n && regions_place(&rs, path) == 0) {
		for (size_t i = 0; i < rs.n; i++) {
			measure_add_region(m, rs.v[i].name, rs.v[i].origin, rs.v[i].length,
					   rs.v[i].used);
		}
	}
	regions_release(&rs);
	free(map);
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
	for (size_t i = 0; i < m->nregions; i++) {
		free(m->regions[i].name);
	}
	free(m->regions);
	m->regions = NULL;
	m->nregions = 0;
}
