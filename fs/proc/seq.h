/* fs/proc/seq.h - the /proc views' text buffer and their cross-file entry points.
 * The buffer plays fs/seq_file.c's role (seq_printf, seq_pad); the views are in the files of
 * Linux's names: task_mmu.c (maps, smaps, task_mem), array.c (status), meminfo.c,
 * vmstatinfo.c (vmstat, buddyinfo, zoneinfo; Linux: mm/vmstat.c), slabinfo.c
 * (mm/slab_common.c), vmallocinfo.c (mm/vmalloc.c); base.c holds the public vmlab_show and the
 * single-value readers. fs/proc only reads the machine; it never changes it.
 */
#ifndef VMLAB_FS_PROC_SEQ_H
#define VMLAB_FS_PROC_SEQ_H

#include <stddef.h>

#include "mm/internal.h"

struct seq_file {
	char *buf;   /* NUL-terminated text so far (malloc'd), NULL before the first write */
	size_t len;  /* bytes used, not counting the NUL */
	size_t size; /* bytes allocated */
	int oom;     /* an allocation failed: the text is incomplete, later writes are dropped */
};

void seq_printf(struct seq_file *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* seq_setwidth + seq_pad: pads the current line with spaces up to column `col` (0-based count
 * of characters since the last newline), then writes c unless it is 0. */
void seq_pad(struct seq_file *s, size_t col, char c);
/* LABEL, then kb right-aligned in `width` columns, then " kB\n" (show_val_kb, SEQ_PUT_DEC). */
void seq_kb(struct seq_file *s, const char *label, uint64_t kb, int width);

/* The views (each appends to s). */
void proc_maps(struct vmlab *m, struct task_struct *t, struct seq_file *s);
void proc_smaps(struct vmlab *m, struct task_struct *t, struct seq_file *s);
void proc_status(struct vmlab *m, struct task_struct *t, struct seq_file *s);
void proc_meminfo(struct vmlab *m, struct seq_file *s);
void proc_vmstat(struct vmlab *m, struct seq_file *s);
void proc_buddyinfo(struct vmlab *m, struct seq_file *s);
void proc_zoneinfo(struct vmlab *m, struct seq_file *s);
void proc_slabinfo(struct vmlab *m, struct seq_file *s);
void proc_vmallocinfo(struct vmlab *m, struct seq_file *s);
void proc_swaps(struct vmlab *m, struct seq_file *s);
/* cgroup.c: a memory cgroup's files; -ENOENT for a file it does not have. */
int cgroup_file_show(struct vmlab *m, struct mem_cgroup *memcg, const char *file, struct seq_file *s);
/* A memory.stat or memory.events value of the group; -ENOENT when there is no such key. */
int cgroup_stat_value(struct vmlab *m, struct mem_cgroup *memcg, const char *key, uint64_t *val);

/* task_mmu.c: the memory lines of status (VmPeak .. HugetlbPages). */
void task_mem(struct seq_file *s, const struct mm_struct *mm);
/* vmstatinfo.c: a node counter as /proc/vmstat shows it (bytes -> pages, THP -> huge pages,
 * never below 0). */
uint64_t node_stat_value(struct vmlab *m, enum node_stat_item i);

/* A signed counter as Linux reads it (get_mm_counter, ...): never below 0. */
static inline uint64_t clamp_counter(int64_t v)
{
	return v > 0 ? (uint64_t)v : 0;
}

#endif
