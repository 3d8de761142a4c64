/* mm/mm_types.h - the data structures of the memory manager and of the machine around it.
 *
 * Mirrors include/linux/mm_types.h, mmzone.h, sched.h (the mm parts) and fs.h (address_space).
 * struct vmlab (the machine) owns everything: simulated RAM, struct page array, zones, the
 * kernel page tables, slab caches, tasks, the CPU's TLB and every counter.
 *
 * Kernel objects (task_struct, mm_struct, vm_area_struct, anon_vma, files, xarray nodes) live
 * in slab caches carved out of simulated RAM: their C pointers point into the RAM mapping.
 */
#ifndef VMLAB_MM_TYPES_H
#define VMLAB_MM_TYPES_H

#include <stdint.h>
#include <stdio.h>

#include "../include/vmlab.h"
#include "../arch/x86/pgtable.h"
#include "../lib/avl.h"
#include "../lib/list.h"
#include "../lib/xarray.h"
#include "vmstat.h"

#define MAX_PAGE_ORDER 10
#define NR_PAGE_ORDERS (MAX_PAGE_ORDER + 1)
#define PAGE_ALLOC_COSTLY_ORDER 3
#define NR_PCP_ORDERS (PAGE_ALLOC_COSTLY_ORDER + 1)
#define MAX_CPUS 64

/* ---- struct page ------------------------------------------------------------------------- */

/* page->flags bits (include/linux/page-flags.h names). */
enum pageflags {
	PG_buddy = 1u << 0,       /* head of a free buddy block (page_type PGTY_buddy) */
	PG_reserved = 1u << 1,    /* never handed to the allocator (kernel image, firmware) */
	PG_slab = 1u << 2,        /* head page of a slab */
	PG_pgtable = 1u << 3,     /* a page-table page (page_type PGTY_table) */
	PG_anon = 1u << 4,        /* mapping is an anon_vma (Linux: PAGE_MAPPING_ANON bit) */
	PG_anon_exclusive = 1u << 5, /* PageAnonExclusive: only this mm maps it, reusable on COW */
	PG_lru = 1u << 6,         /* on an LRU list */
	PG_active = 1u << 7,      /* on the active LRU list */
	PG_referenced = 1u << 8,  /* second-chance reference bit */
	PG_dirty = 1u << 9,       /* contents newer than the backing store */
	PG_uptodate = 1u << 10,   /* contents valid */
	PG_swapbacked = 1u << 11, /* anon or shmem: backed by swap, not a file */
	PG_swapcache = 1u << 12,  /* in the swap cache; private holds the swap entry */
	PG_writeback = 1u << 13,  /* being written back */
	PG_unevictable = 1u << 14, /* mlocked or otherwise unevictable */
	PG_mlocked = 1u << 15,    /* mlocked */
	PG_pcp = 1u << 16,        /* on a per-CPU page list (vmlab bookkeeping for the checker) */
	PG_head = 1u << 17,       /* head of a higher-order allocation (order in ->order) */
	PG_vmalloc = 1u << 18,    /* backs a vmalloc area */
	PG_zero = 1u << 19,       /* the shared zero page */
	PG_readahead = 1u << 20,  /* readahead marker */
	PG_kernel = 1u << 21,     /* other kernel allocation (kmalloc_large, internal tables) */
	PG_workingset = 1u << 22, /* was active before it was deactivated or evicted */
	PG_zerofill = 1u << 23,   /* a user page whose bytes read as zeros but were never written:
	                           * zeroed when its bytes are first used (page_bytes) */
};

/* 56 bytes on x86_64 (Linux: 64). Field meaning depends on the owner, as in Linux. */
struct page {
	uint32_t flags;        /* enum pageflags */
	int32_t _refcount;     /* references; 0 when free */
	int32_t _mapcount;     /* PTEs mapping this page. Linux stores mapcount-1 here (so -1 means
	                        * unmapped); vmlab stores the count itself so that a never-touched,
	                        * zero-filled struct page is a valid free tail page. */
	uint8_t order;         /* buddy order when PG_buddy/PG_pcp; allocation order when PG_head */
	uint8_t zone;          /* zone index (set when the page enters the allocator) */
	union {
		uint16_t cpu;       /* pcp list owner when PG_pcp */
		uint16_t memcg_id;  /* user pages: the memory cgroup charged (0: the root) */
	};
	struct list_head lru;  /* buddy free list, pcp list, LRU list, or slab partial list */
	union {
		struct {
			void *mapping;    /* anon_vma (PG_anon) or address_space; NULL otherwise */
			uint64_t index;   /* page offset within mapping (linear page index for anon) */
			uint64_t private; /* swap entry when PG_swapcache */
		};
		struct { /* PG_slab head pages (struct slab overlays struct page in Linux) */
			struct kmem_cache *slab_cache; /* the cache this slab belongs to */
			void *freelist;                /* first free object */
			uint16_t inuse;                /* objects allocated */
			uint16_t objects;              /* objects in the slab */
			uint8_t frozen;                /* the cache's current (per-CPU) slab */
		};
	};
	uint64_t _pad; /* to 64 bytes, as Linux's: one cache line per page (mem_map is aligned) */
};

_Static_assert(sizeof(struct page) == 64, "struct page is one cache line");

/* ---- zones ------------------------------------------------------------------------------ */

enum zone_type { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, MAX_NR_ZONES };
enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO, NR_WMARK };

struct free_area {
	struct list_head free_list; /* head pages of free blocks of this order (PG_buddy) */
	uint64_t nr_free;           /* blocks on free_list */
};

struct per_cpu_pages {
	int count;                             /* pages on all lists */
	int high;                              /* drain batch pages to the buddy above this */
	int batch;                             /* pages moved at a time */
	struct list_head lists[NR_PCP_ORDERS]; /* free blocks of order 0..COSTLY_ORDER */
};

struct zone {
	const char *name;                    /* "DMA", "DMA32", "Normal" */
	int idx;                             /* enum zone_type */
	uint64_t zone_start_pfn;             /* first frame */
	uint64_t spanned_pages;              /* frames from start to end */
	uint64_t present_pages;              /* frames that exist (within RAM) */
	uint64_t managed_pages;              /* present minus reserved at boot */
	uint64_t _watermark[NR_WMARK];       /* min/low/high/promo in pages */
	int64_t lowmem_reserve[MAX_NR_ZONES]; /* pages kept back from allocations aimed higher */
	struct free_area free_area[NR_PAGE_ORDERS];
	struct per_cpu_pages pcp[MAX_CPUS];  /* per-CPU page lists (nr_cpus used) */
	int64_t vm_stat[NR_VM_ZONE_STAT_ITEMS];
};

/* ---- slab -------------------------------------------------------------------------------- */

struct kmem_cache {
	char name[32];             /* as in /proc/slabinfo */
	unsigned object_size;      /* what the caller asked for */
	unsigned size;             /* object size with alignment (objsize column) */
	unsigned align;            /* alignment */
	unsigned order;            /* slab order */
	unsigned objects;          /* objects per slab */
	unsigned reclaimable;      /* SLAB_RECLAIM_ACCOUNT */
	struct page *cpu_slab;     /* the current slab of the (single modelled) CPU, or NULL */
	struct list_head partial;  /* slabs with free objects (not the current one) */
	struct list_head full;     /* slabs with no free object (tracked for the checker) */
	uint64_t nr_slabs;         /* slabs allocated */
	uint64_t nr_objs;          /* objects in those slabs */
	uint64_t nr_active;        /* objects allocated */
	struct list_head list;     /* all caches, in creation order */
};

/* ---- VMAs, anon_vma, files ----------------------------------------------------------------- */

#define VM_NONE 0x0ull
#define VM_READ 0x1ull
#define VM_WRITE 0x2ull
#define VM_EXEC 0x4ull
#define VM_SHARED 0x8ull
#define VM_MAYREAD 0x10ull
#define VM_MAYWRITE 0x20ull
#define VM_MAYEXEC 0x40ull
#define VM_MAYSHARE 0x80ull
#define VM_GROWSDOWN 0x100ull
#define VM_PFNMAP 0x400ull
#define VM_LOCKED 0x2000ull
#define VM_IO 0x4000ull
#define VM_SEQ_READ 0x8000ull
#define VM_RAND_READ 0x10000ull
#define VM_DONTCOPY 0x20000ull
#define VM_DONTEXPAND 0x40000ull
#define VM_LOCKONFAULT 0x80000ull
#define VM_ACCOUNT 0x100000ull
#define VM_NORESERVE 0x200000ull
#define VM_HUGETLB 0x400000ull
#define VM_SYNC 0x800000ull
#define VM_ARCH_1 0x1000000ull
#define VM_WIPEONFORK 0x2000000ull
#define VM_DONTDUMP 0x4000000ull
#define VM_SOFTDIRTY 0x8000000ull
#define VM_MIXEDMAP 0x10000000ull
#define VM_HUGEPAGE 0x20000000ull
#define VM_NOHUGEPAGE 0x40000000ull
#define VM_MERGEABLE 0x80000000ull

#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)

struct vm_area_struct;
struct vm_fault;

/* vm_operations_struct: how a non-anonymous VMA gets its pages. */
struct vm_operations_struct {
	const char *name; /* the name maps shows for a VMA without a file ([vdso] ...), or the
	                   * kind of object for the others */
	/* Finds or reads the page for vmf->pgoff; sets vmf->page with a reference held.
	 * Returns VM_FAULT_* bits. */
	unsigned (*fault)(struct vm_fault *vmf);
	/* Maps pages already cached in [start_pgoff, end_pgoff] (fault-around). Returns the
	 * number mapped. */
	unsigned (*map_pages)(struct vm_fault *vmf, uint64_t start_pgoff, uint64_t end_pgoff);
	/* Called before a read-only shared page becomes writable (may be NULL). */
	unsigned (*page_mkwrite)(struct vm_fault *vmf);
};

struct anon_vma {
	struct anon_vma *root;          /* the root of this fork family */
	struct anon_vma *parent;        /* the anon_vma this one was forked from */
	int refcount;                   /* VMAs' and child anon_vmas' references */
	int num_children;               /* anon_vmas with this as parent */
	int num_active_vmas;            /* VMAs with vma->anon_vma == this */
	struct list_head chains;        /* anon_vma_chain.same_anon_vma (Linux: interval tree) */
};

struct anon_vma_chain {
	struct vm_area_struct *vma;     /* the VMA linked */
	struct anon_vma *anon_vma;      /* to this anon_vma */
	struct list_head same_vma;      /* on vma->anon_vma_chain */
	struct list_head same_anon_vma; /* on anon_vma->chains */
};

struct address_space;

struct inode {
	uint64_t i_ino;                 /* inode number (decimal in maps) */
	uint32_t i_dev;                 /* device: major << 20 | minor */
	uint64_t i_size;                /* bytes */
	int shmem;                      /* 1 for shmem objects (shared anonymous memory) */
	int i_count;                    /* references (files, VMAs) */
	struct address_space *i_mapping; /* the page cache of this inode */
};

struct address_space {
	struct inode *host;             /* owner */
	struct xarray i_pages;          /* page-cache pages by file page offset */
	uint64_t nrpages;               /* pages cached */
	struct list_head i_mmap;        /* VMAs mapping this (Linux: interval tree) */
};

/* file_ra_state: the readahead state of an open file (include/linux/fs.h). */
struct file_ra_state {
	uint64_t start;                 /* first page of the current readahead window */
	uint32_t size;                  /* pages in the window */
	uint32_t async_size;            /* the next window starts when this many are left */
	uint32_t ra_pages;              /* largest window (bdi->ra_pages: 32 pages, 128 KiB) */
	uint32_t mmap_miss;             /* page-cache misses of mmap faults (read-around stops
	                                 * above MMAP_LOTSAMISS) */
	int64_t prev_pos;               /* byte after the last read(), -1 when none */
};

struct file {
	struct inode *f_inode;          /* the object */
	char path[160];                 /* the name shown in maps */
	int f_count;                    /* references (VMAs) */
	struct file_ra_state f_ra;      /* readahead state (read() and mmap faults) */
};

struct vm_area_struct {
	uint64_t vm_start;              /* first address */
	uint64_t vm_end;                /* first address after the VMA */
	struct mm_struct *vm_mm;        /* owner */
	pteval_t vm_page_prot;          /* PTE protection bits for new PTEs */
	uint64_t vm_flags;              /* VM_* */
	uint64_t vm_pgoff;              /* offset in pages (file) or vm_start>>PAGE_SHIFT (anon) */
	struct file *vm_file;           /* mapped file or shmem object, NULL for anonymous */
	const struct vm_operations_struct *vm_ops; /* NULL for private anonymous memory */
	struct anon_vma *anon_vma;      /* reverse-map family of its anonymous pages */
	struct list_head anon_vma_chain; /* anon_vma_chain.same_vma */
	struct list_head shared;        /* on address_space.i_mmap */
	struct avl_node rb;             /* in mm->mm_rb, keyed by vm_start */
	uint64_t swap_readahead_info;   /* swap_vma_readahead: last fault page | window | hits */
	uint8_t unmerged_ok;            /* descends from a VMA whose VM_LOCKED fork cleared: Linux
	                                 * may leave it apart from an equal neighbour (the checker
	                                 * does not require those to be merged) */
	struct list_head vm_list;       /* in mm->mmap_list, ordered by address */
};

enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

#define VMACACHE_SIZE 256
struct vmacache_entry {
	struct vm_area_struct *vma;
	uint64_t seq;
};

struct mm_struct {
	struct avl_node *mm_rb;         /* VMAs by address (Linux: the maple tree mm_mt) */
	struct list_head mmap_list;     /* VMAs in address order */
	/* VMAs found lately, one per 2 MiB region slot (Simplification: Linux 3.15-6.0 kept a
	 * 4-entry per-thread vmacache; 6.1+ looks up its maple tree, whose wide nodes are shallow.
	 * vmlab's AVL tree is deep and its walk branchy, so find_vma caches. Host memory, made by
	 * the first find_vma (not simulated kernel memory: Linux has no such table) and freed
	 * with the mm (mm_free_vmacache). An entry counts only while vmacache_seq is the one it
	 * was made under (vma_unlink moves it on, so no entry can name a freed VMA), and a hit is
	 * checked against the VMA's bounds: no result changes) */
	struct vmacache_entry *vmacache;
	uint64_t vmacache_seq;
	int map_count;                  /* VMAs */
	uint64_t pgd;                   /* frame of the PGD (CR3 value >> 12) */
	uint64_t mmap_base;             /* top of the top-down mmap area */
	uint64_t task_size;             /* end of user space */
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t total_vm, locked_vm, pinned_vm, data_vm, exec_vm, stack_vm; /* pages */
	uint64_t hiwater_rss, hiwater_vm; /* pages */
	int64_t rss_stat[NR_MM_COUNTERS]; /* pages */
	int64_t pgtables_bytes;         /* page-table memory */
	int mm_users;                   /* tasks using it */
	struct mem_cgroup *memcg;       /* the cgroup its pages are charged to (Linux: mm->owner's) */
	uint64_t free_area_cache;       /* top-down search resumes below this (2.6's cache) */
	uint64_t cached_hole_size;      /* largest hole known above free_area_cache */
	uint64_t context_id;            /* unique id for PCID slot matching (ctx_id) */
	uint64_t tlb_gen;               /* bumped on every change needing a TLB flush */
};

enum task_state { TASK_RUNNING, TASK_DEAD };

struct task_struct {
	int pid;                         /* process id */
	char comm[16];                   /* name */
	enum task_state state;           /* running or dead */
	struct mm_struct *mm;            /* address space */
	uint64_t min_flt, maj_flt;       /* faults (getrusage) */
	int oom_score_adj;               /* -1000..1000 */
	int exit_signal;                 /* signal that killed it, 0 if none */
	struct mem_cgroup *memcg;        /* its memory cgroup (cgroup.procs); the root by default */
	int ppid;                        /* parent's pid (0 for spawned processes) */
};

/* ---- the CPU: TLB and address-space switching ----------------------------------------------- */

#define TLB_NR_DYN_ASIDS 6
/* Simplification: x86 CPUs keep about 32 entries. The size is not observable: a hit only
 * skips setting A bits on the upper levels, which an earlier walk that filled the entry set
 * already, and which nothing clears. 512 cover 1 GiB of address space. */
#define PDE_CACHE_ENTRIES 512
/* An entry's key: the region (va >> PMD_SHIFT, below 2^43) and, above, the cache's generation
 * when it was filled, so that a flush of all entries is one increment (pde_cache_flush). */
#define PDE_GEN_SHIFT 43
#define PDE_GEN_ONE (1ull << PDE_GEN_SHIFT)
#define PDE_GEN_LAST (~0ull << PDE_GEN_SHIFT) /* never used: TLB_INVALID stays no key */

/* One TLB entry: a cached leaf translation, in two words. The tag holds the virtual page and
 * the address-space id together, so that a probe compares each way once; the other word is the
 * PTE as it was cached (frame and permission bits), NX inverted so that each kind of access
 * needs bits set (tlb_need: "this kind of access may complete without a walk"): any access
 * reads, a write needs RW and D, a fetch needs NX clear. (No G bit: only user translations are
 * cached, none of them global.) */
struct tlb_entry {
	uint64_t tag; /* vpn | asid << TLB_ASID_SHIFT (tlb_tag), or TLB_INVALID */
	uint64_t pv;  /* the PTE ^ _PAGE_NX */
};
#define TLB_INVALID (~0ull)
#define TLB_ASID_SHIFT 52 /* above any vpn (addresses are 64 bits, pages 4 KiB) */

static inline uint64_t tlb_tag(uint64_t vpn, uint16_t asid)
{
	return vpn | (uint64_t)asid << TLB_ASID_SHIFT;
}
/* The bits of an entry's pv that an access of kind (VMLAB_ACC_READ, _WRITE, _EXEC) needs. */
static inline uint64_t tlb_need(int kind)
{
	static const uint64_t need[3] = {_PAGE_PRESENT, _PAGE_RW | _PAGE_DIRTY, _PAGE_NX};

	return need[kind];
}
static inline uint64_t tlb_entry_vpn(const struct tlb_entry *e)
{
	return e->tag & ((1ull << TLB_ASID_SHIFT) - 1);
}
static inline uint16_t tlb_entry_asid(const struct tlb_entry *e)
{
	return (uint16_t)(e->tag >> TLB_ASID_SHIFT);
}
static inline uint64_t tlb_entry_pfn(const struct tlb_entry *e)
{
	return pte_pfn(e->pv);
}
static inline int tlb_entry_allows(const struct tlb_entry *e, int kind)
{
	return (e->pv & tlb_need(kind)) == tlb_need(kind);
}

struct tlb_ctx {
	uint64_t ctx_id;  /* mm->context_id cached in this ASID slot, 0 when free */
	uint64_t tlb_gen; /* mm->tlb_gen this slot has caught up to */
};

struct cpu {
	struct tlb_entry *tlb;          /* sets x ways entries */
	unsigned tlb_sets, tlb_ways;    /* geometry (sets is a power of two) */
	unsigned set_mask;              /* tlb_sets - 1 */
	uint8_t *victim;                /* per-set next way to replace (round robin) */
	struct mm_struct *loaded_mm;    /* mm whose PGD is in CR3 (NULL: the kernel's) */
	uint16_t loaded_asid;           /* ASID in use */
	struct tlb_ctx ctxs[TLB_NR_DYN_ASIDS]; /* PCID slots (with pcid on) */
	unsigned next_asid;             /* round-robin slot to take next */
	vmlab_tlb_stats_t stats;        /* hits, misses, walks, flushes */
	/* paging-structure cache (x86's PDE cache), direct-mapped by 2 MiB region: the PTE table
	 * that maps a region of the loaded address space, so that a walk reads only the PTE level */
	uint64_t pde_gen;               /* the generation of valid entries, << PDE_GEN_SHIFT */
	struct pde_cache_entry {
		uint64_t va;            /* key: va >> PMD_SHIFT | generation (pde_key), or
		                         * TLB_INVALID; of an older generation: invalid too */
		uint64_t pfn;           /* the PTE table's frame */
		uint64_t allow;         /* RW and US of the upper levels (ANDed) */
		uint64_t nx;            /* NX of the upper levels (ORed) */
	} pde[PDE_CACHE_ENTRIES];
};

/* ---- vmalloc ------------------------------------------------------------------------------ */

struct vm_struct {
	uint64_t addr;          /* first address */
	uint64_t size;          /* bytes including the guard page */
	uint64_t nr_pages;      /* pages backing it */
	uint64_t *pages;        /* their frames (kmalloc'd array) */
	const char *caller;     /* who asked, shown in vmallocinfo */
	struct list_head list;  /* areas in address order */
};

enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

/* The LRU lists of one memory cgroup on the (single) node: Linux's struct lruvec. With the
 * linux policy, pages sit on lists[] by type and activity; the exact policies keep every
 * evictable page on policy_list in their own order (unevictable pages stay on
 * lists[LRU_UNEVICTABLE] either way). nr_pages[] counts pages by type and activity for
 * every policy (meminfo's Active/Inactive lines). */
struct mem_cgroup;
struct lruvec {
	struct list_head lists[NR_LRU_LISTS];
	uint64_t nr_pages[NR_LRU_LISTS]; /* pages of each kind (lru_zone_size summed over zones) */
	struct list_head policy_list;    /* exact policies: evictable pages, victim end at the tail */
	struct list_head *clock_hand;    /* clock: the entry of policy_list the hand points at */
	uint64_t nonresident_age;        /* workingset clock: evictions and activations */
	uint64_t anon_cost, file_cost;   /* lru_note_cost: recent reclaim effort per type */
	uint64_t refaults[2];            /* WORKINGSET_ACTIVATE_{ANON,FILE} at the last snapshot */
	uint64_t activate[2];            /* WORKINGSET_ACTIVATE_{ANON,FILE} of this lruvec */
	struct mem_cgroup *memcg;        /* owner */
};

/* ---- memory cgroups (cgroup v2's memory controller) ------------------------------------- */

enum memcg_stat_item {
	MEMCG_ANON, MEMCG_FILE, MEMCG_KERNEL, MEMCG_SHMEM, MEMCG_FILE_MAPPED, MEMCG_FILE_DIRTY,
	MEMCG_FILE_WRITEBACK, MEMCG_SWAPCACHED, MEMCG_INACTIVE_ANON, MEMCG_ACTIVE_ANON,
	MEMCG_INACTIVE_FILE, MEMCG_ACTIVE_FILE, MEMCG_UNEVICTABLE, MEMCG_PAGETABLES,
	MEMCG_NR_STAT
};
enum memcg_event_item {
	MEMCG_LOW, MEMCG_HIGH, MEMCG_MAX, MEMCG_OOM, MEMCG_OOM_KILL, MEMCG_SWAP_HIGH,
	MEMCG_SWAP_MAX, MEMCG_SWAP_FAIL, MEMCG_NR_MEMORY_EVENTS
};
enum memcg_vm_event {
	MEMCG_PGFAULT, MEMCG_PGMAJFAULT, MEMCG_PGSCAN_KSWAPD, MEMCG_PGSCAN_DIRECT,
	MEMCG_PGSTEAL_KSWAPD, MEMCG_PGSTEAL_DIRECT, MEMCG_PGREFILL, MEMCG_PGACTIVATE,
	MEMCG_PGDEACTIVATE, MEMCG_PGLAZYFREE, MEMCG_PGLAZYFREED, MEMCG_WS_REFAULT_ANON,
	MEMCG_WS_REFAULT_FILE, MEMCG_WS_ACTIVATE_ANON, MEMCG_WS_ACTIVATE_FILE,
	MEMCG_WS_RESTORE_ANON, MEMCG_WS_RESTORE_FILE, MEMCG_PSWPIN, MEMCG_PSWPOUT,
	MEMCG_NR_VM_EVENTS
};
#define PAGE_COUNTER_MAX UINT64_MAX
#define MAX_MEMCGS 256

struct mem_cgroup {
	char name[32];                  /* the scenario's name ("" for the root) */
	int id;                         /* index in m->memcgs (0: the root) */
	struct mem_cgroup *parent;      /* NULL for the root */
	uint64_t usage;                 /* pages charged, hierarchical (memory.current) */
	uint64_t max, high, low, min;   /* limits in pages (PAGE_COUNTER_MAX: "max") */
	uint64_t watermark;             /* peak usage (memory.peak) */
	uint64_t swap_usage, swap_max;  /* swap slots charged (memory.swap.current / .max) */
	int64_t stat[MEMCG_NR_STAT];    /* memory.stat sizes in pages, hierarchical */
	uint64_t vm_events[MEMCG_NR_VM_EVENTS]; /* memory.stat events, hierarchical */
	uint64_t events[MEMCG_NR_MEMORY_EVENTS]; /* memory.events */
	int nr_tasks;                   /* processes in it (cgroup.procs) */
	int online;                     /* 1 until removed */
	struct lruvec lruvec;           /* its pages' LRU lists */
};

/* ---- swap (mm/swapfile.c, mm/swap_state.c, mm/page_io.c) ------------------------------------ */

#define MAX_SWAPFILES 1        /* one swap area (Linux: up to 24-32) */
#define SWAPFILE_CLUSTER 256   /* slots per cluster (512 with THP_SWAP) */
#define SWAP_HAS_CACHE 0x8000u /* swap_map: the slot's page is in the swap cache */
#define SWAP_MAP_MAX 0x7fffu   /* swap_map: most references one slot can have */
#define CLUSTER_NULL 0xffffffffu

typedef struct { uint64_t val; } swp_entry_t; /* type << 58 | offset; 0 is no entry */
#define SWP_TYPE_SHIFT 58

struct swap_cluster_info {
	uint32_t count;      /* slots allocated in this cluster */
	uint32_t next, prev; /* neighbours on its list, or CLUSTER_NULL */
	uint8_t list;        /* the list it is on: 0 none (being filled, or full), 1 free, 2 nonfull */
};

struct swap_info_struct {
	unsigned flags;                  /* SWP_USED | SWP_WRITEOK */
	int prio;                        /* swapon priority (-2 for the first area) */
	int type;                        /* index in swap_info[] */
	uint64_t max;                    /* slots, slot 0 being the swap header */
	uint64_t pages;                  /* usable slots (max - 1) */
	uint64_t inuse_pages;            /* slots in use */
	uint16_t *swap_map;              /* per slot: references | SWAP_HAS_CACHE */
	uint64_t *swap_cache;            /* per slot: the page in the swap cache (a struct page *),
	                                  * a workingset shadow (xa_mk_value), or 0 */
	uint64_t *zeromap;               /* bitmap: the slot holds a zero-filled page (no I/O) */
	uint16_t *swap_cgroup;           /* per slot: id of the memcg charged for it (0: none) */
	uint64_t *used;                  /* bitmap: swap_map[slot] != 0 (finds free slots fast) */
	struct swap_cluster_info *cluster_info;
	uint32_t nr_clusters;
	uint32_t head[3], tail[3];       /* cluster lists by list number: [1] free, [2] nonfull */
	uint32_t cur_cluster;            /* the per-CPU cluster being filled, or CLUSTER_NULL */
	uint64_t cur_next;               /* next slot to try in it */
	uint8_t *store;                  /* in-memory backing: slot i at store + i * PAGE_SIZE */
	int fd;                          /* file backing (a temporary file, already unlinked), or -1 */
	uint64_t nr_swapcache;           /* pages in the swap cache */
	char name[160];                  /* shown in /proc/swaps */
};
#define SWP_USED 0x1u
#define SWP_WRITEOK 0x2u
#define SWP_SYNCHRONOUS_IO 0x4u /* a RAM disk: swap-ins may skip the swap cache */

struct vm_policy_ops;

/* ---- the machine --------------------------------------------------------------------------- */

struct vmlab {
	vmlab_config_t cfg;             /* as given, with defaults filled in */
	uint8_t *ram;                   /* simulated physical memory (host, committed lazily) */
	uint64_t ram_bytes;             /* mapped size of ram */
	struct page *mem_map;           /* one struct page per frame (committed lazily) */
	uint64_t mem_map_bytes;         /* mapped size of mem_map */
	uint64_t max_pfn;               /* frames */
	struct zone zones[MAX_NR_ZONES];
	int nr_zones;                   /* populated zones: DMA..Normal present */
	uint64_t totalram_pages;        /* managed pages, all zones */
	uint64_t totalreserve_pages;    /* high watermarks + lowmem reserves */
	uint64_t min_free_kbytes;       /* as computed at boot */
	uint64_t kernel_start_pfn, kernel_end_pfn; /* the kernel image, reserved */
	uint64_t reserved_pages;        /* frames never managed */
	int64_t node_stat[NR_VM_NODE_STAT_ITEMS];
	uint64_t vm_events[NR_VM_EVENT_ITEMS];

	/* slab */
	struct list_head slab_caches;   /* every kmem_cache */
	struct kmem_cache *kmem_cache;  /* the cache of kmem_cache structs */
	struct kmem_cache *kmalloc_caches[14]; /* kmalloc-8 ... kmalloc-8k */
	struct kmem_cache *task_cachep, *mm_cachep, *vma_cachep, *anon_vma_cachep,
		*anon_vma_chain_cachep, *xa_node_cachep, *file_cachep, *inode_cachep,
		*mapping_cachep;

	/* vmalloc */
	struct list_head vmap_areas;    /* vm_struct in address order */
	uint64_t vmalloc_pages;         /* pages backing vmalloc areas */

	/* page tables, special pages */
	uint64_t init_pgd;              /* swapper_pg_dir frame */
	uint64_t zero_pfn;              /* the shared zero page */
	uint64_t vdso_pfn;              /* first of the vDSO image's frames (kernel image) */
	int64_t boot_pagetables;        /* kernel page-table frames after boot (checker) */
	uint64_t directmap_1g;          /* DirectMap1G bytes (for meminfo) */
	uint64_t directmap_2m;          /* DirectMap2M bytes */
	uint64_t directmap_4k;          /* DirectMap4k bytes */
	int64_t vm_committed_as;        /* pages charged by VM_ACCOUNT mappings (Committed_AS) */

	/* memory cgroups: the root (which holds the node's LRU lists when no group exists) and the
	 * groups a scenario creates, by id */
	struct mem_cgroup root_mem_cgroup;
	struct mem_cgroup *memcgs[MAX_MEMCGS];
	int nr_memcgs;                  /* ids handed out (root included) */

	/* page replacement */
	const struct vm_policy_ops *policy; /* mm/policy/: linux, lru, fifo, clock, opt */
	void *policy_data;              /* the policy's own state (host memory) */
	int policy_exact;               /* the policy sees every access (exact lru/fifo/clock/opt) */
	int policy_access_to_head;      /* its access moves the page to the list head (lru) */
	uint64_t disk_page_ns;          /* a one-page disk request on the simulated clock */
	uint64_t next_use;              /* opt: when the page of the current access is used next */
	uint64_t nr_user_pages;         /* pages on LRU lists (the resident limit counts these) */
	int swappiness;                 /* vm.swappiness (default 60) */
	int page_cluster;               /* vm.page-cluster (default 3) */
	bool swap_no_zeromap;           /* pages of zeros are counted as written and read */
	int kswapd_failures;            /* balance_pgdat passes that reclaimed nothing */

	/* swap */
	struct swap_info_struct *swap_info[MAX_SWAPFILES];
	int nr_swapfiles;
	int64_t nr_swap_pages;          /* free swap slots, all areas (get_nr_swap_pages) */
	uint64_t total_swap_pages;      /* usable slots, all areas */

	/* processes */
	struct task_struct **tasks;     /* by pid (NULL: none) */
	int nr_tasks_slots;             /* size of tasks[] */
	int next_pid;                   /* pid for the next spawn/fork */
	int nr_running;                 /* live tasks */
	uint64_t next_context_id;       /* for mm->context_id */
	uint64_t next_ino;              /* inode numbers for shmem objects */
	struct list_head file_inodes;   /* inodes of host files mapped so far (the icache) */
	struct list_head shmem_inodes;  /* live shmem objects (mm/shmem.c) */
	struct kmem_cache *file_inode_cachep; /* "inode_cache" */
	char writable_dir[4096];        /* host files under it may be written back ("" none) */
	uint64_t clock_ns;              /* simulated time spent on disk I/O */
	int dirty_exceeded;             /* NR_FILE_DIRTY above the background threshold */
	int in_reclaim;                 /* reclaim is running (no recursion) */

	struct cpu cpu;                 /* the CPU that runs every access */
	uint64_t rng;                   /* PRNG state (seeded) */

	vmlab_event_fn hook;            /* explain-mode events, or NULL */
	void *hook_ctx;
	int cur_pid;                    /* pid of the operation in progress (for events) */
	const char *alloc_why;          /* what the next allocation is for (explain mode) */
	char check_err[256];            /* first checker failure */
	char exec_err[512];             /* why the last exec failed (vmlab_exec_error) */
	int check_failed;               /* a checker failed during an operation */
};

#endif
