/* kernel/fork.c - fork: duplicating an address space.
 *
 * Mirrors kernel/fork.c and mm/mmap.c's dup_mmap: every VMA is copied (VM_DONTCOPY ones are
 * skipped), the child's anon_vmas are set up by anon_vma_fork, and copy_page_range copies
 * the page tables of VMAs that have anonymous pages, write-protecting both sides of private
 * writable mappings so that the first write on either side faults (COW). Shared mappings and
 * never-written private file mappings are not copied: the child refaults them. The parent's
 * TLB is flushed at the end because its PTEs lost their write bit. Memory locks are not
 * inherited (the child's VMAs lose VM_LOCKED); swap entries are shared (one more reference
 * each) and neither side is exclusive any more.
 */
#include "mm/internal.h"

int dup_mm(struct vmlab *m, struct task_struct *child, struct mm_struct *old)
{
	struct mm_struct *mm = kmem_cache_alloc(m, m->mm_cachep);
	struct vm_area_struct *v;
	int err = -ENOMEM;

	if (!mm)
		return -ENOMEM;
	INIT_LIST_HEAD(&mm->mmap_list);
	mm->mm_users = 1;
	mm->memcg = child->memcg;
	mm->context_id = ++m->next_context_id;
	if (pgd_alloc(m, mm)) {
		mm_free_vmacache(mm);
		kmem_cache_free(m, m->mm_cachep, mm);
		return -ENOMEM;
	}
	/* the layout and accounting fields are inherited */
	mm->mmap_base = old->mmap_base;
	mm->free_area_cache = old->mmap_base;
	mm->task_size = old->task_size;
	mm->start_code = old->start_code;
	mm->end_code = old->end_code;
	mm->start_data = old->start_data;
	mm->end_data = old->end_data;
	mm->start_brk = old->start_brk;
	mm->brk = old->brk;
	mm->start_stack = old->start_stack;
	mm->arg_start = old->arg_start;
	mm->arg_end = old->arg_end;
	mm->env_start = old->env_start;
	mm->env_end = old->env_end;
	child->mm = mm;
	for_each_vma(old, v) {
		struct vm_area_struct *n;
		uint64_t pages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;

		if (v->vm_flags & VM_DONTCOPY)
			continue;
		n = vma_dup_for(m, mm, v);
		if (!n)
			goto fail;
		if (n->vm_flags & (VM_LOCKED | VM_LOCKONFAULT)) {
			n->vm_flags &= ~(VM_LOCKED | VM_LOCKONFAULT); /* mlock is not inherited */
			n->unmerged_ok = 1; /* dup_mmap does not merge what that makes equal */
		}
		if (anon_vma_fork(m, n, v)) {
			vm_area_free(m, n);
			goto fail;
		}
		vma_link(mm, n);
		if (n->vm_flags & VM_ACCOUNT)
			m->vm_committed_as += (int64_t)pages;
		vm_stat_account(mm, n->vm_flags, (int64_t)pages);
		if (copy_page_range(m, n, v))
			goto fail;
	}
	mm->hiwater_vm = mm->total_vm;
	flush_tlb_mm(m, old);
	return 0;
fail:
	flush_tlb_mm(m, old);
	child->mm = NULL;
	mmput(m, mm);
	return err;
}
