/* fs/proc/base.c - the public entry points of the /proc views and of single values.
 * Mirrors the role of fs/proc/base.c and fs/proc/root.c (which file shows what). Single
 * values (vmlab_meminfo, vmlab_vmstat, the status lines of vmlab_task_stat) are read back from
 * the rendered text, so a value and the file that shows it can never disagree; this costs one
 * rendering (a few microseconds) a call.
 * Entry points: vmlab_show, vmlab_meminfo, vmlab_vmstat, vmlab_task_stat. */
#include <stdlib.h>

#include "fs/proc/seq.h"

int vmlab_show(vmlab_t *m, const char *what, int pid, char **out)
{
	struct seq_file s = {0};
	struct task_struct *t = NULL;
	int per_task;

	if (!out || !what)
		return -EFAULT;
	*out = NULL;
	if (!m)
		return -EINVAL;
	per_task = !strcmp(what, "maps") || !strcmp(what, "smaps") || !strcmp(what, "status");
	if (per_task) {
		t = find_task(m, pid);
		if (!t)
			return -ESRCH;
	}
	if (!strcmp(what, "maps"))
		proc_maps(m, t, &s);
	else if (!strcmp(what, "smaps"))
		proc_smaps(m, t, &s);
	else if (!strcmp(what, "status"))
		proc_status(m, t, &s);
	else if (!strcmp(what, "meminfo"))
		proc_meminfo(m, &s);
	else if (!strcmp(what, "vmstat"))
		proc_vmstat(m, &s);
	else if (!strcmp(what, "buddyinfo"))
		proc_buddyinfo(m, &s);
	else if (!strcmp(what, "zoneinfo"))
		proc_zoneinfo(m, &s);
	else if (!strcmp(what, "slabinfo"))
		proc_slabinfo(m, &s);
	else if (!strcmp(what, "vmallocinfo"))
		proc_vmallocinfo(m, &s);
	else if (!strcmp(what, "swaps"))
		proc_swaps(m, &s);
	else
		return -ENOENT;
	if (s.oom) {
		free(s.buf);
		return -ENOMEM;
	}
	if (!s.buf) {
		s.buf = malloc(1);
		if (!s.buf)
			return -ENOMEM;
		s.buf[0] = 0;
	}
	*out = s.buf;
	return 0;
}

/* Finds the line "KEY<sep> <number>" and parses the number; *kb tells whether " kB" follows.
 * -ENOENT when no line has that key or its value is not a number (status's "Name", ...). */
static int lookup(const char *text, const char *key, char sep, uint64_t *val, int *kb)
{
	size_t n = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == sep) {
			const char *q = p + n + 1;
			char *end;

			while (*q == ' ' || *q == '\t')
				q++;
			if (*q < '0' || *q > '9')
				return -ENOENT;
			*val = strtoull(q, &end, 10);
			*kb = strncmp(end, " kB", 3) == 0;
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

int vmlab_meminfo(vmlab_t *m, const char *key, uint64_t *bytes)
{
	char *text;
	int kb = 0, err;

	if (!key || !bytes)
		return -EFAULT;
	err = vmlab_show(m, "meminfo", 0, &text);
	if (err)
		return err;
	err = lookup(text, key, ':', bytes, &kb);
	if (!err && kb)
		*bytes *= 1024;
	free(text);
	return err;
}

int vmlab_vmstat(vmlab_t *m, const char *name, uint64_t *val)
{
	char *text;
	int kb = 0, err;

	if (!name || !val)
		return -EFAULT;
	err = vmlab_show(m, "vmstat", 0, &text);
	if (err)
		return err;
	err = lookup(text, name, ' ', val, &kb);
	free(text);
	return err;
}

int vmlab_task_stat(vmlab_t *m, int pid, const char *name, uint64_t *val)
{
	struct task_struct *t;
	char *text;
	int kb = 0, err;

	if (!name || !val)
		return -EFAULT;
	if (!m)
		return -EINVAL;
	t = find_task(m, pid);
	if (!t)
		return -ESRCH;
	if (!strcmp(name, "minflt")) {
		*val = t->min_flt;
		return 0;
	}
	if (!strcmp(name, "majflt")) {
		*val = t->maj_flt;
		return 0;
	}
	if (!strcmp(name, "rss")) {
		*val = get_mm_rss(t->mm) << PAGE_SHIFT;
		return 0;
	}
	if (!strcmp(name, "vmsize")) {
		*val = t->mm->total_vm << PAGE_SHIFT;
		return 0;
	}
	err = vmlab_show(m, "status", pid, &text);
	if (err)
		return err;
	err = lookup(text, name, ':', val, &kb);
	if (!err && kb)
		*val *= 1024;
	free(text);
	return err;
}
