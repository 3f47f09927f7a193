/* elffile.h: the one way elf/ opens an ELF file with libelf: a regular file
 * only, its ELF header read; what kind of file it is; its symbol table. */
#ifndef OUNCE_ELFFILE_H
#define OUNCE_ELFFILE_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>

struct elffile {
	int fd;			/* -1 when not open */
	Elf *e;			/* NULL when not open */
	GElf_Ehdr eh;		/* read when elffile_open returned ELFFILE_OK */
	long long bytes;	/* the file's size, -1 until it could be read */
};
#define ELFFILE_INIT {.fd = -1, .bytes = -1}

/* Why elffile_open failed, for a caller that words a failure its own way. */
enum elffile_status {
	ELFFILE_OK,
	ELFFILE_NO_LIBELF,	/* "libelf is unusable: MSG" */
	ELFFILE_CANNOT_OPEN,	/* "cannot open 'PATH': STRERROR" */
	ELFFILE_NOT_REGULAR,	/* "cannot read 'PATH': not a regular file" (bytes set) */
	ELFFILE_NOT_ELF,	/* "'PATH' is not an ELF file" (bytes set) */
};

/* Open path with libelf: O_RDONLY | O_CLOEXEC, never blocking on a FIFO, a regular
 * file only, an ELF file whose header is read into f->eh. Returns ELFFILE_OK, or
 * the failure with its message (quoted above) in err (size errlen; err may be NULL
 * when errlen is 0); f needs elffile_release either way. */
enum elffile_status elffile_open(struct elffile *f, const char *path, char *err, size_t errlen);
/* End f's libelf descriptor and close its file; f is ELFFILE_INIT again. */
void elffile_release(struct elffile *f);

enum elffile_kind {
	ELFFILE_OTHER,		/* an object file, a core file... */
	ELFFILE_EXECUTABLE,	/* ET_EXEC */
	ELFFILE_PIE,		/* ET_DYN with a PT_INTERP program header */
	ELFFILE_SHARED_LIBRARY,	/* ET_DYN without one */
};
/* What the open file f is. *interp (may be NULL): whether it has a PT_INTERP
 * program header (a static executable has none), whatever its type. */
enum elffile_kind elffile_kind(const struct elffile *f, bool *interp);

/* A symbol table of an open file; its pointers live as long as the file. */
struct elffile_symtab {
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *data;		/* NULL when it cannot be read (elf_errmsg says why) */
	size_t count;		/* entries, the null entry 0 included; 0 when sh_entsize is 0 */
	bool dynamic;		/* .dynsym (elffile_symtab picks it for a file stripped of .symtab) */
};
/* f's symbol table into t: .symtab, else .dynsym. Returns false when it has
 * neither (t is then zeroed). */
bool elffile_symtab(const struct elffile *f, struct elffile_symtab *t);
/* The next symbol table of f, .symtab or .dynsym, whose entries can be read: the
 * first when t->scn is NULL (t zeroed), else the one after t->scn. Returns false
 * after the last (t is then zeroed). For a reader of both tables. */
bool elffile_next_symtab(const struct elffile *f, struct elffile_symtab *t);
/* Symbol i of t into sym, and its name (NULL when it has none readable) into
 * *name when name is not NULL. Returns false when entry i cannot be read. */
bool elffile_symbol(const struct elffile *f, const struct elffile_symtab *t, size_t i,
		    GElf_Sym *sym, const char **name);

#endif
