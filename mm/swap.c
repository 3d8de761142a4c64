/* mm/swap.c - LRU plumbing and the final release of user pages.
 *
 * Mirrors mm/swap.c: folio_add_lru (new pages start on the inactive list of their type),
 * lruvec_del_folio, folio_put (the last reference frees the page, taking it off the LRU
 * first). One node, so one set of LRU lists (Linux: one lruvec per node and memcg).
 * Simplification: pages are added to the lists at once (Linux batches them per CPU in
 * folio_batch, FOLIO_BATCH_SIZE = 31, before they reach the list).
 */
#include "mm/internal.h"

static enum lru_list page_lru(const struct page *p)
{
	int file = !(p->flags & PG_swapbacked);

	if (p->flags & PG_unevictable)
		return LRU_UNEVICTABLE;
	return (enum lru_list)(2 * file + !!(p->flags & PG_active));
}

static void lru_stat(struct vmlab *m, struct page *p, enum lru_list l, int64_t d)
{
	static const enum node_stat_item node_item[NR_LRU_LISTS] = {
		NR_INACTIVE_ANON, NR_ACTIVE_ANON, NR_INACTIVE_FILE, NR_ACTIVE_FILE, NR_UNEVICTABLE};
	static const enum zone_stat_item zone_item[NR_LRU_LISTS] = {
		NR_ZONE_INACTIVE_ANON, NR_ZONE_ACTIVE_ANON, NR_ZONE_INACTIVE_FILE,
		NR_ZONE_ACTIVE_FILE, NR_ZONE_UNEVICTABLE};

	m->lru_size[l] += (uint64_t)d;
	mod_node_page_state(m, node_item[l], d);
	mod_zone_page_state(page_zone(m, p), zone_item[l], d);
}

void folio_add_lru(struct vmlab *m, struct page *p)
{
	enum lru_list l;

	VM_BUG_ON(p->flags & PG_lru);
	p->flags &= ~PG_active;
	l = page_lru(p);
	list_add(&p->lru, &m->lru_lists[l]); /* the head is the young end, as in Linux */
	p->flags |= PG_lru;
	lru_stat(m, p, l, 1);
}

void lruvec_del_folio(struct vmlab *m, struct page *p)
{
	enum lru_list l = page_lru(p);

	VM_BUG_ON(!(p->flags & PG_lru));
	list_del(&p->lru);
	p->flags &= ~PG_lru;
	lru_stat(m, p, l, -1);
}

void folio_put(struct vmlab *m, struct page *p)
{
	VM_BUG_ON(p->_refcount <= 0);
	if (p->_refcount > 1) {
		p->_refcount--;
		return;
	}
	VM_BUG_ON(p->_mapcount != 0);
	if (p->flags & PG_lru)
		lruvec_del_folio(m, p);
	p->flags &= ~(PG_anon | PG_anon_exclusive | PG_swapbacked | PG_dirty | PG_uptodate |
		      PG_referenced | PG_active | PG_unevictable | PG_mlocked);
	p->mapping = NULL;
	p->index = 0;
	p->private = 0;
	free_pages(m, p, 0);
}
