/* fs/proc/array.c - /proc/PID/status.
 *
 * Mirrors proc_pid_status of Linux 6.x fs/proc/array.c: Name, Umask, task_state (State, ids,
 * Groups, the NS* lines, Kthread), task_mem (fs/proc/task_mmu.c), CoreDumping, THP_enabled,
 * untag_mask, task_sig, task_cap, task_seccomp, the CPU and memory-node masks, the context
 * switch counts and x86's thread features, in that order and format.
 *
 * Simplifications: every process runs as root in the initial namespaces with umask 0022, one
 * thread, 64 file descriptors, no signals pending/blocked/ignored/caught, full capabilities
 * (CAP_LAST_CAP = 40), no seccomp, and no context switches counted. State is always
 * "R (running)" (vmlab does not schedule). THP_enabled is 1 (CONFIG_TRANSPARENT_HUGEPAGE and no
 * PR_SET_THP_DISABLE), whatever the thp= setting, as in Linux. The speculation lines are fixed
 * strings (Linux prints the host CPU's mitigation state).
 */
#include "fs/proc/seq.h"

/* bitmap_print_to_pagebuf's "%*pb": hex in 32-bit groups, highest first, comma-separated; the
 * top group has only as many digits as its bits need. */
static void put_bitmap(struct seq_file *s, unsigned nbits, unsigned set_bits)
{
	int g, groups = (int)((nbits + 31) / 32);

	for (g = groups - 1; g >= 0; g--) {
		unsigned lo = (unsigned)g * 32, width = nbits - lo >= 32 ? 8 : (nbits - lo + 3) / 4;
		uint32_t word = 0;
		unsigned b;

		for (b = 0; b < 32 && lo + b < set_bits; b++)
			word |= 1u << b;
		seq_printf(s, "%0*x%s", (int)width, word, g ? "," : "");
	}
}

/* "%*pbl": ranges of set bits, here always the first set_bits bits. */
static void put_bitmap_list(struct seq_file *s, unsigned set_bits)
{
	if (set_bits == 1)
		seq_printf(s, "0");
	else
		seq_printf(s, "0-%u", set_bits - 1);
}

/* task_state: everything from State to Kthread. */
static void task_state(struct seq_file *s, const struct task_struct *t)
{
	seq_printf(s, "State:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		   t->pid, t->pid, t->ppid);
	seq_printf(s, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\n");
	/* no supplementary groups: the header, then the trailing space Linux always adds */
	seq_printf(s, "Groups:\t \n");
	seq_printf(s, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n", t->pid,
		   t->pid, t->pid, t->pid);
}

/* task_sig: one thread; SigQ's limit is RLIMIT_SIGPENDING = max_threads / 2, where
 * max_threads = RAM / (8 * THREAD_SIZE) with 16 KiB kernel stacks (set_max_threads). */
static void task_sig(struct vmlab *m, struct seq_file *s)
{
	uint64_t max_threads = (m->totalram_pages << PAGE_SHIFT) / (8 * 16384);

	seq_printf(s, "Threads:\t1\nSigQ:\t0/%llu\n", (unsigned long long)(max_threads / 2));
	seq_printf(s, "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
		      "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"
		      "SigCgt:\t0000000000000000\n");
}

void proc_status(struct vmlab *m, struct task_struct *t, struct seq_file *s)
{
	unsigned cpus = m->cfg.nr_cpus;

	seq_printf(s, "Name:\t%s\nUmask:\t0022\n", t->comm);
	task_state(s, t);
	task_mem(s, t->mm);
	seq_printf(s, "CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\n");
	task_sig(m, s);
	/* task_cap: all 41 capabilities */
	seq_printf(s, "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
		      "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
		      "CapAmb:\t0000000000000000\n");
	/* task_seccomp and the speculation mitigations */
	seq_printf(s, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
		      "Speculation_Store_Bypass:\tthread vulnerable\n"
		      "SpeculationIndirectBranch:\tconditional enabled\n");
	/* task_cpus_allowed over nr_cpu_ids = nr_cpus; cpuset's nodes over MAX_NUMNODES = 1 */
	seq_printf(s, "Cpus_allowed:\t");
	put_bitmap(s, cpus, cpus);
	seq_printf(s, "\nCpus_allowed_list:\t");
	put_bitmap_list(s, cpus);
	seq_printf(s, "\nMems_allowed:\t");
	put_bitmap(s, 1, 1);
	seq_printf(s, "\nMems_allowed_list:\t0\n");
	seq_printf(s, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	/* arch_proc_pid_thread_features (CONFIG_X86_USER_SHADOW_STACK): none enabled */
	seq_printf(s, "x86_Thread_features:\t\nx86_Thread_features_locked:\t\n");
}
