/* fs/binfmt_elf.c - reading ELF files, and the kernel's ELF loader.
 *
 * Mirrors fs/binfmt_elf.c (6.x): load_elf_binary maps the program's PT_LOAD segments with
 * elf_map/elf_load (a private file mapping each, the bss tail zeroed by padzero and the rest
 * of the bss as anonymous memory from vm_brk_flags), places a PIE at ELF_ET_DYN_BASE and a
 * static PIE in the mmap area, loads the PT_INTERP interpreter top-down (load_elf_interp),
 * sets the break just above the bss (a static PIE's at ELF_ET_DYN_BASE), maps the vDSO
 * (arch_setup_additional_pages) and builds the initial stack (create_elf_tables: platform
 * string, 16 AT_RANDOM bytes, argc, argv, envp and the auxiliary vector, with real bytes).
 *
 * Reading ELF files is shared with the dynamic loader model (sim/ldso.c): elf_open checks the
 * header and program headers with the kernel's rules (or glibc's open_verify rules for a
 * shared library), elf_read_dynamic reads the dynamic section. Every field is checked before
 * use: a malformed file gets a one-line reason (exec_fail) and an errno, never a crash.
 * Reads go through the page cache (filemap_read), as kernel_read does.
 *
 * Simplifications: ELF64 x86-64 only (no compat 32-bit loader, no binfmt_script "#!", no
 * binfmt_misc); every check that Linux makes while mapping, after the point of no return
 * (where it kills the process with SIGSEGV), is made here before it, so a bad file fails
 * the exec with the old address space intact; no PT_GNU_PROPERTY (CET/IBT) handling, no
 * MMAP_PAGE_ZERO personality, no setuid.
 */
#include <limits.h>
#include <stdlib.h>

#include "fs/binfmt_elf.h"

/* The CPU model's values for the auxiliary vector (an x86-64-v4 machine like the one the
 * host comparison was made on; see docs/simplifications.md). */
#define VMLAB_HWCAP 0x1f8bfbffull  /* CPUID.1:EDX */
#define VMLAB_HWCAP2 0x2ull        /* HWCAP2_FSGSBASE */
#define VMLAB_MINSIGSTKSZ 11952ull /* signal frame size with AVX-512 state */
#define ELF_PLATFORM "x86_64"

enum { ELF_KIND_EXEC, ELF_KIND_INTERP, ELF_KIND_LIB };

/* ---- reading and checking ------------------------------------------------------------------ */

/* elf_read: exactly len bytes at pos through the page cache; -EIO when the file is shorter. */
static int elf_read(struct vmlab *m, struct elf_file *ef, void *buf, uint64_t len, uint64_t pos)
{
	int64_t n;

	if (pos > ef->size || len > ef->size - pos)
		return -EIO;
	n = filemap_read(m, ef->file, buf, len, pos);
	if (n < 0)
		return (int)n;
	return (uint64_t)n == len ? 0 : -EIO;
}

/* The file offset of virtual address v of the file's image (inside a PT_LOAD's file part),
 * or UINT64_MAX. */
static uint64_t vaddr_to_offset(const struct elf_file *ef, uint64_t v, uint64_t len)
{
	int i;

	for (i = 0; i < ef->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &ef->phdr[i];

		if (ph->p_type == PT_LOAD && v >= ph->p_vaddr && v - ph->p_vaddr < ph->p_filesz &&
		    len <= ph->p_filesz - (v - ph->p_vaddr))
			return ph->p_offset + (v - ph->p_vaddr);
	}
	return UINT64_MAX;
}

static const char *class_name(unsigned c)
{
	return c == ELFCLASS32 ? "ELFCLASS32" : c == ELFCLASS64 ? "ELFCLASS64" : "ELFCLASSNONE";
}

/* The errno a bad file gives: the program ENOEXEC, its interpreter ELIBBAD (as
 * load_elf_binary returns for it), a shared library ELIBBAD (ld.so cannot map it). */
static int bad(int kind)
{
	return kind == ELF_KIND_EXEC ? -ENOEXEC : -ELIBBAD;
}

/* The ELF header: magic, class, byte order, type, machine, program header size and count. */
static int check_header(struct vmlab *m, struct elf_file *ef, int kind)
{
	const Elf64_Ehdr *eh = &ef->ehdr;
	const char *n = ef->name;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		if (kind == ELF_KIND_EXEC && ef->size >= 2 && eh->e_ident[0] == '#' &&
		    eh->e_ident[1] == '!')
			return exec_fail(m, -ENOEXEC, "%s: a script (#!): vmlab execs ELF programs only", n);
		if (kind == ELF_KIND_LIB)
			return exec_fail(m, -ELIBBAD, "%s: invalid ELF header", n);
		return exec_fail(m, bad(kind), "%s: not an ELF file (no \\x7fELF magic)", n);
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return exec_fail(m, bad(kind), "%s: wrong ELF class: %s (vmlab loads 64-bit x86-64 only)",
				 n, class_name(eh->e_ident[EI_CLASS]));
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return exec_fail(m, bad(kind), "%s: not little-endian (EI_DATA %u)", n,
				 eh->e_ident[EI_DATA]);
	if (ef->size < sizeof(Elf64_Ehdr))
		return exec_fail(m, bad(kind), "%s: truncated ELF header (%llu bytes, 64 needed)", n,
				 (unsigned long long)ef->size);
	if (kind == ELF_KIND_LIB && (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT))
		return exec_fail(m, -ELIBBAD, "%s: ELF file version does not match current one", n);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return exec_fail(m, bad(kind), "%s: e_type %u is neither ET_EXEC nor ET_DYN", n, eh->e_type);
	if (kind == ELF_KIND_LIB && eh->e_type != ET_DYN)
		return exec_fail(m, -ELIBBAD, "%s: cannot dynamically load executable", n);
	if (eh->e_machine != EM_X86_64)
		return exec_fail(m, bad(kind), "%s: e_machine %u is not x86-64 (%u)", n, eh->e_machine,
				 EM_X86_64);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return exec_fail(m, bad(kind), "%s: e_phentsize %u, not %zu", n, eh->e_phentsize,
				 sizeof(Elf64_Phdr));
	/* load_elf_phdrs: at most 64 KiB and one page of program headers (ld.so: 64 KiB) */
	if (!eh->e_phnum || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) >
				    (kind == ELF_KIND_LIB ? 65536 : ELF_MIN_ALIGN))
		return exec_fail(m, bad(kind), "%s: bad number of program headers (%u)", n, eh->e_phnum);
	if (eh->e_phoff > ef->size || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > ef->size - eh->e_phoff)
		return exec_fail(m, bad(kind), "%s: truncated: the program headers (offset %llu, %u "
					       "entries) run past the end of the file (%llu bytes)",
				 n, (unsigned long long)eh->e_phoff, eh->e_phnum,
				 (unsigned long long)ef->size);
	return 0;
}

/* Scans the PT_NOTE segments for the GNU ABI tag that glibc's crt1 puts in every program. */
static int has_abi_tag(struct vmlab *m, struct elf_file *ef, const Elf64_Phdr *ph)
{
	uint8_t buf[1024];
	uint64_t len = MIN(ph->p_filesz, (uint64_t)sizeof(buf)), off = 0;

	if (elf_read(m, ef, buf, len, ph->p_offset))
		return 0;
	while (off + 12 <= len) {
		uint32_t namesz, descsz, type;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		off += 12;
		if (namesz > len || descsz > len)
			return 0;
		if (type == NT_GNU_ABI_TAG && namesz == 4 && off + 4 <= len && !memcmp(buf + off, "GNU", 4))
			return 1;
		off += ((uint64_t)namesz + 3) / 4 * 4 + ((uint64_t)descsz + 3) / 4 * 4;
	}
	return 0;
}

/* The program headers, checked as load_elf_binary / load_elf_interp would find them while
 * mapping (or as _dl_map_object_from_fd does for a library). */
static int check_phdrs(struct vmlab *m, struct elf_file *ef, int kind)
{
	const char *n = ef->name;
	int i;

	ef->exec_stack = EXSTACK_DEFAULT;
	for (i = 0; i < ef->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &ef->phdr[i];

		switch (ph->p_type) {
		case PT_LOAD:
			ef->nload++;
			/* load_elf_binary: EINVAL ("set_brk can never work"); load_elf_interp: ENOMEM */
			if (ph->p_filesz > ph->p_memsz)
				return exec_fail(m, kind == ELF_KIND_EXEC ? -EINVAL
						 : kind == ELF_KIND_INTERP ? -ENOMEM : -ELIBBAD,
						 "%s: PT_LOAD %d has p_filesz 0x%llx above p_memsz 0x%llx", n, i,
						 (unsigned long long)ph->p_filesz,
						 (unsigned long long)ph->p_memsz);
			if (ph->p_vaddr >= TASK_SIZE_MAX || ph->p_memsz > TASK_SIZE_MAX ||
			    TASK_SIZE_MAX - ph->p_memsz < ph->p_vaddr)
				return exec_fail(m, kind == ELF_KIND_EXEC ? -EINVAL
						 : kind == ELF_KIND_INTERP ? -ENOMEM : -ELIBBAD,
						 "%s: PT_LOAD %d (0x%llx, 0x%llx bytes) does not fit in user space",
						 n, i, (unsigned long long)ph->p_vaddr,
						 (unsigned long long)ph->p_memsz);
			if (ELF_PAGEOFFSET(ph->p_vaddr) != ELF_PAGEOFFSET(ph->p_offset))
				return exec_fail(m, kind == ELF_KIND_LIB ? -ELIBBAD : -EINVAL,
						 "%s: PT_LOAD %d: ELF load command address/offset not "
						 "page-aligned (p_vaddr 0x%llx, p_offset 0x%llx)", n, i,
						 (unsigned long long)ph->p_vaddr,
						 (unsigned long long)ph->p_offset);
			if (ph->p_offset > UINT64_MAX - ph->p_filesz)
				return exec_fail(m, bad(kind), "%s: PT_LOAD %d: p_offset + p_filesz overflows",
						 n, i);
			if (kind == ELF_KIND_LIB && (ph->p_align & (PAGE_SIZE - 1)))
				return exec_fail(m, -ELIBBAD,
						 "%s: ELF load command alignment not page-aligned", n);
			if (kind != ELF_KIND_LIB && ef->ehdr.e_type == ET_EXEC &&
			    ELF_PAGESTART(ph->p_vaddr) < MMAP_MIN_ADDR)
				return exec_fail(m, kind == ELF_KIND_EXEC ? -EPERM : -ELIBBAD,
						 "%s: PT_LOAD %d at 0x%llx lies below mmap_min_addr (0x%llx)",
						 n, i, (unsigned long long)ph->p_vaddr,
						 (unsigned long long)MMAP_MIN_ADDR);
			break;
		case PT_INTERP:
			if (!ef->interp)
				ef->interp = ph;
			break;
		case PT_DYNAMIC:
			if (!ef->dynamic)
				ef->dynamic = ph;
			break;
		case PT_TLS:
			if (!ef->tls)
				ef->tls = ph;
			break;
		case PT_GNU_RELRO:
			if (!ef->relro)
				ef->relro = ph;
			break;
		case PT_GNU_STACK:
			ef->exec_stack = (ph->p_flags & PF_X) ? EXSTACK_ENABLE_X : EXSTACK_DISABLE_X;
			break;
		case PT_NOTE:
			if (!ef->glibc)
				ef->glibc = has_abi_tag(m, ef, ph);
			break;
		default:
			break;
		}
	}
	if (!ef->nload) {
		if (kind == ELF_KIND_LIB)
			return exec_fail(m, -ELIBBAD, "%s: object file has no loadable segments", n);
		return exec_fail(m, ef->ehdr.e_type == ET_DYN ? -EINVAL : bad(kind),
				 "%s: no PT_LOAD segment", n);
	}
	if (kind == ELF_KIND_LIB && !ef->dynamic)
		return exec_fail(m, -ELIBBAD, "%s: object file has no dynamic section", n);
	if (ef->tls && (ef->tls->p_filesz > ef->tls->p_memsz ||
			(ef->tls->p_align & (ef->tls->p_align - 1)) || ef->tls->p_memsz > (1ull << 30)))
		return exec_fail(m, bad(kind), "%s: bad PT_TLS segment", n);
	if (ef->interp && kind == ELF_KIND_EXEC) {
		const Elf64_Phdr *ph = ef->interp;
		int err;

		if (ph->p_filesz > PATH_MAX || ph->p_filesz < 2)
			return exec_fail(m, -ENOEXEC, "%s: PT_INTERP of %llu bytes", n,
					 (unsigned long long)ph->p_filesz);
		ef->interp_path = malloc(ph->p_filesz);
		if (!ef->interp_path)
			return exec_fail(m, -ENOMEM, "%s: out of memory", n);
		err = elf_read(m, ef, ef->interp_path, ph->p_filesz, ph->p_offset);
		if (err)
			return exec_fail(m, err, "%s: truncated: PT_INTERP runs past the end of the file", n);
		if (ef->interp_path[ph->p_filesz - 1] != '\0')
			return exec_fail(m, -ENOEXEC, "%s: PT_INTERP is not NUL-terminated", n);
		if (strlen(ef->interp_path) + 1 > ELF_PATH_MAX)
			return exec_fail(m, -ENAMETOOLONG, "%s: PT_INTERP path too long", n);
	}
	return 0;
}

void elf_close(struct vmlab *m, struct elf_file *ef)
{
	int i;

	if (!ef)
		return;
	if (ef->file)
		file_put(m, ef->file);
	free(ef->phdr);
	free(ef->interp_path);
	for (i = 0; ef->needed && i < ef->nneeded; i++)
		free(ef->needed[i]);
	free(ef->needed);
	free(ef->soname);
	free(ef->runpath);
	free(ef->rpath);
	free(ef->strtab);
	free(ef);
}

/* open_exec + the checks of load_elf_binary (kind EXEC: the program; INTERP: its
 * interpreter) or of ld.so's open_verify (LIB). On success *out is an open, checked file. */
static int elf_open_kind(struct vmlab *m, const char *path, int kind, struct elf_file **out)
{
	struct elf_file *ef;
	uint64_t hdr = kind == ELF_KIND_LIB ? 832 : 256; /* ld.so's first read; BINPRM_BUF_SIZE */
	uint8_t buf[832];
	int64_t got;
	int err;

	*out = NULL;
	if (strlen(path) + 1 > ELF_PATH_MAX)
		return exec_fail(m, -ENAMETOOLONG, "%s: file name too long", path);
	ef = calloc(1, sizeof(*ef));
	if (!ef)
		return exec_fail(m, -ENOMEM, "%s: out of memory", path);
	snprintf(ef->name, sizeof(ef->name), "%s", path);
	err = exec_open(m, path, kind != ELF_KIND_LIB, &ef->file);
	if (err) {
		free(ef);
		if (kind == ELF_KIND_LIB)
			return err; /* the search goes on (or reports the missing library) */
		return exec_fail(m, err, "%s: %s", path,
				 err == -ENOENT ? "No such file or directory"
				 : err == -EACCES ? "Permission denied (not a regular executable file)"
						  : strerror(-err));
	}
	ef->size = ef->file->f_inode->i_size;
	/* prepare_binprm: the first bytes, the rest of the buffer zero when the file is short */
	memset(buf, 0, sizeof(buf));
	got = filemap_read(m, ef->file, buf, hdr, 0);
	if (got < 0) {
		err = exec_fail(m, (int)got, "%s: cannot read it", path);
		goto fail;
	}
	memcpy(&ef->ehdr, buf, sizeof(ef->ehdr));
	err = check_header(m, ef, kind);
	if (err)
		goto fail;
	ef->phdr = malloc((size_t)ef->ehdr.e_phnum * sizeof(Elf64_Phdr));
	if (!ef->phdr) {
		err = exec_fail(m, -ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	err = elf_read(m, ef, ef->phdr, (uint64_t)ef->ehdr.e_phnum * sizeof(Elf64_Phdr),
		       ef->ehdr.e_phoff);
	if (err) {
		err = exec_fail(m, bad(kind), "%s: cannot read the program headers", path);
		goto fail;
	}
	err = check_phdrs(m, ef, kind);
	if (err)
		goto fail;
	*out = ef;
	return 0;
fail:
	elf_close(m, ef);
	return err;
}

int elf_open_exec(struct vmlab *m, const char *path, struct elf_file **out)
{
	return elf_open_kind(m, path, ELF_KIND_EXEC, out);
}

int elf_open_interp(struct vmlab *m, const char *path, struct elf_file **out)
{
	return elf_open_kind(m, path, ELF_KIND_INTERP, out);
}

int elf_open_lib(struct vmlab *m, const char *path, struct elf_file **out)
{
	return elf_open_kind(m, path, ELF_KIND_LIB, out);
}

/* ---- the dynamic section (for ld.so) --------------------------------------------------------- */

#define DYN_MAX_ENTRIES 4096        /* more than any real object has */
#define STRTAB_MAX (16ull << 20)
#define VER_MAX_ENTRIES 65536

static char *dup_str(struct vmlab *m, struct elf_file *ef, const char *strtab, uint64_t strsz,
		     uint64_t off, const char *what, int *err)
{
	const char *s;
	char *r;

	if (off >= strsz || !memchr(strtab + off, 0, strsz - off)) {
		*err = exec_fail(m, -ELIBBAD, "%s: %s string at %llu lies outside the string table",
				 ef->name, what, (unsigned long long)off);
		return NULL;
	}
	s = strtab + off;
	r = strdup(s);
	if (!r)
		*err = exec_fail(m, -ENOMEM, "%s: out of memory", ef->name);
	return r;
}

/* The highest version index of the DT_VERNEED chain (vna_other) or the DT_VERDEF chain
 * (vd_ndx), as _dl_check_map_versions computes it; each entry is read through the page cache
 * and bounded by the file. */
static int version_high(struct vmlab *m, struct elf_file *ef, uint64_t verneed, uint64_t verdef,
			unsigned *high)
{
	uint64_t off;
	int n;

	*high = 0;
	if (verneed) {
		off = vaddr_to_offset(ef, verneed, 16);
		for (n = 0; n < VER_MAX_ENTRIES; n++) {
			Elf64_Verneed vn;
			uint64_t aux;
			int k;

			if (off == UINT64_MAX || elf_read(m, ef, &vn, sizeof(vn), off))
				return exec_fail(m, -ELIBBAD, "%s: bad version needed section", ef->name);
			aux = off + vn.vn_aux;
			for (k = 0; k < VER_MAX_ENTRIES; k++) {
				Elf64_Vernaux va;

				if (aux < off || elf_read(m, ef, &va, sizeof(va), aux))
					return exec_fail(m, -ELIBBAD, "%s: bad version needed section",
							 ef->name);
				if ((va.vna_other & 0x7fffu) > *high)
					*high = va.vna_other & 0x7fffu;
				if (!va.vna_next)
					break;
				aux += va.vna_next;
			}
			if (!vn.vn_next)
				break;
			off += vn.vn_next;
		}
	}
	if (verdef) {
		off = vaddr_to_offset(ef, verdef, 20);
		for (n = 0; n < VER_MAX_ENTRIES; n++) {
			Elf64_Verdef vd;

			if (off == UINT64_MAX || elf_read(m, ef, &vd, sizeof(vd), off))
				return exec_fail(m, -ELIBBAD, "%s: bad version definition section", ef->name);
			if ((vd.vd_ndx & 0x7fffu) > *high)
				*high = vd.vd_ndx & 0x7fffu;
			if (!vd.vd_next)
				break;
			off += vd.vd_next;
		}
	}
	return 0;
}

int elf_read_dynamic(struct vmlab *m, struct elf_file *ef)
{
	const Elf64_Phdr *ph = ef->dynamic;
	uint64_t n, i, strtab = 0, strsz = 0, verneed = 0, verdef = 0, strofs;
	uint64_t soname = UINT64_MAX, runpath = UINT64_MAX, rpath = UINT64_MAX;
	Elf64_Dyn *dyn = NULL;
	char *str = NULL;
	int err = 0, k, nneeded = 0;

	if (!ph)
		return 0; /* nothing dynamic (a static program) */
	n = MIN(ph->p_filesz / sizeof(Elf64_Dyn), (uint64_t)DYN_MAX_ENTRIES);
	if (!n)
		return exec_fail(m, -ELIBBAD, "%s: empty dynamic section", ef->name);
	dyn = malloc(n * sizeof(*dyn));
	if (!dyn)
		return exec_fail(m, -ENOMEM, "%s: out of memory", ef->name);
	if (elf_read(m, ef, dyn, n * sizeof(*dyn), ph->p_offset)) {
		err = exec_fail(m, -ELIBBAD, "%s: the dynamic section lies outside the file", ef->name);
		goto out;
	}
	for (i = 0; i < n && dyn[i].d_tag != DT_NULL; i++) {
		switch (dyn[i].d_tag) {
		case DT_NEEDED: nneeded++; break;
		case DT_STRTAB: strtab = dyn[i].d_un.d_ptr; break;
		case DT_STRSZ: strsz = dyn[i].d_un.d_val; break;
		case DT_SONAME: soname = dyn[i].d_un.d_val; break;
		case DT_RUNPATH: runpath = dyn[i].d_un.d_val; break;
		case DT_RPATH: rpath = dyn[i].d_un.d_val; break;
		case DT_FLAGS_1:
			ef->flags_1 = dyn[i].d_un.d_val;
			ef->bind_now |= (ef->flags_1 & DF_1_NOW) != 0;
			break;
		case DT_FLAGS: ef->bind_now |= (dyn[i].d_un.d_val & DF_BIND_NOW) != 0; break;
		case DT_BIND_NOW: ef->bind_now = 1; break;
		case DT_SYMTAB: ef->symtab = dyn[i].d_un.d_ptr; break;
		case DT_GNU_HASH: ef->gnu_hash = dyn[i].d_un.d_ptr; break;
		case DT_HASH: ef->hash = dyn[i].d_un.d_ptr; break;
		case DT_RELA: ef->rela = dyn[i].d_un.d_ptr; break;
		case DT_RELASZ: ef->relasz = dyn[i].d_un.d_val; break;
		case DT_JMPREL: ef->jmprel = dyn[i].d_un.d_ptr; break;
		case DT_PLTRELSZ: ef->pltrelsz = dyn[i].d_un.d_val; break;
		case DT_VERNEED: verneed = dyn[i].d_un.d_ptr; break;
		case DT_VERDEF: verdef = dyn[i].d_un.d_ptr; break;
		default: break;
		}
	}
	n = i;
	if (nneeded || soname != UINT64_MAX || runpath != UINT64_MAX || rpath != UINT64_MAX ||
	    (strtab && strsz)) {
		if (!strtab || !strsz || strsz > STRTAB_MAX ||
		    (strofs = vaddr_to_offset(ef, strtab, strsz)) == UINT64_MAX) {
			err = exec_fail(m, -ELIBBAD, "%s: no usable string table (DT_STRTAB/DT_STRSZ)",
					ef->name);
			goto out;
		}
		str = malloc(strsz);
		if (!str) {
			err = exec_fail(m, -ENOMEM, "%s: out of memory", ef->name);
			goto out;
		}
		if (elf_read(m, ef, str, strsz, strofs)) {
			err = exec_fail(m, -ELIBBAD, "%s: the string table lies outside the file", ef->name);
			goto out;
		}
	}
	ef->needed = calloc((size_t)nneeded + 1, sizeof(char *));
	if (!ef->needed) {
		err = exec_fail(m, -ENOMEM, "%s: out of memory", ef->name);
		goto out;
	}
	/* nneeded counts the names copied so far: elf_close frees exactly those */
	for (i = 0, k = 0; i < n; i++)
		if (dyn[i].d_tag == DT_NEEDED) {
			if (!(ef->needed[k] = dup_str(m, ef, str, strsz, dyn[i].d_un.d_val, "DT_NEEDED", &err)))
				goto out;
			ef->nneeded = ++k;
		}
	if (soname != UINT64_MAX && !(ef->soname = dup_str(m, ef, str, strsz, soname, "DT_SONAME", &err)))
		goto out;
	if (runpath != UINT64_MAX &&
	    !(ef->runpath = dup_str(m, ef, str, strsz, runpath, "DT_RUNPATH", &err)))
		goto out;
	if (rpath != UINT64_MAX && !(ef->rpath = dup_str(m, ef, str, strsz, rpath, "DT_RPATH", &err)))
		goto out;
	err = version_high(m, ef, verneed, verdef, &ef->ver_high);
	ef->strtab = str; /* kept for the symbol names */
	ef->strsz = strsz;
	str = NULL;
out:
	free(dyn);
	free(str);
	return err;
}

int elf_read_vaddr(struct vmlab *m, struct elf_file *ef, uint64_t vaddr, void *buf, uint64_t len)
{
	uint64_t off = vaddr_to_offset(ef, vaddr, len);

	return off == UINT64_MAX ? -EIO : elf_read(m, ef, buf, len, off);
}

/* ---- the kernel's loader --------------------------------------------------------------------- */

static int make_prot(uint32_t p_flags)
{
	return ((p_flags & PF_R) ? VMLAB_PROT_READ : 0) | ((p_flags & PF_W) ? VMLAB_PROT_WRITE : 0) |
	       ((p_flags & PF_X) ? VMLAB_PROT_EXEC : 0);
}

/* total_mapping_size: from the first PT_LOAD's page to the end of the highest one. */
static uint64_t total_mapping_size(const struct elf_file *ef)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	int i;

	for (i = 0; i < ef->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &ef->phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		lo = MIN(lo, ELF_PAGESTART(ph->p_vaddr));
		hi = MAX(hi, ph->p_vaddr + ph->p_memsz);
	}
	return lo == UINT64_MAX ? 0 : hi - lo;
}

/* maximum_alignment: the largest power-of-two p_align of the PT_LOADs, at least a page. */
static uint64_t maximum_alignment(const struct elf_file *ef)
{
	uint64_t a = 0;
	int i;

	for (i = 0; i < ef->ehdr.e_phnum; i++) {
		uint64_t p = ef->phdr[i].p_align;

		if (ef->phdr[i].p_type == PT_LOAD && p && !(p & (p - 1)))
			a = MAX(a, p);
	}
	return ELF_PAGEALIGN(a);
}

/* A user address (0 .. TASK_SIZE), or an error: BAD_ADDR. */
static int bad_addr(uint64_t a)
{
	return a >= TASK_SIZE_MAX;
}

/* elf_map: one private file mapping of the segment's file part at addr; with total_size the
 * whole image is mapped first and the part past this segment unmapped again (so that the
 * image gets room for all its segments). Returns the address or sets *err. */
static uint64_t elf_map(struct vmlab *m, struct task_struct *t, struct elf_file *ef, uint64_t addr,
			const Elf64_Phdr *ph, int prot, int flags, uint64_t total_size, int *err)
{
	uint64_t size = ELF_PAGEALIGN(ph->p_filesz + ELF_PAGEOFFSET(ph->p_vaddr));
	uint64_t off = ph->p_offset - ELF_PAGEOFFSET(ph->p_vaddr), map_addr = 0;

	addr = ELF_PAGESTART(addr);
	if (!size)
		return addr;
	if (total_size) {
		total_size = ELF_PAGEALIGN(total_size);
		*err = do_mmap(m, t, addr, total_size, prot, flags, ef->file, off >> PAGE_SHIFT, &map_addr);
		if (!*err && total_size > size)
			do_munmap(m, t->mm, map_addr + size, total_size - size);
	} else {
		*err = do_mmap(m, t, addr, size, prot, flags, ef->file, off >> PAGE_SHIFT, &map_addr);
	}
	return map_addr;
}

/* elf_load: elf_map, then the bss: padzero clears the rest of the last file page (errors
 * ignored when the segment is not writable), vm_brk_flags maps the remaining pages. */
static uint64_t elf_load(struct vmlab *m, struct task_struct *t, struct elf_file *ef, uint64_t addr,
			 const Elf64_Phdr *ph, int prot, int flags, uint64_t total_size, int *err)
{
	uint64_t map_addr, zero_start, zero_end;

	*err = 0;
	if (ph->p_filesz) {
		map_addr = elf_map(m, t, ef, addr, ph, prot, flags, total_size, err);
		if (*err)
			return 0;
		zero_start = map_addr + ELF_PAGEOFFSET(ph->p_vaddr) + ph->p_filesz;
		zero_end = map_addr + ELF_PAGEOFFSET(ph->p_vaddr) + ph->p_memsz;
		if (ph->p_memsz > ph->p_filesz && ELF_PAGEOFFSET(zero_start) &&
		    copy_to_user(m, t, zero_start, NULL, ELF_MIN_ALIGN - ELF_PAGEOFFSET(zero_start)) &&
		    (prot & VMLAB_PROT_WRITE)) {
			*err = -EFAULT;
			return 0;
		}
	} else {
		map_addr = zero_start = ELF_PAGESTART(addr);
		zero_end = zero_start + ELF_PAGEOFFSET(ph->p_vaddr) + ph->p_memsz;
	}
	if (ph->p_memsz > ph->p_filesz) {
		zero_start = ELF_PAGEALIGN(zero_start);
		zero_end = ELF_PAGEALIGN(zero_end);
		*err = vm_brk_flags(m, t->mm, zero_start, zero_end - zero_start,
				    (prot & VMLAB_PROT_EXEC) ? VM_EXEC : 0);
	}
	return map_addr;
}

/* load_elf_interp: the interpreter's segments, the first one top-down (load_addr 0) unless it
 * is ET_EXEC; returns the load address (AT_BASE) or sets *err. */
static uint64_t load_elf_interp(struct vmlab *m, struct task_struct *t, struct elf_file *ef,
				uint64_t no_base, int *err)
{
	uint64_t load_addr = 0, total_size = total_mapping_size(ef);
	int load_addr_set = 0, i;

	for (i = 0; i < ef->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &ef->phdr[i];
		int flags = VMLAB_MAP_PRIVATE;
		uint64_t map_addr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (ef->ehdr.e_type == ET_EXEC || load_addr_set)
			flags |= VMLAB_MAP_FIXED;
		else if (no_base && ef->ehdr.e_type == ET_DYN)
			load_addr = -ph->p_vaddr;
		map_addr = elf_load(m, t, ef, load_addr + ph->p_vaddr, ph, make_prot(ph->p_flags), flags,
				    total_size, err);
		total_size = 0;
		if (*err)
			return 0;
		if (!load_addr_set && ef->ehdr.e_type == ET_DYN) {
			load_addr = map_addr - ELF_PAGESTART(ph->p_vaddr);
			load_addr_set = 1;
		}
	}
	return load_addr;
}

/* create_elf_tables: below the strings, the platform string and 16 random bytes, then (16-byte
 * aligned) argc, the argv and envp pointers and the auxiliary vector. */
static int create_elf_tables(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm)
{
	struct mm_struct *mm = t->mm;
	const struct elf_file *ef = bprm->exec;
	uint64_t p = bprm->p & ~15ull; /* arch_align_stack (random 0..8 KiB lower with ASLR) */
	uint64_t platform, aux[64], *stack, items, sp, a, rnd[2];
	size_t nwords, k = 0;
	int i, ei = 0, err;

	if (m->cfg.randomize)
		p = (p - (prandom_u64(m) % 8192)) & ~15ull;
	p -= sizeof(ELF_PLATFORM);
	platform = p;
	err = copy_to_user(m, t, platform, ELF_PLATFORM, sizeof(ELF_PLATFORM));
	rnd[0] = prandom_u64(m);
	rnd[1] = prandom_u64(m);
	p -= 16;
	bprm->rand_addr = p;
	err = err ? err : copy_to_user(m, t, p, rnd, 16);
	if (err)
		return err;
#define NEW_AUX_ENT(id, val) (aux[ei++] = (id), aux[ei++] = (val))
	NEW_AUX_ENT(AT_SYSINFO_EHDR, bprm->vdso_base); /* ARCH_DLINFO */
	NEW_AUX_ENT(AT_MINSIGSTKSZ, VMLAB_MINSIGSTKSZ);
	NEW_AUX_ENT(AT_HWCAP, VMLAB_HWCAP);
	NEW_AUX_ENT(AT_PAGESZ, PAGE_SIZE);
	NEW_AUX_ENT(AT_CLKTCK, 100);
	NEW_AUX_ENT(AT_PHDR, bprm->phdr_addr);
	NEW_AUX_ENT(AT_PHENT, sizeof(Elf64_Phdr));
	NEW_AUX_ENT(AT_PHNUM, ef->ehdr.e_phnum);
	NEW_AUX_ENT(AT_BASE, bprm->interp_base);
	NEW_AUX_ENT(AT_FLAGS, 0);
	NEW_AUX_ENT(AT_ENTRY, bprm->entry);
	NEW_AUX_ENT(AT_UID, 0);
	NEW_AUX_ENT(AT_EUID, 0);
	NEW_AUX_ENT(AT_GID, 0);
	NEW_AUX_ENT(AT_EGID, 0);
	NEW_AUX_ENT(AT_SECURE, 0);
	NEW_AUX_ENT(AT_RANDOM, bprm->rand_addr);
	NEW_AUX_ENT(AT_HWCAP2, VMLAB_HWCAP2);
	NEW_AUX_ENT(AT_EXECFN, bprm->exec_addr);
	NEW_AUX_ENT(AT_PLATFORM, platform);
	NEW_AUX_ENT(27, 28); /* AT_RSEQ_FEATURE_SIZE: offsetof(struct rseq, end) */
	NEW_AUX_ENT(28, 32); /* AT_RSEQ_ALIGN */
	NEW_AUX_ENT(AT_NULL, 0);
#undef NEW_AUX_ENT
	items = (uint64_t)(bprm->argc + 1) + (uint64_t)(bprm->envc + 1) + 1;
	sp = (p - (uint64_t)ei * 8 - items * 8) & ~15ull; /* STACK_ADD, STACK_ROUND */
	bprm->p = sp;
	nwords = items + (size_t)ei;
	stack = malloc(nwords * 8);
	if (!stack)
		return -ENOMEM;
	stack[k++] = (uint64_t)bprm->argc;
	a = mm->arg_start;
	for (i = 0; i < bprm->argc; i++) {
		stack[k++] = a;
		a += strlen(bprm->argv[i]) + 1;
	}
	stack[k++] = 0;
	mm->arg_end = mm->env_start = a;
	for (i = 0; i < bprm->envc; i++) {
		stack[k++] = a;
		a += strlen(bprm->envp[i]) + 1;
	}
	stack[k++] = 0;
	mm->env_end = a;
	memcpy(stack + k, aux, (size_t)ei * 8);
	err = copy_to_user(m, t, sp, stack, nwords * 8);
	free(stack);
	return err;
}

int load_elf_binary(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm)
{
	struct elf_file *ef = bprm->exec;
	struct mm_struct *mm = t->mm;
	uint64_t load_bias = 0, phdr_addr = 0, elf_brk = 0, e_entry, elf_entry;
	uint64_t start_code = UINT64_MAX, end_code = 0, start_data = 0, end_data = 0;
	int first_pt_load = 1, brk_moved = 0, err, i;

	for (i = 0; i < ef->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &ef->phdr[i];
		int prot = make_prot(ph->p_flags), flags = VMLAB_MAP_PRIVATE;
		uint64_t vaddr = ph->p_vaddr, total_size = 0, k, map_addr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (!first_pt_load) {
			flags |= VMLAB_MAP_FIXED;
		} else if (ef->ehdr.e_type == ET_EXEC) {
			flags |= VMLAB_MAP_FIXED_NOREPLACE;
		} else {
			uint64_t alignment = maximum_alignment(ef);

			total_size = total_mapping_size(ef);
			if (bprm->interp) {
				/* a PIE: at ELF_ET_DYN_BASE (+ arch_mmap_rnd with ASLR) */
				load_bias = ELF_ET_DYN_BASE;
				if (m->cfg.randomize)
					load_bias += (prandom_u64(m) & ((1ull << 28) - 1)) << PAGE_SHIFT;
				load_bias &= ~(alignment - 1);
				flags |= VMLAB_MAP_FIXED_NOREPLACE;
			} else if (alignment > ELF_MIN_ALIGN) {
				/* a loader with large alignment: find room, then map it aligned */
				uint64_t probe = elf_load(m, t, ef, 0, ph, prot, flags, total_size, &err);

				if (err)
					return exec_fail(m, err, "%s: cannot map it", ef->name);
				do_munmap(m, mm, probe, ELF_PAGEALIGN(total_size));
				load_bias = probe & ~(alignment - 1);
				flags |= VMLAB_MAP_FIXED_NOREPLACE;
			} else {
				load_bias = 0; /* a static PIE (or ld.so run directly): the mmap area */
			}
			load_bias = ELF_PAGESTART(load_bias - vaddr);
		}
		map_addr = elf_load(m, t, ef, load_bias + vaddr, ph, prot, flags, total_size, &err);
		if (err)
			return exec_fail(m, err, "%s: cannot map PT_LOAD %d at 0x%llx (%s)", ef->name, i,
					 (unsigned long long)(load_bias + vaddr), vmlab_errno_name(err));
		if (first_pt_load) {
			first_pt_load = 0;
			if (ef->ehdr.e_type == ET_DYN)
				load_bias += map_addr - ELF_PAGESTART(load_bias + vaddr);
		}
		if (unlikely(explaining(m)))
			explain_note(m, "load_elf_binary: PT_LOAD %d of %s at 0x%llx (%c%c%c, file offset "
					"0x%llx%s)", i, ef->name,
				     (unsigned long long)ELF_PAGESTART(load_bias + vaddr),
				     (prot & VMLAB_PROT_READ) ? 'r' : '-', (prot & VMLAB_PROT_WRITE) ? 'w' : '-',
				     (prot & VMLAB_PROT_EXEC) ? 'x' : '-',
				     (unsigned long long)ELF_PAGESTART(ph->p_offset),
				     ph->p_memsz > ph->p_filesz ? ", then its bss" : "");
		if (ph->p_offset <= ef->ehdr.e_phoff && ef->ehdr.e_phoff < ph->p_offset + ph->p_filesz)
			phdr_addr = ef->ehdr.e_phoff - ph->p_offset + ph->p_vaddr;
		k = ph->p_vaddr;
		if ((ph->p_flags & PF_X) && k < start_code)
			start_code = k;
		if (start_data < k)
			start_data = k;
		k = ph->p_vaddr + ph->p_filesz;
		if ((ph->p_flags & PF_X) && end_code < k)
			end_code = k;
		if (end_data < k)
			end_data = k;
		k = ph->p_vaddr + ph->p_memsz;
		if (k > elf_brk)
			elf_brk = k;
	}
	e_entry = ef->ehdr.e_entry + load_bias;
	phdr_addr += load_bias;
	elf_brk += load_bias;
	start_code += load_bias;
	end_code += load_bias;
	start_data += load_bias;
	end_data += load_bias;
	bprm->load_bias = load_bias;
	if (bprm->interp) {
		uint64_t base = load_elf_interp(m, t, bprm->interp, load_bias, &err);

		if (err)
			return exec_fail(m, err, "%s: cannot map the interpreter %s (%s)", ef->name,
					 bprm->interp->name, vmlab_errno_name(err));
		bprm->interp_base = base;
		elf_entry = base + bprm->interp->ehdr.e_entry;
		if (unlikely(explaining(m)))
			explain_note(m, "load_elf_interp: the interpreter %s at 0x%llx (top-down)",
				     bprm->interp->name, (unsigned long long)base);
	} else {
		elf_entry = e_entry;
	}
	if (bad_addr(elf_entry))
		return exec_fail(m, -EINVAL, "%s: entry point 0x%llx outside user space", ef->name,
				 (unsigned long long)elf_entry);
	bprm->entry = e_entry;
	bprm->phdr_addr = phdr_addr;
	err = map_vdso(m, mm, &bprm->vdso_base);
	if (err)
		return exec_fail(m, err, "%s: cannot map the vDSO", ef->name);
	err = create_elf_tables(m, t, bprm);
	if (err)
		return exec_fail(m, err, "%s: cannot build the initial stack", ef->name);
	if (unlikely(explaining(m)))
		explain_note(m, "create_elf_tables: argc, argv, envp and the auxiliary vector at 0x%llx; "
				"[vdso] at 0x%llx; entry 0x%llx", (unsigned long long)bprm->p,
			     (unsigned long long)bprm->vdso_base, (unsigned long long)elf_entry);
	mm->start_code = start_code;
	mm->end_code = end_code;
	mm->start_data = start_data;
	mm->end_data = end_data;
	mm->start_stack = bprm->p;
	/* a static PIE's break leaves the mmap area for ELF_ET_DYN_BASE */
	if (ef->ehdr.e_type == ET_DYN && !bprm->interp) {
		elf_brk = ELF_ET_DYN_BASE;
		brk_moved = 1;
	}
	mm->start_brk = mm->brk = ELF_PAGEALIGN(elf_brk);
	if (m->cfg.randomize) {
		/* a gap above the bss, then arch_randomize_brk: up to 1 GiB higher */
		if (!brk_moved)
			mm->brk = mm->start_brk = mm->brk + PAGE_SIZE;
		mm->brk = mm->start_brk =
			mm->brk + ((prandom_u64(m) % ((1ull << 30) >> PAGE_SHIFT)) << PAGE_SHIFT);
	}
	return 0;
}
