/* kernel/exec.c - execve: a process's address space replaced by a program's.
 *
 * Mirrors fs/exec.c (6.x), which vmlab's layout keeps in kernel/: do_execveat_common opens
 * the file (do_open_execat: a regular file with an execute bit), checks the argument sizes
 * (bprm_stack_limits: the strings may take a quarter of RLIMIT_STACK, each at most
 * MAX_ARG_STRLEN; an empty argv gets "" as argv[0]), then bprm_execve: search_binary_handler
 * finds the ELF loader; begin_new_exec is the point of no return (exec_mmap releases the old
 * mm; the task keeps its fault counters, which only fork resets; comm becomes the file's base
 * name); the strings are copied to the top of the new stack (copy_strings: the filename,
 * then envp, then argv, each string below the previous one, the stack VMA growing a page at
 * a time); setup_arg_pages gives the stack 128 KiB more and VM_EXEC for an executable
 * PT_GNU_STACK; load_elf_binary (fs/binfmt_elf.c) does the rest.
 *
 * Entry points: bprm_prepare (every check that can fail before the point of no return: the
 * file, the sizes, the ELF headers, the interpreter), bprm_execve (the rest), bprm_free,
 * exec_open, exec_fail.
 *
 * Simplifications: the argument strings are copied after the point of no return, into the
 * new mm once it is the task's (Linux copies them into bprm->mm before it; what could fail
 * there is checked first); RLIMIT_STACK is the default 8 MiB; no setuid, no close-on-exec
 * descriptors to close (vmlab processes have none), no ptrace or LSM hooks.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fs/binfmt_elf.h"

#define MAX_ARG_STRLEN (32ull * PAGE_SIZE) /* one string, its NUL included */
#define ARG_MAX_BYTES (32ull * PAGE_SIZE)  /* ARG_MAX: allowed even with a small stack */
#define _STK_LIM (8ull << 20)
#define MAX_ARG_STRINGS 0x7fffffff
#define STACK_EXPAND (128ull << 10) /* setup_arg_pages: room for the stack to grow */

int exec_fail(struct vmlab *m, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->exec_err, sizeof(m->exec_err), fmt, ap);
	va_end(ap);
	return err;
}

/* Puts "prefix" before the reason recorded so far. */
static int exec_fail_prefix(struct vmlab *m, int err, const char *prefix)
{
	char old[sizeof(m->exec_err)];

	size_t n = strlen(prefix);

	memcpy(old, m->exec_err, sizeof(old));
	if (n >= sizeof(m->exec_err))
		n = sizeof(m->exec_err) - 1;
	memcpy(m->exec_err, prefix, n);
	memcpy(m->exec_err + n, old, MIN(strlen(old) + 1, sizeof(m->exec_err) - n));
	m->exec_err[sizeof(m->exec_err) - 1] = 0;
	return err;
}

int exec_open(struct vmlab *m, const char *path, int want_exec, struct file **out)
{
	struct stat st;
	int err;

	*out = NULL;
	if (stat(path, &st))
		return errno == EACCES ? -EACCES : errno == ENAMETOOLONG ? -ENAMETOOLONG : -ENOENT;
	/* do_open_execat: only regular files, with an execute bit (may_open MAY_EXEC) */
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (want_exec && !(st.st_mode & 0111))
		return -EACCES;
	*out = filemap_open(m, path, &err);
	return *out ? 0 : err;
}

void bprm_free(struct vmlab *m, struct linux_binprm *bprm)
{
	int i;

	if (!bprm)
		return;
	elf_close(m, bprm->exec);
	elf_close(m, bprm->interp);
	for (i = 0; i < bprm->argc; i++)
		free(bprm->argv[i]);
	for (i = 0; i < bprm->envc; i++)
		free(bprm->envp[i]);
	free(bprm->argv);
	free(bprm->envp);
	free(bprm->filename);
	free(bprm);
}

/* copy_strings' size checks, without copying yet: each string at most MAX_ARG_STRLEN, all of
 * them within bprm_stack_limits. */
static int check_strings(struct vmlab *m, struct linux_binprm *bprm)
{
	uint64_t limit = MIN(_STK_LIM / 4 * 3, STACK_RLIMIT / 4), ptr_size, total, len;
	int i;

	limit = MAX(limit, ARG_MAX_BYTES);
	ptr_size = ((uint64_t)MAX(bprm->argc, 1) + (uint64_t)bprm->envc) * sizeof(uint64_t);
	if (limit <= ptr_size)
		return exec_fail(m, -E2BIG, "%s: too many arguments", bprm->filename);
	limit -= ptr_size;
	total = len = strlen(bprm->filename) + 1;
	if (len > MAX_ARG_STRLEN)
		return exec_fail(m, -E2BIG, "file name longer than %llu bytes",
				 (unsigned long long)MAX_ARG_STRLEN);
	for (i = 0; i < bprm->envc + bprm->argc; i++) {
		const char *s = i < bprm->envc ? bprm->envp[i] : bprm->argv[i - bprm->envc];

		len = strlen(s) + 1;
		if (len > MAX_ARG_STRLEN)
			return exec_fail(m, -E2BIG, "%s: an argument or environment string is longer "
						    "than %llu bytes", bprm->filename,
					 (unsigned long long)MAX_ARG_STRLEN);
		total += len;
	}
	if (total > limit)
		return exec_fail(m, -E2BIG, "%s: the arguments and environment take %llu bytes, more "
					    "than %llu (a quarter of RLIMIT_STACK)", bprm->filename,
				 (unsigned long long)total, (unsigned long long)limit);
	bprm->strings = total + sizeof(uint64_t);
	return 0;
}

static char **copy_vec(int n, const char *const *v)
{
	char **r = calloc((size_t)n + 1, sizeof(char *));
	int i;

	if (!r)
		return NULL;
	for (i = 0; i < n; i++)
		if (!(r[i] = strdup(v[i] ? v[i] : ""))) {
			while (i--)
				free(r[i]);
			free(r);
			return NULL;
		}
	return r;
}

int bprm_prepare(struct vmlab *m, const char *filename, int argc, const char *const *argv,
		 int envc, const char *const *envp, struct linux_binprm **out)
{
	struct linux_binprm *bprm;
	struct file *f;
	char prefix[ELF_PATH_MAX + 32];
	int err;

	*out = NULL;
	m->exec_err[0] = 0;
	if (!filename || argc < 0 || envc < 0 || argc > MAX_ARG_STRINGS || envc > MAX_ARG_STRINGS ||
	    (argc && !argv) || (envc && !envp))
		return exec_fail(m, -EFAULT, "bad arguments");
	/* do_open_execat first: a missing or non-executable file is reported before anything */
	err = exec_open(m, filename, 1, &f);
	if (err)
		return exec_fail(m, err, "%s: %s", filename,
				 err == -ENOENT ? "No such file or directory"
				 : err == -EACCES ? "Permission denied (not a regular file with an "
						    "execute bit)"
						  : strerror(-err));
	file_put(m, f);
	bprm = calloc(1, sizeof(*bprm));
	if (!bprm)
		return exec_fail(m, -ENOMEM, "out of memory");
	bprm->filename = strdup(filename);
	/* an empty argv gets "" as argv[0] (do_execveat_common) */
	bprm->argc = argc ? argc : 1;
	bprm->argv = argc ? copy_vec(argc, argv) : copy_vec(1, (const char *const[]){""});
	bprm->envc = envc;
	bprm->envp = copy_vec(envc, envp);
	if (!bprm->filename || !bprm->argv || !bprm->envp) {
		if (!bprm->argv)
			bprm->argc = 0;
		if (!bprm->envp)
			bprm->envc = 0;
		bprm_free(m, bprm);
		return exec_fail(m, -ENOMEM, "out of memory");
	}
	err = check_strings(m, bprm);
	if (!err)
		err = elf_open_exec(m, filename, &bprm->exec);
	if (!err && bprm->exec->interp_path) {
		err = elf_open_interp(m, bprm->exec->interp_path, &bprm->interp);
		if (err) {
			snprintf(prefix, sizeof(prefix), "%s: interpreter ", filename);
			exec_fail_prefix(m, err, prefix);
		}
	}
	if (err) {
		bprm_free(m, bprm);
		return err;
	}
	*out = bprm;
	return 0;
}

/* copy_strings into the new stack: the filename at the top (below the 8-byte end marker),
 * then the environment and the arguments, last string first; the stack grows as pages are
 * touched. Leaves bprm->p at the lowest string (mm->arg_start). */
static int copy_strings(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm,
			uint64_t top)
{
	uint64_t p = top - sizeof(uint64_t), len;
	int i, err;

	len = strlen(bprm->filename) + 1;
	p -= len;
	err = copy_to_user(m, t, p, bprm->filename, len);
	bprm->exec_addr = p;
	for (i = bprm->envc - 1; i >= 0 && !err; i--) {
		len = strlen(bprm->envp[i]) + 1;
		p -= len;
		err = copy_to_user(m, t, p, bprm->envp[i], len);
	}
	for (i = bprm->argc - 1; i >= 0 && !err; i--) {
		len = strlen(bprm->argv[i]) + 1;
		p -= len;
		err = copy_to_user(m, t, p, bprm->argv[i], len);
	}
	bprm->p = p;
	return err;
}

/* setup_arg_pages: the final stack flags, and 128 KiB below the argument pages (capped by
 * RLIMIT_STACK) for the program to grow into. */
static int setup_arg_pages(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm,
			   struct vm_area_struct *vma)
{
	struct mm_struct *mm = t->mm;
	uint64_t stack_size = vma->vm_end - vma->vm_start;
	uint64_t expand = MIN(STACK_RLIMIT & PAGE_MASK, stack_size + STACK_EXPAND);
	int err;

	if (bprm->exec->exec_stack == EXSTACK_ENABLE_X) {
		err = do_mprotect(m, mm, vma->vm_start, stack_size,
				  VMLAB_PROT_READ | VMLAB_PROT_WRITE | VMLAB_PROT_EXEC);
		if (err)
			return err;
		vma = find_vma(mm, bprm->p);
	}
	mm->arg_start = bprm->p;
	if (vma->vm_end - expand < vma->vm_start)
		return expand_stack(m, vma, vma->vm_end - expand);
	return 0;
}

int bprm_execve(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm, int *killed)
{
	struct mm_struct *mm, *old = t->mm;
	struct vm_area_struct *stack;
	const char *base;
	uint64_t top;
	int err;

	*killed = 0;
	/* bprm_mm_init: the new address space (failing here still leaves the old one) */
	mm = kmem_cache_alloc(m, m->mm_cachep);
	if (!mm)
		return exec_fail(m, -ENOMEM, "%s: out of memory", bprm->filename);
	mm->memcg = t->memcg; /* the task's memory cgroup is charged for the new mm's pages */
	err = mm_init_layout(m, mm, &top);
	if (err) {
		if (mm->pgd)
			pgd_free(m, mm);
		mm_free_vmacache(mm);
		kmem_cache_free(m, m->mm_cachep, mm);
		return exec_fail(m, err, "%s: out of memory", bprm->filename);
	}
	/* begin_new_exec, the point of no return: exec_mmap drops the old address space */
	*killed = 1;
	if (unlikely(explaining(m)))
		explain_note(m, "exec %s: past the point of no return, the old address space goes",
			     bprm->filename);
	t->mm = mm;
	mmput(m, old);
	base = strrchr(bprm->filename, '/');
	snprintf(t->comm, sizeof(t->comm), "%s", base ? base + 1 : bprm->filename);
	stack = insert_stack_vma(m, mm, top - PAGE_SIZE, top, VM_STACK_FLAGS);
	if (!stack)
		return exec_fail(m, -ENOMEM, "%s: out of memory", bprm->filename);
	err = copy_strings(m, t, bprm, top);
	if (!err)
		err = setup_arg_pages(m, t, bprm, find_vma(mm, top - PAGE_SIZE));
	if (err)
		return exec_fail(m, err, "%s: cannot set up the stack (%s)", bprm->filename,
				 vmlab_errno_name(err));
	err = load_elf_binary(m, t, bprm);
	if (err)
		return err;
	*killed = 0;
	return 0;
}
