/* mm/memory.c - page faults, unmapping, and fork's copy of the page tables.
 *
 * Mirrors mm/memory.c: handle_mm_fault -> handle_pte_fault dispatches to do_anonymous_page
 * (first touch of private anonymous memory: the zero page on a read, a zeroed page on a
 * write), do_fault (pages of an object: do_read_fault with fault-around, do_cow_fault,
 * do_shared_fault), do_wp_page (write to a write-protected present page: reuse or copy).
 * zap_page_range removes PTEs and drops page references; copy_page_range write-protects
 * COW mappings on both sides at fork; populate_vma_page_range is GUP's faulting loop.
 *
 * Each handler reads as a straight line: allocate, copy/zero, add reverse map, add to LRU,
 * set the PTE, fix up counters.
 *
 * do_swap_page brings a swapped-out anonymous page back (from the swap cache: a minor fault;
 * from the swap device, with readahead: a major one), mapping it writable at once when the
 * swap entry says it was exclusive to this mm, as 6.x does.
 *
 * Not here: THP, NUMA hinting faults, userfaultfd.
 */
#include "mm/internal.h"

#define FAULT_AROUND_PAGES 16 /* fault_around_bytes = 64 KiB */

/* ---- small helpers ---------------------------------------------------------------------- */

pteval_t vm_get_page_prot(uint64_t vm_flags)
{
	/* protection_map[] of arch/x86/mm/pgprot.c: x86 cannot express write-only, and private
	 * writable mappings start read-only so that the first write faults (COW). */
	static const pteval_t map[16] = {
		[0] = PAGE_NONE,
		[1] = PAGE_READONLY,
		[2] = PAGE_COPY,
		[3] = PAGE_COPY,
		[4] = PAGE_READONLY_EXEC,
		[5] = PAGE_READONLY_EXEC,
		[6] = PAGE_COPY_EXEC,
		[7] = PAGE_COPY_EXEC,
		[8] = PAGE_NONE,
		[9] = PAGE_READONLY,
		[10] = PAGE_SHARED,
		[11] = PAGE_SHARED,
		[12] = PAGE_READONLY_EXEC,
		[13] = PAGE_READONLY_EXEC,
		[14] = PAGE_SHARED_EXEC,
		[15] = PAGE_SHARED_EXEC,
	};
	return map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}

void add_mm_counter(struct mm_struct *mm, int member, int64_t value)
{
	mm->rss_stat[member] += value;
}

uint64_t get_mm_rss(const struct mm_struct *mm)
{
	return (uint64_t)(mm->rss_stat[MM_FILEPAGES] + mm->rss_stat[MM_ANONPAGES] +
			  mm->rss_stat[MM_SHMEMPAGES]);
}

static void update_hiwater_rss(struct mm_struct *mm)
{
	uint64_t rss = get_mm_rss(mm);

	if (mm->hiwater_rss < rss)
		mm->hiwater_rss = rss;
}

static inline uint64_t linear_page_index(const struct vm_area_struct *vma, uint64_t addr)
{
	return ((addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

/* The RSS counter a mapped page is charged to. */
static int mm_counter(const struct page *p)
{
	if (p->flags & PG_anon)
		return MM_ANONPAGES;
	return (p->flags & PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

static void fault_event(struct vm_fault *vmf, const char *handler, const char *why)
{
	vmlab_event_t ev = {.type = VMLAB_EV_FAULT, .pid = vmf->task ? vmf->task->pid : 0,
			    .addr = vmf->real_address, .value = vmf->flags, .text = handler,
			    .text2 = why};
	vm_event(vmf->m, &ev);
}

void mm_account_fault(struct vmlab *m, struct task_struct *t, unsigned ret, unsigned flags)
{
	if (ret & VM_FAULT_RETRY)
		return;
	/* pgfault counts failed faults too; the per-task counters only successful ones */
	count_vm_event(m, PGFAULT);
	if (t->mm && t->mm->memcg)
		memcg_count_vm_events(m, t->mm->memcg, MEMCG_PGFAULT, 1);
	if (ret & VM_FAULT_ERROR)
		return;
	if (ret & VM_FAULT_MAJOR)
		t->maj_flt++;
	else
		t->min_flt++;
}

/* ---- mapping a page ---------------------------------------------------------------------- */

void set_pte_page(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr, pteval_t *ptep,
		  struct page *page, bool write, bool prefault)
{
	pteval_t entry = pfn_pte(page_to_pfn(m, page), vma->vm_page_prot);

	if (prefault)
		entry &= ~_PAGE_ACCESSED; /* fault-around PTEs start old */
	if (write && (vma->vm_flags & VM_WRITE))
		entry |= _PAGE_RW | _PAGE_DIRTY;
	if (page->flags & PG_anon)
		page_add_anon_rmap(m, page);
	else
		page_add_file_rmap(m, page);
	add_mm_counter(vma->vm_mm, mm_counter(page), 1);
	*ptep = entry;
	mlock_vma_folio(m, vma, page);
	(void)addr;
}

/* ---- anonymous memory ---------------------------------------------------------------------- */

static unsigned do_anonymous_page(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;
	struct vm_area_struct *vma = vmf->vma;
	struct page *page;
	pteval_t entry;

	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		/* A read maps the shared zero page read-only: no memory is allocated. */
		*vmf->pte = pfn_pte(m->zero_pfn, vma->vm_page_prot & ~_PAGE_RW) | _PAGE_SPECIAL;
		if (unlikely(explaining(m)))
			fault_event(vmf, "do_anonymous_page",
				    "first read of an anonymous page: map the shared zero page");
		return 0;
	}
	if (anon_vma_prepare(m, vma))
		return VM_FAULT_OOM;
	alloc_reason(m, "an anonymous page (zeroed)");
	page = alloc_pages(m, GFP_HIGHUSER_MOVABLE | __GFP_ZERO_LAZY, 0);
	if (!page)
		return VM_FAULT_OOM;
	if (mem_cgroup_charge(m, page, vma->vm_mm)) {
		free_pages(m, page, 0);
		return VM_FAULT_OOM;
	}
	folio_add_new_anon_rmap(m, page, vma, vmf->address, true);
	folio_add_lru(m, page);
	mlock_vma_folio(m, vma, page);
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, 1);
	entry = pfn_pte(page_to_pfn(m, page), vma->vm_page_prot) | _PAGE_DIRTY;
	if (vma->vm_flags & VM_WRITE)
		entry |= _PAGE_RW;
	*vmf->pte = entry;
	if (unlikely(explaining(m)))
		fault_event(vmf, "do_anonymous_page",
			    "first write to an anonymous page: allocate a zeroed page");
	return 0;
}

/* ---- write-protect faults -------------------------------------------------------------------- */

static unsigned wp_page_reuse(struct vm_fault *vmf, struct page *page, const char *why)
{
	*vmf->pte |= _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED;
	if (page && !(page->flags & PG_anon))
		folio_mark_dirty(vmf->m, page);
	count_vm_event(vmf->m, PGREUSE);
	if (unlikely(explaining(vmf->m)))
		fault_event(vmf, "do_wp_page", why);
	return 0;
}

static unsigned wp_page_copy(struct vm_fault *vmf, struct page *old)
{
	struct vmlab *m = vmf->m;
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *new;

	if (anon_vma_prepare(m, vma))
		return VM_FAULT_OOM;
	if (old)
		get_page(old); /* held: reclaim inside the allocation must not take it */
	alloc_reason(m, old ? "the copy-on-write copy" : "an anonymous page replacing the zero page");
	new = alloc_pages(m, GFP_HIGHUSER_MOVABLE | (old && !(old->flags & PG_zerofill) ? 0 : __GFP_ZERO_LAZY), 0);
	if (new && mem_cgroup_charge(m, new, mm)) {
		free_pages(m, new, 0);
		new = NULL;
	}
	if (!new) {
		if (old)
			folio_put(m, old);
		return VM_FAULT_OOM;
	}
	if (old && !(old->flags & PG_zerofill)) /* a copy of zeros stays lazily zero */
		memcpy(page_address(m, new), page_address(m, old), PAGE_SIZE);
	folio_add_new_anon_rmap(m, new, vma, vmf->address, true);
	folio_add_lru(m, new);
	mlock_vma_folio(m, vma, new);
	if (old && !(old->flags & PG_anon))
		add_mm_counter(mm, mm_counter(old), -1);
	if (!old || !(old->flags & PG_anon))
		add_mm_counter(mm, MM_ANONPAGES, 1);
	/* ptep_clear_flush + set_pte: the old translation must leave the TLB */
	*vmf->pte = pfn_pte(page_to_pfn(m, new), vma->vm_page_prot) | _PAGE_RW | _PAGE_DIRTY;
	flush_tlb_mm_range(m, mm, vmf->address, vmf->address + PAGE_SIZE);
	if (unlikely(explaining(m)))
		fault_event(vmf, "do_wp_page",
			    old ? "write to a shared copy-on-write page: copy it (wp_page_copy)"
				: "write to the zero page: allocate a zeroed page (wp_page_copy)");
	if (old) {
		page_remove_rmap(m, old);
		folio_put(m, old); /* the PTE's reference */
		folio_put(m, old); /* ours */
	}
	return 0;
}

static unsigned do_wp_page(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;
	struct vm_area_struct *vma = vmf->vma;
	uint64_t pfn = pte_pfn(vmf->orig_pte);
	struct page *page = (vmf->orig_pte & _PAGE_SPECIAL) ? NULL : pfn_to_page(m, pfn);

	if (vma->vm_flags & VM_SHARED) {
		/* wp_page_shared: the object's page itself becomes writable */
		if (page && vma->vm_ops && vma->vm_ops->page_mkwrite) {
			unsigned r = vma->vm_ops->page_mkwrite(vmf);

			if (r & VM_FAULT_ERROR)
				return r;
		}
		return wp_page_reuse(vmf, page, "write to a shared page mapped read-only: make it writable");
	}
	if (page && (page->flags & PG_anon)) {
		if (page->flags & PG_anon_exclusive)
			return wp_page_reuse(vmf, page,
					     "write to an exclusive anonymous page: reuse it in place");
		/* wp_can_reuse_anon_folio: the last sharer takes the page over (a swap-cache copy
		 * that no other PTE needs is dropped first) */
		if (page_count(page) == 1 + !!(page->flags & PG_swapcache) && page_mapcount(page) == 1 &&
		    (page->flags & PG_swapcache))
			folio_free_swap(m, page);
		if (page_count(page) == 1 && page_mapcount(page) == 1) {
			page->mapping = vma->anon_vma; /* folio_move_anon_rmap */
			page->flags |= PG_anon_exclusive;
			return wp_page_reuse(vmf, page,
					     "write to a COW page no one else maps any more: reuse it");
		}
	}
	return wp_page_copy(vmf, page);
}

/* ---- pages of an object (shmem now, files later) --------------------------------------- */

/* do_fault_around: maps the object's cached pages in a 16-page window aligned in the page
 * table, clipped to the VMA and to the page table. */
static void do_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	uint64_t pte_off = pte_index(vmf->address);
	uint64_t vma_off = vmf->pgoff - vma->vm_pgoff;
	uint64_t vma_pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	uint64_t from = MAX(pte_off & ~(uint64_t)(FAULT_AROUND_PAGES - 1), pte_off - MIN(pte_off, vma_off));
	uint64_t to = MIN(MIN(from + FAULT_AROUND_PAGES, (uint64_t)PTRS_PER_TABLE),
			  pte_off + vma_pages - vma_off) - 1;
	uint64_t start_pgoff = vmf->pgoff - (pte_off - from);

	vma->vm_ops->map_pages(vmf, start_pgoff, start_pgoff + (to - from));
}

static unsigned __do_fault(struct vm_fault *vmf)
{
	return vmf->vma->vm_ops->fault(vmf);
}

static unsigned do_read_fault(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;
	unsigned ret;

	/* (an exact policy sees one page a fault: no fault-around) */
	if (vmf->vma->vm_ops->map_pages && FAULT_AROUND_PAGES > 1 && !m->policy_exact) {
		do_fault_around(vmf);
		if (!pte_none(*vmf->pte)) {
			*vmf->pte |= _PAGE_ACCESSED;
			if (unlikely(explaining(m)))
				fault_event(vmf, "do_read_fault",
					    "read of a cached page: fault-around mapped it with its "
					    "cached neighbours");
			return VM_FAULT_NOPAGE;
		}
	}
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		return ret; /* NOPAGE: ->fault installed the PTE itself (a PFN mapping) */
	set_pte_page(m, vmf->vma, vmf->address, vmf->pte, vmf->page, false, false);
	if (unlikely(explaining(m)))
		fault_event(vmf, "do_read_fault", "read of a page of the object: map it");
	return ret;
}

static unsigned do_cow_fault(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;
	struct vm_area_struct *vma = vmf->vma;
	struct page *new;
	unsigned ret;

	if (anon_vma_prepare(m, vma))
		return VM_FAULT_OOM;
	alloc_reason(m, "a private copy of a file page");
	new = alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0);
	if (!new)
		return VM_FAULT_OOM;
	if (mem_cgroup_charge(m, new, vma->vm_mm)) {
		free_pages(m, new, 0);
		return VM_FAULT_OOM;
	}
	ret = __do_fault(vmf);
	if (ret & VM_FAULT_ERROR) {
		free_pages(m, new, 0);
		return ret;
	}
	memcpy(page_address(m, new), page_address(m, vmf->page), PAGE_SIZE);
	folio_put(m, vmf->page);
	folio_add_new_anon_rmap(m, new, vma, vmf->address, true);
	folio_add_lru(m, new);
	mlock_vma_folio(m, vma, new);
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, 1);
	*vmf->pte = pfn_pte(page_to_pfn(m, new), vma->vm_page_prot) | _PAGE_RW | _PAGE_DIRTY;
	if (unlikely(explaining(m)))
		fault_event(vmf, "do_cow_fault",
			    "write to a private mapping of an object: copy its page");
	return ret;
}

static unsigned do_shared_fault(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;
	unsigned ret = __do_fault(vmf);

	if (ret & VM_FAULT_ERROR)
		return ret;
	if (vmf->vma->vm_ops->page_mkwrite) {
		unsigned r = vmf->vma->vm_ops->page_mkwrite(vmf);

		if (r & VM_FAULT_ERROR) {
			folio_put(m, vmf->page);
			return r;
		}
	}
	set_pte_page(m, vmf->vma, vmf->address, vmf->pte, vmf->page, true, false);
	folio_mark_dirty(m, vmf->page);
	if (unlikely(explaining(m)))
		fault_event(vmf, "do_shared_fault",
			    "write to a shared mapping: map the object's page writable");
	return ret;
}

static unsigned do_fault(struct vm_fault *vmf)
{
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vmf->vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* ---- swapped-out pages ------------------------------------------------------------------------ */

/* should_try_to_free_swap: drop the swap-cache copy of a page being mapped when swap is over
 * half full, the VMA is mlocked, or a write makes the copy stale anyway and this fault is
 * likely the page's only user. */
static bool should_try_to_free_swap(struct vmlab *m, struct page *page, struct vm_area_struct *vma,
				    unsigned flags)
{
	if (!(page->flags & PG_swapcache))
		return false;
	if (vm_swap_full(m) || (vma->vm_flags & VM_LOCKED) || (page->flags & PG_mlocked))
		return true;
	return (flags & FAULT_FLAG_WRITE) && page_count(page) == 2; /* ours + the cache's */
}

/* do_swap_page's common case, lean: an exclusive swap entry (count 1, no cached page) on a
 * RAM disk, so swapin_direct's path, in an anonymous VMA that has its anon_vma, is not
 * mlocked and belongs with its slot to the root group, outside explain mode. The same steps
 * as swapin_direct then do_swap_page, in one place without their generality (the lockstep
 * test tests/unit/test_fastpath.c compares the two). */
static inline __attribute__((always_inline)) bool
swapin_lean_ok(const struct vm_fault *vmf, const struct swap_info_struct *si, uint64_t off)
{
	const struct vmlab *m = vmf->m;
	const struct vm_area_struct *vma = vmf->vma;
	uint64_t slot = si->swap_cache[off];

	return (si->flags & SWP_SYNCHRONOUS_IO) && si->swap_map[off] == 1 && (!slot || (slot & 1)) &&
	       !si->swap_cgroup[off] && vma->anon_vma && !(vma->vm_flags & VM_LOCKED) &&
	       !(vma->vm_mm->memcg && vma->vm_mm->memcg->id) && !explaining(m) &&
	       !m->cfg.general_paths;
}

/* (inline in both callers, do_swap_page and swap_fault_lean: the fault path's common case) */
static inline __attribute__((always_inline)) unsigned
do_swap_page_lean(struct vm_fault *vmf, struct swap_info_struct *si, swp_entry_t e)
{
	struct vmlab *m = vmf->m;
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	uint64_t off = swp_offset(e), slot;
	uint16_t *map = &si->swap_map[off];
	struct page *page;
	pteval_t pte;

	alloc_reason(m, "a page read back from swap");
	page = alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0);
	if (!page)
		return VM_FAULT_OOM;
	if ((*map & SWAP_HAS_CACHE) || !(*map & SWAP_MAP_MAX)) {
		/* swapcache_prepare fails: reclaim in the allocation took the entry away */
		free_pages(m, page, 0);
		return VM_FAULT_OOM;
	}
	/* swapin_direct (its cache bit, set and cleared around the read, is seen by nothing in
	 * between, so it is left out) */
	page->flags |= PG_swapbacked | PG_uptodate;
	page->private = e.val;
	page->memcg_id = 0; /* charged to the root */
	slot = si->swap_cache[off];
	if (slot & 1)
		workingset_refault(m, page, xa_to_value((void *)(uintptr_t)slot));
	folio_add_lru(m, page);
	if (swap_read_folio(m, page) > 0)
		disk_request(m, 1);
	page->private = 0;
	count_vm_event(m, PGMAJFAULT);
	/* do_swap_page: the PTE's reference to the slot goes, the page is mapped exclusive */
	swap_free(m, e);
	add_mm_counter(mm, MM_ANONPAGES, 1);
	add_mm_counter(mm, MM_SWAPENTS, -1);
	pte = pfn_pte(page_to_pfn(m, page), vma->vm_page_prot);
	if (vma->vm_flags & VM_WRITE) {
		pte |= _PAGE_RW;
		if (vmf->flags & FAULT_FLAG_WRITE) {
			pte |= _PAGE_DIRTY;
			vmf->flags &= ~FAULT_FLAG_WRITE;
		}
	}
	folio_add_new_anon_rmap(m, page, vma, vmf->address, true);
	page->flags |= PG_anon_exclusive;
	*vmf->pte = pte;
	vmf->orig_pte = pte;
	if (vmf->flags & FAULT_FLAG_WRITE) {
		unsigned r = do_wp_page(vmf);

		return (r & VM_FAULT_ERROR) ? (r & VM_FAULT_ERROR) : (VM_FAULT_MAJOR | r);
	}
	return VM_FAULT_MAJOR;
}

unsigned swap_fault_lean(struct vmlab *m, struct task_struct *t, struct vm_area_struct *vma,
			 uint64_t addr, unsigned flags, pteval_t *ptep)
{
	struct vm_fault vmf = {.m = m, .vma = vma, .task = t, .address = addr & PAGE_MASK,
			       .real_address = addr, .flags = flags, .pte = ptep, .orig_pte = *ptep};
	swp_entry_t e = pte_to_swp_entry(vmf.orig_pte);
	struct swap_info_struct *si = swp_swap_info(m, e);

	vmf.pgoff = linear_page_index(vma, vmf.address);
	/* do_swap_page's test of the entry, then its choice of the lean case */
	if (!si || swp_offset(e) >= si->max || !swapin_lean_ok(&vmf, si, swp_offset(e)))
		return 0;
	return do_swap_page_lean(&vmf, si, e);
}

static unsigned do_swap_page(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	swp_entry_t e = pte_to_swp_entry(vmf->orig_pte);
	struct swap_info_struct *si = swp_swap_info(m, e);
	bool exclusive = (vmf->orig_pte & _PAGE_SWP_EXCLUSIVE) != 0, major = false;
	struct page *page;
	unsigned ret = 0;
	pteval_t pte;

	if (!si || swp_offset(e) >= si->max || !__swap_count(m, e))
		return VM_FAULT_SIGBUS; /* print_bad_pte: not an entry we handed out */
	if (likely(swapin_lean_ok(vmf, si, swp_offset(e))))
		return do_swap_page_lean(vmf, si, e);
	page = lookup_swap_cache(m, e, vma, vmf->address);
	if (!page) {
		if ((si->flags & SWP_SYNCHRONOUS_IO) && __swap_count(m, e) == 1) {
			/* a RAM disk and only this PTE: skip the swap cache and readahead */
			page = swapin_direct(m, e, mm);
			exclusive = true; /* a fresh page nobody else can see */
		} else {
			page = swapin_readahead(m, e, vmf);
		}
		if (!page)
			return VM_FAULT_OOM;
		/* had to read the page from the swap area: a major fault */
		major = true;
		ret = VM_FAULT_MAJOR;
		count_vm_event(m, PGMAJFAULT);
		memcg_count_vm_event(m, page, MEMCG_PGMAJFAULT);
	}
	VM_BUG_ON(*vmf->pte != vmf->orig_pte); /* reclaim leaves swap PTEs alone */
	/* remove the PTE's reference to the slot, then perhaps the cached copy */
	swap_free(m, e);
	if (should_try_to_free_swap(m, page, vma, vmf->flags))
		folio_free_swap(m, page);
	add_mm_counter(mm, MM_ANONPAGES, 1);
	add_mm_counter(mm, MM_SWAPENTS, -1);
	pte = pfn_pte(page_to_pfn(m, page), vma->vm_page_prot);
	/* certainly exclusive (the entry said so, or nobody else holds the page): writable now */
	if (exclusive || page_count(page) == 1) {
		exclusive = true;
		if (vma->vm_flags & VM_WRITE) {
			pte |= _PAGE_RW;
			if (vmf->flags & FAULT_FLAG_WRITE) {
				pte |= _PAGE_DIRTY;
				vmf->flags &= ~FAULT_FLAG_WRITE;
			}
		}
	}
	if (anon_vma_prepare(m, vma)) {
		/* cannot happen for a VMA that had anonymous pages; undo nothing, fail */
		folio_put(m, page);
		return VM_FAULT_OOM;
	}
	if (!(page->flags & PG_anon))
		folio_add_new_anon_rmap(m, page, vma, vmf->address, exclusive);
	else
		page_add_anon_rmap(m, page);
	if (exclusive)
		page->flags |= PG_anon_exclusive;
	*vmf->pte = pte; /* the reference taken by the lookup is now the PTE's */
	mlock_vma_folio(m, vma, page);
	vmf->orig_pte = pte;
	if (unlikely(explaining(m)))
		fault_event(vmf, "do_swap_page", major ? "the page was swapped out: read it back from "
							 "the swap device (major fault)"
						       : "the page was swapped out but is still in the "
							 "swap cache: map it (minor fault)");
	if (vmf->flags & FAULT_FLAG_WRITE) {
		unsigned r = do_wp_page(vmf);

		ret |= r;
		if (r & VM_FAULT_ERROR)
			ret &= VM_FAULT_ERROR;
	}
	return ret;
}

/* ---- the dispatcher ----------------------------------------------------------------------- */

unsigned handle_mm_fault_at(struct vmlab *m, struct task_struct *t, struct vm_area_struct *vma,
			    uint64_t addr, unsigned flags, pteval_t *ptep)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_fault vmf = {.m = m, .vma = vma, .task = t, .address = addr & PAGE_MASK,
			       .real_address = addr, .flags = flags};

	vmf.pgoff = linear_page_index(vma, vmf.address);
	vmf.pte = ptep ? ptep : walk_to_pte(m, mm, mm->pgd, addr, true);
	if (!vmf.pte)
		return VM_FAULT_OOM;
	vmf.orig_pte = *vmf.pte;
	if (pte_none(vmf.orig_pte))
		return vma->vm_ops ? do_fault(&vmf) : do_anonymous_page(&vmf);
	if (!pte_present(vmf.orig_pte))
		return do_swap_page(&vmf);
	if ((flags & FAULT_FLAG_WRITE) && !pte_write(vmf.orig_pte))
		return do_wp_page(&vmf);
	/* spurious fault (for example a stale TLB entry): mark young, and dirty on a write */
	*vmf.pte |= _PAGE_ACCESSED | ((flags & FAULT_FLAG_WRITE) ? _PAGE_DIRTY : 0);
	if (unlikely(explaining(m)))
		fault_event(&vmf, "handle_pte_fault", "spurious fault: the PTE already allows it");
	return 0;
}

unsigned handle_mm_fault(struct vmlab *m, struct task_struct *t, struct vm_area_struct *vma,
			 uint64_t addr, unsigned flags)
{
	return handle_mm_fault_at(m, t, vma, addr, flags, NULL);
}

/* ---- walking PTE tables over a range -------------------------------------------------------- */

/* Calls fn for each existing PTE table covering [start, end) with the slice [i0, i1) of its
 * entries that lies in the range; `base` is the address mapped by entry 0. */
typedef int (*pte_table_fn)(void *ctx, uint64_t base, pteval_t *table, unsigned i0, unsigned i1);

static int for_each_pte_table(struct vmlab *m, uint64_t pfn, int level, uint64_t base,
			      uint64_t start, uint64_t end, pte_table_fn fn, void *ctx)
{
	uint64_t span = 1ull << (PAGE_SHIFT + 9 * (level - 1));
	pteval_t *t = table_of(m, pfn);
	unsigned i = (unsigned)((start - base) / span);
	int r;

	if (level == 1) {
		unsigned i1 = (unsigned)MIN((uint64_t)PTRS_PER_TABLE, (end - base + PAGE_SIZE - 1) >> PAGE_SHIFT);

		return fn(ctx, base, t, i, i1);
	}
	for (; i < PTRS_PER_TABLE; i++) {
		uint64_t lo = base + (uint64_t)i * span, hi = lo + span;

		if (lo >= end)
			break;
		if (!(t[i] & _PAGE_PRESENT) || (t[i] & _PAGE_PSE))
			continue;
		r = for_each_pte_table(m, pte_pfn(t[i]), level - 1, lo, MAX(start, lo), MIN(end, hi),
				       fn, ctx);
		if (r)
			return r;
	}
	return 0;
}

static int range_tables(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t end,
			pte_table_fn fn, void *ctx)
{
	if (start >= end)
		return 0;
	return for_each_pte_table(m, mm->pgd, 4, 0, start, end, fn, ctx);
}

/* ---- zap ------------------------------------------------------------------------------------ */

struct zap_ctx {
	struct vmlab *m;
	struct mm_struct *mm;
	bool locked; /* VM_LOCKED: the pages are munlocked as they go */
};

static int zap_pte_range(void *c, uint64_t base, pteval_t *t, unsigned i0, unsigned i1)
{
	struct zap_ctx *z = c;
	struct vmlab *m = z->m;
	unsigned i;

	for (i = i0; i < i1; i++) {
		pteval_t e = t[i];
		struct page *page;

		if (pte_none(e))
			continue;
		t[i] = 0;
		if (!pte_present(e)) {
			free_swap_and_cache(m, pte_to_swp_entry(e));
			add_mm_counter(z->mm, MM_SWAPENTS, -1);
			continue;
		}
		if (e & _PAGE_SPECIAL)
			continue; /* the zero page has no reference to drop */
		page = pfn_to_page(m, pte_pfn(e));
		if (pte_dirty(e) && !(page->flags & PG_anon))
			folio_mark_dirty(m, page); /* the PTE's dirty bit moves to the page */
		add_mm_counter(z->mm, mm_counter(page), -1);
		page_remove_rmap(m, page);
		if (z->locked)
			munlock_folio(m, page);
		/* free_swap_cache: an unmapped swap-cache page no PTE needs loses its slot */
		if ((page->flags & PG_swapcache) && !page->_mapcount)
			folio_free_swap(m, page);
		folio_put(m, page);
	}
	(void)base;
	return 0;
}

void zap_page_range(struct vmlab *m, struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct zap_ctx z = {m, vma->vm_mm, (vma->vm_flags & VM_LOCKED) != 0};

	update_hiwater_rss(vma->vm_mm);
	range_tables(m, vma->vm_mm, start, end, zap_pte_range, &z);
	flush_tlb_mm_range(m, vma->vm_mm, start, end);
}

/* ---- fork ------------------------------------------------------------------------------------ */

struct copy_ctx {
	struct vmlab *m;
	struct mm_struct *dst_mm;
	bool cow;
};

static int copy_pte_range(void *c, uint64_t base, pteval_t *src, unsigned i0, unsigned i1)
{
	struct copy_ctx *cc = c;
	struct vmlab *m = cc->m;
	pteval_t *dst = NULL;
	unsigned i;

	for (i = i0; i < i1; i++) {
		pteval_t e = src[i];
		struct page *page;

		if (pte_none(e))
			continue;
		if (!dst) {
			pteval_t *d = walk_to_pte(m, cc->dst_mm, cc->dst_mm->pgd, base, true);

			if (!d)
				return -ENOMEM;
			dst = d; /* entry 0 of the destination table */
		}
		if (!pte_present(e)) {
			/* copy_nonpresent_pte: one more reference to the slot; neither side is
			 * exclusive any more */
			if (swap_duplicate(m, pte_to_swp_entry(e)))
				return -ENOMEM;
			src[i] = dst[i] = e & ~_PAGE_SWP_EXCLUSIVE;
			add_mm_counter(cc->dst_mm, MM_SWAPENTS, 1);
			continue;
		}
		if (!(e & _PAGE_SPECIAL)) {
			page = pfn_to_page(m, pte_pfn(e));
			get_page(page);
			page->_mapcount++; /* folio_try_dup_anon_rmap / folio_dup_file_rmap */
			page->flags &= ~PG_anon_exclusive;
			add_mm_counter(cc->dst_mm, mm_counter(page), 1);
		}
		if (cc->cow && pte_write(e)) {
			src[i] = e & ~_PAGE_RW; /* ptep_set_wrprotect: the parent too */
			e &= ~_PAGE_RW;
		}
		dst[i] = e & ~_PAGE_ACCESSED; /* the child's copy starts old */
	}
	return 0;
}

int copy_page_range(struct vmlab *m, struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct copy_ctx cc = {m, dst->vm_mm,
			      (src->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE};

	/* vma_needs_copy: shared and never-written file mappings refault in the child */
	if (!(src->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) && !src->anon_vma)
		return 0;
	return range_tables(m, src->vm_mm, src->vm_start, src->vm_end, copy_pte_range, &cc);
}

/* ---- mprotect's PTE rewrite -------------------------------------------------------------------- */

struct prot_ctx {
	struct vmlab *m;
	struct vm_area_struct *vma;
	pteval_t newprot;
	uint64_t changed;
};

static int change_pte_range(void *c, uint64_t base, pteval_t *t, unsigned i0, unsigned i1)
{
	struct prot_ctx *pc = c;
	const pteval_t keep = PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SPECIAL |
			      _PAGE_SOFT_DIRTY;
	struct vm_area_struct *vma = pc->vma;
	unsigned i;

	for (i = i0; i < i1; i++) {
		pteval_t e = t[i], n;

		if (!pte_present(e))
			continue;
		n = (e & keep) | pc->newprot;
		/* can_change_pte_writable: an exclusive anonymous page of a writable private
		 * mapping, or a dirty page of a writable shared one, may be writable at once */
		if ((vma->vm_flags & VM_WRITE) && !(n & _PAGE_RW) && (n & _PAGE_PRESENT) &&
		    !(e & _PAGE_SPECIAL)) {
			struct page *p = pfn_to_page(pc->m, pte_pfn(e));

			if (!(vma->vm_flags & VM_SHARED) ? (p->flags & PG_anon_exclusive) != 0
							  : pte_dirty(e))
				n |= _PAGE_RW;
		}
		if (n != e) {
			t[i] = n;
			pc->changed++;
		}
	}
	(void)base;
	return 0;
}

/* change_protection: rewrites the PTEs of [start, end) of vma for its new vm_page_prot. */
void change_protection(struct vmlab *m, struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct prot_ctx pc = {m, vma, vma->vm_page_prot, 0};

	range_tables(m, vma->vm_mm, start, end, change_pte_range, &pc);
	if (pc.changed)
		flush_tlb_mm_range(m, vma->vm_mm, start, end);
}

/* ---- mremap's PTE move ----------------------------------------------------------------------- */

struct move_ctx {
	struct vmlab *m;
	struct mm_struct *mm;
	uint64_t old_start, new_start;
	int err;
};

static int move_pte_range(void *c, uint64_t base, pteval_t *t, unsigned i0, unsigned i1)
{
	struct move_ctx *mc = c;
	unsigned i;

	for (i = i0; i < i1; i++) {
		uint64_t old = base + ((uint64_t)i << PAGE_SHIFT);
		pteval_t *dst;

		if (pte_none(t[i]))
			continue;
		dst = walk_to_pte(mc->m, mc->mm, mc->mm->pgd, mc->new_start + (old - mc->old_start),
				  true);
		if (!dst)
			return mc->err = -ENOMEM;
		*dst = t[i];
		t[i] = 0;
	}
	return 0;
}

/* move_page_tables: moves the PTEs of [old, old+len) to new (the pages are not copied).
 * Returns 0 or -ENOMEM (entries moved so far stay moved). */
int move_page_tables(struct vmlab *m, struct mm_struct *mm, uint64_t old, uint64_t new_addr,
		     uint64_t len)
{
	struct move_ctx mc = {m, mm, old, new_addr, 0};

	range_tables(m, mm, old, old + len, move_pte_range, &mc);
	flush_tlb_mm_range(m, mm, old, old + len);
	return mc.err;
}

/* ---- populate (GUP) ------------------------------------------------------------------------ */

int populate_vma_page_range(struct vmlab *m, struct task_struct *t, struct vm_area_struct *vma,
			    uint64_t start, uint64_t end)
{
	struct mm_struct *mm = vma->vm_mm;
	bool write = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
	unsigned flags = FAULT_FLAG_REMOTE | (write ? FAULT_FLAG_WRITE : 0);
	uint64_t addr;

	/* mlock/populate succeed on any permission but PROT_NONE, which is left alone */
	if (!(vma->vm_flags & VM_ACCESS_FLAGS))
		return 0;
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		pteval_t *pte = walk_to_pte(m, mm, mm->pgd, addr, false);
		unsigned ret;

		/* follow_page: a present PTE good enough for the access needs no fault */
		if (pte && pte_present(*pte) && (!write || pte_write(*pte)))
			continue;
		ret = handle_mm_fault(m, t, vma, addr, flags);
		mm_account_fault(m, t, ret, flags);
		if (ret & VM_FAULT_OOM)
			return -ENOMEM;
		if (ret & VM_FAULT_ERROR)
			return -EFAULT;
	}
	return 0;
}
