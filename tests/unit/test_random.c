/* tests/unit/test_random.c - randomized differential testing against a reference model.
 *
 * Several processes run random mmap (private or shared, any protection), munmap, mprotect,
 * madvise (DONTNEED, FREE, COLD, PAGEOUT), mlock/munlock, fork, exit, stores and loads of
 * random bytes inside a window of pages each. A small reference model says what every page of
 * every process must hold and which access must fault; every result (bytes, signals, errnos)
 * is compared, and the machine runs every invariant checker after every operation. Isolation
 * follows: a process reads only its own bytes or those of an object it shares, a new page
 * reads zeros whatever its frame held before, and a user access to a kernel or non-canonical
 * address always faults (SEGV_MAPERR at that address).
 *
 * Two kinds of runs: the small window (96 pages a process, no swap, a host file bigger than
 * RAM so that page-cache reclaim runs) and the pressure runs (768 pages a process with long
 * stores, RAM much smaller than what is written, swap, and in turn the linux policy, the
 * exact lru/fifo/clock policies under a resident limit, and a memory cgroup with a small
 * memory.max): every byte must survive swap-out, swap-in, fork's shared swap entries, shmem
 * swap and reclaim.
 *
 * MADV_FREE makes a page's contents undefined until it is written again (reclaim may drop
 * it): the model then accepts the old bytes or zeros on a load, and before a store learns
 * which one the machine holds by reading the page.
 *
 * Usage: test_random [SEEDS [STEPS]]; with SOAK_SECONDS=N in the environment it runs seeds
 * until N seconds have passed (make soak) and prints the seed of any failure.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mm/internal.h"
#include "test.h"

#define NPROC 4
#define MAXWINDOW 768
#define BASE 0x100000000ull
#define MAXOBJ 4096
#define FILEOBJ 0        /* object 0 is a host file */
#define FILE_PAGES 6144  /* 24 MiB: more than the RAM of the file runs */

struct obj { /* a shared anonymous object */
	uint8_t *data;
	int pages;
};

struct mpage {
	int mapped;
	int prot;
	int obj;     /* shared object, or -1 for private */
	int objpage; /* page within the object */
	int shared;  /* MAP_SHARED */
	int cow;     /* a private mapping of an object that has its own copy by now */
	int lazy;    /* MADV_FREE'd: holds data[] or zeros, until written */
	int locked;  /* mlocked */
	uint8_t data[4096];
};

struct mproc {
	int alive, pid;
	struct mpage pg[MAXWINDOW];
};

static int WINDOW = 96; /* pages in each process's window, for this run */
static int nlocked;      /* mlocked pages in the model (kept small: they cannot be reclaimed) */

static struct obj objs[MAXOBJ];
static int nobj;
static struct mproc procs[NPROC];
static uint64_t rng;
static int failures;

static uint64_t rnd(void)
{
	return test_xorshift(&rng);
}

static uint8_t *model_bytes(struct mpage *p)
{
	return p->obj >= 0 && !p->cow ? objs[p->obj].data + (size_t)p->objpage * 4096 : p->data;
}

#define FAILF(...)                                                                                 \
	do {                                                                                       \
		printf("# seed %llu step %d: ", (unsigned long long)seed, step);                   \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		failures++;                                                                        \
		return;                                                                            \
	} while (0)

static char file_path[64];

static const uint8_t zeros[4096];

/* Before a store to a lazily freed page: what does the machine hold, old bytes or zeros? */
static int resolve_lazy(vmlab_t *m, struct mproc *p, int pgi)
{
	struct mpage *pg = &p->pg[pgi];
	uint8_t cur[4096];

	if (!pg->lazy)
		return 0;
	if (vmlab_load(m, p->pid, BASE + (uint64_t)pgi * 4096, cur, 4096, NULL))
		return -1;
	if (!memcmp(cur, zeros, 4096))
		memset(pg->data, 0, 4096);
	else if (memcmp(cur, pg->data, 4096))
		return -1;
	pg->lazy = 0;
	return 0;
}

/* Debugging aid (RANDOM_WATCH=PROC:PAGE): the bytes the machine holds for a page, read
 * without an access (the frame, the swap cache or the swap slot). 1 when found. */
static int peek_page(vmlab_t *m, int pid, int pgi, uint8_t *out, char *where, size_t wn)
{
	struct task_struct *t = find_task(m, pid);
	pteval_t *pte;

	if (!t)
		return 0;
	pte = walk_to_pte(m, t->mm, t->mm->pgd, BASE + (uint64_t)pgi * 4096, false);
	if (!pte || pte_none(*pte)) {
		snprintf(where, wn, "none");
		return 0;
	}
	if (pte_present(*pte)) {
		if (pfn_to_page(m, pte_pfn(*pte))->flags & PG_zerofill)
			memset(out, 0, 4096);
		else
			memcpy(out, pfn_to_virt(m, pte_pfn(*pte)), 4096);
		snprintf(where, wn, "frame %llx pte %llx", (unsigned long long)pte_pfn(*pte),
			 (unsigned long long)*pte);
		return 1;
	} else {
		swp_entry_t e = pte_to_swp_entry(*pte);
		struct swap_info_struct *si = m->swap_info[0];
		uint64_t off = swp_offset(e), c = si->swap_cache[off];

		if (c && !(c & 1)) {
			struct page *cp = (struct page *)(uintptr_t)c;

			if (cp->flags & PG_zerofill)
				memset(out, 0, 4096);
			else
				memcpy(out, page_address(m, cp), 4096);
			snprintf(where, wn, "swapcache slot %llu", (unsigned long long)off);
		} else if (si->zeromap[off / 64] & (1ull << (off % 64))) {
			memset(out, 0, 4096);
			snprintf(where, wn, "zero slot %llu", (unsigned long long)off);
		} else {
			memcpy(out, si->store + (off << 12), 4096);
			snprintf(where, wn, "slot %llu", (unsigned long long)off);
		}
		return 1;
	}
}

/* One run. pressure: the big window, swap, and a policy or cgroup chosen by the seed. */
static void one_run(uint64_t seed, int steps, uint64_t ram, int pressure)
{
	vmlab_config_t cfg;
	vmlab_t *m;
	int step = 0, i, fd;
	char err[256];

	memset(procs, 0, sizeof(procs));
	WINDOW = pressure ? MAXWINDOW : 96;
	nlocked = 0;
	for (i = 0; i < nobj; i++)
		free(objs[i].data);
	nobj = 0;
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	/* the host file, random bytes, as object 0 */
	snprintf(file_path, sizeof(file_path), "/tmp/vmlab-random-XXXXXX");
	fd = mkstemp(file_path);
	objs[0].data = malloc((size_t)FILE_PAGES * 4096);
	objs[0].pages = FILE_PAGES;
	nobj = 1;
	for (i = 0; i < FILE_PAGES * 4096 / 8; i++)
		((uint64_t *)objs[0].data)[i] = rnd();
	if (fd < 0 || write(fd, objs[0].data, (size_t)FILE_PAGES * 4096) != FILE_PAGES * 4096)
		FAILF("cannot write the host file");
	close(fd);
	vmlab_config_default(&cfg);
	cfg.ram = ram;
	cfg.check = 1;
	cfg.pcid = (int)(seed & 1);
	cfg.tlb_entries = (seed & 2) ? 16 : 64;
	cfg.tlb_ways = (seed & 4) ? 1 : 4;
	if (pressure) {
		static const char *const pol[] = {"linux", "lru", "fifo", "clock", "linux"};
		int k = (int)((seed / 2) % 5);

		cfg.swap = 96ull << 20;
		cfg.swap_backing = (seed % 7) == 0 ? VMLAB_SWAP_FILE
				   : (seed % 3) == 0 ? VMLAB_SWAP_RAMDISK : VMLAB_SWAP_MEMORY;
		snprintf(cfg.policy, sizeof(cfg.policy), "%s", pol[k]);
		if (k >= 1 && k <= 3)
			cfg.resident_pages = 900; /* well below what the processes touch */
	}
	if (vmlab_create(&cfg, &m))
		FAILF("cannot create a machine");
	vmlab_spawn(m, &procs[0].pid);
	procs[0].alive = 1;
	if (pressure && (seed / 2) % 5 == 4) {
		/* every process in one group whose limit is far below what they touch */
		if (vmlab_cgroup_create(m, "box", NULL) ||
		    vmlab_cgroup_set(m, "box", "memory.max", 3ull << 20) ||
		    vmlab_cgroup_attach(m, "box", procs[0].pid))
			FAILF("cannot set up the cgroup");
	}
	if (pressure) {
		/* the first process fills its whole window, private and writable: forks then share
		 * it copy-on-write and their writes multiply it past RAM */
		uint64_t a;
		static uint8_t fillbuf[4096];

		if (vmlab_mmap(m, procs[0].pid, BASE, (uint64_t)WINDOW * 4096,
			       VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &a))
			FAILF("mmap of the window failed");
		for (i = 0; i < WINDOW; i++) {
			struct mpage *pg = &procs[0].pg[i];
			int k;

			for (k = 0; k < 4096; k++)
				fillbuf[k] = (uint8_t)rnd();
			pg->mapped = 1;
			pg->prot = VMLAB_PROT_READ | VMLAB_PROT_WRITE;
			pg->obj = -1;
			memcpy(pg->data, fillbuf, 4096);
			if (vmlab_store(m, procs[0].pid, BASE + (uint64_t)i * 4096, fillbuf, 4096, NULL))
				FAILF("filling the window failed");
		}
	}
	for (step = 0; step < steps; step++) {
		int pi = (int)(rnd() % NPROC), op = (int)(rnd() % 100);
		struct mproc *p = &procs[pi];
		int first = (int)(rnd() % WINDOW), n = 1 + (int)(rnd() % 8);

		if (pressure && op < 12 && rnd() % 2)
			n = 1 + (int)(rnd() % 192); /* big mappings */
		if (getenv("RANDOM_MAPS_AT") && atoi(getenv("RANDOM_MAPS_AT")) == step && p->alive) {
			char *text = NULL;
			struct task_struct *tk = find_task(m, p->pid);
			struct vm_area_struct *v;

			for_each_vma(tk->mm, v)
				printf("# vma %llx-%llx flags %llx anon_vma %p unmerged_ok %d\n",
				       (unsigned long long)v->vm_start, (unsigned long long)v->vm_end,
				       (unsigned long long)v->vm_flags, (void *)v->anon_vma, v->unmerged_ok);
			free(text);
		}
		if (getenv("RANDOM_TRACE_PAGE")) {
			int tp = atoi(getenv("RANDOM_TRACE_PAGE"));

			if ((tp >= first && tp < first + n + 33) || getenv("RANDOM_TRACE_ALL"))
				printf("# step %d proc %d op %d first %d n %d alive %d\n", step, pi, op,
				       first, n, p->alive);
		}
		uint64_t addr = BASE + (uint64_t)first * 4096;

		if (n > WINDOW - first)
			n = WINDOW - first;
		if (!p->alive) {
			int from;

			for (from = 0; from < NPROC && !procs[from].alive; from++)
				;
			if (from == NPROC)
				break;
			if (vmlab_fork(m, procs[from].pid, &p->pid))
				FAILF("fork failed");
			memcpy(p->pg, procs[from].pg, sizeof(p->pg));
			for (i = 0; i < WINDOW; i++) {
				/* locks are not inherited; the child of a lazily freed page sees what the
				 * parent would (Linux copies the PTE; reclaim may still drop it) */
				p->pg[i].locked = 0;
			}
			p->alive = 1;
			continue;
		}
		if (op < 12) { /* mmap */
			int prot = (int)(rnd() % 8), shared = rnd() % 3 == 0, o = -1, file = rnd() % 3 == 0;
			uint64_t a, fo = 0;

			if (file) {
				fo = rnd() % (FILE_PAGES - (uint64_t)n);
				if (vmlab_mmap_file(m, p->pid, addr, (uint64_t)n * 4096, prot,
						    (shared ? VMLAB_MAP_SHARED : VMLAB_MAP_PRIVATE) | VMLAB_MAP_FIXED,
						    file_path, fo * 4096, &a))
					FAILF("mmap of the file failed");
				for (i = 0; i < n; i++) {
					struct mpage *pg = &p->pg[first + i];

					pg->mapped = 1;
					pg->prot = prot;
					pg->obj = FILEOBJ;
					pg->objpage = (int)fo + i;
					pg->shared = shared;
					pg->cow = 0;
					pg->lazy = 0;
					nlocked -= pg->locked;
					pg->locked = 0;
				}
				continue;
			}
			if (shared) {
				if (nobj == MAXOBJ)
					continue;
				o = nobj++;
				objs[o].data = calloc((size_t)n, 4096);
				objs[o].pages = n;
			}
			if (vmlab_mmap(m, p->pid, addr, (uint64_t)n * 4096, prot,
				       (shared ? VMLAB_MAP_SHARED : VMLAB_MAP_PRIVATE) | VMLAB_MAP_FIXED, &a))
				FAILF("mmap failed");
			for (i = 0; i < n; i++) {
				struct mpage *pg = &p->pg[first + i];

				pg->mapped = 1;
				pg->prot = prot;
				pg->obj = o;
				pg->objpage = i;
				pg->shared = shared;
				pg->cow = 0;
				pg->lazy = 0;
				nlocked -= pg->locked;
				pg->locked = 0;
				memset(pg->data, 0, 4096);
			}
		} else if (op < 18) { /* munmap */
			if (vmlab_munmap(m, p->pid, addr, (uint64_t)n * 4096))
				FAILF("munmap failed");
			for (i = 0; i < n; i++) {
				p->pg[first + i].mapped = 0;
				nlocked -= p->pg[first + i].locked;
				p->pg[first + i].locked = 0;
			}
		} else if (op < 26) { /* mprotect: applied up to the first hole, then ENOMEM */
			int prot = (int)(rnd() % 8), r = vmlab_mprotect(m, p->pid, addr, (uint64_t)n * 4096, prot);
			int k;

			for (k = 0; k < n && p->pg[first + k].mapped; k++)
				p->pg[first + k].prot = prot;
			if (r != (k == n ? 0 : -ENOMEM))
				FAILF("mprotect returned %d, model expects %d", r, k == n ? 0 : -ENOMEM);
		} else if (op < 30) { /* madvise(DONTNEED): private pages read zero again */
			int r = vmlab_madvise(m, p->pid, addr, (uint64_t)n * 4096, VMLAB_MADV_DONTNEED), any = 0, all = 1;

			for (i = 0; i < n; i++) {
				struct mpage *pg = &p->pg[first + i];

				if (!pg->mapped) {
					all = 0;
					continue;
				}
				any = 1;
				if (pg->locked) /* MADV_DONTNEED refuses locked VMAs: EINVAL */
					break;
				if (pg->obj < 0)
					memset(pg->data, 0, 4096);
				else if (!pg->shared)
					pg->cow = 0; /* a private file page shows the file again */
				pg->lazy = 0;
			}
			(void)any;
			if (i < n && p->pg[first + i].mapped && p->pg[first + i].locked) {
				if (r != -EINVAL)
					FAILF("madvise(DONTNEED) of a locked range returned %d", r);
			} else if (r != (all ? 0 : -ENOMEM)) {
				FAILF("madvise returned %d", r);
			}
		} else if (op < 31 && pressure) { /* MADV_FREE, COLD or PAGEOUT */
			static const int adv[] = {VMLAB_MADV_FREE, VMLAB_MADV_COLD, VMLAB_MADV_PAGEOUT};
			int a = adv[rnd() % 3], r = vmlab_madvise(m, p->pid, addr, (uint64_t)n * 4096, a), want = 0;

			for (i = 0; i < n; i++) {
				struct mpage *pg = &p->pg[first + i];

				if (!pg->mapped) {
					if (!want)
						want = -ENOMEM;
					continue;
				}
				if (pg->locked) {
					want = -EINVAL;
					break;
				}
				if (a == VMLAB_MADV_FREE && !(pg->obj < 0 && !pg->shared)) {
					want = -EINVAL; /* only private anonymous memory */
					break;
				}
			}
			if (r != want && !(want == -ENOMEM && r == -EINVAL))
				FAILF("madvise(%d) returned %d, model expects %d", a, r, want);
			/* MADV_FREE applies VMA by VMA up to the first one it refuses (holes are skipped) */
			for (i = 0; i < n && a == VMLAB_MADV_FREE; i++) {
				struct mpage *pg = &p->pg[first + i];

				if (!pg->mapped)
					continue;
				if (pg->locked || pg->obj >= 0 || pg->shared)
					break;
				pg->lazy = 1;
			}
		} else if (op < 32 && pressure) { /* mlock or munlock */
			int lock = rnd() % 2, k, mapped = 1;

			for (k = 0; k < n; k++)
				mapped &= p->pg[first + k].mapped;
			if (lock && nlocked + n > 64)
				lock = 0;
			for (k = 0; k < n && lock; k++)
				if (p->pg[first + k].lazy)
					lock = 0; /* (mlock of lazily freed pages: their fate is not modelled) */
			i = lock ? vmlab_mlock(m, p->pid, addr, (uint64_t)n * 4096)
				 : vmlab_munlock(m, p->pid, addr, (uint64_t)n * 4096);
			if (i != (mapped ? 0 : -ENOMEM))
				FAILF("m%slock returned %d", lock ? "" : "un", i);
			for (k = 0; k < n && mapped; k++) {
				struct mpage *pg = &p->pg[first + k];

				nlocked += lock - pg->locked;
				pg->locked = lock;
				/* populating a private writable mapping breaks COW up front */
				if (lock && pg->obj >= 0 && !pg->shared && !pg->cow &&
				    (pg->prot & VMLAB_PROT_WRITE)) {
					memcpy(pg->data, model_bytes(pg), 4096);
					pg->cow = 1;
				}
			}
		} else if (op < 33) { /* exit (the first process stays until late) */
			if (pi == 0 && step < steps * 9 / 10)
				continue;
			vmlab_exit(m, p->pid);
			for (i = 0; i < WINDOW; i++)
				nlocked -= p->pg[i].locked;
			p->alive = 0;
		} else if (op >= 97) {
			/* isolation: user mode never reaches kernel memory (direct map, vmalloc area,
			 * the vsyscall page), nor a non-canonical address, nor the first 64 KiB */
			static const uint64_t kbase[] = {0xffff888000000000ull, 0xffffc90000000000ull,
							 0xffffffffff600000ull, 0x0000800000000000ull, 0};
			uint64_t ka = kbase[rnd() % 5] + (rnd() % 65536) * 8;
			uint8_t kb[8] = {0};
			vmlab_fault_t f = {0};
			int w = (int)(rnd() % 2);
			int sig = w ? vmlab_store(m, p->pid, ka, kb, 8, &f) : vmlab_load(m, p->pid, ka, kb, 8, &f);

			if (sig != VMLAB_SIGSEGV || f.code != VMLAB_SEGV_MAPERR || f.addr != ka)
				FAILF("%s of %llx: signal %d code %d at %llx, want SIGSEGV/SEGV_MAPERR there",
				      w ? "store" : "load", (unsigned long long)ka, sig, f.code,
				      (unsigned long long)f.addr);
		} else { /* an access of up to two pages (or up to 32 in pressure runs): store or load */
			uint64_t off = rnd() % 4096, len = 1 + rnd() % 6000;
			int write = op < 66, sig, fault_page = -1;
			static uint8_t buf[32 * 4096 + 4096], want[32 * 4096 + 4096], seen[32 * 4096 + 4096];
			vmlab_fault_t f;
			uint64_t done = 0;

			if (pressure && rnd() % 3 == 0)
				len = 1 + rnd() % (32 * 4096); /* long runs: memory fills quickly */
			if ((uint64_t)first * 4096 + off + len > (uint64_t)WINDOW * 4096)
				len = (uint64_t)WINDOW * 4096 - (uint64_t)first * 4096 - off;
			for (i = 0; i < (int)len; i++)
				buf[i] = (uint8_t)rnd();
			if (write) {
				/* lazily freed pages the store will reach (up to the first page that
				 * faults): learn what the machine holds first */
				for (i = (int)((first * 4096 + off) / 4096);
				     i <= (int)((first * 4096 + off + len - 1) / 4096); i++) {
					struct mpage *pg = &p->pg[i];

					if (!pg->mapped || !(pg->prot & VMLAB_PROT_WRITE))
						break;
					if (resolve_lazy(m, p, i))
						FAILF("lazily freed page %d holds neither its bytes nor zeros", i);
				}
			}
			/* the model: page by page, stopping at the first page that faults */
			while (done < len) {
				uint64_t a = (uint64_t)first * 4096 + off + done, pgi = a / 4096, o = a % 4096;
				uint64_t c = MIN(4096 - o, len - done);
				struct mpage *pg = &p->pg[pgi];

				if (!pg->mapped || pg->prot == 0 || (write && !(pg->prot & VMLAB_PROT_WRITE))) {
					fault_page = (int)pgi;
					break;
				}
				if (write && pg->obj >= 0 && !pg->shared && !pg->cow) {
					/* the first write to a private mapping of an object copies the page */
					memcpy(pg->data, model_bytes(pg), 4096);
					pg->cow = 1;
				}
				if (write)
					memcpy(model_bytes(pg) + o, buf + done, c);
				else
					memcpy(want + done, model_bytes(pg) + o, c);
				done += c;
			}
			if (write)
				sig = vmlab_store(m, p->pid, addr + off, buf, len, &f);
			else
				sig = vmlab_load(m, p->pid, addr + off, seen, len, &f);
			if ((fault_page >= 0) != (sig == VMLAB_SIGSEGV))
				FAILF("%s at %llx+%llu: signal %d, model expects %s", write ? "store" : "load",
				      (unsigned long long)(addr + off), (unsigned long long)len, sig,
				      fault_page >= 0 ? "SIGSEGV" : "none");
			if (fault_page >= 0) {
				struct mpage *pg = &p->pg[fault_page];
				int code = pg->mapped ? VMLAB_SEGV_ACCERR : VMLAB_SEGV_MAPERR;

				if (f.code != code || f.addr / 4096 != BASE / 4096 + (uint64_t)fault_page)
					FAILF("fault code %d at %llx, model expects %d on page %d", f.code,
					      (unsigned long long)f.addr, code, fault_page);
			}
			if (!write) {
				/* page by page: a lazily freed page may also read zeros */
				uint64_t d = 0;

				while (d < done) {
					uint64_t a = (uint64_t)first * 4096 + off + d, o = a % 4096;
					uint64_t c = MIN(4096 - o, done - d);
					struct mpage *pg = &p->pg[a / 4096];

					if (memcmp(seen + d, want + d, c) &&
					    !(pg->lazy && !memcmp(seen + d, zeros, c)))
						FAILF("load at %llx: bytes differ from the model (page %llu: "
						      "obj %d page %d shared %d cow %d lazy %d locked %d prot %d; "
						      "got %02x.. want %02x..)",
						      (unsigned long long)(BASE + a), (unsigned long long)(a / 4096),
						      pg->obj, pg->objpage, pg->shared, pg->cow, pg->lazy,
						      pg->locked, pg->prot, seen[d], want[d]);
					d += c;
				}
			}
		}
		if (getenv("RANDOM_MAPS_AT") && atoi(getenv("RANDOM_MAPS_AT")) == step && p->alive) {
			struct task_struct *tk = find_task(m, p->pid);
			struct vm_area_struct *v;

			for_each_vma(tk->mm, v)
				printf("# after: vma %llx-%llx flags %llx anon_vma %p unmerged_ok %d\n",
				       (unsigned long long)v->vm_start, (unsigned long long)v->vm_end,
				       (unsigned long long)v->vm_flags, (void *)v->anon_vma, v->unmerged_ok);
		}
		if (vmlab_check(m, err, sizeof(err)))
			FAILF("checker: %s", err);
		if (getenv("RANDOM_WATCH")) {
			int wp = atoi(getenv("RANDOM_WATCH")), wg = atoi(strchr(getenv("RANDOM_WATCH"), ':') + 1);
			static uint8_t cur[4096];
			static int was_ok = -1;
			char where[80];

			if (procs[wp].alive && procs[wp].pg[wg].mapped) {
				int got = peek_page(m, procs[wp].pid, wg, cur, where, sizeof(where));
				int ok;

				if (!got && procs[wp].pg[wg].obj < 0)
					memset(cur, 0, 4096), got = 1; /* no PTE: anonymous memory reads zeros */
				ok = !got || !memcmp(cur, model_bytes(&procs[wp].pg[wg]), 4096);

				if (ok + 2 * procs[wp].pg[wg].lazy != was_ok || getenv("RANDOM_WATCH_ALL"))
					printf("# step %d: watched page %s lazy %d (%s)\n", step, ok ? "ok" : "DIFFERS",
					       procs[wp].pg[wg].lazy, where);
				was_ok = ok + 2 * procs[wp].pg[wg].lazy;
			}
		}
	}
	if (getenv("RANDOM_VERBOSE")) {
		uint64_t steal = 0, sd = 0, maj = 0, wr = 0, so = 0, si = 0, lf = 0;

		vmlab_vmstat(m, "pgsteal_kswapd", &steal);
		vmlab_vmstat(m, "pgsteal_direct", &sd);
		vmlab_vmstat(m, "pgmajfault", &maj);
		vmlab_vmstat(m, "nr_written", &wr);
		vmlab_vmstat(m, "pswpout", &so);
		vmlab_vmstat(m, "pswpin", &si);
		vmlab_vmstat(m, "pglazyfreed", &lf);
		printf("# seed %llu %s: pgsteal_kswapd %llu direct %llu pgmajfault %llu nr_written %llu "
		       "pswpout %llu pswpin %llu pglazyfreed %llu\n",
		       (unsigned long long)seed, pressure ? cfg.policy : "-", (unsigned long long)steal,
		       (unsigned long long)sd, (unsigned long long)maj, (unsigned long long)wr,
		       (unsigned long long)so, (unsigned long long)si, (unsigned long long)lf);
	}
	for (i = 0; i < NPROC; i++)
		if (procs[i].alive)
			vmlab_exit(m, procs[i].pid);
	if (vmlab_check(m, err, sizeof(err)))
		FAILF("checker after exit: %s", err);
	{
		uint64_t anon = 1;

		vmlab_meminfo(m, "AnonPages", &anon);
		if (anon)
			FAILF("AnonPages %llu after every process exited", (unsigned long long)anon);
	}
	vmlab_destroy(m);
	unlink(file_path);
}

static int seeds = 60, steps = 2000, pressure_seeds = 20;

static void fixed_seeds(void)
{
	int s, before = failures;

	for (s = 1; s <= seeds && failures == before; s++)
		one_run((uint64_t)s, steps, (s & 1) ? 8ull << 20 : 32ull << 20, 0);
	CHECK_EQ(failures, before);
}

/* Memory pressure with swap: each seed picks a policy (or a cgroup) in turn. */
static void pressure_runs(void)
{
	int s, before = failures;

	for (s = 1; s <= pressure_seeds && failures == before; s++)
		one_run((uint64_t)s, steps, (s & 1) ? 8ull << 20 : 12ull << 20, 1);
	CHECK_EQ(failures, before);
}

int main(int argc, char **argv)
{
	const char *soak = getenv("SOAK_SECONDS");
	int i;

	if (argc > 1)
		seeds = pressure_seeds = atoi(argv[1]);
	if (argc > 2)
		steps = atoi(argv[2]);
	if (soak) {
		time_t end = time(NULL) + atol(soak);
		uint64_t s = (uint64_t)time(NULL) * 1000;
		uint64_t runs = 0;

		while (time(NULL) < end) {
			one_run(s, 3000, (s & 1) ? 8ull << 20 : 32ull << 20, (int)(s % 3 == 0));
			if (failures) {
				printf("soak: FAILED with seed %llu (test_random replays it: edit fixed seeds)\n",
				       (unsigned long long)s);
				return 1;
			}
			s++;
			runs++;
		}
		printf("soak: %llu runs of 3000 steps, no failure\n", (unsigned long long)runs);
		return 0;
	}
	if (getenv("RANDOM_SEED")) { /* replay one seed: RANDOM_SEED=N [RANDOM_PRESSURE=1] */
		uint64_t sd = strtoull(getenv("RANDOM_SEED"), NULL, 10);
		int pr = getenv("RANDOM_PRESSURE") != NULL;

		one_run(sd, steps, pr ? ((sd & 1) ? 8ull << 20 : 12ull << 20)
				      : ((sd & 1) ? 8ull << 20 : 32ull << 20), pr);
		return failures ? 1 : 0;
	}
	RUN(fixed_seeds);
	RUN(pressure_runs);
	for (i = 0; i < nobj; i++)
		free(objs[i].data);
	TEST_EXIT();
}
