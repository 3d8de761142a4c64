/* vmlab.h - the public API of vmlab, the Linux virtual-memory system as a user-space library.
 *
 * Everything a program (the vmlab CLI included) may use is declared here; nothing else is
 * public. One opaque machine object (vmlab_t) holds all state. Processes are named by pid.
 * Calls that mirror system calls return 0 or a negative Linux errno (-EINVAL, -ENOMEM, ...).
 * Memory accesses return 0 or a positive signal number (VMLAB_SIGSEGV, VMLAB_SIGBUS) with
 * the details in a vmlab_fault_t. The library never calls exit() and never prints.
 */
#ifndef VMLAB_H
#define VMLAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMLAB_VERSION "0.1.0"

typedef struct vmlab vmlab_t;

/* ---- machine ------------------------------------------------------------------------ */

typedef struct vmlab_config {
	uint64_t ram;          /* bytes of simulated RAM (default 64 MiB) */
	uint64_t swap;         /* bytes of swap (default 0) */
	unsigned tlb_entries;  /* data TLB entries (default 64) */
	unsigned tlb_ways;     /* TLB associativity (default 4; entries when fully associative) */
	int pcid;              /* 1: tag TLB entries with PCIDs, no flush on switch (default 0) */
	int randomize;         /* 1: randomize the layout from seed (ASLR on) */
	uint64_t seed;         /* seed for every random choice */
	int check;             /* 1: run every invariant checker after every operation */
	unsigned nr_cpus;      /* CPUs with their own per-CPU page lists (default 1) */
	char policy[16];       /* page replacement policy name (default "linux") */
	char thp[8];           /* never | madvise | always (default never) */
	uint64_t disk_latency_ns; /* simulated disk: cost of each I/O request (default 100 us) */
	uint64_t disk_bw;         /* simulated disk: bytes a second (default 500 MiB/s) */
	uint64_t resident_pages;  /* 0: no limit; else at most this many user pages resident at
	                           * once, evicted by `policy` (replay --resident) */
	int swap_backing;         /* VMLAB_SWAP_MEMORY (default), VMLAB_SWAP_FILE or
	                           * VMLAB_SWAP_RAMDISK, below */
	int swappiness;           /* vm.swappiness, 0..200 (default 60) */
	int page_cluster;         /* vm.page-cluster, 0..31 (default 3; exact policies use 0) */
	int host_small_pages;     /* 0 (default): simulated RAM is backed by host huge pages
	                           * (fewer host faults when pages hold data); 1: by 4 KiB host
	                           * pages, so that only what is touched is committed (replay,
	                           * whose pages hold no bytes, sets it) */
	int general_paths;        /* 1: the common cases take the general code too (the lean
	                           * TLB-miss walk, exact-policy reclaim and LRU update are off);
	                           * same results, slower: tests compare the two */
	int swap_no_zeromap;      /* 0 (default): a page of zeros is not written to swap, only
	                           * marked (Linux 6.12+: swpout_zero, not pswpout); 1: it is
	                           * written and read like any page (pswpout, pswpin, disk time):
	                           * replay, whose pages hold no data, sets it */
} vmlab_config_t;

/* Where swapped pages live: a swap partition whose blocks are host memory (the swap cache and
 * readahead as on a disk), a temporary host file (created in $TMPDIR and unlinked at once), or
 * a RAM disk: host memory with synchronous I/O (Linux's SWP_SYNCHRONOUS_IO, as brd or zram):
 * a swap-in of a page that one PTE references skips the swap cache and readahead. */
#define VMLAB_SWAP_MEMORY 0
#define VMLAB_SWAP_FILE 1
#define VMLAB_SWAP_RAMDISK 2

void vmlab_config_default(vmlab_config_t *cfg);
/* Creates a machine. Returns 0 and sets *out, or -EINVAL (bad config) / -ENOMEM (host). */
int vmlab_create(const vmlab_config_t *cfg, vmlab_t **out);
void vmlab_destroy(vmlab_t *m);

/* ---- processes ---------------------------------------------------------------------- */

/* A new process with an empty address space and a stack; *pid receives its pid. */
int vmlab_spawn(vmlab_t *m, int *pid);
/* execve of a real ELF64 x86-64 program (a host file; static or dynamic, PIE or not): the
 * process's address space is replaced by the one Linux's ELF loader and glibc's ld.so would
 * leave before main (segments, bss, brk, interpreter, libraries, RELRO, stack with argv, envp
 * and auxv, [vvar]/[vdso]). argv[0] is the program's name as the caller wants it (an empty
 * argv becomes {""}). Returns 0, or -errno as execve does: -ENOENT (no such file, or its
 * interpreter or a library missing), -EACCES (not a regular file with an execute bit),
 * -ENOEXEC (not an ELF64 x86-64 program), -ELIBBAD (a bad interpreter or library), -EINVAL,
 * -E2BIG (arguments too large), -ENOMEM. Every such error leaves the process as it was; only
 * running out of memory after the old address space is gone kills it (vmlab_alive then says
 * 0). vmlab_exec_error tells why in one line. */
int vmlab_exec(vmlab_t *m, int pid, const char *path, int argc, const char *const *argv,
	       int envc, const char *const *envp);
/* The reason of the last failed vmlab_exec ("PATH: not an ELF file ..."), or "". */
const char *vmlab_exec_error(vmlab_t *m);
int vmlab_fork(vmlab_t *m, int pid, int *child);
int vmlab_exit(vmlab_t *m, int pid);
/* 1 if pid names a live process, else 0. */
int vmlab_alive(vmlab_t *m, int pid);
/* The initial stack pointer (top of the stack mapping). */
uint64_t vmlab_stack_top(vmlab_t *m, int pid);

/* ---- system calls (0 or -errno) ----------------------------------------------------- */

#define VMLAB_PROT_NONE 0x0
#define VMLAB_PROT_READ 0x1
#define VMLAB_PROT_WRITE 0x2
#define VMLAB_PROT_EXEC 0x4

#define VMLAB_MAP_SHARED 0x01
#define VMLAB_MAP_PRIVATE 0x02
#define VMLAB_MAP_FIXED 0x10
#define VMLAB_MAP_ANONYMOUS 0x20
#define VMLAB_MAP_GROWSDOWN 0x0100
#define VMLAB_MAP_LOCKED 0x2000
#define VMLAB_MAP_NORESERVE 0x4000
#define VMLAB_MAP_POPULATE 0x8000
#define VMLAB_MAP_FIXED_NOREPLACE 0x100000

#define VMLAB_MREMAP_MAYMOVE 1
#define VMLAB_MREMAP_FIXED 2

#define VMLAB_MADV_NORMAL 0
#define VMLAB_MADV_RANDOM 1
#define VMLAB_MADV_SEQUENTIAL 2
#define VMLAB_MADV_WILLNEED 3
#define VMLAB_MADV_DONTNEED 4
#define VMLAB_MADV_FREE 8
#define VMLAB_MADV_DONTFORK 10
#define VMLAB_MADV_DOFORK 11
#define VMLAB_MADV_HUGEPAGE 14
#define VMLAB_MADV_NOHUGEPAGE 15
#define VMLAB_MADV_COLD 20
#define VMLAB_MADV_PAGEOUT 21

int vmlab_mmap(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int prot, int flags,
	       uint64_t *out);
/* mmap of a host file (read-only on the host unless under the writable directory).
 * offset must be page-aligned. -ENOENT (no such file), -ENODEV (a directory), -EACCES. */
int vmlab_mmap_file(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int prot, int flags,
		    const char *path, uint64_t offset, uint64_t *out);
/* msync(MS_SYNC): writes dirty shared file pages of the range back (when allowed). */
int vmlab_msync(vmlab_t *m, int pid, uint64_t addr, uint64_t len);
/* echo 1 > /proc/sys/vm/drop_caches: frees clean unmapped page-cache pages. */
int vmlab_drop_caches(vmlab_t *m);
/* Host files under dir may be written back (vmlab run --writable DIR); NULL: none. */
int vmlab_set_writable_dir(vmlab_t *m, const char *dir);
int vmlab_munmap(vmlab_t *m, int pid, uint64_t addr, uint64_t len);
int vmlab_mprotect(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int prot);
int vmlab_mremap(vmlab_t *m, int pid, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
		 int flags, uint64_t new_addr, uint64_t *out);
/* sbrk semantics: moves the break by delta, *old_brk receives the previous break. */
int vmlab_brk(vmlab_t *m, int pid, int64_t delta, uint64_t *old_brk);
int vmlab_madvise(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int advice);
/* mlock/munlock: pages of the range stay resident (faulted in now) / may be reclaimed again.
 * -ENOMEM when part of the range is not mapped. */
int vmlab_mlock(vmlab_t *m, int pid, uint64_t addr, uint64_t len);
int vmlab_munlock(vmlab_t *m, int pid, uint64_t addr, uint64_t len);
/* /proc/PID/oom_score_adj: -1000 (never chosen) .. 1000. -EINVAL outside. */
int vmlab_set_oom_score_adj(vmlab_t *m, int pid, int adj);

/* ---- memory cgroups (cgroup v2 memory controller) ------------------------------------ */

#define VMLAB_CGROUP_MAX UINT64_MAX /* the value "max" of a limit */

/* Creates group name under parent (NULL or "": the root). Names follow the scenario rules.
 * 0, -EEXIST, -ENOENT (no such parent), -ENOSPC (too many groups), -EINVAL (bad name, or an
 * exact replacement policy: groups need policy linux). */
int vmlab_cgroup_create(vmlab_t *m, const char *name, const char *parent);
/* Writes a limit in bytes (rounded down to pages) or VMLAB_CGROUP_MAX: "memory.max",
 * "memory.high", "memory.low", "memory.min", "memory.swap.max". A lower memory.max or
 * memory.high reclaims (memory.max may OOM-kill) at once. 0, -ENOENT, -EINVAL. */
int vmlab_cgroup_set(vmlab_t *m, const char *name, const char *file, uint64_t value);
/* Moves process pid into the group (cgroup.procs); NULL or "" moves it to the root. */
int vmlab_cgroup_attach(vmlab_t *m, const char *name, int pid);
/* A value of the group: "memory.current", "memory.swap.current", "memory.peak", the limits,
 * a memory.stat key ("anon", "file", "pgfault", ...: sizes in bytes, events as counts) or a
 * memory.events key ("max", "oom", "oom_kill", ...). 0, -ENOENT. */
int vmlab_cgroup_read(vmlab_t *m, const char *name, const char *key, uint64_t *val);
/* Renders memory.stat, memory.events, memory.current, memory.max ... of a group as the
 * cgroup file would read (*out malloc'd). 0, -ENOENT. */
int vmlab_cgroup_show(vmlab_t *m, const char *name, const char *file, char **out);

/* ---- page replacement ------------------------------------------------------------------ */

/* The replacement policy called name: 0 with *exact (it sees every access) and *needs_future
 * (it needs vmlab_set_next_use: opt) set (either may be NULL), or -ENOENT. */
int vmlab_policy_info(const char *name, int *exact, int *needs_future);
/* Every policy's name, separated by "|" ("linux|lru|..."). */
const char *vmlab_policy_names(void);

/* For the opt policy: when the page of the next access will be accessed again (a position in
 * the trace; UINT64_MAX for never). Call before each access; other policies ignore it. */
void vmlab_set_next_use(vmlab_t *m, uint64_t next_use);

/* ---- memory accesses ---------------------------------------------------------------- */

#define VMLAB_SIGBUS 7
#define VMLAB_SIGSEGV 11
#define VMLAB_SIGKILL 9

#define VMLAB_SEGV_MAPERR 1
#define VMLAB_SEGV_ACCERR 2
#define VMLAB_BUS_ADRERR 2

typedef struct vmlab_fault {
	int signo;      /* 0, VMLAB_SIGSEGV or VMLAB_SIGBUS */
	int code;       /* si_code: SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR */
	uint64_t addr;  /* the faulting address (CR2) */
	unsigned error; /* x86 page-fault error code */
} vmlab_fault_t;

#define VMLAB_ACC_READ 0
#define VMLAB_ACC_WRITE 1
#define VMLAB_ACC_EXEC 2

/* One access of one byte at addr by pid (the hot path). 0 or a signal number. */
int vmlab_access(vmlab_t *m, int pid, uint64_t addr, int kind);
/* The accesses of n calls vmlab_access(m, pid, r[i].addr, r[i].kind), in order, up to and
 * including the first that does not return 0 (each record is one access of kind READ, WRITE
 * or EXEC; its size and pid are not looked at). Returns how many calls that stands for, with
 * the last one's result in *sig (0 when all returned 0). The batch form replay uses. */
struct vmlab_trace_rec;
size_t vmlab_access_recs(vmlab_t *m, int pid, const struct vmlab_trace_rec *r, size_t n, int *sig);
/* Copies len bytes between the process's memory and buf, page by page, faulting as the CPU
 * would. Stops at the first signal: returns it with *f filled (f may be NULL). */
int vmlab_load(vmlab_t *m, int pid, uint64_t addr, void *buf, uint64_t len, vmlab_fault_t *f);
int vmlab_store(vmlab_t *m, int pid, uint64_t addr, const void *buf, uint64_t len,
		vmlab_fault_t *f);
/* Fills len bytes with one byte value. */
int vmlab_fill(vmlab_t *m, int pid, uint64_t addr, int byte, uint64_t len, vmlab_fault_t *f);
/* One access at every 4 KiB step of [addr, addr+len), as `touch` does. */
int vmlab_touch(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int kind, vmlab_fault_t *f);

/* ---- counters ---------------------------------------------------------------------- */

/* A /proc/vmstat counter by name; sets *val and returns 0, or -ENOENT. */
int vmlab_vmstat(vmlab_t *m, const char *name, uint64_t *val);
/* A /proc/meminfo value in bytes by key (e.g. "MemFree"); 0 or -ENOENT. */
int vmlab_meminfo(vmlab_t *m, const char *key, uint64_t *bytes);
/* Per-process values: "minflt", "majflt", "rss" (bytes), "vmsize" (bytes), and any
 * /proc/PID/status memory line ("VmRSS", ...) in bytes. 0, -ESRCH or -ENOENT. */
int vmlab_task_stat(vmlab_t *m, int pid, const char *name, uint64_t *val);
/* TLB counters of the CPU: hits, misses, walks, flushes (full), flush_one (invlpg). */
typedef struct vmlab_tlb_stats {
	uint64_t hits, misses, walks, flush_all, flush_one;
} vmlab_tlb_stats_t;
void vmlab_tlb_stats(vmlab_t *m, vmlab_tlb_stats_t *st);

/* Simulated time in nanoseconds: the disk reads and writebacks done so far cost
 * latency + bytes / bandwidth each (accesses and faults themselves take no simulated time). */
uint64_t vmlab_clock_ns(vmlab_t *m);

/* ---- /proc views -------------------------------------------------------------------- */

/* Renders a /proc file into a malloc'd NUL-terminated string (*out, caller frees).
 * what: maps smaps status meminfo vmstat buddyinfo slabinfo vmallocinfo zoneinfo swaps.
 * pid is used by the per-process views. 0, -ENOENT (unknown view), -ESRCH, -ENOMEM. */
int vmlab_show(vmlab_t *m, const char *what, int pid, char **out);

/* ---- events (explain mode) ----------------------------------------------------------- */

enum vmlab_event_type {
	VMLAB_EV_ACCESS,     /* an access begins: addr, kind */
	VMLAB_EV_TLB_HIT,    /* addr, pfn */
	VMLAB_EV_TLB_MISS,   /* addr */
	VMLAB_EV_WALK_LEVEL, /* level (4=PGD..1=PTE), index, table pfn, entry value */
	VMLAB_EV_FAULT,      /* addr, error code, handler name in text, why in text2 */
	VMLAB_EV_SIGNAL,     /* signo, code, addr */
	VMLAB_EV_ALLOC,      /* pfn, order, text: what for */
	VMLAB_EV_FREE,       /* pfn, order */
	VMLAB_EV_TLB_FLUSH,  /* addr (or 0 for all), value: number of pages */
	VMLAB_EV_NOTE,       /* free text */
};

typedef struct vmlab_event {
	enum vmlab_event_type type;
	int pid;
	int level;
	int kind;
	unsigned index;
	uint64_t addr;
	uint64_t pfn;
	uint64_t value;
	unsigned order;
	const char *text;
	const char *text2;
} vmlab_event_t;

typedef void (*vmlab_event_fn)(void *ctx, const vmlab_event_t *ev);
/* Installs a hook that receives every event (NULL removes it). */
void vmlab_set_event_hook(vmlab_t *m, vmlab_event_fn fn, void *ctx);
/* Formats an event as one line of explanation text (no newline) into buf. */
void vmlab_event_format(const vmlab_event_t *ev, char *buf, size_t size);

/* ---- invariant checkers -------------------------------------------------------------- */

/* Runs every checker. 0 when all hold; otherwise -EFAULT with a one-line reason in buf. */
int vmlab_check(vmlab_t *m, char *buf, size_t size);

/* Errno name ("EINVAL") for a negative errno, or "E?" */
const char *vmlab_errno_name(int err);
/* Parses "ENOMEM" etc. into a negative errno; 0 if unknown. */
int vmlab_errno_parse(const char *name);

/* ---- scenarios ------------------------------------------------------------------------ */

typedef struct vmlab_run_opts {
	int explain;              /* narrate every access, walk and fault on out */
	int check;                /* run every invariant checker after every statement */
	int have_seed;            /* seed given: randomize the layout with it */
	uint64_t seed;
	const char *writable_dir; /* host files under it may be written back (files issue) */
	int quiet;                /* no /proc views or narration, only errors and results */
} vmlab_run_opts_t;

/* Runs a scenario file (docs/vmscript.md). Output (show views, kill messages, narration) goes
 * to out, errors and failed expectations to err. Returns the exit status: 0 all held, 1 an
 * expect failed, 2 the scenario is malformed or names what does not exist. */
int vmlab_run_script(const char *path, const vmlab_run_opts_t *opts, FILE *out, FILE *err);

/* ---- traces (docs/replay.md; the vmt format: docs/vmt.md) --------------------------------- */

#define VMLAB_TRACE_AUTO 0   /* by the first bytes: vmt magic, else lackey or text lines */
#define VMLAB_TRACE_TEXT 1   /* "[PID ]R|W ADDR" lines */
#define VMLAB_TRACE_LACKEY 2 /* valgrind --tool=lackey --trace-mem=yes */
#define VMLAB_TRACE_VMT 3    /* vmlab's compact binary format */

#define VMLAB_ACC_MODIFY 3   /* record kind: a load, then a store (lackey's M) */

/* One trace record: `size` bytes at addr, accessed by trace process pid. */
typedef struct vmlab_trace_rec {
	uint64_t addr;
	uint32_t pid;   /* the trace's PID (1 when the format has none) */
	uint16_t size;  /* 1 to 4096 */
	uint8_t kind;   /* VMLAB_ACC_READ, _WRITE, _EXEC or _MODIFY */
	uint8_t pad;
} vmlab_trace_rec_t;

typedef struct vmlab_trace vmlab_trace_t;

/* Opens a trace for streaming (memory does not grow with its length). path "-" is standard
 * input. zstd compression is recognised by its magic (and required by a .zst suffix). Returns
 * 0, or 2 with "vmlab: PATH: ..." on err. */
int vmlab_trace_open(const char *path, int format, vmlab_trace_t **out, FILE *err);
/* The same over an open descriptor (a pipe), which vmlab_trace_close closes (and a failed
 * open too); name is used in messages. */
int vmlab_trace_fdopen(int fd, const char *name, int format, vmlab_trace_t **out, FILE *err);
/* Decodes up to max records into r (and their line numbers into lines, when not NULL; for
 * vmt the record number). Returns how many; 0 at the end of the trace or on a malformed
 * record, after which vmlab_trace_error says which. */
size_t vmlab_trace_read(vmlab_trace_t *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t max);
/* One record: 1, 0 at the end, -1 malformed (see vmlab_trace_error). */
int vmlab_trace_next(vmlab_trace_t *t, vmlab_trace_rec_t *r);
/* "TRACE:LINE: error: ..." once a read stopped on a malformed trace; NULL otherwise. */
const char *vmlab_trace_error(const vmlab_trace_t *t);
/* The format (VMLAB_TRACE_TEXT, _LACKEY or _VMT) once detected, else VMLAB_TRACE_AUTO. */
int vmlab_trace_format(const vmlab_trace_t *t);
/* Bytes of the file consumed so far and its size (0 when unknown, as for a pipe). */
void vmlab_trace_progress(const vmlab_trace_t *t, uint64_t *done, uint64_t *total);
void vmlab_trace_close(vmlab_trace_t *t);

typedef struct vmlab_trace_writer vmlab_trace_writer_t;
/* Writes a trace in format (TEXT, LACKEY or VMT), zstd-compressed when zstd, to f (which
 * stays open; name is used in messages). 0, or 2 with a message on err. */
int vmlab_trace_writer_open(FILE *f, const char *name, int format, int zstd,
			    vmlab_trace_writer_t **out, FILE *err);
/* 0, or -1 when the record cannot be written (the error is reported by _close). Text keeps
 * the accesses, not the records: M, EXEC and page-spanning records become the R/W lines of
 * the accesses they make. */
int vmlab_trace_write(vmlab_trace_writer_t *w, const vmlab_trace_rec_t *r);
/* Ends the trace (vmt's end marker, the zstd frame), flushes and frees w. 0, or 2 with a
 * message on err. */
int vmlab_trace_writer_close(vmlab_trace_writer_t *w, FILE *err);
/* Copies every record of in to w (vmlab convert, vmlab record), with progress lines on err
 * when progress is set. 0, or 2 with "TRACE:LINE: error: ..." on err. Closes neither. */
int vmlab_trace_copy(vmlab_trace_t *in, vmlab_trace_writer_t *w, int progress, FILE *err);

/* ---- trace replay ----------------------------------------------------------------------- */

typedef struct vmlab_replay_opts {
	uint64_t ram;          /* bytes of RAM (0: default) */
	unsigned tlb_entries;  /* TLB entries (0: default) */
	int format;            /* VMLAB_TRACE_* (0: auto) */
	int strict;            /* accesses outside every mapping are SIGSEGV (counted) */
	int json;              /* counters as one JSON object */
	uint64_t swap;         /* bytes of swap (0: none) -> vmlab_config_t.swap */
	uint64_t resident_pages; /* 0: no limit -> vmlab_config_t.resident_pages */
	const char *policy;    /* NULL: the machine's default -> vmlab_config_t.policy */
	int progress;          /* progress lines on err (the caller checks that it is a terminal) */
} vmlab_replay_opts_t;

/* Replays a trace (../shared/spec/replay.md; docs/replay.md), streaming, and prints the
 * counters. Returns 0, or 2 with "TRACE:LINE: error: ..." on err for a malformed trace
 * (or "vmlab: ..." for a missing file or a machine the options cannot make). */
int vmlab_replay(const char *path, const vmlab_replay_opts_t *o, FILE *out, FILE *err);

/* Belady's OPT reads the trace ahead: before each vmlab_access, replay with policy "opt"
 * passes the index of the next access to the same page by the same process (accesses
 * counted from 0 as `accesses` counts them), or UINT64_MAX when there is none
 * (vmlab_set_next_use, under "page replacement" above). */

/* ---- miss-ratio curves ------------------------------------------------------------------ */

typedef struct vmlab_mrc_opts {
	vmlab_replay_opts_t replay; /* format; and for sweeps the machine (ram, tlb, swap,
	                             * policy: NULL or "lru" is the one-pass LRU curve) */
	double sample;         /* 0: exact; in (0, 1): SHARDS sampling rate (LRU only) */
	const uint64_t *sizes; /* the memory sizes (pages) to report, or NULL: */
	size_t nsizes;
	unsigned points;       /* that many evenly spaced sizes up to max (0: every size for LRU,
	                        * 20 for a sweep) */
	uint64_t max;          /* the largest size (0: the trace's distinct pages) */
	unsigned threads;      /* sweep threads (0: one a CPU) */
	int sweep;             /* 1: the LRU curve by replays too (one a size) */
	FILE *svg;             /* not NULL: an SVG plot of the curve goes there */
	const char *svg_title; /* its title (the trace name when NULL) */
} vmlab_mrc_opts_t;

/* The miss-ratio curve of a trace: CSV lines "pages,misses,miss_ratio" on out. 0, or 2 with
 * a message on err. */
int vmlab_mrc(const char *path, const vmlab_mrc_opts_t *o, FILE *out, FILE *err);

#ifdef __cplusplus
}
#endif
#endif /* VMLAB_H */
