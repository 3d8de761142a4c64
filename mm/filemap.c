/* mm/filemap.c - the page cache of host files: file faults, read(), dirtying, writeback.
 *
 * Mirrors mm/filemap.c (filemap_fault with do_sync_mmap_readahead: mmap read-around of
 * ra_pages = 32 pages centred on the fault, none with MADV_RANDOM, a sequential window with
 * MADV_SEQUENTIAL, none either once the file's mmap_miss passes MMAP_LOTSAMISS;
 * do_async_mmap_readahead when a fault meets the PG_readahead page; filemap_map_pages for
 * fault-around; filemap_read for kernel_read; the page cache as an xarray per inode),
 * mm/page-writeback.c (folio_mark_dirty, writeback with folio_mkclean so that the next write
 * faults again) and mm/msync.c. The readahead windows themselves are in mm/readahead.c.
 *
 * A host file named by a scenario is opened read-only; only files inside the directory given
 * by --writable DIR are opened for writing, and only those are written back to the host.
 * Writeback of any other file goes to the simulated disk: an overlay of written pages kept
 * beside the inode, which later reads prefer. So writeback behaves the same either way
 * (pages cleaned, PTEs write-protected, counters), no written byte is ever lost, and the host
 * file is left as it was.
 * Inodes are kept by (host device, host inode): two mappings of one file share its pages.
 *
 * The simulated disk gives every I/O request a cost in simulated time (m->clock_ns):
 * disk_latency_ns plus the bytes over disk_bw. Dirty throttling as mm/page-writeback.c: above
 * vm.dirty_background_ratio (10%) of dirtyable memory the flusher is woken; a writer runs
 * free up to the freerun ceiling, halfway to vm.dirty_ratio (20%), and above it is throttled
 * (balance_dirty_pages): it waits while the flusher writes a chunk (writeback_chunk_size: at
 * least 1024 pages, one disk request), so the wait is the chunk's disk time.
 *
 * Simplifications: the flusher is no thread: it writes while a throttled writer waits, and
 * catches up to the background threshold between operations (wb_workfn), range-cyclic inode
 * by inode (Linux: oldest inodes first, by dirtied_when); a throttled writer waits for whole
 * chunks until it is below the freerun ceiling (Linux: pauses sized by the bandwidth
 * estimates, dirty pages settling between freerun and the limit); no file truncation while
 * mapped; read() marks a page referenced but does not
 * activate it on a second read (folio_mark_accessed). Under memory pressure mm/vmscan.c
 * reclaims page-cache pages (writing dirty ones back first) and leaves workingset shadows in
 * their slots: lookups here and in mm/readahead.c treat those value entries as empty, and a
 * read that refills one tells workingset_refault.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mm/internal.h"

#define MMAP_LOTSAMISS 100 /* mmap read-around stops after this many more misses than hits */

struct file_inode {
	struct inode inode;          /* must come first */
	struct address_space mapping;
	int fd;                      /* host file descriptor */
	int writable;                /* inside --writable DIR: dirty pages are written back */
	uint64_t host_dev, host_ino; /* identity of the host file */
	struct xarray disk;          /* written-back pages of a read-only host file (host memory) */
	uint64_t writeback_index;    /* where the flusher's next pass over the file starts */
	char path[160];              /* absolute path shown in maps */
	struct list_head list;       /* on m->file_inodes */
};

#define MIN_WRITEBACK_PAGES 1024ull /* 4 MiB: the smallest writeback chunk (fs/fs-writeback.c) */

static struct file_inode *FI(struct inode *i)
{
	return container_of(i, struct file_inode, inode);
}

static void *xa_node_alloc(void *ctx)
{
	struct vmlab *m = ctx;

	return kmem_cache_alloc(m, m->xa_node_cachep);
}

static void xa_node_free(void *ctx, void *p)
{
	struct vmlab *m = ctx;

	kmem_cache_free(m, m->xa_node_cachep, p);
}

void mapping_init(struct vmlab *m, struct address_space *mapping, struct inode *host)
{
	mapping->host = host;
	xa_init(&mapping->i_pages, xa_node_alloc, xa_node_free, m);
	INIT_LIST_HEAD(&mapping->i_mmap);
	mapping->nrpages = 0;
}

static void *disk_alloc(void *ctx)
{
	(void)ctx;
	return calloc(1, sizeof(struct xa_node));
}

static void disk_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static uint64_t size_pages(const struct inode *inode)
{
	return PAGE_ALIGN(inode->i_size) >> PAGE_SHIFT;
}

/* folio_mark_dirty: a regular file's page is accounted in NR_FILE_DIRTY (Dirty:). */
void folio_mark_dirty(struct vmlab *m, struct page *page)
{
	if (page->flags & PG_dirty)
		return;
	page->flags |= PG_dirty;
	if (!(page->flags & (PG_anon | PG_swapbacked))) {
		uint64_t bg, thresh;

		mod_node_page_state(m, NR_FILE_DIRTY, 1);
		mod_node_page_state(m, NR_DIRTIED, 1);
		dirty_thresholds(m, &bg, &thresh);
		if ((uint64_t)m->node_stat[NR_FILE_DIRTY] > bg)
			m->dirty_exceeded = 1; /* the flusher is woken (and the writer checked) */
	}
}

static void folio_clear_dirty(struct vmlab *m, struct page *page)
{
	if (!(page->flags & PG_dirty))
		return;
	page->flags &= ~PG_dirty;
	if (!(page->flags & (PG_anon | PG_swapbacked)))
		mod_node_page_state(m, NR_FILE_DIRTY, -1);
}

struct page *page_cache_read_new(struct vmlab *m, struct inode *inode, uint64_t pgoff, gfp_t gfp)
{
	struct file_inode *fi = FI(inode);
	struct address_space *mapping = &fi->mapping;
	struct page *page;
	uint8_t *data;
	ssize_t n;

	void *shadow;

	alloc_reason(m, "the page cache");
	page = alloc_pages(m, gfp, 0);
	if (!page)
		return NULL;
	if (mem_cgroup_charge(m, page, current_mm(m))) {
		free_pages(m, page, 0);
		return NULL;
	}
	shadow = xa_load(&mapping->i_pages, pgoff); /* a workingset shadow, if evicted before */
	if (xa_store(&mapping->i_pages, pgoff, page)) {
		mem_cgroup_uncharge(m, page);
		free_pages(m, page, 0);
		return NULL;
	}
	data = page_address(m, page);
	if (xa_load(&fi->disk, pgoff)) {
		memcpy(data, xa_load(&fi->disk, pgoff), PAGE_SIZE); /* the simulated disk's copy */
		n = PAGE_SIZE;
	} else {
		n = pread(fi->fd, data, PAGE_SIZE, (off_t)(pgoff << PAGE_SHIFT));
		if (n < 0)
			n = 0;
	}
	memset(data + n, 0, PAGE_SIZE - (size_t)n); /* the tail of the last page reads zero */
	page->flags |= PG_uptodate;
	page->mapping = mapping;
	page->index = pgoff;
	mapping->nrpages++;
	mod_page_stat(m, page, NR_FILE_PAGES, 1);
	count_vm_events(m, PGPGIN, PAGE_SIZE >> 10);
	if (shadow && xa_is_value(shadow))
		workingset_refault(m, page, xa_to_value(shadow));
	folio_add_lru(m, page);
	return page;
}

struct page *filemap_get_page(struct address_space *mapping, uint64_t idx)
{
	struct page *page = xa_load(&mapping->i_pages, idx);

	return page && !xa_is_value(page) ? page : NULL;
}

void disk_io(struct vmlab *m, uint64_t pages)
{
	disk_request(m, pages);
}

void dirty_thresholds(struct vmlab *m, uint64_t *bg, uint64_t *thresh)
{
	/* global_dirtyable_memory: free pages above the reserves plus the file LRU */
	uint64_t x = global_free_pages(m);

	x -= MIN(x, m->totalreserve_pages);
	x += (uint64_t)(m->node_stat[NR_ACTIVE_FILE] + m->node_stat[NR_INACTIVE_FILE]);
	*thresh = x * 20 / 100; /* vm.dirty_ratio */
	*bg = x * 10 / 100;     /* vm.dirty_background_ratio */
}

static void ra_init(struct readahead_control *rc, struct vmlab *m, struct file *f, uint64_t hold)
{
	rc->m = m;
	rc->file = f;
	rc->inode = f->f_inode;
	rc->hold = hold;
	rc->held = NULL;
	rc->held_new = 0;
}

/* do_sync_mmap_readahead: the fault missed the cache. Returns the faulting page with a
 * reference when the readahead read it. */
static struct page *do_sync_mmap_readahead(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct file *file = vma->vm_file;
	struct file_ra_state *ra = &file->f_ra;
	struct readahead_control rc;

	ra_init(&rc, vmf->m, file, vmf->pgoff);
	if ((vma->vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return NULL; /* MADV_RANDOM: no readahead at all */
	if (vma->vm_flags & VM_SEQ_READ) {
		page_cache_sync_ra(&rc, vmf->pgoff, ra->ra_pages);
		return rc.held;
	}
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS)
		return NULL; /* this file misses much more than it hits: stop bothering */
	/* read-around: ra_pages centred on the fault, the last quarter asynchronous */
	ra->start = vmf->pgoff > ra->ra_pages / 2 ? vmf->pgoff - ra->ra_pages / 2 : 0;
	ra->size = ra->ra_pages;
	ra->async_size = ra->ra_pages / 4;
	page_cache_ra_window(&rc);
	return rc.held;
}

/* do_async_mmap_readahead: a cached page was found; a hit lowers mmap_miss, and the
 * PG_readahead mark starts the next window. */
static void do_async_mmap_readahead(struct vm_fault *vmf, struct page *page)
{
	struct file *file = vmf->vma->vm_file;
	struct file_ra_state *ra = &file->f_ra;
	struct readahead_control rc;

	if ((vmf->vma->vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return;
	if (ra->mmap_miss)
		ra->mmap_miss--;
	if (page->flags & PG_readahead) {
		ra_init(&rc, vmf->m, file, UINT64_MAX);
		page_cache_async_ra(&rc, page, ra->ra_pages);
	}
}

static unsigned filemap_fault(struct vm_fault *vmf)
{
	struct vmlab *m = vmf->m;
	struct inode *inode = vmf->vma->vm_file->f_inode;
	struct page *page;
	unsigned ret = 0;

	if (vmf->pgoff >= size_pages(inode))
		return VM_FAULT_SIGBUS; /* wholly beyond EOF */
	page = filemap_get_page(inode->i_mapping, vmf->pgoff);
	if (page) {
		get_page(page); /* held before any readahead can make reclaim run */
		do_async_mmap_readahead(vmf, page);
	} else {
		count_vm_event(m, PGMAJFAULT);
		ret = VM_FAULT_MAJOR;
		page = do_sync_mmap_readahead(vmf);
		if (!page) {
			/* no readahead (or it could not read this page): read it alone */
			page = page_cache_read_new(m, inode, vmf->pgoff, GFP_HIGHUSER_MOVABLE);
			if (!page)
				return VM_FAULT_OOM;
			get_page(page);
			disk_io(m, 1);
		}
		if (unlikely(explaining(m)))
			explain_note(m, "filemap_fault: page %llu of %s not cached: read from the disk "
					"(major fault; readahead window %u pages at %llu)",
				     (unsigned long long)vmf->pgoff, FI(inode)->path,
				     vmf->vma->vm_file->f_ra.size,
				     (unsigned long long)vmf->vma->vm_file->f_ra.start);
	}
	vmf->page = page;
	return ret;
}

unsigned filemap_map_pages(struct vm_fault *vmf, uint64_t start_pgoff, uint64_t end_pgoff)
{
	struct vmlab *m = vmf->m;
	struct inode *inode = vmf->vma->vm_file->f_inode;
	struct address_space *mapping = inode->i_mapping;
	uint64_t idx, last = size_pages(inode);
	struct xa_node *leaf = NULL;
	pteval_t prot = vmf->vma->vm_page_prot;
	unsigned mapped = 0, first_maps = 0;
	bool locked = vmf->vma->vm_flags & VM_LOCKED;

	if (last == 0)
		return 0;
	end_pgoff = MIN(end_pgoff, last - 1);
	for (idx = start_pgoff; idx <= end_pgoff; idx++) {
		pteval_t *ptep = vmf->pte + (int64_t)(idx - vmf->pgoff);
		struct page *page;

		/* one descent per 64 pages: the leaf's slots are the neighbours */
		if (!leaf || !(idx & (XA_CHUNK_SIZE - 1)) || idx == start_pgoff)
			leaf = xa_leaf(&mapping->i_pages, idx);
		if (!leaf)
			continue;
		page = leaf->slots[idx & (XA_CHUNK_SIZE - 1)];
		/* next_uptodate_folio: a shadow is no page; a PG_readahead page is left for
		 * filemap_fault */
		if (!page || xa_is_value(page) || !pte_none(*ptep) || (page->flags & PG_readahead))
			continue;
		/* set_pte_range: a reference and a mapcount a PTE; fault-around PTEs start old,
		 * the faulting address's is young */
		get_page(page);
		if (++page->_mapcount == 1) {
			first_maps++;
			if (page->memcg_id)
				memcg_mod_stat(m, page, MEMCG_FILE_MAPPED, 1);
		}
		*ptep = pfn_pte(page_to_pfn(m, page), idx == vmf->pgoff ? prot : prot & ~_PAGE_ACCESSED);
		if (locked)
			mlock_vma_folio(m, vmf->vma, page);
		mapped++;
	}
	/* folio_add_file_rmap_ptes and the RSS counter, once for the batch (the memcg's
	 * file_mapped page by page above) */
	mod_node_page_state(m, NR_FILE_MAPPED, first_maps);
	add_mm_counter(vmf->vma->vm_mm, inode->shmem ? MM_SHMEMPAGES : MM_FILEPAGES, mapped);
	/* the pages mapped here were hits: they pay back mmap_miss (shmem has no readahead) */
	if (!inode->shmem) {
		struct file_ra_state *ra = &vmf->vma->vm_file->f_ra;

		ra->mmap_miss = mapped >= ra->mmap_miss ? 0 : ra->mmap_miss - mapped;
	}
	return mapped;
}

static unsigned filemap_page_mkwrite(struct vm_fault *vmf)
{
	struct page *page = vmf->page ? vmf->page : pfn_to_page(vmf->m, pte_pfn(vmf->orig_pte));

	folio_mark_dirty(vmf->m, page);
	return 0;
}

static const struct vm_operations_struct file_vm_ops = {
	.name = "filemap",
	.fault = filemap_fault,
	.map_pages = filemap_map_pages,
	.page_mkwrite = filemap_page_mkwrite,
};

/* vma_wants_writenotify: shared writable file mappings start read-only so that the first
 * write to each clean page faults and dirties it (page_mkwrite). */
bool vma_wants_writenotify(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED) && vma->vm_file &&
	       !vma->vm_file->f_inode->shmem;
}

void vma_set_page_prot(struct vm_area_struct *vma)
{
	uint64_t f = vma->vm_flags;

	if (vma_wants_writenotify(vma))
		f &= ~VM_SHARED;
	vma->vm_page_prot = vm_get_page_prot(f);
}

void filemap_setup_vma(struct vm_area_struct *vma)
{
	vma->vm_ops = &file_vm_ops;
	vma_set_page_prot(vma);
}

static int path_inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n && !strncmp(path, dir, n) && (path[n] == '/' || dir[n - 1] == '/');
}

struct file *filemap_open(struct vmlab *m, const char *path, int *err)
{
	char abs[PATH_MAX];
	struct stat st;
	struct file_inode *fi = NULL;
	struct list_head *pos;
	struct file *f;

	if (!realpath(path, abs) || stat(abs, &st)) {
		*err = -ENOENT;
		return NULL;
	}
	if (strlen(abs) >= sizeof(fi->path)) {
		*err = -ENAMETOOLONG; /* Simplification: maps names are kept to 159 bytes */
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		*err = -ENODEV;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = -EACCES;
		return NULL;
	}
	list_for_each(pos, &m->file_inodes) {
		struct file_inode *x = list_entry(pos, struct file_inode, list);

		if (x->host_dev == (uint64_t)st.st_dev && x->host_ino == (uint64_t)st.st_ino)
			fi = x;
	}
	if (!fi) {
		int writable = path_inside(abs, m->writable_dir);
		int fd = open(abs, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);

		if (fd < 0 && writable) {
			writable = 0;
			fd = open(abs, O_RDONLY | O_CLOEXEC);
		}
		if (fd < 0) {
			*err = -EACCES;
			return NULL;
		}
		if (!m->file_inode_cachep)
			m->file_inode_cachep = kmem_cache_create(m, "inode_cache", sizeof(struct file_inode),
								 8, SLAB_RECLAIM_ACCOUNT);
		fi = m->file_inode_cachep ? kmem_cache_alloc(m, m->file_inode_cachep) : NULL;
		if (!fi) {
			close(fd);
			*err = -ENOMEM;
			return NULL;
		}
		fi->fd = fd;
		fi->writable = writable;
		fi->host_dev = (uint64_t)st.st_dev;
		fi->host_ino = (uint64_t)st.st_ino;
		memcpy(fi->path, abs, strlen(abs) + 1);
		fi->inode.i_ino = (uint64_t)st.st_ino;
		fi->inode.i_dev = (uint32_t)((major(st.st_dev) << 20) | (minor(st.st_dev) & 0xfffff));
		fi->inode.i_size = (uint64_t)st.st_size;
		fi->inode.i_mapping = &fi->mapping;
		mapping_init(m, &fi->mapping, &fi->inode);
		xa_init(&fi->disk, disk_alloc, disk_free, NULL);
		list_add_tail(&fi->list, &m->file_inodes);
	}
	f = kmem_cache_alloc(m, m->file_cachep);
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->f_inode = &fi->inode;
	snprintf(f->path, sizeof(f->path), "%s", fi->path);
	f->f_count = 1;
	file_ra_state_init(&f->f_ra);
	if (m->policy_exact)
		f->f_ra.ra_pages = 0; /* an exact policy: a fault brings exactly its page */
	fi->inode.i_count++;
	return f;
}

static int mkclean_one(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr,
		       pteval_t *ptep, struct page *page, void *arg)
{
	(void)page;
	(void)arg;
	if (*ptep & (_PAGE_RW | _PAGE_DIRTY)) {
		*ptep &= ~(_PAGE_RW | _PAGE_DIRTY);
		flush_tlb_mm_range(m, vma->vm_mm, addr, addr + PAGE_SIZE);
	}
	return 0;
}

/* folio_mkclean: write-protects and cleans every PTE mapping the page, so that the next
 * write faults (and dirties it) again. */
static void folio_mkclean(struct vmlab *m, struct page *page)
{
	rmap_walk_file_pages(m, page, mkclean_one, NULL);
}

/* Writes the dirty pages of [start, end] back (to the host file when it may be written, else
 * to the simulated disk), at most `budget` of them, as one disk request; returns how many.
 * With `next`, stores there the index after the last page looked at (0 past the end). */
static uint64_t filemap_write_range(struct vmlab *m, struct inode *inode, uint64_t start,
				    uint64_t end, uint64_t budget, uint64_t *next)
{
	struct file_inode *fi = FI(inode);
	uint64_t idx = start, written = 0;
	struct page *page = NULL;

	if (inode->shmem)
		return 0;
	while (written < budget && idx <= end &&
	       (page = xa_find(&fi->mapping.i_pages, &idx, end)) != NULL) {
		if (!xa_is_value(page) && (page->flags & PG_dirty)) {
			uint64_t off = idx << PAGE_SHIFT;
			size_t n = (size_t)MIN(PAGE_SIZE, inode->i_size > off ? inode->i_size - off : 0);

			folio_mkclean(m, page);
			if (fi->writable) {
				if (n && pwrite(fi->fd, page_address(m, page), n, (off_t)off) != (ssize_t)n) {
					idx++;
					continue; /* the page stays dirty: a later writeback retries */
				}
			} else {
				void *copy = xa_load(&fi->disk, idx);

				if (!copy && (!(copy = malloc(PAGE_SIZE)) || xa_store(&fi->disk, idx, copy))) {
					free(copy);
					idx++;
					continue; /* host memory short: the page stays dirty */
				}
				memcpy(copy, page_address(m, page), PAGE_SIZE);
			}
			folio_clear_dirty(m, page);
			mod_node_page_state(m, NR_WRITTEN, 1);
			count_vm_events(m, PGPGOUT, PAGE_SIZE >> 10);
			written++;
		}
		idx++;
	}
	if (next)
		*next = page && idx <= end ? idx : 0;
	disk_io(m, written);
	return written;
}

int filemap_writeout_page(struct vmlab *m, struct page *page)
{
	struct address_space *mapping = page->mapping;

	if (!(page->flags & PG_dirty))
		return 0;
	return filemap_write_range(m, mapping->host, page->index, page->index, 1, NULL) == 1 ? 0 : -EIO;
}

/* writeback_chunk_size for background work: half a second of the disk's bandwidth or an
 * eighth of the dirty limit (DIRTY_SCOPE), whichever is less, plus MIN_WRITEBACK_PAGES (4 MiB)
 * rounded down to a multiple of it. */
static uint64_t writeback_chunk_size(struct vmlab *m, uint64_t thresh)
{
	uint64_t pages = MIN(m->cfg.disk_bw / PAGE_SIZE / 2, thresh / 8);

	return (pages + MIN_WRITEBACK_PAGES) / MIN_WRITEBACK_PAGES * MIN_WRITEBACK_PAGES;
}

/* One pass of background writeback (wb_writeback -> writeback_sb_inodes): up to `chunk`
 * pages of each dirty inode in turn, from the inode's writeback_index (range_cyclic), while
 * dirty pages are above `goal`. Returns the pages written. */
static uint64_t wb_writeback_chunk(struct vmlab *m, uint64_t chunk, uint64_t goal)
{
	struct list_head *pos;
	uint64_t total = 0;

	list_for_each(pos, &m->file_inodes) {
		struct file_inode *fi = list_entry(pos, struct file_inode, list);
		uint64_t start = fi->writeback_index, budget, done;

		if ((uint64_t)m->node_stat[NR_FILE_DIRTY] <= goal)
			break;
		budget = chunk; /* (wb_over_bg_thresh is checked between chunks, not inside one) */
		done = filemap_write_range(m, &fi->inode, start, UINT64_MAX, budget, &fi->writeback_index);
		if (done < budget && start) /* wrap around to the start of the file */
			done += filemap_write_range(m, &fi->inode, 0, start - 1, budget - done,
						    &fi->writeback_index);
		total += done;
	}
	return total;
}

void wb_workfn(struct vmlab *m)
{
	uint64_t bg, thresh, chunk;

	m->dirty_exceeded = 0;
	dirty_thresholds(m, &bg, &thresh);
	chunk = writeback_chunk_size(m, thresh);
	while ((uint64_t)m->node_stat[NR_FILE_DIRTY] > bg)
		if (!wb_writeback_chunk(m, chunk, bg))
			break; /* nothing more can be written now (host write errors) */
	if (unlikely(explaining(m)))
		explain_note(m, "wb_workfn: background writeback down to %lld dirty pages "
				"(dirty_background_ratio 10%% of %llu dirtyable)",
			     (long long)m->node_stat[NR_FILE_DIRTY], (unsigned long long)(bg * 10));
}

void balance_dirty_pages_ratelimited(struct vmlab *m)
{
	uint64_t bg, thresh, freerun, chunk, dirty;

	dirty_thresholds(m, &bg, &thresh);
	dirty = (uint64_t)m->node_stat[NR_FILE_DIRTY];
	if (dirty <= bg) {
		m->dirty_exceeded = 0;
		return;
	}
	freerun = (bg + thresh) / 2; /* dirty_freerun_ceiling */
	if (dirty <= freerun)
		return; /* the writer runs free; the flusher has been woken */
	/* balance_dirty_pages: the writer is paused while the flusher writes */
	chunk = writeback_chunk_size(m, thresh);
	while ((uint64_t)m->node_stat[NR_FILE_DIRTY] > freerun) {
		uint64_t t0 = m->clock_ns, n = wb_writeback_chunk(m, chunk, bg);

		if (unlikely(explaining(m)))
			explain_note(m, "balance_dirty_pages: %llu dirty pages, above the freerun "
					"ceiling %llu (dirty_ratio 20%%: %llu): the writer waits %llu us "
					"while the flusher writes %llu pages",
				     (unsigned long long)dirty, (unsigned long long)freerun,
				     (unsigned long long)thresh,
				     (unsigned long long)((m->clock_ns - t0) / 1000), (unsigned long long)n);
		if (!n)
			break;
		dirty = (uint64_t)m->node_stat[NR_FILE_DIRTY];
	}
}

/* Writes back what vma maps of its file (msync, munmap, exit). */
void filemap_write_vma(struct vmlab *m, struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	uint64_t first, last;

	if (!(vma->vm_flags & VM_SHARED) || !vma->vm_file || vma->vm_file->f_inode->shmem)
		return;
	first = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	last = vma->vm_pgoff + ((end - vma->vm_start) >> PAGE_SHIFT) - 1;
	filemap_write_range(m, vma->vm_file->f_inode, first, last, UINT64_MAX, NULL);
}

int do_msync(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t len)
{
	uint64_t end, pos;
	int unmapped = 0;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (PAGE_ALIGN(len) < len)
		return -ENOMEM;
	end = start + PAGE_ALIGN(len);
	if (end < start)
		return -ENOMEM;
	for (pos = start; pos < end;) {
		struct vm_area_struct *vma = find_vma(mm, pos);

		if (!vma || vma->vm_start >= end)
			return -ENOMEM;
		if (vma->vm_start > pos)
			unmapped = 1;
		pos = MAX(pos, vma->vm_start);
		filemap_write_vma(m, vma, pos, MIN(end, vma->vm_end));
		pos = MIN(end, vma->vm_end);
	}
	return unmapped ? -ENOMEM : 0;
}

/* MADV_WILLNEED on a file mapping (vfs_fadvise POSIX_FADV_WILLNEED): force_page_cache_ra of
 * the range, which reads at most max(io_pages, ra_pages) pages, without mapping them. */
void filemap_willneed(struct vmlab *m, struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct readahead_control rc;
	uint64_t first;

	if (!vma->vm_file || vma->vm_file->f_inode->shmem)
		return;
	first = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	ra_init(&rc, m, vma->vm_file, UINT64_MAX);
	force_page_cache_ra(&rc, first, (end - start) >> PAGE_SHIFT);
}

/* filemap_read: the page-cache side of read(2). A missing page starts synchronous readahead
 * for the rest of the request, a PG_readahead page the next window (filemap_get_pages). */
int64_t filemap_read(struct vmlab *m, struct file *f, void *buf, uint64_t len, uint64_t pos)
{
	struct inode *inode = f->f_inode;
	struct address_space *mapping = inode->i_mapping;
	uint64_t end, last_index, done = 0;
	uint8_t *out = buf;

	if (pos >= inode->i_size || !len)
		return 0;
	end = MIN(pos + len, inode->i_size);
	last_index = (end + PAGE_SIZE - 1) >> PAGE_SHIFT;
	while (pos < end) {
		uint64_t index = pos >> PAGE_SHIFT, off = pos & (PAGE_SIZE - 1);
		uint64_t n = MIN(PAGE_SIZE - off, end - pos);
		struct page *page = filemap_get_page(mapping, index);
		struct readahead_control rc;

		if (!page) {
			ra_init(&rc, m, f, index);
			page_cache_sync_ra(&rc, index, last_index - index);
			page = rc.held;
			if (!page) {
				page = page_cache_read_new(m, inode, index, GFP_HIGHUSER_MOVABLE);
				if (!page)
					return done ? (int64_t)done : -ENOMEM;
				get_page(page);
				disk_io(m, 1);
			}
		} else {
			get_page(page);
			if (page->flags & PG_readahead) {
				ra_init(&rc, m, f, UINT64_MAX);
				page_cache_async_ra(&rc, page, last_index - index);
			}
		}
		memcpy(out + done, (uint8_t *)page_address(m, page) + off, n);
		page->flags |= PG_referenced; /* folio_mark_accessed, first step */
		folio_put(m, page);
		done += n;
		pos += n;
	}
	f->f_ra.prev_pos = (int64_t)pos;
	return (int64_t)done;
}

/* drop_caches (echo 1 > /proc/sys/vm/drop_caches): frees clean, unmapped page-cache pages. */
void drop_pagecache(struct vmlab *m)
{
	struct list_head *pos;

	list_for_each(pos, &m->file_inodes) {
		struct file_inode *fi = list_entry(pos, struct file_inode, list);
		uint64_t idx = 0;
		struct page *page;

		while ((page = xa_find(&fi->mapping.i_pages, &idx, UINT64_MAX)) != NULL) {
			if (xa_is_value(page)) {
				xa_erase(&fi->mapping.i_pages, idx); /* shadows go with the pages */
			} else if (!page->_mapcount && !(page->flags & PG_dirty) && page->_refcount == 1) {
				xa_erase(&fi->mapping.i_pages, idx);
				fi->mapping.nrpages--;
				mod_page_stat(m, page, NR_FILE_PAGES, -1);
				folio_put(m, page);
			}
			idx++;
		}
	}
	count_vm_event(m, DROP_PAGECACHE);
}

/* At machine teardown: close the host files (simulated memory goes with the machine). */
void filemap_release_all(struct vmlab *m)
{
	struct list_head *pos;

	if (!m->file_inodes.next)
		return;
	list_for_each(pos, &m->file_inodes) {
		struct file_inode *fi = list_entry(pos, struct file_inode, list);
		uint64_t idx = 0;
		void *copy;

		close(fi->fd);
		while ((copy = xa_find(&fi->disk, &idx, UINT64_MAX)) != NULL) {
			free(copy);
			idx++;
		}
		xa_destroy(&fi->disk);
	}
}
