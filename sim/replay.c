/* sim/replay.c - trace replay (../shared/spec/replay.md; docs/replay.md): the engine.
 *
 * No kernel twin. Streams a trace (sim/trace.c) through the same machine scenarios use (TLB,
 * page tables, faults, reclaim), one process per trace PID, and prints the counters at the
 * end. An access outside every mapping of its process creates an anonymous private mapping
 * around it (the 2 MiB-aligned region, or just the page where that overlaps), unless
 * --strict: then it is a SIGSEGV, counted, and the replay goes on.
 *
 * The loop takes records in batches of TRACE_BATCH, which vmlab_replay has decoded on a
 * thread of its own (sim/trace_ring.c; inline in the sweeps and on one CPU), and hands runs
 * of one-page records by one process to vmlab_access_recs (on a TLB hit: one set probe an
 * access); when the decoder vouches that a whole batch is such a run (vmt: plain blocks of
 * size 1 without M; text and lackey: checked on the reader thread), the loop does not even
 * look at the records. --policy opt first reads the whole trace to learn each access's next use
 * (next_use_compute: four bytes an access, the one mode whose memory grows with the trace),
 * then hands it to the machine before each access (vmlab_set_next_use). replay_sweep runs
 * several replays on threads: machines share no state, so one machine per thread is safe.
 *
 * Entry points: vmlab_replay, replay_config, replay_run, replay_sweep, next_use_compute.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/pagemap.h"
#include "sim/trace.h"

#define MAX_PROCS 4096        /* distinct trace PIDs (each a simulated process) */
#define PID_SLOTS 8192        /* open-addressing table of trace PIDs: twice MAX_PROCS */
#define REGION (2ull << 20)   /* implicit mappings cover the 2 MiB region around an access */
#define REPLAY_DEFAULT_SWAP (64ull << 30) /* a RAM disk, for --resident without --swap */

struct pidslot {
	uint32_t tpid;  /* the trace's PID */
	int used;
	int pid;        /* the machine's pid; 0 once the process was killed (respawned on use) */
};

struct replay {
	vmlab_t *m;
	const vmlab_replay_opts_t *o;
	const struct next_use *nu; /* policy opt: next-use indices; else NULL */
	struct pidslot slot[PID_SLOTS];
	unsigned flags;            /* REPLAY_* */
	int nslots;                /* trace PIDs seen */
	uint64_t accesses, sigsegv, implicit_maps, killed, spawned;
	int spawn_failed;          /* the last slot_for failed in vmlab_spawn (not the PID limit) */
	const char *path;
	char *msg;
	size_t msgsz;
};

static int engine_error(struct replay *r, uint64_t line, const char *what, uint64_t addr)
{
	if (line)
		snprintf(r->msg, r->msgsz, "%s:%llu: error: %s", r->path, (unsigned long long)line, what);
	else
		snprintf(r->msg, r->msgsz, "vmlab: %s: %s", r->path, what);
	if (addr != UINT64_MAX) {
		size_t n = strlen(r->msg);

		snprintf(r->msg + n, r->msgsz - n, " (0x%llx)", (unsigned long long)addr);
	}
	return -1;
}

/* The slot of a trace PID, its process started when it has none (first use, or killed). */
static struct pidslot *slot_for(struct replay *r, uint32_t tpid)
{
	unsigned h = (tpid * 0x9e3779b1u) >> 19; /* 13 bits: PID_SLOTS */
	struct pidslot *s;

	for (;; h = (h + 1) & (PID_SLOTS - 1)) {
		s = &r->slot[h];
		if (!s->used || s->tpid == tpid)
			break;
	}
	r->spawn_failed = 0;
	if (!s->used) {
		if (r->nslots == MAX_PROCS)
			return NULL;
		s->used = 1;
		s->tpid = tpid;
		s->pid = 0;
		r->nslots++;
	}
	if (!s->pid) {
		if (vmlab_spawn(r->m, &s->pid)) {
			s->pid = 0;
			r->spawn_failed = 1;
			return NULL;
		}
		r->spawned++;
	}
	return s;
}

static inline void tell_next_use(struct replay *r)
{
	vmlab_set_next_use(r->m, next_use_get(r->nu, r->accesses));
}

/* The access came back with sig != 0: map memory around it (unless strict), count SIGSEGV,
 * respawn killed processes. 0, or what went wrong: a negative errno from the machine, or
 * NO_PROCESS. */
#define NO_PROCESS 1
static int access_failed(struct replay *r, struct pidslot *s, uint64_t addr, int kind, int sig)
{
	int tries;

	for (tries = 0; tries < 3 && sig; tries++) {
		if (sig == -ESRCH) {
			/* the OOM killer chose this process while another one faulted */
			r->killed++;
			s->pid = 0;
			if (!slot_for(r, s->tpid))
				return NO_PROCESS;
		} else if (sig == VMLAB_SIGSEGV && !r->o->strict) {
			/* Simplification: a trace has the accesses, not the mmap calls behind them, so
			 * memory outside every mapping is mapped on demand. */
			uint64_t out, base = addr & ~(REGION - 1);
			const int prot = VMLAB_PROT_READ | VMLAB_PROT_WRITE | VMLAB_PROT_EXEC;

			/* nothing mapped there: the 2 MiB region around it, or the page when that
			 * overlaps a mapping; when both overlap, it was a protection fault */
			if (vmlab_mmap(r->m, s->pid, base, REGION, prot,
				       VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED_NOREPLACE, &out) &&
			    vmlab_mmap(r->m, s->pid, addr & ~4095ull, 4096, prot,
				       VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED_NOREPLACE, &out))
				break;
			r->implicit_maps++;
		} else {
			break;
		}
		if (r->nu)
			tell_next_use(r);
		sig = vmlab_access(r->m, s->pid, addr, kind);
	}
	if (!sig)
		return 0;
	if (sig == VMLAB_SIGSEGV || sig == VMLAB_SIGBUS) {
		r->sigsegv++;
		return 0;
	}
	if (sig == VMLAB_SIGKILL) {
		/* out of memory: the process dies. Simplification: its trace PID starts a new,
		 * empty process at its next access (a real program would have ended). */
		if (vmlab_alive(r->m, s->pid))
			vmlab_exit(r->m, s->pid);
		r->killed++;
		s->pid = 0;
		return 0;
	}
	return sig;
}

/* Why slot_for found no process. */
static const char *no_process(const struct replay *r)
{
	return r->spawn_failed ? "cannot start a process (out of memory)" : "too many processes";
}

static const char *failure_text(const struct replay *r, int code)
{
	return code == NO_PROCESS ? no_process(r) : vmlab_errno_name(code);
}

/* Every access of one record that is not a plain one-page access. */
static int record_slow(struct replay *r, const vmlab_trace_rec_t *e)
{
	uint64_t a[4];
	uint8_t k[4];
	int n = trace_expand(e, a, k), i;

	for (i = 0; i < n; i++) {
		struct pidslot *s = slot_for(r, e->pid);
		int sig;

		if (!s)
			return NO_PROCESS;
		if (r->nu)
			tell_next_use(r);
		sig = vmlab_access(r->m, s->pid, a[i], k[i]);
		if (sig && (sig = access_failed(r, s, a[i], k[i], sig)))
			return sig;
		r->accesses++;
	}
	return 0;
}

static int replay_loop(struct replay *r, struct ring *q, FILE *perr)
{
	const struct batch *b;
	struct pidslot *cur = NULL;
	struct progress pr;
	vmlab_t *m = r->m;
	uint64_t acc = 0;   /* r->accesses, kept in a register; stored around the slow paths */
	uint32_t tpid = 0;  /* cur's trace PID */
	int pid = 0;        /* cur's process; 0: look the slot up again */
	const int opt = r->nu != NULL, hints = !(r->flags & REPLAY_NO_HINTS);
	size_t n, i;

	progress_start(&pr, perr != NULL, "replay");
	while ((b = ring_next(q)) != NULL) {
		n = b->n;
		if (b->uniform && hints && !opt) {
			/* the decoder vouches for every record: one call for the whole batch, and
			 * the next after each access that needed attention */
			for (i = 0; i < n;) {
				int sig, rc;
				size_t done;

				if (b->rec[i].pid != tpid || !pid) {
					/* (again after an OOM kill) */
					cur = slot_for(r, b->rec[i].pid);
					if (!cur)
						return engine_error(r, batch_line(b, i), no_process(r), UINT64_MAX);
					tpid = b->rec[i].pid;
					pid = cur->pid;
				}
				done = vmlab_access_recs(m, pid, &b->rec[i], n - i, &sig);
				acc += done;
				i += done;
				if (unlikely(sig)) {
					const vmlab_trace_rec_t *e = &b->rec[i - 1];

					r->accesses = --acc;
					if ((rc = access_failed(r, cur, e->addr, e->kind, sig)))
						return engine_error(r, batch_line(b, i - 1), failure_text(r, rc), UINT64_MAX);
					pid = cur->pid;
					acc++;
				}
			}
			progress_tick_batch(&pr, b, acc, perr);
			continue;
		}
		for (i = 0; i < n; i++) {
			const vmlab_trace_rec_t *e = &b->rec[i];
			uint64_t last = e->addr + e->size - 1;
			int sig, rc;

			if (likely(pid && !opt && e->pid == tpid)) {
				/* the common case: a run of one-page accesses by the same process, in
				 * user space, made by one call */
				size_t j = i, done;

				while (j < n && b->rec[j].pid == tpid && b->rec[j].kind != VMLAB_ACC_MODIFY &&
				       b->rec[j].addr < TRACE_USER_END - 4096 &&
				       !(((b->rec[j].addr + b->rec[j].size - 1) ^ b->rec[j].addr) >> 12))
					j++;
				if (j > i) {
					done = vmlab_access_recs(m, pid, e, j - i, &sig);
					acc += done;
					i += done - 1;
					if (unlikely(sig)) {
						e = &b->rec[i];
						r->accesses = --acc;
						if ((rc = access_failed(r, cur, e->addr, e->kind, sig)))
							return engine_error(r, batch_line(b, i), failure_text(r, rc), UINT64_MAX);
						pid = cur->pid;
						acc++;
					}
					continue;
				}
			}

			if (unlikely(last >= TRACE_USER_END || last < e->addr))
				return engine_error(r, batch_line(b, i), "address outside user space", e->addr);
			if (unlikely(e->pid != tpid || !pid)) {
				cur = slot_for(r, e->pid);
				if (!cur)
					return engine_error(r, batch_line(b, i), no_process(r), UINT64_MAX);
				tpid = e->pid;
				pid = cur->pid;
			}
			if (likely(e->kind != VMLAB_ACC_MODIFY && !((last ^ e->addr) >> 12))) {
				if (unlikely(opt)) {
					r->accesses = acc;
					tell_next_use(r);
				}
				sig = vmlab_access(m, pid, e->addr, e->kind);
				if (unlikely(sig)) {
					r->accesses = acc;
					if ((rc = access_failed(r, cur, e->addr, e->kind, sig)))
						return engine_error(r, batch_line(b, i), failure_text(r, rc), UINT64_MAX);
					pid = cur->pid;
				}
				acc++;
				continue;
			}
			r->accesses = acc;
			rc = record_slow(r, e);
			if (rc)
				return engine_error(r, batch_line(b, i), failure_text(r, rc), UINT64_MAX);
			acc = r->accesses;
			pid = 0;
		}
		progress_tick_batch(&pr, b, acc, perr);
	}
	r->accesses = acc;
	progress_end(&pr, perr);
	if (vmlab_trace_error(q->t)) {
		snprintf(r->msg, r->msgsz, "%s", vmlab_trace_error(q->t));
		return -1;
	}
	return 0;
}

void replay_default_swap(vmlab_config_t *cfg)
{
	/* evicted pages need somewhere to go: a RAM disk of 64 GiB (its host memory is committed
	 * only as slots are used, and a page of a trace holds no data) */
	cfg->swap = REPLAY_DEFAULT_SWAP;
	cfg->swap_backing = VMLAB_SWAP_RAMDISK;
}

/* vmlab_create, but a default swap area that the host cannot reserve address space for (a
 * ulimit -v, valgrind) is halved until it fits, down to the size of RAM. */
int replay_create(const vmlab_config_t *cfg, vmlab_t **m)
{
	vmlab_config_t c = *cfg;
	int e = vmlab_create(&c, m);

	while (e == -ENOMEM && cfg->swap == REPLAY_DEFAULT_SWAP &&
	       cfg->swap_backing == VMLAB_SWAP_RAMDISK && c.swap / 2 >= c.ram) {
		c.swap /= 2;
		e = vmlab_create(&c, m);
	}
	return e;
}

int replay_config(const vmlab_replay_opts_t *o, vmlab_config_t *cfg, char *msg, size_t msgsz)
{
	vmlab_config_default(cfg);
	if (o->ram)
		cfg->ram = o->ram;
	if (o->tlb_entries) {
		cfg->tlb_entries = o->tlb_entries;
		if (cfg->tlb_ways > cfg->tlb_entries)
			cfg->tlb_ways = cfg->tlb_entries;
	}
	cfg->swap = o->swap;
	cfg->resident_pages = o->resident_pages;
	if (o->resident_pages && !o->swap)
		replay_default_swap(cfg);
	/* a trace carries no data, so every page holds zeros: count a swapped page as written and
	 * read (pswpout, pswpin), not as a zeromap bit */
	cfg->swap_no_zeromap = 1;
	/* nor bytes at all: its frames are never written, and host huge pages would commit and
	 * zero 2 MiB wherever a page table or slab page lands (25 MiB for the Zipf benchmark
	 * trace against 6 MiB with 4 KiB pages) */
	cfg->host_small_pages = 1;
	if (o->policy) {
		if (!*o->policy || strlen(o->policy) >= sizeof(cfg->policy)) {
			snprintf(msg, msgsz, "vmlab: --policy %s: unknown policy", o->policy);
			return -1;
		}
		if (vmlab_policy_info(o->policy, NULL, NULL)) {
			snprintf(msg, msgsz, "vmlab: --policy %s: unknown policy (%s)", o->policy,
				 vmlab_policy_names());
			return -1;
		}
		snprintf(cfg->policy, sizeof(cfg->policy), "%s", o->policy);
	}
	return 0;
}

/* A machine for cfg, or NULL with a message naming the settings it rejects. */
static vmlab_t *make_machine(const char *path, const vmlab_config_t *cfg, char *msg, size_t msgsz)
{
	vmlab_t *m;
	int e = replay_create(cfg, &m);
	char what[160] = "";
	size_t n = 0;

	if (!e)
		return m;
	if (cfg->resident_pages)
		n += (size_t)snprintf(what + n, sizeof(what) - n, " --resident %llu",
				      (unsigned long long)cfg->resident_pages);
	if (strcmp(cfg->policy, "linux") && n < sizeof(what))
		n += (size_t)snprintf(what + n, sizeof(what) - n, " --policy %s", cfg->policy);
	if (cfg->swap && n < sizeof(what)) {
		static const char units[] = "KMGT";
		uint64_t v = cfg->swap;
		int u = -1;

		while (u < 3 && v && !(v & 1023))
			v >>= 10, u++;
		n += (size_t)snprintf(what + n, sizeof(what) - n, " --swap %llu%.*s", (unsigned long long)v,
				      u >= 0, u >= 0 ? &units[u] : "");
	}
	if (e == -EINVAL && n)
		snprintf(msg, msgsz, "vmlab: %s: the machine rejects%s (a bad value)", path,
			 what);
	else if (e == -EINVAL)
		snprintf(msg, msgsz, "vmlab: %s: cannot create the machine (bad --ram or --tlb)", path);
	else
		snprintf(msg, msgsz, "vmlab: %s: cannot create the machine: %s", path, strerror(-e));
	return NULL;
}

static void collect(struct replay *r, struct replay_counters *c)
{
	vmlab_tlb_stats_t t;
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < PID_SLOTS; i++)
		if (r->slot[i].used && r->slot[i].pid && !vmlab_alive(r->m, r->slot[i].pid))
			r->killed++; /* chosen by the OOM killer and not used since */
	c->accesses = r->accesses;
	vmlab_vmstat(r->m, "pgfault", &c->pgfault);
	vmlab_vmstat(r->m, "pgmajfault", &c->pgmajfault);
	vmlab_vmstat(r->m, "pswpin", &c->pswpin);
	vmlab_vmstat(r->m, "pswpout", &c->pswpout);
	vmlab_tlb_stats(r->m, &t);
	c->tlb_hit = t.hits;
	c->tlb_miss = t.misses;
	c->tlb_walk = t.walks;
	c->processes = r->spawned;
	c->implicit_mappings = r->implicit_maps;
	c->sigsegv = r->sigsegv;
	c->oom_kill = r->killed;
}

int replay_run(const char *path, const vmlab_replay_opts_t *o, const vmlab_config_t *cfg,
	       const struct next_use *nu, struct replay_counters *c, char *msg, size_t msgsz,
	       FILE *perr, unsigned flags)
{
	struct replay *r;
	struct ring q;
	vmlab_trace_t *t;
	int status;

	if (!strcmp(cfg->policy, "opt") && !nu) {
		snprintf(msg, msgsz, "vmlab: %s: policy opt needs the next-use pass", path);
		return -1;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(msg, msgsz, "vmlab: %s: out of memory", path);
		return -1;
	}
	r->o = o;
	r->path = path;
	r->msg = msg;
	r->msgsz = msgsz;
	r->flags = flags;
	r->nu = !strcmp(cfg->policy, "opt") ? nu : NULL;
	r->m = make_machine(path, cfg, msg, msgsz);
	if (!r->m) {
		free(r);
		return -1;
	}
	if (trace_open(path, -1, o->format, &t, msg, msgsz)) {
		vmlab_destroy(r->m);
		free(r);
		return -1;
	}
	/* Uncompressed vmt decodes in a few nanoseconds a record: less than what reading records
	 * another core wrote costs the simulating thread (measured: 534 ms inline, 578 ms
	 * threaded for the 10M Zipf trace of BENCHMARKS.md). Text, lackey and zstd gain. */
	if ((flags & REPLAY_READER_AUTO) && vmlab_trace_format(t) == VMLAB_TRACE_VMT && !t->zs)
		flags &= ~REPLAY_READER_THREAD;
	if (ring_start(&q, t, !!(flags & REPLAY_READER_THREAD))) {
		snprintf(msg, msgsz, "vmlab: %s: out of memory", path);
		status = -1;
	} else {
		status = replay_loop(r, &q, perr);
		ring_end(&q); /* a failed simulation stops the reader here */
	}
	vmlab_trace_close(t);
	if (!status)
		collect(r, c);
	vmlab_destroy(r->m);
	free(r);
	return status;
}

/* ---- opt: next-use indices ------------------------------------------------------------------ */

void next_use_free(struct next_use *nu)
{
	size_t i;

	for (i = 0; i < nu->nchunks; i++)
		free(nu->chunk[i]);
	free(nu->chunk);
	memset(nu, 0, sizeof(*nu));
}

static uint32_t *next_use_slot(struct next_use *nu, uint64_t i)
{
	return &nu->chunk[i >> NEXT_USE_CHUNK_SHIFT][i & ((1u << NEXT_USE_CHUNK_SHIFT) - 1)];
}

/* Room for access n. 0, or -1 (host memory). */
static int next_use_grow(struct next_use *nu)
{
	if ((nu->n >> NEXT_USE_CHUNK_SHIFT) < nu->nchunks)
		return 0;
	if (nu->nchunks == nu->cap) {
		size_t cap = nu->cap ? 2 * nu->cap : 16;
		uint32_t **c = realloc(nu->chunk, cap * sizeof(*c));

		if (!c)
			return -1;
		nu->chunk = c;
		nu->cap = cap;
	}
	nu->chunk[nu->nchunks] = malloc(sizeof(uint32_t) << NEXT_USE_CHUNK_SHIFT);
	if (!nu->chunk[nu->nchunks])
		return -1;
	nu->nchunks++;
	return 0;
}

/* Simplification: pages are keyed by trace PID, so after an OOM kill the new process's pages
 * continue the old one's next-use chains. */
int next_use_compute(const char *path, const vmlab_replay_opts_t *o, struct next_use *nu,
		     char *msg, size_t msgsz)
{
	struct batch *b;
	struct pagemap pm;
	vmlab_trace_t *t;
	size_t n, i;
	int status = 0;

	memset(nu, 0, sizeof(*nu));
	if (!strcmp(path, "-")) {
		snprintf(msg, msgsz, "vmlab: --policy opt reads the trace twice: it needs a file, not standard input");
		return -1;
	}
	if (trace_open(path, -1, o->format, &t, msg, msgsz))
		return -1;
	b = calloc(1, sizeof(*b));
	if (!b || pagemap_init(&pm)) {
		free(b);
		vmlab_trace_close(t);
		snprintf(msg, msgsz, "vmlab: %s: out of memory", path);
		return -1;
	}
	while (!status && (n = batch_read(t, b)) > 0) {
		const vmlab_trace_rec_t *rec = b->rec;

		for (i = 0; i < n && !status; i++) {
			uint64_t a[4], last = rec[i].addr + rec[i].size - 1;
			uint8_t k[4];
			int c = trace_expand(&rec[i], a, k), j;

			if (last >= TRACE_USER_END || last < rec[i].addr) {
				snprintf(msg, msgsz, "%s:%llu: error: address outside user space (0x%llx)", path,
					 (unsigned long long)batch_line(b, i), (unsigned long long)rec[i].addr);
				status = -1;
				break;
			}
			for (j = 0; j < c; j++) {
				struct pagemap_ent *e;
				int isnew;

				if (nu->n >= NEXT_USE_NEVER - 1) {
					snprintf(msg, msgsz, "%s:%llu: error: --policy opt replays at most %u accesses",
						 path, (unsigned long long)batch_line(b, i), NEXT_USE_NEVER - 1);
					status = -1;
					break;
				}
				if (next_use_grow(nu) || !(e = pagemap_get(&pm, a[j] >> 12, rec[i].pid, &isnew))) {
					snprintf(msg, msgsz, "vmlab: %s: out of memory (--policy opt keeps 4 bytes an access)", path);
					status = -1;
					break;
				}
				if (!isnew)
					*next_use_slot(nu, e->val) = (uint32_t)nu->n;
				e->val = (uint32_t)nu->n;
				*next_use_slot(nu, nu->n) = NEXT_USE_NEVER;
				nu->n++;
			}
		}
	}
	if (!status && vmlab_trace_error(t)) {
		snprintf(msg, msgsz, "%s", vmlab_trace_error(t));
		status = -1;
	}
	pagemap_free(&pm);
	free(b);
	vmlab_trace_close(t);
	if (status)
		next_use_free(nu);
	return status;
}

/* ---- several replays at once ------------------------------------------------------------------ */

struct sweep {
	const char *path;
	const vmlab_replay_opts_t *o;
	const vmlab_config_t *cfgs;
	const struct next_use *nu;
	struct replay_counters *res;
	size_t n, next;
	pthread_mutex_t lock;
	size_t failed_at;      /* the lowest failed job (n: none) */
	char msg[TRACE_MSG];   /* its message */
};

static void *sweep_worker(void *arg)
{
	struct sweep *s = arg;
	char msg[TRACE_MSG];

	for (;;) {
		size_t i;

		pthread_mutex_lock(&s->lock);
		i = s->next++;
		pthread_mutex_unlock(&s->lock);
		if (i >= s->n)
			return NULL;
		/* decoded inline: the sweep's threads already use every core */
		if (replay_run(s->path, s->o, &s->cfgs[i], s->nu, &s->res[i], msg, sizeof(msg), NULL, 0)) {
			pthread_mutex_lock(&s->lock);
			if (i < s->failed_at) {
				s->failed_at = i;
				snprintf(s->msg, sizeof(s->msg), "%s", msg);
			}
			s->next = s->n; /* no new jobs */
			pthread_mutex_unlock(&s->lock);
		}
	}
}

int replay_sweep(const char *path, const vmlab_replay_opts_t *o, const vmlab_config_t *cfgs,
		 size_t n, unsigned threads, const struct next_use *nu, struct replay_counters *res,
		 char *msg, size_t msgsz)
{
	struct sweep s = {.path = path, .o = o, .cfgs = cfgs, .nu = nu, .res = res, .n = n,
			  .failed_at = n};
	pthread_t tid[64];
	unsigned i, started = 0;

	if (!threads) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		threads = c > 0 ? (unsigned)c : 1;
	}
	if (threads > 64)
		threads = 64;
	if (threads > n)
		threads = (unsigned)n;
	pthread_mutex_init(&s.lock, NULL);
	for (i = 1; i < threads; i++)
		if (!pthread_create(&tid[started], NULL, sweep_worker, &s))
			started++;
	sweep_worker(&s); /* this thread works too */
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&s.lock);
	if (s.failed_at < n) {
		snprintf(msg, msgsz, "%s", s.msg);
		return -1;
	}
	return 0;
}

/* ---- vmlab replay ----------------------------------------------------------------------------- */

static void print_counters(FILE *out, const struct replay_counters *c, int json)
{
	static const char *const names[] = {"accesses", "pgfault", "pgmajfault", "pswpin", "pswpout",
					    "tlb_hit", "tlb_miss", "tlb_walk", "processes",
					    "implicit_mappings", "sigsegv", "oom_kill"};
	const uint64_t v[] = {c->accesses, c->pgfault, c->pgmajfault, c->pswpin, c->pswpout,
			      c->tlb_hit, c->tlb_miss, c->tlb_walk, c->processes,
			      c->implicit_mappings, c->sigsegv, c->oom_kill};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (json)
			fprintf(out, "%s\"%s\": %llu", i ? ", " : "{", names[i], (unsigned long long)v[i]);
		else
			fprintf(out, "%s %llu\n", names[i], (unsigned long long)v[i]);
	}
	if (json)
		fprintf(out, "}\n");
}

/* Whether vmlab replay decodes on a thread of its own: when this process may run on two CPUs
 * or more, and the format gains (REPLAY_READER_AUTO: not uncompressed vmt).
 * VMLAB_REPLAY_READER=inline or =thread decides instead (docs/replay.md: for tests, which
 * compare the two ways, and for measuring). */
static unsigned reader_thread(void)
{
	const char *e = getenv("VMLAB_REPLAY_READER");
	cpu_set_t set;

	if (e && !strcmp(e, "inline"))
		return 0;
	if (e && !strcmp(e, "thread"))
		return REPLAY_READER_THREAD;
	return !sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 1
		       ? REPLAY_READER_THREAD | REPLAY_READER_AUTO
		       : 0;
}

int vmlab_replay(const char *path, const vmlab_replay_opts_t *o, FILE *out, FILE *err)
{
	char msg[TRACE_MSG];
	vmlab_config_t cfg;
	struct replay_counters c;
	struct next_use nu = {0};
	int status = -1;

	if (!path || !o || !out || !err)
		return 2;
	if (replay_config(o, &cfg, msg, sizeof(msg)))
		goto out;
	if (!strcmp(cfg.policy, "opt")) {
		/* fail on a machine that rejects the policy before reading the trace twice */
		vmlab_t *m = make_machine(path, &cfg, msg, sizeof(msg));

		if (!m)
			goto out;
		vmlab_destroy(m);
		if (next_use_compute(path, o, &nu, msg, sizeof(msg)))
			goto out;
	}
	status = replay_run(path, o, &cfg, &nu, &c, msg, sizeof(msg), o->progress ? err : NULL,
			    reader_thread());
	next_use_free(&nu);
out:
	if (status) {
		fprintf(err, "%s\n", msg);
		return 2;
	}
	print_counters(out, &c, o->json);
	return 0;
}
