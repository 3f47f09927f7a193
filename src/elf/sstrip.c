/* sstrip.c: cut an ELF executable down to what the loader reads: the headers
 * are read with libelf from an image in memory, the ELF header is patched through
 * libelf's translation (so a file of the other byte order or class is handled
 * too), and the result replaces the file by rename. */
#define _GNU_SOURCE /* mkostemp */
#include "elf/sstrip.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/mem.h"
#include "os/fsutil.h"
#include "base/banned.h"

/* The end of the last byte a header or segment of e needs, in a file of len
 * bytes; 0 with a message in err when e is unfit. */
static unsigned long long
image_end(Elf *e, const GElf_Ehdr *eh, size_t len, char *err, size_t errlen)
{
	unsigned long long end, size = len;
	size_t phnum;

	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		snprintf(err, errlen, "not an executable or shared library (ELF type %u%s)",
			 (unsigned)eh->e_type, eh->e_type == ET_REL ? ": an object file" : "");
		return 0;
	}
	if (elf_getphdrnum(e, &phnum) != 0) {
		snprintf(err, errlen, "malformed program headers: %s", elf_errmsg(-1));
		return 0;
	}
	if (phnum == 0) {
		snprintf(err, errlen, "no program headers: nothing says which bytes to keep");
		return 0;
	}
	end = eh->e_ehsize;
	if (eh->e_phoff > size || (unsigned long long)phnum * eh->e_phentsize > size - eh->e_phoff) {
		snprintf(err, errlen, "truncated: the program headers end past the file's %llu "
			 "bytes", size);
		return 0;
	}
	if (eh->e_phoff + (unsigned long long)phnum * eh->e_phentsize > end) {
		end = eh->e_phoff + (unsigned long long)phnum * eh->e_phentsize;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			snprintf(err, errlen, "bad program header %zu: %s", i, elf_errmsg(-1));
			return 0;
		}
		if (ph.p_filesz == 0) {
			continue;
		}
		if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset) {
			snprintf(err, errlen, "truncated: segment %zu ends past the file's %llu "
				 "bytes (offset %llu, %llu bytes)", i, size,
				 (unsigned long long)ph.p_offset, (unsigned long long)ph.p_filesz);
			return 0;
		}
		if (ph.p_offset + ph.p_filesz > end) {
			end = ph.p_offset + ph.p_filesz;
		}
	}
	return end;
}

/* Write eh into the first bytes of data in the file's class and byte order. */
static int
put_ehdr(unsigned char *data, size_t len, int cls, unsigned encoding, const GElf_Ehdr *eh)
{
	Elf32_Ehdr e32;
	Elf_Data src = {0}, dst = {0};

	src.d_type = ELF_T_EHDR;
	src.d_version = EV_CURRENT;
	dst.d_buf = data;
	dst.d_version = EV_CURRENT;
	if (cls == ELFCLASS64) {
		src.d_buf = (void *)eh;
		src.d_size = sizeof(Elf64_Ehdr);
		dst.d_size = len;
		return elf64_xlatetof(&dst, &src, encoding) ? 0 : -1;
	}
	memcpy(e32.e_ident, eh->e_ident, EI_NIDENT);
	e32.e_type = eh->e_type;
	e32.e_machine = eh->e_machine;
	e32.e_version = (Elf32_Word)eh->e_version;
	e32.e_entry = (Elf32_Addr)eh->e_entry;
	e32.e_phoff = (Elf32_Off)eh->e_phoff;
	e32.e_shoff = (Elf32_Off)eh->e_shoff;
	e32.e_flags = eh->e_flags;
	e32.e_ehsize = eh->e_ehsize;
	e32.e_phentsize = eh->e_phentsize;
	e32.e_phnum = eh->e_phnum;
	e32.e_shentsize = eh->e_shentsize;
	e32.e_shnum = eh->e_shnum;
	e32.e_shstrndx = eh->e_shstrndx;
	src.d_buf = &e32;
	src.d_size = sizeof(e32);
	dst.d_size = len;
	return elf32_xlatetof(&dst, &src, encoding) ? 0 : -1;
}

int
sstrip_image(unsigned char *data, size_t len, size_t *newlen, char *err, size_t errlen)
{
	Elf *e;
	GElf_Ehdr eh;
	unsigned long long end = 0;
	int cls = ELFCLASSNONE;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf is unusable: %s", elf_errmsg(-1));
		return -1;
	}
	e = elf_memory((char *)data, len);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		snprintf(err, errlen, "not an ELF file%s", len == 0 ? " (it is empty)" : "");
	} else if ((cls = gelf_getclass(e)) != ELFCLASS32 && cls != ELFCLASS64) {
		snprintf(err, errlen, "not an ELF file (unknown class %d)", cls);
	} else if (eh.e_ehsize != (cls == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
		snprintf(err, errlen, "malformed ELF header (e_ehsize %u)", (unsigned)eh.e_ehsize);
	} else {
		end = image_end(e, &eh, len, err, errlen);
	}
	if (e) {
		elf_end(e);
	}
	if (end == 0) {
		return -1;
	}
	/* e_shentsize stays: with no entries it describes nothing, and readers
	 * check it against the class only when there are some */
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = SHN_UNDEF;
	if (put_ehdr(data, len, cls, eh.e_ident[EI_DATA], &eh) < 0) {
		snprintf(err, errlen, "cannot write the ELF header: %s", elf_errmsg(-1));
		return -1;
	}
	*newlen = (size_t)end;
	return 0;
}

/* Append the rest of the file at fd to b; 0, or -1 with errno set. */
static int
read_all(int fd, struct buf *b)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		buf_add(b, chunk, (size_t)n);
	}
	return 0;
}

/* Replace path by the len bytes at data through a temporary file beside it,
 * with mode; 0 or -1 after reporting. */
static int
replace(const char *path, const unsigned char *data, size_t len, mode_t mode)
{
	char *tmp = xasprintf("%s.sstripXXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0) {
		error_errno("cannot create a file beside '%s'", path);
		free(tmp);
		return -1;
	}
	if (fchmod(fd, mode) < 0 || fs_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		error_errno("cannot write '%s'", tmp);
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		error_errno("cannot write '%s'", tmp);
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		error_errno("cannot rename '%s' to '%s'", tmp, path);
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return -1;
}

enum sstrip_status
sstrip_file(const char *path, long long *before, long long *after)
{
	struct buf b = BUF_INIT;
	struct stat st;
	char err[512], head[sizeof(Elf64_Ehdr)], *real = realpath(path, NULL);
	size_t keep = 0;
	enum sstrip_status rc = SSTRIP_BAD_FILE;
	/* O_NONBLOCK: a FIFO is refused below, not waited on (no effect on a file) */
	int fd = real ? open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;

	if (fd < 0 || fstat(fd, &st) < 0) {
		error_errno("cannot open '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error("'%s' is not a regular file", path);
		goto out;
	}
	if (read_all(fd, &b) < 0) {
		error_errno("cannot read '%s'", path);
		rc = SSTRIP_FAILED;
		goto out;
	}
	if (b.len) {
		memcpy(head, b.s, b.len < sizeof(head) ? b.len : sizeof(head));
	}
	if (sstrip_image((unsigned char *)b.s, b.len, &keep, err, sizeof(err)) < 0) {
		error("'%s': %s", path, err);
		goto out;
	}
	if (before) {
		*before = (long long)b.len;
	}
	if (after) {
		*after = (long long)keep;
	}
	rc = SSTRIP_DONE;
	/* a file with nothing to remove (sstripped before) is left alone: same
	 * inode, same time */
	if (keep == b.len && !memcmp(head, b.s, sizeof(head) < b.len ? sizeof(head) : b.len)) {
		goto out;
	}
	if (replace(real, (const unsigned char *)b.s, keep, st.st_mode & 07777) < 0) {
		rc = SSTRIP_FAILED;
	}
out:
	if (fd >= 0) {
		close(fd);
	}
	buf_release(&b);
	free(real);
	return rc;
}
