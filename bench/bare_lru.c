/* bench/bare_lru.c - the yardstick for replay from text: the simplest fast exact LRU over a
 * text trace, and nothing else (no TLB, page tables or faults).
 *
 *   bare_lru TRACE.txt PAGES      prints "accesses N" and "misses M"
 *
 * Reads the file in 1 MiB blocks, parses "[PID ]R|W ADDR" lines (blank and # lines skipped),
 * and keeps PAGES frames in LRU order: an open-addressing hash map from (PID, page) to a
 * frame, and a doubly linked list of frames by recency (indices, not pointers). A miss with
 * every frame in use evicts the list's tail. For traces of writes, misses equals vmlab
 * replay's pgfault with --resident PAGES --policy lru.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct frame {
	uint64_t key;       /* (pid << 40) | page */
	uint32_t prev, next;
};

#define NONE UINT32_MAX

static struct frame *fr;
static uint32_t *slot;  /* hash slots: frame index or NONE */
static uint64_t mask;
static uint32_t head = NONE, tail = NONE, used, cap;

static uint64_t hash(uint64_t k)
{
	return (k * 0x9e3779b97f4a7c15ull) >> 20;
}

/* The slot holding key, or the empty one where it would go. */
static uint64_t find(uint64_t key)
{
	uint64_t i = hash(key) & mask;

	while (slot[i] != NONE && fr[slot[i]].key != key)
		i = (i + 1) & mask;
	return i;
}

/* Deletion from linear probing: move later entries of the cluster back. */
static void erase(uint64_t i)
{
	uint64_t j = i;

	slot[i] = NONE;
	for (;;) {
		uint64_t h;

		j = (j + 1) & mask;
		if (slot[j] == NONE)
			return;
		h = hash(fr[slot[j]].key) & mask;
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			slot[i] = slot[j];
			slot[j] = NONE;
			i = j;
		}
	}
}

static void unlink_frame(uint32_t f)
{
	if (fr[f].prev != NONE)
		fr[fr[f].prev].next = fr[f].next;
	else
		head = fr[f].next;
	if (fr[f].next != NONE)
		fr[fr[f].next].prev = fr[f].prev;
	else
		tail = fr[f].prev;
}

static void push_front(uint32_t f)
{
	fr[f].prev = NONE;
	fr[f].next = head;
	if (head != NONE)
		fr[head].prev = f;
	head = f;
	if (tail == NONE)
		tail = f;
}

/* One access: 1 on a miss. */
static int access_page(uint64_t key)
{
	uint64_t i = find(key);
	uint32_t f;

	if (slot[i] != NONE) {
		f = slot[i];
		if (f != head) {
			unlink_frame(f);
			push_front(f);
		}
		return 0;
	}
	if (used < cap) {
		f = used++;
	} else {
		f = tail;
		unlink_frame(f);
		erase(find(fr[f].key));
		i = find(key);
	}
	fr[f].key = key;
	slot[i] = f;
	push_front(f);
	return 1;
}

static const uint8_t *line_end(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

int main(int argc, char **argv)
{
	static uint8_t buf[(1 << 20) + 1];
	uint64_t accesses = 0, misses = 0, slots = 1;
	size_t have = 0;
	FILE *f;

	if (argc != 3 || !(cap = (uint32_t)strtoul(argv[2], NULL, 10))) {
		fprintf(stderr, "usage: bare_lru TRACE.txt PAGES\n");
		return 2;
	}
	while (slots < 2ull * cap)
		slots <<= 1;
	mask = slots - 1;
	fr = malloc(cap * sizeof(*fr));
	slot = malloc(slots * sizeof(*slot));
	f = fopen(argv[1], "rb");
	if (!fr || !slot || !f) {
		perror(argv[1]);
		return 1;
	}
	memset(slot, 0xff, slots * sizeof(*slot));
	for (;;) {
		size_t got = fread(buf + have, 1, sizeof(buf) - 1 - have, f);
		const uint8_t *p = buf, *end = buf + have + got, *stop;
		int last = got == 0;

		if (last && have == 0)
			break;
		if (last)
			buf[end - buf] = '\n', end++; /* the last line without its newline */
		/* whole lines only; the rest waits for the next block */
		stop = end;
		while (stop > p && stop[-1] != '\n')
			stop--;
		while (p < stop) {
			const uint8_t *e = line_end(p, stop);
			uint64_t pid = 1, addr = 0;

			while (p < e && *p == ' ')
				p++;
			if (p < e && *p >= '0' && *p <= '9') {
				pid = 0;
				while (*p >= '0' && *p <= '9')
					pid = pid * 10 + (uint64_t)(*p++ - '0');
				while (*p == ' ')
					p++;
			}
			if (p < e && (*p == 'R' || *p == 'W')) {
				p += 2;
				if (p[0] == '0' && p[1] == 'x')
					p += 2;
				for (;; p++) {
					unsigned d = *p;

					if (d - '0' < 10)
						d -= '0';
					else if ((d | 0x20) - 'a' < 6)
						d = (d | 0x20) - 'a' + 10;
					else
						break;
					addr = addr << 4 | d;
				}
				accesses++;
				misses += (uint64_t)access_page(pid << 40 | addr >> 12);
			}
			p = e + 1;
		}
		have = (size_t)(end - stop);
		memmove(buf, stop, have);
		if (last)
			break;
	}
	fclose(f);
	printf("accesses %llu\nmisses %llu\n", (unsigned long long)accesses, (unsigned long long)misses);
	free(fr);
	free(slot);
	return 0;
}
