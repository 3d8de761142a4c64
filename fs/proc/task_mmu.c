/* fs/proc/task_mmu.c - /proc/PID/maps, smaps and the memory lines of status.
 *
 * Mirrors fs/proc/task_mmu.c: show_map_vma (addresses with at least 8 hex digits, perms,
 * offset, device, inode, then the name padded to column 73), show_smap/__show_smap (each
 * field "%-16s%8lu kB", Pss accumulated in fixed point with PSS_SHIFT = 12), task_mem for
 * status, and fs/proc/array.c for the rest of status. The gate VMA ([vsyscall]) is listed
 * last, as on x86_64.
 */
#include "fs/proc/seq.h"

#define PSS_SHIFT 12
#define MAPS_NAME_COL (25 + 6 * 8 - 1) /* 72 on 64-bit; the name follows one more space */

static const char *vma_name(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *v)
{
	(void)m;
	if (v->vm_file)
		return v->vm_file->path;
	/* vma_is_initial_heap / vma_is_initial_stack */
	if (v->vm_start <= mm->brk && v->vm_end >= mm->start_brk && mm->brk > mm->start_brk)
		return "[heap]";
	if (v->vm_start <= mm->start_stack && v->vm_end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

static void map_line(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *v,
		     struct seq_file *s)
{
	uint64_t ino = 0, pgoff = 0;
	unsigned dev = 0;
	const char *name = vma_name(m, mm, v);

	if (v->vm_file) {
		ino = v->vm_file->f_inode->i_ino;
		dev = v->vm_file->f_inode->i_dev;
		pgoff = v->vm_pgoff << PAGE_SHIFT;
	}
	seq_printf(s, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
		   (unsigned long long)v->vm_start, (unsigned long long)v->vm_end,
		   (v->vm_flags & VM_READ) ? 'r' : '-', (v->vm_flags & VM_WRITE) ? 'w' : '-',
		   (v->vm_flags & VM_EXEC) ? 'x' : '-', (v->vm_flags & VM_MAYSHARE) ? 's' : 'p',
		   (unsigned long long)pgoff, dev >> 20, dev & 0xfffff, (unsigned long long)ino);
	if (name) {
		seq_pad(s, MAPS_NAME_COL, ' ');
		seq_printf(s, "%s", name);
	}
	seq_printf(s, "\n");
}

static void gate_line(struct seq_file *s)
{
	seq_printf(s, "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 ");
	seq_pad(s, MAPS_NAME_COL, ' ');
	seq_printf(s, "[vsyscall]\n");
}

void proc_maps(struct vmlab *m, struct task_struct *t, struct seq_file *s)
{
	struct vm_area_struct *v;

	for_each_vma(t->mm, v)
		map_line(m, t->mm, v, s);
	gate_line(s);
}

struct mem_size_stats {
	struct vmlab *m;
	uint64_t resident, shared_clean, shared_dirty, private_clean, private_dirty, referenced,
		anonymous, swap, pss, pss_dirty;
};

static void smaps_pte(void *c, uint64_t addr, pteval_t *ptep)
{
	struct mem_size_stats *mss = c;
	pteval_t e = *ptep;
	struct page *p;
	uint64_t pss;
	int dirty, mapcount;

	(void)addr;
	if (!pte_present(e)) {
		mss->swap += PAGE_SIZE;
		return;
	}
	if (e & _PAGE_SPECIAL)
		return; /* vm_normal_page() is NULL for the zero page: not counted */
	p = pfn_to_page(mss->m, pte_pfn(e));
	dirty = pte_dirty(e) || (p->flags & PG_dirty);
	mss->resident += PAGE_SIZE;
	if (pte_young(e) || (p->flags & PG_referenced))
		mss->referenced += PAGE_SIZE;
	if (p->flags & PG_anon)
		mss->anonymous += PAGE_SIZE;
	mapcount = p->_mapcount;
	if (mapcount >= 2) {
		pss = ((uint64_t)PAGE_SIZE << PSS_SHIFT) / (uint64_t)mapcount;
		if (dirty)
			mss->shared_dirty += PAGE_SIZE;
		else
			mss->shared_clean += PAGE_SIZE;
	} else {
		pss = (uint64_t)PAGE_SIZE << PSS_SHIFT;
		if (dirty)
			mss->private_dirty += PAGE_SIZE;
		else
			mss->private_clean += PAGE_SIZE;
	}
	mss->pss += pss;
	if (dirty)
		mss->pss_dirty += pss;
}

static void vma_flags(struct vm_area_struct *v, struct seq_file *s)
{
	static const char *const mnem[32] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "", "pf", "", "", "lo", "io", "sr",
		"rr", "dc", "de", "lf", "ac", "nr", "ht", "sf", "ar", "wf", "dd", "sd", "mm", "hg", "nh", "mg"};
	int b;

	seq_printf(s, "VmFlags: ");
	for (b = 0; b < 32; b++)
		if ((v->vm_flags & (1ull << b)) && mnem[b][0])
			seq_printf(s, "%s ", mnem[b]);
	seq_printf(s, "\n");
}

#define KB(x) ((unsigned long long)((x) >> 10))

void proc_smaps(struct vmlab *m, struct task_struct *t, struct seq_file *s)
{
	struct vm_area_struct *v;

	for_each_vma(t->mm, v) {
		struct mem_size_stats mss = {.m = m};
		uint64_t size = v->vm_end - v->vm_start;

		walk_page_range(m, t->mm, v->vm_start, v->vm_end, smaps_pte, &mss);
		map_line(m, t->mm, v, s);
		seq_printf(s, "Size:           %8llu kB\n", KB(size));
		seq_printf(s, "KernelPageSize: %8llu kB\n", KB(PAGE_SIZE));
		seq_printf(s, "MMUPageSize:    %8llu kB\n", KB(PAGE_SIZE));
		seq_printf(s, "Rss:            %8llu kB\n", KB(mss.resident));
		seq_printf(s, "Pss:            %8llu kB\n", KB(mss.pss >> PSS_SHIFT));
		seq_printf(s, "Pss_Dirty:      %8llu kB\n", KB(mss.pss_dirty >> PSS_SHIFT));
		seq_printf(s, "Shared_Clean:   %8llu kB\n", KB(mss.shared_clean));
		seq_printf(s, "Shared_Dirty:   %8llu kB\n", KB(mss.shared_dirty));
		seq_printf(s, "Private_Clean:  %8llu kB\n", KB(mss.private_clean));
		seq_printf(s, "Private_Dirty:  %8llu kB\n", KB(mss.private_dirty));
		seq_printf(s, "Referenced:     %8llu kB\n", KB(mss.referenced));
		seq_printf(s, "Anonymous:      %8llu kB\n", KB(mss.anonymous));
		seq_printf(s, "KSM:            %8llu kB\n", 0ull);
		seq_printf(s, "LazyFree:       %8llu kB\n", 0ull);
		seq_printf(s, "AnonHugePages:  %8llu kB\n", 0ull);
		seq_printf(s, "ShmemPmdMapped: %8llu kB\n", 0ull);
		seq_printf(s, "FilePmdMapped:  %8llu kB\n", 0ull);
		seq_printf(s, "Shared_Hugetlb: %8llu kB\n", 0ull);
		seq_printf(s, "Private_Hugetlb: %7llu kB\n", 0ull);
		seq_printf(s, "Swap:           %8llu kB\n", KB(mss.swap));
		seq_printf(s, "SwapPss:        %8llu kB\n", KB(mss.swap));
		seq_printf(s, "Locked:         %8llu kB\n",
			   (v->vm_flags & VM_LOCKED) ? KB(mss.pss >> PSS_SHIFT) : 0ull);
		seq_printf(s, "THPeligible:    %8u\n", 0u);
		vma_flags(v, s);
	}
}

void task_mem_values(struct vmlab *m, struct mm_struct *mm, struct mem_values *v)
{
	uint64_t rss = get_mm_rss(mm), text;

	(void)m;
	memset(v, 0, sizeof(*v));
	v->total_vm = mm->total_vm;
	v->hiwater_vm = MAX(mm->hiwater_vm, mm->total_vm);
	v->hiwater_rss = MAX(mm->hiwater_rss, rss);
	v->rss_anon = (uint64_t)mm->rss_stat[MM_ANONPAGES];
	v->rss_file = (uint64_t)mm->rss_stat[MM_FILEPAGES];
	v->rss_shmem = (uint64_t)mm->rss_stat[MM_SHMEMPAGES];
	v->swap = (uint64_t)mm->rss_stat[MM_SWAPENTS];
	v->data = mm->data_vm;
	v->stack = mm->stack_vm;
	text = mm->end_code > mm->start_code ? PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK) : 0;
	v->text = text >> 10;
	v->lib = mm->exec_vm * 4 > v->text ? mm->exec_vm * 4 - v->text : 0;
	v->pte_kb = (uint64_t)mm->pgtables_bytes >> 10;
	v->locked = mm->locked_vm;
	v->pinned = mm->pinned_vm;
}

void proc_status(struct vmlab *m, struct task_struct *t, struct seq_file *s)
{
	struct mem_values v;

	task_mem_values(m, t->mm, &v);
	seq_printf(s, "Name:\t%s\nUmask:\t0022\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		      "PPid:\t%d\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\n"
		      "Groups:\t \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n",
		   t->comm, t->pid, t->pid, t->ppid, t->pid, t->pid, t->pid, t->pid);
	seq_printf(s, "VmPeak:\t%8llu kB\n", (unsigned long long)v.hiwater_vm * 4);
	seq_printf(s, "VmSize:\t%8llu kB\n", (unsigned long long)v.total_vm * 4);
	seq_printf(s, "VmLck:\t%8llu kB\n", (unsigned long long)v.locked * 4);
	seq_printf(s, "VmPin:\t%8llu kB\n", (unsigned long long)v.pinned * 4);
	seq_printf(s, "VmHWM:\t%8llu kB\n", (unsigned long long)v.hiwater_rss * 4);
	seq_printf(s, "VmRSS:\t%8llu kB\n",
		   (unsigned long long)(v.rss_anon + v.rss_file + v.rss_shmem) * 4);
	seq_printf(s, "RssAnon:\t%8llu kB\n", (unsigned long long)v.rss_anon * 4);
	seq_printf(s, "RssFile:\t%8llu kB\n", (unsigned long long)v.rss_file * 4);
	seq_printf(s, "RssShmem:\t%8llu kB\n", (unsigned long long)v.rss_shmem * 4);
	seq_printf(s, "VmData:\t%8llu kB\n", (unsigned long long)v.data * 4);
	seq_printf(s, "VmStk:\t%8llu kB\n", (unsigned long long)v.stack * 4);
	seq_printf(s, "VmExe:\t%8llu kB\n", (unsigned long long)v.text);
	seq_printf(s, "VmLib:\t%8llu kB\n", (unsigned long long)v.lib);
	seq_printf(s, "VmPTE:\t%8llu kB\n", (unsigned long long)v.pte_kb);
	seq_printf(s, "VmSwap:\t%8llu kB\n", (unsigned long long)v.swap * 4);
	seq_printf(s, "HugetlbPages:\t%8llu kB\n", 0ull);
	seq_printf(s, "CoreDumping:\t0\nTHP_enabled:\t%d\nuntag_mask:\t0xffffffffffffffff\n"
		      "Threads:\t1\nSigQ:\t0/%llu\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
		      "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n"
		      "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
		      "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
		      "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tthread vulnerable\n"
		      "SpeculationIndirectBranch:\tconditional enabled\nCpus_allowed:\t%x\n"
		      "Cpus_allowed_list:\t0%s%.0u\nMems_allowed:\t00000001\nMems_allowed_list:\t0\n"
		      "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
		   strcmp(m->cfg.thp, "never") != 0, (unsigned long long)(m->totalram_pages / 64),
		   (1u << m->cfg.nr_cpus) - 1, m->cfg.nr_cpus > 1 ? "-" : "",
		   m->cfg.nr_cpus - 1);
}
