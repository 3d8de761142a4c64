/* arch/x86/mmu.c - x86_64 4-level page tables in simulated frames, and the hardware walker.
 *
 * Mirrors arch/x86/mm/pgtable.c (pgd_alloc), arch/x86/mm/init_64.c (the direct map,
 * preallocated kernel PUDs) and what the CPU's page walker does on a TLB miss: read each level,
 * AND the RW/US permissions, OR the NX bits, set Accessed (and Dirty on a write), and produce a
 * page-fault error code on failure.
 *
 * Entry points: paging_init, pgd_alloc/pgd_free, pte_alloc_one/pte_free, walk_to_pte,
 * mmu_walk, map_kernel_page/unmap_kernel_page, kernel_read/kernel_write, walk_page_range,
 * free_pgtables.
 *
 * Simplifications (see docs/simplifications.md): no 5-level paging; the vmemmap is not mapped
 * (struct pages live in host memory); the kernel text is not mapped; no KPTI, so the kernel
 * half is in every PGD (not usable from user mode because US is clear).
 */
#include "mm/internal.h"

struct page *pte_alloc_one(struct vmlab *m, struct mm_struct *mm)
{
	struct page *pt;

	alloc_reason(m, "a page table");
	pt = alloc_pages(m, GFP_KERNEL | __GFP_ZERO, 0);
	if (!pt)
		return NULL;
	pt->flags |= PG_pgtable;
	mod_node_page_state(m, NR_PAGETABLE, 1);
	if (mm)
		mm->pgtables_bytes += PAGE_SIZE;
	return pt;
}

void pte_free(struct vmlab *m, struct mm_struct *mm, struct page *pt)
{
	pde_cache_flush(&m->cpu); /* a freed table must not stay in the paging-structure cache */
	pt->flags &= ~PG_pgtable;
	mod_node_page_state(m, NR_PAGETABLE, -1);
	if (mm)
		mm->pgtables_bytes -= PAGE_SIZE;
	free_pages(m, pt, 0);
}

/* Returns the entry slot of the next-level table for va at `level` (4 PGD .. 1 PTE). */
static inline unsigned level_index(uint64_t va, int level)
{
	return (unsigned)((va >> (PAGE_SHIFT + 9 * (level - 1))) & 511);
}

/* One step of a software walk: the table that entry e points to, allocating it when alloc
 * (kernel tables, mm NULL, get _KERNPG_TABLE entries, user ones _PAGE_TABLE); NULL when there
 * is none or e maps a large page (no PTE level below). */
static inline pteval_t *next_table(struct vmlab *m, struct mm_struct *mm, pteval_t *e, bool alloc,
				   bool user)
{
	if (unlikely(!(*e & _PAGE_PRESENT))) {
		struct page *pt;

		if (!alloc)
			return NULL;
		pt = pte_alloc_one(m, mm);
		if (!pt)
			return NULL;
		*e = pfn_pte(page_to_pfn(m, pt), user ? _PAGE_TABLE : _KERNPG_TABLE);
	} else if (unlikely(*e & _PAGE_PSE)) {
		return NULL;
	}
	return table_of(m, pte_pfn(*e));
}

/* Walks the four levels from the PGD `pfn` to the PTE of va (unrolled: it is on every fault
 * and every rmap visit), allocating missing tables when alloc. */
static inline pteval_t *walk_from(struct vmlab *m, struct mm_struct *mm, uint64_t pfn, uint64_t va,
				  bool alloc, bool user)
{
	pteval_t *t = table_of(m, pfn);

	if (!(t = next_table(m, mm, &t[pgd_index(va)], alloc, user)) ||
	    !(t = next_table(m, mm, &t[pud_index(va)], alloc, user)) ||
	    !(t = next_table(m, mm, &t[pmd_index(va)], alloc, user)))
		return NULL;
	return &t[pte_index(va)];
}

/* The software walk to a user PTE, through the tables (walk_to_pte, mm/internal.h, calls it
 * when the CPU's paging-structure cache does not know the region's PTE table: that shortcut
 * gives the same entry, since the cache is dropped whenever a table is freed or CR3 changes
 * and check_tlb verifies every entry against the tables). A software walk sets no A bit.
 * Faults and rmap visits walk here. */
pteval_t *walk_to_pte_tables(struct vmlab *m, struct mm_struct *mm, uint64_t pgd_pfn,
			     uint64_t addr, bool alloc)
{
	return walk_from(m, mm, pgd_pfn, addr, alloc, true);
}

pteval_t *walk_to_pte_uncached(struct vmlab *m, struct mm_struct *mm, uint64_t addr)
{
	return walk_from(m, mm, mm->pgd, addr, false, true);
}

/* The direct map: all RAM at PAGE_OFFSET, with 1 GiB pages where whole GiBs fit, then 2 MiB,
 * then 4 KiB pages, as init_64.c's phys_*_init map it (G and NX set, US clear). */
static int map_direct(struct vmlab *m)
{
	uint64_t ram = m->max_pfn << PAGE_SHIFT, pa = 0;

	while (pa < ram) {
		uint64_t va = PAGE_OFFSET_BASE + pa;
		int level;
		pteval_t *slot;

		if (!(pa & (PUD_SIZE - 1)) && ram - pa >= PUD_SIZE)
			level = 3;
		else if (!(pa & (PMD_SIZE - 1)) && ram - pa >= PMD_SIZE)
			level = 2;
		else
			level = 1;
		/* walk to the table of `level`, allocating above it */
		{
			uint64_t pfn = m->init_pgd;
			int l;

			slot = NULL;
			for (l = 4; l >= level; l--) {
				pteval_t *e = &table_of(m, pfn)[level_index(va, l)];

				if (l == level) {
					slot = e;
					break;
				}
				if (!(*e & _PAGE_PRESENT)) {
					struct page *pt = pte_alloc_one(m, NULL);

					if (!pt)
						return -ENOMEM;
					*e = pfn_pte(page_to_pfn(m, pt), _KERNPG_TABLE);
				}
				pfn = pte_pfn(*e);
			}
		}
		if (level == 3) {
			*slot = pfn_pte(pa >> PAGE_SHIFT, PAGE_KERNEL_LARGE);
			m->directmap_1g += PUD_SIZE;
			pa += PUD_SIZE;
		} else if (level == 2) {
			*slot = pfn_pte(pa >> PAGE_SHIFT, PAGE_KERNEL_LARGE);
			m->directmap_2m += PMD_SIZE;
			pa += PMD_SIZE;
		} else {
			*slot = pfn_pte(pa >> PAGE_SHIFT, PAGE_KERNEL);
			m->directmap_4k += PAGE_SIZE;
			pa += PAGE_SIZE;
		}
	}
	return 0;
}

int paging_init(struct vmlab *m)
{
	struct page *pgd = pte_alloc_one(m, NULL);
	uint64_t va;

	if (!pgd)
		return -ENOMEM;
	m->init_pgd = page_to_pfn(m, pgd);
	if (map_direct(m))
		return -ENOMEM;
	/* preallocate_vmalloc_pages(): PUD tables for the whole vmalloc range exist from boot,
	 * so that the PGD entries copied into every process never change. */
	for (va = VMALLOC_START; va < VMALLOC_START + VMALLOC_SIZE; va += PGDIR_SIZE) {
		pteval_t *e = &table_of(m, m->init_pgd)[pgd_index(va)];

		if (!(*e & _PAGE_PRESENT)) {
			struct page *pt = pte_alloc_one(m, NULL);

			if (!pt)
				return -ENOMEM;
			*e = pfn_pte(page_to_pfn(m, pt), _KERNPG_TABLE);
		}
	}
	return 0;
}

int pgd_alloc(struct vmlab *m, struct mm_struct *mm)
{
	struct page *pgd = pte_alloc_one(m, NULL);
	pteval_t *dst;

	if (!pgd)
		return -ENOMEM;
	mm->pgd = page_to_pfn(m, pgd);
	dst = table_of(m, mm->pgd);
	/* clone_pgd_range(): the kernel half is shared, entry for entry */
	memcpy(dst + KERNEL_PGD_BOUNDARY, table_of(m, m->init_pgd) + KERNEL_PGD_BOUNDARY,
	       (PTRS_PER_TABLE - KERNEL_PGD_BOUNDARY) * sizeof(pteval_t));
	return 0;
}

void pgd_free(struct vmlab *m, struct mm_struct *mm)
{
	pte_free(m, NULL, pfn_to_page(m, mm->pgd));
	mm->pgd = 0;
}

/* ---- the hardware walk -------------------------------------------------------------------- */

static const char *const level_names[] = {"", "PTE", "PMD", "PUD", "PGD"};

static void walk_event(struct vmlab *m, int level, unsigned idx, uint64_t table, pteval_t e,
		       uint64_t addr)
{
	vmlab_event_t ev = {.type = VMLAB_EV_WALK_LEVEL, .pid = m->cur_pid, .level = level,
			    .index = idx, .pfn = table, .value = e, .addr = addr,
			    .text = level_names[level]};
	vm_event(m, &ev);
}

unsigned mmu_walk(struct vmlab *m, struct mm_struct *mm, uint64_t addr, int kind,
		  pteval_t **ptep_out)
{
	struct cpu *c = &m->cpu;
	unsigned err = pf_error_code(kind);
	uint64_t pfn = mm->pgd;
	pteval_t allow = _PAGE_RW | _PAGE_USER, nx = 0;
	pteval_t *e = NULL;
	int level = 4;

	c->stats.walks++;
	if (likely(addr < TASK_SIZE_MAX && !explaining(m)))
		return mmu_walk_user(m, mm, addr, kind, err, ptep_out, false);
	for (; level >= 1; level--) {
		unsigned idx = level_index(addr, level);

		e = &table_of(m, pfn)[idx];
		if (unlikely(explaining(m)))
			walk_event(m, level, idx, pfn, *e, addr);
		if (!(*e & _PAGE_PRESENT))
			return err; /* not present: P clear in the error code */
		allow &= *e;
		nx |= *e & _PAGE_NX;
		if (level > 1 && (*e & _PAGE_PSE))
			break; /* a large page (kernel direct map): permissions decide below */
		if (level > 1 && !(*e & _PAGE_ACCESSED))
			*e |= _PAGE_ACCESSED;
		pfn = pte_pfn(*e);
	}
	if (!(allow & _PAGE_USER) || (kind == VMLAB_ACC_WRITE && !(allow & _PAGE_RW)) ||
	    (kind == VMLAB_ACC_EXEC && nx))
		return err | X86_PF_PROT;
	*e |= _PAGE_ACCESSED;
	if (kind == VMLAB_ACC_WRITE)
		*e |= _PAGE_DIRTY;
	*ptep_out = e;
	return 0;
}

/* ---- kernel mappings ----------------------------------------------------------------------- */

int map_kernel_page(struct vmlab *m, uint64_t va, uint64_t pfn, pteval_t prot)
{
	pteval_t *pte = walk_from(m, NULL, m->init_pgd, va, true, false);

	if (!pte)
		return -ENOMEM;
	*pte = pfn_pte(pfn, prot);
	return 0;
}

void unmap_kernel_page(struct vmlab *m, uint64_t va)
{
	pteval_t *pte = walk_from(m, NULL, m->init_pgd, va, false, false);

	if (pte)
		*pte = 0;
}

/* Translates a kernel virtual address through swapper_pg_dir (large pages included). */
static int kernel_translate(struct vmlab *m, uint64_t va, uint64_t *pa)
{
	uint64_t pfn = m->init_pgd;
	int level;

	for (level = 4; level >= 1; level--) {
		pteval_t e = table_of(m, pfn)[level_index(va, level)];

		if (!(e & _PAGE_PRESENT))
			return -EFAULT;
		if (level > 1 && (e & _PAGE_PSE)) {
			uint64_t size = 1ull << (PAGE_SHIFT + 9 * (level - 1));

			*pa = ((e & PTE_PFN_MASK) & ~(size - 1)) + (va & (size - 1));
			return 0;
		}
		pfn = pte_pfn(e);
	}
	*pa = (pfn << PAGE_SHIFT) | (va & (PAGE_SIZE - 1));
	return 0;
}

static int kernel_copy(struct vmlab *m, uint64_t va, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;

	while (len) {
		uint64_t pa;
		size_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));

		if (n > len)
			n = len;
		if (kernel_translate(m, va, &pa) || (pa >> PAGE_SHIFT) >= m->max_pfn)
			return -EFAULT;
		if (write)
			memcpy(m->ram + pa, b, n);
		else
			memcpy(b, m->ram + pa, n);
		va += n;
		b += n;
		len -= n;
	}
	return 0;
}

int kernel_read(struct vmlab *m, uint64_t va, void *buf, size_t len)
{
	return kernel_copy(m, va, buf, len, false);
}

int kernel_write(struct vmlab *m, uint64_t va, const void *buf, size_t len)
{
	return kernel_copy(m, va, (void *)(uintptr_t)buf, len, true);
}

/* ---- range walks ----------------------------------------------------------------------------- */

static void walk_level(struct vmlab *m, uint64_t pfn, int level, uint64_t base, uint64_t start,
		       uint64_t end, pte_visit_fn fn, void *ctx)
{
	uint64_t span = 1ull << (PAGE_SHIFT + 9 * (level - 1));
	unsigned i = level_index(start, level);
	pteval_t *t = table_of(m, pfn);

	for (; i < PTRS_PER_TABLE; i++) {
		uint64_t lo = base + (uint64_t)i * span, hi = lo + span;

		if (lo >= end)
			break;
		if (level == 1) {
			if (!pte_none(t[i]))
				fn(ctx, lo, &t[i]);
			continue;
		}
		if (!(t[i] & _PAGE_PRESENT) || (t[i] & _PAGE_PSE))
			continue;
		walk_level(m, pte_pfn(t[i]), level - 1, lo, MAX(start, lo), MIN(end, hi), fn, ctx);
	}
}

void walk_page_range(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t end,
		     pte_visit_fn fn, void *ctx)
{
	if (start >= end)
		return;
	walk_level(m, mm->pgd, 4, 0, start, end, fn, ctx);
}

/* Frees, below table `pfn` at `level` (covering [base, base+span*512)), every table whose whole
 * range lies inside [floor, ceiling); recurses only where [start, end) intersects. Returns true
 * when the table itself is now empty. */
static void free_level(struct vmlab *m, struct mm_struct *mm, uint64_t pfn, int level,
		       uint64_t base, uint64_t start, uint64_t end, uint64_t floor, uint64_t ceiling)
{
	uint64_t span = 1ull << (PAGE_SHIFT + 9 * (level - 1));
	pteval_t *t = table_of(m, pfn);
	unsigned i = level_index(start, level);

	for (; i < PTRS_PER_TABLE; i++) {
		uint64_t lo = base + (uint64_t)i * span, hi = lo + span;
		uint64_t child;

		if (lo >= end)
			break;
		if (!(t[i] & _PAGE_PRESENT) || (t[i] & _PAGE_PSE))
			continue;
		child = pte_pfn(t[i]);
		if (level > 2)
			free_level(m, mm, child, level - 1, lo, MAX(start, lo), MIN(end, hi), floor,
				   ceiling);
		if (lo >= floor && hi - 1 <= ceiling - 1) {
			/* the child table maps nothing any VMA can use: free it */
			t[i] = 0;
			pte_free(m, mm, pfn_to_page(m, child));
		}
	}
}

void free_pgtables(struct vmlab *m, struct mm_struct *mm, uint64_t floor, uint64_t ceiling)
{
	/* ceiling 0 means the top of user space (USER_PGTABLES_CEILING) */
	uint64_t end = ceiling ? ceiling : TASK_SIZE_MAX + PAGE_SIZE;

	if (floor >= end)
		return;
	/* PGD entries themselves belong to the PGD page; user half only */
	free_level(m, mm, mm->pgd, 4, 0, floor, MIN(end, 1ull << 47), floor, end);
}
