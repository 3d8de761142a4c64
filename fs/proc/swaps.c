/* fs/proc/swaps.c - /proc/swaps.
 *
 * Mirrors swap_show in mm/swapfile.c: a header, then one line per swap area with its name
 * padded to 40 columns, the type, size and used space in KiB, and the priority, separated by
 * tabs as Linux prints them (an extra tab after a number shorter than 8 digits).
 */
#include "fs/proc/seq.h"

void proc_swaps(struct vmlab *m, struct seq_file *s)
{
	int i;

	seq_printf(s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	for (i = 0; i < m->nr_swapfiles; i++) {
		struct swap_info_struct *si = m->swap_info[i];
		uint64_t bytes = si->pages << (PAGE_SHIFT - 10);
		uint64_t used = si->inuse_pages << (PAGE_SHIFT - 10);
		int len = (int)strlen(si->name);

		seq_printf(s, "%s%*s%s\t%llu\t%s%llu\t%s%d\n", si->name, len < 40 ? 40 - len : 1, " ",
			   si->fd >= 0 ? "file\t" : "partition", (unsigned long long)bytes,
			   bytes < 10000000 ? "\t" : "", (unsigned long long)used,
			   used < 10000000 ? "\t" : "", si->prio);
	}
}
