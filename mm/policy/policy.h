/* mm/policy/policy.h - page replacement policies behind one ops table.
 *
 * No kernel twin: Linux has one policy (the active/inactive lists, or MGLRU); vmlab makes the
 * choice of victim pluggable so that textbook policies can be compared over the same machine.
 * A policy owns the order of the evictable pages of each lruvec; everything else (isolating a
 * page, unmapping it through the reverse map, writing it to swap or its file, freeing it, the
 * counters) is the shared machinery of mm/vmscan.c.
 *
 * Adding a policy: write mm/policy/NAME.c defining `const struct vm_policy_ops NAME_policy`
 * and add one line to the table in mm/policy/registry.c. docs/policies.md walks through it.
 */
#ifndef VMLAB_MM_POLICY_H
#define VMLAB_MM_POLICY_H

#include "mm/internal.h"

struct vm_policy_ops {
	const char *name;     /* machine policy=NAME, replay --policy NAME */
	const char *summary;  /* one line for vmlab help and the docs */
	int exact;            /* 1: sees every access (the resident limit evicts exactly) */
	int needs_future;     /* 1: needs the next-use time of each access (opt) */
	/* machine setup and teardown of the policy's own state (may be NULL) */
	int (*init)(struct vmlab *m);
	void (*exit)(struct vmlab *m);
	/* a page becomes evictable in lv (it was put on the LRU), or stops being so (freed,
	 * isolated for reclaim, made unevictable); LRU counters are kept by the caller */
	void (*add)(struct vmlab *m, struct lruvec *lv, struct page *p);
	void (*del)(struct vmlab *m, struct lruvec *lv, struct page *p);
	/* exact policies: an access to p that completed without a fault */
	void (*access)(struct vmlab *m, struct page *p);
	/* 1: access is exactly "p to the head of lv->policy_list unless it is there" (lru), which
	 * policy_access (mm/internal.h) then does inline on the hot path instead of calling it */
	int access_to_head;
	/* 1: add is policy_list_add_head and del is policy_list_del (lru, fifo), which
	 * folio_add_lru and lruvec_del_folio (mm/swap.c) then do inline; access_to_head
	 * requires it (they test m->policy_access_to_head first; vm_policy_find checks) */
	int list_at_head;
	/* madvise(MADV_COLD): p should go early (may be NULL: no effect) */
	void (*deactivate)(struct vmlab *m, struct lruvec *lv, struct page *p);
	/* reclaim from lv until sc->nr_reclaimed reaches sc->nr_to_reclaim or nothing more can
	 * go, counting sc->nr_scanned; victims are handed to shrink_folio_list */
	void (*shrink)(struct vmlab *m, struct lruvec *lv, struct scan_control *sc);
	/* invariant checker of lv's policy state: 0, or -EFAULT with the reason in err */
	int (*check)(struct vmlab *m, struct lruvec *lv, char *err, size_t n);
};

/* The registry: NULL when no policy has that name. */
const struct vm_policy_ops *vm_policy_find(const char *name);
/* Names of all policies separated by "|" (for error messages). */
const char *vm_policy_names(void);

/* Shared helpers for list-based exact policies (mm/policy/registry.c). */
void policy_list_add_head(struct lruvec *lv, struct page *p);
void policy_list_del(struct lruvec *lv, struct page *p);
/* Reclaims pages from the tail of lv->policy_list (the victim end) one at a time. */
void policy_shrink_tail(struct vmlab *m, struct lruvec *lv, struct scan_control *sc);
/* Checks that lv->policy_list holds exactly its evictable pages. */
int policy_check_list(struct vmlab *m, struct lruvec *lv, char *err, size_t n);

#endif
