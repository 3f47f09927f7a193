/* iface.c: an artifact's run-time interface read the way the dynamic loader reads
 * it: program headers, the dynamic section, the dynamic symbol table (its size from
 * DT_HASH or DT_GNU_HASH) and the version tables, located by address through the
 * PT_LOAD segments. Section headers are never needed, so a stripped or sstripped
 * file reads the same as the file it was made from. */
#include "elf/iface.h"

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "elf/elffile.h"
#include "base/banned.h"

/* Symbols every link defines or the C runtime brings, not a program's API: their
 * presence follows the linker (lld exports none of _edata, _end, __bss_start). */
static const char *const runtime_names[] = {
    "_DYNAMIC",
    "_GLOBAL_OFFSET_TABLE_",
    "_IO_stdin_used",
    "_ITM_deregisterTMCloneTable",
    "_ITM_registerTMCloneTable",
    "__TMC_END__",
    "__bss_end__",
    "__bss_start",
    "__bss_start__",
    "__data_start",
    "__dso_handle",
    "__end__",
    "__gmon_start__",
    "__libc_csu_fini",
    "__libc_csu_init",
    "_bss_end__",
    "_edata",
    "_end",
    "_fini",
    "_fp_hw",
    "_init",
    "_start",
    "data_start",
};

static bool
runtime_name(const char *name)
{
	for (size_t i = 0; i < sizeof(runtime_names) / sizeof(*runtime_names); i++) {
		if (!strcmp(name, runtime_names[i])) {
			return true;
		}
	}
	return false;
}

struct reader {
	Elf *e;
	GElf_Phdr *load; /* the PT_LOAD headers */
	size_t nload;
	size_t file_size;
};

/* The file offset of address a and the bytes readable from there within its
 * segment; false when no PT_LOAD maps it from the file. */
static bool
offset_of(const struct reader *r, GElf_Addr a, size_t *off, size_t *avail)
{
	for (size_t i = 0; i < r->nload; i++) {
		const GElf_Phdr *p = &r->load[i];

		if (a >= p->p_vaddr && a - p->p_vaddr < p->p_filesz) {
			*off = (size_t)(p->p_offset + (a - p->p_vaddr));
			*avail = (size_t)(p->p_filesz - (a - p->p_vaddr));
			if (*off > r->file_size) {
				return false;
			}
			if (*avail > r->file_size - *off) {
				*avail = r->file_size - *off;
			}
			return true;
		}
	}
	return false;
}

/* size bytes at address a as libelf's type t, or NULL. */
static Elf_Data *
chunk(const struct reader *r, GElf_Addr a, size_t size, Elf_Type t)
{
	size_t off, avail;

	if (!size || !offset_of(r, a, &off, &avail) || size > avail) {
		return NULL;
	}
	return elf_getdata_rawchunk(r->e, (int64_t)off, size, t);
}

/* The number of dynamic symbols, from DT_HASH's nchain or by walking DT_GNU_HASH's
 * last chain; 0 when neither can be read. */
static size_t
count_symbols(const struct reader *r, GElf_Addr hash, GElf_Addr gnu_hash, int cls)
{
	Elf_Data *d;

	if (hash && (d = chunk(r, hash, 8, ELF_T_WORD))) {
		return ((const uint32_t *)d->d_buf)[1];
	}
	if (!gnu_hash || !(d = chunk(r, gnu_hash, 16, ELF_T_WORD))) {
		return 0;
	}
	const uint32_t *h = d->d_buf;
	uint32_t nbuckets = h[0], symoffset = h[1], bloom = h[2], max = 0;
	size_t word = cls == ELFCLASS64 ? 8 : 4;
	GElf_Addr buckets = gnu_hash + 16 + (GElf_Addr)bloom * word;
	GElf_Addr chains = buckets + (GElf_Addr)nbuckets * 4;
	size_t off, avail;

	if (!nbuckets || nbuckets > (1u << 24) ||
	    !(d = chunk(r, buckets, nbuckets * 4, ELF_T_WORD))) {
		return 0;
	}
	for (uint32_t i = 0; i < nbuckets; i++) {
		uint32_t b = ((const uint32_t *)d->d_buf)[i];

		max = b > max ? b : max;
	}
	if (max < symoffset) {
		return symoffset;
	}
	if (!offset_of(r, chains, &off, &avail) || avail < 4) {
		return 0;
	}
	avail -= avail % 4;
	if (!(d = chunk(r, chains, avail, ELF_T_WORD))) {
		return 0;
	}
	const uint32_t *chain = d->d_buf;
	size_t n = avail / 4;

	for (size_t i = max - symoffset; i < n; i++) {
		if (chain[i] & 1) {
			return symoffset + i + 1;
		}
	}
	return 0;
}

/* The version names the file defines, by index (names[ndx]); nnames entries. */
static void
read_verdef(const struct reader *r, GElf_Addr a, size_t count, const char *str, size_t strsz,
            const char ***names, size_t *nnames)
{
	size_t off, avail, pos = 0;
	Elf_Data *d;

	if (!a || !count || !offset_of(r, a, &off, &avail) ||
	    !(d = elf_getdata_rawchunk(r->e, (int64_t)off, avail, ELF_T_BYTE))) {
		return;
	}
	for (size_t i = 0; i < count; i++) {
		/* Elf32_Verdef and Elf64_Verdef are the same: 16- and 32-bit fields only;
		 * native byte order */
		Elf64_Verdef vd;
		Elf64_Verdaux va;

		if (pos + sizeof(vd) > avail) {
			return;
		}
		memcpy(&vd, (const char *)d->d_buf + pos, sizeof(vd));
		if (pos + vd.vd_aux + sizeof(va) > avail) {
			return;
		}
		memcpy(&va, (const char *)d->d_buf + pos + vd.vd_aux, sizeof(va));
		if (va.vda_name < strsz && vd.vd_ndx < 0x8000) {
			if (vd.vd_ndx >= *nnames) {
				*names =
				    xreallocarray(*names, (size_t)vd.vd_ndx + 1, sizeof(**names));
				for (size_t j = *nnames; j <= vd.vd_ndx; j++) {
					(*names)[j] = NULL;
				}
				*nnames = (size_t)vd.vd_ndx + 1;
			}
			(*names)[vd.vd_ndx] = str + va.vda_name;
		}
		if (!vd.vd_next) {
			return;
		}
		pos += vd.vd_next;
	}
}

/* Keep in *best the newest glibc release among the version names the file needs,
 * and mark in needed[] (nneeded entries) the version indexes that name them. */
static void
read_verneed(const struct reader *r, GElf_Addr a, size_t count, const char *str, size_t strsz,
             char **best, bool *needed, size_t nneeded)
{
	size_t off, avail, pos = 0;
	Elf_Data *d;

	if (!a || !count || !offset_of(r, a, &off, &avail) ||
	    !(d = elf_getdata_rawchunk(r->e, (int64_t)off, avail, ELF_T_BYTE))) {
		return;
	}
	for (size_t i = 0; i < count; i++) {
		/* Elf32_Verneed and Elf64_Verneed are the same: all 16- and 32-bit fields */
		Elf64_Verneed vn;
		size_t apos;

		if (pos + sizeof(vn) > avail) {
			return;
		}
		memcpy(&vn, (const char *)d->d_buf + pos, sizeof(vn));
		apos = pos + vn.vn_aux;
		for (size_t j = 0; j < vn.vn_cnt; j++) {
			Elf64_Vernaux va;
			char v[32];

			if (apos + sizeof(va) > avail) {
				return;
			}
			memcpy(&va, (const char *)d->d_buf + apos, sizeof(va));
			if ((va.vna_other & 0x7fff) < nneeded) {
				needed[va.vna_other & 0x7fff] = true;
			}
			if (va.vna_name < strsz &&
			    iface_glibc_version(str + va.vna_name, v, sizeof(v)) &&
			    (!*best || iface_version_cmp(v, *best) > 0)) {
				free(*best);
				*best = xstrdup(v);
			}
			if (!va.vna_next) {
				break;
			}
			apos += va.vna_next;
		}
		if (!vn.vn_next) {
			return;
		}
		pos += vn.vn_next;
	}
}

static int
read_dynamic(struct reader *r, const GElf_Phdr *dyn, struct iface *f)
{
	Elf_Data *d = elf_getdata_rawchunk(r->e, (int64_t)dyn->p_offset, dyn->p_filesz, ELF_T_DYN);
	GElf_Addr strtab = 0, symtab = 0, hash = 0, gnu_hash = 0, versym = 0, verdef = 0;
	GElf_Addr verneed = 0;
	size_t strsz = 0, syment = 0, verdefnum = 0, verneednum = 0, nsyms;
	GElf_Xword soname = (GElf_Xword)-1;
	struct strv needed_off = STRV_INIT;
	const char *str = NULL;
	const char **vnames = NULL;
	size_t nvnames = 0;
	int cls = gelf_getclass(r->e);
	GElf_Dyn dv;

	if (!d) {
		return -1;
	}
	for (int i = 0; gelf_getdyn(d, i, &dv) && dv.d_tag != DT_NULL; i++) {
		switch (dv.d_tag) {
		case DT_STRTAB:
			strtab = dv.d_un.d_ptr;
			break;
		case DT_STRSZ:
			strsz = dv.d_un.d_val;
			break;
		case DT_SYMTAB:
			symtab = dv.d_un.d_ptr;
			break;
		case DT_SYMENT:
			syment = dv.d_un.d_val;
			break;
		case DT_HASH:
			hash = dv.d_un.d_ptr;
			break;
		case DT_GNU_HASH:
			gnu_hash = dv.d_un.d_ptr;
			break;
		case DT_VERSYM:
			versym = dv.d_un.d_ptr;
			break;
		case DT_VERDEF:
			verdef = dv.d_un.d_ptr;
			break;
		case DT_VERDEFNUM:
			verdefnum = dv.d_un.d_val;
			break;
		case DT_VERNEED:
			verneed = dv.d_un.d_ptr;
			break;
		case DT_VERNEEDNUM:
			verneednum = dv.d_un.d_val;
			break;
		case DT_SONAME:
			soname = dv.d_un.d_val;
			break;
		case DT_NEEDED:
			strv_push_owned(&needed_off,
			                xasprintf("%llu", (unsigned long long)dv.d_un.d_val));
			break;
		default:
			break;
		}
	}
	Elf_Data *sd = strtab && strsz ? chunk(r, strtab, strsz, ELF_T_BYTE) : NULL;

	if (!sd) {
		strv_release(&needed_off);
		return strtab ? -1 : 0;
	}
	str = sd->d_buf;
	if (((const char *)sd->d_buf)[strsz - 1] != '\0') {
		strv_release(&needed_off);
		return -1;
	}
	if (soname < strsz) {
		f->soname = xstrdup(str + soname);
	}
	for (size_t i = 0; i < needed_off.n; i++) {
		unsigned long long o = strtoull(needed_off.v[i], NULL, 10);

		if (o < strsz) {
			strv_push(&f->needed, str + o);
		}
	}
	strv_release(&needed_off);
	read_verdef(r, verdef, verdefnum, str, strsz, &vnames, &nvnames);
	/* version indexes are 15 bits */
	bool *vneeded = xcalloc(0x8000, sizeof(*vneeded));

	read_verneed(r, verneed, verneednum, str, strsz, &f->glibc, vneeded, 0x8000);

	nsyms = count_symbols(r, hash, gnu_hash, cls);
	if (!syment) {
		syment = cls == ELFCLASS64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	}
	Elf_Data *syms = nsyms && symtab ? chunk(r, symtab, nsyms * syment, ELF_T_SYM) : NULL;
	Elf_Data *vs = syms && versym ? chunk(r, versym, nsyms * 2, ELF_T_HALF) : NULL;

	for (size_t i = 1; syms && i < nsyms; i++) {
		GElf_Sym s;
		unsigned bind, vis, type;
		const char *name, *ver = NULL;

		if (!gelf_getsym(syms, (int)i, &s) || s.st_shndx == SHN_UNDEF ||
		    s.st_name >= strsz) {
			continue;
		}
		bind = GELF_ST_BIND(s.st_info);
		vis = GELF_ST_VISIBILITY(s.st_other);
		type = GELF_ST_TYPE(s.st_info);
		name = str + s.st_name;
		if ((bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE) ||
		    (vis != STV_DEFAULT && vis != STV_PROTECTED) || type == STT_SECTION ||
		    type == STT_FILE || !*name || runtime_name(name)) {
			continue;
		}
		if (vs) {
			unsigned ndx = ((const uint16_t *)vs->d_buf)[i] & 0x7fff;

			if (ndx >= 2 && vneeded[ndx]) {
				/* defined here by a copy relocation (stdin, environ...): a
				 * library's symbol, not the file's own */
				continue;
			}
			if (ndx >= 2 && ndx < nvnames) {
				ver = vnames[ndx];
			}
			if (ver && !strcmp(ver, name)) {
				/* the version of the file itself (its SONAME) */
				ver = NULL;
			}
		}
		strv_push_owned(&f->exports, ver ? xasprintf("%s@%s", name, ver) : xstrdup(name));
	}
	free(vnames);
	free(vneeded);
	strv_sort(&f->exports);
	return 0;
}

int
iface_read(const char *path, struct iface *f, char *err, size_t errlen)
{
	struct reader r = {0};
	struct elffile file;
	int rc = -1;
	GElf_Ehdr eh;
	GElf_Phdr dyn = {0};
	bool have_dyn = false;
	size_t n;

	if (elffile_open(&file, path, err, errlen) != ELFFILE_OK) {
		goto out;
	}
	r.e = file.e;
	r.file_size = (size_t)file.bytes;
	eh = file.eh;
	f->kind = eh.e_type == ET_EXEC  ? "executable"
	          : eh.e_type == ET_DYN ? "shared-library"
	                                : "object";
	if (elf_getphdrnum(r.e, &n) != 0) {
		snprintf(err, errlen, "'%s': cannot read program headers: %s", path,
		         elf_errmsg(-1));
		goto out;
	}
	r.load = xcalloc(n + 1, sizeof(*r.load));
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(r.e, (int)i, &ph)) {
			continue;
		}
		if (ph.p_type == PT_LOAD) {
			r.load[r.nload++] = ph;
		} else if (ph.p_type == PT_DYNAMIC) {
			dyn = ph;
			have_dyn = true;
		} else if (ph.p_type == PT_INTERP && ph.p_filesz && ph.p_filesz < 4096) {
			Elf_Data *d = elf_getdata_rawchunk(r.e, (int64_t)ph.p_offset, ph.p_filesz,
			                                   ELF_T_BYTE);

			if (d) {
				free(f->interp);
				f->interp = xstrndup(d->d_buf, ph.p_filesz);
			}
		}
	}
	if (f->interp && eh.e_type == ET_DYN) {
		/* a position-independent executable */
		f->kind = "executable";
	}
	f->dynamic = have_dyn;
	if (have_dyn && read_dynamic(&r, &dyn, f) < 0) {
		snprintf(err, errlen, "'%s': cannot read its dynamic section", path);
		goto out;
	}
	rc = 0;
out:
	free(r.load);
	elffile_release(&file);
	if (rc < 0) {
		iface_release(f);
	}
	return rc;
}

bool
iface_glibc_version(const char *name, char *out, size_t n)
{
	/* version tags glibc added for an ABI feature, and the release that added it */
	static const char *const tags[][2] = {
	    {"GLIBC_ABI_DT_RELR", "2.36"},
	};
	const char *v;

	for (size_t i = 0; i < sizeof(tags) / sizeof(*tags); i++) {
		if (!strcmp(name, tags[i][0])) {
			snprintf(out, n, "%s", tags[i][1]);
			return true;
		}
	}
	if (strncmp(name, "GLIBC_", 6)) {
		return false;
	}
	v = name + 6;
	if (!(*v >= '0' && *v <= '9') || strspn(v, "0123456789.") != strlen(v)) {
		return false;
	}
	snprintf(out, n, "%s", v);
	return true;
}

int
iface_version_cmp(const char *a, const char *b)
{
	for (;;) {
		char *ea, *eb;
		unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);

		if (x != y) {
			return x < y ? -1 : 1;
		}
		if (*ea != '.' && *eb != '.') {
			return 0;
		}
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
	}
}

void
iface_release(struct iface *f)
{
	strv_release(&f->exports);
	strv_release(&f->needed);
	free(f->soname);
	free(f->interp);
	free(f->glibc);
	f->soname = f->interp = f->glibc = NULL;
}
