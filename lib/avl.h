/* lib/avl.h - an intrusive AVL tree (height-balanced binary search tree).
 * No kernel twin: Linux keeps VMAs in a maple tree (6.1+) or an rb-tree (before); vmlab uses an
 * AVL tree for the same O(log n) ordered lookup with less code. Keys are supplied by a compare
 * callback; keys must be unique.
 */
#ifndef VMLAB_LIB_AVL_H
#define VMLAB_LIB_AVL_H

struct avl_node {
	struct avl_node *left;  /* subtree with smaller keys */
	struct avl_node *right; /* subtree with larger keys */
	int height;             /* 1 for a leaf */
};

/* <0, 0, >0 as a's key is below, equal to, above b's key. */
typedef int (*avl_cmp_fn)(const struct avl_node *a, const struct avl_node *b);

/* Inserts n (its key must not be in the tree yet). */
void avl_insert(struct avl_node **root, struct avl_node *n, avl_cmp_fn cmp);
/* Removes n, which must be in the tree. */
void avl_erase(struct avl_node **root, struct avl_node *n, avl_cmp_fn cmp);
/* Checks balance, heights and order; returns the node count, or -1 when broken. */
long avl_check(const struct avl_node *root, avl_cmp_fn cmp);

#endif
