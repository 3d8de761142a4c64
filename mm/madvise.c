/* mm/madvise.c - madvise: dropping pages and setting VMA hints.
 *
 * Mirrors mm/madvise.c: MADV_DONTNEED zaps the range's PTEs (private anonymous memory then
 * reads zeros; shared memory refaults its pages from the object); MADV_WILLNEED is a no-op for
 * anonymous memory; the hint advices (NORMAL, RANDOM, SEQUENTIAL, DONTFORK, DOFORK, HUGEPAGE,
 * NOHUGEPAGE) change vm_flags over the range, splitting and merging VMAs (madvise_update_vma).
 * An unmapped hole in the range makes the call return ENOMEM after the mapped parts were
 * advised, as in Linux.
 */
#include "mm/internal.h"

static int madvise_update_flags(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma,
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
	return madvise_update_flags(m, mm, vma, start, end, f);
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
