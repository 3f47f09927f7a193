/* elffile.c: opening an ELF file for the readers of elf/ (size, measure, advise,
 * component, iface): the checks every one of them made before its own work,
 * the executable / PIE / shared library question, and the symbol table. */
#include "elf/elffile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/banned.h"

enum elffile_status
elffile_open(struct elffile *f, const char *path, char *err, size_t errlen)
{
	struct stat st;

	*f = (struct elffile)ELFFILE_INIT;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(err, errlen, "libelf is unusable: %s", elf_errmsg(-1));
		return ELFFILE_NO_LIBELF;
	}
	/* O_NONBLOCK: a FIFO is refused below, not waited on; on a regular file it
	 * changes nothing, so it stays */
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->fd < 0 || fstat(f->fd, &st) < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return ELFFILE_CANNOT_OPEN;
	}
	f->bytes = (long long)st.st_size;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read '%s': not a regular file", path);
		return ELFFILE_NOT_REGULAR;
	}
	f->e = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->e || elf_kind(f->e) != ELF_K_ELF || !gelf_getehdr(f->e, &f->eh)) {
		snprintf(err, errlen, "'%s' is not an ELF file", path);
		return ELFFILE_NOT_ELF;
	}
	return ELFFILE_OK;
}

void
elffile_release(struct elffile *f)
{
	if (f->e) {
		elf_end(f->e);
	}
	if (f->fd >= 0) {
		close(f->fd);
	}
	*f = (struct elffile)ELFFILE_INIT;
}

enum elffile_kind
elffile_kind(const struct elffile *f, bool *interp)
{
	bool has_interp = false;
	size_t n;

	if (elf_getphdrnum(f->e, &n) == 0) {
		for (size_t i = 0; i < n && !has_interp; i++) {
			GElf_Phdr ph;

			has_interp = gelf_getphdr(f->e, (int)i, &ph) && ph.p_type == PT_INTERP;
		}
	}
	if (interp) {
		*interp = has_interp;
	}
	if (f->eh.e_type == ET_EXEC) {
		return ELFFILE_EXECUTABLE;
	}
	if (f->eh.e_type == ET_DYN) {
		return has_interp ? ELFFILE_PIE : ELFFILE_SHARED_LIBRARY;
	}
	return ELFFILE_OTHER;
}

bool
elffile_symtab(const struct elffile *f, struct elffile_symtab *t)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	GElf_Shdr sh;

	memset(t, 0, sizeof(*t));
	while ((scn = elf_nextscn(f->e, scn))) {
		if (!gelf_getshdr(scn, &sh)) {
			continue;
		}
		if (sh.sh_type == SHT_SYMTAB) {
			break;
		}
		if (sh.sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
		}
	}
	if (!scn) {
		scn = dyn;
	}
	if (!scn || !gelf_getshdr(scn, &t->sh)) {
		memset(t, 0, sizeof(*t));
		return false;
	}
	t->scn = scn;
	t->dynamic = t->sh.sh_type == SHT_DYNSYM;
	t->count = t->sh.sh_entsize ? t->sh.sh_size / t->sh.sh_entsize : 0;
	t->data = elf_getdata(scn, NULL);
	return true;
}

bool
elffile_next_symtab(const struct elffile *f, struct elffile_symtab *t)
{
	Elf_Scn *scn = t->scn;

	while ((scn = elf_nextscn(f->e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL))) {
			continue;
		}
		t->scn = scn;
		t->sh = sh;
		t->data = d;
		t->count = sh.sh_size / sh.sh_entsize;
		t->dynamic = sh.sh_type == SHT_DYNSYM;
		return true;
	}
	memset(t, 0, sizeof(*t));
	return false;
}

bool
elffile_symbol(const struct elffile *f, const struct elffile_symtab *t, size_t i, GElf_Sym *sym,
	       const char **name)
{
	if (!t->data || i > INT_MAX || !gelf_getsym(t->data, (int)i, sym)) {
		return false;
	}
	if (name) {
		*name = elf_strptr(f->e, t->sh.sh_link, sym->st_name);
	}
	return true;
}
