/* fs/proc/meminfo.c - /proc/meminfo.
 *
 * Mirrors fs/proc/meminfo.c (meminfo_proc_show: show_val_kb's 16-column label then "%8lu kB",
 * in Linux's order), si_mem_available (mm/show_mem.c), vm_commit_limit (mm/util.c),
 * hugetlb_report_meminfo (mm/hugetlb.c) and x86's arch_report_meminfo (DirectMap lines).
 * Configuration as in fs/proc/vmstatinfo.c: no HIGHMEM, ZSWAP, CMA or UNACCEPTED_MEMORY lines,
 * no ShadowCallStack; CONFIG_MEMORY_FAILURE (HardwareCorrupted) and TRANSPARENT_HUGEPAGE on;
 * the Balloon line of 6.15+.
 *
 * Simplifications (the value, not the line, differs from Linux):
 *  - Buffers is 0: vmlab has no block devices (nr_blockdev_pages).
 *  - Percpu is 0: vmlab does not model the per-CPU allocator's chunks.
 *  - the hugetlb block is all zeros (no hugetlbfs pool), Hugepagesize is x86_64's 2048 kB.
 *  - DirectMap*: the sizes arch/x86/mmu.c's paging_init mapped the direct map with (1 GiB
 *    pages for whole GiBs of RAM, 2 MiB and then 4 KiB pages for the tail), never split later.
 */
#include "fs/proc/seq.h"

/* A node item in pages (byte items converted), clamped at 0 as Linux does. */
static uint64_t node(struct vmlab *m, enum node_stat_item i)
{
	return node_stat_value(m, i);
}

/* A node item exactly as counted (THP items are in base pages here, unlike in vmstat). */
static uint64_t raw(struct vmlab *m, enum node_stat_item i)
{
	return m->node_stat[i] > 0 ? (uint64_t)m->node_stat[i] : 0;
}

static uint64_t zone_sum(struct vmlab *m, enum zone_stat_item i)
{
	int64_t v = 0;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++)
		v += m->zones[z].vm_stat[i];
	return v > 0 ? (uint64_t)v : 0;
}

/* si_mem_available: free memory plus what reclaim could give back without swapping. */
static uint64_t mem_available(struct vmlab *m)
{
	int64_t avail;
	uint64_t pagecache, reclaimable, wmark_low = 0;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++)
		wmark_low += m->zones[z]._watermark[WMARK_LOW];
	avail = (int64_t)zone_sum(m, NR_FREE_PAGES) - (int64_t)m->totalreserve_pages;
	/* at least half of the page cache, or the low watermarks' worth, must stay */
	pagecache = node(m, NR_ACTIVE_FILE) + node(m, NR_INACTIVE_FILE);
	pagecache -= MIN(pagecache / 2, wmark_low);
	avail += (int64_t)pagecache;
	/* likewise for reclaimable slab and other reclaimable kernel memory */
	reclaimable = node(m, NR_SLAB_RECLAIMABLE_B) + node(m, NR_KERNEL_MISC_RECLAIMABLE);
	reclaimable -= MIN(reclaimable / 2, wmark_low);
	avail += (int64_t)reclaimable;
	return avail < 0 ? 0 : (uint64_t)avail;
}

/* show_val_kb: pages shown in kB, right-aligned in 8 columns after a 16-column label. */
#define P(label, pages) seq_kb(s, label, (uint64_t)(pages) << (PAGE_SHIFT - 10), 8)

void proc_meminfo(struct vmlab *m, struct seq_file *s)
{
	uint64_t swapcache = node(m, NR_SWAPCACHE), file = node(m, NR_FILE_PAGES);
	uint64_t sreclaim = node(m, NR_SLAB_RECLAIMABLE_B);
	uint64_t sunreclaim = node(m, NR_SLAB_UNRECLAIMABLE_B);
	uint64_t swap_pages = m->total_swap_pages, buffers = 0;
	/* Cached = file pages - swap cache - buffers, never below 0 */
	uint64_t cached = file > swapcache + buffers ? file - swapcache - buffers : 0;

	P("MemTotal:       ", m->totalram_pages);
	P("MemFree:        ", zone_sum(m, NR_FREE_PAGES));
	P("MemAvailable:   ", mem_available(m));
	P("Buffers:        ", buffers);
	P("Cached:         ", cached);
	P("SwapCached:     ", swapcache);
	P("Active:         ", node(m, NR_ACTIVE_ANON) + node(m, NR_ACTIVE_FILE));
	P("Inactive:       ", node(m, NR_INACTIVE_ANON) + node(m, NR_INACTIVE_FILE));
	P("Active(anon):   ", node(m, NR_ACTIVE_ANON));
	P("Inactive(anon): ", node(m, NR_INACTIVE_ANON));
	P("Active(file):   ", node(m, NR_ACTIVE_FILE));
	P("Inactive(file): ", node(m, NR_INACTIVE_FILE));
	P("Unevictable:    ", node(m, NR_UNEVICTABLE));
	P("Mlocked:        ", zone_sum(m, NR_MLOCK));
	P("SwapTotal:      ", swap_pages);
	P("SwapFree:       ", clamp_counter(m->nr_swap_pages));
	P("Dirty:          ", node(m, NR_FILE_DIRTY));
	P("Writeback:      ", node(m, NR_WRITEBACK));
	P("AnonPages:      ", node(m, NR_ANON_MAPPED));
	P("Mapped:         ", node(m, NR_FILE_MAPPED));
	P("Shmem:          ", node(m, NR_SHMEM));
	P("KReclaimable:   ", sreclaim + node(m, NR_KERNEL_MISC_RECLAIMABLE));
	P("Slab:           ", sreclaim + sunreclaim);
	P("SReclaimable:   ", sreclaim);
	P("SUnreclaim:     ", sunreclaim);
	seq_kb(s, "KernelStack:    ", node(m, NR_KERNEL_STACK_KB), 8); /* already in kB */
	P("PageTables:     ", node(m, NR_PAGETABLE));
	P("SecPageTables:  ", node(m, NR_SECONDARY_PAGETABLE));
	P("NFS_Unstable:   ", 0);
	P("Bounce:         ", zone_sum(m, NR_BOUNCE));
	P("WritebackTmp:   ", node(m, NR_WRITEBACK_TEMP));
	/* vm_commit_limit with overcommit_ratio 50 and no hugetlb pool */
	P("CommitLimit:    ", m->totalram_pages * 50 / 100 + swap_pages);
	P("Committed_AS:   ", m->vm_committed_as > 0 ? (uint64_t)m->vm_committed_as : 0);
	seq_kb(s, "VmallocTotal:   ", (VMALLOC_END - VMALLOC_START) >> 10, 8);
	P("VmallocUsed:    ", m->vmalloc_pages);
	P("VmallocChunk:   ", 0);
	P("Percpu:         ", 0);
	seq_kb(s, "HardwareCorrupted: ", 0, 5);
	P("AnonHugePages:  ", raw(m, NR_ANON_THPS));
	P("ShmemHugePages: ", raw(m, NR_SHMEM_THPS));
	P("ShmemPmdMapped: ", raw(m, NR_SHMEM_PMDMAPPED));
	P("FileHugePages:  ", raw(m, NR_FILE_THPS));
	P("FilePmdMapped:  ", raw(m, NR_FILE_PMDMAPPED));
	P("Balloon:        ", 0);
	seq_printf(s, "HugePages_Total:   %5u\nHugePages_Free:    %5u\nHugePages_Rsvd:    %5u\n"
		      "HugePages_Surp:    %5u\n", 0u, 0u, 0u, 0u);
	seq_kb(s, "Hugepagesize:   ", 2048, 8);
	seq_kb(s, "Hugetlb:        ", 0, 8);
	seq_kb(s, "DirectMap4k:    ", m->directmap_4k >> 10, 8);
	seq_kb(s, "DirectMap2M:    ", m->directmap_2m >> 10, 8);
	seq_kb(s, "DirectMap1G:    ", m->directmap_1g >> 10, 8);
}
