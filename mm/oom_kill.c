/* mm/oom_kill.c - the OOM killer: when reclaim cannot free memory, kill the biggest process.
 *
 * Mirrors mm/oom_kill.c: out_of_memory -> select_bad_process scores every process with
 * oom_badness (resident pages + swap entries + page-table pages, plus oom_score_adj x
 * totalpages / 1000; -1000 means never) and oom_kill_process kills the highest. The kill is
 * reported as the kernel does ("Out of memory: Killed process ...") in explain mode and
 * counted in vmstat oom_kill.
 *
 * A memory cgroup over memory.max that reclaim cannot bring back under it calls the same
 * killer restricted to the group's processes (mem_cgroup_out_of_memory), with the group's
 * limit as totalpages.
 *
 * Simplifications: the victim's memory is freed at once (Linux: SIGKILL, then the exit path
 * and the OOM reaper free it); when the victim is the task that is allocating, it is not torn
 * down inside its own fault: the allocation fails and the fault kills it (as
 * pagefault_out_of_memory would).
 */
#include "mm/internal.h"

#define OOM_SCORE_ADJ_MIN (-1000)

static int64_t oom_badness(struct vmlab *m, struct task_struct *t, uint64_t totalpages)
{
	struct mm_struct *mm = t->mm;
	int64_t points;

	if (!mm || t->oom_score_adj == OOM_SCORE_ADJ_MIN)
		return INT64_MIN;
	points = (int64_t)get_mm_rss(mm) + mm->rss_stat[MM_SWAPENTS] +
		 mm->pgtables_bytes / (int64_t)PAGE_SIZE;
	points += (int64_t)t->oom_score_adj * (int64_t)totalpages / 1000;
	(void)m;
	return points;
}

/* select_bad_process + oom_kill_process over the tasks of memcg's subtree (NULL: all). */
static int oom_kill(struct vmlab *m, struct mem_cgroup *memcg)
{
	uint64_t totalpages = m->totalram_pages + m->total_swap_pages;
	struct task_struct *victim = NULL;
	struct mem_cgroup *c;
	int64_t best = INT64_MIN;
	int pid;

	if (memcg && memcg->max != PAGE_COUNTER_MAX)
		totalpages = MAX(memcg->max, (uint64_t)1); /* mem_cgroup_get_max */
	for (pid = 1; pid < m->nr_tasks_slots; pid++) {
		struct task_struct *t = m->tasks[pid];
		int64_t points;

		if (!t || t->state != TASK_RUNNING)
			continue;
		if (memcg && (!t->memcg || !mem_cgroup_is_descendant(t->memcg, memcg)))
			continue;
		points = oom_badness(m, t, totalpages);
		if (points > best) {
			best = points;
			victim = t;
		}
	}
	if (!victim)
		return -ENOMEM;
	count_vm_event(m, OOM_KILL);
	for (c = victim->memcg; c && c->id; c = c->parent)
		c->events[MEMCG_OOM_KILL]++;
	if (unlikely(explaining(m))) {
		if (memcg)
			explain_note(m, "Memory cgroup out of memory: Killed process %d (%s) in /%s",
				     victim->pid, victim->comm, memcg->name);
		explain_note(m, "Out of memory: Killed process %d (%s) total-vm:%llukB, anon-rss:%llukB, "
				"file-rss:%llukB, shmem-rss:%llukB, UID:0 pgtables:%llukB oom_score_adj:%d",
			     victim->pid, victim->comm, (unsigned long long)victim->mm->total_vm * 4,
			     (unsigned long long)victim->mm->rss_stat[MM_ANONPAGES] * 4,
			     (unsigned long long)victim->mm->rss_stat[MM_FILEPAGES] * 4,
			     (unsigned long long)victim->mm->rss_stat[MM_SHMEMPAGES] * 4,
			     (unsigned long long)(victim->mm->pgtables_bytes >> 10), victim->oom_score_adj);
	}
	if (victim->pid == m->cur_pid)
		return -EINTR; /* the allocating task itself: its fault fails and kills it */
	victim->exit_signal = VMLAB_SIGKILL;
	task_exit(m, victim);
	return 0;
}

int out_of_memory(struct vmlab *m)
{
	return oom_kill(m, NULL);
}

int oom_kill_memcg(struct vmlab *m, struct mem_cgroup *memcg)
{
	return oom_kill(m, memcg);
}
