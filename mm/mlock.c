/* mm/mlock.c - mlock, munlock, MAP_LOCKED: pages that reclaim must not take.
 *
 * Mirrors mm/mlock.c: mlock sets VM_LOCKED on the range's VMAs (splitting and merging them as
 * mprotect does) and faults every page in (mm_populate, as MAP_POPULATE does); a page mapped
 * in a VM_LOCKED VMA is mlocked (PG_mlocked, counted in Mlocked:) and lives on the unevictable
 * LRU list, where reclaim never looks. Pages faulted into a locked VMA later are mlocked as
 * they are mapped; reclaim that meets a page of a locked VMA on an evictable list moves it
 * (folio_check_references). munlock clears VM_LOCKED and gives the pages back to the
 * evictable lists. VmLck in status is mm->locked_vm.
 *
 * Simplifications: no mlock_count (a page mapped by two locked VMAs is munlocked when either
 * goes; reclaim finds the other one and mlocks it again); RLIMIT_MEMLOCK is unlimited (vmlab
 * processes have CAP_IPC_LOCK); no MLOCK_ONFAULT.
 */
#include "mm/internal.h"

/* mlock_folio: onto the unevictable list (if on an LRU list; an isolated page goes there when
 * it is put back). */
void mlock_folio(struct vmlab *m, struct page *p)
{
	if (p->flags & PG_mlocked)
		return;
	if (p->flags & PG_lru) {
		lruvec_del_folio(m, p);
		p->flags |= PG_mlocked | PG_unevictable;
		p->flags &= ~PG_active;
		folio_add_lru(m, p);
	} else {
		p->flags |= PG_mlocked | PG_unevictable;
	}
	mod_zone_page_state(page_zone(m, p), NR_MLOCK, 1);
	count_vm_event(m, UNEVICTABLE_PGS_MLOCKED);
}

/* munlock_folio: back to the evictable lists. */
void munlock_folio(struct vmlab *m, struct page *p)
{
	if (!(p->flags & PG_mlocked))
		return;
	if (p->flags & PG_lru) {
		lruvec_del_folio(m, p);
		p->flags &= ~(PG_mlocked | PG_unevictable);
		folio_add_lru(m, p);
		count_vm_event(m, UNEVICTABLE_PGS_RESCUED);
	} else {
		p->flags &= ~(PG_mlocked | PG_unevictable);
	}
	mod_zone_page_state(page_zone(m, p), NR_MLOCK, -1);
	count_vm_event(m, UNEVICTABLE_PGS_MUNLOCKED);
}

/* A page just mapped into vma: mlocked if the VMA is locked (mlock_vma_folio). */
void mlock_vma_folio(struct vmlab *m, struct vm_area_struct *vma, struct page *p)
{
	if ((vma->vm_flags & VM_LOCKED) && !(p->flags & PG_mlocked))
		mlock_folio(m, p);
}

struct mlock_ctx {
	struct vmlab *m;
	bool lock;
};

static void mlock_pte(void *c, uint64_t addr, pteval_t *ptep)
{
	struct mlock_ctx *mc = c;
	struct page *p;

	(void)addr;
	if (!pte_present(*ptep) || (*ptep & _PAGE_SPECIAL))
		return;
	p = pfn_to_page(mc->m, pte_pfn(*ptep));
	if (mc->lock)
		mlock_folio(mc->m, p);
	else
		munlock_folio(mc->m, p);
}

/* apply_vma_lock_flags + mlock_fixup over [start, start+len). */
static int apply_lock(struct vmlab *m, struct task_struct *t, uint64_t start, uint64_t len, bool lock)
{
	struct mm_struct *mm = t->mm;
	uint64_t end, pos;
	int err;

	if (start & ~PAGE_MASK) { /* mlock rounds the start down */
		len += start & ~PAGE_MASK;
		start &= PAGE_MASK;
	}
	if (PAGE_ALIGN(len) < len)
		return -ENOMEM;
	end = start + PAGE_ALIGN(len);
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* the whole range must be mapped */
	for (pos = start; pos < end;) {
		struct vm_area_struct *vma = find_vma(mm, pos);

		if (!vma || vma->vm_start > pos)
			return -ENOMEM;
		pos = vma->vm_end;
	}
	for (pos = start; pos < end;) {
		struct vm_area_struct *vma = find_vma(mm, pos);
		uint64_t s = MAX(pos, vma->vm_start), e = MIN(end, vma->vm_end);
		uint64_t flags = lock ? vma->vm_flags | VM_LOCKED : vma->vm_flags & ~VM_LOCKED;
		int64_t pages = (int64_t)((e - s) >> PAGE_SHIFT);
		struct mlock_ctx mc = {m, lock};
		bool was = (vma->vm_flags & VM_LOCKED) != 0;

		if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_MIXEDMAP))
			flags &= ~VM_LOCKED; /* VM_SPECIAL mappings ([vdso] too) are never locked */
		err = vma_modify_flags(m, mm, vma, s, e, flags);
		if (err)
			return err;
		if (lock && !was)
			mm->locked_vm += (uint64_t)pages;
		else if (!lock && was)
			mm->locked_vm -= (uint64_t)pages;
		if (lock) {
			vma = find_vma(mm, s);
			err = populate_vma_page_range(m, t, vma, s, e);
			if (err && err != -EFAULT)
				return err;
		}
		walk_page_range(m, mm, s, e, mlock_pte, &mc);
		pos = e;
	}
	return 0;
}

int do_mlock(struct vmlab *m, struct task_struct *t, uint64_t start, uint64_t len)
{
	return apply_lock(m, t, start, len, true);
}

int do_munlock(struct vmlab *m, struct task_struct *t, uint64_t start, uint64_t len)
{
	return apply_lock(m, t, start, len, false);
}
