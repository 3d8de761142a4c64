/* mm/vma.c - the VMA layer: the ordered tree of an address space, split, merge, stack growth.
 *
 * Mirrors mm/vma.c (6.12+; vma_merge_new_range/vma_merge_existing_range, __split_vma,
 * is_mergeable_vma) and the lookups of mm/mmap.c (find_vma, vma_lookup, expand_downwards).
 * VMAs sit in an AVL tree keyed by vm_start (Linux: the maple tree) and on an address-ordered
 * list for neighbour walks; a one-entry cache speeds up repeated lookups on the fault path.
 *
 * Pictures (the tests draw these too):
 *
 *   split_vma(vma, addr):     [vm_start ...... addr ...... vm_end)
 *                        ->   [vm_start ... addr)[addr ... vm_end)   (new VMA on the right)
 *
 *   merge:   [prev)[vma)[next)  ->  [prev ............... next)  when flags, file, pgoff and
 *            anon_vma are compatible on each side
 */
#include <stdlib.h>

#include "mm/internal.h"

static int vma_cmp(const struct avl_node *a, const struct avl_node *b)
{
	const struct vm_area_struct *x = container_of(a, struct vm_area_struct, rb);
	const struct vm_area_struct *y = container_of(b, struct vm_area_struct, rb);

	return x->vm_start < y->vm_start ? -1 : x->vm_start > y->vm_start;
}

bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return vma->vm_ops == NULL;
}

void mm_free_vmacache(struct mm_struct *mm)
{
	free(mm->vmacache);
	mm->vmacache = NULL;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, uint64_t addr)
{
	struct vmacache_entry *slot = NULL;
	struct vm_area_struct *best = NULL;
	struct avl_node *n;

	if (likely(mm->vmacache) || (mm->vmacache = calloc(VMACACHE_SIZE, sizeof(*slot)))) {
		slot = &mm->vmacache[(addr >> PMD_SHIFT) & (VMACACHE_SIZE - 1)];
		if (slot->vma && slot->seq == mm->vmacache_seq && slot->vma->vm_start <= addr &&
		    addr < slot->vma->vm_end)
			return slot->vma;
	} /* without host memory for the cache, the tree alone */
	for (n = mm->mm_rb; n;) {
		struct vm_area_struct *v = container_of(n, struct vm_area_struct, rb);

		if (v->vm_end > addr) {
			best = v;
			if (v->vm_start <= addr)
				break;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	if (slot && best && best->vm_start <= addr) {
		slot->vma = best;
		slot->seq = mm->vmacache_seq;
	}
	return best;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *v = find_vma(mm, addr);

	return (v && v->vm_start <= addr) ? v : NULL;
}

struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *vma)
{
	return vma->vm_list.prev == &mm->mmap_list
		       ? NULL
		       : list_entry(vma->vm_list.prev, struct vm_area_struct, vm_list);
}

struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma)
{
	return vma->vm_list.next == &mm->mmap_list
		       ? NULL
		       : list_entry(vma->vm_list.next, struct vm_area_struct, vm_list);
}

struct vm_area_struct *vm_area_alloc(struct vmlab *m, struct mm_struct *mm)
{
	struct vm_area_struct *vma = kmem_cache_alloc(m, m->vma_cachep);

	if (!vma)
		return NULL;
	vma->vm_mm = mm;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->shared);
	INIT_LIST_HEAD(&vma->vm_list);
	return vma;
}

/* Frees a VMA that is not in any tree: drops its anon_vma links and file reference. */
void vm_area_free(struct vmlab *m, struct vm_area_struct *vma)
{
	unlink_anon_vmas(m, vma);
	if (vma->vm_file) {
		list_del(&vma->shared);
		file_put(m, vma->vm_file);
	}
	kmem_cache_free(m, m->vma_cachep, vma);
}

/* vm_area_dup without the anon_vma part: copies fields, takes a file reference. */
static struct vm_area_struct *vm_area_dup(struct vmlab *m, struct vm_area_struct *old)
{
	struct vm_area_struct *vma = vm_area_alloc(m, old->vm_mm);

	if (!vma)
		return NULL;
	vma->vm_start = old->vm_start;
	vma->vm_end = old->vm_end;
	vma->vm_page_prot = old->vm_page_prot;
	vma->vm_flags = old->vm_flags;
	vma->vm_pgoff = old->vm_pgoff;
	vma->vm_ops = old->vm_ops;
	vma->vm_file = old->vm_file;
	vma->swap_readahead_info = old->swap_readahead_info;
	vma->unmerged_ok = old->unmerged_ok;
	if (vma->vm_file) {
		file_get(vma->vm_file);
		list_add_tail(&vma->shared, &vma->vm_file->f_inode->i_mapping->i_mmap);
	}
	return vma;
}

struct vm_area_struct *vma_dup_for(struct vmlab *m, struct mm_struct *mm,
				   struct vm_area_struct *old)
{
	struct vm_area_struct *vma = vm_area_dup(m, old);

	if (vma)
		vma->vm_mm = mm;
	return vma;
}

void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *next = find_vma(mm, vma->vm_start);

	avl_insert(&mm->mm_rb, &vma->rb, vma_cmp);
	if (next)
		list_add_tail(&vma->vm_list, &next->vm_list); /* just before next */
	else
		list_add_tail(&vma->vm_list, &mm->mmap_list);
	mm->map_count++;
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	avl_erase(&mm->mm_rb, &vma->rb, vma_cmp);
	list_del(&vma->vm_list);
	mm->vmacache_seq++; /* every cached entry is void now: none names a freed VMA */
	mm->map_count--;
}

void vm_stat_account(struct mm_struct *mm, uint64_t flags, int64_t npages)
{
	mm->total_vm += (uint64_t)npages;
	if (flags & VM_LOCKED)
		mm->locked_vm += (uint64_t)npages;
	if ((flags & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) == VM_EXEC)
		mm->exec_vm += (uint64_t)npages; /* is_exec_mapping */
	else if (flags & VM_GROWSDOWN)
		mm->stack_vm += (uint64_t)npages; /* is_stack_mapping */
	else if ((flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) == VM_WRITE)
		mm->data_vm += (uint64_t)npages; /* is_data_mapping */
	if (mm->total_vm > mm->hiwater_vm)
		mm->hiwater_vm = mm->total_vm;
}

int split_vma(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr)
{
	struct vm_area_struct *new;

	VM_BUG_ON(addr <= vma->vm_start || addr >= vma->vm_end || (addr & ~PAGE_MASK));
	if (mm->map_count >= DEFAULT_MAX_MAP_COUNT)
		return -ENOMEM;
	new = vm_area_dup(m, vma);
	if (!new)
		return -ENOMEM;
	if (anon_vma_clone(m, new, vma)) {
		vm_area_free(m, new);
		return -ENOMEM;
	}
	new->vm_start = addr;
	new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	vma->vm_end = addr;
	vma_link(mm, new);
	return 0;
}

/* is_mergeable_vma + is_mergeable_anon_vma for a (left) and b (right), adjacent. */
static bool can_merge(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	const uint64_t ignore = VM_SOFTDIRTY;

	if (a->vm_end != b->vm_start)
		return false;
	if ((a->vm_flags ^ b->vm_flags) & ~ignore)
		return false;
	if (a->vm_file != b->vm_file || a->vm_ops != b->vm_ops)
		return false;
	if (a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) != b->vm_pgoff)
		return false;
	if (a->anon_vma && b->anon_vma && a->anon_vma != b->anon_vma)
		return false;
	/* one side without anon_vma: the other's must not be shared with a fork family */
	if (!a->anon_vma && b->anon_vma && b->anon_vma_chain.next != b->anon_vma_chain.prev)
		return false;
	if (a->anon_vma && !b->anon_vma && a->anon_vma_chain.next != a->anon_vma_chain.prev)
		return false;
	return true;
}

/* Folds b (right neighbour) into a; b is unlinked and freed. */
static int merge_into_left(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *a,
			   struct vm_area_struct *b)
{
	if (!a->anon_vma && b->anon_vma) {
		/* a takes over b's anon_vma (b's pages point at it) */
		if (anon_vma_clone(m, a, b))
			return -ENOMEM;
	}
	vma_unlink(mm, b);
	a->vm_end = b->vm_end;
	a->unmerged_ok |= b->unmerged_ok; /* its far boundary may still be one fork left apart */
	vm_area_free(m, b);
	return 0;
}

struct vm_area_struct *vma_merge_neighbours(struct vmlab *m, struct mm_struct *mm,
					    struct vm_area_struct *vma)
{
	struct vm_area_struct *prev = vma_prev(mm, vma), *next = vma_next(mm, vma);
	bool left, right;

	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP | VM_IO | VM_DONTEXPAND))
		return vma; /* VM_SPECIAL mappings never merge */
	/* can_vma_merge_left/right: when both sides could take the new range but their
	 * anon_vmas differ, it joins the left one only */
	left = prev && can_merge(prev, vma);
	right = next && can_merge(vma, next) &&
		(!left || !prev->anon_vma || !next->anon_vma || prev->anon_vma == next->anon_vma);
	if (right)
		merge_into_left(m, mm, vma, next); /* on failure the two simply stay apart */
	if (left && can_merge(prev, vma) && !merge_into_left(m, mm, prev, vma))
		vma = prev;
	return vma;
}

/* expand_downwards: grows a VM_GROWSDOWN VMA down to addr's page, within RLIMIT_STACK and
 * stack_guard_gap above the previous VMA. */
int expand_stack(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *prev = vma_prev(mm, vma);
	uint64_t start = addr & PAGE_MASK, grow;

	if (start < MMAP_MIN_ADDR)
		return -EPERM;
	if (vma->vm_end - start > STACK_RLIMIT)
		return -ENOMEM; /* acct_stack_growth */
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) && (prev->vm_flags & VM_ACCESS_FLAGS) &&
	    (start < prev->vm_end || start - prev->vm_end < STACK_GUARD_GAP))
		return -ENOMEM;
	if (anon_vma_prepare(m, vma))
		return -ENOMEM;
	grow = (vma->vm_start - start) >> PAGE_SHIFT;
	/* the tree is keyed by vm_start: re-insert with the new key */
	avl_erase(&mm->mm_rb, &vma->rb, vma_cmp);
	vma->vm_start = start;
	vma->vm_pgoff -= grow;
	avl_insert(&mm->mm_rb, &vma->rb, vma_cmp);
	if (vma->vm_flags & VM_ACCOUNT)
		m->vm_committed_as += (int64_t)grow;
	vm_stat_account(mm, vma->vm_flags, (int64_t)grow);
	if (unlikely(explaining(m)))
		explain_note(m, "expand_stack: [stack] grows down to 0x%llx (+%llu pages)",
			     (unsigned long long)start, (unsigned long long)grow);
	return 0;
}

/* Invariants of an address space: tree order and balance, list order, no overlap, no two
 * mergeable neighbours left unmerged (for anonymous private memory), map_count, page-aligned
 * bounds, anon_vma present when needed. */
int check_vmas(struct vmlab *m, struct mm_struct *mm, char *err, size_t n)
{
	struct vm_area_struct *v, *prev = NULL;
	long count = avl_check(mm->mm_rb, vma_cmp);
	int listed = 0;

	if (count < 0) {
		snprintf(err, n, "check_vmas: VMA tree unbalanced or out of order");
		return -EFAULT;
	}
	for_each_vma(mm, v) {
		listed++;
		if (v->vm_start >= v->vm_end || (v->vm_start & ~PAGE_MASK) || (v->vm_end & ~PAGE_MASK)) {
			snprintf(err, n, "check_vmas: bad VMA bounds %llx-%llx",
				 (unsigned long long)v->vm_start, (unsigned long long)v->vm_end);
			return -EFAULT;
		}
		if (v->vm_end > TASK_SIZE_MAX) {
			snprintf(err, n, "check_vmas: VMA beyond TASK_SIZE");
			return -EFAULT;
		}
		if (prev && prev->vm_end > v->vm_start) {
			snprintf(err, n, "check_vmas: VMAs overlap at %llx", (unsigned long long)v->vm_start);
			return -EFAULT;
		}
		/* (brk never merges the heap with what lies below start_brk, the bss say) */
		if (prev && vma_is_anonymous(prev) && vma_is_anonymous(v) && !prev->vm_file &&
		    can_merge(prev, v) && prev->anon_vma == v->anon_vma && !prev->unmerged_ok &&
		    !v->unmerged_ok && v->vm_start != mm->start_brk) {
			snprintf(err, n, "check_vmas: mergeable neighbours left apart at %llx",
				 (unsigned long long)v->vm_start);
			return -EFAULT;
		}
		if (vma_lookup(mm, v->vm_start) != v) {
			snprintf(err, n, "check_vmas: lookup of %llx misses its VMA",
				 (unsigned long long)v->vm_start);
			return -EFAULT;
		}
		if (v->vm_page_prot != vm_get_page_prot(vma_wants_writenotify(v) ? v->vm_flags & ~VM_SHARED
										     : v->vm_flags)) {
			snprintf(err, n, "check_vmas: vm_page_prot does not match vm_flags at %llx",
				 (unsigned long long)v->vm_start);
			return -EFAULT;
		}
		prev = v;
	}
	if (listed != count || listed != mm->map_count) {
		snprintf(err, n, "check_vmas: map_count %d, list %d, tree %ld", mm->map_count, listed,
			 count);
		return -EFAULT;
	}
	(void)m;
	return 0;
}
