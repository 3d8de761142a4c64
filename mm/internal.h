/* mm/internal.h - cross-file prototypes of vmlab's kernel half, grouped by the file that owns
 * them (as Linux's mm/internal.h does). Nothing here is public: the CLI sees include/vmlab.h.
 */
#ifndef VMLAB_MM_INTERNAL_H
#define VMLAB_MM_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "mm_types.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
/* A host-cache prefetch of the line at p (a hint: no fault, no effect on any result). As an
 * asm statement on x86: gcc drops a __builtin_prefetch whose address it computed from loads
 * (mm/vmscan.c's prefetch_victims lost both of its). */
#if defined(__x86_64__) || defined(__i386__)
#define prefetch_line(p) __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)(p)))
#else
#define prefetch_line(p) __builtin_prefetch(p)
#endif
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* ---- frames and struct page (inline helpers) ------------------------------------------- */

static inline struct page *pfn_to_page(struct vmlab *m, uint64_t pfn)
{
	return &m->mem_map[pfn];
}
/* pfn_to_page(m, pte_pfn(pte)) in two steps: the frame bits of the PTE, shifted, are the
 * struct page's offset in mem_map (a struct page is 64 bytes: mm/mm_types.h). */
static inline struct page *pte_page(struct vmlab *m, pteval_t pte)
{
	return (struct page *)((char *)m->mem_map + ((pte & PTE_PFN_MASK) >> (PAGE_SHIFT - 6)));
}
static inline uint64_t page_to_pfn(struct vmlab *m, const struct page *p)
{
	return (uint64_t)(p - m->mem_map);
}
/* Host address of a frame's bytes (the kernel's direct-map view). */
static inline void *pfn_to_virt(struct vmlab *m, uint64_t pfn)
{
	return m->ram + (pfn << PAGE_SHIFT);
}
static inline void *page_address(struct vmlab *m, const struct page *p)
{
	return pfn_to_virt(m, page_to_pfn(m, p));
}
/* Frame of a host pointer into simulated RAM (a slab object, say). */
static inline uint64_t virt_to_pfn(struct vmlab *m, const void *p)
{
	return (uint64_t)((const uint8_t *)p - m->ram) >> PAGE_SHIFT;
}
static inline struct page *virt_to_page(struct vmlab *m, const void *p)
{
	return pfn_to_page(m, virt_to_pfn(m, p));
}
/* The bytes of a user page about to be written: a PG_zerofill page is zeroed first. */
static inline uint8_t *page_bytes(struct vmlab *m, struct page *p)
{
	if (unlikely(p->flags & PG_zerofill)) {
		memset(page_address(m, p), 0, PAGE_SIZE);
		p->flags &= ~PG_zerofill;
	}
	return (uint8_t *)page_address(m, p);
}

static inline int page_mapcount(const struct page *p)
{
	return p->_mapcount;
}
static inline int page_count(const struct page *p)
{
	return p->_refcount;
}

/* Panics (for broken invariants only): prints function and message to stderr and aborts. */
#define VM_BUG_ON(cond, ...)                                                                       \
	do {                                                                                       \
		if (unlikely(cond))                                                                \
			vm_bug(__func__, #cond);                                                   \
	} while (0)
_Noreturn void vm_bug(const char *func, const char *what);

/* ---- mm/page_alloc.c: zones, buddy allocator, per-CPU lists, watermarks ------------------ */

/* gfp flags (subset of include/linux/gfp_types.h). */
typedef unsigned gfp_t;
#define __GFP_DMA 0x01u
#define __GFP_DMA32 0x04u
#define __GFP_ZERO 0x100u
#define __GFP_HIGH 0x20u
#define __GFP_NOWARN 0x200u
#define __GFP_RECLAIM 0x400u
#define __GFP_NORETRY 0x10000u /* give up rather than call the OOM killer (readahead) */
#define __GFP_MOVABLE 0x08u
#define __GFP_ZERO_LAZY 0x1000u /* vmlab: a user page that reads as zeros (PG_zerofill)
				 * instead of a memset now */
#define GFP_KERNEL (__GFP_RECLAIM)
#define GFP_ATOMIC (__GFP_HIGH)
#define GFP_HIGHUSER_MOVABLE (__GFP_RECLAIM | __GFP_MOVABLE)

/* Sets up zones over [0, max_pfn), reserves the first MiB and the kernel image, frees the
 * rest into the buddy lists, computes watermarks, lowmem_reserve and pcp batch/high. */
int page_alloc_init(struct vmlab *m);
/* Allocates 2^order frames from the highest zone gfp allows, falling back to lower zones
 * (respecting lowmem_reserve and the min watermark unless __GFP_HIGH). Returns the head page
 * with _refcount 1 (PG_head set when order > 0), zeroed with __GFP_ZERO; NULL when no zone
 * has the memory. Counts pgalloc_<zone>. */
struct page *alloc_pages(struct vmlab *m, gfp_t gfp, unsigned order);
/* Names what the next alloc_pages is for, in explain mode ("anonymous page", ...). */
static inline void alloc_reason(struct vmlab *m, const char *why)
{
	m->alloc_why = why;
}
/* Drops the reference the allocator gave; frees the block (pcp for order <= COSTLY, else
 * buddy merge) and counts pgfree. The page must have _refcount 1 and no other role. */
void free_pages(struct vmlab *m, struct page *page, unsigned order);
/* put_page: drops one reference, frees an order-0 page when it reaches 0. */
void put_page(struct vmlab *m, struct page *page);
static inline void get_page(struct page *p)
{
	p->_refcount++;
}
/* Returns all per-CPU pages to the buddy lists (drain_all_pages). */
void drain_all_pages(struct vmlab *m);
/* Pages free in a zone (NR_FREE_PAGES) and in total. */
uint64_t zone_free_pages(const struct zone *z);
uint64_t global_free_pages(const struct vmlab *m);
/* zone_watermark_ok: whether an order-`order` allocation fits above `mark` + reserve. */
bool zone_watermark_ok(const struct zone *z, unsigned order, uint64_t mark, int highest_zoneidx);
static inline struct zone *page_zone(struct vmlab *m, const struct page *p)
{
	return &m->zones[p->zone];
}
/* Buddy-list and pcp consistency (counts, flags, alignment, no free buddy left unmerged). */
int check_page_alloc(struct vmlab *m, char *err, size_t n);

/* ---- mm/slub.c: slab caches and kmalloc ------------------------------------------------- */

int kmem_cache_init(struct vmlab *m); /* bootstraps kmem_cache and the kmalloc caches */
struct kmem_cache *kmem_cache_create(struct vmlab *m, const char *name, unsigned size,
				     unsigned align, unsigned flags);
#define SLAB_RECLAIM_ACCOUNT 0x1u
void kmem_cache_destroy(struct vmlab *m, struct kmem_cache *s);
void *kmem_cache_alloc(struct vmlab *m, struct kmem_cache *s); /* zeroed object or NULL */
void kmem_cache_free(struct vmlab *m, struct kmem_cache *s, void *obj);
void *kmalloc(struct vmlab *m, size_t size);  /* zeroed; sizes above 8 KiB from pages */
void kfree(struct vmlab *m, const void *p);   /* NULL is a no-op */
/* Slab bytes by reclaimability (for meminfo Slab/SReclaimable/SUnreclaim). */
void slab_bytes(struct vmlab *m, uint64_t *reclaimable, uint64_t *unreclaimable);
int check_slab(struct vmlab *m, char *err, size_t n);

/* ---- mm/vmalloc.c ------------------------------------------------------------------------ */

void vmalloc_init(struct vmlab *m);
/* Virtually contiguous kernel memory from order-0 pages, mapped in the kernel page tables,
 * followed by an unmapped guard page. Returns the kernel virtual address, or 0. */
uint64_t vmalloc(struct vmlab *m, uint64_t size, const char *caller);
void vfree(struct vmlab *m, uint64_t addr);
int check_vmalloc(struct vmlab *m, char *err, size_t n);

/* ---- arch/x86/mmu.c: page tables, the walker ------------------------------------------- */

/* Pointer to the 512 entries of a table frame. */
static inline pteval_t *table_of(struct vmlab *m, uint64_t pfn)
{
	return (pteval_t *)pfn_to_virt(m, pfn);
}
/* Allocates a zeroed page-table frame (PG_pgtable) and accounts it to mm (NULL: kernel). */
struct page *pte_alloc_one(struct vmlab *m, struct mm_struct *mm);
void pte_free(struct vmlab *m, struct mm_struct *mm, struct page *pt);
/* Boot: swapper_pg_dir, the direct map (1 GiB pages), preallocated kernel PUDs for the
 * vmalloc and vmemmap ranges so that every process shares them. */
int paging_init(struct vmlab *m);
/* New PGD for a process: user half empty, kernel half copied from swapper_pg_dir. */
int pgd_alloc(struct vmlab *m, struct mm_struct *mm);
void pgd_free(struct vmlab *m, struct mm_struct *mm);
/* Returns a pointer to the PTE for addr in the tree rooted at pgd_pfn, allocating missing
 * tables when alloc (charged to mm); NULL if absent (or allocation failed). */
/* The paging-structure cache's slot for addr, and the key an entry for addr holds now. */
static inline struct pde_cache_entry *pde_slot(struct cpu *c, uint64_t addr)
{
	return &c->pde[(addr >> PMD_SHIFT) & (PDE_CACHE_ENTRIES - 1)];
}
static inline uint64_t pde_key(const struct cpu *c, uint64_t addr)
{
	return (addr >> PMD_SHIFT) | c->pde_gen;
}
pteval_t *walk_to_pte_tables(struct vmlab *m, struct mm_struct *mm, uint64_t pgd_pfn,
			     uint64_t addr, bool alloc);
/* walk_to_pte: the paging-structure cache's answer first, inline, when it holds addr's region
 * of the loaded mm (the same PTE slot the tables lead to; off with cfg.general_paths, which
 * tests/unit/test_fastpath.c compares), else walk_to_pte_tables. */
static inline pteval_t *walk_to_pte(struct vmlab *m, struct mm_struct *mm, uint64_t pgd_pfn,
				    uint64_t addr, bool alloc)
{
	struct cpu *c = &m->cpu;
	const struct pde_cache_entry *pc = pde_slot(c, addr);

	if (pc->va == pde_key(c, addr) && mm == c->loaded_mm && mm && pgd_pfn == mm->pgd &&
	    !m->cfg.general_paths)
		return (pteval_t *)pfn_to_virt(m, pc->pfn) + pte_index(addr);
	return walk_to_pte_tables(m, mm, pgd_pfn, addr, alloc);
}
/* walk_to_pte from the tables alone (the checkers use it). */
pteval_t *walk_to_pte_uncached(struct vmlab *m, struct mm_struct *mm, uint64_t addr);
/* Kernel mappings (vmalloc): set or clear one 4 KiB PTE in swapper_pg_dir's tree. */
int map_kernel_page(struct vmlab *m, uint64_t va, uint64_t pfn, pteval_t prot);
void unmap_kernel_page(struct vmlab *m, uint64_t va);
/* Reads kernel memory through the kernel page tables (for tests of vmalloc). 0 or -EFAULT. */
int kernel_read(struct vmlab *m, uint64_t va, void *buf, size_t len);
int kernel_write(struct vmlab *m, uint64_t va, const void *buf, size_t len);
/* Visits every present-or-swap PTE of mm in [start, end): fn(ctx, addr, ptep). */
typedef void (*pte_visit_fn)(void *ctx, uint64_t addr, pteval_t *ptep);
void walk_page_range(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t end,
		     pte_visit_fn fn, void *ctx);
/* Frees page-table frames that map only [floor, ceiling) entirely (free_pgtables). */
void free_pgtables(struct vmlab *m, struct mm_struct *mm, uint64_t floor, uint64_t ceiling);

/* The error code a failed walk of a user access starts from: USER, and WRITE or INSTR. */
static inline unsigned pf_error_code(int kind)
{
	return X86_PF_USER | (kind == VMLAB_ACC_WRITE ? X86_PF_WRITE : 0) |
	       (kind == VMLAB_ACC_EXEC ? X86_PF_INSTR : 0);
}

/* The walk of a user address outside explain mode, unrolled (the hot part of every TLB miss:
 * mmu_walk uses it, and the TLB-miss fast path of arch/x86/fault.c).
 * User tables have no large pages (no THP), so PS needs no test here. Same results as the
 * general walk of mmu_walk (arch/x86/mmu.c): A set on every present table entry on the way, A (and D on a write) on
 * the PTE, the error code of the first level that is not present or forbids the access.
 * loaded: the caller knows that mm is the loaded address space (the paging-structure cache,
 * which holds only its regions, then needs no test). A walk that finds every table but not
 * the page leaves the PTE slot in *ptep_out too (do_user_addr_fault_at may use it). */
static inline unsigned mmu_walk_user(struct vmlab *m, struct mm_struct *mm, uint64_t addr, int kind,
				     unsigned err, pteval_t **ptep_out, const bool loaded)
{
	struct cpu *c = &m->cpu;
	struct pde_cache_entry *pc = pde_slot(c, addr);
	const uint64_t key = pde_key(c, addr);
	pteval_t allow, nx, *e;
	uint64_t pt;

	if (pc->va == key && (loaded || mm == c->loaded_mm)) {
		pt = pc->pfn; /* the paging-structure cache holds this region's PTE table */
		allow = pc->allow;
		nx = pc->nx;
	} else {
		pteval_t *e4 = &table_of(m, mm->pgd)[pgd_index(addr)], *e3, *e2;

		if (!(*e4 & _PAGE_PRESENT))
			return err;
		*e4 |= _PAGE_ACCESSED;
		e3 = &table_of(m, pte_pfn(*e4))[pud_index(addr)];
		if (!(*e3 & _PAGE_PRESENT))
			return err;
		*e3 |= _PAGE_ACCESSED;
		e2 = &table_of(m, pte_pfn(*e3))[pmd_index(addr)];
		if (!(*e2 & _PAGE_PRESENT))
			return err;
		*e2 |= _PAGE_ACCESSED;
		allow = *e4 & *e3 & *e2 & (_PAGE_RW | _PAGE_USER);
		nx = (*e4 | *e3 | *e2) & _PAGE_NX;
		pt = pte_pfn(*e2);
		if (loaded || mm == c->loaded_mm) {
			pc->va = key;
			pc->pfn = pt;
			pc->allow = allow;
			pc->nx = nx;
		}
	}
	e = &table_of(m, pt)[pte_index(addr)];
	if (!(*e & _PAGE_PRESENT)) {
		*ptep_out = e; /* the slot the fault handler will fill */
		return err;
	}
	allow &= *e;
	nx |= *e & _PAGE_NX;
	if (!(allow & _PAGE_USER) || (kind == VMLAB_ACC_WRITE && !(allow & _PAGE_RW)) ||
	    (kind == VMLAB_ACC_EXEC && nx))
		return err | X86_PF_PROT;
	*e |= _PAGE_ACCESSED | (kind == VMLAB_ACC_WRITE ? _PAGE_DIRTY : 0);
	*ptep_out = e;
	return 0;
}

/* The hardware walk of a user access. Returns 0 and the PTE pointer on success (A, and D on
 * write, set in the entry), or the x86 page-fault error code (> 0). */
unsigned mmu_walk(struct vmlab *m, struct mm_struct *mm, uint64_t addr, int kind,
		  pteval_t **ptep_out);

/* ---- arch/x86/tlb.c ----------------------------------------------------------------------- */

/* Drops the paging-structure cache (a table was freed, or CR3 changed): a new generation
 * makes every entry's key stale; when the generations run out, the entries are cleared and
 * counting starts again. */
static inline void pde_cache_flush(struct cpu *c)
{
	unsigned i;

	c->pde_gen += PDE_GEN_ONE;
	if (likely(c->pde_gen != PDE_GEN_LAST))
		return;
	c->pde_gen = 0;
	for (i = 0; i < PDE_CACHE_ENTRIES; i++)
		c->pde[i].va = TLB_INVALID;
}
int tlb_init(struct vmlab *m);
void tlb_destroy(struct vmlab *m);
void switch_mm(struct vmlab *m, struct mm_struct *next);

/* The TLB's parts, inline for the access paths of arch/x86/fault.c (which keep the TLB's base,
 * set mask and the loaded ASID's tag in registers) and for tlb.c. ways is c->tlb_ways, or a
 * constant 4 where the caller unrolls the default geometry. */
static inline struct tlb_entry *tlb_set_of(struct tlb_entry *tlb, uint64_t vpn, uint64_t set_mask,
					   unsigned ways)
{
	return &tlb[(vpn & set_mask) * ways];
}
/* The way of set that holds tag, or ways when none does (a tag is in one way at most). */
static inline unsigned tlb_way_of(const struct tlb_entry *set, uint64_t tag, unsigned ways)
{
	unsigned w;

	for (w = 0; w < ways; w++)
		if (set[w].tag == tag)
			break;
	return w;
}
/* The entry word for a PTE (struct tlb_entry). */
static inline uint64_t tlb_pv(pteval_t pte)
{
	return pte ^ _PAGE_NX;
}
/* tlb_fill's store: into way w of set when w < ways (the page was cached already: a D-bit or
 * permission update refills it in place), else into the set's round-robin victim, *victim. */
static inline void tlb_insert(struct tlb_entry *set, uint8_t *victim, unsigned w, unsigned ways,
			      uint64_t tag, uint64_t pv)
{
	if (w == ways) {
		w = *victim;
		/* no division: a mask for a power-of-two ways (a constant where it matters) */
		*victim = (uint8_t)(!(ways & (ways - 1)) ? (w + 1) & (ways - 1)
						       : w + 1 == ways ? 0 : w + 1);
	}
	set[w].tag = tag;
	set[w].pv = pv;
}
/* tlb_fill: caches the translation of addr (pte, just walked) for the loaded address space. */
static inline __attribute__((always_inline)) void tlb_fill_ways(struct cpu *c, uint64_t vpn,
								 pteval_t pte, const unsigned ways)
{
	const uint64_t tag = tlb_tag(vpn, c->loaded_asid);
	struct tlb_entry *set = tlb_set_of(c->tlb, vpn, c->set_mask, ways);

	tlb_insert(set, &c->victim[vpn & c->set_mask], tlb_way_of(set, tag, ways), ways, tag,
		   tlb_pv(pte));
}
static inline void tlb_fill(struct vmlab *m, uint64_t addr, pteval_t pte)
{
	struct cpu *c = &m->cpu;

	if (likely(c->tlb_ways == 4)) /* the default geometry, unrolled */
		tlb_fill_ways(c, addr >> PAGE_SHIFT, pte, 4);
	else
		tlb_fill_ways(c, addr >> PAGE_SHIFT, pte, c->tlb_ways);
}
/* flush_tlb_mm_range: invlpg each page up to the 33-page ceiling, else a full flush. */
void flush_tlb_mm_range(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t end);
void flush_tlb_mm(struct vmlab *m, struct mm_struct *mm);
/* Forget an mm (exit): drop its PCID slot and, if loaded, switch to the kernel's. */
void tlb_mm_gone(struct vmlab *m, struct mm_struct *mm);

/* ---- arch/x86/vdso.c ------------------------------------------------------------------- */

/* Boot: the vDSO image's two frames in the kernel image. */
void vdso_init(struct vmlab *m);
/* arch_setup_additional_pages: maps [vvar], [vvar_vclock] and [vdso] top-down; *vdso_base
 * gets the [vdso] address (AT_SYSINFO_EHDR). 0 or -ENOMEM. */
int map_vdso(struct vmlab *m, struct mm_struct *mm, uint64_t *vdso_base);

/* ---- arch/x86/fault.c ------------------------------------------------------------------- */

/* exc_page_fault for a user access: finds the VMA (growing the stack), checks access, calls
 * handle_mm_fault, accounts the fault. 0 when handled (retry the access), else a signal
 * number with *f filled. */
int do_user_addr_fault(struct vmlab *m, struct task_struct *t, uint64_t addr, unsigned error,
		       vmlab_fault_t *f);
/* The same, for a caller whose walk found the PTE slot of addr already (ptep, in the loaded
 * address space's tables; NULL: unknown): the handler then need not walk to it again. */
int do_user_addr_fault_at(struct vmlab *m, struct task_struct *t, uint64_t addr, unsigned error,
			  vmlab_fault_t *f, pteval_t *ptep);
/* copy_to_user (clear_user when buf is NULL): writes len bytes at addr of t's address space,
 * faulting pages in as a user write would (counted for t). 0, or -EFAULT where the write
 * would raise a signal (nothing after that point is written). */
int copy_to_user(struct vmlab *m, struct task_struct *t, uint64_t addr, const void *buf,
		 uint64_t len);

/* ---- mm/memory.c: faults, zap, fork's copy ------------------------------------------------ */

#define FAULT_FLAG_WRITE 0x01u
#define FAULT_FLAG_USER 0x40u
#define FAULT_FLAG_INSTRUCTION 0x100u
#define FAULT_FLAG_REMOTE 0x80u /* GUP (populate) */

#define VM_FAULT_OOM 0x0001u
#define VM_FAULT_SIGBUS 0x0002u
#define VM_FAULT_MAJOR 0x0004u
#define VM_FAULT_SIGSEGV 0x0040u
#define VM_FAULT_NOPAGE 0x0100u
#define VM_FAULT_LOCKED 0x0200u
#define VM_FAULT_RETRY 0x0400u
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)

struct vm_fault {
	struct vmlab *m;
	struct vm_area_struct *vma;
	struct task_struct *task;
	uint64_t address;   /* page-aligned faulting address */
	uint64_t real_address;
	uint64_t pgoff;     /* page offset in the VMA's object */
	unsigned flags;     /* FAULT_FLAG_* */
	pteval_t *pte;      /* the PTE slot */
	pteval_t orig_pte;  /* its value at fault time */
	struct page *page;  /* page found by ->fault */
};

/* Resolves a fault at addr in vma. Returns VM_FAULT_* bits; accounting is the caller's. */
unsigned handle_mm_fault(struct vmlab *m, struct task_struct *t, struct vm_area_struct *vma,
			 uint64_t addr, unsigned flags);
/* The same with addr's PTE slot known (ptep, or NULL: walked to, its tables allocated). */
unsigned handle_mm_fault_at(struct vmlab *m, struct task_struct *t, struct vm_area_struct *vma,
			    uint64_t addr, unsigned flags, pteval_t *ptep);
/* handle_mm_fault_at's case of a swap entry in *ptep (a caller's walk found it: arch/x86/fault.c's
 * access loop) when do_swap_page would take its lean case (do_swap_page_lean): its result then,
 * else 0 with nothing done. */
unsigned swap_fault_lean(struct vmlab *m, struct task_struct *t, struct vm_area_struct *vma,
			 uint64_t addr, unsigned flags, pteval_t *ptep);
/* mm_account_fault: pgfault always; min_flt/maj_flt unless the fault failed. */
void mm_account_fault(struct vmlab *m, struct task_struct *t, unsigned ret, unsigned flags);
/* Removes the PTEs of [start, end) in vma, dropping page references (zap_page_range). */
void zap_page_range(struct vmlab *m, struct vm_area_struct *vma, uint64_t start, uint64_t end);
/* fork: copies the PTEs of src_vma into dst (COW-protecting both sides). 0 or -ENOMEM. */
int copy_page_range(struct vmlab *m, struct vm_area_struct *dst, struct vm_area_struct *src);
/* Maps an existing page at addr (used by fault-around of shared memory). */
void set_pte_page(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr, pteval_t *ptep,
		  struct page *page, bool write, bool prefault);
/* mprotect's PTE rewrite for vma's new vm_page_prot over [start, end), with TLB flush. */
void change_protection(struct vmlab *m, struct vm_area_struct *vma, uint64_t start, uint64_t end);
/* mremap: moves PTEs of [old, old+len) to new_addr. 0 or -ENOMEM. */
int move_page_tables(struct vmlab *m, struct mm_struct *mm, uint64_t old, uint64_t new_addr,
		     uint64_t len);
/* populate: faults [start, end) in as GUP does; counts the faults for t. 0 or -errno. */
int populate_vma_page_range(struct vmlab *m, struct task_struct *t, struct vm_area_struct *vma,
			    uint64_t start, uint64_t end);
/* The shared zero page. */
static inline bool is_zero_pfn(struct vmlab *m, uint64_t pfn)
{
	return pfn == m->zero_pfn;
}
/* RSS accounting. */
void add_mm_counter(struct mm_struct *mm, int member, int64_t value);
uint64_t get_mm_rss(const struct mm_struct *mm);
/* vm_get_page_prot: protection_map[] for these flags. */
pteval_t vm_get_page_prot(uint64_t vm_flags);

/* ---- mm/swap.c: LRU lists, the last reference ------------------------------------------ */

/* The lruvec of a user page: its memory cgroup's, or the root's. */
static inline struct lruvec *folio_lruvec(struct vmlab *m, const struct page *p)
{
	return p->memcg_id ? &m->memcgs[p->memcg_id]->lruvec : &m->root_mem_cgroup.lruvec;
}
enum lru_list folio_lru_list(const struct page *p);
void lruvec_init(struct lruvec *lv, struct mem_cgroup *memcg);
void folio_add_lru(struct vmlab *m, struct page *p);
void lruvec_del_folio(struct vmlab *m, struct page *p);
void folio_isolate_lru(struct vmlab *m, struct page *p);
void folio_putback_lru(struct vmlab *m, struct page *p);
void folio_deactivate(struct vmlab *m, struct page *p);
void lru_note_cost(struct vmlab *m, struct lruvec *lv, int file, uint64_t nr_io, uint64_t nr_rotated);
/* the linux policy's list operations */
void lru_list_add(struct lruvec *lv, struct page *p);
void lru_list_del(struct lruvec *lv, struct page *p);
/* Drops a reference to a user (anon/page-cache) page; the last one takes it off the LRU and
 * frees it. */
void folio_put(struct vmlab *m, struct page *p);
/* What folio_put does when the last reference goes, short of free_pages. */
void folio_unref_last(struct vmlab *m, struct page *p);

/* ---- mm/rmap.c: anon_vma ------------------------------------------------------------------ */

int anon_vma_prepare(struct vmlab *m, struct vm_area_struct *vma);
int anon_vma_fork(struct vmlab *m, struct vm_area_struct *dst, struct vm_area_struct *src);
int anon_vma_clone(struct vmlab *m, struct vm_area_struct *dst, struct vm_area_struct *src);
void unlink_anon_vmas(struct vmlab *m, struct vm_area_struct *vma);
void folio_add_new_anon_rmap(struct vmlab *m, struct page *page, struct vm_area_struct *vma,
			     uint64_t addr, bool exclusive);
void page_add_anon_rmap(struct vmlab *m, struct page *page);
void page_add_file_rmap(struct vmlab *m, struct page *page);
void page_remove_rmap(struct vmlab *m, struct page *page);
/* A PTE visit of an rmap walk: returns a count to add, or < 0 to stop the walk with it. */
typedef int (*rmap_one_fn)(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr,
			   pteval_t *ptep, struct page *page, void *arg);
/* fn on every PTE mapping page (anon: through its anon_vma; file: through i_mmap). */
int rmap_walk(struct vmlab *m, struct page *page, rmap_one_fn fn, void *arg);
/* The same for a page-cache page (writeback's folio_mkclean). */
int rmap_walk_file_pages(struct vmlab *m, struct page *page, rmap_one_fn fn, void *arg);
/* Counts and clears the young bits of the PTEs mapping page; ORs their VMAs' flags into
 * *vm_flags (VM_LOCKED alone when an mlocked VMA maps it). */
int folio_referenced(struct vmlab *m, struct page *page, uint64_t *vm_flags);
/* Unmaps page everywhere (anon pages must be in the swap cache: their PTEs become swap
 * entries); true when no PTE maps it any more. */
bool try_to_unmap(struct vmlab *m, struct page *page);
/* The exact-policy reclaim's unmap of an anonymous page one PTE maps (see mm/rmap.c). */
pteval_t *anon_single_pte(struct vmlab *m, struct page *page, struct vm_area_struct **vmap,
			  uint64_t *addr);
void unmap_one_anon(struct vmlab *m, struct page *page, struct vm_area_struct *vma, uint64_t addr,
		    pteval_t *ptep, swp_entry_t e);

/* ---- mm/shmem.c: shared anonymous memory -------------------------------------------------- */

/* Sets vma up as MAP_SHARED|MAP_ANONYMOUS memory backed by a new shmem object. */
int shmem_zero_setup(struct vmlab *m, struct vm_area_struct *vma);
unsigned shmem_inode_size(void); /* the shmem_inode_cache object: inode, page cache, list */
/* Reclaim: a dirty shmem page to swap (it moves to the swap cache). 0 or -ENOMEM. */
int shmem_writeout(struct vmlab *m, struct page *page);
void shmem_for_each_swap(struct vmlab *m, void (*fn)(void *ctx, swp_entry_t e), void *ctx);
/* Pages of the shmem object mapped by vma that are on swap (smaps' Swap). */
uint64_t shmem_swap_usage(struct vmlab *m, struct vm_area_struct *vma);
void file_get(struct file *f);
void file_put(struct vmlab *m, struct file *f);

/* ---- mm/vmscan.c: reclaim ------------------------------------------------------------ */

/* scan_control: one reclaim pass's target, limits and state. */
struct scan_control {
	uint64_t nr_to_reclaim;            /* pages to free */
	uint64_t nr_reclaimed;             /* pages freed so far */
	uint64_t nr_scanned;               /* pages looked at (this priority round) */
	struct mem_cgroup *target_mem_cgroup; /* memcg limit reclaim, or NULL: global */
	int priority;                      /* scan lru_size >> priority (12 down to 0) */
	int reclaim_idx;                   /* highest zone reclaim works for */
	unsigned may_writepage : 1, may_unmap : 1, may_swap : 1, proactive : 1, kswapd : 1;
	unsigned force_deactivate : 1, skipped_deactivate : 1, cache_trim_mode : 1;
	unsigned file_is_tiny : 1, memcg_low_reclaim : 1, memcg_low_skipped : 1;
	unsigned may_deactivate;           /* DEACTIVATE_ANON | DEACTIVATE_FILE */
	uint64_t anon_cost, file_cost;     /* the target lruvec's, at the start of the pass */
};

/* kswapd's balance_pgdat, run now: reclaim until some zone is above its high watermark. */
void wakeup_kswapd(struct vmlab *m);
/* Direct reclaim of SWAP_CLUSTER_MAX pages; returns the pages freed. */
uint64_t try_to_free_pages(struct vmlab *m, int highest_zoneidx);
uint64_t try_to_free_mem_cgroup_pages(struct vmlab *m, struct mem_cgroup *memcg, uint64_t nr_pages,
				      bool may_swap);
/* The linux policy's shrink (shrink_lruvec). */
void shrink_lruvec(struct vmlab *m, struct lruvec *lv, struct scan_control *sc);
/* One victim of an exact policy through shrink_folio_list; 1 when it was freed. */
int reclaim_one_folio(struct vmlab *m, struct page *p, struct scan_control *sc);
/* Evicts by the policy below the resident limit; false if nothing could go. */
bool reclaim_resident(struct vmlab *m);
/* Its common case under lru and fifo, lean: the evicted page, ready for free_pages, or NULL
 * (nothing done) when reclaim_resident must run. */
struct page *reclaim_resident_lean(struct vmlab *m);
/* MADV_PAGEOUT: reclaims an isolated list now; survivors are put back. */
uint64_t reclaim_pages(struct vmlab *m, struct list_head *list);
/* lruvec_page_state of an LRU list (node-wide for the root, hierarchical for a memcg). */
uint64_t lruvec_state(struct vmlab *m, struct lruvec *lv, enum lru_list l);
void lruvec_count_activate(struct vmlab *m, struct lruvec *lv, int file);

/* An access to frame pfn completed without a fault: exact policies update their order. On
 * the path of every replayed access, so inline: a policy whose access is "to the head of the
 * policy list" (vm_policy_ops.access_to_head: exact LRU) is done here, any other through its
 * ops (policy_access_ops, mm/policy/registry.c). */
void policy_access_ops(struct vmlab *m, struct page *p);
/* Exact LRU's move: p to the head of lv's policy list, unless it is there. */
static inline void policy_list_to_head(struct lruvec *lv, struct page *p)
{
	struct list_head *e = &p->lru, *h = &lv->policy_list, *first = h->next;
	struct list_head *next = e->next, *prev = e->prev;

	if (first != e) {
		/* list_move, written out: p is not first, so unlinking it leaves h->next
		 * alone, and the links list_del would reset are set again at once */
		next->prev = prev;
		prev->next = next;
		first->prev = e;
		e->next = first;
		e->prev = h;
		h->next = e;
	}
}
/* An access to p seen by an exact policy; to_head is m->policy_access_to_head (a caller may
 * keep it in a register). */
static inline void policy_access_page(struct vmlab *m, struct page *p, int to_head)
{
	if ((p->flags & (PG_lru | PG_unevictable)) != PG_lru)
		return;
	if (!to_head) {
		policy_access_ops(m, p);
		return;
	}
	policy_list_to_head(folio_lruvec(m, p), p);
}
static inline void policy_access(struct vmlab *m, uint64_t pfn)
{
	policy_access_page(m, pfn_to_page(m, pfn), m->policy_access_to_head);
}

/* ---- mm/workingset.c ----------------------------------------------------------------------- */

void workingset_age_nonresident(struct vmlab *m, struct lruvec *lv, uint64_t nr);
uint64_t workingset_eviction(struct vmlab *m, struct page *page, struct mem_cgroup *target);
void workingset_refault(struct vmlab *m, struct page *page, uint64_t shadow);

/* ---- swap entries (include/linux/swapops.h) -------------------------------------------------- */

static inline unsigned swp_type(swp_entry_t e)
{
	return (unsigned)(e.val >> SWP_TYPE_SHIFT);
}
static inline uint64_t swp_offset(swp_entry_t e)
{
	return e.val & ((1ull << SWP_TYPE_SHIFT) - 1);
}
static inline uint64_t swp_val(int type, uint64_t offset)
{
	return ((uint64_t)type << SWP_TYPE_SHIFT) | offset;
}
static inline swp_entry_t pte_to_swp_entry(pteval_t pte)
{
	swp_entry_t e = {swp_val((int)swp_pte_type(pte), swp_pte_offset(pte))};

	return e;
}
static inline pteval_t swp_entry_to_pte(swp_entry_t e)
{
	return swp_pte(swp_type(e), swp_offset(e));
}
/* One disk request of `pages` pages: latency plus transfer time on the simulated clock. */
static inline void disk_request(struct vmlab *m, uint64_t pages)
{
	if (pages == 1) /* the common request, computed once by the machine (no division) */
		m->clock_ns += m->disk_page_ns;
	else if (pages)
		m->clock_ns += m->cfg.disk_latency_ns + pages * PAGE_SIZE * 1000000000ull / m->cfg.disk_bw;
}

/* ---- mm/swapfile.c ------------------------------------------------------------------------- */

/* swapon: one area of bytes, backed as VMLAB_SWAP_* says. 0 or -errno. */
int swapon(struct vmlab *m, uint64_t bytes, int backing);
void swap_release(struct vmlab *m);
struct swap_info_struct *swp_swap_info(struct vmlab *m, swp_entry_t e);
/* A free slot with SWAP_HAS_CACHE set, or {0} when swap is full. */
swp_entry_t folio_alloc_swap_slot(struct vmlab *m);
int __swap_count(struct vmlab *m, swp_entry_t e);
int swap_duplicate(struct vmlab *m, swp_entry_t e);
void swap_free(struct vmlab *m, swp_entry_t e);
int swapcache_prepare(struct vmlab *m, swp_entry_t e);
void swapcache_clear(struct vmlab *m, swp_entry_t e);
bool vm_swap_full(struct vmlab *m);
/* offs: the slot of area 0 of every swap PTE and shmem entry found by the census (sorted in
 * place). */
int check_swap(struct vmlab *m, uint64_t *offs, size_t nrefs, char *err, size_t n);

/* ---- mm/page_io.c ---------------------------------------------------------------------------- */

int swap_backing_init(struct swap_info_struct *si, int file_backed);
void swap_backing_release(struct swap_info_struct *si);
/* Writes a swap-cache page to its slot (zero pages only marked); 0 or -EIO. */
int swap_writeout(struct vmlab *m, struct page *page);
/* Reads a swap-cache page from its slot: 1 (device read), 0 (zero slot), -EIO. */
int swap_read_folio(struct vmlab *m, struct page *page);

/* ---- mm/swap_state.c ---------------------------------------------------------------------------- */

uint64_t add_to_swap_cache(struct vmlab *m, struct page *page, swp_entry_t e);
void __delete_from_swap_cache(struct vmlab *m, struct page *page, uint64_t shadow);
void delete_from_swap_cache(struct vmlab *m, struct page *page);
bool folio_free_swap(struct vmlab *m, struct page *page);
void free_swap_and_cache(struct vmlab *m, swp_entry_t e);
struct page *lookup_swap_cache(struct vmlab *m, swp_entry_t e, struct vm_area_struct *vma,
				uint64_t addr);
struct page *swapin_readahead(struct vmlab *m, swp_entry_t e, struct vm_fault *vmf);
struct page *swapin_direct(struct vmlab *m, swp_entry_t e, struct mm_struct *mm);
struct page *read_swap_cache_page(struct vmlab *m, swp_entry_t e, struct mm_struct *mm, bool *major);

/* ---- mm/memcontrol.c --------------------------------------------------------------------------- */

void mem_cgroup_init(struct vmlab *m);
void mem_cgroup_release(struct vmlab *m);
struct mem_cgroup *mem_cgroup_create(struct vmlab *m, const char *name, struct mem_cgroup *parent);
struct mem_cgroup *mem_cgroup_find(struct vmlab *m, const char *name);
bool mem_cgroup_is_descendant(const struct mem_cgroup *memcg, const struct mem_cgroup *root);
int mem_cgroup_charge(struct vmlab *m, struct page *page, struct mm_struct *mm);
void mem_cgroup_uncharge(struct vmlab *m, struct page *page);
int mem_cgroup_swapin_charge(struct vmlab *m, struct page *page, struct mm_struct *mm, swp_entry_t e);
int mem_cgroup_try_charge_swap(struct vmlab *m, struct page *page, swp_entry_t e);
void mem_cgroup_uncharge_swap(struct vmlab *m, struct swap_info_struct *si, uint64_t off);
void mem_cgroup_swapout(struct vmlab *m, struct page *page, swp_entry_t e);
int64_t mem_cgroup_nr_swap_pages(struct vmlab *m, struct mem_cgroup *memcg);
int mem_cgroup_set_max(struct vmlab *m, struct mem_cgroup *memcg, uint64_t pages);
int mem_cgroup_set_high(struct vmlab *m, struct mem_cgroup *memcg, uint64_t pages);
void mem_cgroup_attach(struct vmlab *m, struct task_struct *t, struct mem_cgroup *memcg);
struct mm_struct *current_mm(struct vmlab *m);
void memcg_mod_stat(struct vmlab *m, const struct page *p, enum memcg_stat_item i, int64_t d);
void memcg_mod_stat_memcg(struct mem_cgroup *memcg, enum memcg_stat_item i, int64_t d);
void memcg_mod_lru(struct vmlab *m, struct mem_cgroup *memcg, enum lru_list l, int64_t d);
void __memcg_count_vm_event(struct vmlab *m, const struct page *p, enum memcg_vm_event e);
/* An event of p's group: nothing for a page of the root, which keeps no memcg events. */
static inline void memcg_count_vm_event(struct vmlab *m, const struct page *p, enum memcg_vm_event e)
{
	if (p->memcg_id)
		__memcg_count_vm_event(m, p, e);
}
void memcg_count_vm_events(struct vmlab *m, struct mem_cgroup *memcg, enum memcg_vm_event e,
			   uint64_t n);
/* A node statistic of a page, and its memcg's matching memory.stat item. */
void mod_page_stat(struct vmlab *m, const struct page *p, enum node_stat_item i, int64_t d);
int check_memcg(struct vmlab *m, const uint64_t *pages, const uint64_t *slots, char *err, size_t n);

/* ---- mm/mlock.c ---------------------------------------------------------------------------------- */

void mlock_folio(struct vmlab *m, struct page *p);
void munlock_folio(struct vmlab *m, struct page *p);
void mlock_vma_folio(struct vmlab *m, struct vm_area_struct *vma, struct page *p);
int do_mlock(struct vmlab *m, struct task_struct *t, uint64_t start, uint64_t len);
int do_munlock(struct vmlab *m, struct task_struct *t, uint64_t start, uint64_t len);

/* ---- mm/oom_kill.c ----------------------------------------------------------------- */

/* Kills the process with the highest oom_badness: 0 when another process died (retry the
 * allocation), -EINTR when the victim is the allocating task, -ENOMEM when none is left. */
int out_of_memory(struct vmlab *m);
/* The OOM killer of a memory cgroup: chooses among its processes only. Same results. */
int oom_kill_memcg(struct vmlab *m, struct mem_cgroup *memcg);

/* ---- mm/readahead.c: readahead windows --------------------------------------------------- */

#define VM_READAHEAD_PAGES 32 /* 128 KiB: the default readahead window (bdi->ra_pages) */
#define READAHEAD_GFP (GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | __GFP_NOWARN)

/* readahead_control: what a readahead call works on. hold: a page index the caller needs;
 * when readahead reads it, held gets that page with a reference for the caller. */
struct readahead_control {
	struct vmlab *m;
	struct file *file;   /* its f_ra is the state */
	struct inode *inode; /* the file's inode (page cache, size) */
	uint64_t hold;       /* UINT64_MAX: none */
	struct page *held;   /* set when the held page was read here */
	int held_new;        /* internal: the held page was read in this window */
};

void file_ra_state_init(struct file_ra_state *ra);
/* A read (or a MADV_SEQUENTIAL fault) of req_count pages at index missed the cache. */
void page_cache_sync_ra(struct readahead_control *rc, uint64_t index, uint64_t req_count);
/* A read met the PG_readahead page: start the next window. */
void page_cache_async_ra(struct readahead_control *rc, struct page *page, uint64_t req_count);
/* WILLNEED: read [index, index + nr), at most max(io_pages, ra_pages) pages. */
void force_page_cache_ra(struct readahead_control *rc, uint64_t index, uint64_t nr);
/* Reads the window the file's f_ra describes (mmap read-around). */
void page_cache_ra_window(struct readahead_control *rc);

/* ---- mm/filemap.c: host files and their page cache ----------------------------------- */

/* A new page-cache page of inode at index, read from the file (zeros past EOF); the cache
 * holds its reference. NULL when memory runs out (gfp says whether to try hard). */
struct page *page_cache_read_new(struct vmlab *m, struct inode *inode, uint64_t index, gfp_t gfp);
/* The page cached at idx, or NULL (nothing there, or a workingset shadow). */
struct page *filemap_get_page(struct address_space *mapping, uint64_t idx);
/* One simulated disk request of `pages` pages (nothing for 0): latency + transfer time. */
void disk_io(struct vmlab *m, uint64_t pages);
/* filemap_read (kernel_read of a file): copies [pos, pos + len) of the file into buf through
 * the page cache, with readahead. Returns the bytes read (short at EOF), or -ENOMEM. */
int64_t filemap_read(struct vmlab *m, struct file *f, void *buf, uint64_t len, uint64_t pos);

void mapping_init(struct vmlab *m, struct address_space *mapping, struct inode *host);
/* Marks a page dirty (NR_FILE_DIRTY for regular files). */
void folio_mark_dirty(struct vmlab *m, struct page *page);
/* vm_ops->map_pages of every page-cache-backed VMA (files and shmem). */
unsigned filemap_map_pages(struct vm_fault *vmf, uint64_t start_pgoff, uint64_t end_pgoff);
bool vma_wants_writenotify(const struct vm_area_struct *vma);
/* vm_page_prot from vm_flags, read-only for shared writable file mappings (write-notify). */
void vma_set_page_prot(struct vm_area_struct *vma);
/* Makes vma a mapping of its (regular) file. */
void filemap_setup_vma(struct vm_area_struct *vma);
/* Opens a host file (shared inode per host file); NULL with *err = -ENOENT, -EACCES ... */
struct file *filemap_open(struct vmlab *m, const char *path, int *err);
void filemap_write_vma(struct vmlab *m, struct vm_area_struct *vma, uint64_t start, uint64_t end);
int do_msync(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t len);
void filemap_willneed(struct vmlab *m, struct vm_area_struct *vma, uint64_t start, uint64_t end);
void drop_pagecache(struct vmlab *m);
/* The flusher's background work (wb_workfn), between operations: while dirty file pages
 * exceed dirty_background_ratio (10%) of dirtyable memory, writes them back, a chunk at a time. */
void wb_workfn(struct vmlab *m);
/* A writer's check after dirtying pages, between two pages (never inside a fault): above the
 * freerun ceiling, halfway to dirty_ratio, it waits while the flusher writes chunks. */
void balance_dirty_pages_ratelimited(struct vmlab *m);
/* dirtyable memory (global_dirtyable_memory) and the thresholds, in pages */
void dirty_thresholds(struct vmlab *m, uint64_t *bg, uint64_t *thresh);
void filemap_release_all(struct vmlab *m);
/* Reclaim's pageout of one dirty page-cache page (write-protecting its PTEs). 0 or -EIO. */
int filemap_writeout_page(struct vmlab *m, struct page *page);

/* ---- mm/vma.c, mm/mmap.c: the address space ------------------------------------------------ */

struct vm_area_struct *find_vma(struct mm_struct *mm, uint64_t addr);      /* first vm_end > addr */
/* Frees find_vma's cache of mm (before the mm itself is freed). */
void mm_free_vmacache(struct mm_struct *mm);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, uint64_t addr);    /* containing addr */
struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *vma);
struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *vma);
#define for_each_vma(mm, v) list_for_each_entry_vma(mm, v)
#define list_for_each_entry_vma(mm, v)                                                             \
	for ((v) = list_empty(&(mm)->mmap_list)                                                    \
			   ? NULL                                                                  \
			   : list_first_entry(&(mm)->mmap_list, struct vm_area_struct, vm_list);   \
	     (v) != NULL; (v) = vma_next((mm), (v)))
struct vm_area_struct *vm_area_alloc(struct vmlab *m, struct mm_struct *mm);
void vm_area_free(struct vmlab *m, struct vm_area_struct *vma);
/* A copy of old (fields and file reference, no anon_vma links) for mm. */
struct vm_area_struct *vma_dup_for(struct vmlab *m, struct mm_struct *mm,
				   struct vm_area_struct *old);
/* Searches a free range of len bytes (top-down below mmap_base); 0 or -ENOMEM. */
int get_unmapped_area(struct vmlab *m, struct mm_struct *mm, uint64_t hint, uint64_t len,
		      uint64_t *out);
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma);
int expand_stack(struct vmlab *m, struct vm_area_struct *vma, uint64_t addr);
int check_vmas(struct vmlab *m, struct mm_struct *mm, char *err, size_t n);
bool vma_is_anonymous(const struct vm_area_struct *vma);
/* Accounting of total_vm/data_vm/exec_vm/stack_vm for a VMA of npages (+/-). */
void vm_stat_account(struct mm_struct *mm, uint64_t flags, int64_t npages);

#define DEFAULT_MAX_MAP_COUNT 65530
#define STACK_RLIMIT (8ull << 20)
#define STACK_GUARD_GAP (256ull << PAGE_SHIFT)
#define MMAP_MIN_ADDR 65536ull

int do_mmap(struct vmlab *m, struct task_struct *t, uint64_t addr, uint64_t len, int prot,
	    int flags, struct file *file, uint64_t pgoff, uint64_t *out);
int do_munmap(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t len);
int do_mprotect(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t len, int prot);
int do_mremap(struct vmlab *m, struct task_struct *t, uint64_t addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out);
int do_brk(struct vmlab *m, struct task_struct *t, int64_t delta, uint64_t *old);
int do_madvise(struct vmlab *m, struct task_struct *t, uint64_t start, uint64_t len, int advice);
#define VM_DATA_DEFAULT_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define VM_STACK_FLAGS (VM_GROWSDOWN | VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT)
/* Gives [start, end) of vma new flags, splitting and merging (madvise_update_vma). */
int vma_modify_flags(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma,
		     uint64_t start, uint64_t end, uint64_t newflags);
/* Sets up an empty mm: PGD, layout (mmap_base, stack, brk), the stack VMA. */
int mm_setup_new(struct vmlab *m, struct mm_struct *mm);
/* The first half of it: PGD and layout (arch_pick_mmap_layout, randomized with ASLR);
 * *stack_top gets where the stack ends (randomize_stack_top). No VMA yet. */
int mm_init_layout(struct vmlab *m, struct mm_struct *mm, uint64_t *stack_top);
/* A stack VMA [start, end) with vm_flags (VM_STACK_FLAGS, maybe VM_EXEC), accounted. */
struct vm_area_struct *insert_stack_vma(struct vmlab *m, struct mm_struct *mm, uint64_t start,
					uint64_t end, uint64_t vm_flags);
/* vm_brk_flags: anonymous memory at the fixed range [addr, addr + len) (the ELF loaders' bss),
 * replacing what was there; extra may add VM_EXEC. 0 or -errno. */
int vm_brk_flags(struct vmlab *m, struct mm_struct *mm, uint64_t addr, uint64_t len,
		 uint64_t extra);
/* _install_special_mapping: a VMA of the kernel's own pages ([vdso], [vvar]); ops gives its
 * name and its fault handler. NULL when out of memory. */
struct vm_area_struct *install_special_mapping(struct vmlab *m, struct mm_struct *mm, uint64_t addr,
					       uint64_t len, uint64_t vm_flags,
					       const struct vm_operations_struct *ops);
/* Splits vma at addr: vma keeps [vm_start, addr), a new VMA gets the rest. 0 or -ENOMEM. */
int split_vma(struct vmlab *m, struct mm_struct *mm, struct vm_area_struct *vma, uint64_t addr);
/* Merges vma with compatible neighbours (vma_merge); returns the surviving VMA. */
struct vm_area_struct *vma_merge_neighbours(struct vmlab *m, struct mm_struct *mm,
					    struct vm_area_struct *vma);
/* Unmaps everything and frees the page tables (exit_mmap). */
void exit_mmap(struct vmlab *m, struct mm_struct *mm);

/* ---- kernel/fork.c, kernel/task.c -------------------------------------------------------- */

struct task_struct *find_task(struct vmlab *m, int pid); /* live task or NULL */
struct task_struct *task_create(struct vmlab *m);
int dup_mm(struct vmlab *m, struct task_struct *child, struct mm_struct *old);
void mmput(struct vmlab *m, struct mm_struct *mm);
void task_exit(struct vmlab *m, struct task_struct *t);

/* ---- fs/binfmt_elf.c: ELF files, the kernel's ELF loader ------------------------------------ */

struct elf_file;
struct linux_binprm;
/* Open and check an ELF64 x86-64 file: the program (errors ENOEXEC, EINVAL, EPERM, EIO...),
 * its PT_INTERP interpreter (ELIBBAD ...), or a shared library for ld.so (ELIBBAD, or
 * -ENOENT without a message when the file cannot be opened). The reason is in m->exec_err. */
int elf_open_exec(struct vmlab *m, const char *path, struct elf_file **out);
int elf_open_interp(struct vmlab *m, const char *path, struct elf_file **out);
int elf_open_lib(struct vmlab *m, const char *path, struct elf_file **out);
/* Reads the dynamic section: DT_NEEDED, DT_SONAME, DT_RUNPATH/RPATH, DT_FLAGS_1, versions. */
int elf_read_dynamic(struct vmlab *m, struct elf_file *ef);
void elf_close(struct vmlab *m, struct elf_file *ef);
/* len bytes at address vaddr of the file's image (inside a PT_LOAD's file part). 0 or -EIO. */
int elf_read_vaddr(struct vmlab *m, struct elf_file *ef, uint64_t vaddr, void *buf, uint64_t len);
/* load_elf_binary after the point of no return: t->mm is the new mm with the strings on its
 * stack; maps the program, the interpreter, the vDSO, sets brk, builds the stack tables. */
int load_elf_binary(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm);

/* ---- kernel/exec.c ------------------------------------------------------------------------- */

/* Records the one-line reason of a failing exec (vmlab_exec_error) and returns err. */
int exec_fail(struct vmlab *m, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* do_open_execat: a regular file (with an execute bit when want_exec). 0 or -errno. */
int exec_open(struct vmlab *m, const char *path, int want_exec, struct file **out);
/* Everything that can fail before the point of no return: the file, E2BIG, the program's and
 * the interpreter's headers. On success *out holds the request (bprm_free it). */
int bprm_prepare(struct vmlab *m, const char *filename, int argc, const char *const *argv,
		 int envc, const char *const *envp, struct linux_binprm **out);
/* The rest: new mm, the old one released, stack, load_elf_binary. On failure *killed says
 * whether the point of no return was passed (the task must then die). */
int bprm_execve(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm, int *killed);
void bprm_free(struct vmlab *m, struct linux_binprm *bprm);

/* ---- sim/ldso.c: the dynamic loader's (and static startup's) effect on the address space ---- */

struct ldso;
/* Finds and checks every library the program needs (before the point of no return). */
int ldso_prepare(struct vmlab *m, struct linux_binprm *bprm, struct ldso **out);
/* Maps them as ld.so would, with its own allocations, RELRO, the cache mapping. */
int ldso_run(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm, struct ldso *ld);
void ldso_free(struct vmlab *m, struct ldso *ld);
/* The break a static glibc program takes before main (TLS block, malloc's first sbrk). */
int libc_static_start(struct vmlab *m, struct task_struct *t, struct linux_binprm *bprm);

/* ---- mm/check.c ----------------------------------------------------------------------------- */

/* Runs every checker; 0 or -EFAULT with the reason in err. */
int check_all(struct vmlab *m, char *err, size_t n);
/* Called after each public operation: runs check_all when cfg.check is set. */
void debug_check(struct vmlab *m);

/* ---- events (sim/events.c) ------------------------------------------------------------------ */

void vm_event(struct vmlab *m, const vmlab_event_t *ev);
static inline bool explaining(const struct vmlab *m)
{
	return m->hook != NULL;
}
void explain_note(struct vmlab *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- mm/vmstat.c ---------------------------------------------------------------------------- */

static inline void count_vm_event(struct vmlab *m, enum vm_event_item i)
{
	m->vm_events[i]++;
}
static inline void count_vm_events(struct vmlab *m, enum vm_event_item i, uint64_t n)
{
	m->vm_events[i] += n;
}
static inline void mod_node_page_state(struct vmlab *m, enum node_stat_item i, int64_t d)
{
	m->node_stat[i] += d;
}
static inline void mod_zone_page_state(struct zone *z, enum zone_stat_item i, int64_t d)
{
	z->vm_stat[i] += d;
}

/* ---- arch/x86/tlb.c, continued: the one-page flush inline -------------------------------- */

/* invlpg: drops the entry for one page of the current address space. */
static inline __attribute__((always_inline)) void tlb_invlpg_ways(struct cpu *c, uint64_t vpn,
								   const unsigned ways)
{
	struct tlb_entry *set = tlb_set_of(c->tlb, vpn, c->set_mask, ways);
	const unsigned w = tlb_way_of(set, tlb_tag(vpn, c->loaded_asid), ways);

	if (w < ways)
		set[w].tag = TLB_INVALID;
}
static inline void tlb_invlpg(struct cpu *c, uint64_t vpn)
{
	if (likely(c->tlb_ways == 4)) /* the default geometry, unrolled */
		tlb_invlpg_ways(c, vpn, 4);
	else
		tlb_invlpg_ways(c, vpn, c->tlb_ways);
	/* Simplification: invlpg keeps the paging-structure cache (x86 drops it). It holds where a
	 * region's PTE table is, which a PTE change does not move; freeing the table drops it. */
	c->stats.flush_one++;
}

/* flush_tlb_mm_range(m, mm, addr, addr + PAGE_SIZE), its common case inline (reclaim unmaps
 * one page per eviction): mm is loaded, no PCID, no explain mode. The same steps as there:
 * the generation, invlpg of the page, its count. */
static inline void flush_tlb_page(struct vmlab *m, struct mm_struct *mm, uint64_t addr)
{
	struct cpu *c = &m->cpu;

	if (likely(c->loaded_mm == mm && !m->cfg.pcid && !explaining(m))) {
		mm->tlb_gen++;
		tlb_invlpg(c, addr >> PAGE_SHIFT);
		count_vm_event(m, NR_TLB_LOCAL_FLUSH_ONE);
		return;
	}
	flush_tlb_mm_range(m, mm, addr, addr + PAGE_SIZE);
}

extern const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS];
extern const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS];
extern const char *const vm_event_names[NR_VM_EVENT_ITEMS];

/* ---- sim/rand.c ----------------------------------------------------------------------------- */

uint64_t prandom_u64(struct vmlab *m); /* deterministic from cfg.seed */

#endif
