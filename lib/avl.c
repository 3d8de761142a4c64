/* lib/avl.c - an intrusive AVL tree: insert, erase, check (see lib/avl.h).
 * No kernel twin: Linux orders VMAs in a maple tree (lib/maple_tree.c, 6.1+) and before that in
 * an rb-tree (lib/rbtree.c). vmlab uses a recursive AVL tree: the same O(log n) ordered lookup
 * in a tenth of the code. Recursion depth is the height, at most ~1.44 log2(n).
 * Invariants (avl_check): keys strictly increase in order; every node's height is one more than
 * its taller child; the two children's heights differ by at most one.
 */
#include <stddef.h>

#include "lib/avl.h"

static int h(const struct avl_node *n)
{
	return n ? n->height : 0;
}

static void fix(struct avl_node *n)
{
	int l = h(n->left), r = h(n->right);

	n->height = (l > r ? l : r) + 1;
}

static struct avl_node *rot_right(struct avl_node *n)
{
	struct avl_node *l = n->left;

	n->left = l->right;
	l->right = n;
	fix(n);
	fix(l);
	return l;
}

static struct avl_node *rot_left(struct avl_node *n)
{
	struct avl_node *r = n->right;

	n->right = r->left;
	r->left = n;
	fix(n);
	fix(r);
	return r;
}

static struct avl_node *balance(struct avl_node *n)
{
	int b;

	fix(n);
	b = h(n->left) - h(n->right);
	if (b > 1) {
		if (h(n->left->left) < h(n->left->right))
			n->left = rot_left(n->left);
		return rot_right(n);
	}
	if (b < -1) {
		if (h(n->right->right) < h(n->right->left))
			n->right = rot_right(n->right);
		return rot_left(n);
	}
	return n;
}

static struct avl_node *ins(struct avl_node *root, struct avl_node *n, avl_cmp_fn cmp)
{
	if (!root)
		return n;
	if (cmp(n, root) < 0)
		root->left = ins(root->left, n, cmp);
	else
		root->right = ins(root->right, n, cmp);
	return balance(root);
}

void avl_insert(struct avl_node **root, struct avl_node *n, avl_cmp_fn cmp)
{
	n->left = n->right = NULL;
	n->height = 1;
	*root = ins(*root, n, cmp);
}

static struct avl_node *take_min(struct avl_node *root, struct avl_node **min)
{
	if (!root->left) {
		*min = root;
		return root->right;
	}
	root->left = take_min(root->left, min);
	return balance(root);
}

static struct avl_node *del(struct avl_node *root, struct avl_node *n, avl_cmp_fn cmp)
{
	int c;

	if (!root)
		return NULL;
	c = cmp(n, root);
	if (c < 0) {
		root->left = del(root->left, n, cmp);
	} else if (c > 0) {
		root->right = del(root->right, n, cmp);
	} else {
		struct avl_node *min;

		if (!root->left)
			return root->right;
		if (!root->right)
			return root->left;
		root->right = take_min(root->right, &min);
		min->left = root->left;
		min->right = root->right;
		root = min;
	}
	return balance(root);
}

void avl_erase(struct avl_node **root, struct avl_node *n, avl_cmp_fn cmp)
{
	*root = del(*root, n, cmp);
}

static long chk(const struct avl_node *n, avl_cmp_fn cmp, const struct avl_node *lo,
		const struct avl_node *hi)
{
	long l, r;
	int lh, rh;

	if (!n)
		return 0;
	if ((lo && cmp(n, lo) <= 0) || (hi && cmp(n, hi) >= 0))
		return -1;
	l = chk(n->left, cmp, lo, n);
	r = chk(n->right, cmp, n, hi);
	if (l < 0 || r < 0)
		return -1;
	lh = h(n->left);
	rh = h(n->right);
	if (n->height != (lh > rh ? lh : rh) + 1 || lh - rh > 1 || rh - lh > 1)
		return -1;
	return l + r + 1;
}

long avl_check(const struct avl_node *root, avl_cmp_fn cmp)
{
	return chk(root, cmp, NULL, NULL);
}
