/* mm/mremap.c - resizing and moving mappings.
 *
 * Mirrors mm/mremap.c: a shrink unmaps the tail; a grow expands in place when the VMA ends
 * at the old range's end and the space after it is free (vma_expandable), otherwise moves the
 * mapping when MREMAP_MAYMOVE allows (move_vma: a copy of the VMA at the new place, the PTEs
 * moved there by move_page_tables - no page is copied - and the old range unmapped), and
 * fails with ENOMEM when it may not move. MREMAP_FIXED moves to new_addr, replacing what
 * was there.
 */
#include "mm/internal.h"

static int move_vma(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma,
		    uint64_t old_addr, uint64_t old_len, uint64_t new_len, uint64_t new_addr)
{
	struct vm_area_struct *new_vma;
	uint64_t extra;
	int err;

	if (mm->map_count >= DEFAULT_MAX_MAP_COUNT - 3)
		return -ENOMEM;
	if (old_addr > vma->vm_start) {
		err = split_vma(m, mm, vma, old_addr);
		if (err)
			return err;
		vma = vma_next(mm, vma);
	}
	if (old_addr + old_len < vma->vm_end) {
		err = split_vma(m, mm, vma, old_addr + old_len);
		if (err)
			return err;
	}
	new_vma = vma_dup_for(m, mm, vma);
	if (!new_vma)
		return -ENOMEM;
	if (anon_vma_clone(m, new_vma, vma)) {
		vm_area_free(m, new_vma);
		return -ENOMEM;
	}
	new_vma->vm_start = new_addr;
	new_vma->vm_end = new_addr + new_len;
	vma_link(mm, new_vma);
	err = move_page_tables(m, mm, old_addr, new_addr, old_len);
	if (err) {
		/* put back what moved, then give up (move_vma's error path) */
		move_page_tables(m, mm, new_addr, old_addr, old_len);
		vma_unlink(mm, new_vma);
		vm_area_free(m, new_vma);
		return err;
	}
	extra = new_len >> PAGE_SHIFT; /* do_munmap below uncharges the old range */
	if (new_vma->vm_flags & VM_ACCOUNT)
		m->vm_committed_as += (int64_t)extra;
	vm_stat_account(mm, new_vma->vm_flags, (int64_t)(new_len >> PAGE_SHIFT));
	/* the old range holds no PTEs any more: unmapping it only drops the VMA */
	err = do_munmap(m, mm, old_addr, old_len);
	if (err)
		return err;
	if (vma_is_anonymous(new_vma))
		vma_merge_neighbours(m, mm, new_vma);
	return 0;
}

int do_mremap(struct vmlab *m, struct task_struct *t, uint64_t addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *vma;
	int err;

	if (flags & ~(VMLAB_MREMAP_MAYMOVE | VMLAB_MREMAP_FIXED))
		return -EINVAL;
	if ((flags & VMLAB_MREMAP_FIXED) && !(flags & VMLAB_MREMAP_MAYMOVE))
		return -EINVAL;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (PAGE_ALIGN(old_len) < old_len || PAGE_ALIGN(new_len) < new_len)
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len || !old_len)
		return -EINVAL;
	if (old_len > mm->task_size || addr > mm->task_size - old_len)
		return -EFAULT;
	vma = vma_lookup(mm, addr);
	if (!vma || addr + old_len > vma->vm_end)
		return -EFAULT;
	if (flags & VMLAB_MREMAP_FIXED) {
		if ((new_addr & ~PAGE_MASK) || new_len > mm->task_size ||
		    new_addr > mm->task_size - new_len)
			return -EINVAL;
		if (new_addr < addr + old_len && addr < new_addr + new_len)
			return -EINVAL; /* overlapping ranges */
		err = do_munmap(m, mm, new_addr, new_len);
		if (err)
			return err;
		vma = vma_lookup(mm, addr);
		if (new_len < old_len) {
			err = do_munmap(m, mm, addr + new_len, old_len - new_len);
			if (err)
				return err;
			old_len = new_len;
		}
		err = move_vma(m, mm, vma, addr, old_len, new_len, new_addr);
		if (!err)
			*out = new_addr;
		return err;
	}
	if (new_len <= old_len) {
		if (new_len < old_len) {
			err = do_munmap(m, mm, addr + new_len, old_len - new_len);
			if (err)
				return err;
		}
		*out = addr;
		return 0;
	}
	if (new_len > old_len && (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EFAULT;
	if (addr + old_len == vma->vm_end) {
		struct vm_area_struct *next = vma_next(mm, vma);
		uint64_t end = addr + new_len;

		if (end <= mm->task_size && (!next || end <= next->vm_start)) {
			uint64_t pages = (new_len - old_len) >> PAGE_SHIFT;

			if ((vma->vm_flags & VM_ACCOUNT) &&
			    pages > m->totalram_pages + (m->cfg.swap >> PAGE_SHIFT))
				return -ENOMEM;
			vma->vm_end = end;
			if (vma->vm_flags & VM_ACCOUNT)
				m->vm_committed_as += (int64_t)pages;
			vm_stat_account(mm, vma->vm_flags, (int64_t)pages);
			if (vma_is_anonymous(vma))
				vma_merge_neighbours(m, mm, vma);
			*out = addr;
			return 0;
		}
	}
	if (!(flags & VMLAB_MREMAP_MAYMOVE))
		return -ENOMEM;
	err = get_unmapped_area(m, mm, 0, new_len, &new_addr);
	if (err)
		return err;
	err = move_vma(m, mm, vma, addr, old_len, new_len, new_addr);
	if (!err)
		*out = new_addr;
	return err;
}
