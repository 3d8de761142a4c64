/* fs/proc/task_mmu.c - /proc/PID/maps, /proc/PID/smaps and the memory lines of status.
 *
 * Mirrors fs/proc/task_mmu.c (6.x): show_map_vma and show_vma_header_prefix (addresses with at
 * least 8 hex digits, perms, offset, device, inode, then the name padded to column 73),
 * get_vma_name with vma_is_initial_heap/vma_is_initial_stack, show_smap/__show_smap (each field
 * a 16-column label and "%8lu kB"), smaps_account with Pss in fixed point (PSS_SHIFT = 12),
 * show_smap_vma_flags, and task_mem for status. The gate VMA ([vsyscall], vsyscall=xonly) is
 * listed last by maps and smaps, as on x86_64.
 *
 * Simplifications: no [anon:NAME] (no prctl names), no THP (THPeligible is always 0,
 * AnonHugePages & co. 0), no hugetlb, no KSM, no ProtectionKey line (as on a CPU without PKU).
 * Mapcounts are exact (vmlab stores the count, not count-1).
 */
#include "fs/proc/seq.h"

#define PSS_SHIFT 12
#define MAPS_NAME_COL (25 + 6 * 8 - 1) /* seq_setwidth: 72 on 64-bit; then one space */

/* vma_is_initial_heap: overlaps [start_brk, brk); an empty heap (brk == start_brk) has no VMA. */
static bool vma_is_initial_heap(const struct mm_struct *mm, const struct vm_area_struct *v)
{
	return v->vm_start < mm->brk && v->vm_end > mm->start_brk;
}

/* vma_is_initial_stack: contains start_stack (both ends inclusive, as Linux tests it). */
static bool vma_is_initial_stack(const struct mm_struct *mm, const struct vm_area_struct *v)
{
	return v->vm_start <= mm->start_stack && v->vm_end >= mm->start_stack;
}

/* get_vma_name: the file path (shmem objects are "/dev/zero (deleted)"), the name of a
 * special mapping ([vdso], [vvar], [vvar_vclock]), [heap], [stack]. */
static const char *vma_name(const struct mm_struct *mm, const struct vm_area_struct *v)
{
	if (v->vm_file)
		return v->vm_file->path;
	if (v->vm_ops && v->vm_ops->name)
		return v->vm_ops->name; /* vm_ops->name(): only special mappings name themselves */
	if (vma_is_initial_heap(mm, v))
		return "[heap]";
	if (vma_is_initial_stack(mm, v))
		return "[stack]";
	return NULL;
}

/* show_vma_header_prefix, then the name padded to column 73 when there is one. */
static void map_line(struct seq_file *s, uint64_t start, uint64_t end, uint64_t flags,
		     uint64_t pgoff_bytes, uint32_t dev, uint64_t ino, const char *name)
{
	seq_printf(s, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ", (unsigned long long)start,
		   (unsigned long long)end, (flags & VM_READ) ? 'r' : '-',
		   (flags & VM_WRITE) ? 'w' : '-', (flags & VM_EXEC) ? 'x' : '-',
		   (flags & VM_MAYSHARE) ? 's' : 'p', (unsigned long long)pgoff_bytes, dev >> 20,
		   dev & 0xfffff, (unsigned long long)ino);
	if (name) {
		seq_pad(s, MAPS_NAME_COL, ' ');
		seq_printf(s, "%s", name);
	}
	seq_printf(s, "\n");
}

static void show_map_vma(struct seq_file *s, const struct mm_struct *mm,
			 const struct vm_area_struct *v)
{
	uint64_t ino = 0, pgoff = 0;
	uint32_t dev = 0;

	if (v->vm_file) {
		ino = v->vm_file->f_inode->i_ino;
		dev = v->vm_file->f_inode->i_dev;
		pgoff = v->vm_pgoff << PAGE_SHIFT;
	}
	map_line(s, v->vm_start, v->vm_end, v->vm_flags, pgoff, dev, ino, vma_name(mm, v));
}

/* The gate VMA: the legacy vsyscall page, execute-only (vsyscall=xonly, the 5.x+ default). */
#define GATE_START 0xffffffffff600000ull
#define GATE_END 0xffffffffff601000ull
#define GATE_FLAGS VM_EXEC

static void show_gate_vma(struct seq_file *s)
{
	map_line(s, GATE_START, GATE_END, GATE_FLAGS, 0, 0, 0, "[vsyscall]");
}

void proc_maps(struct vmlab *m, struct task_struct *t, struct seq_file *s)
{
	struct vm_area_struct *v;

	(void)m;
	for_each_vma(t->mm, v)
		show_map_vma(s, t->mm, v);
	show_gate_vma(s);
}

/* ---- smaps ----------------------------------------------------------------------------- */

struct mem_size_stats {
	struct vmlab *m;
	bool locked;      /* the VMA is VM_LOCKED: its Pss counts as Locked */
	uint64_t resident, shared_clean, shared_dirty, private_clean, private_dirty, referenced,
		anonymous, lazyfree, swap; /* bytes */
	uint64_t pss, pss_dirty, pss_locked, swap_pss; /* bytes << PSS_SHIFT */
};

/* smaps_page_accumulate: one page's share, as shared or private, clean or dirty. */
static void smaps_page_accumulate(struct mem_size_stats *mss, uint64_t pss, bool dirty,
				  bool private)
{
	mss->pss += pss;
	if (mss->locked)
		mss->pss_locked += pss;
	if (dirty) {
		mss->pss_dirty += pss;
		if (private)
			mss->private_dirty += PAGE_SIZE;
		else
			mss->shared_dirty += PAGE_SIZE;
	} else {
		if (private)
			mss->private_clean += PAGE_SIZE;
		else
			mss->shared_clean += PAGE_SIZE;
	}
}

/* smaps_pte_entry + smaps_account for one PTE (vmlab has only 4 KiB mappings). */
static void smaps_pte_entry(void *ctx, uint64_t addr, pteval_t *ptep)
{
	struct mem_size_stats *mss = ctx;
	pteval_t pte = *ptep;
	struct page *p;
	bool dirty;
	int mapcount;
	uint64_t pss;

	(void)addr;
	if (!pte_present(pte)) {
		if (pte) { /* a swap entry: shared by swap_count PTEs (after fork) */
			int count = __swap_count(mss->m, pte_to_swp_entry(pte));

			mss->swap += PAGE_SIZE;
			mss->swap_pss += ((uint64_t)PAGE_SIZE << PSS_SHIFT) / (uint64_t)(count > 1 ? count : 1);
		}
		return;
	}
	/* vm_normal_page(): the zero page and special mappings have no counted struct page */
	if ((pte & _PAGE_SPECIAL) || is_zero_pfn(mss->m, pte_pfn(pte)))
		return;
	p = pfn_to_page(mss->m, pte_pfn(pte));
	dirty = pte_dirty(pte) || (p->flags & PG_dirty);
	if (p->flags & PG_anon) {
		mss->anonymous += PAGE_SIZE;
		if (!(p->flags & PG_swapbacked) && !dirty) /* MADV_FREE'd: lazily freeable */
			mss->lazyfree += PAGE_SIZE;
	}
	mss->resident += PAGE_SIZE;
	if (pte_young(pte) || (p->flags & PG_referenced))
		mss->referenced += PAGE_SIZE;
	/* Linux first takes refcount == 1 as "mapped once"; the mapcount says the same here */
	mapcount = page_mapcount(p);
	pss = (uint64_t)PAGE_SIZE << PSS_SHIFT;
	if (mapcount >= 2)
		pss /= (uint64_t)mapcount;
	smaps_page_accumulate(mss, pss, dirty, mapcount < 2);
}

/* show_smap_vma_flags: two letters for each set bit, in bit order (Linux 6.x mnemonics). */
static void show_smap_vma_flags(struct seq_file *s, uint64_t flags)
{
	static const char mnemonics[32][3] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", /* VM_READ .. VM_MAYSHARE */
		"gd", "um", "pf", "",   "uw", "lo", "io", "sr", /* GROWSDOWN, UFFD_MISSING, PFNMAP, -,
								 * UFFD_WP, LOCKED, IO, SEQ_READ */
		"rr", "dc", "de", "lf", "ac", "nr", "ht", "sf", /* RAND_READ .. HUGETLB, SYNC */
		"ar", "wf", "dd", "sd", "mm", "hg", "nh", "mg", /* ARCH_1 (PAT) .. MERGEABLE */
	};
	int b;

	seq_printf(s, "VmFlags: ");
	for (b = 0; b < 32; b++)
		if ((flags & (1ull << b)) && mnemonics[b][0])
			seq_printf(s, "%s ", mnemonics[b]);
	seq_printf(s, "\n");
}

/* SEQ_PUT_DEC: a 16-column label (part of the string), the value in kB in 8 columns. */
static void put_kb(struct seq_file *s, const char *label, uint64_t bytes)
{
	seq_kb(s, label, bytes >> 10, 8);
}

/* show_smap + __show_smap (rollup_mode false) for one VMA's statistics. */
static void show_smap(struct seq_file *s, uint64_t size, const struct mem_size_stats *mss,
		      uint64_t flags)
{
	put_kb(s, "Size:           ", size);
	put_kb(s, "KernelPageSize: ", PAGE_SIZE);
	put_kb(s, "MMUPageSize:    ", PAGE_SIZE);
	put_kb(s, "Rss:            ", mss->resident);
	put_kb(s, "Pss:            ", mss->pss >> PSS_SHIFT);
	put_kb(s, "Pss_Dirty:      ", mss->pss_dirty >> PSS_SHIFT);
	put_kb(s, "Shared_Clean:   ", mss->shared_clean);
	put_kb(s, "Shared_Dirty:   ", mss->shared_dirty);
	put_kb(s, "Private_Clean:  ", mss->private_clean);
	put_kb(s, "Private_Dirty:  ", mss->private_dirty);
	put_kb(s, "Referenced:     ", mss->referenced);
	put_kb(s, "Anonymous:      ", mss->anonymous);
	put_kb(s, "KSM:            ", 0);
	put_kb(s, "LazyFree:       ", mss->lazyfree);
	put_kb(s, "AnonHugePages:  ", 0);
	put_kb(s, "ShmemPmdMapped: ", 0);
	put_kb(s, "FilePmdMapped:  ", 0);
	put_kb(s, "Shared_Hugetlb: ", 0);
	seq_kb(s, "Private_Hugetlb: ", 0, 7); /* the one label of 17 columns, value in 7 */
	put_kb(s, "Swap:           ", mss->swap);
	put_kb(s, "SwapPss:        ", mss->swap_pss >> PSS_SHIFT);
	put_kb(s, "Locked:         ", mss->pss_locked >> PSS_SHIFT);
	seq_printf(s, "THPeligible:    %8u\n", 0u);
	show_smap_vma_flags(s, flags);
}

void proc_smaps(struct vmlab *m, struct task_struct *t, struct seq_file *s)
{
	struct mem_size_stats gate = {.m = m};
	struct vm_area_struct *v;

	for_each_vma(t->mm, v) {
		struct mem_size_stats mss = {.m = m, .locked = (v->vm_flags & VM_LOCKED) != 0};

		walk_page_range(m, t->mm, v->vm_start, v->vm_end, smaps_pte_entry, &mss);
		/* shmem_swap_usage: a shmem object's pages on swap count for the VMA mapping them
		 * (Linux does this when the whole object is mapped shared, as vmlab's always is) */
		if (v->vm_file && v->vm_file->f_inode->shmem) {
			uint64_t sw = shmem_swap_usage(m, v) << PAGE_SHIFT;

			mss.swap += sw;
			mss.swap_pss += sw << PSS_SHIFT;
		}
		show_map_vma(s, t->mm, v);
		show_smap(s, v->vm_end - v->vm_start, &mss, v->vm_flags);
	}
	/* the gate page is not in the process's page tables: nothing resident */
	show_gate_vma(s);
	show_smap(s, GATE_END - GATE_START, &gate, GATE_FLAGS);
}

/* ---- status: task_mem ------------------------------------------------------------------- */

/* The memory lines of /proc/PID/status, VmPeak .. VmSwap, then HugetlbPages (always 0: vmlab
 * has no hugetlbfs). All values in kB, "%8lu" after "Name:\t". */
void task_mem(struct seq_file *s, const struct mm_struct *mm)
{
	uint64_t anon = clamp_counter(mm->rss_stat[MM_ANONPAGES]);
	uint64_t file = clamp_counter(mm->rss_stat[MM_FILEPAGES]);
	uint64_t shmem = clamp_counter(mm->rss_stat[MM_SHMEMPAGES]);
	uint64_t swap = clamp_counter(mm->rss_stat[MM_SWAPENTS]);
	uint64_t total_rss = anon + file + shmem, text, lib;
	const int k = PAGE_SHIFT - 10; /* pages to kB */

	/* split executable areas between text (the ELF's code) and libraries */
	text = mm->end_code > mm->start_code ? PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK)
					     : 0;
	text = MIN(text, mm->exec_vm << PAGE_SHIFT);
	lib = (mm->exec_vm << PAGE_SHIFT) - text;

	seq_kb(s, "VmPeak:\t", MAX(mm->hiwater_vm, mm->total_vm) << k, 8);
	seq_kb(s, "VmSize:\t", mm->total_vm << k, 8);
	seq_kb(s, "VmLck:\t", mm->locked_vm << k, 8);
	seq_kb(s, "VmPin:\t", mm->pinned_vm << k, 8);
	seq_kb(s, "VmHWM:\t", MAX(mm->hiwater_rss, total_rss) << k, 8);
	seq_kb(s, "VmRSS:\t", total_rss << k, 8);
	seq_kb(s, "RssAnon:\t", anon << k, 8);
	seq_kb(s, "RssFile:\t", file << k, 8);
	seq_kb(s, "RssShmem:\t", shmem << k, 8);
	seq_kb(s, "VmData:\t", mm->data_vm << k, 8);
	seq_kb(s, "VmStk:\t", mm->stack_vm << k, 8);
	seq_kb(s, "VmExe:\t", text >> 10, 8);
	seq_kb(s, "VmLib:\t", lib >> 10, 8);
	seq_kb(s, "VmPTE:\t", clamp_counter(mm->pgtables_bytes) >> 10, 8);
	seq_kb(s, "VmSwap:\t", swap << k, 8);
	seq_kb(s, "HugetlbPages:\t", 0, 8); /* hugetlb_report_usage */
}
