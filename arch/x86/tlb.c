/* arch/x86/tlb.c - the data TLB of the simulated CPU, address-space switches and flushes.
 *
 * Mirrors arch/x86/mm/tlb.c: switch_mm_irqs_off (CR3 write flushes non-global entries unless
 * PCID is on), choose_new_asid (TLB_NR_DYN_ASIDS = 6 slots cached per CPU, reused when the
 * ctx_id matches and flushed when the slot's tlb_gen is behind the mm's), flush_tlb_mm_range
 * (invlpg per page up to tlb_single_page_flush_ceiling = 33 pages, a full flush above).
 *
 * The TLB itself is set-associative: sets x ways entries, tagged by (virtual page, ASID) in one
 * word (struct tlb_entry).
 * Simplifications: replacement within a set is round-robin (hardware uses pseudo-LRU); only
 * user translations are cached (vmlab makes no kernel-mode accesses through the TLB), so there
 * are no global entries; one CPU runs every access, so there are no shootdown IPIs; fetches
 * (replay's lackey I records) use the same TLB as loads and stores (no separate iTLB).
 */
#include <stdlib.h>

#include "mm/internal.h"

#define TLB_FLUSH_CEILING 33

int tlb_init(struct vmlab *m)
{
	struct cpu *c = &m->cpu;
	unsigned entries = m->cfg.tlb_entries, ways = m->cfg.tlb_ways, i;

	if (ways == 0 || ways > entries)
		ways = entries;
	c->tlb_ways = ways;
	c->tlb_sets = entries / ways;
	if (c->tlb_sets == 0 || (c->tlb_sets & (c->tlb_sets - 1)) || c->tlb_sets * ways != entries)
		return -EINVAL;
	c->set_mask = c->tlb_sets - 1;
	c->tlb = calloc(entries, sizeof(*c->tlb));
	c->victim = calloc(c->tlb_sets, 1);
	if (!c->tlb || !c->victim)
		return -ENOMEM;
	for (i = 0; i < entries; i++)
		c->tlb[i].tag = TLB_INVALID;
	pde_cache_flush(c);
	return 0;
}

void tlb_destroy(struct vmlab *m)
{
	free(m->cpu.tlb);
	free(m->cpu.victim);
	m->cpu.tlb = NULL;
	m->cpu.victim = NULL;
}

static void flush_event(struct vmlab *m, uint64_t addr, uint64_t pages)
{
	vmlab_event_t ev = {.type = VMLAB_EV_TLB_FLUSH, .pid = m->cur_pid, .addr = addr,
			    .value = pages};
	vm_event(m, &ev);
}

/* Drops every entry tagged with asid. */
static void flush_asid(struct vmlab *m, uint16_t asid)
{
	struct cpu *c = &m->cpu;
	unsigned i, n = c->tlb_sets * c->tlb_ways;

	for (i = 0; i < n; i++)
		if (tlb_entry_asid(&c->tlb[i]) == asid)
			c->tlb[i].tag = TLB_INVALID;
	pde_cache_flush(c); /* flushes drop the paging-structure caches too */
	c->stats.flush_all++;
	if (unlikely(explaining(m)))
		flush_event(m, 0, 0);
}


/* choose_new_asid + load_new_mm_cr3. */
void switch_mm(struct vmlab *m, struct mm_struct *next)
{
	struct cpu *c = &m->cpu;
	unsigned i;

	if (c->loaded_mm == next)
		return;
	c->loaded_mm = next;
	pde_cache_flush(c);
	if (!m->cfg.pcid) {
		/* a CR3 write without PCID drops every non-global entry */
		flush_asid(m, 0);
		c->loaded_asid = 0;
		return;
	}
	if (!next) {
		c->loaded_asid = 0;
		return;
	}
	for (i = 0; i < TLB_NR_DYN_ASIDS; i++) {
		if (c->ctxs[i].ctx_id == next->context_id) {
			c->loaded_asid = (uint16_t)(i + 1); /* hardware PCID = ASID + 1 */
			if (c->ctxs[i].tlb_gen != next->tlb_gen) {
				flush_asid(m, c->loaded_asid);
				c->ctxs[i].tlb_gen = next->tlb_gen;
			}
			return;
		}
	}
	i = c->next_asid;
	c->next_asid = (c->next_asid + 1) % TLB_NR_DYN_ASIDS;
	c->ctxs[i].ctx_id = next->context_id;
	c->ctxs[i].tlb_gen = next->tlb_gen;
	c->loaded_asid = (uint16_t)(i + 1);
	flush_asid(m, c->loaded_asid);
}

void flush_tlb_mm_range(struct vmlab *m, struct mm_struct *mm, uint64_t start, uint64_t end)
{
	struct cpu *c = &m->cpu;
	uint64_t pages = (end - start) >> PAGE_SHIFT, vpn;
	unsigned i;

	mm->tlb_gen++;
	if (c->loaded_mm != mm) {
		/* Not loaded: without PCID it has nothing cached. With PCID its slot (if any) is now
		 * behind mm->tlb_gen and is flushed when the mm is switched to again. */
		return;
	}
	if (pages == 1) { /* reclaim's unmap, a COW break */
		tlb_invlpg(c, start >> PAGE_SHIFT);
		count_vm_event(m, NR_TLB_LOCAL_FLUSH_ONE);
		if (unlikely(explaining(m)))
			flush_event(m, start, 1);
	} else if (pages <= TLB_FLUSH_CEILING) {
		for (vpn = start >> PAGE_SHIFT; vpn < end >> PAGE_SHIFT; vpn++)
			tlb_invlpg(c, vpn);
		count_vm_events(m, NR_TLB_LOCAL_FLUSH_ONE, pages);
		if (unlikely(explaining(m)))
			flush_event(m, start, pages);
	} else {
		flush_asid(m, c->loaded_asid);
		count_vm_event(m, NR_TLB_LOCAL_FLUSH_ALL);
	}
	if (m->cfg.pcid)
		for (i = 0; i < TLB_NR_DYN_ASIDS; i++)
			if (c->ctxs[i].ctx_id == mm->context_id)
				c->ctxs[i].tlb_gen = mm->tlb_gen;
}

void flush_tlb_mm(struct vmlab *m, struct mm_struct *mm)
{
	flush_tlb_mm_range(m, mm, 0, TASK_SIZE_MAX);
}

void tlb_mm_gone(struct vmlab *m, struct mm_struct *mm)
{
	struct cpu *c = &m->cpu;
	unsigned i;

	if (m->cfg.pcid) {
		for (i = 0; i < TLB_NR_DYN_ASIDS; i++) {
			if (c->ctxs[i].ctx_id == mm->context_id) {
				uint16_t asid = (uint16_t)(i + 1);
				unsigned j, n = c->tlb_sets * c->tlb_ways;

				for (j = 0; j < n; j++)
					if (tlb_entry_asid(&c->tlb[j]) == asid)
						c->tlb[j].tag = TLB_INVALID;
				c->ctxs[i].ctx_id = 0;
			}
		}
	}
	if (c->loaded_mm == mm) {
		if (!m->cfg.pcid)
			flush_asid(m, 0);
		pde_cache_flush(c);
		c->loaded_mm = NULL;
		c->loaded_asid = 0;
	}
}

void vmlab_tlb_stats(vmlab_t *m, vmlab_tlb_stats_t *st)
{
	if (!st)
		return;
	if (!m) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = m->cpu.stats;
}
