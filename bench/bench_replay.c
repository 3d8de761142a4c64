/* bench/bench_replay.c - trace replay speed, end to end: the vmlab binary on trace files that
 * bench/gen_trace writes into a temporary directory made (and removed) here. Side by side in
 * one run:
 *   bare_lru_text_zipf       the yardstick: bench/bare_lru over the Zipf text trace
 *   replay_text_zipf_lru     vmlab replay of that text trace, exact LRU
 *   replay_vmt_zipf_lru      vmlab replay of the same trace as vmt
 *   replay_text_vs_bare_lru  wall time of replay from text over the bare loop's
 *   replay_vmt_tlb90         vmlab replay of a vmt trace whose accesses hit the TLB 9 in 10
 *   tlb90_hit_ratio          the hit ratio it reported
 *   mrc_lru_zipf             vmlab mrc (one-pass LRU, 10 points) of the Zipf vmt trace
 *   trace_read_vmt           decoding alone: vmlab_trace_read over the Zipf vmt trace
 *   trace_read_text          the same over the text trace (parsing alone)
 *   replay_rss_10m/_100m     peak memory of `gen_trace | vmlab replay -` over 10M and 100M
 *                            accesses (streaming: the same)
 * The Zipf trace: 10M writes, Zipf(1.0) over 100k pages, seed 42, replayed with --resident
 * 10000 --policy lru (exact LRU, the workload; pgfault is checked against the bare
 * loop's misses). One replay runs first, unmeasured,
 * so that the host has committed memory for the simulated RAM before the measured ones.
 * Prints "NAME VALUE UNIT" lines; bench/run.sh takes medians over several runs.
 */
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vmlab.h>

extern char **environ;

static char dir[PATH_MAX], tmp[] = "/tmp/vmlab-bench-XXXXXX";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs argv with stdout into the file `out` (NULL: /dev/null): its exit status, and its wall
 * time in *secs. */
static int run(char *const argv[], const char *out, double *secs)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = -1;
	double t;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	t = now();
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) == 0)
		waitpid(pid, &st, 0);
	t = now() - t;
	posix_spawn_file_actions_destroy(&fa);
	if (secs)
		*secs = t;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* gen | vmlab replay -: the replay's peak resident memory in MiB (streaming: the same for
 * every trace length). */
static double pipe_rss(char *const gen[], char *const rep[])
{
	posix_spawn_file_actions_t fg, fr;
	struct rusage ru;
	pid_t g, r;
	int fds[2], st;

	if (pipe(fds))
		return 0;
	posix_spawn_file_actions_init(&fg);
	posix_spawn_file_actions_init(&fr);
	posix_spawn_file_actions_adddup2(&fg, fds[1], 1);
	posix_spawn_file_actions_addclose(&fg, fds[0]);
	posix_spawn_file_actions_adddup2(&fr, fds[0], 0);
	posix_spawn_file_actions_addclose(&fr, fds[1]);
	posix_spawn_file_actions_addopen(&fr, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&g, gen[0], &fg, NULL, gen, environ) ||
	    posix_spawn(&r, rep[0], &fr, NULL, rep, environ))
		return 0;
	close(fds[0]);
	close(fds[1]);
	waitpid(g, &st, 0);
	wait4(r, &st, 0, &ru);
	posix_spawn_file_actions_destroy(&fg);
	posix_spawn_file_actions_destroy(&fr);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? (double)ru.ru_maxrss / 1024.0 : 0;
}

static char *path(const char *d, const char *name)
{
	static char p[8][PATH_MAX + 64];
	static int k;

	k = (k + 1) & 7;
	snprintf(p[k], sizeof(p[k]), "%s/%s", d, name);
	return p[k];
}

/* The value of counter `name` in a file of "NAME VALUE" lines, or 0. */
static unsigned long long counter(const char *file, const char *name)
{
	char line[256], key[128];
	unsigned long long v = 0, x;
	FILE *f = fopen(file, "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %llu", key, &x) == 2 && !strcmp(key, name))
			v = x;
	if (f)
		fclose(f);
	return v;
}

static double decode_rate(const char *file)
{
	static vmlab_trace_rec_t r[1024];
	vmlab_trace_t *t;
	uint64_t n = 0;
	size_t k;
	double s = now();

	if (vmlab_trace_open(file, VMLAB_TRACE_AUTO, &t, stderr))
		return 0;
	while ((k = vmlab_trace_read(t, r, NULL, 1024)) > 0)
		n += k;
	vmlab_trace_close(t);
	return (double)n / (now() - s) / 1e6;
}

int main(int argc, char **argv)
{
	const double n = 10e6, n90 = 30e6;
	char *gen, *vmlab, *bare, *zt, *zv, *t90, *out;
	double tb, tt, tv, t9, tm;

	(void)argc;
	if (!realpath("/proc/self/exe", dir) || !strrchr(dir, '/') || !mkdtemp(tmp))
		return 1;
	*strrchr(dir, '/') = 0; /* build/bench */
	gen = strdup(path(dir, "gen_trace"));
	bare = strdup(path(dir, "bare_lru"));
	vmlab = strdup(path(dir, "../vmlab"));
	zt = strdup(path(tmp, "zipf.txt"));
	zv = strdup(path(tmp, "zipf.vmt"));
	t90 = strdup(path(tmp, "tlb90.vmt"));
	out = strdup(path(tmp, "out"));
	{
		char *g1[] = {gen, "--pattern", "zipf", "--n", "10000000", "--pages", "100000", "--seed",
			      "42", "-o", zt, NULL};
		char *g2[] = {gen, "--pattern", "zipf", "--n", "10000000", "--pages", "100000", "--seed",
			      "42", "--to", "vmt", "-o", zv, NULL};
		char *g3[] = {gen, "--pattern", "tlb90", "--n", "30000000", "--pages", "4096", "--seed",
			      "42", "--to", "vmt", "-o", t90, NULL};

		if (run(g1, NULL, NULL) || run(g2, NULL, NULL) || run(g3, NULL, NULL)) {
			fprintf(stderr, "bench_replay: %s failed\n", gen);
			goto out;
		}
	}
	{
		char *b[] = {bare, zt, "10000", NULL};
		char *rt[] = {vmlab, "replay", "--ram", "256M", "--resident", "10000", "--policy", "lru", zt, NULL};
		char *rv[] = {vmlab, "replay", "--ram", "256M", "--resident", "10000", "--policy", "lru", zv, NULL};
		char *warm[] = {vmlab, "replay", "--ram", "1G", zv, NULL};
		char *r9[] = {vmlab, "replay", t90, NULL};
		char *mr[] = {vmlab, "mrc", "--points", "10", zv, NULL};
		unsigned long long misses;

		/* warm-up, not measured: the first process to touch 400 MB pays the host for
		 * committing it (0.5 s of system time here); later ones get it back at once */
		run(warm, NULL, NULL);
		if (run(b, out, &tb)) {
			fprintf(stderr, "bench_replay: %s failed\n", bare);
			goto out;
		}
		misses = counter(out, "misses");
		if (run(rt, out, &tt))
			goto fail;
		if (counter(out, "pgfault") != misses)
			printf("# replay --resident 10000 --policy lru: pgfault %llu, bare LRU misses %llu\n",
			       counter(out, "pgfault"), misses);
		if (run(rv, out, &tv))
			goto fail;
		if (run(r9, out, &t9))
			goto fail;
		printf("bare_lru_text_zipf %.1f Maccesses/s\n", n / tb / 1e6);
		printf("replay_text_zipf_lru %.1f Maccesses/s\n", n / tt / 1e6);
		printf("replay_vmt_zipf_lru %.1f Maccesses/s\n", n / tv / 1e6);
		printf("replay_text_vs_bare_lru %.2f x\n", tt / tb);
		printf("replay_vmt_tlb90 %.1f Maccesses/s\n", n90 / t9 / 1e6);
		printf("tlb90_hit_ratio %.1f %%\n", 100.0 * (double)counter(out, "tlb_hit") / n90);
		if (run(mr, NULL, &tm))
			goto fail;
		printf("mrc_lru_zipf %.1f Maccesses/s\n", n / tm / 1e6);
		printf("trace_read_vmt %.0f Mrecords/s\n", decode_rate(zv));
		printf("trace_read_text %.0f Mrecords/s\n", decode_rate(zt));
		{
			char *p7[] = {gen, "--pattern", "tlb90", "--n", "10000000", "--pages", "4096", "--to", "vmt", NULL};
			char *p8[] = {gen, "--pattern", "tlb90", "--n", "100000000", "--pages", "4096", "--to", "vmt", NULL};
			char *rp[] = {vmlab, "replay", "-", NULL};

			printf("replay_rss_10m %.1f MiB\n", pipe_rss(p7, rp));
			printf("replay_rss_100m %.1f MiB\n", pipe_rss(p8, rp));
		}
	}
	goto out;
fail:
	fprintf(stderr, "bench_replay: %s failed\n", vmlab);
out:
	unlink(zt);
	unlink(zv);
	unlink(t90);
	unlink(out);
	rmdir(tmp);
	return 0;
}
