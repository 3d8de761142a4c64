/* tests/unit/test_api.c - the bad-input catalogue of the public API (docs/bad-input.md):
 * every invalid form gets its documented error, never a crash. One CHECK per catalogue row. */
#include <stdlib.h>
#include <string.h>

#include "include/vmlab.h"
#include "test.h"

#include <errno.h>

static vmlab_t *m;
static int pid;

static void setup(void)
{
	vmlab_config_t cfg;

	vmlab_config_default(&cfg);
	cfg.check = 1;
	vmlab_create(&cfg, &m);
	vmlab_spawn(m, &pid);
}

static void machine_calls(void)
{
	vmlab_config_t cfg;
	vmlab_t *x = (vmlab_t *)1;

	vmlab_config_default(NULL); /* no-op */
	vmlab_config_default(&cfg);
	CHECK_EQ(vmlab_create(NULL, &x), -EINVAL);
	CHECK_EQ(vmlab_create(&cfg, NULL), -EFAULT);
	cfg.ram = 0;
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	CHECK(x == NULL);
	cfg.ram = (64ull << 20) + 1; /* not a multiple of 4K */
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	cfg.ram = 2ull << 40; /* above 1 TiB */
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	/* an exact policy with a resident limit, and swap: accepted */
	vmlab_config_default(&cfg);
	snprintf(cfg.policy, sizeof(cfg.policy), "lru");
	cfg.resident_pages = 100;
	CHECK_EQ(vmlab_create(&cfg, &x), 0);
	vmlab_destroy(x);
	vmlab_config_default(&cfg);
	cfg.swap = 64ull << 20;
	CHECK_EQ(vmlab_create(&cfg, &x), 0);
	vmlab_destroy(x);
	vmlab_config_default(&cfg);
	snprintf(cfg.policy, sizeof(cfg.policy), "nosuch");
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	vmlab_config_default(&cfg);
	memset(cfg.policy, 'x', sizeof(cfg.policy)); /* no NUL */
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	vmlab_config_default(&cfg);
	cfg.tlb_entries = 0;
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	cfg.tlb_entries = 48; /* 12 sets of 4 ways: not a power of two */
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	vmlab_config_default(&cfg);
	cfg.nr_cpus = 0;
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	vmlab_destroy(NULL); /* no-op */
}

static void process_calls(void)
{
	int c;

	CHECK_EQ(vmlab_spawn(NULL, &c), -EINVAL);
	CHECK_EQ(vmlab_spawn(m, NULL), -EFAULT);
	CHECK_EQ(vmlab_fork(m, pid, NULL), -EFAULT);
	CHECK_EQ(vmlab_fork(m, 9999, &c), -ESRCH);
	CHECK_EQ(vmlab_fork(m, -1, &c), -ESRCH);
	CHECK_EQ(vmlab_exit(m, 0), -ESRCH);
	CHECK_EQ(vmlab_exit(NULL, pid), -ESRCH);
	CHECK_EQ(vmlab_alive(NULL, pid), 0);
	CHECK_EQ(vmlab_stack_top(m, 9999), 0);
}

static void syscalls(void)
{
	const int rw = VMLAB_PROT_READ | VMLAB_PROT_WRITE;
	uint64_t a = 0, b;

	CHECK_EQ(vmlab_mmap(m, pid, 0, 4096, rw, VMLAB_MAP_PRIVATE, NULL), -EFAULT);
	CHECK_EQ(vmlab_mmap(m, 9999, 0, 4096, rw, VMLAB_MAP_PRIVATE, &a), -ESRCH);
	CHECK_EQ(vmlab_mmap(NULL, pid, 0, 4096, rw, VMLAB_MAP_PRIVATE, &a), -ESRCH);
	CHECK_EQ(vmlab_mmap(m, pid, 0, 0, rw, VMLAB_MAP_PRIVATE, &a), -EINVAL);          /* zero */
	CHECK_EQ(vmlab_mmap(m, pid, 0, 4096, 0x10, VMLAB_MAP_PRIVATE, &a), -EINVAL);     /* prot */
	CHECK_EQ(vmlab_mmap(m, pid, 0, 4096, rw, 0, &a), -EINVAL);                        /* type */
	CHECK_EQ(vmlab_mmap(m, pid, 0, 4096, rw, 3, &a), -EINVAL);                        /* both */
	CHECK_EQ(vmlab_mmap(m, pid, 0, ~0ull, rw, VMLAB_MAP_PRIVATE, &a), -ENOMEM);      /* huge */
	CHECK_EQ(vmlab_mmap(m, pid, 0, 1ull << 47, rw, VMLAB_MAP_PRIVATE, &a), -ENOMEM); /* too big */
	CHECK_EQ(vmlab_mmap(m, pid, 0x10001, 4096, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &a), -EINVAL);
	CHECK_EQ(vmlab_mmap(m, pid, 0x1000, 4096, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &a), -EPERM);
	CHECK_EQ(vmlab_mmap(m, pid, 0x7ffffffff000ull, 8192, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &a),
		 -ENOMEM); /* past TASK_SIZE */
	CHECK_EQ(vmlab_mmap(m, pid, 0x10000000, 4096, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &a), 0);
	CHECK_EQ(vmlab_mmap(m, pid, 0x10000000, 4096, rw, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED_NOREPLACE, &b),
		 -EEXIST);
	/* munmap */
	CHECK_EQ(vmlab_munmap(m, pid, a + 1, 4096), -EINVAL);
	CHECK_EQ(vmlab_munmap(m, pid, a, 0), -EINVAL);
	CHECK_EQ(vmlab_munmap(m, pid, 0xfffffffffffff000ull, 4096), -EINVAL);
	CHECK_EQ(vmlab_munmap(m, pid, 0x20000000, 4096), 0); /* nothing there: not an error */
	/* mprotect */
	CHECK_EQ(vmlab_mprotect(m, pid, a + 1, 4096, rw), -EINVAL);
	CHECK_EQ(vmlab_mprotect(m, pid, a, 4096, 0x40), -EINVAL);
	CHECK_EQ(vmlab_mprotect(m, pid, 0x20000000, 4096, rw), -ENOMEM);
	CHECK_EQ(vmlab_mprotect(m, pid, a, 0, rw), 0);
	CHECK_EQ(vmlab_mprotect(m, pid, a, ~0ull - a, rw), -ENOMEM); /* wraps */
	/* mremap */
	CHECK_EQ(vmlab_mremap(m, pid, a, 4096, 8192, 0, 0, NULL), -EFAULT);
	CHECK_EQ(vmlab_mremap(m, pid, a + 1, 4096, 8192, 0, 0, &b), -EINVAL);
	CHECK_EQ(vmlab_mremap(m, pid, a, 4096, 0, 0, 0, &b), -EINVAL);
	CHECK_EQ(vmlab_mremap(m, pid, a, 4096, 8192, 0x100, 0, &b), -EINVAL);
	CHECK_EQ(vmlab_mremap(m, pid, a, 4096, 8192, VMLAB_MREMAP_FIXED, 0, &b), -EINVAL);
	CHECK_EQ(vmlab_mremap(m, pid, 0x20000000, 4096, 8192, 0, 0, &b), -EFAULT);
	CHECK_EQ(vmlab_mremap(m, pid, a, 8192, 16384, 0, 0, &b), -EFAULT); /* past the VMA */
	/* brk */
	CHECK_EQ(vmlab_brk(m, pid, 4096, NULL), -EFAULT);
	CHECK_EQ(vmlab_brk(m, pid, -4096, &b), -ENOMEM); /* below the start of the heap */
	CHECK_EQ(vmlab_brk(m, pid, INT64_MAX, &b), -ENOMEM);
	/* madvise */
	CHECK_EQ(vmlab_madvise(m, pid, a + 1, 4096, VMLAB_MADV_DONTNEED), -EINVAL);
	CHECK_EQ(vmlab_madvise(m, pid, a, 4096, 12345), -EINVAL);
	CHECK_EQ(vmlab_madvise(m, pid, 0x20000000, 4096, VMLAB_MADV_DONTNEED), -ENOMEM);
	CHECK_EQ(vmlab_madvise(m, pid, a, 0, VMLAB_MADV_DONTNEED), 0);
}

static void accesses(void)
{
	vmlab_fault_t f;
	char c;

	CHECK_EQ(vmlab_access(NULL, pid, 0, 0), -EINVAL);
	CHECK_EQ(vmlab_access(m, 9999, 0, 0), -ESRCH);
	CHECK_EQ(vmlab_access(m, pid, 0x10000000, 7), -EINVAL);
	CHECK_EQ(vmlab_load(m, pid, 0x10000000, NULL, 1, &f), -EFAULT);
	CHECK_EQ(vmlab_store(m, pid, 0x10000000, NULL, 1, &f), -EFAULT);
	CHECK_EQ(vmlab_load(m, pid, 0x10000000, &c, 1, NULL), 0); /* f may be NULL */
	CHECK_EQ(vmlab_touch(m, pid, 0x10000000, 4096, 9, &f), -EINVAL);
	/* user access to the kernel half, to non-canonical and unmapped addresses: SIGSEGV */
	CHECK_EQ(vmlab_load(m, pid, 0xffffc90000000000ull, &c, 1, &f), VMLAB_SIGSEGV);
	CHECK_EQ(f.code, VMLAB_SEGV_MAPERR);
	CHECK_EQ(vmlab_load(m, pid, 0x0000900000000000ull, &c, 1, &f), VMLAB_SIGSEGV);
	CHECK_EQ(vmlab_load(m, pid, 0, &c, 1, &f), VMLAB_SIGSEGV);
	CHECK_EQ(f.addr, 0);
	/* an access that wraps around the end of the address space stops at the first fault */
	CHECK_EQ(vmlab_touch(m, pid, 0xfffffffffffff000ull, 8192, VMLAB_ACC_READ, &f), VMLAB_SIGSEGV);
	{
		/* the batch form: the calls it stands for, the first failure's result */
		vmlab_trace_rec_t r[3] = {{.addr = 0x10000000, .kind = 0}, {.addr = 0x20000000, .kind = 9},
					  {.addr = 0, .kind = 0}};
		int sig = 5;

		CHECK_EQ(vmlab_access_recs(NULL, pid, r, 3, &sig), 1);
		CHECK_EQ(sig, -EINVAL);
		CHECK_EQ(vmlab_access_recs(m, 9999, r, 3, &sig), 1);
		CHECK_EQ(sig, -ESRCH);
		CHECK_EQ(vmlab_access_recs(m, pid, r, 0, &sig), 0);
		CHECK_EQ(vmlab_access_recs(m, pid, r, 3, NULL), 0);
		CHECK_EQ(vmlab_access_recs(m, pid, r, 3, &sig), 2); /* an unknown kind */
		CHECK_EQ(sig, -EINVAL);
		CHECK_EQ(vmlab_access_recs(m, pid, r + 2, 1, &sig), 1); /* unmapped: SIGSEGV */
		CHECK_EQ(sig, VMLAB_SIGSEGV);
	}
}

static void trace_calls(void)
{
	vmlab_replay_opts_t ro = {0};
	vmlab_mrc_opts_t mo;
	vmlab_trace_t *t = NULL;
	vmlab_trace_writer_t *w = NULL;
	vmlab_trace_rec_t r = {.addr = 0x10000000, .size = 0, .kind = 0, .pid = 1};
	uint64_t a = 1, b = 1;
	FILE *null = fopen("/dev/null", "w");

	memset(&mo, 0, sizeof(mo));
	CHECK_EQ(vmlab_replay(NULL, &ro, null, null), 2);
	CHECK_EQ(vmlab_replay("x", NULL, null, null), 2);
	CHECK_EQ(vmlab_replay("x", &ro, NULL, null), 2);
	CHECK_EQ(vmlab_mrc(NULL, &mo, null, null), 2);
	CHECK_EQ(vmlab_mrc("x", &mo, null, NULL), 2);
	CHECK_EQ(vmlab_trace_open(NULL, 0, &t, null), 2);
	CHECK_EQ(vmlab_trace_open("/dev/null", 0, NULL, null), 2);
	CHECK_EQ(vmlab_trace_open("/dev/null", 9, &t, null), 2);
	CHECK(t == NULL);
	CHECK_EQ(vmlab_trace_fdopen(-1, "x", 0, &t, null), 2);
	CHECK_EQ(vmlab_trace_read(NULL, &r, NULL, 1), 0);
	CHECK_EQ(vmlab_trace_next(NULL, &r), 0);
	CHECK(vmlab_trace_error(NULL) == NULL);
	CHECK_EQ(vmlab_trace_format(NULL), VMLAB_TRACE_AUTO);
	vmlab_trace_progress(NULL, &a, &b);
	CHECK(a == 0 && b == 0);
	vmlab_trace_close(NULL);
	CHECK_EQ(vmlab_trace_writer_open(NULL, "x", VMLAB_TRACE_VMT, 0, &w, null), 2);
	CHECK_EQ(vmlab_trace_writer_open(null, "x", VMLAB_TRACE_AUTO, 0, &w, null), 2);
	CHECK(w == NULL);
	CHECK_EQ(vmlab_trace_writer_open(null, "x", VMLAB_TRACE_VMT, 0, &w, null), 0);
	CHECK_EQ(vmlab_trace_write(NULL, &r), -1);
	CHECK_EQ(vmlab_trace_write(w, &r), -1); /* size 0 */
	CHECK_EQ(vmlab_trace_writer_close(w, null), 2);
	CHECK_EQ(vmlab_trace_writer_close(NULL, null), 2);
	fclose(null);
}

static void views(void)
{
	char *s = NULL, buf[64];
	uint64_t v;

	CHECK_EQ(vmlab_show(m, "maps", pid, NULL), -EFAULT);
	CHECK_EQ(vmlab_show(m, NULL, pid, &s), -EFAULT);
	CHECK_EQ(vmlab_show(m, "nonsense", pid, &s), -ENOENT);
	CHECK(s == NULL);
	CHECK_EQ(vmlab_show(m, "maps", 9999, &s), -ESRCH);
	CHECK_EQ(vmlab_show(NULL, "meminfo", 0, &s), -EINVAL);
	CHECK_EQ(vmlab_meminfo(m, "NoSuchKey", &v), -ENOENT);
	CHECK_EQ(vmlab_meminfo(m, NULL, &v), -EFAULT);
	CHECK_EQ(vmlab_meminfo(m, "MemFree", NULL), -EFAULT);
	CHECK_EQ(vmlab_vmstat(m, "no_such_counter", &v), -ENOENT);
	CHECK_EQ(vmlab_vmstat(m, "pgfault", NULL), -EFAULT);
	CHECK_EQ(vmlab_task_stat(m, 9999, "minflt", &v), -ESRCH);
	CHECK_EQ(vmlab_task_stat(m, pid, "nonsense", &v), -ENOENT);
	CHECK_EQ(vmlab_task_stat(m, pid, NULL, &v), -EFAULT);
	CHECK_EQ(vmlab_check(NULL, buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(vmlab_check(m, NULL, 0), 0);
	vmlab_tlb_stats(m, NULL);          /* no-op */
	vmlab_event_format(NULL, buf, sizeof(buf));
	CHECK_EQ(buf[0], 0);
	vmlab_event_format(NULL, NULL, 0); /* no-op */
	CHECK(!strcmp(vmlab_errno_name(-12345), "E?"));
	CHECK_EQ(vmlab_errno_parse(NULL), 0);
	CHECK_EQ(vmlab_errno_parse("ENOTHING"), 0);
	CHECK_EQ(vmlab_run_script(NULL, NULL, NULL, NULL), 2);
}

/* swap, policies, mlock, oom_score_adj and memory cgroups */
static void reclaim_calls(void)
{
	vmlab_config_t cfg;
	vmlab_t *x = (vmlab_t *)1, *e;
	uint64_t a, v;
	char *out;
	int exact = -1, future = -1;

	vmlab_config_default(&cfg);
	cfg.swap = 5000; /* not a multiple of 4K */
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	cfg.swap = 4096; /* only the header page */
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	vmlab_config_default(&cfg);
	cfg.swappiness = 201;
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	cfg.swappiness = -1;
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	vmlab_config_default(&cfg);
	cfg.page_cluster = 32;
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	vmlab_config_default(&cfg);
	snprintf(cfg.policy, sizeof(cfg.policy), "mru");
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	memset(cfg.policy, 'x', sizeof(cfg.policy)); /* not NUL-terminated */
	CHECK_EQ(vmlab_create(&cfg, &x), -EINVAL);
	CHECK(x == NULL);
	CHECK_EQ(vmlab_policy_info("mru", &exact, &future), -ENOENT);
	CHECK_EQ(vmlab_policy_info(NULL, NULL, NULL), -ENOENT);
	CHECK_EQ(vmlab_policy_info("opt", &exact, &future), 0);
	CHECK(exact == 1 && future == 1);
	CHECK(strstr(vmlab_policy_names(), "clock") != NULL);
	vmlab_set_next_use(NULL, 1); /* no-op */

	CHECK_EQ(vmlab_mlock(NULL, pid, 0, 4096), -ESRCH);
	CHECK_EQ(vmlab_mlock(m, 9999, 0, 4096), -ESRCH);
	CHECK_EQ(vmlab_mlock(m, pid, 0x10000, 4096), -ENOMEM);  /* nothing mapped there */
	CHECK_EQ(vmlab_munlock(m, pid, 0x10000, 4096), -ENOMEM);
	CHECK_EQ(vmlab_mlock(m, pid, 0x10000, UINT64_MAX), -ENOMEM); /* wraps */
	CHECK_EQ(vmlab_mmap(m, pid, 0, 8192, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a), 0);
	CHECK_EQ(vmlab_mlock(m, pid, a + 1, 100), 0); /* the start is rounded down */
	CHECK_EQ(vmlab_task_stat(m, pid, "VmLck", &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(vmlab_madvise(m, pid, a, 8192, VMLAB_MADV_DONTNEED), -EINVAL); /* a locked VMA */
	CHECK_EQ(vmlab_madvise(m, pid, a, 8192, VMLAB_MADV_PAGEOUT), -EINVAL);
	CHECK_EQ(vmlab_munlock(m, pid, a, 8192), 0);
	CHECK_EQ(vmlab_madvise(m, pid, a, 8192, VMLAB_MADV_FREE), 0);
	CHECK_EQ(vmlab_madvise(m, pid, vmlab_stack_top(m, pid) - 4096, 4096, VMLAB_MADV_COLD), 0);
	CHECK_EQ(vmlab_set_oom_score_adj(m, pid, 1001), -EINVAL);
	CHECK_EQ(vmlab_set_oom_score_adj(m, pid, -1001), -EINVAL);
	CHECK_EQ(vmlab_set_oom_score_adj(m, 9999, 0), -ESRCH);
	CHECK_EQ(vmlab_set_oom_score_adj(m, pid, -1000), 0);

	CHECK_EQ(vmlab_cgroup_create(NULL, "g", NULL), -EINVAL);
	CHECK_EQ(vmlab_cgroup_create(m, NULL, NULL), -EINVAL);
	CHECK_EQ(vmlab_cgroup_create(m, "9g", NULL), -EINVAL);
	CHECK_EQ(vmlab_cgroup_create(m, "a-b", NULL), -EINVAL);
	CHECK_EQ(vmlab_cgroup_create(m, "g", "nope"), -ENOENT);
	CHECK_EQ(vmlab_cgroup_create(m, "g", NULL), 0);
	CHECK_EQ(vmlab_cgroup_create(m, "g", NULL), -EEXIST);
	CHECK_EQ(vmlab_cgroup_create(m, "h", "g"), 0);
	CHECK_EQ(vmlab_cgroup_set(m, "nope", "memory.max", 1 << 20), -ENOENT);
	CHECK_EQ(vmlab_cgroup_set(m, "g", "memory.maximum", 1 << 20), -EINVAL);
	CHECK_EQ(vmlab_cgroup_set(m, "g", NULL, 1 << 20), -EINVAL);
	CHECK_EQ(vmlab_cgroup_set(NULL, "g", "memory.max", 1 << 20), -ENOENT);
	CHECK_EQ(vmlab_cgroup_set(m, "g", "memory.max", VMLAB_CGROUP_MAX), 0);
	CHECK_EQ(vmlab_cgroup_attach(m, "g", 9999), -ESRCH);
	CHECK_EQ(vmlab_cgroup_attach(m, "nope", pid), -ENOENT);
	CHECK_EQ(vmlab_cgroup_attach(m, "h", pid), 0);
	CHECK_EQ(vmlab_cgroup_attach(m, NULL, pid), 0); /* back to the root */
	CHECK_EQ(vmlab_cgroup_read(m, "g", "memory.bogus", &v), -ENOENT);
	CHECK_EQ(vmlab_cgroup_read(m, "nope", "memory.current", &v), -ENOENT);
	CHECK_EQ(vmlab_cgroup_read(m, "g", "memory.current", NULL), -ENOENT);
	CHECK_EQ(vmlab_cgroup_read(m, "g", "memory.max", &v), 0);
	CHECK(v == VMLAB_CGROUP_MAX);
	CHECK_EQ(vmlab_cgroup_show(m, "g", "memory.bogus", &out), -ENOENT);
	CHECK(out == NULL);
	CHECK_EQ(vmlab_cgroup_show(m, "g", "memory.stat", NULL), -EFAULT);
	CHECK_EQ(vmlab_cgroup_show(m, "g", "memory.max", &out), 0);
	CHECK(!strcmp(out, "max\n"));
	free(out);
	/* groups and the exact policies do not mix */
	vmlab_config_default(&cfg);
	snprintf(cfg.policy, sizeof(cfg.policy), "lru");
	CHECK_EQ(vmlab_create(&cfg, &e), 0);
	CHECK_EQ(vmlab_cgroup_create(e, "g", NULL), -EINVAL);
	vmlab_destroy(e);
}

int main(void)
{
	setup();
	RUN(machine_calls);
	RUN(process_calls);
	RUN(syscalls);
	RUN(accesses);
	RUN(trace_calls);
	RUN(views);
	RUN(reclaim_calls);
	vmlab_destroy(m);
	TEST_EXIT();
}
