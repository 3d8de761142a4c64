/* mm/mmap.c - mmap, munmap, brk, the top-down layout, and tearing an address space down.
 *
 * Mirrors mm/mmap.c (do_mmap, mmap_region, do_brk_flags, sys_brk, exit_mmap), mm/util.c
 * (__vm_enough_memory in the default OVERCOMMIT_GUESS mode) and arch/x86/mm/mmap.c
 * (arch_pick_mmap_layout: mmap_base = TASK_SIZE - gap - rnd, gap clamped to at least 128 MiB).
 *
 * Host files are placed by thp_get_unmapped_area as on ext4 (PMD alignment of mappings that
 * cover 2 MiB of the file); anonymous mappings are not (Linux 6.7+ aligns anonymous ones whose
 * length is a multiple of 2 MiB; vmlab has no THP yet).
 *
 * Simplification: the top-down search walks VMAs downward from a cached position
 * (free_area_cache + cached_hole_size, as Linux 2.6 did) instead of an augmented tree of gaps;
 * it finds the same address as Linux's unmapped_area_topdown (the highest fitting gap below
 * mmap_base) because the cache is reset whenever a hole may have opened above it.
 */
#include "mm/internal.h"

#define ELF_ET_DYN_BASE ((DEFAULT_MAP_WINDOW / 3 * 2) & PAGE_MASK)
#define MMAP_GAP_MIN (128ull << 20)
#define STACK_RND_MASK 0x3fffffull /* pages: 16 GiB */
#define MMAP_RND_BITS 28
#define BRK_RND_RANGE (1ull << 30)
#define INITIAL_STACK_BYTES (128ull * 1024 + PAGE_SIZE) /* setup_arg_pages: 128 KiB + args */

static inline uint64_t vm_start_gap(const struct vm_area_struct *v)
{
	if (v->vm_flags & VM_GROWSDOWN)
		return v->vm_start > STACK_GUARD_GAP ? v->vm_start - STACK_GUARD_GAP : 0;
	return v->vm_start;
}

static struct vm_area_struct *last_vma(struct mm_struct *mm)
{
	return list_empty(&mm->mmap_list) ? NULL
					  : list_last_entry(&mm->mmap_list, struct vm_area_struct, vm_list);
}

/* __vm_enough_memory, OVERCOMMIT_GUESS: only a single request larger than RAM + swap fails. */
static int vm_enough_memory(struct vmlab *m, uint64_t pages)
{
	uint64_t swap_pages = m->cfg.swap >> PAGE_SHIFT;

	return pages > m->totalram_pages + swap_pages ? -ENOMEM : 0;
}

static void vm_acct(struct vmlab *m, uint64_t vm_flags, int64_t pages)
{
	if (vm_flags & VM_ACCOUNT)
		m->vm_committed_as += pages;
}

/* ---- layout ------------------------------------------------------------------------------- */

int mm_init_layout(struct vmlab *m, struct mm_struct *mm, uint64_t *stack_top)
{
	uint64_t top = TASK_SIZE_MAX, gap = STACK_RLIMIT + STACK_GUARD_GAP, rnd = 0;
	int err;

	INIT_LIST_HEAD(&mm->mmap_list);
	mm->mm_rb = NULL;
	mm->task_size = TASK_SIZE_MAX;
	mm->mm_users = 1;
	mm->context_id = ++m->next_context_id;
	err = pgd_alloc(m, mm);
	if (err)
		return err;
	if (m->cfg.randomize) {
		/* randomize_stack_top, arch_mmap_rnd (28 bits of pages), arch_randomize_brk */
		top -= (prandom_u64(m) & STACK_RND_MASK) << PAGE_SHIFT;
		gap += STACK_RND_MASK << PAGE_SHIFT; /* stack_maxrandom_size pad */
		rnd = (prandom_u64(m) & ((1ull << MMAP_RND_BITS) - 1)) << PAGE_SHIFT;
	}
	if (gap < MMAP_GAP_MIN)
		gap = MMAP_GAP_MIN;
	mm->mmap_base = PAGE_ALIGN(TASK_SIZE_MAX - gap - rnd);
	mm->free_area_cache = mm->mmap_base;
	mm->cached_hole_size = 0;
	/* Simplification: a spawned process has no program yet; its break starts where the
	 * kernel would load a PIE (ELF_ET_DYN_BASE), randomized like brk when ASLR is on. exec
	 * moves it above the program's bss. */
	mm->start_brk = ELF_ET_DYN_BASE;
	if (m->cfg.randomize)
		mm->start_brk += (prandom_u64(m) % (BRK_RND_RANGE >> PAGE_SHIFT)) << PAGE_SHIFT;
	mm->brk = mm->start_brk;
	mm->start_stack = top;
	*stack_top = top;
	return 0;
}

struct vm_area_struct *insert_stack_vma(struct vmlab *m, struct mm_struct *mm, uint64_t start,
					uint64_t end, uint64_t vm_flags)
{
	struct vm_area_struct *stack = vm_area_alloc(m, mm);
	int64_t pages = (int64_t)((end - start) >> PAGE_SHIFT);

	if (!stack)
		return NULL;
	stack->vm_start = start;
	stack->vm_end = end;
	stack->vm_flags = vm_flags;
	stack->vm_page_prot = vm_get_page_prot(vm_flags);
	stack->vm_pgoff = start >> PAGE_SHIFT;
	vma_link(mm, stack);
	vm_acct(m, vm_flags, pages);
	vm_stat_account(mm, vm_flags, pages);
	return stack;
}

int mm_setup_new(struct vmlab *m, struct mm_struct *mm)
{
	uint64_t top;
	int err = mm_init_layout(m, mm, &top);

	if (err)
		return err;
	if (!insert_stack_vma(m, mm, top - INITIAL_STACK_BYTES, top, VM_STACK_FLAGS))
		return -ENOMEM;
	return 0;
}

static void reset_free_area_cache(struct mm_struct *mm)
{
	mm->free_area_cache = mm->mmap_base;
	mm->cached_hole_size = 0;
}

/* unmapped_area_topdown below mm->free_area_cache; 0 when nothing fits. */
static uint64_t topdown_search(struct mm_struct *mm, uint64_t len, uint64_t low_limit)
{
	uint64_t limit = mm->free_area_cache, hi;
	struct vm_area_struct *above, *below;

	above = limit ? find_vma(mm, limit - 1) : NULL;
	hi = limit;
	if (above && vm_start_gap(above) < hi)
		hi = vm_start_gap(above);
	below = above ? vma_prev(mm, above) : last_vma(mm);
	/* `below` must lie under hi: skip VMAs that reach above it (the one containing limit-1) */
	while (below && below->vm_end > hi) {
		hi = MIN(hi, vm_start_gap(below));
		below = vma_prev(mm, below);
	}
	for (;;) {
		uint64_t lo = below ? MAX(below->vm_end, low_limit) : low_limit;

		if (hi > lo && hi - lo >= len) {
			mm->free_area_cache = hi - len;
			return hi - len;
		}
		if (hi > lo && hi - lo > mm->cached_hole_size)
			mm->cached_hole_size = hi - lo;
		if (!below)
			return 0;
		hi = vm_start_gap(below);
		below = vma_prev(mm, below);
	}
}

/* arch_get_unmapped_area (bottom-up from TASK_UNMAPPED_BASE), the top-down fallback. */
static uint64_t bottomup_search(struct mm_struct *mm, uint64_t len)
{
	uint64_t addr = PAGE_ALIGN(mm->task_size / 3);
	struct vm_area_struct *v = find_vma(mm, addr);

	for (;;) {
		uint64_t end = v ? vm_start_gap(v) : mm->task_size;

		if (addr <= mm->task_size - len && addr + len <= end)
			return addr;
		if (!v)
			return 0;
		addr = MAX(addr, v->vm_end);
		v = vma_next(mm, v);
	}
}

int get_unmapped_area(struct vmlab *m, struct mm_struct *mm, uint64_t hint, uint64_t len,
		      uint64_t *out)
{
	uint64_t low = MAX(PAGE_SIZE, MMAP_MIN_ADDR), addr;

	if (len > mm->task_size)
		return -ENOMEM;
	if (hint) {
		struct vm_area_struct *v;

		hint = PAGE_ALIGN(hint);
		v = find_vma(mm, hint);
		if (hint >= low && hint <= mm->task_size - len &&
		    (!v || hint + len <= vm_start_gap(v)) &&
		    (!v || !vma_prev(mm, v) || vma_prev(mm, v)->vm_end <= hint)) {
			*out = hint;
			return 0;
		}
	}
	if (len <= mm->cached_hole_size)
		reset_free_area_cache(mm);
	addr = topdown_search(mm, len, low);
	if (!addr && mm->free_area_cache != mm->mmap_base) {
		reset_free_area_cache(mm);
		addr = topdown_search(mm, len, low);
	}
	if (!addr)
		addr = bottomup_search(mm, len);
	if (!addr)
		return -ENOMEM;
	(void)m;
	*out = addr;
	return 0;
}

/* thp_get_unmapped_area, the get_unmapped_area of ext4 and the other filesystems with large
 * folios: a file mapping that covers a whole 2 MiB-aligned part of the file is placed so that
 * its address and its file offset agree modulo 2 MiB (PMD-mappable). The search asks for
 * 2 MiB more; top-down, the mapping then takes the highest aligned spot in that room. */
static int thp_get_unmapped_area(struct vmlab *m, struct mm_struct *mm, uint64_t hint,
				 uint64_t len, uint64_t pgoff, uint64_t *out)
{
	const uint64_t size = PMD_SIZE;
	uint64_t off = pgoff << PAGE_SHIFT, off_end = off + len;
	uint64_t off_align = (off + size - 1) & ~(size - 1), len_pad = len + size, ret, off_sub;

	if (off_end < off || off_end <= off_align || off_end - off_align < size || len_pad < len ||
	    off + len_pad < off || get_unmapped_area(m, mm, hint, len_pad, &ret))
		return get_unmapped_area(m, mm, hint, len, out);
	if (hint && ret == PAGE_ALIGN(hint)) {
		*out = ret; /* the hint fits: no alignment */
		return 0;
	}
	off_sub = (off - ret) & (size - 1);
	*out = off_sub ? ret + off_sub : ret + size;
	reset_free_area_cache(mm); /* room was left above the mapping */
	return 0;
}

/* ---- mmap --------------------------------------------------------------------------------- */

static uint64_t calc_vm_flags(int prot, int flags)
{
	uint64_t vm = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (prot & VMLAB_PROT_READ)
		vm |= VM_READ;
	if (prot & VMLAB_PROT_WRITE)
		vm |= VM_WRITE;
	if (prot & VMLAB_PROT_EXEC)
		vm |= VM_EXEC;
	if ((flags & 3) == VMLAB_MAP_SHARED)
		vm |= VM_SHARED | VM_MAYSHARE;
	if (flags & VMLAB_MAP_NORESERVE)
		vm |= VM_NORESERVE;
	if (flags & VMLAB_MAP_GROWSDOWN)
		vm |= VM_GROWSDOWN;
	if (flags & VMLAB_MAP_LOCKED)
		vm |= VM_LOCKED;
	return vm;
}

int do_mmap(struct vmlab *m, struct task_struct *t, uint64_t addr, uint64_t len, int prot,
	    int flags, struct file *file, uint64_t pgoff, uint64_t *out)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *vma;
	uint64_t vm_flags, pages, end;
	int type = flags & 3, err;

	if (!len || (prot & ~(VMLAB_PROT_READ | VMLAB_PROT_WRITE | VMLAB_PROT_EXEC)))
		return -EINVAL;
	if (type != VMLAB_MAP_SHARED && type != VMLAB_MAP_PRIVATE)
		return -EINVAL;
	if (!(flags & VMLAB_MAP_ANONYMOUS) && !file)
		return -EBADF;
	if (len > mm->task_size || PAGE_ALIGN(len) < len)
		return -ENOMEM;
	len = PAGE_ALIGN(len);
	pages = len >> PAGE_SHIFT;
	if (pgoff + pages < pgoff)
		return -EOVERFLOW;
	if (mm->map_count > DEFAULT_MAX_MAP_COUNT)
		return -ENOMEM;
	if (flags & (VMLAB_MAP_FIXED | VMLAB_MAP_FIXED_NOREPLACE)) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (addr > mm->task_size - len)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR)
			return -EPERM;
		if (flags & VMLAB_MAP_FIXED_NOREPLACE) {
			struct vm_area_struct *v = find_vma(mm, addr);

			if (v && v->vm_start < addr + len)
				return -EEXIST;
		}
	} else {
		if (file && !file->f_inode->shmem)
			err = thp_get_unmapped_area(m, mm, addr, len, pgoff, &addr);
		else
			err = get_unmapped_area(m, mm, addr, len, &addr);
		if (err)
			return err;
	}
	end = addr + len;
	vm_flags = calc_vm_flags(prot, flags);
	/* accountable_mapping: private writable memory is charged to Committed_AS */
	if ((vm_flags & (VM_WRITE | VM_SHARED | VM_NORESERVE)) == VM_WRITE) {
		if (vm_enough_memory(m, pages))
			return -ENOMEM;
		vm_flags |= VM_ACCOUNT;
	}
	if ((flags & VMLAB_MAP_FIXED) && find_vma(mm, addr) && find_vma(mm, addr)->vm_start < end) {
		err = do_munmap(m, mm, addr, len);
		if (err)
			return err;
	}
	vma = vm_area_alloc(m, mm);
	if (!vma)
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = end;
	vma->vm_flags = vm_flags;
	vma->vm_page_prot = vm_get_page_prot(vm_flags);
	vma->vm_pgoff = file ? pgoff : addr >> PAGE_SHIFT;
	if (file) {
		vma->vm_file = file;
		file_get(file);
		list_add_tail(&vma->shared, &file->f_inode->i_mapping->i_mmap);
		filemap_setup_vma(vma);
	} else if (vm_flags & VM_SHARED) {
		err = shmem_zero_setup(m, vma);
		if (err) {
			vm_area_free(m, vma);
			return err;
		}
	}
	vma_link(mm, vma);
	vm_acct(m, vm_flags, (int64_t)pages);
	vm_stat_account(mm, vm_flags, (int64_t)pages);
	/* vma_merge_new_range: anonymous memory, or the same open file at contiguous offsets
	 * (the segments an ELF loader maps from one file descriptor) */
	vma = vma_merge_neighbours(m, mm, vma);
	if (flags & (VMLAB_MAP_POPULATE | VMLAB_MAP_LOCKED)) {
		/* mm_populate: faults counted for t, inside this call (MAP_LOCKED populates too:
		 * the pages are mlocked as they are mapped) */
		uint64_t a = addr;

		while (a < end && (vma = vma_lookup(mm, a)) != NULL) {
			uint64_t e = MIN(end, vma->vm_end);

			if (populate_vma_page_range(m, t, vma, a, e))
				break;
			a = e;
		}
	}
	*out = addr;
	return 0;
}

/* ---- munmap --------------------------------------------------------------------------------- */

/* Removes [start, end) entirely covered VMAs starting at vma; frees page tables between the
 * neighbours. */
static void unmap_region(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma,
			 uint64_t end)
{
	struct vm_area_struct *prev = vma_prev(mm, vma), *next;

	while (vma && vma->vm_start < end) {
		uint64_t pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;

		next = vma_next(mm, vma);
		/* dirty shared file pages go back to the file first (vmscript: on munmap/exit) */
		filemap_write_vma(m, vma, vma->vm_start, vma->vm_end);
		zap_page_range(m, vma, vma->vm_start, vma->vm_end);
		vm_acct(m, vma->vm_flags, -(int64_t)pages);
		vm_stat_account(mm, vma->vm_flags, -(int64_t)pages);
		vma_unlink(mm, vma);
		vm_area_free(m, vma);
		vma = next;
	}
	free_pgtables(m, mm, prev ? prev->vm_end : 0, vma ? vma->vm_start : 0);
	reset_free_area_cache(mm);
}

int do_munmap(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t len)
{
	struct vm_area_struct *vma, *last;
	uint64_t end;
	int err;

	if ((start & ~PAGE_MASK) || start > mm->task_size || len > mm->task_size - start)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len)
		return -EINVAL;
	end = start + len;
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start >= end)
		return 0;
	if (start > vma->vm_start) {
		/* munmap must not leave map_count above the limit */
		if (end < vma->vm_end && mm->map_count >= DEFAULT_MAX_MAP_COUNT)
			return -ENOMEM;
		err = split_vma(m, mm, vma, start);
		if (err)
			return err;
		vma = vma_next(mm, vma);
	}
	last = find_vma(mm, end - 1);
	if (last && last->vm_start < end && end < last->vm_end) {
		err = split_vma(m, mm, last, end);
		if (err)
			return err;
	}
	unmap_region(m, mm, vma, end);
	return 0;
}

/* ---- brk ------------------------------------------------------------------------------------ */

/* do_brk_flags: anonymous memory at [addr, addr + len), expanding `vma` when it ends at addr
 * with the same flags (vma_expand), else a new VMA that is not merged with anything. */
static int do_brk_flags(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma,
			uint64_t addr, uint64_t len, uint64_t flags)
{
	uint64_t pages = len >> PAGE_SHIFT;

	if (mm->map_count > DEFAULT_MAX_MAP_COUNT)
		return -ENOMEM;
	if (vm_enough_memory(m, pages))
		return -ENOMEM;
	if (vma && vma->vm_end == addr && vma->vm_flags == flags && vma_is_anonymous(vma) &&
	    vma->vm_pgoff + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT) == addr >> PAGE_SHIFT) {
		vma->vm_end = addr + len; /* vma_expand */
	} else {
		vma = vm_area_alloc(m, mm);
		if (!vma)
			return -ENOMEM;
		vma->vm_start = addr;
		vma->vm_end = addr + len;
		vma->vm_flags = flags;
		vma->vm_page_prot = vm_get_page_prot(flags);
		vma->vm_pgoff = addr >> PAGE_SHIFT;
		vma_link(mm, vma);
	}
	vm_acct(m, flags, (int64_t)pages);
	vm_stat_account(mm, flags, (int64_t)pages);
	return 0;
}

int vm_brk_flags(struct vmlab *m, struct mm_struct *mm, uint64_t addr, uint64_t len,
		 uint64_t extra)
{
	struct vm_area_struct *next;
	int err;

	if (!len)
		return 0;
	if (PAGE_ALIGN(len) < len || (addr & ~PAGE_MASK))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (addr > mm->task_size || len > mm->task_size - addr)
		return -ENOMEM; /* check_brk_limits */
	if (addr < MMAP_MIN_ADDR)
		return -EPERM;
	next = find_vma(mm, addr);
	if (next && next->vm_start < addr + len) {
		err = do_munmap(m, mm, addr, len); /* vm_brk_flags replaces what was there */
		if (err)
			return err;
	}
	next = find_vma(mm, addr);
	err = do_brk_flags(m, mm, next ? vma_prev(mm, next) : last_vma(mm), addr, len,
			   VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | (extra & VM_EXEC));
	/* Simplification: Linux only expands the VMA before (so the bss ranges of an ELF file
	 * whose segments overlap can stay two VMAs); vmlab also merges with the one after. */
	if (!err && (next = vma_lookup(mm, addr)) != NULL)
		vma_merge_neighbours(m, mm, next);
	return err;
}

int do_brk(struct vmlab *m, struct task_struct *t, int64_t delta, uint64_t *old)
{
	struct mm_struct *mm = t->mm;
	uint64_t oldbrk = mm->brk, newbrk, oldpg, newpg;
	struct vm_area_struct *next, *brkvma;
	int err;

	*old = oldbrk;
	if (delta == 0)
		return 0;
	if (delta < 0) {
		uint64_t d = (uint64_t)(-(delta + 1)) + 1;

		if (d > oldbrk - mm->start_brk)
			return -ENOMEM;
		newbrk = oldbrk - d;
	} else {
		if ((uint64_t)delta > mm->task_size - oldbrk)
			return -ENOMEM;
		newbrk = oldbrk + (uint64_t)delta;
	}
	oldpg = PAGE_ALIGN(oldbrk);
	newpg = PAGE_ALIGN(newbrk);
	if (newpg == oldpg) {
		mm->brk = newbrk;
		return 0;
	}
	if (newbrk < oldbrk) {
		/* a shrink unmaps at once: regrown memory reads zero */
		err = do_munmap(m, mm, newpg, oldpg - newpg);
		if (err)
			return err;
		mm->brk = newbrk;
		return 0;
	}
	next = find_vma(mm, oldpg);
	if (next && newpg + PAGE_SIZE > vm_start_gap(next))
		return -ENOMEM;
	/* brkvma = vma_prev_limit(start_brk): only the heap itself grows, never a VMA that
	 * starts below start_brk (the program's bss) */
	brkvma = next ? vma_prev(mm, next) : last_vma(mm);
	if (brkvma && brkvma->vm_start < mm->start_brk)
		brkvma = NULL;
	err = do_brk_flags(m, mm, brkvma, oldpg, newpg - oldpg,
			   VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT);
	if (err)
		return err;
	mm->brk = newbrk;
	return 0;
}

/* ---- special mappings ------------------------------------------------------------------------- */

struct vm_area_struct *install_special_mapping(struct vmlab *m, struct mm_struct *mm, uint64_t addr,
					       uint64_t len, uint64_t vm_flags,
					       const struct vm_operations_struct *ops)
{
	struct vm_area_struct *vma = vm_area_alloc(m, mm);

	if (!vma)
		return NULL;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags | VM_DONTEXPAND;
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	vma->vm_pgoff = 0;
	vma->vm_ops = ops;
	vma_link(mm, vma);
	vm_stat_account(mm, vma->vm_flags, (int64_t)(len >> PAGE_SHIFT));
	return vma;
}

/* ---- teardown -------------------------------------------------------------------------------- */

void exit_mmap(struct vmlab *m, struct mm_struct *mm)
{
	struct vm_area_struct *vma = last_vma(mm);

	if (!list_empty(&mm->mmap_list))
		unmap_region(m, mm, list_first_entry(&mm->mmap_list, struct vm_area_struct, vm_list),
			     TASK_SIZE_MAX);
	(void)vma;
	free_pgtables(m, mm, 0, 0);
}
