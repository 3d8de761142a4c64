/* tests/unit/test_fastpath.c - the lean paths of the hot code against the general ones.
 *
 * Common cases have code of their own for speed: the TLB miss whose walk finds the page and
 * the fault after a walk (access_recs_lean with its LEAN_DEFAULT copy, access_walk,
 * access_fault, access_swap_fault in arch/x86/fault.c, swap_fault_lean in mm/memory.c), the
 * exact policies' swap-out of an ordinary anonymous page (reclaim_exact_anon,
 * reclaim_resident_lean, mm/vmscan.c) and the handoff of its frame to the allocation
 * (alloc_pages), the exclusive RAM-disk swap-in (do_swap_page_lean, mm/memory.c), the
 * software walk through the paging-structure cache (walk_to_pte, mm/internal.h), exact
 * LRU's update on each access (policy_access, mm/internal.h), the one-page TLB flush
 * (flush_tlb_page, mm/internal.h), the LRU add and delete of a root page under lru and fifo
 * (folio_add_lru, lruvec_del_folio, mm/swap.c), the root's workingset shadows
 * (workingset_eviction, workingset_refault, mm/workingset.c), and the swap-slot allocation
 * and free (folio_alloc_swap_slot, swap_free, mm/swapfile.c). vmlab_config_t.general_paths
 * turns them off. Here two machines, one with
 * them and one without, run the same random work in lockstep (stores and loads of real bytes,
 * batches of accesses, forks that share pages and exits, under a resident limit, with swap in
 * memory, on a RAM disk that counts zero pages as writes, or in a file), and everything that
 * can be observed must be equal after every step: each call's result, the bytes loaded, and
 * every /proc view, the TLB counters and the swap allocator's state every few hundred steps.
 * With --check on both variants the invariant checkers run as well. The slot allocator
 * (folio_alloc_swap_slot) is also driven directly.
 */
#include <stdlib.h>
#include <string.h>

#include "include/vmlab.h"
#include "mm/internal.h"
#include "tests/unit/test.h"

#define BASE 0x10000000ull
#define SPAN (4096ull * 3000) /* 3000 pages of address space, a few hundred resident */

static uint64_t rng;

static uint64_t rnd(void)
{
	return test_xorshift(&rng);
}

/* Zipf-like: small page numbers far more often (the product of two uniforms) */
static uint64_t pick_addr(void)
{
	uint64_t a = rnd() % 3000, b = rnd() % 3000;

	return BASE + (a * b / 3000) * 4096 + (rnd() % 512) * 8;
}

static const char *const views[] = {"vmstat", "meminfo", "maps", "smaps", "status",
				     "buddyinfo", "swaps", "zoneinfo"};

/* /proc/swaps without its first column: a swap file's name is a fresh temporary file's. */
static void drop_names(char *s)
{
	char *out = s;

	while (*s) {
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
		while (*s && *s != '\n')
			*out++ = *s++;
		if (*s)
			*out++ = *s++;
	}
	*out = 0;
}

/* The swap allocator's whole state equal on both machines: counters, the per-CPU cluster and
 * cluster lists, and every slot's count, cache entry (a page compared by frame), cgroup, in-use
 * and zeromap bits; so the lean and the general slot allocation chose the same slots. */
static int same_swap(struct vmlab *a, struct vmlab *b)
{
	const struct swap_info_struct *x, *y;
	uint64_t i;
	uint32_t c;

	if (a->nr_swapfiles != b->nr_swapfiles || a->nr_swap_pages != b->nr_swap_pages) {
		printf("# swap counters differ\n");
		return 0;
	}
	if (!a->nr_swapfiles)
		return 1;
	x = a->swap_info[0];
	y = b->swap_info[0];
	if (x->max != y->max || x->inuse_pages != y->inuse_pages || x->nr_swapcache != y->nr_swapcache ||
	    x->cur_cluster != y->cur_cluster || x->cur_next != y->cur_next ||
	    memcmp(x->head, y->head, sizeof(x->head)) || memcmp(x->tail, y->tail, sizeof(x->tail))) {
		printf("# swap area state differs\n");
		return 0;
	}
	for (c = 0; c < x->nr_clusters; c++) {
		const struct swap_cluster_info *p = &x->cluster_info[c], *q = &y->cluster_info[c];

		if (p->count != q->count || p->list != q->list || p->next != q->next || p->prev != q->prev) {
			printf("# swap cluster %u differs\n", c);
			return 0;
		}
	}
	for (i = 0; i < (x->max + 63) / 64; i++)
		if (x->used[i] != y->used[i] || x->zeromap[i] != y->zeromap[i]) {
			printf("# swap bitmaps differ at word %llu\n", (unsigned long long)i);
			return 0;
		}
	for (i = 0; i < x->max; i++) {
		uint64_t p = x->swap_cache[i], q = y->swap_cache[i];

		if (p && !(p & 1) && q && !(q & 1)) { /* pages: the same frame */
			p = page_to_pfn(a, (struct page *)(uintptr_t)p) << 1;
			q = page_to_pfn(b, (struct page *)(uintptr_t)q) << 1;
		}
		if (x->swap_map[i] != y->swap_map[i] || x->swap_cgroup[i] != y->swap_cgroup[i] || p != q) {
			printf("# swap slot %llu differs\n", (unsigned long long)i);
			return 0;
		}
	}
	return 1;
}

/* Every view of both machines equal (pid's views for the per-process ones). */
static int same_views(vmlab_t *a, vmlab_t *b, int pid)
{
	vmlab_tlb_stats_t sa, sb;
	size_t i;
	int same = 1;

	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		char *x = NULL, *y = NULL;
		int ra = vmlab_show(a, views[i], pid, &x), rb = vmlab_show(b, views[i], pid, &y);

		if (x && y && !strcmp(views[i], "swaps")) {
			drop_names(x);
			drop_names(y);
		}
		if (ra != rb || (x && y && strcmp(x, y))) {
			printf("# view %s differs\n", views[i]);
			same = 0;
		}
		free(x);
		free(y);
	}
	vmlab_tlb_stats(a, &sa);
	vmlab_tlb_stats(b, &sb);
	if (memcmp(&sa, &sb, sizeof(sa))) {
		printf("# TLB counters differ\n");
		same = 0;
	}
	return same_swap(a, b) && same;
}

/* A machine of config c with one process and SPAN mapped at BASE: 0, or -1 (*m may be set
 * even then, for the caller to destroy). */
static int machine_with_span(const vmlab_config_t *c, vmlab_t **m, int *pid)
{
	uint64_t out;

	CHECK_EQ(vmlab_create(c, m), 0);
	if (!*m)
		return -1;
	CHECK_EQ(vmlab_spawn(*m, pid), 0);
	CHECK_EQ(vmlab_mmap(*m, *pid, BASE, SPAN, VMLAB_PROT_READ | VMLAB_PROT_WRITE,
			    VMLAB_MAP_PRIVATE | VMLAB_MAP_ANONYMOUS | VMLAB_MAP_FIXED, &out), 0);
	return 0;
}

/* The TLB of the next lockstep (0: the default's), and whether it uses PCID. */
static unsigned tlb_entries, tlb_ways;
static int tlb_pcid;

static void lockstep(const char *policy, int backing, int zeromap_off, uint64_t resident,
		     int check, uint64_t seed, int steps)
{
	vmlab_config_t c;
	vmlab_t *m[2] = {NULL, NULL};
	int pid[2], child[2] = {0, 0}, k, step;

	vmlab_config_default(&c);
	c.ram = 32ull << 20;
	c.swap = 64ull << 20;
	c.swap_backing = backing;
	c.swap_no_zeromap = zeromap_off;
	c.resident_pages = resident;
	if (tlb_entries) {
		c.tlb_entries = tlb_entries;
		c.tlb_ways = tlb_ways;
	}
	c.pcid = tlb_pcid;
	snprintf(c.policy, sizeof(c.policy), "%s", policy);
	for (k = 0; k < 2; k++) {
		c.general_paths = k;
		c.check = check;
		if (machine_with_span(&c, &m[k], &pid[k]))
			goto out;
	}
	CHECK_EQ(pid[0], pid[1]);
	rng = seed;
	for (step = 0; step < steps && !t_failed_checks; step++) {
		uint64_t op = rnd() % 100, addr = pick_addr(), v = addr * 2654435761u ^ seed;
		int r[2];

		if (op < 40) { /* a store of real bytes */
			for (k = 0; k < 2; k++)
				r[k] = vmlab_store(m[k], pid[k], addr, &v, 8, NULL);
			CHECK_EQ(r[0], r[1]);
		} else if (op < 70) { /* a load: the same bytes on both */
			uint64_t got[2] = {1, 2};

			for (k = 0; k < 2; k++)
				r[k] = vmlab_load(m[k], pid[k], addr, &got[k], 8, NULL);
			CHECK_EQ(r[0], r[1]);
			CHECK(got[0] == got[1]);
		} else if (op < 96) { /* a batch, as replay makes them */
			vmlab_trace_rec_t rec[64];
			size_t n = 1 + rnd() % 64, i, done[2];
			int sig[2];

			for (i = 0; i < n; i++) {
				rec[i].addr = pick_addr();
				rec[i].pid = 1;
				rec[i].size = 1;
				rec[i].kind = (uint8_t)(rnd() % 3 ? VMLAB_ACC_WRITE : VMLAB_ACC_READ);
				rec[i].pad = 0;
			}
			for (k = 0; k < 2; k++)
				done[k] = vmlab_access_recs(m[k], pid[k], rec, n, &sig[k]);
			CHECK_EQ(done[0], done[1]);
			CHECK_EQ(sig[0], sig[1]);
		} else if (op < 98 && !child[0]) { /* a fork: pages shared by two PTEs */
			for (k = 0; k < 2; k++)
				r[k] = vmlab_fork(m[k], pid[k], &child[k]);
			CHECK_EQ(r[0], r[1]);
			CHECK_EQ(child[0], child[1]);
			if (r[0])
				child[0] = child[1] = 0;
		} else if (child[0]) { /* the child writes a little, then exits */
			for (k = 0; k < 2; k++) {
				r[k] = vmlab_store(m[k], child[k], addr, &v, 8, NULL);
				CHECK_EQ(vmlab_exit(m[k], child[k]), 0);
			}
			CHECK_EQ(r[0], r[1]);
			child[0] = child[1] = 0;
		}
		if (step % 400 == 399)
			CHECK(same_views(m[0], m[1], pid[0]));
	}
	CHECK(same_views(m[0], m[1], pid[0]));
out:
	for (k = 0; k < 2; k++)
		if (m[k])
			vmlab_destroy(m[k]);
}

static void lru_memory(void)
{
	lockstep("lru", VMLAB_SWAP_MEMORY, 0, 300, 0, 11, 6000);
}

static void lru_ramdisk_counted_zeros(void)
{
	lockstep("lru", VMLAB_SWAP_RAMDISK, 1, 200, 0, 12, 6000);
}

static void lru_file_swap(void)
{
	lockstep("lru", VMLAB_SWAP_FILE, 0, 250, 0, 13, 3000);
}

static void fifo_and_clock(void)
{
	lockstep("fifo", VMLAB_SWAP_RAMDISK, 1, 300, 0, 14, 5000);
	lockstep("clock", VMLAB_SWAP_MEMORY, 0, 300, 0, 15, 5000);
}

static void linux_policy(void)
{
	lockstep("linux", VMLAB_SWAP_MEMORY, 0, 300, 0, 16, 5000);
}

/* Exact LRU off the default machine, where vmlab_access_recs takes its general lean copy
 * (LEAN_ANY) rather than LEAN_DEFAULT's: another TLB geometry, and PCID. */
static void lru_other_tlbs(void)
{
	tlb_entries = 32;
	tlb_ways = 4;
	lockstep("lru", VMLAB_SWAP_RAMDISK, 1, 200, 0, 18, 3000);
	tlb_entries = 16;
	tlb_ways = 16;
	lockstep("lru", VMLAB_SWAP_MEMORY, 0, 200, 0, 19, 3000);
	tlb_entries = 0;
	tlb_pcid = 1;
	lockstep("lru", VMLAB_SWAP_RAMDISK, 1, 200, 0, 20, 3000);
	tlb_pcid = 0;
}

static void with_checkers(void)
{
	lockstep("lru", VMLAB_SWAP_RAMDISK, 1, 150, 1, 17, 1500);
}

/* The paging-structure cache's flush is a new generation; when the generations run out, the
 * entries are cleared and counting starts again at 0. White-box: entries of generation 0 name
 * the PTE tables of a range, which is unmapped (its tables freed); the machine is then brought
 * to its last generation and wraps. No entry of the first round may come back: the checkers
 * (check_tlb verifies every entry of the current generation) must pass, and a machine whose
 * cache never wrapped must see the same. */
static void pde_generations_wrap(void)
{
	vmlab_config_t c;
	vmlab_t *m[2] = {NULL, NULL};
	const uint64_t other = BASE + (64ull << 20); /* other cache slots than BASE's */
	int pid[2], k, round;
	uint64_t out, v, i;
	char err[256];

	vmlab_config_default(&c);
	c.ram = 32ull << 20;
	c.check = 1;
	for (k = 0; k < 2; k++) {
		if (machine_with_span(&c, &m[k], &pid[k]))
			goto out;
		for (i = 0; i < 3000; i += 97) /* pages in six 2 MiB regions */
			CHECK_EQ(vmlab_store(m[k], pid[k], BASE + i * 4096, &i, 8, NULL), 0);
		CHECK_EQ(vmlab_munmap(m[k], pid[k], BASE, SPAN), 0);
		CHECK_EQ(vmlab_mmap(m[k], pid[k], other, SPAN, VMLAB_PROT_READ | VMLAB_PROT_WRITE,
				    VMLAB_MAP_PRIVATE | VMLAB_MAP_ANONYMOUS | VMLAB_MAP_FIXED, &out), 0);
	}
	if (!m[1]->cpu.pde_gen) /* the unmap flushed (it freed tables) */
		goto out;
	m[1]->cpu.pde_gen = PDE_GEN_LAST - 2 * PDE_GEN_ONE;
	for (round = 0; round < 4; round++) {
		for (k = 0; k < 2; k++) {
			for (i = 0; i < 3000; i += 97) {
				v = i * 31 + (uint64_t)round;
				CHECK_EQ(vmlab_store(m[k], pid[k], other + i * 4096, &v, 8, NULL), 0);
			}
			pde_cache_flush(&m[k]->cpu);
			CHECK_EQ(check_all(m[k], err, sizeof(err)), 0);
		}
		CHECK(same_views(m[0], m[1], pid[0]));
	}
	CHECK(m[1]->cpu.pde_gen < 16 * PDE_GEN_ONE); /* it wrapped (the machine flushes too) */
	for (i = 0; i < 3000; i += 97) {
		for (k = 0; k < 2; k++)
			CHECK_EQ(vmlab_load(m[k], pid[k], other + i * 4096, &v, 8, NULL), 0);
		CHECK_EQ(v, i * 31 + 3);
	}
	for (k = 0; k < 2; k++)
		CHECK_EQ(check_all(m[k], err, sizeof(err)), 0);
	CHECK(same_views(m[0], m[1], pid[0]));
out:
	CHECK(m[0] && m[1] && m[1]->cpu.pde_gen);
	for (k = 0; k < 2; k++)
		if (m[k])
			vmlab_destroy(m[k]);
}

/* The frame an eviction frees goes straight to the allocation that asked for it only when
 * free_pages would not drain the pcp list (alloc_pages' handoff). With the list at `high`, the
 * free drains a batch: the lean path must then free and allocate as the general one does,
 * leaving high - batch pages on the list. White-box: both machines' pcp list is brought to
 * high by the same allocations and frees of kernel pages. */
static void handoff_at_pcp_high(void)
{
	vmlab_config_t c;
	vmlab_t *m[2] = {NULL, NULL};
	struct page **held[2] = {NULL, NULL};
	int pid[2], k, nheld[2] = {0, 0};
	uint64_t v = 7, i;
	int zi = -1;

	vmlab_config_default(&c);
	c.ram = 32ull << 20;
	c.swap = 64ull << 20;
	c.swap_backing = VMLAB_SWAP_RAMDISK;
	c.resident_pages = 64;
	snprintf(c.policy, sizeof(c.policy), "lru");
	for (k = 0; k < 2; k++) {
		struct vmlab *x;
		struct zone *z;
		int cap;

		c.general_paths = k;
		if (machine_with_span(&c, &m[k], &pid[k]))
			goto out;
		x = m[k];
		for (i = 0; i < 64; i++) /* the resident limit reached */
			CHECK_EQ(vmlab_store(x, pid[k], BASE + i * 4096, &v, 8, NULL), 0);
		zi = list_last_entry(&x->root_mem_cgroup.lruvec.policy_list, struct page, lru)->zone;
		z = &x->zones[zi];
		cap = z->pcp[0].high + 2 * z->pcp[0].batch;
		held[k] = calloc((size_t)cap, sizeof(*held[k]));
		if (!held[k])
			goto out;
		while (nheld[k] < cap) {
			struct page *p = alloc_pages(x, GFP_KERNEL, 0);

			if (!p)
				break;
			if (p->zone != zi) {
				free_pages(x, p, 0);
				break;
			}
			held[k][nheld[k]++] = p;
		}
		while (nheld[k] && z->pcp[0].count != z->pcp[0].high)
			free_pages(x, held[k][--nheld[k]], 0);
		CHECK_EQ(z->pcp[0].count, z->pcp[0].high);
	}
	CHECK_EQ(nheld[0], nheld[1]);
	for (k = 0; k < 2; k++) { /* a fault that evicts the tail */
		struct zone *z = &m[k]->zones[zi];

		CHECK_EQ(vmlab_store(m[k], pid[k], BASE + 100 * 4096, &v, 8, NULL), 0);
		CHECK_EQ(z->pcp[0].count, z->pcp[0].high - z->pcp[0].batch);
	}
	CHECK(same_views(m[0], m[1], pid[0]));
	for (k = 0; k < 2; k++)
		while (nheld[k])
			free_pages(m[k], held[k][--nheld[k]], 0);
	CHECK(same_views(m[0], m[1], pid[0]));
out:
	for (k = 0; k < 2; k++) {
		free(held[k]);
		vmlab_destroy(m[k]);
	}
}

/* The slot allocator driven directly (folio_alloc_swap_slot, and swapcache_clear to free) on
 * areas whose clusters include the header's and a short last one, filled, churned near full
 * (clusters taken with few free slots, slots freed behind cur_next and in full clusters),
 * drained and filled again: the lean allocation must choose the slots the general one does
 * and leave the same state. */
static void swap_slots_direct(void)
{
	static const uint64_t sizes[] = {300, 1024 + 37, 4096, 2 * 4096 + 256};
	size_t si;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		vmlab_config_t c;
		vmlab_t *m[2] = {NULL, NULL};
		uint64_t *held = NULL, nheld = 0, pages = sizes[si] - 1;
		int k, step;

		vmlab_config_default(&c);
		c.ram = 16ull << 20;
		c.swap = sizes[si] * 4096;
		for (k = 0; k < 2; k++) {
			c.general_paths = k;
			CHECK_EQ(vmlab_create(&c, &m[k]), 0);
			if (!m[k])
				goto out;
		}
		held = calloc(pages + 1, sizeof(*held));
		if (!held)
			goto out;
		rng = 21 + si;
		for (step = 0; step < 40000 && !t_failed_checks; step++) {
			/* phases: fill, churn near full, drain to a quarter, churn, fill past full */
			int phase = step / 8000;
			uint64_t want = phase == 0 ? pages : phase == 1 ? pages - pages / 50 - 1
				      : phase == 2 ? pages / 4 : phase == 3 ? pages / 2 : pages + 5;
			int alloc = nheld < want ? rnd() % 8 != 0 : rnd() % 8 == 0;

			if (alloc || !nheld) {
				swp_entry_t e[2];

				for (k = 0; k < 2; k++)
					e[k] = folio_alloc_swap_slot(m[k]);
				CHECK_EQ(e[0].val, e[1].val);
				if (e[0].val != e[1].val)
					break;
				if (e[0].val)
					held[nheld++] = e[0].val;
				else
					CHECK(nheld == pages);
			} else {
				uint64_t j = rnd() % nheld;
				swp_entry_t e = {held[j]};

				held[j] = held[--nheld];
				for (k = 0; k < 2; k++)
					swapcache_clear(m[k], e);
			}
			if (step % 97 == 0 && !same_swap(m[0], m[1]))
				CHECK(0);
		}
		CHECK(same_swap(m[0], m[1]));
		for (k = 0; k < 2 && !t_failed_checks; k++) { /* free them all again */
			uint64_t j;

			for (j = 0; j < nheld; j++)
				swapcache_clear(m[k], (swp_entry_t){held[j]});
		}
		nheld = 0;
		CHECK(same_swap(m[0], m[1]));
out:
		free(held);
		for (k = 0; k < 2; k++)
			if (m[k])
				vmlab_destroy(m[k]);
	}
}

int main(void)
{
	RUN(lru_memory);
	RUN(lru_ramdisk_counted_zeros);
	RUN(lru_file_swap);
	RUN(fifo_and_clock);
	RUN(linux_policy);
	RUN(lru_other_tlbs);
	RUN(with_checkers);
	RUN(handoff_at_pcp_high);
	RUN(pde_generations_wrap);
	RUN(swap_slots_direct);
	TEST_EXIT();
}
