/* tests/unit/test_trace.c - sim/trace.c and sim/trace_write.c (the trace readers and
 * writers), opt's next-use pass and the threaded sweep of sim/replay.c.
 *
 * Random records (every kind, sizes, PIDs, far and near addresses) go through each writer and
 * back through the reader, raw and zstd, in batches of every size; the text writer's lines are
 * the records' accesses; corrupted and cut vmt and zstd files must stop with a message and
 * never crash (run under ASan by make asan); next-use indices equal a quadratic scan;
 * several replays on threads equal the same replays one after the other; and the batch
 * access call equals single accesses.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/trace.h"
#include "tests/unit/test.h"
#include "tests/unit/test_tracefile.h"

static uint64_t seed = 12345;

static uint64_t rnd(void)
{
	return test_lcg(&seed);
}

static char dir[] = "/tmp/vmlab-test-trace-XXXXXX";

static const char *tmp_path(const char *name)
{
	return test_path(dir, name);
}

/* n random records: mostly near the previous address, sometimes far, some PID and size
 * changes, every kind. */
static vmlab_trace_rec_t *random_records(size_t n, int one_pid)
{
	vmlab_trace_rec_t *r = calloc(n, sizeof(*r));
	uint64_t a = 0x10000000;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t x = rnd();

		if (x % 100 == 0)
			a = rnd() & 0x7fffffffffffull;
		else if (x % 7 == 0)
			a += (rnd() & 0xffff) - 0x8000;
		else
			a += (rnd() & 63) * 8;
		r[i].addr = x % 1000 == 1 ? ~0ull - (rnd() & 0xffff) : a; /* 64-bit deltas too */
		r[i].kind = (uint8_t)(rnd() & 3);
		r[i].size = (uint16_t)(x % 5 == 0 ? 1 + rnd() % 4096 : x % 3 ? 8 : 4);
		r[i].pid = one_pid ? 1 : (uint32_t)(x % 11 == 0 ? rnd() % 5 + 1 : x % 997 == 0 ? 4000000000u : 1);
	}
	return r;
}

/* Reads path back in batches of `batch`: 0 when it holds exactly r[0..n). */
static int read_back(const char *path, int format, const vmlab_trace_rec_t *r, size_t n, size_t batch)
{
	vmlab_trace_t *t;
	vmlab_trace_rec_t buf[300];
	uint64_t lines[300];
	size_t got = 0, k, i;
	int bad = 0;

	if (vmlab_trace_open(path, format, &t, stdout))
		return -1;
	while ((k = vmlab_trace_read(t, buf, lines, batch)) > 0) {
		for (i = 0; i < k; i++) {
			if (got + i >= n || buf[i].addr != r[got + i].addr || buf[i].kind != r[got + i].kind ||
			    buf[i].size != r[got + i].size || buf[i].pid != r[got + i].pid || buf[i].pad)
				bad = 1;
			if (vmlab_trace_format(t) == VMLAB_TRACE_VMT && lines[i] != got + i + 1)
				bad = 1;
		}
		got += k;
	}
	if (vmlab_trace_error(t)) {
		printf("# %s\n", vmlab_trace_error(t));
		bad = 1;
	}
	vmlab_trace_close(t);
	return bad || got != n ? -1 : 0;
}

static void vmt_round_trip(void)
{
	const size_t n = 20000;
	vmlab_trace_rec_t *r = random_records(n, 0);
	static const size_t batches[] = {1, 7, 256, 300};
	size_t b;

	CHECK_EQ(test_write_trace(tmp_path("a.vmt"), VMLAB_TRACE_VMT, 0, r, n), 0);
	CHECK_EQ(test_write_trace(tmp_path("a.vmt.zst"), VMLAB_TRACE_VMT, 1, r, n), 0);
	for (b = 0; b < 4; b++) {
		CHECK_EQ(read_back(tmp_path("a.vmt"), VMLAB_TRACE_AUTO, r, n, batches[b]), 0);
		CHECK_EQ(read_back(tmp_path("a.vmt.zst"), VMLAB_TRACE_VMT, r, n, batches[b]), 0);
	}
	/* an empty trace, and one of exactly one block */
	CHECK_EQ(test_write_trace(tmp_path("e.vmt"), VMLAB_TRACE_VMT, 0, r, 0), 0);
	CHECK_EQ(read_back(tmp_path("e.vmt"), VMLAB_TRACE_AUTO, r, 0, 300), 0);
	CHECK_EQ(test_write_trace(tmp_path("b.vmt"), VMLAB_TRACE_VMT, 0, r, 4096), 0);
	CHECK_EQ(read_back(tmp_path("b.vmt"), VMLAB_TRACE_AUTO, r, 4096, 300), 0);
	free(r);
}

static void lackey_round_trip(void)
{
	const size_t n = 5000;
	vmlab_trace_rec_t *r = random_records(n, 1);
	size_t i;

	for (i = 0; i < n; i++)
		r[i].addr &= 0xffffffffffffull;
	CHECK_EQ(test_write_trace(tmp_path("a.lk"), VMLAB_TRACE_LACKEY, 0, r, n), 0);
	CHECK_EQ(read_back(tmp_path("a.lk"), VMLAB_TRACE_AUTO, r, n, 300), 0);
	CHECK_EQ(test_write_trace(tmp_path("a.lk.zst"), VMLAB_TRACE_LACKEY, 1, r, n), 0);
	CHECK_EQ(read_back(tmp_path("a.lk.zst"), VMLAB_TRACE_LACKEY, r, n, 13), 0);
	/* lackey has one process: a record of another PID is an error at close */
	r[10].pid = 2;
	CHECK(test_write_trace(tmp_path("b.lk"), VMLAB_TRACE_LACKEY, 0, r, n) != 0);
	free(r);
}

/* Text holds accesses: each record becomes trace_expand's accesses, as R/W of one byte. */
static void text_expansion(void)
{
	const size_t n = 5000;
	vmlab_trace_rec_t *r = random_records(n, 0), *x = calloc(4 * n, sizeof(*x));
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		uint64_t a[4];
		uint8_t k[4];
		int c, j;

		r[i].addr &= 0x7fffffffffffull;
		c = trace_expand(&r[i], a, k);
		for (j = 0; j < c; j++) {
			x[m].addr = a[j];
			x[m].kind = k[j] == VMLAB_ACC_WRITE ? VMLAB_ACC_WRITE : VMLAB_ACC_READ;
			x[m].size = 1;
			x[m].pid = r[i].pid;
			m++;
		}
	}
	CHECK_EQ(test_write_trace(tmp_path("a.txt"), VMLAB_TRACE_TEXT, 0, r, n), 0);
	CHECK_EQ(read_back(tmp_path("a.txt"), VMLAB_TRACE_AUTO, x, m, 300), 0);
	CHECK_EQ(test_write_trace(tmp_path("a.txt.zst"), VMLAB_TRACE_TEXT, 1, r, n), 0);
	CHECK_EQ(read_back(tmp_path("a.txt.zst"), VMLAB_TRACE_AUTO, x, m, 1), 0);
	free(r);
	free(x);
}

static void expand_rules(void)
{
	vmlab_trace_rec_t r = {.addr = 0x10000ffc, .size = 8, .kind = VMLAB_ACC_MODIFY, .pid = 1};
	uint64_t a[4];
	uint8_t k[4];

	CHECK_EQ(trace_expand(&r, a, k), 4); /* load both pages, then store both */
	CHECK(a[0] == 0x10000ffc && a[1] == 0x10001003 && a[2] == 0x10000ffc && a[3] == 0x10001003);
	CHECK(k[0] == VMLAB_ACC_READ && k[1] == VMLAB_ACC_READ && k[2] == VMLAB_ACC_WRITE);
	r.kind = VMLAB_ACC_EXEC;
	CHECK_EQ(trace_expand(&r, a, k), 2);
	r.size = 4;
	CHECK_EQ(trace_expand(&r, a, k), 1);
	r.addr = 0x10000000;
	r.size = 4096;
	CHECK_EQ(trace_expand(&r, a, k), 1);
}

/* Reads a file to its end: 0 clean, 1 stopped with a message. */
static int read_all(const char *path)
{
	vmlab_trace_t *t;
	vmlab_trace_rec_t buf[256];
	int rc;

	if (vmlab_trace_open(path, VMLAB_TRACE_AUTO, &t, NULL))
		return 1;
	while (vmlab_trace_read(t, buf, NULL, 256) > 0)
		;
	rc = vmlab_trace_error(t) != NULL;
	if (rc && strncmp(vmlab_trace_error(t), path, strlen(path)))
		rc = 2; /* the message must name the file */
	vmlab_trace_close(t);
	return rc;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(1 << 22);

	*n = f ? fread(b, 1, 1 << 22, f) : 0;
	if (f)
		fclose(f);
	return b;
}

static void put(const char *path, const unsigned char *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		if (n)
			fwrite(b, 1, n, f);
		fclose(f);
	}
}

/* Every cut of a small file and random byte changes of a big one: a message, never a crash;
 * a cut file is always an error (the end marker is missing or the frame is incomplete). */
static void corrupt_files(void)
{
	const size_t n = 3000;
	vmlab_trace_rec_t *r = random_records(n, 0);
	static const char *const names[] = {"c.vmt", "c.vmt.zst"};
	int z, errors = 0, rounds = 0;

	for (z = 0; z < 2; z++) {
		const char *p = tmp_path(names[z]);
		size_t len, i, cut;
		unsigned char *b, *c;

		CHECK_EQ(test_write_trace(p, VMLAB_TRACE_VMT, z, r, z ? n : 200), 0);
		b = slurp(p, &len);
		c = malloc(len);
		for (cut = 0; cut < len; cut += z ? 97 : 1) {
			put(tmp_path("cut"), b, cut);
			if (read_all(tmp_path("cut")) != 1 && cut > 0)
				errors++;
		}
		for (i = 0; i < 300; i++) {
			int k, rc;

			memcpy(c, b, len);
			for (k = 0; k < 4; k++)
				c[rnd() % len] ^= (unsigned char)(1u << (rnd() & 7));
			put(tmp_path("mut"), c, len);
			rc = read_all(tmp_path("mut"));
			CHECK(rc != 2);
			rounds++;
		}
		free(b);
		free(c);
	}
	CHECK_EQ(errors, 0);
	CHECK(rounds == 600);
	free(r);
}

/* Opt's first pass against a quadratic scan. */
static void next_use(void)
{
	const size_t n = 3000;
	vmlab_trace_rec_t *r = random_records(n, 0);
	vmlab_replay_opts_t o = {0};
	struct next_use nu;
	uint64_t *a = calloc(4 * n, sizeof(*a)), m = 0, i, j;
	uint32_t *pid = calloc(4 * n, sizeof(*pid));
	char msg[TRACE_MSG];
	int bad = 0;

	for (i = 0; i < n; i++) {
		uint64_t x[4];
		uint8_t k[4];
		int c, q;

		r[i].addr = 0x10000000 + (rnd() % 200) * 4096 + (rnd() & 4095);
		c = trace_expand(&r[i], x, k);
		for (q = 0; q < c; q++) {
			a[m] = x[q] >> 12;
			pid[m++] = r[i].pid;
		}
	}
	CHECK_EQ(test_write_trace(tmp_path("nu.vmt"), VMLAB_TRACE_VMT, 0, r, n), 0);
	CHECK_EQ(next_use_compute(tmp_path("nu.vmt"), &o, &nu, msg, sizeof(msg)), 0);
	CHECK_EQ(nu.n, m);
	for (i = 0; i < m && nu.n == m; i++) {
		uint64_t want = UINT64_MAX;

		for (j = i + 1; j < m; j++)
			if (a[j] == a[i] && pid[j] == pid[i]) {
				want = j;
				break;
			}
		if (next_use_get(&nu, i) != want)
			bad++;
	}
	CHECK_EQ(bad, 0);
	next_use_free(&nu);
	/* a kernel address stops it with the record's number */
	r[77].addr = 0xffff888000000000ull;
	CHECK_EQ(test_write_trace(tmp_path("nu2.vmt"), VMLAB_TRACE_VMT, 0, r, n), 0);
	CHECK_EQ(next_use_compute(tmp_path("nu2.vmt"), &o, &nu, msg, sizeof(msg)), -1);
	CHECK(strstr(msg, "nu2.vmt:78: error: address outside user space") != NULL);
	free(r);
	free(a);
	free(pid);
}

/* Machines share nothing: replays on four threads equal the same replays in turn. */
static void sweep_threads(void)
{
	const size_t n = 20000;
	vmlab_trace_rec_t *r = random_records(n, 0);
	vmlab_replay_opts_t o = {0};
	vmlab_config_t cfgs[8];
	struct replay_counters par[8], seq[8];
	char msg[TRACE_MSG];
	size_t i;

	for (i = 0; i < n; i++)
		r[i].addr = 0x10000000 + (rnd() % 3000) * 4096 + (rnd() & 4095);
	CHECK_EQ(test_write_trace(tmp_path("sw.vmt"), VMLAB_TRACE_VMT, 0, r, n), 0);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(replay_config(&o, &cfgs[i], msg, sizeof(msg)), 0);
		cfgs[i].tlb_entries = 4u << i;
		cfgs[i].tlb_ways = 4;
		CHECK_EQ(replay_run(tmp_path("sw.vmt"), &o, &cfgs[i], NULL, &seq[i], msg, sizeof(msg), NULL, 0), 0);
	}
	CHECK_EQ(replay_sweep(tmp_path("sw.vmt"), &o, cfgs, 8, 4, NULL, par, msg, sizeof(msg)), 0);
	for (i = 0; i < 8; i++) {
		CHECK(!memcmp(&par[i], &seq[i], sizeof(par[i])));
		CHECK_EQ(seq[i].accesses, seq[0].accesses);
	}
	CHECK(seq[7].tlb_hit > seq[0].tlb_hit); /* 512 entries hit more than 4 */
	/* a failing job: its message, the others stop */
	cfgs[5].ram = 1; /* impossible */
	CHECK_EQ(replay_sweep(tmp_path("sw.vmt"), &o, cfgs, 8, 4, NULL, par, msg, sizeof(msg)), -1);
	CHECK(strstr(msg, "cannot create the machine") != NULL);
	free(r);
}

/* vmlab_access_recs is n vmlab_access calls: same results, same counters, on two machines
 * fed the same random accesses (hits, misses, faults, SIGSEGVs in unmapped holes). */
static void access_recs(void)
{
	vmlab_config_t cfg;
	vmlab_t *a, *b;
	vmlab_trace_rec_t r[500];
	vmlab_tlb_stats_t sa, sb;
	uint64_t out, fa, fb;
	int pa, pb, round, bad = 0;

	vmlab_config_default(&cfg);
	CHECK_EQ(vmlab_create(&cfg, &a), 0);
	CHECK_EQ(vmlab_create(&cfg, &b), 0);
	vmlab_spawn(a, &pa);
	vmlab_spawn(b, &pb);
	CHECK_EQ(pa, pb);
	vmlab_mmap(a, pa, 0x10000000, 1 << 20, 3, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &out);
	vmlab_mmap(b, pb, 0x10000000, 1 << 20, 3, VMLAB_MAP_PRIVATE | VMLAB_MAP_FIXED, &out);
	for (round = 0; round < 200; round++) {
		size_t n = 1 + rnd() % 500, i = 0, j;

		for (j = 0; j < n; j++) {
			r[j].addr = 0x10000000 + (rnd() % 300) * 4096 + (rnd() & 4095); /* some unmapped */
			r[j].kind = (uint8_t)(rnd() % 3 == 0);
		}
		while (i < n) {
			int sig, want = 0;
			size_t done = vmlab_access_recs(b, pb, r + i, n - i, &sig), k;

			for (k = 0; k < done && !want; k++)
				want = vmlab_access(a, pa, r[i + k].addr, r[i + k].kind);
			if (sig != want || (sig == 0 && done != n - i) || k != done)
				bad++;
			i += done ? done : 1;
		}
	}
	vmlab_tlb_stats(a, &sa);
	vmlab_tlb_stats(b, &sb);
	vmlab_vmstat(a, "pgfault", &fa);
	vmlab_vmstat(b, "pgfault", &fb);
	CHECK_EQ(bad, 0);
	CHECK(!memcmp(&sa, &sb, sizeof(sa)));
	CHECK_EQ(fa, fb);
	CHECK(sa.hits > 1000 && sa.misses > 1000);
	vmlab_destroy(a);
	vmlab_destroy(b);
}

/* Replay's whole-batch path (batches of one-page accesses by one PID, vmt or text) against
 * its per-record path (the same text, its hints ignored): the same counters, with SIGSEGVs
 * below mmap_min_addr, implicit mappings, accesses near the top of user space, and OOM kills. */
static void uniform_batches(void)
{
	static const uint64_t rams[] = {0, 16ull << 20};
	const size_t n = 40000;
	vmlab_trace_rec_t *r = calloc(n, sizeof(*r));
	size_t i, k;

	for (i = 0; i < n; i++) {
		uint64_t x = rnd();

		r[i].pid = 1;
		r[i].size = 1;
		r[i].kind = (uint8_t)(x % 2); /* text has no fetches */
		r[i].addr = x % 50 == 0   ? rnd() % 0x10000                           /* SIGSEGV */
			  : x % 97 == 0 && (i >> 10) % 4 == 3 ? 0x7ffffffff000ull - 1 - rnd() % 8192 /* the top */
			  : 0x10000000 + (rnd() % 6000) * 4096 + (rnd() & 4095);
	}
	CHECK_EQ(test_write_trace(tmp_path("u.vmt"), VMLAB_TRACE_VMT, 0, r, n), 0);
	CHECK_EQ(test_write_trace(tmp_path("u.txt"), VMLAB_TRACE_TEXT, 0, r, n), 0);
	/* both readers vouch for the batches without the top of user space (3 in 4) */
	for (k = 0; k < 2; k++) {
		vmlab_trace_t *t;
		struct batch *b = calloc(1, sizeof(*b));
		size_t batches = 0, uniform = 0;

		CHECK_EQ(vmlab_trace_open(tmp_path(k ? "u.txt" : "u.vmt"), VMLAB_TRACE_AUTO, &t, stderr), 0);
		while (batch_read(t, b)) {
			uniform += (size_t)b->uniform;
			CHECK_EQ(b->uniform, batches % 4 != 3);
			batches++;
		}
		CHECK_EQ(batches, (n + TRACE_BATCH - 1) / TRACE_BATCH);
		CHECK(uniform > batches / 2);
		vmlab_trace_close(t);
		free(b);
	}
	for (k = 0; k < 2; k++) {
		vmlab_replay_opts_t o = {.ram = rams[k]};
		vmlab_config_t cfg;
		struct replay_counters a, b, c;
		char msg[TRACE_MSG];

		CHECK_EQ(replay_config(&o, &cfg, msg, sizeof(msg)), 0);
		CHECK_EQ(replay_run(tmp_path("u.vmt"), &o, &cfg, NULL, &a, msg, sizeof(msg), NULL, 0), 0);
		CHECK_EQ(replay_run(tmp_path("u.txt"), &o, &cfg, NULL, &b, msg, sizeof(msg), NULL,
				    REPLAY_NO_HINTS), 0);
		CHECK_EQ(replay_run(tmp_path("u.txt"), &o, &cfg, NULL, &c, msg, sizeof(msg), NULL, 0), 0);
		CHECK(!memcmp(&a, &b, sizeof(a)));
		CHECK(!memcmp(&a, &c, sizeof(a)));
		CHECK(a.sigsegv > 0 && a.implicit_mappings > 1);
		CHECK(k == 0 || a.oom_kill > 0);
	}
	free(r);
}

static void cleanup(void)
{
	static const char *const names[] = {"a.vmt", "a.vmt.zst", "e.vmt", "b.vmt", "a.lk", "a.lk.zst",
					    "b.lk", "a.txt", "a.txt.zst", "c.vmt", "c.vmt.zst", "cut",
					    "mut", "nu.vmt", "nu2.vmt", "sw.vmt", "u.vmt", "u.txt"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	rmdir(dir);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(vmt_round_trip);
	RUN(lackey_round_trip);
	RUN(text_expansion);
	RUN(expand_rules);
	RUN(corrupt_files);
	RUN(next_use);
	RUN(sweep_threads);
	RUN(access_recs);
	RUN(uniform_batches);
	cleanup();
	TEST_EXIT();
}
