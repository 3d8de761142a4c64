/* sim/trace.h - traces inside the library: the readers and writers (sim/trace.c,
 * sim/trace_write.c), progress lines (sim/trace.c), decoding on a thread (sim/trace_ring.c),
 * and the replay engine (sim/replay.c) that sim/mrc.c drives for its sweeps. No kernel twin.
 *
 * The public side (vmlab_trace_*, vmlab_replay, vmlab_mrc) is in include/vmlab.h; the formats
 * are docs/replay.md and docs/vmt.md. Internal calls report errors into a caller's buffer
 * (msg, msgsz) instead of a FILE, so that several threads can run replays at once.
 */
#ifndef VMLAB_SIM_TRACE_H
#define VMLAB_SIM_TRACE_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <zstd.h>

#include "include/vmlab.h"

#define TRACE_BATCH 1024                 /* records decoded per vmlab_trace_read in the engines */
#define TRACE_USER_END 0x00007ffffffff000ull /* TASK_SIZE_MAX: replayed accesses stay below it */
#define TRACE_MSG 512                    /* room for one error message */

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* ---- sim/trace.c: opening a reader -------------------------------------------------------- */

/* Opens path (fd < 0) or the open descriptor fd (named path in messages; closed by
 * vmlab_trace_close, or here when the open fails). 0, or -1 with "vmlab: PATH: ..." in msg. */
int trace_open(const char *path, int fd, int format, vmlab_trace_t **out, char *msg, size_t msgsz);

/* ---- sim/trace.c: a reader's state (shared with sim/trace_text.c and sim/trace_vmt.c) --- */

#define TRACE_BUF_CAP (256u << 10) /* decoded bytes held at once: also the longest line */
#define TRACE_ZIN_CAP (128u << 10) /* compressed bytes read at once */
#define VMT_HEADER 16
#define VMT_BLOCK 4096       /* records in a block, at most */
#define VMT_MAXDATA 15       /* data bytes of a record, at most: delta 8, size 2, PID 5 */

struct vmlab_trace {
	char *name;         /* the path, for messages */
	int fd;
	int own_fd;         /* close fd at the end (not for standard input) */
	int format;         /* VMLAB_TRACE_TEXT, _LACKEY or _VMT */
	int failed;         /* a malformed record stopped the reader: err holds the message */
	char err[TRACE_MSG];
	/* the byte source */
	ZSTD_DStream *zs;   /* NULL: the file is not compressed */
	uint8_t *zin;       /* bytes read from the file and not yet decompressed (or, raw, not
	                     * yet copied: the first read, kept for format detection) */
	size_t zin_pos, zin_len;
	size_t zret;        /* last ZSTD_decompressStream result: 0 exactly at a frame's end */
	int src_eof;        /* read() has returned 0 */
	uint64_t raw_done;  /* bytes read from the file */
	uint64_t raw_total; /* its size, 0 when unknown */
	/* decoded bytes */
	uint8_t *buf;       /* TRACE_BUF_CAP bytes + 16: a supplied last newline, vmt's 8-byte loads */
	uint8_t *p, *end;   /* unread bytes */
	uint8_t *safe;      /* lines: just after the last newline */
	int eof;            /* nothing more after end */
	uint64_t base;      /* offset of buf[0] in the decoded stream */
	uint64_t line;      /* lines (vmt: records) consumed */
	/* vmt decoder state */
	uint64_t addr;      /* the previous record's */
	uint32_t pid;
	uint16_t size;
	int ended;          /* the end marker was read */
	const uint8_t *btag;  /* the open block: its next tag */
	const uint8_t *bdata; /* its next data byte */
	const uint8_t *bend;  /* the end of its data (t->p is there) */
	unsigned bleft;       /* its records not yet decoded */
	int bplain;           /* all of them plain, lengths checked: the fast loop may run */
	int bmodify;          /* one of them is an M */
	/* what the last vmlab_trace_read returned: every record a one-page access (none an M,
	 * none across a page boundary) by one PID, and their highest last byte. vmt knows it
	 * from its blocks' tags; text and lackey check their records (trace_read_lines) */
	int uniform;
	uint64_t uniform_hi;
	int stop_fd;        /* -1, or readable when the reader must stop: a thread waiting for a
	                     * pipe polls it with the file (sim/trace_ring.c) */
};

/* Stops the reader: "NAME:LINE: error: ..." in t->err; returns -1. */
int trace_fail(struct vmlab_trace *t, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Moves the unread bytes to the front of the buffer and reads more after them (lines: at
 * least to the next newline; vmt: one read). */
void trace_refill(struct vmlab_trace *t);

/* ---- sim/trace_text.c: text and lackey lines ------------------------------------------ */

size_t trace_read_lines(struct vmlab_trace *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t max);
/* VMLAB_TRACE_LACKEY or _TEXT for the lines in [p, end). */
int trace_detect_lines(const uint8_t *p, const uint8_t *end);

/* ---- sim/trace_vmt.c: vmt ---------------------------------------------------------------- */

extern const uint8_t trace_vmt_magic[8];
/* Reads the header (record 0) at t->p. 0, or -1 (t failed). */
int trace_vmt_header(struct vmlab_trace *t);
size_t trace_read_vmt(struct vmlab_trace *t, vmlab_trace_rec_t *r, uint64_t *lines, size_t max);

/* The page accesses one record makes, in order: an access touches every page it spans (at
 * most two: sizes are at most 4096), and M (VMLAB_ACC_MODIFY) is a load of those pages, then a
 * store (Simplification: a CPU's read-modify-write is one locked access per page). Replay, mrc, opt's next-use pass and the text writer all expand records this way,
 * so their access counts agree. Returns the number of accesses (1 to 4). */
static inline int trace_expand(const vmlab_trace_rec_t *r, uint64_t addr[4], uint8_t kind[4])
{
	uint64_t last = r->addr + r->size - 1;
	int span = (last >> 12) != (r->addr >> 12), n = 0;

	if (r->kind == VMLAB_ACC_MODIFY) {
		addr[n] = r->addr, kind[n++] = VMLAB_ACC_READ;
		if (span)
			addr[n] = last, kind[n++] = VMLAB_ACC_READ;
		addr[n] = r->addr, kind[n++] = VMLAB_ACC_WRITE;
		if (span)
			addr[n] = last, kind[n++] = VMLAB_ACC_WRITE;
		return n;
	}
	addr[n] = r->addr, kind[n++] = r->kind;
	if (span)
		addr[n] = last, kind[n++] = r->kind;
	return n;
}

/* A batch of records for the engines' loops. Line numbers: text and lackey fill line[];
 * vmt's are the record numbers, consecutive, so it is spared filling them. */
struct batch {
	vmlab_trace_rec_t rec[TRACE_BATCH];
	uint64_t line[TRACE_BATCH];
	size_t n;
	uint64_t first;  /* vmt: the record number of rec[0] */
	int vmt;
	int uniform;     /* the decoder said: one-page accesses (no M) of one PID, all in user
	                  * space below its last page */
	uint64_t raw_done, raw_total; /* vmlab_trace_progress once the batch was read */
};

static inline size_t batch_read(vmlab_trace_t *t, struct batch *b)
{
	b->vmt = vmlab_trace_format(t) == VMLAB_TRACE_VMT;
	b->first = t->line + 1; /* vmt counts records in line */
	b->n = vmlab_trace_read(t, b->rec, b->vmt ? NULL : b->line, TRACE_BATCH);
	/* every record one page of user space, all of one PID: the replay loop need not look */
	b->uniform = b->n && t->uniform && t->uniform_hi < TRACE_USER_END - 4096;
	b->raw_done = t->raw_done;
	b->raw_total = t->raw_total;
	return b->n;
}

static inline uint64_t batch_line(const struct batch *b, size_t i)
{
	return b->vmt ? b->first + i : b->line[i];
}

/* Progress on the terminal: nothing during the first second, then one line rewritten twice a
 * second (what, accesses done, rate, and with a known file size the share read and the time
 * left); progress_end erases it. Off unless `on`. */
struct progress {
	int on;          /* print at all (the caller checked that err is a terminal) */
	int shown;       /* a line is on the screen */
	double start;    /* seconds (CLOCK_MONOTONIC) at progress_start */
	double last;     /* when the line was last printed */
	const char *what;
	const char *unit; /* "accesses" unless the caller counts something else */
};

void progress_start(struct progress *p, int on, const char *what);
void progress_tick(struct progress *p, const vmlab_trace_t *t, uint64_t done, FILE *err);
/* The same from a batch's byte position (the trace itself may be another thread's). */
void progress_tick_batch(struct progress *p, const struct batch *b, uint64_t done, FILE *err);
void progress_end(struct progress *p, FILE *err);

/* ---- sim/trace_ring.c: decoding ahead on a thread ---------------------------------------- */

#define RING_BATCHES 32 /* batches decoded ahead, at most (with the one being replayed): fewer
                        * make the threads wake each other so often that the scheduler puts
                        * them on one CPU (8: vmt replay slower than inline) */

/* Batches of one trace in order, decoded by a thread of its own or inline. Fields under lock
 * when threaded; the invariants are in sim/trace_ring.c. */
struct ring {
	vmlab_trace_t *t;      /* the thread's alone between ring_start and the end */
	struct batch *ring;    /* RING_BATCHES batches (threaded) or one (inline) */
	int threaded;          /* a thread runs batch_read (else ring_next does) */
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t more;   /* the consumer waits for batches */
	pthread_cond_t room;   /* the thread waits for free slots */
	uint64_t made;         /* batches the thread has decoded */
	uint64_t used;         /* batches the consumer has finished with */
	int held;              /* the consumer holds batch `used` */
	int done;              /* the thread decoded its last batch (or was stopped) */
	int stop;              /* ring_end: stop decoding */
	int thread_waits, consumer_waits; /* who sleeps on room, on more */
	int stop_fd;           /* an eventfd when the trace is not a regular file, else -1 */
};

/* Starts handing out t's batches, decoded on a thread when `thread` (inline when the host
 * will not start one). 0, or -1 (out of host memory). t is not to be used until ring_next
 * returned NULL or ring_end returned. */
int ring_start(struct ring *q, vmlab_trace_t *t, int thread);
/* The next batch in trace order (valid until the next call), or NULL at the end of the
 * trace or before a malformed record: then vmlab_trace_error(t) says which. */
const struct batch *ring_next(struct ring *q);
/* Stops decoding (promptly, even a thread waiting for a pipe), joins the thread, frees the
 * batches. Always once after ring_start returned 0. */
void ring_end(struct ring *q);

/* ---- sim/replay.c: the engine ---------------------------------------------------------- */

struct replay_counters {
	uint64_t accesses, pgfault, pgmajfault, pswpin, pswpout, tlb_hit, tlb_miss, tlb_walk;
	uint64_t processes, implicit_mappings, sigsegv, oom_kill;
};

/* Next-use indices for Belady's OPT: for access i (counted as `accesses` counts them),
 * the index of the next access to the same page of the same trace PID, or NEXT_USE_NEVER.
 * Four bytes an access, in chunks of 2^20 (memory grows with the trace: the one exception). */
#define NEXT_USE_CHUNK_SHIFT 20
#define NEXT_USE_NEVER UINT32_MAX
struct next_use {
	uint32_t **chunk; /* chunk[i >> 20][i & (2^20 - 1)] */
	uint64_t n;       /* accesses */
	size_t nchunks, cap;
};

static inline uint64_t next_use_get(const struct next_use *nu, uint64_t i)
{
	uint32_t v = nu->chunk[i >> NEXT_USE_CHUNK_SHIFT][i & ((1u << NEXT_USE_CHUNK_SHIFT) - 1)];

	return v == NEXT_USE_NEVER ? UINT64_MAX : v;
}

/* First pass of --policy opt: reads the whole trace. 0, or -1 with msg (malformed trace, more
 * than 2^32 - 2 accesses, or out of host memory). */
int next_use_compute(const char *path, const vmlab_replay_opts_t *o, struct next_use *nu,
		     char *msg, size_t msgsz);
void next_use_free(struct next_use *nu);

/* The machine configuration the options ask for. 0, or -1 with msg. */
int replay_config(const vmlab_replay_opts_t *o, vmlab_config_t *cfg, char *msg, size_t msgsz);
/* The swap area of a replay with a resident limit and no --swap. */
void replay_default_swap(vmlab_config_t *cfg);
/* vmlab_create for replay: that default area shrinks (down to RAM) when the host cannot
 * reserve its address space. */
int replay_create(const vmlab_config_t *cfg, vmlab_t **m);

/* replay_run's flags */
#define REPLAY_READER_THREAD 1u /* decode on a thread of its own (sim/trace_ring.c) */
#define REPLAY_NO_HINTS 2u      /* ignore the batches' uniform hint: every batch goes through
                                 * the per-record loop (tests compare the two loops) */
#define REPLAY_READER_AUTO 4u   /* with REPLAY_READER_THREAD: only where decoding costs more
                                 * than the hand-over (not for uncompressed vmt) */

/* One replay of path on a machine made from cfg; nu is needed for policy "opt" (computed by
 * the caller, shared read-only by threads). Progress lines go to perr unless it is NULL.
 * Same counters (and the same error) whatever the flags. 0 with *c filled, or -1 with msg. */
int replay_run(const char *path, const vmlab_replay_opts_t *o, const vmlab_config_t *cfg,
	       const struct next_use *nu, struct replay_counters *c, char *msg, size_t msgsz,
	       FILE *perr, unsigned flags);

/* n replays of path, one machine each (cfgs[i] -> res[i]) on up to `threads` threads. Machines
 * share nothing, so they run in parallel. 0, or -1 with the message of the first failure. */
int replay_sweep(const char *path, const vmlab_replay_opts_t *o, const vmlab_config_t *cfgs,
		 size_t n, unsigned threads, const struct next_use *nu, struct replay_counters *res,
		 char *msg, size_t msgsz);

#endif /* VMLAB_SIM_TRACE_H */
