/* tests/unit/test_avl.c - lib/avl.c against a reference sorted array.
 * No kernel twin (Linux tests its trees in lib/rbtree_test.c). Random inserts and erases, with
 * avl_check() and an in-order walk compared to the reference after every step.
 */
#include <stdint.h>
#include <string.h>

#include "lib/avl.h"
#include "tests/unit/test.h"

#define NKEYS 2000

struct item {
	struct avl_node node; /* first: the node pointer is the item pointer */
	long key;             /* unique key */
	int in_tree;          /* 1 while inserted */
};

static int item_cmp(const struct avl_node *a, const struct avl_node *b)
{
	long ka = ((const struct item *)a)->key, kb = ((const struct item *)b)->key;

	return ka < kb ? -1 : ka > kb;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* In-order walk into out[]; returns the number of keys written. */
static int walk(const struct avl_node *n, long *out, int i)
{
	if (!n)
		return i;
	i = walk(n->left, out, i);
	out[i++] = ((const struct item *)n)->key;
	return walk(n->right, out, i);
}

static struct item items[NKEYS];
static long seen[NKEYS], want[NKEYS];

/* The tree holds exactly the items with in_tree set, in key order, balanced. */
static int tree_matches(const struct avl_node *root)
{
	int i, n = 0, got;

	for (i = 0; i < NKEYS; i++) /* items[] is sorted by key */
		if (items[i].in_tree)
			want[n++] = items[i].key;
	if (avl_check(root, item_cmp) != n)
		return 0;
	got = walk(root, seen, 0);
	return got == n && memcmp(seen, want, (size_t)n * sizeof(long)) == 0;
}

static void test_avl_empty(void)
{
	struct avl_node *root = NULL;
	struct item a = {.key = 5};

	CHECK_EQ(avl_check(root, item_cmp), 0);
	avl_insert(&root, &a.node, item_cmp);
	CHECK_EQ(avl_check(root, item_cmp), 1);
	CHECK_EQ(root->height, 1);
	avl_erase(&root, &a.node, item_cmp);
	CHECK(root == NULL);
}

/* Ascending inserts are the worst case for an unbalanced tree: the height must stay log. */
static void test_avl_sequential(void)
{
	struct avl_node *root = NULL;
	int i;

	memset(items, 0, sizeof(items));
	for (i = 0; i < NKEYS; i++) {
		items[i].key = i;
		items[i].in_tree = 1;
		avl_insert(&root, &items[i].node, item_cmp);
	}
	CHECK(tree_matches(root));
	CHECK(root->height <= 16); /* 1.44 log2(2000) ~ 15.8 */
	for (i = NKEYS - 1; i >= 0; i -= 2) {
		items[i].in_tree = 0;
		avl_erase(&root, &items[i].node, item_cmp);
	}
	CHECK(tree_matches(root));
	for (i = 0; i < NKEYS; i++)
		if (items[i].in_tree)
			avl_erase(&root, &items[i].node, item_cmp);
	CHECK(root == NULL);
}

static void test_avl_random(void)
{
	struct avl_node *root = NULL;
	int step, i, bad = 0;

	memset(items, 0, sizeof(items));
	for (i = 0; i < NKEYS; i++)
		items[i].key = (long)i * 7 - 3000; /* sorted, with negative keys */
	for (step = 0; step < 20000 && !bad; step++) {
		struct item *it = &items[next_rand() % NKEYS];

		if (it->in_tree)
			avl_erase(&root, &it->node, item_cmp);
		else
			avl_insert(&root, &it->node, item_cmp);
		it->in_tree = !it->in_tree;
		/* the full comparison is O(n): every step while small, then every 97th */
		if ((step < 3000 || step % 97 == 0) && !tree_matches(root))
			bad = step + 1;
		else if (avl_check(root, item_cmp) < 0)
			bad = step + 1;
	}
	CHECK_EQ(bad, 0);
	CHECK(tree_matches(root));
	for (i = 0; i < NKEYS; i++)
		if (items[i].in_tree) {
			avl_erase(&root, &items[i].node, item_cmp);
			items[i].in_tree = 0;
			if (avl_check(root, item_cmp) < 0)
				bad = 1;
		}
	CHECK_EQ(bad, 0);
	CHECK(root == NULL);
}

/* avl_check must notice a broken order and a wrong height. */
static void test_avl_check_detects(void)
{
	struct avl_node *root = NULL;
	struct item a = {.key = 1}, b = {.key = 2}, c = {.key = 3};
	long k;

	avl_insert(&root, &a.node, item_cmp);
	avl_insert(&root, &b.node, item_cmp);
	avl_insert(&root, &c.node, item_cmp);
	CHECK_EQ(avl_check(root, item_cmp), 3);
	CHECK(root == &b.node);
	k = a.key;
	a.key = 9; /* left child now above its parent */
	CHECK_EQ(avl_check(root, item_cmp), -1);
	a.key = k;
	root->height = 5;
	CHECK_EQ(avl_check(root, item_cmp), -1);
}

int main(void)
{
	RUN(test_avl_empty);
	RUN(test_avl_sequential);
	RUN(test_avl_random);
	RUN(test_avl_check_detects);
	TEST_EXIT();
}
