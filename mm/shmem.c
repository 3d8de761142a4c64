/* mm/shmem.c - shared anonymous memory as a shmem object, and file references.
 *
 * Mirrors mm/shmem.c: mmap(MAP_SHARED|MAP_ANONYMOUS) calls shmem_zero_setup, which backs the
 * VMA with a new unlinked tmpfs inode ("/dev/zero (deleted)" in maps, device 00:01). Pages
 * live in the inode's page cache (an xarray indexed by page offset), so every process that
 * maps the object (after fork, say) finds the same frames. shmem_fault finds or allocates the
 * page; filemap_map_pages maps already-cached pages for
 * fault-around. The object dies with its last reference (shmem_evict_inode).
 *
 * Under memory pressure a dirty shmem page is swapped out (shmem_writeout): it moves from the
 * object's page cache into the swap cache, and its slot in the object holds the swap entry (an
 * xarray value entry) until a fault reads it back (shmem_swapin_folio, a major fault). A clean
 * page (never written) is simply dropped: the hole reads zeros again.
 *
 * Simplification: the object's size is fixed at mmap time.
 */
#include "mm/internal.h"

/* The inode cache object: the inode with its page cache embedded (Linux: i_data). */
struct shmem_inode {
	struct inode inode;
	struct address_space mapping;
	struct list_head list; /* on m->shmem_inodes (for the checkers) */
};

unsigned shmem_inode_size(void)
{
	return sizeof(struct shmem_inode);
}

static void shmem_add_to_page_cache(struct vmlab *m, struct page *page, struct address_space *mapping,
				    uint64_t idx);
static unsigned shmem_swapin_folio(struct vm_fault *vmf, struct address_space *mapping, swp_entry_t e);

static unsigned shmem_fault(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;
	struct inode *inode = vmf->vma->vm_file->f_inode;
	struct address_space *mapping = inode->i_mapping;
	struct page *page;

	if (vmf->pgoff >= (PAGE_ALIGN(inode->i_size) >> PAGE_SHIFT))
		return VM_FAULT_SIGBUS;
	page = xa_load(&mapping->i_pages, vmf->pgoff);
	if (page && xa_is_value(page))
		return shmem_swapin_folio(vmf, mapping, (swp_entry_t){xa_to_value(page)});
	if (!page) {
		/* shmem_get_folio: a hole gets a new zeroed page in the cache */
		alloc_reason(m, "a shmem page (zeroed)");
		page = alloc_pages(m, GFP_HIGHUSER_MOVABLE | __GFP_ZERO_LAZY, 0);
		if (!page)
			return VM_FAULT_OOM;
		if (mem_cgroup_charge(m, page, vmf->vma->vm_mm) ||
		    xa_store(&mapping->i_pages, vmf->pgoff, page)) {
			mem_cgroup_uncharge(m, page);
			free_pages(m, page, 0);
			return VM_FAULT_OOM;
		}
		page->flags |= PG_swapbacked | PG_uptodate;
		shmem_add_to_page_cache(m, page, mapping, vmf->pgoff);
		folio_add_lru(m, page);
	}
	get_page(page); /* the mapping's reference; the cache keeps its own */
	vmf->page = page;
	return 0;
}

/* The page is in the object's page cache now (the cache holds the allocation's reference). */
static void shmem_add_to_page_cache(struct vmlab *m, struct page *page, struct address_space *mapping,
				    uint64_t idx)
{
	page->mapping = mapping;
	page->index = idx;
	mapping->nrpages++;
	mod_page_stat(m, page, NR_FILE_PAGES, 1);
	mod_page_stat(m, page, NR_SHMEM, 1);
}

/* shmem_swapin_folio: the object's slot holds a swap entry; read the page back (from the swap
 * cache, or the device: a major fault), put it in the object's page cache and free the slot. */
static unsigned shmem_swapin_folio(struct vm_fault *vmf, struct address_space *mapping, swp_entry_t e)
{
	struct vmlab *m = vmf->m;
	bool major;
	struct page *page = read_swap_cache_page(m, e, vmf->vma->vm_mm, &major);

	if (!page)
		return VM_FAULT_OOM;
	/* out of the swap cache (its reference dropped), into the object */
	delete_from_swap_cache(m, page);
	swap_free(m, e); /* the object's reference to the slot */
	xa_store(&mapping->i_pages, vmf->pgoff, page); /* the slot exists: no allocation */
	shmem_add_to_page_cache(m, page, mapping, vmf->pgoff);
	get_page(page);         /* the page cache's reference (ours becomes the mapping's) */
	page->flags |= PG_dirty; /* no copy on swap any more */
	vmf->page = page;
	if (major) {
		count_vm_event(m, PGMAJFAULT);
		memcg_count_vm_event(m, page, MEMCG_PGMAJFAULT);
		return VM_FAULT_MAJOR;
	}
	return 0;
}

/* shmem_writeout: reclaim swaps a dirty shmem page out. The page leaves the object for the
 * swap cache (the object's slot then holds the swap entry) and is written; reclaim frees it
 * like any swap-cache page. 0, or -ENOMEM when no slot is free (the page stays). */
int shmem_writeout(struct vmlab *m, struct page *page)
{
	struct address_space *mapping = page->mapping;
	uint64_t idx = page->index;
	swp_entry_t e = folio_alloc_swap_slot(m);

	if (!e.val)
		return -ENOMEM;
	if (mem_cgroup_try_charge_swap(m, page, e)) {
		swapcache_clear(m, e);
		return -ENOMEM;
	}
	swap_duplicate(m, e); /* the object's slot will hold the entry */
	xa_store(&mapping->i_pages, idx, xa_mk_value(e.val));
	mapping->nrpages--;
	mod_page_stat(m, page, NR_FILE_PAGES, -1);
	mod_page_stat(m, page, NR_SHMEM, -1);
	page->mapping = NULL;
	page->index = 0;
	add_to_swap_cache(m, page, e);
	folio_put(m, page); /* the object's reference moved to the swap cache */
	return swap_writeout(m, page);
}

static const struct vm_operations_struct shmem_vm_ops = {
	.name = "shmem",
	.fault = shmem_fault,
	.map_pages = filemap_map_pages,
	.page_mkwrite = NULL,
};

int shmem_zero_setup(struct vmlab *m, struct vm_area_struct *vma)
{
	struct shmem_inode *si = kmem_cache_alloc(m, m->inode_cachep);
	struct file *f;

	if (!si)
		return -ENOMEM;
	f = kmem_cache_alloc(m, m->file_cachep);
	if (!f) {
		kmem_cache_free(m, m->inode_cachep, si);
		return -ENOMEM;
	}
	si->inode.i_ino = ++m->next_ino;
	si->inode.i_dev = 0x0001; /* 00:01, the internal shmem mount */
	si->inode.i_size = vma->vm_end - vma->vm_start;
	si->inode.shmem = 1;
	si->inode.i_count = 1;
	si->inode.i_mapping = &si->mapping;
	mapping_init(m, &si->mapping, &si->inode);
	f->f_inode = &si->inode;
	snprintf(f->path, sizeof(f->path), "/dev/zero (deleted)");
	f->f_count = 1;
	vma->vm_file = f;
	vma->vm_ops = &shmem_vm_ops;
	vma->vm_pgoff = 0;
	list_add_tail(&vma->shared, &si->mapping.i_mmap);
	list_add_tail(&si->list, &m->shmem_inodes);
	return 0;
}

void file_get(struct file *f)
{
	f->f_count++;
}

/* shmem_evict_inode: drops the cache's reference on every page. */
static void shmem_evict(struct vmlab *m, struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;
	uint64_t idx = 0;
	struct page *page;

	while ((page = xa_find(&mapping->i_pages, &idx, UINT64_MAX)) != NULL) {
		xa_erase(&mapping->i_pages, idx);
		idx++;
		if (xa_is_value(page)) { /* swapped out */
			free_swap_and_cache(m, (swp_entry_t){xa_to_value(page)});
			continue;
		}
		mapping->nrpages--;
		mod_page_stat(m, page, NR_FILE_PAGES, -1);
		mod_page_stat(m, page, NR_SHMEM, -1);
		VM_BUG_ON(page->_mapcount != 0);
		folio_put(m, page);
	}
	list_del(&container_of(inode, struct shmem_inode, inode)->list);
	xa_destroy(&mapping->i_pages);
}

void file_put(struct vmlab *m, struct file *f)
{
	struct inode *inode = f->f_inode;

	if (--f->f_count > 0)
		return;
	/* a shmem object dies with its last user; a host file's inode and page cache stay
	 * cached (the icache), as Linux keeps them after the file is closed */
	if (--inode->i_count == 0 && inode->shmem) {
		shmem_evict(m, inode);
		kmem_cache_free(m, m->inode_cachep, container_of(inode, struct shmem_inode, inode));
	}
	kmem_cache_free(m, m->file_cachep, f);
}

/* Calls fn for every swap entry held by a shmem object (the swap checker's census). */
void shmem_for_each_swap(struct vmlab *m, void (*fn)(void *ctx, swp_entry_t e), void *ctx)
{
	struct list_head *pos;

	list_for_each(pos, &m->shmem_inodes) {
		struct shmem_inode *si = list_entry(pos, struct shmem_inode, list);
		uint64_t idx = 0;
		void *entry;

		while ((entry = xa_find(&si->mapping.i_pages, &idx, UINT64_MAX)) != NULL) {
			if (xa_is_value(entry))
				fn(ctx, (swp_entry_t){xa_to_value(entry)});
			idx++;
		}
	}
}

/* shmem_swap_usage: the object's pages of vma's range that are on swap. */
uint64_t shmem_swap_usage(struct vmlab *m, struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_inode->i_mapping;
	uint64_t idx = vma->vm_pgoff, last = vma->vm_pgoff + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT) - 1;
	uint64_t n = 0;
	void *entry;

	(void)m;
	while (idx <= last && (entry = xa_find(&mapping->i_pages, &idx, last)) != NULL) {
		n += xa_is_value(entry);
		idx++;
	}
	return n;
}
