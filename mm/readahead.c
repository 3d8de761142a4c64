/* mm/readahead.c - readahead: reading pages into the page cache before they are asked for.
 *
 * Mirrors mm/readahead.c (6.10+): the "ondemand" algorithm of page_cache_sync_ra (a miss:
 * a new window, get_init_ra_size for a sequential start, or a window sized from the cached
 * history that a stream leaves behind) and page_cache_async_ra (a read that meets the page
 * marked PG_readahead starts the next window: start += size, size ramped up by
 * get_next_ra_size to at most ra_pages, all of it asynchronous), force_page_cache_ra
 * (fadvise/madvise WILLNEED: at most max(io_pages, ra_pages) pages, in 2 MiB chunks), and
 * page_cache_ra_unbounded (reads the missing pages of a window, one disk request for each run
 * of contiguous missing pages, and marks the page `lookahead` pages before the window's end).
 * The mmap side (read-around centred on the fault, the mmap_miss counter, MADV_RANDOM and
 * MADV_SEQUENTIAL) is in mm/filemap.c, as in Linux.
 *
 * The simulated disk is one block device with read_ahead_kb = 128 (ra_pages 32) and
 * max_sectors_kb = 1280 (io_pages 320).
 *
 * Simplifications: folios are single pages (page_cache_ra_order always uses order 0, so
 * there are no large folios and no MADV_HUGEPAGE readahead); there is no blk-cgroup
 * congestion check; a page being read is complete at once (no locked, not-uptodate pages).
 */
#include "mm/internal.h"

#define IO_PAGES 320 /* bdi->io_pages: max_sectors_kb 1280 of the simulated disk */

void file_ra_state_init(struct file_ra_state *ra)
{
	memset(ra, 0, sizeof(*ra));
	ra->ra_pages = VM_READAHEAD_PAGES;
	ra->prev_pos = -1;
}

/* get_init_ra_size: the first window of a sequential read, from the request size. */
static uint64_t get_init_ra_size(uint64_t size, uint64_t max)
{
	uint64_t newsize = 1;

	while (newsize < size)
		newsize <<= 1; /* roundup_pow_of_two */
	if (newsize <= max / 32)
		newsize *= 4;
	else if (newsize <= max / 4)
		newsize *= 2;
	else
		newsize = max;
	return newsize;
}

/* get_next_ra_size: the ramp-up, 4x while small, then 2x, capped at max. */
static uint64_t get_next_ra_size(const struct file_ra_state *ra, uint64_t max)
{
	uint64_t cur = ra->size;

	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/* ractl_max_pages: a request larger than the window may use the device's optimal I/O size. */
static uint64_t ractl_max_pages(const struct file_ra_state *ra, uint64_t req_count)
{
	uint64_t max = ra->ra_pages;

	if (req_count > max && IO_PAGES > max)
		max = MAX(MIN(req_count, (uint64_t)IO_PAGES), max);
	return max;
}

/* page_cache_ra_unbounded: reads the missing pages of [index, index + nr) (the caller
 * clipped it to EOF) and marks the page at nr - lookahead (when that page is read now) with
 * PG_readahead. Each run of contiguous missing pages is one disk request (read_pages).
 * The page at rc->hold, if it is missing, is read first and returned with a reference in
 * rc->held, so that reclaim running inside the later allocations cannot take it. Readahead
 * is best effort: it stops quietly when memory runs out. */
static void page_cache_ra_unbounded(struct readahead_control *rc, uint64_t index, uint64_t nr,
				    uint64_t lookahead)
{
	struct vmlab *m = rc->m;
	struct address_space *mapping = rc->inode->i_mapping;
	uint64_t mark = lookahead <= nr ? index + nr - lookahead : UINT64_MAX, i, run = 0;

	if (rc->hold >= index && rc->hold - index < nr && !rc->held &&
	    !filemap_get_page(mapping, rc->hold)) {
		struct page *p = page_cache_read_new(m, rc->inode, rc->hold, GFP_HIGHUSER_MOVABLE);

		if (!p)
			return;
		get_page(p);
		if (rc->hold == mark)
			p->flags |= PG_readahead;
		rc->held = p;
		rc->held_new = 1;
	}
	for (i = index; i < index + nr; i++) {
		struct page *p;

		if (i == rc->hold && rc->held_new) {
			run++; /* read just before, as part of this window */
			continue;
		}
		if (filemap_get_page(mapping, i)) {
			disk_io(m, run); /* a cached page ends the request */
			run = 0;
			continue;
		}
		p = page_cache_read_new(m, rc->inode, i, READAHEAD_GFP);
		if (!p)
			break;
		if (i == mark)
			p->flags |= PG_readahead;
		run++;
	}
	disk_io(m, run);
	rc->held_new = 0;
}

/* do_page_cache_ra: clips the window to EOF, then reads it. */
static void do_page_cache_ra(struct readahead_control *rc, uint64_t index, uint64_t nr,
			     uint64_t lookahead)
{
	uint64_t isize = rc->inode->i_size, end_index;

	if (!isize)
		return;
	end_index = (isize - 1) >> PAGE_SHIFT;
	if (index > end_index)
		return;
	if (nr > end_index - index)
		nr = end_index - index + 1;
	page_cache_ra_unbounded(rc, index, nr, lookahead);
}

/* The window the state describes (page_cache_ra_order with order 0). */
static void ra_submit(struct readahead_control *rc)
{
	struct file_ra_state *ra = &rc->file->f_ra;

	do_page_cache_ra(rc, ra->start, ra->size, ra->async_size);
}

void page_cache_ra_window(struct readahead_control *rc)
{
	ra_submit(rc);
}

/* page_cache_next_miss / page_cache_prev_miss: the first index, scanning up (down) from
 * index over at most max pages, that is not cached; index + max (index - max) when all are;
 * UINT64_MAX when the downward scan runs off the start of the file. */
static uint64_t page_cache_next_miss(struct address_space *mapping, uint64_t index, uint64_t max)
{
	while (max-- && filemap_get_page(mapping, index))
		index++;
	return index;
}

static uint64_t page_cache_prev_miss(struct address_space *mapping, uint64_t index, uint64_t max)
{
	while (max--) {
		if (!filemap_get_page(mapping, index))
			return index;
		if (index == 0)
			return UINT64_MAX;
		index--;
	}
	return index;
}

void page_cache_sync_ra(struct readahead_control *rc, uint64_t index, uint64_t req_count)
{
	struct file_ra_state *ra = &rc->file->f_ra;
	uint64_t max_pages, prev_index, miss, contig;

	if (!ra->ra_pages) {
		/* readahead off: read just what was asked (force_page_cache_ra of 1 page) */
		do_page_cache_ra(rc, index, 1, 0);
		return;
	}
	max_pages = ractl_max_pages(ra, req_count);
	prev_index = (uint64_t)ra->prev_pos >> PAGE_SHIFT;
	/* start of file, an oversized read, or a sequential miss (the page after, or the same
	 * page as, the last read) */
	if (!index || req_count > max_pages || index - prev_index <= 1) {
		ra->start = index;
		ra->size = (uint32_t)get_init_ra_size(req_count, max_pages);
		ra->async_size = ra->size > req_count ? (uint32_t)(ra->size - req_count) : ra->size >> 1;
		ra_submit(rc);
		return;
	}
	/* the cached history a sequential stream leaves behind */
	miss = page_cache_prev_miss(rc->inode->i_mapping, index - 1, max_pages);
	contig = miss == UINT64_MAX ? index : index - miss - 1;
	if (contig <= req_count) {
		/* a small random read: read as is, leave the state alone */
		do_page_cache_ra(rc, index, req_count, 0);
		return;
	}
	if (miss == UINT64_MAX)
		contig *= 2; /* cached from the beginning: a long stream */
	ra->start = index;
	ra->size = (uint32_t)MIN(contig + req_count, max_pages);
	ra->async_size = 1;
	ra_submit(rc);
}

void page_cache_async_ra(struct readahead_control *rc, struct page *page, uint64_t req_count)
{
	struct file_ra_state *ra = &rc->file->f_ra;
	uint64_t max_pages, index = page->index, start;

	if (!ra->ra_pages)
		return;
	page->flags &= ~PG_readahead;
	max_pages = ractl_max_pages(ra, req_count);
	if (index == ra->start + ra->size - ra->async_size) {
		/* the expected marker: the next window follows this one */
		ra->start += ra->size;
		ra->size = (uint32_t)MAX((uint64_t)ra->size, get_next_ra_size(ra, max_pages));
		ra->async_size = ra->size;
		ra_submit(rc);
		return;
	}
	/* a marker without a matching state (interleaved streams): the cached run after it is
	 * the old async size; ramp up from there */
	start = page_cache_next_miss(rc->inode->i_mapping, index + 1, max_pages);
	if (!start || start - index > max_pages)
		return;
	ra->start = start;
	ra->size = (uint32_t)(start - index + req_count);
	ra->size = (uint32_t)get_next_ra_size(ra, max_pages);
	ra->async_size = ra->size;
	ra_submit(rc);
}

void force_page_cache_ra(struct readahead_control *rc, uint64_t index, uint64_t nr)
{
	struct file_ra_state *ra = &rc->file->f_ra;
	uint64_t max_pages = MAX((uint64_t)IO_PAGES, (uint64_t)ra->ra_pages);

	nr = MIN(nr, max_pages);
	while (nr) {
		uint64_t chunk = MIN(nr, (2ull << 20) >> PAGE_SHIFT);

		do_page_cache_ra(rc, index, chunk, 0);
		index += chunk;
		nr -= chunk;
	}
}
