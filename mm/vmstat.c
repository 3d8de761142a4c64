/* mm/vmstat.c - the names of the /proc/vmstat counters.
 * Mirrors vmstat_text[] of Linux's mm/vmstat.c: the names are the ABI. Each table maps one enum
 * of mm/vmstat.h to its /proc/vmstat name, one to one, with designated initializers so that the
 * pairing is visible; the static_asserts catch an enum that grows without its name, and
 * tests/unit/test_proc.c checks that no entry is missing or duplicated. The counters themselves
 * are updated where the events happen (count_vm_event, mod_node_page_state, ... in
 * mm/internal.h); fs/proc/vmstatinfo.c prints them in Linux's order, with the items vmlab does
 * not model as constant zeros.
 * Names that differ from the enum (Linux's own historical quirks): NR_ANON_MAPPED is
 * "nr_anon_pages", NR_FILE_MAPPED "nr_mapped", NR_FILE_DIRTY "nr_dirty", NR_SLAB_*_B drop the
 * "_b", NR_*_THPS are "*_hugepages" (anon: "nr_anon_transparent_hugepages"), NR_KERNEL_STACK_KB
 * is "nr_kernel_stack", NR_PAGETABLE "nr_page_table_pages", NR_SWAPCACHE "nr_swapcached",
 * NR_FREE_CMA_PAGES "nr_free_cma", DIRECT_MAP_LEVEL*_SPLIT end in "splits".
 */
#include <assert.h>

#include "mm/internal.h"

const char *const zone_stat_names[] = {
	[NR_FREE_PAGES]          = "nr_free_pages",
	[NR_ZONE_INACTIVE_ANON]  = "nr_zone_inactive_anon",
	[NR_ZONE_ACTIVE_ANON]    = "nr_zone_active_anon",
	[NR_ZONE_INACTIVE_FILE]  = "nr_zone_inactive_file",
	[NR_ZONE_ACTIVE_FILE]    = "nr_zone_active_file",
	[NR_ZONE_UNEVICTABLE]    = "nr_zone_unevictable",
	[NR_ZONE_WRITE_PENDING]  = "nr_zone_write_pending",
	[NR_MLOCK]               = "nr_mlock",
	[NR_BOUNCE]              = "nr_bounce",
	[NR_FREE_CMA_PAGES]      = "nr_free_cma",
};

const char *const node_stat_names[] = {
	[NR_INACTIVE_ANON]            = "nr_inactive_anon",
	[NR_ACTIVE_ANON]              = "nr_active_anon",
	[NR_INACTIVE_FILE]            = "nr_inactive_file",
	[NR_ACTIVE_FILE]              = "nr_active_file",
	[NR_UNEVICTABLE]              = "nr_unevictable",
	[NR_SLAB_RECLAIMABLE_B]       = "nr_slab_reclaimable",
	[NR_SLAB_UNRECLAIMABLE_B]     = "nr_slab_unreclaimable",
	[NR_ISOLATED_ANON]            = "nr_isolated_anon",
	[NR_ISOLATED_FILE]            = "nr_isolated_file",
	[WORKINGSET_NODES]            = "workingset_nodes",
	[WORKINGSET_REFAULT_ANON]     = "workingset_refault_anon",
	[WORKINGSET_REFAULT_FILE]     = "workingset_refault_file",
	[WORKINGSET_ACTIVATE_ANON]    = "workingset_activate_anon",
	[WORKINGSET_ACTIVATE_FILE]    = "workingset_activate_file",
	[WORKINGSET_RESTORE_ANON]     = "workingset_restore_anon",
	[WORKINGSET_RESTORE_FILE]     = "workingset_restore_file",
	[WORKINGSET_NODERECLAIM]      = "workingset_nodereclaim",
	[NR_ANON_MAPPED]              = "nr_anon_pages",
	[NR_FILE_MAPPED]              = "nr_mapped",
	[NR_FILE_PAGES]               = "nr_file_pages",
	[NR_FILE_DIRTY]               = "nr_dirty",
	[NR_WRITEBACK]                = "nr_writeback",
	[NR_WRITEBACK_TEMP]           = "nr_writeback_temp",
	[NR_SHMEM]                    = "nr_shmem",
	[NR_SHMEM_THPS]               = "nr_shmem_hugepages",
	[NR_SHMEM_PMDMAPPED]          = "nr_shmem_pmdmapped",
	[NR_FILE_THPS]                = "nr_file_hugepages",
	[NR_FILE_PMDMAPPED]           = "nr_file_pmdmapped",
	[NR_ANON_THPS]                = "nr_anon_transparent_hugepages",
	[NR_VMSCAN_WRITE]             = "nr_vmscan_write",
	[NR_VMSCAN_IMMEDIATE]         = "nr_vmscan_immediate_reclaim",
	[NR_DIRTIED]                  = "nr_dirtied",
	[NR_WRITTEN]                  = "nr_written",
	[NR_THROTTLED_WRITTEN]        = "nr_throttled_written",
	[NR_KERNEL_MISC_RECLAIMABLE]  = "nr_kernel_misc_reclaimable",
	[NR_FOLL_PIN_ACQUIRED]        = "nr_foll_pin_acquired",
	[NR_FOLL_PIN_RELEASED]        = "nr_foll_pin_released",
	[NR_KERNEL_STACK_KB]          = "nr_kernel_stack",
	[NR_PAGETABLE]                = "nr_page_table_pages",
	[NR_SECONDARY_PAGETABLE]      = "nr_sec_page_table_pages",
	[NR_SWAPCACHE]                = "nr_swapcached",
};

const char *const vm_event_names[] = {
	[PGPGIN]                         = "pgpgin",
	[PGPGOUT]                        = "pgpgout",
	[PSWPIN]                         = "pswpin",
	[PSWPOUT]                        = "pswpout",
	[PGALLOC_DMA]                    = "pgalloc_dma",
	[PGALLOC_DMA32]                  = "pgalloc_dma32",
	[PGALLOC_NORMAL]                 = "pgalloc_normal",
	[PGALLOC_MOVABLE]                = "pgalloc_movable",
	[ALLOCSTALL_DMA]                 = "allocstall_dma",
	[ALLOCSTALL_DMA32]               = "allocstall_dma32",
	[ALLOCSTALL_NORMAL]              = "allocstall_normal",
	[ALLOCSTALL_MOVABLE]             = "allocstall_movable",
	[PGSKIP_DMA]                     = "pgskip_dma",
	[PGSKIP_DMA32]                   = "pgskip_dma32",
	[PGSKIP_NORMAL]                  = "pgskip_normal",
	[PGSKIP_MOVABLE]                 = "pgskip_movable",
	[PGFREE]                         = "pgfree",
	[PGACTIVATE]                     = "pgactivate",
	[PGDEACTIVATE]                   = "pgdeactivate",
	[PGLAZYFREE]                     = "pglazyfree",
	[PGFAULT]                        = "pgfault",
	[PGMAJFAULT]                     = "pgmajfault",
	[PGLAZYFREED]                    = "pglazyfreed",
	[PGREFILL]                       = "pgrefill",
	[PGREUSE]                        = "pgreuse",
	[PGSTEAL_KSWAPD]                 = "pgsteal_kswapd",
	[PGSTEAL_DIRECT]                 = "pgsteal_direct",
	[PGSTEAL_KHUGEPAGED]             = "pgsteal_khugepaged",
	[PGSTEAL_PROACTIVE]              = "pgsteal_proactive",
	[PGSCAN_KSWAPD]                  = "pgscan_kswapd",
	[PGSCAN_DIRECT]                  = "pgscan_direct",
	[PGSCAN_KHUGEPAGED]              = "pgscan_khugepaged",
	[PGSCAN_PROACTIVE]               = "pgscan_proactive",
	[PGSCAN_DIRECT_THROTTLE]         = "pgscan_direct_throttle",
	[PGSCAN_ANON]                    = "pgscan_anon",
	[PGSCAN_FILE]                    = "pgscan_file",
	[PGSTEAL_ANON]                   = "pgsteal_anon",
	[PGSTEAL_FILE]                   = "pgsteal_file",
	[PGINODESTEAL]                   = "pginodesteal",
	[SLABS_SCANNED]                  = "slabs_scanned",
	[KSWAPD_INODESTEAL]              = "kswapd_inodesteal",
	[KSWAPD_LOW_WMARK_HIT_QUICKLY]   = "kswapd_low_wmark_hit_quickly",
	[KSWAPD_HIGH_WMARK_HIT_QUICKLY]  = "kswapd_high_wmark_hit_quickly",
	[PAGEOUTRUN]                     = "pageoutrun",
	[PGROTATED]                      = "pgrotated",
	[DROP_PAGECACHE]                 = "drop_pagecache",
	[DROP_SLAB]                      = "drop_slab",
	[OOM_KILL]                       = "oom_kill",
	[UNEVICTABLE_PGS_CULLED]         = "unevictable_pgs_culled",
	[UNEVICTABLE_PGS_SCANNED]        = "unevictable_pgs_scanned",
	[UNEVICTABLE_PGS_RESCUED]        = "unevictable_pgs_rescued",
	[UNEVICTABLE_PGS_MLOCKED]        = "unevictable_pgs_mlocked",
	[UNEVICTABLE_PGS_MUNLOCKED]      = "unevictable_pgs_munlocked",
	[UNEVICTABLE_PGS_CLEARED]        = "unevictable_pgs_cleared",
	[UNEVICTABLE_PGS_STRANDED]       = "unevictable_pgs_stranded",
	[NR_TLB_REMOTE_FLUSH]            = "nr_tlb_remote_flush",
	[NR_TLB_REMOTE_FLUSH_RECEIVED]   = "nr_tlb_remote_flush_received",
	[NR_TLB_LOCAL_FLUSH_ALL]         = "nr_tlb_local_flush_all",
	[NR_TLB_LOCAL_FLUSH_ONE]         = "nr_tlb_local_flush_one",
	[SWAP_RA]                        = "swap_ra",
	[SWAP_RA_HIT]                    = "swap_ra_hit",
	[SWPIN_ZERO]                     = "swpin_zero",
	[SWPOUT_ZERO]                    = "swpout_zero",
	[DIRECT_MAP_LEVEL2_SPLIT]        = "direct_map_level2_splits",
	[DIRECT_MAP_LEVEL3_SPLIT]        = "direct_map_level3_splits",
};

/* The definitions take their size from the initializers; the sized declarations in
 * mm/internal.h make a count mismatch a compile error too. */
static_assert(ARRAY_SIZE(zone_stat_names) == NR_VM_ZONE_STAT_ITEMS, "a zone_stat_item has no name");
static_assert(ARRAY_SIZE(node_stat_names) == NR_VM_NODE_STAT_ITEMS, "a node_stat_item has no name");
static_assert(ARRAY_SIZE(vm_event_names) == NR_VM_EVENT_ITEMS, "a vm_event_item has no name");
