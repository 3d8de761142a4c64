/* mm/page_io.c - swap I/O: writing a page to its slot and reading it back.
 *
 * Mirrors mm/page_io.c: swap_writeout (pswpout counted when the write is issued) and
 * swap_read_folio (pswpin), with the zeromap of 6.12+: a page that holds only zero bytes is
 * not written at all, only marked in the area's zeromap (swpout_zero), and reading such a slot
 * fills zeros without I/O (swpin_zero). The "device" is host memory (a lazily committed
 * mapping, slot i at offset i * 4096) or a temporary host file that vmlab creates in $TMPDIR
 * (or /tmp), unlinks at once and closes with the machine, so nothing is left behind.
 * Every request costs simulated disk time like file I/O (disk_latency + bytes / disk_bw).
 *
 * Simplifications: I/O is synchronous (a written page is clean when the call returns, so
 * PG_writeback is never seen); slots freed are not discarded (host memory of the in-memory
 * store stays committed once used, at most the swap size).
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mm/internal.h"

int swap_backing_init(struct swap_info_struct *si, int file_backed)
{
	uint64_t bytes = si->max << PAGE_SHIFT;

	if (!file_backed) {
		void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			return -ENOMEM;
		/* host huge pages: the host commits the store 2 MiB at a time, not one host fault
		 * per slot (advisory; still only what swap-outs touch) */
		madvise(p, bytes, MADV_HUGEPAGE);
		si->store = p;
		snprintf(si->name, sizeof(si->name), "/dev/vmlab-swap%d", si->type);
		return 0;
	} else {
		const char *dir = getenv("TMPDIR");
		char path[128];
		int fd;

		if ((size_t)snprintf(path, sizeof(path), "%s/vmlab-swap-XXXXXX", dir && *dir ? dir : "/tmp") >=
		    sizeof(path))
			return -ENAMETOOLONG;
		fd = mkstemp(path);
		if (fd < 0)
			return -ENOMEM;
		unlink(path); /* nothing stays behind, whatever happens to the process */
		if (ftruncate(fd, (off_t)bytes)) {
			close(fd);
			return -ENOSPC;
		}
		si->fd = fd;
		snprintf(si->name, sizeof(si->name), "%s (deleted)", path);
		return 0;
	}
}

void swap_backing_release(struct swap_info_struct *si)
{
	if (si->store)
		munmap(si->store, si->max << PAGE_SHIFT);
	si->store = NULL;
	if (si->fd >= 0)
		close(si->fd);
	si->fd = -1;
}

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)p;
	unsigned i;

	for (i = 0; i < PAGE_SIZE / 8; i += 8)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7])
			return false;
	return true;
}

/* The write of a page that is not all zeros: to host memory or the file. */
static __attribute__((noinline)) int swap_write_data(struct vmlab *m, struct page *page,
						      struct swap_info_struct *si, uint64_t off,
						      const uint8_t *data)
{
	si->zeromap[off / 64] &= ~(1ull << (off % 64));
	if (si->store) {
		memcpy(si->store + (off << PAGE_SHIFT), data, PAGE_SIZE);
	} else if (pwrite(si->fd, data, PAGE_SIZE, (off_t)(off << PAGE_SHIFT)) != (ssize_t)PAGE_SIZE) {
		/* the host disk is full (or failing): the page stays in memory, dirty */
		if (unlikely(explaining(m)))
			explain_note(m, "Write-error on swap-device (0:0:%llu): the page stays in "
					"memory", (unsigned long long)off);
		return -EIO;
	}
	disk_request(m, 1);
	count_vm_event(m, PSWPOUT);
	memcg_count_vm_event(m, page, MEMCG_PSWPOUT);
	page->flags &= ~PG_dirty;
	return 0;
}

/* swap_writeout: writes a swap-cache page to its slot. 0, or -EIO when the host write
 * fails (the page stays dirty; reclaim keeps it). A page of zeros is taken here, the rest
 * by swap_write_data. */
int swap_writeout(struct vmlab *m, struct page *page)
{
	swp_entry_t e = {page->private};
	struct swap_info_struct *si = swp_swap_info(m, e);
	uint64_t off = swp_offset(e);
	const uint8_t *data;

	VM_BUG_ON(!si || !(page->flags & PG_swapcache));
	if (!(page->flags & PG_zerofill)) {
		data = page_address(m, page);
		if (!page_is_zero(data))
			return swap_write_data(m, page, si, off, data);
	}
	si->zeromap[off / 64] |= 1ull << (off % 64);
	if (m->swap_no_zeromap) { /* (as replay sets it) */
		/* Simplification: counted and timed as the write it would be without the zeromap,
		 * but kept as the bit (zeros cost no host memory) */
		disk_request(m, 1);
		count_vm_event(m, PSWPOUT);
		page->flags &= ~PG_dirty;
		memcg_count_vm_event(m, page, MEMCG_PSWPOUT);
		return 0;
	}
	count_vm_event(m, SWPOUT_ZERO);
	page->flags &= ~PG_dirty;
	return 0;
}

/* The read of a slot outside the zeromap: from host memory or the file. */
static __attribute__((noinline)) int swap_read_data(struct vmlab *m, struct page *page,
						     struct swap_info_struct *si, uint64_t off)
{
	uint8_t *data = page_address(m, page);

	if (si->store) {
		memcpy(data, si->store + (off << PAGE_SHIFT), PAGE_SIZE);
	} else if (pread(si->fd, data, PAGE_SIZE, (off_t)(off << PAGE_SHIFT)) != (ssize_t)PAGE_SIZE) {
		memset(data, 0, PAGE_SIZE);
		return -EIO;
	}
	count_vm_event(m, PSWPIN);
	memcg_count_vm_event(m, page, MEMCG_PSWPIN);
	return 1;
}

/* swap_read_folio: fills a new swap-cache page from its slot: 1 when it was read from the
 * device, 0 for a slot of the zeromap, -EIO. The caller batches the disk time of a readahead
 * window (disk_request). A slot of the zeromap is taken here, the rest by swap_read_data. */
int swap_read_folio(struct vmlab *m, struct page *page)
{
	swp_entry_t e = {page->private};
	struct swap_info_struct *si = swp_swap_info(m, e);
	uint64_t off = swp_offset(e);

	if (!(si->zeromap[off / 64] & (1ull << (off % 64))))
		return swap_read_data(m, page, si, off);
	page->flags |= PG_zerofill; /* zeros, written when the bytes are first used */
	if (!m->swap_no_zeromap) {
		count_vm_event(m, SWPIN_ZERO);
		return 0;
	}
	count_vm_event(m, PSWPIN); /* as read from the device (the caller adds its time) */
	memcg_count_vm_event(m, page, MEMCG_PSWPIN);
	return 1;
}
