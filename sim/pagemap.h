/* sim/pagemap.h - a hash map from (trace PID, virtual page) to a 32-bit value, for the trace
 * tools: opt's next-use pass (sim/replay.c) and the stack-distance pass (sim/mrc.c).
 *
 * No kernel twin. Open addressing with linear probing, Fibonacci hashing, at most half full;
 * memory is 16 bytes a slot, proportional to the distinct pages seen. Virtual page numbers of
 * replayed accesses are below 2^35, so UINT64_MAX marks an empty slot.
 */
#ifndef VMLAB_SIM_PAGEMAP_H
#define VMLAB_SIM_PAGEMAP_H

#include <stdint.h>
#include <stdlib.h>

#define PAGEMAP_EMPTY UINT64_MAX

struct pagemap_ent {
	uint64_t vpn;  /* PAGEMAP_EMPTY: a free slot */
	uint32_t pid;
	uint32_t val;  /* the user's */
};

struct pagemap {
	struct pagemap_ent *e;
	uint64_t n;      /* entries in use */
	uint64_t mask;   /* slots - 1 */
	unsigned shift;  /* 64 - log2(slots) */
};

static inline uint64_t pagemap_slot(const struct pagemap *pm, uint64_t vpn, uint32_t pid)
{
	uint64_t i = ((vpn ^ (uint64_t)pid << 35) * 0x9e3779b97f4a7c15ull) >> pm->shift;

	while (pm->e[i].vpn != PAGEMAP_EMPTY && (pm->e[i].vpn != vpn || pm->e[i].pid != pid))
		i = (i + 1) & pm->mask;
	return i;
}

static inline int pagemap_alloc(struct pagemap *pm, unsigned log2)
{
	uint64_t i, slots = 1ull << log2;

	pm->e = malloc(slots * sizeof(*pm->e));
	if (!pm->e)
		return -1;
	for (i = 0; i < slots; i++)
		pm->e[i].vpn = PAGEMAP_EMPTY;
	pm->n = 0;
	pm->mask = slots - 1;
	pm->shift = 64 - log2;
	return 0;
}

static inline int pagemap_init(struct pagemap *pm)
{
	return pagemap_alloc(pm, 10);
}

static inline void pagemap_free(struct pagemap *pm)
{
	free(pm->e);
	pm->e = NULL;
}

/* Room for one more entry: 0, 1 (the table grew: every entry moved), -1 (host memory). */
static inline int pagemap_reserve(struct pagemap *pm)
{
	struct pagemap old = *pm;
	uint64_t i;

	if (2 * (pm->n + 1) <= pm->mask + 1)
		return 0;
	if (pagemap_alloc(pm, 64 - old.shift + 1)) {
		*pm = old;
		return -1;
	}
	for (i = 0; i <= old.mask; i++)
		if (old.e[i].vpn != PAGEMAP_EMPTY)
			pm->e[pagemap_slot(pm, old.e[i].vpn, old.e[i].pid)] = old.e[i];
	pm->n = old.n;
	free(old.e);
	return 1;
}

/* The entry of (vpn, pid), inserted (val 0, *isnew = 1) when absent; NULL: host memory. */
static inline struct pagemap_ent *pagemap_get(struct pagemap *pm, uint64_t vpn, uint32_t pid,
					      int *isnew)
{
	uint64_t i = pagemap_slot(pm, vpn, pid);

	*isnew = pm->e[i].vpn == PAGEMAP_EMPTY;
	if (*isnew) {
		if (pagemap_reserve(pm) < 0)
			return NULL;
		i = pagemap_slot(pm, vpn, pid);
		pm->e[i].vpn = vpn;
		pm->e[i].pid = pid;
		pm->e[i].val = 0;
		pm->n++;
	}
	return &pm->e[i];
}

#endif /* VMLAB_SIM_PAGEMAP_H */
