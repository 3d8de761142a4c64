/* fs/binfmt_elf.h - an ELF file as the loaders see it, and the exec request (linux_binprm).
 *
 * Mirrors include/linux/binfmts.h (struct linux_binprm) and the parts of an ELF object that
 * fs/binfmt_elf.c and glibc's ld.so read. Everything here is validated when it is filled in
 * (fs/binfmt_elf.c): offsets lie inside the file, sizes are bounded, strings end with NUL.
 * The loaders (fs/binfmt_elf.c, kernel/exec.c, sim/ldso.c) include this; the prototypes are
 * in mm/internal.h.
 */
#ifndef VMLAB_FS_BINFMT_ELF_H
#define VMLAB_FS_BINFMT_ELF_H

#include <elf.h>

#include "mm/internal.h"

#define ELF_MIN_ALIGN PAGE_SIZE
#define ELF_PAGESTART(v) ((v) & ~(uint64_t)(ELF_MIN_ALIGN - 1))
#define ELF_PAGEOFFSET(v) ((v) & (ELF_MIN_ALIGN - 1))
#define ELF_PAGEALIGN(v) (((v) + ELF_MIN_ALIGN - 1) & ~(uint64_t)(ELF_MIN_ALIGN - 1))
/* where the kernel loads a PIE: 2/3 of the address space, not page aligned (its PAGEALIGN is
 * where the break of a static PIE starts) */
#define ELF_ET_DYN_BASE (DEFAULT_MAP_WINDOW / 3 * 2)
#define ELF_PATH_MAX 4096

enum { EXSTACK_DEFAULT, EXSTACK_DISABLE_X, EXSTACK_ENABLE_X };

/* One opened, validated ELF64 x86-64 file. */
struct elf_file {
	struct file *file;        /* open on the host file: page cache, maps name, f_ra */
	char name[ELF_PATH_MAX];  /* the name it was opened by (ld.so's l_name, messages) */
	uint64_t size;            /* bytes */
	Elf64_Ehdr ehdr;          /* the header */
	Elf64_Phdr *phdr;         /* ehdr.e_phnum program headers (host memory) */
	int nload;                /* PT_LOAD entries */
	const Elf64_Phdr *interp; /* PT_INTERP or NULL */
	char *interp_path;        /* its string (NUL inside the segment), or NULL */
	const Elf64_Phdr *dynamic, *tls, *relro; /* PT_DYNAMIC, PT_TLS, PT_GNU_RELRO or NULL */
	int exec_stack;           /* EXSTACK_* from PT_GNU_STACK */
	int glibc;                /* has the NT_GNU_ABI_TAG note of glibc programs */
	/* the dynamic section (elf_read_dynamic) */
	int nneeded;              /* DT_NEEDED entries, in order */
	char **needed;            /* their names */
	char *soname;             /* DT_SONAME or NULL */
	char *runpath, *rpath;    /* DT_RUNPATH, DT_RPATH or NULL */
	uint64_t flags_1;         /* DT_FLAGS_1 */
	unsigned ver_high;        /* highest version index in DT_VERNEED and DT_VERDEF (0: none) */
	char *strtab;             /* DT_STRTAB's bytes (host memory), NULL when it has none */
	uint64_t strsz;           /* DT_STRSZ */
	uint64_t symtab, gnu_hash, hash; /* DT_SYMTAB, DT_GNU_HASH, DT_HASH (addresses), or 0 */
	uint64_t rela, relasz;    /* DT_RELA, DT_RELASZ: relocations done at startup */
	uint64_t jmprel, pltrelsz; /* DT_JMPREL, DT_PLTRELSZ: PLT relocations (lazy unless now) */
	int bind_now;             /* DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW */
};

/* linux_binprm: one execve in progress. */
struct linux_binprm {
	struct elf_file *exec;    /* the program */
	struct elf_file *interp;  /* its PT_INTERP (the dynamic loader), or NULL */
	char *filename;           /* as passed to execve (AT_EXECFN, comm) */
	int argc, envc;
	char **argv, **envp;      /* copies of the strings */
	uint64_t strings;         /* bytes the strings take at the top of the stack, with the
	                           * 8-byte end marker */
	/* set while loading (load_elf_binary) */
	uint64_t load_bias;       /* added to the program's p_vaddr */
	uint64_t interp_base;     /* AT_BASE: where the interpreter was loaded */
	uint64_t entry;           /* AT_ENTRY: the program's entry point */
	uint64_t phdr_addr;       /* AT_PHDR */
	uint64_t vdso_base;       /* AT_SYSINFO_EHDR */
	uint64_t p;               /* the stack pointer as it is built */
	uint64_t exec_addr;       /* address of the filename string on the stack (AT_EXECFN) */
	uint64_t rand_addr;       /* AT_RANDOM */
};

#endif
