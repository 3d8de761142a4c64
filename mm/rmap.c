/* mm/rmap.c - reverse mapping of anonymous pages: anon_vma and anon_vma_chain.
 *
 * Mirrors mm/rmap.c: anon_vma_prepare (first anonymous fault of a VMA), anon_vma_clone and
 * anon_vma_fork (fork gives the child VMA links to every anon_vma of the parent's VMA plus
 * a new anon_vma of its own), unlink_anon_vmas, and the mapcount side of folio_add_*_rmap /
 * folio_remove_rmap_pte. page->mapping of an anonymous page is its anon_vma; page->index is
 * its linear page index, so each VMA linked to the anon_vma can compute the page's address.
 *
 * Simplifications: an anon_vma keeps its chains on a list, not an interval tree (walks are
 * linear in the number of VMAs of the family); anon_vma reuse on fork (num_children checks)
 * is not done, so every fork makes a new anon_vma, as Linux did before 3.x.
 */
#include "mm/internal.h"

static struct anon_vma *anon_vma_alloc(struct vmlab *m)
{
	struct anon_vma *av = kmem_cache_alloc(m, m->anon_vma_cachep);

	if (!av)
		return NULL;
	av->root = av;
	av->refcount = 0;
	INIT_LIST_HEAD(&av->chains);
	return av;
}

static void put_anon_vma(struct vmlab *m, struct anon_vma *av)
{
	while (av && --av->refcount == 0) {
		struct anon_vma *parent = av->parent;

		VM_BUG_ON(!list_empty(&av->chains));
		if (parent)
			parent->num_children--;
		kmem_cache_free(m, m->anon_vma_cachep, av);
		av = parent;
	}
}

static int anon_vma_chain_link(struct vmlab *m, struct vm_area_struct *vma, struct anon_vma *av)
{
	struct anon_vma_chain *avc = kmem_cache_alloc(m, m->anon_vma_chain_cachep);

	if (!avc)
		return -ENOMEM;
	avc->vma = vma;
	avc->anon_vma = av;
	list_add_tail(&avc->same_vma, &vma->anon_vma_chain);
	list_add_tail(&avc->same_anon_vma, &av->chains);
	av->refcount++;
	return 0;
}

/* reusable_anon_vma: a neighbour that could merge with vma and whose anon_vma is not shared
 * with a fork family lends it, so that the two VMAs stay mergeable. */
static struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *n[2] = {vma_prev(mm, vma), vma_next(mm, vma)};
	int i;

	for (i = 0; i < 2; i++) {
		struct vm_area_struct *o = n[i];

		if (!o || !o->anon_vma || o->vm_file || o->vm_flags != vma->vm_flags)
			continue;
		if (i == 0 ? o->vm_end != vma->vm_start : vma->vm_end != o->vm_start)
			continue;
		if (i == 0 ? o->vm_pgoff + ((o->vm_end - o->vm_start) >> PAGE_SHIFT) != vma->vm_pgoff
			   : vma->vm_pgoff + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT) != o->vm_pgoff)
			continue;
		if (o->anon_vma_chain.next == o->anon_vma_chain.prev) /* list_is_singular */
			return o->anon_vma;
	}
	return NULL;
}

int anon_vma_prepare(struct vmlab *m, struct vm_area_struct *vma)
{
	struct anon_vma *av;

	if (likely(vma->anon_vma))
		return 0;
	av = find_mergeable_anon_vma(vma);
	if (!av) {
		av = anon_vma_alloc(m);
		if (!av)
			return -ENOMEM;
	}
	if (anon_vma_chain_link(m, vma, av)) {
		if (av->refcount == 0)
			kmem_cache_free(m, m->anon_vma_cachep, av);
		return -ENOMEM;
	}
	vma->anon_vma = av;
	av->num_active_vmas++;
	return 0;
}

int anon_vma_clone(struct vmlab *m, struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct list_head *pos;

	INIT_LIST_HEAD(&dst->anon_vma_chain);
	dst->anon_vma = NULL;
	list_for_each(pos, &src->anon_vma_chain) {
		struct anon_vma_chain *avc = list_entry(pos, struct anon_vma_chain, same_vma);

		if (anon_vma_chain_link(m, dst, avc->anon_vma)) {
			unlink_anon_vmas(m, dst);
			return -ENOMEM;
		}
	}
	dst->anon_vma = src->anon_vma;
	if (dst->anon_vma)
		dst->anon_vma->num_active_vmas++;
	return 0;
}

int anon_vma_fork(struct vmlab *m, struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma *av;

	INIT_LIST_HEAD(&dst->anon_vma_chain);
	dst->anon_vma = NULL;
	if (!src->anon_vma)
		return 0;
	if (anon_vma_clone(m, dst, src))
		return -ENOMEM;
	av = anon_vma_alloc(m);
	if (!av || anon_vma_chain_link(m, dst, av)) {
		if (av)
			kmem_cache_free(m, m->anon_vma_cachep, av);
		unlink_anon_vmas(m, dst);
		return -ENOMEM;
	}
	av->root = src->anon_vma->root;
	av->parent = src->anon_vma;
	av->parent->refcount++;
	av->parent->num_children++;
	dst->anon_vma->num_active_vmas--;
	dst->anon_vma = av;
	av->num_active_vmas++;
	return 0;
}

void unlink_anon_vmas(struct vmlab *m, struct vm_area_struct *vma)
{
	struct list_head *pos, *n;

	if (vma->anon_vma)
		vma->anon_vma->num_active_vmas--;
	list_for_each_safe(pos, n, &vma->anon_vma_chain) {
		struct anon_vma_chain *avc = list_entry(pos, struct anon_vma_chain, same_vma);
		struct anon_vma *av = avc->anon_vma;

		list_del(&avc->same_vma);
		list_del(&avc->same_anon_vma);
		kmem_cache_free(m, m->anon_vma_chain_cachep, avc);
		put_anon_vma(m, av);
	}
	vma->anon_vma = NULL;
}

/* folio_add_new_anon_rmap: the first mapping of an anonymous page. A page that may be shared
 * with other mms (a swap-cache page after fork) must use the family's oldest anon_vma, so that
 * every VMA that may map it is found (__folio_set_anon). */
void folio_add_new_anon_rmap(struct vmlab *m, struct page *page, struct vm_area_struct *vma,
			     uint64_t addr, bool exclusive)
{
	page->mapping = exclusive ? vma->anon_vma : vma->anon_vma->root;
	page->index = ((addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
	page->flags |= PG_anon | PG_swapbacked | PG_uptodate | (exclusive ? PG_anon_exclusive : 0);
	page->_mapcount = 1;
	mod_page_stat(m, page, NR_ANON_MAPPED, 1);
}

void page_add_anon_rmap(struct vmlab *m, struct page *page)
{
	if (++page->_mapcount == 1)
		mod_page_stat(m, page, NR_ANON_MAPPED, 1);
}

void page_add_file_rmap(struct vmlab *m, struct page *page)
{
	if (++page->_mapcount == 1)
		mod_page_stat(m, page, NR_FILE_MAPPED, 1);
}

void page_remove_rmap(struct vmlab *m, struct page *page)
{
	VM_BUG_ON(page->_mapcount <= 0);
	if (--page->_mapcount == 0)
		mod_page_stat(m, page, (page->flags & PG_anon) ? NR_ANON_MAPPED : NR_FILE_MAPPED, -1);
}

/* ---- walking the PTEs that map a page ------------------------------------------------------- */

/* The PTE of vma that maps page, or NULL (page_vma_mapped_walk for one small page). */
static pteval_t *page_vma_pte(struct vmlab *m, struct vm_area_struct *vma, struct page *page,
			      uint64_t *addr)
{
	uint64_t pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	pteval_t *pte;

	if (page->index < vma->vm_pgoff || page->index >= vma->vm_pgoff + pages)
		return NULL;
	*addr = vma->vm_start + ((page->index - vma->vm_pgoff) << PAGE_SHIFT);
	pte = walk_to_pte(m, vma->vm_mm, vma->vm_mm->pgd, *addr, false);
	if (!pte || !pte_present(*pte) || (*pte & _PAGE_SPECIAL) || pte_pfn(*pte) != page_to_pfn(m, page))
		return NULL;
	return pte;
}

/* rmap_walk_file: calls fn for each PTE that maps a page-cache page, found through the
 * file's i_mmap list of VMAs (Linux: an interval tree). */
static int rmap_walk_file(struct vmlab *m, struct page *page, rmap_one_fn fn, void *arg)
{
	struct list_head *pos, *n;
	int r = 0;

	list_for_each_safe(pos, n, &((struct address_space *)page->mapping)->i_mmap) {
		struct vm_area_struct *vma = list_entry(pos, struct vm_area_struct, shared);
		uint64_t addr;
		pteval_t *pte = page_vma_pte(m, vma, page, &addr);
		int x;

		if (!pte)
			continue;
		x = fn(m, vma, addr, pte, page, arg);
		if (x < 0)
			return x;
		r += x;
		if (!page->_mapcount)
			break; /* every mapping visited */
	}
	return r;
}

/* rmap_walk_anon: the VMAs that may map an anonymous page are those linked to its anon_vma
 * (Linux: the anon_vma's interval tree of anon_vma_chains). */
static int rmap_walk_anon(struct vmlab *m, struct page *page, rmap_one_fn fn, void *arg)
{
	struct anon_vma *av = page->mapping;
	struct list_head *pos, *n;
	int r = 0;

	list_for_each_safe(pos, n, &av->chains) {
		struct anon_vma_chain *avc = list_entry(pos, struct anon_vma_chain, same_anon_vma);
		uint64_t addr;
		pteval_t *pte = page_vma_pte(m, avc->vma, page, &addr);
		int x;

		if (!pte)
			continue;
		x = fn(m, avc->vma, addr, pte, page, arg);
		if (x < 0)
			return x;
		r += x;
		if (!page->_mapcount)
			break;
	}
	return r;
}

/* rmap_walk: fn on every PTE mapping page; the sum of its results, or the first negative one
 * (which stops the walk). */
int rmap_walk(struct vmlab *m, struct page *page, rmap_one_fn fn, void *arg)
{
	if (!page->mapping || !page->_mapcount)
		return 0;
	return (page->flags & PG_anon) ? rmap_walk_anon(m, page, fn, arg)
				       : rmap_walk_file(m, page, fn, arg);
}

/* ---- folio_referenced ------------------------------------------------------------------------ */

/* folio_referenced_one: counts and clears the young bit (x86's ptep_clear_flush_young does not
 * flush the TLB: an access that hits a cached translation leaves the bit clear). */
static int referenced_one(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr,
			  pteval_t *ptep, struct page *page, void *arg)
{
	uint64_t *vm_flags = arg;

	(void)m;
	(void)addr;
	(void)page;
	if (vma->vm_flags & VM_LOCKED) {
		*vm_flags |= VM_LOCKED;
		return -1; /* stop: the page belongs on the unevictable list */
	}
	if (!(*ptep & _PAGE_ACCESSED))
		return 0;
	*ptep &= ~_PAGE_ACCESSED;
	*vm_flags |= vma->vm_flags;
	return 1;
}

int folio_referenced(struct vmlab *m, struct page *page, uint64_t *vm_flags)
{
	int r;

	*vm_flags = 0;
	r = rmap_walk(m, page, referenced_one, vm_flags);
	return r < 0 ? 0 : r;
}

/* ---- try_to_unmap ------------------------------------------------------------------------------ */

/* try_to_unmap_one: the PTE goes (its dirty bit moving to the page); an anonymous page leaves
 * a swap entry in its place (it must be in the swap cache), a lazily freed clean one leaves
 * nothing (its memory is discarded), a file or shmem page leaves an empty PTE. Returns -1 to
 * stop the walk when the page must stay mapped (mlocked VMA, lazyfree page written again,
 * swap count full). */
static int unmap_one(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr, pteval_t *ptep,
		     struct page *page, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	pteval_t pte = *ptep;

	(void)arg;
	if (vma->vm_flags & VM_LOCKED)
		return -1;
	if (page->flags & PG_anon) {
		if (!(page->flags & PG_swapbacked)) {
			/* MADV_FREE: discard unless written since (then it is anon memory again) */
			if ((page->flags & PG_dirty) || pte_dirty(pte) ||
			    page->_refcount != page->_mapcount + 1) { /* + the isolation reference */
				page->flags |= PG_swapbacked;
				return -1;
			}
			*ptep = 0;
			add_mm_counter(mm, MM_ANONPAGES, -1);
		} else {
			swp_entry_t e = {page->private};

			VM_BUG_ON(!(page->flags & PG_swapcache));
			if (swap_duplicate(m, e))
				return -1;
			if (pte_dirty(pte))
				page->flags |= PG_dirty;
			*ptep = swp_entry_to_pte(e) |
				((page->flags & PG_anon_exclusive) ? _PAGE_SWP_EXCLUSIVE : 0);
			page->flags &= ~PG_anon_exclusive;
			add_mm_counter(mm, MM_ANONPAGES, -1);
			add_mm_counter(mm, MM_SWAPENTS, 1);
		}
	} else {
		*ptep = 0;
		if (pte_dirty(pte))
			folio_mark_dirty(m, page);
		add_mm_counter(mm, (page->flags & PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES, -1);
	}
	flush_tlb_mm_range(m, mm, addr, addr + PAGE_SIZE);
	page_remove_rmap(m, page);
	folio_put(m, page);
	return 0;
}

/* The exact-policy reclaim's unmap (vmscan.c), the common case of try_to_unmap in two steps.
 * anon_single_pte: the PTE of an anonymous page that one PTE maps, in an anon_vma of one VMA
 * that is not mlocked (with that VMA and the address); NULL, with nothing done, for any other
 * page (the caller then takes the general path). */
pteval_t *anon_single_pte(struct vmlab *m, struct page *page, struct vm_area_struct **vmap,
			  uint64_t *addr)
{
	struct anon_vma *av = page->mapping;
	struct vm_area_struct *vma;

	if (av->chains.next == &av->chains || av->chains.next != av->chains.prev)
		return NULL;
	vma = list_entry(av->chains.next, struct anon_vma_chain, same_anon_vma)->vma;
	if (vma->vm_flags & VM_LOCKED)
		return NULL;
	*vmap = vma;
	return page_vma_pte(m, vma, page, addr);
}

/* unmap_one_anon: that PTE becomes the swap entry e, whose slot the caller allocated and whose
 * count holds this PTE's reference; the TLB entry is flushed, the rmap and the mm's counters
 * updated, as unmap_one does. The page's last reference stays the caller's. */
void unmap_one_anon(struct vmlab *m, struct page *page, struct vm_area_struct *vma, uint64_t addr,
		    pteval_t *ptep, swp_entry_t e)
{
	struct mm_struct *mm = vma->vm_mm;

	*ptep = swp_entry_to_pte(e) | ((page->flags & PG_anon_exclusive) ? _PAGE_SWP_EXCLUSIVE : 0);
	page->flags &= ~PG_anon_exclusive;
	add_mm_counter(mm, MM_ANONPAGES, -1);
	add_mm_counter(mm, MM_SWAPENTS, 1);
	flush_tlb_page(m, mm, addr);
	page_remove_rmap(m, page);
}

/* try_to_unmap: removes every PTE mapping page. Returns true when none is left. */
bool try_to_unmap(struct vmlab *m, struct page *page)
{
	rmap_walk(m, page, unmap_one, NULL);
	return page->_mapcount == 0;
}

/* ---- rmap walks for writeback ------------------------------------------------------------------ */

int rmap_walk_file_pages(struct vmlab *m, struct page *page, rmap_one_fn fn, void *arg)
{
	return page->mapping ? rmap_walk_file(m, page, fn, arg) : 0;
}
