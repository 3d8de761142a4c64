/* sim/machine.c - the machine object and the public system-call entry points.
 *
 * No kernel twin: this is the "hardware and boot" around the kernel half. vmlab_create maps
 * simulated RAM and the struct page array as host memory that is committed only when touched
 * (MAP_NORESERVE, so a 64 GiB machine costs host memory only for what it uses), then boots:
 * zones and the buddy allocator, slab, kernel page tables with the direct map, the zero page,
 * vmalloc, the TLB. The vmlab_* system calls look up the task, call the mm/ function and run
 * the invariant checkers afterwards when the machine was created with check on.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "fs/binfmt_elf.h"
#include "mm/internal.h"
#include "mm/policy/policy.h"

_Noreturn void vm_bug(const char *func, const char *what)
{
	fprintf(stderr, "vmlab: BUG in %s: %s\n", func, what);
	abort();
}

uint64_t prandom_u64(struct vmlab *m)
{
	/* splitmix64: small, fast, and the same sequence for the same seed everywhere */
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void vmlab_config_default(vmlab_config_t *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram = 64ull << 20;
	cfg->tlb_entries = 64;
	cfg->tlb_ways = 4;
	cfg->nr_cpus = 1;
	snprintf(cfg->policy, sizeof(cfg->policy), "linux");
	snprintf(cfg->thp, sizeof(cfg->thp), "never");
	cfg->disk_latency_ns = 100000;
	cfg->disk_bw = 500ull << 20;
	cfg->swappiness = 60;
	cfg->page_cluster = 3;
}

uint64_t vmlab_clock_ns(vmlab_t *m)
{
	return m ? m->clock_ns : 0;
}

static int config_valid(const vmlab_config_t *c)
{
	unsigned ways = c->tlb_ways ? c->tlb_ways : c->tlb_entries;

	if (c->ram < (4ull << 20) || c->ram > (1ull << 40) || (c->ram & (PAGE_SIZE - 1)))
		return 0;
	if (c->tlb_entries < 1 || c->tlb_entries > 65536 || ways > c->tlb_entries ||
	    c->tlb_entries % ways)
		return 0;
	if ((c->tlb_entries / ways) & (c->tlb_entries / ways - 1))
		return 0;
	if (c->nr_cpus < 1 || c->nr_cpus > MAX_CPUS)
		return 0;
	if (c->disk_bw == 0)
		return 0;
	if (c->swappiness < 0 || c->swappiness > 200 || c->page_cluster < 0 || c->page_cluster > 31)
		return 0;
	if (c->swap_backing < VMLAB_SWAP_MEMORY || c->swap_backing > VMLAB_SWAP_RAMDISK)
		return 0;
	if (c->swap & (PAGE_SIZE - 1) || (c->swap && c->swap < 2 * PAGE_SIZE) || c->swap > (1ull << 44))
		return 0;
	if (!memchr(c->policy, 0, sizeof(c->policy)) || !vm_policy_find(c->policy))
		return 0;
	return 1;
}

void vmlab_destroy(vmlab_t *m)
{
	int pid;

	if (!m)
		return;
	for (pid = 1; pid < m->nr_tasks_slots; pid++)
		if (m->tasks[pid])
			task_exit(m, m->tasks[pid]);
	free(m->tasks);
	filemap_release_all(m);
	swap_release(m);
	mem_cgroup_release(m);
	if (m->policy && m->policy->exit)
		m->policy->exit(m);
	tlb_destroy(m);
	if (m->ram)
		munmap(m->ram, m->ram_bytes);
	if (m->mem_map)
		munmap(m->mem_map, m->mem_map_bytes);
	free(m);
}

int vmlab_create(const vmlab_config_t *cfg, vmlab_t **out)
{
	struct vmlab *m;
	int err = -ENOMEM;

	if (!out)
		return -EFAULT;
	*out = NULL;
	if (!cfg || !config_valid(cfg))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	if (!m->cfg.tlb_ways)
		m->cfg.tlb_ways = m->cfg.tlb_entries;
	m->rng = cfg->seed;
	m->max_pfn = cfg->ram >> PAGE_SHIFT;
	m->ram_bytes = cfg->ram;
	m->mem_map_bytes = PAGE_ALIGN(m->max_pfn * sizeof(struct page));
	m->ram = mmap(NULL, m->ram_bytes, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	m->mem_map = mmap(NULL, m->mem_map_bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->ram == MAP_FAILED || m->mem_map == MAP_FAILED) {
		if (m->ram == MAP_FAILED)
			m->ram = NULL;
		if (m->mem_map == MAP_FAILED)
			m->mem_map = NULL;
		goto fail;
	}
	/* Host transparent huge pages for simulated RAM: the host then commits (and zeroes) it in
	 * 2 MiB steps instead of taking one host page fault per simulated frame. Still lazy: only
	 * the 2 MiB regions the machine touches are committed. Not for mem_map, whose sparse
	 * touches at boot would each commit 2 MiB. Advisory: ignored where unsupported. */
	if (!cfg->host_small_pages)
		madvise(m->ram, m->ram_bytes, MADV_HUGEPAGE);
	INIT_LIST_HEAD(&m->slab_caches);
	INIT_LIST_HEAD(&m->vmap_areas);
	INIT_LIST_HEAD(&m->file_inodes);
	INIT_LIST_HEAD(&m->shmem_inodes);
	mem_cgroup_init(m);
	m->policy = vm_policy_find(m->cfg.policy);
	m->policy_exact = m->policy->exact;
	m->policy_access_to_head = m->policy->access_to_head && !cfg->general_paths;
	m->disk_page_ns = m->cfg.disk_latency_ns + PAGE_SIZE * 1000000000ull / m->cfg.disk_bw;
	m->swappiness = cfg->swappiness;
	/* exact policies bring exactly one page per fault: no swap readahead */
	m->page_cluster = m->policy_exact ? 0 : cfg->page_cluster;
	m->swap_no_zeromap = cfg->swap_no_zeromap != 0;
	if (m->policy->init && (err = m->policy->init(m)) != 0)
		goto fail;
	m->next_pid = 1;
	err = page_alloc_init(m);
	if (err)
		goto fail;
	err = kmem_cache_init(m);
	if (err)
		goto fail;
	err = paging_init(m);
	if (err)
		goto fail;
	/* empty_zero_page lives in the kernel image's bss: a reserved, never-written frame */
	m->zero_pfn = m->kernel_end_pfn - 1;
	pfn_to_page(m, m->zero_pfn)->flags |= PG_zero;
	vdso_init(m);
	vmalloc_init(m);
	err = tlb_init(m);
	if (err)
		goto fail;
	if (cfg->swap && (err = swapon(m, cfg->swap, cfg->swap_backing)) != 0)
		goto fail;
	m->boot_pagetables = m->node_stat[NR_PAGETABLE];
	*out = m;
	return 0;
fail:
	vmlab_destroy(m);
	return err;
}

/* ---- processes ---------------------------------------------------------------------------- */

static void after_op(struct vmlab *m)
{
	if (unlikely(m->dirty_exceeded))
		wb_workfn(m); /* the flusher catches up between operations */
	if (unlikely(m->cfg.check))
		debug_check(m);
}

int vmlab_spawn(vmlab_t *m, int *pid)
{
	struct task_struct *t;
	struct mm_struct *mm;
	int err;

	if (!m)
		return -EINVAL;
	if (!pid)
		return -EFAULT;
	t = task_create(m);
	if (!t)
		return -ENOMEM;
	mm = kmem_cache_alloc(m, m->mm_cachep);
	if (!mm) {
		task_exit(m, t);
		return -ENOMEM;
	}
	t->mm = mm;
	err = mm_setup_new(m, mm);
	if (err) {
		if (!mm->pgd) {
			mm_free_vmacache(mm);
			kmem_cache_free(m, m->mm_cachep, mm);
			t->mm = NULL;
		}
		task_exit(m, t);
		return err;
	}
	*pid = t->pid;
	after_op(m);
	return 0;
}

int vmlab_fork(vmlab_t *m, int pid, int *child)
{
	struct task_struct *p, *c;
	int err;

	if (!m)
		return -EINVAL;
	if (!child)
		return -EFAULT;
	p = find_task(m, pid);
	if (!p)
		return -ESRCH;
	c = task_create(m);
	if (!c)
		return -ENOMEM;
	c->ppid = pid;
	c->oom_score_adj = p->oom_score_adj;
	mem_cgroup_attach(m, c, p->memcg);
	err = dup_mm(m, c, p->mm);
	if (err) {
		task_exit(m, c);
		return err;
	}
	*child = c->pid;
	after_op(m);
	return 0;
}

int vmlab_exit(vmlab_t *m, int pid)
{
	struct task_struct *t = m ? find_task(m, pid) : NULL;

	if (!t)
		return -ESRCH;
	m->cur_pid = pid;
	task_exit(m, t);
	after_op(m);
	return 0;
}

int vmlab_alive(vmlab_t *m, int pid)
{
	return m && find_task(m, pid) != NULL;
}

uint64_t vmlab_stack_top(vmlab_t *m, int pid)
{
	struct task_struct *t = m ? find_task(m, pid) : NULL;

	return t ? t->mm->start_stack : 0;
}

/* ---- system calls --------------------------------------------------------------------------- */

#define SYSCALL_TASK(m, pid, t)                                                                    \
	struct task_struct *t = (m) ? find_task(m, pid) : NULL;                                    \
	if (!t)                                                                                    \
		return -ESRCH;                                                                     \
	m->cur_pid = pid

int vmlab_mmap(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int prot, int flags,
	       uint64_t *out)
{
	int err;
	SYSCALL_TASK(m, pid, t);

	if (!out)
		return -EFAULT;
	err = do_mmap(m, t, addr, len, prot, flags | VMLAB_MAP_ANONYMOUS, NULL, 0, out);
	after_op(m);
	return err;
}

int vmlab_mmap_file(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int prot, int flags,
		    const char *path, uint64_t offset, uint64_t *out)
{
	struct file *f;
	int err;
	SYSCALL_TASK(m, pid, t);

	if (!out || !path)
		return -EFAULT;
	if (offset & ~PAGE_MASK)
		return -EINVAL;
	f = filemap_open(m, path, &err);
	if (!f)
		return err;
	err = do_mmap(m, t, addr, len, prot, flags & ~VMLAB_MAP_ANONYMOUS, f, offset >> PAGE_SHIFT, out);
	file_put(m, f); /* the VMA holds its own reference */
	after_op(m);
	return err;
}

int vmlab_exec(vmlab_t *m, int pid, const char *path, int argc, const char *const *argv,
	       int envc, const char *const *envp)
{
	struct linux_binprm *bprm;
	struct ldso *ld = NULL;
	int err, killed = 0;
	SYSCALL_TASK(m, pid, t);

	err = bprm_prepare(m, path, argc, argv, envc, envp, &bprm);
	if (err)
		return err;
	if (bprm->interp)
		err = ldso_prepare(m, bprm, &ld);
	if (!err) {
		err = bprm_execve(m, t, bprm, &killed);
		if (!err) {
			/* the program's startup before main: ld.so, or a static C library's */
			err = ld ? ldso_run(m, t, bprm, ld) : libc_static_start(m, t, bprm);
			killed = err != 0;
		}
	}
	ldso_free(m, ld);
	bprm_free(m, bprm);
	if (killed)
		task_exit(m, t); /* past the point of no return, the process dies */
	after_op(m);
	return err;
}

const char *vmlab_exec_error(vmlab_t *m)
{
	return m ? m->exec_err : "";
}

int vmlab_msync(vmlab_t *m, int pid, uint64_t addr, uint64_t len)
{
	int err;
	SYSCALL_TASK(m, pid, t);

	err = do_msync(m, t->mm, addr, len);
	after_op(m);
	return err;
}

int vmlab_drop_caches(vmlab_t *m)
{
	if (!m)
		return -EINVAL;
	drop_pagecache(m);
	after_op(m);
	return 0;
}

int vmlab_set_writable_dir(vmlab_t *m, const char *dir)
{
	char abs[4096];

	if (!m)
		return -EINVAL;
	if (!dir) {
		m->writable_dir[0] = 0;
		return 0;
	}
	if (!realpath(dir, abs))
		return -ENOENT;
	snprintf(m->writable_dir, sizeof(m->writable_dir), "%s", abs);
	return 0;
}

int vmlab_munmap(vmlab_t *m, int pid, uint64_t addr, uint64_t len)
{
	int err;
	SYSCALL_TASK(m, pid, t);

	err = do_munmap(m, t->mm, addr, len);
	after_op(m);
	return err;
}

int vmlab_mprotect(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int prot)
{
	int err;
	SYSCALL_TASK(m, pid, t);

	err = do_mprotect(m, t->mm, addr, len, prot);
	after_op(m);
	return err;
}

int vmlab_mremap(vmlab_t *m, int pid, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
		 int flags, uint64_t new_addr, uint64_t *out)
{
	int err;
	SYSCALL_TASK(m, pid, t);

	if (!out)
		return -EFAULT;
	err = do_mremap(m, t, old_addr, old_len, new_len, flags, new_addr, out);
	after_op(m);
	return err;
}

int vmlab_brk(vmlab_t *m, int pid, int64_t delta, uint64_t *old_brk)
{
	int err;
	SYSCALL_TASK(m, pid, t);

	if (!old_brk)
		return -EFAULT;
	err = do_brk(m, t, delta, old_brk);
	after_op(m);
	return err;
}

int vmlab_madvise(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int advice)
{
	int err;
	SYSCALL_TASK(m, pid, t);

	err = do_madvise(m, t, addr, len, advice);
	after_op(m);
	return err;
}

int vmlab_mlock(vmlab_t *m, int pid, uint64_t addr, uint64_t len)
{
	int err;
	SYSCALL_TASK(m, pid, t);

	err = do_mlock(m, t, addr, len);
	after_op(m);
	return err;
}

int vmlab_munlock(vmlab_t *m, int pid, uint64_t addr, uint64_t len)
{
	int err;
	SYSCALL_TASK(m, pid, t);

	err = do_munlock(m, t, addr, len);
	after_op(m);
	return err;
}

int vmlab_set_oom_score_adj(vmlab_t *m, int pid, int adj)
{
	SYSCALL_TASK(m, pid, t);

	if (adj < -1000 || adj > 1000)
		return -EINVAL;
	t->oom_score_adj = adj;
	return 0;
}

void vmlab_set_next_use(vmlab_t *m, uint64_t next_use)
{
	if (m)
		m->next_use = next_use;
}

/* ---- errno names ---------------------------------------------------------------------------- */

static const struct {
	int err;
	const char *name;
} errnames[] = {
	{EPERM, "EPERM"},   {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"},   {EINTR, "EINTR"},
	{EIO, "EIO"},       {EBADF, "EBADF"},   {EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"},
	{EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"},   {EEXIST, "EEXIST"},
	{ENODEV, "ENODEV"}, {EINVAL, "EINVAL"}, {ENFILE, "ENFILE"}, {EMFILE, "EMFILE"},
	{EFBIG, "EFBIG"},   {ENOSPC, "ENOSPC"}, {ERANGE, "ERANGE"}, {ENOSYS, "ENOSYS"},
	{EOVERFLOW, "EOVERFLOW"}, {ENOEXEC, "ENOEXEC"}, {E2BIG, "E2BIG"}, {ETXTBSY, "ETXTBSY"}, {ENAMETOOLONG, "ENAMETOOLONG"},
	{ELIBBAD, "ELIBBAD"},
};

const char *vmlab_errno_name(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (errnames[i].err == -err)
			return errnames[i].name;
	return "E?";
}

int vmlab_errno_parse(const char *name)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (!strcmp(errnames[i].name, name))
			return -errnames[i].err;
	return 0;
}
