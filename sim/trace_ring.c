/* sim/trace_ring.c - decoding a trace ahead, on a thread of its own: a ring of batches.
 *
 * No kernel twin (the nearest idea is a pipe between two processes). Replay's simulating
 * thread takes batches in trace order from a small fixed ring (RING_BATCHES of them, about
 * 800 KiB whatever the trace's length: streaming still holds) that a reader thread fills by
 * batch_read, so that parsing text or decoding vmt runs on the machine's second core. The
 * records, their batch boundaries and hints are exactly those that batch_read would give
 * inline, so a replay's output does not depend on which way it ran.
 *
 *   slot i of ring[] (i = batch number % RING_BATCHES) is, in turn:
 *     free --(thread: batch_read; made++)--> ready --(ring_next hands it out)--> held
 *     held --(the next ring_next: used++)--> free
 *   Invariants, under q->lock: used <= made <= used + RING_BATCHES; the consumer holds
 *   batch `used` exactly when `held`; the thread writes only slot made % RING_BATCHES, which
 *   is then neither ready nor held; after `done` it writes nothing at all (nor touches t).
 *
 * The records are not prefetched: they were written on the reader's CPU, and a software
 * prefetch of a whole batch as it is handed out cost the text replay 6% of its time (its
 * prefetches wait for the lines that CPU holds); the simulation's own loads of them overlap
 * with its work.
 *
 * Each side sleeps on a condition variable, and is woken with some slack (the thread when
 * half the ring is free, the consumer when a quarter is ready or the thread is done), so a
 * wakeup (a system call) is paid for several batches, not one each, and the two threads keep
 * to two CPUs. Not from a pipe or a terminal: its next bytes may be long in coming, so there
 * each batch wakes the consumer at once.
 *
 * A malformed record ends the thread's batches early: ring_next returns NULL after the last
 * good one, and only then, the thread joined, may the caller read the trace's error. ring_end
 * stops the thread early (the simulation failed): it checks `stop` between batches, and one
 * blocked reading a pipe or a terminal wakes through t->stop_fd (an eventfd polled with the
 * file, sim/trace.c). Inline (no thread asked for, or none could start), ring_next calls
 * batch_read itself.
 *
 * Entry points: ring_start, ring_next, ring_end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/trace.h"

#define WAKE_THREAD (RING_BATCHES / 2)   /* free slots that wake a waiting thread */
#define WAKE_CONSUMER (RING_BATCHES / 4) /* ready batches that wake a waiting consumer */

static void *ring_thread(void *arg)
{
	struct ring *q = arg;
	uint64_t made = 0;  /* q->made, which only this thread changes */
	/* reading a pipe, the next batch may never come: hand over each one at once */
	const uint64_t wake = q->stop_fd >= 0 ? 1 : WAKE_CONSUMER;

	for (;;) {
		struct batch *b;
		size_t n;

		pthread_mutex_lock(&q->lock);
		while (!q->stop && made - q->used == RING_BATCHES) {
			q->thread_waits = 1;
			pthread_cond_wait(&q->room, &q->lock);
			q->thread_waits = 0;
		}
		if (q->stop) {
			q->done = 1;
			pthread_mutex_unlock(&q->lock);
			return NULL;
		}
		pthread_mutex_unlock(&q->lock);
		/* the slot is free: neither ready nor held (the invariants) */
		b = &q->ring[made % RING_BATCHES];
		n = batch_read(q->t, b);
		pthread_mutex_lock(&q->lock);
		if (n)
			q->made = ++made;
		else
			q->done = 1; /* the end, or a malformed record (in t's error) */
		if (q->consumer_waits && (q->done || made - q->used >= wake))
			pthread_cond_signal(&q->more);
		pthread_mutex_unlock(&q->lock);
		if (!n)
			return NULL;
	}
}

/* A thread for q: 0, or -1 (the host would not start one; q stays inline). */
static int ring_thread_start(struct ring *q)
{
	struct stat st;

	if (pthread_mutex_init(&q->lock, NULL))
		return -1;
	if (pthread_cond_init(&q->more, NULL))
		goto undo_lock;
	if (pthread_cond_init(&q->room, NULL))
		goto undo_more;
	/* a file's read() does not wait for long; a pipe's or a terminal's may wait forever */
	if (fstat(q->t->fd, &st) || !S_ISREG(st.st_mode)) {
		q->stop_fd = eventfd(0, EFD_CLOEXEC);
		if (q->stop_fd < 0)
			goto undo_room;
		q->t->stop_fd = q->stop_fd;
	}
	if (pthread_create(&q->tid, NULL, ring_thread, q))
		goto undo_fd;
	q->threaded = 1;
	return 0;
undo_fd:
	if (q->stop_fd >= 0)
		close(q->stop_fd);
	q->t->stop_fd = q->stop_fd = -1;
undo_room:
	pthread_cond_destroy(&q->room);
undo_more:
	pthread_cond_destroy(&q->more);
undo_lock:
	pthread_mutex_destroy(&q->lock);
	return -1;
}

/* Joins the thread (which has ended or was told to) and frees what it used: the trace is the
 * caller's again, and ring_next goes on inline (at the end: it returns NULL). */
static void ring_join(struct ring *q)
{
	if (!q->threaded)
		return;
	pthread_join(q->tid, NULL);
	if (q->stop_fd >= 0)
		close(q->stop_fd);
	q->t->stop_fd = q->stop_fd = -1;
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	q->threaded = 0;
}

int ring_start(struct ring *q, vmlab_trace_t *t, int thread)
{
	memset(q, 0, sizeof(*q));
	q->t = t;
	q->stop_fd = -1;
	q->ring = calloc(thread ? RING_BATCHES : 1, sizeof(*q->ring));
	if (!q->ring)
		return -1;
	if (thread)
		ring_thread_start(q); /* when it fails, ring[0] serves inline: the same records */
	return 0;
}

const struct batch *ring_next(struct ring *q)
{
	const struct batch *b = NULL;

	if (!q->threaded)
		return batch_read(q->t, q->ring) ? q->ring : NULL;
	pthread_mutex_lock(&q->lock);
	if (q->held) {
		q->held = 0;
		q->used++;
		if (q->thread_waits && q->made - q->used <= RING_BATCHES - WAKE_THREAD)
			pthread_cond_signal(&q->room);
	}
	while (q->made == q->used && !q->done) {
		q->consumer_waits = 1;
		pthread_cond_wait(&q->more, &q->lock);
		q->consumer_waits = 0;
	}
	if (q->made > q->used) {
		q->held = 1;
		b = &q->ring[q->used % RING_BATCHES];
	}
	pthread_mutex_unlock(&q->lock);
	if (!b)
		ring_join(q); /* the end: the trace (its error) is the caller's again */
	return b;
}

void ring_end(struct ring *q)
{
	if (q->threaded) {
		pthread_mutex_lock(&q->lock);
		q->stop = 1;
		pthread_cond_signal(&q->room);
		pthread_mutex_unlock(&q->lock);
		if (q->stop_fd >= 0) {
			const uint64_t one = 1;
			ssize_t w = write(q->stop_fd, &one, sizeof(one)); /* stays readable: polls return */

			(void)w;
		}
		ring_join(q);
	}
	free(q->ring);
	q->ring = NULL;
}
