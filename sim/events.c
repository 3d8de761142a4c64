/* sim/events.c - events for explain mode: emission and their one-line explanations.
 * No kernel twin (Linux has tracepoints). The library emits vmlab_event_t records where things
 * happen; a hook installed by the caller receives them; vmlab_event_format turns one into text. */
#include <stdarg.h>
#include <string.h>

#include "mm/internal.h"

void vmlab_set_event_hook(vmlab_t *m, vmlab_event_fn fn, void *ctx)
{
	if (!m)
		return;
	m->hook = fn;
	m->hook_ctx = ctx;
}

void vm_event(struct vmlab *m, const vmlab_event_t *ev)
{
	if (m->hook)
		m->hook(m->hook_ctx, ev);
}

void explain_note(struct vmlab *m, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	vmlab_event_t ev = {.type = VMLAB_EV_NOTE, .text = buf};

	if (!m->hook)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ev.pid = m->cur_pid;
	vm_event(m, &ev);
}

static const char *const kind_names[] = {"read", "write", "fetch"};

static void decode_flags(uint64_t e, char *b, size_t n)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} f[] = {{_PAGE_PRESENT, "P"}, {_PAGE_RW, "RW"},     {_PAGE_USER, "US"},  {_PAGE_PWT, "PWT"},
		 {_PAGE_PCD, "PCD"},   {_PAGE_ACCESSED, "A"}, {_PAGE_DIRTY, "D"}, {_PAGE_PSE, "PS"},
		 {_PAGE_GLOBAL, "G"},  {_PAGE_SPECIAL, "SPECIAL"}, {_PAGE_NX, "NX"}};
	size_t i, o = 0;

	b[0] = 0;
	if (!(e & _PAGE_PRESENT)) {
		if (!e)
			snprintf(b, n, "empty");
		else if (e & _PAGE_PROTNONE)
			snprintf(b, n, "not present: PROT_NONE");
		else /* the x86_64 swap entry: type in bits 63..59, inverted offset in 58..9 */
			snprintf(b, n, "not present: swap entry type %u offset %llu%s", swp_pte_type(e),
				 (unsigned long long)swp_pte_offset(e),
				 (e & _PAGE_SWP_EXCLUSIVE) ? ", exclusive" : "");
		return;
	}
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if ((e & f[i].bit) && o < n)
			o += (size_t)snprintf(b + o, n - o, "%s%s", o ? " " : "", f[i].name);
}

/* The x86 page-fault error code of a fault event. The event carries FAULT_FLAG_* bits (what
 * handle_mm_fault got); the P bit follows from the handler, as handle_pte_fault chose it from
 * the PTE: do_wp_page and a spurious fault found a present PTE, every other handler did not. */
static unsigned fault_error_code(const vmlab_event_t *ev)
{
	unsigned flags = (unsigned)ev->value, err = 0;

	if (flags & FAULT_FLAG_WRITE)
		err |= X86_PF_WRITE;
	if (flags & FAULT_FLAG_USER)
		err |= X86_PF_USER;
	if (flags & FAULT_FLAG_INSTRUCTION)
		err |= X86_PF_INSTR;
	if (ev->text && (!strcmp(ev->text, "do_wp_page") || !strcmp(ev->text, "handle_pte_fault")))
		err |= X86_PF_PROT;
	return err;
}

static void error_text(unsigned err, char *b, size_t n)
{
	snprintf(b, n, "%s, %s, %s%s", (err & X86_PF_WRITE) ? "write" : (err & X86_PF_INSTR) ? "fetch" : "read",
		 (err & X86_PF_USER) ? "user" : "kernel",
		 (err & X86_PF_PROT) ? "protection" : "not-present",
		 (err & X86_PF_RSVD) ? ", reserved bit" : "");
}

void vmlab_event_format(const vmlab_event_t *ev, char *buf, size_t size)
{
	static const char *const level_names[] = {"", "PTE", "PMD", "PUD", "PGD"};
	const char *lvl;
	char f[96];

	if (!buf || !size)
		return;
	if (!ev) {
		buf[0] = 0;
		return;
	}
	switch (ev->type) {
	case VMLAB_EV_ACCESS:
		snprintf(buf, size, "%s 0x%llx (pid %d)", kind_names[(unsigned)ev->kind % 3],
			 (unsigned long long)ev->addr, ev->pid);
		break;
	case VMLAB_EV_TLB_HIT:
		snprintf(buf, size, "TLB hit: page 0x%llx -> frame 0x%llx",
			 (unsigned long long)(ev->addr >> 12), (unsigned long long)ev->pfn);
		break;
	case VMLAB_EV_TLB_MISS:
		snprintf(buf, size, "TLB miss: walk from CR3; 0x%llx = PGD %u | PUD %u | PMD %u | PTE %u | offset 0x%03llx",
			 (unsigned long long)ev->addr, (unsigned)pgd_index(ev->addr),
			 (unsigned)pud_index(ev->addr), (unsigned)pmd_index(ev->addr),
			 (unsigned)pte_index(ev->addr), (unsigned long long)(ev->addr & 0xfff));
		break;
	case VMLAB_EV_WALK_LEVEL:
		decode_flags(ev->value, f, sizeof(f));
		lvl = ev->text ? ev->text : (ev->level >= 1 && ev->level <= 4) ? level_names[ev->level] : "?";
		if (ev->value & _PAGE_PRESENT)
			snprintf(buf, size, "  %s[%u] in frame 0x%llx = 0x%016llx (%s) -> frame 0x%llx",
				 lvl, ev->index, (unsigned long long)ev->pfn,
				 (unsigned long long)ev->value, f,
				 (unsigned long long)((ev->value & PTE_PFN_MASK) >> 12));
		else
			snprintf(buf, size, "  %s[%u] in frame 0x%llx = 0x%016llx (%s)",
				 lvl, ev->index, (unsigned long long)ev->pfn,
				 (unsigned long long)ev->value, f);
		break;
	case VMLAB_EV_FAULT:
		if ((unsigned)ev->value & FAULT_FLAG_REMOTE) {
			/* populate and other get_user_pages faults: no hardware error code */
			snprintf(buf, size, "page fault at 0x%llx (populate, %s): %s: %s",
				 (unsigned long long)ev->addr,
				 ((unsigned)ev->value & FAULT_FLAG_WRITE) ? "write" : "read",
				 ev->text ? ev->text : "?", ev->text2 ? ev->text2 : "");
			break;
		}
		error_text(fault_error_code(ev), f, sizeof(f));
		snprintf(buf, size, "page fault at 0x%llx error 0x%x (%s): %s: %s",
			 (unsigned long long)ev->addr, fault_error_code(ev), f,
			 ev->text ? ev->text : "?", ev->text2 ? ev->text2 : "");
		break;
	case VMLAB_EV_SIGNAL:
		if (ev->value == VMLAB_SIGKILL)
			snprintf(buf, size, "signal SIGKILL (out of memory)");
		else
			snprintf(buf, size, "signal %s (%s) at 0x%llx",
				 ev->value == VMLAB_SIGBUS ? "SIGBUS" : "SIGSEGV",
				 ev->value == VMLAB_SIGBUS		 ? "BUS_ADRERR"
				 : ev->index == VMLAB_SEGV_ACCERR ? "SEGV_ACCERR"
								   : "SEGV_MAPERR",
				 (unsigned long long)ev->addr);
		break;
	case VMLAB_EV_ALLOC:
		snprintf(buf, size, "alloc frame 0x%llx order %u%s%s", (unsigned long long)ev->pfn,
			 ev->order, ev->text ? " for " : "", ev->text ? ev->text : "");
		break;
	case VMLAB_EV_FREE:
		snprintf(buf, size, "free frame 0x%llx order %u", (unsigned long long)ev->pfn, ev->order);
		break;
	case VMLAB_EV_TLB_FLUSH:
		if (ev->addr)
			snprintf(buf, size, "TLB flush: invlpg 0x%llx (%llu page%s)",
				 (unsigned long long)ev->addr, (unsigned long long)ev->value,
				 ev->value == 1 ? "" : "s");
		else if (ev->value)
			snprintf(buf, size, "TLB flush: all (%llu pages)", (unsigned long long)ev->value);
		else
			snprintf(buf, size, "TLB flush: all");
		break;
	case VMLAB_EV_NOTE:
	default:
		snprintf(buf, size, "%s", ev->text ? ev->text : "");
		break;
	}
}
