/* fs/proc/seq.h - a growable text buffer with seq_printf, as fs/seq_file.c gives /proc files. */
#ifndef VMLAB_FS_PROC_SEQ_H
#define VMLAB_FS_PROC_SEQ_H

#include <stddef.h>

#include "mm/internal.h"

struct seq_file {
	char *buf;   /* NUL-terminated text so far (malloc'd) */
	size_t len;  /* bytes used */
	size_t size; /* bytes allocated */
	int oom;     /* an allocation failed: the text is incomplete */
};

void seq_printf(struct seq_file *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Pads with spaces up to column `col` of the current line, then writes c if not 0. */
void seq_pad(struct seq_file *s, size_t col, char c);
/* "LABEL" then the value in kB right-aligned in `width`, then " kB\n" (show_val_kb). */
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

/* Values used by several views and by vmlab_meminfo/vmlab_task_stat. */
struct mem_values {
	uint64_t total_vm, rss_anon, rss_file, rss_shmem, swap, hiwater_vm, hiwater_rss, data, stack,
		text, lib, pte_kb, locked, pinned;
};
void task_mem_values(struct vmlab *m, struct mm_struct *mm, struct mem_values *v);

#endif
