/* sim/cgroup.c - the public memory-cgroup calls (vmlab_cgroup_*).
 *
 * No kernel twin: this is the cgroupfs side that a shell would use (mkdir, writes to
 * memory.max, echo PID > cgroup.procs, reads of memory.current and memory.stat), mapped onto
 * mm/memcontrol.c and the file rendering of fs/proc/cgroup.c.
 */
#include <stdlib.h>

#include "fs/proc/seq.h"

static int valid_group_name(const char *n)
{
	size_t i, len = n ? strlen(n) : 0;

	if (!len || len >= sizeof(((struct mem_cgroup *)0)->name))
		return 0;
	for (i = 0; i < len; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		      (i && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static struct mem_cgroup *group(struct vmlab *m, const char *name)
{
	if (!name || !*name)
		return &m->root_mem_cgroup;
	return mem_cgroup_find(m, name);
}

int vmlab_cgroup_create(vmlab_t *m, const char *name, const char *parent)
{
	struct mem_cgroup *p;

	if (!m || !valid_group_name(name))
		return -EINVAL;
	if (mem_cgroup_find(m, name))
		return -EEXIST;
	p = group(m, parent);
	if (!p)
		return -ENOENT;
	if (m->policy_exact)
		return -EINVAL;
	if (!mem_cgroup_create(m, name, p))
		return -ENOSPC;
	return 0;
}

int vmlab_cgroup_set(vmlab_t *m, const char *name, const char *file, uint64_t value)
{
	struct mem_cgroup *memcg = m && name && *name ? mem_cgroup_find(m, name) : NULL;
	uint64_t pages = value == VMLAB_CGROUP_MAX ? PAGE_COUNTER_MAX : value >> PAGE_SHIFT;
	int err = 0;

	if (!memcg)
		return -ENOENT;
	if (!file)
		return -EINVAL;
	m->cur_pid = 0;
	if (!strcmp(file, "memory.max"))
		err = mem_cgroup_set_max(m, memcg, pages);
	else if (!strcmp(file, "memory.high"))
		err = mem_cgroup_set_high(m, memcg, pages);
	else if (!strcmp(file, "memory.low"))
		memcg->low = pages == PAGE_COUNTER_MAX ? PAGE_COUNTER_MAX : pages;
	else if (!strcmp(file, "memory.min"))
		memcg->min = pages;
	else if (!strcmp(file, "memory.swap.max"))
		memcg->swap_max = pages;
	else
		return -EINVAL;
	if (m->cfg.check)
		debug_check(m);
	return err;
}

int vmlab_cgroup_attach(vmlab_t *m, const char *name, int pid)
{
	struct task_struct *t = m ? find_task(m, pid) : NULL;
	struct mem_cgroup *memcg;

	if (!t)
		return -ESRCH;
	memcg = group(m, name);
	if (!memcg)
		return -ENOENT;
	mem_cgroup_attach(m, t, memcg);
	return 0;
}

int vmlab_cgroup_read(vmlab_t *m, const char *name, const char *key, uint64_t *val)
{
	struct mem_cgroup *memcg = m && name && *name ? mem_cgroup_find(m, name) : NULL;

	if (!memcg || !key || !val)
		return -ENOENT;
	if (!strcmp(key, "memory.current"))
		*val = memcg->usage << PAGE_SHIFT;
	else if (!strcmp(key, "memory.swap.current"))
		*val = memcg->swap_usage << PAGE_SHIFT;
	else if (!strcmp(key, "memory.peak"))
		*val = memcg->watermark << PAGE_SHIFT;
	else if (!strcmp(key, "memory.max") || !strcmp(key, "memory.high") ||
		 !strcmp(key, "memory.swap.max") || !strcmp(key, "memory.low") ||
		 !strcmp(key, "memory.min")) {
		uint64_t p = key[7] == 'm' && key[8] == 'a' ? memcg->max
			     : key[7] == 'h'                 ? memcg->high
			     : key[7] == 's'                 ? memcg->swap_max
			     : key[8] == 'o'                 ? memcg->low
							     : memcg->min;

		*val = p == PAGE_COUNTER_MAX ? VMLAB_CGROUP_MAX : p << PAGE_SHIFT;
	} else if (!strncmp(key, "memory.stat.", 12)) {
		return cgroup_stat_value(m, memcg, key + 12, val);
	} else if (!strncmp(key, "memory.events.", 14)) {
		return cgroup_stat_value(m, memcg, key + 14, val);
	} else {
		return cgroup_stat_value(m, memcg, key, val);
	}
	return 0;
}

int vmlab_cgroup_show(vmlab_t *m, const char *name, const char *file, char **out)
{
	struct mem_cgroup *memcg = m && name && *name ? mem_cgroup_find(m, name) : NULL;
	struct seq_file s = {0};

	if (!out)
		return -EFAULT;
	*out = NULL;
	if (!memcg || !file)
		return -ENOENT;
	if (cgroup_file_show(m, memcg, file, &s)) {
		free(s.buf);
		return -ENOENT;
	}
	if (s.oom) {
		free(s.buf);
		return -ENOMEM;
	}
	*out = s.buf ? s.buf : calloc(1, 1);
	return *out ? 0 : -ENOMEM;
}
