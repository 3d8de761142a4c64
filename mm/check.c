/* mm/check.c - the invariant checkers, run after every operation with --check.
 *
 * No kernel twin (Linux has scattered VM_BUG_ONs and CONFIG_DEBUG_VM checks). The claims:
 *  1. buddy and per-CPU lists are consistent (check_page_alloc), slabs too (check_slab),
 *     vmalloc areas are mapped page by page with a guard page (check_vmalloc);
 *  2. every address space: VMA tree/list order, no overlap, merged neighbours (check_vmas);
 *  3. every present user PTE lies inside a VMA of its mm and grants no more than the VMA
 *     allows (RW only with VM_WRITE, NX without VM_EXEC, US always);
 *  4. each frame's mapcount equals the number of PTEs that map it; refcount equals mapcount
 *     plus one for a page-cache page; per-mm RSS counters equal the PTEs counted by type;
 *     page-table frames match NR_PAGETABLE and each mm's pgtables_bytes;
 *  5. LRU lists hold exactly the PG_lru pages, sizes match the counters, for every memcg's
 *     lruvec and the replacement policy's own order (each policy's checker);
 *  9. swap: each slot's count equals the swap PTEs and shmem entries holding it, the swap
 *     cache holds exactly the SWAP_HAS_CACHE slots' pages (check_swap);
 * 10. memcg: every group's usage and swap usage equal the pages and slots charged to it and
 *     its descendants (check_memcg);
 *  6. NR_ANON_MAPPED and NR_FILE_MAPPED equal the pages mapped of each kind (the vDSO's
 *     kernel pages count as file pages);
 *  7. every valid TLB entry of a loaded or up-to-date address space matches its PTE;
 *  8. with no process left, every user frame is back in the allocator.
 */
#include <stdlib.h>

#include "mm/internal.h"
#include "mm/policy/policy.h"

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, n, __VA_ARGS__);                                                     \
		goto out;                                                                          \
	} while (0)

struct census {
	struct vmlab *m;
	struct mm_struct *mm;
	uint32_t *maps;           /* PTEs mapping each frame */
	uint64_t *swap_offs;      /* the slot of every swap PTE and shmem entry (area 0) */
	size_t nswap, capswap;
	int64_t rss[NR_MM_COUNTERS];
	char *err;
	size_t n;
	int bad;
};

static void census_swap_ref(struct census *cs, uint64_t off)
{
	if (cs->nswap == cs->capswap) {
		size_t cap = cs->capswap ? cs->capswap * 2 : 1024;
		uint64_t *o = realloc(cs->swap_offs, cap * sizeof(*o));

		if (!o) {
			snprintf(cs->err, cs->n, "check: out of host memory");
			cs->bad = 1;
			return;
		}
		cs->swap_offs = o;
		cs->capswap = cap;
	}
	cs->swap_offs[cs->nswap++] = off;
}

static void census_pte(void *c, uint64_t addr, pteval_t *ptep)
{
	struct census *cs = c;
	struct vmlab *m = cs->m;
	pteval_t e = *ptep;
	struct vm_area_struct *vma;
	struct page *p;
	uint64_t pfn;

	if (cs->bad)
		return;
	vma = vma_lookup(cs->mm, addr);
	if (!pte_present(e)) {
		swp_entry_t se = pte_to_swp_entry(e);
		struct swap_info_struct *si = swp_swap_info(m, se);

		if (!vma || !si || swp_offset(se) >= si->max || !vma->anon_vma) {
			snprintf(cs->err, cs->n, "check: swap PTE at %llx names no slot of an anonymous VMA",
				 (unsigned long long)addr);
			cs->bad = 1;
			return;
		}
		census_swap_ref(cs, swp_offset(se));
		cs->rss[MM_SWAPENTS]++;
		return;
	}
	if (!vma) {
		snprintf(cs->err, cs->n, "check: PTE at %llx outside every VMA", (unsigned long long)addr);
		cs->bad = 1;
		return;
	}
	if ((e & _PAGE_RW) && !(vma->vm_flags & VM_WRITE)) {
		snprintf(cs->err, cs->n, "check: writable PTE at %llx in a VMA without VM_WRITE",
			 (unsigned long long)addr);
		cs->bad = 1;
		return;
	}
	if ((e & _PAGE_PRESENT) && (!(e & _PAGE_USER) || (!(e & _PAGE_NX) != !!(vma->vm_flags & VM_EXEC)))) {
		snprintf(cs->err, cs->n, "check: PTE at %llx has US/NX not matching its VMA",
			 (unsigned long long)addr);
		cs->bad = 1;
		return;
	}
	pfn = pte_pfn(e);
	if (pfn >= m->max_pfn) {
		snprintf(cs->err, cs->n, "check: PTE at %llx points past RAM", (unsigned long long)addr);
		cs->bad = 1;
		return;
	}
	if (e & _PAGE_SPECIAL) {
		if (pfn != m->zero_pfn || (e & _PAGE_RW)) {
			snprintf(cs->err, cs->n, "check: special PTE at %llx is not the read-only zero page",
				 (unsigned long long)addr);
			cs->bad = 1;
		}
		return;
	}
	p = pfn_to_page(m, pfn);
	if (p->flags & (PG_buddy | PG_pcp | PG_slab | PG_pgtable | PG_reserved)) {
		snprintf(cs->err, cs->n, "check: PTE at %llx maps frame %llx that is not a user page",
			 (unsigned long long)addr, (unsigned long long)pfn);
		cs->bad = 1;
		return;
	}
	if ((p->flags & PG_anon) && vma->anon_vma && p->mapping &&
	    ((struct anon_vma *)p->mapping)->root != vma->anon_vma->root) {
		snprintf(cs->err, cs->n, "check: anon page at %llx belongs to another anon_vma family",
			 (unsigned long long)addr);
		cs->bad = 1;
		return;
	}
	cs->maps[pfn]++;
	if (p->flags & PG_anon)
		cs->rss[MM_ANONPAGES]++;
	else if (p->flags & PG_swapbacked)
		cs->rss[MM_SHMEMPAGES]++;
	else
		cs->rss[MM_FILEPAGES]++;
}

/* Page-table frames below a table, counting the table itself unless top. */
static int64_t count_tables(struct vmlab *m, uint64_t pfn, int level, int lo, int hi)
{
	pteval_t *t = table_of(m, pfn);
	int64_t c = 0;
	int i;

	if (level == 1)
		return 0;
	for (i = lo; i < hi; i++)
		if ((t[i] & _PAGE_PRESENT) && !(t[i] & _PAGE_PSE))
			c += 1 + count_tables(m, pte_pfn(t[i]), level - 1, 0, PTRS_PER_TABLE);
	return c;
}

static int check_tlb(struct vmlab *m, char *err, size_t n)
{
	struct cpu *c = &m->cpu;
	unsigned i, total = c->tlb_sets * c->tlb_ways;

	for (i = 0; i < total; i++) {
		struct tlb_entry *e = &c->tlb[i];
		const uint16_t asid = tlb_entry_asid(e);
		const uint64_t va = tlb_entry_vpn(e) << PAGE_SHIFT;
		struct mm_struct *mm = NULL;
		pteval_t *pte;

		if (e->tag == TLB_INVALID)
			continue;
		if (asid == c->loaded_asid) {
			mm = c->loaded_mm;
		} else if (m->cfg.pcid && asid >= 1 && asid <= TLB_NR_DYN_ASIDS) {
			struct tlb_ctx *ctx = &c->ctxs[asid - 1];
			int pid;

			for (pid = 1; pid < m->nr_tasks_slots && !mm; pid++)
				if (m->tasks[pid] && m->tasks[pid]->mm->context_id == ctx->ctx_id &&
				    ctx->tlb_gen == m->tasks[pid]->mm->tlb_gen)
					mm = m->tasks[pid]->mm;
		}
		if (!mm)
			continue; /* stale by construction: flushed before it can be used */
		pte = walk_to_pte_uncached(m, mm, va);
		if (!pte || !(*pte & _PAGE_PRESENT) || pte_pfn(*pte) != tlb_entry_pfn(e) ||
		    (tlb_entry_allows(e, VMLAB_ACC_WRITE) && !(*pte & _PAGE_RW))) {
			snprintf(err, n, "check_tlb: stale TLB entry for %llx (missing flush)",
				 (unsigned long long)va);
			return -EFAULT;
		}
	}
	/* the paging-structure cache: each entry names the PTE table the loaded tables give */
	for (i = 0; i < PDE_CACHE_ENTRIES; i++) {
		const struct pde_cache_entry *pc = &c->pde[i];
		pteval_t *pte;

		uint64_t va = (pc->va & (PDE_GEN_ONE - 1)) << PMD_SHIFT;

		if (pc->va == TLB_INVALID || (pc->va & ~(PDE_GEN_ONE - 1)) != c->pde_gen)
			continue; /* invalid, or of an older generation */
		if (((va >> PMD_SHIFT) & (PDE_CACHE_ENTRIES - 1)) != i) {
			snprintf(err, n, "check_tlb: paging-structure cache entry for %llx in slot %u",
				 (unsigned long long)va, i);
			return -EFAULT;
		}
		pte = c->loaded_mm ? walk_to_pte_uncached(m, c->loaded_mm, va) : NULL;
		if (!pte || (uint64_t)((uint8_t *)pte - m->ram) >> PAGE_SHIFT != pc->pfn) {
			snprintf(err, n, "check_tlb: paging-structure cache entry for %llx names a "
					 "table the page tables do not", (unsigned long long)va);
			return -EFAULT;
		}
	}
	return 0;
}

static int check_lru(struct vmlab *m, char *err, size_t n)
{
	static const enum node_stat_item node_item[NR_LRU_LISTS] = {
		NR_INACTIVE_ANON, NR_ACTIVE_ANON, NR_INACTIVE_FILE, NR_ACTIVE_FILE, NR_UNEVICTABLE};
	uint64_t sum[NR_LRU_LISTS] = {0}, total = 0;
	int id, l;

	for (id = 0; id < m->nr_memcgs; id++) {
		struct lruvec *lv = &m->memcgs[id]->lruvec;
		struct list_head *pos;
		uint64_t cnt = 0;

		if (m->policy->check(m, lv, err, n))
			return -EFAULT;
		list_for_each(pos, &lv->lists[LRU_UNEVICTABLE]) {
			struct page *p = list_entry(pos, struct page, lru);

			if (!(p->flags & PG_lru) || !(p->flags & PG_unevictable) || folio_lruvec(m, p) != lv) {
				snprintf(err, n, "check_lru: frame %llx on the unevictable list is not an "
					 "unevictable page of it", (unsigned long long)page_to_pfn(m, p));
				return -EFAULT;
			}
			if (++cnt > m->max_pfn)
				break;
		}
		if (cnt != lv->nr_pages[LRU_UNEVICTABLE]) {
			snprintf(err, n, "check_lru: the unevictable list has %llu pages, counter says %llu",
				 (unsigned long long)cnt, (unsigned long long)lv->nr_pages[LRU_UNEVICTABLE]);
			return -EFAULT;
		}
		for (l = 0; l < NR_LRU_LISTS; l++)
			sum[l] += lv->nr_pages[l];
	}
	for (l = 0; l < NR_LRU_LISTS; l++) {
		if ((int64_t)sum[l] != m->node_stat[node_item[l]]) {
			snprintf(err, n, "check_lru: LRU list %d holds %llu pages, the node counter %lld", l,
				 (unsigned long long)sum[l], (long long)m->node_stat[node_item[l]]);
			return -EFAULT;
		}
		total += sum[l];
	}
	if (total != m->nr_user_pages) {
		snprintf(err, n, "check_lru: %llu pages on LRU lists, nr_user_pages says %llu",
			 (unsigned long long)total, (unsigned long long)m->nr_user_pages);
		return -EFAULT;
	}
	return 0;
}

static void census_shmem_swap(void *c, swp_entry_t e)
{
	struct census *cs = c;

	census_swap_ref(cs, swp_offset(e));
}

int check_all(struct vmlab *m, char *err, size_t n)
{
	struct census cs = {.m = m, .err = err, .n = n};
	uint64_t pfn, lru = 0, anon_mapped = 0, file_mapped = 0, user = 0;
	int64_t tables = 1 + count_tables(m, m->init_pgd, 4, 0, PTRS_PER_TABLE);
	uint64_t *memcg_pages = NULL, *memcg_slots = NULL;
	int64_t *memcg_census = NULL;
	int pid, ret = -EFAULT;

	err[0] = 0;
	if (check_page_alloc(m, err, n) || check_slab(m, err, n) || check_vmalloc(m, err, n) ||
	    check_lru(m, err, n) || check_tlb(m, err, n))
		return -EFAULT;
	cs.maps = calloc(m->max_pfn, sizeof(*cs.maps));
	memcg_pages = calloc((size_t)m->nr_memcgs, sizeof(uint64_t));
	memcg_census = calloc((size_t)m->nr_memcgs * MEMCG_NR_STAT, sizeof(int64_t));
	memcg_slots = calloc((size_t)m->nr_memcgs, sizeof(uint64_t));
	if (!cs.maps || !memcg_pages || !memcg_slots || !memcg_census) {
		snprintf(err, n, "check: out of host memory");
		ret = -ENOMEM;
		goto out;
	}
	for (pid = 1; pid < m->nr_tasks_slots; pid++) {
		struct task_struct *t = m->tasks[pid];
		struct mm_struct *mm;
		int64_t pt;
		int i;

		if (!t || !t->mm)
			continue;
		mm = t->mm;
		if (check_vmas(m, mm, err, n))
			goto out;
		cs.mm = mm;
		memset(cs.rss, 0, sizeof(cs.rss));
		walk_page_range(m, mm, 0, TASK_SIZE_MAX, census_pte, &cs);
		if (cs.bad)
			goto out;
		for (i = 0; i < NR_MM_COUNTERS; i++)
			if (cs.rss[i] != mm->rss_stat[i])
				FAIL("check: pid %d RSS counter %d is %lld, PTEs say %lld", pid, i,
				     (long long)mm->rss_stat[i], (long long)cs.rss[i]);
		pt = count_tables(m, mm->pgd, 4, 0, KERNEL_PGD_BOUNDARY);
		if (pt * (int64_t)PAGE_SIZE != mm->pgtables_bytes)
			FAIL("check: pid %d has %lld page-table frames, pgtables_bytes says %lld", pid,
			     (long long)pt, (long long)(mm->pgtables_bytes / (int64_t)PAGE_SIZE));
		tables += pt + 1; /* + the PGD */
	}
	for (pfn = 0; pfn < m->max_pfn; pfn++) {
		struct page *p = pfn_to_page(m, pfn);
		int cache = 0;

		if (p->flags & PG_lru)
			lru++;
		if ((uint32_t)p->_mapcount != cs.maps[pfn] && !(p->flags & (PG_slab | PG_buddy | PG_pcp)))
			FAIL("check: frame %llx mapcount %d, but %u PTEs map it",
			     (unsigned long long)pfn, p->_mapcount, cs.maps[pfn]);
		if ((p->flags & PG_kernel) && p->_mapcount > 0) {
			/* a kernel page mapped into user space (the vDSO image): one reference of
			 * its own plus one a PTE, counted in Mapped as folio_add_file_rmap does */
			if (p->_refcount != p->_mapcount + 1)
				FAIL("check: kernel frame %llx refcount %d, mapcount %d",
				     (unsigned long long)pfn, p->_refcount, p->_mapcount);
			file_mapped++;
		}
		if (p->flags & (PG_slab | PG_buddy | PG_pcp | PG_pgtable | PG_reserved | PG_kernel |
				PG_vmalloc))
			continue;
		if (!(p->flags & (PG_anon | PG_swapbacked | PG_lru)) && !p->mapping)
			continue;
		user++;
		if ((p->flags & PG_swapcache) || (!(p->flags & PG_anon) && p->mapping))
			cache = 1;
		if (p->flags & PG_swapcache) {
			swp_entry_t e = {p->private};
			struct swap_info_struct *si = swp_swap_info(m, e);

			if (!si || swp_offset(e) >= si->max ||
			    si->swap_cache[swp_offset(e)] != (uint64_t)(uintptr_t)p ||
			    !(si->swap_map[swp_offset(e)] & SWAP_HAS_CACHE))
				FAIL("check: frame %llx is in the swap cache, but its slot does not hold it",
				     (unsigned long long)pfn);
		}
		if (p->memcg_id) {
			int64_t *c;

			if (p->memcg_id >= m->nr_memcgs)
				FAIL("check: frame %llx charged to memcg %u that does not exist",
				     (unsigned long long)pfn, p->memcg_id);
			memcg_pages[p->memcg_id]++;
			c = memcg_census + (size_t)p->memcg_id * MEMCG_NR_STAT;
			if ((p->flags & PG_anon) && p->_mapcount)
				c[MEMCG_ANON]++;
			if (p->flags & PG_swapcache)
				c[MEMCG_SWAPCACHED]++;
			else if (!(p->flags & PG_anon) && p->mapping) {
				c[MEMCG_FILE]++;
				if (p->flags & PG_swapbacked)
					c[MEMCG_SHMEM]++;
			}
		}
		if (p->_refcount != p->_mapcount + cache)
			FAIL("check: frame %llx refcount %d, mapcount %d%s", (unsigned long long)pfn,
			     p->_refcount, p->_mapcount, cache ? " + page cache" : "");
		if (p->_mapcount > 0)
			(p->flags & PG_anon) ? anon_mapped++ : file_mapped++;
	}
	if ((int64_t)anon_mapped != m->node_stat[NR_ANON_MAPPED] ||
	    (int64_t)file_mapped != m->node_stat[NR_FILE_MAPPED])
		FAIL("check: mapped pages anon %llu file %llu, counters say %lld and %lld",
		     (unsigned long long)anon_mapped, (unsigned long long)file_mapped,
		     (long long)m->node_stat[NR_ANON_MAPPED], (long long)m->node_stat[NR_FILE_MAPPED]);
	if (tables != m->node_stat[NR_PAGETABLE])
		FAIL("check: %lld page-table frames reachable, NR_PAGETABLE says %lld",
		     (long long)tables, (long long)m->node_stat[NR_PAGETABLE]);
	if (m->nr_swapfiles) {
		struct swap_info_struct *si = m->swap_info[0];
		uint32_t c;

		shmem_for_each_swap(m, census_shmem_swap, &cs);
		if (cs.bad || check_swap(m, cs.swap_offs, cs.nswap, err, n))
			goto out;
		for (c = 0; c < si->nr_clusters; c++) {
			uint64_t off = (uint64_t)c * SWAPFILE_CLUSTER, end = MIN(off + SWAPFILE_CLUSTER, si->max);

			for (; si->cluster_info[c].count && off < end; off++)
				if (si->swap_cgroup[off] && si->swap_map[off])
					memcg_slots[si->swap_cgroup[off] < m->nr_memcgs ? si->swap_cgroup[off] : 0]++;
		}
	}
	if (check_memcg(m, memcg_pages, memcg_slots, err, n))
		goto out;
	{
		/* memory.stat's sizes: each group's counters hold its subtree's pages */
		static const enum memcg_stat_item items[] = {MEMCG_ANON, MEMCG_FILE, MEMCG_SHMEM,
							     MEMCG_SWAPCACHED};
		int g, h;
		size_t k;

		for (g = 1; g < m->nr_memcgs; g++)
			for (k = 0; k < ARRAY_SIZE(items); k++) {
				int64_t want = 0;

				for (h = 1; h < m->nr_memcgs; h++)
					if (mem_cgroup_is_descendant(m->memcgs[h], m->memcgs[g]))
						want += memcg_census[(size_t)h * MEMCG_NR_STAT + items[k]];
				if (want != m->memcgs[g]->stat[items[k]])
					FAIL("check_memcg: group %s memory.stat item %d is %lld, its pages "
					     "say %lld", m->memcgs[g]->name, (int)items[k],
					     (long long)m->memcgs[g]->stat[items[k]], (long long)want);
			}
	}
	/* with no process left only the page cache of host files may remain, unmapped */
	if (m->nr_running == 0 && (anon_mapped || file_mapped || m->node_stat[NR_SHMEM] ||
				   m->vm_committed_as || user != (uint64_t)m->node_stat[NR_FILE_PAGES]))
		FAIL("check: no process left, but %llu user frames (%lld page cache), %lld shmem "
		     "pages and %lld committed pages remain",
		     (unsigned long long)user, (long long)m->node_stat[NR_FILE_PAGES],
		     (long long)m->node_stat[NR_SHMEM], (long long)m->vm_committed_as);
	if (m->nr_running == 0 && m->total_swap_pages && (uint64_t)m->nr_swap_pages != m->total_swap_pages)
		FAIL("check: no process left, but %lld swap slots are in use",
		     (long long)(m->total_swap_pages - (uint64_t)m->nr_swap_pages));
	ret = 0;
out:
	free(cs.maps);
	free(cs.swap_offs);
	free(memcg_pages);
	free(memcg_slots);
	free(memcg_census);
	return ret;
}

void debug_check(struct vmlab *m)
{
	if (m->check_failed)
		return;
	if (check_all(m, m->check_err, sizeof(m->check_err)))
		m->check_failed = 1;
}

int vmlab_check(vmlab_t *m, char *buf, size_t size)
{
	char tmp[256];

	if (!m)
		return -EINVAL;
	if (!buf || !size) {
		buf = tmp;
		size = sizeof(tmp);
	}
	if (m->check_failed) {
		snprintf(buf, size, "%s", m->check_err);
		return -EFAULT;
	}
	return check_all(m, buf, size) ? -EFAULT : 0;
}
