/* lib/xarray.c - a 64-way radix tree from 64-bit indices to pointers (see lib/xarray.h).
 * The role of Linux's lib/xarray.c (the page-cache index), written for vmlab: a root node of
 * `height` levels; each level consumes 6 index bits (a node's shift is 6 x its level, 0 for a
 * leaf); the tree grows on top when an index does not fit and gives back emptied nodes on erase.
 * Invariants: every node has count = its non-NULL slots, count > 0 (emptied nodes are freed at
 * once); a root that is not a leaf never holds slot 0 alone (the tree shrinks instead); the
 * tree's count is the number of entries. Simplified away: marks (dirty/writeback tags), multi-
 * index entries, value entries, RCU, locking and the xa_state cursor.
 */
#include <errno.h>
#include <stddef.h>

#include "lib/xarray.h"

#define XA_MAX_HEIGHT 11 /* 6 x 11 = 66 >= 64 index bits */
#define MAX_U(a, b) ((a) > (b) ? (a) : (b))

void xa_init(struct xarray *xa, xa_alloc_fn alloc, xa_free_fn free_fn, void *ctx)
{
	xa->root = NULL;
	xa->height = 0;
	xa->count = 0;
	xa->alloc = alloc;
	xa->free = free_fn;
	xa->ctx = ctx;
}

/* Indices a tree of `height` levels can hold: [0, 2^(6*height)). */
static int fits(unsigned height, uint64_t index)
{
	unsigned bits = height * XA_CHUNK_SHIFT;

	return bits >= 64 || (index >> bits) == 0;
}

void *xa_load(const struct xarray *xa, uint64_t index)
{
	struct xa_node *n = xa->root;

	if (!n || !fits(xa->height, index))
		return NULL;
	for (;;) {
		void *slot = n->slots[(index >> n->shift) & (XA_CHUNK_SIZE - 1)];

		if (n->shift == 0 || !slot)
			return slot;
		n = slot;
	}
}

struct xa_node *xa_leaf(const struct xarray *xa, uint64_t index)
{
	struct xa_node *n = xa->root;

	if (!n || !fits(xa->height, index))
		return NULL;
	while (n && n->shift)
		n = n->slots[(index >> n->shift) & (XA_CHUNK_SIZE - 1)];
	return n;
}

/* Levels a tree needs to hold index: the smallest h with index < 2^(6h). */
static unsigned height_for(uint64_t index)
{
	unsigned h = 1;

	while (!fits(h, index))
		h++;
	return h;
}

/* Nodes a store at index must allocate when the tree grows to new_height: the new levels on
 * top, then every missing node on the index's path down to a leaf. */
static unsigned nodes_needed(const struct xarray *xa, uint64_t index, unsigned new_height)
{
	const struct xa_node *n = xa->root;

	if (!n)
		return new_height;
	/* new_height is minimal, so the index's slot in the new top node is not slot 0: its
	 * whole path below the top is new */
	if (new_height > xa->height)
		return (new_height - xa->height) + (new_height - 1);
	while (n->shift) {
		const struct xa_node *c = n->slots[(index >> n->shift) & (XA_CHUNK_SIZE - 1)];

		if (!c)
			return n->shift / XA_CHUNK_SHIFT;
		n = c;
	}
	return 0;
}

static struct xa_node *take(struct xa_node **spare, unsigned *nr, unsigned shift)
{
	struct xa_node *n = spare[--*nr];

	n->shift = shift;
	return n;
}

/* All nodes are allocated before the tree is touched, so a failure changes nothing (the
 * radix-tree "preload" idea). A NULL entry erases, as in Linux's xa_store. */
int xa_store(struct xarray *xa, uint64_t index, void *entry)
{
	struct xa_node *spare[2 * XA_MAX_HEIGHT], *n;
	unsigned new_height, need, nr, i;

	if (!entry) {
		xa_erase(xa, index);
		return 0;
	}
	new_height = MAX_U(height_for(index), xa->height);
	need = nodes_needed(xa, index, new_height);
	for (nr = 0; nr < need; nr++) {
		spare[nr] = xa->alloc(xa->ctx);
		if (!spare[nr])
			goto free_spare;
	}
	if (!xa->root) {
		xa->root = take(spare, &nr, (new_height - 1) * XA_CHUNK_SHIFT);
		xa->height = new_height;
	}
	while (xa->height < new_height) {
		struct xa_node *top = take(spare, &nr, xa->height * XA_CHUNK_SHIFT);

		top->slots[0] = xa->root;
		top->count = 1;
		xa->root = top;
		xa->height++;
	}
	for (n = xa->root; n->shift; n = n->slots[i]) {
		i = (index >> n->shift) & (XA_CHUNK_SIZE - 1);
		if (!n->slots[i]) {
			n->slots[i] = take(spare, &nr, n->shift - XA_CHUNK_SHIFT);
			n->count++;
		}
	}
	i = index & (XA_CHUNK_SIZE - 1);
	if (!n->slots[i]) {
		n->count++;
		xa->count++;
	}
	n->slots[i] = entry;
	return 0;
free_spare:
	while (nr > 0)
		xa->free(xa->ctx, spare[--nr]);
	return -ENOMEM;
}

void *xa_erase(struct xarray *xa, uint64_t index)
{
	struct xa_node *path[XA_MAX_HEIGHT], *n = xa->root;
	unsigned depth = 0, i;
	void *old;

	if (!n || !fits(xa->height, index))
		return NULL;
	while (n->shift) {
		struct xa_node *c = n->slots[(index >> n->shift) & (XA_CHUNK_SIZE - 1)];

		if (!c)
			return NULL;
		path[depth++] = n;
		n = c;
	}
	i = index & (XA_CHUNK_SIZE - 1);
	old = n->slots[i];
	if (!old)
		return NULL;
	n->slots[i] = NULL;
	n->count--;
	xa->count--;
	/* give back emptied nodes bottom-up */
	while (n->count == 0) {
		struct xa_node *p;

		xa->free(xa->ctx, n);
		if (depth == 0) {
			xa->root = NULL;
			xa->height = 0;
			return old;
		}
		p = path[--depth];
		p->slots[(index >> p->shift) & (XA_CHUNK_SIZE - 1)] = NULL;
		p->count--;
		n = p;
	}
	/* shrink while the root only holds slot 0: its child covers the same indices */
	while (xa->root->shift && xa->root->count == 1 && xa->root->slots[0]) {
		struct xa_node *r = xa->root;

		xa->root = r->slots[0];
		xa->height--;
		xa->free(xa->ctx, r);
	}
	return old;
}

/* The first entry at or after *index (and at most max) under n, whose first index is base. */
static void *find_in(const struct xa_node *n, uint64_t base, uint64_t *index, uint64_t max)
{
	/* a root with shift 60 covers all 2^64 indices with its first 16 slots */
	unsigned i = (unsigned)((*index - base) >> n->shift);
	unsigned end = n->shift + XA_CHUNK_SHIFT > 64 ? 1u << (64 - n->shift) : XA_CHUNK_SIZE;

	for (; i < end; i++) {
		uint64_t lo = base + ((uint64_t)i << n->shift);
		void *s = n->slots[i];

		if (lo > max)
			return NULL;
		if (!s)
			continue;
		if (n->shift == 0) {
			*index = lo;
			return s;
		} else {
			uint64_t sub = lo > *index ? lo : *index;

			s = find_in(s, lo, &sub, max);
			if (s) {
				*index = sub;
				return s;
			}
		}
	}
	return NULL;
}

void *xa_find(const struct xarray *xa, uint64_t *index, uint64_t max)
{
	if (!xa->root || *index > max || !fits(xa->height, *index))
		return NULL;
	return find_in(xa->root, 0, index, max);
}

static void destroy(struct xarray *xa, struct xa_node *n)
{
	unsigned i;

	if (n->shift)
		for (i = 0; i < XA_CHUNK_SIZE; i++)
			if (n->slots[i])
				destroy(xa, n->slots[i]);
	xa->free(xa->ctx, n);
}

void xa_destroy(struct xarray *xa)
{
	if (xa->root)
		destroy(xa, xa->root);
	xa->root = NULL;
	xa->height = 0;
	xa->count = 0;
}

static uint64_t nodes(const struct xa_node *n)
{
	uint64_t c = 1;
	unsigned i;

	if (n->shift)
		for (i = 0; i < XA_CHUNK_SIZE; i++)
			if (n->slots[i])
				c += nodes(n->slots[i]);
	return c;
}

uint64_t xa_nodes(const struct xarray *xa)
{
	return xa->root ? nodes(xa->root) : 0;
}
