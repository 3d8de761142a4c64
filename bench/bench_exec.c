/* bench/bench_exec.c - exec of a real program, through the public API:
 *   exec_ls_cold   ms for vmlab_exec of /bin/ls (and its libraries) on a fresh machine: the
 *                  simulated page cache is empty, every header and bss page is read from the
 *                  host file (the host's own page cache is warm after the first run)
 *   exec_ls_warm   ms for the same exec by a new process of the same machine: the page cache
 *                  holds what the first exec read
 * Each figure is the median of 15 execs. Prints "NAME VALUE UNIT"; skips without /bin/ls. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <vmlab.h>

#define PROG "/bin/ls"
#define N 15

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static vmlab_t *machine(void)
{
	vmlab_config_t cfg;
	vmlab_t *m;

	vmlab_config_default(&cfg);
	cfg.ram = 256ull << 20;
	return vmlab_create(&cfg, &m) ? NULL : m;
}

/* ms for one exec of PROG in a new process of m. */
static double one_exec(vmlab_t *m)
{
	const char *argv[] = {PROG};
	double t;
	int pid;

	if (vmlab_spawn(m, &pid))
		return -1;
	t = now();
	if (vmlab_exec(m, pid, PROG, 1, argv, 0, NULL))
		return -1;
	t = now() - t;
	vmlab_exit(m, pid);
	return t * 1e3;
}

int main(void)
{
	double cold[N], warm[N];
	int i;

	if (access(PROG, X_OK))
		return 0;
	for (i = 0; i < N; i++) {
		vmlab_t *m = machine();

		if (!m)
			return 1;
		cold[i] = one_exec(m);
		warm[i] = one_exec(m);
		vmlab_destroy(m);
		if (cold[i] < 0 || warm[i] < 0)
			return 1;
	}
	qsort(cold, N, sizeof(double), cmp);
	qsort(warm, N, sizeof(double), cmp);
	printf("exec_ls_cold %.3f ms\n", cold[N / 2]);
	printf("exec_ls_warm %.3f ms\n", warm[N / 2]);
	return 0;
}
