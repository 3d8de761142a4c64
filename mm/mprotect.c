/* mm/mprotect.c - changing the protection of a range.
 *
 * Mirrors mm/mprotect.c: do_mprotect_pkey walks the VMAs of the range, mprotect_fixup splits
 * at the edges, sets the new flags and vm_page_prot, charges Committed_AS when a private
 * mapping first becomes writable, rewrites the PTEs (change_protection, with a TLB flush) and
 * merges what became mergeable. A hole in the range stops the walk with ENOMEM after the part
 * before it was changed, as in Linux.
 */
#include "mm/internal.h"

static int mprotect_fixup(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma,
			  uint64_t start, uint64_t end, uint64_t newflags,
			  struct vm_area_struct **out)
{
	uint64_t pages = (end - start) >> PAGE_SHIFT, oldflags = vma->vm_flags;
	int err;

	*out = vma;
	if (newflags == oldflags)
		return 0;
	if ((newflags & VM_WRITE) &&
	    !(oldflags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE | VM_HUGETLB))) {
		if (pages > m->totalram_pages + (m->cfg.swap >> PAGE_SHIFT))
			return -ENOMEM;
		newflags |= VM_ACCOUNT;
	}
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
	if ((newflags & VM_ACCOUNT) && !(oldflags & VM_ACCOUNT))
		m->vm_committed_as += (int64_t)pages;
	vm_stat_account(mm, oldflags, -(int64_t)pages);
	vma->vm_flags = newflags;
	vma_set_page_prot(vma);
	vm_stat_account(mm, newflags, (int64_t)pages);
	change_protection(m, vma, start, end);
	*out = vma_merge_neighbours(m, mm, vma);
	return 0;
}

int do_mprotect(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t len, int prot)
{
	uint64_t end, nstart;
	struct vm_area_struct *vma;
	uint64_t want = 0;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (prot & ~(VMLAB_PROT_READ | VMLAB_PROT_WRITE | VMLAB_PROT_EXEC))
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & VMLAB_PROT_READ)
		want |= VM_READ;
	if (prot & VMLAB_PROT_WRITE)
		want |= VM_WRITE;
	if (prot & VMLAB_PROT_EXEC)
		want |= VM_EXEC;
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start > start)
		return -ENOMEM;
	for (nstart = start;;) {
		uint64_t newflags = (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | want;
		uint64_t tmp = MIN(end, vma->vm_end);
		struct vm_area_struct *next;
		int err;

		/* each VM_X needs its VM_MAYX */
		if ((newflags & ~(newflags >> 4)) & (VM_READ | VM_WRITE | VM_EXEC))
			return -EACCES;
		err = mprotect_fixup(m, mm, vma, nstart, tmp, newflags, &vma);
		if (err)
			return err;
		/* a merge may have pulled the next VMA (already with these flags) into vma */
		nstart = MAX(tmp, MIN(end, vma->vm_end));
		if (nstart >= end)
			return 0;
		next = vma_next(mm, vma);
		if (!next || next->vm_start != nstart)
			return -ENOMEM;
		vma = next;
	}
}
