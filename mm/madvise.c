/* mm/madvise.c - madvise: dropping pages, reclaim hints and VMA hints.
 *
 * Mirrors mm/madvise.c: MADV_DONTNEED zaps the range's PTEs (private anonymous memory then
 * reads zeros; shared memory refaults its pages from the object); MADV_WILLNEED is a no-op for
 * anonymous memory; MADV_FREE marks private anonymous pages lazily freeable (clean, moved to
 * the inactive file list without PG_swapbacked: reclaim discards them unless they are written
 * again first; their swap slots are freed at once); MADV_COLD deactivates the range's pages and
 * MADV_PAGEOUT reclaims them now (pages mapped by other processes too are left alone); the hint
 * advices (NORMAL, RANDOM, SEQUENTIAL, DONTFORK, DOFORK, HUGEPAGE, NOHUGEPAGE) change vm_flags
 * over the range, splitting and merging VMAs (madvise_update_vma). An unmapped hole in the
 * range makes the call return ENOMEM after the mapped parts were advised, as in Linux.
 */
#include "mm/internal.h"

/* ---- MADV_FREE, MADV_COLD, MADV_PAGEOUT ---------------------------------------------------- */

struct advise_ctx {
	struct vmlab *m;
	struct vm_area_struct *vma;
	int advice;
	struct list_head list; /* MADV_PAGEOUT: pages isolated for reclaim */
};

/* folio_mark_lazyfree: an exclusive, not swap-cached anonymous page becomes a clean "file"
 * page that reclaim may simply drop. */
static void folio_mark_lazyfree(struct vmlab *m, struct page *p)
{
	if ((p->flags & (PG_anon | PG_swapbacked | PG_swapcache | PG_unevictable)) !=
	    (PG_anon | PG_swapbacked) || !(p->flags & PG_lru))
		return;
	lruvec_del_folio(m, p);
	p->flags &= ~(PG_active | PG_referenced | PG_swapbacked);
	folio_add_lru(m, p);
	count_vm_event(m, PGLAZYFREE);
	memcg_count_vm_event(m, p, MEMCG_PGLAZYFREE);
}

static void advise_pte(void *c, uint64_t addr, pteval_t *ptep)
{
	struct advise_ctx *ac = c;
	struct vmlab *m = ac->m;
	pteval_t e = *ptep;
	struct page *p;

	if (is_swap_pte(e)) {
		if (ac->advice == VMLAB_MADV_FREE) { /* the data is no longer wanted */
			*ptep = 0;
			free_swap_and_cache(m, pte_to_swp_entry(e));
			add_mm_counter(ac->vma->vm_mm, MM_SWAPENTS, -1);
		}
		return;
	}
	if (!pte_present(e) || (e & _PAGE_SPECIAL))
		return;
	p = pfn_to_page(m, pte_pfn(e));
	if (p->_mapcount != 1)
		return; /* do not interfere with other processes' use of the page */
	if (ac->advice == VMLAB_MADV_FREE) {
		if (!(p->flags & PG_anon))
			return;
		if ((p->flags & PG_swapcache) && !folio_free_swap(m, p))
			return;
		p->flags &= ~PG_dirty;
		if (e & (_PAGE_ACCESSED | _PAGE_DIRTY)) {
			*ptep = e & ~(_PAGE_ACCESSED | _PAGE_DIRTY);
			flush_tlb_mm_range(m, ac->vma->vm_mm, addr, addr + PAGE_SIZE);
		}
		folio_mark_lazyfree(m, p);
		return;
	}
	/* MADV_COLD and MADV_PAGEOUT: forget the references, then deactivate or reclaim */
	if (e & _PAGE_ACCESSED) {
		*ptep = e & ~_PAGE_ACCESSED;
		flush_tlb_mm_range(m, ac->vma->vm_mm, addr, addr + PAGE_SIZE);
	}
	p->flags &= ~PG_referenced;
	if (!(p->flags & PG_lru) || (p->flags & PG_unevictable))
		return;
	if (ac->advice == VMLAB_MADV_COLD) {
		folio_deactivate(m, p);
	} else {
		folio_isolate_lru(m, p);
		p->flags &= ~PG_active;
		list_add(&p->lru, &ac->list);
	}
}

static int madvise_reclaim(struct vmlab *m, struct vm_area_struct *vma, uint64_t start, uint64_t end,
			   int advice)
{
	struct advise_ctx ac = {m, vma, advice, LIST_HEAD_INIT(ac.list)};

	if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB))
		return -EINVAL;
	if (advice == VMLAB_MADV_FREE && !vma_is_anonymous(vma))
		return -EINVAL;
	walk_page_range(m, vma->vm_mm, start, end, advise_pte, &ac);
	if (advice == VMLAB_MADV_PAGEOUT && !list_empty(&ac.list))
		reclaim_pages(m, &ac.list);
	return 0;
}

int vma_modify_flags(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma,
				uint64_t start, uint64_t end, uint64_t newflags)
{
	int err;

	if (newflags == vma->vm_flags)
		return 0;
	if (start > vma->vm_start) {
		err = split_vma(m, mm, vma, start);
		if (err)
			return err;
		vma = vma_next(mm, vma);
	}
	if (end < vma->vm_end) {
		err = split_vma(m, mm, vma, end);
		if (err)
			return err;
	}
	vma->vm_flags = newflags;
	vma_merge_neighbours(m, mm, vma);
	return 0;
}

static int madvise_vma(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma,
		       uint64_t start, uint64_t end, int advice)
{
	uint64_t f = vma->vm_flags;

	switch (advice) {
	case VMLAB_MADV_DONTNEED:
		if (f & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB))
			return -EINVAL;
		zap_page_range(m, vma, start, end);
		return 0;
	case VMLAB_MADV_WILLNEED:
		filemap_willneed(m, vma, start, end); /* anonymous memory: nothing to do */
		return 0;
	case VMLAB_MADV_FREE:
	case VMLAB_MADV_COLD:
	case VMLAB_MADV_PAGEOUT:
		return madvise_reclaim(m, vma, start, end, advice);
	case VMLAB_MADV_NORMAL:
		f &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case VMLAB_MADV_RANDOM:
		f = (f & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case VMLAB_MADV_SEQUENTIAL:
		f = (f & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case VMLAB_MADV_DONTFORK:
		f |= VM_DONTCOPY;
		break;
	case VMLAB_MADV_DOFORK:
		if (f & VM_IO)
			return -EINVAL;
		f &= ~VM_DONTCOPY;
		break;
	case VMLAB_MADV_HUGEPAGE:
		f = (f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case VMLAB_MADV_NOHUGEPAGE:
		f = (f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	default:
		return -EINVAL;
	}
	return vma_modify_flags(m, mm, vma, start, end, f);
}

int do_madvise(struct vmlab *m, struct task_struct *t, uint64_t start, uint64_t len, int advice)
{
	struct mm_struct *mm = t->mm;
	uint64_t end, pos;
	int unmapped = 0;

	switch (advice) {
	case VMLAB_MADV_NORMAL: case VMLAB_MADV_RANDOM: case VMLAB_MADV_SEQUENTIAL:
	case VMLAB_MADV_WILLNEED: case VMLAB_MADV_DONTNEED: case VMLAB_MADV_DONTFORK:
	case VMLAB_MADV_DOFORK: case VMLAB_MADV_HUGEPAGE: case VMLAB_MADV_NOHUGEPAGE:
	case VMLAB_MADV_FREE: case VMLAB_MADV_COLD: case VMLAB_MADV_PAGEOUT:
		break;
	default:
		return -EINVAL;
	}
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (PAGE_ALIGN(len) < len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	for (pos = start; pos < end;) {
		struct vm_area_struct *vma = find_vma(mm, pos);
		uint64_t s, e;
		int err;

		if (!vma || vma->vm_start >= end) {
			unmapped = 1;
			break;
		}
		if (vma->vm_start > pos)
			unmapped = 1;
		s = MAX(pos, vma->vm_start);
		e = MIN(end, vma->vm_end);
		err = madvise_vma(m, mm, vma, s, e, advice);
		if (err)
			return err;
		pos = e;
	}
	return unmapped ? -ENOMEM : 0;
}
