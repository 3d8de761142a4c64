/* tests/unit/test_trace_ring.c - sim/trace_ring.c (decoding a trace on a thread of its own)
 * and the uniform hint of the line readers (sim/trace_text.c).
 *
 * The threaded ring hands out exactly the batches batch_read gives inline (records, line
 * numbers, hints, in order) for text, lackey, vmt and zstd; a malformed record after many
 * good ones ends it after the last good batch with the same message; ring_end stops a thread
 * that waits for room in the ring or for a pipe that says nothing; the text hint is true
 * exactly for batches of one-page accesses by one PID below the last page of user space; and
 * replays give the same counters and the same errors with and without the thread.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/trace.h"
#include "tests/unit/test.h"
#include "tests/unit/test_tracefile.h"

static uint64_t seed = 4242;

static uint64_t rnd(void)
{
	return test_lcg(&seed);
}

static char dir[] = "/tmp/vmlab-test-ring-XXXXXX";

static const char *tmp_path(const char *name)
{
	return test_path(dir, name);
}

/* n records a replay accepts: mostly one PID's pages near each other, runs of other PIDs
 * (not for lackey, which has one), some SIGSEGVs below mmap_min_addr, lackey sizes (across
 * pages too) and M when `sizes`. */
static vmlab_trace_rec_t *replayable(size_t n, int sizes, int lackey)
{
	vmlab_trace_rec_t *r = calloc(n, sizeof(*r));
	uint32_t pid = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t x = rnd();

		if (x % 3000 == 0 && !lackey)
			pid = 1 + (uint32_t)(rnd() % 4);
		r[i].pid = pid;
		r[i].size = 1;
		r[i].kind = (uint8_t)(x % 2);
		r[i].addr = x % 211 == 0 ? rnd() % 0x10000 : 0x10000000 + (rnd() % 5000) * 4096 + (rnd() & 4095);
		if (sizes && x % 5 == 0) {
			r[i].size = (uint16_t)(1 + rnd() % 64);
			r[i].kind = (uint8_t)(rnd() % 4);
		}
	}
	return r;
}

/* Every batch of path through a threaded ring equals batch_read's inline. */
static int same_batches(const char *path, size_t *batches)
{
	vmlab_trace_t *a, *b;
	struct batch *in = calloc(1, sizeof(*in));
	struct ring q;
	const struct batch *out;
	int bad = 0;

	*batches = 0;
	if (vmlab_trace_open(path, VMLAB_TRACE_AUTO, &a, stderr) ||
	    vmlab_trace_open(path, VMLAB_TRACE_AUTO, &b, stderr) || ring_start(&q, b, 1))
		return -1;
	bad |= !q.threaded;
	for (;;) {
		size_t n = batch_read(a, in), i;

		out = ring_next(&q);
		if (!n || !out) {
			bad |= n || out;
			break;
		}
		(*batches)++;
		bad |= out->n != n || out->vmt != in->vmt || out->uniform != in->uniform ||
		       memcmp(out->rec, in->rec, n * sizeof(in->rec[0]));
		for (i = 0; i < n; i++)
			bad |= batch_line(out, i) != batch_line(in, i);
	}
	bad |= !vmlab_trace_error(a) != !vmlab_trace_error(b);
	bad |= vmlab_trace_error(a) && strcmp(vmlab_trace_error(a), vmlab_trace_error(b));
	ring_end(&q);
	vmlab_trace_close(a);
	vmlab_trace_close(b);
	free(in);
	return bad ? -1 : 0;
}

static void ring_order(void)
{
	static const int formats[] = {VMLAB_TRACE_TEXT, VMLAB_TRACE_LACKEY, VMLAB_TRACE_VMT};
	const size_t n = 60000;
	size_t f, batches;
	int z;

	for (f = 0; f < 3; f++)
		for (z = 0; z < 2; z++) {
			vmlab_trace_rec_t *r = replayable(n, 1, formats[f] == VMLAB_TRACE_LACKEY);
			const char *p = tmp_path(z ? "o.zst" : "o");

			CHECK_EQ(test_write_trace(p, formats[f], z, r, n), 0);
			CHECK_EQ(same_batches(p, &batches), 0);
			CHECK(batches >= n / TRACE_BATCH); /* text: a line an access, more than n */
			free(r);
		}
}

/* A malformed line after 20000 good ones: the ring hands out the 20000, then the error. */
static void ring_error(void)
{
	FILE *f = fopen(tmp_path("bad.txt"), "w");
	vmlab_trace_t *t;
	struct ring q;
	const struct batch *b;
	size_t i, got = 0, batches;
	uint64_t last = 0;

	for (i = 0; i < 20000; i++)
		fprintf(f, "%u W %llx\n", 1 + (unsigned)(i / 7000), 0x10000000ull + (i % 900) * 4096);
	fprintf(f, "R 0x1000 junk\nW 0x2000\n");
	fclose(f);
	CHECK_EQ(same_batches(tmp_path("bad.txt"), &batches), 0);
	CHECK_EQ(vmlab_trace_open(tmp_path("bad.txt"), VMLAB_TRACE_AUTO, &t, stderr), 0);
	CHECK_EQ(ring_start(&q, t, 1), 0);
	while ((b = ring_next(&q)) != NULL) {
		got += b->n;
		last = batch_line(b, b->n - 1);
	}
	CHECK(!q.threaded); /* joined at the end: t is ours again */
	CHECK_EQ(got, 20000);
	CHECK_EQ(last, 20000);
	CHECK(vmlab_trace_error(t) && strstr(vmlab_trace_error(t), "bad.txt:20001: error: unexpected text after the address"));
	ring_end(&q);
	vmlab_trace_close(t);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ring_end stops a thread waiting for room (the file is long) and one waiting for a pipe that
 * stays open and silent; an alarm turns a hang into a failure. */
static void ring_stop(void)
{
	const size_t n = 200000;
	vmlab_trace_rec_t *r = replayable(n, 0, 0);
	vmlab_trace_t *t;
	struct ring q;
	char line[64];
	int fd[2], i;
	double t0;

	alarm(20);
	CHECK_EQ(test_write_trace(tmp_path("long.vmt"), VMLAB_TRACE_VMT, 0, r, n), 0);
	CHECK_EQ(vmlab_trace_open(tmp_path("long.vmt"), VMLAB_TRACE_AUTO, &t, stderr), 0);
	CHECK_EQ(ring_start(&q, t, 1), 0);
	CHECK(q.threaded && ring_next(&q) != NULL);
	usleep(20000); /* the thread fills the ring and waits */
	ring_end(&q);
	vmlab_trace_close(t);
	/* a pipe: some lines, then silence with the writing end open */
	CHECK_EQ(pipe(fd), 0);
	for (i = 0; i < 3000; i++) {
		int k = snprintf(line, sizeof(line), "W %x\n", 0x10000000 + i * 8);

		CHECK_EQ(write(fd[1], line, (size_t)k), k);
	}
	CHECK_EQ(vmlab_trace_fdopen(fd[0], "pipe", VMLAB_TRACE_AUTO, &t, stderr), 0);
	CHECK_EQ(ring_start(&q, t, 1), 0);
	CHECK(q.threaded && q.stop_fd >= 0);
	CHECK(ring_next(&q) != NULL);
	usleep(20000); /* the thread has read the 3000 lines and waits in poll */
	t0 = now();
	ring_end(&q);
	CHECK(now() - t0 < 1.0);
	CHECK_EQ(t->stop_fd, -1);
	vmlab_trace_close(t); /* closes fd[0] */
	close(fd[1]);
	alarm(0);
	free(r);
}

/* The text reader's hint against the rule it stands for, batch by batch: batches with one
 * odd record (another PID, an M, across a page, the last page of user space) or none. */
static void text_hint(void)
{
	const size_t nb = 64, n = nb * TRACE_BATCH;
	vmlab_trace_rec_t *r = calloc(n, sizeof(*r));
	vmlab_trace_t *t;
	struct batch *b = calloc(1, sizeof(*b));
	size_t i, k, odd[4] = {0};
	int bad = 0, fmt;

	for (fmt = 0; fmt < 2; fmt++) {
		for (i = 0; i < n; i++) {
			r[i].pid = fmt ? 1 : 3;
			r[i].size = (uint16_t)(fmt ? 1 + rnd() % 16 : 1);
			r[i].kind = (uint8_t)(rnd() % 2);
			r[i].addr = 0x10000000 + (rnd() % 4000) * 4096 + (rnd() % 4080);
		}
		for (k = 0; k < nb; k++) {
			vmlab_trace_rec_t *e = &r[k * TRACE_BATCH + rnd() % TRACE_BATCH];

			switch (k % 8) {
			case 1: /* another PID (text only: lackey has one) */
				e->pid = fmt ? 1 : 4;
				break;
			case 2: /* the last page below TASK_SIZE_MAX */
				e->addr = TRACE_USER_END - 4096 + rnd() % 4000;
				e->size = 1;
				break;
			case 3: /* just below it: fine */
				e->addr = TRACE_USER_END - 4097;
				e->size = 1;
				break;
			case 4: /* across a page (lackey), an M (lackey) */
				if (fmt) {
					e->addr = 0x10000ffe;
					e->size = 4;
				}
				break;
			case 5:
				if (fmt)
					e->kind = VMLAB_ACC_MODIFY;
				break;
			}
		}
		CHECK_EQ(test_write_trace(tmp_path("h"), fmt ? VMLAB_TRACE_LACKEY : VMLAB_TRACE_TEXT, 0, r, n), 0);
		CHECK_EQ(vmlab_trace_open(tmp_path("h"), VMLAB_TRACE_AUTO, &t, stderr), 0);
		for (k = 0; batch_read(t, b); k++) {
			int want = 1;

			for (i = 0; i < b->n; i++) {
				const vmlab_trace_rec_t *e = &b->rec[i];
				uint64_t last = e->addr + e->size - 1;

				if (e->pid != b->rec[0].pid || e->kind == VMLAB_ACC_MODIFY ||
				    (last >> 12) != (e->addr >> 12) || last >= TRACE_USER_END - 4096)
					want = 0;
			}
			bad += b->uniform != want;
			odd[!want]++;
		}
		CHECK_EQ(k, nb);
		vmlab_trace_close(t);
	}
	CHECK_EQ(bad, 0);
	CHECK(odd[0] > 40 && odd[1] > 30); /* both kinds of batches, in both formats */
	free(b);
	free(r);
}

/* Replays with and without the thread, with and without hints: the same counters. */
static void replay_same(void)
{
	static const int formats[] = {VMLAB_TRACE_TEXT, VMLAB_TRACE_LACKEY, VMLAB_TRACE_VMT};
	const size_t n = 50000;
	vmlab_replay_opts_t o = {.ram = 16ull << 20};
	vmlab_config_t cfg;
	struct replay_counters c[4];
	char msg[TRACE_MSG];
	size_t f;
	unsigned fl;

	CHECK_EQ(replay_config(&o, &cfg, msg, sizeof(msg)), 0);
	for (f = 0; f < 3; f++) {
		const int lackey = formats[f] == VMLAB_TRACE_LACKEY;
		vmlab_trace_rec_t *r = replayable(n, lackey, lackey);
		const char *p = tmp_path("rs");

		CHECK_EQ(test_write_trace(p, formats[f], f == 1, r, n), 0);
		for (fl = 0; fl < 4; fl++)
			CHECK_EQ(replay_run(p, &o, &cfg, NULL, &c[fl], msg, sizeof(msg), NULL, fl), 0);
		for (fl = 1; fl < 4; fl++)
			CHECK(!memcmp(&c[0], &c[fl], sizeof(c[0])));
		CHECK(c[0].processes >= (lackey ? 1 : 4) && c[0].sigsegv > 0 && c[0].oom_kill > 0);
		free(r);
	}
}

/* A failing simulation (too many processes) and a malformed record: the same message with
 * and without the thread. */
static void replay_errors(void)
{
	const size_t n = 30000;
	vmlab_trace_rec_t *r = replayable(n, 0, 0);
	vmlab_replay_opts_t o = {.ram = 256ull << 20};
	vmlab_config_t cfg;
	struct replay_counters c;
	char want[TRACE_MSG], msg[TRACE_MSG];
	size_t i;
	unsigned fl;
	FILE *f;

	for (i = 15000; i < n; i++)
		r[i].pid = (uint32_t)(100 + i); /* the 4097th process fails */
	CHECK_EQ(test_write_trace(tmp_path("procs.vmt"), VMLAB_TRACE_VMT, 0, r, n), 0);
	CHECK_EQ(replay_config(&o, &cfg, msg, sizeof(msg)), 0);
	CHECK_EQ(replay_run(tmp_path("procs.vmt"), &o, &cfg, NULL, &c, want, sizeof(want), NULL, 0), -1);
	CHECK(strstr(want, "procs.vmt:") && strstr(want, ": error: too many processes"));
	for (fl = 1; fl < 4; fl++) {
		CHECK_EQ(replay_run(tmp_path("procs.vmt"), &o, &cfg, NULL, &c, msg, sizeof(msg), NULL, fl), -1);
		CHECK(!strcmp(msg, want));
	}
	f = fopen(tmp_path("late.txt"), "w");
	for (i = 0; i < 12345; i++)
		fprintf(f, "W %llx\n", 0x10000000ull + (i % 300) * 4096);
	fprintf(f, "W 0x7ffffffff000\n");
	fclose(f);
	for (fl = 0; fl < 4; fl++) {
		CHECK_EQ(replay_run(tmp_path("late.txt"), &o, &cfg, NULL, &c, msg, sizeof(msg), NULL, fl), -1);
		CHECK(strstr(msg, "late.txt:12346: error: address outside user space (0x7ffffffff000)"));
	}
	free(r);
}

static void cleanup(void)
{
	static const char *const names[] = {"o", "o.zst", "bad.txt", "long.vmt", "h", "rs",
					    "procs.vmt", "late.txt"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	rmdir(dir);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return 1;
	RUN(ring_order);
	RUN(ring_error);
	RUN(ring_stop);
	RUN(text_hint);
	RUN(replay_same);
	RUN(replay_errors);
	cleanup();
	TEST_EXIT();
}
