/* lib/xarray.c - a 64-way radix tree from 64-bit indices to pointers (see lib/xarray.h).
 * The role of Linux's lib/xarray.c (the page-cache index), written for vmlab: a root node of
 * `height` levels; each level consumes 6 index bits; the tree grows when an index does not
 * fit and gives back emptied nodes on erase.
 */
#include <errno.h>
#include <stddef.h>

#include "lib/xarray.h"

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

static struct xa_node *node_new(struct xarray *xa, unsigned shift)
{
	struct xa_node *n = xa->alloc(xa->ctx);

	if (n)
		n->shift = shift;
	return n;
}

int xa_store(struct xarray *xa, uint64_t index, void *entry)
{
	struct xa_node *n, *path[11];
	unsigned depth = 0, added = 0, i;

	if (!xa->root) {
		xa->root = node_new(xa, 0);
		if (!xa->root)
			return -ENOMEM;
		xa->height = 1;
		added = 1;
	}
	while (!fits(xa->height, index)) {
		struct xa_node *top = node_new(xa, xa->height * XA_CHUNK_SHIFT);

		if (!top)
			goto undo_grow;
		top->slots[0] = xa->root;
		top->count = 1;
		xa->root = top;
		xa->height++;
	}
	n = xa->root;
	while (n->shift) {
		unsigned s = (index >> n->shift) & (XA_CHUNK_SIZE - 1);

		if (!n->slots[s]) {
			struct xa_node *c = node_new(xa, n->shift - XA_CHUNK_SHIFT);

			if (!c) {
				/* free the nodes made on this path (they hold nothing yet) */
				for (i = depth; i > 0; i--) {
					struct xa_node *p = path[i - 1];
					unsigned ps = (index >> p->shift) & (XA_CHUNK_SIZE - 1);
					struct xa_node *ch = p->slots[ps];

					if (ch && ch->count == 0) {
						p->slots[ps] = NULL;
						p->count--;
						xa->free(xa->ctx, ch);
					}
				}
				goto undo_grow;
			}
			n->slots[s] = c;
			n->count++;
		}
		path[depth++] = n;
		n = n->slots[s];
	}
	i = index & (XA_CHUNK_SIZE - 1);
	if (!n->slots[i]) {
		n->count++;
		xa->count++;
	}
	n->slots[i] = entry;
	return 0;
undo_grow:
	/* shrink back while the root only has slot 0 and nothing else */
	while (xa->root && xa->root->shift && xa->root->count == 1 && xa->root->slots[0]) {
		struct xa_node *old = xa->root;

		if (old->slots[0] && ((struct xa_node *)old->slots[0])->count == 0 && xa->count == 0)
			break;
		xa->root = old->slots[0];
		xa->height--;
		xa->free(xa->ctx, old);
	}
	if (added && xa->root && xa->count == 0 && xa->root->count == 0) {
		xa->free(xa->ctx, xa->root);
		xa->root = NULL;
		xa->height = 0;
	}
	return -ENOMEM;
}

void *xa_erase(struct xarray *xa, uint64_t index)
{
	struct xa_node *path[11], *n = xa->root;
	unsigned depth = 0;
	void *old;
	int i;

	if (!n || !fits(xa->height, index))
		return NULL;
	while (n->shift) {
		struct xa_node *c = n->slots[(index >> n->shift) & (XA_CHUNK_SIZE - 1)];

		if (!c)
			return NULL;
		path[depth++] = n;
		n = c;
	}
	old = n->slots[index & (XA_CHUNK_SIZE - 1)];
	if (!old)
		return NULL;
	n->slots[index & (XA_CHUNK_SIZE - 1)] = NULL;
	n->count--;
	xa->count--;
	/* free emptied nodes bottom-up */
	for (i = (int)depth; i >= 0 && n->count == 0; i--) {
		if (i == 0) {
			xa->free(xa->ctx, n);
			xa->root = NULL;
			xa->height = 0;
			return old;
		}
		{
			struct xa_node *p = path[i - 1];

			p->slots[(index >> p->shift) & (XA_CHUNK_SIZE - 1)] = NULL;
			p->count--;
			xa->free(xa->ctx, n);
			n = p;
		}
	}
	/* shrink the height while the root holds only slot 0 */
	while (xa->root && xa->root->shift && xa->root->count == 1 && xa->root->slots[0]) {
		struct xa_node *r = xa->root;

		xa->root = r->slots[0];
		xa->height--;
		xa->free(xa->ctx, r);
	}
	return old;
}

static void *find_in(const struct xa_node *n, uint64_t *index, uint64_t max)
{
	uint64_t span = (uint64_t)1 << n->shift, i = (*index >> n->shift) & (XA_CHUNK_SIZE - 1);
	uint64_t base = *index & ~((span << XA_CHUNK_SHIFT) - 1);

	if (n->shift + XA_CHUNK_SHIFT >= 64)
		base = 0;
	for (; i < XA_CHUNK_SIZE; i++) {
		uint64_t lo = base + i * span;
		void *s = n->slots[i];

		if (lo > max)
			return NULL;
		if (!s)
			continue;
		if (n->shift == 0) {
			*index = lo;
			return s;
		}
		{
			uint64_t sub = lo > *index ? lo : *index;
			void *r = find_in(s, &sub, max);

			if (r) {
				*index = sub;
				return r;
			}
		}
	}
	return NULL;
}

void *xa_find(const struct xarray *xa, uint64_t *index, uint64_t max)
{
	if (!xa->root || *index > max || !fits(xa->height, *index))
		return NULL;
	return find_in(xa->root, index, max);
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
