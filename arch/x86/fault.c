/* arch/x86/fault.c - user memory accesses as the CPU performs them, and the page-fault entry.
 *
 * Mirrors arch/x86/mm/fault.c (do_user_addr_fault, access_error, bad_area) plus the CPU side
 * that Linux does not need to write down: TLB lookup, page walk on a miss, and the retry of the
 * faulting access once the handler has fixed the page tables.
 *
 * Entry points: vmlab_access (the hot path: one TLB probe when it hits), vmlab_access_recs
 * (the same for a run of accesses by one process: replay's loop), vmlab_load, vmlab_store,
 * vmlab_fill, vmlab_touch, do_user_addr_fault, copy_to_user (the kernel writing a process's
 * memory, as exec does: faults are taken and counted as for the process).
 */
#include "mm/internal.h"

static inline struct task_struct *task_of(struct vmlab *m, int pid)
{
	struct task_struct *t;

	if (unlikely((unsigned)pid >= (unsigned)m->nr_tasks_slots))
		return NULL;
	t = m->tasks[pid];
	if (unlikely(!t || t->state != TASK_RUNNING))
		return NULL;
	return t;
}

/* TLB probe. Returns the entry when a translation allowing `kind` is cached. */
static inline __attribute__((always_inline)) struct tlb_entry *
tlb_lookup_ways(struct cpu *c, uint64_t vpn, int kind, const unsigned ways)
{
	struct tlb_entry *set = tlb_set_of(c->tlb, vpn, c->set_mask, ways);
	const unsigned w = tlb_way_of(set, tlb_tag(vpn, c->loaded_asid), ways);

	return w < ways && tlb_entry_allows(&set[w], kind) ? &set[w] : NULL;
}
static inline struct tlb_entry *tlb_lookup(struct cpu *c, uint64_t vpn, int kind)
{
	if (likely(c->tlb_ways == 4)) /* the default geometry, unrolled */
		return tlb_lookup_ways(c, vpn, kind, 4);
	return tlb_lookup_ways(c, vpn, kind, c->tlb_ways);
}

static void signal_event(struct vmlab *m, const vmlab_fault_t *f)
{
	vmlab_event_t ev = {.type = VMLAB_EV_SIGNAL, .pid = m->cur_pid, .addr = f->addr,
			    .value = (uint64_t)f->signo, .index = (unsigned)f->code};
	vm_event(m, &ev);
}

static int bad_area(struct vmlab *m, uint64_t addr, unsigned error, int code, vmlab_fault_t *f)
{
	f->signo = VMLAB_SIGSEGV;
	f->code = code;
	f->addr = addr;
	f->error = error;
	if (unlikely(explaining(m)))
		signal_event(m, f);
	return VMLAB_SIGSEGV;
}

/* access_error(): true when the VMA forbids this access (SEGV_ACCERR). */
static bool access_error(unsigned error, const struct vm_area_struct *vma)
{
	if (error & X86_PF_WRITE)
		return !(vma->vm_flags & VM_WRITE);
	if (error & X86_PF_PROT) /* read or fetch of a present page that faulted anyway */
		return true;
	if (error & X86_PF_INSTR)
		return !(vma->vm_flags & VM_EXEC);
	return !(vma->vm_flags & VM_ACCESS_FLAGS);
}

/* The signal of a fault the handler could not resolve (ret has a VM_FAULT_ERROR bit). */
static __attribute__((cold)) int fault_signal(struct vmlab *m, uint64_t addr, unsigned error,
					     unsigned ret, vmlab_fault_t *f)
{
	f->addr = addr;
	f->error = error;
	if (ret & VM_FAULT_OOM) {
		/* pagefault_out_of_memory(): no OOM killer yet, the faulting task dies */
		f->signo = VMLAB_SIGKILL;
		f->code = 0;
	} else if (ret & VM_FAULT_SIGBUS) {
		f->signo = VMLAB_SIGBUS;
		f->code = VMLAB_BUS_ADRERR;
	} else {
		f->signo = VMLAB_SIGSEGV;
		f->code = VMLAB_SEGV_MAPERR;
	}
	if (unlikely(explaining(m)))
		signal_event(m, f);
	return f->signo;
}

/* do_user_addr_fault's flags for handle_mm_fault from the error code. */
static inline unsigned fault_flags(unsigned error)
{
	return FAULT_FLAG_USER | ((error & X86_PF_WRITE) ? FAULT_FLAG_WRITE : 0) |
	       ((error & X86_PF_INSTR) ? FAULT_FLAG_INSTRUCTION : 0);
}

int do_user_addr_fault_at(struct vmlab *m, struct task_struct *t, uint64_t addr, unsigned error,
			  vmlab_fault_t *f, pteval_t *ptep)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *vma;
	unsigned flags = fault_flags(error), ret;

	/* A user access to a kernel or non-canonical address finds no VMA: SEGV_MAPERR.
	 * (A non-canonical address raises #GP on real hardware; Linux also sends SIGSEGV.) */
	if (addr >= TASK_SIZE_MAX)
		return bad_area(m, addr, error, VMLAB_SEGV_MAPERR, f);
	vma = find_vma(mm, addr);
	if (!vma)
		return bad_area(m, addr, error, VMLAB_SEGV_MAPERR, f);
	if (vma->vm_start > addr) {
		if (!(vma->vm_flags & VM_GROWSDOWN) || expand_stack(m, vma, addr))
			return bad_area(m, addr, error, VMLAB_SEGV_MAPERR, f);
	}
	if (access_error(error, vma))
		return bad_area(m, addr, error, VMLAB_SEGV_ACCERR, f);
	ret = handle_mm_fault_at(m, t, vma, addr, flags, ptep);
	mm_account_fault(m, t, ret, flags);
	if (unlikely(ret & VM_FAULT_ERROR))
		return fault_signal(m, addr, error, ret, f);
	return 0;
}

int do_user_addr_fault(struct vmlab *m, struct task_struct *t, uint64_t addr, unsigned error,
		       vmlab_fault_t *f)
{
	return do_user_addr_fault_at(m, t, addr, error, f, NULL);
}

/* The slow path of an access: walk, fault, retry. Returns 0 with *pfn, or a signal. err0 is 0,
 * or the error code of a first walk the caller made (and counted) already. */
static int access_slow_from(struct vmlab *m, struct task_struct *t, uint64_t addr, int kind,
			    uint64_t *pfn, vmlab_fault_t *f, unsigned err0, int tries)
{
	struct cpu *c = &m->cpu;

	for (; tries < 4; tries++) {
		pteval_t *ptep = NULL;
		unsigned err;
		int sig;

		if (err0) {
			err = err0;
			err0 = 0;
			goto fault;
		}
		if (unlikely(explaining(m))) {
			vmlab_event_t ev = {.type = VMLAB_EV_TLB_MISS, .pid = t->pid, .addr = addr,
					    .kind = kind};
			vm_event(m, &ev);
		}
		if (unlikely(addr >= TASK_SIZE_MAX)) {
			/* no walk can succeed from user mode: US is clear in the kernel half, and a
			 * non-canonical address faults before any walk */
			err = pf_error_code(kind);
			if (addr_canonical(addr))
				err = mmu_walk(m, t->mm, addr, kind, &ptep);
		} else if (likely(!explaining(m))) {
			c->stats.walks++; /* what mmu_walk does, its user walk inline */
			err = mmu_walk_user(m, t->mm, addr, kind, pf_error_code(kind), &ptep, false);
		} else {
			err = mmu_walk(m, t->mm, addr, kind, &ptep);
		}
		if (!err) {
			tlb_fill(m, addr, *ptep);
			*pfn = pte_pfn(*ptep);
			/* an exact policy sees accesses that did not fault (the fault loaded the page) */
			if (unlikely(m->policy_exact) && tries == 0)
				policy_access(m, *pfn);
			return 0;
		}
fault:
		sig = do_user_addr_fault(m, t, addr, err, f);
		if (sig)
			return sig;
	}
	vm_bug(__func__, "the fault handler did not make progress");
}

static int access_slow(struct vmlab *m, struct task_struct *t, uint64_t addr, int kind,
		       uint64_t *pfn, vmlab_fault_t *f, unsigned err0)
{
	return access_slow_from(m, t, addr, kind, pfn, f, err0, 0);
}

static inline int translate(struct vmlab *m, struct task_struct *t, uint64_t addr, int kind,
			    uint64_t *pfn, vmlab_fault_t *f)
{
	struct cpu *c = &m->cpu;
	struct tlb_entry *e;

	if (unlikely(t->mm != c->loaded_mm))
		switch_mm(m, t->mm);
	if (unlikely(explaining(m))) {
		vmlab_event_t ev = {.type = VMLAB_EV_ACCESS, .pid = t->pid, .addr = addr,
				    .kind = kind};
		vm_event(m, &ev);
	}
	e = tlb_lookup(c, addr >> PAGE_SHIFT, kind);
	if (likely(e)) {
		c->stats.hits++;
		*pfn = tlb_entry_pfn(e);
		if (unlikely(m->policy_exact))
			policy_access(m, *pfn);
		if (unlikely(explaining(m))) {
			vmlab_event_t ev = {.type = VMLAB_EV_TLB_HIT, .pid = t->pid, .addr = addr,
					    .pfn = *pfn};
			vm_event(m, &ev);
		}
		return 0;
	}
	c->stats.misses++;
	return access_slow(m, t, addr, kind, pfn, f, 0);
}

/* The fast path of an access: true when the TLB of the loaded address space holds a
 * translation allowing kind (counted as a hit). Shared by vmlab_access and
 * vmlab_access_recs, so both count and model a hit the same way. */
static inline bool access_hit(struct vmlab *m, struct task_struct *t, uint64_t addr, int kind)
{
	struct cpu *c = &m->cpu;
	struct tlb_entry *e;

	if (likely(t->mm == c->loaded_mm && !explaining(m))) {
		e = tlb_lookup(c, addr >> PAGE_SHIFT, kind);
		if (likely(e)) {
			c->stats.hits++;
			if (unlikely(m->policy_exact)) /* an exact policy sees every reference */
				policy_access(m, tlb_entry_pfn(e));
			return true;
		}
	}
	return false;
}

/* After the fault of a lean path's walk (sig: 0 when the handler resolved it): access_slow's
 * second try, the walk again, which now finds the page, and then what access_miss does. */
static inline int access_fault_done(struct vmlab *m, struct task_struct *t, uint64_t addr,
				    int kind, vmlab_fault_t *f, int sig)
{
	uint64_t pfn;
	pteval_t *ptep;
	unsigned err;

	if (likely(!sig)) {
		m->cpu.stats.walks++;
		err = mmu_walk_user(m, t->mm, addr, kind, pf_error_code(kind), &ptep, false);
		if (likely(!err))
			tlb_fill(m, addr, *ptep);
		else
			sig = access_slow_from(m, t, addr, kind, &pfn, f, err, 1);
	}
	if (unlikely(m->dirty_exceeded))
		wb_workfn(m);
	if (unlikely(m->cfg.check))
		debug_check(m);
	return sig;
}

/* A TLB miss whose walk (made and counted by access_walk) faulted: the fault, the retry, and
 * what access_miss does after them. Out of line, as access_miss. slot is the PTE slot the
 * walk found (or NULL), for the handler. */
static __attribute__((noinline)) int access_fault(struct vmlab *m, struct task_struct *t,
						  uint64_t addr, int kind, unsigned err,
						  pteval_t *slot)
{
	vmlab_fault_t f;
	/* access_slow's first try, from its fault on: the caller is on a lean path (no explain
	 * mode, a user address) */
	int sig = do_user_addr_fault_at(m, t, addr, err, &f, slot);

	return access_fault_done(m, t, addr, kind, &f, sig);
}

/* access_fault for a walk that found a swap entry in *slot (the common fault of a replay under
 * a resident limit): do_user_addr_fault's checks, then mm/memory.c's swap_fault_lean instead
 * of handle_mm_fault's dispatch to do_swap_page, then what access_fault does after the
 * handler. Any other case (one do_user_addr_fault would refuse or treat otherwise, or one
 * swap_fault_lean declines) is access_fault's: its find_vma again finds what this one cached. */
static __attribute__((noinline)) int access_swap_fault(struct vmlab *m, struct task_struct *t,
						       uint64_t addr, int kind, unsigned err,
						       pteval_t *slot)
{
	struct vm_area_struct *vma = find_vma(t->mm, addr);
	const unsigned flags = fault_flags(err);
	vmlab_fault_t f;
	unsigned ret;

	if (unlikely(!vma || vma->vm_start > addr || access_error(err, vma)) ||
	    !(ret = swap_fault_lean(m, t, vma, addr, flags, slot)))
		return access_fault(m, t, addr, kind, err, slot);
	mm_account_fault(m, t, ret, flags);
	return access_fault_done(m, t, addr, kind, &f,
				 unlikely(ret & VM_FAULT_ERROR) ? fault_signal(m, addr, err, ret, &f) : 0);
}

/* The common TLB miss, walked, filled and counted exactly as translate and access_slow do it,
 * without their generality. Returns WALK_DONE when the walk found the page and allowed the
 * access; WALK_FAULTED when it faulted and access_fault took over (its result in *sig); 0,
 * with nothing done, when the general path must run instead: explain mode, the per-operation
 * checkers or dirty throttling are on, the machine was asked for the general paths
 * (cfg.general_paths: tests/unit/test_fastpath.c compares the two), or another address space
 * is loaded. */
enum { WALK_DONE = 1, WALK_FAULTED = 2 };
static inline int access_walk(struct vmlab *m, struct task_struct *t, int pid, uint64_t addr,
			      int kind, int *sig)
{
	struct cpu *c = &m->cpu;
	unsigned err = pf_error_code(kind);
	pteval_t *ptep = NULL;

	if (unlikely(t->mm != c->loaded_mm || addr >= TASK_SIZE_MAX || explaining(m) ||
		     m->cfg.check || m->dirty_exceeded || m->cfg.general_paths))
		return 0;
	err = mmu_walk_user(m, t->mm, addr, kind, err, &ptep, false);
	m->cur_pid = pid;
	c->stats.misses++;
	c->stats.walks++;
	if (unlikely(err)) {
		*sig = access_fault(m, t, addr, kind, err, (err & X86_PF_PROT) ? NULL : ptep);
		return WALK_FAULTED;
	}
	tlb_fill(m, addr, *ptep);
	if (unlikely(m->policy_exact))
		policy_access(m, pte_pfn(*ptep));
	return WALK_DONE;
}

/* Everything else: the walk, the fault, the retry (kept out of line: the hit path of the
 * callers then needs no stack frame). */
static __attribute__((noinline)) int access_miss(struct vmlab *m, struct task_struct *t, int pid,
						 uint64_t addr, int kind)
{
	vmlab_fault_t f;
	uint64_t pfn;
	int sig;

	m->cur_pid = pid;
	sig = translate(m, t, addr, kind, &pfn, &f);
	if (unlikely(m->dirty_exceeded))
		wb_workfn(m);
	if (unlikely(m->cfg.check))
		debug_check(m);
	return sig;
}

int vmlab_access(vmlab_t *m, int pid, uint64_t addr, int kind)
{
	struct task_struct *t = likely(m != NULL) ? task_of(m, pid) : NULL;
	int sig;

	if (unlikely(!t))
		return m ? -ESRCH : -EINVAL;
	if (unlikely((unsigned)kind > VMLAB_ACC_EXEC))
		return -EINVAL;
	if (access_hit(m, t, addr, kind))
		return 0;
	switch (access_walk(m, t, pid, addr, kind, &sig)) {
	case WALK_DONE:
		return 0;
	case WALK_FAULTED:
		return sig;
	}
	return access_miss(m, t, pid, addr, kind);
}

/* The lean loop's lookahead, host-side only: at each walk, the host's cache is asked for
 * the PTE of the record LOOKAHEAD records on, so that the walks' loads of PTEs (the tables of
 * the trace's pages are far larger than the host's first-level cache) overlap instead of
 * coming one after another. Only the paging-structure cache and a PTE's line are read; nothing
 * is written, and a stale guess costs a little time and nothing else. At walks only, so that
 * a run of TLB hits pays nothing. (Prefetching the struct page or the swap slot a PTE names as
 * well, or prefetching at every record, measured slower.) */
#define LOOKAHEAD 12

static inline void lookahead_pte(struct vmlab *m, struct cpu *c, uint64_t addr)
{
	const struct pde_cache_entry *pc = pde_slot(c, addr);

	if (pc->va == pde_key(c, addr))
		prefetch_line((const pteval_t *)pfn_to_virt(m, pc->pfn) + pte_index(addr));
}

/* Whether the lean loop of vmlab_access_recs may run: t's address space is loaded, and none of
 * what access_walk leaves to the general path is on (explain mode, the per-operation checkers,
 * dirty throttling, cfg.general_paths). */
static inline bool access_lean(const struct vmlab *m, const struct task_struct *t)
{
	return t->mm == m->cpu.loaded_mm && !explaining(m) && !m->cfg.check && !m->dirty_exceeded &&
	       !m->cfg.general_paths;
}

/* vmlab_access_recs' loop for as long as access_lean holds: the TLB hits and the misses whose
 * walk finds the page, as access_hit and access_walk do them and counted the same, with what
 * they read (the TLB's base and geometry, the ASID's tag, the policy's mode, the counters) in
 * registers: nothing these accesses do can change it. A walk that faults goes to access_fault
 * as access_walk's would; after it the loop goes on if the task lives and access_lean still
 * holds. Returns the index of the next record, with *stop set when the caller is to return it
 * (the end, a signal in *sig, or the task gone), else clear: that record is the general path's
 * (a kind out of range, a miss above TASK_SIZE_MAX, or access_lean no longer holds).
 * ways is c->tlb_ways; mode is LEAN_DEFAULT for the default machine under exact LRU (the
 * policy is exact LRU: m->policy_exact and m->policy_access_to_head; the TLB has 16 sets of
 * 4 ways; no PCID, so the loaded ASID is 0; the root group is the only memory cgroup, so
 * every page is on its lruvec), else LEAN_ANY. The caller passes constants for the default
 * case, so that its copy is unrolled and keeps nothing of this in registers. */
enum { LEAN_ANY, LEAN_DEFAULT };
#define LEAN_DEFAULT_SETS 16

/* Whether vmlab_access_recs may use the LEAN_DEFAULT copy (see above); none of it changes
 * while the loop runs (a fault creates no memory cgroup). */
static inline bool lean_default(const struct vmlab *m)
{
	const struct cpu *c = &m->cpu;

	return c->tlb_ways == 4 && c->set_mask == LEAN_DEFAULT_SETS - 1 && !m->cfg.pcid &&
	       m->policy_exact && m->policy_access_to_head && m->nr_memcgs == 1;
}
static inline __attribute__((always_inline)) size_t
access_recs_lean(struct vmlab *m, struct task_struct *t, int pid, const vmlab_trace_rec_t *r,
		 size_t i, size_t n, int *sig, int *stop, const unsigned ways, const int mode)
{
	struct cpu *c = &m->cpu;
	struct tlb_entry *const tlb = c->tlb;
	const uint64_t set_mask = mode == LEAN_DEFAULT ? LEAN_DEFAULT_SETS - 1 : c->set_mask;
	uint64_t asid = mode == LEAN_DEFAULT ? 0 : tlb_tag(0, c->loaded_asid);
	struct mm_struct *const mm = t->mm;
	const int exact = mode == LEAN_DEFAULT || m->policy_exact;
	const int to_head = mode == LEAN_DEFAULT || m->policy_access_to_head;
	struct lruvec *const root_lv = &m->root_mem_cgroup.lruvec;
	const vmlab_trace_rec_t *p = r + i, *const end = r + n;
	uint64_t walks = 0; /* since r[i]: the records before r[i] are counted */

	*stop = 0;
	for (; p != end; p++) {
		const uint64_t addr = p->addr, vpn = addr >> PAGE_SHIFT, tag = vpn | asid;
		const unsigned kind = p->kind;
		struct tlb_entry *set = tlb_set_of(tlb, vpn, set_mask, ways);
		const unsigned w = tlb_way_of(set, tag, ways);
		uint64_t pv;

		if (unlikely(kind > VMLAB_ACC_EXEC))
			break;
		if (likely(w < ways) && tlb_entry_allows(&set[w], (int)kind)) {
			pv = set[w].pv;
		} else {
			pteval_t *ptep = NULL;
			unsigned err;

			if (unlikely(addr >= TASK_SIZE_MAX))
				break;
			if (likely(end - p > LOOKAHEAD))
				lookahead_pte(m, c, p[LOOKAHEAD].addr);
			walks++; /* m->cur_pid = pid, as access_walk sets it: below, once */
			/* X86_PF_USER stands for the error code, made only when the walk fails */
			err = mmu_walk_user(m, mm, addr, (int)kind, X86_PF_USER, &ptep, true);
			if (unlikely(err)) {
				/* the counters as access_walk leaves them for the fault (hits: every
				 * record before this one that did not walk) */
				c->stats.hits += (uint64_t)(p - r) - i - walks + 1;
				c->stats.misses += walks;
				c->stats.walks += walks;
				i = (size_t)(p - r) + 1;
				walks = 0;
				m->cur_pid = pid;
				err = pf_error_code((int)kind) | (err & X86_PF_PROT);
				if (!(err & X86_PF_PROT) && ptep && is_swap_pte(*ptep))
					*sig = access_swap_fault(m, t, addr, (int)kind, err, ptep);
				else
					*sig = access_fault(m, t, addr, (int)kind, err,
							    (err & X86_PF_PROT) ? NULL : ptep);
				/* reclaim in that fault may have had the OOM killer choose this
				 * process: the next call then gets -ESRCH, as vmlab_access would */
				if (unlikely(*sig) || unlikely(!task_of(m, pid))) {
					*stop = 1;
					return i;
				}
				/* of access_lean, a fault may change these two (explain mode,
				 * the checkers and general_paths are the caller's) */
				if (unlikely(t->mm != c->loaded_mm || m->dirty_exceeded))
					return i;
				if (mode != LEAN_DEFAULT)
					asid = tlb_tag(0, c->loaded_asid);
				continue;
			}
			pv = tlb_pv(*ptep);
			tlb_insert(set, &c->victim[vpn & set_mask], w, ways, tag, pv); /* tlb_fill */
		}
		if (mode == LEAN_DEFAULT) { /* policy_access_page, its lruvec the root's */
			struct page *pg = pte_page(m, pv);

			if ((pg->flags & (PG_lru | PG_unevictable)) == PG_lru)
				policy_list_to_head(root_lv, pg);
		} else if (unlikely(exact)) { /* an exact policy sees every reference */
			policy_access_page(m, pfn_to_page(m, pte_pfn(pv)), to_head);
		}
	}
	c->stats.hits += (uint64_t)(p - r) - i - walks;
	c->stats.misses += walks;
	c->stats.walks += walks;
	if (walks) /* what the walks since r[i] left (nothing reads it in between) */
		m->cur_pid = pid;
	*stop = p == end;
	return (size_t)(p - r);
}

size_t vmlab_access_recs(vmlab_t *m, int pid, const vmlab_trace_rec_t *r, size_t n, int *sig)
{
	struct task_struct *t = likely(m != NULL) ? task_of(m, pid) : NULL;
	size_t i = 0;

	if (unlikely(!sig || !n || !r))
		return 0;
	*sig = 0;
	if (unlikely(!t)) {
		*sig = m ? -ESRCH : -EINVAL;
		return 1;
	}
	while (i < n) {
		int kind;

		if (likely(access_lean(m, t))) {
			int stop;

			if (likely(lean_default(m)))
				i = access_recs_lean(m, t, pid, r, i, n, sig, &stop, 4, LEAN_DEFAULT);
			else if (likely(m->cpu.tlb_ways == 4)) /* other policies: still unrolled */
				i = access_recs_lean(m, t, pid, r, i, n, sig, &stop, 4, LEAN_ANY);
			else
				i = access_recs_lean(m, t, pid, r, i, n, sig, &stop, m->cpu.tlb_ways,
						     LEAN_ANY);
			if (stop)
				return i;
			if (i == n)
				break;
		}
		/* one record the general way */
		kind = r[i].kind;
		if (unlikely((unsigned)kind > VMLAB_ACC_EXEC)) {
			*sig = -EINVAL;
			return i + 1;
		}
		if (access_hit(m, t, r[i].addr, kind)) {
			i++;
			continue;
		}
		switch (access_walk(m, t, pid, r[i].addr, kind, sig)) {
		case WALK_DONE:
			i++;
			continue;
		case 0:
			*sig = access_miss(m, t, pid, r[i].addr, kind);
			break;
		}
		if (*sig)
			return i + 1;
		/* reclaim in that fault may have had the OOM killer choose this process: the next
		 * call then gets -ESRCH, as vmlab_access would */
		t = task_of(m, pid);
		if (unlikely(!t))
			return i + 1;
		i++;
	}
	return n;
}

/* Copies between buf and [addr, addr+len) of pid, one page at a time. op: 0 load, 1 store,
 * 2 fill with *(int *)buf. */
static int user_copy(struct vmlab *m, int pid, uint64_t addr, void *buf, uint64_t len, int op,
		     vmlab_fault_t *fout)
{
	struct task_struct *t = m ? task_of(m, pid) : NULL;
	uint8_t *b = buf;
	vmlab_fault_t f = {0};
	int sig = 0;

	if (!m)
		return -EINVAL;
	if (!t)
		return -ESRCH;
	if (!buf && len)
		return -EFAULT;
	m->cur_pid = pid;
	while (len) {
		uint64_t off = addr & (PAGE_SIZE - 1), n = PAGE_SIZE - off, pfn;
		struct page *pg;
		uint8_t *frame;

		if (n > len)
			n = len;
		sig = translate(m, t, addr, op ? VMLAB_ACC_WRITE : VMLAB_ACC_READ, &pfn, &f);
		if (sig)
			break;
		pg = pfn_to_page(m, pfn);
		if (unlikely(pg->flags & PG_zerofill)) {
			if (op == 0) { /* a lazily zeroed page: it reads zeros, nothing to zero yet */
				memset(b, 0, n);
				b += n;
				goto next;
			}
			page_bytes(m, pg); /* written now: zeroed first */
		}
		frame = (uint8_t *)pfn_to_virt(m, pfn) + off;
		if (op == 0) {
			memcpy(b, frame, n);
			b += n;
		} else if (op == 1) {
			memcpy(frame, b, n);
			b += n;
		} else {
			memset(frame, *(int *)buf, n);
		}
next:
		addr += n;
		len -= n;
		if (unlikely(m->dirty_exceeded))
			balance_dirty_pages_ratelimited(m); /* the writer may be throttled */
	}
	if (fout)
		*fout = f;
	if (unlikely(m->dirty_exceeded))
		wb_workfn(m); /* the flusher catches up after the operation */
	if (m->cfg.check)
		debug_check(m);
	return sig;
}

int copy_to_user(struct vmlab *m, struct task_struct *t, uint64_t addr, const void *buf,
		 uint64_t len)
{
	const uint8_t *b = buf;
	vmlab_fault_t f;

	m->cur_pid = t->pid;
	while (len) {
		uint64_t off = addr & (PAGE_SIZE - 1), n = MIN(PAGE_SIZE - off, len), pfn;
		struct page *pg;

		if (translate(m, t, addr, VMLAB_ACC_WRITE, &pfn, &f))
			return -EFAULT;
		pg = pfn_to_page(m, pfn);
		if (b) {
			memcpy(page_bytes(m, pg) + off, b, n); /* a lazily zeroed page is zeroed first */
			b += n;
		} else if (!(pg->flags & PG_zerofill)) {
			memset(page_bytes(m, pg) + off, 0, n); /* (a lazily zeroed one reads zeros) */
		}
		addr += n;
		len -= n;
	}
	return 0;
}

int vmlab_load(vmlab_t *m, int pid, uint64_t addr, void *buf, uint64_t len, vmlab_fault_t *f)
{
	return user_copy(m, pid, addr, buf, len, 0, f);
}

int vmlab_store(vmlab_t *m, int pid, uint64_t addr, const void *buf, uint64_t len,
		vmlab_fault_t *f)
{
	return user_copy(m, pid, addr, (void *)(uintptr_t)buf, len, 1, f);
}

int vmlab_fill(vmlab_t *m, int pid, uint64_t addr, int byte, uint64_t len, vmlab_fault_t *f)
{
	return user_copy(m, pid, addr, &byte, len, 2, f);
}

int vmlab_touch(vmlab_t *m, int pid, uint64_t addr, uint64_t len, int kind, vmlab_fault_t *fout)
{
	struct task_struct *t = m ? task_of(m, pid) : NULL;
	vmlab_fault_t f = {0};
	uint64_t a, pfn;
	int sig = 0;

	if (!m)
		return -EINVAL;
	if (!t)
		return -ESRCH;
	if ((unsigned)kind > VMLAB_ACC_EXEC)
		return -EINVAL;
	m->cur_pid = pid;
	for (a = 0; a < len; a += PAGE_SIZE) {
		sig = translate(m, t, addr + a, kind, &pfn, &f);
		if (sig)
			break;
		if (addr + a + PAGE_SIZE < addr)
			break; /* wrapped around the address space */
		if (unlikely(m->dirty_exceeded))
			balance_dirty_pages_ratelimited(m); /* the writer may be throttled */
	}
	if (fout)
		*fout = f;
	if (unlikely(m->dirty_exceeded))
		wb_workfn(m); /* the flusher catches up after the operation */
	if (m->cfg.check)
		debug_check(m);
	return sig;
}
