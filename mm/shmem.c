/* mm/shmem.c - shared anonymous memory as a shmem object, and file references.
 *
 * Mirrors mm/shmem.c: mmap(MAP_SHARED|MAP_ANONYMOUS) calls shmem_zero_setup, which backs the
 * VMA with a new unlinked tmpfs inode ("/dev/zero (deleted)" in maps, device 00:01). Pages
 * live in the inode's page cache (an xarray indexed by page offset), so every process that
 * maps the object (after fork, say) finds the same frames. shmem_fault finds or allocates the
 * page; filemap_map_pages maps already-cached pages for
 * fault-around. The object dies with its last reference (shmem_evict_inode).
 *
 * Simplifications: no swap of shmem pages yet (the swap issue); size is fixed at mmap time.
 */
#include "mm/internal.h"

/* The inode cache object: the inode with its page cache embedded (Linux: i_data). */
struct shmem_inode {
	struct inode inode;
	struct address_space mapping;
};

static unsigned shmem_fault(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;
	struct inode *inode = vmf->vma->vm_file->f_inode;
	struct address_space *mapping = inode->i_mapping;
	struct page *page;

	if (vmf->pgoff >= (PAGE_ALIGN(inode->i_size) >> PAGE_SHIFT))
		return VM_FAULT_SIGBUS;
	page = xa_load(&mapping->i_pages, vmf->pgoff);
	if (!page) {
		/* shmem_get_folio: a hole gets a new zeroed page in the cache */
		alloc_reason(m, "a shmem page (zeroed)");
		page = alloc_pages(m, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
		if (!page)
			return VM_FAULT_OOM;
		if (xa_store(&mapping->i_pages, vmf->pgoff, page)) {
			free_pages(m, page, 0);
			return VM_FAULT_OOM;
		}
		page->flags |= PG_swapbacked | PG_uptodate;
		page->mapping = mapping;
		page->index = vmf->pgoff;
		mapping->nrpages++;
		mod_node_page_state(m, NR_FILE_PAGES, 1);
		mod_node_page_state(m, NR_SHMEM, 1);
		folio_add_lru(m, page);
	}
	get_page(page); /* the mapping's reference; the cache keeps its own */
	vmf->page = page;
	return 0;
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
		mapping->nrpages--;
		mod_node_page_state(m, NR_FILE_PAGES, -1);
		mod_node_page_state(m, NR_SHMEM, -1);
		VM_BUG_ON(page->_mapcount != 0);
		folio_put(m, page);
		idx++;
	}
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
