/* bench/bench_core.c - the foundation's speed and memory figures, through the public API:
 *   tlb_hit_access   accesses/s of vmlab_access on pages that stay in the TLB
 *   minor_fault      first-touch write faults/s (allocating and zeroing a page each)
 *   fork_1g          ms to fork a process with 1 GiB of resident anonymous memory
 *   boot_64g         ms to boot a 64 GiB machine, and the host memory it committed (MiB)
 * Prints "NAME VALUE UNIT" lines; bench/run.sh takes medians over several runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vmlab.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long rss_kb(void)
{
	long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static vmlab_t *machine(uint64_t ram)
{
	vmlab_config_t cfg;
	vmlab_t *m;

	vmlab_config_default(&cfg);
	cfg.ram = ram;
	if (vmlab_create(&cfg, &m)) {
		fprintf(stderr, "bench: cannot create a machine of %llu bytes\n", (unsigned long long)ram);
		exit(1);
	}
	return m;
}

static void bench_tlb_hits(void)
{
	vmlab_t *m = machine(64ull << 20);
	const uint64_t n = 200000000ull;
	uint64_t a, i, sink = 0;
	int pid;
	double t;

	vmlab_spawn(m, &pid);
	vmlab_mmap(m, pid, 0, 32 * 4096, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a);
	vmlab_touch(m, pid, a, 32 * 4096, VMLAB_ACC_WRITE, NULL); /* 32 pages: fit the 64-entry TLB */
	t = now();
	for (i = 0; i < n; i++)
		sink += (uint64_t)vmlab_access(m, pid, a + ((i * 4096 + (i & 63) * 8) & (32 * 4096 - 1)),
					       (int)(i & 1));
	t = now() - t;
	printf("tlb_hit_access %.1f Maccesses/s\n", (double)n / t / 1e6);
	if (sink)
		printf("# unexpected faults: %llu\n", (unsigned long long)sink);
	vmlab_destroy(m);
}

static void bench_minor_faults(void)
{
	vmlab_t *m = machine(2ull << 30);
	uint64_t a, len = 1ull << 30;
	int pid;
	double t;

	vmlab_spawn(m, &pid);
	vmlab_mmap(m, pid, 0, len, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a);
	t = now();
	vmlab_touch(m, pid, a, len, VMLAB_ACC_WRITE, NULL);
	t = now() - t;
	printf("minor_fault_cold %.2f Mfaults/s\n", (double)(len >> 12) / t / 1e6);
	/* the same faults again on frames the host has already committed (steady state) */
	vmlab_munmap(m, pid, a, len);
	vmlab_mmap(m, pid, 0, len, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a);
	t = now();
	vmlab_touch(m, pid, a, len, VMLAB_ACC_WRITE, NULL);
	t = now() - t;
	printf("minor_fault_1g %.2f Mfaults/s\n", (double)(len >> 12) / t / 1e6);
	vmlab_munmap(m, pid, a, len);
	{
		/* the fault path itself: 8 MiB mapped, touched and unmapped 128 times, so the frames
		 * (recycled through the per-CPU lists) stay in the host's caches */
		uint64_t small = 8ull << 20, r;

		t = now();
		for (r = 0; r < 128; r++) {
			vmlab_mmap(m, pid, 0, small, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a);
			vmlab_touch(m, pid, a, small, VMLAB_ACC_WRITE, NULL);
			vmlab_munmap(m, pid, a, small);
		}
		t = now() - t;
		printf("minor_fault %.2f Mfaults/s\n", (double)(128 * (small >> 12)) / t / 1e6);
	}
	vmlab_mmap(m, pid, 0, len, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a);
	vmlab_touch(m, pid, a, len, VMLAB_ACC_WRITE, NULL);
	t = now();
	{
		int child = 0;

		if (vmlab_fork(m, pid, &child)) {
			fprintf(stderr, "bench_core: fork of 1 GiB failed\n");
			exit(1);
		}
		t = now() - t;
		printf("fork_1g %.2f ms\n", t * 1e3);
		t = now();
		vmlab_exit(m, child);
		t = now() - t;
		printf("exit_1g_cow %.2f ms\n", t * 1e3);
	}
	vmlab_destroy(m);
}

/* Read faults on a cached file with fault-around: 64 MiB mapped and read once a page, 16
 * times, from a page cache that already holds the file (each fault maps 16 pages). */
static void bench_file_faults(void)
{
	vmlab_t *m = machine(512ull << 20);
	char path[] = "/tmp/vmlab-bench-XXXXXX";
	int fd = mkstemp(path), pid, r;
	uint64_t len = 64ull << 20, a, faults = 0;
	static char buf[1 << 20];
	double t;

	if (fd < 0)
		return;
	memset(buf, 'x', sizeof(buf));
	for (r = 0; r < 64; r++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			break;
	close(fd);
	vmlab_spawn(m, &pid);
	vmlab_mmap_file(m, pid, 0, len, VMLAB_PROT_READ, VMLAB_MAP_PRIVATE, path, 0, &a);
	vmlab_touch(m, pid, a, len, VMLAB_ACC_READ, NULL); /* warm the page cache */
	vmlab_munmap(m, pid, a, len);
	t = now();
	for (r = 0; r < 16; r++) {
		uint64_t before, after;

		vmlab_task_stat(m, pid, "minflt", &before);
		vmlab_mmap_file(m, pid, 0x7f0000000000ull, len, VMLAB_PROT_READ,
				VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, path, 0, &a);
		vmlab_touch(m, pid, a, len, VMLAB_ACC_READ, NULL);
		vmlab_munmap(m, pid, a, len);
		vmlab_task_stat(m, pid, "minflt", &after);
		faults += after - before;
	}
	t = now() - t;
	unlink(path);
	printf("file_read_fault %.2f Mfaults/s\n", (double)faults / t / 1e6);
	printf("file_read_fault_pages %.1f Mpages/s\n", (double)(16 * (len >> 12)) / t / 1e6);
	vmlab_destroy(m);
}

static void bench_boot(void)
{
	long before = rss_kb();
	double t = now();
	vmlab_t *m = machine(64ull << 30);

	t = now() - t;
	printf("boot_64g %.1f ms\n", t * 1e3);
	printf("boot_64g_host_rss %.1f MiB\n", (double)(rss_kb() - before) / 1024.0);
	vmlab_destroy(m);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "";

	if (!*only || !strcmp(only, "tlb"))
		bench_tlb_hits();
	if (!*only || !strcmp(only, "fault"))
		bench_minor_faults();
	if (!*only || !strcmp(only, "file"))
		bench_file_faults();
	if (!*only || !strcmp(only, "boot"))
		bench_boot();
	return 0;
}
