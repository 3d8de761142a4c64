/* kernel/task.c - processes: creation, lookup, exit.
 *
 * No single Linux twin: pieces of kernel/fork.c (alloc_task_struct), kernel/exit.c (do_exit,
 * exit_mm, mmput) and kernel/pid.c (find_task_by_vpid). task_structs are slab objects in
 * simulated memory; pids count up from 1 and are never reused.
 */
#include <stdlib.h>

#include "mm/internal.h"

struct task_struct *find_task(struct vmlab *m, int pid)
{
	struct task_struct *t;

	if (pid <= 0 || pid >= m->nr_tasks_slots)
		return NULL;
	t = m->tasks[pid];
	return (t && t->state == TASK_RUNNING) ? t : NULL;
}

struct task_struct *task_create(struct vmlab *m)
{
	struct task_struct *t;
	int pid = m->next_pid;

	if (pid >= m->nr_tasks_slots) {
		int n = m->nr_tasks_slots ? m->nr_tasks_slots * 2 : 64;
		struct task_struct **a = realloc(m->tasks, sizeof(*a) * (size_t)n);

		if (!a)
			return NULL;
		memset(a + m->nr_tasks_slots, 0, sizeof(*a) * (size_t)(n - m->nr_tasks_slots));
		m->tasks = a;
		m->nr_tasks_slots = n;
	}
	t = kmem_cache_alloc(m, m->task_cachep);
	if (!t)
		return NULL;
	t->pid = pid;
	t->state = TASK_RUNNING;
	snprintf(t->comm, sizeof(t->comm), "proc%d", pid);
	m->tasks[pid] = t;
	m->next_pid++;
	m->nr_running++;
	/* kernel stack: THREAD_SIZE = 16 KiB per task (KernelStack in meminfo) */
	mod_node_page_state(m, NR_KERNEL_STACK_KB, 16);
	return t;
}

/* mmput: the last user of an mm tears it down. */
void mmput(struct vmlab *m, struct mm_struct *mm)
{
	if (--mm->mm_users > 0)
		return;
	tlb_mm_gone(m, mm);
	exit_mmap(m, mm);
	pgd_free(m, mm);
	mm_free_vmacache(mm);
	kmem_cache_free(m, m->mm_cachep, mm);
}

void task_exit(struct vmlab *m, struct task_struct *t)
{
	if (t->mm) {
		mmput(m, t->mm);
		t->mm = NULL;
	}
	if (t->memcg)
		t->memcg->nr_tasks--;
	t->memcg = NULL;
	t->state = TASK_DEAD;
	m->nr_running--;
	mod_node_page_state(m, NR_KERNEL_STACK_KB, -16);
	/* release_task: the task_struct goes back to its cache; the pid stays unused */
	m->tasks[t->pid] = NULL;
	kmem_cache_free(m, m->task_cachep, t);
}
