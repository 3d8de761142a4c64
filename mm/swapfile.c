/* mm/swapfile.c - swap areas: slots, their reference counts, and cluster allocation.
 *
 * Mirrors mm/swapfile.c: swapon sets up a swap_info_struct (slot 0 holds the swap header and
 * is never handed out), swap_map counts the references to each slot (one per PTE or shmem
 * entry holding it) plus the SWAP_HAS_CACHE bit while the slot's page is in the swap cache,
 * and a slot whose count and cache bit are both gone is free again (swap_entries_free).
 *
 * Allocation follows the 6.x cluster allocator in outline: the area is cut into clusters of
 * SWAPFILE_CLUSTER slots; the CPU fills one cluster at a time (its per-CPU cluster), taking
 * the next cluster from the nonfull list (clusters with some free slots) or else from the
 * free list, so that pages swapped out together sit together and swap-in readahead reads
 * neighbours. Its common cases (a free slot in the per-CPU cluster, or a full one replaced
 * by the nonfull list's head) take a lean path; the general loop does the rest, and all of
 * it when cfg.general_paths is set. Entry points:
 *   swapon / swap_release      set up and tear down the area (machine swap=SIZE)
 *   folio_alloc_swap_slot      a free slot with SWAP_HAS_CACHE set (get_swap_pages)
 *   swap_duplicate / swap_free one more / one fewer reference (fork, unmap; swap-in, zap)
 *   swapcache_prepare          SWAP_HAS_CACHE for a swap-in; swapcache_clear drops it
 *   __swap_count, vm_swap_full, si_swapinfo, check_swap
 *
 * Simplifications: one swap area (Linux: up to MAX_SWAPFILES with priorities); swap_map has
 * 16-bit counts (Linux: 8 bits with continuation pages past SWAP_MAP_MAX); no discard, no
 * swapoff while processes run (the area lives as long as the machine); the per-order
 * cluster lists of 6.11+ reduce to one order, since vmlab has no large folios.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mm/internal.h"

static inline struct swap_info_struct *swp_info(struct vmlab *m, swp_entry_t e)
{
	unsigned type = swp_type(e);

	return type < (unsigned)m->nr_swapfiles ? m->swap_info[type] : NULL;
}

struct swap_info_struct *swp_swap_info(struct vmlab *m, swp_entry_t e)
{
	return swp_info(m, e);
}

/* ---- clusters ----------------------------------------------------------------------------- */

/* Appends cluster idx to list 1 (free) or 2 (nonfull); both are used oldest first. */
static void cluster_list_add(struct swap_info_struct *si, uint32_t idx, uint8_t list)
{
	struct swap_cluster_info *ci = &si->cluster_info[idx];

	ci->list = list;
	ci->next = CLUSTER_NULL;
	ci->prev = si->tail[list];
	if (si->tail[list] == CLUSTER_NULL)
		si->head[list] = idx;
	else
		si->cluster_info[si->tail[list]].next = idx;
	si->tail[list] = idx;
}

static void cluster_list_del(struct swap_info_struct *si, uint32_t idx)
{
	struct swap_cluster_info *ci = &si->cluster_info[idx];
	uint8_t l = ci->list;

	VM_BUG_ON(!l);
	if (ci->prev == CLUSTER_NULL)
		si->head[l] = ci->next;
	else
		si->cluster_info[ci->prev].next = ci->next;
	if (ci->next == CLUSTER_NULL)
		si->tail[l] = ci->prev;
	else
		si->cluster_info[ci->next].prev = ci->prev;
	ci->list = 0;
	ci->next = ci->prev = CLUSTER_NULL;
}

/* Slots of cluster idx that exist (the last cluster may be short; slot 0 is the header). */
static uint64_t cluster_slots(const struct swap_info_struct *si, uint32_t idx)
{
	uint64_t start = (uint64_t)idx * SWAPFILE_CLUSTER;
	uint64_t end = MIN(start + SWAPFILE_CLUSTER, si->max);

	return end - start - (idx == 0);
}

/* Takes the next cluster to fill: a partly used one first, then a free one. */
static int cluster_take(struct swap_info_struct *si)
{
	uint32_t idx = si->head[2] != CLUSTER_NULL ? si->head[2] : si->head[1];

	if (idx == CLUSTER_NULL)
		return 0;
	cluster_list_del(si, idx);
	si->cur_cluster = idx;
	si->cur_next = (uint64_t)idx * SWAPFILE_CLUSTER;
	if (si->cur_next == 0)
		si->cur_next = 1;
	return 1;
}

/* A slot was freed in cluster idx: put the cluster back on a list if it is not being filled
 * (the per-CPU cluster is on no list, so one on a list that keeps some slots in use stays). */
static inline __attribute__((always_inline)) void cluster_slot_freed(struct swap_info_struct *si,
								      uint64_t offset)
{
	uint32_t idx = (uint32_t)(offset / SWAPFILE_CLUSTER);
	struct swap_cluster_info *ci = &si->cluster_info[idx];

	VM_BUG_ON(ci->count == 0);
	ci->count--;
	if (ci->count && ci->list)
		return;
	if (idx == si->cur_cluster)
		return;
	if (ci->count == 0) { /* empty: to the free list */
		if (ci->list)
			cluster_list_del(si, idx);
		cluster_list_add(si, idx, 1);
	} else { /* was full: it has room again */
		cluster_list_add(si, idx, 2);
	}
}

/* ---- slots --------------------------------------------------------------------------------- */

/* get_swap_pages, in full: the first free slot at or after cur_next in the per-CPU cluster;
 * when there is none, the cluster leaves the per-CPU slot (back on a list if slots behind
 * cur_next were freed meanwhile) and the next cluster is taken. Runs from any state the
 * allocator can be in. */
static swp_entry_t alloc_slot_general(struct vmlab *m, struct swap_info_struct *si)
{
	swp_entry_t e = {0};

	if (!si || !(si->flags & SWP_WRITEOK) || si->inuse_pages >= si->pages)
		return e;
	for (;;) {
		if (si->cur_cluster == CLUSTER_NULL && !cluster_take(si))
			return e;
		{
			const uint32_t idx = si->cur_cluster;
			const uint64_t end = MIN((uint64_t)(idx + 1) * SWAPFILE_CLUSTER, si->max);
			uint64_t *const used = si->used;
			uint64_t next = si->cur_next;

			/* the next free slot of the cluster, a bitmap word (64 slots) at a time */
			while (next < end) {
				uint64_t w = ~used[next / 64] >> (next % 64);

				if (w) {
					next += (uint64_t)__builtin_ctzll(w);
					break;
				}
				next = (next | 63) + 1;
			}
			si->cur_next = next;
			if (next < end) {
				uint64_t off = si->cur_next++;

				VM_BUG_ON(si->swap_map[off]);
				used[off / 64] |= 1ull << (off % 64);
				si->swap_map[off] = SWAP_HAS_CACHE;
				si->cluster_info[idx].count++;
				si->inuse_pages++;
				m->nr_swap_pages--;
				e.val = swp_val(si->type, off);
				return e;
			}
			/* this cluster is full: it leaves the per-CPU slot, on no list */
			si->cur_cluster = CLUSTER_NULL;
			if (si->cluster_info[idx].count < cluster_slots(si, idx))
				cluster_list_add(si, idx, si->cluster_info[idx].count ? 2 : 1);
		}
	}
}

/* get_swap_pages: a free slot, with SWAP_HAS_CACHE set (the caller adds its page to the swap
 * cache). Returns the entry or {0} when the area is full.
 *
 * The common cases are taken here without the general loop, leaving what it leaves: the
 * per-CPU cluster has a free slot at or after cur_next; or its count says it is full (the
 * general scan would find nothing and leave it on no list: only a whole cluster can count
 * SWAPFILE_CLUSTER) and the next one, the head of the nonfull list, has one. The scan reads
 * bitmap words up to the end of the cluster or of the area, whichever comes first (the bits
 * past the last slot are set, and so is the header's, so starting cluster 0 at slot 0 finds
 * what starting at 1 does). A free slot found means the area is not full, and a per-CPU
 * cluster exists only in an area that swapon finished (SWP_WRITEOK, never cleared).
 * Anything else, or cfg.general_paths, goes to alloc_slot_general. */
swp_entry_t folio_alloc_swap_slot(struct vmlab *m)
{
	struct swap_info_struct *si = m->nr_swapfiles ? m->swap_info[0] : NULL;
	struct swap_cluster_info *ci;
	uint64_t next, wi, w, off;
	uint32_t idx;

	if (unlikely(!si || m->cfg.general_paths))
		return alloc_slot_general(m, si);
	idx = si->cur_cluster;
	if (unlikely(idx == CLUSTER_NULL))
		return alloc_slot_general(m, si);
	ci = &si->cluster_info[idx];
	next = si->cur_next;
	if (ci->count == SWAPFILE_CLUSTER) {
		/* full: the next cluster, unless it comes from the free list */
		uint32_t nidx = si->head[2];

		if (nidx == CLUSTER_NULL)
			return alloc_slot_general(m, si);
		cluster_list_del(si, nidx);
		si->cur_cluster = idx = nidx;
		ci = &si->cluster_info[nidx];
		next = (uint64_t)nidx * SWAPFILE_CLUSTER;
	} else if (unlikely(next / SWAPFILE_CLUSTER != idx || next >= si->max)) {
		return alloc_slot_general(m, si); /* at its end */
	}
	/* the first free slot from next on, a bitmap word (64 slots) at a time */
	wi = next / 64;
	w = ~si->used[wi] >> (next % 64);
	if (w) {
		off = next + (uint64_t)__builtin_ctzll(w);
	} else {
		do {
			if (++wi % (SWAPFILE_CLUSTER / 64) == 0 || wi * 64 >= si->max) {
				/* none (the cluster may be new: its start as cluster_take sets it) */
				si->cur_next = next ? next : 1;
				return alloc_slot_general(m, si);
			}
			w = ~si->used[wi];
		} while (!w);
		off = wi * 64 + (uint64_t)__builtin_ctzll(w);
	}
	VM_BUG_ON(si->swap_map[off]);
	si->cur_next = off + 1;
	si->used[off / 64] |= 1ull << (off % 64);
	si->swap_map[off] = SWAP_HAS_CACHE;
	ci->count++;
	si->inuse_pages++;
	m->nr_swap_pages--;
	return (swp_entry_t){swp_val(si->type, off)};
}

/* swap_entries_free: the slot has no reference and no cached page left (its swap_map entry is
 * 0 already: both callers just dropped the last of them). */
static inline __attribute__((always_inline)) void swap_slot_free(struct vmlab *m,
								  struct swap_info_struct *si,
								  uint64_t off)
{
	const uint64_t bit = 1ull << (off % 64);

	VM_BUG_ON(si->swap_map[off]);
	si->used[off / 64] &= ~bit;
	si->zeromap[off / 64] &= ~bit;
	si->swap_cache[off] = 0; /* a workingset shadow dies with its slot */
	if (unlikely(si->swap_cgroup[off])) /* (a slot of the root has no charge) */
		mem_cgroup_uncharge_swap(m, si, off);
	si->inuse_pages--;
	m->nr_swap_pages++;
	cluster_slot_freed(si, off);
}

int __swap_count(struct vmlab *m, swp_entry_t e)
{
	struct swap_info_struct *si = swp_info(m, e);

	return si ? si->swap_map[swp_offset(e)] & SWAP_MAP_MAX : 0;
}

/* swap_duplicate: one more PTE (fork) or mapping holds the entry. 0 or -ENOMEM (count full). */
int swap_duplicate(struct vmlab *m, swp_entry_t e)
{
	struct swap_info_struct *si = swp_info(m, e);
	uint16_t *c;

	VM_BUG_ON(!si);
	c = &si->swap_map[swp_offset(e)];
	VM_BUG_ON(!*c);
	if ((*c & SWAP_MAP_MAX) == SWAP_MAP_MAX)
		return -ENOMEM; /* Simplification: Linux chains continuation pages instead */
	(*c)++;
	return 0;
}

/* swap_free: one reference fewer; the slot is free when neither a reference nor the swap
 * cache holds it. */
void swap_free(struct vmlab *m, swp_entry_t e)
{
	struct swap_info_struct *si = swp_info(m, e);
	uint64_t off = swp_offset(e);
	uint16_t *c;

	VM_BUG_ON(!si || off >= si->max);
	c = &si->swap_map[off];
	VM_BUG_ON(!(*c & SWAP_MAP_MAX));
	(*c)--;
	if (*c == 0)
		swap_slot_free(m, si, off);
}

/* swapcache_prepare: a swap-in claims the slot's cache bit. -EEXIST when a page is already
 * cached, -ENOENT when the slot is free. */
int swapcache_prepare(struct vmlab *m, swp_entry_t e)
{
	struct swap_info_struct *si = swp_info(m, e);
	uint16_t *c;

	if (!si || swp_offset(e) >= si->max)
		return -ENOENT;
	c = &si->swap_map[swp_offset(e)];
	if (*c & SWAP_HAS_CACHE)
		return -EEXIST;
	if (!(*c & SWAP_MAP_MAX))
		return -ENOENT;
	*c |= SWAP_HAS_CACHE;
	return 0;
}

/* The swap cache let go of the slot (put_swap_folio). */
void swapcache_clear(struct vmlab *m, swp_entry_t e)
{
	struct swap_info_struct *si = swp_info(m, e);
	uint64_t off = swp_offset(e);

	VM_BUG_ON(!si || !(si->swap_map[off] & SWAP_HAS_CACHE));
	si->swap_map[off] &= ~SWAP_HAS_CACHE;
	if (si->swap_map[off] == 0)
		swap_slot_free(m, si, off);
}

/* vm_swap_full: more than half of swap in use (swap-in then frees the cached copy). */
bool vm_swap_full(struct vmlab *m)
{
	return m->total_swap_pages && (uint64_t)m->nr_swap_pages * 2 < m->total_swap_pages;
}

/* ---- swapon ------------------------------------------------------------------------------------ */

static void *host_zalloc(uint64_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void host_free(void *p, uint64_t bytes)
{
	if (p)
		munmap(p, bytes);
}

/* Bytes of the host mappings an area of max slots uses (all lazily committed). */
static uint64_t map_bytes(uint64_t max)
{
	return PAGE_ALIGN(max * sizeof(uint16_t));
}
static uint64_t cache_bytes(uint64_t max)
{
	return PAGE_ALIGN(max * sizeof(uint64_t));
}
static uint64_t zero_bytes(uint64_t max)
{
	return PAGE_ALIGN((max + 63) / 64 * sizeof(uint64_t));
}
static uint64_t clusters_bytes(uint64_t nr)
{
	return PAGE_ALIGN(nr * sizeof(struct swap_cluster_info));
}

void swap_release(struct vmlab *m)
{
	int i;

	for (i = 0; i < m->nr_swapfiles; i++) {
		struct swap_info_struct *si = m->swap_info[i];

		if (!si)
			continue;
		host_free(si->swap_map, map_bytes(si->max));
		host_free(si->swap_cache, cache_bytes(si->max));
		host_free(si->zeromap, zero_bytes(si->max));
		host_free(si->swap_cgroup, map_bytes(si->max));
		host_free(si->used, zero_bytes(si->max));
		host_free(si->cluster_info, clusters_bytes(si->nr_clusters));
		swap_backing_release(si);
		free(si);
		m->swap_info[i] = NULL;
	}
	m->nr_swapfiles = 0;
}

/* swapon: an area of `bytes` (rounded down to pages, one of them the header), backed by host
 * memory or by a temporary file. 0, -EINVAL (too small) or -ENOMEM. */
int swapon(struct vmlab *m, uint64_t bytes, int backing)
{
	struct swap_info_struct *si;
	uint64_t max = bytes >> PAGE_SHIFT, i;

	if (max < 2)
		return -EINVAL;
	if (m->nr_swapfiles >= MAX_SWAPFILES)
		return -EPERM;
	si = calloc(1, sizeof(*si));
	if (!si)
		return -ENOMEM;
	si->max = max;
	si->pages = max - 1;
	si->prio = -2;
	si->type = m->nr_swapfiles;
	si->fd = -1;
	si->nr_clusters = (uint32_t)((max + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER);
	si->swap_map = host_zalloc(map_bytes(max));
	si->swap_cache = host_zalloc(cache_bytes(max));
	si->zeromap = host_zalloc(zero_bytes(max));
	si->swap_cgroup = host_zalloc(map_bytes(max));
	si->used = host_zalloc(zero_bytes(max));
	si->cluster_info = host_zalloc(clusters_bytes(si->nr_clusters));
	m->swap_info[m->nr_swapfiles++] = si;
	if (!si->swap_map || !si->swap_cache || !si->zeromap || !si->swap_cgroup || !si->used ||
	    !si->cluster_info ||
	    swap_backing_init(si, backing == VMLAB_SWAP_FILE)) {
		swap_release(m);
		return -ENOMEM;
	}
	si->head[1] = si->head[2] = si->tail[1] = si->tail[2] = CLUSTER_NULL;
	si->cur_cluster = CLUSTER_NULL;
	for (i = 0; i < si->nr_clusters; i++)
		cluster_list_add(si, (uint32_t)i, 1);
	si->used[0] = 1; /* slot 0, the header, is never free */
	for (i = max; i % 64; i++) /* nor are the bits past the last slot */
		si->used[i / 64] |= 1ull << (i % 64);
	si->flags = SWP_USED | SWP_WRITEOK | (backing == VMLAB_SWAP_RAMDISK ? SWP_SYNCHRONOUS_IO : 0);
	if (backing == VMLAB_SWAP_RAMDISK)
		snprintf(si->name, sizeof(si->name), "/dev/ram%d", si->type);
	m->nr_swap_pages += (int64_t)si->pages;
	m->total_swap_pages += si->pages;
	return 0;
}

/* ---- checker -------------------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The census count of offset off in the sorted offs[0..n). */
static uint32_t refs_of(const uint64_t *offs, size_t n, uint64_t off)
{
	size_t lo = 0, hi = n, first;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (offs[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < n && offs[lo] == off)
		lo++;
	return (uint32_t)(lo - first);
}

/* check_swap: each slot's swap_map count equals the references the census found (offs: one
 * offset of area 0 per swap PTE or shmem entry, any order; sorted here), SWAP_HAS_CACHE is set
 * exactly where the swap cache holds a page that names the slot, cluster counts and the
 * free-slot totals add up, and every cluster is on the list its count calls for. Work is
 * proportional to the slots in use (clusters with none are skipped) and to the number of
 * clusters, not to the size of the area. */
int check_swap(struct vmlab *m, uint64_t *offs, size_t nrefs, char *err, size_t n)
{
	struct swap_info_struct *si;
	uint64_t inuse = 0, cached = 0, sum = 0;
	size_t i;
	uint32_t c, l;

	if (!m->nr_swapfiles)
		return 0;
	si = m->swap_info[0];
	if (nrefs) /* (offs may be NULL then) */
		qsort(offs, nrefs, sizeof(*offs), cmp_u64);
	for (i = 0; i < nrefs; i++) {
		uint32_t want = refs_of(offs, nrefs, offs[i]);

		if (offs[i] == 0 || offs[i] >= si->max || (si->swap_map[offs[i]] & SWAP_MAP_MAX) != want) {
			snprintf(err, n, "check_swap: slot %llu has count %u, but %u references hold it",
				 (unsigned long long)offs[i],
				 offs[i] < si->max ? si->swap_map[offs[i]] & SWAP_MAP_MAX : 0, want);
			return -EFAULT;
		}
	}
	if (si->swap_map[0]) {
		snprintf(err, n, "check_swap: the header slot is in use");
		return -EFAULT;
	}
	for (l = 1; l <= 2; l++) { /* the lists, linked both ways, each cluster marked as on it */
		uint32_t prev = CLUSTER_NULL, len = 0;

		for (c = si->head[l]; c != CLUSTER_NULL; prev = c, c = si->cluster_info[c].next)
			if (c >= si->nr_clusters || si->cluster_info[c].list != l ||
			    si->cluster_info[c].prev != prev || ++len > si->nr_clusters)
				break;
		if (c != CLUSTER_NULL || si->tail[l] != prev) {
			snprintf(err, n, "check_swap: the %s cluster list is broken (at cluster %u)",
				 l == 1 ? "free" : "nonfull", c);
			return -EFAULT;
		}
	}
	for (c = 0; c < si->nr_clusters; c++) {
		uint64_t start = (uint64_t)c * SWAPFILE_CLUSTER, end = MIN(start + SWAPFILE_CLUSTER, si->max), off;
		uint32_t used = 0, count = si->cluster_info[c].count;
		/* the per-CPU cluster is on no list, nor is a full one; an empty one is free */
		uint8_t list = c == si->cur_cluster ? 0 : !count ? 1 : count < cluster_slots(si, c) ? 2 : 0;

		if (si->cluster_info[c].list != list) {
			snprintf(err, n, "check_swap: cluster %u (%u slots in use) is on list %u, not %u", c,
				 count, si->cluster_info[c].list, list);
			return -EFAULT;
		}
		sum += count;
		if (!si->cluster_info[c].count)
			continue; /* a slot used there would have shown in the census or the cache */
		for (off = start; off < end; off++) {
			uint16_t v = si->swap_map[off];
			uint64_t sc = si->swap_cache[off];
			int has_page = sc && !(sc & 1);

			if (!!v != !!(si->used[off / 64] & (1ull << (off % 64))) && off) {
				snprintf(err, n, "check_swap: slot %llu in-use bit does not match its count",
					 (unsigned long long)off);
				return -EFAULT;
			}
			if (!v)
				continue;
			used++;
			if ((v & SWAP_MAP_MAX) != refs_of(offs, nrefs, off)) {
				snprintf(err, n, "check_swap: slot %llu has count %u, but %u references hold it",
					 (unsigned long long)off, v & SWAP_MAP_MAX, refs_of(offs, nrefs, off));
				return -EFAULT;
			}
			if (!!(v & SWAP_HAS_CACHE) != has_page) {
				snprintf(err, n, "check_swap: slot %llu SWAP_HAS_CACHE %d but swap cache %s",
					 (unsigned long long)off, !!(v & SWAP_HAS_CACHE),
					 has_page ? "holds a page" : "is empty");
				return -EFAULT;
			}
			if (has_page) {
				struct page *p = (struct page *)(uintptr_t)sc;

				cached++;
				if (!(p->flags & PG_swapcache) || p->private != swp_val(si->type, off)) {
					snprintf(err, n, "check_swap: slot %llu caches frame %llx that does "
						 "not name it", (unsigned long long)off,
						 (unsigned long long)page_to_pfn(m, p));
					return -EFAULT;
				}
			}
		}
		if (used != si->cluster_info[c].count) {
			snprintf(err, n, "check_swap: cluster %u has %u slots in use, says %u", c, used,
				 si->cluster_info[c].count);
			return -EFAULT;
		}
		inuse += used;
	}
	if (inuse != si->inuse_pages || sum != si->inuse_pages || cached != si->nr_swapcache) {
		snprintf(err, n, "check_swap: %llu slots and %llu cached pages in use, counters say %llu "
			 "and %llu", (unsigned long long)inuse, (unsigned long long)cached,
			 (unsigned long long)si->inuse_pages, (unsigned long long)si->nr_swapcache);
		return -EFAULT;
	}
	if ((int64_t)m->total_swap_pages - m->nr_swap_pages != (int64_t)si->inuse_pages) {
		snprintf(err, n, "check_swap: free swap %lld of %llu does not match the slots in use",
			 (long long)m->nr_swap_pages, (unsigned long long)m->total_swap_pages);
		return -EFAULT;
	}
	return 0;
}
