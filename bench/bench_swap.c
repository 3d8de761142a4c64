/* bench/bench_swap.c - swap and reclaim speed, through the public API:
 *   swap_out          pages/s swapped out by MADV_PAGEOUT of 256 MiB of written anonymous memory
 *                     (slot allocation, unmap through the reverse map, a 4 KiB write to the
 *                     in-memory swap device, the swap cache, freeing), second round: the
 *                     host has committed the simulated RAM and the swap store once
 *   swap_in           pages/s swapped back in by reading every page again (do_swap_page with
 *                     readahead, page-cluster 3, from the in-memory device), second round
 *   swap_out_cold     the first round's swap-out, when the host commits (and zeroes) the
 *                     store's memory as it is first written (host page faults dominate)
 *   reclaim_kswapd    ns of reclaim work per page scanned when kswapd keeps a 256 MiB machine
 *                     going while 768 MiB are written, and the pages scanned per page reclaimed
 * Prints "NAME VALUE UNIT" lines; bench/run.sh takes medians over several runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vmlab.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static vmlab_t *machine(uint64_t ram, uint64_t swap)
{
	vmlab_config_t cfg;
	vmlab_t *m;

	vmlab_config_default(&cfg);
	cfg.ram = ram;
	cfg.swap = swap;
	if (vmlab_create(&cfg, &m)) {
		fprintf(stderr, "bench: cannot create the machine\n");
		exit(1);
	}
	return m;
}

static uint64_t stat_of(vmlab_t *m, const char *name)
{
	uint64_t v = 0;

	vmlab_vmstat(m, name, &v);
	return v;
}

static void bench_swap_out_in(void)
{
	const uint64_t len = 256ull << 20, pages = len >> 12;
	vmlab_t *m = machine(1ull << 30, len + (4ull << 20)); /* the second round reuses the slots */
	uint64_t a, i, out, in;
	uint8_t buf[8];
	int pid;
	double t;

	vmlab_spawn(m, &pid);
	vmlab_mmap(m, pid, 0, len, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a);
	for (i = 0; i < pages; i++) /* real bytes on every page, so every page is written out */
		vmlab_store(m, pid, a + i * 4096, &i, sizeof(i), NULL);
	t = now();
	vmlab_madvise(m, pid, a, len, VMLAB_MADV_PAGEOUT);
	t = now() - t;
	out = stat_of(m, "pswpout");
	printf("swap_out_cold %.2f Mpages/s\n", (double)out / t / 1e6);
	for (i = 0; i < pages; i++) /* read back, written again: the next swap-out writes all */
		vmlab_store(m, pid, a + i * 4096, &i, sizeof(i), NULL);
	t = now();
	vmlab_madvise(m, pid, a, len, VMLAB_MADV_PAGEOUT);
	t = now() - t;
	out = stat_of(m, "pswpout") - out;
	printf("swap_out %.2f Mpages/s\n", (double)out / t / 1e6);
	in = stat_of(m, "pswpin");
	t = now();
	for (i = 0; i < pages; i++)
		vmlab_load(m, pid, a + i * 4096, buf, 8, NULL);
	t = now() - t;
	in = stat_of(m, "pswpin") - in;
	printf("swap_in %.2f Mpages/s\n", (double)in / t / 1e6);
	if (out != pages || in != pages)
		printf("# swapped out %llu and in %llu of %llu pages\n", (unsigned long long)out,
		       (unsigned long long)in, (unsigned long long)pages);
	vmlab_destroy(m);
}

static void bench_reclaim(void)
{
	const uint64_t len = 768ull << 20, pages = len >> 12;
	vmlab_t *m = machine(256ull << 20, 1ull << 30);
	uint64_t a, i, scanned, stolen;
	int pid;
	double t;

	vmlab_spawn(m, &pid);
	vmlab_mmap(m, pid, 0, len, VMLAB_PROT_READ | VMLAB_PROT_WRITE, VMLAB_MAP_PRIVATE, &a);
	t = now();
	for (i = 0; i < pages; i++)
		vmlab_store(m, pid, a + i * 4096, &i, sizeof(i), NULL);
	t = now() - t;
	scanned = stat_of(m, "pgscan_kswapd") + stat_of(m, "pgscan_direct");
	stolen = stat_of(m, "pgsteal_kswapd") + stat_of(m, "pgsteal_direct");
	printf("reclaim_pressure_run %.2f s\n", t);
	printf("reclaim_scanned_per_reclaimed %.2f ratio\n", stolen ? (double)scanned / (double)stolen : 0.0);
	printf("reclaim_ns_per_scanned %.0f ns\n", scanned ? t * 1e9 / (double)scanned : 0.0);
	vmlab_destroy(m);
}

int main(void)
{
	bench_swap_out_in();
	bench_reclaim();
	return 0;
}
