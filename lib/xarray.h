/* lib/xarray.h - a radix tree mapping 64-bit indices to pointers (the page-cache index).
 * Mirrors the role of lib/xarray.c (struct xarray, xa_load/xa_store/xa_erase), not its code:
 * 64-way nodes, a tree that grows in height as indices grow and shrinks when emptied. Nodes
 * come from an allocator given at init (vmlab passes its "radix_tree_node" slab cache), so
 * the index lives in simulated kernel memory. Entries must be non-NULL pointers; a value entry
 * (xa_mk_value: an integer shifted left by one with the low bit set, as Linux's) stores a
 * number instead of a pointer, such as a workingset shadow or a shmem page's swap entry.
 */
#ifndef VMLAB_LIB_XARRAY_H
#define VMLAB_LIB_XARRAY_H

#include <stdint.h>

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1u << XA_CHUNK_SHIFT)

struct xa_node {
	void *slots[XA_CHUNK_SIZE]; /* children (inner nodes) or entries (leaves) */
	unsigned count;             /* non-NULL slots */
	unsigned shift;             /* index bits below this node: 0 for a leaf */
};

typedef void *(*xa_alloc_fn)(void *ctx);        /* returns zeroed memory or NULL */
typedef void (*xa_free_fn)(void *ctx, void *p); /* gives a node back */

struct xarray {
	struct xa_node *root; /* NULL when empty */
	unsigned height;      /* levels below root, 0 when empty */
	uint64_t count;       /* entries stored */
	xa_alloc_fn alloc;    /* node allocator */
	xa_free_fn free;      /* node release */
	void *ctx;            /* allocator context */
};

static inline void *xa_mk_value(uint64_t v)
{
	return (void *)(uintptr_t)((v << 1) | 1);
}
static inline int xa_is_value(const void *entry)
{
	return ((uintptr_t)entry & 1) != 0;
}
static inline uint64_t xa_to_value(const void *entry)
{
	return (uint64_t)(uintptr_t)entry >> 1;
}

void xa_init(struct xarray *xa, xa_alloc_fn alloc, xa_free_fn free, void *ctx);
void *xa_load(const struct xarray *xa, uint64_t index);
/* Stores entry (non-NULL) at index, replacing any old entry. 0 or -ENOMEM (tree unchanged). */
int xa_store(struct xarray *xa, uint64_t index, void *entry);
/* Removes and returns the entry at index (NULL if none); frees emptied nodes. */
void *xa_erase(struct xarray *xa, uint64_t index);
/* The first entry at an index in [*index, max]; sets *index to it. NULL if none. */
void *xa_find(const struct xarray *xa, uint64_t *index, uint64_t max);
/* The leaf node whose slots hold the entries of index & ~63 .. index | 63, or NULL: lets a
 * caller scan neighbouring indices without a descent each (slots[index & 63]). */
struct xa_node *xa_leaf(const struct xarray *xa, uint64_t index);
/* Frees every node (entries are the caller's). */
void xa_destroy(struct xarray *xa);
/* Number of nodes allocated (for accounting and checks). */
uint64_t xa_nodes(const struct xarray *xa);

#endif
