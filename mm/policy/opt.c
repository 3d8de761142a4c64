/* mm/policy/opt.c - Belady's optimal policy (OPT, MIN): evict the page used farthest ahead.
 *
 * No kernel twin (the offline optimum, a yardstick for the others). It needs the future: the
 * trace replay reads the trace ahead and, before each access, tells the machine when the
 * accessed page will be used next (vmlab_set_next_use; UINT64_MAX for never). Pages sit in a
 * max-heap keyed by that time; the victim is the top. Over a trace of writes with a resident
 * limit of N pages, the faults are exactly the misses of Belady's N-page MIN.
 *
 * State lives in host memory, indexed by frame: the heap of frames and each frame's key and
 * heap position (mappings committed only as frames are used).
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "mm/policy/policy.h"

#define NO_POS 0 /* pos[] holds heap index + 1, so that untouched (zero) memory means none */

struct opt_state {
	uint32_t *heap;   /* frames, heap-ordered by next[] (largest first) */
	uint32_t *pos;    /* per frame: index in heap + 1, or NO_POS */
	uint64_t *next;   /* per frame: the time of its next use */
	uint64_t n;       /* frames in the heap */
	uint64_t frames;  /* m->max_pfn */
};

static void *zmap(uint64_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void opt_exit(struct vmlab *m)
{
	struct opt_state *o = m->policy_data;

	if (!o)
		return;
	if (o->heap)
		munmap(o->heap, o->frames * sizeof(uint32_t));
	if (o->pos)
		munmap(o->pos, o->frames * sizeof(uint32_t));
	if (o->next)
		munmap(o->next, o->frames * sizeof(uint64_t));
	free(o);
	m->policy_data = NULL;
}

static int opt_init(struct vmlab *m)
{
	struct opt_state *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	m->policy_data = o;
	o->frames = m->max_pfn;
	o->heap = zmap(o->frames * sizeof(uint32_t));
	o->pos = zmap(o->frames * sizeof(uint32_t));
	o->next = zmap(o->frames * sizeof(uint64_t));
	if (!o->heap || !o->pos || !o->next) {
		opt_exit(m);
		return -ENOMEM;
	}
	return 0;
}

static void heap_set(struct opt_state *o, uint64_t i, uint32_t pfn)
{
	o->heap[i] = pfn;
	o->pos[pfn] = (uint32_t)i + 1;
}

static void sift_up(struct opt_state *o, uint64_t i)
{
	uint32_t pfn = o->heap[i];
	uint64_t key = o->next[pfn];

	while (i > 0) {
		uint64_t parent = (i - 1) / 2;

		if (o->next[o->heap[parent]] >= key)
			break;
		heap_set(o, i, o->heap[parent]);
		i = parent;
	}
	heap_set(o, i, pfn);
}

static void sift_down(struct opt_state *o, uint64_t i)
{
	uint32_t pfn = o->heap[i];
	uint64_t key = o->next[pfn];

	for (;;) {
		uint64_t c = 2 * i + 1;

		if (c >= o->n)
			break;
		if (c + 1 < o->n && o->next[o->heap[c + 1]] > o->next[o->heap[c]])
			c++;
		if (o->next[o->heap[c]] <= key)
			break;
		heap_set(o, i, o->heap[c]);
		i = c;
	}
	heap_set(o, i, pfn);
}

static void heap_remove(struct opt_state *o, uint32_t pfn)
{
	uint64_t i;
	uint32_t last;

	VM_BUG_ON(o->pos[pfn] == NO_POS || o->pos[pfn] > o->n);
	i = o->pos[pfn] - 1;
	o->pos[pfn] = NO_POS;
	if (i == --o->n)
		return;
	last = o->heap[o->n];
	heap_set(o, i, last);
	sift_up(o, i);
	sift_down(o, o->pos[last] - 1);
}

static void opt_add(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	struct opt_state *o = m->policy_data;
	uint32_t pfn = (uint32_t)page_to_pfn(m, p);

	(void)lv;
	o->next[pfn] = m->next_use;
	heap_set(o, o->n++, pfn);
	sift_up(o, o->n - 1);
}

static void opt_del(struct vmlab *m, struct lruvec *lv, struct page *p)
{
	(void)lv;
	heap_remove(m->policy_data, (uint32_t)page_to_pfn(m, p));
}

static void opt_access(struct vmlab *m, struct page *p)
{
	struct opt_state *o = m->policy_data;
	uint32_t pfn = (uint32_t)page_to_pfn(m, p);
	uint64_t old = o->next[pfn];

	if (o->pos[pfn] == NO_POS)
		return;
	o->next[pfn] = m->next_use;
	if (m->next_use > old)
		sift_up(o, o->pos[pfn] - 1);
	else
		sift_down(o, o->pos[pfn] - 1);
}

static void opt_shrink(struct vmlab *m, struct lruvec *lv, struct scan_control *sc)
{
	struct opt_state *o = m->policy_data;
	uint32_t skipped[64];
	unsigned nskip = 0, i;

	(void)lv;
	while (sc->nr_reclaimed < sc->nr_to_reclaim && o->n && nskip < ARRAY_SIZE(skipped)) {
		uint32_t pfn = o->heap[0];

		if (reclaim_one_folio(m, pfn_to_page(m, pfn), sc))
			continue;
		/* kept (held by a fault in progress): out of the way until this pass ends */
		if (o->pos[pfn] != NO_POS) {
			heap_remove(o, pfn);
			skipped[nskip++] = pfn;
		}
	}
	for (i = 0; i < nskip; i++) {
		heap_set(o, o->n++, skipped[i]);
		sift_up(o, o->n - 1);
	}
}

static int opt_check(struct vmlab *m, struct lruvec *lv, char *err, size_t n)
{
	struct opt_state *o = m->policy_data;
	uint64_t want = lv->nr_pages[LRU_INACTIVE_ANON] + lv->nr_pages[LRU_ACTIVE_ANON] +
			lv->nr_pages[LRU_INACTIVE_FILE] + lv->nr_pages[LRU_ACTIVE_FILE], i;

	if (lv != &m->root_mem_cgroup.lruvec)
		return 0;
	if (o->n != want) {
		snprintf(err, n, "check_lru: the opt heap holds %llu pages, the LRU counters %llu",
			 (unsigned long long)o->n, (unsigned long long)want);
		return -EFAULT;
	}
	for (i = 0; i < o->n; i++) {
		uint32_t pfn = o->heap[i];
		struct page *p = pfn_to_page(m, pfn);

		if (o->pos[pfn] != i + 1 || !(p->flags & PG_lru) || (p->flags & PG_unevictable) ||
		    (i && o->next[o->heap[(i - 1) / 2]] < o->next[pfn])) {
			snprintf(err, n, "check_lru: opt heap entry %llu (frame %x) is out of order or "
				 "not an evictable page", (unsigned long long)i, pfn);
			return -EFAULT;
		}
	}
	return 0;
}

const struct vm_policy_ops opt_policy = {
	.name = "opt",
	.summary = "Belady's optimal (MIN): evicts the page used farthest in the future (replay only)",
	.exact = 1,
	.needs_future = 1,
	.init = opt_init,
	.exit = opt_exit,
	.add = opt_add,
	.del = opt_del,
	.access = opt_access,
	.shrink = opt_shrink,
	.check = opt_check,
};
